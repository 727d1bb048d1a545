//! Serving over HTTP/1.1 with [hyper](https://hyper.rs) on tokio (feature
//! `hyper`).
//!
//! The server side of a generated crate is sans-IO: its `serve` takes an
//! `http::Request` and gives an `http::Response`. This module puts it on
//! the network: it accepts connections, reads each request with hyper
//! (keep-alive, chunked transfer encoding, `Expect: 100-continue`), collects
//! the body up to a limit, calls a [`Handler`] and writes its response.
//!
//! Why hyper: it is the HTTP implementation under most of the Rust server
//! ecosystem (axum, tonic, s3s), correct on the parts of HTTP/1.1 that S3
//! clients lean on (100-continue, keep-alive, pipelining), and small when
//! only its `server` and `http1` parts are built. HTTP/2 is not served: S3
//! clients speak HTTP/1.1.
//!
//! Limits, each enforced before the handler is called:
//!
//! - the request head (request line and headers) is read into a buffer of
//!   at most [`Limits::max_head_bytes`] with at most [`Limits::max_headers`]
//!   headers; hyper answers a request over either with `431 Request Header
//!   Fields Too Large` and closes the connection;
//! - a body longer than [`Limits::max_body_bytes`] (by its `Content-Length`
//!   or as it arrives) gets [`Handler::refuse`] with S3's `EntityTooLarge`
//!   (400);
//! - a connection that sends no complete request head for
//!   [`Limits::header_read_timeout`] is closed.
//!
//! The handler runs on the runtime's worker threads; a handler that blocks
//! for long (disk, locks held across slow work) should be run with
//! [`tokio::task::spawn_blocking`] by its implementer, or given more
//! [`run`] threads.
//!
//! ```no_run
//! # fn handle(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> { http::Response::new(Vec::new()) }
//! use s3_runtime::hyper_server::{self, Limits};
//! struct Server;
//! impl hyper_server::Handler for Server {
//!     fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
//!         handle(request) // e.g. the generated `operation::serve`
//!     }
//!     fn refuse(&self, code: &'static str, status: u16, message: String) -> http::Response<Vec<u8>> {
//!         let mut response = http::Response::new(format!("{code}: {message}").into_bytes());
//!         *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
//!         response
//!     }
//! }
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! hyper_server::run(listener, std::sync::Arc::new(Server), Limits::default(), 2)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};

/// What a server does with requests.
pub trait Handler: Send + Sync + 'static {
    /// The response to a request whose body was read whole.
    fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>>;

    /// The response to a request refused before it was read whole: the
    /// S3 error `code`, its HTTP `status` and a message (for example
    /// `EntityTooLarge`, 400, for a body over the limit). Servers answer
    /// with their error document (the generated crate's
    /// `server::answer`).
    fn refuse(&self, code: &'static str, status: u16, message: String) -> http::Response<Vec<u8>>;
}

/// The limits a connection is held to. See the module docs for what
/// happens at each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request body, in bytes (default 5 GiB, S3's limit for one
    /// PutObject or UploadPart; the body is held in memory, so servers
    /// usually set less).
    pub max_body_bytes: u64,
    /// Largest request head, in bytes (default 64 KiB; hyper's floor is
    /// 8 KiB).
    pub max_head_bytes: usize,
    /// Most headers in a request (default 128).
    pub max_headers: usize,
    /// How long a connection may take to send a request head (default
    /// 60 s): idle kept-alive connections close after it.
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 5 * 1024 * 1024 * 1024,
            max_head_bytes: 64 * 1024,
            max_headers: 128,
            header_read_timeout: Duration::from_secs(60),
        }
    }
}

impl Limits {
    /// The same limits with a largest request body.
    pub fn with_max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The same limits with a largest request head and header count (a
    /// head limit under hyper's floor of 8 KiB is taken as 8 KiB).
    pub fn with_max_head(mut self, bytes: usize, headers: usize) -> Self {
        self.max_head_bytes = bytes;
        self.max_headers = headers;
        self
    }

    /// The same limits with a timeout for reading a request head.
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }
}

/// Serves connections from `listener` until it fails: one task per
/// connection, each request given to `handler`. Call it inside a tokio
/// runtime with I/O and time enabled.
pub async fn serve<H: Handler>(
    listener: tokio::net::TcpListener,
    handler: Arc<H>,
    limits: Limits,
) -> io::Result<()> {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: wait, then go on.
            Err(e) if is_transient(&e) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        let _ = stream.set_nodelay(true);
        let handler = Arc::clone(&handler);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let handler = Arc::clone(&handler);
                async move { Ok::<_, Infallible>(answer(&*handler, request, limits).await) }
            });
            // A connection that fails or is closed mid-request is dropped.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .max_buf_size(limits.max_head_bytes.max(8 * 1024))
                .max_headers(limits.max_headers)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Serves connections from `listener` on a new tokio runtime of
/// `threads` worker threads (at least one), blocking the calling thread
/// until the listener fails.
pub fn run<H: Handler>(
    listener: std::net::TcpListener,
    handler: Arc<H>,
    limits: Limits,
    threads: usize,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        serve(listener, handler, limits).await
    })
}

/// Errors of `accept` that concern one connection or a passing shortage.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    ) || e
        .raw_os_error()
        .is_some_and(|code| code == 24 || code == 23) // EMFILE, ENFILE
}

/// The response to one request: the body collected within the limit, then
/// the handler.
async fn answer<H: Handler>(
    handler: &H,
    request: http::Request<Incoming>,
    limits: Limits,
) -> http::Response<Full<Bytes>> {
    let too_large = || {
        handler.refuse(
            "EntityTooLarge",
            400,
            format!(
                "Your proposed upload exceeds the maximum allowed size ({} bytes)",
                limits.max_body_bytes
            ),
        )
    };
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let response = if declared.is_some_and(|n| n > limits.max_body_bytes) {
        too_large()
    } else {
        let (parts, body) = request.into_parts();
        let limit = usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX);
        match Limited::new(body, limit).collect().await {
            Ok(collected) => {
                let body = Vec::from(collected.to_bytes());
                handler.handle(http::Request::from_parts(parts, body))
            }
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => too_large(),
            Err(e) => handler.refuse(
                "IncompleteBody",
                400,
                format!("The request body could not be read: {e}"),
            ),
        }
    };
    response.map(|body| Full::new(Bytes::from(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Echoes the method, path and body length; refusals as `code status`.
    struct Echo;

    impl Handler for Echo {
        fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
            let text = format!(
                "{} {} {}",
                request.method(),
                request.uri().path(),
                request.body().len()
            );
            http::Response::new(text.into_bytes())
        }
        fn refuse(
            &self,
            code: &'static str,
            status: u16,
            message: String,
        ) -> http::Response<Vec<u8>> {
            let mut response = http::Response::new(format!("{code} {message}").into_bytes());
            *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
            response
        }
    }

    fn start(limits: Limits) -> std::net::SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || run(listener, Arc::new(Echo), limits, 1));
        addr
    }

    /// Sends raw bytes, returns everything read until the server closes
    /// the connection (requests end with `connection: close`).
    fn exchange(addr: std::net::SocketAddr, raw: &[u8]) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(raw).unwrap();
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn serves_keep_alive_chunked_and_continue() {
        let addr = start(Limits::default());
        let raw = b"PUT /b/k HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello\
GET /b HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n\
PUT /b/c HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi";
        let out = exchange(addr, raw);
        assert!(out.contains("PUT /b/k 5"), "{out}");
        assert!(out.contains("GET /b 3"), "{out}");
        assert!(out.contains("PUT /b/c 2"), "{out}");
        assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 3, "{out}");
    }

    #[test]
    fn refuses_bodies_over_the_limit() {
        let addr = start(Limits::default().with_max_body_bytes(4));
        // Declared too long: refused without reading the body.
        let out = exchange(
            addr,
            b"PUT /b/k HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello",
        );
        assert!(out.starts_with("HTTP/1.1 400"), "{out}");
        assert!(out.contains("EntityTooLarge"), "{out}");
        // Chunked, found too long as it arrives.
        let out = exchange(
            addr,
            b"PUT /b/k HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
        );
        assert!(out.contains("EntityTooLarge"), "{out}");
        // At the limit: served.
        let out = exchange(
            addr,
            b"PUT /b/k HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\nconnection: close\r\n\r\nhell",
        );
        assert!(out.contains("PUT /b/k 4"), "{out}");
    }

    #[test]
    fn refuses_heads_over_the_limit() {
        let addr = start(Limits::default().with_max_head(8 * 1024, 4));
        let mut raw = b"GET /b HTTP/1.1\r\nhost: x\r\n".to_vec();
        for i in 0..8 {
            raw.extend_from_slice(format!("x-h{i}: v\r\n").as_bytes());
        }
        raw.extend_from_slice(b"connection: close\r\n\r\n");
        let out = exchange(addr, &raw);
        assert!(out.starts_with("HTTP/1.1 431"), "{out}");
        let mut raw = b"GET /b HTTP/1.1\r\nhost: x\r\nx-long: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', 20 * 1024));
        raw.extend_from_slice(b"\r\nconnection: close\r\n\r\n");
        let out = exchange(addr, &raw);
        assert!(out.starts_with("HTTP/1.1 431"), "{out}");
    }
}
