//! Each check passes on a small tree that keeps its rule and fails on the same tree with one
//! deliberate violation: a check that cannot fail checks nothing.

use super::*;

const ENGINE_MANIFEST: &str = r#"
[package]
name = "engine"

[dependencies]
serde.workspace = true
bincode.workspace = true
instant-distance = { workspace = true, optional = true }

[target.'cfg(target_arch = "wasm32")'.dev-dependencies]
web-sys = { workspace = true, features = ["Performance"] }
"#;

/// A tree in which every rule holds.
fn good() -> Vec<(&'static str, String)> {
    vec![
        ("Cargo.toml", "[workspace]\n[workspace.dependencies]\nsqlx = \"0.8\"\n".into()),
        ("engine/Cargo.toml", ENGINE_MANIFEST.into()),
        (
            "engine/src/lib.rs",
            "//! Never `std::fs::read`, never `println!`.\n\
             pub mod rank;\n\
             pub fn version() -> &'static str { \"std::fs and Instant::now in a string\" }\n"
                .into(),
        ),
        (
            "engine/src/rank.rs",
            "use std::collections::HashMap;\nuse core::time::Duration;\n\
             pub fn rank(_: HashMap<u32, f32>, _: Duration) {}\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n}\n"
                .into(),
        ),
        (
            "engine/tests/browser_bench.rs",
            "fn now() -> f64 { web_sys::window().unwrap().performance().unwrap().now() }\n".into(),
        ),
        (
            "bench/engine-js/Cargo.toml",
            "[package]\nname = \"engine-js\"\n[dependencies]\nwasm-bindgen.workspace = true\n"
                .into(),
        ),
        (
            "bench/engine-js/src/lib.rs",
            "use wasm_bindgen::prelude::wasm_bindgen;\n".into(),
        ),
        (
            "server/Cargo.toml",
            "[package]\nname = \"server\"\n[dependencies]\nsqlx.workspace = true\n".into(),
        ),
        (
            "server/src/store/tickets.rs",
            "pub async fn list() { sqlx::query(\"SELECT id FROM tickets WHERE status = $1\"); }\n"
                .into(),
        ),
        (
            "server/migrations/sqlite/0001_initial.sql",
            "CREATE TABLE tickets (id TEXT);\n".into(),
        ),
        (
            "server/tests/visitor_caps.rs",
            "async fn age() { sqlx::query(\"UPDATE tickets SET updated_at = 0\"); }\n".into(),
        ),
        (
            "server/src/http/routes/mod.rs",
            "mod desk;\nmod escalations;\npub fn router() { desk::list(); escalations::create(); }\n"
                .into(),
        ),
        (
            "server/src/http/routes/desk.rs",
            "use super::super::problem::Problem;\nuse crate::service::tickets;\n\
             use crate::http::routes::desk::helpers;\n\
             pub fn list() -> Problem { tickets::list() }\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n}\n"
                .into(),
        ),
        (
            "server/src/http/routes/escalations.rs",
            "use crate::http::{extract::Site, problem::Problem};\n\
             /// Unlike `super::desk::list`, which is in a comment.\n\
             pub fn create(_: Site) -> Problem { todo!() }\n"
                .into(),
        ),
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\n[dependencies]\nweb-sys.workspace = true\n".into(),
        ),
        ("app/src/lib.rs", "pub mod visitor;\n#[cfg(feature = \"workbench\")]\npub mod agent;\n".into()),
        ("app/src/main.rs", "use app::visitor::Visitor;\nfn main() {}\n".into()),
        ("app/src/visitor/mod.rs", "use crate::api;\nuse js_sys::JSON;\n".into()),
        ("app/src/browser/mod.rs", "pub fn window() -> Option<web_sys::Window> { web_sys::window() }\n".into()),
        ("app/src/agent/mod.rs", "use crate::visitor::Visitor;\n".into()),
        ("app/src/bin/agent.rs", "fn main() { app::agent::Workbench(); }\n".into()),
        (
            "cli/src/main.rs",
            "use std::io::Write;\nfn main() { let mut out = std::io::stdout().lock(); \
             let _ = writeln!(out, \"println!(no)\"); eprintln!(\"to stderr\"); }\n"
                .into(),
        ),
        (
            "ARCHITECTURE.md",
            "# Architecture\n\
             `engine/` (`engine/src/rank.rs`) and `server/migrations/{sqlite,postgres}/`, \
             built into `dist/`; `engine::Engine::ask`, `POST /api/v1/escalations`, \
             `cargo xtask test`, `Cargo.toml`.\n\
             ```\nnot/checked.rs\n```\n"
                .into(),
        ),
        ("server/migrations/postgres/0001_initial.sql", "CREATE TABLE tickets (id TEXT);\n".into()),
    ]
}

fn tree_with(changes: &[(&'static str, &str)]) -> Tree {
    let mut files = good();
    for (path, text) in changes {
        files.retain(|(p, _)| p != path);
        files.push((path, text.to_string()));
    }
    Tree::from_files(files)
}

fn run(name: &str, tree: &Tree) -> Vec<Violation> {
    let (_, _, check) = CHECKS
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no check named {name}"));
    check(tree)
}

/// The check passes on the good tree and reports `expected` (a part of the message) at `at`
/// (`path` or `path:line`) once the change is made.
fn fails_on(name: &str, changes: &[(&'static str, &str)], at: &str, expected: &str) {
    let clean = run(name, &Tree::from_files(good()));
    assert!(
        clean.is_empty(),
        "{name} fails on the good tree: {}",
        clean
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let found = run(name, &tree_with(changes));
    let listed: Vec<String> = found.iter().map(|v| v.to_string()).collect();
    assert!(
        listed
            .iter()
            .any(|v| v.starts_with(&format!("{at}:")) && v.contains(expected)),
        "{name} did not report `{expected}` at {at}; it reported: {listed:#?}"
    );
}

#[test]
fn every_check_passes_on_a_tree_that_keeps_the_rules() {
    let tree = Tree::from_files(good());
    for (name, _, check) in CHECKS {
        let found = check(&tree);
        assert!(found.is_empty(), "{name}: {found:?}");
    }
}

#[test]
fn engine_with_a_runtime_or_a_browser_crate_fails() {
    let with = |dep: &str| {
        ENGINE_MANIFEST.replace("[dependencies]\n", &format!("[dependencies]\n{dep}\n"))
    };
    fails_on(
        "engine-dependencies",
        &[("engine/Cargo.toml", &with("tokio.workspace = true"))],
        "engine/Cargo.toml",
        "`tokio` (an async runtime)",
    );
    let wasm = ENGINE_MANIFEST.replace("dev-dependencies]", "dependencies]");
    fails_on(
        "engine-dependencies",
        &[("engine/Cargo.toml", &wasm)],
        "engine/Cargo.toml",
        "`web-sys` (the DOM)",
    );
    fails_on(
        "engine-dependencies",
        &[("engine/Cargo.toml", &with("left-pad = \"1\""))],
        "engine/Cargo.toml",
        "not on the engine's allow-list",
    );
    let required = ENGINE_MANIFEST.replace(", optional = true", "");
    fails_on(
        "engine-dependencies",
        &[("engine/Cargo.toml", &required)],
        "engine/Cargo.toml",
        "`instant-distance` must stay optional",
    );
}

#[test]
fn engine_reading_a_file_a_clock_or_printing_fails() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "fn load() { std::fs::read(\"kb\"); }",
            "engine/src/rank.rs:1",
            "`std::fs::read` reaches the file system",
        ),
        (
            "use std::{collections::HashMap, env};",
            "engine/src/rank.rs:1",
            "`std::env` reaches the environment",
        ),
        (
            "use std::time::Instant as Clock;",
            "engine/src/rank.rs:1",
            "`std::time::Instant` reaches a clock",
        ),
        (
            "fn t() -> u64 { web_time::SystemTime::now(); 0 }",
            "engine/src/rank.rs:1",
            "`SystemTime` reads a clock",
        ),
        (
            "fn f() {\n    println!(\"score\");\n}",
            "engine/src/rank.rs:2",
            "`println!` writes to the console",
        ),
        (
            "fn f(x: u8) -> u8 { dbg!(x) }",
            "engine/src/rank.rs:1",
            "`dbg!`",
        ),
        // Unit tests are no exception: tests that need files go to engine/tests/.
        (
            "#[cfg(test)]\nmod tests {\n    use std::net::TcpStream;\n}",
            "engine/src/rank.rs:3",
            "`std::net::TcpStream` reaches the network",
        ),
    ];
    for (code, at, expected) in cases {
        fails_on(
            "engine-no-io",
            &[("engine/src/rank.rs", code)],
            at,
            expected,
        );
    }
}

#[test]
fn sql_outside_the_store_fails() {
    fails_on(
        "sql-only-in-server",
        &[(
            "server/src/http/routes/desk.rs",
            "pub fn list() {\n    sqlx::query(\"SELECT id, subject \\\n FROM tickets\");\n}",
        )],
        "server/src/http/routes/desk.rs:2",
        "SQL (SELECT … FROM)",
    );
    fails_on(
        "sql-only-in-server",
        &[(
            "server/src/service/tickets.rs",
            "const Q: &str = r#\"UPDATE tickets SET status = 'closed'\"#;",
        )],
        "server/src/service/tickets.rs:1",
        "SQL (UPDATE … SET)",
    );
    fails_on(
        "sql-only-in-server",
        &[(
            "cli/src/commands/agent.rs",
            "const Q: &str = \"INSERT INTO agents (id) VALUES ($1)\";",
        )],
        "cli/src/commands/agent.rs:1",
        "SQL (INSERT INTO)",
    );
    fails_on(
        "sql-only-in-server",
        &[(
            "cli/Cargo.toml",
            "[package]\nname = \"cli\"\n[dependencies]\nsqlx.workspace = true\n",
        )],
        "cli/Cargo.toml",
        "depends on `sqlx`",
    );
    fails_on(
        "sql-only-in-server",
        &[("engine/schema.sql", "CREATE TABLE x (id TEXT);")],
        "engine/schema.sql",
        "a .sql file outside server/migrations/",
    );
}

#[test]
fn sql_detection_ignores_prose() {
    assert_eq!(sql_statement("Select from the list below"), None);
    assert_eq!(sql_statement("UPDATE your settings, then SET them"), None);
    assert_eq!(
        sql_statement("DELETE FROM sessions WHERE id = $1"),
        Some("DELETE FROM")
    );
    assert_eq!(sql_statement("SELECT 1"), None);
}

#[test]
fn a_handler_naming_another_handler_fails() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "use super::desk::sse_event;",
            "server/src/http/routes/escalations.rs:1",
            "`crate::http::routes::desk::sse_event` is another handler's",
        ),
        (
            "use crate::http::routes::{desk, escalations};",
            "server/src/http/routes/escalations.rs:1",
            "`crate::http::routes::desk` is another handler's",
        ),
        (
            "fn f() {\n    let _ = super::desk::list();\n}",
            "server/src/http/routes/escalations.rs:2",
            "another handler's",
        ),
        (
            "use super::*;",
            "server/src/http/routes/escalations.rs:1",
            "glob import",
        ),
    ];
    for (code, at, expected) in cases {
        fails_on(
            "handlers-do-not-import-handlers",
            &[("server/src/http/routes/escalations.rs", code)],
            at,
            expected,
        );
    }
    // A handler split into a folder may use its own parts, not another handler's.
    fails_on(
        "handlers-do-not-import-handlers",
        &[(
            "server/src/http/routes/admin/sites.rs",
            "use super::groups::load;\nuse super::super::desk::list;",
        )],
        "server/src/http/routes/admin/sites.rs:2",
        "`crate::http::routes::desk::list` is another handler's",
    );
}

#[test]
fn handlers_check_fails_without_the_routes_folder() {
    let files: Vec<_> = good()
        .into_iter()
        .filter(|(p, _)| !p.starts_with("server/src/http/routes/"))
        .collect();
    let found = run("handlers-do-not-import-handlers", &Tree::from_files(files));
    assert!(
        found.iter().any(|v| v.message.starts_with("missing")),
        "{found:?}"
    );
}

#[test]
fn visitor_code_naming_the_workbench_fails() {
    fails_on(
        "visitor-without-workbench",
        &[(
            "app/src/visitor/mod.rs",
            "use crate::api;\nuse crate::agent::client::Client;",
        )],
        "app/src/visitor/mod.rs:2",
        "`crate::agent::client::Client` is workbench code",
    );
    fails_on(
        "visitor-without-workbench",
        &[(
            "app/src/visitor/ticket.rs",
            "use super::super::admin::i18n;",
        )],
        "app/src/visitor/ticket.rs:1",
        "`crate::admin::i18n` is workbench code",
    );
    fails_on(
        "visitor-without-workbench",
        &[("app/src/i18n.rs", "pub use crate::workbench::i18n::Texts;")],
        "app/src/i18n.rs:1",
        "`crate::workbench::i18n::Texts` is workbench code",
    );
    fails_on(
        "visitor-without-workbench",
        &[("app/src/main.rs", "fn main() { app::agent::Workbench(); }")],
        "app/src/main.rs:1",
        "`app::agent::Workbench` is workbench code",
    );
}

#[test]
fn the_visitor_wasm_with_a_workbench_string_fails() {
    let workbench: Vec<u8> = WORKBENCH_MARKERS.join("\0").into_bytes();
    let visitor = b"\0asm /api/v1/escalations /api/v1/tickets".to_vec();
    assert!(workbench_markers(&visitor, &workbench).is_empty());

    let mut leaked = visitor.clone();
    leaked.extend_from_slice(b"/api/v1/desk/tickets");
    let found = workbench_markers(&leaked, &workbench);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("`/api/v1/desk`"));

    // A marker the workbench no longer holds proves nothing: the check says so.
    let found = workbench_markers(&visitor, b"\0asm");
    assert_eq!(found.len(), WORKBENCH_MARKERS.len(), "{found:?}");
}

#[test]
fn browser_crates_outside_app_fail() {
    fails_on(
        "dom-only-in-app",
        &[(
            "server/Cargo.toml",
            "[package]\nname = \"server\"\n[dependencies]\njs-sys = \"0.3\"\n",
        )],
        "server/Cargo.toml",
        "depends on `js-sys`",
    );
    fails_on(
        "dom-only-in-app",
        &[(
            "engine/src/rank.rs",
            "pub fn now() -> f64 {\n    js_sys::Date::now()\n}",
        )],
        "engine/src/rank.rs:2",
        "names `js_sys`",
    );
    fails_on(
        "dom-only-in-app",
        &[(
            "server/src/http/routes/desk.rs",
            "use gloo_net::http::Request;",
        )],
        "server/src/http/routes/desk.rs:1",
        "names `gloo_net`",
    );
    fails_on(
        "dom-only-in-app",
        &[(
            "app/src/visitor/mod.rs",
            "fn focus() {\n    web_sys::window();\n}",
        )],
        "app/src/visitor/mod.rs:2",
        "names `web_sys`",
    );
    // The peer benchmark's engine may export through wasm-bindgen, and nothing more.
    fails_on(
        "dom-only-in-app",
        &[(
            "bench/engine-js/Cargo.toml",
            "[package]\nname = \"engine-js\"\n[dependencies]\nweb-sys = \"0.3\"\n",
        )],
        "bench/engine-js/Cargo.toml",
        "depends on `web-sys`",
    );
}

#[test]
fn cli_println_fails() {
    fails_on(
        "cli-stdout",
        &[(
            "cli/src/commands/kb.rs",
            "pub fn query() {\n    println!(\"candidates:\");\n}",
        )],
        "cli/src/commands/kb.rs:2",
        "`println!` panics when stdout is a closed pipe",
    );
}

#[test]
fn architecture_naming_a_missing_file_fails() {
    let doc = "# Architecture\n\nHandlers: `server/src/http/routes/desk.rs`, `server/src/http/visitor.rs`.\n";
    fails_on(
        "architecture-paths",
        &[("ARCHITECTURE.md", doc)],
        "ARCHITECTURE.md:3",
        "names `server/src/http/visitor.rs`, which does not exist",
    );
    // A bare name means a file of the folder the paragraph is about.
    let relative = "`engine/src/` holds `rank.rs` and `lib.rs`\n\nand `tickets.rs`";
    fails_on(
        "architecture-paths",
        &[("ARCHITECTURE.md", relative)],
        "ARCHITECTURE.md:3",
        "names `tickets.rs`, which does not exist",
    );
    let braces = "`server/migrations/{sqlite,mysql}`";
    fails_on(
        "architecture-paths",
        &[("ARCHITECTURE.md", braces)],
        "ARCHITECTURE.md:1",
        "`server/migrations/mysql`",
    );
}

#[test]
fn rust_lexing_keeps_code_and_drops_comments_and_strings() {
    let source = rust::Source::new(
        "let a = \"std::fs\"; // std::net\n/* std::env /* nested */ */ let b = 'x'; let c: &'static str = r#\"use \"q\" x\"#; std::process::exit(0);",
    );
    let paths: Vec<String> = source
        .paths(&[])
        .into_iter()
        .map(|(_, p)| p.join("::"))
        .collect();
    assert_eq!(paths, ["std::process::exit"]);
    assert_eq!(source.strings.len(), 2);
    assert_eq!(source.strings[1].1, "use \"q\" x");
}

#[test]
fn use_trees_expand_and_resolve() {
    let source = rust::Source::new(
        "use super::{a::{b, c as d}, self as e};\nmod inner {\n    use super::f;\n}\n",
    );
    let module = vec!["http".to_string(), "routes".to_string(), "desk".to_string()];
    let paths: Vec<String> = source
        .paths(&module)
        .into_iter()
        .map(|(_, p)| p.join("::"))
        .collect();
    for expected in [
        "crate::http::routes::a::b",
        "crate::http::routes::a::c",
        "crate::http::routes",
        "crate::http::routes::desk::f",
    ] {
        assert!(
            paths.contains(&expected.to_string()),
            "{expected} not in {paths:?}"
        );
    }
}
