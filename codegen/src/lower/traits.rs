//! Typed traits: the Smithy traits lowering reads, parsed once per shape and
//! member into [`Traits`].
//!
//! A trait whose value has the wrong form is reported here, naming the file,
//! shape and member that carry it; lowering then reads only the typed values.
//! Traits the generator does not know are reported by
//! [`validate`](super::validate), and not parsed here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::err;
use super::uri::{self, UriTemplate};
use crate::diag::Diagnostics;
use crate::ir::{TimestampFormat, XmlNamespace};
use crate::model::{Kind, Model, Shape};

/// The traits of one shape or member that lowering reads.
#[derive(Debug, Clone, Default)]
pub(super) struct Traits {
    /// `documentation`.
    pub documentation: Option<String>,
    /// `deprecated`, with its message.
    pub deprecated: Option<Deprecated>,
    /// `required`.
    pub required: bool,
    /// `enumValue`.
    pub enum_value: Option<EnumValue>,
    /// `http` of an operation.
    pub http: Option<Http>,
    /// `httpLabel`.
    pub http_label: bool,
    /// `httpQuery`: the parameter name.
    pub http_query: Option<String>,
    /// `httpQueryParams`.
    pub http_query_params: bool,
    /// `httpHeader`: the header name.
    pub http_header: Option<String>,
    /// `httpPrefixHeaders`: the prefix.
    pub http_prefix_headers: Option<String>,
    /// `httpPayload`.
    pub http_payload: bool,
    /// `httpResponseCode`.
    pub http_response_code: bool,
    /// `httpError`: the status code of an error.
    pub http_error: Option<u16>,
    /// `error` (`client` or `server`).
    pub error: bool,
    /// `xmlName`.
    pub xml_name: Option<String>,
    /// `xmlNamespace`.
    pub xml_namespace: Option<XmlNamespace>,
    /// `xmlFlattened`.
    pub xml_flattened: bool,
    /// `xmlAttribute`.
    pub xml_attribute: bool,
    /// `timestampFormat`.
    pub timestamp_format: Option<TimestampFormat>,
    /// `mediaType`.
    pub media_type: Option<String>,
    /// `idempotencyToken`.
    pub idempotency_token: bool,
    /// `hostLabel`.
    pub host_label: bool,
    /// `endpoint`: the host prefix of an operation.
    pub endpoint: Option<Endpoint>,
    /// `aws.protocols#httpChecksum` of an operation.
    pub http_checksum: Option<HttpChecksum>,
    /// `requestCompression` of an operation: its encodings, in order of
    /// preference.
    pub request_compression: Option<Vec<String>>,
    /// `sensitive`.
    pub sensitive: bool,
    /// `streaming`.
    pub streaming: bool,
    /// `eventHeader`.
    pub event_header: bool,
    /// `eventPayload`.
    pub event_payload: bool,
    /// `aws.customizations#s3UnwrappedXmlOutput` of an operation.
    pub s3_unwrapped_xml_output: bool,
    /// `aws.protocols#restXml` of a service.
    pub rest_xml: Option<RestXml>,
    /// `title` of a service.
    pub title: Option<String>,
}

/// `smithy.api#deprecated`.
#[derive(Debug, Clone, Default)]
pub(super) struct Deprecated {
    pub message: Option<String>,
}

/// `smithy.api#enumValue`: a string (enum) or an integer (intEnum).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum EnumValue {
    String(String),
    Int,
}

/// `smithy.api#http`.
#[derive(Debug, Clone)]
pub(super) struct Http {
    pub method: String,
    /// The URI template as written.
    pub uri: String,
    /// The URI template, parsed.
    pub template: UriTemplate,
    /// The success status code (200 when not given).
    pub code: u16,
}

/// `smithy.api#endpoint`.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    pub host_prefix: String,
}

/// `aws.protocols#httpChecksum`: the request checksum and the validation
/// of response checksums.
#[derive(Debug, Clone)]
pub(super) struct HttpChecksum {
    pub request_checksum_required: bool,
    pub request_algorithm_member: Option<String>,
    /// The input member whose value `ENABLED` asks for response checksums
    /// to be validated.
    pub request_validation_mode_member: Option<String>,
    /// The algorithms a response may carry a checksum of, in the trait's
    /// order (of preference).
    pub response_algorithms: Vec<String>,
}

/// `aws.protocols#restXml`.
#[derive(Debug, Clone)]
pub(super) struct RestXml {
    pub no_error_wrapping: bool,
}

/// The typed traits of every shape lowering looks at, and of their members.
#[derive(Debug, Default)]
pub(super) struct TraitTable {
    shapes: BTreeMap<String, Traits>,
    /// Shape id → member name → traits.
    members: BTreeMap<String, BTreeMap<String, Traits>>,
}

static NONE: Traits = Traits {
    documentation: None,
    deprecated: None,
    required: false,
    enum_value: None,
    http: None,
    http_label: false,
    http_query: None,
    http_query_params: false,
    http_header: None,
    http_prefix_headers: None,
    http_payload: false,
    http_response_code: false,
    http_error: None,
    error: false,
    xml_name: None,
    xml_namespace: None,
    xml_flattened: false,
    xml_attribute: false,
    timestamp_format: None,
    media_type: None,
    idempotency_token: false,
    host_label: false,
    endpoint: None,
    http_checksum: None,
    request_compression: None,
    sensitive: false,
    streaming: false,
    event_header: false,
    event_payload: false,
    s3_unwrapped_xml_output: false,
    rest_xml: None,
    title: None,
};

impl TraitTable {
    /// Parses the traits of `shapes` and of their members, reporting
    /// malformed values.
    pub fn parse<'m>(
        model: &'m Model,
        shapes: impl IntoIterator<Item = &'m str>,
        d: &mut Diagnostics,
    ) -> TraitTable {
        let mut table = TraitTable::default();
        let ids: BTreeSet<&str> = shapes.into_iter().collect();
        for id in ids {
            let Some(shape) = model.shapes.get(id) else {
                continue;
            };
            let mut p = Parser {
                shape,
                member: None,
                d,
            };
            table
                .shapes
                .insert(shape.id.clone(), p.traits(&shape.traits));
            for m in &shape.members {
                let mut p = Parser {
                    shape,
                    member: Some(&m.name),
                    d,
                };
                let traits = p.traits(&m.traits);
                table
                    .members
                    .entry(shape.id.clone())
                    .or_default()
                    .insert(m.name.clone(), traits);
            }
        }
        table
    }

    /// The traits of the shape `id` (none when it was not parsed).
    pub fn shape(&self, id: &str) -> &Traits {
        self.shapes.get(id).unwrap_or(&NONE)
    }

    /// The traits of the member `member` of the shape `id`.
    pub fn member(&self, id: &str, member: &str) -> &Traits {
        self.members
            .get(id)
            .and_then(|m| m.get(member))
            .unwrap_or(&NONE)
    }

    /// Whether `shape` is a streaming union: an event stream.
    pub fn is_event_stream(&self, shape: &Shape) -> bool {
        shape.kind == Kind::Union && self.shape(&shape.id).streaming
    }
}

/// Parses the traits of one shape or member.
struct Parser<'a> {
    shape: &'a Shape,
    member: Option<&'a str>,
    d: &'a mut Diagnostics,
}

impl Parser<'_> {
    fn bad(&mut self, msg: impl Into<String>) {
        err(self.d, self.shape, self.member, msg);
    }

    fn traits(&mut self, raw: &Map<String, Value>) -> Traits {
        let mut t = Traits::default();
        for (id, value) in raw {
            match id.as_str() {
                "smithy.api#documentation" => t.documentation = self.string(id, value),
                "smithy.api#deprecated" => t.deprecated = self.deprecated(id, value),
                "smithy.api#required" => t.required = self.annotation(id, value),
                "smithy.api#enumValue" => t.enum_value = self.enum_value(id, value),
                "smithy.api#http" => t.http = self.http(id, value),
                "smithy.api#httpLabel" => t.http_label = self.annotation(id, value),
                "smithy.api#httpQuery" => t.http_query = self.string(id, value),
                "smithy.api#httpQueryParams" => t.http_query_params = self.annotation(id, value),
                "smithy.api#httpHeader" => t.http_header = self.string(id, value),
                "smithy.api#httpPrefixHeaders" => t.http_prefix_headers = self.string(id, value),
                "smithy.api#httpPayload" => t.http_payload = self.annotation(id, value),
                "smithy.api#httpResponseCode" => {
                    t.http_response_code = self.annotation(id, value);
                }
                "smithy.api#httpError" => t.http_error = self.status(id, value),
                "smithy.api#error" => t.error = self.error(id, value),
                "smithy.api#xmlName" => t.xml_name = self.string(id, value),
                "smithy.api#xmlNamespace" => t.xml_namespace = self.xml_namespace(value),
                "smithy.api#xmlFlattened" => t.xml_flattened = self.annotation(id, value),
                "smithy.api#xmlAttribute" => t.xml_attribute = self.annotation(id, value),
                "smithy.api#timestampFormat" => {
                    t.timestamp_format = self.timestamp_format(id, value);
                }
                "smithy.api#mediaType" => t.media_type = self.string(id, value),
                "smithy.api#idempotencyToken" => t.idempotency_token = self.annotation(id, value),
                "smithy.api#hostLabel" => t.host_label = self.annotation(id, value),
                "smithy.api#endpoint" => t.endpoint = self.endpoint(id, value),
                "aws.protocols#httpChecksum" => t.http_checksum = self.http_checksum(id, value),
                "smithy.api#requestCompression" => {
                    t.request_compression = self.request_compression(id, value);
                }
                "smithy.api#sensitive" => t.sensitive = self.annotation(id, value),
                "smithy.api#streaming" => t.streaming = self.annotation(id, value),
                "smithy.api#eventHeader" => t.event_header = self.annotation(id, value),
                "smithy.api#eventPayload" => t.event_payload = self.annotation(id, value),
                "aws.customizations#s3UnwrappedXmlOutput" => {
                    t.s3_unwrapped_xml_output = self.annotation(id, value);
                }
                "aws.protocols#restXml" => t.rest_xml = self.rest_xml(id, value),
                "smithy.api#title" => t.title = self.string(id, value),
                _ => {}
            }
        }
        t
    }

    /// An annotation trait: its value is an object (`{}`). Present even when
    /// malformed, so that one problem is not reported twice.
    fn annotation(&mut self, id: &str, value: &Value) -> bool {
        if !value.is_object() {
            self.bad(format!(
                "{id} is an annotation trait: its value must be {{}}"
            ));
        }
        true
    }

    fn string(&mut self, id: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.bad(format!("{id} must be a string"));
                None
            }
        }
    }

    fn object<'v>(&mut self, id: &str, value: &'v Value) -> Option<&'v Map<String, Value>> {
        let obj = value.as_object();
        if obj.is_none() {
            self.bad(format!("{id} must be an object"));
        }
        obj
    }

    /// The optional string property `key` of the object trait `id`.
    fn opt_string(&mut self, id: &str, obj: &Map<String, Value>, key: &str) -> Option<String> {
        match obj.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.bad(format!("{id} needs a string \"{key}\""));
                None
            }
        }
    }

    /// The optional boolean property `key` of the object trait `id`, false when absent.
    fn opt_bool(&mut self, id: &str, obj: &Map<String, Value>, key: &str) -> bool {
        match obj.get(key) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.bad(format!("{id} needs a boolean \"{key}\""));
                false
            }
        }
    }

    fn deprecated(&mut self, id: &str, value: &Value) -> Option<Deprecated> {
        let obj = self.object(id, value)?;
        Some(Deprecated {
            message: self.opt_string(id, obj, "message"),
        })
    }

    fn enum_value(&mut self, id: &str, value: &Value) -> Option<EnumValue> {
        match value {
            Value::String(s) => Some(EnumValue::String(s.clone())),
            Value::Number(n) if n.is_i64() => Some(EnumValue::Int),
            _ => {
                self.bad(format!("{id} must be a string or an integer"));
                None
            }
        }
    }

    /// An HTTP status code: an integer from 100 to 999.
    fn status(&mut self, id: &str, value: &Value) -> Option<u16> {
        let code = value
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (100..=999).contains(c));
        if code.is_none() {
            self.bad(format!(
                "{id} must be an HTTP status code (an integer from 100 to 999)"
            ));
        }
        code
    }

    fn error(&mut self, id: &str, value: &Value) -> bool {
        if !matches!(value.as_str(), Some("client" | "server")) {
            self.bad(format!("{id} must be \"client\" or \"server\""));
        }
        true
    }

    fn http(&mut self, id: &str, value: &Value) -> Option<Http> {
        let obj = self.object(id, value)?;
        let method = self.opt_string(id, obj, "method").unwrap_or_default();
        let uri = self.opt_string(id, obj, "uri").unwrap_or_default();
        let code = match obj.get("code") {
            None => Some(200),
            Some(code) => self.status(&format!("the \"code\" of {id}"), code),
        };
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            self.bad("smithy.api#http needs an upper-case \"method\"");
        }
        let template = match uri::parse(&uri) {
            Ok(t) => t,
            Err(errors) => {
                for e in errors {
                    self.bad(e);
                }
                return None;
            }
        };
        Some(Http {
            method,
            uri,
            template,
            code: code?,
        })
    }

    fn xml_namespace(&mut self, value: &Value) -> Option<XmlNamespace> {
        let Some(uri) = value.get("uri").and_then(Value::as_str) else {
            self.bad("smithy.api#xmlNamespace needs a \"uri\"");
            return None;
        };
        let obj = value.as_object()?;
        Some(XmlNamespace {
            uri: uri.to_owned(),
            prefix: self.opt_string("smithy.api#xmlNamespace", obj, "prefix"),
        })
    }

    fn timestamp_format(&mut self, id: &str, value: &Value) -> Option<TimestampFormat> {
        match value.as_str() {
            Some("date-time") => Some(TimestampFormat::DateTime),
            Some("http-date") => Some(TimestampFormat::HttpDate),
            Some("epoch-seconds") => Some(TimestampFormat::EpochSeconds),
            Some(other) => {
                self.bad(format!("unknown timestampFormat \"{other}\""));
                None
            }
            None => {
                self.bad(format!("{id} must be a string"));
                None
            }
        }
    }

    fn endpoint(&mut self, id: &str, value: &Value) -> Option<Endpoint> {
        let obj = self.object(id, value)?;
        match self.opt_string(id, obj, "hostPrefix") {
            Some(host_prefix) => Some(Endpoint { host_prefix }),
            None => {
                if !obj.contains_key("hostPrefix") {
                    self.bad(format!("{id} needs a string \"hostPrefix\""));
                }
                None
            }
        }
    }

    fn http_checksum(&mut self, id: &str, value: &Value) -> Option<HttpChecksum> {
        let obj = self.object(id, value)?;
        let response_algorithms = match obj.get("responseAlgorithms") {
            None => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(_) => {
                self.bad(format!(
                    "{id} needs a list of strings \"responseAlgorithms\""
                ));
                Vec::new()
            }
        };
        Some(HttpChecksum {
            request_checksum_required: self.opt_bool(id, obj, "requestChecksumRequired"),
            request_algorithm_member: self.opt_string(id, obj, "requestAlgorithmMember"),
            request_validation_mode_member: self.opt_string(id, obj, "requestValidationModeMember"),
            response_algorithms,
        })
    }

    fn request_compression(&mut self, id: &str, value: &Value) -> Option<Vec<String>> {
        let obj = self.object(id, value)?;
        match obj.get("encodings") {
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => {
                self.bad(format!("{id} needs a list of strings \"encodings\""));
                None
            }
        }
    }

    fn rest_xml(&mut self, id: &str, value: &Value) -> Option<RestXml> {
        let obj = self.object(id, value)?;
        Some(RestXml {
            no_error_wrapping: self.opt_bool(id, obj, "noErrorWrapping"),
        })
    }
}
