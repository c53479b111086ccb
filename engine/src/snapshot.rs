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
/// Version of the body layout this engine reads and writes.
pub const FORMAT_VERSION: u32 = 6;
const FRAME_LEN: usize = 8 + 4 + 8 + 8;
/// The frame and the core's length and checksum: where the core starts.
const CORE_AT: usize = FRAME_LEN + 8 + 8;
/// Upper bound on what decoding may allocate, against crafted length prefixes.
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

/// What bincode found wrong with a body. Not its `Display`, which prints its derived `Debug` and
/// reaches `std::io::Error`'s: formatting it added about 3 KiB (brotli) to every visitor's wasm.
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
        if core_len > self.body_len.saturating_sub(16) {
            return Err(SnapshotError::Decode(
                "the core is longer than the body".into(),
            ));
        }
        let core_end = CORE_AT as u64 + core_len;
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

/// A value that must take exactly `bytes`.
fn decode_whole<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, SnapshotError> {
    let (value, read): (T, usize) = bincode::serde::decode_from_slice(bytes, config())
        .map_err(|e| SnapshotError::Decode(decode_problem(e)))?;
    if read != bytes.len() {
        return Err(SnapshotError::Decode("trailing bytes in the body".into()));
    }
    Ok(value)
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
