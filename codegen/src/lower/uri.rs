//! URI templates of the `smithy.api#http` trait:
//! `/{Bucket}/{Key+}?x-id=GetObject&analytics` becomes the path segments
//! (literals and labels, a greedy label ending in `+`) and the literal query
//! parameters (with or without a value).

/// A parsed URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UriTemplate {
    /// The path segments, in order (the leading `/` dropped).
    pub path: Vec<Segment>,
    /// The literal query parameters: key, and value when there is an `=`.
    pub query: Vec<(String, Option<String>)>,
}

/// One path segment of a URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    /// Literal text.
    Literal(String),
    /// `{name}`, or `{name+}` when greedy (it may span several segments).
    Label { name: String, greedy: bool },
}

/// Parses a URI template; every problem is returned.
pub(super) fn parse(uri: &str) -> Result<UriTemplate, Vec<String>> {
    let mut errors = Vec::new();
    if !uri.starts_with('/') {
        errors.push("smithy.api#http needs a \"uri\" that starts with /".to_owned());
    }
    let (path_part, query_part) = uri.split_once('?').unwrap_or((uri, ""));
    let mut path = Vec::new();
    for seg in path_part.strip_prefix('/').unwrap_or(path_part).split('/') {
        if let Some(label) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (name, greedy) = match label.strip_suffix('+') {
                Some(l) => (l, true),
                None => (label, false),
            };
            if name.is_empty() {
                errors.push(format!("URI segment `{seg}` has an empty label"));
                continue;
            }
            if name.contains(['{', '}']) {
                errors.push(format!("URI segment `{seg}` is not a valid label"));
                continue;
            }
            path.push(Segment::Label {
                name: name.to_owned(),
                greedy,
            });
        } else if seg.contains(['{', '}']) {
            errors.push(format!(
                "URI segment `{seg}` mixes a label with literal text"
            ));
        } else {
            path.push(Segment::Literal(seg.to_owned()));
        }
    }
    let query = query_part
        .split('&')
        .filter(|q| !q.is_empty())
        .map(|q| match q.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (q.to_owned(), None),
        })
        .collect();
    if errors.is_empty() {
        Ok(UriTemplate { path, query })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }

    fn label(name: &str, greedy: bool) -> Segment {
        Segment::Label {
            name: name.to_owned(),
            greedy,
        }
    }

    #[test]
    fn labels_greedy_labels_and_query_literals() {
        let t = parse("/{Bucket}/{Key+}?x-id=GetObject&analytics").unwrap();
        assert_eq!(t.path, [label("Bucket", false), label("Key", true)]);
        assert_eq!(
            t.query,
            [
                ("x-id".to_owned(), Some("GetObject".to_owned())),
                ("analytics".to_owned(), None),
            ]
        );
    }

    #[test]
    fn literal_segments() {
        let t = parse("/a/{Bucket}/b-c").unwrap();
        assert_eq!(t.path, [lit("a"), label("Bucket", false), lit("b-c")]);
        assert!(t.query.is_empty());
    }

    #[test]
    fn root_is_one_empty_literal() {
        let t = parse("/").unwrap();
        assert_eq!(t.path, [lit("")]);
        let t = parse("/?list-type=2").unwrap();
        assert_eq!(t.path, [lit("")]);
        assert_eq!(t.query, [("list-type".to_owned(), Some("2".to_owned()))]);
    }

    #[test]
    fn query_literals_with_empty_values_and_empty_parts() {
        let t = parse("/{Bucket}?uploads&&x=&y=1=2").unwrap();
        assert_eq!(
            t.query,
            [
                ("uploads".to_owned(), None),
                ("x".to_owned(), Some(String::new())),
                ("y".to_owned(), Some("1=2".to_owned())),
            ]
        );
    }

    #[test]
    fn malformed_templates() {
        assert_eq!(
            parse("{Bucket}").unwrap_err(),
            ["smithy.api#http needs a \"uri\" that starts with /"]
        );
        assert_eq!(
            parse("").unwrap_err(),
            ["smithy.api#http needs a \"uri\" that starts with /"]
        );
        assert_eq!(
            parse("/a{Bucket}/{Key}x").unwrap_err(),
            [
                "URI segment `a{Bucket}` mixes a label with literal text",
                "URI segment `{Key}x` mixes a label with literal text",
            ]
        );
        assert_eq!(
            parse("/{}/{+}").unwrap_err(),
            [
                "URI segment `{}` has an empty label",
                "URI segment `{+}` has an empty label",
            ]
        );
        assert_eq!(
            parse("/{{Key}}").unwrap_err(),
            ["URI segment `{{Key}}` is not a valid label"]
        );
    }
}
