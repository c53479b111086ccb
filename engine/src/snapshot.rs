//! The snapshot file format: everything the engine needs, in one versioned blob,
//! laid out in the order a visitor's browser needs it.
//!
//! ```text
//! offset  size  field
//! 0       8     magic  b"ADSNAP\0\x01"
//! 8       4     format version, u32 little-endian
//! 12      8     FNV-1a 64 checksum of the body (all that follows), u64 little-endian
//! 20      8     body length in bytes, u64 little-endian
//! 28      8     core length C in bytes, u64 little-endian
//! 36      8     FNV-1a 64 checksum of the core, u64 little-endian
//! 44      C     core: bincode 2 (standard config) of header fields, entries, lexical
//!               index, term classifier (optional), scoring parameters, classifier and
//!               dense shares, calibration and thresholds per ranker, synonyms
//! 44+C    ...   dense section: bincode 2 of the dense index (token table and counts;
//!               optional)
//! ```
//!
//! The fixed frame lets [`Snapshot::from_bytes`] tell a foreign file, a snapshot
//! from another engine version, a truncated download and a corrupted one apart
//! before decoding anything, and say so in words a site owner can act on. The body
//! holds only `Vec`s and structs, so the same input always encodes to the same bytes.
//! Any change to the body's types must bump [`FORMAT_VERSION`]; `engine/tests/golden.rs`
//! fails when the bytes of a fixed build change while the version stays.
//!
//! The core comes first and has its own length and checksum because the dense section is
//! most of the file (the demo's: 2.4 of 3 MB): [`Snapshot::core_from_prefix`] reads a
//! download as soon as its core is in, and the engine answers with the lexical ranker's own
//! calibration and thresholds (fitted at build like the fused ones) until the rest arrives.
//!
//! Decoding is the query side's; encoding (`Snapshot::to_bytes`) is compiled only
//! with the feature `build`.

use serde::{Deserialize, Serialize};

use crate::analysis::Synonyms;
use crate::decision::Thresholds;
use crate::index::{DenseIndex, LexicalIndex, Scoring, TermClassifier};
use crate::kb::Entry;
use crate::rank::{PerRanker, Ranker};
use crate::search::Shares;

/// Identifies an Answerdesk snapshot file.
pub const MAGIC: [u8; 8] = *b"ADSNAP\0\x01";
/// Version of the body layout this engine reads and writes. Format 7 has format 6's
/// layout; its dense token counts are weighed `ln((N+1)/(df+1))` and its term
/// classifier trained with `C` = 2 (issue 14), so a format-6 snapshot, calibrated
/// under the old weights, must be rebuilt rather than read with the new ones.
pub const FORMAT_VERSION: u32 = 7;
const FRAME_LEN: usize = 8 + 4 + 8 + 8;
/// The frame and the core's length and checksum: where the core starts.
const CORE_AT: usize = FRAME_LEN + 8 + 8;
/// Upper bound on what decoding may allocate, against crafted length prefixes.
#[cfg(any(test, feature = "build"))]
const DECODE_LIMIT: usize = 1 << 30;

/// Facts about a snapshot, readable without the knowledge base (`kb info`, `/healthz`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Layout version of the file; see [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Version of the engine crate that built it.
    pub engine_version: String,
    /// When it was built, in unix seconds, as given in the build options.
    pub build_time: u64,
    /// FNV-1a 64 of the body; changes whenever anything in the snapshot changes,
    /// so it doubles as a cache key.
    pub checksum: u64,
    /// Number of entries.
    pub entry_count: u32,
    /// Distinct entry locales, sorted.
    pub locales: Vec<String>,
}

/// Why bytes could not be read as a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The magic bytes are missing: some other file was served or picked.
    #[error("this file is not an Answerdesk snapshot (build one with `answerdesk kb build`)")]
    NotASnapshot,
    /// Built by an engine with another layout; needs a rebuild.
    #[error(
        "snapshot format version {found} is not supported by this engine (it reads version \
         {supported}); rebuild the snapshot with the matching `answerdesk kb build`"
    )]
    UnsupportedVersion {
        /// Version in the file.
        found: u32,
        /// Version this engine reads.
        supported: u32,
    },
    /// The body does not match its checksum: damaged on disk or in transit.
    #[error("the snapshot is corrupted (checksum mismatch); rebuild or download it again")]
    Corrupt,
    /// Shorter than its frame says: an interrupted write or download.
    #[error("the snapshot is incomplete (the file was cut short); rebuild or download it again")]
    Truncated,
    /// Intact but not decodable by this engine; a bug or a forged file.
    #[error("the snapshot could not be decoded: {0}")]
    Decode(String),
}

/// What bincode found wrong with a body (the tests' serde decoding; see [`Reader`]). Not its `Display`, which prints its derived `Debug` and
/// reaches `std::io::Error`'s: formatting it added about 3 KiB (brotli) to every visitor's wasm.
#[cfg(test)]
fn decode_problem(error: bincode::error::DecodeError) -> String {
    use bincode::error::DecodeError;
    match error {
        DecodeError::UnexpectedEnd { .. } => "the body ends early".into(),
        DecodeError::UnexpectedVariant { type_name, .. } => {
            format!("an unknown variant of {type_name}")
        }
        DecodeError::OtherString(problem) => problem,
        _ => "the body does not fit this engine's layout".into(),
    }
}

/// A built knowledge base: entries plus everything needed to search them.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub(crate) header: Header,
    pub(crate) body: Body,
}

/// The serialized part of a snapshot (the checksum lives in the frame).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Body {
    pub engine_version: String,
    pub build_time: u64,
    pub locales: Vec<String>,
    pub entries: Vec<Entry>,
    pub index: LexicalIndex,
    pub classifier: Option<TermClassifier>,
    pub scoring: Scoring,
    pub classifier_share: f32,
    pub dense_share: f32,
    pub rankers: PerRanker,
    /// Applied to questions as they were to the knowledge base (format 5).
    pub synonyms: Synonyms,
    /// Encoded after the core, as a section of its own (format 6).
    #[serde(skip)]
    pub dense: Option<DenseIndex>,
}

#[cfg(any(test, feature = "build"))]
fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<DECODE_LIMIT>()
}

/// The encoder: build-side, so the visitor's engine only decodes.
#[cfg(feature = "build")]
impl Snapshot {
    /// Assembles a snapshot, computing the header from the body.
    pub(crate) fn from_body(body: Body) -> Snapshot {
        let encoded = encode_body(&body);
        let header = Header {
            format_version: FORMAT_VERSION,
            engine_version: body.engine_version.clone(),
            build_time: body.build_time,
            checksum: fnv1a64(&encoded),
            entry_count: body.entries.len() as u32,
            locales: body.locales.clone(),
        };
        Snapshot { header, body }
    }

    /// The file contents: frame and body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let body = encode_body(&self.body);
        let mut out = Vec::with_capacity(FRAME_LEN + body.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&fnv1a64(&body).to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }
}

impl Snapshot {
    /// Reads a snapshot, refusing anything that is not exactly what an engine of
    /// this format version wrote. Never panics, whatever the input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        let frame = Frame::read(bytes)?;
        let body = &bytes[FRAME_LEN..];
        if (body.len() as u64) < frame.body_len {
            return Err(SnapshotError::Truncated);
        }
        if body.len() as u64 != frame.body_len {
            return Err(SnapshotError::Decode(format!(
                "{} unexpected bytes after the body",
                body.len() as u64 - frame.body_len
            )));
        }
        if fnv1a64(body) != frame.checksum {
            return Err(SnapshotError::Corrupt);
        }
        let (core, dense_section) = frame.split(bytes)?;
        let mut snapshot = frame.decode_core(core)?;
        snapshot.body.dense = decode_whole(dense_section)?;
        snapshot.body.validate()?;
        Ok(snapshot)
    }

    /// The snapshot without its dense index, from the first bytes of a download: `Ok(None)`
    /// while its core has not all arrived, then the core, checked against its own checksum.
    /// A snapshot read this way ranks like the whole with [`crate::Ranker::Lexical`].
    pub fn core_from_prefix(bytes: &[u8]) -> Result<Option<Snapshot>, SnapshotError> {
        if MAGIC.starts_with(bytes) {
            return Ok(None);
        }
        let frame = match Frame::read(bytes) {
            Err(SnapshotError::Truncated) => return Ok(None),
            other => other?,
        };
        match frame.split(bytes) {
            Err(SnapshotError::Truncated) => Ok(None),
            Err(err) => Err(err),
            Ok((core, _)) => {
                let mut snapshot = frame.decode_core(core)?;
                snapshot.body.validate()?;
                Ok(Some(snapshot))
            }
        }
    }

    /// How many of a snapshot file's first bytes hold its frame and core: what a download
    /// needs before [`Snapshot::core_from_prefix`] can answer (for size reports).
    pub fn core_end(bytes: &[u8]) -> Result<usize, SnapshotError> {
        let frame = Frame::read(bytes)?;
        let (core, _) = frame.split(bytes)?;
        Ok(CORE_AT + core.len())
    }

    /// Facts about the snapshot.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The knowledge base, in build order; [`crate::Candidate::entry`] indexes it.
    pub fn entries(&self) -> &[Entry] {
        &self.body.entries
    }

    /// The decision thresholds chosen at build time (or given in the build
    /// options) for the default, fused ranker.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds_for(Ranker::Fused)
    }

    /// The decision thresholds of `ranker`.
    pub fn thresholds_for(&self, ranker: Ranker) -> Thresholds {
        self.body.rankers.get(ranker).thresholds
    }

    /// Whether the snapshot carries a dense index (a token table was given to the build).
    pub fn has_dense(&self) -> bool {
        self.body.dense.is_some()
    }

    /// Whether the dense index maps its vectors by a projection learned from the alternates.
    pub fn has_projection(&self) -> bool {
        self.body
            .dense
            .as_ref()
            .is_some_and(|d| d.projection().is_some())
    }

    /// Approximate bytes the dense index adds to the snapshot, if it has one.
    pub fn dense_table_bytes(&self) -> Option<usize> {
        self.body.dense.as_ref().map(|d| d.table().byte_size())
    }

    /// Share of the dense score in the fused score, chosen at build time.
    pub fn dense_share(&self) -> f32 {
        self.body.dense_share
    }

    /// Whether the snapshot carries a [`TermClassifier`] (the build keeps one only
    /// when held-out phrasings show a gain), and its stored weights.
    pub fn classifier_weights(&self) -> Option<usize> {
        self.body
            .classifier
            .as_ref()
            .map(TermClassifier::weight_count)
    }

    /// Share of the classifier's score in the lexical score, chosen at build time.
    pub fn classifier_share(&self) -> f32 {
        self.body.classifier_share
    }

    pub(crate) fn shares(&self) -> Shares {
        Shares {
            dense: self.body.dense_share,
            classifier: self.body.classifier_share,
        }
    }
}

/// The fixed fields at the start of a file, read and checked before anything is decoded.
struct Frame {
    version: u32,
    checksum: u64,
    body_len: u64,
}

impl Frame {
    fn read(bytes: &[u8]) -> Result<Frame, SnapshotError> {
        if bytes.len() < MAGIC.len() {
            return Err(if MAGIC.starts_with(bytes) && !bytes.is_empty() {
                SnapshotError::Truncated
            } else {
                SnapshotError::NotASnapshot
            });
        }
        if bytes[..8] != MAGIC {
            return Err(SnapshotError::NotASnapshot);
        }
        if bytes.len() < 12 {
            return Err(SnapshotError::Truncated);
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(SnapshotError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if bytes.len() < FRAME_LEN {
            return Err(SnapshotError::Truncated);
        }
        Ok(Frame {
            version,
            checksum: u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes")),
            body_len: u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes")),
        })
    }

    /// The core (checked against its checksum) and what follows it, of `bytes` so far.
    fn split<'a>(&self, bytes: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), SnapshotError> {
        if bytes.len() < CORE_AT {
            return Err(SnapshotError::Truncated);
        }
        let core_len = u64::from_le_bytes(bytes[28..36].try_into().expect("8 bytes"));
        let core_checksum = u64::from_le_bytes(bytes[36..44].try_into().expect("8 bytes"));
        // A forged length near `u64::MAX` must be refused here, not overflow below.
        let core_end = (CORE_AT as u64).checked_add(core_len);
        let Some(core_end) = core_end.filter(|_| core_len <= self.body_len.saturating_sub(16))
        else {
            return Err(SnapshotError::Decode(
                "the core is longer than the body".into(),
            ));
        };
        if (bytes.len() as u64) < core_end {
            return Err(SnapshotError::Truncated);
        }
        let (core, rest) = bytes[CORE_AT..].split_at(core_len as usize);
        if fnv1a64(core) != core_checksum {
            return Err(SnapshotError::Corrupt);
        }
        Ok((core, rest))
    }

    /// The snapshot the core describes, without a dense index.
    fn decode_core(&self, core: &[u8]) -> Result<Snapshot, SnapshotError> {
        let body: Body = decode_whole(core)?;
        let header = Header {
            format_version: self.version,
            engine_version: body.engine_version.clone(),
            build_time: body.build_time,
            checksum: self.checksum,
            entry_count: body.entries.len() as u32,
            locales: body.locales.clone(),
        };
        Ok(Snapshot { header, body })
    }
}

/// A value that must take exactly `bytes`, read by [`Decode`].
fn decode_whole<T: Decode>(bytes: &[u8]) -> Result<T, SnapshotError> {
    let mut reader = Reader { bytes };
    let value = T::decode(&mut reader)?;
    if !reader.bytes.is_empty() {
        return Err(SnapshotError::Decode("trailing bytes in the body".into()));
    }
    Ok(value)
}

/// A value that must take exactly `bytes`, read by serde through bincode: what the encoder
/// wrote, and so what [`Decode`] must agree with (held to it by the tests).
#[cfg(test)]
fn decode_whole_serde<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, SnapshotError> {
    let (value, read): (T, usize) = bincode::serde::decode_from_slice(bytes, config())
        .map_err(|e| SnapshotError::Decode(decode_problem(e)))?;
    if read != bytes.len() {
        return Err(SnapshotError::Decode("trailing bytes in the body".into()));
    }
    Ok(value)
}

/// The reading side of bincode 2's standard configuration, by hand, for exactly the types of a
/// snapshot body: integers above 8 bits as varints (under 251 in one byte, else a marker byte
/// 251/252/253 and 2/4/8 little-endian bytes), `u8`/`i8` as one byte, `f32` as 4 little-endian
/// bytes, lengths as `u64` varints, an `Option` as a 0/1 byte and then the value, structs,
/// tuples and arrays as their fields in order. `Snapshot::to_bytes` still encodes with bincode
/// and serde, natively.
///
/// Why by hand: serde's generic visitors, monomorphized through bincode for every type of the
/// body, were the largest code in the visitor's wasm (about 26 KB before wasm-opt); this reader
/// is a fraction of it, and every visitor downloads it. It never panics and allocates at most
/// what the input's own bytes can fill: each length is checked against what is left first.
struct Reader<'a> {
    bytes: &'a [u8],
}

fn malformed() -> SnapshotError {
    SnapshotError::Decode("the body does not fit this engine's layout".into())
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        if n > self.bytes.len() {
            return Err(SnapshotError::Decode("the body ends early".into()));
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }

    /// An unsigned varint of at most `max` (`u16::MAX`, `u32::MAX` or `u64::MAX`).
    fn varint(&mut self, max: u64) -> Result<u64, SnapshotError> {
        let width = match self.byte()? {
            small @ 0..=250 => return Ok(small.into()),
            251 => 2,
            252 if max > u16::MAX as u64 => 4,
            253 if max > u32::MAX as u64 => 8,
            _ => return Err(malformed()),
        };
        let mut le = [0u8; 8];
        le[..width].copy_from_slice(self.take(width)?);
        Ok(u64::from_le_bytes(le))
    }

    /// A length, of items taking at least `item_bytes` each: never more than what is left can
    /// hold, so a forged length cannot make a large allocation.
    fn len(&mut self, item_bytes: usize) -> Result<usize, SnapshotError> {
        let n = self.varint(u64::MAX)?;
        if n > (self.bytes.len() / item_bytes.max(1)) as u64 {
            return Err(SnapshotError::Decode("the body ends early".into()));
        }
        Ok(n as usize)
    }

    fn vec<T: Decode>(&mut self) -> Result<Vec<T>, SnapshotError> {
        let n = self.len(T::MIN_BYTES)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(T::decode(self)?);
        }
        Ok(items)
    }
}

/// A type of the snapshot body, read as bincode wrote it through serde (see [`Reader`]).
trait Decode: Sized {
    /// The fewest bytes one value takes, to bound lengths by the input.
    const MIN_BYTES: usize = 1;
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError>;
}

impl Decode for u16 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        Ok(r.varint(u16::MAX.into())? as u16)
    }
}

impl Decode for u32 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        Ok(r.varint(u32::MAX.into())? as u32)
    }
}

impl Decode for u64 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        r.varint(u64::MAX)
    }
}

impl Decode for i8 {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        Ok(r.byte()? as i8)
    }
}

impl Decode for f32 {
    const MIN_BYTES: usize = 4;
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        let mut le = [0u8; 4];
        le.copy_from_slice(r.take(4)?);
        Ok(f32::from_le_bytes(le))
    }
}

impl Decode for String {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        let n = r.len(1)?;
        String::from_utf8(r.take(n)?.to_vec())
            .map_err(|_| SnapshotError::Decode("a text is not UTF-8".into()))
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        r.vec()
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        match r.byte()? {
            0 => Ok(None),
            1 => T::decode(r).map(Some),
            _ => Err(malformed()),
        }
    }
}

impl<T: Decode + Copy + Default, const N: usize> Decode for [T; N] {
    const MIN_BYTES: usize = N * T::MIN_BYTES;
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        let mut items = [T::default(); N];
        for item in &mut items {
            *item = T::decode(r)?;
        }
        Ok(items)
    }
}

impl<A: Decode, B: Decode> Decode for (A, B) {
    const MIN_BYTES: usize = A::MIN_BYTES + B::MIN_BYTES;
    fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
        Ok((A::decode(r)?, B::decode(r)?))
    }
}

/// `Decode` for a struct: its fields in declaration order, as serde derives them; fields not
/// named are `#[serde(skip)]`ped and take their default.
macro_rules! decode_struct {
    ($($ty:ty { $($field:ident),* $(; $($skipped:ident),*)? })*) => {$(
        impl Decode for $ty {
            fn decode(r: &mut Reader<'_>) -> Result<Self, SnapshotError> {
                Ok(Self {
                    $($field: Decode::decode(r)?,)*
                    $($($skipped: Default::default(),)*)?
                })
            }
        }
    )*};
}

decode_struct! {
    Body { engine_version, build_time, locales, entries, index, classifier, scoring,
        classifier_share, dense_share, rankers, synonyms; dense }
    Entry { id, locale, question, alternates, answer_html, answer_text, category, tags, links }
    crate::kb::Link { title, url }
    LexicalIndex { terms, phrasing_postings, field_postings, phrasing_entry, phrasing_len,
        field_len, avg_phrasing_len, avg_field_len }
    crate::index::lexical::PhrasingPosting { phrasing, tf }
    crate::index::lexical::FieldPosting { entry, tf }
    TermClassifier { counts, entries, values, bias, scale; starts }
    Scoring { k1, b, field_weights, field_b, phrasing_share, vote_k, vote_share, typo_discount }
    PerRanker { lexical, dense, fused }
    crate::rank::Tuned { calibration, thresholds }
    crate::rank::Calibration { bias, weights }
    Thresholds { answer, clarify, margin, lead }
    Synonyms { stems, phrases }
    DenseIndex { table, counts, total, projection }
    crate::index::TokenTable { dims, tokens, scales, rows }
    crate::index::projection::Projection { dims, mean, matrix }
}

impl Body {
    /// Checks the invariants the engine relies on when indexing into vectors, so a
    /// well-formed but inconsistent body is an error rather than a panic later.
    fn validate(&mut self) -> Result<(), SnapshotError> {
        self.index
            .check(self.entries.len())
            .map_err(|problem| SnapshotError::Decode(format!("inconsistent index: {problem}")))?;
        if let Some(classifier) = &mut self.classifier {
            classifier.check(&self.index).map_err(|problem| {
                SnapshotError::Decode(format!("inconsistent classifier: {problem}"))
            })?;
        }
        self.synonyms.check().map_err(SnapshotError::Decode)?;
        if let Some(dense) = &self.dense {
            dense.check().map_err(|problem| {
                SnapshotError::Decode(format!("inconsistent dense index: {problem}"))
            })?;
        }
        Ok(())
    }
}

/// Everything after the frame: the core's length and checksum, the core, the dense section.
#[cfg(feature = "build")]
fn encode_body(body: &Body) -> Vec<u8> {
    let core =
        bincode::serde::encode_to_vec(body, config()).expect("snapshot bodies always encode");
    let dense =
        bincode::serde::encode_to_vec(&body.dense, config()).expect("dense indexes always encode");
    let mut out = Vec::with_capacity(16 + core.len() + dense.len());
    out.extend_from_slice(&(core.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(&core).to_le_bytes());
    out.extend_from_slice(&core);
    out.extend_from_slice(&dense);
    out
}

/// FNV-1a, 64-bit: tiny, dependency-free, and enough to catch accidental corruption
/// (it is not a defence against tampering; snapshots are served by the site owner).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Holds the hand-written [`Reader`] to what serde and bincode read from the same file: the
/// same body and dense index, and an error wherever the core is cut short.
#[cfg(test)]
pub(crate) fn assert_decodes_like_serde(file: &[u8]) {
    let frame = Frame::read(file).unwrap();
    let (core, dense) = frame.split(file).unwrap();
    let body: Body = decode_whole(core).unwrap();
    assert_eq!(body, decode_whole_serde::<Body>(core).unwrap());
    let dense_index: Option<DenseIndex> = decode_whole(dense).unwrap();
    assert_eq!(
        dense_index,
        decode_whole_serde::<Option<DenseIndex>>(dense).unwrap()
    );
    for cut in (0..core.len()).step_by(core.len() / 97 + 1) {
        assert!(decode_whole::<Body>(&core[..cut]).is_err(), "cut at {cut}");
    }
}
