//! Event streams: the `application/vnd.amazon.eventstream` framing that S3
//! uses for a response body made of events (SelectObjectContent).
//!
//! A stream is a sequence of messages. Each message is
//!
//! ```text
//! total length (u32) | headers length (u32) | CRC32 of the 8 bytes before
//! headers | payload | CRC32 of every byte before
//! ```
//!
//! with big-endian integers. A header is a name (1-byte length, UTF-8), a
//! type byte and a value. The `:message-type` header says whether the message
//! is an `event` (its `:event-type` names the event), an `exception` (a
//! modeled error, named by `:exception-type`) or an `error` (`:error-code`
//! and `:error-message`).
//!
//! This module is sans-IO. [`Decoder`] takes the body in chunks of any size
//! as they arrive and hands out whole events; [`decode_all`] reads a body
//! that is already in memory. [`Message::encode_into`] and [`encode_all`]
//! write messages, for servers. A message is at most 16 MiB and its headers
//! at most 128 KiB; the checksums are always checked.

use std::fmt;
use std::marker::PhantomData;

/// The largest message, in bytes, that is read or written (16 MiB).
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;
/// The largest headers section of one message, in bytes (128 KiB).
pub const MAX_HEADERS_LEN: usize = 128 * 1024;
/// Prelude (12 bytes) plus the message checksum (4 bytes).
const OVERHEAD: usize = 16;

/// The value of a message header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderValue {
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    ByteArray(Vec<u8>),
    String(String),
    /// Milliseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The text of a string header.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The type's name, for error messages.
    fn type_name(&self) -> &'static str {
        match self {
            HeaderValue::Bool(_) => "boolean",
            HeaderValue::Byte(_) => "byte",
            HeaderValue::Short(_) => "short",
            HeaderValue::Int(_) => "integer",
            HeaderValue::Long(_) => "long",
            HeaderValue::ByteArray(_) => "byte array",
            HeaderValue::String(_) => "string",
            HeaderValue::Timestamp(_) => "timestamp",
            HeaderValue::Uuid(_) => "uuid",
        }
    }
}

/// One header of a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    pub name: String,
    pub value: HeaderValue,
}

/// One message of an event stream: headers, in order, and the payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Message {
    pub headers: Vec<Header>,
    pub payload: Vec<u8>,
}

impl Message {
    /// An `event` message named `event_type`, without payload.
    pub fn event(event_type: &str) -> Self {
        let mut message = Message::default();
        message.push_header(":message-type", HeaderValue::String("event".into()));
        message.push_header(":event-type", HeaderValue::String(event_type.into()));
        message
    }

    /// Appends a header.
    pub fn push_header(&mut self, name: &str, value: HeaderValue) {
        self.headers.push(Header {
            name: name.to_owned(),
            value,
        });
    }

    /// The value of the first header with this name.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The text of a string header; an error when it is missing or not a string.
    fn string_header(&self, name: &str) -> Result<&str, EventStreamError> {
        match self.header(name) {
            Some(HeaderValue::String(s)) => Ok(s),
            Some(other) => Err(EventStreamError::Message(format!(
                "header {name} has type {}, not string",
                other.type_name()
            ))),
            None => Err(EventStreamError::Message(format!("no {name} header"))),
        }
    }

    /// The `:event-type` of an `event` message. An `error` or `exception`
    /// message gives the matching error.
    pub fn event_type(&self) -> Result<&str, EventStreamError> {
        match self.string_header(":message-type")? {
            "event" => self.string_header(":event-type"),
            "error" => Err(EventStreamError::Error {
                code: self.string_header(":error-code")?.to_owned(),
                message: self
                    .header(":error-message")
                    .and_then(HeaderValue::as_str)
                    .map(str::to_owned),
            }),
            "exception" => Err(EventStreamError::Exception {
                exception_type: self.string_header(":exception-type")?.to_owned(),
                payload: String::from_utf8_lossy(&self.payload).into_owned(),
            }),
            other => Err(EventStreamError::Message(format!(
                "unknown :message-type {other:?}"
            ))),
        }
    }

    /// Appends the message's bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EventStreamError> {
        let start = out.len();
        out.extend_from_slice(&[0; 12]);
        for header in &self.headers {
            let name = u8::try_from(header.name.len())
                .ok()
                .filter(|len| *len > 0)
                .ok_or_else(|| {
                    out.truncate(start);
                    EventStreamError::Message(format!(
                        "header name {:?} must have 1 to 255 bytes",
                        header.name
                    ))
                })?;
            out.push(name);
            out.extend_from_slice(header.name.as_bytes());
            let short = |bytes: &[u8], out: &mut Vec<u8>| -> Result<(), EventStreamError> {
                let len = u16::try_from(bytes.len()).map_err(|_| {
                    EventStreamError::Message(format!(
                        "header {} has more than 65,535 bytes",
                        header.name
                    ))
                })?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(bytes);
                Ok(())
            };
            // The type byte, then the value.
            let written = match &header.value {
                HeaderValue::Bool(true) => fixed(out, 0, &[]),
                HeaderValue::Bool(false) => fixed(out, 1, &[]),
                HeaderValue::Byte(v) => fixed(out, 2, &v.to_be_bytes()),
                HeaderValue::Short(v) => fixed(out, 3, &v.to_be_bytes()),
                HeaderValue::Int(v) => fixed(out, 4, &v.to_be_bytes()),
                HeaderValue::Long(v) => fixed(out, 5, &v.to_be_bytes()),
                HeaderValue::ByteArray(v) => {
                    out.push(6);
                    short(v, out)
                }
                HeaderValue::String(v) => {
                    out.push(7);
                    short(v.as_bytes(), out)
                }
                HeaderValue::Timestamp(v) => fixed(out, 8, &v.to_be_bytes()),
                HeaderValue::Uuid(v) => fixed(out, 9, v),
            };
            if let Err(e) = written {
                out.truncate(start);
                return Err(e);
            }
        }
        let headers_len = out.len() - start - 12;
        let total = headers_len + self.payload.len() + OVERHEAD;
        if headers_len > MAX_HEADERS_LEN || total > MAX_MESSAGE_LEN {
            out.truncate(start);
            return Err(EventStreamError::TooLarge {
                total,
                headers: headers_len,
            });
        }
        out.extend_from_slice(&self.payload);
        // Both lengths fit in u32: they are below MAX_MESSAGE_LEN.
        out[start..start + 4].copy_from_slice(&(total as u32).to_be_bytes());
        out[start + 4..start + 8].copy_from_slice(&(headers_len as u32).to_be_bytes());
        let prelude_crc = crate::checksum::crc32(&out[start..start + 8]);
        out[start + 8..start + 12].copy_from_slice(&prelude_crc.to_be_bytes());
        let message_crc = crate::checksum::crc32(&out[start..]);
        out.extend_from_slice(&message_crc.to_be_bytes());
        Ok(())
    }

    /// Reads one whole message from the start of `bytes`; returns it with the
    /// number of bytes it took, or `None` when `bytes` holds only part of it.
    pub fn decode(bytes: &[u8]) -> Result<Option<(Message, usize)>, EventStreamError> {
        if bytes.len() < 12 {
            return Ok(None);
        }
        let total = be_u32(&bytes[0..4]) as usize;
        let headers_len = be_u32(&bytes[4..8]) as usize;
        let prelude_crc = be_u32(&bytes[8..12]);
        let computed = crate::checksum::crc32(&bytes[0..8]);
        if prelude_crc != computed {
            return Err(EventStreamError::PreludeChecksum {
                expected: prelude_crc,
                computed,
            });
        }
        if !(OVERHEAD..=MAX_MESSAGE_LEN).contains(&total)
            || headers_len > MAX_HEADERS_LEN
            || headers_len > total - OVERHEAD
        {
            return Err(EventStreamError::TooLarge {
                total,
                headers: headers_len,
            });
        }
        if bytes.len() < total {
            return Ok(None);
        }
        let message_crc = be_u32(&bytes[total - 4..total]);
        let computed = crate::checksum::crc32(&bytes[..total - 4]);
        if message_crc != computed {
            return Err(EventStreamError::MessageChecksum {
                expected: message_crc,
                computed,
            });
        }
        let headers = read_headers(&bytes[12..12 + headers_len])?;
        let payload = bytes[12 + headers_len..total - 4].to_vec();
        Ok(Some((Message { headers, payload }, total)))
    }
}

/// Writes a header's type byte and fixed-size value.
fn fixed(out: &mut Vec<u8>, kind: u8, value: &[u8]) -> Result<(), EventStreamError> {
    out.push(kind);
    out.extend_from_slice(value);
    Ok(())
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Reads the headers section of a message.
fn read_headers(mut rest: &[u8]) -> Result<Vec<Header>, EventStreamError> {
    fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], EventStreamError> {
        if rest.len() < n {
            return Err(EventStreamError::Message(
                "a header runs past the end of the headers section".into(),
            ));
        }
        let (head, tail) = rest.split_at(n);
        *rest = tail;
        Ok(head)
    }
    fn array<const N: usize>(rest: &mut &[u8]) -> Result<[u8; N], EventStreamError> {
        let mut out = [0; N];
        out.copy_from_slice(take(rest, N)?);
        Ok(out)
    }
    let mut headers = Vec::new();
    while !rest.is_empty() {
        let name_len = take(&mut rest, 1)?[0] as usize;
        let name = std::str::from_utf8(take(&mut rest, name_len)?)
            .map_err(|_| EventStreamError::Message("a header name is not UTF-8".into()))?
            .to_owned();
        let value = match take(&mut rest, 1)?[0] {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i8::from_be_bytes(array(&mut rest)?)),
            3 => HeaderValue::Short(i16::from_be_bytes(array(&mut rest)?)),
            4 => HeaderValue::Int(i32::from_be_bytes(array(&mut rest)?)),
            5 => HeaderValue::Long(i64::from_be_bytes(array(&mut rest)?)),
            kind @ (6 | 7) => {
                let len = u16::from_be_bytes(array(&mut rest)?) as usize;
                let bytes = take(&mut rest, len)?.to_vec();
                if kind == 6 {
                    HeaderValue::ByteArray(bytes)
                } else {
                    HeaderValue::String(String::from_utf8(bytes).map_err(|_| {
                        EventStreamError::Message(format!("header {name} is not UTF-8"))
                    })?)
                }
            }
            8 => HeaderValue::Timestamp(i64::from_be_bytes(array(&mut rest)?)),
            9 => HeaderValue::Uuid(array(&mut rest)?),
            other => {
                return Err(EventStreamError::Message(format!(
                    "header {name} has unknown type {other}"
                )));
            }
        };
        headers.push(Header { name, value });
    }
    Ok(headers)
}

/// Why an event stream could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventStreamError {
    /// The checksum of a message's first 8 bytes is wrong.
    PreludeChecksum { expected: u32, computed: u32 },
    /// The checksum of a whole message is wrong.
    MessageChecksum { expected: u32, computed: u32 },
    /// A message's lengths are impossible or over the limits
    /// ([`MAX_MESSAGE_LEN`], [`MAX_HEADERS_LEN`]).
    TooLarge { total: usize, headers: usize },
    /// The stream ends inside a message.
    Truncated { remaining: usize },
    /// A message is malformed (a header, its type, a missing header).
    Message(String),
    /// An event's payload could not be read.
    Payload {
        event_type: String,
        source: crate::error::XmlError,
    },
    /// The server ended the stream with an `error` message.
    Error {
        code: String,
        message: Option<String>,
    },
    /// The server sent an `exception` message that the model does not
    /// describe; `payload` is its body as text.
    Exception {
        exception_type: String,
        payload: String,
    },
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventStreamError::PreludeChecksum { expected, computed } => write!(
                f,
                "event stream: prelude checksum {expected:#010x} does not match {computed:#010x}"
            ),
            EventStreamError::MessageChecksum { expected, computed } => write!(
                f,
                "event stream: message checksum {expected:#010x} does not match {computed:#010x}"
            ),
            EventStreamError::TooLarge { total, headers } => write!(
                f,
                "event stream: a message of {total} bytes with {headers} bytes of headers is \
                 malformed or over the limits ({MAX_MESSAGE_LEN} and {MAX_HEADERS_LEN})"
            ),
            EventStreamError::Truncated { remaining } => write!(
                f,
                "event stream: the stream ends inside a message ({remaining} bytes left over)"
            ),
            EventStreamError::Message(m) => write!(f, "event stream: {m}"),
            EventStreamError::Payload { event_type, source } => {
                write!(
                    f,
                    "event stream: the {event_type} event's payload: {source}"
                )
            }
            EventStreamError::Error { code, message } => {
                write!(f, "event stream: error {code}")?;
                match message {
                    Some(m) => write!(f, ": {m}"),
                    None => Ok(()),
                }
            }
            EventStreamError::Exception {
                exception_type,
                payload,
            } => write!(f, "event stream: exception {exception_type}: {payload}"),
        }
    }
}

impl std::error::Error for EventStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventStreamError::Payload { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A union of events that an event stream carries. Implemented by the
/// generated event-stream unions.
pub trait Event: Sized {
    /// Reads an event from a message. An `error` or `exception` message
    /// gives an error; an event type the model does not know gives the
    /// union's unknown variant.
    fn from_message(message: &Message) -> Result<Self, EventStreamError>;
    /// The message that carries this event.
    fn to_message(&self) -> Result<Message, crate::error::BuildError>;
}

/// Reads events from a body that arrives in chunks.
///
/// ```ignore
/// let mut decoder = Decoder::<SelectObjectContentEventStream>::new();
/// for chunk in body_chunks {
///     decoder.push(&chunk);
///     while let Some(event) = decoder.next_event()? {
///         // …
///     }
/// }
/// decoder.finish()?; // no half message left over
/// ```
///
/// After an error the decoder is broken: every later call gives the error
/// again.
#[derive(Debug)]
pub struct Decoder<E> {
    buffer: Vec<u8>,
    /// Bytes of `buffer` already handed out as messages.
    start: usize,
    failed: Option<EventStreamError>,
    events: PhantomData<fn() -> E>,
}

impl<E> Default for Decoder<E> {
    fn default() -> Self {
        Decoder {
            buffer: Vec::new(),
            start: 0,
            failed: None,
            events: PhantomData,
        }
    }
}

impl<E: Event> Decoder<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next bytes of the body.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole message, or `None` until more bytes arrive.
    pub fn next_message(&mut self) -> Result<Option<Message>, EventStreamError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match Message::decode(&self.buffer[self.start..]) {
            Ok(Some((message, len))) => {
                self.start += len;
                if self.start * 2 > self.buffer.len() {
                    self.buffer.drain(..self.start);
                    self.start = 0;
                }
                Ok(Some(message))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// The next whole event, or `None` until more bytes arrive.
    pub fn next_event(&mut self) -> Result<Option<E>, EventStreamError> {
        let Some(message) = self.next_message()? else {
            return Ok(None);
        };
        E::from_message(&message).map(Some).inspect_err(|e| {
            self.failed = Some(e.clone());
        })
    }

    /// Checks that the body ended between two messages.
    pub fn finish(&self) -> Result<(), EventStreamError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.buffer.len() - self.start {
            0 => Ok(()),
            remaining => Err(EventStreamError::Truncated { remaining }),
        }
    }
}

/// Reads every event of a whole body.
pub fn decode_all<E: Event>(body: &[u8]) -> Result<Vec<E>, EventStreamError> {
    let mut events = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        match Message::decode(rest)? {
            Some((message, len)) => {
                events.push(E::from_message(&message)?);
                rest = &rest[len..];
            }
            None => {
                return Err(EventStreamError::Truncated {
                    remaining: rest.len(),
                });
            }
        }
    }
    Ok(events)
}

/// Writes events as one body.
pub fn encode_all<E: Event>(events: &[E]) -> Result<Vec<u8>, crate::error::BuildError> {
    let mut out = Vec::new();
    for event in events {
        event.to_message()?.encode_into(&mut out).map_err(|e| {
            crate::error::BuildError::EventStream {
                message: e.to_string(),
            }
        })?;
    }
    Ok(out)
}

/// Reads an XML payload with `read`, naming the event in errors.
pub fn xml_payload<T>(
    message: &Message,
    event_type: &str,
    read: impl FnOnce(
        &mut crate::xml_read::Reader<'_>,
        &crate::xml_read::Start<'_>,
    ) -> Result<T, crate::error::XmlError>,
) -> Result<T, EventStreamError> {
    let run = || {
        let mut reader =
            crate::xml_read::Reader::new(&message.payload, &crate::xml_read::Limits::DEFAULT)?;
        let start = reader.root()?;
        let value = read(&mut reader, &start)?;
        reader.finish()?;
        Ok(value)
    };
    run().map_err(|source| EventStreamError::Payload {
        event_type: event_type.to_owned(),
        source,
    })
}

/// A header of the message converted by `convert`; `None` when absent, an
/// error when present with another type.
pub fn header<T>(
    message: &Message,
    name: &str,
    convert: impl FnOnce(&HeaderValue) -> Option<T>,
) -> Result<Option<T>, EventStreamError> {
    match message.header(name) {
        None => Ok(None),
        Some(value) => convert(value).map(Some).ok_or_else(|| {
            EventStreamError::Message(format!(
                "header {name} has the wrong type ({})",
                value.type_name()
            ))
        }),
    }
}
