//! The `netsim sweep` and `netsim merge` commands (part of the binary): their
//! arguments, progress lines and exit codes.
//!
//! Exit codes: `sweep` 0 on success, 2 for invalid input or usage (nothing
//! written) or when a run failed (the other runs' results are written);
//! `merge` 0 on success, 1 when runs are missing (the tables of the runs
//! found are written), 2 for directories that are not shards of one sweep or
//! hold conflicting results (nothing written).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use netsim::merge::merge;
use netsim::sweep::{Finished, Shard, Sweep, SweepError, SweepOptions, results};
use scenarios::sweep::{Metric, Plan, Seeds};

/// Arguments of `netsim sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// The scenario file (RON), usually with a `sweep` section.
    file: PathBuf,
    /// Sweep a field: --set 'loss=Bernoulli(p: 0.01),Bernoulli(p: 0.02)'. Replaces
    /// the declared axis of the same path or adds one; with one value, fixes the
    /// field for every run. Commas inside brackets or double quotes do not
    /// separate values.
    #[arg(long = "set", value_name = "PATH=V1,V2,...")]
    sets: Vec<String>,
    /// Seeds of the repetitions: A..B (B excluded), A..=B (B included) or N.
    #[arg(long, value_parser = parse_seeds)]
    seeds: Option<Seeds>,
    /// Stop time of every run, replacing the scenario's (e.g. 10s).
    #[arg(long, value_parser = parse_time)]
    until: Option<String>,
    /// Runs in parallel (default: one per core).
    #[arg(long, short, value_parser = parse_jobs)]
    jobs: Option<usize>,
    /// The sweep directory (default out/<scenario name>-sweep/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only the I-th of N slices of the runs: those whose index in the
    /// canonical order, modulo N, is I-1 (e.g. --shard 3/16).
    #[arg(long, value_parser = parse_shard)]
    shard: Option<Shard>,
    /// Keep every run's own outputs (trace, captures, ...) in DIR/runs/<id>/.
    #[arg(long)]
    outputs: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Arguments of `netsim merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Sweep directories written by `netsim sweep --shard I/N`.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The merged directory (default out/<scenario name>-sweep/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_seeds(s: &str) -> Result<Seeds, String> {
    s.parse()
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}

fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "expected a number of parallel runs, 1 or more, got {s:?}"
        )),
    }
}

fn parse_time(s: &str) -> Result<String, String> {
    s.parse::<sim_core::SimTime>()
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

/// Runs `netsim sweep`.
pub fn sweep(a: SweepArgs) -> ExitCode {
    let opts = SweepOptions {
        sets: a.sets,
        seeds: a.seeds,
        until: a.until,
        jobs: a.jobs,
        out_dir: a.out,
        shard: a.shard,
        outputs: a.outputs,
    };
    let sw = match Sweep::prepare(&a.file, &opts) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let quiet = a.quiet;
    if !quiet {
        print_header(&sw);
    }
    let plan = &sw.plan;
    let progress = |f: Finished<'_>| {
        if !quiet {
            println!("{}", progress_line(plan, &f));
        }
    };
    let report = match sw.run(&progress) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if !quiet {
        println!();
        print!("{}", report.table);
        println!(
            "{} runs: {} run, {} skipped (already done){}",
            report.total,
            report.ran,
            report.skipped,
            if report.failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed", report.failed.len())
            }
        );
        print_written(&sw.out_dir, &report.written);
    }
    for (id, values, e) in &report.failed {
        eprintln!("error: run {id} ({values}): {e}");
    }
    if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Runs `netsim merge`.
pub fn merge_dirs(a: MergeArgs) -> ExitCode {
    let report = match merge(&a.dirs, a.out.as_deref()) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    if !a.quiet {
        println!(
            "merged {} of {} runs from {} directories into {}/ ({} found more than once)",
            report.merged,
            report.runs,
            a.dirs.len(),
            report.out_dir.display(),
            report.duplicates
        );
        println!();
        print!("{}", report.table);
        print_written(&report.out_dir, &report.written);
    }
    if report.missing.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "error: {} of {} runs are missing (rerun the sweep with --out {} to run them):",
        report.missing.len(),
        report.runs,
        report.out_dir.display()
    );
    for (id, values, seed) in report.missing.iter().take(20) {
        eprintln!("  run {id}: {values} seed {seed}");
    }
    if report.missing.len() > 20 {
        eprintln!("  ... and {} more", report.missing.len() - 20);
    }
    ExitCode::from(1)
}

/// `netsim check` on a scenario with a `sweep` section: checks the sweep
/// (every value, every grid point) with the `--set` arguments read as
/// `netsim sweep` reads them, and describes it.
pub fn check(file: &Path, sets: &[String]) -> ExitCode {
    let opts = SweepOptions {
        sets: sets.to_vec(),
        ..SweepOptions::default()
    };
    match Sweep::prepare(file, &opts) {
        Ok(sw) => {
            let plan = &sw.plan;
            println!(
                "{}: sweep ok: {} grid points x {} seeds ({}) = {} runs",
                file.display(),
                plan.points_len(),
                plan.seeds.count(),
                plan.seeds,
                sw.runs.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &SweepError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn print_header(sw: &Sweep) {
    let plan = &sw.plan;
    let total = plan.points_len() as u64 * plan.seeds.count();
    let shard = match sw.manifest.shard {
        Some(s) => format!(", shard {s}: {} runs", sw.runs.len()),
        None => String::new(),
    };
    println!(
        "sweep {:?}: {} grid points x {} seeds ({}) = {total} runs{shard}",
        sw.manifest.scenario,
        plan.points_len(),
        plan.seeds.count(),
        plan.seeds
    );
    let done = sw.done.iter().filter(|d| **d).count();
    println!(
        "running {} on {} threads into {}/ ({done} already done)",
        sw.runs.len() - done,
        sw.jobs,
        sw.out_dir.display()
    );
}

/// `[ 3/40] loss=Bernoulli(p: 0.01), seed 3: goodput (Mbit/s) 3.52`
fn progress_line(plan: &Plan, f: &Finished<'_>) -> String {
    let width = f.of.to_string().len();
    let mut point: Vec<String> = plan
        .axes
        .iter()
        .zip(&f.values)
        .map(|(a, v)| format!("{}={v}", a.path))
        .collect();
    point.push(format!("seed {}", f.run.seed));
    let what = match f.result {
        Ok(rec) => plan
            .metrics
            .iter()
            .map(|&m| match results::metric(rec, m) {
                Some(v) => format!("{} {}", m.title(), short(v * m.display_scale(), m)),
                None => format!("{} -", m.title()),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Err(e) => format!("failed: {e}"),
    };
    format!("[{:>width$}/{}] {}: {what}", f.done, f.of, point.join(", "))
}

fn short(v: f64, m: Metric) -> String {
    match m {
        Metric::Retransmissions | Metric::Rtos | Metric::FastRetransmits | Metric::Drops => {
            format!("{v:.0}")
        }
        Metric::Fairness | Metric::Utilisation => format!("{v:.3}"),
        _ => format!("{v:.2}"),
    }
}

fn print_written(dir: &Path, written: &[PathBuf]) {
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    println!("wrote {}/: {}", dir.display(), names.join(", "));
}
