//! The credentials a profile of the shared files describes, beyond static
//! keys: a `credential_process`, IAM Identity Center (`sso_session` or the
//! older `sso_start_url`), a role assumed with STS (`role_arn` with
//! `source_profile`, `credential_source` or `web_identity_token_file`),
//! chained through source profiles as the AWS CLI and SDKs chain them.
//!
//! [`ProfileSource`] is what the files say (read by
//! [`Environment::from_sources`](super::Environment::from_sources), so it can
//! be inspected and tested without I/O); [`ProfileSource::provider`] turns it
//! into the providers that fetch the credentials ([`AssumeRole`],
//! [`SsoCredentials`], and those of the parent module).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::provider::{
    ContainerCredentials, CredentialProcess, InstanceMetadata, ProvideCredentials, WebIdentity,
    expiry, fetch, form, read_sts, session_name,
};
use crate::sign::Credentials;

/// Where a profile's credentials come from when they are not static keys of
/// the profile itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileSource {
    /// Static keys of a source profile.
    Static(Credentials),
    /// `credential_process`: a command that prints credentials.
    Process(String),
    /// IAM Identity Center (SSO): the role `role_name` of account
    /// `account_id`, with the token `aws sso login` left in the cache.
    Sso {
        /// `sso_start_url`.
        start_url: String,
        /// `sso_region`: the region of the Identity Center instance.
        region: String,
        /// `sso_account_id`.
        account_id: String,
        /// `sso_role_name`.
        role_name: String,
        /// The `sso-session` section's name, when the profile names one
        /// (the token cache is keyed by it, else by the start URL).
        session: Option<String>,
    },
    /// `role_arn` with `web_identity_token_file`: STS
    /// `AssumeRoleWithWebIdentity`.
    WebIdentity {
        /// `role_arn`.
        role_arn: String,
        /// `web_identity_token_file`.
        token_file: String,
        /// `role_session_name`.
        session_name: Option<String>,
    },
    /// `role_arn`: STS `AssumeRole` with the credentials of `source`.
    AssumeRole {
        /// `role_arn`.
        role_arn: String,
        /// `role_session_name`.
        session_name: Option<String>,
        /// `external_id`.
        external_id: Option<String>,
        /// `duration_seconds`.
        duration_seconds: Option<u32>,
        /// Where the credentials that assume the role come from.
        source: Box<ProfileSource>,
    },
    /// `credential_source = Environment`: the `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` of the environment.
    EnvironmentKeys,
    /// `credential_source = EcsContainer`: the container credentials
    /// endpoint.
    Container,
    /// `credential_source = Ec2InstanceMetadata`: the instance metadata
    /// service.
    InstanceMetadata,
    /// A profile whose credentials cannot be obtained: why (a missing
    /// setting, a cycle of source profiles, an MFA device to ask).
    Invalid(String),
}

/// The settings of one profile: its section of the credentials file, then
/// of the config file (the credentials file wins).
pub(super) struct Files<'a> {
    pub(super) config: &'a str,
    pub(super) credentials: &'a str,
}

impl Files<'_> {
    /// The settings of profile `name`.
    pub(super) fn profile(&self, name: &str) -> Vec<(String, String)> {
        // In the config file, a profile other than `default` is `[profile name]`.
        let section = if name == "default" {
            "default".to_owned()
        } else {
            format!("profile {name}")
        };
        let mut settings = super::ini_section(self.credentials, name);
        settings.extend(super::ini_section(self.config, &section));
        settings
    }

    /// Where the credentials of profile `name` come from when they are not
    /// its own static keys (`None`: nothing but maybe static keys).
    pub(super) fn source(&self, name: &str) -> Option<ProfileSource> {
        self.resolve(name, &mut Vec::new())
    }

    /// `chain`: the profiles already visited, the first the one asked for.
    fn resolve(&self, name: &str, chain: &mut Vec<String>) -> Option<ProfileSource> {
        let settings = self.profile(name);
        let get = |key: &str| super::setting(&settings, key);
        let invalid = |why: String| Some(ProfileSource::Invalid(why));
        let top = chain.is_empty();
        if chain.iter().any(|seen| seen == name) {
            chain.push(name.to_owned());
            return invalid(format!(
                "the profiles' source_profile settings form a cycle: {}",
                chain.join(" -> ")
            ));
        }
        chain.push(name.to_owned());
        if !top && settings.is_empty() {
            return invalid(format!(
                "the source profile `{name}` is in neither shared file"
            ));
        }
        let keys = super::static_keys(&get, super::PROFILE_KEYS);
        // Static keys end a chain of source profiles, as in the AWS SDKs.
        if let (false, Some(keys)) = (top, &keys) {
            return Some(ProfileSource::Static(keys.clone()));
        }
        if let Some(role_arn) = get("role_arn") {
            if get("mfa_serial").is_some() {
                return invalid(format!(
                    "profile `{name}` assumes its role with an MFA code (mfa_serial), which \
                     this client cannot ask for; use credentials from `aws sts get-session-token`"
                ));
            }
            let session_name = get("role_session_name");
            if let Some(token_file) = get("web_identity_token_file") {
                return Some(ProfileSource::WebIdentity {
                    role_arn,
                    token_file,
                    session_name,
                });
            }
            let source = match (get("source_profile"), get("credential_source")) {
                (Some(source), None) if source == name => match keys {
                    Some(keys) => ProfileSource::Static(keys),
                    None => {
                        return invalid(format!(
                            "profile `{name}` is its own source_profile but has no \
                             aws_access_key_id and aws_secret_access_key"
                        ));
                    }
                },
                (Some(source), None) => self.resolve(&source, chain)?,
                (None, Some(source)) => match source.as_str() {
                    "Environment" => ProfileSource::EnvironmentKeys,
                    "EcsContainer" => ProfileSource::Container,
                    "Ec2InstanceMetadata" => ProfileSource::InstanceMetadata,
                    other => {
                        return invalid(format!(
                            "profile `{name}` has credential_source `{other}`; expected \
                             Environment, EcsContainer or Ec2InstanceMetadata"
                        ));
                    }
                },
                (Some(_), Some(_)) => {
                    return invalid(format!(
                        "profile `{name}` sets both source_profile and credential_source"
                    ));
                }
                (None, None) => {
                    return invalid(format!(
                        "profile `{name}` has a role_arn but no source_profile, \
                         credential_source or web_identity_token_file"
                    ));
                }
            };
            if let ProfileSource::Invalid(_) = source {
                return Some(source);
            }
            let duration_seconds = match get("duration_seconds") {
                None => None,
                Some(text) => match text.parse::<u32>() {
                    Ok(seconds) => Some(seconds),
                    Err(_) => {
                        return invalid(format!(
                            "profile `{name}` has duration_seconds `{text}`, not a number \
                             of seconds"
                        ));
                    }
                },
            };
            return Some(ProfileSource::AssumeRole {
                role_arn,
                session_name,
                external_id: get("external_id"),
                duration_seconds,
                source: Box::new(source),
            });
        }
        // The profile's own static keys come before its other settings
        // (they are read by `Environment`).
        if top && keys.is_some() {
            return None;
        }
        if get("sso_session").is_some() || get("sso_start_url").is_some() {
            return Some(self.sso(name, &get));
        }
        if let Some(command) = get("credential_process") {
            return Some(ProfileSource::Process(command));
        }
        if top {
            return None;
        }
        invalid(format!(
            "the source profile `{name}` has no credentials (static keys, role_arn, \
             sso_session or credential_process)"
        ))
    }

    /// The IAM Identity Center settings of profile `name`: from its
    /// `sso-session` section, or from the profile itself (the older form).
    fn sso(&self, name: &str, get: &dyn Fn(&str) -> Option<String>) -> ProfileSource {
        let session = get("sso_session");
        let section = session
            .as_ref()
            .map(|s| super::ini_section(self.config, &format!("sso-session {s}")));
        let from_session = |key: &str| section.as_ref().and_then(|s| super::setting(s, key));
        let mut missing = Vec::new();
        let mut need = |value: Option<String>, key: &str| {
            value.unwrap_or_else(|| {
                missing.push(key.to_owned());
                String::new()
            })
        };
        let start_url = need(
            from_session("sso_start_url").or_else(|| get("sso_start_url")),
            "sso_start_url",
        );
        let region = need(
            from_session("sso_region").or_else(|| get("sso_region")),
            "sso_region",
        );
        let account_id = need(get("sso_account_id"), "sso_account_id");
        let role_name = need(get("sso_role_name"), "sso_role_name");
        if !missing.is_empty() {
            let place = match &session {
                Some(s) => format!("profile `{name}` and its sso-session `{s}`"),
                None => format!("profile `{name}`"),
            };
            return ProfileSource::Invalid(format!(
                "{place} lack {} for IAM Identity Center (SSO)",
                missing.join(", ")
            ));
        }
        ProfileSource::Sso {
            start_url,
            region,
            account_id,
            role_name,
            session,
        }
    }
}

impl ProfileSource {
    /// The provider that fetches these credentials. `region` is the
    /// profile's (or the environment's) region, where STS is asked; `var`
    /// looks up the environment (`AWS_ENDPOINT_URL_STS`,
    /// `AWS_ENDPOINT_URL_SSO`, `HOME` for the SSO token cache, and what the
    /// credential sources read).
    pub fn provider(
        &self,
        region: Option<&str>,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Box<dyn ProvideCredentials>, String> {
        Ok(match self {
            ProfileSource::Static(credentials) => Box::new(credentials.clone()),
            ProfileSource::Process(command) => Box::new(CredentialProcess::new(command)),
            ProfileSource::Sso {
                start_url,
                region,
                account_id,
                role_name,
                session,
            } => {
                let home = var("HOME").or_else(|| var("USERPROFILE")).ok_or(
                    "IAM Identity Center (SSO) credentials need HOME to find the token cache",
                )?;
                let mut sso = SsoCredentials::new(start_url, region, account_id, role_name)
                    .with_cache_dir(PathBuf::from(home).join(".aws/sso/cache"));
                if let Some(session) = session {
                    sso = sso.with_session(session);
                }
                if let Some(url) = var("AWS_ENDPOINT_URL_SSO") {
                    sso = sso.with_endpoint(url);
                }
                if let Some(url) = var("AWS_ENDPOINT_URL_SSO_OIDC") {
                    sso = sso.with_oidc_endpoint(url);
                }
                Box::new(sso)
            }
            ProfileSource::WebIdentity {
                role_arn,
                token_file,
                session_name,
            } => {
                let vars = |name: &str| match name {
                    "AWS_WEB_IDENTITY_TOKEN_FILE" => Some(token_file.clone()),
                    "AWS_ROLE_ARN" => Some(role_arn.clone()),
                    "AWS_ROLE_SESSION_NAME" => session_name.clone(),
                    "AWS_REGION" => region.map(str::to_owned),
                    other => var(other),
                };
                Box::new(WebIdentity::from_vars(&vars).ok_or("no web identity token file")?)
            }
            ProfileSource::AssumeRole {
                role_arn,
                session_name,
                external_id,
                duration_seconds,
                source,
            } => {
                let mut role = AssumeRole::new(role_arn, source.provider(region, var)?);
                if let Some(region) = region {
                    role = role.with_region(region);
                }
                if let Some(url) = var("AWS_ENDPOINT_URL_STS") {
                    role = role.with_endpoint(url);
                }
                if let Some(name) = session_name {
                    role = role.with_session_name(name);
                }
                if let Some(id) = external_id {
                    role = role.with_external_id(id);
                }
                if let Some(seconds) = duration_seconds {
                    role = role.with_duration(Duration::from_secs(u64::from(*seconds)));
                }
                Box::new(role)
            }
            ProfileSource::EnvironmentKeys => {
                Box::new(super::static_keys(var, super::ENV_KEYS).ok_or(
                    "credential_source = Environment, but AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY are not set",
                )?)
            }
            ProfileSource::Container => Box::new(ContainerCredentials::from_vars(var).ok_or(
                "credential_source = EcsContainer, but the environment names no container \
                 credentials endpoint",
            )?),
            ProfileSource::InstanceMetadata => Box::new(InstanceMetadata::from_vars(var).ok_or(
                "credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is true",
            )?),
            ProfileSource::Invalid(why) => return Err(why.clone()),
        })
    }
}

/// Static keys as a provider: they never expire.
impl ProvideCredentials for Credentials {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        Ok((self.clone(), None))
    }
}

/// A role assumed with STS `AssumeRole`, signed with the credentials of
/// another provider (a source profile's keys, the environment's, a
/// container's...). STS is `https://sts.amazonaws.com` (region us-east-1)
/// unless [`AssumeRole::with_region`] or [`AssumeRole::with_endpoint`] say
/// otherwise.
#[derive(Debug)]
pub struct AssumeRole {
    role_arn: String,
    session_name: String,
    external_id: Option<String>,
    duration: Option<Duration>,
    region: String,
    endpoint: String,
    source: Box<dyn ProvideCredentials>,
}

impl AssumeRole {
    /// Assumes `role_arn` with the credentials `source` gives.
    pub fn new(role_arn: impl Into<String>, source: impl ProvideCredentials + 'static) -> Self {
        AssumeRole {
            role_arn: role_arn.into(),
            session_name: session_name(),
            external_id: None,
            duration: None,
            region: "us-east-1".to_owned(),
            endpoint: "https://sts.amazonaws.com".to_owned(),
            source: Box::new(source),
        }
    }

    /// STS of `region` (`https://sts.{region}.amazonaws.com`), signed for it.
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self.endpoint = format!("https://sts.{}.amazonaws.com", self.region);
        self
    }

    /// STS at `url` (scheme, host and port), signed for the region set.
    #[must_use]
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into();
        self
    }

    /// The role session's name (else one made up from the time).
    #[must_use]
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// The external id the role's trust policy asks for.
    #[must_use]
    pub fn with_external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// How long the credentials last (STS's default: one hour).
    #[must_use]
    pub fn with_duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }
}

impl ProvideCredentials for AssumeRole {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        const WHAT: &str = "STS AssumeRole";
        let (source, _) = self
            .source
            .provide()
            .map_err(|e| format!("{WHAT} of {}: the source credentials: {e}", self.role_arn))?;
        let duration = self.duration.map(|d| d.as_secs().to_string());
        let mut params = vec![
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", self.role_arn.as_str()),
            ("RoleSessionName", self.session_name.as_str()),
        ];
        if let Some(id) = &self.external_id {
            params.push(("ExternalId", id));
        }
        if let Some(seconds) = &duration {
            params.push(("DurationSeconds", seconds));
        }
        let mut request = http::Request::post(format!("{}/", self.endpoint.trim_end_matches('/')))
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form(&params).into_bytes())
            .map_err(|e| format!("{WHAT} at {}: {e}", self.endpoint))?;
        crate::sign::sign_scoped(
            &mut request,
            &source,
            SystemTime::now(),
            (&self.region, "sts", false),
            crate::sign::Payload::Signed,
        )
        .map_err(|e| format!("{WHAT}: {e}"))?;
        let body = fetch(request, WHAT)?;
        read_sts(&body).map_err(|e| format!("{WHAT}: {e}"))
    }
}

/// IAM Identity Center (SSO) credentials: the token that `aws sso login`
/// left in the cache (`~/.aws/sso/cache/<SHA-1 of the session name or start
/// URL>.json`) exchanged for the role's credentials (`GetRoleCredentials`
/// of the SSO portal, `https://portal.sso.{region}.amazonaws.com`). A
/// token within five minutes of expiring is refreshed with the refresh
/// token an `sso-session` login leaves (SSO OIDC `CreateToken`,
/// `https://oidc.{region}.amazonaws.com`) and the cache rewritten, as the
/// AWS CLI does; an expired token that cannot be refreshed is an error that
/// says to log in again.
#[derive(Debug, Clone)]
pub struct SsoCredentials {
    start_url: String,
    account_id: String,
    role_name: String,
    session: Option<String>,
    cache_dir: PathBuf,
    endpoint: String,
    oidc_endpoint: String,
}

impl SsoCredentials {
    /// The role `role_name` of account `account_id`, through the Identity
    /// Center instance at `start_url` in `region`; the token cache in
    /// `~/.aws/sso/cache` (of `HOME`).
    pub fn new(
        start_url: impl Into<String>,
        region: impl Into<String>,
        account_id: impl Into<String>,
        role_name: impl Into<String>,
    ) -> Self {
        let region = region.into();
        let home = std::env::var_os("HOME").unwrap_or_default();
        SsoCredentials {
            start_url: start_url.into(),
            endpoint: format!("https://portal.sso.{region}.amazonaws.com"),
            oidc_endpoint: format!("https://oidc.{region}.amazonaws.com"),
            account_id: account_id.into(),
            role_name: role_name.into(),
            session: None,
            cache_dir: PathBuf::from(home).join(".aws/sso/cache"),
        }
    }

    /// The `sso-session` whose token to use (the cache is keyed by its
    /// name, not by the start URL).
    #[must_use]
    pub fn with_session(mut self, name: impl Into<String>) -> Self {
        self.session = Some(name.into());
        self
    }

    /// The directory of the token cache.
    #[must_use]
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = dir.into();
        self
    }

    /// The portal at `url` (scheme, host and port).
    #[must_use]
    pub fn with_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into();
        self
    }

    /// The token service (SSO OIDC, which refreshes the token) at `url`.
    #[must_use]
    pub fn with_oidc_endpoint(mut self, url: impl Into<String>) -> Self {
        self.oidc_endpoint = url.into();
        self
    }

    /// Refreshes the cached token (`token`, the cache file's document) with
    /// its refresh token, as `aws sso login` left it for an `sso-session`:
    /// SSO OIDC `CreateToken`. Updates the document in place.
    fn refresh(&self, token: &mut serde_json::Value) -> Result<(), String> {
        const WHAT: &str = "SSO OIDC CreateToken";
        let text = |key: &str| token.get(key).and_then(serde_json::Value::as_str);
        let (Some(client_id), Some(client_secret), Some(refresh_token)) =
            (text("clientId"), text("clientSecret"), text("refreshToken"))
        else {
            return Err("the cache holds no refresh token".to_owned());
        };
        if let Some(at) = text("registrationExpiresAt") {
            if expiry(at)? <= SystemTime::now() {
                return Err("the client registration has expired".to_owned());
            }
        }
        let body = serde_json::json!({
            "clientId": client_id,
            "clientSecret": client_secret,
            "grantType": "refresh_token",
            "refreshToken": refresh_token,
        });
        let request = http::Request::post(format!(
            "{}/token",
            self.oidc_endpoint.trim_end_matches('/')
        ))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body.to_string().into_bytes())
        .map_err(|e| format!("{WHAT} at {}: {e}", self.oidc_endpoint))?;
        let answer: serde_json::Value = serde_json::from_slice(&fetch(request, WHAT)?)
            .map_err(|e| format!("{WHAT} answered what is not JSON: {e}"))?;
        let (Some(access_token), Some(expires_in)) = (
            answer
                .get("accessToken")
                .and_then(serde_json::Value::as_str),
            answer.get("expiresIn").and_then(serde_json::Value::as_u64),
        ) else {
            return Err(format!("{WHAT} answered no accessToken and expiresIn"));
        };
        let expires_at = SystemTime::now() + Duration::from_secs(expires_in);
        let secs = expires_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let expires_at = crate::primitives::DateTime::from_secs_f64(secs as f64)
            .map(|t| t.fmt(crate::primitives::TimestampFormat::DateTime))
            .ok_or_else(|| format!("{WHAT} answered an expiresIn out of range"))?;
        token["accessToken"] = access_token.into();
        token["expiresAt"] = expires_at.into();
        if let Some(refresh) = answer.get("refreshToken").filter(|r| r.is_string()) {
            token["refreshToken"] = refresh.clone();
        }
        Ok(())
    }

    /// The cached token's file.
    fn cache_file(&self) -> PathBuf {
        let key = self.session.as_deref().unwrap_or(&self.start_url);
        let mut sha1 = crate::checksum::Sha1::new();
        sha1.update(key.as_bytes());
        let name: String = sha1.finish().iter().map(|b| format!("{b:02x}")).collect();
        self.cache_dir.join(format!("{name}.json"))
    }
}

impl ProvideCredentials for SsoCredentials {
    fn provide(&self) -> Result<(Credentials, Option<SystemTime>), String> {
        const WHAT: &str = "IAM Identity Center (SSO) GetRoleCredentials";
        let login = match &self.session {
            Some(session) => format!("aws sso login --sso-session {session}"),
            None => "aws sso login".to_owned(),
        };
        let file = self.cache_file();
        let text = std::fs::read(&file).map_err(|e| {
            format!(
                "no IAM Identity Center (SSO) token at {} ({e}); run `{login}`",
                file.display()
            )
        })?;
        let token: serde_json::Value = serde_json::from_slice(&text)
            .map_err(|e| format!("the SSO token cache {} is not JSON: {e}", file.display()))?;
        let access_token = token
            .get("accessToken")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("the SSO token cache {} has no accessToken", file.display()))?;
        // `2026-12-05T12:00:00Z`, or `...UTC` as older CLIs wrote it.
        let expires_at = token
            .get("expiresAt")
            .and_then(serde_json::Value::as_str)
            .map(|at| match at.strip_suffix("UTC") {
                Some(at) => expiry(&format!("{at}Z")),
                None => expiry(at),
            })
            .transpose()
            .map_err(|e| format!("the SSO token cache {}: {e}", file.display()))?;
        let now = SystemTime::now();
        let mut access_token = access_token.to_owned();
        // A token about to expire is refreshed (and the cache rewritten, as
        // the AWS CLI does) when the session left a refresh token; an
        // expired one that cannot be is an error.
        if expires_at.is_some_and(|at| at <= now + super::REFRESH_BEFORE) {
            let mut refreshed = token.clone();
            let result = self.refresh(&mut refreshed).and_then(|()| {
                let text = serde_json::to_vec_pretty(&refreshed).map_err(|e| e.to_string())?;
                let temporary = file.with_extension("json.tmp");
                std::fs::write(&temporary, text)
                    .and_then(|()| std::fs::rename(&temporary, &file))
                    .map_err(|e| format!("the SSO token cache {}: {e}", file.display()))
            });
            match result {
                Ok(()) => {
                    access_token = refreshed["accessToken"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                }
                Err(e) if expires_at.is_some_and(|at| at <= now) => {
                    return Err(format!(
                        "the IAM Identity Center (SSO) token in {} has expired and was not \
                         refreshed ({e}); run `{login}`",
                        file.display()
                    ));
                }
                // Still valid for a few minutes: used as it is.
                Err(_) => {}
            }
        }
        let url = format!(
            "{}/federation/credentials?account_id={}&role_name={}",
            self.endpoint.trim_end_matches('/'),
            crate::uri::encode(&self.account_id, false),
            crate::uri::encode(&self.role_name, false),
        );
        let request = http::Request::get(url)
            .header("x-amz-sso_bearer_token", access_token.as_str())
            .body(Vec::new())
            .map_err(|e| format!("{WHAT} at {}: {e}", self.endpoint))?;
        let body = fetch(request, WHAT)?;
        read_role_credentials(&body).map_err(|e| format!("{WHAT}: {e}"))
    }
}

/// The `roleCredentials` of a GetRoleCredentials answer (expiration in
/// milliseconds since 1970).
fn read_role_credentials(body: &[u8]) -> Result<(Credentials, Option<SystemTime>), String> {
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("an answer that is not JSON: {e}"))?;
    let role = doc
        .get("roleCredentials")
        .ok_or("an answer without roleCredentials")?;
    let text = |key: &str| role.get(key).and_then(serde_json::Value::as_str);
    let (Some(key), Some(secret)) = (text("accessKeyId"), text("secretAccessKey")) else {
        return Err("an answer without accessKeyId and secretAccessKey".to_owned());
    };
    let expires = role
        .get("expiration")
        .and_then(serde_json::Value::as_u64)
        .map(|millis| SystemTime::UNIX_EPOCH + Duration::from_millis(millis));
    Ok((
        super::credentials(key, secret, text("sessionToken")),
        expires,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(config: &str, credentials: &str, profile: &str) -> Option<ProfileSource> {
        Files {
            config,
            credentials,
        }
        .source(profile)
    }

    fn invalid(found: Option<ProfileSource>) -> String {
        match found {
            Some(ProfileSource::Invalid(why)) => why,
            other => panic!("expected an invalid profile, got {other:?}"),
        }
    }

    #[test]
    fn roles_chain_through_source_profiles_to_static_keys() {
        let config = "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = ops\n\
                      external_id = ext\nduration_seconds = 900\nrole_session_name = me\n\
                      [profile ops]\nrole_arn = arn:aws:iam::1:role/ops\nsource_profile = base\n";
        let credentials = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n";
        let Some(ProfileSource::AssumeRole {
            role_arn,
            session_name,
            external_id,
            duration_seconds,
            source: ops,
        }) = resolved(config, credentials, "admin")
        else {
            panic!("a role");
        };
        assert_eq!(role_arn, "arn:aws:iam::1:role/admin");
        assert_eq!(session_name.as_deref(), Some("me"));
        assert_eq!(external_id.as_deref(), Some("ext"));
        assert_eq!(duration_seconds, Some(900));
        let ProfileSource::AssumeRole {
            role_arn, source, ..
        } = *ops
        else {
            panic!("a chained role: {ops:?}");
        };
        assert_eq!(role_arn, "arn:aws:iam::1:role/ops");
        assert!(
            matches!(&*source, ProfileSource::Static(c) if c.access_key_id() == "AKIDBASE"),
            "{source:?}"
        );
        // Static keys of the profile asked for are not a source.
        assert_eq!(resolved(config, credentials, "base"), None);
    }

    #[test]
    fn credential_sources_sso_and_processes_are_read() {
        let config = "[default]\nrole_arn = r\ncredential_source = EcsContainer\n\
                      [profile env]\nrole_arn = r\ncredential_source = Environment\n\
                      [profile web]\nrole_arn = r\nweb_identity_token_file = /t\n\
                      [profile self]\nrole_arn = r\nsource_profile = self\n\
                      aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n\
                      [profile sso]\nsso_session = corp\nsso_account_id = 123\nsso_role_name = Dev\n\
                      [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
                      [profile legacy]\nsso_start_url = https://old/start\nsso_region = us-east-1\n\
                      sso_account_id = 9\nsso_role_name = R\n\
                      [profile proc]\ncredential_process = vault export\n";
        let role_source = |name: &str| match resolved(config, "", name) {
            Some(ProfileSource::AssumeRole { source, .. }) => *source,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(role_source("default"), ProfileSource::Container);
        assert_eq!(role_source("env"), ProfileSource::EnvironmentKeys);
        assert!(
            matches!(role_source("self"), ProfileSource::Static(c) if c.access_key_id() == "AKIDSELF")
        );
        assert_eq!(
            resolved(config, "", "web"),
            Some(ProfileSource::WebIdentity {
                role_arn: "r".into(),
                token_file: "/t".into(),
                session_name: None
            })
        );
        assert_eq!(
            resolved(config, "", "sso"),
            Some(ProfileSource::Sso {
                start_url: "https://corp.awsapps.com/start".into(),
                region: "eu-west-1".into(),
                account_id: "123".into(),
                role_name: "Dev".into(),
                session: Some("corp".into()),
            })
        );
        assert!(matches!(
            resolved(config, "", "legacy"),
            Some(ProfileSource::Sso { session: None, ref start_url, .. }) if start_url == "https://old/start"
        ));
        assert_eq!(
            resolved(config, "", "proc"),
            Some(ProfileSource::Process("vault export".into()))
        );
        assert_eq!(resolved(config, "", "missing"), None);
    }

    #[test]
    fn profiles_that_cannot_give_credentials_say_why() {
        let config = "[profile a]\nrole_arn = r\nsource_profile = b\n\
                      [profile b]\nrole_arn = r\nsource_profile = a\n\
                      [profile mfa]\nrole_arn = r\nsource_profile = a\nmfa_serial = arn:mfa\n\
                      [profile lost]\nrole_arn = r\nsource_profile = nowhere\n\
                      [profile bare]\nrole_arn = r\n\
                      [profile odd]\nrole_arn = r\ncredential_source = Somewhere\n\
                      [profile empty]\nregion = x\n\
                      [profile hollow]\nrole_arn = r\nsource_profile = empty\n\
                      [profile half]\nsso_session = s\nsso_account_id = 1\n\
                      [sso-session s]\nsso_region = us-east-1\n\
                      [profile long]\nrole_arn = r\ncredential_source = Environment\nduration_seconds = hour\n";
        let why = |name: &str| invalid(resolved(config, "", name));
        assert!(why("a").contains("a -> b -> a"), "{}", why("a"));
        assert!(why("mfa").contains("MFA"), "{}", why("mfa"));
        assert!(
            why("lost").contains("`nowhere` is in neither"),
            "{}",
            why("lost")
        );
        assert!(why("bare").contains("no source_profile"), "{}", why("bare"));
        assert!(why("odd").contains("Somewhere"), "{}", why("odd"));
        assert!(
            why("hollow").contains("`empty` has no credentials"),
            "{}",
            why("hollow")
        );
        let half = why("half");
        assert!(
            half.contains("sso_start_url") && half.contains("sso_role_name"),
            "{half}"
        );
        assert!(why("long").contains("hour"), "{}", why("long"));
        // The error is the provider's too.
        let e = ProfileSource::Invalid("why".into())
            .provider(None, &|_| None)
            .unwrap_err();
        assert_eq!(e, "why");
        let e = ProfileSource::EnvironmentKeys
            .provider(None, &|_| None)
            .unwrap_err();
        assert!(e.contains("AWS_ACCESS_KEY_ID"), "{e}");
    }

    #[test]
    fn sso_tokens_are_found_by_session_or_start_url_and_refused_when_expired() {
        let dir = std::env::temp_dir().join(format!("sso-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sso = SsoCredentials::new("https://corp/start", "eu-west-1", "1", "R")
            .with_cache_dir(&dir)
            .with_endpoint("http://127.0.0.1:9");
        // The SHA-1 of the start URL, and of the session's name.
        assert_eq!(
            sso.cache_file(),
            dir.join("717f6b50ccf65f10839b090b78b6ff0786091a96.json")
        );
        let session = sso.clone().with_session("corp");
        assert_eq!(
            session.cache_file(),
            dir.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        );
        let e = session.provide().unwrap_err();
        assert!(e.contains("aws sso login --sso-session corp"), "{e}");
        std::fs::write(
            session.cache_file(),
            r#"{"accessToken":"t","expiresAt":"2020-01-01T00:00:00UTC"}"#,
        )
        .unwrap();
        let e = session.provide().unwrap_err();
        assert!(e.contains("expired"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
        let (c, expires) = read_role_credentials(
            br#"{"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"s","sessionToken":"t","expiration":1796425200000}}"#,
        )
        .unwrap();
        assert_eq!((c.access_key_id(), c.session_token()), ("ASIA", Some("t")));
        assert_eq!(
            expires,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_425_200))
        );
        assert!(read_role_credentials(b"{}").is_err());
    }
}
