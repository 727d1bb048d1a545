//! Lowering of structures, unions and enums, and of member types and
//! bindings, from the typed traits.

use std::collections::BTreeSet;

use super::names::unknown_variant;
use super::traits::{EnumValue, Traits};
use super::{Cx, graph, validate};
use crate::ir::*;
use crate::model::{self, Kind, Shape};
use crate::naming;

impl Cx<'_> {
    pub(super) fn ty(&mut self, owner: &Shape, member: &model::Member) -> Option<Ty> {
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
            Kind::Union if self.traits.is_event_stream(target) => Ty::EventStream {
                name: self.names.get(&target.id)?.clone(),
            },
            Kind::Timestamp => Ty::Timestamp(
                self.member_traits(owner, member)
                    .timestamp_format
                    .or(self.traits.shape(&target.id).timestamp_format),
            ),
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

    fn xml_member(&self, shape: &Shape, member: &model::Member) -> XmlMember {
        let t = self.member_traits(shape, member);
        XmlMember {
            name: t.xml_name.clone().unwrap_or_else(|| member.name.clone()),
            flattened: t.xml_flattened,
            attribute: t.xml_attribute,
            namespace: t.xml_namespace.clone(),
        }
    }

    pub(super) fn lower_struct(
        &mut self,
        shape: &Shape,
        role: StructRole,
        recursive: &BTreeSet<(String, String)>,
        (writes_xml, reads_xml): (bool, bool),
    ) -> StructDef {
        let st = self.traits.shape(&shape.id);
        let role = match role {
            StructRole::Plain if st.error => StructRole::Error {
                code: shape.name().to_owned(),
                status: st.http_error,
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
            let mt = self.member_traits(shape, m);
            let binding = self.binding(shape, m, &role);
            if mt.http_label && !mt.required {
                self.err(shape, Some(&m.name), "httpLabel members must be required");
            }
            validate::check_binding_type(&mut self.d, shape, m, &binding, &ty);
            let target = &self.model.shapes[&m.target];
            let tt = self.traits.shape(&target.id);
            fields.push(Field {
                member: m.name.clone(),
                name,
                docs: self.member_docs(shape, m, target),
                optional: !mt.required,
                boxed: recursive.contains(&(shape.id.clone(), m.name.clone())),
                binding,
                xml: self.xml_member(shape, m),
                idempotency_token: mt.idempotency_token,
                host_label: mt.host_label,
                media_type: tt.media_type.clone(),
                streaming: matches!(target.kind, Kind::Blob | Kind::Union) && tt.streaming,
                sensitive: self.is_sensitive(shape, m),
                ty,
            });
        }
        let exact_eq = !graph::has_float(self.model, &shape.id);
        let default = fields.iter().all(|f| f.optional);
        let mut def = StructDef {
            shape_id: shape.id.clone(),
            name: self
                .names
                .get(&shape.id)
                .cloned()
                .unwrap_or_else(|| naming::type_name(shape.name())),
            docs: docs(st),
            fields,
            derives: Derives { exact_eq, default },
            role,
            xml_name: st
                .xml_name
                .clone()
                .unwrap_or_else(|| shape.name().to_owned()),
            xml_namespace: st.xml_namespace.clone(),
            writes_xml,
            reads_xml,
            message: None,
        };
        // Errors and events are messages of their own; inputs and outputs
        // are the messages of their operation.
        let kind = match def.role {
            StructRole::Error { status, .. } => Some(MessageKind::Error { status }),
            _ if self.event_structs.contains(&shape.id) => Some(MessageKind::Event),
            _ => None,
        };
        if let Some(kind) = kind {
            let what = format!("the structure {}", shape.name());
            def.message = Some(Box::new(self.message(shape, &what, &def, kind, false)));
        }
        def
    }

    fn binding(&mut self, shape: &Shape, m: &model::Member, role: &StructRole) -> Binding {
        let t = self.member_traits(shape, m);
        if t.event_header || t.event_payload {
            if !self.event_structs.contains(&shape.id) {
                self.err(
                    shape,
                    Some(&m.name),
                    "eventHeader and eventPayload belong on members of event structures \
                     (the members of a streaming union)",
                );
            } else if t.event_header && t.event_payload {
                self.err(
                    shape,
                    Some(&m.name),
                    "a member cannot be both eventHeader and eventPayload",
                );
            }
            return if t.event_header {
                Binding::EventHeader
            } else {
                Binding::EventPayload
            };
        }
        let bindings = [
            t.http_label,
            t.http_query.is_some(),
            t.http_query_params,
            t.http_header.is_some(),
            t.http_prefix_headers.is_some(),
            t.http_payload,
            t.http_response_code,
        ];
        if bindings.iter().filter(|b| **b).count() > 1 {
            self.err(
                shape,
                Some(&m.name),
                "a member can have only one HTTP binding trait",
            );
        }
        let request_only = t.http_label || t.http_query.is_some() || t.http_query_params;
        // As Smithy specifies, a binding trait with no meaning where the
        // structure is used is ignored: the member travels in the body.
        let ignored = match role {
            StructRole::Input => t.http_response_code,
            StructRole::Output => request_only,
            StructRole::Error { .. } => request_only || t.http_response_code,
            StructRole::Plain => bindings.iter().any(|b| *b),
        };
        if ignored {
            return Binding::Body;
        }
        if t.http_payload && matches!(role, StructRole::Error { .. }) {
            self.err(
                shape,
                Some(&m.name),
                "httpPayload on error structures is not supported",
            );
        }
        if let Some(h) = &t.http_header {
            Binding::Header(h.to_ascii_lowercase())
        } else if let Some(q) = &t.http_query {
            Binding::Query(q.clone())
        } else if t.http_label {
            Binding::Label { greedy: false }
        } else if t.http_payload {
            Binding::Payload
        } else if let Some(prefix) = &t.http_prefix_headers {
            Binding::PrefixHeaders(prefix.to_ascii_lowercase())
        } else if t.http_query_params {
            Binding::QueryParams
        } else if t.http_response_code {
            Binding::ResponseCode
        } else {
            Binding::Body
        }
    }

    /// Whether a member's value is sensitive: the member, its target, or the
    /// items of a list or map it targets carry `sensitive`.
    fn is_sensitive(&self, shape: &Shape, m: &model::Member) -> bool {
        let target = &self.model.shapes[&m.target];
        self.member_traits(shape, m).sensitive
            || self.traits.shape(&target.id).sensitive
            || target.members.iter().any(|item| {
                self.member_traits(target, item).sensitive
                    || self.traits.shape(&item.target).sensitive
            }) && matches!(target.kind, Kind::List | Kind::Set | Kind::Map)
    }

    pub(super) fn lower_union(
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
                docs: docs(self.member_traits(shape, m)),
                boxed: recursive.contains(&(shape.id.clone(), m.name.clone())),
                xml: self.xml_member(shape, m),
                ty,
            });
        }
        UnionDef {
            shape_id: shape.id.clone(),
            name: self.names[&shape.id].clone(),
            docs: docs(self.traits.shape(&shape.id)),
            variants,
            unknown,
            shape_name: shape.name().to_owned(),
            xml_name: self
                .traits
                .shape(&shape.id)
                .xml_name
                .clone()
                .unwrap_or_else(|| shape.name().to_owned()),
            xml_namespace: self.traits.shape(&shape.id).xml_namespace.clone(),
            derives: Derives {
                exact_eq: !graph::has_float(self.model, &shape.id),
                default: false,
            },
            writes_xml,
            reads_xml,
            event_stream: self.traits.is_event_stream(shape),
        }
    }

    pub(super) fn lower_enum(&mut self, shape: &Shape) -> EnumDef {
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
            let t = self.member_traits(shape, m);
            let value = match &t.enum_value {
                None => m.name.clone(),
                Some(EnumValue::String(s)) => s.clone(),
                Some(EnumValue::Int) => {
                    self.err(
                        shape,
                        Some(&m.name),
                        "enumValue of a string enum must be a string",
                    );
                    continue;
                }
            };
            values.push((name, value, docs(t)));
        }
        EnumDef {
            shape_id: shape.id.clone(),
            name: self.names[&shape.id].clone(),
            docs: docs(self.traits.shape(&shape.id)),
            values,
            unknown,
        }
    }

    /// Documentation of a structure member, with a note on reading an event stream.
    fn member_docs(&self, owner: &Shape, m: &model::Member, target: &Shape) -> Vec<String> {
        let mut lines = docs(self.member_traits(owner, m));
        if self.traits.is_event_stream(target) {
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
}

/// A structure for an operation with no input or output shape.
pub(super) fn synthetic(name: String, role: StructRole) -> StructDef {
    StructDef {
        shape_id: String::new(),
        name,
        docs: vec![],
        fields: vec![],
        derives: Derives {
            exact_eq: true,
            default: true,
        },
        role,
        xml_name: String::new(),
        xml_namespace: None,
        writes_xml: false,
        reads_xml: false,
        message: None,
    }
}

/// Documentation lines of a shape or member, plus a note when it is deprecated.
pub(super) fn docs(traits: &Traits) -> Vec<String> {
    let mut lines: Vec<String> = traits
        .documentation
        .as_deref()
        .map(|d| d.lines().map(|l| l.trim_end().to_owned()).collect())
        .unwrap_or_default();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if let Some(dep) = &traits.deprecated {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let msg = dep.message.as_deref().unwrap_or("");
        lines.push(format!("Deprecated. {msg}").trim_end().to_owned());
    }
    lines
}
