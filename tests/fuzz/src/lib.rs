//! The fuzz harness: what the cargo-fuzz targets in `fuzz_targets/` run, and
//! what `tests/fuzz_regressions.rs` runs again on kept inputs.
//!
//! This file is both the library of the `s3-api-fuzz` crate and, through
//! `#[path]`, a module of the `fuzz_regressions` test, so it depends only on
//! `s3-api` and `http` and never on libFuzzer.
//!
//! The property under test: hostile bytes never make the readers panic,
//! overflow the stack or allocate without bound. Every entry point returns
//! the reader's verdict as `Result<(), String>` (the error's `Display`), so
//! that a regression test can also check the expected error.

use s3_api::Operation;
use s3_api::error::ErrorMetadata;
use s3_api::event_stream::{self, Decoder, Event, HeaderValue};
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketRequest};
use s3_api::operation::delete_bucket::DeleteBucketRequest;
use s3_api::operation::delete_bucket_analytics_configuration::DeleteBucketAnalyticsConfigurationRequest;
use s3_api::operation::get_bucket_analytics_configuration::{
    GetBucketAnalyticsConfiguration, GetBucketAnalyticsConfigurationOutput,
    GetBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::head_bucket::{HeadBucket, HeadBucketRequest};
use s3_api::operation::list_bucket_analytics_configurations::{
    ListBucketAnalyticsConfigurations, ListBucketAnalyticsConfigurationsError,
    ListBucketAnalyticsConfigurationsOutput, ListBucketAnalyticsConfigurationsRequest,
};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::select_object_content::SelectObjectContent;
use s3_api::types::SelectObjectContentEventStream;
use s3_api::types::{
    AccessDenied, AnalyticsAndOperator, AnalyticsConfiguration, AnalyticsExportDestination,
    AnalyticsFilter, AnalyticsS3BucketDestination, AnalyticsS3ExportFileFormat, BucketCannedACL,
    BucketInfo, BucketLocationConstraint, BucketType, CreateBucketConfiguration, DataRedundancy,
    LocationInfo, LocationType, NoSuchBucket, ObjectOwnership, StorageClassAnalysis,
    StorageClassAnalysisDataExport, StorageClassAnalysisSchemaVersion, Tag,
};
use s3_api::{Input, Output, XmlDocument};

// ---------------------------------------------------------------------------
// xml_readers
// ---------------------------------------------------------------------------

/// The readers of the `xml_readers` target, in selector order: the first
/// byte of the input, modulo the length of this list, picks one, and the
/// rest of the input is the body it reads.
pub const XML_READERS: &[&str] = &[
    "AnalyticsConfiguration::from_xml",
    "AnalyticsFilter::from_xml",
    "ListBucketAnalyticsConfigurations::parse_response (200)",
    "CreateBucketConfiguration::from_xml",
    "ListBucketAnalyticsConfigurations::parse_response (403, error document)",
    "GetBucketAnalyticsConfiguration::parse_response (200)",
    "AnalyticsAndOperator::from_xml",
    "AnalyticsExportDestination::from_xml",
    "AnalyticsS3BucketDestination::from_xml",
    "BucketInfo::from_xml",
    "LocationInfo::from_xml",
    "StorageClassAnalysis::from_xml",
    "StorageClassAnalysisDataExport::from_xml",
    "Tag::from_xml",
    "PutBucketAnalyticsConfiguration::parse_response (403, error document)",
    "CreateBucket::parse_response (409, error document)",
    "GetBucketAnalyticsConfiguration::parse_response (404, error document)",
    "HeadBucket::parse_response (403, error document)",
];

/// Index into [`XML_READERS`] of each reader, for seeds and tests.
pub mod xml_reader {
    pub const ANALYTICS_CONFIGURATION: u8 = 0;
    pub const ANALYTICS_FILTER: u8 = 1;
    pub const LIST_200: u8 = 2;
    pub const CREATE_BUCKET_CONFIGURATION: u8 = 3;
    pub const LIST_403: u8 = 4;
    pub const GET_200: u8 = 5;
    pub const ANALYTICS_AND_OPERATOR: u8 = 6;
    pub const ANALYTICS_EXPORT_DESTINATION: u8 = 7;
    pub const ANALYTICS_S3_BUCKET_DESTINATION: u8 = 8;
    pub const BUCKET_INFO: u8 = 9;
    pub const LOCATION_INFO: u8 = 10;
    pub const STORAGE_CLASS_ANALYSIS: u8 = 11;
    pub const STORAGE_CLASS_ANALYSIS_DATA_EXPORT: u8 = 12;
    pub const TAG: u8 = 13;
    pub const PUT_403: u8 = 14;
    pub const CREATE_409: u8 = 15;
    pub const GET_404: u8 = 16;
    pub const HEAD_403: u8 = 17;
}

/// The `xml_readers` fuzz target: the first byte picks the reader, the
/// rest is the body.
pub fn xml_readers(data: &[u8]) {
    if let Some((&selector, body)) = data.split_first() {
        let _ = read_xml(selector, body);
    }
}

/// Reads `body` with the reader `selector` picks (modulo the number of
/// readers). A value that was read is written again (`to_xml`, or the
/// server's `build_response` / `build_error_response`), which must not
/// panic either; whether that succeeds is not checked.
pub fn read_xml(selector: u8, body: &[u8]) -> Result<(), String> {
    use xml_reader as r;
    let reader = selector % XML_READERS.len() as u8;
    match reader {
        r::ANALYTICS_CONFIGURATION => {
            from_xml(body, AnalyticsConfiguration::from_xml, |v| v.to_xml())
        }
        r::ANALYTICS_FILTER => from_xml(body, AnalyticsFilter::from_xml, |v| v.to_xml()),
        r::LIST_200 => response::<ListBucketAnalyticsConfigurations>(200, body),
        r::CREATE_BUCKET_CONFIGURATION => {
            from_xml(body, CreateBucketConfiguration::from_xml, |v| v.to_xml())
        }
        r::LIST_403 => response::<ListBucketAnalyticsConfigurations>(403, body),
        r::GET_200 => response::<GetBucketAnalyticsConfiguration>(200, body),
        r::ANALYTICS_AND_OPERATOR => from_xml(body, AnalyticsAndOperator::from_xml, |v| v.to_xml()),
        r::ANALYTICS_EXPORT_DESTINATION => {
            from_xml(body, AnalyticsExportDestination::from_xml, |v| v.to_xml())
        }
        r::ANALYTICS_S3_BUCKET_DESTINATION => {
            from_xml(body, AnalyticsS3BucketDestination::from_xml, |v| v.to_xml())
        }
        r::BUCKET_INFO => from_xml(body, BucketInfo::from_xml, |v| v.to_xml()),
        r::LOCATION_INFO => from_xml(body, LocationInfo::from_xml, |v| v.to_xml()),
        r::STORAGE_CLASS_ANALYSIS => from_xml(body, StorageClassAnalysis::from_xml, |v| v.to_xml()),
        r::STORAGE_CLASS_ANALYSIS_DATA_EXPORT => {
            from_xml(body, StorageClassAnalysisDataExport::from_xml, |v| {
                v.to_xml()
            })
        }
        r::TAG => from_xml(body, Tag::from_xml, |v| v.to_xml()),
        r::PUT_403 => response::<PutBucketAnalyticsConfiguration>(403, body),
        r::CREATE_409 => response::<CreateBucket>(409, body),
        r::GET_404 => response::<GetBucketAnalyticsConfiguration>(404, body),
        _ => response::<HeadBucket>(403, body),
    }
}

fn from_xml<T, E: std::fmt::Display, W>(
    body: &[u8],
    read: impl FnOnce(&[u8]) -> Result<T, E>,
    write: impl FnOnce(&T) -> W,
) -> Result<(), String> {
    let value = read(body).map_err(|e| e.to_string())?;
    let _ = write(&value);
    Ok(())
}

/// `parse_response` of `O` for a response with `status` and `body` (and no
/// headers); an error response is also written back with
/// `build_error_response`.
fn response<O: Operation>(status: u16, body: &[u8]) -> Result<(), String> {
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status).expect("a valid status");
    match O::parse_response(&response) {
        Ok(output) => {
            let _ = O::build_response(&output);
            Ok(())
        }
        Err(error) => {
            let _ = O::build_error_response(&error);
            Err(chain(&error))
        }
    }
}

/// An error and its sources, joined with `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

// ---------------------------------------------------------------------------
// event_streams
// ---------------------------------------------------------------------------

/// The `event_streams` fuzz target: SelectObjectContent's event stream.
pub fn event_streams(data: &[u8]) {
    let _ = read_event_stream(data);
}

/// Byte 0 sets the chunk size (byte + 1) in which the rest, the body, is fed
/// to an `event_stream::Decoder`; `parse_response` reads the whole body too
/// and must agree. Every event read is written again as a message, which
/// must read back as the same event. Returns the number of events.
pub fn read_event_stream(data: &[u8]) -> Result<usize, String> {
    let Some((&chunk, body)) = data.split_first() else {
        return Ok(0);
    };
    let whole = response::<SelectObjectContent>(200, body);
    let mut decoder = Decoder::<SelectObjectContentEventStream>::new();
    let mut events = 0;
    let mut result = Ok(());
    'chunks: for piece in body.chunks(usize::from(chunk) + 1) {
        decoder.push(piece);
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => {
                    events += 1;
                    if let Ok(message) = event.to_message() {
                        let mut bytes = Vec::new();
                        if message.encode_into(&mut bytes).is_ok() {
                            let back =
                                event_stream::decode_all::<SelectObjectContentEventStream>(&bytes)
                                    .expect("a message the crate wrote reads back");
                            assert_eq!(back, [event], "the event reads back the same");
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    result = Err(e.to_string());
                    break 'chunks;
                }
            }
        }
    }
    if result.is_ok() {
        result = decoder.finish().map_err(|e| e.to_string());
    }
    assert_eq!(
        whole.is_ok(),
        result.is_ok(),
        "parse_response and the decoder disagree: {whole:?} / {result:?}"
    );
    result.map(|()| events)
}

/// Seeds of `event_streams`: the stream the server side writes for every
/// kind of event, and one laid out as S3 lays it out (header order, an XML
/// declaration in the payload), each in one chunk and in small chunks.
pub fn event_stream_seeds() -> Vec<(String, Vec<u8>)> {
    use s3_api::operation::select_object_content::SelectObjectContentOutput;
    use s3_api::types::{
        ContinuationEvent, EndEvent, Progress, ProgressEvent, RecordsEvent, Stats, StatsEvent,
    };
    type Ev = SelectObjectContentEventStream;
    let counts = Stats::default()
        .with_bytes_scanned(4096)
        .with_bytes_processed(4000)
        .with_bytes_returned(27);
    let written = SelectObjectContentOutput::default()
        .with_payload(vec![
            Ev::Records(
                RecordsEvent::default().with_payload(b"1,caf\xc3\xa9\n2,\x00\xff\n".to_vec()),
            ),
            Ev::Cont(ContinuationEvent::default()),
            Ev::Progress(
                ProgressEvent::default().with_details(
                    Progress::default()
                        .with_bytes_scanned(1024)
                        .with_bytes_processed(1000)
                        .with_bytes_returned(13),
                ),
            ),
            Ev::Stats(StatsEvent::default().with_details(counts)),
            Ev::End(EndEvent::default()),
        ])
        .to_http_response()
        .expect("the seed events are written")
        .into_body();
    let mut s3 = Vec::new();
    for (event_type, content_type, payload) in [
        ("Records", Some("application/octet-stream"), &b"a,b\n"[..]),
        (
            "Stats",
            Some("text/xml"),
            &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Stats xmlns=\"\"><BytesScanned>9</BytesScanned></Stats>"[..],
        ),
        ("End", None, &b""[..]),
    ] {
        let mut m = event_stream::Message::default();
        m.push_header(":event-type", HeaderValue::String(event_type.into()));
        if let Some(ct) = content_type {
            m.push_header(":content-type", HeaderValue::String(ct.into()));
        }
        m.push_header(":message-type", HeaderValue::String("event".into()));
        m.payload = payload.to_vec();
        m.encode_into(&mut s3).expect("a small message");
    }
    let mut seeds = Vec::new();
    for (name, body) in [("written", written), ("s3-layout", s3)] {
        for (suffix, chunk) in [("whole", 255u8), ("chunks-of-3", 2)] {
            let mut input = vec![chunk];
            input.extend_from_slice(&body);
            seeds.push((format!("{name}-{suffix}"), input));
        }
    }
    seeds
}

// ---------------------------------------------------------------------------
// server_requests
// ---------------------------------------------------------------------------

/// The operations of the `server_requests` target, in selector order; the
/// low three bits of the first byte pick one, and 7 means all of them.
pub const OPERATIONS: &[&str] = &[
    "CreateBucket",
    "DeleteBucket",
    "DeleteBucketAnalyticsConfiguration",
    "GetBucketAnalyticsConfiguration",
    "HeadBucket",
    "ListBucketAnalyticsConfigurations",
    "PutBucketAnalyticsConfiguration",
];

/// The selector value that feeds the request to every operation.
pub const ALL_OPERATIONS: u8 = 7;
/// The selector bit that reads the rest of the input as a structured
/// request description ([`structured_request`]) instead of raw HTTP/1.1
/// ([`raw_request`]).
pub const STRUCTURED: u8 = 0x80;

/// The `server_requests` fuzz target. The first byte is the selector: its
/// low three bits pick the operation (7: all of them), and bit 7 picks how
/// the rest is read into a request.
pub fn server_requests(data: &[u8]) {
    if let Some((&selector, rest)) = data.split_first() {
        let _ = serve(selector, rest);
    }
}

/// Reads `rest` into a request as the selector says and feeds it to the
/// operation(s). Returns `None` when the bytes make no request, otherwise
/// the result of each `from_http_request` called, in [`OPERATIONS`] order.
pub fn serve(selector: u8, rest: &[u8]) -> Option<Vec<Result<(), String>>> {
    let request = if selector & STRUCTURED == 0 {
        raw_request(rest)?
    } else {
        structured_request(rest)?
    };
    Some(from_http_request(selector & 0x07, &request))
}

/// Calls `from_http_request` of operation `op` (an index into
/// [`OPERATIONS`], or [`ALL_OPERATIONS`]). An input that was read is built
/// into a request again (`to_http_request`), which must not panic either.
pub fn from_http_request(op: u8, request: &http::Request<Vec<u8>>) -> Vec<Result<(), String>> {
    macro_rules! read {
        ($input:ty) => {
            match <$input>::from_http_request(request) {
                Ok(input) => {
                    let _ = input.to_http_request();
                    Ok(())
                }
                Err(error) => Err(error.to_string()),
            }
        };
    }
    let mut results = Vec::new();
    for index in 0..OPERATIONS.len() as u8 {
        if op != ALL_OPERATIONS && op != index {
            continue;
        }
        results.push(match index {
            0 => read!(CreateBucketRequest),
            1 => read!(DeleteBucketRequest),
            2 => read!(DeleteBucketAnalyticsConfigurationRequest),
            3 => read!(GetBucketAnalyticsConfigurationRequest),
            4 => read!(HeadBucketRequest),
            5 => read!(ListBucketAnalyticsConfigurationsRequest),
            _ => read!(PutBucketAnalyticsConfigurationRequest),
        });
    }
    results
}

/// Reads raw HTTP/1.1 request bytes, tolerantly: the request line is
/// `METHOD TARGET [VERSION]`, header lines are `name: value` (lines that are
/// not valid headers are skipped), lines end with `\r\n` or `\n`, and
/// everything after the first empty line is the body (`content-length` is
/// not enforced). A target that `http::Uri` rejects is tried again with
/// its bytes outside visible ASCII percent-encoded. Returns `None` when
/// there is no request line, the method is not a token or the target
/// still cannot be read.
pub fn raw_request(bytes: &[u8]) -> Option<http::Request<Vec<u8>>> {
    let (head, body) = split_head(bytes);
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let request_line = lines.next()?;
    let mut parts = request_line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = http::Method::from_bytes(parts.next()?).ok()?;
    let target = parts.next().unwrap_or(b"/");
    let uri = uri(target)?;
    let mut request = http::Request::new(body.to_vec());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.trim_ascii();
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.trim_ascii()),
            http::HeaderValue::from_bytes(value),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    Some(request)
}

/// Splits a request at the first empty line (`\r\n\r\n` or `\n\n`).
fn split_head(bytes: &[u8]) -> (&[u8], &[u8]) {
    let crlf = find(bytes, b"\r\n\r\n").map(|at| (at, 4));
    let lf = find(bytes, b"\n\n").map(|at| (at, 2));
    let split = match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match split {
        Some((at, len)) => (&bytes[..at], &bytes[at + len..]),
        None => (bytes, &[]),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// An `http::Uri` from request-target bytes, percent-encoding what it
/// rejects on a second try.
fn uri(target: &[u8]) -> Option<http::Uri> {
    if let Ok(uri) = http::Uri::try_from(target) {
        return Some(uri);
    }
    let mut encoded = Vec::with_capacity(target.len() * 3);
    for &byte in target {
        if byte.is_ascii_graphic()
            && !matches!(
                byte,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
        {
            encoded.push(byte);
        } else {
            encoded.extend_from_slice(format!("%{byte:02X}").as_bytes());
        }
    }
    http::Uri::try_from(encoded).ok()
}

/// Path segments, query keys and values, header names and values that the
/// structured mode picks from: the ones the operations read, plus tricky
/// escapes and look-alikes.
const SEGMENTS: &[&str] = &[
    "amzn-s3-demo-bucket",
    "",
    "b",
    "%",
    "%2",
    "%2F",
    "%zz",
    "%C3%A9",
    "%C3",
    "%FF",
    "a%00b",
    ".",
    "..",
    "~",
    "%2e%2e",
    "bucket%20name",
    "?",
    "%3F",
    "%25",
];
const QUERY_KEYS: &[&str] = &[
    "analytics",
    "id",
    "x-id",
    "continuation-token",
    "list-type",
    "",
    "%",
    "analytics%",
    "%61nalytics",
    "ID",
    "x-id%00",
    "%E2%9C%93",
];
const QUERY_VALUES: &[&str] = &[
    "",
    "report1",
    "GetBucketAnalyticsConfiguration",
    "ListBucketAnalyticsConfigurations",
    "%",
    "%zz",
    "%C3",
    "%C3%A9",
    "a+b",
    "a%20b",
    "%00",
    "=",
    "==",
];
const HEADER_NAMES: &[&str] = &[
    "x-amz-expected-bucket-owner",
    "x-amz-acl",
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
    "x-amz-bucket-object-lock-enabled",
    "x-amz-object-ownership",
    "x-amz-bucket-namespace",
    "content-type",
    "content-length",
    "content-md5",
    "host",
    "x-amz-content-sha256",
];
const HEADER_VALUES: &[&[u8]] = &[
    b"",
    b"123456789012",
    b"true",
    b"false",
    b"TRUE",
    b"1",
    b"private",
    b"public-read",
    b"BucketOwnerEnforced",
    b"account-regional",
    b"application/xml",
    b"caf\xC3\xA9",
    b"\x80\xFF",
    b"a\tb",
    b"id=\"x\", uri=\"y\"",
];
const METHODS: &[&str] = &["GET", "PUT", "HEAD", "DELETE", "POST", "PATCH", "OPTIONS"];

/// Bytes read one decision at a time; reads past the end give zeros.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(len.min(self.0.len()));
        self.0 = rest;
        head
    }
    /// A string from `table`, or (for selectors past its end) raw bytes of
    /// the input, lossily made UTF-8.
    fn text(&mut self, table: &[&str]) -> String {
        let choice = usize::from(self.byte());
        match table.get(choice) {
            Some(text) => (*text).to_owned(),
            None => {
                let len = usize::from(self.byte() % 32);
                String::from_utf8_lossy(self.take(len)).into_owned()
            }
        }
    }
}

/// Builds a request from a description in bytes: method, path segments,
/// trailing slash, query parameters, headers, and the rest as the body.
/// Each value is picked from a table of meaningful strings or taken raw
/// from the input; the path and query are percent-encoded as `http::Uri`
/// needs only where they would not parse. Returns `None` only when the
/// request cannot be made into an `http::Request` at all.
pub fn structured_request(bytes: &[u8]) -> Option<http::Request<Vec<u8>>> {
    let mut b = Bytes(bytes);
    let method_choice = usize::from(b.byte());
    let method = match METHODS.get(method_choice % 16) {
        Some(m) => http::Method::from_bytes(m.as_bytes()).ok()?,
        None => {
            let len = usize::from(b.byte() % 12);
            http::Method::from_bytes(b.take(len)).ok()?
        }
    };
    let shape = b.byte();
    let mut target = String::new();
    for _ in 0..(shape % 4) {
        target.push('/');
        target.push_str(&b.text(SEGMENTS));
    }
    if target.is_empty() || shape & 0x10 != 0 {
        target.push('/');
    }
    let params = (shape >> 2) % 4 + (shape >> 6);
    for index in 0..params {
        target.push(if index == 0 { '?' } else { '&' });
        target.push_str(&b.text(QUERY_KEYS));
        let value_choice = b.byte();
        if value_choice & 1 == 1 {
            target.push('=');
            target.push_str(&b.text(QUERY_VALUES));
        }
    }
    let uri = uri(target.as_bytes())?;
    let headers = b.byte() % 8;
    let mut request = http::Request::new(Vec::new());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for _ in 0..headers {
        let name = b.text(HEADER_NAMES);
        let value_choice = usize::from(b.byte());
        let value: &[u8] = match HEADER_VALUES.get(value_choice) {
            Some(value) => value,
            None => {
                let len = usize::from(b.byte() % 32);
                b.take(len)
            }
        };
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_bytes(value),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    *request.body_mut() = b.0.to_vec();
    Some(request)
}

// ---------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------

const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn full_config(id: &str) -> AnalyticsConfiguration {
    AnalyticsConfiguration::new(
        id,
        StorageClassAnalysis::default().with_data_export(StorageClassAnalysisDataExport::new(
            StorageClassAnalysisSchemaVersion::V1,
            AnalyticsExportDestination::new(
                AnalyticsS3BucketDestination::new(
                    AnalyticsS3ExportFileFormat::Csv,
                    "arn:aws:s3:::amzn-s3-demo-destination-bucket",
                )
                .with_bucket_account_id("123456789012")
                .with_prefix("analytics-out/ <&> \"é\"\r\n"),
            ),
        )),
    )
    .with_filter(AnalyticsFilter::And(
        AnalyticsAndOperator::default()
            .with_prefix("logs/")
            .with_tags(vec![Tag::new("env", "prod"), Tag::new("team", "data")]),
    ))
}

fn create_bucket_configuration() -> CreateBucketConfiguration {
    CreateBucketConfiguration::default()
        .with_location_constraint(BucketLocationConstraint::EuWest1)
        .with_location(
            LocationInfo::default()
                .with_type(LocationType::AvailabilityZone)
                .with_name("usw2-az1"),
        )
        .with_bucket(
            BucketInfo::default()
                .with_type(BucketType::Directory)
                .with_data_redundancy(DataRedundancy::SingleAvailabilityZone),
        )
        .with_tags(vec![Tag::new("k", "v"), Tag::new("k2", "")])
}

fn meta(code: &str, status: u16) -> ErrorMetadata {
    ErrorMetadata {
        code: Some(code.to_owned()),
        message: Some(format!("{code}: <&> \"quoted\" \r\n tab\t é")),
        request_id: Some("4442587FB7D0A2F9".to_owned()),
        host_id: Some("Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==".to_owned()),
        status,
    }
}

fn seed(selector: u8, body: impl AsRef<[u8]>) -> Vec<u8> {
    let mut out = vec![selector];
    out.extend_from_slice(body.as_ref());
    out
}

/// The body of a `*.expected.http` wire file (after the first empty line).
pub fn http_body(text: &[u8]) -> &[u8] {
    split_head(text).1
}

/// Seeds of the `xml_readers` corpus, `(name, input)`: small valid
/// documents written by the crate itself (`to_xml`, `build_response`,
/// `build_error_response`) for every reader, plus hand-written forms the
/// writers never produce (declaration, comments, CDATA, prefixes,
/// references, the wrapped error form). `wire_bodies` are request bodies
/// of the golden wire examples (`../shared/wire`).
pub fn xml_seeds(wire_bodies: &[Vec<u8>]) -> Vec<(String, Vec<u8>)> {
    use xml_reader as r;
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |name: &str, selector: u8, body: &[u8]| {
        seeds.push((format!("{selector:02}-{name}"), seed(selector, body)));
    };
    let full = full_config("full-config");
    let minimal = AnalyticsConfiguration::new("report1", StorageClassAnalysis::default());
    add(
        "full",
        r::ANALYTICS_CONFIGURATION,
        full.to_xml().unwrap().as_bytes(),
    );
    add(
        "minimal",
        r::ANALYTICS_CONFIGURATION,
        minimal.to_xml().unwrap().as_bytes(),
    );
    for (index, body) in wire_bodies.iter().enumerate() {
        add(&format!("wire{index}"), r::ANALYTICS_CONFIGURATION, body);
        add(&format!("wire{index}"), r::GET_200, body);
    }
    add(
        "hand",
        r::ANALYTICS_CONFIGURATION,
        format!(
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- c --><s3:AnalyticsConfiguration xmlns:s3=\"{NS}\" a='&lt;&#x41;&#65;'>\
             <s3:Id><![CDATA[x<y]]>&amp;&#xD;z</s3:Id><Unknown><a/><b>t</b></Unknown><?pi x?>\
             <Filter><Prefix>p</Prefix></Filter><StorageClassAnalysis></StorageClassAnalysis></s3:AnalyticsConfiguration>\n"
        )
        .as_bytes(),
    );
    for (name, filter) in [
        ("prefix", AnalyticsFilter::Prefix("logs/".into())),
        ("tag", AnalyticsFilter::Tag(Tag::new("env", "prod"))),
        ("and", full.filter.clone().unwrap()),
    ] {
        add(
            name,
            r::ANALYTICS_FILTER,
            filter.to_xml().unwrap().as_bytes(),
        );
    }
    let list = ListBucketAnalyticsConfigurationsOutput::default()
        .with_is_truncated(true)
        .with_continuation_token("tok")
        .with_next_continuation_token("next")
        .with_analytics_configuration_list(vec![minimal.clone(), full.clone()]);
    add(
        "list",
        r::LIST_200,
        ListBucketAnalyticsConfigurations::build_response(&list)
            .unwrap()
            .body(),
    );
    let empty_list = ListBucketAnalyticsConfigurationsOutput::default().with_is_truncated(false);
    add(
        "list-empty",
        r::LIST_200,
        ListBucketAnalyticsConfigurations::build_response(&empty_list)
            .unwrap()
            .body(),
    );
    let get =
        GetBucketAnalyticsConfigurationOutput::default().with_analytics_configuration(full.clone());
    add(
        "get",
        r::GET_200,
        GetBucketAnalyticsConfiguration::build_response(&get)
            .unwrap()
            .body(),
    );
    add(
        "full",
        r::CREATE_BUCKET_CONFIGURATION,
        create_bucket_configuration().to_xml().unwrap().as_bytes(),
    );
    add(
        "minimal",
        r::CREATE_BUCKET_CONFIGURATION,
        format!("<CreateBucketConfiguration xmlns=\"{NS}\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>").as_bytes(),
    );
    let and = AnalyticsAndOperator::default()
        .with_prefix("p")
        .with_tags(vec![Tag::new("a", "b")]);
    add(
        "full",
        r::ANALYTICS_AND_OPERATOR,
        and.to_xml().unwrap().as_bytes(),
    );
    let export = full.storage_class_analysis.data_export.clone().unwrap();
    add(
        "full",
        r::ANALYTICS_EXPORT_DESTINATION,
        export.destination.to_xml().unwrap().as_bytes(),
    );
    add(
        "full",
        r::ANALYTICS_S3_BUCKET_DESTINATION,
        export
            .destination
            .s3_bucket_destination
            .to_xml()
            .unwrap()
            .as_bytes(),
    );
    let config = create_bucket_configuration();
    add(
        "full",
        r::BUCKET_INFO,
        config.bucket.clone().unwrap().to_xml().unwrap().as_bytes(),
    );
    add(
        "full",
        r::LOCATION_INFO,
        config
            .location
            .clone()
            .unwrap()
            .to_xml()
            .unwrap()
            .as_bytes(),
    );
    add(
        "full",
        r::STORAGE_CLASS_ANALYSIS,
        full.storage_class_analysis.to_xml().unwrap().as_bytes(),
    );
    add(
        "full",
        r::STORAGE_CLASS_ANALYSIS_DATA_EXPORT,
        export.to_xml().unwrap().as_bytes(),
    );
    add(
        "full",
        r::TAG,
        Tag::new("k", "v & w").to_xml().unwrap().as_bytes(),
    );
    // Error documents, bare and wrapped.
    let no_such_bucket = ListBucketAnalyticsConfigurationsError::NoSuchBucket(
        NoSuchBucket::default().with_meta(meta("NoSuchBucket", 404)),
    );
    let bare = ListBucketAnalyticsConfigurations::build_error_response(&no_such_bucket);
    let access_denied = AccessDenied::default()
        .with_meta(meta("AccessDenied", 403))
        .to_http_response();
    let wrapped = format!(
        "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"{NS}\"><Error><Type>Sender</Type><Code>AccessDenied</Code>\
         <Message>m &amp; &#x1F600;</Message></Error><RequestId>r</RequestId><HostId>h</HostId></ErrorResponse>"
    );
    for selector in [
        r::LIST_403,
        r::PUT_403,
        r::CREATE_409,
        r::GET_404,
        r::HEAD_403,
    ] {
        add("bare", selector, bare.body());
        add("access-denied", selector, access_denied.body());
        add("wrapped", selector, wrapped.as_bytes());
    }
    // An error document in a 200 response.
    add("error-in-200", r::LIST_200, access_denied.body());
    // Hostile shapes: nesting one past the depth limit inside a skipped
    // element, and a long listing.
    let deep = |depth: usize| format!("{}{}", "<u>".repeat(depth), "</u>".repeat(depth));
    add(
        "hostile-deep",
        r::ANALYTICS_CONFIGURATION,
        format!(
            "<AnalyticsConfiguration><Id>x</Id>{}<StorageClassAnalysis/></AnalyticsConfiguration>",
            deep(64)
        )
        .as_bytes(),
    );
    add(
        "hostile-deep",
        r::LIST_403,
        format!("<Error><Code>C</Code>{}</Error>", deep(64)).as_bytes(),
    );
    let long = ListBucketAnalyticsConfigurationsOutput::default()
        .with_analytics_configuration_list(vec![full.clone(); 500]);
    add(
        "long",
        r::LIST_200,
        ListBucketAnalyticsConfigurations::build_response(&long)
            .unwrap()
            .body(),
    );
    seeds
}

/// `http::Request` as raw HTTP/1.1 bytes (request line, headers, empty
/// line, body), the format [`raw_request`] reads.
pub fn to_raw(request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let mut out = format!("{} {} HTTP/1.1\r\n", request.method(), request.uri()).into_bytes();
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(request.body());
    out
}

/// Seeds of the `server_requests` corpus, `(name, input)`: the requests the
/// crate's own client builds (`to_http_request`) for every operation, each
/// for its operation and for all operations, a few structured-mode inputs,
/// and `wire_requests`, the golden wire examples' `.expected.http` files
/// (PutBucketAnalyticsConfiguration).
pub fn request_seeds(wire_requests: &[Vec<u8>]) -> Vec<(String, Vec<u8>)> {
    let bucket = "amzn-s3-demo-bucket";
    let requests: Vec<(&str, u8, http::Request<Vec<u8>>)> = vec![
        (
            "create-minimal",
            0,
            CreateBucketRequest::new(bucket).to_http_request().unwrap(),
        ),
        (
            "create-full",
            0,
            CreateBucketRequest::new(bucket)
                .with_acl(BucketCannedACL::Private)
                .with_create_bucket_configuration(create_bucket_configuration())
                .with_grant_full_control("id=\"a\"")
                .with_grant_read("uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"")
                .with_grant_read_acp("id=\"b\"")
                .with_grant_write("id=\"c\"")
                .with_grant_write_acp("id=\"d\"")
                .with_object_lock_enabled_for_bucket(true)
                .with_object_ownership(ObjectOwnership::BucketOwnerEnforced)
                .to_http_request()
                .unwrap(),
        ),
        (
            "delete",
            1,
            DeleteBucketRequest::new(bucket)
                .with_expected_bucket_owner("123456789012")
                .to_http_request()
                .unwrap(),
        ),
        (
            "delete-analytics",
            2,
            DeleteBucketAnalyticsConfigurationRequest::new(bucket, "report1")
                .to_http_request()
                .unwrap(),
        ),
        (
            "get-analytics",
            3,
            GetBucketAnalyticsConfigurationRequest::new(bucket, "a b+c/d?e&f=g#h%i")
                .with_expected_bucket_owner("123456789012")
                .to_http_request()
                .unwrap(),
        ),
        (
            "head",
            4,
            HeadBucketRequest::new("bucket.with.dots")
                .to_http_request()
                .unwrap(),
        ),
        (
            "list",
            5,
            ListBucketAnalyticsConfigurationsRequest::new(bucket)
                .with_continuation_token("ünïcödé ✓")
                .to_http_request()
                .unwrap(),
        ),
        (
            "put-full",
            6,
            PutBucketAnalyticsConfigurationRequest::new(
                bucket,
                "full-config",
                full_config("full-config"),
            )
            .with_expected_bucket_owner("123456789012")
            .to_http_request()
            .unwrap(),
        ),
        (
            "put-minimal",
            6,
            PutBucketAnalyticsConfigurationRequest::new(
                bucket,
                "report1",
                AnalyticsConfiguration::new("report1", StorageClassAnalysis::default()),
            )
            .to_http_request()
            .unwrap(),
        ),
    ];
    let mut seeds = Vec::new();
    for (name, op, request) in &requests {
        let raw = to_raw(request);
        seeds.push((format!("raw-{name}"), seed(*op, &raw)));
        seeds.push((format!("raw-all-{name}"), seed(ALL_OPERATIONS, &raw)));
    }
    for (index, wire) in wire_requests.iter().enumerate() {
        seeds.push((format!("wire{index}"), seed(6, wire)));
        seeds.push((format!("wire{index}-all"), seed(ALL_OPERATIONS, wire)));
    }
    // Structured mode: method index, shape (segments, trailing slash,
    // parameters), segment, parameters, header count, headers, body.
    // PUT /amzn-s3-demo-bucket?analytics&id=report1 with a body.
    let mut put = vec![
        STRUCTURED | 6,
        1,
        0x01 | (2 << 2),
        0,
        0,
        0,
        1,
        1,
        1,
        1,
        0,
        1,
    ];
    put.extend_from_slice(format!("<AnalyticsConfiguration xmlns=\"{NS}\"><Id>report1</Id><StorageClassAnalysis/></AnalyticsConfiguration>").as_bytes());
    seeds.push(("structured-put".to_owned(), put));
    // GET /amzn-s3-demo-bucket?analytics&x-id=GetBucketAnalyticsConfiguration&id=report1.
    let get = vec![
        STRUCTURED | ALL_OPERATIONS,
        0,
        0x01 | (3 << 2),
        0,
        0,
        0,
        2,
        1,
        2,
        1,
        1,
        1,
        1,
        0,
        1,
    ];
    seeds.push(("structured-get".to_owned(), get));
    // PUT /b/ with every CreateBucket header.
    let mut create = vec![STRUCTURED, 1, 0x11, 2, 7];
    for (name, value) in [(1u8, 6u8), (7, 2), (8, 8), (9, 9), (0, 1), (2, 14), (3, 14)] {
        create.extend_from_slice(&[name, value]);
    }
    seeds.push(("structured-create".to_owned(), create));
    seeds
}

// ---------------------------------------------------------------------------
// The router and `serve`

/// A service that implements no operation: every routed request is read
/// and answered `NotImplemented`, so routing, reading and error documents
/// all run.
struct Nothing;

impl s3_api::operation::Service for Nothing {}

/// The `router` fuzz target: byte 0 bit 7 picks how the rest is read into a
/// request (as for `server_requests`), which then goes through the
/// generated `serve` with base domain `s3.example.com` (virtual-hosted
/// requests made path-style, routed, read, answered).
pub fn router(data: &[u8]) {
    let _ = route(data);
}

/// The status `serve` answers the request in `data` with; `None` when the
/// bytes make no request.
pub fn route(data: &[u8]) -> Option<u16> {
    static ROUTER: std::sync::OnceLock<Option<s3_api::router::Router>> = std::sync::OnceLock::new();
    let (&selector, rest) = data.split_first()?;
    let request = if selector & STRUCTURED == 0 {
        raw_request(rest)?
    } else {
        structured_request(rest)?
    };
    let router = ROUTER
        .get_or_init(|| {
            s3_api::operation::router()
                .ok()
                .map(|r| r.with_base_domain("s3.example.com"))
        })
        .as_ref()?;
    let ctx = s3_api::server::Context::new("FUZZ");
    let response = s3_api::operation::serve(&Nothing, router, request, &ctx);
    Some(response.status().as_u16())
}

// ---------------------------------------------------------------------------
// aws-chunked bodies

/// The `aws_chunked` fuzz target: byte 0 sets the limit on the decoded size
/// (byte × 257 bytes) and how many chunks carry an accepted signature (low
/// two bits); the rest is the body.
pub fn aws_chunked(data: &[u8]) {
    let _ = decode_chunked(data);
}

/// The decoded length, or the error.
pub fn decode_chunked(data: &[u8]) -> Result<usize, String> {
    let Some((&selector, body)) = data.split_first() else {
        return Err("empty".into());
    };
    let limit = usize::from(selector) * 257;
    let signed = usize::from(selector & 3);
    let decoded = s3_api::aws_chunked::decode(body, limit, |index, _, signature| {
        signature.is_none() || index < signed
    })
    .map_err(|e| format!("{} ({}): {e}", e.code(), e.status()))?;
    if decoded.data.len() > limit {
        panic!(
            "decoded {} bytes past the limit {limit}",
            decoded.data.len()
        );
    }
    Ok(decoded.data.len())
}
