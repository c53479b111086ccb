//! The pinned tools: read from `[workspace.metadata.toolchain]`, checked against
//! Cargo.lock and Trunk.toml, installed when missing or of another version.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::{self, Steps};

/// Versions from the one place they are written down.
pub struct Versions {
    pub trunk: String,
    pub wasm_bindgen: String,
    pub binaryen: String,
    pub cargo_fuzz: String,
    pub openapi_spec_validator: String,
}

impl Versions {
    pub fn load(root: &Path) -> Result<Versions> {
        let manifest =
            std::fs::read_to_string(root.join("Cargo.toml")).context("cannot read Cargo.toml")?;
        let section = manifest
            .split("[workspace.metadata.toolchain]")
            .nth(1)
            .context("Cargo.toml has no [workspace.metadata.toolchain] section")?;
        let get = |key: &str| -> Result<String> {
            section
                .lines()
                .take_while(|l| !l.trim_start().starts_with('['))
                .find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == key).then(|| {
                        v.split('#')
                            .next()
                            .unwrap_or(v)
                            .trim()
                            .trim_matches('"')
                            .to_string()
                    })
                })
                .with_context(|| format!("[workspace.metadata.toolchain] has no `{key}`"))
        };
        Ok(Versions {
            trunk: get("trunk")?,
            wasm_bindgen: get("wasm-bindgen-cli")?,
            binaryen: get("binaryen-npm")?,
            cargo_fuzz: get("cargo-fuzz")?,
            openapi_spec_validator: get("openapi-spec-validator")?,
        })
    }

    /// wasm-bindgen's CLI must match the crate exactly, or the generated JS and wasm disagree.
    pub fn check_consistency(&self, root: &Path) -> Result<()> {
        if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
            let locked = lock
                .split("[[package]]")
                .find(|p| p.contains("name = \"wasm-bindgen\"\n"))
                .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
                .map(|v| v.trim_matches('"').to_string());
            if let Some(locked) = locked {
                if locked != self.wasm_bindgen {
                    bail!(
                        "Cargo.lock has wasm-bindgen {locked} but [workspace.metadata.toolchain] pins wasm-bindgen-cli {}: make them equal",
                        self.wasm_bindgen
                    );
                }
            }
        }
        let trunk_toml =
            std::fs::read_to_string(root.join("Trunk.toml")).context("cannot read Trunk.toml")?;
        let expected = format!("wasm_bindgen = \"{}\"", self.wasm_bindgen);
        if !trunk_toml.contains(&expected) {
            bail!("Trunk.toml must say `{expected}` under [tools], as pinned in Cargo.toml");
        }
        Ok(())
    }
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// PATH with the project's npm tools and cargo's bin first, so Trunk finds the pinned wasm-opt.
pub fn tool_path(root: &Path) -> std::ffi::OsString {
    let mut paths = vec![root.join("node_modules/.bin"), cargo_bin()];
    if let Some(existing) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

fn version_of(program: &str, root: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .env("PATH", tool_path(root))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn ensure_wasm_target(steps: &mut Steps) -> Result<()> {
    steps.start("Rust target wasm32-unknown-unknown");
    let installed =
        cmd::output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    present");
        return Ok(());
    }
    cmd::run(
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        "Install rustup (https://rustup.rs) or add the target by hand.",
    )
}

fn ensure_cargo_tool(
    root: &Path,
    steps: &mut Steps,
    program: &str,
    krate: &str,
    version: &str,
    locked: bool,
    minutes: u32,
) -> Result<()> {
    steps.start(&format!("{krate} {version}"));
    let found = version_of(program, root);
    if found
        .as_deref()
        .is_some_and(|v| v.split_whitespace().any(|w| w == version))
    {
        println!("    present");
        return Ok(());
    }
    match found {
        Some(other) => {
            println!("    found `{other}`, installing {version} (about {minutes} min on 2 cores)")
        }
        None => println!("    not found, installing (about {minutes} min on 2 cores)"),
    }
    let mut install = Command::new("cargo");
    install.args(["install", krate, "--version", version]);
    if locked {
        install.arg("--locked");
    }
    cmd::run(
        &mut install,
        "Check the network access to crates.io and the error above.",
    )
}

pub fn ensure_trunk(root: &Path, steps: &mut Steps, v: &Versions) -> Result<()> {
    // --locked: Trunk's newer dependencies need a newer rustc than this machine's.
    ensure_cargo_tool(root, steps, "trunk", "trunk", &v.trunk, true, 14)
}

pub fn ensure_wasm_bindgen(root: &Path, steps: &mut Steps, v: &Versions) -> Result<()> {
    // Not --locked: one of its locked dependencies is newer than the registry mirror has.
    ensure_cargo_tool(
        root,
        steps,
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &v.wasm_bindgen,
        false,
        10,
    )
}

/// cargo-fuzz runs the libFuzzer targets in `fuzz/` (`cargo xtask fuzz`).
pub fn ensure_cargo_fuzz(root: &Path, steps: &mut Steps, v: &Versions) -> Result<()> {
    ensure_cargo_tool(
        root,
        steps,
        "cargo-fuzz",
        "cargo-fuzz",
        &v.cargo_fuzz,
        true,
        3,
    )
}

pub fn ensure_wasm_opt(root: &Path, steps: &mut Steps, v: &Versions) -> Result<()> {
    steps.start(&format!("wasm-opt from npm binaryen {}", v.binaryen));
    let major = v.binaryen.split('.').next().unwrap_or(&v.binaryen);
    let local = root.join("node_modules/.bin/wasm-opt");
    if cmd::exists(&local)
        && version_of("wasm-opt", root).is_some_and(|s| s.contains(&format!("version {major}")))
    {
        println!("    present");
        return Ok(());
    }
    if cmd::output_of("npm", &["--version"]).is_none() {
        if cmd::is_root() {
            apt_install(&["nodejs", "npm"])?;
        } else {
            bail!("npm is needed for wasm-opt (npm package `binaryen`): install Node.js and npm, e.g. `sudo apt-get install nodejs npm`");
        }
    }
    cmd::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root),
        "npm could not install package-lock.json's packages.",
    )
}

/// package.json's npm tools, at package-lock.json's versions: `npm ci` when one is missing or
/// of another version than package.json names.
pub fn ensure_npm_packages(root: &Path) -> Result<()> {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("package.json")).context("cannot read package.json")?,
    )
    .context("package.json is not JSON")?;
    let wanted = manifest["devDependencies"]
        .as_object()
        .context("package.json has no devDependencies")?;
    let stale: Vec<&String> = wanted
        .iter()
        .filter(|(name, version)| {
            let installed = std::fs::read_to_string(
                root.join("node_modules")
                    .join(name.as_str())
                    .join("package.json"),
            )
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
            installed.as_ref().and_then(|i| i["version"].as_str()) != version.as_str()
        })
        .map(|(name, _)| name)
        .collect();
    if stale.is_empty() {
        println!("    npm packages present");
        return Ok(());
    }
    println!(
        "    installing npm packages ({} missing or of another version)",
        stale.len()
    );
    if cmd::output_of("npm", &["--version"]).is_none() {
        bail!("npm is needed: install Node.js and npm, e.g. `sudo apt-get install nodejs npm`");
    }
    cmd::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root),
        "npm could not install package-lock.json's packages.",
    )
}

/// Chromium and chromedriver from Debian, the same version, for every browser test, and a CJK
/// font so that Chinese pages (and their screenshots) show characters, not boxes.
pub fn ensure_browser(steps: &mut Steps) -> Result<()> {
    steps.start("Chromium, chromedriver and a CJK font");
    let have = |p: &str| cmd::output_of(p, &["--version"]);
    let cjk_font = cmd::output_of("fc-list", &[":lang=zh"]).is_some_and(|fonts| !fonts.is_empty());
    if let (Some(c), Some(d), true) = (have("chromium"), have("chromedriver"), cjk_font) {
        println!("    present: {c} / {d}");
        return Ok(());
    }
    if !cmd::is_root() {
        bail!("Chromium, chromedriver or a CJK font is missing: run `sudo apt-get install chromium chromium-driver fonts-noto-cjk`");
    }
    apt_install(&["chromium", "chromium-driver", "fonts-noto-cjk"])
}

pub fn apt_install(packages: &[&str]) -> Result<()> {
    cmd::run(
        Command::new("apt-get").arg("update"),
        "apt-get could not read the package lists.",
    )?;
    cmd::run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages),
        "apt-get could not install the packages.",
    )
}

/// Everything Trunk needs to build the web app without downloading a thing.
pub fn ensure_web_tools(root: &Path, steps: &mut Steps) -> Result<()> {
    let v = Versions::load(root)?;
    v.check_consistency(root)?;
    ensure_wasm_target(steps)?;
    ensure_trunk(root, steps, &v)?;
    ensure_wasm_bindgen(root, steps, &v)?;
    ensure_wasm_opt(root, steps, &v)
}
