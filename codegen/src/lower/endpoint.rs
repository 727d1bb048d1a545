//! The endpoint rules: `smithy.rules#endpointBdd` read, type-checked and
//! lowered to [`Endpoints`], with the partition table and the rule set's
//! test cases; and the parameters each operation fills.
//!
//! The generator compiles the decision diagram (`endpointBdd`) rather than
//! the decision tree (`endpointRuleSet`): the diagram names each condition
//! once (S3: 75 conditions, 553 nodes, 115 outcomes) and a resolve tests
//! each condition at most once, where the tree repeats the same checks on
//! many branches. A service with only the tree is reported, not skipped.
//!
//! Every function and `getAttr` path is checked here, with its argument
//! types; one the generator does not know is an error naming it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::Diagnostics;
use crate::ir::*;
use crate::model::{Kind, Model, Shape};
use crate::naming::field_name;

const BDD: &str = "smithy.rules#endpointBdd";
const TREE: &str = "smithy.rules#endpointRuleSet";
const CLIENT_PARAMS: &str = "smithy.rules#clientContextParams";
const TESTS: &str = "smithy.rules#endpointTests";
const CONTEXT_PARAM: &str = "smithy.rules#contextParam";
const STATIC_PARAMS: &str = "smithy.rules#staticContextParams";
const OPERATION_PARAMS: &str = "smithy.rules#operationContextParams";

/// The built-ins a client configuration knows, with the `Config` field
/// each one sets. A rule set naming another built-in is an error.
pub const BUILT_INS: &[(&str, &str)] = &[
    ("AWS::Region", "region"),
    ("AWS::UseFIPS", "use_fips"),
    ("AWS::UseDualStack", "use_dual_stack"),
    ("SDK::Endpoint", "endpoint_url"),
    ("AWS::S3::ForcePathStyle", "force_path_style"),
    ("AWS::S3::Accelerate", "accelerate"),
    ("AWS::S3::UseArnRegion", "use_arn_region"),
    (
        "AWS::S3::DisableMultiRegionAccessPoints",
        "disable_multi_region_access_points",
    ),
    ("AWS::S3::UseGlobalEndpoint", "use_global_endpoint"),
    ("AWS::S3Control::UseArnRegion", "use_arn_region"),
    ("AWS::STS::UseGlobalEndpoint", "use_global_endpoint"),
];

/// The partition table, as read from its file.
#[derive(Debug, Clone)]
pub struct PartitionsInput {
    /// The file it came from, for messages.
    pub file: String,
    pub json: Value,
}

/// Lowers the service's endpoint rules; `None` when it has none.
pub(super) fn lower(
    service: &Shape,
    partitions: Option<&PartitionsInput>,
    d: &mut Diagnostics,
) -> Option<Endpoints> {
    let mut problems = Vec::new();
    let Some(bdd) = service.traits.get(BDD) else {
        if service.traits.contains_key(TREE) {
            super::err(
                d,
                service,
                None,
                format!(
                    "the service has {TREE} but no {BDD}: the generator compiles the rules' decision diagram"
                ),
            );
        }
        return None;
    };
    let mut cx = RulesCx::default();
    cx.params(bdd, service.traits.get(CLIENT_PARAMS), &mut problems);
    let conditions = bdd
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    cx.assigns = conditions
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.get("assign")?.as_str()?.to_owned(), i)))
        .collect();
    cx.condition_json = conditions;
    let mut lowered = Vec::new();
    for i in 0..cx.condition_json.len() {
        let c = cx.condition_json[i].clone();
        match cx.condition(&c) {
            Ok(c) => lowered.push(c),
            Err(e) => problems.push(format!("{BDD} conditions[{i}]: {e}")),
        }
    }
    let mut outcomes = Vec::new();
    for (i, r) in bdd
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match cx.outcome(r) {
            Ok(o) => outcomes.push(o),
            Err(e) => problems.push(format!("{BDD} results[{i}]: {e}")),
        }
    }
    let root = bdd.get("root").and_then(Value::as_i64).unwrap_or(0) as i32;
    let nodes = match nodes(bdd, lowered.len(), outcomes.len()) {
        Ok(nodes) => nodes,
        Err(e) => {
            problems.push(format!("{BDD} nodes: {e}"));
            Vec::new()
        }
    };
    if let Err(e) = check_diagram(root, &nodes, outcomes.len()) {
        problems.push(format!("{BDD}: {e}"));
    }
    let partitions = if cx.calls_partition {
        match partitions {
            Some(p) => partition_table(p).unwrap_or_else(|e| {
                problems.push(format!("{}: {e}", p.file));
                Vec::new()
            }),
            None => {
                problems.push(
                    "the endpoint rules call aws.partition, and no partition table was given (partitions.json beside the model, or --partitions FILE)"
                        .into(),
                );
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let tests = service
        .traits
        .get(TESTS)
        .and_then(|t| t.get("testCases"))
        .and_then(Value::as_array)
        .map(|cases| {
            cases
                .iter()
                .map(|json| EndpointTest { json: json.clone() })
                .collect()
        })
        .unwrap_or_default();
    for p in problems {
        super::err(d, service, None, p);
    }
    Some(Endpoints {
        params: cx.params,
        vars: cx.vars,
        conditions: lowered,
        outcomes,
        root,
        nodes,
        partitions,
        tests,
    })
}

/// The parameters `op` fills: from its input's `contextParam` members, its
/// `staticContextParams` and its `operationContextParams`.
pub(super) fn operation_fills(
    model: &Model,
    endpoints: &Endpoints,
    op: &Shape,
    input: &StructDef,
    d: &mut Diagnostics,
) -> Vec<ParamFill> {
    let param = |name: &str| endpoints.params.iter().position(|p| p.name == name);
    let mut fills = Vec::new();
    let input_shape = match &op.kind {
        Kind::Operation(o) => model.shapes.get(&o.input),
        _ => None,
    };
    if let Some(shape) = input_shape {
        for member in &shape.members {
            let Some(name) = member
                .traits
                .get(CONTEXT_PARAM)
                .and_then(|t| t.get("name"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let Some(field) = input.fields.iter().position(|f| f.member == member.name) else {
                continue;
            };
            match param(name) {
                Some(p) if param_accepts(&endpoints.params[p], &input.fields[field].ty) => fills
                    .push(ParamFill {
                        param: p,
                        source: FillSource::Field(field),
                    }),
                Some(_) => super::err(
                    d,
                    shape,
                    Some(&member.name),
                    format!(
                        "{CONTEXT_PARAM} `{name}`: the member's type does not match the parameter's"
                    ),
                ),
                None => super::err(
                    d,
                    shape,
                    Some(&member.name),
                    format!(
                        "{CONTEXT_PARAM} names `{name}`, which is not a parameter of the endpoint rules"
                    ),
                ),
            }
        }
    }
    if let Some(statics) = op.traits.get(STATIC_PARAMS).and_then(Value::as_object) {
        for (name, v) in statics {
            let value = match v.get("value") {
                Some(Value::Bool(b)) => Some(RuleLiteral::Bool(*b)),
                Some(Value::String(s)) => Some(RuleLiteral::Str(s.clone())),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .map(RuleLiteral::StrArray),
                _ => None,
            };
            match (param(name), value) {
                (Some(p), Some(value)) if literal_type(&value) == endpoints.params[p].ty => fills
                    .push(ParamFill {
                        param: p,
                        source: FillSource::Static(value),
                    }),
                (None, _) => super::err(
                    d,
                    op,
                    None,
                    format!(
                        "{STATIC_PARAMS} names `{name}`, which is not a parameter of the endpoint rules"
                    ),
                ),
                _ => super::err(
                    d,
                    op,
                    None,
                    format!(
                        "{STATIC_PARAMS} `{name}`: the value does not have the parameter's type"
                    ),
                ),
            }
        }
    }
    if let Some(paths) = op.traits.get(OPERATION_PARAMS).and_then(Value::as_object) {
        for (name, v) in paths {
            let path = v.get("path").and_then(Value::as_str).unwrap_or_default();
            let resolved = param(name)
                .ok_or_else(|| "not a parameter of the endpoint rules".to_owned())
                .and_then(|p| {
                    operation_path(model, input_shape, input, path, endpoints.params[p].ty)
                        .map(|steps| (p, steps))
                });
            match resolved {
                Ok((p, steps)) => fills.push(ParamFill {
                    param: p,
                    source: FillSource::Path(steps),
                }),
                Err(e) => super::err(
                    d,
                    op,
                    None,
                    format!("{OPERATION_PARAMS} `{name}` (path `{path}`): {e}"),
                ),
            }
        }
    }
    fills
}

/// Whether a member of type `ty` can fill `param`.
fn param_accepts(param: &EndpointParam, ty: &Ty) -> bool {
    match param.ty {
        RuleType::Str => matches!(
            ty,
            Ty::String
                | Ty::Named {
                    kind: NamedKind::Enum,
                    ..
                }
        ),
        RuleType::Bool => *ty == Ty::Bool,
        RuleType::StrArray => matches!(ty, Ty::List { item, .. } if **item == Ty::String),
        _ => false,
    }
}

fn literal_type(v: &RuleLiteral) -> RuleType {
    match v {
        RuleLiteral::Str(_) => RuleType::Str,
        RuleLiteral::Bool(_) => RuleType::Bool,
        RuleLiteral::StrArray(_) => RuleType::StrArray,
    }
}

/// An `operationContextParams` path: `A.B`, `A[*].B`, `keys(A)`. Other
/// JMESPath forms are errors.
fn operation_path(
    model: &Model,
    input_shape: Option<&Shape>,
    input: &StructDef,
    path: &str,
    want: RuleType,
) -> Result<Vec<PathStep>, String> {
    let (keys, inner) = match path.strip_prefix("keys(").and_then(|p| p.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, path),
    };
    let mut steps = Vec::new();
    let mut shape = input_shape.ok_or("the operation has no input")?;
    let mut fields: Vec<(String, bool)> = input
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.optional))
        .collect();
    let mut projected = false;
    let mut last_target: Option<&Shape> = None;
    for part in inner.split('.') {
        let (name, each) = match part.strip_suffix("[*]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`{part}` is not a member name (only `A.B`, `A[*].B` and `keys(A)` are supported)"
            ));
        }
        let index = shape
            .members
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| format!("`{}` has no member `{name}`", shape.id))?;
        let member = &shape.members[index];
        let (fname, optional) = fields
            .get(index)
            .cloned()
            .unwrap_or_else(|| (field_name(name), true));
        steps.push(PathStep::Field(index, fname, optional));
        let mut target = model
            .shapes
            .get(&member.target)
            .ok_or_else(|| format!("`{}` is not in the model", member.target))?;
        if each {
            let (Kind::List | Kind::Set) = target.kind else {
                return Err(format!(
                    "`{name}[*]` projects `{}`, which is not a list",
                    target.id
                ));
            };
            let item = target
                .members
                .first()
                .ok_or_else(|| format!("`{}` has no member", target.id))?;
            steps.push(PathStep::Each);
            projected = true;
            target = model
                .shapes
                .get(&item.target)
                .ok_or_else(|| format!("`{}` is not in the model", item.target))?;
        }
        last_target = Some(target);
        shape = target;
        fields = target
            .members
            .iter()
            .map(|m| {
                let required = m.traits.contains_key("smithy.api#required");
                (field_name(&m.name), !required)
            })
            .collect();
    }
    let target = last_target.ok_or("the path is empty")?;
    if keys {
        if !matches!(target.kind, Kind::Map) {
            return Err("`keys(...)` of a value that is not a map".into());
        }
        steps.push(PathStep::Keys);
        projected = true;
    }
    let is_string = matches!(target.kind, Kind::String | Kind::Enum);
    match (want, projected) {
        (RuleType::StrArray, true) if keys || is_string => Ok(steps),
        (RuleType::Str, false) if is_string => Ok(steps),
        _ => Err("the path's value does not have the parameter's type".into()),
    }
}

/// Reads the diagram's nodes: base64 of big-endian `i32` triples.
fn nodes(bdd: &Value, conditions: usize, outcomes: usize) -> Result<Vec<[i32; 3]>, String> {
    let text = bdd
        .get("nodes")
        .and_then(Value::as_str)
        .ok_or("missing or not a string")?;
    let bytes = base64_decode(text).ok_or("not valid base64")?;
    let count = bdd
        .get("nodeCount")
        .and_then(Value::as_u64)
        .ok_or("nodeCount is missing")? as usize;
    if bytes.len() != count * 12 {
        return Err(format!(
            "{} bytes, where nodeCount {count} needs {}",
            bytes.len(),
            count * 12
        ));
    }
    let nodes: Vec<[i32; 3]> = bytes
        .chunks_exact(12)
        .map(|c| {
            let int = |i: usize| i32::from_be_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
            [int(0), int(4), int(8)]
        })
        .collect();
    // Node 0 is the terminal; every other node tests a condition.
    for (i, n) in nodes.iter().enumerate().skip(1) {
        if n[0] < 0 || n[0] as usize >= conditions {
            return Err(format!(
                "node {i} tests condition {}, which does not exist",
                n[0]
            ));
        }
        for r in [n[1], n[2]] {
            check_ref(r, nodes.len(), outcomes).map_err(|e| format!("node {i}: {e}"))?;
        }
    }
    Ok(nodes)
}

/// The reference encoding: 1 and -1 are the terminals, ±(i+1) node `i`
/// (negative: complemented), 100000000 + r outcome `r` (0: no match).
pub const RESULT_OFFSET: i32 = 100_000_000;

fn check_ref(r: i32, nodes: usize, outcomes: usize) -> Result<(), String> {
    if r >= RESULT_OFFSET {
        if (r - RESULT_OFFSET) as usize > outcomes {
            return Err(format!("reference {r} names a result that does not exist"));
        }
    } else if r == 0 || r.unsigned_abs() as usize > nodes {
        return Err(format!("reference {r} names a node that does not exist"));
    }
    Ok(())
}

/// The diagram must reach an outcome from its root without a cycle, so a
/// resolve ends after at most one test per node.
fn check_diagram(root: i32, nodes: &[[i32; 3]], outcomes: usize) -> Result<(), String> {
    check_ref(root, nodes.len(), outcomes).map_err(|e| format!("root: {e}"))?;
    // 0: unvisited, 1: on the path, 2: done.
    let mut state = vec![0u8; nodes.len()];
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let node_of = |r: i32| -> Option<usize> {
        (r != 1 && r != -1 && r < RESULT_OFFSET).then(|| r.unsigned_abs() as usize - 1)
    };
    if let Some(n) = node_of(root) {
        stack.push((n, false));
    }
    while let Some((n, leaving)) = stack.pop() {
        if leaving {
            state[n] = 2;
            continue;
        }
        match state[n] {
            1 => return Err(format!("node {n} is on a cycle")),
            2 => continue,
            _ => {}
        }
        state[n] = 1;
        stack.push((n, true));
        for r in [nodes[n][1], nodes[n][2]] {
            if let Some(next) = node_of(r) {
                if state[next] == 1 {
                    return Err(format!("node {next} is on a cycle"));
                }
                if state[next] == 0 {
                    stack.push((next, false));
                }
            }
        }
    }
    Ok(())
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let n = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
}

/// Reads partitions.json (version 1.1): each partition's id, region regex,
/// outputs and regions (with per-region overrides of the outputs).
fn partition_table(input: &PartitionsInput) -> Result<Vec<PartitionDef>, String> {
    let list = input
        .json
        .get("partitions")
        .and_then(Value::as_array)
        .ok_or("no `partitions` array")?;
    let outputs =
        |v: &Value, base: Option<&PartitionOutputsDef>| -> Result<PartitionOutputsDef, String> {
            let s = |k: &str| -> Result<String, String> {
                match (v.get(k).and_then(Value::as_str), base) {
                    (Some(s), _) => Ok(s.to_owned()),
                    (None, Some(b)) => Ok(match k {
                        "name" => b.name.clone(),
                        "dnsSuffix" => b.dns_suffix.clone(),
                        "dualStackDnsSuffix" => b.dual_stack_dns_suffix.clone(),
                        _ => b.implicit_global_region.clone(),
                    }),
                    (None, None) => Err(format!("outputs without `{k}`")),
                }
            };
            let b = |k: &str| -> Result<bool, String> {
                match (v.get(k).and_then(Value::as_bool), base) {
                    (Some(x), _) => Ok(x),
                    (None, Some(b)) => Ok(if k == "supportsFIPS" {
                        b.supports_fips
                    } else {
                        b.supports_dual_stack
                    }),
                    (None, None) => Err(format!("outputs without `{k}`")),
                }
            };
            Ok(PartitionOutputsDef {
                name: s("name")?,
                dns_suffix: s("dnsSuffix")?,
                dual_stack_dns_suffix: s("dualStackDnsSuffix")?,
                implicit_global_region: s("implicitGlobalRegion")?,
                supports_fips: b("supportsFIPS")?,
                supports_dual_stack: b("supportsDualStack")?,
            })
        };
    let mut table = Vec::new();
    for p in list {
        let id = p
            .get("id")
            .and_then(Value::as_str)
            .ok_or("a partition without `id`")?;
        let base = outputs(p.get("outputs").ok_or("a partition without outputs")?, None)
            .map_err(|e| format!("partition {id}: {e}"))?;
        let mut regions = Vec::new();
        for (name, r) in p
            .get("regions")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            // A region's entry may override some outputs (only the output
            // keys count; `description` is for people).
            let own = outputs(r, Some(&base)).map_err(|e| format!("region {name}: {e}"))?;
            regions.push((name.clone(), own));
        }
        table.push(PartitionDef {
            id: id.to_owned(),
            region_regex: p
                .get("regionRegex")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("partition {id} has no regionRegex"))?
                .to_owned(),
            outputs: base,
            regions,
        });
    }
    Ok(table)
}

/// Type-checking state: parameters, variables and which condition assigns each.
#[derive(Default)]
struct RulesCx {
    params: Vec<EndpointParam>,
    vars: Vec<RuleVar>,
    /// Variable name → the condition that assigns it.
    assigns: BTreeMap<String, usize>,
    condition_json: Vec<Value>,
    /// Variables whose type is being worked out (to catch a cycle).
    resolving: Vec<String>,
    calls_partition: bool,
}

impl RulesCx {
    fn params(&mut self, bdd: &Value, client: Option<&Value>, problems: &mut Vec<String>) {
        let client = client.and_then(Value::as_object);
        for (name, p) in bdd
            .get("parameters")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let ty = match p.get("type").and_then(Value::as_str) {
                Some("string" | "String") => RuleType::Str,
                Some("boolean" | "Boolean") => RuleType::Bool,
                Some("stringArray") => RuleType::StrArray,
                other => {
                    problems.push(format!(
                        "{BDD} parameter `{name}`: type {other:?} is not string, boolean or stringArray"
                    ));
                    continue;
                }
            };
            let default = match p.get("default") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) if ty == RuleType::Bool => Some(RuleLiteral::Bool(*b)),
                Some(Value::String(s)) if ty == RuleType::Str => Some(RuleLiteral::Str(s.clone())),
                Some(other) => {
                    problems.push(format!(
                        "{BDD} parameter `{name}`: default {other} does not have the parameter's type"
                    ));
                    None
                }
            };
            let built_in = p.get("builtIn").and_then(Value::as_str).map(str::to_owned);
            let mut field = field_name(name);
            if let Some(b) = &built_in {
                match BUILT_INS.iter().find(|(n, _)| n == b) {
                    Some((_, f)) => field = (*f).to_owned(),
                    None => problems.push(format!(
                        "{BDD} parameter `{name}`: built-in `{b}` is not one the generator knows ({})",
                        BUILT_INS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            let configurable = built_in.is_some() || client.is_some_and(|c| c.contains_key(name));
            let docs = p
                .get("documentation")
                .and_then(Value::as_str)
                .map(|d| vec![d.to_owned()])
                .unwrap_or_default();
            self.params.push(EndpointParam {
                name: name.clone(),
                field,
                ty,
                default,
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                built_in,
                configurable,
                docs,
            });
        }
        for name in client.into_iter().flat_map(|c| c.keys()) {
            if !self.params.iter().any(|p| &p.name == name) {
                problems.push(format!(
                    "{CLIENT_PARAMS} names `{name}`, which is not a parameter of the endpoint rules"
                ));
            }
        }
    }

    fn condition(&mut self, c: &Value) -> Result<RuleCondition, String> {
        let expr = self.expr(c)?;
        let assign = match c.get("assign").and_then(Value::as_str) {
            Some(name) => Some(self.var(name)?),
            None => None,
        };
        Ok(RuleCondition { expr, assign })
    }

    /// The variable `name`, typed from the condition that assigns it.
    fn var(&mut self, name: &str) -> Result<usize, String> {
        if let Some(i) = self.vars.iter().position(|v| v.name == name) {
            return Ok(i);
        }
        let Some(&cond) = self.assigns.get(name) else {
            return Err(format!(
                "`{name}` is neither a parameter nor an assigned variable"
            ));
        };
        if self.resolving.iter().any(|r| r == name) {
            return Err(format!("the type of `{name}` depends on itself"));
        }
        self.resolving.push(name.to_owned());
        let json = self.condition_json[cond].clone();
        let ty = self.expr(&json).map(|e| e.ty);
        self.resolving.pop();
        let ty = ty.map_err(|e| format!("`{name}` (assigned by conditions[{cond}]): {e}"))?;
        let mut field = field_name(name);
        while self.vars.iter().any(|v| v.field == field) {
            field.push('_');
        }
        self.vars.push(RuleVar {
            name: name.to_owned(),
            field,
            ty,
        });
        Ok(self.vars.len() - 1)
    }

    fn outcome(&mut self, r: &Value) -> Result<RuleOutcome, String> {
        if r.get("conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| !c.is_empty())
        {
            return Err("a result of the diagram has conditions of its own".into());
        }
        match r.get("type").and_then(Value::as_str) {
            Some("error") => {
                let message = r.get("error").ok_or("an error result without `error`")?;
                let e = self.expr(message)?;
                expect(&e, RuleType::Str, "the error message")?;
                Ok(RuleOutcome::Error(e))
            }
            Some("endpoint") => {
                let ep = r
                    .get("endpoint")
                    .ok_or("an endpoint result without `endpoint`")?;
                let url = self.expr(ep.get("url").ok_or("an endpoint without `url`")?)?;
                expect(&url, RuleType::Str, "the url")?;
                let mut properties = Vec::new();
                for (k, v) in ep
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    properties.push((k.clone(), self.value(v)?));
                }
                let mut headers = Vec::new();
                for (k, v) in ep
                    .get("headers")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let values = v
                        .as_array()
                        .ok_or_else(|| format!("header `{k}` is not a list"))?
                        .iter()
                        .map(|x| {
                            let e = self.expr(x)?;
                            expect(&e, RuleType::Str, "a header value")?;
                            Ok(e)
                        })
                        .collect::<Result<Vec<_>, String>>()?;
                    headers.push((k.clone(), values));
                }
                Ok(RuleOutcome::Endpoint {
                    url,
                    properties,
                    headers,
                })
            }
            other => Err(format!(
                "result type {other:?} is not `error` or `endpoint`"
            )),
        }
    }

    fn value(&mut self, v: &Value) -> Result<RuleValue, String> {
        Ok(match v {
            Value::String(_) => {
                let e = self.expr(v)?;
                RuleValue::Str(e)
            }
            Value::Bool(b) => RuleValue::Bool(*b),
            Value::Number(n) => RuleValue::Int(
                n.as_i64()
                    .ok_or("a property number that is not an integer")?,
            ),
            Value::Array(items) => RuleValue::Array(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => RuleValue::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.value(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            Value::Null => return Err("a null property value".into()),
        })
    }

    fn expr(&mut self, v: &Value) -> Result<RuleExpr, String> {
        match v {
            Value::String(s) => self.template(s),
            Value::Bool(b) => Ok(RuleExpr {
                kind: RuleExprKind::Bool(*b),
                ty: RuleType::Bool,
            }),
            Value::Number(n) => Ok(RuleExpr {
                kind: RuleExprKind::Int(n.as_i64().ok_or("a number that is not an integer")?),
                ty: RuleType::Int,
            }),
            Value::Object(o) => {
                if let Some(name) = o.get("ref").and_then(Value::as_str) {
                    return self.reference(name);
                }
                let Some(func) = o.get("fn").and_then(Value::as_str) else {
                    return Err(format!(
                        "an expression that is neither a ref nor a fn call: {v}"
                    ));
                };
                let args = o
                    .get("argv")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                self.call(func, &args)
            }
            _ => Err(format!("an expression the generator does not know: {v}")),
        }
    }

    fn reference(&mut self, name: &str) -> Result<RuleExpr, String> {
        if let Some(i) = self.params.iter().position(|p| p.name == name) {
            return Ok(RuleExpr {
                kind: RuleExprKind::Param(i),
                ty: self.params[i].ty,
            });
        }
        let i = self.var(name)?;
        Ok(RuleExpr {
            kind: RuleExprKind::Var(i),
            ty: self.vars[i].ty,
        })
    }

    /// A string literal: text with `{name}` and `{name#path}` values
    /// (`{{` and `}}` stand for braces).
    fn template(&mut self, s: &str) -> Result<RuleExpr, String> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{") || rest.starts_with("}}") {
                lit.push(c);
                rest = &rest[2..];
            } else if c == '{' {
                let end = rest
                    .find('}')
                    .ok_or_else(|| format!("unclosed `{{` in template {s:?}"))?;
                let inner = &rest[1..end];
                if !lit.is_empty() {
                    parts.push(TemplatePart::Lit(std::mem::take(&mut lit)));
                }
                let e = match inner.split_once('#') {
                    Some((name, path)) => {
                        let of = self.reference(name)?;
                        self.attr(of, path)?
                    }
                    None => self.reference(inner)?,
                };
                expect(&e, RuleType::Str, &format!("`{{{inner}}}` in a template"))?;
                parts.push(TemplatePart::Value(e));
                rest = &rest[end + 1..];
            } else if c == '}' {
                return Err(format!("unmatched `}}` in template {s:?}"));
            } else {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if parts.is_empty() {
            return Ok(RuleExpr {
                kind: RuleExprKind::Str(lit),
                ty: RuleType::Str,
            });
        }
        if !lit.is_empty() {
            parts.push(TemplatePart::Lit(lit));
        }
        Ok(RuleExpr {
            kind: RuleExprKind::Template(parts),
            ty: RuleType::Str,
        })
    }

    fn call(&mut self, func: &str, argv: &[Value]) -> Result<RuleExpr, String> {
        let args = argv
            .iter()
            .map(|a| self.expr(a))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{func}: {e}"))?;
        let arity = |n: usize| -> Result<(), String> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!("{func} takes {n} arguments, not {}", args.len()))
            }
        };
        use RuleType::*;
        let (f, ty) = match func {
            "isSet" => {
                arity(1)?;
                (RuleFn::IsSet, Bool)
            }
            "not" => {
                arity(1)?;
                expect(&args[0], Bool, "not's argument")?;
                (RuleFn::Not, Bool)
            }
            "booleanEquals" => {
                arity(2)?;
                expect(&args[0], Bool, "booleanEquals' arguments")?;
                expect(&args[1], Bool, "booleanEquals' arguments")?;
                (RuleFn::BooleanEquals, Bool)
            }
            "stringEquals" => {
                arity(2)?;
                expect(&args[0], Str, "stringEquals' arguments")?;
                expect(&args[1], Str, "stringEquals' arguments")?;
                (RuleFn::StringEquals, Bool)
            }
            "substring" => {
                arity(4)?;
                expect(&args[0], Str, "substring's input")?;
                literal_int(&args[1], "substring's start")?;
                literal_int(&args[2], "substring's stop")?;
                literal_bool(&args[3], "substring's reverse")?;
                (RuleFn::Substring, Str)
            }
            "uriEncode" => {
                arity(1)?;
                expect(&args[0], Str, "uriEncode's input")?;
                (RuleFn::UriEncode, Str)
            }
            "parseURL" => {
                arity(1)?;
                expect(&args[0], Str, "parseURL's input")?;
                (RuleFn::ParseUrl, Url)
            }
            "isValidHostLabel" => {
                arity(2)?;
                expect(&args[0], Str, "isValidHostLabel's input")?;
                literal_bool(&args[1], "isValidHostLabel's allowSubDomains")?;
                (RuleFn::IsValidHostLabel, Bool)
            }
            "coalesce" => {
                if args.len() < 2 {
                    return Err("coalesce takes at least 2 arguments".into());
                }
                let ty = args[0].ty;
                for a in &args[1..] {
                    expect(a, ty, "coalesce's arguments (all of one type)")?;
                }
                (RuleFn::Coalesce, ty)
            }
            "ite" => {
                arity(3)?;
                expect(&args[0], Bool, "ite's condition")?;
                expect(&args[2], args[1].ty, "ite's branches (both of one type)")?;
                (RuleFn::Ite, args[1].ty)
            }
            "split" => {
                arity(3)?;
                expect(&args[0], Str, "split's input")?;
                literal_str(&args[1], "split's delimiter")?;
                literal_int(&args[2], "split's limit")?;
                (RuleFn::Split, StrArray)
            }
            "aws.partition" => {
                arity(1)?;
                expect(&args[0], Str, "aws.partition's region")?;
                self.calls_partition = true;
                (RuleFn::Partition, Partition)
            }
            "aws.parseArn" => {
                arity(1)?;
                expect(&args[0], Str, "aws.parseArn's input")?;
                (RuleFn::ParseArn, Arn)
            }
            "aws.isVirtualHostableS3Bucket" => {
                arity(2)?;
                expect(&args[0], Str, "aws.isVirtualHostableS3Bucket's input")?;
                literal_bool(&args[1], "aws.isVirtualHostableS3Bucket's allowSubDomains")?;
                (RuleFn::IsVirtualHostableS3Bucket, Bool)
            }
            "getAttr" => {
                arity(2)?;
                let RuleExprKind::Str(path) = &args[1].kind else {
                    return Err("getAttr's path must be a literal string".into());
                };
                let path = path.clone();
                let mut args = args;
                let of = args.swap_remove(0);
                return self.attr(of, &path);
            }
            other => {
                return Err(format!(
                    "function `{other}` is not one the generator implements"
                ));
            }
        };
        Ok(RuleExpr {
            kind: RuleExprKind::Call(f, args),
            ty,
        })
    }

    /// `getAttr(of, path)`: `a.b`, `a[0]`, `[-1]`, typed step by step.
    fn attr(&mut self, of: RuleExpr, path: &str) -> Result<RuleExpr, String> {
        let mut steps = Vec::new();
        for part in path.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                steps.push(AttrStep::Field(name.to_owned()));
            }
            while let Some(r) = rest.strip_prefix('[') {
                let end = r
                    .find(']')
                    .ok_or_else(|| format!("bad getAttr path `{path}`"))?;
                let index: i64 = r[..end]
                    .parse()
                    .map_err(|_| format!("bad index in getAttr path `{path}`"))?;
                steps.push(AttrStep::Index(index));
                rest = &r[end + 1..];
            }
            if !rest.is_empty() {
                return Err(format!("bad getAttr path `{path}`"));
            }
        }
        let mut ty = of.ty;
        for step in &steps {
            ty = match (ty, step) {
                (RuleType::Partition, AttrStep::Field(f)) => match f.as_str() {
                    "name" | "dnsSuffix" | "dualStackDnsSuffix" | "implicitGlobalRegion" => {
                        RuleType::Str
                    }
                    "supportsFIPS" | "supportsDualStack" => RuleType::Bool,
                    other => return Err(format!("a partition has no attribute `{other}`")),
                },
                (RuleType::Url, AttrStep::Field(f)) => match f.as_str() {
                    "scheme" | "authority" | "path" | "normalizedPath" => RuleType::Str,
                    "isIp" => RuleType::Bool,
                    other => return Err(format!("a URL has no attribute `{other}`")),
                },
                (RuleType::Arn, AttrStep::Field(f)) => match f.as_str() {
                    "partition" | "service" | "region" | "accountId" => RuleType::Str,
                    "resourceId" => RuleType::StrArray,
                    other => return Err(format!("an ARN has no attribute `{other}`")),
                },
                (RuleType::StrArray, AttrStep::Index(_)) => RuleType::Str,
                (ty, step) => return Err(format!("getAttr step {step:?} on a {ty:?} value")),
            };
        }
        Ok(RuleExpr {
            kind: RuleExprKind::Attr(Box::new(of), steps),
            ty,
        })
    }
}

fn expect(e: &RuleExpr, ty: RuleType, what: &str) -> Result<(), String> {
    if e.ty == ty {
        Ok(())
    } else {
        Err(format!("{what} must be of type {ty:?}, not {:?}", e.ty))
    }
}

fn literal_int(e: &RuleExpr, what: &str) -> Result<(), String> {
    match e.kind {
        RuleExprKind::Int(i) if i >= 0 || what.contains("limit") => Ok(()),
        _ => Err(format!("{what} must be a literal non-negative integer")),
    }
}

fn literal_bool(e: &RuleExpr, what: &str) -> Result<(), String> {
    match e.kind {
        RuleExprKind::Bool(_) => Ok(()),
        _ => Err(format!("{what} must be a literal boolean")),
    }
}

fn literal_str(e: &RuleExpr, what: &str) -> Result<(), String> {
    match e.kind {
        RuleExprKind::Str(_) => Ok(()),
        _ => Err(format!("{what} must be a literal string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_node_triples() {
        assert_eq!(
            base64_decode("/////wAAAAH/////"),
            Some(vec![255, 255, 255, 255, 0, 0, 0, 1, 255, 255, 255, 255])
        );
        assert_eq!(base64_decode("QUI="), Some(b"AB".to_vec()));
        assert_eq!(base64_decode("Q"), None);
        assert_eq!(base64_decode("Q!=="), None);
    }

    #[test]
    fn a_cycle_in_the_diagram_is_refused() {
        let nodes = vec![
            [-1, 1, -1],
            [0, 3, RESULT_OFFSET + 1],
            [0, 2, RESULT_OFFSET],
        ];
        assert!(check_diagram(2, &nodes, 1).unwrap_err().contains("cycle"));
        let nodes = vec![
            [-1, 1, -1],
            [0, 3, RESULT_OFFSET + 1],
            [0, RESULT_OFFSET, -3],
        ];
        assert_eq!(
            check_diagram(2, &nodes, 1),
            Err("node 2 is on a cycle".into())
        );
        let nodes = vec![
            [-1, 1, -1],
            [0, -3, RESULT_OFFSET + 1],
            [0, RESULT_OFFSET, 1],
        ];
        assert_eq!(check_diagram(2, &nodes, 1), Ok(()));
        assert!(check_diagram(9, &nodes, 1).is_err());
    }

    fn cx() -> RulesCx {
        let mut cx = RulesCx::default();
        let bdd: Value = serde_json::json!({"parameters": {
            "Region": {"type": "string", "builtIn": "AWS::Region", "required": false},
            "UseFIPS": {"type": "boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false},
            "Bucket": {"type": "string", "required": false}
        }});
        let mut problems = Vec::new();
        cx.params(&bdd, None, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        cx
    }

    #[test]
    fn expressions_are_typed() {
        let mut cx = cx();
        let e = cx
            .expr(&serde_json::json!({"fn": "stringEquals", "argv": [{"fn": "coalesce", "argv": [{"fn": "substring", "argv": [{"ref": "Bucket"}, 0, 6, true]}, ""]}, "--x-s3"]}))
            .unwrap();
        assert_eq!(e.ty, RuleType::Bool);
        let t = cx.template("https://{Bucket}.s3.{Region}").unwrap();
        assert!(matches!(t.kind, RuleExprKind::Template(ref p) if p.len() == 4));
        assert!(
            matches!(cx.template("a{{b}}").unwrap().kind, RuleExprKind::Str(ref s) if s == "a{b}")
        );
    }

    #[test]
    fn unknown_functions_and_attributes_are_named() {
        let mut cx = cx();
        let e = cx
            .expr(&serde_json::json!({"fn": "aws.frobnicate", "argv": []}))
            .unwrap_err();
        assert!(e.contains("aws.frobnicate"), "{e}");
        let e = cx
            .expr(&serde_json::json!({"fn": "getAttr", "argv": [{"fn": "aws.partition", "argv": [{"ref": "Region"}]}, "colour"]}))
            .unwrap_err();
        assert!(e.contains("colour"), "{e}");
        let e = cx
            .expr(&serde_json::json!({"fn": "not", "argv": [{"ref": "Region"}]}))
            .unwrap_err();
        assert!(e.contains("Bool"), "{e}");
        let e = cx.expr(&serde_json::json!({"ref": "Nope"})).unwrap_err();
        assert!(e.contains("Nope"), "{e}");
    }

    #[test]
    fn unknown_built_ins_are_errors() {
        let mut cx = RulesCx::default();
        let mut problems = Vec::new();
        let bdd =
            serde_json::json!({"parameters": {"X": {"type": "string", "builtIn": "AWS::Nope"}}});
        cx.params(&bdd, None, &mut problems);
        assert!(problems[0].contains("AWS::Nope"), "{problems:?}");
    }
}

#[cfg(test)]
mod operation_tests {
    use super::*;

    /// A service whose one rule reads `Keys` (a string array filled from a
    /// path over the input) and `Bucket` (a label): isSet(Bucket) ? endpoint
    /// : error.
    const MODEL: &str = r#"{
        "smithy": "2.0",
        "shapes": {
            "ex#Svc": {"type": "service", "version": "1", "operations": [{"target": "ex#Del"}],
                "traits": {"aws.protocols#restXml": {},
                    "smithy.rules#clientContextParams": {"Flag": {"type": "boolean", "documentation": "d"}},
                    "smithy.rules#endpointBdd": {"version": "1.1",
                    "parameters": {
                        "Bucket": {"type": "string", "required": false},
                        "Keys": {"type": "stringArray", "required": false},
                        "Flag": {"type": "boolean", "required": false},
                        "Static": {"type": "string", "required": false}
                    },
                    "conditions": [{"fn": "isSet", "argv": [{"ref": "Bucket"}]}],
                    "results": [{"conditions": [], "type": "endpoint", "endpoint": {"url": "https://{Bucket}.example.com"}},
                                {"conditions": [], "type": "error", "error": "no bucket"}],
                    "root": 2, "nodeCount": 2, "nodes": "/////wAAAAH/////AAAAAAX14QEF9eEC"}}},
            "ex#Del": {"type": "operation", "input": {"target": "ex#DelInput"}, "output": {"target": "smithy.api#Unit"},
                "traits": {"smithy.api#http": {"method": "POST", "uri": "/{Bucket}?delete"},
                    "smithy.rules#staticContextParams": {"Static": {"value": "yes"}},
                    "smithy.rules#operationContextParams": {"Keys": {"path": "Delete.Objects[*].Key"}}}},
            "ex#DelInput": {"type": "structure", "members": {
                "Bucket": {"target": "smithy.api#String", "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}, "smithy.rules#contextParam": {"name": "Bucket"}}},
                "Delete": {"target": "ex#Delete", "traits": {"smithy.api#httpPayload": {}, "smithy.api#required": {}}}}},
            "ex#Delete": {"type": "structure", "members": {"Objects": {"target": "ex#Objects", "traits": {"smithy.api#required": {}}}}},
            "ex#Objects": {"type": "list", "member": {"target": "ex#Object"}},
            "ex#Object": {"type": "structure", "members": {"Key": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}}}}
        }
    }"#;

    #[test]
    fn operations_fill_params_from_members_statics_and_paths() {
        let model = crate::model::Model::from_sources(&[("m.json", MODEL)]).unwrap();
        let krate = crate::lower::lower(&model, None, None, None).unwrap_or_else(|d| panic!("{d}"));
        let e = krate.endpoints.as_ref().expect("the service has rules");
        assert_eq!(
            e.nodes,
            [[-1, 1, -1], [0, RESULT_OFFSET + 1, RESULT_OFFSET + 2]]
        );
        let names: Vec<&str> = e.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Bucket", "Keys", "Flag", "Static"]);
        assert!(e.params[2].configurable && !e.params[0].configurable);
        let op = &krate.operations[0];
        let fill = |name: &str| {
            let i = names.iter().position(|n| *n == name).unwrap();
            op.endpoint_params
                .iter()
                .find(|f| f.param == i)
                .map(|f| f.source.clone())
        };
        assert_eq!(fill("Bucket"), Some(FillSource::Field(0)));
        assert_eq!(
            fill("Static"),
            Some(FillSource::Static(RuleLiteral::Str("yes".into())))
        );
        assert_eq!(
            fill("Keys"),
            Some(FillSource::Path(vec![
                PathStep::Field(1, "delete".into(), false),
                PathStep::Field(0, "objects".into(), false),
                PathStep::Each,
                PathStep::Field(0, "key".into(), false),
            ]))
        );
        // The bucket label is read by the rules: a resolved endpoint carries it.
        assert!(matches!(
            op.path[0],
            PathSegment::Label {
                in_endpoint: true,
                ..
            }
        ));
        // And the whole crate renders.
        let files = crate::generate_from_model(&model, &crate::Options::new(vec![])).unwrap();
        let endpoint = &files["src/endpoint.rs"];
        assert!(
            endpoint.contains("pub keys: Option<Vec<&'a str>>"),
            "{endpoint}"
        );
        let op_file = &files["src/operation/del.rs"];
        assert!(op_file.contains("items.push(v.as_str())"), "{op_file}");
        assert!(
            op_file.contains("params.r#static = Some(\"yes\")")
                || op_file.contains("params.static_ = Some(\"yes\")"),
            "{op_file}"
        );
    }

    #[test]
    fn bad_context_params_name_the_member_or_operation() {
        let bad = MODEL
            .replace(r#""name": "Bucket""#, r#""name": "Nope""#)
            .replace("Delete.Objects[*].Key", "Delete.Objects[?x]");
        let model = crate::model::Model::from_sources(&[("m.json", &bad)]).unwrap();
        let d = crate::lower::lower(&model, None, None, None)
            .unwrap_err()
            .to_string();
        assert!(
            d.contains("ex#DelInput$Bucket") && d.contains("`Nope`"),
            "{d}"
        );
        assert!(
            d.contains("ex#Del") && d.contains("Delete.Objects[?x]"),
            "{d}"
        );
    }
}
