//! Endpoint rules: the functions the rules engine calls, and the resolved endpoint.
//!
//! A generated endpoint resolver evaluates the conditions of an
//! endpoint rule set (Smithy's `smithy.rules#endpointRuleSet`). The
//! functions those conditions call are written once here, with the
//! semantics of the Smithy rules-engine standard library
//! ([`is_valid_host_label`], [`substring`], [`uri_encode`], [`split`],
//! [`parse_url`], [`index`] for `getAttr` with an index) and of the AWS
//! library ([`parse_arn`], [`is_virtual_hostable_s3_bucket`],
//! [`partition`]). What a rule set resolves to is an [`Endpoint`]: a URL,
//! properties (such as its auth schemes) and headers; or, when the rules
//! end in an error rule, a [`ResolveError`].
//!
//! Every function here takes any text and never panics: text that is not
//! what a function accepts gives `None` or `false`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{OnceLock, PoisonError, RwLock};

// ---------------------------------------------------------------------------
// Values and the resolved endpoint
// ---------------------------------------------------------------------------

/// A value of an endpoint's properties (a JSON-like document).
///
/// Object keys are the names a rule set writes, hence `&'static str`; an
/// object keeps its keys in the order the rule set gives them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string: either a literal of the rule set or a resolved template.
    String(Cow<'static, str>),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An array of values.
    Array(Vec<Value>),
    /// An object: its keys and values, in order.
    Object(Vec<(&'static str, Value)>),
}

impl Value {
    /// Appends this value as compact JSON (strings escaped per RFC 8259;
    /// object keys in their order).
    ///
    /// Quotation marks, backslashes and the control characters below
    /// U+0020 are escaped (the usual short forms `\n`, `\t`... where JSON
    /// has one, `\u00XX` otherwise); every other character, non-ASCII
    /// included, is written as it is.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Value::String(text) => write_json_string(out, text),
            Value::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Value::Int(value) => out.push_str(&value.to_string()),
            Value::Array(items) => {
                out.push('[');
                for (position, item) in items.iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(entries) => write_json_object(out, entries),
        }
    }

    /// The text of a string value; `None` for any other kind of value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The boolean of a boolean value; `None` for any other kind of value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The items of an array value; `None` for any other kind of value.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value of key `name` of an object value: the first entry of that
    /// name. `None` when there is no such key, or this is not an object.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => lookup(entries, name),
            _ => None,
        }
    }
}

impl From<&'static str> for Value {
    /// A string value borrowing a literal.
    fn from(value: &'static str) -> Self {
        Value::String(Cow::Borrowed(value))
    }
}

impl From<String> for Value {
    /// A string value owning its text.
    fn from(value: String) -> Self {
        Value::String(Cow::Owned(value))
    }
}

impl From<bool> for Value {
    /// A boolean value.
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<i64> for Value {
    /// An integer value.
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

/// The value of the first entry named `name`.
fn lookup<'v>(entries: &'v [(&'static str, Value)], name: &str) -> Option<&'v Value> {
    entries
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Lowercase hexadecimal digits, for the `\u00XX` escapes of JSON strings.
const JSON_HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as a JSON string literal, quotes included.
fn write_json_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    // Runs of characters that need no escape are copied as one slice. Every
    // escaped character is ASCII, so each cut falls on a character boundary.
    let mut run_start = 0;
    for (position, byte) in text.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0x00..=0x1F => "",
            _ => continue,
        };
        out.push_str(text.get(run_start..position).unwrap_or_default());
        run_start = position + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(JSON_HEX[usize::from(byte >> 4)]));
            out.push(char::from(JSON_HEX[usize::from(byte & 0x0F)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
    out.push('"');
}

/// Appends the entries as a JSON object, keys in their order.
fn write_json_object(out: &mut String, entries: &[(&'static str, Value)]) {
    out.push('{');
    for (position, (key, value)) in entries.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        write_json_string(out, key);
        out.push(':');
        value.write_json(out);
    }
    out.push('}');
}

/// How many slots an endpoint keeps in place; a result with more has its
/// values built at once (see [`Outcome::resolve`]).
const SLOTS: usize = 6;

/// How many bytes of URL and slot strings an endpoint holds without an
/// allocation (S3's URLs and signing regions take 60 to 100).
const INLINE: usize = 128;

/// The URL and slot strings of an endpoint: in place when they are short,
/// else on the heap.
#[derive(Clone)]
enum Text {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(String),
}

impl Text {
    /// No text, in place.
    fn new() -> Self {
        Text::Inline {
            len: 0,
            bytes: [0; INLINE],
        }
    }

    /// The text. (In place, it is whole strings pushed one after another,
    /// so always UTF-8; it is read as empty should it not be.)
    fn as_str(&self) -> &str {
        self.slice(0, self.len())
    }

    /// The text from byte `start` to byte `end` (pushed strings' bounds),
    /// read without the rest; empty when that is not text.
    fn slice(&self, start: usize, end: usize) -> &str {
        match self {
            Text::Inline { len, bytes } => bytes
                .get(start..end.min(usize::from(*len)))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Text::Heap(text) => text.get(start..end).unwrap_or_default(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Text::Inline { len, .. } => usize::from(*len),
            Text::Heap(text) => text.len(),
        }
    }

    /// Appends `s`, moving the text to the heap when it no longer fits in
    /// place.
    #[inline]
    fn push(&mut self, s: &str) {
        if let Text::Inline { len, bytes } = self {
            let start = usize::from(*len);
            let end = start + s.len();
            if let (Some(room), Ok(new_len)) = (bytes.get_mut(start..end), u8::try_from(end)) {
                room.copy_from_slice(s.as_bytes());
                *len = new_len;
                return;
            }
        }
        self.push_slow(s);
    }

    /// [`Text::push`] on the heap, moving the text there first if needed.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, s: &str) {
        match self {
            Text::Heap(text) => text.push_str(s),
            inline => {
                let mut heap = String::with_capacity(inline.len() + s.len() + INLINE);
                heap.push_str(inline.as_str());
                heap.push_str(s);
                *inline = Text::Heap(heap);
            }
        }
    }

    /// The text as a `String`.
    fn into_string(self) -> String {
        match self {
            Text::Heap(text) => text,
            inline => inline.as_str().to_owned(),
        }
    }
}

/// A resolved endpoint.
///
/// The URL to send the request to, the properties the rule set attached to
/// it (for S3, `authSchemes` and a few flags such as `backend`), and the
/// headers the request must carry, each with its values.
///
/// An endpoint resolved by generated rules keeps its properties and headers
/// as the rule set's static [`Template`]s with the strings the rules
/// computed (one allocation holds the URL and those strings); values are
/// read through [`ValueRef`] without being built. An endpoint made with
/// [`Endpoint::new`] and [`Endpoint::with_property`] holds [`Value`]s.
#[derive(Clone)]
pub struct Endpoint {
    /// The URL, then the text of each slot.
    text: Text,
    /// `ends[0]`: where the URL ends in `text`; `ends[i + 1]`: where slot
    /// `i` ends.
    ends: [usize; SLOTS + 1],
    /// How many slots `text` holds.
    slots: usize,
    properties: Properties,
    headers: Headers,
}

/// The properties of an endpoint.
#[derive(Clone)]
enum Properties {
    /// Static templates whose slots are in the endpoint's text.
    Templates(&'static [(&'static str, Template)]),
    /// Values.
    Values(Vec<(&'static str, Value)>),
}

/// The headers of an endpoint.
#[derive(Clone)]
enum Headers {
    /// Static templates (each value a string or a slot).
    Templates(&'static [(&'static str, &'static [Template])]),
    /// Values.
    Values(Vec<(&'static str, Vec<String>)>),
}

impl Endpoint {
    /// An endpoint at `url`, with neither properties nor headers.
    pub fn new(url: impl Into<String>) -> Self {
        let text: String = url.into();
        let mut ends = [0; SLOTS + 1];
        ends[0] = text.len();
        Endpoint {
            text: Text::Heap(text),
            ends,
            slots: 0,
            properties: Properties::Values(Vec::new()),
            headers: Headers::Values(Vec::new()),
        }
    }

    /// This endpoint with one more property (after the ones it has).
    pub fn with_property(mut self, name: &'static str, value: Value) -> Self {
        self.own_values();
        if let Properties::Values(values) = &mut self.properties {
            values.push((name, value));
        }
        self
    }

    /// This endpoint with one more header and its values (after the ones
    /// it has).
    pub fn with_header(mut self, name: &'static str, values: Vec<String>) -> Self {
        self.own_values();
        if let Headers::Values(headers) = &mut self.headers {
            headers.push((name, values));
        }
        self
    }

    /// Turns templates into values, so that values can be added.
    fn own_values(&mut self) {
        if let Properties::Templates(_) = self.properties {
            let values = self.properties().map(|(k, v)| (k, v.to_value())).collect();
            self.properties = Properties::Values(values);
        }
        if let Headers::Templates(_) = self.headers {
            let values = self
                .headers()
                .map(|(k, v)| (k, v.map(String::from).collect()))
                .collect();
            self.headers = Headers::Values(values);
        }
    }

    /// The URL, such as `https://bucket.s3.us-east-1.amazonaws.com`.
    pub fn url(&self) -> &str {
        self.text.slice(0, self.ends[0])
    }

    /// The text of slot `i` (empty when there is no such slot).
    fn slot(&self, i: usize) -> &str {
        if i >= self.slots {
            return "";
        }
        match (self.ends.get(i), self.ends.get(i + 1)) {
            (Some(&start), Some(&end)) => self.text.slice(start, end),
            _ => "",
        }
    }

    /// The properties, in the order of the rule set.
    pub fn properties(&self) -> impl Iterator<Item = (&'static str, ValueRef<'_>)> + '_ {
        let (templates, values) = match &self.properties {
            Properties::Templates(t) => (*t, None),
            Properties::Values(v) => (&[][..], Some(v)),
        };
        let templates = templates.iter().map(move |(k, t)| {
            (
                *k,
                ValueRef {
                    inner: Inner::Template(t, self),
                },
            )
        });
        let values = values
            .into_iter()
            .flatten()
            .map(|(k, v)| (*k, ValueRef::from(v)));
        templates.chain(values)
    }

    /// The property of that name (the first, should there be several).
    pub fn property(&self, name: &str) -> Option<ValueRef<'_>> {
        self.properties()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// The headers, in the order of the rule set: each name with its
    /// values.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, HeaderValues<'_>)> + '_ {
        let (templates, values) = match &self.headers {
            Headers::Templates(t) => (*t, None),
            Headers::Values(v) => (&[][..], Some(v)),
        };
        let templates = templates.iter().map(move |(k, t)| {
            (
                *k,
                HeaderValues {
                    inner: HeaderInner::Templates(t.iter(), self),
                },
            )
        });
        let values = values.into_iter().flatten().map(|(k, v)| {
            (
                *k,
                HeaderValues {
                    inner: HeaderInner::Strings(v.iter()),
                },
            )
        });
        templates.chain(values)
    }

    /// The values of header `name` (compared exactly, as the rule set
    /// writes it), or `None` when the endpoint has no such header.
    pub fn header(&self, name: &str) -> Option<HeaderValues<'_>> {
        self.headers()
            .find(|(key, _)| *key == name)
            .map(|(_, values)| values)
    }

    /// JSON as endpointTests write an expected endpoint:
    /// `{"url":"...","properties":{...},"headers":{"name":["v",...]}}`.
    ///
    /// Both `properties` and `headers` are always present, `{}` when empty,
    /// and both keep their order.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 64);
        out.push_str("{\"url\":");
        write_json_string(&mut out, self.url());
        out.push_str(",\"properties\":{");
        for (position, (key, value)) in self.properties().enumerate() {
            if position > 0 {
                out.push(',');
            }
            write_json_string(&mut out, key);
            out.push(':');
            value.write_json(&mut out);
        }
        out.push_str("},\"headers\":{");
        for (position, (name, values)) in self.headers().enumerate() {
            if position > 0 {
                out.push(',');
            }
            write_json_string(&mut out, name);
            out.push_str(":[");
            for (index, value) in values.enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json_string(&mut out, value);
            }
            out.push(']');
        }
        out.push_str("}}");
        out
    }

    /// The auth schemes of the `authSchemes` property, in order (empty when
    /// absent).
    ///
    /// An entry that is not an object with a string `name` is skipped;
    /// within an entry, a member of the wrong kind reads as absent (and
    /// `disableDoubleEncoding` as `false`).
    pub fn auth_schemes(&self) -> Vec<AuthScheme<'_>> {
        let Some(entries) = self.property("authSchemes").and_then(ValueRef::items) else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| {
                let name = entry.get("name")?.as_str()?;
                Some(AuthScheme {
                    name,
                    signing_name: entry.get("signingName").and_then(ValueRef::as_str),
                    signing_region: entry.get("signingRegion").and_then(ValueRef::as_str),
                    signing_region_set: entry
                        .get("signingRegionSet")
                        .and_then(ValueRef::items)
                        .map(|set| set.filter_map(ValueRef::as_str).collect())
                        .unwrap_or_default(),
                    disable_double_encoding: entry
                        .get("disableDoubleEncoding")
                        .and_then(ValueRef::as_bool)
                        .unwrap_or(false),
                })
            })
            .collect()
    }
}

impl PartialEq for Endpoint {
    /// Same URL, and the same properties and headers in the same order
    /// (however each endpoint holds them).
    fn eq(&self, other: &Self) -> bool {
        self.url() == other.url()
            && self.properties().eq(other.properties())
            && self
                .headers()
                .map(|(k, v)| (k, v.collect::<Vec<_>>()))
                .eq(other.headers().map(|(k, v)| (k, v.collect::<Vec<_>>())))
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let properties: Vec<_> = self.properties().collect();
        let headers: Vec<_> = self
            .headers()
            .map(|(k, v)| (k, v.collect::<Vec<_>>()))
            .collect();
        f.debug_struct("Endpoint")
            .field("url", &self.url())
            .field("properties", &properties)
            .field("headers", &headers)
            .finish()
    }
}

/// A value of an endpoint's properties, read in place: a [`Value`] an
/// endpoint holds, or a static [`Template`] with the endpoint's slots.
#[derive(Clone, Copy)]
pub struct ValueRef<'a> {
    inner: Inner<'a>,
}

#[derive(Clone, Copy)]
enum Inner<'a> {
    Value(&'a Value),
    Template(&'static Template, &'a Endpoint),
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    fn from(value: &'a Value) -> Self {
        ValueRef {
            inner: Inner::Value(value),
        }
    }
}

impl<'a> ValueRef<'a> {
    /// The text of a string value; `None` for any other kind of value.
    pub fn as_str(self) -> Option<&'a str> {
        match self.inner {
            Inner::Value(v) => v.as_str(),
            Inner::Template(Template::Str(s), _) => Some(s),
            Inner::Template(Template::Slot(i), endpoint) => Some(endpoint.slot(*i)),
            Inner::Template(..) => None,
        }
    }

    /// The boolean of a boolean value; `None` for any other kind of value.
    pub fn as_bool(self) -> Option<bool> {
        match self.inner {
            Inner::Value(v) => v.as_bool(),
            Inner::Template(Template::Bool(b), _) => Some(*b),
            Inner::Template(..) => None,
        }
    }

    /// The integer of an integer value; `None` for any other kind of value.
    pub fn as_int(self) -> Option<i64> {
        match self.inner {
            Inner::Value(Value::Int(i)) | Inner::Template(Template::Int(i), _) => Some(*i),
            _ => None,
        }
    }

    /// The items of an array value; `None` for any other kind of value.
    pub fn items(self) -> Option<Items<'a>> {
        let inner = match self.inner {
            Inner::Value(v) => ItemsInner::Values(v.as_array()?.iter()),
            Inner::Template(Template::Array(items), endpoint) => {
                ItemsInner::Templates(items.iter(), endpoint)
            }
            Inner::Template(..) => return None,
        };
        Some(Items { inner })
    }

    /// The value of key `name` of an object value: the first entry of that
    /// name. `None` when there is no such key, or this is not an object.
    pub fn get(self, name: &str) -> Option<ValueRef<'a>> {
        match self.inner {
            Inner::Value(v) => v.get(name).map(ValueRef::from),
            Inner::Template(Template::Object(entries), endpoint) => entries
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, t)| ValueRef {
                    inner: Inner::Template(t, endpoint),
                }),
            Inner::Template(..) => None,
        }
    }

    /// The value, built.
    pub fn to_value(self) -> Value {
        match self.inner {
            Inner::Value(v) => v.clone(),
            Inner::Template(t, endpoint) => t.build(&|i| endpoint.slot(i)),
        }
    }

    /// Appends this value as compact JSON, as [`Value::write_json`] does.
    pub fn write_json(self, out: &mut String) {
        match self.inner {
            Inner::Value(v) => v.write_json(out),
            Inner::Template(t, endpoint) => match t {
                Template::Str(s) => write_json_string(out, s),
                Template::Slot(i) => write_json_string(out, endpoint.slot(*i)),
                Template::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
                Template::Int(value) => out.push_str(&value.to_string()),
                Template::Array(items) => {
                    out.push('[');
                    for (position, item) in items.iter().enumerate() {
                        if position > 0 {
                            out.push(',');
                        }
                        ValueRef {
                            inner: Inner::Template(item, endpoint),
                        }
                        .write_json(out);
                    }
                    out.push(']');
                }
                Template::Object(entries) => {
                    out.push('{');
                    for (position, (key, value)) in entries.iter().enumerate() {
                        if position > 0 {
                            out.push(',');
                        }
                        write_json_string(out, key);
                        out.push(':');
                        ValueRef {
                            inner: Inner::Template(value, endpoint),
                        }
                        .write_json(out);
                    }
                    out.push('}');
                }
            },
        }
    }
}

impl PartialEq for ValueRef<'_> {
    /// The same value, however each is held.
    fn eq(&self, other: &Self) -> bool {
        self.to_value() == other.to_value()
    }
}

impl PartialEq<Value> for ValueRef<'_> {
    fn eq(&self, other: &Value) -> bool {
        self.to_value() == *other
    }
}

impl fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_value().fmt(f)
    }
}

/// The items of an array [`ValueRef`].
#[derive(Clone)]
pub struct Items<'a> {
    inner: ItemsInner<'a>,
}

#[derive(Clone)]
enum ItemsInner<'a> {
    Values(std::slice::Iter<'a, Value>),
    Templates(std::slice::Iter<'static, Template>, &'a Endpoint),
}

impl<'a> Iterator for Items<'a> {
    type Item = ValueRef<'a>;

    fn next(&mut self) -> Option<ValueRef<'a>> {
        match &mut self.inner {
            ItemsInner::Values(items) => items.next().map(ValueRef::from),
            ItemsInner::Templates(items, endpoint) => items.next().map(|t| ValueRef {
                inner: Inner::Template(t, endpoint),
            }),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            ItemsInner::Values(items) => items.size_hint(),
            ItemsInner::Templates(items, _) => items.size_hint(),
        }
    }
}

impl ExactSizeIterator for Items<'_> {}

/// The values of one header of an endpoint, in order.
#[derive(Clone)]
pub struct HeaderValues<'a> {
    inner: HeaderInner<'a>,
}

#[derive(Clone)]
enum HeaderInner<'a> {
    Strings(std::slice::Iter<'a, String>),
    Templates(std::slice::Iter<'static, Template>, &'a Endpoint),
}

impl<'a> Iterator for HeaderValues<'a> {
    type Item = &'a str;

    /// The next value. A header template is a string or a slot; any other
    /// kind of template reads as an empty string.
    fn next(&mut self) -> Option<&'a str> {
        match &mut self.inner {
            HeaderInner::Strings(values) => values.next().map(String::as_str),
            HeaderInner::Templates(values, endpoint) => values.next().map(|t| match t {
                Template::Str(s) => s,
                Template::Slot(i) => endpoint.slot(*i),
                _ => "",
            }),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            HeaderInner::Strings(values) => values.size_hint(),
            HeaderInner::Templates(values, _) => values.size_hint(),
        }
    }
}

impl ExactSizeIterator for HeaderValues<'_> {}

/// With an endpoint (`None`: nothing to do), adds the `host` header (the
/// authority of the request's absolute URI,
/// without the scheme's default port) and the headers of a resolved
/// endpoint to `request`: for each header of the endpoint, any values the
/// request already has under that name are replaced by the endpoint's
/// values, in order. (The URL is not touched: the request's URI is built
/// from [`Endpoint::url`] beforehand.)
///
/// A header name or value that HTTP cannot carry is an
/// [`InvalidHeaderValue`](crate::error::BuildError::InvalidHeaderValue)
/// error naming the header; the request is then left unchanged.
#[inline]
pub fn apply<B>(
    request: &mut http::Request<B>,
    endpoint: Option<&Endpoint>,
) -> Result<(), crate::error::BuildError> {
    match endpoint {
        Some(endpoint) => apply_endpoint(request, endpoint),
        None => Ok(()),
    }
}

/// [`apply`] with an endpoint.
fn apply_endpoint<B>(
    request: &mut http::Request<B>,
    endpoint: &Endpoint,
) -> Result<(), crate::error::BuildError> {
    let mut parsed = Vec::new();
    for (name, values) in endpoint.headers() {
        let invalid = || crate::error::BuildError::InvalidHeaderValue { header: name };
        let header = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let values = values
            .map(|value| http::HeaderValue::from_str(value).map_err(|_| invalid()))
            .collect::<Result<Vec<_>, _>>()?;
        parsed.push((header, values));
    }
    let host = request.uri().authority().map(|authority| {
        let default_port = match request.uri().scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        };
        if authority.port_u16().is_some() && authority.port_u16() == default_port {
            authority.host()
        } else {
            authority.as_str()
        }
    });
    let host = match host {
        Some(host) => Some(
            http::HeaderValue::from_str(host)
                .map_err(|_| crate::error::BuildError::InvalidHeaderValue { header: "host" })?,
        ),
        None => None,
    };
    let headers = request.headers_mut();
    if let Some(host) = host {
        headers.insert(http::header::HOST, host);
    }
    for (header, values) in parsed {
        headers.remove(&header);
        for value in values {
            headers.append(header.clone(), value);
        }
    }
    Ok(())
}

/// One entry of `authSchemes`: name (e.g. "sigv4", "sigv4a",
/// "sigv4-s3express"), signingName, signingRegion, signingRegionSet,
/// disableDoubleEncoding.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthScheme<'a> {
    /// The scheme's name: `sigv4`, `sigv4a`, `sigv4-s3express`...
    pub name: &'a str,
    /// The service name to sign with (`signingName`), such as `s3`.
    pub signing_name: Option<&'a str>,
    /// The region to sign for (`signingRegion`), for SigV4.
    pub signing_region: Option<&'a str>,
    /// The regions to sign for (`signingRegionSet`), for SigV4a; empty when
    /// absent.
    pub signing_region_set: Vec<&'a str>,
    /// Whether the path is encoded once only when signing
    /// (`disableDoubleEncoding`, `false` when absent).
    pub disable_double_encoding: bool,
}

/// The rules ended in an error rule: its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    /// The message of the error rule, its template resolved.
    pub message: String,
}

impl ResolveError {
    /// An error with that message.
    pub fn new(message: impl Into<String>) -> Self {
        ResolveError {
            message: message.into(),
        }
    }

    /// The error of parameters no rule matches (or whose rule reads a value
    /// the rules left unset).
    pub fn no_match() -> Self {
        ResolveError::new("no endpoint rule matched these parameters")
    }
}

impl fmt::Display for ResolveError {
    /// Writes the message alone, as the rule set words it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ResolveError {}

// ---------------------------------------------------------------------------
// The standard library
// ---------------------------------------------------------------------------

/// isValidHostLabel: RFC 1123 label (letters, digits, hyphen; 1..=63; not
/// starting or ending with '-'); with allow_subdomains, every dot-separated
/// part must be one (no empty parts).
///
/// Without `allow_subdomains` a dot makes the value invalid. Only ASCII
/// letters and digits count.
pub fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    // One pass over the bytes: each label 1 to 63 letters, digits and
    // hyphens, its first and last not a hyphen.
    let (mut label_len, mut prev) = (0usize, b'.');
    for &byte in value.as_bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {}
            b'-' if prev != b'.' => {}
            b'.' if allow_subdomains && label_len > 0 && prev != b'-' => {
                (label_len, prev) = (0, byte);
                continue;
            }
            _ => return false,
        }
        label_len += 1;
        if label_len > 63 {
            return false;
        }
        prev = byte;
    }
    label_len > 0 && prev != b'-'
}

/// substring(input, start, stop, reverse): None when input has a non-ASCII
/// char, start >= stop, or stop > len. reverse counts from the end.
///
/// `start` is inclusive and `stop` exclusive, so the result, when there is
/// one, has `stop - start` characters. With `reverse`, both count from the
/// end: `substring("abcdef", 0, 2, true)` is `"ef"`.
pub fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<&str> {
    let len = input.len();
    if start >= stop || stop > len || !input.is_ascii() {
        return None;
    }
    if reverse {
        input.get(len.checked_sub(stop)?..len.checked_sub(start)?)
    } else {
        input.get(start..stop)
    }
}

/// Whether `substring(input, start, stop, reverse)` is `want`: the bytes
/// at the substring's place are compared first, and the whole input is
/// checked for ASCII (as [`substring`] needs) only when they match.
#[inline]
pub fn substring_is(input: &str, start: usize, stop: usize, reverse: bool, want: &str) -> bool {
    let len = input.len();
    if start >= stop || stop > len || want.len() != stop - start {
        return false;
    }
    let (from, to) = if reverse {
        (len - stop, len - start)
    } else {
        (start, stop)
    };
    input.as_bytes().get(from..to) == Some(want.as_bytes()) && input.is_ascii()
}

/// Whether `byte` is one of the RFC 3986 unreserved characters, which
/// uriEncode leaves as they are.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// uriEncode: percent-encodes every byte except A-Z a-z 0-9 - _ . ~
/// (uppercase hex).
///
/// Every other byte of the UTF-8 text becomes `%XX`: a space is `%20`, `/`
/// is `%2F`, `é` is `%C3%A9`. The text is borrowed when nothing needs
/// encoding.
pub fn uri_encode(value: &str) -> Cow<'_, str> {
    if value.bytes().all(is_unreserved) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 16);
    crate::uri::encode_into(&mut out, value, false);
    Cow::Owned(out)
}

/// split(value, delimiter, limit) as the Smithy standard library defines it
/// (limit 0: no limit; 1: the whole string; n: at most n parts).
///
/// Parts between delimiters are kept even when empty, so `"--b--"` split on
/// `"--"` is `["", "b", ""]`, and an empty value gives `[""]`: the result
/// is never empty. With a limit of `n`, the last part holds the rest of the
/// value, delimiters included. The specification forbids an empty
/// delimiter (rule-set validation rejects it); given one anyway, this
/// returns the whole value as the only part, as for a delimiter that does
/// not occur.
pub fn split<'a>(value: &'a str, delimiter: &'static str, limit: usize) -> Vec<&'a str> {
    split_parts(value, delimiter, limit).to_vec()
}

/// [`split`] without building the list: the parts, found as they are read.
pub fn split_parts<'a>(value: &'a str, delimiter: &'static str, limit: usize) -> Pieces<'a> {
    Pieces::new(value, Delimiter::Text(delimiter), limit)
}

/// Where `needle` first occurs in `text` (never, for an empty needle): a
/// plain scan, quicker than a general substring search on the short texts
/// the rules split.
fn find_bytes(text: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut at = 0;
    while at + needle.len() <= text.len() {
        if text.get(at) == Some(&first)
            && tail
                .iter()
                .enumerate()
                .all(|(j, b)| text.get(at + 1 + j) == Some(b))
        {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// The high bit of each byte of `word` that is `byte`, and no other bit.
#[inline(always)]
fn matching_bytes(word: u64, byte: u8) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    // A byte of `x` is zero exactly when adding 0x7f to its low seven bits
    // sets no high bit and its own high bit is clear.
    !(((x & LOW) + LOW) | x | LOW)
}

/// Up to eight bytes as a little-endian word, zero-padded.
#[inline]
fn padded_word(text: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (to, from) in word.iter_mut().zip(text) {
        *to = *from;
    }
    u64::from_le_bytes(word)
}

/// How a [`Pieces`] splits its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delimiter {
    /// At each occurrence of the text (none when it is empty).
    Text(&'static str),
    /// At each `:` and each `/` (an ARN's resource).
    ArnResource,
}

/// How many parts a [`Pieces`] locates when it is made.
const KNOWN: usize = 8;

/// The parts of a split string, without a list: where the first few end
/// is found once, when it is made, and [`Pieces::get`] (getAttr with an
/// index) reads them from there; parts beyond those are found by reading
/// the text again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pieces<'a> {
    /// The whole text.
    text: &'a str,
    delimiter: Delimiter,
    /// The most parts (`0`: no limit); the last of them holds the rest of
    /// the text.
    limit: usize,
    /// Where each of the first `known` parts ends in the text (the next
    /// starts after the delimiter).
    ends: [u16; KNOWN],
    /// How many parts `ends` locates.
    known: u8,
    /// Whether `ends` locates every part.
    all: bool,
}

impl<'a> Pieces<'a> {
    /// `text` split at `delimiter`, into at most `limit` parts (`0`: no
    /// limit).
    fn new(text: &'a str, delimiter: Delimiter, limit: usize) -> Self {
        let mut pieces = Pieces {
            text,
            delimiter,
            limit,
            ends: [0; KNOWN],
            known: 0,
            all: false,
        };
        // A text too long for `u16` offsets is read part by part instead.
        if u16::try_from(text.len()).is_err() {
            return pieces;
        }
        let bytes = text.as_bytes();
        let mut start = 0;
        for (n, end) in pieces.ends.iter_mut().enumerate() {
            let cut = if limit != 0 && n + 1 >= limit {
                None
            } else {
                match delimiter {
                    Delimiter::Text(d) => bytes
                        .get(start..)
                        .and_then(|rest| find_bytes(rest, d.as_bytes())),
                    Delimiter::ArnResource => bytes.get(start..).and_then(arn_separator),
                }
            };
            pieces.known += 1;
            match cut {
                Some(at) => {
                    *end = u16::try_from(start + at).unwrap_or(u16::MAX);
                    start += at + delimiter.len();
                }
                None => {
                    *end = u16::try_from(text.len()).unwrap_or(u16::MAX);
                    pieces.all = true;
                    return pieces;
                }
            }
        }
        pieces
    }

    /// An ARN's resource split at each `:` and `/`, as [`Pieces::new`]
    /// splits it, from where its first delimiters are in the text it is
    /// part of (`cuts`, up to `KNOWN` of them; the resource starts at
    /// `offset`).
    fn located(text: &'a str, cuts: &[usize], offset: usize) -> Self {
        if u16::try_from(text.len()).is_err() {
            return Pieces::new(text, Delimiter::ArnResource, 0);
        }
        let mut ends = [0u16; KNOWN];
        for (end, at) in ends.iter_mut().zip(cuts) {
            *end = u16::try_from(at - offset).unwrap_or(u16::MAX);
        }
        // Fewer than `KNOWN` delimiters: the last part ends with the text.
        let all = cuts.len() < KNOWN;
        if let (true, Some(end)) = (all, ends.get_mut(cuts.len())) {
            *end = u16::try_from(text.len()).unwrap_or(u16::MAX);
        }
        Pieces {
            text,
            delimiter: Delimiter::ArnResource,
            limit: 0,
            ends,
            known: if all {
                cuts.len() as u8 + 1
            } else {
                KNOWN as u8
            },
            all,
        }
    }

    /// The part at `index`, from the start for `0` and above, from the end
    /// for `-1` and below (as getAttr reads `[index]`); `None` when out of
    /// range.
    pub fn get(self, index: i64) -> Option<&'a str> {
        let known = usize::from(self.known);
        let position = if index >= 0 {
            usize::try_from(index).ok()?
        } else {
            let from_end = usize::try_from(index.unsigned_abs()).ok()?;
            let count = if self.all { known } else { self.iter().count() };
            count.checked_sub(from_end)?
        };
        if position < known {
            let start = match position.checked_sub(1) {
                Some(before) => usize::from(*self.ends.get(before)?) + self.delimiter.len(),
                None => 0,
            };
            let end = usize::from(*self.ends.get(position)?);
            return self.text.get(start..end);
        }
        if self.all {
            return None;
        }
        self.iter().nth(position)
    }

    /// The parts in order.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        Parts {
            rest: Some(self.text),
            delimiter: self.delimiter,
            left: self.limit,
        }
    }

    /// The parts, as a list.
    pub fn to_vec(self) -> Vec<&'a str> {
        self.iter().collect()
    }
}

/// Where the first `:` or `/` is.
fn arn_separator(text: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        if byte == b':' || byte == b'/' {
            return Some(at);
        }
        at += 1;
    }
    None
}

impl Delimiter {
    /// The delimiter's length in bytes.
    fn len(self) -> usize {
        match self {
            Delimiter::Text(d) => d.len(),
            Delimiter::ArnResource => 1,
        }
    }
}

/// The parts of a split string, found as they are read.
struct Parts<'a> {
    /// The text not yet split; `None` once the last part is read.
    rest: Option<&'a str>,
    delimiter: Delimiter,
    /// How many parts may still be read (`0`: no limit); the last of them
    /// holds the rest of the text.
    left: usize,
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        if self.left == 1 {
            self.rest = None;
            return Some(rest);
        }
        let cut = match self.delimiter {
            Delimiter::Text(d) => find_bytes(rest.as_bytes(), d.as_bytes()),
            Delimiter::ArnResource => arn_separator(rest.as_bytes()),
        };
        match cut {
            Some(at) => {
                self.left = self.left.saturating_sub(1);
                self.rest = rest.get(at + self.delimiter.len()..);
                rest.get(..at)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// getAttr with an index on an array: `[i]`, negative counts from the end
/// (Smithy 1.1: `[-1]` is the last). None when out of range.
pub fn index<'a>(items: &[&'a str], index: i64) -> Option<&'a str> {
    index_of(items, index).copied()
}

/// The item of `items` at `index`, as getAttr reads `[index]` on any array:
/// from the start for `0` and above, from the end for `-1` and below.
/// `None` when out of range.
pub fn index_of<T>(items: &[T], index: i64) -> Option<&T> {
    let position = if index >= 0 {
        usize::try_from(index).ok()?
    } else {
        let from_end = usize::try_from(index.unsigned_abs()).ok()?;
        items.len().checked_sub(from_end)?
    };
    items.get(position)
}

/// parseURL result.
#[derive(Debug, Clone, PartialEq)]
pub struct Url<'a> {
    /// `http` or `https`, without `://`.
    pub scheme: &'a str,
    /// The host and port as written (`example.com`, `localhost:8080`,
    /// `[::1]:9000`); a port equal to the scheme's default is kept.
    pub authority: &'a str,
    /// The path as written, from its first `/`; `""` when the URL has none.
    pub path: &'a str,
    /// The path with a `/` added at the end when missing; `/` for no path.
    /// It always starts and ends with `/`.
    pub normalized_path: Cow<'a, str>,
    /// Whether the host is an IPv4 address (four dot-separated decimal
    /// numbers up to 255) or a bracketed IPv6 address.
    pub is_ip: bool,
}

/// parseURL: None when not a URL the rules accept (scheme must be http or
/// https; a query string makes it None; fragments too; see spec). authority
/// is host\[:port\]; path as given ("" when none); normalized_path always
/// starts and ends with '/'; is_ip when the host is an IPv4 address or a
/// bracketed IPv6 address.
///
/// Also `None`: a scheme not in lower case; a `?` or `#` anywhere (even an
/// empty query); spaces or control characters; user information (`@`) in
/// the authority, which the URL structure must not carry; an empty host; a
/// host that is not an RFC 3986 registered name (ASCII letters, digits,
/// `-._~`, sub-delimiters, percent-escapes) or a valid bracketed IPv6
/// address (an RFC 6874 zone allowed); a port that is empty, not decimal
/// or above 65535.
pub fn parse_url(value: &str) -> Option<Url<'_>> {
    let (scheme, rest) = value.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest
        .bytes()
        .any(|b| b <= b' ' || b == 0x7F || b == b'?' || b == b'#')
    {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at_checked(slash)?,
        None => (rest, ""),
    };
    let is_ip = parse_authority(authority)?;
    let normalized_path = if path.is_empty() {
        Cow::Borrowed("/")
    } else if path.ends_with('/') {
        Cow::Borrowed(path)
    } else {
        let mut owned = String::with_capacity(path.len() + 1);
        owned.push_str(path);
        owned.push('/');
        Cow::Owned(owned)
    };
    Some(Url {
        scheme,
        authority,
        path,
        normalized_path,
        is_ip,
    })
}

/// Checks an authority (`host[:port]`, no user information) and tells
/// whether its host is an IP address. `None` when it is not valid.
fn parse_authority(authority: &str) -> Option<bool> {
    let (host, port, is_ip) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (address, after) = bracketed.split_once(']')?;
        if !is_ipv6_literal(address) {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (address, port, true)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if !is_reg_name(host) {
            return None;
        }
        (host, port, is_ipv4(host))
    };
    if host.is_empty() {
        return None;
    }
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|number| number <= 65_535);
        if !valid {
            return None;
        }
    }
    Some(is_ip)
}

/// Whether `host` is a non-empty RFC 3986 registered name: unreserved
/// characters, sub-delimiters and well-formed percent-escapes.
fn is_reg_name(host: &str) -> bool {
    let bytes = host.as_bytes();
    let mut position = 0;
    while let Some(&byte) = bytes.get(position) {
        if byte == b'%' {
            let escape_ok = bytes.get(position + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(position + 2).is_some_and(u8::is_ascii_hexdigit);
            if !escape_ok {
                return false;
            }
            position += 3;
            continue;
        }
        let allowed = is_unreserved(byte)
            || matches!(
                byte,
                b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
            );
        if !allowed {
            return false;
        }
        position += 1;
    }
    !bytes.is_empty()
}

/// Whether the text between the brackets of a host is an IPv6 address,
/// optionally followed by a zone (`%25eth0`, or `%eth0` as some clients
/// write it).
fn is_ipv6_literal(text: &str) -> bool {
    let (address, zone) = match text.split_once('%') {
        Some((address, zone)) => (address, Some(zone.strip_prefix("25").unwrap_or(zone))),
        None => (text, None),
    };
    if address.parse::<std::net::Ipv6Addr>().is_err() {
        return false;
    }
    match zone {
        None => true,
        Some(zone) => !zone.is_empty() && is_reg_name(zone),
    }
}

/// Whether `host` is an IPv4 address: four dot-separated decimal numbers of
/// one to three digits, each at most 255 (leading zeros allowed).
fn is_ipv4(host: &str) -> bool {
    let mut count = 0;
    for part in host.split('.') {
        count += 1;
        let valid = (1..=3).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse::<u16>().is_ok_and(|number| number <= 255);
        if !valid || count > 4 {
            return false;
        }
    }
    count == 4
}

// ---------------------------------------------------------------------------
// The AWS library
// ---------------------------------------------------------------------------

/// aws.parseArn result.
#[derive(Debug, Clone, PartialEq)]
pub struct Arn<'a> {
    /// The partition: `aws`, `aws-cn`, `aws-us-gov`...; never empty.
    pub partition: &'a str,
    /// The service namespace, such as `s3` or `s3-outposts`; never empty.
    pub service: &'a str,
    /// The region; empty for a resource that is not regional.
    pub region: &'a str,
    /// The account ID; empty for a resource without one.
    pub account_id: &'a str,
    /// The resource, split on every `:` and `/` (empty parts kept); at
    /// least one part.
    pub resource_id: Pieces<'a>,
}

/// aws.parseArn: "arn:partition:service:region:account:resource"; resource
/// split on ':' and '/'; None when malformed (fewer than 6 parts, empty
/// partition/service, empty resource...). Check the spec and botocore.
///
/// The value must start with `arn:` (case-sensitive) and have at least
/// five colons; the region and the account may be empty, the partition,
/// the service and the resource may not. Everything after the fifth colon
/// is the resource, so `arn:aws:s3:us-west-2:123:accesspoint:ap` has the
/// resource ID `["accesspoint", "ap"]`.
pub fn parse_arn(value: &str) -> Option<Arn<'_>> {
    let rest = value.strip_prefix("arn:")?;
    let bytes = rest.as_bytes();
    // In one pass, eight bytes at a time: the four colons that end the
    // partition, the service, the region and the account, then the `:`
    // and `/` that split the resource, up to the first `KNOWN`.
    let (mut colons, mut found) = ([0usize; 4], 0);
    let (mut cuts, mut cut) = ([0usize; KNOWN], 0);
    let len = bytes.len();
    let mut base = 0;
    'scan: loop {
        let (word, skip) = if let Some(word) = bytes.get(base..).and_then(<[u8]>::first_chunk::<8>)
        {
            (u64::from_le_bytes(*word), 0)
        } else if base >= len {
            break;
        } else if let Some(word) = bytes.last_chunk::<8>() {
            // The last eight bytes, less those read already.
            let skip = base - (len - 8);
            base = len - 8;
            (u64::from_le_bytes(*word), skip)
        } else {
            (padded_word(bytes), 0)
        };
        let unread = !0u64 << (8 * skip);
        let colon_bits = matching_bytes(word, b':') & unread;
        let mut bits = colon_bits | (matching_bytes(word, b'/') & unread);
        while bits != 0 {
            let bit = bits & bits.wrapping_neg();
            bits ^= bit;
            let at = base + (bit.trailing_zeros() / 8) as usize;
            if found < colons.len() {
                if bit & colon_bits != 0 {
                    if let Some(colon) = colons.get_mut(found) {
                        *colon = at;
                    }
                    found += 1;
                }
            } else {
                if let Some(end) = cuts.get_mut(cut) {
                    *end = at;
                }
                cut += 1;
                if cut == KNOWN {
                    break 'scan;
                }
            }
        }
        base += 8;
    }
    if found < colons.len() {
        return None;
    }
    let [a, b, c, d] = colons;
    // Colons are ASCII, so each cut is on a character boundary.
    let field = |start: usize, end: usize| rest.get(start..end);
    let (partition, service, region) = (field(0, a)?, field(a + 1, b)?, field(b + 1, c)?);
    let (account_id, resource) = (field(c + 1, d)?, rest.get(d + 1..)?);
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition,
        service,
        region,
        account_id,
        resource_id: Pieces::located(resource, cuts.get(..cut).unwrap_or_default(), d + 1),
    })
}

/// aws.isVirtualHostableS3Bucket(value, allowSubDomains): per the AWS rules
/// library / botocore.
///
/// True when the bucket name can be the first label(s) of a host name: 3
/// to 63 characters, only lower-case ASCII letters, digits, hyphens and
/// (with `allow_subdomains`) dots, every dot-separated part a valid host
/// label (so no empty part and no part starting or ending with a hyphen),
/// and not written like an IPv4 address (`192.168.1.1`). Without
/// `allow_subdomains`, a dot makes it false.
pub fn is_virtual_hostable_s3_bucket(value: &str, allow_subdomains: bool) -> bool {
    let bytes = value.as_bytes();
    if !(3..=63).contains(&bytes.len()) {
        return false;
    }
    // One pass: each label non-empty, not starting or ending with a hyphen;
    // and whether every label is 1 to 3 digits (an IPv4 address's look).
    let (mut labels, mut label_len, mut prev) = (0, 0usize, b'.');
    let (mut all_short_numbers, mut digits_only) = (true, true);
    for &c in bytes {
        match c {
            b'a'..=b'z' => digits_only = false,
            b'0'..=b'9' => {}
            b'-' if prev != b'.' => digits_only = false,
            b'.' if allow_subdomains && label_len > 0 && prev != b'-' => {
                labels += 1;
                all_short_numbers &= digits_only && label_len <= 3;
                (label_len, prev, digits_only) = (0, c, true);
                continue;
            }
            _ => return false,
        }
        label_len += 1;
        prev = c;
    }
    if label_len == 0 || prev == b'-' {
        return false;
    }
    labels += 1;
    all_short_numbers &= digits_only && label_len <= 3;
    !(all_short_numbers && labels == 4)
}

/// The outputs of a partition (what getAttr reads on the result of
/// aws.partition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOutputs {
    /// The partition's name (`name`), such as `aws` or `aws-cn`.
    pub name: &'static str,
    /// The DNS suffix of its endpoints (`dnsSuffix`), such as
    /// `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// The DNS suffix of its dual-stack endpoints (`dualStackDnsSuffix`),
    /// such as `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
    /// The region global services are signed for (`implicitGlobalRegion`),
    /// such as `us-east-1`.
    pub implicit_global_region: &'static str,
    /// Whether it has FIPS endpoints (`supportsFIPS`).
    pub supports_fips: bool,
    /// Whether it has dual-stack endpoints (`supportsDualStack`).
    pub supports_dual_stack: bool,
}

/// One region of a partition, with its outputs (the partition's own, or the
/// region's overrides merged over them).
#[derive(Debug)]
pub struct Region {
    /// The region's name, such as `us-east-1`.
    pub name: &'static str,
    /// What aws.partition returns for this region.
    pub outputs: &'static PartitionOutputs,
}

/// A partition of the partition table (data written by the generator from
/// partitions.json into the generated crate).
#[derive(Debug)]
pub struct Partition {
    /// The partition's ID (`id`), such as `aws`.
    pub id: &'static str,
    /// The regular expression (`regionRegex`) that a region of this
    /// partition not listed in `regions` matches, as a whole.
    pub region_regex: &'static str,
    /// The regions the partition lists, with their outputs, sorted by name
    /// (they are looked up by binary search).
    pub regions: &'static [Region],
    /// The partition's outputs, for a region it does not list.
    pub outputs: PartitionOutputs,
}

/// aws.partition(region): a region listed by a partition gets that region's
/// outputs; else the first partition whose regionRegex matches; else the
/// partition whose id is "aws" (None only when the table has none).
///
/// The listed regions of every partition are searched before any regex is
/// tried. A regex must match the whole region (as Java's `matches` does);
/// the regexes are compiled once per process and cached, and one that
/// fails to compile never matches.
pub fn partition(table: &'static [Partition], region: &str) -> Option<&'static PartitionOutputs> {
    for partition in table {
        if let Ok(i) = partition
            .regions
            .binary_search_by(|listed| listed.name.cmp(region))
        {
            return partition.regions.get(i).map(|listed| listed.outputs);
        }
    }
    unlisted(table, region)
}

/// The hash of a region name that a [`RegionIndex`] is built on: the
/// name read eight bytes at a time (its first and last eight, and for a
/// name longer than 16 bytes those between), each word mixed in by a
/// multiplication, with the seed and the length; the high half of the
/// result folded down and mixed again. (The generator computes the same function to build the
/// index.)
#[inline]
pub fn region_hash(seed: u32, region: &str) -> u32 {
    const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes = region.as_bytes();
    let (first, last) = end_words(bytes);
    let mut hash = ((u64::from(seed) << 32) ^ bytes.len() as u64 ^ first).wrapping_mul(MIX);
    if let Some(middle) = bytes.get(8..bytes.len().saturating_sub(8)) {
        for chunk in middle.chunks(8) {
            hash = (hash ^ padded_word(chunk)).wrapping_mul(MIX);
        }
    }
    hash = (hash ^ last).wrapping_mul(MIX);
    // A product's bits depend on the factor's lower bits only: the high
    // half folded down and mixed again, so that the low bits of the
    // result (the slot) depend on every byte.
    ((hash ^ (hash >> 32)).wrapping_mul(MIX) >> 32) as u32
}

/// The first and the last eight bytes of `text` as little-endian words
/// (for a shorter text: the text zero-padded, and `0`). With the length,
/// they are the whole text when it has at most 16 bytes.
#[inline(always)]
fn end_words(text: &[u8]) -> (u64, u64) {
    match (text.first_chunk::<8>(), text.last_chunk::<8>()) {
        (Some(first), Some(last)) => (u64::from_le_bytes(*first), u64::from_le_bytes(*last)),
        _ => (padded_word(text), 0),
    }
}

/// `a == b`, compared as words (no call to `memcmp`) up to 16 bytes.
#[inline(always)]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && if a.len() <= 16 {
            end_words(a) == end_words(b)
        } else {
            a == b
        }
}

/// The regions a partition table lists, by a hash that the generator chose
/// so that no two of them share a slot.
#[derive(Debug)]
pub struct RegionIndex {
    /// The seed of [`region_hash`].
    pub seed: u32,
    /// For each hash, masked to the number of slots (a power of two): `0`
    /// when no region has it, else `1 +` the region's place in `regions`.
    pub slots: &'static [u16],
    /// The listed regions (for a region listed by several partitions, the
    /// first partition's).
    pub regions: &'static [Region],
}

/// aws.partition(region), as [`partition`] answers it, with the listed
/// regions found through `index` (one hash and one comparison) rather than
/// searched partition by partition.
pub fn partition_in(
    table: &'static [Partition],
    index: &'static RegionIndex,
    region: &str,
) -> Option<&'static PartitionOutputs> {
    let mask = index.slots.len().wrapping_sub(1);
    let slot = region_hash(index.seed, region) as usize & mask;
    let listed = index
        .slots
        .get(slot)
        .and_then(|&k| usize::from(k).checked_sub(1))
        .and_then(|k| index.regions.get(k))
        .filter(|listed| same_text(listed.name, region));
    if let Some(listed) = listed {
        return Some(listed.outputs);
    }
    unlisted(table, region)
}

/// aws.partition for a region no partition lists: the first partition
/// whose regex matches it, else `aws`.
fn unlisted(table: &'static [Partition], region: &str) -> Option<&'static PartitionOutputs> {
    table
        .iter()
        .find(|partition| region_matches(partition.region_regex, region))
        .or_else(|| table.iter().find(|partition| partition.id == "aws"))
        .map(|partition| &partition.outputs)
}

/// Compiled region regexes, keyed by their source text; `None` for a regex
/// that does not compile.
type RegexCache = RwLock<HashMap<&'static str, Option<regex_lite::Regex>>>;

/// The process-wide cache of compiled region regexes.
fn regex_cache() -> &'static RegexCache {
    static CACHE: OnceLock<RegexCache> = OnceLock::new();
    CACHE.get_or_init(RegexCache::default)
}

/// Compiles `pattern` so that it matches whole regions only. `None` when
/// the pattern itself does not compile (it is checked alone first, so that
/// wrapping it cannot make a broken pattern valid).
fn compile_anchored(pattern: &str) -> Option<regex_lite::Regex> {
    regex_lite::Regex::new(pattern).ok()?;
    regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok()
}

/// Whether `region` matches `pattern` as a whole, compiling the pattern on
/// its first use.
fn region_matches(pattern: &'static str, region: &str) -> bool {
    let cache = regex_cache();
    {
        let compiled = cache.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = compiled.get(pattern) {
            return entry.as_ref().is_some_and(|regex| regex.is_match(region));
        }
    }
    let regex = compile_anchored(pattern);
    let matched = regex.as_ref().is_some_and(|regex| regex.is_match(region));
    cache
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(pattern)
        .or_insert(regex);
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_string_escapes_control_characters() {
        let mut out = String::new();
        write_json_string(&mut out, "a\"b\\c\n\u{1}\u{1f}é/");
        assert_eq!(out, r#""a\"b\\c\n\u0001\u001fé/""#);
    }

    #[test]
    fn index_of_extremes() {
        let items = [1, 2, 3];
        assert_eq!(index_of(&items, i64::MIN), None);
        assert_eq!(index_of(&items, i64::MAX), None);
        assert_eq!(index_of(&items, -3), Some(&1));
        assert_eq!(index_of(&items, -4), None);
        assert_eq!(index_of::<u8>(&[], -1), None);
    }

    #[test]
    fn anchored_regex_and_broken_regex() {
        assert!(compile_anchored("a)|(b").is_none());
        assert!(compile_anchored("(").is_none());
        let regex = compile_anchored("us|eu").expect("compiles");
        assert!(regex.is_match("us"));
        assert!(!regex.is_match("us-east-1"));
    }

    #[test]
    fn parse_arn_reads_as_a_plain_split() {
        // Texts of every length up to 47 bytes after `arn:`, colons and
        // slashes at random places (more than `KNOWN` in some): the fields
        // and parts a plain split gives, and the same located parts as
        // `Pieces::new`.
        let alphabet = [b'a', b':', b'/', b'x'];
        let mut seed = 1u64;
        for n in 0..4000 {
            let mut text = String::from("arn:");
            for _ in 0..n % 48 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push(char::from(alphabet[(seed >> 62) as usize]));
            }
            let rest = &text[4..];
            let mut fields = rest.splitn(5, ':');
            let expected = match (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) {
                (Some(p), Some(s), Some(r), Some(a), Some(res))
                    if !p.is_empty() && !s.is_empty() && !res.is_empty() =>
                {
                    Some((p, s, r, a, res))
                }
                _ => None,
            };
            let got = parse_arn(&text);
            assert_eq!(got.is_some(), expected.is_some(), "{text}");
            if let (Some(got), Some((p, s, r, a, res))) = (got, expected) {
                assert_eq!(
                    (got.partition, got.service, got.region, got.account_id),
                    (p, s, r, a)
                );
                assert_eq!(
                    got.resource_id,
                    Pieces::new(res, Delimiter::ArnResource, 0),
                    "{text}"
                );
                let parts: Vec<&str> = res.split([':', '/']).collect();
                assert_eq!(got.resource_id.to_vec(), parts, "{text}");
                for (i, part) in parts.iter().enumerate() {
                    assert_eq!(got.resource_id.get(i as i64), Some(*part), "{text} [{i}]");
                }
                assert_eq!(got.resource_id.get(-1), parts.last().copied(), "{text}");
            }
        }
    }

    #[test]
    fn substring_is_substring_compared() {
        for input in [
            "",
            "a",
            "abc--x-s3",
            "--x-s3",
            "é--x-s3",
            "arn:aws",
            "ab",
            "x-s3",
        ] {
            for want in ["--x-s3", "x-s3", "arn:", "ab", "a", "-"] {
                for (start, stop) in [
                    (0, 6),
                    (0, 4),
                    (2, 6),
                    (0, 1),
                    (1, 3),
                    (3, 3),
                    (4, 2),
                    (0, 9),
                ] {
                    for reverse in [false, true] {
                        assert_eq!(
                            substring_is(input, start, stop, reverse, want),
                            substring(input, start, stop, reverse) == Some(want),
                            "{input:?} {start} {stop} {reverse} {want:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn region_hash_values() {
        // The same values as the generator's test of its copy.
        assert_eq!(region_hash(0, ""), 0);
        assert_eq!(region_hash(0, "us-east-1"), 0x8047_a193);
        assert_eq!(region_hash(7, "eu-west-3"), 0x2f69_cc82);
        // Longer than 16 bytes: the middle bytes count too.
        assert_eq!(region_hash(3, "aws-us-gov-global-x"), 0x3fa8_6511);
    }

    #[test]
    fn ipv4_forms() {
        assert!(is_ipv4("0.0.0.0"));
        assert!(is_ipv4("255.255.255.255"));
        assert!(is_ipv4("010.1.1.1"));
        assert!(!is_ipv4("256.1.1.1"));
        assert!(!is_ipv4("1.1.1"));
        assert!(!is_ipv4("1.1.1.1.1"));
        assert!(!is_ipv4("1..1.1"));
        assert!(!is_virtual_hostable_s3_bucket("999.1.1.1", true));
        assert!(is_virtual_hostable_s3_bucket("999.1.1.1a", true));
    }
}

/// A value given to a parameter of the endpoint rules by name (as endpoint
/// tests and configuration files give them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue<'a> {
    /// A `string` parameter.
    Str(&'a str),
    /// A `boolean` parameter.
    Bool(bool),
    /// A `stringArray` parameter.
    StrArray(Vec<&'a str>),
}

impl From<ResolveError> for crate::error::BuildError {
    fn from(e: ResolveError) -> Self {
        crate::error::BuildError::Endpoint { message: e.message }
    }
}

/// Joins the parts of a string template, allocating once.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// The shape of an endpoint's property or header value, written by the
/// generator as static data: literals in place, and each string the rules
/// compute as a numbered slot. An endpoint keeps the template and the
/// slots' strings, and reads values through them ([`ValueRef`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Template {
    /// A literal string.
    Str(&'static str),
    /// The computed string in this slot.
    Slot(usize),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An array.
    Array(&'static [Template]),
    /// An object, keys in order.
    Object(&'static [(&'static str, Template)]),
}

impl Template {
    /// The value, with each slot's string from `slot`.
    fn build<'s>(&self, slot: &dyn Fn(usize) -> &'s str) -> Value {
        match *self {
            Template::Str(s) => Value::String(Cow::Borrowed(s)),
            Template::Slot(i) => Value::String(Cow::Owned(slot(i).to_owned())),
            Template::Bool(b) => Value::Bool(b),
            Template::Int(i) => Value::Int(i),
            Template::Array(items) => Value::Array(items.iter().map(|t| t.build(slot)).collect()),
            Template::Object(entries) => {
                Value::Object(entries.iter().map(|(k, t)| (*k, t.build(slot))).collect())
            }
        }
    }
}

/// A piece of a string a rule set's result writes: literal text, or a
/// string the rules computed, by the number the generated resolver gives
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Lit(&'static str),
    /// The string numbered so.
    Text(u16),
}

/// A result of a rule set, written by the generator as static data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// An error rule: its message.
    Error(&'static [Part]),
    /// An endpoint rule.
    Endpoint {
        /// The URL.
        url: &'static [Part],
        /// The properties, with slots.
        properties: &'static [(&'static str, Template)],
        /// The headers, each value a string or a slot.
        headers: &'static [(&'static str, &'static [Template])],
        /// The string of each slot.
        slots: &'static [&'static [Part]],
    },
}

/// Appends the parts to `out`, each computed string from `text`; `None`
/// when one is unset.
fn push_parts<'s>(
    out: &mut Text,
    parts: &[Part],
    text: &dyn Fn(u16) -> Option<&'s str>,
) -> Option<()> {
    for part in parts {
        match *part {
            Part::Lit(s) => out.push(s),
            Part::Text(k) => out.push(text(k)?),
        }
    }
    Some(())
}

impl Endpoint {
    /// Writes the URL and the slots' strings into the text.
    fn fill<'s>(
        &mut self,
        url: &[Part],
        slots: &[&[Part]],
        text: &dyn Fn(u16) -> Option<&'s str>,
    ) -> Option<()> {
        push_parts(&mut self.text, url, text)?;
        self.ends[0] = self.text.len();
        for (slot, end) in slots.iter().zip(self.ends.iter_mut().skip(1)) {
            push_parts(&mut self.text, slot, text)?;
            *end = self.text.len();
        }
        Some(())
    }
}

impl Outcome {
    /// The endpoint or error of this result, with the computed strings
    /// from `text`; [`ResolveError::no_match`] when the result reads a
    /// value the rules left unset.
    ///
    /// The endpoint's URL and slot strings are kept together, in place
    /// when short (else in one allocation); its properties and headers stay
    /// templates (a result with more than a few slots has its values built
    /// instead).
    pub fn resolve<'s>(
        &self,
        text: &dyn Fn(u16) -> Option<&'s str>,
    ) -> Result<Endpoint, ResolveError> {
        match *self {
            Outcome::Error(parts) => {
                let mut message = Text::Heap(String::new());
                match push_parts(&mut message, parts, text) {
                    Some(()) => Err(ResolveError {
                        message: message.into_string(),
                    }),
                    None => Err(ResolveError::no_match()),
                }
            }
            Outcome::Endpoint {
                url,
                properties,
                headers,
                slots,
            } if slots.len() <= SLOTS => {
                // Built where it is returned, then filled.
                let mut resolved = Ok(Endpoint {
                    text: Text::new(),
                    ends: [0; SLOTS + 1],
                    slots: slots.len(),
                    properties: Properties::Templates(properties),
                    headers: Headers::Templates(headers),
                });
                if let Ok(endpoint) = &mut resolved {
                    if endpoint.fill(url, slots, text).is_none() {
                        return Err(ResolveError::no_match());
                    }
                }
                resolved
            }
            Outcome::Endpoint {
                url,
                properties,
                headers,
                slots,
            } => Outcome::with_values(url, properties, headers, slots, text)
                .unwrap_or_else(|| Err(ResolveError::no_match())),
        }
    }

    /// An endpoint with more slots than it keeps in place: its values,
    /// built now.
    fn with_values<'s>(
        url: &[Part],
        properties: &'static [(&'static str, Template)],
        headers: &'static [(&'static str, &'static [Template])],
        slots: &[&[Part]],
        text: &dyn Fn(u16) -> Option<&'s str>,
    ) -> Option<Result<Endpoint, ResolveError>> {
        let mut out = Text::new();
        push_parts(&mut out, url, text)?;
        let mut ends = [0; SLOTS + 1];
        ends[0] = out.len();
        let mut strings = Vec::with_capacity(slots.len());
        for slot in slots {
            let mut s = Text::Heap(String::new());
            push_parts(&mut s, slot, text)?;
            strings.push(s.into_string());
        }
        let slot = |i: usize| strings.get(i).map(String::as_str).unwrap_or_default();
        let properties = properties
            .iter()
            .map(|(k, t)| (*k, t.build(&slot)))
            .collect();
        let headers = headers
            .iter()
            .map(|(k, values)| {
                let values = values
                    .iter()
                    .map(|t| match t {
                        Template::Str(s) => (*s).to_owned(),
                        Template::Slot(i) => slot(*i).to_owned(),
                        _ => String::new(),
                    })
                    .collect();
                (*k, values)
            })
            .collect();
        Some(Ok(Endpoint {
            text: out,
            ends,
            slots: 0,
            properties: Properties::Values(properties),
            headers: Headers::Values(headers),
        }))
    }
}
