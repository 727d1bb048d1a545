//! Validation and lowering: from the loaded model to the [`ir`](crate::ir).
//!
//! Only the shapes the selected operations reach are looked at. Every trait on
//! them must be one the generator handles or deliberately ignores (listed
//! below with the reason); anything else is an error, so nothing is dropped
//! silently. All problems are reported together.
//!
//! The stages, one module each: [`graph`] finds the shapes the operations
//! reach (and which members must be boxed); [`validate`] checks their traits
//! and kinds; [`traits`] parses the traits lowering reads into typed values
//! once; [`names`] decides every Rust type name; [`structs`] and
//! [`operations`] lower shapes and operations (with [`uri`] for the URI
//! templates of the `http` trait).

pub(crate) mod endpoint;
pub mod graph;
mod message;
mod names;
mod operations;
mod structs;
mod traits;
mod uri;
mod validate;

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostics;
use crate::ir::*;
use crate::model::{self, Kind, Model, Shape, local_name};
pub use endpoint::{BUILT_INS, PartitionsInput};
use traits::TraitTable;

/// Traits that change what is generated.
const HANDLED: &[&str] = &[
    "smithy.api#documentation",
    "smithy.api#required",
    "smithy.api#enumValue",
    "smithy.api#http",
    "smithy.api#httpLabel",
    "smithy.api#httpQuery",
    "smithy.api#httpHeader",
    "smithy.api#httpPayload",
    "smithy.api#httpError",
    "smithy.api#error",
    "smithy.api#xmlName",
    "smithy.api#xmlFlattened",
    "smithy.api#xmlAttribute",
    "smithy.api#xmlNamespace",
    "smithy.api#input",
    "smithy.api#output",
    "smithy.api#deprecated",
    "smithy.api#timestampFormat",
    "smithy.api#mediaType",
    "smithy.api#httpPrefixHeaders",
    "smithy.api#httpQueryParams",
    "smithy.api#httpResponseCode",
    "smithy.api#endpoint",
    "smithy.api#hostLabel",
    "smithy.api#idempotencyToken",
    "smithy.api#sensitive",
    "smithy.api#streaming",
    "smithy.api#eventHeader",
    "smithy.api#eventPayload",
    "smithy.api#default",
    "aws.customizations#s3UnwrappedXmlOutput",
    "aws.protocols#httpChecksum",
    "smithy.api#requestCompression",
    "aws.protocols#restXml",
    "smithy.rules#endpointBdd",
    "smithy.rules#endpointTests",
    "smithy.rules#clientContextParams",
    "smithy.rules#contextParam",
    "smithy.rules#staticContextParams",
    "smithy.rules#operationContextParams",
];

/// Traits that deliberately change nothing in a sans-IO crate, and why.
const IGNORED: &[(&str, &str)] = &[
    (
        "smithy.rules#endpointRuleSet",
        "the generator compiles smithy.rules#endpointBdd, the same rules as a decision diagram",
    ),
    ("aws.auth#sigv4", "signing is the caller's"),
    ("smithy.api#auth", "signing is the caller's"),
    ("aws.api#service", "service metadata with no wire effect"),
    ("smithy.api#title", "service metadata with no wire effect"),
    ("smithy.api#suppress", "model validation metadata"),
    ("smithy.api#examples", "documentation examples"),
    (
        "smithy.waiters#waitable",
        "waiters are a client-runtime feature",
    ),
    ("smithy.api#paginated", "paging is driven by the caller"),
    (
        "smithy.api#length",
        "constraints are enforced by the service, not by clients",
    ),
    (
        "smithy.api#pattern",
        "constraints are enforced by the service, not by clients",
    ),
    (
        "smithy.api#range",
        "constraints are enforced by the service, not by clients",
    ),
    (
        "smithy.api#uniqueItems",
        "a set is kept as a list in order; uniqueness is the service's to enforce",
    ),
    (
        "smithy.api#idempotent",
        "a hint for retry policies, which belong to the caller",
    ),
    ("smithy.api#readonly", "a hint with no wire effect"),
    ("smithy.api#tags", "model metadata"),
    ("smithy.api#externalDocumentation", "model metadata"),
    ("smithy.api#private", "model metadata"),
    ("smithy.api#idRef", "model validation metadata"),
    (
        "aws.auth#unsignedPayload",
        "signing is the caller's: such an operation is signed with UNSIGNED-PAYLOAD",
    ),
    (
        "smithy.test#httpRequestTests",
        "protocol test cases, read by the protocol test generator",
    ),
    (
        "smithy.test#httpResponseTests",
        "protocol test cases, read by the protocol test generator",
    ),
];

/// The traits the generator deliberately ignores, with the reason for each.
pub fn ignored_traits() -> &'static [(&'static str, &'static str)] {
    IGNORED
}

const UNIT: &str = "smithy.api#Unit";

/// Validates the model for the selected operations and lowers it.
pub fn lower(
    model: &Model,
    service: Option<&str>,
    ops: Option<&[String]>,
    partitions: Option<&PartitionsInput>,
) -> Result<Crate, Diagnostics> {
    let mut d = Diagnostics::default();
    let Some(service) = select_service(model, service, &mut d) else {
        return Err(d);
    };
    let op_ids = select_operations(model, service, ops, &mut d);
    let closure = graph::closure(model, service, &op_ids);
    validate::check_traits(model, service, &closure, &mut d);
    validate::check_kinds(model, &closure, &mut d);
    let traits = TraitTable::parse(
        model,
        closure.iter().copied().chain([service.id.as_str()]),
        &mut d,
    );
    let event_structs = validate::check_event_streams(model, &traits, &closure, &mut d);
    if !d.is_empty() {
        return d.into_result(empty_crate());
    }
    let mut io_uses: BTreeMap<String, usize> = BTreeMap::new();
    for id in &op_ids {
        if let Kind::Operation(op) = &model.shapes[*id].kind {
            for io in [&op.input, &op.output] {
                if io != UNIT {
                    *io_uses.entry(io.clone()).or_default() += 1;
                }
            }
        }
    }
    let mut cx = Cx {
        model,
        traits: &traits,
        d,
        names: BTreeMap::new(),
        taken: BTreeMap::new(),
        io_uses,
        event_structs,
        service_ns: None,
    };
    cx.assign_names(service, &closure, &op_ids);
    if !cx.d.is_empty() {
        return cx.d.into_result(empty_crate());
    }

    // Input and output shapes live in their operation's module, unless a
    // member also uses them as a plain type.
    let member_targets: BTreeSet<&str> = closure
        .iter()
        .flat_map(|id| model.shapes[*id].members.iter().map(|m| m.target.as_str()))
        .collect();
    let io: BTreeSet<String> = cx
        .io_uses
        .keys()
        .filter(|id| !member_targets.contains(id.as_str()))
        .cloned()
        .collect();
    let recursive = graph::recursive_members(model, &closure);
    let service_info = cx.service_info(service);
    cx.service_ns = service_info.xml_namespace.clone();

    let mut types = Vec::new();
    for id in &closure {
        let shape = &model.shapes[*id];
        if io.contains(*id) || *id == UNIT {
            continue;
        }
        // Every structure and union can be written and read as XML, so
        // clients and servers can use any of them; except event streams and
        // events, which travel as event-stream messages.
        let xml = !traits.is_event_stream(shape) && !cx.event_structs.contains(*id);
        let xml = (xml, xml);
        match shape.kind {
            Kind::Structure => types.push(TypeDef::Struct(cx.lower_struct(
                shape,
                StructRole::Plain,
                &recursive,
                xml,
            ))),
            Kind::Union => types.push(TypeDef::Union(cx.lower_union(shape, &recursive, xml))),
            Kind::Enum => types.push(TypeDef::Enum(cx.lower_enum(shape))),
            _ => {}
        }
    }
    types.sort_by(|a, b| a.name().cmp(b.name()));

    let mut operations: Vec<OperationDef> = op_ids
        .iter()
        .filter_map(|id| cx.lower_operation(service, &model.shapes[*id], &recursive))
        .collect();
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    let endpoints = endpoint::lower(service, partitions, &mut cx.d);
    if let Some(endpoints) = &endpoints {
        let read = endpoints.params_read();
        for op in &mut operations {
            let shape = &model.shapes[operation_id(model, &op.name, &op_ids)];
            op.endpoint_params =
                endpoint::operation_fills(model, endpoints, shape, &op.input, &mut cx.d);
            for seg in &mut op.path {
                if let PathSegment::Label {
                    field, in_endpoint, ..
                } = seg
                {
                    *in_endpoint = op
                        .endpoint_params
                        .iter()
                        .any(|f| f.source == FillSource::Field(*field) && read.contains(&f.param));
                }
            }
        }
    }
    // Which operations use each type, for per-operation cargo features.
    let by_shape: BTreeMap<&str, &str> =
        types.iter().map(|t| (type_shape_id(t), t.name())).collect();
    let mut type_features: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in &operations {
        let id = operation_id(model, &op.name, &op_ids);
        for reached in graph::closure(model, service, &[id]) {
            if let Some(name) = by_shape.get(reached) {
                type_features
                    .entry((*name).to_owned())
                    .or_default()
                    .push(op.feature.clone());
            }
        }
    }
    let krate = Crate {
        endpoints,
        type_features,
        service: service_info,
        types,
        operations,
    };
    cx.d.into_result(krate)
}

fn empty_crate() -> Crate {
    Crate {
        service: ServiceInfo {
            id: String::new(),
            title: None,
            version: None,
            xml_namespace: None,
            profile: crate::profile::REST_XML,
        },
        types: vec![],
        operations: vec![],
        type_features: BTreeMap::new(),
        endpoints: None,
    }
}

/// Records a problem of `shape` (and `member`).
fn err(d: &mut Diagnostics, shape: &Shape, member: Option<&str>, msg: impl Into<String>) {
    d.push(Some(&shape.file), Some(&shape.id), member, msg);
}

/// The lowering context: the model, its typed traits, the problems found so
/// far and the names decided.
struct Cx<'a> {
    model: &'a Model,
    traits: &'a TraitTable,
    d: Diagnostics,
    /// Shape id → Rust type name.
    names: BTreeMap<String, String>,
    /// Rust type name → the shape id (or synthesized item) that owns it.
    taken: BTreeMap<String, String>,
    /// How many times each shape serves as an operation input or output.
    io_uses: BTreeMap<String, usize>,
    /// Structures that are events of an event stream (members of a `streaming` union).
    event_structs: BTreeSet<String>,
    /// The service's `xmlNamespace`, declared on every document root that has none of its own.
    service_ns: Option<XmlNamespace>,
}

impl<'a> Cx<'a> {
    fn err(&mut self, shape: &Shape, member: Option<&str>, msg: impl Into<String>) {
        err(&mut self.d, shape, member, msg);
    }

    /// The typed traits of `member` of `shape`.
    fn member_traits(&self, shape: &Shape, member: &model::Member) -> &'a traits::Traits {
        self.traits.member(&shape.id, &member.name)
    }

    fn service_info(&mut self, service: &Shape) -> ServiceInfo {
        let version = match &service.kind {
            Kind::Service(s) => s.version.clone(),
            _ => None,
        };
        let t = self.traits.shape(&service.id);
        if t.rest_xml.is_none() {
            self.err(
                service,
                None,
                "the service has no aws.protocols#restXml trait; only restXml is generated",
            );
        }
        ServiceInfo {
            id: service.id.clone(),
            title: t.title.clone(),
            version,
            xml_namespace: t.xml_namespace.clone(),
            profile: crate::profile::for_service(
                &service.id,
                t.rest_xml.as_ref().is_some_and(|p| p.no_error_wrapping),
            ),
        }
    }
}

/// The service to generate: the one named `wanted`, or the only one.
fn select_service<'m>(
    model: &'m Model,
    wanted: Option<&str>,
    d: &mut Diagnostics,
) -> Option<&'m Shape> {
    let services: Vec<&Shape> = model
        .shapes
        .values()
        .filter(|s| matches!(s.kind, Kind::Service(_)))
        .filter(|s| wanted.is_none_or(|w| s.id == w || s.name() == w))
        .collect();
    if let (Some(w), []) = (wanted, services.as_slice()) {
        d.push(
            None,
            None,
            None,
            format!("the model has no service named `{w}`"),
        );
        return None;
    }
    match services.as_slice() {
        [one] => Some(one),
        [] => {
            d.push(None, None, None, "the model defines no service shape");
            None
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|s| s.id.as_str()).collect();
            d.push(
                None,
                None,
                None,
                format!(
                    "the model defines several services ({}); choose one with --service",
                    ids.join(", ")
                ),
            );
            None
        }
    }
}

/// The operations of the service (directly or through resources), filtered by `ops`.
fn select_operations<'m>(
    model: &'m Model,
    service: &Shape,
    ops: Option<&[String]>,
    d: &mut Diagnostics,
) -> Vec<&'m str> {
    let mut all: Vec<&'m str> = Vec::new();
    let mut stack: Vec<&'m str> = vec![model.shapes[&service.id].id.as_str()];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(shape) = model.shapes.get(id) else {
            continue;
        };
        match &shape.kind {
            Kind::Service(s) => {
                stack.extend(s.operations.iter().map(String::as_str));
                stack.extend(s.resources.iter().map(String::as_str));
            }
            Kind::Resource(r) => {
                stack.extend(r.operations.iter().map(String::as_str));
                stack.extend(r.resources.iter().map(String::as_str));
            }
            Kind::Operation(_) => all.push(shape.id.as_str()),
            _ => err(
                d,
                service,
                None,
                format!("{id} is bound to the service but is not an operation or resource"),
            ),
        }
    }
    all.sort();
    let Some(wanted) = ops else { return all };
    let mut chosen = Vec::new();
    for name in wanted {
        match all.iter().find(|id| local_name(id) == name) {
            Some(id) => chosen.push(*id),
            None => err(
                d,
                service,
                None,
                format!("operation `{name}` is not an operation of this service"),
            ),
        }
    }
    chosen.sort();
    chosen.dedup();
    chosen
}

/// The shape id of the operation named `name` among `ops`.
fn operation_id<'m>(model: &'m Model, name: &str, ops: &[&'m str]) -> &'m str {
    ops.iter()
        .copied()
        .find(|id| model.shapes[*id].name() == name)
        .unwrap_or_default()
}

fn type_shape_id(t: &TypeDef) -> &str {
    match t {
        TypeDef::Struct(s) => &s.shape_id,
        TypeDef::Union(u) => &u.shape_id,
        TypeDef::Enum(e) => &e.shape_id,
    }
}
