//! The generated router and `serve` on hostile requests: byte 0 bit 7 picks
//! raw HTTP/1.1 or a structured request description; see
//! `s3_api_fuzz::route`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3_api_fuzz::router(data);
});
