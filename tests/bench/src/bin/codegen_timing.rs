//! Times the generator end to end on a whole model: load, lower, emit (the
//! emitter formats with prettyplease in-process) and write to a temp dir.
//!
//! usage: codegen-timing [MODEL] [RUNS]
//! (default: ../../../shared/models/s3.json, 5 runs). Prints one line per
//! run, then min / median / max per phase and the peak RSS (VmHWM).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mut args = std::env::args().skip(1);
    let model = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models/s3.json")
    });
    let runs: usize = args.next().map(|r| r.parse().expect("RUNS")).unwrap_or(5);
    let out = std::env::temp_dir().join(format!("s3-codegen-timing-{}", std::process::id()));

    let mut rows: Vec<[Duration; 5]> = Vec::new();
    let mut files_count = 0;
    let mut bytes = 0usize;
    for run in 0..runs {
        let t0 = Instant::now();
        let m = codegen::model::Model::load(&[&model]).expect("model loads");
        let t1 = Instant::now();
        // The partition table beside the model, as `cargo xtask codegen` finds it.
        let options = codegen::Options::new(vec![model.clone()]);
        let krate = codegen::lower_for(&m, &options).expect("model lowers");
        let t2 = Instant::now();
        let opts = codegen::emit::CrateOptions {
            package: "s3-api".into(),
            standalone: true,
            examples: Vec::new(),
            runtime_path: codegen::RUNTIME_DIR.into(),
        };
        // The crate and its property tests, as `codegen::generate` renders them.
        let mut files = codegen::emit::emit(&krate, &opts).expect("emits");
        let tests = codegen::strategies::emit(&krate, "s3_api").expect("emits the round trips");
        files.insert("tests/roundtrip/run.rs".into(), tests);
        let t3 = Instant::now();
        let _ = std::fs::remove_dir_all(&out);
        codegen::output::write(&out, &files).expect("writes");
        let t4 = Instant::now();
        files_count = files.len();
        bytes = files.values().map(String::len).sum();
        let row = [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0];
        println!(
            "run {run}: load {:.1} ms, lower {:.1} ms, emit+format {:.1} ms, write {:.1} ms, total {:.1} ms",
            ms(row[0]),
            ms(row[1]),
            ms(row[2]),
            ms(row[3]),
            ms(row[4])
        );
        rows.push(row);
    }
    let _ = std::fs::remove_dir_all(&out);
    let names = ["load", "lower", "emit+format", "write", "total"];
    println!(
        "model {}: {files_count} files, {bytes} bytes, {runs} runs",
        model.display()
    );
    for (i, name) in names.iter().enumerate() {
        let mut v: Vec<Duration> = rows.iter().map(|r| r[i]).collect();
        v.sort();
        println!(
            "{name:>12}: median {:.1} ms (min {:.1}, max {:.1})",
            ms(v[v.len() / 2]),
            ms(v[0]),
            ms(v[v.len() - 1])
        );
    }
    println!(
        "peak RSS (VmHWM): {:.1} MiB",
        vm_hwm_kib().unwrap_or(0) as f64 / 1024.0
    );
}
