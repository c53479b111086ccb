//! Snapshot bytes are a public interface: a widget holding an older snapshot, or a
//! server serving one, must never meet different bytes under the same
//! [`FORMAT_VERSION`]. This test builds a small fixed snapshot and compares its
//! SHA-256 with `tests/golden/snapshot-v{FORMAT_VERSION}.sha256`.
//!
//! When the bytes change on purpose, bump `FORMAT_VERSION` (engine/src/snapshot.rs)
//! and record the new hash with `UPDATE_GOLDEN=1 cargo test -p engine --test golden`.
//! The variable only ever writes the file of a version that has none, so the
//! hash of a released version cannot be overwritten to make a change pass.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use engine::snapshot::FORMAT_VERSION;
use engine::{build, BuildOptions, Entry, Link, TokenTable};
use sha2::{Digest, Sha256};

/// Twelve concepts with 23 phrasings each, written with one-syllable synonyms
/// (`qa?`, `qb?`, ...) that only the token table relates, so the build keeps the
/// dense index and calibrates every ranker; answers, tags and links fill the
/// other fields.
fn fixture() -> (Vec<Entry>, TokenTable) {
    const CONCEPTS: usize = 12;
    const DIMS: usize = 16;
    let letter = |i: usize| (b'a' + i as u8) as char;
    let word = |c: usize, s: usize| format!("q{}{}", letter(c), letter(s));
    let entries = (0..CONCEPTS)
        .map(|c| Entry {
            id: format!("concept-{c}"),
            locale: if c % 4 == 3 { "de" } else { "en" }.into(),
            question: word(c, 0),
            alternates: (1..23).map(|s| format!("help {}", word(c, s))).collect(),
            answer_html: format!("<p>Answer <b>{c}</b></p>"),
            answer_text: format!("Answer {c} about {}", word(c, 25)),
            category: format!("group-{}", c % 3),
            tags: vec![format!("tag{c}"), "common".into()],
            links: vec![Link {
                title: format!("More on {c}"),
                url: format!("/help/{c}"),
            }],
        })
        .collect();
    let mut tokens: Vec<(String, usize)> = (0..CONCEPTS)
        .flat_map(|c| (0..26).map(move |s| (word(c, s), c)))
        .collect();
    tokens.push(("help".to_string(), DIMS - 1));
    tokens.sort();
    // Each row: its axis at 127, a little of a second axis so rows are not all alike.
    let rows: Vec<i8> = tokens
        .iter()
        .enumerate()
        .flat_map(|(i, &(_, axis))| {
            let second = (axis + 1 + i % 3) % DIMS;
            (0..DIMS).map(move |d| match d {
                d if d == axis => 127,
                d if d == second => (i % 7) as i8 * 5,
                _ => 0,
            })
        })
        .collect();
    let scales = (0..tokens.len())
        .map(|i| (1 + i % 5) as f32 / 600.0)
        .collect();
    let names = tokens.into_iter().map(|(t, _)| t).collect();
    (entries, TokenTable::new(DIMS as u32, names, scales, rows))
}

fn snapshot_sha256() -> String {
    let (entries, table) = fixture();
    let options = BuildOptions {
        build_time: 1_700_000_000,
        thresholds: None,
        token_table: Some(table),
        synonyms: Vec::new(),
    };
    let snapshot = build(entries, &options).expect("the fixture builds");
    assert!(snapshot.has_dense(), "the fixture covers the dense index");
    let hash = Sha256::digest(snapshot.to_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares `hash` with the golden file of `version` in `dir`; with `update`,
/// writes the file when the version has none yet.
fn check_golden(dir: &Path, version: u32, hash: &str, update: bool) -> Result<(), String> {
    let path = dir.join(format!("snapshot-v{version}.sha256"));
    match std::fs::read_to_string(&path) {
        Ok(golden) if golden.trim() == hash => Ok(()),
        Ok(golden) => Err(format!(
            "snapshot bytes changed without a FORMAT_VERSION bump: the fixed build of \
             engine/tests/golden.rs hashes to {hash}, {} says {} for format version {version}. \
             If the change is meant, bump FORMAT_VERSION in engine/src/snapshot.rs and run \
             `UPDATE_GOLDEN=1 cargo test -p engine --test golden`; otherwise the change \
             breaks every snapshot already built.",
            path.display(),
            golden.trim(),
        )),
        Err(_) if update => {
            std::fs::write(&path, format!("{hash}\n"))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {} for format version {version}", path.display());
            Ok(())
        }
        Err(_) => Err(format!(
            "no golden hash for snapshot format version {version} ({} is missing): after \
             bumping FORMAT_VERSION, record it with `UPDATE_GOLDEN=1 cargo test -p engine \
             --test golden` and commit the file",
            path.display()
        )),
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn snapshot_bytes_change_only_with_the_format_version() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let hash = snapshot_sha256();
    if let Err(message) = check_golden(&golden_dir(), FORMAT_VERSION, &hash, update) {
        panic!("{message}");
    }
}

#[test]
fn the_fixed_build_is_deterministic() {
    assert_eq!(snapshot_sha256(), snapshot_sha256());
}

#[test]
fn a_byte_change_without_a_version_bump_fails_and_a_bump_records_a_new_hash() {
    let dir = std::env::temp_dir().join(format!("engine-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (old, changed) = ("a".repeat(64), "b".repeat(64));
    std::fs::write(dir.join("snapshot-v7.sha256"), format!("{old}\n")).unwrap();
    assert_eq!(check_golden(&dir, 7, &old, false), Ok(()));
    // Other bytes under the same version: refused, even when asked to update.
    for update in [false, true] {
        let err = check_golden(&dir, 7, &changed, update).unwrap_err();
        assert!(
            err.contains("snapshot bytes changed without a FORMAT_VERSION bump"),
            "{err}"
        );
    }
    // A new version without its file: refused, until recorded on purpose.
    let err = check_golden(&dir, 8, &changed, false).unwrap_err();
    assert!(
        err.contains("no golden hash for snapshot format version 8"),
        "{err}"
    );
    assert_eq!(check_golden(&dir, 8, &changed, true), Ok(()));
    assert_eq!(check_golden(&dir, 8, &changed, false), Ok(()));
    std::fs::remove_dir_all(&dir).unwrap();
}
