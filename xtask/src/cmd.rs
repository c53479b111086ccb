//! Running commands with their progress shown and their failures explained.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// Numbered progress lines: `==> [2/5] Installing trunk 0.21.14`.
pub struct Steps {
    total: usize,
    done: usize,
}

impl Steps {
    pub fn new(total: usize) -> Steps {
        Steps { total, done: 0 }
    }

    pub fn start(&mut self, what: &str) {
        self.done += 1;
        if self.done > self.total {
            self.total = self.done;
        }
        println!("\n==> [{}/{}] {what}", self.done, self.total);
    }
}

/// A command line as the user would type it, for messages.
pub fn display(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Runs to completion with output passed through; fails with the command line and `hint`.
pub fn run(cmd: &mut Command, hint: &str) -> Result<()> {
    println!("    $ {}", display(cmd));
    let started = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("cannot start `{}`. {hint}", display(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status}). {hint}", display(cmd));
    }
    println!("    ({:.0?})", started.elapsed());
    Ok(())
}

/// Like [`run`], also returning everything printed (stdout and stderr interleaved by line),
/// so a stage can count its tests. The status is returned rather than turned into an error.
pub fn run_tee(cmd: &mut Command) -> Result<(bool, String)> {
    println!("    $ {}", display(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{}`", display(cmd)))?;
    let (tx, rx) = mpsc::channel::<(bool, String)>();
    let pump = |stream: Box<dyn Read + Send>, is_err: bool, tx: mpsc::Sender<(bool, String)>| {
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send((is_err, line)).is_err() {
                    break;
                }
            }
        })
    };
    let out = pump(
        Box::new(child.stdout.take().expect("piped")),
        false,
        tx.clone(),
    );
    let err = pump(Box::new(child.stderr.take().expect("piped")), true, tx);
    let mut captured = String::new();
    for (is_err, line) in rx {
        if is_err {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
        captured.push_str(&line);
        captured.push('\n');
    }
    let _ = (out.join(), err.join());
    let status = child.wait()?;
    Ok((status.success(), captured))
}

/// The trimmed stdout of a command, or `None` when it cannot run or fails.
pub fn output_of(program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Where `program` is on PATH, or its bare name when `which` does not find it (the command
/// that runs it then says what is missing).
pub fn which(program: &str) -> String {
    output_of("which", &[program]).unwrap_or_else(|| program.to_string())
}

pub fn is_root() -> bool {
    output_of("id", &["-u"]).as_deref() == Some("0")
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}
