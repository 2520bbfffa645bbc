//! A file to import, in the format its first byte picks, through qbank's importers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qbank_fuzzing::import_files(data));
