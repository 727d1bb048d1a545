//! Sends one PutBucketAnalyticsConfiguration with the s3-api client,
//! configured from the environment.

use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationRequest,
};
use s3_api::types::{AnalyticsConfiguration, AnalyticsFilter, StorageClassAnalysis};

fn main() {
    let client = s3_api::Client::from_env().expect("configuration");
    let input = PutBucketAnalyticsConfigurationRequest::new(
        "amzn-s3-demo-bucket",
        "report1",
        AnalyticsConfiguration::new("report1", StorageClassAnalysis::default())
            .with_filter(AnalyticsFilter::Prefix("logs/".into())),
    );
    match client.send::<PutBucketAnalyticsConfiguration>(&input) {
        Ok(_) => println!("ok"),
        Err(e) => println!("error: {e}"),
    }
}
