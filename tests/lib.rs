//! Tests of the `s3-api` crate and its generator. The integration tests are
//! the `[[test]]` targets of this package; this library only carries the
//! compile-time checks below, run with `cargo test -p s3-api-tests --doc`.

/// Required members of the model cannot be left out: every generated
/// structure is `#[non_exhaustive]`, so values are built with `new`, which
/// takes every required member, and the `with_*` setters; a struct literal
/// does not compile outside the crate, so no member can be forgotten there
/// either, and members added later break no caller.
///
/// Each `compile_fail` block is followed by the same code with the member
/// given, which compiles, so the failure is known to come from the missing
/// member and nothing else.
///
/// # `Tag::new` without `value`
///
/// ```compile_fail,E0061
/// let tag = s3_api::types::Tag::new("env");
/// # let _ = tag;
/// ```
///
/// ```
/// let tag = s3_api::types::Tag::new("env", "prod");
/// # let _ = tag;
/// ```
///
/// # `AnalyticsConfiguration::new` without `storage_class_analysis`
///
/// ```compile_fail,E0061
/// use s3_api::types::{AnalyticsConfiguration, StorageClassAnalysis};
/// let config = AnalyticsConfiguration::new("report1");
/// # let _ = (config, StorageClassAnalysis::default());
/// ```
///
/// ```
/// use s3_api::types::{AnalyticsConfiguration, StorageClassAnalysis};
/// let config = AnalyticsConfiguration::new("report1", StorageClassAnalysis::default());
/// # let _ = (config, StorageClassAnalysis::default());
/// ```
///
/// # A struct literal, even with every member, does not compile
///
/// ```compile_fail,E0639
/// let tag = s3_api::types::Tag {
///     key: "env".to_owned(),
///     value: "prod".to_owned(),
/// };
/// # let _ = tag;
/// ```
///
/// ```
/// use s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfigurationRequest;
/// use s3_api::types::{AnalyticsConfiguration, StorageClassAnalysis};
/// let config = AnalyticsConfiguration::new("report1", StorageClassAnalysis::default());
/// let request = PutBucketAnalyticsConfigurationRequest::new("amzn-s3-demo-bucket", "report1", config.clone())
///     .with_expected_bucket_owner("123456789012");
/// // Public fields stay readable and writable.
/// assert_eq!(request.analytics_configuration, config);
/// # let _ = (request, config);
/// ```
pub mod required_members {}

/// Adds quick-xml to the dev-dependencies of a generated crate's manifest:
/// the protocol tests written into such crates compare XML bodies as XML.
pub fn add_quick_xml_dev_dependency(files: &mut std::collections::BTreeMap<String, String>) {
    let manifest = files.get_mut("Cargo.toml").expect("a Cargo.toml");
    *manifest = manifest.replacen(
        "[dev-dependencies]\n",
        "[dev-dependencies]\nquick-xml = \"0.38\"\n",
        1,
    );
}
