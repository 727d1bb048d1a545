//! Shared fixtures for the benchmarks: the documents, the s3-api values built
//! from the reference input, and hand-written serde structs that mirror the
//! S3 XML shape for `quick_xml::se` / `quick_xml::de`.

use s3_api::operation::list_bucket_analytics_configurations::ListBucketAnalyticsConfigurationsOutput;
use s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfigurationRequest;
use s3_api::types::AnalyticsConfiguration;
use s3_api::{Output as _, XmlDocument};
use std::path::PathBuf;

/// `../../shared/wire/put-bucket-analytics-configuration/full.input.json`,
/// relative to the repository root (overridable with `S3_WIRE_DIR`).
pub fn wire_dir() -> PathBuf {
    match std::env::var_os("S3_WIRE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/wire/put-bucket-analytics-configuration"),
    }
}

/// The full reference input as the generated request type.
pub fn full_input() -> PutBucketAnalyticsConfigurationRequest {
    let path = wire_dir().join("full.input.json");
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&json).expect("full.input.json is a valid input")
}

/// The request body of the reference request (601 bytes), as s3-api writes it.
pub fn full_xml() -> String {
    full_input().analytics_configuration.to_xml().unwrap()
}

/// A ListBucketAnalyticsConfigurations output with `n` copies of the full
/// configuration (ids `config-0` ...), truncated, with a continuation token.
pub fn list_output(n: usize) -> ListBucketAnalyticsConfigurationsOutput {
    let cfg = full_input().analytics_configuration;
    let list: Vec<AnalyticsConfiguration> = (0..n)
        .map(|i| {
            let mut c = cfg.clone();
            c.id = format!("config-{i}");
            c
        })
        .collect();
    ListBucketAnalyticsConfigurationsOutput::default()
        .with_is_truncated(true)
        .with_continuation_token("page-1")
        .with_next_continuation_token("page-2")
        .with_analytics_configuration_list(list)
}

/// The body of the server-side response for [`list_output`].
pub fn list_body(n: usize) -> Vec<u8> {
    list_output(n).to_http_response().unwrap().into_body()
}

/// A 403 AccessDenied response as S3 sends it.
pub fn access_denied() -> http::Response<Vec<u8>> {
    let body = concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message>",
        "<RequestId>4442587FB7D0A2F9</RequestId>",
        "<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>"
    );
    http::Response::builder()
        .status(403)
        .header("content-type", "application/xml")
        .header("x-amz-request-id", "4442587FB7D0A2F9")
        .header(
            "x-amz-id-2",
            "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==",
        )
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// Hand-written serde mirror of the XML shape (element names as S3 sends
/// them, flattened `Tag` and `AnalyticsConfiguration` lists, the filter union
/// as a `$value` enum), for `quick_xml::se::to_string` and
/// `quick_xml::de::from_str`.
#[allow(non_camel_case_types)]
pub mod serde_mirror {
    use serde::{Deserialize, Serialize};

    pub const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename = "AnalyticsConfiguration")]
    pub struct AnalyticsConfiguration {
        #[serde(
            rename = "@xmlns",
            skip_deserializing,
            skip_serializing_if = "Option::is_none"
        )]
        pub xmlns: Option<&'static str>,
        #[serde(rename = "Id")]
        pub id: String,
        #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
        pub filter: Option<Filter>,
        #[serde(rename = "StorageClassAnalysis")]
        pub storage_class_analysis: StorageClassAnalysis,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Filter {
        #[serde(rename = "$value")]
        pub value: FilterChoice,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub enum FilterChoice {
        Prefix(String),
        Tag(Tag),
        And(And),
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct And {
        #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
        pub prefix: Option<String>,
        #[serde(rename = "Tag", default, skip_serializing_if = "Vec::is_empty")]
        pub tags: Vec<Tag>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Tag {
        #[serde(rename = "Key")]
        pub key: String,
        #[serde(rename = "Value")]
        pub value: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct StorageClassAnalysis {
        #[serde(
            rename = "DataExport",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub data_export: Option<DataExport>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct DataExport {
        #[serde(rename = "OutputSchemaVersion")]
        pub output_schema_version: SchemaVersion,
        #[serde(rename = "Destination")]
        pub destination: Destination,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub enum SchemaVersion {
        V_1,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Destination {
        #[serde(rename = "S3BucketDestination")]
        pub s3_bucket_destination: S3BucketDestination,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct S3BucketDestination {
        #[serde(rename = "Format")]
        pub format: Format,
        #[serde(
            rename = "BucketAccountId",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        pub bucket_account_id: Option<String>,
        #[serde(rename = "Bucket")]
        pub bucket: String,
        #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
        pub prefix: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub enum Format {
        CSV,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename = "ListBucketAnalyticsConfigurationResult")]
    pub struct ListResult {
        #[serde(rename = "IsTruncated", default)]
        pub is_truncated: Option<bool>,
        #[serde(rename = "ContinuationToken", default)]
        pub continuation_token: Option<String>,
        #[serde(rename = "NextContinuationToken", default)]
        pub next_continuation_token: Option<String>,
        #[serde(rename = "AnalyticsConfiguration", default)]
        pub configurations: Vec<AnalyticsConfiguration>,
    }

    /// The full reference configuration, as the mirror types.
    pub fn full() -> AnalyticsConfiguration {
        AnalyticsConfiguration {
            xmlns: Some(XMLNS),
            id: "full-config".into(),
            filter: Some(Filter {
                value: FilterChoice::And(And {
                    prefix: Some("logs/".into()),
                    tags: vec![
                        Tag {
                            key: "env".into(),
                            value: "prod".into(),
                        },
                        Tag {
                            key: "team".into(),
                            value: "data".into(),
                        },
                    ],
                }),
            }),
            storage_class_analysis: StorageClassAnalysis {
                data_export: Some(DataExport {
                    output_schema_version: SchemaVersion::V_1,
                    destination: Destination {
                        s3_bucket_destination: S3BucketDestination {
                            format: Format::CSV,
                            bucket_account_id: Some("123456789012".into()),
                            bucket: "arn:aws:s3:::amzn-s3-demo-destination-bucket".into(),
                            prefix: Some("analytics-out/".into()),
                        },
                    },
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_mirror_writes_the_same_bytes() {
        let ours = full_xml();
        let theirs = quick_xml::se::to_string(&serde_mirror::full()).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn serde_mirror_reads_both_documents() {
        let doc: serde_mirror::AnalyticsConfiguration =
            quick_xml::de::from_str(&full_xml()).unwrap();
        let mut expected = serde_mirror::full();
        expected.xmlns = None;
        assert_eq!(doc, expected);
        let body = String::from_utf8(list_body(100)).unwrap();
        let list: serde_mirror::ListResult = quick_xml::de::from_str(&body).unwrap();
        assert_eq!(list.configurations.len(), 100);
        assert_eq!(list.configurations[99].id, "config-99");
        assert_eq!(list.configurations[99].filter, expected.filter);
        assert_eq!(list.next_continuation_token.as_deref(), Some("page-2"));
    }

    #[test]
    fn s3_api_reads_both_documents() {
        let cfg = AnalyticsConfiguration::from_xml(full_xml().as_bytes()).unwrap();
        assert_eq!(cfg, full_input().analytics_configuration);
        let resp = http::Response::builder()
            .status(200)
            .body(list_body(100))
            .unwrap();
        let out = <s3_api::operation::list_bucket_analytics_configurations::ListBucketAnalyticsConfigurations as s3_api::Operation>::parse_response(&resp).unwrap();
        assert_eq!(out, list_output(100));
    }

    #[test]
    fn request_matches_the_reference_body() {
        let req = s3_api::Input::to_http_request(&full_input()).unwrap();
        let expected = std::fs::read_to_string(wire_dir().join("full.expected.http")).unwrap();
        let body = expected.split("\n\n").nth(1).unwrap();
        assert_eq!(req.body().as_slice(), body.as_bytes());
    }

    #[test]
    fn access_denied_is_the_modeled_variant() {
        use s3_api::operation::put_bucket_analytics_configuration::*;
        let err = <PutBucketAnalyticsConfiguration as s3_api::Operation>::parse_response(
            &access_denied(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            PutBucketAnalyticsConfigurationError::AccessDenied(_)
        ));
    }
}
