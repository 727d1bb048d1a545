//! The `cargo xtask codegen` command line, run as a user runs it
//! (`cargo run -q -p xtask -- codegen …` from the workspace root): exit
//! codes, messages, and that a failed run or `--check` writes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `cargo xtask codegen <args>`.
fn xtask(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "xtask", "--", "codegen"])
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("cargo runs");
    println!(
        "cargo xtask codegen {}: {}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir` (relative path → bytes).
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, acc: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{rel}/"), acc);
            } else {
                acc.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut acc = BTreeMap::new();
    walk(dir, "", &mut acc);
    acc
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format!("{name}.json"))
        .display()
        .to_string()
}

#[test]
fn a_bad_model_fails_and_writes_nothing() {
    let dir = scratch("bad-model");
    // The `structure` fixture with an unsupported trait on a member.
    let mut model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("structure")).unwrap()).unwrap();
    model["shapes"]["example.fixture#Record"]["members"]["Name"]["traits"]["example.custom#shiny"] =
        serde_json::json!({});
    let bad = dir.join("bad.json");
    std::fs::write(&bad, model.to_string()).unwrap();
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("sentinel.txt"), "keep me").unwrap();
    let before = contents(&dir);

    let out = xtask(&[
        "--model",
        bad.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(bad.to_str().unwrap()), "{err}");
    assert!(err.contains("example.fixture#Record$Name"), "{err}");
    assert!(err.contains("example.custom#shiny"), "{err}");
    assert_eq!(contents(&dir), before, "the run changed files");
    // No temporary or backup sibling left behind either.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn check_reports_stale_missing_and_extra_files() {
    let dir = scratch("check");
    let out_dir = dir.join("out");
    let out_arg = out_dir.to_str().unwrap();
    let model = fixture("union");
    let args = ["--model", model.as_str(), "--out", out_arg];

    let out = xtask(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out_dir.join("src/types.rs").is_file());
    assert!(out_dir.join("src/operation/put_union.rs").is_file());

    // A build cache in `target/` is not part of the comparison.
    std::fs::create_dir_all(out_dir.join("target/debug")).unwrap();
    std::fs::write(out_dir.join("target/debug/cache"), "x").unwrap();
    let check = [&["--check"][..], &args[..]].concat();
    let out = xtask(&check);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // One file edited, one deleted, one added.
    let types = out_dir.join("src/types.rs");
    let mut text = std::fs::read_to_string(&types).unwrap();
    text.push_str("// edited by hand\n");
    std::fs::write(&types, text).unwrap();
    std::fs::remove_file(out_dir.join("src/operation.rs")).unwrap();
    std::fs::write(out_dir.join("src/extra.rs"), "// not generated\n").unwrap();
    let before = contents(&dir);

    let out = xtask(&check);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for line in [
        "stale: src/types.rs",
        "missing: src/operation.rs",
        "extra: src/extra.rs",
    ] {
        assert!(err.contains(line), "{line:?} not in:\n{err}");
    }
    assert_eq!(
        err.matches("stale: ").count()
            + err.matches("missing: ").count()
            + err.matches("extra: ").count(),
        3,
        "only the three changes are reported:\n{err}"
    );
    assert!(err.contains("cargo xtask codegen"), "{err}");
    assert_eq!(contents(&dir), before, "--check changed files");
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let out = xtask(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--frobnicate"), "{err}");
    assert!(err.contains("usage:"), "{err}");
}

#[test]
fn an_unknown_operation_fails() {
    let dir = scratch("unknown-op");
    let out_dir = dir.join("out");
    let model = fixture("union");
    let out = xtask(&[
        "--model",
        &model,
        "--ops",
        "PutUnion,NoSuchOperation",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("NoSuchOperation"), "{err}");
    assert!(!err.contains("`PutUnion`"), "PutUnion exists: {err}");
    assert!(!out_dir.exists(), "nothing is written");
}
