//! Reading and writing HTTP headers: the text of a header, the headers of
//! a prefix, and inserting members as headers.

use crate::error::InvalidValue;

/// The value of header `name` as text, or `None` when it is absent. Several
/// headers of that name are joined with `, `, as HTTP allows. A value that is
/// not visible ASCII is an error naming the header.
pub fn text(headers: &http::HeaderMap, name: &str) -> Result<Option<String>, InvalidValue> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    fn read<'v>(name: &str, value: &'v http::HeaderValue) -> Result<&'v str, InvalidValue> {
        value.to_str().map_err(|_| {
            InvalidValue::new(format!("header {name}"), "the value is not visible ASCII")
        })
    }
    let mut out = read(name, first)?.to_owned();
    for value in values {
        out.push_str(", ");
        out.push_str(read(name, value)?);
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
/// writers turn a member into a header. Inlined, so that the header name,
/// a constant at every call, is checked at compile time.
#[inline]
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
