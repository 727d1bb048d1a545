//! Smithy protocol compliance tests: the `smithy.test#httpRequestTests` and
//! `smithy.test#httpResponseTests` cases of a model, rendered as an
//! integration-test file (`tests/protocol.rs`) for the generated crate.
//!
//! Each client case becomes one `#[test]` that builds real values of the
//! generated types from the case's `params` (walking the [`ir`](crate::ir)
//! types, so every expression is typed Rust, never pasted JSON), then:
//!
//! - request cases build the request with `Operation::build_request` (or
//!   `to_http_request_with_token` with a fixed token when the input has an
//!   idempotency token) and judge it by Smithy's rules: method and path
//!   exact; `queryParams` present in any order (decoded pairs),
//!   `forbidQueryParams` absent, `requireQueryParams` present; `headers`
//!   present with exact values (names case-insensitive), `forbidHeaders`
//!   absent, `requireHeaders` present; the body compared as an XML tree when
//!   `bodyMediaType` is `application/xml` (elements of different names in
//!   any order, those of one name, list members and map entries, in order,
//!   as Smithy's own test runners compare), as bytes otherwise (an empty
//!   expected body means an empty body; an absent one is not asserted, as
//!   Smithy says); the host prefix plus `host`
//!   equal to `resolvedHost`. A case with `vendorParams` (S3's, of shape
//!   `aws.protocoltests.config#AwsConfig`) in a crate with endpoint rules
//!   builds the request for that client configuration with
//!   `endpoint::build_request`, and its `host` header must equal
//!   `resolvedHost`;
//! - response cases build an `http::Response` from `code`, `headers` and
//!   `body`, parse it with `Operation::parse_response` and compare the result
//!   with the value built from `params` (by `Debug` text, so NaN equals NaN);
//!   error cases expect the operation error's variant for the error
//!   structure, with the same members.
//!
//! The comparison helpers live in a `support` module at the top of the file.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use crate::ir::*;
use crate::model::{Kind, Model, local_name};
use crate::naming::ident;

/// The trait holding request cases.
pub const REQUEST_TESTS: &str = "smithy.test#httpRequestTests";
/// The trait holding response cases.
pub const RESPONSE_TESTS: &str = "smithy.test#httpResponseTests";
/// The protocol the cases must name (or leave out) to be emitted.
pub const PROTOCOL: &str = "aws.protocols#restXml";
/// The idempotency token used for inputs that have one and leave it empty.
pub const TOKEN: &str = "00000000-0000-4000-8000-000000000000";

/// Whether a case checks a request or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseKind {
    Request,
    Response,
}

impl CaseKind {
    /// `request` or `response`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Request => "request",
            CaseKind::Response => "response",
        }
    }
}

/// One client case of the crate's operations or of the errors they bind.
#[derive(Debug, Clone)]
pub struct Case<'m> {
    /// The case id, e.g. `AllQueryStringTypes`.
    pub id: String,
    pub kind: CaseKind,
    /// The name of the emitted `#[test]` function.
    pub test_name: String,
    /// Index of the operation in `Crate::operations`.
    pub operation: usize,
    /// For an error case: index of the error in the operation's `errors`.
    pub error: Option<usize>,
    /// The case as written in the model.
    pub json: &'m Map<String, Value>,
}

/// Every client case (`appliesTo` absent or `client`, protocol restXml) of the
/// crate's operations, then of the error structures they bind (each under the
/// first operation, by name, whose errors include it), with unique test names.
pub fn client_cases<'m>(model: &'m Model, krate: &Crate) -> Result<Vec<Case<'m>>, String> {
    let op_ids = service_operations(model, &krate.service.id)?;
    let mut cases = Vec::new();
    let mut used = BTreeSet::new();
    let mut push = |cases: &mut Vec<Case<'m>>,
                    json: &'m Value,
                    kind: CaseKind,
                    operation: usize,
                    error: Option<usize>|
     -> Result<(), String> {
        let Some(obj) = json.as_object() else {
            return Err("a protocol test case is not a JSON object".into());
        };
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .ok_or("a protocol test case has no id")?;
        if obj.get("appliesTo").and_then(Value::as_str) == Some("server") {
            return Ok(());
        }
        if obj
            .get("protocol")
            .and_then(Value::as_str)
            .is_some_and(|p| p != PROTOCOL)
        {
            return Ok(());
        }
        let mut base = id.to_snake_case();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert_str(0, "case_");
        }
        let base = format!("{base}_{}", kind.as_str());
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        cases.push(Case {
            id: id.to_owned(),
            kind,
            test_name: name,
            operation,
            error,
            json: obj,
        });
        Ok(())
    };
    for (i, op) in krate.operations.iter().enumerate() {
        let Some(id) = op_ids.get(op.name.as_str()) else {
            return Err(format!(
                "operation {} is not bound to {}",
                op.name, krate.service.id
            ));
        };
        let shape = &model.shapes[*id];
        for (t, kind) in [
            (REQUEST_TESTS, CaseKind::Request),
            (RESPONSE_TESTS, CaseKind::Response),
        ] {
            for json in trait_cases(&shape.traits, t)? {
                push(&mut cases, json, kind, i, None)?;
            }
        }
    }
    for t in &krate.types {
        let TypeDef::Struct(s) = t else { continue };
        if !matches!(s.role, StructRole::Error { .. }) {
            continue;
        }
        let Some(shape) = model.shapes.get(&s.shape_id) else {
            continue;
        };
        let bound = krate.operations.iter().enumerate().find_map(|(i, op)| {
            op.errors
                .iter()
                .position(|e| e.type_name == s.name)
                .map(|e| (i, e))
        });
        let Some((op, err)) = bound else { continue };
        for json in trait_cases(&shape.traits, RESPONSE_TESTS)? {
            push(&mut cases, json, CaseKind::Response, op, Some(err))?;
        }
    }
    Ok(cases)
}

/// The cases in trait `t`, if present.
fn trait_cases<'m>(traits: &'m Map<String, Value>, t: &str) -> Result<&'m [Value], String> {
    match traits.get(t) {
        None => Ok(&[]),
        Some(Value::Array(cases)) => Ok(cases),
        Some(_) => Err(format!("{t} must be a list of cases")),
    }
}

/// Local name → shape id of every operation bound to the service (directly or
/// through resources).
fn service_operations<'m>(
    model: &'m Model,
    service: &str,
) -> Result<BTreeMap<&'m str, &'m str>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![service.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(shape) = model.shapes.get(&id) else {
            continue;
        };
        match &shape.kind {
            Kind::Service(s) => {
                stack.extend(s.operations.iter().cloned());
                stack.extend(s.resources.iter().cloned());
            }
            Kind::Resource(r) => {
                stack.extend(r.operations.iter().cloned());
                stack.extend(r.resources.iter().cloned());
            }
            Kind::Operation(_) => {
                out.insert(local_name(&shape.id), shape.id.as_str());
            }
            _ => {}
        }
    }
    if seen.len() <= 1 && out.is_empty() && !model.shapes.contains_key(service) {
        return Err(format!("the model has no service {service}"));
    }
    Ok(out)
}

/// The Rust source of `tests/protocol.rs` for the generated crate `crate_ident`
/// (its library name, e.g. `restxml_protocol`): one `#[test]` per client case
/// (see [`client_cases`]), `#[ignore = "<reason>"]` for the cases in `skip`.
///
/// A `skip` entry names a case by id (both its request and response case) or
/// by `"<id> request"` / `"<id> response"`. A case whose `params` cannot be
/// turned into values of the generated types becomes a test that fails with
/// the reason, so the rest of the suite still runs.
pub fn emit_tests(
    model: &Model,
    krate: &Crate,
    crate_ident: &str,
    skip: &[(String, String)],
) -> Result<String, String> {
    let cases = client_cases(model, krate)?;
    let g = Gen {
        krate,
        root: {
            let root = ident(crate_ident);
            quote!(#root)
        },
    };
    let mut tests = Vec::new();
    for case in &cases {
        let name = ident(&case.test_name);
        let qualified = format!("{} {}", case.id, case.kind.as_str());
        let ignore = skip
            .iter()
            .find(|(id, _)| *id == case.id || *id == qualified)
            .map(|(_, reason)| quote!(#[ignore = #reason]));
        let doc = format!(" `{}` ({}).", case.id, case.kind.as_str());
        let body = match case.kind {
            CaseKind::Request => g.request_test(case),
            CaseKind::Response => g.response_test(case),
        };
        let body = body.unwrap_or_else(|why| {
            let msg = format!("the test case cannot be built: {why}");
            quote!(panic!("{}", #msg);)
        });
        tests.push(quote! {
            #[doc = #doc]
            #[test]
            #ignore
            fn #name() {
                #body
            }
        });
    }
    let support = support();
    let service = &krate.service.id;
    let doc = format!(
        " Smithy protocol compliance tests of {service}: {} client cases.",
        cases.len()
    );
    let file = quote! {
        #![doc = #doc]
        #support
        #(#tests)*
    };
    let file: syn::File =
        syn::parse2(file).map_err(|e| format!("the protocol tests do not parse: {e}"))?;
    Ok(format!(
        "{}\n{}",
        crate::rust::HEADER,
        prettyplease::unparse(&file)
    ))
}

/// Emits the expressions of one crate.
struct Gen<'a> {
    krate: &'a Crate,
    /// The generated crate's path.
    root: TokenStream,
}

impl Gen<'_> {
    fn typedef(&self, name: &str) -> Option<&TypeDef> {
        self.krate.types.iter().find(|t| t.name() == name)
    }

    fn request_test(&self, case: &Case) -> Result<TokenStream, String> {
        let root = &self.root;
        let op = &self.krate.operations[case.operation];
        let module = ident(&op.module);
        let marker = ident(&op.name);
        let input_path = {
            let n = ident(&op.input.name);
            quote!(#root::operation::#module::#n)
        };
        let params = case.json.get("params").unwrap_or(&Value::Null);
        let input = self.struct_lit(&input_path, &op.input, params, None, "params")?;
        let with_token = op
            .input
            .fields
            .iter()
            .any(|f| f.idempotency_token && f.optional);
        let config = match (&self.krate.endpoints, case.json.get("vendorParams")) {
            (Some(_), Some(vendor)) => Some(vendor_config(vendor)?),
            _ => None,
        };
        let build = match &config {
            // The request for the case's client configuration, at the
            // endpoint the rules resolve.
            Some(settings) => {
                let sets = settings.iter().map(|(built_in, value)| match value {
                    VendorValue::Str(s) => quote!(config.set(#built_in, #root::endpoint::ParamValue::Str(#s)).expect(#built_in);),
                    VendorValue::Bool(b) => quote!(config.set(#built_in, #root::endpoint::ParamValue::Bool(#b)).expect(#built_in);),
                });
                quote!({
                    let mut config = #root::endpoint::Config::default();
                    #(#sets)*
                    #root::endpoint::build_request::<#root::operation::#marker>(&config, &input).map(|(request, _)| request)
                })
            }
            None if with_token => quote!(input.to_http_request_with_token(|| #TOKEN.to_owned())),
            None => quote!(<#root::operation::#marker as #root::Operation>::build_request(&input)),
        };
        let method = str_field(case.json, "method")?.unwrap_or_default();
        let uri = str_field(case.json, "uri")?.unwrap_or_default();
        let (path, uri_query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut query: Vec<String> = uri_query
            .split('&')
            .filter(|q| !q.is_empty())
            .map(str::to_owned)
            .collect();
        query.extend(str_list(case.json, "queryParams")?);
        let forbid_query = str_list(case.json, "forbidQueryParams")?;
        let require_query = str_list(case.json, "requireQueryParams")?;
        let headers = header_pairs(case.json)?;
        let forbid_headers = str_list(case.json, "forbidHeaders")?;
        let require_headers = str_list(case.json, "requireHeaders")?;
        // No `body`: the body is not asserted (Smithy's rule; the suite's
        // compressed requests leave it out).
        let body = match str_field(case.json, "body")? {
            Some(body) => {
                let body = Literal::byte_string(body.as_bytes());
                quote!(Some(#body))
            }
            None => quote!(None),
        };
        let xml = str_field(case.json, "bodyMediaType")? == Some("application/xml");
        let host = match (
            str_field(case.json, "host")?,
            str_field(case.json, "resolvedHost")?,
        ) {
            (Some(h), Some(r)) => quote!(Some((#h, #r))),
            (None, Some(r)) => quote!(Some(("", #r))),
            _ => quote!(None),
        };
        let prefix = if op.host_prefix.is_some() {
            quote!(input.host_prefix().expect("the host prefix"))
        } else {
            quote!(String::new())
        };
        let header_items = headers.iter().map(|(k, v)| quote!((#k, #v)));
        Ok(quote! {
            let input = #input;
            let request = #build.expect("the request builds");
            let expected = support::Request {
                method: #method,
                path: #path,
                query: &[#(#query),*],
                forbid_query: &[#(#forbid_query),*],
                require_query: &[#(#require_query),*],
                headers: &[#(#header_items),*],
                forbid_headers: &[#(#forbid_headers),*],
                require_headers: &[#(#require_headers),*],
                body: #body,
                xml: #xml,
                host: #host,
            };
            expected.check(&request, &#prefix);
        })
    }

    fn response_test(&self, case: &Case) -> Result<TokenStream, String> {
        let root = &self.root;
        let op = &self.krate.operations[case.operation];
        let module = ident(&op.module);
        let marker = ident(&op.name);
        let code = match case.json.get("code") {
            None => 200,
            Some(c) => c
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .ok_or("`code` is not an HTTP status")?,
        };
        let headers = header_pairs(case.json)?;
        let header_items = headers.iter().map(|(k, v)| quote!((#k, #v)));
        let body = str_field(case.json, "body")?.unwrap_or_default();
        let body = Literal::byte_string(body.as_bytes());
        let params = case.json.get("params").unwrap_or(&Value::Null);
        let parse =
            quote!(<#root::operation::#marker as #root::Operation>::parse_response(&response));
        let response = quote! {
            let response = support::response(#code, &[#(#header_items),*], #body);
        };
        match case.error {
            None => {
                let output_path = {
                    let n = ident(&op.output.name);
                    quote!(#root::operation::#module::#n)
                };
                let expected = self.struct_lit(&output_path, &op.output, params, None, "params")?;
                Ok(quote! {
                    #response
                    let expected = #expected;
                    match #parse {
                        Ok(actual) => support::assert_debug_eq(&actual, &expected),
                        Err(e) => panic!("parse_response failed: {e}\n{e:?}"),
                    }
                })
            }
            Some(e) => {
                let err = &op.errors[e];
                let Some(TypeDef::Struct(s)) = self.typedef(&err.type_name) else {
                    return Err(format!("error type {} not found", err.type_name));
                };
                let ty = ident(&s.name);
                let path = quote!(#root::types::#ty);
                let expected = self.struct_lit(
                    &path,
                    s,
                    params,
                    Some(quote!(actual.meta.clone())),
                    "params",
                )?;
                let error_enum = ident(&op.error_name);
                let variant = ident(&err.variant);
                let what = format!("the {} error", err.variant);
                Ok(quote! {
                    #response
                    match #parse {
                        Err(#root::operation::#module::#error_enum::#variant(actual)) => {
                            let expected = #expected;
                            support::assert_debug_eq(&actual, &expected);
                        }
                        other => panic!("expected {}, got {other:?}", #what),
                    }
                })
            }
        }
    }

    /// A struct literal with every field; `meta` (for error structures) from
    /// `meta`, or the default.
    fn struct_lit(
        &self,
        path: &TokenStream,
        s: &StructDef,
        params: &Value,
        meta: Option<TokenStream>,
        at: &str,
    ) -> Result<TokenStream, String> {
        let empty = Map::new();
        let obj = match params {
            Value::Null => &empty,
            Value::Object(o) => o,
            _ => return Err(format!("{at}: expected an object for {}", s.name)),
        };
        for key in obj.keys() {
            if !s.fields.iter().any(|f| f.member == *key) {
                return Err(format!("{at}: {} has no member `{key}`", s.name));
            }
        }
        let mut values = Vec::new();
        for f in &s.fields {
            let here = format!("{at}.{}", f.member);
            let value = match obj.get(&f.member) {
                Some(v) if !v.is_null() => {
                    let mut v = self.value(&f.ty, v, &here)?;
                    if f.boxed {
                        v = quote!(Box::new(#v));
                    }
                    if f.optional {
                        v = quote!(Some(#v));
                    }
                    v
                }
                _ if f.optional => quote!(None),
                _ => {
                    let mut v = self.default_value(&f.ty, &here)?;
                    if f.boxed {
                        v = quote!(Box::new(#v));
                    }
                    v
                }
            };
            values.push(value);
        }
        let meta = matches!(s.role, StructRole::Error { .. })
            .then(|| meta.unwrap_or_else(|| quote!(Default::default())));
        Ok(crate::rust::construct(path, s, &values, meta))
    }

    /// The value of a required member that `params` leaves out.
    fn default_value(&self, ty: &Ty, at: &str) -> Result<TokenStream, String> {
        let root = &self.root;
        let ok = match ty {
            Ty::Timestamp(_) => return Ok(quote!(#root::primitives::DateTime::from_secs(0))),
            Ty::Named { name, .. } => matches!(
                self.typedef(name),
                Some(TypeDef::Struct(s)) if s.derives.default
            ),
            _ => true,
        };
        if ok {
            Ok(quote!(Default::default()))
        } else {
            Err(format!(
                "{at}: a required member is missing from params and its type has no default"
            ))
        }
    }

    /// A Rust expression of type `ty` for the JSON value `v`.
    fn value(&self, ty: &Ty, v: &Value, at: &str) -> Result<TokenStream, String> {
        let root = &self.root;
        let want = |what: &str| format!("{at}: expected {what}, found {v}");
        Ok(match ty {
            Ty::String => {
                let s = v.as_str().ok_or_else(|| want("a string"))?;
                quote!(String::from(#s))
            }
            Ty::Bool => {
                let b = v.as_bool().ok_or_else(|| want("a boolean"))?;
                quote!(#b)
            }
            Ty::Byte => {
                int(v, "i8", i64::from(i8::MIN), i64::from(i8::MAX)).ok_or_else(|| want("an i8"))?
            }
            Ty::Short => int(v, "i16", i64::from(i16::MIN), i64::from(i16::MAX))
                .ok_or_else(|| want("an i16"))?,
            Ty::Int => int(v, "i32", i64::from(i32::MIN), i64::from(i32::MAX))
                .ok_or_else(|| want("an i32"))?,
            Ty::Long => int(v, "i64", i64::MIN, i64::MAX).ok_or_else(|| want("an i64"))?,
            Ty::Float => float(v, "f32").ok_or_else(|| want("a float"))?,
            Ty::Double => float(v, "f64").ok_or_else(|| want("a double"))?,
            Ty::Timestamp(_) => {
                if let Some(n) = v.as_i64() {
                    let n = signed(n, "i64");
                    quote!(#root::primitives::DateTime::from_secs(#n))
                } else if let Some(x) = v.as_f64() {
                    let x = float(&Value::from(x), "f64").ok_or_else(|| want("epoch seconds"))?;
                    quote!(#root::primitives::DateTime::from_secs_f64(#x).expect("a valid timestamp"))
                } else {
                    return Err(want("epoch seconds"));
                }
            }
            Ty::Blob => {
                let s = v.as_str().ok_or_else(|| want("a string"))?;
                let b = Literal::byte_string(s.as_bytes());
                quote!(#b.to_vec())
            }
            Ty::Named { name, kind } => {
                let n = ident(name);
                let path = quote!(#root::types::#n);
                match (kind, self.typedef(name)) {
                    (NamedKind::Enum, _) => {
                        let s = v.as_str().ok_or_else(|| want("an enum string"))?;
                        quote!(#path::from(#s))
                    }
                    (NamedKind::Struct, Some(TypeDef::Struct(s))) => {
                        self.struct_lit(&path, s, v, None, at)?
                    }
                    (NamedKind::Union, Some(TypeDef::Union(u))) => {
                        let obj = v.as_object().ok_or_else(|| want("a union object"))?;
                        let mut set = obj.iter().filter(|(_, v)| !v.is_null());
                        let (Some((member, value)), None) = (set.next(), set.next()) else {
                            return Err(want("exactly one union member"));
                        };
                        let var = u
                            .variants
                            .iter()
                            .find(|x| x.member == *member)
                            .ok_or_else(|| format!("{at}: {} has no member `{member}`", u.name))?;
                        let vname = ident(&var.name);
                        let mut inner = self.value(&var.ty, value, &format!("{at}.{member}"))?;
                        if var.boxed {
                            inner = quote!(Box::new(#inner));
                        }
                        quote!(#path::#vname(#inner))
                    }
                    _ => return Err(format!("{at}: type {name} not found in the crate")),
                }
            }
            Ty::EventStream { .. } => {
                return Err(format!(
                    "{at}: event streams have no parameters in protocol test cases"
                ));
            }
            Ty::List { item, .. } => {
                let items = v.as_array().ok_or_else(|| want("a list"))?;
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.value(item, x, &format!("{at}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!(vec![#(#items),*])
            }
            Ty::Map { key, value, .. } => {
                let obj = v.as_object().ok_or_else(|| want("a map object"))?;
                if obj.is_empty() {
                    return Ok(quote!(indexmap::IndexMap::new()));
                }
                let mut entries = Vec::new();
                for (k, x) in obj {
                    let k = self.value(key, &Value::String(k.clone()), at)?;
                    let x = self.value(value, x, &format!("{at}[{k}]"))?;
                    entries.push(quote!((#k, #x)));
                }
                quote!(indexmap::IndexMap::from_iter([#(#entries),*]))
            }
        })
    }
}

/// A typed integer literal in range, or `None`.
fn int(v: &Value, suffix: &str, min: i64, max: i64) -> Option<TokenStream> {
    let n = v.as_i64()?;
    (min..=max).contains(&n).then(|| signed(n, suffix))
}

/// `n` with its type suffix, negated with a unary minus when negative.
fn signed(n: i64, suffix: &str) -> TokenStream {
    let lit: Literal = format!("{}{suffix}", n.unsigned_abs())
        .parse()
        .expect("an integer literal");
    if n < 0 { quote!(-#lit) } else { quote!(#lit) }
}

/// A typed float literal, or the named constant for `NaN`, `Infinity` and
/// `-Infinity` (as Smithy spells them in params).
fn float(v: &Value, suffix: &str) -> Option<TokenStream> {
    let ty = ident(suffix);
    match v {
        Value::String(s) => match s.as_str() {
            "NaN" => Some(quote!(#ty::NAN)),
            "Infinity" => Some(quote!(#ty::INFINITY)),
            "-Infinity" => Some(quote!(#ty::NEG_INFINITY)),
            _ => None,
        },
        Value::Number(n) => {
            let x = n.as_f64()?;
            // The shortest text that reads back as the same value of the target type.
            let text = if suffix == "f32" {
                format!("{}", (x as f32).abs())
            } else {
                format!("{}", x.abs())
            };
            let text = if text.contains(['.', 'e', 'E']) {
                text
            } else {
                format!("{text}.0")
            };
            let lit: Literal = format!("{text}{suffix}").parse().ok()?;
            Some(if x.is_sign_negative() {
                quote!(-#lit)
            } else {
                quote!(#lit)
            })
        }
        _ => None,
    }
}

/// The string value of `key`, when present.
fn str_field<'m>(case: &'m Map<String, Value>, key: &str) -> Result<Option<&'m str>, String> {
    match case.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{key}` is not a string")),
    }
}

/// The list of strings under `key` (empty when absent).
fn str_list(case: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match case.get(key) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`{key}` holds a value that is not a string"))
            })
            .collect(),
        Some(_) => Err(format!("`{key}` is not a list")),
    }
}

/// The `headers` object as (name, value) pairs, in order.
fn header_pairs(case: &Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    match case.get("headers") {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_owned()))
                    .ok_or_else(|| format!("header `{k}` is not a string"))
            })
            .collect(),
        Some(_) => Err("`headers` is not an object".into()),
    }
}

/// A client setting of a case's `vendorParams`.
enum VendorValue {
    Str(String),
    Bool(bool),
}

/// The endpoint settings of a case's `vendorParams`
/// (`aws.protocoltests.config#AwsConfig`), as (built-in, value) pairs:
/// `scopedConfig.client.region`, and the S3 settings of
/// `scopedConfig.client.s3` with `scopedConfig.operation.s3` overriding
/// them. `addressing_style` `path` forces path-style, `virtual` and `auto`
/// leave the rules to choose. A setting this runner does not know is an
/// error naming it.
fn vendor_config(vendor: &Value) -> Result<Vec<(&'static str, VendorValue)>, String> {
    let scoped = vendor.get("scopedConfig").unwrap_or(&Value::Null);
    let client = scoped.get("client").unwrap_or(&Value::Null);
    let mut out = Vec::new();
    for (key, value) in client.as_object().into_iter().flatten() {
        match (key.as_str(), value) {
            ("region", Value::String(r)) => out.push(("AWS::Region", VendorValue::Str(r.clone()))),
            ("s3", _) => {}
            _ => {
                return Err(format!(
                    "vendorParams: client setting `{key}` = {value} is not one this runner knows"
                ));
            }
        }
    }
    let mut s3: Map<String, Value> = client
        .get("s3")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(op) = scoped
        .get("operation")
        .and_then(|o| o.get("s3"))
        .and_then(Value::as_object)
    {
        s3.extend(op.clone());
    }
    for (key, value) in &s3 {
        let setting = match (key.as_str(), value) {
            ("addressing_style", Value::String(style)) => match style.as_str() {
                "path" => Some(("AWS::S3::ForcePathStyle", true)),
                "virtual" | "auto" => None,
                other => return Err(format!("vendorParams: addressing_style `{other}`")),
            },
            ("use_dualstack_endpoint", Value::Bool(b)) => Some(("AWS::UseDualStack", *b)),
            ("use_accelerate_endpoint", Value::Bool(b)) => Some(("AWS::S3::Accelerate", *b)),
            ("use_arn_region", Value::Bool(b)) => Some(("AWS::S3::UseArnRegion", *b)),
            ("disable_multiregion_access_points", Value::Bool(b)) => {
                Some(("AWS::S3::DisableMultiRegionAccessPoints", *b))
            }
            _ => {
                return Err(format!(
                    "vendorParams: s3 setting `{key}` = {value} is not one this runner knows"
                ));
            }
        };
        if let Some((built_in, b)) = setting {
            out.push((built_in, VendorValue::Bool(b)));
        }
    }
    Ok(out)
}

/// The `support` module of the protocol tests, as Rust source: other test
/// harnesses (the server round trip of the suite) compare bodies with the
/// same `support::check_body`.
pub fn support_module() -> String {
    let file: syn::File = syn::parse2(support()).expect("the support module parses");
    prettyplease::unparse(&file)
}

/// The `support` module: request checks, response building, XML trees.
fn support() -> TokenStream {
    quote! {
        /// Comparison helpers shared by the cases.
        #[allow(dead_code)]
        mod support {
            use std::collections::BTreeSet;

            /// What a request case expects.
            pub struct Request<'a> {
                pub method: &'a str,
                pub path: &'a str,
                pub query: &'a [&'a str],
                pub forbid_query: &'a [&'a str],
                pub require_query: &'a [&'a str],
                pub headers: &'a [(&'a str, &'a str)],
                pub forbid_headers: &'a [&'a str],
                pub require_headers: &'a [&'a str],
                /// `None`: not asserted.
                pub body: Option<&'a [u8]>,
                pub xml: bool,
                /// (host, resolved host)
                pub host: Option<(&'a str, &'a str)>,
            }

            impl Request<'_> {
                /// Panics with every difference between `request` and the expectation.
                pub fn check(&self, request: &http::Request<Vec<u8>>, host_prefix: &str) {
                    let mut problems: Vec<String> = Vec::new();
                    if request.method().as_str() != self.method {
                        problems.push(format!("method: expected {}, got {}", self.method, request.method()));
                    }
                    let path = request.uri().path();
                    if path != self.path {
                        problems.push(format!("uri path: expected {:?}, got {:?}", self.path, path));
                    }
                    let raw_query = request.uri().query().unwrap_or("");
                    let actual = query_pairs(raw_query);
                    let mut remaining = actual.clone();
                    for expected in self.query {
                        let pair = query_pair(expected);
                        match remaining.iter().position(|p| *p == pair) {
                            Some(i) => {
                                remaining.remove(i);
                            }
                            None => problems.push(format!(
                                "query: {expected:?} is missing; the query is {raw_query:?}"
                            )),
                        }
                    }
                    for key in self.forbid_query {
                        let key = decode(key);
                        if actual.iter().any(|(k, _)| *k == key) {
                            problems.push(format!("query: {key:?} is forbidden; the query is {raw_query:?}"));
                        }
                    }
                    for key in self.require_query {
                        let key = decode(key);
                        if !actual.iter().any(|(k, _)| *k == key) {
                            problems.push(format!("query: {key:?} is required; the query is {raw_query:?}"));
                        }
                    }
                    let headers = request.headers();
                    for (name, value) in self.headers {
                        match header(headers, name) {
                            None => problems.push(format!("header {name}: missing (expected {value:?})")),
                            Some(actual) if actual != *value => problems.push(format!(
                                "header {name}: expected {value:?}, got {actual:?}"
                            )),
                            Some(_) => {}
                        }
                    }
                    for name in self.forbid_headers {
                        if let Some(actual) = header(headers, name) {
                            problems.push(format!("header {name}: forbidden, but set to {actual:?}"));
                        }
                    }
                    for name in self.require_headers {
                        if header(headers, name).is_none() {
                            problems.push(format!("header {name}: required, but missing"));
                        }
                    }
                    if let Some(body) = self.body {
                        check_body(request.body(), body, self.xml, &mut problems);
                    }
                    if let Some((host, resolved)) = self.host {
                        // A request built for an endpoint names its host.
                        let got = header(headers, "host").unwrap_or_else(|| format!("{host_prefix}{host}"));
                        if got != resolved {
                            problems.push(format!("host: expected {resolved:?}, got {got:?}"));
                        }
                    }
                    if !problems.is_empty() {
                        panic!(
                            "the request differs from the case:\n  - {}\nrequest: {} {}\nheaders: {:?}\nbody: {}",
                            problems.join("\n  - "),
                            request.method(),
                            request.uri(),
                            request.headers(),
                            shorten(&String::from_utf8_lossy(request.body()))
                        );
                    }
                }
            }

            /// The values of header `name` (any case), joined with ", ".
            fn header(headers: &http::HeaderMap, name: &str) -> Option<String> {
                let name = http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).ok()?;
                let values: Vec<String> = headers
                    .get_all(&name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                (!values.is_empty()).then(|| values.join(", "))
            }

            /// `text`, cut to its first 2000 characters when longer.
            pub fn shorten(text: &str) -> String {
                const MAX: usize = 2000;
                match text.char_indices().nth(MAX) {
                    Some((at, _)) => format!("{}… ({} more bytes)", &text[..at], text.len() - at),
                    None => text.to_owned(),
                }
            }

            /// Percent-decodes `text` (a `+` stays a `+`).
            pub fn decode(text: &str) -> String {
                let bytes = text.as_bytes();
                let mut out = Vec::with_capacity(bytes.len());
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i] == b'%' && i + 2 < bytes.len() {
                        let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                        if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                            out.push(b);
                            i += 3;
                            continue;
                        }
                    }
                    out.push(bytes[i]);
                    i += 1;
                }
                String::from_utf8_lossy(&out).into_owned()
            }

            /// `key=value` (or `key`) decoded.
            pub fn query_pair(item: &str) -> (String, String) {
                match item.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(item), String::new()),
                }
            }

            /// Every pair of a query string, decoded, in order.
            pub fn query_pairs(query: &str) -> Vec<(String, String)> {
                query.split('&').filter(|q| !q.is_empty()).map(query_pair).collect()
            }

            /// Compares a body: as XML trees when `xml` and something is expected,
            /// as bytes otherwise.
            pub fn check_body(actual: &[u8], expected: &[u8], xml: bool, problems: &mut Vec<String>) {
                if expected.is_empty() || !xml {
                    if actual != expected {
                        problems.push(format!(
                            "body: expected {:?}, got {:?}",
                            shorten(&String::from_utf8_lossy(expected)),
                            shorten(&String::from_utf8_lossy(actual))
                        ));
                    }
                    return;
                }
                let want = match parse_xml(expected) {
                    Ok(tree) => tree,
                    Err(e) => {
                        problems.push(format!("body: the expected XML does not parse: {e}"));
                        return;
                    }
                };
                let got = match parse_xml(actual) {
                    Ok(tree) => tree,
                    Err(e) => {
                        problems.push(format!(
                            "body: not XML ({e}): {:?}",
                            shorten(&String::from_utf8_lossy(actual))
                        ));
                        return;
                    }
                };
                if let Some(diff) = diff(&want, &got, "") {
                    problems.push(format!(
                        "body: XML differs at {diff}\n    expected: {:?}\n    got:      {:?}",
                        shorten(&String::from_utf8_lossy(expected)),
                        shorten(&String::from_utf8_lossy(actual))
                    ));
                }
            }

            /// An XML node: an element (namespace, local name, attributes, children) or text.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub enum Node {
                Element {
                    namespace: String,
                    name: String,
                    attributes: BTreeSet<(String, String)>,
                    children: Vec<Node>,
                },
                Text(String),
            }

            /// Reads a document into a tree. Element names are resolved to
            /// (namespace, local name); default-namespace declarations are
            /// therefore not attributes, prefix declarations and other
            /// attributes are (as a set). Text is unescaped; whitespace-only
            /// text next to child elements is dropped; `<X/>` equals `<X></X>`.
            pub fn parse_xml(bytes: &[u8]) -> Result<Node, String> {
                use quick_xml::events::Event;
                use quick_xml::name::ResolveResult;
                let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
                let mut reader = quick_xml::NsReader::from_str(text);
                let mut stack: Vec<Node> = Vec::new();
                let mut root: Option<Node> = None;
                loop {
                    let (ns, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
                    let namespace = match ns {
                        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
                        ResolveResult::Unbound => String::new(),
                        ResolveResult::Unknown(p) => {
                            return Err(format!("unknown prefix {}", String::from_utf8_lossy(&p)));
                        }
                    };
                    match event {
                        Event::Start(e) => stack.push(element(namespace, &e)?),
                        Event::Empty(e) => {
                            let node = element(namespace, &e)?;
                            close(&mut stack, &mut root, node)?;
                        }
                        Event::End(_) => {
                            let node = stack.pop().ok_or_else(|| "an end tag without a start tag".to_owned())?;
                            close(&mut stack, &mut root, node)?;
                        }
                        Event::Text(t) => push_text(&mut stack, &t.decode().map_err(|e| e.to_string())?),
                        Event::CData(t) => push_text(&mut stack, &t.decode().map_err(|e| e.to_string())?),
                        Event::GeneralRef(r) => {
                            let text = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                                Some(c) => c.to_string(),
                                None => match r.decode().map_err(|e| e.to_string())?.as_ref() {
                                    "lt" => "<".to_owned(),
                                    "gt" => ">".to_owned(),
                                    "amp" => "&".to_owned(),
                                    "apos" => "'".to_owned(),
                                    "quot" => "\"".to_owned(),
                                    other => return Err(format!("unknown entity &{other};")),
                                },
                            };
                            push_text(&mut stack, &text);
                        }
                        Event::Eof => break,
                        _ => {}
                    }
                }
                if !stack.is_empty() {
                    return Err("the document ends inside an element".to_owned());
                }
                root.ok_or_else(|| "no root element".to_owned())
            }

            /// An element with its name resolved and its attributes read.
            fn element(namespace: String, e: &quick_xml::events::BytesStart) -> Result<Node, String> {
                let mut attributes = BTreeSet::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| e.to_string())?;
                    let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    if key == "xmlns" {
                        continue;
                    }
                    let value = attr.unescape_value().map_err(|e| e.to_string())?.into_owned();
                    attributes.insert((key, value));
                }
                Ok(Node::Element {
                    namespace,
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    attributes,
                    children: Vec::new(),
                })
            }

            /// Normalizes a finished element and attaches it to its parent (or makes it the root).
            fn close(stack: &mut [Node], root: &mut Option<Node>, mut node: Node) -> Result<(), String> {
                if let Node::Element { children, .. } = &mut node {
                    let has_elements = children.iter().any(|c| matches!(c, Node::Element { .. }));
                    children.retain(|c| match c {
                        Node::Text(t) => !t.is_empty() && !(has_elements && t.trim().is_empty()),
                        Node::Element { .. } => true,
                    });
                }
                match stack.last_mut() {
                    Some(Node::Element { children, .. }) => children.push(node),
                    Some(Node::Text(_)) => return Err("text on the element stack".to_owned()),
                    None if root.is_none() => *root = Some(node),
                    None => return Err("more than one root element".to_owned()),
                }
                Ok(())
            }

            fn push_text(stack: &mut [Node], text: &str) {
                let Some(Node::Element { children, .. }) = stack.last_mut() else {
                    return;
                };
                if let Some(Node::Text(t)) = children.last_mut() {
                    t.push_str(text);
                } else {
                    children.push(Node::Text(text.to_owned()));
                }
            }

            /// Where two trees first differ, or `None`.
            pub fn diff(want: &Node, got: &Node, path: &str) -> Option<String> {
                match (want, got) {
                    (Node::Text(a), Node::Text(b)) => (a != b).then(|| format!("{path}: text {a:?} != {b:?}")),
                    (
                        Node::Element { namespace: na, name: a, attributes: aa, children: ca },
                        Node::Element { namespace: nb, name: b, attributes: ab, children: cb },
                    ) => {
                        let here = format!("{path}/{a}");
                        if a != b || na != nb {
                            return Some(format!("{path}: element {{{na}}}{a} != {{{nb}}}{b}"));
                        }
                        if aa != ab {
                            return Some(format!("{here}: attributes {aa:?} != {ab:?}"));
                        }
                        let (ca, cb) = (in_name_order(ca), in_name_order(cb));
                        for (i, (x, y)) in ca.iter().zip(&cb).enumerate() {
                            if let Some(d) = diff(x, y, &format!("{here}[{i}]")) {
                                return Some(d);
                            }
                        }
                        (ca.len() != cb.len()).then(|| format!("{here}: {} children != {} children ({ca:?} vs {cb:?})", ca.len(), cb.len()))
                    }
                    _ => Some(format!("{path}: {want:?} != {got:?}")),
                }
            }

            /// The body comparison itself: what it lets through and what it
            /// does not.
            #[test]
            fn xml_bodies_compare_as_smithy_says() {
                let same = |expected: &str, actual: &str| {
                    let mut problems = Vec::new();
                    check_body(actual.as_bytes(), expected.as_bytes(), true, &mut problems);
                    problems.is_empty()
                };
                assert!(same("<A><b>1</b><c>2</c></A>", "<A>\n  <c>2</c>\n  <b>1</b>\n</A>"));
                assert!(same("<A><m>1</m><b/><m>2</m></A>", "<A><b></b><m>1</m><m>2</m></A>"));
                assert!(!same("<A><m>1</m><m>2</m></A>", "<A><m>2</m><m>1</m></A>"));
                assert!(!same("<A><b>1</b><c>2</c></A>", "<A><c>1</c><b>2</b></A>"));
                assert!(!same("<A><b>1</b></A>", "<A><b>1</b><b>1</b></A>"));
                assert!(!same("<A xmlns=\"urn:x\"><b>1</b></A>", "<A><b>1</b></A>"));
            }

            /// The children of an element in the order they are compared: when
            /// all are elements, sorted by name, stably, so that members of a
            /// structure may come in any order while the members of a list and
            /// the entries of a map (which share a name) keep theirs; as Smithy's
            /// protocol test runners compare XML.
            fn in_name_order(children: &[Node]) -> Vec<&Node> {
                let mut ordered: Vec<&Node> = children.iter().collect();
                if children.iter().all(|c| matches!(c, Node::Element { .. })) {
                    ordered.sort_by_key(|c| match c {
                        Node::Element { namespace, name, .. } => (namespace.as_str(), name.as_str()),
                        Node::Text(_) => ("", ""),
                    });
                }
                ordered
            }

            /// An HTTP response with these status, headers and body.
            pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> http::Response<Vec<u8>> {
                let mut builder = http::Response::builder().status(status);
                for (name, value) in headers {
                    builder = builder.header(*name, *value);
                }
                builder.body(body.to_vec()).expect("a valid HTTP response")
            }

            /// Compares by `Debug` text (so NaN equals NaN), showing both on failure.
            pub fn assert_debug_eq<T: std::fmt::Debug>(actual: &T, expected: &T) {
                if format!("{actual:?}") != format!("{expected:?}") {
                    panic!("the parsed value differs from params\nexpected: {expected:#?}\nactual:   {actual:#?}");
                }
            }
        }
    }
}
