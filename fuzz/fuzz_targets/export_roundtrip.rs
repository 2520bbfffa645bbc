//! A pack of valid items with hostile texts through every export format, read back by qbank's importers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qbank_fuzzing::export_roundtrip(data));
