//! Helpers for writing XML request bodies and reading XML error documents.

use crate::error::XmlError;
use quick_xml::Reader;
use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};

/// The starting capacity of a document's `String`: most S3 request and
/// response documents fit, so writing them does not reallocate.
pub const DOCUMENT_CAPACITY: usize = 1024;

/// Which bytes [`escape_into`] must look at: the ASCII characters it
/// escapes, and the first bytes of U+0085 (`C2 85`) and U+2028 (`E2 80 A8`).
/// Every other byte is copied as it is.
const ESCAPE_LEADS: [bool; 256] = {
    let mut table = [false; 256];
    let leads = [
        b'&', b'<', b'>', b'"', b'\'', b'\t', b'\n', b'\r', 0xC2, 0xE2,
    ];
    let mut i = 0;
    while i < leads.len() {
        table[leads[i] as usize] = true;
        i += 1;
    }
    table
};

/// Returns the escaped form of the character that starts `rest`, and its
/// length in bytes, or `None` if it can be written as it is.
///
/// Besides the five markup characters, this escapes the characters that an
/// XML parser would otherwise change: line ends (which are normalized to
/// `\n`) and tabs (which become spaces inside attribute values).
#[inline]
fn escaped(rest: &[u8]) -> Option<(&'static str, usize)> {
    match rest {
        [b'&', ..] => Some(("&amp;", 1)),
        [b'<', ..] => Some(("&lt;", 1)),
        [b'>', ..] => Some(("&gt;", 1)),
        [b'"', ..] => Some(("&quot;", 1)),
        [b'\'', ..] => Some(("&apos;", 1)),
        [b'\t', ..] => Some(("&#x9;", 1)),
        [b'\n', ..] => Some(("&#xA;", 1)),
        [b'\r', ..] => Some(("&#xD;", 1)),
        [0xC2, 0x85, ..] => Some(("&#x85;", 2)),
        [0xE2, 0x80, 0xA8, ..] => Some(("&#x2028;", 3)),
        _ => None,
    }
}

/// Appends `text` to `out`, escaped so that it can be used both as element
/// text and as an attribute value.
///
/// The characters `& < > " '` become `&amp; &lt; &gt; &quot; &apos;`. Tab,
/// line feed, carriage return, U+0085 and U+2028 become character
/// references (such as `&#xD;`), because an XML parser would otherwise turn
/// them into a plain line feed or a space. The bytes are scanned for the few
/// that can start such a character, and the runs between them are appended
/// whole: when nothing needs escaping, the text is appended with one copy.
pub fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut copied_up_to = 0;
    // Where to look for the next byte that may need escaping.
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|rest| {
        rest.iter()
            .position(|&byte| ESCAPE_LEADS[usize::from(byte)])
    }) {
        // `index` is at a character boundary: the byte is ASCII or a lead byte.
        let index = from + found;
        match bytes.get(index..).and_then(escaped) {
            Some((replacement, len)) => {
                out.push_str(text.get(copied_up_to..index).unwrap_or_default());
                out.push_str(replacement);
                copied_up_to = index + len;
                from = copied_up_to;
            }
            None => from = index + 1,
        }
    }
    out.push_str(text.get(copied_up_to..).unwrap_or_default());
}

/// Writes an element whose tags the generated code knows: `open` is the
/// whole start tag (`<Tag>`, or `<Tag xmlns="…">`) and `close` the end tag
/// (`</Tag>`). `text` is escaped; an empty `text` gives `<Tag/>`.
///
/// Always inlined, so that the tags, which are constants at every call, are
/// copied without a call to `memcpy`; the empty element, which is rare, is
/// written out of line, so that each call is one path, not two.
#[inline(always)]
pub fn leaf(out: &mut String, open: &str, close: &str, text: &str) {
    if text.is_empty() {
        empty_leaf(out, open);
    } else {
        out.push_str(open);
        escape_into(out, text);
        out.push_str(close);
    }
}

/// The empty element `<Tag/>` of the start tag `open` (see [`leaf`]).
#[inline(never)]
fn empty_leaf(out: &mut String, open: &str) {
    out.push_str(open.strip_suffix('>').unwrap_or(open));
    out.push_str("/>");
}

/// Writes an element whose tags the generated code knows (see [`leaf`])
/// and whose text is a number or boolean.
#[inline]
pub fn display_leaf(out: &mut String, open: &str, close: &str, value: impl std::fmt::Display) {
    use std::fmt::Write as _;
    out.push_str(open);
    // Writing into a String cannot fail.
    let _ = write!(out, "{value}");
    out.push_str(close);
}

/// Writes an element whose tags the generated code knows (see [`leaf`])
/// and whose text is a floating-point number (see [`float_text`]).
#[inline]
pub fn float_leaf<F>(out: &mut String, open: &str, close: &str, value: F)
where
    F: Copy + Into<f64> + std::fmt::Display,
{
    let wide: f64 = value.into();
    if wide.is_finite() {
        display_leaf(out, open, close, value);
    } else {
        leaf(out, open, close, &float_text(value));
    }
}

/// Ends an element whose start tag the generated code wrote whole, ending
/// in `>`, after which `out` was `mark` bytes long: `close` (`</Tag>`), or
/// `/>` in place of the `>` when nothing was written since. Always inlined,
/// like [`leaf`].
#[inline(always)]
pub fn end(out: &mut String, close: &str, mark: usize) {
    if out.len() == mark {
        close_empty(out);
    } else {
        out.push_str(close);
    }
}

/// Turns the `>` that ends `out` into `/>` (see [`end`]), out of line.
#[inline(never)]
fn close_empty(out: &mut String) {
    out.pop();
    out.push_str("/>");
}

/// Writes an element whose content a structure or union writes: `open`
/// (`<Tag` and any attribute text), then `write` (the value's own
/// attributes, `>` and content, returning the length after the `>`), then
/// the end (see [`end`]).
#[inline(always)]
pub fn nested<E>(
    out: &mut String,
    open: &str,
    close: &str,
    write: impl FnOnce(&mut String) -> Result<usize, E>,
) -> Result<(), E> {
    out.push_str(open);
    let mark = write(out)?;
    end(out, close, mark);
    Ok(())
}

/// Whether `body` holds nothing but XML whitespace (an empty document).
pub fn is_blank(body: &[u8]) -> bool {
    body.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Writes the start of an element, `<tag` plus `attrs` (pre-rendered
/// attribute text such as ` xmlns="…"`), without the closing `>`.
pub fn open(out: &mut String, tag: &str, attrs: &str) {
    out.push('<');
    out.push_str(tag);
    out.push_str(attrs);
}

/// Ends the start tag begun by [`open`] and returns a mark for [`close`].
pub fn open_end(out: &mut String) -> usize {
    let mark = out.len();
    out.push('>');
    mark
}

/// Closes an element: `</tag>`, or `/>` in place of `>` when nothing was
/// written since [`open_end`] returned `mark`.
pub fn close(out: &mut String, tag: &str, mark: usize) {
    if out.len() == mark + 1 {
        out.truncate(mark);
        out.push_str("/>");
    } else {
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
}

/// The text of a floating-point number as Smithy spells it: `NaN`,
/// `Infinity` and `-Infinity` for the special values, otherwise the shortest
/// decimal that reads back as the same number (in its own precision). Used
/// for XML text, attributes, headers and query strings alike.
pub fn float_text<F>(value: F) -> String
where
    F: Copy + Into<f64> + std::fmt::Display,
{
    let wide: f64 = value.into();
    if wide.is_nan() {
        "NaN".to_owned()
    } else if wide.is_infinite() {
        if wide > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        value.to_string()
    }
}

/// Writes ` name="value"` with `value` escaped.
pub fn attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value);
    out.push('"');
}

/// Limits that protect the XML reader from very large or deeply nested input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most elements that may be open at once; the root element counts as one.
    pub max_depth: usize,
    /// The largest body, in bytes, that will be read.
    pub max_body_bytes: usize,
}

/// The limits used for error documents: elements nested at most 64 deep,
/// and a body of at most 1 MiB (1,048,576 bytes). Real S3 error documents
/// are two levels deep and well under a kilobyte.
pub const DEFAULT_LIMITS: Limits = Limits {
    max_depth: 64,
    max_body_bytes: 1024 * 1024,
};

/// The fields of an S3 error document.
///
/// Each field is `None` when its element is missing, and `Some("")` when
/// the element is present but empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorDocument {
    /// The text of the `<Code>` element.
    pub code: Option<String>,
    /// The text of the `<Message>` element.
    pub message: Option<String>,
    /// The text of the `<RequestId>` element.
    pub request_id: Option<String>,
    /// The text of the `<HostId>` element.
    pub host_id: Option<String>,
}

/// Returns true for the whitespace characters that XML allows between elements.
fn is_xml_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Returns true if the first element of `body` is named `Error`.
///
/// A byte order mark, the XML declaration, whitespace, comments and
/// processing instructions may come before it. A namespace prefix on the
/// name (as in `<s3:Error>`) is ignored. Returns false for empty or
/// malformed input, and for a document with a DOCTYPE.
pub fn is_error_document(body: &[u8]) -> bool {
    let mut reader = Reader::from_reader(body);
    loop {
        match reader.read_event() {
            Ok(Event::Start(element) | Event::Empty(element)) => {
                return element.local_name().as_ref() == b"Error";
            }
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_)) => {}
            Ok(Event::Text(text)) if text.iter().copied().all(is_xml_whitespace) => {}
            _ => return false,
        }
    }
}

/// One of the elements of an error document that we keep.
#[derive(Debug, Clone, Copy)]
enum Field {
    Code,
    Message,
    RequestId,
    HostId,
}

impl Field {
    /// Returns the field for an element name, if it is one we keep.
    fn from_name(name: &str) -> Option<Field> {
        match name {
            "Code" => Some(Field::Code),
            "Message" => Some(Field::Message),
            "RequestId" => Some(Field::RequestId),
            "HostId" => Some(Field::HostId),
            _ => None,
        }
    }

    /// Returns the place in `document` where this field is stored.
    fn slot(self, document: &mut ErrorDocument) -> &mut Option<String> {
        match self {
            Field::Code => &mut document.code,
            Field::Message => &mut document.message,
            Field::RequestId => &mut document.request_id,
            Field::HostId => &mut document.host_id,
        }
    }

    /// Returns the field stored by the element at `path`, if any.
    ///
    /// The fields are the children of `<Error>`, either at the root or inside
    /// one wrapper element. In the wrapped form, `<RequestId>` and `<HostId>`
    /// may also be direct children of the wrapper.
    fn at(path: &[String]) -> Option<Field> {
        match path {
            [root, name] if root == "Error" => Field::from_name(name),
            [_, name] if name == "RequestId" || name == "HostId" => Field::from_name(name),
            [root, error, name] if root != "Error" && error == "Error" => Field::from_name(name),
            _ => None,
        }
    }
}

/// The field being read: which field, the depth of its element (the root
/// is at depth 1), and its text so far.
type Capture = (Field, usize, String);

/// Reads an S3 error document.
///
/// Both the bare form, `<Error><Code>…</Code><Message>…</Message>…</Error>`,
/// and the wrapped form, `<ErrorResponse><Error>…</Error><RequestId>…</RequestId></ErrorResponse>`,
/// are accepted. Namespace prefixes on element names are ignored, and
/// unknown elements are skipped. Text is unescaped: the five predefined
/// entities and character references are decoded (so `&#xD;` gives a
/// carriage return), and literal line ends are normalized to `\n` as XML 1.0
/// requires.
///
/// Returns an error if the body is larger than `limits.max_body_bytes`,
/// nests elements deeper than `limits.max_depth`, is not well-formed XML or
/// not UTF-8, ends early, has text outside the root element, or contains a
/// DOCTYPE or an entity other than the five predefined ones.
pub fn read_error_document(body: &[u8], limits: &Limits) -> Result<ErrorDocument, XmlError> {
    if body.len() > limits.max_body_bytes {
        return Err(XmlError::new(format!(
            "the body is {} bytes long, more than the limit of {} bytes",
            body.len(),
            limits.max_body_bytes
        )));
    }
    let mut reader = Reader::from_reader(body);
    let mut document = ErrorDocument::default();
    // The names of the open elements, from the root down.
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<Capture> = None;
    let mut seen_root = false;
    let fail = |path: &[String], message: String| {
        if path.is_empty() {
            XmlError::new(message)
        } else {
            XmlError::at(message, path.join("/"))
        }
    };
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let message = format!("{error} (at byte {})", reader.error_position());
                return Err(fail(&path, message));
            }
        };
        let (start, is_empty) = match event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) => {
                // The reader has already checked that the names match.
                close_element(&mut path, &mut current, &mut document);
                continue;
            }
            Event::Text(text) => {
                let text = text
                    .xml10_content()
                    .map_err(|e| fail(&path, e.to_string()))?;
                if path.is_empty() && !text.bytes().all(is_xml_whitespace) {
                    return Err(XmlError::new("there is text outside the root element"));
                }
                append_text(&path, &mut current, &text);
                continue;
            }
            Event::CData(_) | Event::GeneralRef(_) if path.is_empty() => {
                return Err(XmlError::new("there is text outside the root element"));
            }
            Event::CData(data) => {
                let text = data
                    .xml10_content()
                    .map_err(|e| fail(&path, e.to_string()))?;
                append_text(&path, &mut current, &text);
                continue;
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().map_err(|e| fail(&path, e.to_string()))?;
                let ch = resolve_reference(&name).ok_or_else(|| {
                    fail(&path, format!("unknown or invalid reference `&{name};`"))
                })?;
                append_text(&path, &mut current, ch.encode_utf8(&mut [0; 4]));
                continue;
            }
            Event::DocType(_) => {
                return Err(fail(&path, "a DOCTYPE is not allowed".to_owned()));
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => continue,
            Event::Eof if !path.is_empty() => {
                let message = "the document ends before this element is closed".to_owned();
                return Err(fail(&path, message));
            }
            Event::Eof if !seen_root => {
                return Err(XmlError::new("the document has no root element"));
            }
            Event::Eof => return Ok(document),
        };
        if path.is_empty() && seen_root {
            return Err(XmlError::new("the document has more than one root element"));
        }
        if path.len() >= limits.max_depth {
            let message = format!("elements are nested more than {} deep", limits.max_depth);
            return Err(fail(&path, message));
        }
        let name = local_name(&start, reader.decoder()).map_err(|message| fail(&path, message))?;
        seen_root = true;
        path.push(name);
        if let (None, Some(field)) = (&current, Field::at(&path)) {
            current = Some((field, path.len(), String::new()));
        }
        if is_empty {
            close_element(&mut path, &mut current, &mut document);
        }
    }
}

/// Returns the name of an element without its namespace prefix, after
/// checking that the name and the attributes are well-formed. The
/// attributes are not used otherwise.
fn local_name(start: &BytesStart<'_>, decoder: Decoder) -> Result<String, String> {
    let qualified_name = decoder
        .decode(start.name().as_ref())
        .map_err(|e| e.to_string())?
        .into_owned();
    if !is_name(&qualified_name) {
        return Err(format!("`{qualified_name}` is not an element name"));
    }
    for attribute in start.attributes() {
        attribute
            .map_err(|e| e.to_string())
            .and_then(|a| {
                a.decode_and_unescape_value(decoder)
                    .map_err(|e| e.to_string())
            })
            .map_err(|message| format!("bad attribute in <{qualified_name}>: {message}"))?;
    }
    match qualified_name.split_once(':') {
        Some((_, local)) => Ok(local.to_owned()),
        None => Ok(qualified_name),
    }
}

/// Returns true if `name` can be an XML name. This is a simplified check:
/// any non-ASCII character is accepted, but of ASCII characters only
/// letters, digits, `-`, `.`, `_` and `:` are, and a name cannot start with
/// a digit, `-` or `.`.
fn is_name(name: &str) -> bool {
    let allowed = |ch: char| !ch.is_ascii() || ch.is_ascii_alphanumeric() || "-._:".contains(ch);
    match name.chars().next() {
        Some(first) => {
            !first.is_ascii_digit() && first != '-' && first != '.' && name.chars().all(allowed)
        }
        None => false,
    }
}

/// Closes the innermost open element, storing the field it holds, if any.
fn close_element(
    path: &mut Vec<String>,
    current: &mut Option<Capture>,
    document: &mut ErrorDocument,
) {
    if let Some((field, _, text)) = current.take_if(|(_, depth, _)| *depth == path.len()) {
        *field.slot(document) = Some(text);
    }
    path.pop();
}

/// Adds text found directly inside the element at `path` to the field
/// being read, if that element is the field's element.
fn append_text(path: &[String], current: &mut Option<Capture>, text: &str) {
    if let Some((_, _, value)) = current
        .as_mut()
        .filter(|(_, depth, _)| *depth == path.len())
    {
        value.push_str(text);
    }
}

/// Returns the character for a reference such as `amp` or `#x41` (the part
/// between `&` and `;`), or `None` if it is not a predefined entity or a
/// valid character reference.
fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => {
            let number = name.strip_prefix('#')?;
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            // `from_str_radix` alone would also accept a leading `+`.
            if !digits.chars().all(|ch| ch.is_digit(radix)) {
                return None;
            }
            let code = u32::from_str_radix(digits, radix).ok()?;
            char::from_u32(code).filter(|&ch| ch != '\0')
        }
    }
}

/// A structure or union that is also a whole XML document: `to_xml` and
/// `from_xml`, written once here for every such type.
///
/// A generated type implements the two required methods by handing over to
/// its own element writer and reader; the document functions around them
/// (the root element, the reader's limits) are the same for every type.
pub trait XmlDocument: Sized {
    /// The start of the root element's start tag, with any namespace
    /// declaration: `<Tag xmlns="…"` (the writer adds the `>`).
    const ROOT_START: &'static str;
    /// The root element's end tag: `</Tag>`.
    const ROOT_END: &'static str;

    /// Writes the value after `ROOT_START`: its attributes, the `>` and its
    /// content. Returns the length of `out` after the `>`, for [`end`].
    fn write_content(&self, out: &mut String) -> Result<usize, crate::error::BuildError>;

    /// Reads the value from the root element `start`, which the reader has
    /// just entered.
    fn read_root(
        r: &mut crate::xml_read::Reader<'_>,
        start: &crate::xml_read::Start<'_>,
    ) -> Result<Self, XmlError>;

    /// This value as an XML document with its root element, as it travels
    /// in a request or response body.
    #[inline]
    fn to_xml(&self) -> Result<String, crate::error::BuildError> {
        let mut out = String::with_capacity(DOCUMENT_CAPACITY);
        out.push_str(Self::ROOT_START);
        let mark = self.write_content(&mut out)?;
        end(&mut out, Self::ROOT_END, mark);
        Ok(out)
    }

    /// Reads an XML document with this value at its root (whatever the root
    /// element's name), within the reader's limits: nesting depth 64,
    /// 1,000,000 elements, 64 MiB.
    fn from_xml(body: &[u8]) -> Result<Self, XmlError> {
        let mut reader = crate::xml_read::Reader::new(body, &crate::xml_read::Limits::DEFAULT)?;
        let start = reader.root()?;
        let value = Self::read_root(&mut reader, &start)?;
        reader.finish()?;
        Ok(value)
    }
}

/// Implements [`XmlDocument`] for a generated structure (or, with `union`,
/// a union) from its root element's start (`<Tag xmlns="…"`) and end tag,
/// and its `write_xml` and `read_xml` methods. A union's root element must
/// hold one member; `$empty` says so when it holds none.
#[macro_export]
macro_rules! xml_document {
    ($t:ty, $start:literal, $end:literal) => {
        impl $crate::xml::XmlDocument for $t {
            const ROOT_START: &'static str = $start;
            const ROOT_END: &'static str = $end;
            fn write_content(&self, out: &mut String) -> Result<usize, $crate::error::BuildError> {
                self.write_xml(out)
            }
            fn read_root(
                r: &mut $crate::xml_read::Reader<'_>,
                start: &$crate::xml_read::Start<'_>,
            ) -> Result<Self, $crate::error::XmlError> {
                Self::read_xml(r, start)
            }
        }
    };
    (union $t:ty, $start:literal, $end:literal, $empty:literal) => {
        impl $crate::xml::XmlDocument for $t {
            const ROOT_START: &'static str = $start;
            const ROOT_END: &'static str = $end;
            fn write_content(&self, out: &mut String) -> Result<usize, $crate::error::BuildError> {
                self.write_xml(out)
            }
            fn read_root(
                r: &mut $crate::xml_read::Reader<'_>,
                start: &$crate::xml_read::Start<'_>,
            ) -> Result<Self, $crate::error::XmlError> {
                Self::read_xml(r, start)?.ok_or_else(|| r.error($empty))
            }
        }
    };
}
