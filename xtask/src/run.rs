//! `cargo xtask run`: from a fresh machine to the demo in one command.

use std::os::unix::process::CommandExt as _;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::Steps;
use crate::{build, project_root, toolchain};

/// The demo's database, under `./data` with its snapshot.
const DATABASE_URL: &str = "sqlite://data/answerdesk.db";

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
    let mut steps = Steps::new(9);
    toolchain::ensure_web_tools(&root, &mut steps)?;

    steps.start("Building the web app (Trunk, release)");
    build::web_app(&root)?;
    steps.start("Building the answerdesk binary (release)");
    let answerdesk = build::answerdesk_release(&root)?;
    steps.start("Compiling the demo knowledge base (examples/demo-kb)");
    let snapshot = root.join("data/demo.snapshot");
    build::demo_snapshot(&root, &answerdesk, &snapshot)?;

    std::fs::create_dir_all(root.join("data")).context("cannot create ./data")?;
    steps.start("Giving the site `demo` the demo knowledge base to edit (once)");
    import_demo_kb(&root, &answerdesk)?;

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
    let error = Command::new(&answerdesk)
        .arg("serve")
        .args(["--addr", &options.addr])
        .args(["--database-url", DATABASE_URL])
        .args(["--dist", "dist"])
        .args(["--snapshot", "data/demo.snapshot"])
        .current_dir(&root)
        .exec();
    Err(error).with_context(|| format!("cannot start {}", answerdesk.display()))
}

/// Imports `examples/demo-kb` as the site `demo`'s knowledge base when the site has none yet, so
/// the admin's knowledge-base editor opens on the demo's entries on a fresh run. Never over what
/// is there: an admin's edits survive every later run. The site keeps being served the compiled
/// `data/demo.snapshot` until someone publishes from the editor. `kb export` is the way to ask
/// whether a site has a knowledge base: it refuses, saying so, when it has none.
fn import_demo_kb(root: &std::path::Path, answerdesk: &std::path::Path) -> Result<()> {
    let probe = std::env::temp_dir().join(format!("answerdesk-demo-kb-{}", std::process::id()));
    let exported = Command::new(answerdesk)
        .args(["kb", "export", "--site", "demo", "--replace"])
        .arg(&probe)
        .args(["--database-url", DATABASE_URL])
        .current_dir(root)
        .output()
        .with_context(|| format!("cannot start {}", answerdesk.display()))?;
    let _ = std::fs::remove_dir_all(&probe);
    if exported.status.success() {
        println!("    the site demo has a knowledge base already: kept as it is");
        return Ok(());
    }
    // The probe is the first command to open a fresh database: the admin account is made then,
    // and its password printed, once, to the probe's output.
    print!("{}", String::from_utf8_lossy(&exported.stdout));
    let said = String::from_utf8_lossy(&exported.stderr);
    if !said.contains("has no knowledge base") {
        bail!("cannot tell whether the site demo has a knowledge base:\n{said}");
    }
    crate::cmd::run(
        Command::new(answerdesk)
            .args(["kb", "import", "examples/demo-kb", "--site", "demo"])
            .args(["--database-url", DATABASE_URL])
            .current_dir(root),
        "The demo knowledge base could not be imported into the site demo.",
    )
}
