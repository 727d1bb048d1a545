//! A fixed amount of work per benchmark, for deterministic instruction counts
//! under `valgrind --tool=callgrind` (wall-clock on a shared machine is noisy).
//!
//! usage: probe write|read|list|request|error|route|read-put-object|serve-put-object|endpoint|endpoint-arn|endpoint-dotted|endpoint-express|endpoint-custom|endpoint-fips|serde-write|serde-read|serde-list [ITERATIONS]
//! e.g. `valgrind --tool=callgrind --toggle-collect='probe::run*' \
//!        target/release/probe read 1000`, then divide the count by ITERATIONS.

use s3_api::operation::list_bucket_analytics_configurations::ListBucketAnalyticsConfigurations;
use s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfiguration;
use s3_api::types::AnalyticsConfiguration;
use s3_api::{Input as _, Operation, XmlDocument};
use s3_api_bench::{access_denied, full_input, full_xml, list_body, serde_mirror};
use std::hint::black_box;

#[inline(never)]
fn run_write(cfg: &AnalyticsConfiguration, n: usize) {
    for _ in 0..n {
        black_box(black_box(cfg).to_xml().unwrap());
    }
}

#[inline(never)]
fn run_read(doc: &[u8], n: usize) {
    for _ in 0..n {
        black_box(AnalyticsConfiguration::from_xml(black_box(doc)).unwrap());
    }
}

#[inline(never)]
fn run_list(response: &http::Response<Vec<u8>>, n: usize) {
    for _ in 0..n {
        black_box(ListBucketAnalyticsConfigurations::parse_response(black_box(response)).unwrap());
    }
}

#[inline(never)]
fn run_request(
    input: &s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfigurationRequest,
    n: usize,
) {
    for _ in 0..n {
        black_box(black_box(input).to_http_request().unwrap());
    }
}

/// The server side of a request: the generated router names the operation
/// and its `from_http_request` reads the input.
#[inline(never)]
fn run_route(router: &s3_api::router::Router, request: &http::Request<Vec<u8>>, n: usize) {
    for _ in 0..n {
        let name = router.route(black_box(request)).unwrap();
        assert_eq!(name, PutBucketAnalyticsConfiguration::NAME);
        black_box(PutBucketAnalyticsConfiguration::parse_request(black_box(request)).unwrap());
    }
}

#[inline(never)]
fn run_read_put_object(request: &http::Request<Vec<u8>>, n: usize) {
    for _ in 0..n {
        black_box(
            s3_api::operation::put_object::PutObject::parse_request(black_box(request)).unwrap(),
        );
    }
}

/// A service that stores nothing: the generated `serve` around it is
/// routing, reading, calling and writing.
struct Discard;

impl s3_api::operation::Service for Discard {
    fn put_object(
        &self,
        _: &s3_api::server::Context,
        input: s3_api::operation::put_object::PutObjectRequest,
    ) -> Result<
        s3_api::operation::put_object::PutObjectOutput,
        s3_api::operation::put_object::PutObjectError,
    > {
        black_box(input);
        Ok(s3_api::operation::put_object::PutObjectOutput::default().with_e_tag("\"0\""))
    }
}

#[inline(never)]
fn run_serve_put_object(
    router: &s3_api::router::Router,
    request: &http::Request<Vec<u8>>,
    n: usize,
) {
    let ctx = s3_api::server::Context::new("4442587FB7D0A2F9");
    for _ in 0..n {
        let response = s3_api::operation::serve(&Discard, router, black_box(request.clone()), &ctx);
        assert_eq!(response.status(), 200);
        black_box(response);
    }
}

/// A PutObject as SDKs send it: 1 KiB, a content type, a checksum, user
/// metadata, the signing headers.
fn put_object_request() -> http::Request<Vec<u8>> {
    let body = vec![7u8; 1024];
    let crc32 = s3_api::checksum::ChecksumAlgorithm::Crc32.checksum_header_value(&body);
    http::Request::builder()
        .method("PUT")
        .uri("/amzn-s3-demo-bucket/photos/2026/12/04/cat.jpg?x-id=PutObject")
        .header("host", "127.0.0.1:9000")
        .header("content-type", "image/jpeg")
        .header("content-length", "1024")
        .header("x-amz-checksum-crc32", crc32)
        .header("x-amz-sdk-checksum-algorithm", "CRC32")
        .header("x-amz-meta-origin", "probe")
        .header("x-amz-date", "20261204T000000Z")
        .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261204/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
        .header("user-agent", "probe")
        .body(body)
        .unwrap()
}

#[inline(never)]
fn run_error(denied: &http::Response<Vec<u8>>, n: usize) {
    for _ in 0..n {
        black_box(PutBucketAnalyticsConfiguration::parse_response(black_box(denied)).unwrap_err());
    }
}

#[inline(never)]
fn run_serde_write(mirror: &serde_mirror::AnalyticsConfiguration, n: usize) {
    for _ in 0..n {
        black_box(quick_xml::se::to_string(black_box(mirror)).unwrap());
    }
}

#[inline(never)]
fn run_serde_read(doc: &str, n: usize) {
    for _ in 0..n {
        black_box(
            quick_xml::de::from_str::<serde_mirror::AnalyticsConfiguration>(black_box(doc))
                .unwrap(),
        );
    }
}

#[inline(never)]
fn run_serde_list(doc: &str, n: usize) {
    for _ in 0..n {
        black_box(quick_xml::de::from_str::<serde_mirror::ListResult>(black_box(doc)).unwrap());
    }
}

#[inline(never)]
fn run_endpoint(params: &s3_api::endpoint::Params<'_>, n: usize) {
    for _ in 0..n {
        black_box(s3_api::endpoint::resolve(black_box(params)).unwrap());
    }
}

#[inline(never)]
fn run_build_sign(
    input: &s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfigurationRequest,
    n: usize,
) {
    use s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfiguration;
    let config = s3_api::endpoint::Config::new().with_region("us-east-1");
    let credentials =
        s3_api::sign::Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_389_200);
    for _ in 0..n {
        let (mut request, endpoint) =
            s3_api::endpoint::build_request::<PutBucketAnalyticsConfiguration>(&config, black_box(input))
                .unwrap();
        s3_api::sign::sign(&mut request, &endpoint, &credentials, time, s3_api::sign::Payload::Signed)
            .unwrap();
        black_box(request);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "write".into());
    let n: usize = args
        .next()
        .map(|s| s.parse().expect("ITERATIONS"))
        .unwrap_or(1000);
    match what.as_str() {
        "write" => run_write(&full_input().analytics_configuration, n),
        "read" => run_read(full_xml().as_bytes(), n),
        "list" => {
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/xml")
                .body(list_body(100))
                .unwrap();
            run_list(&response, n)
        }
        "request" => run_request(&full_input(), n),
        "build-sign" => run_build_sign(&full_input(), n),
        "error" => run_error(&access_denied(), n),
        "route" => {
            let router = s3_api::operation::router().unwrap();
            let request = PutBucketAnalyticsConfiguration::build_request(&full_input()).unwrap();
            run_route(&router, &request, n)
        }
        "read-put-object" => run_read_put_object(&put_object_request(), n),
        "serve-put-object" => {
            let router = s3_api::operation::router().unwrap();
            run_serve_put_object(&router, &put_object_request(), n)
        }
        "serde-write" => run_serde_write(&serde_mirror::full(), n),
        "serde-read" => run_serde_read(&full_xml(), n),
        "serde-list" => run_serde_list(&String::from_utf8(list_body(100)).unwrap(), n),
        "endpoint" => {
            let mut params = s3_api::endpoint::Params::default();
            params.bucket = Some("amzn-s3-demo-bucket");
            params.region = Some("us-west-2");
            run_endpoint(&params, n)
        }
        "endpoint-arn" => {
            let mut params = s3_api::endpoint::Params::default();
            params.bucket = Some("arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint");
            params.region = Some("us-west-2");
            run_endpoint(&params, n)
        }
        "endpoint-dotted" => {
            let mut params = s3_api::endpoint::Params::default();
            params.bucket = Some("my.bucket.name");
            params.region = Some("us-west-2");
            run_endpoint(&params, n)
        }
        "endpoint-express" => {
            let mut params = s3_api::endpoint::Params::default();
            params.bucket = Some("mybucket--usw2-az1--x-s3");
            params.region = Some("us-west-2");
            run_endpoint(&params, n)
        }
        "endpoint-custom" => {
            let mut params = s3_api::endpoint::Params::default();
            params.bucket = Some("b");
            params.region = Some("us-west-2");
            params.endpoint_url = Some("http://localhost:9000");
            params.force_path_style = true;
            run_endpoint(&params, n)
        }
        "endpoint-fips" => {
            let mut params = s3_api::endpoint::Params::default();
            params.bucket = Some("amzn-s3-demo-bucket");
            params.region = Some("us-east-1");
            params.use_fips = true;
            params.use_dual_stack = true;
            run_endpoint(&params, n)
        }
        other => panic!("unknown benchmark {other}"),
    }
}
