//! Checking the signature of a request a server receives: SigV4 in the
//! `Authorization` header, or a presigned URL's query parameters.
//!
//! [`verify`] finds the credentials of the request's access key with the
//! server's lookup, rebuilds the canonical request from what was received
//! (the path as sent, the query re-encoded, the headers the client named
//! as signed), and compares signatures in constant time. The answers are
//! S3's: `SignatureDoesNotMatch`, `InvalidAccessKeyId`,
//! `RequestTimeTooSkewed`, `AccessDenied` (an expired presigned URL, or no
//! signature where one is needed), `AuthorizationHeaderMalformed`,
//! `AuthorizationQueryParametersError`, `XAmzContentSHA256Mismatch` (a body
//! whose SHA-256 is not the one signed), `InvalidToken`.

use std::time::{Duration, SystemTime};

use super::{
    ALGORITHM, Credentials, Query, Signer, UNSIGNED_PAYLOAD, canonical, hex, mac, sha256_hex, text,
};

/// How far a request's time may be from the server's: S3 allows 15 minutes.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// A presigned URL is valid for at most 7 days.
const MAX_EXPIRES: u64 = 7 * 24 * 3600;

/// A request whose signature is not accepted: S3's error code, status and
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    /// S3's error code, such as `SignatureDoesNotMatch`.
    pub code: &'static str,
    /// The HTTP status (403 or 400).
    pub status: u16,
    /// What is wrong.
    pub message: String,
}

impl AuthError {
    fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        AuthError {
            code,
            status,
            message: message.into(),
        }
    }

    fn malformed(message: impl Into<String>) -> Self {
        AuthError::new("AuthorizationHeaderMalformed", 400, message)
    }

    fn query(message: impl Into<String>) -> Self {
        AuthError::new("AuthorizationQueryParametersError", 400, message)
    }

    fn mismatch() -> Self {
        AuthError::new(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method.",
        )
    }
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for AuthError {}

/// How the body of a verified request is covered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedBody {
    /// Its SHA-256 was signed, and matches.
    Signed,
    /// `UNSIGNED-PAYLOAD` (presigned URLs, and clients that do not sign
    /// bodies over TLS).
    Unsigned,
    /// An `aws-chunked` body (`STREAMING-...`): the value of
    /// `x-amz-content-sha256`, and the request's signature, which the first
    /// chunk's signature chains from. The chunks are not checked here.
    Streaming {
        /// The `x-amz-content-sha256` value, such as
        /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
        mode: String,
        /// The seed signature, in hex.
        seed_signature: String,
        /// The chain that checks each chunk's signature (for the signed
        /// modes), to pass to [`aws_chunked::decode`](crate::aws_chunked::decode).
        chunks: Box<ChunkSignatures>,
    },
}

/// The signatures of a signed `aws-chunked` body: each chunk's signs its
/// data and the signature before it, starting from the request's.
#[derive(Clone)]
pub struct ChunkSignatures {
    mac: super::KeyedMac,
    date_time: String,
    scope: String,
    previous: String,
}

/// SHA-256 of nothing, in hex.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

impl ChunkSignatures {
    /// Whether `signature` is the signature of the next chunk, whose data
    /// is `data`; when it is, the chain moves on to the next chunk.
    pub fn check(&mut self, data: &[u8], signature: Option<&str>) -> bool {
        let Some(signature) = signature else {
            return false;
        };
        let expected = mac(
            self.mac.clone(),
            &[
                b"AWS4-HMAC-SHA256-PAYLOAD\n",
                self.date_time.as_bytes(),
                b"\n",
                self.scope.as_bytes(),
                b"\n",
                self.previous.as_bytes(),
                b"\n",
                EMPTY_SHA256.as_bytes(),
                b"\n",
                &sha256_hex(data),
            ],
        );
        let expected = hex(&expected);
        if !constant_time_eq(&expected, signature.as_bytes()) {
            return false;
        }
        self.previous = text(&expected).to_owned();
        true
    }

    /// Whether the trailers of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`
    /// body carry, last, an `x-amz-trailer-signature` that signs the
    /// trailers before it (each `name:value\n`) and the last chunk's
    /// signature.
    pub fn check_trailer(&self, trailers: &[(String, String)]) -> bool {
        let Some(((name, signature), signed)) = trailers.split_last() else {
            return false;
        };
        if name != TRAILER_SIGNATURE {
            return false;
        }
        let mut canonical = Vec::new();
        for (name, value) in signed {
            if name == TRAILER_SIGNATURE {
                return false;
            }
            canonical.extend_from_slice(name.as_bytes());
            canonical.push(b':');
            canonical.extend_from_slice(value.as_bytes());
            canonical.push(b'\n');
        }
        let expected = mac(
            self.mac.clone(),
            &[
                b"AWS4-HMAC-SHA256-TRAILER\n",
                self.date_time.as_bytes(),
                b"\n",
                self.scope.as_bytes(),
                b"\n",
                self.previous.as_bytes(),
                b"\n",
                &sha256_hex(&canonical),
            ],
        );
        constant_time_eq(&hex(&expected), signature.as_bytes())
    }
}

/// The trailer that signs the trailers of a signed streaming body.
const TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

/// The signing key is never printed.
impl std::fmt::Debug for ChunkSignatures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSignatures")
            .field("date_time", &self.date_time)
            .field("scope", &self.scope)
            .field("previous", &self.previous)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ChunkSignatures {
    fn eq(&self, other: &Self) -> bool {
        (&self.date_time, &self.scope, &self.previous)
            == (&other.date_time, &other.scope, &other.previous)
    }
}

impl Eq for ChunkSignatures {}

/// A request whose signature is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The access key that signed it.
    pub access_key_id: String,
    /// The region of the signature's scope.
    pub region: String,
    /// The service of the signature's scope (`s3`).
    pub service: String,
    /// How the body is covered.
    pub body: SignedBody,
}

/// The parts of a SigV4 signature, from the header or the query.
struct Parts {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
    /// `YYYYMMDDTHHMMSSZ`.
    amz_date: String,
    /// Seconds a presigned URL is valid.
    expires: Option<u64>,
}

/// Reads `key/date/region/service/aws4_request` into `parts`.
fn credential(text: &str, parts: &mut Parts) -> Result<(), AuthError> {
    let mut fields = text.rsplitn(5, '/');
    let terminator = fields.next();
    let service = fields.next();
    let region = fields.next();
    let date = fields.next();
    let key = fields.next();
    match (key, date, region, service, terminator) {
        (Some(key), Some(date), Some(region), Some(service), Some("aws4_request"))
            if !key.is_empty() && date.len() == 8 =>
        {
            parts.access_key_id = key.to_owned();
            parts.date = date.to_owned();
            parts.region = region.to_owned();
            parts.service = service.to_owned();
            Ok(())
        }
        _ => Err(AuthError::malformed(format!(
            "the credential `{text}` is not ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request"
        ))),
    }
}

fn empty_parts() -> Parts {
    Parts {
        access_key_id: String::new(),
        date: String::new(),
        region: String::new(),
        service: String::new(),
        signed_headers: Vec::new(),
        signature: String::new(),
        amz_date: String::new(),
        expires: None,
    }
}

/// The signature parts of the `Authorization` header.
fn header_parts(authorization: &str, headers: &http::HeaderMap) -> Result<Parts, AuthError> {
    let rest = authorization
        .strip_prefix(ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or_else(|| {
            AuthError::new(
                "InvalidArgument",
                400,
                format!("the authorization header's algorithm is not {ALGORITHM}"),
            )
        })?;
    let (mut cred, mut signed, mut signature) = (None, None, None);
    for field in rest.split(',') {
        match field.trim().split_once('=') {
            Some(("Credential", v)) => cred = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(cred), Some(signed), Some(signature)) = (cred, signed, signature) else {
        return Err(AuthError::malformed(
            "the authorization header needs Credential, SignedHeaders and Signature",
        ));
    };
    let mut parts = empty_parts();
    credential(cred, &mut parts)?;
    parts.amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AuthError::new("AccessDenied", 403, "the request has no x-amz-date header"))?
        .to_owned();
    parts.signed_headers = signed.split(';').map(str::to_owned).collect();
    parts.signature = signature.to_owned();
    Ok(parts)
}

/// The signature parts of a presigned URL's query.
fn query_parts(query: &str) -> Result<Parts, AuthError> {
    const NAMES: [&str; 6] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ];
    let mut found: [Option<String>; 6] = Default::default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let Some(at) = NAMES.iter().position(|n| *n == key) {
            let value = crate::uri::decode(value)
                .map_err(|_| AuthError::query(format!("{key} is not percent-encoded text")))?;
            found[at] = Some(value);
        }
    }
    let [
        Some(algorithm),
        Some(cred),
        Some(date),
        Some(expires),
        Some(signed),
        Some(signature),
    ] = found
    else {
        return Err(AuthError::query(
            "a presigned URL needs X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, \
             X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature",
        ));
    };
    if algorithm != ALGORITHM {
        return Err(AuthError::query(format!(
            "X-Amz-Algorithm must be {ALGORITHM}"
        )));
    }
    let expires: u64 = expires
        .parse()
        .map_err(|_| AuthError::query("X-Amz-Expires must be a number of seconds"))?;
    if expires == 0 || expires > MAX_EXPIRES {
        return Err(AuthError::query(
            "X-Amz-Expires must be between 1 second and 7 days",
        ));
    }
    let mut parts = empty_parts();
    credential(&cred, &mut parts)?;
    parts.amz_date = date;
    parts.signed_headers = signed.split(';').map(str::to_owned).collect();
    parts.signature = signature;
    parts.expires = Some(expires);
    Ok(parts)
}

/// Replaces the `aws-chunked` body of a verified request by its data:
/// chunk signatures checked for the signed modes (and the trailer
/// signature for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`), trailing checksums
/// checked, `content-length` set to the data's length and `aws-chunked`
/// taken out of `content-encoding`. A request whose body is not streamed is
/// left as it is. At most `limit` bytes of data.
pub fn read_chunked(
    request: &mut http::Request<Vec<u8>>,
    body: SignedBody,
    limit: usize,
) -> Result<(), crate::aws_chunked::ChunkError> {
    let SignedBody::Streaming {
        mode, mut chunks, ..
    } = body
    else {
        return Ok(());
    };
    let signed = mode.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    let decoded = crate::aws_chunked::decode(request.body(), limit, |_, data, signature| {
        if signed {
            chunks.check(data, signature)
        } else {
            signature.is_none()
        }
    })?;
    if signed && mode.ends_with("-TRAILER") && !chunks.check_trailer(&decoded.trailers) {
        return Err(crate::aws_chunked::ChunkError::TrailerSignatureMismatch);
    }
    crate::aws_chunked::replace_body(request, decoded)
}

/// `YYYYMMDDTHHMMSSZ` as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3_600 + mm * 60 + ss;
    let secs = u64::try_from(secs).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Equal byte strings, compared in time that does not depend on where they
/// differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the SigV4 signature of a request received by a server, at `now`,
/// with `lookup` giving the credentials of an access key (`None`: the key
/// is not known). The body is checked against the signed SHA-256 when there
/// is one.
///
/// Returns `Ok(None)` for a request that carries no signature (anonymous):
/// the server decides whether to serve it.
pub fn verify<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    lookup: impl Fn(&str) -> Option<Credentials>,
    now: SystemTime,
) -> Result<Option<Verified>, AuthError> {
    let headers = request.headers();
    let query = request.uri().query().unwrap_or_default();
    let authorization = headers.get(http::header::AUTHORIZATION);
    let presigned = query.split('&').any(|p| p.starts_with("X-Amz-Signature="));
    let parts = match (authorization, presigned) {
        (None, false) => return Ok(None),
        (Some(_), true) => {
            return Err(AuthError::new(
                "InvalidArgument",
                400,
                "only one auth mechanism allowed: an authorization header or a presigned URL",
            ));
        }
        (Some(value), false) => {
            let value = value.to_str().map_err(|_| {
                AuthError::malformed("the authorization header is not visible ASCII")
            })?;
            header_parts(value, headers)?
        }
        (None, true) => query_parts(query)?,
    };
    let Some(credentials) = lookup(&parts.access_key_id) else {
        return Err(AuthError::new(
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ));
    };
    let token = match parts.expires {
        Some(_) => query
            .split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Security-Token="))
            .and_then(|t| crate::uri::decode(t).ok()),
        None => headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    if token.as_deref() != credentials.session_token() {
        return Err(AuthError::new(
            "InvalidToken",
            400,
            "The provided token is malformed or otherwise invalid.",
        ));
    }

    // Time: the scope's date is the request's, within the allowed skew (a
    // presigned URL: not before its date, not after it expires).
    let signed_at = parse_amz_date(&parts.amz_date).ok_or_else(|| {
        AuthError::new(
            "AccessDenied",
            403,
            format!("`{}` is not a YYYYMMDDTHHMMSSZ time", parts.amz_date),
        )
    })?;
    if !parts.amz_date.starts_with(&parts.date) {
        return Err(AuthError::malformed(format!(
            "the credential's date {} is not the request's ({})",
            parts.date, parts.amz_date
        )));
    }
    match parts.expires {
        Some(expires) => {
            if now + MAX_SKEW < signed_at {
                return Err(AuthError::new(
                    "AccessDenied",
                    403,
                    "Request is not valid yet",
                ));
            }
            if now > signed_at + Duration::from_secs(expires) {
                return Err(AuthError::new("AccessDenied", 403, "Request has expired"));
            }
        }
        None => {
            let skew = now
                .duration_since(signed_at)
                .unwrap_or_else(|e| e.duration());
            if skew > MAX_SKEW {
                return Err(AuthError::new(
                    "RequestTimeTooSkewed",
                    403,
                    "The difference between the request time and the current time is too large.",
                ));
            }
        }
    }

    // The body: what `x-amz-content-sha256` says, checked when it is a hash.
    let (payload_hash, body) = match parts.expires {
        Some(_) => (UNSIGNED_PAYLOAD.to_owned(), Some(SignedBody::Unsigned)),
        None => {
            let declared = headers
                .get("x-amz-content-sha256")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    AuthError::new(
                        "InvalidRequest",
                        400,
                        "Missing required header for this request: x-amz-content-sha256",
                    )
                })?;
            let body = if declared == UNSIGNED_PAYLOAD {
                Some(SignedBody::Unsigned)
            } else if declared.starts_with("STREAMING-") {
                // The chunks' chain needs the key: made below.
                None
            } else {
                let actual = sha256_hex(request.body().as_ref());
                if !constant_time_eq(declared.as_bytes(), &actual) {
                    return Err(AuthError::new(
                        "XAmzContentSHA256Mismatch",
                        400,
                        "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    ));
                }
                Some(SignedBody::Signed)
            };
            (declared.to_owned(), body)
        }
    };

    // The signature over the request as received.
    let names: Vec<&str> = parts.signed_headers.iter().map(String::as_str).collect();
    if !names.contains(&"host") {
        return Err(AuthError::malformed("the signed headers must include host"));
    }
    let host = request.uri().authority().map(http::uri::Authority::as_str);
    let query = Query {
        text: request.uri().query(),
        extra: &[],
        skip: parts.expires.map(|_| "X-Amz-Signature"),
    };
    let path = request.uri().path();
    let canonical_request = canonical(
        request.method().as_str(),
        path,
        query,
        headers,
        host,
        Some(&names),
        true,
        &payload_hash,
        &mut String::new(),
    )
    .map_err(|e| AuthError::new("InvalidRequest", 400, e.to_string()))?;
    // The signature as the signer computes it, at the request's time.
    let signer = Signer::new(&credentials, signed_at, &parts.region, &parts.service)
        .map_err(|e| AuthError::new("AccessDenied", 403, e.to_string()))?;
    if signer.date_time() != parts.amz_date {
        // A time the reader took but that is not written that way (such as
        // a 31st of February).
        return Err(AuthError::new(
            "AccessDenied",
            403,
            format!("`{}` is not a YYYYMMDDTHHMMSSZ time", parts.amz_date),
        ));
    }
    let expected = signer.signature(&canonical_request);
    if !constant_time_eq(&expected, parts.signature.as_bytes()) {
        return Err(AuthError::mismatch());
    }
    let body = body.unwrap_or_else(|| SignedBody::Streaming {
        chunks: Box::new(ChunkSignatures {
            date_time: signer.date_time().to_owned(),
            scope: signer.scope_text(),
            mac: signer.mac,
            previous: parts.signature.clone(),
        }),
        mode: payload_hash.clone(),
        seed_signature: parts.signature.clone(),
    });
    Ok(Some(Verified {
        access_key_id: parts.access_key_id,
        region: parts.region,
        service: parts.service,
        body,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_read_back() {
        for secs in [
            0u64,
            1_369_353_600,
            951_782_400,
            4_107_542_399,
            1_796_389_200,
        ] {
            let at = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
            let written = super::super::amz_date(at).unwrap();
            assert_eq!(parse_amz_date(text(&written)), Some(at), "{secs}");
        }
        for bad in [
            "",
            "20130524",
            "20130524T000000",
            "2013-05-24T00:00:00Z",
            "20131324T000000Z",
            "2013052xT000000Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    /// The trailer signature against one computed here from the SigV4
    /// definitions alone (HMAC-SHA256 key derivation and the
    /// `AWS4-HMAC-SHA256-TRAILER` string to sign).
    #[test]
    fn trailer_signatures_sign_the_trailers_and_the_last_chunk() {
        use hmac::{KeyInit, Mac};
        type Hmac = hmac::Hmac<sha2::Sha256>;
        let hmac = |key: &[u8], data: &[u8]| {
            let mut m = <Hmac as KeyInit>::new_from_slice(key).unwrap();
            m.update(data);
            m.finalize().into_bytes().to_vec()
        };
        let to_hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        let credentials = Credentials::new("AKIAIOSFODNN7EXAMPLE", secret);
        let signer = Signer::new(&credentials, at, "us-east-1", "s3").unwrap();
        let previous = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
        let chunks = ChunkSignatures {
            date_time: signer.date_time().to_owned(),
            scope: signer.scope_text(),
            mac: signer.mac,
            previous: previous.to_owned(),
        };
        let key = ["20130524", "us-east-1", "s3", "aws4_request"]
            .iter()
            .fold(format!("AWS4{secret}").into_bytes(), |key, part| {
                hmac(&key, part.as_bytes())
            });
        let trailers_hash = {
            use sha2::Digest;
            to_hex(&sha2::Sha256::digest(b"x-amz-checksum-crc32c:sOO8/Q==\n"))
        };
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n{previous}\n{trailers_hash}"
        );
        let signature = to_hex(&hmac(&key, string_to_sign.as_bytes()));
        let trailers = |value: &str, signature: &str| {
            vec![
                ("x-amz-checksum-crc32c".to_owned(), value.to_owned()),
                (TRAILER_SIGNATURE.to_owned(), signature.to_owned()),
            ]
        };
        assert!(chunks.check_trailer(&trailers("sOO8/Q==", &signature)));
        // Another checksum, another signature, or none at all: refused.
        assert!(!chunks.check_trailer(&trailers("AAAAAA==", &signature)));
        assert!(!chunks.check_trailer(&trailers("sOO8/Q==", previous)));
        assert!(!chunks.check_trailer(&trailers("sOO8/Q==", &signature)[..1]));
        assert!(!chunks.check_trailer(&[]));
    }
}
