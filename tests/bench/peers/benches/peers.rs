//! s3s's XML for AnalyticsConfiguration, and aws-sdk-s3 producing the whole
//! PutBucketAnalyticsConfiguration request (endpoint, SigV4 signing, body)
//! through a capturing HTTP client that answers 200 with no body.
//! Run: `cargo bench --bench peers -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use s3s::xml::{Deserialize as _, Serialize as _};
use std::hint::black_box;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;

fn s3s_write(cfg: &s3s::dto::AnalyticsConfiguration) -> Vec<u8> {
    let mut buf = Vec::with_capacity(1024);
    {
        let mut ser = s3s::xml::Serializer::new(&mut buf);
        cfg.serialize(&mut ser).unwrap();
    }
    buf
}

fn s3s_read(doc: &[u8]) -> s3s::dto::AnalyticsConfiguration {
    let mut d = s3s::xml::Deserializer::new(doc);
    let v = s3s::dto::AnalyticsConfiguration::deserialize(&mut d).unwrap();
    d.expect_eof().unwrap();
    v
}

fn s3s_xml(c: &mut Criterion) {
    let doc = s3s_api_bench_doc();
    let cfg = s3s_read(doc.as_bytes());
    let written = s3s_write(&cfg);
    eprintln!("s3s writes {} bytes: {}", written.len(), String::from_utf8_lossy(&written));

    let mut g = c.benchmark_group("peers_write_analytics_configuration");
    g.throughput(Throughput::Bytes(written.len() as u64));
    g.bench_function("s3s", |b| b.iter(|| s3s_write(black_box(&cfg))));
    g.finish();
    let mut g = c.benchmark_group("peers_read_analytics_configuration");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.bench_function("s3s", |b| b.iter(|| s3s_read(black_box(doc.as_bytes()))));
    g.finish();
}

fn s3s_api_bench_doc() -> String {
    s3_api_bench::full_xml()
}

/// Keeps the last request's URI and body, answers 200 with an empty body.
#[derive(Debug, Clone, Default)]
struct Capture {
    last: Arc<Mutex<Option<Captured>>>,
}

/// A captured request: URI, headers, body.
type Captured = (String, Vec<(String, String)>, Vec<u8>);

impl HttpConnector for Capture {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let headers = request
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let body = request.body().bytes().unwrap_or_default().to_vec();
        *self.last.lock().unwrap() = Some((request.uri().to_string(), headers, body));
        let response = aws_smithy_runtime_api::http::Response::new(
            200u16.try_into().unwrap(),
            SdkBody::empty(),
        );
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Capture {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

fn sdk_configuration() -> aws_sdk_s3::types::AnalyticsConfiguration {
    use aws_sdk_s3::types::*;
    AnalyticsConfiguration::builder()
        .id("full-config")
        .filter(AnalyticsFilter::And(
            AnalyticsAndOperator::builder()
                .prefix("logs/")
                .tags(Tag::builder().key("env").value("prod").build().unwrap())
                .tags(Tag::builder().key("team").value("data").build().unwrap())
                .build(),
        ))
        .storage_class_analysis(
            StorageClassAnalysis::builder()
                .data_export(
                    StorageClassAnalysisDataExport::builder()
                        .output_schema_version(StorageClassAnalysisSchemaVersion::V1)
                        .destination(
                            AnalyticsExportDestination::builder()
                                .s3_bucket_destination(
                                    AnalyticsS3BucketDestination::builder()
                                        .format(AnalyticsS3ExportFileFormat::Csv)
                                        .bucket_account_id("123456789012")
                                        .bucket("arn:aws:s3:::amzn-s3-demo-destination-bucket")
                                        .prefix("analytics-out/")
                                        .build()
                                        .unwrap(),
                                )
                                .build(),
                        )
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
        .unwrap()
}

fn sdk_request(c: &mut Criterion) {
    let capture = Capture::default();
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .http_client(capture.clone())
        .build();
    let client = aws_sdk_s3::Client::from_conf(conf);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cfg = sdk_configuration();
    let send = |cfg: aws_sdk_s3::types::AnalyticsConfiguration| {
        rt.block_on(
            client
                .put_bucket_analytics_configuration()
                .bucket("amzn-s3-demo-bucket")
                .id("full-config")
                .analytics_configuration(cfg)
                .expected_bucket_owner("123456789012")
                .send(),
        )
        .unwrap()
    };
    send(cfg.clone());
    if let Some((uri, headers, body)) = capture.last.lock().unwrap().clone() {
        eprintln!("aws-sdk-s3 request: PUT {uri}");
        for (k, v) in headers {
            eprintln!("  {k}: {v}");
        }
        eprintln!("  body ({} bytes): {}", body.len(), String::from_utf8_lossy(&body));
        let ours = s3_api_bench::full_xml();
        eprintln!("  same body as s3-api: {}", body == ours.as_bytes());
    }

    // s3-api: from the input to the signed request, the same work as the
    // SDK's send path minus its orchestrator: the endpoint from the rules,
    // the request, the body's SHA-256 and the SigV4 signature.
    let config = s3_api::endpoint::Config::new().with_region("us-east-1");
    let credentials = s3_api::sign::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    );
    let input = s3_api_bench::full_input();
    let sign = |input: &s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfigurationRequest| {
        let (mut request, endpoint) = s3_api::endpoint::build_request::<
            s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfiguration,
        >(&config, input)
        .unwrap();
        s3_api::sign::sign(
            &mut request,
            &endpoint,
            &credentials,
            std::time::SystemTime::now(),
            s3_api::sign::Payload::Signed,
        )
        .unwrap();
        request
    };
    let signed = sign(&input);
    eprintln!("s3-api signed request: {} {}", signed.method(), signed.uri());

    let mut g = c.benchmark_group("peers_request");
    g.bench_function("s3_api_endpoint_build_sign", |b| b.iter(|| sign(black_box(&input))));
    g.bench_function("aws_sdk_s3_put_send_captured", |b| {
        b.iter(|| send(black_box(&cfg).clone()))
    });
    g.bench_function("aws_sdk_s3_clone_configuration_only", |b| {
        b.iter(|| black_box(&cfg).clone())
    });
    g.finish();
}

criterion_group!(benches, s3s_xml, sdk_request);
criterion_main!(benches);
