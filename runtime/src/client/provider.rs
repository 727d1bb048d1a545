//! Credentials that expire and are fetched again: from the container
//! credentials endpoint (ECS tasks, EKS Pod Identity), from the EC2
//! instance metadata service (IMDSv2), from a profile's
//! `credential_process`, and from a web identity token exchanged with STS.
//!
//! A [`Client`](super::Client) given a provider with
//! [`with_credentials_provider`](super::Client::with_credentials_provider)
//! asks it for credentials before its first request and again when they
//! have less than [`REFRESH_BEFORE`] left, so a long-running program keeps
//! signing with valid ones. The first three answer the same JSON document
//! (`AccessKeyId`, `SecretAccessKey`, `Token` or `SessionToken`,
//! `Expiration`); STS answers XML with the same fields.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::sign::Credentials;

/// How long before they expire credentials are fetched again.
pub const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

/// A source of credentials that may expire.
pub trait ProvideCredentials: Send + Sync + std::fmt::Debug {
    /// Fetches credentials, with the time they expire (`None`: never), or
    /// says why it could not.
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String>;
}

/// A boxed provider is a provider (the profile's chains hold them).
impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Box<P> {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        (**self).provide()
    }
}

/// The container credentials endpoint: `AWS_CONTAINER_CREDENTIALS_FULL_URI`,
/// or `http://169.254.170.2` followed by
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (what ECS sets), with the
/// `Authorization` header from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// (read at each fetch: EKS Pod Identity rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
#[derive(Debug, Clone)]
pub struct ContainerCredentials {
    url: String,
    token: Option<Token>,
}

#[derive(Clone)]
enum Token {
    Value(String),
    File(String),
}

/// The token itself is never printed.
impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Value(_) => f.debug_tuple("Value").field(&"** redacted **").finish(),
            Token::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

impl ContainerCredentials {
    /// The endpoint the environment names, or `None` when it names none.
    pub fn from_env() -> Option<Self> {
        Self::from_vars(&super::env_var)
    }

    /// [`ContainerCredentials::from_env`] from an environment lookup.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let url = match var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            Some(path) => format!("http://169.254.170.2{path}"),
            None => var("AWS_CONTAINER_CREDENTIALS_FULL_URI")?,
        };
        let token = match var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            Some(file) => Some(Token::File(file)),
            None => var("AWS_CONTAINER_AUTHORIZATION_TOKEN").map(Token::Value),
        };
        Some(ContainerCredentials { url, token })
    }
}

/// Whether the container credentials endpoint may be sent the
/// authorization token: over HTTPS, or over plain HTTP only to this machine
/// or to the addresses ECS and EKS serve credentials on (as the AWS SDKs
/// allow), so that an environment variable cannot send it elsewhere.
fn trusted_container_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    if uri.scheme_str() == Some("https") {
        return true;
    }
    if uri.scheme_str() != Some("http") {
        return false;
    }
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => {
            ip.is_loopback()
                || ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
                    .iter()
                    .any(|allowed| allowed.parse::<std::net::IpAddr>().ok() == Some(ip))
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

impl ProvideCredentials for ContainerCredentials {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        if !trusted_container_url(&self.url) {
            return Err(format!(
                "the container credentials URL {} is neither HTTPS nor a local or ECS/EKS \
                 address; it is not sent the authorization token",
                self.url
            ));
        }
        let token = match &self.token {
            Some(Token::Value(value)) => Some(value.clone()),
            Some(Token::File(path)) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("the container authorization token {path}: {e}"))?
                    .trim()
                    .to_owned(),
            ),
            None => None,
        };
        let mut request = http::Request::get(&self.url);
        if let Some(token) = token {
            request = request.header(http::header::AUTHORIZATION, token);
        }
        let request = request
            .body(Vec::new())
            .map_err(|e| format!("the container credentials URL {}: {e}", self.url))?;
        let body = fetch(request, "the container credentials endpoint")?;
        read_document(&body)
    }
}

/// The EC2 instance metadata service, version 2: a session token (`PUT
/// /latest/api/token`), the instance role's name, then its credentials.
/// The endpoint is `AWS_EC2_METADATA_SERVICE_ENDPOINT` when set, else
/// `http://169.254.169.254`.
#[derive(Debug, Clone)]
pub struct InstanceMetadata {
    endpoint: String,
}

impl InstanceMetadata {
    /// The service at the environment's endpoint, or `None` when
    /// `AWS_EC2_METADATA_DISABLED` is `true`.
    pub fn from_env() -> Option<Self> {
        Self::from_vars(&super::env_var)
    }

    /// [`InstanceMetadata::from_env`] from an environment lookup.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        if var("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return None;
        }
        Some(Self::at(
            var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                .as_deref()
                .unwrap_or("http://169.254.169.254"),
        ))
    }

    /// The service at `endpoint` (scheme, host and port).
    pub fn at(endpoint: &str) -> Self {
        InstanceMetadata {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
        }
    }
}

impl ProvideCredentials for InstanceMetadata {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        const WHAT: &str = "the instance metadata service";
        let request = |method: http::Method, path: &str| {
            http::Request::builder()
                .method(method)
                .uri(format!("{}{path}", self.endpoint))
        };
        let token = request(http::Method::PUT, "/latest/api/token")
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
            .body(Vec::new())
            .map_err(|e| format!("{WHAT} at {}: {e}", self.endpoint))?;
        let token = String::from_utf8(fetch(token, WHAT)?)
            .map_err(|_| format!("{WHAT} answered a token that is not text"))?;
        let get = |path: &str| {
            let request = request(http::Method::GET, path)
                .header("x-aws-ec2-metadata-token", token.trim())
                .body(Vec::new())
                .map_err(|e| format!("{WHAT} at {}: {e}", self.endpoint))?;
            fetch(request, WHAT)
        };
        const ROLES: &str = "/latest/meta-data/iam/security-credentials/";
        let roles = String::from_utf8(get(ROLES)?).unwrap_or_default();
        let role = roles
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| format!("{WHAT} names no instance role"))?;
        read_document(&get(&format!(
            "{ROLES}{}",
            crate::uri::encode(role, false)
        ))?)
    }
}

/// The `credential_process` of a profile: a command whose standard output
/// is the credentials document (`Version` 1, `AccessKeyId`,
/// `SecretAccessKey`, `SessionToken`, `Expiration`), run by the shell
/// (`sh -c`; `cmd /C` on Windows) each time credentials are needed.
#[derive(Debug, Clone)]
pub struct CredentialProcess {
    command: String,
}

impl CredentialProcess {
    /// The process that `command` runs.
    pub fn new(command: impl Into<String>) -> Self {
        CredentialProcess {
            command: command.into(),
        }
    }
}

impl ProvideCredentials for CredentialProcess {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        let mut shell = if cfg!(windows) {
            let mut shell = std::process::Command::new("cmd");
            shell.arg("/C");
            shell
        } else {
            let mut shell = std::process::Command::new("sh");
            shell.arg("-c");
            shell
        };
        let what = format!("the credential_process `{}`", self.command);
        let output = shell
            .arg(&self.command)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("{what}: {e}"))?;
        if !output.status.success() {
            return Err(format!("{what} exited with {}", output.status));
        }
        let version = serde_json::from_slice::<serde_json::Value>(&output.stdout)
            .ok()
            .and_then(|doc| doc.get("Version").and_then(serde_json::Value::as_i64));
        if version != Some(1) {
            return Err(format!("{what} did not print a document of Version 1"));
        }
        read_document(&output.stdout).map_err(|e| format!("{what}: {e}"))
    }
}

/// A web identity token exchanged for a role's credentials with STS
/// `AssumeRoleWithWebIdentity` (EKS IAM roles for service accounts, and
/// any OIDC provider the role trusts): `AWS_WEB_IDENTITY_TOKEN_FILE` (read
/// at each fetch, since it is rotated), `AWS_ROLE_ARN`,
/// `AWS_ROLE_SESSION_NAME` (else one made up). STS is
/// `https://sts.{region}.amazonaws.com` for `AWS_REGION` (else
/// `AWS_DEFAULT_REGION`, else `https://sts.amazonaws.com`), or
/// `AWS_ENDPOINT_URL_STS`. The request is not signed: the token is the
/// proof.
#[derive(Debug, Clone)]
pub struct WebIdentity {
    token_file: String,
    role_arn: String,
    session_name: String,
    endpoint: String,
}

impl WebIdentity {
    /// The exchange the environment describes, or `None` when it names no
    /// token file or no role.
    pub fn from_env() -> Option<Self> {
        Self::from_vars(&super::env_var)
    }

    /// [`WebIdentity::from_env`] from an environment lookup.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        let token_file = var("AWS_WEB_IDENTITY_TOKEN_FILE")?;
        let role_arn = var("AWS_ROLE_ARN")?;
        let session_name = var("AWS_ROLE_SESSION_NAME").unwrap_or_else(session_name);
        let endpoint = var("AWS_ENDPOINT_URL_STS").unwrap_or_else(|| {
            match var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")) {
                Some(region) => format!("https://sts.{region}.amazonaws.com"),
                None => "https://sts.amazonaws.com".to_owned(),
            }
        });
        Some(WebIdentity {
            token_file,
            role_arn,
            session_name,
            endpoint,
        })
    }
}

impl ProvideCredentials for WebIdentity {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        const WHAT: &str = "STS AssumeRoleWithWebIdentity";
        let token = std::fs::read_to_string(&self.token_file)
            .map_err(|e| format!("the web identity token {}: {e}", self.token_file))?;
        let form = form(&[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", self.role_arn.as_str()),
            ("RoleSessionName", self.session_name.as_str()),
            ("WebIdentityToken", token.trim()),
        ]);
        let request = http::Request::post(format!("{}/", self.endpoint.trim_end_matches('/')))
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form.into_bytes())
            .map_err(|e| format!("{WHAT} at {}: {e}", self.endpoint))?;
        let body = fetch(request, WHAT)?;
        read_sts(&body).map_err(|e| format!("{WHAT}: {e}"))
    }
}

/// A role session name made up from the time.
pub(super) fn session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("s3-client-{millis}")
}

/// A form body (`application/x-www-form-urlencoded`) of STS parameters.
pub(super) fn form(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::uri::encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The credentials of an STS answer (`...Result/Credentials`).
pub(super) fn read_sts(body: &[u8]) -> Result<(Credentials, Option<SystemTime>), String> {
    use crate::xml_read::{Limits, Reader};
    let mut r = Reader::new(body, &Limits::DEFAULT).map_err(|e| e.to_string())?;
    let mut fields: [Option<String>; 4] = Default::default();
    let names = [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ];
    let mut walk = |r: &mut Reader<'_>| -> Result<(), crate::error::XmlError> {
        r.root()?;
        while let Some(result) = r.next_child()? {
            if !result.local_name().ends_with("Result") {
                r.skip()?;
                continue;
            }
            while let Some(child) = r.next_child()? {
                if child.local_name() != "Credentials" {
                    r.skip()?;
                    continue;
                }
                while let Some(field) = r.next_child()? {
                    match names.iter().position(|n| *n == field.local_name()) {
                        Some(i) => fields[i] = Some(r.text()?),
                        None => r.skip()?,
                    }
                }
            }
        }
        Ok(())
    };
    walk(&mut r).map_err(|e| e.to_string())?;
    let [Some(key), Some(secret), token, expiration] = fields else {
        return Err("the answer holds no AccessKeyId and SecretAccessKey".to_owned());
    };
    let credentials = super::credentials(key, secret, token);
    Ok((credentials, expiration.as_deref().map(expiry).transpose()?))
}

/// An `Expiration` (an ISO 8601 time) as a time.
pub(super) fn expiry(at: &str) -> Result<SystemTime, String> {
    let at = crate::primitives::DateTime::parse(at, crate::primitives::TimestampFormat::DateTime)
        .map_err(|e| format!("an Expiration that is not a time: {e}"))?;
    let secs = u64::try_from(at.as_secs_f64() as i64).unwrap_or(0);
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// The body of a successful answer to `request`, within a second to
/// connect and five to answer.
pub(super) fn fetch(request: http::Request<Vec<u8>>, what: &str) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(Duration::from_secs(1)))
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let response = agent.run(request).map_err(|e| format!("{what}: {e}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .with_config()
        .limit(64 * 1024)
        .read_to_vec()
        .map_err(|e| format!("{what}: {e}"))?;
    if !status.is_success() {
        // The service's own words (STS's error code and message) help most.
        let text = String::from_utf8_lossy(&body);
        let text: String = text.chars().take(400).collect();
        return Err(format!("{what} answered {status}: {}", text.trim()));
    }
    Ok(body)
}

/// Reads the credentials document both services answer.
fn read_document(body: &[u8]) -> Result<(Credentials, Option<SystemTime>), String> {
    let bad = |why: &str| format!("the credentials document {why}");
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| bad(&format!("is not JSON: {e}")))?;
    let text = |key: &str| doc.get(key).and_then(serde_json::Value::as_str);
    if let Some(code) = text("Code").filter(|c| *c != "Success") {
        return Err(bad(&format!("says {code}")));
    }
    let (Some(key), Some(secret)) = (text("AccessKeyId"), text("SecretAccessKey")) else {
        return Err(bad("lacks AccessKeyId or SecretAccessKey"));
    };
    let credentials =
        super::credentials(key, secret, text("Token").or_else(|| text("SessionToken")));
    let expires = text("Expiration")
        .map(expiry)
        .transpose()
        .map_err(|e| bad(&format!("has {e}")))?;
    Ok((credentials, expires))
}

/// Credentials fixed in code, or fetched from a provider and kept until
/// they are about to expire.
#[derive(Debug)]
pub(super) enum Source {
    Fixed(Arc<Credentials>),
    Provided {
        provider: Box<dyn ProvideCredentials>,
        current: Mutex<Option<(Arc<Credentials>, Option<SystemTime>)>>,
    },
}

impl Source {
    /// A provider's credentials, fetched when first needed.
    pub(super) fn provided(provider: Box<dyn ProvideCredentials>) -> Self {
        Source::Provided {
            provider,
            current: Mutex::new(None),
        }
    }

    /// The credentials to sign with at `now`.
    pub(super) fn get(&self, now: SystemTime) -> Result<Arc<Credentials>, String> {
        match self {
            Source::Fixed(credentials) => Ok(Arc::clone(credentials)),
            Source::Provided { provider, current } => {
                let mut current = current.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((credentials, expires)) = current.as_ref() {
                    if expires.is_none_or(|at| now + REFRESH_BEFORE < at) {
                        return Ok(Arc::clone(credentials));
                    }
                }
                let (credentials, expires) = provider.provide()?;
                let credentials = Arc::new(credentials);
                *current = Some((Arc::clone(&credentials), expires));
                Ok(credentials)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_documents_are_read_or_refused_with_the_reason() {
        let (credentials, expires) = read_document(
            br#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-12-04T23:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(
            (credentials.access_key_id(), credentials.session_token()),
            ("A", Some("T"))
        );
        assert_eq!(
            expires,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_425_200))
        );
        let never = read_document(br#"{"AccessKeyId":"A","SecretAccessKey":"S"}"#).unwrap();
        assert_eq!(never.1, None);
        for (doc, why) in [
            (&b"not json"[..], "not JSON"),
            (br#"{"Code":"Expired"}"#, "Expired"),
            (br#"{"AccessKeyId":"A"}"#, "lacks"),
            (
                br#"{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"}"#,
                "Expiration",
            ),
        ] {
            let e = read_document(doc).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_credential_process_prints_the_document() {
        let printing = |doc: &str| CredentialProcess::new(format!("printf '%s' '{doc}'"));
        let (credentials, expires) = printing(
            r#"{"Version":1,"AccessKeyId":"P","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-12-04T23:00:00Z"}"#,
        )
        .provide()
        .unwrap();
        assert_eq!(
            (credentials.access_key_id(), credentials.session_token()),
            ("P", Some("T"))
        );
        assert!(expires.is_some());
        let e = printing(r#"{"Version":2,"AccessKeyId":"P","SecretAccessKey":"S"}"#)
            .provide()
            .unwrap_err();
        assert!(e.contains("Version 1"), "{e}");
        let e = CredentialProcess::new("exit 3").provide().unwrap_err();
        assert!(e.contains("exited"), "{e}");
    }

    #[test]
    fn container_urls_are_trusted_only_where_credentials_are_served() {
        for url in [
            "http://169.254.170.2/v2/credentials/abc",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://127.0.0.1:8080/creds",
            "http://localhost/creds",
            "https://creds.example.com/x",
        ] {
            assert!(trusted_container_url(url), "{url}");
        }
        for url in [
            "http://10.0.0.5/creds",
            "http://creds.example.com/x",
            "ftp://127.0.0.1/",
            "not a url",
        ] {
            assert!(!trusted_container_url(url), "{url}");
        }
        let far = ContainerCredentials::from_vars(&|name| {
            (name == "AWS_CONTAINER_CREDENTIALS_FULL_URI")
                .then(|| "http://10.0.0.5/creds".to_owned())
        })
        .unwrap();
        assert!(far.provide().unwrap_err().contains("not sent"));
        let secret = ContainerCredentials::from_vars(&|name| match name {
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" => Some("/v2/credentials".to_owned()),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN" => Some("s3cr3t-token".to_owned()),
            _ => None,
        })
        .unwrap();
        assert!(!format!("{secret:?}").contains("s3cr3t"), "{secret:?}");
    }

    #[test]
    fn sts_answers_are_read_or_refused() {
        let (credentials, expires) = read_sts(
            b"<R><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A</AccessKeyId>\
              <SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>\
              <Expiration>2026-12-04T23:00:00Z</Expiration></Credentials>\
              </AssumeRoleWithWebIdentityResult></R>",
        )
        .unwrap();
        assert_eq!(
            (credentials.access_key_id(), credentials.session_token()),
            ("A", Some("T"))
        );
        assert!(expires.is_some());
        let error =
            b"<ErrorResponse><Error><Code>InvalidIdentityToken</Code></Error></ErrorResponse>";
        assert!(read_sts(error).unwrap_err().contains("no AccessKeyId"));
        assert!(read_sts(b"<unclosed>").is_err());
    }

    #[derive(Debug)]
    struct Counting(std::sync::atomic::AtomicU32, Option<SystemTime>);

    impl ProvideCredentials for Counting {
        fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
            let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok((Credentials::new(format!("K{n}"), "S"), self.1))
        }
    }

    #[test]
    fn provided_credentials_are_kept_until_they_are_about_to_expire() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let lasting =
            Source::provided(Box::new(Counting(0.into(), Some(now + REFRESH_BEFORE * 2))));
        assert_eq!(lasting.get(now).unwrap().access_key_id(), "K0");
        assert_eq!(lasting.get(now).unwrap().access_key_id(), "K0");
        // Within the refresh window: fetched again.
        let later = now + REFRESH_BEFORE + Duration::from_secs(1);
        assert_eq!(lasting.get(later).unwrap().access_key_id(), "K1");
        let forever = Source::provided(Box::new(Counting(0.into(), None)));
        assert_eq!(forever.get(now).unwrap().access_key_id(), "K0");
        assert_eq!(forever.get(later).unwrap().access_key_id(), "K0");
    }
}
