//! Replays every input under `regressions/<target>/` through its target's check: each is a
//! crash the fuzzer once found, kept so the fix stays checked by a plain `cargo test`.
//! `cargo xtask fuzz` runs it (with `ANSWERDESK_FUZZ_SNAPSHOT` set) before fuzzing.

use std::path::Path;

#[test]
fn every_regression_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for (name, check) in answerdesk_fuzz::TARGETS {
        let dir = root.join(name);
        let Ok(listing) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = listing
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).expect("read a regression input");
            println!("replaying {}", file.display());
            check(&data);
            replayed += 1;
        }
    }
    println!("replayed {replayed} regression input(s)");
}
