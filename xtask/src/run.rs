//! `cargo xtask run`: from a fresh machine to the demo in one command.

use std::os::unix::process::CommandExt as _;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::Steps;
use crate::{build, project_root, toolchain};

pub struct Options {
    pub addr: String,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            addr: "127.0.0.1:8080".into(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--addr" => {
                    options.addr = args
                        .next()
                        .context("--addr needs a value, e.g. 127.0.0.1:8080")?
                        .clone()
                }
                other => bail!("unknown option `{other}` (run accepts --addr ADDR)"),
            }
        }
        Ok(options)
    }
}

pub fn run(options: &Options) -> Result<()> {
    let root = project_root();
    let mut steps = Steps::new(8);
    toolchain::ensure_web_tools(&root, &mut steps)?;

    steps.start("Building the web app (Trunk, release)");
    build::web_app(&root)?;
    steps.start("Building the answerdesk binary (release)");
    let answerdesk = build::answerdesk_release(&root)?;
    steps.start("Compiling the demo knowledge base (examples/demo-kb)");
    let snapshot = root.join("data/demo.snapshot");
    build::demo_snapshot(&root, &answerdesk, &snapshot)?;

    steps.start(&format!("Starting answerdesk on http://{}", options.addr));
    let base = format!("http://{}", options.addr);
    println!(
        "
    Open:
      visitor page          {base}/
      demo static site      {base}/demo.html   (one script tag embeds the widget)
      agent workbench       {base}/agent
      admin                 {base}/admin       (first start prints the admin password below, once)

    Stop with Ctrl-C.
"
    );
    std::fs::create_dir_all(root.join("data")).context("cannot create ./data")?;
    let error = Command::new(&answerdesk)
        .arg("serve")
        .args(["--addr", &options.addr])
        .args(["--database-url", "sqlite://data/answerdesk.db"])
        .args(["--dist", "dist"])
        .args(["--snapshot", "data/demo.snapshot"])
        .current_dir(&root)
        .exec();
    Err(error).with_context(|| format!("cannot start {}", answerdesk.display()))
}
