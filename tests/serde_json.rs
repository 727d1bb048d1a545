//! JSON of the `serde` feature: the AWS SDK input shape.
//!
//! Member names exactly as in the Smithy model (`model/s3.json`), unions as an
//! object with one key, enums as their wire strings (unknown values kept),
//! required members required, unknown fields rejected. The wire examples in
//! `../shared/wire` (written for botocore and the JavaScript SDK) must load
//! as they are and serialize back to the same JSON.

use std::path::{Path, PathBuf};

use s3_api::operation::put_bucket_analytics_configuration::PutBucketAnalyticsConfigurationRequest;
use s3_api::types::{
    AnalyticsAndOperator, AnalyticsConfiguration, AnalyticsExportDestination, AnalyticsFilter,
    AnalyticsS3BucketDestination, AnalyticsS3ExportFileFormat, StorageClassAnalysis,
    StorageClassAnalysisDataExport, StorageClassAnalysisSchemaVersion, Tag,
};
use serde_json::{Map, Value, json};

const NS: &str = "com.amazonaws.s3#";

fn wire_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("S3_WIRE_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("serde_json: no wire examples at {}; skipped", dir.display());
        None
    }
}

/// Every `*.input.json` under the wire directory, with its operation folder.
fn wire_inputs(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for folder in std::fs::read_dir(dir).unwrap() {
        let folder = folder.unwrap().path();
        if !folder.is_dir() {
            continue;
        }
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            if file.to_string_lossy().ends_with(".input.json") {
                out.push((name.clone(), file));
            }
        }
    }
    out.sort();
    out
}

fn shapes() -> &'static Map<String, Value> {
    static SHAPES: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    SHAPES.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/s3.json");
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        doc["shapes"].as_object().unwrap().clone()
    })
}

/// The input shape of operation `name` in the model.
fn input_shape(operation: &str) -> String {
    let op = &shapes()[&format!("{NS}{operation}")];
    op["input"]["target"].as_str().unwrap().to_owned()
}

/// The wire strings of an enum shape, from `smithy.api#enumValue`.
fn enum_values(shape_id: &str) -> Vec<String> {
    shapes()[shape_id]["members"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, m)| {
            m["traits"]["smithy.api#enumValue"]
                .as_str()
                .unwrap_or(name)
                .to_owned()
        })
        .collect()
}

/// Checks `json` against the shape `shape_id` of the model: every key of a
/// structure is a member name (and, with `complete`, every member is present);
/// a union is an object with exactly one key that is a member name; lists are
/// arrays; enums are one of their wire strings (unless `allow_unknown_enum`);
/// strings are strings. Returns problems with their JSON path.
fn check_shape(json: &Value, shape_id: &str, path: &str, complete: bool, out: &mut Vec<String>) {
    let shape_type = if let Some(prelude) = shape_id.strip_prefix("smithy.api#") {
        prelude.to_ascii_lowercase()
    } else {
        shapes()[shape_id]["type"].as_str().unwrap().to_owned()
    };
    match shape_type.as_str() {
        "structure" | "union" => {
            let Some(obj) = json.as_object() else {
                out.push(format!(
                    "{path}: expected an object for {shape_id}, got {json}"
                ));
                return;
            };
            let members = shapes()[shape_id]["members"].as_object().unwrap();
            if shape_type == "union" && obj.len() != 1 {
                out.push(format!(
                    "{path}: union {shape_id} must have exactly one key: {json}"
                ));
            }
            for (key, value) in obj {
                match members.get(key) {
                    Some(m) => check_shape(
                        value,
                        m["target"].as_str().unwrap(),
                        &format!("{path}.{key}"),
                        complete,
                        out,
                    ),
                    None => out.push(format!("{path}: `{key}` is not a member of {shape_id}")),
                }
            }
            if complete && shape_type == "structure" {
                for name in members.keys() {
                    if !obj.contains_key(name) {
                        out.push(format!("{path}: member `{name}` of {shape_id} missing"));
                    }
                }
            }
        }
        "list" => {
            let Some(items) = json.as_array() else {
                out.push(format!("{path}: expected an array for {shape_id}"));
                return;
            };
            let item = shapes()[shape_id]["member"]["target"].as_str().unwrap();
            for (i, v) in items.iter().enumerate() {
                check_shape(v, item, &format!("{path}[{i}]"), complete, out);
            }
        }
        "enum" => match json.as_str() {
            Some(s) if enum_values(shape_id).iter().any(|v| v == s) => {}
            _ => out.push(format!("{path}: {json} is not a value of {shape_id}")),
        },
        "string" => {
            if !json.is_string() {
                out.push(format!("{path}: expected a string, got {json}"));
            }
        }
        other => out.push(format!(
            "{path}: shape type {other} not handled by the test"
        )),
    }
}

#[track_caller]
fn assert_matches_model(json: &Value, shape: &str, complete: bool) {
    let mut problems = Vec::new();
    check_shape(json, &format!("{NS}{shape}"), "$", complete, &mut problems);
    assert!(problems.is_empty(), "{}\nin {json:#}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

fn full_config(filter: AnalyticsFilter) -> AnalyticsConfiguration {
    AnalyticsConfiguration::new(
        "cfg",
        StorageClassAnalysis::default().with_data_export(StorageClassAnalysisDataExport::new(
            StorageClassAnalysisSchemaVersion::V1,
            AnalyticsExportDestination::new(
                AnalyticsS3BucketDestination::new(
                    AnalyticsS3ExportFileFormat::Csv,
                    "arn:aws:s3:::dest",
                )
                .with_bucket_account_id("111122223333")
                .with_prefix("out/"),
            ),
        )),
    )
    .with_filter(filter)
}

fn filters() -> Vec<AnalyticsFilter> {
    vec![
        AnalyticsFilter::Prefix("logs/".into()),
        AnalyticsFilter::Tag(Tag::new("env", "prod")),
        AnalyticsFilter::And(
            AnalyticsAndOperator::default()
                .with_prefix("p/")
                .with_tags(vec![Tag::new("a", "1"), Tag::new("b", "")]),
        ),
    ]
}

fn full_request(filter: AnalyticsFilter) -> PutBucketAnalyticsConfigurationRequest {
    PutBucketAnalyticsConfigurationRequest::new("bucket", "cfg", full_config(filter))
        .with_expected_bucket_owner("111122223333")
}

/// A valid input as JSON, for editing in the error tests.
fn valid_input() -> Value {
    serde_json::to_value(full_request(filters().remove(2))).unwrap()
}

#[track_caller]
fn input_error(json: &Value) -> String {
    match serde_json::from_value::<PutBucketAnalyticsConfigurationRequest>(json.clone()) {
        Ok(v) => panic!("accepted {json}: {v:?}"),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Wire examples
// ---------------------------------------------------------------------------

#[test]
fn wire_inputs_load_and_serialize_back_unchanged() {
    let Some(dir) = wire_dir() else { return };
    let inputs = wire_inputs(&dir);
    assert!(!inputs.is_empty(), "no *.input.json in {}", dir.display());
    for (folder, file) in inputs {
        assert_eq!(
            folder, "put-bucket-analytics-configuration",
            "add the operation of {folder} to tests/serde_json.rs"
        );
        let text = std::fs::read_to_string(&file).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        // From text (what the CLI does) and from a Value.
        let input: PutBucketAnalyticsConfigurationRequest =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let from_value: PutBucketAnalyticsConfigurationRequest =
            serde_json::from_value(original.clone()).unwrap();
        assert_eq!(input, from_value);
        let back = serde_json::to_value(&input).unwrap();
        assert_eq!(back, original, "{}", file.display());
        assert_matches_model(&back, "PutBucketAnalyticsConfigurationRequest", false);
        assert_eq!(
            input_shape("PutBucketAnalyticsConfiguration"),
            format!("{NS}PutBucketAnalyticsConfigurationRequest")
        );
    }
}

#[test]
fn full_example_has_the_expected_values() {
    let Some(dir) = wire_dir() else { return };
    let file = dir.join("put-bucket-analytics-configuration/full.input.json");
    if !file.is_file() {
        println!("serde_json: {} absent; skipped", file.display());
        return;
    }
    let input: PutBucketAnalyticsConfigurationRequest =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let json: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(input.bucket, json["Bucket"].as_str().unwrap());
    assert_eq!(input.id, json["Id"].as_str().unwrap());
    assert_eq!(
        input.expected_bucket_owner.as_deref(),
        json["ExpectedBucketOwner"].as_str()
    );
    let config = &input.analytics_configuration;
    let jc = &json["AnalyticsConfiguration"];
    assert_eq!(config.id, jc["Id"].as_str().unwrap());
    let Some(AnalyticsFilter::And(and)) = &config.filter else {
        panic!("{:?}", config.filter)
    };
    assert_eq!(
        and.prefix.as_deref(),
        jc["Filter"]["And"]["Prefix"].as_str()
    );
    let tags: Vec<(&str, &str)> = and
        .tags
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    let json_tags: Vec<(&str, &str)> = jc["Filter"]["And"]["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
        .collect();
    assert_eq!(tags, json_tags);
    let export = config.storage_class_analysis.data_export.as_ref().unwrap();
    let je = &jc["StorageClassAnalysis"]["DataExport"];
    assert_eq!(
        export.output_schema_version.as_str(),
        je["OutputSchemaVersion"].as_str().unwrap()
    );
    let dest = &export.destination.s3_bucket_destination;
    let jd = &je["Destination"]["S3BucketDestination"];
    assert_eq!(dest.format.as_str(), jd["Format"].as_str().unwrap());
    assert_eq!(dest.bucket, jd["Bucket"].as_str().unwrap());
    assert_eq!(
        dest.bucket_account_id.as_deref(),
        jd["BucketAccountId"].as_str()
    );
    assert_eq!(dest.prefix.as_deref(), jd["Prefix"].as_str());
}

// ---------------------------------------------------------------------------
// Member names from the model
// ---------------------------------------------------------------------------

#[test]
fn member_names_are_the_model_names() {
    for filter in filters() {
        let request = full_request(filter.clone());
        let json = serde_json::to_value(&request).unwrap();
        // Every member is set, so every member name must appear.
        assert_matches_model(&json, "PutBucketAnalyticsConfigurationRequest", true);
        let config = serde_json::to_value(&request.analytics_configuration).unwrap();
        assert_matches_model(&config, "AnalyticsConfiguration", true);
        assert_matches_model(
            &serde_json::to_value(&filter).unwrap(),
            "AnalyticsFilter",
            true,
        );
        // And it reads back.
        let back: PutBucketAnalyticsConfigurationRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, request);
    }
    // Optional members left out are left out of the JSON, not null.
    let minimal = PutBucketAnalyticsConfigurationRequest::new(
        "b",
        "i",
        AnalyticsConfiguration::new("i", StorageClassAnalysis::default()),
    );
    assert_eq!(
        serde_json::to_value(&minimal).unwrap(),
        json!({"Bucket": "b", "Id": "i", "AnalyticsConfiguration": {"Id": "i", "StorageClassAnalysis": {}}})
    );
}

#[test]
fn model_check_catches_wrong_names() {
    let mut problems = Vec::new();
    let bad = json!({"Id": "x", "StorageClassAnalysis": {}, "filter": {"Prefix": "p"}});
    check_shape(
        &bad,
        &format!("{NS}AnalyticsConfiguration"),
        "$",
        false,
        &mut problems,
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    let mut problems = Vec::new();
    let bad = json!({"Id": "x", "StorageClassAnalysis": {"DataExport": {"OutputSchemaVersion": "V_9", "Destination": {"S3BucketDestination": {"Format": "CSV", "Bucket": "b"}}}}, "Filter": {"Prefix": "p", "Tag": {"Key": "k", "Value": "v"}}});
    check_shape(
        &bad,
        &format!("{NS}AnalyticsConfiguration"),
        "$",
        false,
        &mut problems,
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
}

// ---------------------------------------------------------------------------
// Unions
// ---------------------------------------------------------------------------

#[test]
fn union_is_a_one_key_object() {
    let cases = [
        (
            AnalyticsFilter::Prefix("logs/".into()),
            json!({"Prefix": "logs/"}),
        ),
        (
            AnalyticsFilter::Tag(Tag::new("env", "prod")),
            json!({"Tag": {"Key": "env", "Value": "prod"}}),
        ),
        (
            AnalyticsFilter::And(
                AnalyticsAndOperator::default()
                    .with_prefix("p/")
                    .with_tags(vec![Tag::new("a", "1")]),
            ),
            json!({"And": {"Prefix": "p/", "Tags": [{"Key": "a", "Value": "1"}]}}),
        ),
        (
            AnalyticsFilter::And(AnalyticsAndOperator::default()),
            json!({"And": {}}),
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(serde_json::to_value(&filter).unwrap(), expected);
        let back: AnalyticsFilter = serde_json::from_value(expected.clone()).unwrap();
        assert_eq!(back, filter);
        let back: AnalyticsFilter = serde_json::from_str(&expected.to_string()).unwrap();
        assert_eq!(back, filter);
    }
}

#[test]
fn bad_union_objects_are_errors() {
    let bad = [
        json!({"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}}),
        json!({"Prefix": "a", "And": {}}),
        json!({}),
        json!({"Unknown": "x"}),
        json!({"Future": "x"}),
        json!({"prefix": "a"}),
        json!("Prefix"),
        json!(["Prefix", "a"]),
        json!({"Prefix": 1}),
    ];
    for b in bad {
        let from_value = serde_json::from_value::<AnalyticsFilter>(b.clone());
        assert!(
            from_value.is_err(),
            "from_value accepted {b}: {from_value:?}"
        );
        let from_str = serde_json::from_str::<AnalyticsFilter>(&b.to_string());
        assert!(from_str.is_err(), "from_str accepted {b}: {from_str:?}");
    }
    // Inside an input too.
    let mut input = valid_input();
    input["AnalyticsConfiguration"]["Filter"] =
        json!({"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}});
    input_error(&input);
    let text = input.to_string();
    assert!(serde_json::from_str::<PutBucketAnalyticsConfigurationRequest>(&text).is_err());
}

#[test]
fn unknown_union_member_cannot_be_serialized() {
    assert!(serde_json::to_value(AnalyticsFilter::Unknown("Future".into())).is_err());
}

// ---------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------

#[test]
fn enums_are_their_wire_strings() {
    let versions = enum_values(&format!("{NS}StorageClassAnalysisSchemaVersion"));
    assert_eq!(
        StorageClassAnalysisSchemaVersion::VALUES,
        versions.as_slice()
    );
    for v in &versions {
        let parsed: StorageClassAnalysisSchemaVersion = serde_json::from_value(json!(v)).unwrap();
        assert!(
            !matches!(parsed, StorageClassAnalysisSchemaVersion::Unknown(_)),
            "{v} is a known value"
        );
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(v));
    }
    assert_eq!(
        serde_json::to_value(StorageClassAnalysisSchemaVersion::V1).unwrap(),
        json!("V_1")
    );

    let formats = enum_values(&format!("{NS}AnalyticsS3ExportFileFormat"));
    assert_eq!(AnalyticsS3ExportFileFormat::VALUES, formats.as_slice());
    for v in &formats {
        let parsed: AnalyticsS3ExportFileFormat = serde_json::from_value(json!(v)).unwrap();
        assert!(!matches!(parsed, AnalyticsS3ExportFileFormat::Unknown(_)));
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(v));
    }
    assert_eq!(
        serde_json::to_value(AnalyticsS3ExportFileFormat::Csv).unwrap(),
        json!("CSV")
    );
}

#[test]
fn unknown_enum_values_round_trip() {
    for v in ["V_2", "v_1", "V1", "", " V_1", "日本"] {
        let parsed: StorageClassAnalysisSchemaVersion = serde_json::from_value(json!(v)).unwrap();
        match &parsed {
            StorageClassAnalysisSchemaVersion::Unknown(u) => assert_eq!(u.as_str(), v),
            other => panic!("{v:?} parsed as {other:?}"),
        }
        assert_eq!(parsed.as_str(), v);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(v));
    }
    for v in ["PARQUET", "csv", "Csv"] {
        let parsed: AnalyticsS3ExportFileFormat = serde_json::from_value(json!(v)).unwrap();
        assert!(
            matches!(parsed, AnalyticsS3ExportFileFormat::Unknown(_)),
            "{v}"
        );
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(v));
    }
    // Inside a whole input.
    let mut input = valid_input();
    let export = &mut input["AnalyticsConfiguration"]["StorageClassAnalysis"]["DataExport"];
    export["OutputSchemaVersion"] = json!("V_2");
    export["Destination"]["S3BucketDestination"]["Format"] = json!("ORC");
    let parsed: PutBucketAnalyticsConfigurationRequest =
        serde_json::from_value(input.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), input);
    // Not a string: an error.
    assert!(serde_json::from_value::<StorageClassAnalysisSchemaVersion>(json!(1)).is_err());
    assert!(serde_json::from_value::<AnalyticsS3ExportFileFormat>(json!(null)).is_err());
}

// ---------------------------------------------------------------------------
// Required members and unknown fields
// ---------------------------------------------------------------------------

/// Removes the member at `path` (JSON pointer) from `json`.
fn without(json: &Value, path: &str) -> Value {
    let mut json = json.clone();
    let (parent, key) = path.rsplit_once('/').unwrap();
    json.pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"))
        .as_object_mut()
        .unwrap()
        .remove(key)
        .unwrap_or_else(|| panic!("no {path}"));
    json
}

#[test]
fn missing_required_members_are_errors_naming_the_member() {
    // Every required member of every structure the input reaches.
    let input = {
        let mut v = valid_input();
        // A Tag filter too, so Tag's members are reachable at a fixed place.
        v["AnalyticsConfiguration"]["Filter"] = json!({"Tag": {"Key": "k", "Value": "v"}});
        v
    };
    let cases = [
        ("/Bucket", "Bucket"),
        ("/Id", "Id"),
        ("/AnalyticsConfiguration", "AnalyticsConfiguration"),
        ("/AnalyticsConfiguration/Id", "Id"),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis",
            "StorageClassAnalysis",
        ),
        ("/AnalyticsConfiguration/Filter/Tag/Key", "Key"),
        ("/AnalyticsConfiguration/Filter/Tag/Value", "Value"),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/OutputSchemaVersion",
            "OutputSchemaVersion",
        ),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination",
            "Destination",
        ),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination/S3BucketDestination",
            "S3BucketDestination",
        ),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination/S3BucketDestination/Format",
            "Format",
        ),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination/S3BucketDestination/Bucket",
            "Bucket",
        ),
    ];
    for (path, member) in cases {
        let error = input_error(&without(&input, path));
        assert!(
            error.contains(&format!("`{member}`")),
            "removing {path}: error {error:?} does not name `{member}`"
        );
    }
    // The required members of the model are exactly those: check the list
    // above against `smithy.api#required` in the model.
    let mut required: Vec<String> = Vec::new();
    for shape in [
        "PutBucketAnalyticsConfigurationRequest",
        "AnalyticsConfiguration",
        "Tag",
        "StorageClassAnalysisDataExport",
        "AnalyticsExportDestination",
        "AnalyticsS3BucketDestination",
    ] {
        for (name, m) in shapes()[&format!("{NS}{shape}")]["members"]
            .as_object()
            .unwrap()
        {
            if m["traits"].get("smithy.api#required").is_some() {
                required.push(name.clone());
            }
        }
    }
    required.sort();
    let mut tested: Vec<String> = cases.iter().map(|(_, m)| m.to_string()).collect();
    tested.sort();
    assert_eq!(
        required, tested,
        "required members of the model vs the cases above"
    );
    // Optional members may be left out.
    for path in [
        "/ExpectedBucketOwner",
        "/AnalyticsConfiguration/Filter",
        "/AnalyticsConfiguration/StorageClassAnalysis/DataExport",
        "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination/S3BucketDestination/Prefix",
        "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination/S3BucketDestination/BucketAccountId",
    ] {
        let json = without(&input, path);
        serde_json::from_value::<PutBucketAnalyticsConfigurationRequest>(json)
            .unwrap_or_else(|e| panic!("without {path}: {e}"));
    }
}

#[test]
fn tag_without_value_is_an_error() {
    let error = serde_json::from_value::<Tag>(json!({"Key": "k"})).unwrap_err();
    assert!(error.to_string().contains("`Value`"), "{error}");
    let error = serde_json::from_str::<Tag>(r#"{"Value": "v"}"#).unwrap_err();
    assert!(error.to_string().contains("`Key`"), "{error}");
    // In the And list as well.
    let mut input = valid_input();
    input["AnalyticsConfiguration"]["Filter"]["And"]["Tags"][1] = json!({"Key": "b"});
    assert!(input_error(&input).contains("`Value`"));
}

#[test]
fn unknown_fields_are_errors() {
    let cases = [
        ("", "Extra"),
        ("", "bucket"),
        ("/AnalyticsConfiguration", "Tags"),
        ("/AnalyticsConfiguration/StorageClassAnalysis", "Unknown"),
        ("/AnalyticsConfiguration/Filter/And", "Tag"),
        ("/AnalyticsConfiguration/Filter/And/Tags/0", "key"),
        (
            "/AnalyticsConfiguration/StorageClassAnalysis/DataExport/Destination/S3BucketDestination",
            "BucketArn",
        ),
    ];
    for (at, field) in cases {
        let mut input = valid_input();
        input
            .pointer_mut(at)
            .unwrap_or_else(|| panic!("no {at}"))
            .as_object_mut()
            .unwrap()
            .insert(field.into(), json!("x"));
        let error = input_error(&input);
        assert!(
            error.contains(&format!("`{field}`")),
            "{field} at {at:?}: {error:?}"
        );
        // from_str (what the CLI uses) agrees.
        let text = input.to_string();
        assert!(serde_json::from_str::<PutBucketAnalyticsConfigurationRequest>(&text).is_err());
    }
}

#[test]
fn duplicate_fields_are_errors() {
    let text = r#"{"Bucket": "a", "Bucket": "b", "Id": "i", "AnalyticsConfiguration": {"Id": "i", "StorageClassAnalysis": {}}}"#;
    let error = serde_json::from_str::<PutBucketAnalyticsConfigurationRequest>(text).unwrap_err();
    assert!(error.to_string().contains("`Bucket`"), "{error}");
    let text = r#"{"Key": "k", "Value": "v", "Value": "w"}"#;
    assert!(serde_json::from_str::<Tag>(text).is_err());
}

#[test]
fn wrong_json_types_are_errors() {
    let cases = [
        ("/Bucket", json!(1)),
        ("/Id", json!(null)),
        ("/AnalyticsConfiguration", json!([])),
        (
            "/AnalyticsConfiguration/Filter/And/Tags",
            json!({"Key": "k", "Value": "v"}),
        ),
        ("/ExpectedBucketOwner", json!(123456789012u64)),
    ];
    for (path, value) in cases {
        let mut input = valid_input();
        *input.pointer_mut(path).unwrap() = value.clone();
        input_error(&input);
    }
}
