//! An item file of the sample bank: decoding, TOML, schema, typed item, every rule, a report format, `qbank fmt`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qbank_fuzzing::item_lint(data));
