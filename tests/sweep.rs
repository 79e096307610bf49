//! `netsim sweep` and `netsim merge` end to end: results that do not depend on
//! the number of jobs, shards that merge into the unsharded results, resume,
//! bad input, and the shipped Mathis sweep against the model.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{netsim, root, scratch};

const MATHIS: &str = "scenarios/experiments/mathis-sweep.ron";

/// A small sweep of the shipped Mathis scenario: 2 loss rates × 2 seeds,
/// 3 simulated seconds each.
const SMALL: [&str; 6] = [
    "--until",
    "3s",
    "--seeds",
    "1..=2",
    "--set",
    "loss=Bernoulli(p: 0.01),Bernoulli(p: 0.02)",
];

fn sweep(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep", MATHIS, "--out", out.to_str().unwrap()];
    args.extend_from_slice(&SMALL);
    args.extend_from_slice(extra);
    let o = netsim(&args);
    assert!(
        o.status.success(),
        "netsim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(path: &Path) -> String {
    String::from_utf8(read(path)).unwrap()
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), read(&p)));
            }
        }
    }
    out.sort();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn results_and_run_outputs_do_not_depend_on_the_number_of_jobs() {
    let (one, two) = (scratch("sweep-jobs-1"), scratch("sweep-jobs-2"));
    sweep(&one, &["--jobs", "1", "--outputs", "--quiet"]);
    sweep(&two, &["--jobs", "2", "--outputs", "--quiet"]);
    let (a, b) = (tree(&one), tree(&two));
    let names: Vec<&PathBuf> = a.iter().map(|(p, _)| p).collect();
    assert_eq!(names, b.iter().map(|(p, _)| p).collect::<Vec<_>>());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{} differs between --jobs 1 and --jobs 2",
            name.display()
        );
    }
    // Four runs, each with its result file and its own outputs.
    let results = text(&one.join("results.csv"));
    let rows: Vec<&str> = results.lines().collect();
    assert_eq!(rows.len(), 5, "{results}");
    assert!(
        rows[0].starts_with("run_id,loss,seed,goodput_bps,"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].ends_with(",netsim_version,scenario_hash"),
        "{}",
        rows[0]
    );
    let cells: Vec<Vec<&str>> = rows[1..].iter().map(|r| r.split(',').collect()).collect();
    let order: Vec<(&str, &str)> = cells.iter().map(|c| (c[1], c[2])).collect();
    assert_eq!(
        order,
        [
            ("Bernoulli(p: 0.01)", "1"),
            ("Bernoulli(p: 0.01)", "2"),
            ("Bernoulli(p: 0.02)", "1"),
            ("Bernoulli(p: 0.02)", "2"),
        ],
        "canonical order: grid point, then seed"
    );
    for c in &cells {
        let id = c[0];
        assert_eq!(id.len(), 16);
        assert!(one.join("runs").join(format!("{id}.json")).is_file());
        assert!(one.join("runs").join(id).join("summary.json").is_file());
        let goodput: f64 = c[3].parse().unwrap();
        assert!(goodput > 1e6, "the flow moves data: {goodput}");
    }
    // Two seeds differ: random loss draws from the seed.
    assert_ne!(cells[0][3], cells[1][3]);
    // summary.csv: one row per loss rate, n = 2.
    let summary = text(&one.join("summary.csv"));
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].starts_with("loss,n,goodput_bps_mean,goodput_bps_ci95,"));
    assert!(rows[1].starts_with("Bernoulli(p: 0.01),2,"));
    assert!(rows[2].starts_with("Bernoulli(p: 0.02),2,"));
}

#[test]
fn shards_merge_into_the_unsharded_results() {
    let whole = scratch("sweep-shard-whole");
    let (s1, s2) = (scratch("sweep-shard-1"), scratch("sweep-shard-2"));
    sweep(&whole, &["--quiet"]);
    let o = sweep(&s1, &["--shard", "1/2"]);
    assert!(
        stdout(&o).contains("= 4 runs, shard 1/2: 2 runs"),
        "{}",
        stdout(&o)
    );
    sweep(&s2, &["--shard", "2/2", "--quiet"]);
    // Round robin: shard 1 has runs 0 and 2 (seed 1 of each loss rate).
    let shard1 = text(&s1.join("results.csv"));
    let seeds: Vec<&str> = shard1
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(seeds, ["1", "1"]);

    let merged = scratch("sweep-shard-merged");
    let o = netsim(&[
        "merge",
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("merged 4 of 4 runs"), "{}", stdout(&o));
    for f in [
        "results.csv",
        "summary.csv",
        "sweep.json",
        "sweep.svg",
        "sweep.png",
    ] {
        assert!(
            read(&whole.join(f)) == read(&merged.join(f)),
            "merged {f} differs from the unsharded run's"
        );
    }
    // The merged directory is a complete sweep: resuming it runs nothing.
    let o = sweep(&merged, &[]);
    assert!(
        stdout(&o).contains("4 runs: 0 run, 4 skipped"),
        "{}",
        stdout(&o)
    );

    // One shard alone: the other's runs are missing (exit 1, listed).
    let partial = scratch("sweep-shard-partial");
    let o = netsim(&[
        "merge",
        s1.to_str().unwrap(),
        "--out",
        partial.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 of 4 runs are missing"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("Bernoulli(p: 0.02) seed 2"),
        "{}",
        stderr(&o)
    );
    assert_eq!(text(&partial.join("results.csv")).lines().count(), 3);

    // A result that differs between two directories is a conflict: exit 2.
    let forged = scratch("sweep-shard-forged");
    for (name, bytes) in tree(&s1) {
        let p = forged.join(&name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let id = shard1.lines().nth(1).unwrap().split(',').next().unwrap();
    let rec = forged.join("runs").join(format!("{id}.json"));
    // One more drop than shard 1 says.
    let changed = text(&rec).replacen("\"drops\": ", "\"drops\": 1", 1);
    std::fs::write(&rec, changed).unwrap();
    let conflict = scratch("sweep-shard-conflict");
    let o = netsim(&[
        "merge",
        s1.to_str().unwrap(),
        forged.to_str().unwrap(),
        "--out",
        conflict.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("run {id}")), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has different results"),
        "{}",
        stderr(&o)
    );
    assert!(!conflict.join("results.csv").exists(), "nothing written");
}

#[test]
fn a_rerun_skips_completed_runs() {
    let dir = scratch("sweep-resume");
    let o = sweep(&dir, &[]);
    assert!(
        stdout(&o).contains("4 runs: 4 run, 0 skipped"),
        "{}",
        stdout(&o)
    );
    let mtimes = |d: &Path| -> Vec<(PathBuf, std::time::SystemTime)> {
        let mut v: Vec<_> = std::fs::read_dir(d.join("runs"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.path(), e.metadata().unwrap().modified().unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let before = mtimes(&dir);
    let csv = read(&dir.join("results.csv"));
    let o = sweep(&dir, &[]);
    assert!(stdout(&o).contains("(4 already done)"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("4 runs: 0 run, 4 skipped"),
        "{}",
        stdout(&o)
    );
    assert_eq!(mtimes(&dir), before, "no result file rewritten");
    assert!(read(&dir.join("results.csv")) == csv);

    // One more seed: only the two new runs run.
    let mut args = vec!["sweep", MATHIS, "--out", dir.to_str().unwrap()];
    args.extend_from_slice(&SMALL);
    args[7] = "1..=3";
    let o = netsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("6 runs: 2 run, 4 skipped"),
        "{}",
        stdout(&o)
    );

    // A result file from another scenario (another stop time) does not count.
    let o = netsim(&[
        "sweep",
        MATHIS,
        "--out",
        dir.to_str().unwrap(),
        "--until",
        "2s",
        "--seeds",
        "1",
        "--set",
        "loss=Bernoulli(p: 0.01)",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 runs: 1 run, 0 skipped"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn values_with_commas_are_split_only_outside_brackets_and_quotes() {
    let dir = scratch("sweep-commas");
    let o = netsim(&[
        "sweep",
        MATHIS,
        "--out",
        dir.to_str().unwrap(),
        "--until",
        "2s",
        "--seeds",
        "4",
        "--set",
        "loss=Bernoulli(p: 0.01),GilbertElliott(p_good_to_bad: 0.01, p_bad_to_good: 0.5)",
        "--set",
        "queue=DropTail(limit: \"50p\"),DropTail(limit: \"100p\")",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = text(&dir.join("results.csv"));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 5, "2 x 2 grid points, one seed: {csv}");
    assert!(
        rows[0].starts_with("run_id,loss,queue,seed,"),
        "{}",
        rows[0]
    );
    assert!(
        rows[3].contains(
            ",\"GilbertElliott(p_good_to_bad: 0.01, p_bad_to_good: 0.5)\",\"DropTail(limit: \"\"50p\"\")\",4,"
        ),
        "{}",
        rows[3]
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = scratch("sweep-bad");
    let out = dir.join("out");
    let bad = |args: &[&str], expect: &str| {
        let mut all = vec!["sweep", MATHIS, "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = netsim(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    };
    bad(&["--set", "los=1,2"], "--set los=1,2: value \"1\": ");
    bad(
        &["--set", "loss=Bernoulli(p: 0.01),Bernoulli(q: 0.02)"],
        "unknown field \"q\", did you mean \"p\"?",
    );
    bad(&["--set", "loss=Bernoulli(p: 0.01"], "unclosed bracket");
    bad(&["--shard", "3/2"], "expected I/N with 1 <= I <= N");
    bad(&["--shard", "0/2"], "expected I/N with 1 <= I <= N");
    bad(&["--seeds", "5..1"], "seed range \"5..1\" is empty");
    bad(&["--seeds", "1-5"], "expected seeds as \"A..B\"");
    bad(&["--jobs", "0"], "expected a number of parallel runs");
    bad(&["--until", "soon"], "soon");

    // A bad value in the file: its line and column.
    let file = dir.join("typo.ron");
    let source = text(&root().join(MATHIS)).replace("Bernoulli(p: 0.005)", "Bernouli(p: 0.005)");
    std::fs::write(&file, &source).unwrap();
    let o = netsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let line = 1 + source[..source.find("Bernouli(").unwrap()]
        .matches('\n')
        .count();
    let col = source
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("\"Bernouli(")
        .unwrap()
        + 1;
    assert!(
        stderr(&o).starts_with(&format!(
            "error: {}:{line}:{col}: sweep.params[0].values[1]: value \"Bernouli(p: 0.005)\" for \"loss\": unknown variant \"Bernouli\", did you mean \"Bernoulli\"?",
            file.display()
        )),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // `netsim check` checks the sweep too.
    let o = netsim(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("sweep.params[0].values[1]"),
        "{}",
        stderr(&o)
    );
}

/// The shipped sweep, shortened: goodput within 20 % of the Mathis model at
/// each loss rate, the plot with the model's curve, and `netsim run` running
/// the base point as the same run (same hash, same goodput).
#[test]
fn the_mathis_sweep_follows_the_model() {
    let dir = scratch("sweep-mathis");
    let o = netsim(&[
        "sweep",
        MATHIS,
        "--out",
        dir.to_str().unwrap(),
        "--until",
        "21s",
        "--seeds",
        "1..=2",
        "--set",
        "loss=Bernoulli(p: 0.005),Bernoulli(p: 0.01)",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("goodput (Mbit/s)"), "{table}");
    let summary = text(&dir.join("summary.csv"));
    for (row, p) in summary.lines().skip(1).zip([0.005_f64, 0.01]) {
        let cells: Vec<&str> = row.split(',').collect();
        // Goodput of 20 s of transfer (the flow starts at 1 s).
        let goodput: f64 = cells[2].parse().unwrap();
        let mathis = 1460.0 * 8.0 / 0.0422 * (3.0 / (2.0 * p)).sqrt();
        let ratio = goodput / mathis;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "p = {p}: goodput {goodput:.0} bit/s is {ratio:.2} of Mathis {mathis:.0}"
        );
    }
    let svg = text(&dir.join("sweep.svg"));
    assert!(
        svg.contains("Mathis model"),
        "the reference curve is labelled"
    );
    assert!(svg.contains("loss probability p"));
    assert!(read(&dir.join("sweep.png")).starts_with(b"\x89PNG"));

    // `netsim run` runs the base point (p = 1 %): the same run as the sweep's.
    let base = scratch("sweep-mathis-base");
    let o = netsim(&[
        "sweep",
        MATHIS,
        "--out",
        base.to_str().unwrap(),
        "--until",
        "5s",
        "--seeds",
        "1",
        "--set",
        "loss=Bernoulli(p: 0.01)",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run_dir = scratch("sweep-mathis-run");
    common::run_into(&root().join(MATHIS), &run_dir, &["--set", "stop=5s"]);
    let row = text(&base.join("results.csv"))
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let cells: Vec<&str> = row.split(',').collect();
    let run_summary: serde_json::Value =
        serde_json::from_str(&text(&run_dir.join("summary.json"))).unwrap();
    let hash = text(&run_dir.join("trace.txt"))
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(
        hash.contains(&format!("hash {}", cells.last().unwrap())),
        "{hash} vs {row}"
    );
    // A declared axis narrowed to one value keeps its column.
    assert_eq!(cells[1], "Bernoulli(p: 0.01)");
    let goodput: f64 = cells[3].parse().unwrap();
    let run_goodput = run_summary["flows"][0]["goodput_bps"].as_f64().unwrap();
    assert!(
        (goodput - run_goodput).abs() <= goodput * 1e-12,
        "{goodput} vs {run_goodput}"
    );
}
