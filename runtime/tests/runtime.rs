//! Tests of `s3_runtime::xml` (writing, escaping, error documents),
//! `s3_runtime::uri` (percent-encoding) and `s3_runtime::error`.

use s3_runtime::error;
use s3_runtime::uri;
use s3_runtime::xml;

use error::{BuildError, DecodeError, ErrorMetadata, XmlError};
use quick_xml::Reader;
use quick_xml::events::Event;
use s3_runtime::operation::Profile;
use xml::{
    DEFAULT_LIMITS, ErrorDocument, Limits, escape_into, is_error_document, read_error_document,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A small deterministic pseudo-random generator (a 64-bit LCG).
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
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, text);
    out
}

/// Resolves a reference the way a conforming parser does.
fn resolve_reference(name: &str) -> char {
    match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => quick_xml::events::BytesRef::new(name.to_owned())
            .resolve_char_ref()
            .unwrap()
            .unwrap(),
    }
}

/// Parses `<a>...</a>` with quick-xml and returns the text of `a`, with the
/// line-end normalization of XML 1.1 (the strictest: it also rewrites U+0085
/// and U+2028) applied to literal text.
fn parse_element_text(document: &str) -> String {
    let mut reader = Reader::from_str(document);
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Text(t) => text.push_str(&t.xml11_content().unwrap()),
            Event::GeneralRef(r) => text.push(resolve_reference(&r.decode().unwrap())),
            Event::Eof => return text,
            _ => {}
        }
    }
}

/// Parses `<a x="..."/>` with quick-xml and returns the value of `x` after
/// XML 1.1 line-end normalization and attribute-value normalization, as a
/// conforming parser would report it.
fn parse_attribute_value(document: &str) -> String {
    let mut reader = Reader::from_str(document);
    loop {
        if let Event::Empty(element) = reader.read_event().unwrap() {
            let attribute = element.try_get_attribute("x").unwrap().unwrap();
            let raw = std::str::from_utf8(&attribute.value).unwrap();
            let normalized: String = raw
                .replace("\r\n", "\n")
                .replace("\r\u{85}", "\n")
                .replace(['\r', '\u{85}', '\u{2028}'], "\n")
                .replace(['\n', '\t'], " ");
            return quick_xml::escape::unescape(&normalized)
                .unwrap()
                .into_owned();
        }
    }
}

fn assert_escape_round_trips(text: &str) {
    let escaped = escape(text);
    for raw in ['\r', '\n', '\t', '\u{85}', '\u{2028}', '<', '"', '\''] {
        assert!(!escaped.contains(raw), "{raw:?} left raw in {escaped:?}");
    }
    let element = format!("<a>{escaped}</a>");
    assert_eq!(
        parse_element_text(&element),
        text,
        "element text {element:?}"
    );
    let attribute = format!("<a x=\"{escaped}\"/>");
    assert_eq!(
        parse_attribute_value(&attribute),
        text,
        "attribute {attribute:?}"
    );
    let attribute = format!("<a x='{escaped}'/>");
    assert_eq!(
        parse_attribute_value(&attribute),
        text,
        "attribute {attribute:?}"
    );
    // The error-document reader gives back exactly the same text.
    let document = format!("<Error><Message>{escaped}</Message></Error>");
    let read = read_error_document(document.as_bytes(), &DEFAULT_LIMITS).unwrap();
    assert_eq!(
        read.message.as_deref(),
        Some(text),
        "error document {document:?}"
    );
}

const SPECIAL_STRINGS: &[&str] = &[
    "",
    "plain",
    " leading and trailing ",
    "  ",
    "&<>\"'",
    "&amp; is already escaped &#x41;",
    "]]> and <![CDATA[x]]>",
    "line\nfeed",
    "carriage\rreturn",
    "crlf\r\nend",
    "\r\n\r\n",
    "\n\r",
    "tab\there",
    "\t \t",
    "next\u{85}line",
    "\r\u{85}",
    "line\u{2028}separator",
    "paragraph\u{2029}separator",
    "non-BMP 😀 𝄞 \u{10FFFF}",
    "é ü ß 日本語",
    "mixed \r\n\t<&>'\"\u{85}\u{2028} 😀 ",
    "key/with/slashes?and=query&more#frag%",
];

// ---------------------------------------------------------------------------
// XML escaping
// ---------------------------------------------------------------------------

#[test]
fn escape_table() {
    assert_eq!(escape("a&b"), "a&amp;b");
    assert_eq!(escape("<>"), "&lt;&gt;");
    assert_eq!(escape("\"'"), "&quot;&apos;");
    assert_eq!(escape("\r\n"), "&#xD;&#xA;");
    assert_eq!(escape("\t"), "&#x9;");
    assert_eq!(escape("\u{85}\u{2028}"), "&#x85;&#x2028;");
    assert_eq!(escape("é😀"), "é😀");
    assert_eq!(escape("no special characters"), "no special characters");
}

#[test]
fn escape_appends() {
    let mut out = String::from("<a>");
    escape_into(&mut out, "x&y");
    escape_into(&mut out, "");
    escape_into(&mut out, "z");
    assert_eq!(out, "<a>x&amp;yz");
}

#[test]
fn escape_round_trips_special_strings() {
    for text in SPECIAL_STRINGS {
        assert_escape_round_trips(text);
    }
}

#[test]
fn escape_round_trips_random_strings() {
    let alphabet = [
        'a', 'Z', '0', ' ', '&', '<', '>', '"', '\'', '\r', '\n', '\t', '\u{85}', '\u{2028}',
        '\u{2029}', ';', '#', 'x', 'é', '😀', ']', '=',
    ];
    let mut rng = Lcg(7);
    for _ in 0..2000 {
        let len = rng.below(12);
        let text: String = (0..len).map(|_| rng.pick(&alphabet)).collect();
        assert_escape_round_trips(&text);
    }
}

// ---------------------------------------------------------------------------
// Percent-encoding
// ---------------------------------------------------------------------------

#[test]
fn percent_encoding_table() {
    let cases = [
        ("", ""),
        ("AZaz09-._~", "AZaz09-._~"),
        (" ", "%20"),
        ("+", "%2B"),
        ("/", "%2F"),
        ("?", "%3F"),
        ("#", "%23"),
        ("%", "%25"),
        ("&", "%26"),
        ("=", "%3D"),
        ("*", "%2A"),
        (":", "%3A"),
        ("@", "%40"),
        ("!$'(),;", "%21%24%27%28%29%2C%3B"),
        ("é", "%C3%A9"),
        ("😀", "%F0%9F%98%80"),
        ("\0\n\u{7F}", "%00%0A%7F"),
        ("my key.txt", "my%20key.txt"),
    ];
    for (input, expected) in cases {
        assert_eq!(uri::encode(input, false), expected, "{input:?}");
    }
    assert_eq!(uri::encode("a/b c/d", false), "a%2Fb%20c%2Fd");
    assert_eq!(uri::encode("a/b c/d", true), "a/b%20c/d");
    assert_eq!(uri::encode("//", true), "//");
    let mut out = String::from("/bucket/");
    uri::encode_into(&mut out, "dir/é.txt", true);
    assert_eq!(out, "/bucket/dir/%C3%A9.txt");
}

#[test]
fn percent_encoding_round_trips() {
    let mut inputs: Vec<String> = SPECIAL_STRINGS.iter().map(|s| s.to_string()).collect();
    inputs.push((0u8..=127).map(char::from).collect());
    let alphabet = [
        'a',
        '/',
        '%',
        '+',
        ' ',
        '~',
        'é',
        '😀',
        '\u{10FFFF}',
        '\0',
        '?',
        '&',
    ];
    let mut rng = Lcg(11);
    for _ in 0..2000 {
        let len = rng.below(16);
        inputs.push((0..len).map(|_| rng.pick(&alphabet)).collect());
    }
    for input in &inputs {
        for keep_slash in [false, true] {
            let encoded = uri::encode(input, keep_slash);
            assert!(
                encoded.bytes().all(|b| b.is_ascii_alphanumeric()
                    || b"-._~%".contains(&b)
                    || (keep_slash && b == b'/')),
                "{encoded:?}"
            );
            assert_eq!(uri::decode(&encoded).as_deref(), Ok(input.as_str()));
        }
    }
}

#[test]
fn percent_decoding() {
    assert_eq!(uri::decode("%c3%a9").as_deref(), Ok("é"));
    assert_eq!(uri::decode("a+b").as_deref(), Ok("a+b"));
    assert_eq!(uri::decode("caf%C3%A9/x").as_deref(), Ok("café/x"));
    assert_eq!(
        uri::decode("%"),
        Err(DecodeError::InvalidEscape { offset: 0 })
    );
    assert_eq!(
        uri::decode("ab%4"),
        Err(DecodeError::InvalidEscape { offset: 2 })
    );
    assert_eq!(
        uri::decode("%G0"),
        Err(DecodeError::InvalidEscape { offset: 0 })
    );
    assert_eq!(
        uri::decode("%0G"),
        Err(DecodeError::InvalidEscape { offset: 0 })
    );
    assert_eq!(
        uri::decode("%20%+1"),
        Err(DecodeError::InvalidEscape { offset: 3 })
    );
    assert_eq!(uri::decode("%C3"), Err(DecodeError::InvalidUtf8));
    assert_eq!(uri::decode("%FF"), Err(DecodeError::InvalidUtf8));
    assert_eq!(uri::decode("%ED%A0%80"), Err(DecodeError::InvalidUtf8));
    let message = DecodeError::InvalidEscape { offset: 3 }.to_string();
    assert!(message.contains("byte 3"), "{message}");
}

// ---------------------------------------------------------------------------
// Error documents
// ---------------------------------------------------------------------------

fn read(body: &str) -> Result<ErrorDocument, XmlError> {
    read_error_document(body.as_bytes(), &DEFAULT_LIMITS)
}

fn doc(code: &str, message: &str, request_id: &str, host_id: &str) -> ErrorDocument {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    ErrorDocument {
        code: some(code),
        message: some(message),
        request_id: some(request_id),
        host_id: some(host_id),
    }
}

const BARE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
  <HostId>host/id+==</HostId>
</Error>"#;

#[test]
fn reads_bare_error() {
    assert_eq!(
        read(BARE).unwrap(),
        doc(
            "NoSuchKey",
            "The resource you requested does not exist",
            "4442587FB7D0A2F9",
            "host/id+=="
        )
    );
    assert!(is_error_document(BARE.as_bytes()));
}

#[test]
fn reads_wrapped_error() {
    let body = "<ErrorResponse>\n  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidArgument</Code>\n    <Message>Bad</Message>\n  </Error>\n  <RequestId>req-1</RequestId>\n</ErrorResponse>\n";
    assert_eq!(
        read(body).unwrap(),
        doc("InvalidArgument", "Bad", "req-1", "")
    );
    assert!(!is_error_document(body.as_bytes()));
    // A request id inside the inner Error is also found.
    let body = "<ErrorResponse><Error><Code>C</Code><RequestId>in</RequestId><HostId>h</HostId></Error></ErrorResponse>";
    assert_eq!(read(body).unwrap(), doc("C", "", "in", "h"));
    // A Code directly under the wrapper is not the error code.
    let body = "<ErrorResponse><Code>wrong</Code><Error><Code>right</Code></Error></ErrorResponse>";
    assert_eq!(read(body).unwrap(), doc("right", "", "", ""));
}

#[test]
fn reads_namespaced_and_prefixed_errors() {
    let body = r#"<Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"#;
    assert_eq!(
        read(body).unwrap(),
        doc("AccessDenied", "Access Denied", "", "")
    );
    assert!(is_error_document(body.as_bytes()));
    let body = r#"<s3:Error xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Code>AccessDenied</s3:Code><s3:RequestId>r</s3:RequestId></s3:Error>"#;
    assert_eq!(read(body).unwrap(), doc("AccessDenied", "", "r", ""));
    assert!(is_error_document(body.as_bytes()));
}

#[test]
fn skips_unknown_children_at_any_depth() {
    let body = "<Error><Code>Outer</Code><Details><Code>Inner</Code><Deep><Message>inner</Message><Error><Code>x</Code></Error></Deep></Details><Message>Real</Message><Extra/><Other a=\"1\">t</Other></Error>";
    assert_eq!(read(body).unwrap(), doc("Outer", "Real", "", ""));
    // Markup inside a field's element is skipped, its text kept.
    let body = "<Error><Message>a<b>ignored</b>c<br/>d</Message></Error>";
    assert_eq!(read(body).unwrap(), doc("", "acd", "", ""));
}

#[test]
fn decodes_references_and_cdata() {
    let body = "<Error><Message>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#xD;&#xA;&#x9;&#x1F600;</Message><Code><![CDATA[<raw & text>]]></Code></Error>";
    assert_eq!(
        read(body).unwrap(),
        doc("<raw & text>", "a <b> & \"c\" 'd' AB\r\n\t😀", "", "")
    );
    // Literal line ends are normalized as XML 1.0 requires; references are not.
    let body = "<Error><Message>a\r\nb\rc&#xD;\nd</Message></Error>";
    assert_eq!(read(body).unwrap().message.as_deref(), Some("a\nb\nc\r\nd"));
    // Whitespace in values is kept as it is.
    let body = "<Error><Code>  spaced  </Code></Error>";
    assert_eq!(read(body).unwrap().code.as_deref(), Some("  spaced  "));
}

#[test]
fn empty_and_missing_elements() {
    assert_eq!(read("<Error/>").unwrap(), ErrorDocument::default());
    assert_eq!(read("<Error></Error>").unwrap(), ErrorDocument::default());
    let document = read("<Error><Code/><Message></Message></Error>").unwrap();
    assert_eq!(document.code.as_deref(), Some(""));
    assert_eq!(document.message.as_deref(), Some(""));
    assert_eq!(document.request_id, None);
    assert_eq!(document.host_id, None);
}

#[test]
fn accepts_prolog_and_trailing_misc() {
    let body = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- comment --><?pi data?>\n  <Error><Code>C</Code></Error>\n<!-- after -->\n";
    assert_eq!(read(body).unwrap(), doc("C", "", "", ""));
    assert!(is_error_document(body.as_bytes()));
}

fn assert_error(body: &[u8], needle: &str) -> XmlError {
    let error =
        read_error_document(body, &DEFAULT_LIMITS).expect_err(&String::from_utf8_lossy(body));
    let text = error.to_string();
    assert!(
        text.contains(needle),
        "{:?}: error {text:?} does not mention {needle:?}",
        String::from_utf8_lossy(body)
    );
    error
}

#[test]
fn rejects_malformed_documents() {
    assert_error(b"", "no root element");
    assert_error(b"  \n", "no root element");
    assert_error(b"<!-- only a comment -->", "no root element");
    assert_error(b"not xml", "outside the root element");
    assert_error(b"<Error/>junk", "outside the root element");
    assert_error(b"<Error/>&amp;", "outside the root element");
    assert_error(b"<Error/><![CDATA[x]]>", "outside the root element");
    assert_error(b"<Error/><Error/>", "more than one root element");
    assert_error(b"<Error><Code>x</Message></Error>", "");
    assert_error(b"<Error></Code></Error>", "");
    assert_error(b"<Error><Code>a & b</Code></Error>", "");
    assert_error(b"<Error attr=></Error>", "");
    assert_error(b"<<Error/>", "");
    let error = assert_error(b"<Error><Code>&unknown;</Code></Error>", "&unknown;");
    assert_eq!(error.path(), Some("Error/Code"));
    assert_error(b"<Error><Code>&#0;</Code></Error>", "&#0;");
    assert_error(b"<Error><Code>&#xD800;</Code></Error>", "&#xD800;");
    assert_error(b"<Error><Code>&#x+41;</Code></Error>", "&#x+41;");
    assert_error(b"<Error><Code>&#;</Code></Error>", "&#;");
}

#[test]
fn rejects_truncated_documents() {
    let body = BARE.as_bytes();
    for len in 0..body.len() {
        let prefix = &body[..len];
        assert!(
            read_error_document(prefix, &DEFAULT_LIMITS).is_err(),
            "prefix {:?} was accepted",
            String::from_utf8_lossy(prefix)
        );
    }
    let error = assert_error(b"<Error><Code>abc", "ends before");
    assert_eq!(error.path(), Some("Error/Code"));
    assert_eq!(
        error.message(),
        "the document ends before this element is closed"
    );
}

#[test]
fn rejects_doctype() {
    assert_error(b"<!DOCTYPE Error><Error/>", "DOCTYPE");
    let body = b"<?xml version=\"1.0\"?><!DOCTYPE Error [<!ENTITY x \"boom\">]><Error><Code>&x;</Code></Error>";
    assert_error(body, "DOCTYPE");
    assert!(!is_error_document(body));
    // An entity without a DTD is unknown, not expanded.
    assert_error(b"<Error><Code>&x;</Code></Error>", "&x;");
}

fn nested(depth: usize) -> String {
    let mut body = String::new();
    for _ in 0..depth {
        body.push_str("<a>");
    }
    for _ in 0..depth {
        body.push_str("</a>");
    }
    format!("<Error>{body}</Error>")
}

#[test]
fn limits_depth() {
    assert_eq!(DEFAULT_LIMITS.max_depth, 64);
    // The root plus 63 nested elements is 64 deep: allowed.
    assert!(read(&nested(63)).is_ok());
    let error = read(&nested(64)).unwrap_err();
    assert!(
        error.message().contains("nested more than 64 deep"),
        "{error}"
    );
    let path = error.path().unwrap();
    assert!(path.starts_with("Error/a/a/"), "{path}");
    assert_eq!(path.split('/').count(), 64);
    // A very deep document is rejected without trouble.
    let deep = "<a>".repeat(200_000);
    assert!(read(&deep).is_err());
    let limits = Limits {
        max_depth: 2,
        max_body_bytes: 1000,
    };
    assert!(read_error_document(b"<Error><Code>x</Code></Error>", &limits).is_ok());
    assert!(read_error_document(b"<Error><Code><b/></Code></Error>", &limits).is_err());
}

#[test]
fn limits_size() {
    assert_eq!(DEFAULT_LIMITS.max_body_bytes, 1024 * 1024);
    let body = b"<Error><Code>C</Code></Error>";
    let exact = Limits {
        max_depth: 64,
        max_body_bytes: body.len(),
    };
    assert!(read_error_document(body, &exact).is_ok());
    let smaller = Limits {
        max_body_bytes: body.len() - 1,
        ..exact
    };
    let error = read_error_document(body, &smaller).unwrap_err();
    assert!(error.message().contains("more than the limit"), "{error}");
    assert_eq!(error.path(), None);
    let mut big = b"<Error><Message>".to_vec();
    big.resize(DEFAULT_LIMITS.max_body_bytes + 1, b'x');
    assert!(read_error_document(&big, &DEFAULT_LIMITS).is_err());
}

#[test]
fn rejects_non_utf8() {
    assert!(read_error_document(b"<Error><Code>\xFF</Code></Error>", &DEFAULT_LIMITS).is_err());
    assert!(read_error_document(b"<Error><X\xC3>t</X\xC3></Error>", &DEFAULT_LIMITS).is_err());
    assert!(read_error_document(b"<Error><![CDATA[\xFE]]></Error>", &DEFAULT_LIMITS).is_err());
    // UTF-16 is not supported.
    let utf16: Vec<u8> = "\u{FEFF}<Error/>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(read_error_document(&utf16, &DEFAULT_LIMITS).is_err());
    assert!(!is_error_document(&utf16));
}

#[test]
fn detects_error_documents() {
    let yes: &[&[u8]] = &[
        b"<Error/>",
        b"<Error>",
        b"<Error><Code>truncated",
        b"\xEF\xBB\xBF<Error/>",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Error><Code>C</Code></Error>",
        b" \t\r\n<!-- c --><?pi?><Error a='1'/>",
        b"<s3:Error xmlns:s3='x'/>",
    ];
    for body in yes {
        assert!(
            is_error_document(body),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    let no: &[&[u8]] = &[
        b"",
        b"   ",
        b"<ErrorResponse><Error/></ErrorResponse>",
        b"<Errors/>",
        b"<error/>",
        b"<ListBucketResult><Error/></ListBucketResult>",
        b"text<Error/>",
        b"<!DOCTYPE Error><Error/>",
        b"<Err",
        b"<Error",
        b"\xFF\xFE",
        b"<!-- unterminated",
    ];
    for body in no {
        assert!(
            !is_error_document(body),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}

// ---------------------------------------------------------------------------
// ErrorMetadata and the other error types
// ---------------------------------------------------------------------------

fn headers(pairs: &[(&'static str, &[u8])]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, http::HeaderValue::from_bytes(value).unwrap());
    }
    map
}

#[test]
fn from_response_prefers_headers() {
    let headers = headers(&[
        ("x-amz-request-id", b"hdr-req"),
        ("x-amz-id-2", b"hdr-host"),
    ]);
    let (metadata, error) =
        ErrorMetadata::from_response(&Profile::S3, 404, &headers, BARE.as_bytes());
    assert_eq!(error, None);
    assert_eq!(
        metadata,
        ErrorMetadata {
            code: Some("NoSuchKey".into()),
            message: Some("The resource you requested does not exist".into()),
            request_id: Some("hdr-req".into()),
            host_id: Some("hdr-host".into()),
            status: 404,
        }
    );
}

#[test]
fn from_response_falls_back_to_body() {
    let (metadata, error) =
        ErrorMetadata::from_response(&Profile::S3, 404, &headers(&[]), BARE.as_bytes());
    assert_eq!(error, None);
    assert_eq!(metadata.request_id.as_deref(), Some("4442587FB7D0A2F9"));
    assert_eq!(metadata.host_id.as_deref(), Some("host/id+=="));
    // Only one header present: the other value comes from the body.
    let (metadata, _) = ErrorMetadata::from_response(
        &Profile::S3,
        404,
        &headers(&[("x-amz-id-2", b"h")]),
        BARE.as_bytes(),
    );
    assert_eq!(metadata.request_id.as_deref(), Some("4442587FB7D0A2F9"));
    assert_eq!(metadata.host_id.as_deref(), Some("h"));
    // Empty or non-text header values are ignored.
    let odd = headers(&[("x-amz-request-id", b""), ("x-amz-id-2", b"\xE9t\xE9")]);
    let (metadata, _) = ErrorMetadata::from_response(&Profile::S3, 404, &odd, BARE.as_bytes());
    assert_eq!(metadata.request_id.as_deref(), Some("4442587FB7D0A2F9"));
    assert_eq!(metadata.host_id.as_deref(), Some("host/id+=="));
    // The wrapped form works too.
    let body =
        b"<ErrorResponse><Error><Code>C</Code></Error><RequestId>r</RequestId></ErrorResponse>";
    let (metadata, error) = ErrorMetadata::from_response(&Profile::S3, 400, &headers(&[]), body);
    assert_eq!(error, None);
    assert_eq!(metadata.code.as_deref(), Some("C"));
    assert_eq!(metadata.request_id.as_deref(), Some("r"));
}

#[test]
fn from_response_with_empty_or_bad_body() {
    let headers = headers(&[("x-amz-request-id", b"req"), ("x-amz-id-2", b"host")]);
    for body in [&b""[..], b"\n  "] {
        let (metadata, error) = ErrorMetadata::from_response(&Profile::S3, 403, &headers, body);
        assert_eq!(error, None);
        assert_eq!(
            metadata,
            ErrorMetadata {
                code: None,
                message: None,
                request_id: Some("req".into()),
                host_id: Some("host".into()),
                status: 403,
            }
        );
    }
    for body in [&b"<html>Bad Gateway"[..], b"<Error><Code>X</Code>", b"\xFF"] {
        let (metadata, error) = ErrorMetadata::from_response(&Profile::S3, 502, &headers, body);
        assert!(error.is_some());
        assert_eq!(metadata.code, None);
        assert_eq!(metadata.request_id.as_deref(), Some("req"));
        assert_eq!(metadata.host_id.as_deref(), Some("host"));
        assert_eq!(metadata.status, 502);
    }
}

#[test]
fn error_metadata_display() {
    let full = ErrorMetadata {
        code: Some("AccessDenied".into()),
        message: Some("Access Denied".into()),
        request_id: Some("X".into()),
        host_id: Some("Y".into()),
        status: 403,
    };
    assert_eq!(
        full.to_string(),
        "AccessDenied (HTTP 403): Access Denied [request id X, host id Y]"
    );
    let partial = ErrorMetadata {
        message: None,
        host_id: None,
        ..full.clone()
    };
    assert_eq!(
        partial.to_string(),
        "AccessDenied (HTTP 403) [request id X]"
    );
    let host_only = ErrorMetadata {
        host_id: Some("Y".into()),
        status: 500,
        ..ErrorMetadata::default()
    };
    assert_eq!(host_only.to_string(), "HTTP 500 error [host id Y]");
    let bare = ErrorMetadata {
        status: 404,
        ..ErrorMetadata::default()
    };
    assert_eq!(bare.to_string(), "HTTP 404 error");
    let _: &dyn std::error::Error = &full;
}

#[test]
fn xml_error_accessors() {
    let error = XmlError::at("bad value", "Error/Code");
    assert_eq!(error.message(), "bad value");
    assert_eq!(error.path(), Some("Error/Code"));
    assert_eq!(error.to_string(), "invalid XML at Error/Code: bad value");
    let error = XmlError::new("no root");
    assert_eq!(error.path(), None);
    assert_eq!(error.to_string(), "invalid XML: no root");
    let _: &dyn std::error::Error = &error;
}

#[test]
fn build_error_display() {
    let cases = [
        (BuildError::EmptyLabel { member: "Bucket" }, "`Bucket`"),
        (
            BuildError::UnknownUnionVariant {
                shape: "SelectObjectContentEventStream",
                name: "Surprise".into(),
            },
            "`Surprise`",
        ),
        (
            BuildError::InvalidHeaderValue {
                header: "x-amz-meta-a",
            },
            "`x-amz-meta-a`",
        ),
    ];
    for (error, needle) in cases {
        let text = error.to_string();
        assert!(text.contains(needle), "{text}");
        let _: &dyn std::error::Error = &error;
    }
    let text = BuildError::UnknownUnionVariant {
        shape: "Shape",
        name: "N".into(),
    }
    .to_string();
    assert!(text.contains("`Shape`"), "{text}");
}

// ---------------------------------------------------------------------------
// Robustness: random and mutated input never panics
// ---------------------------------------------------------------------------

const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/",
    b"</",
    b"/>",
    b"Error",
    b"ErrorResponse",
    b"Code",
    b"Message",
    b"RequestId",
    b"HostId",
    b"s3:",
    b" xmlns='x'",
    b"&",
    b";",
    b"&amp;",
    b"&#x",
    b"&#",
    b"1F600",
    b"D800",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"<?",
    b"?>",
    b"<?xml version=\"1.0\"?>",
    b"<!DOCTYPE",
    b"\"",
    b"'",
    b"=",
    b" ",
    b"\r\n",
    b"\xFF",
    b"\xC3",
    b"\xEF\xBB\xBF",
    b"\0",
    b"text",
];

fn check_no_panic(body: &[u8]) {
    let _ = is_error_document(body);
    let _ = read_error_document(body, &DEFAULT_LIMITS);
    let small = Limits {
        max_depth: 3,
        max_body_bytes: 64,
    };
    let _ = read_error_document(body, &small);
    let _ = ErrorMetadata::from_response(&Profile::S3, 500, &http::HeaderMap::new(), body);
}

#[test]
fn random_input_never_panics() {
    let mut rng = Lcg(0x5EED);
    for _ in 0..5000 {
        let mut body = Vec::new();
        for _ in 0..rng.below(40) {
            body.extend_from_slice(rng.pick(TOKENS));
        }
        check_no_panic(&body);
        let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        check_no_panic(&bytes);
    }
}

#[test]
fn mutated_documents_never_panic() {
    let seeds: Vec<Vec<u8>> = vec![
        BARE.as_bytes().to_vec(),
        b"<ErrorResponse><Error><Code>C</Code><Message>a &amp; &#x41;</Message></Error><RequestId>r</RequestId></ErrorResponse>".to_vec(),
        b"<s3:Error xmlns:s3='x'><s3:Code><![CDATA[x]]></s3:Code><!-- c --><?pi?></s3:Error>".to_vec(),
        nested(70).into_bytes(),
    ];
    let mut rng = Lcg(42);
    for _ in 0..10_000 {
        let mut body = seeds[rng.below(seeds.len())].clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(body.len() + 1);
            match rng.below(5) {
                0 => body.truncate(at),
                1 => body.insert(at, rng.next() as u8),
                2 => {
                    if at < body.len() {
                        body.remove(at);
                    }
                }
                3 => {
                    if at < body.len() {
                        body[at] = rng.pick(b"<>/&;#!?[]-'\"= xE\xFF");
                    }
                }
                _ => {
                    let token = rng.pick(TOKENS);
                    body.splice(at..at, token.iter().copied());
                }
            }
        }
        check_no_panic(&body);
    }
}
