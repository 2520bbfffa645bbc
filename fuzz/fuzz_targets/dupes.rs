//! Normalization and the exact near-duplicate search against brute force with `strsim`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qbank_fuzzing::dupes(data));
