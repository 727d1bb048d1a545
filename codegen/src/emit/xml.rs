//! restXml writers: one `write_xml` method per structure and union that a
//! request body can hold. Members are written in model order.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;
use crate::naming::ident;

fn ns_attr(ns: &Option<XmlNamespace>) -> String {
    ns.as_ref().map(XmlNamespace::attribute).unwrap_or_default()
}

/// `write_xml` for a structure: attributes on the start tag, then every body
/// member as a child element.
pub fn structure(s: &StructDef) -> TokenStream {
    if !s.writes_xml {
        return quote!();
    }
    let name = ident(&s.name);
    let body_fields: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.binding == Binding::Body)
        .collect();
    let attrs = body_fields.iter().filter(|f| f.xml.attribute).map(|f| {
        let fname = ident(&f.name);
        let attr = &f.xml.name;
        let text = scalar_text(&f.ty, quote!(v));
        if f.optional {
            quote!(if let Some(v) = &self.#fname { crate::xml::attribute(out, #attr, #text); })
        } else {
            quote!({ let v = &self.#fname; crate::xml::attribute(out, #attr, #text); })
        }
    });
    let children = body_fields.iter().filter(|f| !f.xml.attribute).map(|f| {
        let fname = ident(&f.name);
        let write = member(&f.ty, quote!(v), &f.xml);
        if f.optional {
            quote!(if let Some(v) = &self.#fname { #write })
        } else {
            quote!({ let v = &self.#fname; #write })
        }
    });
    let doc = " Writes this value as the XML element `tag`; `attrs` is extra attribute text such as a namespace declaration.";
    quote! {
        impl #name {
            #[doc = #doc]
            pub(crate) fn write_xml(&self, out: &mut String, tag: &str, attrs: &str) -> Result<(), crate::error::BuildError> {
                crate::xml::open(out, tag, attrs);
                #(#attrs)*
                let mark = crate::xml::open_end(out);
                #(#children)*
                crate::xml::close(out, tag, mark);
                Ok(())
            }
        }
    }
}

/// `write_xml` for a union: the element holds exactly one member element.
pub fn union(u: &UnionDef) -> TokenStream {
    if !u.writes_xml {
        return quote!();
    }
    let name = ident(&u.name);
    let shape = crate::model::local_name(&u.shape_id);
    let unknown = ident(&u.unknown);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let write = member(&v.ty, quote!(v), &v.xml);
        quote!(Self::#vname(v) => { #write })
    });
    quote! {
        impl #name {
            /// Writes this value as the XML element `tag`, holding the one member that is set.
            pub(crate) fn write_xml(&self, out: &mut String, tag: &str, attrs: &str) -> Result<(), crate::error::BuildError> {
                crate::xml::open(out, tag, attrs);
                let mark = crate::xml::open_end(out);
                match self {
                    #(#arms)*
                    Self::#unknown(name) => {
                        return Err(crate::error::BuildError::UnknownUnionVariant { shape: #shape, name: name.clone() });
                    }
                }
                crate::xml::close(out, tag, mark);
                Ok(())
            }
        }
    }
}

/// Text of a scalar value (`v` is a reference to it).
fn scalar_text(ty: &Ty, v: TokenStream) -> TokenStream {
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

/// Statements that write value `v` (a reference) as the element described by `xml`.
fn member(ty: &Ty, v: TokenStream, xml: &XmlMember) -> TokenStream {
    let tag = &xml.name;
    let attrs = ns_attr(&xml.namespace);
    match ty {
        Ty::String => quote!(crate::xml::text_element(out, #tag, #attrs, #v);),
        Ty::Named {
            kind: NamedKind::Enum,
            ..
        } => quote!(crate::xml::text_element(out, #tag, #attrs, #v.as_str());),
        Ty::Bool | Ty::Byte | Ty::Short | Ty::Int | Ty::Long => {
            quote!(crate::xml::display_element(out, #tag, #attrs, #v);)
        }
        Ty::Float | Ty::Double => {
            quote!(crate::xml::float_element(out, #tag, #attrs, *#v);)
        }
        Ty::Named { .. } => quote!(#v.write_xml(out, #tag, #attrs)?;),
        Ty::List {
            item,
            member: item_xml,
        } => {
            if xml.flattened {
                let each = member(
                    item,
                    quote!(item),
                    &XmlMember {
                        flattened: false,
                        ..xml.clone()
                    },
                );
                quote!(for item in #v.iter() { #each })
            } else {
                let each = member(item, quote!(item), item_xml);
                quote! {
                    crate::xml::open(out, #tag, #attrs);
                    let mark = crate::xml::open_end(out);
                    for item in #v.iter() { #each }
                    crate::xml::close(out, #tag, mark);
                }
            }
        }
        Ty::Map {
            key,
            value,
            key_name,
            value_name,
        } => {
            let key_xml = XmlMember {
                name: key_name.clone(),
                flattened: false,
                attribute: false,
                namespace: None,
            };
            let value_xml = XmlMember {
                name: value_name.clone(),
                flattened: false,
                attribute: false,
                namespace: None,
            };
            let write_key = member(key, quote!(k), &key_xml);
            let write_value = member(value, quote!(val), &value_xml);
            if xml.flattened {
                quote! {
                    for (k, val) in #v.iter() {
                        crate::xml::open(out, #tag, #attrs);
                        let mark = crate::xml::open_end(out);
                        #write_key
                        #write_value
                        crate::xml::close(out, #tag, mark);
                    }
                }
            } else {
                quote! {
                    crate::xml::open(out, #tag, #attrs);
                    let mark = crate::xml::open_end(out);
                    for (k, val) in #v.iter() {
                        out.push_str("<entry>");
                        #write_key
                        #write_value
                        out.push_str("</entry>");
                    }
                    crate::xml::close(out, #tag, mark);
                }
            }
        }
    }
}
