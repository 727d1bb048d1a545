//! A Rust-native generator for the AWS S3 restXml API.
//!
//! The pipeline, one module per stage:
//! [`model`] loads Smithy 2.0 JSON AST files into typed shapes;
//! [`lower`] validates the shapes the chosen operations reach (every problem
//! at once) and lowers them to the [`ir`]; [`emit`] renders the IR with
//! `quote!` and formats it with prettyplease; [`output`] writes the files
//! atomically, or checks them.

pub mod diag;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod model;
pub mod naming;
pub mod output;
pub mod profile;
pub mod protocol_tests;
mod rust;
pub mod strategies;

use std::path::PathBuf;

pub use diag::{Diagnostic, Diagnostics};
pub use output::Files;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Model files (Smithy 2.0 JSON AST), merged into one model.
    pub models: Vec<PathBuf>,
    /// The service to generate (shape id or name); `None` when the model has one.
    pub service: Option<String>,
    /// Operation names to generate; `None` means every operation of the service.
    pub ops: Option<Vec<String>>,
    /// Package name of the generated crate.
    pub package: String,
    /// Whether the generated crate declares its own empty workspace, so it
    /// builds wherever it is written.
    pub standalone: bool,
    /// Hand-written examples the crate declares as `[[example]]` targets:
    /// (name, path relative to the crate directory), in this order.
    pub examples: Vec<(String, String)>,
    /// Where the generated crate finds the runtime crate `s3-runtime`: the
    /// `path` of its dependency, relative to the generated crate's
    /// directory or absolute.
    pub runtime_path: String,
    /// The AWS partition table (`partitions.json`) that endpoint rules
    /// calling `aws.partition` need. [`Options::new`] takes a
    /// `partitions.json` beside the model files, when there is one.
    pub partitions: Option<PathBuf>,
}

/// The name of the partition table beside the model files (which is not a
/// model file itself).
pub const PARTITIONS_FILE: &str = "partitions.json";

/// The runtime crate's directory in this repository, absolute: the default
/// of [`Options::runtime_path`].
pub const RUNTIME_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime");

impl Options {
    /// Options for the given model files, every operation, package `s3-api`.
    pub fn new(models: Vec<PathBuf>) -> Self {
        // The first beside any model file, in path order (so the order the
        // files are given in does not matter).
        let mut beside: Vec<PathBuf> = models
            .iter()
            .filter_map(|m| m.parent())
            .map(|dir| dir.join(PARTITIONS_FILE))
            .filter(|p| p.is_file())
            .collect();
        beside.sort();
        let partitions = beside.into_iter().next();
        Options {
            partitions,
            models,
            service: None,
            ops: None,
            package: "s3-api".into(),
            standalone: false,
            examples: Vec::new(),
            runtime_path: RUNTIME_DIR.into(),
        }
    }
}

/// Loads, validates, lowers and emits: the full set of files of the crate.
/// Nothing is written; see [`output::write`].
pub fn generate(opts: &Options) -> Result<Files, Diagnostics> {
    let model = model::Model::load(&opts.models)?;
    generate_from_model(&model, opts)
}

/// Like [`generate`], for a model already loaded (e.g. from in-memory sources).
pub fn generate_from_model(model: &model::Model, opts: &Options) -> Result<Files, Diagnostics> {
    let krate = lower_for(model, opts)?;
    let crate_opts = emit::CrateOptions {
        package: opts.package.clone(),
        standalone: opts.standalone,
        examples: opts.examples.clone(),
        runtime_path: opts.runtime_path.clone(),
    };
    // The property tests are rendered beside the crate, on a core of their own.
    let crate_ident = opts.package.replace('-', "_");
    let (files, roundtrip) = std::thread::scope(|scope| {
        let roundtrip = scope.spawn(|| strategies::emit(&krate, &crate_ident));
        let files = emit::emit(&krate, &crate_opts);
        let roundtrip = roundtrip
            .join()
            .unwrap_or_else(|_| Err("the round-trip test thread panicked".to_owned()));
        (files, roundtrip)
    });
    let internal = |e: String| {
        let mut d = Diagnostics::default();
        d.push(None, None, None, format!("internal error: {e}"));
        d
    };
    let mut files = files.map_err(internal)?;
    files.insert(
        "tests/roundtrip/run.rs".into(),
        roundtrip.map_err(internal)?,
    );
    files.insert("tests/roundtrip.rs".into(), strategies::SHIM.into());
    Ok(files)
}

/// Validates and lowers `model` for `opts` (its service, operations and
/// partition table): the crate [`generate_from_model`] emits.
pub fn lower_for(model: &model::Model, opts: &Options) -> Result<ir::Crate, Diagnostics> {
    let partitions = match &opts.partitions {
        Some(path) => Some(read_partitions(path)?),
        None => None,
    };
    lower::lower(
        model,
        opts.service.as_deref(),
        opts.ops.as_deref(),
        partitions.as_ref(),
    )
}

/// Reads the partition table.
fn read_partitions(path: &std::path::Path) -> Result<lower::PartitionsInput, Diagnostics> {
    let file = path.display().to_string();
    let fail = |msg: String| {
        let mut d = Diagnostics::default();
        d.push(Some(&file), None, None, msg);
        d
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let json = serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
    Ok(lower::PartitionsInput { file, json })
}
