//! A pack, archive or single file with its manifest, that anyone may have changed, verified.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qbank_fuzzing::verify_pack(data));
