//! S3's trait-driven rules (httpChecksum, s3UnwrappedXmlOutput, sensitive,
//! streaming bodies, greedy labels) on operations of the official S3 model,
//! which `model/` does not include.
//!
//! Generates a crate `official-ops` with PutBucketTagging, GetBucketLocation,
//! PutObject and GetObject from the official model, adds the hand-written
//! `official_ops/behaviour.rs` as its `tests/behaviour.rs`, and runs
//! `cargo test --offline --test behaviour` on it in a scratch workspace under
//! `CARGO_TARGET_TMPDIR`.
//!
//! The model is `S3_OFFICIAL_MODEL`, else `../../shared/models/s3.json` next
//! to the repository; without it the test says so and passes.

use std::path::{Path, PathBuf};
use std::process::Command;

const OPS: [&str; 4] = [
    "PutBucketTagging",
    "GetBucketLocation",
    "PutObject",
    "GetObject",
];

fn official_model() -> Option<PathBuf> {
    let path = match std::env::var_os("S3_OFFICIAL_MODEL") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models/s3.json"),
    };
    path.is_file().then_some(path)
}

#[test]
fn official_operations_follow_s3_rules() {
    let Some(path) = official_model() else {
        println!(
            "official_ops skipped: no official model (set S3_OFFICIAL_MODEL or add ../shared/models/s3.json)"
        );
        return;
    };
    let opts = codegen::Options {
        ops: Some(OPS.map(String::from).to_vec()),
        package: "official-ops".into(),
        standalone: false,
        ..codegen::Options::new(vec![path.clone()])
    };
    let mut files = codegen::generate(&opts)
        .unwrap_or_else(|d| panic!("{} does not generate:\n{d}", path.display()));
    assert!(
        !files["Cargo.toml"].contains("[workspace]"),
        "standalone: false must not add a [workspace] table"
    );
    let previous = files.insert(
        "tests/behaviour.rs".into(),
        include_str!("official_ops/behaviour.rs").into(),
    );
    assert!(
        previous.is_none(),
        "the generator writes tests/behaviour.rs"
    );

    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let root = tmp.join("official-ops");
    let target_dir = tmp.join("official-ops-target");
    let krate = root.join("official-ops");
    // Rewrite only when something changed, so reruns stay incremental.
    if !codegen::output::check(&krate, &files).unwrap().is_empty() {
        codegen::output::write(&krate, &files).unwrap();
    }
    write_if_changed(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"official-ops\"]\n",
    );
    // The repository's lock file, so the crate builds offline with the same
    // dependency versions.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .unwrap();

    let out = Command::new(env!("CARGO"))
        .args(["test", "--offline", "--test", "behaviour"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "`cargo test --offline --test behaviour` failed in {} ({}):\n{stdout}\n{}",
        root.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}
