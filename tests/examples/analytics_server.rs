//! An S3-compatible test server for buckets and their analytics
//! configurations, built only on the server side of the generated crate.
//!
//! ```text
//! cargo run -p s3-api --example analytics-server -- --listen 127.0.0.1:9000 [--max-idle-seconds 30]
//!     [--verbose] [--domain DOMAIN]... [--access-key KEY --secret-key SECRET]
//! ```
//!
//! It prints `listening on <addr>` (port 0 picks a free port) and serves
//! path-style requests (and virtual-hosted ones for each `--domain`) until
//! it is killed or, with `--max-idle-seconds`, until no request has come
//! for that long. State is in memory: buckets
//! (CreateBucket, HeadBucket, DeleteBucket) and up to 1,000 analytics
//! configurations per bucket (Put, Get, List in pages of 100 with
//! continuation tokens, Delete). With `--access-key` and `--secret-key`,
//! every request's SigV4 signature is checked (`s3_api::sign::verify`);
//! without them, any credentials do.
//!
//! Every request goes through the generated `s3_api::operation::serve`:
//! the router (built from every operation's HTTP bindings) names the
//! operation, its input is read, and this server's implementation of the
//! generated `Service` trait answers. Operations of the crate that this
//! server does not implement (the object operations) keep the trait's
//! answer, NotImplemented.
//!
//! HTTP/1.1 with nothing but the standard library and `httparse`: a thread
//! per connection, keep-alive, `Content-Length` and chunked request bodies,
//! `Expect: 100-continue`.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use s3_api::Operation;
use s3_api::error::{ErrorMetadata, Unhandled};
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketError, CreateBucketOutput};
use s3_api::operation::delete_bucket::{DeleteBucket, DeleteBucketError, DeleteBucketOutput};
use s3_api::operation::delete_bucket_analytics_configuration::{
    DeleteBucketAnalyticsConfiguration, DeleteBucketAnalyticsConfigurationError,
    DeleteBucketAnalyticsConfigurationOutput,
};
use s3_api::operation::get_bucket_analytics_configuration::{
    GetBucketAnalyticsConfiguration, GetBucketAnalyticsConfigurationError,
    GetBucketAnalyticsConfigurationOutput,
};
use s3_api::operation::head_bucket::{HeadBucket, HeadBucketError, HeadBucketOutput};
use s3_api::operation::list_bucket_analytics_configurations::{
    ListBucketAnalyticsConfigurations, ListBucketAnalyticsConfigurationsError,
    ListBucketAnalyticsConfigurationsOutput,
};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationError,
    PutBucketAnalyticsConfigurationOutput,
};
use s3_api::types::{
    AnalyticsConfiguration, BucketAlreadyOwnedByYou, InvalidArgument, NoSuchBucket,
    NoSuchConfiguration, NotFound, TooManyConfigurations,
};

const USAGE: &str = "\
usage: analytics-server [--listen ADDR] [--max-idle-seconds SECS] [--verbose]
                        [--domain DOMAIN]... [--access-key KEY --secret-key SECRET]

An in-memory S3-compatible server for buckets and analytics configurations
(path-style requests, and virtual-hosted ones under each --domain). With an
access key and its secret, every request must carry a valid SigV4 signature
(header or presigned URL) by that key; without them, signatures are not
checked.

options:
    --listen ADDR             address to listen on; default 127.0.0.1:0 (a free port)
    --domain DOMAIN           a base domain for virtual-hosted requests
                              (bucket.DOMAIN); may be repeated
    --access-key KEY          the access key requests must be signed with
    --secret-key SECRET       its secret
    --max-idle-seconds SECS   exit when no request has come for SECS seconds
    --verbose                 print one line per request on stderr
    -h, --help                print this help";

/// Analytics configurations a bucket can hold (S3's limit).
const MAX_CONFIGURATIONS: usize = 1_000;
/// Analytics configurations per page of ListBucketAnalyticsConfigurations.
const PAGE_SIZE: usize = 100;
/// The region the server claims to be in.
const REGION: &str = "us-east-1";
/// Largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// Most headers in a request.
const MAX_HEADERS: usize = 128;
/// Largest request body.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long a kept-alive connection may wait for its next request.
const CONNECTION_IDLE: Duration = Duration::from_secs(120);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("analytics-server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(&config.listen) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("analytics-server: cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map_or_else(|_| config.listen.clone(), |a| a.to_string());
    let server = match s3_api::operation::router() {
        Ok(router) => {
            let router = config.domains.iter().fold(router, |router, domain| {
                router.with_base_domain(domain.as_str())
            });
            let credentials = config
                .access_key
                .zip(config.secret_key)
                .map(|(key, secret)| s3_api::sign::Credentials::new(key, secret));
            Arc::new(Server::new(config.verbose, router, credentials))
        }
        Err(e) => {
            eprintln!("analytics-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {addr}");
    if let Some(idle) = config.max_idle {
        let server = Arc::clone(&server);
        std::thread::spawn(move || server.exit_when_idle(idle));
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let server = Arc::clone(&server);
        // A connection whose thread cannot start is dropped (closed).
        let _ = std::thread::Builder::new()
            .name("connection".into())
            .spawn(move || server.serve_connection(stream));
    }
    ExitCode::SUCCESS
}

/// The command line.
struct Config {
    listen: String,
    max_idle: Option<Duration>,
    verbose: bool,
    access_key: Option<String>,
    secret_key: Option<String>,
    domains: Vec<String>,
}

/// The configuration, or `None` for `--help`.
fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        max_idle: None,
        verbose: false,
        access_key: None,
        secret_key: None,
        domains: Vec::new(),
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| iter.next().cloned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("`{flag}` needs a value"))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--verbose" if inline.is_none() => config.verbose = true,
            "--listen" => config.listen = value()?,
            "--access-key" => config.access_key = Some(value()?),
            "--domain" => config.domains.push(value()?),
            "--secret-key" => config.secret_key = Some(value()?),
            "--max-idle-seconds" => {
                let text = value()?;
                let secs: f64 = text
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("`--max-idle-seconds {text}`: not a positive number"))?;
                config.max_idle = Some(Duration::from_secs_f64(secs));
            }
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    if config.access_key.is_some() != config.secret_key.is_some() {
        return Err("`--access-key` and `--secret-key` go together".into());
    }
    Ok(Some(config))
}

// ---------------------------------------------------------------------------
// State and request ids

/// The buckets, each with its analytics configurations by id.
type Buckets = BTreeMap<String, BTreeMap<String, AnalyticsConfiguration>>;

/// Everything the connections share.
struct Server {
    buckets: Mutex<Buckets>,
    /// Which operation a request is for.
    router: s3_api::router::Router,
    /// The key requests must be signed with, when signatures are checked.
    credentials: Option<s3_api::sign::Credentials>,
    verbose: bool,
    started: Instant,
    /// Milliseconds since `started` at the last request's start or end.
    last_activity: AtomicU64,
    /// Requests being served.
    in_flight: AtomicUsize,
    /// Requests received, for request ids.
    requests: AtomicU64,
    /// Makes request ids differ between runs.
    seed: u64,
}

impl Server {
    fn new(
        verbose: bool,
        router: s3_api::router::Router,
        credentials: Option<s3_api::sign::Credentials>,
    ) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Server {
            buckets: Mutex::new(Buckets::new()),
            router,
            credentials,
            verbose,
            started: Instant::now(),
            last_activity: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            seed: mix(nanos ^ u64::from(std::process::id())),
        }
    }

    fn buckets(&self) -> MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn touch(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_activity.fetch_max(now, Ordering::SeqCst);
    }

    /// Exits the process once no request is in flight and none has come for `idle`.
    fn exit_when_idle(&self, idle: Duration) {
        let tick = (idle / 4).clamp(Duration::from_millis(10), Duration::from_millis(500));
        loop {
            std::thread::sleep(tick);
            let last = Duration::from_millis(self.last_activity.load(Ordering::SeqCst));
            let quiet = self.started.elapsed().saturating_sub(last);
            if self.in_flight.load(Ordering::SeqCst) == 0 && quiet >= idle {
                eprintln!(
                    "analytics-server: no request for {:.1} s; exiting",
                    quiet.as_secs_f64()
                );
                std::process::exit(0);
            }
        }
    }

    /// A fresh request context: request id and host id for the answer.
    fn context(&self) -> Ctx<'_> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        let id = mix(self.seed.wrapping_add(n));
        Ctx {
            server: self,
            request_id: format!("{id:016X}"),
            host_id: format!("{:016x}{:016x}", mix(id), mix(id ^ self.seed)),
        }
    }
}

/// SplitMix64's finalizer: a well-spread 64-bit value.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One request being served.
struct Ctx<'a> {
    server: &'a Server,
    request_id: String,
    host_id: String,
}

impl Ctx<'_> {
    /// Error details with this request's ids.
    fn meta(&self, code: &str, status: u16, message: impl Into<String>) -> ErrorMetadata {
        ErrorMetadata {
            code: Some(code.to_owned()),
            message: Some(message.into()),
            request_id: Some(self.request_id.clone()),
            host_id: Some(self.host_id.clone()),
            status,
        }
    }

    fn no_such_bucket(&self, bucket: &str) -> ErrorMetadata {
        self.meta(
            "NoSuchBucket",
            404,
            format!("The specified bucket does not exist: {bucket}"),
        )
    }

    fn no_such_configuration(&self, id: &str) -> ErrorMetadata {
        self.meta(
            "NoSuchConfiguration",
            404,
            format!("The specified configuration does not exist: {id}"),
        )
    }
}

// ---------------------------------------------------------------------------
// Operations

/// What the server does for an operation.
trait Handler: Operation {
    /// Serves a request read into the input.
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error>;
    /// The operation's error for a code it does not model (`Unhandled`).
    fn unhandled(meta: ErrorMetadata) -> Self::Error;
}

fn unhandled(meta: ErrorMetadata) -> Unhandled {
    Unhandled { meta, source: None }
}

/// S3's rules for general purpose bucket names, in short.
fn valid_bucket_name(name: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name.chars().all(ok_char)
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.contains("..")
}

impl Handler for CreateBucket {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        let bucket = input.bucket;
        if !valid_bucket_name(&bucket) {
            return Err(CreateBucketError::Unhandled(unhandled(ctx.meta(
                "InvalidBucketName",
                400,
                format!("The specified bucket is not valid: {bucket}"),
            ))));
        }
        let mut buckets = ctx.server.buckets();
        if buckets.contains_key(&bucket) {
            return Err(CreateBucketError::BucketAlreadyOwnedByYou(
                BucketAlreadyOwnedByYou::default().with_meta(ctx.meta(
                        "BucketAlreadyOwnedByYou",
                        409,
                        "Your previous request to create the named bucket succeeded and you already own it.",
                    )),
            ));
        }
        buckets.insert(bucket.clone(), BTreeMap::new());
        Ok(CreateBucketOutput::default().with_location(format!("/{bucket}")))
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        CreateBucketError::Unhandled(unhandled(meta))
    }
}

impl Handler for HeadBucket {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        if ctx.server.buckets().contains_key(&input.bucket) {
            Ok(HeadBucketOutput::default().with_bucket_region(REGION))
        } else {
            Err(HeadBucketError::NotFound(
                NotFound::default().with_meta(ctx.meta("NotFound", 404, "Not Found")),
            ))
        }
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        HeadBucketError::Unhandled(unhandled(meta))
    }
}

impl Handler for DeleteBucket {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        // Analytics configurations do not keep a bucket from being deleted.
        match ctx.server.buckets().remove(&input.bucket) {
            Some(_) => Ok(DeleteBucketOutput::default()),
            None => Err(Self::unhandled(ctx.no_such_bucket(&input.bucket))),
        }
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        DeleteBucketError::Unhandled(unhandled(meta))
    }
}

impl Handler for PutBucketAnalyticsConfiguration {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        let config = input.analytics_configuration;
        if config.id != input.id {
            return Err(PutBucketAnalyticsConfigurationError::InvalidArgument(
                InvalidArgument::default().with_meta(ctx.meta(
                    "InvalidArgument",
                    400,
                    format!(
                        "The Id in the configuration ({}) does not match the id parameter ({})",
                        config.id, input.id
                    ),
                )),
            ));
        }
        let mut buckets = ctx.server.buckets();
        let Some(configs) = buckets.get_mut(&input.bucket) else {
            return Err(Self::unhandled(ctx.no_such_bucket(&input.bucket)));
        };
        if !configs.contains_key(&config.id) && configs.len() >= MAX_CONFIGURATIONS {
            return Err(
                PutBucketAnalyticsConfigurationError::TooManyConfigurations(
                    TooManyConfigurations::default().with_meta(ctx.meta(
                            "TooManyConfigurations",
                            400,
                            format!(
                                "The bucket already has {MAX_CONFIGURATIONS} analytics configurations, the most it can have"
                            ),
                        )),
                ),
            );
        }
        configs.insert(config.id.clone(), config);
        Ok(PutBucketAnalyticsConfigurationOutput::default())
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        PutBucketAnalyticsConfigurationError::Unhandled(unhandled(meta))
    }
}

impl Handler for GetBucketAnalyticsConfiguration {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        let buckets = ctx.server.buckets();
        let Some(configs) = buckets.get(&input.bucket) else {
            return Err(GetBucketAnalyticsConfigurationError::NoSuchBucket(
                NoSuchBucket::default().with_meta(ctx.no_such_bucket(&input.bucket)),
            ));
        };
        match configs.get(&input.id) {
            Some(config) => Ok(GetBucketAnalyticsConfigurationOutput::default()
                .with_analytics_configuration(config.clone())),
            None => Err(GetBucketAnalyticsConfigurationError::NoSuchConfiguration(
                NoSuchConfiguration::default().with_meta(ctx.no_such_configuration(&input.id)),
            )),
        }
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        GetBucketAnalyticsConfigurationError::Unhandled(unhandled(meta))
    }
}

impl Handler for ListBucketAnalyticsConfigurations {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        let buckets = ctx.server.buckets();
        let Some(configs) = buckets.get(&input.bucket) else {
            return Err(ListBucketAnalyticsConfigurationsError::NoSuchBucket(
                NoSuchBucket::default().with_meta(ctx.no_such_bucket(&input.bucket)),
            ));
        };
        // The token is the hex of the last id of the previous page; the page
        // starts after it, in id order.
        let after = match input.continuation_token.as_deref() {
            None => None,
            Some(token) => match decode_token(token) {
                Some(id) => Some(id),
                None => {
                    return Err(Self::unhandled(ctx.meta(
                        "InvalidArgument",
                        400,
                        "The continuation token provided is incorrect",
                    )));
                }
            },
        };
        let mut rest = configs
            .iter()
            .filter(|(id, _)| after.as_ref().is_none_or(|after| *id > after))
            .map(|(_, config)| config);
        let page: Vec<AnalyticsConfiguration> = rest.by_ref().take(PAGE_SIZE).cloned().collect();
        let truncated = rest.next().is_some();
        let mut output =
            ListBucketAnalyticsConfigurationsOutput::default().with_is_truncated(truncated);
        if let Some(token) = input.continuation_token {
            output = output.with_continuation_token(token);
        }
        if let (true, Some(last)) = (truncated, page.last()) {
            output = output.with_next_continuation_token(encode_token(&last.id));
        }
        if !page.is_empty() {
            output = output.with_analytics_configuration_list(page);
        }
        Ok(output)
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        ListBucketAnalyticsConfigurationsError::Unhandled(unhandled(meta))
    }
}

impl Handler for DeleteBucketAnalyticsConfiguration {
    fn handle(ctx: &Ctx, input: Self::Input) -> Result<Self::Output, Self::Error> {
        let mut buckets = ctx.server.buckets();
        let Some(configs) = buckets.get_mut(&input.bucket) else {
            return Err(DeleteBucketAnalyticsConfigurationError::NoSuchBucket(
                NoSuchBucket::default().with_meta(ctx.no_such_bucket(&input.bucket)),
            ));
        };
        match configs.remove(&input.id) {
            Some(_) => Ok(DeleteBucketAnalyticsConfigurationOutput::default()),
            None => Err(
                DeleteBucketAnalyticsConfigurationError::NoSuchConfiguration(
                    NoSuchConfiguration::default().with_meta(ctx.no_such_configuration(&input.id)),
                ),
            ),
        }
    }
    fn unhandled(meta: ErrorMetadata) -> Self::Error {
        DeleteBucketAnalyticsConfigurationError::Unhandled(unhandled(meta))
    }
}

fn encode_token(id: &str) -> String {
    id.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: &str) -> Option<String> {
    if token.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| {
            token
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

// ---------------------------------------------------------------------------
// Routing

type Response = http::Response<Vec<u8>>;

fn error_response<O: Handler>(meta: ErrorMetadata) -> Response {
    O::build_error_response(&O::unhandled(meta))
}

/// The server as the generated `Service` trait sees it for one request:
/// each operation it serves calls its `Handler`; the others keep the
/// trait's answer (NotImplemented).
struct Serving<'a> {
    ctx: &'a Ctx<'a>,
    /// The operation that served the request, for the log.
    served: std::cell::Cell<&'static str>,
}

/// One `Service` method per operation this server serves.
macro_rules! serving {
    ($($method:ident => $op:ty;)*) => {
        impl s3_api::operation::Service for Serving<'_> {
            $(
                fn $method(
                    &self,
                    _: &s3_api::server::Context,
                    input: <$op as Operation>::Input,
                ) -> Result<<$op as Operation>::Output, <$op as Operation>::Error> {
                    self.served.set(<$op as Operation>::NAME);
                    <$op>::handle(self.ctx, input)
                }
            )*
        }
    };
}

serving! {
    create_bucket => CreateBucket;
    head_bucket => HeadBucket;
    delete_bucket => DeleteBucket;
    put_bucket_analytics_configuration => PutBucketAnalyticsConfiguration;
    get_bucket_analytics_configuration => GetBucketAnalyticsConfiguration;
    list_bucket_analytics_configurations => ListBucketAnalyticsConfigurations;
    delete_bucket_analytics_configuration => DeleteBucketAnalyticsConfiguration;
}

/// The response to a request, through the generated `serve`: the router
/// names the operation (from every operation's HTTP bindings), its input is
/// read, the `Service` method answers. Also returns, for the log, which
/// of this server's operations served it (`-` when none did).
fn dispatch(ctx: &Ctx, request: http::Request<Vec<u8>>) -> (Response, String) {
    let context =
        s3_api::server::Context::new(ctx.request_id.clone()).with_host_id(ctx.host_id.clone());
    let mut request = request;
    if let Err((code, status, message)) = authenticate(ctx.server, &mut request) {
        let response = s3_api::server::answer(&s3_api::PROFILE, &context, code, status, message);
        return (response, format!("refused: {code}"));
    }
    let serving = Serving {
        ctx,
        served: std::cell::Cell::new("-"),
    };
    let response = s3_api::operation::serve(&serving, &ctx.server.router, request, &context);
    (response, serving.served.get().to_owned())
}

/// With credentials configured, the request's SigV4 signature must hold
/// (S3's answer otherwise), and an aws-chunked body is replaced by its data
/// (chunk signatures and trailing checksums checked).
fn authenticate(
    server: &Server,
    request: &mut http::Request<Vec<u8>>,
) -> Result<(), (&'static str, u16, String)> {
    let Some(credentials) = &server.credentials else {
        return Ok(());
    };
    let lookup = |key: &str| (key == credentials.access_key_id()).then(|| credentials.clone());
    match s3_api::sign::verify(request, lookup, SystemTime::now()) {
        Ok(Some(verified)) => s3_api::sign::read_chunked(request, verified.body, MAX_BODY)
            .map_err(|e| (e.code(), e.status(), e.to_string())),
        Ok(None) => Err((
            "AccessDenied",
            403,
            "Access Denied: the request is not signed".into(),
        )),
        Err(e) => Err((e.code, e.status, e.message)),
    }
}

// ---------------------------------------------------------------------------
// HTTP/1.1

/// A request that cannot be read as HTTP: the status and S3 code to answer.
struct BadRequest {
    status: u16,
    code: &'static str,
    message: String,
}

impl BadRequest {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        BadRequest {
            status,
            code,
            message: message.into(),
        }
    }
}

enum ReadError {
    /// The connection failed or closed mid-request: nothing to answer.
    Io,
    Bad(BadRequest),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// A read request and what to do with the connection after it.
struct Incoming {
    request: http::Request<Vec<u8>>,
    keep_alive: bool,
}

/// One connection: the stream and the bytes read but not used yet.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    /// Reads more bytes; `false` at the end of the stream.
    fn read_more(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes `buf` hold at least `n` bytes.
    fn fill(&mut self, n: usize) -> Result<(), ReadError> {
        while self.buf.len() < n {
            if !self.read_more()? {
                return Err(ReadError::Io);
            }
        }
        Ok(())
    }

    /// The next request, or `None` when the client closed the connection
    /// between requests.
    fn read_request(&mut self) -> Result<Option<Incoming>, ReadError> {
        // The head.
        let (head_len, method, target, version, headers) = loop {
            let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut slots);
            match parsed.parse(&self.buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let headers: Vec<(String, Vec<u8>)> = parsed
                        .headers
                        .iter()
                        .map(|h| (h.name.to_owned(), h.value.to_vec()))
                        .collect();
                    break (
                        len,
                        parsed.method.unwrap_or_default().to_owned(),
                        parsed.path.unwrap_or_default().to_owned(),
                        parsed.version.unwrap_or(1),
                        headers,
                    );
                }
                Ok(httparse::Status::Partial) => {
                    if self.buf.len() > MAX_HEAD {
                        return Err(ReadError::Bad(BadRequest::new(
                            431,
                            "RequestHeaderSectionTooLarge",
                            "The request head is too large",
                        )));
                    }
                    if !self.read_more()? {
                        return if self.buf.iter().all(u8::is_ascii_whitespace) {
                            Ok(None)
                        } else {
                            Err(ReadError::Io)
                        };
                    }
                }
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(ReadError::Bad(BadRequest::new(
                        431,
                        "RequestHeaderSectionTooLarge",
                        "The request has too many headers",
                    )));
                }
                Err(e) => {
                    return Err(ReadError::Bad(BadRequest::new(
                        400,
                        "BadRequest",
                        format!("The request is not valid HTTP/1.1: {e}"),
                    )));
                }
            }
        };
        self.buf.drain(..head_len);

        let bad = |message: String| ReadError::Bad(BadRequest::new(400, "BadRequest", message));
        let mut builder = http::Request::builder()
            .method(method.as_str())
            .uri(target.as_str())
            .version(if version == 0 {
                http::Version::HTTP_10
            } else {
                http::Version::HTTP_11
            });
        for (name, value) in &headers {
            builder = builder.header(name.as_str(), value.as_slice());
        }
        let mut request = builder
            .body(Vec::new())
            .map_err(|e| bad(format!("The request cannot be read: {e}")))?;

        let header = |name: &str| {
            request
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
                .join(",")
        };
        let connection = header("connection");
        let keep_alive = if version == 0 {
            connection.split(',').any(|t| t.trim() == "keep-alive")
        } else {
            !connection.split(',').any(|t| t.trim() == "close")
        };
        let chunked = header("transfer-encoding")
            .split(',')
            .any(|t| t.trim() == "chunked");
        let length = match header("content-length").split(',').next() {
            Some(text) if !text.trim().is_empty() && !chunked => Some(
                text.trim()
                    .parse::<usize>()
                    .map_err(|_| bad(format!("Content-Length `{text}` is not a length")))?,
            ),
            _ => None,
        };
        if length.is_some_and(|n| n > MAX_BODY) {
            return Err(ReadError::Bad(BadRequest::new(
                413,
                "EntityTooLarge",
                "The request body is too large",
            )));
        }
        let expects_body = chunked || length.is_some_and(|n| n > 0);
        if expects_body && header("expect") == "100-continue" {
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let body = if chunked {
            self.read_chunked()?
        } else if let Some(n) = length {
            self.fill(n)?;
            self.buf.drain(..n).collect()
        } else {
            Vec::new()
        };
        *request.body_mut() = body;
        Ok(Some(Incoming {
            request,
            keep_alive,
        }))
    }

    /// A chunked body, decoded; the trailers are read and dropped.
    fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let bad = |message: &str| ReadError::Bad(BadRequest::new(400, "BadRequest", message));
        let mut body = Vec::new();
        let mut pos = 0;
        loop {
            match httparse::parse_chunk_size(&self.buf[pos..]) {
                Ok(httparse::Status::Complete((used, size))) => {
                    pos += used;
                    let size = usize::try_from(size)
                        .ok()
                        .filter(|s| body.len() + s <= MAX_BODY)
                        .ok_or_else(|| {
                            ReadError::Bad(BadRequest::new(
                                413,
                                "EntityTooLarge",
                                "The request body is too large",
                            ))
                        })?;
                    if size == 0 {
                        break;
                    }
                    self.fill(pos + size + 2)?;
                    body.extend_from_slice(&self.buf[pos..pos + size]);
                    if &self.buf[pos + size..pos + size + 2] != b"\r\n" {
                        return Err(bad("A chunk does not end with CRLF"));
                    }
                    pos += size + 2;
                }
                Ok(httparse::Status::Partial) => {
                    if self.buf.len() - pos > 1024 {
                        return Err(bad("A chunk size line is too long"));
                    }
                    if !self.read_more()? {
                        return Err(ReadError::Io);
                    }
                }
                Err(_) => return Err(bad("A chunk size is not valid")),
            }
        }
        // Trailer lines up to an empty line.
        loop {
            match self.buf[pos..].windows(2).position(|w| w == b"\r\n") {
                Some(0) => {
                    pos += 2;
                    break;
                }
                Some(end) => pos += end + 2,
                None => {
                    if self.buf.len() - pos > MAX_HEAD {
                        return Err(bad("The trailers are too large"));
                    }
                    if !self.read_more()? {
                        return Err(ReadError::Io);
                    }
                }
            }
        }
        self.buf.drain(..pos);
        Ok(body)
    }
}

/// Writes `response`; no body for HEAD and for statuses that have none.
fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
    ctx: &Ctx,
) -> io::Result<()> {
    let status = response.status();
    let no_body = head_only || status.as_u16() == 204 || status.as_u16() == 304;
    let mut out = Vec::with_capacity(256 + response.body().len());
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .as_bytes(),
    );
    let mut header = |name: &str, value: &[u8]| {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    let headers = response.headers();
    for (name, value) in headers {
        // A 204 has no Content-Length (RFC 9110, 8.6).
        if name == http::header::CONTENT_LENGTH && status.as_u16() == 204 {
            continue;
        }
        header(name.as_str(), value.as_bytes());
    }
    if !headers.contains_key("x-amz-request-id") {
        header("x-amz-request-id", ctx.request_id.as_bytes());
        header("x-amz-id-2", ctx.host_id.as_bytes());
    }
    if !headers.contains_key(http::header::CONTENT_LENGTH) && status.as_u16() != 204 {
        header(
            "content-length",
            response.body().len().to_string().as_bytes(),
        );
    }
    header("server", b"analytics-server");
    if !keep_alive {
        header("connection", b"close");
    }
    out.extend_from_slice(b"\r\n");
    if !no_body {
        out.extend_from_slice(response.body());
    }
    stream.write_all(&out)?;
    stream.flush()
}

impl Server {
    fn serve_connection(&self, stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(CONNECTION_IDLE));
        let peer: Option<SocketAddr> = stream.peer_addr().ok();
        let mut connection = Connection {
            stream,
            buf: Vec::new(),
        };
        loop {
            let incoming = match connection.read_request() {
                // The client closed the connection, or it failed.
                Ok(None) | Err(ReadError::Io) => return,
                Ok(Some(incoming)) => Ok(incoming),
                Err(ReadError::Bad(bad)) => Err(bad),
            };
            self.in_flight.fetch_add(1, Ordering::SeqCst);
            self.touch();
            let ctx = self.context();
            let done = match incoming {
                Ok(Incoming {
                    request,
                    keep_alive,
                }) => {
                    let line = format!("{} {}", request.method(), request.uri());
                    let head = request.method() == http::Method::HEAD;
                    let (response, operation) = dispatch(&ctx, request);
                    if self.verbose {
                        eprintln!(
                            "{} {line} -> {} {operation}",
                            peer.map_or_else(String::new, |p| p.to_string()),
                            response.status().as_u16()
                        );
                    }
                    let written =
                        write_response(&mut connection.stream, &response, head, keep_alive, &ctx);
                    written.is_err() || !keep_alive
                }
                Err(bad) => {
                    // Rendered like every other error, with an operation's
                    // error type (`Unhandled` reads the same for all of them).
                    let meta = ctx.meta(bad.code, bad.status, bad.message);
                    let response = error_response::<HeadBucket>(meta);
                    let _ = write_response(&mut connection.stream, &response, false, false, &ctx);
                    true
                }
            };
            self.touch();
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if done {
                return;
            }
        }
    }
}
