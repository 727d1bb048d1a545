//! The server side, side by side with s3s: one raw `http::Request` routed,
//! read into the operation's input, handed to a service that answers a
//! trivial output, and the response written; for PutObject (1 KiB body,
//! content type, one `x-amz-meta-` header), ListObjectsV2 (prefix,
//! delimiter, max-keys) and PutBucketAnalyticsConfiguration (the 601-byte
//! reference document).
//!
//! "s3-api" is `s3_api::operation::serve` with a `Service` impl; "s3s" is
//! `s3s::service::S3Service::call` (built by `S3ServiceBuilder`, no auth, no
//! host, no custom route) with an `S3` impl, awaited with `block_on` on a
//! current-thread tokio runtime. Both services consume their input
//! (`black_box`, s3s's streaming PutObject body collected) and answer the
//! same outputs (ListObjectsV2 echoes bucket, prefix, delimiter and
//! max-keys, with no contents). Every iteration clones the same prepared
//! `http::Request<Bytes>` (the body is a reference-counted `Bytes`, so the
//! clone copies the head only) for both sides; s3s's side then wraps the
//! body in `s3s::Body`. Each pair is checked to answer 200 before timing.
//!
//! Run: `cargo bench --bench serve -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};

use s3_api::operation::list_objects_v2::{
    ListObjectsV2Error, ListObjectsV2Output, ListObjectsV2Request,
};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfigurationError, PutBucketAnalyticsConfigurationOutput,
    PutBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::put_object::{PutObjectError, PutObjectOutput, PutObjectRequest};
use s3_api::server::Context;

const BUCKET: &str = "bench-bucket";

// ---------------------------------------------------------------------------
// The requests, built once.

fn put_object_request() -> http::Request<Bytes> {
    let body: Vec<u8> = (0..1024u32)
        .map(|i| (i.wrapping_mul(31) % 251) as u8)
        .collect();
    http::Request::builder()
        .method("PUT")
        .uri(format!("/{BUCKET}/photos/2024/cat-0001.jpg"))
        .header("host", "127.0.0.1:9000")
        .header("content-type", "image/jpeg")
        .header("content-length", body.len())
        .header("x-amz-meta-camera", "bench-cam-7")
        .body(Bytes::from(body))
        .unwrap()
}

fn list_objects_v2_request() -> http::Request<Bytes> {
    http::Request::builder()
        .method("GET")
        .uri(format!(
            "/{BUCKET}?list-type=2&prefix=photos%2F2024%2F&delimiter=%2F&max-keys=100"
        ))
        .header("host", "127.0.0.1:9000")
        .body(Bytes::new())
        .unwrap()
}

fn put_analytics_request() -> http::Request<Bytes> {
    let body = s3_api_bench::full_xml();
    http::Request::builder()
        .method("PUT")
        .uri(format!("/{BUCKET}?analytics&id=full-config"))
        .header("host", "127.0.0.1:9000")
        .header("content-type", "application/xml")
        .header("content-length", body.len())
        .body(Bytes::from(body))
        .unwrap()
}

// ---------------------------------------------------------------------------
// s3-api: the generated `Service`.

struct Ours;

impl s3_api::operation::Service for Ours {
    fn put_object(
        &self,
        _ctx: &Context,
        input: PutObjectRequest,
    ) -> Result<PutObjectOutput, PutObjectError> {
        black_box(input);
        Ok(PutObjectOutput::default())
    }

    fn list_objects_v2(
        &self,
        _ctx: &Context,
        input: ListObjectsV2Request,
    ) -> Result<ListObjectsV2Output, ListObjectsV2Error> {
        let input = black_box(input);
        let mut output = ListObjectsV2Output::default()
            .with_name(input.bucket)
            .with_key_count(0)
            .with_is_truncated(false);
        output.prefix = input.prefix;
        output.delimiter = input.delimiter;
        output.max_keys = input.max_keys;
        Ok(output)
    }

    fn put_bucket_analytics_configuration(
        &self,
        _ctx: &Context,
        input: PutBucketAnalyticsConfigurationRequest,
    ) -> Result<PutBucketAnalyticsConfigurationOutput, PutBucketAnalyticsConfigurationError> {
        black_box(input);
        Ok(PutBucketAnalyticsConfigurationOutput::default())
    }
}

// ---------------------------------------------------------------------------
// s3s: the `S3` trait.

struct Peer;

#[async_trait::async_trait]
impl s3s::S3 for Peer {
    async fn put_object(
        &self,
        req: s3s::S3Request<s3s::dto::PutObjectInput>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::PutObjectOutput>> {
        let mut input = req.input;
        // The body is a stream in s3s: read it, as s3-api's input holds it.
        if let Some(blob) = input.body.take() {
            let mut body = s3s::Body::from(blob);
            let bytes = body
                .store_all_limited(usize::MAX)
                .await
                .map_err(|_| s3s::s3_error!(IncompleteBody))?;
            black_box(bytes);
        }
        black_box(input);
        Ok(s3s::S3Response::new(s3s::dto::PutObjectOutput::default()))
    }

    async fn list_objects_v2(
        &self,
        req: s3s::S3Request<s3s::dto::ListObjectsV2Input>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::ListObjectsV2Output>> {
        let input = black_box(req.input);
        let output = s3s::dto::ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: input.prefix,
            delimiter: input.delimiter,
            max_keys: input.max_keys,
            key_count: Some(0),
            is_truncated: Some(false),
            ..Default::default()
        };
        Ok(s3s::S3Response::new(output))
    }

    async fn put_bucket_analytics_configuration(
        &self,
        req: s3s::S3Request<s3s::dto::PutBucketAnalyticsConfigurationInput>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::PutBucketAnalyticsConfigurationOutput>> {
        black_box(req.input);
        Ok(s3s::S3Response::new(
            s3s::dto::PutBucketAnalyticsConfigurationOutput::default(),
        ))
    }
}

// ---------------------------------------------------------------------------

fn serve(c: &mut Criterion) {
    let router = s3_api::operation::router().unwrap();
    let ctx = Context::new("BENCHREQUEST0001");
    let peer = s3s::service::S3ServiceBuilder::new(Peer).build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let ours = |request: &http::Request<Bytes>| {
        s3_api::operation::serve(&Ours, &router, request.clone(), &ctx)
    };
    let theirs = |request: &http::Request<Bytes>| {
        let request = request.clone().map(s3s::Body::from);
        rt.block_on(peer.call(request))
    };

    let cases = [
        ("serve_put_object_1k", put_object_request()),
        ("serve_list_objects_v2", list_objects_v2_request()),
        (
            "serve_put_bucket_analytics_configuration",
            put_analytics_request(),
        ),
    ];
    for (group, request) in &cases {
        // Both sides answer 200 before anything is timed.
        let response = ours(request);
        assert_eq!(
            response.status(),
            200,
            "{group}: s3-api answered {}",
            String::from_utf8_lossy(response.body())
        );
        let mut response = theirs(request).expect("s3s answers");
        assert_eq!(
            response.status(),
            200,
            "{group}: s3s answered {:?}",
            response.body_mut().take_bytes()
        );

        let mut g = c.benchmark_group(*group);
        g.bench_function("s3-api", |b| b.iter(|| ours(black_box(request))));
        g.bench_function("s3s", |b| b.iter(|| theirs(black_box(request))));
        g.finish();
    }
}

criterion_group!(benches, serve);
criterion_main!(benches);
