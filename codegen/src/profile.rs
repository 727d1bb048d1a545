//! Service profiles: what a service does beyond plain restXml, in one place.
//!
//! Plain restXml (the Smithy protocol, and what the protocol suite's services
//! get) reads the request id from `x-amzn-requestid`, wraps error documents
//! in `<ErrorResponse>`, treats every 2xx response as a success, and leaves
//! an error without a body unnamed. A service departs from that either
//! through its traits (`aws.protocols#restXml` with `noErrorWrapping`) or,
//! where no trait says it, through [`KNOWN_SERVICES`], the one table of
//! behaviour keyed by service shape id.
//!
//! The generated crate holds the chosen profile as `PROFILE`; the runtime's
//! `operation::Profile` acts on it.

/// How a service's responses differ from plain restXml (the fields of the
/// runtime's `s3_runtime::operation::Profile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The header that carries the request id.
    pub request_id_header: &'static str,
    /// The header that carries the extended request id, if any.
    pub host_id_header: Option<&'static str>,
    /// A 2xx response whose body is an error document is an error.
    pub errors_in_success: bool,
    /// Error documents are a bare `<Error>` element, not wrapped in
    /// `<ErrorResponse>`.
    pub bare_error_documents: bool,
    /// An error response without a body is named by its status (404:
    /// `NotFound`).
    pub errors_named_by_status: bool,
}

/// Plain restXml.
pub const REST_XML: Profile = Profile {
    request_id_header: "x-amzn-requestid",
    host_id_header: None,
    errors_in_success: false,
    bare_error_documents: false,
    errors_named_by_status: false,
};

/// How one known service changes the profile its traits give.
pub type Change = fn(Profile) -> Profile;

/// What no trait says about the services this generator knows: each entry
/// changes [`REST_XML`] for one service shape id.
///
/// Amazon S3 (`com.amazonaws.s3#AmazonS3`):
/// - request ids in `x-amz-request-id` and `x-amz-id-2` (S3's error
///   responses and every response carry them);
/// - errors inside 200 responses (CopyObject, UploadPartCopy and
///   CompleteMultipartUpload can fail after the status line is sent, so S3
///   reports the failure as an `<Error>` document in a 200 response);
/// - a response to `HEAD` has no body, so its error is named by its status
///   (404 is `NotFound`).
///
/// Its bare `<Error>` documents come from its `restXml` trait
/// (`noErrorWrapping: true`), not from this table.
pub const KNOWN_SERVICES: &[(&str, Change)] = &[("com.amazonaws.s3#AmazonS3", |p| Profile {
    request_id_header: "x-amz-request-id",
    host_id_header: Some("x-amz-id-2"),
    errors_in_success: true,
    errors_named_by_status: true,
    ..p
})];

/// The profile of service `id`: plain restXml, then what its `restXml`
/// trait says (`no_error_wrapping`), then its entry in [`KNOWN_SERVICES`].
pub fn for_service(id: &str, no_error_wrapping: bool) -> Profile {
    let from_traits = Profile {
        bare_error_documents: no_error_wrapping,
        ..REST_XML
    };
    KNOWN_SERVICES
        .iter()
        .find(|(known, _)| *known == id)
        .map_or(from_traits.clone(), |(_, change)| change(from_traits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_services_get_plain_rest_xml_and_their_traits() {
        assert_eq!(for_service("example#Other", false), REST_XML);
        let bare = for_service("example#Other", true);
        assert!(bare.bare_error_documents);
        assert_eq!(
            Profile {
                bare_error_documents: false,
                ..bare
            },
            REST_XML
        );
    }

    #[test]
    fn s3_gets_its_table_entry_on_top_of_its_traits() {
        let s3 = for_service("com.amazonaws.s3#AmazonS3", true);
        assert_eq!(s3.request_id_header, "x-amz-request-id");
        assert_eq!(s3.host_id_header, Some("x-amz-id-2"));
        assert!(s3.errors_in_success && s3.errors_named_by_status && s3.bare_error_documents);
        // The table does not decide what the trait says.
        assert!(!for_service("com.amazonaws.s3#AmazonS3", false).bare_error_documents);
    }
}
