//! Every Rust identifier the generator writes is decided here.
//!
//! Model names are kept where Rust allows them (type names stay exactly as in
//! the model, so a user who knows the S3 API finds them); member names become
//! snake_case fields and UpperCamelCase variants. Keywords, leading digits,
//! names that would shadow the Rust prelude and duplicates are resolved here
//! and nowhere else.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, all editions).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Type names that generated code uses from the Rust prelude or `std`; a
/// shape with one of these names gets a suffix so the two never collide.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "From",
    "Into",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "ToString",
    "BTreeMap",
    "Unknown",
    "UnknownValue",
];

/// The Rust name of a type for the model shape name `name` (kept as is when possible).
pub fn type_name(name: &str) -> String {
    let mut out = if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_owned()
    } else {
        name.to_upper_camel_case()
    };
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if RESERVED_TYPES.contains(&out.as_str()) || KEYWORDS.contains(&out.as_str()) {
        out.push_str("Shape");
    }
    out
}

/// The Rust field (or module, or function) name for a model member name.
pub fn field_name(name: &str) -> String {
    let mut out = name.to_snake_case();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    escape_keyword(out)
}

/// The Rust variant name for a union member or enum member name.
pub fn variant_name(name: &str) -> String {
    let mut out = name.to_upper_camel_case();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

fn escape_keyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Makes each field name unique within one scope, in order: a name already
/// taken (or listed in `taken`) gets `_2`, `_3`, … appended.
pub fn unique(names: Vec<String>, taken: &[&str]) -> Vec<String> {
    unique_with(names, taken, "_")
}

/// Like [`unique`] for UpperCamelCase names: the suffix is `2`, `3`, …
pub fn unique_variants(names: Vec<String>, taken: &[&str]) -> Vec<String> {
    unique_with(names, taken, "")
}

fn unique_with(names: Vec<String>, taken: &[&str], sep: &str) -> Vec<String> {
    let mut used: Vec<String> = taken.iter().map(|s| (*s).to_owned()).collect();
    names
        .into_iter()
        .map(|name| {
            let mut candidate = name.clone();
            let mut n = 2;
            while used.contains(&candidate) {
                candidate = format!("{name}{sep}{n}");
                n += 1;
            }
            used.push(candidate.clone());
            candidate
        })
        .collect()
}

/// `name` without the `r#` of a raw identifier: the plain text of a name, to
/// build other names from (`with_{}`, file names, cargo features).
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The setter of field `field`: `with_type` for `r#type`.
pub fn setter_name(field: &str) -> String {
    format!("with_{}", unraw(field))
}

/// The local that holds field `field` while a reader fills it: `m_type`
/// for `r#type`.
pub fn member_local(field: &str) -> String {
    format!("m_{}", unraw(field))
}

/// The JSON key serde's `rename_all = "PascalCase"` gives field `field`
/// (serde's own rule: drop each `_` and capitalize the letter after it and
/// the first letter; the `r#` of a raw identifier is not part of the name).
/// Where it is not the member name, the field carries its own `rename`.
pub fn serde_pascal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut capitalize = true;
    for c in unraw(field).chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            out.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The file of module `module`, without `.rs`: `type` for `r#type`.
pub fn module_file(module: &str) -> &str {
    unraw(module)
}

/// The cargo feature name of an operation: its module name, unraw, in kebab-case.
pub fn feature_name(operation: &str) -> String {
    unraw(&field_name(operation)).replace('_', "-")
}

/// A Rust path or identifier token stream for `name` (handles `r#` names).
pub fn ident(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            (field_name("BucketAccountId"), "bucket_account_id"),
            (field_name("SSEKMSKeyId"), "ssekms_key_id"),
            (field_name("Type"), "r#type"),
            (field_name("Self"), "self_"),
            (field_name("3d"), "_3d"),
            (field_name("ID"), "id"),
            (variant_name("CSV"), "Csv"),
            (variant_name("V_1"), "V1"),
            (variant_name("STANDARD_IA"), "StandardIa"),
            (variant_name("1x"), "_1x"),
            (
                type_name("AnalyticsS3BucketDestination"),
                "AnalyticsS3BucketDestination",
            ),
            (type_name("String"), "StringShape"),
            (type_name("Unknown"), "UnknownShape"),
            (type_name("Type"), "Type"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn uniqueness() {
        let names = vec!["a".into(), "a".into(), "meta".into(), "a_2".into()];
        assert_eq!(unique(names, &["meta"]), ["a", "a_2", "meta_2", "a_2_2"]);
    }

    #[test]
    fn raw_idents() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("bucket").to_string(), "bucket");
    }

    #[test]
    fn unraw_names() {
        assert_eq!(unraw("r#type"), "type");
        assert_eq!(unraw("bucket"), "bucket");
        assert_eq!(unraw(&field_name("Type")), "type");
        assert_eq!(unraw("self_"), "self_");
        // Only the one prefix of a raw identifier goes.
        assert_eq!(unraw("r#r#x"), "r#x");
        assert_eq!(feature_name("GetObject"), "get-object");
        assert_eq!(feature_name("Type"), "type");
    }

    #[test]
    fn derived_names_drop_the_raw_prefix() {
        assert_eq!(setter_name("r#type"), "with_type");
        assert_eq!(setter_name("bucket"), "with_bucket");
        assert_eq!(member_local("r#type"), "m_type");
        assert_eq!(module_file("r#type"), "type");
        assert_eq!(module_file("get_object"), "get_object");
    }

    #[test]
    fn serde_pascal_case_is_serdes_rule() {
        assert_eq!(serde_pascal("expected_bucket_owner"), "ExpectedBucketOwner");
        assert_eq!(serde_pascal("r#type"), "Type");
        assert_eq!(
            serde_pascal("sse_customer_algorithm"),
            "SseCustomerAlgorithm"
        );
        assert_eq!(serde_pascal("checksum_crc32"), "ChecksumCrc32");
        assert_eq!(serde_pascal("id"), "Id");
    }
}
