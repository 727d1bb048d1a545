//! Pieces of the HTTP binding that the client half (`operation`) and the
//! server half (`server`) of an operation both use.

use proc_macro2::TokenStream;
use quote::quote;

use super::text::{from_text, to_text};
use super::xml::{self, local};
use crate::ir::*;
use crate::naming::ident;

/// The path part of the URI pattern, e.g. `/{Bucket}/{Key+}`.
pub(crate) fn path_pattern(op: &OperationDef) -> String {
    let mut s = String::new();
    for seg in &op.path {
        s.push('/');
        match seg {
            PathSegment::Literal(l) => s.push_str(l),
            PathSegment::Label { field, greedy, .. } => {
                s.push('{');
                s.push_str(&op.input.fields[*field].member);
                if *greedy {
                    s.push('+');
                }
                s.push('}');
            }
        }
    }
    s
}

/// `if let Some(v) = &self.f { body }` or `{ let v = &self.f; body }`.
pub(crate) fn with_value(f: &Field, body: TokenStream) -> TokenStream {
    let fname = ident(&f.name);
    if f.optional {
        quote!(if let Some(v) = &self.#fname { #body })
    } else {
        quote!({ let v = &self.#fname; #body })
    }
}

// ---------------------------------------------------------------------------
// Messages: each binding of a [`Message`] written and read once, for the
// client's requests and the server's responses alike.
// ---------------------------------------------------------------------------

const HEADER_TS: TimestampFormat = TimestampFormat::HttpDate;

/// Who reads a message, which decides how a bad value is reported and how
/// lenient the reader is: a server reads requests (`RequestError`), a client
/// reads responses and errors (`ResponseError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    Server,
    Client,
}

impl Reader {
    pub(crate) fn of(msg: &Message) -> Self {
        if msg.kind == MessageKind::Request {
            Reader::Server
        } else {
            Reader::Client
        }
    }

    /// An expression of the error for a bad value at `location` (e.g.
    /// `header x-amz-foo`), with the message `e` (an expression that is
    /// `Display`).
    fn invalid(self, location: &str, e: TokenStream) -> TokenStream {
        match self {
            Reader::Server => quote!(crate::server::invalid(#location, #e)),
            Reader::Client => {
                quote!(crate::error::ResponseError::invalid(#location, #e))
            }
        }
    }

    /// An expression of the value of `ty` read from `text` (a `String`),
    /// returning the reader's error at `location` when it is not valid.
    pub(crate) fn parse(
        self,
        ty: &Ty,
        text: TokenStream,
        default: TimestampFormat,
        location: &str,
    ) -> TokenStream {
        match (self, ty) {
            // Text is always a valid string or enum value.
            (Reader::Server, Ty::String) => text,
            (
                Reader::Server,
                Ty::Named {
                    name,
                    kind: NamedKind::Enum,
                },
            ) => {
                let t = ident(name);
                quote!(crate::types::#t::from(#text))
            }
            _ => {
                let parse = from_text(ty, text, default);
                let err = self.invalid(location, quote!(e));
                quote!(#parse.map_err(|e| #err)?)
            }
        }
    }
}

/// A statement that inserts header `name` with the text `text` into
/// `headers` (an `&mut http::HeaderMap`), or fails with a `BuildError` when
/// it is not a valid header value.
pub(crate) fn insert_header(name: &str, text: TokenStream) -> TokenStream {
    quote!(s3_runtime::headers::insert(headers, #name, #text)?;)
}

/// Statements that write the header-bound and prefix-header members of the
/// message into `headers` (the request's `&mut http::HeaderMap` on the
/// client, an owned map on the server), from the fields of `self`.
/// The prefix headers come first, so that a header bound by name wins over
/// a map entry. A value that cannot be a header is a `BuildError`, except
/// in an error response, which never fails: there it is left out.
pub(crate) fn write_headers(msg: &Message, fields: &[Field]) -> Vec<TokenStream> {
    let strict = !matches!(msg.kind, MessageKind::Error { .. });
    let target = if msg.kind == MessageKind::Request {
        quote!(headers)
    } else {
        quote!(&mut headers)
    };
    let insert = |name: &str, text: TokenStream| {
        if strict {
            quote!(s3_runtime::headers::insert(#target, #name, #text)?;)
        } else {
            quote!(s3_runtime::headers::insert_if_valid(#target, #name, #text);)
        }
    };
    let mut out = Vec::new();
    if let Some(Param {
        field,
        name: prefix,
    }) = &msg.prefix_headers
    {
        let stmt = if strict {
            quote!(s3_runtime::headers::insert_prefixed(#target, #prefix, v)?;)
        } else {
            quote!(s3_runtime::headers::insert_prefixed_if_valid(#target, #prefix, v);)
        };
        out.push(with_value(&fields[*field], stmt));
    }
    for Param { field, name } in &msg.headers {
        let f = &fields[*field];
        let stmt = match &f.ty {
            Ty::List { item, .. } => {
                let text = to_text(item, quote!(item), HEADER_TS);
                let quote_items = matches!(
                    **item,
                    Ty::String
                        | Ty::Named {
                            kind: NamedKind::Enum,
                            ..
                        }
                );
                let insert = insert(name, quote!(&text));
                quote! {
                    let items: Vec<String> = v.iter().map(|item| {
                        let text: &str = #text;
                        text.to_owned()
                    }).collect();
                    let text = crate::primitives::join_header_list(items.iter().map(String::as_str), #quote_items);
                    #insert
                }
            }
            ty => insert(name, to_text(ty, quote!(v), HEADER_TS)),
        };
        out.push(with_value(f, stmt));
    }
    out
}

/// Statements that read the header-bound, prefix-header and status members
/// of the message from `headers` (and `status`) into their locals (see
/// [`MemberReader`](super::xml::MemberReader)). A server leaves an empty
/// prefix-header map of an optional member unset; a client sets it.
pub(crate) fn read_headers(msg: &Message, fields: &[Field]) -> Vec<TokenStream> {
    let reader = Reader::of(msg);
    let mut out = Vec::new();
    for Param { field, name } in &msg.headers {
        let f = &fields[*field];
        let slot = local(f);
        let location = format!("header {name}");
        out.push(match &f.ty {
            Ty::List { item, .. } => {
                let split = if matches!(
                    **item,
                    Ty::Timestamp(None | Some(TimestampFormat::HttpDate))
                ) {
                    quote!(crate::primitives::split_http_date_list(&text))
                } else {
                    let err = reader.invalid(&location, quote!(e));
                    quote!(crate::primitives::split_header_list(&text).map_err(|e| #err)?)
                };
                let value = reader.parse(item, quote!(item), HEADER_TS, &location);
                quote! {
                    if let Some(text) = s3_runtime::headers::text(headers, #name)? {
                        let items = #split;
                        let mut values = Vec::with_capacity(items.len());
                        for item in items {
                            values.push(#value);
                        }
                        #slot = Some(values);
                    }
                }
            }
            // The runtime reads the text, or parses it and names the header
            // when it is not a value of the member's type.
            Ty::String => quote!(#slot = s3_runtime::headers::text(headers, #name)?;),
            ty => {
                let parse = from_text(ty, quote!(text), HEADER_TS);
                quote!(#slot = s3_runtime::headers::parse(headers, #name, |text| #parse)?;)
            }
        });
    }
    if let Some(Param {
        field,
        name: prefix,
    }) = &msg.prefix_headers
    {
        let f = &fields[*field];
        let slot = local(f);
        let read = quote!(s3_runtime::headers::with_prefix(headers, #prefix)?);
        out.push(if reader == Reader::Server && f.optional {
            quote! {{
                let map = #read;
                if !map.is_empty() {
                    #slot = Some(map);
                }
            }}
        } else {
            quote!(#slot = Some(#read);)
        });
    }
    if let Some(field) = msg.status_field {
        let slot = local(&fields[field]);
        out.push(quote!(#slot = Some(i32::from(status));));
    }
    out
}

/// Statements that leave the message's body in `body` (a `Vec<u8>`), from
/// the fields of `self`, and an expression of its content type
/// (`Option<&'static str>`, evaluated after the statements). An empty
/// document or payload has none, except that a request names the content
/// type of a raw payload whenever the member is set.
pub(crate) fn write_body(msg: &Message, fields: &[Field]) -> (TokenStream, TokenStream) {
    let content_type = msg.body.content_type();
    let if_not_empty = quote!((!body.is_empty()).then_some(#content_type));
    let document = |write: TokenStream| {
        quote! {
            let mut xml = String::with_capacity(s3_runtime::xml::DOCUMENT_CAPACITY);
            #write
            let body = xml.into_bytes();
        }
    };
    match &msg.body {
        Body::None => (quote!(let body: Vec<u8> = Vec::new();), quote!(None)),
        Body::XmlMembers {
            root,
            namespace,
            unwrapped: false,
        } => {
            let attrs = ns_attr(namespace.as_ref());
            let write = xml::write_element(quote!(self), quote!(&mut xml), root, &attrs);
            (document(write), quote!(Some(#content_type)))
        }
        Body::XmlMembers {
            root,
            namespace,
            unwrapped: true,
        } => {
            // The one body member is the document's root element.
            let Some(f) = fields.iter().find(|f| f.binding == Binding::Body) else {
                return (quote!(let body: Vec<u8> = Vec::new();), quote!(None));
            };
            let root = XmlMember {
                name: root.clone(),
                namespace: namespace.clone(),
                ..f.xml.clone()
            };
            let write = with_value(f, xml::write_member(&f.ty, quote!(v), &root));
            (
                document(quote!({ let out = &mut xml; #write })),
                if_not_empty,
            )
        }
        Body::XmlPayload {
            field,
            root,
            namespace,
        } => {
            let attrs = ns_attr(namespace.as_ref());
            let write = with_value(
                &fields[*field],
                xml::write_element(quote!(v), quote!(&mut xml), root, &attrs),
            );
            (document(write), if_not_empty)
        }
        Body::RawPayload { field, .. } => {
            let f = &fields[*field];
            let fname = ident(&f.name);
            let bytes = match &f.ty {
                Ty::Blob => quote!(v.clone()),
                Ty::String => quote!(v.as_bytes().to_vec()),
                _ => quote!(v.as_str().as_bytes().to_vec()),
            };
            let body = if f.optional && f.ty == Ty::Blob {
                quote!(let body: Vec<u8> = self.#fname.clone().unwrap_or_default();)
            } else if f.optional {
                quote!(let body: Vec<u8> = self.#fname.as_ref().map(|v| #bytes).unwrap_or_default();)
            } else {
                quote!(let body: Vec<u8> = { let v = &self.#fname; #bytes };)
            };
            let content_type = match msg.kind {
                MessageKind::Request if f.optional => {
                    quote!(self.#fname.is_some().then_some(#content_type))
                }
                MessageKind::Request => quote!(Some(#content_type)),
                _ => if_not_empty,
            };
            (body, content_type)
        }
        Body::EventStream { field, .. } => {
            let f = &fields[*field];
            let fname = ident(&f.name);
            let events = if f.optional {
                quote!(self.#fname.as_deref().unwrap_or_default())
            } else {
                quote!(&self.#fname)
            };
            (
                quote!(let body: Vec<u8> = crate::event_stream::encode_all(#events)?;),
                if_not_empty,
            )
        }
    }
}

/// Statements that read the message's payload member from `body` into its
/// local; nothing when the body is not a payload. A client reads an empty
/// body as no value, or as the default of a required member; a server reads
/// an empty body as no value, except as an empty required blob or string.
pub(crate) fn read_payload(msg: &Message, fields: &[Field]) -> TokenStream {
    let reader = Reader::of(msg);
    let Some(field) = msg.body.payload() else {
        return quote!();
    };
    let f = &fields[field];
    let slot = local(f);
    let not_utf8 = reader.invalid("body", quote!("the body is not UTF-8"));
    let value = match (&msg.body, &f.ty) {
        (Body::XmlPayload { .. }, Ty::Named { name, kind }) => {
            let t = ident(name);
            let read = if *kind == NamedKind::Union {
                quote!(crate::types::#t::read_xml(r, &start)?)
            } else {
                quote!(Some(crate::types::#t::read_xml(r, &start)?))
            };
            quote!({
                let mut reader = s3_runtime::xml_read::Reader::new(body, &s3_runtime::xml_read::Limits::DEFAULT)?;
                let r = &mut reader;
                let start = r.root()?;
                let value = #read;
                r.finish()?;
                value
            })
        }
        (Body::EventStream { union, .. }, _) => {
            let t = ident(union);
            let decode = quote!(crate::event_stream::decode_all::<crate::types::#t>(body));
            match reader {
                Reader::Client => quote!(Some(#decode?)),
                Reader::Server => {
                    let err = reader.invalid("body", quote!(e));
                    quote!(Some(#decode.map_err(|e| #err)?))
                }
            }
        }
        (_, Ty::Blob) => quote!(Some(body.to_vec())),
        (_, Ty::String) => quote!(Some(String::from_utf8(body.to_vec()).map_err(|_| #not_utf8)?)),
        (
            _,
            Ty::Named {
                name,
                kind: NamedKind::Enum,
            },
        ) => {
            let t = ident(name);
            quote!(Some(crate::types::#t::from(std::str::from_utf8(body).map_err(|_| #not_utf8)?)))
        }
        _ => return quote!(),
    };
    let xml = matches!(msg.body, Body::XmlPayload { .. });
    let blank = if xml {
        quote!(s3_runtime::xml::is_blank(body))
    } else {
        quote!(body.is_empty())
    };
    let bytes_or_text = matches!(f.ty, Ty::Blob | Ty::String);
    match reader {
        _ if f.optional => quote!(if !#blank { #slot = #value; }),
        Reader::Client => quote!(#slot = if #blank { Some(Default::default()) } else { #value };),
        Reader::Server if bytes_or_text => quote!(#slot = #value;),
        Reader::Server => quote!(if !#blank { #slot = #value; }),
    }
}

/// Statements that read the message's XML body members from `body` into
/// their locals, given the `attrs` and `arms` of a
/// [`MemberReader`](super::xml::MemberReader); nothing when the body is not
/// made of members. An unwrapped document's root is the one member; an
/// error's members are in its `Error` element, the root or (when the
/// service wraps errors) a child of the root; otherwise the members are the
/// root's attributes and children, whatever the root's name.
pub(crate) fn read_members(
    msg: &Message,
    attrs: &[TokenStream],
    arms: &[TokenStream],
) -> TokenStream {
    let Body::XmlMembers {
        root, unwrapped, ..
    } = &msg.body
    else {
        return quote!();
    };
    let open = quote! {
        let mut reader = s3_runtime::xml_read::Reader::new(body, &s3_runtime::xml_read::Limits::DEFAULT)?;
        let r = &mut reader;
    };
    let read = if *unwrapped {
        quote! {
            #open
            let child = r.root()?;
            match child.name() {
                #(#arms)*
                _ => r.skip()?,
            }
            r.finish()?;
        }
    } else if let MessageKind::Error { .. } = msg.kind {
        let element = proc_macro2::Literal::byte_string(root.as_bytes());
        let missing = format!("the error document has no {root} element");
        quote! {
            #open
            let root = r.root()?;
            let wrapped = root.name() != #element;
            if wrapped {
                loop {
                    match r.next_child()? {
                        Some(child) if child.name() == #element => break,
                        Some(_) => r.skip()?,
                        None => return Err(r.error(#missing).into()),
                    }
                }
            }
            while let Some(child) = r.next_child()? {
                match child.name() {
                    #(#arms)*
                    _ => r.skip()?,
                }
            }
            if wrapped {
                while r.next_child()?.is_some() {
                    r.skip()?;
                }
            }
            r.finish()?;
        }
    } else {
        let start = if attrs.is_empty() {
            quote!(let _ = r.root()?;)
        } else {
            quote!(let start = r.root()?;)
        };
        quote! {
            #open
            #start
            #(#attrs)*
            while let Some(child) = r.next_child()? {
                match child.name() {
                    #(#arms)*
                    _ => r.skip()?,
                }
            }
            r.finish()?;
        }
    };
    quote! {
        if !s3_runtime::xml::is_blank(body) {
            #read
        }
    }
}

/// The namespace attribute text of an optional namespace.
fn ns_attr(ns: Option<&XmlNamespace>) -> String {
    ns.map(XmlNamespace::attribute).unwrap_or_default()
}
