//! `cargo xtask openapi`: the REST API's OpenAPI document read the way its users read it.
//!
//! 1. `answerdesk openapi` prints the document, without a server;
//! 2. `openapi-spec-validator` (PyPI, the version pinned in `[workspace.metadata.toolchain]`,
//!    its dependencies in `xtask/openapi/constraints.txt`, in a venv under the target dir)
//!    validates it as OpenAPI 3.1;
//! 3. `openapi-typescript` (npm, pinned in package-lock.json) generates a TypeScript client's
//!    types from it, and `tsc --noEmit` compiles them with `xtask/openapi/check.ts`, which uses a
//!    few of them as a client would. Two operations with one `operationId` fail both steps.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::{self, Steps};
use crate::{build, toolchain};

/// Both checks, the second even when the first fails; returns how many passed and failed.
pub fn check(root: &Path, steps: &mut Steps) -> Result<(usize, usize)> {
    let out = build::target_dir(root)?.join("xtask").join("openapi");
    std::fs::create_dir_all(&out)?;
    steps.start("The OpenAPI document (answerdesk openapi)");
    let document = dump(root, &out)?;
    let versions = toolchain::Versions::load(root)?;
    steps.start(&format!(
        "openapi-spec-validator {}: is it OpenAPI 3.1?",
        versions.openapi_spec_validator
    ));
    let valid = ensure_validator(root, &versions.openapi_spec_validator).and_then(|validator| {
        cmd::run(
            Command::new(validator)
                .args(["--schema", "3.1", "--validation-errors", "all"])
                .arg(&document),
            "The OpenAPI document is not valid OpenAPI 3.1: see the errors above.",
        )
    });
    steps.start("A TypeScript client from openapi-typescript, compiled by tsc");
    let compiles =
        toolchain::ensure_npm_packages(root).and_then(|()| client(root, &document, &out));
    let mut counts = (0, 0);
    for result in [valid, compiles] {
        match result {
            Ok(()) => counts.0 += 1,
            Err(e) => {
                println!("    FAILED: {e:#}");
                counts.1 += 1;
            }
        }
    }
    Ok(counts)
}

fn dump(root: &Path, out: &Path) -> Result<PathBuf> {
    let answerdesk = build::answerdesk_debug(root)?;
    let printed = Command::new(&answerdesk)
        .arg("openapi")
        .output()
        .with_context(|| format!("cannot run {}", answerdesk.display()))?;
    if !printed.status.success() {
        bail!(
            "`answerdesk openapi` failed: {}",
            String::from_utf8_lossy(&printed.stderr)
        );
    }
    let document = out.join("openapi.json");
    std::fs::write(&document, &printed.stdout)?;
    println!(
        "    {} ({} bytes)",
        document.display(),
        printed.stdout.len()
    );
    Ok(document)
}

/// The venv's `openapi-spec-validator`, installed at `version` when it is not already.
fn ensure_validator(root: &Path, version: &str) -> Result<PathBuf> {
    let venv = build::target_dir(root)?.join("xtask").join("openapi-venv");
    let validator = venv.join("bin").join("openapi-spec-validator");
    let stamp = venv.join("installed");
    let wanted = format!("openapi-spec-validator=={version}");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == wanted) && validator.exists() {
        println!("    present");
        return Ok(validator);
    }
    if !venv.join("bin").join("python").exists() {
        cmd::run(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 with the venv module is needed (apt-get install python3-venv)",
        )?;
    }
    cmd::run(
        Command::new(venv.join("bin").join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(&wanted)
            .arg("--constraint")
            .arg(root.join("xtask/openapi/constraints.txt")),
        "pip must reach PyPI",
    )?;
    std::fs::write(&stamp, &wanted)?;
    Ok(validator)
}

fn client(root: &Path, document: &Path, out: &Path) -> Result<()> {
    let client = out.join("client");
    std::fs::create_dir_all(&client)?;
    let generated = client.join("api.d.ts");
    cmd::run(
        Command::new("openapi-typescript")
            .arg(document)
            .arg("--output")
            .arg(&generated)
            .env("PATH", toolchain::tool_path(root)),
        "openapi-typescript could not read the document.",
    )?;
    std::fs::copy(root.join("xtask/openapi/check.ts"), client.join("check.ts"))?;
    std::fs::write(
        client.join("tsconfig.json"),
        r#"{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "module": "ES2022",
    "moduleResolution": "bundler",
    "types": [],
    "skipLibCheck": false
  },
  "files": ["api.d.ts", "check.ts"]
}
"#,
    )?;
    cmd::run(
        Command::new("tsc")
            .arg("--project")
            .arg(client.join("tsconfig.json"))
            .env("PATH", toolchain::tool_path(root)),
        "The client generated from the OpenAPI document does not compile: see tsc's errors above.",
    )
}
