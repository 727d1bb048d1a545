//! Rust types: structures, unions and enums, with rustdoc, derives, optional
//! serde support and constructors that take every required member.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, ty_tokens};
use crate::ir::*;
use crate::naming::ident;

/// A structure: public fields, `new` taking the required members, `with_*`
/// setters for the optional ones.
pub fn structure(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let doc = docs(&s.docs);
    let is_error = matches!(s.role, StructRole::Error { .. });
    let redacted = s.fields.iter().any(|f| f.sensitive);
    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if !redacted {
        derives.insert(0, quote!(Debug));
    }
    if s.derives.default {
        derives.push(quote!(Default));
    }
    let debug = redacted.then(|| redacted_debug(s));
    // JSON keys are the member names: `rename_all` covers the fields whose
    // Rust name gives the member name back, a `rename` the others.
    let serde_container = if is_error {
        quote!(#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))])
    } else {
        quote!(#[cfg_attr(feature = "serde", serde(deny_unknown_fields, rename_all = "PascalCase"))])
    };
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let fdoc = docs(&f.docs);
        let ty = field_type(f);
        let member = &f.member;
        let rename = (crate::naming::serde_pascal(&f.name) != *member)
            .then(|| quote!(#[cfg_attr(feature = "serde", serde(rename = #member))]));
        // A missing `Option` field reads as `None` without `default`.
        let skip = f.optional.then(
            || quote!(#[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]),
        );
        let serde = quote!(#rename #skip);
        quote! { #fdoc #serde pub #fname: #ty, }
    });
    let meta_field = is_error.then(|| {
        quote! {
            /// What the error response said: code, message, request id, host id and HTTP status.
            #[cfg_attr(feature = "serde", serde(flatten))]
            pub meta: crate::error::ErrorMetadata,
        }
    });

    let constructor = constructor(s);
    let setters: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| f.optional)
        .map(|f| {
            let fname = ident(&f.name);
            let setter = ident(&crate::naming::setter_name(&f.name));
            let (param, value) = param(f);
            let doc = format!(" Sets `{}` and returns the value, for chaining.", f.member);
            quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, #fname: #param) -> Self {
                    self.#fname = Some(#value);
                    self
                }
            }
        })
        .collect();
    let methods = (!constructor.is_empty() || !setters.is_empty()).then(|| {
        quote! {
            impl #name {
                #constructor
                #(#setters)*
            }
        }
    });
    let error_impls = is_error.then(|| {
        quote! {
            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    std::fmt::Display::fmt(&self.meta, f)
                }
            }
            impl std::error::Error for #name {}
            impl #name {
                /// Sets the error metadata (code, message, request ids, status) and returns the value, for chaining.
                #[must_use]
                pub fn with_meta(mut self, meta: crate::error::ErrorMetadata) -> Self {
                    self.meta = meta;
                    self
                }
            }
            impl s3_runtime::operation::ProvideErrorMetadata for #name {
                fn meta(&self) -> &crate::error::ErrorMetadata {
                    &self.meta
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #serde_container
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #meta_field
        }
        #methods
        #error_impls
        #debug
    }
}

/// `Debug` that prints sensitive members as `"*** Sensitive Data Redacted ***"`.
fn redacted_debug(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let label = &s.name;
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let key = crate::naming::unraw(&f.name);
        if f.sensitive {
            quote!(.field(#key, &"*** Sensitive Data Redacted ***"))
        } else {
            quote!(.field(#key, &self.#fname))
        }
    });
    let meta =
        matches!(s.role, StructRole::Error { .. }).then(|| quote!(.field("meta", &self.meta)));
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#label) #(#fields)* #meta .finish()
            }
        }
    }
}

/// `new(required…)`, only when some member is required (otherwise `Default` does it).
fn constructor(s: &StructDef) -> TokenStream {
    let required: Vec<&Field> = s.fields.iter().filter(|f| !f.optional).collect();
    if required.is_empty() {
        return quote!();
    }
    let params = required.iter().map(|f| {
        let fname = ident(&f.name);
        let (param, _) = param(f);
        quote!(#fname: #param)
    });
    let inits = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        if f.optional {
            quote!(#fname: None)
        } else if matches!(f.ty, Ty::String) || f.boxed {
            let (_, value) = param(f);
            quote!(#fname: #value)
        } else {
            quote!(#fname)
        }
    });
    let meta =
        matches!(s.role, StructRole::Error { .. }).then(|| quote!(meta: Default::default(),));
    let many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        /// Creates a value from its required members; optional members start empty.
        #many
        pub fn new(#(#params),*) -> Self {
            Self { #(#inits,)* #meta }
        }
    }
}

/// The parameter type and the expression that turns the parameter into the field value.
fn param(f: &Field) -> (TokenStream, TokenStream) {
    let fname = ident(&f.name);
    let base = ty_tokens(&f.ty);
    let (param, mut value) = match f.ty {
        Ty::String => (quote!(impl Into<String>), quote!(#fname.into())),
        _ => (base, quote!(#fname)),
    };
    if f.boxed {
        value = quote!(Box::new(#value));
    }
    (param, value)
}

/// The declared type of a field: boxed and wrapped in `Option` as needed.
pub fn field_type(f: &Field) -> TokenStream {
    let mut ty = ty_tokens(&f.ty);
    if f.boxed {
        ty = quote!(Box<#ty>);
    }
    if f.optional {
        ty = quote!(Option<#ty>);
    }
    ty
}

/// A union: one variant per member, plus one for a member this crate does not know.
pub fn union(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let doc = docs(&u.docs);
    let derives = [quote!(Debug), quote!(Clone), quote!(PartialEq)];
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdoc = docs(&v.docs);
        let member = &v.member;
        let mut ty = ty_tokens(&v.ty);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        quote! {
            #vdoc
            #[cfg_attr(feature = "serde", serde(rename = #member))]
            #vname(#ty),
        }
    });
    let unknown = ident(&u.unknown);
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum #name {
            #(#variants)*
            /// A member that this version of the crate does not know, by its
            /// element name. It is kept when reading so nothing is lost, but it
            /// cannot be written into a request.
            #[cfg_attr(feature = "serde", serde(skip))]
            #unknown(String),
        }
    }
}

/// A string enum: known values as variants, plus one that keeps any other wire value.
pub fn enumeration(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs(&e.docs);
    let unknown = ident(&e.unknown);
    let variants = e.values.iter().map(|(v, value, vdoc)| {
        let vname = ident(v);
        let mut lines = vdoc.clone();
        if lines.is_empty() {
            lines.push(format!("`{value}`"));
        }
        let vdoc = docs(&lines);
        quote!(#vdoc #vname,)
    });
    let to_str = e.values.iter().map(|(v, value, _)| {
        let vname = ident(v);
        quote!(Self::#vname => #value,)
    });
    let from_str = e.values.iter().map(|(v, value, _)| {
        let vname = ident(v);
        quote!(#value => Self::#vname,)
    });
    let values = e.values.iter().map(|(_, value, _)| value);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value that this version of the crate does not know, kept as sent.
            #unknown(crate::types::UnknownValue),
        }
        impl #name {
            /// Every value this version of the crate knows, in model order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(v) => v.as_str(),
                }
            }
        }
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(crate::types::UnknownValue(other.to_owned())),
                }
            }
        }
        s3_runtime::str_enum!(#name);
    }
}
