//! The dependencies a `Cargo.toml` declares, in every section and for every target.

use anyhow::{Context, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Normal,
    Build,
    Dev,
}

#[derive(Debug)]
pub struct Dependency {
    /// The package's name on crates.io (a `package = "…"` rename resolved).
    pub name: String,
    pub kind: Kind,
    pub optional: bool,
}

/// The crate's own dependencies; a workspace root's `[workspace.dependencies]` are not any
/// crate's until a crate names them.
pub fn dependencies(manifest: &str) -> Result<Vec<Dependency>> {
    let doc: toml::Table = toml::from_str(manifest).context("not valid TOML")?;
    let mut found = Vec::new();
    collect(&doc, &mut found);
    // `[target.'cfg(…)'.dependencies]`: a dependency on some targets is still a dependency.
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for table in targets.values().filter_map(|t| t.as_table()) {
            collect(table, &mut found);
        }
    }
    Ok(found)
}

fn collect(table: &toml::Table, found: &mut Vec<Dependency>) {
    for (section, kind) in [
        ("dependencies", Kind::Normal),
        ("build-dependencies", Kind::Build),
        ("dev-dependencies", Kind::Dev),
    ] {
        let Some(deps) = table.get(section).and_then(|d| d.as_table()) else {
            continue;
        };
        for (key, spec) in deps {
            let field = |name: &str| spec.as_table().and_then(|t| t.get(name));
            found.push(Dependency {
                name: field("package")
                    .and_then(|p| p.as_str())
                    .unwrap_or(key)
                    .to_string(),
                kind,
                optional: field("optional").and_then(|o| o.as_bool()).unwrap_or(false),
            });
        }
    }
}
