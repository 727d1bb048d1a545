//! The crate's client against s3s-fs (crates.io), an S3 server written by
//! others that checks SigV4 when it is started with an access key and a
//! secret. Runs when `S3_S3S_FS_ENDPOINT` names it (with
//! `S3_S3S_FS_ACCESS_KEY` and `S3_S3S_FS_SECRET_KEY`), and prints one line
//! saying it was skipped otherwise; `.ci/run` installs and starts it.
//!
//! Signed header requests are accepted, a wrong secret is refused with
//! `SignatureDoesNotMatch`, and a presigned URL works from a plain HTTP
//! client (and not once its signature is wrong).

use std::io::{Read, Write};

use s3_api::client::SendError;
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketRequest};
use s3_api::operation::delete_bucket::{DeleteBucket, DeleteBucketRequest};
use s3_api::operation::head_bucket::{HeadBucket, HeadBucketRequest};
use s3_api::sign::Credentials;
use s3_api::{ProvideErrorMetadata, endpoint};

/// The status line of a plain HTTP/1.1 request for `url` (`http://host:port/path?query`).
fn plain_request(method: &str, url: &str) -> String {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn signatures_are_checked_by_s3s_fs() {
    let (Some(url), Some(key), Some(secret)) = (
        std::env::var("S3_S3S_FS_ENDPOINT")
            .ok()
            .filter(|v| !v.is_empty()),
        std::env::var("S3_S3S_FS_ACCESS_KEY").ok(),
        std::env::var("S3_S3S_FS_SECRET_KEY").ok(),
    ) else {
        println!("s3s-fs: S3_S3S_FS_ENDPOINT is not set; skipped");
        return;
    };
    let config = endpoint::Config::new()
        .with_region("us-east-1")
        .with_endpoint_url(url.clone())
        .with_force_path_style(true);
    let client = s3_api::Client::new(
        config.clone(),
        Some(Credentials::new(key.clone(), secret.clone())),
    );
    let bucket = format!(
        "s3-api-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );

    client
        .send::<CreateBucket>(&CreateBucketRequest::new(&bucket))
        .unwrap();
    client
        .send::<HeadBucket>(&HeadBucketRequest::new(&bucket))
        .unwrap();

    // The wrong secret: refused, as S3 refuses it.
    let wrong = s3_api::Client::new(
        config.clone(),
        Some(Credentials::new(key.clone(), "not-the-secret")),
    )
    .with_max_attempts(1);
    match wrong.send::<CreateBucket>(&CreateBucketRequest::new(format!("{bucket}-x"))) {
        Err(SendError::Service(e)) => {
            assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e:?}");
            assert_eq!(e.status(), 403);
        }
        other => panic!("expected SignatureDoesNotMatch, got {other:?}"),
    }

    // A presigned HeadBucket, fetched by a plain HTTP client.
    let (request, endpoint) =
        endpoint::build_request::<HeadBucket>(&config, &HeadBucketRequest::new(&bucket)).unwrap();
    let now = std::time::SystemTime::now();
    let credentials = Credentials::new(key.clone(), secret.clone());
    let presigned = s3_api::sign::presign(
        &request,
        &endpoint,
        &credentials,
        now,
        std::time::Duration::from_secs(300),
    )
    .unwrap();
    let status = plain_request("HEAD", &presigned);
    assert!(
        status.starts_with("HTTP/1.1 200"),
        "{status} for {presigned}"
    );
    // The same URL with one hex digit of the signature changed.
    let at = presigned.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let flipped = if presigned[at..].starts_with('0') {
        "1"
    } else {
        "0"
    };
    let forged = format!("{}{flipped}{}", &presigned[..at], &presigned[at + 1..]);
    let status = plain_request("HEAD", &forged);
    assert!(status.starts_with("HTTP/1.1 403"), "{status} for {forged}");

    client
        .send::<DeleteBucket>(&DeleteBucketRequest::new(&bucket))
        .unwrap();
    match client.send::<HeadBucket>(&HeadBucketRequest::new(&bucket)) {
        Err(SendError::Service(e)) => assert_eq!(e.status(), 404),
        other => panic!("expected a 404 for the deleted bucket, got {other:?}"),
    }
    println!("s3s-fs: signed requests, a wrong secret and presigned URLs behaved at {url}");
}
