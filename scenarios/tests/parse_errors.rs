//! Parse errors: each names `file:line:column`, the field path and what was
//! expected, and the position points at the offending token.

mod common;
use common::*;

#[test]
fn unknown_field_suggests_the_closest_one() {
    let text = edit("delay: \"1ms\"", "dealy: \"1ms\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:25:42: links[0]: unknown field \"dealy\", did you mean \"delay\"? \
         (expected one of: name, a, b, rate, delay, mtu, queue, a_to_b, b_to_a)"
    );
    assert_points_at(&text, &msg, "dealy");
}

#[test]
fn unknown_field_far_from_any_gives_no_suggestion() {
    let text = edit("stop: \"10s\",", "stop: \"10s\", bandwidth: 3,");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:3:18: unknown field \"bandwidth\" (expected one of: name, description, seed, \
         stop, max_events, nodes, links, timeline, outputs, generate, sweep, expect)"
    );
    assert_points_at(&text, &msg, "bandwidth");
}

#[test]
fn a_switch_has_no_interfaces_or_apps() {
    let text = edit(
        "    ],\n    links:",
        "        Switch(name: \"sw1\", interfaces: []),\n    ],\n    links:",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:23:29: nodes[3]: unknown field \"interfaces\" (expected one of: name, mac_ageing)"
    );
    assert_points_at(&text, &msg, "interfaces");
}

#[test]
fn unknown_variant_suggests_the_closest_one() {
    let text = edit("Host(", "Hots(");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:5:9: nodes[0]: unknown variant \"Hots\", did you mean \"Host\"? \
         (expected one of: Host, Router, Switch)"
    );
    assert_points_at(&text, &msg, "Hots(");
}

#[test]
fn unknown_variant_inside_a_nested_value() {
    let text = edit(
        "delay: \"1ms\"",
        "a_to_b: Direction(loss: Bernouli(p: 0.1))",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:25:66: links[0].a_to_b.loss: unknown variant \"Bernouli\", did you mean \
         \"Bernoulli\"? (expected one of: None, Bernoulli, GilbertElliott)"
    );
    assert_points_at(&text, &msg, "Bernouli(");
}

#[test]
fn bad_interface_address_quotes_the_value() {
    let text = edit("10.0.1.10/24", "10.0.0.300/24");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:7:60: nodes[0].interfaces[0].address: expected an IPv4 address with prefix \
         like \"10.0.0.1/24\", got \"10.0.0.300/24\""
    );
    assert_points_at(&text, &msg, "10.0.0.300/24\"");
}

#[test]
fn bad_gateway_address() {
    let text = edit("gateway: \"10.0.1.1\"", "gateway: \"10.0.1.300\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:8:23: nodes[0].gateway: expected an IPv4 address like \"10.0.0.1\", got \"10.0.1.300\""
    );
    assert_points_at(&text, &msg, "10.0.1.300");
}

#[test]
fn bad_unit_names_the_field() {
    let text = edit("stop: \"10s\"", "stop: \"10sec\"");
    assert_eq!(
        error(&text),
        "t.ron:3:12: stop: unknown time unit \"sec\" in \"10sec\" (expected ns, us, ms, s, min or h)"
    );
    let text = edit("delay: \"1ms\"", "rate: \"100Mbs\"");
    assert_eq!(
        error(&text),
        "t.ron:25:49: links[0].rate: unknown unit \"Mbs\" in \"100Mbs\" \
         (expected one of bps, kbps, Mbps, Gbps, Tbps (or kbit/s, Mbit/s, ...))"
    );
}

#[test]
fn unquoted_unit_value_asks_for_a_string_with_an_example() {
    let text = edit("stop: \"10s\"", "stop: 10s");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:3:11: stop: expected a string in double quotes, like \"5s\""
    );
    assert_points_at(&text, &msg, "10s");
}

#[test]
fn integer_out_of_range() {
    let text = edit("count: 3", "ttl: 300");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:9:47: nodes[0].apps[0].ttl: integer out of range for this field"
    );
    assert_points_at(&text, &msg, "300");
}

#[test]
fn missing_required_field_points_at_the_end_of_its_item() {
    let text = edit(
        "Link(a: \"r1:eth1\", b: \"h2:eth0\")",
        "Link(a: \"r1:eth1\")",
    );
    let msg = error(&text);
    assert_eq!(msg, "t.ron:26:26: links[1]: missing required field \"b\"");
    assert_points_at(&text, &msg, ")");
}

#[test]
fn field_given_twice() {
    let text = edit("stop: \"10s\",", "stop: \"10s\", stop: \"2s\",");
    let msg = error(&text);
    assert_eq!(msg, "t.ron:3:18: field \"stop\" is given twice");
    assert_points_at(&text, &msg, "stop: \"2s\"");
}

#[test]
fn wrong_struct_name() {
    let text = edit("Link(a: \"r1", "Lnk(a: \"r1");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:26:9: links[1]: expected Link(…) here, got \"Lnk\""
    );
    assert_points_at(&text, &msg, "Lnk(");
}

#[test]
fn missing_comma_points_just_after_the_value_that_wants_it() {
    let text = edit("stop: \"10s\",", "stop: \"10s\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:3:16: expected \",\" here (or a closing bracket)"
    );
    // Column 16 is just after `"10s"` on line 3, not at the next line's field.
    assert_eq!(at(&text, 3, 11), "\"10s\"");
}

#[test]
fn unterminated_string_is_blamed_on_the_string() {
    let text = edit("name: \"h2\",", "name: \"h2,");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:19:19: nodes[2]: this string runs over several lines: is its closing '\"' missing?"
    );
    assert_points_at(&text, &msg, "\"h2,");
}

#[test]
fn missing_closing_paren_between_items() {
    let text = edit(
        "At(time: \"5s\", action: LinkDown(link: \"h1-r1\")),",
        "At(time: \"5s\", action: LinkDown(link: \"h1-r1\"),\n        At(time: \"6s\", action: LinkUp(link: \"h1-r1\")),",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:30:9: timeline[0]: unknown field \"At\" (expected one of: time, action); \
         is a \")\" missing before it?"
    );
    assert_points_at(&text, &msg, "At(time: \"6s\"");
}

#[test]
fn end_of_file_names_the_unclosed_bracket() {
    let text = &BASE[..BASE.find("    links:").unwrap()];
    assert_eq!(
        error(text),
        "t.ron:24:1: unexpected end of file: '(' opened at 1:9 is never closed"
    );
    let text = "Scenario(\n    name: \"t\",\n    nodes: [\n        Switch(name: \"sw1\"),\n";
    assert_eq!(
        error(text),
        "t.ron:5:1: nodes[1]: unexpected end of file: '[' opened at 3:12 is never closed"
    );
}

#[test]
fn unclosed_comment_points_at_its_start() {
    let text = edit("stop: \"10s\",", "stop: \"10s\", /* oops");
    let msg = error(&text);
    assert_eq!(msg, "t.ron:3:18: this /* comment is never closed with */");
    assert_points_at(&text, &msg, "/* oops");
}

#[test]
fn trailing_text_after_the_scenario() {
    let text = edit("\n)\n", "\n))\n");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:31:2: unexpected text after the end of the scenario"
    );
    assert_points_at(&text, &msg, ")");
}

#[test]
fn bad_endpoint_syntax() {
    let text = edit("a: \"h1:eth0\"", "a: \"h1:eth0:1\"");
    assert_eq!(
        error(&text),
        "t.ron:25:18: links[0].a: expected a link endpoint like \"h1:eth0\" (node:interface) \
         or \"sw1\", got \"h1:eth0:1\""
    );
}

#[test]
fn ambiguous_queue_limit() {
    let text = edit("delay: \"1ms\"", "queue: DropTail(limit: \"100\")");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:25:66: links[0].queue.limit: expected a queue limit like \"100p\" (packets) \
         or \"64KiB\" (bytes), got \"100\""
    );
    assert_points_at(&text, &msg, "100\"");
}

#[test]
fn missing_file_names_the_path_and_the_os_error() {
    let err = scenarios::load_file(std::path::Path::new("no/such/dir/x.ron"), &[]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot read scenario no/such/dir/x.ron: "),
        "{msg}"
    );
    assert!(
        matches!(err, scenarios::ScenarioError::Io { ref source, .. }
        if source.kind() == std::io::ErrorKind::NotFound)
    );
}
