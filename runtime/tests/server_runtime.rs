//! Tests of `s3_runtime::server`: path matching against URI patterns,
//! query strings, and the responses it builds.

use s3_runtime::error;
use s3_runtime::server;

use error::{BuildError, ErrorMetadata};
use s3_runtime::operation::Profile;
use server::{ErrorBody, Query, RequestError, Segment, path_labels};

use Segment::{Greedy, Label, Literal};

fn labels(path: &str, pattern: &[Segment]) -> Result<Vec<String>, RequestError> {
    path_labels(path, pattern, "PATTERN")
}

fn ok(path: &str, pattern: &[Segment]) -> Vec<String> {
    labels(path, pattern).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn mismatch(path: &str) -> RequestError {
    RequestError::PathMismatch {
        path: path.to_owned(),
        pattern: "PATTERN",
    }
}

#[test]
fn literal_and_label_segments() {
    let pattern = [
        Literal("HttpRequestWithLabels"),
        Label("string"),
        Label("integer"),
    ];
    assert_eq!(ok("/HttpRequestWithLabels/a/1", &pattern), ["a", "1"]);
    // Labels are percent-decoded, `%2F` included; `+` stays a plus.
    assert_eq!(
        ok("/HttpRequestWithLabels/%25%2F%20+x/%C3%A9", &pattern),
        ["%/ +x", "é"]
    );
    // A literal may be percent-encoded by the client.
    assert_eq!(ok("/HttpRequestWithLabel%73/a/1", &pattern), ["a", "1"]);
    // A trailing slash is accepted.
    assert_eq!(ok("/HttpRequestWithLabels/a/1/", &pattern), ["a", "1"]);

    for path in [
        "/Other/a/1",
        "/HttpRequestWithLabels/a/1/extra",
        "/HttpRequestWithLabels/a/1//",
        "HttpRequestWithLabels/a/1",
        "",
    ] {
        assert_eq!(labels(path, &pattern), Err(mismatch(path)), "{path}");
    }
    assert_eq!(
        labels("/HttpRequestWithLabels/a", &pattern),
        Err(RequestError::MissingLabel { member: "integer" })
    );
    assert_eq!(
        labels("/HttpRequestWithLabels//1", &pattern),
        Err(RequestError::MissingLabel { member: "string" })
    );
    assert_eq!(
        labels("/HttpRequestWithLabels", &pattern),
        Err(RequestError::MissingLabel { member: "string" })
    );
    let error = labels("/HttpRequestWithLabels/%zz/1", &pattern).unwrap_err();
    assert!(
        matches!(&error, RequestError::InvalidValue { location, .. } if location == "label string"),
        "{error:?}"
    );
}

#[test]
fn root_and_single_label_patterns() {
    assert_eq!(ok("/", &[Literal("")]), Vec::<String>::new());
    assert_eq!(labels("/x", &[Literal("")]), Err(mismatch("/x")));
    assert_eq!(ok("/bucket", &[Label("Bucket")]), ["bucket"]);
    assert_eq!(ok("/bucket/", &[Label("Bucket")]), ["bucket"]);
    assert_eq!(
        labels("/", &[Label("Bucket")]),
        Err(RequestError::MissingLabel { member: "Bucket" })
    );
}

#[test]
fn greedy_labels_take_the_rest_of_the_path() {
    let pattern = [Label("Bucket"), Greedy("Key")];
    assert_eq!(ok("/b/k", &pattern), ["b", "k"]);
    assert_eq!(
        ok("/b/dir/sub/file.txt", &pattern),
        ["b", "dir/sub/file.txt"]
    );
    // A trailing slash belongs to the key, and so do empty segments.
    assert_eq!(ok("/b/dir/", &pattern), ["b", "dir/"]);
    assert_eq!(ok("/b/a//c", &pattern), ["b", "a//c"]);
    assert_eq!(ok("/b/a%2Fb%20c", &pattern), ["b", "a/b c"]);
    for path in ["/b", "/b/"] {
        assert_eq!(
            labels(path, &pattern),
            Err(RequestError::MissingLabel { member: "Key" }),
            "{path}"
        );
    }

    // A greedy label in the middle stops before the literal segments that follow.
    let pattern = [
        Literal("HttpRequestWithGreedyLabelInPath"),
        Literal("foo"),
        Label("foo"),
        Literal("baz"),
        Greedy("baz"),
        Literal("end"),
    ];
    assert_eq!(
        ok(
            "/HttpRequestWithGreedyLabelInPath/foo/hello/baz/there/guy/end",
            &pattern
        ),
        ["hello", "there/guy"]
    );
    assert_eq!(
        labels(
            "/HttpRequestWithGreedyLabelInPath/foo/hello/baz/end",
            &pattern
        ),
        Err(RequestError::MissingLabel { member: "baz" })
    );
    let path = "/HttpRequestWithGreedyLabelInPath/foo/hello/baz/there/guy/notend";
    assert_eq!(labels(path, &pattern), Err(mismatch(path)));
    let path = "/HttpRequestWithGreedyLabelInPath/bar/hello/baz/there/end";
    assert_eq!(labels(path, &pattern), Err(mismatch(path)));
}

#[test]
fn query_strings() {
    let query = Query::parse(Some(
        "analytics&id=r%2B1&empty=&list=a&list=b%20c&+=%2B&id=second",
    ))
    .unwrap();
    assert_eq!(query.first("id").as_deref(), Some("r+1"));
    assert_eq!(query.first("analytics").as_deref(), Some(""));
    assert_eq!(query.first("empty").as_deref(), Some(""));
    assert_eq!(query.first("missing"), None);
    assert_eq!(query.all("list"), ["a", "b c"]);
    assert_eq!(query.all("missing"), Vec::<String>::new());
    // `+` is not a space.
    assert_eq!(query.first("+").as_deref(), Some("+"));
    let rest: Vec<(String, String)> = query.rest(&["id", "analytics", "list"]).collect();
    assert_eq!(
        rest,
        [
            ("empty".to_owned(), String::new()),
            ("+".to_owned(), "+".to_owned())
        ]
    );

    assert_eq!(query.require("analytics", None), Ok(()));
    assert_eq!(query.require("id", Some("second")), Ok(()));
    assert_eq!(
        query.require("x-id", None),
        Err(RequestError::MissingQuery { name: "x-id" })
    );
    let error = query.require("id", Some("other")).unwrap_err();
    assert!(error.to_string().contains("query id"), "{error}");

    assert_eq!(Query::parse(None).unwrap().first("a"), None);
    assert_eq!(
        Query::parse(Some("&&")).unwrap().all(""),
        Vec::<String>::new()
    );
    let error = Query::parse(Some("a=%G0")).unwrap_err();
    assert!(
        matches!(&error, RequestError::InvalidValue { location, .. } if location == "query a"),
        "{error:?}"
    );
    assert!(Query::parse(Some("%ff=1")).is_err());
}

#[test]
fn methods_and_messages() {
    assert_eq!(server::check_method(&http::Method::PUT, "PUT"), Ok(()));
    let error = server::check_method(&http::Method::GET, "PUT").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the method GET is not allowed; the operation uses PUT"
    );
    for (error, named) in [
        (RequestError::MissingLabel { member: "Key" }, "`Key`"),
        (
            RequestError::MissingQuery { name: "uploadId" },
            "`uploadId`",
        ),
        (
            RequestError::MissingHeader {
                name: "x-amz-copy-source",
            },
            "`x-amz-copy-source`",
        ),
        (server::missing_member("Id"), "Id"),
        (server::invalid("header x-a", "bad"), "header x-a"),
    ] {
        assert!(error.to_string().contains(named), "{error}");
    }
    let error = server::missing_member("Id");
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn success_responses() {
    let response = server::response(204, http::HeaderMap::new(), Vec::new(), None).unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["content-length"], "0");
    assert!(response.headers().get("content-type").is_none());

    // A member's content-type and content-length win.
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", http::HeaderValue::from_static("text/csv"));
    headers.insert("content-length", http::HeaderValue::from_static("1234"));
    let response = server::response(
        200,
        headers,
        b"a,b".to_vec(),
        Some("application/octet-stream"),
    )
    .unwrap();
    assert_eq!(response.headers()["content-type"], "text/csv");
    assert_eq!(response.headers()["content-length"], "1234");

    assert_eq!(
        server::response(42, http::HeaderMap::new(), Vec::new(), None).unwrap_err(),
        BuildError::InvalidStatus { status: 42 }
    );
    assert_eq!(server::status_code(201), Ok(201));
    for bad in [-1, 0, 99, 1000, i32::MAX] {
        assert_eq!(
            server::status_code(bad),
            Err(BuildError::InvalidStatus { status: bad })
        );
    }
    assert_eq!(server::error_status(0), 500);
    assert_eq!(server::error_status(404), 404);
}

fn meta() -> ErrorMetadata {
    ErrorMetadata {
        code: Some("Ignored".into()),
        message: Some("a <b> & \"c\"".into()),
        request_id: Some("REQ".into()),
        host_id: Some("HOST".into()),
        status: 0,
    }
}

fn body(response: &http::Response<Vec<u8>>) -> &str {
    std::str::from_utf8(response.body()).unwrap()
}

#[test]
fn error_documents() {
    let bare = server::error_response(
        &Profile::S3,
        &meta(),
        ErrorBody {
            code: Some("NoSuchKey"),
            status: 404,
            members: "<Key>k</Key>",
            taken: &[],
        },
        http::HeaderMap::new(),
    );
    assert_eq!(bare.status(), 404);
    assert_eq!(
        body(&bare),
        "<Error><Code>NoSuchKey</Code><Message>a &lt;b&gt; &amp; &quot;c&quot;</Message><Key>k</Key><RequestId>REQ</RequestId><HostId>HOST</HostId></Error>"
    );
    assert_eq!(bare.headers()["x-amz-request-id"], "REQ");
    assert_eq!(bare.headers()["x-amz-id-2"], "HOST");
    assert_eq!(bare.headers()["content-type"], "application/xml");
    assert_eq!(
        bare.headers()["content-length"],
        bare.body().len().to_string()
    );
    let (read, problem) =
        ErrorMetadata::from_response(&Profile::S3, 404, bare.headers(), bare.body());
    assert_eq!(problem, None);
    assert_eq!(
        read,
        ErrorMetadata {
            code: Some("NoSuchKey".into()),
            status: 404,
            ..meta()
        }
    );

    let wrapped = server::error_response(
        &Profile::REST_XML,
        &meta(),
        ErrorBody {
            code: Some("InvalidGreeting"),
            status: 400,
            members: "<Message>Hi</Message>",
            taken: &["Message"],
        },
        http::HeaderMap::new(),
    );
    assert_eq!(
        body(&wrapped),
        "<ErrorResponse><Error><Code>InvalidGreeting</Code><Message>Hi</Message></Error><RequestId>REQ</RequestId><HostId>HOST</HostId></ErrorResponse>"
    );
    // Plain restXml names the request id header differently and has no host id header.
    assert_eq!(wrapped.headers()["x-amzn-requestid"], "REQ");
    assert!(wrapped.headers().get("x-amz-request-id").is_none());
    assert!(wrapped.headers().get("x-amz-id-2").is_none());
    let (read, problem) =
        ErrorMetadata::from_response(&Profile::S3, 400, &http::HeaderMap::new(), wrapped.body());
    assert_eq!(problem, None);
    assert_eq!(read.code.as_deref(), Some("InvalidGreeting"));
    assert_eq!(read.message.as_deref(), Some("Hi"));
    assert_eq!(read.request_id.as_deref(), Some("REQ"));
    assert_eq!(read.host_id.as_deref(), Some("HOST"));

    // Never fails: a status that is not one becomes 500, ids that cannot be
    // header values are only in the body, and the member headers are kept.
    let mut headers = http::HeaderMap::new();
    headers.insert("x-header", http::HeaderValue::from_static("v"));
    let odd = ErrorMetadata {
        request_id: Some("line\nbreak".into()),
        host_id: Some("é".into()),
        ..ErrorMetadata::default()
    };
    let odd_body = ErrorBody {
        status: 42,
        ..ErrorBody::default()
    };
    let response = server::error_response(&Profile::S3, &odd, odd_body, headers);
    assert_eq!(response.status(), 500);
    assert!(response.headers().get("x-amz-request-id").is_none());
    assert!(response.headers().get("x-amz-id-2").is_none());
    assert_eq!(response.headers()["x-header"], "v");
    assert_eq!(
        body(&response),
        "<Error><RequestId>line&#xA;break</RequestId><HostId>é</HostId></Error>"
    );
}
