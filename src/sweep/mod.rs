//! Sweeps: one scenario over a grid of parameter values × seeds, in parallel,
//! resumable, and sliceable into shards for many machines.
//!
//! The grid comes from the scenario's `sweep` section and the command line
//! ([`scenarios::sweep`], [`Plan`]). [`Sweep::prepare`] checks everything
//! before anything runs: the plan, and every grid point loaded with its
//! overrides (a bad combination is reported naming the point). [`Sweep::run`]
//! then runs the runs not done yet on a rayon pool of `jobs` threads. Runs are
//! independent simulations, so each run's results and files are the same
//! whatever the number of jobs or the order runs finish in.
//!
//! A sweep directory (default `out/<name>-sweep/`) holds:
//!
//! | file | what |
//! |---|---|
//! | `sweep.json` | the manifest: the whole plan and each grid point's scenario hash |
//! | `runs/<id>.json` | one result per run: values, seed, version, scenario hash, metrics |
//! | `runs/<id>/` | the run's own outputs (trace, captures, ...), only with `outputs` |
//! | `results.csv` | one row per run in canonical order |
//! | `summary.csv` | per grid point: n, and each metric's mean and 95 % CI half-width |
//! | `sweep.svg`, `sweep.png` | the plot, when the sweep declares one |
//!
//! Resume: a run whose result file exists, was written by this netsim version
//! and has the grid point's scenario hash is not run again (and with
//! `outputs`, only if its output folder exists too). The run id does not
//! depend on the other points or seeds, so a sweep extended with more values
//! or seeds only runs what is new. Tables are always built from the result
//! files, so a resumed, a sharded-and-merged and a fresh sweep write the same
//! bytes.
//!
//! A run of a sweep is the same run as `netsim run FILE --set ... --seed S`
//! with the point's overrides (run index 0, and the same scenario hash: the
//! `sweep` section is not part of the hash).
//!
//! Deliberate simplifications: a run that fails (e.g. its event budget runs
//! out) is reported and left without a result file, so a rerun tries it
//! again; the scenario's `expect` section is not evaluated per run.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use scenarios::sweep::plan::RunSpec;
use scenarios::sweep::{Metric, Plan, Seeds};

use crate::{Error, Loaded, RunOptions, VERSION};

mod metrics;
mod plot;
pub mod record;
pub mod results;
pub mod stats;

pub use record::{Manifest, RunRecord, Shard};

/// How to run a sweep.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// `PATH=V1,V2,...` arguments: replace an axis, add one, or (one value)
    /// fix a field for every run. See [`scenarios::sweep::plan`].
    pub sets: Vec<String>,
    /// Replace the seeds of the repetitions.
    pub seeds: Option<Seeds>,
    /// Replace the stop time of every run (a fixed `stop=` override, `"10s"`).
    pub until: Option<String>,
    /// Threads; `None`: one per core.
    pub jobs: Option<usize>,
    /// The sweep directory; `None`: `out/<name>-sweep/`.
    pub out_dir: Option<PathBuf>,
    /// Run only this slice of the runs.
    pub shard: Option<Shard>,
    /// Keep each run's full outputs in `runs/<id>/`.
    pub outputs: bool,
}

/// Why a sweep or a merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario or the sweep is invalid (exit code 2).
    #[error("{0}")]
    Scenario(#[from] scenarios::ScenarioError),
    /// A grid point does not load: a combination of values is invalid.
    #[error("grid point {point}: {source}")]
    Point {
        /// The point's overrides, `loss=..., cc=...`.
        point: String,
        /// Why.
        source: Error,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Shard directories that cannot be merged (different sweeps, or two
    /// results for one run that differ).
    #[error("{0}")]
    Conflict(String),
}

impl SweepError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
        move |source| SweepError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A sweep checked and ready to run.
pub struct Sweep {
    /// The plan.
    pub plan: Plan,
    /// The manifest written to the sweep directory.
    pub manifest: Manifest,
    /// The sweep directory.
    pub out_dir: PathBuf,
    /// The loaded scenario of each grid point, row-major.
    points: Vec<Loaded>,
    /// This shard's runs, in canonical order.
    pub runs: Vec<RunSpec>,
    /// Of those, the ones whose results are already there.
    pub done: Vec<bool>,
    /// Threads to use.
    pub jobs: usize,
    keep_outputs: bool,
}

/// One run finished, for progress reports.
pub struct Finished<'a> {
    /// How many runs of this invocation have finished, this one included.
    pub done: usize,
    /// How many runs this invocation runs.
    pub of: usize,
    /// The run.
    pub run: &'a RunSpec,
    /// Its axis values.
    pub values: Vec<&'a str>,
    /// Its result, or why it failed.
    pub result: Result<&'a RunRecord, &'a Error>,
}

/// What a sweep did.
#[derive(Debug)]
pub struct SweepReport {
    /// Runs in this shard.
    pub total: usize,
    /// Runs run now.
    pub ran: usize,
    /// Runs skipped because their results were there.
    pub skipped: usize,
    /// Runs that failed: id, values and the error.
    pub failed: Vec<(String, String, Error)>,
    /// The printed summary table.
    pub table: String,
    /// The files written (tables and plots).
    pub written: Vec<PathBuf>,
}

impl Sweep {
    /// Loads the scenario at `file`, builds the plan, loads every grid point
    /// and finds the runs already done in the sweep directory.
    pub fn prepare(file: &Path, opts: &SweepOptions) -> Result<Sweep, SweepError> {
        let text = std::fs::read_to_string(file).map_err(|source| {
            SweepError::Scenario(scenarios::ScenarioError::Io {
                path: file.to_path_buf(),
                source,
            })
        })?;
        let origin = file.display().to_string();
        let mut sets = opts.sets.clone();
        if let Some(t) = &opts.until {
            sets.push(format!("stop={t}"));
        }
        let plan = Plan::new(&text, &origin, &sets, opts.seeds)?;
        let mut points = Vec::with_capacity(plan.points_len());
        for k in 0..plan.points_len() {
            let overrides = plan.overrides(&plan.point(k));
            let loaded = Loaded::from_str(&text, &origin, &overrides).map_err(|source| {
                SweepError::Point {
                    point: plan.values(&plan.point(k)).join(", "),
                    source,
                }
            })?;
            points.push(loaded);
        }
        let name = points
            .first()
            .map(|p| p.scenario.name.clone())
            .unwrap_or_default();
        let out_dir = opts
            .out_dir
            .clone()
            .unwrap_or_else(|| Path::new("out").join(format!("{name}-sweep")));
        let manifest = Manifest {
            netsim_version: VERSION.to_string(),
            scenario: name,
            plan: plan.clone(),
            point_hashes: points.iter().map(|p| p.hash.clone()).collect(),
            shard: opts.shard,
        };
        let runs: Vec<RunSpec> = plan
            .runs()
            .into_iter()
            .filter(|r| opts.shard.is_none_or(|s| s.contains(r.index)))
            .collect();
        let done = runs
            .iter()
            .map(|r| {
                let valid = record::read_record(&out_dir, &r.id).is_some_and(|rec| {
                    rec.scenario_hash == manifest.point_hashes[r.point_index]
                        && rec.netsim_version == VERSION
                        && rec.seed == r.seed
                });
                valid && (!opts.outputs || out_dir.join(record::RUNS_DIR).join(&r.id).is_dir())
            })
            .collect();
        let jobs = opts.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        Ok(Sweep {
            plan,
            manifest,
            out_dir,
            points,
            runs,
            done,
            jobs: jobs.max(1),
            keep_outputs: opts.outputs,
        })
    }

    /// Runs the runs not done yet, then writes the tables and the plot from
    /// every result of this shard. `progress` is called as each run finishes
    /// (from worker threads, in completion order).
    pub fn run(&self, progress: &(dyn Fn(Finished<'_>) + Sync)) -> Result<SweepReport, SweepError> {
        let runs_dir = self.out_dir.join(record::RUNS_DIR);
        std::fs::create_dir_all(&runs_dir).map_err(SweepError::io(&runs_dir))?;
        record::write_json(&self.out_dir, record::MANIFEST_FILE, &self.manifest)
            .map_err(SweepError::io(&self.out_dir))?;

        let todo: Vec<&RunSpec> = self
            .runs
            .iter()
            .zip(&self.done)
            .filter(|(_, d)| !**d)
            .map(|(r, _)| r)
            .collect();
        let finished = std::sync::atomic::AtomicUsize::new(0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .stack_size(8 << 20)
            .build()
            .map_err(|e| SweepError::Io {
                path: self.out_dir.clone(),
                source: std::io::Error::other(e),
            })?;
        let outcomes: Vec<Result<(), Error>> = pool.install(|| {
            todo.par_iter()
                .map(|r| {
                    let result = self.run_one(r);
                    let n = finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(Finished {
                        done: n,
                        of: todo.len(),
                        run: r,
                        values: self.plan.values(&r.point),
                        result: result.as_ref(),
                    });
                    result.map(|_| ())
                })
                .collect()
        });
        let mut failed = Vec::new();
        for (r, outcome) in todo.iter().zip(outcomes) {
            if let Err(e) = outcome {
                failed.push((r.id.clone(), self.plan.values(&r.point).join(", "), e));
            }
        }
        let records: Vec<RunRecord> = self
            .runs
            .iter()
            .filter_map(|r| record::read_record(&self.out_dir, &r.id))
            .collect();
        let (table, written) = results::write_all(&self.out_dir, &self.manifest, &records)
            .map_err(SweepError::io(&self.out_dir))?;
        Ok(SweepReport {
            total: self.runs.len(),
            ran: todo.len() - failed.len(),
            skipped: self.runs.len() - todo.len(),
            failed,
            table,
            written,
        })
    }

    /// Runs one run and writes its result file.
    fn run_one(&self, r: &RunSpec) -> Result<RunRecord, Error> {
        let loaded = &self.points[r.point_index];
        let run_dir = self.out_dir.join(record::RUNS_DIR).join(&r.id);
        if self.keep_outputs && run_dir.exists() {
            // Outputs of an older run of this id (another scenario version).
            std::fs::remove_dir_all(&run_dir).map_err(|source| Error::Output {
                dir: run_dir.clone(),
                source,
            })?;
        }
        let opts = RunOptions {
            seed: Some(r.seed),
            out_dir: self.keep_outputs.then(|| run_dir.clone()),
            write_outputs: self.keep_outputs,
            ..RunOptions::in_memory()
        };
        let outcome = crate::run(loaded, &opts)?;
        let rec = RunRecord {
            id: r.id.clone(),
            index: r.index,
            values: self
                .plan
                .values(&r.point)
                .into_iter()
                .map(String::from)
                .collect(),
            seed: r.seed,
            netsim_version: VERSION.to_string(),
            scenario_hash: loaded.hash.clone(),
            metrics: Metric::ALL
                .iter()
                .map(|&m| (m.column().to_string(), metrics::value(m, &outcome.summary)))
                .collect(),
        };
        let runs_dir = self.out_dir.join(record::RUNS_DIR);
        record::write_json(&runs_dir, &format!("{}.json", r.id), &rec).map_err(|source| {
            Error::Output {
                dir: runs_dir.clone(),
                source,
            }
        })?;
        Ok(rec)
    }
}
