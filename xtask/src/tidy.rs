//! `cargo xtask tidy`: the architecture invariants of ARCHITECTURE.md that a program can check,
//! run as the first stage of `cargo xtask test`. A rule nothing checks drifts.
//!
//! Each check reads the tree (tracked and new files, as git sees them) and returns what
//! violates it, with the file, the line and why the rule exists. The unit tests in
//! `tidy/tests.rs` feed each check a deliberate violation.
//!
//! What counts as test code: a file under a `tests/` folder or named `tests.rs`. Test code may
//! reach past the API into the database (to age a row, to read what must be stored hashed), so
//! the SQL rule leaves it out; the engine's I/O rule does not: `engine/src/` has no I/O even in
//! its unit tests, and tests that need files live in `engine/tests/`.
//!
//! The golden-bytes test that fails when the snapshot's bytes change without a
//! `FORMAT_VERSION` bump lives with the format, in the engine's own tests.

mod manifest;
mod rust;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use manifest::Kind;
use rust::Source;

/// One broken rule, where it is broken.
#[derive(Debug)]
pub struct Violation {
    pub path: String,
    /// 0 when the rule is about the whole file.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path, self.message),
            line => write!(f, "{}:{line}: {}", self.path, self.message),
        }
    }
}

fn violation(path: &str, line: usize, message: impl Into<String>) -> Violation {
    Violation {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

/// The files the checks read, by path relative to the workspace root (`/`-separated).
pub struct Tree {
    /// The text of every `.rs`, `.toml`, `.md` and `.sql` file.
    pub files: BTreeMap<String, String>,
    /// Every file and folder (folders without their trailing `/`).
    pub paths: BTreeSet<String>,
}

const READ: [&str; 4] = [".rs", ".toml", ".md", ".sql"];

impl Tree {
    /// The working tree as git sees it: tracked files and new ones it does not ignore.
    pub fn load(root: &Path) -> Result<Tree> {
        let out = Command::new("git")
            .args([
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ])
            .current_dir(root)
            .output()
            .context("cannot run git ls-files")?;
        if !out.status.success() {
            bail!(
                "git ls-files failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut files = Vec::new();
        for path in String::from_utf8_lossy(&out.stdout).split('\0') {
            // A file deleted but not yet committed is still listed as tracked.
            if path.is_empty() || !root.join(path).is_file() {
                continue;
            }
            let text = if READ.iter().any(|ext| path.ends_with(ext)) {
                std::fs::read_to_string(root.join(path))
                    .with_context(|| format!("cannot read {path}"))?
            } else {
                String::new()
            };
            files.push((path.to_string(), text));
        }
        Ok(Tree::from_files(files))
    }

    pub fn from_files<P: Into<String>, T: Into<String>>(
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Tree {
        let mut tree = Tree {
            files: BTreeMap::new(),
            paths: BTreeSet::new(),
        };
        for (path, text) in files {
            let path: String = path.into();
            let mut folder = path.as_str();
            while let Some((parent, _)) = folder.rsplit_once('/') {
                tree.paths.insert(parent.to_string());
                folder = parent;
            }
            tree.paths.insert(path.clone());
            if READ.iter().any(|ext| path.ends_with(ext)) {
                tree.files.insert(path, text.into());
            }
        }
        tree
    }

    fn is_folder(&self, path: &str) -> bool {
        let inside = format!("{path}/");
        self.paths
            .range(inside.clone()..)
            .next()
            .is_some_and(|p| p.starts_with(&inside))
    }

    /// The Rust files under `folder` (a prefix ending in `/`).
    fn rust_under<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.files
            .range(folder.to_string()..)
            .take_while(move |(p, _)| p.starts_with(folder))
            .filter(|(p, _)| p.ends_with(".rs"))
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }

    fn rust_files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(p, _)| p.ends_with(".rs"))
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// Every crate manifest (the workspace root's too: it declares no dependencies of its own).
    fn manifests(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(p, _)| *p == "Cargo.toml" || p.ends_with("/Cargo.toml"))
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }
}

/// A check's name, what it enforces, and the check.
pub type Check = (&'static str, &'static str, fn(&Tree) -> Vec<Violation>);

pub const CHECKS: &[Check] = &[
    (
        "engine-dependencies",
        "engine depends on no I/O, clock, runtime or browser crate",
        engine_dependencies,
    ),
    (
        "engine-no-io",
        "engine/src names no file, network, environment, process, clock or console",
        engine_no_io,
    ),
    (
        "sql-only-in-server",
        "SQL and database crates only in server (store/, migrations/)",
        sql_only_in_server,
    ),
    (
        "handlers-do-not-import-handlers",
        "no file of server/src/http/routes/ names another",
        handlers_do_not_import_handlers,
    ),
    (
        "visitor-without-workbench",
        "what the visitor's wasm compiles never names app's agent or admin modules",
        visitor_without_workbench,
    ),
    (
        "dom-only-in-app",
        "web-sys, js-sys, wasm-bindgen and gloo only in app; web-sys only in app/src/browser/",
        dom_only_in_app,
    ),
    (
        "cli-stdout",
        "cli writes to stdout with writeln!, so a closed pipe ends it quietly",
        cli_stdout,
    ),
    (
        "architecture-paths",
        "every path ARCHITECTURE.md names exists",
        architecture_paths,
    ),
];

/// `cargo xtask tidy`: every check, then the visitor's wasm when `dist/` holds a build.
pub fn run(root: &Path) -> Result<()> {
    let (passed, failed) = report(root)?;
    match visitor_wasm(&root.join("dist"))? {
        None => {
            println!("    visitor-wasm: skipped (no build in dist/; `cargo xtask dist` makes one)")
        }
        Some(found) if found.is_empty() => println!("    visitor-wasm: ok"),
        Some(found) => {
            print_failure("visitor-wasm", &found);
            bail!("visitor-wasm: {} violation(s)", found.len());
        }
    }
    if failed > 0 {
        bail!("{failed} tidy check(s) failed, {passed} passed");
    }
    Ok(())
}

/// Runs every check over the tree and prints the result; returns (passed, failed).
pub fn report(root: &Path) -> Result<(usize, usize)> {
    let tree = Tree::load(root)?;
    let (mut passed, mut failed) = (0, 0);
    for (name, what, check) in CHECKS {
        let found = check(&tree);
        if found.is_empty() {
            println!("    {name}: ok ({what})");
            passed += 1;
        } else {
            print_failure(name, &found);
            failed += 1;
        }
    }
    Ok((passed, failed))
}

fn print_failure(name: &str, found: &[Violation]) {
    println!("    {name}: FAILED, {} violation(s)", found.len());
    for v in found {
        println!("      {v}");
    }
}

// ---------------------------------------------------------------------------------------------
// engine: no I/O, no clock, no runtime, no browser.

/// What the engine may depend on, and why each is harmless. A new dependency is a decision:
/// add it here with its reason when it does no I/O, reads no clock and knows no browser.
const ENGINE_MAY_DEPEND_ON: &[(&str, bool, &str)] = &[
    // (crate, only as an optional dependency, reason)
    ("serde", false, "derives for the snapshot's types"),
    ("bincode", false, "the snapshot body's encoding"),
    ("thiserror", false, "error types"),
    (
        "rust-stemmers",
        false,
        "Snowball stemmers: pure computation",
    ),
    (
        "instant-distance",
        true,
        "feature `hnsw`: the phrasing graph, off in the visitor's wasm",
    ),
    (
        "rayon",
        true,
        "feature `hnsw`: builds the graph on several threads",
    ),
    (
        "getrandom",
        true,
        "feature `hnsw` on wasm32: instant-distance's seeding",
    ),
];

/// Crates the engine must never depend on, with what they would bring in.
const NEVER_IN_ENGINE: &[(&str, &str)] = &[
    ("tokio", "an async runtime"),
    ("async-std", "an async runtime"),
    ("smol", "an async runtime"),
    ("reqwest", "HTTP"),
    ("hyper", "HTTP"),
    ("ureq", "HTTP"),
    ("mio", "sockets"),
    ("socket2", "sockets"),
    ("web-sys", "the DOM"),
    ("js-sys", "JavaScript"),
    ("wasm-bindgen", "JavaScript glue"),
    ("wasm-bindgen-futures", "JavaScript promises"),
    ("gloo-net", "HTTP in the browser"),
    ("gloo-timers", "browser timers"),
    ("web-time", "a clock"),
    ("chrono", "a clock"),
    ("time", "a clock"),
    ("sqlx", "SQL"),
];

fn engine_dependencies(tree: &Tree) -> Vec<Violation> {
    let path = "engine/Cargo.toml";
    let Some(text) = tree.files.get(path) else {
        return vec![violation(path, 0, "missing")];
    };
    let deps = match manifest::dependencies(text) {
        Ok(deps) => deps,
        Err(e) => return vec![violation(path, 0, format!("{e:#}"))],
    };
    let mut found = Vec::new();
    for dep in deps.iter().filter(|d| d.kind != Kind::Dev) {
        if let Some((_, what)) = NEVER_IN_ENGINE.iter().find(|(n, _)| *n == dep.name) {
            found.push(violation(
                path,
                0,
                format!(
                    "engine depends on `{}` ({what}): the engine never does I/O, never reads a \
                     clock and never knows the browser, so that it runs the same in a test, a \
                     CLI and the visitor's wasm, and a snapshot answers the same everywhere",
                    dep.name
                ),
            ));
            continue;
        }
        match ENGINE_MAY_DEPEND_ON.iter().find(|(n, _, _)| *n == dep.name) {
            None => found.push(violation(
                path,
                0,
                format!(
                    "`{}` is not on the engine's allow-list (ENGINE_MAY_DEPEND_ON in \
                     xtask/src/tidy.rs): add it there with its reason if it does no I/O, reads \
                     no clock and knows no browser",
                    dep.name
                ),
            )),
            Some((_, true, why)) if !dep.optional => found.push(violation(
                path,
                0,
                format!(
                    "`{}` must stay optional ({why}): the visitor's engine is built without it",
                    dep.name
                ),
            )),
            Some(_) => {}
        }
    }
    found
}

/// Paths the engine's sources must not name, and what they are.
const ENGINE_FORBIDDEN_PATHS: &[(&[&str], &str)] = &[
    (&["std", "fs"], "the file system"),
    (&["std", "net"], "the network"),
    (&["std", "env"], "the environment"),
    (&["std", "process"], "processes"),
    (&["std", "io", "stdin"], "the console"),
    (&["std", "io", "stdout"], "the console"),
    (&["std", "io", "stderr"], "the console"),
    (&["std", "time", "Instant"], "a clock"),
    (&["std", "time", "SystemTime"], "a clock"),
    (&["std", "thread", "sleep"], "a clock"),
];

const ENGINE_FORBIDDEN_NAMES: &[(&str, &str)] =
    &[("Instant", "a clock"), ("SystemTime", "a clock")];

const ENGINE_FORBIDDEN_MACROS: &[&str] = &["println", "eprintln", "print", "eprint", "dbg"];

fn engine_no_io(tree: &Tree) -> Vec<Violation> {
    const WHY: &str = "the engine is bytes in, answers out: the caller does the I/O and passes \
                       time in, so the same code runs in the visitor's wasm and every test";
    let mut found = Vec::new();
    for (path, text) in tree.rust_under("engine/src/") {
        let source = Source::new(text);
        let module = rust::module_of(path).unwrap_or_default();
        for (line, p) in source.paths(&module) {
            if let Some((_, what)) = ENGINE_FORBIDDEN_PATHS
                .iter()
                .find(|(prefix, _)| p.len() >= prefix.len() && p[..prefix.len()] == **prefix)
            {
                found.push(violation(
                    path,
                    line,
                    format!("`{}` reaches {what}: {WHY}", p.join("::")),
                ));
            }
        }
        for (name, what) in ENGINE_FORBIDDEN_NAMES {
            for at in source.words(name) {
                found.push(violation(
                    path,
                    source.line_of(at),
                    format!("`{name}` reads {what}: {WHY}"),
                ));
            }
        }
        for name in ENGINE_FORBIDDEN_MACROS {
            for at in source.words(name) {
                if source.code[at + name.len()..].trim_start().starts_with('!') {
                    found.push(violation(
                        path,
                        source.line_of(at),
                        format!("`{name}!` writes to the console: {WHY}"),
                    ));
                }
            }
        }
    }
    dedup(found)
}

fn dedup(mut found: Vec<Violation>) -> Vec<Violation> {
    found.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    found.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.message == b.message);
    found
}

// ---------------------------------------------------------------------------------------------
// SQL: only in server.

const DATABASE_CRATES: &[&str] = &[
    "sqlx",
    "rusqlite",
    "postgres",
    "tokio-postgres",
    "diesel",
    "sea-orm",
    "sea-query",
];

/// Where SQL may be written: the store's queries and the migrations.
const SQL_HOMES: &[&str] = &["server/src/store/", "server/migrations/"];

/// Files outside the store that speak to the database, and why.
const SQL_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "server/src/events/postgres.rs",
        "the relay between instances is PostgreSQL's LISTEN/NOTIFY: the store's transport",
    ),
    ("xtask/src/tidy.rs", "this check's own patterns"),
];

/// Test code: a file under a `tests/` folder or named `tests.rs`.
fn is_test_code(path: &str) -> bool {
    path.starts_with("tests/") || path.contains("/tests/") || path.ends_with("/tests.rs")
}

fn sql_only_in_server(tree: &Tree) -> Vec<Violation> {
    const WHY: &str = "only `server` knows SQL, and within it only `server/src/store/`: one place \
                       to keep SQLite and PostgreSQL in step, and every other part talks in use \
                       cases";
    let mut found = Vec::new();
    for (path, text) in tree.manifests() {
        if path == "server/Cargo.toml" {
            continue;
        }
        match manifest::dependencies(text) {
            Ok(deps) => {
                for dep in deps
                    .iter()
                    .filter(|d| DATABASE_CRATES.contains(&d.name.as_str()))
                {
                    found.push(violation(
                        path,
                        0,
                        format!("depends on `{}`: {WHY}", dep.name),
                    ));
                }
            }
            Err(e) => found.push(violation(path, 0, format!("{e:#}"))),
        }
    }
    for path in tree.files.keys().filter(|p| p.ends_with(".sql")) {
        if !SQL_HOMES.iter().any(|home| path.starts_with(home)) {
            found.push(violation(
                path,
                0,
                format!("a .sql file outside server/migrations/: {WHY}"),
            ));
        }
    }
    for (path, text) in tree.rust_files() {
        if SQL_HOMES.iter().any(|home| path.starts_with(home))
            || SQL_EXCEPTIONS.iter().any(|(p, _)| *p == path)
            || is_test_code(path)
        {
            continue;
        }
        for (line, literal) in Source::new(text).strings {
            if let Some(statement) = sql_statement(&literal) {
                found.push(violation(
                    path,
                    line,
                    format!("a string holds SQL ({statement}): {WHY}"),
                ));
            }
        }
    }
    found
}

/// The kind of SQL statement a string literal holds, if it holds one. Keywords are upper case,
/// as every query in the store writes them; prose that says "select from" is not SQL.
fn sql_statement(literal: &str) -> Option<&'static str> {
    let text = literal.replace("\\\n", " ");
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    for (needle, kind) in [
        ("INSERT INTO ", "INSERT INTO"),
        ("DELETE FROM ", "DELETE FROM"),
        ("CREATE TABLE", "CREATE TABLE"),
        ("CREATE INDEX", "CREATE INDEX"),
        ("ALTER TABLE", "ALTER TABLE"),
        ("DROP TABLE", "DROP TABLE"),
    ] {
        if text.contains(needle) {
            return Some(kind);
        }
    }
    if let Some(at) = text.find("SELECT ") {
        if text[at..].contains(" FROM ") {
            return Some("SELECT … FROM");
        }
    }
    if words.windows(3).any(|w| {
        w[0] == "UPDATE" && w[2] == "SET" && w[1].chars().all(|c| c.is_alphanumeric() || c == '_')
    }) {
        return Some("UPDATE … SET");
    }
    None
}

// ---------------------------------------------------------------------------------------------
// server: handlers do not import handlers.

const ROUTES: &str = "server/src/http/routes/";

fn handlers_do_not_import_handlers(tree: &Tree) -> Vec<Violation> {
    let folder = ROUTES.trim_end_matches('/');
    if !tree.paths.contains(folder) {
        return vec![violation(
            folder,
            0,
            "missing: the handlers live here, one file per route prefix (ARCHITECTURE.md)",
        )];
    }
    // The handler modules: each file or folder directly in routes/.
    let handlers: BTreeSet<String> = tree
        .paths
        .iter()
        .filter_map(|p| p.strip_prefix(ROUTES))
        .filter(|rest| !rest.contains('/'))
        .map(|rest| rest.trim_end_matches(".rs").to_string())
        .filter(|name| name != "mod")
        .collect();
    let mut found = Vec::new();
    for (path, text) in tree.rust_under(ROUTES) {
        let module = rust::module_of(path).unwrap_or_default();
        // routes/mod.rs assembles the router from every handler; that is its job.
        let Some(own) = module.get(2) else { continue };
        for (line, p) in Source::new(text).paths(&module) {
            let is_routes = p.len() >= 4 && p[..3] == ["crate", "http", "routes"];
            if !is_routes || p[3] == *own {
                continue;
            }
            if p[3] == "*" {
                found.push(violation(
                    path,
                    line,
                    "a glob import of the routes module brings the other handlers into scope",
                ));
            } else if handlers.contains(&p[3]) {
                found.push(violation(
                    path,
                    line,
                    format!(
                        "`{}` is another handler's: handlers translate HTTP to one use case; what \
                         two of them share belongs to server/src/service/ or to the plumbing in \
                         server/src/http/",
                        p.join("::")
                    ),
                ));
            }
        }
    }
    dedup(found)
}

// ---------------------------------------------------------------------------------------------
// app: the visitor's wasm carries no workbench.

/// The workbench's modules of the `app` crate, behind its `workbench` feature: the agent's
/// pages, the admin's, and what the two share.
const WORKBENCH_MODULES: &[&str] = &["agent", "admin", "workbench"];

/// Files of `app` that only the workbench's binary compiles.
fn is_workbench_file(path: &str) -> bool {
    WORKBENCH_MODULES
        .iter()
        .any(|m| path.starts_with(&format!("app/src/{m}/")) || path == format!("app/src/{m}.rs"))
        || path.starts_with("app/src/bin/")
}

fn visitor_without_workbench(tree: &Tree) -> Vec<Violation> {
    let mut found = Vec::new();
    for (path, text) in tree.rust_under("app/src/") {
        if is_workbench_file(path) {
            continue;
        }
        let module = rust::module_of(path).unwrap_or_default();
        for (line, p) in Source::new(text).paths(&module) {
            // `crate::agent` from the library, `app::agent` from the visitor's binary.
            let names_workbench = p.len() >= 2
                && (p[0] == "crate" || p[0] == "app")
                && WORKBENCH_MODULES.contains(&p[1].as_str());
            if names_workbench {
                found.push(violation(
                    path,
                    line,
                    format!(
                        "`{}` is workbench code: every visitor downloads what the visitor's wasm \
                         compiles, and agents' code has no place there (size, and what it would \
                         tell an attacker)",
                        p.join("::")
                    ),
                ));
            }
        }
    }
    dedup(found)
}

/// Strings that only the workbench's code contains; the visitor's wasm must have none. Each
/// must be in the workbench's wasm, or it no longer tells anything.
pub const WORKBENCH_MARKERS: &[&str] = &[
    "/api/v1/desk",
    "/api/v1/admin",
    "answerdesk.workbench.locale",
];

/// The built wasm in `dist/` (visitor) and `dist/agent/` (workbench); `None` without a build.
pub fn visitor_wasm(dist: &Path) -> Result<Option<Vec<Violation>>> {
    let wasm_in = |folder: &Path| -> Result<Option<Vec<u8>>> {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Ok(None);
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm") {
                return Ok(Some(std::fs::read(&path)?));
            }
        }
        Ok(None)
    };
    let (Some(visitor), Some(workbench)) = (wasm_in(dist)?, wasm_in(&dist.join("agent"))?) else {
        return Ok(None);
    };
    Ok(Some(workbench_markers(&visitor, &workbench)))
}

pub fn workbench_markers(visitor: &[u8], workbench: &[u8]) -> Vec<Violation> {
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    let mut found = Vec::new();
    for marker in WORKBENCH_MARKERS {
        if contains(visitor, marker) {
            found.push(violation(
                "dist/*.wasm",
                0,
                format!("the visitor's wasm contains `{marker}`, which only workbench code holds"),
            ));
        }
        if !contains(workbench, marker) {
            found.push(violation(
                "dist/agent/*.wasm",
                0,
                format!(
                    "the workbench's wasm no longer contains `{marker}`: pick a string that only \
                     workbench code holds (WORKBENCH_MARKERS in xtask/src/tidy.rs)"
                ),
            ));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Browser crates only in app.

const BROWSER_CRATES: &[&str] = &["web-sys", "js-sys", "wasm-bindgen", "wasm-bindgen-futures"];
const BROWSER_MODULES: &[&str] = &["web_sys", "js_sys", "wasm_bindgen", "wasm_bindgen_futures"];

/// The one module of `app` that names web-sys: what the app asks of the browser, in one folder.
const BROWSER_GLUE: &str = "app/src/browser/";

/// The engine's browser test harness (timings in Chromium) may use the DOM: it is not the engine.
const BROWSER_HARNESS: &str = "engine/tests/";

/// The engine exported to JavaScript for `cargo xtask bench peers`, beside the peer libraries in
/// one page: wasm-bindgen is its whole purpose, and no product code depends on it.
const BENCH_ENGINE: &str = "bench/engine-js/";

fn dom_only_in_app(tree: &Tree) -> Vec<Violation> {
    const WHY: &str = "only `app` knows the DOM, and within it app/src/browser/: the engine and \
                       the server stay portable and testable natively, and what the app asks of \
                       the browser can be read in one folder";
    let mut found = Vec::new();
    for (path, text) in tree.manifests() {
        if path == "app/Cargo.toml" {
            continue;
        }
        let Ok(deps) = manifest::dependencies(text) else {
            continue; // reported by the SQL check
        };
        for dep in deps {
            let browser =
                BROWSER_CRATES.contains(&dep.name.as_str()) || dep.name.starts_with("gloo");
            let harness = (dep.kind == Kind::Dev && path == "engine/Cargo.toml")
                || (path.starts_with(BENCH_ENGINE) && dep.name == "wasm-bindgen");
            if browser && !harness {
                found.push(violation(
                    path,
                    0,
                    format!("depends on `{}`: {WHY}", dep.name),
                ));
            }
        }
    }
    for (path, text) in tree.rust_files() {
        if path.starts_with(BROWSER_GLUE)
            || path.starts_with(BROWSER_HARNESS)
            || path.starts_with(BENCH_ENGINE)
        {
            continue;
        }
        let in_app = path.starts_with("app/");
        // Paths, not words: a field called `wasm_bindgen` (a tool's version) is no dependency.
        for (line, p) in Source::new(text).paths(&[]) {
            // Within app, web-sys is the browser glue's; js-sys (plain JavaScript values)
            // and wasm-bindgen may serve the rest of the app.
            let browser = if in_app {
                p[0] == "web_sys"
            } else {
                BROWSER_MODULES.contains(&p[0].as_str()) || p[0].starts_with("gloo_")
            };
            if browser {
                found.push(violation(path, line, format!("names `{}`: {WHY}", p[0])));
            }
        }
    }
    dedup(found)
}

// ---------------------------------------------------------------------------------------------
// cli: stdout through writeln!.

fn cli_stdout(tree: &Tree) -> Vec<Violation> {
    let mut found = Vec::new();
    for (path, text) in tree.rust_under("cli/src/") {
        let source = Source::new(text);
        for name in ["println", "print"] {
            for at in source.words(name) {
                if source.code[at + name.len()..].starts_with('!') {
                    found.push(violation(
                        path,
                        source.line_of(at),
                        format!(
                            "`{name}!` panics when stdout is a closed pipe (`answerdesk … | head`): \
                             write with `writeln!(out, …)?` and let main end quietly"
                        ),
                    ));
                }
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// ARCHITECTURE.md names what exists.

/// Build outputs a fresh clone does not have, which the map may still name.
const GENERATED: &[&str] = &["dist", "target", "node_modules", "data"];

const FILE_EXTENSIONS: &[&str] = &[
    "rs", "toml", "md", "html", "js", "css", "json", "sql", "yaml", "yml", "txt", "lock", "py",
    "table", "sh",
];

fn architecture_paths(tree: &Tree) -> Vec<Violation> {
    let doc = "ARCHITECTURE.md";
    let Some(text) = tree.files.get(doc) else {
        return vec![violation(doc, 0, "missing")];
    };
    let mut found = Vec::new();
    // The folder a paragraph is about: its last span naming a folder. As a reader would,
    // `problem.rs` after `server/src/http/` means `server/src/http/problem.rs`, and
    // `store/settings.rs` after `server/src/service/` means `server/src/store/settings.rs`.
    let mut folder: Option<String> = None;
    let mut paragraph = 0;
    for (line, span_paragraph, span) in code_spans(text) {
        if span_paragraph != paragraph {
            (paragraph, folder) = (span_paragraph, None);
        }
        for path in named_paths(&span) {
            let first = path.split('/').next().unwrap_or_default();
            if GENERATED.contains(&first) {
                continue;
            }
            let path = path.trim_end_matches('/');
            let mut bases: Vec<&str> = vec![""];
            let mut base = folder.as_deref();
            while let Some(b) = base {
                bases.push(b);
                base = b.rsplit_once('/').map(|(parent, _)| parent);
            }
            let exists = bases.iter().find_map(|base| {
                let full = if base.is_empty() {
                    path.to_string()
                } else {
                    format!("{base}/{path}")
                };
                tree.paths.contains(&full).then_some(full)
            });
            match exists {
                Some(full) if tree.is_folder(&full) => folder = Some(full),
                Some(_) => {}
                None => found.push(violation(
                    doc,
                    line,
                    format!("names `{path}`, which does not exist: the map must match the tree"),
                )),
            }
        }
    }
    found
}

/// The `inline code` spans of a Markdown text with their lines and paragraphs (a blank line or a
/// heading starts a paragraph); fenced blocks are left out.
fn code_spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut spans = Vec::new();
    let mut fenced = false;
    let mut paragraph = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            paragraph += 1;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            spans.push((i + 1, paragraph, inside.to_string()));
        }
        // An odd part left over is an unclosed backtick: not a span.
    }
    spans
}

/// The repository paths a code span names: `engine/src/rank.rs`, `server/migrations/` and
/// `server/migrations/{sqlite,postgres}` (both); not `engine::Engine`, `/api/v1/…`, commands.
fn named_paths(span: &str) -> Vec<String> {
    let span = span.split('#').next().unwrap_or_default();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-./{},".contains(c);
    if span.is_empty()
        || !span.chars().all(allowed)
        || span.starts_with('/')
        || span.starts_with('.') && !span.starts_with(".ci") && !span.starts_with(".cargo")
        || span.contains("..")
    {
        return Vec::new();
    }
    let is_file = span
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && FILE_EXTENSIONS.contains(&ext));
    if !span.contains('/') && !is_file {
        return Vec::new();
    }
    expand_braces(span)
}

fn expand_braces(span: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (span.find('{'), span.find('}')) else {
        return vec![span.to_string()];
    };
    if close < open {
        return vec![span.to_string()];
    }
    span[open + 1..close]
        .split(',')
        .flat_map(|choice| {
            expand_braces(&format!("{}{choice}{}", &span[..open], &span[close + 1..]))
        })
        .collect()
}
