//! The `answerdesk` binary as a shell user meets it: in pipelines, and on a database that
//! `serve` has not set up yet.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const KB: &str = "locale: en
category: orders
entries:
  - id: track-order
    question: Where is my order?
    alternates: [track my parcel, shipping status]
    answer: Open **Orders** and choose the order to see where it is.
  - id: cancel-order
    question: How do I cancel an order?
    alternates: [stop my order, cancel a purchase]
    answer: Orders that have not shipped can be cancelled from **Orders**.
";

fn answerdesk(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_answerdesk"));
    command.args(args).env_remove("DATABASE_URL");
    command
}

fn run(args: &[&str]) -> Output {
    answerdesk(args).output().expect("run answerdesk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn build_snapshot(dir: &Path) -> String {
    let source = dir.join("orders.yaml");
    std::fs::write(&source, KB).unwrap();
    let snapshot = dir.join("kb.snapshot");
    let built = run(&[
        "kb",
        "build",
        source.to_str().unwrap(),
        "--output",
        snapshot.to_str().unwrap(),
        "--no-dense",
    ]);
    assert!(built.status.success(), "kb build: {}", text(&built.stderr));
    snapshot.to_str().unwrap().to_owned()
}

/// `answerdesk kb query … | head`: the reader leaves before the writer is done. Here it leaves
/// before the first byte, so every write meets the closed pipe.
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = build_snapshot(dir.path());
    let mut child = answerdesk(&["kb", "query", &snapshot, "where is my order", "-k", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start answerdesk");
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(
        output.status.success(),
        "exit status {:?}: {stderr}",
        output.status
    );
    assert!(stderr.is_empty(), "wrote to stderr: {stderr}");

    // With a reader, the same command prints its answer.
    let read = run(&["kb", "query", &snapshot, "where is my order"]);
    assert!(read.status.success(), "{}", text(&read.stderr));
    assert!(
        text(&read.stdout).contains("track-order"),
        "{}",
        text(&read.stdout)
    );
}

/// `agent add` before the first `serve`: the database is created, migrated and set up as
/// `serve` would, so the default group exists and the first admin is printed.
#[test]
fn agent_add_sets_up_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let added = run(&["agent", "add", "ann@example.com", "--database-url", &url]);
    let stdout = text(&added.stdout);
    assert!(
        added.status.success(),
        "status {:?}\nstdout: {stdout}\nstderr: {}",
        added.status,
        text(&added.stderr)
    );
    assert!(
        stdout.contains("First start: created the admin account"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created agent agent ann@example.com"),
        "{stdout}"
    );

    // The set-up happens once: a second agent finds it done.
    let again = run(&["agent", "add", "bob@example.com", "--database-url", &url]);
    let stdout = text(&again.stdout);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(!stdout.contains("First start"), "{stdout}");
    assert!(
        stdout.contains("created agent agent bob@example.com"),
        "{stdout}"
    );
}

/// A site owner's `synonyms.yaml`: `kb lint` names a word in two groups and a group whose
/// first word no entry uses, with file and line; `kb build` refuses the contradiction.
#[test]
fn synonym_lists_are_linted_and_a_contradiction_refuses_the_build() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.yaml"), KB).unwrap();
    let synonyms = dir.path().join("synonyms.yaml");
    std::fs::write(
        &synonyms,
        "synonyms:\n  - [parcel, consignment]\n  - [shipment, Consignment]\n  - [voucher, coupon]\n",
    )
    .unwrap();
    let source = dir.path().to_str().unwrap();
    let lint = run(&["kb", "lint", source]);
    let report = text(&lint.stdout);
    assert!(!lint.status.success(), "{report}");
    let at = |line: usize| format!("{}:{line}", synonyms.display());
    assert!(
        report.contains(&format!(
            "{}: error: `Consignment` is already in the synonym group at {}",
            at(3),
            at(2)
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!("{}: warning: no entry says `voucher`", at(4))),
        "{report}"
    );
    let output = dir.path().join("kb.snapshot");
    let build_snapshot = || {
        run(&[
            "kb",
            "build",
            source,
            "-o",
            output.to_str().unwrap(),
            "--no-dense",
        ])
    };
    let build = build_snapshot();
    assert!(!build.status.success());
    assert!(
        text(&build.stderr).contains("already in the synonym group"),
        "{}",
        text(&build.stderr)
    );

    // Fixed, the list builds and visitors' word reaches the entry.
    std::fs::write(&synonyms, "synonyms:\n  - [parcel, consignment]\n").unwrap();
    let build = build_snapshot();
    assert!(build.status.success(), "{}", text(&build.stderr));
    let query = run(&[
        "kb",
        "query",
        output.to_str().unwrap(),
        "track my consignment",
    ]);
    assert!(
        text(&query.stdout).contains("1. ") && text(&query.stdout).contains("track-order"),
        "{}",
        text(&query.stdout)
    );
}
