//! Request compression (`smithy.api#requestCompression`, cargo feature
//! `compression`): gzip, the one encoding Smithy defines.
//!
//! A client compresses the body of an operation with the trait when it has
//! at least [`MIN_SIZE`] bytes (Smithy's default threshold), before any
//! checksum and the signature, and appends `gzip` to `Content-Encoding`
//! after an encoding the caller set. A server decodes such a body (at most
//! [`MAX_DECODED`] bytes of it) before reading the request, after the
//! checksum of the bytes received was checked. A streamed body is never
//! compressed.
//!
//! Generated crates turn the feature on only when an operation of their
//! model has the trait (S3's have none).

use std::io::{Read, Write};

use crate::error::BuildError;
use crate::operation::RequestCompression;
use crate::server::RequestError;

/// Bodies shorter than this many bytes are sent as they are (Smithy's
/// default `requestMinCompressionSizeBytes`).
pub const MIN_SIZE: usize = 10_240;

/// The largest body a server decodes, in bytes; a gzip body that expands
/// past it is refused (`EntityTooLarge`), so a small upload cannot make the
/// server allocate without bound.
pub const MAX_DECODED: u64 = 64 * 1024 * 1024;

/// Compresses a built request's body for an operation with the trait
/// (`compression` is its [`RequestCompression`]) when the body has at least
/// [`MIN_SIZE`] bytes: the body becomes its gzip, `gzip` is appended to
/// `Content-Encoding`, and a `Content-Length` already set is updated.
pub fn compress_request(
    request: &mut http::Request<Vec<u8>>,
    compression: RequestCompression,
) -> Result<(), BuildError> {
    if compression == RequestCompression::None || request.body().len() < MIN_SIZE {
        return Ok(());
    }
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(request.body().len() / 2),
        flate2::Compression::default(),
    );
    let compressed = encoder
        .write_all(request.body())
        .and_then(|()| encoder.finish())
        .map_err(|e| BuildError::Compression {
            reason: e.to_string(),
        })?;
    *request.body_mut() = compressed;
    let len = request.body().len();
    let headers = request.headers_mut();
    let encoding = match headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(given) => format!("{given}, gzip"),
        None => "gzip".to_owned(),
    };
    let encoding =
        http::HeaderValue::try_from(encoding).map_err(|_| BuildError::InvalidHeaderValue {
            header: "Content-Encoding",
        })?;
    headers.insert(http::header::CONTENT_ENCODING, encoding);
    if headers.contains_key(http::header::CONTENT_LENGTH) {
        headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    }
    Ok(())
}

/// The request as it was before the client compressed it, when its last
/// `Content-Encoding` is `gzip`: the body decoded (at most `limit` bytes)
/// and `gzip` taken off the header (the header removed when nothing is
/// left). `None` when the body is not compressed.
pub fn decode_request<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    limit: u64,
) -> Result<Option<http::Request<Vec<u8>>>, RequestError> {
    let Some(encoding) = request
        .headers()
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let (rest, last) = match encoding.rsplit_once(',') {
        Some((rest, last)) => (rest.trim(), last.trim()),
        None => ("", encoding.trim()),
    };
    if !last.eq_ignore_ascii_case("gzip") {
        return Ok(None);
    }
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(request.body().as_ref())
        .take(limit.saturating_add(1))
        .read_to_end(&mut decoded)
        .map_err(|e| RequestError::InvalidEncoding {
            message: format!("not valid gzip ({e})"),
        })?;
    if decoded.len() as u64 > limit {
        return Err(RequestError::BodyTooLarge { limit });
    }
    let mut copy = http::Request::new(decoded);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    let headers = copy.headers_mut();
    match http::HeaderValue::from_str(rest) {
        Ok(value) if !rest.is_empty() => {
            headers.insert(http::header::CONTENT_ENCODING, value);
        }
        _ => {
            headers.remove(http::header::CONTENT_ENCODING);
        }
    }
    let len = copy.body().len();
    copy.headers_mut()
        .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    Ok(Some(copy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Vec<u8>, encoding: Option<&str>) -> http::Request<Vec<u8>> {
        let mut r = http::Request::new(body);
        if let Some(e) = encoding {
            r.headers_mut()
                .insert(http::header::CONTENT_ENCODING, e.parse().unwrap());
        }
        let len = r.body().len();
        r.headers_mut()
            .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
        r
    }

    #[test]
    fn large_bodies_are_gzipped_and_decoded_back() {
        let body: Vec<u8> = (0..MIN_SIZE * 2).map(|i| b"abcdefgh"[i % 8]).collect();
        let mut r = request(body.clone(), Some("custom"));
        compress_request(&mut r, RequestCompression::Gzip).unwrap();
        assert_eq!(r.headers()["content-encoding"], "custom, gzip");
        assert_eq!(&r.body()[..2], &[0x1f, 0x8b], "a gzip member");
        assert!(r.body().len() < body.len() / 10);
        assert_eq!(
            r.headers()["content-length"],
            r.body().len().to_string().as_str()
        );
        let back = decode_request(&r, MAX_DECODED).unwrap().unwrap();
        assert_eq!(back.body(), &body);
        assert_eq!(back.headers()["content-encoding"], "custom");
        assert_eq!(
            back.headers()["content-length"],
            body.len().to_string().as_str()
        );
        // Without an encoding of the caller's, the header goes away.
        let mut r = request(body.clone(), None);
        compress_request(&mut r, RequestCompression::Gzip).unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip");
        let back = decode_request(&r, MAX_DECODED).unwrap().unwrap();
        assert!(!back.headers().contains_key("content-encoding"));
    }

    #[test]
    fn small_bodies_and_other_encodings_are_left_alone() {
        let mut r = request(vec![b'x'; MIN_SIZE - 1], None);
        compress_request(&mut r, RequestCompression::Gzip).unwrap();
        assert_eq!(r.body().len(), MIN_SIZE - 1);
        assert!(!r.headers().contains_key("content-encoding"));
        let mut r = request(vec![b'x'; MIN_SIZE], None);
        compress_request(&mut r, RequestCompression::None).unwrap();
        assert_eq!(r.body().len(), MIN_SIZE);
        assert!(decode_request(&r, MAX_DECODED).unwrap().is_none());
        let r = request(b"x".to_vec(), Some("gzip, custom"));
        assert!(decode_request(&r, MAX_DECODED).unwrap().is_none());
    }

    #[test]
    fn bad_gzip_and_bombs_are_refused() {
        let r = request(b"not gzip at all".to_vec(), Some("gzip"));
        let e = decode_request(&r, MAX_DECODED).unwrap_err();
        assert_eq!(e.code(), "InvalidRequest");
        let mut r = request(vec![0; 1 << 20], None);
        compress_request(&mut r, RequestCompression::Gzip).unwrap();
        assert!(r.body().len() < 4096);
        let e = decode_request(&r, 1000).unwrap_err();
        assert_eq!(e.code(), "EntityTooLarge");
        assert!(e.to_string().contains("1000"), "{e}");
    }
}
