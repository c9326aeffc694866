#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| escalade_fuzz::timeline_yaml(data));
