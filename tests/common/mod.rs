//! Helpers shared by the end-to-end tests: run the `netsim` binary, find the
//! shipped scenarios, check captures with tshark.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every shipped scenario file (`scenarios/**/*.ron`), sorted.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("scenarios")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // The crate's own sources and test fixtures are not shipped scenarios.
                if !matches!(
                    path.file_name().and_then(|n| n.to_str()),
                    Some("src" | "tests")
                ) {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "ron") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The shipped scenario named `name` (its file stem), in whichever folder of
/// `scenarios/` it lives.
///
/// # Panics
/// If no shipped scenario has that name.
pub fn shipped(name: &str) -> PathBuf {
    shipped_scenarios()
        .into_iter()
        .find(|f| f.file_stem().is_some_and(|s| s == name))
        .unwrap_or_else(|| panic!("no shipped scenario named {name}"))
}

/// A fresh, empty scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `netsim` with `args` in the repository root.
pub fn netsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netsim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("netsim runs")
}

/// Runs a scenario quietly into `out`, asserting success.
pub fn run_into(scenario: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = netsim(&args);
    assert!(
        o.status.success(),
        "netsim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The files of a directory, sorted, with their bytes.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// tshark, or a failure telling how to install it (tests never skip).
pub fn tshark() -> Command {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "tshark is required by this test: run ./test.sh, or apt-get install tshark"
    );
    let mut c = Command::new("tshark");
    c.env("HOME", std::env::temp_dir());
    c
}

/// Reads a pcap with tshark, checksum validation on, and returns one line per
/// frame: `number<TAB>protocols<TAB>expert messages<TAB>malformed`.
pub fn tshark_frames(pcap: &Path) -> Vec<String> {
    let out = tshark()
        .args(["-r", pcap.to_str().unwrap(), "-n"])
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
        ])
        .args(["-T", "fields", "-E", "separator=\t"])
        .args([
            "-e",
            "frame.number",
            "-e",
            "frame.protocols",
            "-e",
            "_ws.expert.message",
            "-e",
            "_ws.malformed",
        ])
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Runs tshark with a display filter and returns the chosen fields, one line per frame.
pub fn tshark_fields(pcap: &Path, filter: &str, fields: &[&str]) -> Vec<String> {
    let mut c = tshark();
    c.args([
        "-r",
        pcap.to_str().unwrap(),
        "-n",
        "-Y",
        filter,
        "-T",
        "fields",
        "-E",
        "separator=,",
    ]);
    for f in fields {
        c.args(["-e", f]);
    }
    let out = c.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every event of a run's `events.jsonl` (the provenance line excluded).
pub fn events(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("events.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The TCP state changes at `node`, as "FROM -> TO".
pub fn tcp_states(events: &[serde_json::Value], node: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "tcp" && e["tcp"] == "state" && e["node"] == node)
        .map(|e| {
            format!(
                "{} -> {}",
                e["state_from"].as_str().unwrap(),
                e["state_to"].as_str().unwrap()
            )
        })
        .collect()
}

/// The TCP segments `node` sent: (seq, ack or -1, flags, payload length, cause).
pub fn tcp_sent(events: &[serde_json::Value], node: &str) -> Vec<(u64, i64, String, u64, String)> {
    events
        .iter()
        .filter(|e| e["kind"] == "tcp" && e["tcp"] == "sent" && e["node"] == node)
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["ack"].as_i64().unwrap_or(-1),
                e["flags"].as_str().unwrap().to_string(),
                e["payload_len"].as_u64().unwrap(),
                e["cause"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
