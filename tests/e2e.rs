//! End to end: the generated crate on both sides of a socket. The
//! `analytics-server` example (the generated server side) runs as a process;
//! the requests are built with the generated `build_request`, sent over a
//! tiny HTTP/1.1 client on a `TcpStream`, and read with `parse_response`.
//! The scenario is the one `.ci/run` runs with botocore and the AWS SDK for
//! JavaScript (`tests/clients/`).

// The helpers return the generated error enums, which the scenario checks.
#![allow(clippy::result_large_err)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use s3_api::Operation;
use s3_api::ProvideErrorMetadata;
use s3_api::operation::create_bucket::{CreateBucket, CreateBucketError, CreateBucketRequest};
use s3_api::operation::delete_bucket::{DeleteBucket, DeleteBucketRequest};
use s3_api::operation::delete_bucket_analytics_configuration::{
    DeleteBucketAnalyticsConfiguration, DeleteBucketAnalyticsConfigurationError,
    DeleteBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::get_bucket_analytics_configuration::{
    GetBucketAnalyticsConfiguration, GetBucketAnalyticsConfigurationError,
    GetBucketAnalyticsConfigurationRequest,
};
use s3_api::operation::head_bucket::{HeadBucket, HeadBucketError, HeadBucketRequest};
use s3_api::operation::list_bucket_analytics_configurations::{
    ListBucketAnalyticsConfigurations, ListBucketAnalyticsConfigurationsError,
    ListBucketAnalyticsConfigurationsRequest,
};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationError,
    PutBucketAnalyticsConfigurationRequest,
};
use s3_api::types::{
    AnalyticsAndOperator, AnalyticsConfiguration, AnalyticsExportDestination, AnalyticsFilter,
    AnalyticsS3BucketDestination, AnalyticsS3ExportFileFormat, StorageClassAnalysis,
    StorageClassAnalysisDataExport, StorageClassAnalysisSchemaVersion, Tag,
};

const LIMIT: usize = 1000;
const PAGE: usize = 100;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Builds the example once and returns its executable.
fn server_executable() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "s3-api",
                "--example",
                "analytics-server",
            ])
            .arg("--message-format=json")
            .current_dir(workspace_root())
            .output()
            .expect("cannot run cargo");
        assert!(
            out.status.success(),
            "building the analytics-server example failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact")
            .filter(|m| m["target"]["name"] == "analytics-server")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the example's executable")
    })
}

/// The example server, killed when dropped (and exiting by itself after
/// 30 idle seconds should the test process die first).
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&[])
    }

    /// The server checking SigV4 signatures by `key` and `secret`.
    fn start_signed(key: &str, secret: &str) -> Server {
        Server::start_with(&["--access-key", key, "--secret-key", secret])
    }

    fn start_with(extra: &[&str]) -> Server {
        let mut child = Command::new(server_executable())
            .args(["--listen", "127.0.0.1:0", "--max-idle-seconds", "30"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot start the analytics-server example");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    fn client(&self) -> Client {
        Client {
            addr: self.addr.clone(),
            stream: None,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.1 client over one kept-alive connection.
struct Client {
    addr: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Client {
    /// Sends one operation: the generated `build_request`, the bytes on the
    /// wire, the generated `parse_response`.
    fn call<O: Operation>(&mut self, input: &O::Input) -> Result<O::Output, O::Error> {
        let request = O::build_request(input).expect("the request builds");
        let response = self.send(&request);
        O::parse_response(&response)
    }

    fn send(&mut self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nhost: {}\r\n",
            request.method(),
            request.uri(),
            self.addr
        );
        for (name, value) in request.headers() {
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
        }
        head.push_str("\r\n");
        let stream = self.stream.get_or_insert_with(|| {
            let stream = TcpStream::connect(&self.addr).expect("connects to the server");
            stream.set_nodelay(true).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            BufReader::new(stream)
        });
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(request.body());
        stream.get_mut().write_all(&bytes).unwrap();

        // The head, byte by byte up to the blank line (responses are small).
        let mut raw = Vec::new();
        while !raw.ends_with(b"\r\n\r\n") {
            let mut line = Vec::new();
            let n = stream.read_until(b'\n', &mut line).unwrap();
            assert!(n > 0, "the server closed the connection mid-response");
            raw.extend_from_slice(&line);
        }
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Response::new(&mut headers);
        assert!(parsed.parse(&raw).unwrap().is_complete());
        let mut builder = http::Response::builder().status(parsed.code.unwrap());
        let mut length = 0;
        let mut close = false;
        for h in parsed.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                length = std::str::from_utf8(h.value).unwrap().parse().unwrap();
            }
            if h.name.eq_ignore_ascii_case("connection") && h.value == b"close" {
                close = true;
            }
            builder = builder.header(h.name, h.value);
        }
        let status = parsed.code.unwrap();
        let mut body = Vec::new();
        if request.method() != http::Method::HEAD && status != 204 && status != 304 {
            body.resize(length, 0);
            stream.read_exact(&mut body).unwrap();
        }
        if close {
            self.stream = None;
        }
        builder.body(body).unwrap()
    }
}

/// Three configurations: every filter kind, each with a CSV data export.
fn configurations() -> Vec<AnalyticsConfiguration> {
    let export = |report: &str| {
        StorageClassAnalysis::default().with_data_export(StorageClassAnalysisDataExport::new(
            StorageClassAnalysisSchemaVersion::V1,
            AnalyticsExportDestination::new(
                AnalyticsS3BucketDestination::new(
                    AnalyticsS3ExportFileFormat::Csv,
                    "arn:aws:s3:::amzn-s3-demo-reports",
                )
                .with_bucket_account_id("123456789012")
                .with_prefix(format!("analytics/{report}/")),
            ),
        ))
    };
    vec![
        AnalyticsConfiguration::new("by-prefix", export("by-prefix"))
            .with_filter(AnalyticsFilter::Prefix("logs/".into())),
        AnalyticsConfiguration::new("by-tag", export("by-tag"))
            .with_filter(AnalyticsFilter::Tag(Tag::new("env", "prod"))),
        AnalyticsConfiguration::new("by-prefix-and-tags", export("by-prefix-and-tags"))
            .with_filter(AnalyticsFilter::And(
                AnalyticsAndOperator::default()
                    .with_prefix("data/")
                    .with_tags(vec![Tag::new("team", "storage"), Tag::new("tier", "hot")]),
            )),
    ]
}

fn put(
    client: &mut Client,
    bucket: &str,
    config: &AnalyticsConfiguration,
) -> Result<(), PutBucketAnalyticsConfigurationError> {
    let input = PutBucketAnalyticsConfigurationRequest::new(bucket, &config.id, config.clone());
    client
        .call::<PutBucketAnalyticsConfiguration>(&input)
        .map(|_| ())
}

fn get(
    client: &mut Client,
    bucket: &str,
    id: &str,
) -> Result<AnalyticsConfiguration, GetBucketAnalyticsConfigurationError> {
    let input = GetBucketAnalyticsConfigurationRequest::new(bucket, id);
    let output = client.call::<GetBucketAnalyticsConfiguration>(&input)?;
    Ok(output.analytics_configuration.expect("a configuration"))
}

/// Every configuration of `bucket`, page by page, and the page sizes.
fn list_all(
    client: &mut Client,
    bucket: &str,
) -> Result<(Vec<AnalyticsConfiguration>, Vec<usize>), ListBucketAnalyticsConfigurationsError> {
    let (mut all, mut sizes, mut token) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let mut input = ListBucketAnalyticsConfigurationsRequest::new(bucket);
        if let Some(token) = &token {
            input = input.with_continuation_token(token);
        }
        let page = client.call::<ListBucketAnalyticsConfigurations>(&input)?;
        assert_eq!(page.continuation_token, token, "the token is echoed");
        let items = page.analytics_configuration_list.unwrap_or_default();
        sizes.push(items.len());
        all.extend(items);
        if page.is_truncated != Some(true) {
            assert_eq!(page.next_continuation_token, None);
            return Ok((all, sizes));
        }
        token = Some(page.next_continuation_token.expect("a next token"));
        assert!(sizes.len() <= LIMIT, "the list does not end");
    }
}

fn ids(configs: &[AnalyticsConfiguration]) -> Vec<&str> {
    configs.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn the_generated_client_runs_the_analytics_scenario() {
    let started = Instant::now();
    let server = Server::start();
    let mut client = server.client();
    let (bucket, full, missing) = (
        "scenario-rust",
        "scenario-rust-full",
        "scenario-rust-missing",
    );
    let configs = configurations();

    client
        .call::<CreateBucket>(&CreateBucketRequest::new(bucket))
        .unwrap();
    let head = client
        .call::<HeadBucket>(&HeadBucketRequest::new(bucket))
        .unwrap();
    assert_eq!(head.bucket_region.as_deref(), Some("us-east-1"));
    match client.call::<CreateBucket>(&CreateBucketRequest::new(bucket)) {
        Err(CreateBucketError::BucketAlreadyOwnedByYou(e)) => assert_eq!(e.meta.status, 409),
        other => panic!("expected BucketAlreadyOwnedByYou, got {other:?}"),
    }

    for config in &configs {
        put(&mut client, bucket, config).unwrap();
    }
    for config in &configs {
        let got = get(&mut client, bucket, &config.id).unwrap();
        assert_eq!(got.id, config.id);
        assert_eq!(got.filter, config.filter, "{}: filter", config.id);
        assert_eq!(
            got.storage_class_analysis, config.storage_class_analysis,
            "{}: storage class analysis",
            config.id
        );
        assert_eq!(&got, config, "{}", config.id);
    }

    let (listed, sizes) = list_all(&mut client, bucket).unwrap();
    let mut expected = configs.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(sizes, [3]);
    assert_eq!(listed, expected, "the list has every configuration, by id");

    let delete = DeleteBucketAnalyticsConfigurationRequest::new(bucket, "by-tag");
    client
        .call::<DeleteBucketAnalyticsConfiguration>(&delete)
        .unwrap();
    match get(&mut client, bucket, "by-tag") {
        Err(GetBucketAnalyticsConfigurationError::NoSuchConfiguration(e)) => {
            assert_eq!(e.meta.status, 404);
            assert!(e.meta.request_id.is_some() && e.meta.host_id.is_some());
        }
        other => panic!("expected NoSuchConfiguration, got {other:?}"),
    }
    match client.call::<DeleteBucketAnalyticsConfiguration>(&delete) {
        Err(DeleteBucketAnalyticsConfigurationError::NoSuchConfiguration(_)) => {}
        other => panic!("expected NoSuchConfiguration, got {other:?}"),
    }
    let (listed, _) = list_all(&mut client, bucket).unwrap();
    assert_eq!(ids(&listed), ["by-prefix", "by-prefix-and-tags"]);

    let mut mismatched = configs[0].clone();
    mismatched.id = "another-id".into();
    let input = PutBucketAnalyticsConfigurationRequest::new(bucket, "by-prefix", mismatched);
    match client.call::<PutBucketAnalyticsConfiguration>(&input) {
        Err(PutBucketAnalyticsConfigurationError::InvalidArgument(e)) => {
            assert_eq!(e.meta.status, 400)
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }

    client
        .call::<CreateBucket>(&CreateBucketRequest::new(full))
        .unwrap();
    let report = |i: usize| format!("report-{i:04}");
    for i in 0..LIMIT {
        let config = AnalyticsConfiguration::new(report(i), StorageClassAnalysis::default());
        put(&mut client, full, &config).unwrap();
    }
    let one_more = AnalyticsConfiguration::new("one-too-many", StorageClassAnalysis::default());
    match put(&mut client, full, &one_more) {
        Err(PutBucketAnalyticsConfigurationError::TooManyConfigurations(e)) => {
            assert_eq!(e.meta.status, 400);
            assert_eq!(e.meta.code.as_deref(), Some("TooManyConfigurations"));
        }
        other => panic!("expected TooManyConfigurations, got {other:?}"),
    }
    let replaced = AnalyticsConfiguration::new(report(0), StorageClassAnalysis::default())
        .with_filter(AnalyticsFilter::Prefix("again/".into()));
    put(&mut client, full, &replaced).expect("replacing in a full bucket is allowed");
    let (listed, sizes) = list_all(&mut client, full).unwrap();
    assert_eq!(sizes, [PAGE; LIMIT / PAGE]);
    let expected: Vec<String> = (0..LIMIT).map(report).collect();
    assert_eq!(ids(&listed), expected);
    assert_eq!(listed[0], replaced);

    match get(&mut client, missing, "by-prefix") {
        Err(GetBucketAnalyticsConfigurationError::NoSuchBucket(e)) => {
            assert_eq!(e.meta.status, 404)
        }
        other => panic!("expected NoSuchBucket, got {other:?}"),
    }
    match list_all(&mut client, missing) {
        Err(ListBucketAnalyticsConfigurationsError::NoSuchBucket(_)) => {}
        other => panic!("expected NoSuchBucket, got {other:?}"),
    }
    let delete = DeleteBucketAnalyticsConfigurationRequest::new(missing, "by-prefix");
    match client.call::<DeleteBucketAnalyticsConfiguration>(&delete) {
        Err(DeleteBucketAnalyticsConfigurationError::NoSuchBucket(_)) => {}
        other => panic!("expected NoSuchBucket, got {other:?}"),
    }
    // PutBucketAnalyticsConfiguration and DeleteBucket do not model
    // NoSuchBucket: it is `Unhandled`, with the code.
    let put_missing = put(&mut client, missing, &configs[0]).unwrap_err();
    assert_eq!(put_missing.meta().code.as_deref(), Some("NoSuchBucket"));
    let delete_missing = client
        .call::<DeleteBucket>(&DeleteBucketRequest::new(missing))
        .unwrap_err();
    assert_eq!(delete_missing.meta().code.as_deref(), Some("NoSuchBucket"));
    assert_eq!(delete_missing.meta().status, 404);
    match client.call::<HeadBucket>(&HeadBucketRequest::new(missing)) {
        Err(HeadBucketError::NotFound(e)) => assert_eq!(e.meta.status, 404),
        other => panic!("expected NotFound, got {other:?}"),
    }

    for name in [bucket, full] {
        client
            .call::<DeleteBucket>(&DeleteBucketRequest::new(name))
            .unwrap();
        assert!(matches!(
            client.call::<HeadBucket>(&HeadBucketRequest::new(name)),
            Err(HeadBucketError::NotFound(_))
        ));
    }
    println!(
        "e2e: the generated client's scenario took {:?}",
        started.elapsed()
    );
}

/// Sends raw bytes on a new connection and returns everything the server
/// answers until it closes the connection.
fn raw_exchange(server: &Server, parts: &[&[u8]]) -> String {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for part in parts {
        stream.write_all(part).unwrap();
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// What SDKs other than this crate send: no `x-id`, a chunked body,
/// `Expect: 100-continue`, several requests on one connection.
#[test]
fn the_server_reads_what_other_clients_send() {
    let server = Server::start();
    let body = "<AnalyticsConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                <Id>r1</Id><Filter><Prefix>logs/</Prefix></Filter><StorageClassAnalysis/>\
                </AnalyticsConfiguration>";
    let (first, rest) = body.split_at(40);
    let chunked = format!(
        "PUT /raw-bucket?analytics&id=r1 HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\n\
         transfer-encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n{:x}\r\n{rest}\r\n0\r\n\r\n",
        first.len(),
        rest.len()
    );
    let answer = raw_exchange(
        &server,
        &[
            b"PUT /raw-bucket HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n",
            chunked.as_bytes(),
            // Get and List as botocore sends them: without `x-id`.
            b"GET /raw-bucket?analytics&id=r1 HTTP/1.1\r\nhost: x\r\n\r\n",
            b"GET /raw-bucket?analytics HTTP/1.1\r\nhost: x\r\n\r\n",
            b"DELETE /raw-bucket?analytics&id=r1 HTTP/1.1\r\nhost: x\r\n\r\n",
            b"GET /raw-bucket?analytics&id=r1 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        ],
    );
    // Bodies do not end with a newline: find the status lines anywhere.
    let statuses: Vec<&str> = answer
        .match_indices("HTTP/1.1 ")
        .filter_map(|(at, _)| answer[at..].lines().next())
        .collect();
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 200 OK",
            "HTTP/1.1 100 Continue",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 204 No Content",
            "HTTP/1.1 404 Not Found",
        ],
        "{answer}"
    );
    assert!(answer.contains("<Id>r1</Id><Filter><Prefix>logs/</Prefix></Filter>"));
    assert!(answer.contains("<ListBucketAnalyticsConfigurationResult"));
    assert!(answer.contains("<Code>NoSuchConfiguration</Code>"));

    // Requests no operation reads: S3 error documents all the same. A Put
    // without its body is not a CreateBucket that ignores `?analytics`.
    // The one operation of the crate the server does not implement answers
    // NotImplemented once its input is read.
    let select = "<SelectObjectContentRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                  <Expression>SELECT 1</Expression><ExpressionType>SQL</ExpressionType>\
                  <InputSerialization><CSV/></InputSerialization>\
                  <OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>";
    for (request, body, status, code) in [
        ("POST /raw-bucket", "", "405", "MethodNotAllowed"),
        ("GET /raw-bucket/some/key", "", "404", "NoSuchKey"),
        (
            "POST /raw-bucket/some/key?select&select-type=2",
            select,
            "501",
            "NotImplemented",
        ),
        ("PUT /raw-bucket?analytics&id=r2", "", "400", "MalformedXML"),
    ] {
        let raw = format!(
            "{request} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let answer = raw_exchange(&server, &[raw.as_bytes()]);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        assert!(answer.contains(&format!("<Code>{code}</Code>")), "{answer}");
    }
}

/// `--max-idle-seconds`: the server stops by itself.
#[test]
fn the_server_exits_when_idle() {
    let mut child = Command::new(server_executable())
        .args(["--listen", "127.0.0.1:0", "--max-idle-seconds", "0.3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit after 0.3 idle seconds");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
}

/// The crate's own client (feature `client`): endpoint from the rules for a
/// custom endpoint URL, path-style, signed requests, retries, the
/// operation's error variants.
#[test]
fn the_client_feature_runs_the_scenario() {
    use s3_api::sign::Credentials;
    // The server checks the client's signatures.
    let server = Server::start_signed("AKIDEXAMPLE", "secret");
    let config = s3_api::endpoint::Config::new()
        .with_region("us-east-1")
        .with_endpoint_url(format!("http://{}", server.addr))
        .with_force_path_style(true);
    let client = s3_api::Client::new(
        config.clone(),
        Some(Credentials::new("AKIDEXAMPLE", "secret")),
    )
    .with_timeouts(Duration::from_secs(5), Duration::from_secs(30));
    let bucket = "client-feature";
    client
        .send::<CreateBucket>(&CreateBucketRequest::new(bucket))
        .unwrap();
    match client.send::<CreateBucket>(&CreateBucketRequest::new(bucket)) {
        Err(s3_api::client::SendError::Service(CreateBucketError::BucketAlreadyOwnedByYou(e))) => {
            assert_eq!(e.meta.status, 409)
        }
        other => panic!("expected BucketAlreadyOwnedByYou, got {other:?}"),
    }
    let configs = configurations();
    for config in &configs {
        let input = PutBucketAnalyticsConfigurationRequest::new(bucket, &config.id, config.clone());
        client
            .send::<PutBucketAnalyticsConfiguration>(&input)
            .unwrap();
    }
    for config in &configs {
        let input = GetBucketAnalyticsConfigurationRequest::new(bucket, &config.id);
        let got = client
            .send::<GetBucketAnalyticsConfiguration>(&input)
            .unwrap();
        assert_eq!(got.analytics_configuration.as_ref(), Some(config));
    }
    let listed = client
        .send::<ListBucketAnalyticsConfigurations>(&ListBucketAnalyticsConfigurationsRequest::new(
            bucket,
        ))
        .unwrap();
    assert_eq!(
        listed.analytics_configuration_list.map(|l| l.len()),
        Some(3)
    );
    let delete = DeleteBucketAnalyticsConfigurationRequest::new(bucket, "by-tag");
    client
        .send::<DeleteBucketAnalyticsConfiguration>(&delete)
        .unwrap();
    match client.send::<GetBucketAnalyticsConfiguration>(
        &GetBucketAnalyticsConfigurationRequest::new(bucket, "by-tag"),
    ) {
        Err(s3_api::client::SendError::Service(
            GetBucketAnalyticsConfigurationError::NoSuchConfiguration(e),
        )) => {
            assert_eq!(e.meta.status, 404)
        }
        other => panic!("expected NoSuchConfiguration, got {other:?}"),
    }
    match client.send::<HeadBucket>(&HeadBucketRequest::new("no-such-bucket-here")) {
        Err(s3_api::client::SendError::Service(e)) => assert_eq!(e.status(), 404),
        other => panic!("expected a 404, got {other:?}"),
    }
    client_objects(&client, bucket);
    // A streamed upload with checksums when supported: aws-chunked with its
    // CRC32 in a trailer, signed, read back by the server, which keeps that
    // checksum and announces it.
    let summing = s3_api::Client::new(config, Some(Credentials::new("AKIDEXAMPLE", "secret")))
        .with_checksums(s3_api::client::RequestChecksums::WhenSupported);
    streamed_upload_with_trailer(&summing, bucket);
    // A server that is not there: the attempts run out with an HTTP error.
    let gone = s3_api::Client::new(
        s3_api::endpoint::Config::new()
            .with_region("us-east-1")
            .with_endpoint_url("http://127.0.0.1:9")
            .with_force_path_style(true),
        None,
    )
    .with_max_attempts(2)
    .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
    .with_timeouts(Duration::from_millis(500), Duration::from_secs(2));
    match gone.send::<HeadBucket>(&HeadBucketRequest::new(bucket)) {
        Err(s3_api::client::SendError::Http(message)) => assert!(!message.is_empty()),
        other => panic!("expected an HTTP failure, got {other:?}"),
    }
}

/// PutObject streamed with a trailing CRC32 (three chunks), read back
/// whole with its checksum validated.
fn streamed_upload_with_trailer(client: &s3_api::Client, bucket: &str) {
    use s3_api::checksum::ChecksumAlgorithm;
    use s3_api::operation::get_object::{GetObject, GetObjectRequest};
    use s3_api::operation::put_object::{PutObject, PutObjectRequest};
    use s3_api::types::ChecksumMode;
    let data: Vec<u8> = (0..150_000u32).map(|i| (i % 253) as u8).collect();
    let crc32 = ChecksumAlgorithm::Crc32.checksum_header_value(&data);
    let body = std::io::Cursor::new(data.clone());
    let put = client
        .send_body::<PutObject>(&PutObjectRequest::new(bucket, "streamed"), body, 150_000)
        .unwrap();
    assert_eq!(put.checksum_crc32.as_deref(), Some(crc32.as_str()));
    let input = GetObjectRequest::new(bucket, "streamed").with_checksum_mode(ChecksumMode::Enabled);
    let got = client.send::<GetObject>(&input).unwrap();
    assert_eq!(got.body.as_deref(), Some(&data[..]));
    assert_eq!(got.checksum_crc32.as_deref(), Some(crc32.as_str()));
    // A body shorter than announced fails the call instead of storing less.
    let short = std::io::Cursor::new(vec![1u8; 10]);
    assert!(
        client
            .send_body::<PutObject>(&PutObjectRequest::new(bucket, "short"), short, 20)
            .is_err()
    );
}

/// Objects through the client against the example server: a key that
/// needs encoding, a range, a listing by delimiter, a copy, a multipart
/// upload and DeleteObjects.
fn client_objects(client: &s3_api::Client, bucket: &str) {
    use s3_api::operation::complete_multipart_upload::{
        CompleteMultipartUpload, CompleteMultipartUploadRequest,
    };
    use s3_api::operation::copy_object::{CopyObject, CopyObjectRequest};
    use s3_api::operation::create_multipart_upload::{
        CreateMultipartUpload, CreateMultipartUploadRequest,
    };
    use s3_api::operation::delete_object::{DeleteObject, DeleteObjectRequest};
    use s3_api::operation::delete_objects::{DeleteObjects, DeleteObjectsRequest};
    use s3_api::operation::get_object::{GetObject, GetObjectError, GetObjectRequest};
    use s3_api::operation::head_object::{HeadObject, HeadObjectRequest};
    use s3_api::operation::list_objects_v2::{ListObjectsV2, ListObjectsV2Request};
    use s3_api::operation::put_object::{PutObject, PutObjectRequest};
    use s3_api::operation::upload_part::{UploadPart, UploadPartRequest};
    use s3_api::types::{
        ChecksumMode, ChecksumType, CompletedMultipartUpload, CompletedPart, Delete,
        ObjectIdentifier,
    };

    let key = "dir/a key+with ?&= and \u{e9}";
    let data: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let put = client
        .send::<PutObject>(&PutObjectRequest::new(bucket, key).with_body(data.clone()))
        .unwrap();
    // Sent without a checksum, stored with a CRC64NVME, as S3 does.
    let crc64 = s3_api::checksum::ChecksumAlgorithm::Crc64Nvme.checksum_header_value(&data);
    assert_eq!(put.checksum_crc64nvme.as_deref(), Some(crc64.as_str()));
    // A checksum sent with the body is checked by the server: S3's
    // BadDigest when it is another body's, and nothing stored.
    let wrong = s3_api::checksum::ChecksumAlgorithm::Crc32.checksum_header_value(b"other");
    let refused = client.send::<PutObject>(
        &PutObjectRequest::new(bucket, "refused")
            .with_body(data.clone())
            .with_checksum_crc32(wrong),
    );
    match refused {
        Err(s3_api::client::SendError::Service(e)) => {
            use s3_api::ProvideErrorMetadata;
            assert_eq!((e.code(), e.meta().status), (Some("BadDigest"), 400));
        }
        other => panic!("expected BadDigest, got {other:?}"),
    }
    let right = s3_api::checksum::ChecksumAlgorithm::Crc32.checksum_header_value(&data);
    let stored = client
        .send::<PutObject>(
            &PutObjectRequest::new(bucket, "checked")
                .with_body(data.clone())
                .with_checksum_crc32(right.clone()),
        )
        .unwrap();
    assert_eq!(stored.checksum_crc32.as_deref(), Some(right.as_str()));
    // Read back with validation asked: the server announces the checksum
    // sent, the client checks the body against it.
    let checked =
        GetObjectRequest::new(bucket, "checked").with_checksum_mode(ChecksumMode::Enabled);
    let got = client.send::<GetObject>(&checked).unwrap();
    assert_eq!(got.checksum_crc32.as_deref(), Some(right.as_str()));
    assert_eq!(got.checksum_type, Some(ChecksumType::FullObject));
    assert_eq!(got.body.as_deref(), Some(&data[..]));
    client
        .send::<DeleteObject>(&DeleteObjectRequest::new(bucket, "checked"))
        .unwrap();
    let got = client
        .send::<GetObject>(&GetObjectRequest::new(bucket, key).with_range("bytes=100-199"))
        .unwrap();
    assert_eq!(got.body.as_deref(), Some(&data[100..200]));
    assert_eq!(got.content_range.as_deref(), Some("bytes 100-199/3000"));
    assert_eq!(got.e_tag, put.e_tag);
    let head = client
        .send::<HeadObject>(&HeadObjectRequest::new(bucket, key))
        .unwrap();
    assert_eq!(head.content_length, Some(3000));
    match client.send::<GetObject>(&GetObjectRequest::new(bucket, "nothing here")) {
        Err(s3_api::client::SendError::Service(GetObjectError::NoSuchKey(e))) => {
            assert_eq!(e.meta.status, 404)
        }
        other => panic!("expected NoSuchKey, got {other:?}"),
    }
    // The copy source is percent-encoded by the caller, as S3 asks.
    let encoded = s3_api::uri::encode(key, true);
    let copy_source = format!("{bucket}/{encoded}");
    client
        .send::<CopyObject>(&CopyObjectRequest::new(bucket, copy_source, "top"))
        .unwrap();
    let listed = client
        .send::<ListObjectsV2>(&ListObjectsV2Request::new(bucket).with_delimiter("/"))
        .unwrap();
    let keys: Vec<_> = listed
        .contents
        .iter()
        .flatten()
        .filter_map(|o| o.key.as_deref())
        .collect();
    let prefixes: Vec<_> = listed
        .common_prefixes
        .iter()
        .flatten()
        .filter_map(|p| p.prefix.as_deref())
        .collect();
    assert_eq!((keys, prefixes), (vec!["top"], vec!["dir/"]));

    let part = vec![b'p'; 5 * 1024 * 1024];
    let upload = client
        .send::<CreateMultipartUpload>(&CreateMultipartUploadRequest::new(bucket, "big"))
        .unwrap()
        .upload_id
        .unwrap();
    let mut parts = Vec::new();
    for (number, body) in [(1, part.clone()), (2, b"tail".to_vec())] {
        let done = client
            .send::<UploadPart>(
                &UploadPartRequest::new(bucket, "big", number, &upload).with_body(body),
            )
            .unwrap();
        parts.push(
            CompletedPart::default()
                .with_part_number(number)
                .with_e_tag(done.e_tag.unwrap()),
        );
    }
    let done = client
        .send::<CompleteMultipartUpload>(
            &CompleteMultipartUploadRequest::new(bucket, "big", &upload)
                .with_multipart_upload(CompletedMultipartUpload::default().with_parts(parts)),
        )
        .unwrap();
    assert!(done.e_tag.unwrap().ends_with("-2\""));
    let got = client
        .send::<GetObject>(&GetObjectRequest::new(bucket, "big"))
        .unwrap();
    assert_eq!(got.body.map(|b| b.len()), Some(part.len() + 4));

    let delete = Delete::new(
        [key, "top", "big"]
            .into_iter()
            .map(ObjectIdentifier::new)
            .collect(),
    );
    let deleted = client
        .send::<DeleteObjects>(&DeleteObjectsRequest::new(bucket, delete))
        .unwrap();
    assert_eq!(deleted.deleted.map(|d| d.len()), Some(3));
    let listed = client
        .send::<ListObjectsV2>(&ListObjectsV2Request::new(bucket))
        .unwrap();
    assert_eq!(listed.key_count, Some(0));
}

/// A server that answers from a list, one response per connection, and
/// keeps each request's head and body (as text).
fn canned_server(responses: Vec<&'static str>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for response in responses {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            head.push_str("\r\n");
            head.push_str(&String::from_utf8_lossy(&body));
            seen.push(head);
            stream.write_all(response.as_bytes()).unwrap();
        }
        seen
    });
    (addr, handle)
}

/// A client of a canned server: path-style, signing, short backoffs.
fn canned_client(addr: &str) -> s3_api::Client {
    s3_api::Client::new(
        s3_api::endpoint::Config::new()
            .with_region("us-east-1")
            .with_endpoint_url(format!("http://{addr}"))
            .with_force_path_style(true),
        Some(s3_api::sign::Credentials::new("AKIDEXAMPLE", "secret")),
    )
    .with_backoff(Duration::from_millis(1), Duration::from_millis(10))
}

#[test]
fn the_client_retries_throttling_and_gives_up_on_client_errors() {
    const SLOW_DOWN: &str = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/xml\r\ncontent-length: 60\r\nconnection: close\r\n\r\n<Error><Code>SlowDown</Code><Message>slow</Message></Error>\r\n";
    const OK: &str = "HTTP/1.1 200 OK\r\nx-amz-bucket-region: us-east-1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    const DENIED: &str = "HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: 61\r\nconnection: close\r\n\r\n<Error><Code>AccessDenied</Code><Message>no</Message></Error>\r\n";
    let client = canned_client;
    // Throttled twice, then answered: three attempts, each signed anew.
    let (addr, server) = canned_server(vec![SLOW_DOWN, SLOW_DOWN, OK]);
    let head = client(&addr)
        .send::<HeadBucket>(&HeadBucketRequest::new("b1b1b1"))
        .unwrap();
    assert_eq!(head.bucket_region.as_deref(), Some("us-east-1"));
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter().all(|h| h.starts_with("HEAD /b1b1b1 HTTP/1.1")
            && h.contains("authorization: AWS4-HMAC-SHA256")),
        "{seen:?}"
    );
    // Denied: no second attempt.
    let (addr, server) = canned_server(vec![DENIED]);
    match client(&addr).send::<HeadBucket>(&HeadBucketRequest::new("b1b1b1")) {
        Err(s3_api::client::SendError::Service(e)) => assert_eq!(e.status(), 403),
        other => panic!("expected the 403, got {other:?}"),
    }
    assert_eq!(server.join().unwrap().len(), 1);
    // Throttled on every attempt: the last answer is the error.
    let (addr, server) = canned_server(vec![SLOW_DOWN, SLOW_DOWN]);
    match client(&addr)
        .with_max_attempts(2)
        .send::<HeadBucket>(&HeadBucketRequest::new("b1b1b1"))
    {
        Err(s3_api::client::SendError::Service(e)) => assert_eq!(e.status(), 503),
        other => panic!("expected the 503, got {other:?}"),
    }
    assert_eq!(server.join().unwrap().len(), 2);
}

#[test]
fn streamed_bodies_go_out_with_their_length_and_come_back_as_readers() {
    use s3_api::operation::get_object::{GetObject, GetObjectRequest};
    use s3_api::operation::put_object::{PutObject, PutObjectRequest};
    const PUT: &str =
        "HTTP/1.1 200 OK\r\netag: \"e\"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    const GET: &str = "HTTP/1.1 200 OK\r\ncontent-length: 11\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nhello world";
    let (addr, server) = canned_server(vec![PUT, GET]);
    let client = canned_client(&addr);
    let body = std::io::Cursor::new(b"streamed body".to_vec());
    let put = client
        .send_body::<PutObject>(&PutObjectRequest::new("b1b1b1", "k y"), body, 13)
        .unwrap();
    assert_eq!(put.e_tag.as_deref(), Some("\"e\""));
    let (head, mut reader) = client
        .send_streaming::<GetObject>(&GetObjectRequest::new("b1b1b1", "k y"))
        .unwrap();
    assert_eq!(head.content_length, Some(11));
    assert_eq!(head.content_type.as_deref(), Some("text/plain"));
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    assert_eq!(text, "hello world");
    let seen = server.join().unwrap();
    let put = seen[0].to_ascii_lowercase();
    assert!(
        put.starts_with("put /b1b1b1/k%20y?x-id=putobject http/1.1"),
        "{put}"
    );
    assert!(put.contains("content-length: 13\r\n"), "{put}");
    assert!(!put.contains("transfer-encoding"), "{put}");
    assert!(
        put.contains("x-amz-content-sha256: unsigned-payload"),
        "{put}"
    );
    assert!(put.contains("authorization: aws4-hmac-sha256"), "{put}");
}

/// A canned answer: status 200 and `body`.
fn answer_ok(body: &str) -> &'static str {
    let text = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Box::leak(text.into_boxed_str())
}

/// Credentials from a provider: the instance metadata service (token,
/// role, credentials), the container endpoint (with its authorization
/// token) and STS for a web identity token, kept while fresh, fetched again
/// when about to expire, and a provider's failure as the call's error.
#[test]
fn the_client_signs_with_provided_credentials_and_refreshes_them() {
    use s3_api::client::{ContainerCredentials, InstanceMetadata, SendError, WebIdentity};
    let document = |expires: &str| {
        format!(
            r#"{{"Code":"Success","AccessKeyId":"ASIAPROVIDED","SecretAccessKey":"s","Token":"session-1","Expiration":"{expires}"}}"#
        )
    };
    const S3: &str = "HTTP/1.1 200 OK\r\nx-amz-bucket-region: us-east-1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let head = HeadBucketRequest::new("b1b1b1");

    // IMDSv2, credentials valid for long: fetched once for two calls.
    let fresh = document("2099-01-01T00:00:00Z");
    let (addr, server) = canned_server(vec![
        answer_ok("imds-token"),
        answer_ok("the-role\n"),
        answer_ok(&fresh),
        S3,
        S3,
    ]);
    let imds = InstanceMetadata::at(&format!("http://{addr}"));
    let client = canned_client(&addr).with_credentials_provider(imds);
    client.send::<HeadBucket>(&head).unwrap();
    client.send::<HeadBucket>(&head).unwrap();
    let seen = server.join().unwrap();
    assert!(seen[0].starts_with("PUT /latest/api/token "), "{seen:?}");
    assert!(seen[0].contains("x-aws-ec2-metadata-token-ttl-seconds: 21600"));
    assert!(seen[1].starts_with("GET /latest/meta-data/iam/security-credentials/ "));
    assert!(seen[1].contains("x-aws-ec2-metadata-token: imds-token"));
    assert!(seen[2].starts_with("GET /latest/meta-data/iam/security-credentials/the-role "));
    for s3 in &seen[3..] {
        assert!(s3.contains("Credential=ASIAPROVIDED/"), "{s3}");
        assert!(s3.contains("x-amz-security-token: session-1"), "{s3}");
    }

    // The container endpoint, credentials about to expire: fetched again
    // for the second call, with the authorization token each time.
    let stale = document("2000-01-01T00:00:00Z");
    let (addr, server) = canned_server(vec![answer_ok(&stale), S3, answer_ok(&stale), S3]);
    let url = format!("http://{addr}/v1/credentials");
    let container = ContainerCredentials::from_vars(&|name| match name {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI" => Some(url.clone()),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN" => Some("pod-token".to_owned()),
        _ => None,
    })
    .unwrap();
    let client = canned_client(&addr).with_credentials_provider(container);
    client.send::<HeadBucket>(&head).unwrap();
    client.send::<HeadBucket>(&head).unwrap();
    let seen = server.join().unwrap();
    for fetch in [&seen[0], &seen[2]] {
        assert!(fetch.starts_with("GET /v1/credentials "), "{fetch}");
        assert!(fetch.contains("authorization: pod-token"), "{fetch}");
    }
    assert!(seen[3].contains("Credential=ASIAPROVIDED/"), "{}", seen[3]);

    // A provider that cannot answer: the call's error says why, and no
    // request goes out unsigned.
    // A web identity token exchanged with STS (AssumeRoleWithWebIdentity).
    const STS: &str = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system:serviceaccount:ns:app</SubjectFromWebIdentityToken><Credentials><SessionToken>session-2</SessionToken><SecretAccessKey>s</SecretAccessKey><Expiration>2099-01-01T00:00:00Z</Expiration><AccessKeyId>ASIAWEB</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
    let (addr, server) = canned_server(vec![answer_ok(STS), S3]);
    let dir = std::env::temp_dir().join(format!("web-identity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, "eyJ.token+/=\n").unwrap();
    let endpoint = format!("http://{addr}");
    let web = WebIdentity::from_vars(&|name| match name {
        "AWS_WEB_IDENTITY_TOKEN_FILE" => Some(token_file.display().to_string()),
        "AWS_ROLE_ARN" => Some("arn:aws:iam::123456789012:role/app".to_owned()),
        "AWS_ROLE_SESSION_NAME" => Some("app-session".to_owned()),
        "AWS_ENDPOINT_URL_STS" => Some(endpoint.clone()),
        _ => None,
    })
    .unwrap();
    canned_client(&addr)
        .with_credentials_provider(web)
        .send::<HeadBucket>(&head)
        .unwrap();
    let seen = server.join().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(seen[0].starts_with("POST / "), "{}", seen[0]);
    for part in [
        "Action=AssumeRoleWithWebIdentity",
        "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp",
        "RoleSessionName=app-session",
        "WebIdentityToken=eyJ.token%2B%2F%3D",
    ] {
        assert!(seen[0].contains(part), "{part}: {}", seen[0]);
    }
    assert!(!seen[0].contains("authorization:"), "unsigned: {}", seen[0]);
    assert!(seen[1].contains("Credential=ASIAWEB/"), "{}", seen[1]);
    assert!(
        seen[1].contains("x-amz-security-token: session-2"),
        "{}",
        seen[1]
    );
    assert!(WebIdentity::from_vars(&|_| None).is_none());

    const GONE: &str = "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let (addr, server) = canned_server(vec![GONE]);
    let imds = InstanceMetadata::at(&format!("http://{addr}"));
    match canned_client(&addr)
        .with_credentials_provider(imds)
        .send::<HeadBucket>(&head)
    {
        Err(SendError::Credentials(why)) => assert!(why.contains("404"), "{why}"),
        other => panic!("expected a credentials error, got {other:?}"),
    }
    assert_eq!(server.join().unwrap().len(), 1);
    assert!(ContainerCredentials::from_vars(&|_| None).is_none());
}

/// A profile's role, assumed with STS from a source profile's keys (the
/// AssumeRole request signed with them, checked by the runtime's own
/// verifier), and a profile's IAM Identity Center role, exchanged for the
/// cached token; the S3 request then signed with what they answered.
#[test]
fn the_client_assumes_a_profiles_role_and_reads_sso_credentials() {
    use s3_api::client::Environment;
    const S3: &str = "HTTP/1.1 200 OK\r\nx-amz-bucket-region: us-east-1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    const STS: &str = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/app/app-session</Arn></AssumedRoleUser><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
    let head = HeadBucketRequest::new("b1b1b1");
    let config = "[profile app]\nregion = us-west-2\nrole_arn = arn:aws:iam::123456789012:role/app\n\
                  source_profile = base\nrole_session_name = app-session\nexternal_id = ext-1\n\
                  [profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
                  [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    let credentials = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n";

    let (addr, server) = canned_server(vec![answer_ok(STS), S3]);
    let endpoint = format!("http://{addr}");
    let var = |name: &str| match name {
        "AWS_PROFILE" => Some("app".to_owned()),
        "AWS_ENDPOINT_URL_STS" => Some(endpoint.clone()),
        _ => None,
    };
    // The profile's credentials, as `from_env` finds them, sign a call.
    let call = |var: &dyn Fn(&str) -> Option<String>, addr: &str| {
        let env = Environment::from_sources(var, config, credentials);
        assert!(env.credentials.is_none());
        let provider = env
            .profile_source
            .as_ref()
            .unwrap()
            .provider(env.region.as_deref(), var)
            .unwrap();
        canned_client(addr)
            .with_credentials_provider(provider)
            .send::<HeadBucket>(&head)
            .unwrap();
    };
    call(&var, &addr);
    let seen = server.join().unwrap();
    let sts = &seen[0];
    assert!(sts.starts_with("POST / "), "{sts}");
    for part in [
        "Action=AssumeRole&",
        "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp",
        "RoleSessionName=app-session",
        "ExternalId=ext-1",
        "/us-west-2/sts/aws4_request",
        "Credential=AKIDBASE/",
    ] {
        assert!(sts.contains(part), "{part}: {sts}");
    }
    // The STS request's signature holds for the source profile's secret.
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    let httparse::Status::Complete(at) = parsed.parse(sts.as_bytes()).unwrap() else {
        panic!("a whole head: {sts}");
    };
    let mut request = http::Request::builder()
        .method(parsed.method.unwrap())
        .uri(parsed.path.unwrap());
    for h in parsed.headers.iter() {
        request = request.header(h.name, h.value);
    }
    let request = request.body(sts.as_bytes()[at..].to_vec()).unwrap();
    let lookup = |key: &str| {
        (key == "AKIDBASE").then(|| s3_api::sign::Credentials::new("AKIDBASE", "base-secret"))
    };
    let verified = s3_api::sign::verify(&request, lookup, std::time::SystemTime::now());
    assert!(matches!(verified, Ok(Some(_))), "{verified:?}");
    assert!(seen[1].contains("Credential=ASIAROLE/"), "{}", seen[1]);
    assert!(
        seen[1].contains("x-amz-security-token: role-token"),
        "{}",
        seen[1]
    );

    // IAM Identity Center: the token `aws sso login` cached for the session
    // (its file named by the SHA-1 of the session's name) goes to the
    // portal, whose role credentials sign the request.
    let (addr, server) = canned_server(vec![
        answer_ok(
            r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"sso-token","expiration":4102444800000}}"#,
        ),
        S3,
    ]);
    let home = std::env::temp_dir().join(format!("sso-home-{}", std::process::id()));
    let cache = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"bearer-1","expiresAt":"2099-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let endpoint = format!("http://{addr}");
    let var = |name: &str| match name {
        "AWS_PROFILE" => Some("dev".to_owned()),
        "AWS_ENDPOINT_URL_SSO" => Some(endpoint.clone()),
        "HOME" => Some(home.display().to_string()),
        _ => None,
    };
    call(&var, &addr);
    let seen = server.join().unwrap();
    assert!(
        seen[0].starts_with("GET /federation/credentials?account_id=123456789012&role_name=Dev "),
        "{}",
        seen[0]
    );
    assert!(
        seen[0].contains("x-amz-sso_bearer_token: bearer-1"),
        "{}",
        seen[0]
    );
    assert!(seen[1].contains("Credential=ASIASSO/"), "{}", seen[1]);
    assert!(
        seen[1].contains("x-amz-security-token: sso-token"),
        "{}",
        seen[1]
    );

    // An expired token with the session's refresh token: refreshed with SSO
    // OIDC first, the cache rewritten with the new token.
    let cached = cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
    std::fs::write(
        &cached,
        r#"{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"bearer-old","expiresAt":"2020-01-01T00:00:00Z","clientId":"cid","clientSecret":"csecret","registrationExpiresAt":"2099-01-01T00:00:00Z","refreshToken":"refresh-1"}"#,
    )
    .unwrap();
    let (addr, server) = canned_server(vec![
        answer_ok(
            r#"{"accessToken":"bearer-2","expiresIn":3600,"refreshToken":"refresh-2","tokenType":"Bearer"}"#,
        ),
        answer_ok(
            r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"sso-token","expiration":4102444800000}}"#,
        ),
        S3,
    ]);
    let endpoint = format!("http://{addr}");
    let var = |name: &str| match name {
        "AWS_PROFILE" => Some("dev".to_owned()),
        "AWS_ENDPOINT_URL_SSO" | "AWS_ENDPOINT_URL_SSO_OIDC" => Some(endpoint.clone()),
        "HOME" => Some(home.display().to_string()),
        _ => None,
    };
    call(&var, &addr);
    let seen = server.join().unwrap();
    let rewritten: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cached).unwrap()).unwrap();
    std::fs::remove_dir_all(&home).ok();
    assert!(seen[0].starts_with("POST /token "), "{}", seen[0]);
    for part in [
        r#""grantType":"refresh_token""#,
        r#""refreshToken":"refresh-1""#,
        r#""clientId":"cid""#,
    ] {
        assert!(seen[0].contains(part), "{part}: {}", seen[0]);
    }
    assert!(
        seen[1].contains("x-amz-sso_bearer_token: bearer-2"),
        "{}",
        seen[1]
    );
    assert!(seen[2].contains("Credential=ASIASSO/"), "{}", seen[2]);
    assert_eq!(rewritten["accessToken"], "bearer-2");
    assert_eq!(rewritten["refreshToken"], "refresh-2");
    assert_eq!(rewritten["clientSecret"], "csecret");
    assert!(rewritten["expiresAt"].as_str().unwrap() > "2026");
}

/// Response checksums: validated when the input asks (GetObject's
/// `ChecksumMode`), over whole bodies and streamed ones; a mismatch is
/// tried again, then an error; composite checksums are not the body's.
#[test]
fn the_client_validates_response_checksums_when_asked() {
    use s3_api::operation::get_object::{GetObject, GetObjectRequest};
    use s3_api::types::ChecksumMode;
    // CRC32 of "hello world" is DUoRhQ==.
    const GOOD: &str = "HTTP/1.1 200 OK\r\nx-amz-checksum-crc32: DUoRhQ==\r\ncontent-length: 11\r\nconnection: close\r\n\r\nhello world";
    const BAD: &str = "HTTP/1.1 200 OK\r\nx-amz-checksum-crc32: AAAAAA==\r\ncontent-length: 11\r\nconnection: close\r\n\r\nhello world";
    const COMPOSITE: &str = "HTTP/1.1 200 OK\r\nx-amz-checksum-crc32: AAAAAA==-3\r\ncontent-length: 11\r\nconnection: close\r\n\r\nhello world";
    let client = |addr: &str| canned_client(addr).with_max_attempts(2);
    let checked = GetObjectRequest::new("b1b1b1", "k").with_checksum_mode(ChecksumMode::Enabled);
    let unchecked = GetObjectRequest::new("b1b1b1", "k");

    // Wrong on every attempt: the checksum error.
    let (addr, server) = canned_server(vec![BAD, BAD]);
    match client(&addr).send::<GetObject>(&checked) {
        Err(s3_api::client::SendError::Checksum(e)) => {
            assert!(e.to_string().contains("CRC32"), "{e}")
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|h| h.contains("x-amz-checksum-mode: ENABLED")),
        "{seen:?}"
    );
    // Wrong once, then right: the body of the second attempt.
    let (addr, server) = canned_server(vec![BAD, GOOD]);
    let got = client(&addr).send::<GetObject>(&checked).unwrap();
    assert_eq!(got.body.as_deref(), Some(&b"hello world"[..]));
    assert_eq!(server.join().unwrap().len(), 2);
    // Not asked, or composite: taken as it comes.
    let (addr, server) = canned_server(vec![BAD, COMPOSITE]);
    assert!(client(&addr).send::<GetObject>(&unchecked).is_ok());
    assert!(client(&addr).send::<GetObject>(&checked).is_ok());
    assert_eq!(server.join().unwrap().len(), 2);
    // Streamed: the end of a wrong body is an InvalidData error.
    let (addr, server) = canned_server(vec![BAD, GOOD]);
    let (_, mut reader) = client(&addr).send_streaming::<GetObject>(&checked).unwrap();
    let mut text = String::new();
    let error = reader.read_to_string(&mut text).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    let (_, mut reader) = client(&addr).send_streaming::<GetObject>(&checked).unwrap();
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    assert_eq!(text, "hello world");
    assert_eq!(server.join().unwrap().len(), 2);
}

/// A server that checks signatures: presigned URLs fetched by a plain HTTP
/// client, unsigned and wrongly signed requests refused with S3's codes.
#[test]
fn the_server_checks_signatures_and_presigned_urls() {
    use s3_api::sign::Credentials;
    let server = Server::start_signed("AKIDEXAMPLE", "secret");
    let config = s3_api::endpoint::Config::new()
        .with_region("us-east-1")
        .with_endpoint_url(format!("http://{}", server.addr))
        .with_force_path_style(true);
    let good = s3_api::Client::new(
        config.clone(),
        Some(Credentials::new("AKIDEXAMPLE", "secret")),
    );
    good.send::<CreateBucket>(&CreateBucketRequest::new("signed-bucket"))
        .unwrap();
    let config_id = "presigned";
    let mut analytics = configurations()[0].clone();
    analytics.id = config_id.to_owned();
    let put = PutBucketAnalyticsConfigurationRequest::new("signed-bucket", config_id, analytics);
    good.send::<PutBucketAnalyticsConfiguration>(&put).unwrap();

    // A presigned GET, fetched with nothing but the URL.
    let credentials = Credentials::new("AKIDEXAMPLE", "secret");
    let get = GetBucketAnalyticsConfigurationRequest::new("signed-bucket", config_id);
    let (request, endpoint) =
        s3_api::endpoint::build_request::<GetBucketAnalyticsConfiguration>(&config, &get).unwrap();
    let url = s3_api::sign::presign(
        &request,
        &endpoint,
        &credentials,
        std::time::SystemTime::now(),
        Duration::from_secs(300),
    )
    .unwrap();
    let target = url
        .strip_prefix(&format!("http://{}", server.addr))
        .unwrap()
        .to_owned();
    let fetch = |target: &str| {
        let raw = format!(
            "GET {target} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
            server.addr
        );
        raw_exchange(&server, &[raw.as_bytes()])
    };
    let answer = fetch(&target);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("<Id>presigned</Id>"), "{answer}");
    let answer = fetch(&target.replace("id=presigned", "id=other"));
    assert!(answer.starts_with("HTTP/1.1 403 "), "{answer}");
    assert!(
        answer.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{answer}"
    );

    // Virtual-hosted, with the server's base domain in the host.
    let domain_server = Server::start_with(&["--domain", "s3.test"]);
    let raw =
        "GET /?analytics&id=x HTTP/1.1\r\nhost: vhost-bucket.s3.test\r\nconnection: close\r\n\r\n";
    let answer = raw_exchange(&domain_server, &[raw.as_bytes()]);
    assert!(answer.contains("<Code>NoSuchBucket</Code>"), "{answer}");
    let raw = "PUT / HTTP/1.1\r\nhost: vhost-bucket.s3.test\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let answer = raw_exchange(&domain_server, &[raw.as_bytes()]);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    let raw = "HEAD /vhost-bucket HTTP/1.1\r\nhost: s3.test\r\nconnection: close\r\n\r\n";
    let answer = raw_exchange(&domain_server, &[raw.as_bytes()]);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");

    // No signature, a wrong secret, an unknown key.
    let answer = fetch("/signed-bucket?analytics&id=presigned");
    assert!(answer.starts_with("HTTP/1.1 403 "), "{answer}");
    assert!(answer.contains("<Code>AccessDenied</Code>"), "{answer}");
    for (key, secret, code) in [
        ("AKIDEXAMPLE", "wrong", "SignatureDoesNotMatch"),
        ("AKIDOTHER", "secret", "InvalidAccessKeyId"),
    ] {
        let client = s3_api::Client::new(config.clone(), Some(Credentials::new(key, secret)));
        match client.send::<GetBucketAnalyticsConfiguration>(&get) {
            Err(s3_api::client::SendError::Service(e)) => {
                assert_eq!((e.code(), e.status()), (Some(code), 403), "{e}")
            }
            other => panic!("expected {code}, got {other:?}"),
        }
    }
}
