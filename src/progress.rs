//! The `netsim run` progress bar (part of the binary, not the library).
//!
//! Shown on standard error once a run has taken more than about a second of
//! wall time, and only when standard error is a terminal and `--quiet` is not
//! given: simulated time against the stop time, events per second and how
//! many simulated seconds pass per wall-clock second. The wall clock is read
//! here, in the command-line tool, never inside the simulation.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim_core::Progress;

/// After how much wall time the bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar that appears only for long runs on a terminal.
pub struct RunProgress {
    enabled: bool,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl RunProgress {
    /// A bar for one run; `quiet` or a non-terminal standard error disable it.
    pub fn new(quiet: bool) -> RunProgress {
        RunProgress {
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            bar: None,
        }
    }

    /// Takes one progress report from the run loop.
    pub fn update(&mut self, p: Progress) {
        if !self.enabled {
            return;
        }
        let wall = self.started.elapsed();
        if self.bar.is_none() && wall < SHOW_AFTER {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(
                Some(p.stop_at.as_nanos() / 1_000_000),
                ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                ProgressStyle::with_template("{bar:20.cyan/blue} {percent:>3}% {wide_msg}")
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            bar
        });
        let secs = wall.as_secs_f64().max(1e-9);
        let sim = p.now.as_nanos() as f64 / 1e9;
        bar.set_position(p.now.as_nanos() / 1_000_000);
        bar.set_message(format!(
            "sim {sim:.2} s / {:.2} s · {:.2} M events/s · {:.1}× real time",
            p.stop_at.as_nanos() as f64 / 1e9,
            p.events as f64 / secs / 1e6,
            sim / secs,
        ));
    }

    /// Removes the bar (if it was shown) before the summary is printed.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
