//! Tests of `s3_runtime::endpoint`: the rules-engine functions (with the
//! examples of the Smithy standard library, the AWS rules library and
//! botocore's rules engine), partition lookup, and the resolved endpoint's
//! JSON and auth schemes.

use std::borrow::Cow;

use s3_runtime::endpoint::{
    self, Arn, AuthScheme, Endpoint, Partition, PartitionOutputs, Region, ResolveError, Url, Value,
    ValueRef,
};

/// An endpoint built from values, as a resolver written by hand would.
fn endpoint_of(
    url: impl Into<String>,
    properties: Vec<(&'static str, Value)>,
    headers: Vec<(&'static str, Vec<String>)>,
) -> Endpoint {
    let mut endpoint = Endpoint::new(url);
    for (name, value) in properties {
        endpoint = endpoint.with_property(name, value);
    }
    for (name, values) in headers {
        endpoint = endpoint.with_header(name, values);
    }
    endpoint
}

// ---------------------------------------------------------------------------
// isValidHostLabel
// ---------------------------------------------------------------------------

#[test]
fn host_label_single() {
    for valid in [
        "a",
        "A",
        "0",
        "us-east-1",
        "a-b",
        "abc123",
        "x".repeat(63).as_str(),
    ] {
        assert!(endpoint::is_valid_host_label(valid, false), "{valid:?}");
    }
    for invalid in [
        "",
        "-a",
        "a-",
        "-",
        "a.b",
        "a_b",
        "a b",
        "é",
        "a/b",
        "x".repeat(64).as_str(),
    ] {
        assert!(
            !endpoint::is_valid_host_label(invalid, false),
            "{invalid:?}"
        );
    }
}

#[test]
fn host_label_with_subdomains() {
    for valid in [
        "a.b",
        "us-east-1",
        "a.b.c",
        "bucket.name-1",
        "x".repeat(63).as_str(),
    ] {
        assert!(endpoint::is_valid_host_label(valid, true), "{valid:?}");
    }
    // Every part must be a label: no empty part, no part starting or ending
    // with a hyphen, no part over 63 characters.
    let long_part = format!("a.{}", "x".repeat(64));
    for invalid in [
        "",
        ".",
        "a.",
        ".a",
        "a..b",
        "a.-b",
        "a-.b",
        "a_b.c",
        long_part.as_str(),
    ] {
        assert!(!endpoint::is_valid_host_label(invalid, true), "{invalid:?}");
    }
    // Many parts of 63: each is checked alone, not the whole.
    let many = ["x".repeat(63).as_str(); 3].join(".");
    assert!(endpoint::is_valid_host_label(&many, true));
}

// ---------------------------------------------------------------------------
// substring
// ---------------------------------------------------------------------------

#[test]
fn substring_forward_and_reverse() {
    assert_eq!(endpoint::substring("abcdefg", 0, 4, false), Some("abcd"));
    assert_eq!(endpoint::substring("abcdefg", 2, 4, false), Some("cd"));
    assert_eq!(endpoint::substring("abcdefg", 0, 7, false), Some("abcdefg"));
    assert_eq!(endpoint::substring("abcdefg", 0, 4, true), Some("defg"));
    assert_eq!(endpoint::substring("abcdefg", 1, 3, true), Some("ef"));
    assert_eq!(endpoint::substring("abcdefg", 0, 7, true), Some("abcdefg"));
    // S3 Express suffix checks, as the rules write them.
    let bucket = "mybucket--usw2-az1--x-s3";
    assert_eq!(endpoint::substring(bucket, 0, 6, true), Some("--x-s3"));
    assert_eq!(endpoint::substring(bucket, 0, 4, false), Some("mybu"));
}

#[test]
fn substring_empty_results() {
    // stop beyond the end, in either direction.
    assert_eq!(endpoint::substring("abc", 0, 4, false), None);
    assert_eq!(endpoint::substring("abc", 0, 4, true), None);
    assert_eq!(endpoint::substring("", 0, 1, false), None);
    // start not before stop.
    assert_eq!(endpoint::substring("abcdef", 2, 2, false), None);
    assert_eq!(endpoint::substring("abcdef", 3, 2, true), None);
    // Non-ASCII anywhere in the input, even outside the range.
    assert_eq!(endpoint::substring("abcdé", 0, 2, false), None);
    assert_eq!(endpoint::substring("\u{1F600}abcdef", 0, 2, true), None);
    // Huge indexes do not overflow.
    assert_eq!(
        endpoint::substring("abc", usize::MAX - 1, usize::MAX, true),
        None
    );
    assert_eq!(endpoint::substring("abc", 0, usize::MAX, false), None);
}

// ---------------------------------------------------------------------------
// uriEncode
// ---------------------------------------------------------------------------

#[test]
fn uri_encode_keeps_unreserved_borrowed() {
    let plain = "AZaz09-_.~";
    assert!(matches!(endpoint::uri_encode(plain), Cow::Borrowed(text) if text == plain));
    assert!(matches!(endpoint::uri_encode(""), Cow::Borrowed("")));
}

#[test]
fn uri_encode_everything_else() {
    assert_eq!(endpoint::uri_encode("a b"), "a%20b");
    assert_eq!(endpoint::uri_encode("a/b"), "a%2Fb");
    assert_eq!(endpoint::uri_encode("é"), "%C3%A9");
    assert_eq!(endpoint::uri_encode("%"), "%25");
    // Every printable character the specification names is encoded.
    let printable = "/:,?#[]{}|@! $&'()*+;=%<>\"^`\\";
    let encoded = endpoint::uri_encode(printable);
    assert_eq!(encoded.len(), printable.len() * 3);
    assert_eq!(
        encoded,
        "%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%20%24%26%27%28%29%2A%2B%3B%3D%25%3C%3E%22%5E%60%5C"
    );
    assert!(matches!(endpoint::uri_encode("a+b"), Cow::Owned(_)));
}

// ---------------------------------------------------------------------------
// split and getAttr indexes
// ---------------------------------------------------------------------------

#[test]
fn split_specification_examples() {
    let cases: &[(&str, &str, usize, &[&str])] = &[
        ("a--b--c", "--", 0, &["a", "b", "c"]),
        ("a--b--c", "--", 2, &["a", "b--c"]),
        ("a--b--c", "--", 1, &["a--b--c"]),
        ("", "--", 0, &[""]),
        ("--", "--", 0, &["", ""]),
        ("----", "--", 0, &["", "", ""]),
        ("--b--", "--", 0, &["", "b", ""]),
        (
            "--x-s3--azid--suffix",
            "--",
            0,
            &["", "x-s3", "azid", "suffix"],
        ),
        (
            "--x-s3--azid--suffix",
            "--",
            4,
            &["", "x-s3", "azid", "suffix"],
        ),
        ("--x-s3--azid--suffix", "--", 2, &["", "x-s3--azid--suffix"]),
        ("abc", "x", 0, &["abc"]),
        ("mybucket", "--", 1, &["mybucket"]),
        ("a--b--c--d", "--", 3, &["a", "b", "c--d"]),
        ("a-b-c", "--", 0, &["a-b-c"]),
        ("a--b", "--", 10, &["a", "b"]),
        ("", "--", 1, &[""]),
        // More parts than are located at once.
        (
            "a--b--c--d--e--f--g--h--i--j--k",
            "--",
            0,
            &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"],
        ),
        (
            "a--b--c--d--e--f--g--h--i--j--k",
            "--",
            9,
            &["a", "b", "c", "d", "e", "f", "g", "h", "i--j--k"],
        ),
        (
            "a--b--c--d--e--f--g--h--i",
            "--",
            8,
            &["a", "b", "c", "d", "e", "f", "g", "h--i"],
        ),
        (
            "1-2-3-4-5-6-7-8",
            "-",
            0,
            &["1", "2", "3", "4", "5", "6", "7", "8"],
        ),
        ("---", "--", 0, &["", "-"]),
    ];
    for (value, delimiter, limit, expected) in cases {
        assert_eq!(
            endpoint::split(value, delimiter, *limit),
            *expected,
            "split({value:?}, {delimiter:?}, {limit})"
        );
        // Read in place, each index gives what the list has there.
        let pieces = endpoint::split_parts(value, delimiter, *limit);
        for index in -13..13 {
            assert_eq!(
                pieces.get(index),
                endpoint::index(expected, index),
                "split({value:?}, {delimiter:?}, {limit})[{index}]"
            );
        }
    }
}

#[test]
fn split_empty_delimiter_returns_the_whole_value() {
    assert_eq!(endpoint::split("abc", "", 0), ["abc"]);
    assert_eq!(endpoint::split("abc", "", 2), ["abc"]);
    assert_eq!(endpoint::split("", "", 0), [""]);
}

#[test]
fn index_from_start_and_end() {
    let parts = endpoint::split("--usw2-az1--x-s3", "--", 0);
    assert_eq!(parts, ["", "usw2-az1", "x-s3"]);
    assert_eq!(endpoint::index(&parts, 0), Some(""));
    assert_eq!(endpoint::index(&parts, 2), Some("x-s3"));
    assert_eq!(endpoint::index(&parts, 3), None);
    assert_eq!(endpoint::index(&parts, -1), Some("x-s3"));
    assert_eq!(endpoint::index(&parts, -2), Some("usw2-az1"));
    assert_eq!(endpoint::index(&parts, -3), Some(""));
    assert_eq!(endpoint::index(&parts, -4), None);
    assert_eq!(endpoint::index(&parts, i64::MIN), None);
    assert_eq!(endpoint::index(&parts, i64::MAX), None);
    assert_eq!(endpoint::index(&[], 0), None);
    assert_eq!(endpoint::index(&[], -1), None);
    let values = [Value::Int(1), Value::Int(2)];
    assert_eq!(endpoint::index_of(&values, -1), Some(&Value::Int(2)));
}

// ---------------------------------------------------------------------------
// parseURL
// ---------------------------------------------------------------------------

fn url<'a>(
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    normalized_path: &'a str,
    is_ip: bool,
) -> Url<'a> {
    Url {
        scheme,
        authority,
        path,
        normalized_path: Cow::Borrowed(normalized_path),
        is_ip,
    }
}

#[test]
fn parse_url_accepted() {
    let cases = [
        (
            "http://localhost:8080/a/b",
            url("http", "localhost:8080", "/a/b", "/a/b/", false),
        ),
        (
            "https://[::1]:9000",
            url("https", "[::1]:9000", "", "/", true),
        ),
        (
            "https://127.0.0.1",
            url("https", "127.0.0.1", "", "/", true),
        ),
        (
            "https://example.com",
            url("https", "example.com", "", "/", false),
        ),
        (
            "http://example.com:80/foo/bar",
            url("http", "example.com:80", "/foo/bar", "/foo/bar/", false),
        ),
        (
            "https://[fe80::1]",
            url("https", "[fe80::1]", "", "/", true),
        ),
        (
            "https://example.com/",
            url("https", "example.com", "/", "/", false),
        ),
        (
            "https://example.com/path/",
            url("https", "example.com", "/path/", "/path/", false),
        ),
        (
            "https://example.com//a//",
            url("https", "example.com", "//a//", "//a//", false),
        ),
        (
            "http://127.0.0.1:8000/",
            url("http", "127.0.0.1:8000", "/", "/", true),
        ),
        (
            "https://[fe80::1%25eth0]:443/p",
            url("https", "[fe80::1%25eth0]:443", "/p", "/p/", true),
        ),
        (
            "https://[::ffff:192.168.0.1]",
            url("https", "[::ffff:192.168.0.1]", "", "/", true),
        ),
        (
            "https://s3.us-east-1.amazonaws.com:65535",
            url("https", "s3.us-east-1.amazonaws.com:65535", "", "/", false),
        ),
        // Three numbers, five numbers, or a number above 255: a name, not an IP.
        ("https://1.2.3", url("https", "1.2.3", "", "/", false)),
        (
            "https://1.2.3.4.5",
            url("https", "1.2.3.4.5", "", "/", false),
        ),
        (
            "https://256.1.1.1",
            url("https", "256.1.1.1", "", "/", false),
        ),
        // A path may carry any visible character but `?` and `#`.
        (
            "https://example.com/a%20b/é",
            url("https", "example.com", "/a%20b/é", "/a%20b/é/", false),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(endpoint::parse_url(input), Some(expected), "{input}");
    }
}

#[test]
fn parse_url_normalized_path_is_borrowed_when_possible() {
    let parsed = endpoint::parse_url("https://example.com/a/").expect("valid");
    assert!(matches!(parsed.normalized_path, Cow::Borrowed("/a/")));
    let parsed = endpoint::parse_url("https://example.com/a").expect("valid");
    assert!(matches!(parsed.normalized_path, Cow::Owned(ref path) if path == "/a/"));
}

#[test]
fn parse_url_rejected() {
    for input in [
        "https://example.com?q",
        "https://example.com:8443?foo=bar&faz=baz",
        "https://example.com/path?",
        "https://example.com/#frag",
        "https://example.com#",
        "ftp://x",
        "HTTPS://example.com",
        "example.com",
        "https:/example.com",
        "https//example.com",
        "",
        "https://",
        "https:///path",
        "https://:8080",
        "https://example.com:",
        "https://example.com:port",
        "https://example.com:65536",
        "https://example.com:123456",
        "https://example.com:-1",
        "https://user@example.com",
        "https://user:pass@example.com/",
        "https://exa mple.com",
        "https://example.com/a b",
        "https://example.com/\n",
        "https://exa\u{7f}mple.com",
        "https://exämple.com",
        "https://exa%zzmple.com",
        "https://exa%2",
        "https://[::1",
        "https://[::1]x",
        "https://[::1]:",
        "https://[]",
        "https://[not-ip]",
        "https://[1.2.3.4]",
        "https://[fe80::1%25]",
        "https://a:b:c",
        "https://ex<ample.com",
    ] {
        assert_eq!(endpoint::parse_url(input), None, "{input:?}");
    }
}

// ---------------------------------------------------------------------------
// aws.parseArn
// ---------------------------------------------------------------------------

/// An ARN's parts: partition, service, region, account and resource list.
type ArnParts<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<&'a str>);

fn arn<'a>(
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account_id: &'a str,
    resource_id: &[&'a str],
) -> ArnParts<'a> {
    (partition, service, region, account_id, resource_id.to_vec())
}

/// parseArn's result, as its parts.
fn parse_arn(value: &str) -> Option<ArnParts<'_>> {
    endpoint::parse_arn(value).map(|a: Arn<'_>| {
        (
            a.partition,
            a.service,
            a.region,
            a.account_id,
            a.resource_id.to_vec(),
        )
    })
}

#[test]
fn parse_arn_specification_examples() {
    assert_eq!(
        parse_arn("arn:aws:sns:us-west-2:012345678910:example-sns-topic-name"),
        Some(arn(
            "aws",
            "sns",
            "us-west-2",
            "012345678910",
            &["example-sns-topic-name"]
        ))
    );
    assert_eq!(
        parse_arn("arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE"),
        Some(arn(
            "aws",
            "ec2",
            "us-east-1",
            "012345678910",
            &["vpc", "vpc-0e9801d129EXAMPLE"]
        ))
    );
    assert_eq!(
        parse_arn("arn:aws:iam::012345678910:user/johndoe"),
        Some(arn("aws", "iam", "", "012345678910", &["user", "johndoe"]))
    );
    assert_eq!(
        parse_arn("arn:aws:s3:::bucket_name"),
        Some(arn("aws", "s3", "", "", &["bucket_name"]))
    );
    assert_eq!(parse_arn("11111111-2222-3333-4444-555555555555"), None);
}

#[test]
fn parse_arn_s3_resources() {
    assert_eq!(
        parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint:myendpoint"),
        Some(arn(
            "aws",
            "s3",
            "us-west-2",
            "123456789012",
            &["accesspoint", "myendpoint"]
        ))
    );
    assert_eq!(
        parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/myendpoint"),
        Some(arn(
            "aws",
            "s3",
            "us-west-2",
            "123456789012",
            &["accesspoint", "myendpoint"]
        ))
    );
    assert_eq!(
        parse_arn(
            "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports"
        ),
        Some(arn(
            "aws",
            "s3-outposts",
            "us-west-2",
            "123456789012",
            &["outpost", "op-01234567890123456", "accesspoint", "reports"]
        ))
    );
    assert_eq!(
        parse_arn(
            "arn:aws-us-gov:s3-outposts:us-gov-west-1:123456789012:outpost:op-01234567890123456:bucket:mybucket"
        ),
        Some(arn(
            "aws-us-gov",
            "s3-outposts",
            "us-gov-west-1",
            "123456789012",
            &["outpost", "op-01234567890123456", "bucket", "mybucket"]
        ))
    );
    assert_eq!(
        parse_arn("arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/mybanner"),
        Some(arn(
            "aws",
            "s3-object-lambda",
            "us-east-1",
            "123456789012",
            &["accesspoint", "mybanner"]
        ))
    );
    // Mixed separators, and empty parts are kept.
    assert_eq!(
        parse_arn("arn:aws:s3:us-east-1:123:a/b:c//d:"),
        Some(arn(
            "aws",
            "s3",
            "us-east-1",
            "123",
            &["a", "b", "c", "", "d", ""]
        ))
    );
    // Everything after the fifth colon belongs to the resource.
    assert_eq!(
        parse_arn("arn:aws:s3:::/"),
        Some(arn("aws", "s3", "", "", &["", ""]))
    );
}

#[test]
fn parse_arn_malformed() {
    for input in [
        "",
        "arn",
        "arn:",
        "arn:aws:s3:us-west-2:123456789012",
        "arn:aws:s3:us-west-2",
        "arn:aws:s3:::",
        "arn::s3:us-west-2:123:resource",
        "arn:aws::us-west-2:123:resource",
        "arn:aws:s3:us-west-2:123:",
        "ARN:aws:s3:us-west-2:123:resource",
        " arn:aws:s3:us-west-2:123:resource",
        "urn:aws:s3:us-west-2:123:resource",
        "arnx:aws:s3:us-west-2:123:resource",
        "mybucket",
    ] {
        assert_eq!(parse_arn(input), None, "{input:?}");
    }
}

// ---------------------------------------------------------------------------
// aws.isVirtualHostableS3Bucket
// ---------------------------------------------------------------------------

#[test]
fn virtual_hostable_buckets() {
    assert!(!endpoint::is_virtual_hostable_s3_bucket(
        "bucket.name",
        false
    ));
    assert!(endpoint::is_virtual_hostable_s3_bucket("bucket.name", true));
    for allow in [false, true] {
        assert!(!endpoint::is_virtual_hostable_s3_bucket("Bucket", allow));
        assert!(!endpoint::is_virtual_hostable_s3_bucket(
            "192.168.1.1",
            allow
        ));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("ab", allow));
        assert!(endpoint::is_virtual_hostable_s3_bucket("a-b-c", allow));
        assert!(endpoint::is_virtual_hostable_s3_bucket("abc", allow));
        assert!(endpoint::is_virtual_hostable_s3_bucket("123", allow));
        assert!(endpoint::is_virtual_hostable_s3_bucket(
            &"a".repeat(63),
            allow
        ));
        assert!(!endpoint::is_virtual_hostable_s3_bucket(
            &"a".repeat(64),
            allow
        ));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("", allow));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("-abc", allow));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("abc-", allow));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("a_bc", allow));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("abcé", allow));
        assert!(!endpoint::is_virtual_hostable_s3_bucket("bucket!", allow));
    }
    // With subdomains: every part a label, no empty parts, no IP form.
    assert!(endpoint::is_virtual_hostable_s3_bucket("a.b.c", true));
    assert!(endpoint::is_virtual_hostable_s3_bucket("my.bucket.1", true));
    assert!(!endpoint::is_virtual_hostable_s3_bucket("a..b", true));
    assert!(!endpoint::is_virtual_hostable_s3_bucket(
        "bucket-.name",
        true
    ));
    assert!(!endpoint::is_virtual_hostable_s3_bucket(
        "bucket.-name",
        true
    ));
    assert!(!endpoint::is_virtual_hostable_s3_bucket(".bucket", true));
    assert!(!endpoint::is_virtual_hostable_s3_bucket("bucket.", true));
    assert!(!endpoint::is_virtual_hostable_s3_bucket(
        "Bucket.name",
        true
    ));
    assert!(!endpoint::is_virtual_hostable_s3_bucket(
        "999.999.999.999",
        true
    ));
    assert!(endpoint::is_virtual_hostable_s3_bucket("1.2.3.4.5", true));
    assert!(endpoint::is_virtual_hostable_s3_bucket("1.2.3", true));
    let long_dotted = format!("{}.{}", "a".repeat(31), "b".repeat(32));
    assert_eq!(long_dotted.len(), 64);
    assert!(!endpoint::is_virtual_hostable_s3_bucket(&long_dotted, true));
}

// ---------------------------------------------------------------------------
// aws.partition
// ---------------------------------------------------------------------------

static AWS: PartitionOutputs = PartitionOutputs {
    name: "aws",
    dns_suffix: "amazonaws.com",
    dual_stack_dns_suffix: "api.aws",
    implicit_global_region: "us-east-1",
    supports_fips: true,
    supports_dual_stack: true,
};

static AWS_GLOBAL: PartitionOutputs = PartitionOutputs {
    name: "aws",
    dns_suffix: "amazonaws.com",
    dual_stack_dns_suffix: "api.aws",
    implicit_global_region: "us-east-1",
    supports_fips: false,
    supports_dual_stack: false,
};

static CN: PartitionOutputs = PartitionOutputs {
    name: "aws-cn",
    dns_suffix: "amazonaws.com.cn",
    dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
    implicit_global_region: "cn-northwest-1",
    supports_fips: true,
    supports_dual_stack: true,
};

static GOV: PartitionOutputs = PartitionOutputs {
    name: "aws-us-gov",
    dns_suffix: "amazonaws.com",
    dual_stack_dns_suffix: "api.aws",
    implicit_global_region: "us-gov-west-1",
    supports_fips: true,
    supports_dual_stack: true,
};

/// A small table in the shape the generator writes, with the regexes of the
/// real partitions.json (escaped hyphens, `\w`, `\d`). `aws` is not first,
/// so that the fallback has to look for it by ID.
static TABLE: [Partition; 3] = [
    Partition {
        id: "aws-cn",
        region_regex: "^cn\\-\\w+\\-\\d+$",
        regions: &[
            // Sorted by name, as the generator writes them.
            Region {
                name: "aws-cn-global",
                outputs: &CN,
            },
            Region {
                name: "cn-north-1",
                outputs: &CN,
            },
        ],
        outputs: PartitionOutputs {
            name: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
            implicit_global_region: "cn-northwest-1",
            supports_fips: true,
            supports_dual_stack: true,
        },
    },
    Partition {
        id: "aws",
        region_regex: "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$",
        regions: &[
            Region {
                name: "aws-global",
                outputs: &AWS_GLOBAL,
            },
            Region {
                name: "us-east-1",
                outputs: &AWS,
            },
        ],
        outputs: PartitionOutputs {
            name: "aws",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            implicit_global_region: "us-east-1",
            supports_fips: true,
            supports_dual_stack: true,
        },
    },
    Partition {
        id: "aws-us-gov",
        region_regex: "^us\\-gov\\-\\w+\\-\\d+$",
        regions: &[Region {
            name: "us-gov-west-1",
            outputs: &GOV,
        }],
        outputs: PartitionOutputs {
            name: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            implicit_global_region: "us-gov-west-1",
            supports_fips: true,
            supports_dual_stack: true,
        },
    },
];

#[test]
fn partition_listed_region_gets_its_own_outputs() {
    let outputs = endpoint::partition(&TABLE, "aws-global").expect("listed");
    assert!(std::ptr::eq(outputs, &AWS_GLOBAL));
    assert!(!outputs.supports_fips);
    let outputs = endpoint::partition(&TABLE, "us-east-1").expect("listed");
    assert!(std::ptr::eq(outputs, &AWS));
    // A listed region wins over an earlier partition's regex.
    let outputs = endpoint::partition(&TABLE, "us-gov-west-1").expect("listed");
    assert!(std::ptr::eq(outputs, &GOV));
    assert_eq!(
        endpoint::partition(&TABLE, "cn-north-1").map(|o| o.name),
        Some("aws-cn")
    );
}

#[test]
fn partition_regex_match() {
    let by_regex = |region| endpoint::partition(&TABLE, region).map(|o| o.name);
    assert_eq!(by_regex("cn-northwest-9"), Some("aws-cn"));
    assert_eq!(by_regex("eu-west-7"), Some("aws"));
    assert_eq!(by_regex("us-gov-east-1"), Some("aws-us-gov"));
    assert_eq!(by_regex("mx-central-1"), Some("aws"));
    // Regex matches return the partition's outputs, not a region's.
    let outputs = endpoint::partition(&TABLE, "us-west-2").expect("matches");
    assert!(std::ptr::eq(outputs, &TABLE[1].outputs));
    // The same again, now from the cache.
    assert_eq!(by_regex("cn-northwest-9"), Some("aws-cn"));
}

#[test]
fn partition_falls_back_to_aws() {
    for region in [
        "",
        "mars-east-1",
        "us-east-1-",
        "US-EAST-1",
        "cn-north",
        "us-gov-east",
    ] {
        let outputs = endpoint::partition(&TABLE, region).expect("fallback");
        assert!(std::ptr::eq(outputs, &TABLE[1].outputs), "{region:?}");
    }
}

static WITHOUT_AWS: [Partition; 1] = [Partition {
    id: "other",
    region_regex: "^other\\-\\d+$",
    regions: &[],
    outputs: PartitionOutputs {
        name: "other",
        dns_suffix: "example.com",
        dual_stack_dns_suffix: "example.net",
        implicit_global_region: "other-1",
        supports_fips: false,
        supports_dual_stack: false,
    },
}];

static BROKEN_REGEX: [Partition; 2] = [
    Partition {
        id: "broken",
        region_regex: "(unclosed",
        regions: &[],
        outputs: PartitionOutputs {
            name: "broken",
            dns_suffix: "example.com",
            dual_stack_dns_suffix: "example.net",
            implicit_global_region: "x",
            supports_fips: false,
            supports_dual_stack: false,
        },
    },
    Partition {
        id: "aws",
        region_regex: "(unclosed|",
        regions: &[],
        outputs: PartitionOutputs {
            name: "aws",
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
            implicit_global_region: "us-east-1",
            supports_fips: true,
            supports_dual_stack: true,
        },
    },
];

static EMPTY: [Partition; 0] = [];

#[test]
fn partition_without_aws_or_with_bad_regexes() {
    assert_eq!(
        endpoint::partition(&WITHOUT_AWS, "other-12").map(|o| o.name),
        Some("other")
    );
    assert_eq!(endpoint::partition(&WITHOUT_AWS, "us-east-1"), None);
    assert_eq!(endpoint::partition(&EMPTY, "us-east-1"), None);
    // A regex that does not compile never matches; twice, for the cache.
    for _ in 0..2 {
        assert_eq!(
            endpoint::partition(&BROKEN_REGEX, "(unclosed").map(|o| o.name),
            Some("aws")
        );
    }
}

#[test]
fn partition_regex_must_match_the_whole_region() {
    static PREFIX: [Partition; 2] = [
        Partition {
            id: "prefix",
            region_regex: "ab|abc",
            regions: &[],
            outputs: PartitionOutputs {
                name: "prefix",
                dns_suffix: "example.com",
                dual_stack_dns_suffix: "example.net",
                implicit_global_region: "ab",
                supports_fips: false,
                supports_dual_stack: false,
            },
        },
        Partition {
            id: "aws",
            region_regex: "^$",
            regions: &[],
            outputs: PartitionOutputs {
                name: "aws",
                dns_suffix: "amazonaws.com",
                dual_stack_dns_suffix: "api.aws",
                implicit_global_region: "us-east-1",
                supports_fips: true,
                supports_dual_stack: true,
            },
        },
    ];
    let name = |region| endpoint::partition(&PREFIX, region).map(|o| o.name);
    assert_eq!(name("ab"), Some("prefix"));
    assert_eq!(name("abc"), Some("prefix"));
    assert_eq!(name("abcd"), Some("aws"));
    assert_eq!(name("xab"), Some("aws"));
}

// ---------------------------------------------------------------------------
// Values, endpoints and errors
// ---------------------------------------------------------------------------

fn json(value: &Value) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

#[test]
fn write_json_scalars_and_escapes() {
    assert_eq!(json(&Value::Bool(true)), "true");
    assert_eq!(json(&Value::Bool(false)), "false");
    assert_eq!(json(&Value::Int(-42)), "-42");
    assert_eq!(json(&Value::Int(i64::MIN)), "-9223372036854775808");
    assert_eq!(json(&Value::from("")), r#""""#);
    assert_eq!(
        json(&Value::from("quote\" backslash\\ slash/ tab\t nl\n cr\r")),
        r#""quote\" backslash\\ slash/ tab\t nl\n cr\r""#
    );
    assert_eq!(
        json(&Value::from(String::from("\u{0}\u{8}\u{c}\u{1f}\u{7f}"))),
        "\"\\u0000\\b\\f\\u001f\u{7f}\""
    );
    assert_eq!(json(&Value::from("é€\u{1F600}")), "\"é€\u{1F600}\"");
}

#[test]
fn write_json_nested_in_order() {
    let value = Value::Object(vec![
        ("z", Value::Int(1)),
        ("a", Value::Array(vec![])),
        ("k\"ey", Value::Object(vec![])),
        (
            "list",
            Value::Array(vec![Value::Bool(true), Value::from("x"), Value::Int(0)]),
        ),
    ]);
    assert_eq!(
        json(&value),
        r#"{"z":1,"a":[],"k\"ey":{},"list":[true,"x",0]}"#
    );
    // The output parses as JSON and keeps the same content.
    let parsed: serde_json::Value = serde_json::from_str(&json(&value)).expect("valid JSON");
    assert_eq!(parsed["list"][1], "x");
    // Appends, never replaces.
    let mut out = String::from("prefix:");
    Value::Int(7).write_json(&mut out);
    assert_eq!(out, "prefix:7");
}

#[test]
fn write_json_round_trips_every_control_character() {
    let text: String = (0u8..0x80).map(char::from).collect();
    let written = json(&Value::from(text.clone()));
    let parsed: serde_json::Value = serde_json::from_str(&written).expect("valid JSON");
    assert_eq!(parsed, serde_json::Value::String(text));
}

#[test]
fn value_accessors() {
    let object = Value::Object(vec![
        ("name", Value::from("sigv4")),
        ("flag", Value::Bool(true)),
        ("name", Value::from("second")),
    ]);
    assert_eq!(object.get("name").and_then(Value::as_str), Some("sigv4"));
    assert_eq!(object.get("flag").and_then(Value::as_bool), Some(true));
    assert_eq!(object.get("missing"), None);
    assert_eq!(Value::Int(1).get("name"), None);
    assert_eq!(Value::Int(1).as_str(), None);
    assert_eq!(Value::from("x").as_bool(), None);
    assert_eq!(Value::from(3_i64), Value::Int(3));
    assert_eq!(Value::from(false), Value::Bool(false));
    assert_eq!(
        Value::Array(vec![Value::Int(1)]).as_array(),
        Some(&[Value::Int(1)][..])
    );
    assert_eq!(object.as_array(), None);
}

fn s3_express_endpoint() -> Endpoint {
    endpoint_of(
        "https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com".to_owned(),
        vec![
            ("backend", Value::from("S3Express")),
            (
                "authSchemes",
                Value::Array(vec![
                    Value::Object(vec![
                        ("disableDoubleEncoding", Value::Bool(true)),
                        ("name", Value::from("sigv4-s3express")),
                        ("signingName", Value::from("s3express")),
                        ("signingRegion", Value::from("us-west-2")),
                    ]),
                    Value::Object(vec![
                        ("name", Value::from("sigv4a")),
                        ("signingName", Value::from("s3")),
                        (
                            "signingRegionSet",
                            Value::Array(vec![
                                Value::from("*"),
                                Value::Int(5),
                                Value::from("us-*"),
                            ]),
                        ),
                    ]),
                    // Not an object, and an object without a name: skipped.
                    Value::from("sigv4"),
                    Value::Object(vec![("signingName", Value::from("s3"))]),
                    // Members of the wrong kind read as absent.
                    Value::Object(vec![
                        ("name", Value::from("sigv4")),
                        ("signingName", Value::Int(1)),
                        ("disableDoubleEncoding", Value::from("true")),
                        ("signingRegionSet", Value::from("us-east-1")),
                    ]),
                ]),
            ),
        ],
        vec![
            ("x-amz-a", vec!["1".to_owned(), "two \"2\"".to_owned()]),
            ("x-amz-b", vec![]),
        ],
    )
}

#[test]
fn endpoint_to_json_shape() {
    let endpoint = Endpoint::new("https://example.com");
    assert_eq!(
        endpoint.to_json(),
        r#"{"url":"https://example.com","properties":{},"headers":{}}"#
    );
    let endpoint = s3_express_endpoint();
    let written = endpoint.to_json();
    assert!(written.starts_with(
        r#"{"url":"https://mybucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com","properties":{"backend":"S3Express","authSchemes":[{"disableDoubleEncoding":true,"name":"sigv4-s3express""#
    ));
    assert!(written.ends_with(r#""headers":{"x-amz-a":["1","two \"2\""],"x-amz-b":[]}}"#));
    let parsed: serde_json::Value = serde_json::from_str(&written).expect("valid JSON");
    assert_eq!(parsed["properties"]["authSchemes"][1]["name"], "sigv4a");
    assert_eq!(parsed["headers"]["x-amz-a"][1], "two \"2\"");
    // The endpointTests form compares equal once parsed.
    let expected = serde_json::json!({
        "url": "https://example.com/a",
        "properties": {"authSchemes": [{"name": "sigv4", "signingName": "s3"}]},
        "headers": {"h": ["v"]}
    });
    let endpoint = endpoint_of(
        "https://example.com/a".to_owned(),
        vec![(
            "authSchemes",
            Value::Array(vec![Value::Object(vec![
                ("name", Value::from("sigv4")),
                ("signingName", Value::from("s3")),
            ])]),
        )],
        vec![("h", vec!["v".to_owned()])],
    );
    let parsed: serde_json::Value = serde_json::from_str(&endpoint.to_json()).expect("valid JSON");
    assert_eq!(parsed, expected);
}

#[test]
fn endpoint_property_and_header() {
    let endpoint = s3_express_endpoint();
    assert_eq!(
        endpoint.property("backend").and_then(ValueRef::as_str),
        Some("S3Express")
    );
    assert_eq!(endpoint.property("missing"), None);
    let header = |name: &str| endpoint.header(name).map(Iterator::collect::<Vec<_>>);
    assert_eq!(header("x-amz-a"), Some(vec!["1", "two \"2\""]));
    assert_eq!(header("x-amz-b"), Some(vec![]));
    assert_eq!(header("X-Amz-A"), None);
    assert_eq!(endpoint.headers().count(), 2);
}

#[test]
fn endpoint_auth_schemes() {
    let endpoint = s3_express_endpoint();
    assert_eq!(
        endpoint.auth_schemes(),
        vec![
            AuthScheme {
                name: "sigv4-s3express",
                signing_name: Some("s3express"),
                signing_region: Some("us-west-2"),
                signing_region_set: vec![],
                disable_double_encoding: true,
            },
            AuthScheme {
                name: "sigv4a",
                signing_name: Some("s3"),
                signing_region: None,
                signing_region_set: vec!["*", "us-*"],
                disable_double_encoding: false,
            },
            AuthScheme {
                name: "sigv4",
                signing_name: None,
                signing_region: None,
                signing_region_set: vec![],
                disable_double_encoding: false,
            },
        ]
    );
    assert_eq!(Endpoint::new("https://x").auth_schemes(), vec![]);
    let not_an_array = endpoint_of(
        "https://x".to_owned(),
        vec![("authSchemes", Value::from("sigv4"))],
        vec![],
    );
    assert_eq!(not_an_array.auth_schemes(), vec![]);
}

#[test]
fn resolve_error_displays_its_message() {
    let error = ResolveError::new("Invalid region: region was not a valid DNS name.");
    assert_eq!(
        error.to_string(),
        "Invalid region: region was not a valid DNS name."
    );
    assert_eq!(
        error.message,
        "Invalid region: region was not a valid DNS name."
    );
    let boxed: Box<dyn std::error::Error> = Box::new(error.clone());
    assert_eq!(boxed.to_string(), error.message);
    assert_eq!(
        ResolveError {
            message: "m".to_owned()
        },
        ResolveError::new("m")
    );
}

// ---------------------------------------------------------------------------
// Any input: no panic
// ---------------------------------------------------------------------------

/// A small deterministic pseudo-random generator (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn arbitrary_text_never_panics() {
    const ALPHABET: &[&str] = &[
        "a",
        "Z",
        "0",
        "9",
        "-",
        ".",
        ":",
        "/",
        "?",
        "#",
        "[",
        "]",
        "@",
        "%",
        "2",
        "5",
        " ",
        "é",
        "\u{1F600}",
        "\n",
        "arn",
        "https://",
        "http://",
        "::",
        "--",
        "x-s3",
    ];
    let mut rng = Lcg(0x5eed);
    for _ in 0..4000 {
        let len = usize::try_from(rng.next() % 12).unwrap_or(0);
        let text: String = (0..len)
            .map(|_| ALPHABET[usize::try_from(rng.next()).unwrap_or(0) % ALPHABET.len()])
            .collect();
        let number = usize::try_from(rng.next() % 16).unwrap_or(0);
        let other = usize::try_from(rng.next() % 16).unwrap_or(0);
        let _ = endpoint::is_valid_host_label(&text, number % 2 == 0);
        let _ = endpoint::substring(&text, number, other, other % 2 == 0);
        let _ = endpoint::uri_encode(&text);
        let parts = endpoint::split(&text, ALPHABET[number % ALPHABET.len()], other);
        assert!(!parts.is_empty());
        let _ = endpoint::index(&parts, i64::try_from(number).unwrap_or(0) - 8);
        if let Some(url) = endpoint::parse_url(&text) {
            assert!(url.normalized_path.starts_with('/'));
            assert!(url.normalized_path.ends_with('/'));
        }
        if let Some(arn) = parse_arn(&text) {
            assert!(!arn.4.is_empty());
        }
        let _ = endpoint::is_virtual_hostable_s3_bucket(&text, number % 2 == 1);
        let _ = endpoint::partition(&TABLE, &text);
        let _ = json(&Value::from(text));
    }
}

// ---------------------------------------------------------------------------
// Applying an endpoint to a request
// ---------------------------------------------------------------------------

#[test]
fn apply_adds_and_replaces_headers() {
    let mut request = http::Request::builder()
        .header("x-amz-a", "old")
        .header("x-other", "kept")
        .body(Vec::<u8>::new())
        .expect("request");
    let endpoint = endpoint_of(
        "https://example.com".to_owned(),
        vec![],
        vec![
            ("x-amz-a", vec!["1".to_owned(), "2".to_owned()]),
            ("X-Mixed-Case", vec!["v".to_owned()]),
        ],
    );
    endpoint::apply(&mut request, Some(&endpoint)).expect("valid headers");
    let values: Vec<_> = request.headers().get_all("x-amz-a").iter().collect();
    assert_eq!(values, ["1", "2"]);
    assert_eq!(request.headers()["x-mixed-case"], "v");
    assert_eq!(request.headers()["x-other"], "kept");
}

#[test]
fn apply_rejects_bad_headers_and_leaves_the_request() {
    use s3_runtime::error::BuildError;
    let mut request = http::Request::new(());
    for (name, value) in [("x-good", "a\nb"), ("bad name", "v"), ("", "v")] {
        let endpoint = endpoint_of(
            "https://example.com".to_owned(),
            vec![],
            vec![
                ("x-first", vec!["fine".to_owned()]),
                (name, vec![value.to_owned()]),
            ],
        );
        assert_eq!(
            endpoint::apply(&mut request, Some(&endpoint)),
            Err(BuildError::InvalidHeaderValue { header: name })
        );
        assert!(request.headers().is_empty());
    }
}

#[test]
fn apply_sets_the_host_of_an_absolute_uri() {
    let endpoint = endpoint_of("https://example.com".to_owned(), vec![], vec![]);
    for (uri, host) in [
        (
            "https://b.s3.us-west-2.amazonaws.com/k?x",
            Some("b.s3.us-west-2.amazonaws.com"),
        ),
        ("https://example.com:443/", Some("example.com")),
        ("http://example.com:80/", Some("example.com")),
        ("http://127.0.0.1:9000/b", Some("127.0.0.1:9000")),
        ("https://example.com:80/", Some("example.com:80")),
        ("/relative?x", None),
    ] {
        let mut request = http::Request::builder().uri(uri).body(()).expect("request");
        endpoint::apply(&mut request, Some(&endpoint)).expect("applies");
        assert_eq!(
            request.headers().get("host").map(|h| h.to_str().unwrap()),
            host,
            "{uri}"
        );
    }
    // No endpoint: nothing changes.
    let mut request = http::Request::builder()
        .uri("https://example.com/")
        .body(())
        .expect("request");
    endpoint::apply(&mut request, None).expect("applies");
    assert!(request.headers().is_empty());
}

#[test]
fn push_endpoint_and_end_path_join_the_endpoint_and_the_path() {
    use s3_runtime::uri::{end_path, push_endpoint};
    let at = |url: &str| endpoint_of(url.to_owned(), vec![], vec![]);
    // (endpoint, host prefix, operation path, joined)
    for (url, prefix, path, joined) in [
        (
            "https://b.s3.amazonaws.com",
            None,
            "",
            "https://b.s3.amazonaws.com/",
        ),
        (
            "https://s3.amazonaws.com/b",
            None,
            "",
            "https://s3.amazonaws.com/b",
        ),
        (
            "https://s3.amazonaws.com/b",
            None,
            "/k",
            "https://s3.amazonaws.com/b/k",
        ),
        ("https://example.com/", None, "/", "https://example.com/"),
        (
            "http://localhost:9000/base/",
            None,
            "/k",
            "http://localhost:9000/base/k",
        ),
        (
            "https://s3.amazonaws.com",
            Some("route."),
            "/w",
            "https://route.s3.amazonaws.com/w",
        ),
    ] {
        let endpoint = at(url);
        let mut out = String::new();
        let base = push_endpoint(&mut out, Some(&endpoint), prefix);
        out.push_str(path);
        end_path(&mut out, base);
        assert_eq!(out, joined, "{url} + {path}");
    }
    // Without an endpoint, the path is the operation's.
    let mut out = String::new();
    let base = push_endpoint(&mut out, None, Some("ignored."));
    assert_eq!(base, 0);
    out.push_str("/b");
    end_path(&mut out, base);
    assert_eq!(out, "/b");
}

#[test]
fn outcomes_keep_templates_and_read_their_slots() {
    use s3_runtime::endpoint::{Outcome, Part, Template};
    static PROPS: [(&str, Template); 2] = [
        ("backend", Template::Str("S3Express")),
        (
            "authSchemes",
            Template::Array(&[Template::Object(&[
                ("disableDoubleEncoding", Template::Bool(true)),
                ("name", Template::Slot(0)),
                ("signingRegion", Template::Slot(1)),
                ("n", Template::Int(3)),
            ])]),
        ),
    ];
    static HEADERS: [(&str, &[Template]); 1] = [("x-a", &[Template::Str("1"), Template::Slot(2)])];
    let texts = ["e", "sigv4", "us-west-2"];
    let text = |k: u16| texts.get(usize::from(k)).copied();
    let outcome = Outcome::Endpoint {
        url: &[Part::Lit("https://"), Part::Text(0)],
        properties: &PROPS,
        headers: &HEADERS,
        slots: &[
            &[Part::Text(1)],
            &[Part::Text(2)],
            &[Part::Lit("t"), Part::Lit("wo")],
        ],
    };
    let endpoint = outcome.resolve(&text).expect("an endpoint");
    let json = r#"{"url":"https://e","properties":{"backend":"S3Express","authSchemes":[{"disableDoubleEncoding":true,"name":"sigv4","signingRegion":"us-west-2","n":3}]},"headers":{"x-a":["1","two"]}}"#;
    assert_eq!(endpoint.url(), "https://e");
    assert_eq!(endpoint.to_json(), json);
    let scheme = endpoint
        .property("authSchemes")
        .and_then(|v| v.items())
        .and_then(|mut i| i.next());
    assert_eq!(
        scheme.and_then(|s| s.get("n")).and_then(ValueRef::as_int),
        Some(3)
    );
    assert_eq!(endpoint.auth_schemes()[0].signing_region, Some("us-west-2"));
    // The same endpoint built from values compares equal, and writes the same JSON.
    let built = endpoint_of(
        "https://e",
        endpoint
            .properties()
            .map(|(k, v)| (k, v.to_value()))
            .collect(),
        vec![("x-a", vec!["1".to_owned(), "two".to_owned()])],
    );
    assert_eq!(built, endpoint);
    assert_eq!(built.to_json(), json);
    // Adding a property to a resolved endpoint keeps the others.
    let more = endpoint.clone().with_property("extra", Value::Bool(false));
    assert_eq!(more.properties().count(), 3);
    assert!(more.to_json().contains(r#""backend":"S3Express""#));
    // An unset string: no endpoint.
    let unset = Outcome::Error(&[Part::Lit("bad "), Part::Text(7)]);
    assert_eq!(unset.resolve(&text), Err(ResolveError::no_match()));
    let message = Outcome::Error(&[Part::Lit("bad "), Part::Text(2)]);
    assert_eq!(
        message.resolve(&text),
        Err(ResolveError::new("bad us-west-2"))
    );
    // More slots than an endpoint keeps in place: built as values, same result.
    static MANY: [(&str, Template); 1] = [(
        "all",
        Template::Array(&[
            Template::Slot(0),
            Template::Slot(1),
            Template::Slot(2),
            Template::Slot(3),
            Template::Slot(4),
            Template::Slot(5),
            Template::Slot(6),
            Template::Slot(9),
        ]),
    )];
    static SEVEN: [&[Part]; 7] = [&[Part::Text(0)]; 7];
    let many = Outcome::Endpoint {
        url: &[Part::Text(0)],
        properties: &MANY,
        headers: &[],
        slots: &SEVEN,
    };
    let endpoint = many.resolve(&text).expect("an endpoint");
    // Text longer than an endpoint holds in place reads the same; each
    // slot here is string 0 too.
    let long = "x".repeat(300);
    for slots in [&SEVEN[..2], &SEVEN[..]] {
        let outcome = Outcome::Endpoint {
            url: &[Part::Lit("https://"), Part::Text(0), Part::Lit(".com")],
            properties: &PROPS,
            headers: &HEADERS,
            slots,
        };
        for url_len in [0, 60, 100, 115, 116, 117, 120, 127, 128, 200, 300] {
            let text = |k: u16| match k {
                0 => long.get(..url_len),
                _ => None,
            };
            let endpoint = outcome.resolve(&text).expect("an endpoint");
            let x = &long[..url_len];
            assert_eq!(endpoint.url(), format!("https://{x}.com"));
            let scheme = &endpoint.auth_schemes()[0];
            assert_eq!((scheme.name, scheme.signing_region), (x, Some(x)));
        }
    }
    assert_eq!(
        endpoint.to_json(),
        r#"{"url":"e","properties":{"all":["e","e","e","e","e","e","e",""]},"headers":{}}"#
    );
}

/// The bucket check, written the slow and obvious way: the rules' own
/// definition, to compare the one-pass version with.
fn virtual_hostable_reference(value: &str, allow_subdomains: bool) -> bool {
    let label = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    let ipv4 = {
        let parts: Vec<&str> = value.split('.').collect();
        parts.len() == 4
            && parts
                .iter()
                .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
    };
    (3..=63).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && (if allow_subdomains {
            value.split('.').all(label)
        } else {
            label(value)
        })
        && !ipv4
}

#[test]
fn virtual_hostable_matches_its_definition_on_random_names() {
    let alphabet = [b'a', b'z', b'0', b'9', b'-', b'.', b'A', b'_', b'1'];
    let mut state: u64 = 0x5EED;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for _ in 0..200_000 {
        let len = next() % 20;
        let name: String = (0..len)
            .map(|_| alphabet[next() % alphabet.len()] as char)
            .collect();
        for sub in [false, true] {
            assert_eq!(
                endpoint::is_virtual_hostable_s3_bucket(&name, sub),
                virtual_hostable_reference(&name, sub),
                "{name:?} allow_subdomains={sub}"
            );
        }
    }
    for name in [
        "1.2.3.4",
        "1.2.3.4.5",
        "123.45.6.7",
        "1234.5.6.7",
        "a.2.3.4",
        "abc",
        "a-b-c",
        "ab",
    ] {
        for sub in [false, true] {
            assert_eq!(
                endpoint::is_virtual_hostable_s3_bucket(name, sub),
                virtual_hostable_reference(name, sub),
                "{name:?} allow_subdomains={sub}"
            );
        }
    }
}

#[test]
fn arn_resource_parts_read_in_place() {
    let arn = endpoint::parse_arn("arn:aws:s3:us-east-1:123:a/b:c//d:").expect("an ARN");
    let parts = arn.resource_id.to_vec();
    assert_eq!(parts, ["a", "b", "c", "", "d", ""]);
    for index in -8..8 {
        assert_eq!(
            arn.resource_id.get(index),
            endpoint::index(&parts, index),
            "[{index}]"
        );
    }
    let arn = endpoint::parse_arn("arn:aws:s3:us-east-1:123:0/1:2/3:4/5:6/7:8/9").expect("an ARN");
    let parts = arn.resource_id.iter().collect::<Vec<_>>();
    assert_eq!(parts.len(), 10);
    for index in -12..12 {
        assert_eq!(
            arn.resource_id.get(index),
            endpoint::index(&parts, index),
            "[{index}]"
        );
    }
    assert_eq!(arn.resource_id.get(i64::MIN), None);
    assert_eq!(arn.resource_id.get(i64::MAX), None);
}

#[test]
fn partition_in_reads_the_index_then_the_regexes() {
    use s3_runtime::endpoint::RegionIndex;
    // One slot: every region hashes to it, and its name decides.
    static ONE: RegionIndex = RegionIndex {
        seed: 0,
        slots: &[1],
        regions: &[Region {
            name: "us-east-1",
            outputs: &TABLE[1].outputs,
        }],
    };
    static EMPTY: RegionIndex = RegionIndex {
        seed: 0,
        slots: &[],
        regions: &[],
    };
    let name = |index: &'static RegionIndex, region| {
        endpoint::partition_in(&TABLE, index, region).map(|o| o.name)
    };
    assert_eq!(name(&ONE, "us-east-1"), Some(TABLE[1].outputs.name));
    for region in ["us-west-2", "cn-north-1", "nowhere", ""] {
        let unlisted = endpoint::partition(&TABLE, region).map(|o| o.name);
        assert_eq!(name(&ONE, region), unlisted, "{region}");
        assert_eq!(name(&EMPTY, region), unlisted, "{region}");
    }
}

#[test]
fn host_label_matches_its_definition_on_random_values() {
    let label = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    let reference = |value: &str, sub: bool| {
        if sub {
            value.split('.').all(label)
        } else {
            label(value)
        }
    };
    let alphabet = ['a', 'Z', '0', '-', '.', '_', 'é'];
    let mut state: u64 = 0x1AB3;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for _ in 0..100_000 {
        let len = next() % 12;
        let mut value: String = (0..len)
            .map(|_| alphabet[next() % alphabet.len()])
            .collect();
        if next() % 8 == 0 {
            // Labels around the 63-character limit.
            let long = "a".repeat(60 + next() % 6);
            value = format!("{value}{long}");
        }
        for sub in [false, true] {
            assert_eq!(
                endpoint::is_valid_host_label(&value, sub),
                reference(&value, sub),
                "{value:?} allow_subdomains={sub}"
            );
        }
    }
}
