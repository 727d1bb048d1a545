//! SigV4 signing against the worked examples of Amazon S3's documentation
//! ("Signature Calculations for the Authorization Header" and "Query
//! String Authentication"): the same request, credentials and time give
//! the documented signature.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use s3_runtime::endpoint::{Endpoint, Value};
use s3_runtime::sign::{self, Credentials, Payload, SignError};

/// An endpoint built from values, as a resolver written by hand would.
fn endpoint_of(
    url: &str,
    properties: Vec<(&'static str, Value)>,
    headers: Vec<(&'static str, Vec<String>)>,
) -> Endpoint {
    let mut endpoint = Endpoint::new(url);
    for (name, value) in properties {
        endpoint = endpoint.with_property(name, value);
    }
    for (name, values) in headers {
        endpoint = endpoint.with_header(name, values);
    }
    endpoint
}

/// 2013-05-24T00:00:00Z, the examples' time.
fn time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_369_353_600)
}

fn credentials() -> Credentials {
    Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
}

/// An endpoint whose auth scheme is S3's SigV4 in us-east-1.
fn endpoint(name: &str) -> Endpoint {
    endpoint_of(
        "https://examplebucket.s3.amazonaws.com",
        vec![(
            "authSchemes",
            Value::Array(vec![Value::Object(vec![
                ("disableDoubleEncoding", Value::Bool(true)),
                ("name", Value::String(name.to_owned().into())),
                ("signingName", Value::from("s3")),
                ("signingRegion", Value::from("us-east-1")),
            ])]),
        )],
        vec![],
    )
}

#[test]
fn get_object_matches_the_documented_signature() {
    let mut request = http::Request::builder()
        .method("GET")
        .uri("https://examplebucket.s3.amazonaws.com/test.txt")
        .header("host", "examplebucket.s3.amazonaws.com")
        .header("range", "bytes=0-9")
        .body(Vec::new())
        .unwrap();
    sign::sign(
        &mut request,
        &endpoint("sigv4"),
        &credentials(),
        time(),
        Payload::Signed,
    )
    .unwrap();
    let h = request.headers();
    assert_eq!(h["x-amz-date"], "20130524T000000Z");
    assert_eq!(
        h["x-amz-content-sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        h["authorization"],
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    assert!(h["authorization"].is_sensitive());
}

/// The documented GET's authorization, signed with `credentials` at `at`
/// for an endpoint in `region`.
fn authorization_of_get(credentials: &Credentials, at: SystemTime, region: &str) -> String {
    let mut request = http::Request::builder()
        .method("GET")
        .uri("https://examplebucket.s3.amazonaws.com/test.txt")
        .header("host", "examplebucket.s3.amazonaws.com")
        .header("range", "bytes=0-9")
        .body(Vec::new())
        .unwrap();
    let endpoint = endpoint_of(
        "https://examplebucket.s3.amazonaws.com",
        vec![(
            "authSchemes",
            Value::Array(vec![Value::Object(vec![
                ("disableDoubleEncoding", Value::Bool(true)),
                ("name", Value::from("sigv4")),
                ("signingName", Value::from("s3")),
                ("signingRegion", Value::String(region.to_owned().into())),
            ])]),
        )],
        vec![],
    );
    sign::sign(&mut request, &endpoint, credentials, at, Payload::Signed).unwrap();
    request.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_signing_key_follows_the_day_and_region() {
    // The credentials keep their last signing key: a new day or region
    // must derive another, and the documented one must come back after.
    let documented = "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    let credentials = credentials();
    let first = authorization_of_get(&credentials, time(), "us-east-1");
    assert!(first.ends_with(documented), "{first}");
    let next_day = authorization_of_get(
        &credentials,
        time() + Duration::from_secs(86_400),
        "us-east-1",
    );
    let other_region = authorization_of_get(&credentials, time(), "eu-west-1");
    assert!(next_day.contains("/20130525/us-east-1/s3/"), "{next_day}");
    assert!(
        other_region.contains("/20130524/eu-west-1/s3/"),
        "{other_region}"
    );
    // Each equals what fresh credentials (no remembered key) give.
    assert_eq!(
        next_day,
        authorization_of_get(
            &fresh_credentials(),
            time() + Duration::from_secs(86_400),
            "us-east-1"
        )
    );
    assert_eq!(
        other_region,
        authorization_of_get(&fresh_credentials(), time(), "eu-west-1")
    );
    assert_eq!(
        authorization_of_get(&credentials, time(), "us-east-1"),
        first
    );
    // A clone keeps working with its own copy of the key.
    let clone = credentials.clone();
    assert_eq!(authorization_of_get(&clone, time(), "us-east-1"), first);
    assert_eq!(clone, credentials);
    // Another secret under the same key id signs differently.
    let other = Credentials::new("AKIAIOSFODNN7EXAMPLE", "another secret");
    assert_ne!(authorization_of_get(&other, time(), "us-east-1"), first);
    assert_ne!(other, credentials);
}

fn fresh_credentials() -> Credentials {
    credentials()
}

#[test]
fn presigned_get_matches_the_documented_url() {
    let request = http::Request::builder()
        .method("GET")
        .uri("https://examplebucket.s3.amazonaws.com/test.txt")
        .header("host", "examplebucket.s3.amazonaws.com")
        .header("x-ignored", "not signed")
        .body(Vec::<u8>::new())
        .unwrap();
    let url = sign::presign(
        &request,
        &endpoint("sigv4"),
        &credentials(),
        time(),
        Duration::from_secs(86_400),
    )
    .unwrap();
    assert_eq!(
        url,
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}

#[test]
fn body_session_token_and_unsigned_payload() {
    let body = b"Welcome to Amazon S3.".to_vec();
    let build = || {
        http::Request::builder()
            .method("PUT")
            .uri("https://examplebucket.s3.amazonaws.com/test$file.text")
            .header("host", "examplebucket.s3.amazonaws.com")
            .body(body.clone())
            .unwrap()
    };
    let mut signed = build();
    let with_token = credentials().with_session_token("token/+=");
    sign::sign(
        &mut signed,
        &endpoint("sigv4"),
        &with_token,
        time(),
        Payload::Signed,
    )
    .unwrap();
    let h = signed.headers();
    // The body's SHA-256, and the token, signed.
    assert_eq!(
        h["x-amz-content-sha256"],
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    );
    assert_eq!(h["x-amz-security-token"], "token/+=");
    let auth = h["authorization"].to_str().unwrap();
    assert!(
        auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "),
        "{auth}"
    );
    let mut unsigned = build();
    sign::sign(
        &mut unsigned,
        &endpoint("sigv4"),
        &credentials(),
        time(),
        Payload::Unsigned,
    )
    .unwrap();
    assert_eq!(
        unsigned.headers()["x-amz-content-sha256"],
        "UNSIGNED-PAYLOAD"
    );
    assert_ne!(
        unsigned.headers()["authorization"],
        signed.headers()["authorization"]
    );
    // The secret never shows in Debug.
    assert!(!format!("{with_token:?}").contains("EXAMPLEKEY"));
}

#[test]
fn unsupported_schemes_and_bad_expiries_are_errors() {
    let mut request = http::Request::builder()
        .uri("https://examplebucket.s3.amazonaws.com/")
        .body(Vec::new())
        .unwrap();
    let err = sign::sign(
        &mut request,
        &endpoint("sigv4a"),
        &credentials(),
        time(),
        Payload::Signed,
    )
    .unwrap_err();
    assert_eq!(err, SignError::UnsupportedAuthScheme(vec!["sigv4a".into()]));
    assert!(err.to_string().contains("sigv4a"));
    let none = Endpoint::new("https://example.com");
    assert!(sign::sign(&mut request, &none, &credentials(), time(), Payload::Signed).is_err());
    for expires in [0, 7 * 24 * 3600 + 1] {
        assert!(
            sign::presign(
                &request,
                &endpoint("sigv4"),
                &credentials(),
                time(),
                Duration::from_secs(expires)
            )
            .is_err()
        );
    }
}
