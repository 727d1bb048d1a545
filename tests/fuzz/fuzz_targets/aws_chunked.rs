//! The `aws-chunked` body decoder on hostile bodies: byte 0 sets the size
//! limit and which chunk signatures are accepted; see
//! `s3_api_fuzz::decode_chunked`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3_api_fuzz::aws_chunked(data);
});
