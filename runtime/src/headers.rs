//! Reading HTTP headers of responses.

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
