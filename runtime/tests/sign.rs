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
    // A header HTTP carries but SigV4 cannot sign (bytes past ASCII): an
    // error that says what to do.
    let mut copy = request.clone();
    copy.headers_mut().insert(
        "x-amz-copy-source",
        http::HeaderValue::from_bytes("b/caf\u{e9}".as_bytes()).unwrap(),
    );
    let err = sign::sign(
        &mut copy,
        &endpoint("sigv4"),
        &credentials(),
        time(),
        Payload::Signed,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("x-amz-copy-source") && text.contains("percent-encode"),
        "{text}"
    );
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

// ---------------------------------------------------------------------------
// Verifying signatures on the server side
// ---------------------------------------------------------------------------

/// The server's credentials: the documented key, and one with a token.
fn lookup(key: &str) -> Option<Credentials> {
    match key {
        "AKIAIOSFODNN7EXAMPLE" => Some(credentials()),
        "ASIATEMPORARY" => {
            Some(Credentials::new("ASIATEMPORARY", "temp-secret").with_session_token("tok"))
        }
        _ => None,
    }
}

/// A PUT with a body, signed with `creds` at `at`.
fn signed_put(creds: &Credentials, at: SystemTime, payload: Payload) -> http::Request<Vec<u8>> {
    let mut request = http::Request::builder()
        .method("PUT")
        .uri("https://examplebucket.s3.amazonaws.com/a%20key/x?partNumber=1&uploadId=u%2Bv")
        .header("host", "examplebucket.s3.amazonaws.com")
        .header("x-amz-meta-note", "  two  spaces ")
        .body(b"Welcome to Amazon S3.".to_vec())
        .unwrap();
    sign::sign(&mut request, &endpoint("sigv4"), creds, at, payload).unwrap();
    request
}

#[test]
fn the_documented_get_verifies() {
    // The documentation's request, with its documented signature.
    let request = http::Request::builder()
        .method("GET")
        .uri("/test.txt")
        .header("host", "examplebucket.s3.amazonaws.com")
        .header("range", "bytes=0-9")
        .header("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        .header("x-amz-date", "20130524T000000Z")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        .body(Vec::new())
        .unwrap();
    let verified = sign::verify(&request, lookup, time()).unwrap().unwrap();
    assert_eq!(verified.access_key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(
        (verified.region.as_str(), verified.service.as_str()),
        ("us-east-1", "s3")
    );
    assert_eq!(verified.body, sign::SignedBody::Signed);
}

#[test]
fn signatures_are_checked_with_s3_answers() {
    let code = |request: &http::Request<Vec<u8>>, at: SystemTime| {
        sign::verify(request, lookup, at)
            .map(|v| v.map(|v| v.body))
            .map_err(|e| e.code)
    };
    // Signed by the signer: accepted, body hash and all.
    let good = signed_put(&credentials(), time(), Payload::Signed);
    assert_eq!(code(&good, time()), Ok(Some(sign::SignedBody::Signed)));
    assert_eq!(
        code(&good, time() + Duration::from_secs(14 * 60)),
        Ok(Some(sign::SignedBody::Signed))
    );
    let unsigned = signed_put(&credentials(), time(), Payload::Unsigned);
    assert_eq!(
        code(&unsigned, time()),
        Ok(Some(sign::SignedBody::Unsigned))
    );

    // No signature at all: anonymous, the server's call.
    let anonymous = http::Request::builder()
        .uri("/b/k")
        .body(Vec::new())
        .unwrap();
    assert_eq!(code(&anonymous, time()), Ok(None));

    // Wrong secret, changed header, changed query, changed path.
    let wrong = signed_put(
        &Credentials::new("AKIAIOSFODNN7EXAMPLE", "wrong"),
        time(),
        Payload::Signed,
    );
    assert_eq!(code(&wrong, time()), Err("SignatureDoesNotMatch"));
    let mut changed = good.clone();
    changed
        .headers_mut()
        .insert("x-amz-meta-note", "other".parse().unwrap());
    assert_eq!(code(&changed, time()), Err("SignatureDoesNotMatch"));
    let mut requery = good.clone();
    *requery.uri_mut() =
        "https://examplebucket.s3.amazonaws.com/a%20key/x?partNumber=2&uploadId=u%2Bv"
            .parse()
            .unwrap();
    assert_eq!(code(&requery, time()), Err("SignatureDoesNotMatch"));
    let mut repath = good.clone();
    *repath.uri_mut() =
        "https://examplebucket.s3.amazonaws.com/a%20key/y?partNumber=1&uploadId=u%2Bv"
            .parse()
            .unwrap();
    assert_eq!(code(&repath, time()), Err("SignatureDoesNotMatch"));
    // An unsigned header may be added by a proxy.
    let mut proxied = good.clone();
    proxied
        .headers_mut()
        .insert("user-agent", "proxy".parse().unwrap());
    assert_eq!(code(&proxied, time()), Ok(Some(sign::SignedBody::Signed)));

    // A body that is not the one signed.
    let mut body = good.clone();
    *body.body_mut() = b"Something else.".to_vec();
    assert_eq!(code(&body, time()), Err("XAmzContentSHA256Mismatch"));

    // Unknown key, old request, bad header.
    let stranger = signed_put(
        &Credentials::new("AKIDUNKNOWN", "x"),
        time(),
        Payload::Signed,
    );
    assert_eq!(code(&stranger, time()), Err("InvalidAccessKeyId"));
    assert_eq!(
        code(&good, time() + Duration::from_secs(16 * 60)),
        Err("RequestTimeTooSkewed")
    );
    assert_eq!(
        code(&good, time() - Duration::from_secs(16 * 60)),
        Err("RequestTimeTooSkewed")
    );
    let mut malformed = good.clone();
    malformed.headers_mut().insert(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=x".parse().unwrap(),
    );
    assert_eq!(
        code(&malformed, time()),
        Err("AuthorizationHeaderMalformed")
    );

    // Session tokens: required when the key has one, and signed.
    let temporary = Credentials::new("ASIATEMPORARY", "temp-secret").with_session_token("tok");
    let with_token = signed_put(&temporary, time(), Payload::Signed);
    assert_eq!(
        code(&with_token, time()),
        Ok(Some(sign::SignedBody::Signed))
    );
    let without = signed_put(
        &Credentials::new("ASIATEMPORARY", "temp-secret"),
        time(),
        Payload::Signed,
    );
    assert_eq!(code(&without, time()), Err("InvalidToken"));
}

#[test]
fn presigned_urls_verify_until_they_expire() {
    let request = http::Request::builder()
        .method("GET")
        .uri("https://examplebucket.s3.amazonaws.com/test.txt")
        .body(Vec::<u8>::new())
        .unwrap();
    let url = sign::presign(
        &request,
        &endpoint("sigv4"),
        &credentials(),
        time(),
        Duration::from_secs(3600),
    )
    .unwrap();
    // As a server receives it: origin-form target and a host header.
    let target = url
        .strip_prefix("https://examplebucket.s3.amazonaws.com")
        .unwrap()
        .to_owned();
    let received = |target: &str| {
        http::Request::builder()
            .method("GET")
            .uri(target)
            .header("host", "examplebucket.s3.amazonaws.com")
            .header("user-agent", "curl")
            .body(Vec::<u8>::new())
            .unwrap()
    };
    let code = |request: &http::Request<Vec<u8>>, at: SystemTime| {
        sign::verify(request, lookup, at)
            .map(|v| v.map(|v| v.body))
            .map_err(|e| e.code)
    };
    assert_eq!(
        code(&received(&target), time()),
        Ok(Some(sign::SignedBody::Unsigned))
    );
    assert_eq!(
        code(&received(&target), time() + Duration::from_secs(3599)),
        Ok(Some(sign::SignedBody::Unsigned))
    );
    assert_eq!(
        code(&received(&target), time() + Duration::from_secs(3601)),
        Err("AccessDenied")
    );
    assert_eq!(
        code(&received(&target), time() - Duration::from_secs(3600)),
        Err("AccessDenied")
    );
    let tampered = target.replace("test.txt", "other.txt");
    assert_eq!(
        code(&received(&tampered), time()),
        Err("SignatureDoesNotMatch")
    );
    let extended = target.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200");
    assert_eq!(
        code(&received(&extended), time()),
        Err("SignatureDoesNotMatch")
    );
    let forever = target.replace("X-Amz-Expires=3600", "X-Amz-Expires=999999999");
    assert_eq!(
        code(&received(&forever), time()),
        Err("AuthorizationQueryParametersError")
    );
    let mut both = received(&target);
    both.headers_mut()
        .insert("authorization", "AWS4-HMAC-SHA256 x".parse().unwrap());
    assert_eq!(code(&both, time()), Err("InvalidArgument"));
}

/// S3's documented chunked upload ("Signature calculations for the
/// Authorization header: transferring payload in multiple chunks"): 66,560
/// bytes of `a` in chunks of 65,536 and 1,024 bytes, each signed.
#[test]
fn the_documented_chunked_upload_verifies_chunk_by_chunk() {
    let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let signatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];
    let chunk = |size: usize, signature: &str| {
        let mut out = format!("{size:x};chunk-signature={signature}\r\n").into_bytes();
        out.extend(std::iter::repeat_n(b'a', size));
        out.extend_from_slice(b"\r\n");
        out
    };
    let mut body = [
        chunk(65_536, signatures[0]),
        chunk(1_024, signatures[1]),
        chunk(0, signatures[2]),
    ]
    .concat();
    assert_eq!(body.len(), 66_824, "the documented content-length");
    let request = |body: Vec<u8>| {
        http::Request::builder()
            .method("PUT")
            .uri("/examplebucket/chunkObject.txt")
            .header("host", "s3.amazonaws.com")
            .header("x-amz-date", "20130524T000000Z")
            .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
            .header("authorization", format!("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature={seed}"))
            .header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
            .header("content-encoding", "aws-chunked")
            .header("x-amz-decoded-content-length", "66560")
            .header("content-length", "66824")
            .body(body)
            .unwrap()
    };
    let decode = |request: &http::Request<Vec<u8>>| {
        let verified = sign::verify(request, lookup, time()).unwrap().unwrap();
        let sign::SignedBody::Streaming {
            mode,
            mut chunks,
            seed_signature,
        } = verified.body
        else {
            panic!("not streaming: {:?}", verified.body);
        };
        assert_eq!(
            (mode.as_str(), seed_signature.as_str()),
            ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", seed)
        );
        s3_runtime::aws_chunked::decode(request.body(), 1 << 20, |_, data, signature| {
            chunks.check(data, signature)
        })
    };
    let decoded = decode(&request(body.clone())).unwrap();
    assert_eq!(decoded.data, vec![b'a'; 66_560]);
    // What a server does: the request's body becomes the data.
    let mut received = request(body.clone());
    let verified = sign::verify(&received, lookup, time()).unwrap().unwrap();
    sign::read_chunked(&mut received, verified.body, 1 << 20).unwrap();
    assert_eq!(received.body().len(), 66_560);
    assert_eq!(received.headers()["content-length"], "66560");
    assert!(!received.headers().contains_key("content-encoding"));
    let mut small = request(body.clone());
    let verified = sign::verify(&small, lookup, time()).unwrap().unwrap();
    let error = sign::read_chunked(&mut small, verified.body, 1_000).unwrap_err();
    assert_eq!(error.code(), "EntityTooLarge");
    // A changed byte in the second chunk: its signature no longer holds.
    body[65_536 + 200] = b'b';
    assert_eq!(
        decode(&request(body)).unwrap_err(),
        s3_runtime::aws_chunked::ChunkError::SignatureMismatch { chunk: 1 }
    );
}
