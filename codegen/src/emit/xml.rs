//! restXml writers and readers: `write_xml` for every structure and union a
//! request body can hold, `read_xml` for every one a response or error body
//! can hold. Members are written in model order; reading matches elements by
//! local name, skips unknown ones and rejects repeated non-list members.

use proc_macro2::TokenStream;
use quote::quote;

use super::text::{from_text, to_text};
use crate::ir::*;
use crate::naming::ident;

fn ns_attr(ns: &Option<XmlNamespace>) -> String {
    ns.as_ref().map(XmlNamespace::attribute).unwrap_or_default()
}

const XML_TS: TimestampFormat = TimestampFormat::DateTime;

/// The `XmlDocument` impl of a structure or union that is a whole document:
/// its root element, and its element writer and reader.
pub fn document(
    name: &str,
    root: &str,
    namespace: &Option<XmlNamespace>,
    union: bool,
) -> TokenStream {
    let ty = ident(name);
    let start = format!("<{root}{}", ns_attr(namespace));
    let end = format!("</{root}>");
    if union {
        let empty = format!("the {root} document holds no member");
        quote!(s3_runtime::xml_document!(union #ty, #start, #end, #empty);)
    } else {
        quote!(s3_runtime::xml_document!(#ty, #start, #end);)
    }
}

/// `write_xml` (when needed) and `read_xml` (when needed) for a structure.
pub fn structure(s: &StructDef) -> TokenStream {
    // Error structures are written by the server-side error writer.
    let write = if s.writes_xml && !matches!(s.role, StructRole::Error { .. }) {
        write_structure(s)
    } else {
        quote!()
    };
    let read = if s.reads_xml && !matches!(s.role, StructRole::Output | StructRole::Error { .. }) {
        read_structure(s)
    } else {
        quote!()
    };
    quote!(#write #read)
}

/// `write_xml` and `read_xml` (when needed) for a union.
pub fn union(u: &UnionDef) -> TokenStream {
    let write = if u.writes_xml {
        write_union(u)
    } else {
        quote!()
    };
    let read = if u.reads_xml { read_union(u) } else { quote!() };
    quote!(#write #read)
}

fn write_structure(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let body_fields: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.binding == Binding::Body)
        .collect();
    let attrs = body_fields.iter().filter(|f| f.xml.attribute).map(|f| {
        let fname = ident(&f.name);
        let attr = &f.xml.name;
        let text = to_text(&f.ty, quote!(v), XML_TS);
        if f.optional {
            quote!(if let Some(v) = &self.#fname { s3_runtime::xml::attribute(out, #attr, #text); })
        } else {
            quote!({ let v = &self.#fname; s3_runtime::xml::attribute(out, #attr, #text); })
        }
    });
    let children = body_fields
        .iter()
        .filter(|f| !f.xml.attribute)
        .map(|f| write_field(f));
    let doc = " Writes this value as XML after the caller has written the start of its start tag (`<Tag`): the attributes, the `>`, and the content. Returns the length of `out` after the `>`, for [`s3_runtime::xml::end`].";
    quote! {
        impl #name {
            #[doc = #doc]
            pub(crate) fn write_xml(&self, out: &mut String) -> Result<usize, crate::error::BuildError> {
                #(#attrs)*
                out.push('>');
                let mark = out.len();
                #(#children)*
                Ok(mark)
            }
        }
    }
}

fn write_union(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let shape = &u.shape_name;
    let unknown = ident(&u.unknown);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let write = write_member(&v.ty, quote!(v), &v.xml);
        quote!(Self::#vname(v) => { #write })
    });
    quote! {
        impl #name {
            /// Writes this value as XML after the caller has written the start of its start tag (`<Tag`): the `>` and the one member that is set. Returns the length of `out` after the `>`, for [`s3_runtime::xml::end`].
            pub(crate) fn write_xml(&self, out: &mut String) -> Result<usize, crate::error::BuildError> {
                out.push('>');
                let mark = out.len();
                match self {
                    #(#arms)*
                    Self::#unknown(name) => {
                        return Err(crate::error::BuildError::UnknownUnionVariant { shape: #shape, name: name.clone() });
                    }
                }
                Ok(mark)
            }
        }
    }
}

/// A statement that writes `value`, a structure or union, as the element
/// `tag` with the attribute text `attrs` (such as a namespace declaration)
/// into `out`, an expression of type `&mut String`.
pub(super) fn write_element(
    value: TokenStream,
    out: TokenStream,
    tag: &str,
    attrs: &str,
) -> TokenStream {
    let write = write_nested(value, tag, attrs);
    quote!({ let out: &mut String = #out; #write })
}

/// Statements that write `value`, a structure or union, as the element `tag`
/// into the `&mut String` named `out`. The tags are static strings: the
/// caller writes `<Tag attrs` and the end tag, `write_xml` the rest. Written
/// out rather than through a helper that takes a closure, which would be one
/// more generic function per call for the compiler to instantiate and inline.
fn write_nested(value: TokenStream, tag: &str, attrs: &str) -> TokenStream {
    let open = format!("<{tag}{attrs}");
    let close = format!("</{tag}>");
    quote! {
        out.push_str(#open);
        let inner = #value.write_xml(out)?;
        s3_runtime::xml::end(out, #close, inner);
    }
}

/// Statements that write field `f` of `self` as its element, when it is set.
pub(super) fn write_field(f: &Field) -> TokenStream {
    let fname = ident(&f.name);
    let write = |v| write_member(&f.ty, v, &f.xml);
    if f.optional {
        let write = write(quote!(v));
        quote!(if let Some(v) = &self.#fname { #write })
    } else if matches!(f.ty, Ty::Float | Ty::Double | Ty::Blob) {
        // The writers of these take the value through a reference.
        let write = write(quote!(v));
        quote!({ let v = &self.#fname; #write })
    } else {
        write(quote!(self.#fname))
    }
}

/// The whole start tag and the end tag of an element, as static text:
/// `<Tag attrs>` and `</Tag>`.
fn tags(tag: &str, attrs: &str) -> (String, String) {
    (format!("<{tag}{attrs}>"), format!("</{tag}>"))
}

/// Statements that write value `v` (a reference) as the element described by `xml`.
///
/// Tags are written as whole static strings; only nested structures and
/// unions take the tag name apart (their `write_xml` adds attributes).
pub(super) fn write_member(ty: &Ty, v: TokenStream, xml: &XmlMember) -> TokenStream {
    let tag = &xml.name;
    let attrs = ns_attr(&xml.namespace);
    let (open, close) = tags(tag, &attrs);
    match ty {
        Ty::Bool | Ty::Byte | Ty::Short | Ty::Int | Ty::Long => {
            quote!(s3_runtime::xml::display_leaf(out, #open, #close, #v);)
        }
        Ty::Float | Ty::Double => quote!(s3_runtime::xml::float_leaf(out, #open, #close, *#v);),
        Ty::String
        | Ty::Timestamp(_)
        | Ty::Blob
        | Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => {
            let text = to_text(ty, v, XML_TS);
            quote!(s3_runtime::xml::leaf(out, #open, #close, #text);)
        }
        Ty::Named { .. } => write_nested(v, tag, &attrs),
        // Lowering keeps event streams out of XML documents.
        Ty::EventStream { .. } => quote!(compile_error!("an event stream is not an XML value");),
        Ty::List {
            item,
            member: item_xml,
        } => {
            if xml.flattened {
                let each = write_member(
                    item,
                    quote!(item),
                    &XmlMember {
                        flattened: false,
                        ..xml.clone()
                    },
                );
                quote!(for item in #v.iter() { #each })
            } else {
                let each = write_member(item, quote!(item), item_xml);
                quote! {{
                    out.push_str(#open);
                    let mark = out.len();
                    for item in #v.iter() { #each }
                    s3_runtime::xml::end(out, #close, mark);
                }}
            }
        }
        Ty::Map {
            key,
            value,
            key_xml,
            value_xml,
        } => {
            let write_key = write_member(key, quote!(k), key_xml);
            let write_value = write_member(value, quote!(val), value_xml);
            if xml.flattened {
                quote! {
                    for (k, val) in #v.iter() {
                        out.push_str(#open);
                        let mark = out.len();
                        #write_key
                        #write_value
                        s3_runtime::xml::end(out, #close, mark);
                    }
                }
            } else {
                quote! {{
                    out.push_str(#open);
                    let mark = out.len();
                    for (k, val) in #v.iter() {
                        out.push_str("<entry>");
                        #write_key
                        #write_value
                        out.push_str("</entry>");
                    }
                    s3_runtime::xml::end(out, #close, mark);
                }}
            }
        }
    }
}

/// The element name without its namespace prefix, as the reader matches it.
fn local_tag(name: &str) -> proc_macro2::Literal {
    let local = name.rsplit_once(':').map_or(name, |(_, l)| l);
    proc_macro2::Literal::byte_string(local.as_bytes())
}

fn read_structure(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let fields: Vec<&Field> = s.fields.iter().collect();
    let reader = MemberReader::new(&fields);
    let (decls, attrs, arms) = (&reader.decls, &reader.attrs, &reader.arms);
    let (binds, inits) = FieldValue::split(reader.build());
    let start = if attrs.is_empty() {
        ident("_start")
    } else {
        ident("start")
    };
    // A structure without members skips whatever its element holds.
    let children = if arms.is_empty() {
        quote!(while r.next_child()?.is_some() {
            r.skip()?;
        })
    } else {
        quote! {
            while let Some(child) = r.next_child()? {
                match child.name() {
                    #(#arms)*
                    _ => r.skip()?,
                }
            }
        }
    };
    quote! {
        impl #name {
            /// Reads this value from the element `start`, which the reader has just entered.
            pub(crate) fn read_xml(r: &mut s3_runtime::xml_read::Reader<'_>, #start: &s3_runtime::xml_read::Start<'_>) -> Result<Self, crate::error::XmlError> {
                #(#decls)*
                #(#attrs)*
                #children
                #binds
                Ok(Self { #inits })
            }
        }
    }
}

fn read_union(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let unknown = ident(&u.unknown);
    let shape = &u.shape_name;
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let tag = local_tag(&v.xml.name);
        let value = match &v.ty {
            Ty::Named { name, kind: NamedKind::Union } => {
                let t = ident(name);
                quote!(match crate::types::#t::read_xml(r, &child)? { Some(v) => v, None => continue })
            }
            other => read_value(other, &v.member),
        };
        let value = if v.boxed { quote!(Box::new(#value)) } else { value };
        quote!(#tag => Self::#vname(#value),)
    });
    let more = format!("the union {shape} holds more than one member");
    quote! {
        impl #name {
            /// Reads this value from the element `start`; an element with no member (`<X/>`) is `None`.
            pub(crate) fn read_xml(r: &mut s3_runtime::xml_read::Reader<'_>, _start: &s3_runtime::xml_read::Start<'_>) -> Result<Option<Self>, crate::error::XmlError> {
                let mut value = None;
                while let Some(child) = r.next_child()? {
                    let member = match child.name() {
                        #(#arms)*
                        other => {
                            let other = String::from_utf8_lossy(other).into_owned();
                            r.skip()?;
                            Self::#unknown(other)
                        }
                    };
                    if value.is_some() {
                        return Err(r.error(#more));
                    }
                    value = Some(member);
                }
                Ok(value)
            }
        }
    }
}

/// Local variables, attribute reads and `match` arms that read the body
/// members of a structure, output or error, and the field initializers.
pub struct MemberReader<'a> {
    fields: Vec<&'a Field>,
    pub decls: Vec<TokenStream>,
    pub attrs: Vec<TokenStream>,
    pub arms: Vec<TokenStream>,
}

impl<'a> MemberReader<'a> {
    /// Readers for the body-bound members among `fields`; every field gets a local.
    pub fn new(fields: &[&'a Field]) -> Self {
        let mut decls = Vec::new();
        let mut attrs = Vec::new();
        let mut arms = Vec::new();
        for f in fields {
            let local = local(f);
            let ty = super::ty_tokens(&f.ty);
            if f.binding == Binding::Body {
                decls.push(quote!(let mut #local: Option<#ty> = None;));
            }
            if f.binding != Binding::Body {
                continue;
            }
            if f.xml.attribute {
                let attr = f
                    .xml
                    .name
                    .rsplit_once(':')
                    .map_or(f.xml.name.as_str(), |(_, l)| l);
                let parse = from_text(&f.ty, quote!(text), XML_TS);
                let what = format!("invalid value in attribute {attr}: ");
                attrs.push(quote! {
                    if let Some(text) = start.attr(#attr)? {
                        #local = Some(#parse.map_err(|e| r.error(format!("{}{e}", #what)))?);
                    }
                });
                continue;
            }
            let tag = local_tag(&f.xml.name);
            let read = read_into(&f.ty, &f.xml, &local, &f.member);
            arms.push(quote!(#tag => #read,));
        }
        MemberReader {
            fields: fields.to_vec(),
            decls,
            attrs,
            arms,
        }
    }

    /// Field initializers; a missing required member is an error made by
    /// the reader `r`.
    pub fn build(&self) -> Vec<FieldValue> {
        self.fields
            .iter()
            .map(|f| {
                let local = local(f);
                let member = &f.member;
                let value = (!f.optional).then(|| quote!(r.required(#local, #member)?));
                FieldValue::new(f, value)
            })
            .collect()
    }
}

/// A field of a value being read: the statement that binds its value to
/// its local, when there is something to compute, and its initializer in
/// the struct literal that follows all such statements.
///
/// Values are bound one by one before the literal rather than computed
/// inside it: a `?` inside a struct literal makes the compiler drop every
/// field computed before it at that exit, code that grows with the square
/// of the number of fields (44 headers of a `HeadObject` response gave
/// 20,000 lines of LLVM IR; bound first, 3,000), while `let` bindings share
/// one chain of drops.
pub(crate) struct FieldValue {
    pub bind: Option<TokenStream>,
    pub init: TokenStream,
}

impl FieldValue {
    /// Field `f` takes `value` (an expression of the field's type before
    /// boxing, which may use the field's local), or, when `None`, what its
    /// local holds; a boxed field's value is boxed here.
    pub(crate) fn new(f: &Field, value: Option<TokenStream>) -> FieldValue {
        let fname = ident(&f.name);
        let local = local(f);
        // The local already holds the value: nothing to bind.
        let as_is = value.is_none() && !f.boxed;
        let value = value.unwrap_or_else(|| quote!(#local));
        let value = match (f.boxed, f.optional) {
            (false, _) => value,
            (true, true) => quote!(#value.map(Box::new)),
            (true, false) => quote!(Box::new(#value)),
        };
        FieldValue {
            bind: (!as_is).then(|| quote!(let #local = #value;)),
            init: quote!(#fname: #local,),
        }
    }

    /// The statements that bind the values of `fields`, and the
    /// initializers of the struct literal.
    pub(crate) fn split(
        fields: impl IntoIterator<Item = FieldValue>,
    ) -> (TokenStream, TokenStream) {
        let (binds, inits): (Vec<_>, Vec<_>) = fields.into_iter().map(|f| (f.bind, f.init)).unzip();
        (quote!(#(#binds)*), quote!(#(#inits)*))
    }
}

/// The local variable that holds a member while it is read.
pub(super) fn local(f: &Field) -> proc_macro2::Ident {
    ident(&crate::naming::member_local(&f.name))
}

/// An expression (or a block) that reads the element `child` into the `Option` local `slot`.
fn read_into(ty: &Ty, xml: &XmlMember, slot: &proc_macro2::Ident, member: &str) -> TokenStream {
    match ty {
        Ty::List { item, .. } if xml.flattened => {
            let push = push_item(item, member);
            quote!({
                let items = #slot.get_or_insert_with(Vec::new);
                #push
            })
        }
        Ty::Map { key, value, .. } if xml.flattened => {
            let entry = read_entry(key, value, ty, member);
            quote!({
                let map = #slot.get_or_insert_with(indexmap::IndexMap::new);
                #entry
            })
        }
        Ty::Named {
            name,
            kind: NamedKind::Union,
        } => {
            let t = ident(name);
            quote!(r.once_some(&mut #slot, #member, |r| crate::types::#t::read_xml(r, &child))?)
        }
        Ty::Named {
            name,
            kind: NamedKind::Struct,
        } => {
            let t = ident(name);
            quote!({
                r.vacant(&#slot, #member)?;
                #slot = Some(crate::types::#t::read_xml(r, &child)?);
            })
        }
        Ty::List { .. } | Ty::Map { .. } | Ty::EventStream { .. } => {
            let value = read_value(ty, member);
            quote!({
                r.vacant(&#slot, #member)?;
                #slot = Some(#value);
            })
        }
        Ty::Timestamp(Some(format)) if *format != XML_TS => {
            let format = super::text::timestamp_format(Some(*format), XML_TS);
            quote!(r.scalar_as(&mut #slot, #member, #format)?)
        }
        _ => quote!(r.scalar(&mut #slot, #member)?),
    }
}

/// Statements that read the element `child` as one list item and push it to `items`.
fn push_item(item: &Ty, member: &str) -> TokenStream {
    match item {
        Ty::Named {
            name,
            kind: NamedKind::Union,
        } => {
            let t = ident(name);
            quote!(if let Some(v) = crate::types::#t::read_xml(r, &child)? { items.push(v); })
        }
        other => {
            let value = read_value(other, member);
            quote!(items.push(#value);)
        }
    }
}

/// Statements that read the map entry element `child` into `map`.
fn read_entry(key: &Ty, value: &Ty, map_ty: &Ty, member: &str) -> TokenStream {
    let Ty::Map {
        key_xml, value_xml, ..
    } = map_ty
    else {
        return quote!();
    };
    let (key_name, value_name) = (&key_xml.name, &value_xml.name);
    let key_tag = local_tag(key_name);
    let value_tag = local_tag(value_name);
    let read_key = read_value(key, member);
    let read_val = match value {
        Ty::Named {
            name,
            kind: NamedKind::Union,
        } => {
            let t = ident(name);
            quote!(crate::types::#t::read_xml(r, &child)?)
        }
        other => {
            let v = read_value(other, member);
            quote!(Some(#v))
        }
    };
    let no_key = format!("an entry of the map {member} has no {key_name}");
    let no_value = format!("an entry of the map {member} has no {value_name}");
    quote! {
        let mut key = None;
        let mut value = None;
        while let Some(child) = r.next_child()? {
            match child.name() {
                #key_tag => key = Some(#read_key),
                #value_tag => value = #read_val,
                _ => r.skip()?,
            }
        }
        let key = key.ok_or_else(|| r.error(#no_key))?;
        let value = value.ok_or_else(|| r.error(#no_value))?;
        map.insert(key, value);
    }
}

/// An expression reading the element `child` (just entered) as a value of
/// type `ty` (not a union; unions read as `Option`).
fn read_value(ty: &Ty, member: &str) -> TokenStream {
    match ty {
        Ty::Named {
            name,
            kind: NamedKind::Struct,
        } => {
            let t = ident(name);
            quote!(crate::types::#t::read_xml(r, &child)?)
        }
        Ty::Named {
            name,
            kind: NamedKind::Union,
        } => {
            let t = ident(name);
            let empty = format!("the member {member} is empty");
            quote!(crate::types::#t::read_xml(r, &child)?.ok_or_else(|| r.error(#empty))?)
        }
        Ty::List {
            item,
            member: item_xml,
        } => {
            let tag = local_tag(&item_xml.name);
            let push = push_item(item, member);
            quote!({
                let mut items = Vec::new();
                while let Some(child) = r.next_child()? {
                    if child.name() == #tag {
                        #push
                    } else {
                        r.skip()?;
                    }
                }
                items
            })
        }
        Ty::Map { key, value, .. } => {
            let entry = read_entry(key, value, ty, member);
            quote!({
                let mut map = indexmap::IndexMap::new();
                while let Some(child) = r.next_child()? {
                    if child.name() == b"entry" {
                        #entry
                    } else {
                        r.skip()?;
                    }
                }
                map
            })
        }
        // The text is copied only into a `String` member; enums, numbers,
        // booleans, timestamps and blobs read it borrowed from the body.
        Ty::String => quote!(r.text()?),
        Ty::Named {
            name,
            kind: NamedKind::Enum,
        } => {
            let t = ident(name);
            quote!(crate::types::#t::from(&*r.text_cow()?))
        }
        scalar => {
            let parse = from_text(scalar, quote!(text), XML_TS);
            let what = format!("invalid value for {member}: ");
            quote!({
                let text = r.text_cow()?;
                #parse.map_err(|e| r.error(format!("{}{e}", #what)))?
            })
        }
    }
}
