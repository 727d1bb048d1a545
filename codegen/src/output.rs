//! Comparing generated files with, and writing them to, an output directory.
//!
//! The output directory is owned by the generator: [`write`] replaces it with
//! exactly the generated files (keeping only a top-level `target/` build
//! cache), and [`check`] reports every difference without writing anything.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Relative path (with '/' separators, e.g. "src/lib.rs") -> file contents.
pub type Files = BTreeMap<String, String>;

/// The top-level directory under the output directory that is neither
/// checked nor discarded: it holds the build cache of the generated crate.
const TARGET_DIR: &str = "target";

/// One difference between the generated files and the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The file exists but its contents differ.
    Stale(String),
    /// The file should exist but does not.
    Missing(String),
    /// The file exists but is not generated.
    Extra(String),
}

impl Mismatch {
    /// The relative path of the file concerned.
    pub fn path(&self) -> &str {
        match self {
            Mismatch::Stale(p) | Mismatch::Missing(p) | Mismatch::Extra(p) => p,
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Stale(p) => write!(f, "stale: {p}"),
            Mismatch::Missing(p) => write!(f, "missing: {p}"),
            Mismatch::Extra(p) => write!(f, "extra: {p}"),
        }
    }
}

/// Compares `files` with what is on disk under `out`; returns every
/// difference, sorted by path. Writes nothing.
///
/// A missing `out` directory means every file is missing. A top-level
/// `target` directory under `out` is ignored.
pub fn check(out: &Path, files: &Files) -> io::Result<Vec<Mismatch>> {
    validate(files)?;
    let mut on_disk = Vec::new();
    if out.exists() {
        list_files(out, "", &mut on_disk)?;
    }
    let mut mismatches = Vec::new();
    for (rel, contents) in files {
        let path = out.join(rel);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                mismatches.push(Mismatch::Missing(rel.clone()));
            }
            Err(e) => return Err(with_path(e, &path)),
            // A directory (or similar) where a file should be.
            Ok(meta) if meta.is_dir() => mismatches.push(Mismatch::Stale(rel.clone())),
            Ok(_) => {
                let actual = fs::read(&path).map_err(|e| with_path(e, &path))?;
                if actual != contents.as_bytes() {
                    mismatches.push(Mismatch::Stale(rel.clone()));
                }
            }
        }
    }
    mismatches.extend(
        on_disk
            .into_iter()
            .filter(|rel| !files.contains_key(rel))
            .map(Mismatch::Extra),
    );
    mismatches.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(mismatches)
}

/// Replaces the directory `out` with exactly `files`.
///
/// Everything is first written into a fresh sibling temporary directory
/// (`.<name>.tmp-<pid>`); then `out` is renamed to a sibling backup
/// (`.<name>.old-<pid>`), the temporary directory is renamed to `out`, and the
/// backup is removed. A top-level `target` directory in the old `out` is moved
/// into the new one. If anything fails before the swap, `out` is untouched and
/// the temporary directory is removed.
///
/// Paths must be relative, '/'-separated, non-empty, without `.` or `..`
/// components, and must not start with `target/`; otherwise nothing is written
/// and the error kind is [`io::ErrorKind::InvalidInput`].
pub fn write(out: &Path, files: &Files) -> io::Result<()> {
    validate(files)?;
    let (parent, name) = split_out(out)?;
    if out.exists() && !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("output path {} is not a directory", out.display()),
        ));
    }
    fs::create_dir_all(&parent).map_err(|e| with_path(e, &parent))?;
    let tmp = sibling(&parent, &name, "tmp");
    let backup = sibling(&parent, &name, "old");

    remove_if_exists(&tmp)?;
    if let Err(e) = fill(&tmp, files) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if let Err(e) = swap(out, &tmp, &backup) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    remove_if_exists(&backup).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "wrote {} but could not remove the backup: {e}",
                out.display()
            ),
        )
    })
}

/// Checks every relative path in `files`.
fn validate(files: &Files) -> io::Result<()> {
    for rel in files.keys() {
        if let Err(why) = validate_path(rel) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid generated file path {rel:?}: {why}"),
            ));
        }
    }
    Ok(())
}

fn validate_path(rel: &str) -> Result<(), &'static str> {
    if rel.is_empty() {
        return Err("empty path");
    }
    if rel.starts_with('/') || Path::new(rel).is_absolute() {
        return Err("absolute path");
    }
    for part in rel.split('/') {
        match part {
            "" => return Err("empty path component"),
            "." | ".." => return Err("`.` and `..` are not allowed"),
            _ => {}
        }
        // Each part must be a single plain name on this platform (rejects
        // e.g. `a\b` or `C:` on Windows).
        let mut components = Path::new(part).components();
        if !matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(c)), None) if c == part
        ) {
            return Err("not a plain relative path");
        }
    }
    if rel.split('/').next() == Some(TARGET_DIR) {
        return Err("the top-level `target` directory is reserved for the build cache");
    }
    Ok(())
}

/// Appends to `acc` the '/'-separated paths of all non-directories under
/// `dir` (skipping the top-level `target` directory).
fn list_files(dir: &Path, prefix: &str, acc: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| with_path(e, dir))? {
        let entry = entry.map_err(|e| with_path(e, dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let rel = format!("{prefix}{name}");
        // `file_type` does not follow symlinks: a symlinked directory is a file here.
        let is_dir = entry
            .file_type()
            .map_err(|e| with_path(e, &entry.path()))?
            .is_dir();
        if is_dir {
            if prefix.is_empty() && name == TARGET_DIR {
                continue;
            }
            list_files(&entry.path(), &format!("{rel}/"), acc)?;
        } else {
            acc.push(rel);
        }
    }
    Ok(())
}

/// Splits `out` into its (non-empty) parent directory and final name.
fn split_out(out: &Path) -> io::Result<(PathBuf, OsString)> {
    let Some(name) = out.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("output directory {} has no final name", out.display()),
        ));
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_os_string()))
}

/// `<parent>/.<name>.<tag>-<pid>`
fn sibling(parent: &Path, name: &OsString, tag: &str) -> PathBuf {
    let mut file = OsString::from(".");
    file.push(name);
    file.push(format!(".{tag}-{}", std::process::id()));
    parent.join(file)
}

/// Creates `dir` (which must not exist) containing exactly `files`.
fn fill(dir: &Path, files: &Files) -> io::Result<()> {
    fs::create_dir(dir).map_err(|e| with_path(e, dir))?;
    for (rel, contents) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| with_path(e, parent))?;
        }
        fs::write(&path, contents).map_err(|e| with_path(e, &path))?;
    }
    Ok(())
}

/// Moves `out` (if it exists) to `backup`, carries its `target` directory
/// over to `tmp`, and moves `tmp` to `out`. On failure, restores `out` as far
/// as possible.
fn swap(out: &Path, tmp: &Path, backup: &Path) -> io::Result<()> {
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(tmp, out).map_err(|e| with_path(e, out));
    }
    remove_if_exists(backup)?;
    fs::rename(out, backup).map_err(|e| with_path(e, out))?;

    let old_target = backup.join(TARGET_DIR);
    let new_target = tmp.join(TARGET_DIR);
    let moved_target = old_target.is_dir();
    let result = if moved_target {
        fs::rename(&old_target, &new_target).map_err(|e| with_path(e, &old_target))
    } else {
        Ok(())
    };
    let result = result.and_then(|()| fs::rename(tmp, out).map_err(|e| with_path(e, out)));
    if result.is_err() {
        // Undo: put the build cache and the old directory back.
        if moved_target && new_target.is_dir() {
            let _ = fs::rename(&new_target, &old_target);
        }
        let _ = fs::rename(backup, out);
    }
    result
}

fn remove_if_exists(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other.map_err(|e| with_path(e, dir)),
    }
}

/// Adds the path to an I/O error's message, keeping its kind.
fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A unique scratch directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new() -> Scratch {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let dir = std::env::temp_dir()
                .join(format!("s3-codegen-output-test-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    fn sample() -> Files {
        files(&[
            ("Cargo.toml", "[package]\n"),
            ("src/lib.rs", "pub mod types;\n"),
            ("src/types.rs", "pub struct Bucket;\n"),
            ("src/ops/put.rs", "// put\n"),
        ])
    }

    /// Every file under `dir` (including `target`) with its contents.
    fn snapshot(dir: &Path) -> Files {
        fn walk(dir: &Path, prefix: &str, acc: &mut Files) {
            for entry in fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
                if entry.file_type().unwrap().is_dir() {
                    walk(&entry.path(), &format!("{rel}/"), acc);
                } else {
                    acc.insert(rel, fs::read_to_string(entry.path()).unwrap());
                }
            }
        }
        let mut acc = Files::new();
        walk(dir, "", &mut acc);
        acc
    }

    /// The names of the entries of `dir`, sorted.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn write_then_check_is_clean() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        assert_eq!(check(&out, &sample()).unwrap(), vec![]);
        assert_eq!(snapshot(&out), sample());
        // No temporary or backup directory is left behind.
        assert_eq!(entries(&s.0), vec!["generated"]);
    }

    #[test]
    fn edited_file_is_stale() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::write(out.join("src/types.rs"), "// edited\n").unwrap();
        assert_eq!(
            check(&out, &sample()).unwrap(),
            vec![Mismatch::Stale("src/types.rs".into())]
        );
    }

    #[test]
    fn deleted_file_is_missing() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::remove_file(out.join("src/ops/put.rs")).unwrap();
        assert_eq!(
            check(&out, &sample()).unwrap(),
            vec![Mismatch::Missing("src/ops/put.rs".into())]
        );
    }

    #[test]
    fn added_file_is_extra() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::write(out.join("src/extra.rs"), "").unwrap();
        fs::create_dir_all(out.join("deep/er")).unwrap();
        fs::write(out.join("deep/er/x.txt"), "").unwrap();
        fs::write(out.join(".gitignore"), "").unwrap();
        assert_eq!(
            check(&out, &sample()).unwrap(),
            vec![
                Mismatch::Extra(".gitignore".into()),
                Mismatch::Extra("deep/er/x.txt".into()),
                Mismatch::Extra("src/extra.rs".into()),
            ]
        );
    }

    #[test]
    fn mismatches_are_sorted_by_path() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::write(out.join("src/lib.rs"), "").unwrap();
        fs::remove_file(out.join("Cargo.toml")).unwrap();
        fs::write(out.join("src/a.rs"), "").unwrap();
        let got = check(&out, &sample()).unwrap();
        assert_eq!(
            got,
            vec![
                Mismatch::Missing("Cargo.toml".into()),
                Mismatch::Extra("src/a.rs".into()),
                Mismatch::Stale("src/lib.rs".into()),
            ]
        );
        let shown: Vec<String> = got.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "missing: Cargo.toml",
                "extra: src/a.rs",
                "stale: src/lib.rs"
            ]
        );
    }

    #[test]
    fn check_of_missing_dir_reports_all_missing() {
        let s = Scratch::new();
        let out = s.0.join("nope");
        let got = check(&out, &sample()).unwrap();
        let expected: Vec<Mismatch> = sample().into_keys().map(Mismatch::Missing).collect();
        assert_eq!(got, expected);
        assert!(!out.exists());
    }

    #[test]
    fn directory_in_place_of_file_is_stale() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::remove_file(out.join("src/types.rs")).unwrap();
        fs::create_dir(out.join("src/types.rs")).unwrap();
        fs::write(out.join("src/types.rs/inner.rs"), "").unwrap();
        assert_eq!(
            check(&out, &sample()).unwrap(),
            vec![
                Mismatch::Stale("src/types.rs".into()),
                Mismatch::Extra("src/types.rs/inner.rs".into()),
            ]
        );
    }

    #[test]
    fn write_replaces_extra_files() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        fs::create_dir_all(out.join("src/old")).unwrap();
        fs::write(out.join("src/old/gone.rs"), "").unwrap();
        fs::write(out.join("src/lib.rs"), "// old\n").unwrap();
        fs::write(out.join("README.md"), "").unwrap();
        write(&out, &sample()).unwrap();
        assert_eq!(snapshot(&out), sample());
        assert!(!out.join("src/old").exists());
        assert_eq!(check(&out, &sample()).unwrap(), vec![]);
        assert_eq!(entries(&s.0), vec!["generated"]);
    }

    #[test]
    fn target_dir_is_kept_and_ignored() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::create_dir_all(out.join("target/debug")).unwrap();
        fs::write(out.join("target/debug/cache"), "cached").unwrap();
        assert_eq!(check(&out, &sample()).unwrap(), vec![]);

        let mut next = sample();
        next.remove("src/ops/put.rs");
        write(&out, &next).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("target/debug/cache")).unwrap(),
            "cached"
        );
        assert_eq!(check(&out, &next).unwrap(), vec![]);
        assert!(!out.join("src/ops").exists());
        // Only a top-level `target` is special.
        fs::create_dir_all(out.join("src/target")).unwrap();
        fs::write(out.join("src/target/x"), "").unwrap();
        assert_eq!(
            check(&out, &next).unwrap(),
            vec![Mismatch::Extra("src/target/x".into())]
        );
    }

    #[test]
    fn invalid_paths_are_rejected_and_out_untouched() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        fs::write(out.join("keep.txt"), "mine").unwrap();
        let before = snapshot(&out);
        for bad in [
            "",
            "/etc/passwd",
            "../escape.rs",
            "src/../../escape.rs",
            "src/..",
            "./src/lib.rs",
            "src//lib.rs",
            "src/",
            "target/debug/x",
        ] {
            let mut fs_ = sample();
            fs_.insert(bad.to_string(), "bad".to_string());
            let err = write(&out, &fs_).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}: {err}");
            let err = check(&out, &fs_).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}: {err}");
            assert_eq!(snapshot(&out), before, "{bad:?}");
            assert_eq!(entries(&s.0), vec!["generated"], "{bad:?}");
        }
        assert!(!s.0.join("escape.rs").exists());
    }

    #[test]
    fn failure_while_filling_leaves_out_untouched() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        let before = snapshot(&out);
        // "src/lib.rs" cannot be both a file and a directory.
        let mut conflicting = sample();
        conflicting.insert("src/lib.rs/inner.rs".into(), String::new());
        assert!(write(&out, &conflicting).is_err());
        assert_eq!(snapshot(&out), before);
        assert_eq!(entries(&s.0), vec!["generated"]);
    }

    #[test]
    fn write_into_new_dir() {
        let s = Scratch::new();
        let out = s.0.join("a/b/generated");
        write(&out, &sample()).unwrap();
        assert_eq!(snapshot(&out), sample());
        assert_eq!(check(&out, &sample()).unwrap(), vec![]);
        assert_eq!(entries(&s.0.join("a/b")), vec!["generated"]);
    }

    #[test]
    fn write_empty_file_set() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        write(&out, &sample()).unwrap();
        write(&out, &Files::new()).unwrap();
        assert!(out.is_dir());
        assert_eq!(entries(&out), Vec::<String>::new());
    }

    #[test]
    fn out_that_is_a_file_is_rejected() {
        let s = Scratch::new();
        let out = s.0.join("generated");
        fs::write(&out, "a file").unwrap();
        let err = write(&out, &sample()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(fs::read_to_string(&out).unwrap(), "a file");
        assert_eq!(entries(&s.0), vec!["generated"]);
    }

    #[test]
    fn out_without_name_is_rejected() {
        let s = Scratch::new();
        let out = s.0.join("x/..");
        let err = write(&out, &sample()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
