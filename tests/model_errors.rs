//! Validation errors for models the generator cannot handle, through
//! `codegen::generate_from_model` and `codegen::generate`: each problem names
//! the file, the shape (and member) and what is wrong, and every problem of a
//! model is reported in one call.

use std::path::{Path, PathBuf};

use codegen::model::Model;
use codegen::{Diagnostic, Diagnostics, Options};
use serde_json::{Value, json};

const FILE: &str = "bad.json";
const NS: &str = "example.bad";

fn id(name: &str) -> String {
    format!("{NS}#{name}")
}

/// A valid model: one service, one operation `PutThing` (`PUT /{Bucket}`)
/// whose input has a label, a header and an XML payload, and one error.
fn base() -> Value {
    json!({
        "smithy": "2.0",
        "shapes": {
            "example.bad#Svc": {
                "type": "service",
                "version": "1",
                "operations": [{"target": "example.bad#PutThing"}],
                "traits": {"aws.protocols#restXml": {}}
            },
            "example.bad#PutThing": {
                "type": "operation",
                "input": {"target": "example.bad#PutThingRequest"},
                "output": {"target": "smithy.api#Unit"},
                "errors": [{"target": "example.bad#Oops"}],
                "traits": {"smithy.api#http": {"method": "PUT", "uri": "/{Bucket}", "code": 200}}
            },
            "example.bad#PutThingRequest": {
                "type": "structure",
                "members": {
                    "Bucket": {"target": "smithy.api#String",
                               "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}},
                    "Owner": {"target": "smithy.api#String",
                              "traits": {"smithy.api#httpHeader": "x-owner"}},
                    "Thing": {"target": "example.bad#Thing",
                              "traits": {"smithy.api#httpPayload": {}}}
                },
                "traits": {"smithy.api#input": {}}
            },
            "example.bad#Thing": {
                "type": "structure",
                "members": {"Name": {"target": "smithy.api#String"}}
            },
            "example.bad#Oops": {
                "type": "structure",
                "members": {},
                "traits": {"smithy.api#error": "client", "smithy.api#httpError": 400}
            }
        }
    })
}

/// The shape `name` of `model`, to edit.
fn shape<'a>(model: &'a mut Value, name: &str) -> &'a mut Value {
    &mut model["shapes"][id(name)]
}

fn load(model: &Value) -> Model {
    Model::from_sources(&[(FILE, &model.to_string())]).unwrap_or_else(|d| panic!("{d}"))
}

fn generate(model: &Value, ops: Option<&[&str]>) -> Result<codegen::Files, Diagnostics> {
    let opts = Options {
        ops: ops.map(|o| o.iter().map(|s| s.to_string()).collect()),
        ..Options::new(vec![])
    };
    codegen::generate_from_model(&load(model), &opts)
}

/// Every problem of a model that must not generate.
fn problems(model: &Value, ops: Option<&[&str]>) -> Vec<Diagnostic> {
    match generate(model, ops) {
        Ok(_) => panic!("the model generated, but problems were expected"),
        Err(d) => {
            // Display lists every problem, one per line, after a count.
            let text = d.to_string();
            assert_eq!(text.lines().count(), d.len() + 1, "{text}");
            d.0
        }
    }
}

/// Asserts that `all` holds exactly one problem, and returns it.
fn single(all: Vec<Diagnostic>) -> Diagnostic {
    assert_eq!(all.len(), 1, "expected one problem, got {all:#?}");
    all.into_iter().next().unwrap()
}

fn assert_mentions(d: &Diagnostic, parts: &[&str]) {
    let line = d.to_string();
    for p in parts {
        assert!(line.contains(p), "{line:?} does not mention {p:?}");
    }
}

#[test]
fn the_base_model_generates() {
    let files = generate(&base(), None).unwrap();
    assert!(files.contains_key("src/operation/put_thing.rs"));
}

#[test]
fn unsupported_trait_on_a_member() {
    let mut model = base();
    shape(&mut model, "Thing")["members"]["Name"]["traits"] = json!({"example.custom#shiny": {}});
    let d = single(problems(&model, None));
    assert_eq!(d.file.as_deref(), Some(FILE));
    assert_eq!(d.shape.as_deref(), Some("example.bad#Thing"));
    assert_eq!(d.member.as_deref(), Some("Name"));
    assert!(d.message.contains("example.custom#shiny"), "{}", d.message);
    assert_mentions(
        &d,
        &[FILE, "example.bad#Thing$Name", "example.custom#shiny"],
    );
}

#[test]
fn unsupported_trait_on_a_shape() {
    let mut model = base();
    shape(&mut model, "Thing")["traits"] = json!({"example.custom#shiny": {}});
    let d = single(problems(&model, None));
    assert_eq!(
        (d.file.as_deref(), d.shape.as_deref(), d.member.as_deref()),
        (Some(FILE), Some("example.bad#Thing"), None)
    );
    assert!(d.message.contains("example.custom#shiny"), "{}", d.message);
}

#[test]
fn unsupported_shape_type() {
    let mut model = base();
    model["shapes"][id("When")] = json!({"type": "document"});
    shape(&mut model, "Thing")["members"]["At"] = json!({"target": id("When")});
    let d = single(problems(&model, None));
    assert_eq!(d.file.as_deref(), Some(FILE));
    assert_eq!(d.shape.as_deref(), Some("example.bad#When"));
    assert!(d.message.contains("document"), "{}", d.message);
}

#[test]
fn unsupported_prelude_shape_type_names_the_member() {
    let mut model = base();
    shape(&mut model, "Thing")["members"]["At"] = json!({"target": "smithy.api#Document"});
    let all = problems(&model, None);
    assert!(
        all.iter().any(|d| d.file.as_deref() == Some(FILE)
            && d.shape.as_deref() == Some("example.bad#Thing")
            && d.member.as_deref() == Some("At")
            && d.message.contains("smithy.api#Document")
            && d.message.contains("document")),
        "no problem names example.bad#Thing$At: {all:#?}"
    );
}

#[test]
fn uri_label_without_http_label_member() {
    let mut model = base();
    shape(&mut model, "PutThing")["traits"]["smithy.api#http"]["uri"] =
        json!("/{Bucket}/{Missing}");
    let d = single(problems(&model, None));
    assert_eq!(d.shape.as_deref(), Some("example.bad#PutThing"));
    assert_eq!(d.file.as_deref(), Some(FILE));
    assert!(d.message.contains("{Missing}"), "{}", d.message);
}

#[test]
fn http_label_member_missing_from_the_uri() {
    let mut model = base();
    shape(&mut model, "PutThingRequest")["members"]["Key"] = json!({
        "target": "smithy.api#String",
        "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}
    });
    let d = single(problems(&model, None));
    assert_eq!(d.shape.as_deref(), Some("example.bad#PutThing"));
    assert!(d.message.contains("Key"), "{}", d.message);
    assert!(d.message.contains("/{Bucket}"), "{}", d.message);
}

#[test]
fn http_checksum_members_missing_from_the_input() {
    let mut model = base();
    shape(&mut model, "PutThing")["traits"]["aws.protocols#httpChecksum"] = json!({
        "requestAlgorithmMember": "Algo",
        "requestValidationModeMember": "Mode",
        "responseAlgorithms": ["CRC32"]
    });
    let all = problems(&model, None);
    assert_eq!(all.len(), 2, "{all:#?}");
    for (d, member) in all.iter().zip(["Algo", "Mode"]) {
        assert_eq!(d.shape.as_deref(), Some("example.bad#PutThing"));
        assert_mentions(d, &["httpChecksum", member]);
    }
    // A list of anything but strings is refused too.
    let mut model = base();
    shape(&mut model, "PutThing")["traits"]["aws.protocols#httpChecksum"] =
        json!({"responseAlgorithms": [1]});
    assert_mentions(&single(problems(&model, None)), &["responseAlgorithms"]);
}

#[test]
fn two_payload_members() {
    let mut model = base();
    shape(&mut model, "PutThingRequest")["members"]["Other"] = json!({
        "target": id("Thing"),
        "traits": {"smithy.api#httpPayload": {}}
    });
    let d = single(problems(&model, None));
    assert_eq!(d.shape.as_deref(), Some("example.bad#PutThing"));
    assert!(
        d.message.contains("more than one httpPayload"),
        "{}",
        d.message
    );
}

#[test]
fn unknown_operation_in_ops() {
    let all = problems(&base(), Some(&["PutThing", "NoSuchOperation"]));
    let d = single(all);
    assert_eq!(d.shape.as_deref(), Some("example.bad#Svc"));
    assert!(d.message.contains("NoSuchOperation"), "{}", d.message);
    // The known one alone is fine.
    generate(&base(), Some(&["PutThing"])).unwrap();
}

#[test]
fn two_services() {
    let mut model = base();
    model["shapes"][id("Svc2")] = json!({"type": "service", "version": "2"});
    let d = single(problems(&model, None));
    assert!(
        d.message.contains("example.bad#Svc") && d.message.contains("example.bad#Svc2"),
        "{}",
        d.message
    );
}

#[test]
fn no_service() {
    let mut model = base();
    model["shapes"].as_object_mut().unwrap().remove(&id("Svc"));
    let d = single(problems(&model, None));
    assert!(d.message.contains("no service"), "{}", d.message);
}

/// `base()` plus `example.other#Thing`, used by `example.bad#Thing$Other`:
/// two shapes whose Rust name is `Thing`.
fn colliding() -> Value {
    let mut model = base();
    model["shapes"]["example.other#Thing"] = json!({
        "type": "structure",
        "members": {"Size": {"target": "smithy.api#Integer"}}
    });
    shape(&mut model, "Thing")["members"]["Other"] = json!({"target": "example.other#Thing"});
    model
}

#[test]
fn rust_name_collision_across_namespaces() {
    let mut model = colliding();
    let all = problems(&model, None);
    // One of the two is reported, naming the other.
    let d = all
        .iter()
        .find(|d| d.message.contains("`Thing`"))
        .unwrap_or_else(|| panic!("no name collision reported: {all:#?}"));
    let (shape, other) = match d.shape.as_deref() {
        Some("example.bad#Thing") => ("example.bad#Thing", "example.other#Thing"),
        Some("example.other#Thing") => ("example.other#Thing", "example.bad#Thing"),
        s => panic!("unexpected shape {s:?}: {d}"),
    };
    assert_mentions(d, &[FILE, shape, other, "rename"]);

    // The service's `rename` resolves it.
    model["shapes"][id("Svc")]["rename"] = json!({"example.other#Thing": "OtherThing"});
    let files = generate(&model, None).unwrap();
    assert!(files["src/types.rs"].contains("pub struct OtherThing"));
    assert!(files["src/types.rs"].contains("pub other: Option<crate::types::OtherThing>"));
}

#[test]
fn rust_name_collision_is_reported_once() {
    let all = problems(&colliding(), None);
    single(all);
}

#[test]
fn a_shape_named_like_the_unknown_value_helper() {
    // types.rs always defines `UnknownValue` (the payload of unknown enum
    // values); a model shape of that name must be renamed or reported.
    let mut model = base();
    model["shapes"][id("UnknownValue")] = json!({
        "type": "structure",
        "members": {"N": {"target": "smithy.api#String"}}
    });
    shape(&mut model, "Thing")["members"]["U"] = json!({"target": id("UnknownValue")});
    match generate(&model, None) {
        Err(d) => assert!(
            d.0.iter()
                .any(|p| p.shape.as_deref() == Some("example.bad#UnknownValue")),
            "{d}"
        ),
        Ok(files) => {
            let types = &files["src/types.rs"];
            assert_eq!(
                types.matches("pub struct UnknownValue(").count()
                    + types.matches("pub struct UnknownValue {").count(),
                1,
                "UnknownValue is defined twice in src/types.rs (E0428)"
            );
        }
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut model = base();
    shape(&mut model, "Thing")["members"]["Name"]["traits"] = json!({"example.custom#shiny": {}});
    shape(&mut model, "Thing")["traits"] = json!({"example.custom#glossy": {}});
    model["shapes"][id("When")] = json!({"type": "document"});
    shape(&mut model, "Thing")["members"]["At"] = json!({"target": id("When")});
    shape(&mut model, "Oops")["members"]["Extra"] = json!({
        "target": "smithy.api#String", "traits": {"example.custom#odd": {}}
    });
    let all = problems(&model, None);
    assert!(all.len() >= 4, "{all:#?}");
    for (shape, member, text) in [
        ("example.bad#Thing", Some("Name"), "example.custom#shiny"),
        ("example.bad#Thing", None, "example.custom#glossy"),
        ("example.bad#When", None, "document"),
        ("example.bad#Oops", Some("Extra"), "example.custom#odd"),
    ] {
        assert!(
            all.iter().any(|d| d.file.as_deref() == Some(FILE)
                && d.shape.as_deref() == Some(shape)
                && d.member.as_deref() == member
                && d.message.contains(text)),
            "{shape} {member:?} {text} not reported: {all:#?}"
        );
    }
}

#[test]
fn generate_names_the_model_file() {
    // Through `generate`, problems carry the path of the file given.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("model-errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shiny.json");
    let mut model = base();
    shape(&mut model, "Thing")["members"]["Name"]["traits"] = json!({"example.custom#shiny": {}});
    std::fs::write(&path, model.to_string()).unwrap();
    let err = codegen::generate(&Options::new(vec![path.clone()])).unwrap_err();
    let d = single(err.0);
    assert_eq!(d.file, Some(path.display().to_string()));
    assert_eq!(d.member.as_deref(), Some("Name"));
}

fn official_model() -> Option<PathBuf> {
    let path = std::env::var_os("S3_OFFICIAL_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/s3.json")
        });
    if path.exists() {
        Some(path)
    } else {
        println!("official model not found at {}; skipped", path.display());
        None
    }
}

#[test]
fn official_model_generates_every_operation() {
    let Some(path) = official_model() else { return };
    let files = codegen::generate(&Options::new(vec![path])).unwrap_or_else(|d| panic!("{d}"));
    let ops = files
        .keys()
        .filter(|k| k.starts_with("src/operation/"))
        .count();
    assert_eq!(ops, 112);
}

#[test]
fn problems_in_the_official_model_name_file_and_shape() {
    let Some(path) = official_model() else { return };
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    // Three unsupported traits applied from a second file.
    let extra = r#"{"smithy": "2.0", "shapes": {
        "com.amazonaws.s3#Tag": {"type": "apply", "traits": {"example.custom#shiny": {}}},
        "com.amazonaws.s3#Tag$Key": {"type": "apply", "traits": {"example.custom#shiny": {}}},
        "com.amazonaws.s3#PutObject": {"type": "apply", "traits": {"example.custom#shiny": {}}}
    }}"#;
    let model = Model::from_sources(&[(file.as_str(), text.as_str()), ("extra.json", extra)])
        .unwrap_or_else(|d| panic!("{d}"));
    let err = codegen::generate_from_model(&model, &Options::new(vec![path.clone()])).unwrap_err();
    assert_eq!(err.len(), 3, "{err}");
    for d in &err.0 {
        assert_eq!(d.file.as_deref(), Some(file.as_str()), "{d}");
        assert!(d.shape.as_deref().is_some_and(|s| s.contains('#')), "{d}");
        assert!(d.message.contains("example.custom#shiny"), "{d}");
    }
    assert!(
        err.0.iter().any(|d| d.member.as_deref() == Some("Key")),
        "{err}"
    );
    let text = err.to_string();
    for line in text.lines().skip(1) {
        assert!(
            line.trim_start().starts_with(&format!("{file}: ")),
            "{line}"
        );
    }
}

#[test]
fn official_model_with_one_operation_generates() {
    let Some(path) = official_model() else { return };
    let opts = Options {
        ops: Some(vec!["PutBucketAnalyticsConfiguration".into()]),
        ..Options::new(vec![path])
    };
    let files = codegen::generate(&opts).unwrap_or_else(|d| panic!("{d}"));
    assert!(files.contains_key("src/operation/put_bucket_analytics_configuration.rs"));
    let ops: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("src/operation/"))
        .collect();
    assert_eq!(ops.len(), 1, "{ops:?}");
}

/// The base model plus an operation `GetEvents` whose output payload is the
/// event stream `Events` with one event `Tick` (a header and a payload).
fn with_event_stream() -> Value {
    let mut model = base();
    let shapes = model["shapes"].as_object_mut().unwrap();
    shapes["example.bad#Svc"]["operations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"target": "example.bad#GetEvents"}));
    for (name, value) in [
        (
            "GetEvents",
            json!({
                "type": "operation",
                "input": {"target": "example.bad#GetEventsRequest"},
                "output": {"target": "example.bad#GetEventsOutput"},
                "traits": {"smithy.api#http": {"method": "POST", "uri": "/{Bucket}?events", "code": 200}}
            }),
        ),
        (
            "GetEventsRequest",
            json!({
                "type": "structure",
                "members": {"Bucket": {"target": "smithy.api#String",
                    "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}}},
                "traits": {"smithy.api#input": {}}
            }),
        ),
        (
            "GetEventsOutput",
            json!({
                "type": "structure",
                "members": {"Payload": {"target": "example.bad#Events",
                    "traits": {"smithy.api#httpPayload": {}}}},
                "traits": {"smithy.api#output": {}}
            }),
        ),
        (
            "Events",
            json!({
                "type": "union",
                "members": {"Tick": {"target": "example.bad#Tick"}},
                "traits": {"smithy.api#streaming": {}}
            }),
        ),
        (
            "Tick",
            json!({
                "type": "structure",
                "members": {
                    "Count": {"target": "smithy.api#Integer", "traits": {"smithy.api#eventHeader": {}}},
                    "Data": {"target": "smithy.api#Blob", "traits": {"smithy.api#eventPayload": {}}}
                }
            }),
        ),
    ] {
        shapes.insert(id(name), value);
    }
    model
}

#[test]
fn an_event_stream_output_generates_its_events() {
    let files = generate(&with_event_stream(), None).unwrap();
    let types = &files["src/types.rs"];
    assert!(types.contains("impl crate::event_stream::Event for Events"));
    assert!(files["src/operation/get_events.rs"].contains("Option<Vec<crate::types::Events>>"));
}

#[test]
fn an_event_stream_in_an_input_is_not_supported() {
    let mut model = with_event_stream();
    shape(&mut model, "GetEventsRequest")["members"]["Stream"] =
        json!({"target": "example.bad#Events", "traits": {"smithy.api#httpPayload": {}}});
    let d = single(problems(&model, None));
    assert_eq!(d.shape.as_deref(), Some("example.bad#GetEventsRequest"));
    assert_eq!(d.member.as_deref(), Some("Stream"));
    assert!(
        d.message
            .contains("event streams in operation inputs are not supported"),
        "{d}"
    );
}

#[test]
fn an_event_stream_outside_the_payload_is_rejected() {
    let mut model = with_event_stream();
    shape(&mut model, "GetEventsOutput")["members"]["Payload"]["traits"] = json!({});
    let d = single(problems(&model, None));
    assert_mentions(&d, &["example.bad#GetEventsOutput$Payload", "httpPayload"]);
}

#[test]
fn modeled_exceptions_in_event_streams_are_not_supported() {
    let mut model = with_event_stream();
    shape(&mut model, "Events")["members"]["Oops"] = json!({"target": "example.bad#Oops"});
    let d = single(problems(&model, None));
    assert_mentions(&d, &["example.bad#Events$Oops", "modeled exceptions"]);
}

#[test]
fn event_members_need_an_event_binding() {
    let mut model = with_event_stream();
    shape(&mut model, "Tick")["members"]["Note"] = json!({"target": "smithy.api#String"});
    let d = single(problems(&model, None));
    assert_mentions(
        &d,
        &[
            "example.bad#Tick$Note",
            "neither eventHeader nor eventPayload",
        ],
    );
}

#[test]
fn event_traits_outside_events_are_rejected() {
    let mut model = with_event_stream();
    shape(&mut model, "Thing")["members"]["Name"]["traits"] = json!({"smithy.api#eventHeader": {}});
    let d = single(problems(&model, None));
    assert_mentions(&d, &["example.bad#Thing$Name", "event structures"]);
}

#[test]
fn float_event_headers_are_rejected() {
    let mut model = with_event_stream();
    shape(&mut model, "Tick")["members"]["Count"]["target"] = json!("smithy.api#Double");
    let d = single(problems(&model, None));
    assert_mentions(&d, &["example.bad#Tick$Count", "EventHeader"]);
}

/// Malformed trait values are reported where the trait is, all at once.
#[test]
fn malformed_trait_values_name_file_shape_and_member() {
    let mut model = base();
    let request = shape(&mut model, "PutThingRequest");
    request["members"]["Owner"]["traits"]["smithy.api#httpHeader"] = json!(5);
    request["members"]["Bucket"]["traits"]["smithy.api#required"] = json!(true);
    shape(&mut model, "Oops")["traits"] = json!({
        "smithy.api#error": "nobody", "smithy.api#httpError": 40
    });
    shape(&mut model, "Thing")["traits"] = json!({"smithy.api#xmlName": ["Thing"]});
    let all = problems(&model, None);
    for (shape, member, text) in [
        (
            "example.bad#PutThingRequest",
            Some("Owner"),
            "smithy.api#httpHeader must be a string",
        ),
        (
            "example.bad#PutThingRequest",
            Some("Bucket"),
            "smithy.api#required is an annotation trait: its value must be {}",
        ),
        (
            "example.bad#Oops",
            None,
            "smithy.api#error must be \"client\" or \"server\"",
        ),
        (
            "example.bad#Oops",
            None,
            "smithy.api#httpError must be an HTTP status code",
        ),
        (
            "example.bad#Thing",
            None,
            "smithy.api#xmlName must be a string",
        ),
    ] {
        assert!(
            all.iter().any(|d| d.file.as_deref() == Some(FILE)
                && d.shape.as_deref() == Some(shape)
                && d.member.as_deref() == member
                && d.message.contains(text)),
            "{shape} {member:?} {text} not reported: {all:#?}"
        );
    }
    assert_eq!(all.len(), 5, "{all:#?}");
}

#[test]
fn malformed_http_trait() {
    let mut model = base();
    shape(&mut model, "PutThing")["traits"]["smithy.api#http"] =
        json!({"method": "put", "uri": "/{}/x{Bucket}", "code": "200"});
    let mut all: Vec<String> = problems(&model, None)
        .iter()
        .map(|d| {
            assert_eq!(d.shape.as_deref(), Some("example.bad#PutThing"), "{d}");
            d.message.clone()
        })
        .collect();
    all.sort();
    assert_eq!(
        all,
        [
            "URI segment `x{Bucket}` mixes a label with literal text",
            "URI segment `{}` has an empty label",
            "smithy.api#http needs an upper-case \"method\"",
            "the \"code\" of smithy.api#http must be an HTTP status code (an integer from 100 to 999)",
        ]
    );
}

#[test]
fn malformed_timestamp_format() {
    let mut model = base();
    shape(&mut model, "Thing")["members"]["At"] = json!({
        "target": "smithy.api#Timestamp",
        "traits": {"smithy.api#timestampFormat": "iso"}
    });
    let d = single(problems(&model, None));
    assert_mentions(
        &d,
        &[
            FILE,
            "example.bad#Thing$At",
            "unknown timestampFormat \"iso\"",
        ],
    );
}
