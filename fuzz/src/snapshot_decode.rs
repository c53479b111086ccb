//! Snapshot decoding: the widget downloads `kb.snapshot` and must refuse anything it did not
//! write, never panic or hang on it.
//!
//! Random bytes rarely get past the checksum, so half the inputs (first byte odd) are taken as a
//! body and framed with a correct header and checksum, as an attacker serving a crafted snapshot
//! would: those reach the bincode decoder and the structural checks. A snapshot that decodes is
//! then searched with every ranker, since the engine must not trust it any further than
//! `validate` checked it.

use engine::snapshot::{fnv1a64, FORMAT_VERSION, MAGIC};
use engine::{Engine, Ranker, Snapshot};

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        let _ = Snapshot::from_bytes(data);
        return;
    };
    let bytes = if mode & 1 == 1 {
        frame(rest)
    } else {
        rest.to_vec()
    };
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

/// `body` behind a valid frame: magic, version, checksum and length.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(28 + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&fnv1a64(body).to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    out
}
