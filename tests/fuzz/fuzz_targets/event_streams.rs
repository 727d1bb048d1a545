//! SelectObjectContent's event stream: byte 0 sets the chunk size, the rest
//! is the body, read by `event_stream::Decoder` in chunks and by
//! `parse_response` whole (see `s3_api_fuzz::read_event_stream`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3_api_fuzz::event_streams(data);
});
