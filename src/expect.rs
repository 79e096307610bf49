//! Evaluating a scenario's expectations ([`scenarios::expect`]) against the
//! results of its run: the flow summary, the applications' results and the
//! link counters. Each expectation gives one [`ExpectOutcome`] with what was
//! observed and what was expected, in units a person reads (`93.2 Mbit/s`).

use reports::summary::table::{fmt_rate, render};
use reports::{FlowSummary, LinkSummary, RunSummary};
use scenarios::expect::{Expect, FlowSelector};
use scenarios::{App, LinkDirection, Scenario};
use sim_core::time::text::secs_f6;
use sim_core::{DataRate, SimTime};

use crate::{AppStats, RunOutcome};

/// The verdict on one expectation: what was checked, observed and expected,
/// and whether it held. The same type the HTML report shows.
pub use reports::html::ExpectationRow as ExpectOutcome;

fn outcome(expectation: String, observed: String, expected: String, passed: bool) -> ExpectOutcome {
    ExpectOutcome {
        expectation,
        observed,
        expected,
        passed,
    }
}

/// Evaluates every expectation of `scenario` against `run`, in order.
pub fn evaluate(scenario: &Scenario, run: &RunOutcome) -> Vec<ExpectOutcome> {
    scenario
        .expect
        .iter()
        .map(|e| evaluate_one(scenario, run, e))
        .collect()
}

/// The expectations as an aligned table: `expectation | observed | expected | result`.
pub fn table(results: &[ExpectOutcome]) -> String {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.expectation.clone(),
                r.observed.clone(),
                r.expected.clone(),
                if r.passed { "pass" } else { "FAIL" }.to_string(),
            ]
        })
        .collect();
    render(
        &["expectation", "observed", "expected", "result"],
        &rows,
        &[false, false, false, false],
    )
}

fn flows<'a>(s: &'a RunSummary, sel: Option<&FlowSelector>) -> Vec<&'a FlowSummary> {
    match sel {
        None => s.flows.iter().collect(),
        Some(f) => s.flows_between(&f.node, f.port, &f.peer, f.peer_port),
    }
}

fn scope(sel: Option<&FlowSelector>) -> String {
    sel.map_or_else(|| "(all flows)".to_string(), FlowSelector::to_string)
}

fn dir_name(d: LinkDirection) -> &'static str {
    match d {
        LinkDirection::AtoB => "a_to_b",
        LinkDirection::BtoA => "b_to_a",
    }
}

fn directions<'a>(
    s: &'a RunSummary,
    link: &'a str,
    dir: Option<LinkDirection>,
) -> Vec<&'a LinkSummary> {
    s.link_directions(link)
        .filter(|l| dir.is_none_or(|d| l.direction == dir_name(d)))
        .collect()
}

fn link_scope(link: &str, dir: Option<LinkDirection>) -> String {
    match dir {
        Some(d) => format!("{link} {}", dir_name(d)),
        None => link.to_string(),
    }
}

fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// A count that must be exact, over the selected flows.
fn exact_count(
    what: &str,
    s: &RunSummary,
    sel: Option<&FlowSelector>,
    count: u64,
    get: fn(&FlowSummary) -> u64,
) -> ExpectOutcome {
    let name = format!("{what} {}", scope(sel));
    let fs = flows(s, sel);
    if sel.is_some() && fs.is_empty() {
        return outcome(name, "no such flow".into(), count.to_string(), false);
    }
    let n: u64 = fs.iter().map(|f| get(f)).sum();
    outcome(name, n.to_string(), count.to_string(), n == count)
}

fn evaluate_one(scenario: &Scenario, run: &RunOutcome, e: &Expect) -> ExpectOutcome {
    let s = &run.summary;
    match e {
        Expect::Goodput {
            flow,
            min,
            max,
            around,
            percent: tolerance,
        } => goodput(s, flow, *min, *max, *around, *tolerance),
        Expect::HandshakeBy { flow, time } => handshake_by(s, flow, *time),
        Expect::NoRto { flow } => {
            let mut r = exact_count("RTOs", s, flow.as_ref(), 0, |f| f.rtos);
            r.expectation = format!("no RTO {}", scope(flow.as_ref()));
            r
        }
        Expect::Rtos { flow, count } => exact_count("RTOs", s, flow.as_ref(), *count, |f| f.rtos),
        Expect::FastRetransmits { flow, count } => {
            exact_count("fast retransmits", s, flow.as_ref(), *count, |f| {
                f.retransmits_fast
            })
        }
        Expect::Retransmits { flow, count } => {
            exact_count("retransmits", s, flow.as_ref(), *count, |f| f.retransmits)
        }
        Expect::AllDelivered => all_delivered(scenario, run),
        Expect::PingSuccess { from, min } => ping_success(run, from.as_deref(), *min),
        Expect::DhcpBoundBy { time, count } => dhcp_bound_by(run, *time, *count),
        Expect::QueueMax {
            link,
            direction,
            max,
            min,
        } => queue_max(s, link, *direction, *max, *min),
        Expect::Utilisation {
            link,
            direction,
            min,
        } => utilisation(s, link, *direction, *min),
        Expect::LinkFrames {
            link,
            direction,
            frames,
        } => link_frames(s, link, *direction, *frames),
        Expect::Fairness { flows: sels, min } => fairness(s, sels, *min),
    }
}

/// The selected flows' goodput added up, within `min..=max` or within
/// `tolerance` percent `around` a rate.
fn goodput(
    s: &RunSummary,
    flow: &FlowSelector,
    min: Option<DataRate>,
    max: Option<DataRate>,
    around: Option<DataRate>,
    tolerance: Option<f64>,
) -> ExpectOutcome {
    let name = format!("goodput {flow}");
    let (expected, ok): (String, Box<dyn Fn(f64) -> bool>) = match (around, tolerance) {
        (Some(a), Some(p)) => {
            let a = a.bps() as f64;
            (
                format!("{} ± {p} %", fmt_rate(a)),
                Box::new(move |g| (g - a).abs() <= a * p / 100.0),
            )
        }
        _ => {
            let lo = min.map(|r| r.bps() as f64);
            let hi = max.map(|r| r.bps() as f64);
            let text = match (lo, hi) {
                (Some(lo), Some(hi)) => format!("{} to {}", fmt_rate(lo), fmt_rate(hi)),
                (Some(lo), None) => format!(">= {}", fmt_rate(lo)),
                (None, Some(hi)) => format!("<= {}", fmt_rate(hi)),
                (None, None) => "any".to_string(),
            };
            (
                text,
                Box::new(move |g| lo.is_none_or(|lo| g >= lo) && hi.is_none_or(|hi| g <= hi)),
            )
        }
    };
    let fs = flows(s, Some(flow));
    if fs.is_empty() {
        return outcome(name, "no such flow".into(), expected, false);
    }
    let g: f64 = fs.iter().map(|f| f.goodput_bps).sum();
    outcome(name, fmt_rate(g), expected, ok(g))
}

/// Every selected flow established by `time`.
fn handshake_by(s: &RunSummary, flow: &FlowSelector, time: SimTime) -> ExpectOutcome {
    let name = format!("handshake {flow}");
    let expected = format!("by {}", secs_f6(time.as_secs_f64()));
    let fs = flows(s, Some(flow));
    if fs.is_empty() {
        return outcome(name, "no such flow".into(), expected, false);
    }
    if let Some(f) = fs.iter().find(|f| f.established_s.is_none()) {
        let observed = format!("never completed ({})", f.final_state);
        return outcome(name, observed, expected, false);
    }
    let last = fs
        .iter()
        .filter_map(|f| f.established_s)
        .fold(0.0, f64::max);
    let ok = last <= time.as_secs_f64();
    outcome(name, secs_f6(last), expected, ok)
}

/// The share of echo requests answered, over the pings `from` a node or all.
fn ping_success(run: &RunOutcome, from: Option<&str>, min: f64) -> ExpectOutcome {
    let name = format!("ping success {}", from.unwrap_or("(all pings)"));
    let (mut sent, mut answered) = (0u64, 0u64);
    for (node, app) in &run.apps {
        if let AppStats::Ping(p) = app {
            if from.is_none_or(|f| f == node) {
                sent += u64::from(p.transmitted);
                answered += u64::from(p.received);
            }
        }
    }
    let expected = format!(">= {}", percent(min));
    if sent == 0 {
        return outcome(name, "no request sent".into(), expected, false);
    }
    let rate = answered as f64 / sent as f64;
    let observed = format!("{answered}/{sent} ({})", percent(rate));
    outcome(name, observed, expected, rate >= min)
}

/// All DHCP clients (or exactly `count` of them) bound by `time`.
fn dhcp_bound_by(run: &RunOutcome, time: SimTime, count: Option<u32>) -> ExpectOutcome {
    let bound: Vec<Option<f64>> = run
        .apps
        .iter()
        .filter_map(|(_, a)| match a {
            AppStats::DhcpClient(c) => Some(c.bound.first().map(|b| b.0.as_secs_f64())),
            _ => None,
        })
        .collect();
    let t = time.as_secs_f64();
    let in_time = bound.iter().filter(|b| b.is_some_and(|b| b <= t)).count();
    let ever = bound.iter().flatten().count();
    let last = bound.iter().flatten().fold(0.0, |a: f64, b| a.max(*b));
    let observed = match ever {
        0 => format!("0 of {} bound", bound.len()),
        _ => format!(
            "{ever} of {} bound, the last at {}",
            bound.len(),
            secs_f6(last)
        ),
    };
    let (expected, ok) = match count {
        Some(n) => (
            format!("{n} of {} bound by {}", bound.len(), secs_f6(t)),
            in_time == n as usize && ever == in_time,
        ),
        None => (
            format!("all bound by {}", secs_f6(t)),
            !bound.is_empty() && in_time == bound.len(),
        ),
    };
    outcome("DHCP clients bound".into(), observed, expected, ok)
}

/// The longest queue, in packets, of a link (one direction or both).
fn queue_max(
    s: &RunSummary,
    link: &str,
    direction: Option<LinkDirection>,
    max: u64,
    min: Option<u64>,
) -> ExpectOutcome {
    let name = format!("max queue {}", link_scope(link, direction));
    let ds = directions(s, link, direction);
    let m = ds.iter().map(|l| l.max_queue_packets).max().unwrap_or(0) as u64;
    let ok = !ds.is_empty() && m <= max && min.is_none_or(|lo| m >= lo);
    let expected = match min {
        Some(lo) => format!("{lo} to {max} packets"),
        None => format!("<= {max} packets"),
    };
    outcome(name, format!("{m} packets"), expected, ok)
}

/// The highest utilisation of a link's selected directions.
fn utilisation(
    s: &RunSummary,
    link: &str,
    direction: Option<LinkDirection>,
    min: f64,
) -> ExpectOutcome {
    let name = format!("utilisation {}", link_scope(link, direction));
    let ds = directions(s, link, direction);
    let u = ds.iter().map(|l| l.utilisation).fold(0.0, f64::max);
    let ok = !ds.is_empty() && u >= min;
    outcome(name, percent(u), format!(">= {}", percent(min)), ok)
}

/// The frames a link sent in one direction, exactly.
fn link_frames(s: &RunSummary, link: &str, direction: LinkDirection, frames: u64) -> ExpectOutcome {
    let name = format!("frames {}", link_scope(link, Some(direction)));
    let ds = directions(s, link, Some(direction));
    let n: u64 = ds.iter().map(|l| l.frames).sum();
    let ok = !ds.is_empty() && n == frames;
    outcome(name, n.to_string(), frames.to_string(), ok)
}

fn fairness(s: &RunSummary, sels: &[FlowSelector], min: f64) -> ExpectOutcome {
    let name = if sels.is_empty() {
        "Jain fairness (all flows)".to_string()
    } else {
        let list: Vec<String> = sels.iter().map(FlowSelector::to_string).collect();
        format!("Jain fairness {}", list.join(", "))
    };
    let mut chosen: Vec<&FlowSummary> = Vec::new();
    if sels.is_empty() {
        chosen.extend(s.flows.iter().filter(|f| f.bytes_sent > 0));
    }
    for sel in sels {
        for f in flows(s, Some(sel)) {
            if !chosen.iter().any(|c| c.id == f.id) {
                chosen.push(f);
            }
        }
    }
    let expected = format!(">= {min:.3}");
    let xs: Vec<f64> = chosen.iter().map(|f| f.goodput_bps).collect();
    let sum: f64 = xs.iter().sum();
    let sum_sq: f64 = xs.iter().map(|x| x * x).sum();
    if xs.is_empty() || sum_sq == 0.0 {
        return outcome(name, "no flow with goodput".into(), expected, false);
    }
    let jain = sum * sum / (xs.len() as f64 * sum_sq);
    let observed = format!("{jain:.3} over {} flows", xs.len());
    outcome(name, observed, expected, jain >= min)
}

/// Every BulkSend wrote its bytes, sinks read them all, nothing mismatched.
fn all_delivered(scenario: &Scenario, run: &RunOutcome) -> ExpectOutcome {
    const NAME: &str = "all bytes delivered and verified";
    let (mut expected_written, mut written) = (0u64, 0u64);
    for node in &scenario.nodes {
        let configured = node.apps().iter().filter_map(|a| match a {
            App::BulkSend(b) => Some(b.bytes),
            _ => None,
        });
        let stats = run.apps.iter().filter_map(|(n, a)| match a {
            AppStats::Bulk(b) if n == node.name() => Some(b.bytes_written),
            _ => None,
        });
        let mut stats = stats.fuse();
        for bytes in configured {
            let wrote = stats.next().unwrap_or(0);
            written += wrote;
            expected_written += bytes.map_or(wrote, |b| b.bytes());
        }
    }
    let (mut read, mut mismatched) = (0u64, 0u64);
    for (_, a) in &run.apps {
        match a {
            AppStats::Sink(k) => {
                read += k.bytes;
                mismatched += k.mismatched;
            }
            AppStats::Bulk(b) => mismatched += b.mismatched,
            AppStats::HttpClient(h) => mismatched += h.mismatched,
            _ => {}
        }
    }
    // Exact byte counts: one byte short must show.
    let observed = format!("wrote {written} B, read {read} B, {mismatched} mismatched");
    let expected = format!("wrote {expected_written} B, read {expected_written} B, 0 mismatched");
    let senders = scenario
        .nodes
        .iter()
        .flat_map(|n| n.apps())
        .filter(|a| matches!(a, App::BulkSend(_)))
        .count();
    if senders == 0 {
        let expected = "a BulkSend's bytes".to_string();
        return outcome(NAME.into(), "no BulkSend".into(), expected, false);
    }
    let ok = written == expected_written && read == written && mismatched == 0;
    outcome(NAME.into(), observed, expected, ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocols::apps::ping::PingStats;
    use protocols::dhcp::DhcpClientStats;
    use sim_core::{RunStats, SimTime};

    /// Two hosts, and `expect` as given.
    fn scenario(expect: &str) -> Scenario {
        let text = format!(
            r#"Scenario(
    name: "t",
    nodes: [
        Host(name: "a", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")],
             apps: [Ping(to: "10.0.0.2")]),
        Host(name: "b", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")]),
    ],
    links: [Link(a: "a:eth0", b: "b:eth0")],
    expect: [{expect}],
)"#
        );
        scenarios::load_str(&text, "t.ron", &[]).unwrap()
    }

    fn flow(node: &str, port: u16, peer: &str, goodput_bps: f64) -> FlowSummary {
        FlowSummary {
            id: format!("{node}:{port} -> {peer}:80"),
            node: node.into(),
            peer: peer.into(),
            remote: "10.0.0.2:80".into(),
            local_port: port,
            peer_port: 80,
            goodput_bps,
            bytes_sent: 1,
            ..FlowSummary::default()
        }
    }

    fn outcome_with(flows: Vec<FlowSummary>, apps: Vec<(String, AppStats)>) -> RunOutcome {
        RunOutcome {
            stats: RunStats {
                events: 0,
                end: SimTime::ZERO,
                drained: true,
            },
            apps,
            links: Vec::new(),
            provenance: reports::Provenance {
                netsim_version: "0".into(),
                scenario: "t".into(),
                scenario_hash: "0".into(),
                seed: 1,
                run_index: 0,
            },
            summary: RunSummary {
                duration_s: 1.0,
                flows,
                links: Vec::new(),
            },
            expectations: Vec::new(),
            out_dir: None,
        }
    }

    fn verdicts(expect: &str, run: &RunOutcome) -> Vec<(String, String, bool)> {
        evaluate(&scenario(expect), run)
            .into_iter()
            .map(|r| (r.observed, r.expected, r.passed))
            .collect()
    }

    #[test]
    fn goodput_adds_up_the_selected_flows_and_checks_the_tolerance() {
        // Two connections a->b (say HTTP/1.0): 3 + 2 Mbit/s.
        let run = outcome_with(
            vec![flow("a", 1000, "b", 3e6), flow("a", 1001, "b", 2e6)],
            Vec::new(),
        );
        let v = verdicts(
            r#"Goodput(flow: "a->b", around: "5.2Mbps", percent: 5.0),
               Goodput(flow: "a->b", around: "5.3Mbps", percent: 5.0),
               Goodput(flow: "a:1001->b:80", max: "2Mbps"),
               Goodput(flow: "b->a", min: "1bps")"#,
            &run,
        );
        // |5.0 - 5.2| = 0.2 <= 0.26; |5.0 - 5.3| = 0.3 > 0.265.
        assert_eq!(
            v,
            [
                ("5.0 Mbit/s".into(), "5.2 Mbit/s ± 5 %".into(), true),
                ("5.0 Mbit/s".into(), "5.3 Mbit/s ± 5 %".into(), false),
                ("2.0 Mbit/s".into(), "<= 2.0 Mbit/s".into(), true),
                ("no such flow".into(), ">= 1 bit/s".into(), false),
            ]
        );
    }

    #[test]
    fn jain_index_follows_its_formula() {
        // (3 + 1)^2 / (2 × (9 + 1)) = 0.8.
        let run = outcome_with(
            vec![flow("a", 1000, "b", 3e6), flow("b", 1001, "a", 1e6)],
            Vec::new(),
        );
        let v = verdicts(
            r#"Fairness(min: 0.8), Fairness(flows: ["a->b"], min: 0.81)"#,
            &run,
        );
        assert_eq!(
            v,
            [
                ("0.800 over 2 flows".into(), ">= 0.800".into(), true),
                ("1.000 over 1 flows".into(), ">= 0.810".into(), true),
            ]
        );
    }

    #[test]
    fn pings_and_dhcp_clients_are_counted_across_the_run() {
        let ping = |sent, got| {
            AppStats::Ping(PingStats {
                transmitted: sent,
                received: got,
                duplicates: 0,
                errors: 0,
                rtts: Vec::new(),
                reply_ttls: Vec::new(),
            })
        };
        let dhcp = |at: Option<u64>| {
            AppStats::DhcpClient(DhcpClientStats {
                bound: at
                    .map(|s| {
                        (
                            SimTime::from_nanos(s * 1_000_000_000),
                            "10.0.0.9".parse().unwrap(),
                        )
                    })
                    .into_iter()
                    .collect(),
                ..DhcpClientStats::default()
            })
        };
        let run = outcome_with(
            Vec::new(),
            vec![
                ("a".into(), ping(4, 3)),
                ("b".into(), ping(0, 0)),
                ("a".into(), dhcp(Some(5))),
                ("b".into(), dhcp(None)),
            ],
        );
        let v = verdicts(
            r#"PingSuccess(from: "a", min: 0.75), PingSuccess(from: "b", min: 0.0),
               DhcpBoundBy(time: "6s"), DhcpBoundBy(time: "6s", count: 1),
               DhcpBoundBy(time: "4s", count: 1)"#,
            &run,
        );
        let by = "the last at 5.000000 s";
        assert_eq!(
            v,
            [
                ("3/4 (75.0 %)".into(), ">= 75.0 %".into(), true),
                ("no request sent".into(), ">= 0.0 %".into(), false),
                (
                    format!("1 of 2 bound, {by}"),
                    "all bound by 6.000000 s".into(),
                    false
                ),
                (
                    format!("1 of 2 bound, {by}"),
                    "1 of 2 bound by 6.000000 s".into(),
                    true
                ),
                (
                    format!("1 of 2 bound, {by}"),
                    "1 of 2 bound by 4.000000 s".into(),
                    false
                ),
            ]
        );
    }
}
