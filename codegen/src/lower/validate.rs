//! Checks of the shapes the operations reach: every trait is one the
//! generator handles or deliberately ignores, every shape kind is supported,
//! event streams have the form the generator handles, and HTTP-bound members
//! have types their binding can carry.

use std::collections::BTreeSet;

use super::traits::TraitTable;
use super::{HANDLED, IGNORED, UNIT, err};
use crate::diag::Diagnostics;
use crate::ir::{Binding, NamedKind, Ty};
use crate::model::{self, Kind, Model, Shape};

/// Every trait of the reached shapes (and of the service) must be handled or
/// deliberately ignored.
pub(super) fn check_traits(
    model: &Model,
    service: &Shape,
    closure: &BTreeSet<&str>,
    d: &mut Diagnostics,
) {
    let known = |t: &str| HANDLED.contains(&t) || IGNORED.iter().any(|(i, _)| *i == t);
    for id in closure.iter().copied().chain([service.id.as_str()]) {
        let shape = &model.shapes[id];
        if shape.file == "<prelude>" {
            continue;
        }
        for t in shape.traits.keys().filter(|t| !known(t)) {
            err(
                d,
                shape,
                None,
                format!("trait {t} is not supported by this generator"),
            );
        }
        for m in &shape.members {
            for t in m.traits.keys().filter(|t| !known(t)) {
                err(
                    d,
                    shape,
                    Some(&m.name),
                    format!("trait {t} is not supported by this generator"),
                );
            }
        }
    }
}

/// Every reached shape must be of a kind the generator handles.
pub(super) fn check_kinds(model: &Model, closure: &BTreeSet<&str>, d: &mut Diagnostics) {
    for id in closure {
        let shape = &model.shapes[*id];
        if !is_supported_kind(&shape.kind) && shape.file != "<prelude>" {
            err(
                d,
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
            let target = &model.shapes[&m.target];
            if target.file == "<prelude>" && !is_supported_kind(&target.kind) {
                let msg = format!(
                    "targets {}: {} shapes are not supported by this generator yet",
                    target.id,
                    target.kind.name()
                );
                err(d, shape, Some(&m.name), msg);
            }
        }
        if matches!(shape.kind, Kind::Map) {
            if let Some(key) = shape.member("key") {
                let target = &model.shapes[&key.target];
                if !matches!(target.kind, Kind::String | Kind::Enum) {
                    err(
                        d,
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
                    err(
                        d,
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
/// operation output may carry one. Returns the event structures.
pub(super) fn check_event_streams(
    model: &Model,
    traits: &TraitTable,
    closure: &BTreeSet<&str>,
    d: &mut Diagnostics,
) -> BTreeSet<String> {
    let mut events = BTreeSet::new();
    for id in closure {
        let shape = &model.shapes[*id];
        if let Kind::Operation(op) = &shape.kind {
            if let Some(input) = model.shapes.get(&op.input) {
                for m in &input.members {
                    if model
                        .shapes
                        .get(&m.target)
                        .is_some_and(|t| traits.is_event_stream(t))
                    {
                        err(
                            d,
                            input,
                            Some(&m.name),
                            "event streams in operation inputs are not supported yet",
                        );
                    }
                }
            }
        }
        if !traits.is_event_stream(shape) {
            continue;
        }
        for m in &shape.members {
            let target = &model.shapes[&m.target];
            if target.kind != Kind::Structure {
                err(
                    d,
                    shape,
                    Some(&m.name),
                    "the members of an event stream must target structures",
                );
            } else if traits.shape(&target.id).error {
                err(
                    d,
                    shape,
                    Some(&m.name),
                    "error members of event streams (modeled exceptions) are not supported yet",
                );
            } else {
                events.insert(target.id.clone());
                for em in &target.members {
                    let t = traits.member(&target.id, &em.name);
                    if !t.event_header && !t.event_payload {
                        err(
                            d,
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
    events
}

/// HTTP-bound members must have types the binding can carry.
pub(super) fn check_binding_type(
    d: &mut Diagnostics,
    shape: &Shape,
    m: &model::Member,
    binding: &Binding,
    ty: &Ty,
) {
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
        err(
            d,
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
        err(
            d,
            shape,
            Some(&m.name),
            format!("a member of this type cannot be bound with {binding:?}"),
        );
    }
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
