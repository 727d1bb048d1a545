//! Event streams: `impl crate::event_stream::Event` for each `streaming`
//! union. Each variant is an event structure, carried by one message whose
//! `:event-type` is the member name; its `eventHeader` members are message
//! headers named after the member, its `eventPayload` member is the payload
//! (raw bytes or text, or an XML document for a structure or union).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;
use crate::naming::ident;

/// The `Event` impl of an event-stream union; empty for other unions.
pub fn union(u: &UnionDef, krate: &Crate) -> TokenStream {
    if !u.event_stream {
        return quote!();
    }
    let name = ident(&u.name);
    let shape = &u.shape_name;
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for v in &u.variants {
        let Ty::Named { name: s_name, .. } = &v.ty else {
            continue;
        };
        let Some(TypeDef::Struct(s)) = krate.types.iter().find(|t| t.name() == s_name) else {
            continue;
        };
        let vname = ident(&v.name);
        let event_type = &v.member;
        let s_ident = ident(&s.name);
        let fields = s.fields.iter().map(|f| read_field(f, event_type));
        let mut value = quote!(crate::types::#s_ident { #(#fields)* });
        let mut it = quote!(v);
        if v.boxed {
            value = quote!(Box::new(#value));
            it = quote!((**v));
        }
        reads.push(quote!(#event_type => Self::#vname(#value),));
        let body = s.message.as_ref().map_or(&Body::None, |m| &m.body);
        let puts = s.fields.iter().map(|f| write_field(f, &it, body));
        let puts: Vec<TokenStream> = puts.collect();
        writes.push(if puts.iter().all(TokenStream::is_empty) {
            quote!(Self::#vname(_) => crate::event_stream::Message::event(#event_type),)
        } else {
            quote! {
                Self::#vname(v) => {
                    let mut message = crate::event_stream::Message::event(#event_type);
                    #(#puts)*
                    message
                }
            }
        });
    }
    let unknown = ident(&u.unknown);
    quote! {
        impl crate::event_stream::Event for #name {
            fn from_message(message: &crate::event_stream::Message) -> Result<Self, crate::event_stream::EventStreamError> {
                Ok(match message.event_type()? {
                    #(#reads)*
                    other => Self::#unknown(other.to_owned()),
                })
            }
            fn to_message(&self) -> Result<crate::event_stream::Message, crate::error::BuildError> {
                Ok(match self {
                    #(#writes)*
                    Self::#unknown(name) => {
                        return Err(crate::error::BuildError::UnknownUnionVariant {
                            shape: #shape,
                            name: name.clone(),
                        });
                    }
                })
            }
        }
    }
}

/// `field: value,` read from the message.
fn read_field(f: &Field, event_type: &str) -> TokenStream {
    let fname = ident(&f.name);
    let member = &f.member;
    let value = match f.binding {
        Binding::EventHeader => {
            let convert = header_from(&f.ty);
            quote!(crate::event_stream::header(message, #member, |v| match v { #convert _ => None })?)
        }
        Binding::EventPayload => {
            let payload = payload_from(&f.ty, event_type);
            quote!(if message.payload.is_empty() { None } else { Some(#payload) })
        }
        // Lowering admits no other member in an event structure.
        _ => quote!(None),
    };
    if f.optional {
        quote!(#fname: #value,)
    } else {
        let missing = format!("the {event_type} event has no {member}");
        quote!(#fname: #value.ok_or_else(|| crate::event_stream::EventStreamError::Message(#missing.to_owned()))?,)
    }
}

/// Match arms from a header value to `Some(value)` of type `ty`.
fn header_from(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Bool => quote!(crate::event_stream::HeaderValue::Bool(b) => Some(*b),),
        Ty::Byte => quote!(crate::event_stream::HeaderValue::Byte(n) => Some(*n),),
        Ty::Short => quote!(crate::event_stream::HeaderValue::Short(n) => Some(*n),),
        Ty::Int => quote!(crate::event_stream::HeaderValue::Int(n) => Some(*n),),
        Ty::Long => quote!(crate::event_stream::HeaderValue::Long(n) => Some(*n),),
        Ty::Blob => quote!(crate::event_stream::HeaderValue::ByteArray(b) => Some(b.clone()),),
        Ty::String => quote!(crate::event_stream::HeaderValue::String(s) => Some(s.clone()),),
        Ty::Named {
            name,
            kind: NamedKind::Enum,
        } => {
            let n = ident(name);
            quote!(crate::event_stream::HeaderValue::String(s) => Some(crate::types::#n::from(s.as_str())),)
        }
        Ty::Timestamp(_) => quote! {
            crate::event_stream::HeaderValue::Timestamp(ms) => crate::primitives::DateTime::from_secs_and_nanos(
                ms.div_euclid(1000),
                // Below one billion: 0 to 999 milliseconds.
                (ms.rem_euclid(1000) as u32) * 1_000_000,
            ),
        },
        // Lowering admits only the types above in headers.
        _ => quote!(),
    }
}

/// An expression of the payload's value (the payload is not empty).
fn payload_from(ty: &Ty, event_type: &str) -> TokenStream {
    match ty {
        Ty::Blob => quote!(message.payload.clone()),
        Ty::String => {
            let not_utf8 = format!("the {event_type} event's payload is not UTF-8");
            quote!(String::from_utf8(message.payload.clone()).map_err(|_| crate::event_stream::EventStreamError::Message(#not_utf8.to_owned()))?)
        }
        Ty::Named {
            name,
            kind: NamedKind::Struct,
        } => {
            let n = ident(name);
            quote!(crate::event_stream::xml_payload(message, #event_type, crate::types::#n::read_xml)?)
        }
        Ty::Named {
            name,
            kind: NamedKind::Union,
        } => {
            let n = ident(name);
            let empty = format!("the {event_type} event's payload holds no member");
            quote!(crate::event_stream::xml_payload(message, #event_type, |r, start| {
                crate::types::#n::read_xml(r, start)?.ok_or_else(|| r.error(#empty))
            })?)
        }
        // Lowering admits only the types above as payloads.
        _ => quote!(message.payload.clone()),
    }
}

/// Statements that put field `f` of event `it` into `message`; `body` is
/// the event message's body.
fn write_field(f: &Field, it: &TokenStream, body: &Body) -> TokenStream {
    let fname = ident(&f.name);
    let member = &f.member;
    let put = match f.binding {
        Binding::EventHeader => {
            let value = header_to(&f.ty);
            quote!(message.push_header(#member, #value);)
        }
        Binding::EventPayload => {
            let (bytes, content_type) = match (body, &f.ty) {
                (Body::RawPayload { content_type, .. }, Ty::Blob) => {
                    (quote!(x.clone()), content_type.as_str())
                }
                (Body::RawPayload { content_type, .. }, _) => {
                    (quote!(x.as_bytes().to_vec()), content_type.as_str())
                }
                (
                    Body::XmlPayload {
                        root, namespace, ..
                    },
                    _,
                ) => {
                    let attrs = namespace
                        .as_ref()
                        .map(XmlNamespace::attribute)
                        .unwrap_or_default();
                    let write =
                        super::xml::write_element(quote!(x), quote!(&mut xml), root, &attrs);
                    (
                        quote!({
                            let mut xml = String::with_capacity(s3_runtime::xml::DOCUMENT_CAPACITY);
                            #write
                            xml.into_bytes()
                        }),
                        // Event-stream messages carry XML as `text/xml`.
                        "text/xml",
                    )
                }
                // Lowering makes every event payload one of the above.
                _ => return quote!(),
            };
            quote! {
                message.push_header(":content-type", crate::event_stream::HeaderValue::String(#content_type.to_owned()));
                message.payload = #bytes;
            }
        }
        _ => return quote!(),
    };
    if f.optional {
        quote!(if let Some(x) = &#it.#fname { #put })
    } else {
        quote!({ let x = &#it.#fname; #put })
    }
}

/// An expression of the header value for `x`, a reference of type `ty`.
fn header_to(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Bool => quote!(crate::event_stream::HeaderValue::Bool(*x)),
        Ty::Byte => quote!(crate::event_stream::HeaderValue::Byte(*x)),
        Ty::Short => quote!(crate::event_stream::HeaderValue::Short(*x)),
        Ty::Int => quote!(crate::event_stream::HeaderValue::Int(*x)),
        Ty::Long => quote!(crate::event_stream::HeaderValue::Long(*x)),
        Ty::Blob => quote!(crate::event_stream::HeaderValue::ByteArray(x.clone())),
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => quote!(crate::event_stream::HeaderValue::String(
            x.as_str().to_owned()
        )),
        // Milliseconds: finer precision is dropped.
        Ty::Timestamp(_) => quote!(crate::event_stream::HeaderValue::Timestamp(
            x.secs()
                .saturating_mul(1000)
                .saturating_add(i64::from(x.subsec_nanos() / 1_000_000))
        )),
        _ => quote!(crate::event_stream::HeaderValue::String(x.clone())),
    }
}
