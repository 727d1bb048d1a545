//! Scalars as text and back: how each member type is spelled in headers,
//! query strings, path labels and XML text, written once for every type.
//!
//! Generated code reads and writes every scalar member through [`Text`]:
//! strings, booleans, integers, floats, timestamps (in the format the
//! location or the member asks for), blobs (base64) and enums (their wire
//! value, through [`StrEnum`]).

use std::borrow::Cow;

use crate::primitives::{DateTime, TimestampFormat};

/// A scalar that has a text form.
pub trait Text: Sized {
    /// Whether the text is quoted in a header list when it holds a comma
    /// or a quote (strings and enum values).
    const QUOTED: bool = false;
    /// Whether this is a timestamp (whose `http-date` form holds a comma).
    const TIMESTAMP: bool = false;

    /// The value as text; `format` applies to timestamps only.
    fn to_text(&self, format: TimestampFormat) -> Cow<'_, str>;

    /// Reads the value from `text`, or says why it is not one; `format`
    /// applies to timestamps only. Strings and enums take any text.
    fn from_text(text: Cow<'_, str>, format: TimestampFormat) -> Result<Self, String>;
}

/// A generated enum: a closed list of wire values and an `Unknown` variant
/// for any other, so that every text is a value.
pub trait StrEnum: for<'a> From<&'a str> {
    /// The wire value.
    fn wire_value(&self) -> &str;
}

impl<T: StrEnum> Text for T {
    const QUOTED: bool = true;

    #[inline]
    fn to_text(&self, _: TimestampFormat) -> Cow<'_, str> {
        Cow::Borrowed(self.wire_value())
    }

    #[inline]
    fn from_text(text: Cow<'_, str>, _: TimestampFormat) -> Result<Self, String> {
        Ok(Self::from(&*text))
    }
}

impl Text for String {
    const QUOTED: bool = true;

    #[inline]
    fn to_text(&self, _: TimestampFormat) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }

    #[inline]
    fn from_text(text: Cow<'_, str>, _: TimestampFormat) -> Result<Self, String> {
        Ok(text.into_owned())
    }
}

impl Text for bool {
    #[inline]
    fn to_text(&self, _: TimestampFormat) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }

    fn from_text(text: Cow<'_, str>, _: TimestampFormat) -> Result<Self, String> {
        crate::primitives::parse_bool(&text).map_err(|e| e.to_string())
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Text for $t {
            #[inline]
            fn to_text(&self, _: TimestampFormat) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }

            fn from_text(text: Cow<'_, str>, _: TimestampFormat) -> Result<Self, String> {
                text.trim().parse::<$t>().map_err(|e| e.to_string())
            }
        }
    )*};
}
integer!(i8, i16, i32, i64);

macro_rules! float {
    ($($t:ty),*) => {$(
        impl Text for $t {
            #[inline]
            fn to_text(&self, _: TimestampFormat) -> Cow<'_, str> {
                Cow::Owned(crate::xml::float_text(*self))
            }

            fn from_text(text: Cow<'_, str>, _: TimestampFormat) -> Result<Self, String> {
                crate::primitives::parse_float::<$t>(&text).map_err(|e| e.to_string())
            }
        }
    )*};
}
float!(f32, f64);

impl Text for DateTime {
    const TIMESTAMP: bool = true;

    #[inline]
    fn to_text(&self, format: TimestampFormat) -> Cow<'_, str> {
        Cow::Owned(self.fmt(format))
    }

    fn from_text(text: Cow<'_, str>, format: TimestampFormat) -> Result<Self, String> {
        DateTime::parse(text.trim(), format).map_err(|e| e.to_string())
    }
}

/// Blobs: base64 in text.
impl Text for Vec<u8> {
    #[inline]
    fn to_text(&self, _: TimestampFormat) -> Cow<'_, str> {
        Cow::Owned(crate::primitives::base64_encode(self))
    }

    fn from_text(text: Cow<'_, str>, _: TimestampFormat) -> Result<Self, String> {
        crate::primitives::base64_decode(&text).map_err(|e| e.to_string())
    }
}

/// The impls every generated enum has beyond its own `as_str` and
/// `From<&str>`: [`StrEnum`] (and so [`Text`]), `From<String>`, `Display`
/// (the wire value) and, with the generated crate's `serde` feature,
/// `Serialize` and `Deserialize` as the wire value.
#[macro_export]
macro_rules! str_enum {
    ($t:ty) => {
        impl $crate::text::StrEnum for $t {
            fn wire_value(&self) -> &str {
                self.as_str()
            }
        }
        impl From<String> for $t {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        #[cfg(feature = "serde")]
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: TimestampFormat = TimestampFormat::DateTime;

    fn round<T: Text + PartialEq + std::fmt::Debug>(value: T, text: &str) {
        assert_eq!(value.to_text(F), text);
        assert_eq!(T::from_text(Cow::Borrowed(text), F).as_ref(), Ok(&value));
    }

    #[test]
    fn scalars_round_trip() {
        round("a b".to_owned(), "a b");
        round(true, "true");
        round(false, "false");
        round(-5i8, "-5");
        round(300i16, "300");
        round(-7i32, "-7");
        round(1i64 << 40, "1099511627776");
        round(1.5f32, "1.5");
        round(f64::NEG_INFINITY, "-Infinity");
        round(b"hi".to_vec(), "aGk=");
        let t = DateTime::parse("2026-12-04T13:00:00Z", F).unwrap();
        round(t, "2026-12-04T13:00:00Z");
        assert_eq!(t.to_text(TimestampFormat::EpochSeconds), "1796389200");
    }

    #[test]
    fn bad_text_is_an_error() {
        assert!(i32::from_text(Cow::Borrowed("x"), F).is_err());
        assert!(bool::from_text(Cow::Borrowed("yes"), F).is_err());
        assert!(DateTime::from_text(Cow::Borrowed("soon"), F).is_err());
        assert!(Vec::<u8>::from_text(Cow::Borrowed("!"), F).is_err());
        // Numbers and timestamps are read around surrounding blanks.
        assert_eq!(i64::from_text(Cow::Borrowed(" 12 "), F), Ok(12));
    }

    #[derive(Debug, PartialEq)]
    enum Color {
        Red,
        Other(String),
    }
    impl From<&str> for Color {
        fn from(s: &str) -> Self {
            match s {
                "red" => Color::Red,
                o => Color::Other(o.to_owned()),
            }
        }
    }
    impl StrEnum for Color {
        fn wire_value(&self) -> &str {
            match self {
                Color::Red => "red",
                Color::Other(o) => o,
            }
        }
    }

    #[test]
    fn enums_take_any_text() {
        round(Color::Red, "red");
        round(Color::Other("blue".into()), "blue");
    }
}
