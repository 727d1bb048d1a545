//! Sends one PutBucketAnalyticsConfiguration with aws-sdk-s3, configured
//! from the environment by aws-config.

use aws_sdk_s3::types::{AnalyticsConfiguration, AnalyticsFilter, StorageClassAnalysis};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_s3::Client::new(&config);
    let configuration = AnalyticsConfiguration::builder()
        .id("report1")
        .filter(AnalyticsFilter::Prefix("logs/".into()))
        .storage_class_analysis(StorageClassAnalysis::builder().build())
        .build()
        .expect("configuration");
    match client
        .put_bucket_analytics_configuration()
        .bucket("amzn-s3-demo-bucket")
        .id("report1")
        .analytics_configuration(configuration)
        .send()
        .await
    {
        Ok(_) => println!("ok"),
        Err(e) => println!("error: {e}"),
    }
}
