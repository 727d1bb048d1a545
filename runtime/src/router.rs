//! Routing: which operation an HTTP request is for, from the HTTP bindings
//! of every operation.
//!
//! A generated crate lists one route per operation (`operation::ROUTES`)
//! and builds a [`Router`] from them (`operation::router()`). The router
//! groups the routes by method, then by path pattern, then by the literal
//! query keys of their URI patterns, so that a request is matched against
//! the few routes that can take it rather than against every operation.
//!
//! # What a route says
//!
//! A route is one line of text that the generator writes from the
//! operation's bindings:
//!
//! ```text
//! GetBucketAnalyticsConfiguration GET /{Bucket}?analytics&x-id=GetBucketAnalyticsConfiguration q:id
//! ```
//!
//! the operation's name, its method, its URI pattern (path labels, greedy
//! labels such as `{Key+}`, literal query keys with or without a value),
//! then `q:name` for each required query parameter and `h:name` for each
//! required header. Names are percent-encoded where they hold a space.
//!
//! # Which route wins
//!
//! A request matches a route when its method is the route's, its path
//! matches the route's path pattern (a label takes one non-empty segment, a
//! greedy label one or more; a trailing `/` is accepted), every literal
//! query key of the pattern is present (with its value when the pattern
//! gives one), and every required query parameter and header is present.
//!
//! A literal query parameter whose value is the operation's own name (S3's
//! `x-id=GetObject`) only names the operation: some clients (botocore) leave
//! it out, so a request without it still matches; a request that has it
//! matches only the operation it names.
//!
//! A request that has every literal query key of a route (with its value)
//! is for that route's subresource: when it lacks one of that route's
//! required parameters or headers it is refused ([`RouteError::Incomplete`])
//! rather than given to a route of the same path without query keys (a
//! `PUT /bucket?analytics` without `id` must not create the bucket).
//!
//! When several routes match, the most specific one wins:
//!
//! 1. the path pattern with the most literal segments, then one without a
//!    greedy label, then the one with the most segments;
//! 2. among the routes of that pattern, the one with the most literal query
//!    keys (other than a key that only names the operation);
//! 3. then the one with the most required query parameters;
//! 4. then the one with the most required headers;
//! 5. then the one listed first (the model's order).
//!
//! Operations whose routes differ only by the literal that names them (S3's
//! ListBuckets and ListDirectoryBuckets, `GET /`) are told apart by that
//! literal alone: without it, the one listed first wins
//! ([`Router::same_bindings`] says which operations are such twins).
//!
//! So `PUT /bucket/key?partNumber=1&uploadId=u` with an
//! `x-amz-copy-source` header is UploadPartCopy (two required query
//! parameters and one header), without the header UploadPart, and with
//! neither PutObject.
//!
//! # Addressing
//!
//! A router with base domains ([`Router::with_base_domain`]) also takes
//! virtual-hosted requests: `Host: bucket.s3.example.com` with base domain
//! `s3.example.com` is the path-style request `/bucket/...`.
//! [`Router::path_style`] rewrites such a request in place, so that the
//! operation's `from_http_request` reads it. A host that is no base domain
//! and no subdomain of one (an IP address, `localhost`) is path-style.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// Decoded text of a request's URI: borrowed when it holds no escape.
type Text<'a> = Cow<'a, str>;

/// `text` percent-decoded, borrowed when it has no `%`.
fn decoded(text: &str) -> Result<Text<'_>, crate::error::DecodeError> {
    if text.contains('%') {
        crate::uri::decode(text).map(Cow::Owned)
    } else {
        Ok(Cow::Borrowed(text))
    }
}

/// A route that the router cannot read: a generator bug, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpecError {
    /// The route as written.
    pub spec: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RouteSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid route `{}`: {}", self.spec, self.message)
    }
}

impl std::error::Error for RouteSpecError {}

/// A request that no route takes, and why: with the error code and status
/// an S3 server answers with ([`RouteError::code`], [`RouteError::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteError {
    /// The path matches operations, but none with this method.
    MethodNotAllowed {
        /// The request's method.
        method: String,
        /// The methods the path takes.
        allowed: Vec<String>,
    },
    /// The path matches an operation's pattern, but the request lacks what
    /// that operation needs: the closest operation and what is missing.
    Incomplete {
        /// The operation the request comes closest to.
        operation: &'static str,
        /// What it lacks, such as `query parameter uploadId`.
        missing: String,
    },
    /// The request names an operation (such as `x-id=GetObject`) that does
    /// not take it.
    WrongOperation {
        /// The name the request gives.
        named: String,
    },
    /// No operation has a path pattern like the request's path.
    NoSuchPath {
        /// The request's path.
        path: String,
    },
    /// The host names a bucket that cannot be one, or the query string
    /// cannot be decoded.
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
}

impl RouteError {
    /// The S3 error code a server answers with.
    pub fn code(&self) -> &'static str {
        match self {
            RouteError::MethodNotAllowed { .. } => "MethodNotAllowed",
            RouteError::Incomplete { .. } | RouteError::InvalidRequest { .. } => "InvalidRequest",
            RouteError::WrongOperation { .. } => "InvalidArgument",
            RouteError::NoSuchPath { .. } => "NotImplemented",
        }
    }

    /// The HTTP status that goes with [`RouteError::code`].
    pub fn status(&self) -> u16 {
        match self {
            RouteError::MethodNotAllowed { .. } => 405,
            RouteError::NoSuchPath { .. } => 501,
            _ => 400,
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::MethodNotAllowed { method, allowed } => write!(
                f,
                "the method {method} is not allowed against this resource (allowed: {})",
                allowed.join(", ")
            ),
            RouteError::Incomplete { operation, missing } => {
                write!(f, "the request lacks the {missing} that {operation} needs")
            }
            RouteError::WrongOperation { named } => {
                write!(
                    f,
                    "the request names the operation `{named}`, which does not take it"
                )
            }
            RouteError::NoSuchPath { path } => {
                write!(f, "no operation has a path like `{path}`")
            }
            RouteError::InvalidRequest { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for RouteError {}

/// One segment of a route's path pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Literal(String),
    Label,
    Greedy,
}

/// One operation's route, read from its spec.
#[derive(Debug, Clone)]
struct Route {
    operation: &'static str,
    /// Literal query keys, with their values when the pattern gives one
    /// (not the one that names the operation).
    literals: Vec<(String, Option<String>)>,
    /// The key of the literal whose value is the operation's name.
    naming: Option<String>,
    required_query: Vec<String>,
    required_headers: Vec<http::HeaderName>,
}

impl Route {
    /// How specific the route is within its path pattern (greater wins).
    fn rank(&self) -> (usize, usize, usize) {
        (
            self.literals.len(),
            self.required_query.len(),
            self.required_headers.len(),
        )
    }

    /// What the request lacks for this route, and whether it has every
    /// literal query key; `None` when the route takes it.
    fn missing(
        &self,
        query: &[(Text<'_>, Option<Text<'_>>)],
        headers: &http::HeaderMap,
    ) -> Option<(Missing<'_>, bool)> {
        let has = |key: &str| query.iter().any(|(k, _)| k == key);
        for (key, value) in &self.literals {
            let found = query
                .iter()
                .any(|(k, v)| k == key && (value.is_none() || v.as_deref() == value.as_deref()));
            if !found {
                return Some((Missing::Query(key, value.as_deref()), false));
            }
        }
        if let Some(key) = &self.naming {
            if query
                .iter()
                .any(|(k, v)| k == key && v.as_deref() != Some(self.operation))
            {
                return Some((Missing::Query(key, Some(self.operation)), false));
            }
        }
        if let Some(key) = self.required_query.iter().find(|key| !has(key)) {
            return Some((Missing::Query(key, None), true));
        }
        if let Some(name) = self
            .required_headers
            .iter()
            .find(|n| !headers.contains_key(*n))
        {
            return Some((Missing::Header(name.as_str()), true));
        }
        None
    }
}

/// What a request lacks for a route, written out only when it is answered.
#[derive(Debug, Clone, Copy)]
enum Missing<'r> {
    /// A query parameter, with the value it must have.
    Query(&'r str, Option<&'r str>),
    Header(&'r str),
}

impl Missing<'_> {
    fn error(self, operation: &'static str) -> RouteError {
        let missing = match self {
            Missing::Query(key, Some(value)) => format!("query parameter {key}={value}"),
            Missing::Query(key, None) => format!("query parameter {key}"),
            Missing::Header(name) => format!("header {name}"),
        };
        RouteError::Incomplete { operation, missing }
    }
}

/// The routes of one method and one path pattern.
#[derive(Debug, Clone)]
struct Pattern {
    parts: Vec<Part>,
    /// Route indices by literal query key (a route is under each of its
    /// keys), most specific first.
    by_key: BTreeMap<String, Vec<usize>>,
    /// Routes without literal query keys, most specific first.
    plain: Vec<usize>,
}

impl Pattern {
    /// The specificity of the path pattern (greater wins).
    fn rank(&self) -> (usize, bool, usize) {
        let literals = self
            .parts
            .iter()
            .filter(|p| matches!(p, Part::Literal(_)))
            .count();
        let greedy = self.parts.contains(&Part::Greedy);
        (literals, !greedy, self.parts.len())
    }

    /// Whether the request's path segments (decoded) match the pattern.
    fn matches(&self, segments: &[Text<'_>]) -> bool {
        let mut segments = segments;
        let greedy = self.parts.iter().position(|p| *p == Part::Greedy);
        // A trailing `/` is accepted after a pattern without a greedy label.
        if greedy.is_none()
            && segments.len() == self.parts.len() + 1
            && segments.last().is_some_and(|s| s.is_empty())
        {
            segments = &segments[..segments.len() - 1];
        }
        let one = |part: &Part, segment: &Text<'_>| match part {
            Part::Literal(text) => text == segment,
            Part::Label => !segment.is_empty(),
            Part::Greedy => false,
        };
        match greedy {
            None => {
                segments.len() == self.parts.len()
                    && self.parts.iter().zip(segments).all(|(p, s)| one(p, s))
            }
            Some(at) => {
                let tail = self.parts.len() - at - 1;
                if segments.len() < self.parts.len() {
                    return false;
                }
                let rest = segments.len() - tail;
                // The greedy text is the segments joined by `/`: empty only
                // when it is one empty segment.
                let greedy_text_empty = rest - at == 1 && segments[at].is_empty();
                !greedy_text_empty
                    && self.parts[..at]
                        .iter()
                        .zip(segments)
                        .all(|(p, s)| one(p, s))
                    && self.parts[at + 1..]
                        .iter()
                        .zip(&segments[rest..])
                        .all(|(p, s)| one(p, s))
            }
        }
    }
}

/// The decision structure of a service's routes: by method, then by path
/// pattern, then by literal query key. See the [module docs](self) for the
/// rules.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<Route>,
    /// Methods, each with its path patterns, most specific first.
    methods: Vec<(http::Method, Vec<Pattern>)>,
    /// Base domains for virtual-hosted requests, lower case, longest first.
    base_domains: Vec<String>,
}

impl Router {
    /// A router over `specs` (see the [module docs](self) for their form).
    pub fn new(specs: &[&'static str]) -> Result<Router, RouteSpecError> {
        let mut router = Router {
            routes: Vec::with_capacity(specs.len()),
            methods: Vec::new(),
            base_domains: Vec::new(),
        };
        for spec in specs {
            router.add(spec)?;
        }
        for (_, patterns) in &mut router.methods {
            patterns.sort_by_key(|p| std::cmp::Reverse(p.rank()));
            let routes = &router.routes;
            let order = |list: &mut Vec<usize>| {
                // Stable: equal ranks keep the model's order.
                list.sort_by_key(|&i| std::cmp::Reverse(routes[i].rank()));
            };
            for pattern in patterns.iter_mut() {
                pattern.by_key.values_mut().for_each(order);
                order(&mut pattern.plain);
            }
        }
        Ok(router)
    }

    /// The same router, taking virtual-hosted requests to subdomains of
    /// `domain` (such as `s3.example.com`, or `localhost`).
    pub fn with_base_domain(mut self, domain: impl Into<String>) -> Router {
        let domain = domain.into().trim_end_matches('.').to_ascii_lowercase();
        if !self.base_domains.contains(&domain) {
            self.base_domains.push(domain);
            self.base_domains
                .sort_by_key(|d| std::cmp::Reverse(d.len()));
        }
        self
    }

    fn add(&mut self, spec: &'static str) -> Result<(), RouteSpecError> {
        let error = |message: &str| RouteSpecError {
            spec: spec.to_owned(),
            message: message.to_owned(),
        };
        let decode = |text: &str| crate::uri::decode(text).map_err(|e| error(&e.to_string()));
        let mut words = spec.split(' ');
        let (Some(operation), Some(method), Some(uri)) = (words.next(), words.next(), words.next())
        else {
            return Err(error("a route is `Name METHOD /pattern [q:key] [h:name]`"));
        };
        let method =
            http::Method::from_bytes(method.as_bytes()).map_err(|_| error("bad method"))?;
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut parts = Vec::new();
        let path = path
            .strip_prefix('/')
            .ok_or_else(|| error("the path must start with /"))?;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            parts.push(
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(label) if label.ends_with('+') => Part::Greedy,
                    Some(_) => Part::Label,
                    None => Part::Literal(decode(segment)?),
                },
            );
        }
        if parts.iter().filter(|p| **p == Part::Greedy).count() > 1 {
            return Err(error("more than one greedy label"));
        }
        let mut literals = Vec::new();
        let mut naming = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.split_once('=') {
                Some((key, value)) => (decode(key)?, Some(decode(value)?)),
                None => (decode(pair)?, None),
            };
            if value.as_deref() == Some(operation) && naming.is_none() {
                naming = Some(key);
            } else {
                literals.push((key, value));
            }
        }
        let mut required_query = Vec::new();
        let mut required_headers = Vec::new();
        for word in words {
            if let Some(key) = word.strip_prefix("q:") {
                required_query.push(decode(key)?);
            } else if let Some(name) = word.strip_prefix("h:") {
                let name = http::HeaderName::from_bytes(decode(name)?.as_bytes())
                    .map_err(|_| error("bad header name"))?;
                required_headers.push(name);
            } else {
                return Err(error("a route ends with `q:key` and `h:name` words"));
            }
        }
        let index = self.routes.len();
        let keys: Vec<String> = literals.iter().map(|(k, _)| k.clone()).collect();
        self.routes.push(Route {
            operation,
            literals,
            naming,
            required_query,
            required_headers,
        });
        let at = match self.methods.iter().position(|(m, _)| *m == method) {
            Some(at) => at,
            None => {
                self.methods.push((method, Vec::new()));
                self.methods.len() - 1
            }
        };
        let patterns = &mut self.methods[at].1;
        let pattern = match patterns.iter().position(|p| p.parts == parts) {
            Some(at) => &mut patterns[at],
            None => {
                patterns.push(Pattern {
                    parts,
                    by_key: BTreeMap::new(),
                    plain: Vec::new(),
                });
                patterns
                    .last_mut()
                    .unwrap_or_else(|| unreachable!("just pushed"))
            }
        };
        if keys.is_empty() {
            pattern.plain.push(index);
        }
        for key in keys {
            let list = pattern.by_key.entry(key).or_default();
            if !list.contains(&index) {
                list.push(index);
            }
        }
        Ok(())
    }

    /// The bucket a virtual-hosted request names in its host, if any.
    fn host_bucket<'h>(&self, host: &'h str) -> Option<&'h str> {
        let host = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        let host = host.trim_end_matches('.');
        self.base_domains.iter().find_map(|base| {
            let prefix = host.len().checked_sub(base.len() + 1)?;
            let (bucket, rest) = host.split_at_checked(prefix)?;
            (rest.strip_prefix('.')?.eq_ignore_ascii_case(base) && !bucket.is_empty())
                .then_some(bucket)
        })
    }

    /// Rewrites a virtual-hosted request (`Host: bucket.<base domain>`) as
    /// the path-style request the operations read (`/bucket/...`); leaves
    /// any other request as it is.
    pub fn path_style<B>(&self, request: &mut http::Request<B>) -> Result<(), RouteError> {
        let host = match request.headers().get(http::header::HOST) {
            Some(host) => host.to_str().ok().map(str::to_owned),
            None => request.uri().host().map(str::to_owned),
        };
        let Some(bucket) = host.as_deref().and_then(|h| self.host_bucket(h)) else {
            return Ok(());
        };
        let valid = bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !valid {
            return Err(RouteError::InvalidRequest {
                message: format!("the host names `{bucket}`, which cannot be a bucket"),
            });
        }
        let mut uri = String::with_capacity(bucket.len() + 64);
        uri.push('/');
        uri.push_str(bucket);
        let path = request.uri().path();
        if path != "/" {
            uri.push_str(path);
        }
        if let Some(query) = request.uri().query() {
            uri.push('?');
            uri.push_str(query);
        }
        *request.uri_mut() = http::Uri::try_from(uri).map_err(|e| RouteError::InvalidRequest {
            message: format!("the request's URI cannot be made path-style: {e}"),
        })?;
        Ok(())
    }

    /// The operation a path-style request is for (see [`Router::path_style`]
    /// for virtual-hosted ones): its name, as in the model.
    pub fn route<B>(&self, request: &http::Request<B>) -> Result<&'static str, RouteError> {
        let invalid = |e: crate::error::DecodeError| RouteError::InvalidRequest {
            message: format!("the request's URI cannot be decoded: {e}"),
        };
        let path = request.uri().path();
        let segments = path
            .strip_prefix('/')
            .unwrap_or(path)
            .split('/')
            .map(decoded)
            .collect::<Result<Vec<Text<'_>>, _>>()
            .map_err(invalid)?;
        let segments: &[Text<'_>] = if segments.len() == 1 && segments[0].is_empty() {
            &[]
        } else {
            &segments
        };
        let mut query = Vec::new();
        for pair in request.uri().query().unwrap_or_default().split('&') {
            if pair.is_empty() {
                continue;
            }
            let (key, value) = match pair.split_once('=') {
                Some((key, value)) => (key, Some(value)),
                None => (pair, None),
            };
            let value = value.map(decoded).transpose().map_err(invalid)?;
            query.push((decoded(key).map_err(invalid)?, value));
        }
        let headers = request.headers();
        let mut closest: Option<(&'static str, Missing<'_>)> = None;
        let Some((_, patterns)) = self.methods.iter().find(|(m, _)| m == request.method()) else {
            return Err(self.not_allowed(request.method(), segments, path));
        };
        for pattern in patterns.iter().filter(|p| p.matches(segments)) {
            // The routes under the request's query keys, then those without
            // keys: the first that takes the request is the most specific.
            let mut keyed: Vec<usize> = Vec::new();
            for (key, _) in &query {
                if let Some(list) = pattern.by_key.get(key.as_ref()) {
                    for &index in list {
                        if !keyed.contains(&index) {
                            keyed.push(index);
                        }
                    }
                }
            }
            keyed.sort_by_key(|&i| (std::cmp::Reverse(self.routes[i].rank()), i));
            // A request that has every literal key of a route is for that
            // route's subresource: when it lacks a required parameter it is
            // refused, not given to a route without keys.
            let mut named_subresource = false;
            for &index in &keyed {
                let route = &self.routes[index];
                match route.missing(&query, headers) {
                    None => return Ok(route.operation),
                    Some((missing, literals_present)) => {
                        if literals_present && !named_subresource {
                            named_subresource = true;
                            closest = None;
                        }
                        if literals_present || !named_subresource {
                            closest.get_or_insert((route.operation, missing));
                        }
                    }
                }
            }
            if named_subresource {
                break;
            }
            for &index in &pattern.plain {
                let route = &self.routes[index];
                match route.missing(&query, headers) {
                    None => return Ok(route.operation),
                    Some((missing, _)) => {
                        closest.get_or_insert((route.operation, missing));
                    }
                }
            }
        }
        if let Some(named) = self.named_elsewhere(&query) {
            return Err(RouteError::WrongOperation { named });
        }
        match closest {
            Some((operation, missing)) => Err(missing.error(operation)),
            None => Err(self.not_allowed(request.method(), segments, path)),
        }
    }

    /// Whether operations `a` and `b` have the same route apart from the
    /// literal that names them (S3's ListBuckets and ListDirectoryBuckets):
    /// a request without that literal goes to the one listed first.
    pub fn same_bindings(&self, a: &str, b: &str) -> bool {
        let find = |name: &str| {
            let index = self.routes.iter().position(|r| r.operation == name)?;
            let (method, pattern) = self.methods.iter().find_map(|(method, patterns)| {
                let pattern = patterns.iter().find(|p| {
                    p.plain.contains(&index) || p.by_key.values().any(|l| l.contains(&index))
                })?;
                Some((method, &pattern.parts))
            })?;
            Some((&self.routes[index], method, pattern))
        };
        match (find(a), find(b)) {
            (Some((ra, ma, pa)), Some((rb, mb, pb))) => {
                ma == mb
                    && pa == pb
                    && ra.literals == rb.literals
                    && ra.required_query == rb.required_query
                    && ra.required_headers == rb.required_headers
            }
            _ => false,
        }
    }

    /// A name the request gives through a key that only names operations.
    fn named_elsewhere(&self, query: &[(Text<'_>, Option<Text<'_>>)]) -> Option<String> {
        query.iter().find_map(|(key, value)| {
            let names = self
                .routes
                .iter()
                .any(|r| r.naming.as_deref() == Some(key.as_ref()));
            names.then(|| value.as_deref().unwrap_or_default().to_owned())
        })
    }

    /// The error for a path that this method does not take.
    fn not_allowed(&self, method: &http::Method, segments: &[Text<'_>], path: &str) -> RouteError {
        let allowed: Vec<String> = self
            .methods
            .iter()
            .filter(|(m, patterns)| m != method && patterns.iter().any(|p| p.matches(segments)))
            .map(|(m, _)| m.to_string())
            .collect();
        if allowed.is_empty() {
            RouteError::NoSuchPath {
                path: path.to_owned(),
            }
        } else {
            RouteError::MethodNotAllowed {
                method: method.to_string(),
                allowed,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[&str] = &[
        "ListBuckets GET /?x-id=ListBuckets",
        "ListDirectoryBuckets GET /?x-id=ListDirectoryBuckets",
        "ListObjects GET /{Bucket}",
        "ListObjectsV2 GET /{Bucket}?list-type=2",
        "GetBucketAnalyticsConfiguration GET /{Bucket}?analytics&x-id=GetBucketAnalyticsConfiguration q:id",
        "ListBucketAnalyticsConfigurations GET /{Bucket}?analytics&x-id=ListBucketAnalyticsConfigurations",
        "PutObject PUT /{Bucket}/{Key+}?x-id=PutObject",
        "CopyObject PUT /{Bucket}/{Key+}?x-id=CopyObject h:x-amz-copy-source",
        "UploadPart PUT /{Bucket}/{Key+}?x-id=UploadPart q:partNumber q:uploadId",
        "UploadPartCopy PUT /{Bucket}/{Key+}?x-id=UploadPartCopy h:x-amz-copy-source q:partNumber q:uploadId",
        "GetObject GET /{Bucket}/{Key+}?x-id=GetObject",
        "WriteGetObjectResponse POST /WriteGetObjectResponse",
        "CreateBucket PUT /{Bucket}",
        "PutBucketAnalyticsConfiguration PUT /{Bucket}?analytics q:id",
        "HeadBucket HEAD /{Bucket}",
    ];

    fn route(
        router: &Router,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> Result<&'static str, RouteError> {
        let mut builder = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(()).unwrap();
        router.path_style(&mut request)?;
        router.route(&request)
    }

    #[test]
    fn the_most_specific_route_wins() {
        let router = Router::new(ROUTES).unwrap();
        let get = |uri: &str| route(&router, "GET", uri, &[]);
        assert_eq!(get("/"), Ok("ListBuckets"));
        assert_eq!(
            get("/?x-id=ListDirectoryBuckets"),
            Ok("ListDirectoryBuckets")
        );
        assert!(router.same_bindings("ListBuckets", "ListDirectoryBuckets"));
        assert!(!router.same_bindings("ListObjects", "ListObjectsV2"));
        assert!(!router.same_bindings("PutObject", "CopyObject"));
        assert_eq!(get("/b"), Ok("ListObjects"));
        assert_eq!(get("/b/"), Ok("ListObjects"));
        assert_eq!(get("/b?list-type=2&prefix=a"), Ok("ListObjectsV2"));
        assert_eq!(get("/b?list-type=1"), Ok("ListObjects"));
        // A subresource named without what it needs is refused, not given
        // to the route without keys.
        let err = route(&router, "PUT", "/b?analytics", &[]).unwrap_err();
        assert_eq!(
            err,
            RouteError::Incomplete {
                operation: "PutBucketAnalyticsConfiguration",
                missing: "query parameter id".into()
            }
        );
        assert_eq!(
            get("/b?analytics&id=x"),
            Ok("GetBucketAnalyticsConfiguration")
        );
        assert_eq!(get("/b?analytics"), Ok("ListBucketAnalyticsConfigurations"));
        assert_eq!(
            get("/b?analytics&id=x&x-id=ListBucketAnalyticsConfigurations"),
            Ok("ListBucketAnalyticsConfigurations")
        );
        assert_eq!(get("/b/k/with/slashes"), Ok("GetObject"));
        assert_eq!(get("/b/%20"), Ok("GetObject"));
        assert_eq!(get("/b//"), Ok("GetObject"));
        assert_eq!(get("/b/k/"), Ok("GetObject"));
        let put = |uri: &str, headers: &[(&str, &str)]| route(&router, "PUT", uri, headers);
        let copy = [("x-amz-copy-source", "src/key")];
        assert_eq!(put("/b/k", &[]), Ok("PutObject"));
        assert_eq!(put("/b/k", &copy), Ok("CopyObject"));
        assert_eq!(put("/b/k?partNumber=1&uploadId=u", &[]), Ok("UploadPart"));
        assert_eq!(
            put("/b/k?partNumber=1&uploadId=u", &copy),
            Ok("UploadPartCopy")
        );
        assert_eq!(
            put("/b/k?partNumber=1&uploadId=u&x-id=PutObject", &copy),
            Ok("PutObject")
        );
        assert_eq!(put("/b", &[]), Ok("CreateBucket"));
        assert_eq!(
            route(&router, "POST", "/WriteGetObjectResponse", &[]),
            Ok("WriteGetObjectResponse")
        );
        assert_eq!(route(&router, "HEAD", "/b", &[]), Ok("HeadBucket"));
    }

    #[test]
    fn requests_no_route_takes_get_s3_answers() {
        let router = Router::new(ROUTES).unwrap();
        let err = route(&router, "DELETE", "/b/k", &[]).unwrap_err();
        assert_eq!((err.code(), err.status()), ("MethodNotAllowed", 405));
        assert!(
            err.to_string().contains("GET, PUT") || err.to_string().contains("PUT, GET"),
            "{err}"
        );
        let err = route(&router, "GET", "/b/k?x-id=Nope", &[]).unwrap_err();
        assert_eq!(
            err,
            RouteError::WrongOperation {
                named: "Nope".into()
            }
        );
        assert_eq!(err.code(), "InvalidArgument");
        let err = route(&router, "POST", "/b", &[]).unwrap_err();
        assert_eq!(err.code(), "MethodNotAllowed");
        let err = route(&router, "POST", "/a/b/c", &[]).unwrap_err();
        assert_eq!(err.code(), "MethodNotAllowed");
        let err = route(&router, "PATCH", "/", &[]).unwrap_err();
        assert_eq!(err.code(), "MethodNotAllowed");
        let err = route(&router, "GET", "/b/%zz", &[]).unwrap_err();
        assert_eq!(err.code(), "InvalidRequest");
    }

    #[test]
    fn virtual_hosted_requests_take_the_bucket_from_the_host() {
        let router = Router::new(ROUTES)
            .unwrap()
            .with_base_domain("s3.example.com")
            .with_base_domain("localhost");
        let host =
            |host: &str, method: &str, uri: &str| route(&router, method, uri, &[("host", host)]);
        assert_eq!(host("b.s3.example.com", "GET", "/k/x"), Ok("GetObject"));
        assert_eq!(
            host(
                "my.dotted.bucket.s3.example.com:8443",
                "GET",
                "/?list-type=2"
            ),
            Ok("ListObjectsV2")
        );
        assert_eq!(host("b.localhost:9000", "PUT", "/"), Ok("CreateBucket"));
        assert_eq!(host("s3.example.com", "GET", "/"), Ok("ListBuckets"));
        assert_eq!(host("127.0.0.1:9000", "GET", "/b/k"), Ok("GetObject"));
        assert_eq!(host("S3.EXAMPLE.COM", "GET", "/b"), Ok("ListObjects"));
        let err = host("Bad_Bucket.s3.example.com", "GET", "/").unwrap_err();
        assert_eq!(err.code(), "InvalidRequest");
        let mut request = http::Request::builder()
            .uri("/k%20x?versionId=1")
            .header("host", "b.s3.example.com")
            .body(())
            .unwrap();
        router.path_style(&mut request).unwrap();
        assert_eq!(request.uri(), "/b/k%20x?versionId=1");
    }

    #[test]
    fn bad_specs_are_errors() {
        for spec in [
            "Op",
            "Op GET nopath",
            "Op GET /{A+}/{B+}",
            "Op GET / z:x",
            "Op G\u{e9}T /",
        ] {
            assert!(Router::new(&[spec]).is_err(), "{spec}");
        }
    }
}
