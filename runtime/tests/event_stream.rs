//! Tests of `s3_runtime::event_stream`: the
//! `application/vnd.amazon.eventstream` framing.

use s3_runtime::checksum;
use s3_runtime::error;
use s3_runtime::event_stream;

use event_stream::{
    Decoder, Event, EventStreamError, HeaderValue, MAX_MESSAGE_LEN, Message, decode_all, encode_all,
};

/// A small event union for the tests: `Data` carries the payload, `Count`
/// an integer header, anything else is kept by name.
#[derive(Debug, Clone, PartialEq)]
enum TestEvent {
    Data(Vec<u8>),
    Count(i32),
    Unknown(String),
}

impl Event for TestEvent {
    fn from_message(message: &Message) -> Result<Self, EventStreamError> {
        Ok(match message.event_type()? {
            "Data" => TestEvent::Data(message.payload.clone()),
            "Count" => TestEvent::Count(
                event_stream::header(message, "n", |v| match v {
                    HeaderValue::Int(n) => Some(*n),
                    _ => None,
                })?
                .unwrap_or_default(),
            ),
            other => TestEvent::Unknown(other.to_owned()),
        })
    }

    fn to_message(&self) -> Result<Message, error::BuildError> {
        Ok(match self {
            TestEvent::Data(bytes) => {
                let mut m = Message::event("Data");
                m.payload = bytes.clone();
                m
            }
            TestEvent::Count(n) => {
                let mut m = Message::event("Count");
                m.push_header("n", HeaderValue::Int(*n));
                m
            }
            TestEvent::Unknown(name) => {
                return Err(error::BuildError::UnknownUnionVariant {
                    shape: "TestEvent",
                    name: name.clone(),
                });
            }
        })
    }
}

fn encode(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    message.encode_into(&mut out).unwrap();
    out
}

/// A message with every header type.
fn every_header() -> Message {
    let mut m = Message::default();
    m.push_header("t", HeaderValue::Bool(true));
    m.push_header("f", HeaderValue::Bool(false));
    m.push_header("b", HeaderValue::Byte(-7));
    m.push_header("s", HeaderValue::Short(-300));
    m.push_header("i", HeaderValue::Int(1 << 20));
    m.push_header("l", HeaderValue::Long(-(1 << 40)));
    m.push_header("a", HeaderValue::ByteArray(vec![0, 1, 255]));
    m.push_header("str", HeaderValue::String("héllo".into()));
    m.push_header("ts", HeaderValue::Timestamp(1_700_000_000_123));
    m.push_header("u", HeaderValue::Uuid(*b"0123456789abcdef"));
    m.payload = b"payload bytes".to_vec();
    m
}

#[test]
fn the_frame_layout_follows_the_format() {
    // One string header ":a" = "b" and a 3-byte payload, laid out by hand.
    let mut m = Message::default();
    m.push_header(":a", HeaderValue::String("b".into()));
    m.payload = b"xyz".to_vec();
    let bytes = encode(&m);
    let headers: &[u8] = &[2, b':', b'a', 7, 0, 1, b'b'];
    let total = 12 + headers.len() + 3 + 4;
    assert_eq!(bytes.len(), total);
    assert_eq!(&bytes[0..4], &(total as u32).to_be_bytes());
    assert_eq!(&bytes[4..8], &(headers.len() as u32).to_be_bytes());
    assert_eq!(&bytes[8..12], &checksum::crc32(&bytes[0..8]).to_be_bytes());
    assert_eq!(&bytes[12..12 + headers.len()], headers);
    assert_eq!(&bytes[12 + headers.len()..total - 4], b"xyz");
    assert_eq!(
        &bytes[total - 4..],
        &checksum::crc32(&bytes[..total - 4]).to_be_bytes()
    );
}

#[test]
fn every_header_type_round_trips() {
    let m = every_header();
    let bytes = encode(&m);
    let (back, len) = Message::decode(&bytes).unwrap().unwrap();
    assert_eq!(len, bytes.len());
    assert_eq!(back, m);
    // Type bytes, in header order: true 0, false 1, byte 2, …, uuid 9.
    let mut types = Vec::new();
    let mut rest = &bytes[12..bytes.len() - 4 - m.payload.len()];
    while !rest.is_empty() {
        let name_len = rest[0] as usize;
        let kind = rest[1 + name_len];
        types.push(kind);
        let value_len = match kind {
            0 | 1 => 0,
            2 => 1,
            3 => 2,
            4 => 4,
            5 | 8 => 8,
            6 | 7 => 2 + u16::from_be_bytes([rest[2 + name_len], rest[3 + name_len]]) as usize,
            9 => 16,
            _ => unreachable!(),
        };
        rest = &rest[2 + name_len + value_len..];
    }
    assert_eq!(types, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

#[test]
fn a_body_in_any_chunking_gives_the_same_events() {
    let events = vec![
        TestEvent::Data(b"a,b,c\n".to_vec()),
        TestEvent::Count(42),
        TestEvent::Data(vec![]),
        TestEvent::Data((0..=255).collect()),
    ];
    let body = encode_all(&events).unwrap();
    assert_eq!(decode_all::<TestEvent>(&body).unwrap(), events);
    for chunk in [1, 2, 3, 7, 16, 100, body.len()] {
        let mut decoder = Decoder::<TestEvent>::new();
        let mut got = Vec::new();
        for piece in body.chunks(chunk) {
            decoder.push(piece);
            while let Some(event) = decoder.next_event().unwrap() {
                got.push(event);
            }
        }
        decoder.finish().unwrap();
        assert_eq!(got, events, "chunks of {chunk}");
    }
}

#[test]
fn unknown_event_types_are_kept_by_name() {
    let body = encode(&Message::event("Future"));
    assert_eq!(
        decode_all::<TestEvent>(&body).unwrap(),
        [TestEvent::Unknown("Future".into())]
    );
    assert!(matches!(
        encode_all(&[TestEvent::Unknown("Future".into())]),
        Err(error::BuildError::UnknownUnionVariant { .. })
    ));
}

#[test]
fn error_and_exception_messages_become_errors() {
    let mut m = Message::default();
    m.push_header(":message-type", HeaderValue::String("error".into()));
    m.push_header(":error-code", HeaderValue::String("InternalError".into()));
    m.push_header(":error-message", HeaderValue::String("try again".into()));
    let mut body = encode_all(&[TestEvent::Count(1)]).unwrap();
    body.extend(encode(&m));
    let err = decode_all::<TestEvent>(&body).unwrap_err();
    assert_eq!(
        err,
        EventStreamError::Error {
            code: "InternalError".into(),
            message: Some("try again".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "event stream: error InternalError: try again"
    );

    let mut m = Message::default();
    m.push_header(":message-type", HeaderValue::String("exception".into()));
    m.push_header(":exception-type", HeaderValue::String("Throttled".into()));
    m.payload = b"<Error/>".to_vec();
    let mut decoder = Decoder::<TestEvent>::new();
    decoder.push(&encode(&m));
    let err = decoder.next_event().unwrap_err();
    assert_eq!(
        err,
        EventStreamError::Exception {
            exception_type: "Throttled".into(),
            payload: "<Error/>".into()
        }
    );
    // A broken decoder stays broken.
    assert_eq!(decoder.next_event().unwrap_err(), err);
    assert_eq!(decoder.finish().unwrap_err(), err);
}

#[test]
fn messages_without_a_message_type_are_rejected() {
    let mut m = Message::default();
    m.push_header(":event-type", HeaderValue::String("Data".into()));
    let err = decode_all::<TestEvent>(&encode(&m)).unwrap_err();
    assert_eq!(err.to_string(), "event stream: no :message-type header");
    let mut m = Message::default();
    m.push_header(":message-type", HeaderValue::Int(1));
    let err = decode_all::<TestEvent>(&encode(&m)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "event stream: header :message-type has type integer, not string"
    );
}

#[test]
fn checksums_are_checked() {
    let body = encode(&every_header());
    let mut bad = body.clone();
    bad[9] ^= 1;
    assert!(matches!(
        Message::decode(&bad),
        Err(EventStreamError::PreludeChecksum { .. })
    ));
    let mut bad = body.clone();
    bad[20] ^= 1;
    assert!(matches!(
        Message::decode(&bad),
        Err(EventStreamError::MessageChecksum { .. })
    ));
    let mut bad = body.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    assert!(matches!(
        Message::decode(&bad),
        Err(EventStreamError::MessageChecksum { .. })
    ));
}

#[test]
fn a_body_that_stops_inside_a_message_is_truncated() {
    let body = encode_all(&[TestEvent::Count(1), TestEvent::Data(b"abc".to_vec())]).unwrap();
    for cut in 1..body.len() {
        let part = &body[..cut];
        let first = encode_all(&[TestEvent::Count(1)]).unwrap().len();
        if cut == first {
            continue;
        }
        assert!(
            matches!(
                decode_all::<TestEvent>(part),
                Err(EventStreamError::Truncated { .. })
            ),
            "cut at {cut}"
        );
        let mut decoder = Decoder::<TestEvent>::new();
        decoder.push(part);
        while decoder.next_event().unwrap().is_some() {}
        assert!(matches!(
            decoder.finish(),
            Err(EventStreamError::Truncated { .. })
        ));
    }
}

/// A prelude that claims `total` bytes with a valid prelude checksum.
fn prelude(total: u32, headers: u32) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&headers.to_be_bytes());
    let crc = checksum::crc32(&p);
    p.extend_from_slice(&crc.to_be_bytes());
    p
}

#[test]
fn impossible_or_oversized_lengths_are_rejected_before_buffering() {
    for (total, headers) in [
        (MAX_MESSAGE_LEN as u32 + 1, 0),
        (u32::MAX, 0),
        (15, 0),
        (16, 1),
        (1000, 200 * 1024),
    ] {
        let err = Message::decode(&prelude(total, headers)).unwrap_err();
        assert!(
            matches!(err, EventStreamError::TooLarge { .. }),
            "{total}/{headers}: {err}"
        );
    }
    // The largest message is fine: the prelude alone asks for more bytes.
    assert_eq!(
        Message::decode(&prelude(MAX_MESSAGE_LEN as u32, 0)).unwrap(),
        None
    );
    let m = Message {
        payload: vec![0; MAX_MESSAGE_LEN],
        ..Message::default()
    };
    let mut out = vec![1, 2, 3];
    assert!(matches!(
        m.encode_into(&mut out),
        Err(EventStreamError::TooLarge { .. })
    ));
    assert_eq!(out, [1, 2, 3], "nothing is left behind by a failed write");
}

#[test]
fn malformed_headers_are_errors() {
    // Each headers section is wrapped in a frame with valid checksums.
    fn frame(headers: &[u8]) -> Vec<u8> {
        let total = (headers.len() + 16) as u32;
        let mut out = prelude(total, headers.len() as u32);
        out.extend_from_slice(headers);
        let crc = checksum::crc32(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }
    for headers in [
        &[1, b'a', 10][..],            // unknown type
        &[1, b'a', 7, 0, 5, b'x'][..], // string longer than the section
        &[5, b'a'][..],                // name longer than the section
        &[1, 0xff, 7, 0, 0][..],       // name not UTF-8
        &[1, b'a', 7, 0, 1, 0xff][..], // value not UTF-8
        &[1, b'a', 4, 0, 0][..],       // integer cut short
    ] {
        let err = Message::decode(&frame(headers)).unwrap_err();
        assert!(
            matches!(err, EventStreamError::Message(_)),
            "{headers:?}: {err}"
        );
    }
    let mut m = Message::default();
    m.push_header(&"n".repeat(256), HeaderValue::Bool(true));
    assert!(m.encode_into(&mut Vec::new()).is_err());
    let mut m = Message::default();
    m.push_header("s", HeaderValue::String("x".repeat(65_536)));
    assert!(m.encode_into(&mut Vec::new()).is_err());
}

#[test]
fn no_input_panics() {
    // Every single-byte change and every prefix of a valid body, and
    // pseudo-random bytes behind a valid prelude.
    let body = encode_all(&[TestEvent::Count(7), TestEvent::Data(b"hello".to_vec())]).unwrap();
    for i in 0..body.len() {
        for bit in 0..8 {
            let mut bad = body.clone();
            bad[i] ^= 1 << bit;
            let _ = decode_all::<TestEvent>(&bad);
        }
        let _ = decode_all::<TestEvent>(&body[..i]);
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in 0..200u32 {
        let mut bytes = prelude(len + 16, len / 2);
        for _ in 0..len + 4 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push(state as u8);
        }
        let _ = decode_all::<TestEvent>(&bytes);
    }
}

#[test]
fn errors_convert_to_response_errors_that_say_so() {
    let err = EventStreamError::Truncated { remaining: 3 };
    let response: error::ResponseError = err.clone().into();
    assert_eq!(response, error::ResponseError::EventStream(err));
    assert_eq!(
        response.to_string(),
        "event stream: the stream ends inside a message (3 bytes left over)"
    );
}
