//! Signing requests with AWS Signature Version 4 (cargo feature `sign`).
//!
//! [`sign`] signs a request built for a resolved endpoint
//! (`endpoint::build_request` in a generated crate) with the auth scheme
//! the endpoint names: its signing name and region, and
//! `disableDoubleEncoding`. [`presign`] gives a presigned URL instead. The
//! signature itself is computed by the `aws-sigv4` crate (the signer of the
//! AWS SDK for Rust); this module applies S3's rules to it:
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

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};

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

fn settings(double_encoding_off: bool, location: SignatureLocation) -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = if double_encoding_off {
        PercentEncodingMode::Single
    } else {
        PercentEncodingMode::Double
    };
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.session_token_mode = SessionTokenMode::Include;
    settings.signature_location = location;
    settings
}

/// The signature's instructions for `request` (headers or query parameters).
fn instructions<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    time: SystemTime,
    body: SignableBody<'_>,
    location: SignatureLocation,
    expires: Option<Duration>,
) -> Result<aws_sigv4::http_request::SigningInstructions, SignError> {
    let (name, region, single) = sigv4_scheme(endpoint)?;
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        None,
        "s3-runtime",
    )
    .into();
    let mut settings = settings(single, location);
    settings.expires_in = expires;
    if location == SignatureLocation::QueryParams {
        // A presigned URL carries no x-amz-content-sha256 header.
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name(&name)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| SignError::Signer(e.to_string()))?
        .into();
    let headers = request
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let signable = SignableRequest::new(
        request.method().as_str(),
        request.uri().to_string(),
        headers,
        body,
    )
    .map_err(|e| SignError::Signer(e.to_string()))?;
    let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| SignError::Signer(e.to_string()))?
        .into_parts();
    Ok(instructions)
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
    let body = match payload {
        Payload::Signed => SignableBody::Bytes(request.body()),
        Payload::Unsigned => SignableBody::UnsignedPayload,
    };
    let instructions = instructions(
        request,
        endpoint,
        credentials,
        time,
        body,
        SignatureLocation::Headers,
        None,
    )?;
    let (headers, _) = instructions.into_parts();
    for header in headers {
        let mut value = http::HeaderValue::from_str(header.value()).map_err(|_| {
            SignError::Signer(format!("a {} value HTTP cannot carry", header.name()))
        })?;
        // The signature and the token are kept out of Debug output.
        value.set_sensitive(
            header.sensitive() || matches!(header.name(), "authorization" | "x-amz-security-token"),
        );
        request.headers_mut().insert(header.name(), value);
    }
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
    // Only the host is signed: the caller of a presigned URL sends no other
    // header it would have to reproduce.
    let mut head = http::Request::new(Vec::<u8>::new());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    if let Some(host) = request.headers().get(http::header::HOST) {
        head.headers_mut().insert(http::header::HOST, host.clone());
    }
    let instructions = instructions(
        &head,
        endpoint,
        credentials,
        time,
        SignableBody::UnsignedPayload,
        SignatureLocation::QueryParams,
        Some(expires),
    )?;
    let (_, params) = instructions.into_parts();
    let mut url = request.uri().to_string();
    let mut first = !url.contains('?');
    for (name, value) in params {
        crate::uri::push_query(&mut url, &mut first, name, Some(&value));
    }
    Ok(url)
}
