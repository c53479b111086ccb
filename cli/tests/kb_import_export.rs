//! `answerdesk kb import DIR --site S` and `kb export --site S DIR2`: the demo knowledge base
//! comes back byte for byte, a bad file is named with its line and changes nothing, and export
//! does not write over a folder it would mix into. (The same storage round trip on PostgreSQL is
//! `postgres_demo_kb_round_trips` in `server/tests/kb_api.rs`: a crate other than `server` may
//! not depend on a database crate to create a test database.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_answerdesk"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run answerdesk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo_kb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo-kb")
}

/// Every non-hidden file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for item in std::fs::read_dir(dir).unwrap() {
            let item = item.unwrap();
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = item.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), out);
            } else {
                out.insert(format!("{prefix}{name}"), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

fn round_trip(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_kb();
    let imported = run(&[
        "kb",
        "import",
        demo.to_str().unwrap(),
        "--site",
        "demo",
        "--database-url",
        database_url,
    ]);
    assert!(
        imported.status.success(),
        "kb import: {}",
        text(&imported.stderr)
    );
    let stdout = text(&imported.stdout);
    assert!(
        stdout.contains("First start: created the admin account"),
        "{stdout}"
    );
    assert!(stdout.contains("entries"), "{stdout}");

    let out = dir.path().join("exported");
    let exported = run(&[
        "kb",
        "export",
        "--site",
        "demo",
        out.to_str().unwrap(),
        "--database-url",
        database_url,
    ]);
    assert!(
        exported.status.success(),
        "kb export: {}",
        text(&exported.stderr)
    );
    let (original, copy) = (tree(&demo), tree(&out));
    assert_eq!(
        original.keys().collect::<Vec<_>>(),
        copy.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &original {
        assert!(copy[path] == *bytes, "{path} differs after the round trip");
    }

    // A folder with a broken file: refused with file and line, the stored base unchanged.
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("good.yaml"), "id: a\nquestion: A?\nanswer: Yes.\n").unwrap();
    std::fs::write(
        bad.join("broken.yaml"),
        "locale: en\nentries:\n  - id: b\n    question: B?\n    answer: Fine.\n  - id: c\n    question: C?\n",
    )
    .unwrap();
    let refused = run(&[
        "kb",
        "import",
        bad.to_str().unwrap(),
        "--site",
        "demo",
        "--database-url",
        database_url,
    ]);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("broken.yaml:6"), "{stderr}");
    assert!(stderr.contains("answer"), "{stderr}");

    // Export does not mix into a folder with files, unless asked to replace them.
    let mixed = run(&[
        "kb",
        "export",
        "--site",
        "demo",
        out.to_str().unwrap(),
        "--database-url",
        database_url,
    ]);
    assert!(!mixed.status.success());
    assert!(
        text(&mixed.stderr).contains("--replace"),
        "{}",
        text(&mixed.stderr)
    );
    std::fs::write(
        out.join("stale.yaml"),
        "id: old\nquestion: Old?\nanswer: Old.\n",
    )
    .unwrap();
    std::fs::create_dir_all(out.join(".git")).unwrap();
    let replaced = run(&[
        "kb",
        "export",
        "--site",
        "demo",
        out.to_str().unwrap(),
        "--replace",
        "--database-url",
        database_url,
    ]);
    assert!(replaced.status.success(), "{}", text(&replaced.stderr));
    assert_eq!(
        tree(&out),
        original,
        "the refused import changed the stored base, or --replace kept a stale file"
    );
    assert!(
        out.join(".git").is_dir(),
        "--replace removed a hidden folder"
    );

    let unknown = run(&[
        "kb",
        "import",
        demo.to_str().unwrap(),
        "--site",
        "nosuch",
        "--database-url",
        database_url,
    ]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("nosuch"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn sqlite_import_then_export_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(&format!(
        "sqlite://{}",
        dir.path().join("data/answerdesk.db").display()
    ));
}
