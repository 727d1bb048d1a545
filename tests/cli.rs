//! The `wire` example of `s3-api`, run the way a user runs it:
//!
//! ```text
//! cargo run -q -p s3-api --example wire -- request  <OperationName> <input.json>
//! cargo run -q -p s3-api --example wire -- response <OperationName> <response.http>
//! ```
//!
//! `request` must print exactly the `.expected.http` of the wire examples;
//! `response` must print `{"Output": …}` or `{"Error": …}`; any problem gives
//! exit code 2 and one line on stderr starting with `wire:`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::{Value, json};

const OP: &str = "PutBucketAnalyticsConfiguration";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn wire_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("S3_WIRE_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("cli: no wire examples at {}; skipped", dir.display());
        None
    }
}

/// Builds the example once, so that `cargo run -q` afterwards prints nothing
/// of its own.
fn build_once() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "s3-api", "--example", "wire"])
            .current_dir(workspace_root())
            .output()
            .expect("cannot run cargo");
        assert!(
            out.status.success(),
            "building the wire example failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

fn wire(args: &[&str]) -> Output {
    build_once();
    Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "s3-api", "--example", "wire", "--"])
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("cannot run cargo")
}

/// A fresh temporary directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("s3-api-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[track_caller]
fn expect_success(out: &Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "exit {:?}, stderr {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.clone()
}

/// Exit code 2, nothing on stdout, exactly one line on stderr starting with
/// `wire:`. Returns that line.
#[track_caller]
fn expect_usage_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.ends_with('\n'), "{stderr:?}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {stderr:?}");
    assert!(lines[0].starts_with("wire:"), "{stderr:?}");
    assert!(lines[0].len() > "wire: ".len(), "{stderr:?}");
    lines[0].to_owned()
}

// ---------------------------------------------------------------------------
// request
// ---------------------------------------------------------------------------

#[test]
fn request_prints_the_expected_http() {
    let Some(dir) = wire_dir() else { return };
    let folder = dir.join("put-bucket-analytics-configuration");
    for case in ["full", "minimal"] {
        let input = folder.join(format!("{case}.input.json"));
        let expected = std::fs::read(folder.join(format!("{case}.expected.http")))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let out = wire(&["request", OP, input.to_str().unwrap()]);
        let stdout = expect_success(&out);
        assert_eq!(
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&expected),
            "{case}"
        );
        assert_eq!(stdout, expected, "{case}: bytes");
    }
}

// ---------------------------------------------------------------------------
// route
// ---------------------------------------------------------------------------

#[test]
fn route_reads_raw_requests_as_the_operations_they_are_for() {
    let dir = temp_dir("route");
    let mut files = Vec::new();
    let mut expected = Vec::new();
    // The requests that real clients send, as the wire examples hold them:
    // each routes back to the operation and input it was written from.
    if let Some(wire_dir) = wire_dir() {
        let folder = wire_dir.join("put-bucket-analytics-configuration");
        for case in ["full", "minimal"] {
            let input: Value = serde_json::from_slice(
                &std::fs::read(folder.join(format!("{case}.input.json"))).unwrap(),
            )
            .unwrap();
            let file = folder.join(format!("{case}.expected.http"));
            files.push(file.to_str().unwrap().to_owned());
            expected.push(serde_json::json!({ "Operation": OP, "Input": input }));
        }
    }
    let cases: [(&str, &[u8], Value); 6] = [
        (
            "list.http",
            b"GET /b?analytics HTTP/1.1\r\nhost: h\r\n\r\n",
            serde_json::json!({ "Operation": "ListBucketAnalyticsConfigurations", "Input": { "Bucket": "b" } }),
        ),
        (
            // Without the `x-id` that botocore leaves out.
            "get.http",
            b"GET /b?analytics&id=r1 HTTP/1.1\r\nhost: h\r\nx-amz-expected-bucket-owner: 1\r\n\r\n",
            serde_json::json!({ "Operation": "GetBucketAnalyticsConfiguration",
                "Input": { "Bucket": "b", "Id": "r1", "ExpectedBucketOwner": "1" } }),
        ),
        (
            "delete.http",
            b"DELETE /b?analytics&id=r1 HTTP/1.1\r\nhost: h\r\n\r\n",
            serde_json::json!({ "Operation": "DeleteBucketAnalyticsConfiguration",
                "Input": { "Bucket": "b", "Id": "r1" } }),
        ),
        (
            "patch.http",
            b"PATCH /b HTTP/1.1\r\nhost: h\r\n\r\n",
            serde_json::json!({ "Error": { "Code": "MethodNotAllowed" } }),
        ),
        (
            "put-without-id.http",
            b"PUT /b?analytics HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n",
            serde_json::json!({ "Error": { "Code": "InvalidRequest" } }),
        ),
        (
            "malformed.http",
            b"PUT /b?analytics&id=x HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\n<bad>",
            serde_json::json!({ "Error": { "Code": "MalformedXML" } }),
        ),
    ];
    for (name, raw, value) in cases {
        files.push(write(&dir, name, raw));
        expected.push(value);
    }
    let args: Vec<&str> = std::iter::once("route")
        .chain(files.iter().map(String::as_str))
        .collect();
    let stdout = expect_success(&wire(&args));
    let lines: Vec<&str> = std::str::from_utf8(&stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), expected.len(), "{lines:?}");
    for ((line, expected), file) in lines.iter().zip(&expected).zip(&files) {
        let got: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}: {e}: {line}"));
        if let Some(code) = expected.pointer("/Error/Code") {
            assert_eq!(got.pointer("/Error/Code"), Some(code), "{file}: {line}");
            let message = got.pointer("/Error/Message").and_then(Value::as_str);
            assert!(message.is_some_and(|m| !m.is_empty()), "{file}: {line}");
        } else {
            assert_eq!(&got, expected, "{file}");
            assert!(line.starts_with("{\"Operation\":"), "{file}: {line}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------
// response
// ---------------------------------------------------------------------------

#[track_caller]
fn json_stdout(out: &Output) -> Value {
    let stdout = expect_success(out);
    let value: Value = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&stdout)
        )
    });
    let keys: Vec<&String> = value.as_object().expect("an object").keys().collect();
    assert!(
        keys == ["Output"] || keys == ["Error"],
        "exactly one of Output / Error: {value}"
    );
    value
}

/// Checks the fields of `{"Error": {...}}`.
#[track_caller]
fn assert_error(value: &Value, variant: &str, fields: Value) {
    let error = &value["Error"];
    assert!(error.is_object(), "{value}");
    assert_eq!(error["Type"], json!(variant), "{value}");
    for (k, v) in fields.as_object().unwrap() {
        assert_eq!(&error[k], v, "Error.{k} in {value}");
    }
}

#[test]
fn response_success_with_empty_body() {
    let dir = temp_dir("ok");
    let file = write(
        &dir,
        "200.http",
        b"HTTP/1.1 200 OK\r\nx-amz-id-2: HOST\r\nx-amz-request-id: REQ\r\nContent-Length: 0\r\nServer: AmazonS3\r\n\r\n",
    );
    let value = json_stdout(&wire(&["response", OP, &file]));
    assert_eq!(value, json!({"Output": {}}));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn response_access_denied() {
    let dir = temp_dir("denied");
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>BODYREQ</RequestId><HostId>BODYHOST</HostId></Error>";
    let raw = format!(
        "HTTP/1.1 403 Forbidden\r\nx-amz-request-id: 656c76696e6727732072657175657374\r\nx-amz-id-2: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let file = write(&dir, "403.http", raw.as_bytes());
    let value = json_stdout(&wire(&["response", OP, &file]));
    assert_error(
        &value,
        "AccessDenied",
        json!({
            "Code": "AccessDenied",
            "Message": "Access Denied",
            "RequestId": "656c76696e6727732072657175657374",
            "HostId": "Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==",
            "Status": 403,
        }),
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn response_body_is_framed_by_content_length() {
    let dir = temp_dir("length");
    let body = "<Error><Code>InvalidArgument</Code><Message>bad id</Message></Error>";
    // Bytes after the announced length are not part of the body (they would
    // make the XML unreadable).
    let raw = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-length: {}\r\nx-amz-request-id: R1\r\n\r\n{body}<junk & more",
        body.len()
    );
    let file = write(&dir, "400.http", raw.as_bytes());
    let value = json_stdout(&wire(&["response", OP, &file]));
    assert_error(
        &value,
        "InvalidArgument",
        json!({"Code": "InvalidArgument", "Message": "bad id", "RequestId": "R1", "HostId": null, "Status": 400}),
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn response_chunked_body() {
    let dir = temp_dir("chunked");
    let body = "<Error><Code>TooManyConfigurations</Code><Message>limit reached</Message><RequestId>CHUNKREQ</RequestId><HostId>CHUNKHOST</HostId></Error>";
    let (a, rest) = body.split_at(10);
    let (b, c) = rest.split_at(40);
    let mut raw = String::from("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n");
    raw.push_str(&format!("{:x}\r\n{a}\r\n", a.len()));
    raw.push_str(&format!("{:X};ext=1\r\n{b}\r\n", b.len()));
    raw.push_str(&format!("{:x}\r\n{c}\r\n", c.len()));
    raw.push_str("0\r\n\r\n");
    let file = write(&dir, "chunked.http", raw.as_bytes());
    let value = json_stdout(&wire(&["response", OP, &file]));
    assert_error(
        &value,
        "TooManyConfigurations",
        json!({
            "Code": "TooManyConfigurations",
            "Message": "limit reached",
            "RequestId": "CHUNKREQ",
            "HostId": "CHUNKHOST",
            "Status": 400,
        }),
    );
    let _ = std::fs::remove_dir_all(dir);
}

// ---------------------------------------------------------------------------
// Usage errors
// ---------------------------------------------------------------------------

fn minimal_input() -> Value {
    json!({
        "Bucket": "amzn-s3-demo-bucket",
        "Id": "report1",
        "AnalyticsConfiguration": {"Id": "report1", "StorageClassAnalysis": {}}
    })
}

#[test]
fn bad_input_files_are_usage_errors() {
    let dir = temp_dir("bad-input");
    let bad_json = write(&dir, "bad.json", b"{\"Bucket\": \"b\",");
    expect_usage_error(&wire(&["request", OP, &bad_json]));

    let mut missing = minimal_input();
    missing["AnalyticsConfiguration"]
        .as_object_mut()
        .unwrap()
        .remove("Id");
    let missing = write(&dir, "missing.json", missing.to_string().as_bytes());
    let line = expect_usage_error(&wire(&["request", OP, &missing]));
    assert!(line.contains("`Id`"), "{line}");

    let mut empty_bucket = minimal_input();
    empty_bucket["Bucket"] = json!("");
    let empty_bucket = write(&dir, "empty.json", empty_bucket.to_string().as_bytes());
    let line = expect_usage_error(&wire(&["request", OP, &empty_bucket]));
    assert!(line.contains("Bucket"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = temp_dir("bad-args");
    let input = write(&dir, "input.json", minimal_input().to_string().as_bytes());

    let line = expect_usage_error(&wire(&["request", "GetObject", &input]));
    assert!(line.contains("GetObject"), "{line}");

    let line = expect_usage_error(&wire(&["requests", OP, &input]));
    assert!(line.contains("requests"), "{line}");

    let absent = dir.join("absent.json");
    let line = expect_usage_error(&wire(&["request", OP, absent.to_str().unwrap()]));
    assert!(line.contains("absent.json"), "{line}");

    expect_usage_error(&wire(&["request", OP]));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn endpoint_mode_prints_one_line_per_params_object() {
    let dir = temp_dir("endpoint");
    let params = json!([
        {"Bucket": "amzn-s3-demo-bucket", "Region": "us-west-2", "UseFIPS": false},
        {"Bucket": "my.bucket", "Region": "us-west-2"},
        {"Bucket": "arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint", "Region": "us-west-2", "UseDualStack": true},
        {"Region": "cn-north-1", "Bucket": "b1b1b1"},
        {"Bucket": "b1b1b1", "Region": "us-east-1", "Endpoint": "http://localhost:9000", "ForcePathStyle": true},
        {"Region": "a b"},
        {"Region": "us-west-2", "Accelerate": true, "UseFIPS": true, "Bucket": "bucket"}
    ]);
    let file = write(&dir, "params.json", params.to_string().as_bytes());
    let out = String::from_utf8(expect_success(&wire(&["endpoint", &file]))).unwrap();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let urls: Vec<&str> = lines
        .iter()
        .map(|l| {
            l["endpoint"]["url"]
                .as_str()
                .or(l["error"].as_str())
                .unwrap()
        })
        .collect();
    assert_eq!(
        urls,
        [
            "https://amzn-s3-demo-bucket.s3.us-west-2.amazonaws.com",
            "https://s3.us-west-2.amazonaws.com/my.bucket",
            "https://myendpoint-123456789012.s3-accesspoint.dualstack.us-west-2.amazonaws.com",
            "https://b1b1b1.s3.cn-north-1.amazonaws.com.cn",
            "http://localhost:9000/b1b1b1",
            "Invalid region: region was not a valid DNS name.",
            "Accelerate cannot be used with FIPS",
        ]
    );
    assert_eq!(
        lines[0]["endpoint"],
        json!({
            "url": "https://amzn-s3-demo-bucket.s3.us-west-2.amazonaws.com",
            "properties": {"authSchemes": [{"disableDoubleEncoding": true, "name": "sigv4", "signingName": "s3", "signingRegion": "us-west-2"}]},
            "headers": {}
        })
    );
    // One object alone is one line too.
    let one = write(&dir, "one.json", params[5].to_string().as_bytes());
    let out = String::from_utf8(expect_success(&wire(&["endpoint", &one]))).unwrap();
    assert_eq!(
        out,
        "{\"error\":\"Invalid region: region was not a valid DNS name.\"}\n"
    );
    // An unknown parameter or a value of the wrong type is a usage error.
    let bad = write(&dir, "bad.json", br#"{"Bucket": true}"#);
    expect_usage_error(&wire(&["endpoint", &bad]));
    let bad = write(&dir, "bad2.json", br#"{"Colour": "blue"}"#);
    assert!(expect_usage_error(&wire(&["endpoint", &bad])).contains("Colour"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn request_with_a_region_is_relative_to_the_resolved_host() {
    let dir = temp_dir("request-region");
    let input = write(&dir, "input.json", minimal_input().to_string().as_bytes());
    let head = |args: &[&str]| -> Vec<String> {
        let out = String::from_utf8(expect_success(&wire(args))).unwrap();
        out.lines()
            .take_while(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let virtual_hosted = head(&["request", OP, &input, "--region", "us-west-2"]);
    assert_eq!(virtual_hosted[0], "PUT /?analytics&id=report1 HTTP/1.1");
    assert!(
        virtual_hosted.contains(&"host: amzn-s3-demo-bucket.s3.us-west-2.amazonaws.com".to_owned()),
        "{virtual_hosted:?}"
    );
    let path_style = head(&[
        "request",
        OP,
        &input,
        "--region=eu-west-1",
        "--force-path-style",
        "--use-dualstack",
    ]);
    assert_eq!(
        path_style[0],
        "PUT /amzn-s3-demo-bucket?analytics&id=report1 HTTP/1.1"
    );
    assert!(
        path_style.contains(&"host: s3.dualstack.eu-west-1.amazonaws.com".to_owned()),
        "{path_style:?}"
    );
    let custom = head(&[
        "request",
        OP,
        &input,
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9000",
        "--force-path-style",
    ]);
    assert_eq!(
        custom[0],
        "PUT /amzn-s3-demo-bucket?analytics&id=report1 HTTP/1.1"
    );
    assert!(
        custom.contains(&"host: 127.0.0.1:9000".to_owned()),
        "{custom:?}"
    );
    // The headers stay sorted, with the body after them as before.
    let mut sorted = virtual_hosted[1..].to_vec();
    sorted.sort();
    assert_eq!(sorted, virtual_hosted[1..]);
    // Without --region, nothing changes; endpoint flags need --region; a
    // rule's error is a usage error carrying its message.
    assert_eq!(
        head(&["request", OP, &input])[0],
        "PUT /amzn-s3-demo-bucket?analytics&id=report1 HTTP/1.1"
    );
    assert!(expect_usage_error(&wire(&["request", OP, &input, "--use-fips"])).contains("--region"));
    assert!(
        expect_usage_error(&wire(&[
            "request",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--colour"
        ]))
        .contains("--colour")
    );
    let line = expect_usage_error(&wire(&[
        "request",
        OP,
        &input,
        "--region",
        "us-west-2",
        "--use-fips",
        "--accelerate",
    ]));
    assert!(
        line.contains("Accelerate cannot be used with FIPS"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn signed_requests_and_presigned_urls() {
    let dir = temp_dir("sign");
    let input = write(&dir, "input.json", minimal_input().to_string().as_bytes());
    let sign = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY:token";
    let args = [
        "request",
        OP,
        &input,
        "--region",
        "us-west-2",
        "--sign",
        sign,
        "--time",
        "20261204T120000Z",
    ];
    let signed = String::from_utf8(expect_success(&wire(&args))).unwrap();
    assert_eq!(
        signed,
        String::from_utf8(expect_success(&wire(&args))).unwrap()
    );
    let head: Vec<&str> = signed.lines().take_while(|l| !l.is_empty()).collect();
    assert!(
        head[1].starts_with("authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261204/us-west-2/s3/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="),
        "{signed}"
    );
    assert!(head.contains(&"x-amz-date: 20261204T120000Z"), "{signed}");
    assert!(head.contains(&"x-amz-security-token: token"), "{signed}");
    assert!(
        head.iter()
            .any(|h| h.starts_with("x-amz-content-sha256: ") && h.len() == 22 + 64),
        "{signed}"
    );

    let url = String::from_utf8(expect_success(&wire(&[
        "presign",
        OP,
        &input,
        "--region",
        "us-west-2",
        "--sign",
        sign,
        "--time",
        "20261204T120000Z",
        "--expires",
        "600",
    ])))
    .unwrap();
    assert!(url.starts_with("https://amzn-s3-demo-bucket.s3.us-west-2.amazonaws.com/?analytics&id=report1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261204%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=20261204T120000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature="), "{url}");
    assert!(url.ends_with("&X-Amz-Security-Token=token\n"), "{url}");

    for bad in [
        vec![
            "request",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--sign",
            sign,
        ],
        vec![
            "request",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--sign",
            "nokey",
            "--time",
            "20261204T120000Z",
        ],
        vec![
            "request",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--sign",
            sign,
            "--time",
            "2026-12-04",
        ],
        vec![
            "request",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--expires",
            "5",
        ],
        vec![
            "presign",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--sign",
            sign,
            "--time",
            "20261204T120000Z",
        ],
        vec![
            "presign",
            OP,
            &input,
            "--region",
            "us-west-2",
            "--sign",
            sign,
            "--time",
            "20261204T120000Z",
            "--expires",
            "999999999",
        ],
    ] {
        expect_usage_error(&wire(&bad));
    }
    let _ = std::fs::remove_dir_all(dir);
}
