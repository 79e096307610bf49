//! The determinism check: run a scenario twice with the same seed and
//! compare every output file byte for byte (`netsim run --check-determinism`).
//!
//! The two runs write into `determinism/run-1/` and `determinism/run-2/`
//! under the run's output directory (emptied first). When every file is
//! identical the two directories are removed again; when a file differs they
//! are kept for inspection, and the first difference is reported: the file,
//! and for text files the first differing line (in `events.jsonl`, the first
//! differing event), for binary files (pcap) the first differing byte.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::{Error, Loaded, RunOptions};

/// Where the two runs write, under the output directory.
pub const DETERMINISM_DIR: &str = "determinism";

/// The result of comparing two output directories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Same files, same bytes.
    Identical {
        /// How many files were compared.
        files: usize,
    },
    /// The first difference, in file-name order.
    Differs(Difference),
}

/// Where two output directories first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The file, relative to the output directory.
    pub file: PathBuf,
    /// What differs, e.g. `line 12: ... | ...`, `only in the first run`.
    pub detail: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.detail)
    }
}

/// Every file under `dir`, as paths relative to it, sorted.
fn list(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Shortens a line for a message.
fn clip(line: &str) -> String {
    const MAX: usize = 160;
    if line.chars().count() <= MAX {
        line.to_string()
    } else {
        let head: String = line.chars().take(MAX).collect();
        format!("{head}...")
    }
}

/// Where two different byte strings first differ.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    if let (Ok(ta), Ok(tb)) = (std::str::from_utf8(a), std::str::from_utf8(b)) {
        let (mut la, mut lb) = (ta.lines(), tb.lines());
        let mut n = 0;
        loop {
            n += 1;
            match (la.next(), lb.next()) {
                (Some(x), Some(y)) if x == y => continue,
                (Some(x), Some(y)) => {
                    return format!(
                        "line {n} differs:\n  run 1: {}\n  run 2: {}",
                        clip(x),
                        clip(y)
                    );
                }
                (Some(x), None) => {
                    return format!("line {n} only in run 1: {}", clip(x));
                }
                (None, Some(y)) => {
                    return format!("line {n} only in run 2: {}", clip(y));
                }
                // Same lines, different line endings at the very end.
                (None, None) => return "the files differ in their last bytes".to_string(),
            }
        }
    }
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    format!(
        "first differing byte at offset {at} ({} and {} bytes long)",
        a.len(),
        b.len()
    )
}

/// Compares two output directories file by file.
///
/// # Errors
/// A directory or file cannot be read.
pub fn compare_dirs(a: &Path, b: &Path) -> io::Result<Verdict> {
    let (fa, fb) = (list(a)?, list(b)?);
    let mut names: Vec<&PathBuf> = fa.iter().chain(&fb).collect();
    names.sort();
    names.dedup();
    for name in &names {
        let detail = match (fa.contains(name), fb.contains(name)) {
            (true, false) => Some("only written by run 1".to_string()),
            (false, true) => Some("only written by run 2".to_string()),
            _ => {
                let (x, y) = (std::fs::read(a.join(name))?, std::fs::read(b.join(name))?);
                (x != y).then(|| first_difference(&x, &y))
            }
        };
        if let Some(detail) = detail {
            return Ok(Verdict::Differs(Difference {
                file: (*name).clone(),
                detail,
            }));
        }
    }
    Ok(Verdict::Identical { files: names.len() })
}

/// Runs `loaded` twice with `opts` (quietly, writing outputs) into
/// `determinism/run-1` and `run-2` under the output directory and compares
/// them. Returns the verdict and the directory holding the two runs (removed
/// when they are identical).
///
/// # Errors
/// A run fails, or the outputs cannot be written or read back.
pub fn check(loaded: &Loaded, opts: &RunOptions) -> Result<(Verdict, PathBuf), Error> {
    let base = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| crate::default_out_dir(&loaded.scenario))
        .join(DETERMINISM_DIR);
    let io_err = |dir: &Path| {
        let dir = dir.to_path_buf();
        move |source| Error::Output { dir, source }
    };
    match std::fs::remove_dir_all(&base) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_err(&base)(e)),
        _ => {}
    }
    let dirs = [base.join("run-1"), base.join("run-2")];
    for dir in &dirs {
        let run_opts = RunOptions {
            out_dir: Some(dir.clone()),
            write_outputs: true,
            echo: false,
            ..opts.clone()
        };
        crate::run(loaded, &run_opts)?;
    }
    let verdict = compare_dirs(&dirs[0], &dirs[1]).map_err(io_err(&base))?;
    if matches!(verdict, Verdict::Identical { .. }) {
        std::fs::remove_dir_all(&base).map_err(io_err(&base))?;
    }
    Ok((verdict, base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("netsim-determinism-{}", std::process::id()))
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        for (f, bytes) in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        dir
    }

    #[test]
    fn identical_directories_count_their_files() {
        let files: &[(&str, &[u8])] = &[("a.txt", b"x\n"), ("sub/b.pcap", &[1, 2, 3])];
        let (a, b) = (dir_with("same-a", files), dir_with("same-b", files));
        assert_eq!(
            compare_dirs(&a, &b).unwrap(),
            Verdict::Identical { files: 2 }
        );
    }

    #[test]
    fn the_first_differing_event_is_named_with_its_line() {
        let a = dir_with(
            "event-a",
            &[
                (
                    "events.jsonl",
                    b"{\"p\":1}\n{\"t\":1.0,\"seq\":1}\n{\"t\":2.0}\n",
                ),
                ("trace.txt", b"same\n"),
            ],
        );
        let b = dir_with(
            "event-b",
            &[
                (
                    "events.jsonl",
                    b"{\"p\":1}\n{\"t\":1.0,\"seq\":2}\n{\"t\":2.0}\n",
                ),
                ("trace.txt", b"same\n"),
            ],
        );
        let Verdict::Differs(d) = compare_dirs(&a, &b).unwrap() else {
            panic!("the directories differ");
        };
        assert_eq!(d.file, PathBuf::from("events.jsonl"));
        assert_eq!(
            d.detail,
            "line 2 differs:\n  run 1: {\"t\":1.0,\"seq\":1}\n  run 2: {\"t\":1.0,\"seq\":2}"
        );
    }

    #[test]
    fn binary_files_report_the_first_differing_byte_and_missing_files_are_named() {
        let a = dir_with(
            "bin-a",
            &[("h1-eth0.pcap", &[0xd4, 0xc3, 0xb2, 0xa1, 0, 9])],
        );
        let b = dir_with(
            "bin-b",
            &[("h1-eth0.pcap", &[0xd4, 0xc3, 0xb2, 0xa1, 1, 9])],
        );
        let Verdict::Differs(d) = compare_dirs(&a, &b).unwrap() else {
            panic!("the directories differ");
        };
        assert_eq!(
            d.to_string(),
            "h1-eth0.pcap: first differing byte at offset 4 (6 and 6 bytes long)"
        );
        let c = dir_with(
            "bin-c",
            &[
                ("h1-eth0.pcap", &[0xd4, 0xc3, 0xb2, 0xa1, 0, 9]),
                ("x.csv", b"1\n"),
            ],
        );
        let Verdict::Differs(d) = compare_dirs(&a, &c).unwrap() else {
            panic!("the directories differ");
        };
        assert_eq!(d.to_string(), "x.csv: only written by run 2");
    }
}
