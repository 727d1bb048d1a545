//! `from_http_request` of every operation input: the first byte picks the
//! operation (low three bits, 7 = all) and whether the rest is raw HTTP/1.1
//! or a structured request description (bit 7); see `s3_api_fuzz::serve`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3_api_fuzz::server_requests(data);
});
