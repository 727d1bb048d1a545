//! `cargo xtask`: development tasks for this workspace (see `USAGE`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The generator allocates many small strings and token trees; mimalloc
// makes a whole-model run about a fifth cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--model PATH]... [--service NAME] [--ops A,B | --all] [--out DIR]

Generates the `s3-api` crate from the Smithy JSON AST model.

options:
    --check        compare the generated code with DIR instead of writing it;
                   exit with status 1 if it is out of date
    --model PATH   a Smithy JSON AST file (repeatable); default: every
                   model/*.json file in the workspace
    --service NAME the service to generate (name or shape id), when the
                   model defines several
    --ops A,B      comma-separated operation names (e.g. PutObject,GetObject);
                   default: every operation of the service
    --all          every operation of the service (the default without --ops)
    --out DIR      output directory; default: <workspace>/generated (which
                   also declares every tests/examples/*.rs as an example)
    --partitions FILE
                   the AWS partition table the endpoint rules read; default:
                   partitions.json beside the model files
    -h, --help     print this help";

/// The parsed `codegen` command line.
#[derive(Default)]
struct Args {
    check: bool,
    models: Vec<PathBuf>,
    service: Option<String>,
    ops: Option<Vec<String>>,
    all: bool,
    out: Option<PathBuf>,
    partitions: Option<PathBuf>,
}

/// Why the command line was not run.
enum ArgError {
    Help,
    Bad(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.first().map(String::as_str) {
        Some("codegen") => parse_codegen(&args[1..]),
        Some("-h" | "--help" | "help") => Err(ArgError::Help),
        Some(other) => Err(ArgError::Bad(format!("unknown command `{other}`"))),
        None => Err(ArgError::Bad("no command given".into())),
    };
    match parsed {
        Ok(args) => codegen(args),
        Err(ArgError::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(ArgError::Bad(msg)) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse_codegen(args: &[String]) -> Result<Args, ArgError> {
    let mut parsed = Args::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || match inline.clone().or_else(|| iter.next().cloned()) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ArgError::Bad(format!("`{flag}` needs a value"))),
        };
        match flag {
            "-h" | "--help" => return Err(ArgError::Help),
            "--check" if inline.is_none() => parsed.check = true,
            "--all" if inline.is_none() => parsed.all = true,
            "--model" => parsed.models.push(PathBuf::from(value()?)),
            "--service" if parsed.service.is_some() => {
                return Err(ArgError::Bad("`--service` given more than once".into()));
            }
            "--service" => parsed.service = Some(value()?),
            "--ops" => {
                let ops: Vec<String> = value()?
                    .split(',')
                    .map(str::trim)
                    .filter(|op| !op.is_empty())
                    .map(String::from)
                    .collect();
                if ops.is_empty() {
                    return Err(ArgError::Bad(
                        "`--ops` needs at least one operation name".into(),
                    ));
                }
                parsed.ops.get_or_insert_with(Vec::new).extend(ops);
            }
            "--out" if parsed.out.is_some() => {
                return Err(ArgError::Bad("`--out` given more than once".into()));
            }
            "--out" => parsed.out = Some(PathBuf::from(value()?)),
            "--partitions" if parsed.partitions.is_some() => {
                return Err(ArgError::Bad("`--partitions` given more than once".into()));
            }
            "--partitions" => parsed.partitions = Some(PathBuf::from(value()?)),
            _ => return Err(ArgError::Bad(format!("unexpected argument `{arg}`"))),
        }
    }
    if parsed.all && parsed.ops.is_some() {
        return Err(ArgError::Bad(
            "`--all` and `--ops` exclude each other".into(),
        ));
    }
    Ok(parsed)
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
}

/// Every `*.json` file directly in `dir`, sorted by name.
fn default_models(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut models = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        // The partition table sits beside the model files; it is not one.
        let partitions = path
            .file_name()
            .is_some_and(|n| n == codegen::PARTITIONS_FILE);
        if path.extension().is_some_and(|ext| ext == "json") && path.is_file() && !partitions {
            models.push(path);
        }
    }
    models.sort();
    if models.is_empty() {
        return Err(format!("no *.json model files in {}", dir.display()));
    }
    Ok(models)
}

/// Every `*.rs` file directly in `dir`, sorted, as an example of the
/// `generated/` crate: named after the file (`_` becomes `-`), with its path
/// relative to `generated/`. Empty when `dir` does not exist.
fn workspace_examples(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("reading {}: {e}", dir.display())),
    };
    let mut examples = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        let (Some(stem), Some(file)) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.file_name().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        if path.extension().is_some_and(|ext| ext == "rs") && path.is_file() {
            examples.push((stem.replace('_', "-"), format!("../tests/examples/{file}")));
        }
    }
    examples.sort();
    Ok(examples)
}

/// Refuses to replace a directory containing the workspace or the current directory.
fn ensure_replaceable(out: &Path, root: &Path) -> Result<(), String> {
    let Ok(out) = out.canonicalize() else {
        return Ok(()); // does not exist yet
    };
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize());
    for inner in [root.canonicalize(), cwd].into_iter().flatten() {
        if inner.starts_with(&out) {
            return Err(format!(
                "refusing to replace {}: it contains {}",
                out.display(),
                inner.display()
            ));
        }
    }
    Ok(())
}

fn codegen(args: Args) -> ExitCode {
    match run_codegen(args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// `to` as seen from the directory `from` (both absolute): `../runtime`
/// from `generated/`, so the path written into a generated Cargo.toml holds
/// no machine path; absolute when the two share no prefix.
fn relative_path(from: &std::path::Path, to: &std::path::Path) -> String {
    use std::path::Component;
    let from: Vec<Component<'_>> = from
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let to: Vec<Component<'_>> = to
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 || from[common..].contains(&Component::ParentDir) {
        return to.iter().collect::<PathBuf>().display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn run_codegen(args: Args) -> Result<ExitCode, String> {
    let root = workspace_root();
    let models = match args.models {
        models if models.is_empty() => default_models(&root.join("model"))?,
        models => models,
    };
    let out = match args.out {
        // Absolute, so that e.g. `--out .` still has a parent and a name.
        Some(out) => std::path::absolute(&out).unwrap_or(out),
        None => root.join("generated"),
    };

    // Outside the workspace member `generated/`, the crate gets its own
    // `[workspace]` table so that it builds where it is written.
    let standalone = out != root.join("generated");
    // The workspace's `generated/` crate also declares the hand-written
    // examples of `tests/examples/` (generated/ holds generator output only).
    let examples = if standalone {
        Vec::new()
    } else {
        workspace_examples(&root.join("tests/examples"))?
    };
    let defaults = codegen::Options::new(models);
    let opts = codegen::Options {
        partitions: args.partitions.or(defaults.partitions.clone()),
        service: args.service,
        ops: args.ops,
        standalone,
        examples,
        runtime_path: relative_path(&out, &root.join("runtime")),
        ..defaults
    };
    let files = match codegen::generate(&opts) {
        Ok(files) => files,
        Err(diags) => {
            eprintln!("{diags}");
            return Err(format!(
                "code generation failed ({} problem(s))",
                diags.len()
            ));
        }
    };

    let shown = out.display();
    if args.check {
        let mismatches =
            codegen::output::check(&out, &files).map_err(|e| format!("checking {shown}: {e}"))?;
        if mismatches.is_empty() {
            println!("{shown} is up to date ({} files)", files.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("generated code is out of date in {shown}:");
        for m in &mismatches {
            eprintln!("  {m}");
        }
        eprintln!("run `cargo xtask codegen` to regenerate");
        Ok(ExitCode::FAILURE)
    } else {
        ensure_replaceable(&out, root)?;
        codegen::output::write(&out, &files).map_err(|e| format!("writing {shown}: {e}"))?;
        println!("wrote {} files to {shown}", files.len());
        Ok(ExitCode::SUCCESS)
    }
}
