//! Loading: Smithy 2.0 JSON AST files into a typed model.
//!
//! Every shape type of Smithy 2.0 is read, with its members in model order,
//! its traits, `apply` statements, mixins and metadata. Several files merge
//! into one model. The prelude (`smithy.api#String`, `smithy.api#Unit`, …) is
//! always present. Problems are collected, not thrown: one pass reports them
//! all, each naming the file, the shape and the member.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::diag::Diagnostics;

/// Trait values keyed by absolute trait id, in the order the model gives them.
pub type Traits = Map<String, Value>;

/// A loaded, merged model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Every shape, keyed by absolute shape id (sorted, so iteration is deterministic).
    pub shapes: BTreeMap<String, Shape>,
    /// Merged metadata of all files.
    pub metadata: Map<String, Value>,
}

/// The kind of a shape, with what each kind carries beyond members and traits.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    Enum,
    IntEnum,
    List,
    Set,
    Map,
    Structure,
    Union,
    Service(Service),
    Operation(Operation),
    Resource(Resource),
}

impl Kind {
    /// The Smithy name of the shape type, as written in the JSON AST.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Blob => "blob",
            Kind::Boolean => "boolean",
            Kind::String => "string",
            Kind::Byte => "byte",
            Kind::Short => "short",
            Kind::Integer => "integer",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::BigInteger => "bigInteger",
            Kind::BigDecimal => "bigDecimal",
            Kind::Timestamp => "timestamp",
            Kind::Document => "document",
            Kind::Enum => "enum",
            Kind::IntEnum => "intEnum",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::Map => "map",
            Kind::Structure => "structure",
            Kind::Union => "union",
            Kind::Service(_) => "service",
            Kind::Operation(_) => "operation",
            Kind::Resource(_) => "resource",
        }
    }
}

/// A service shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    pub version: Option<String>,
    pub operations: Vec<String>,
    pub resources: Vec<String>,
    pub errors: Vec<String>,
    pub rename: BTreeMap<String, String>,
}

/// An operation shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Operation {
    pub input: String,
    pub output: String,
    pub errors: Vec<String>,
}

/// A resource shape: its identifiers, properties and every shape it binds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    pub identifiers: Vec<(String, String)>,
    pub properties: Vec<(String, String)>,
    /// Lifecycle and bound operations (create, read, …, operations, collectionOperations).
    pub operations: Vec<String>,
    pub resources: Vec<String>,
}

/// A member: a name, a target shape and traits. Lists have one member named
/// `member`; maps have `key` and `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub name: String,
    pub target: String,
    pub traits: Traits,
}

/// A shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub id: String,
    pub kind: Kind,
    /// Members in model order.
    pub members: Vec<Member>,
    pub traits: Traits,
    /// The file the shape came from, or `<prelude>`.
    pub file: String,
}

impl Shape {
    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The shape name without its namespace.
    pub fn name(&self) -> &str {
        local_name(&self.id)
    }
}

/// The part of a shape id after `#`.
pub fn local_name(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, n)| n)
}

/// Whether `traits` holds the trait `id`.
pub fn has(traits: &Traits, id: &str) -> bool {
    traits.contains_key(id)
}

/// The string value of trait `id`.
pub fn trait_str<'a>(traits: &'a Traits, id: &str) -> Option<&'a str> {
    traits.get(id).and_then(Value::as_str)
}

impl Model {
    /// Loads and merges the given files. Every problem in every file is reported.
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<Model, Diagnostics> {
        let mut sources = Vec::new();
        let mut diags = Diagnostics::default();
        for path in paths {
            let path = path.as_ref();
            let file = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push((file, text)),
                Err(e) => diags.push(Some(&file), None, None, format!("cannot read: {e}")),
            }
        }
        let refs: Vec<(&str, &str)> = sources
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        match Model::from_sources(&refs) {
            Ok(model) => diags.into_result(model),
            Err(more) => {
                diags.0.extend(more.0);
                diags.into_result(Model::default())
            }
        }
    }

    /// Loads and merges models given as `(file name, JSON text)` pairs.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Model, Diagnostics> {
        let mut loader = Loader::default();
        loader.add_prelude();
        for (file, text) in sources {
            match serde_json::from_str::<Value>(text) {
                Ok(json) => loader.add_file(file, &json),
                Err(e) => loader
                    .diags
                    .push(Some(file), None, None, format!("not valid JSON: {e}")),
            }
        }
        loader.finish()
    }

    /// The shape with id `id`.
    pub fn shape(&self, id: &str) -> Option<&Shape> {
        self.shapes.get(id)
    }
}

#[derive(Default)]
struct Loader {
    model: Model,
    diags: Diagnostics,
    /// `(file, target, traits)` of every `apply` statement, applied after all files.
    applies: Vec<(String, String, Traits)>,
    /// `(shape id, mixin ids)` to flatten after all files.
    mixins: Vec<(String, Vec<String>)>,
}

const PRELUDE: &[(&str, Kind)] = &[
    ("String", Kind::String),
    ("Blob", Kind::Blob),
    ("BigInteger", Kind::BigInteger),
    ("BigDecimal", Kind::BigDecimal),
    ("Timestamp", Kind::Timestamp),
    ("Document", Kind::Document),
    ("Boolean", Kind::Boolean),
    ("Byte", Kind::Byte),
    ("Short", Kind::Short),
    ("Integer", Kind::Integer),
    ("Long", Kind::Long),
    ("Float", Kind::Float),
    ("Double", Kind::Double),
    ("PrimitiveBoolean", Kind::Boolean),
    ("PrimitiveByte", Kind::Byte),
    ("PrimitiveShort", Kind::Short),
    ("PrimitiveInteger", Kind::Integer),
    ("PrimitiveLong", Kind::Long),
    ("PrimitiveFloat", Kind::Float),
    ("PrimitiveDouble", Kind::Double),
    ("Unit", Kind::Structure),
];

impl Loader {
    fn add_prelude(&mut self) {
        for (name, kind) in PRELUDE {
            let id = format!("smithy.api#{name}");
            let mut traits = Traits::new();
            if name.starts_with("Primitive") {
                let default = if *kind == Kind::Boolean {
                    Value::Bool(false)
                } else {
                    Value::from(0)
                };
                traits.insert("smithy.api#default".into(), default);
            }
            if *name == "Unit" {
                traits.insert("smithy.api#unitType".into(), Value::Object(Map::new()));
            }
            self.model.shapes.insert(
                id.clone(),
                Shape {
                    id,
                    kind: kind.clone(),
                    members: Vec::new(),
                    traits,
                    file: "<prelude>".into(),
                },
            );
        }
    }

    fn add_file(&mut self, file: &str, json: &Value) {
        let Some(root) = json.as_object() else {
            self.diags
                .push(Some(file), None, None, "the model must be a JSON object");
            return;
        };
        match root.get("smithy").and_then(Value::as_str) {
            Some(v) if v == "2.0" || v == "2" => {}
            Some(v) => self.diags.push(
                Some(file),
                None,
                None,
                format!("unsupported Smithy version \"{v}\" (this loader reads 2.0)"),
            ),
            None => self
                .diags
                .push(Some(file), None, None, "missing the \"smithy\" version key"),
        }
        for key in root.keys() {
            if !matches!(key.as_str(), "smithy" | "metadata" | "shapes") {
                self.diags.push(
                    Some(file),
                    None,
                    None,
                    format!("unknown top-level key \"{key}\""),
                );
            }
        }
        if let Some(meta) = root.get("metadata") {
            match meta.as_object() {
                Some(meta) => self.merge_metadata(file, meta),
                None => self
                    .diags
                    .push(Some(file), None, None, "\"metadata\" must be an object"),
            }
        }
        match root.get("shapes") {
            None => {}
            Some(Value::Object(shapes)) => {
                for (id, shape) in shapes {
                    self.add_shape(file, id, shape);
                }
            }
            Some(_) => self
                .diags
                .push(Some(file), None, None, "\"shapes\" must be an object"),
        }
    }

    fn merge_metadata(&mut self, file: &str, meta: &Map<String, Value>) {
        for (key, value) in meta {
            match (self.model.metadata.get_mut(key), value) {
                (None, _) => {
                    self.model.metadata.insert(key.clone(), value.clone());
                }
                (Some(Value::Array(have)), Value::Array(more)) => have.extend(more.iter().cloned()),
                (Some(have), _) if have == value => {}
                (Some(_), _) => self.diags.push(
                    Some(file),
                    None,
                    None,
                    format!("metadata key \"{key}\" conflicts with another file"),
                ),
            }
        }
    }

    fn add_shape(&mut self, file: &str, id: &str, json: &Value) {
        let d = &mut self.diags;
        if !is_shape_id(id) {
            d.push(
                Some(file),
                Some(id),
                None,
                "not an absolute shape id (namespace#Name)",
            );
            return;
        }
        let Some(obj) = json.as_object() else {
            d.push(Some(file), Some(id), None, "a shape must be a JSON object");
            return;
        };
        let Some(ty) = obj.get("type").and_then(Value::as_str) else {
            d.push(Some(file), Some(id), None, "missing \"type\"");
            return;
        };
        let traits = read_traits(d, file, id, None, obj.get("traits"));
        if ty == "apply" {
            for key in obj.keys() {
                if key != "type" && key != "traits" {
                    d.push(
                        Some(file),
                        Some(id),
                        None,
                        format!("unknown key \"{key}\" in apply"),
                    );
                }
            }
            self.applies.push((file.to_owned(), id.to_owned(), traits));
            return;
        }
        if id.contains('$') {
            d.push(
                Some(file),
                Some(id),
                None,
                "only apply may target a member id",
            );
            return;
        }
        let mut reader = ShapeReader {
            d,
            file,
            id,
            obj,
            used: vec!["type", "traits"],
        };
        let (kind, members) = match ty {
            "blob" => (Kind::Blob, vec![]),
            "boolean" => (Kind::Boolean, vec![]),
            "string" => (Kind::String, vec![]),
            "byte" => (Kind::Byte, vec![]),
            "short" => (Kind::Short, vec![]),
            "integer" => (Kind::Integer, vec![]),
            "long" => (Kind::Long, vec![]),
            "float" => (Kind::Float, vec![]),
            "double" => (Kind::Double, vec![]),
            "bigInteger" => (Kind::BigInteger, vec![]),
            "bigDecimal" => (Kind::BigDecimal, vec![]),
            "timestamp" => (Kind::Timestamp, vec![]),
            "document" => (Kind::Document, vec![]),
            "enum" => (Kind::Enum, reader.members("members")),
            "intEnum" => (Kind::IntEnum, reader.members("members")),
            "structure" => (Kind::Structure, reader.members("members")),
            "union" => (Kind::Union, reader.members("members")),
            "list" => (Kind::List, reader.named_members(&["member"])),
            "set" => (Kind::Set, reader.named_members(&["member"])),
            "map" => (Kind::Map, reader.named_members(&["key", "value"])),
            "operation" => {
                let op = Operation {
                    input: reader
                        .target("input")
                        .unwrap_or_else(|| "smithy.api#Unit".into()),
                    output: reader
                        .target("output")
                        .unwrap_or_else(|| "smithy.api#Unit".into()),
                    errors: reader.targets("errors"),
                };
                (Kind::Operation(op), vec![])
            }
            "service" => {
                let svc = Service {
                    version: reader.string("version"),
                    operations: reader.targets("operations"),
                    resources: reader.targets("resources"),
                    errors: reader.targets("errors"),
                    rename: reader.string_map("rename"),
                };
                (Kind::Service(svc), vec![])
            }
            "resource" => {
                let mut res = Resource {
                    identifiers: reader.target_map("identifiers"),
                    properties: reader.target_map("properties"),
                    ..Resource::default()
                };
                for key in ["create", "put", "read", "update", "delete", "list"] {
                    res.operations.extend(reader.target(key));
                }
                res.operations.extend(reader.targets("operations"));
                res.operations
                    .extend(reader.targets("collectionOperations"));
                res.resources = reader.targets("resources");
                (Kind::Resource(res), vec![])
            }
            other => {
                reader.d.push(
                    Some(file),
                    Some(id),
                    None,
                    format!("unknown shape type \"{other}\""),
                );
                return;
            }
        };
        let mixins = reader.targets("mixins");
        reader.finish();
        if !mixins.is_empty() {
            self.mixins.push((id.to_owned(), mixins));
        }
        let shape = Shape {
            id: id.to_owned(),
            kind,
            members,
            traits,
            file: file.to_owned(),
        };
        match self.model.shapes.get(id) {
            Some(existing) if existing.file == "<prelude>" => {
                self.diags
                    .push(Some(file), Some(id), None, "redefines a prelude shape")
            }
            Some(existing)
                if *existing
                    != Shape {
                        file: existing.file.clone(),
                        ..shape.clone()
                    } =>
            {
                self.diags.push(
                    Some(file),
                    Some(id),
                    None,
                    format!("defined differently in {}", existing.file),
                )
            }
            Some(_) => {}
            None => {
                self.model.shapes.insert(id.to_owned(), shape);
            }
        }
    }

    fn finish(mut self) -> Result<Model, Diagnostics> {
        self.flatten_mixins();
        for (file, target, traits) in std::mem::take(&mut self.applies) {
            self.apply(&file, &target, traits);
        }
        self.check_targets();
        self.diags.into_result(self.model)
    }

    /// Copies mixin members (first, in mixin order) and traits into each
    /// shape that uses mixins. A shape's own members and traits win.
    fn flatten_mixins(&mut self) {
        let pending: BTreeMap<String, Vec<String>> =
            std::mem::take(&mut self.mixins).into_iter().collect();
        let mut done = Vec::new();
        for id in pending.keys() {
            self.resolve_mixins(id, &pending, &mut done, &mut Vec::new());
        }
    }

    fn resolve_mixins(
        &mut self,
        id: &str,
        pending: &BTreeMap<String, Vec<String>>,
        done: &mut Vec<String>,
        stack: &mut Vec<String>,
    ) {
        if done.iter().any(|d| d == id) {
            return;
        }
        let Some(mixins) = pending.get(id) else {
            return;
        };
        if stack.iter().any(|s| s == id) {
            let file = self.model.shapes.get(id).map(|s| s.file.clone());
            self.diags
                .push(file.as_deref(), Some(id), None, "mixins form a cycle");
            return;
        }
        stack.push(id.to_owned());
        for m in mixins {
            self.resolve_mixins(m, pending, done, stack);
        }
        stack.pop();
        done.push(id.to_owned());

        let file = self.model.shapes.get(id).map(|s| s.file.clone());
        let mut members: Vec<Member> = Vec::new();
        let mut traits = Traits::new();
        for m in mixins {
            let Some(mixin) = self.model.shapes.get(m) else {
                self.diags.push(
                    file.as_deref(),
                    Some(id),
                    None,
                    format!("mixin {m} is not defined"),
                );
                continue;
            };
            let local: Vec<String> = mixin
                .traits
                .get("smithy.api#mixin")
                .and_then(|t| t.get("localTraits"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if !has(&mixin.traits, "smithy.api#mixin") {
                self.diags.push(
                    file.as_deref(),
                    Some(id),
                    None,
                    format!("{m} is used as a mixin but has no smithy.api#mixin trait"),
                );
            }
            members.extend(mixin.members.iter().cloned());
            for (k, v) in &mixin.traits {
                if k != "smithy.api#mixin" && !local.contains(k) {
                    traits.insert(k.clone(), v.clone());
                }
            }
        }
        let Some(shape) = self.model.shapes.get_mut(id) else {
            return;
        };
        for own in std::mem::take(&mut shape.members) {
            match members.iter_mut().find(|m| m.name == own.name) {
                Some(inherited) if inherited.target == own.target => {
                    inherited.traits.extend(own.traits);
                }
                Some(_) => self.diags.push(
                    file.as_deref(),
                    Some(id),
                    Some(&own.name),
                    "redefines a mixin member with another target",
                ),
                None => members.push(own),
            }
        }
        traits.extend(std::mem::take(&mut shape.traits));
        shape.members = members;
        shape.traits = traits;
    }

    fn apply(&mut self, file: &str, target: &str, traits: Traits) {
        let (shape_id, member) = match target.split_once('$') {
            Some((s, m)) => (s, Some(m)),
            None => (target, None),
        };
        let Some(shape) = self.model.shapes.get_mut(shape_id) else {
            self.diags.push(
                Some(file),
                Some(shape_id),
                member,
                "apply targets a shape that is not defined",
            );
            return;
        };
        let existing = match member {
            None => &mut shape.traits,
            Some(name) => match shape.members.iter_mut().find(|m| m.name == name) {
                Some(m) => &mut m.traits,
                None => {
                    self.diags.push(
                        Some(file),
                        Some(shape_id),
                        Some(name),
                        "apply targets a member that is not defined",
                    );
                    return;
                }
            },
        };
        for (k, v) in traits {
            match existing.get(&k) {
                Some(have) if *have != v => self.diags.push(
                    Some(file),
                    Some(shape_id),
                    member,
                    format!("apply sets trait {k} that the shape already has with another value"),
                ),
                _ => {
                    existing.insert(k, v);
                }
            }
        }
    }

    /// Every member target and every shape reference must be defined.
    fn check_targets(&mut self) {
        let mut missing = Vec::new();
        for shape in self.model.shapes.values() {
            let mut refs: Vec<(Option<&str>, &str)> = shape
                .members
                .iter()
                .map(|m| (Some(m.name.as_str()), m.target.as_str()))
                .collect();
            match &shape.kind {
                Kind::Operation(op) => {
                    refs.push((None, &op.input));
                    refs.push((None, &op.output));
                    refs.extend(op.errors.iter().map(|e| (None, e.as_str())));
                }
                Kind::Service(s) => {
                    for list in [&s.operations, &s.resources, &s.errors] {
                        refs.extend(list.iter().map(|e| (None, e.as_str())));
                    }
                }
                Kind::Resource(r) => {
                    for list in [&r.operations, &r.resources] {
                        refs.extend(list.iter().map(|e| (None, e.as_str())));
                    }
                    for (_, t) in r.identifiers.iter().chain(&r.properties) {
                        refs.push((None, t));
                    }
                }
                _ => {}
            }
            for (member, target) in refs {
                if !self.model.shapes.contains_key(target) {
                    missing.push((
                        shape.file.clone(),
                        shape.id.clone(),
                        member.map(str::to_owned),
                        format!("refers to {target}, which is not defined"),
                    ));
                }
            }
        }
        for (file, id, member, msg) in missing {
            self.diags
                .push(Some(&file), Some(&id), member.as_deref(), msg);
        }
    }
}

/// Whether `id` has the form `namespace#Name` (or `namespace#Name$member`).
fn is_shape_id(id: &str) -> bool {
    let Some((ns, rest)) = id.split_once('#') else {
        return false;
    };
    let ident = |s: &str| {
        let mut chars = s.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let (name, member) = match rest.split_once('$') {
        Some((n, m)) => (n, Some(m)),
        None => (rest, None),
    };
    !ns.is_empty() && ns.split('.').all(ident) && ident(name) && member.is_none_or(ident)
}

fn read_traits(
    d: &mut Diagnostics,
    file: &str,
    id: &str,
    member: Option<&str>,
    json: Option<&Value>,
) -> Traits {
    match json {
        None => Traits::new(),
        Some(Value::Object(map)) => {
            for key in map.keys() {
                if !is_shape_id(key) {
                    d.push(
                        Some(file),
                        Some(id),
                        member,
                        format!("trait id \"{key}\" is not an absolute shape id"),
                    );
                }
            }
            map.clone()
        }
        Some(_) => {
            d.push(Some(file), Some(id), member, "\"traits\" must be an object");
            Traits::new()
        }
    }
}

/// Reads the keys of one shape object, remembering which were understood.
struct ShapeReader<'a> {
    d: &'a mut Diagnostics,
    file: &'a str,
    id: &'a str,
    obj: &'a Map<String, Value>,
    used: Vec<&'static str>,
}

impl ShapeReader<'_> {
    fn bad(&mut self, key: &str, what: &str) {
        self.d.push(
            Some(self.file),
            Some(self.id),
            None,
            format!("\"{key}\" must be {what}"),
        );
    }

    fn target_of(&mut self, key: &str, v: &Value) -> Option<String> {
        match v.get("target").and_then(Value::as_str) {
            Some(t) if is_shape_id(t) => Some(t.to_owned()),
            _ => {
                self.bad(key, "an object with an absolute \"target\" shape id");
                None
            }
        }
    }

    fn target(&mut self, key: &'static str) -> Option<String> {
        self.used.push(key);
        let v = self.obj.get(key)?;
        self.target_of(key, v)
    }

    fn targets(&mut self, key: &'static str) -> Vec<String> {
        self.used.push(key);
        match self.obj.get(key) {
            None => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| self.target_of(key, v))
                .collect(),
            Some(_) => {
                self.bad(key, "an array of targets");
                vec![]
            }
        }
    }

    fn target_map(&mut self, key: &'static str) -> Vec<(String, String)> {
        self.used.push(key);
        match self.obj.get(key) {
            None => vec![],
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), self.target_of(key, v)?)))
                .collect(),
            Some(_) => {
                self.bad(key, "an object of targets");
                vec![]
            }
        }
    }

    fn string(&mut self, key: &'static str) -> Option<String> {
        self.used.push(key);
        let v = self.obj.get(key)?;
        let s = v.as_str().map(str::to_owned);
        if s.is_none() {
            self.bad(key, "a string");
        }
        s
    }

    fn string_map(&mut self, key: &'static str) -> BTreeMap<String, String> {
        self.used.push(key);
        let mut out = BTreeMap::new();
        match self.obj.get(key) {
            None => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    match v.as_str() {
                        Some(s) => {
                            out.insert(k.clone(), s.to_owned());
                        }
                        None => self.bad(key, "an object of strings"),
                    }
                }
            }
            Some(_) => self.bad(key, "an object of strings"),
        }
        out
    }

    fn member(&mut self, name: &str, v: &Value) -> Option<Member> {
        let Some(obj) = v.as_object() else {
            self.d.push(
                Some(self.file),
                Some(self.id),
                Some(name),
                "a member must be an object",
            );
            return None;
        };
        for key in obj.keys() {
            if key != "target" && key != "traits" {
                self.d.push(
                    Some(self.file),
                    Some(self.id),
                    Some(name),
                    format!("unknown key \"{key}\" in member"),
                );
            }
        }
        let target = match obj.get("target").and_then(Value::as_str) {
            Some(t) if is_shape_id(t) => t.to_owned(),
            _ => {
                self.d.push(
                    Some(self.file),
                    Some(self.id),
                    Some(name),
                    "missing or invalid \"target\"",
                );
                return None;
            }
        };
        let traits = read_traits(self.d, self.file, self.id, Some(name), obj.get("traits"));
        Some(Member {
            name: name.to_owned(),
            target,
            traits,
        })
    }

    fn members(&mut self, key: &'static str) -> Vec<Member> {
        self.used.push(key);
        match self.obj.get(key) {
            None => vec![],
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(name, v)| self.member(name, v))
                .collect(),
            Some(_) => {
                self.bad(key, "an object of members");
                vec![]
            }
        }
    }

    fn named_members(&mut self, names: &[&'static str]) -> Vec<Member> {
        let mut out = Vec::new();
        for name in names {
            self.used.push(name);
            match self.obj.get(*name) {
                Some(v) => out.extend(self.member(name, v)),
                None => self.d.push(
                    Some(self.file),
                    Some(self.id),
                    None,
                    format!("missing \"{name}\""),
                ),
            }
        }
        out
    }

    /// Reports every key that no reader asked for.
    fn finish(self) {
        for key in self.obj.keys() {
            if !self.used.contains(&key.as_str()) {
                self.d.push(
                    Some(self.file),
                    Some(self.id),
                    None,
                    format!("unknown or unsupported key \"{key}\" for this shape type"),
                );
            }
        }
    }
}
