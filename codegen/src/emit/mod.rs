//! Emission: the IR rendered as the files of a Rust crate.
//!
//! Each concern has its own small module; this one assembles the files,
//! formats Rust with prettyplease and puts the generated-file header on top.

mod binding;
mod endpoint;
mod event_stream;
mod operation;
mod server;
mod text;
mod types;
mod xml;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;
use crate::naming::ident;
use crate::output::Files;
pub use crate::rust::HEADER;
pub(crate) use crate::rust::{docs, format_file, parse_file, rust, ty_tokens};

/// How the crate is packaged.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    /// Package name, e.g. `s3-api`.
    pub package: String,
    /// Whether the crate gets an empty `[workspace]` table, so it builds on its
    /// own wherever it is written (outside this repository's workspace).
    pub standalone: bool,
    /// Hand-written `[[example]]` targets: (name, path relative to the crate).
    pub examples: Vec<(String, String)>,
    /// The `path` of the dependency on the runtime crate `s3-runtime`.
    pub runtime_path: String,
}

/// Renders every file of the crate.
pub fn emit(krate: &Crate, opts: &CrateOptions) -> Result<Files, String> {
    let mut files = Files::new();
    files.insert("Cargo.toml".into(), cargo_toml(krate, opts));
    files.insert("src/lib.rs".into(), lib_rs(krate));
    // The big files are rendered and formatted on every core.
    let mut jobs: Vec<Job<'_>> = vec![Box::new(|| {
        Ok(("src/types.rs".into(), format_file(&types_rs(krate)?)))
    })];
    for op in &krate.operations {
        jobs.push(Box::new(move || {
            let body = operation::module(op, krate.endpoints.as_ref());
            let file = quote! {
                #![doc = " Input, output, HTTP binding and errors of this operation."]
                #body
            };
            // A keyword module `r#type` lives in `type.rs`.
            let file_name = crate::naming::module_file(&op.module);
            let text = rust(file).map_err(|e| format!("operation {}: {e}", op.name))?;
            Ok((format!("src/operation/{file_name}.rs"), text))
        }));
    }
    if let Some(e) = &krate.endpoints {
        jobs.push(Box::new(move || {
            Ok(("src/endpoint.rs".into(), endpoint::file(krate, e)?))
        }));
        files.insert("tests/endpoints.rs".into(), endpoint::TESTS_SHIM.into());
        files.insert(
            "tests/endpoints/run.rs".into(),
            endpoint::tests(krate, e, &opts.package.replace('-', "_"))?,
        );
    }
    files.extend(run_parallel(jobs)?);
    let mods = krate.operations.iter().map(|op| {
        let m = ident(&op.module);
        let doc = format!(" The `{}` operation.", op.name);
        let feature = &op.feature;
        quote!(#[doc = #doc] #[cfg(feature = #feature)] #[rustfmt::skip] pub mod #m;)
    });
    let reexports = krate.operations.iter().map(|op| {
        let m = ident(&op.module);
        let marker = ident(&op.name);
        let feature = &op.feature;
        quote!(#[cfg(feature = #feature)] pub use #m::#marker;)
    });
    // The operations' list, which `s3_runtime::operations!` turns into the
    // routes, the router, the `Service` trait and `serve`: two lines per
    // operation, written as text (rustfmt leaves a macro's braces alone).
    let mut list = String::from("s3_runtime::operations! {\n    crate::PROFILE;\n");
    for op in &krate.operations {
        let module = ident(&op.module);
        let spec = format!("{:?}", server::route_spec(op));
        list.push_str(&format!(
            "    #[cfg(feature = {:?})]\n    {module} => {module}::{}, {spec};\n",
            op.feature, op.name
        ));
    }
    list.push_str("}\n");
    let index = rust(quote! {
        //! One module per operation: input, output, request building, response parsing, errors;
        //! and, from the list of operations, the router (`ROUTES`, `router`), the `Service`
        //! trait and `serve`.
        #(#mods)*
        #(#reexports)*
    })?;
    files.insert("src/operation.rs".into(), format!("{index}{list}"));
    files.insert("examples/wire.rs".into(), WIRE_SHIM.into());
    let wire = wire_example(krate, opts).map_err(|e| format!("the wire example: {e}"))?;
    files.insert("examples/wire/run.rs".into(), wire);
    Ok(files)
}

/// One file to render: its path and contents.
type Job<'a> = Box<dyn FnOnce() -> Result<(String, String), String> + Send + 'a>;

/// Runs the jobs on every available core, taking them in order, so the
/// biggest, listed first, do not end up alone at the end; the result does
/// not depend on the order they finish in (files are keyed by path).
fn run_parallel(jobs: Vec<Job<'_>>) -> Result<Vec<(String, String)>, String> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let queue = std::sync::Mutex::new(std::collections::VecDeque::from(jobs));
    let next = || queue.lock().ok().and_then(|mut q| q.pop_front());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(job) = next() {
                        done.push(job());
                    }
                    done
                })
            })
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            let results = handle
                .join()
                .map_err(|_| "a code generation thread panicked".to_owned())?;
            for result in results {
                out.push(result?);
            }
        }
        Ok(out)
    })
}

/// The `wire` example's entry point; the code lives in `wire/run.rs`, which
/// `cargo fmt` skips like every generated file.
const WIRE_SHIM: &str =
    "// Generated by `cargo xtask codegen` from the Smithy model. Do not edit by hand.

//! Prints the request the crate builds for an operation input, or what it
//! reads from a raw response. See `wire/run.rs`.

#[rustfmt::skip]
#[path = \"wire/run.rs\"]
mod run;

fn main() -> std::process::ExitCode {
    run::main()
}
";

fn cargo_toml(krate: &Crate, opts: &CrateOptions) -> String {
    let mut default = String::new();
    let mut features = String::new();
    for op in &krate.operations {
        default.push_str(&format!("    \"{}\",\n", op.feature));
        features.push_str(&format!("{} = []\n", op.feature));
    }
    // Hand-written examples (`Options::examples`), e.g. kept outside `generated/`.
    let mut examples = String::new();
    if !opts.examples.is_empty() {
        examples.push_str("\n# Hand-written examples, not generated.");
    }
    for (name, path) in &opts.examples {
        examples.push_str(&format!(
            "\n[[example]]\nname = {}\npath = {}\n",
            toml_string(name),
            toml_string(path)
        ));
    }
    let workspace = if opts.standalone {
        "\n[workspace]\n"
    } else {
        ""
    };
    format!(
        r#"# Generated by `cargo xtask codegen` from the Smithy model. Do not edit by hand.
[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
rust-version = "1.85"
description = {description}
license = "Apache-2.0"
publish = false

[features]
# Every operation is on by default; a build with only the features of the
# operations it uses compiles only their types.
default = [
{default}]
{features}
# JSON in the AWS SDK input shape: member names as in the model, unions as a
# one-key object, enums as their wire strings.
serde = ["dep:serde", "indexmap/serde", "s3-runtime/serde"]
# Signing requests with AWS SigV4 and presigned URLs (module `sign`).
sign = ["s3-runtime/sign"]
# A blocking client that resolves, signs, sends with retries and reads any
# operation (`Client`): ureq with rustls.
client = ["sign", "s3-runtime/client"]
# Serving over HTTP/1.1 (module `hyper_server`): hyper's server on tokio.
hyper = ["s3-runtime/hyper"]

[dependencies]
# The support code every generated crate shares: XML, URIs, timestamps,
# checksums, event streams, server helpers.
s3-runtime = {{ path = {runtime}{runtime_features} }}
http = "1"
indexmap = "2"
serde = {{ version = "1", features = ["derive"], optional = true }}

[dev-dependencies]
# The wire example reads and writes JSON and signs, so it always builds with
# `serde` and `sign`; the hand-written example servers serve with `hyper`.
{name} = {{ path = ".", features = ["serde", "sign", "hyper"] }}
serde_json = "1"
httparse = "1"
# Property round-trip tests (tests/roundtrip.rs).
proptest = "1"
{examples}{workspace}"#,
        name = opts.package,
        description = toml_string(&format!(
            "Types, restXml serializers and HTTP bindings for {} (sans-IO)",
            krate.service.title.as_deref().unwrap_or(&krate.service.id)
        )),
        runtime = toml_string(&opts.runtime_path),
        // gzip (flate2) only for a model with request compression.
        runtime_features = if krate.operations.iter().any(|op| op.gzip) {
            r#", features = ["compression"]"#
        } else {
            ""
        },
    )
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `src/lib.rs`: written as text in rustfmt's style, so that `cargo fmt`
/// leaves it as it is; every module it declares is `#[rustfmt::skip]`.
fn lib_rs(krate: &Crate) -> String {
    let title = krate
        .service
        .title
        .clone()
        .unwrap_or_else(|| krate.service.id.clone());
    let version = krate.service.version.clone().unwrap_or_default();
    let mut ops = String::new();
    for op in &krate.operations {
        ops.push_str(&format!("//! - [`{0}`](operation::{0})\n", op.name));
    }
    let endpoint_mod = if krate.endpoints.is_some() {
        "/// Endpoints from the service's rules: [`endpoint::resolve`], the client\n/// [`endpoint::Config`] and [`endpoint::build_request`].\n#[rustfmt::skip]\npub mod endpoint;\n\n/// A blocking client for this service (feature `client`): endpoint, SigV4,\n/// retries. `Client::from_env()` reads the region, credentials and endpoint\n/// from the environment and the shared AWS files; `client.send::<Op>(&input)`\n/// returns the output or the operation's error.\n#[cfg(feature = \"client\")]\npub type Client = s3_runtime::client::Client<endpoint::Config>;\n"
    } else {
        ""
    };
    let endpoint_doc = if krate.endpoints.is_some() {
        "//!\n//! Endpoints: [`endpoint::build_request`] resolves the endpoint of an input\n//! from the service's rules for a client [`endpoint::Config`] (region, FIPS,\n//! dual-stack, custom endpoint...) and builds the full request.\n"
    } else {
        ""
    };
    let profile = &krate.service.profile;
    let header = |name: &str| format!("http::HeaderName::from_static({name:?})");
    let host_id_header = match profile.host_id_header {
        Some(name) => format!("Some({})", header(name)),
        None => "None".to_owned(),
    };
    let profile = format!(
        "s3_runtime::operation::Profile {{\n    request_id_header: {},\n    host_id_header: {},\n    errors_in_success: {},\n    bare_error_documents: {},\n    errors_named_by_status: {},\n}}",
        header(profile.request_id_header),
        host_id_header,
        profile.errors_in_success,
        profile.bare_error_documents,
        profile.errors_named_by_status,
    );
    format!(
        r#"{HEADER}
//! {title} (API version {version}): types, restXml serializers, HTTP request
//! building and response parsing.
//!
//! Sans-IO: build an `http::Request` with [`Operation::build_request`], send it
//! with any HTTP client and signer, and read the answer with
//! [`Operation::parse_response`].
//!
//! Server side: read a request with [`Operation::parse_request`] and answer
//! with [`Operation::build_response`] or [`Operation::build_error_response`].
{endpoint_doc}//!
//! Operations:
{ops}
#![forbid(unsafe_code)]

/// Maps in the model keep the order of their entries: they are `IndexMap`s.
pub use indexmap;
// The support code shared by every generated crate (the `s3-runtime` crate):
// errors, server-side request errors, timestamps and base64, checksums for
// callers that stream a body, event streams, and percent-encoding.
/// The blocking client's parts: errors, retries, the environment (feature
/// `client`).
#[cfg(feature = "client")]
pub use s3_runtime::client;
/// Serving over HTTP/1.1 with hyper (feature `hyper`).
#[cfg(feature = "hyper")]
pub use s3_runtime::hyper_server;
/// Signing requests with AWS SigV4, and presigned URLs (feature `sign`).
#[cfg(feature = "sign")]
pub use s3_runtime::sign;
pub use s3_runtime::{{aws_chunked, checksum, error, event_stream, primitives, router, server, uri}};

{endpoint_mod}#[rustfmt::skip]
pub mod operation;
#[rustfmt::skip]
pub mod types;

/// [`Operation`] is one operation: how to build its request and read its
/// response, and on the server side how to read its request and write its
/// responses. Its input, output and error implement [`Input`], [`Output`]
/// and [`OperationError`]; every error implements [`ProvideErrorMetadata`]
/// (code, message, request ids, status). An input or output whose payload
/// streams also implements [`StreamingInput`] or [`StreamingOutput`].
pub use s3_runtime::operation::{{
    Input, Operation, OperationError, Output, ProvideErrorMetadata, StreamingInput, StreamingOutput,
}};
/// Structures and unions that are whole documents have `to_xml` and
/// `from_xml`.
pub use s3_runtime::xml::XmlDocument;

/// How this service's responses differ from plain restXml.
pub static PROFILE: s3_runtime::operation::Profile = {profile};
"#
    )
}

/// `src/types.rs` as a parsed file: each type's tokens are parsed once and
/// formatted without going back to tokens. Types that every operation uses
/// sit at the top level; the others are grouped by the set of features that
/// compile them, one private module per set with the `cfg` written once on
/// the module and once on its re-export.
fn types_rs(krate: &Crate) -> Result<syn::File, String> {
    let all = krate.operations.len();
    let mut file = parse_file(quote! {
        //! Structures, unions and enums of the model, shared by the operations.

        /// An enum value that this version of the crate does not know, kept exactly as received.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct UnknownValue(pub(crate) String);

        impl UnknownValue {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    })?;
    let mut gated: std::collections::BTreeMap<&[String], Vec<syn::Item>> = Default::default();
    for t in &krate.types {
        let items = parse_file(type_items(krate, t))
            .map_err(|e| format!("type {}: {e}", t.name()))?
            .items;
        match krate.type_features.get(t.name()).filter(|f| f.len() < all) {
            Some(features) => gated.entry(features).or_default().extend(items),
            None => file.items.extend(items),
        }
    }
    for (n, (features, items)) in gated.into_iter().enumerate() {
        let cfg = match features {
            [one] => quote!(#[cfg(feature = #one)]),
            many => quote!(#[cfg(any(#(feature = #many),*))]),
        };
        let module = quote::format_ident!("gate_{}", n + 1);
        let doc = format!(" Types compiled with {}.", feature_list(features));
        file.items.push(syn::parse_quote! {
            #[doc = #doc]
            #cfg
            mod #module {
                #(#items)*
            }
        });
        file.items.push(syn::parse_quote! {
            #cfg
            pub use #module::*;
        });
    }
    Ok(file)
}

/// `feature `a``, or `any of the features `a`, `b``, for docs.
fn feature_list(features: &[String]) -> String {
    let quoted: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
    match quoted.as_slice() {
        [one] => format!("feature {one}"),
        many => format!("any of the features {}", many.join(", ")),
    }
}

/// Every item of one type: the type, its XML code and its document functions.
fn type_items(krate: &Crate, t: &TypeDef) -> TokenStream {
    match t {
        TypeDef::Struct(s) => {
            let ty = types::structure(s);
            let xml = xml::structure(s);
            let error = (matches!(s.role, StructRole::Error { .. }) && !s.fields.is_empty())
                .then(|| operation::read_error(s));
            let error_response = server::error_response(s, &krate.service);
            let document =
                (s.role == StructRole::Plain && s.writes_xml && s.reads_xml).then(|| {
                    let ns = s
                        .xml_namespace
                        .clone()
                        .or_else(|| krate.service.xml_namespace.clone());
                    xml::document(&s.name, &s.xml_name, &ns, false)
                });
            quote!(#ty #xml #error #error_response #document)
        }
        TypeDef::Union(u) => {
            let ty = types::union(u);
            let xml = xml::union(u);
            let ns = u
                .xml_namespace
                .clone()
                .or_else(|| krate.service.xml_namespace.clone());
            let document = (u.writes_xml && u.reads_xml)
                .then(|| xml::document(&u.name, &u.xml_name, &ns, true));
            let events = event_stream::union(u, krate);
            quote!(#ty #xml #document #events)
        }
        TypeDef::Enum(e) => types::enumeration(e),
    }
}

/// The `wire` example: the shared template plus one dispatch arm per operation.
fn wire_example(krate: &Crate, opts: &CrateOptions) -> Result<String, String> {
    let krate_ident = ident(&opts.package.replace('-', "_"));
    let arms = krate.operations.iter().map(|op| {
        let m = ident(&op.module);
        let marker = ident(&op.name);
        let name = &op.name;
        let feature = &op.feature;
        quote!(#[cfg(feature = #feature)] #name => run::<api::operation::#m::#marker>(mode, input),)
    });
    let names = krate.operations.iter().map(|op| {
        let name = &op.name;
        let feature = &op.feature;
        quote!(#[cfg(feature = #feature)] names.push(#name);)
    });
    let endpoints = if krate.endpoints.is_some() {
        let arms = krate.operations.iter().map(|op| {
            let m = ident(&op.module);
            let marker = ident(&op.name);
            let name = &op.name;
            let feature = &op.feature;
            quote!(#[cfg(feature = #feature)] #name => request_at::<api::operation::#m::#marker>(input, &config, flags, presign),)
        });
        quote! {
            /// `request` with endpoint flags (the full request for that
            /// configuration, signed with `--sign`), or `presign`.
            fn dispatch_at(operation: &str, input: &[u8], flags: &Flags, presign: bool) -> Result<Vec<u8>, String> {
                let mut config = api::endpoint::Config::default();
                for (built_in, value) in &flags.settings {
                    let value = match value {
                        Some(v) => api::endpoint::ParamValue::Str(v),
                        None => api::endpoint::ParamValue::Bool(true),
                    };
                    config.set(built_in, value)?;
                }
                #[allow(clippy::match_single_binding)]
                match operation {
                    #(#arms)*
                    other => Err(format!("unknown operation `{other}`; known: {}", operations().join(", "))),
                }
            }

            #[allow(dead_code)]
            fn request_at<O>(input: &[u8], config: &api::endpoint::Config, flags: &Flags, presign: bool) -> Result<Vec<u8>, String>
            where
                O: Operation,
                O::Input: serde::de::DeserializeOwned + api::endpoint::EndpointParams,
            {
                let value: O::Input =
                    serde_json::from_slice(input).map_err(|e| format!("invalid input for {}: {e}", O::NAME))?;
                let (mut request, endpoint) = api::endpoint::build_request::<O>(config, &value).map_err(|e| e.to_string())?;
                let Some((key, secret, token)) = &flags.sign else {
                    return Ok(render_request(&request));
                };
                let mut credentials = api::sign::Credentials::new(key.clone(), secret.clone());
                if let Some(token) = token {
                    credentials = credentials.with_session_token(token.clone());
                }
                let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(flags.time.unwrap_or_default());
                if presign {
                    let expires = std::time::Duration::from_secs(flags.expires.unwrap_or_default());
                    let url = api::sign::presign(&request, &endpoint, &credentials, time, expires).map_err(|e| e.to_string())?;
                    return Ok(format!("{url}\n").into_bytes());
                }
                api::sign::sign(&mut request, &endpoint, &credentials, time, api::sign::Payload::Signed)
                    .map_err(|e| e.to_string())?;
                Ok(render_request(&request))
            }

            /// `endpoint`: one JSON line per params object.
            fn endpoints(input: &[u8]) -> Result<Vec<u8>, String> {
                let json: serde_json::Value = serde_json::from_slice(input).map_err(|e| format!("invalid JSON: {e}"))?;
                let objects = match &json {
                    serde_json::Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                let mut out = String::new();
                for object in objects {
                    let entries = object.as_object().ok_or("each params value must be a JSON object")?;
                    let mut params = api::endpoint::Params::default();
                    for (name, value) in entries {
                        let value = match value {
                            serde_json::Value::String(s) => api::endpoint::ParamValue::Str(s),
                            serde_json::Value::Bool(b) => api::endpoint::ParamValue::Bool(*b),
                            serde_json::Value::Array(items) => api::endpoint::ParamValue::StrArray(
                                items.iter().map(|i| i.as_str().ok_or(format!("`{name}`: a string array holds {i}"))).collect::<Result<_, _>>()?,
                            ),
                            other => return Err(format!("`{name}`: {other} is not a string, boolean or string array")),
                        };
                        params.set(name, value)?;
                    }
                    match api::endpoint::resolve(&params) {
                        Ok(endpoint) => {
                            out.push_str("{\"endpoint\":");
                            out.push_str(&endpoint.to_json());
                            out.push_str("}\n");
                        }
                        Err(e) => {
                            out.push_str(&serde_json::json!({ "error": e.message }).to_string());
                            out.push('\n');
                        }
                    }
                }
                Ok(out.into_bytes())
            }
        }
    } else {
        quote! {
            fn dispatch_at(_: &str, _: &[u8], _: &Flags, _: bool) -> Result<Vec<u8>, String> {
                Err("this crate's service has no endpoint rules: build requests without endpoint flags".into())
            }

            fn endpoints(_: &[u8]) -> Result<Vec<u8>, String> {
                Err("this crate's service has no endpoint rules".into())
            }
        }
    };
    let dispatch = quote! {
        use #krate_ident as api;

        /// Every operation compiled into the crate, by model name.
        #[allow(clippy::vec_init_then_push)]
        fn operations() -> Vec<&'static str> {
            let mut names = Vec::new();
            #(#names)*
            names
        }

        fn dispatch(operation: &str, mode: Mode, input: &[u8]) -> Result<Vec<u8>, String> {
            #[allow(clippy::match_single_binding)]
            match operation {
                #(#arms)*
                other => Err(format!("unknown operation `{other}`; known: {}", operations().join(", "))),
            }
        }

        #endpoints
    };
    let template = include_str!("../../templates/wire_example.rs");
    let file: syn::File = syn::parse2(dispatch).map_err(|e| e.to_string())?;
    Ok(format!(
        "{HEADER}\n{template}\n{}",
        prettyplease::unparse(&file)
    ))
}
