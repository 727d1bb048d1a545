//! Error types shared by all operations.

use std::fmt;

/// The details S3 sends back with a failed request.
///
/// S3 describes a failure with the HTTP status code, an XML error document
/// in the body, and the `x-amz-request-id` and `x-amz-id-2` headers. Any of
/// these can be missing (for example, a `HEAD` request never has a body), so
/// every field except `status` is optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase", default))]
pub struct ErrorMetadata {
    /// The error code, such as `NoSuchKey` or `AccessDenied`.
    pub code: Option<String>,
    /// The human-readable description of the error.
    pub message: Option<String>,
    /// The ID S3 gave the request; AWS support asks for it.
    pub request_id: Option<String>,
    /// The extended request ID (the `x-amz-id-2` header); AWS support asks for it.
    pub host_id: Option<String>,
    /// The HTTP status code of the response.
    pub status: u16,
}

impl ErrorMetadata {
    /// Reads the error details from a failed HTTP response.
    ///
    /// The request ID comes from the profile's request id header
    /// (`x-amz-request-id` for S3), or from the `<RequestId>` element of the
    /// body when the header is missing. The host ID comes from the profile's
    /// host id header (`x-amz-id-2` for S3), or else from `<HostId>`. The
    /// code and message come from the body.
    ///
    /// An empty body (or one that is only whitespace) is normal and gives
    /// no error. If the body is not a
    /// readable error document, the details found in the headers are still
    /// returned, together with the [`XmlError`] that explains the problem.
    pub fn from_response(
        profile: &crate::operation::Profile,
        status: u16,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> (ErrorMetadata, Option<XmlError>) {
        let mut metadata = ErrorMetadata {
            status,
            request_id: header_text(headers, &profile.request_id_header),
            host_id: profile
                .host_id_header
                .as_ref()
                .and_then(|name| header_text(headers, name)),
            ..ErrorMetadata::default()
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return (metadata, None);
        }
        match crate::xml::read_error_document(body, &crate::xml::DEFAULT_LIMITS) {
            Ok(document) => {
                metadata.code = document.code;
                metadata.message = document.message;
                metadata.request_id = metadata.request_id.or(document.request_id);
                metadata.host_id = metadata.host_id.or(document.host_id);
                (metadata, None)
            }
            Err(error) => (metadata, Some(error)),
        }
    }
}

/// Returns the value of a header if it is present, non-empty, and plain text.
fn header_text(headers: &http::HeaderMap, name: &http::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    if value.is_empty() {
        None
    } else {
        Some(value.to_owned())
    }
}

impl fmt::Display for ErrorMetadata {
    /// Writes, for example,
    /// `AccessDenied (HTTP 403): Access Denied [request id X, host id Y]`,
    /// leaving out the parts that are missing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code} (HTTP {})", self.status)?,
            None => write!(f, "HTTP {} error", self.status)?,
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        match (&self.request_id, &self.host_id) {
            (Some(request_id), Some(host_id)) => {
                write!(f, " [request id {request_id}, host id {host_id}]")
            }
            (Some(request_id), None) => write!(f, " [request id {request_id}]"),
            (None, Some(host_id)) => write!(f, " [host id {host_id}]"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for ErrorMetadata {}

/// An XML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    message: String,
    path: Option<String>,
}

impl XmlError {
    /// Creates an error that is not tied to one element.
    pub fn new(message: impl Into<String>) -> Self {
        XmlError {
            message: message.into(),
            path: None,
        }
    }

    /// Creates an error found inside the element at `path`, such as `Error/Code`.
    pub fn at(message: impl Into<String>, path: impl Into<String>) -> Self {
        XmlError {
            message: message.into(),
            path: Some(path.into()),
        }
    }

    /// Returns what went wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Returns where it went wrong, as element names joined by `/`
    /// (for example `Error/Code`), if the problem was inside an element.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "invalid XML at {path}: {}", self.message),
            None => write!(f, "invalid XML: {}", self.message),
        }
    }
}

impl std::error::Error for XmlError {}

/// In JSON, an XML error is its message.
#[cfg(feature = "serde")]
impl serde::Serialize for XmlError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// In JSON, an XML error is its message.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for XmlError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(XmlError::new)
    }
}

/// A value outside the XML body could not be read as its member's type: a
/// header that is not visible ASCII or not a number, a text body that is not
/// UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    /// Where the value is, such as `header x-amz-expected-bucket-owner` or
    /// `body`.
    pub location: String,
    /// What is wrong with it.
    pub message: String,
}

impl InvalidValue {
    /// An invalid value at `location`.
    pub fn new(location: impl Into<String>, message: impl fmt::Display) -> Self {
        InvalidValue {
            location: location.into(),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for InvalidValue {}

/// A response (the output of a success, or the members of a modeled error)
/// could not be read; the variant says what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// A header, or a text body, cannot be read as its member's type.
    InvalidValue(InvalidValue),
    /// The XML body cannot be read, or lacks a required member.
    Xml(XmlError),
    /// The event stream in the body cannot be read.
    EventStream(crate::event_stream::EventStreamError),
}

impl ResponseError {
    /// An [`ResponseError::InvalidValue`] at `location`.
    pub fn invalid(location: impl Into<String>, message: impl fmt::Display) -> Self {
        ResponseError::InvalidValue(InvalidValue::new(location, message))
    }
}

impl fmt::Display for ResponseError {
    /// The message of the error inside, as it is (so the JSON form, which
    /// is this text, reads back to the same text).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::InvalidValue(e) => fmt::Display::fmt(e, f),
            ResponseError::Xml(e) => fmt::Display::fmt(e, f),
            ResponseError::EventStream(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResponseError::InvalidValue(e) => Some(e),
            ResponseError::Xml(e) => Some(e),
            ResponseError::EventStream(e) => Some(e),
        }
    }
}

impl From<XmlError> for ResponseError {
    fn from(error: XmlError) -> Self {
        ResponseError::Xml(error)
    }
}

impl From<InvalidValue> for ResponseError {
    fn from(error: InvalidValue) -> Self {
        ResponseError::InvalidValue(error)
    }
}

impl From<crate::event_stream::EventStreamError> for ResponseError {
    fn from(error: crate::event_stream::EventStreamError) -> Self {
        ResponseError::EventStream(error)
    }
}

/// In JSON, a response error is its message.
#[cfg(feature = "serde")]
impl serde::Serialize for ResponseError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// In JSON, a response error is its message; it reads back as an
/// [`ResponseError::Xml`] error with that message (the kind is not kept).
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ResponseError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| ResponseError::Xml(XmlError::new(text)))
    }
}

/// An error response that no modeled error of the operation matches: an
/// unknown error code, or a response whose body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Unhandled {
    /// What the response said about the error.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub meta: ErrorMetadata,
    /// Why the response body could not be read, when it could not.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "BodyError", default, skip_serializing_if = "Option::is_none")
    )]
    pub source: Option<ResponseError>,
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.meta, f)?;
        if self.source.is_some() {
            // The details are the error's `source()`.
            f.write_str(" (the error body could not be read)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Unhandled {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A request (or, on the server side, a response) could not be built from
/// the values given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A value that goes into the request path is empty, so the path would
    /// point at the wrong resource.
    EmptyLabel {
        /// The name of the input member that is empty.
        member: &'static str,
    },
    /// A union value holds a member that this crate does not know, so it
    /// cannot be written into the request.
    UnknownUnionVariant {
        /// The name of the union shape.
        shape: &'static str,
        /// The name of the unknown member.
        name: String,
    },
    /// A value contains characters that an HTTP header value cannot carry.
    InvalidHeaderValue {
        /// The name of the header.
        header: &'static str,
    },
    /// A value that goes into the host name is not a valid host label.
    InvalidHostLabel {
        /// The name of the input member.
        member: &'static str,
    },
    /// The endpoint rules ended in an error for this request's parameters:
    /// the rule's message.
    Endpoint {
        /// The rule's message.
        message: String,
    },
    /// The request URI could not be formed: every value is percent-encoded,
    /// so this happens only when the URI is too long for `http::Uri` (about
    /// 64 KiB).
    InvalidUri {
        /// What the URI parser reported.
        reason: String,
    },
    /// A response status (an `httpResponseCode` member) is not a valid HTTP
    /// status code (100 to 999).
    InvalidStatus {
        /// The status that was given.
        status: i32,
    },
    /// An event of an event stream could not be written as a message (a
    /// header or the message is over the format's limits).
    EventStream {
        /// What is wrong.
        message: String,
    },
    /// The request checksum algorithm chosen is one this crate does not
    /// compute, and the caller did not set its checksum header either.
    UnsupportedChecksum {
        /// The algorithm's name, as chosen (e.g. `SHA512`).
        algorithm: String,
    },
    /// The body could not be compressed (`requestCompression`): what the
    /// encoder said.
    Compression {
        /// What went wrong.
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::EmptyLabel { member } => write!(
                f,
                "the input member `{member}` is empty, but it is part of the request path"
            ),
            BuildError::UnknownUnionVariant { shape, name } => write!(
                f,
                "the union `{shape}` holds the member `{name}`, which this crate cannot write"
            ),
            BuildError::InvalidHeaderValue { header } => write!(
                f,
                "the value for the header `{header}` contains characters that are not allowed in HTTP headers"
            ),
            BuildError::InvalidHostLabel { member } => write!(
                f,
                "the input member `{member}` is not a valid host label, but it is part of the host name"
            ),
            BuildError::Endpoint { message } => {
                write!(f, "no endpoint for this request: {message}")
            }
            BuildError::InvalidUri { reason } => {
                write!(f, "the request URI could not be formed: {reason}")
            }
            BuildError::InvalidStatus { status } => {
                write!(f, "{status} is not a valid HTTP status code")
            }
            BuildError::EventStream { message } => {
                write!(f, "an event could not be written: {message}")
            }
            BuildError::UnsupportedChecksum { algorithm } => write!(
                f,
                "this crate does not compute {algorithm} checksums: set the request's checksum member, or choose CRC32, CRC32C, CRC64NVME, SHA1 or SHA256"
            ),
            BuildError::Compression { reason } => {
                write!(f, "the request body could not be compressed: {reason}")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// A percent-encoded string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The `%` at byte `offset` is not followed by two hexadecimal digits.
    InvalidEscape {
        /// The byte position of the `%` in the encoded string.
        offset: usize,
    },
    /// The decoded bytes are not valid UTF-8 text.
    InvalidUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::InvalidEscape { offset } => write!(
                f,
                "the `%` at byte {offset} is not followed by two hexadecimal digits"
            ),
            DecodeError::InvalidUtf8 => f.write_str("the decoded bytes are not valid UTF-8"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The name S3 gives an error that has no body (as the answer to a HEAD
/// request): the status's reason phrase without spaces, such as `NotFound`
/// for 404 or `Forbidden` for 403.
pub fn status_code_name(status: u16) -> Option<String> {
    let reason = http::StatusCode::from_u16(status)
        .ok()?
        .canonical_reason()?;
    Some(reason.chars().filter(char::is_ascii_alphanumeric).collect())
}

/// Why a request could not be read on the server side (see [`crate::server`]).
pub use crate::server::RequestError;
