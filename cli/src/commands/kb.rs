//! `answerdesk kb build|eval|query|lint|import|export`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use engine::{Decision, Engine, Ranker, TokenTable};
use indicatif::{ProgressBar, ProgressStyle};

use knowledge::{self as sources, lint};

use crate::eval;

/// `kb eval --ranker`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RankerArg {
    Lexical,
    Dense,
    Fused,
}

impl From<RankerArg> for Ranker {
    fn from(r: RankerArg) -> Ranker {
        match r {
            RankerArg::Lexical => Ranker::Lexical,
            RankerArg::Dense => Ranker::Dense,
            RankerArg::Fused => Ranker::Fused,
        }
    }
}

fn token_table(path: Option<&Path>, no_dense: bool) -> Result<Option<TokenTable>> {
    if no_dense {
        return Ok(None);
    }
    let table = match path {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            TokenTable::from_bytes(&bytes).with_context(|| format!("{}", path.display()))?
        }
        None => knowledge::compile::bundled_token_table().context("the bundled token tables")?,
    };
    Ok(Some(table))
}

pub fn build(
    source: &Path,
    output: &Path,
    table: Option<&Path>,
    no_dense: bool,
) -> Result<ExitCode> {
    let token_table = token_table(table, no_dense)?;
    let started = Instant::now();
    let files = sources::source_files(source)?;
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} files {wide_msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_prefix("reading");
    let mut loaded = Vec::new();
    for file in &files {
        bar.set_message(file.display().to_string());
        loaded.extend(sources::load_file(file)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let synonyms = sources::synonyms::load(source)?;

    let build_time = build_time(&files)?;
    let entry_count = loaded.len();
    let spinner =
        ProgressBar::new_spinner().with_message(format!("indexing {entry_count} entries"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let snapshot = match knowledge::compile::compile(loaded, &synonyms, token_table, build_time) {
        Ok(snapshot) => snapshot,
        // A duplicate id or synonym conflict is the author's to fix: named as before, alone.
        Err(knowledge::compile::CompileError::Source(problem)) => {
            spinner.finish_and_clear();
            bail!("{problem}")
        }
        Err(err) => return Err(err).context("cannot build the snapshot"),
    };
    let bytes = snapshot.to_bytes();
    spinner.finish_and_clear();

    write_atomically(output, &bytes)?;
    // Compressed once here, so a server sends this version compressed from its first request.
    server::http::write_snapshot_sidecars(output, &bytes).with_context(|| {
        format!(
            "cannot write the compressed copies beside {}",
            output.display()
        )
    })?;
    let mut out = std::io::stdout().lock();
    let header = snapshot.header();
    let t = snapshot.thresholds();
    writeln!(
        out,
        "built {} (and its .br and .gz copies) from {} file(s) in {:.2?}",
        output.display(),
        files.len(),
        started.elapsed()
    )?;
    writeln!(
        out,
        "  entries {}   locales {}   size {} ({} bytes/entry)",
        header.entry_count,
        if header.locales.is_empty() {
            "-".to_string()
        } else {
            header.locales.join(", ")
        },
        human_bytes(bytes.len()),
        bytes.len() / entry_count.max(1)
    )?;
    writeln!(
        out,
        "  thresholds: answer {:.3}  clarify {:.3}  margin {:.3}  lead {}",
        t.answer,
        t.clarify,
        t.margin,
        if t.lead.is_finite() {
            format!("{:.3}", t.lead)
        } else {
            "off".into()
        }
    )?;
    match snapshot.dense_table_bytes() {
        Some(table_bytes) => writeln!(
            out,
            "  dense index: {} of token table, {:.0}% of the fused score{}",
            human_bytes(table_bytes),
            100.0 * snapshot.dense_share(),
            if snapshot.has_projection() {
                ", projection learned from the alternates"
            } else {
                ""
            }
        )?,
        None if no_dense => writeln!(out, "  dense index: off (--no-dense)")?,
        None => writeln!(
            out,
            "  dense index: left out (no gain on held-out phrasings, or no known tokens)"
        )?,
    }
    match snapshot.classifier_weights() {
        Some(weights) => writeln!(
            out,
            "  term classifier: {weights} weights (≈{}), {:.0}% of the lexical score",
            human_bytes(2 * weights),
            100.0 * snapshot.classifier_share()
        )?,
        None => writeln!(
            out,
            "  term classifier: left out (no gain on held-out phrasings)"
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `SOURCE_DATE_EPOCH` when set (reproducible builds), else the newest source's mtime,
/// so that the same files give the same bytes.
fn build_time(files: &[std::path::PathBuf]) -> Result<u64> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        return epoch
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH `{epoch}` is not a number"));
    }
    let mut newest = 0;
    for file in files {
        let modified = std::fs::metadata(file)
            .and_then(|m| m.modified())
            .with_context(|| format!("{}: cannot read modification time", file.display()))?;
        newest = newest.max(
            modified
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        );
    }
    Ok(if newest == 0 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    } else {
        newest
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let tmp = path.with_extension("snapshot.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn human_bytes(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.2} MiB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// Loads a snapshot, turning a refusal into a message that names the file.
pub fn open(snapshot: &Path) -> Result<Engine> {
    let bytes =
        std::fs::read(snapshot).with_context(|| format!("cannot read {}", snapshot.display()))?;
    Engine::from_bytes(&bytes).with_context(|| format!("{} was refused", snapshot.display()))
}

pub fn eval(
    snapshot: &Path,
    queries: &Path,
    json: bool,
    ranker: Ranker,
    misses: bool,
) -> Result<ExitCode> {
    let engine = open(snapshot)?.with_ranker(ranker);
    let queries = eval::read_queries(queries)?;
    let evaluation = eval::run(&engine, &queries);
    let report = &evaluation.report;
    let mut out = std::io::stdout().lock();
    if misses {
        write!(out, "{}", evaluation.misses(&engine, &queries))?;
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report.render())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn query(snapshot: &Path, text: &str, top: usize) -> Result<ExitCode> {
    let engine = open(snapshot)?;
    let started = Instant::now();
    let reply = engine.ask(text);
    let elapsed = started.elapsed();
    let mut out = std::io::stdout().lock();
    let entries = engine.entries();
    let name = |i: usize| {
        format!(
            "{} [{}] {}",
            entries[i].id, entries[i].locale, entries[i].question
        )
    };
    match &reply.decision {
        Decision::Answer { entry } => writeln!(out, "decision: answer with {}", name(*entry))?,
        Decision::Clarify { entries: options } => {
            writeln!(out, "decision: clarify between")?;
            for &i in options {
                writeln!(out, "  - {}", name(i))?;
            }
        }
        Decision::Escalate { reason } => writeln!(out, "decision: escalate ({reason:?})")?,
    }
    writeln!(out, "candidates:")?;
    for (rank, c) in engine.search(text, top).iter().enumerate() {
        writeln!(out, "  {:>2}. {:.3}  {}", rank + 1, c.score, name(c.entry))?;
    }
    writeln!(out, "({:.0?})", elapsed)?;
    Ok(ExitCode::SUCCESS)
}

/// Exit status 1 when an error-level finding exists, so CI can gate on it.
pub fn lint(source: &Path) -> Result<ExitCode> {
    let loaded = sources::load(source, |_| {})?;
    let synonyms = sources::synonyms::load(source)?;
    let findings = lint::check(&loaded, &synonyms)?;
    let mut out = std::io::stdout().lock();
    let mut errors = 0;
    for f in &findings {
        writeln!(out, "{f}")?;
        errors += usize::from(f.is_error());
    }
    writeln!(
        out,
        "{} entries, {} error(s), {} warning(s)",
        loaded.len(),
        errors,
        findings.len() - errors
    )?;
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Opens the database as `serve` would: migrated, with the demo site and a first admin.
async fn open_database(database_url: &str) -> Result<server::store::Store> {
    let store = server::store::Store::connect(database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                crate::redact::database_url(database_url)
            )
        })?;
    if let Some(admin) = store
        .bootstrap(&[])
        .await
        .context("cannot bootstrap the database")?
    {
        super::first_admin(&mut std::io::stdout().lock(), &admin)?;
    }
    Ok(store)
}

/// `kb import DIR --site S`.
pub fn import(dir: &Path, site: &str, database_url: &str) -> Result<ExitCode> {
    let folder = knowledge::folder::Folder::read(dir)?;
    let files = folder.files.len();
    let entries = super::runtime()?.block_on(async {
        let store = open_database(database_url).await?;
        server::service::import_kb(&store, site, folder, dir)
            .await
            .map_err(anyhow::Error::from)
    })?;
    writeln!(
        std::io::stdout().lock(),
        "imported {} into site {site}: {files} file(s), {entries} entries; edit and publish it in the workbench (/admin/kb) or with POST /api/v1/admin/kb/{site}/publish",
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `kb export --site S DIR`.
pub fn export(site: &str, dir: &Path, replace: bool, database_url: &str) -> Result<ExitCode> {
    let files = super::runtime()?.block_on(async {
        let store = open_database(database_url).await?;
        if store.site(site).await?.is_none() {
            bail!("no site {site:?}");
        }
        Ok(store.kb_files(site).await?)
    })?;
    if files.is_empty() {
        bail!("the site {site} has no knowledge base: import one with `answerdesk kb import DIR --site {site}`");
    }
    if dir.exists() {
        let mut items = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .collect::<std::io::Result<Vec<_>>>()?;
        items.retain(|i| !i.file_name().to_string_lossy().starts_with('.'));
        if !items.is_empty() && !replace {
            bail!(
                "{} is not empty: export into a new folder, or pass --replace to empty it first",
                dir.display()
            );
        }
        for item in items {
            let path = item.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            }
            .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    let folder = knowledge::folder::Folder { files };
    folder
        .write(dir)
        .with_context(|| format!("cannot write {}", dir.display()))?;
    writeln!(
        std::io::stdout().lock(),
        "exported site {site} to {}: {} file(s)",
        dir.display(),
        folder.files.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
