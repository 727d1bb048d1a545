//! Resolves one endpoint with `s3_api::endpoint::resolve`, from parameters
//! on the command line (so that nothing is constant-folded), for
//! ../../../endpoint_size.sh. Usage:
//! `resolve_ours BUCKET REGION FIPS(0|1) DUALSTACK(0|1) ENDPOINT FORCE_PATH_STYLE(0|1)`,
//! `-` for an absent string.

use s3_api::endpoint::{Params, resolve};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = |i: usize| args.get(i).map(String::as_str).filter(|s| *s != "-");
    let flag = |i: usize| text(i) == Some("1");
    let mut params = Params::default();
    params.bucket = text(0);
    params.region = text(1);
    params.use_fips = flag(2);
    params.use_dual_stack = flag(3);
    params.endpoint_url = text(4);
    params.force_path_style = flag(5);
    match resolve(&params) {
        Ok(endpoint) => println!("{}", endpoint.url()),
        Err(error) => println!("error: {error}"),
    }
}
