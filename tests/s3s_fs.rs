//! The crate's client against s3s-fs (crates.io), an S3 server written by
//! others that checks SigV4 when it is started with an access key and a
//! secret. Runs when `S3_S3S_FS_ENDPOINT` names it (with
//! `S3_S3S_FS_ACCESS_KEY` and `S3_S3S_FS_SECRET_KEY`), and prints one line
//! saying it was skipped otherwise; `.ci/run` installs and starts it.
//!
//! Signed header requests are accepted (buckets, and objects whose keys
//! need encoding: put, get, listed, deleted), a wrong secret is refused with
//! `SignatureDoesNotMatch`, and presigned URLs (HeadBucket, GetObject)
//! work from a plain HTTP client (and not once a signature is wrong).

use std::io::{Read, Write};

use s3_api::client::SendError;
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketRequest};
use s3_api::operation::delete_bucket::{DeleteBucket, DeleteBucketRequest};
use s3_api::operation::delete_object::{DeleteObject, DeleteObjectRequest};
use s3_api::operation::get_object::{GetObject, GetObjectRequest};
use s3_api::operation::head_bucket::{HeadBucket, HeadBucketRequest};
use s3_api::operation::list_objects_v2::{ListObjectsV2, ListObjectsV2Request};
use s3_api::operation::put_object::{PutObject, PutObjectRequest};
use s3_api::sign::Credentials;
use s3_api::{ProvideErrorMetadata, endpoint};

/// The status line of a plain HTTP/1.1 request for `url` (`http://host:port/path?query`).
fn plain_request(method: &str, url: &str) -> String {
    plain_exchange(method, url).0
}

/// The status line and the body of a plain HTTP/1.1 request for `url`.
fn plain_exchange(method: &str, url: &str) -> (String, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let body = response.get(split + 4..).unwrap_or_default().to_vec();
    (head.lines().next().unwrap_or_default().to_owned(), body)
}

/// Keys that need percent-encoding in a path: a space, reserved and
/// non-ASCII characters, and slashes that stay slashes.
const KEYS: &[&str] = &[
    "dir one/na\u{ef}ve+\u{fc}%?&=#.txt",
    "a/b/~tilde*star(1);semi,comma@at$.bin",
];

/// An endless reader of `pattern(0), pattern(1), ...`.
struct Pattern<F> {
    at: u64,
    pattern: F,
}

impl<F: Fn(u64) -> u8> Read for Pattern<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        for byte in buf.iter_mut() {
            *byte = (self.pattern)(self.at);
            self.at += 1;
        }
        Ok(buf.len())
    }
}

/// Objects: put, get (signed and through a presigned URL fetched by a plain
/// HTTP client), listed, deleted, with keys that need encoding.
fn objects(
    client: &s3_api::Client,
    config: &endpoint::Config,
    credentials: &Credentials,
    bucket: &str,
) {
    for (i, key) in KEYS.iter().enumerate() {
        let body = format!("object {i}: {key}\n").repeat(100).into_bytes();
        let put = client
            .send::<PutObject>(
                &PutObjectRequest::new(bucket, *key)
                    .with_body(body.clone())
                    .with_content_type("text/plain"),
            )
            .unwrap();
        assert!(put.e_tag.is_some(), "{put:?}");
        let got = client
            .send::<GetObject>(&GetObjectRequest::new(bucket, *key))
            .unwrap();
        assert_eq!(got.body.as_deref(), Some(&body[..]), "{key}");
        assert_eq!(got.content_length, Some(body.len() as i64));

        let (request, endpoint) =
            endpoint::build_request::<GetObject>(config, &GetObjectRequest::new(bucket, *key))
                .unwrap();
        let url = s3_api::sign::presign(
            &request,
            &endpoint,
            credentials,
            std::time::SystemTime::now(),
            std::time::Duration::from_secs(300),
        )
        .unwrap();
        let (status, fetched) = plain_exchange("GET", &url);
        assert!(status.starts_with("HTTP/1.1 200"), "{status} for {url}");
        assert_eq!(fetched, body, "presigned GET of {key}");
    }

    // A body streamed from a reader (never in memory whole), and read back
    // as a stream.
    let key = "streamed/big object.bin";
    let length: u64 = 3 << 20;
    let pattern = |i: u64| (i.wrapping_mul(2_654_435_761) >> 13) as u8;
    let reader = std::io::Read::take(Pattern { at: 0, pattern }, length);
    let put = client
        .send_body::<PutObject>(&PutObjectRequest::new(bucket, key), reader, length)
        .unwrap();
    assert!(put.e_tag.is_some(), "{put:?}");
    let (head, mut body) = client
        .send_streaming::<GetObject>(&GetObjectRequest::new(bucket, key))
        .unwrap();
    assert_eq!(head.content_length, Some(length as i64));
    assert!(head.body.is_none());
    let mut at = 0u64;
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = body.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        for byte in &chunk[..n] {
            assert_eq!(*byte, pattern(at), "byte {at} of the streamed object");
            at += 1;
        }
    }
    assert_eq!(at, length);
    client
        .send::<DeleteObject>(&DeleteObjectRequest::new(bucket, key))
        .unwrap();

    // Streamed again with checksums when supported: aws-chunked with the
    // CRC32 in a trailer, which s3s-fs decodes.
    let summing = s3_api::Client::new(config.clone(), Some(credentials.clone()))
        .with_checksums(s3_api::client::RequestChecksums::WhenSupported);
    let length: u64 = 200_000;
    let reader = std::io::Read::take(Pattern { at: 0, pattern }, length);
    summing
        .send_body::<PutObject>(&PutObjectRequest::new(bucket, key), reader, length)
        .unwrap();
    let got = client
        .send::<GetObject>(&GetObjectRequest::new(bucket, key))
        .unwrap();
    let expected: Vec<u8> = (0..length).map(pattern).collect();
    assert_eq!(
        got.body.as_deref(),
        Some(&expected[..]),
        "the trailer upload"
    );
    client
        .send::<DeleteObject>(&DeleteObjectRequest::new(bucket, key))
        .unwrap();

    let listed = client
        .send::<ListObjectsV2>(&ListObjectsV2Request::new(bucket))
        .unwrap();
    let mut keys: Vec<&str> = listed
        .contents
        .iter()
        .flatten()
        .filter_map(|o| o.key.as_deref())
        .collect();
    keys.sort_unstable();
    let mut expected = KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let under = client
        .send::<ListObjectsV2>(&ListObjectsV2Request::new(bucket).with_prefix("dir one/"))
        .unwrap();
    assert_eq!(under.key_count, Some(1), "{under:?}");

    for key in KEYS {
        client
            .send::<DeleteObject>(&DeleteObjectRequest::new(bucket, *key))
            .unwrap();
        match client.send::<GetObject>(&GetObjectRequest::new(bucket, *key)) {
            Err(SendError::Service(e)) => assert_eq!(e.code(), Some("NoSuchKey"), "{e:?}"),
            other => panic!("expected NoSuchKey for the deleted {key}, got {other:?}"),
        }
    }
    let listed = client
        .send::<ListObjectsV2>(&ListObjectsV2Request::new(bucket))
        .unwrap();
    assert!(listed.contents.unwrap_or_default().is_empty());
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
    objects(
        &client,
        &config,
        &Credentials::new(key.clone(), secret.clone()),
        &bucket,
    );

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
