//! Graph analysis of the shapes: which shapes the operations reach, which
//! members must be boxed because their type contains itself, and which
//! shapes reach a float or a map. [`recursive_components`] is the one
//! recursion analysis of the generator; the property-test generator
//! ([`strategies`](crate::strategies)) runs it on the types of the IR.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Kind, Model, Shape};

/// Every shape the operations reach, plus the service errors.
pub(super) fn closure<'m>(
    model: &'m Model,
    service: &'m Shape,
    ops: &[&'m str],
) -> BTreeSet<&'m str> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<&'m str> = ops.to_vec();
    if let Kind::Service(s) = &service.kind {
        stack.extend(s.errors.iter().map(String::as_str));
    }
    while let Some(id) = stack.pop() {
        let Some(shape) = model.shapes.get(id) else {
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

/// The nodes of a directed graph that reach themselves (through at least one
/// edge), each with the index of its strongly connected component.
/// Components are numbered from 0 in the order of their first node.
pub fn recursive_components<N: Ord + Copy>(edges: &BTreeMap<N, Vec<N>>) -> BTreeMap<N, usize> {
    let reach = |from: N| -> BTreeSet<N> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<N> = edges.get(&from).cloned().unwrap_or_default();
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                stack.extend(edges.get(&n).into_iter().flatten().copied());
            }
        }
        seen
    };
    let reaches: BTreeMap<N, BTreeSet<N>> = edges.keys().map(|&n| (n, reach(n))).collect();
    let mut out: BTreeMap<N, usize> = BTreeMap::new();
    let mut next = 0;
    for (&n, r) in &reaches {
        if !r.contains(&n) || out.contains_key(&n) {
            continue;
        }
        for (&m, rm) in &reaches {
            if r.contains(&m) && rm.contains(&n) {
                out.insert(m, next);
            }
        }
        next += 1;
    }
    out
}

/// (shape id, member name) pairs whose value must be boxed: a structure or
/// union member that leads back to its own shape without passing a list or
/// map (those already allocate).
pub(super) fn recursive_members(
    model: &Model,
    closure: &BTreeSet<&str>,
) -> BTreeSet<(String, String)> {
    let nested = |id: &str| matches!(model.shapes[id].kind, Kind::Structure | Kind::Union);
    // Structure and union members that hold a structure or union inline.
    let edges: BTreeMap<&str, Vec<&str>> = closure
        .iter()
        .filter(|id| nested(id))
        .map(|&id| {
            let direct = model.shapes[id]
                .members
                .iter()
                .map(|m| m.target.as_str())
                .filter(|t| nested(t))
                .collect();
            (id, direct)
        })
        .collect();
    let scc = recursive_components(&edges);
    let mut out = BTreeSet::new();
    for (id, targets) in &edges {
        let Some(own) = scc.get(id) else {
            continue;
        };
        for m in &model.shapes[*id].members {
            if targets.contains(&m.target.as_str()) && scc.get(m.target.as_str()) == Some(own) {
                out.insert(((*id).to_owned(), m.name.clone()));
            }
        }
    }
    out
}

/// Whether a float, double or map is reachable from `id` (then Eq and Hash
/// cannot be derived: floats have no Eq; maps keep insertion order and have
/// no Hash).
pub(super) fn has_float(model: &Model, id: &str) -> bool {
    let mut stack = vec![id];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let shape = &model.shapes[id];
        if matches!(shape.kind, Kind::Float | Kind::Double | Kind::Map) {
            return true;
        }
        stack.extend(shape.members.iter().map(|m| m.target.as_str()));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_cycles_and_self_loops() {
        let edges: BTreeMap<&str, Vec<&str>> = [
            ("a", vec!["b"]),
            ("b", vec!["a", "c"]),
            ("c", vec![]),
            ("d", vec!["d"]),
            ("e", vec!["a"]),
        ]
        .into_iter()
        .collect();
        let scc = recursive_components(&edges);
        assert_eq!(
            scc.into_iter().collect::<Vec<_>>(),
            [("a", 0), ("b", 0), ("d", 1)]
        );
    }
}
