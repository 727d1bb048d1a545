//! A small S3-compatible server, built only on the server side of the
//! generated crate: buckets, their analytics configurations, and objects.
//!
//! ```text
//! cargo run -p s3-api --example analytics-server -- --listen 127.0.0.1:9000 [--max-idle-seconds 30]
//!     [--verbose] [--domain DOMAIN]... [--access-key KEY --secret-key SECRET] [--threads N]
//! ```
//!
//! It prints `listening on <addr>` (port 0 picks a free port) and serves
//! path-style requests (and virtual-hosted ones for each `--domain`) until
//! it is killed or, with `--max-idle-seconds`, until no request has come
//! for that long. State is in memory:
//!
//! - buckets: CreateBucket, HeadBucket, DeleteBucket (`BucketNotEmpty`
//!   while it holds objects), ListBuckets;
//! - up to 1,000 analytics configurations per bucket: Put, Get, List (pages
//!   of 100 with continuation tokens), Delete;
//! - objects: PutObject, GetObject (one byte range, conditional headers),
//!   HeadObject, DeleteObject, DeleteObjects, ListObjectsV2 (prefix,
//!   delimiter, start-after, pages with continuation tokens, URL encoding),
//!   CopyObject (metadata copied or replaced), and multipart uploads
//!   (CreateMultipartUpload, UploadPart, CompleteMultipartUpload with S3's
//!   checks of part order, ETags and the 5 MiB minimum part size,
//!   AbortMultipartUpload, ListParts).
//!
//! With `--access-key` and `--secret-key`, every request's SigV4 signature
//! is checked (`s3_api::sign::verify`, header or presigned URL), with its
//! aws-chunked body's chunk signatures and trailing checksums; without
//! them, any credentials do (aws-chunked bodies are still decoded and their
//! trailing checksums checked).
//!
//! Every request goes through the generated `s3_api::operation::serve`:
//! the router (built from every operation's HTTP bindings) names the
//! operation, its input is read, and this server's implementation of the
//! generated `Service` trait answers. Operations of the crate that this
//! server does not implement keep the trait's answer, NotImplemented.
//! HTTP/1.1 is hyper's, through `s3_api::hyper_server`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use s3_api::Operation;
use s3_api::checksum::ChecksumAlgorithm;
use s3_api::error::{ErrorMetadata, Unhandled};
use s3_api::indexmap::IndexMap;
use s3_api::operation::Service;
use s3_api::operation::abort_multipart_upload::{
    AbortMultipartUploadError, AbortMultipartUploadOutput, AbortMultipartUploadRequest,
};
use s3_api::operation::complete_multipart_upload::{
    CompleteMultipartUploadError, CompleteMultipartUploadOutput, CompleteMultipartUploadRequest,
};
use s3_api::operation::copy_object::{CopyObjectError, CopyObjectOutput, CopyObjectRequest};
use s3_api::operation::create_bucket::{
    CreateBucketError, CreateBucketOutput, CreateBucketRequest,
};
use s3_api::operation::create_multipart_upload::{
    CreateMultipartUploadError, CreateMultipartUploadOutput, CreateMultipartUploadRequest,
};
use s3_api::operation::delete_bucket::{
    DeleteBucketError, DeleteBucketOutput, DeleteBucketRequest,
};
use s3_api::operation::delete_bucket_analytics_configuration::{
    DeleteBucketAnalyticsConfigurationError, DeleteBucketAnalyticsConfigurationOutput,
    DeleteBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::delete_object::{
    DeleteObjectError, DeleteObjectOutput, DeleteObjectRequest,
};
use s3_api::operation::delete_objects::{
    DeleteObjectsError, DeleteObjectsOutput, DeleteObjectsRequest,
};
use s3_api::operation::get_bucket_analytics_configuration::{
    GetBucketAnalyticsConfigurationError, GetBucketAnalyticsConfigurationOutput,
    GetBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::get_object::{GetObjectError, GetObjectOutput, GetObjectRequest};
use s3_api::operation::head_bucket::{HeadBucketError, HeadBucketOutput, HeadBucketRequest};
use s3_api::operation::head_object::{HeadObjectError, HeadObjectOutput, HeadObjectRequest};
use s3_api::operation::list_bucket_analytics_configurations::{
    ListBucketAnalyticsConfigurationsError, ListBucketAnalyticsConfigurationsOutput,
    ListBucketAnalyticsConfigurationsRequest,
};
use s3_api::operation::list_buckets::{ListBucketsError, ListBucketsOutput, ListBucketsRequest};
use s3_api::operation::list_objects_v2::{
    ListObjectsV2Error, ListObjectsV2Output, ListObjectsV2Request,
};
use s3_api::operation::list_parts::{ListPartsError, ListPartsOutput, ListPartsRequest};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfigurationError, PutBucketAnalyticsConfigurationOutput,
    PutBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::put_object::{PutObjectError, PutObjectOutput, PutObjectRequest};
use s3_api::operation::upload_part::{UploadPartError, UploadPartOutput, UploadPartRequest};
use s3_api::primitives::DateTime;
use s3_api::server::Context;
use s3_api::types::{
    AnalyticsConfiguration, Bucket as ListedBucket, BucketAlreadyOwnedByYou, ChecksumMode,
    ChecksumType, CommonPrefix, CopyObjectResult, DeletedObject, EncodingType,
    Error as DeleteError, InvalidArgument, MetadataDirective, NoSuchBucket, NoSuchConfiguration,
    NoSuchKey, NoSuchUpload, NotFound, Object as ListedObject, ObjectStorageClass, Owner,
    Part as ListedPart, StorageClass, TooManyConfigurations,
};

const USAGE: &str = "\
usage: analytics-server [--listen ADDR] [--max-idle-seconds SECS] [--verbose] [--threads N]
                        [--domain DOMAIN]... [--access-key KEY --secret-key SECRET]

An in-memory S3-compatible server for buckets, analytics configurations and
objects (path-style requests, and virtual-hosted ones under each --domain).
With an access key and its secret, every request must carry a valid SigV4
signature (header or presigned URL) by that key; without them, signatures
are not checked.

options:
    --listen ADDR             address to listen on; default 127.0.0.1:0 (a free port)
    --domain DOMAIN           a base domain for virtual-hosted requests
                              (bucket.DOMAIN); may be repeated
    --access-key KEY          the access key requests must be signed with
    --secret-key SECRET       its secret
    --max-idle-seconds SECS   exit when no request has come for SECS seconds
    --threads N               worker threads; default 2
    --verbose                 print one line per request on stderr
    -h, --help                print this help";

/// Analytics configurations a bucket can hold (S3's limit).
const MAX_CONFIGURATIONS: usize = 1_000;
/// Analytics configurations per page of ListBucketAnalyticsConfigurations.
const PAGE_SIZE: usize = 100;
/// The region the server claims to be in.
const REGION: &str = "us-east-1";
/// Largest request body: a part or object up to 64 MiB.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// Largest request head (request line and headers), and most headers.
const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 128;
/// How long a connection may take to send a request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(120);

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
    let listener = match std::net::TcpListener::bind(&config.listen) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("analytics-server: cannot listen on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map_or_else(|_| config.listen.clone(), |a| a.to_string());
    let router = match s3_api::operation::router() {
        Ok(router) => config.domains.iter().fold(router, |router, domain| {
            router.with_base_domain(domain.as_str())
        }),
        Err(e) => {
            eprintln!("analytics-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let credentials = config
        .access_key
        .zip(config.secret_key)
        .map(|(key, secret)| s3_api::sign::Credentials::new(key, secret));
    let server = Arc::new(Server::new(config.verbose, router, credentials));
    println!("listening on {addr}");
    if let Some(idle) = config.max_idle {
        let server = Arc::clone(&server);
        std::thread::spawn(move || server.exit_when_idle(idle));
    }
    let limits = s3_api::hyper_server::Limits::default()
        .with_max_body_bytes(MAX_BODY as u64)
        .with_max_head(MAX_HEAD, MAX_HEADERS)
        .with_header_read_timeout(HEADER_TIMEOUT);
    match s3_api::hyper_server::run(listener, server, limits, config.threads) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("analytics-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command line.
struct Config {
    listen: String,
    max_idle: Option<Duration>,
    verbose: bool,
    threads: usize,
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
        threads: 2,
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
            "--threads" => {
                let text = value()?;
                config.threads = text
                    .parse()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| format!("`--threads {text}`: not a number from 1 to 256"))?;
            }
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

/// A bucket: its analytics configurations, objects and multipart uploads.
struct Bucket {
    created: DateTime,
    analytics: BTreeMap<String, AnalyticsConfiguration>,
    objects: BTreeMap<String, Object>,
    uploads: BTreeMap<String, Upload>,
}

/// A stored object.
#[derive(Clone)]
struct Object {
    data: Arc<Vec<u8>>,
    etag: String,
    last_modified: DateTime,
    content_type: Option<String>,
    content_encoding: Option<String>,
    content_disposition: Option<String>,
    cache_control: Option<String>,
    metadata: Option<IndexMap<String, String>>,
    /// Parts of a multipart upload it was made of.
    parts: Option<i32>,
    /// Its full-object checksum: the one the upload sent (checked by
    /// `serve` before the handler), else a CRC64NVME, as S3 computes for
    /// every new object. None for a multipart object (S3 would keep a
    /// composite checksum of its parts).
    checksum: Option<(ChecksumAlgorithm, String)>,
}

/// The checksum an upload sent, in the members of the algorithms the crate
/// computes (in `ChecksumAlgorithm::ALL`'s order), else the CRC64NVME of
/// `data`.
fn checksum_of(sent: [&Option<String>; 5], data: &[u8]) -> (ChecksumAlgorithm, String) {
    ChecksumAlgorithm::ALL
        .into_iter()
        .zip(sent)
        .find_map(|(algorithm, value)| value.clone().map(|v| (algorithm, v)))
        .unwrap_or_else(|| {
            let algorithm = ChecksumAlgorithm::Crc64Nvme;
            (algorithm, algorithm.checksum_header_value(data))
        })
}

/// An output's checksum members, in `ChecksumAlgorithm::ALL`'s order, and
/// its checksum type: PutObject's, GetObject's and HeadObject's outputs
/// share these names.
macro_rules! checksum_members {
    ($output:expr) => {{
        let o = &mut $output;
        let members = [
            &mut o.checksum_crc32,
            &mut o.checksum_crc32c,
            &mut o.checksum_crc64nvme,
            &mut o.checksum_sha1,
            &mut o.checksum_sha256,
        ];
        (members, &mut o.checksum_type)
    }};
}

/// Sets an output's checksum members (in `ChecksumAlgorithm::ALL`'s order)
/// from a stored checksum, as a full-object one.
fn announce(
    checksum: Option<&(ChecksumAlgorithm, String)>,
    members: [&mut Option<String>; 5],
    kind: &mut Option<ChecksumType>,
) {
    let Some((algorithm, value)) = checksum else {
        return;
    };
    for (candidate, member) in ChecksumAlgorithm::ALL.into_iter().zip(members) {
        if candidate == *algorithm {
            *member = Some(value.clone());
            *kind = Some(ChecksumType::FullObject);
        }
    }
}

/// A multipart upload in progress.
struct Upload {
    key: String,
    /// The object's attributes, given when the upload was created.
    template: Object,
    parts: BTreeMap<i32, Part>,
}

/// An uploaded part.
struct Part {
    data: Vec<u8>,
    md5: [u8; 16],
    last_modified: DateTime,
}

type Buckets = BTreeMap<String, Bucket>;

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
    /// Requests received, for request ids and upload ids.
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
    fn context(&self) -> Context {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        let id = mix(self.seed.wrapping_add(n));
        Context::new(format!("{id:016X}")).with_host_id(format!(
            "{:016x}{:016x}",
            mix(id),
            mix(id ^ self.seed)
        ))
    }

    /// A new upload id.
    fn upload_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::SeqCst);
        format!(
            "{:016x}{:016x}",
            mix(self.seed ^ n),
            mix(n.wrapping_mul(31))
        )
    }
}

/// SplitMix64's finalizer: a well-spread 64-bit value.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Now, to the millisecond (S3's precision).
fn now() -> DateTime {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    DateTime::from_secs_f64(millis as f64 / 1000.0)
        .expect("the clock reads a time after 1970 and before 9999")
}

// ---------------------------------------------------------------------------
// Errors

/// An operation's error for a code it does not model.
fn fail<E: From<Unhandled>>(meta: ErrorMetadata) -> E {
    Unhandled { meta, source: None }.into()
}

fn no_such_bucket(ctx: &Context, bucket: &str) -> ErrorMetadata {
    ctx.error(
        "NoSuchBucket",
        404,
        format!("The specified bucket does not exist: {bucket}"),
    )
}

fn no_such_key(ctx: &Context, key: &str) -> ErrorMetadata {
    ctx.error(
        "NoSuchKey",
        404,
        format!("The specified key does not exist: {key}"),
    )
}

fn no_such_configuration(ctx: &Context, id: &str) -> ErrorMetadata {
    ctx.error(
        "NoSuchConfiguration",
        404,
        format!("The specified configuration does not exist: {id}"),
    )
}

fn invalid_argument(ctx: &Context, message: impl Into<String>) -> ErrorMetadata {
    ctx.error("InvalidArgument", 400, message)
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

/// A quoted MD5 ETag.
fn etag_of(md5: &[u8]) -> String {
    let hex: String = md5.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(token: &str) -> Option<String> {
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
// Operations

/// The server as the generated `Service` trait sees it for one request.
struct Serving<'a> {
    server: &'a Server,
    /// The operation that served the request, for the log.
    served: std::cell::Cell<&'static str>,
}

impl Serving<'_> {
    fn buckets(&self) -> MutexGuard<'_, Buckets> {
        self.server.buckets()
    }

    fn serving<O: Operation>(&self) {
        self.served.set(O::NAME);
    }

    /// The object stored under `key` in `bucket` (a copy that shares the data).
    fn stored(&self, ctx: &Context, bucket: &str, key: &str) -> Result<Object, Absent> {
        let buckets = self.buckets();
        let Some(objects) = buckets.get(bucket).map(|b| &b.objects) else {
            return Err(Absent::Bucket(no_such_bucket(ctx, bucket)));
        };
        objects
            .get(key)
            .cloned()
            .ok_or_else(|| Absent::Key(no_such_key(ctx, key)))
    }
}

/// Why there is no object to read: no bucket, or no such key in it.
enum Absent {
    Bucket(ErrorMetadata),
    Key(ErrorMetadata),
}

impl Service for Serving<'_> {
    fn create_bucket(
        &self,
        ctx: &Context,
        input: CreateBucketRequest,
    ) -> Result<CreateBucketOutput, CreateBucketError> {
        self.serving::<s3_api::operation::create_bucket::CreateBucket>();
        let bucket = input.bucket;
        if !valid_bucket_name(&bucket) {
            return Err(fail(ctx.error(
                "InvalidBucketName",
                400,
                format!("The specified bucket is not valid: {bucket}"),
            )));
        }
        let mut buckets = self.buckets();
        if buckets.contains_key(&bucket) {
            return Err(CreateBucketError::BucketAlreadyOwnedByYou(
                BucketAlreadyOwnedByYou::default().with_meta(ctx.error(
                    "BucketAlreadyOwnedByYou",
                    409,
                    "Your previous request to create the named bucket succeeded and you already own it.",
                )),
            ));
        }
        buckets.insert(
            bucket.clone(),
            Bucket {
                created: now(),
                analytics: BTreeMap::new(),
                objects: BTreeMap::new(),
                uploads: BTreeMap::new(),
            },
        );
        Ok(CreateBucketOutput::default().with_location(format!("/{bucket}")))
    }

    fn head_bucket(
        &self,
        ctx: &Context,
        input: HeadBucketRequest,
    ) -> Result<HeadBucketOutput, HeadBucketError> {
        self.serving::<s3_api::operation::head_bucket::HeadBucket>();
        if self.buckets().contains_key(&input.bucket) {
            Ok(HeadBucketOutput::default().with_bucket_region(REGION))
        } else {
            Err(HeadBucketError::NotFound(
                NotFound::default().with_meta(ctx.error("NotFound", 404, "Not Found")),
            ))
        }
    }

    fn delete_bucket(
        &self,
        ctx: &Context,
        input: DeleteBucketRequest,
    ) -> Result<DeleteBucketOutput, DeleteBucketError> {
        self.serving::<s3_api::operation::delete_bucket::DeleteBucket>();
        let mut buckets = self.buckets();
        // Analytics configurations do not keep a bucket from being deleted;
        // objects do.
        match buckets.get(&input.bucket) {
            None => Err(fail(no_such_bucket(ctx, &input.bucket))),
            Some(bucket) if !bucket.objects.is_empty() => Err(fail(ctx.error(
                "BucketNotEmpty",
                409,
                "The bucket you tried to delete is not empty",
            ))),
            Some(_) => {
                buckets.remove(&input.bucket);
                Ok(DeleteBucketOutput::default())
            }
        }
    }

    fn put_bucket_analytics_configuration(
        &self,
        ctx: &Context,
        input: PutBucketAnalyticsConfigurationRequest,
    ) -> Result<PutBucketAnalyticsConfigurationOutput, PutBucketAnalyticsConfigurationError> {
        self.serving::<s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfiguration>();
        let config = input.analytics_configuration;
        if config.id != input.id {
            return Err(PutBucketAnalyticsConfigurationError::InvalidArgument(
                InvalidArgument::default().with_meta(invalid_argument(
                    ctx,
                    format!(
                        "The Id in the configuration ({}) does not match the id parameter ({})",
                        config.id, input.id
                    ),
                )),
            ));
        }
        let mut buckets = self.buckets();
        let Some(bucket) = buckets.get_mut(&input.bucket) else {
            return Err(fail(no_such_bucket(ctx, &input.bucket)));
        };
        let configs = &mut bucket.analytics;
        if !configs.contains_key(&config.id) && configs.len() >= MAX_CONFIGURATIONS {
            return Err(PutBucketAnalyticsConfigurationError::TooManyConfigurations(
                TooManyConfigurations::default().with_meta(ctx.error(
                    "TooManyConfigurations",
                    400,
                    format!(
                        "The bucket already has {MAX_CONFIGURATIONS} analytics configurations, the most it can have"
                    ),
                )),
            ));
        }
        configs.insert(config.id.clone(), config);
        Ok(PutBucketAnalyticsConfigurationOutput::default())
    }

    fn get_bucket_analytics_configuration(
        &self,
        ctx: &Context,
        input: GetBucketAnalyticsConfigurationRequest,
    ) -> Result<GetBucketAnalyticsConfigurationOutput, GetBucketAnalyticsConfigurationError> {
        self.serving::<s3_api::operation::get_bucket_analytics_configuration::GetBucketAnalyticsConfiguration>();
        let buckets = self.buckets();
        let Some(bucket) = buckets.get(&input.bucket) else {
            return Err(GetBucketAnalyticsConfigurationError::NoSuchBucket(
                NoSuchBucket::default().with_meta(no_such_bucket(ctx, &input.bucket)),
            ));
        };
        match bucket.analytics.get(&input.id) {
            Some(config) => Ok(GetBucketAnalyticsConfigurationOutput::default()
                .with_analytics_configuration(config.clone())),
            None => Err(GetBucketAnalyticsConfigurationError::NoSuchConfiguration(
                NoSuchConfiguration::default().with_meta(no_such_configuration(ctx, &input.id)),
            )),
        }
    }

    fn list_bucket_analytics_configurations(
        &self,
        ctx: &Context,
        input: ListBucketAnalyticsConfigurationsRequest,
    ) -> Result<ListBucketAnalyticsConfigurationsOutput, ListBucketAnalyticsConfigurationsError>
    {
        self.serving::<s3_api::operation::list_bucket_analytics_configurations::ListBucketAnalyticsConfigurations>();
        let buckets = self.buckets();
        let Some(bucket) = buckets.get(&input.bucket) else {
            return Err(ListBucketAnalyticsConfigurationsError::NoSuchBucket(
                NoSuchBucket::default().with_meta(no_such_bucket(ctx, &input.bucket)),
            ));
        };
        // The token is the hex of the last id of the previous page; the page
        // starts after it, in id order.
        let after = match input.continuation_token.as_deref() {
            None => None,
            Some(token) => match unhex(token) {
                Some(id) => Some(id),
                None => {
                    return Err(fail(invalid_argument(
                        ctx,
                        "The continuation token provided is incorrect",
                    )));
                }
            },
        };
        let mut rest = bucket
            .analytics
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
            output = output.with_next_continuation_token(hex(&last.id));
        }
        if !page.is_empty() {
            output = output.with_analytics_configuration_list(page);
        }
        Ok(output)
    }

    fn delete_bucket_analytics_configuration(
        &self,
        ctx: &Context,
        input: DeleteBucketAnalyticsConfigurationRequest,
    ) -> Result<DeleteBucketAnalyticsConfigurationOutput, DeleteBucketAnalyticsConfigurationError>
    {
        self.serving::<s3_api::operation::delete_bucket_analytics_configuration::DeleteBucketAnalyticsConfiguration>();
        let mut buckets = self.buckets();
        let Some(bucket) = buckets.get_mut(&input.bucket) else {
            return Err(DeleteBucketAnalyticsConfigurationError::NoSuchBucket(
                NoSuchBucket::default().with_meta(no_such_bucket(ctx, &input.bucket)),
            ));
        };
        match bucket.analytics.remove(&input.id) {
            Some(_) => Ok(DeleteBucketAnalyticsConfigurationOutput::default()),
            None => Err(
                DeleteBucketAnalyticsConfigurationError::NoSuchConfiguration(
                    NoSuchConfiguration::default().with_meta(no_such_configuration(ctx, &input.id)),
                ),
            ),
        }
    }

    fn put_object(
        &self,
        ctx: &Context,
        input: PutObjectRequest,
    ) -> Result<PutObjectOutput, PutObjectError> {
        self.serving::<s3_api::operation::put_object::PutObject>();
        let (data, md5) = received(input.body);
        let sent = [
            &input.checksum_crc32,
            &input.checksum_crc32c,
            &input.checksum_crc64nvme,
            &input.checksum_sha1,
            &input.checksum_sha256,
        ];
        let checksum = checksum_of(sent, &data);
        let object = Object {
            data: Arc::new(data),
            etag: etag_of(&md5),
            last_modified: now(),
            content_type: input.content_type,
            content_encoding: input.content_encoding,
            content_disposition: input.content_disposition,
            cache_control: input.cache_control,
            metadata: input.metadata,
            parts: None,
            checksum: Some(checksum),
        };
        let etag = object.etag.clone();
        let size = object.data.len() as i64;
        let mut buckets = self.buckets();
        let Some(bucket) = buckets.get_mut(&input.bucket) else {
            return Err(fail(no_such_bucket(ctx, &input.bucket)));
        };
        if let Some(current) = bucket.objects.get(&input.key) {
            if input.if_none_match.as_deref() == Some("*") {
                return Err(fail(precondition_failed(ctx)));
            }
            if input
                .if_match
                .as_ref()
                .is_some_and(|m| !etag_matches(m, &current.etag))
            {
                return Err(fail(precondition_failed(ctx)));
            }
        } else if input.if_match.is_some() {
            return Err(fail(no_such_key(ctx, &input.key)));
        }
        let mut output = PutObjectOutput::default().with_e_tag(etag).with_size(size);
        let (members, kind) = checksum_members!(output);
        announce(object.checksum.as_ref(), members, kind);
        bucket.objects.insert(input.key, object);
        Ok(output)
    }

    fn get_object(
        &self,
        ctx: &Context,
        input: GetObjectRequest,
    ) -> Result<GetObjectOutput, GetObjectError> {
        self.serving::<s3_api::operation::get_object::GetObject>();
        let object =
            self.stored(ctx, &input.bucket, &input.key)
                .map_err(|absent| match absent {
                    Absent::Bucket(meta) => fail(meta),
                    Absent::Key(meta) => {
                        GetObjectError::NoSuchKey(NoSuchKey::default().with_meta(meta))
                    }
                })?;
        let conditions = Conditions {
            if_match: input.if_match.as_deref(),
            if_none_match: input.if_none_match.as_deref(),
            if_modified_since: input.if_modified_since.as_ref(),
            if_unmodified_since: input.if_unmodified_since.as_ref(),
        };
        conditions
            .check(ctx, &object)
            .map_err(fail::<GetObjectError>)?;
        let (body, range) = match requested_range(ctx, &object, input.range.as_deref())
            .map_err(fail::<GetObjectError>)?
        {
            None => (object.data.to_vec(), None),
            Some((first, last, range)) => (
                object.data[first as usize..=last as usize].to_vec(),
                Some(range),
            ),
        };
        let mut output = GetObjectOutput::default()
            .with_content_length(body.len() as i64)
            .with_body(body)
            .with_accept_ranges("bytes")
            .with_e_tag(object.etag.clone())
            .with_last_modified(object.last_modified);
        if let Some(range) = range {
            output = output.with_content_range(range);
        }
        output.content_type = input.response_content_type.or(object.content_type);
        output.content_encoding = input.response_content_encoding.or(object.content_encoding);
        output.content_disposition = input
            .response_content_disposition
            .or(object.content_disposition);
        output.cache_control = input.response_cache_control.or(object.cache_control);
        output.metadata = object.metadata;
        output.parts_count = object.parts;
        // The checksum is the whole object's: announced for a whole body.
        if input.checksum_mode == Some(ChecksumMode::Enabled) && output.content_range.is_none() {
            let (members, kind) = checksum_members!(output);
            announce(object.checksum.as_ref(), members, kind);
        }
        Ok(output)
    }

    fn delete_object(
        &self,
        ctx: &Context,
        input: DeleteObjectRequest,
    ) -> Result<DeleteObjectOutput, DeleteObjectError> {
        self.serving::<s3_api::operation::delete_object::DeleteObject>();
        let mut buckets = self.buckets();
        let Some(bucket) = buckets.get_mut(&input.bucket) else {
            return Err(fail(no_such_bucket(ctx, &input.bucket)));
        };
        if let (Some(expected), Some(object)) = (&input.if_match, bucket.objects.get(&input.key)) {
            if !etag_matches(expected, &object.etag) {
                return Err(fail(precondition_failed(ctx)));
            }
        }
        // Deleting a key that does not exist succeeds, as in S3.
        bucket.objects.remove(&input.key);
        Ok(DeleteObjectOutput::default())
    }

    fn list_objects_v2(
        &self,
        ctx: &Context,
        input: ListObjectsV2Request,
    ) -> Result<ListObjectsV2Output, ListObjectsV2Error> {
        self.serving::<s3_api::operation::list_objects_v2::ListObjectsV2>();
        let max_keys = input.max_keys.unwrap_or(1000).clamp(0, 1000) as usize;
        let prefix = input.prefix.clone().unwrap_or_default();
        let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
        // The token is the hex of `K<key>` or `P<common prefix>`: the last
        // entry of the previous page.
        let after = match input.continuation_token.as_deref() {
            Some(token) => match unhex(token) {
                Some(last) if last.starts_with(['K', 'P']) => Some(last),
                _ => {
                    return Err(fail(invalid_argument(
                        ctx,
                        "The continuation token provided is incorrect",
                    )));
                }
            },
            None => input.start_after.clone().map(|key| format!("K{key}")),
        };
        let buckets = self.buckets();
        let Some(bucket) = buckets.get(&input.bucket) else {
            return Err(ListObjectsV2Error::NoSuchBucket(
                NoSuchBucket::default().with_meta(no_such_bucket(ctx, &input.bucket)),
            ));
        };
        let start = match &after {
            Some(last) => std::ops::Bound::Excluded(last[1..].to_owned()),
            None => std::ops::Bound::Included(prefix.clone()),
        };
        let skipped_prefix = after
            .as_deref()
            .and_then(|last| last.strip_prefix('P'))
            .filter(|_| delimiter.is_some());
        let mut contents = Vec::new();
        let mut prefixes: Vec<String> = Vec::new();
        let mut last_entry = None;
        let mut truncated = false;
        for (key, object) in bucket
            .objects
            .range::<String, _>((start, std::ops::Bound::Unbounded))
        {
            if !key.starts_with(&prefix) {
                if key.as_str() > prefix.as_str() {
                    break;
                }
                continue;
            }
            if skipped_prefix.is_some_and(|p| key.starts_with(p)) {
                continue;
            }
            let rolled = delimiter.as_deref().and_then(|d| {
                key[prefix.len()..]
                    .find(d)
                    .map(|at| key[..prefix.len() + at + d.len()].to_owned())
            });
            if let Some(common) = &rolled {
                if prefixes.last() == Some(common) {
                    continue;
                }
            }
            if contents.len() + prefixes.len() == max_keys {
                truncated = true;
                break;
            }
            match rolled {
                Some(common) => {
                    last_entry = Some(format!("P{common}"));
                    prefixes.push(common);
                }
                None => {
                    last_entry = Some(format!("K{key}"));
                    contents.push((key.clone(), object.clone()));
                }
            }
        }
        drop(buckets);
        let encode = matches!(input.encoding_type, Some(EncodingType::Url));
        let shown = |text: &str| {
            if encode {
                s3_api::uri::encode(text, true)
            } else {
                text.to_owned()
            }
        };
        let key_count = (contents.len() + prefixes.len()) as i32;
        let mut output = ListObjectsV2Output::default()
            .with_name(input.bucket.clone())
            .with_prefix(shown(&prefix))
            .with_max_keys(max_keys as i32)
            .with_key_count(key_count)
            .with_is_truncated(truncated);
        if let Some(d) = &delimiter {
            output = output.with_delimiter(shown(d));
        }
        if let Some(encoding) = input.encoding_type {
            output = output.with_encoding_type(encoding);
        }
        if let Some(token) = input.continuation_token {
            output = output.with_continuation_token(token);
        }
        if let Some(start_after) = &input.start_after {
            output = output.with_start_after(shown(start_after));
        }
        if let (true, Some(last)) = (truncated, &last_entry) {
            output = output.with_next_continuation_token(hex(last));
        }
        if !contents.is_empty() {
            output = output.with_contents(
                contents
                    .into_iter()
                    .map(|(key, object)| {
                        ListedObject::default()
                            .with_key(shown(&key))
                            .with_last_modified(object.last_modified)
                            .with_e_tag(object.etag)
                            .with_size(object.data.len() as i64)
                            .with_storage_class(ObjectStorageClass::Standard)
                    })
                    .collect(),
            );
        }
        if !prefixes.is_empty() {
            output = output.with_common_prefixes(
                prefixes
                    .iter()
                    .map(|p| CommonPrefix::default().with_prefix(shown(p)))
                    .collect(),
            );
        }
        Ok(output)
    }
    fn list_buckets(
        &self,
        _: &Context,
        input: ListBucketsRequest,
    ) -> Result<ListBucketsOutput, ListBucketsError> {
        self.serving::<s3_api::operation::list_buckets::ListBuckets>();
        let buckets = self.buckets();
        let prefix = input.prefix.clone().unwrap_or_default();
        let after = input.continuation_token.as_deref().and_then(unhex);
        let max = input.max_buckets.unwrap_or(10_000).clamp(1, 10_000) as usize;
        let mut names = buckets
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .filter(|(name, _)| after.as_ref().is_none_or(|after| *name > after));
        let page: Vec<ListedBucket> = names
            .by_ref()
            .take(max)
            .map(|(name, bucket)| {
                ListedBucket::default()
                    .with_name(name.clone())
                    .with_creation_date(bucket.created)
                    .with_bucket_region(REGION)
            })
            .collect();
        let mut output = ListBucketsOutput::default()
            .with_buckets(page)
            .with_owner(owner());
        if names.next().is_some() {
            if let Some(last) = output.buckets.as_ref().and_then(|b| b.last()) {
                output.continuation_token = last.name.as_deref().map(hex);
            }
        }
        if let Some(prefix) = input.prefix {
            output = output.with_prefix(prefix);
        }
        Ok(output)
    }

    fn head_object(
        &self,
        ctx: &Context,
        input: HeadObjectRequest,
    ) -> Result<HeadObjectOutput, HeadObjectError> {
        self.serving::<s3_api::operation::head_object::HeadObject>();
        let not_found =
            |meta: ErrorMetadata| HeadObjectError::NotFound(NotFound::default().with_meta(meta));
        // HeadObject answers without a body: every absence is a 404.
        let object = self
            .stored(ctx, &input.bucket, &input.key)
            .map_err(|(Absent::Bucket(meta) | Absent::Key(meta))| not_found(meta))?;
        let conditions = Conditions {
            if_match: input.if_match.as_deref(),
            if_none_match: input.if_none_match.as_deref(),
            if_modified_since: input.if_modified_since.as_ref(),
            if_unmodified_since: input.if_unmodified_since.as_ref(),
        };
        conditions
            .check(ctx, &object)
            .map_err(fail::<HeadObjectError>)?;
        let size = object.data.len() as u64;
        let mut output = HeadObjectOutput::default()
            .with_accept_ranges("bytes")
            .with_e_tag(object.etag.clone())
            .with_last_modified(object.last_modified)
            .with_content_length(size as i64);
        if let Some((first, last, range)) = requested_range(ctx, &object, input.range.as_deref())
            .map_err(fail::<HeadObjectError>)?
        {
            output = output
                .with_content_length((last - first + 1) as i64)
                .with_content_range(range);
        }
        output.content_type = object.content_type;
        output.content_encoding = object.content_encoding;
        output.content_disposition = object.content_disposition;
        output.cache_control = object.cache_control;
        output.metadata = object.metadata;
        output.parts_count = object.parts;
        if input.checksum_mode == Some(ChecksumMode::Enabled) {
            let (members, kind) = checksum_members!(output);
            announce(object.checksum.as_ref(), members, kind);
        }
        Ok(output)
    }

    fn delete_objects(
        &self,
        ctx: &Context,
        input: DeleteObjectsRequest,
    ) -> Result<DeleteObjectsOutput, DeleteObjectsError> {
        self.serving::<s3_api::operation::delete_objects::DeleteObjects>();
        let objects = input.delete.objects;
        if objects.len() > 1000 {
            return Err(fail(ctx.error(
                "MalformedXML",
                400,
                "A DeleteObjects request names at most 1,000 keys",
            )));
        }
        let quiet = input.delete.quiet == Some(true);
        let mut buckets = self.buckets();
        let Some(bucket) = buckets.get_mut(&input.bucket) else {
            return Err(fail(no_such_bucket(ctx, &input.bucket)));
        };
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for identifier in objects {
            let held = bucket.objects.get(&identifier.key);
            let mismatch = match (&identifier.e_tag, held) {
                (Some(expected), Some(object)) => !etag_matches(expected, &object.etag),
                _ => false,
            };
            if mismatch {
                errors.push(
                    DeleteError::default()
                        .with_key(identifier.key)
                        .with_code("PreconditionFailed")
                        .with_message("The ETag given does not match the object's"),
                );
                continue;
            }
            bucket.objects.remove(&identifier.key);
            if !quiet {
                deleted.push(DeletedObject::default().with_key(identifier.key));
            }
        }
        let mut output = DeleteObjectsOutput::default();
        if !deleted.is_empty() {
            output = output.with_deleted(deleted);
        }
        if !errors.is_empty() {
            output = output.with_errors(errors);
        }
        Ok(output)
    }

    fn copy_object(
        &self,
        ctx: &Context,
        input: CopyObjectRequest,
    ) -> Result<CopyObjectOutput, CopyObjectError> {
        self.serving::<s3_api::operation::copy_object::CopyObject>();
        // `bucket/key`, percent-encoded, perhaps with a leading `/` and a
        // `?versionId=`.
        let source = input.copy_source.trim_start_matches('/');
        let source = source.split_once("?versionId=").map_or(source, |(s, _)| s);
        let source = s3_api::uri::decode(source).map_err(|e| {
            fail::<CopyObjectError>(invalid_argument(
                ctx,
                format!("Invalid copy source encoding: {e}"),
            ))
        })?;
        let Some((source_bucket, source_key)) = source.split_once('/') else {
            return Err(fail(invalid_argument(
                ctx,
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            )));
        };
        let mut buckets = self.buckets();
        let Some(from) = buckets.get(source_bucket) else {
            return Err(fail(no_such_bucket(ctx, source_bucket)));
        };
        let Some(object) = from.objects.get(source_key) else {
            return Err(fail(no_such_key(ctx, source_key)));
        };
        if input
            .copy_source_if_match
            .as_ref()
            .is_some_and(|m| !etag_matches(m, &object.etag))
        {
            return Err(fail(precondition_failed(ctx)));
        }
        let replace = matches!(input.metadata_directive, Some(MetadataDirective::Replace));
        if source_bucket == input.bucket && source_key == input.key && !replace {
            return Err(fail(ctx.error(
                "InvalidRequest",
                400,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata",
            )));
        }
        let mut copy = object.clone();
        copy.last_modified = now();
        if replace {
            copy.content_type = input.content_type;
            copy.content_encoding = input.content_encoding;
            copy.content_disposition = input.content_disposition;
            copy.cache_control = input.cache_control;
            copy.metadata = input.metadata;
        }
        let result = CopyObjectResult::default()
            .with_e_tag(copy.etag.clone())
            .with_last_modified(copy.last_modified);
        let Some(to) = buckets.get_mut(&input.bucket) else {
            return Err(fail(no_such_bucket(ctx, &input.bucket)));
        };
        to.objects.insert(input.key, copy);
        Ok(CopyObjectOutput::default().with_copy_object_result(result))
    }

    fn create_multipart_upload(
        &self,
        ctx: &Context,
        input: CreateMultipartUploadRequest,
    ) -> Result<CreateMultipartUploadOutput, CreateMultipartUploadError> {
        self.serving::<s3_api::operation::create_multipart_upload::CreateMultipartUpload>();
        let id = self.server.upload_id();
        let mut buckets = self.buckets();
        let Some(bucket) = buckets.get_mut(&input.bucket) else {
            return Err(fail(no_such_bucket(ctx, &input.bucket)));
        };
        let template = Object {
            data: Arc::default(),
            etag: String::new(),
            last_modified: now(),
            content_type: input.content_type,
            content_encoding: input.content_encoding,
            content_disposition: input.content_disposition,
            cache_control: input.cache_control,
            metadata: input.metadata,
            parts: None,
            checksum: None,
        };
        bucket.uploads.insert(
            id.clone(),
            Upload {
                key: input.key.clone(),
                template,
                parts: BTreeMap::new(),
            },
        );
        Ok(CreateMultipartUploadOutput::default()
            .with_bucket(input.bucket)
            .with_key(input.key)
            .with_upload_id(id))
    }

    fn upload_part(
        &self,
        ctx: &Context,
        input: UploadPartRequest,
    ) -> Result<UploadPartOutput, UploadPartError> {
        self.serving::<s3_api::operation::upload_part::UploadPart>();
        if !(1..=10_000).contains(&input.part_number) {
            return Err(fail(invalid_argument(
                ctx,
                "Part number must be an integer between 1 and 10000, inclusive",
            )));
        }
        let (data, md5) = received(input.body);
        let mut buckets = self.buckets();
        let upload = upload_of(
            &mut buckets,
            ctx,
            &input.bucket,
            &input.key,
            &input.upload_id,
        )
        .map_err(fail::<UploadPartError>)?;
        upload.parts.insert(
            input.part_number,
            Part {
                data,
                md5,
                last_modified: now(),
            },
        );
        Ok(UploadPartOutput::default().with_e_tag(etag_of(&md5)))
    }

    fn complete_multipart_upload(
        &self,
        ctx: &Context,
        input: CompleteMultipartUploadRequest,
    ) -> Result<CompleteMultipartUploadOutput, CompleteMultipartUploadError> {
        self.serving::<s3_api::operation::complete_multipart_upload::CompleteMultipartUpload>();
        let chosen = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default();
        let mut buckets = self.buckets();
        let upload = upload_of(
            &mut buckets,
            ctx,
            &input.bucket,
            &input.key,
            &input.upload_id,
        )
        .map_err(fail::<CompleteMultipartUploadError>)?;
        if chosen.is_empty() {
            return Err(fail(ctx.error(
                "MalformedXML",
                400,
                "You must specify at least one part",
            )));
        }
        let mut previous = 0;
        let mut data = Vec::new();
        let mut md5s = Vec::new();
        for (i, part) in chosen.iter().enumerate() {
            let number = part.part_number.unwrap_or(0);
            if number <= previous {
                return Err(fail(ctx.error(
                    "InvalidPartOrder",
                    400,
                    "The list of parts was not in ascending order",
                )));
            }
            previous = number;
            let held = upload.parts.get(&number).filter(|held| {
                part.e_tag
                    .as_ref()
                    .is_some_and(|e| etag_matches(e, &etag_of(&held.md5)))
            });
            let Some(held) = held else {
                return Err(fail(ctx.error(
                    "InvalidPart",
                    400,
                    format!("Part {number} was not uploaded, or its ETag does not match"),
                )));
            };
            if i + 1 < chosen.len() && held.data.len() < MIN_PART {
                return Err(fail(ctx.error(
                    "EntityTooSmall",
                    400,
                    format!("Part {number} is smaller than the minimum allowed size of 5 MiB"),
                )));
            }
            md5s.extend_from_slice(&held.md5);
            data.extend_from_slice(&held.data);
        }
        let Some(upload) = buckets
            .get_mut(&input.bucket)
            .and_then(|b| b.uploads.remove(&input.upload_id))
        else {
            return Err(fail(no_such_upload(ctx)));
        };
        let md5 = s3_api::checksum::md5(&md5s);
        let etag = format!("{}-{}\"", etag_of(&md5).trim_end_matches('"'), chosen.len());
        let object = Object {
            data: Arc::new(data),
            etag: etag.clone(),
            last_modified: now(),
            parts: Some(chosen.len() as i32),
            ..upload.template
        };
        if let Some(bucket) = buckets.get_mut(&input.bucket) {
            bucket.objects.insert(input.key.clone(), object);
        }
        Ok(CompleteMultipartUploadOutput::default()
            .with_location(format!(
                "/{}/{}",
                input.bucket,
                s3_api::uri::encode(&input.key, true)
            ))
            .with_bucket(input.bucket)
            .with_key(input.key)
            .with_e_tag(etag))
    }

    fn abort_multipart_upload(
        &self,
        ctx: &Context,
        input: AbortMultipartUploadRequest,
    ) -> Result<AbortMultipartUploadOutput, AbortMultipartUploadError> {
        self.serving::<s3_api::operation::abort_multipart_upload::AbortMultipartUpload>();
        let mut buckets = self.buckets();
        upload_of(
            &mut buckets,
            ctx,
            &input.bucket,
            &input.key,
            &input.upload_id,
        )
        .map_err(|meta| {
            AbortMultipartUploadError::NoSuchUpload(NoSuchUpload::default().with_meta(meta))
        })?;
        if let Some(bucket) = buckets.get_mut(&input.bucket) {
            bucket.uploads.remove(&input.upload_id);
        }
        Ok(AbortMultipartUploadOutput::default())
    }

    fn list_parts(
        &self,
        ctx: &Context,
        input: ListPartsRequest,
    ) -> Result<ListPartsOutput, ListPartsError> {
        self.serving::<s3_api::operation::list_parts::ListParts>();
        let max = input.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
        let marker: i32 = match input.part_number_marker.as_deref() {
            None => 0,
            Some(text) => text.parse().map_err(|_| {
                fail::<ListPartsError>(invalid_argument(ctx, "Invalid part number marker"))
            })?,
        };
        let mut buckets = self.buckets();
        let upload = upload_of(
            &mut buckets,
            ctx,
            &input.bucket,
            &input.key,
            &input.upload_id,
        )
        .map_err(fail::<ListPartsError>)?;
        let mut rest = upload.parts.range(marker.saturating_add(1)..);
        let page: Vec<ListedPart> = rest
            .by_ref()
            .take(max)
            .map(|(number, part)| {
                ListedPart::default()
                    .with_part_number(*number)
                    .with_last_modified(part.last_modified)
                    .with_e_tag(etag_of(&part.md5))
                    .with_size(part.data.len() as i64)
            })
            .collect();
        let truncated = rest.next().is_some();
        let mut output = ListPartsOutput::default()
            .with_bucket(input.bucket)
            .with_key(input.key)
            .with_upload_id(input.upload_id)
            .with_max_parts(max as i32)
            .with_is_truncated(truncated)
            .with_owner(owner())
            .with_storage_class(StorageClass::Standard);
        if let Some(marker) = input.part_number_marker {
            output = output.with_part_number_marker(marker);
        }
        if let (true, Some(last)) = (truncated, page.last()) {
            output.next_part_number_marker = last.part_number.map(|n| n.to_string());
        }
        if !page.is_empty() {
            output = output.with_parts(page);
        }
        Ok(output)
    }
}

// ---------------------------------------------------------------------------
// Object helpers

/// The smallest part of a multipart upload but the last (S3's 5 MiB).
const MIN_PART: usize = 5 * 1024 * 1024;

fn no_such_upload(ctx: &Context) -> ErrorMetadata {
    ctx.error(
        "NoSuchUpload",
        404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
}

/// The upload `id` of `key` in `bucket`, or the error to answer.
fn upload_of<'b>(
    buckets: &'b mut Buckets,
    ctx: &Context,
    bucket: &str,
    key: &str,
    id: &str,
) -> Result<&'b mut Upload, ErrorMetadata> {
    let Some(bucket) = buckets.get_mut(bucket) else {
        return Err(no_such_bucket(ctx, bucket));
    };
    match bucket.uploads.get_mut(id) {
        Some(upload) if upload.key == key => Ok(upload),
        _ => Err(no_such_upload(ctx)),
    }
}

/// The owner every listing shows: the one account of this server.
fn owner() -> Owner {
    Owner::default()
        .with_id("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a")
        .with_display_name("analytics-server")
}

fn precondition_failed(ctx: &Context) -> ErrorMetadata {
    ctx.error(
        "PreconditionFailed",
        412,
        "At least one of the pre-conditions you specified did not hold",
    )
}

/// Whether an `If-Match`/`If-None-Match` value names `etag` (or is `*`).
fn etag_matches(condition: &str, etag: &str) -> bool {
    condition
        .split(',')
        .map(str::trim)
        .any(|c| c == "*" || c == etag || c.trim_matches('"') == etag.trim_matches('"'))
}

/// The conditional headers of a read.
struct Conditions<'a> {
    if_match: Option<&'a str>,
    if_none_match: Option<&'a str>,
    if_modified_since: Option<&'a DateTime>,
    if_unmodified_since: Option<&'a DateTime>,
}

impl Conditions<'_> {
    /// S3's order: If-Match, then If-Unmodified-Since (ignored when If-Match
    /// held), If-None-Match, If-Modified-Since (ignored when If-None-Match
    /// was given).
    fn check(&self, ctx: &Context, object: &Object) -> Result<(), ErrorMetadata> {
        let modified = object.last_modified.as_secs_f64().floor();
        match self.if_match {
            Some(m) if !etag_matches(m, &object.etag) => return Err(precondition_failed(ctx)),
            Some(_) => {}
            None => {
                if self
                    .if_unmodified_since
                    .is_some_and(|t| modified > t.as_secs_f64())
                {
                    return Err(precondition_failed(ctx));
                }
            }
        }
        let not_modified = || ctx.error("NotModified", 304, "Not Modified");
        match self.if_none_match {
            Some(m) if etag_matches(m, &object.etag) => return Err(not_modified()),
            Some(_) => {}
            None => {
                if self
                    .if_modified_since
                    .is_some_and(|t| modified <= t.as_secs_f64())
                {
                    return Err(not_modified());
                }
            }
        }
        Ok(())
    }
}

/// A received body and its MD5. (The `Content-MD5` and `x-amz-checksum-*`
/// a client sent were checked against the body before the handler was
/// called: `s3_api::server::serve_operation` does it for every operation
/// whose body is checksummed.)
fn received(body: Option<Vec<u8>>) -> (Vec<u8>, [u8; 16]) {
    let data = body.unwrap_or_default();
    let md5 = s3_api::checksum::md5(&data);
    (data, md5)
}

/// The byte range a read asks for in `object`, with its `Content-Range`;
/// `None` for the whole object, S3's `InvalidRange` when it cannot be
/// satisfied.
fn requested_range(
    ctx: &Context,
    object: &Object,
    range: Option<&str>,
) -> Result<Option<(u64, u64, String)>, ErrorMetadata> {
    let Some(text) = range else {
        return Ok(None);
    };
    let size = object.data.len() as u64;
    let (first, last) = byte_range(text, size).ok_or_else(|| {
        ctx.error(
            "InvalidRange",
            416,
            "The requested range is not satisfiable",
        )
    })?;
    Ok(Some((first, last, format!("bytes {first}-{last}/{size}"))))
}

/// The first and last byte of a `Range: bytes=...` over `size` bytes, or
/// `None` when it cannot be satisfied. A range S3 would ignore (not
/// `bytes=`, or several ranges) is the whole object.
fn byte_range(text: &str, size: u64) -> Option<(u64, u64)> {
    let whole = if size == 0 { None } else { Some((0, size - 1)) };
    let Some(spec) = text.trim().strip_prefix("bytes=") else {
        return whole;
    };
    if spec.contains(',') {
        return whole;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let n: u64 = last.parse().ok()?;
        if n == 0 || size == 0 {
            return None;
        }
        return Some((size.saturating_sub(n), size - 1));
    }
    let first: u64 = first.parse().ok()?;
    if first >= size {
        return None;
    }
    let last = if last.is_empty() {
        size - 1
    } else {
        let last: u64 = last.parse().ok()?;
        if last < first {
            return whole;
        }
        last.min(size - 1)
    };
    Some((first, last))
}

// ---------------------------------------------------------------------------
// Requests

impl s3_api::hyper_server::Handler for Server {
    fn handle(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.touch();
        let ctx = self.context();
        let line = self.verbose.then(|| {
            let chunked = match request.headers().get("x-amz-content-sha256") {
                Some(mode) if s3_api::aws_chunked::is_chunked(&request) => {
                    format!(" (aws-chunked, {})", mode.to_str().unwrap_or("?"))
                }
                _ => String::new(),
            };
            format!("{} {}{chunked}", request.method(), request.uri())
        });
        let (mut response, operation) = self.dispatch(&ctx, request);
        // A read of a byte range answers 206.
        if response.status() == http::StatusCode::OK
            && response.headers().contains_key(http::header::CONTENT_RANGE)
        {
            *response.status_mut() = http::StatusCode::PARTIAL_CONTENT;
        }
        response.headers_mut().insert(
            http::header::SERVER,
            http::HeaderValue::from_static("analytics-server"),
        );
        if let Some(line) = line {
            eprintln!("{line} -> {} {operation}", response.status().as_u16());
        }
        self.touch();
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        response
    }

    fn refuse(&self, code: &'static str, status: u16, message: String) -> http::Response<Vec<u8>> {
        s3_api::server::answer(&s3_api::PROFILE, &self.context(), code, status, message)
    }
}

impl Server {
    /// The response to a request, through the generated `serve`: the router
    /// names the operation (from every operation's HTTP bindings), its
    /// input is read, the `Service` method answers. Also returns, for the
    /// log, which of this server's operations served it (`-` when none
    /// did).
    fn dispatch(
        &self,
        ctx: &Context,
        mut request: http::Request<Vec<u8>>,
    ) -> (http::Response<Vec<u8>>, String) {
        if let Err((code, status, message)) = self.authenticate(&mut request) {
            let response = s3_api::server::answer(&s3_api::PROFILE, ctx, code, status, message);
            return (response, format!("refused: {code}"));
        }
        let serving = Serving {
            server: self,
            served: std::cell::Cell::new("-"),
        };
        let response = s3_api::operation::serve(&serving, &self.router, request, ctx);
        (response, serving.served.get().to_owned())
    }

    /// With credentials configured, the request's SigV4 signature must hold
    /// (S3's answer otherwise). An aws-chunked body is replaced by its data,
    /// its trailing checksums checked (and its chunk signatures, when
    /// signatures are checked).
    fn authenticate(
        &self,
        request: &mut http::Request<Vec<u8>>,
    ) -> Result<(), (&'static str, u16, String)> {
        let chunk_error =
            |e: s3_api::aws_chunked::ChunkError| (e.code(), e.status(), e.to_string());
        let Some(credentials) = &self.credentials else {
            if !s3_api::aws_chunked::is_chunked(request) {
                return Ok(());
            }
            return s3_api::aws_chunked::unwrap_request(request, MAX_BODY, |_, _, _| true)
                .map_err(chunk_error);
        };
        let lookup = |key: &str| (key == credentials.access_key_id()).then(|| credentials.clone());
        match s3_api::sign::verify(request, lookup, SystemTime::now()) {
            Ok(Some(verified)) => {
                s3_api::sign::read_chunked(request, verified.body, MAX_BODY).map_err(chunk_error)
            }
            Ok(None) => Err((
                "AccessDenied",
                403,
                "Access Denied: the request is not signed".into(),
            )),
            Err(e) => Err((e.code, e.status, e.message)),
        }
    }
}
