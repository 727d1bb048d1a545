//! Response parsing of the generated `s3-api` crate, through
//! `<PutBucketAnalyticsConfiguration as s3_api::Operation>::parse_response`.
//!
//! S3 reports a failure with the HTTP status, an `<Error>` document
//! (`Code`, `Message`, `RequestId`, `HostId`) and the `x-amz-request-id` /
//! `x-amz-id-2` headers; it can also answer 200 with an `<Error>` document.
//! Whatever the bytes, parsing must never panic: anything unreadable becomes
//! `Unhandled` with the reason attached.

// The operation's error type is large (ErrorMetadata with four strings, plus
// the XmlError of Unhandled); the helpers here just pass it through.
#![allow(clippy::result_large_err)]

use std::error::Error as _;

use s3_api::Operation;
use s3_api::error::{ErrorMetadata, ResponseError, Unhandled, XmlError};
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationError as OpError,
    PutBucketAnalyticsConfigurationOutput,
};
use s3_api::types::{AccessDenied, InvalidArgument, TooManyConfigurations};
use s3_api::{OperationError, ProvideErrorMetadata};

type Parsed = Result<PutBucketAnalyticsConfigurationOutput, OpError>;

const REQUEST_ID: &str = "4442587FB7D0A2F9";
const HOST_ID: &str =
    "vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=";

fn response<B>(status: u16, headers: &[(&str, &[u8])], body: B) -> http::Response<B> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, http::HeaderValue::from_bytes(value).unwrap());
    }
    builder.body(body).unwrap()
}

fn parse(status: u16, headers: &[(&str, &[u8])], body: impl Into<Vec<u8>>) -> Parsed {
    <PutBucketAnalyticsConfiguration as Operation>::parse_response(&response(
        status,
        headers,
        body.into(),
    ))
}

fn id_headers() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("x-amz-request-id", REQUEST_ID.as_bytes()),
        ("x-amz-id-2", HOST_ID.as_bytes()),
    ]
}

fn error_doc(code: &str, message: &str, request_id: &str, host_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    )
}

fn meta(
    code: Option<&str>,
    message: Option<&str>,
    request_id: Option<&str>,
    host_id: Option<&str>,
    status: u16,
) -> ErrorMetadata {
    ErrorMetadata {
        code: code.map(str::to_owned),
        message: message.map(str::to_owned),
        request_id: request_id.map(str::to_owned),
        host_id: host_id.map(str::to_owned),
        status,
    }
}

#[track_caller]
fn expect_err(parsed: Parsed) -> OpError {
    match parsed {
        Ok(output) => panic!("expected an error, got Ok({output:?})"),
        Err(e) => e,
    }
}

#[track_caller]
fn expect_unhandled(parsed: Parsed) -> Unhandled {
    match expect_err(parsed) {
        OpError::Unhandled(u) => u,
        other => panic!("expected Unhandled, got {other:?}"),
    }
}

/// The name of the variant, to compare with the error code.
fn variant(e: &OpError) -> &'static str {
    match e {
        OpError::InvalidArgument(_) => "InvalidArgument",
        OpError::TooManyConfigurations(_) => "TooManyConfigurations",
        OpError::AccessDenied(_) => "AccessDenied",
        OpError::Unhandled(_) => "Unhandled",
        _ => "(new variant)",
    }
}

/// The modeled errors of the operation: code and HTTP status.
const MODELED: &[(&str, u16)] = &[
    ("InvalidArgument", 400),
    ("TooManyConfigurations", 400),
    ("AccessDenied", 403),
];

// ---------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------

#[test]
fn success_with_empty_body() {
    for body in ["", " ", "\r\n\t "] {
        assert_eq!(
            parse(200, &id_headers(), body),
            Ok(PutBucketAnalyticsConfigurationOutput::default()),
            "{body:?}"
        );
    }
    // The body type is generic.
    let r = response(200, &[], "");
    assert!(PutBucketAnalyticsConfiguration::parse_response(&r).is_ok());
    let r = response(200, &[], &b""[..]);
    assert!(PutBucketAnalyticsConfiguration::parse_response(&r).is_ok());
    // A success body that is not an error document (the output has no
    // members, so it is not read).
    assert!(parse(200, &[], "<Whatever><Error>x</Error></Whatever>").is_ok());
}

#[test]
fn success_status_with_error_document_is_an_error() {
    let doc = error_doc(
        "InternalError",
        "We encountered an internal error. Please try again.",
        "R1",
        "H1",
    );
    let variants = [
        doc.clone(),
        doc.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", ""),
        doc.replace("<Error>", "<!-- note --><?pi x?>\n  <Error>"),
        doc.replace(
            "<Error>",
            "<s3:Error xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
        )
        .replace("</Error>", "</s3:Error>"),
    ];
    for body in variants {
        let u = expect_unhandled(parse(200, &[], body.clone()));
        assert_eq!(
            u.meta,
            meta(
                Some("InternalError"),
                Some("We encountered an internal error. Please try again."),
                Some("R1"),
                Some("H1"),
                200
            ),
            "{body}"
        );
        assert!(u.source.is_none());
    }
    // A modeled code in a 200 response still maps to its variant.
    let e = expect_err(parse(
        200,
        &id_headers(),
        error_doc("AccessDenied", "Access Denied", "x", "y"),
    ));
    assert!(matches!(e, OpError::AccessDenied(_)), "{e:?}");
    assert_eq!(e.meta().status, 200);
}

#[test]
fn success_status_with_bom_before_error_document_is_an_error() {
    // The runtime documents that a byte order mark may come before <Error>.
    let body = format!(
        "\u{FEFF}{}",
        error_doc("SlowDown", "Reduce your rate", "R", "H")
    );
    let e = expect_err(parse(200, &[], body));
    assert_eq!(e.meta().code.as_deref(), Some("SlowDown"));
}

// ---------------------------------------------------------------------------
// Modeled errors
// ---------------------------------------------------------------------------

#[test]
fn each_modeled_error_maps_to_its_variant() {
    for &(code, status) in MODELED {
        let message = format!("message for {code} & <more>");
        let body = error_doc(
            code,
            &message
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
            "body-request-id",
            "body-host-id",
        );
        let e = expect_err(parse(status, &id_headers(), body));
        assert_eq!(variant(&e), code, "{e:?}");
        let expected = meta(
            Some(code),
            Some(&message),
            Some(REQUEST_ID),
            Some(HOST_ID),
            status,
        );
        // The headers win over the body.
        assert_eq!(e.meta(), &expected);
        let inner = match &e {
            OpError::InvalidArgument(InvalidArgument { meta, .. }) => meta,
            OpError::TooManyConfigurations(TooManyConfigurations { meta, .. }) => meta,
            OpError::AccessDenied(AccessDenied { meta, .. }) => meta,
            other => panic!("{other:?}"),
        };
        assert_eq!(inner, &expected);
        // from_response gives the same result.
        let headers = response(status, &id_headers(), ()).headers().clone();
        let again = OpError::from_response(
            status,
            &headers,
            error_doc(
                code,
                &message.replace('&', "&amp;").replace('<', "&lt;"),
                "a",
                "b",
            )
            .as_bytes(),
        );
        assert_eq!(variant(&again), code);
    }
}

#[test]
fn modeled_code_with_another_status_keeps_that_status() {
    let e = expect_err(parse(409, &[], error_doc("InvalidArgument", "m", "r", "h")));
    assert!(matches!(e, OpError::InvalidArgument(_)));
    assert_eq!(e.meta().status, 409);
}

#[test]
fn ids_come_from_the_body_when_headers_are_absent() {
    for &(code, status) in MODELED {
        let body = error_doc(code, "m", "BODYREQ", "BODYHOST");
        for headers in [
            vec![],
            vec![("x-amz-request-id", &b""[..]), ("x-amz-id-2", &b""[..])],
        ] {
            let e = expect_err(parse(status, &headers, body.clone()));
            assert_eq!(variant(&e), code);
            assert_eq!(
                e.meta(),
                &meta(
                    Some(code),
                    Some("m"),
                    Some("BODYREQ"),
                    Some("BODYHOST"),
                    status
                ),
                "headers {headers:?}"
            );
        }
        // Only one header present: the other id comes from the body.
        let e = expect_err(parse(status, &[("x-amz-id-2", b"HDRHOST")], body.clone()));
        assert_eq!(e.meta().request_id.as_deref(), Some("BODYREQ"));
        assert_eq!(e.meta().host_id.as_deref(), Some("HDRHOST"));
    }
}

#[test]
fn ids_come_from_headers_when_the_body_has_none() {
    let e = expect_err(parse(
        403,
        &id_headers(),
        "<Error><Code>AccessDenied</Code></Error>",
    ));
    assert_eq!(
        e.meta(),
        &meta(
            Some("AccessDenied"),
            None,
            Some(REQUEST_ID),
            Some(HOST_ID),
            403
        )
    );
}

#[test]
fn wrapped_error_response_form() {
    let body = "<ErrorResponse xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Error><Type>Sender</Type><Code>TooManyConfigurations</Code><Message>limit</Message></Error><RequestId>WRAPREQ</RequestId></ErrorResponse>";
    let e = expect_err(parse(400, &[], body));
    assert_eq!(
        e.meta(),
        &meta(
            Some("TooManyConfigurations"),
            Some("limit"),
            Some("WRAPREQ"),
            None,
            400
        )
    );
    assert!(matches!(e, OpError::TooManyConfigurations(_)));
}

#[test]
fn unknown_code_is_unhandled_with_all_fields() {
    let body = error_doc(
        "NoSuchBucket",
        "The specified bucket does not exist",
        "R9",
        "H9",
    );
    let u = expect_unhandled(parse(404, &[], body));
    assert_eq!(
        u.meta,
        meta(
            Some("NoSuchBucket"),
            Some("The specified bucket does not exist"),
            Some("R9"),
            Some("H9"),
            404
        )
    );
    assert!(u.source.is_none());
    // Codes are case-sensitive.
    let u = expect_unhandled(parse(403, &[], error_doc("accessdenied", "m", "r", "h")));
    assert_eq!(u.meta.code.as_deref(), Some("accessdenied"));
}

#[test]
fn empty_error_bodies_are_unhandled_without_code() {
    for status in [300, 301, 400, 403, 404, 409, 500, 502, 503] {
        for body in ["", "\n", "  \r\n"] {
            let u = expect_unhandled(parse(status, &id_headers(), body));
            assert_eq!(
                u.meta,
                meta(None, None, Some(REQUEST_ID), Some(HOST_ID), status),
                "{status} {body:?}"
            );
            assert!(u.source.is_none());
        }
        let u = expect_unhandled(parse(status, &[], ""));
        assert_eq!(u.meta, meta(None, None, None, None, status));
    }
}

#[test]
fn empty_elements_give_empty_strings() {
    let e = expect_err(parse(
        400,
        &[],
        "<Error><Code>InvalidArgument</Code><Message/><RequestId></RequestId></Error>",
    ));
    assert_eq!(
        e.meta(),
        &meta(Some("InvalidArgument"), Some(""), Some(""), None, 400)
    );
}

// ---------------------------------------------------------------------------
// XML variations that must still parse
// ---------------------------------------------------------------------------

#[test]
fn namespaces_prefixes_and_unknown_children() {
    let bodies = [
        // Default namespace, unknown children (with nested content), attributes.
        "<Error xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\" lang=\"en\"><Code>AccessDenied</Code><Resource>/bucket</Resource><Extra><Code>Nested</Code><Deep><Message>no</Message></Deep></Extra><Message>Access Denied</Message><RequestId>R</RequestId><HostId>H</HostId></Error>",
        // Prefixed names.
        "<s3:Error xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Code>AccessDenied</s3:Code><s3:Message>Access Denied</s3:Message><s3:RequestId>R</s3:RequestId><s3:HostId>H</s3:HostId></s3:Error>",
        // Declaration, comments, processing instruction, whitespace, CDATA,
        // entity and character references.
        "\n<?xml version=\"1.0\"?>\n<!-- c -->\n<Error>\n  <Code>Access<!-- split -->Denied</Code>\n  <Message><![CDATA[Access]]>&#x20;&#68;enied</Message>\n  <RequestId>R</RequestId>\n  <HostId>H</HostId>\n</Error>\n<!-- trailing -->\n",
    ];
    for body in bodies {
        let e = expect_err(parse(403, &[], body));
        assert!(matches!(e, OpError::AccessDenied(_)), "{body}: {e:?}");
        assert_eq!(
            e.meta(),
            &meta(
                Some("AccessDenied"),
                Some("Access Denied"),
                Some("R"),
                Some("H"),
                403
            ),
            "{body}"
        );
    }
}

#[test]
fn escaped_text_is_unescaped() {
    let body = "<Error><Code>InvalidArgument</Code><Message>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#xD;&#10;&#x1F600;</Message></Error>";
    let e = expect_err(parse(400, &[], body));
    assert_eq!(
        e.meta().message.as_deref(),
        Some("a & b <c> \"d\" 'e' \r\n😀")
    );
    // Literal line ends are normalized (XML 1.0 section 2.11).
    let body = "<Error><Code>InvalidArgument</Code><Message>a\r\nb\rc</Message></Error>";
    let e = expect_err(parse(400, &[], body));
    assert_eq!(e.meta().message.as_deref(), Some("a\nb\nc"));
}

// ---------------------------------------------------------------------------
// Unreadable bodies
// ---------------------------------------------------------------------------

fn billion_laughs() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        s.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    s.push_str("]>\n<Error><Code>&lol9;</Code></Error>");
    s
}

fn unreadable_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = 100_000;
    let mut nested = "<Error>".to_owned();
    nested.push_str(&"<a>".repeat(deep));
    nested.push_str(&"</a>".repeat(deep));
    nested.push_str("<Code>AccessDenied</Code></Error>");
    let mut big = "<Error><Code>AccessDenied</Code><Message>".to_owned();
    big.push_str(&"x".repeat(5 * 1024 * 1024));
    big.push_str("</Message></Error>");
    vec![
        ("not XML", b"this is not xml".to_vec()),
        ("HTML", b"<html><body><h1>502 Bad Gateway</h1><hr></body></html>".to_vec()),
        ("truncated after an element", b"<Error><Code>AccessDenied</Code>".to_vec()),
        ("truncated in text", b"<Error><Code>Access".to_vec()),
        ("truncated in a tag", b"<Error><Code>AccessDenied</Co".to_vec()),
        ("mismatched end tag", b"<Error><Code>AccessDenied</Message></Error>".to_vec()),
        ("two roots", b"<Error><Code>AccessDenied</Code></Error><Error/>".to_vec()),
        ("text after root", b"<Error><Code>AccessDenied</Code></Error>junk".to_vec()),
        ("unknown entity", b"<Error><Code>&bogus;</Code></Error>".to_vec()),
        ("NUL reference", b"<Error><Code>&#0;</Code></Error>".to_vec()),
        ("bad reference", b"<Error><Code>&#xZZ;</Code></Error>".to_vec()),
        ("bad attribute", b"<Error a=\"1><Code>X</Code></Error>".to_vec()),
        ("non-UTF-8 text", b"<Error><Code>Acc\xE9ss</Code></Error>".to_vec()),
        ("non-UTF-8 in unknown element", b"<Error><Code>AccessDenied</Code><Other>\xff\xfe</Other></Error>".to_vec()),
        ("non-UTF-8 name", b"<Error><C\xffde>x</C\xffde></Error>".to_vec()),
        ("UTF-16", "<Error><Code>AccessDenied</Code></Error>".encode_utf16().flat_map(u16::to_le_bytes).collect()),
        ("DOCTYPE entity bomb", billion_laughs().into_bytes()),
        ("external entity", b"<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Error><Code>&x;</Code></Error>".to_vec()),
        ("very deep nesting", nested.into_bytes()),
        ("oversized body", big.into_bytes()),
    ]
}

#[test]
fn unreadable_bodies_are_unhandled_with_source() {
    for status in [400, 403, 500] {
        for (name, body) in unreadable_bodies() {
            let result = std::panic::catch_unwind(|| parse(status, &id_headers(), body));
            let Ok(parsed) = result else {
                panic!("{name}: parse_response panicked");
            };
            let u = expect_unhandled(parsed);
            let source = u
                .source
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: no source: {u:?}"));
            assert!(!source.to_string().is_empty(), "{name}");
            assert_eq!(u.meta.status, status, "{name}");
            // What the headers said is kept.
            assert_eq!(u.meta.request_id.as_deref(), Some(REQUEST_ID), "{name}");
            assert_eq!(u.meta.host_id.as_deref(), Some(HOST_ID), "{name}");
            // The external entity is never resolved.
            assert!(!u.to_string().contains("root:x:"), "{name}: {u}");
        }
    }
}

#[test]
fn every_truncation_of_an_error_document_is_unreadable() {
    let doc = error_doc("AccessDenied", "Access Denied", "R", "H");
    for cut in 1..doc.len() {
        let body = &doc.as_bytes()[..cut];
        if body.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let u = expect_unhandled(parse(403, &[], body.to_vec()));
        assert!(
            u.source.is_some(),
            "cut at {cut} ({:?}) parsed as {u:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn moderate_nesting_inside_unknown_elements_is_fine() {
    let mut body = "<Error><Code>AccessDenied</Code><X>".to_owned();
    body.push_str(&"<a>".repeat(20));
    body.push_str(&"</a>".repeat(20));
    body.push_str("</X></Error>");
    let e = expect_err(parse(403, &[], body));
    assert!(matches!(e, OpError::AccessDenied(_)), "{e:?}");
}

// ---------------------------------------------------------------------------
// Display and source
// ---------------------------------------------------------------------------

#[test]
fn display_is_informative() {
    for &(code, status) in MODELED {
        let e = expect_err(parse(
            status,
            &id_headers(),
            error_doc(code, "the message", "r", "h"),
        ));
        let text = e.to_string();
        for part in [code, &status.to_string(), "the message", REQUEST_ID] {
            assert!(text.contains(part), "{text:?} lacks {part:?}");
        }
    }
    let u = expect_err(parse(503, &[], ""));
    assert!(u.to_string().contains("503"), "{u}");
    let u = expect_err(parse(
        418,
        &[],
        error_doc("Teapot", "short and stout", "r", "h"),
    ));
    let text = u.to_string();
    assert!(text.contains("Teapot") && text.contains("418"), "{text}");
    let u = expect_err(parse(500, &[], "<Error><Code>X</Co"));
    let text = u.to_string();
    assert!(text.contains("500"), "{text}");
    let OpError::Unhandled(inner) = &u else {
        panic!()
    };
    let reason = inner.source.as_ref().unwrap().to_string();
    assert!(
        text.contains("could not be read") && !text.contains(&reason),
        "{text:?} should say the body was unreadable and leave {reason:?} to source()"
    );
    let chained: Vec<String> = chain(&u).iter().map(|e| e.to_string()).collect();
    assert!(chained.contains(&reason), "{chained:?} lacks {reason:?}");
}

/// Every error in the `source()` chain, starting with `e` itself.
fn chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = vec![e];
    let mut current = e;
    while let Some(next) = current.source() {
        out.push(next);
        current = next;
        assert!(out.len() < 16, "source chain too long");
    }
    out
}

#[test]
fn error_source_chain() {
    // Modeled: the source is the modeled error type, with the same details.
    let e = expect_err(parse(
        403,
        &id_headers(),
        error_doc("AccessDenied", "m", "r", "h"),
    ));
    let source = e.source().expect("source");
    let denied = source
        .downcast_ref::<AccessDenied>()
        .expect("the source of AccessDenied is types::AccessDenied");
    assert_eq!(&denied.meta, e.meta());

    // Unreadable body: the XmlError is in the chain.
    let e = expect_err(parse(500, &[], "<Error><Code>X</Co"));
    let errors = chain(&e);
    let xml = errors
        .iter()
        .find_map(|e| e.downcast_ref::<XmlError>())
        .expect("an XmlError in the source chain");
    assert!(!xml.message().is_empty());
    assert!(
        errors
            .iter()
            .any(|e| e.downcast_ref::<Unhandled>().is_some())
    );

    // Unknown code, readable body: nothing below Unhandled.
    let e = expect_err(parse(404, &[], error_doc("NoSuchBucket", "m", "r", "h")));
    let errors = chain(&e);
    assert!(
        errors
            .iter()
            .all(|e| e.downcast_ref::<XmlError>().is_none())
    );
    let unhandled = e.source().unwrap().downcast_ref::<Unhandled>().unwrap();
    assert!(unhandled.source().is_none());
}

#[test]
fn xml_error_path_names_the_element() {
    let u = expect_unhandled(parse(400, &[], "<Error><Code>&bogus;</Code></Error>"));
    let source = u.source.unwrap();
    let ResponseError::Xml(xml) = &source else {
        panic!("an XML error, not {source:?}");
    };
    assert_eq!(xml.path(), Some("Error/Code"), "{source}");
    assert!(source.to_string().contains("Error/Code"));
}

// ---------------------------------------------------------------------------
// No panic on arbitrary input
// ---------------------------------------------------------------------------

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "<Error>",
    "</Error>",
    "<Code>",
    "</Code>",
    "<Message>",
    "</Message>",
    "<RequestId>",
    "</RequestId>",
    "<HostId>",
    "<ErrorResponse>",
    "&",
    "&amp;",
    "&#x",
    "&#",
    ";",
    "&lt",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<?",
    "?>",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "<!ENTITY",
    "\"",
    "'",
    "=",
    "xmlns=\"u\"",
    "s3:",
    ":",
    "\u{FEFF}",
    "\r\n",
    "\0",
    "\u{FFFD}",
    "AccessDenied",
    "InvalidArgument",
    "TooManyConfigurations",
];

fn mutate(rng: &mut Lcg, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let pos = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(pos..pos, t.iter().copied());
            }
            2 => {
                let end = (pos + rng.below(8)).min(out.len());
                out.drain(pos..end);
            }
            3 => out.truncate(pos),
            4 => {
                let end = (pos + rng.below(16)).min(out.len());
                let copy = out[pos..end].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, copy);
            }
            5 => {
                let n = rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(pos..pos, bytes);
            }
            _ => {
                let n = 1 + rng.below(200);
                let open = TOKENS[4 + rng.below(6)].repeat(n);
                out.splice(pos..pos, open.bytes());
            }
        }
    }
    out
}

#[test]
fn no_panic_on_generated_and_mutated_input() {
    let seeds: Vec<Vec<u8>> = vec![
        error_doc("AccessDenied", "Access Denied", "R", "H").into_bytes(),
        error_doc("TooManyConfigurations", "a &amp; b", "R", "H").into_bytes(),
        b"<ErrorResponse><Error><Code>InvalidArgument</Code></Error><RequestId>R</RequestId></ErrorResponse>".to_vec(),
        b"<s3:Error xmlns:s3=\"u\"><s3:Code>X</s3:Code></s3:Error>".to_vec(),
        billion_laughs().into_bytes(),
        Vec::new(),
    ];
    let statuses = [200, 204, 206, 301, 304, 400, 403, 404, 409, 500, 503];
    let mut rng = Lcg(0x5EED_0004);
    for i in 0..6000 {
        let body = if i % 10 == 0 {
            let n = rng.below(64);
            (0..n).map(|_| rng.next() as u8).collect()
        } else {
            let seed = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, seed)
        };
        let status = if i % 3 == 0 {
            100 + rng.below(500) as u16
        } else {
            statuses[rng.below(statuses.len())]
        };
        let with_headers = i % 2 == 0;
        let headers = if with_headers { id_headers() } else { vec![] };
        let result = std::panic::catch_unwind(|| parse(status, &headers, body.clone()));
        let Ok(parsed) = result else {
            panic!(
                "panic for status {status}, body {:?}",
                String::from_utf8_lossy(&body)
            );
        };
        let ctx = || format!("status {status}, body {:?}", String::from_utf8_lossy(&body));
        let success = (200..300).contains(&status);
        match parsed {
            Ok(_) => assert!(success, "Ok for a non-2xx status: {}", ctx()),
            Err(e) => {
                let m = e.meta();
                assert_eq!(m.status, status, "{}", ctx());
                if with_headers {
                    assert_eq!(m.request_id.as_deref(), Some(REQUEST_ID), "{}", ctx());
                    assert_eq!(m.host_id.as_deref(), Some(HOST_ID), "{}", ctx());
                }
                match &e {
                    OpError::Unhandled(u) if u.source.is_none() => {
                        let modeled = MODELED.iter().any(|(c, _)| m.code.as_deref() == Some(c));
                        assert!(!modeled, "modeled code left Unhandled: {}", ctx());
                    }
                    OpError::Unhandled(_) => {}
                    other => assert_eq!(m.code.as_deref(), Some(variant(other)), "{}", ctx()),
                }
                assert!(e.to_string().contains(&status.to_string()), "{}", ctx());
                if !success {
                    let again = OpError::from_response(
                        status,
                        response(status, &headers, ()).headers(),
                        &body,
                    );
                    assert_eq!(again, e, "{}", ctx());
                }
            }
        }
    }
}
