//! Tests of `s3_runtime::primitives`: timestamps, base64, header lists,
//! numbers and booleans.

use s3_runtime::primitives;

use primitives::{
    Base64Error, DateTime, DateTimeError, ParseError, TimestampFormat, base64_decode,
    base64_encode, join_header_list, parse_bool, parse_float, split_header_list,
    split_http_date_list,
};
use std::path::Path;

use TimestampFormat::{DateTime as Rfc3339, EpochSeconds, HttpDate};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A small deterministic pseudo-random generator (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn next64(&mut self) -> u64 {
        (self.next() << 32) ^ self.next()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next64() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

fn dt(seconds: i64, nanos: u32) -> DateTime {
    DateTime::from_secs_and_nanos(seconds, nanos).unwrap()
}

fn parse(text: &str, format: TimestampFormat) -> DateTime {
    DateTime::parse(text, format).unwrap_or_else(|e| panic!("{text:?} ({format:?}): {e}"))
}

fn parse_err(text: &str, format: TimestampFormat) -> DateTimeError {
    match DateTime::parse(text, format) {
        Ok(value) => panic!("{text:?} ({format:?}) parsed as {value:?}"),
        Err(error) => error,
    }
}

/// Seconds from the epoch to 0001-01-01T00:00:00Z.
const YEAR_1_START: i64 = -62_135_596_800;
/// Seconds from the epoch to 9999-12-31T23:59:59Z.
const YEAR_9999_END: i64 = 253_402_300_799;
/// Seconds from the epoch to 0000-01-01T00:00:00Z.
const YEAR_0_START: i64 = -62_167_219_200;

/// A random instant in years 0001 to 9999, with a random kind of fraction.
fn random_instant(rng: &mut Lcg) -> DateTime {
    let span = (YEAR_9999_END - YEAR_1_START + 1) as u64;
    let seconds = YEAR_1_START + rng.below(span) as i64;
    let nanos = match rng.below(5) {
        0 => 0,
        1 => rng.below(1000) as u32 * 1_000_000,
        2 => rng.below(1_000_000) as u32 * 1000,
        3 => rng.below(10) as u32 * 100_000_000,
        _ => rng.below(1_000_000_000) as u32,
    };
    dt(seconds, nanos)
}

// ---------------------------------------------------------------------------
// DateTime: construction and accessors
// ---------------------------------------------------------------------------

#[test]
fn constructors_and_accessors() {
    let value = DateTime::from_secs(1_398_796_238);
    assert_eq!(value.secs(), 1_398_796_238);
    assert_eq!(value.subsec_nanos(), 0);
    assert_eq!(dt(-2, 500_000_000).as_secs_f64(), -1.5);
    assert_eq!(
        DateTime::from_secs_and_nanos(0, 999_999_999)
            .unwrap()
            .subsec_nanos(),
        999_999_999
    );
    assert_eq!(DateTime::from_secs_and_nanos(0, 1_000_000_000), None);
    assert_eq!(DateTime::from_secs_and_nanos(0, u32::MAX), None);
    assert!(dt(-2, 500_000_000) < dt(-1, 0));
    assert!(dt(-1, 999_999_999) < dt(0, 0));
    assert!(dt(5, 1) > dt(5, 0));
}

#[test]
fn from_secs_f64_uses_the_shortest_decimal() {
    let cases: &[(f64, i64, u32)] = &[
        (946_845_296.123, 946_845_296, 123_000_000),
        (1_398_796_238.0, 1_398_796_238, 0),
        (1_576_540_098.0, 1_576_540_098, 0),
        (-1.5, -2, 500_000_000),
        (-0.5, -1, 500_000_000),
        (-0.0, 0, 0),
        (0.1, 0, 100_000_000),
        (1e-9, 0, 1),
        (1e-10, 0, 0),
        (-1e-10, 0, 0),
        (1.123_456_789_9, 1, 123_456_789),
        (1e18, 1_000_000_000_000_000_000, 0),
        (-9_223_372_036_854_775_808.0, i64::MIN, 0),
        (9_223_372_036_854_774_784.0, 9_223_372_036_854_774_784, 0),
    ];
    for &(value, seconds, nanos) in cases {
        assert_eq!(
            DateTime::from_secs_f64(value),
            Some(dt(seconds, nanos)),
            "{value}"
        );
    }
    for value in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        9_223_372_036_854_775_808.0,
        -9_223_372_036_854_777_856.0,
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
    ] {
        assert_eq!(DateTime::from_secs_f64(value), None, "{value}");
    }
    // Subnormal and tiny values are zero.
    assert_eq!(DateTime::from_secs_f64(f64::MIN_POSITIVE), Some(dt(0, 0)));
    assert_eq!(DateTime::from_secs_f64(5e-324), Some(dt(0, 0)));
}

// ---------------------------------------------------------------------------
// DateTime: the strings of the restXml protocol tests
// ---------------------------------------------------------------------------

#[test]
fn protocol_test_strings() {
    // (seconds, nanos, date-time, http-date, epoch-seconds)
    let cases: &[(i64, u32, &str, &str, &str)] = &[
        (
            1_398_796_238,
            0,
            "2014-04-29T18:30:38Z",
            "Tue, 29 Apr 2014 18:30:38 GMT",
            "1398796238",
        ),
        (
            1_576_540_098,
            0,
            "2019-12-16T23:48:18Z",
            "Mon, 16 Dec 2019 23:48:18 GMT",
            "1576540098",
        ),
        (
            946_845_296,
            123_000_000,
            "2000-01-02T20:34:56.123Z",
            "Sun, 02 Jan 2000 20:34:56.123 GMT",
            "946845296.123",
        ),
        (
            1,
            0,
            "1970-01-01T00:00:01Z",
            "Thu, 01 Jan 1970 00:00:01 GMT",
            "1",
        ),
        (
            2,
            0,
            "1970-01-01T00:00:02Z",
            "Thu, 01 Jan 1970 00:00:02 GMT",
            "2",
        ),
        (
            3,
            0,
            "1970-01-01T00:00:03Z",
            "Thu, 01 Jan 1970 00:00:03 GMT",
            "3",
        ),
    ];
    for &(seconds, nanos, date_time, http_date, epoch) in cases {
        let value = dt(seconds, nanos);
        assert_eq!(value.fmt(Rfc3339), date_time);
        assert_eq!(value.fmt(HttpDate), http_date);
        assert_eq!(value.fmt(EpochSeconds), epoch);
        assert_eq!(value.to_string(), date_time);
        assert_eq!(parse(date_time, Rfc3339), value);
        assert_eq!(parse(http_date, HttpDate), value);
        assert_eq!(parse(epoch, EpochSeconds), value);
    }
    // The fractional-seconds test gives its value as the JSON number 946845296.123.
    assert_eq!(
        DateTime::from_secs_f64(946_845_296.123)
            .unwrap()
            .fmt(Rfc3339),
        "2000-01-02T20:34:56.123Z"
    );
    // Offsets in the protocol tests.
    for text in ["2019-12-16T22:48:18-01:00", "2019-12-17T00:48:18+01:00"] {
        assert_eq!(
            parse(text, Rfc3339),
            DateTime::from_secs(1_576_540_098),
            "{text}"
        );
    }
    // The header list of InputAndOutputWithTimestampHeaders.
    let list = "Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT";
    let items = split_http_date_list(list);
    assert_eq!(items, ["Mon, 16 Dec 2019 23:48:18 GMT"; 2]);
    for item in &items {
        assert_eq!(parse(item, HttpDate), DateTime::from_secs(1_576_540_098));
    }
    let written: Vec<String> = [1_576_540_098, 1_576_540_098]
        .iter()
        .map(|&s| DateTime::from_secs(s).fmt(HttpDate))
        .collect();
    assert_eq!(
        join_header_list(written.iter().map(String::as_str), false),
        list
    );
}

/// Every string of every value, recursively.
fn strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Reads the protocol-test model (if it is present) and checks that every
/// timestamp string in a header or an XML element reads as the protocol
/// expects and, when it is in canonical form, is written back unchanged.
#[test]
fn protocol_test_file_timestamps() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/protocol-tests/restxml.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("{} not found; skipped", path.display());
        return;
    };
    let model: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut candidates = Vec::new();
    for shape in model["shapes"].as_object().unwrap().values() {
        for trait_name in [
            "smithy.test#httpRequestTests",
            "smithy.test#httpResponseTests",
        ] {
            for case in shape["traits"][trait_name].as_array().into_iter().flatten() {
                let mut found = Vec::new();
                strings(&case["headers"], &mut found);
                if let Some(body) = case["body"].as_str() {
                    // Element text: whatever lies between '>' and '<'.
                    for piece in body.split('>') {
                        if let Some((text, _)) = piece.split_once('<') {
                            found.push(text);
                        }
                    }
                }
                candidates.extend(found);
            }
        }
    }
    let mut checked = 0;
    for candidate in candidates {
        let items = if candidate.matches(',').count() >= 3 {
            split_http_date_list(candidate)
        } else {
            vec![candidate.to_owned()]
        };
        for item in items {
            let item = item.as_str();
            if item.ends_with(" GMT") {
                let value = parse(item, HttpDate);
                assert_eq!(value.fmt(HttpDate), item);
                checked += 1;
            } else if item.len() >= 20 && item.as_bytes()[4] == b'-' && item.as_bytes()[10] == b'T'
            {
                let value = parse(item, Rfc3339);
                if item.ends_with('Z') {
                    assert_eq!(value.fmt(Rfc3339), item);
                } else {
                    assert_eq!(value, DateTime::from_secs(1_576_540_098), "{item}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} timestamps found");
}

// ---------------------------------------------------------------------------
// DateTime: formatting
// ---------------------------------------------------------------------------

#[test]
fn format_table() {
    // (seconds, nanos, date-time, http-date, epoch-seconds)
    let cases: &[(i64, u32, &str, &str, &str)] = &[
        (
            0,
            0,
            "1970-01-01T00:00:00Z",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "0",
        ),
        (
            0,
            100_000_000,
            "1970-01-01T00:00:00.1Z",
            "Thu, 01 Jan 1970 00:00:00.1 GMT",
            "0.1",
        ),
        (
            0,
            1,
            "1970-01-01T00:00:00.000000001Z",
            "Thu, 01 Jan 1970 00:00:00.000000001 GMT",
            "0.000000001",
        ),
        (
            1,
            123_456_789,
            "1970-01-01T00:00:01.123456789Z",
            "Thu, 01 Jan 1970 00:00:01.123456789 GMT",
            "1.123456789",
        ),
        (
            1,
            120_000_000,
            "1970-01-01T00:00:01.12Z",
            "Thu, 01 Jan 1970 00:00:01.12 GMT",
            "1.12",
        ),
        (
            -1,
            0,
            "1969-12-31T23:59:59Z",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "-1",
        ),
        (
            -2,
            500_000_000,
            "1969-12-31T23:59:58.5Z",
            "Wed, 31 Dec 1969 23:59:58.5 GMT",
            "-1.5",
        ),
        (
            -1,
            500_000_000,
            "1969-12-31T23:59:59.5Z",
            "Wed, 31 Dec 1969 23:59:59.5 GMT",
            "-0.5",
        ),
        (
            -1,
            999_999_999,
            "1969-12-31T23:59:59.999999999Z",
            "Wed, 31 Dec 1969 23:59:59.999999999 GMT",
            "-0.000000001",
        ),
        (
            951_782_400,
            0,
            "2000-02-29T00:00:00Z",
            "Tue, 29 Feb 2000 00:00:00 GMT",
            "951782400",
        ),
        (
            -2_203_891_200,
            0,
            "1900-03-01T00:00:00Z",
            "Thu, 01 Mar 1900 00:00:00 GMT",
            "-2203891200",
        ),
        (
            YEAR_1_START,
            0,
            "0001-01-01T00:00:00Z",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "-62135596800",
        ),
        (
            YEAR_9999_END,
            999_999_999,
            "9999-12-31T23:59:59.999999999Z",
            "Fri, 31 Dec 9999 23:59:59.999999999 GMT",
            "253402300799.999999999",
        ),
        (
            YEAR_0_START,
            0,
            "0000-01-01T00:00:00Z",
            "Sat, 01 Jan 0000 00:00:00 GMT",
            "-62167219200",
        ),
        (
            4_102_444_799,
            0,
            "2099-12-31T23:59:59Z",
            "Thu, 31 Dec 2099 23:59:59 GMT",
            "4102444799",
        ),
        (
            2_147_483_648,
            0,
            "2038-01-19T03:14:08Z",
            "Tue, 19 Jan 2038 03:14:08 GMT",
            "2147483648",
        ),
    ];
    for &(seconds, nanos, date_time, http_date, epoch) in cases {
        let value = dt(seconds, nanos);
        assert_eq!(value.fmt(Rfc3339), date_time, "{value:?}");
        assert_eq!(value.fmt(HttpDate), http_date, "{value:?}");
        assert_eq!(value.fmt(EpochSeconds), epoch, "{value:?}");
        assert_eq!(parse(date_time, Rfc3339), value);
        assert_eq!(parse(http_date, HttpDate), value);
        assert_eq!(parse(epoch, EpochSeconds), value);
    }
}

#[test]
fn format_outside_years_0000_to_9999() {
    assert_eq!(
        DateTime::from_secs(YEAR_9999_END + 1).fmt(Rfc3339),
        "+10000-01-01T00:00:00Z"
    );
    assert_eq!(
        DateTime::from_secs(YEAR_0_START - 86_400).fmt(Rfc3339),
        "-0001-12-31T00:00:00Z"
    );
    for seconds in [
        i64::MIN,
        i64::MIN + 1,
        i64::MAX,
        i64::MAX - 1,
        YEAR_9999_END + 1,
    ] {
        for nanos in [0, 1, 999_999_999] {
            let value = dt(seconds, nanos);
            let date_time = value.fmt(Rfc3339);
            let http_date = value.fmt(HttpDate);
            assert!(DateTime::parse(&date_time, Rfc3339).is_err(), "{date_time}");
            assert!(
                DateTime::parse(&http_date, HttpDate).is_err(),
                "{http_date}"
            );
            // Epoch seconds cover the whole range exactly.
            assert_eq!(parse(&value.fmt(EpochSeconds), EpochSeconds), value);
        }
    }
    assert_eq!(
        DateTime::from_secs(i64::MIN).fmt(EpochSeconds),
        "-9223372036854775808"
    );
    assert_eq!(
        dt(i64::MIN, 1).fmt(EpochSeconds),
        "-9223372036854775807.999999999"
    );
    assert_eq!(
        dt(i64::MAX, 5).fmt(EpochSeconds),
        "9223372036854775807.000000005"
    );
    assert_eq!(
        DateTime::from_secs(i64::MAX).fmt(Rfc3339),
        "+292277026596-12-04T15:30:07Z"
    );
    assert_eq!(
        DateTime::from_secs(i64::MIN).fmt(Rfc3339),
        "-292277022657-01-27T08:29:52Z"
    );
}

// ---------------------------------------------------------------------------
// DateTime: parsing
// ---------------------------------------------------------------------------

#[test]
fn parse_date_time_table() {
    let cases: &[(&str, i64, u32)] = &[
        ("2014-04-29T18:30:38Z", 1_398_796_238, 0),
        ("2014-04-29t18:30:38z", 1_398_796_238, 0),
        ("  2014-04-29T18:30:38Z\n", 1_398_796_238, 0),
        ("2014-04-29T18:30:38+00:00", 1_398_796_238, 0),
        ("2014-04-29T18:30:38-00:00", 1_398_796_238, 0),
        ("2014-04-29T20:00:38+01:30", 1_398_796_238, 0),
        ("2014-04-29T00:00:38-18:30", 1_398_796_238, 0),
        ("2014-04-29T18:30:38.1Z", 1_398_796_238, 100_000_000),
        ("2014-04-29T18:30:38.123456789Z", 1_398_796_238, 123_456_789),
        (
            "2014-04-29T18:30:38.1234567891Z",
            1_398_796_238,
            123_456_789,
        ),
        (
            "2014-04-29T18:30:38.123456789999999999999Z",
            1_398_796_238,
            123_456_789,
        ),
        ("2014-04-29T18:30:38.000Z", 1_398_796_238, 0),
        (
            "2014-04-29T18:30:38.5-01:00",
            1_398_796_238 + 3600,
            500_000_000,
        ),
        ("1970-01-01T00:00:00Z", 0, 0),
        ("1970-01-01T00:30:00+01:00", -1800, 0),
        ("1969-12-31T23:59:59.999999999Z", -1, 999_999_999),
        ("2000-02-29T12:00:00Z", 951_825_600, 0),
        ("2024-02-29T00:00:00Z", 1_709_164_800, 0),
        ("2000-12-31T23:59:59Z", 978_307_199, 0),
        ("2001-01-01T00:00:00Z", 978_307_200, 0),
        ("0001-01-01T00:00:00Z", YEAR_1_START, 0),
        ("0000-01-01T00:00:00Z", YEAR_0_START, 0),
        ("0000-01-01T00:00:00+01:00", YEAR_0_START - 3600, 0),
        ("9999-12-31T23:59:59Z", YEAR_9999_END, 0),
        (
            "9999-12-31T23:59:59-23:59",
            YEAR_9999_END + 23 * 3600 + 59 * 60,
            0,
        ),
        // A leap second is read as second 59.
        ("2016-12-31T23:59:60Z", 1_483_228_799, 0),
        ("2016-12-31T23:59:60.5Z", 1_483_228_799, 500_000_000),
    ];
    for &(text, seconds, nanos) in cases {
        assert_eq!(parse(text, Rfc3339), dt(seconds, nanos), "{text}");
    }
}

#[test]
fn parse_date_time_errors() {
    for text in [
        "",
        " ",
        "2014",
        "2014-04-29",
        "2014-04-29T18:30Z",
        "2014-04-29T18:30:38",
        "2014-04-29 18:30:38Z",
        "2014-04-29T18:30:38ZZ",
        "2014-04-29T18:30:38Z junk",
        "2014-04-29T18:30:38.Z",
        "2014-04-29T18:30:38,5Z",
        "2014-04-29T18:30:38+01",
        "2014-04-29T18:30:38+0100",
        "2014-04-29T18:30:38+24:00",
        "2014-04-29T18:30:38+01:60",
        "2014-04-29T18:30:38UTC",
        "14-04-29T18:30:38Z",
        "+2014-04-29T18:30:38Z",
        "-2014-04-29T18:30:38Z",
        "20140-04-29T18:30:38Z",
        "2014-4-29T18:30:38Z",
        "2014-04-9T18:30:38Z",
        "2014-04-29T8:30:38Z",
        "2014-00-29T18:30:38Z",
        "2014-13-29T18:30:38Z",
        "2014-04-00T18:30:38Z",
        "2014-04-31T18:30:38Z",
        "2014-01-32T18:30:38Z",
        "1900-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2014-04-29T24:00:00Z",
        "2014-04-29T18:60:38Z",
        "2014-04-29T18:30:61Z",
        "2014-04-29T18:30:99Z",
        "２０１４-04-29T18:30:38Z",
        "2014-04-29T18:30:38Z\u{0}",
        "Tue, 29 Apr 2014 18:30:38 GMT",
        "1398796238",
    ] {
        let error = parse_err(text, Rfc3339);
        assert!(!error.message().is_empty());
        assert!(
            error.to_string().starts_with("invalid timestamp: "),
            "{error}"
        );
    }
}

#[test]
fn parse_http_date_table() {
    let cases: &[(&str, i64, u32)] = &[
        ("Tue, 29 Apr 2014 18:30:38 GMT", 1_398_796_238, 0),
        ("tue, 29 apr 2014 18:30:38 gmt", 1_398_796_238, 0),
        ("TUE, 29 APR 2014 18:30:38 GMT", 1_398_796_238, 0),
        ("\t Tue, 29 Apr 2014 18:30:38 GMT \r\n", 1_398_796_238, 0),
        (
            "Tue, 29 Apr 2014 18:30:38.123 GMT",
            1_398_796_238,
            123_000_000,
        ),
        (
            "Tue, 29 Apr 2014 18:30:38.1234567899 GMT",
            1_398_796_238,
            123_456_789,
        ),
        // The day name is not checked against the date.
        ("Mon, 29 Apr 2014 18:30:38 GMT", 1_398_796_238, 0),
        ("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400, 0),
        ("Mon, 01 Jan 0001 00:00:00 GMT", YEAR_1_START, 0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", YEAR_9999_END, 0),
        ("Sat, 31 Dec 2016 23:59:60 GMT", 1_483_228_799, 0),
        // RFC 850.
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777, 0),
        ("sunday, 06-nov-94 08:49:37 gmt", 784_111_777, 0),
        ("Tuesday, 29-Apr-14 18:30:38 GMT", 1_398_796_238, 0),
        ("Thursday, 01-Jan-70 00:00:00 GMT", 0, 0),
        ("Friday, 31-Dec-69 23:59:59 GMT", 3_155_759_999, 0),
        // asctime.
        ("Sun Nov  6 08:49:37 1994", 784_111_777, 0),
        ("Sun Nov 06 08:49:37 1994", 784_111_777, 0),
        ("Tue Apr 29 18:30:38 2014", 1_398_796_238, 0),
    ];
    for &(text, seconds, nanos) in cases {
        assert_eq!(parse(text, HttpDate), dt(seconds, nanos), "{text}");
    }
}

#[test]
fn parse_http_date_errors() {
    for text in [
        "",
        "GMT",
        "Tue",
        "Tue,",
        "Tue, 29 Apr 2014 18:30:38",
        "Tue, 29 Apr 2014 18:30:38 UTC",
        "Tue, 29 Apr 2014 18:30:38 GMT+1",
        "Tue, 29 Apr 2014 18:30:38 GM",
        "Tue, 29 Apr 14 18:30:38 GMT",
        "Tue, 9 Apr 2014 18:30:38 GMT",
        "Tue,  29 Apr 2014 18:30:38 GMT",
        "Tue 29 Apr 2014 18:30:38 GMT",
        "Tue, 29 April 2014 18:30:38 GMT",
        "Tue, 29 Foo 2014 18:30:38 GMT",
        "Xyz, 29 Apr 2014 18:30:38 GMT",
        "Tuesday, 29 Apr 2014 18:30:38 GMT",
        "Tue, 29-Apr-14 18:30:38 GMT",
        "Tue, 31 Apr 2014 18:30:38 GMT",
        "Mon, 29 Feb 1900 00:00:00 GMT",
        "Tue, 29 Apr 2014 24:30:38 GMT",
        "Tue, 29 Apr 2014 18:30:38. GMT",
        "Tue, 29 Apr 2014 18:30 GMT",
        "Tue, 29 Apr 2014 18:30:38 GMT, Tue, 29 Apr 2014 18:30:38 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 6-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37 1994 GMT",
        "2014-04-29T18:30:38Z",
        "1398796238",
        "Tue, 29 Apr 2014 18:30:38 GMT\u{e9}",
        "T\u{e9}e, 29 Apr 2014 18:30:38 GMT",
    ] {
        parse_err(text, HttpDate);
    }
}

#[test]
fn parse_epoch_seconds_table() {
    let cases: &[(&str, i64, u32)] = &[
        ("1398796238", 1_398_796_238, 0),
        ("1398796238.123", 1_398_796_238, 123_000_000),
        ("1398796238.000", 1_398_796_238, 0),
        ("+1398796238", 1_398_796_238, 0),
        ("  1398796238\n", 1_398_796_238, 0),
        ("01398796238", 1_398_796_238, 0),
        ("1.398796238E9", 1_398_796_238, 0),
        ("1.398796238e9", 1_398_796_238, 0),
        ("1.398796238123E+9", 1_398_796_238, 123_000_000),
        ("1398796238123e-3", 1_398_796_238, 123_000_000),
        ("1e0", 1, 0),
        ("1E-9", 0, 1),
        ("1E-10", 0, 0),
        ("-1E-10", 0, 0),
        ("0", 0, 0),
        ("-0", 0, 0),
        ("0.0", 0, 0),
        ("0e99999999999999999999999", 0, 0),
        ("-1.5", -2, 500_000_000),
        ("-0.5", -1, 500_000_000),
        ("-1", -1, 0),
        ("-0.000000001", -1, 999_999_999),
        ("-0.0000000019", -1, 999_999_999),
        ("0.1234567899", 0, 123_456_789),
        ("0.05", 0, 50_000_000),
        ("100.000000001", 100, 1),
        ("9223372036854775807", i64::MAX, 0),
        ("9223372036854775807.999999999", i64::MAX, 999_999_999),
        ("-9223372036854775808", i64::MIN, 0),
        ("-9223372036854775807.5", i64::MIN, 500_000_000),
        ("9.223372036854775807e18", i64::MAX, 0),
        (
            "0.00000000000000000000000000000000000000000000001e46",
            0,
            100_000_000,
        ),
    ];
    for &(text, seconds, nanos) in cases {
        assert_eq!(parse(text, EpochSeconds), dt(seconds, nanos), "{text}");
    }
}

#[test]
fn parse_epoch_seconds_errors() {
    for text in [
        "",
        "-",
        "+",
        ".",
        ".5",
        "1.",
        "1e",
        "1e+",
        "e5",
        "--1",
        "+-1",
        "1 2",
        "1,5",
        "0x10",
        "NaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1398796238Z",
        "9223372036854775808",
        "-9223372036854775809",
        "-9223372036854775808.5",
        "10000000000000000000",
        "1e19",
        "1e99999999999999999999999",
        "2014-04-29T18:30:38Z",
        "１２３",
    ] {
        parse_err(text, EpochSeconds);
    }
}

// ---------------------------------------------------------------------------
// DateTime: properties
// ---------------------------------------------------------------------------

#[test]
fn leap_years() {
    for (year, leap) in [
        (1900, false),
        (2000, true),
        (2004, true),
        (2100, false),
        (2400, true),
        (1, false),
        (4, true),
        (0, true),
        (9996, true),
        (9999, false),
    ] {
        let text = format!("{year:04}-02-29T00:00:00Z");
        assert_eq!(DateTime::parse(&text, Rfc3339).is_ok(), leap, "{text}");
        let next = parse(&format!("{year:04}-03-01T00:00:00Z"), Rfc3339);
        let feb28 = parse(&format!("{year:04}-02-28T00:00:00Z"), Rfc3339);
        let days = (next.secs() - feb28.secs()) / 86_400;
        assert_eq!(days, if leap { 2 } else { 1 }, "{year}");
    }
}

#[test]
fn every_month_boundary_of_years_0000_to_9999() {
    // Walk the calendar day by day, and check that the first and the last
    // days of every month (and every thirteenth day besides) format as the
    // expected calendar date and read back.
    let mut expected = (0_i64, 1_u32, 1_u32);
    let mut seconds = YEAR_0_START;
    let mut count = 0_u64;
    while seconds <= YEAR_9999_END {
        let (year, month, day) = expected;
        if day == 1 || day >= 28 || count % 13 == 0 {
            let value = DateTime::from_secs(seconds);
            let text = value.fmt(Rfc3339);
            assert_eq!(text, format!("{year:04}-{month:02}-{day:02}T00:00:00Z"));
            assert_eq!(parse(&text, Rfc3339), value);
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let length = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        expected = if day < length {
            (year, month, day + 1)
        } else if month < 12 {
            (year, month + 1, 1)
        } else {
            (year + 1, 1, 1)
        };
        seconds += 86_400;
        count += 1;
    }
    assert_eq!(expected, (10_000, 1, 1));
}

#[test]
fn day_names_cycle() {
    let names = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    for day in -3000_i64..3000 {
        let text = DateTime::from_secs(day * 86_400).fmt(HttpDate);
        assert_eq!(&text[..3], names[day.rem_euclid(7) as usize], "{text}");
    }
}

#[test]
fn random_round_trips() {
    let mut rng = Lcg(0x5EED_0001);
    for _ in 0..10_000 {
        let value = random_instant(&mut rng);
        for format in [Rfc3339, HttpDate, EpochSeconds] {
            let text = value.fmt(format);
            assert_eq!(parse(&text, format), value, "{text}");
        }
        // Parsing ignores surrounding whitespace and the case of letters.
        let lower = format!(" {} ", value.fmt(Rfc3339).to_ascii_lowercase());
        assert_eq!(parse(&lower, Rfc3339), value);
        let upper = value.fmt(HttpDate).to_ascii_uppercase();
        assert_eq!(parse(&upper, HttpDate), value);
    }
}

#[test]
fn random_offsets_agree_with_utc() {
    let mut rng = Lcg(0x5EED_0002);
    for _ in 0..10_000 {
        let value = random_instant(&mut rng);
        let offset_minutes = rng.below(24 * 60 * 2 - 1) as i64 - (24 * 60 - 1);
        let local =
            DateTime::from_secs_and_nanos(value.secs() + offset_minutes * 60, value.subsec_nanos())
                .unwrap();
        let utc_text = local.fmt(Rfc3339);
        let Some(stem) = utc_text.strip_suffix('Z') else {
            panic!("{utc_text}")
        };
        if !stem.as_bytes()[0].is_ascii_digit() {
            continue; // The local time falls outside years 0000 to 9999.
        }
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let magnitude = offset_minutes.unsigned_abs();
        let text = format!("{stem}{sign}{:02}:{:02}", magnitude / 60, magnitude % 60);
        assert_eq!(parse(&text, Rfc3339), value, "{text}");
    }
}

#[test]
fn random_epoch_seconds_over_the_whole_range() {
    let mut rng = Lcg(0x5EED_0003);
    for _ in 0..10_000 {
        let seconds = rng.next64() as i64;
        let nanos = rng.below(1_000_000_000) as u32;
        let value = dt(seconds, nanos);
        let text = value.fmt(EpochSeconds);
        assert_eq!(parse(&text, EpochSeconds), value, "{text}");
        // The same value written with an exponent.
        let exponent_form = format!(
            "{}e-9",
            i128::from(seconds) * 1_000_000_000 + i128::from(nanos)
        );
        assert_eq!(
            parse(&exponent_form, EpochSeconds),
            value,
            "{exponent_form}"
        );
        // Formatting never panics for any instant.
        let _ = value.fmt(Rfc3339);
        let _ = value.fmt(HttpDate);
    }
}

#[test]
fn epoch_seconds_agree_with_f64() {
    let mut rng = Lcg(0x5EED_0004);
    for _ in 0..10_000 {
        let value = random_instant(&mut rng);
        let text = value.fmt(EpochSeconds);
        let float: f64 = text.parse().unwrap();
        let error = (value.as_secs_f64() - float).abs();
        assert!(
            error <= float.abs() * 1e-15 + 1e-9,
            "{text}: {}",
            value.as_secs_f64()
        );
        let back = DateTime::from_secs_f64(float).unwrap();
        let difference = (i128::from(back.secs()) * 1_000_000_000
            + i128::from(back.subsec_nanos()))
            - (i128::from(value.secs()) * 1_000_000_000 + i128::from(value.subsec_nanos()));
        assert!(difference.abs() < 100_000, "{text}: {back:?}");
    }
}

// ---------------------------------------------------------------------------
// Base64
// ---------------------------------------------------------------------------

#[test]
fn base64_rfc4648_vectors() {
    let vectors = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, encoded) in vectors {
        assert_eq!(base64_encode(plain.as_bytes()), encoded);
        assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
    }
}

#[test]
fn base64_all_byte_values() {
    let bytes: Vec<u8> = (0..=255).collect();
    let encoded = base64_encode(&bytes);
    assert!(encoded.starts_with("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"));
    assert!(encoded.ends_with("+fr7/P3+/w=="));
    assert_eq!(base64_decode(&encoded).unwrap(), bytes);
    assert_eq!(base64_encode(&[0xFB, 0xFF]), "+/8=");
    assert_eq!(base64_decode("+/8=").unwrap(), [0xFB, 0xFF]);
}

#[test]
fn base64_whitespace_and_missing_padding() {
    assert_eq!(base64_decode("Zm9v\nYmFy").unwrap(), b"foobar");
    assert_eq!(base64_decode("  Zm 9v\r\n\tYm Fy \n").unwrap(), b"foobar");
    assert_eq!(base64_decode("Zg= =").unwrap(), b"f");
    assert_eq!(base64_decode("Zg==\n").unwrap(), b"f");
    assert_eq!(base64_decode(" \n ").unwrap(), b"");
    // Padding may be left out.
    assert_eq!(base64_decode("Zg").unwrap(), b"f");
    assert_eq!(base64_decode("Zm8").unwrap(), b"fo");
    assert_eq!(base64_decode("Zm9vYg").unwrap(), b"foob");
}

#[test]
fn base64_errors() {
    for text in [
        "Z",
        "Zm9vY",
        "Z===",
        "Zg=",
        "Zm8==",
        "Zg===",
        "=",
        "==",
        "====",
        "Zm9v=",
        "Zg==Zg==",
        "Zg==a",
        "Zm=9v",
        "Zm9v!",
        "Zm9v-_",
        "Zm9v\u{e9}",
        "Zm9v\u{0}",
        "Zh==",
        "Zm9=",
        "Zm8\u{b}=",
    ] {
        let error: Base64Error =
            base64_decode(text).expect_err(&format!("{text:?} should be rejected"));
        assert!(error.to_string().starts_with("invalid base64: "));
        assert!(!error.message().is_empty());
    }
}

#[test]
fn base64_random_round_trips() {
    let mut rng = Lcg(0x5EED_0005);
    for _ in 0..10_000 {
        let length = rng.below(64) as usize;
        let bytes: Vec<u8> = (0..length).map(|_| rng.next() as u8).collect();
        let encoded = base64_encode(&bytes);
        assert_eq!(encoded.len(), length.div_ceil(3) * 4);
        assert_eq!(base64_decode(&encoded).unwrap(), bytes, "{encoded}");
        // Without padding, and wrapped at random places.
        let unpadded = encoded.trim_end_matches('=');
        assert_eq!(base64_decode(unpadded).unwrap(), bytes);
        let mut wrapped = String::new();
        for ch in encoded.chars() {
            if rng.below(8) == 0 {
                wrapped.push(rng.pick(&[' ', '\n', '\r', '\t']));
            }
            wrapped.push(ch);
        }
        assert_eq!(base64_decode(&wrapped).unwrap(), bytes, "{wrapped:?}");
    }
}

// ---------------------------------------------------------------------------
// Header lists
// ---------------------------------------------------------------------------

#[test]
fn join_header_list_table() {
    let cases: &[(&[&str], bool, &str)] = &[
        (&[], true, ""),
        (&[], false, ""),
        (&["a", "b", "c"], true, "a, b, c"),
        (&["Foo", "Bar", "Baz"], true, "Foo, Bar, Baz"),
        (&["1", "2", "3"], false, "1, 2, 3"),
        (&["true", "false", "true"], false, "true, false, true"),
        (&["a"], true, "a"),
        (&["b,c"], true, "\"b,c\""),
        (&["a", "b,c", "d"], true, "a, \"b,c\", d"),
        (&["say \"hi\""], true, "\"say \\\"hi\\\"\""),
        (&["\""], true, "\"\\\"\""),
        (&["back\\slash"], true, "back\\slash"),
        (&["back\\slash,"], true, "\"back\\\\slash,\""),
        (&[" lead"], true, "\" lead\""),
        (&["trail\t"], true, "\"trail\t\""),
        (&["in side"], true, "in side"),
        (&[""], true, "\"\""),
        (&["a", ""], true, "a, \"\""),
        (&["b,c"], false, "b,c"),
        (&["", ""], false, ", "),
        (
            &[
                "Mon, 16 Dec 2019 23:48:18 GMT",
                "Mon, 16 Dec 2019 23:48:18 GMT",
            ],
            false,
            "Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT",
        ),
    ];
    for &(items, quote, expected) in cases {
        assert_eq!(
            join_header_list(items.iter().copied(), quote),
            expected,
            "{items:?}"
        );
    }
}

#[test]
fn split_header_list_table() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("   ", &[]),
        ("a", &["a"]),
        ("a, b, c", &["a", "b", "c"]),
        ("a,b,c", &["a", "b", "c"]),
        ("  a  ,\tb\t, c  ", &["a", "b", "c"]),
        ("1, 2, 3", &["1", "2", "3"]),
        ("true, false, true", &["true", "false", "true"]),
        ("Foo, Bar, Baz", &["Foo", "Bar", "Baz"]),
        ("in side, x", &["in side", "x"]),
        ("\"b,c\"", &["b,c"]),
        ("a, \"b,c\", d", &["a", "b,c", "d"]),
        ("a,\"b,c\",d", &["a", "b,c", "d"]),
        ("\"say \\\"hi\\\"\"", &["say \"hi\""]),
        ("\"back\\\\slash\"", &["back\\slash"]),
        ("\"\\x\"", &["x"]),
        ("\" lead\", \"trail \"", &[" lead", "trail "]),
        ("\"\"", &[""]),
        ("a, \"\"", &["a", ""]),
        ("\"\" ,a", &["", "a"]),
        ("a,,b", &["a", "", "b"]),
        ("a, , b", &["a", "", "b"]),
        ("a,", &["a", ""]),
        (",", &["", ""]),
        (",a", &["", "a"]),
        ("a\"b, c", &["a\"b", "c"]),
        ("back\\slash", &["back\\slash"]),
        ("é, ü", &["é", "ü"]),
        ("\"é,ü\"", &["é,ü"]),
    ];
    for &(value, expected) in cases {
        assert_eq!(split_header_list(value).unwrap(), expected, "{value:?}");
    }
}

#[test]
fn split_header_list_errors() {
    for value in [
        "\"",
        "\"abc",
        "a, \"b",
        "\"abc\\\"",
        "\"abc\\",
        "\"a\" b",
        "\"a\"b, c",
        "\"a\"\"b\"",
    ] {
        let error: ParseError =
            split_header_list(value).expect_err(&format!("{value:?} should be rejected"));
        assert!(!error.to_string().is_empty());
        assert!(!error.message().is_empty());
    }
}

#[test]
fn header_list_random_round_trips() {
    let pieces = [
        "a", "b", "Z", "0", " ", "\t", ",", "\"", "\\", "é", "x y", ", ", "\\\"", "GMT",
    ];
    let mut rng = Lcg(0x5EED_0006);
    for _ in 0..10_000 {
        let count = rng.below(5) as usize;
        let items: Vec<String> = (0..count)
            .map(|_| {
                let length = rng.below(5) as usize;
                (0..length).map(|_| rng.pick(&pieces)).collect()
            })
            .collect();
        let joined = join_header_list(items.iter().map(String::as_str), true);
        assert_eq!(split_header_list(&joined).unwrap(), items, "{joined:?}");
    }
}

#[test]
fn split_http_date_list_table() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("  ", &[]),
        (
            "Mon, 16 Dec 2019 23:48:18 GMT",
            &["Mon, 16 Dec 2019 23:48:18 GMT"],
        ),
        (
            "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT",
            &[
                "Mon, 16 Dec 2019 23:48:18 GMT",
                "Tue, 17 Dec 2019 23:48:18 GMT",
            ],
        ),
        (
            "Mon, 16 Dec 2019 23:48:18 GMT,Tue, 17 Dec 2019 23:48:18 GMT ,  Wed, 18 Dec 2019 23:48:18.5 GMT ",
            &[
                "Mon, 16 Dec 2019 23:48:18 GMT",
                "Tue, 17 Dec 2019 23:48:18 GMT",
                "Wed, 18 Dec 2019 23:48:18.5 GMT",
            ],
        ),
        ("a, b, c", &["a, b", "c"]),
        ("a, b,", &["a, b", ""]),
        (",", &[","]),
    ];
    for &(value, expected) in cases {
        assert_eq!(split_http_date_list(value), expected, "{value:?}");
    }
}

#[test]
fn http_date_list_random_round_trips() {
    let mut rng = Lcg(0x5EED_0007);
    for _ in 0..2_000 {
        let count = rng.below(5) as usize;
        let values: Vec<DateTime> = (0..count).map(|_| random_instant(&mut rng)).collect();
        let texts: Vec<String> = values.iter().map(|v| v.fmt(HttpDate)).collect();
        let joined = join_header_list(texts.iter().map(String::as_str), false);
        let read: Vec<DateTime> = split_http_date_list(&joined)
            .iter()
            .map(|item| parse(item, HttpDate))
            .collect();
        assert_eq!(read, values, "{joined}");
    }
}

// ---------------------------------------------------------------------------
// Numbers and booleans
// ---------------------------------------------------------------------------

#[test]
fn parse_float_table() {
    let cases: &[(&str, f64)] = &[
        ("1.1", 1.1),
        ("5.1", 5.1),
        ("4.1", 4.1),
        (" 1.1 ", 1.1),
        ("0", 0.0),
        ("-0", -0.0),
        ("+1", 1.0),
        ("-5", -5.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e10", 1e10),
        ("1E-10", 1e-10),
        ("-1.5e+3", -1500.0),
        ("Infinity", f64::INFINITY),
        ("-Infinity", f64::NEG_INFINITY),
        ("\tInfinity\n", f64::INFINITY),
        ("1e400", f64::INFINITY),
        ("1.7976931348623157e308", f64::MAX),
    ];
    for &(text, expected) in cases {
        let value: f64 = parse_float(text).unwrap();
        assert_eq!(value, expected, "{text}");
        assert_eq!(
            value.is_sign_negative(),
            expected.is_sign_negative(),
            "{text}"
        );
    }
    let nan: f64 = parse_float("NaN").unwrap();
    assert!(nan.is_nan());
    let nan: f32 = parse_float(" NaN ").unwrap();
    assert!(nan.is_nan());
    assert_eq!(parse_float::<f32>("1.1").unwrap(), 1.1_f32);
    assert_eq!(parse_float::<f32>("-Infinity").unwrap(), f32::NEG_INFINITY);
    assert_eq!(parse_float::<f32>("1e39").unwrap(), f32::INFINITY);
}

#[test]
fn parse_float_errors() {
    for text in [
        "",
        " ",
        "nan",
        "NAN",
        "inf",
        "-inf",
        "infinity",
        "INFINITY",
        "+Infinity",
        "+NaN",
        "-NaN",
        "Inf",
        "1.1.1",
        "1e",
        "e1",
        ".",
        "-",
        "+",
        "1,5",
        "1 5",
        "0x10",
        "1_000",
        "١",
        "1.1f",
        "--1",
        "1e+-1",
    ] {
        assert!(parse_float::<f64>(text).is_err(), "{text:?}");
        assert!(parse_float::<f32>(text).is_err(), "{text:?}");
    }
}

#[test]
fn parse_bool_table() {
    assert_eq!(parse_bool("true"), Ok(true));
    assert_eq!(parse_bool("false"), Ok(false));
    assert_eq!(parse_bool(" true\t"), Ok(true));
    assert_eq!(parse_bool("\nfalse "), Ok(false));
    for text in ["", "True", "FALSE", "1", "0", "yes", "t", "truee", "tru e"] {
        let error = parse_bool(text).unwrap_err();
        assert_eq!(error.to_string(), "expected true or false");
    }
}

// ---------------------------------------------------------------------------
// No parser panics
// ---------------------------------------------------------------------------

#[test]
fn random_input_never_panics() {
    // Bytes chosen to reach deep into each parser, plus random bytes.
    let alphabet: Vec<u8> = b"0123456789+-.:,eETtZz GMTMonTueDecApr\"\\=/AZaz\t\n"
        .iter()
        .copied()
        .chain([0x00, 0x7F, 0x80, 0xC3, 0xA9, 0xFF])
        .collect();
    let seeds = [
        "2014-04-29T18:30:38.123+01:00",
        "Tue, 29 Apr 2014 18:30:38.5 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "1.398796238E9",
        "Zm9vYmFy",
        "a, \"b,c\", \"d\\\"e\"",
        "-Infinity",
    ];
    let mut rng = Lcg(0x5EED_0008);
    for round in 0..30_000 {
        let mut bytes: Vec<u8> = if round % 2 == 0 {
            seeds[round / 2 % seeds.len()].as_bytes().to_vec()
        } else {
            Vec::new()
        };
        // Mutate: replace, insert or delete a few bytes.
        for _ in 0..rng.below(6) {
            let byte = if rng.below(4) == 0 {
                rng.next() as u8
            } else {
                rng.pick(&alphabet)
            };
            let at = rng.below(bytes.len() as u64 + 1) as usize;
            match rng.below(3) {
                0 if at < bytes.len() => bytes[at] = byte,
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, byte),
            }
        }
        if round % 2 == 1 {
            for _ in 0..rng.below(40) {
                bytes.push(rng.pick(&alphabet));
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        for format in [Rfc3339, HttpDate, EpochSeconds] {
            if let Ok(value) = DateTime::parse(&text, format) {
                assert!(value.subsec_nanos() < 1_000_000_000);
                let _ = value.fmt(format);
            }
        }
        let _ = base64_decode(&text);
        if let Ok(items) = split_header_list(&text) {
            let joined = join_header_list(items.iter().map(String::as_str), true);
            assert_eq!(split_header_list(&joined).unwrap(), items, "{text:?}");
        }
        let _ = split_http_date_list(&text);
        let _ = parse_float::<f64>(&text);
        let _ = parse_float::<f32>(&text);
        let _ = parse_bool(&text);
        if let Ok(value) = text.trim().parse::<f64>() {
            let _ = DateTime::from_secs_f64(value);
        }
    }
}
