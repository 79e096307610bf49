//! `netsim merge`: the shards of a sweep, run on many machines, combined into
//! the same `results.csv`, `summary.csv` and plot as one machine writes.
//!
//! Each shard directory carries the whole sweep's manifest (`sweep.json`) and
//! its runs' result files. Merging checks that every directory belongs to the
//! same sweep (same netsim version, plan and grid-point scenario hashes), then
//! takes each run of the plan from whichever directory has it:
//!
//! - a run found in several directories with identical results is taken once
//!   (shards that overlap, or a directory given twice);
//! - a run whose results differ between directories is a conflict: nothing is
//!   written ([`SweepError::Conflict`], exit code 2);
//! - a run found nowhere is missing: the tables are written from the runs that
//!   are there and the report lists the missing ones (exit code 1). Rerunning
//!   the sweep with `--out` on the merged directory runs exactly those.
//!
//! The merged directory holds the manifest (without a shard), a copy of every
//! result file (so it can be resumed and merged again) and the tables. Per-run
//! output folders (`--outputs`) are not copied.

use std::path::{Path, PathBuf};

use crate::sweep::record::{self, Manifest, RunRecord};
use crate::sweep::{SweepError, results};

/// What a merge did.
#[derive(Debug)]
pub struct MergeReport {
    /// The merged directory.
    pub out_dir: PathBuf,
    /// Runs in the sweep.
    pub runs: usize,
    /// Runs found.
    pub merged: usize,
    /// Runs found in more than one directory (with identical results).
    pub duplicates: usize,
    /// Runs found nowhere: id, values and seed.
    pub missing: Vec<(String, String, u64)>,
    /// The printed summary table.
    pub table: String,
    /// The files written (tables and plots).
    pub written: Vec<PathBuf>,
}

/// Merges the sweep directories `dirs` into `out` (default
/// `out/<name>-sweep/`).
pub fn merge(dirs: &[PathBuf], out: Option<&Path>) -> Result<MergeReport, SweepError> {
    let Some(first_dir) = dirs.first() else {
        return Err(SweepError::Conflict(
            "nothing to merge: give shard directories".into(),
        ));
    };
    let read = |d: &PathBuf| {
        record::read_manifest(d).map_err(|source| SweepError::Io {
            path: d.join(record::MANIFEST_FILE),
            source,
        })
    };
    let first = read(first_dir)?;
    for d in &dirs[1..] {
        let m = read(d)?;
        if let Some(what) = difference(&first, &m) {
            return Err(SweepError::Conflict(format!(
                "{} and {} are not shards of one sweep: {what}",
                first_dir.display(),
                d.display()
            )));
        }
    }
    let manifest = Manifest {
        shard: None,
        ..first
    };
    let plan = &manifest.plan;

    let mut found: Vec<(RunRecord, PathBuf)> = Vec::new();
    let mut missing = Vec::new();
    let mut duplicates = 0;
    for r in plan.runs() {
        let hash = &manifest.point_hashes[r.point_index];
        let mut here: Option<(RunRecord, PathBuf)> = None;
        for d in dirs {
            let Some(rec) = record::read_record(d, &r.id) else {
                continue;
            };
            if &rec.scenario_hash != hash || rec.netsim_version != manifest.netsim_version {
                continue;
            }
            match &here {
                None => here = Some((rec, record::record_path(d, &r.id))),
                Some((prev, _)) if *prev == rec => duplicates += 1,
                Some((_, path)) => {
                    return Err(SweepError::Conflict(format!(
                        "run {} ({}, seed {}) has different results in {} and {}",
                        r.id,
                        plan.values(&r.point).join(", "),
                        r.seed,
                        path.display(),
                        record::record_path(d, &r.id).display()
                    )));
                }
            }
        }
        match here {
            Some(f) => found.push(f),
            None => missing.push((r.id.clone(), plan.values(&r.point).join(", "), r.seed)),
        }
    }

    let out_dir = out.map_or_else(
        || Path::new("out").join(format!("{}-sweep", manifest.scenario)),
        Path::to_path_buf,
    );
    let runs_dir = out_dir.join(record::RUNS_DIR);
    std::fs::create_dir_all(&runs_dir).map_err(|source| SweepError::Io {
        path: runs_dir.clone(),
        source,
    })?;
    record::write_json(&out_dir, record::MANIFEST_FILE, &manifest).map_err(|source| {
        SweepError::Io {
            path: out_dir.join(record::MANIFEST_FILE),
            source,
        }
    })?;
    for (rec, from) in &found {
        let to = record::record_path(&out_dir, &rec.id);
        if !same_file(from, &to) {
            // The bytes as they are: a re-serialized copy could differ.
            std::fs::copy(from, &to).map_err(|source| SweepError::Io {
                path: to.clone(),
                source,
            })?;
        }
    }
    let records: Vec<RunRecord> = found.into_iter().map(|(r, _)| r).collect();
    let (table, written) =
        results::write_all(&out_dir, &manifest, &records).map_err(|source| SweepError::Io {
            path: out_dir.clone(),
            source,
        })?;
    Ok(MergeReport {
        out_dir,
        runs: plan.runs().len(),
        merged: records.len(),
        duplicates,
        missing,
        table,
        written,
    })
}

/// Why two manifests are not of the same sweep, if they are not.
fn difference(a: &Manifest, b: &Manifest) -> Option<String> {
    if a.netsim_version != b.netsim_version {
        Some(format!(
            "netsim {} against {}",
            a.netsim_version, b.netsim_version
        ))
    } else if a.scenario != b.scenario {
        Some(format!(
            "scenario {:?} against {:?}",
            a.scenario, b.scenario
        ))
    } else if a.plan != b.plan {
        Some("their grids, seeds, metrics or plots differ".into())
    } else if a.point_hashes != b.point_hashes {
        Some("the scenario changed between them (different scenario hashes)".into())
    } else {
        None
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
