//! The report's tables: expectations, flows and links.

use std::fmt::Write as _;
use std::io;

use super::escape;
use crate::summary::{RunSummary, table};

/// One expectation's verdict, as the run reports it and the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpectationRow {
    /// What was expected, in words (`goodput s1->d1 in [9 Mbit/s, 10 Mbit/s]`).
    pub expectation: String,
    /// What the run showed.
    pub observed: String,
    /// The bound or value expected.
    pub expected: String,
    /// Whether it held.
    pub passed: bool,
}

/// The expectations table, failures highlighted.
pub(super) fn expectations(rows: &[ExpectationRow]) -> String {
    let failed = rows.iter().filter(|r| !r.passed).count();
    let mut out = format!(
        "<p>{} of {} expectations hold{}.</p><table><tr><th class=\"l\">expectation</th>\
         <th class=\"l\">observed</th><th class=\"l\">expected</th><th>result</th></tr>",
        rows.len() - failed,
        rows.len(),
        if failed > 0 {
            "; the run exits with code 1"
        } else {
            ""
        }
    );
    for r in rows {
        let (class, word) = if r.passed {
            ("pass", "pass")
        } else {
            ("fail", "FAIL")
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td class=\"l\">{}</td><td class=\"l\">{}</td>\
             <td class=\"l\">{}</td><td class=\"r\">{word}</td></tr>",
            escape(&r.expectation),
            escape(&r.observed),
            escape(&r.expected),
        );
    }
    out.push_str("</table>");
    out
}

/// The flow and link tables from `summary.json`: every flow, and every link
/// direction that carried traffic.
pub(super) fn summary(json: &str) -> io::Result<String> {
    let s: RunSummary = serde_json::from_str(json)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("summary.json: {e}")))?;
    let mut out = String::new();
    if s.flows.is_empty() {
        out.push_str("<p class=\"note\">No TCP flow in this run.</p>");
    } else {
        out.push_str("<h3>TCP flows</h3>");
        let rows: Vec<Vec<String>> = s.flows.iter().map(table::flow_row).collect();
        out.push_str(&html_table(&table::FLOW_HEADERS, &rows, &table::FLOW_RIGHT));
    }
    let links: Vec<Vec<String>> = s
        .links
        .iter()
        .filter(|l| l.frames > 0)
        .map(table::link_row)
        .collect();
    if !links.is_empty() {
        out.push_str("<h3>Links (directions that carried traffic)</h3>");
        out.push_str(&html_table(
            &table::LINK_HEADERS,
            &links,
            &table::LINK_RIGHT,
        ));
    }
    Ok(out)
}

fn html_table(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let class = |k: usize| {
        if right.get(k).copied().unwrap_or(false) {
            ""
        } else {
            " class=\"l\""
        }
    };
    let mut out = String::from("<table><tr>");
    for (k, h) in headers.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(k), escape(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for (k, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(k), escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}
