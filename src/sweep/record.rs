//! The files a sweep keeps between runs and shards: the manifest
//! (`sweep.json`, the whole plan) and one result file per run
//! (`runs/<id>.json`), each written atomically.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use reports::AtomicFile;
use scenarios::sweep::Plan;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "sweep.json";
/// The folder of the per-run result files (and per-run outputs, when kept).
pub const RUNS_DIR: &str = "runs";

/// What a sweep directory holds the results of: the whole sweep's plan (not
/// only its shard's part), so that `netsim merge` can rebuild the tables of
/// the whole sweep and tell which runs are missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The netsim version that wrote it.
    pub netsim_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// The plan: axes, fixed overrides, seeds, metrics, plot.
    pub plan: Plan,
    /// The scenario hash of each grid point, in row-major order.
    pub point_hashes: Vec<String>,
    /// The slice of the runs this directory was asked for; `None`: all.
    pub shard: Option<Shard>,
}

/// The result of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run's id.
    pub id: String,
    /// Its position in the sweep's canonical order.
    pub index: usize,
    /// The value of each axis.
    pub values: Vec<String>,
    /// The master seed.
    pub seed: u64,
    /// The netsim version that ran it.
    pub netsim_version: String,
    /// The hash of the scenario it ran (the grid point's).
    pub scenario_hash: String,
    /// Each metric by CSV column; `null` where undefined.
    pub metrics: BTreeMap<String, Option<f64>>,
}

/// A slice `index` of `count` of a sweep's runs (1-based): the runs whose
/// canonical index modulo `count` is `index − 1`. Written `I/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1 to `count`.
    pub index: u32,
    /// How many slices.
    pub count: u32,
}

impl Shard {
    /// Whether the run at canonical position `run` belongs to this slice.
    pub fn contains(self, run: usize) -> bool {
        run % self.count as usize == (self.index - 1) as usize
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected I/N with 1 <= I <= N, e.g. 3/16, got {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Serialize for Shard {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Shard {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Writes `value` as pretty JSON to `dir/name`, atomically.
pub fn write_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> io::Result<PathBuf> {
    let mut f = AtomicFile::create(dir, name)?;
    serde_json::to_writer_pretty(&mut f, value)?;
    f.write_all(b"\n")?;
    f.commit()
}

/// Reads the manifest of a sweep directory.
pub fn read_manifest(dir: &Path) -> io::Result<Manifest> {
    let text = std::fs::read_to_string(dir.join(MANIFEST_FILE))?;
    serde_json::from_str(&text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The path of a run's result file in a sweep directory.
pub fn record_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(RUNS_DIR).join(format!("{id}.json"))
}

/// Reads a run's result file; `None` when it is missing or unreadable (a run
/// that was killed before its file was renamed into place leaves none).
pub fn read_record(dir: &Path, id: &str) -> Option<RunRecord> {
    let text = std::fs::read_to_string(record_path(dir, id)).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_round_robin_slices() {
        let s: Shard = "2/3".parse().unwrap();
        let mine: Vec<usize> = (0..8).filter(|&k| s.contains(k)).collect();
        assert_eq!(mine, [1, 4, 7]);
        assert_eq!(s.to_string(), "2/3");
        for bad in ["0/3", "4/3", "1", "a/b", "1/0"] {
            assert_eq!(
                bad.parse::<Shard>().unwrap_err(),
                format!("expected I/N with 1 <= I <= N, e.g. 3/16, got {bad:?}")
            );
        }
    }
}
