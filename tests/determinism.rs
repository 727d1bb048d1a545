//! The generator's output is a pure function of the model: the same bytes
//! every run, whatever the order of the model files, with a generated-file
//! header on every file and no machine path or time in it; and the committed
//! `generated/` crate is exactly what the generator writes now.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use codegen::{Files, Options};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every `model/*.json`, sorted by name (what `cargo xtask codegen` reads).
fn models() -> Vec<PathBuf> {
    let mut models: Vec<PathBuf> = std::fs::read_dir(workspace().join("model"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| !p.ends_with(codegen::PARTITIONS_FILE))
        .collect();
    models.sort();
    assert!(!models.is_empty(), "no model/*.json");
    models
}

/// The hand-written examples `cargo xtask codegen` declares in `generated/`:
/// every `tests/examples/*.rs`, named after the file.
fn examples() -> Vec<(String, String)> {
    let mut examples: Vec<(String, String)> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
            .map(|dir| dir.map(|e| e.unwrap().path()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .map(|p| {
                let file = p.file_name().unwrap().to_str().unwrap().to_owned();
                let name = p.file_stem().unwrap().to_str().unwrap().replace('_', "-");
                (name, format!("../tests/examples/{file}"))
            })
            .collect();
    examples.sort();
    examples
}

fn generate(models: Vec<PathBuf>) -> Files {
    // The runtime path `cargo xtask codegen` writes for generated/.
    let opts = Options {
        runtime_path: "../runtime".into(),
        ..Options::new(models)
    };
    codegen::generate(&opts).unwrap_or_else(|d| panic!("{d}"))
}

fn fixtures() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
    all.sort();
    all
}

/// The first differing file, for a readable failure.
fn first_difference(a: &Files, b: &Files) -> Option<String> {
    let keys_a: Vec<&String> = a.keys().collect();
    let keys_b: Vec<&String> = b.keys().collect();
    if keys_a != keys_b {
        return Some(format!("file lists differ: {keys_a:?} vs {keys_b:?}"));
    }
    a.iter()
        .find(|(k, v)| b[*k] != **v)
        .map(|(k, _)| format!("{k} differs"))
}

#[test]
fn same_model_same_bytes() {
    let first = generate(models());
    for _ in 0..3 {
        let again = generate(models());
        assert_eq!(first_difference(&first, &again), None);
        assert_eq!(first, again);
    }
    // Every fixture too.
    for fixture in fixtures() {
        let a = generate(vec![fixture.clone()]);
        let b = generate(vec![fixture.clone()]);
        assert_eq!(first_difference(&a, &b), None, "{}", fixture.display());
    }
}

#[test]
fn model_file_order_does_not_matter() {
    let mut files = models();
    if files.len() < 2 {
        // A second file, unrelated to the service: its own namespace,
        // metadata that merges with the model's, and a shape nothing uses.
        let extra = Path::new(env!("CARGO_TARGET_TMPDIR")).join("determinism-extra.json");
        std::fs::write(
            &extra,
            r#"{
    "smithy": "2.0",
    "metadata": {"suppressions": [{"id": "Extra", "namespace": "*"}]},
    "shapes": {
        "example.extra#Unused": {"type": "structure", "members": {"A": {"target": "smithy.api#String"}}}
    }
}
"#,
        )
        .unwrap();
        files.push(extra);
    }
    let forward = generate(files.clone());
    files.reverse();
    let backward = generate(files);
    assert_eq!(first_difference(&forward, &backward), None);
    assert_eq!(forward, backward);
    // And the unrelated shape changes nothing.
    assert_eq!(first_difference(&forward, &generate(models())), None);
}

#[test]
fn committed_crate_is_up_to_date() {
    let opts = Options {
        examples: examples(),
        runtime_path: "../runtime".into(),
        ..Options::new(models())
    };
    let files = codegen::generate(&opts).unwrap_or_else(|d| panic!("{d}"));
    let out = workspace().join("generated");
    let mismatches = codegen::output::check(&out, &files).unwrap();
    let listing: Vec<String> = mismatches.iter().map(|m| format!("  {m}")).collect();
    assert!(
        mismatches.is_empty(),
        "generated/ is out of date; run `cargo xtask codegen` and commit the result:\n{}",
        listing.join("\n")
    );
}

/// `generated/` declares every hand-written example of `tests/examples/`
/// (the analytics-server among them); the generator's default declares none.
#[test]
fn only_the_workspace_crate_declares_the_hand_written_examples() {
    let examples = examples();
    assert!(
        examples.iter().any(|(name, _)| name == "analytics-server"),
        "{examples:?}"
    );
    let manifest = std::fs::read_to_string(workspace().join("generated/Cargo.toml")).unwrap();
    for (name, path) in &examples {
        let entry = format!("[[example]]\nname = \"{name}\"\npath = \"{path}\"\n");
        assert!(
            manifest.contains(&entry),
            "generated/Cargo.toml lacks {entry}"
        );
        assert!(workspace().join("generated").join(path).is_file(), "{path}");
    }
    for (source, files) in all_outputs() {
        assert!(!files["Cargo.toml"].contains("[[example]]"), "{source}");
    }
}

/// Every generated crate checked below: model/ and each fixture.
fn all_outputs() -> Vec<(String, Files)> {
    let mut out = vec![("model/".to_string(), generate(models()))];
    for fixture in fixtures() {
        let opts = Options {
            standalone: true,
            package: "fixture".into(),
            runtime_path: "../runtime".into(),
            ..Options::new(vec![fixture.clone()])
        };
        let files = codegen::generate(&opts).unwrap_or_else(|d| panic!("{d}"));
        out.push((fixture.display().to_string(), files));
    }
    out
}

#[test]
fn every_file_starts_with_the_generated_header() {
    for (source, files) in all_outputs() {
        assert!(files.contains_key("Cargo.toml"));
        for (path, text) in &files {
            let first = text.lines().next().unwrap_or_default();
            let expected = if path.ends_with(".toml") {
                "# Generated by `cargo xtask codegen`"
            } else {
                "// Generated by `cargo xtask codegen`"
            };
            assert!(
                first.starts_with(expected),
                "{source}: {path} starts with {first:?}"
            );
            assert!(first.contains("Do not edit"), "{source}: {path}: {first:?}");
        }
    }
}

/// `days` since 1970-01-01 as (year, month, day) (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Whether `text` holds a time of day such as `12:34:56`.
fn has_time_of_day(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(8).any(|w| {
        let d = |i: usize| w[i].is_ascii_digit();
        d(0) && d(1) && w[2] == b':' && d(3) && d(4) && w[5] == b':' && d(6) && d(7)
    })
}

#[test]
fn no_machine_path_or_time_in_generated_files() {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = i64::try_from(secs / 86_400).unwrap();
    // Today and yesterday (the run may cross midnight), as YYYY-MM-DD.
    let dates: Vec<String> = [days, days - 1]
        .iter()
        .map(|d| {
            let (y, m, d) = civil_from_days(*d);
            format!("{y:04}-{m:02}-{d:02}")
        })
        .collect();
    // The leading digits of the current Unix time (they change every ~12 days).
    let epoch_prefix = secs.to_string()[..6].to_string();

    let mut paths = vec![
        workspace().display().to_string(),
        env!("CARGO_MANIFEST_DIR").to_string(),
        env!("CARGO_TARGET_TMPDIR").to_string(),
        std::env::temp_dir().display().to_string(),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(PathBuf::from(home).display().to_string());
    }
    paths.retain(|p| p.len() > 1);

    for (source, files) in all_outputs() {
        for (path, text) in &files {
            for p in &paths {
                assert!(
                    !text.contains(p.as_str()),
                    "{source}: {path} contains the path {p}"
                );
            }
            for marker in ["/work/", "/home/", "/tmp/", "/Users/", ":\\"] {
                assert!(
                    !text.contains(marker),
                    "{source}: {path} contains {marker:?}"
                );
            }
            for date in &dates {
                assert!(
                    !text.contains(date.as_str()),
                    "{source}: {path} contains the date {date}"
                );
            }
            assert!(
                !has_time_of_day(text),
                "{source}: {path} contains a time of day"
            );
            assert!(
                !text.contains(epoch_prefix.as_str()),
                "{source}: {path} contains what looks like the current Unix time ({epoch_prefix}…)"
            );
        }
    }
}

#[test]
fn the_date_helper_is_right() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    assert!(has_time_of_day("at 23:59:01 today"));
    assert!(!has_time_of_day("2006-03-01"));
}

/// The `cfg` of the module that holds `pub struct <name> ` / `pub enum
/// <name> ` in `text` (types are grouped in modules by the features that
/// compile them), with the lines of its `#[cfg(...)]` attribute joined.
fn gate_of(text: &str, item: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(item))
        .unwrap_or_else(|| panic!("{item} not found"));
    let module = lines[..at]
        .iter()
        .rposition(|l| l.starts_with("mod gate_"))
        .unwrap_or_else(|| panic!("{item} is not in a gated module"));
    let cfg_start = lines[..module]
        .iter()
        .rposition(|l| l.starts_with("#[cfg("))
        .expect("the module has a cfg");
    let gate = lines[cfg_start..module].join("\n");
    // The module's re-export carries the same cfg.
    let name = lines[module]
        .trim_start_matches("mod ")
        .trim_end_matches(" {");
    let export = format!("{gate}\npub use {name}::*;");
    assert!(text.contains(&export), "{export} not found");
    gate
}

/// Each type is compiled only for the operations that use it, so a build
/// with one operation's feature compiles only that operation's closure.
#[test]
fn types_are_gated_by_the_operations_that_use_them() {
    let types = &generate(models())["src/types.rs"];
    let create = gate_of(types, "pub struct CreateBucketConfiguration ");
    assert_eq!(create, "#[cfg(feature = \"create-bucket\")]");
    let analytics = gate_of(types, "pub struct AnalyticsConfiguration ");
    for feature in [
        "put-bucket-analytics-configuration",
        "get-bucket-analytics-configuration",
        "list-bucket-analytics-configurations",
    ] {
        assert!(
            analytics.contains(&format!("feature = \"{feature}\"")),
            "{analytics}"
        );
    }
    assert!(!analytics.contains("create-bucket"), "{analytics}");
    let operations = &generate(models())["src/operation.rs"];
    assert!(operations.contains("#[cfg(feature = \"create-bucket\")]"));
}
