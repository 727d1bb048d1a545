//! `from_xml` of the model's structures and unions, and `parse_response`
//! of a 200 listing and of error documents: the first byte picks the
//! reader (see `s3_api_fuzz::XML_READERS`), the rest is the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    s3_api_fuzz::xml_readers(data);
});
