//! SelectObjectContent's event stream through the generated crate: a body
//! laid out as S3 sends it, read whole (`parse_response`) and in chunks
//! (`from_response_head` and `event_stream::Decoder`); errors inside the
//! stream; and the server side writing events.

use s3_api::Operation;
use s3_api::event_stream::{Decoder, Event, EventStreamError, HeaderValue, Message};
use s3_api::operation::select_object_content::{
    SelectObjectContent, SelectObjectContentError, SelectObjectContentOutput,
};
use s3_api::types::{
    ContinuationEvent, EndEvent, Progress, ProgressEvent, RecordsEvent,
    SelectObjectContentEventStream as Ev, Stats, StatsEvent,
};
use s3_api::{Output, StreamingOutput};

/// An `event` message as S3 writes it: `:event-type`, `:content-type`
/// (when there is a payload), `:message-type`.
fn s3_message(event_type: &str, content_type: Option<&str>, payload: &[u8]) -> Vec<u8> {
    let mut m = Message::default();
    m.push_header(":event-type", HeaderValue::String(event_type.into()));
    if let Some(ct) = content_type {
        m.push_header(":content-type", HeaderValue::String(ct.into()));
    }
    m.push_header(":message-type", HeaderValue::String("event".into()));
    m.payload = payload.to_vec();
    let mut out = Vec::new();
    m.encode_into(&mut out).unwrap();
    out
}

fn s3_body() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(s3_message(
        "Records",
        Some("application/octet-stream"),
        b"1,alice\n2,b",
    ));
    body.extend(s3_message(
        "Records",
        Some("application/octet-stream"),
        b"ob\n",
    ));
    body.extend(s3_message("Cont", None, b""));
    body.extend(s3_message(
        "Progress",
        Some("text/xml"),
        br#"<Progress xmlns=""><BytesScanned>512</BytesScanned><BytesProcessed>512</BytesProcessed><BytesReturned>16</BytesReturned></Progress>"#,
    ));
    body.extend(s3_message(
        "Stats",
        Some("text/xml"),
        br#"<?xml version="1.0" encoding="UTF-8"?><Stats xmlns=""><BytesScanned>1024</BytesScanned><BytesProcessed>1024</BytesProcessed><BytesReturned>16</BytesReturned></Stats>"#,
    ));
    body.extend(s3_message("End", None, b""));
    body
}

fn expected_events() -> Vec<Ev> {
    vec![
        Ev::Records(RecordsEvent::default().with_payload(b"1,alice\n2,b".to_vec())),
        Ev::Records(RecordsEvent::default().with_payload(b"ob\n".to_vec())),
        Ev::Cont(ContinuationEvent::default()),
        Ev::Progress(
            ProgressEvent::default().with_details(
                Progress::default()
                    .with_bytes_scanned(512)
                    .with_bytes_processed(512)
                    .with_bytes_returned(16),
            ),
        ),
        Ev::Stats(
            StatsEvent::default().with_details(
                Stats::default()
                    .with_bytes_scanned(1024)
                    .with_bytes_processed(1024)
                    .with_bytes_returned(16),
            ),
        ),
        Ev::End(EndEvent::default()),
    ]
}

fn response(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/vnd.amazon.eventstream")
        .header("x-amz-request-id", "R1")
        .body(body)
        .unwrap()
}

#[test]
fn a_whole_body_reads_into_the_events_in_order() {
    let output = SelectObjectContent::parse_response(&response(s3_body())).unwrap();
    assert_eq!(output.payload, Some(expected_events()));
    // An empty body is no stream at all.
    let output = SelectObjectContent::parse_response(&response(vec![])).unwrap();
    assert_eq!(output.payload, None);
}

#[test]
fn a_body_in_chunks_reads_into_the_same_events() {
    let body = s3_body();
    let (head, _) = response(vec![]).into_parts();
    let output = SelectObjectContentOutput::from_response_head(&head).unwrap();
    assert_eq!(output.payload, None, "the body is the caller's to read");
    for size in [1, 5, 64, 4096] {
        let mut decoder = Decoder::<Ev>::new();
        let mut events = Vec::new();
        for chunk in body.chunks(size) {
            decoder.push(chunk);
            while let Some(event) = decoder.next_event().unwrap() {
                events.push(event);
            }
        }
        decoder.finish().unwrap();
        assert_eq!(events, expected_events(), "chunks of {size}");
    }
}

#[test]
fn an_error_message_in_the_stream_fails_the_response() {
    let mut body = s3_message("Records", Some("application/octet-stream"), b"1\n");
    let mut m = Message::default();
    m.push_header(":error-code", HeaderValue::String("InternalError".into()));
    m.push_header(
        ":error-message",
        HeaderValue::String("We encountered an internal error.".into()),
    );
    m.push_header(":message-type", HeaderValue::String("error".into()));
    m.encode_into(&mut body).unwrap();
    let err = SelectObjectContent::parse_response(&response(body.clone())).unwrap_err();
    let SelectObjectContentError::Unhandled(unhandled) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(unhandled.meta.status, 200);
    assert_eq!(unhandled.meta.request_id.as_deref(), Some("R1"));
    let source = unhandled.source.as_ref().expect("the stream's error");
    assert!(
        matches!(source, s3_api::error::ResponseError::EventStream(_)),
        "{source:?}"
    );
    assert_eq!(
        source.to_string(),
        "event stream: error InternalError: We encountered an internal error."
    );
    // In chunks the error comes as a value, after the records before it.
    let mut decoder = Decoder::<Ev>::new();
    decoder.push(&body);
    assert!(matches!(decoder.next_event(), Ok(Some(Ev::Records(_)))));
    assert_eq!(
        decoder.next_event().unwrap_err(),
        EventStreamError::Error {
            code: "InternalError".into(),
            message: Some("We encountered an internal error.".into()),
        }
    );
}

#[test]
fn a_corrupt_or_cut_stream_fails_the_response() {
    let mut body = s3_body();
    body[30] ^= 0x20;
    let err = SelectObjectContent::parse_response(&response(body)).unwrap_err();
    let SelectObjectContentError::Unhandled(unhandled) = &err else {
        panic!("{err:?}");
    };
    let message = unhandled.source.as_ref().unwrap().to_string();
    assert!(message.contains("checksum"), "{message}");

    let body = s3_body();
    let cut = body[..body.len() - 3].to_vec();
    let err = SelectObjectContent::parse_response(&response(cut)).unwrap_err();
    let SelectObjectContentError::Unhandled(unhandled) = &err else {
        panic!("{err:?}");
    };
    let message = unhandled.source.as_ref().unwrap().to_string();
    assert!(message.contains("ends inside a message"), "{message}");
}

#[test]
fn a_bad_payload_names_the_event() {
    let body = s3_message(
        "Stats",
        Some("text/xml"),
        b"<Stats><BytesScanned>many</BytesScanned></Stats>",
    );
    let mut decoder = Decoder::<Ev>::new();
    decoder.push(&body);
    let err = decoder.next_event().unwrap_err();
    let EventStreamError::Payload { event_type, source } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(event_type, "Stats");
    assert_eq!(source.path(), Some("Stats/BytesScanned"));
    assert_eq!(
        err.to_string(),
        "event stream: the Stats event's payload: invalid XML at Stats/BytesScanned: \
         invalid value for BytesScanned: invalid digit found in string"
    );
}

#[test]
fn unknown_event_types_are_kept() {
    let body = s3_message("Telemetry", Some("text/plain"), b"{}");
    let output = SelectObjectContent::parse_response(&response(body)).unwrap();
    assert_eq!(output.payload, Some(vec![Ev::Unknown("Telemetry".into())]));
}

#[test]
fn the_server_writes_the_events_as_a_stream() {
    let output = SelectObjectContentOutput::default().with_payload(expected_events());
    let response = output.to_http_response().unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.amazon.eventstream"
    );
    // Each message carries the event type; payloads say what they hold.
    let mut decoder = Decoder::<Ev>::new();
    decoder.push(response.body());
    let mut types = Vec::new();
    while let Some(m) = decoder.next_message().unwrap() {
        let content_type = m
            .header(":content-type")
            .and_then(HeaderValue::as_str)
            .map(str::to_owned);
        types.push((m.event_type().unwrap().to_owned(), content_type));
        assert_eq!(Ev::from_message(&m).unwrap().to_message().unwrap(), m);
    }
    let ct = |s: &str| Some(s.to_owned());
    assert_eq!(
        types,
        [
            ("Records".to_owned(), ct("application/octet-stream")),
            ("Records".to_owned(), ct("application/octet-stream")),
            ("Cont".to_owned(), None),
            ("Progress".to_owned(), ct("text/xml")),
            ("Stats".to_owned(), ct("text/xml")),
            ("End".to_owned(), None),
        ]
    );
    let back = SelectObjectContent::parse_response(&response).unwrap();
    assert_eq!(back.payload, Some(expected_events()));

    let unknown =
        SelectObjectContentOutput::default().with_payload(vec![Ev::Unknown("Telemetry".into())]);
    assert!(matches!(
        unknown.to_http_response(),
        Err(s3_api::error::BuildError::UnknownUnionVariant { .. })
    ));
}
