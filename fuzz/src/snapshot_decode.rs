//! Snapshot decoding: the widget downloads `kb.snapshot` and must refuse anything it did not
//! write, never panic or hang on it.
//!
//! Random bytes rarely get past the checksum, so half the inputs (first byte odd) are taken as a
//! core and a dense section and framed with correct lengths and checksums, as an attacker serving
//! a crafted snapshot would: those reach the bincode decoder and the structural checks. A
//! snapshot that decodes is then searched with every ranker, since the engine must not trust it
//! any further than `validate` checked it. Every input is also read as a download in progress
//! (`Engine::from_prefix` on its halves and whole), as the widget reads it.

use engine::snapshot::{fnv1a64, FORMAT_VERSION, MAGIC};
use engine::{Engine, Ranker, Snapshot};

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        let _ = Snapshot::from_bytes(data);
        return;
    };
    let bytes = if mode & 1 == 1 {
        // The upper seven bits of the mode byte choose where the core ends.
        let split = rest.len() * (mode >> 1) as usize / 127;
        frame(&rest[..split], &rest[split..])
    } else {
        rest.to_vec()
    };
    for cut in [bytes.len() / 2, bytes.len()] {
        if let Ok(Some(early)) = Engine::from_prefix(&bytes[..cut]) {
            let _ = early.ask("how long does delivery take?");
        }
    }
    let Ok(snapshot) = Snapshot::from_bytes(&bytes) else {
        return;
    };
    for ranker in Ranker::ALL {
        let engine = Engine::new(snapshot.clone()).with_ranker(ranker);
        for query in ["how long does delivery take?", "退货", "refund status 1042"] {
            let _ = engine.ask(query);
        }
    }
}

/// `core` and `dense` behind a valid frame: magic, version, the body's checksum and length, the
/// core's length and checksum (the layout of `engine/src/snapshot.rs`).
pub fn frame(core: &[u8], dense: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(16 + core.len() + dense.len());
    body.extend_from_slice(&(core.len() as u64).to_le_bytes());
    body.extend_from_slice(&fnv1a64(core).to_le_bytes());
    body.extend_from_slice(core);
    body.extend_from_slice(dense);
    let mut out = Vec::with_capacity(28 + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&fnv1a64(&body).to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out
}
