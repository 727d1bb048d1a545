//! Lowering of operations: input and output structures, the URI pattern,
//! the request and response messages, errors, the host prefix and the request checksum.

use std::collections::BTreeSet;

use super::structs::{docs, synthetic};
use super::uri::Segment;
use super::{Cx, UNIT};
use crate::ir::*;
use crate::model::{Kind, Operation, Shape};
use crate::naming;

impl Cx<'_> {
    pub(super) fn lower_operation(
        &mut self,
        service: &Shape,
        shape: &Shape,
        recursive: &BTreeSet<(String, String)>,
    ) -> Option<OperationDef> {
        let model = self.model;
        let Kind::Operation(op) = &shape.kind else {
            return None;
        };
        let traits = self.traits.shape(&shape.id);
        let Some(http) = &traits.http else {
            self.err(shape, None, "operation has no smithy.api#http trait");
            return None;
        };
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

        let path = self.path(shape, &http.template.path, &http.uri, &mut input);
        let request = self.message(shape, "the input", &input, MessageKind::Request, false);
        let response = self.message(
            shape,
            "the output",
            &output,
            MessageKind::Response { status: http.code },
            traits.s3_unwrapped_xml_output,
        );
        // A document of body members is written by the structure's `write_xml`.
        let writes_members = |msg: &Message| {
            matches!(
                msg.body,
                Body::XmlMembers {
                    unwrapped: false,
                    ..
                }
            )
        };
        input.writes_xml = writes_members(&request);
        output.writes_xml = writes_members(&response);
        let errors = self.errors(service, shape, op);
        let host_prefix = traits.endpoint.as_ref().map(|e| e.host_prefix.clone());
        if let Some(prefix) = &host_prefix {
            self.check_host_prefix(shape, prefix, &input);
        }
        // The request side exists when the trait names an algorithm member
        // or requires a checksum; a trait that only validates responses
        // (GetObject's) takes no request checksum.
        let field_of = |m: &str| input.fields.iter().position(|f| f.member == m);
        let mut missing = Vec::new();
        let checksum = traits.http_checksum.as_ref().and_then(|t| {
            let member = t.request_algorithm_member.as_deref();
            let algorithm_field = member.and_then(field_of);
            if let (Some(m), None) = (member, algorithm_field) {
                missing.push(m.to_owned());
            }
            (member.is_some() || t.request_checksum_required).then_some(Checksum {
                required: t.request_checksum_required,
                algorithm_field,
            })
        });
        let response_checksum = traits.http_checksum.as_ref().and_then(|t| {
            let member = t.request_validation_mode_member.as_deref()?;
            let Some(mode_field) = field_of(member) else {
                missing.push(member.to_owned());
                return None;
            };
            Some(ResponseChecksum {
                mode_field,
                algorithms: t.response_algorithms.clone(),
            })
        });
        for m in missing {
            self.err(
                shape,
                None,
                format!("httpChecksum names the member {m}, which the input does not have"),
            );
        }

        let gzip = traits
            .request_compression
            .as_ref()
            .is_some_and(|encodings| encodings.iter().any(|e| e == "gzip"));
        Some(OperationDef {
            feature: naming::feature_name(shape.name()),
            checksum,
            gzip,
            response_checksum,
            endpoint_params: Vec::new(),
            host_prefix,
            module: naming::field_name(shape.name()),
            docs: docs(traits),
            method: http.method.clone(),
            path,
            query_literals: http.template.query.clone(),
            code: http.code,
            input,
            output,
            errors,
            error_name: format!("{name}Error"),
            request,
            response,
            name: shape.name().to_owned(),
        })
    }

    /// The path of the URI pattern, its labels bound to the input's
    /// `httpLabel` members (which are marked greedy where the label is).
    fn path(
        &mut self,
        shape: &Shape,
        template: &[Segment],
        uri: &str,
        input: &mut StructDef,
    ) -> Vec<PathSegment> {
        let mut path = Vec::new();
        let mut labels_seen = BTreeSet::new();
        for seg in template {
            match seg {
                Segment::Literal(text) => path.push(PathSegment::Literal(text.clone())),
                Segment::Label { name, greedy } => {
                    let greedy = *greedy;
                    match input.fields.iter().position(|f| {
                        f.member == *name && matches!(f.binding, Binding::Label { .. })
                    }) {
                        Some(i) => {
                            input.fields[i].binding = Binding::Label { greedy };
                            labels_seen.insert(name.clone());
                            path.push(PathSegment::Label {
                                field: i,
                                greedy,
                                in_endpoint: false,
                            });
                        }
                        None => self.err(
                            shape,
                            None,
                            format!("URI label {{{name}}} has no httpLabel member in the input"),
                        ),
                    }
                }
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
        path
    }

    /// The errors of the operation, then of the service, each once.
    fn errors(&mut self, service: &Shape, shape: &Shape, op: &Operation) -> Vec<ErrorRef> {
        let model = self.model;
        let mut errors = Vec::new();
        let service_errors = match &service.kind {
            Kind::Service(s) => s.errors.clone(),
            _ => vec![],
        };
        for id in op.errors.iter().chain(&service_errors) {
            let err = &model.shapes[id];
            if !self.traits.shape(id).error || err.kind != Kind::Structure {
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
        if errors.iter().any(|e| e.variant == "Unhandled") {
            self.err(
                shape,
                None,
                "an error named Unhandled collides with the variant for unmodeled errors",
            );
        }
        errors
    }

    /// Each `{label}` of the host prefix must be a `hostLabel` member of the input.
    fn check_host_prefix(&mut self, shape: &Shape, prefix: &str, input: &StructDef) {
        let mut rest = prefix;
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
                    format!("hostPrefix label {{{label}}} has no hostLabel member in the input"),
                );
            }
            rest = tail;
        }
    }
}
