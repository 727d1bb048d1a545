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

use std::time::{Duration, SystemTime};

use crate::endpoint::{AuthScheme, Endpoint};

/// AWS credentials: an access key, its secret and, for temporary
/// credentials, a session token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (`AKIA...`, `ASIA...`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
}

impl Credentials {
    /// Credentials from an access key and its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// The same credentials with a session token.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
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

/// The SigV4 parameters of an endpoint: its first `sigv4` auth scheme.
fn sigv4_scheme(endpoint: &Endpoint) -> Result<(String, String, bool), SignError> {
    let schemes = endpoint.auth_schemes();
    let Some(scheme) = schemes.iter().find(|s| s.name == "sigv4") else {
        return Err(SignError::UnsupportedAuthScheme(
            schemes
                .iter()
                .map(|s: &AuthScheme<'_>| s.name.to_owned())
                .collect(),
        ));
    };
    match (scheme.signing_name, scheme.signing_region) {
        (Some(name), Some(region)) => Ok((
            name.to_owned(),
            region.to_owned(),
            scheme.disable_double_encoding,
        )),
        _ => Err(SignError::IncompleteAuthScheme(scheme.name.to_owned())),
    }
}

/// Headers that are never signed: the signature's own, and those that
/// proxies change (the set the AWS SDKs share).
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Hex digits, lower case.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The time as SigV4 writes it (`20130524T000000Z`), and its date.
fn amz_date(time: SystemTime) -> Result<String, SignError> {
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
    Ok(format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3_600,
        rest / 60 % 60,
        rest % 60
    ))
}

/// The signing key of a secret for a day, region and service: four
/// HMAC-SHA256 rounds.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let secret = format!("AWS4{secret}");
    let key = hmac(secret.as_bytes(), date.as_bytes());
    let key = hmac(&key, region.as_bytes());
    let key = hmac(&key, service.as_bytes());
    hmac(&key, b"aws4_request")
}

/// One signature: the scope and the key that signs it.
struct Signer<'a> {
    credentials: &'a Credentials,
    date_time: String,
    scope: String,
    key: [u8; 32],
}

impl<'a> Signer<'a> {
    fn new(
        credentials: &'a Credentials,
        time: SystemTime,
        region: &str,
        service: &str,
    ) -> Result<Self, SignError> {
        let date_time = amz_date(time)?;
        let date = &date_time[..8];
        let scope = format!("{date}/{region}/{service}/aws4_request");
        let key = signing_key(&credentials.secret_access_key, date, region, service);
        Ok(Signer {
            credentials,
            date_time,
            scope,
            key,
        })
    }

    /// The signature of a canonical request.
    fn signature(&self, canonical_request: &str) -> String {
        let string_to_sign = format!(
            "{ALGORITHM}\n{}\n{}\n{}",
            self.date_time,
            self.scope,
            sha256_hex(canonical_request.as_bytes())
        );
        hex(&hmac(&self.key, string_to_sign.as_bytes()))
    }
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

/// Appends the canonical query string: every parameter decoded and encoded
/// again (RFC 3986, upper-case hex), sorted by key and then value.
fn canonical_query(out: &mut String, query: Option<&str>, extra: &[(&str, &str)]) {
    let mut params: Vec<(String, String)> = Vec::new();
    let canonical = |text: &str| {
        let decoded =
            crate::uri::decode(&text.replace('+', " ")).unwrap_or_else(|_| text.to_owned());
        crate::uri::encode(&decoded, false)
    };
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.push((canonical(key), canonical(value)));
    }
    for (key, value) in extra {
        params.push((
            crate::uri::encode(key, false),
            crate::uri::encode(value, false),
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
    let mut space = false;
    for ch in value.trim_matches(' ').chars() {
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

/// The canonical request, and the signed header names (`a;b;c`), of a
/// request whose headers are `headers` (names in lower case, the host
/// among them).
fn canonical_request(
    method: &str,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    host: Option<&str>,
    single: bool,
    extra_query: &[(&str, &str)],
    payload_hash: &str,
) -> Result<(String, String), SignError> {
    let mut names: Vec<&str> = headers
        .keys()
        .map(http::HeaderName::as_str)
        .filter(|name| !UNSIGNED_HEADERS.contains(name))
        .collect();
    if host.is_some() && !headers.contains_key(http::header::HOST) {
        names.push("host");
    }
    names.sort_unstable();
    names.dedup();
    let mut out = String::with_capacity(512);
    out.push_str(method);
    out.push('\n');
    canonical_path(&mut out, uri.path(), single);
    out.push('\n');
    canonical_query(&mut out, uri.query(), extra_query);
    out.push('\n');
    for name in &names {
        out.push_str(name);
        out.push(':');
        if *name == "host" && !headers.contains_key(http::header::HOST) {
            out.push_str(host.unwrap_or_default());
        } else {
            for (i, value) in headers.get_all(*name).iter().enumerate() {
                let value = value.to_str().map_err(|_| {
                    SignError::Signer(format!("the {name} header is not visible ASCII"))
                })?;
                if i > 0 {
                    out.push(',');
                }
                push_trimmed(&mut out, value);
            }
        }
        out.push('\n');
    }
    out.push('\n');
    let signed = names.join(";");
    out.push_str(&signed);
    out.push('\n');
    out.push_str(payload_hash);
    Ok((out, signed))
}

/// The authority of a URI, as a `host` header would carry it.
fn authority(uri: &http::Uri) -> Option<&str> {
    uri.authority().map(http::uri::Authority::as_str)
}

/// A header value from text the signer wrote.
fn value(text: &str, sensitive: bool) -> Result<http::HeaderValue, SignError> {
    let mut value = http::HeaderValue::from_str(text)
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
    let signer = Signer::new(credentials, time, &region, &service)?;
    let payload_hash = match payload {
        Payload::Signed => sha256_hex(request.body()),
        Payload::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
    };
    let headers = request.headers_mut();
    headers.remove(http::header::AUTHORIZATION);
    headers.insert("x-amz-date", value(&signer.date_time, false)?);
    headers.insert("x-amz-content-sha256", value(&payload_hash, false)?);
    if let Some(token) = &credentials.session_token {
        headers.insert("x-amz-security-token", value(token, true)?);
    }
    let host = authority(request.uri()).map(str::to_owned);
    let (canonical, signed) = canonical_request(
        request.method().as_str(),
        request.uri(),
        request.headers(),
        host.as_deref(),
        single,
        &[],
        &payload_hash,
    )?;
    let authorization = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={signed}, Signature={}",
        signer.credentials.access_key_id,
        signer.scope,
        signer.signature(&canonical)
    );
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, value(&authorization, true)?);
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
    let signer = Signer::new(credentials, time, &region, &service)?;
    // Only the host is signed: the caller of a presigned URL sends no other
    // header it would have to reproduce.
    let mut head = http::HeaderMap::new();
    let host = match request.headers().get(http::header::HOST) {
        Some(host) => host.to_str().ok().map(str::to_owned),
        None => authority(request.uri()).map(str::to_owned),
    };
    if let Some(host) = &host {
        head.insert(http::header::HOST, value(host, false)?);
    }
    let credential = format!("{}/{}", credentials.access_key_id, signer.scope);
    let expires = expires.as_secs().to_string();
    let mut params: Vec<(&str, &str)> = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", &signer.date_time),
        ("X-Amz-Expires", &expires),
        ("X-Amz-SignedHeaders", "host"),
    ];
    if let Some(token) = &credentials.session_token {
        params.push(("X-Amz-Security-Token", token));
    }
    let (canonical, _) = canonical_request(
        request.method().as_str(),
        request.uri(),
        &head,
        host.as_deref(),
        single,
        &params,
        UNSIGNED_PAYLOAD,
    )?;
    let signature = signer.signature(&canonical);
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
    fn dates_are_written_as_sigv4_writes_them() {
        let at = |secs: u64| amz_date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(1_369_353_600), "20130524T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z");
        assert_eq!(at(4_107_542_399), "21000228T235959Z");
        assert_eq!(at(1_796_389_200 + 3_723), "20261204T140203Z");
    }
}
