//! Writing and reading S3 XML with the generated crate, against a
//! hand-written floor and serde + quick-xml; request building and error
//! parsing. Run: `cargo bench --bench xml -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use s3_api::operation::list_bucket_analytics_configurations::ListBucketAnalyticsConfigurations;
use s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfiguration;
use s3_api::types::AnalyticsConfiguration;
use s3_api::{Input as _, Operation, XmlDocument};
use s3_api_bench::{access_denied, full_input, full_xml, list_body, serde_mirror};
use std::hint::black_box;

fn write(c: &mut Criterion) {
    let input = full_input();
    let cfg = input.analytics_configuration.clone();
    let expected = full_xml();
    let mirror = serde_mirror::full();
    assert_eq!(quick_xml::se::to_string(&mirror).unwrap(), expected);

    let mut g = c.benchmark_group("write_analytics_configuration");
    g.throughput(Throughput::Bytes(expected.len() as u64));
    g.bench_function("s3_api_to_xml", |b| {
        b.iter(|| black_box(&cfg).to_xml().unwrap())
    });
    g.bench_function("floor_push_str", |b| {
        b.iter(|| {
            let bytes: &str = black_box(expected.as_str());
            let mut s = String::with_capacity(bytes.len());
            s.push_str(bytes);
            s
        })
    });
    g.bench_function("serde_quick_xml", |b| {
        b.iter(|| quick_xml::se::to_string(black_box(&mirror)).unwrap())
    });
    g.finish();
}

fn read(c: &mut Criterion) {
    let doc = full_xml();
    let mut g = c.benchmark_group("read_analytics_configuration");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.bench_function("s3_api_from_xml", |b| {
        b.iter(|| AnalyticsConfiguration::from_xml(black_box(doc.as_bytes())).unwrap())
    });
    g.bench_function("serde_quick_xml", |b| {
        b.iter(|| {
            quick_xml::de::from_str::<serde_mirror::AnalyticsConfiguration>(black_box(&doc))
                .unwrap()
        })
    });
    g.finish();

    let body = list_body(100);
    let body_str = String::from_utf8(body.clone()).unwrap();
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/xml")
        .body(body.clone())
        .unwrap();
    let mut g = c.benchmark_group("read_list_100_configurations");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("s3_api_parse_response", |b| {
        b.iter(|| ListBucketAnalyticsConfigurations::parse_response(black_box(&response)).unwrap())
    });
    g.bench_function("serde_quick_xml", |b| {
        b.iter(|| {
            quick_xml::de::from_str::<serde_mirror::ListResult>(black_box(&body_str)).unwrap()
        })
    });
    g.finish();
}

fn requests(c: &mut Criterion) {
    let input = full_input();
    let mut g = c.benchmark_group("request");
    g.bench_function("s3_api_put_to_http_request", |b| {
        b.iter(|| black_box(&input).to_http_request().unwrap())
    });
    let denied = access_denied();
    g.throughput(Throughput::Bytes(denied.body().len() as u64));
    g.bench_function("s3_api_parse_403_access_denied", |b| {
        b.iter(|| PutBucketAnalyticsConfiguration::parse_response(black_box(&denied)).unwrap_err())
    });
    g.finish();
}

criterion_group!(benches, write, read, requests);
criterion_main!(benches);
