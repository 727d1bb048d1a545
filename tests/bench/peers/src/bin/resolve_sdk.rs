//! Resolves one endpoint with aws-sdk-s3's `DefaultResolver`, from
//! parameters on the command line (so that nothing is constant-folded), for
//! ../../../endpoint_size.sh. Usage:
//! `resolve_sdk BUCKET REGION FIPS(0|1) DUALSTACK(0|1) ENDPOINT FORCE_PATH_STYLE(0|1)`,
//! `-` for an absent string.

use aws_sdk_s3::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = |i: usize| args.get(i).map(String::as_str).filter(|s| *s != "-");
    let flag = |i: usize| text(i) == Some("1");
    let params = Params::builder()
        .set_bucket(text(0).map(String::from))
        .set_region(text(1).map(String::from))
        .use_fips(flag(2))
        .use_dual_stack(flag(3))
        .set_endpoint(text(4).map(String::from))
        .force_path_style(flag(5))
        .build()
        .expect("valid params");
    let resolver = DefaultResolver::new();
    let mut future = pin!(resolver.resolve_endpoint(&params));
    let Poll::Ready(result) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("endpoint future was not ready on its first poll");
    };
    match result {
        Ok(endpoint) => println!("{}", endpoint.url()),
        Err(error) => println!("error: {error}"),
    }
}
