//! Timestamps, base64, and the text forms of numbers, booleans and header
//! lists that the restXml protocol puts in headers, query strings and XML.
//!
//! Every parser here returns an error value for bad input; none of them
//! panics, whatever the input.

use std::fmt;

/// The number of nanoseconds in one second.
const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// The number of seconds in one day (leap seconds are not counted).
const SECONDS_PER_DAY: i64 = 86_400;

/// Short English day names, starting with Thursday because 1970-01-01 (day
/// zero of the Unix epoch) was a Thursday.
const DAY_NAMES_FROM_THURSDAY: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Short English day names, in the order of [`LONG_DAY_NAMES`].
const SHORT_DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Full English day names, as the obsolete RFC 850 date form writes them.
const LONG_DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Short English month names, January first.
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

// ---------------------------------------------------------------------------
// DateTime
// ---------------------------------------------------------------------------

/// An instant in time, counted in seconds and nanoseconds from the Unix
/// epoch (1970-01-01T00:00:00Z), with leap seconds not counted.
///
/// The nanoseconds are always below one billion and always count forward
/// from the seconds, so an instant before the epoch has a negative number of
/// seconds and a positive number of nanoseconds: 1.5 seconds before the
/// epoch is `-2` seconds and `500_000_000` nanoseconds. Instants compare and
/// sort in time order.
///
/// Every `i64` number of seconds is a valid instant, and every instant is
/// written and read back exactly as epoch seconds. The two calendar forms
/// (RFC 3339 and HTTP date) are written with full nanosecond precision and
/// read back exactly for the years 0000 to 9999 (see [`DateTime::fmt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    /// Whole seconds since the epoch, rounded down.
    seconds: i64,
    /// Nanoseconds after `seconds`, always below one billion.
    nanos: u32,
}

/// The text forms of a timestamp that Smithy's `timestampFormat` trait names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// RFC 3339 in UTC, such as `2014-04-29T18:30:38Z`. This is the default
    /// for timestamps in XML documents and query strings.
    DateTime,
    /// The HTTP date format (IMF-fixdate of RFC 9110), such as
    /// `Tue, 29 Apr 2014 18:30:38 GMT`. This is the default for timestamps in
    /// headers.
    HttpDate,
    /// The number of seconds since the Unix epoch, such as `1398796238` or
    /// `1398796238.123`.
    EpochSeconds,
}

/// The error returned when a timestamp cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError {
    /// What is wrong with the text.
    message: &'static str,
}

impl DateTimeError {
    /// Makes an error with the given description.
    fn new(message: &'static str) -> Self {
        DateTimeError { message }
    }

    /// Returns a description of what is wrong with the text.
    pub fn message(&self) -> &str {
        self.message
    }
}

impl fmt::Display for DateTimeError {
    /// Writes, for example, `invalid timestamp: month is out of range`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid timestamp: {}", self.message)
    }
}

impl std::error::Error for DateTimeError {}

impl DateTime {
    /// Returns the instant `seconds` whole seconds after the Unix epoch
    /// (before it, when negative).
    pub const fn from_secs(seconds: i64) -> Self {
        DateTime { seconds, nanos: 0 }
    }

    /// Returns the instant `seconds` seconds plus `nanos` nanoseconds after
    /// the Unix epoch, or `None` if `nanos` is one billion or more.
    ///
    /// The nanoseconds always count forward, so `from_secs_and_nanos(-2,
    /// 500_000_000)` is 1.5 seconds before the epoch.
    pub const fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Option<Self> {
        if nanos < NANOS_PER_SECOND {
            Some(DateTime { seconds, nanos })
        } else {
            None
        }
    }

    /// Returns the instant `value` seconds after the Unix epoch, or `None`
    /// if `value` is not a number, is infinite, or is outside the range of
    /// `i64` seconds.
    ///
    /// The value is read as the shortest decimal number that converts back
    /// to the same `f64` (the number Rust prints for it), so
    /// `946845296.123` gives exactly 123 milliseconds rather than the
    /// nearest binary fraction. Digits beyond the ninth decimal place are
    /// dropped, which rounds toward zero. A value of 2^52 or more in
    /// magnitude is always a whole number and is taken exactly.
    pub fn from_secs_f64(value: f64) -> Option<Self> {
        // -2^63 and 2^63, both exact as f64.
        const LOWEST: f64 = -9_223_372_036_854_775_808.0;
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        // 2^52: every f64 at least this large is a whole number.
        const WHOLE: f64 = 4_503_599_627_370_496.0;
        // NaN and the infinities are outside the range too.
        if !(LOWEST..LIMIT).contains(&value) {
            return None;
        }
        if value.abs() >= WHOLE {
            // A whole number within the range of i64, so the conversion is exact.
            return Some(DateTime::from_secs(value as i64));
        }
        // Rust prints an f64 in plain decimal notation, never with an
        // exponent, and with the fewest digits that read back exactly.
        parse_epoch_seconds(&value.to_string()).ok()
    }

    /// Returns the whole seconds since the Unix epoch, rounded down (so
    /// 1.5 seconds before the epoch gives `-2`).
    pub const fn secs(&self) -> i64 {
        self.seconds
    }

    /// Returns the nanoseconds after [`DateTime::secs`], from 0 to
    /// 999,999,999.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Returns the seconds since the Unix epoch as a floating-point number.
    ///
    /// Large values lose precision: an `f64` holds about 16 significant
    /// digits, so instants near today keep about microsecond precision.
    pub fn as_secs_f64(&self) -> f64 {
        // Precision loss is the documented behaviour of this method.
        self.seconds as f64 + f64::from(self.nanos) / f64::from(NANOS_PER_SECOND)
    }

    /// Writes the instant in the given format.
    ///
    /// * [`TimestampFormat::DateTime`]: `2014-04-29T18:30:38Z`, always in
    ///   UTC. When the nanoseconds are not zero they follow the seconds
    ///   with trailing zeros removed: `2000-01-02T20:34:56.123Z`.
    /// * [`TimestampFormat::HttpDate`]: `Tue, 29 Apr 2014 18:30:38 GMT`.
    ///   When the nanoseconds are not zero they follow the seconds in the
    ///   same way: `Sun, 02 Jan 2000 20:34:56.123 GMT`.
    /// * [`TimestampFormat::EpochSeconds`]: `1398796238`, or with a decimal
    ///   fraction when the nanoseconds are not zero: `1398796238.123`,
    ///   `-1.5`. There is never an exponent.
    ///
    /// A year after 9999 is written with a `+` sign and all its digits
    /// (`+10000-01-01T00:00:00Z`), and a year before 0000 with a `-` sign
    /// (`-0001-12-31T00:00:00Z`, the year before year 0000). These extended
    /// forms are not valid RFC 3339 or HTTP dates, and [`DateTime::parse`]
    /// rejects them.
    pub fn fmt(&self, format: TimestampFormat) -> String {
        match format {
            TimestampFormat::DateTime => self.fmt_date_time(),
            TimestampFormat::HttpDate => self.fmt_http_date(),
            TimestampFormat::EpochSeconds => self.fmt_epoch_seconds(),
        }
    }

    /// Reads an instant written in the given format.
    ///
    /// ASCII whitespace before and after the text is ignored in every
    /// format.
    ///
    /// * [`TimestampFormat::DateTime`]: RFC 3339,
    ///   `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`. The `T` and `Z`
    ///   may be lowercase. The fraction may have any number of digits;
    ///   digits after the ninth are dropped. An offset is applied, so
    ///   `2019-12-16T22:48:18-01:00` is `2019-12-16T23:48:18Z`. The month
    ///   must be 1 to 12, the day must exist in that month (February 29
    ///   only in leap years), the hour 0 to 23 and the minute 0 to 59.
    /// * [`TimestampFormat::HttpDate`]: the IMF-fixdate form
    ///   `Tue, 29 Apr 2014 18:30:38 GMT`, with an optional fraction after
    ///   the seconds, and also the two obsolete forms that HTTP recipients
    ///   must accept: RFC 850 (`Tuesday, 29-Apr-14 18:30:38 GMT`, where a
    ///   two-digit year of 70 to 99 means 1970 to 1999 and 00 to 69 means
    ///   2000 to 2069) and asctime (`Tue Apr 29 18:30:38 2014`, with the
    ///   day of the month padded by a space or a zero). Day and month names
    ///   and `GMT` are matched without regard to case. The day name must be
    ///   a real day name, but it is not checked against the date.
    /// * [`TimestampFormat::EpochSeconds`]: a decimal number of seconds with
    ///   an optional sign, fraction and exponent: `1398796238`,
    ///   `1398796238.123`, `-1.5`, `1.398796238E9`. The number is read
    ///   exactly, without going through floating point; digits after the
    ///   ninth decimal place are dropped, which rounds toward zero. `NaN`
    ///   and infinities are errors.
    ///
    /// In the two calendar forms a leap second (second 60) is accepted and
    /// read as second 59 of the same minute, keeping any fraction, because
    /// this type does not count leap seconds. Years must have four digits
    /// (0000 to 9999).
    pub fn parse(text: &str, format: TimestampFormat) -> Result<Self, DateTimeError> {
        let text = text.trim_ascii();
        match format {
            TimestampFormat::DateTime => parse_date_time(text),
            TimestampFormat::HttpDate => parse_http_date(text),
            TimestampFormat::EpochSeconds => parse_epoch_seconds(text),
        }
    }

    /// Splits the instant into its calendar date and time of day in UTC.
    fn civil(&self) -> Civil {
        let days = self.seconds.div_euclid(SECONDS_PER_DAY);
        // In [0, 86399], so the narrowing below cannot lose anything.
        let second_of_day = self.seconds.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
            // In [0, 6].
            weekday_from_thursday: days.rem_euclid(7) as usize,
        }
    }

    /// Writes the RFC 3339 form, such as `2000-01-02T20:34:56.123Z`.
    fn fmt_date_time(&self) -> String {
        let civil = self.civil();
        let mut out = String::with_capacity(30);
        push_year(&mut out, civil.year);
        out.push('-');
        push_two_digits(&mut out, civil.month);
        out.push('-');
        push_two_digits(&mut out, civil.day);
        out.push('T');
        push_time(&mut out, &civil);
        push_fraction(&mut out, self.nanos);
        out.push('Z');
        out
    }

    /// Writes the IMF-fixdate form, such as `Tue, 29 Apr 2014 18:30:38 GMT`.
    fn fmt_http_date(&self) -> String {
        let civil = self.civil();
        let day_name = DAY_NAMES_FROM_THURSDAY
            .get(civil.weekday_from_thursday)
            .copied()
            .unwrap_or_default();
        let month_name = usize::try_from(civil.month)
            .ok()
            .and_then(|month| MONTH_NAMES.get(month.wrapping_sub(1)))
            .copied()
            .unwrap_or_default();
        let mut out = String::with_capacity(40);
        out.push_str(day_name);
        out.push_str(", ");
        push_two_digits(&mut out, civil.day);
        out.push(' ');
        out.push_str(month_name);
        out.push(' ');
        push_year(&mut out, civil.year);
        out.push(' ');
        push_time(&mut out, &civil);
        push_fraction(&mut out, self.nanos);
        out.push_str(" GMT");
        out
    }

    /// Writes the epoch-seconds form, such as `1398796238.123` or `-1.5`.
    fn fmt_epoch_seconds(&self) -> String {
        if self.nanos == 0 {
            return self.seconds.to_string();
        }
        let mut out = String::with_capacity(32);
        if self.seconds < 0 {
            // seconds + nanos / 1e9 = -((-(seconds + 1)) + (1e9 - nanos) / 1e9).
            // `seconds + 1` cannot overflow because `seconds` is negative,
            // and `nanos` is in [1, 1e9 - 1] here.
            out.push('-');
            out.push_str(&(self.seconds + 1).unsigned_abs().to_string());
            push_fraction(&mut out, NANOS_PER_SECOND - self.nanos);
        } else {
            out.push_str(&self.seconds.to_string());
            push_fraction(&mut out, self.nanos);
        }
        out
    }
}

impl fmt::Display for DateTime {
    /// Writes the instant in RFC 3339 form, such as `2014-04-29T18:30:38Z`
    /// (the same as [`DateTime::fmt`] with [`TimestampFormat::DateTime`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fmt_date_time())
    }
}

/// A calendar date and time of day in UTC.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// The day of the week, counted from Thursday (0) to Wednesday (6).
    weekday_from_thursday: usize,
}

/// Appends a year: four digits for 0000 to 9999, otherwise the extended
/// ISO 8601 form with a sign.
fn push_year(out: &mut String, year: i64) {
    if (0..=9999).contains(&year) {
        // In [0, 9999], so both halves are below 100.
        push_two_digits(out, (year / 100) as u32);
        push_two_digits(out, (year % 100) as u32);
    } else if year > 9999 {
        out.push_str(&format!("+{year}"));
    } else {
        out.push_str(&format!("-{:04}", year.unsigned_abs()));
    }
}

/// Appends a number below 100 as two digits, such as `07`.
fn push_two_digits(out: &mut String, value: u32) {
    let value = value % 100;
    // Both digits are below 10, so these are ASCII digits.
    out.push(char::from(b'0' + (value / 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
}

/// Appends the time of day as `HH:MM:SS`.
fn push_time(out: &mut String, civil: &Civil) {
    push_two_digits(out, civil.hour);
    out.push(':');
    push_two_digits(out, civil.minute);
    out.push(':');
    push_two_digits(out, civil.second);
}

/// Appends `.` and the nanoseconds as a decimal fraction without trailing
/// zeros, or nothing when `nanos` is zero.
fn push_fraction(out: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    let digits = format!("{nanos:09}");
    out.push('.');
    out.push_str(digits.trim_end_matches('0'));
}

/// Returns true if `year` is a leap year in the proleptic Gregorian calendar.
fn is_leap_year(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// Returns the number of days in a month (1 to 12) of a year, or zero for
/// a month that does not exist.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Returns the `(year, month, day)` of the day `days` days after
/// 1970-01-01, in the proleptic Gregorian calendar.
///
/// This is Howard Hinnant's `civil_from_days` algorithm. Every `i64`
/// number of seconds divided by 86,400 is within about ±1.1 × 10^14 days,
/// far from where any step below could overflow.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let year = year_of_era + era * 400;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11]
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // [1, 31]
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    }; // [1, 12]
    let year = if month <= 2 { year + 1 } else { year };
    // Both values are small and positive, so the narrowing is exact.
    (year, month as u32, day as u32)
}

/// Returns the number of days from 1970-01-01 to the given date, or `None`
/// if the result does not fit in an `i64`.
///
/// This is Howard Hinnant's `days_from_civil` algorithm. The caller must
/// pass a month from 1 to 12 and a day from 1 to 31.
fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let year = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // [0, 399]
    let month = i64::from(month);
    let month_from_march = if month > 2 { month - 3 } else { month + 9 }; // [0, 11]
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

/// A time of day as read from text: hour, minute, second and nanoseconds,
/// not yet checked.
type TimeOfDay = (u32, u32, u32, u32);

/// Builds an instant from a calendar date `(year, month, day)` and a time
/// of day, checking every field, then subtracts `offset_seconds` (the zone
/// offset east of UTC).
fn from_civil(
    (year, month, day): (i64, u32, u32),
    (hour, minute, second, nanos): TimeOfDay,
    offset_seconds: i64,
) -> Result<DateTime, DateTimeError> {
    if !(1..=12).contains(&month) {
        return Err(DateTimeError::new("month is out of range"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(DateTimeError::new("day is out of range for the month"));
    }
    if hour > 23 {
        return Err(DateTimeError::new("hour is out of range"));
    }
    if minute > 59 {
        return Err(DateTimeError::new("minute is out of range"));
    }
    // A leap second is read as the last second of the minute, because
    // leap seconds are not counted.
    let second = match second {
        0..=59 => second,
        60 => 59,
        _ => return Err(DateTimeError::new("second is out of range")),
    };
    if nanos >= NANOS_PER_SECOND {
        return Err(DateTimeError::new("fraction of a second is out of range"));
    }
    let time_of_day = i64::from(hour * 3600 + minute * 60 + second);
    let seconds = days_from_civil(year, month, day)
        .and_then(|days| days.checked_mul(SECONDS_PER_DAY))
        .and_then(|seconds| seconds.checked_add(time_of_day))
        .and_then(|seconds| seconds.checked_sub(offset_seconds))
        .ok_or(DateTimeError::new("timestamp is out of range"))?;
    Ok(DateTime { seconds, nanos })
}

// ---------------------------------------------------------------------------
// Timestamp parsers
// ---------------------------------------------------------------------------

/// A read position in ASCII text, with small helpers for fixed-layout
/// formats. All reads are bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            position: 0,
        }
    }

    /// Returns the next byte without consuming it.
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    /// Consumes and returns the next byte.
    fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        // `position` is below the length of a slice here, so this cannot overflow.
        self.position += 1;
        Some(byte)
    }

    /// Consumes the next byte if it is `expected`.
    fn eat(&mut self, expected: u8) -> bool {
        if self.peek() == Some(expected) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the next byte, which must be `expected`.
    fn expect(&mut self, expected: u8, message: &'static str) -> Result<(), DateTimeError> {
        if self.eat(expected) {
            Ok(())
        } else {
            Err(DateTimeError::new(message))
        }
    }

    /// Consumes and returns the next digit's value, if the next byte is one.
    fn digit(&mut self) -> Option<u8> {
        match self.peek() {
            Some(byte @ b'0'..=b'9') => {
                self.position += 1;
                Some(byte - b'0')
            }
            _ => None,
        }
    }

    /// Reads exactly `count` (at most nine) decimal digits as a number.
    fn digits(&mut self, count: usize, message: &'static str) -> Result<u32, DateTimeError> {
        let mut value: u32 = 0;
        for _ in 0..count {
            let digit = self.digit().ok_or(DateTimeError::new(message))?;
            value = value
                .checked_mul(10)
                .and_then(|value| value.checked_add(u32::from(digit)))
                .ok_or(DateTimeError::new(message))?;
        }
        Ok(value)
    }

    /// Consumes the letters up to the next non-letter and returns them.
    fn word(&mut self) -> &'a [u8] {
        let start = self.position;
        while self.peek().is_some_and(|byte| byte.is_ascii_alphabetic()) {
            self.position += 1;
        }
        self.bytes.get(start..self.position).unwrap_or_default()
    }

    /// Consumes `expected`, matched without regard to ASCII case.
    fn expect_word(&mut self, expected: &str, message: &'static str) -> Result<(), DateTimeError> {
        let end = self.position.saturating_add(expected.len());
        match self.bytes.get(self.position..end) {
            Some(found) if found.eq_ignore_ascii_case(expected.as_bytes()) => {
                self.position = end;
                Ok(())
            }
            _ => Err(DateTimeError::new(message)),
        }
    }

    /// Reads `HH:MM:SS` with an optional fraction and returns the hour,
    /// minute, second and nanoseconds (unchecked ranges).
    fn time(&mut self) -> Result<TimeOfDay, DateTimeError> {
        let hour = self.digits(2, "expected a two-digit hour")?;
        self.expect(b':', "expected ':' after the hour")?;
        let minute = self.digits(2, "expected a two-digit minute")?;
        self.expect(b':', "expected ':' after the minute")?;
        let second = self.digits(2, "expected a two-digit second")?;
        let nanos = self.fraction()?;
        Ok((hour, minute, second, nanos))
    }

    /// Reads an optional `.` and one or more digits as nanoseconds, dropping
    /// digits after the ninth.
    fn fraction(&mut self) -> Result<u32, DateTimeError> {
        if !self.eat(b'.') {
            return Ok(0);
        }
        let mut nanos: u32 = 0;
        let mut kept: u32 = 0;
        let mut any = false;
        while let Some(digit) = self.digit() {
            any = true;
            if kept < 9 {
                // At most nine digits are kept, so this stays below one billion.
                nanos = nanos * 10 + u32::from(digit);
                kept += 1;
            }
        }
        if !any {
            return Err(DateTimeError::new("expected digits after '.'"));
        }
        for _ in kept..9 {
            nanos *= 10;
        }
        Ok(nanos)
    }

    /// Succeeds if all of the text has been read.
    fn end(&self) -> Result<(), DateTimeError> {
        if self.position >= self.bytes.len() {
            Ok(())
        } else {
            Err(DateTimeError::new("unexpected text after the timestamp"))
        }
    }
}

/// Reads an RFC 3339 date-time (see [`DateTime::parse`]).
fn parse_date_time(text: &str) -> Result<DateTime, DateTimeError> {
    let mut cursor = Cursor::new(text);
    let year = cursor.digits(4, "expected a four-digit year")?;
    cursor.expect(b'-', "expected '-' after the year")?;
    let month = cursor.digits(2, "expected a two-digit month")?;
    cursor.expect(b'-', "expected '-' after the month")?;
    let day = cursor.digits(2, "expected a two-digit day")?;
    if !matches!(cursor.next_byte(), Some(b'T' | b't')) {
        return Err(DateTimeError::new("expected 'T' between the date and time"));
    }
    let time = cursor.time()?;
    let offset_seconds = match cursor.next_byte() {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = cursor.digits(2, "expected a two-digit offset hour")?;
            cursor.expect(b':', "expected ':' in the offset")?;
            let minutes = cursor.digits(2, "expected a two-digit offset minute")?;
            if hours > 23 || minutes > 59 {
                return Err(DateTimeError::new("offset is out of range"));
            }
            let offset = i64::from(hours * 3600 + minutes * 60);
            if sign == b'+' { offset } else { -offset }
        }
        _ => return Err(DateTimeError::new("expected 'Z' or an offset")),
    };
    cursor.end()?;
    from_civil((i64::from(year), month, day), time, offset_seconds)
}

/// Returns the month (1 to 12) for a three-letter English month name.
fn month_from_name(name: &[u8]) -> Result<u32, DateTimeError> {
    MONTH_NAMES
        .iter()
        .zip(1..)
        .find(|(candidate, _)| candidate.as_bytes().eq_ignore_ascii_case(name))
        .map(|(_, month)| month)
        .ok_or(DateTimeError::new("expected a month name"))
}

/// Reads a three-letter month name.
fn read_month(cursor: &mut Cursor<'_>) -> Result<u32, DateTimeError> {
    let start = cursor.position;
    let end = start.saturating_add(3);
    let name = cursor
        .bytes
        .get(start..end)
        .ok_or(DateTimeError::new("expected a month name"))?;
    let month = month_from_name(name)?;
    cursor.position = end;
    Ok(month)
}

/// Returns true if `name` is one of the `names`, ignoring ASCII case.
fn is_one_of(name: &[u8], names: &[&str]) -> bool {
    names
        .iter()
        .any(|candidate| candidate.as_bytes().eq_ignore_ascii_case(name))
}

/// Reads an HTTP date in any of its three forms (see [`DateTime::parse`]).
fn parse_http_date(text: &str) -> Result<DateTime, DateTimeError> {
    let mut cursor = Cursor::new(text);
    let day_name = cursor.word();
    match cursor.peek() {
        Some(b',') if is_one_of(day_name, &SHORT_DAY_NAMES) => parse_imf_fixdate(&mut cursor),
        Some(b',') if is_one_of(day_name, &LONG_DAY_NAMES) => parse_rfc850_date(&mut cursor),
        Some(b' ') if is_one_of(day_name, &SHORT_DAY_NAMES) => parse_asctime_date(&mut cursor),
        _ => Err(DateTimeError::new("expected a day name")),
    }
}

/// Reads the rest of `Tue, 29 Apr 2014 18:30:38[.fraction] GMT` after the
/// day name.
fn parse_imf_fixdate(cursor: &mut Cursor<'_>) -> Result<DateTime, DateTimeError> {
    cursor.expect(b',', "expected ',' after the day name")?;
    cursor.expect(b' ', "expected ' ' after the day name")?;
    let day = cursor.digits(2, "expected a two-digit day")?;
    cursor.expect(b' ', "expected ' ' after the day")?;
    let month = read_month(cursor)?;
    cursor.expect(b' ', "expected ' ' after the month")?;
    let year = cursor.digits(4, "expected a four-digit year")?;
    cursor.expect(b' ', "expected ' ' after the year")?;
    let time = cursor.time()?;
    cursor.expect(b' ', "expected ' ' after the time")?;
    cursor.expect_word("GMT", "expected 'GMT'")?;
    cursor.end()?;
    from_civil((i64::from(year), month, day), time, 0)
}

/// Reads the rest of `Tuesday, 29-Apr-14 18:30:38 GMT` after the day name.
fn parse_rfc850_date(cursor: &mut Cursor<'_>) -> Result<DateTime, DateTimeError> {
    cursor.expect(b',', "expected ',' after the day name")?;
    cursor.expect(b' ', "expected ' ' after the day name")?;
    let day = cursor.digits(2, "expected a two-digit day")?;
    cursor.expect(b'-', "expected '-' after the day")?;
    let month = read_month(cursor)?;
    cursor.expect(b'-', "expected '-' after the month")?;
    let short_year = cursor.digits(2, "expected a two-digit year")?;
    let year = if short_year >= 70 {
        1900 + short_year
    } else {
        2000 + short_year
    };
    cursor.expect(b' ', "expected ' ' after the year")?;
    let time = cursor.time()?;
    cursor.expect(b' ', "expected ' ' after the time")?;
    cursor.expect_word("GMT", "expected 'GMT'")?;
    cursor.end()?;
    from_civil((i64::from(year), month, day), time, 0)
}

/// Reads the rest of `Tue Apr 29 18:30:38 2014` (or `Sun Nov  6 ...`)
/// after the day name.
fn parse_asctime_date(cursor: &mut Cursor<'_>) -> Result<DateTime, DateTimeError> {
    cursor.expect(b' ', "expected ' ' after the day name")?;
    let month = read_month(cursor)?;
    cursor.expect(b' ', "expected ' ' after the month")?;
    // The day of the month is two characters: two digits, or a space and
    // one digit.
    let day = if cursor.eat(b' ') {
        cursor.digits(1, "expected a one-digit day")?
    } else {
        cursor.digits(2, "expected a two-digit day")?
    };
    cursor.expect(b' ', "expected ' ' after the day")?;
    let time = cursor.time()?;
    cursor.expect(b' ', "expected ' ' after the time")?;
    let year = cursor.digits(4, "expected a four-digit year")?;
    cursor.end()?;
    from_civil((i64::from(year), month, day), time, 0)
}

/// Reads a decimal number of seconds exactly (see [`DateTime::parse`]).
fn parse_epoch_seconds(text: &str) -> Result<DateTime, DateTimeError> {
    const MESSAGE: &str = "expected a decimal number of seconds";
    let mut cursor = Cursor::new(text);
    let negative = if cursor.eat(b'-') {
        true
    } else {
        cursor.eat(b'+');
        false
    };
    // The significant digits, without leading zeros, and how many of them
    // come before the decimal point (negative when the value is below 0.1).
    let mut digits: Vec<u8> = Vec::new();
    let mut point: i64 = 0;
    let mut integer_digits = 0usize;
    while let Some(digit) = cursor.digit() {
        integer_digits = integer_digits.saturating_add(1);
        if !digits.is_empty() || digit != 0 {
            digits.push(digit);
            point = point.saturating_add(1);
        }
    }
    if integer_digits == 0 {
        return Err(DateTimeError::new(MESSAGE));
    }
    if cursor.eat(b'.') {
        let mut fraction_digits = 0usize;
        while let Some(digit) = cursor.digit() {
            fraction_digits = fraction_digits.saturating_add(1);
            if !digits.is_empty() || digit != 0 {
                digits.push(digit);
            } else {
                point = point.saturating_sub(1);
            }
        }
        if fraction_digits == 0 {
            return Err(DateTimeError::new(MESSAGE));
        }
    }
    if matches!(cursor.peek(), Some(b'e' | b'E')) {
        cursor.position += 1;
        let exponent_negative = if cursor.eat(b'-') {
            true
        } else {
            cursor.eat(b'+');
            false
        };
        let mut exponent: i64 = 0;
        let mut exponent_digits = 0usize;
        while let Some(digit) = cursor.digit() {
            exponent_digits = exponent_digits.saturating_add(1);
            exponent = exponent.saturating_mul(10).saturating_add(i64::from(digit));
        }
        if exponent_digits == 0 {
            return Err(DateTimeError::new(MESSAGE));
        }
        point = if exponent_negative {
            point.saturating_sub(exponent)
        } else {
            point.saturating_add(exponent)
        };
    }
    cursor.end()?;
    if digits.is_empty() {
        return Ok(DateTime::from_secs(0));
    }
    // The first digit is not zero, so 20 or more digits before the point
    // make at least 10^19, beyond the range of i64.
    if point > 19 {
        return Err(DateTimeError::new("timestamp is out of range"));
    }
    let digit_at = |index: i64| -> u8 {
        usize::try_from(index)
            .ok()
            .and_then(|index| digits.get(index))
            .copied()
            .unwrap_or(0)
    };
    let mut whole: u64 = 0;
    for index in 0..point {
        whole = whole
            .checked_mul(10)
            .and_then(|whole| whole.checked_add(u64::from(digit_at(index))))
            .ok_or(DateTimeError::new("timestamp is out of range"))?;
    }
    let mut nanos: u32 = 0;
    for place in 0..9 {
        // Nine digits at most, so below one billion.
        nanos = nanos * 10 + u32::from(digit_at(point.saturating_add(place)));
    }
    let whole = i128::from(whole);
    let (seconds, nanos) = match (negative, nanos) {
        (false, _) => (whole, nanos),
        (true, 0) => (-whole, 0),
        (true, _) => (-whole - 1, NANOS_PER_SECOND - nanos),
    };
    let seconds =
        i64::try_from(seconds).map_err(|_| DateTimeError::new("timestamp is out of range"))?;
    Ok(DateTime { seconds, nanos })
}

// ---------------------------------------------------------------------------
// serde
// ---------------------------------------------------------------------------

#[cfg(feature = "serde")]
impl serde::Serialize for DateTime {
    /// Writes the instant as an RFC 3339 string, such as
    /// `"2014-04-29T18:30:38Z"`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.fmt_date_time())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for DateTime {
    /// Reads an RFC 3339 string (any form [`DateTime::parse`] accepts), or a
    /// number of seconds since the Unix epoch (an integer or a float).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DateTimeVisitor)
    }
}

/// Turns a string or a number into a [`DateTime`] for serde.
#[cfg(feature = "serde")]
struct DateTimeVisitor;

#[cfg(feature = "serde")]
impl serde::de::Visitor<'_> for DateTimeVisitor {
    type Value = DateTime;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an RFC 3339 date-time string or a number of epoch seconds")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<DateTime, E> {
        DateTime::parse(value, TimestampFormat::DateTime).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<DateTime, E> {
        Ok(DateTime::from_secs(value))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<DateTime, E> {
        i64::try_from(value)
            .map(DateTime::from_secs)
            .map_err(|_| E::custom("epoch seconds out of range"))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<DateTime, E> {
        DateTime::from_secs_f64(value).ok_or_else(|| E::custom("epoch seconds out of range"))
    }
}

// ---------------------------------------------------------------------------
// Base64
// ---------------------------------------------------------------------------

/// The RFC 4648 standard base64 alphabet, indexed by 6-bit value.
const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The error returned when text is not valid base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64Error {
    /// What is wrong with the text.
    message: &'static str,
}

impl Base64Error {
    /// Makes an error with the given description.
    fn new(message: &'static str) -> Self {
        Base64Error { message }
    }

    /// Returns a description of what is wrong with the text.
    pub fn message(&self) -> &str {
        self.message
    }
}

impl fmt::Display for Base64Error {
    /// Writes, for example, `invalid base64: invalid character`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid base64: {}", self.message)
    }
}

impl std::error::Error for Base64Error {}

/// Returns the base64 character for the low six bits of `value`.
fn base64_char(value: u32) -> char {
    char::from(BASE64_ALPHABET[(value & 0x3F) as usize])
}

/// Encodes bytes as base64 with the RFC 4648 standard alphabet
/// (`A-Z a-z 0-9 + /`) and `=` padding, with no line breaks.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3).saturating_mul(4));
    for chunk in bytes.chunks(3) {
        match *chunk {
            [a, b, c] => {
                let group = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
                out.push(base64_char(group >> 18));
                out.push(base64_char(group >> 12));
                out.push(base64_char(group >> 6));
                out.push(base64_char(group));
            }
            [a, b] => {
                let group = u32::from(a) << 16 | u32::from(b) << 8;
                out.push(base64_char(group >> 18));
                out.push(base64_char(group >> 12));
                out.push(base64_char(group >> 6));
                out.push('=');
            }
            [a] => {
                let group = u32::from(a) << 16;
                out.push(base64_char(group >> 18));
                out.push(base64_char(group >> 12));
                out.push_str("==");
            }
            _ => {}
        }
    }
    out
}

/// Returns the 6-bit value of a base64 character, or `None` if `byte` is
/// not in the standard alphabet.
fn base64_value(byte: u8) -> Option<u32> {
    let value = match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Decodes base64 written with the RFC 4648 standard alphabet.
///
/// ASCII whitespace anywhere in the text is ignored, since XML documents
/// may wrap long values across lines. Padding with `=` may be left out, but
/// padding that is present must be complete (`Zg==`, not `Zg=`) and must
/// come only at the end. Returns an error for a character outside the
/// alphabet (including the URL-safe `-` and `_`), for a final group of a
/// single character, for bad padding, and for a final group whose unused
/// low bits are not zero (so every byte string has only one accepted
/// encoding, apart from whitespace and padding).
pub fn base64_decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut group: u32 = 0;
    let mut group_len = 0usize;
    let mut padding = 0usize;
    for &byte in text.as_bytes() {
        if byte.is_ascii_whitespace() {
            continue;
        }
        if byte == b'=' {
            padding += 1;
            if padding > 2 {
                return Err(Base64Error::new("too much padding"));
            }
            continue;
        }
        if padding > 0 {
            return Err(Base64Error::new("data after padding"));
        }
        let value = base64_value(byte).ok_or(Base64Error::new("invalid character"))?;
        // `group` holds at most 18 bits before this shift.
        group = group << 6 | value;
        group_len += 1;
        if group_len == 4 {
            out.extend_from_slice(&[(group >> 16) as u8, (group >> 8) as u8, group as u8]);
            group = 0;
            group_len = 0;
        }
    }
    match (group_len, padding) {
        (0, 0) => {}
        (2, 0 | 2) => {
            if group & 0xF != 0 {
                return Err(Base64Error::new("unused bits are not zero"));
            }
            out.push((group >> 4) as u8);
        }
        (3, 0 | 1) => {
            if group & 0x3 != 0 {
                return Err(Base64Error::new("unused bits are not zero"));
            }
            out.extend_from_slice(&[(group >> 10) as u8, (group >> 2) as u8]);
        }
        (1, _) => return Err(Base64Error::new("truncated input")),
        _ => return Err(Base64Error::new("wrong amount of padding")),
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Header lists, numbers and booleans
// ---------------------------------------------------------------------------

/// The error returned when a header list, number or boolean cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong with the text.
    message: &'static str,
}

impl ParseError {
    /// Makes an error with the given description.
    fn new(message: &'static str) -> Self {
        ParseError { message }
    }

    /// Returns a description of what is wrong with the text.
    pub fn message(&self) -> &str {
        self.message
    }
}

impl fmt::Display for ParseError {
    /// Writes the description of the problem.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for ParseError {}

/// Returns true if a list item must be quoted to survive
/// [`split_header_list`]: it is empty, contains a comma or a double quote,
/// or starts or ends with whitespace.
fn needs_quotes(item: &str) -> bool {
    let bytes = item.as_bytes();
    bytes.is_empty()
        || bytes.contains(&b',')
        || bytes.contains(&b'"')
        || bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
}

/// Joins list items into one header value, separated by `", "`.
///
/// When `quote` is true (for lists of strings), an item that is empty,
/// contains a comma or a double quote, or starts or ends with whitespace is
/// written as a quoted string: in double quotes, with `"` and `\` preceded
/// by a backslash. So `["a", "b,c", "say \"hi\""]` becomes
/// `a, "b,c", "say \"hi\""`. [`split_header_list`] reverses this for every
/// list of strings. When `quote` is false (for numbers, booleans and
/// timestamps, which never need it) the items are joined as they are.
/// An empty list gives an empty string.
pub fn join_header_list<'a>(items: impl IntoIterator<Item = &'a str>, quote: bool) -> String {
    let mut out = String::new();
    for (index, item) in items.into_iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        if quote && needs_quotes(item) {
            out.push('"');
            for ch in item.chars() {
                if ch == '"' || ch == '\\' {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
        } else {
            out.push_str(item);
        }
    }
    out
}

/// Splits a header value into list items.
///
/// Items are separated by commas outside quoted strings, and ASCII
/// whitespace around each item is removed. An item that starts with `"` is a
/// quoted string: it ends at the next `"` that is not preceded by a
/// backslash, a backslash makes the character after it literal (so `\"`
/// gives `"` and `\\` gives `\`), and only whitespace may follow it before
/// the next comma. A `"` inside an unquoted item is kept as it is.
///
/// A value that is empty or only whitespace gives no items. Otherwise every
/// comma separates two items, so `a,,b` gives `a`, an empty item and `b`,
/// and `a,` gives `a` and an empty item. Returns an error for an
/// unterminated quoted string or for text after a quoted string.
pub fn split_header_list(value: &str) -> Result<Vec<String>, ParseError> {
    let mut items = Vec::new();
    if value.trim_ascii().is_empty() {
        return Ok(items);
    }
    let mut rest = value;
    loop {
        let item_text = rest.trim_ascii_start();
        if let Some(quoted) = item_text.strip_prefix('"') {
            let mut item = String::new();
            let mut after = None;
            let mut chars = quoted.char_indices();
            while let Some((index, ch)) = chars.next() {
                match ch {
                    '\\' => match chars.next() {
                        Some((_, escaped)) => item.push(escaped),
                        None => break,
                    },
                    // The quote is one byte, so `index + 1` is within the text.
                    '"' => {
                        after = quoted.get(index + 1..);
                        break;
                    }
                    _ => item.push(ch),
                }
            }
            let after = after
                .ok_or(ParseError::new("unterminated quoted string in header list"))?
                .trim_ascii_start();
            items.push(item);
            if after.is_empty() {
                break;
            }
            rest = after.strip_prefix(',').ok_or(ParseError::new(
                "unexpected text after a quoted string in header list",
            ))?;
        } else {
            match item_text.split_once(',') {
                Some((item, after)) => {
                    items.push(item.trim_ascii_end().to_owned());
                    rest = after;
                }
                None => {
                    items.push(item_text.trim_ascii_end().to_owned());
                    break;
                }
            }
        }
    }
    Ok(items)
}

/// Splits a header value that holds a list of HTTP dates.
///
/// Each IMF-fixdate contains one comma of its own
/// (`Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT`), so the
/// value is split at every second comma, and ASCII whitespace around each
/// item is removed. A value that is empty or only whitespace gives no
/// items. Only IMF-fixdate lists (the form Smithy writes) split correctly;
/// check each item with [`DateTime::parse`].
pub fn split_http_date_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    if value.trim_ascii().is_empty() {
        return items;
    }
    let mut start = 0;
    let mut second_comma = false;
    for (index, _) in value.match_indices(',') {
        if second_comma {
            items.push(
                value
                    .get(start..index)
                    .unwrap_or_default()
                    .trim_ascii()
                    .to_owned(),
            );
            // The comma is one byte, so `index + 1` is within the text.
            start = index + 1;
        }
        second_comma = !second_comma;
    }
    items.push(
        value
            .get(start..)
            .unwrap_or_default()
            .trim_ascii()
            .to_owned(),
    );
    items
}

/// Returns true if `text` is a plain decimal number: an optional sign,
/// digits with an optional `.` (at least one digit in all), and an optional
/// exponent (`e` or `E`, an optional sign, and digits).
fn is_decimal_number(text: &str) -> bool {
    let mut bytes = text.as_bytes();
    if let [b'+' | b'-', rest @ ..] = bytes {
        bytes = rest;
    }
    let mut mantissa_digits = 0usize;
    while let [b'0'..=b'9', rest @ ..] = bytes {
        mantissa_digits += 1;
        bytes = rest;
    }
    if let [b'.', rest @ ..] = bytes {
        bytes = rest;
        while let [b'0'..=b'9', rest @ ..] = bytes {
            mantissa_digits += 1;
            bytes = rest;
        }
    }
    if mantissa_digits == 0 {
        return false;
    }
    if let [b'e' | b'E', rest @ ..] = bytes {
        bytes = rest;
        if let [b'+' | b'-', rest @ ..] = bytes {
            bytes = rest;
        }
        let mut exponent_digits = 0usize;
        while let [b'0'..=b'9', rest @ ..] = bytes {
            exponent_digits += 1;
            bytes = rest;
        }
        if exponent_digits == 0 {
            return false;
        }
    }
    bytes.is_empty()
}

/// Reads a floating-point number as the protocol writes it.
///
/// After ASCII whitespace around the text is removed, the text must be
/// exactly `NaN`, `Infinity` or `-Infinity`, or a plain decimal number such
/// as `1.1`, `-5`, `.5` or `1e10` (no hexadecimal, and no other spellings
/// of the special values, such as `inf` or `nan`). The number is then read
/// with `F`'s own [`std::str::FromStr`], so a value too large for `F`
/// becomes an infinity, as Rust's float parsing does.
pub fn parse_float<F: std::str::FromStr>(text: &str) -> Result<F, ParseError> {
    let text = text.trim_ascii();
    if matches!(text, "NaN" | "Infinity" | "-Infinity") || is_decimal_number(text) {
        text.parse()
            .map_err(|_| ParseError::new("not a valid floating-point number"))
    } else {
        Err(ParseError::new("not a valid floating-point number"))
    }
}

/// Reads a boolean: exactly `true` or `false`, after ASCII whitespace
/// around the text is removed.
pub fn parse_bool(text: &str) -> Result<bool, ParseError> {
    match text.trim_ascii() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ParseError::new("expected true or false")),
    }
}

/// A fresh idempotency token: a random (version 4) UUID such as
/// `2f5e4c3a-9b1d-4e6f-8a7b-0c1d2e3f4a5b`.
///
/// The randomness comes from the standard library's randomly seeded hasher
/// mixed with the clock and a counter, so tokens are unique per process and
/// across processes; they are not secrets and need not be unpredictable.
pub fn idempotency_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut halves = [0u64; 2];
    for (i, half) in halves.iter_mut().enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u64(count);
        hasher.write_usize(i);
        *half = hasher.finish();
    }
    let mut bytes = [0u8; 16];
    for (chunk, half) in bytes.chunks_mut(8).zip(halves) {
        chunk.copy_from_slice(&half.to_be_bytes());
    }
    bytes[6] = (bytes[6] & 0x0F) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3F) | 0x80; // RFC 4122 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        hex.get(0..8).unwrap_or_default(),
        hex.get(8..12).unwrap_or_default(),
        hex.get(12..16).unwrap_or_default(),
        hex.get(16..20).unwrap_or_default(),
        hex.get(20..32).unwrap_or_default()
    )
}
