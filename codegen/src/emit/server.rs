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
    Reader, path_pattern, read_headers, read_members, read_payload, with_value, write_body,
    write_headers,
};
use super::xml::{self, MemberReader, local};
use crate::ir::*;
use crate::naming::ident;

const URI_TS: TimestampFormat = TimestampFormat::DateTime;

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

/// The value of `ty` read from `text`, or the `InvalidValue` error at `location`.
fn parse_at(ty: &Ty, text: TokenStream, default: TimestampFormat, location: &str) -> TokenStream {
    Reader::Server.parse(ty, text, default, location)
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

fn from_http_request(op: &OperationDef) -> (TokenStream, TokenStream) {
    let input = ident(&op.input.name);
    let fields = &op.input.fields;
    let method = &op.method;

    // Path.
    let pattern = path_pattern(op);
    let segments = op.path.iter().map(|seg| match seg {
        PathSegment::Literal(l) => quote!(crate::server::Segment::Literal(#l)),
        PathSegment::Label { field, greedy, .. } => {
            let member = &fields[*field].member;
            if *greedy {
                quote!(crate::server::Segment::Greedy(#member))
            } else {
                quote!(crate::server::Segment::Label(#member))
            }
        }
    });
    let matched =
        quote!(crate::server::match_path(request.uri().path(), &[#(#segments),*], #pattern)?);
    let has_labels = op
        .path
        .iter()
        .any(|s| matches!(s, PathSegment::Label { .. }));
    let path = if has_labels {
        quote!(let mut labels = #matched.into_iter();)
    } else {
        quote!(#matched;)
    };

    // Query string.
    let msg = &op.request;
    let bound_keys: Vec<&str> = msg
        .query
        .iter()
        .map(|p| p.name.as_str())
        .chain(op.query_literals.iter().map(|(k, _)| k.as_str()))
        .collect();
    let has_query =
        !op.query_literals.is_empty() || !msg.query.is_empty() || msg.query_map.is_some();
    let query =
        has_query.then(|| quote!(let query = crate::server::Query::parse(request.uri().query())?;));
    let literals = op.query_literals.iter().map(|(k, v)| {
        let v = match v {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        quote!(query.require(#k, #v)?;)
    });

    // Every member outside the XML body has a local; the body reader's
    // result declares the body members.
    let decls: Vec<TokenStream> = fields
        .iter()
        .filter(|f| f.binding != Binding::Body)
        .map(|f| {
            let local = local(f);
            let ty = super::ty_tokens(&f.ty);
            quote!(let mut #local: Option<#ty> = None;)
        })
        .collect();
    let mut reads = Vec::new();
    // Labels, in field order: the order `match_path` hands them out.
    for &i in &msg.labels {
        let f = &fields[i];
        let local = local(f);
        let value = parse_at(&f.ty, quote!(text), URI_TS, &format!("label {}", f.member));
        reads.push(quote! {{
            let text = labels.next().unwrap_or_default();
            #local = Some(#value);
        }});
    }
    for p in &msg.query {
        let (f, key) = (&fields[p.field], &p.name);
        let local = local(f);
        reads.push(match &f.ty {
            Ty::List { item, .. } => {
                let value = parse_at(item, quote!(text), URI_TS, &format!("query {key}"));
                let guard = if f.optional {
                    quote!(if !items.is_empty())
                } else {
                    quote!()
                };
                quote! {{
                    let items = query.all(#key);
                    #guard {
                        let mut values = Vec::with_capacity(items.len());
                        for text in items {
                            values.push(#value);
                        }
                        #local = Some(values);
                    }
                }}
            }
            ty => {
                let value = parse_at(ty, quote!(text), URI_TS, &format!("query {key}"));
                quote! {
                    if let Some(text) = query.first(#key) {
                        #local = Some(#value);
                    }
                }
            }
        });
    }
    if let Some(i) = msg.query_map {
        let f = &fields[i];
        let local = local(f);
        if let Ty::Map {
            key: key_ty,
            value: value_ty,
            ..
        } = &f.ty
        {
            let location = format!("query parameters of {}", f.member);
            let key = (**key_ty != Ty::String).then(|| {
                let key = parse_at(key_ty, quote!(key), URI_TS, &location);
                quote!(let key = #key;)
            });
            let insert = match &**value_ty {
                Ty::List { item, .. } => {
                    let value = parse_at(item, quote!(text), URI_TS, &location);
                    quote!(map.entry(key).or_insert_with(Vec::new).push(#value);)
                }
                scalar => {
                    let value = parse_at(scalar, quote!(text), URI_TS, &location);
                    // The first value of a repeated parameter counts.
                    quote! {
                        if let indexmap::map::Entry::Vacant(entry) = map.entry(key) {
                            entry.insert(#value);
                        }
                    }
                }
            };
            let set = if f.optional {
                quote!(if !map.is_empty() { #local = Some(map); })
            } else {
                quote!(#local = Some(map);)
            };
            reads.push(quote! {{
                let mut map = indexmap::IndexMap::new();
                for (key, text) in query.rest(&[#(#bound_keys),*]) {
                    #key
                    #insert
                }
                #set
            }});
        }
    }
    reads.extend(read_headers(msg, fields));
    reads.push(read_payload(msg, fields));
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

    // Field initializers: a missing required member is an error naming it.
    let build = fields.iter().map(|f| {
        let fname = ident(&f.name);
        let local = local(f);
        let value = if f.optional {
            quote!(#local)
        } else {
            let missing = match &f.binding {
                Binding::Label { .. } => {
                    let member = &f.member;
                    quote!(crate::server::RequestError::MissingLabel { member: #member })
                }
                Binding::Query(key) => {
                    quote!(crate::server::RequestError::MissingQuery { name: #key })
                }
                Binding::QueryParams => {
                    let member = &f.member;
                    quote!(crate::server::RequestError::MissingQuery { name: #member })
                }
                Binding::Header(name) | Binding::PrefixHeaders(name) => {
                    quote!(crate::server::RequestError::MissingHeader { name: #name })
                }
                Binding::Payload => quote!(crate::server::RequestError::MissingBody),
                _ => {
                    let member = &f.member;
                    quote!(|| crate::server::missing_member(#member))
                }
            };
            // `missing_member` allocates, so it is called only when needed.
            let value = if matches!(
                f.binding,
                Binding::Label { .. }
                    | Binding::Query(_)
                    | Binding::QueryParams
                    | Binding::Header(_)
                    | Binding::PrefixHeaders(_)
                    | Binding::Payload
            ) {
                quote!(#local.ok_or(#missing)?)
            } else {
                quote!(#local.ok_or_else(#missing)?)
            };
            if f.boxed {
                return quote!(#fname: Box::new(#value),);
            }
            value
        };
        let value = if f.optional && f.boxed {
            quote!(#value.map(Box::new))
        } else {
            value
        };
        quote!(#fname: #value,)
    });

    let headers = uses_headers.then(|| quote!(let headers = request.headers();));
    let body = uses_body.then(|| quote!(let body = request.body().as_ref();));
    let doc = format!(
        " Reads a `{} {}` request into the input (server side): method, path-style URI, query string, headers and body. Unknown query parameters and headers are ignored; a missing required value is an error naming it.",
        op.method, pattern
    );
    let reader = (!read_body.is_empty()).then(|| quote!(impl #input { #read_body }));
    let from = quote! {
            #[doc = #doc]
            #[allow(unused_assignments)]
            fn from_http_request<B: AsRef<[u8]>>(request: &http::Request<B>) -> Result<Self, crate::server::RequestError> {
                crate::server::check_method(request.method(), #method)?;
                #path
                #query
                #(#literals)*
                #headers
                #body
                #(#decls)*
                #(#reads)*
                #body_call
                Ok(Self { #(#build)* })
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
        quote!(let mut headers = http::HeaderMap::new();)
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
        quote!(let mut headers = http::HeaderMap::new();)
    };
    let body_fields: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.binding == Binding::Body && !f.xml.attribute)
        .collect();
    let (members, members_arg, write_fn) = if body_fields.is_empty() {
        (quote!(), quote!(""), quote!())
    } else {
        let children = body_fields
            .iter()
            .map(|f| with_value(f, xml::write_member(&f.ty, quote!(v), &f.xml)));
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
