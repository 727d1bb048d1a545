//! One module per operation: its input and output types, the HTTP request
//! built from the input, the response parser and the operation error enum.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, types, xml};
use crate::ir::*;
use crate::naming::ident;

/// The whole module body for one operation.
pub fn module(op: &OperationDef) -> TokenStream {
    let marker = ident(&op.name);
    let input = ident(&op.input.name);
    let output = ident(&op.output.name);
    let error = ident(&op.error_name);
    let name = &op.name;
    let mut op_docs = op.docs.clone();
    if !op_docs.is_empty() {
        op_docs.push(String::new());
    }
    op_docs.push(format!(
        "`{} {}` (success status {}). Build the request with [`{}::to_http_request`], read the response with [`crate::Operation::parse_response`].",
        op.method,
        uri_pattern(op),
        op.code,
        op.input.name
    ));
    let op_doc = docs(&op_docs);

    let input_type = types::structure(&op.input);
    let output_type = types::structure(&op.output);
    let input_xml = xml::structure(&op.input);
    let build = build_request(op);
    let parse = parse_response(op);
    let error_enum = error_enum(op);
    quote! {
        #op_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #marker;

        impl crate::Operation for #marker {
            const NAME: &'static str = #name;
            type Input = #input;
            type Output = #output;
            type Error = #error;
            fn build_request(input: &Self::Input) -> Result<http::Request<Vec<u8>>, crate::error::BuildError> {
                input.to_http_request()
            }
            fn parse_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Result<Self::Output, Self::Error> {
                #parse
            }
        }

        #input_type
        #input_xml
        #build
        #output_type
        #error_enum
    }
}

/// The `http` trait's URI pattern, for docs.
fn uri_pattern(op: &OperationDef) -> String {
    let mut s = String::new();
    for seg in &op.path {
        s.push('/');
        match seg {
            PathSegment::Literal(l) => s.push_str(l),
            PathSegment::Label { field, greedy } => {
                s.push('{');
                s.push_str(&op.input.fields[*field].member);
                if *greedy {
                    s.push('+');
                }
                s.push('}');
            }
        }
    }
    for (i, (k, v)) in op.query_literals.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        if let Some(v) = v {
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

/// Text of a scalar HTTP-bound value `v` (a reference), as `&str`.
fn scalar_str(ty: &Ty, v: TokenStream) -> TokenStream {
    match ty {
        Ty::String => quote!(#v.as_str()),
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => quote!(#v.as_str()),
        Ty::Float | Ty::Double => quote!(&crate::xml::float_text(*#v)),
        _ => quote!(&#v.to_string()),
    }
}

fn build_request(op: &OperationDef) -> TokenStream {
    let input = ident(&op.input.name);
    let fields = &op.input.fields;

    let path = op.path.iter().map(|seg| match seg {
        PathSegment::Literal(l) => {
            let text = format!("/{}", encode_literal(l));
            quote!(uri.push_str(#text);)
        }
        PathSegment::Label { field, greedy } => {
            let f = &fields[*field];
            let fname = ident(&f.name);
            let member = &f.member;
            let text = scalar_str(&f.ty, quote!(self.#fname));
            quote! {
                uri.push('/');
                crate::uri::push_label(&mut uri, #member, #text, #greedy)?;
            }
        }
    });
    let literals = op.query_literals.iter().map(|(k, v)| {
        let v = match v {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        quote!(crate::uri::push_query(&mut uri, &mut first, #k, #v);)
    });
    let queries = fields.iter().filter_map(|f| {
        let Binding::Query(key) = &f.binding else { return None };
        let fname = ident(&f.name);
        let text = scalar_str(&f.ty, quote!(v));
        Some(if f.optional {
            quote!(if let Some(v) = &self.#fname { crate::uri::push_query(&mut uri, &mut first, #key, Some(#text)); })
        } else {
            quote!({ let v = &self.#fname; crate::uri::push_query(&mut uri, &mut first, #key, Some(#text)); })
        })
    });
    let has_query = !op.query_literals.is_empty()
        || fields
            .iter()
            .any(|f| matches!(f.binding, Binding::Query(_)));
    let first = has_query.then(|| quote!(let mut first = true;));

    let headers = fields.iter().filter_map(|f| {
        let Binding::Header(name) = &f.binding else {
            return None;
        };
        let fname = ident(&f.name);
        let text = scalar_str(&f.ty, quote!(v));
        let insert = quote! {
            let value = http::HeaderValue::from_str(#text)
                .map_err(|_| crate::error::BuildError::InvalidHeaderValue { header: #name })?;
            headers.insert(http::HeaderName::from_static(#name), value);
        };
        Some(if f.optional {
            quote!(if let Some(v) = &self.#fname { #insert })
        } else {
            quote!({ let v = &self.#fname; #insert })
        })
    });

    let (body, content_type) = match &op.request_body {
        RequestBody::None => (quote!(let body: Vec<u8> = Vec::new();), quote!()),
        RequestBody::XmlPayload {
            field,
            root,
            namespace,
        } => {
            let f = &fields[*field];
            let fname = ident(&f.name);
            let attrs = namespace
                .as_ref()
                .map(XmlNamespace::attribute)
                .unwrap_or_default();
            let write = if f.optional {
                quote!(if let Some(v) = &self.#fname { v.write_xml(&mut xml, #root, #attrs)?; })
            } else {
                quote!(self.#fname.write_xml(&mut xml, #root, #attrs)?;)
            };
            (
                quote! {
                    let mut xml = String::with_capacity(256);
                    #write
                    let body = xml.into_bytes();
                },
                quote! {
                    if body_len > 0 {
                        headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/xml"));
                    }
                },
            )
        }
        RequestBody::XmlMembers { root, namespace } => {
            let attrs = namespace
                .as_ref()
                .map(XmlNamespace::attribute)
                .unwrap_or_default();
            (
                quote! {
                    let mut xml = String::with_capacity(256);
                    self.write_xml(&mut xml, #root, #attrs)?;
                    let body = xml.into_bytes();
                },
                quote!(headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/xml"));),
            )
        }
    };
    let needs_length = op.request_body != RequestBody::None
        || matches!(op.method.as_str(), "PUT" | "POST" | "PATCH");
    let content_length = needs_length.then(
        || quote!(headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(body_len));),
    );
    let method = method_tokens(&op.method);
    let doc = format!(
        " Builds the `{}` request: method, path-style relative URI, headers and body. No I/O; add the host, sign and send it with the HTTP client of your choice.",
        op.name
    );
    let headers_binding = if op.request_body != RequestBody::None
        || needs_length
        || fields
            .iter()
            .any(|f| matches!(f.binding, Binding::Header(_)))
    {
        quote!(let headers = request.headers_mut();)
    } else {
        quote!()
    };
    quote! {
        impl #input {
            #[doc = #doc]
            pub fn to_http_request(&self) -> Result<http::Request<Vec<u8>>, crate::error::BuildError> {
                let mut uri = String::with_capacity(128);
                #(#path)*
                #first
                #(#literals)*
                #(#queries)*
                #body
                let body_len = body.len();
                let mut request = http::Request::new(body);
                *request.method_mut() = #method;
                *request.uri_mut() = http::Uri::try_from(uri)
                    .map_err(|e| crate::error::BuildError::InvalidUri { reason: e.to_string() })?;
                #headers_binding
                #(#headers)*
                #content_type
                #content_length
                Ok(request)
            }
        }
    }
}

/// Percent-encodes a literal path segment of the URI pattern (keeps it as is when already safe).
fn encode_literal(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn method_tokens(method: &str) -> TokenStream {
    match method {
        "GET" => quote!(http::Method::GET),
        "PUT" => quote!(http::Method::PUT),
        "POST" => quote!(http::Method::POST),
        "DELETE" => quote!(http::Method::DELETE),
        "HEAD" => quote!(http::Method::HEAD),
        "PATCH" => quote!(http::Method::PATCH),
        "OPTIONS" => quote!(http::Method::OPTIONS),
        other => {
            let bytes = proc_macro2::Literal::byte_string(other.as_bytes());
            quote!(http::Method::from_bytes(#bytes).map_err(|e| crate::error::BuildError::InvalidUri { reason: e.to_string() })?)
        }
    }
}

fn parse_response(op: &OperationDef) -> TokenStream {
    let output = ident(&op.output.name);
    let error = ident(&op.error_name);
    quote! {
        let body = response.body().as_ref();
        if response.status().is_success() && !crate::xml::is_error_document(body) {
            return Ok(#output {});
        }
        Err(#error::from_response(response.status().as_u16(), response.headers(), body))
    }
}

fn error_enum(op: &OperationDef) -> TokenStream {
    let error = ident(&op.error_name);
    let doc = format!(
        " Every error `{}` can return: one variant per error the model documents for it, and `Unhandled` for any other error code or an unreadable error response.",
        op.name
    );
    let variants = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let t = ident(&e.type_name);
        let d = format!(" S3 error code `{}`.", e.code);
        quote!(#[doc = #d] #v(crate::types::#t),)
    });
    let arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let t = ident(&e.type_name);
        let code = &e.code;
        quote!(Some(#code) => Self::#v(crate::types::#t { meta }),)
    });
    let meta_arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(Self::#v(e) => &e.meta,)
    });
    let source_arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(Self::#v(e) => Some(e),)
    });
    let modeled_display =
        (!op.errors.is_empty()).then(|| quote!(other => std::fmt::Display::fmt(other.meta(), f),));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        #[cfg_attr(feature = "serde", serde(tag = "Type"))]
        #[non_exhaustive]
        pub enum #error {
            #(#variants)*
            /// An error code this operation does not model, or an error response whose body could not be read.
            Unhandled(crate::error::Unhandled),
        }
        impl #error {
            /// Reads an error response: S3's `<Error>` document, the request id
            /// and host id headers, and the HTTP status. Never fails: anything
            /// unreadable becomes `Unhandled` with the reason attached.
            pub fn from_response(status: u16, headers: &http::HeaderMap, body: &[u8]) -> Self {
                let (meta, problem) = crate::error::ErrorMetadata::from_response(status, headers, body);
                if let Some(source) = problem {
                    return Self::Unhandled(crate::error::Unhandled { meta, source: Some(source) });
                }
                match meta.code.as_deref() {
                    #(#arms)*
                    _ => Self::Unhandled(crate::error::Unhandled { meta, source: None }),
                }
            }
            /// Code, message, request id, host id and HTTP status of the error.
            pub fn meta(&self) -> &crate::error::ErrorMetadata {
                match self {
                    #(#meta_arms)*
                    Self::Unhandled(e) => &e.meta,
                }
            }
        }
        impl std::fmt::Display for #error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Self::Unhandled(e) => std::fmt::Display::fmt(e, f),
                    #modeled_display
                }
            }
        }
        impl std::error::Error for #error {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                match self {
                    #(#source_arms)*
                    Self::Unhandled(e) => Some(e),
                }
            }
        }
    }
}
