//! The model loader (`codegen::model`): every Smithy 2.0 shape type, member
//! order, traits, `apply`, mixins, metadata, merging several files, the
//! prelude, problems reported all at once (each naming file, shape and
//! member), and the official S3 model and the restXml protocol-test model.

use std::path::{Path, PathBuf};

use codegen::Diagnostic;
use codegen::model::{Kind, Model, Operation, Resource, Service};
use serde_json::{Value, json};

/// Loads in-memory files; panics with every problem when loading fails.
fn load(sources: &[(&str, Value)]) -> Model {
    let texts: Vec<(&str, String)> = sources
        .iter()
        .map(|(f, v)| (*f, serde_json::to_string_pretty(v).unwrap()))
        .collect();
    let refs: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (*f, t.as_str())).collect();
    Model::from_sources(&refs).unwrap_or_else(|d| panic!("model does not load:\n{d}"))
}

/// Loads in-memory files that must fail; returns every problem.
fn problems(sources: &[(&str, &str)]) -> Vec<Diagnostic> {
    match Model::from_sources(sources) {
        Ok(_) => panic!("the model loaded, but problems were expected"),
        Err(d) => d.0,
    }
}

fn model_file(shapes: Value) -> Value {
    json!({"smithy": "2.0", "shapes": shapes})
}

fn names(model: &Model, id: &str) -> Vec<String> {
    model.shapes[id]
        .members
        .iter()
        .map(|m| m.name.clone())
        .collect()
}

const S: &str = "smithy.api#String";

#[test]
fn every_shape_type_loads() {
    let simple = [
        ("Blob", "blob", Kind::Blob),
        ("Bool", "boolean", Kind::Boolean),
        ("Str", "string", Kind::String),
        ("Byte", "byte", Kind::Byte),
        ("Short", "short", Kind::Short),
        ("Int", "integer", Kind::Integer),
        ("Long", "long", Kind::Long),
        ("Float", "float", Kind::Float),
        ("Double", "double", Kind::Double),
        ("BigInt", "bigInteger", Kind::BigInteger),
        ("BigDec", "bigDecimal", Kind::BigDecimal),
        ("Time", "timestamp", Kind::Timestamp),
        ("Doc", "document", Kind::Document),
    ];
    let mut shapes = serde_json::Map::new();
    for (name, ty, _) in &simple {
        shapes.insert(format!("ex.all#{name}"), json!({"type": ty}));
    }
    let more = json!({
        "ex.all#Color": {"type": "enum", "members": {
            "RED": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "red"}},
            "BLUE": {"target": "smithy.api#Unit"}
        }},
        "ex.all#Level": {"type": "intEnum", "members": {
            "LOW": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 1}}
        }},
        "ex.all#StrList": {"type": "list", "member": {"target": S}},
        "ex.all#StrSet": {"type": "set", "member": {"target": S}},
        "ex.all#StrMap": {"type": "map", "key": {"target": S}, "value": {"target": "ex.all#Int"}},
        "ex.all#Thing": {"type": "structure", "members": {"Id": {"target": S}}},
        "ex.all#Either": {"type": "union", "members": {
            "A": {"target": S}, "B": {"target": "ex.all#Thing"}
        }},
        "ex.all#Failure": {"type": "structure", "members": {},
                           "traits": {"smithy.api#error": "client"}},
        "ex.all#Svc": {
            "type": "service",
            "version": "2024-01-01",
            "operations": [{"target": "ex.all#Ping"}],
            "resources": [{"target": "ex.all#Widget"}],
            "errors": [{"target": "ex.all#Failure"}],
            "rename": {"ex.all#Thing": "Item"}
        },
        "ex.all#Ping": {
            "type": "operation",
            "input": {"target": "ex.all#Thing"},
            "output": {"target": "smithy.api#Unit"},
            "errors": [{"target": "ex.all#Failure"}]
        },
        "ex.all#NoIo": {"type": "operation"},
        "ex.all#Widget": {
            "type": "resource",
            "identifiers": {"WidgetId": {"target": S}},
            "properties": {"Size": {"target": "ex.all#Int"}},
            "create": {"target": "ex.all#NoIo"},
            "put": {"target": "ex.all#NoIo"},
            "read": {"target": "ex.all#Ping"},
            "update": {"target": "ex.all#NoIo"},
            "delete": {"target": "ex.all#NoIo"},
            "list": {"target": "ex.all#NoIo"},
            "operations": [{"target": "ex.all#Ping"}],
            "collectionOperations": [{"target": "ex.all#NoIo"}],
            "resources": [{"target": "ex.all#Part"}]
        },
        "ex.all#Part": {"type": "resource"}
    });
    for (k, v) in more.as_object().unwrap() {
        shapes.insert(k.clone(), v.clone());
    }
    let model = load(&[("all.json", model_file(Value::Object(shapes)))]);

    for (name, _, kind) in &simple {
        let shape = &model.shapes[&format!("ex.all#{name}")];
        assert_eq!(&shape.kind, kind, "{name}");
        assert_eq!(shape.file, "all.json");
    }
    let kind = |id: &str| model.shapes[id].kind.clone();
    assert_eq!(kind("ex.all#Color"), Kind::Enum);
    assert_eq!(names(&model, "ex.all#Color"), ["RED", "BLUE"]);
    let red = model.shapes["ex.all#Color"].member("RED").unwrap();
    assert_eq!(red.target, "smithy.api#Unit");
    assert_eq!(red.traits["smithy.api#enumValue"], "red");
    assert_eq!(kind("ex.all#Level"), Kind::IntEnum);
    assert_eq!(
        model.shapes["ex.all#Level"].members[0].traits["smithy.api#enumValue"],
        1
    );
    assert_eq!(kind("ex.all#StrList"), Kind::List);
    assert_eq!(kind("ex.all#StrSet"), Kind::Set);
    assert_eq!(names(&model, "ex.all#StrSet"), ["member"]);
    assert_eq!(kind("ex.all#StrMap"), Kind::Map);
    assert_eq!(names(&model, "ex.all#StrMap"), ["key", "value"]);
    assert_eq!(
        model.shapes["ex.all#StrMap"]
            .member("value")
            .unwrap()
            .target,
        "ex.all#Int"
    );
    assert_eq!(kind("ex.all#Thing"), Kind::Structure);
    assert_eq!(kind("ex.all#Either"), Kind::Union);
    assert_eq!(names(&model, "ex.all#Either"), ["A", "B"]);

    assert_eq!(
        kind("ex.all#Svc"),
        Kind::Service(Service {
            version: Some("2024-01-01".into()),
            operations: vec!["ex.all#Ping".into()],
            resources: vec!["ex.all#Widget".into()],
            errors: vec!["ex.all#Failure".into()],
            rename: [("ex.all#Thing".to_string(), "Item".to_string())]
                .into_iter()
                .collect(),
        })
    );
    assert_eq!(
        kind("ex.all#Ping"),
        Kind::Operation(Operation {
            input: "ex.all#Thing".into(),
            output: "smithy.api#Unit".into(),
            errors: vec!["ex.all#Failure".into()],
        })
    );
    // Input and output default to smithy.api#Unit.
    assert_eq!(
        kind("ex.all#NoIo"),
        Kind::Operation(Operation {
            input: "smithy.api#Unit".into(),
            output: "smithy.api#Unit".into(),
            errors: vec![],
        })
    );
    let Kind::Resource(Resource {
        identifiers,
        properties,
        operations,
        resources,
    }) = kind("ex.all#Widget")
    else {
        panic!("Widget is not a resource");
    };
    assert_eq!(identifiers, [("WidgetId".to_string(), S.to_string())]);
    assert_eq!(properties, [("Size".to_string(), "ex.all#Int".to_string())]);
    // Lifecycle operations (create, put, read, update, delete, list), then
    // `operations`, then `collectionOperations`.
    let mut expected = vec!["ex.all#NoIo"; 8];
    expected[2] = "ex.all#Ping";
    expected[6] = "ex.all#Ping";
    assert_eq!(operations, expected);
    assert_eq!(resources, ["ex.all#Part"]);
    assert_eq!(kind("ex.all#Part"), Kind::Resource(Resource::default()));
}

#[test]
fn member_order_is_the_model_order() {
    let model = load(&[(
        "order.json",
        model_file(json!({
            "ex.order#Shuffled": {"type": "structure", "members": {
                "Zeta": {"target": S},
                "alpha": {"target": S},
                "Mid": {"target": S},
                "Beta": {"target": S},
                "aardvark": {"target": S}
            }},
            "ex.order#Choice": {"type": "union", "members": {
                "Y": {"target": S}, "X": {"target": S}
            }}
        })),
    )]);
    assert_eq!(
        names(&model, "ex.order#Shuffled"),
        ["Zeta", "alpha", "Mid", "Beta", "aardvark"]
    );
    assert_eq!(names(&model, "ex.order#Choice"), ["Y", "X"]);
}

#[test]
fn traits_are_kept() {
    let model = load(&[(
        "traits.json",
        model_file(json!({
            "ex.t#Thing": {
                "type": "structure",
                "members": {"Id": {"target": S, "traits": {
                    "smithy.api#xmlName": "ID",
                    "smithy.api#required": {},
                    "ex.custom#note": {"nested": [1, 2, {"deep": true}]}
                }}},
                "traits": {
                    "smithy.api#documentation": "A thing.",
                    "smithy.api#xmlNamespace": {"uri": "https://example.com", "prefix": "t"}
                }
            }
        })),
    )]);
    let thing = &model.shapes["ex.t#Thing"];
    assert_eq!(thing.traits["smithy.api#documentation"], "A thing.");
    assert_eq!(
        thing.traits["smithy.api#xmlNamespace"],
        json!({"uri": "https://example.com", "prefix": "t"})
    );
    let id = thing.member("Id").unwrap();
    assert_eq!(
        id.traits.keys().collect::<Vec<_>>(),
        [
            "smithy.api#xmlName",
            "smithy.api#required",
            "ex.custom#note"
        ],
        "trait order is the model's"
    );
    assert_eq!(
        id.traits["ex.custom#note"],
        json!({"nested": [1, 2, {"deep": true}]})
    );
}

#[test]
fn apply_adds_traits_to_shapes_and_members() {
    // Apply statements may come before the shape (in file order) and in other files.
    let model = load(&[
        (
            "apply-first.json",
            model_file(json!({
                "ex.a#Thing$Id": {"type": "apply", "traits": {"smithy.api#xmlName": "ID"}}
            })),
        ),
        (
            "shapes.json",
            model_file(json!({
                "ex.a#Thing": {
                    "type": "structure",
                    "members": {"Id": {"target": S, "traits": {"smithy.api#required": {}}}},
                    "traits": {"smithy.api#documentation": "A thing."}
                }
            })),
        ),
        (
            "apply-after.json",
            model_file(json!({
                "ex.a#Thing": {"type": "apply", "traits": {
                    "smithy.api#xmlName": "ThingRoot",
                    // Same value as the shape's own: not a conflict.
                    "smithy.api#documentation": "A thing."
                }}
            })),
        ),
    ]);
    let thing = &model.shapes["ex.a#Thing"];
    assert_eq!(thing.file, "shapes.json", "the shape keeps its own file");
    assert_eq!(thing.traits["smithy.api#xmlName"], "ThingRoot");
    assert_eq!(thing.traits["smithy.api#documentation"], "A thing.");
    let id = thing.member("Id").unwrap();
    assert_eq!(id.traits["smithy.api#xmlName"], "ID");
    assert!(id.traits.contains_key("smithy.api#required"));
    assert!(
        !model.shapes.keys().any(|k| k.contains('$')),
        "apply statements are not shapes"
    );
}

#[test]
fn mixins_are_flattened() {
    let model = load(&[(
        "mixins.json",
        model_file(json!({
            "ex.m#Base": {
                "type": "structure",
                "members": {
                    "B1": {"target": S, "traits": {"smithy.api#documentation": "from base"}},
                    "B2": {"target": S}
                },
                "traits": {
                    "smithy.api#mixin": {"localTraits": ["smithy.api#deprecated"]},
                    "smithy.api#documentation": "Base docs.",
                    "smithy.api#xmlName": "BaseName",
                    "smithy.api#deprecated": {}
                }
            },
            "ex.m#Extra": {
                "type": "structure",
                "members": {"E1": {"target": S}},
                "traits": {"smithy.api#mixin": {}, "smithy.api#sensitive": {}}
            },
            "ex.m#Derived": {
                "type": "structure",
                "mixins": [{"target": "ex.m#Base"}, {"target": "ex.m#Extra"}],
                "members": {
                    "Own": {"target": S},
                    // Redeclared with the same target: adds a trait.
                    "B2": {"target": S, "traits": {"smithy.api#required": {}}}
                },
                "traits": {"smithy.api#xmlName": "DerivedName"}
            },
            // A mixin that itself uses a mixin.
            "ex.m#Middle": {
                "type": "structure",
                "mixins": [{"target": "ex.m#Base"}],
                "members": {"M1": {"target": S}},
                "traits": {"smithy.api#mixin": {}}
            },
            "ex.m#Bottom": {
                "type": "structure",
                "mixins": [{"target": "ex.m#Middle"}],
                "members": {"Z": {"target": S}}
            }
        })),
    )]);
    let derived = &model.shapes["ex.m#Derived"];
    assert_eq!(names(&model, "ex.m#Derived"), ["B1", "B2", "E1", "Own"]);
    assert_eq!(
        derived.member("B1").unwrap().traits["smithy.api#documentation"],
        "from base"
    );
    assert!(
        derived
            .member("B2")
            .unwrap()
            .traits
            .contains_key("smithy.api#required")
    );
    // Inherited traits, except the mixin trait and local traits; own traits win.
    assert_eq!(derived.traits["smithy.api#documentation"], "Base docs.");
    assert!(derived.traits.contains_key("smithy.api#sensitive"));
    assert_eq!(derived.traits["smithy.api#xmlName"], "DerivedName");
    assert!(!derived.traits.contains_key("smithy.api#mixin"));
    assert!(!derived.traits.contains_key("smithy.api#deprecated"));
    // The mixins themselves are unchanged.
    assert_eq!(names(&model, "ex.m#Base"), ["B1", "B2"]);
    assert!(
        model.shapes["ex.m#Base"]
            .traits
            .contains_key("smithy.api#deprecated")
    );
    // Transitively.
    assert_eq!(names(&model, "ex.m#Bottom"), ["B1", "B2", "M1", "Z"]);
    assert_eq!(
        model.shapes["ex.m#Bottom"].traits["smithy.api#documentation"],
        "Base docs."
    );
}

#[test]
fn metadata_is_merged_across_files() {
    let file = |meta: Value| json!({"smithy": "2.0", "metadata": meta});
    let model = load(&[
        (
            "one.json",
            file(json!({"suppressions": [{"id": "A"}], "owner": "me", "only1": 1})),
        ),
        (
            "two.json",
            file(json!({"suppressions": [{"id": "B"}, {"id": "C"}], "owner": "me", "only2": [2]})),
        ),
    ]);
    assert_eq!(
        model.metadata["suppressions"],
        json!([{"id": "A"}, {"id": "B"}, {"id": "C"}]),
        "arrays are concatenated in file order"
    );
    assert_eq!(model.metadata["owner"], "me", "equal values are fine");
    assert_eq!(model.metadata["only1"], 1);
    assert_eq!(model.metadata["only2"], json!([2]));

    let conflict = problems(&[
        (
            "one.json",
            r#"{"smithy": "2.0", "metadata": {"owner": "me"}}"#,
        ),
        (
            "two.json",
            r#"{"smithy": "2.0", "metadata": {"owner": "you"}}"#,
        ),
    ]);
    assert_eq!(conflict.len(), 1, "{conflict:?}");
    assert_eq!(conflict[0].file.as_deref(), Some("two.json"));
    assert!(
        conflict[0].message.contains("owner"),
        "{}",
        conflict[0].message
    );
}

#[test]
fn several_files_merge_into_one_model() {
    let model = load(&[
        (
            "a.json",
            model_file(json!({
                "ex.one#A": {"type": "structure", "members": {"B": {"target": "ex.two#B"}}},
                // The same definition in both files is accepted.
                "ex.shared#Same": {"type": "string"}
            })),
        ),
        (
            "b.json",
            model_file(json!({
                "ex.two#B": {"type": "string"},
                "ex.shared#Same": {"type": "string"}
            })),
        ),
    ]);
    assert_eq!(model.shapes["ex.one#A"].file, "a.json");
    assert_eq!(model.shapes["ex.two#B"].file, "b.json");
    assert_eq!(model.shapes["ex.shared#Same"].kind, Kind::String);
    let own: Vec<&String> = model
        .shapes
        .values()
        .filter(|s| s.file != "<prelude>")
        .map(|s| &s.id)
        .collect();
    assert_eq!(own, ["ex.one#A", "ex.shared#Same", "ex.two#B"]);
}

#[test]
fn prelude_shapes_are_present() {
    let model = load(&[]);
    let prelude = |name: &str| &model.shapes[&format!("smithy.api#{name}")];
    assert_eq!(prelude("String").kind, Kind::String);
    assert_eq!(prelude("String").file, "<prelude>");
    assert_eq!(prelude("Unit").kind, Kind::Structure);
    assert!(prelude("Unit").traits.contains_key("smithy.api#unitType"));
    assert!(prelude("Unit").members.is_empty());
    assert_eq!(prelude("PrimitiveBoolean").kind, Kind::Boolean);
    assert_eq!(
        prelude("PrimitiveBoolean").traits["smithy.api#default"],
        false
    );
    assert_eq!(prelude("PrimitiveInteger").traits["smithy.api#default"], 0);
    assert!(!prelude("Boolean").traits.contains_key("smithy.api#default"));
    for name in [
        "Blob",
        "BigInteger",
        "BigDecimal",
        "Timestamp",
        "Document",
        "Byte",
        "Short",
        "Integer",
        "Long",
        "Float",
        "Double",
    ] {
        assert!(model.shapes.contains_key(&format!("smithy.api#{name}")));
    }
    // Redefining a prelude shape is a problem.
    let p = problems(&[(
        "redefine.json",
        r#"{"smithy": "2.0", "shapes": {"smithy.api#String": {"type": "string"}}}"#,
    )]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].shape.as_deref(), Some("smithy.api#String"));
}

/// The problem with exactly this file, shape and member whose message contains `text`.
fn expect(all: &[Diagnostic], file: &str, shape: Option<&str>, member: Option<&str>, text: &str) {
    let found = all.iter().any(|d| {
        d.file.as_deref() == Some(file)
            && d.shape.as_deref() == shape
            && d.member.as_deref() == member
            && d.message.contains(text)
    });
    let listing: Vec<String> = all.iter().map(|d| format!("  {d:?}")).collect();
    assert!(
        found,
        "no problem {file} / {shape:?} / {member:?} containing {text:?}; got:\n{}",
        listing.join("\n")
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let broken = r#"{"smithy": "2.0", "shapes": { "ex.p#A": "#;
    let main = json!({
        "smithy": "2.0",
        "shapes": {
            "ex.p#Weird": {"type": "widget"},
            "ex.p#Extra": {"type": "string", "colour": "red"},
            "ex.p#S": {"type": "structure", "members": {
                "NoTarget": {"traits": {}},
                "Extra": {"target": "smithy.api#String", "why": 1},
                "Dangling": {"target": "ex.p#Nowhere"},
                "BadTrait": {"target": "smithy.api#String", "traits": {"required": {}}}
            }},
            "ex.p#Missing": {"type": "apply", "traits": {"smithy.api#documentation": "x"}},
            "ex.p#S$Ghost": {"type": "apply", "traits": {"smithy.api#documentation": "x"}},
            "ex.p#Doc": {"type": "string", "traits": {"smithy.api#documentation": "one"}},
            "ex.p#Doc$ignored": {"type": "apply", "traits": {}},
            "ex.p#Twice": {"type": "string"},
            "ex.p#Cycle1": {"type": "structure", "mixins": [{"target": "ex.p#Cycle2"}],
                            "members": {}, "traits": {"smithy.api#mixin": {}}},
            "ex.p#Cycle2": {"type": "structure", "mixins": [{"target": "ex.p#Cycle1"}],
                            "members": {}, "traits": {"smithy.api#mixin": {}}}
        }
    })
    .to_string();
    let other = json!({
        "smithy": "2.0",
        "shapes": {
            "ex.p#Doc": {"type": "apply", "traits": {"smithy.api#documentation": "two"}},
            "ex.p#Twice": {"type": "integer"}
        }
    })
    .to_string();
    let all = problems(&[
        ("broken.json", broken),
        ("main.json", &main),
        ("other.json", &other),
    ]);
    let p = |shape: &str| Some(format!("ex.p#{shape}"));
    let (main, other) = ("main.json", "other.json");

    expect(&all, "broken.json", None, None, "not valid JSON");
    expect(
        &all,
        main,
        p("Weird").as_deref(),
        None,
        "unknown shape type \"widget\"",
    );
    expect(&all, main, p("Extra").as_deref(), None, "\"colour\"");
    expect(&all, main, p("S").as_deref(), Some("NoTarget"), "target");
    expect(&all, main, p("S").as_deref(), Some("Extra"), "\"why\"");
    expect(
        &all,
        main,
        p("S").as_deref(),
        Some("Dangling"),
        "ex.p#Nowhere",
    );
    expect(
        &all,
        main,
        p("S").as_deref(),
        Some("BadTrait"),
        "\"required\"",
    );
    expect(&all, main, p("Missing").as_deref(), None, "not defined");
    expect(
        &all,
        main,
        p("S").as_deref(),
        Some("Ghost"),
        "member that is not defined",
    );
    expect(
        &all,
        main,
        p("Doc").as_deref(),
        Some("ignored"),
        "member that is not defined",
    );
    expect(
        &all,
        other,
        p("Doc").as_deref(),
        None,
        "smithy.api#documentation",
    );
    expect(&all, other, p("Twice").as_deref(), None, "main.json");
    let cycle = all
        .iter()
        .filter(|d| d.message.contains("cycle"))
        .collect::<Vec<_>>();
    assert!(
        !cycle.is_empty()
            && cycle.iter().all(|d| {
                d.file.as_deref() == Some(main)
                    && matches!(d.shape.as_deref(), Some("ex.p#Cycle1" | "ex.p#Cycle2"))
            }),
        "mixin cycle not reported: {all:#?}"
    );
    assert_eq!(all.len(), 13, "one problem each, nothing else: {all:#?}");

    // The Display form names file, shape and member on one line.
    let line = all
        .iter()
        .find(|d| d.member.as_deref() == Some("Dangling"))
        .unwrap()
        .to_string();
    assert!(line.starts_with("main.json: ex.p#S$Dangling: "), "{line}");
}

#[test]
fn load_reads_files_and_reports_unreadable_ones() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("loader-files");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        model_file(json!({"ex.f#A": {"type": "string"}})).to_string(),
    )
    .unwrap();
    let model = Model::load(&[&good]).unwrap();
    assert_eq!(model.shapes["ex.f#A"].file, good.display().to_string());

    let absent = dir.join("absent.json");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "[]").unwrap();
    let err = Model::load(&[&good, &absent, &bad]).unwrap_err();
    assert_eq!(err.len(), 2, "{err}");
    let files: Vec<Option<String>> = err.0.iter().map(|d| d.file.clone()).collect();
    assert!(files.contains(&Some(absent.display().to_string())), "{err}");
    assert!(files.contains(&Some(bad.display().to_string())), "{err}");
}

/// A file under `/work/shared`, found relative to this crate; `env` overrides it.
fn shared(env: Option<&str>, rel: &str) -> PathBuf {
    env.and_then(std::env::var_os)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
}

#[test]
fn official_s3_model_loads() {
    let path = shared(Some("S3_OFFICIAL_MODEL"), "../../shared/models/s3.json");
    if !path.exists() {
        println!("official model not found at {}; skipped", path.display());
        return;
    }
    let model = Model::load(&[&path]).unwrap_or_else(|d| panic!("{d}"));
    let own = model
        .shapes
        .values()
        .filter(|s| s.file != "<prelude>")
        .count();
    assert_eq!(own, 819);
    let Kind::Service(svc) = &model.shapes["com.amazonaws.s3#AmazonS3"].kind else {
        panic!("AmazonS3 is not a service");
    };
    assert_eq!(svc.operations.len(), 112);
    assert_eq!(svc.version.as_deref(), Some("2006-03-01"));
    assert!(
        svc.operations
            .iter()
            .all(|op| matches!(model.shapes[op].kind, Kind::Operation(_)))
    );
    // Model order of members survives: PutObjectRequest starts with ACL, Body, Bucket.
    let put = names(&model, "com.amazonaws.s3#PutObjectRequest");
    assert_eq!(put[..3], ["ACL", "Body", "Bucket"]);
}

#[test]
fn restxml_protocol_test_model_loads() {
    let path = shared(None, "../../shared/protocol-tests/restxml.json");
    if !path.exists() {
        println!(
            "protocol-test model not found at {}; skipped",
            path.display()
        );
        return;
    }
    let model = Model::load(&[&path]).unwrap_or_else(|d| panic!("{d}"));
    for svc in [
        "aws.protocoltests.restxml#RestXml",
        "aws.protocoltests.restxml.xmlns#RestXmlWithNamespace",
    ] {
        assert!(
            matches!(model.shapes[svc].kind, Kind::Service(_)),
            "{svc} is not a service"
        );
    }
    // Mixins are flattened: XmlNamespacesRequest takes its member from a mixin.
    assert_eq!(
        names(&model, "aws.protocoltests.restxml#XmlNamespacesRequest"),
        ["nested"]
    );
}
