//! Request building of the generated `s3-api` crate.
//!
//! - The golden requests in `../shared/wire` (captured from the real AWS
//!   clients) are reproduced from their JSON inputs.
//! - String values survive the XML body exactly (XML 1.0 / 1.1 escaping and
//!   line-end normalisation), and the body follows the model: namespace on the
//!   root, members in model order, flattened lists, one member per union.
//! - Path labels and query values are percent-encoded as RFC 3986 requires.
//! - Header values follow RFC 9110; bad input gives a `BuildError`, never a panic.
//!
//! The wire examples are read from `$S3_WIRE_DIR`, or else from
//! `<workspace>/../shared/wire`; when absent, those tests print one line and pass.

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use s3_api::Input;
use s3_api::Operation;
use s3_api::error::BuildError;
use s3_api::operation::put_bucket_analytics_configuration::{
    PutBucketAnalyticsConfiguration, PutBucketAnalyticsConfigurationRequest,
};
use s3_api::types::{
    AnalyticsAndOperator, AnalyticsConfiguration, AnalyticsExportDestination, AnalyticsFilter,
    AnalyticsS3BucketDestination, AnalyticsS3ExportFileFormat, StorageClassAnalysis,
    StorageClassAnalysisDataExport, StorageClassAnalysisSchemaVersion, Tag,
};
use serde_json::Value;

type Request = http::Request<Vec<u8>>;

// ---------------------------------------------------------------------------
// Wire examples
// ---------------------------------------------------------------------------

fn wire_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("S3_WIRE_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/wire"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("wire: no wire examples at {}; skipped", dir.display());
        None
    }
}

/// `put-bucket-analytics-configuration` -> `PutBucketAnalyticsConfiguration`.
fn upper_camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Deserializes `json` as the input of `$op` and builds its request.
macro_rules! build_as {
    ($op:ty, $name:expr, $json:expr) => {{
        assert_eq!(<$op as Operation>::NAME, $name, "Operation::NAME");
        let input: <$op as Operation>::Input = serde_json::from_slice($json)
            .map_err(|e| format!("JSON does not deserialize as {}: {e}", $name))?;
        <$op as Operation>::build_request(&input).map_err(|e| format!("build_request: {e}"))
    }};
}

/// Builds the request of the operation named `operation` from its JSON input.
fn build_from_json(operation: &str, json: &[u8]) -> Result<Request, String> {
    match operation {
        "PutBucketAnalyticsConfiguration" => {
            build_as!(PutBucketAnalyticsConfiguration, operation, json)
        }
        other => Err(format!(
            "s3-api has no operation {other}; add it to build_from_json in tests/wire.rs"
        )),
    }
}

/// The request as in the `.expected.http` files: request line, lower-case
/// headers sorted by name, a blank line, the body.
fn render(request: &Request) -> Vec<u8> {
    let mut out = format!("{} {} HTTP/1.1\n", request.method(), request.uri()).into_bytes();
    let mut headers: Vec<(String, Vec<u8>)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.as_bytes().to_vec()))
        .collect();
    headers.sort();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&value);
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(request.body());
    out
}

/// Request line, headers (name, value) in file order, body.
struct HttpText {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn split_http(text: &[u8]) -> HttpText {
    let split = text
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("no blank line between the head and the body");
    let head = std::str::from_utf8(&text[..split]).expect("head is not UTF-8");
    let mut lines = head.split('\n');
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .map(|line| {
            let (name, value) = line
                .split_once(": ")
                .unwrap_or_else(|| panic!("bad header line {line:?}"));
            (name.to_owned(), value.to_owned())
        })
        .collect();
    HttpText {
        request_line,
        headers,
        body: text[split + 2..].to_vec(),
    }
}

#[test]
fn wire_examples_match_the_aws_clients() {
    let Some(dir) = wire_dir() else { return };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(
        !folders.is_empty(),
        "no operation folders in {}",
        dir.display()
    );

    let mut checked = 0;
    let mut failures = Vec::new();
    for folder in &folders {
        let operation = upper_camel(&folder.file_name().unwrap().to_string_lossy());
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".input.json"))
            .collect();
        inputs.sort();
        assert!(
            !inputs.is_empty(),
            "no *.input.json in {}",
            folder.display()
        );
        for input in inputs {
            let file = input.file_name().unwrap().to_string_lossy().into_owned();
            let case = file.trim_end_matches(".input.json");
            let expected_path = folder.join(format!("{case}.expected.http"));
            let expected = std::fs::read(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            let json = std::fs::read(&input).unwrap();
            let ctx = format!("{operation} {}", input.display());
            let request = match build_from_json(&operation, &json) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{ctx}: {e}"));
                    continue;
                }
            };
            checked += 1;
            let actual = render(&request);
            if case == "full" {
                // Exact bytes: request line, headers and body.
                if actual != expected {
                    failures.push(format!(
                        "{ctx}: request differs\n--- expected\n{}\n--- actual\n{}",
                        String::from_utf8_lossy(&expected),
                        String::from_utf8_lossy(&actual)
                    ));
                }
                continue;
            }
            // Request line and headers exactly (content-length: the length of
            // our body, which may differ from the file's by `<X/>` vs
            // `<X></X>`); the body as XML.
            let exp = split_http(&expected);
            let act = split_http(&actual);
            if act.request_line != exp.request_line {
                failures.push(format!(
                    "{ctx}: request line {:?}, expected {:?}",
                    act.request_line, exp.request_line
                ));
            }
            let fix_length = |headers: &[(String, String)], len: usize| -> Vec<(String, String)> {
                headers
                    .iter()
                    .map(|(k, v)| {
                        if k == "content-length" {
                            (k.clone(), len.to_string())
                        } else {
                            (k.clone(), v.clone())
                        }
                    })
                    .collect()
            };
            let exp_headers = fix_length(&exp.headers, act.body.len());
            if act.headers != exp_headers {
                failures.push(format!(
                    "{ctx}: headers {:?}, expected {:?}",
                    act.headers, exp_headers
                ));
            }
            match (
                parse_xml(&act.body, Eol::Xml10),
                parse_xml(&exp.body, Eol::Xml10),
            ) {
                (Ok(a), Ok(e)) if a == e => {}
                (Ok(a), Ok(e)) => failures.push(format!(
                    "{ctx}: body differs as XML\nexpected {e:#?}\nactual {a:#?}"
                )),
                (a, e) => failures.push(format!(
                    "{ctx}: body not parseable: actual {:?}, expected {:?}",
                    a.err(),
                    e.err()
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 2, "expected at least the full and minimal cases");
}

#[test]
fn upper_camel_maps_folder_names() {
    assert_eq!(
        upper_camel("put-bucket-analytics-configuration"),
        "PutBucketAnalyticsConfiguration"
    );
    assert_eq!(upper_camel("get-object"), "GetObject");
    assert!(build_from_json("NoSuchOperation", b"{}").is_err());
}

#[test]
fn render_matches_the_wire_format() {
    let request = http::Request::builder()
        .method("PUT")
        .uri("/b?x")
        .header("X-B", "2")
        .header("a", "1")
        .body(b"<A/>".to_vec())
        .unwrap();
    assert_eq!(render(&request), b"PUT /b?x HTTP/1.1\na: 1\nx-b: 2\n\n<A/>");
}

// ---------------------------------------------------------------------------
// A small XML tree for comparing bodies
// ---------------------------------------------------------------------------

/// An element: name (as written, with any prefix), attributes sorted by name,
/// child elements, and text. Text in an element that has child elements is
/// dropped when it is only whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

/// Which XML version's line-end normalisation to apply to literal text.
/// XML 1.1 also turns U+0085 and U+2028 into `\n`, so a value that survives
/// both was written with those characters escaped.
#[derive(Clone, Copy, Debug)]
enum Eol {
    Xml10,
    Xml11,
}

fn parse_xml(bytes: &[u8], eol: Eol) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let start = |e: &quick_xml::events::BytesStart<'_>,
                 reader: &quick_xml::Reader<&[u8]>|
     -> Result<Element, String> {
        let name = std::str::from_utf8(e.name().as_ref())
            .map_err(|e| e.to_string())?
            .to_owned();
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let key = std::str::from_utf8(a.key.as_ref())
                .map_err(|e| e.to_string())?
                .to_owned();
            let value = a
                .decode_and_unescape_value(reader.decoder())
                .map_err(|e| e.to_string())?
                .into_owned();
            attrs.push((key, value));
        }
        attrs.sort();
        Ok(Element {
            name,
            attrs,
            children: Vec::new(),
            text: String::new(),
        })
    };
    let finish = |mut el: Element,
                  stack: &mut Vec<Element>,
                  root: &mut Option<Element>|
     -> Result<(), String> {
        if !el.children.is_empty() && el.text.chars().all(char::is_whitespace) {
            el.text.clear();
        }
        match stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None if root.is_none() => *root = Some(el),
            None => return Err("more than one root element".into()),
        }
        Ok(())
    };
    let push_text = |stack: &mut Vec<Element>, text: &str| -> Result<(), String> {
        match stack.last_mut() {
            Some(el) => el.text.push_str(text),
            None if text.chars().all(char::is_whitespace) => {}
            None => return Err(format!("text outside the root: {text:?}")),
        }
        Ok(())
    };
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                if root.is_some() && stack.is_empty() {
                    return Err("more than one root element".into());
                }
                let el = start(&e, &reader)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = start(&e, &reader)?;
                finish(el, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                finish(el, &mut stack, &mut root)?;
            }
            Event::Text(t) => {
                let text = match eol {
                    Eol::Xml10 => t.xml10_content(),
                    Eol::Xml11 => t.xml11_content(),
                }
                .map_err(|e| e.to_string())?;
                push_text(&mut stack, &text)?;
            }
            Event::CData(c) => {
                let text = match eol {
                    Eol::Xml10 => c.xml10_content(),
                    Eol::Xml11 => c.xml11_content(),
                }
                .map_err(|e| e.to_string())?;
                push_text(&mut stack, &text)?;
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(ch) => ch.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                push_text(&mut stack, &ch)?;
            }
            Event::DocType(_) => return Err("DOCTYPE".into()),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

/// (path, text) of every element without child elements, in document order.
fn leaves(el: &Element) -> Vec<(String, String)> {
    fn walk(el: &Element, prefix: &str, out: &mut Vec<(String, String)>) {
        let path = if prefix.is_empty() {
            el.name.clone()
        } else {
            format!("{prefix}/{}", el.name)
        };
        if el.children.is_empty() {
            out.push((path, el.text.clone()));
        } else {
            for c in &el.children {
                walk(c, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(el, "", &mut out);
    out
}

fn child<'a>(el: &'a Element, name: &str) -> &'a Element {
    el.children
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("<{}> has no <{name}>: {el:#?}", el.name))
}

fn child_names(el: &Element) -> Vec<&str> {
    el.children.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn xml_tree_normalises_empty_elements_and_entities() {
    let a = parse_xml(
        b"<A x='1'><B/><C>&amp;&#x41;<![CDATA[<]]></C></A>",
        Eol::Xml10,
    )
    .unwrap();
    let b = parse_xml(
        b"<A x=\"1\">\n <B></B>\n <C>&amp;A&lt;</C>\n</A>",
        Eol::Xml10,
    )
    .unwrap();
    assert_eq!(a, b);
    let c = parse_xml(b"<A x=\"1\"><B>x</B><C>&amp;A&lt;</C></A>", Eol::Xml10).unwrap();
    assert_ne!(a, c);
    assert_eq!(
        parse_xml(b"<A>a\r\nb\xc2\x85c</A>", Eol::Xml11)
            .unwrap()
            .text,
        "a\nb\nc"
    );
    assert!(parse_xml(b"<A><B></A>", Eol::Xml10).is_err());
    assert!(parse_xml(b"<A/><B/>", Eol::Xml10).is_err());
}

// ---------------------------------------------------------------------------
// The model, for member order and the namespace
// ---------------------------------------------------------------------------

const NS: &str = "com.amazonaws.s3#";

fn model() -> &'static serde_json::Map<String, Value> {
    static MODEL: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/s3.json");
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        doc["shapes"].as_object().unwrap().clone()
    })
}

/// The service's `smithy.api#xmlNamespace` uri.
fn model_namespace() -> String {
    model()
        .values()
        .find(|s| s["type"] == "service")
        .and_then(|s| s["traits"]["smithy.api#xmlNamespace"]["uri"].as_str())
        .expect("service with an xmlNamespace")
        .to_owned()
}

/// Checks `el` against shape `shape_id`: child elements are members (by
/// `xmlName` or member name) in model order, a union has exactly one child,
/// flattened lists repeat the member element without a wrapper. Returns
/// problems.
fn check_against_model(el: &Element, shape_id: &str, out: &mut Vec<String>) {
    let Some(shape) = model().get(shape_id) else {
        return; // prelude shape (string, ...)
    };
    let ty = shape["type"].as_str().unwrap_or("");
    if ty != "structure" && ty != "union" {
        if !el.children.is_empty() {
            out.push(format!("<{}> ({shape_id}) has child elements", el.name));
        }
        return;
    }
    let members: Vec<(&String, &Value)> = shape["members"].as_object().unwrap().iter().collect();
    let xml_name = |(name, m): &(&String, &Value)| -> String {
        m["traits"]["smithy.api#xmlName"]
            .as_str()
            .map_or_else(|| (*name).clone(), str::to_owned)
    };
    if ty == "union" && el.children.len() != 1 {
        out.push(format!(
            "union <{}> has {} children, expected exactly one",
            el.name,
            el.children.len()
        ));
    }
    let mut last_index = 0;
    let mut seen: Vec<usize> = Vec::new();
    for c in &el.children {
        let Some(index) = members.iter().position(|m| xml_name(m) == c.name) else {
            out.push(format!("<{}> is not a member of {shape_id}", c.name));
            continue;
        };
        if index < last_index {
            out.push(format!(
                "<{}> in <{}> is out of model order",
                c.name, el.name
            ));
        }
        last_index = index;
        let (_, member) = members[index];
        let target = member["target"].as_str().unwrap();
        let target_shape = model().get(target);
        let is_list = target_shape.is_some_and(|s| s["type"] == "list");
        let flattened = member["traits"].get("smithy.api#xmlFlattened").is_some();
        if seen.contains(&index) && !(is_list && flattened) {
            out.push(format!("<{}> repeated in <{}>", c.name, el.name));
        }
        seen.push(index);
        if is_list && flattened {
            // Each repeated element is one list item.
            let item = target_shape.unwrap()["member"]["target"].as_str().unwrap();
            check_against_model(c, item, out);
        } else if is_list {
            let list = target_shape.unwrap();
            let item_name = list["member"]["traits"]["smithy.api#xmlName"]
                .as_str()
                .unwrap_or("member");
            for item in &c.children {
                if item.name != item_name {
                    out.push(format!("<{}> in list <{}>", item.name, c.name));
                }
                check_against_model(item, list["member"]["target"].as_str().unwrap(), out);
            }
        } else {
            check_against_model(c, target, out);
        }
    }
}

#[test]
fn model_check_catches_structure_problems() {
    let ns = model_namespace();
    let bodies = [
        // Out of model order.
        format!(
            "<AnalyticsConfiguration xmlns=\"{ns}\"><StorageClassAnalysis/><Id>x</Id></AnalyticsConfiguration>"
        ),
        // A union with two members.
        format!(
            "<AnalyticsConfiguration xmlns=\"{ns}\"><Id>x</Id><Filter><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><StorageClassAnalysis/></AnalyticsConfiguration>"
        ),
        // A wrapper around a flattened list.
        format!(
            "<AnalyticsConfiguration xmlns=\"{ns}\"><Id>x</Id><Filter><And><Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags></And></Filter><StorageClassAnalysis/></AnalyticsConfiguration>"
        ),
        // A repeated non-list member.
        format!(
            "<AnalyticsConfiguration xmlns=\"{ns}\"><Id>x</Id><Id>y</Id><StorageClassAnalysis/></AnalyticsConfiguration>"
        ),
    ];
    for body in bodies {
        let tree = parse_xml(body.as_bytes(), Eol::Xml10).unwrap();
        let mut problems = Vec::new();
        check_against_model(&tree, &format!("{NS}AnalyticsConfiguration"), &mut problems);
        assert!(!problems.is_empty(), "not caught: {body}");
    }
}

// ---------------------------------------------------------------------------
// Building inputs
// ---------------------------------------------------------------------------

/// The string values of a fully populated configuration.
#[derive(Clone, Debug)]
struct Values {
    id: String,
    and_prefix: String,
    tags: Vec<(String, String)>,
    account: String,
    bucket: String,
    dest_prefix: String,
}

impl Values {
    fn all(v: &str) -> Self {
        Values {
            id: v.into(),
            and_prefix: v.into(),
            tags: vec![(v.into(), v.into()), (format!("2{v}"), format!("{v}2"))],
            account: v.into(),
            bucket: v.into(),
            dest_prefix: v.into(),
        }
    }

    fn config(&self) -> AnalyticsConfiguration {
        let tags = self
            .tags
            .iter()
            .map(|(k, v)| Tag::new(k.as_str(), v.as_str()))
            .collect();
        let destination = AnalyticsS3BucketDestination::new(
            AnalyticsS3ExportFileFormat::Csv,
            self.bucket.as_str(),
        )
        .with_bucket_account_id(self.account.as_str())
        .with_prefix(self.dest_prefix.as_str());
        AnalyticsConfiguration::new(
            self.id.as_str(),
            StorageClassAnalysis::default().with_data_export(StorageClassAnalysisDataExport::new(
                StorageClassAnalysisSchemaVersion::V1,
                AnalyticsExportDestination::new(destination),
            )),
        )
        .with_filter(AnalyticsFilter::And(
            AnalyticsAndOperator::default()
                .with_prefix(self.and_prefix.as_str())
                .with_tags(tags),
        ))
    }

    /// The leaves the body must have, in model order.
    fn expected_leaves(&self) -> Vec<(String, String)> {
        let root = "AnalyticsConfiguration";
        let and = format!("{root}/Filter/And");
        let export = format!("{root}/StorageClassAnalysis/DataExport");
        let dest = format!("{export}/Destination/S3BucketDestination");
        let mut out = vec![
            (format!("{root}/Id"), self.id.clone()),
            (format!("{and}/Prefix"), self.and_prefix.clone()),
        ];
        for (k, v) in &self.tags {
            out.push((format!("{and}/Tag/Key"), k.clone()));
            out.push((format!("{and}/Tag/Value"), v.clone()));
        }
        out.extend([
            (format!("{export}/OutputSchemaVersion"), "V_1".to_owned()),
            (format!("{dest}/Format"), "CSV".to_owned()),
            (format!("{dest}/BucketAccountId"), self.account.clone()),
            (format!("{dest}/Bucket"), self.bucket.clone()),
            (format!("{dest}/Prefix"), self.dest_prefix.clone()),
        ]);
        out
    }
}

fn minimal_config(id: &str) -> AnalyticsConfiguration {
    AnalyticsConfiguration::new(id, StorageClassAnalysis::default())
}

fn request(bucket: &str, id: &str, config: AnalyticsConfiguration) -> Result<Request, BuildError> {
    PutBucketAnalyticsConfigurationRequest::new(bucket, id, config).to_http_request()
}

/// Parses the body under both XML 1.0 and XML 1.1 line-end rules and checks
/// that the leaves are `expected` and the structure follows the model.
fn check_body(body: &[u8], expected: &[(String, String)]) {
    let text = std::str::from_utf8(body).expect("body is UTF-8");
    let root_tag = format!("<AnalyticsConfiguration xmlns=\"{}\">", model_namespace());
    assert_eq!(
        root_tag,
        "<AnalyticsConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    );
    assert!(
        text.starts_with(&root_tag),
        "body must start with {root_tag} (no XML declaration): {text}"
    );
    // Characters that a parser changes when written literally (line ends,
    // XML 1.1 line ends), and `]]>`, which may not appear in content.
    for bad in ["\r", "\u{85}", "\u{2028}", "]]>"] {
        assert!(
            !text.contains(bad),
            "body contains {bad:?} unescaped: {text:?}"
        );
    }
    for eol in [Eol::Xml10, Eol::Xml11] {
        let tree = parse_xml(body, eol).unwrap_or_else(|e| panic!("{eol:?}: {e}\n{text}"));
        assert_eq!(
            tree.attrs,
            [("xmlns".to_owned(), model_namespace())],
            "root attributes"
        );
        let got = leaves(&tree);
        assert_eq!(got, expected, "{eol:?} leaves of {text:?}");
        let mut problems = Vec::new();
        check_against_model(&tree, &format!("{NS}AnalyticsConfiguration"), &mut problems);
        assert!(problems.is_empty(), "{problems:#?}\n{text}");
    }
}

// ---------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------

const NASTY: &[&str] = &[
    "&",
    "<",
    ">",
    "\"",
    "'",
    "a & b < c > d \" e ' f",
    "\r",
    "\n",
    "\r\n",
    "line1\r\nline2\rline3\nline4",
    "\t",
    "\ttab\t",
    "\u{85}",
    "nel\u{85}ls\u{2028}ps\u{2029}",
    "😀",
    "emoji 😀 clef 𝄞 han 日本",
    " ",
    "  leading and trailing  ",
    "]]>",
    "x]]>y",
    "<![CDATA[x]]>",
    "&amp; &#x41; &lt;",
    "<Id>inject</Id>",
    "</Prefix><Evil>",
    "",
    "\u{7F}\u{9F}\u{A0}\u{FEFF}\u{FFFD}",
];

#[test]
fn every_string_value_survives_the_body() {
    for v in NASTY {
        let values = Values::all(v);
        let req = request("bucket", "id", values.config()).unwrap();
        check_body(req.body(), &values.expected_leaves());
    }
}

#[test]
fn different_values_stay_in_their_members() {
    let values = Values {
        id: "id & <1>".into(),
        and_prefix: "pre\r\nfix".into(),
        tags: vec![
            ("k1\t".into(), " v1 ".into()),
            ("k2 😀".into(), "".into()),
            ("k3]]>".into(), "v3\u{2028}".into()),
        ],
        account: "'acct'".into(),
        bucket: "arn:aws:s3:::\"dest\"".into(),
        dest_prefix: "out/\u{85}".into(),
    };
    let req = request("bucket", "id", values.config()).unwrap();
    check_body(req.body(), &values.expected_leaves());
}

#[test]
fn random_values_survive_the_body() {
    let mut rng = Lcg(0x5EED_0001);
    for _ in 0..2000 {
        let values = Values {
            id: rng.string(&XML_ALPHABET, 0, 12),
            and_prefix: rng.string(&XML_ALPHABET, 0, 12),
            tags: (0..rng.below(4))
                .map(|_| {
                    (
                        rng.string(&XML_ALPHABET, 1, 8),
                        rng.string(&XML_ALPHABET, 0, 8),
                    )
                })
                .collect(),
            account: rng.string(&XML_ALPHABET, 0, 12),
            bucket: rng.string(&XML_ALPHABET, 0, 12),
            dest_prefix: rng.string(&XML_ALPHABET, 0, 12),
        };
        let req = request("bucket", "id", values.config()).unwrap();
        check_body(req.body(), &values.expected_leaves());
    }
}

#[test]
fn body_structure_follows_the_model() {
    let req = request("b", "i", Values::all("v").config()).unwrap();
    let body = std::str::from_utf8(req.body()).unwrap();
    assert!(!body.starts_with("<?xml"), "no XML declaration");
    let tree = parse_xml(req.body(), Eol::Xml10).unwrap();
    assert_eq!(tree.name, "AnalyticsConfiguration");
    assert_eq!(child_names(&tree), ["Id", "Filter", "StorageClassAnalysis"]);
    let filter = child(&tree, "Filter");
    assert_eq!(child_names(filter), ["And"], "a union writes one child");
    // Flattened: <Tag> repeated directly in <And>, no <Tags> wrapper.
    assert_eq!(child_names(child(filter, "And")), ["Prefix", "Tag", "Tag"]);
    assert_eq!(
        child_names(&child(filter, "And").children[1]),
        ["Key", "Value"]
    );
    let dest = child(
        child(
            child(child(&tree, "StorageClassAnalysis"), "DataExport"),
            "Destination",
        ),
        "S3BucketDestination",
    );
    assert_eq!(
        child_names(dest),
        ["Format", "BucketAccountId", "Bucket", "Prefix"]
    );
    // Optional members left out are not written.
    let min = request("b", "i", minimal_config("i")).unwrap();
    let tree = parse_xml(min.body(), Eol::Xml10).unwrap();
    assert_eq!(child_names(&tree), ["Id", "StorageClassAnalysis"]);
    assert!(child(&tree, "StorageClassAnalysis").children.is_empty());
}

#[test]
fn each_union_member_writes_exactly_one_child() {
    let cases: Vec<(AnalyticsFilter, Vec<(&str, &str)>)> = vec![
        (
            AnalyticsFilter::Prefix("logs/ & <x>".into()),
            vec![("Filter/Prefix", "logs/ & <x>")],
        ),
        (
            AnalyticsFilter::Tag(Tag::new("k\"", "v'")),
            vec![("Filter/Tag/Key", "k\""), ("Filter/Tag/Value", "v'")],
        ),
        (
            AnalyticsFilter::And(
                AnalyticsAndOperator::default()
                    .with_tags(vec![Tag::new("a", "1"), Tag::new("b", "2")]),
            ),
            vec![
                ("Filter/And/Tag/Key", "a"),
                ("Filter/And/Tag/Value", "1"),
                ("Filter/And/Tag/Key", "b"),
                ("Filter/And/Tag/Value", "2"),
            ],
        ),
        (
            AnalyticsFilter::And(AnalyticsAndOperator::default().with_prefix("p")),
            vec![("Filter/And/Prefix", "p")],
        ),
        (
            AnalyticsFilter::And(AnalyticsAndOperator::default()),
            vec![("Filter/And", "")],
        ),
    ];
    for (filter, filter_leaves) in cases {
        let req = request("b", "i", minimal_config("i").with_filter(filter.clone())).unwrap();
        let mut expected = vec![("AnalyticsConfiguration/Id".to_owned(), "i".to_owned())];
        expected.extend(
            filter_leaves
                .iter()
                .map(|(p, v)| (format!("AnalyticsConfiguration/{p}"), v.to_string())),
        );
        expected.push((
            "AnalyticsConfiguration/StorageClassAnalysis".into(),
            String::new(),
        ));
        check_body(req.body(), &expected);
        let tree = parse_xml(req.body(), Eol::Xml10).unwrap();
        assert_eq!(child(&tree, "Filter").children.len(), 1, "{filter:?}");
    }
}

#[test]
fn unknown_union_member_is_a_build_error() {
    let config = minimal_config("i").with_filter(AnalyticsFilter::Unknown("Future".into()));
    let err = request("b", "i", config).unwrap_err();
    assert_eq!(
        err,
        BuildError::UnknownUnionVariant {
            shape: "AnalyticsFilter",
            name: "Future".into()
        }
    );
    assert!(err.to_string().contains("Future"), "{err}");
}

#[test]
fn unknown_enum_values_are_written_as_received() {
    let destination = AnalyticsS3BucketDestination::new(
        AnalyticsS3ExportFileFormat::from("PARQUET & <ORC>"),
        "arn:aws:s3:::d",
    );
    let config = AnalyticsConfiguration::new(
        "i",
        StorageClassAnalysis::default().with_data_export(StorageClassAnalysisDataExport::new(
            StorageClassAnalysisSchemaVersion::from("V_2"),
            AnalyticsExportDestination::new(destination),
        )),
    );
    let req = request("b", "i", config).unwrap();
    let export = "AnalyticsConfiguration/StorageClassAnalysis/DataExport";
    let dest = format!("{export}/Destination/S3BucketDestination");
    let expected = [
        ("AnalyticsConfiguration/Id".to_owned(), "i"),
        (format!("{export}/OutputSchemaVersion"), "V_2"),
        (format!("{dest}/Format"), "PARQUET & <ORC>"),
        (format!("{dest}/Bucket"), "arn:aws:s3:::d"),
    ]
    .map(|(p, v)| (p, v.to_owned()));
    check_body(req.body(), &expected);
}

// ---------------------------------------------------------------------------
// Percent-encoding
// ---------------------------------------------------------------------------

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_upper_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'A'..=b'F').contains(&b)
}

/// Decodes `s`, requiring RFC 3986 canonical form: only unreserved
/// characters and `%XX` (uppercase hex) appear, and `%XX` never stands for
/// an unreserved character.
fn decode_canonical(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let (Some(&h), Some(&l)) = (b.get(i + 1), b.get(i + 2)) else {
                return Err(format!("truncated escape at {i} in {s:?}"));
            };
            if !is_upper_hex(h) || !is_upper_hex(l) {
                return Err(format!("escape at {i} is not uppercase hex in {s:?}"));
            }
            let byte = u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap();
            if is_unreserved(byte) {
                return Err(format!("unreserved {:?} encoded in {s:?}", byte as char));
            }
            out.push(byte);
            i += 3;
        } else if is_unreserved(b[i]) {
            out.push(b[i]);
            i += 1;
        } else {
            return Err(format!("{:?} not encoded in {s:?}", b[i] as char));
        }
    }
    String::from_utf8(out).map_err(|_| format!("not UTF-8 after decoding {s:?}"))
}

fn check_uri(req: &Request, bucket: &str, id: &str) {
    let uri = req.uri();
    let text = uri.to_string();
    let ctx = format!("bucket {bucket:?} id {id:?} -> {text}");
    assert!(uri.scheme().is_none() && uri.authority().is_none(), "{ctx}");
    let reparsed: http::Uri = text.parse().unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(reparsed.to_string(), text, "{ctx}");
    let (path, query) = text
        .split_once('?')
        .unwrap_or_else(|| panic!("no query: {ctx}"));
    assert_eq!(uri.path(), path, "{ctx}");
    assert_eq!(uri.query(), Some(query), "{ctx}");
    assert!(!text.contains('#'), "{ctx}");
    let segment = path.strip_prefix('/').unwrap_or_else(|| panic!("{ctx}"));
    assert!(!segment.contains('/'), "path must be one segment: {ctx}");
    assert_eq!(decode_canonical(segment).as_deref(), Ok(bucket), "{ctx}");
    let params: Vec<&str> = query.split('&').collect();
    assert_eq!(params.len(), 2, "{ctx}");
    assert_eq!(
        params[0], "analytics",
        "`analytics` first, without `=`: {ctx}"
    );
    let enc = params[1]
        .strip_prefix("id=")
        .unwrap_or_else(|| panic!("second parameter must be id=: {ctx}"));
    assert_eq!(decode_canonical(enc).as_deref(), Ok(id), "{ctx}");
}

#[test]
fn labels_and_query_values_are_percent_encoded() {
    let values = [
        "a/b",
        "/",
        "//",
        "a?b",
        "?",
        "a#b",
        "#",
        "100%",
        "%",
        "%2F",
        "%zz",
        "a&b",
        "&",
        "a+b",
        "+",
        "a=b",
        "=",
        "a b",
        " ",
        "é",
        "日本",
        "😀",
        "..",
        ".",
        "~user",
        "a~b",
        "-._~",
        "A-Z_0-9",
        "semi;colon:at@",
        "[ipv6]",
        "\"'<>\\^`{|}",
        "\u{0}\r\n\t",
        "ü/../é?x=1&y=2#frag",
    ];
    for bucket in values {
        for id in values {
            let req = request(bucket, id, minimal_config("c")).unwrap();
            check_uri(&req, bucket, id);
        }
    }
    // Spot checks against RFC 3986 (uppercase hex, UTF-8 bytes).
    let req = request("a b/é", "x+y=z&😀", minimal_config("c")).unwrap();
    assert_eq!(
        req.uri().to_string(),
        "/a%20b%2F%C3%A9?analytics&id=x%2By%3Dz%26%F0%9F%98%80"
    );
    let req = request("~.-_", "~.-_", minimal_config("c")).unwrap();
    assert_eq!(req.uri().to_string(), "/~.-_?analytics&id=~.-_");
}

#[test]
fn random_labels_and_ids_round_trip() {
    let mut rng = Lcg(0x5EED_0002);
    for _ in 0..5000 {
        let bucket = rng.string(&URI_ALPHABET, 1, 16);
        let id = rng.string(&URI_ALPHABET, 0, 16);
        let req = request(&bucket, &id, minimal_config("c")).unwrap();
        check_uri(&req, &bucket, &id);
    }
}

#[test]
fn decode_canonical_rejects_non_canonical_forms() {
    assert_eq!(decode_canonical("a%2Fb").as_deref(), Ok("a/b"));
    for bad in ["a%2fb", "a b", "a/b", "%41", "%2", "%C3", "a+b"] {
        assert!(decode_canonical(bad).is_err(), "{bad}");
    }
}

#[test]
fn overlong_values_give_a_build_error_not_a_panic() {
    // `http::Uri` holds at most 65,534 bytes; each of these encodes to more.
    let long_id = "é".repeat(20_000);
    let result = std::panic::catch_unwind(|| request("b", &long_id, minimal_config("c")));
    match result {
        Ok(Err(BuildError::InvalidUri { reason })) => assert!(!reason.is_empty()),
        Ok(other) => panic!(
            "expected InvalidUri, got {:?}",
            other.map(|r| r.uri().clone())
        ),
        Err(_) => panic!("to_http_request panicked on a long id"),
    }
    let long_bucket = "/".repeat(30_000);
    let result = std::panic::catch_unwind(|| request(&long_bucket, "i", minimal_config("c")));
    assert!(
        matches!(result, Ok(Err(BuildError::InvalidUri { .. }))),
        "long bucket"
    );
    // Long values in the body are fine.
    let long = "<&>".repeat(10_000);
    let values = Values::all(&long);
    let req = request("b", "i", values.config()).unwrap();
    check_body(req.body(), &values.expected_leaves());
}

// ---------------------------------------------------------------------------
// Headers, method, errors
// ---------------------------------------------------------------------------

fn header_names(req: &Request) -> Vec<String> {
    let mut names: Vec<String> = req
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn method_and_fixed_headers() {
    for config in [minimal_config("i"), Values::all("v").config()] {
        let req = request("b", "i", config).unwrap();
        assert_eq!(req.method(), http::Method::PUT);
        assert_eq!(req.headers()["content-type"], "application/xml");
        let len: usize = req.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(len, req.body().len());
        assert_eq!(req.headers().get_all("content-length").iter().count(), 1);
        assert_eq!(header_names(&req), ["content-length", "content-type"]);
    }
}

#[test]
fn build_request_and_to_http_request_agree() {
    let input = PutBucketAnalyticsConfigurationRequest::new("b", "i", Values::all("x").config())
        .with_expected_bucket_owner("111122223333");
    let a = input.to_http_request().unwrap();
    let b = PutBucketAnalyticsConfiguration::build_request(&input).unwrap();
    assert_eq!(render(&a), render(&b));
}

#[test]
fn expected_bucket_owner_header_only_when_set() {
    let without = request("b", "i", minimal_config("i")).unwrap();
    assert!(
        without
            .headers()
            .get("x-amz-expected-bucket-owner")
            .is_none()
    );

    // Values RFC 9110 allows in a field value: visible ASCII, inner SP / HTAB,
    // obs-text (bytes >= 0x80).
    for owner in ["123456789012", "a b", "a\tb", "é"] {
        let req = PutBucketAnalyticsConfigurationRequest::new("b", "i", minimal_config("i"))
            .with_expected_bucket_owner(owner)
            .to_http_request()
            .unwrap();
        let values: Vec<&[u8]> = req
            .headers()
            .get_all("x-amz-expected-bucket-owner")
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        assert_eq!(values, [owner.as_bytes()], "{owner:?}");
        assert_eq!(
            header_names(&req),
            [
                "content-length",
                "content-type",
                "x-amz-expected-bucket-owner"
            ]
        );
    }
}

#[test]
fn bad_header_values_are_build_errors() {
    for owner in [
        "1\r",
        "1\n",
        "\r\n",
        "a\0b",
        "123\r\nx-amz-evil: 1",
        "\u{1}",
        "\u{7F}",
    ] {
        let result = PutBucketAnalyticsConfigurationRequest::new("b", "i", minimal_config("i"))
            .with_expected_bucket_owner(owner)
            .to_http_request();
        assert_eq!(
            result.unwrap_err(),
            BuildError::InvalidHeaderValue {
                header: "x-amz-expected-bucket-owner"
            },
            "{owner:?}"
        );
    }
}

#[test]
fn empty_bucket_is_a_build_error() {
    let err = request("", "i", minimal_config("i")).unwrap_err();
    assert_eq!(err, BuildError::EmptyLabel { member: "Bucket" });
    assert!(err.to_string().contains("Bucket"), "{err}");
}

#[test]
fn random_header_values_never_panic() {
    let mut rng = Lcg(0x5EED_0003);
    for _ in 0..3000 {
        let owner = rng.string(&URI_ALPHABET, 0, 10);
        let result = PutBucketAnalyticsConfigurationRequest::new("b", "i", minimal_config("i"))
            .with_expected_bucket_owner(owner.as_str())
            .to_http_request();
        // RFC 9110: field-vchar / SP / HTAB / obs-text; no CTL.
        let valid = owner
            .bytes()
            .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7F));
        match result {
            Ok(req) if valid => {
                assert_eq!(
                    req.headers()["x-amz-expected-bucket-owner"].as_bytes(),
                    owner.as_bytes()
                );
            }
            Err(BuildError::InvalidHeaderValue { header }) if !valid => {
                assert_eq!(header, "x-amz-expected-bucket-owner");
            }
            other => panic!("{owner:?} (valid: {valid}) gave {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Deterministic random strings
// ---------------------------------------------------------------------------

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
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

    fn string(&mut self, alphabet: &[char], min: usize, max: usize) -> String {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }
}

/// Printable ASCII plus characters that need care in URIs and headers.
static URI_ALPHABET: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<char> = (0x20u8..0x7F).map(char::from).collect();
    v.extend([
        '\0', '\t', '\n', '\r', '\u{1}', '\u{7F}', '\u{85}', '\u{A0}', 'é', 'ß', '日', '本',
        '\u{2028}', '\u{FEFF}', '\u{FFFD}', '😀', '𝄞',
    ]);
    v
});

/// Characters XML 1.0 can carry, weighted towards the ones that need escaping.
static XML_ALPHABET: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<char> = (0x20u8..0x7F).map(char::from).collect();
    for _ in 0..3 {
        v.extend([
            '&', '<', '>', '"', '\'', '\t', '\n', '\r', ']', ' ', '\u{85}', '\u{2028}',
        ]);
    }
    v.extend([
        '\u{7F}', '\u{9F}', '\u{A0}', 'é', '日', '\u{FEFF}', '\u{FFFD}', '😀', '𝄞',
    ]);
    v
});
