//! A blocking client that sends any operation (cargo feature `client`):
//! endpoint, signature, HTTP, retries, response.
//!
//! ```text
//! let client = s3_api::Client::from_env()?;            // region, keys, endpoint from the usual places
//! let output = client.send::<GetBucketAnalyticsConfiguration>(&input)?;
//! ```
//!
//! The HTTP stack is `ureq` 3 with rustls (ring, the Mozilla root
//! certificates of `webpki-roots`): a small, blocking client with no async
//! runtime, for the programs that chose this crate over the AWS SDK for its
//! build time and footprint. Async programs keep the sans-IO core and their
//! own stack (`endpoint::build_request` and `sign::sign`).
//!
//! Credentials are fixed ([`Client::new`]), read from the environment and
//! the shared files ([`Client::from_env`]), or fetched from a provider that
//! gives credentials which expire ([`Client::with_credentials_provider`]:
//! [`ContainerCredentials`] for ECS and EKS, [`InstanceMetadata`] for EC2,
//! [`CredentialProcess`] for a profile's `credential_process`,
//! [`WebIdentity`] for a web identity token exchanged with STS,
//! [`AssumeRole`] for a role assumed with other credentials,
//! [`SsoCredentials`] for IAM Identity Center, or your own
//! [`ProvideCredentials`]), asked again five minutes before they expire.
//! A profile's `role_arn`, `sso_session` and `credential_process` are
//! followed by `from_env` ([`ProfileSource`]).
//!
//! Each call builds the request for the resolved endpoint once, then for up
//! to [`Client::with_max_attempts`] attempts (3 by default, as the AWS SDKs'
//! standard mode): signs it at the time of the attempt, sends it, and reads
//! the response. It tries again, after an exponential backoff with full
//! jitter (100 ms base, 20 s cap), on a connection or timeout failure, a 500,
//! 502, 503 or 504 status, or a throttling or transient error code
//! (`SlowDown`, `Throttling`, `RequestTimeout`, `InternalError`...). Every S3
//! request here is buffered, so repeating it sends the same bytes.
//!
//! Checksums are sent when the operation requires one (`Content-MD5` or the
//! algorithm the input names), not by default on every upload
//! ([`RequestChecksums::WhenRequired`]): several S3-compatible servers
//! (older MinIO, Cloudflare R2 at first) refused the CRC32 checksums that
//! aws-sdk-s3 started to send by default. [`Client::with_checksums`] with
//! [`RequestChecksums::WhenSupported`] adds a CRC32 wherever the operation
//! takes one.
//!
//! Response checksums are validated when the input asks for it (GetObject
//! with `ChecksumMode` set to `ENABLED`, as the model's `httpChecksum` trait
//! says): the first algorithm of the trait's list that the response carries
//! and this crate computes (CRC64NVME, CRC32, CRC32C, SHA256, SHA1), over
//! the whole body. A mismatch is [`SendError::Checksum`] (retried like a
//! transient failure), or an `InvalidData` error at the end of a streamed
//! body. Composite checksums of multipart objects (`...-N`) and partial
//! bodies (206) are not validated: they are not checksums of the bytes
//! received.

use std::time::{Duration, SystemTime};

use crate::endpoint::{Endpoint, ParamValue};
use crate::error::BuildError;
use crate::operation::{Operation, ProvideErrorMetadata, StreamingInput, StreamingOutput};
use crate::sign::{self, Credentials, Payload, SignError};

mod profile;
mod provider;
pub use profile::{AssumeRole, ProfileSource, SsoCredentials};
use provider::Source;
pub use provider::{
    ContainerCredentials, CredentialProcess, InstanceMetadata, ProvideCredentials, REFRESH_BEFORE,
    WebIdentity,
};

/// A client configuration of the endpoint rules that can be set by name
/// (each generated crate's `endpoint::Config`).
pub trait Configure {
    /// Sets a value by built-in name (`AWS::Region`) or parameter name.
    fn set(&mut self, name: &str, value: ParamValue<'_>) -> Result<(), String>;
}

/// Builds the request of an input at its resolved endpoint (each
/// generated crate's `endpoint::Config`, for every input with endpoint
/// parameters).
pub trait BuildAt<I: crate::operation::Input> {
    /// The endpoint of the input's request.
    fn endpoint_for(&self, input: &I) -> Result<Endpoint, BuildError>;

    /// The request and the endpoint it was built for.
    fn build_at(&self, input: &I) -> Result<(http::Request<Vec<u8>>, Endpoint), BuildError> {
        let endpoint = self.endpoint_for(input)?;
        let request = input.to_http_request_at(Some(&endpoint))?;
        Ok((request, endpoint))
    }
}

/// Why a call failed.
#[derive(Debug)]
pub enum SendError<E> {
    /// The request could not be built (a bad value, no endpoint for the
    /// parameters).
    Build(BuildError),
    /// The request could not be signed.
    Sign(SignError),
    /// The server could not be reached, or the connection failed, on every
    /// attempt: what the last attempt saw.
    Http(String),
    /// The credentials provider could not give credentials: why.
    Credentials(String),
    /// The service answered with an error: the operation's error (its
    /// code, message, request id and status through
    /// [`ProvideErrorMetadata`]).
    Service(E),
    /// The response body does not have the checksum the response announced
    /// (on every attempt), when the input asked for validation (see
    /// [`Input::response_checksums`](crate::operation::Input::response_checksums)).
    Checksum(crate::checksum::DigestError),
}

impl<E: std::fmt::Display> std::fmt::Display for SendError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Build(e) => write!(f, "the request could not be built: {e}"),
            SendError::Sign(e) => e.fmt(f),
            SendError::Http(e) => write!(f, "HTTP failure: {e}"),
            SendError::Credentials(e) => write!(f, "no credentials to sign with: {e}"),
            SendError::Service(e) => write!(f, "the service answered with an error: {e}"),
            SendError::Checksum(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SendError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SendError::Build(e) => Some(e),
            SendError::Sign(e) => Some(e),
            SendError::Http(_) | SendError::Credentials(_) => None,
            SendError::Service(e) => Some(e),
            SendError::Checksum(e) => Some(e),
        }
    }
}

/// Error codes worth another attempt: throttling and transient failures.
const RETRY_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
];

/// When the client adds a checksum of the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestChecksums {
    /// Only where the operation requires one (the request builder adds
    /// it): the default, since several S3-compatible servers refuse
    /// checksum headers they do not know.
    #[default]
    WhenRequired,
    /// Also on every operation that supports one and whose input chose no
    /// algorithm: a CRC32 (`x-amz-checksum-crc32`), as the AWS SDKs do by
    /// default since 2025.
    WhenSupported,
}

/// Adds a CRC32 of the body to a request whose operation supports a
/// checksum, when `mode` asks for it and the request carries none yet.
pub fn add_checksum(
    request: &mut http::Request<Vec<u8>>,
    support: crate::operation::RequestChecksum,
    mode: RequestChecksums,
) {
    use crate::checksum::ChecksumAlgorithm;
    if mode != RequestChecksums::WhenSupported
        || support == crate::operation::RequestChecksum::None
        || has_checksum(request.headers())
    {
        return;
    }
    let algorithm = ChecksumAlgorithm::Crc32;
    let value = algorithm.checksum_header_value(request.body());
    if let Ok(value) = http::HeaderValue::from_str(&value) {
        let headers = request.headers_mut();
        headers.insert(algorithm.header_name(), value);
        headers.insert(
            "x-amz-sdk-checksum-algorithm",
            http::HeaderValue::from_static("CRC32"),
        );
    }
}

/// Whether a request carries a checksum of its body already (set by a
/// member).
fn has_checksum(headers: &http::HeaderMap) -> bool {
    headers
        .keys()
        .any(|k| crate::checksum::is_checksum_header(k.as_str()))
}

/// Statuses worth another attempt.
const RETRY_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Responses larger than this are refused rather than buffered.
const MAX_RESPONSE: u64 = 1 << 30;

/// A client: the endpoint configuration, the credentials, the HTTP agent
/// and the retry policy.
pub struct Client<C> {
    config: C,
    credentials: Option<Source>,
    agent: ureq::Agent,
    max_attempts: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    payload: Payload,
    checksums: RequestChecksums,
}

impl<C: std::fmt::Debug> std::fmt::Debug for Client<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("credentials", &self.credentials)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

fn agent(connect: Duration, attempt: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(connect))
        .timeout_global(Some(attempt))
        .build()
        .into()
}

impl<C> Client<C> {
    /// A client for `config`, signing with `credentials` (`None`: requests
    /// go unsigned, for servers that do not check).
    pub fn new(config: C, credentials: Option<Credentials>) -> Self {
        Client {
            config,
            credentials: credentials.map(|c| Source::Fixed(std::sync::Arc::new(c))),
            agent: agent(Duration::from_secs(10), Duration::from_secs(300)),
            max_attempts: 3,
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_secs(20),
            payload: Payload::Signed,
            checksums: RequestChecksums::WhenRequired,
        }
    }

    /// At most `attempts` attempts per call (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the n-th retry is a random duration up to
    /// `base * 2^n`, at most `cap`.
    pub fn with_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_cap = cap;
        self
    }

    /// Time limits: to connect, and for a whole attempt (connect, send,
    /// receive).
    pub fn with_timeouts(mut self, connect: Duration, attempt: Duration) -> Self {
        self.agent = agent(connect, attempt);
        self
    }

    /// Whether bodies are signed (the default) or sent as
    /// `UNSIGNED-PAYLOAD`.
    pub fn with_payload(mut self, payload: Payload) -> Self {
        self.payload = payload;
        self
    }

    /// Signs with the credentials `provider` gives, fetched before the
    /// first request and again when they have less than
    /// [`REFRESH_BEFORE`] left: [`ContainerCredentials`] in an ECS task or
    /// an EKS pod, [`InstanceMetadata`] on an EC2 instance.
    pub fn with_credentials_provider(
        mut self,
        provider: impl ProvideCredentials + 'static,
    ) -> Self {
        self.credentials = Some(Source::provided(Box::new(provider)));
        self
    }

    /// The credentials to sign with now, if the client signs.
    fn credentials_now<E>(&self) -> Result<Option<std::sync::Arc<Credentials>>, SendError<E>> {
        match &self.credentials {
            Some(source) => source
                .get(SystemTime::now())
                .map(Some)
                .map_err(SendError::Credentials),
            None => Ok(None),
        }
    }

    /// When request bodies get a checksum (default: when required).
    pub fn with_checksums(mut self, checksums: RequestChecksums) -> Self {
        self.checksums = checksums;
        self
    }

    /// The endpoint configuration.
    pub fn config(&self) -> &C {
        &self.config
    }

    /// Sends `input` as operation `O` and reads its answer.
    pub fn send<O: Operation>(&self, input: &O::Input) -> Result<O::Output, SendError<O::Error>>
    where
        C: BuildAt<O::Input>,
    {
        let (mut request, endpoint) = self.config.build_at(input).map_err(SendError::Build)?;
        add_checksum(
            &mut request,
            <O::Input as crate::operation::Input>::REQUEST_CHECKSUM,
            self.checksums,
        );
        let algorithms = crate::operation::Input::response_checksums(input);
        self.attempts(&request, &endpoint, |response| {
            let response = read_whole(response).map_err(|e| (SendError::Http(e), true))?;
            // A body changed on the way may come whole on another attempt.
            crate::checksum::check_response(algorithms, &response)
                .map_err(|e| (SendError::Checksum(e), true))?;
            O::parse_response(&response).map_err(|e| service(&response, e))
        })
    }

    /// Sends `input` with `body` as its streaming payload (S3's PutObject
    /// body): `length` bytes, read from `body` as they are sent, never
    /// buffered; a body that ends early fails the call rather than send
    /// less. The payload is signed as `UNSIGNED-PAYLOAD`. With
    /// [`RequestChecksums::WhenSupported`], and no checksum set through a
    /// member, it goes `aws-chunked` (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`)
    /// with the CRC32 computed as it is read in a trailer, as the AWS SDKs
    /// send streamed uploads; otherwise no checksum is computed (set one
    /// through its member, see [`crate::checksum::Hasher`], when you need
    /// it). One attempt only, since a body read once cannot be sent again.
    pub fn send_body<O: Operation>(
        &self,
        input: &O::Input,
        body: impl std::io::Read + Send + 'static,
        length: u64,
    ) -> Result<O::Output, SendError<O::Error>>
    where
        C: BuildAt<O::Input>,
        O::Input: StreamingInput,
    {
        let endpoint = self.config.endpoint_for(input).map_err(SendError::Build)?;
        let mut head = input
            .to_http_request_with_body_at(Some(&endpoint), Vec::new())
            .map_err(SendError::Build)?;
        let trailer = self.checksums == RequestChecksums::WhenSupported
            && <O::Input as crate::operation::Input>::REQUEST_CHECKSUM
                != crate::operation::RequestChecksum::None
            && !has_checksum(head.headers());
        let headers = head.headers_mut();
        let (payload, body): (Payload, Box<dyn std::io::Read + Send>) = if trailer {
            use crate::aws_chunked::{Encoder, encoded_length};
            let algorithm = crate::checksum::ChecksumAlgorithm::Crc32;
            let encoded = encoded_length(length, algorithm);
            headers.insert(http::header::CONTENT_LENGTH, encoded.into());
            headers.insert("x-amz-decoded-content-length", length.into());
            headers.append(
                http::header::CONTENT_ENCODING,
                http::HeaderValue::from_static("aws-chunked"),
            );
            let name = http::HeaderValue::from_static(algorithm.header_name());
            headers.insert("x-amz-trailer", name);
            let wire_name = http::HeaderValue::from_static(algorithm.wire_name());
            headers.insert("x-amz-sdk-checksum-algorithm", wire_name);
            let body = Encoder::new(body, length, algorithm);
            (Payload::StreamingUnsignedTrailer, Box::new(body))
        } else {
            headers.insert(http::header::CONTENT_LENGTH, length.into());
            (Payload::Unsigned, Box::new(body))
        };
        if let Some(credentials) = self.credentials_now()? {
            sign::sign(
                &mut head,
                &endpoint,
                &credentials,
                SystemTime::now(),
                payload,
            )
            .map_err(SendError::Sign)?;
        }
        let request = head.map(|_| ureq::SendBody::from_owned_reader(body));
        let response = self
            .agent
            .run(request)
            .map_err(|e| SendError::Http(e.to_string()))?;
        let response = read_whole(response).map_err(SendError::Http)?;
        O::parse_response(&response).map_err(SendError::Service)
    }

    /// Sends `input` and returns, for a successful answer, the output read
    /// from the status and headers and a reader of the streaming payload
    /// (S3's GetObject body), read as it arrives. Retried like
    /// [`Client::send`] until the body starts; an error answer is read whole.
    /// When the input asks for response checksums to be validated (GetObject
    /// with `ChecksumMode` `ENABLED`), reading the body to its end fails with
    /// [`std::io::ErrorKind::InvalidData`] if its checksum is not the one
    /// announced ([`crate::checksum::CheckedReader`]).
    pub fn send_streaming<O: Operation>(
        &self,
        input: &O::Input,
    ) -> Result<(O::Output, impl std::io::Read + Send + 'static), SendError<O::Error>>
    where
        C: BuildAt<O::Input>,
        O::Output: StreamingOutput,
    {
        let (request, endpoint) = self.config.build_at(input).map_err(SendError::Build)?;
        let algorithms = crate::operation::Input::response_checksums(input);
        self.attempts(&request, &endpoint, |response| {
            if response.status().is_success() {
                let expected = crate::checksum::response_checksum(
                    algorithms,
                    response.status(),
                    response.headers(),
                )
                .map_err(|e| (SendError::Checksum(e), true))?;
                let (parts, body) = response.into_parts();
                let head = http::Response::from_parts(parts, Vec::new());
                let output =
                    O::parse_response(&head).map_err(|e| (SendError::Service(e), false))?;
                let body = crate::checksum::CheckedReader::new(body.into_reader(), expected);
                return Ok((output, body));
            }
            let response = read_whole(response).map_err(|e| (SendError::Http(e), true))?;
            let output = O::parse_response(&response).map_err(|e| service(&response, e))?;
            // An answer that is not a success but reads as one keeps its body.
            let body = ureq::Body::builder()
                .data(response.into_body())
                .into_reader();
            Ok((output, crate::checksum::CheckedReader::new(body, None)))
        })
    }

    /// Signs and sends `request` (built for `endpoint`) at most
    /// `max_attempts` times, signed anew at each attempt, with backoff in
    /// between; `answer` reads a response into the call's result, or into
    /// its error and whether another attempt may help. A connection failure
    /// or timeout may always be retried.
    fn attempts<T, E>(
        &self,
        request: &http::Request<Vec<u8>>,
        endpoint: &Endpoint,
        mut answer: impl FnMut(http::Response<ureq::Body>) -> Result<T, (SendError<E>, bool)>,
    ) -> Result<T, SendError<E>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut signed = request.clone();
            if let Some(credentials) = self.credentials_now()? {
                sign::sign(
                    &mut signed,
                    endpoint,
                    &credentials,
                    SystemTime::now(),
                    self.payload,
                )
                .map_err(SendError::Sign)?;
            }
            let outcome = match self.agent.run(signed) {
                Ok(response) => answer(response),
                Err(e) => Err((SendError::Http(e.to_string()), true)),
            };
            match outcome {
                Ok(value) => return Ok(value),
                Err((e, retry)) if !retry || attempt >= self.max_attempts => return Err(e),
                Err(_) => std::thread::sleep(self.backoff(attempt)),
            }
        }
    }

    /// Full jitter: a random duration up to `base * 2^(attempt - 1)`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.backoff_cap);
        ceiling.mul_f64(jitter())
    }
}

/// A response with its body read whole (at most `MAX_RESPONSE` bytes).
fn read_whole(response: http::Response<ureq::Body>) -> Result<http::Response<Vec<u8>>, String> {
    let (parts, mut body) = response.into_parts();
    let body = body
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    Ok(http::Response::from_parts(parts, body))
}

/// An error answer as the call's error, and whether another attempt may help.
fn service<E: ProvideErrorMetadata>(
    response: &http::Response<Vec<u8>>,
    error: E,
) -> (SendError<E>, bool) {
    let retry = retryable(response.status().as_u16(), error.code());
    (SendError::Service(error), retry)
}

/// Whether an error answer is worth another attempt.
fn retryable(status: u16, code: Option<&str>) -> bool {
    RETRY_STATUSES.contains(&status) || code.is_some_and(|c| RETRY_CODES.contains(&c))
}

/// A number in [0, 1) from the standard library's random hasher keys.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Where [`Client::from_env`]-style loading found each setting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// The region (`AWS_REGION`, `AWS_DEFAULT_REGION`, or `region` of the
    /// profile in the shared config file).
    pub region: Option<String>,
    /// The credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, or the profile of the shared credentials file,
    /// else of the config file).
    pub credentials: Option<Credentials>,
    /// Where the profile's credentials come from when they are not static
    /// keys (used when there are none above): a `credential_process`, IAM
    /// Identity Center, a role assumed from a source profile or a
    /// credential source, a web identity token file; or why the profile
    /// cannot give any ([`ProfileSource::Invalid`]).
    pub profile_source: Option<ProfileSource>,
    /// A custom endpoint (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, or
    /// `endpoint_url` of the profile).
    pub endpoint_url: Option<String>,
    /// Path-style addressing (`AWS_S3_FORCE_PATH_STYLE=true`, or
    /// `s3 = addressing_style = path` / `force_path_style = true` in the
    /// profile).
    pub force_path_style: bool,
}

impl Environment {
    /// Reads the process environment and the shared files: `AWS_PROFILE`
    /// (default `default`), `AWS_CONFIG_FILE` (default `~/.aws/config`),
    /// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`).
    /// Environment variables win over the files.
    pub fn load() -> Environment {
        let home = env_var("HOME").or_else(|| env_var("USERPROFILE"));
        let file = |var_name: &str, default: &str| {
            env_var(var_name)
                .or_else(|| home.as_ref().map(|h| format!("{h}/.aws/{default}")))
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
        };
        Self::from_sources(
            &env_var,
            &file("AWS_CONFIG_FILE", "config"),
            &file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        )
    }

    /// [`Environment::load`] from given sources: an environment lookup and
    /// the texts of the config and credentials files.
    pub fn from_sources(
        var: &dyn Fn(&str) -> Option<String>,
        config_file: &str,
        credentials_file: &str,
    ) -> Environment {
        let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let files = profile::Files {
            config: config_file,
            credentials: credentials_file,
        };
        let settings = files.profile(&profile);
        let get = |key: &str| setting(&settings, key);
        let profile_source = files.source(&profile);
        // The profile's own keys, unless it names another source (a role).
        let credentials = static_keys(var, ENV_KEYS).or_else(|| {
            profile_source
                .is_none()
                .then(|| static_keys(&get, PROFILE_KEYS))
                .flatten()
        });
        let truthy = |v: Option<String>| v.is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Environment {
            region: var("AWS_REGION")
                .or_else(|| var("AWS_DEFAULT_REGION"))
                .or_else(|| get("region")),
            credentials,
            profile_source,
            endpoint_url: var("AWS_ENDPOINT_URL_S3")
                .or_else(|| var("AWS_ENDPOINT_URL"))
                .or_else(|| get("endpoint_url")),
            force_path_style: truthy(var("AWS_S3_FORCE_PATH_STYLE"))
                || get("addressing_style").is_some_and(|v| v == "path")
                || truthy(get("force_path_style")),
        }
    }

    /// Applies the region, endpoint and path style to a configuration.
    pub fn configure<C: Configure>(&self, config: &mut C) -> Result<(), String> {
        if let Some(region) = &self.region {
            config.set("AWS::Region", ParamValue::Str(region))?;
        }
        if let Some(url) = &self.endpoint_url {
            config.set("SDK::Endpoint", ParamValue::Str(url))?;
        }
        if self.force_path_style {
            config.set("AWS::S3::ForcePathStyle", ParamValue::Bool(true))?;
        }
        Ok(())
    }
}

impl<C: Configure + Default> Client<C> {
    /// A client configured from the environment and the shared files (see
    /// [`Environment::load`]). Credentials, in this order: the environment's
    /// keys; the profile's static keys; what else the profile names
    /// ([`ProfileSource`]: a role assumed with STS from a source profile or
    /// credential source, IAM Identity Center, a `credential_process`, a web
    /// identity token file), an error when the profile names something that
    /// cannot give credentials; a web identity token
    /// ([`WebIdentity::from_env`], as in EKS with IAM roles for service
    /// accounts); the container credentials endpoint when the environment
    /// names one ([`ContainerCredentials::from_env`], as in ECS and EKS Pod
    /// Identity). Otherwise requests go unsigned; on EC2, add
    /// `with_credentials_provider(InstanceMetadata::from_env()...)`.
    pub fn from_env() -> Result<Self, String> {
        let env = Environment::load();
        let mut config = C::default();
        env.configure(&mut config)?;
        let client = Client::new(config, env.credentials.clone());
        if env.credentials.is_some() {
            return Ok(client);
        }
        if let Some(source) = &env.profile_source {
            let provider = source
                .provider(env.region.as_deref(), &env_var)
                .map_err(|e| format!("the profile's credentials: {e}"))?;
            return Ok(client.with_credentials_provider(provider));
        }
        if let Some(web) = WebIdentity::from_env() {
            return Ok(client.with_credentials_provider(web));
        }
        Ok(match ContainerCredentials::from_env() {
            Some(container) => client.with_credentials_provider(container),
            None => client,
        })
    }
}

/// A variable of the process environment; an empty one counts as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A setting of a section read by [`ini_section`].
fn setting(settings: &[(String, String)], key: &str) -> Option<String> {
    settings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// The names of static credentials in the environment and in a profile:
/// access key id, secret, session token.
const ENV_KEYS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];
const PROFILE_KEYS: [&str; 3] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

/// Static credentials looked up by their three `names` (see [`ENV_KEYS`],
/// [`PROFILE_KEYS`]): `None` without a key id and a secret.
fn static_keys(get: &dyn Fn(&str) -> Option<String>, names: [&str; 3]) -> Option<Credentials> {
    let [key, secret, token] = names;
    Some(credentials(get(key)?, get(secret)?, get(token)))
}

/// Credentials from a key, its secret and maybe a session token.
fn credentials(
    key: impl Into<String>,
    secret: impl Into<String>,
    token: Option<impl Into<String>>,
) -> Credentials {
    let credentials = Credentials::new(key, secret);
    match token {
        Some(token) => credentials.with_session_token(token),
        None => credentials,
    }
}

/// The `key = value` lines of section `[name]` of an INI text (keys in
/// lower case; nested `s3 =` blocks flattened: their indented lines count
/// as keys of the section).
fn ini_section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(section) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            inside = section.trim() == name;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((k, v)) = trimmed.split_once('=') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_files_and_profiles_are_read() {
        let config = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-west-2\nendpoint_url = http://localhost:9000\ns3 =\n  addressing_style = path\n";
        let creds = "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s2\naws_session_token = t2\n";
        let env = Environment::from_sources(&|_| None, config, creds);
        assert_eq!(env.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            env.credentials.as_ref().unwrap().access_key_id(),
            "AKIDDEFAULT"
        );
        assert!(!env.force_path_style);
        let dev = |name: &str| (name == "AWS_PROFILE").then(|| "dev".to_owned());
        let env = Environment::from_sources(&dev, config, creds);
        assert_eq!(env.region.as_deref(), Some("us-west-2"));
        assert_eq!(env.endpoint_url.as_deref(), Some("http://localhost:9000"));
        assert!(env.force_path_style);
        let c = env.credentials.unwrap();
        assert_eq!(
            (c.access_key_id(), c.session_token()),
            ("AKIDDEV", Some("t2"))
        );
        let vars = |name: &str| match name {
            "AWS_PROFILE" => Some("dev".to_owned()),
            "AWS_REGION" => Some("ap-south-1".to_owned()),
            "AWS_ACCESS_KEY_ID" => Some("AKIDENV".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("s3".to_owned()),
            "AWS_ENDPOINT_URL_S3" => Some("http://s3.local".to_owned()),
            _ => None,
        };
        let env = Environment::from_sources(&vars, config, creds);
        assert_eq!(env.region.as_deref(), Some("ap-south-1"));
        assert_eq!(env.endpoint_url.as_deref(), Some("http://s3.local"));
        let c = env.credentials.unwrap();
        assert_eq!((c.access_key_id(), c.session_token()), ("AKIDENV", None));
        // A profile whose credentials come from a process.
        let config = "[profile vault]\ncredential_process = aws-vault export --format=json dev\n";
        let vault = |name: &str| (name == "AWS_PROFILE").then(|| "vault".to_owned());
        let env = Environment::from_sources(&vault, config, "");
        assert!(env.credentials.is_none());
        assert_eq!(
            env.profile_source,
            Some(ProfileSource::Process(
                "aws-vault export --format=json dev".into()
            ))
        );
        // A role's profile: its keys, if any, are not the credentials.
        let config = "[profile role]\nrole_arn = r\nsource_profile = dev\naws_access_key_id = X\naws_secret_access_key = y\n";
        let role = |name: &str| (name == "AWS_PROFILE").then(|| "role".to_owned());
        let env = Environment::from_sources(&role, config, creds);
        assert!(env.credentials.is_none());
        assert!(matches!(
            env.profile_source,
            Some(ProfileSource::AssumeRole { ref source, .. })
                if matches!(&**source, ProfileSource::Static(c) if c.access_key_id() == "AKIDDEV")
        ));
    }

    #[test]
    fn checksums_when_supported_only_where_asked() {
        use crate::operation::RequestChecksum;
        let request = || http::Request::new(b"Hello".to_vec());
        let mut r = request();
        add_checksum(
            &mut r,
            RequestChecksum::Supported,
            RequestChecksums::WhenRequired,
        );
        assert!(r.headers().is_empty());
        let mut r = request();
        add_checksum(
            &mut r,
            RequestChecksum::None,
            RequestChecksums::WhenSupported,
        );
        assert!(r.headers().is_empty());
        let mut r = request();
        add_checksum(
            &mut r,
            RequestChecksum::Supported,
            RequestChecksums::WhenSupported,
        );
        // CRC32 of "Hello" is 0xf7d18982.
        assert_eq!(r.headers()["x-amz-checksum-crc32"], "99GJgg==");
        assert_eq!(r.headers()["x-amz-sdk-checksum-algorithm"], "CRC32");
        // A checksum the caller chose stays the only one.
        let mut r = request();
        r.headers_mut()
            .insert("x-amz-checksum-sha256", http::HeaderValue::from_static("x"));
        add_checksum(
            &mut r,
            RequestChecksum::Supported,
            RequestChecksums::WhenSupported,
        );
        assert!(!r.headers().contains_key("x-amz-checksum-crc32"));
    }

    #[test]
    fn retry_decisions_and_backoff() {
        assert!(retryable(503, Some("SlowDown")));
        assert!(retryable(500, None));
        assert!(retryable(400, Some("RequestTimeout")));
        assert!(!retryable(404, Some("NoSuchBucket")));
        assert!(!retryable(403, Some("SignatureDoesNotMatch")));
        let client =
            Client::new((), None).with_backoff(Duration::from_millis(100), Duration::from_secs(1));
        for attempt in 1..40 {
            let d = client.backoff(attempt);
            let ceiling =
                Duration::from_millis(100 << (attempt - 1).min(16)).min(Duration::from_secs(1));
            assert!(d <= ceiling, "{attempt}: {d:?} > {ceiling:?}");
        }
        let j: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(j.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(j.iter().any(|x| *x != j[0]));
    }
}
