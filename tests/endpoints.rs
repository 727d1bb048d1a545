//! The generated endpoint resolver of `s3-api` on inputs nobody wrote a
//! test case for: random parameters built from the pieces the rules look
//! for (ARNs, S3 Express suffixes, dots, ports, odd bytes). Whatever comes
//! in, `resolve` returns a value (never panics), the same value twice, an
//! http(s) URL with auth schemes, or the rule's non-empty message; and a
//! full request carries its endpoint's host, or fails with an error.

use s3_api::endpoint::{self, Config, Params};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationRequest,
};
use s3_api::types::{AnalyticsConfiguration, StorageClassAnalysis};

/// A small deterministic generator (the failing seed is in the message).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// A string of 0 to 5 pieces.
    fn text(&mut self, pieces: &[&str]) -> String {
        (0..self.below(6)).map(|_| self.pick(pieces)).collect()
    }
}

const BUCKET_PIECES: &[&str] = &[
    "bucket",
    "my.bucket",
    "a",
    "-",
    ".",
    "--x-s3",
    "--usw2-az1",
    "--xa-s3",
    "--op-s3",
    "arn:",
    "aws",
    ":s3:",
    "us-west-2",
    ":123456789012:",
    "accesspoint",
    ":",
    "/",
    "outpost",
    "op-01234567890123456",
    "mrap.mrap",
    "s3-object-lambda",
    "UPPER",
    "é",
    " ",
    "%",
    "\u{0}",
    "192.168.0.1",
    "xn--",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
];
const REGION_PIECES: &[&str] = &[
    "us-west-2",
    "us-east-1",
    "cn-north-1",
    "us-gov-west-1",
    "eu",
    "-",
    "aws-global",
    "a b",
    "us-iso-east-1",
    "eusc-de-east-1",
    ".",
    "",
    "snow",
    "é",
];
const ENDPOINT_PIECES: &[&str] = &[
    "http://",
    "https://",
    "ftp://",
    "localhost",
    ":9000",
    "/path",
    "?q",
    "#f",
    "[::1]",
    "127.0.0.1",
    "example.com",
    "/",
    "@",
    "%20",
];

fn random_params<'a>(rng: &mut Lcg, strings: &'a [String; 4]) -> Params<'a> {
    let mut p = Params::default();
    let flag = |rng: &mut Lcg| rng.below(4) == 0;
    p.bucket = (!strings[0].is_empty() || flag(rng)).then_some(strings[0].as_str());
    p.region = (!strings[1].is_empty() || flag(rng)).then_some(strings[1].as_str());
    p.endpoint_url = (!strings[2].is_empty() && flag(rng)).then_some(strings[2].as_str());
    p.key = flag(rng).then_some(strings[3].as_str());
    p.use_fips = flag(rng);
    p.use_dual_stack = flag(rng);
    p.force_path_style = flag(rng);
    p.accelerate = flag(rng);
    p.use_global_endpoint = flag(rng);
    p.disable_multi_region_access_points = flag(rng);
    p.use_arn_region = flag(rng).then(|| flag(rng));
    p.use_object_lambda_endpoint = flag(rng).then(|| flag(rng));
    p.use_s3_express_control_endpoint = flag(rng).then(|| flag(rng));
    p.disable_access_points = flag(rng).then(|| flag(rng));
    p.disable_s3_express_session_auth = flag(rng).then(|| flag(rng));
    p
}

#[test]
fn random_params_resolve_to_a_url_or_a_message() {
    let mut rng = Lcg(0x00E1_D901);
    let (mut endpoints, mut errors) = (0, 0);
    for i in 0..20_000 {
        let strings = [
            rng.text(BUCKET_PIECES),
            rng.text(REGION_PIECES),
            rng.text(ENDPOINT_PIECES),
            rng.text(BUCKET_PIECES),
        ];
        let params = random_params(&mut rng, &strings);
        let first = endpoint::resolve(&params);
        assert_eq!(first, endpoint::resolve(&params), "case {i}: {params:?}");
        match first {
            Ok(e) => {
                endpoints += 1;
                // The rules put some values into the URL unchecked (a
                // region with a space, on some branches, as botocore does
                // too): such a URL is the caller's to refuse, and building a
                // request on it is an error (see below), never a panic.
                assert!(
                    e.url().starts_with("https://") || e.url().starts_with("http://"),
                    "case {i}: {params:?} gave {}",
                    e.url()
                );
                if let Ok(uri) = e.url().parse::<http::Uri>() {
                    assert!(uri.authority().is_some(), "case {i}: {}", e.url());
                }
                assert!(
                    !e.auth_schemes().is_empty(),
                    "case {i}: no auth scheme in {e:?}"
                );
            }
            Err(e) => {
                errors += 1;
                assert!(!e.message.is_empty(), "case {i}: {params:?}");
            }
        }
    }
    // The pieces reach both kinds of outcome often.
    assert!(
        endpoints > 2_000 && errors > 2_000,
        "{endpoints} endpoints, {errors} errors"
    );
}

#[test]
fn random_buckets_build_requests_at_their_endpoint() {
    let mut rng = Lcg(0x00B0_C4E7);
    let mut built = 0;
    for i in 0..5_000 {
        let bucket = rng.text(BUCKET_PIECES);
        let region = rng.text(REGION_PIECES);
        let mut config = Config::new().with_region(region.clone());
        config.force_path_style = rng.below(3) == 0;
        config.use_dual_stack = rng.below(3) == 0;
        let input = PutBucketAnalyticsConfigurationRequest::new(
            bucket.clone(),
            "id",
            AnalyticsConfiguration::new("id", StorageClassAnalysis::default()),
        );
        match endpoint::build_request::<PutBucketAnalyticsConfiguration>(&config, &input) {
            Ok((request, endpoint)) => {
                built += 1;
                let host = request.headers()["host"].to_str().unwrap().to_owned();
                let authority = request.uri().authority().map(|a| a.as_str().to_owned());
                assert_eq!(
                    Some(host.clone()),
                    authority,
                    "case {i}: {bucket:?} in {region:?}"
                );
                assert!(
                    endpoint.url().contains(&host),
                    "case {i}: {host} is not the host of {}",
                    endpoint.url()
                );
            }
            Err(e) => assert!(!e.to_string().is_empty(), "case {i}"),
        }
    }
    assert!(built > 500, "{built} requests built");
}
