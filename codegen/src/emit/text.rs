//! Scalars as text and back: one place decides how each type is spelled in
//! XML text, attributes, headers, query strings and labels.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;

/// The format a timestamp takes where the model sets none: `date-time` in
/// XML, query strings and labels, `http-date` in headers.
pub fn timestamp_format(
    explicit: Option<TimestampFormat>,
    default: TimestampFormat,
) -> TokenStream {
    match explicit.unwrap_or(default) {
        TimestampFormat::DateTime => quote!(crate::primitives::TimestampFormat::DateTime),
        TimestampFormat::HttpDate => quote!(crate::primitives::TimestampFormat::HttpDate),
        TimestampFormat::EpochSeconds => quote!(crate::primitives::TimestampFormat::EpochSeconds),
    }
}

/// An expression of type `&str` (possibly borrowing a temporary that lives to
/// the end of the enclosing statement) for the scalar `v`, a reference.
pub fn to_text(ty: &Ty, v: TokenStream, default: TimestampFormat) -> TokenStream {
    match ty {
        Ty::String => quote!(#v.as_str()),
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => quote!(#v.as_str()),
        Ty::Float | Ty::Double => quote!(&s3_runtime::xml::float_text(*#v)),
        Ty::Timestamp(f) => {
            let f = timestamp_format(*f, default);
            quote!(&#v.fmt(#f))
        }
        Ty::Blob => quote!(&crate::primitives::base64_encode(#v)),
        _ => quote!(&#v.to_string()),
    }
}

/// An expression of type `Result<T, String>` reading the scalar type `ty`
/// from `text`, an expression of type `String`.
pub fn from_text(ty: &Ty, text: TokenStream, default: TimestampFormat) -> TokenStream {
    match ty {
        Ty::String => quote!(Ok::<String, String>(#text)),
        Ty::Named {
            name,
            kind: NamedKind::Enum,
        } => {
            let n = crate::naming::ident(name);
            quote!(Ok::<crate::types::#n, String>(crate::types::#n::from(#text)))
        }
        Ty::Bool => quote!(crate::primitives::parse_bool(&#text).map_err(|e| e.to_string())),
        Ty::Byte => quote!(#text.trim().parse::<i8>().map_err(|e| e.to_string())),
        Ty::Short => quote!(#text.trim().parse::<i16>().map_err(|e| e.to_string())),
        Ty::Int => quote!(#text.trim().parse::<i32>().map_err(|e| e.to_string())),
        Ty::Long => quote!(#text.trim().parse::<i64>().map_err(|e| e.to_string())),
        Ty::Float => {
            quote!(crate::primitives::parse_float::<f32>(&#text).map_err(|e| e.to_string()))
        }
        Ty::Double => {
            quote!(crate::primitives::parse_float::<f64>(&#text).map_err(|e| e.to_string()))
        }
        Ty::Timestamp(f) => {
            let f = timestamp_format(*f, default);
            quote!(crate::primitives::DateTime::parse(#text.trim(), #f).map_err(|e| e.to_string()))
        }
        Ty::Blob => quote!(crate::primitives::base64_decode(&#text).map_err(|e| e.to_string())),
        Ty::Named { .. } | Ty::List { .. } | Ty::Map { .. } | Ty::EventStream { .. } => {
            quote!(Err::<(), String>("not a scalar".to_owned()))
        }
    }
}
