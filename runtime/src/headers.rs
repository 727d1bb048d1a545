//! Reading and writing HTTP headers: the text of a header, the headers of
//! a prefix, and inserting members as headers.

use std::borrow::Cow;

use crate::error::InvalidValue;
use crate::primitives::TimestampFormat;
use crate::text::Text;

/// The value of header `name` as text, or `None` when it is absent. Several
/// headers of that name are joined with `, `, as HTTP allows. A value that is
/// not visible ASCII is an error naming the header.
pub fn text(headers: &http::HeaderMap, name: &str) -> Result<Option<String>, InvalidValue> {
    join(name, headers.get_all(name).iter())
}

/// The values of header `name` joined with `, `; `None` when there are none.
fn join<'v>(
    name: &str,
    mut values: impl Iterator<Item = &'v http::HeaderValue>,
) -> Result<Option<String>, InvalidValue> {
    let Some(first) = values.next() else {
        return Ok(None);
    };
    let read = |value: &'v http::HeaderValue| {
        value.to_str().map_err(|_| {
            InvalidValue::new(format!("header {name}"), "the value is not visible ASCII")
        })
    };
    let mut out = read(first)?.to_owned();
    for value in values {
        out.push_str(", ");
        out.push_str(read(value)?);
    }
    Ok(Some(out))
}

/// Every header whose name starts with `prefix` (lower case), keyed by the
/// rest of the name, in the order received.
pub fn with_prefix(
    headers: &http::HeaderMap,
    prefix: &str,
) -> Result<indexmap::IndexMap<String, String>, InvalidValue> {
    let mut out = indexmap::IndexMap::new();
    for name in headers.keys() {
        if let Some(rest) = name.as_str().strip_prefix(prefix) {
            if let Some(value) = text(headers, name.as_str())? {
                out.insert(rest.to_owned(), value);
            }
        }
    }
    Ok(out)
}

/// Inserts header `name` (a valid lower-case header name from the model)
/// with the text `value`, or fails naming the header when `value` cannot be
/// a header value. The one place where generated request and response
/// writers turn a member into a header: compiled once, not at every
/// header of every message (the name's check is not folded away by
/// inlining anyway).
pub fn insert(
    headers: &mut http::HeaderMap,
    name: &'static str,
    value: &str,
) -> Result<(), crate::error::BuildError> {
    let value = http::HeaderValue::from_str(value)
        .map_err(|_| crate::error::BuildError::InvalidHeaderValue { header: name })?;
    headers.insert(http::HeaderName::from_static(name), value);
    Ok(())
}

/// Like [`insert`], leaving the header out when `value` cannot be a header
/// value: for error responses, which are written whatever they hold.
pub fn insert_if_valid(headers: &mut http::HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = http::HeaderValue::from_str(value) {
        headers.insert(http::HeaderName::from_static(name), value);
    }
}

/// Inserts one header per entry of `map`, named `prefix` + key, or fails
/// naming the prefix when a name or value cannot be a header's.
pub fn insert_prefixed(
    headers: &mut http::HeaderMap,
    prefix: &'static str,
    map: &indexmap::IndexMap<String, String>,
) -> Result<(), crate::error::BuildError> {
    let invalid = || crate::error::BuildError::InvalidHeaderValue { header: prefix };
    for (key, value) in map {
        let name = format!("{prefix}{key}");
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = http::HeaderValue::from_str(value).map_err(|_| invalid())?;
        headers.insert(name, value);
    }
    Ok(())
}

/// Like [`insert_prefixed`], leaving out the entries that cannot be headers.
pub fn insert_prefixed_if_valid(
    headers: &mut http::HeaderMap,
    prefix: &'static str,
    map: &indexmap::IndexMap<String, String>,
) {
    for (key, value) in map {
        let name = format!("{prefix}{key}");
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
}

/// The value of header `name` read by `parse` from its text, `None` when the
/// header is absent; a value `parse` rejects is an error naming the header.
#[inline]
pub fn parse<T, E: std::fmt::Display>(
    headers: &http::HeaderMap,
    name: &str,
    parse: impl FnOnce(String) -> Result<T, E>,
) -> Result<Option<T>, InvalidValue> {
    match text(headers, name)? {
        Some(text) => parse(text)
            .map(Some)
            .map_err(|e| InvalidValue::new(format!("header {name}"), e)),
        None => Ok(None),
    }
}

/// Writes members as headers: the one place where generated request and
/// response writers turn a member into a header. Timestamps take the
/// `http-date` format unless the member names another (`put_as`).
pub struct Writer<'h>(pub &'h mut http::HeaderMap);

impl Writer<'_> {
    /// Inserts header `name` (a valid lower-case name from the model) with
    /// the text of `value` when there is one, or fails naming the header
    /// when that text cannot be a header value.
    #[inline]
    pub fn put<T: Text>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
    ) -> Result<(), crate::error::BuildError> {
        self.put_as(name, value, TimestampFormat::HttpDate)
    }

    /// [`Writer::put`] with a timestamp in `format`.
    #[inline]
    pub fn put_as<T: Text>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
        format: TimestampFormat,
    ) -> Result<(), crate::error::BuildError> {
        match value {
            Some(value) => insert(self.0, name, &value.to_text(format)),
            None => Ok(()),
        }
    }

    /// Like [`Writer::put`], leaving the header out when its text cannot be
    /// a header value: for error responses, which are written whatever they
    /// hold.
    pub fn put_if_valid<T: Text>(&mut self, name: &'static str, value: Option<&T>) {
        self.put_as_if_valid(name, value, TimestampFormat::HttpDate);
    }

    /// [`Writer::put_if_valid`] with a timestamp in `format`.
    pub fn put_as_if_valid<T: Text>(
        &mut self,
        name: &'static str,
        value: Option<&T>,
        format: TimestampFormat,
    ) {
        if let Some(value) = value {
            insert_if_valid(self.0, name, &value.to_text(format));
        }
    }

    /// Inserts a list as one header: the items' texts joined with `, `,
    /// strings and enum values quoted when they hold a comma or a quote.
    pub fn put_list<T: Text>(
        &mut self,
        name: &'static str,
        items: Option<&[T]>,
        format: TimestampFormat,
        strict: bool,
    ) -> Result<(), crate::error::BuildError> {
        let Some(items) = items else { return Ok(()) };
        let texts: Vec<_> = items.iter().map(|item| item.to_text(format)).collect();
        let text = crate::primitives::join_header_list(texts.iter().map(|t| &**t), T::QUOTED);
        if strict {
            insert(self.0, name, &text)
        } else {
            insert_if_valid(self.0, name, &text);
            Ok(())
        }
    }

    /// Inserts one header per entry of `map`, named `prefix` + key, or
    /// fails naming the prefix when a name or value cannot be a header's.
    #[inline]
    pub fn put_prefixed(
        &mut self,
        prefix: &'static str,
        map: Option<&indexmap::IndexMap<String, String>>,
    ) -> Result<(), crate::error::BuildError> {
        match map {
            Some(map) => insert_prefixed(self.0, prefix, map),
            None => Ok(()),
        }
    }

    /// Like [`Writer::put_prefixed`], leaving out the entries that cannot
    /// be headers.
    pub fn put_prefixed_if_valid(
        &mut self,
        prefix: &'static str,
        map: Option<&indexmap::IndexMap<String, String>>,
    ) {
        if let Some(map) = map {
            insert_prefixed_if_valid(self.0, prefix, map);
        }
    }
}

/// Reads members from headers, for the request readers of a server and the
/// response readers of a client. Timestamps take the `http-date` format
/// unless the member names another (`get_as`).
///
/// A message has a few headers and its reader looks up dozens of names
/// (41 for a PutObject request): when there are at most 16 header values,
/// [`Reader::new`] lists them once and each lookup compares names, which
/// costs less than parsing every name into a `HeaderName` for the map.
/// Names are given in lower case, as the model writes them and as
/// `http::HeaderMap` keeps them.
#[derive(Clone, Copy)]
pub struct Reader<'h> {
    map: &'h http::HeaderMap,
    /// The first `indexed` entries are the map's values with their names;
    /// `None` when the map has more values than fit.
    indexed: Option<usize>,
    entries: [(&'h str, Option<&'h http::HeaderValue>); INDEXED],
    /// One bit per listed name ([`name_bit`]): a name whose bit is clear
    /// is absent without a search, which is the fate of most lookups.
    present: u64,
}

/// A name's bit in [`Reader`]'s `present` set, from its length and last byte.
#[inline]
fn name_bit(name: &str) -> u64 {
    let last = name.as_bytes().last().copied().unwrap_or(0) as usize;
    1 << ((name.len().wrapping_mul(7) ^ last) & 63)
}

/// The most header values a [`Reader`] lists.
const INDEXED: usize = 16;

impl<'h> Reader<'h> {
    /// A reader of `map`.
    #[inline]
    pub fn new(map: &'h http::HeaderMap) -> Self {
        let mut entries = [("", None); INDEXED];
        let mut present = 0;
        let indexed = (map.len() <= INDEXED).then(|| {
            for (slot, (name, value)) in entries.iter_mut().zip(map.iter()) {
                *slot = (name.as_str(), Some(value));
                present |= name_bit(name.as_str());
            }
            map.len()
        });
        Reader {
            map,
            indexed,
            entries,
            present,
        }
    }

    /// The headers read.
    pub fn map(&self) -> &'h http::HeaderMap {
        self.map
    }

    /// The value of header `name`, `None` when it is absent; a text that is
    /// not a value of `T` is an error naming the header.
    #[inline]
    pub fn get<T: Text>(&self, name: &str) -> Result<Option<T>, InvalidValue> {
        self.get_as(name, TimestampFormat::HttpDate)
    }

    /// [`Reader::get`] with a timestamp in `format`.
    #[inline]
    pub fn get_as<T: Text>(
        &self,
        name: &str,
        format: TimestampFormat,
    ) -> Result<Option<T>, InvalidValue> {
        match self.text(name)? {
            Some(text) => T::from_text(Cow::Owned(text), format)
                .map(Some)
                .map_err(|e| InvalidValue::new(format!("header {name}"), e)),
            None => Ok(None),
        }
    }

    /// The text of header `name` (see [`text`]).
    fn text(&self, name: &str) -> Result<Option<String>, InvalidValue> {
        debug_assert!(!name.bytes().any(|b| b.is_ascii_uppercase()), "{name}");
        let Some(indexed) = self.indexed else {
            return text(self.map, name);
        };
        if self.present & name_bit(name) == 0 {
            return Ok(None);
        }
        let values = self.entries[..indexed]
            .iter()
            .filter(|(key, _)| *key == name)
            .filter_map(|(_, value)| *value);
        join(name, values)
    }

    /// A list read from header `name` (items separated by commas, quoted
    /// strings unquoted; `http-date` timestamps, which hold a comma, taken
    /// whole), `None` when the header is absent.
    pub fn list<T: Text>(
        &self,
        name: &str,
        format: TimestampFormat,
    ) -> Result<Option<Vec<T>>, InvalidValue> {
        let Some(text) = self.text(name)? else {
            return Ok(None);
        };
        let invalid = |e: String| InvalidValue::new(format!("header {name}"), e);
        let items = if T::TIMESTAMP && format == TimestampFormat::HttpDate {
            crate::primitives::split_http_date_list(&text)
        } else {
            crate::primitives::split_header_list(&text).map_err(|e| invalid(e.to_string()))?
        };
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(T::from_text(Cow::Owned(item), format).map_err(invalid)?);
        }
        Ok(Some(values))
    }

    /// Every header whose name starts with `prefix` (lower case), keyed by
    /// the rest of the name, in the order received.
    pub fn prefixed(
        &self,
        prefix: &str,
    ) -> Result<indexmap::IndexMap<String, String>, InvalidValue> {
        let Some(indexed) = self.indexed else {
            return with_prefix(self.map, prefix);
        };
        let mut out = indexmap::IndexMap::new();
        for (name, _) in &self.entries[..indexed] {
            if let Some(rest) = name.strip_prefix(prefix) {
                if !out.contains_key(rest) {
                    if let Some(value) = self.text(name)? {
                        out.insert(rest.to_owned(), value);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// `Some(map)`, or `None` for an empty map.
#[inline]
pub fn non_empty<K, V>(map: indexmap::IndexMap<K, V>) -> Option<indexmap::IndexMap<K, V>> {
    (!map.is_empty()).then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answers whether the reader lists the headers (at most 16
    /// values) or looks each name up in the map (more).
    #[test]
    fn readers_of_small_and_large_maps_agree() {
        for extra in [0, 30] {
            let mut map = http::HeaderMap::new();
            map.append("x-amz-meta-a", "1".parse().unwrap());
            map.append("cache-control", "no-cache".parse().unwrap());
            map.append("cache-control", "max-age=5".parse().unwrap());
            map.append("content-length", "42".parse().unwrap());
            map.append("x-bad", http::HeaderValue::from_bytes(b"\xff").unwrap());
            for i in 0..extra {
                map.append(
                    http::HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).unwrap(),
                    "v".parse().unwrap(),
                );
            }
            let h = Reader::new(&map);
            assert_eq!(h.indexed.is_some(), extra == 0);
            assert_eq!(
                h.get::<String>("cache-control").unwrap().as_deref(),
                Some("no-cache, max-age=5")
            );
            assert_eq!(h.get::<i64>("content-length").unwrap(), Some(42));
            assert_eq!(h.get::<String>("if-match").unwrap(), None);
            assert!(h.get::<String>("x-bad").is_err());
            assert!(h.get::<i32>("cache-control").is_err());
            assert_eq!(
                h.prefixed("x-amz-meta-")
                    .unwrap()
                    .get("a")
                    .map(String::as_str),
                Some("1")
            );
        }
    }
}
