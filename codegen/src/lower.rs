//! Validation and lowering: from the loaded model to the [`ir`](crate::ir).
//!
//! Only the shapes the selected operations reach are looked at. Every trait on
//! them must be one the generator handles or deliberately ignores (listed
//! below with the reason); anything else is an error, so nothing is dropped
//! silently. All problems are reported together.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diag::Diagnostics;
use crate::ir::*;
use crate::model::{self, Kind, Model, Shape, has, local_name, trait_str};
use crate::naming;

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
    "aws.protocols#restXml",
];

/// Traits that deliberately change nothing in a sans-IO crate, and why.
const IGNORED: &[(&str, &str)] = &[
    (
        "smithy.rules#contextParam",
        "endpoint resolution is the caller's",
    ),
    (
        "smithy.rules#staticContextParams",
        "endpoint resolution is the caller's",
    ),
    (
        "smithy.rules#clientContextParams",
        "endpoint resolution is the caller's",
    ),
    (
        "smithy.rules#endpointRuleSet",
        "endpoint resolution is the caller's",
    ),
    (
        "smithy.rules#endpointBdd",
        "endpoint resolution is the caller's",
    ),
    (
        "smithy.rules#endpointTests",
        "endpoint resolution is the caller's",
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
        "smithy.api#requestCompression",
        "compression is optional for clients; the request is sent uncompressed",
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
) -> Result<Crate, Diagnostics> {
    let mut cx = Cx {
        model,
        d: Diagnostics::default(),
        names: BTreeMap::new(),
        taken: BTreeMap::new(),
        io_uses: BTreeMap::new(),
        event_structs: BTreeSet::new(),
    };
    let Some(service) = cx.service(service) else {
        return Err(cx.d);
    };
    let op_ids = cx.select_operations(service, ops);
    for id in &op_ids {
        if let Kind::Operation(op) = &model.shapes[*id].kind {
            for io in [&op.input, &op.output] {
                if io != UNIT {
                    *cx.io_uses.entry(io.clone()).or_default() += 1;
                }
            }
        }
    }
    let closure = cx.closure(service, &op_ids);
    cx.check_traits(service, &closure);
    cx.check_kinds(&closure);
    cx.check_event_streams(&closure);
    if !cx.d.is_empty() {
        return cx.d.into_result(empty_crate());
    }
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
    let recursive = cx.recursive_members(&closure);
    let service_info = cx.service_info(service);

    let mut types = Vec::new();
    for id in &closure {
        let shape = &model.shapes[*id];
        if io.contains(*id) || *id == UNIT {
            continue;
        }
        // Every structure and union can be written and read as XML, so
        // clients and servers can use any of them; except event streams and
        // events, which travel as event-stream messages.
        let xml = !is_event_stream(shape) && !cx.event_structs.contains(*id);
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
        .filter_map(|id| cx.lower_operation(service, &model.shapes[*id], &recursive, &service_info))
        .collect();
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    // Which operations use each type, for per-operation cargo features.
    let by_shape: BTreeMap<&str, &str> =
        types.iter().map(|t| (type_shape_id(t), t.name())).collect();
    let mut type_features: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in &operations {
        let id = operation_id(model, &op.name, &op_ids);
        for reached in cx.closure(service, &[id]) {
            if let Some(name) = by_shape.get(reached) {
                type_features
                    .entry((*name).to_owned())
                    .or_default()
                    .push(op.feature.clone());
            }
        }
    }
    let krate = Crate {
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
            no_error_wrapping: false,
        },
        types: vec![],
        operations: vec![],
        type_features: BTreeMap::new(),
    }
}

struct Cx<'m> {
    model: &'m Model,
    d: Diagnostics,
    /// Shape id → Rust type name.
    names: BTreeMap<String, String>,
    /// Rust type name → the shape id (or synthesized item) that owns it.
    taken: BTreeMap<String, String>,
    /// How many times each shape serves as an operation input or output.
    io_uses: BTreeMap<String, usize>,
    /// Structures that are events of an event stream (members of a `streaming` union).
    event_structs: BTreeSet<String>,
}

impl<'m> Cx<'m> {
    fn err(&mut self, shape: &Shape, member: Option<&str>, msg: impl Into<String>) {
        self.d.push(Some(&shape.file), Some(&shape.id), member, msg);
    }

    fn service(&mut self, wanted: Option<&str>) -> Option<&'m Shape> {
        let services: Vec<&Shape> = self
            .model
            .shapes
            .values()
            .filter(|s| matches!(s.kind, Kind::Service(_)))
            .filter(|s| wanted.is_none_or(|w| s.id == w || s.name() == w))
            .collect();
        if let (Some(w), []) = (wanted, services.as_slice()) {
            self.d.push(
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
                self.d
                    .push(None, None, None, "the model defines no service shape");
                None
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|s| s.id.as_str()).collect();
                self.d.push(
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
    fn select_operations(&mut self, service: &Shape, ops: Option<&[String]>) -> Vec<&'m str> {
        let mut all: Vec<&'m str> = Vec::new();
        let mut stack: Vec<&'m str> = vec![self.model.shapes[&service.id].id.as_str()];
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(shape) = self.model.shapes.get(id) else {
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
                _ => self.err(
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
                None => self.err(
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

    /// Every shape the operations reach, plus the service errors.
    fn closure(&mut self, service: &'m Shape, ops: &[&'m str]) -> BTreeSet<&'m str> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<&'m str> = ops.to_vec();
        if let Kind::Service(s) = &service.kind {
            stack.extend(s.errors.iter().map(String::as_str));
        }
        while let Some(id) = stack.pop() {
            let Some(shape) = self.model.shapes.get(id) else {
                continue;
            };
            if !out.insert(shape.id.as_str()) {
                continue;
            }
            if let Kind::Operation(op) = &shape.kind {
                stack.push(&op.input);
                stack.push(&op.output);
                stack.extend(op.errors.iter().map(String::as_str));
            }
            stack.extend(shape.members.iter().map(|m| m.target.as_str()));
        }
        out
    }

    fn check_traits(&mut self, service: &'m Shape, closure: &BTreeSet<&'m str>) {
        let model = self.model;
        let known = |t: &str| HANDLED.contains(&t) || IGNORED.iter().any(|(i, _)| *i == t);
        for id in closure.iter().copied().chain([service.id.as_str()]) {
            let shape = &model.shapes[id];
            if shape.file == "<prelude>" {
                continue;
            }
            for t in shape.traits.keys().filter(|t| !known(t)) {
                self.err(
                    shape,
                    None,
                    format!("trait {t} is not supported by this generator"),
                );
            }
            for m in &shape.members {
                for t in m.traits.keys().filter(|t| !known(t)) {
                    self.err(
                        shape,
                        Some(&m.name),
                        format!("trait {t} is not supported by this generator"),
                    );
                }
            }
        }
    }

    fn check_kinds(&mut self, closure: &BTreeSet<&'m str>) {
        for id in closure {
            let shape = &self.model.shapes[*id];
            if !is_supported_kind(&shape.kind) && shape.file != "<prelude>" {
                self.err(
                    shape,
                    None,
                    format!(
                        "{} shapes are not supported by this generator yet",
                        shape.kind.name()
                    ),
                );
            }
            // A prelude shape is in none of the user's files: name the members that use it.
            for m in &shape.members {
                let target = &self.model.shapes[&m.target];
                if target.file == "<prelude>" && !is_supported_kind(&target.kind) {
                    let msg = format!(
                        "targets {}: {} shapes are not supported by this generator yet",
                        target.id,
                        target.kind.name()
                    );
                    self.err(shape, Some(&m.name), msg);
                }
            }
            if matches!(shape.kind, Kind::Map) {
                if let Some(key) = shape.member("key") {
                    let target = &self.model.shapes[&key.target];
                    if !matches!(target.kind, Kind::String | Kind::Enum) {
                        self.err(
                            shape,
                            Some("key"),
                            "map keys must be strings or string enums",
                        );
                    }
                }
            }
            if matches!(shape.kind, Kind::Union) {
                for m in &shape.members {
                    if m.target == UNIT {
                        self.err(
                            shape,
                            Some(&m.name),
                            "union members targeting smithy.api#Unit are not supported yet",
                        );
                    }
                }
            }
        }
    }

    /// Event streams: their members must be event structures (exceptions,
    /// modeled errors inside a stream, are not supported yet), and only an
    /// operation output may carry one. Records the event structures.
    fn check_event_streams(&mut self, closure: &BTreeSet<&'m str>) {
        let model = self.model;
        for id in closure {
            let shape = &model.shapes[*id];
            if let Kind::Operation(op) = &shape.kind {
                if let Some(input) = model.shapes.get(&op.input) {
                    for m in &input.members {
                        if model.shapes.get(&m.target).is_some_and(is_event_stream) {
                            self.err(
                                input,
                                Some(&m.name),
                                "event streams in operation inputs are not supported yet",
                            );
                        }
                    }
                }
            }
            if !is_event_stream(shape) {
                continue;
            }
            for m in &shape.members {
                let target = &model.shapes[&m.target];
                if target.kind != Kind::Structure {
                    self.err(
                        shape,
                        Some(&m.name),
                        "the members of an event stream must target structures",
                    );
                } else if has(&target.traits, "smithy.api#error") {
                    self.err(
                        shape,
                        Some(&m.name),
                        "error members of event streams (modeled exceptions) are not supported yet",
                    );
                } else {
                    self.event_structs.insert(target.id.clone());
                    for em in &target.members {
                        if !has(&em.traits, "smithy.api#eventHeader")
                            && !has(&em.traits, "smithy.api#eventPayload")
                        {
                            self.err(
                                target,
                                Some(&em.name),
                                "event members that are neither eventHeader nor eventPayload \
                                 (an XML document payload) are not supported yet",
                            );
                        }
                    }
                }
            }
        }
    }

    /// Decides the Rust name of every generated type, reporting collisions.
    fn assign_names(&mut self, service: &Shape, closure: &BTreeSet<&'m str>, ops: &[&'m str]) {
        let model = self.model;
        let rename = match &service.kind {
            Kind::Service(svc) => svc.rename.clone(),
            _ => BTreeMap::new(),
        };
        for id in closure {
            let shape = &model.shapes[*id];
            if !matches!(shape.kind, Kind::Structure | Kind::Union | Kind::Enum) || *id == UNIT {
                continue;
            }
            let base = rename.get(*id).map_or(shape.name(), String::as_str);
            self.claim(shape, naming::type_name(base));
        }
        for id in ops {
            let shape = &model.shapes[*id];
            let Kind::Operation(op) = &shape.kind else {
                continue;
            };
            let name = naming::type_name(shape.name());
            self.claim(shape, name.clone());
            for (io, suffix) in [(&op.input, "Input"), (&op.output, "Output")] {
                // A shape shared by several operations (or used as both input
                // and output) gets one copy per use, named after the operation.
                if io == UNIT || self.io_uses.get(io).is_some_and(|n| *n > 1) {
                    self.claim_synthetic(
                        shape,
                        &format!("{}#{suffix}", shape.id),
                        format!("{name}{suffix}"),
                    );
                }
            }
            self.claim_synthetic(
                shape,
                &format!("{}#Error", shape.id),
                format!("{name}Error"),
            );
        }
    }

    fn claim(&mut self, shape: &Shape, name: String) {
        self.claim_synthetic(shape, &shape.id.clone(), name);
    }

    fn claim_synthetic(&mut self, shape: &Shape, key: &str, name: String) {
        if let Some(owner) = self.taken.get(&name) {
            if owner != key {
                let msg = format!(
                    "its Rust name `{name}` is also the name of {owner}; rename one (service `rename`)"
                );
                self.err(shape, None, msg);
                return;
            }
        }
        self.taken.insert(name.clone(), key.to_owned());
        self.names.insert(key.to_owned(), name);
    }

    /// (shape id, member name) pairs whose value must be boxed: a structure or
    /// union member that leads back to its own shape without passing a list or map.
    fn recursive_members(&self, closure: &BTreeSet<&'m str>) -> BTreeSet<(String, String)> {
        let model = self.model;
        let direct = |id: &str| -> Vec<&str> {
            let shape = &model.shapes[id];
            if !matches!(shape.kind, Kind::Structure | Kind::Union) {
                return vec![];
            }
            shape
                .members
                .iter()
                .map(|m| m.target.as_str())
                .filter(|t| matches!(model.shapes[*t].kind, Kind::Structure | Kind::Union))
                .collect()
        };
        let reaches = |from: &str, to: &str| -> bool {
            let mut stack = vec![from];
            let mut seen = BTreeSet::new();
            while let Some(id) = stack.pop() {
                if id == to {
                    return true;
                }
                if seen.insert(id) {
                    stack.extend(direct(id));
                }
            }
            false
        };
        let mut out = BTreeSet::new();
        for id in closure {
            let shape = &model.shapes[*id];
            if !matches!(shape.kind, Kind::Structure | Kind::Union) {
                continue;
            }
            for m in &shape.members {
                if direct(id).contains(&m.target.as_str()) && reaches(&m.target, id) {
                    out.insert((shape.id.clone(), m.name.clone()));
                }
            }
        }
        out
    }

    fn service_info(&mut self, service: &Shape) -> ServiceInfo {
        let version = match &service.kind {
            Kind::Service(s) => s.version.clone(),
            _ => None,
        };
        let protocol = service.traits.get("aws.protocols#restXml");
        if protocol.is_none() {
            self.err(
                service,
                None,
                "the service has no aws.protocols#restXml trait; only restXml is generated",
            );
        }
        let no_error_wrapping = protocol
            .and_then(|p| p.get("noErrorWrapping"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        ServiceInfo {
            id: service.id.clone(),
            title: trait_str(&service.traits, "smithy.api#title").map(str::to_owned),
            version,
            xml_namespace: self.namespace(service, None, &service.traits),
            no_error_wrapping,
        }
    }

    fn namespace(
        &mut self,
        shape: &Shape,
        member: Option<&str>,
        traits: &model::Traits,
    ) -> Option<XmlNamespace> {
        let ns = traits.get("smithy.api#xmlNamespace")?;
        let Some(uri) = ns.get("uri").and_then(Value::as_str) else {
            self.err(shape, member, "smithy.api#xmlNamespace needs a \"uri\"");
            return None;
        };
        Some(XmlNamespace {
            uri: uri.to_owned(),
            prefix: ns.get("prefix").and_then(Value::as_str).map(str::to_owned),
        })
    }

    fn ty(&mut self, owner: &Shape, member: &model::Member) -> Option<Ty> {
        let model = self.model;
        let target = &model.shapes[&member.target];
        let ty = match &target.kind {
            Kind::String => Ty::String,
            Kind::Boolean => Ty::Bool,
            Kind::Byte => Ty::Byte,
            Kind::Short => Ty::Short,
            Kind::Integer => Ty::Int,
            Kind::Long => Ty::Long,
            Kind::Float => Ty::Float,
            Kind::Double => Ty::Double,
            Kind::IntEnum => Ty::Int,
            Kind::Blob => Ty::Blob,
            Kind::Union if is_event_stream(target) => Ty::EventStream {
                name: self.names.get(&target.id)?.clone(),
            },
            Kind::Timestamp => {
                let format = trait_str(&member.traits, "smithy.api#timestampFormat")
                    .or_else(|| trait_str(&target.traits, "smithy.api#timestampFormat"));
                Ty::Timestamp(match format {
                    None => None,
                    Some("date-time") => Some(TimestampFormat::DateTime),
                    Some("http-date") => Some(TimestampFormat::HttpDate),
                    Some("epoch-seconds") => Some(TimestampFormat::EpochSeconds),
                    Some(other) => {
                        self.err(
                            owner,
                            Some(&member.name),
                            format!("unknown timestampFormat \"{other}\""),
                        );
                        return None;
                    }
                })
            }
            Kind::Structure | Kind::Union | Kind::Enum => {
                let kind = match target.kind {
                    Kind::Structure => NamedKind::Struct,
                    Kind::Union => NamedKind::Union,
                    _ => NamedKind::Enum,
                };
                let Some(name) = self.names.get(&target.id).cloned() else {
                    self.err(
                        owner,
                        Some(&member.name),
                        format!("{} cannot be used as a member type", target.id),
                    );
                    return None;
                };
                Ty::Named { name, kind }
            }
            Kind::List | Kind::Set => {
                let item = target.member("member")?;
                Ty::List {
                    item: Box::new(self.ty(target, item)?),
                    member: self.xml_member(target, item),
                }
            }
            Kind::Map => {
                let key = target.member("key")?;
                let value = target.member("value")?;
                Ty::Map {
                    key: Box::new(self.ty(target, key)?),
                    value: Box::new(self.ty(target, value)?),
                    key_xml: self.xml_member(target, key),
                    value_xml: self.xml_member(target, value),
                }
            }
            other => {
                self.err(
                    owner,
                    Some(&member.name),
                    format!("{} members are not supported yet", other.name()),
                );
                return None;
            }
        };
        Some(ty)
    }

    fn xml_member(&mut self, shape: &Shape, member: &model::Member) -> XmlMember {
        XmlMember {
            name: trait_str(&member.traits, "smithy.api#xmlName")
                .unwrap_or(&member.name)
                .to_owned(),
            flattened: has(&member.traits, "smithy.api#xmlFlattened"),
            attribute: has(&member.traits, "smithy.api#xmlAttribute"),
            namespace: self.namespace(shape, Some(&member.name), &member.traits),
        }
    }

    fn lower_struct(
        &mut self,
        shape: &Shape,
        role: StructRole,
        recursive: &BTreeSet<(String, String)>,
        (writes_xml, reads_xml): (bool, bool),
    ) -> StructDef {
        let role = match role {
            StructRole::Plain if has(&shape.traits, "smithy.api#error") => StructRole::Error {
                code: shape.name().to_owned(),
                status: shape
                    .traits
                    .get("smithy.api#httpError")
                    .and_then(Value::as_u64)
                    .and_then(|c| u16::try_from(c).ok()),
            },
            other => other,
        };
        let reserved: &[&str] = if matches!(role, StructRole::Error { .. }) {
            &["meta"]
        } else {
            &[]
        };
        let names = naming::unique(
            shape
                .members
                .iter()
                .map(|m| naming::field_name(&m.name))
                .collect(),
            reserved,
        );
        let mut fields = Vec::new();
        for (m, name) in shape.members.iter().zip(names) {
            let Some(ty) = self.ty(shape, m) else {
                continue;
            };
            let binding = self.binding(shape, m, &role);
            if m.traits.contains_key("smithy.api#httpLabel")
                && !has(&m.traits, "smithy.api#required")
            {
                self.err(shape, Some(&m.name), "httpLabel members must be required");
            }
            self.check_binding_type(shape, m, &binding, &ty);
            let target = &self.model.shapes[&m.target];
            fields.push(Field {
                member: m.name.clone(),
                name,
                docs: member_docs(m, target),
                optional: !has(&m.traits, "smithy.api#required"),
                boxed: recursive.contains(&(shape.id.clone(), m.name.clone())),
                binding,
                xml: self.xml_member(shape, m),
                idempotency_token: has(&m.traits, "smithy.api#idempotencyToken"),
                host_label: has(&m.traits, "smithy.api#hostLabel"),
                media_type: trait_str(&target.traits, "smithy.api#mediaType").map(str::to_owned),
                streaming: matches!(target.kind, Kind::Blob | Kind::Union)
                    && has(&target.traits, "smithy.api#streaming"),
                sensitive: self.is_sensitive(m),
                ty,
            });
        }
        let eq_hash = !self.has_float(&shape.id);
        let default = fields.iter().all(|f| f.optional);
        StructDef {
            shape_id: shape.id.clone(),
            name: self
                .names
                .get(&shape.id)
                .cloned()
                .unwrap_or_else(|| naming::type_name(shape.name())),
            docs: docs(&shape.traits),
            fields,
            derives: Derives { eq_hash, default },
            role,
            xml_name: trait_str(&shape.traits, "smithy.api#xmlName")
                .unwrap_or(shape.name())
                .to_owned(),
            xml_namespace: self.namespace(shape, None, &shape.traits),
            writes_xml,
            reads_xml,
        }
    }

    fn binding(&mut self, shape: &Shape, m: &model::Member, role: &StructRole) -> Binding {
        let t = &m.traits;
        let event_header = has(t, "smithy.api#eventHeader");
        let event_payload = has(t, "smithy.api#eventPayload");
        if event_header || event_payload {
            if !self.event_structs.contains(&shape.id) {
                self.err(
                    shape,
                    Some(&m.name),
                    "eventHeader and eventPayload belong on members of event structures \
                     (the members of a streaming union)",
                );
            } else if event_header && event_payload {
                self.err(
                    shape,
                    Some(&m.name),
                    "a member cannot be both eventHeader and eventPayload",
                );
            }
            return if event_header {
                Binding::EventHeader
            } else {
                Binding::EventPayload
            };
        }
        let bindings = [
            has(t, "smithy.api#httpLabel"),
            has(t, "smithy.api#httpQuery"),
            has(t, "smithy.api#httpQueryParams"),
            has(t, "smithy.api#httpHeader"),
            has(t, "smithy.api#httpPrefixHeaders"),
            has(t, "smithy.api#httpPayload"),
            has(t, "smithy.api#httpResponseCode"),
        ];
        if bindings.iter().filter(|b| **b).count() > 1 {
            self.err(
                shape,
                Some(&m.name),
                "a member can have only one HTTP binding trait",
            );
        }
        let [
            label,
            query,
            query_params,
            header,
            prefix_headers,
            payload,
            response_code,
        ] = bindings;
        // As Smithy specifies, a binding trait with no meaning where the
        // structure is used is ignored: the member travels in the body.
        let request_only = label || query || query_params;
        let ignored = match role {
            StructRole::Input => response_code,
            StructRole::Output => request_only,
            StructRole::Error { .. } => request_only || response_code,
            StructRole::Plain => bindings.iter().any(|b| *b),
        };
        if ignored {
            return Binding::Body;
        }
        if payload && matches!(role, StructRole::Error { .. }) {
            self.err(
                shape,
                Some(&m.name),
                "httpPayload on error structures is not supported",
            );
        }
        let _ = (header, prefix_headers);
        if let Some(h) = trait_str(t, "smithy.api#httpHeader") {
            Binding::Header(h.to_ascii_lowercase())
        } else if let Some(q) = trait_str(t, "smithy.api#httpQuery") {
            Binding::Query(q.to_owned())
        } else if has(t, "smithy.api#httpLabel") {
            Binding::Label { greedy: false }
        } else if has(t, "smithy.api#httpPayload") {
            Binding::Payload
        } else if let Some(prefix) = trait_str(t, "smithy.api#httpPrefixHeaders") {
            Binding::PrefixHeaders(prefix.to_ascii_lowercase())
        } else if has(t, "smithy.api#httpQueryParams") {
            Binding::QueryParams
        } else if has(t, "smithy.api#httpResponseCode") {
            Binding::ResponseCode
        } else {
            Binding::Body
        }
    }

    /// Whether a member's value is sensitive: the member, its target, or the
    /// items of a list or map it targets carry `sensitive`.
    fn is_sensitive(&self, m: &model::Member) -> bool {
        let marked = |traits: &model::Traits| has(traits, "smithy.api#sensitive");
        let target = &self.model.shapes[&m.target];
        marked(&m.traits)
            || marked(&target.traits)
            || target
                .members
                .iter()
                .any(|item| marked(&item.traits) || marked(&self.model.shapes[&item.target].traits))
                && matches!(target.kind, Kind::List | Kind::Set | Kind::Map)
    }

    /// HTTP-bound members must have types the binding can carry.
    fn check_binding_type(&mut self, shape: &Shape, m: &model::Member, binding: &Binding, ty: &Ty) {
        let scalar = |ty: &Ty| {
            matches!(
                ty,
                Ty::String
                    | Ty::Bool
                    | Ty::Byte
                    | Ty::Short
                    | Ty::Int
                    | Ty::Long
                    | Ty::Float
                    | Ty::Double
                    | Ty::Timestamp(_)
                    | Ty::Blob
                    | Ty::Named {
                        kind: NamedKind::Enum,
                        ..
                    }
            )
        };
        let scalar_or_list = |ty: &Ty| match ty {
            Ty::List { item, .. } => scalar(item),
            other => scalar(other),
        };
        let string_map = |ty: &Ty, lists: bool| match ty {
            Ty::Map { key, value, .. } => {
                matches!(
                    **key,
                    Ty::String
                        | Ty::Named {
                            kind: NamedKind::Enum,
                            ..
                        }
                ) && (matches!(**value, Ty::String)
                    || (lists && matches!(&**value, Ty::List { item, .. } if **item == Ty::String)))
            }
            _ => false,
        };
        if matches!(ty, Ty::EventStream { .. }) && *binding != Binding::Payload {
            self.err(
                shape,
                Some(&m.name),
                "an event stream must be the httpPayload member of an operation output",
            );
            return;
        }
        let ok = match binding {
            Binding::Body => !matches!(ty, Ty::EventStream { .. }),
            Binding::Label { .. } => scalar(ty) && *ty != Ty::Blob,
            Binding::Query(_) | Binding::Header(_) => scalar_or_list(ty),
            Binding::QueryParams => string_map(ty, true),
            Binding::PrefixHeaders(_) => string_map(ty, false),
            Binding::ResponseCode => *ty == Ty::Int,
            Binding::Payload => {
                matches!(
                    ty,
                    Ty::String | Ty::Blob | Ty::Named { .. } | Ty::EventStream { .. }
                )
            }
            // Message headers have no floating-point type.
            Binding::EventHeader => scalar(ty) && !matches!(ty, Ty::Float | Ty::Double),
            Binding::EventPayload => matches!(
                ty,
                Ty::String
                    | Ty::Blob
                    | Ty::Named {
                        kind: NamedKind::Struct | NamedKind::Union,
                        ..
                    }
            ),
        };
        if !ok {
            self.err(
                shape,
                Some(&m.name),
                format!("a member of this type cannot be bound with {binding:?}"),
            );
        }
    }

    /// Whether a float, double or map is reachable from `id` (then Eq and Hash cannot be derived).
    fn has_float(&self, id: &str) -> bool {
        let mut stack = vec![id];
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let shape = &self.model.shapes[id];
            // Floats have no Eq; maps keep insertion order and have no Hash.
            if matches!(shape.kind, Kind::Float | Kind::Double | Kind::Map) {
                return true;
            }
            stack.extend(shape.members.iter().map(|m| m.target.as_str()));
        }
        false
    }

    fn lower_union(
        &mut self,
        shape: &Shape,
        recursive: &BTreeSet<(String, String)>,
        (writes_xml, reads_xml): (bool, bool),
    ) -> UnionDef {
        let names = shape
            .members
            .iter()
            .map(|m| naming::variant_name(&m.name))
            .collect();
        let names = naming::unique_variants(names, &[]);
        let unknown = unknown_variant(&names);
        let mut variants = Vec::new();
        for (m, name) in shape.members.iter().zip(names) {
            let Some(ty) = self.ty(shape, m) else {
                continue;
            };
            variants.push(Variant {
                member: m.name.clone(),
                name,
                docs: docs(&m.traits),
                boxed: recursive.contains(&(shape.id.clone(), m.name.clone())),
                xml: self.xml_member(shape, m),
                ty,
            });
        }
        UnionDef {
            shape_id: shape.id.clone(),
            name: self.names[&shape.id].clone(),
            docs: docs(&shape.traits),
            variants,
            unknown,
            derives: Derives {
                eq_hash: !self.has_float(&shape.id),
                default: false,
            },
            writes_xml,
            reads_xml,
            event_stream: is_event_stream(shape),
        }
    }

    fn lower_enum(&mut self, shape: &Shape) -> EnumDef {
        let names = naming::unique_variants(
            shape
                .members
                .iter()
                .map(|m| naming::variant_name(&m.name))
                .collect(),
            &[],
        );
        let unknown = unknown_variant(&names);
        let mut values = Vec::new();
        for (m, name) in shape.members.iter().zip(names) {
            let value = match m.traits.get("smithy.api#enumValue") {
                None => m.name.clone(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => {
                    self.err(
                        shape,
                        Some(&m.name),
                        "enumValue of a string enum must be a string",
                    );
                    continue;
                }
            };
            values.push((name, value, docs(&m.traits)));
        }
        EnumDef {
            shape_id: shape.id.clone(),
            name: self.names[&shape.id].clone(),
            docs: docs(&shape.traits),
            values,
            unknown,
        }
    }

    fn lower_operation(
        &mut self,
        service: &Shape,
        shape: &Shape,
        recursive: &BTreeSet<(String, String)>,
        service_info: &ServiceInfo,
    ) -> Option<OperationDef> {
        let model = self.model;
        let Kind::Operation(op) = &shape.kind else {
            return None;
        };
        let Some(http) = shape.traits.get("smithy.api#http") else {
            self.err(shape, None, "operation has no smithy.api#http trait");
            return None;
        };
        let method = http
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let uri = http
            .get("uri")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let code = http.get("code").and_then(Value::as_u64).unwrap_or(200);
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            self.err(
                shape,
                None,
                "smithy.api#http needs an upper-case \"method\"",
            );
        }
        if !uri.starts_with('/') {
            self.err(
                shape,
                None,
                "smithy.api#http needs a \"uri\" that starts with /",
            );
        }
        let name = self.names[&shape.id].clone();

        let mut input = match model.shapes.get(&op.input) {
            Some(s) if s.id != UNIT => {
                self.lower_struct(s, StructRole::Input, recursive, (false, false))
            }
            _ => synthetic(format!("{name}Input"), StructRole::Input),
        };
        let mut output = match model.shapes.get(&op.output) {
            Some(s) if s.id != UNIT => {
                self.lower_struct(s, StructRole::Output, recursive, (false, false))
            }
            _ => synthetic(format!("{name}Output"), StructRole::Output),
        };
        for (def, suffix) in [(&mut input, "Input"), (&mut output, "Output")] {
            if let Some(own) = self.names.get(&format!("{}#{suffix}", shape.id)) {
                def.name = own.clone();
            }
        }
        // The output's body members form the response document.
        output.reads_xml = output.fields.iter().any(|f| f.binding == Binding::Body);
        if output.reads_xml && output.fields.iter().any(|f| f.binding == Binding::Payload) {
            self.err(
                shape,
                None,
                "the output has an httpPayload member and unbound members",
            );
        }

        // URI pattern: path segments and literal query parameters.
        let (path_part, query_part) = uri.split_once('?').unwrap_or((&uri, ""));
        let mut path = Vec::new();
        let mut labels_seen = BTreeSet::new();
        for seg in path_part.strip_prefix('/').unwrap_or(path_part).split('/') {
            if let Some(label) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let (label, greedy) = match label.strip_suffix('+') {
                    Some(l) => (l, true),
                    None => (label, false),
                };
                match input
                    .fields
                    .iter()
                    .position(|f| f.member == label && matches!(f.binding, Binding::Label { .. }))
                {
                    Some(i) => {
                        input.fields[i].binding = Binding::Label { greedy };
                        labels_seen.insert(label.to_owned());
                        path.push(PathSegment::Label { field: i, greedy });
                    }
                    None => self.err(
                        shape,
                        None,
                        format!("URI label {{{label}}} has no httpLabel member in the input"),
                    ),
                }
            } else if seg.contains(['{', '}']) {
                self.err(
                    shape,
                    None,
                    format!("URI segment `{seg}` mixes a label with literal text"),
                );
            } else {
                path.push(PathSegment::Literal(seg.to_owned()));
            }
        }
        for f in &input.fields {
            if matches!(f.binding, Binding::Label { .. }) && !labels_seen.contains(&f.member) {
                let msg = format!(
                    "httpLabel member {} does not appear in the URI {uri}",
                    f.member
                );
                self.err(shape, None, msg);
            }
        }
        let query_literals = query_part
            .split('&')
            .filter(|q| !q.is_empty())
            .map(|q| match q.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (q.to_owned(), None),
            })
            .collect();

        // Request body.
        let payloads: Vec<usize> = (0..input.fields.len())
            .filter(|i| input.fields[*i].binding == Binding::Payload)
            .collect();
        let has_body_members = input.fields.iter().any(|f| f.binding == Binding::Body);
        let request_body = match payloads.as_slice() {
            [] if has_body_members => RequestBody::XmlMembers {
                root: input.xml_name.clone(),
                namespace: input
                    .xml_namespace
                    .clone()
                    .or_else(|| service_info.xml_namespace.clone()),
            },
            [] => RequestBody::None,
            [i] => {
                let field = &input.fields[*i];
                if has_body_members {
                    self.err(
                        shape,
                        None,
                        "the input has an httpPayload member and unbound members",
                    );
                }
                let input_shape = &model.shapes[&op.input];
                let member = input_shape.member(&field.member)?;
                let target = &model.shapes[&member.target];
                let raw_type = match target.kind {
                    Kind::Structure | Kind::Union => None,
                    Kind::String | Kind::Enum => Some("text/plain"),
                    Kind::Blob => Some("application/octet-stream"),
                    _ => {
                        self.err(
                            input_shape,
                            Some(&field.member),
                            format!("{} payloads are not supported", target.kind.name()),
                        );
                        return None;
                    }
                };
                if let Some(default_type) = raw_type {
                    let content_type = field.media_type.clone().unwrap_or(default_type.to_owned());
                    RequestBody::RawPayload {
                        field: *i,
                        content_type,
                    }
                } else {
                    let root = trait_str(&member.traits, "smithy.api#xmlName")
                        .or_else(|| trait_str(&target.traits, "smithy.api#xmlName"))
                        .unwrap_or(target.name())
                        .to_owned();
                    let namespace = self
                        .namespace(input_shape, Some(&member.name), &member.traits)
                        .or_else(|| self.namespace(target, None, &target.traits))
                        .or_else(|| service_info.xml_namespace.clone());
                    RequestBody::XmlPayload {
                        field: *i,
                        root,
                        namespace,
                    }
                }
            }
            _ => {
                self.err(
                    shape,
                    None,
                    "the input has more than one httpPayload member",
                );
                RequestBody::None
            }
        };
        if has_body_members {
            input.writes_xml = true;
        }

        // Errors: the operation's, then the service's.
        let mut errors = Vec::new();
        let service_errors = match &service.kind {
            Kind::Service(s) => s.errors.clone(),
            _ => vec![],
        };
        for id in op.errors.iter().chain(&service_errors) {
            let err = &model.shapes[id];
            if !has(&err.traits, "smithy.api#error") || err.kind != Kind::Structure {
                self.err(
                    shape,
                    None,
                    format!("{id} is listed as an error but is not an error structure"),
                );
                continue;
            }
            if errors.iter().any(|e: &ErrorRef| e.code == err.name()) {
                continue;
            }
            errors.push(ErrorRef {
                variant: naming::variant_name(err.name()),
                type_name: self.names[&err.id].clone(),
                code: err.name().to_owned(),
                has_members: !err.members.is_empty(),
            });
        }
        let taken: Vec<String> = errors.iter().map(|e| e.variant.clone()).collect();
        if taken.iter().any(|v| v == "Unhandled") {
            self.err(
                shape,
                None,
                "an error named Unhandled collides with the variant for unmodeled errors",
            );
        }

        let host_prefix = shape
            .traits
            .get("smithy.api#endpoint")
            .and_then(|e| e.get("hostPrefix"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(prefix) = &host_prefix {
            let mut rest = prefix.as_str();
            while let Some((_, after)) = rest.split_once('{') {
                let Some((label, tail)) = after.split_once('}') else {
                    self.err(
                        shape,
                        None,
                        format!("unterminated label in hostPrefix {prefix}"),
                    );
                    break;
                };
                if !input
                    .fields
                    .iter()
                    .any(|f| f.member == label && f.host_label)
                {
                    self.err(
                        shape,
                        None,
                        format!(
                            "hostPrefix label {{{label}}} has no hostLabel member in the input"
                        ),
                    );
                }
                rest = tail;
            }
        }

        let checksum = shape.traits.get("aws.protocols#httpChecksum").map(|t| {
            let required = t
                .get("requestChecksumRequired")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let member = t.get("requestAlgorithmMember").and_then(Value::as_str);
            let algorithm_field =
                member.and_then(|m| input.fields.iter().position(|f| f.member == m));
            if let (Some(m), None) = (member, algorithm_field) {
                self.err(
                    shape,
                    None,
                    format!("httpChecksum names the member {m}, which the input does not have"),
                );
            }
            Checksum {
                required,
                algorithm_field,
            }
        });

        Some(OperationDef {
            feature: naming::feature_name(shape.name()),
            checksum,
            unwrapped_output: has(&shape.traits, "aws.customizations#s3UnwrappedXmlOutput"),
            host_prefix,
            module: naming::field_name(shape.name()),
            docs: docs(&shape.traits),
            method,
            path,
            query_literals,
            code: u16::try_from(code).unwrap_or(200),
            input,
            output,
            errors,
            error_name: format!("{name}Error"),
            request_body,
            name: shape.name().to_owned(),
        })
    }
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

/// A streaming union: an event stream.
fn is_event_stream(shape: &Shape) -> bool {
    shape.kind == Kind::Union && has(&shape.traits, "smithy.api#streaming")
}

/// Shape kinds the generator handles.
fn is_supported_kind(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::String
            | Kind::Boolean
            | Kind::Byte
            | Kind::Short
            | Kind::Integer
            | Kind::Long
            | Kind::Float
            | Kind::Double
            | Kind::Timestamp
            | Kind::Blob
            | Kind::IntEnum
            | Kind::Enum
            | Kind::List
            | Kind::Set
            | Kind::Map
            | Kind::Structure
            | Kind::Union
            | Kind::Operation(_)
    )
}

/// The name of the variant that keeps an unknown member or value: `Unknown`,
/// unless a modeled variant already has that name.
fn unknown_variant(names: &[String]) -> String {
    let taken: Vec<&str> = names.iter().map(String::as_str).collect();
    naming::unique_variants(vec!["Unknown".into()], &taken).remove(0)
}

fn synthetic(name: String, role: StructRole) -> StructDef {
    StructDef {
        shape_id: String::new(),
        name,
        docs: vec![],
        fields: vec![],
        derives: Derives {
            eq_hash: true,
            default: true,
        },
        role,
        xml_name: String::new(),
        xml_namespace: None,
        writes_xml: false,
        reads_xml: false,
    }
}

/// Documentation of a structure member, with a note on reading an event stream.
fn member_docs(m: &model::Member, target: &Shape) -> Vec<String> {
    let mut lines = docs(&m.traits);
    if is_event_stream(target) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!(
            "An event stream of {} events (`application/vnd.amazon.eventstream`): \
             `parse_response` decodes a whole body into the events, in order; for a \
             body that arrives in chunks, read the head with `from_response_head` and \
             feed the chunks to a [`crate::event_stream::Decoder`].",
            target.name()
        ));
    }
    lines
}

/// Documentation lines of a shape or member, plus a note when it is deprecated.
fn docs(traits: &model::Traits) -> Vec<String> {
    let mut lines: Vec<String> = trait_str(traits, "smithy.api#documentation")
        .map(|d| d.lines().map(|l| l.trim_end().to_owned()).collect())
        .unwrap_or_default();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if let Some(dep) = traits.get("smithy.api#deprecated") {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let msg = dep.get("message").and_then(Value::as_str).unwrap_or("");
        lines.push(format!("Deprecated. {msg}").trim_end().to_owned());
    }
    lines
}
