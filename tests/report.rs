//! The HTML report, rendered the way a reader opens it: in a browser
//! (headless Chromium, installed by `./test.sh`). A screenshot of each page is
//! kept in `target/test-artifacts/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{netsim, root, scratch};

/// What Chromium made of a page.
struct Rendered {
    /// The DOM after loading.
    dom: String,
    /// Console messages (errors, uncaught exceptions, warnings).
    console: Vec<String>,
}

/// Loads `page` in headless Chromium, saves a screenshot to `shot`.
/// Fails (does not skip) when Chromium is missing: `./test.sh` installs it.
fn render(page: &Path, shot: &Path) -> Rendered {
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,5000",
            &format!("--screenshot={}", shot.display()),
            "--dump-dom",
            &url,
        ])
        .output()
        .expect("chromium is not installed: run the tests with ./test.sh, which installs it");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    Rendered {
        dom: String::from_utf8(out.stdout).unwrap(),
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    }
}

fn artifact(name: &str) -> PathBuf {
    root().join("target").join("test-artifacts").join(name)
}

#[test]
fn the_console_check_catches_a_page_that_throws() {
    // The detector itself: a page with an error must be caught, or the report
    // test below could never fail.
    let dir = scratch("report-console-check");
    let page = dir.join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>throw new Error('broken page')</script></body></html>",
    )
    .unwrap();
    let r = render(&page, &dir.join("bad.png"));
    assert!(
        r.console.iter().any(|l| l.contains("broken page")),
        "{:?}",
        r.console
    );
}

#[test]
fn fast_retransmit_report_loads_with_every_plot_and_no_console_error() {
    let out = scratch("report-fast-retransmit");
    let run = netsim(&[
        "run",
        "scenarios/teaching/fast-retransmit.ron",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8(run.stdout).unwrap();
    // The run ends by naming the report.
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(last.contains("report.html"), "last line: {last}");

    let page = out.join("report.html");
    let shot = artifact("report-fast-retransmit.png");
    let r = render(&page, &shot);
    assert!(r.console.is_empty(), "console: {:?}", r.console);
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "blank screenshot"
    );

    // Every plot the run listed is on the page, drawn (an <svg> inside its figure).
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plots.json")).unwrap()).unwrap();
    let plots = manifest["plots"].as_array().unwrap();
    assert!(plots.len() >= 4, "{plots:?}");
    for p in plots {
        let file = p["svg"].as_str().unwrap();
        let at = r
            .dom
            .find(&format!("data-plot=\"{file}\""))
            .unwrap_or_else(|| panic!("plot {file} missing from the page"));
        let figure_end = r.dom[at..].find("</figure>").unwrap();
        assert!(
            r.dom[at..at + figure_end].contains("<svg"),
            "plot {file} not drawn"
        );
    }
    // The sections the issue names.
    for id in ["topology", "summary", "ladder", "plots", "files"] {
        assert!(
            r.dom.contains(&format!("<section id=\"{id}\">")),
            "no {id} section"
        );
    }
    // The cwnd plot and the time-sequence graph of the sender are among them.
    assert!(
        plots
            .iter()
            .any(|p| p["svg"].as_str().unwrap().starts_with("cwnd-sender"))
    );
    assert!(
        plots
            .iter()
            .any(|p| p["svg"].as_str().unwrap().starts_with("tseq-sender"))
    );
    // The links to captures and series point at files that exist.
    for href in r.dom.split("href=\"").skip(1) {
        let target = &href[..href.find('"').unwrap()];
        if target.starts_with('#') {
            continue;
        }
        assert!(out.join(target).is_file(), "dangling link {target}");
    }
}
