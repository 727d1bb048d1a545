//! S3's trait-driven rules on operations of the official model, checked at
//! run time on the crate generated from it (`official_ops`). Added to the
//! generated crate as `tests/behaviour.rs` by `tests/official_ops.rs`.

use official_ops::{Input, Operation, StreamingInput, StreamingOutput};
use official_ops::operation::get_bucket_location::GetBucketLocation;
use official_ops::operation::get_object::{GetObjectOutput, GetObjectRequest};
use official_ops::operation::put_bucket_tagging::PutBucketTaggingRequest;
use official_ops::operation::put_object::PutObjectRequest;
use official_ops::types::{BucketLocationConstraint, ChecksumAlgorithm, Tag, Tagging};

// ---------------------------------------------------------------------------
// Independent digests: written here from their specifications (RFC 1321,
// RFC 4648, the reflected CRC-32 of ISO-HDLC), not taken from the crate.

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn md5(message: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    // K[i] = floor(|sin(i + 1)| * 2^32), as RFC 1321 defines it.
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut data = message.to_vec();
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&((message.len() as u64).wrapping_mul(8)).to_le_bytes());
    let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for block in data.chunks(64) {
        let m: Vec<u32> = block
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(k[i])
                .wrapping_add(m[g])
                .rotate_left(S[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        state = [
            state[0].wrapping_add(a),
            state[1].wrapping_add(b),
            state[2].wrapping_add(c),
            state[3].wrapping_add(d),
        ];
    }
    let mut out = [0u8; 16];
    for (i, word) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// CRC-32 (ISO-HDLC, the one of zlib and `x-amz-checksum-crc32`), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_independent_digests_match_known_values() {
    // RFC 1321 test suite and RFC 4648 test vectors.
    assert_eq!(base64(&md5(b"")), "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_eq!(
        md5(b"abc"),
        [
            0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1,
            0x7f, 0x72
        ]
    );
    assert_eq!(base64(b"foob"), "Zm9vYg==");
    assert_eq!(base64(b"fooba"), "Zm9vYmE=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    // The CRC-32 check value.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

// ---------------------------------------------------------------------------
// PutBucketTagging: httpChecksum with requestChecksumRequired.

/// The body the request below carries, byte for byte.
const TAGGING_BODY: &str = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>";

/// base64(MD5(TAGGING_BODY)), computed once outside Rust:
/// python3 -c 'import hashlib,base64;print(base64.b64encode(hashlib.md5(b"<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>").digest()).decode())'
const TAGGING_BODY_MD5: &str = "67w9ySrt15nPe9VN6M9m/w==";

fn tagging_request() -> PutBucketTaggingRequest {
    PutBucketTaggingRequest::new("bucket", Tagging::new(vec![Tag::new("env", "prod")]))
}

fn checksum_headers(headers: &http::HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k == "content-md5" || k.starts_with("x-amz-checksum-"))
        .collect()
}

#[test]
fn put_bucket_tagging_without_an_algorithm_carries_content_md5() {
    let request = tagging_request().to_http_request().unwrap();
    let body = request.body();
    assert_eq!(std::str::from_utf8(body).unwrap(), TAGGING_BODY);
    let md5_header = request.headers()["content-md5"].to_str().unwrap();
    assert_eq!(md5_header, base64(&md5(body)));
    assert_eq!(md5_header, TAGGING_BODY_MD5);
    assert_eq!(md5_header, official_ops::checksum::content_md5(body));
    assert_eq!(checksum_headers(request.headers()), ["content-md5"]);
    assert_eq!(request.headers()["content-length"], body.len().to_string());
}

#[test]
fn put_bucket_tagging_with_crc32_carries_that_checksum_and_no_content_md5() {
    let request = tagging_request()
        .with_checksum_algorithm(ChecksumAlgorithm::Crc32)
        .to_http_request()
        .unwrap();
    let body = request.body();
    assert_eq!(std::str::from_utf8(body).unwrap(), TAGGING_BODY);
    let crc = request.headers()["x-amz-checksum-crc32"].to_str().unwrap();
    assert_eq!(crc, base64(&crc32(body).to_be_bytes()));
    assert_eq!(
        checksum_headers(request.headers()),
        ["x-amz-checksum-crc32"]
    );
    assert_eq!(request.headers()["x-amz-sdk-checksum-algorithm"], "CRC32");
}

#[test]
fn put_bucket_tagging_keeps_a_checksum_the_caller_set() {
    // Not the MD5 of the body: the caller's value is sent as it is.
    let request = tagging_request()
        .with_content_md5("AAAAAAAAAAAAAAAAAAAAAA==")
        .to_http_request()
        .unwrap();
    assert_eq!(
        request
            .headers()
            .get_all("content-md5")
            .iter()
            .collect::<Vec<_>>(),
        ["AAAAAAAAAAAAAAAAAAAAAA=="]
    );
    assert_eq!(checksum_headers(request.headers()), ["content-md5"]);
}

// ---------------------------------------------------------------------------
// GetBucketLocation: s3UnwrappedXmlOutput.

fn location_response(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/xml")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn get_bucket_location_reads_the_root_element_as_the_value() {
    let response = location_response(
        r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>"#,
    );
    let output = GetBucketLocation::parse_response(&response).unwrap();
    assert_eq!(
        output.location_constraint,
        Some(BucketLocationConstraint::EuWest1)
    );
    assert_eq!(output.location_constraint.unwrap().as_str(), "eu-west-1");
}

#[test]
fn get_bucket_location_reports_us_east_1_as_empty() {
    // S3 answers an empty element for buckets in us-east-1.
    let response = location_response(
        r#"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#,
    );
    let output = GetBucketLocation::parse_response(&response).unwrap();
    let value = output
        .location_constraint
        .as_ref()
        .map_or("", BucketLocationConstraint::as_str);
    assert_eq!(value, "", "{output:?}");
}

// ---------------------------------------------------------------------------
// PutObject / GetObject: sensitive members, streaming bodies, greedy labels.

const SECRET_KEY: &str = "c2VjcmV0LWN1c3RvbWVyLWtleS0wMTIzNDU2Nzg5YWI=";

#[test]
fn put_object_debug_redacts_the_customer_key() {
    let input = PutObjectRequest::new("bucket", "key")
        .with_sse_customer_algorithm("AES256")
        .with_sse_customer_key(SECRET_KEY);
    let printed = format!("{input:?}");
    assert!(!printed.contains(SECRET_KEY), "{printed}");
    assert!(printed.contains("Redacted"), "{printed}");
    let pretty = format!("{input:#?}");
    assert!(!pretty.contains(SECRET_KEY), "{pretty}");
    // The key is still sent: redaction is for printing only.
    let request = input.to_http_request().unwrap();
    assert_eq!(
        request.headers()["x-amz-server-side-encryption-customer-key"],
        SECRET_KEY
    );
}

#[test]
fn put_object_with_body_keeps_a_large_body_without_copying_it() {
    const LEN: usize = 10 * 1024 * 1024;
    let body = vec![7u8; LEN];
    let address = body.as_ptr();
    let request = PutObjectRequest::new("bucket", "big")
        .with_content_length(LEN as i64)
        .to_http_request_with_body(body)
        .unwrap();
    assert_eq!(request.body().as_ptr(), address, "the body was copied");
    assert_eq!(request.body().len(), LEN);
    assert_eq!(request.headers()["content-length"], LEN.to_string());
    assert!(
        checksum_headers(request.headers()).is_empty(),
        "{:?}",
        request.headers()
    );
}

/// A body the crate knows nothing about: chunks handed out one at a time.
struct Chunks {
    chunks: std::vec::IntoIter<Vec<u8>>,
}

impl Iterator for Chunks {
    type Item = Vec<u8>;
    fn next(&mut self) -> Option<Vec<u8>> {
        self.chunks.next()
    }
}

#[test]
fn put_object_with_body_takes_any_body_type_and_checksums_only_from_members() {
    let chunks: Vec<Vec<u8>> = vec![b"hello ".to_vec(), b"world".to_vec()];
    let whole: Vec<u8> = chunks.concat();
    let crc = base64(&crc32(&whole).to_be_bytes());

    // An algorithm without its checksum member: the crate does not make one
    // up (it has not seen the body).
    let request = PutObjectRequest::new("bucket", "stream")
        .with_content_length(whole.len() as i64)
        .with_checksum_algorithm(ChecksumAlgorithm::Crc32)
        .to_http_request_with_body(Chunks {
            chunks: chunks.clone().into_iter(),
        })
        .unwrap();
    assert_eq!(request.headers()["content-length"], "11");
    assert!(
        checksum_headers(request.headers()).is_empty(),
        "{:?}",
        request.headers()
    );
    assert_eq!(request.headers()["x-amz-sdk-checksum-algorithm"], "CRC32");
    let (_, body) = request.into_parts();
    assert_eq!(body.collect::<Vec<_>>(), chunks);

    // The checksum computed while streaming, given through its member.
    let request = PutObjectRequest::new("bucket", "stream")
        .with_content_length(whole.len() as i64)
        .with_checksum_algorithm(ChecksumAlgorithm::Crc32)
        .with_checksum_crc32(crc.clone())
        .to_http_request_with_body(Chunks {
            chunks: chunks.clone().into_iter(),
        })
        .unwrap();
    assert_eq!(request.headers()["x-amz-checksum-crc32"], crc.as_str());
    assert_eq!(
        checksum_headers(request.headers()),
        ["x-amz-checksum-crc32"]
    );
    let mut hasher =
        official_ops::checksum::Hasher::new(official_ops::checksum::ChecksumAlgorithm::Crc32);
    for chunk in &chunks {
        hasher.update(chunk);
    }
    assert_eq!(hasher.header_value(), crc);

    // Content-MD5 likewise only from its member.
    let md5_value = base64(&md5(&whole));
    let request = PutObjectRequest::new("bucket", "stream")
        .with_content_md5(md5_value.clone())
        .to_http_request_with_body(whole.clone())
        .unwrap();
    assert_eq!(request.headers()["content-md5"], md5_value.as_str());
    assert_eq!(checksum_headers(request.headers()), ["content-md5"]);
    assert_eq!(request.body(), &whole);
}

#[test]
fn get_object_output_reads_the_head_without_a_body() {
    let (parts, ()) = http::Response::builder()
        .status(200)
        .header("etag", "\"9b2cf535f27731c974343645a3985328\"")
        .header("content-length", "10485760")
        .header("content-type", "application/octet-stream")
        .header("x-amz-meta-owner", "alice")
        .header("x-amz-meta-project", "apollo")
        .header("x-amz-request-id", "0A49CE4060975EAC")
        .body(())
        .unwrap()
        .into_parts();
    let output = GetObjectOutput::from_response_head(&parts).unwrap();
    assert_eq!(
        output.e_tag.as_deref(),
        Some("\"9b2cf535f27731c974343645a3985328\"")
    );
    assert_eq!(output.content_length, Some(10_485_760));
    assert_eq!(
        output.content_type.as_deref(),
        Some("application/octet-stream")
    );
    let metadata = output.metadata.as_ref().expect("metadata");
    assert_eq!(metadata.len(), 2, "{metadata:?}");
    assert_eq!(metadata["owner"], "alice");
    assert_eq!(metadata["project"], "apollo");
    assert_eq!(output.body, None);
}

#[test]
fn greedy_key_label_keeps_slashes_and_dot_segments() {
    let key = "a/../b/./c d";
    let put = PutObjectRequest::new("bucket", key)
        .to_http_request()
        .unwrap();
    assert_eq!(put.uri().path(), "/bucket/a/../b/./c%20d");
    let put_streaming = PutObjectRequest::new("bucket", key)
        .to_http_request_with_body(())
        .unwrap();
    assert_eq!(put_streaming.uri().path(), "/bucket/a/../b/./c%20d");
    let get = GetObjectRequest::new("bucket", key)
        .to_http_request()
        .unwrap();
    assert_eq!(get.uri().path(), "/bucket/a/../b/./c%20d");
}
