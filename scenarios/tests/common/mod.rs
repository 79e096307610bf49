//! Shared helpers for the scenario tests: a small valid scenario to perturb, and
//! a way to check what an error position points at.
#![allow(dead_code)]

use scenarios::{Scenario, ScenarioError};

/// A small valid scenario: h1 — r1 — h2.
pub(crate) const BASE: &str = r#"Scenario(
    name: "t",
    stop: "10s",
    nodes: [
        Host(
            name: "h1",
            interfaces: [Interface(name: "eth0", address: "10.0.1.10/24")],
            gateway: "10.0.1.1",
            apps: [Ping(to: "10.0.2.10", count: 3)],
        ),
        Router(
            name: "r1",
            interfaces: [
                Interface(name: "eth0", address: "10.0.1.1/24"),
                Interface(name: "eth1", address: "10.0.2.1/24"),
            ],
        ),
        Host(
            name: "h2",
            interfaces: [Interface(name: "eth0", address: "10.0.2.10/24")],
            gateway: "10.0.2.1",
        ),
    ],
    links: [
        Link(a: "h1:eth0", b: "r1:eth0", delay: "1ms"),
        Link(a: "r1:eth1", b: "h2:eth0"),
    ],
    timeline: [
        At(time: "5s", action: LinkDown(link: "h1-r1")),
    ],
)
"#;

/// `BASE` with the first `from` replaced by `to`.
#[track_caller]
pub(crate) fn edit(from: &str, to: &str) -> String {
    edit_text(BASE, from, to)
}

/// `text` with the first `from` replaced by `to`.
#[track_caller]
pub(crate) fn edit_text(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in the text");
    text.replacen(from, to, 1)
}

/// Loads `text` as `t.ron` with `overrides`.
pub(crate) fn load(text: &str, overrides: &[&str]) -> Result<Scenario, ScenarioError> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenarios::load_str(text, "t.ron", &overrides)
}

/// The error message of loading `text`, which must fail.
#[track_caller]
pub(crate) fn error(text: &str) -> String {
    match load(text, &[]) {
        Ok(_) => panic!("the scenario loaded"),
        Err(e) => e.to_string(),
    }
}

/// The rest of the line of `text` from the 1-based `line:col`, to check what an
/// error position points at.
#[track_caller]
pub(crate) fn at(text: &str, line: usize, col: usize) -> String {
    let l = text.lines().nth(line - 1).expect("line exists");
    l.chars().skip(col - 1).collect()
}

/// Asserts that `message` starts with `t.ron:L:C:` and that the text there starts
/// with `token`.
#[track_caller]
pub(crate) fn assert_points_at(text: &str, message: &str, token: &str) {
    let rest = message
        .strip_prefix("t.ron:")
        .expect("message starts with t.ron:");
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts.next().unwrap().parse().expect("a line number");
    let col: usize = parts.next().unwrap().parse().expect("a column number");
    let there = at(text, line, col);
    assert!(
        there.starts_with(token),
        "{message}\npoints at {there:?}, expected {token:?}"
    );
}
