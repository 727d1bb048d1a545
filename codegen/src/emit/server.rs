//! The server side of an operation: `from_http_request` on the input (an
//! `http::Request` read back into the input), `to_http_response` on the
//! output and on the operation error enum, and `to_http_response` on every
//! error structure.
//!
//! Values are read and written with the same pieces as the client side:
//! [`from_text`] and [`to_text`] for scalars, [`MemberReader`] for XML body
//! members, [`xml::write_member`] for XML elements, and the runtime's
//! `server` module for paths, query strings and error documents.

use proc_macro2::TokenStream;
use quote::quote;

use super::binding::{
    Reader, build_field, path_pattern, read_inline, read_members, read_payload, write_body,
    write_headers,
};
use super::xml::{self, FieldValue, MemberReader, local};
use crate::ir::*;
use crate::naming::ident;

/// The server-side parts of one operation module: the trait methods that
/// read the request and write the responses, and the inherent helpers they
/// call.
pub struct Parts {
    /// `from_http_request` of the input's `Input` impl.
    pub from_request: TokenStream,
    /// Inherent items of the input that `from_request` calls.
    pub request_reader: TokenStream,
    /// `to_http_response` of the output's `Output` impl.
    pub to_response: TokenStream,
    /// `to_http_response` of the error enum's `OperationError` impl.
    pub error_response: TokenStream,
}

/// The server-side parts of one operation.
pub fn parts(op: &OperationDef) -> Parts {
    let (from_request, request_reader) = from_http_request(op);
    Parts {
        from_request,
        request_reader,
        to_response: output_response(op),
        error_response: error_enum_response(op),
    }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

fn from_http_request(op: &OperationDef) -> (TokenStream, TokenStream) {
    let input = ident(&op.input.name);
    let fields = &op.input.fields;
    let method = &op.method;
    let msg = &op.request;

    // Path: the labels, in the order `match_path` hands them out.
    let pattern = path_pattern(op);
    let mut labels = Vec::new();
    let segments = op.path.iter().map(|seg| match seg {
        PathSegment::Literal(l) => quote!(crate::server::Segment::Literal(#l)),
        PathSegment::Label { field, greedy, .. } => {
            let f = &fields[*field];
            labels.push(local(f));
            let member = &f.member;
            if *greedy {
                quote!(crate::server::Segment::Greedy(#member))
            } else {
                quote!(crate::server::Segment::Label(#member))
            }
        }
    });
    let segments: Vec<TokenStream> = segments.collect();
    let path = quote! {
        let [#(#labels),*] = crate::server::match_path(request.uri().path(), &[#(#segments),*], #pattern)?;
    };

    // Query string.
    let has_query =
        !op.query_literals.is_empty() || !msg.query.is_empty() || msg.query_map.is_some();
    let query =
        has_query.then(|| quote!(let query = crate::server::Query::parse(request.uri().query())?;));
    let literals = op.query_literals.iter().map(|(k, v)| match v {
        // A literal whose value is the operation's name only names it (see
        // `s3_runtime::router`): some clients leave it out.
        Some(v) if *v == op.name => quote!(query.names_operation(#k, #v)?;),
        Some(v) => quote!(query.require(#k, Some(#v))?;),
        None => quote!(query.require(#k, None)?;),
    });

    // The payload and the body members (the body reader's result) have
    // locals; every other member is read in place.
    let payload = read_payload(msg, fields);
    let uses_headers = !msg.headers.is_empty() || msg.prefix_headers.is_some();
    let uses_body = msg.body != Body::None;

    // XML body members: read by a helper that returns them.
    let body_fields: Vec<&Field> = fields
        .iter()
        .filter(|f| f.binding == Binding::Body)
        .collect();
    let (read_body, body_call) = if body_fields.is_empty() {
        (quote!(), quote!())
    } else {
        let reader = MemberReader::new(&body_fields);
        let body_decls = &reader.decls;
        let locals: Vec<proc_macro2::Ident> = body_fields.iter().map(|f| local(f)).collect();
        let types = body_fields.iter().map(|f| super::ty_tokens(&f.ty));
        let read = read_members(msg, &reader.attrs, &reader.arms);
        (
            quote! {
                /// Reads the XML body members of the request (the root element's name is not checked).
                #[allow(clippy::type_complexity)]
                fn read_request_body(body: &[u8]) -> Result<(#(Option<#types>,)*), crate::error::XmlError> {
                    #(#body_decls)*
                    #read
                    Ok((#(#locals,)*))
                }
            },
            quote!(let (#(#locals,)*) = Self::read_request_body(body)?;),
        )
    };

    let (binds, inits) = FieldValue::split(
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| build_field(f, read_inline(msg, fields, i), Reader::Server)),
    );

    let headers =
        uses_headers.then(|| quote!(let h = s3_runtime::headers::Reader::new(request.headers());));
    let body = uses_body.then(|| quote!(let body = request.body().as_ref();));
    let doc = format!(
        " Reads a `{} {}` request into the input (server side): method, path-style URI, query string, headers and body. Unknown query parameters and headers are ignored; a missing required value is an error naming it.",
        op.method, pattern
    );
    let reader = (!read_body.is_empty()).then(|| quote!(impl #input { #read_body }));
    let from = quote! {
            #[doc = #doc]
            fn from_http_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, crate::server::RequestError> {
                crate::server::check_method(request.method(), #method)?;
                #path
                #query
                #(#literals)*
                #headers
                #body
                #payload
                #body_call
                #binds
                Ok(Self { #inits })
            }
    };
    (from, quote!(#reader))
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// `to_http_response` for the output.
fn output_response(op: &OperationDef) -> TokenStream {
    let msg = &op.response;
    let fields = &op.output.fields;
    let code = match msg.kind {
        MessageKind::Response { status } => status,
        _ => op.code,
    };
    let status = match msg.status_field.map(|i| &fields[i]) {
        Some(f) if f.optional => {
            let fname = ident(&f.name);
            quote! {
                let mut status: u16 = #code;
                if let Some(v) = self.#fname {
                    status = crate::server::status_code(v)?;
                }
            }
        }
        Some(f) => {
            let fname = ident(&f.name);
            quote!(let status = crate::server::status_code(self.#fname)?;)
        }
        None => quote!(let status: u16 = #code;),
    };
    let headers = write_headers(msg, fields);
    let headers_decl = if headers.is_empty() {
        quote!(let headers = http::HeaderMap::new();)
    } else {
        quote! {
            let mut headers = http::HeaderMap::new();
            let mut h = s3_runtime::headers::Writer(&mut headers);
        }
    };
    let (body, content_type) = write_body(msg, fields);
    let doc = format!(
        " Builds the successful `{}` response (server side): status {} (or the `httpResponseCode` member), headers, and the body; `content-type` and `content-length` are set unless a member sets them.",
        op.name, code
    );
    quote! {
        #[doc = #doc]
        fn to_http_response(&self) -> Result<http::Response<Vec<u8>>, crate::error::BuildError> {
            #status
            #headers_decl
            #(#headers)*
            #body
            let content_type = #content_type;
            crate::server::response(status, headers, body, content_type)
        }
    }
}

/// `to_http_response` for the operation error enum.
fn error_enum_response(op: &OperationDef) -> TokenStream {
    let arms = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        quote!(Self::#v(e) => e.to_http_response(),)
    });
    quote! {
            fn to_http_response(&self) -> http::Response<Vec<u8>> {
                match self {
                    #(#arms)*
                    Self::Unhandled(e) => crate::server::error_response(
                        &crate::PROFILE,
                        &e.meta,
                        crate::server::ErrorBody {
                            code: e.meta.code.as_deref(),
                            status: crate::server::error_status(e.meta.status),
                            ..Default::default()
                        },
                        http::HeaderMap::new(),
                    ),
                }
            }
    }
}

/// Element names the error document writes from the metadata.
const META_ELEMENTS: &[&str] = &["Code", "Message", "RequestId", "HostId"];

/// `to_http_response` for an error structure (nothing for other structures).
pub fn error_response(s: &StructDef, service: &ServiceInfo) -> TokenStream {
    let StructRole::Error { code, status } = &s.role else {
        return quote!();
    };
    let name = ident(&s.name);
    let wrapped = !service.profile.bare_error_documents;
    let status_tokens = match status {
        Some(status) => quote!(#status),
        None => quote!(crate::server::error_status(self.meta.status)),
    };
    let headers = s
        .message
        .as_ref()
        .map(|msg| write_headers(msg, &s.fields))
        .unwrap_or_default();
    let headers_decl = if headers.is_empty() {
        quote!(let headers = http::HeaderMap::new();)
    } else {
        quote! {
            let mut headers = http::HeaderMap::new();
            let mut h = s3_runtime::headers::Writer(&mut headers);
        }
    };
    let body_fields: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.binding == Binding::Body && !f.xml.attribute)
        .collect();
    let (members, members_arg, write_fn) = if body_fields.is_empty() {
        (quote!(), quote!(""), quote!())
    } else {
        let children = body_fields.iter().map(|f| xml::write_field(f));
        (
            quote! {
                let mut members = String::new();
                if self.write_error_members(&mut members).is_err() {
                    members.clear();
                }
            },
            quote!(&members),
            quote! {
                /// Writes the error's body members, the children of `<Error>` after the code and message.
                fn write_error_members(&self, out: &mut String) -> Result<(), crate::error::BuildError> {
                    #(#children)*
                    Ok(())
                }
            },
        )
    };
    // Members that take the place of the metadata elements of the same name.
    let clashes: Vec<&&Field> = body_fields
        .iter()
        .filter(|f| {
            let local = f
                .xml
                .name
                .rsplit_once(':')
                .map_or(f.xml.name.as_str(), |(_, l)| l);
            META_ELEMENTS.contains(&local)
        })
        .collect();
    let (taken, taken_arg) = if clashes.is_empty() {
        (quote!(), quote!(&[]))
    } else {
        let pushes = clashes.iter().map(|f| {
            let fname = ident(&f.name);
            let local = f
                .xml
                .name
                .rsplit_once(':')
                .map_or(f.xml.name.as_str(), |(_, l)| l);
            if f.optional {
                quote!(if self.#fname.is_some() { taken.push(#local); })
            } else {
                quote!(taken.push(#local);)
            }
        });
        (
            quote! {
                let mut taken: Vec<&'static str> = Vec::new();
                #(#pushes)*
            },
            quote!(&taken),
        )
    };
    let form = if wrapped {
        "`<ErrorResponse><Error>…</Error><RequestId>…</RequestId></ErrorResponse>` document"
    } else {
        "`<Error>` document"
    };
    let status_doc = match status {
        Some(status) => format!("status {status}"),
        None => "the status of `meta` (500 when it is 0)".to_owned(),
    };
    let members_doc = if body_fields.is_empty() {
        ""
    } else {
        ", the error's members"
    };
    let headers_doc = if headers.is_empty() {
        ""
    } else {
        " Header-bound members that cannot be header values are left out."
    };
    let doc = format!(
        " This error as an HTTP response (server side): {status_doc}, the {form} with the code `{code}`, the message{members_doc}, the request id and host id (also as the profile's request id headers). Never fails.{headers_doc}"
    );
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn to_http_response(&self) -> http::Response<Vec<u8>> {
                #headers_decl
                #(#headers)*
                #members
                #taken
                let body = crate::server::ErrorBody {
                    code: Some(#code),
                    status: #status_tokens,
                    members: #members_arg,
                    taken: #taken_arg,
                };
                crate::server::error_response(&crate::PROFILE, &self.meta, body, headers)
            }
            #write_fn
        }
    }
}

/// The route of an operation, as `s3_runtime::router` reads it: name,
/// method, URI pattern, then `q:key` for each required query parameter and
/// `h:name` for each required header; literal text and names
/// percent-encoded where they hold a character the route's syntax uses.
pub(crate) fn route_spec(op: &OperationDef) -> String {
    let fields = &op.input.fields;
    // The route's syntax uses ` `, `?`, `&`, `=` and `%`.
    let word = |text: &str| super::binding::percent_encode(text, b"-._~!$'()*+,;:@");
    let path = super::binding::pattern_with(op, word);
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    let mut spec = format!("{} {} {path}", op.name, op.method);
    for (i, (key, value)) in op.query_literals.iter().enumerate() {
        spec.push(if i == 0 { '?' } else { '&' });
        spec.push_str(&word(key));
        if let Some(value) = value {
            spec.push('=');
            spec.push_str(&word(value));
        }
    }
    let msg = &op.request;
    for param in msg.query.iter().filter(|p| !fields[p.field].optional) {
        spec.push_str(" q:");
        spec.push_str(&word(&param.name));
    }
    for param in msg.headers.iter().filter(|p| !fields[p.field].optional) {
        spec.push_str(" h:");
        spec.push_str(&word(&param.name.to_ascii_lowercase()));
    }
    spec
}
