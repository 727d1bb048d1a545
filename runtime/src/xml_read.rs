//! A streaming reader for XML response bodies.
//!
//! The generated `read_xml` functions drive a [`Reader`] to read structures,
//! unions, lists and maps. The reader walks the document one element at a
//! time: [`Reader::root`] opens the root element, [`Reader::next_child`]
//! opens the next child of the element that is open, and [`Reader::text`]
//! or [`Reader::skip`] read or skip an element to its end. Element names are
//! matched by their local name, so namespace prefixes never matter.
//!
//! The reader borrows the body and does not copy it: element names are
//! slices of the body, and text is copied only once, into the returned
//! `String`. Every problem in the document, and every call made at the
//! wrong time, gives an [`XmlError`] that names the element where it was
//! found; nothing panics, and nothing recurses on the input.
//!
//! The reader splits the body into tags, text, references and the other
//! pieces of markup itself (its private `scan`), and keeps the one stack
//! of open elements that both the end-tag check and the error paths use.
//! quick-xml is used only to parse attributes that are not in the plain
//! form a start tag nearly always has.

use crate::error::XmlError;
use crate::primitives::TimestampFormat;
use crate::text::Text;
use quick_xml::events::BytesStart;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Limits that protect the reader from very large or deeply nested input.
///
/// A document that goes over a limit is rejected with an [`XmlError`] that
/// says which limit it broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most elements that may be open at once; the root element counts
    /// as one. This also bounds how deeply the generated readers call each
    /// other, because each nested structure is one level deeper.
    pub max_depth: usize,
    /// The most elements the document may contain, counting every element,
    /// including the root and the elements that are skipped.
    pub max_elements: usize,
    /// The largest body, in bytes, that will be read.
    pub max_body_bytes: usize,
}

impl Limits {
    /// The default limits: elements nested at most 64 deep, at most
    /// 1,000,000 elements, and a body of at most 64 MiB (67,108,864 bytes).
    ///
    /// S3 response documents are rarely more than six levels deep, and the
    /// largest ones (listings of 1,000 objects or parts) have tens of
    /// thousands of elements in a few hundred kilobytes, so these limits are
    /// far above what S3 sends while still bounding the memory and time a
    /// hostile body can use.
    pub const DEFAULT: Limits = Limits {
        max_depth: 64,
        max_elements: 1_000_000,
        max_body_bytes: 64 * 1024 * 1024,
    };
}

impl Default for Limits {
    /// Returns [`Limits::DEFAULT`].
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The byte order mark that may begin a UTF-8 document.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The longest piece of the input quoted in an error message, in characters.
const EXCERPT_CHARS: usize = 64;

/// How far the reader has got through the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the root element: [`Reader::root`] has not found it yet.
    Prolog,
    /// The root element is open.
    Root,
    /// The root element has been read to its end.
    Epilog,
    /// [`Reader::finish`] has checked the rest of the document.
    Done,
}

/// An open element, as remembered by the reader.
#[derive(Debug, Clone, Copy)]
struct Frame<'a> {
    /// The element's name as written, with its prefix if it has one; its
    /// end tag must repeat it exactly.
    qualified: &'a [u8],
    /// The local name of the element.
    name: &'a str,
    /// The element's place in a run of consecutive siblings with the same
    /// name, counting from 1.
    ordinal: usize,
    /// True for an empty-element tag such as `<X/>`, which has no content
    /// and no end tag to read.
    empty: bool,
    /// The local name of the element's most recent child, or `""` before
    /// the first child.
    last_child: &'a str,
    /// The ordinal of the element's most recent child.
    last_child_ordinal: usize,
}

/// One piece of the document, as [`Reader::scan`] splits it off the body.
/// Every slice borrows from the body.
#[derive(Debug, Clone, Copy)]
enum Event<'a> {
    /// A start tag, such as `<X a="1">`.
    Start(Tag<'a>),
    /// An empty-element tag, such as `<X/>`.
    Empty(Tag<'a>),
    /// An end tag: the name it closes, without trailing whitespace.
    End(&'a [u8]),
    /// Character data up to the next `<` or `&`, as written.
    Text(&'a [u8]),
    /// The content of a CDATA section.
    CData(&'a [u8]),
    /// A reference: the part between `&` and `;`.
    GeneralRef(&'a [u8]),
    /// A comment.
    Comment,
    /// A processing instruction other than the XML declaration.
    PI,
    /// The XML declaration (`<?xml …?>`).
    Decl,
    /// A document type declaration (`<!DOCTYPE`), which is never read on.
    DocType,
    /// The end of the body.
    Eof,
}

/// A start or empty-element tag.
#[derive(Debug, Clone, Copy)]
struct Tag<'a> {
    /// What lies between `<` and `>` (or `/>`): the name, then the
    /// attributes.
    content: &'a [u8],
    /// The length of the name at the start of `content`.
    name_len: usize,
}

impl<'a> Tag<'a> {
    /// The element's qualified name, as written.
    fn name(&self) -> &'a [u8] {
        self.content.get(..self.name_len).unwrap_or(self.content)
    }

    /// Everything after the name: the attributes and the whitespace
    /// around them.
    fn attributes_raw(&self) -> &'a [u8] {
        self.content.get(self.name_len..).unwrap_or_default()
    }
}

/// A malformed piece of markup: what is wrong, and the offset in the body
/// where the piece starts.
#[derive(Debug)]
struct Malformed {
    message: &'static str,
    at: usize,
}

/// The start tag of an element that the reader has opened.
///
/// It borrows from the body. Use [`Start::name`] to decide what the element
/// is, and [`Start::attr`] to read its attributes.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    /// The content of the start tag between `<` and `>` (or `/>`): the
    /// qualified name, then the attributes.
    content: &'a str,
    /// The length of the qualified name at the start of `content`.
    name_len: usize,
    /// The local name of the element.
    name: &'a str,
    /// True for an empty-element tag such as `<X/>`.
    empty: bool,
}

impl<'a> Start<'a> {
    /// Returns the element's local name (the name without a namespace
    /// prefix), as bytes for matching against byte-string literals.
    #[inline]
    pub fn name(&self) -> &'a [u8] {
        self.name.as_bytes()
    }

    /// Returns the element's local name as text.
    #[inline]
    pub fn local_name(&self) -> &'a str {
        self.name
    }

    /// Returns true if the element was written as an empty-element tag,
    /// such as `<X/>`.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Returns the value of the attribute whose local name is `local_name`,
    /// or `None` if the element has no such attribute.
    ///
    /// A namespace prefix on the attribute name is ignored, so
    /// `attr("type")` finds `xsi:type`. Namespace declarations (`xmlns` and
    /// `xmlns:*`) are never returned. The value is unescaped: the five
    /// predefined entities and character references are decoded, and
    /// literal tabs and line ends become spaces as XML 1.0 requires. When
    /// several attributes have the same local name, the first one is
    /// returned.
    ///
    /// The reader checks every attribute when it reads the start tag, so
    /// this gives an error only for a `Start` whose tag was never checked.
    pub fn attr(&self, local_name: &str) -> Result<Option<String>, XmlError> {
        let tag = BytesStart::from_content(self.content, self.name_len);
        for attribute in tag.attributes() {
            let attribute = attribute.map_err(|error| {
                XmlError::new(format!(
                    "bad attribute in <{}>: {error}",
                    excerpt(self.name.as_bytes())
                ))
            })?;
            let key = attribute.key.as_ref();
            if is_namespace_declaration(key) || local_part(key) != local_name.as_bytes() {
                continue;
            }
            return attribute_value(&attribute.value)
                .map(|value| Some(value.into_owned()))
                .map_err(XmlError::new);
        }
        Ok(None)
    }
}

/// A pull reader over one XML document, driven by generated code.
///
/// The reader keeps track of the open elements. The element that
/// [`Reader::root`] or [`Reader::next_child`] returned most recently and
/// that has not been read to its end is the *current* element: the next
/// call reads its children ([`Reader::next_child`]), its text
/// ([`Reader::text`]), or skips it ([`Reader::skip`]).
pub struct Reader<'a> {
    /// The whole body.
    body: &'a [u8],
    /// The longest prefix of the body that is valid UTF-8 (the whole body
    /// when it is valid). Names and text are sliced from it, so they need
    /// no second check.
    text: &'a str,
    /// True if the body holds a carriage return anywhere, so that text may
    /// need its line ends normalized; checked once for the whole body.
    has_cr: bool,
    /// Where the next token starts, as an offset into the body.
    pos: usize,
    /// The limits the document must stay within.
    limits: Limits,
    /// How many elements have been read so far, skipped ones included.
    elements: usize,
    /// The open elements, from the root down.
    stack: Vec<Frame<'a>>,
    /// The qualified names of the elements open inside the one that
    /// [`Reader::skip`] is skipping, so that their end tags can be checked.
    skipped: Vec<&'a [u8]>,
    /// The local name and ordinal of the element the last call finished, so
    /// that the error path can still name it.
    finished: Option<(&'a str, usize)>,
    /// How far the reader has got through the document.
    phase: Phase,
    /// True once a comment, processing instruction or XML declaration has
    /// been read, after which an XML declaration is out of place.
    seen_markup: bool,
    /// The error the tokenizer reported, if it has: the reader does not
    /// read on after one, and gives the same error again.
    failed: Option<XmlError>,
}

impl<'a> Reader<'a> {
    /// Creates a reader for `body`.
    ///
    /// Returns an error if the body is longer than `limits.max_body_bytes`.
    /// Nothing else is read until [`Reader::root`] is called.
    pub fn new(body: &'a [u8], limits: &Limits) -> Result<Self, XmlError> {
        if body.len() > limits.max_body_bytes {
            return Err(XmlError::new(format!(
                "the body is {} bytes long, more than the limit of {} bytes",
                body.len(),
                limits.max_body_bytes
            )));
        }
        let text = match std::str::from_utf8(body) {
            Ok(text) => text,
            Err(error) => body
                .get(..error.valid_up_to())
                .and_then(|valid| std::str::from_utf8(valid).ok())
                .unwrap_or_default(),
        };
        Ok(Reader {
            body,
            text,
            // In chunks with no branch per byte, which the compiler vectorizes.
            has_cr: body.chunks(64).any(|chunk| {
                chunk
                    .iter()
                    .fold(false, |found, &byte| found | (byte == b'\r'))
            }),
            pos: if body.starts_with(UTF8_BOM) {
                UTF8_BOM.len()
            } else {
                0
            },
            limits: *limits,
            elements: 0,
            stack: Vec::with_capacity(limits.max_depth.min(16)),
            skipped: Vec::new(),
            finished: None,
            phase: Phase::Prolog,
            seen_markup: false,
            failed: None,
        })
    }

    /// Opens the root element and returns its start tag.
    ///
    /// A byte order mark, the XML declaration, comments, processing
    /// instructions and whitespace may come before the root element. Returns
    /// an error for a DOCTYPE, for text before the root element, for a
    /// document without an element, and when called a second time.
    pub fn root(&mut self) -> Result<Start<'a>, XmlError> {
        if self.phase != Phase::Prolog {
            return Err(self.error("root() was called more than once"));
        }
        loop {
            match self.next_event()? {
                Event::Start(tag) => {
                    self.phase = Phase::Root;
                    return self.open(tag, false);
                }
                Event::Empty(tag) => {
                    self.phase = Phase::Root;
                    return self.open(tag, true);
                }
                Event::Decl if !self.seen_markup => self.seen_markup = true,
                Event::Decl => return Err(self.misplaced_declaration()),
                Event::Comment | Event::PI => self.seen_markup = true,
                Event::Text(text) if is_whitespace(text) => {}
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(XmlError::new("text outside the root element"));
                }
                Event::DocType => return Err(self.doctype()),
                Event::End(_) => {
                    return Err(XmlError::new("an end tag comes before the root element"));
                }
                Event::Eof => return Err(XmlError::new("the document has no root element")),
            }
        }
    }

    /// Opens the next child element of the current element and returns its
    /// start tag; the child becomes the current element.
    ///
    /// Returns `None` once the current element's end tag has been read: the
    /// element is then finished, and its parent is current again. Comments,
    /// processing instructions and whitespace between elements are skipped.
    /// Other text where an element belongs is an error, and so is calling
    /// this when no element is open.
    #[inline]
    pub fn next_child(&mut self) -> Result<Option<Start<'a>>, XmlError> {
        let (qualified, empty) = self.current("next_child")?;
        self.finished = None;
        if empty {
            self.close();
            return Ok(None);
        }
        loop {
            match self.next_event()? {
                Event::Start(tag) => return self.open(tag, false).map(Some),
                Event::Empty(tag) => return self.open(tag, true).map(Some),
                Event::End(name) => {
                    self.check_end(name, qualified)?;
                    self.close();
                    return Ok(None);
                }
                Event::Text(text) if is_whitespace(text) => {}
                // A CDATA section between elements is explicitly marked
                // character data, which a structure has no place for: it is
                // skipped like a comment (services send such mixed content).
                Event::CData(_) => {}
                Event::Text(_) | Event::GeneralRef(_) => {
                    return Err(self.error("text where an element belongs"));
                }
                Event::Comment | Event::PI => {}
                Event::Decl => return Err(self.misplaced_declaration()),
                Event::DocType => return Err(self.doctype()),
                Event::Eof => return Err(self.unexpected_end()),
            }
        }
    }

    /// Reads the whole text content of the current element, including its
    /// end tag, and returns it.
    ///
    /// Text, CDATA sections and references are joined in order. The five
    /// predefined entities (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`) and
    /// character references (such as `&#xD;`) are decoded; any other entity
    /// is an error. Literal line ends are normalized to `\n` as XML 1.0
    /// requires, and whitespace is kept as it is. Comments and processing
    /// instructions are skipped. A child element is an error. An empty
    /// element gives `""`.
    #[inline]
    pub fn text(&mut self) -> Result<String, XmlError> {
        self.text_cow().map(Cow::into_owned)
    }

    /// Does the same as [`Reader::text`], but borrows the text from the body
    /// when it needs no decoding, so reading a number, a boolean, a
    /// timestamp or an enum value does not allocate.
    pub fn text_cow(&mut self) -> Result<Cow<'a, str>, XmlError> {
        let (qualified, empty) = self.current("text")?;
        self.finished = None;
        if empty {
            self.close();
            return Ok(Cow::Borrowed(""));
        }
        let mut text = Cow::Borrowed("");
        loop {
            match self.next_event()? {
                Event::Text(piece) => {
                    append(&mut text, self.line_ends_normalized(piece)?);
                }
                Event::CData(piece) => {
                    append(&mut text, self.line_ends_normalized(piece)?);
                }
                Event::GeneralRef(reference) => {
                    let ch = self.resolve(reference)?;
                    text.to_mut().push(ch);
                }
                Event::End(name) => {
                    self.check_end(name, qualified)?;
                    self.close();
                    return Ok(text);
                }
                Event::Start(tag) | Event::Empty(tag) => {
                    return Err(self.element_in_text(tag.name()));
                }
                Event::Comment | Event::PI => {}
                Event::Decl => return Err(self.misplaced_declaration()),
                Event::DocType => return Err(self.doctype()),
                Event::Eof => return Err(self.unexpected_end()),
            }
        }
    }

    /// Reads the element just entered as the scalar member `member` into
    /// `slot` (timestamps in the `date-time` format). A second element for
    /// the same member, or text that is not a value of `T`, is an error.
    #[inline]
    pub fn scalar<T: Text>(&mut self, slot: &mut Option<T>, member: &str) -> Result<(), XmlError> {
        self.scalar_as(slot, member, TimestampFormat::DateTime)
    }

    /// [`Reader::scalar`] with a timestamp in `format`.
    #[inline]
    pub fn scalar_as<T: Text>(
        &mut self,
        slot: &mut Option<T>,
        member: &str,
        format: TimestampFormat,
    ) -> Result<(), XmlError> {
        if slot.is_some() {
            return Err(self.repeated(member));
        }
        let text = self.text_cow()?;
        match T::from_text(text, format) {
            Ok(value) => *slot = Some(value),
            Err(e) => return Err(self.invalid(member, e)),
        }
        Ok(())
    }

    /// Reads the element just entered as member `member` into `slot` with
    /// `read`; a second element for the same member is an error.
    #[inline]
    pub fn once<T>(
        &mut self,
        slot: &mut Option<T>,
        member: &str,
        read: impl FnOnce(&mut Self) -> Result<T, XmlError>,
    ) -> Result<(), XmlError> {
        if slot.is_some() {
            return Err(self.repeated(member));
        }
        *slot = Some(read(self)?);
        Ok(())
    }

    /// Reads the element just entered with `read`, which finds no value in
    /// an empty union element; a value is member `member`'s, and a second
    /// one for the same member is an error.
    #[inline]
    pub fn once_some<T>(
        &mut self,
        slot: &mut Option<T>,
        member: &str,
        read: impl FnOnce(&mut Self) -> Result<Option<T>, XmlError>,
    ) -> Result<(), XmlError> {
        if let Some(value) = read(self)? {
            if slot.is_some() {
                return Err(self.repeated(member));
            }
            *slot = Some(value);
        }
        Ok(())
    }

    /// Checks that member `member`, whose element was just entered, has not
    /// been read into `slot` yet: a second element for the same member is
    /// an error. The generated readers then read the element themselves,
    /// as [`Reader::once`] does through a closure.
    #[inline]
    pub fn vacant<T>(&self, slot: &Option<T>, member: &str) -> Result<(), XmlError> {
        match slot {
            Some(_) => Err(self.repeated(member)),
            None => Ok(()),
        }
    }

    #[cold]
    fn repeated(&self, member: &str) -> XmlError {
        self.error(format!("the member {member} appears more than once"))
    }

    #[cold]
    fn invalid(&self, member: &str, e: String) -> XmlError {
        self.error(format!("invalid value for {member}: {e}"))
    }

    /// The value of a required member read into `slot`, or an error naming
    /// the member when its element was missing.
    #[inline]
    pub fn required<T>(&self, slot: Option<T>, member: &str) -> Result<T, XmlError> {
        match slot {
            Some(value) => Ok(value),
            None => Err(self.missing(member)),
        }
    }

    /// The error of [`Reader::required`], out of line: one function for
    /// every type instead of a closure per type.
    #[cold]
    fn missing(&self, member: &str) -> XmlError {
        self.error(format!("the required member {member} is missing"))
    }

    /// Skips the current element and everything in it, including its end
    /// tag.
    ///
    /// The skipped content is still checked: it must be well-formed, and it
    /// counts towards the depth and element limits. This works in a loop,
    /// not by recursion, so any depth the limits allow is safe.
    pub fn skip(&mut self) -> Result<(), XmlError> {
        let (qualified, empty) = self.current("skip")?;
        self.finished = None;
        if empty {
            self.close();
            return Ok(());
        }
        // The elements open inside the one being skipped.
        self.skipped.clear();
        loop {
            match self.next_event()? {
                Event::Start(tag) => {
                    self.skipped.push(tag.name());
                    self.check_skipped(&tag, self.skipped.len())?;
                }
                Event::Empty(tag) => {
                    self.check_skipped(&tag, self.skipped.len().saturating_add(1))?;
                }
                Event::End(name) => match self.skipped.pop() {
                    Some(open) => self.check_end(name, open)?,
                    None => {
                        self.check_end(name, qualified)?;
                        self.close();
                        return Ok(());
                    }
                },
                Event::GeneralRef(reference) => {
                    self.resolve(reference)?;
                }
                Event::Text(_) | Event::CData(_) | Event::Comment | Event::PI => {}
                Event::Decl => return Err(self.misplaced_declaration()),
                Event::DocType => return Err(self.doctype()),
                Event::Eof => return Err(self.unexpected_end()),
            }
        }
    }

    /// Checks that only whitespace, comments and processing instructions
    /// follow the root element.
    ///
    /// Call it after the root element has been read to its end. Returns an
    /// error for a second root element, for text after the root element,
    /// and when the root element has not been read to its end.
    pub fn finish(&mut self) -> Result<(), XmlError> {
        match self.phase {
            Phase::Prolog => {
                return Err(XmlError::new(
                    "finish() was called before the root element was read",
                ));
            }
            Phase::Root => {
                return Err(
                    self.error("finish() was called before the root element was read to its end")
                );
            }
            Phase::Done => return Ok(()),
            Phase::Epilog => {}
        }
        self.finished = None;
        loop {
            match self.next_event()? {
                Event::Comment | Event::PI => {}
                Event::Text(text) if is_whitespace(text) => {}
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(XmlError::new("text outside the root element"));
                }
                Event::Start(_) | Event::Empty(_) => {
                    return Err(XmlError::new("the document has more than one root element"));
                }
                Event::End(_) => {
                    return Err(XmlError::new("an end tag comes after the root element"));
                }
                Event::Decl => return Err(self.misplaced_declaration()),
                Event::DocType => return Err(self.doctype()),
                Event::Eof => {
                    self.phase = Phase::Done;
                    return Ok(());
                }
            }
        }
    }

    /// Fails with [`Reader::error`]: `Err` of the error at the current
    /// element, for `?`, which converts it into the caller's error type.
    #[inline]
    pub fn fail(&self, message: &str) -> Result<(), XmlError> {
        Err(self.error(message))
    }

    /// Creates an error found at the reader's position.
    ///
    /// The error's path names the open elements from the root down, by
    /// local name, such as `AnalyticsConfiguration/Filter/And/Tag[2]/Key`;
    /// `[n]` marks an element that is the n-th of consecutive siblings with
    /// the same name. Right after [`Reader::text`], [`Reader::skip`] or
    /// [`Reader::next_child`] has finished an element, the path still ends
    /// with that element, so an error such as a missing member or a bad
    /// number names the element it concerns. Before the root element and
    /// after the document is finished, the error has no path.
    pub fn error(&self, message: impl Into<String>) -> XmlError {
        match self.path() {
            Some(path) => XmlError::at(message, path),
            None => XmlError::new(message),
        }
    }

    /// Returns the path that [`Reader::error`] would use, or `None` when no
    /// element is open or just finished.
    pub fn path(&self) -> Option<String> {
        let steps = self
            .stack
            .iter()
            .map(|frame| (frame.name, frame.ordinal))
            .chain(self.finished);
        let mut path = String::new();
        for (name, ordinal) in steps {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(name);
            if ordinal >= 2 {
                // Writing into a String cannot fail.
                let _ = write!(path, "[{ordinal}]");
            }
        }
        if path.is_empty() { None } else { Some(path) }
    }

    /// Returns the qualified name of the current element and whether it
    /// is an empty-element tag, or an error naming `method` when no element
    /// is open.
    #[inline]
    fn current(&self, method: &str) -> Result<(&'a [u8], bool), XmlError> {
        match self.stack.last() {
            Some(frame) => Ok((frame.qualified, frame.empty)),
            None => Err(self.no_element_open(method)),
        }
    }

    /// The error for the element `name` where text belongs.
    #[cold]
    fn element_in_text(&self, name: &[u8]) -> XmlError {
        self.error(format!("element where text belongs (<{}>)", excerpt(name)))
    }

    /// The error for a call that needs an open element when none is.
    #[cold]
    fn no_element_open(&self, method: &str) -> XmlError {
        self.error(format!("{method}() was called when no element is open"))
    }

    /// Reads the next event, checking that it lies in the part of the body
    /// that is valid UTF-8.
    ///
    /// Once the document has been found to be malformed, this gives the
    /// same error every time, so that nothing is read past the problem.
    #[inline]
    fn next_event(&mut self) -> Result<Event<'a>, XmlError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        match self.scan() {
            Ok(event) if self.pos <= self.text.len() => Ok(event),
            scanned => Err(self.malformed(scanned.err())),
        }
    }

    /// The error of [`Reader::next_event`] for a malformed document (or,
    /// for `None`, an event past the valid UTF-8), kept for the calls that
    /// follow. Out of line, like every error path of the reader, so that
    /// the inlined reading code stays small.
    #[cold]
    fn malformed(&mut self, malformed: Option<Malformed>) -> XmlError {
        let error = match malformed {
            None => self.error(format!(
                "the body is not valid UTF-8 (the first bad byte is at offset {})",
                self.text.len()
            )),
            Some(Malformed { message, at }) => self.error(format!("{message} (at byte {at})")),
        };
        self.failed = Some(error.clone());
        error
    }

    /// Splits the next event off the body, starting at `self.pos`, and
    /// moves `self.pos` past it.
    #[inline]
    fn scan(&mut self) -> Result<Event<'a>, Malformed> {
        let body = self.body;
        let start = self.pos;
        let rest = body.get(start..).unwrap_or_default();
        let (event, len) = match rest.first() {
            None => return Ok(Event::Eof),
            Some(b'<') => markup(rest).map_err(|message| Malformed { message, at: start })?,
            Some(b'&') => {
                let after = rest.get(1..).unwrap_or_default();
                match memchr::memchr2(b';', b'<', after) {
                    Some(semicolon) if after.get(semicolon) == Some(&b';') => (
                        Event::GeneralRef(after.get(..semicolon).unwrap_or_default()),
                        semicolon.saturating_add(2),
                    ),
                    _ => {
                        return Err(Malformed {
                            message: "an `&` does not start a reference (no `;` follows)",
                            at: start,
                        });
                    }
                }
            }
            Some(_) => {
                let len = memchr::memchr2(b'<', b'&', rest).unwrap_or(rest.len());
                (Event::Text(rest.get(..len).unwrap_or_default()), len)
            }
        };
        self.pos = start.saturating_add(len);
        Ok(event)
    }

    /// Checks that the end tag `found` closes the element whose name is
    /// `expected`.
    #[inline]
    fn check_end(&self, found: &[u8], expected: &[u8]) -> Result<(), XmlError> {
        if found == expected {
            return Ok(());
        }
        Err(self.end_mismatch(found, expected))
    }

    /// The error of [`Reader::check_end`].
    #[cold]
    fn end_mismatch(&self, found: &[u8], expected: &[u8]) -> XmlError {
        self.error(format!(
            "the end tag </{}> does not match the start tag <{}>",
            excerpt(found),
            excerpt(expected)
        ))
    }

    /// Returns `part`, a slice of the body that lies in its valid UTF-8
    /// prefix, as text borrowed from the body.
    #[inline]
    fn text_of(&self, part: &[u8]) -> Result<&'a str, XmlError> {
        if part.is_empty() {
            return Ok("");
        }
        let offset = part.as_ptr().addr().wrapping_sub(self.text.as_ptr().addr());
        offset
            .checked_add(part.len())
            .and_then(|end| self.text.get(offset..end))
            .ok_or_else(|| self.error("internal error: a piece of the document is not UTF-8"))
    }

    /// Returns `part` (see [`Reader::text_of`]) with its line ends
    /// normalized (see [`normalize_line_ends`]), borrowed from the body when
    /// the body has no carriage return at all.
    fn line_ends_normalized(&self, part: &[u8]) -> Result<Cow<'a, str>, XmlError> {
        let text = self.text_of(part)?;
        Ok(if self.has_cr {
            normalize_line_ends(text)
        } else {
            Cow::Borrowed(text)
        })
    }

    /// Opens the element whose start tag is `tag` as a child of the current
    /// element (or as the root), after checking its name, its attributes
    /// and the limits.
    fn open(&mut self, tag: Tag<'a>, empty: bool) -> Result<Start<'a>, XmlError> {
        let depth = self.stack.len().saturating_add(1);
        let local_start = self.check_element(&tag, depth)?;
        let content = self.text_of(tag.content)?;
        let qualified = content.get(..tag.name_len).unwrap_or(content);
        let name = qualified.get(local_start..).unwrap_or(qualified);
        let ordinal = match self.stack.last_mut() {
            Some(parent) => {
                let ordinal = if parent.last_child == name {
                    parent.last_child_ordinal.saturating_add(1)
                } else {
                    1
                };
                parent.last_child = name;
                parent.last_child_ordinal = ordinal;
                ordinal
            }
            None => 1,
        };
        self.stack.push(Frame {
            qualified: qualified.as_bytes(),
            name,
            ordinal,
            empty,
            last_child: "",
            last_child_ordinal: 0,
        });
        if !tag.attributes_raw().is_empty() {
            check_attributes(&tag).map_err(|message| self.error(message))?;
        }
        Ok(Start {
            content,
            name_len: tag.name_len,
            name,
            empty,
        })
    }

    /// Checks an element inside one that is being skipped; `inner_depth`
    /// is its depth below the skipped element.
    fn check_skipped(&mut self, tag: &Tag<'_>, inner_depth: usize) -> Result<(), XmlError> {
        self.check_element(tag, self.stack.len().saturating_add(inner_depth))?;
        check_attributes(tag).map_err(|message| self.error(message))
    }

    /// Checks the name of a new element, counts it, and checks that it
    /// stays within the element and depth limits; `depth` is the number of
    /// elements that are open once it is. Returns where the local part of
    /// the name starts (see [`local_start`]).
    #[inline]
    fn check_element(&mut self, tag: &Tag<'_>, depth: usize) -> Result<usize, XmlError> {
        let name = tag.name();
        let Some(local_start) = local_start(name) else {
            return Err(self.bad_element(name));
        };
        self.elements = self.elements.saturating_add(1);
        if self.elements > self.limits.max_elements || depth > self.limits.max_depth {
            return Err(self.bad_element(name));
        }
        Ok(local_start)
    }

    /// The error of [`Reader::check_element`]: an invalid name, too many
    /// elements, or too deep, checked in that order.
    #[cold]
    fn bad_element(&self, name: &[u8]) -> XmlError {
        if local_start(name).is_none() {
            self.error(format!("`{}` is not a valid element name", excerpt(name)))
        } else if self.elements > self.limits.max_elements {
            self.error(format!(
                "the document has more than {} elements, the limit",
                self.limits.max_elements
            ))
        } else {
            self.error(format!(
                "elements are nested more than {} deep, the limit",
                self.limits.max_depth
            ))
        }
    }

    /// Finishes the current element: it is no longer open, but the error
    /// path still names it until the next call.
    #[inline]
    fn close(&mut self) {
        if let Some(frame) = self.stack.pop() {
            self.finished = Some((frame.name, frame.ordinal));
        }
        if self.stack.is_empty() && self.phase == Phase::Root {
            self.phase = Phase::Epilog;
        }
    }

    /// Returns the character a reference stands for, or an error for an
    /// unknown entity or an invalid character reference.
    fn resolve(&self, reference: &[u8]) -> Result<char, XmlError> {
        resolve_reference(reference).ok_or_else(|| self.error(bad_reference(reference)))
    }

    /// The error for a document that ends while elements are still open.
    fn unexpected_end(&self) -> XmlError {
        self.error("the document ends before this element is closed")
    }

    /// The error for a DOCTYPE, which is never allowed.
    fn doctype(&self) -> XmlError {
        self.error("a DOCTYPE is not allowed")
    }

    /// The error for an XML declaration that is not at the very start.
    fn misplaced_declaration(&self) -> XmlError {
        self.error("the XML declaration is only allowed at the start of the document")
    }
}

/// Adds `piece` to the end of `text`, without copying when `text` is empty.
#[inline]
fn append<'a>(text: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if text.is_empty() {
        *text = piece;
    } else {
        text.to_mut().push_str(&piece);
    }
}

/// Normalizes line ends as XML 1.0 requires: `\r\n` and a lone `\r` both
/// become `\n`. Borrows `text` when it has no `\r`.
#[inline]
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('\r') {
        out.push_str(before);
        out.push('\n');
        rest = after.strip_prefix('\n').unwrap_or(after);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Splits the markup at the start of `rest` (which starts with `<`) into
/// an event, and returns it with its length in bytes.
#[inline]
fn markup(rest: &[u8]) -> Result<(Event<'_>, usize), &'static str> {
    let after = rest.get(1..).unwrap_or_default();
    match after.first() {
        Some(b'/') => {
            let close = memchr::memchr(b'>', after).ok_or("an end tag is not closed")?;
            let name = after.get(1..close).unwrap_or_default();
            let name = match name.iter().rposition(|&byte| !is_whitespace_byte(byte)) {
                Some(last) => name.get(..=last).unwrap_or(name),
                None => name,
            };
            Ok((Event::End(name), close.saturating_add(2)))
        }
        Some(b'?') => {
            let inner = after.get(1..).unwrap_or_default();
            // `<?>` is not closed by its own `?`.
            if inner.first() == Some(&b'>') {
                return Err("a processing instruction or XML declaration is not closed");
            }
            let close = memchr::memmem::find(inner, b"?>")
                .ok_or("a processing instruction or XML declaration is not closed")?;
            let content = inner.get(..close).unwrap_or_default();
            let is_declaration = content.starts_with(b"xml")
                && content.get(3).is_none_or(|&byte| is_whitespace_byte(byte));
            let event = if is_declaration {
                Event::Decl
            } else {
                Event::PI
            };
            Ok((event, close.saturating_add(4)))
        }
        Some(b'!') => {
            if let Some(inner) = after.strip_prefix(b"!--") {
                let close = memchr::memmem::find(inner, b"-->").ok_or("a comment is not closed")?;
                let content = inner.get(..close).unwrap_or_default();
                if memchr::memmem::find(content, b"--").is_some() || content.ends_with(b"-") {
                    return Err("a comment contains `--`");
                }
                Ok((Event::Comment, close.saturating_add(7)))
            } else if let Some(inner) = after.strip_prefix(b"![CDATA[") {
                let close =
                    memchr::memmem::find(inner, b"]]>").ok_or("a CDATA section is not closed")?;
                let content = inner.get(..close).unwrap_or_default();
                Ok((Event::CData(content), close.saturating_add(12)))
            } else if after
                .get(1..8)
                .is_some_and(|word| word.eq_ignore_ascii_case(b"DOCTYPE"))
            {
                // Never read on: the caller rejects it.
                Ok((Event::DocType, rest.len()))
            } else {
                Err("`<!` starts neither a comment, a CDATA section nor a DOCTYPE")
            }
        }
        _ => {
            // A `>` inside a quoted attribute value does not end the tag.
            let mut from = 0;
            let close = loop {
                let tail = after.get(from..).unwrap_or_default();
                let found =
                    memchr::memchr3(b'>', b'"', b'\'', tail).ok_or("a start tag is not closed")?;
                let at = from.saturating_add(found);
                match after.get(at) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let value_start = at.saturating_add(1);
                        let value = after.get(value_start..).unwrap_or_default();
                        let end = memchr::memchr(quote, value)
                            .ok_or("an attribute value is not closed")?;
                        from = value_start.saturating_add(end).saturating_add(1);
                    }
                    _ => break at,
                }
            };
            let content = after.get(..close).unwrap_or_default();
            let (content, empty) = match content.strip_suffix(b"/") {
                Some(content) => (content, true),
                None => (content, false),
            };
            let name_len = content
                .iter()
                .position(|&byte| is_whitespace_byte(byte))
                .unwrap_or(content.len());
            let tag = Tag { content, name_len };
            let event = if empty {
                Event::Empty(tag)
            } else {
                Event::Start(tag)
            };
            Ok((event, close.saturating_add(2)))
        }
    }
}

/// Returns true for the whitespace bytes of XML: space, tab, carriage
/// return and line feed.
#[inline]
fn is_whitespace_byte(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Returns true if `bytes` is only the whitespace XML allows between
/// elements (space, tab, carriage return and line feed).
#[inline]
fn is_whitespace(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
}

/// A byte that cannot be part of a name.
const NOT_NAME: u8 = 0;
/// A byte that can start a name part: an ASCII letter, `_`, or any byte of
/// a non-ASCII character.
const NAME_START: u8 = 1;
/// A byte that can be in a name part, but not first: a digit, `-` or `.`.
const NAME_REST: u8 = 2;
/// The `:` between a namespace prefix and a local name.
const NAME_COLON: u8 = 3;

/// The kind of every byte value in a name, indexed by the byte.
const NAME_BYTES: [u8; 256] = name_bytes();

/// Builds [`NAME_BYTES`].
const fn name_bytes() -> [u8; 256] {
    let mut table = [NOT_NAME; 256];
    let mut byte: u8 = 0;
    loop {
        table[byte as usize] = match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | 0x80..=0xFF => NAME_START,
            b'0'..=b'9' | b'-' | b'.' => NAME_REST,
            b':' => NAME_COLON,
            _ => NOT_NAME,
        };
        if byte == u8::MAX {
            return table;
        }
        byte += 1;
    }
}

/// Checks that `name` can be an element or attribute name, and returns
/// where its local part starts: after the `:` when it has a namespace
/// prefix, and 0 otherwise. Returns `None` for an invalid name.
///
/// A name is one name part, or a prefix and a local part joined by `:`.
/// This is a simplified check of the XML rules: any byte of a non-ASCII
/// character is accepted, but of the ASCII characters only letters, digits,
/// `-`, `.` and `_` are, and a part cannot be empty or start with a digit,
/// `-` or `.`.
#[inline]
fn local_start(name: &[u8]) -> Option<usize> {
    // The common case, a name without a prefix, in one pass: the first
    // byte may start a name and no byte is a colon or outside a name.
    if let Some((&first, rest)) = name.split_first() {
        if NAME_BYTES[usize::from(first)] == NAME_START
            && rest
                .iter()
                .all(|&byte| matches!(NAME_BYTES[usize::from(byte)], NAME_START | NAME_REST))
        {
            return Some(0);
        }
    }
    // Where the part being checked starts.
    let mut part_start = 0;
    let mut has_prefix = false;
    for (index, &byte) in name.iter().enumerate() {
        match NAME_BYTES[usize::from(byte)] {
            NAME_START => {}
            NAME_REST if index != part_start => {}
            NAME_COLON if !has_prefix && index != part_start => {
                has_prefix = true;
                part_start = index.saturating_add(1);
            }
            _ => return None,
        }
    }
    if part_start < name.len() {
        Some(part_start)
    } else {
        None
    }
}

/// Returns true if `name` can be an element or attribute name (see
/// [`local_start`]).
fn is_name(name: &[u8]) -> bool {
    local_start(name).is_some()
}

/// Returns the local part of a qualified name: the part after the colon,
/// or the whole name when it has no prefix.
fn local_part(name: &[u8]) -> &[u8] {
    match name.iter().position(|&byte| byte == b':') {
        Some(colon) => name.get(colon.saturating_add(1)..).unwrap_or_default(),
        None => name,
    }
}

/// Returns true if an attribute with the name `key` declares a namespace
/// (`xmlns` or `xmlns:*`).
fn is_namespace_declaration(key: &[u8]) -> bool {
    key == b"xmlns" || key.starts_with(b"xmlns:")
}

/// Checks every attribute of a start tag: its syntax, that no name appears
/// twice, that each name is valid, and that each value can be unescaped.
fn check_attributes(tag: &Tag<'_>) -> Result<(), String> {
    let raw = tag.attributes_raw();
    if is_whitespace(raw) || are_plain_attributes(raw) {
        return Ok(());
    }
    let content = std::str::from_utf8(tag.content)
        .map_err(|_| "a start tag is not valid UTF-8".to_owned())?;
    let tag = BytesStart::from_content(content, tag.name_len);
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|error| format!("bad attribute: {error}"))?;
        let key = attribute.key.as_ref();
        if !is_name(key) {
            return Err(format!("`{}` is not a valid attribute name", excerpt(key)));
        }
        attribute_value(&attribute.value)?;
    }
    Ok(())
}

/// The most attributes [`are_plain_attributes`] looks at.
const PLAIN_ATTRIBUTES: usize = 8;

/// Returns true if `raw`, the part of a start tag after the name, is at
/// most [`PLAIN_ATTRIBUTES`] well-formed attributes in their simplest
/// form: each one is whitespace, a valid name, `=`, and a quoted value
/// with no reference, `<`, tab or line end in it, and no name appears
/// twice. Such a tag needs no further check; any other is checked in full
/// by [`check_attributes`], which also says what is wrong. This makes the
/// common case, a root element with only its `xmlns`, cheap.
fn are_plain_attributes(raw: &[u8]) -> bool {
    let mut names: [&[u8]; PLAIN_ATTRIBUTES] = [&[]; PLAIN_ATTRIBUTES];
    let mut count = 0;
    let mut rest = raw;
    loop {
        let Some(start) = rest.iter().position(|&byte| !is_whitespace_byte(byte)) else {
            return true;
        };
        if start == 0 {
            return false;
        }
        rest = rest.get(start..).unwrap_or_default();
        let Some(equals) = memchr::memchr(b'=', rest) else {
            return false;
        };
        let name = rest.get(..equals).unwrap_or_default();
        let after = rest.get(equals.saturating_add(1)..).unwrap_or_default();
        let Some((&quote @ (b'"' | b'\''), value_and_rest)) = after.split_first() else {
            return false;
        };
        let Some(value_len) = memchr::memchr(quote, value_and_rest) else {
            return false;
        };
        let value = value_and_rest.get(..value_len).unwrap_or_default();
        if !is_name(name)
            || value
                .iter()
                .any(|&byte| matches!(byte, b'&' | b'<' | b'\t' | b'\r' | b'\n'))
            || names.get(..count).unwrap_or_default().contains(&name)
        {
            return false;
        }
        let Some(slot) = names.get_mut(count) else {
            return false;
        };
        *slot = name;
        count = count.saturating_add(1);
        rest = value_and_rest
            .get(value_len.saturating_add(1)..)
            .unwrap_or_default();
    }
}

/// Unescapes and normalizes a raw attribute value, as XML 1.0 requires for
/// attributes without a DTD: references are decoded, and each literal tab,
/// line feed, carriage return or `\r\n` pair becomes one space. Borrows
/// `raw` when nothing needs to change.
fn attribute_value(raw: &[u8]) -> Result<Cow<'_, str>, String> {
    let raw =
        std::str::from_utf8(raw).map_err(|_| "an attribute value is not valid UTF-8".to_owned())?;
    let special = ['&', '<', '\t', '\r', '\n'];
    if !raw.contains(special) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut value = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(special) {
        let Some((before, after)) = rest.split_at_checked(at) else {
            break;
        };
        value.push_str(before);
        let mut chars = after.chars();
        let special_char = chars.next();
        let tail = chars.as_str();
        rest = match special_char {
            Some('&') => {
                let Some((name, tail)) = tail.split_once(';') else {
                    return Err(
                        "an `&` in an attribute value does not start a reference".to_owned()
                    );
                };
                let name = name.as_bytes();
                let ch = resolve_reference(name).ok_or_else(|| bad_reference(name))?;
                value.push(ch);
                tail
            }
            Some('<') => return Err("`<` is not allowed in an attribute value".to_owned()),
            Some('\r') => {
                value.push(' ');
                tail.strip_prefix('\n').unwrap_or(tail)
            }
            _ => {
                value.push(' ');
                tail
            }
        };
    }
    value.push_str(rest);
    Ok(Cow::Owned(value))
}

/// Returns the character for a reference (the part between `&` and `;`,
/// such as `amp` or `#x41`), or `None` if it is neither one of the five
/// predefined entities nor a character reference to a character other
/// than U+0000.
fn resolve_reference(name: &[u8]) -> Option<char> {
    match name {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"apos" => Some('\''),
        b"quot" => Some('"'),
        _ => {
            let number = name.strip_prefix(b"#")?;
            let (digits, radix) = match number.strip_prefix(b"x") {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            if digits.is_empty() {
                return None;
            }
            let mut code: u32 = 0;
            for &digit in digits {
                let value = char::from(digit).to_digit(radix)?;
                code = code.checked_mul(radix)?.checked_add(value)?;
            }
            char::from_u32(code).filter(|&ch| ch != '\0')
        }
    }
}

/// The message for a reference that [`resolve_reference`] rejects.
fn bad_reference(name: &[u8]) -> String {
    if name.starts_with(b"#") {
        format!("invalid character reference `&{};`", excerpt(name))
    } else {
        format!(
            "unknown entity `&{};` (only &lt; &gt; &amp; &apos; &quot; and character references are allowed)",
            excerpt(name)
        )
    }
}

/// Returns the start of `bytes` as text for an error message: at most
/// [`EXCERPT_CHARS`] characters, with `…` added when it was cut short.
fn excerpt(bytes: &[u8]) -> String {
    // A character is at most four bytes long.
    let head = bytes
        .get(..EXCERPT_CHARS.saturating_mul(4))
        .unwrap_or(bytes);
    let text = String::from_utf8_lossy(head);
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() || head.len() < bytes.len() {
        out.push('…');
    }
    out
}

/// Reads an XML payload: the document's root element (whatever its name)
/// read by `read`, within the default limits; nothing may follow the root.
pub fn read_payload<'a, T>(
    body: &'a [u8],
    read: impl FnOnce(&mut Reader<'a>, &Start<'a>) -> Result<T, XmlError>,
) -> Result<T, XmlError> {
    let mut reader = Reader::new(body, &Limits::DEFAULT)?;
    let start = reader.root()?;
    let value = read(&mut reader, &start)?;
    reader.finish()?;
    Ok(value)
}
