//! The checksums S3 uses to check request and response bodies: CRC32,
//! CRC32C, CRC64NVME, SHA-1 and SHA-256 for the `x-amz-checksum-*` headers,
//! and MD5 for the `Content-MD5` header.
//!
//! Each checksum comes as a small streaming hasher (`new`, `update` any
//! number of times, then `finish`) and as a one-shot function over a whole
//! byte slice. [`Hasher`] wraps the five `x-amz-checksum-*` algorithms behind
//! one type chosen at run time by [`ChecksumAlgorithm`], so code that streams
//! a body can compute its checksum without holding the whole body in memory.
//!
//! Header values are the base64 of the digest bytes, with the CRCs written
//! big-endian (most significant byte first), which is the form S3 and the
//! AWS SDKs send and return. Nothing here panics, whatever the input.

use crate::primitives::base64_encode;

// ---------------------------------------------------------------------------
// ChecksumAlgorithm
// ---------------------------------------------------------------------------

/// A checksum algorithm that S3 accepts in an `x-amz-checksum-*` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// CRC-32 as used by Ethernet, zlib and gzip (IEEE 802.3); a 4-byte
    /// checksum.
    Crc32,
    /// CRC-32C (Castagnoli), as used by iSCSI; a 4-byte checksum.
    Crc32c,
    /// The 64-bit CRC of the NVM Express specification; an 8-byte checksum.
    Crc64Nvme,
    /// SHA-1 (FIPS 180-4); a 20-byte digest.
    Sha1,
    /// SHA-256 (FIPS 180-4); a 32-byte digest.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the order they are declared.
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// Returns the algorithm with the given S3 wire name (`CRC32`, `CRC32C`,
    /// `CRC64NVME`, `SHA1` or `SHA256`), ignoring ASCII case, or `None` for
    /// any other name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|algorithm| algorithm.wire_name().eq_ignore_ascii_case(name))
    }

    /// Returns the name S3 uses for this algorithm on the wire, such as in
    /// the `x-amz-checksum-algorithm` and `x-amz-sdk-checksum-algorithm`
    /// headers: `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`.
    pub fn wire_name(&self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// Returns the name of the header that carries this checksum, in lower
    /// case, such as `x-amz-checksum-crc32`.
    pub fn header_name(&self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// Returns the number of bytes in this algorithm's digest: 4 for the
    /// 32-bit CRCs, 8 for CRC64NVME, 20 for SHA-1 and 32 for SHA-256.
    pub fn digest_len(&self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// Returns the digest of `body` as bytes, with the CRCs written
    /// big-endian.
    pub fn digest(&self, body: &[u8]) -> Vec<u8> {
        let mut hasher = Hasher::new(*self);
        hasher.update(body);
        hasher.finish()
    }

    /// Returns the value of this algorithm's checksum header for `body`: the
    /// base64 of the digest bytes, with the CRCs written big-endian. For an
    /// empty body, CRC32 gives `AAAAAA==`.
    pub fn checksum_header_value(&self, body: &[u8]) -> String {
        base64_encode(&self.digest(body))
    }
}

/// Returns the value of the `Content-MD5` header for `body`: the base64 of
/// its MD5 digest. For an empty body this is `1B2M2Y8AsgTpgAmY7PhCfg==`.
pub fn content_md5(body: &[u8]) -> String {
    base64_encode(&md5(body))
}

/// Adds a request's checksum header over its body (the `httpChecksum`
/// trait): the checksum of `algorithm` (the member that chooses it, when
/// set), else `Content-MD5` when the operation requires a checksum
/// (`md5_by_default`). A header the request already has (set by its
/// member) is kept. An algorithm this crate does not compute (such as
/// SHA512 or the XXHASH family) needs its checksum header set by the caller
/// through its member; without it the request is a `BuildError`.
pub fn insert_request_checksum(
    request: &mut http::Request<Vec<u8>>,
    algorithm: Option<&str>,
    md5_by_default: bool,
) -> Result<(), crate::error::BuildError> {
    let (name, value) = match algorithm {
        Some(name) => match ChecksumAlgorithm::from_name(name) {
            Some(algorithm) => (
                algorithm.header_name(),
                algorithm.checksum_header_value(request.body()),
            ),
            // An algorithm this crate does not compute: the caller sends its
            // checksum through the member, or the request is refused.
            None => {
                let header = format!("x-amz-checksum-{}", name.to_ascii_lowercase());
                if request.headers().contains_key(header.as_str()) {
                    return Ok(());
                }
                return Err(crate::error::BuildError::UnsupportedChecksum {
                    algorithm: name.to_owned(),
                });
            }
        },
        None if md5_by_default => ("content-md5", content_md5(request.body())),
        None => return Ok(()),
    };
    if !request.headers().contains_key(name) {
        crate::headers::insert(request.headers_mut(), name, &value)?;
    }
    Ok(())
}

/// Why a body does not match a digest it came with, or lacks a digest it
/// needs, with a code and a message. On the server side
/// ([`check_request`]) the code is S3's answer (`BadDigest`,
/// `InvalidDigest` or `InvalidRequest`, status 400); on the client side
/// ([`check_response`], [`CheckedReader`]) it is `BadDigest` for a body
/// that changed on the way and `InvalidResponse` for a checksum header that
/// is not a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestError {
    code: &'static str,
    message: String,
}

impl DigestError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        DigestError {
            code,
            message: message.into(),
        }
    }

    /// The error code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The HTTP status a server answers with: 400.
    pub fn status(&self) -> u16 {
        400
    }
}

impl std::fmt::Display for DigestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DigestError {}

/// Whether a header carries a checksum of the body: `Content-MD5` or
/// `x-amz-checksum-` and an algorithm's name (not `-type`, `-algorithm` or
/// `-mode`, which say how checksums are used). Names in lower case.
pub fn is_checksum_header(name: &str) -> bool {
    name == "content-md5"
        || name
            .strip_prefix("x-amz-checksum-")
            .is_some_and(|kind| !matches!(kind, "type" | "algorithm" | "mode"))
}

/// The digest a checksum header's value holds (base64), when it is one of
/// `len` bytes.
fn header_digest(value: &http::HeaderValue, len: usize) -> Option<Vec<u8>> {
    let text = value.to_str().ok()?;
    crate::primitives::base64_decode(text.trim())
        .ok()
        .filter(|digest| digest.len() == len)
}

/// Checks a received request's body (server side) against the digests its
/// headers carry, as S3 does for an operation whose body is checksummed
/// (`checksum`, from its `httpChecksum` trait; `None`: nothing to check):
///
/// - `Content-MD5`: `InvalidDigest` when it is not the base64 of 16 bytes,
///   `BadDigest` when it is not the body's MD5;
/// - the `x-amz-checksum-*` header of an algorithm this crate computes
///   (CRC32, CRC32C, CRC64NVME, SHA1, SHA256): `InvalidRequest` when there
///   are several or the value is not a digest of that algorithm,
///   `BadDigest` when it is not the body's (the checksum of another
///   algorithm, such as SHA512, is taken unchecked);
/// - with [`RequestChecksum::Required`](crate::operation::RequestChecksum),
///   a request with neither is `InvalidRequest`.
///
/// An `aws-chunked` body still encoded is not checked here: its checksums
/// come as trailers, which [`crate::aws_chunked`] checks as it decodes.
pub fn check_request(
    checksum: crate::operation::RequestChecksum,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<(), DigestError> {
    use crate::operation::RequestChecksum;
    if checksum == RequestChecksum::None {
        return Ok(());
    }
    // One pass over the headers (a lookup by name parses the name each
    // time): the Content-MD5, the checksum of an algorithm computed here,
    // whether any other checksum came, whether the body is aws-chunked.
    let (mut md5, mut sent, mut several, mut any) = (None, None, false, false);
    for (name, value) in headers {
        let name = name.as_str();
        if crate::aws_chunked::marks_chunked(name, value) {
            return Ok(());
        }
        if name == "content-md5" {
            md5.get_or_insert(value);
            continue;
        }
        any |= is_checksum_header(name);
        if let Some(algorithm) = ChecksumAlgorithm::ALL
            .into_iter()
            .find(|a| a.header_name() == name)
        {
            several |= sent.is_some_and(|(first, _)| first != algorithm);
            sent.get_or_insert((algorithm, value));
        }
    }
    if let Some(value) = md5 {
        let digest = header_digest(value, 16).ok_or_else(|| {
            DigestError::new(
                "InvalidDigest",
                "The Content-MD5 you specified was invalid.",
            )
        })?;
        if digest[..] != self::md5(body) {
            return Err(DigestError::new(
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    if several {
        return Err(DigestError::new(
            "InvalidRequest",
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        ));
    }
    if let Some((algorithm, value)) = sent {
        let digest = header_digest(value, algorithm.digest_len()).ok_or_else(|| {
            DigestError::new(
                "InvalidRequest",
                format!("Value for {} header is invalid.", algorithm.header_name()),
            )
        })?;
        if digest != algorithm.digest(body) {
            return Err(DigestError::new(
                "BadDigest",
                format!(
                    "The {} you specified did not match the calculated checksum.",
                    algorithm.wire_name()
                ),
            ));
        }
    }
    if checksum == RequestChecksum::Required && md5.is_none() && !any {
        return Err(DigestError::new(
            "InvalidRequest",
            "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
        ));
    }
    Ok(())
}

/// `algorithms` when the validation `mode` a caller chose is `ENABLED`,
/// else none: what generated inputs answer for
/// [`Input::response_checksums`](crate::operation::Input::response_checksums).
pub fn when_enabled(
    mode: Option<&str>,
    algorithms: &'static [&'static str],
) -> &'static [&'static str] {
    if mode == Some("ENABLED") {
        algorithms
    } else {
        &[]
    }
}

/// The checksum of a response to validate over its body: the first of
/// `algorithms` (in order) that this crate computes and whose
/// `x-amz-checksum-*` header the response carries, with the digest it
/// says. `None` when there is nothing to validate: no such header, a
/// response that is not a whole body (only 200 is), or a composite
/// checksum (of a multipart object's parts, `...-3`, or
/// `x-amz-checksum-type: COMPOSITE`), which is not the body's. A value that
/// is not a digest of its algorithm is an error.
pub fn response_checksum(
    algorithms: &[&str],
    status: http::StatusCode,
    headers: &http::HeaderMap,
) -> Result<Option<(ChecksumAlgorithm, Vec<u8>)>, DigestError> {
    if status != http::StatusCode::OK
        || headers
            .get("x-amz-checksum-type")
            .is_some_and(|t| t.as_bytes().eq_ignore_ascii_case(b"COMPOSITE"))
    {
        return Ok(None);
    }
    for algorithm in algorithms
        .iter()
        .filter_map(|name| ChecksumAlgorithm::from_name(name))
    {
        let Some(value) = headers.get(algorithm.header_name()) else {
            continue;
        };
        if value.as_bytes().contains(&b'-') {
            return Ok(None);
        }
        let digest = header_digest(value, algorithm.digest_len()).ok_or_else(|| {
            DigestError::new(
                "InvalidResponse",
                format!(
                    "the response's {} header is not a {} checksum",
                    algorithm.header_name(),
                    algorithm.wire_name()
                ),
            )
        })?;
        return Ok(Some((algorithm, digest)));
    }
    Ok(None)
}

/// The error of a response body whose checksum is not the one its header
/// announced.
fn response_mismatch(algorithm: ChecksumAlgorithm) -> DigestError {
    DigestError::new(
        "BadDigest",
        format!(
            "the response body's {} is not the one its {} header announced: \
             the body changed on the way",
            algorithm.wire_name(),
            algorithm.header_name()
        ),
    )
}

/// Validates a whole response (client side) against the checksum it
/// carries of one of `algorithms` ([`response_checksum`] says which).
pub fn check_response(
    algorithms: &[&str],
    response: &http::Response<Vec<u8>>,
) -> Result<(), DigestError> {
    if algorithms.is_empty() {
        return Ok(());
    }
    match response_checksum(algorithms, response.status(), response.headers())? {
        Some((algorithm, digest)) if algorithm.digest(response.body()) != digest => {
            Err(response_mismatch(algorithm))
        }
        _ => Ok(()),
    }
}

/// A reader of a streamed body that validates its checksum when it ends:
/// reading to the end returns an [`std::io::ErrorKind::InvalidData`] error
/// (a [`DigestError`] inside) instead of the end when the bytes read do not
/// have the checksum announced. Without a checksum to validate it reads
/// through.
#[derive(Debug)]
pub struct CheckedReader<R> {
    inner: R,
    check: Option<(Hasher, Vec<u8>)>,
}

impl<R: std::io::Read> CheckedReader<R> {
    /// Reads `inner`, validating its bytes against `expected` (an algorithm
    /// and its digest, from [`response_checksum`]) when there is one.
    pub fn new(inner: R, expected: Option<(ChecksumAlgorithm, Vec<u8>)>) -> Self {
        CheckedReader {
            inner,
            check: expected.map(|(algorithm, digest)| (Hasher::new(algorithm), digest)),
        }
    }
}

impl<R: std::io::Read> std::io::Read for CheckedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if buf.is_empty() {
            return Ok(n);
        }
        match &mut self.check {
            Some((hasher, _)) if n > 0 => hasher.update(buf.get(..n).unwrap_or_default()),
            Some(_) => {
                // The end: validated once; later reads see the end.
                if let Some((hasher, expected)) = self.check.take() {
                    let algorithm = hasher.algorithm();
                    if hasher.finish() != expected {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            response_mismatch(algorithm),
                        ));
                    }
                }
            }
            None => {}
        }
        Ok(n)
    }
}

// ---------------------------------------------------------------------------
// Hasher
// ---------------------------------------------------------------------------

/// A streaming checksum for one of the [`ChecksumAlgorithm`]s, chosen when
/// it is created.
///
/// Feeding a body to [`Hasher::update`] in pieces of any size gives the same
/// result as feeding it all at once.
#[derive(Debug, Clone)]
pub struct Hasher {
    /// The running state of the chosen algorithm.
    state: HasherState,
}

/// The running state of a [`Hasher`], one variant for each algorithm.
#[derive(Debug, Clone)]
enum HasherState {
    /// A running CRC32.
    Crc32(Crc32),
    /// A running CRC32C.
    Crc32c(Crc32c),
    /// A running CRC64NVME.
    Crc64Nvme(Crc64Nvme),
    /// A running SHA-1.
    Sha1(Sha1),
    /// A running SHA-256.
    Sha256(Sha256),
}

impl Hasher {
    /// Starts a checksum of an empty body with the given algorithm.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm {
            ChecksumAlgorithm::Crc32 => HasherState::Crc32(Crc32::new()),
            ChecksumAlgorithm::Crc32c => HasherState::Crc32c(Crc32c::new()),
            ChecksumAlgorithm::Crc64Nvme => HasherState::Crc64Nvme(Crc64Nvme::new()),
            ChecksumAlgorithm::Sha1 => HasherState::Sha1(Sha1::new()),
            ChecksumAlgorithm::Sha256 => HasherState::Sha256(Sha256::new()),
        };
        Hasher { state }
    }

    /// Returns the algorithm this hasher computes.
    pub fn algorithm(&self) -> ChecksumAlgorithm {
        match self.state {
            HasherState::Crc32(_) => ChecksumAlgorithm::Crc32,
            HasherState::Crc32c(_) => ChecksumAlgorithm::Crc32c,
            HasherState::Crc64Nvme(_) => ChecksumAlgorithm::Crc64Nvme,
            HasherState::Sha1(_) => ChecksumAlgorithm::Sha1,
            HasherState::Sha256(_) => ChecksumAlgorithm::Sha256,
        }
    }

    /// Adds the next piece of the body to the checksum.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.state {
            HasherState::Crc32(hasher) => hasher.update(bytes),
            HasherState::Crc32c(hasher) => hasher.update(bytes),
            HasherState::Crc64Nvme(hasher) => hasher.update(bytes),
            HasherState::Sha1(hasher) => hasher.update(bytes),
            HasherState::Sha256(hasher) => hasher.update(bytes),
        }
    }

    /// Returns the digest of everything added so far, with the CRCs written
    /// big-endian. Its length is the algorithm's
    /// [`ChecksumAlgorithm::digest_len`].
    pub fn finish(self) -> Vec<u8> {
        match self.state {
            HasherState::Crc32(hasher) => hasher.finish().to_be_bytes().to_vec(),
            HasherState::Crc32c(hasher) => hasher.finish().to_be_bytes().to_vec(),
            HasherState::Crc64Nvme(hasher) => hasher.finish().to_be_bytes().to_vec(),
            HasherState::Sha1(hasher) => hasher.finish().to_vec(),
            HasherState::Sha256(hasher) => hasher.finish().to_vec(),
        }
    }

    /// Returns the checksum header value for everything added so far: the
    /// base64 of [`Hasher::finish`].
    pub fn header_value(self) -> String {
        base64_encode(&self.finish())
    }
}

// ---------------------------------------------------------------------------
// Table-driven CRCs
// ---------------------------------------------------------------------------
//
// All three CRCs are "reflected": bits are taken least significant first, so
// the register shifts right and the polynomial is written bit-reversed. Each
// starts with all bits set and inverts all bits at the end.
//
// They are computed eight bytes at a time ("slicing by eight"): table `k`
// gives the effect on the register of a byte followed by `k` zero bytes, so
// eight table lookups, one for each byte of an eight-byte word, replace
// eight rounds of the byte-at-a-time loop. The tables are computed at
// compile time.

/// The number of tables used to process eight bytes at a time.
const SLICES: usize = 8;

/// Computes the eight lookup tables for a reflected 32-bit CRC with the
/// given bit-reversed polynomial.
const fn crc32_tables(poly: u32) -> [[u32; 256]; SLICES] {
    let mut tables = [[0u32; 256]; SLICES];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][byte] = crc;
        byte += 1;
    }
    let mut slice = 1;
    while slice < SLICES {
        let mut byte = 0;
        while byte < 256 {
            let previous = tables[slice - 1][byte];
            tables[slice][byte] = (previous >> 8) ^ tables[0][(previous & 0xFF) as usize];
            byte += 1;
        }
        slice += 1;
    }
    tables
}

/// Computes the eight lookup tables for a reflected 64-bit CRC with the
/// given bit-reversed polynomial.
const fn crc64_tables(poly: u64) -> [[u64; 256]; SLICES] {
    let mut tables = [[0u64; 256]; SLICES];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][byte] = crc;
        byte += 1;
    }
    let mut slice = 1;
    while slice < SLICES {
        let mut byte = 0;
        while byte < 256 {
            let previous = tables[slice - 1][byte];
            tables[slice][byte] = (previous >> 8) ^ tables[0][(previous & 0xFF) as usize];
            byte += 1;
        }
        slice += 1;
    }
    tables
}

/// Returns the table entry for the low eight bits of `value`.
fn lookup32(table: &[u32; 256], value: u32) -> u32 {
    table[(value & 0xFF) as usize]
}

/// Returns the table entry for the low eight bits of `value`.
fn lookup64(table: &[u64; 256], value: u64) -> u64 {
    table[(value & 0xFF) as usize]
}

/// Advances a reflected 32-bit CRC register over `bytes`, using tables made
/// by [`crc32_tables`]. The register is neither inverted first nor after.
fn crc32_update(tables: &[[u32; 256]; SLICES], mut crc: u32, bytes: &[u8]) -> u32 {
    let mut words = bytes.chunks_exact(SLICES);
    for word in &mut words {
        if let [b0, b1, b2, b3, b4, b5, b6, b7] = *word {
            let low = crc ^ u32::from_le_bytes([b0, b1, b2, b3]);
            crc = lookup32(&tables[7], low)
                ^ lookup32(&tables[6], low >> 8)
                ^ lookup32(&tables[5], low >> 16)
                ^ lookup32(&tables[4], low >> 24)
                ^ lookup32(&tables[3], u32::from(b4))
                ^ lookup32(&tables[2], u32::from(b5))
                ^ lookup32(&tables[1], u32::from(b6))
                ^ lookup32(&tables[0], u32::from(b7));
        }
    }
    for &byte in words.remainder() {
        crc = (crc >> 8) ^ lookup32(&tables[0], crc ^ u32::from(byte));
    }
    crc
}

/// Advances a reflected 64-bit CRC register over `bytes`, using tables made
/// by [`crc64_tables`]. The register is neither inverted first nor after.
fn crc64_update(tables: &[[u64; 256]; SLICES], mut crc: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(SLICES);
    for word in &mut words {
        if let [b0, b1, b2, b3, b4, b5, b6, b7] = *word {
            let value = crc ^ u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]);
            crc = lookup64(&tables[7], value)
                ^ lookup64(&tables[6], value >> 8)
                ^ lookup64(&tables[5], value >> 16)
                ^ lookup64(&tables[4], value >> 24)
                ^ lookup64(&tables[3], value >> 32)
                ^ lookup64(&tables[2], value >> 40)
                ^ lookup64(&tables[1], value >> 48)
                ^ lookup64(&tables[0], value >> 56);
        }
    }
    for &byte in words.remainder() {
        crc = (crc >> 8) ^ lookup64(&tables[0], crc ^ u64::from(byte));
    }
    crc
}

/// The bit-reversed form of the CRC-32 (IEEE 802.3) polynomial 0x04C11DB7.
const CRC32_POLY: u32 = 0xEDB8_8320;

/// The bit-reversed form of the CRC-32C (Castagnoli) polynomial 0x1EDC6F41.
const CRC32C_POLY: u32 = 0x82F6_3B78;

/// The bit-reversed form of the CRC-64/NVME polynomial 0xAD93D23594C93659.
const CRC64NVME_POLY: u64 = 0x9A6C_9329_AC4B_C9B5;

/// Lookup tables for CRC32.
static CRC32_TABLES: [[u32; 256]; SLICES] = crc32_tables(CRC32_POLY);

/// Lookup tables for CRC32C.
static CRC32C_TABLES: [[u32; 256]; SLICES] = crc32_tables(CRC32C_POLY);

/// Lookup tables for CRC64NVME.
static CRC64NVME_TABLES: [[u64; 256]; SLICES] = crc64_tables(CRC64NVME_POLY);

/// A streaming CRC32 (IEEE 802.3, the CRC of zlib and gzip). The checksum of
/// `123456789` is `0xCBF43926`.
#[derive(Debug, Clone)]
pub struct Crc32 {
    /// The CRC register, not yet inverted.
    register: u32,
}

impl Crc32 {
    /// Starts a CRC32 of an empty input.
    pub fn new() -> Self {
        Crc32 { register: !0 }
    }

    /// Adds the next bytes of the input.
    pub fn update(&mut self, bytes: &[u8]) {
        self.register = crc32_update(&CRC32_TABLES, self.register, bytes);
    }

    /// Returns the CRC32 of everything added so far.
    pub fn finish(self) -> u32 {
        !self.register
    }
}

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the CRC32 (IEEE 802.3) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut hasher = Crc32::new();
    hasher.update(bytes);
    hasher.finish()
}

/// A streaming CRC32C (Castagnoli). The checksum of `123456789` is
/// `0xE3069283`.
#[derive(Debug, Clone)]
pub struct Crc32c {
    /// The CRC register, not yet inverted.
    register: u32,
}

impl Crc32c {
    /// Starts a CRC32C of an empty input.
    pub fn new() -> Self {
        Crc32c { register: !0 }
    }

    /// Adds the next bytes of the input.
    pub fn update(&mut self, bytes: &[u8]) {
        self.register = crc32_update(&CRC32C_TABLES, self.register, bytes);
    }

    /// Returns the CRC32C of everything added so far.
    pub fn finish(self) -> u32 {
        !self.register
    }
}

impl Default for Crc32c {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the CRC32C (Castagnoli) of `bytes`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    let mut hasher = Crc32c::new();
    hasher.update(bytes);
    hasher.finish()
}

/// A streaming CRC64NVME (the CRC-64/NVME of the NVM Express
/// specification). The checksum of `123456789` is `0xAE8B14860A799888`.
#[derive(Debug, Clone)]
pub struct Crc64Nvme {
    /// The CRC register, not yet inverted.
    register: u64,
}

impl Crc64Nvme {
    /// Starts a CRC64NVME of an empty input.
    pub fn new() -> Self {
        Crc64Nvme { register: !0 }
    }

    /// Adds the next bytes of the input.
    pub fn update(&mut self, bytes: &[u8]) {
        self.register = crc64_update(&CRC64NVME_TABLES, self.register, bytes);
    }

    /// Returns the CRC64NVME of everything added so far.
    pub fn finish(self) -> u64 {
        !self.register
    }
}

impl Default for Crc64Nvme {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the CRC64NVME of `bytes`.
pub fn crc64nvme(bytes: &[u8]) -> u64 {
    let mut hasher = Crc64Nvme::new();
    hasher.update(bytes);
    hasher.finish()
}

// ---------------------------------------------------------------------------
// Block buffering shared by MD5, SHA-1 and SHA-256
// ---------------------------------------------------------------------------

/// The size in bytes of the blocks that MD5, SHA-1 and SHA-256 process.
const BLOCK_LEN: usize = 64;

/// The offset within the last block at which the message length is written.
const LENGTH_OFFSET: usize = BLOCK_LEN - 8;

/// Collects input into 64-byte blocks for MD5, SHA-1 and SHA-256, and counts
/// the input's length.
#[derive(Debug, Clone)]
struct BlockBuffer {
    /// The start of a block not yet complete.
    pending: [u8; BLOCK_LEN],
    /// How many bytes of `pending` are filled; always below [`BLOCK_LEN`].
    filled: usize,
    /// The number of input bytes seen so far, modulo 2^64.
    total: u64,
}

impl BlockBuffer {
    /// Returns an empty buffer.
    fn new() -> Self {
        BlockBuffer {
            pending: [0; BLOCK_LEN],
            filled: 0,
            total: 0,
        }
    }

    /// Adds `bytes` to the input, calling `compress` for each block that is
    /// completed, in order.
    fn update(&mut self, mut bytes: &[u8], mut compress: impl FnMut(&[u8; BLOCK_LEN])) {
        // `usize` is at most 64 bits wide on every supported target; the
        // length counter wraps, as the message length does in the padding.
        self.total = self.total.wrapping_add(bytes.len() as u64);
        if self.filled > 0 {
            let take = bytes.len().min(BLOCK_LEN - self.filled);
            let (head, rest) = bytes.split_at(take);
            if let Some(space) = self.pending.get_mut(self.filled..self.filled + take) {
                space.copy_from_slice(head);
            }
            self.filled += take;
            bytes = rest;
            if self.filled < BLOCK_LEN {
                return;
            }
            compress(&self.pending);
            self.filled = 0;
        }
        let mut blocks = bytes.chunks_exact(BLOCK_LEN);
        for block in &mut blocks {
            if let Ok(block) = <&[u8; BLOCK_LEN]>::try_from(block) {
                compress(block);
            }
        }
        let rest = blocks.remainder();
        if let Some(space) = self.pending.get_mut(..rest.len()) {
            space.copy_from_slice(rest);
        }
        self.filled = rest.len();
    }

    /// Pads the input as MD5 and SHA do (a one bit, zero bits, then the
    /// input's length in bits in eight bytes), calling `compress` for the
    /// last one or two blocks. `length` turns the length in bits into its
    /// eight-byte form: little-endian for MD5, big-endian for SHA.
    fn finish(
        mut self,
        length: impl FnOnce(u64) -> [u8; 8],
        mut compress: impl FnMut(&[u8; BLOCK_LEN]),
    ) {
        let bits = length(self.total.wrapping_mul(8));
        let mut padding = [0u8; BLOCK_LEN];
        padding[0] = 0x80;
        let padding_len = if self.filled < LENGTH_OFFSET {
            LENGTH_OFFSET - self.filled
        } else {
            BLOCK_LEN + LENGTH_OFFSET - self.filled
        };
        let padding = padding.get(..padding_len).unwrap_or(&[]);
        self.update(padding, &mut compress);
        self.update(&bits, &mut compress);
    }
}

// ---------------------------------------------------------------------------
// MD5 (RFC 1321)
// ---------------------------------------------------------------------------

/// The MD5 per-step constants: the integer part of 2^32 times the absolute
/// value of the sine of each step number (counted from one, in radians).
const MD5_K: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

/// The MD5 left-rotation amounts, four for each of the four rounds.
const MD5_SHIFTS: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// The MD5 state before any input.
const MD5_INITIAL: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// Runs the MD5 compression function over one 64-byte block.
fn md5_compress(state: &mut [u32; 4], block: &[u8; BLOCK_LEN]) {
    let mut words = [0u32; 16];
    for (word, bytes) in words.iter_mut().zip(block.chunks_exact(4)) {
        if let [b0, b1, b2, b3] = *bytes {
            *word = u32::from_le_bytes([b0, b1, b2, b3]);
        }
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for (step, &constant) in MD5_K.iter().enumerate() {
        let round = step / 16;
        let (mix, index) = match round {
            0 => ((b & c) | (!b & d), step),
            1 => ((d & b) | (!d & c), 5 * step + 1),
            2 => (b ^ c ^ d, 3 * step + 5),
            _ => (c ^ (b | !d), 7 * step),
        };
        let shift = MD5_SHIFTS[round % 4][step % 4];
        let sum = mix
            .wrapping_add(a)
            .wrapping_add(constant)
            .wrapping_add(words[index % 16]);
        a = d;
        d = c;
        c = b;
        b = b.wrapping_add(sum.rotate_left(shift));
    }
    for (value, added) in state.iter_mut().zip([a, b, c, d]) {
        *value = value.wrapping_add(added);
    }
}

/// A streaming MD5 digest (RFC 1321), as used for the `Content-MD5` header.
///
/// MD5 is broken as a cryptographic hash; S3 uses it only to detect
/// accidental corruption.
#[derive(Debug, Clone)]
pub struct Md5 {
    /// The four 32-bit state words.
    state: [u32; 4],
    /// Input not yet compressed, and the input length.
    buffer: BlockBuffer,
}

impl Md5 {
    /// Starts an MD5 digest of an empty input.
    pub fn new() -> Self {
        Md5 {
            state: MD5_INITIAL,
            buffer: BlockBuffer::new(),
        }
    }

    /// Adds the next bytes of the input.
    pub fn update(&mut self, bytes: &[u8]) {
        let state = &mut self.state;
        self.buffer
            .update(bytes, |block| md5_compress(state, block));
    }

    /// Returns the 16-byte MD5 digest of everything added so far.
    pub fn finish(self) -> [u8; 16] {
        let mut state = self.state;
        self.buffer
            .finish(u64::to_le_bytes, |block| md5_compress(&mut state, block));
        let mut digest = [0u8; 16];
        for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
        digest
    }

    /// Returns the `Content-MD5` header value for everything added so far:
    /// the base64 of [`Md5::finish`].
    pub fn header_value(self) -> String {
        base64_encode(&self.finish())
    }
}

impl Default for Md5 {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the 16-byte MD5 digest (RFC 1321) of `bytes`.
pub fn md5(bytes: &[u8]) -> [u8; 16] {
    let mut hasher = Md5::new();
    hasher.update(bytes);
    hasher.finish()
}

// ---------------------------------------------------------------------------
// SHA-1 (FIPS 180-4)
// ---------------------------------------------------------------------------

/// The SHA-1 state before any input.
const SHA1_INITIAL: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];

/// Runs the SHA-1 compression function over one 64-byte block.
fn sha1_compress(state: &mut [u32; 5], block: &[u8; BLOCK_LEN]) {
    let mut schedule = [0u32; 80];
    for (word, bytes) in schedule.iter_mut().zip(block.chunks_exact(4)) {
        if let [b0, b1, b2, b3] = *bytes {
            *word = u32::from_be_bytes([b0, b1, b2, b3]);
        }
    }
    for t in 16..80 {
        schedule[t] = (schedule[t - 3] ^ schedule[t - 8] ^ schedule[t - 14] ^ schedule[t - 16])
            .rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for (t, &word) in schedule.iter().enumerate() {
        let (mix, constant) = match t / 20 {
            0 => ((b & c) | (!b & d), 0x5a82_7999),
            1 => (b ^ c ^ d, 0x6ed9_eba1),
            2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
            _ => (b ^ c ^ d, 0xca62_c1d6),
        };
        let temp = a
            .rotate_left(5)
            .wrapping_add(mix)
            .wrapping_add(e)
            .wrapping_add(constant)
            .wrapping_add(word);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = temp;
    }
    for (value, added) in state.iter_mut().zip([a, b, c, d, e]) {
        *value = value.wrapping_add(added);
    }
}

/// A streaming SHA-1 digest (FIPS 180-4).
#[derive(Debug, Clone)]
pub struct Sha1 {
    /// The five 32-bit state words.
    state: [u32; 5],
    /// Input not yet compressed, and the input length.
    buffer: BlockBuffer,
}

impl Sha1 {
    /// Starts a SHA-1 digest of an empty input.
    pub fn new() -> Self {
        Sha1 {
            state: SHA1_INITIAL,
            buffer: BlockBuffer::new(),
        }
    }

    /// Adds the next bytes of the input.
    pub fn update(&mut self, bytes: &[u8]) {
        let state = &mut self.state;
        self.buffer
            .update(bytes, |block| sha1_compress(state, block));
    }

    /// Returns the 20-byte SHA-1 digest of everything added so far.
    pub fn finish(self) -> [u8; 20] {
        let mut state = self.state;
        self.buffer
            .finish(u64::to_be_bytes, |block| sha1_compress(&mut state, block));
        let mut digest = [0u8; 20];
        for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

impl Default for Sha1 {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the 20-byte SHA-1 digest (FIPS 180-4) of `bytes`.
pub fn sha1(bytes: &[u8]) -> [u8; 20] {
    let mut hasher = Sha1::new();
    hasher.update(bytes);
    hasher.finish()
}

// ---------------------------------------------------------------------------
// SHA-256 (FIPS 180-4)
// ---------------------------------------------------------------------------

/// The SHA-256 round constants: the first 32 bits of the fractional parts
/// of the cube roots of the first 64 primes.
const SHA256_K: [u32; 64] = [
    0x428a_2f98,
    0x7137_4491,
    0xb5c0_fbcf,
    0xe9b5_dba5,
    0x3956_c25b,
    0x59f1_11f1,
    0x923f_82a4,
    0xab1c_5ed5,
    0xd807_aa98,
    0x1283_5b01,
    0x2431_85be,
    0x550c_7dc3,
    0x72be_5d74,
    0x80de_b1fe,
    0x9bdc_06a7,
    0xc19b_f174,
    0xe49b_69c1,
    0xefbe_4786,
    0x0fc1_9dc6,
    0x240c_a1cc,
    0x2de9_2c6f,
    0x4a74_84aa,
    0x5cb0_a9dc,
    0x76f9_88da,
    0x983e_5152,
    0xa831_c66d,
    0xb003_27c8,
    0xbf59_7fc7,
    0xc6e0_0bf3,
    0xd5a7_9147,
    0x06ca_6351,
    0x1429_2967,
    0x27b7_0a85,
    0x2e1b_2138,
    0x4d2c_6dfc,
    0x5338_0d13,
    0x650a_7354,
    0x766a_0abb,
    0x81c2_c92e,
    0x9272_2c85,
    0xa2bf_e8a1,
    0xa81a_664b,
    0xc24b_8b70,
    0xc76c_51a3,
    0xd192_e819,
    0xd699_0624,
    0xf40e_3585,
    0x106a_a070,
    0x19a4_c116,
    0x1e37_6c08,
    0x2748_774c,
    0x34b0_bcb5,
    0x391c_0cb3,
    0x4ed8_aa4a,
    0x5b9c_ca4f,
    0x682e_6ff3,
    0x748f_82ee,
    0x78a5_636f,
    0x84c8_7814,
    0x8cc7_0208,
    0x90be_fffa,
    0xa450_6ceb,
    0xbef9_a3f7,
    0xc671_78f2,
];

/// The SHA-256 state before any input: the first 32 bits of the fractional
/// parts of the square roots of the first eight primes.
const SHA256_INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Runs the SHA-256 compression function over one 64-byte block.
fn sha256_compress(state: &mut [u32; 8], block: &[u8; BLOCK_LEN]) {
    let mut schedule = [0u32; 64];
    for (word, bytes) in schedule.iter_mut().zip(block.chunks_exact(4)) {
        if let [b0, b1, b2, b3] = *bytes {
            *word = u32::from_be_bytes([b0, b1, b2, b3]);
        }
    }
    for t in 16..64 {
        let w15 = schedule[t - 15];
        let w2 = schedule[t - 2];
        let sigma0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
        let sigma1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
        schedule[t] = schedule[t - 16]
            .wrapping_add(sigma0)
            .wrapping_add(schedule[t - 7])
            .wrapping_add(sigma1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (&word, &constant) in schedule.iter().zip(SHA256_K.iter()) {
        let big_sigma1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let choose = (e & f) ^ (!e & g);
        let temp1 = h
            .wrapping_add(big_sigma1)
            .wrapping_add(choose)
            .wrapping_add(constant)
            .wrapping_add(word);
        let big_sigma0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let majority = (a & b) ^ (a & c) ^ (b & c);
        let temp2 = big_sigma0.wrapping_add(majority);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(temp1);
        d = c;
        c = b;
        b = a;
        a = temp1.wrapping_add(temp2);
    }
    for (value, added) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *value = value.wrapping_add(added);
    }
}

/// A streaming SHA-256 digest (FIPS 180-4).
#[derive(Debug, Clone)]
pub struct Sha256 {
    /// The eight 32-bit state words.
    state: [u32; 8],
    /// Input not yet compressed, and the input length.
    buffer: BlockBuffer,
}

impl Sha256 {
    /// Starts a SHA-256 digest of an empty input.
    pub fn new() -> Self {
        Sha256 {
            state: SHA256_INITIAL,
            buffer: BlockBuffer::new(),
        }
    }

    /// Adds the next bytes of the input.
    pub fn update(&mut self, bytes: &[u8]) {
        let state = &mut self.state;
        self.buffer
            .update(bytes, |block| sha256_compress(state, block));
    }

    /// Returns the 32-byte SHA-256 digest of everything added so far.
    pub fn finish(self) -> [u8; 32] {
        let mut state = self.state;
        self.buffer
            .finish(u64::to_be_bytes, |block| sha256_compress(&mut state, block));
        let mut digest = [0u8; 32];
        for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        digest
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns the 32-byte SHA-256 digest (FIPS 180-4) of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hasher.finish()
}
