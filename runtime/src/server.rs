//! The server side: reading HTTP requests into operation inputs, and the
//! helpers that generated `from_http_request` and `to_http_response`
//! functions share (path matching, query strings, error documents).
//!
//! Every operation input has `from_http_request`, every output and
//! operation error has `to_http_response`; [`crate::operation::Operation`] offers the
//! same as `parse_request`, `build_response` and `build_error_response`, so
//! an S3-compatible server or a test double can serve any operation with
//! one generic function.

use std::borrow::Cow;
use std::fmt;

use crate::error::{BuildError, ErrorMetadata, XmlError};
use crate::primitives::TimestampFormat;
use crate::text::Text;

/// An HTTP request does not match the operation, or one of its values
/// cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The request method is not the operation's.
    MethodNotAllowed {
        /// The method of the request.
        method: String,
        /// The operation's method.
        expected: &'static str,
    },
    /// The request path does not match the operation's URI pattern.
    PathMismatch {
        /// The request path, as received.
        path: String,
        /// The operation's URI pattern, such as `/{Bucket}/{Key+}`.
        pattern: &'static str,
    },
    /// A path label is missing or empty.
    MissingLabel {
        /// The input member the label fills.
        member: &'static str,
    },
    /// A query parameter the operation needs is missing.
    MissingQuery {
        /// The name of the query parameter.
        name: &'static str,
    },
    /// A header the operation needs is missing.
    MissingHeader {
        /// The name of the header (lower case).
        name: &'static str,
    },
    /// The operation needs a body and the request has none.
    MissingBody,
    /// A value in the request cannot be read as its member's type.
    InvalidValue {
        /// Where the value is, such as `header x-amz-expected-bucket-owner`,
        /// `query id` or `label Bucket`.
        location: String,
        /// What is wrong with it.
        message: String,
    },
    /// The XML body cannot be read, or lacks a required member.
    Xml(XmlError),
    /// The body's content encoding (the gzip of `requestCompression`)
    /// cannot be decoded.
    InvalidEncoding {
        /// What the decoder said.
        message: String,
    },
    /// The body, decoded, is larger than the server takes.
    BodyTooLarge {
        /// The largest body taken, in bytes.
        limit: u64,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::MethodNotAllowed { method, expected } => write!(
                f,
                "the method {method} is not allowed; the operation uses {expected}"
            ),
            RequestError::PathMismatch { path, pattern } => write!(
                f,
                "the path `{path}` does not match the operation's pattern `{pattern}`"
            ),
            RequestError::MissingLabel { member } => write!(
                f,
                "the path label for the member `{member}` is missing or empty"
            ),
            RequestError::MissingQuery { name } => {
                write!(f, "the query parameter `{name}` is missing")
            }
            RequestError::MissingHeader { name } => write!(f, "the header `{name}` is missing"),
            RequestError::MissingBody => {
                f.write_str("the request has no body, but the operation needs one")
            }
            RequestError::InvalidValue { location, message } => {
                write!(f, "invalid value in {location}: {message}")
            }
            RequestError::Xml(error) => write!(f, "invalid request body: {error}"),
            RequestError::InvalidEncoding { message } => {
                write!(f, "the request body cannot be decoded: {message}")
            }
            RequestError::BodyTooLarge { limit } => {
                write!(f, "the decoded request body is larger than {limit} bytes")
            }
        }
    }
}

impl RequestError {
    /// The S3 error code a server answers with.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::MethodNotAllowed { .. } => "MethodNotAllowed",
            RequestError::InvalidValue { .. } => "InvalidArgument",
            RequestError::MissingBody | RequestError::Xml(_) => "MalformedXML",
            RequestError::BodyTooLarge { .. } => "EntityTooLarge",
            RequestError::InvalidEncoding { .. }
            | RequestError::PathMismatch { .. }
            | RequestError::MissingLabel { .. }
            | RequestError::MissingQuery { .. }
            | RequestError::MissingHeader { .. } => "InvalidRequest",
        }
    }

    /// The HTTP status that goes with [`RequestError::code`].
    pub fn status(&self) -> u16 {
        match self {
            RequestError::MethodNotAllowed { .. } => 405,
            _ => 400,
        }
    }
}

impl std::error::Error for RequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RequestError::Xml(error) => Some(error),
            _ => None,
        }
    }
}

impl From<crate::error::InvalidValue> for RequestError {
    fn from(error: crate::error::InvalidValue) -> Self {
        RequestError::InvalidValue {
            location: error.location,
            message: error.message,
        }
    }
}

impl From<XmlError> for RequestError {
    fn from(error: XmlError) -> Self {
        RequestError::Xml(error)
    }
}

/// An [`RequestError::InvalidValue`] at `location`.
pub fn invalid(location: &str, message: impl fmt::Display) -> RequestError {
    RequestError::InvalidValue {
        location: location.to_owned(),
        message: message.to_string(),
    }
}

/// The error for a body member that is required and missing.
pub fn missing_member(member: &str) -> RequestError {
    RequestError::Xml(XmlError::new(format!(
        "the required member {member} is missing"
    )))
}

/// Checks the request method.
pub fn check_method(method: &http::Method, expected: &'static str) -> Result<(), RequestError> {
    if method.as_str() == expected {
        Ok(())
    } else {
        Err(RequestError::MethodNotAllowed {
            method: method.as_str().to_owned(),
            expected,
        })
    }
}

/// One segment of an operation's URI pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, as in the model.
    Literal(&'static str),
    /// A label that fills one path segment (the member name).
    Label(&'static str),
    /// A greedy label (`{Key+}`): one or more segments, `/` included.
    Greedy(&'static str),
}

/// Matches a request path against a URI pattern and returns the label
/// values, percent-decoded, in pattern order.
///
/// Literal segments must match (after decoding). A greedy label takes every
/// segment up to the literal segments that follow it. A trailing `/` after
/// the last segment is accepted (some clients write `/bucket/?list-type=2`).
/// A label that is missing or empty is [`RequestError::MissingLabel`]; any
/// other difference is [`RequestError::PathMismatch`].
///
/// `N` is the number of labels in the pattern: `let [bucket, key] =
/// match_path(...)?`.
pub fn match_path<const N: usize>(
    path: &str,
    pattern: &[Segment],
    display: &'static str,
) -> Result<[String; N], RequestError> {
    let mismatch = || RequestError::PathMismatch {
        path: path.to_owned(),
        pattern: display,
    };
    path_labels(path, pattern, display)?
        .try_into()
        .map_err(|_| mismatch())
}

/// A parameter of a map of parameters read as a value of the map member `member`.
fn read_param<V: Text>(text: String, member: &str) -> Result<V, RequestError> {
    V::from_text(Cow::Owned(text), TimestampFormat::DateTime)
        .map_err(|e| invalid(&format!("query parameters of {member}"), e))
}

/// The required member bound to header `name`: an error naming the header
/// when it is absent.
#[inline]
pub fn required_header<T: Text>(
    headers: &crate::headers::Reader<'_>,
    name: &'static str,
) -> Result<T, RequestError> {
    headers
        .get(name)?
        .ok_or(RequestError::MissingHeader { name })
}

/// A label's text read as the member `member`'s value (a label of another
/// type than string). Timestamps take `format`.
pub fn label<T: Text>(
    text: String,
    member: &str,
    format: TimestampFormat,
) -> Result<T, RequestError> {
    T::from_text(Cow::Owned(text), format).map_err(|e| invalid(&format!("label {member}"), e))
}

/// The label values of `path` matched against `pattern`, as a vector (see
/// [`match_path`]).
pub fn path_labels(
    path: &str,
    pattern: &[Segment],
    display: &'static str,
) -> Result<Vec<String>, RequestError> {
    let mismatch = || RequestError::PathMismatch {
        path: path.to_owned(),
        pattern: display,
    };
    let rest = path.strip_prefix('/').ok_or_else(mismatch)?;
    let mut parts: Vec<&str> = rest.split('/').collect();
    let greedy_at = pattern.iter().position(|s| matches!(s, Segment::Greedy(_)));
    if greedy_at.is_none() && parts.len() == pattern.len() + 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    // The error's location is written only when there is an error.
    let decode = |text: &str, member: &str| {
        crate::uri::decode(text).map_err(|e| invalid(&format!("label {member}"), e))
    };
    let mut labels = Vec::new();
    // The segments before the greedy label (or all of them) map one to one.
    let (head, tail) = match greedy_at {
        Some(g) => (g, pattern.len() - g - 1),
        None => (pattern.len(), 0),
    };
    let short = parts.len() < head + tail;
    for (index, segment) in pattern.iter().enumerate() {
        match *segment {
            Segment::Greedy(member) => {
                if short {
                    return Err(RequestError::MissingLabel { member });
                }
                let end = parts.len() - tail;
                // The segments `index..end` as they are in the path, slashes
                // included.
                let text = match parts.get(index..end) {
                    Some([first, .., last]) => {
                        let start = first.as_ptr() as usize - rest.as_ptr() as usize;
                        let stop = last.as_ptr() as usize - rest.as_ptr() as usize + last.len();
                        rest.get(start..stop).unwrap_or_default()
                    }
                    Some([only]) => only,
                    _ => "",
                };
                let value = decode(text, member)?;
                if value.is_empty() {
                    return Err(RequestError::MissingLabel { member });
                }
                labels.push(value);
            }
            _ => {
                // After the greedy label, count from the end of the path.
                let at = match greedy_at {
                    Some(g) if index > g => (parts.len() + index).checked_sub(pattern.len()),
                    _ => Some(index),
                };
                let part = at.and_then(|at| parts.get(at)).copied();
                match (*segment, part) {
                    (Segment::Label(member), None) => {
                        return Err(RequestError::MissingLabel { member });
                    }
                    (Segment::Label(member), Some(part)) => {
                        let value = decode(part, member)?;
                        if value.is_empty() {
                            return Err(RequestError::MissingLabel { member });
                        }
                        labels.push(value);
                    }
                    (Segment::Literal(literal), Some(part)) => {
                        if crate::uri::decode(part).ok().as_deref() != Some(literal) {
                            return Err(mismatch());
                        }
                    }
                    _ => return Err(mismatch()),
                }
            }
        }
    }
    if greedy_at.is_none() && parts.len() != pattern.len() {
        return Err(mismatch());
    }
    Ok(labels)
}

/// A parsed query string: every `key=value` pair in order, percent-decoded.
/// A key without `=` has no value. A `+` stays a `+`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    params: Vec<(String, Option<String>)>,
}

impl Query {
    /// Parses the query part of a request URI (without the `?`).
    pub fn parse(query: Option<&str>) -> Result<Self, RequestError> {
        let mut params = Vec::new();
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = match pair.split_once('=') {
                Some((key, value)) => (key, Some(value)),
                None => (pair, None),
            };
            let key = crate::uri::decode(key).map_err(|e| invalid("the query string", e))?;
            let value = match value {
                Some(value) => Some(
                    crate::uri::decode(value).map_err(|e| invalid(&format!("query {key}"), e))?,
                ),
                None => None,
            };
            params.push((key, value));
        }
        Ok(Query { params })
    }

    /// Checks a literal parameter of the URI pattern: `key` must be present,
    /// with `value` when the pattern gives one.
    pub fn require(&self, key: &'static str, value: Option<&str>) -> Result<(), RequestError> {
        let mut found = self.params.iter().filter(|(k, _)| k == key).peekable();
        if found.peek().is_none() {
            return Err(RequestError::MissingQuery { name: key });
        }
        match value {
            None => Ok(()),
            Some(value) if found.any(|(_, v)| v.as_deref() == Some(value)) => Ok(()),
            Some(value) => Err(invalid(
                &format!("query {key}"),
                format!("the operation needs the value `{value}`"),
            )),
        }
    }

    /// Checks a literal parameter that only names the operation (`x-id=`
    /// the operation's name): it may be absent (some clients leave it out),
    /// but when present it must give `name`.
    pub fn names_operation(&self, key: &'static str, name: &str) -> Result<(), RequestError> {
        match self.params.iter().find(|(k, _)| k == key) {
            None => Ok(()),
            Some(_) => self.require(key, Some(name)),
        }
    }

    /// The value of the first parameter named `key` (`""` when it has none).
    pub fn first(&self, key: &str) -> Option<String> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone().unwrap_or_default())
    }

    /// The values of every parameter named `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.params
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone().unwrap_or_default())
            .collect()
    }

    /// The member bound to parameter `key`, read from its first value;
    /// `None` when absent. Timestamps take the `date-time` format.
    #[inline]
    pub fn get<T: Text>(&self, key: &str) -> Result<Option<T>, RequestError> {
        self.get_as(key, TimestampFormat::DateTime)
    }

    /// The required member bound to parameter `key`: an error naming the
    /// parameter when it is absent.
    #[inline]
    pub fn required<T: Text>(&self, key: &'static str) -> Result<T, RequestError> {
        self.get(key)?
            .ok_or(RequestError::MissingQuery { name: key })
    }

    /// [`Query::get`] with a timestamp in `format`.
    pub fn get_as<T: Text>(
        &self,
        key: &str,
        format: TimestampFormat,
    ) -> Result<Option<T>, RequestError> {
        match self.first(key) {
            Some(text) => T::from_text(Cow::Owned(text), format)
                .map(Some)
                .map_err(|e| invalid(&format!("query {key}"), e)),
            None => Ok(None),
        }
    }

    /// The list bound to parameter `key`, one item per occurrence; `None`
    /// when there is none.
    pub fn list<T: Text>(
        &self,
        key: &str,
        format: TimestampFormat,
    ) -> Result<Option<Vec<T>>, RequestError> {
        let items = self.all(key);
        if items.is_empty() {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(items.len());
        for text in items {
            values.push(
                T::from_text(Cow::Owned(text), format)
                    .map_err(|e| invalid(&format!("query {key}"), e))?,
            );
        }
        Ok(Some(values))
    }

    /// The parameters not `bound` by name, as a map: the first value of a
    /// repeated parameter counts. `None` when there is none.
    pub fn map<V: Text>(
        &self,
        bound: &[&str],
        member: &str,
    ) -> Result<Option<indexmap::IndexMap<String, V>>, RequestError> {
        let mut map = indexmap::IndexMap::new();
        for (key, text) in self.rest(bound) {
            if let indexmap::map::Entry::Vacant(entry) = map.entry(key) {
                entry.insert(read_param(text, member)?);
            }
        }
        Ok((!map.is_empty()).then_some(map))
    }

    /// The parameters not `bound` by name, as a map of lists: every value
    /// of a repeated parameter, in order. `None` when there is none.
    pub fn map_lists<V: Text>(
        &self,
        bound: &[&str],
        member: &str,
    ) -> Result<Option<indexmap::IndexMap<String, Vec<V>>>, RequestError> {
        let mut map = indexmap::IndexMap::<String, Vec<V>>::new();
        for (key, text) in self.rest(bound) {
            let value = read_param(text, member)?;
            map.entry(key).or_default().push(value);
        }
        Ok((!map.is_empty()).then_some(map))
    }

    /// Every parameter whose key is not in `bound`, in order.
    pub fn rest<'q>(&'q self, bound: &'q [&'q str]) -> impl Iterator<Item = (String, String)> + 'q {
        self.params
            .iter()
            .filter(move |(k, _)| !bound.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
    }
}

/// The status of an error response: `status`, or 500 when it is 0.
pub fn error_status(status: u16) -> u16 {
    if status == 0 { 500 } else { status }
}

/// A response with `status`, `headers` and `body`. `content_type` and the
/// body's length are set unless `headers` already has them.
pub fn response(
    status: u16,
    mut headers: http::HeaderMap,
    body: Vec<u8>,
    content_type: Option<&'static str>,
) -> Result<http::Response<Vec<u8>>, BuildError> {
    let status = http::StatusCode::from_u16(status).map_err(|_| BuildError::InvalidStatus {
        status: i32::from(status),
    })?;
    if let Some(content_type) = content_type {
        if !headers.contains_key(http::header::CONTENT_TYPE) {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(content_type),
            );
        }
    }
    if !headers.contains_key(http::header::CONTENT_LENGTH) {
        headers.insert(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from(body.len()),
        );
    }
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// The status code of a `httpResponseCode` member.
pub fn status_code(value: i32) -> Result<u16, BuildError> {
    u16::try_from(value)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or(BuildError::InvalidStatus { status: value })
}

/// Writes `<tag>text</tag>`, escaped.
fn element(out: &mut String, tag: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    crate::xml::escape_into(out, text);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// What an error response says besides its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErrorBody<'a> {
    /// The error code (`<Code>`).
    pub code: Option<&'a str>,
    /// The HTTP status; one that is not valid becomes 500.
    pub status: u16,
    /// The error's own body members, already written: the children of
    /// `<Error>` after the code and the message.
    pub members: &'a str,
    /// The metadata elements (`Message`, `RequestId`, …) that `members`
    /// writes itself, left out of the metadata part.
    pub taken: &'a [&'a str],
}

/// An error response: a bare `<Error>` document when the profile says so
/// (S3), else
/// `<ErrorResponse><Error>…</Error><RequestId>…</RequestId></ErrorResponse>`,
/// with the code, the message, the error's members and the request and host
/// ids of `meta`, plus the profile's request id and host id headers
/// (`x-amz-request-id` and `x-amz-id-2` for S3) on top of `headers` (the
/// error's header-bound members). Never fails: a status that is not valid
/// becomes 500, and an id that is not visible ASCII is only in the body.
pub fn error_response(
    profile: &crate::operation::Profile,
    meta: &ErrorMetadata,
    body: ErrorBody<'_>,
    mut headers: http::HeaderMap,
) -> http::Response<Vec<u8>> {
    let ErrorBody {
        code,
        status,
        members,
        taken,
    } = body;
    let wrapped = !profile.bare_error_documents;
    let mut out = String::with_capacity(256 + members.len());
    let optional = |out: &mut String, tag: &str, text: Option<&str>| {
        if let (Some(text), false) = (text, taken.contains(&tag)) {
            element(out, tag, text);
        }
    };
    if wrapped {
        out.push_str("<ErrorResponse>");
    }
    out.push_str("<Error>");
    optional(&mut out, "Code", code);
    optional(&mut out, "Message", meta.message.as_deref());
    out.push_str(members);
    if !wrapped {
        optional(&mut out, "RequestId", meta.request_id.as_deref());
        optional(&mut out, "HostId", meta.host_id.as_deref());
    }
    out.push_str("</Error>");
    if wrapped {
        optional(&mut out, "RequestId", meta.request_id.as_deref());
        optional(&mut out, "HostId", meta.host_id.as_deref());
        out.push_str("</ErrorResponse>");
    }
    for (name, value) in [
        (Some(&profile.request_id_header), &meta.request_id),
        (profile.host_id_header.as_ref(), &meta.host_id),
    ] {
        let Some(name) = name else { continue };
        // Only visible ASCII: what a client can read back as text.
        let value = value
            .as_deref()
            .and_then(|v| http::HeaderValue::from_str(v).ok());
        if let Some(value) = value.filter(|v| v.to_str().is_ok()) {
            headers.insert(name.clone(), value);
        }
    }
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    let body = out.into_bytes();
    headers.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(body.len()),
    );
    let mut response = http::Response::new(body);
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    *response.headers_mut() = headers;
    response
}

/// What a server knows of a request besides its input: the ids its answer
/// carries. Passed to every `Service` method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context {
    /// The request id (`x-amz-request-id` for S3) of the answer.
    pub request_id: String,
    /// The extended request id (`x-amz-id-2` for S3), when the server has one.
    pub host_id: Option<String>,
}

impl Context {
    /// A context with a request id.
    pub fn new(request_id: impl Into<String>) -> Self {
        Context {
            request_id: request_id.into(),
            host_id: None,
        }
    }

    /// The same context with an extended request id.
    pub fn with_host_id(mut self, host_id: impl Into<String>) -> Self {
        self.host_id = Some(host_id.into());
        self
    }

    /// Error metadata for an answer: code, status and message, with this
    /// request's ids.
    pub fn error(&self, code: &str, status: u16, message: impl Into<String>) -> ErrorMetadata {
        ErrorMetadata {
            code: Some(code.to_owned()),
            message: Some(message.into()),
            request_id: (!self.request_id.is_empty()).then(|| self.request_id.clone()),
            host_id: self.host_id.clone(),
            status,
        }
    }
}

/// The request with its body decoded, when the operation compresses its
/// requests (`requestCompression`) and this one came compressed.
#[cfg(feature = "compression")]
fn decompressed<B: AsRef<[u8]>>(
    request: &http::Request<B>,
    compression: crate::operation::RequestCompression,
    ctx: &Context,
) -> Result<Option<http::Request<Vec<u8>>>, ErrorMetadata> {
    match compression {
        crate::operation::RequestCompression::None => Ok(None),
        crate::operation::RequestCompression::Gzip => {
            crate::compression::decode_request(request, crate::compression::MAX_DECODED)
                .map_err(|e| ctx.error(e.code(), e.status(), e.to_string()))
        }
    }
}

/// Without the `compression` feature no operation compresses its requests.
#[cfg(not(feature = "compression"))]
fn decompressed<B: AsRef<[u8]>>(
    _: &http::Request<B>,
    _: crate::operation::RequestCompression,
    _: &Context,
) -> Result<Option<http::Request<Vec<u8>>>, ErrorMetadata> {
    Ok(None)
}

/// Serves a request that the router gave to operation `O`: checks its body
/// against the digests its headers carry when `O`'s body is checksummed
/// ([`crate::checksum::check_request`]), decodes a compressed body
/// (`requestCompression`), reads the input, calls `handle`, writes the
/// output or the error. A request `O` cannot check, decode or read gets
/// S3's answer for what is wrong ([`RequestError::code`]); an
/// output that cannot be written is an `InternalError`. Every response
/// carries the profile's request id headers with the context's ids (when
/// the handler did not set them).
pub fn serve_operation<O, B>(
    request: &http::Request<B>,
    ctx: &Context,
    handle: impl FnOnce(O::Input) -> Result<O::Output, O::Error>,
) -> http::Response<Vec<u8>>
where
    O: crate::operation::Operation,
    B: AsRef<[u8]>,
{
    use crate::operation::OperationError;
    let unhandled = |meta: ErrorMetadata| {
        O::Error::from(crate::error::Unhandled { meta, source: None }).to_http_response()
    };
    let checked = crate::checksum::check_request(
        <O::Input as crate::operation::Input>::REQUEST_CHECKSUM,
        request.headers(),
        request.body().as_ref(),
    );
    // A compressed body is decoded after its checksum (of the bytes sent)
    // was checked.
    let checked = checked
        .map_err(|e| ctx.error(e.code(), e.status(), e.to_string()))
        .and_then(|()| {
            let compression = <O::Input as crate::operation::Input>::REQUEST_COMPRESSION;
            decompressed(request, compression, ctx)
        });
    let parsed = |decoded: &Option<http::Request<Vec<u8>>>| match decoded {
        Some(request) => O::parse_request(request),
        None => O::parse_request(request),
    };
    let mut response = match checked {
        Err(meta) => unhandled(meta),
        Ok(decoded) => match parsed(&decoded) {
            Ok(input) => match handle(input) {
                Ok(output) => O::build_response(&output)
                    .unwrap_or_else(|e| unhandled(ctx.error("InternalError", 500, e.to_string()))),
                Err(error) => error.to_http_response(),
            },
            Err(e) => unhandled(ctx.error(e.code(), e.status(), e.to_string())),
        },
    };
    set_ids(&mut response, <O::Error as OperationError>::PROFILE, ctx);
    response
}

/// The answer to a request that no operation takes ([`RouteError`](crate::router::RouteError)),
/// or to an operation the service does not implement: an error document in
/// the profile's form with the request id.
pub fn answer(
    profile: &crate::operation::Profile,
    ctx: &Context,
    code: &str,
    status: u16,
    message: String,
) -> http::Response<Vec<u8>> {
    let meta = ctx.error(code, status, message);
    let body = ErrorBody {
        code: Some(code),
        status,
        ..ErrorBody::default()
    };
    error_response(profile, &meta, body, http::HeaderMap::new())
}

/// Sets the profile's request id headers from the context where the
/// response has none.
fn set_ids(
    response: &mut http::Response<Vec<u8>>,
    profile: &crate::operation::Profile,
    ctx: &Context,
) {
    let ids = [
        (
            Some(&profile.request_id_header),
            Some(ctx.request_id.as_str()),
        ),
        (profile.host_id_header.as_ref(), ctx.host_id.as_deref()),
    ];
    for (name, id) in ids {
        let (Some(name), Some(id)) = (name, id.filter(|id| !id.is_empty())) else {
            continue;
        };
        if response.headers().contains_key(name) {
            continue;
        }
        if let Ok(value) = http::HeaderValue::from_str(id) {
            response.headers_mut().insert(name.clone(), value);
        }
    }
}

/// The list of a crate's operations, written once by the generator, and
/// what follows from it: `ROUTES` and `router()` (see
/// [`crate::router`]), a `Service` trait with one method per operation
/// (each answers S3's `NotImplemented` until the implementer overrides it),
/// and `serve`, the one entry point from an `http::Request` to an
/// `http::Response`: virtual-hosted to path-style, route, read, call,
/// write.
///
/// Each entry is `method => OperationType, "route";`, attributes (a cargo
/// feature's `cfg`) before it.
#[macro_export]
macro_rules! operations {
    ($profile:expr; $($(#[$attr:meta])* $method:ident => $op:ty, $route:literal;)*) => {
        /// Every operation's route, in the model's order: what
        /// [`s3_runtime::router`] needs of its HTTP bindings.
        pub static ROUTES: &[&str] = &[$($(#[$attr])* $route,)*];

        /// The router over [`ROUTES`]: it takes path-style requests; add the
        /// server's base domains (`with_base_domain`) for virtual-hosted ones.
        pub fn router() -> Result<$crate::router::Router, $crate::router::RouteSpecError> {
            $crate::router::Router::new(ROUTES)
        }

        /// A server of the service: one method per operation, each
        /// answering S3's `NotImplemented` (501) until implemented. [`serve`]
        /// calls them.
        #[allow(clippy::result_large_err)]
        pub trait Service {
            $(
                $(#[$attr])*
                #[doc = concat!("Serves `", stringify!($op), "`.")]
                fn $method(
                    &self,
                    ctx: &$crate::server::Context,
                    input: <$op as $crate::operation::Operation>::Input,
                ) -> Result<
                    <$op as $crate::operation::Operation>::Output,
                    <$op as $crate::operation::Operation>::Error,
                > {
                    let _ = input;
                    let name = <$op as $crate::operation::Operation>::NAME;
                    let meta = ctx.error("NotImplemented", 501, format!("{name} is not implemented"));
                    Err($crate::error::Unhandled { meta, source: None }.into())
                }
            )*
        }

        /// Serves one request: a virtual-hosted request made path-style, the
        /// operation named by `router`, its input read, the `service`'s
        /// method called, and its output or error written, each response
        /// with the context's ids in the request id headers. A request that
        /// no operation takes or reads gets S3's error document for it.
        #[allow(clippy::result_large_err)]
        pub fn serve<S: Service + ?Sized, B: AsRef<[u8]>>(
            service: &S,
            router: &$crate::router::Router,
            mut request: http::Request<B>,
            ctx: &$crate::server::Context,
        ) -> http::Response<Vec<u8>> {
            let profile = &$profile;
            let name = router
                .path_style(&mut request)
                .and_then(|()| router.route(&request));
            let name = match name {
                Ok(name) => name,
                Err(e) => {
                    return $crate::server::answer(profile, ctx, e.code(), e.status(), e.to_string());
                }
            };
            $(
                $(#[$attr])*
                if name == <$op as $crate::operation::Operation>::NAME {
                    return $crate::server::serve_operation::<$op, B>(&request, ctx, |input| {
                        service.$method(ctx, input)
                    });
                }
            )*
            $crate::server::answer(profile, ctx, "NotImplemented", 501, format!("{name} is not served"))
        }
    };
}
