//! Tests of `s3_runtime::xml_read`, the streaming reader that the
//! generated `read_xml` functions drive.
//!
//! The tests drive the reader through a small hand-written reader for a test
//! type tree, written the way the generator writes its readers.

use s3_runtime::error;
use s3_runtime::xml_read;

use error::XmlError;
use std::borrow::Cow;
use std::collections::BTreeMap;
use xml_read::{Limits, Reader, Start};

// ---------------------------------------------------------------------------
// A test type tree, read the way generated code reads it
// ---------------------------------------------------------------------------

/// A structure with every kind of member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Config {
    /// The `version` attribute.
    version: Option<String>,
    /// A required string member.
    id: String,
    /// An optional string member.
    name: Option<String>,
    /// A flattened list of structures (`<Tag>` repeated).
    tags: Option<Vec<Tag>>,
    /// A wrapped list (`<Items><member>…</member></Items>`).
    items: Option<Vec<Item>>,
    /// A union, absent when the element is empty.
    filter: Option<Filter>,
    /// A map (`<Metadata><entry><key/><value/></entry></Metadata>`).
    metadata: Option<BTreeMap<String, String>>,
    /// A recursive structure.
    node: Option<Node>,
    /// A number.
    size: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Tag {
    key: String,
    value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Item {
    name: String,
    size: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    Prefix(String),
    Tag(Tag),
    And(And),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct And {
    prefix: Option<String>,
    tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Node {
    label: Option<String>,
    child: Option<Box<Node>>,
}

/// Reads the text of the current element as an integer.
fn read_i64(r: &mut Reader<'_>) -> Result<i64, XmlError> {
    let text = r.text_cow()?;
    text.parse()
        .map_err(|_| r.error(format!("`{text}` is not a valid integer")))
}

impl Config {
    fn read_xml(r: &mut Reader<'_>, start: &Start<'_>) -> Result<Self, XmlError> {
        let version = start.attr("version")?;
        let mut id: Option<String> = None;
        let mut name: Option<String> = None;
        let mut tags: Option<Vec<Tag>> = None;
        let mut items: Option<Vec<Item>> = None;
        let mut filter: Option<Option<Filter>> = None;
        let mut metadata: Option<BTreeMap<String, String>> = None;
        let mut node: Option<Node> = None;
        let mut size: Option<i64> = None;
        while let Some(child) = r.next_child()? {
            match child.name() {
                b"Id" => {
                    if id.is_some() {
                        return Err(r.error("Id appears more than once"));
                    }
                    id = Some(r.text()?);
                }
                b"Name" => {
                    if name.is_some() {
                        return Err(r.error("Name appears more than once"));
                    }
                    name = Some(r.text()?);
                }
                b"Tag" => tags
                    .get_or_insert_with(Vec::new)
                    .push(Tag::read_xml(r, &child)?),
                b"Items" => {
                    if items.is_some() {
                        return Err(r.error("Items appears more than once"));
                    }
                    items = Some(read_items(r, &child)?);
                }
                b"Filter" => {
                    if filter.is_some() {
                        return Err(r.error("Filter appears more than once"));
                    }
                    filter = Some(Filter::read_xml(r, &child)?);
                }
                b"Metadata" => {
                    if metadata.is_some() {
                        return Err(r.error("Metadata appears more than once"));
                    }
                    metadata = Some(read_metadata(r, &child)?);
                }
                b"Node" => {
                    if node.is_some() {
                        return Err(r.error("Node appears more than once"));
                    }
                    node = Some(Node::read_xml(r, &child)?);
                }
                b"Size" => {
                    if size.is_some() {
                        return Err(r.error("Size appears more than once"));
                    }
                    size = Some(read_i64(r)?);
                }
                _ => r.skip()?,
            }
        }
        let id = id.ok_or_else(|| r.error("the required element Id is missing"))?;
        Ok(Config {
            version,
            id,
            name,
            tags,
            items,
            filter: filter.flatten(),
            metadata,
            node,
            size,
        })
    }
}

impl Tag {
    fn read_xml(r: &mut Reader<'_>, _start: &Start<'_>) -> Result<Self, XmlError> {
        let mut key: Option<String> = None;
        let mut value: Option<String> = None;
        while let Some(child) = r.next_child()? {
            match child.name() {
                b"Key" => {
                    if key.is_some() {
                        return Err(r.error("Key appears more than once"));
                    }
                    key = Some(r.text()?);
                }
                b"Value" => {
                    if value.is_some() {
                        return Err(r.error("Value appears more than once"));
                    }
                    value = Some(r.text()?);
                }
                _ => r.skip()?,
            }
        }
        let key = key.ok_or_else(|| r.error("the required element Key is missing"))?;
        Ok(Tag { key, value })
    }
}

impl Item {
    fn read_xml(r: &mut Reader<'_>, _start: &Start<'_>) -> Result<Self, XmlError> {
        let mut name: Option<String> = None;
        let mut size: Option<i64> = None;
        while let Some(child) = r.next_child()? {
            match child.name() {
                b"Name" => {
                    if name.is_some() {
                        return Err(r.error("Name appears more than once"));
                    }
                    name = Some(r.text()?);
                }
                b"Size" => {
                    if size.is_some() {
                        return Err(r.error("Size appears more than once"));
                    }
                    size = Some(read_i64(r)?);
                }
                _ => r.skip()?,
            }
        }
        let name = name.ok_or_else(|| r.error("the required element Name is missing"))?;
        Ok(Item { name, size })
    }
}

/// Reads a wrapped list: `<Items><member>…</member>…</Items>`.
fn read_items(r: &mut Reader<'_>, _start: &Start<'_>) -> Result<Vec<Item>, XmlError> {
    let mut items = Vec::new();
    while let Some(child) = r.next_child()? {
        match child.name() {
            b"member" => items.push(Item::read_xml(r, &child)?),
            _ => r.skip()?,
        }
    }
    Ok(items)
}

impl Filter {
    /// Reads a union; an element with no known member gives `None`.
    fn read_xml(r: &mut Reader<'_>, _start: &Start<'_>) -> Result<Option<Self>, XmlError> {
        let mut value: Option<Filter> = None;
        while let Some(child) = r.next_child()? {
            let variant = match child.name() {
                b"Prefix" => Filter::Prefix(r.text()?),
                b"Tag" => Filter::Tag(Tag::read_xml(r, &child)?),
                b"And" => Filter::And(And::read_xml(r, &child)?),
                _ => {
                    r.skip()?;
                    continue;
                }
            };
            if value.is_some() {
                return Err(r.error("the union Filter has more than one member"));
            }
            value = Some(variant);
        }
        Ok(value)
    }
}

impl And {
    fn read_xml(r: &mut Reader<'_>, _start: &Start<'_>) -> Result<Self, XmlError> {
        let mut prefix: Option<String> = None;
        let mut tags: Option<Vec<Tag>> = None;
        while let Some(child) = r.next_child()? {
            match child.name() {
                b"Prefix" => {
                    if prefix.is_some() {
                        return Err(r.error("Prefix appears more than once"));
                    }
                    prefix = Some(r.text()?);
                }
                b"Tag" => tags
                    .get_or_insert_with(Vec::new)
                    .push(Tag::read_xml(r, &child)?),
                _ => r.skip()?,
            }
        }
        Ok(And { prefix, tags })
    }
}

impl Node {
    fn read_xml(r: &mut Reader<'_>, _start: &Start<'_>) -> Result<Self, XmlError> {
        let mut label: Option<String> = None;
        let mut child_node: Option<Box<Node>> = None;
        while let Some(child) = r.next_child()? {
            match child.name() {
                b"Label" => {
                    if label.is_some() {
                        return Err(r.error("Label appears more than once"));
                    }
                    label = Some(r.text()?);
                }
                b"Node" => {
                    if child_node.is_some() {
                        return Err(r.error("Node appears more than once"));
                    }
                    child_node = Some(Box::new(Node::read_xml(r, &child)?));
                }
                _ => r.skip()?,
            }
        }
        Ok(Node {
            label,
            child: child_node,
        })
    }
}

/// Reads a map: `<Metadata><entry><key>…</key><value>…</value></entry>…</Metadata>`.
fn read_metadata(
    r: &mut Reader<'_>,
    _start: &Start<'_>,
) -> Result<BTreeMap<String, String>, XmlError> {
    let mut map = BTreeMap::new();
    while let Some(child) = r.next_child()? {
        match child.name() {
            b"entry" => {
                let mut key: Option<String> = None;
                let mut value: Option<String> = None;
                while let Some(part) = r.next_child()? {
                    match part.name() {
                        b"key" => {
                            if key.is_some() {
                                return Err(r.error("key appears more than once"));
                            }
                            key = Some(r.text()?);
                        }
                        b"value" => {
                            if value.is_some() {
                                return Err(r.error("value appears more than once"));
                            }
                            value = Some(r.text()?);
                        }
                        _ => r.skip()?,
                    }
                }
                let key = key.ok_or_else(|| r.error("the required element key is missing"))?;
                let value =
                    value.ok_or_else(|| r.error("the required element value is missing"))?;
                map.insert(key, value);
            }
            _ => r.skip()?,
        }
    }
    Ok(map)
}

/// Reads a whole document with the given limits, as an operation would.
fn parse_with(body: &[u8], limits: &Limits) -> Result<Config, XmlError> {
    let mut r = Reader::new(body, limits)?;
    let root = r.root()?;
    let value = Config::read_xml(&mut r, &root)?;
    r.finish()?;
    Ok(value)
}

/// Reads a whole document with the default limits.
fn parse(body: &str) -> Result<Config, XmlError> {
    parse_with(body.as_bytes(), &Limits::DEFAULT)
}

/// Reads a document that must be read without error.
fn parse_ok(body: &str) -> Config {
    match parse(body) {
        Ok(config) => config,
        Err(error) => panic!("{body:?} gave the error {error}"),
    }
}

/// Reads a document that must give an error, and returns the error.
fn parse_err(body: &str) -> XmlError {
    parse_bytes_err(body.as_bytes())
}

/// Reads a document (given as bytes) that must give an error.
fn parse_bytes_err(body: &[u8]) -> XmlError {
    match parse_with(body, &Limits::DEFAULT) {
        Ok(config) => panic!(
            "{:?} was read as {config:?}, but should be an error",
            String::from_utf8_lossy(body)
        ),
        Err(error) => error,
    }
}

/// Asserts that `error` has a message containing `message` and exactly the
/// path `path`.
#[track_caller]
fn assert_error(error: &XmlError, message: &str, path: Option<&str>) {
    assert!(
        error.message().contains(message),
        "the message of {error:?} does not contain {message:?}"
    );
    assert_eq!(error.path(), path, "the path of {error:?}");
}

/// Wraps members in a `<Config>` root that has the required `Id`.
fn config(members: &str) -> String {
    format!("<Config><Id>i</Id>{members}</Config>")
}

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
}

const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a listing -->
<Config xmlns="http://s3.amazonaws.com/doc/2006-03-01/" version="2">
  <Id>config-1</Id>
  <Name>My &amp; config</Name>
  <Tag><Key>k1</Key><Value>v1</Value></Tag>
  <Tag><Key>k2</Key></Tag>
  <Items>
    <member><Name>a</Name><Size>10</Size></member>
    <member><Name>b</Name></member>
  </Items>
  <Filter><And><Prefix>logs/</Prefix><Tag><Key>x</Key><Value>1</Value></Tag><Tag><Key>y</Key><Value>2</Value></Tag></And></Filter>
  <Metadata><entry><key>color</key><value>blue</value></entry><entry><key>size</key><value>L</value></entry></Metadata>
  <Node><Label>outer</Label><Node><Label>inner</Label></Node></Node>
  <Size>42</Size>
</Config>
"#;

fn tag(key: &str, value: Option<&str>) -> Tag {
    Tag {
        key: key.to_owned(),
        value: value.map(str::to_owned),
    }
}

fn sample_value() -> Config {
    Config {
        version: Some("2".to_owned()),
        id: "config-1".to_owned(),
        name: Some("My & config".to_owned()),
        tags: Some(vec![tag("k1", Some("v1")), tag("k2", None)]),
        items: Some(vec![
            Item {
                name: "a".to_owned(),
                size: Some(10),
            },
            Item {
                name: "b".to_owned(),
                size: None,
            },
        ]),
        filter: Some(Filter::And(And {
            prefix: Some("logs/".to_owned()),
            tags: Some(vec![tag("x", Some("1")), tag("y", Some("2"))]),
        })),
        metadata: Some(BTreeMap::from([
            ("color".to_owned(), "blue".to_owned()),
            ("size".to_owned(), "L".to_owned()),
        ])),
        node: Some(Node {
            label: Some("outer".to_owned()),
            child: Some(Box::new(Node {
                label: Some("inner".to_owned()),
                child: None,
            })),
        }),
        size: Some(42),
    }
}

// ---------------------------------------------------------------------------
// Reading documents
// ---------------------------------------------------------------------------

#[test]
fn happy_path() {
    assert_eq!(parse_ok(SAMPLE), sample_value());
}

#[test]
fn default_limits() {
    assert_eq!(Limits::DEFAULT.max_depth, 64);
    assert_eq!(Limits::DEFAULT.max_elements, 1_000_000);
    assert_eq!(Limits::DEFAULT.max_body_bytes, 64 * 1024 * 1024);
    assert_eq!(Limits::default(), Limits::DEFAULT);
}

#[test]
fn bom_declaration_comments_and_instructions_before_and_after_the_root() {
    let body = "\u{FEFF}<?xml version=\"1.0\"?>\n<!-- c --><?pi data?>\n <Config><Id>i</Id></Config>\n<!-- after --><?pi?>\n\t ";
    assert_eq!(parse_ok(body).id, "i");
}

#[test]
fn unknown_elements_are_skipped_at_every_depth() {
    let unknown = r#"<Unknown a="1"><Deep><Deeper>text &amp; <![CDATA[<not-markup>]]><!-- c --><?pi?><Empty/></Deeper></Deep>tail</Unknown><Lone/>"#;
    let body = format!(
        r#"<Config>{unknown}<Id>i</Id>{unknown}
        <Tag>{unknown}<Key>k</Key>{unknown}</Tag>
        <Items>{unknown}<member>{unknown}<Name>n</Name>{unknown}</member>{unknown}</Items>
        <Filter>{unknown}<And>{unknown}<Tag><Key>a</Key>{unknown}</Tag></And>{unknown}</Filter>
        <Metadata>{unknown}<entry>{unknown}<key>k</key>{unknown}<value>v</value>{unknown}</entry></Metadata>
        <Node>{unknown}<Node>{unknown}</Node></Node>{unknown}</Config>"#
    );
    let expected = Config {
        id: "i".to_owned(),
        tags: Some(vec![tag("k", None)]),
        items: Some(vec![Item {
            name: "n".to_owned(),
            size: None,
        }]),
        filter: Some(Filter::And(And {
            prefix: None,
            tags: Some(vec![tag("a", None)]),
        })),
        metadata: Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
        node: Some(Node {
            label: None,
            child: Some(Box::new(Node::default())),
        }),
        ..Config::default()
    };
    assert_eq!(parse_ok(&body), expected);
}

#[test]
fn namespaces_and_prefixes_are_tolerated() {
    let body = r#"<s3:Config xmlns:s3="urn:s3" xmlns="urn:default" s3:version="3" xmlns:xsi="urn:xsi">
        <s3:Id>i</s3:Id>
        <Name xmlns="urn:other">n</Name>
        <s3:Tag><s3:Key>k</s3:Key><other:Value xmlns:other="urn:o">v</other:Value></s3:Tag>
        <Items><s3:member><Name>m</Name></s3:member></Items>
        <Filter xsi:type="whatever"><s3:Prefix>p</s3:Prefix></Filter>
    </s3:Config>"#;
    let value = parse_ok(body);
    assert_eq!(value.version.as_deref(), Some("3"));
    assert_eq!(value.id, "i");
    assert_eq!(value.name.as_deref(), Some("n"));
    assert_eq!(value.tags, Some(vec![tag("k", Some("v"))]));
    assert_eq!(value.items.map(|items| items.len()), Some(1));
    assert_eq!(value.filter, Some(Filter::Prefix("p".to_owned())));
}

#[test]
fn namespace_declarations_are_not_attributes() {
    let body = br#"<Root xmlns="urn:a" xmlns:p="urn:b" p:type="T" plain="x &lt; y"/>"#;
    let mut r = Reader::new(body, &Limits::DEFAULT).unwrap();
    let root = r.root().unwrap();
    assert_eq!(root.attr("xmlns").unwrap(), None);
    assert_eq!(root.attr("p").unwrap(), None);
    assert_eq!(root.attr("type").unwrap().as_deref(), Some("T"));
    assert_eq!(root.attr("plain").unwrap().as_deref(), Some("x < y"));
    assert_eq!(root.attr("missing").unwrap(), None);
    assert!(root.is_empty());
    assert_eq!(root.local_name(), "Root");
    assert_eq!(r.next_child().unwrap().map(|c| c.name()), None);
    r.finish().unwrap();
}

#[test]
fn empty_elements() {
    assert_eq!(parse_ok("<Config><Id/></Config>").id, "");
    assert_eq!(parse_ok("<Config><Id></Id></Config>").id, "");
    assert_eq!(parse_ok(&config("<Name/>")).name.as_deref(), Some(""));
    assert_eq!(parse_ok(&config("<Filter/>")).filter, None);
    assert_eq!(parse_ok(&config("<Filter></Filter>")).filter, None);
    assert_eq!(parse_ok(&config("<Filter> \n </Filter>")).filter, None);
    assert_eq!(parse_ok(&config("<Filter><X/></Filter>")).filter, None);
    assert_eq!(parse_ok(&config("<Items/>")).items, Some(vec![]));
    assert_eq!(parse_ok(&config("<Items></Items>")).items, Some(vec![]));
    assert_eq!(
        parse_ok(&config("<Metadata/>")).metadata,
        Some(BTreeMap::new())
    );
    assert_eq!(parse_ok(&config("<Node/>")).node, Some(Node::default()));
    assert_eq!(
        parse_ok(&config("<Tag><Key/></Tag>")).tags,
        Some(vec![tag("", None)])
    );
    assert_eq!(
        parse_ok(r#"<Config version="v"><Id>i</Id></Config>"#).version,
        Some("v".to_owned())
    );
    // An empty root: its attributes can be read, and required members are missing.
    let error = parse_err(r#"<Config version="v"/>"#);
    assert_error(&error, "the required element Id is missing", Some("Config"));
}

#[test]
fn whitespace_is_kept_in_text_and_ignored_between_elements() {
    assert_eq!(
        parse_ok("<Config><Id>  x  </Id></Config>").id,
        "  x  ",
        "text keeps its whitespace"
    );
    assert_eq!(parse_ok("<Config><Id>   </Id></Config>").id, "   ");
    assert_eq!(parse_ok("<Config><Id>\n\t</Id></Config>").id, "\n\t");
    let body = "\n<Config>\n  <Id>a</Id>\r\n\t<Items>\n    <member>\n      <Name>n</Name>\n    </member>\n  </Items>\n</Config>\n";
    let value = parse_ok(body);
    assert_eq!(value.id, "a");
    assert_eq!(value.items.unwrap()[0].name, "n");
}

#[test]
fn comments_and_instructions_inside_text_are_skipped() {
    assert_eq!(
        parse_ok("<Config><Id>a<!-- c -->b<?pi x?>c</Id></Config>").id,
        "abc"
    );
}

#[test]
fn entities_character_references_and_cdata() {
    let value =
        parse_ok("<Config><Id>&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600;&#0233;</Id></Config>");
    assert_eq!(value.id, "<>&'\" AB😀é");
    let value = parse_ok("<Config><Id><![CDATA[<x>&amp;]]></Id></Config>");
    assert_eq!(value.id, "<x>&amp;");
    let value = parse_ok("<Config><Id>a<![CDATA[b]]>&amp;c<![CDATA[]]>d</Id></Config>");
    assert_eq!(value.id, "ab&cd");
    let value = parse_ok("<Config><Id>é日本語😀</Id></Config>");
    assert_eq!(value.id, "é日本語😀");
}

#[test]
fn bad_references_are_errors() {
    let error = parse_err("<Config><Id>a&nbsp;b</Id></Config>");
    assert_error(&error, "unknown entity `&nbsp;`", Some("Config/Id"));
    for reference in [
        "&#0;",
        "&#x0;",
        "&#xD800;",
        "&#x110000;",
        "&#xFFFFFFFFFF;",
        "&#99999999999999999999;",
        "&#;",
        "&#x;",
        "&#-1;",
        "&#+1;",
        "&#X41;",
        "&#x4G;",
        "&#1a;",
    ] {
        let error = parse_err(&format!("<Config><Id>{reference}</Id></Config>"));
        assert_error(&error, "invalid character reference", Some("Config/Id"));
    }
    for text in ["a & b", "&lt", "&amp", "a&"] {
        let error = parse_err(&format!("<Config><Id>{text}</Id></Config>"));
        assert!(error.path().is_some(), "{error:?}");
    }
    // References in skipped content are checked too.
    let error = parse_err(&config("<Unknown><x>&bogus;</x></Unknown>"));
    assert_error(&error, "unknown entity", Some("Config/Unknown"));
}

#[test]
fn line_ends_are_normalized() {
    assert_eq!(
        parse_ok("<Config><Id>a\r\nb\rc\n\r\n\r\r</Id></Config>").id,
        "a\nb\nc\n\n\n\n"
    );
    assert_eq!(parse_ok("<Config><Id>&#13;</Id></Config>").id, "\r");
    assert_eq!(parse_ok("<Config><Id>&#xD;&#xA;</Id></Config>").id, "\r\n");
    assert_eq!(parse_ok("<Config><Id>\r&#xA;</Id></Config>").id, "\n\n");
    assert_eq!(
        parse_ok("<Config><Id><![CDATA[x\r\ny\rz]]></Id></Config>").id,
        "x\ny\nz"
    );
    // U+0085 and U+2028 are XML 1.1 line ends only; XML 1.0 keeps them.
    assert_eq!(
        parse_ok("<Config><Id>\u{85}\u{2028}</Id></Config>").id,
        "\u{85}\u{2028}"
    );
    // Attribute values: literal whitespace becomes a space, references stay.
    let value = parse_ok("<Config version=\"a\tb\r\nc\nd\re&#9;f&#xA;g&#xD;\"><Id>i</Id></Config>");
    assert_eq!(value.version.as_deref(), Some("a b c d e\tf\ng\r"));
}

#[test]
fn text_cow_borrows_plain_text() {
    let mut r = Reader::new(b"<A><B>plain</B><C>a&amp;b</C><D/></A>", &Limits::DEFAULT).unwrap();
    r.root().unwrap();
    r.next_child().unwrap().unwrap();
    assert!(matches!(r.text_cow().unwrap(), Cow::Borrowed("plain")));
    r.next_child().unwrap().unwrap();
    assert_eq!(r.text_cow().unwrap(), "a&b");
    r.next_child().unwrap().unwrap();
    assert!(matches!(r.text_cow().unwrap(), Cow::Borrowed("")));
    assert!(r.next_child().unwrap().is_none());
    r.finish().unwrap();
}

#[test]
fn text_of_an_element_with_children_is_an_error() {
    let error = parse_err("<Config><Id>a<b/>c</Id></Config>");
    assert_error(&error, "element where text belongs", Some("Config/Id"));
    assert!(error.message().contains("<b>"), "{error:?}");
}

// ---------------------------------------------------------------------------
// Errors and their paths
// ---------------------------------------------------------------------------

#[test]
fn missing_required_member_names_the_element() {
    let body =
        config("<Items><member><Name>a</Name></member><member><Size>1</Size></member></Items>");
    let error = parse_err(&body);
    assert_error(
        &error,
        "the required element Name is missing",
        Some("Config/Items/member[2]"),
    );
    let error = parse_err("<Config><Name>n</Name></Config>");
    assert_error(&error, "the required element Id is missing", Some("Config"));
    let error = parse_err(&config("<Metadata><entry><key>k</key></entry></Metadata>"));
    assert_error(
        &error,
        "the required element value is missing",
        Some("Config/Metadata/entry"),
    );
}

#[test]
fn repeated_member_is_an_error() {
    let error = parse_err("<Config><Id>a</Id><Id>b</Id></Config>");
    assert_error(&error, "Id appears more than once", Some("Config/Id[2]"));
    // Not consecutive, so the second `Id` has no ordinal.
    let error = parse_err("<Config><Id>a</Id><Name/><Id>b</Id></Config>");
    assert_error(&error, "Id appears more than once", Some("Config/Id"));
    let error = parse_err(&config(
        "<Filter><Prefix>a</Prefix><Tag><Key>k</Key></Tag></Filter>",
    ));
    assert_error(
        &error,
        "the union Filter has more than one member",
        Some("Config/Filter/Tag"),
    );
}

#[test]
fn text_where_an_element_belongs_is_an_error() {
    let error = parse_err("<Config>hello<Id>i</Id></Config>");
    assert_error(&error, "text where an element belongs", Some("Config"));
    let error = parse_err(&config("<Filter>text</Filter>"));
    assert_error(
        &error,
        "text where an element belongs",
        Some("Config/Filter"),
    );
    // A CDATA section between elements is skipped, as services send it.
    let items = parse_ok(&config(
        "<Items><![CDATA[x]]><member><Name>a</Name></member></Items>",
    ))
    .items;
    assert_eq!(items.map(|i| i.len()), Some(1));
    let error = parse_err(&config("<Tag>&amp;<Key>k</Key></Tag>"));
    assert_error(&error, "text where an element belongs", Some("Config/Tag"));
}

#[test]
fn invalid_number_names_the_element() {
    let error = parse_err(&config("<Size>12x</Size>"));
    assert_error(&error, "`12x` is not a valid integer", Some("Config/Size"));
    let error = parse_err(&config(
        "<Items><member><Name>a</Name></member><member><Name>b</Name><Size>big</Size></member></Items>",
    ));
    assert_error(
        &error,
        "`big` is not a valid integer",
        Some("Config/Items/member[2]/Size"),
    );
}

#[test]
fn path_format_with_ordinals() {
    let body = config(
        "<Filter><And><Prefix>p</Prefix><Tag><Key>a</Key></Tag><Tag><Key>b<x/></Key></Tag></And></Filter>",
    );
    let error = parse_err(&body);
    assert_error(
        &error,
        "element where text belongs",
        Some("Config/Filter/And/Tag[2]/Key"),
    );
    // The third of a run of same-named siblings.
    let body = config("<Tag><Key>a</Key></Tag><Tag><Key>b</Key></Tag><Tag><Value>c</Value></Tag>");
    assert_error(
        &parse_err(&body),
        "the required element Key is missing",
        Some("Config/Tag[3]"),
    );
    // A different sibling in between starts the count again.
    let body = config("<Tag><Key>a</Key></Tag><Other/><Tag><Value>c</Value></Tag>");
    assert_error(
        &parse_err(&body),
        "the required element Key is missing",
        Some("Config/Tag"),
    );
    // Prefixes do not appear in the path.
    let body = "<s:Config xmlns:s=\"urn:s\"><s:Id>a</s:Id><s:Id>b</s:Id></s:Config>";
    assert_error(&parse_err(body), "more than once", Some("Config/Id[2]"));
}

#[test]
fn path_follows_the_reader() {
    let mut r = Reader::new(b"<A><B>x</B><C/><B/><B><D/></B></A>", &Limits::DEFAULT).unwrap();
    assert_eq!(r.path(), None);
    assert_eq!(r.error("m").path(), None);
    let root = r.root().unwrap();
    assert_eq!(root.name(), b"A");
    assert_eq!(r.path().as_deref(), Some("A"));
    let b = r.next_child().unwrap().unwrap();
    assert_eq!(b.name(), b"B");
    assert_eq!(r.path().as_deref(), Some("A/B"));
    assert_eq!(r.text().unwrap(), "x");
    // The finished element is still named.
    assert_eq!(r.path().as_deref(), Some("A/B"));
    let c = r.next_child().unwrap().unwrap();
    assert_eq!(c.name(), b"C");
    assert_eq!(r.path().as_deref(), Some("A/C"));
    // `C` is empty, so it has no children.
    assert!(r.next_child().unwrap().is_none());
    assert_eq!(r.path().as_deref(), Some("A/C"));
    r.next_child().unwrap().unwrap();
    assert_eq!(r.path().as_deref(), Some("A/B"));
    r.skip().unwrap();
    assert_eq!(r.path().as_deref(), Some("A/B"));
    r.next_child().unwrap().unwrap();
    assert_eq!(r.path().as_deref(), Some("A/B[2]"));
    let d = r.next_child().unwrap().unwrap();
    assert_eq!(d.name(), b"D");
    assert_eq!(r.path().as_deref(), Some("A/B[2]/D"));
    assert_eq!(r.text().unwrap(), "");
    assert!(r.next_child().unwrap().is_none());
    assert_eq!(r.path().as_deref(), Some("A/B[2]"));
    assert!(r.next_child().unwrap().is_none());
    assert_eq!(r.path().as_deref(), Some("A"));
    let error = r.error("problem");
    assert_eq!(error.path(), Some("A"));
    assert_eq!(error.message(), "problem");
    assert_eq!(error.to_string(), "invalid XML at A: problem");
    r.finish().unwrap();
    assert_eq!(r.path(), None);
    // Finishing twice is harmless.
    r.finish().unwrap();
}

#[test]
fn misuse_is_an_error() {
    let mut r = Reader::new(b"<A/>", &Limits::DEFAULT).unwrap();
    assert_error(
        &r.finish().unwrap_err(),
        "before the root element was read",
        None,
    );
    assert_error(
        &r.next_child().unwrap_err(),
        "next_child() was called when no element is open",
        None,
    );
    r.root().unwrap();
    assert_error(&r.root().unwrap_err(), "more than once", Some("A"));
    assert_error(
        &r.finish().unwrap_err(),
        "before the root element was read to its end",
        Some("A"),
    );
    assert!(r.next_child().unwrap().is_none());
    assert_error(
        &r.next_child().unwrap_err(),
        "next_child() was called when no element is open",
        Some("A"),
    );
    assert_error(
        &r.text().unwrap_err(),
        "text() was called when no element is open",
        Some("A"),
    );
    assert!(r.skip().unwrap_err().message().contains("skip()"));
    r.finish().unwrap();
}

#[test]
fn malformed_documents_are_errors() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("", "no root element", None),
        ("   \n ", "no root element", None),
        ("<!-- only a comment -->", "no root element", None),
        ("<?xml version=\"1.0\"?>", "no root element", None),
        ("text<Config/>", "text outside the root element", None),
        ("&amp;<Config/>", "text outside the root element", None),
        (
            "<![CDATA[x]]><Config/>",
            "text outside the root element",
            None,
        ),
        (
            "<Config><Id>i</Id></Config>text",
            "text outside the root element",
            None,
        ),
        (
            "<Config><Id>i</Id></Config><Config/>",
            "more than one root element",
            None,
        ),
        ("<Config><Id>i</Id></Config><!DOCTYPE x>", "DOCTYPE", None),
        (
            "<!-- c --><?xml version=\"1.0\"?><Config/>",
            "XML declaration",
            None,
        ),
        (
            "<Config><?xml version=\"1.0\"?><Id/></Config>",
            "XML declaration",
            Some("Config"),
        ),
        ("<Config><Id>i</Name></Config>", "", Some("Config/Id")),
        ("<Config><Id>i</Id></Conf>", "", Some("Config")),
        (
            "<Config><Id>i</Id>",
            "ends before this element is closed",
            Some("Config"),
        ),
        (
            "<Config><Id>i",
            "ends before this element is closed",
            Some("Config/Id"),
        ),
        (
            "<Config><Unknown><a>",
            "ends before this element is closed",
            Some("Config/Unknown"),
        ),
        ("<1a/>", "not a valid element name", None),
        (
            "<Config><a:b:c/></Config>",
            "not a valid element name",
            Some("Config"),
        ),
        (
            "<Config><:a/></Config>",
            "not a valid element name",
            Some("Config"),
        ),
        (
            "<Config><a:/></Config>",
            "not a valid element name",
            Some("Config"),
        ),
        (
            "<Config><-a/></Config>",
            "not a valid element name",
            Some("Config"),
        ),
        (
            "<Config><a$/></Config>",
            "not a valid element name",
            Some("Config"),
        ),
        (
            "<Config><Id>i</Id><Unknown><x><9/></x></Unknown></Config>",
            "not a valid element name",
            Some("Config/Unknown"),
        ),
        (
            "<Config a=\"1\" a=\"2\"><Id/></Config>",
            "bad attribute",
            Some("Config"),
        ),
        (
            "<Config a=1><Id/></Config>",
            "bad attribute",
            Some("Config"),
        ),
        (
            "<Config a=\"&bogus;\"><Id/></Config>",
            "unknown entity",
            Some("Config"),
        ),
        (
            "<Config a=\"&#0;\"><Id/></Config>",
            "invalid character reference",
            Some("Config"),
        ),
        (
            "<Config a=\"x & y\"><Id/></Config>",
            "does not start a reference",
            Some("Config"),
        ),
        (
            "<Config a=\"<\"><Id/></Config>",
            "`<` is not allowed",
            Some("Config"),
        ),
        (
            "<Config 1a=\"x\"><Id/></Config>",
            "not a valid attribute name",
            Some("Config"),
        ),
        (
            "<Config><Id>i</Id><U b=\"&nope;\"/></Config>",
            "unknown entity",
            Some("Config/U"),
        ),
        ("</Config>", "", None),
        ("<Config><Id>i</Id></Config></Config>", "", None),
    ];
    for (body, message, path) in cases {
        let error = parse_err(body);
        assert!(
            error.message().contains(message),
            "{body:?}: the message of {error:?} does not contain {message:?}"
        );
        assert_eq!(error.path(), *path, "{body:?}: the path of {error:?}");
        assert!(!error.message().is_empty(), "{body:?}");
    }
}

#[test]
fn invalid_utf8_is_an_error_with_a_path() {
    let error = parse_bytes_err(b"<Config><Id>a\xFFb</Id></Config>");
    assert_error(&error, "not valid UTF-8", Some("Config/Id"));
    assert!(error.message().contains("offset 13"), "{error:?}");
    let error = parse_bytes_err(b"<Config><Id>i</Id><Unknown>\xC3(</Unknown></Config>");
    assert_error(&error, "not valid UTF-8", Some("Config/Unknown"));
    let error = parse_bytes_err(b"<Config><Id>i</Id><N\xFF/></Config>");
    assert_error(&error, "not valid UTF-8", Some("Config"));
    let error = parse_bytes_err(b"<Config a=\"\xFF\"><Id>i</Id></Config>");
    assert_error(&error, "not valid UTF-8", None);
    let error = parse_bytes_err(b"<Config><Id>i</Id></Config>\xFF");
    assert_error(&error, "not valid UTF-8", None);
    let error = parse_bytes_err(b"\xFF<Config/>");
    assert_error(&error, "not valid UTF-8", None);
    // Once the reader has found the document malformed, it stays so.
    let mut r = Reader::new(b"<A>\xFF<B/></A>", &Limits::DEFAULT).unwrap();
    r.root().unwrap();
    let first = r.next_child().unwrap_err();
    assert_eq!(r.next_child().unwrap_err(), first);
    assert_eq!(r.skip().unwrap_err(), first);
}

#[test]
fn doctype_and_billion_laughs_are_rejected() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Config><Id>&lol9;</Id></Config>"#;
    assert_error(&parse_err(billion_laughs), "a DOCTYPE is not allowed", None);
    // Without the DOCTYPE, the entity is simply unknown.
    let error = parse_err("<Config><Id>&lol9;</Id></Config>");
    assert_error(&error, "unknown entity `&lol9;`", Some("Config/Id"));
    // A DOCTYPE inside the root element is rejected too.
    let error = parse_err("<Config><!DOCTYPE x><Id>i</Id></Config>");
    assert!(error.message().contains("DOCTYPE"), "{error:?}");
}

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

#[test]
fn body_size_limit() {
    let body = config("");
    let exact = Limits {
        max_body_bytes: body.len(),
        ..Limits::DEFAULT
    };
    assert_eq!(parse_with(body.as_bytes(), &exact).unwrap().id, "i");
    let smaller = Limits {
        max_body_bytes: body.len() - 1,
        ..Limits::DEFAULT
    };
    let error = parse_with(body.as_bytes(), &smaller).unwrap_err();
    let expected = format!(
        "the body is {} bytes long, more than the limit of {} bytes",
        body.len(),
        body.len() - 1
    );
    assert_error(&error, &expected, None);
}

#[test]
fn element_count_limit() {
    // Five elements, one of them skipped.
    let body = config("<Name>n</Name><Unknown><x/></Unknown>");
    let exact = Limits {
        max_elements: 5,
        ..Limits::DEFAULT
    };
    assert_eq!(parse_with(body.as_bytes(), &exact).unwrap().id, "i");
    let smaller = Limits {
        max_elements: 4,
        ..Limits::DEFAULT
    };
    let error = parse_with(body.as_bytes(), &smaller).unwrap_err();
    assert_error(
        &error,
        "the document has more than 4 elements",
        Some("Config/Unknown"),
    );
    let none = Limits {
        max_elements: 0,
        ..Limits::DEFAULT
    };
    let error = parse_with(body.as_bytes(), &none).unwrap_err();
    assert_error(&error, "more than 0 elements", None);
    // Many small elements under the default limit.
    let many = config(&"<Tag><Key>k</Key></Tag>".repeat(20_000));
    assert_eq!(parse_ok(&many).tags.map(|tags| tags.len()), Some(20_000));
    let over = Limits {
        max_elements: 30_000,
        ..Limits::DEFAULT
    };
    let error = parse_with(many.as_bytes(), &over).unwrap_err();
    assert_error(&error, "more than 30000 elements", Some("Config"));
}

#[test]
fn depth_limit() {
    let body = config("<Node><Node><Node/></Node></Node>");
    let exact = Limits {
        max_depth: 4,
        ..Limits::DEFAULT
    };
    assert!(parse_with(body.as_bytes(), &exact).is_ok());
    let smaller = Limits {
        max_depth: 3,
        ..Limits::DEFAULT
    };
    let error = parse_with(body.as_bytes(), &smaller).unwrap_err();
    assert_error(
        &error,
        "elements are nested more than 3 deep",
        Some("Config/Node/Node"),
    );
    // Skipped content counts too.
    let body = config("<Unknown><a><b/></a></Unknown>");
    assert!(parse_with(body.as_bytes(), &exact).is_ok());
    let error = parse_with(body.as_bytes(), &smaller).unwrap_err();
    assert_error(
        &error,
        "elements are nested more than 3 deep",
        Some("Config/Unknown"),
    );
    let none = Limits {
        max_depth: 0,
        ..Limits::DEFAULT
    };
    let error = parse_with(body.as_bytes(), &none).unwrap_err();
    assert_error(&error, "nested more than 0 deep", None);
    // The default: 64 levels are fine, 65 are not.
    let nested = |levels: usize| {
        format!(
            "<Config><Id>i</Id>{}{}</Config>",
            "<Node>".repeat(levels - 1),
            "</Node>".repeat(levels - 1)
        )
    };
    assert!(parse(&nested(64)).is_ok());
    let error = parse_err(&nested(65));
    assert!(
        error.message().contains("nested more than 64 deep"),
        "{error:?}"
    );
    assert_eq!(
        error.path().map(|path| path.split('/').count()),
        Some(64),
        "{error:?}"
    );
}

#[test]
fn very_deep_nesting_is_an_error_not_a_stack_overflow() {
    const LEVELS: usize = 100_000;
    // Elements the readers recurse into.
    let body = format!(
        "<Config><Id>i</Id>{}{}</Config>",
        "<Node>".repeat(LEVELS),
        "</Node>".repeat(LEVELS)
    );
    let error = parse_err(&body);
    assert!(
        error.message().contains("nested more than 64 deep"),
        "{error:?}"
    );
    // Elements that are skipped.
    let body = format!(
        "<Config><Id>i</Id>{}{}</Config>",
        "<x>".repeat(LEVELS),
        "</x>".repeat(LEVELS)
    );
    let error = parse_err(&body);
    assert_error(&error, "nested more than 64 deep", Some("Config/x"));
    // Unclosed.
    let body = format!("<Config>{}", "<x>".repeat(LEVELS));
    assert!(parse(&body).is_err());
    // Skipping works in a loop, so even without a depth limit it is safe.
    let unlimited = Limits {
        max_depth: usize::MAX,
        ..Limits::DEFAULT
    };
    let body = format!(
        "<Config><Id>i</Id><Skip>{}{}</Skip></Config>",
        "<x>".repeat(LEVELS),
        "</x>".repeat(LEVELS)
    );
    assert_eq!(parse_with(body.as_bytes(), &unlimited).unwrap().id, "i");
}

// ---------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------

#[test]
fn every_truncation_of_the_sample_is_an_error() {
    let end = SAMPLE.find("</Config>").unwrap() + "</Config>".len();
    for cut in 0..=SAMPLE.len() {
        let body = &SAMPLE.as_bytes()[..cut];
        let result = parse_with(body, &Limits::DEFAULT);
        if cut < end {
            let error = result.expect_err(&format!("cut at {cut} should be an error"));
            assert!(!error.message().is_empty());
        } else {
            assert_eq!(result.unwrap(), sample_value(), "cut at {cut}");
        }
    }
}

#[test]
fn every_single_byte_change_of_the_sample_is_handled() {
    let bytes = SAMPLE.as_bytes();
    for index in 0..bytes.len() {
        // Remove the byte.
        let mut removed = bytes.to_vec();
        removed.remove(index);
        let _ = parse_with(&removed, &Limits::DEFAULT);
        // Replace it with each markup character.
        for replacement in [
            b'<', b'>', b'/', b'&', b';', b'"', b'=', b':', b'!', b'?', 0xFF,
        ] {
            let mut changed = bytes.to_vec();
            changed[index] = replacement;
            if let Err(error) = parse_with(&changed, &Limits::DEFAULT) {
                assert!(!error.message().is_empty());
            }
        }
    }
}

/// Drives the reader through `body` with a random sequence of calls,
/// including calls made at the wrong time; none may panic.
fn random_walk(body: &[u8], rng: &mut Lcg) {
    let limits = Limits {
        max_depth: 8,
        max_elements: 200,
        max_body_bytes: 1 << 20,
    };
    let Ok(mut r) = Reader::new(body, &limits) else {
        return;
    };
    for _ in 0..100 {
        let outcome = match rng.below(8) {
            0 => r.root().map(|start| {
                let _ = start.attr("version");
            }),
            1..=3 => r.next_child().map(|child| {
                if let Some(child) = child {
                    let _ = (child.name(), child.local_name(), child.is_empty());
                    let _ = child.attr("a");
                }
            }),
            4 => r.text().map(drop),
            5 => r.text_cow().map(drop),
            6 => r.skip(),
            _ => r.finish(),
        };
        let _ = r.error("checked").to_string();
        if outcome.is_err() && rng.below(4) == 0 {
            return;
        }
    }
}

#[test]
fn random_mutations_never_panic() {
    const PIECES: &[&[u8]] = &[
        b"<",
        b">",
        b"/>",
        b"</",
        b"&",
        b";",
        b"&amp;",
        b"&#x",
        b"&#",
        b"&lol;",
        b"<![CDATA[",
        b"]]>",
        b"<!--",
        b"-->",
        b"<?",
        b"?>",
        b"<!DOCTYPE x>",
        b"<?xml version=\"1.0\"?>",
        b"\"",
        b"'",
        b"=",
        b":",
        b"s3:",
        b"xmlns=\"u\"",
        b" a=\"1\"",
        b"\r",
        b"\r\n",
        b"\xFF",
        b"\xC3",
        b"\xEF\xBB\xBF",
        b"\0",
        b"<Tag>",
        b"</Tag>",
        b"<Id>",
        b"</Id>",
        b"<Node>",
        b"<member>",
        b"<Filter/>",
    ];
    let seeds: Vec<Vec<u8>> = vec![
        SAMPLE.as_bytes().to_vec(),
        config("<Tag><Key>a</Key></Tag><Items><member><Name>n</Name></member></Items>")
            .into_bytes(),
        b"<A x=\"1\"><B>t</B><C/></A>".to_vec(),
    ];
    let mut rng = Lcg(0x5eed_1234_abcd_0042);
    let mut errors = 0;
    for _ in 0..20_000 {
        let mut doc = seeds[rng.below(seeds.len())].clone();
        for _ in 0..=rng.below(4) {
            let len = doc.len();
            match rng.below(6) {
                0 if len > 0 => {
                    doc.remove(rng.below(len));
                }
                1 => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    let at = rng.below(len + 1);
                    doc.splice(at..at, piece.iter().copied());
                }
                2 if len > 0 => {
                    let at = rng.below(len);
                    doc[at] = rng.next() as u8;
                }
                3 if len > 0 => {
                    doc.truncate(rng.below(len));
                }
                4 if len > 1 => {
                    let start = rng.below(len);
                    let end = (start + rng.below(64)).min(len);
                    let copy = doc[start..end].to_vec();
                    let at = rng.below(len + 1);
                    doc.splice(at..at, copy);
                }
                _ if len > 1 => {
                    let a = rng.below(len);
                    let b = rng.below(len);
                    doc.swap(a, b);
                }
                _ => {}
            }
        }
        match parse_with(&doc, &Limits::DEFAULT) {
            Ok(_) => {}
            Err(error) => {
                errors += 1;
                assert!(!error.message().is_empty());
                let _ = error.to_string();
            }
        }
        random_walk(&doc, &mut rng);
    }
    // Most mutations break the document; make sure the loop tested something.
    assert!(errors > 10_000, "only {errors} documents gave an error");
}
