//! Any bytes through the import's reader: encoding and delimiter detection, the header, every
//! record and every cell's conversion. It must never panic or grow without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = herald_core::imports::parse_for_fuzzing(data);
});
