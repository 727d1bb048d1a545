//! Endpoint resolution, side by side: `s3_api::endpoint::resolve` and
//! aws-sdk-s3's `DefaultResolver` on the same parameters.
//! Run: `cargo bench --bench endpoints -- --warm-up-time 1 --measurement-time 3`.
//!
//! aws-sdk-s3's `DefaultResolver` keeps a one-entry cache (the last
//! parameters and their endpoint, behind an `ArcSwap`); its uncached
//! resolver is private. So it is measured twice:
//! - `aws-sdk-s3`: a cache miss, the rules evaluated. Each call gets a fresh
//!   `DefaultResolver` (built outside the timed region); the call includes
//!   the miss's cache store (a clone of the parameters and the endpoint).
//! - `aws-sdk-s3-cache-hit`: the same parameters again on one resolver, so
//!   only the cache comparison and a clone of the cached endpoint.
//!
//! Every variant drops its endpoint inside the timed region.
//! Before benchmarking, each case is resolved by both and the URLs compared;
//! a case on which they disagree is printed and left out.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aws_sdk_s3::config::endpoint::{DefaultResolver, Params as SdkParams, ResolveEndpoint};
use aws_smithy_types::Document;
use s3_api::endpoint::{Params, resolve};

/// One set of parameters, given to both resolvers.
struct Case {
    name: &'static str,
    bucket: Option<&'static str>,
    region: &'static str,
    use_fips: bool,
    use_dual_stack: bool,
    endpoint: Option<&'static str>,
    force_path_style: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "plain-bucket",
        bucket: Some("amzn-s3-demo-bucket"),
        region: "us-west-2",
        use_fips: false,
        use_dual_stack: false,
        endpoint: None,
        force_path_style: false,
    },
    Case {
        name: "dotted-bucket",
        bucket: Some("my.bucket.name"),
        region: "us-west-2",
        use_fips: false,
        use_dual_stack: false,
        endpoint: None,
        force_path_style: false,
    },
    Case {
        name: "access-point-arn",
        bucket: Some("arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint"),
        region: "us-west-2",
        use_fips: false,
        use_dual_stack: false,
        endpoint: None,
        force_path_style: false,
    },
    Case {
        name: "express-directory-bucket",
        bucket: Some("mybucket--usw2-az1--x-s3"),
        region: "us-west-2",
        use_fips: false,
        use_dual_stack: false,
        endpoint: None,
        force_path_style: false,
    },
    Case {
        name: "custom-endpoint-path-style",
        bucket: Some("b"),
        region: "us-west-2",
        use_fips: false,
        use_dual_stack: false,
        endpoint: Some("http://localhost:9000"),
        force_path_style: true,
    },
    Case {
        name: "fips-dualstack",
        bucket: Some("amzn-s3-demo-bucket"),
        region: "us-east-1",
        use_fips: true,
        use_dual_stack: true,
        endpoint: None,
        force_path_style: false,
    },
];

impl Case {
    fn ours(&self) -> Params<'static> {
        let mut p = Params::default();
        p.bucket = self.bucket;
        p.region = Some(self.region);
        p.use_fips = self.use_fips;
        p.use_dual_stack = self.use_dual_stack;
        p.endpoint_url = self.endpoint;
        p.force_path_style = self.force_path_style;
        p
    }

    fn sdk(&self) -> SdkParams {
        SdkParams::builder()
            .set_bucket(self.bucket.map(String::from))
            .region(self.region)
            .use_fips(self.use_fips)
            .use_dual_stack(self.use_dual_stack)
            .set_endpoint(self.endpoint.map(String::from))
            .force_path_style(self.force_path_style)
            .build()
            .expect("valid aws-sdk-s3 endpoint params")
    }
}

/// The value of a future that is ready on its first poll (as
/// `EndpointFuture::ready`, which `DefaultResolver` always returns, is).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("endpoint future was not ready on its first poll"),
    }
}

fn sdk_resolve(
    resolver: &DefaultResolver,
    params: &SdkParams,
) -> Result<aws_smithy_types::endpoint::Endpoint, aws_smithy_runtime_api::box_error::BoxError> {
    now(resolver.resolve_endpoint(params))
}

/// `name` and `signingRegion` (or `signingRegionSet`) of the first auth scheme.
fn sdk_auth(endpoint: &aws_smithy_types::endpoint::Endpoint) -> String {
    let Some(first) = endpoint.auth_schemes().first() else {
        return "-".into();
    };
    let text = |key: &str| match first.get(key) {
        Some(Document::String(s)) => s.clone(),
        Some(Document::Array(items)) => items
            .iter()
            .filter_map(|d| match d {
                Document::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(","),
        _ => "-".into(),
    };
    let region = match first.get("signingRegion") {
        Some(_) => text("signingRegion"),
        None => text("signingRegionSet"),
    };
    format!("{} {}", first.name(), region)
}

fn ours_auth(endpoint: &s3_api::endpoint::Endpoint) -> String {
    match endpoint.auth_schemes().first() {
        Some(a) => format!(
            "{} {}",
            a.name,
            a.signing_region
                .map(String::from)
                .unwrap_or_else(|| a.signing_region_set.join(","))
        ),
        None => "-".into(),
    }
}

/// Resolves `case` with both and reports whether their URLs agree.
fn agree(case: &Case) -> bool {
    let ours = resolve(&case.ours());
    let sdk = sdk_resolve(&DefaultResolver::new(), &case.sdk());
    match (&ours, &sdk) {
        (Ok(o), Ok(s)) if o.url() == s.url() => {
            let (oa, sa) = (ours_auth(o), sdk_auth(s));
            eprintln!(
                "{:28} {}   auth: s3-api {oa} | aws-sdk-s3 {sa}",
                case.name,
                o.url()
            );
            if oa != sa {
                eprintln!("  note: the auth schemes differ");
            }
            let sdk_headers = s.headers().count();
            if o.headers().count() != sdk_headers {
                eprintln!(
                    "  note: s3-api gives {} header(s), aws-sdk-s3 {sdk_headers}",
                    o.headers().count()
                );
            }
            true
        }
        _ => {
            eprintln!(
                "{:28} DISAGREE, left out:\n  s3-api:     {:?}\n  aws-sdk-s3: {:?}",
                case.name,
                ours.as_ref().map(|e| e.url()),
                sdk.as_ref().map(|e| e.url())
            );
            false
        }
    }
}

fn endpoints(c: &mut Criterion) {
    for case in CASES {
        if !agree(case) {
            continue;
        }
        let ours = case.ours();
        let sdk = case.sdk();
        let mut g = c.benchmark_group(format!("endpoint/{}", case.name));
        g.bench_function("s3-api", |b| b.iter(|| resolve(black_box(&ours))));
        g.bench_function("aws-sdk-s3", |b| {
            b.iter_batched_ref(
                DefaultResolver::new,
                |resolver| drop(black_box(sdk_resolve(resolver, black_box(&sdk)))),
                BatchSize::SmallInput,
            )
        });
        let resolver = DefaultResolver::new();
        sdk_resolve(&resolver, &sdk).expect("resolves");
        g.bench_function("aws-sdk-s3-cache-hit", |b| {
            b.iter(|| sdk_resolve(&resolver, black_box(&sdk)))
        });
        g.finish();
    }
}

criterion_group!(benches, endpoints);
criterion_main!(benches);
