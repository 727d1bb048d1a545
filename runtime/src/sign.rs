//! Signing requests with AWS Signature Version 4 (cargo feature `sign`).
//!
//! [`sign`] signs a request built for a resolved endpoint
//! (`endpoint::build_request` in a generated crate) with the auth scheme
//! the endpoint names: its signing name and region, and
//! `disableDoubleEncoding`. [`presign`] gives a presigned URL instead. The
//! canonical request is written here, in one pass over the request and
//! without copying it; SHA-256 and HMAC come from the RustCrypto `sha2` and
//! `hmac` crates. S3's rules:
//!
//! - every request carries `x-amz-content-sha256`: the SHA-256 of the body,
//!   or `UNSIGNED-PAYLOAD` when [`Payload::Unsigned`] is chosen (for a body
//!   the caller streams);
//! - the path is signed as it is (no normalization of `.` or `..`), encoded
//!   once when the endpoint says `disableDoubleEncoding` (S3 always does);
//! - a session token goes in `x-amz-security-token` and is signed.
//!
//! An auth scheme the signer cannot sign with (SigV4a, S3 Express session
//! auth) is a [`SignError`] naming it. Nothing here panics on input.
//!
//! The server side: [`verify`] checks the signature of a request received,
//! in its `Authorization` header or its presigned URL, with S3's answers
//! ([`AuthError`]) when it does not hold.

use std::time::{Duration, SystemTime};

use crate::endpoint::{AuthScheme, Endpoint};

mod verify;
pub use verify::{
    AuthError, ChunkSignatures, MAX_SKEW, SignedBody, Verified, read_chunked, verify,
};

/// AWS credentials: an access key, its secret and, for temporary
/// credentials, a session token.
///
/// The credentials remember the last signing key they derived (one per
/// day, region and service), so that signing many requests costs one HMAC
/// each instead of five.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    last_key: KeyCache,
}

impl Credentials {
    /// Credentials from an access key and its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            last_key: KeyCache::default(),
        }
    }

    /// The same credentials with a session token.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The access key id (`AKIA...`, `ASIA...`).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// The signing key for a day (`YYYYMMDD`), region and service: four
    /// HMAC-SHA256 rounds, or none when the last key was for the same
    /// scope.
    fn signing_key(&self, date: &[u8], region: &str, service: &str) -> KeyedMac {
        let matches = |k: &CachedKey| k.date == date && k.region == region && k.service == service;
        // `try_lock`: a contended or poisoned cache is bypassed, never waited
        // for.
        if let Ok(last) = self.last_key.0.try_lock() {
            if let Some(key) = last.as_ref().filter(|k| matches(k)) {
                return key.mac.clone();
            }
        }
        let mut secret = Vec::with_capacity(4 + self.secret_access_key.len());
        secret.extend_from_slice(b"AWS4");
        secret.extend_from_slice(self.secret_access_key.as_bytes());
        let key = hmac(&secret, &[date]);
        let key = hmac(&key, &[region.as_bytes()]);
        let key = hmac(&key, &[service.as_bytes()]);
        let key = hmac(&key, &[b"aws4_request"]);
        let mac = keyed(&key);
        if let Ok(mut last) = self.last_key.0.try_lock() {
            *last = Some(CachedKey {
                date: date.try_into().unwrap_or_default(),
                region: region.to_owned(),
                service: service.to_owned(),
                mac: mac.clone(),
            });
        }
        mac
    }
}

/// Credentials are equal when their key, secret and token are.
impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        self.access_key_id == other.access_key_id
            && self.secret_access_key == other.secret_access_key
            && self.session_token == other.session_token
    }
}

impl Eq for Credentials {}

/// The last signing key derived from a secret, and its scope.
#[derive(Default)]
struct KeyCache(std::sync::Mutex<Option<CachedKey>>);

#[derive(Clone)]
struct CachedKey {
    date: [u8; 8],
    region: String,
    service: String,
    /// HMAC-SHA256 with the signing key, its key blocks already hashed.
    mac: KeyedMac,
}

impl Clone for KeyCache {
    fn clone(&self) -> Self {
        let last = self.0.try_lock().ok().and_then(|last| last.clone());
        KeyCache(std::sync::Mutex::new(last))
    }
}

/// The secret and the token are never printed.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// How the body is covered by the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Payload {
    /// The body's SHA-256 is signed (and sent as `x-amz-content-sha256`).
    #[default]
    Signed,
    /// `UNSIGNED-PAYLOAD`: for a body the caller streams after signing.
    Unsigned,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an unsigned `aws-chunked` body
    /// whose checksum comes in a trailer
    /// ([`aws_chunked::Encoder`](crate::aws_chunked::Encoder)).
    StreamingUnsignedTrailer,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The endpoint names no auth scheme this signer supports (SigV4a,
    /// S3 Express session auth...): the schemes it names.
    UnsupportedAuthScheme(Vec<String>),
    /// The endpoint's auth scheme lacks its signing name or region.
    IncompleteAuthScheme(String),
    /// The signer refused the request or the parameters: what it said.
    Signer(String),
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::UnsupportedAuthScheme(names) if names.is_empty() => {
                f.write_str("the endpoint names no auth scheme to sign with")
            }
            SignError::UnsupportedAuthScheme(names) => write!(
                f,
                "the endpoint's auth schemes ({}) are not ones this signer supports (sigv4); for S3 Express directory buckets, disable session auth (DisableS3ExpressSessionAuth)",
                names.join(", ")
            ),
            SignError::IncompleteAuthScheme(name) => {
                write!(
                    f,
                    "the endpoint's {name} auth scheme has no signing name or region"
                )
            }
            SignError::Signer(message) => write!(f, "signing failed: {message}"),
        }
    }
}

impl std::error::Error for SignError {}

/// The SigV4 parameters of an endpoint: its first `sigv4` auth scheme's
/// signing name, signing region and `disableDoubleEncoding`.
fn sigv4_scheme(endpoint: &Endpoint) -> Result<(&str, &str, bool), SignError> {
    use crate::endpoint::ValueRef;
    let entries = endpoint
        .property("authSchemes")
        .and_then(ValueRef::items)
        .into_iter()
        .flatten();
    for entry in entries {
        if entry.get("name").and_then(ValueRef::as_str) != Some("sigv4") {
            continue;
        }
        let text = |name: &str| entry.get(name).and_then(ValueRef::as_str);
        let single = entry
            .get("disableDoubleEncoding")
            .and_then(ValueRef::as_bool)
            .unwrap_or(false);
        return match (text("signingName"), text("signingRegion")) {
            (Some(name), Some(region)) => Ok((name, region, single)),
            _ => Err(SignError::IncompleteAuthScheme("sigv4".to_owned())),
        };
    }
    Err(SignError::UnsupportedAuthScheme(
        endpoint
            .auth_schemes()
            .iter()
            .map(|s: &AuthScheme<'_>| s.name.to_owned())
            .collect(),
    ))
}

/// Whether a header is never signed: the signature's own, and those that
/// proxies change (the set the AWS SDKs share).
fn is_unsigned(name: &str) -> bool {
    matches!(
        name,
        "authorization" | "user-agent" | "x-amzn-trace-id" | "transfer-encoding"
    )
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const X_AMZ_DATE: http::HeaderName = http::HeaderName::from_static("x-amz-date");
const X_AMZ_CONTENT_SHA256: http::HeaderName =
    http::HeaderName::from_static("x-amz-content-sha256");
const X_AMZ_SECURITY_TOKEN: http::HeaderName =
    http::HeaderName::from_static("x-amz-security-token");

/// A SHA-256 digest in hex digits, lower case.
fn hex(digest: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 64];
    for (pair, b) in digits.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
    digits
}

/// The SHA-256 of `bytes`, in hex digits.
fn sha256_hex(bytes: &[u8]) -> [u8; 64] {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes).into())
}

/// HMAC-SHA256 under a key.
type KeyedMac = hmac::Hmac<sha2::Sha256>;

fn keyed(key: &[u8]) -> KeyedMac {
    use hmac::KeyInit;
    KeyedMac::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

/// HMAC-SHA256 of the concatenation of `data` under `key`.
fn hmac(key: &[u8], data: &[&[u8]]) -> [u8; 32] {
    mac(keyed(key), data)
}

/// The HMAC of the concatenation of `data`.
fn mac(mut mac: KeyedMac, data: &[&[u8]]) -> [u8; 32] {
    use hmac::Mac;
    for part in data {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The time as SigV4 writes it (`20130524T000000Z`); its first eight bytes
/// are the date. ASCII digits only.
fn amz_date(time: SystemTime) -> Result<[u8; 16], SignError> {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| SignError::Signer("the signing time is before 1970".to_owned()))?
        .as_secs();
    let days = secs / 86_400;
    let rest = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return Err(SignError::Signer(format!(
            "the signing time's year {year} has more than four digits"
        )));
    }
    let mut out = *b"00000000T000000Z";
    let mut put = |at: usize, width: usize, mut n: u64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year as u64);
    put(4, 2, month as u64);
    put(6, 2, day as u64);
    put(9, 2, rest / 3_600);
    put(11, 2, rest / 60 % 60);
    put(13, 2, rest % 60);
    Ok(out)
}

/// One signature: the time, the scope and the key that signs it.
struct Signer<'a> {
    date_time: [u8; 16],
    region: &'a str,
    service: &'a str,
    mac: KeyedMac,
}

impl<'a> Signer<'a> {
    fn new(
        credentials: &Credentials,
        time: SystemTime,
        region: &'a str,
        service: &'a str,
    ) -> Result<Self, SignError> {
        let date_time = amz_date(time)?;
        let mac = credentials.signing_key(&date_time[..8], region, service);
        Ok(Signer {
            date_time,
            region,
            service,
            mac,
        })
    }

    /// The parts of the scope, `date/region/service/aws4_request`.
    fn scope(&self) -> [&[u8]; 6] {
        [
            &self.date_time[..8],
            b"/",
            self.region.as_bytes(),
            b"/",
            self.service.as_bytes(),
            b"/aws4_request",
        ]
    }

    /// Appends the scope.
    fn push_scope(&self, out: &mut String) {
        for part in self.scope() {
            out.push_str(text(part));
        }
    }

    /// The scope as text.
    fn scope_text(&self) -> String {
        let mut out = String::with_capacity(64);
        self.push_scope(&mut out);
        out
    }

    /// The time as text.
    fn date_time(&self) -> &str {
        text(&self.date_time)
    }

    /// The signature of a canonical request, in hex: the HMAC of the string
    /// to sign, which is fed to it in parts.
    fn signature(&self, canonical_request: &str) -> [u8; 64] {
        let hash = sha256_hex(canonical_request.as_bytes());
        let [p0, p1, p2, p3, p4, p5] = self.scope();
        let signature = mac(
            self.mac.clone(),
            &[
                ALGORITHM.as_bytes(),
                b"\n",
                &self.date_time,
                b"\n",
                p0,
                p1,
                p2,
                p3,
                p4,
                p5,
                b"\n",
                &hash,
            ],
        );
        hex(&signature)
    }

    /// Appends the signature of a canonical request.
    fn push_signature(&self, out: &mut String, canonical_request: &str) {
        out.push_str(text(&self.signature(canonical_request)));
    }
}

/// ASCII bytes the signer wrote as text.
fn text(ascii: &[u8]) -> &str {
    std::str::from_utf8(ascii).unwrap_or_default()
}

/// Appends the canonical path: as sent when the endpoint disables double
/// encoding (S3), else each segment's text encoded once more. Never
/// normalized.
fn canonical_path(out: &mut String, path: &str, single: bool) {
    let path = if path.is_empty() { "/" } else { path };
    if single {
        out.push_str(path);
    } else {
        crate::uri::encode_into(out, path, true);
    }
}

/// A query key or value in canonical form: decoded (`+` as a space) and
/// encoded again (RFC 3986, upper-case hex). Text of unreserved characters
/// only is its own canonical form.
fn canonical_query_part(text: &str) -> std::borrow::Cow<'_, str> {
    if crate::uri::is_unreserved_text(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let decoded = crate::uri::decode(&text.replace('+', " ")).unwrap_or_else(|_| text.to_owned());
    std::borrow::Cow::Owned(crate::uri::encode(&decoded, false))
}

/// Appends the canonical query string: every parameter decoded and encoded
/// again, sorted by key and then value.
fn canonical_query(out: &mut String, query: Query<'_>) {
    let Query { text, extra, skip } = query;
    let query = text.unwrap_or_default();
    let mut params: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> =
        Vec::with_capacity(query.len() / 8 + 1 + extra.len());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = canonical_query_part(key);
        if skip.is_some_and(|skip| key == skip) {
            continue;
        }
        params.push((key, canonical_query_part(value)));
    }
    for (key, value) in extra {
        params.push((
            std::borrow::Cow::Owned(crate::uri::encode(key, false)),
            std::borrow::Cow::Owned(crate::uri::encode(value, false)),
        ));
    }
    params.sort_unstable();
    for (i, (key, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
}

/// A header value as signed: spaces trimmed at both ends and runs of spaces
/// made one.
fn push_trimmed(out: &mut String, value: &str) {
    if !value.as_bytes().contains(&b' ') {
        out.push_str(value);
        return;
    }
    let value = value.trim_matches(' ');
    if !value.as_bytes().windows(2).any(|pair| pair == b"  ") {
        out.push_str(value);
        return;
    }
    let mut space = false;
    for ch in value.chars() {
        if ch == ' ' {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(ch);
    }
}

/// The canonical request of a request whose headers are `headers` (names
/// in lower case; `host` is signed with the value `host` when the map has
/// none), and appends the signed header names (`a;b;c`) to `signed`.
#[allow(clippy::too_many_arguments)]
fn canonical_request(
    method: &str,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    host: Option<&str>,
    single: bool,
    extra_query: &[(&str, &str)],
    payload_hash: &str,
    signed: &mut String,
) -> Result<String, SignError> {
    let query = Query {
        text: uri.query(),
        extra: extra_query,
        skip: None,
    };
    let path = uri.path();
    canonical(
        method,
        path,
        query,
        headers,
        host,
        None,
        single,
        payload_hash,
        signed,
    )
}

/// The query string of a canonical request: the request's, with `extra`
/// parameters added and the parameter `skip` (a presigned URL's signature)
/// left out.
#[derive(Clone, Copy)]
struct Query<'a> {
    text: Option<&'a str>,
    extra: &'a [(&'a str, &'a str)],
    skip: Option<&'a str>,
}

/// The canonical request. `only`: the names of the headers to sign (a
/// request being verified names them); otherwise every header but those
/// never signed.
#[allow(clippy::too_many_arguments)]
fn canonical(
    method: &str,
    path: &str,
    query: Query<'_>,
    headers: &http::HeaderMap,
    host: Option<&str>,
    only: Option<&[&str]>,
    single: bool,
    payload_hash: &str,
    signed: &mut String,
) -> Result<String, SignError> {
    // Every signed (name, value), in the map's order: the values of one
    // name stay in the order they were added, which a stable sort keeps.
    let mut entries: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
    for (name, value) in headers {
        let name = name.as_str();
        let chosen = match only {
            Some(names) => names.contains(&name),
            None => !is_unsigned(name),
        };
        if !chosen {
            continue;
        }
        let value = value.to_str().map_err(|_| {
            SignError::Signer(format!(
                "the {name} header is not visible ASCII, which SigV4 cannot sign \
                     (percent-encode text such as a copy source's key)"
            ))
        })?;
        entries.push((name, value));
    }
    let host_signed = only.is_none_or(|names| names.contains(&"host"));
    if let Some(host) = host.filter(|_| host_signed && !headers.contains_key(http::header::HOST)) {
        entries.push(("host", host));
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(1024);
    out.push_str(method);
    out.push('\n');
    canonical_path(&mut out, path, single);
    out.push('\n');
    canonical_query(&mut out, query);
    out.push('\n');
    let start = signed.len();
    let mut previous: Option<&str> = None;
    for (name, value) in &entries {
        if previous == Some(name) {
            out.push(',');
        } else {
            if previous.is_some() {
                out.push('\n');
                signed.push(';');
            }
            out.push_str(name);
            out.push(':');
            signed.push_str(name);
            previous = Some(name);
        }
        push_trimmed(&mut out, value);
    }
    if previous.is_some() {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed[start..]);
    out.push('\n');
    out.push_str(payload_hash);
    Ok(out)
}

/// The authority of a URI, as a `host` header would carry it.
fn authority(uri: &http::Uri) -> Option<&str> {
    uri.authority().map(http::uri::Authority::as_str)
}

/// A header value from text the signer wrote.
fn value(text: String, sensitive: bool) -> Result<http::HeaderValue, SignError> {
    let mut value = http::HeaderValue::try_from(text)
        .map_err(|_| SignError::Signer("a value HTTP cannot carry".to_owned()))?;
    value.set_sensitive(sensitive);
    Ok(value)
}

/// Signs `request` (built for `endpoint`, with its `host` header) at `time`:
/// adds `authorization`, `x-amz-date`, `x-amz-content-sha256` and, with a
/// session token, `x-amz-security-token`.
pub fn sign(
    request: &mut http::Request<Vec<u8>>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    time: SystemTime,
    payload: Payload,
) -> Result<(), SignError> {
    let (service, region, single) = sigv4_scheme(endpoint)?;
    sign_scoped(
        request,
        credentials,
        time,
        (region, service, single),
        payload,
    )
}

/// [`sign`] for a signing region and service named by the caller (with
/// whether the path is encoded only once), not by endpoint rules: for the
/// requests the client sends to other services (STS).
pub(crate) fn sign_scoped(
    request: &mut http::Request<Vec<u8>>,
    credentials: &Credentials,
    time: SystemTime,
    (region, service, single): (&str, &str, bool),
    payload: Payload,
) -> Result<(), SignError> {
    let signer = Signer::new(credentials, time, region, service)?;
    let body_hash;
    let payload_hash = match payload {
        Payload::Signed => {
            body_hash = sha256_hex(request.body());
            text(&body_hash)
        }
        Payload::Unsigned => UNSIGNED_PAYLOAD,
        Payload::StreamingUnsignedTrailer => STREAMING_UNSIGNED_TRAILER,
    };
    let headers = request.headers_mut();
    headers.remove(http::header::AUTHORIZATION);
    headers.insert(
        X_AMZ_DATE,
        http::HeaderValue::from_bytes(&signer.date_time)
            .map_err(|_| SignError::Signer("a date HTTP cannot carry".to_owned()))?,
    );
    let content_sha256 = match payload {
        Payload::Signed => http::HeaderValue::from_str(payload_hash)
            .map_err(|_| SignError::Signer("a hash HTTP cannot carry".to_owned()))?,
        Payload::Unsigned => http::HeaderValue::from_static(UNSIGNED_PAYLOAD),
        Payload::StreamingUnsignedTrailer => {
            http::HeaderValue::from_static(STREAMING_UNSIGNED_TRAILER)
        }
    };
    headers.insert(X_AMZ_CONTENT_SHA256, content_sha256);
    if let Some(token) = &credentials.session_token {
        headers.insert(X_AMZ_SECURITY_TOKEN, value(token.clone(), true)?);
    }
    let mut authorization = String::with_capacity(256);
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(&credentials.access_key_id);
    authorization.push('/');
    signer.push_scope(&mut authorization);
    authorization.push_str(", SignedHeaders=");
    let canonical = canonical_request(
        request.method().as_str(),
        request.uri(),
        request.headers(),
        authority(request.uri()),
        single,
        &[],
        payload_hash,
        &mut authorization,
    )?;
    authorization.push_str(", Signature=");
    signer.push_signature(&mut authorization, &canonical);
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, value(authorization, true)?);
    Ok(())
}

/// The presigned URL of `request` (built for `endpoint`) at `time`, valid
/// for `expires` (at most 7 days, S3's limit): the request's URL with
/// `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
/// `X-Amz-SignedHeaders` (the `host`), `X-Amz-Security-Token` with a session
/// token, and `X-Amz-Signature`. The body is not signed
/// (`UNSIGNED-PAYLOAD`), so the URL serves any body the caller sends.
pub fn presign<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    time: SystemTime,
    expires: Duration,
) -> Result<String, SignError> {
    const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);
    if expires > WEEK || expires.is_zero() {
        return Err(SignError::Signer(format!(
            "a presigned URL expires after 1 second to 7 days, not {} seconds",
            expires.as_secs()
        )));
    }
    let (service, region, single) = sigv4_scheme(endpoint)?;
    let signer = Signer::new(credentials, time, region, service)?;
    // Only the host is signed: the caller of a presigned URL sends no other
    // header it would have to reproduce.
    let mut head = http::HeaderMap::new();
    let host = match request.headers().get(http::header::HOST) {
        Some(host) => host.to_str().ok().map(str::to_owned),
        None => authority(request.uri()).map(str::to_owned),
    };
    if let Some(host) = &host {
        head.insert(http::header::HOST, value(host.clone(), false)?);
    }
    let mut credential = format!("{}/", credentials.access_key_id);
    signer.push_scope(&mut credential);
    let expires = expires.as_secs().to_string();
    let mut params: Vec<(&str, &str)> = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", signer.date_time()),
        ("X-Amz-Expires", &expires),
        ("X-Amz-SignedHeaders", "host"),
    ];
    if let Some(token) = &credentials.session_token {
        params.push(("X-Amz-Security-Token", token));
    }
    let canonical = canonical_request(
        request.method().as_str(),
        request.uri(),
        &head,
        host.as_deref(),
        single,
        &params,
        UNSIGNED_PAYLOAD,
        &mut String::new(),
    )?;
    let mut signature = String::with_capacity(64);
    signer.push_signature(&mut signature, &canonical);
    // The URL lists the signature after the signed parameters, the session
    // token (signed too) last.
    let token = credentials
        .session_token
        .is_some()
        .then(|| params.remove(5));
    let mut url = request.uri().to_string();
    let mut first = !url.contains('?');
    let last = [("X-Amz-Signature", signature.as_str())];
    for (name, value) in params.iter().chain(&last).chain(&token) {
        crate::uri::push_query(&mut url, &mut first, name, Some(value));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_request_sorts_joins_and_trims() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-amz-meta-b", "  two   spaces  ".parse().unwrap());
        headers.append("x-amz-meta-a", "first".parse().unwrap());
        headers.append("user-agent", "not signed".parse().unwrap());
        headers.append("x-amz-meta-a", "second".parse().unwrap());
        let uri: http::Uri = "https://h.example/a%20b/c?z=1&a=x+y&list-type=2&a=%7e"
            .parse()
            .unwrap();
        let mut signed = String::from("prefix:");
        let canonical = canonical_request(
            "PUT",
            &uri,
            &headers,
            Some("h.example"),
            true,
            &[],
            "HASH",
            &mut signed,
        )
        .unwrap();
        assert_eq!(
            canonical,
            "PUT\n/a%20b/c\na=x%20y&a=~&list-type=2&z=1\n\
             host:h.example\nx-amz-meta-a:first,second\nx-amz-meta-b:two spaces\n\n\
             host;x-amz-meta-a;x-amz-meta-b\nHASH"
        );
        assert_eq!(signed, "prefix:host;x-amz-meta-a;x-amz-meta-b");
    }

    #[test]
    fn dates_are_written_as_sigv4_writes_them() {
        let at = |secs: u64| {
            let date = amz_date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
            text(&date).to_owned()
        };
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(1_369_353_600), "20130524T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z");
        assert_eq!(at(4_107_542_399), "21000228T235959Z");
        assert_eq!(at(1_796_389_200 + 3_723), "20261204T140203Z");
    }
}
