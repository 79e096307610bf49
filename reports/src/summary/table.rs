//! The summary as aligned text tables for the terminal, and the unit
//! formatting they share (`12.3 Mbit/s`, `1.5 MB`; times are
//! written by [`sim_core::time::text`]).

use std::collections::BTreeMap;

use sim_core::time::text::{duration_f, millis_f1};

use super::{FlowSummary, LinkSummary, RunSummary};

/// A rate in bits per second, with a decimal prefix: `950 bit/s`,
/// `12.3 Mbit/s`, `1.0 Gbit/s`.
pub fn fmt_rate(bps: f64) -> String {
    scaled(bps, "bit/s")
}

/// A size in bytes, with a decimal prefix: `1000 B` stays `1000 B` below
/// 10 kB, then `12.3 kB`, `4.5 MB`, `1.2 GB`.
pub fn fmt_bytes(bytes: u64) -> String {
    if bytes < 10_000 {
        format!("{bytes} B")
    } else {
        scaled(bytes as f64, "B")
    }
}

fn scaled(v: f64, unit: &str) -> String {
    const PREFIXES: [(f64, &str); 4] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (scale, p) in PREFIXES {
        if v >= scale {
            return format!("{:.1} {p}{unit}", v / scale);
        }
    }
    format!("{v:.0} {unit}")
}

/// `3 queue-full, 1 drop-rule`, or `0`.
fn fmt_drops(total: u64, by_reason: &BTreeMap<String, u64>) -> String {
    if by_reason.is_empty() {
        return total.to_string();
    }
    let parts: Vec<String> = by_reason.iter().map(|(k, v)| format!("{v} {k}")).collect();
    parts.join(", ")
}

/// Renders rows under headers, columns padded to their widest cell; columns
/// whose `right` flag is set are right-aligned. Lines carry no trailing spaces.
pub fn render(headers: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (k, cell) in cells.enumerate() {
            if k > 0 {
                s.push_str("  ");
            }
            let pad = widths[k].saturating_sub(cell.chars().count());
            if right.get(k).copied().unwrap_or(false) {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut headers.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

/// The flow table's column heads.
pub(crate) const FLOW_HEADERS: [&str; 9] = [
    "flow",
    "state",
    "delivered",
    "goodput",
    "duration",
    "retransmits",
    "RTOs",
    "RTT min / mean / max",
    "drops",
];
/// Which flow columns are right-aligned (numbers).
pub(crate) const FLOW_RIGHT: [bool; 9] = [false, false, true, true, true, true, true, true, false];
/// The link table's column heads.
pub(crate) const LINK_HEADERS: [&str; 7] = [
    "link",
    "direction",
    "rate",
    "sent",
    "utilisation",
    "max queue",
    "drops",
];
/// Which link columns are right-aligned (numbers).
pub(crate) const LINK_RIGHT: [bool; 7] = [false, false, true, true, true, true, false];

/// One flow's cells, under [`FLOW_HEADERS`] (also the HTML report's table).
pub(crate) fn flow_row(f: &FlowSummary) -> Vec<String> {
    let state = match &f.aborted {
        Some(_) => "aborted".to_string(),
        None => f.final_state.clone(),
    };
    let rtt = match (f.rtt_min_ms, f.rtt_mean_ms, f.rtt_max_ms) {
        (Some(lo), Some(mean), Some(hi)) => {
            format!("{lo:.1} / {mean:.1} / {}", millis_f1(hi))
        }
        _ => "-".to_string(),
    };
    vec![
        f.id.clone(),
        state,
        fmt_bytes(f.bytes_delivered),
        fmt_rate(f.goodput_bps),
        duration_f(f.duration_s),
        format!(
            "{} ({} rto, {} fast)",
            f.retransmits, f.retransmits_rto, f.retransmits_fast
        ),
        f.rtos.to_string(),
        rtt,
        fmt_drops(f.drops, &f.drops_by_reason),
    ]
}

/// The flow table: one row per flow, at most `max_rows` (then a line saying
/// how many more there are). Empty when the run had no TCP flow.
pub fn flow_table(s: &RunSummary, max_rows: usize) -> String {
    if s.flows.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = s.flows.iter().take(max_rows).map(flow_row).collect();
    let mut out = render(&FLOW_HEADERS, &rows, &FLOW_RIGHT);
    if s.flows.len() > max_rows {
        out.push_str(&format!(
            "... and {} more flows (all in summary.json)\n",
            s.flows.len() - max_rows
        ));
    }
    out
}

/// One link direction's cells, under [`LINK_HEADERS`] (also the HTML report's table).
pub(crate) fn link_row(l: &LinkSummary) -> Vec<String> {
    vec![
        l.link.clone(),
        format!("{} -> {}", l.from, l.to),
        fmt_rate(l.rate_bps as f64),
        fmt_bytes(l.bytes),
        format!("{:.1} %", l.utilisation * 100.0),
        l.max_queue_packets.to_string(),
        fmt_drops(l.drops, &l.drops_by_reason),
    ]
}

/// The link table: the directions that carried traffic, at most `max_rows`
/// (those with drops first, then the busiest, shown in link order), then a
/// line saying how many are left out. Empty when nothing was sent.
pub fn link_table(s: &RunSummary, max_rows: usize) -> String {
    let busy: Vec<(usize, &LinkSummary)> = s
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.frames > 0)
        .collect();
    if busy.is_empty() {
        return String::new();
    }
    let mut chosen = busy.clone();
    if chosen.len() > max_rows {
        chosen.sort_by(|(_, a), (_, b)| {
            (b.drops > 0)
                .cmp(&(a.drops > 0))
                .then(b.utilisation.total_cmp(&a.utilisation))
        });
        chosen.truncate(max_rows);
        chosen.sort_by_key(|(k, _)| *k);
    }
    let rows: Vec<Vec<String>> = chosen.iter().map(|(_, l)| link_row(l)).collect();
    let mut out = render(&LINK_HEADERS, &rows, &LINK_RIGHT);
    if busy.len() > chosen.len() {
        out.push_str(&format!(
            "... and {} quieter link directions (all in summary.json)\n",
            busy.len() - chosen.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_like_a_person_writes_them() {
        assert_eq!(fmt_rate(12_345_678.0), "12.3 Mbit/s");
        assert_eq!(fmt_rate(950.0), "950 bit/s");
        assert_eq!(fmt_rate(1e9), "1.0 Gbit/s");
        assert_eq!(fmt_bytes(1000), "1000 B");
        assert_eq!(fmt_bytes(1_500_000), "1.5 MB");
    }

    #[test]
    fn columns_are_aligned_and_numbers_right_aligned() {
        let t = render(
            &["name", "n"],
            &[
                vec!["a".into(), "1".into()],
                vec!["longer".into(), "100".into()],
            ],
            &[false, true],
        );
        assert_eq!(t, "name      n\na         1\nlonger  100\n");
    }

    fn link(name: &str, frames: u64, utilisation: f64, drops: u64) -> LinkSummary {
        LinkSummary {
            link: name.into(),
            direction: "a_to_b".into(),
            from: "x:eth0".into(),
            to: "y:eth0".into(),
            rate_bps: 1_000_000,
            frames,
            bytes: frames * 100,
            utilisation,
            drops,
            ..LinkSummary::default()
        }
    }

    #[test]
    fn the_link_table_keeps_lossy_and_busy_directions_when_there_are_many() {
        let s = RunSummary {
            duration_s: 1.0,
            flows: Vec::new(),
            links: vec![
                link("idle", 0, 0.0, 0),
                link("quiet", 1, 0.01, 0),
                link("lossy", 5, 0.02, 3),
                link("busy", 9, 0.9, 0),
            ],
        };
        let t = link_table(&s, 2);
        let names: Vec<&str> = t
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(names, ["lossy", "busy", "..."]);
        assert!(t.ends_with("... and 1 quieter link directions (all in summary.json)\n"));
        assert!(
            !link_table(&s, 10).contains("idle"),
            "idle links are left out"
        );
    }
}
