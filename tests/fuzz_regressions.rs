//! Regression tests for the fuzz targets in `tests/fuzz` (see
//! `tests/fuzz/README.md`).
//!
//! The harness the targets run, `tests/fuzz/src/lib.rs`, is included here as
//! a module, so each test runs an input through exactly the code the fuzzer
//! ran. Every input the fuzzer ever found crashing is kept below as a test
//! that checks it no longer panics and gives the expected error.
//!
//! `write_seed_corpus` (ignored) writes the seed corpora the README's
//! commands start from.

#[path = "fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};

use harness::{ALL_OPERATIONS, STRUCTURED, xml_reader};

fn wire_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("S3_WIRE_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire"),
    };
    dir.is_dir().then_some(dir)
}

/// The `.expected.http` files of the wire examples, sorted by path.
fn wire_requests() -> Vec<Vec<u8>> {
    let Some(dir) = wire_dir() else {
        println!("fuzz_regressions: no wire examples; seeds without them");
        return Vec::new();
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            for file in std::fs::read_dir(entry.path()).unwrap() {
                let path = file.unwrap().path();
                if path.to_string_lossy().ends_with(".expected.http") {
                    paths.push(path);
                }
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Named fuzz inputs.
type Seeds = Vec<(String, Vec<u8>)>;

/// The seeds of `xml_readers` and of `server_requests`.
fn seeds() -> (Seeds, Seeds) {
    let wire = wire_requests();
    let bodies: Vec<Vec<u8>> = wire
        .iter()
        .map(|w| harness::http_body(w).to_vec())
        .collect();
    (harness::xml_seeds(&bodies), harness::request_seeds(&wire))
}

/// Every seed runs cleanly, and the valid documents and requests the crate
/// writes are read back without error: the seeds reach deep into the
/// readers instead of failing at the first byte.
#[test]
fn seeds_are_read_without_error() {
    let (xml, requests) = seeds();
    assert!(xml.len() >= 20 && requests.len() >= 18);
    for (name, input) in &xml {
        let result = harness::read_xml(input[0], &input[1..]);
        // The error documents are errors by design; everything else reads.
        let is_error_reader = matches!(
            input[0],
            xml_reader::LIST_403
                | xml_reader::PUT_403
                | xml_reader::CREATE_409
                | xml_reader::GET_404
                | xml_reader::HEAD_403
        ) || name.contains("error-in-200");
        if name.contains("hostile") {
            let error = result.expect_err(name);
            assert!(
                error.contains("nested more than 64 deep"),
                "{name}: {error}"
            );
        } else if is_error_reader {
            let error = result.expect_err(name);
            assert!(!error.contains("could not be read"), "{name}: {error}");
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    for (name, input) in &requests {
        let results =
            harness::serve(input[0], &input[1..]).unwrap_or_else(|| panic!("{name}: no request"));
        if input[0] & 0x07 == ALL_OPERATIONS {
            // At least the operation the request was built for reads it.
            assert_eq!(results.len(), 7, "{name}");
            let read: Vec<&str> = results
                .iter()
                .zip(harness::OPERATIONS)
                .filter(|(r, _)| r.is_ok())
                .map(|(_, op)| *op)
                .collect();
            println!("{name}: read by {read:?}");
            assert!(!read.is_empty(), "{name}: {results:?}");
        } else {
            assert_eq!(results.len(), 1, "{name}");
            assert!(results[0].is_ok(), "{name}: {results:?}");
        }
    }
}

/// The request seeds through the `router` target: every request the crate
/// builds is routed and read, and answered by the service that implements
/// nothing (501); none panics.
#[test]
fn router_target_routes_the_request_seeds() {
    let (_, requests) = seeds();
    let mut routed = 0;
    for (name, input) in &requests {
        let status = harness::route(input).unwrap_or_else(|| panic!("{name}: no request"));
        assert!((400..=599).contains(&status), "{name}: {status}");
        routed += usize::from(status == 501);
    }
    assert!(
        routed * 2 >= requests.len(),
        "{routed} of {} routed",
        requests.len()
    );
    // Hostile shapes: no panic.
    for raw in [
        &b"\x00GET / HTTP/1.1\r\nhost: a..s3.example.com\r\n\r\n"[..],
        b"\x00PUT /%ff%fe?analytics&id HTTP/1.1\r\n\r\n",
        b"\x00GET //// HTTP/1.1\r\nhost: .s3.example.com:99999\r\n\r\n",
        b"\x00DELETE /b/k?x-id=&x-id=DeleteObject HTTP/1.1\r\n\r\n",
    ] {
        assert!(harness::route(raw).is_some(), "{raw:?}");
    }
}

/// The `aws_chunked` target: bodies decode within the limit, and faults
/// are errors with S3's codes.
#[test]
fn aws_chunked_target_decodes_and_refuses() {
    let cases: [(&[u8], Result<usize, &str>); 6] = [
        (b"\x04" as &[u8], Err("IncompleteBody")),
        (b"\x045\r\nhello\r\n0\r\n\r\n", Ok(5)),
        (b"\x005\r\nhello\r\n0\r\n\r\n", Err("EntityTooLarge")),
        (
            b"\x041;chunk-signature=a\r\nx\r\n0\r\n\r\n",
            Err("SignatureDoesNotMatch"),
        ),
        (b"\x051;chunk-signature=a\r\nx\r\n0\r\n\r\n", Ok(1)),
        (b"\xff10000000000000000\r\n", Err("InvalidRequest")),
    ];
    for (input, expected) in cases {
        let got = harness::decode_chunked(input);
        match expected {
            Ok(len) => assert_eq!(got, Ok(len), "{input:?}"),
            Err(code) => assert!(
                got.as_ref().is_err_and(|e| e.starts_with(code)),
                "{input:?}: {got:?}"
            ),
        }
    }
}

/// The event-stream seeds read whole and in chunks into every event they
/// hold; cut or corrupted, they give an error, never a panic, and the
/// decoder and `parse_response` agree (the harness asserts it).
#[test]
fn event_stream_seeds_read_and_damaged_ones_fail_cleanly() {
    let seeds = harness::event_stream_seeds();
    assert_eq!(seeds.len(), 4);
    for (name, input) in &seeds {
        let events = harness::read_event_stream(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = if name.starts_with("written") { 5 } else { 3 };
        assert_eq!(events, want, "{name}");
        assert_eq!(harness::read_event_stream(&input[..1]), Ok(0), "no body");
        for cut in [2, 13, input.len() / 2, input.len() - 1] {
            let error = harness::read_event_stream(&input[..cut]).expect_err(name);
            assert!(
                error.contains("ends inside a message"),
                "{name} cut at {cut}: {error}"
            );
        }
        for i in (1..input.len()).step_by(7) {
            let mut bad = input.clone();
            bad[i] ^= 0x41;
            // Any verdict but a panic; the harness checks agreement.
            let _ = harness::read_event_stream(&bad);
        }
    }
}

/// The tolerant raw parser and the structured mode build the requests the
/// seeds describe.
#[test]
fn harness_builds_the_requests_it_is_given() {
    let raw = b"PUT /b?analytics&id=x HTTP/1.1\nbad header line\nX-Amz-Expected-Bucket-Owner:  1 \n\n<A/>";
    let request = harness::raw_request(raw).unwrap();
    assert_eq!(request.method(), http::Method::PUT);
    assert_eq!(request.uri(), "/b?analytics&id=x");
    assert_eq!(request.headers()["x-amz-expected-bucket-owner"], "1");
    assert_eq!(request.body(), b"<A/>");
    // A target with a space and a non-ASCII byte is percent-encoded.
    let request = harness::raw_request(b"GET /a\xC3\xA9\x01?x=\"y\" HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(request.uri(), "/a%C3%A9%01?x=%22y%22");
    assert!(harness::raw_request(b"").is_none());
    assert!(harness::raw_request(b"G(T / HTTP/1.1").is_none());

    let (_, requests) = seeds();
    let structured = &requests
        .iter()
        .find(|(n, _)| n == "structured-get")
        .unwrap()
        .1;
    assert_eq!(structured[0], STRUCTURED | ALL_OPERATIONS);
    let request = harness::structured_request(&structured[1..]).unwrap();
    assert_eq!(
        request.uri(),
        "/amzn-s3-demo-bucket?analytics&x-id=GetBucketAnalyticsConfiguration&id=report1"
    );
}

/// Writes the seed corpora to `tests/fuzz/seeds/{xml_readers,server_requests,event_streams}/`
/// (or to `$FUZZ_SEED_DIR`). Run with
/// `cargo test -p s3-api-tests --test fuzz_regressions -- --ignored write_seed_corpus`.
#[test]
#[ignore = "writes files; run by hand to refresh the seed corpora"]
fn write_seed_corpus() {
    let root = match std::env::var_os("FUZZ_SEED_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds"),
    };
    let (xml, requests) = seeds();
    for (target, seeds) in [
        ("xml_readers", xml),
        ("server_requests", requests),
        ("event_streams", harness::event_stream_seeds()),
    ] {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, input) in seeds {
            std::fs::write(dir.join(name), input).unwrap();
        }
        println!("wrote {}", dir.display());
    }
}

/// Replays every input of the working corpora (`tests/fuzz/corpus/…`, or
/// `$FUZZ_CORPUS_DIR/{xml_readers,server_requests}`) through the harness on
/// the stable toolchain, without libFuzzer or sanitizers. Run with
/// `cargo test -p s3-api-tests --test fuzz_regressions -- --ignored replay_corpus`.
#[test]
#[ignore = "needs a corpus from a fuzzing run"]
fn replay_corpus() {
    let root = match std::env::var_os("FUZZ_CORPUS_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus"),
    };
    for (target, run) in [
        ("xml_readers", harness::xml_readers as fn(&[u8])),
        ("server_requests", harness::server_requests),
        ("event_streams", harness::event_streams),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            println!("{target}: no corpus at {}", root.join(target).display());
            continue;
        };
        let mut count = 0;
        let mut panicked = Vec::new();
        for entry in entries {
            let path = entry.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            if std::panic::catch_unwind(|| run(&input)).is_err() {
                panicked.push(path);
            }
            count += 1;
        }
        println!("{target}: replayed {count} inputs");
        assert!(
            panicked.is_empty(),
            "{target}: these inputs panic: {panicked:#?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Inputs the fuzzer found. Each one: the bytes (minimized), what went wrong,
// and the error expected now.
// ---------------------------------------------------------------------------
//
// None so far: the runs recorded in tests/fuzz/README.md found no crash.
// Add each new one here as a #[test] that calls `harness::read_xml` or
// `harness::serve` with the minimized bytes and checks the error.

// ---------------------------------------------------------------------------
// Hostile inputs made by hand: the limits hold where the fuzzer's inputs
// (at most 1 MiB, and in practice much smaller) do not reach.
// ---------------------------------------------------------------------------

/// Nesting far past the depth limit is an error, not a stack overflow, for
/// the structure readers, the error-document reader and the server.
#[test]
fn deep_nesting_is_an_error() {
    let deep = format!("{}{}", "<u>".repeat(100_000), "</u>".repeat(100_000));
    let config = format!("<AnalyticsConfiguration><Id>x</Id>{deep}</AnalyticsConfiguration>");
    let error =
        harness::read_xml(xml_reader::ANALYTICS_CONFIGURATION, config.as_bytes()).unwrap_err();
    assert!(
        error.contains("elements are nested more than 64 deep, the limit"),
        "{error}"
    );
    let error = harness::read_xml(
        xml_reader::LIST_403,
        format!("<Error>{deep}</Error>").as_bytes(),
    )
    .unwrap_err();
    assert!(
        error.contains("elements are nested more than 64 deep"),
        "{error}"
    );
    let request = format!("PUT /b?analytics&id=x HTTP/1.1\r\n\r\n{config}");
    let results = harness::serve(ALL_OPERATIONS, request.as_bytes()).unwrap();
    let put = results[6].as_ref().unwrap_err();
    assert!(
        put.contains("elements are nested more than 64 deep, the limit"),
        "{put}"
    );
}

/// Bodies over the size limits are rejected before they are read: 64 MiB
/// for documents, 1 MiB for error documents.
#[test]
fn oversized_bodies_are_rejected() {
    let mut body = b"<Tag><Key>k</Key><Value>".to_vec();
    body.resize(64 * 1024 * 1024 + 1, b'v');
    let error = harness::read_xml(xml_reader::TAG, &body).unwrap_err();
    assert!(
        error.contains("more than the limit of 67108864 bytes"),
        "{error}"
    );
    let mut error_body = b"<Error><Message>".to_vec();
    error_body.resize(1024 * 1024 + 1, b'm');
    let error = harness::read_xml(xml_reader::GET_404, &error_body).unwrap_err();
    assert!(
        error.contains("more than the limit of 1048576 bytes"),
        "{error}"
    );
}
