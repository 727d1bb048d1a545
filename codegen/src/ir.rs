//! The middle layer: what to emit, with Rust names and wire names side by side.
//!
//! Emitters read only these types; they never look at raw model JSON and never
//! invent a name.

/// The whole crate to emit.
#[derive(Debug, Clone)]
pub struct Crate {
    pub service: ServiceInfo,
    /// Structures, unions and enums shared by operations, sorted by Rust name.
    pub types: Vec<TypeDef>,
    /// Operations, sorted by name.
    pub operations: Vec<OperationDef>,
    /// For each type (by Rust name), the cargo features of the operations
    /// that use it; a type is compiled when any of them is enabled.
    pub type_features: std::collections::BTreeMap<String, Vec<String>>,
    /// The service's endpoint rules, when it has them.
    pub endpoints: Option<Endpoints>,
}

/// Facts about the service that shape the wire format.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub id: String,
    pub title: Option<String>,
    pub version: Option<String>,
    /// `xmlns` written on every XML document root that has no namespace of its own.
    pub xml_namespace: Option<XmlNamespace>,
    /// How the service's responses differ from plain restXml.
    pub profile: crate::profile::Profile,
}

/// An XML namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    pub uri: String,
    pub prefix: Option<String>,
}

impl XmlNamespace {
    /// The attribute text, with a leading space: ` xmlns="…"` or ` xmlns:p="…"`.
    pub fn attribute(&self) -> String {
        let uri = self
            .uri
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        match &self.prefix {
            Some(p) => format!(" xmlns:{p}=\"{uri}\""),
            None => format!(" xmlns=\"{uri}\""),
        }
    }
}

/// A generated type.
#[derive(Debug, Clone)]
pub enum TypeDef {
    Struct(StructDef),
    Union(UnionDef),
    Enum(EnumDef),
}

impl TypeDef {
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Union(u) => &u.name,
            TypeDef::Enum(e) => &e.name,
        }
    }
}

/// What a type derives beyond Debug, Clone and PartialEq, and how its
/// values compare. Structures and unions derive neither `Eq` nor `Hash`
/// (as aws-sdk-s3's): both cost build time on every one of them, for a use
/// few callers have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derives {
    /// No floating-point value anywhere inside: `==` is exact (NaN is not
    /// there to differ from itself), which the round-trip tests rely on.
    pub exact_eq: bool,
    /// Default: no required member.
    pub default: bool,
}

/// What role a structure plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StructRole {
    Plain,
    Input,
    Output,
    /// An error structure: S3's error code and HTTP status.
    Error {
        code: String,
        status: Option<u16>,
    },
}

/// A structure.
#[derive(Debug, Clone)]
pub struct StructDef {
    pub shape_id: String,
    pub name: String,
    pub docs: Vec<String>,
    pub fields: Vec<Field>,
    pub derives: Derives,
    pub role: StructRole,
    /// Element name when this structure is a document root or list item.
    pub xml_name: String,
    /// Namespace declared by the shape itself.
    pub xml_namespace: Option<XmlNamespace>,
    /// Whether XML writing code is needed for it.
    pub writes_xml: bool,
    /// Whether XML reading code is needed for it.
    pub reads_xml: bool,
    /// The HTTP message of an error structure (its error response) or the
    /// event-stream message of an event structure. The request and response
    /// of an operation are on the [`OperationDef`].
    pub message: Option<Box<Message>>,
}

/// One message: where each member of a structure travels. Every index is
/// an index into the structure's fields; a field that is in none of the
/// lists and not the payload is a body member (when the body is
/// [`Body::XmlMembers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    /// The `httpResponseCode` member, which overrides the status.
    pub status_field: Option<usize>,
    /// Members bound to path labels (`httpLabel`), in field order; the
    /// operation's path says where each goes.
    pub labels: Vec<usize>,
    /// Members bound to one query parameter each (`httpQuery`).
    pub query: Vec<Param>,
    /// The map whose entries are the other query parameters (`httpQueryParams`).
    pub query_map: Option<usize>,
    /// Members bound to one header each (`httpHeader`, names in lower case;
    /// `eventHeader` in an event, named after the member).
    pub headers: Vec<Param>,
    /// The map whose entries are headers named prefix + key
    /// (`httpPrefixHeaders`; the prefix in lower case).
    pub prefix_headers: Option<Param>,
    pub body: Body,
}

/// Which message it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// An operation's request.
    Request,
    /// An operation's successful response, with the modeled status.
    Response { status: u16 },
    /// An error response: the error document, with the `httpError` status
    /// (or, when there is none, the status of the error's metadata).
    Error { status: Option<u16> },
    /// A message of an event stream (an event structure).
    Event,
}

/// A member bound to a named part of a message: a query parameter, a
/// header, or (for prefix headers) a header name prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub field: usize,
    pub name: String,
}

/// What forms the body of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    None,
    /// The body members form an XML document whose root element has this
    /// name and namespace. `unwrapped` (`s3UnwrappedXmlOutput`): the one
    /// body member is itself the root element (`root` is its name). In an
    /// error, the members are children of the error document's `root`
    /// element, which the service's profile may wrap.
    XmlMembers {
        root: String,
        namespace: Option<XmlNamespace>,
        unwrapped: bool,
    },
    /// The field, a structure or union, is the body: an XML document whose
    /// root element has this name and namespace (the member's `xmlName`,
    /// else the target's, else its shape name; the member's namespace, else
    /// the target's, else the service's).
    XmlPayload {
        field: usize,
        root: String,
        namespace: Option<XmlNamespace>,
    },
    /// The field, a string, enum or blob, is the body as is, with this
    /// content type (its `mediaType`, else `text/plain` for text and
    /// `application/octet-stream` for bytes).
    RawPayload {
        field: usize,
        content_type: String,
    },
    /// The field is an event stream of the named union.
    EventStream {
        field: usize,
        union: String,
    },
}

impl Body {
    /// The field that is the whole body, if any.
    pub fn payload(&self) -> Option<usize> {
        match self {
            Body::XmlPayload { field, .. }
            | Body::RawPayload { field, .. }
            | Body::EventStream { field, .. } => Some(*field),
            Body::None | Body::XmlMembers { .. } => None,
        }
    }

    /// The content type of the body in an HTTP message, `None` for no body.
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Body::None => None,
            Body::XmlMembers { .. } | Body::XmlPayload { .. } => Some("application/xml"),
            Body::RawPayload { content_type, .. } => Some(content_type),
            Body::EventStream { .. } => Some("application/vnd.amazon.eventstream"),
        }
    }
}

/// A structure member.
#[derive(Debug, Clone)]
pub struct Field {
    /// Member name in the model (the JSON key of the SDK input shape).
    pub member: String,
    /// Rust field name.
    pub name: String,
    pub docs: Vec<String>,
    pub ty: Ty,
    /// Whether the field is `Option<T>` (not required and no default).
    pub optional: bool,
    /// Whether the value is boxed to break a recursive cycle.
    pub boxed: bool,
    pub binding: Binding,
    pub xml: XmlMember,
    /// Filled with a fresh token when the caller leaves it empty (`idempotencyToken`).
    pub idempotency_token: bool,
    /// Used in the host prefix of the `endpoint` trait (`hostLabel`).
    pub host_label: bool,
    /// The `mediaType` of the member's target, for string and blob payloads.
    pub media_type: Option<String>,
    /// Redacted in `Debug` output (`sensitive` on the member or its target).
    pub sensitive: bool,
    /// A streaming blob or event stream (`streaming` on the target): the
    /// caller may stream it.
    pub streaming: bool,
}

/// Where an input or output member travels in an HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// In the XML body, as a child element of the document root.
    Body,
    /// Replaces `{name}` in the path.
    Label {
        greedy: bool,
    },
    Query(String),
    /// A map whose entries become query parameters (`httpQueryParams`).
    QueryParams,
    Header(String),
    /// A map whose entries become headers named prefix + key (`httpPrefixHeaders`).
    PrefixHeaders(String),
    /// The HTTP status code of the response (`httpResponseCode`).
    ResponseCode,
    /// Is the whole body.
    Payload,
    /// In a header of an event-stream message (`eventHeader`), named after the member.
    EventHeader,
    /// Is the payload of an event-stream message (`eventPayload`).
    EventPayload,
}

/// How a member is written in XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlMember {
    /// Element (or attribute) name.
    pub name: String,
    pub flattened: bool,
    pub attribute: bool,
    /// Namespace declared on the member's element.
    pub namespace: Option<XmlNamespace>,
}

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    String,
    Bool,
    Byte,
    Short,
    Int,
    Long,
    Float,
    Double,
    /// A point in time; the format, when the model sets one (`timestampFormat`).
    Timestamp(Option<TimestampFormat>),
    /// Bytes.
    Blob,
    /// An event stream of the named union (a `streaming` union): the events
    /// in order, `Vec<Union>`.
    EventStream {
        name: String,
    },
    /// A generated structure, union or enum.
    Named {
        name: String,
        kind: NamedKind,
    },
    /// A list; `member` is the element name of each item in a wrapped list.
    List {
        item: Box<Ty>,
        member: XmlMember,
    },
    /// A map with string-like keys.
    Map {
        key: Box<Ty>,
        value: Box<Ty>,
        /// Element of each key (name and namespace).
        key_xml: XmlMember,
        /// Element of each value (name and namespace).
        value_xml: XmlMember,
    },
}

/// How a timestamp is written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    DateTime,
    HttpDate,
    EpochSeconds,
}

/// Which kind of generated type a [`Ty::Named`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Struct,
    Union,
    Enum,
}

/// A union: exactly one member is set.
#[derive(Debug, Clone)]
pub struct UnionDef {
    pub shape_id: String,
    pub name: String,
    pub docs: Vec<String>,
    /// Each variant: (member name, Rust variant name, docs, type, boxed, XML).
    pub variants: Vec<Variant>,
    /// Name of the variant that keeps a member name this crate does not know.
    pub unknown: String,
    /// The shape's name in the model, for error messages.
    pub shape_name: String,
    /// Element name when this union is a document root (its `xmlName`, else
    /// the shape name).
    pub xml_name: String,
    /// Namespace declared by the shape itself.
    pub xml_namespace: Option<XmlNamespace>,
    pub derives: Derives,
    pub writes_xml: bool,
    pub reads_xml: bool,
    /// A `streaming` union: each variant is an event, carried by one message
    /// of an event stream.
    pub event_stream: bool,
}

/// A union member.
#[derive(Debug, Clone)]
pub struct Variant {
    pub member: String,
    pub name: String,
    pub docs: Vec<String>,
    pub ty: Ty,
    pub boxed: bool,
    pub xml: XmlMember,
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct EnumDef {
    pub shape_id: String,
    pub name: String,
    pub docs: Vec<String>,
    /// (Rust variant name, wire value, docs), in model order.
    pub values: Vec<(String, String, Vec<String>)>,
    /// Name of the variant that keeps a value this crate does not know.
    pub unknown: String,
}

/// An operation.
#[derive(Debug, Clone)]
pub struct OperationDef {
    /// The model name, e.g. `PutBucketAnalyticsConfiguration`.
    pub name: String,
    /// The cargo feature that compiles this operation, e.g. `put-bucket-analytics-configuration`.
    pub feature: String,
    /// Rust module name.
    pub module: String,
    pub docs: Vec<String>,
    pub method: String,
    /// Path segments of the `http` trait's URI pattern.
    pub path: Vec<PathSegment>,
    /// Literal query parameters of the URI pattern, `(key, value)`.
    pub query_literals: Vec<(String, Option<String>)>,
    /// The modeled success status.
    pub code: u16,
    pub input: StructDef,
    pub output: StructDef,
    /// Modeled errors: (Rust variant name, error type name, error code).
    pub errors: Vec<ErrorRef>,
    /// Rust name of the operation error enum.
    pub error_name: String,
    /// The request: where each input member travels (the method, path and
    /// literal query parameters are above).
    pub request: Message,
    /// The successful response: where each output member travels.
    pub response: Message,
    /// The `endpoint` trait's host prefix, e.g. `foo.{Label}.`.
    pub host_prefix: Option<String>,
    /// Request checksum (`aws.protocols#httpChecksum`).
    pub checksum: Option<Checksum>,
    /// The request body is gzip-compressed (`requestCompression` lists
    /// `gzip`, the one encoding Smithy defines; others are ignored, as the
    /// trait allows).
    pub gzip: bool,
    /// Validation of response checksums (`aws.protocols#httpChecksum`).
    pub response_checksum: Option<ResponseChecksum>,
    /// The endpoint rules' parameters this operation fills.
    pub endpoint_params: Vec<ParamFill>,
}

/// The headers a request checksum (`httpChecksum`) is sent in, for the
/// algorithms the runtime computes: `Content-MD5`, and `x-amz-checksum-` and
/// the algorithm's name in lower case (the trait's naming rule).
pub const COMPUTED_CHECKSUM_HEADERS: &[&str] = &[
    "content-md5",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
];

/// How the request body is checksummed (`aws.protocols#httpChecksum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// A checksum is required: Content-MD5 when the caller chose no algorithm.
    pub required: bool,
    /// Index of the input field naming the algorithm (CRC32, SHA256, …).
    pub algorithm_field: Option<usize>,
}

/// Which response checksums are validated, when the caller asks
/// (`httpChecksum`'s `requestValidationModeMember` and
/// `responseAlgorithms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseChecksum {
    /// Index of the input field whose value `ENABLED` asks for validation.
    pub mode_field: usize,
    /// The algorithms a response may carry a checksum of, in the trait's
    /// order of preference.
    pub algorithms: Vec<String>,
}

/// One segment of a URI path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Literal(String),
    /// Index of the labelled field in the input structure.
    Label {
        field: usize,
        greedy: bool,
        /// The endpoint rules read this label's value (it fills a parameter
        /// through `contextParam`), so a resolved endpoint carries it and
        /// the label leaves the path of a request built for that endpoint.
        in_endpoint: bool,
    },
}

/// A modeled error of an operation.
#[derive(Debug, Clone)]
pub struct ErrorRef {
    pub variant: String,
    pub type_name: String,
    pub code: String,
    /// Whether the error structure has members to read from the response.
    pub has_members: bool,
}

/// The endpoint rules of the service (`smithy.rules#endpointBdd`), lowered:
/// parameters, typed conditions, outcomes and the decision diagram.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The rule set's parameters, in model order.
    pub params: Vec<EndpointParam>,
    /// Variables that conditions assign (`assign`), each with its type.
    pub vars: Vec<RuleVar>,
    /// The conditions the diagram's nodes test, in model order.
    pub conditions: Vec<RuleCondition>,
    /// The outcomes; a result reference `r` of the diagram names `outcomes[r - 1]`
    /// (result 0 is "no rule matched").
    pub outcomes: Vec<RuleOutcome>,
    /// The diagram's root reference.
    pub root: i32,
    /// The diagram's nodes: (condition index, high reference, low reference).
    pub nodes: Vec<[i32; 3]>,
    /// The partition table `aws.partition` reads (empty when the rules do not call it).
    pub partitions: Vec<PartitionDef>,
    /// The rule set's test cases (`smithy.rules#endpointTests`).
    pub tests: Vec<EndpointTest>,
}

/// A parameter of the endpoint rules.
#[derive(Debug, Clone)]
pub struct EndpointParam {
    /// The name in the rule set, e.g. `UseFIPS`.
    pub name: String,
    /// The Rust field of `Params` (and of `Config` when configurable).
    pub field: String,
    pub ty: RuleType,
    /// The default value (a string or a boolean), when the rule set gives one.
    pub default: Option<RuleLiteral>,
    pub required: bool,
    /// The built-in that fills it (`AWS::Region`...), when it has one.
    pub built_in: Option<String>,
    /// Whether the client configuration sets it: a built-in, or a
    /// `clientContextParams` entry.
    pub configurable: bool,
    pub docs: Vec<String>,
}

/// A literal of the rules.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleLiteral {
    Str(String),
    Bool(bool),
    StrArray(Vec<String>),
}

/// The type of a value of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleType {
    Str,
    Bool,
    Int,
    StrArray,
    /// The outputs of `aws.partition`.
    Partition,
    /// The result of `parseURL`.
    Url,
    /// The result of `aws.parseArn`.
    Arn,
}

/// A variable assigned by a condition.
#[derive(Debug, Clone)]
pub struct RuleVar {
    /// The name in the rules.
    pub name: String,
    /// The Rust field of the resolver's scope.
    pub field: String,
    pub ty: RuleType,
}

/// A condition: an expression, true when it is `true` (booleans) or set
/// (other values), whose value may be assigned to a variable.
#[derive(Debug, Clone)]
pub struct RuleCondition {
    pub expr: RuleExpr,
    /// Index into [`Endpoints::vars`].
    pub assign: Option<usize>,
}

/// A typed expression of the rules.
#[derive(Debug, Clone)]
pub struct RuleExpr {
    pub kind: RuleExprKind,
    pub ty: RuleType,
}

/// What an expression is.
#[derive(Debug, Clone)]
pub enum RuleExprKind {
    Str(String),
    Bool(bool),
    Int(i64),
    /// A string template: literal text and `{name}` / `{name#path}` values.
    Template(Vec<TemplatePart>),
    /// Index into [`Endpoints::params`].
    Param(usize),
    /// Index into [`Endpoints::vars`].
    Var(usize),
    Call(RuleFn, Vec<RuleExpr>),
    /// `getAttr`: a path of fields and indexes into a value.
    Attr(Box<RuleExpr>, Vec<AttrStep>),
}

/// A part of a string template.
#[derive(Debug, Clone)]
pub enum TemplatePart {
    Lit(String),
    Value(RuleExpr),
}

/// A step of a `getAttr` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrStep {
    Field(String),
    Index(i64),
}

/// A function the rules call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleFn {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Coalesce,
    Ite,
    Split,
    Partition,
    ParseArn,
    IsVirtualHostableS3Bucket,
}

/// What the rules end in.
#[derive(Debug, Clone)]
pub enum RuleOutcome {
    /// An error rule: its message (a string expression).
    Error(RuleExpr),
    Endpoint {
        url: RuleExpr,
        properties: Vec<(String, RuleValue)>,
        headers: Vec<(String, Vec<RuleExpr>)>,
    },
}

/// A value of an endpoint's properties.
#[derive(Debug, Clone)]
pub enum RuleValue {
    Str(RuleExpr),
    Bool(bool),
    Int(i64),
    Array(Vec<RuleValue>),
    Object(Vec<(String, RuleValue)>),
}

/// A partition of the partition table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionDef {
    pub id: String,
    pub region_regex: String,
    pub outputs: PartitionOutputsDef,
    /// Each region with its outputs (the partition's, with the region's overrides).
    pub regions: Vec<(String, PartitionOutputsDef)>,
}

/// The outputs of a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOutputsDef {
    pub name: String,
    pub dns_suffix: String,
    pub dual_stack_dns_suffix: String,
    pub implicit_global_region: String,
    pub supports_fips: bool,
    pub supports_dual_stack: bool,
}

/// A case of `smithy.rules#endpointTests`, kept as JSON for the generated
/// test harness (which reads it with the crate's own serde types).
#[derive(Debug, Clone)]
pub struct EndpointTest {
    pub json: serde_json::Value,
}

/// How an operation fills one parameter of the endpoint rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamFill {
    /// Index into [`Endpoints::params`].
    pub param: usize,
    pub source: FillSource,
}

/// Where the value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum FillSource {
    /// An input member (`contextParam`): index into the input's fields.
    Field(usize),
    /// A value fixed for the operation (`staticContextParams`).
    Static(RuleLiteral),
    /// A path over the input (`operationContextParams`): field indexes
    /// through structures, `[*]` projecting a list (then the parameter is a
    /// string array).
    Path(Vec<PathStep>),
}

/// A step of an `operationContextParams` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// A member of a structure: (field index, Rust field name, optional).
    Field(usize, String, bool),
    /// Every item of a list (`[*]`).
    Each,
    /// The keys of a map (`keys(...)`).
    Keys,
}

impl Endpoints {
    /// The parameters the conditions and outcomes read.
    pub fn params_read(&self) -> std::collections::BTreeSet<usize> {
        fn walk(e: &RuleExpr, out: &mut std::collections::BTreeSet<usize>) {
            match &e.kind {
                RuleExprKind::Param(i) => {
                    out.insert(*i);
                }
                RuleExprKind::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
                RuleExprKind::Attr(of, _) => walk(of, out),
                RuleExprKind::Template(parts) => parts.iter().for_each(|p| {
                    if let TemplatePart::Value(v) = p {
                        walk(v, out)
                    }
                }),
                RuleExprKind::Str(_)
                | RuleExprKind::Bool(_)
                | RuleExprKind::Int(_)
                | RuleExprKind::Var(_) => {}
            }
        }
        fn value(v: &RuleValue, out: &mut std::collections::BTreeSet<usize>) {
            match v {
                RuleValue::Str(e) => walk(e, out),
                RuleValue::Array(items) => items.iter().for_each(|i| value(i, out)),
                RuleValue::Object(map) => map.iter().for_each(|(_, v)| value(v, out)),
                RuleValue::Bool(_) | RuleValue::Int(_) => {}
            }
        }
        let mut out = std::collections::BTreeSet::new();
        for c in &self.conditions {
            walk(&c.expr, &mut out);
        }
        for o in &self.outcomes {
            match o {
                RuleOutcome::Error(e) => walk(e, &mut out),
                RuleOutcome::Endpoint {
                    url,
                    properties,
                    headers,
                } => {
                    walk(url, &mut out);
                    properties.iter().for_each(|(_, v)| value(v, &mut out));
                    headers
                        .iter()
                        .flat_map(|(_, vs)| vs)
                        .for_each(|e| walk(e, &mut out));
                }
            }
        }
        out
    }
}
