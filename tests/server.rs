//! The server side of the generated `s3-api` crate.
//!
//! - `from_http_request` reads the requests the client builds back into
//!   equal inputs: the golden wire examples (`../shared/wire`, from their
//!   JSON inputs and from their raw `.expected.http` files) and hand-made
//!   inputs.
//! - Hand-written raw requests: percent-decoded labels and query values,
//!   trailing slash, unknown query parameters and headers ignored; a wrong
//!   method, a path that does not match, a missing label, query parameter,
//!   body or required member are errors that name what is missing.
//! - `to_http_response` of outputs and of every error variant is read back
//!   by the client's `parse_response` into the same output or error variant,
//!   members and metadata (code, message, request id, host id, status).
//! - The `wire` example's `parse-request` and `render-response` modes, run
//!   with `cargo run -q -p s3-api --example wire -- …`.
//!
//! The wire examples are read from `$S3_WIRE_DIR`, or else from
//! `<workspace>/../shared/wire`; when absent, those tests print one line and pass.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use s3_api::Operation;
use s3_api::error::{ErrorMetadata, Unhandled};
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketOutput, CreateBucketRequest};
use s3_api::operation::delete_bucket::{DeleteBucket, DeleteBucketOutput, DeleteBucketRequest};
use s3_api::operation::get_bucket_analytics_configuration::{
    GetBucketAnalyticsConfiguration, GetBucketAnalyticsConfigurationError,
    GetBucketAnalyticsConfigurationOutput, GetBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::head_bucket::{
    HeadBucket, HeadBucketError, HeadBucketOutput, HeadBucketRequest,
};
use s3_api::operation::list_bucket_analytics_configurations::{
    ListBucketAnalyticsConfigurations, ListBucketAnalyticsConfigurationsOutput,
    ListBucketAnalyticsConfigurationsRequest,
};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationError,
    PutBucketAnalyticsConfigurationOutput, PutBucketAnalyticsConfigurationRequest,
};
use s3_api::server::RequestError;
use s3_api::types::{
    AccessDenied, AnalyticsAndOperator, AnalyticsConfiguration, AnalyticsExportDestination,
    AnalyticsFilter, AnalyticsS3BucketDestination, AnalyticsS3ExportFileFormat, InvalidArgument,
    NoSuchBucket, NoSuchConfiguration, NotFound, StorageClassAnalysis,
    StorageClassAnalysisDataExport, StorageClassAnalysisSchemaVersion, Tag, TooManyConfigurations,
};
use s3_api::{Input as _, OperationError as _, Output as _, XmlDocument as _};
use serde_json::{Value, json};

const PUT: &str = "PutBucketAnalyticsConfiguration";

type Request = http::Request<Vec<u8>>;
type Response = http::Response<Vec<u8>>;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn wire_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("S3_WIRE_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("server: no wire examples at {}; skipped", dir.display());
        None
    }
}

/// Every `(case name, input JSON, expected HTTP text)` of the
/// `put-bucket-analytics-configuration` wire examples.
fn wire_cases() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let Some(dir) = wire_dir() else {
        return Vec::new();
    };
    let folder = dir.join("put-bucket-analytics-configuration");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(case) = name.strip_suffix(".input.json") else {
            continue;
        };
        let input = std::fs::read(&path).unwrap();
        let expected = std::fs::read(folder.join(format!("{case}.expected.http")))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        cases.push((case.to_owned(), input, expected));
    }
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no wire examples in {}",
        folder.display()
    );
    cases
}

/// Reads the `.expected.http` form (request line, headers, blank line, body;
/// `\n` or `\r\n` line ends) into a request.
fn raw_request(text: &[u8]) -> Request {
    let (head, body) = split_head(text);
    let mut lines = head.lines();
    let request_line = lines.next().expect("a request line");
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap(), parts.next().unwrap());
    let mut builder = http::Request::builder().method(method).uri(target);
    for line in lines {
        let (name, value) = line.split_once(':').expect("a header line");
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(body.to_vec()).unwrap()
}

/// The head (as text, without the blank line) and the body.
fn split_head(text: &[u8]) -> (String, &[u8]) {
    for sep in [&b"\r\n\r\n"[..], &b"\n\n"[..]] {
        if let Some(at) = text.windows(sep.len()).position(|w| w == sep) {
            let head = String::from_utf8(text[..at].to_vec()).unwrap();
            return (head, &text[at + sep.len()..]);
        }
    }
    (String::from_utf8(text.to_vec()).unwrap(), &[])
}

/// A `PUT /bucket?analytics&id=…` request with `query` after the path and `body`.
fn put_request(target: &str, body: &str) -> Request {
    http::Request::builder()
        .method("PUT")
        .uri(target)
        .header("content-type", "application/xml")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

fn minimal_body(id: &str) -> String {
    format!(
        "<AnalyticsConfiguration xmlns=\"{NS}\"><Id>{id}</Id><StorageClassAnalysis/></AnalyticsConfiguration>"
    )
}

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

// ---------------------------------------------------------------------------
// Requests: client → server
// ---------------------------------------------------------------------------

/// Builds the request of `input` with the client, reads it with the server,
/// and checks that the input comes back equal.
#[track_caller]
fn round_trip_request<O: Operation>(input: &O::Input)
where
    O::Input: PartialEq + std::fmt::Debug,
{
    let request = O::build_request(input).expect("the client builds the request");
    let parsed = O::parse_request(&request).unwrap_or_else(|e| {
        panic!(
            "{}: the server cannot read the client's request ({e}): {} {}",
            O::NAME,
            request.method(),
            request.uri()
        )
    });
    assert_eq!(&parsed, input, "{}: {}", O::NAME, request.uri());
}

#[test]
fn wire_examples_read_back_into_their_inputs() {
    for (case, json, expected) in wire_cases() {
        let input: PutBucketAnalyticsConfigurationRequest = serde_json::from_slice(&json).unwrap();
        // The client's request.
        round_trip_request::<PutBucketAnalyticsConfiguration>(&input);
        // The request the real AWS clients send.
        let request = raw_request(&expected);
        let parsed = PutBucketAnalyticsConfigurationRequest::from_http_request(&request)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(parsed, input, "{case}");
    }
}

#[test]
fn javascript_sdk_form_is_read_too() {
    // The JavaScript v3 SDK writes a trailing slash, `analytics=` and an XML declaration.
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}",
        minimal_body("report1")
    );
    let request = put_request("/amzn-s3-demo-bucket/?analytics=&id=report1", &body);
    let parsed = PutBucketAnalyticsConfigurationRequest::from_http_request(&request).unwrap();
    assert_eq!(
        parsed,
        PutBucketAnalyticsConfigurationRequest::new(
            "amzn-s3-demo-bucket",
            "report1",
            AnalyticsConfiguration::new("report1", StorageClassAnalysis::default()),
        )
    );
}

#[test]
fn hand_made_inputs_round_trip() {
    for (bucket, id) in [
        ("amzn-s3-demo-bucket", "report1"),
        ("b", "a b+c/d?e&f=g#h%i"),
        ("bucket.with.dots", "ünïcödé ✓"),
        ("x", "~-._"),
    ] {
        let put = PutBucketAnalyticsConfigurationRequest::new(bucket, id, full_config(id))
            .with_expected_bucket_owner("123456789012");
        round_trip_request::<PutBucketAnalyticsConfiguration>(&put);
        let put = PutBucketAnalyticsConfigurationRequest::new(
            bucket,
            id,
            AnalyticsConfiguration::new(id, StorageClassAnalysis::default()),
        );
        round_trip_request::<PutBucketAnalyticsConfiguration>(&put);
        round_trip_request::<GetBucketAnalyticsConfiguration>(
            &GetBucketAnalyticsConfigurationRequest::new(bucket, id),
        );
        round_trip_request::<ListBucketAnalyticsConfigurations>(
            &ListBucketAnalyticsConfigurationsRequest::new(bucket).with_continuation_token(id),
        );
        round_trip_request::<HeadBucket>(
            &HeadBucketRequest::new(bucket).with_expected_bucket_owner("111122223333"),
        );
        round_trip_request::<DeleteBucket>(&DeleteBucketRequest::new(bucket));
        round_trip_request::<CreateBucket>(&CreateBucketRequest::new(bucket));
    }
}

#[test]
fn labels_and_query_values_are_percent_decoded() {
    let request = put_request(
        "/my%20bucket%2Fwith%2fslash?analytics&id=r%2B1+x%26y%3D&unknown=1&x-id=Other",
        &minimal_body("r"),
    );
    let parsed = PutBucketAnalyticsConfigurationRequest::from_http_request(&request).unwrap();
    assert_eq!(parsed.bucket, "my bucket/with/slash");
    // `+` is not a space here, as in the client's encoding.
    assert_eq!(parsed.id, "r+1+x&y=");
}

#[test]
fn unknown_query_parameters_and_headers_are_ignored() {
    let mut request = put_request(
        "/b?versionId=3&analytics&foo&id=r1&id=ignored-second",
        &minimal_body("r1"),
    );
    request
        .headers_mut()
        .insert("x-amz-unknown", http::HeaderValue::from_static("v"));
    request.headers_mut().insert(
        "x-amz-expected-bucket-owner",
        http::HeaderValue::from_static("123456789012"),
    );
    let parsed = PutBucketAnalyticsConfigurationRequest::from_http_request(&request).unwrap();
    assert_eq!(parsed.id, "r1", "the first of repeated values counts");
    assert_eq!(
        parsed.expected_bucket_owner.as_deref(),
        Some("123456789012")
    );
}

#[track_caller]
fn put_error(target: &str, body: &str) -> RequestError {
    PutBucketAnalyticsConfigurationRequest::from_http_request(&put_request(target, body))
        .expect_err("the request must be rejected")
}

#[test]
fn missing_pieces_are_errors_naming_them() {
    let body = minimal_body("r1");
    let cases: Vec<(&str, String, RequestError, &str)> = vec![
        (
            "/?analytics&id=r1",
            body.clone(),
            RequestError::MissingLabel { member: "Bucket" },
            "Bucket",
        ),
        (
            "/b?id=r1",
            body.clone(),
            RequestError::MissingQuery { name: "analytics" },
            "analytics",
        ),
        (
            "/b?analytics",
            body.clone(),
            RequestError::MissingQuery { name: "id" },
            "`id`",
        ),
        (
            "/b?analytics&id=r1",
            String::new(),
            RequestError::MissingBody,
            "no body",
        ),
        (
            "/b?analytics&id=r1",
            " \n ".to_owned(),
            RequestError::MissingBody,
            "no body",
        ),
    ];
    for (target, body, expected, named) in cases {
        let error = put_error(target, &body);
        assert_eq!(error, expected, "{target} {body:?}");
        assert!(
            error.to_string().contains(named),
            "{target}: `{error}` names {named}"
        );
    }
    // A required member of the body document.
    let error = put_error(
        "/b?analytics&id=r1",
        &format!("<AnalyticsConfiguration xmlns=\"{NS}\"><Id>r1</Id></AnalyticsConfiguration>"),
    );
    assert!(matches!(error, RequestError::Xml(_)), "{error:?}");
    assert!(
        error.to_string().contains("StorageClassAnalysis"),
        "{error}"
    );
    // A required member deeper down.
    let error = put_error(
        "/b?analytics&id=r1",
        &format!(
            "<AnalyticsConfiguration xmlns=\"{NS}\"><Id>r1</Id><Filter><Tag><Key>k</Key></Tag></Filter><StorageClassAnalysis/></AnalyticsConfiguration>"
        ),
    );
    assert!(error.to_string().contains("Value"), "{error}");
}

#[test]
fn wrong_method_path_and_bad_values_are_errors() {
    let mut request = put_request("/b?analytics&id=r1", &minimal_body("r1"));
    *request.method_mut() = http::Method::POST;
    let error = PutBucketAnalyticsConfigurationRequest::from_http_request(&request).unwrap_err();
    assert_eq!(
        error,
        RequestError::MethodNotAllowed {
            method: "POST".into(),
            expected: "PUT"
        }
    );
    assert!(error.to_string().contains("POST") && error.to_string().contains("PUT"));

    let error = put_error("/b/extra?analytics&id=r1", &minimal_body("r1"));
    assert_eq!(
        error,
        RequestError::PathMismatch {
            path: "/b/extra".into(),
            pattern: "/{Bucket}"
        }
    );
    assert!(error.to_string().contains("/{Bucket}"), "{error}");

    let error = put_error("/b%zz?analytics&id=r1", &minimal_body("r1"));
    assert!(
        matches!(&error, RequestError::InvalidValue { location, .. } if location == "label Bucket"),
        "{error:?}"
    );
    let error = put_error("/b?analytics&id=%C3", &minimal_body("r1"));
    assert!(
        matches!(&error, RequestError::InvalidValue { location, .. } if location == "query id"),
        "{error:?}"
    );
    let error = put_error("/b?analytics&id=r1", "<AnalyticsConfiguration><Id>");
    assert!(matches!(error, RequestError::Xml(_)), "{error:?}");
    let error = put_error("/b?analytics&id=r1", "not xml");
    assert!(matches!(error, RequestError::Xml(_)), "{error:?}");

    // A header that is not visible ASCII.
    let mut request = put_request("/b?analytics&id=r1", &minimal_body("r1"));
    request.headers_mut().insert(
        "x-amz-expected-bucket-owner",
        http::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
    );
    let error = PutBucketAnalyticsConfigurationRequest::from_http_request(&request).unwrap_err();
    assert!(
        matches!(&error, RequestError::InvalidValue { location, .. } if location == "header x-amz-expected-bucket-owner"),
        "{error:?}"
    );
    // Errors are std errors with a readable message, and Clone + PartialEq.
    let boxed: Box<dyn std::error::Error> = Box::new(error.clone());
    assert_eq!(boxed.to_string(), error.to_string());
}

#[test]
fn literal_query_values_must_match() {
    // `GET /{Bucket}?analytics&x-id=GetBucketAnalyticsConfiguration`.
    let request = |target: &str| {
        http::Request::builder()
            .method("GET")
            .uri(target)
            .body(Vec::new())
            .unwrap()
    };
    let ok = GetBucketAnalyticsConfigurationRequest::from_http_request(&request(
        "/b?analytics&id=r1&x-id=GetBucketAnalyticsConfiguration",
    ))
    .unwrap();
    assert_eq!(ok, GetBucketAnalyticsConfigurationRequest::new("b", "r1"));
    let error = GetBucketAnalyticsConfigurationRequest::from_http_request(&request(
        "/b?analytics&id=r1&x-id=ListBucketAnalyticsConfigurations",
    ))
    .unwrap_err();
    assert!(
        matches!(&error, RequestError::InvalidValue { location, .. } if location == "query x-id"),
        "{error:?}"
    );
    // `x-id` only names the operation: botocore leaves it out.
    let plain =
        GetBucketAnalyticsConfigurationRequest::from_http_request(&request("/b?analytics&id=r1"))
            .unwrap();
    assert_eq!(plain, ok);
    let error = GetBucketAnalyticsConfigurationRequest::from_http_request(&request("/b?id=r1"))
        .unwrap_err();
    assert_eq!(error, RequestError::MissingQuery { name: "analytics" });
}

// ---------------------------------------------------------------------------
// Responses: server → client
// ---------------------------------------------------------------------------

/// Writes `output` with the server and reads it with the client.
#[track_caller]
fn round_trip_output<O: Operation>(output: &O::Output) -> Response
where
    O::Output: PartialEq + std::fmt::Debug,
    O::Error: std::fmt::Debug,
{
    let response = O::build_response(output).expect("the server builds the response");
    let parsed = O::parse_response(&response).unwrap_or_else(|e| {
        panic!(
            "{}: the client cannot read the server's response ({e:?}): {}",
            O::NAME,
            String::from_utf8_lossy(response.body())
        )
    });
    assert_eq!(&parsed, output, "{}", O::NAME);
    let length = response.headers()["content-length"].to_str().unwrap();
    assert_eq!(length, response.body().len().to_string());
    response
}

#[test]
fn outputs_round_trip_through_the_client() {
    let response = round_trip_output::<PutBucketAnalyticsConfiguration>(
        &PutBucketAnalyticsConfigurationOutput::default(),
    );
    assert_eq!(response.status(), 200);
    assert!(response.body().is_empty());
    assert!(response.headers().get("content-type").is_none());

    let response = round_trip_output::<DeleteBucket>(&DeleteBucketOutput::default());
    assert_eq!(response.status(), 204);

    // A structure payload: the document's root is the payload's element.
    let output = GetBucketAnalyticsConfigurationOutput::default()
        .with_analytics_configuration(full_config("r1"));
    let response = round_trip_output::<GetBucketAnalyticsConfiguration>(&output);
    let body = String::from_utf8(response.body().clone()).unwrap();
    assert!(
        body.starts_with(&format!(
            "<AnalyticsConfiguration xmlns=\"{NS}\"><Id>r1</Id>"
        )),
        "{body}"
    );
    assert_eq!(response.headers()["content-type"], "application/xml");
    assert_eq!(
        response.body(),
        full_config("r1").to_xml().unwrap().as_bytes(),
        "the same document as the type's to_xml"
    );
    round_trip_output::<GetBucketAnalyticsConfiguration>(
        &GetBucketAnalyticsConfigurationOutput::default(),
    );

    // Body members: a document with the output's root element.
    let output = ListBucketAnalyticsConfigurationsOutput::default()
        .with_is_truncated(true)
        .with_continuation_token("c <1>")
        .with_next_continuation_token("c&2")
        .with_analytics_configuration_list(vec![
            full_config("a"),
            AnalyticsConfiguration::new("b", StorageClassAnalysis::default()),
        ]);
    let response = round_trip_output::<ListBucketAnalyticsConfigurations>(&output);
    let body = String::from_utf8(response.body().clone()).unwrap();
    assert!(
        body.starts_with(&format!(
            "<ListBucketAnalyticsConfigurationResult xmlns=\"{NS}\">"
        )),
        "{body}"
    );
    assert_eq!(response.headers()["content-type"], "application/xml");
    round_trip_output::<ListBucketAnalyticsConfigurations>(
        &ListBucketAnalyticsConfigurationsOutput::default(),
    );

    // Headers.
    let output = HeadBucketOutput::default()
        .with_bucket_region("eu-west-1")
        .with_bucket_arn("arn:aws:s3:::b")
        .with_access_point_alias(false);
    let response = round_trip_output::<HeadBucket>(&output);
    assert_eq!(response.headers()["x-amz-bucket-region"], "eu-west-1");
    assert_eq!(response.headers()["x-amz-access-point-alias"], "false");
    round_trip_output::<HeadBucket>(&HeadBucketOutput::default());
    let response = round_trip_output::<CreateBucket>(
        &CreateBucketOutput::default().with_location("/amzn-s3-demo-bucket"),
    );
    assert_eq!(response.headers()["location"], "/amzn-s3-demo-bucket");
}

#[test]
fn header_values_that_cannot_be_sent_are_build_errors() {
    let output = HeadBucketOutput::default().with_bucket_region("eu\nwest");
    let error = output.to_http_response().unwrap_err();
    assert!(error.to_string().contains("x-amz-bucket-region"), "{error}");
}

fn meta(code: &str, status: u16) -> ErrorMetadata {
    ErrorMetadata {
        code: Some(code.to_owned()),
        message: Some(format!("{code}: <&> \"quoted\" 'single' \r\n tab\t é")),
        request_id: Some("4442587FB7D0A2F9".to_owned()),
        host_id: Some("Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==".to_owned()),
        status,
    }
}

/// Writes `error` with the server and reads it back with the client.
#[track_caller]
fn round_trip_error<O: Operation>(error: &O::Error) -> Response
where
    O::Output: std::fmt::Debug,
    O::Error: PartialEq + std::fmt::Debug,
{
    let response = O::build_error_response(error);
    let parsed = O::parse_response(&response).expect_err("an error response");
    assert_eq!(
        &parsed,
        error,
        "{}: {}",
        O::NAME,
        String::from_utf8_lossy(response.body())
    );
    assert_eq!(response.headers()["content-type"], "application/xml");
    let length = response.headers()["content-length"].to_str().unwrap();
    assert_eq!(length, response.body().len().to_string());
    response
}

#[test]
fn every_error_variant_round_trips_through_the_client() {
    type E = PutBucketAnalyticsConfigurationError;
    let cases = [
        (
            E::InvalidArgument(InvalidArgument::default().with_meta(meta("InvalidArgument", 400))),
            400,
        ),
        (
            E::TooManyConfigurations(
                TooManyConfigurations::default().with_meta(meta("TooManyConfigurations", 400)),
            ),
            400,
        ),
        (
            E::AccessDenied(AccessDenied::default().with_meta(meta("AccessDenied", 403))),
            403,
        ),
        (
            E::Unhandled(Unhandled {
                meta: meta("SlowDown", 503),
                source: None,
            }),
            503,
        ),
    ];
    for (error, status) in cases {
        let response = round_trip_error::<PutBucketAnalyticsConfiguration>(&error);
        assert_eq!(response.status(), status, "{error:?}");
        assert_eq!(response.headers()["x-amz-request-id"], "4442587FB7D0A2F9");
        assert_eq!(
            response.headers()["x-amz-id-2"],
            "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg=="
        );
        let body = String::from_utf8(response.body().clone()).unwrap();
        assert!(
            body.starts_with("<Error><Code>"),
            "bare S3 error document: {body}"
        );
        assert!(body.contains("&lt;&amp;&gt;"), "escaped: {body}");
    }

    let error = GetBucketAnalyticsConfigurationError::NoSuchConfiguration(
        NoSuchConfiguration::default().with_meta(meta("NoSuchConfiguration", 404)),
    );
    round_trip_error::<GetBucketAnalyticsConfiguration>(&error);
    let error = GetBucketAnalyticsConfigurationError::NoSuchBucket(
        NoSuchBucket::default().with_meta(meta("NoSuchBucket", 404)),
    );
    round_trip_error::<GetBucketAnalyticsConfiguration>(&error);
    let error = HeadBucketError::NotFound(NotFound::default().with_meta(meta("NotFound", 404)));
    let response = round_trip_error::<HeadBucket>(&error);
    assert_eq!(response.status(), 404);
}

#[test]
fn error_statuses_and_missing_metadata() {
    // The modeled status wins over the metadata's.
    let error = PutBucketAnalyticsConfigurationError::AccessDenied(
        AccessDenied::default().with_meta(ErrorMetadata::default()),
    );
    let response = error.to_http_response();
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.body().as_slice(),
        b"<Error><Code>AccessDenied</Code></Error>"
    );
    assert!(response.headers().get("x-amz-request-id").is_none());
    let parsed = PutBucketAnalyticsConfiguration::parse_response(&response).unwrap_err();
    assert_eq!(
        parsed,
        PutBucketAnalyticsConfigurationError::AccessDenied(AccessDenied::default().with_meta(
            ErrorMetadata {
                code: Some("AccessDenied".into()),
                status: 403,
                ..ErrorMetadata::default()
            }
        ))
    );
    // The error structure alone writes the same response.
    let alone = AccessDenied::default().to_http_response();
    assert_eq!(alone.status(), 403);
    assert_eq!(alone.body(), response.body());

    // Unhandled with status 0 is sent as 500.
    let error = PutBucketAnalyticsConfigurationError::Unhandled(Unhandled::default());
    let response = error.to_http_response();
    assert_eq!(response.status(), 500);
    assert_eq!(response.body().as_slice(), b"<Error></Error>");

    // An id that cannot be a header value is only in the body; the client reads it from there.
    let mut odd = meta("InternalError", 500);
    odd.request_id = Some("line\nbreak".into());
    let error = PutBucketAnalyticsConfigurationError::Unhandled(Unhandled {
        meta: odd,
        source: None,
    });
    let response = round_trip_error::<PutBucketAnalyticsConfiguration>(&error);
    assert!(response.headers().get("x-amz-request-id").is_none());
}

/// One generic server function serves every operation through the trait.
fn serve<O: Operation>(
    request: &Request,
    handler: impl FnOnce(O::Input) -> Result<O::Output, O::Error>,
) -> Response {
    let input = match O::parse_request(request) {
        Ok(input) => input,
        Err(e) => {
            return http::Response::builder()
                .status(400)
                .body(e.to_string().into_bytes())
                .unwrap();
        }
    };
    match handler(input) {
        Ok(output) => O::build_response(&output).unwrap(),
        Err(error) => O::build_error_response(&error),
    }
}

#[test]
#[allow(clippy::result_large_err)] // The handlers return the operation's error as is.
fn a_test_double_serves_the_client() {
    let input = PutBucketAnalyticsConfigurationRequest::new("b", "r1", full_config("r1"));
    let request = PutBucketAnalyticsConfiguration::build_request(&input).unwrap();
    let response = serve::<PutBucketAnalyticsConfiguration>(&request, |got| {
        assert_eq!(got, input);
        Ok(PutBucketAnalyticsConfigurationOutput::default())
    });
    assert_eq!(
        PutBucketAnalyticsConfiguration::parse_response(&response),
        Ok(PutBucketAnalyticsConfigurationOutput::default())
    );
    let response = serve::<PutBucketAnalyticsConfiguration>(&request, |_| {
        Err(PutBucketAnalyticsConfigurationError::TooManyConfigurations(
            TooManyConfigurations::default().with_meta(meta("TooManyConfigurations", 400)),
        ))
    });
    assert!(matches!(
        PutBucketAnalyticsConfiguration::parse_response(&response),
        Err(PutBucketAnalyticsConfigurationError::TooManyConfigurations(
            _
        ))
    ));
}

// ---------------------------------------------------------------------------
// The wire example: parse-request and render-response
// ---------------------------------------------------------------------------

/// Builds the example once, so that `cargo run -q` afterwards prints nothing
/// of its own.
fn build_once() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "s3-api", "--example", "wire"])
            .current_dir(workspace_root())
            .output()
            .expect("cannot run cargo");
        assert!(
            out.status.success(),
            "building the wire example failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

fn wire(args: &[&str]) -> Output {
    build_once();
    Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "s3-api", "--example", "wire", "--"])
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("cannot run cargo")
}

/// A fresh temporary directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s3-api-server-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[track_caller]
fn expect_success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Exit code 2, nothing on stdout, one line on stderr starting with `wire:`.
#[track_caller]
fn expect_usage_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {stderr:?}");
    assert!(lines[0].starts_with("wire: "), "{stderr:?}");
    lines[0].to_owned()
}

#[test]
fn parse_request_prints_the_input_json() {
    for (case, json, expected) in wire_cases() {
        let dir = temp_dir(&format!("parse-{case}"));
        let file = write(&dir, "request.http", &expected);
        let stdout = expect_success(&wire(&["parse-request", PUT, &file]));
        let printed: Value = serde_json::from_str(&stdout).unwrap();
        let input: Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(printed, input, "{case}");
        // The printed JSON is what `request` reads: it builds the same request again.
        let again = write(&dir, "input.json", stdout.as_bytes());
        let request = expect_success(&wire(&["request", PUT, &again]));
        assert_eq!(request.as_bytes(), expected.as_slice(), "{case}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn parse_request_reads_crlf_and_chunked_requests() {
    let dir = temp_dir("parse-raw");
    let body = minimal_body("r1");
    let raw = format!(
        "PUT /b%20c?analytics&id=r1 HTTP/1.1\r\nHost: s3.amazonaws.com\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let file = write(&dir, "chunked.http", raw.as_bytes());
    let stdout = expect_success(&wire(&["parse-request", PUT, &file]));
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        printed,
        json!({
            "Bucket": "b c",
            "Id": "r1",
            "AnalyticsConfiguration": {"Id": "r1", "StorageClassAnalysis": {}}
        })
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn parse_request_rejects_bad_requests() {
    let dir = temp_dir("parse-bad");
    let cases = [
        (
            "missing-label.http",
            "PUT /?analytics&id=r1 HTTP/1.1\n\n",
            "Bucket",
        ),
        (
            "missing-query.http",
            "PUT /b?analytics HTTP/1.1\n\n",
            "`id`",
        ),
        (
            "missing-body.http",
            "PUT /b?analytics&id=r1 HTTP/1.1\n\n",
            "body",
        ),
        ("method.http", "GET /b?analytics&id=r1 HTTP/1.1\n\n", "GET"),
        ("not-http.http", "hello\n", "HTTP"),
    ];
    for (name, raw, named) in cases {
        let file = write(&dir, name, raw.as_bytes());
        let line = expect_usage_error(&wire(&["parse-request", PUT, &file]));
        assert!(line.contains(named), "{name}: {line}");
    }
    let line = expect_usage_error(&wire(&["parse-request", "NoSuchOperation", "/dev/null"]));
    assert!(line.contains("NoSuchOperation"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn render_response_prints_the_http_response() {
    let dir = temp_dir("render");
    let file = write(&dir, "ok.json", br#"{"Output": {}}"#);
    let stdout = expect_success(&wire(&["render-response", PUT, &file]));
    assert_eq!(stdout, "HTTP/1.1 200 OK\ncontent-length: 0\n\n");

    let error = json!({"Error": {
        "Type": "AccessDenied",
        "Code": "AccessDenied",
        "Message": "Access <Denied>",
        "RequestId": "REQ",
        "HostId": "HOST",
        "Status": 403
    }});
    let file = write(&dir, "denied.json", error.to_string().as_bytes());
    let stdout = expect_success(&wire(&["render-response", PUT, &file]));
    let body = "<Error><Code>AccessDenied</Code><Message>Access &lt;Denied&gt;</Message><RequestId>REQ</RequestId><HostId>HOST</HostId></Error>";
    assert_eq!(
        stdout,
        format!(
            "HTTP/1.1 403 Forbidden\ncontent-length: {}\ncontent-type: application/xml\nx-amz-id-2: HOST\nx-amz-request-id: REQ\n\n{body}",
            body.len()
        )
    );
    // What `render-response` prints, `response` reads back into the same JSON.
    let raw = write(&dir, "denied.http", stdout.as_bytes());
    let read = expect_success(&wire(&["response", PUT, &raw]));
    assert_eq!(serde_json::from_str::<Value>(&read).unwrap(), error);

    let unhandled = json!({"Error": {"Type": "Unhandled", "Code": "SlowDown", "Status": 503}});
    let file = write(&dir, "slow.json", unhandled.to_string().as_bytes());
    let stdout = expect_success(&wire(&["render-response", PUT, &file]));
    assert!(
        stdout.starts_with("HTTP/1.1 503 Service Unavailable\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("<Error><Code>SlowDown</Code></Error>"),
        "{stdout}"
    );

    let output =
        json!({"Output": {"AnalyticsConfiguration": {"Id": "r1", "StorageClassAnalysis": {}}}});
    let file = write(&dir, "get.json", output.to_string().as_bytes());
    let stdout = expect_success(&wire(&[
        "render-response",
        "GetBucketAnalyticsConfiguration",
        &file,
    ]));
    let body = minimal_body("r1");
    assert_eq!(
        stdout,
        format!(
            "HTTP/1.1 200 OK\ncontent-length: {}\ncontent-type: application/xml\n\n{body}",
            body.len()
        )
    );
    let raw = write(&dir, "get.http", stdout.as_bytes());
    let read = expect_success(&wire(&[
        "response",
        "GetBucketAnalyticsConfiguration",
        &raw,
    ]));
    assert_eq!(serde_json::from_str::<Value>(&read).unwrap(), output);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn render_response_rejects_bad_json() {
    let dir = temp_dir("render-bad");
    let cases: [(&str, &[u8], &str); 5] = [
        ("not-json.json", b"{", "JSON"),
        ("both.json", br#"{"Output": {}, "Error": {}}"#, "Output"),
        ("neither.json", br#"{"Result": {}}"#, "Output"),
        ("unknown-member.json", br#"{"Output": {"Nope": 1}}"#, "Nope"),
        (
            "unknown-type.json",
            br#"{"Error": {"Type": "Nope"}}"#,
            "Nope",
        ),
    ];
    for (name, json, named) in cases {
        let file = write(&dir, name, json);
        let line = expect_usage_error(&wire(&["render-response", PUT, &file]));
        assert!(line.contains(named), "{name}: {line}");
    }
    let file = write(&dir, "status.json", br#"{"Output": {}}"#);
    let line = expect_usage_error(&wire(&["render-response", "NoSuchOperation", &file]));
    assert!(line.contains("NoSuchOperation"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------
// The restXml protocol suite, through the server and back
// ---------------------------------------------------------------------------

/// Cases of the restXml suite whose round trip is known not to hold, with the reason.
const PROTOCOL_KNOWN: &[(&str, &str)] = &[
    (
        "HttpEmptyPrefixHeadersResponseClient",
        "an empty httpPrefixHeaders prefix takes every header, and the server adds content-length",
    ),
    (
        "HttpEmptyPrefixHeadersResponseServer",
        "an empty httpPrefixHeaders prefix takes every header, and the server adds content-length",
    ),
];

/// `$S3_PROTOCOL_TESTS`, or the suite next to the repository.
fn suite_path() -> PathBuf {
    match std::env::var_os("S3_PROTOCOL_TESTS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/protocol-tests/restxml.json"),
    }
}

/// A Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// `&[("name", "value"), …]` of a case's `headers` object.
fn header_lits(case: &Value) -> String {
    let pairs: Vec<String> = case["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| format!("({}, {})", lit(k), lit(v.as_str().unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    format!("&[{}]", pairs.join(", "))
}

/// The support code of the generated round-trip test (`{krate}` is the crate name).
const ROUND_TRIP_SUPPORT: &str = r#"
use std::fmt::Debug;
use {krate}::Operation;

struct Req {
    id: &'static str,
    op: &'static str,
    method: &'static str,
    uri: &'static str,
    query: &'static [&'static str],
    headers: &'static [(&'static str, &'static str)],
    /// `None` when the case gives no body: it is then not compared (Smithy's rule).
    body: Option<&'static str>,
}

/// Marks a request whose case gives no body.
#[derive(Clone, Copy)]
struct NoBody;

struct Resp {
    id: &'static str,
    op: &'static str,
    code: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

fn request(c: &Req) -> http::Request<Vec<u8>> {
    let mut target = c.uri.to_owned();
    for q in c.query {
        target.push(if target.contains('?') { '&' } else { '?' });
        target.push_str(q);
    }
    let mut builder = http::Request::builder().method(c.method).uri(target);
    for (k, v) in c.headers {
        builder = builder.header(*k, *v);
    }
    if c.body.is_none() {
        builder = builder.extension(NoBody);
    }
    builder.body(c.body.unwrap_or_default().as_bytes().to_vec()).unwrap()
}

fn response(c: &Resp) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(c.code);
    for (k, v) in c.headers {
        builder = builder.header(*k, *v);
    }
    builder.body(c.body.as_bytes().to_vec()).unwrap()
}

/// Percent-decodes `text` (a `+` stays a `+`).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(b)) = text.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_pairs(uri: &http::Uri) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect();
    pairs.sort();
    pairs
}

/// What the case's request carries, the rebuilt request must carry too.
fn compare(case: &http::Request<Vec<u8>>, rebuilt: &http::Request<Vec<u8>>) -> Result<(), String> {
    if case.method() != rebuilt.method() {
        return Err(format!("method {} became {}", case.method(), rebuilt.method()));
    }
    if decode(case.uri().path()) != decode(rebuilt.uri().path()) {
        return Err(format!("path {} became {}", case.uri().path(), rebuilt.uri().path()));
    }
    if query_pairs(case.uri()) != query_pairs(rebuilt.uri()) {
        return Err(format!("query {:?} became {:?}", case.uri().query(), rebuilt.uri().query()));
    }
    headers_kept(case.headers(), rebuilt.headers(), case.body().is_empty())?;
    if case.extensions().get::<NoBody>().is_some() {
        return Ok(());
    }
    bodies_match(case.body(), rebuilt.body())
}

/// The media type of a content-type value, without parameters.
fn media_type(value: &http::HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    text.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Every header of `case` is in `rebuilt` with the same value; for
/// content-type only the media type counts, and only when there is a body.
fn headers_kept(case: &http::HeaderMap, rebuilt: &http::HeaderMap, no_body: bool) -> Result<(), String> {
    for (name, value) in case {
        if name == "content-length" || (name == "content-type" && no_body) {
            continue;
        }
        let got: Vec<&http::HeaderValue> = rebuilt.get_all(name).iter().collect();
        if name == "content-type" && got.iter().any(|g| media_type(g) == media_type(value)) {
            continue;
        }
        if !got.contains(&value) {
            return Err(format!("header {name}: {value:?} became {got:?}"));
        }
    }
    Ok(())
}

fn bodies_match(case: &[u8], rebuilt: &[u8]) -> Result<(), String> {
    if case == rebuilt {
        return Ok(());
    }
    // Compared as the protocol tests compare bodies (`support::check_body`).
    let is_xml = |b: &[u8]| b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'<');
    let mut problems = Vec::new();
    support::check_body(rebuilt, case, is_xml(case) && is_xml(rebuilt), &mut problems);
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "body {:?} became {:?}: {}",
        String::from_utf8_lossy(case),
        String::from_utf8_lossy(rebuilt),
        problems.join("; ")
    ))
}

fn check_request<O: Operation>(case: &http::Request<Vec<u8>>) -> Result<(), String>
where
    O::Input: Debug,
{
    let input = O::parse_request(case).map_err(|e| format!("parse_request: {e}"))?;
    let rebuilt = O::build_request(&input).map_err(|e| format!("build_request: {e}"))?;
    let again = O::parse_request(&rebuilt).map_err(|e| format!("parse_request of the rebuilt request: {e}"))?;
    if format!("{input:?}") != format!("{again:?}") {
        return Err(format!("the input changed: {input:?} became {again:?}"));
    }
    compare(case, &rebuilt)
}

fn check_response<O: Operation>(case: &http::Response<Vec<u8>>) -> Result<(), String>
where
    O::Output: Debug,
    O::Error: Debug,
{
    let first = O::parse_response(case);
    let written = match &first {
        Ok(output) => O::build_response(output).map_err(|e| format!("build_response: {e}"))?,
        Err(error) => O::build_error_response(error),
    };
    let second = O::parse_response(&written);
    if format!("{first:?}") != format!("{second:?}") {
        return Err(format!(
            "{first:?} became {second:?}; written: {:?} {:?}",
            written.headers(),
            String::from_utf8_lossy(written.body())
        ));
    }
    if written.status() != case.status() {
        return Err(format!("status {} became {}", case.status(), written.status()));
    }
    headers_kept(case.headers(), written.headers(), case.body().is_empty())?;
    Ok(())
}

#[test]
fn server_round_trip() {
    let mut failures = Vec::new();
    for c in REQUESTS {
        if let Err(e) = run_request(c.op, &request(c)) {
            failures.push(format!("{} request: {}", c.id, e.replace('\n', " ")));
        }
    }
    for c in RESPONSES {
        if let Err(e) = run_response(c.op, &response(c)) {
            failures.push(format!("{} response: {}", c.id, e.replace('\n', " ")));
        }
    }
    println!("SUMMARY {} {} {}", REQUESTS.len(), RESPONSES.len(), failures.len());
    for f in failures {
        println!("FAIL {f}");
    }
}
"#;

/// The generated test file: support code, case tables and dispatch.
fn round_trip_tests(
    suite: &Value,
    service: &str,
    krate: &codegen::ir::Crate,
    crate_ident: &str,
) -> (String, usize) {
    let shapes = suite["shapes"].as_object().unwrap();
    let local = |id: &str| id.rsplit_once('#').map_or(id, |(_, l)| l).to_owned();
    // The service's own operations and their errors: the suite holds two
    // services whose operations may share a local name.
    let targets = |shape: &Value, key: &str| -> Vec<String> {
        shape[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t["target"].as_str().unwrap().to_owned())
            .collect()
    };
    let own_ops = targets(&shapes[service], "operations");
    let own_errors: Vec<String> = own_ops
        .iter()
        .flat_map(|op| targets(&shapes[op.as_str()], "errors"))
        .collect();
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    for (id, shape) in shapes {
        if !own_ops.contains(id) && !own_errors.contains(id) {
            continue;
        }
        let name = local(id);
        let traits = &shape["traits"];
        // The operation that runs the case: the operation itself, or the first
        // one that lists the error.
        let op = if shape["type"] == "operation" {
            krate.operations.iter().find(|o| o.name == name)
        } else {
            krate
                .operations
                .iter()
                .find(|o| o.errors.iter().any(|e| e.code == name))
        };
        let Some(op) = op else { continue };
        for case in traits["smithy.test#httpRequestTests"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let query: Vec<String> = case["queryParams"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|q| lit(q.as_str().unwrap()))
                .collect();
            requests.push(format!(
                "Req {{ id: {}, op: {}, method: {}, uri: {}, query: &[{}], headers: {}, body: {} }},",
                lit(case["id"].as_str().unwrap()),
                lit(&op.name),
                lit(case["method"].as_str().unwrap()),
                lit(case["uri"].as_str().unwrap()),
                query.join(", "),
                header_lits(case),
                case["body"]
                    .as_str()
                    .map_or_else(|| "None".to_owned(), |b| format!("Some({})", lit(b))),
            ));
        }
        for case in traits["smithy.test#httpResponseTests"]
            .as_array()
            .into_iter()
            .flatten()
        {
            responses.push(format!(
                "Resp {{ id: {}, op: {}, code: {}, headers: {}, body: {} }},",
                lit(case["id"].as_str().unwrap()),
                lit(&op.name),
                case["code"].as_u64().unwrap(),
                header_lits(case),
                lit(case["body"].as_str().unwrap_or_default()),
            ));
        }
    }
    let arms = |check: &str| -> String {
        krate
            .operations
            .iter()
            .map(|o| {
                format!(
                    "        {} => {check}::<{crate_ident}::operation::{}::{}>(x),\n",
                    lit(&o.name),
                    o.module,
                    o.name
                )
            })
            .collect()
    };
    let count = requests.len() + responses.len();
    let text = format!(
        "{support}\n{comparison}\nconst REQUESTS: &[Req] = &[\n{requests}\n];\n\nconst RESPONSES: &[Resp] = &[\n{responses}\n];\n\n\
         fn run_request(op: &str, x: &http::Request<Vec<u8>>) -> Result<(), String> {{\n    match op {{\n{req_arms}        other => Err(format!(\"no operation {{other}}\")),\n    }}\n}}\n\n\
         fn run_response(op: &str, x: &http::Response<Vec<u8>>) -> Result<(), String> {{\n    match op {{\n{resp_arms}        other => Err(format!(\"no operation {{other}}\")),\n    }}\n}}\n",
        support = ROUND_TRIP_SUPPORT.replace("{krate}", crate_ident),
        comparison = codegen::protocol_tests::support_module(),
        requests = requests.join("\n"),
        responses = responses.join("\n"),
        req_arms = arms("check_request"),
        resp_arms = arms("check_response"),
    );
    (text, count)
}

/// Every case of the restXml suite (client and server ones) goes through the
/// generated crates in both directions: each request is read by the server
/// (`parse_request`), built again by the client and read again, and must
/// give the same input and carry the case's path, query, headers and body;
/// each response is read by the client, written by the server
/// (`build_response` or `build_error_response`) and read again, and must
/// give the same output or error with the case's status and headers.
#[test]
fn protocol_cases_round_trip_through_the_server() {
    let path = suite_path();
    if !path.is_file() {
        println!("server: no protocol suite at {}; skipped", path.display());
        return;
    }
    let suite: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let model = codegen::model::Model::load(&[&path]).unwrap();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("server-round-trip");
    let services = [
        ("aws.protocoltests.restxml#RestXml", "restxml-server"),
        (
            "aws.protocoltests.restxml.xmlns#RestXmlWithNamespace",
            "restxml-xmlns-server",
        ),
    ];
    let mut total = 0;
    for (service, package) in services {
        let opts = codegen::Options {
            models: vec![path.clone()],
            service: Some(service.to_owned()),
            ops: None,
            package: package.to_owned(),
            standalone: false,
            examples: Vec::new(),
            runtime_path: codegen::RUNTIME_DIR.into(),
            partitions: None,
        };
        let mut files = codegen::generate_from_model(&model, &opts)
            .unwrap_or_else(|d| panic!("generating {service} failed:\n{d}"));
        let krate = codegen::lower::lower(&model, Some(service), None, None).unwrap();
        let (tests, count) = round_trip_tests(&suite, service, &krate, &package.replace('-', "_"));
        total += count;
        files.insert("tests/server_round_trip.rs".into(), tests);
        s3_api_tests::add_quick_xml_dev_dependency(&mut files);
        let dir = root.join(package);
        let current = codegen::output::check(&dir, &files)
            .map(|m| m.is_empty())
            .unwrap_or(false);
        if !current {
            codegen::output::write(&dir, &files).unwrap();
        }
    }
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        services
            .iter()
            .map(|(_, p)| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if std::fs::read_to_string(root.join("Cargo.toml")).ok() != Some(manifest.clone()) {
        std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    }
    std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--offline",
            "--workspace",
            "--test",
            "server_round_trip",
            "--color",
            "never",
            "--",
            "--nocapture",
        ])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUST_BACKTRACE", "0")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the round-trip crates do not build or run:\n{stderr}\n{stdout}"
    );
    assert!(
        !stderr.contains("warning:"),
        "the generated crates or their round-trip tests have warnings:\n{stderr}"
    );
    let mut cases = 0;
    let mut failures: Vec<&str> = Vec::new();
    for line in stdout.lines() {
        if let Some(summary) = line.strip_prefix("SUMMARY ") {
            let n: Vec<usize> = summary.split(' ').map(|n| n.parse().unwrap()).collect();
            cases += n[0] + n[1];
        } else if let Some(failure) = line.strip_prefix("FAIL ") {
            failures.push(failure);
        }
    }
    assert_eq!(cases, total, "every case ran:\n{stdout}");
    let mut offenders = Vec::new();
    for failure in &failures {
        if !PROTOCOL_KNOWN
            .iter()
            .any(|(id, _)| failure.starts_with(&format!("{id} ")))
        {
            offenders.push(format!("  {failure}"));
        }
    }
    for (id, _) in PROTOCOL_KNOWN {
        if !failures.iter().any(|f| f.starts_with(&format!("{id} "))) {
            offenders.push(format!("  {id}: listed as known but passes now"));
        }
    }
    println!(
        "server round trip of the restXml suite: {} cases, {} known differences",
        cases,
        failures.len()
    );
    assert!(
        offenders.is_empty(),
        "server round trip:\n{}",
        offenders.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The generated router, `Service` trait and `serve`
// ---------------------------------------------------------------------------

/// A service that knows one bucket and one configuration, and serves only
/// HeadBucket and GetBucketAnalyticsConfiguration.
struct OneBucket;

impl s3_api::operation::Service for OneBucket {
    fn head_bucket(
        &self,
        ctx: &s3_api::server::Context,
        input: HeadBucketRequest,
    ) -> Result<HeadBucketOutput, HeadBucketError> {
        if input.bucket == "known" {
            Ok(HeadBucketOutput::default())
        } else {
            let meta = ctx.error("NotFound", 404, "no such bucket");
            Err(HeadBucketError::NotFound(
                NotFound::default().with_meta(meta),
            ))
        }
    }

    fn get_bucket_analytics_configuration(
        &self,
        _: &s3_api::server::Context,
        input: GetBucketAnalyticsConfigurationRequest,
    ) -> Result<GetBucketAnalyticsConfigurationOutput, GetBucketAnalyticsConfigurationError> {
        Ok(GetBucketAnalyticsConfigurationOutput::default()
            .with_analytics_configuration(full_config(&input.id)))
    }
}

#[test]
fn serve_routes_reads_calls_and_writes() {
    let router = s3_api::operation::router()
        .unwrap()
        .with_base_domain("s3.example.com");
    let serve = |method: &str, uri: &str, host: &str| {
        let request = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", host)
            .body(Vec::new())
            .unwrap();
        let ctx = s3_api::server::Context::new("REQ1").with_host_id("HOST1");
        s3_api::operation::serve(&OneBucket, &router, request, &ctx)
    };
    let code = |response: &Response| {
        let body = String::from_utf8_lossy(response.body()).into_owned();
        body.split("<Code>")
            .nth(1)
            .and_then(|rest| rest.split("</Code>").next())
            .map(str::to_owned)
    };

    // Implemented, path-style and virtual-hosted, through the client's parser.
    let response = serve("GET", "/known?analytics&id=r1", "localhost");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-amz-request-id"], "REQ1");
    let output = GetBucketAnalyticsConfiguration::parse_response(&response).unwrap();
    assert_eq!(output.analytics_configuration, Some(full_config("r1")));
    let response = serve("GET", "/?analytics&id=r2", "known.s3.example.com");
    let output = GetBucketAnalyticsConfiguration::parse_response(&response).unwrap();
    assert_eq!(output.analytics_configuration, Some(full_config("r2")));
    assert_eq!(serve("HEAD", "/", "known.s3.example.com").status(), 200);

    // The service's own error, with the request id added.
    let response = serve("HEAD", "/other", "localhost");
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-amz-request-id"], "REQ1");
    assert!(matches!(
        HeadBucket::parse_response(&response),
        Err(HeadBucketError::NotFound(_))
    ));

    // Not implemented by the service, not routable, not readable.
    for (method, uri, status, expected) in [
        ("PUT", "/b", 501, "NotImplemented"),
        ("DELETE", "/b?analytics&id=r1", 501, "NotImplemented"),
        ("PATCH", "/b", 405, "MethodNotAllowed"),
        ("PUT", "/b?analytics", 400, "InvalidRequest"),
        (
            "GET",
            "/b?analytics&id=r1&x-id=Nope",
            400,
            "InvalidArgument",
        ),
        ("PUT", "/b?analytics&id=r1", 400, "MalformedXML"),
    ] {
        let response = serve(method, uri, "localhost");
        assert_eq!(response.status(), status, "{method} {uri}");
        assert_eq!(code(&response).as_deref(), Some(expected), "{method} {uri}");
        assert_eq!(
            response.headers()["x-amz-request-id"],
            "REQ1",
            "{method} {uri}"
        );
        assert_eq!(response.headers()["x-amz-id-2"], "HOST1", "{method} {uri}");
        let body = String::from_utf8_lossy(response.body());
        assert!(
            body.contains("<RequestId>REQ1</RequestId>"),
            "{method} {uri}: {body}"
        );
    }
}
