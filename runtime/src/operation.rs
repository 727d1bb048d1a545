//! What every operation shares: the [`Operation`] trait, the traits its
//! input, output and error implement, the [`Profile`] of the service, and
//! [`ProvideErrorMetadata`] for generic code over any operation's error.
//!
//! A generated crate implements, per operation, only what differs per
//! shape: [`Input`] on the input (writing the request, reading it on the
//! server side), [`Output`] on the output (reading the response, writing it
//! on the server side), [`OperationError`] on the error enum (which modeled
//! error a code names, and the error response a server writes). Everything
//! else, such as telling a success from an error or reading the error
//! metadata, is written once here.

use crate::error::{BuildError, ErrorMetadata, ResponseError, Unhandled};
use crate::server::RequestError;

/// How a service's responses differ from plain restXml: the facts that
/// only some services (S3 among them) have, in one place. A generated crate
/// holds one `Profile` for its service, chosen by the generator from the
/// service's traits and its table of known services.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The header that carries the request id (`x-amz-request-id` for S3,
    /// `x-amzn-requestid` for plain restXml).
    pub request_id_header: http::HeaderName,
    /// The header that carries the extended request id (`x-amz-id-2` for
    /// S3), when the service sends one.
    pub host_id_header: Option<http::HeaderName>,
    /// A 2xx response whose body is an error document is an error (S3 sends
    /// errors inside 200 responses, e.g. for CopyObject and
    /// CompleteMultipartUpload).
    pub errors_in_success: bool,
    /// Error documents are a bare `<Error>` element (S3) rather than one
    /// wrapped in `<ErrorResponse>`.
    pub bare_error_documents: bool,
    /// An error response without a body (the answer to a `HEAD` request) is
    /// named by its status: a 404 is `NotFound` (S3).
    pub errors_named_by_status: bool,
}

impl Profile {
    /// Plain restXml, as the Smithy protocol describes it.
    pub const REST_XML: Profile = Profile {
        request_id_header: http::HeaderName::from_static("x-amzn-requestid"),
        host_id_header: None,
        errors_in_success: false,
        bare_error_documents: false,
        errors_named_by_status: false,
    };

    /// Amazon S3.
    pub const S3: Profile = Profile {
        request_id_header: http::HeaderName::from_static("x-amz-request-id"),
        host_id_header: Some(http::HeaderName::from_static("x-amz-id-2")),
        errors_in_success: true,
        bare_error_documents: true,
        errors_named_by_status: true,
    };
}

/// One operation: how to build its request and read its response, and on the
/// server side how to read its request and write its responses.
///
/// Generic code over this trait sends (or serves) any operation with one
/// function, whatever the HTTP client and signer.
pub trait Operation {
    /// The operation's name in the model, e.g. `PutBucketAnalyticsConfiguration`.
    const NAME: &'static str;
    /// What the caller provides.
    type Input: Input;
    /// What a successful response holds.
    type Output: Output;
    /// What an error response holds.
    type Error: OperationError;

    /// Builds the HTTP request (relative path-style URI, no host, unsigned).
    fn build_request(input: &Self::Input) -> Result<http::Request<Vec<u8>>, BuildError> {
        input.to_http_request()
    }

    /// Reads a complete HTTP response: the output for a success, the
    /// operation's error otherwise. Never panics.
    fn parse_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
    ) -> Result<Self::Output, Self::Error> {
        parse_response(
            response.status().as_u16(),
            response.headers(),
            response.body().as_ref(),
        )
    }

    /// Server side: reads an HTTP request (path-style) into the input.
    fn parse_request<B: AsRef<[u8]>>(
        request: &http::Request<B>,
    ) -> Result<Self::Input, RequestError> {
        Self::Input::from_http_request(request)
    }

    /// Server side: the HTTP response for a successful result.
    fn build_response(output: &Self::Output) -> Result<http::Response<Vec<u8>>, BuildError> {
        output.to_http_response()
    }

    /// Server side: the HTTP response for an error. Never fails.
    fn build_error_response(error: &Self::Error) -> http::Response<Vec<u8>> {
        error.to_http_response()
    }
}

/// Reads a response into `O` or `E`: a 2xx status is a success unless the
/// service sends errors in successes ([`Profile::errors_in_success`]) and
/// the body is an error document.
pub fn parse_response<O: Output, E: OperationError>(
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<O, E> {
    let success = (200..300).contains(&status)
        && !(E::PROFILE.errors_in_success && crate::xml::is_error_document(body));
    if success {
        return O::from_http_response(status, headers, body).map_err(|source| {
            let (meta, _) = ErrorMetadata::from_response(E::PROFILE, status, headers, b"");
            E::from(Unhandled {
                meta,
                source: Some(source),
            })
        });
    }
    Err(E::from_response(status, headers, body))
}

/// How an operation's request body is checksummed (`aws.protocols#httpChecksum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestChecksum {
    /// The operation takes no checksum.
    None,
    /// The caller may choose an algorithm (`x-amz-checksum-*`); none is
    /// required.
    Supported,
    /// A checksum is required: the chosen algorithm's, else `Content-MD5`
    /// (the request builder adds it).
    Required,
}

/// How an operation's request body is compressed
/// (`smithy.api#requestCompression`; see `compression`, cargo feature
/// `compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestCompression {
    /// Sent as it is.
    None,
    /// gzip, for a body of at least `compression::MIN_SIZE` bytes.
    Gzip,
}

/// An operation input: its HTTP request, both ways.
pub trait Input: Sized {
    /// How the operation's request body is checksummed.
    const REQUEST_CHECKSUM: RequestChecksum = RequestChecksum::None;

    /// How the operation's request body is compressed.
    const REQUEST_COMPRESSION: RequestCompression = RequestCompression::None;

    /// The algorithms whose checksum in the response is to be validated,
    /// in order of preference: those of the operation's `httpChecksum`
    /// trait when the input asks for validation (its validation mode
    /// member is `ENABLED`, such as GetObject's `ChecksumMode`), else none.
    /// See [`crate::checksum::check_response`].
    fn response_checksums(&self) -> &'static [&'static str] {
        &[]
    }

    /// Builds the request: method, path-style relative URI, headers and
    /// body. No I/O; add the host, sign and send it with the HTTP client of
    /// your choice.
    #[inline]
    fn to_http_request(&self) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.to_http_request_at(None)
    }

    /// Builds the request for a resolved endpoint: with `Some`, the URI is
    /// the endpoint's URL joined with the operation's path and query, the
    /// request gets a `host` header and the endpoint's headers, and a path
    /// label whose value the endpoint already carries (S3's bucket) is left
    /// out of the path; with `None`, as [`Input::to_http_request`].
    fn to_http_request_at(
        &self,
        endpoint: Option<&crate::endpoint::Endpoint>,
    ) -> Result<http::Request<Vec<u8>>, BuildError>;

    /// Reads a request into the input (server side): method, path-style URI,
    /// query string, headers and body. Unknown query parameters and headers
    /// are ignored; a missing required value is an error naming it.
    fn from_http_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, RequestError>;
}

/// An operation output: its successful HTTP response, both ways.
pub trait Output: Sized {
    /// Reads a successful response: status, headers and body.
    fn from_http_response(
        status: u16,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Self, ResponseError>;

    /// Builds the successful response (server side): the modeled status (or
    /// the `httpResponseCode` member), headers, and the body;
    /// `content-type` and `content-length` are set unless a member sets them.
    fn to_http_response(&self) -> Result<http::Response<Vec<u8>>, BuildError>;
}

/// An input whose payload is a streaming blob (S3's PutObject body): its
/// request can carry a body that the caller streams, never buffered.
pub trait StreamingInput: Input {
    /// Builds the request with `body` as the payload, for a resolved
    /// endpoint (see [`Input::to_http_request_at`]); the payload member
    /// itself is ignored. Nothing is computed over the body: set the content
    /// length and any checksum through their members (see
    /// [`crate::checksum::Hasher`] for streaming hashers).
    fn to_http_request_with_body_at<B>(
        &self,
        endpoint: Option<&crate::endpoint::Endpoint>,
        body: B,
    ) -> Result<http::Request<B>, BuildError>;

    /// [`StreamingInput::to_http_request_with_body_at`] with a path-style,
    /// relative URI.
    fn to_http_request_with_body<B>(&self, body: B) -> Result<http::Request<B>, BuildError> {
        self.to_http_request_with_body_at(None, body)
    }
}

/// An output whose payload is a streaming blob (S3's GetObject body): it
/// can be read from the response head, leaving the body to the caller.
pub trait StreamingOutput: Output {
    /// Reads a successful response from its status and headers alone; the
    /// streamed payload member stays `None`. For an error status, read the
    /// whole body and use [`Operation::parse_response`].
    fn from_response_head(head: &http::response::Parts) -> Result<Self, ResponseError> {
        Self::from_http_response(head.status.as_u16(), &head.headers, b"")
    }
}

/// An operation's error enum: one variant per modeled error, and `Unhandled`.
pub trait OperationError:
    std::error::Error + ProvideErrorMetadata + From<Unhandled> + Sized
{
    /// The service's profile: how its error responses look.
    const PROFILE: &'static Profile;

    /// The error the response's `code` names, with its members read from
    /// the response; `Unhandled` for a code the operation does not model
    /// (or no code at all) or for members that cannot be read.
    fn from_code(
        code: Option<&str>,
        meta: ErrorMetadata,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Self;

    /// This error as an HTTP response (server side): the modeled error's
    /// status, code and members, or for `Unhandled` the status (500 when it
    /// is 0), code and message of its metadata, with the request id and host
    /// id. Never fails.
    fn to_http_response(&self) -> http::Response<Vec<u8>>;

    /// Reads an error response: the error document, the request id headers
    /// and the HTTP status. Never fails: anything unreadable becomes
    /// `Unhandled` with the reason attached.
    fn from_response(status: u16, headers: &http::HeaderMap, body: &[u8]) -> Self {
        let (meta, problem) = ErrorMetadata::from_response(Self::PROFILE, status, headers, body);
        if let Some(source) = problem {
            return Self::from(Unhandled {
                meta,
                source: Some(source.into()),
            });
        }
        let code = match &meta.code {
            Some(code) => Some(code.clone()),
            None if Self::PROFILE.errors_named_by_status && crate::xml::is_blank(body) => {
                crate::error::status_code_name(status)
            }
            None => None,
        };
        Self::from_code(code.as_deref(), meta, headers, body)
    }
}

/// A modeled error whose members are read from the response by `read`,
/// wrapped by `variant`; `Unhandled` with the reason when they cannot be read.
pub fn read_modeled<T, E: From<Unhandled>>(
    meta: ErrorMetadata,
    headers: &http::HeaderMap,
    body: &[u8],
    read: fn(ErrorMetadata, &http::HeaderMap, &[u8]) -> Result<T, ResponseError>,
    variant: fn(T) -> E,
) -> E {
    match read(meta.clone(), headers, body) {
        Ok(error) => variant(error),
        Err(source) => E::from(Unhandled {
            meta,
            source: Some(source),
        }),
    }
}

/// The metadata of any error: code, message, request ids and status.
/// Implemented by every operation error enum, every error structure and
/// [`Unhandled`], so generic code over [`Operation`] can log or branch on
/// them.
pub trait ProvideErrorMetadata {
    /// Everything the response said about the error.
    fn meta(&self) -> &ErrorMetadata;

    /// The error code, such as `NoSuchBucket`.
    fn code(&self) -> Option<&str> {
        self.meta().code.as_deref()
    }

    /// The human-readable message.
    fn message(&self) -> Option<&str> {
        self.meta().message.as_deref()
    }

    /// The id the service gave the request.
    fn request_id(&self) -> Option<&str> {
        self.meta().request_id.as_deref()
    }

    /// The extended request id (S3's `x-amz-id-2`).
    fn host_id(&self) -> Option<&str> {
        self.meta().host_id.as_deref()
    }

    /// The HTTP status code of the response.
    fn status(&self) -> u16 {
        self.meta().status
    }
}

impl ProvideErrorMetadata for ErrorMetadata {
    fn meta(&self) -> &ErrorMetadata {
        self
    }
}

impl ProvideErrorMetadata for Unhandled {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// Room for the headers of a request built for an endpoint: those of
/// the operation, `host`, and what signing and sending add (`x-amz-date`,
/// `x-amz-content-sha256`, `authorization`, a session token, a checksum),
/// so that the header map is allocated once rather than grown.
const ENDPOINT_HEADERS: usize = 12;

/// Sets a new request's `method` and its URI, written by the operation's
/// binding; a URI that `http` rejects is a `BuildError`. A request with an
/// absolute URI (built for an endpoint, so about to be signed and sent)
/// gets its header map sized for that.
pub fn set_target<B>(
    request: &mut http::Request<B>,
    method: http::Method,
    uri: String,
) -> Result<(), BuildError> {
    if !uri.starts_with('/') {
        request.headers_mut().reserve(ENDPOINT_HEADERS);
    }
    *request.method_mut() = method;
    *request.uri_mut() = http::Uri::try_from(uri).map_err(|e| BuildError::InvalidUri {
        reason: e.to_string(),
    })?;
    Ok(())
}

/// Sets the framing headers of a built request: `content-type` when given
/// (the body's default media type, when no member set one), and
/// `content-length` (the body's length, whatever a member said) when
/// `length` (a request with a body, or a method that takes one).
pub fn set_framing(
    request: &mut http::Request<Vec<u8>>,
    content_type: Option<&'static str>,
    length: bool,
) {
    let len = request.body().len();
    let headers = request.headers_mut();
    if let Some(content_type) = content_type {
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(content_type),
        );
    }
    if length {
        // The digits written here: `HeaderValue::from(usize)` allocates
        // twice.
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = len;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if let Ok(value) = http::HeaderValue::from_bytes(&digits[at..]) {
            headers.insert(http::header::CONTENT_LENGTH, value);
        }
    }
}
