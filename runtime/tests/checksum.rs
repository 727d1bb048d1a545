//! Tests of `s3_runtime::checksum`: CRC32, CRC32C, CRC64NVME, SHA-1,
//! SHA-256 and MD5, and the S3 header values built from them.

use s3_runtime::checksum;
use s3_runtime::primitives;

use checksum::{
    ChecksumAlgorithm, Crc32, Crc32c, Crc64Nvme, Hasher, Md5, Sha1, Sha256, content_md5, crc32,
    crc32c, crc64nvme, md5, sha1, sha256,
};
use primitives::base64_decode;

// ---------------------------------------------------------------------------
// Helpers
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

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Writes bytes as lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The check input of the CRC catalogue.
const CHECK: &[u8] = b"123456789";

/// A bit-at-a-time reflected 32-bit CRC with init and xorout all ones, as
/// an independent reference for the table-driven code.
fn crc32_bitwise(poly: u32, bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A bit-at-a-time reflected 64-bit CRC with init and xorout all ones.
fn crc64_bitwise(poly: u64, bytes: &[u8]) -> u64 {
    let mut crc = !0u64;
    for &byte in bytes {
        crc ^= u64::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One of the six digests, fed through its own streaming type.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
    Md5,
}

const KINDS: [Kind; 6] = [
    Kind::Crc32,
    Kind::Crc32c,
    Kind::Crc64Nvme,
    Kind::Sha1,
    Kind::Sha256,
    Kind::Md5,
];

/// Returns the one-shot digest of `body` as bytes (CRCs big-endian).
fn one_shot(kind: Kind, body: &[u8]) -> Vec<u8> {
    match kind {
        Kind::Crc32 => crc32(body).to_be_bytes().to_vec(),
        Kind::Crc32c => crc32c(body).to_be_bytes().to_vec(),
        Kind::Crc64Nvme => crc64nvme(body).to_be_bytes().to_vec(),
        Kind::Sha1 => sha1(body).to_vec(),
        Kind::Sha256 => sha256(body).to_vec(),
        Kind::Md5 => md5(body).to_vec(),
    }
}

/// Returns the digest of the concatenation of `chunks`, fed one chunk at a
/// time to the kind's own streaming type.
fn streamed(kind: Kind, chunks: &[&[u8]]) -> Vec<u8> {
    macro_rules! run {
        ($ty:ty) => {{
            let mut hasher = <$ty>::new();
            for chunk in chunks {
                hasher.update(chunk);
            }
            hasher.finish()
        }};
    }
    match kind {
        Kind::Crc32 => run!(Crc32).to_be_bytes().to_vec(),
        Kind::Crc32c => run!(Crc32c).to_be_bytes().to_vec(),
        Kind::Crc64Nvme => run!(Crc64Nvme).to_be_bytes().to_vec(),
        Kind::Sha1 => run!(Sha1).to_vec(),
        Kind::Sha256 => run!(Sha256).to_vec(),
        Kind::Md5 => run!(Md5).to_vec(),
    }
}

/// Splits `body` into pieces of random sizes (including empty pieces),
/// sometimes small and sometimes spanning several 64-byte blocks.
fn random_chunks<'a>(rng: &mut Lcg, body: &'a [u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = body;
    let max = if rng.below(2) == 0 { 9 } else { 200 };
    while !rest.is_empty() {
        let take = (rng.below(max) as usize).min(rest.len());
        let (head, tail) = rest.split_at(take);
        chunks.push(head);
        rest = tail;
    }
    if rng.below(4) == 0 {
        chunks.push(&[]);
    }
    chunks
}

/// Lengths that sit on and around the 64-byte block boundaries and the
/// 56-byte padding boundary of MD5 and SHA, and the 8-byte steps of the
/// CRCs, plus some larger ones.
fn interesting_lengths() -> Vec<usize> {
    let mut lengths: Vec<usize> = (0..=200).collect();
    lengths.extend([
        247, 248, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 10_007,
    ]);
    lengths
}

// ---------------------------------------------------------------------------
// CRCs
// ---------------------------------------------------------------------------

#[test]
fn crc_check_values() {
    assert_eq!(crc32(CHECK), 0xCBF4_3926);
    assert_eq!(crc32c(CHECK), 0xE306_9283);
    assert_eq!(crc64nvme(CHECK), 0xAE8B_1486_0A79_9888);
}

#[test]
fn crc_of_empty_input_is_zero() {
    assert_eq!(crc32(b""), 0);
    assert_eq!(crc32c(b""), 0);
    assert_eq!(crc64nvme(b""), 0);
}

#[test]
fn crc_more_known_answers() {
    // zlib's crc32 of "The quick brown fox jumps over the lazy dog".
    assert_eq!(
        crc32(b"The quick brown fox jumps over the lazy dog"),
        0x414F_A339
    );
    // RFC 3720 (iSCSI) appendix B.4 CRC32C examples; the RFC lists the
    // result bytes as they go on the wire (least significant byte first).
    assert_eq!(crc32c(&[0u8; 32]).to_le_bytes(), [0xaa, 0x36, 0x91, 0x8a]);
    assert_eq!(
        crc32c(&[0xFFu8; 32]).to_le_bytes(),
        [0x43, 0xab, 0xa8, 0x62]
    );
    let ascending: Vec<u8> = (0u8..32).collect();
    assert_eq!(crc32c(&ascending).to_le_bytes(), [0x4e, 0x79, 0xdd, 0x46]);
    let descending: Vec<u8> = (0u8..32).rev().collect();
    assert_eq!(crc32c(&descending).to_le_bytes(), [0x5c, 0xdb, 0x3f, 0x11]);
}

#[test]
fn crc_residues() {
    // Appending a reflected CRC to its message, least significant byte
    // first, gives a fixed CRC whatever the message: the catalogue residue
    // with the final inversion applied.
    let mut rng = Lcg(7);
    for len in [0usize, 1, 9, 64, 100] {
        let message = rng.bytes(len);

        let mut with_crc = message.clone();
        with_crc.extend_from_slice(&crc32(&message).to_le_bytes());
        assert_eq!(crc32(&with_crc), !0xDEBB_20E3, "crc32 len {len}");

        let mut with_crc = message.clone();
        with_crc.extend_from_slice(&crc32c(&message).to_le_bytes());
        assert_eq!(crc32c(&with_crc), !0xB798_B438, "crc32c len {len}");

        let mut with_crc = message.clone();
        with_crc.extend_from_slice(&crc64nvme(&message).to_le_bytes());
        assert_eq!(
            crc64nvme(&with_crc),
            !0xF310_303B_2B6F_6E42,
            "crc64nvme len {len}"
        );
    }
}

#[test]
fn crc_tables_match_bitwise_reference() {
    let mut rng = Lcg(42);
    let data = rng.bytes(600);
    // Every length up to 70 at every start offset up to 8, so the
    // eight-byte steps meet every alignment and remainder.
    for start in 0..8 {
        for len in 0..70 {
            let slice = &data[start..start + len];
            assert_eq!(crc32(slice), crc32_bitwise(0xEDB8_8320, slice));
            assert_eq!(crc32c(slice), crc32_bitwise(0x82F6_3B78, slice));
            assert_eq!(
                crc64nvme(slice),
                crc64_bitwise(0x9A6C_9329_AC4B_C9B5, slice)
            );
        }
    }
    assert_eq!(crc32(&data), crc32_bitwise(0xEDB8_8320, &data));
    assert_eq!(crc32c(&data), crc32_bitwise(0x82F6_3B78, &data));
    assert_eq!(
        crc64nvme(&data),
        crc64_bitwise(0x9A6C_9329_AC4B_C9B5, &data)
    );
}

// ---------------------------------------------------------------------------
// MD5, SHA-1, SHA-256
// ---------------------------------------------------------------------------

/// The 448-bit message of the FIPS 180 examples.
const MSG_448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

/// The 896-bit message of the FIPS 180 examples.
const MSG_896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

#[test]
fn md5_rfc1321_suite() {
    let cases: [(&[u8], &str); 7] = [
        (b"", "d41d8cd98f00b204e9800998ecf8427e"),
        (b"a", "0cc175b9c0f1b6a831c399e269772661"),
        (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
        (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            b"abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f",
        ),
        (
            b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(
            hex(&md5(input)),
            expected,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn sha1_fips180_vectors() {
    assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert_eq!(
        hex(&sha1(b"abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex(&sha1(MSG_448)),
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    );
    assert_eq!(
        hex(&sha1(MSG_896)),
        "a49b2446a02c645bf419f995b67091253a04a259"
    );
    assert_eq!(
        hex(&sha1(&vec![b'a'; 1_000_000])),
        "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
    );
}

#[test]
fn sha256_fips180_vectors() {
    assert_eq!(
        hex(&sha256(b"")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        hex(&sha256(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        hex(&sha256(MSG_448)),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
        hex(&sha256(MSG_896)),
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
    );
    assert_eq!(
        hex(&sha256(&vec![b'a'; 1_000_000])),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
}

#[test]
fn one_million_a_streamed_in_odd_pieces() {
    // The million-'a' vectors again, fed in pieces that never line up with
    // the 64-byte blocks.
    let piece = [b'a'; 999];
    let mut sha1_hasher = Sha1::new();
    let mut sha256_hasher = Sha256::new();
    let mut md5_hasher = Md5::new();
    let mut left = 1_000_000usize;
    while left > 0 {
        let take = left.min(piece.len());
        sha1_hasher.update(&piece[..take]);
        sha256_hasher.update(&piece[..take]);
        md5_hasher.update(&piece[..take]);
        left -= take;
    }
    assert_eq!(
        hex(&sha1_hasher.finish()),
        "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
    );
    assert_eq!(
        hex(&sha256_hasher.finish()),
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
    // MD5 of one million 'a' (a widely published value).
    assert_eq!(
        hex(&md5_hasher.finish()),
        "7707d6ae4e027c70eea2a935c2296f21"
    );
}

// ---------------------------------------------------------------------------
// S3 header values
// ---------------------------------------------------------------------------

#[test]
fn header_values_match_aws_sdk_vectors() {
    // The vectors of the AWS SDK for JavaScript v3 flexible-checksums tests
    // (packages/middleware-flexible-checksums), which the other AWS SDKs'
    // tests and S3's documentation examples agree with.
    use ChecksumAlgorithm::{
        Crc32 as C32, Crc32c as C32c, Crc64Nvme as C64, Sha1 as S1, Sha256 as S256,
    };
    let cases: [(&str, ChecksumAlgorithm, &str); 15] = [
        ("", C32, "AAAAAA=="),
        ("abc", C32, "NSRBwg=="),
        ("Hello world", C32, "i9aeUg=="),
        ("", C32c, "AAAAAA=="),
        ("abc", C32c, "Nks/tw=="),
        ("Hello world", C32c, "crUfeA=="),
        ("", C64, "AAAAAAAAAAA="),
        ("abc", C64, "BeXKuz/B+us="),
        ("Hello world", C64, "OOJZ0D8xKts="),
        ("", S1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
        ("abc", S1, "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
        ("Hello world", S1, "e1AsOh9IyGCa4hLN+2Od7jlnP14="),
        ("", S256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
        ("abc", S256, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
        (
            "Hello world",
            S256,
            "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=",
        ),
    ];
    for (body, algorithm, expected) in cases {
        assert_eq!(
            algorithm.checksum_header_value(body.as_bytes()),
            expected,
            "{algorithm:?} of {body:?}"
        );
        let mut hasher = Hasher::new(algorithm);
        hasher.update(body.as_bytes());
        assert_eq!(hasher.header_value(), expected, "{algorithm:?} of {body:?}");
    }
}

#[test]
fn content_md5_values() {
    assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_eq!(content_md5(b"Hello world"), "PiWWCnnbxptnTNTsZ6csYg==");
    // The RFC 1864 form is the base64 of the raw digest, not of its hex.
    assert_eq!(
        base64_decode(&content_md5(b"abc")).unwrap(),
        md5(b"abc").to_vec()
    );
    let mut hasher = Md5::new();
    hasher.update(b"Hello ");
    hasher.update(b"world");
    assert_eq!(hasher.header_value(), "PiWWCnnbxptnTNTsZ6csYg==");
}

#[test]
fn header_values_are_base64_of_big_endian_digests() {
    let mut rng = Lcg(3);
    for len in [0usize, 1, 17, 64, 333] {
        let body = rng.bytes(len);
        let decode = |algorithm: ChecksumAlgorithm| {
            base64_decode(&algorithm.checksum_header_value(&body)).unwrap()
        };
        assert_eq!(decode(ChecksumAlgorithm::Crc32), crc32(&body).to_be_bytes());
        assert_eq!(
            decode(ChecksumAlgorithm::Crc32c),
            crc32c(&body).to_be_bytes()
        );
        assert_eq!(
            decode(ChecksumAlgorithm::Crc64Nvme),
            crc64nvme(&body).to_be_bytes()
        );
        assert_eq!(decode(ChecksumAlgorithm::Sha1), sha1(&body));
        assert_eq!(decode(ChecksumAlgorithm::Sha256), sha256(&body));
        for algorithm in ChecksumAlgorithm::ALL {
            assert_eq!(algorithm.digest(&body).len(), algorithm.digest_len());
            assert_eq!(decode(algorithm), algorithm.digest(&body));
        }
    }
}

// ---------------------------------------------------------------------------
// ChecksumAlgorithm names
// ---------------------------------------------------------------------------

#[test]
fn algorithm_names() {
    let expected = [
        (ChecksumAlgorithm::Crc32, "CRC32", "x-amz-checksum-crc32"),
        (ChecksumAlgorithm::Crc32c, "CRC32C", "x-amz-checksum-crc32c"),
        (
            ChecksumAlgorithm::Crc64Nvme,
            "CRC64NVME",
            "x-amz-checksum-crc64nvme",
        ),
        (ChecksumAlgorithm::Sha1, "SHA1", "x-amz-checksum-sha1"),
        (ChecksumAlgorithm::Sha256, "SHA256", "x-amz-checksum-sha256"),
    ];
    assert_eq!(ChecksumAlgorithm::ALL.len(), expected.len());
    for (algorithm, wire, header) in expected {
        assert_eq!(algorithm.wire_name(), wire);
        assert_eq!(algorithm.header_name(), header);
        assert_eq!(ChecksumAlgorithm::from_name(wire), Some(algorithm));
        assert_eq!(
            ChecksumAlgorithm::from_name(&wire.to_ascii_lowercase()),
            Some(algorithm)
        );
        // The header name is the wire name in lower case after the prefix.
        assert_eq!(
            header.strip_prefix("x-amz-checksum-"),
            Some(wire.to_ascii_lowercase().as_str())
        );
        assert_eq!(Hasher::new(algorithm).algorithm(), algorithm);
    }
    assert_eq!(
        ChecksumAlgorithm::from_name("Crc64Nvme"),
        Some(ChecksumAlgorithm::Crc64Nvme)
    );
    assert_eq!(
        ChecksumAlgorithm::from_name("sHa256"),
        Some(ChecksumAlgorithm::Sha256)
    );
}

#[test]
fn unknown_algorithm_names() {
    for name in [
        "",
        "CRC",
        "CRC-32",
        "CRC32 ",
        " CRC32",
        "CRC32CC",
        "CRC64",
        "SHA-1",
        "SHA-256",
        "SHA512",
        "MD5",
        "x-amz-checksum-crc32",
        "CRC\u{17f}32",
        "\u{0}",
    ] {
        assert_eq!(ChecksumAlgorithm::from_name(name), None, "{name:?}");
    }
}

// ---------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------

#[test]
fn streaming_equals_one_shot_for_each_digest() {
    let mut rng = Lcg(0x5EED);
    let data = rng.bytes(10_007);
    for kind in KINDS {
        for len in interesting_lengths() {
            let body = &data[..len];
            let expected = one_shot(kind, body);
            // Two different random splits of each length.
            for _ in 0..2 {
                let chunks = random_chunks(&mut rng, body);
                assert_eq!(
                    streamed(kind, &chunks),
                    expected,
                    "{kind:?} len {len} chunks {:?}",
                    chunks.iter().map(|c| c.len()).collect::<Vec<_>>()
                );
            }
            // Byte at a time.
            if len <= 200 {
                let chunks: Vec<&[u8]> = body.chunks(1).collect();
                assert_eq!(
                    streamed(kind, &chunks),
                    expected,
                    "{kind:?} len {len} bytewise"
                );
            }
        }
    }
}

#[test]
fn hasher_streaming_equals_one_shot_for_each_algorithm() {
    let mut rng = Lcg(0xC0FFEE);
    let data = rng.bytes(10_007);
    for algorithm in ChecksumAlgorithm::ALL {
        for len in interesting_lengths() {
            let body = &data[..len];
            let expected_digest = algorithm.digest(body);
            let expected_header = algorithm.checksum_header_value(body);
            let chunks = random_chunks(&mut rng, body);

            let mut hasher = Hasher::new(algorithm);
            for chunk in &chunks {
                hasher.update(chunk);
            }
            let copy = hasher.clone();
            assert_eq!(hasher.finish(), expected_digest, "{algorithm:?} len {len}");
            assert_eq!(
                copy.header_value(),
                expected_header,
                "{algorithm:?} len {len}"
            );
        }
    }
}

#[test]
fn hasher_digests_match_the_individual_functions() {
    let body = b"The quick brown fox jumps over the lazy dog";
    let digest = |algorithm| ChecksumAlgorithm::digest(&algorithm, body);
    assert_eq!(digest(ChecksumAlgorithm::Crc32), crc32(body).to_be_bytes());
    assert_eq!(
        digest(ChecksumAlgorithm::Crc32c),
        crc32c(body).to_be_bytes()
    );
    assert_eq!(
        digest(ChecksumAlgorithm::Crc64Nvme),
        crc64nvme(body).to_be_bytes()
    );
    assert_eq!(
        hex(&digest(ChecksumAlgorithm::Sha1)),
        "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
    );
    assert_eq!(
        hex(&digest(ChecksumAlgorithm::Sha256)),
        "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
    );
    assert_eq!(hex(&md5(body)), "9e107d9d372bb6826bd81d3542a419d6");
}

#[test]
fn a_clone_continues_independently() {
    for algorithm in ChecksumAlgorithm::ALL {
        let mut first = Hasher::new(algorithm);
        first.update(b"Hello");
        let mut second = first.clone();
        first.update(b" world");
        second.update(b" there");
        assert_eq!(first.finish(), algorithm.digest(b"Hello world"));
        assert_eq!(second.finish(), algorithm.digest(b"Hello there"));
    }
}

#[test]
fn defaults_start_empty() {
    assert_eq!(Crc32::default().finish(), crc32(b""));
    assert_eq!(Crc32c::default().finish(), crc32c(b""));
    assert_eq!(Crc64Nvme::default().finish(), crc64nvme(b""));
    assert_eq!(Sha1::default().finish(), sha1(b""));
    assert_eq!(Sha256::default().finish(), sha256(b""));
    assert_eq!(Md5::default().finish(), md5(b""));
}

// ---------------------------------------------------------------------------
// Checking a received request's digests (server side)
// ---------------------------------------------------------------------------

/// The code S3 answers a request with these headers and body with, or
/// `None` when the digests hold.
fn check(checksum: RequestChecksum, headers: &[(&str, &str)], body: &[u8]) -> Option<&'static str> {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let result = checksum::check_request(checksum, &map, body);
    if let Err(e) = &result {
        assert_eq!(e.status(), 400);
        assert!(!e.to_string().is_empty());
    }
    result.err().map(|e| e.code())
}

use s3_runtime::operation::RequestChecksum;

#[test]
fn received_digests_are_checked_against_the_body() {
    let body = b"hello world";
    let md5 = content_md5(body);
    let supported = RequestChecksum::Supported;
    assert_eq!(check(supported, &[("content-md5", &md5)], body), None);
    assert_eq!(
        check(supported, &[("content-md5", &md5)], b"hello worle"),
        Some("BadDigest")
    );
    assert_eq!(
        check(supported, &[("content-md5", "not base64!")], body),
        Some("InvalidDigest")
    );
    assert_eq!(
        check(supported, &[("content-md5", "AAAA")], body),
        Some("InvalidDigest")
    );
    for algorithm in ChecksumAlgorithm::ALL {
        let name = algorithm.header_name();
        let good = algorithm.checksum_header_value(body);
        assert_eq!(check(supported, &[(name, &good)], body), None, "{name}");
        let other = algorithm.checksum_header_value(b"other");
        assert_eq!(
            check(supported, &[(name, &other)], body),
            Some("BadDigest"),
            "{name}"
        );
        assert_eq!(
            check(supported, &[(name, "AAAA")], body),
            Some("InvalidRequest"),
            "{name}"
        );
        assert_eq!(
            check(supported, &[(name, "%%%")], body),
            Some("InvalidRequest"),
            "{name}"
        );
        // With a good Content-MD5 beside it, both are checked.
        let both = [("content-md5", md5.as_str()), (name, other.as_str())];
        assert_eq!(check(supported, &both, body), Some("BadDigest"), "{name}");
    }
    // Two algorithms at once are refused, even when both hold.
    let crc32 = ChecksumAlgorithm::Crc32.checksum_header_value(body);
    let sha1 = ChecksumAlgorithm::Sha1.checksum_header_value(body);
    let two = [
        ("x-amz-checksum-crc32", crc32.as_str()),
        ("x-amz-checksum-sha1", sha1.as_str()),
    ];
    assert_eq!(check(supported, &two, body), Some("InvalidRequest"));
}

#[test]
fn what_is_not_checked_and_what_is_required() {
    let body = b"data";
    let wrong = [("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")];
    // An operation whose body is not checksummed: nothing is checked.
    assert_eq!(check(RequestChecksum::None, &wrong, body), None);
    assert_eq!(
        check(RequestChecksum::Supported, &wrong, body),
        Some("BadDigest")
    );
    // An aws-chunked body still encoded carries its checksums in trailers.
    let chunked = [
        wrong[0],
        ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
    ];
    assert_eq!(check(RequestChecksum::Supported, &chunked, body), None);
    // An algorithm this crate does not compute is taken as sent.
    let sha512 = [("x-amz-checksum-sha512", "anything")];
    assert_eq!(check(RequestChecksum::Supported, &sha512, body), None);
    // A required checksum: any digest header will do, none is refused.
    let required = RequestChecksum::Required;
    assert_eq!(check(required, &[], body), Some("InvalidRequest"));
    assert_eq!(
        check(required, &[("x-amz-checksum-type", "FULL_OBJECT")], body),
        Some("InvalidRequest")
    );
    assert_eq!(
        check(required, &[("x-amz-checksum-mode", "ENABLED")], body),
        Some("InvalidRequest")
    );
    assert!(checksum::is_checksum_header("x-amz-checksum-crc64nvme"));
    assert!(!checksum::is_checksum_header("x-amz-checksum-algorithm"));
    assert_eq!(check(required, &sha512, body), None);
    let md5 = content_md5(body);
    assert_eq!(check(required, &[("content-md5", &md5)], body), None);
    assert_eq!(check(RequestChecksum::Supported, &[], body), None);
}

// ---------------------------------------------------------------------------
// Validating a response's checksum (client side)
// ---------------------------------------------------------------------------

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.to_vec()).unwrap()
}

#[test]
fn response_checksums_are_validated_in_the_order_asked() {
    let body = b"hello world";
    let asked = ["CRC64NVME", "CRC32", "SHA512", "SHA256"];
    let crc32 = ChecksumAlgorithm::Crc32.checksum_header_value(body);
    let sha256 = ChecksumAlgorithm::Sha256.checksum_header_value(body);
    let wrong = ChecksumAlgorithm::Sha256.checksum_header_value(b"other");
    let good = response(200, &[("x-amz-checksum-crc32", &crc32)], body);
    assert_eq!(checksum::check_response(&asked, &good), Ok(()));
    let bad = response(200, &[("x-amz-checksum-crc32", &crc32)], b"hello worle");
    let e = checksum::check_response(&asked, &bad).unwrap_err();
    assert!(e.to_string().contains("CRC32"), "{e}");
    // Nothing asked: nothing validated.
    assert_eq!(checksum::check_response(&[], &bad), Ok(()));
    // The first algorithm in the order asked is the one validated.
    let both = response(
        200,
        &[
            ("x-amz-checksum-sha256", &wrong),
            ("x-amz-checksum-crc32", &crc32),
        ],
        body,
    );
    assert_eq!(checksum::check_response(&asked, &both), Ok(()));
    let both = response(
        200,
        &[
            ("x-amz-checksum-sha256", &sha256),
            ("x-amz-checksum-crc32", "AAAAAA=="),
        ],
        body,
    );
    assert!(checksum::check_response(&asked, &both).is_err());
    // Not the body's checksum: partial, composite; or not a digest at all.
    let partial = response(206, &[("x-amz-checksum-crc32", "AAAAAA==")], body);
    assert_eq!(checksum::check_response(&asked, &partial), Ok(()));
    let composite = response(200, &[("x-amz-checksum-crc32", "AAAAAA==-2")], body);
    assert_eq!(checksum::check_response(&asked, &composite), Ok(()));
    let typed = response(
        200,
        &[
            ("x-amz-checksum-crc32", "AAAAAA=="),
            ("x-amz-checksum-type", "COMPOSITE"),
        ],
        body,
    );
    assert_eq!(checksum::check_response(&asked, &typed), Ok(()));
    let garbage = response(200, &[("x-amz-checksum-crc32", "not base64")], body);
    assert_eq!(
        checksum::check_response(&asked, &garbage)
            .unwrap_err()
            .code(),
        "InvalidResponse"
    );
    assert_eq!(
        checksum::when_enabled(Some("ENABLED"), &["CRC32"]),
        ["CRC32"]
    );
    assert!(checksum::when_enabled(Some("DISABLED"), &["CRC32"]).is_empty());
    assert!(checksum::when_enabled(None, &["CRC32"]).is_empty());
}

#[test]
fn a_checked_reader_fails_at_the_end_of_a_changed_body() {
    use std::io::Read;
    let body = b"hello world, in pieces".to_vec();
    let expected = |data: &[u8]| {
        Some((
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc32c.digest(data),
        ))
    };
    let mut out = Vec::new();
    checksum::CheckedReader::new(std::io::Cursor::new(body.clone()), expected(&body))
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, body);
    let mut reader =
        checksum::CheckedReader::new(std::io::Cursor::new(body.clone()), expected(b"other"));
    let mut out = Vec::new();
    let e = reader.read_to_end(&mut out).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(
        out, body,
        "every byte is read before the end says it is wrong"
    );
    // Without a checksum, a reader reads through.
    let mut out = Vec::new();
    checksum::CheckedReader::new(std::io::Cursor::new(body.clone()), None)
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, body);
}
