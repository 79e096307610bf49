//! `--set PATH=VALUE` overrides: by index, by name, through enum variants, on
//! absent optional fields, and the errors for bad paths and bad values.

mod common;
use common::*;

use scenarios::{App, DropRule, Loss, Node, Pcap, Queue, QueueLimit};
use std::net::Ipv4Addr;

#[track_caller]
fn set(overrides: &[&str]) -> scenarios::Scenario {
    load(BASE, overrides).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn set_error(overrides: &[&str]) -> String {
    match load(BASE, overrides) {
        Ok(_) => panic!("the overrides applied"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn top_level_fields() {
    let s = set(&["stop=20s", "seed=42", "name=foo", "description=a b c"]);
    assert_eq!(s.stop.as_nanos(), 20_000_000_000);
    assert_eq!(s.seed, 42);
    assert_eq!(s.name, "foo");
    assert_eq!(s.description, "a b c");
}

#[test]
fn list_elements_by_index() {
    let s = set(&["links.0.rate=10Mbps", "links.1.delay=25ms"]);
    assert_eq!(s.links[0].rate.bps(), 10_000_000);
    assert_eq!(s.links[1].delay.as_nanos(), 25_000_000);
}

#[test]
fn list_elements_by_name_including_derived_link_names() {
    let s = set(&[
        "links.h1-r1.delay=5ms",
        "nodes.h1.apps.0.count=7",
        "nodes.h1.interfaces.eth0.address=10.0.1.11/24",
    ]);
    assert_eq!(s.links[0].delay.as_nanos(), 5_000_000);
    let Node::Host(h1) = &s.nodes[0] else {
        panic!("h1 is a host")
    };
    let App::Ping(ping) = &h1.apps[0] else {
        panic!("a ping")
    };
    assert_eq!(ping.count, 7);
    assert_eq!(
        h1.interfaces[0].address.unwrap().to_string(),
        "10.0.1.11/24"
    );
}

#[test]
fn enum_variants_are_traversed_transparently() {
    let s = set(&["nodes.h1.gateway=10.0.1.254", "nodes.r1.proxy_arp=true"]);
    assert_eq!(s.nodes[0].gateway(), Some(Ipv4Addr::new(10, 0, 1, 254)));
    let Node::Router(r1) = &s.nodes[1] else {
        panic!("r1 is a router")
    };
    assert!(r1.proxy_arp);
    // Naming the variant explicitly works too.
    let s = set(&["nodes.h1.Host.gateway=None"]);
    assert_eq!(s.nodes[0].gateway(), None);
    // Inside a queue's variant.
    let s = set(&["links.0.queue.limit=64KiB"]);
    assert_eq!(
        s.links[0].queue,
        Queue::DropTail {
            limit: QueueLimit::Bytes(sim_core_bytes(65_536))
        }
    );
}

fn sim_core_bytes(n: u64) -> sim_core::ByteSize {
    sim_core::ByteSize::from_bytes(n)
}

#[test]
fn setting_absent_or_defaulted_fields() {
    let s = set(&[
        "links.0.a_to_b.loss=Bernoulli(p:0.05)",
        "links.0.b_to_a.drop=[Nth(3), During(from: \"1s\", to: \"2s\")]",
        "links.1.a_to_b.queue=DropTail(limit: \"5p\")",
        "outputs.pcap=Nodes([\"h1\"])",
        "nodes.h2.interfaces.eth0.mtu=1400",
    ]);
    assert_eq!(s.links[0].a_to_b.loss, Loss::Bernoulli { p: 0.05 });
    assert_eq!(s.links[0].b_to_a.drop[0], DropRule::Nth(3));
    assert_eq!(s.links[0].b_to_a.drop.len(), 2);
    assert_eq!(
        s.links[1].a_to_b.queue,
        Some(Queue::DropTail {
            limit: QueueLimit::Packets(5)
        })
    );
    assert_eq!(s.outputs.pcap, Pcap::Nodes(vec!["h1".to_string()]));
    assert_eq!(s.nodes[2].interfaces()[0].mtu, Some(1400));
    // And a field inside the variant just set.
    let s = set(&[
        "links.0.a_to_b.loss=Bernoulli(p: 0.05)",
        "links.0.a_to_b.loss.p=0.2",
    ]);
    assert_eq!(s.links[0].a_to_b.loss, Loss::Bernoulli { p: 0.2 });
}

#[test]
fn a_struct_written_with_its_type_name() {
    let s = set(&["links.0.a_to_b=Direction(jitter: \"1ms\")"]);
    assert_eq!(s.links[0].a_to_b.jitter.as_nanos(), 1_000_000);
}

#[test]
fn none_means_the_no_loss_variant_where_loss_is_not_optional() {
    let s = set(&[
        "links.0.a_to_b.loss=Bernoulli(p: 0.1)",
        "links.0.a_to_b.loss=None",
    ]);
    assert_eq!(s.links[0].a_to_b.loss, Loss::None);
}

#[test]
fn later_overrides_win() {
    let s = set(&["seed=2", "seed=3"]);
    assert_eq!(s.seed, 3);
}

#[test]
fn unknown_list_element_name() {
    assert_eq!(
        set_error(&["links.h9-r1.delay=5ms"]),
        "--set links.h9-r1.delay: no link named \"h9-r1\", did you mean \"h1-r1\"? (have: h1-r1, r1-h2)"
    );
    assert_eq!(
        set_error(&["nodes.r2.gateway=10.0.1.1"]),
        "--set nodes.r2.gateway: no node named \"r2\", did you mean \"r1\"? (have: h1, r1, h2)"
    );
}

#[test]
fn index_out_of_range() {
    assert_eq!(
        set_error(&["links.5.delay=1ms"]),
        "--set links.5.delay: no links[5] (there are 2 links)"
    );
}

#[test]
fn unknown_field_suggests_the_closest_one() {
    assert_eq!(
        set_error(&["links.0.dealy=3ms"]),
        "--set links.0.dealy: links[0] has no field \"dealy\", did you mean \"delay\"? \
         (fields: a, a_to_b, b, b_to_a, delay, mtu, name, queue, rate)"
    );
    assert_eq!(
        set_error(&["sede=3"]),
        "--set sede: the scenario has no field \"sede\", did you mean \"seed\"? (fields: \
         description, generate, links, max_events, name, nodes, outputs, seed, stop, timeline)"
    );
}

#[test]
fn descending_into_a_value_without_fields() {
    assert_eq!(
        set_error(&["links.0.a_to_b.loss.p=0.1"]),
        "--set links.0.a_to_b.loss.p: links[0].a_to_b.loss is \"None\", which has no field \"p\"; \
         set links.0.a_to_b.loss as a whole instead"
    );
    assert_eq!(
        set_error(&["links.0.a_to_b.queue.limit=5p"]),
        "--set links.0.a_to_b.queue.limit: links[0].a_to_b.queue is None, which has no field \
         \"limit\"; set links.0.a_to_b.queue as a whole instead"
    );
}

#[test]
fn unnamed_list_elements_are_addressed_by_index() {
    assert_eq!(
        set_error(&["timeline.x.time=1s"]),
        "--set timeline.x.time: timeline elements have no names: address them by index, e.g. timeline.0"
    );
}

#[test]
fn malformed_overrides() {
    assert_eq!(
        set_error(&["seed"]),
        "--set seed: expected PATH=VALUE, e.g. links.0.delay=5ms"
    );
    assert_eq!(
        set_error(&["=3"]),
        "--set =3: empty path (write e.g. links.0.delay=5ms)"
    );
    assert_eq!(
        set_error(&["links..a=1"]),
        "--set links..a: empty segment in path \"links..a\""
    );
}

#[test]
fn type_mismatch() {
    assert_eq!(
        set_error(&["seed=abc"]),
        "--set seed=abc: expected u64, got string \"abc\""
    );
    assert_eq!(
        set_error(&["links.0.mtu=1.5"]),
        "--set links.0.mtu=1.5: expected u32, got floating point 1.5"
    );
}

#[test]
fn a_bare_number_for_a_unit_field_asks_for_the_unit() {
    assert_eq!(
        set_error(&["stop=10"]),
        "--set stop=10: missing time unit in \"10\" (write e.g. \"20ms\" or \"1.5s\")"
    );
}

#[test]
fn bad_values_inside_a_literal() {
    assert_eq!(
        set_error(&["links.0.a_to_b.loss=Bernoulli(q:0.05)"]),
        "--set links.0.a_to_b.loss=Bernoulli(q:0.05): unknown field \"q\", did you mean \"p\"? \
         (expected one of: p)"
    );
    assert_eq!(
        set_error(&["outputs.detail=Ful"]),
        "--set outputs.detail=Ful: unknown variant \"Ful\", did you mean \"Full\"? \
         (expected one of: Summary, Packets, Full)"
    );
    assert_eq!(
        set_error(&["nodes.h1.interfaces.eth0.address=10.0.1.300/24"]),
        "--set nodes.h1.interfaces.eth0.address=10.0.1.300/24: expected an IPv4 address with \
         prefix like \"10.0.0.1/24\", got \"10.0.1.300/24\""
    );
}

#[test]
fn the_result_is_validated_and_blamed_on_the_override() {
    assert_eq!(
        set_error(&["nodes.h1.gateway=10.0.9.1"]),
        "--set nodes.h1.gateway=10.0.9.1: nodes[0] (h1).gateway: 10.0.9.1 is not in a connected \
         subnet of h1 (its subnets: 10.0.1.0/24)"
    );
    assert_eq!(
        set_error(&["links.h1-r1.mtu=60"]),
        "--set links.h1-r1.mtu=60: links[0] (h1-r1).mtu: MTU 60 is less than 68, the minimum for \
         IPv4 (RFC 791)"
    );
    // A problem the override causes elsewhere keeps its file position.
    assert_eq!(
        set_error(&["nodes.r1.name=r9"]),
        "t.ron:25:31: links[0] (h1-r1).b: no node named \"r1\", did you mean \"r9\"? (nodes: h1, r9, h2)\n\
         t.ron:26:17: links[1] (r1-h2).a: no node named \"r1\", did you mean \"r9\"? (nodes: h1, r9, h2)"
    );
}

#[test]
fn overrides_change_the_hash() {
    let plain = scenarios::scenario_hash(BASE, &[]);
    assert_eq!(plain.len(), 16);
    assert!(plain.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(plain, scenarios::scenario_hash(BASE, &[]));
    let seeded = scenarios::scenario_hash(BASE, &["seed=2".to_string()]);
    assert_ne!(plain, seeded);
    assert_ne!(
        scenarios::scenario_hash("ab", &[]),
        scenarios::scenario_hash("a", &["b".to_string()])
    );
}
