//! Reading and writing `aws-chunked` request bodies (`Content-Encoding:
//! aws-chunked`), as SDKs send them for streamed uploads:
//!
//! ```text
//! <hex size>[;chunk-signature=<64 hex>]\r\n<data>\r\n
//! ...
//! 0[;chunk-signature=<64 hex>]\r\n
//! [<trailer>:<value>\r\n ...]
//! \r\n
//! ```
//!
//! [`decode`] returns the data and the trailers (such as
//! `x-amz-checksum-crc32`), within a limit on the decoded size. Signed
//! chunks (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) are checked by the caller's
//! `check` function, which `sign::verify` provides for a verified request.
//! Nothing here panics on input: every fault is a [`ChunkError`].
//!
//! [`Encoder`] writes the unsigned form with a trailing checksum
//! (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) as it reads the data, for a
//! client that streams an upload whose checksum it cannot know beforehand.

use std::fmt;

/// A decoded `aws-chunked` body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// The data of every chunk, in order.
    pub data: Vec<u8>,
    /// The trailing headers after the last chunk, names in lower case.
    pub trailers: Vec<(String, String)>,
}

impl Decoded {
    /// Checks every `x-amz-checksum-*` trailer of an algorithm the crate
    /// computes against the data: [`ChunkError::BadDigest`] when one does not
    /// match. Trailers of other algorithms are left to the caller.
    pub fn check_checksums(&self) -> Result<(), ChunkError> {
        for algorithm in crate::checksum::ChecksumAlgorithm::ALL {
            if let Some(value) = self.trailer(algorithm.header_name()) {
                if algorithm.checksum_header_value(&self.data) != value {
                    return Err(ChunkError::BadDigest {
                        algorithm: algorithm.wire_name(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The value of a trailer.
    pub fn trailer(&self, name: &str) -> Option<&str> {
        self.trailers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why an `aws-chunked` body cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkError {
    /// The body ends before its last chunk and the blank line after it.
    Incomplete,
    /// A chunk header, chunk end or trailer is not what the encoding says.
    Malformed {
        /// The offset in the body where it went wrong.
        offset: usize,
        /// What was expected there.
        message: &'static str,
    },
    /// The decoded data is larger than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A chunk's signature is missing or is not the one its data gives.
    SignatureMismatch {
        /// The index of the chunk (0 for the first).
        chunk: usize,
    },
    /// The `x-amz-trailer-signature` of a signed body with trailers is
    /// missing or does not sign its trailers.
    TrailerSignatureMismatch,
    /// A trailing checksum is not the data's.
    BadDigest {
        /// The algorithm's wire name, such as `CRC32`.
        algorithm: &'static str,
    },
}

impl ChunkError {
    /// The S3 error code a server answers with.
    pub fn code(&self) -> &'static str {
        match self {
            ChunkError::Incomplete => "IncompleteBody",
            ChunkError::Malformed { .. } => "InvalidRequest",
            ChunkError::TooLarge { .. } => "EntityTooLarge",
            ChunkError::SignatureMismatch { .. } | ChunkError::TrailerSignatureMismatch => {
                "SignatureDoesNotMatch"
            }
            ChunkError::BadDigest { .. } => "BadDigest",
        }
    }

    /// The HTTP status that goes with [`ChunkError::code`].
    pub fn status(&self) -> u16 {
        match self {
            ChunkError::SignatureMismatch { .. } | ChunkError::TrailerSignatureMismatch => 403,
            _ => 400,
        }
    }
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChunkError::Incomplete => {
                f.write_str("the aws-chunked body ends before its last chunk")
            }
            ChunkError::Malformed { offset, message } => {
                write!(f, "malformed aws-chunked body at byte {offset}: {message}")
            }
            ChunkError::TooLarge { limit } => {
                write!(f, "the aws-chunked body decodes to more than {limit} bytes")
            }
            ChunkError::SignatureMismatch { chunk } => {
                write!(f, "the signature of chunk {chunk} does not match its data")
            }
            ChunkError::TrailerSignatureMismatch => {
                f.write_str("the trailer signature is missing or does not match the trailers")
            }
            ChunkError::BadDigest { algorithm } => {
                write!(
                    f,
                    "the {algorithm} checksum in the trailer is not the data's"
                )
            }
        }
    }
}

impl std::error::Error for ChunkError {}

/// The longest chunk header or trailer line read.
const MAX_LINE: usize = 4096;

/// The next `\r\n`-terminated line from `at`: its text and the offset after
/// it.
fn line(body: &[u8], at: usize) -> Result<(&[u8], usize), ChunkError> {
    let rest = body.get(at..).ok_or(ChunkError::Incomplete)?;
    let window = &rest[..rest.len().min(MAX_LINE + 2)];
    match window.windows(2).position(|w| w == b"\r\n") {
        Some(end) => Ok((&rest[..end], at + end + 2)),
        None if rest.len() > MAX_LINE => Err(ChunkError::Malformed {
            offset: at,
            message: "a line longer than 4096 bytes",
        }),
        None => Err(ChunkError::Incomplete),
    }
}

/// Decodes an `aws-chunked` body into at most `limit` bytes of data.
/// `check(index, data, signature)` is called for every chunk, the final
/// empty one included, with its `chunk-signature` (`None` when it has
/// none) and says whether to accept it; pass `|_, _, _| true` for unsigned
/// bodies (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
pub fn decode(
    body: &[u8],
    limit: usize,
    mut check: impl FnMut(usize, &[u8], Option<&str>) -> bool,
) -> Result<Decoded, ChunkError> {
    let mut decoded = Decoded::default();
    let mut at = 0;
    for index in 0.. {
        let start = at;
        let (header, next) = line(body, at)?;
        let malformed = |message| ChunkError::Malformed {
            offset: start,
            message,
        };
        let header = std::str::from_utf8(header)
            .map_err(|_| malformed("a chunk header that is not ASCII"))?;
        let (size, extension) = match header.split_once(';') {
            Some((size, extension)) => (size, Some(extension)),
            None => (header, None),
        };
        if size.is_empty() || size.len() > 16 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed("a chunk size in hex digits"));
        }
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| malformed("a chunk size that fits in memory"))?;
        let signature = match extension {
            None => None,
            Some(extension) => Some(
                extension
                    .strip_prefix("chunk-signature=")
                    .ok_or_else(|| malformed("`chunk-signature=` after the size"))?,
            ),
        };
        if size > limit.saturating_sub(decoded.data.len()) {
            return Err(ChunkError::TooLarge { limit });
        }
        let data_end = next.checked_add(size).ok_or(ChunkError::Incomplete)?;
        let data = body.get(next..data_end).ok_or(ChunkError::Incomplete)?;
        if !check(index, data, signature) {
            return Err(ChunkError::SignatureMismatch { chunk: index });
        }
        decoded.data.extend_from_slice(data);
        if size == 0 {
            at = data_end;
            break;
        }
        match body.get(data_end..data_end + 2) {
            Some(b"\r\n") => at = data_end + 2,
            Some(_) => return Err(malformed("`\\r\\n` after the chunk's data")),
            None => return Err(ChunkError::Incomplete),
        }
    }
    // Trailers, then the blank line.
    loop {
        let start = at;
        let (text, next) = line(body, at)?;
        at = next;
        if text.is_empty() {
            break;
        }
        let malformed = |message| ChunkError::Malformed {
            offset: start,
            message,
        };
        let text =
            std::str::from_utf8(text).map_err(|_| malformed("a trailer that is not UTF-8"))?;
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| malformed("a trailer `name:value`"))?;
        if decoded.trailers.len() >= 64 {
            return Err(malformed("at most 64 trailers"));
        }
        decoded
            .trailers
            .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    if at != body.len() {
        return Err(ChunkError::Malformed {
            offset: at,
            message: "nothing after the blank line that ends the body",
        });
    }
    Ok(decoded)
}

/// Whether a request's body is `aws-chunked` by what its headers say: an
/// `x-amz-content-sha256` of one of the `STREAMING-` modes, or
/// `aws-chunked` among its content encodings.
pub fn is_chunked<B>(request: &http::Request<B>) -> bool {
    let headers = request.headers();
    let sha256 = headers.get_all("x-amz-content-sha256").iter();
    let encodings = headers.get_all(http::header::CONTENT_ENCODING).iter();
    sha256
        .map(|v| ("x-amz-content-sha256", v))
        .chain(encodings.map(|v| ("content-encoding", v)))
        .any(|(name, value)| marks_chunked(name, value))
}

/// Whether one header (name in lower case) says the body is `aws-chunked`
/// (see [`is_chunked`]).
pub(crate) fn marks_chunked(name: &str, value: &http::HeaderValue) -> bool {
    match name {
        "x-amz-content-sha256" => value.as_bytes().starts_with(b"STREAMING-"),
        "content-encoding" => value.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|e| e.trim().eq_ignore_ascii_case("aws-chunked"))
        }),
        _ => false,
    }
}

/// Replaces a request's `aws-chunked` body by its data ([`decode`], with
/// `check` for each chunk), checks the trailing checksums
/// ([`Decoded::check_checksums`]), sets `content-length` to the data's
/// length, takes `aws-chunked` out of `content-encoding` and adds the
/// trailers as headers (where a checksum member is read from). At most
/// `limit` bytes of data. On error the request is left as it was.
pub fn unwrap_request(
    request: &mut http::Request<Vec<u8>>,
    limit: usize,
    check: impl FnMut(usize, &[u8], Option<&str>) -> bool,
) -> Result<(), ChunkError> {
    let decoded = decode(request.body(), limit, check)?;
    replace_body(request, decoded)
}

/// The second half of [`unwrap_request`], for callers that check more of
/// the decoded body first: checks its trailing checksums, then makes it the
/// request's body, with the headers fixed as `unwrap_request` says. On
/// error the request is left as it was.
pub fn replace_body(
    request: &mut http::Request<Vec<u8>>,
    decoded: Decoded,
) -> Result<(), ChunkError> {
    decoded.check_checksums()?;
    let headers = request.headers_mut();
    let encoding = headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|e| !e.eq_ignore_ascii_case("aws-chunked") && !e.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        });
    match encoding.and_then(|e| http::HeaderValue::from_str(&e).ok()) {
        Some(value) if !value.is_empty() => {
            headers.insert(http::header::CONTENT_ENCODING, value);
        }
        _ => {
            headers.remove(http::header::CONTENT_ENCODING);
        }
    }
    headers.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(decoded.data.len()),
    );
    for (name, value) in &decoded.trailers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    *request.body_mut() = decoded.data;
    Ok(())
}

/// The size of the chunks [`Encoder`] writes: 64 KiB, as the AWS SDKs do.
pub const CHUNK: usize = 64 * 1024;

/// Writes `length` bytes read from a reader as an unsigned `aws-chunked`
/// body with a trailing checksum of `algorithm`: chunks of [`CHUNK`]
/// bytes, then `0\r\n`, the `x-amz-checksum-*` trailer and `\r\n`. A
/// reader that ends before `length` bytes is an
/// [`std::io::ErrorKind::UnexpectedEof`] error (the body sent would not be
/// the one announced); bytes past `length` are not read.
#[derive(Debug)]
pub struct Encoder<R> {
    inner: R,
    left: u64,
    hasher: Option<crate::checksum::Hasher>,
    pending: Vec<u8>,
    at: usize,
}

/// The length of the encoded body of `length` bytes of data with a
/// trailing checksum of `algorithm`: its `Content-Length`.
pub fn encoded_length(length: u64, algorithm: crate::checksum::ChecksumAlgorithm) -> u64 {
    let chunk = CHUNK as u64;
    let full = length / chunk;
    let rest = length % chunk;
    let framing = |size: u64| format!("{size:x}").len() as u64 + 4 + size;
    // `name:value\r\n`, the value the padded base64 of the digest.
    let base64 = algorithm.digest_len().div_ceil(3) * 4;
    let trailer = (algorithm.header_name().len() + 1 + base64 + 2) as u64;
    let last = if rest > 0 { framing(rest) } else { 0 };
    full.saturating_mul(framing(chunk))
        .saturating_add(last + 3 + trailer + 2)
}

impl<R: std::io::Read> Encoder<R> {
    /// An encoder of `length` bytes of `inner`, with `algorithm`'s checksum
    /// in the trailer.
    pub fn new(inner: R, length: u64, algorithm: crate::checksum::ChecksumAlgorithm) -> Self {
        Encoder {
            inner,
            left: length,
            hasher: Some(crate::checksum::Hasher::new(algorithm)),
            pending: Vec::new(),
            at: 0,
        }
    }

    /// Fills `pending` with the next chunk, or the end; false when all was
    /// written.
    fn refill(&mut self) -> std::io::Result<bool> {
        self.pending.clear();
        self.at = 0;
        if self.left > 0 {
            let size = self.left.min(CHUNK as u64) as usize;
            let mut data = vec![0; size];
            self.inner.read_exact(&mut data)?;
            self.left -= size as u64;
            if let Some(hasher) = &mut self.hasher {
                hasher.update(&data);
            }
            self.pending
                .extend_from_slice(format!("{size:x}\r\n").as_bytes());
            self.pending.extend_from_slice(&data);
            self.pending.extend_from_slice(b"\r\n");
            return Ok(true);
        }
        let Some(hasher) = self.hasher.take() else {
            return Ok(false);
        };
        let name = hasher.algorithm().header_name();
        let value = hasher.header_value();
        self.pending
            .extend_from_slice(format!("0\r\n{name}:{value}\r\n\r\n").as_bytes());
        Ok(true)
    }
}

impl<R: std::io::Read> std::io::Read for Encoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn encoded_bodies_decode_to_the_data_with_their_checksum() {
        use crate::checksum::ChecksumAlgorithm;
        use std::io::Read;
        for length in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
            let data: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
            for algorithm in [ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Sha256] {
                let mut encoded = Vec::new();
                Encoder::new(&data[..], length as u64, algorithm)
                    .read_to_end(&mut encoded)
                    .unwrap();
                assert_eq!(
                    encoded.len() as u64,
                    encoded_length(length as u64, algorithm)
                );
                let decoded = decode(&encoded, usize::MAX, |_, _, _| true).unwrap();
                assert_eq!(decoded.data, data, "{length}");
                assert_eq!(
                    decoded.trailers,
                    vec![(
                        algorithm.header_name().to_owned(),
                        algorithm.checksum_header_value(&data)
                    )]
                );
                decoded.check_checksums().unwrap();
            }
        }
        // A reader shorter than announced fails; one longer is cut.
        let mut short = Encoder::new(&b"abc"[..], 4, ChecksumAlgorithm::Crc32);
        let e = short.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
        let mut long = Vec::new();
        Encoder::new(&b"abcdef"[..], 2, ChecksumAlgorithm::Crc32)
            .read_to_end(&mut long)
            .unwrap();
        assert_eq!(decode(&long, 10, |_, _, _| true).unwrap().data, b"ab");
        assert_eq!(
            encoded_length(u64::MAX, ChecksumAlgorithm::Crc32),
            u64::MAX,
            "saturates"
        );
    }
    use super::*;

    fn accept(_: usize, _: &[u8], _: Option<&str>) -> bool {
        true
    }

    #[test]
    fn unsigned_chunks_with_a_trailer() {
        let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        let decoded = decode(body, 1024, accept).unwrap();
        assert_eq!(decoded.data, b"hello world");
        assert_eq!(decoded.trailer("X-Amz-Checksum-CRC32"), Some("DUoRhQ=="));
        assert_eq!(decoded.check_checksums(), Ok(()));
        let wrong = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        let decoded = decode(wrong, 1024, accept).unwrap();
        assert_eq!(
            decoded.check_checksums(),
            Err(ChunkError::BadDigest { algorithm: "CRC32" })
        );
        assert_eq!(decode(b"0\r\n\r\n", 0, accept).unwrap(), Decoded::default());
    }

    #[test]
    fn faults_are_errors() {
        let cases: [(&[u8], &str); 10] = [
            (b"", "IncompleteBody"),
            (b"5\r\nhel", "IncompleteBody"),
            (b"5\r\nhello\r\n", "IncompleteBody"),
            (b"5\r\nhelloXX0\r\n\r\n", "InvalidRequest"),
            (b"zz\r\n", "InvalidRequest"),
            (b"ffffffffffffffffff\r\n", "InvalidRequest"),
            (b"ffffffffffffffff\r\n", "EntityTooLarge"),
            (b"5;sig=x\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),
            (b"0\r\nno colon\r\n\r\n", "InvalidRequest"),
            (b"0\r\n\r\nextra", "InvalidRequest"),
        ];
        for (body, code) in cases {
            let error = decode(body, 100, accept).unwrap_err();
            assert_eq!(
                error.code(),
                code,
                "{:?}: {error}",
                String::from_utf8_lossy(body)
            );
        }
        let long = [b"1".repeat(5000), b"\r\n".to_vec()].concat();
        assert_eq!(
            decode(&long, 100, accept).unwrap_err().code(),
            "InvalidRequest"
        );
        let refused = decode(b"1;chunk-signature=ab\r\nx\r\n0\r\n\r\n", 10, |_, _, _| {
            false
        });
        assert_eq!(refused, Err(ChunkError::SignatureMismatch { chunk: 0 }));
    }
}
