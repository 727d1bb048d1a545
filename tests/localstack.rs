//! The crate's own client against LocalStack's S3, an implementation
//! written by others (`.ci/run` starts it; see
//! `../shared/servers/localstack/README.md`). Runs when
//! `S3_LOCALSTACK_ENDPOINT` names it, e.g. `http://127.0.0.1:4566`, and
//! prints one line saying it was skipped otherwise.
//!
//! The scenario: create a bucket; put, get, list and delete analytics
//! configurations of every filter kind, with a data export; the errors
//! NoSuchConfiguration and NoSuchBucket as their variants; head and delete
//! the bucket. (LocalStack checks no signature; the requests are signed
//! anyway, as they would be for S3.)

use s3_api::client::SendError;
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketRequest};
use s3_api::operation::delete_bucket::{DeleteBucket, DeleteBucketRequest};
use s3_api::operation::delete_bucket_analytics_configuration::{
    DeleteBucketAnalyticsConfiguration, DeleteBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::get_bucket_analytics_configuration::{
    GetBucketAnalyticsConfiguration, GetBucketAnalyticsConfigurationError,
    GetBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::head_bucket::{HeadBucket, HeadBucketRequest};
use s3_api::operation::list_bucket_analytics_configurations::{
    ListBucketAnalyticsConfigurations, ListBucketAnalyticsConfigurationsError,
    ListBucketAnalyticsConfigurationsRequest,
};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationRequest,
};
use s3_api::sign::Credentials;
use s3_api::types::{
    AnalyticsAndOperator, AnalyticsConfiguration, AnalyticsExportDestination, AnalyticsFilter,
    AnalyticsS3BucketDestination, AnalyticsS3ExportFileFormat, StorageClassAnalysis,
    StorageClassAnalysisDataExport, StorageClassAnalysisSchemaVersion, Tag,
};
use s3_api::{ProvideErrorMetadata, endpoint};

fn configurations() -> Vec<AnalyticsConfiguration> {
    let export = |report: &str| {
        StorageClassAnalysis::default().with_data_export(StorageClassAnalysisDataExport::new(
            StorageClassAnalysisSchemaVersion::V1,
            AnalyticsExportDestination::new(
                AnalyticsS3BucketDestination::new(
                    AnalyticsS3ExportFileFormat::Csv,
                    "arn:aws:s3:::amzn-s3-demo-reports",
                )
                .with_bucket_account_id("123456789012")
                .with_prefix(format!("analytics/{report}/")),
            ),
        ))
    };
    vec![
        AnalyticsConfiguration::new("none", StorageClassAnalysis::default()),
        AnalyticsConfiguration::new("prefix", export("prefix"))
            .with_filter(AnalyticsFilter::Prefix("logs/".into())),
        AnalyticsConfiguration::new("tag", export("tag"))
            .with_filter(AnalyticsFilter::Tag(Tag::new("env", "prod"))),
        AnalyticsConfiguration::new("and", export("and")).with_filter(AnalyticsFilter::And(
            AnalyticsAndOperator::default()
                .with_prefix("data/")
                .with_tags(vec![Tag::new("team", "storage"), Tag::new("tier", "hot")]),
        )),
    ]
}

#[test]
fn the_client_runs_the_analytics_scenario_against_localstack() {
    let Some(url) = std::env::var("S3_LOCALSTACK_ENDPOINT")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("localstack: S3_LOCALSTACK_ENDPOINT is not set; skipped");
        return;
    };
    let config = endpoint::Config::new()
        .with_region("us-east-1")
        .with_endpoint_url(url.clone())
        .with_force_path_style(true);
    let client = s3_api::Client::new(config, Some(Credentials::new("test", "test")));
    let bucket = format!(
        "s3-api-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );

    client
        .send::<CreateBucket>(&CreateBucketRequest::new(&bucket))
        .unwrap();
    client
        .send::<HeadBucket>(&HeadBucketRequest::new(&bucket))
        .unwrap();
    let configs = configurations();
    for config in &configs {
        let input =
            PutBucketAnalyticsConfigurationRequest::new(&bucket, &config.id, config.clone());
        client
            .send::<PutBucketAnalyticsConfiguration>(&input)
            .unwrap();
    }
    for config in &configs {
        let input = GetBucketAnalyticsConfigurationRequest::new(&bucket, &config.id);
        let got = client
            .send::<GetBucketAnalyticsConfiguration>(&input)
            .unwrap();
        assert_eq!(
            got.analytics_configuration.as_ref(),
            Some(config),
            "{}",
            config.id
        );
    }
    let listed = client
        .send::<ListBucketAnalyticsConfigurations>(&ListBucketAnalyticsConfigurationsRequest::new(
            &bucket,
        ))
        .unwrap();
    let mut ids: Vec<String> = listed
        .analytics_configuration_list
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["and", "none", "prefix", "tag"]);

    for config in &configs {
        let input = DeleteBucketAnalyticsConfigurationRequest::new(&bucket, &config.id);
        client
            .send::<DeleteBucketAnalyticsConfiguration>(&input)
            .unwrap();
    }
    match client.send::<GetBucketAnalyticsConfiguration>(
        &GetBucketAnalyticsConfigurationRequest::new(&bucket, "tag"),
    ) {
        Err(SendError::Service(GetBucketAnalyticsConfigurationError::NoSuchConfiguration(e))) => {
            assert_eq!(e.status(), 404)
        }
        other => panic!("expected NoSuchConfiguration, got {other:?}"),
    }
    client
        .send::<DeleteBucket>(&DeleteBucketRequest::new(&bucket))
        .unwrap();
    match client.send::<ListBucketAnalyticsConfigurations>(
        &ListBucketAnalyticsConfigurationsRequest::new(&bucket),
    ) {
        Err(SendError::Service(ListBucketAnalyticsConfigurationsError::NoSuchBucket(e))) => {
            assert_eq!(e.status(), 404)
        }
        other => panic!("expected NoSuchBucket, got {other:?}"),
    }
    match client.send::<HeadBucket>(&HeadBucketRequest::new(&bucket)) {
        Err(SendError::Service(e)) => assert_eq!(e.status(), 404),
        other => panic!("expected a 404 for the deleted bucket, got {other:?}"),
    }
    println!("localstack: the analytics scenario passed against {url}");
}
