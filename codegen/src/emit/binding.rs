//! Pieces of the HTTP binding that the client half (`operation`) and the
//! server half (`server`) of an operation both use.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;
use crate::naming::ident;

/// The path part of the URI pattern, e.g. `/{Bucket}/{Key+}`.
pub(crate) fn path_pattern(op: &OperationDef) -> String {
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
