//! `report.html`: one self-contained page per run.
//!
//! Written after every sink has finished, from the files they left in the
//! output directory, so the page shows exactly what the run wrote:
//! provenance, expectations, the topology (`topology.svg`), the flow and link
//! tables (`summary.json`), the ladder (`ladder.svg`), every plot listed in
//! `plots.json`, and links to the captures, time series and traces.
//!
//! Self-contained: the SVGs are inlined (their ids prefixed per figure, see
//! [`inline_svg`]), the style sheet is in the page, there is no script and
//! nothing is fetched from the network. The links to pcaps and CSVs are
//! relative, so the directory can be moved or archived as a whole. Missing
//! inputs (plots off, no TCP, ladder over its limit) leave their section out
//! or say why.

mod inline;
mod tables;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::atomic::AtomicFile;
use crate::provenance::Provenance;

pub use inline::inline_svg;
pub use tables::ExpectationRow;

/// The report's file name.
pub const REPORT_FILE: &str = "report.html";

/// What the page says besides the files it reads.
#[derive(Clone, Debug)]
pub struct ReportInput {
    /// Identity of the run.
    pub provenance: Provenance,
    /// Simulated time the run ended at, as printed (`5.000000000`).
    pub end: String,
    /// Events handled.
    pub events: u64,
    /// The scenario's expectations and how they came out (empty: none declared).
    pub expectations: Vec<ExpectationRow>,
}

/// One entry of `plots.json`, as the report needs it.
#[derive(Deserialize)]
struct PlotEntry {
    title: String,
    svg: String,
    #[serde(default)]
    png: Option<String>,
}

#[derive(Deserialize)]
struct PlotManifest {
    plots: Vec<PlotEntry>,
    #[serde(default)]
    omitted: Option<String>,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d1d1f;background:#fafafa}\
header{background:#1f3a5f;color:#fff;padding:1.2em 2em}\
header h1{margin:0 0 .3em 0;font-size:1.6em}\
header p{margin:0;opacity:.9;font-size:.9em}\
nav{padding:.6em 2em;background:#e8edf3;font-size:.9em}\
nav a{margin-right:1.2em;color:#1f3a5f}\
main{padding:0 2em 3em 2em;max-width:1400px}\
section{margin-top:2em}\
h2{border-bottom:2px solid #1f3a5f;padding-bottom:.2em;color:#1f3a5f}\
h3{margin-bottom:.3em}\
table{border-collapse:collapse;font-size:.85em;margin:.5em 0;background:#fff}\
th,td{border:1px solid #ccd;padding:.25em .6em;text-align:right;white-space:nowrap}\
th{background:#e8edf3}\
td.l,th.l{text-align:left}\
tr.fail td{background:#fde2e2}\
tr.pass td.r{color:#17692c;font-weight:600}\
tr.fail td.r{color:#a61b1b;font-weight:600}\
figure{margin:1em 0;background:#fff;border:1px solid #dde;padding:.6em;overflow-x:auto}\
figure svg{max-width:100%;height:auto;display:block}\
figcaption{font-size:.85em;color:#555;margin-top:.3em}\
.note{color:#555;font-style:italic}\
ul.files{columns:3;font-size:.85em}\
code{font-size:.9em}";

/// Writes `report.html` into `dir` from the files already there; returns its path.
///
/// # Errors
/// A file the page needs exists but cannot be read or parsed, or the
/// report cannot be written.
pub fn write_report(dir: &Path, input: &ReportInput) -> io::Result<PathBuf> {
    let html = render(dir, input)?;
    let mut out = AtomicFile::create(dir, REPORT_FILE)?;
    io::Write::write_all(&mut out, html.as_bytes())?;
    out.commit()
}

fn read_optional(dir: &Path, name: &str) -> io::Result<Option<String>> {
    match fs::read_to_string(dir.join(name)) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn invalid(name: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{name}: {e}"))
}

/// The whole page as a string.
fn render(dir: &Path, input: &ReportInput) -> io::Result<String> {
    let p = &input.provenance;
    let mut sections: Vec<(&str, &str, String)> = Vec::new();

    if !input.expectations.is_empty() {
        sections.push((
            "expectations",
            "Expectations",
            tables::expectations(&input.expectations),
        ));
    }
    if let Some(svg) = read_optional(dir, "topology.svg")? {
        sections.push((
            "topology",
            "Topology",
            format!("<figure>{}</figure>", inline_svg(&svg, "topo")),
        ));
    }
    if let Some(json) = read_optional(dir, "summary.json")? {
        sections.push(("summary", "Flows and links", tables::summary(&json)?));
    }
    if let Some(svg) = read_optional(dir, "ladder.svg")? {
        sections.push((
            "ladder",
            "Ladder diagram",
            format!(
                "<figure>{}<figcaption>Every TCP segment, as it left and reached its host; \
                 also as text in <a href=\"ladder.txt\">ladder.txt</a>.</figcaption></figure>",
                inline_svg(&svg, "ladder")
            ),
        ));
    } else if let Some(text) = read_optional(dir, "ladder.txt")? {
        let first = text.lines().find(|l| l.contains("ladder not shown"));
        if let Some(line) = first {
            sections.push((
                "ladder",
                "Ladder diagram",
                format!("<p class=\"note\">{}</p>", escape(line.trim())),
            ));
        }
    }
    if let Some(json) = read_optional(dir, "plots.json")? {
        let manifest: PlotManifest =
            serde_json::from_str(&json).map_err(|e| invalid("plots.json", e))?;
        let mut body = String::new();
        for (k, plot) in manifest.plots.iter().enumerate() {
            let svg = fs::read_to_string(dir.join(&plot.svg)).map_err(|e| invalid(&plot.svg, e))?;
            let png = plot.png.as_ref().map_or(String::new(), |png| {
                format!(" (<a href=\"{0}\">PNG</a>)", escape(png))
            });
            let _ = write!(
                body,
                "<figure id=\"plot-{k}\" data-plot=\"{file}\">{svg}<figcaption>{title}: \
                 <a href=\"{file}\">SVG</a>{png}</figcaption></figure>",
                file = escape(&plot.svg),
                svg = inline_svg(&svg, &format!("plot{k}")),
                title = escape(&plot.title),
            );
        }
        if let Some(omitted) = &manifest.omitted {
            let _ = write!(body, "<p class=\"note\">{}</p>", escape(omitted));
        }
        if !manifest.plots.is_empty() || manifest.omitted.is_some() {
            sections.push(("plots", "Plots", body));
        }
    }
    sections.push(("files", "Files", files(dir)?));

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"netsim {version}\">\n\
         <title>netsim: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>{name}</h1><p>netsim {version} · scenario hash <code>{hash}</code> · \
         seed {seed} · run {run} · simulated {end} s · {events} events</p></header>\n<nav>",
        version = escape(&p.netsim_version),
        name = escape(&p.scenario),
        hash = escape(&p.scenario_hash),
        seed = p.seed,
        run = p.run_index,
        end = escape(&input.end),
        events = input.events,
    );
    for (id, title, _) in &sections {
        let _ = write!(html, "<a href=\"#{id}\">{title}</a>");
    }
    html.push_str("</nav>\n<main>\n");
    for (id, title, body) in &sections {
        let _ = writeln!(
            html,
            "<section id=\"{id}\"><h2>{title}</h2>\n{body}\n</section>"
        );
    }
    html.push_str("</main>\n</body>\n</html>\n");
    Ok(html)
}

/// Links to every other file of the run, grouped by kind.
fn files(dir: &Path) -> io::Result<String> {
    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Temporary files of writers still open, and the report itself.
            if name != REPORT_FILE && !name.starts_with('.') {
                names.push(name);
            }
        }
    }
    names.sort();
    let groups: [(&str, &[&str]); 5] = [
        ("Captures (open in Wireshark)", &["pcap"]),
        ("Time series", &["csv"]),
        ("Plots as images", &["png"]),
        ("Plots and drawings as SVG", &["svg"]),
        ("Traces and manifests", &[]),
    ];
    let grouped = ["pcap", "csv", "png", "svg"];
    let extension = |n: &str| n.rsplit_once('.').map_or("", |(_, e)| e).to_string();
    let mut out = String::new();
    for (title, extensions) in groups {
        let list: Vec<&String> = names
            .iter()
            .filter(|n| {
                let e = extension(n);
                if extensions.is_empty() {
                    !grouped.contains(&e.as_str())
                } else {
                    extensions.contains(&e.as_str())
                }
            })
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, "<h3>{title}</h3><ul class=\"files\">");
        for n in list {
            let _ = write!(out, "<li><a href=\"{0}\">{0}</a></li>", escape(n));
        }
        out.push_str("</ul>");
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
