//! Lowering of HTTP messages: for a lowered structure (an operation's input
//! or output, an error, an event), where each member travels and what forms
//! the body, with the XML root names, namespaces and content types resolved.

use super::Cx;
use crate::ir::*;
use crate::model::Shape;

/// The content type of a raw text payload with no `mediaType`.
const TEXT: &str = "text/plain";
/// The content type of a raw bytes payload with no `mediaType`.
const BYTES: &str = "application/octet-stream";
/// The element that holds an error's members in an error document.
const ERROR_ELEMENT: &str = "Error";

impl Cx<'_> {
    /// The message that carries `def`. `owner` is the shape problems are
    /// reported on (the operation for its input and output); `what` names
    /// the structure in those reports ("the input", "the output", …);
    /// `unwrapped` is `s3UnwrappedXmlOutput` of the operation.
    pub(super) fn message(
        &mut self,
        owner: &Shape,
        what: &str,
        def: &StructDef,
        kind: MessageKind,
        unwrapped: bool,
    ) -> Message {
        let mut msg = Message {
            kind,
            status_field: None,
            labels: Vec::new(),
            query: Vec::new(),
            query_map: None,
            headers: Vec::new(),
            prefix_headers: None,
            body: Body::None,
        };
        let mut payloads = Vec::new();
        let mut body_members = Vec::new();
        for (i, f) in def.fields.iter().enumerate() {
            let param = |name: &str| Param {
                field: i,
                name: name.to_owned(),
            };
            match &f.binding {
                Binding::Body => body_members.push(i),
                Binding::Label { .. } => msg.labels.push(i),
                Binding::Query(name) => msg.query.push(param(name)),
                Binding::Header(name) => msg.headers.push(param(name)),
                Binding::EventHeader => msg.headers.push(param(&f.member)),
                Binding::Payload | Binding::EventPayload => payloads.push(i),
                Binding::ResponseCode => msg.status_field = Some(i),
                Binding::QueryParams => {
                    if msg.query_map.replace(i).is_some() {
                        self.err(
                            owner,
                            None,
                            format!("{what} has more than one httpQueryParams member"),
                        );
                    }
                }
                Binding::PrefixHeaders(prefix) => {
                    if msg.prefix_headers.replace(param(prefix)).is_some() {
                        self.err(
                            owner,
                            None,
                            format!("{what} has more than one httpPrefixHeaders member"),
                        );
                    }
                }
            }
        }
        msg.body = match (payloads.as_slice(), body_members.as_slice()) {
            ([], []) => Body::None,
            ([], members) => self.members_body(owner, what, def, kind, unwrapped, members),
            ([field], members) => {
                if !members.is_empty() {
                    self.err(
                        owner,
                        None,
                        format!("{what} has an httpPayload member and unbound members"),
                    );
                }
                self.payload_body(def, *field)
            }
            _ => {
                self.err(
                    owner,
                    None,
                    format!("{what} has more than one httpPayload member"),
                );
                Body::None
            }
        };
        msg
    }

    /// The document the body members form.
    fn members_body(
        &mut self,
        owner: &Shape,
        what: &str,
        def: &StructDef,
        kind: MessageKind,
        unwrapped: bool,
        members: &[usize],
    ) -> Body {
        let namespace = def
            .xml_namespace
            .clone()
            .or_else(|| self.service_ns.clone());
        if let MessageKind::Error { .. } = kind {
            return Body::XmlMembers {
                root: ERROR_ELEMENT.to_owned(),
                namespace: None,
                unwrapped: false,
            };
        }
        if !unwrapped {
            return Body::XmlMembers {
                root: def.xml_name.clone(),
                namespace,
                unwrapped: false,
            };
        }
        let [only] = members else {
            self.err(
                owner,
                None,
                format!(
                    "s3UnwrappedXmlOutput needs exactly one body member, {what} has {}",
                    members.len()
                ),
            );
            return Body::None;
        };
        let f = &def.fields[*only];
        Body::XmlMembers {
            root: f.xml.name.clone(),
            namespace: f.xml.namespace.clone().or(namespace),
            unwrapped: true,
        }
    }

    /// The body that the payload member `field` of `def` forms.
    fn payload_body(&mut self, def: &StructDef, field: usize) -> Body {
        let f = &def.fields[field];
        let raw = |default: &str| Body::RawPayload {
            field,
            content_type: f.media_type.clone().unwrap_or_else(|| default.to_owned()),
        };
        match &f.ty {
            Ty::Blob => raw(BYTES),
            Ty::String
            | Ty::Named {
                kind: NamedKind::Enum,
                ..
            } => raw(TEXT),
            Ty::EventStream { name } => Body::EventStream {
                field,
                union: name.clone(),
            },
            Ty::Named { .. } => {
                let (root, namespace) = self.payload_root(def, f);
                Body::XmlPayload {
                    field,
                    root,
                    namespace,
                }
            }
            other => {
                let kind = match other {
                    Ty::List { .. } => "list",
                    Ty::Map { .. } => "map",
                    Ty::Timestamp(_) => "timestamp",
                    Ty::Bool => "boolean",
                    _ => "number",
                };
                let shape = &self.model.shapes[&def.shape_id];
                self.err(
                    shape,
                    Some(&f.member),
                    format!("{kind} payloads are not supported"),
                );
                Body::None
            }
        }
    }

    /// Root element name and namespace of a structure or union payload: the
    /// member's own `xmlName`, else the target's, else the target's shape
    /// name; the member's namespace, else the target's, else the service's.
    fn payload_root(&self, def: &StructDef, f: &Field) -> (String, Option<XmlNamespace>) {
        let shape = &self.model.shapes[&def.shape_id];
        let member = shape.member(&f.member);
        let target = member.and_then(|m| self.model.shapes.get(&m.target));
        let mt = member.map(|m| self.member_traits(shape, m));
        let tt = target.map(|t| self.traits.shape(&t.id));
        let root = mt
            .and_then(|t| t.xml_name.clone())
            .or_else(|| tt.and_then(|t| t.xml_name.clone()))
            .or_else(|| target.map(|t| t.name().to_owned()))
            .unwrap_or_else(|| f.member.clone());
        let namespace = mt
            .and_then(|t| t.xml_namespace.clone())
            .or_else(|| tt.and_then(|t| t.xml_namespace.clone()))
            .or_else(|| self.service_ns.clone());
        (root, namespace)
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::*;
    use crate::model::Model;

    fn lower(name: &str, json: &str) -> Crate {
        let model = Model::from_sources(&[(name, json)]).expect("the model loads");
        super::super::lower(&model, None, None, None).expect("the model lowers")
    }

    fn fixture(name: &str) -> Crate {
        let path = format!(
            "{}/../tests/fixtures/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let json = std::fs::read_to_string(&path).expect("the fixture exists");
        lower(&path, &json)
    }

    fn op<'a>(krate: &'a Crate, name: &str) -> &'a OperationDef {
        krate
            .operations
            .iter()
            .find(|o| o.name == name)
            .expect("the operation exists")
    }

    fn field(def: &StructDef, member: &str) -> usize {
        def.fields
            .iter()
            .position(|f| f.member == member)
            .expect("the member exists")
    }

    fn fixture_ns() -> Option<XmlNamespace> {
        Some(XmlNamespace {
            uri: "https://example.com/fixture/".into(),
            prefix: None,
        })
    }

    #[test]
    fn xml_members_with_labels_headers_and_query() {
        let krate = fixture("body-members");
        let op = op(&krate, "PutBodyMembers");
        let input = &op.input;
        let req = &op.request;
        assert_eq!(req.kind, MessageKind::Request);
        assert_eq!(req.labels, [field(input, "Key")]);
        assert_eq!(
            req.headers,
            [Param {
                field: field(input, "Token"),
                name: "x-fixture-token".into()
            }]
        );
        assert_eq!(req.query.len(), 1);
        assert_eq!(req.query[0].field, field(input, "Mode"));
        assert_eq!(
            req.body,
            Body::XmlMembers {
                root: "PutBodyMembersRequest".into(),
                namespace: fixture_ns(),
                unwrapped: false
            }
        );
        // A Unit output: no body, the modeled status.
        assert_eq!(op.response.body, Body::None);
        assert_eq!(op.response.kind, MessageKind::Response { status: op.code });
    }

    #[test]
    fn xml_payload_of_a_structure() {
        let krate = fixture("xml-names");
        let op = op(&krate, "PutXmlNames");
        assert_eq!(
            op.request.body,
            Body::XmlPayload {
                field: field(&op.input, "Document"),
                root: "DocumentRoot".into(),
                namespace: Some(XmlNamespace {
                    uri: "https://example.com/doc".into(),
                    prefix: None
                }),
            }
        );
        let krate = fixture("structure");
        let op = super::tests::op(&krate, "PutStructure");
        assert_eq!(
            op.request.body,
            Body::XmlPayload {
                field: field(&op.input, "Record"),
                root: "Record".into(),
                namespace: fixture_ns(),
            }
        );
    }

    #[test]
    fn raw_payload_without_media_type() {
        let krate = fixture("streaming");
        let op = op(&krate, "PutStream");
        assert_eq!(
            op.request.body,
            Body::RawPayload {
                field: field(&op.input, "Body"),
                content_type: "application/octet-stream".into()
            }
        );
        assert_eq!(
            op.response.body,
            Body::RawPayload {
                field: field(&op.output, "Body"),
                content_type: "application/octet-stream".into()
            }
        );
        assert_eq!(op.response.headers.len(), 1);
    }

    /// Union payloads, media types, event streams, unwrapped output and
    /// error messages, in one small model.
    const MODEL: &str = r#"{
      "smithy": "2.0",
      "shapes": {
        "ex#Svc": {"type": "service", "version": "1",
          "operations": [{"target": "ex#PutChoice"}, {"target": "ex#GetText"},
                         {"target": "ex#Watch"}, {"target": "ex#GetWhere"}],
          "errors": [{"target": "ex#Oops"}],
          "traits": {"aws.protocols#restXml": {}, "smithy.api#xmlNamespace": {"uri": "urn:svc"}}},
        "ex#PutChoice": {"type": "operation",
          "input": {"target": "ex#PutChoiceInput"},
          "traits": {"smithy.api#http": {"method": "PUT", "uri": "/c", "code": 200}}},
        "ex#PutChoiceInput": {"type": "structure", "members": {
          "Choice": {"target": "ex#Choice", "traits": {"smithy.api#httpPayload": {}}}}},
        "ex#Choice": {"type": "union",
          "members": {"A": {"target": "smithy.api#String"}, "B": {"target": "smithy.api#Integer"}},
          "traits": {"smithy.api#xmlName": "Pick", "smithy.api#xmlNamespace": {"uri": "urn:pick"}}},
        "ex#GetText": {"type": "operation",
          "output": {"target": "ex#GetTextOutput"},
          "traits": {"smithy.api#http": {"method": "GET", "uri": "/t", "code": 201}}},
        "ex#GetTextOutput": {"type": "structure", "members": {
          "Text": {"target": "ex#Csv", "traits": {"smithy.api#httpPayload": {}}},
          "Code": {"target": "smithy.api#Integer", "traits": {"smithy.api#httpResponseCode": {}}},
          "Meta": {"target": "ex#Meta", "traits": {"smithy.api#httpPrefixHeaders": "X-Meta-"}}}},
        "ex#Csv": {"type": "string", "traits": {"smithy.api#mediaType": "text/csv"}},
        "ex#Meta": {"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": "smithy.api#String"}},
        "ex#Watch": {"type": "operation",
          "output": {"target": "ex#WatchOutput"},
          "traits": {"smithy.api#http": {"method": "POST", "uri": "/w", "code": 200}}},
        "ex#WatchOutput": {"type": "structure", "members": {
          "Events": {"target": "ex#Events", "traits": {"smithy.api#httpPayload": {}}}}},
        "ex#Events": {"type": "union", "members": {"Tick": {"target": "ex#Tick"}},
          "traits": {"smithy.api#streaming": {}}},
        "ex#Tick": {"type": "structure", "members": {
          "N": {"target": "smithy.api#Long", "traits": {"smithy.api#eventHeader": {}}},
          "Doc": {"target": "ex#Choice", "traits": {"smithy.api#eventPayload": {}}}}},
        "ex#GetWhere": {"type": "operation",
          "output": {"target": "ex#GetWhereOutput"},
          "traits": {"smithy.api#http": {"method": "GET", "uri": "/x", "code": 200},
                     "aws.customizations#s3UnwrappedXmlOutput": {}}},
        "ex#GetWhereOutput": {"type": "structure", "members": {
          "Where": {"target": "smithy.api#String", "traits": {"smithy.api#xmlName": "Location"}}}},
        "ex#Oops": {"type": "structure", "members": {
          "Why": {"target": "smithy.api#String"},
          "Hint": {"target": "smithy.api#String", "traits": {"smithy.api#httpHeader": "X-Hint"}}},
          "traits": {"smithy.api#error": "client", "smithy.api#httpError": 418}}
      }
    }"#;

    #[test]
    fn xml_payload_of_a_union_with_xml_name() {
        let krate = lower("model.json", MODEL);
        let op = op(&krate, "PutChoice");
        assert_eq!(
            op.request.body,
            Body::XmlPayload {
                field: 0,
                root: "Pick".into(),
                namespace: Some(XmlNamespace {
                    uri: "urn:pick".into(),
                    prefix: None
                }),
            }
        );
    }

    #[test]
    fn raw_payload_with_media_type_status_and_prefix_headers() {
        let krate = lower("model.json", MODEL);
        let op = op(&krate, "GetText");
        let out = &op.output;
        let msg = &op.response;
        assert_eq!(msg.kind, MessageKind::Response { status: 201 });
        assert_eq!(msg.status_field, Some(field(out, "Code")));
        assert_eq!(
            msg.prefix_headers,
            Some(Param {
                field: field(out, "Meta"),
                name: "x-meta-".into()
            })
        );
        assert_eq!(
            msg.body,
            Body::RawPayload {
                field: field(out, "Text"),
                content_type: "text/csv".into()
            }
        );
        assert_eq!(msg.body.content_type(), Some("text/csv"));
        assert_eq!(op.request.body, Body::None);
    }

    #[test]
    fn event_stream_and_event_messages() {
        let krate = lower("model.json", MODEL);
        let op = op(&krate, "Watch");
        assert_eq!(
            op.response.body,
            Body::EventStream {
                field: 0,
                union: "Events".into()
            }
        );
        let tick = krate
            .types
            .iter()
            .find_map(|t| match t {
                TypeDef::Struct(s) if s.name == "Tick" => Some(s),
                _ => None,
            })
            .expect("the event structure is lowered");
        let msg = tick.message.as_ref().expect("an event is a message");
        assert_eq!(msg.kind, MessageKind::Event);
        assert_eq!(
            msg.headers,
            [Param {
                field: field(tick, "N"),
                name: "N".into()
            }]
        );
        assert_eq!(
            msg.body,
            Body::XmlPayload {
                field: field(tick, "Doc"),
                root: "Pick".into(),
                namespace: Some(XmlNamespace {
                    uri: "urn:pick".into(),
                    prefix: None
                }),
            }
        );
    }

    #[test]
    fn unwrapped_output_and_error_messages() {
        let krate = lower("model.json", MODEL);
        let op = op(&krate, "GetWhere");
        assert_eq!(
            op.response.body,
            Body::XmlMembers {
                root: "Location".into(),
                namespace: Some(XmlNamespace {
                    uri: "urn:svc".into(),
                    prefix: None
                }),
                unwrapped: true
            }
        );
        let oops = krate
            .types
            .iter()
            .find_map(|t| match t {
                TypeDef::Struct(s) if s.name == "Oops" => Some(s),
                _ => None,
            })
            .expect("the error is lowered");
        let msg = oops.message.as_ref().expect("an error is a message");
        assert_eq!(msg.kind, MessageKind::Error { status: Some(418) });
        assert_eq!(msg.headers[0].name, "x-hint");
        assert_eq!(
            msg.body,
            Body::XmlMembers {
                root: "Error".into(),
                namespace: None,
                unwrapped: false
            }
        );
    }

    #[test]
    fn unwrapped_output_needs_one_body_member() {
        let json = MODEL.replace(
            r#""Where": {"target": "smithy.api#String", "traits": {"smithy.api#xmlName": "Location"}}"#,
            r#""Where": {"target": "smithy.api#String"}, "Also": {"target": "smithy.api#String"}"#,
        );
        let model = Model::from_sources(&[("model.json", &json)]).expect("the model loads");
        let err = super::super::lower(&model, None, None, None).expect_err("two body members");
        let text = err.to_string();
        assert!(text.contains("ex#GetWhere"), "{text}");
        assert!(text.contains("s3UnwrappedXmlOutput"), "{text}");
    }
}
