//! The Rust name of every generated type, decided once before lowering, with
//! collisions reported. The names themselves come from [`naming`].

use std::collections::BTreeSet;

use super::{Cx, UNIT};
use crate::model::{Kind, Shape};
use crate::naming;

impl Cx<'_> {
    /// Decides the Rust name of every generated type, reporting collisions.
    pub(super) fn assign_names(&mut self, service: &Shape, closure: &BTreeSet<&str>, ops: &[&str]) {
        let model = self.model;
        let rename = match &service.kind {
            Kind::Service(svc) => svc.rename.clone(),
            _ => Default::default(),
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
}

/// The name of the variant that keeps an unknown member or value: `Unknown`,
/// unless a modeled variant already has that name.
pub(super) fn unknown_variant(names: &[String]) -> String {
    let taken: Vec<&str> = names.iter().map(String::as_str).collect();
    naming::unique_variants(vec!["Unknown".into()], &taken).remove(0)
}
