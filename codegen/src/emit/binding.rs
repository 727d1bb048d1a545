//! Pieces of the HTTP binding that the client half (`operation`) and the
//! server half (`server`) of an operation both use.

use proc_macro2::TokenStream;
use quote::quote;

use super::text::timestamp_format;
use super::xml::{self, FieldValue, local};
use crate::ir::*;
use crate::naming::ident;

/// The path part of the URI pattern, e.g. `/{Bucket}/{Key+}`.
pub(crate) fn path_pattern(op: &OperationDef) -> String {
    pattern_with(op, str::to_owned)
}

/// The path part of the URI pattern with each literal segment written by
/// `literal`.
pub(crate) fn pattern_with(op: &OperationDef, literal: impl Fn(&str) -> String) -> String {
    let mut s = String::new();
    for seg in &op.path {
        s.push('/');
        match seg {
            PathSegment::Literal(l) => s.push_str(&literal(l)),
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

/// Percent-encodes every byte of `text` but ASCII letters, digits and
/// those in `keep`.
pub(crate) fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
const URI_TS: TimestampFormat = TimestampFormat::DateTime;

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
}

/// The format tokens of a timestamp (of a list's items, for a list) whose
/// model format differs from the location's `default`; `None` otherwise.
fn explicit_format(ty: &Ty, default: TimestampFormat) -> Option<TokenStream> {
    match ty {
        Ty::Timestamp(Some(f)) if *f != default => Some(timestamp_format(Some(*f), default)),
        Ty::List { item, .. } => explicit_format(item, default),
        _ => None,
    }
}

/// An expression of the field's value as `Option<&T>` (`Option<&[T]>` for
/// a list), from `self`.
pub(crate) fn value_ref(f: &Field) -> TokenStream {
    let fname = ident(&f.name);
    match (&f.ty, f.optional) {
        (Ty::List { .. }, true) => quote!(self.#fname.as_deref()),
        (Ty::List { .. }, false) => quote!(Some(self.#fname.as_slice())),
        (_, true) => quote!(self.#fname.as_ref()),
        (_, false) => quote!(Some(&self.#fname)),
    }
}

/// Statements that write the header-bound and prefix-header members of the
/// message through `h`, an `s3_runtime::headers::Writer`, from the fields
/// of `self`. The prefix headers come first, so that a header bound by name
/// wins over a map entry. A value that cannot be a header is a
/// `BuildError`, except in an error response, which never fails: there it
/// is left out.
pub(crate) fn write_headers(msg: &Message, fields: &[Field]) -> Vec<TokenStream> {
    let strict = !matches!(msg.kind, MessageKind::Error { .. });
    let mut out = Vec::new();
    if let Some(Param {
        field,
        name: prefix,
    }) = &msg.prefix_headers
    {
        let v = value_ref(&fields[*field]);
        out.push(if strict {
            quote!(h.put_prefixed(#prefix, #v)?;)
        } else {
            quote!(h.put_prefixed_if_valid(#prefix, #v);)
        });
    }
    for Param { field, name } in &msg.headers {
        let f = &fields[*field];
        let v = value_ref(f);
        out.push(match (&f.ty, explicit_format(&f.ty, HEADER_TS)) {
            (Ty::List { item, .. }, _) => {
                let format = timestamp_format(timestamp_of(item), HEADER_TS);
                if strict {
                    quote!(h.put_list(#name, #v, #format, true)?;)
                } else {
                    quote!(let _ = h.put_list(#name, #v, #format, false);)
                }
            }
            (_, Some(format)) if strict => quote!(h.put_as(#name, #v, #format)?;),
            (_, Some(format)) => quote!(h.put_as_if_valid(#name, #v, #format);),
            (_, None) if strict => quote!(h.put(#name, #v)?;),
            (_, None) => quote!(h.put_if_valid(#name, #v);),
        });
    }
    out
}

/// The model's timestamp format of a timestamp type.
pub(crate) fn timestamp_of(ty: &Ty) -> Option<TimestampFormat> {
    match ty {
        Ty::Timestamp(f) => *f,
        _ => None,
    }
}

/// How a member outside the XML body is read, as an expression in the
/// struct literal that builds the message: `Always` a `T`, or `Maybe` an
/// `Option<T>`; `Local` when the field's local (a text label that
/// `match_path` hands out) already holds the `T`. Readers use `h` (an
/// `s3_runtime::headers::Reader`), `query` (a `crate::server::Query`),
/// `status`, and the label locals.
pub(crate) enum Inline {
    Always(TokenStream),
    Maybe(TokenStream),
    Local,
}

/// The inline reader of field `index` of the message, or `None` when it is
/// read into a local (body members and the payload).
pub(crate) fn read_inline(msg: &Message, fields: &[Field], index: usize) -> Option<Inline> {
    let f = &fields[index];
    if msg.labels.contains(&index) {
        if f.ty == Ty::String {
            return Some(Inline::Local);
        }
        let local = local(f);
        let member = &f.member;
        let format = timestamp_format(timestamp_of(&f.ty), URI_TS);
        return Some(Inline::Always(
            quote!(crate::server::label(#local, #member, #format)?),
        ));
    }
    if msg.status_field == Some(index) {
        return Some(Inline::Always(quote!(i32::from(status))));
    }
    if let Some(p) = msg.query.iter().find(|p| p.field == index) {
        let key = &p.name;
        return Some(Inline::Maybe(
            match (&f.ty, explicit_format(&f.ty, URI_TS)) {
                (Ty::List { item, .. }, _) => {
                    let format = timestamp_format(timestamp_of(item), URI_TS);
                    if !f.optional {
                        return Some(Inline::Always(
                            quote!(query.list(#key, #format)?.unwrap_or_default()),
                        ));
                    }
                    quote!(query.list(#key, #format)?)
                }
                (_, Some(format)) => quote!(query.get_as(#key, #format)?),
                (_, None) if !f.optional => {
                    return Some(Inline::Always(quote!(query.required(#key)?)));
                }
                (_, None) => quote!(query.get(#key)?),
            },
        ));
    }
    if msg.query_map == Some(index) {
        let bound: Vec<&str> = msg.query.iter().map(|p| p.name.as_str()).collect();
        let member = &f.member;
        let lists = matches!(&f.ty, Ty::Map { value, .. } if matches!(**value, Ty::List { .. }));
        let read = if lists {
            quote!(query.map_lists(&[#(#bound),*], #member)?)
        } else {
            quote!(query.map(&[#(#bound),*], #member)?)
        };
        return Some(if f.optional {
            Inline::Maybe(read)
        } else {
            Inline::Always(quote!(#read.unwrap_or_default()))
        });
    }
    if let Some(p) = msg.headers.iter().find(|p| p.field == index) {
        let name = &p.name;
        return Some(Inline::Maybe(
            match (&f.ty, explicit_format(&f.ty, HEADER_TS)) {
                (Ty::List { item, .. }, _) => {
                    let format = timestamp_format(timestamp_of(item), HEADER_TS);
                    quote!(h.list(#name, #format)?)
                }
                (_, Some(format)) => quote!(h.get_as(#name, #format)?),
                (_, None) if !f.optional && Reader::of(msg) == Reader::Server => {
                    return Some(Inline::Always(
                        quote!(crate::server::required_header(&h, #name)?),
                    ));
                }
                (_, None) => quote!(h.get(#name)?),
            },
        ));
    }
    if let Some(Param { field, name }) = &msg.prefix_headers {
        if *field == index {
            // A server leaves an empty map of an optional member unset; a
            // client sets it.
            return Some(match (Reader::of(msg), f.optional) {
                (_, false) => Inline::Always(quote!(h.prefixed(#name)?)),
                (Reader::Server, true) => {
                    Inline::Maybe(quote!(s3_runtime::headers::non_empty(h.prefixed(#name)?)))
                }
                (Reader::Client, true) => Inline::Maybe(quote!(Some(h.prefixed(#name)?))),
            });
        }
    }
    None
}

/// The value of field `f` of a message read by `reader`: its inline reader,
/// or its local (see [`MemberReader`](super::xml::MemberReader)). A missing
/// required value is an error naming it: for a server, the label,
/// parameter, header or body that is missing; for a client, the member.
pub(crate) fn build_field(f: &Field, inline: Option<Inline>, reader: Reader) -> FieldValue {
    let missing = || match (reader, &f.binding) {
        (Reader::Server, Binding::Query(key)) => {
            quote!(.ok_or(crate::server::RequestError::MissingQuery { name: #key })?)
        }
        (Reader::Server, Binding::Header(name)) => {
            quote!(.ok_or(crate::server::RequestError::MissingHeader { name: #name })?)
        }
        (Reader::Server, Binding::Payload) => {
            quote!(.ok_or(crate::server::RequestError::MissingBody)?)
        }
        (Reader::Server, _) => {
            let member = &f.member;
            quote!(.ok_or_else(|| crate::server::missing_member(#member))?)
        }
        (Reader::Client, _) => {
            let text = format!("the required member {} is missing", f.member);
            quote!(.ok_or_else(|| crate::error::XmlError::new(#text))?)
        }
    };
    let value = match (inline, f.optional) {
        (Some(Inline::Local), false) | (None, true) => return FieldValue::new(f, None),
        (Some(Inline::Local), true) => {
            let local = local(f);
            quote!(Some(#local))
        }
        (Some(Inline::Always(e)), false) => e,
        (Some(Inline::Always(e)), true) => quote!(Some(#e)),
        (Some(Inline::Maybe(e)), true) => e,
        (Some(Inline::Maybe(e)), false) => {
            let missing = missing();
            quote!(#e #missing)
        }
        (None, false) => {
            let local = local(f);
            let missing = missing();
            quote!(#local #missing)
        }
    };
    FieldValue::new(f, Some(value))
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

/// A statement that declares the message's payload member's local and
/// reads it from `body`; nothing when the body is not a payload. A client reads an empty
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
            let read =
                quote!(s3_runtime::xml_read::read_payload(body, crate::types::#t::read_xml)?);
            if *kind == NamedKind::Union {
                read
            } else {
                quote!(Some(#read))
            }
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
        _ => {
            let ty = super::ty_tokens(&f.ty);
            return quote!(let #slot: Option<#ty> = None;);
        }
    };
    let xml = matches!(msg.body, Body::XmlPayload { .. });
    let blank = if xml {
        quote!(s3_runtime::xml::is_blank(body))
    } else {
        quote!(body.is_empty())
    };
    let bytes_or_text = matches!(f.ty, Ty::Blob | Ty::String);
    let ty = super::ty_tokens(&f.ty);
    let value = match reader {
        _ if f.optional => quote!(if #blank { None } else { #value }),
        Reader::Client => quote!(if #blank { Some(Default::default()) } else { #value }),
        Reader::Server if bytes_or_text => value,
        Reader::Server => quote!(if #blank { None } else { #value }),
    };
    quote!(let #slot: Option<#ty> = #value;)
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
