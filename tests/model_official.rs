//! Checks `model/` (our Smithy JSON AST model of the S3 subset we generate)
//! against the official AWS S3 model.
//!
//! Structure (shape types, member names and order, member targets, every trait
//! except `smithy.api#documentation`) must match the official model, except for
//! the differences documented in `model/README.md`, which are encoded below as
//! an explicit allow-list. Documentation must be present everywhere and must be
//! our own (never equal to the official text of the same shape or member).
//!
//! The official model is read from `$S3_OFFICIAL_MODEL`, or else from
//! `<workspace>/../shared/models/s3.json`; when it is absent the comparison is
//! skipped (the self-contained checks still run).

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

type Shapes = Map<String, Value>;

const DOC: &str = "smithy.api#documentation";
const PRELUDE_PREFIX: &str = "smithy.api#";

// ---------------------------------------------------------------------------
// Allow-list: every intended difference from the official model
// (keep in sync with model/README.md, "Differences from the official model").
// ---------------------------------------------------------------------------

/// Traits of the official service shape that `model/` deliberately omits:
/// the rules' decision tree (the generator compiles the same rules from
/// their decision diagram, `endpointBdd`, which `model/` keeps). A
/// service's `operations` may also be a subset of the official list.
const SERVICE_DROPPED_TRAITS: &[&str] = &["smithy.rules#endpointRuleSet", "smithy.api#suppress"];

/// Within the endpoint rules' traits, `documentation` keys are our own
/// words (parameters) or left out (test cases); everything else must match.
const RULES_PREFIX: &str = "smithy.rules#";

/// `v` without its `documentation` keys, at any depth.
fn without_docs(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != "documentation")
                .map(|(k, v)| (k.clone(), without_docs(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_docs).collect()),
        other => other.clone(),
    }
}

/// Traits of official operation shapes that `model/` deliberately omits:
/// `smithy.api#examples` holds AWS's example titles and prose, which, like
/// documentation, we do not copy (the generator ignores the trait anyway).
const OPERATION_DROPPED_TRAITS: &[&str] = &["smithy.api#examples"];

/// Operations whose `errors` list differs from the official one, with the
/// exact list `model/` must have (it must still include every official error).
const OPERATION_ERRORS: &[(&str, &[&str])] = &[
    (
        "com.amazonaws.s3#DeleteBucketAnalyticsConfiguration",
        &[
            "com.amazonaws.s3#NoSuchBucket",
            "com.amazonaws.s3#NoSuchConfiguration",
        ],
    ),
    (
        "com.amazonaws.s3#GetBucketAnalyticsConfiguration",
        &[
            "com.amazonaws.s3#NoSuchBucket",
            "com.amazonaws.s3#NoSuchConfiguration",
        ],
    ),
    (
        "com.amazonaws.s3#ListBucketAnalyticsConfigurations",
        &["com.amazonaws.s3#NoSuchBucket"],
    ),
    (
        "com.amazonaws.s3#PutBucketAnalyticsConfiguration",
        &[
            "com.amazonaws.s3#InvalidArgument",
            "com.amazonaws.s3#TooManyConfigurations",
            "com.amazonaws.s3#AccessDenied",
        ],
    ),
];

/// Shapes that exist only in `model/`: (shape id, `smithy.api#error`,
/// `smithy.api#httpError`).
const NEW_SHAPES: &[(&str, &str, u64)] = &[
    ("com.amazonaws.s3#InvalidArgument", "client", 400),
    ("com.amazonaws.s3#TooManyConfigurations", "client", 400),
    ("com.amazonaws.s3#NoSuchConfiguration", "client", 404),
];

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

fn model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../model")
}

fn official_path() -> PathBuf {
    match std::env::var_os("S3_OFFICIAL_MODEL") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/s3.json"),
    }
}

/// All shapes of every `model/*.json` file (files in name order), plus any
/// problems found while loading (bad JSON, wrong Smithy version, duplicates).
fn load_local() -> &'static (Shapes, Vec<String>) {
    static LOCAL: OnceLock<(Shapes, Vec<String>)> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let dir = model_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
            .filter(|p| !p.ends_with(codegen::PARTITIONS_FILE))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no *.json files in {}", dir.display());

        let mut shapes = Shapes::new();
        let mut problems = Vec::new();
        for file in &files {
            let name = file.display();
            let text =
                std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            let doc: Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{name}: invalid JSON: {e}"));
                    continue;
                }
            };
            if doc.get("smithy").and_then(Value::as_str) != Some("2.0") {
                problems.push(format!("{name}: \"smithy\" must be \"2.0\""));
            }
            let Some(file_shapes) = doc.get("shapes").and_then(Value::as_object) else {
                problems.push(format!("{name}: no \"shapes\" object"));
                continue;
            };
            for (id, shape) in file_shapes {
                if shapes.contains_key(id) {
                    problems.push(format!("{id}: defined more than once in model/ ({name})"));
                } else {
                    shapes.insert(id.clone(), shape.clone());
                }
            }
        }
        (shapes, problems)
    })
}

/// The official model's shapes, or `None` when the file does not exist.
fn load_official() -> Option<&'static Shapes> {
    static OFFICIAL: OnceLock<Option<Shapes>> = OnceLock::new();
    OFFICIAL
        .get_or_init(|| {
            let path = official_path();
            if !path.is_file() {
                return None;
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let mut doc: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
            match doc.get_mut("shapes").map(Value::take) {
                Some(Value::Object(shapes)) => Some(shapes),
                _ => panic!("{}: no \"shapes\" object", path.display()),
            }
        })
        .as_ref()
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Compact rendering of a JSON value for messages, shortened if very long.
fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 160 {
        let head: String = s.chars().take(160).collect();
        format!("{head}...")
    } else {
        s
    }
}

fn traits_of(v: &Value) -> Option<&Map<String, Value>> {
    v.get("traits").and_then(Value::as_object)
}

fn shape_type(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("")
}

fn targets(list: Option<&Value>) -> Vec<&str> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|r| r.get("target").and_then(Value::as_str).unwrap_or(""))
                .collect()
        })
        .unwrap_or_default()
}

/// `members` entries plus list/map `member`/`key`/`value`, as (name, member).
fn all_members(shape: &Value) -> Vec<(&str, &Value)> {
    let mut out: Vec<(&str, &Value)> = shape
        .get("members")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default();
    for k in ["member", "key", "value"] {
        if let Some(v) = shape.get(k) {
            out.push((k, v));
        }
    }
    out
}

/// The member named `name` of `shape` (a `members` entry or `member`/`key`/`value`).
fn member_of<'a>(shape: &'a Value, name: &str) -> Option<&'a Value> {
    all_members(shape)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| m)
}

fn doc_of(v: &Value) -> Option<&str> {
    traits_of(v)
        .and_then(|t| t.get(DOC))
        .and_then(Value::as_str)
}

/// Documentation text reduced to words: markup removed, whitespace collapsed,
/// lower-cased.
fn normalize_doc(s: &str) -> String {
    let mut text = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

// ---------------------------------------------------------------------------
// Comparison against the official model
// ---------------------------------------------------------------------------

/// Compares traits except documentation. Traits named in `may_drop` may be
/// absent locally.
fn compare_traits(
    ctx: &str,
    local: Option<&Map<String, Value>>,
    official: Option<&Map<String, Value>>,
    may_drop: &[&str],
    out: &mut Vec<String>,
) {
    let empty = Map::new();
    let local = local.unwrap_or(&empty);
    let official = official.unwrap_or(&empty);
    for (id, ov) in official {
        if id == DOC {
            continue;
        }
        match local.get(id) {
            None if may_drop.contains(&id.as_str()) => {}
            None => out.push(format!(
                "{ctx}: trait {id} missing (official: {})",
                show(ov)
            )),
            Some(lv) if id.starts_with(RULES_PREFIX) && without_docs(lv) == without_docs(ov) => {}
            Some(lv) if id.starts_with(RULES_PREFIX) && without_docs(lv) == without_docs(ov) => {}
            Some(lv) if lv != ov => out.push(format!(
                "{ctx}: trait {id} differs: model {} vs official {}",
                show(lv),
                show(ov)
            )),
            Some(_) => {}
        }
    }
    for (id, lv) in local {
        if id != DOC && !official.contains_key(id) {
            out.push(format!(
                "{ctx}: trait {id} not in official model (model: {})",
                show(lv)
            ));
        }
    }
}

/// Compares every key of a member (target, traits, anything else).
fn compare_member(ctx: &str, local: &Value, official: &Value, out: &mut Vec<String>) {
    let lt = local.get("target");
    let ot = official.get("target");
    if lt != ot {
        out.push(format!(
            "{ctx}: target differs: model {} vs official {}",
            lt.map_or("none".into(), show),
            ot.map_or("none".into(), show)
        ));
    }
    compare_traits(ctx, traits_of(local), traits_of(official), &[], out);
    compare_other_keys(ctx, local, official, &["target", "traits"], out);
}

/// Compares the keys of two objects not listed in `skip` for equality.
fn compare_other_keys(
    ctx: &str,
    local: &Value,
    official: &Value,
    skip: &[&str],
    out: &mut Vec<String>,
) {
    let empty = Map::new();
    let lo = local.as_object().unwrap_or(&empty);
    let oo = official.as_object().unwrap_or(&empty);
    for (k, ov) in oo {
        if skip.contains(&k.as_str()) {
            continue;
        }
        match lo.get(k) {
            None => out.push(format!("{ctx}: `{k}` missing (official: {})", show(ov))),
            Some(lv) if lv != ov => out.push(format!(
                "{ctx}: `{k}` differs: model {} vs official {}",
                show(lv),
                show(ov)
            )),
            Some(_) => {}
        }
    }
    for (k, lv) in lo {
        if !skip.contains(&k.as_str()) && !oo.contains_key(k) {
            out.push(format!(
                "{ctx}: `{k}` not in official model (model: {})",
                show(lv)
            ));
        }
    }
}

fn compare_shape(id: &str, local: &Value, official: &Value, out: &mut Vec<String>) {
    let ty = shape_type(local);
    let is_service = ty == "service" && shape_type(official) == "service";
    let is_operation = ty == "operation" && shape_type(official) == "operation";
    let errors_override = OPERATION_ERRORS
        .iter()
        .find(|(op, _)| *op == id)
        .filter(|_| is_operation);

    // Top-level keys other than members and traits.
    let mut skip = vec!["traits", "members", "member", "key", "value"];
    if is_service {
        skip.push("operations");
        let official_ops = targets(official.get("operations"));
        let local_ops = targets(local.get("operations"));
        for (i, op) in local_ops.iter().enumerate() {
            if !official_ops.contains(op) {
                out.push(format!(
                    "{id}: operation {op} is not an operation of the official service"
                ));
            }
            if local_ops[..i].contains(op) {
                out.push(format!("{id}: operation {op} listed twice"));
            }
        }
    }
    if let Some((_, expected)) = errors_override {
        skip.push("errors");
        let local_errors = targets(local.get("errors"));
        if local_errors != *expected {
            out.push(format!(
                "{id}: `errors` {local_errors:?} differ from the allow-listed {expected:?}"
            ));
        }
        for e in targets(official.get("errors")) {
            if !local_errors.contains(&e) {
                out.push(format!("{id}: official error {e} missing from `errors`"));
            }
        }
    }
    compare_other_keys(id, local, official, &skip, out);

    // Shape traits.
    let may_drop = if is_service {
        SERVICE_DROPPED_TRAITS
    } else if is_operation {
        OPERATION_DROPPED_TRAITS
    } else {
        &[]
    };
    compare_traits(id, traits_of(local), traits_of(official), may_drop, out);

    // Members: same names in the same order, then each member's content.
    let names = |v: &Value| -> Vec<String> {
        v.get("members")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (ln, on) = (names(local), names(official));
    if ln != on {
        out.push(format!(
            "{id}: member names/order differ: model [{}] vs official [{}]",
            ln.join(", "),
            on.join(", ")
        ));
    }
    let (lm, om) = (local.get("members"), official.get("members"));
    for name in &ln {
        let ctx = format!("{id}${name}");
        match om.and_then(|m| m.get(name)) {
            Some(o) => compare_member(&ctx, &lm.unwrap()[name], o, out),
            None => out.push(format!("{ctx}: member not in official model")),
        }
    }
    for name in on.iter().filter(|n| !ln.contains(n)) {
        out.push(format!(
            "{id}${name}: member missing (present in official model)"
        ));
    }
    for k in ["member", "key", "value"] {
        let ctx = format!("{id}${k}");
        match (local.get(k), official.get(k)) {
            (Some(l), Some(o)) => compare_member(&ctx, l, o, out),
            (Some(_), None) => out.push(format!("{ctx}: not in official model")),
            (None, Some(_)) => out.push(format!("{ctx}: missing (present in official model)")),
            (None, None) => {}
        }
    }
}

/// Every structural difference between `local` and `official`, one line each.
fn compare_with_official(local: &Shapes, official: &Shapes) -> Vec<String> {
    let mut out = Vec::new();
    for (id, shape) in local {
        match official.get(id) {
            Some(o) => compare_shape(id, shape, o, &mut out),
            None => match NEW_SHAPES.iter().find(|(n, _, _)| n == id) {
                None => out.push(format!(
                    "{id}: shape not in official model and not allow-listed as new"
                )),
                Some((_, kind, status)) => {
                    let t = traits_of(shape);
                    let error = t.and_then(|t| t.get("smithy.api#error"));
                    let http = t.and_then(|t| t.get("smithy.api#httpError"));
                    if error.and_then(Value::as_str) != Some(kind) {
                        out.push(format!(
                            "{id}: new error shape needs smithy.api#error {kind:?}, has {}",
                            error.map_or("none".into(), show)
                        ));
                    }
                    if http.and_then(Value::as_u64) != Some(*status) {
                        out.push(format!(
                            "{id}: new error shape needs smithy.api#httpError {status}, has {}",
                            http.map_or("none".into(), show)
                        ));
                    }
                }
            },
        }
    }
    out
}

/// Documentation strings in `local` equal (after normalisation) to the
/// official documentation of the same shape or member.
fn copied_docs(local: &Shapes, official: &Shapes) -> Vec<String> {
    let mut out = Vec::new();
    let same = |l: &Value, o: &Value| match (doc_of(l), doc_of(o)) {
        (Some(l), Some(o)) => normalize_doc(l) == normalize_doc(o),
        _ => false,
    };
    for (id, shape) in local {
        let Some(off) = official.get(id) else {
            continue;
        };
        if same(shape, off) {
            out.push(format!(
                "{id}: documentation equals the official text; write our own"
            ));
        }
        for (name, member) in all_members(shape) {
            if let Some(om) = member_of(off, name) {
                if same(member, om) {
                    out.push(format!(
                        "{id}${name}: documentation equals the official text; write our own"
                    ));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Checks that need only model/
// ---------------------------------------------------------------------------

/// Every target in `local` resolves within `local` or to a prelude shape.
fn unresolved_targets(local: &Shapes) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |ctx: String, target: &str| {
        if !target.starts_with(PRELUDE_PREFIX) && !local.contains_key(target) {
            out.push(format!(
                "{ctx}: target {target:?} is neither in model/ nor a smithy.api# prelude shape"
            ));
        }
    };
    for (id, shape) in local {
        for k in ["input", "output"] {
            if let Some(r) = shape.get(k) {
                let t = r.get("target").and_then(Value::as_str).unwrap_or("");
                check(format!("{id} ({k})"), t);
            }
        }
        for k in ["errors", "operations", "resources", "mixins"] {
            for t in targets(shape.get(k)) {
                check(format!("{id} ({k})"), t);
            }
        }
        for (name, member) in all_members(shape) {
            let t = member.get("target").and_then(Value::as_str).unwrap_or("");
            check(format!("{id}${name}"), t);
        }
    }
    out
}

/// Every shape and member carries a non-empty smithy.api#documentation.
fn missing_docs(local: &Shapes) -> Vec<String> {
    let has_doc = |v: &Value| doc_of(v).is_some_and(|d| !d.trim().is_empty());
    let mut out = Vec::new();
    for (id, shape) in local {
        if !has_doc(shape) {
            out.push(format!("{id}: missing or empty smithy.api#documentation"));
        }
        for (name, member) in all_members(shape) {
            if !has_doc(member) {
                out.push(format!(
                    "{id}${name}: missing or empty smithy.api#documentation"
                ));
            }
        }
    }
    out
}

fn fail_on(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!(
            "{} problem(s) {what}:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn model_is_closed_and_documented() {
    let (local, load_problems) = load_local();
    let mut problems = load_problems.clone();
    problems.extend(unresolved_targets(local));
    problems.extend(missing_docs(local));
    fail_on("in model/", &problems);
}

#[test]
fn model_matches_official() {
    let Some(official) = load_official() else {
        println!(
            "model_official: official model not found at {}; skipped",
            official_path().display()
        );
        return;
    };
    let (local, load_problems) = load_local();
    let mut problems = load_problems.clone();
    problems.extend(compare_with_official(local, official));
    problems.extend(copied_docs(local, official));
    fail_on("between model/ and the official model", &problems);
}

/// The comparison must report alterations: run it on an altered in-memory
/// copy of model/ against the official model (or, when that is absent,
/// against the unaltered model/, which matches it structurally).
#[test]
fn comparison_detects_alterations() {
    let (local, _) = load_local();
    let baseline = load_official().unwrap_or(local);
    assert_eq!(
        compare_with_official(local, local),
        Vec::<String>::new(),
        "model/ compared with itself must show no difference"
    );

    const S: &str = "com.amazonaws.s3#";
    let id = |n: &str| format!("{S}{n}");
    let mut altered = local.clone();

    // 1. Swap the first two members of AnalyticsS3BucketDestination.
    {
        let members = altered[&id("AnalyticsS3BucketDestination")]["members"]
            .as_object_mut()
            .unwrap();
        let entries: Vec<(String, Value)> = std::mem::take(members).into_iter().collect();
        let mut entries = entries.into_iter();
        let (first, second) = (entries.next().unwrap(), entries.next().unwrap());
        members.insert(second.0, second.1);
        members.insert(first.0, first.1);
        members.extend(entries);
    }
    // 2. Change a member trait.
    altered[&id("PutBucketAnalyticsConfigurationRequest")]["members"]["Id"]["traits"]["smithy.api#httpQuery"] =
        Value::from("analyticsId");
    // 3. Change a member target.
    altered[&id("Tag")]["members"]["Value"]["target"] = Value::from(id("ObjectKey"));
    // 4. Drop a shape trait.
    altered[&id("ObjectKey")]["traits"]
        .as_object_mut()
        .unwrap()
        .remove("smithy.api#length");
    // 5. Add a shape that is neither official nor allow-listed, with a dangling target.
    altered.insert(
        id("Bogus"),
        serde_json::json!({
            "type": "structure",
            "members": {"X": {"target": "com.amazonaws.s3#Nowhere",
                              "traits": {DOC: "x"}}},
            "traits": {DOC: "Not a real shape."}
        }),
    );
    // 6. List an operation the official service does not have.
    altered[&id("AmazonS3")]["operations"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"target": id("Bogus")}));
    // 7. Reorder the allow-listed errors of the operation.
    altered[&id("PutBucketAnalyticsConfiguration")]["errors"]
        .as_array_mut()
        .unwrap()
        .reverse();
    // 8. Remove a documentation trait.
    altered[&id("Tag")]["traits"]
        .as_object_mut()
        .unwrap()
        .remove(DOC);

    // Only lines caused by the alterations count (model/ itself may be broken;
    // the other tests report that).
    let fresh = |after: Vec<String>, before: Vec<String>| -> Vec<String> {
        after.into_iter().filter(|l| !before.contains(l)).collect()
    };
    let reported = fresh(
        compare_with_official(&altered, baseline),
        compare_with_official(local, baseline),
    );
    let expected = [
        "com.amazonaws.s3#AnalyticsS3BucketDestination: member names/order differ",
        "com.amazonaws.s3#PutBucketAnalyticsConfigurationRequest$Id: trait smithy.api#httpQuery differs",
        "com.amazonaws.s3#Tag$Value: target differs",
        "com.amazonaws.s3#ObjectKey: trait smithy.api#length missing",
        "com.amazonaws.s3#Bogus: shape not in official model and not allow-listed",
        "com.amazonaws.s3#AmazonS3: operation com.amazonaws.s3#Bogus is not an operation",
        "com.amazonaws.s3#PutBucketAnalyticsConfiguration: `errors`",
    ];
    for e in expected {
        assert!(
            reported.iter().any(|line| line.starts_with(e)),
            "expected a mismatch starting with {e:?}; got:\n{}",
            reported.join("\n")
        );
    }
    assert_eq!(
        reported.len(),
        expected.len(),
        "unexpected extra mismatches:\n{}",
        reported.join("\n")
    );

    let unresolved = fresh(unresolved_targets(&altered), unresolved_targets(local));
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert!(unresolved[0].starts_with("com.amazonaws.s3#Bogus$X: target"));

    let undocumented = fresh(missing_docs(&altered), missing_docs(local));
    assert_eq!(
        undocumented,
        ["com.amazonaws.s3#Tag: missing or empty smithy.api#documentation"]
    );

    // Copied documentation is caught, markup and spacing notwithstanding.
    let mut copied = local.clone();
    copied[&id("Tag")]["traits"][DOC] = Value::from("A label <b>made</b>\n  of a KEY and a value.");
    let mut reference = local.clone();
    reference[&id("Tag")]["traits"][DOC] = Value::from("<p>a label made of a key and a value.</p>");
    assert_eq!(
        copied_docs(&copied, &reference)
            .iter()
            .filter(|l| l.starts_with("com.amazonaws.s3#Tag:"))
            .count(),
        1
    );
}
