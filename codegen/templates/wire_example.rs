//! Shows the exact bytes the crate puts on the wire, and what it reads back.
//!
//! ```text
//! cargo run -q -p s3-api --example wire -- request         <OperationName> <input.json>
//! cargo run -q -p s3-api --example wire -- response        <OperationName> <response.http>
//! cargo run -q -p s3-api --example wire -- parse-request   <OperationName> <request.http>
//! cargo run -q -p s3-api --example wire -- render-response <OperationName> <result.json>
//! cargo run -q -p s3-api --example wire -- request  <OperationName> <input.json> --region R [endpoint flags]
//! cargo run -q -p s3-api --example wire -- request  <OperationName> <input.json> --region R --sign AK:SECRET[:TOKEN] --time YYYYMMDDTHHMMSSZ
//! cargo run -q -p s3-api --example wire -- presign  <OperationName> <input.json> --region R --sign AK:SECRET[:TOKEN] --time YYYYMMDDTHHMMSSZ --expires SECONDS
//! cargo run -q -p s3-api --example wire -- endpoint <params.json>
//! ```
//!
//! `request` reads the operation input as JSON (the AWS SDK input shape) and
//! prints the HTTP/1.1 request: request line, lower-case headers sorted by
//! name, a blank line, the body. `response` reads a raw HTTP/1.1 response and
//! prints `{"Output": …}` or `{"Error": …}` as JSON.
//!
//! The server side does the reverse: `parse-request` reads a raw HTTP/1.1
//! request and prints the input as JSON (the shape `request` reads), and
//! `render-response` reads `{"Output": …}` or `{"Error": {"Type": …, "Code":
//! …, "Message": …, "RequestId": …, "HostId": …, "Status": …}}` and prints
//! the HTTP/1.1 response: status line, lower-case headers sorted by name, a
//! blank line, the body.
//!
//! Endpoints (crates generated from a service with endpoint rules): with
//! `--region` and the other endpoint flags, `request` builds the full request
//! for that configuration: the request line holds the path and query
//! relative to the resolved host, and a `host:` header joins the others.
//! `endpoint` reads one params object, or a JSON array of them, with the rule
//! set's parameter names (`{"Bucket": "b", "Region": "us-west-2"}`), and
//! prints one JSON line per object: `{"endpoint": {"url": …, "properties":
//! {…}, "headers": {…}}}` or `{"error": "<the rule's message>"}`.
//!
//! Signing (AWS SigV4, with the endpoint's auth scheme): `--sign` with
//! `--time` signs the request at that time (`authorization`, `x-amz-date`,
//! `x-amz-content-sha256` and, with a session token,
//! `x-amz-security-token` join the sorted headers); `presign` prints the
//! presigned URL, valid for `--expires` seconds.
//!
//! Any problem with the arguments or the input: one line on stderr and exit
//! code 2.

use std::process::ExitCode;

use api::Operation;

/// What to do with the input.
#[derive(Clone, Copy)]
enum Mode {
    Request,
    Response,
    ParseRequest,
    RenderResponse,
    /// `route`: the request read as the input of the operation the router
    /// chose, as one JSON line.
    Route,
}

pub(crate) fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match main_with(&args) {
        Ok(bytes) => {
            // Bodies are written as they are: an event stream is binary.
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
                eprintln!("wire: cannot write the output: {e}");
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("wire: {}", message.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage: wire (request|response|parse-request|render-response) <OperationName> <file>
       wire request <OperationName> <input.json> --region R [--endpoint-url URL] [--force-path-style] [--use-dualstack] [--use-fips] [--accelerate] [--use-arn-region] [--disable-multi-region-access-points] [--sign ACCESS_KEY:SECRET[:SESSION_TOKEN] --time YYYYMMDDTHHMMSSZ]
       wire presign <OperationName> <input.json> --region R [endpoint flags] --sign ACCESS_KEY:SECRET[:SESSION_TOKEN] --time YYYYMMDDTHHMMSSZ --expires SECONDS
       wire endpoint <params.json>
       wire route <raw-request-file>...";

/// The endpoint flags of `request` and `presign`, with the rule set
/// built-in each sets and whether it takes a value (else it is a switch,
/// which sets `true`).
const ENDPOINT_FLAGS: &[(&str, &str, bool)] = &[
    ("--region", "AWS::Region", true),
    ("--endpoint-url", "SDK::Endpoint", true),
    ("--force-path-style", "AWS::S3::ForcePathStyle", false),
    ("--use-dualstack", "AWS::UseDualStack", false),
    ("--use-fips", "AWS::UseFIPS", false),
    ("--accelerate", "AWS::S3::Accelerate", false),
    ("--use-arn-region", "AWS::S3::UseArnRegion", false),
    ("--disable-multi-region-access-points", "AWS::S3::DisableMultiRegionAccessPoints", false),
];

/// The flags after `request <Op> <input>` or `presign <Op> <input>`.
#[derive(Default)]
#[allow(dead_code)]
struct Flags {
    /// Endpoint settings as (built-in, value): a value for `--region` and
    /// `--endpoint-url`, `None` for the switches.
    settings: Vec<(&'static str, Option<String>)>,
    /// `--sign`: access key, secret, session token.
    sign: Option<(String, String, Option<String>)>,
    /// `--time`, as seconds since the Unix epoch.
    time: Option<u64>,
    /// `--expires`, in seconds.
    expires: Option<u64>,
}

/// Reads the endpoint and signing flags. `--region` is required; `--sign`
/// needs `--time`.
fn read_flags(flags: &[String]) -> Result<Flags, String> {
    let mut out = Flags::default();
    let mut rest = flags.iter();
    while let Some(flag) = rest.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (flag.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => rest
                    .next()
                    .filter(|v| !v.starts_with("--"))
                    .cloned()
                    .ok_or_else(|| format!("`{name}` needs a value")),
            }
        };
        match name {
            "--sign" if out.sign.is_none() => {
                let v = value(name)?;
                let mut parts = v.splitn(3, ':');
                let (Some(key), Some(secret)) = (parts.next(), parts.next()) else {
                    return Err("`--sign` takes ACCESS_KEY:SECRET[:SESSION_TOKEN]".into());
                };
                if key.is_empty() || secret.is_empty() {
                    return Err("`--sign` takes ACCESS_KEY:SECRET[:SESSION_TOKEN]".into());
                }
                out.sign = Some((key.to_owned(), secret.to_owned(), parts.next().map(str::to_owned)));
            }
            "--time" if out.time.is_none() => out.time = Some(parse_time(&value(name)?)?),
            "--expires" if out.expires.is_none() => {
                let v = value(name)?;
                out.expires = Some(v.parse().map_err(|_| format!("`--expires` takes seconds, not `{v}`"))?);
            }
            "--sign" | "--time" | "--expires" => return Err(format!("`{name}` given more than once")),
            _ => {
                let Some(&(_, built_in, takes_value)) = ENDPOINT_FLAGS.iter().find(|(f, _, _)| *f == name) else {
                    return Err(format!("unknown flag `{flag}`\n{USAGE}"));
                };
                let v = match (takes_value, inline.is_some()) {
                    (true, _) => Some(value(name)?),
                    (false, false) => None,
                    (false, true) => return Err(format!("`{name}` takes no value")),
                };
                if out.settings.iter().any(|(b, _)| *b == built_in) {
                    return Err(format!("`{name}` given more than once"));
                }
                out.settings.push((built_in, v));
            }
        }
    }
    if !out.settings.iter().any(|(b, _)| *b == "AWS::Region") {
        return Err("the endpoint flags need `--region`".into());
    }
    if out.sign.is_some() != out.time.is_some() {
        return Err("`--sign` and `--time` go together".into());
    }
    Ok(out)
}

/// `YYYYMMDDTHHMMSSZ` (the form of `x-amz-date`) as seconds since the epoch.
fn parse_time(text: &str) -> Result<u64, String> {
    let bad = || format!("`--time` takes YYYYMMDDTHHMMSSZ, not `{text}`");
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return Err(bad());
    }
    let digits = |r: std::ops::Range<usize>| -> Result<&str, String> {
        let part = text.get(r).ok_or_else(bad)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { Ok(part) } else { Err(bad()) }
    };
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        digits(0..4)?, digits(4..6)?, digits(6..8)?, digits(9..11)?, digits(11..13)?, digits(13..15)?
    );
    let time = api::primitives::DateTime::parse(&iso, api::primitives::TimestampFormat::DateTime)
        .map_err(|_| bad())?;
    let secs = time.as_secs_f64();
    if secs < 0.0 { Err(bad()) } else { Ok(secs as u64) }
}

fn main_with(args: &[String]) -> Result<Vec<u8>, String> {
    if let [mode, files @ ..] = args {
        if mode == "route" && !files.is_empty() {
            return route(files);
        }
    }
    if let [mode, path] = args {
        if mode == "endpoint" {
            let input = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            return endpoints(&input);
        }
    }
    if let [mode, operation, path, flags @ ..] = args {
        let presign = mode == "presign";
        if presign || (mode == "request" && !flags.is_empty()) {
            let flags = read_flags(flags)?;
            if presign && (flags.sign.is_none() || flags.expires.is_none()) {
                return Err("`presign` needs `--sign`, `--time` and `--expires`".into());
            }
            if !presign && flags.expires.is_some() {
                return Err("`--expires` is for `presign`".into());
            }
            let input = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            return dispatch_at(operation, &input, &flags, presign);
        }
    }
    let [mode, operation, path] = args else {
        return Err(USAGE.into());
    };
    let mode = match mode.as_str() {
        "request" => Mode::Request,
        "response" => Mode::Response,
        "parse-request" => Mode::ParseRequest,
        "render-response" => Mode::RenderResponse,
        other => {
            return Err(format!(
                "unknown mode `{other}`; use `request`, `response`, `parse-request` or `render-response`"
            ))
        }
    };
    let input = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    dispatch(operation, mode, &input)
}

/// Runs one operation in the given mode.
fn run<O>(mode: Mode, input: &[u8]) -> Result<Vec<u8>, String>
where
    O: Operation,
    O::Input: serde::de::DeserializeOwned + serde::Serialize,
    O::Output: serde::Serialize + serde::de::DeserializeOwned,
    O::Error: serde::Serialize + serde::de::DeserializeOwned,
{
    match mode {
        Mode::Request => {
            let value: O::Input =
                serde_json::from_slice(input).map_err(|e| format!("invalid input for {}: {e}", O::NAME))?;
            let request = O::build_request(&value).map_err(|e| e.to_string())?;
            Ok(render_request(&request))
        }
        Mode::Response => {
            let response = parse_http_response(input)?;
            let json = match O::parse_response(&response) {
                Ok(output) => serde_json::json!({ "Output": output }),
                Err(error) => serde_json::json!({ "Error": error }),
            };
            serde_json::to_string_pretty(&json)
                .map(|s| (s + "\n").into_bytes())
                .map_err(|e| format!("cannot render the result as JSON: {e}"))
        }
        Mode::Route => {
            // Written by hand so that `Operation` comes first and the input
            // keeps its members' order.
            let line = match parse_http_request(input).map(|r| O::parse_request(&r)) {
                Ok(Ok(value)) => format!(
                    "{{\"Operation\":{},\"Input\":{}}}",
                    serde_json::Value::from(O::NAME),
                    serde_json::to_string(&value).map_err(|e| format!("cannot render the input as JSON: {e}"))?
                ),
                Ok(Err(e)) => error_json(e.code(), &e.to_string()).to_string(),
                Err(message) => error_json("InvalidRequest", &message).to_string(),
            };
            Ok(format!("{line}\n").into_bytes())
        }
        Mode::ParseRequest => {
            let request = parse_http_request(input)?;
            let value = O::parse_request(&request).map_err(|e| e.to_string())?;
            serde_json::to_string_pretty(&value)
                .map(|s| (s + "\n").into_bytes())
                .map_err(|e| format!("cannot render the input as JSON: {e}"))
        }
        Mode::RenderResponse => {
            let json: serde_json::Value =
                serde_json::from_slice(input).map_err(|e| format!("invalid JSON: {e}"))?;
            let response = match json.as_object().map(|o| (o.len(), o.get("Output"), o.get("Error"))) {
                Some((1, Some(output), None)) => {
                    let output: O::Output = serde_json::from_value(output.clone())
                        .map_err(|e| format!("invalid output for {}: {e}", O::NAME))?;
                    O::build_response(&output).map_err(|e| e.to_string())?
                }
                Some((1, None, Some(error))) => {
                    let error: O::Error = serde_json::from_value(error.clone())
                        .map_err(|e| format!("invalid error for {}: {e}", O::NAME))?;
                    O::build_error_response(&error)
                }
                _ => return Err("the JSON must be an object with one key, `Output` or `Error`".into()),
            };
            Ok(render_response(&response))
        }
    }
}

/// `route`: each raw request file routed and read, one JSON line each.
fn route(files: &[String]) -> Result<Vec<u8>, String> {
    let router = api::operation::router().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for path in files {
        let raw = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let routed = parse_http_request(&raw).map(|request| router.route(&request));
        match routed {
            Ok(Ok(operation)) => out.extend(dispatch(operation, Mode::Route, &raw)?),
            Ok(Err(e)) => out.extend(format!("{}\n", error_json(e.code(), &e.to_string())).into_bytes()),
            Err(message) => out.extend(format!("{}\n", error_json("InvalidRequest", &message)).into_bytes()),
        }
    }
    Ok(out)
}

/// `{"Error": {"Code": ..., "Message": ...}}`.
fn error_json(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "Error": { "Code": code, "Message": message } })
}

/// The response as HTTP/1.1: status line, sorted lower-case headers, blank
/// line, then the body's bytes as they are.
fn render_response(response: &http::Response<Vec<u8>>) -> Vec<u8> {
    let status = response.status();
    let mut out = format!("HTTP/1.1 {}", status.as_u16());
    if let Some(reason) = status.canonical_reason() {
        out.push(' ');
        out.push_str(reason);
    }
    out.push('\n');
    push_headers(&mut out, response.headers());
    out.push('\n');
    let mut out = out.into_bytes();
    out.extend_from_slice(response.body());
    out
}

/// Lower-case `name: value` lines, sorted.
fn push_headers(out: &mut String, headers: &http::HeaderMap) {
    let mut lines: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    lines.sort();
    for (name, value) in lines {
        out.push_str(&format!("{name}: {value}\n"));
    }
}

/// Reads a raw HTTP/1.1 request: request line (origin-form or absolute-form
/// target), headers, then a body framed by content-length, chunked transfer
/// encoding, or the end of the file.
fn parse_http_request(raw: &[u8]) -> Result<http::Request<Vec<u8>>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("the HTTP request ends inside its headers".into()),
        Err(e) => return Err(format!("not an HTTP/1.1 request: {e}")),
    };
    let method = parsed.method.ok_or("the HTTP request has no method")?;
    let target = parsed.path.ok_or("the HTTP request has no target")?;
    let mut builder = http::Request::builder().method(method).uri(target);
    let (length, chunked) = framing(parsed.headers)?;
    for h in parsed.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    let body = read_body(raw.get(head_len..).unwrap_or_default(), length, chunked)?;
    builder.body(body).map_err(|e| format!("invalid HTTP request: {e}"))
}

/// The content-length and whether the body is chunked.
fn framing(headers: &[httparse::Header<'_>]) -> Result<(Option<usize>, bool), String> {
    let mut length = None;
    let mut chunked = false;
    for h in headers {
        if h.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(h.value).unwrap_or("").trim();
            length = Some(text.parse::<usize>().map_err(|_| format!("invalid content-length `{text}`"))?);
        }
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = String::from_utf8_lossy(h.value).to_ascii_lowercase().contains("chunked");
        }
    }
    Ok((length, chunked))
}

/// The body after the head: chunked, `length` bytes, or the rest.
fn read_body(rest: &[u8], length: Option<usize>, chunked: bool) -> Result<Vec<u8>, String> {
    if chunked {
        decode_chunked(rest)
    } else if let Some(n) = length {
        rest.get(..n)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| format!("content-length is {n} but the body has {} bytes", rest.len()))
    } else {
        Ok(rest.to_vec())
    }
}

/// The request as HTTP/1.1: request line (the path and query, relative to
/// the host when the URI is absolute), sorted lower-case headers, blank
/// line, then the body's bytes as they are.
#[allow(dead_code)]
fn render_request(request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let mut out = format!("{} {} HTTP/1.1\n", request.method(), target);
    push_headers(&mut out, request.headers());
    out.push('\n');
    let mut out = out.into_bytes();
    out.extend_from_slice(request.body());
    out
}

/// Reads a raw HTTP/1.1 response: status line, headers, then a body framed by
/// content-length, chunked transfer encoding, or the end of the file.
fn parse_http_response(raw: &[u8]) -> Result<http::Response<Vec<u8>>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut parsed = httparse::Response::new(&mut headers);
    let head_len = match parsed.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("the HTTP response ends inside its headers".into()),
        Err(e) => return Err(format!("not an HTTP/1.1 response: {e}")),
    };
    let status = parsed.code.ok_or("the HTTP response has no status code")?;
    let mut builder = http::Response::builder().status(status);
    let (length, chunked) = framing(parsed.headers)?;
    for h in parsed.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    let body = read_body(raw.get(head_len..).unwrap_or_default(), length, chunked)?;
    builder.body(body).map_err(|e| format!("invalid HTTP response: {e}"))
}

/// Decodes a chunked body.
fn decode_chunked(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or("a chunk size line is not terminated")?;
        let line = std::str::from_utf8(rest.get(..line_end).unwrap_or_default()).map_err(|_| "invalid chunk size")?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("invalid chunk size `{size_text}`"))?;
        rest = rest.get(line_end + 2..).unwrap_or_default();
        if size == 0 {
            return Ok(body);
        }
        let chunk = rest.get(..size).ok_or("a chunk is shorter than its size")?;
        body.extend_from_slice(chunk);
        rest = rest.get(size..).unwrap_or_default();
        rest = rest.strip_prefix(b"\r\n").ok_or("a chunk is not followed by CRLF")?;
    }
}
