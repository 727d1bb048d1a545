//! The Smithy restXml protocol compliance suite, run against crates generated
//! from the suite's own model.
//!
//! The suite (`restxml.json`, see `../shared/protocol-tests/README.md`) is read
//! at test time from `$S3_PROTOCOL_TESTS`, or else from
//! `../shared/protocol-tests/restxml.json` next to the repository. When it is
//! not there the test prints one line saying so and passes.
//!
//! For each of the two services of the suite this test generates a crate
//! (`codegen::generate_from_model`), adds `tests/protocol.rs` with one
//! `#[test]` per client case (`codegen::protocol_tests::emit_tests`), writes
//! both crates into one scratch workspace under `CARGO_TARGET_TMPDIR`, runs
//! `cargo test --offline --workspace --tests` there, and reads libtest's
//! `test <name> ... ok|FAILED|ignored` lines. The result must match
//! `protocol-known-failures.txt` exactly: a failing case that is not listed
//! fails this test, and so does a listed case that now passes.
//!
//! The same `cargo test` runs the crates' generated property round-trip tests
//! (`tests/roundtrip.rs`, see `codegen::strategies`); every one must pass, and
//! neither they nor the protocol tests may compile with warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::protocol_tests::{self, CaseKind};

/// (service shape id, package name) of each generated crate.
const SERVICES: &[(&str, &str)] = &[
    ("aws.protocoltests.restxml#RestXml", "restxml-protocol"),
    (
        "aws.protocoltests.restxml.xmlns#RestXmlWithNamespace",
        "restxml-xmlns-protocol",
    ),
];

/// A case: (id, kind).
type Key = (String, CaseKind);

#[test]
fn restxml_protocol_suite() {
    let suite = suite_path();
    if !suite.is_file() {
        println!(
            "restXml protocol tests: suite not found at {}; skipped",
            suite.display()
        );
        return;
    }
    let list_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocol-known-failures.txt");
    let list = List::load(&list_path);

    let model = codegen::model::Model::load(&[&suite])
        .unwrap_or_else(|d| panic!("the suite's model does not load:\n{d}"));
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("protocol-tests");
    std::fs::create_dir_all(&root).unwrap();

    // Generate both crates with their protocol tests.
    let skip: Vec<(String, String)> = list
        .skip
        .iter()
        .map(|((id, kind), reason)| (format!("{id} {}", kind.as_str()), reason.clone()))
        .collect();
    let mut cases: BTreeMap<String, Key> = BTreeMap::new();
    for (service, package) in SERVICES {
        let opts = codegen::Options {
            models: vec![suite.clone()],
            service: Some((*service).to_owned()),
            ops: None,
            package: (*package).to_owned(),
            standalone: false,
            examples: Vec::new(),
            runtime_path: codegen::RUNTIME_DIR.into(),
            partitions: None,
        };
        let mut files = codegen::generate_from_model(&model, &opts)
            .unwrap_or_else(|d| panic!("generating {service} failed:\n{d}"));
        let krate = codegen::lower::lower(&model, Some(service), None, None)
            .unwrap_or_else(|d| panic!("lowering {service} failed:\n{d}"));
        let crate_ident = package.replace('-', "_");
        let tests = protocol_tests::emit_tests(&model, &krate, &crate_ident, &skip)
            .unwrap_or_else(|e| panic!("emitting the protocol tests of {service} failed: {e}"));
        files.insert("tests/protocol.rs".into(), tests);
        s3_api_tests::add_quick_xml_dev_dependency(&mut files);
        for case in protocol_tests::client_cases(&model, &krate).unwrap() {
            let key = (case.id.clone(), case.kind);
            if let Some(other) = cases.insert(case.test_name.clone(), key) {
                panic!(
                    "two cases share the test name {}: {other:?} and {} {}",
                    case.test_name,
                    case.id,
                    case.kind.as_str()
                );
            }
        }
        write_if_changed(&root.join(package), &files);
    }
    let mut members: Vec<String> = SERVICES.iter().map(|(_, p)| format!("{p:?}")).collect();
    // S3's own cases, when the suite file has them.
    if let Some(ops) = s3_operations_with_cases(&model) {
        match official_model_path() {
            Some(official) => {
                let (files, case_list) = s3_crate(&model, &official, &ops, &skip);
                for case in case_list {
                    if let Some(other) = cases.insert(case.0.clone(), case.1.clone()) {
                        panic!(
                            "two cases share the test name {}: {other:?} and {:?}",
                            case.0, case.1
                        );
                    }
                }
                write_if_changed(&root.join(S3_PACKAGE), &files);
                members.push(format!("{S3_PACKAGE:?}"));
            }
            None => println!(
                "S3's protocol cases: the official model (with the endpoint rules they need) is not at $S3_OFFICIAL_MODEL or ../shared/models/s3.json; skipped"
            ),
        }
    }
    let manifest = format!(
        "# Scratch workspace of the restXml protocol tests (tests/protocol.rs).\n\
         [workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members.join(", ")
    );
    write_text_if_changed(&root.join("Cargo.toml"), &manifest);
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"))
        .expect("the repository's Cargo.lock");
    std::fs::write(root.join("Cargo.lock"), lock).unwrap();

    // Build and run them.
    let output = Command::new(env!("CARGO"))
        .args([
            "test",
            "--offline",
            "--workspace",
            "--tests",
            "--no-fail-fast",
            "--color",
            "never",
        ])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUST_BACKTRACE", "0")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let results = parse_libtest(&stdout);
    if stderr.contains("error: could not compile")
        || (results.is_empty() && !output.status.success())
    {
        panic!(
            "the generated crates or their protocol tests do not compile ({}):\n{stderr}",
            output.status
        );
    }
    let warnings = test_file_warnings(&stderr);
    if !warnings.is_empty() {
        panic!(
            "the generated protocol tests compile with warnings:\n{}",
            warnings.join("\n")
        );
    }

    // Count and compare with the list.
    let failures = parse_failures(&stdout);
    let comparison = "support::xml_bodies_compare_as_smithy_says";
    assert_eq!(
        results.get(comparison).map(String::as_str),
        Some("ok"),
        "the XML body comparison of the protocol tests does not hold:\n{}",
        failures
            .get(comparison)
            .map_or("(did not run)", String::as_str)
    );
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut offenders = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, key) in &cases {
        seen.insert(key.clone());
        let label = format!("{} {}", key.0, key.1.as_str());
        let outcome = results.get(name).map(String::as_str);
        let known = list.fail.get(key);
        let skip = list.skip.get(key);
        match outcome {
            Some("ok") => {
                passed += 1;
                if known.is_some() {
                    offenders.push(format!(
                        "{label}: passes now; remove it from {}",
                        list_path.display()
                    ));
                }
                if skip.is_some() {
                    offenders.push(format!("{label}: listed to skip but it ran and passed"));
                }
            }
            Some(o) if o.starts_with("ignored") => {
                skipped += 1;
                if skip.is_none() {
                    offenders.push(format!("{label}: ignored but not in the skip section"));
                }
            }
            other => {
                failed += 1;
                if known.is_none() {
                    let why = failures
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| format!("the test did not run ({other:?})"));
                    offenders.push(format!(
                        "{label}: fails and is not listed (test {name}):\n{}",
                        indent(&why)
                    ));
                }
            }
        }
    }
    for key in list.fail.keys().chain(list.skip.keys()) {
        if !seen.contains(key) {
            offenders.push(format!(
                "{} {}: listed in {} but there is no such client case",
                key.0,
                key.1.as_str(),
                list_path.display()
            ));
        }
    }
    println!("restXml protocol tests: {passed} passed, {failed} failed, {skipped} skipped");
    // The generated crates' property round-trip tests (`tests/roundtrip.rs`,
    // module `run`) ran too: every one must pass. (Both crates have tests of
    // the same names, so the lines are counted, not the names.)
    let (mut round_trips, mut broken) = (0, Vec::new());
    for line in stdout.lines() {
        let Some((name, outcome)) = line
            .strip_prefix("test run::")
            .and_then(|rest| rest.split_once(" ... "))
        else {
            continue;
        };
        round_trips += 1;
        if outcome.trim() != "ok" {
            broken.push(format!("run::{}", name.trim()));
        }
    }
    println!(
        "round-trip properties of the protocol crates: {} passed, {} failed",
        round_trips - broken.len(),
        broken.len()
    );
    for name in broken {
        let why = failures.get(&name).cloned().unwrap_or_default();
        offenders.push(format!(
            "round-trip property {name} fails:\n{}",
            indent(&why)
        ));
    }
    for key in list.fail.keys() {
        if seen.contains(key) {
            println!(
                "  known failure: {} {}: {}",
                key.0,
                key.1.as_str(),
                list.fail[key]
            );
        }
    }
    if !offenders.is_empty() {
        panic!(
            "{} protocol case(s) do not match {}:\n{}",
            offenders.len(),
            list_path.display(),
            offenders.join("\n")
        );
    }
}

/// S3's service in a suite file, and the package of its crate.
const S3_SERVICE: &str = "com.amazonaws.s3#AmazonS3";
const S3_PACKAGE: &str = "s3-protocol";

/// The operations of S3's service in the suite when any of them (or of
/// their errors) carries protocol test cases.
fn s3_operations_with_cases(model: &codegen::model::Model) -> Option<Vec<String>> {
    let codegen::model::Kind::Service(service) = &model.shapes.get(S3_SERVICE)?.kind else {
        return None;
    };
    let has_cases = |id: &str| {
        model.shapes.get(id).is_some_and(|s| {
            s.traits.contains_key(protocol_tests::REQUEST_TESTS)
                || s.traits.contains_key(protocol_tests::RESPONSE_TESTS)
        })
    };
    let mut any = false;
    let mut ops = Vec::new();
    for id in &service.operations {
        let Some(op) = model.shapes.get(id) else {
            continue;
        };
        if let codegen::model::Kind::Operation(o) = &op.kind {
            any |= has_cases(id) || o.errors.iter().any(|e| has_cases(e));
        }
        ops.push(op.name().to_owned());
    }
    any.then_some(ops)
}

/// `$S3_OFFICIAL_MODEL`, or the official model next to the repository.
fn official_model_path() -> Option<PathBuf> {
    let path = match std::env::var_os("S3_OFFICIAL_MODEL") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/s3.json"),
    };
    path.is_file().then_some(path)
}

/// The crate for S3's cases: the suite's operations of S3, generated from
/// the official model (which has the endpoint rules the cases' hosts need)
/// with the suite's test cases put on the official shapes of the same ids.
/// Returns its files and its cases (test name, key).
fn s3_crate(
    suite: &codegen::model::Model,
    official: &Path,
    ops: &[String],
    skip: &[(String, String)],
) -> (codegen::Files, Vec<(String, Key)>) {
    let mut model = codegen::model::Model::load(&[official])
        .unwrap_or_else(|d| panic!("the official model does not load:\n{d}"));
    for (id, shape) in &suite.shapes {
        if !id.starts_with("com.amazonaws.s3#") {
            continue;
        }
        for t in [
            protocol_tests::REQUEST_TESTS,
            protocol_tests::RESPONSE_TESTS,
        ] {
            let Some(cases) = shape.traits.get(t) else {
                continue;
            };
            let target = model.shapes.get_mut(id).unwrap_or_else(|| {
                panic!("{id} has protocol cases, but the official model has no such shape")
            });
            target.traits.insert(t.to_owned(), cases.clone());
        }
    }
    let opts = codegen::Options {
        service: Some(S3_SERVICE.to_owned()),
        ops: Some(ops.to_vec()),
        package: S3_PACKAGE.to_owned(),
        ..codegen::Options::new(vec![official.to_path_buf()])
    };
    let mut files = codegen::generate_from_model(&model, &opts)
        .unwrap_or_else(|d| panic!("generating S3's protocol crate failed:\n{d}"));
    let krate = codegen::lower_for(&model, &opts)
        .unwrap_or_else(|d| panic!("lowering S3's protocol crate failed:\n{d}"));
    let crate_ident = S3_PACKAGE.replace('-', "_");
    let tests = protocol_tests::emit_tests(&model, &krate, &crate_ident, skip)
        .unwrap_or_else(|e| panic!("emitting S3's protocol tests failed: {e}"));
    files.insert("tests/protocol.rs".into(), tests);
    s3_api_tests::add_quick_xml_dev_dependency(&mut files);
    let cases = protocol_tests::client_cases(&model, &krate)
        .unwrap()
        .into_iter()
        .map(|c| (c.test_name.clone(), (c.id.clone(), c.kind)))
        .collect();
    (files, cases)
}

/// `$S3_PROTOCOL_TESTS`, or the suite next to the repository.
fn suite_path() -> PathBuf {
    match std::env::var_os("S3_PROTOCOL_TESTS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/protocol-tests/restxml.json"),
    }
}

/// Writes the crate unless it is already on disk exactly, so that reruns build incrementally.
fn write_if_changed(dir: &Path, files: &codegen::Files) {
    let current = codegen::output::check(dir, files)
        .map(|m| m.is_empty())
        .unwrap_or(false);
    if !current {
        codegen::output::write(dir, files)
            .unwrap_or_else(|e| panic!("writing {} failed: {e}", dir.display()));
    }
}

fn write_text_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

/// The expected outcomes, from `protocol-known-failures.txt`.
struct List {
    /// Cases expected to fail, with the reason.
    fail: BTreeMap<Key, String>,
    /// Cases emitted with `#[ignore]`, with the reason.
    skip: BTreeMap<Key, String>,
}

impl List {
    /// Format: `#` comments and blank lines; `<CaseId> <request|response>: <reason>`
    /// entries; `[skip]` starts the section of ignored cases, `[fail]` (the
    /// default) the section of known failures.
    fn load(path: &Path) -> List {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut list = List {
            fail: BTreeMap::new(),
            skip: BTreeMap::new(),
        };
        let mut in_skip = false;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            let at = format!("{}:{}", path.display(), n + 1);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line {
                "[skip]" => {
                    in_skip = true;
                    continue;
                }
                "[fail]" => {
                    in_skip = false;
                    continue;
                }
                _ => {}
            }
            let (case, reason) = line.split_once(':').unwrap_or_else(|| {
                panic!("{at}: expected `<CaseId> <request|response>: <reason>`")
            });
            let (id, kind) = case
                .trim()
                .split_once(' ')
                .unwrap_or_else(|| panic!("{at}: expected `<CaseId> <request|response>`"));
            let kind = match kind.trim() {
                "request" => CaseKind::Request,
                "response" => CaseKind::Response,
                other => panic!("{at}: `{other}` is neither request nor response"),
            };
            let reason = reason.trim();
            assert!(!reason.is_empty(), "{at}: the reason is missing");
            let key = (id.to_owned(), kind);
            if list.fail.contains_key(&key) || list.skip.contains_key(&key) {
                panic!("{at}: {id} {} is listed twice", kind.as_str());
            }
            let section = if in_skip {
                &mut list.skip
            } else {
                &mut list.fail
            };
            section.insert(key, reason.to_owned());
        }
        list
    }
}

/// Test name → `ok`, `FAILED`, `ignored` (or `ignored, <reason>`), from libtest's output.
fn parse_libtest(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, outcome)) = rest.split_once(" ... ") else {
            continue;
        };
        out.insert(name.trim().to_owned(), outcome.trim().to_owned());
    }
    out
}

/// Test name → what it printed when it failed (the `---- name stdout ----` sections).
fn parse_failures(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in stdout.lines() {
        let header = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"));
        if header.is_some() || line == "failures:" || line.starts_with("test result:") {
            if let Some((name, lines)) = current.take() {
                out.insert(name, lines.join("\n").trim().to_owned());
            }
        }
        if let Some(name) = header {
            current = Some((name.to_owned(), Vec::new()));
        } else if let Some((_, lines)) = &mut current {
            lines.push(line);
        }
    }
    if let Some((name, lines)) = current {
        out.insert(name, lines.join("\n").trim().to_owned());
    }
    out
}

/// Compiler warnings that point into a generated `tests/protocol.rs` or
/// into the generated round-trip tests (`tests/roundtrip.rs`, `tests/roundtrip/run.rs`).
fn test_file_warnings(stderr: &str) -> Vec<String> {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("warning") || line.starts_with("error") || !line.starts_with(' ') {
            blocks.push(vec![line]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    blocks
        .into_iter()
        .filter(|b| {
            b[0].starts_with("warning:")
                && b.iter()
                    .any(|l| l.contains("tests/protocol.rs:") || l.contains("tests/roundtrip"))
        })
        .map(|b| b.join("\n"))
        .collect()
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
