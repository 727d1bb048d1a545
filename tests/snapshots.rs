//! Golden files: one small fixture model per shape kind (`fixtures/*.json`),
//! and for each the generated `src/types.rs` and `src/operation/<op>.rs` as
//! insta snapshots (`snapshots/*.snap`).
//!
//! To accept a deliberate change: `INSTA_UPDATE=always cargo test -p
//! s3-api-tests --test snapshots`, then review the `.snap` diffs.
//!
//! `fixture_crates_compile` also writes every fixture crate into one Cargo
//! workspace and runs `cargo check` on it with `-D warnings`: snapshots that
//! look right must also build.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use codegen::{Files, Options};

/// Every fixture: (file stem under `fixtures/`, Rust module of its operation).
const FIXTURES: &[(&str, &str)] = &[
    ("structure", "put_structure"),
    ("union", "put_union"),
    ("enum", "put_enum"),
    ("list-wrapped", "put_wrapped_list"),
    ("list-flattened", "put_flattened_list"),
    ("nesting", "put_nesting"),
    ("map", "put_maps"),
    ("xml-names", "put_xml_names"),
    ("body-members", "put_body_members"),
    ("streaming", "put_stream"),
];

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"))
}

fn generate(name: &str, standalone: bool) -> Files {
    let opts = Options {
        models: vec![fixture_path(name)],
        package: format!("fixture-{name}"),
        standalone,
        ..Options::new(vec![])
    };
    codegen::generate(&opts).unwrap_or_else(|d| panic!("fixture {name} does not generate:\n{d}"))
}

/// Snapshots `src/types.rs` and the one operation module of fixture `name`.
fn check_fixture(name: &str) {
    let module = FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| *m)
        .expect("fixture listed in FIXTURES");
    let files = generate(name, true);
    let ops: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("src/operation/"))
        .collect();
    let op_file = format!("src/operation/{module}.rs");
    assert_eq!(
        ops,
        [&op_file],
        "fixture {name}: expected exactly one operation module"
    );
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("fixtures/{name}.json: src/types.rs"),
    }, {
        insta::assert_snapshot!(format!("{name}__types"), files["src/types.rs"]);
    });
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("fixtures/{name}.json: {op_file}"),
    }, {
        insta::assert_snapshot!(format!("{name}__operation"), files[&op_file]);
    });
}

#[test]
fn structure() {
    check_fixture("structure");
}

#[test]
fn union() {
    check_fixture("union");
}

#[test]
fn enumeration() {
    check_fixture("enum");
}

#[test]
fn list_wrapped() {
    check_fixture("list-wrapped");
}

#[test]
fn list_flattened() {
    check_fixture("list-flattened");
}

#[test]
fn nesting() {
    check_fixture("nesting");
}

#[test]
fn map() {
    check_fixture("map");
}

#[test]
fn xml_names() {
    check_fixture("xml-names");
}

#[test]
fn body_members() {
    check_fixture("body-members");
}

#[test]
fn streaming() {
    check_fixture("streaming");
}

/// The facts the snapshots were reviewed for, checked explicitly so that an
/// accepted snapshot update cannot silently lose them.
#[test]
fn reviewed_properties_hold() {
    let types = |name: &str| generate(name, true)["src/types.rs"].clone();
    let derive_of = |text: &str, item: &str| -> String {
        let at = text
            .find(item)
            .unwrap_or_else(|| panic!("{item} not generated"));
        let derive = text[..at].rfind("#[derive(").unwrap();
        text[derive..at].lines().next().unwrap().to_string()
    };
    let in_order = |text: &str, parts: &[&str]| {
        let mut from = 0;
        for p in parts {
            let at = text[from..]
                .find(p)
                .unwrap_or_else(|| panic!("{p:?} missing or out of order"));
            from += at + p.len();
        }
    };

    let t = types("structure");
    // Structures never derive Eq or Hash; a required member: no Default.
    assert_eq!(
        derive_of(&t, "pub struct Record "),
        "#[derive(Debug, Clone, PartialEq)]"
    );
    assert_eq!(
        derive_of(&t, "pub struct RecordOptions "),
        "#[derive(Debug, Clone, PartialEq, Default)]"
    );
    in_order(
        &t,
        &[
            "pub name: String,",
            "pub enabled: Option<bool>,",
            "pub count: i32,",
            "pub size: Option<i64>,",
            "pub ratio: Option<f64>,",
            "pub kind: crate::types::RecordKind,",
            "pub note: Option<String>,",
        ],
    );
    in_order(
        &t,
        &[
            "\"Name\"",
            "\"Enabled\"",
            "\"Count\"",
            "\"Size\"",
            "\"Ratio\"",
            "\"Kind\"",
            "\"Note\"",
            "\"Options\"",
        ],
    );

    let t = types("nesting");
    assert!(t.contains("pub parent: Option<Box<crate::types::TreeNode>>,"));
    assert!(t.contains("pub children: Option<Vec<crate::types::TreeNode>>,"));
    assert!(!t.contains("Box<crate::types::Inner>"));
    assert_eq!(
        derive_of(&t, "pub enum Inner "),
        "#[derive(Debug, Clone, PartialEq)]"
    );

    let t = types("list-flattened");
    assert!(t.contains(r#"s3_runtime::xml::leaf(out, "<Tag>", "</Tag>", item.as_str());"#));
    assert!(
        !t.contains("Ignored"),
        "a flattened list ignores its member's xmlName"
    );

    let t = types("xml-names");
    assert!(t.contains(r#"s3_runtime::xml::attribute(out, "id", v.as_str());"#));
    in_order(
        &t,
        &[
            r#"out.push_str("<Meta");"#,
            "let inner = v.write_xml(out)?;",
            r#"s3_runtime::xml::end(out, "</Meta>", inner);"#,
        ],
    );
    assert!(t.contains(r#""<Author xmlns:a=\"https://example.com/author\">""#));
    let op = &generate("xml-names", true)["src/operation/put_xml_names.rs"];
    assert!(op.contains(r#""<DocumentRoot xmlns=\"https://example.com/doc\"""#));

    let t = types("map");
    in_order(&t, &["<entry>", "\"<Name>\"", "\"<Text>\"", "</entry>"]);

    // A streaming payload can come from the caller, and a response head can
    // be read without its body.
    let op = &generate("streaming", true)["src/operation/put_stream.rs"];
    assert!(op.contains("impl s3_runtime::operation::StreamingInput for PutStreamRequest"));
    assert!(op.contains("impl s3_runtime::operation::StreamingOutput for PutStreamOutput"));

    let op = &generate("body-members", true)["src/operation/put_body_members.rs"];
    assert!(
        op.contains(r#"s3_runtime::uri::push_label(&mut uri, "Key", self.key.as_str(), true)?;"#)
    );
    assert!(op.contains(r#""<PutBodyMembersRequest xmlns=\"https://example.com/fixture/\"","#));
    assert!(op.contains("http::Method::POST"));
}

/// Every file in `fixtures/` is listed in `FIXTURES` (so has snapshots), and
/// every listed fixture exists.
#[test]
fn every_fixture_is_snapshotted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);

    // And no snapshot is left over from a removed or renamed fixture.
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    for entry in std::fs::read_dir(snapshots).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        let known = FIXTURES.iter().any(|(fixture, _)| {
            stem == format!("{fixture}__types") || stem == format!("{fixture}__operation")
        });
        assert!(known, "snapshots/{name} belongs to no fixture");
    }
}

/// Runs `cargo` with `args` in `dir`; panics with cargo's stderr on failure.
fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("RUSTFLAGS", "-D warnings")
        // Would take precedence over RUSTFLAGS.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "`cargo {}` failed in {} ({}):\n{stderr}",
        args.join(" "),
        dir.display(),
        out.status
    );
    println!(
        "cargo {} took {:.1}s",
        args.join(" "),
        start.elapsed().as_secs_f64()
    );
}

/// Every fixture crate, generated as a member of one workspace, builds
/// without warnings: with all targets (tests, the `wire` example, the `serde`
/// feature through the dev-dependency) and as a plain library (no `serde`).
#[test]
fn fixture_crates_compile() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("fixture-crates");
    let target_dir = tmp.join("fixture-crates-target");
    std::fs::create_dir_all(&root).unwrap();

    let mut members = Vec::new();
    for (name, _) in FIXTURES {
        let files = generate(name, false);
        assert!(
            !files["Cargo.toml"].contains("[workspace]"),
            "standalone: false must not add a [workspace] table"
        );
        let out = root.join(name);
        // Rewrite only when something changed, so reruns stay incremental.
        let stale = codegen::output::check(&out, &files).unwrap();
        if !stale.is_empty() {
            codegen::output::write(&out, &files).unwrap();
        }
        members.push(format!("{name:?}"));
    }
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members.join(", ")
    );
    write_if_changed(&root.join("Cargo.toml"), &manifest);
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    // The repository's lock file, so the fixture crates build with the same
    // dependency versions (cargo prunes and extends it as needed).
    std::fs::copy(&lock, root.join("Cargo.lock")).unwrap();

    let start = Instant::now();
    cargo(
        &root,
        &target_dir,
        &["check", "--offline", "--workspace", "--all-targets"],
    );
    cargo(&root, &target_dir, &["check", "--offline", "--workspace"]);
    println!(
        "fixture crates checked in {:.1}s",
        start.elapsed().as_secs_f64()
    );
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

// ---------------------------------------------------------------------------
// Generated code that does not build or is wrong on the wire (known bugs).
// ---------------------------------------------------------------------------

/// A service `p#Svc` with one operation `name` (`PUT /{Bucket}`) whose input
/// is `p#Input`: label `Bucket` plus `members`; `shapes` are added.
fn probe_model(name: &str, members: serde_json::Value, shapes: serde_json::Value) -> String {
    let mut input = serde_json::json!({
        "Bucket": {"target": "smithy.api#String",
                   "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}}
    });
    input
        .as_object_mut()
        .unwrap()
        .extend(members.as_object().unwrap().clone());
    let mut all = serde_json::json!({
        "p#Svc": {"type": "service", "version": "1",
                  "operations": [{"target": format!("p#{name}")}],
                  "traits": {"aws.protocols#restXml": {}}},
        format!("p#{name}"): {"type": "operation", "input": {"target": "p#Input"},
                  "traits": {"smithy.api#http": {"method": "PUT", "uri": "/{Bucket}", "code": 200}}},
        "p#Input": {"type": "structure", "members": input}
    });
    all.as_object_mut()
        .unwrap()
        .extend(shapes.as_object().unwrap().clone());
    serde_json::json!({"smithy": "2.0", "shapes": all}).to_string()
}

fn generate_probe(model: &str) -> Files {
    let model = codegen::model::Model::from_sources(&[("probe.json", model)])
        .unwrap_or_else(|d| panic!("{d}"));
    let opts = Options {
        package: "probe".into(),
        standalone: true,
        ..Options::new(vec![])
    };
    codegen::generate_from_model(&model, &opts).unwrap_or_else(|d| panic!("{d}"))
}

/// rustc's `non_camel_case_types` rule: no lower-case start, no `__`, and no
/// `_` next to a cased character (leading and trailing `_` aside).
fn is_camel_case(name: &str) -> bool {
    let name = name.trim_matches('_');
    let chars: Vec<char> = name.chars().collect();
    let cased = |c: char| c.is_lowercase() || c.is_uppercase();
    !chars.first().is_some_and(|c| c.is_lowercase())
        && !name.contains("__")
        && !chars
            .windows(2)
            .any(|w| (cased(w[0]) && w[1] == '_') || (w[0] == '_' && cased(w[1])))
}

#[test]
fn camel_case_rule_matches_rustc() {
    for ok in ["Unknown", "Self_", "_1x", "StandardIa", "V1", "Unknown2"] {
        assert!(is_camel_case(ok), "{ok}");
    }
    for bad in ["Unknown_2", "dark", "Dark_Green", "A__B"] {
        assert!(!is_camel_case(bad), "{bad}");
    }
}

#[test]
fn fallback_variant_names_are_camel_case() {
    let model = probe_model(
        "PutProbe",
        serde_json::json!({"Body": {"target": "p#Holder", "traits": {"smithy.api#httpPayload": {}}}}),
        serde_json::json!({
            "p#Holder": {"type": "structure", "members": {
                "E": {"target": "p#Mood"}, "U": {"target": "p#Pick"}
            }},
            "p#Mood": {"type": "enum", "members": {
                "HAPPY": {"target": "smithy.api#Unit"},
                "UNKNOWN": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "unknown"}}
            }},
            "p#Pick": {"type": "union", "members": {
                "Unknown": {"target": "smithy.api#String"},
                "Known": {"target": "smithy.api#String"}
            }}
        }),
    );
    let files = generate_probe(&model);
    let types = &files["src/types.rs"];
    // Every variant is used as `Self::Variant` in the generated impls.
    let variants: Vec<&str> = types
        .split("Self::")
        .skip(1)
        .map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    assert!(variants.contains(&"Happy"), "{variants:?}");
    // `Self::from(…)` and other method calls start in lower case; variants never do.
    let bad: Vec<&&str> = variants
        .iter()
        .filter(|v| v.starts_with(|c: char| c.is_uppercase()) && !is_camel_case(v))
        .collect();
    assert!(bad.is_empty(), "variants rustc warns about: {bad:?}");
}

#[test]
fn keyword_operation_module_file_matches_its_declaration() {
    let files = generate_probe(&probe_model(
        "Type",
        serde_json::json!({}),
        serde_json::json!({}),
    ));
    assert!(
        files["src/operation.rs"].contains("pub mod r#type;"),
        "{}",
        files["src/operation.rs"]
    );
    let keys: Vec<&String> = files.keys().collect();
    assert!(files.contains_key("src/operation/type.rs"), "{keys:?}");
    assert!(!keys.iter().any(|k| k.contains("r#")), "{keys:?}");
}

#[test]
fn special_floats_outside_elements_are_spelled_as_smithy_requires() {
    let model = probe_model(
        "PutFloats",
        serde_json::json!({
            "Ratio": {"target": "smithy.api#Double", "traits": {"smithy.api#httpHeader": "x-ratio"}},
            "Scale": {"target": "smithy.api#Float", "traits": {"smithy.api#httpQuery": "scale"}},
            "Body": {"target": "p#Point", "traits": {"smithy.api#httpPayload": {}}}
        }),
        serde_json::json!({
            "p#Point": {"type": "structure", "members": {
                "X": {"target": "smithy.api#Double", "traits": {"smithy.api#xmlAttribute": {}}},
                "Y": {"target": "smithy.api#Double"}
            }}
        }),
    );
    let files = generate_probe(&model);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("float-probe");
    codegen::output::write(&dir, &files).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(
        dir.join("tests/floats.rs"),
        r##"
use probe::Input as _;
use probe::operation::put_floats::Input;
use probe::types::Point;

#[test]
fn infinities() {
    let mut input = Input::new("b")
        .with_ratio(f64::INFINITY)
        .with_scale(f32::NEG_INFINITY);
    input.body = Some(Point::default().with_x(f64::NEG_INFINITY).with_y(f64::INFINITY));
    let request = input.to_http_request().unwrap();
    let body = String::from_utf8(request.body().clone()).unwrap();
    assert!(body.contains("<Y>Infinity</Y>"), "{body}");
    assert_eq!(request.headers()["x-ratio"], "Infinity");
    assert_eq!(request.uri().query(), Some("scale=-Infinity"));
    assert!(body.contains(r#" X="-Infinity""#), "{body}");
}
"##,
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["test", "--offline", "--test", "floats"])
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("float-probe-target"),
        )
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
