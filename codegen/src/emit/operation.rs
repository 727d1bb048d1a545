//! One module per operation: its input and output types, the HTTP request
//! built from the input, the response parser and the operation error enum.

use proc_macro2::TokenStream;
use quote::quote;

use super::binding::{
    Reader, build_field, path_pattern, read_inline, read_members, read_payload, timestamp_of,
    value_ref, with_value, write_body, write_headers,
};
use super::text::{timestamp_format, to_text};
use super::xml::{FieldValue, MemberReader};
use super::{docs, types, xml};
use crate::ir::*;
use crate::naming::ident;

const HEADER_TS: TimestampFormat = TimestampFormat::HttpDate;
const URI_TS: TimestampFormat = TimestampFormat::DateTime;

/// The whole module body for one operation.
pub fn module(op: &OperationDef, endpoints: Option<&Endpoints>) -> TokenStream {
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
        "`{} {}` (success status {}). Build the request with [`crate::Operation::build_request`], read the response with [`crate::Operation::parse_response`].",
        op.method,
        uri_pattern(op),
        op.code,
    ));
    let op_doc = docs(&op_docs);

    let input_type = types::structure(&op.input);
    let output_type = types::structure(&op.output);
    let input_xml = xml::structure(&op.input);
    let output_xml = xml::structure(&op.output);
    let (to_request, request_helpers) = build_request(op);
    let request_checksum = op.checksum.as_ref().map(|c| {
        let kind = if c.required {
            quote!(Required)
        } else {
            quote!(Supported)
        };
        quote!(const REQUEST_CHECKSUM: s3_runtime::operation::RequestChecksum = s3_runtime::operation::RequestChecksum::#kind;)
    });
    let request_compression = op.gzip.then(|| {
        quote!(
            const REQUEST_COMPRESSION: s3_runtime::operation::RequestCompression =
                s3_runtime::operation::RequestCompression::Gzip;
        )
    });
    let response_checksums = op.response_checksum.as_ref().map(|r| {
        let f = &op.input.fields[r.mode_field];
        let fname = ident(&f.name);
        let mode = if f.optional {
            quote!(self.#fname.as_ref().map(|m| m.as_str()))
        } else {
            quote!(Some(self.#fname.as_str()))
        };
        let algorithms = &r.algorithms;
        quote! {
            fn response_checksums(&self) -> &'static [&'static str] {
                s3_runtime::checksum::when_enabled(#mode, &[#(#algorithms),*])
            }
        }
    });
    let host = host_prefix(op);
    let streamed = streamed_body(op);
    let from_response = read_output(op);
    let (error_enum, from_code) = error_enum(op);
    let server = super::server::parts(op);
    let endpoint_params = endpoints.map(|e| super::endpoint::fills(op, e));
    let (from_request, request_reader) = (&server.from_request, &server.request_reader);
    let (to_response, error_response) = (&server.to_response, &server.error_response);
    quote! {
        #op_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #marker;

        impl s3_runtime::operation::Operation for #marker {
            const NAME: &'static str = #name;
            type Input = #input;
            type Output = #output;
            type Error = #error;
        }

        #input_type
        #input_xml
        impl s3_runtime::operation::Input for #input {
            #request_checksum
            #request_compression
            #response_checksums
            #to_request
            #from_request
        }
        #request_helpers
        #endpoint_params
        #request_reader
        #streamed
        #host
        #output_type
        #output_xml
        impl s3_runtime::operation::Output for #output {
            #from_response
            #to_response
        }
        #error_enum
        impl s3_runtime::operation::OperationError for #error {
            const PROFILE: &'static s3_runtime::operation::Profile = &crate::PROFILE;
            #from_code
            #error_response
        }
    }
}

/// The `http` trait's URI pattern, for docs.
fn uri_pattern(op: &OperationDef) -> String {
    let mut s = path_pattern(op);
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

/// `to_http_request` of the `Input` impl, and the inherent items it calls
/// (none unless idempotency tokens are filled in first).
fn build_request(op: &OperationDef) -> (TokenStream, TokenStream) {
    let input = ident(&op.input.name);
    let fields = &op.input.fields;

    let path = op.path.iter().map(|seg| match seg {
        PathSegment::Literal(l) => {
            let text = format!("/{}", encode_literal(l));
            // An empty literal (the path `/`, or a trailing `/`) is one
            // character: `push`, as clippy's `single_char_add_str` wants.
            if l.is_empty() {
                quote!(uri.push('/');)
            } else {
                quote!(uri.push_str(#text);)
            }
        }
        PathSegment::Label {
            field,
            greedy,
            in_endpoint,
        } => {
            let f = &fields[*field];
            let fname = ident(&f.name);
            let member = &f.member;
            let value = match f.ty {
                Ty::Float | Ty::Double => quote!((&self.#fname)),
                _ => quote!(self.#fname),
            };
            let text = to_text(&f.ty, value, URI_TS);
            let push = quote!(s3_runtime::uri::push_label(&mut uri, #member, #text, #greedy)?;);
            // A resolved endpoint already carries this label's value.
            if *in_endpoint {
                quote!(if endpoint.is_none() { #push })
            } else {
                push
            }
        }
    });
    let literals = op.query_literals.iter().map(|(k, v)| {
        let v = match v {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        quote!(q.literal(#k, #v);)
    });
    let msg = &op.request;
    let bound_keys: Vec<&String> = msg.query.iter().map(|p| &p.name).collect();
    let queries = msg.query.iter().map(|p| {
        let (f, key) = (&fields[p.field], &p.name);
        let v = value_ref(f);
        match &f.ty {
            Ty::List { item, .. } => {
                let format = timestamp_format(timestamp_of(item), URI_TS);
                quote!(q.params(#key, #v, #format);)
            }
            Ty::Timestamp(Some(format)) if *format != URI_TS => {
                let format = timestamp_format(Some(*format), URI_TS);
                quote!(q.param_as(#key, #v, #format);)
            }
            _ => quote!(q.param(#key, #v);),
        }
    });
    let query_map = msg.query_map.map(|i| {
        let f = &fields[i];
        let v = value_ref(f);
        // Parameters bound by name take precedence over the map.
        match &f.ty {
            Ty::Map { value, .. } if matches!(**value, Ty::List { .. }) => {
                quote!(q.map_lists(#v, &[#(#bound_keys),*]);)
            }
            _ => quote!(q.map(#v, &[#(#bound_keys),*]);),
        }
    });
    let queries: Vec<TokenStream> = literals.chain(queries).chain(query_map).collect();
    let query = (!queries.is_empty()).then(|| {
        quote! {
            let mut q = s3_runtime::uri::QueryWriter::new(&mut uri);
            #(#queries)*
        }
    });

    let headers = write_headers(&op.request, fields);
    let (body, content_type) = write_body(&op.request, fields);
    let has_body = op.request.body != Body::None;
    // A member bound to Content-Type wins over the body's default.
    let content_type = match fields
        .iter()
        .find(|f| matches!(&f.binding, Binding::Header(h) if h == "content-type"))
    {
        Some(f) if f.optional => {
            let fname = ident(&f.name);
            quote!(if self.#fname.is_some() { None } else { #content_type })
        }
        Some(_) => quote!(None),
        None => content_type,
    };
    let content_type_decl =
        has_body.then(|| quote!(let content_type: Option<&'static str> = #content_type;));
    let content_type = if has_body {
        quote!(content_type)
    } else {
        quote!(None)
    };
    let needs_length =
        op.request.body != Body::None || matches!(op.method.as_str(), "PUT" | "POST" | "PATCH");
    let method = method_tokens(&op.method);
    let doc = format!(
        " Builds the `{}` request: method, URI, headers and body; for an endpoint, its absolute URI, `host` header and the endpoint's headers, else a path-style relative URI. No I/O: sign and send it with the HTTP client of your choice.",
        op.name
    );
    let checksum = checksum(op);
    // Compressed after the headers (an encoding of the caller's comes
    // first) and before the framing, the checksum and the signature.
    let compress = op.gzip.then(|| {
        quote!(s3_runtime::compression::compress_request(&mut request, <Self as s3_runtime::operation::Input>::REQUEST_COMPRESSION)?;)
    });
    let framing = (has_body || needs_length).then(
        || quote!(s3_runtime::operation::set_framing(&mut request, #content_type, #needs_length);),
    );
    let headers = (!headers.is_empty()).then(|| {
        quote! {
            let mut h = s3_runtime::headers::Writer(request.headers_mut());
            #(#headers)*
        }
    });

    // Idempotency tokens: an empty token member is filled before building.
    let tokens: Vec<&Field> = fields
        .iter()
        .filter(|f| f.idempotency_token && f.optional)
        .collect();
    let base = if op.host_prefix.is_some() {
        quote! {
            let host_prefix = if endpoint.is_some() { Some(self.host_prefix()?) } else { None };
            let base = s3_runtime::uri::push_endpoint(&mut uri, endpoint, host_prefix.as_deref());
        }
    } else {
        quote!(let base = s3_runtime::uri::push_endpoint(&mut uri, endpoint, None);)
    };
    let build_body = quote! {
        (&self, endpoint: Option<&s3_runtime::endpoint::Endpoint>) -> Result<http::Request<Vec<u8>>, crate::error::BuildError> {
            let mut uri = String::with_capacity(128);
            #base
            #(#path)*
            s3_runtime::uri::end_path(&mut uri, base);
            #query
            #body
            #content_type_decl
            let mut request = http::Request::new(body);
            s3_runtime::operation::set_target(&mut request, #method, uri)?;
            #headers
            #compress
            #framing
            #checksum
            s3_runtime::endpoint::apply(&mut request, endpoint)?;
            Ok(request)
        }
    };
    if tokens.is_empty() {
        return (
            quote!(#[doc = #doc] fn to_http_request_at #build_body),
            quote!(),
        );
    }
    let fills = tokens.iter().map(|f| {
        let fname = ident(&f.name);
        quote!(if filled.#fname.is_none() { filled.#fname = Some(token()); })
    });
    let entry = quote! {
        #[doc = #doc]
        ///
        /// An empty idempotency token is filled with a fresh random token.
        fn to_http_request_at(&self, endpoint: Option<&s3_runtime::endpoint::Endpoint>) -> Result<http::Request<Vec<u8>>, crate::error::BuildError> {
            self.with_tokens(crate::primitives::idempotency_token).build_http_request(endpoint)
        }
    };
    let helpers = quote! {
        impl #input {
            /// Like `to_http_request`, with the idempotency tokens that the
            /// caller left empty taken from `token`.
            pub fn to_http_request_with_token(&self, token: impl FnMut() -> String) -> Result<http::Request<Vec<u8>>, crate::error::BuildError> {
                self.with_tokens(token).build_http_request(None)
            }
            /// A copy with the empty idempotency tokens filled from `token`.
            fn with_tokens(&self, mut token: impl FnMut() -> String) -> Self {
                let mut filled = self.clone();
                #(#fills)*
                filled
            }
            fn build_http_request #build_body
        }
    };
    (entry, helpers)
}

/// The request checksum of `httpChecksum`, over the built request's body;
/// a checksum header the caller set through its member is kept.
fn checksum(op: &OperationDef) -> TokenStream {
    let Some(c) = &op.checksum else {
        return quote!();
    };
    let chosen = match c.algorithm_field.map(|i| &op.input.fields[i]) {
        Some(f) => {
            let fname = ident(&f.name);
            if f.optional {
                quote!(self.#fname.as_ref().map(|a| a.as_str()))
            } else {
                quote!(Some(self.#fname.as_str()))
            }
        }
        None => quote!(None),
    };
    let required = c.required;
    quote!(s3_runtime::checksum::insert_request_checksum(&mut request, #chosen, #required)?;)
}

/// For a streaming blob payload: `StreamingInput` (a request builder that
/// takes the body from the caller, never buffered) and `StreamingOutput`
/// (an output read from the response head).
fn streamed_body(op: &OperationDef) -> TokenStream {
    let mut out = TokenStream::new();

    if let Some(f) = op
        .input
        .fields
        .iter()
        .find(|f| f.binding == Binding::Payload && f.streaming && f.optional)
    {
        let input = ident(&op.input.name);
        let payload = ident(&f.name);
        // Headers computed over the (empty) body are dropped; where a member
        // is bound to one, its value is sent instead.
        let computed =
            std::iter::once("content-length").chain(COMPUTED_CHECKSUM_HEADERS.iter().copied());
        let drops = computed.map(|name| {
            let bound = op
                .input
                .fields
                .iter()
                .find(|f| f.binding == Binding::Header((*name).to_owned()));
            match bound {
                Some(f) => {
                    let text = to_text(&f.ty, quote!(v), HEADER_TS);
                    with_value(f, insert_header(name, text))
                        .into_iter()
                        .chain(if f.optional {
                            quote!(else { headers.remove(#name); })
                        } else {
                            quote!()
                        })
                        .collect::<TokenStream>()
                }
                None => quote!(headers.remove(#name);),
            }
        });
        out.extend(quote! {
            impl s3_runtime::operation::StreamingInput for #input {
                fn to_http_request_with_body_at<B>(&self, endpoint: Option<&s3_runtime::endpoint::Endpoint>, body: B) -> Result<http::Request<B>, crate::error::BuildError> {
                    let mut head = self.clone();
                    head.#payload = None;
                    let mut request = s3_runtime::operation::Input::to_http_request_at(&head, endpoint)?;
                    let headers = request.headers_mut();
                    #(#drops)*
                    Ok(request.map(|_| body))
                }
            }
        });
    }
    if op
        .output
        .fields
        .iter()
        .any(|f| f.binding == Binding::Payload && f.streaming && f.optional)
    {
        let output = ident(&op.output.name);
        out.extend(quote! {
            impl s3_runtime::operation::StreamingOutput for #output {}
        });
    }
    out
}

/// `host_prefix()` for operations with an `endpoint` trait.
fn host_prefix(op: &OperationDef) -> TokenStream {
    let Some(pattern) = &op.host_prefix else {
        return quote!();
    };
    let input = ident(&op.input.name);
    let mut parts = Vec::new();
    let mut rest = pattern.as_str();
    while let Some((lit, after)) = rest.split_once('{') {
        parts.push(push_literal(lit));
        let Some((label, tail)) = after.split_once('}') else {
            break;
        };
        if let Some(f) = op.input.fields.iter().find(|f| f.member == label) {
            let fname = ident(&f.name);
            let member = &f.member;
            let value = if f.optional {
                quote!(self.#fname.as_deref().unwrap_or_default())
            } else {
                quote!(self.#fname.as_str())
            };
            parts.push(quote!(s3_runtime::uri::push_host_label(&mut out, #member, #value)?;));
        }
        rest = tail;
    }
    parts.push(push_literal(rest));
    let doc = format!(
        " The host prefix this operation puts in front of the endpoint's host (`{pattern}`), with its labels filled in."
    );
    quote! {
        impl #input {
            #[doc = #doc]
            pub fn host_prefix(&self) -> Result<String, crate::error::BuildError> {
                let mut out = String::new();
                #(#parts)*
                Ok(out)
            }
        }
    }
}

/// A statement that inserts header `name` with the text `text` into
/// `headers` (an `&mut http::HeaderMap`), or fails with a `BuildError` when
/// it is not a valid header value.
fn insert_header(name: &str, text: TokenStream) -> TokenStream {
    quote!(s3_runtime::headers::insert(headers, #name, #text)?;)
}

/// `out.push_str(lit)`, `out.push(c)` for one character, nothing for none.
fn push_literal(lit: &str) -> TokenStream {
    let mut chars = lit.chars();
    match (chars.next(), chars.next()) {
        (None, _) => quote!(),
        (Some(c), None) => quote!(out.push(#c);),
        _ => quote!(out.push_str(#lit);),
    }
}

/// Percent-encodes a literal path segment of the URI pattern (keeps it as is when already safe).
fn encode_literal(s: &str) -> String {
    super::binding::percent_encode(s, b"-._~!$&'()*+,;=:@")
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

/// `from_http_response` of the output's `Output` impl: status, headers,
/// then the body (an XML document of body members, or the payload).
fn read_output(op: &OperationDef) -> TokenStream {
    let (decls, reads, build) = read_message(&op.response, &op.output.fields);
    let (status, headers, body) = params(&op.response);
    quote! {
        fn from_http_response(#status: u16, #headers: &http::HeaderMap, #body: &[u8]) -> Result<Self, crate::error::ResponseError> {
            #decls
            #reads
            Ok(Self { #build })
        }
    }
}

/// A response or error message read by a client: the locals of its body
/// members and payload, the statements that read them, and the field
/// initializers (members outside the body are read in place, through `h`).
fn read_message(msg: &Message, fields: &[Field]) -> (TokenStream, TokenStream, TokenStream) {
    let all: Vec<&Field> = fields.iter().collect();
    let reader = MemberReader::new(&all);
    let decls = &reader.decls;
    let uses_headers = !msg.headers.is_empty() || msg.prefix_headers.is_some();
    let h = uses_headers.then(|| quote!(let h = s3_runtime::headers::Reader::new(headers);));
    let members = read_members(msg, &reader.attrs, &reader.arms);
    let payload = read_payload(msg, fields);
    let (binds, inits) = FieldValue::split(
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| build_field(f, read_inline(msg, fields, i), Reader::Client)),
    );
    (
        quote!(#h #(#decls)*),
        quote!(#members #payload #binds),
        inits,
    )
}

/// Parameter names of a response reader (status, headers, body):
/// `_`-prefixed when the message does not use them.
fn params(msg: &Message) -> (proc_macro2::Ident, proc_macro2::Ident, proc_macro2::Ident) {
    let name = |used: bool, n: &str| ident(&if used { n.to_owned() } else { format!("_{n}") });
    (
        name(msg.status_field.is_some(), "status"),
        name(
            !msg.headers.is_empty() || msg.prefix_headers.is_some(),
            "headers",
        ),
        name(msg.body != Body::None, "body"),
    )
}

/// `read_error` for an error structure: its members from the error
/// document and from headers.
pub fn read_error(s: &StructDef) -> TokenStream {
    let Some(msg) = &s.message else {
        return quote!();
    };
    let name = ident(&s.name);
    let (decls, reads, build) = read_message(msg, &s.fields);
    let (_, headers, body) = params(msg);
    quote! {
        impl #name {
            /// Reads the error's members from an error response.
            pub(crate) fn read_error(meta: crate::error::ErrorMetadata, #headers: &http::HeaderMap, #body: &[u8]) -> Result<Self, crate::error::ResponseError> {
                #decls
                #reads
                Ok(Self { #build meta })
            }
        }
    }
}

/// The operation error enum with its `ProvideErrorMetadata`, `Display`
/// and `Error` impls, and `from_code` of its `OperationError` impl.
fn error_enum(op: &OperationDef) -> (TokenStream, TokenStream) {
    let error = ident(&op.error_name);
    let doc = format!(
        " Every error `{}` can return: one variant per error the model documents for it, and `Unhandled` for any other error code or an unreadable error response.",
        op.name
    );
    let variants = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let t = ident(&e.type_name);
        let d = format!(" Error code `{}`.", e.code);
        quote!(#[doc = #d] #v(crate::types::#t),)
    });
    let arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let t = ident(&e.type_name);
        let code = &e.code;
        let read = if e.has_members {
            quote!(s3_runtime::operation::read_modeled(meta, headers, body, crate::types::#t::read_error, Self::#v))
        } else {
            quote!(Self::#v(crate::types::#t { meta }))
        };
        quote! {
            Some(#code) => #read,
        }
    });
    let meta_arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(Self::#v(e) => &e.meta,)
    });
    let source_arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(Self::#v(e) => Some(e),)
    });
    let uses_parts = op.errors.iter().any(|e| e.has_members);
    let (headers, body) = if uses_parts {
        (quote!(headers), quote!(body))
    } else {
        (quote!(_headers), quote!(_body))
    };
    let code_param = if op.errors.is_empty() {
        quote!(_code)
    } else {
        quote!(code)
    };
    let dispatch = if op.errors.is_empty() {
        quote!(Self::Unhandled(crate::error::Unhandled {
            meta,
            source: None
        }))
    } else {
        quote! {
            match code {
                #(#arms)*
                _ => Self::Unhandled(crate::error::Unhandled { meta, source: None }),
            }
        }
    };
    let from_code = quote! {
        fn from_code(#code_param: Option<&str>, meta: crate::error::ErrorMetadata, #headers: &http::HeaderMap, #body: &[u8]) -> Self {
            #dispatch
        }
    };
    let modeled_display =
        (!op.errors.is_empty()).then(|| quote!(other => std::fmt::Display::fmt(s3_runtime::operation::ProvideErrorMetadata::meta(other), f),));
    let items = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(tag = "Type"))]
        #[non_exhaustive]
        pub enum #error {
            #(#variants)*
            /// An error code this operation does not model, or an error response whose body could not be read.
            Unhandled(crate::error::Unhandled),
        }
        impl From<crate::error::Unhandled> for #error {
            fn from(e: crate::error::Unhandled) -> Self {
                Self::Unhandled(e)
            }
        }
        impl s3_runtime::operation::ProvideErrorMetadata for #error {
            fn meta(&self) -> &crate::error::ErrorMetadata {
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
    };
    (items, from_code)
}
