//! The DHCP, DNS, NAT and UDP part of the schema: how it reads, its defaults,
//! and the errors bad values get (each naming the item and where it is).

mod common;
use common::*;

use std::net::Ipv4Addr;

use scenarios::{Address, App, Node};

/// A LAN whose host is configured by DHCP from the router.
const LAN: &str = r#"Scenario(
    name: "lan",
    nodes: [
        Host(name: "h1", interfaces: [Interface(name: "eth0", address: Dhcp)],
             apps: [Ping(to: "server.example")]),
        Router(name: "r1",
            interfaces: [Interface(name: "lan0", address: "10.0.1.1/24"),
                         Interface(name: "wan0", address: "203.0.113.2/24")],
            nat: Nat(inside: ["lan0"], outside: "wan0"),
            apps: [DhcpServer(interface: "lan0", pool: "10.0.1.100-10.0.1.199", dns: ["10.0.1.1"]),
                   DnsServer(records: [A(name: "server.example", address: "203.0.113.80")])]),
    ],
    links: [Link(a: "h1:eth0", b: "r1:lan0")],
)"#;

#[track_caller]
fn set_error(overrides: &[&str]) -> String {
    match load(BASE, overrides) {
        Ok(_) => panic!("the overrides applied"),
        Err(e) => e.to_string(),
    }
}

fn lan_error(from: &str, to: &str) -> String {
    error(&edit_text(LAN, from, to))
}

#[test]
fn dhcp_interfaces_dns_and_nat_read_with_their_defaults() {
    let s = load(LAN, &[]).unwrap();
    let Node::Host(h) = &s.nodes[0] else { panic!() };
    assert_eq!(h.interfaces[0].address, Some(Address::Dhcp));
    assert!(h.dhcp.arp_probe);
    assert_eq!(h.dhcp.init_delay.to_string(), "1s");
    assert_eq!(
        (h.resolver.timeout.to_string(), h.resolver.attempts),
        ("5s".to_string(), 2)
    );
    let Node::Router(r) = &s.nodes[1] else {
        panic!()
    };
    let nat = r.nat.as_ref().unwrap();
    assert_eq!(nat.udp_timeout.to_string(), "300s");
    let App::DhcpServer(d) = &r.apps[0] else {
        panic!()
    };
    assert_eq!(d.lease.to_string(), "3600s");
    assert_eq!(
        (d.pool.first, d.pool.len()),
        (Ipv4Addr::new(10, 0, 1, 100), 100)
    );
    assert_eq!(d.router, None, "the builder uses the router's own address");
}

#[test]
fn an_interface_can_be_switched_to_dhcp_from_the_command_line() {
    let s = load(
        BASE,
        &[
            "nodes.h1.interfaces.eth0.address=Dhcp",
            "nodes.h1.gateway=None",
        ],
    )
    .unwrap();
    assert_eq!(s.nodes[0].interfaces()[0].address, Some(Address::Dhcp));
    assert_eq!(
        set_error(&["nodes.h1.interfaces.eth0.address=dhcp"]),
        "--set nodes.h1.interfaces.eth0.address=dhcp: expected an IPv4 address with prefix like \
         \"10.0.0.1/24\", or Dhcp, got \"dhcp\""
    );
}

#[test]
fn a_pool_outside_the_subnet_is_refused() {
    assert_eq!(
        lan_error("10.0.1.100-10.0.1.199", "10.0.1.100-10.0.2.10"),
        "t.ron:10:56: nodes[1] (r1).apps[0] (DhcpServer).pool: 10.0.2.10 is not a host address of \
         lan0's subnet 10.0.1.0/24 (the pool must lie inside it)"
    );
    assert!(
        lan_error("10.0.1.100-10.0.1.199", "10.0.1.199-10.0.1.100")
            .ends_with("10.0.1.199-10.0.1.100 is empty: the first address comes after the last")
    );
    assert!(
        lan_error("10.0.1.100-10.0.1.199", "10.0.1.1-10.0.1.9")
            .ends_with("the pool 10.0.1.1-10.0.1.9 includes the server's own address 10.0.1.1")
    );
    assert!(
        lan_error("10.0.1.100-10.0.1.199", "10.0.1.100").contains(
            "expected an address range like \"10.0.1.100-10.0.1.199\", got \"10.0.1.100\""
        )
    );
}

#[test]
fn a_dhcp_server_needs_a_static_interface_of_its_node() {
    assert_eq!(
        lan_error("interface: \"lan0\", pool", "interface: \"lan1\", pool"),
        "t.ron:10:42: nodes[1] (r1).apps[0] (DhcpServer).interface: r1 has no interface \"lan1\", \
         did you mean \"lan0\"? (it has: lan0, wan0)"
    );
}

#[test]
fn renewal_must_come_before_rebinding_and_rebinding_before_expiry() {
    let msg = lan_error("dns: [\"10.0.1.1\"]", "lease: \"60s\", renewal: \"55s\"");
    assert!(
        msg.ends_with(
            "renewal (T1 55s) ≤ rebinding (T2 52.5s) ≤ lease (60s) must hold (RFC 2131 §4.4.5)"
        ),
        "{msg}"
    );
}

#[test]
fn reservations_name_existing_hosts_and_free_addresses() {
    let msg = lan_error(
        "dns: [\"10.0.1.1\"]",
        "reservations: [Reservation(host: \"h9\", address: \"10.0.1.1\")]",
    );
    assert!(
        msg.contains("reservations[0].host: no node named \"h9\""),
        "{msg}"
    );
    assert!(
        msg.contains(
            "reservations[0].address: 10.0.1.1 is not a free host address of the subnet 10.0.1.0/24"
        ),
        "{msg}"
    );
}

#[test]
fn only_hosts_use_dhcp_and_a_dhcp_host_takes_its_gateway_from_the_lease() {
    assert_eq!(
        lan_error("\"10.0.1.1/24\"", "Dhcp"),
        "t.ron:7:59: nodes[1] (r1).interfaces[0] (lan0).address: only hosts configure interfaces \
         by DHCP; give the router a static address\n\
         t.ron:10:42: nodes[1] (r1).apps[0] (DhcpServer).interface: a DHCP server needs a static \
         address on r1:lan0"
    );
    let msg = lan_error(
        "address: Dhcp)],",
        "address: Dhcp)], gateway: \"10.0.1.1\",",
    );
    assert!(msg.ends_with(
        "its subnet comes from DHCP: leave the gateway out, the lease's router option sets the default route)"
    ), "{msg}");
}

#[test]
fn host_names_need_a_dns_server_and_must_be_names() {
    let text = edit_text(
        LAN,
        "Interface(name: \"eth0\", address: Dhcp)",
        "Interface(name: \"eth0\", address: \"10.0.1.5/24\")",
    );
    assert!(error(&text).ends_with(
        "\"server.example\" is a host name, but h1 has no DNS server to resolve it: set `dns: [\"…\"]` on the host or configure an interface by DHCP"
    ));
    let with_dns = edit_text(&text, "apps: [Ping(", "dns: [\"10.0.1.1\"], apps: [Ping(");
    assert!(load(&with_dns, &[]).is_ok());
    assert!(
        lan_error("A(name: \"server.example\"", "A(name: \"bad_name.example\"")
            .contains("records[0].name: \"bad_name.example\" is not a host name")
    );
    // A TCP client names host and port.
    let http = edit_text(
        LAN,
        "Ping(to: \"server.example\")",
        "HttpClient(to: \"server.example\")",
    );
    assert!(
        error(&http).contains(
            "expected an address and port like \"10.0.2.10:80\" or \"server.example:80\""
        )
    );
}

#[test]
fn nat_interfaces_must_exist_and_the_outside_must_be_static() {
    let msg = lan_error("outside: \"wan0\"", "outside: \"wan1\"");
    assert!(
        msg.contains("nat.outside: r1 has no interface \"wan1\", did you mean \"wan0\"?"),
        "{msg}"
    );
    let msg = lan_error("inside: [\"lan0\"]", "inside: [\"wan0\"]");
    assert!(
        msg.contains("wan0 cannot be both inside and outside"),
        "{msg}"
    );
}

#[test]
fn udp_apps_check_their_numbers_and_ports_clash() {
    let cbr = edit_text(
        LAN,
        "Ping(to: \"server.example\")",
        "UdpCbr(to: \"10.0.1.1:9\", size: 4, rate: \"0bps\")",
    );
    let msg = error(&cbr);
    assert!(
        msg.contains("apps[0] (UdpCbr).rate: must be more than 0bps"),
        "{msg}"
    );
    assert!(
        msg.contains("apps[0] (UdpCbr).size: 4 bytes: a datagram carries 12"),
        "{msg}"
    );
    let clash = edit_text(LAN, "DnsServer(", "UdpSink(port: 53), DnsServer(");
    assert!(error(&clash).contains("apps[2] (DnsServer): UDP port 53 is already taken by apps[1]"));
}
