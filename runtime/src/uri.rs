//! Percent-encoding for request paths and query strings (RFC 3986).

use crate::error::DecodeError;
use crate::primitives::TimestampFormat;
use crate::text::Text;

/// Uppercase hexadecimal digits, indexed by the value of a 4-bit nibble.
const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// Returns true for the RFC 3986 unreserved characters, which are never encoded.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Whether `text` is made of unreserved characters only, and so is the same
/// encoded or not.
#[cfg(feature = "sign")]
pub(crate) fn is_unreserved_text(text: &str) -> bool {
    text.bytes().all(is_unreserved)
}

/// Appends `value` to `out`, percent-encoded as RFC 3986 requires.
///
/// The unreserved characters `A-Z a-z 0-9 - . _ ~` are copied as they are.
/// Every other byte of the UTF-8 text is written as `%XX` with uppercase
/// hexadecimal digits, so a space becomes `%20` and `é` becomes `%C3%A9`.
/// When `keep_slash` is true, `/` is also copied as it is; use this for
/// greedy path labels such as an object key, whose slashes separate path
/// segments.
pub fn encode_into(out: &mut String, value: &str, keep_slash: bool) {
    let bytes = value.as_bytes();
    out.reserve(bytes.len());
    let keep = |byte: u8| is_unreserved(byte) || (keep_slash && byte == b'/');
    let mut start = 0;
    while start < bytes.len() {
        // A run of bytes copied as they are, appended whole.
        let run = bytes[start..]
            .iter()
            .position(|&byte| !keep(byte))
            .unwrap_or(bytes.len() - start);
        if run > 0 {
            // The run is ASCII, so both of its ends are character boundaries.
            out.push_str(value.get(start..start + run).unwrap_or_default());
        }
        let Some(&byte) = bytes.get(start + run) else {
            break;
        };
        out.push('%');
        out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(byte & 0x0F)]));
        start += run + 1;
    }
}

/// Appends one path segment holding a label: `/` and `value`
/// percent-encoded, keeping `/` only for a greedy label. An empty value is an error naming `member`, because the
/// path would then address another resource.
#[inline]
pub fn push_label(
    out: &mut String,
    member: &'static str,
    value: &str,
    greedy: bool,
) -> Result<(), crate::error::BuildError> {
    if value.is_empty() {
        return Err(crate::error::BuildError::EmptyLabel { member });
    }
    out.push('/');
    encode_into(out, value, greedy);
    Ok(())
}

/// Starts a request URI at a resolved endpoint: appends the endpoint's URL
/// without a trailing slash, with `host_prefix` (an operation's `endpoint`
/// trait, e.g. `route.`) before its host, and returns the length written,
/// for [`end_path`]. With no endpoint, appends nothing and returns 0.
#[inline]
pub fn push_endpoint(
    out: &mut String,
    endpoint: Option<&crate::endpoint::Endpoint>,
    host_prefix: Option<&str>,
) -> usize {
    match endpoint {
        Some(endpoint) => push_url(out, endpoint.url(), host_prefix),
        None => 0,
    }
}

/// [`push_endpoint`] with an endpoint, out of line: the search for `://`
/// is compiled once here rather than at every request writer.
fn push_url(out: &mut String, url: &str, host_prefix: Option<&str>) -> usize {
    match scheme_end(url) {
        Some(i) => {
            out.push_str(&url[..i + 3]);
            out.push_str(host_prefix.unwrap_or_default());
            out.push_str(url[i + 3..].trim_end_matches('/'));
        }
        None => out.push_str(url.trim_end_matches('/')),
    }
    out.len()
}

/// Where `://` is in `url`, if anywhere.
fn scheme_end(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    url[colon..].starts_with("://").then_some(colon)
}

/// Ends the path of a URI begun by [`push_endpoint`] at `base`: when the
/// operation added no path and the endpoint has none either, the path is
/// `/`. (An endpoint with a path, such as a path-style bucket, keeps it as
/// is: `https://s3.amazonaws.com/bucket?analytics`.)
#[inline]
pub fn end_path(out: &mut String, base: usize) {
    if out.len() == base {
        end_empty_path(out);
    }
}

/// [`end_path`] when the operation added no path, out of line.
fn end_empty_path(out: &mut String) {
    let after_scheme = scheme_end(out).map_or(0, |i| i + 3);
    if !out[after_scheme..].contains('/') {
        out.push('/');
    }
}

/// Appends one label of a host prefix. The value must be a valid host label
/// (letters, digits and hyphens, dots between labels, at most 63 bytes per
/// label), since it becomes part of the host name.
pub fn push_host_label(
    out: &mut String,
    member: &'static str,
    value: &str,
) -> Result<(), crate::error::BuildError> {
    let valid = !value.is_empty()
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !valid {
        return Err(crate::error::BuildError::InvalidHostLabel { member });
    }
    out.push_str(value);
    Ok(())
}

/// Appends one query parameter `key=value` (or `key` alone for a literal
/// without a value), preceded by `?` for the first parameter and `&` after.
#[inline]
pub fn push_query(out: &mut String, first: &mut bool, key: &str, value: Option<&str>) {
    out.push(if *first { '?' } else { '&' });
    *first = false;
    encode_into(out, key, false);
    if let Some(value) = value {
        out.push('=');
        encode_into(out, value, false);
    }
}

/// Returns `value` percent-encoded as RFC 3986 requires.
///
/// See [`encode_into`] for the exact rules.
pub fn encode(value: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    encode_into(&mut out, value, keep_slash);
    out
}

/// Returns the value of one hexadecimal digit, or `None` if `byte` is not one.
fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes a percent-encoded string, undoing [`encode`].
///
/// Each `%XX` sequence (either letter case) becomes the byte it names, and
/// every other character is kept as it is. A `+` is kept as a plus sign; it
/// does not mean a space here. Returns an error if a `%` is not followed by
/// two hexadecimal digits, or if the decoded bytes are not valid UTF-8.
#[allow(dead_code)] // Used by tests and by server-side code, not by the client.
pub fn decode(value: &str) -> Result<String, DecodeError> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut input = value.as_bytes().iter().copied().enumerate();
    while let Some((offset, byte)) = input.next() {
        if byte != b'%' {
            bytes.push(byte);
            continue;
        }
        let high = input.next().and_then(|(_, digit)| hex_value(digit));
        let low = input.next().and_then(|(_, digit)| hex_value(digit));
        match (high, low) {
            (Some(high), Some(low)) => bytes.push((high << 4) | low),
            _ => return Err(DecodeError::InvalidEscape { offset }),
        }
    }
    String::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8)
}

/// Writes the query string of a request URI: literal parameters of the URI
/// pattern, members bound to parameters, and maps of parameters. Timestamps
/// take the `date-time` format unless the member names another.
pub struct QueryWriter<'u> {
    out: &'u mut String,
    first: bool,
}

impl<'u> QueryWriter<'u> {
    /// Starts the query string at the end of `out` (the URI's path).
    #[inline]
    pub fn new(out: &'u mut String) -> Self {
        QueryWriter { out, first: true }
    }

    /// Appends `key=value`, or `key` alone without a value.
    #[inline]
    pub fn literal(&mut self, key: &str, value: Option<&str>) {
        push_query(self.out, &mut self.first, key, value);
    }

    /// Appends `key=` the text of `value`, when there is one.
    #[inline]
    pub fn param<T: Text>(&mut self, key: &str, value: Option<&T>) {
        self.param_as(key, value, TimestampFormat::DateTime);
    }

    /// [`QueryWriter::param`] with a timestamp in `format`.
    #[inline]
    pub fn param_as<T: Text>(&mut self, key: &str, value: Option<&T>, format: TimestampFormat) {
        if let Some(value) = value {
            push_query(self.out, &mut self.first, key, Some(&value.to_text(format)));
        }
    }

    /// Appends one `key=item` per item of a list.
    pub fn params<T: Text>(&mut self, key: &str, items: Option<&[T]>, format: TimestampFormat) {
        for item in items.unwrap_or_default() {
            self.param_as(key, Some(item), format);
        }
    }

    /// Appends every entry of a map of parameters whose key is not `bound`
    /// (parameters bound by name take precedence over the map).
    pub fn map<V: Text>(&mut self, map: Option<&indexmap::IndexMap<String, V>>, bound: &[&str]) {
        for (key, value) in map.into_iter().flatten() {
            if !bound.contains(&key.as_str()) {
                self.param(key, Some(value));
            }
        }
    }

    /// [`QueryWriter::map`] for a map of lists: one parameter per item.
    pub fn map_lists<V: Text>(
        &mut self,
        map: Option<&indexmap::IndexMap<String, Vec<V>>>,
        bound: &[&str],
    ) {
        for (key, items) in map.into_iter().flatten() {
            if !bound.contains(&key.as_str()) {
                self.params(key, Some(items), TimestampFormat::DateTime);
            }
        }
    }
}
