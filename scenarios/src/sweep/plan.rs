//! From a scenario's `sweep` section and the command line to the list of runs.
//!
//! The command line changes the grid with `--set PATH=V1,V2,...`:
//! - a PATH equal to a declared axis's `path` replaces that axis's values (and
//!   their `x`, which then come from the first number of each value);
//! - another PATH with two or more values adds an axis after the declared ones;
//! - another PATH with one value is a fixed override applied to every run (it
//!   has no column in the results, but it changes every run's scenario hash).
//!
//! Values are separated by the commas that are outside brackets and double
//! quotes ([`split_values`]): `--set 'queue=DropTail(limit: "50p"),CoDel()'` is
//! two values, `--set 'loss=GilbertElliott(p_good_to_bad: 0.01, p_bad_to_good:
//! 0.3)'` one. A plain value with a comma of its own is quoted: `"a,b"`.
//!
//! Each run is a (grid point, seed) pair. Runs are in canonical order: grid
//! points in row-major order (first axis slowest), each with its seeds in
//! ascending order; a run's index in that order decides its shard. A run's id
//! is a stable hash of its overrides (fixed ones first, then one per axis) and
//! its seed, so it does not change when a sweep gains values or seeds.

use serde::{Deserialize, Serialize};
use sim_core::stable_hash;

use super::{Metric, Plot, Reference, Seeds, Sweep, first_number};
use crate::error::{Location, Problem, ScenarioError};
use crate::locate::SourceMap;
use crate::schema::Scenario;

/// The most runs one sweep may have.
pub const MAX_RUNS: u64 = 1_000_000;

/// A sweep ready to run: its axes, fixed overrides, seeds, metrics and plot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    /// The axes of the grid, first axis varying slowest.
    pub axes: Vec<PlanAxis>,
    /// `PATH=VALUE` overrides applied to every run, before the axes' values.
    pub fixed: Vec<String>,
    /// The seeds of every grid point.
    pub seeds: Seeds,
    /// The metrics of the printed summary table.
    pub metrics: Vec<Metric>,
    /// The plot, if any.
    pub plot: Option<Plot>,
}

/// One axis of a [`Plan`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanAxis {
    /// The `--set` path.
    pub path: String,
    /// The values, as `--set` values.
    pub values: Vec<String>,
    /// The x coordinate of each value, when it has one.
    pub x: Vec<Option<f64>>,
}

/// One run of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// Position in canonical order.
    pub index: usize,
    /// The grid point: index of the value on each axis.
    pub point: Vec<usize>,
    /// The grid point's position in row-major order.
    pub point_index: usize,
    /// The master seed.
    pub seed: u64,
    /// The stable id: 16 hex digits.
    pub id: String,
}

/// Where an axis was declared, for messages.
enum Source {
    /// `sweep.params[i]` in the file.
    File(usize),
    /// A `--set` on the command line, as given.
    Cli(String),
}

impl Plan {
    /// Builds the plan of the scenario `text` (named `origin` in messages) with
    /// the command line's `--set` arguments (`sets`) and `--seeds`.
    ///
    /// Checks everything a run would: the scenario with the fixed overrides,
    /// and every value of every axis applied alone to it, so a bad value is
    /// reported before anything runs, at its line and column in the file (or
    /// against its `--set`). Combinations of values are checked by the caller
    /// when it loads each grid point.
    pub fn new(
        text: &str,
        origin: &str,
        sets: &[String],
        seeds: Option<Seeds>,
    ) -> Result<Plan, ScenarioError> {
        let parsed = crate::load::parse_str(text, origin)?;
        let declared = parsed.sweep.clone().unwrap_or_else(|| Sweep {
            params: Vec::new(),
            seeds: None,
            metrics: vec![Metric::Goodput],
            plot: None,
        });
        let file = FileLocator {
            origin,
            map: SourceMap::new(text),
        };
        let (mut axes, mut sources) = declared_axes(&declared, &file)?;
        let fixed = apply_command_line(sets, &mut axes, &mut sources)?;
        let base = check_values(text, origin, &fixed, &axes, &sources, &file)?;
        if let Some(plot) = &declared.plot {
            check_plot(plot, &axes, &sources, &file)?;
        }
        let plan = Plan {
            axes,
            fixed,
            seeds: seeds
                .or(declared.seeds)
                .unwrap_or_else(|| Seeds::one(base.seed)),
            metrics: declared.metrics,
            plot: declared.plot,
        };
        plan.check_size()?;
        Ok(plan)
    }

    /// Refuses a plan of more than [`MAX_RUNS`] runs.
    fn check_size(&self) -> Result<(), ScenarioError> {
        let runs = self.points_len() as u64 * self.seeds.count();
        if runs > MAX_RUNS {
            return Err(ScenarioError::Override {
                spec: format!("seeds {}", self.seeds),
                message: format!("the sweep has {runs} runs, more than the limit of {MAX_RUNS}"),
            });
        }
        Ok(())
    }

    /// How many grid points.
    pub fn points_len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// The grid point at row-major position `index`: the value index per axis.
    pub fn point(&self, index: usize) -> Vec<usize> {
        let mut rest = index;
        let mut point = vec![0; self.axes.len()];
        for (k, axis) in self.axes.iter().enumerate().rev() {
            point[k] = rest % axis.values.len();
            rest /= axis.values.len();
        }
        point
    }

    /// The overrides of a grid point: the fixed ones, then `path=value` per axis.
    pub fn overrides(&self, point: &[usize]) -> Vec<String> {
        let mut out = self.fixed.clone();
        for (axis, &j) in self.axes.iter().zip(point) {
            out.push(format!("{}={}", axis.path, axis.values[j]));
        }
        out
    }

    /// The values of a grid point, one per axis.
    pub fn values(&self, point: &[usize]) -> Vec<&str> {
        self.axes
            .iter()
            .zip(point)
            .map(|(a, &j)| a.values[j].as_str())
            .collect()
    }

    /// Every run, in canonical order.
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut out = Vec::new();
        for point_index in 0..self.points_len() {
            let point = self.point(point_index);
            let overrides = self.overrides(&point);
            for seed in self.seeds.iter() {
                out.push(RunSpec {
                    index: out.len(),
                    id: run_id(&overrides, seed),
                    point: point.clone(),
                    point_index,
                    seed,
                });
            }
        }
        out
    }
}

/// The stable id of the run with these overrides and seed: 16 hex digits.
pub fn run_id(overrides: &[String], seed: u64) -> String {
    let mut bytes = Vec::new();
    // Length prefixes keep ["a=1", "b=2"] apart from ["a=1,b=2"].
    for o in overrides {
        bytes.extend_from_slice(&(o.len() as u64).to_le_bytes());
        bytes.extend_from_slice(o.as_bytes());
    }
    bytes.extend_from_slice(b"seed");
    bytes.extend_from_slice(&seed.to_le_bytes());
    format!("{:016x}", stable_hash(&bytes))
}

/// Splits `V1,V2,...` at the commas outside `()`, `[]`, `{}` and double
/// quotes; values are trimmed and none may be empty.
pub fn split_values(raw: &str) -> Result<Vec<String>, String> {
    let mut values = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut escaped = false;
    let mut current = String::new();
    for c in raw.chars() {
        if quoted {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
            current.push(c);
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced {c:?} in {raw:?}"));
                }
            }
            ',' if depth == 0 => {
                values.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if quoted {
        return Err(format!("unterminated string in {raw:?}"));
    }
    if depth != 0 {
        return Err(format!("unclosed bracket in {raw:?}"));
    }
    values.push(current);
    let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(format!(
            "empty value in {raw:?}: separate values with single commas"
        ));
    }
    Ok(values)
}

/// Errors at a position in the scenario file.
struct FileLocator<'a> {
    origin: &'a str,
    map: SourceMap,
}

impl FileLocator<'_> {
    /// An error about `item`, at the value of `path` in the file.
    fn at(&self, path: &str, item: String, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            problems: vec![Problem {
                location: Location {
                    origin: self.origin.to_string(),
                    position: self.map.find(path),
                },
                item,
                message,
            }],
        }
    }
}

impl Source {
    /// An error about value `j` of the axis declared here.
    fn blame(&self, file: &FileLocator<'_>, j: usize, message: String) -> ScenarioError {
        match self {
            Source::File(i) => file.at(
                &format!("sweep.params[{i}].values[{j}]"),
                format!("sweep.params[{i}].values[{j}]"),
                message,
            ),
            Source::Cli(spec) => ScenarioError::Override {
                spec: spec.clone(),
                message,
            },
        }
    }
}

/// The axes of the file's `sweep.params`, each checked on its own: values
/// given, one x per value if any, no path or value twice.
fn declared_axes(
    declared: &Sweep,
    file: &FileLocator<'_>,
) -> Result<(Vec<PlanAxis>, Vec<Source>), ScenarioError> {
    let mut axes = Vec::new();
    let mut sources = Vec::new();
    for (i, p) in declared.params.iter().enumerate() {
        let item = format!("sweep.params[{i}] ({})", p.path);
        if p.values.is_empty() {
            return Err(file.at(
                &format!("sweep.params[{i}].values"),
                item,
                "has no values".into(),
            ));
        }
        if !p.x.is_empty() && p.x.len() != p.values.len() {
            return Err(file.at(
                &format!("sweep.params[{i}].x"),
                item,
                format!(
                    "x has {} numbers for {} values: give one per value, or none",
                    p.x.len(),
                    p.values.len()
                ),
            ));
        }
        if let Some(k) = axes.iter().position(|a: &PlanAxis| a.path == p.path) {
            return Err(file.at(
                &format!("sweep.params[{i}].path"),
                item,
                format!("path {:?} is already swept by sweep.params[{k}]", p.path),
            ));
        }
        if let Some(j) = duplicate(&p.values) {
            return Err(file.at(
                &format!("sweep.params[{i}].values[{j}]"),
                item,
                format!("value {:?} is given twice", p.values[j]),
            ));
        }
        let x = if p.x.is_empty() {
            p.values.iter().map(|v| first_number(v)).collect()
        } else {
            p.x.iter().copied().map(Some).collect()
        };
        axes.push(PlanAxis {
            path: p.path.clone(),
            values: p.values.clone(),
            x,
        });
        sources.push(Source::File(i));
    }
    Ok((axes, sources))
}

/// Applies the command line's `--set`s to the axes (see the module docs);
/// returns the fixed overrides.
fn apply_command_line(
    sets: &[String],
    axes: &mut Vec<PlanAxis>,
    sources: &mut Vec<Source>,
) -> Result<Vec<String>, ScenarioError> {
    let mut fixed = Vec::new();
    for spec in sets {
        let bad = |message: String| ScenarioError::Override {
            spec: spec.clone(),
            message,
        };
        let Some((path, raw)) = spec.split_once('=') else {
            return Err(bad("expected PATH=VALUE or PATH=V1,V2,...".into()));
        };
        let path = path.trim();
        let values = split_values(raw).map_err(bad)?;
        if let Some(j) = duplicate(&values) {
            return Err(bad(format!("value {:?} is given twice", values[j])));
        }
        let x = values.iter().map(|v| first_number(v)).collect();
        if let Some(k) = axes.iter().position(|a| a.path == path) {
            axes[k] = PlanAxis {
                path: path.to_string(),
                values,
                x,
            };
            sources[k] = Source::Cli(spec.clone());
        } else if values.len() == 1 {
            fixed.push(format!("{path}={}", values[0]));
        } else {
            axes.push(PlanAxis {
                path: path.to_string(),
                values,
                x,
            });
            sources.push(Source::Cli(spec.clone()));
        }
    }
    Ok(fixed)
}

/// Loads the base (the file with the fixed overrides; its errors are the
/// file's or the overrides' own), then every value of every axis applied
/// alone to it; returns the base.
fn check_values(
    text: &str,
    origin: &str,
    fixed: &[String],
    axes: &[PlanAxis],
    sources: &[Source],
    file: &FileLocator<'_>,
) -> Result<Scenario, ScenarioError> {
    let base = crate::load::load_str(text, origin, fixed)?;
    for (axis, source) in axes.iter().zip(sources) {
        for (j, value) in axis.values.iter().enumerate() {
            let mut overrides = fixed.to_vec();
            overrides.push(format!("{}={value}", axis.path));
            let Err(e) = crate::load::load_str(text, origin, &overrides) else {
                continue;
            };
            let why = reason(&e);
            let message = match source {
                Source::File(_) => format!("value {value:?} for {:?}: {why}", axis.path),
                Source::Cli(_) => format!("value {value:?}: {why}"),
            };
            return Err(source.blame(file, j, message));
        }
    }
    Ok(base)
}

/// The plot's x must be a swept path whose every value has a number that the
/// plot can place (a probability for the Mathis reference, positive on a
/// logarithmic axis).
fn check_plot(
    plot: &Plot,
    axes: &[PlanAxis],
    sources: &[Source],
    file: &FileLocator<'_>,
) -> Result<(), ScenarioError> {
    let Some(k) = axes.iter().position(|a| a.path == plot.x) else {
        let paths: Vec<&str> = axes.iter().map(|a| a.path.as_str()).collect();
        return Err(file.at(
            "sweep.plot.x",
            "sweep.plot".into(),
            format!(
                "x {:?} is not a swept path{} (swept: {})",
                plot.x,
                crate::error::suggestion(&plot.x, paths.iter().copied()),
                crate::error::list(paths.iter().copied())
            ),
        ));
    };
    let axis = &axes[k];
    let complain = |j: usize, message: String| sources[k].blame(file, j, message);
    for (j, x) in axis.x.iter().enumerate() {
        let value = &axis.values[j];
        let Some(x) = x else {
            return Err(complain(
                j,
                format!(
                    "value {value:?} is on the plot's x axis but has no number: \
                     give the axis an x list"
                ),
            ));
        };
        if let Some(Reference::Mathis { .. }) = plot.reference {
            if !(*x > 0.0 && *x <= 1.0) {
                return Err(complain(
                    j,
                    format!(
                        "the Mathis reference needs x to be a loss probability in (0, 1], \
                         value {value:?} has x = {x}"
                    ),
                ));
            }
        }
        if plot.log_x && *x <= 0.0 {
            return Err(complain(
                j,
                format!("x = {x} of value {value:?} cannot go on a logarithmic axis"),
            ));
        }
    }
    Ok(())
}

/// The index of the first value equal to an earlier one.
fn duplicate(values: &[String]) -> Option<usize> {
    (1..values.len()).find(|&j| values[..j].contains(&values[j]))
}

/// An override's error without the `--set PATH=VALUE:` the caller restates.
fn reason(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Override { message, .. } => message.clone(),
        ScenarioError::Invalid { problems } => problems
            .iter()
            .map(|p| format!("{}: {}", p.item, p.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"Scenario(
    name: "sw",
    generate: Dumbbell(flows: 1),
    sweep: Sweep(
        params: [
            Param(path: "loss", values: ["Bernoulli(p: 0.01)", "Bernoulli(p: 0.02)"]),
            Param(path: "cc", values: ["NewReno", "Cubic", "Reno"]),
        ],
        seeds: "1..=2",
    ),
)"#;

    fn plan(text: &str, sets: &[&str]) -> Result<Plan, ScenarioError> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Plan::new(text, "sw.ron", &sets, None)
    }

    #[test]
    fn commas_inside_brackets_and_quotes_do_not_split() {
        assert_eq!(
            split_values(
                "Bernoulli(p: 0.1),GilbertElliott(p_good_to_bad: 0.01, p_bad_to_good: 0.3)"
            )
            .unwrap(),
            [
                "Bernoulli(p: 0.1)",
                "GilbertElliott(p_good_to_bad: 0.01, p_bad_to_good: 0.3)"
            ]
        );
        assert_eq!(
            split_values(r#""a,b", c ,[1, 2]"#).unwrap(),
            [r#""a,b""#, "c", "[1, 2]"]
        );
        assert_eq!(split_values("10ms").unwrap(), ["10ms"]);
        assert_eq!(
            split_values("1,,2").unwrap_err(),
            "empty value in \"1,,2\": separate values with single commas"
        );
        assert_eq!(
            split_values("Bernoulli(p: 0.1").unwrap_err(),
            "unclosed bracket in \"Bernoulli(p: 0.1\""
        );
    }

    #[test]
    fn the_grid_is_row_major_with_seeds_innermost() {
        let p = plan(BASE, &[]).unwrap();
        assert_eq!(p.points_len(), 6);
        let runs = p.runs();
        assert_eq!(runs.len(), 12);
        let shown: Vec<(Vec<usize>, u64)> =
            runs.iter().map(|r| (r.point.clone(), r.seed)).collect();
        assert_eq!(shown[0], (vec![0, 0], 1));
        assert_eq!(shown[1], (vec![0, 0], 2));
        assert_eq!(shown[2], (vec![0, 1], 1));
        assert_eq!(shown[11], (vec![1, 2], 2));
        assert_eq!(
            p.overrides(&runs[11].point),
            ["loss=Bernoulli(p: 0.02)", "cc=Reno"]
        );
        // Ids are distinct and depend only on the overrides and the seed.
        let mut ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 12);
        assert_eq!(
            runs[3].id,
            run_id(&["loss=Bernoulli(p: 0.01)".into(), "cc=Cubic".into()], 2)
        );
    }

    #[test]
    fn the_command_line_replaces_adds_and_fixes() {
        let p = plan(BASE, &["cc=Cubic,NewReno", "flows=1,2", "stop=3s"]).unwrap();
        let paths: Vec<&str> = p.axes.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["loss", "cc", "flows"]);
        assert_eq!(p.axes[1].values, ["Cubic", "NewReno"]);
        assert_eq!(p.axes[2].x, [Some(1.0), Some(2.0)]);
        assert_eq!(p.fixed, ["stop=3s"]);
        assert_eq!(p.points_len(), 8);
        assert_eq!(p.overrides(&[1, 0, 1])[0], "stop=3s");
        // A fixed override is part of every run's id.
        let without = plan(BASE, &["cc=Cubic,NewReno", "flows=1,2"]).unwrap();
        assert_ne!(p.runs()[0].id, without.runs()[0].id);
    }

    #[test]
    fn seeds_default_to_the_scenario_seed() {
        let p = plan("Scenario(name: \"x\", seed: 7)", &["stop=1s,2s"]).unwrap();
        assert_eq!(p.seeds, Seeds::one(7));
        assert_eq!(p.runs().len(), 2);
        let p = Plan::new(BASE, "sw.ron", &[], Some("5..8".parse().unwrap())).unwrap();
        assert_eq!(p.seeds, Seeds { first: 5, last: 7 });
    }

    #[test]
    fn a_bad_value_in_the_file_is_reported_at_its_position() {
        let text = BASE.replace("Bernoulli(p: 0.02)", "Bernouli(p: 0.02)");
        let e = plan(&text, &[]).unwrap_err().to_string();
        assert_eq!(
            e,
            "sw.ron:6:64: sweep.params[0].values[1]: value \"Bernouli(p: 0.02)\" for \"loss\": \
             unknown variant \"Bernouli\", did you mean \"Bernoulli\"? \
             (expected one of: None, Bernoulli, GilbertElliott)"
        );
    }

    #[test]
    fn a_bad_path_or_value_on_the_command_line_names_its_set() {
        let e = plan(BASE, &["flws=1,2"]).unwrap_err().to_string();
        assert!(e.starts_with("--set flws=1,2: value \"1\": "), "{e}");
        assert!(e.contains("has no field \"flws\""), "{e}");
        let e = plan(BASE, &["cc=Cubic,Vegas"]).unwrap_err().to_string();
        assert!(
            e.starts_with("--set cc=Cubic,Vegas: value \"Vegas\": unknown variant"),
            "{e}"
        );
        let e = plan(BASE, &["cc=Cubic,(Reno"]).unwrap_err().to_string();
        assert_eq!(
            e,
            "--set cc=Cubic,(Reno: unclosed bracket in \"Cubic,(Reno\""
        );
    }

    #[test]
    fn the_shape_of_the_section_is_checked() {
        let text = BASE.replace(
            "values: [\"NewReno\", \"Cubic\", \"Reno\"]",
            "values: [\"NewReno\", \"Cubic\"], x: [1]",
        );
        let e = plan(&text, &[]).unwrap_err().to_string();
        assert_eq!(
            e,
            "sw.ron:7:64: sweep.params[1] (cc): x has 1 numbers for 2 values: give one per value, or none"
        );
        let text = BASE.replace(
            "seeds: \"1..=2\",",
            "seeds: \"1..=2\", plot: Plot(x: \"cc\"),",
        );
        let e = plan(&text, &[]).unwrap_err().to_string();
        assert!(
            e.ends_with("value \"NewReno\" is on the plot's x axis but has no number: give the axis an x list"),
            "{e}"
        );
        let text = BASE.replace(
            "seeds: \"1..=2\",",
            "seeds: \"1..=2\", plot: Plot(x: \"los\"),",
        );
        let e = plan(&text, &[]).unwrap_err().to_string();
        assert!(
            e.ends_with("x \"los\" is not a swept path, did you mean \"loss\"? (swept: loss, cc)"),
            "{e}"
        );
        let text = BASE.replace("seeds: \"1..=2\"", "seeds: \"2..1\"");
        let e = plan(&text, &[]).unwrap_err().to_string();
        assert!(e.contains("seed range \"2..1\" is empty"), "{e}");
    }
}
