//! Semantic errors: each names the item (`links[0] (h1-r1)`), where it is
//! written, and what is wrong, with a "did you mean" for names.

mod common;
use common::*;

const SWITCHED: &str = r#"Scenario(
    name: "lan",
    nodes: [
        Switch(name: "sw1"),
        Host(name: "a", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")]),
        Host(name: "b", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")]),
    ],
    links: [
        Link(a: "a:eth0", b: "sw1:p1"),
        Link(a: "b:eth0", b: "sw1:p1"),
    ],
)"#;

#[test]
fn link_to_an_unknown_node_suggests_a_known_one() {
    let text = edit("b: \"r1:eth0\"", "b: \"r2:eth0\"");
    let msg = error(&text);
    // The link's derived name changes with it, so the timeline's reference to
    // h1-r1 breaks too: every problem is reported, in file order.
    assert_eq!(
        msg,
        "t.ron:25:31: links[0] (h1-r2).b: no node named \"r2\", did you mean \"r1\"? (nodes: h1, r1, h2)\n\
         t.ron:29:47: timeline[0] (LinkDown at 5s): no link named \"h1-r1\", did you mean \"h1-r2\"? \
         (links: h1-r2, r1-h2)"
    );
    assert_points_at(&text, &msg, "\"r2:eth0\"");
}

#[test]
fn link_to_an_unknown_interface_suggests_a_known_one() {
    let text = edit("b: \"r1:eth0\"", "b: \"r1:eht0\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:25:31: links[0] (h1-r1).b: router \"r1\" has no interface \"eht0\", \
         did you mean \"eth0\"? (it has: eth0, eth1)"
    );
    assert_points_at(&text, &msg, "\"r1:eht0\"");
}

#[test]
fn host_endpoint_needs_an_interface() {
    let text = edit("a: \"h1:eth0\"", "a: \"h1\"");
    assert_eq!(
        error(&text),
        "t.ron:25:17: links[0] (h1-r1).a: host \"h1\" needs an interface, like \"h1:eth0\" (it has: eth0)"
    );
}

#[test]
fn interface_used_by_two_links() {
    let text = edit("a: \"r1:eth1\"", "a: \"r1:eth0\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:26:17: links[1] (r1-h2).a: interface r1:eth0 is already connected by links[0] (h1-r1).b"
    );
    assert_points_at(&text, &msg, "\"r1:eth0\", b: \"h2");
}

#[test]
fn switch_port_given_twice() {
    let msg = error(SWITCHED);
    assert_eq!(
        msg,
        "t.ron:10:30: links[1] (b-sw1).b: switch port sw1:p1 is already connected by links[0] (a-sw1).b"
    );
    assert_points_at(SWITCHED, &msg, "\"sw1:p1\")");
}

#[test]
fn switch_ports_must_be_numbered() {
    let text = edit_text(
        SWITCHED,
        "b: \"sw1:p1\"),\n    ],",
        "b: \"sw1:eth0\"),\n    ],",
    );
    assert_eq!(
        error(&text),
        "t.ron:10:30: links[1] (b-sw1).b: switch ports are named p0, p1, …, got \"eth0\""
    );
}

#[test]
fn a_link_joins_two_different_nodes() {
    let text = edit(
        "Link(a: \"r1:eth1\", b: \"h2:eth0\")",
        "Link(a: \"r1:eth1\", b: \"r1:eth0\")",
    );
    let msg = error(&text);
    // Also the interface is used twice: every problem is reported, in file order.
    assert_eq!(
        msg,
        "t.ron:26:9: links[1] (r1-r1): both ends are on node \"r1\"\n\
         t.ron:26:31: links[1] (r1-r1).b: interface r1:eth0 is already connected by links[0] (h1-r1).b"
    );
}

#[test]
fn duplicate_node_name() {
    let text = edit("name: \"h2\"", "name: \"h1\"");
    let msg = error(&text);
    assert!(
        msg.starts_with("t.ron:19:19: nodes[2] (h1): node name \"h1\" is already used by nodes[0]"),
        "{msg}"
    );
    assert_points_at(&text, &msg, "\"h1\"");
}

#[test]
fn duplicate_interface_name_within_a_node() {
    let text = edit("Interface(name: \"eth1\"", "Interface(name: \"eth0\"");
    let msg = error(&text);
    assert!(
        msg.starts_with(
            "t.ron:15:33: nodes[1] (r1).interfaces[1] (eth0): interface name \"eth0\" is already \
             used by interfaces[0] of r1"
        ),
        "{msg}"
    );
    assert_points_at(&text, &msg, "\"eth0\", address: \"10.0.2.1/24\"");
}

#[test]
fn duplicate_link_name_explicit_and_derived() {
    let text = edit(
        "Link(a: \"r1:eth1\"",
        "Link(name: \"h1-r1\", a: \"r1:eth1\"",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:26:20: links[1] (h1-r1): link name \"h1-r1\" is already used by links[0]; \
         give one of them another `name`"
    );
    assert_points_at(&text, &msg, "\"h1-r1\", a:");

    let text = edit(
        "Link(a: \"r1:eth1\", b: \"h2:eth0\")",
        "Link(a: \"h1:eth0\", b: \"r1:eth1\")",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:26:9: links[1] (h1-r1): link name \"h1-r1\" (derived from its endpoints) is \
         already used by links[0]; give one of them another `name`\n\
         t.ron:26:17: links[1] (h1-r1).a: interface h1:eth0 is already connected by links[0] (h1-r1).a"
    );
}

#[test]
fn duplicate_address_across_the_scenario() {
    let text = edit("10.0.2.10/24", "10.0.2.11/24");
    let text = edit_text(&text, "10.0.2.11/24", "10.0.1.10/24");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:20:59: nodes[2] (h2).interfaces[0] (eth0).address: address 10.0.1.10 is already \
         assigned to h1:eth0\n\
         t.ron:21:22: nodes[2] (h2).gateway: 10.0.2.1 is not in a connected subnet of h2 \
         (its subnets: 10.0.1.0/24)"
    );
    assert_points_at(&text, &msg, "\"10.0.1.10/24\"");
}

#[test]
fn zero_bandwidth() {
    let text = edit("delay: \"1ms\"", "rate: \"0bps\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:25:48: links[0] (h1-r1).rate: must be more than 0bps"
    );
    assert_points_at(&text, &msg, "\"0bps\"");
}

#[test]
fn mtu_below_the_ipv4_minimum() {
    let text = edit("delay: \"1ms\"", "mtu: 67");
    assert_eq!(
        error(&text),
        "t.ron:25:47: links[0] (h1-r1).mtu: MTU 67 is less than 68, the minimum for IPv4 (RFC 791)"
    );
    let text = edit("delay: \"1ms\"", "mtu: 0");
    assert_eq!(
        error(&text),
        "t.ron:25:47: links[0] (h1-r1).mtu: MTU 0 is less than 68, the minimum for IPv4 (RFC 791)"
    );
    let text = edit("\"10.0.1.1/24\")", "\"10.0.1.1/24\", mtu: 40)");
    let msg = error(&text);
    assert_points_at(&text, &msg, "40)");
    assert_eq!(
        msg,
        "t.ron:14:70: nodes[1] (r1).interfaces[0] (eth0).mtu: MTU 40 is less than 68, the minimum \
         for IPv4 (RFC 791)"
    );
}

#[test]
fn probability_outside_zero_one() {
    let text = edit(
        "delay: \"1ms\"",
        "b_to_a: Direction(loss: GilbertElliott(p_good_to_bad: 0.1, p_bad_to_good: 1.2), duplicate: -0.5)",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:25:116: links[0] (h1-r1).b_to_a.loss.p_bad_to_good: probability 1.2 is outside [0, 1]\n\
         t.ron:25:133: links[0] (h1-r1).b_to_a.duplicate: probability -0.5 is outside [0, 1]"
    );
    assert_points_at(&text, &msg, "1.2");
}

#[test]
fn gateway_outside_every_connected_subnet() {
    let text = edit("gateway: \"10.0.1.1\"", "gateway: \"10.0.3.1\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:8:22: nodes[0] (h1).gateway: 10.0.3.1 is not in a connected subnet of h1 \
         (its subnets: 10.0.1.0/24)"
    );
    assert_points_at(&text, &msg, "\"10.0.3.1\"");
}

#[test]
fn gateway_of_a_node_without_addresses() {
    let text = edit(
        "Interface(name: \"eth0\", address: \"10.0.1.10/24\")",
        "Interface(name: \"eth0\")",
    );
    assert_eq!(
        error(&text),
        "t.ron:8:22: nodes[0] (h1).gateway: 10.0.1.1 is not in a connected subnet of h1 \
         (it has no interface with an address)"
    );
}

#[test]
fn a_host_name_target_needs_a_dns_server() {
    let text = edit("Ping(to: \"10.0.2.10\"", "Ping(to: \"h2\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:9:29: nodes[0] (h1).apps[0] (Ping).to: \"h2\" is a host name, but h1 has no DNS \
         server to resolve it: set `dns: [\"…\"]` on the host or configure an interface by DHCP"
    );
    assert_points_at(&text, &msg, "\"h2\"");
    let text = edit("Ping(to: \"10.0.2.10\"", "Ping(to: \"h 2\"");
    assert!(
        error(&text).ends_with(
            "\"h 2\" is neither an IPv4 address like \"10.0.2.10\" nor a host name like \"server.example\""
        ),
        "{}",
        error(&text)
    );
    let text = edit("Ping(to: \"10.0.2.10\"", "Ping(to: \"10.0.2.300\"");
    assert!(
        error(&text).contains("expected an IPv4 address like \"10.0.0.1\", got \"10.0.2.300\"")
    );
}

#[test]
fn timeline_action_on_an_unknown_link() {
    let text = edit("LinkDown(link: \"h1-r1\")", "LinkDown(link: \"h1-r2\")");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:29:47: timeline[0] (LinkDown at 5s): no link named \"h1-r2\", did you mean \
         \"h1-r1\"? (links: h1-r1, r1-h2)"
    );
    assert_points_at(&text, &msg, "\"h1-r2\"");
}

#[test]
fn timeline_time_after_stop() {
    let text = edit("At(time: \"5s\"", "At(time: \"10.5s\"");
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:29:18: timeline[0] (LinkDown at 10.5s): time 10.5s is after the scenario stops at 10s"
    );
    assert_points_at(&text, &msg, "\"10.5s\"");
    // At exactly the stop time is fine: events at the stop time still run.
    assert!(load(&edit("At(time: \"5s\"", "At(time: \"10s\""), &[]).is_ok());
}

#[test]
fn set_link_that_changes_nothing() {
    let text = edit(
        "LinkDown(link: \"h1-r1\")",
        "SetLink(link: \"h1-r1\", direction: AtoB)",
    );
    assert_eq!(
        error(&text),
        "t.ron:29:32: timeline[0] (SetLink at 5s): SetLink changes nothing: give at least one of \
         rate, delay, mtu, loss, drop, jitter, duplicate, corrupt, reorder, queue"
    );
}

#[test]
fn route_destination_with_host_bits() {
    let text = edit(
        "            gateway: \"10.0.2.1\",\n",
        "            gateway: \"10.0.2.1\",\n            routes: [Route(to: \"10.9.0.1/16\", via: \"10.0.2.1\")],\n",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:22:32: nodes[2] (h2).routes[0] (10.9.0.1/16).to: 10.9.0.1/16 has host bits set, \
         did you mean \"10.9.0.0/16\"?"
    );
    assert_points_at(&text, &msg, "\"10.9.0.1/16\"");
}

#[test]
fn on_link_route_needs_an_interface_on_a_multi_homed_node() {
    let text = edit(
        "Interface(name: \"eth1\", address: \"10.0.2.1/24\"),\n            ],",
        "Interface(name: \"eth1\", address: \"10.0.2.1/24\"),\n            ],\n            routes: [Route(to: \"10.7.0.0/16\")],",
    );
    assert_eq!(
        error(&text),
        "t.ron:17:22: nodes[1] (r1).routes[0] (10.7.0.0/16): an on-link route (no `via`) needs \
         `interface` when the node has several interfaces"
    );
}

#[test]
fn pcap_of_an_unknown_node() {
    let text = edit(
        "\n)\n",
        "\n    outputs: Outputs(pcap: Nodes([\"h1\", \"r9\"])),\n)\n",
    );
    assert_eq!(
        error(&text),
        "t.ron:31:41: outputs.pcap[1]: no node named \"r9\", did you mean \"r1\"? (nodes: h1, r1, h2)"
    );
}

#[test]
fn next_hop_through_an_unnumbered_interface_must_be_in_a_connected_subnet() {
    let text = edit(
        "Interface(name: \"eth1\", address: \"10.0.2.1/24\"),\n            ],",
        "Interface(name: \"eth1\", address: \"10.0.2.1/24\"),\n                Interface(name: \"eth2\"),\n            ],\n            routes: [Route(to: \"10.7.0.0/16\", via: \"10.9.0.1\", interface: \"eth2\")],",
    );
    let msg = error(&text);
    assert_eq!(
        msg,
        "t.ron:18:52: nodes[1] (r1).routes[0] (10.7.0.0/16).via: next hop 10.9.0.1 is not in a \
         connected subnet of r1 (its subnets: 10.0.1.0/24, 10.0.2.0/24)"
    );
    assert_points_at(&text, &msg, "\"10.9.0.1\"");
}
