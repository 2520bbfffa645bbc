//! A blueprint, the glossary, the duplicate allowlist or `qbank.toml` (by the first byte), checked with the sample bank.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qbank_fuzzing::bank_files(data));
