//! The world builder: what a validated scenario resolves to, every name
//! looked up once.

use std::net::Ipv4Addr;

use protocols::topology::IfaceId;
use protocols::world::{AppSpec, RouteSpec};

/// A home gateway serving a LAN switch by DHCP, and an ISP host behind it.
const HOME: &str = r#"Scenario(
    name: "home",
    nodes: [
        Router(
            name: "gw",
            interfaces: [
                Interface(name: "lan0", address: "192.168.1.1/24"),
                Interface(name: "wan0", address: "203.0.113.2/24"),
            ],
            nat: Nat(inside: ["lan0"], outside: "wan0"),
            apps: [DhcpServer(interface: "lan0", pool: "192.168.1.100-192.168.1.199",
                              reservations: [Reservation(host: "printer", address: "192.168.1.5")])],
        ),
        Switch(name: "sw"),
        Host(name: "printer", interfaces: [Interface(name: "eth0", address: Dhcp)]),
        Host(name: "isp", interfaces: [Interface(name: "eth0", address: "203.0.113.1/24", mtu: 1400)],
             routes: [Route(to: "192.168.0.0/16")]),
    ],
    links: [
        Link(a: "gw:lan0", b: "sw"),
        Link(a: "printer:eth0", b: "sw"),
        Link(a: "gw:wan0", b: "isp:eth0", mtu: 1492),
    ],
)"#;

fn home() -> protocols::world::WorldSpec {
    let s = scenarios::load_str(HOME, "home.ron", &[]).unwrap();
    scenarios::build::world_spec(&s, 1, 0)
}

#[test]
fn switch_ports_are_numbered_after_the_interfaces_in_link_order() {
    let w = home();
    let topo = &w.topology;
    assert_eq!(topo.nodes[1].ifaces, [IfaceId(2), IfaceId(3)]);
    assert_eq!(topo.iface(IfaceId(3)).name, "p1");
    assert_eq!(topo.links[1].ends, [IfaceId(4), IfaceId(3)]);
    assert_eq!(topo.iface(IfaceId(4)).mac.to_string(), "02:00:00:00:00:05");
    assert_eq!(topo.iface(IfaceId(4)).addr, None);
}

#[test]
fn a_dhcp_server_gets_its_interface_router_and_reserved_mac() {
    let w = home();
    let AppSpec::DhcpServer { iface, config } = &w.nodes[0].apps[0] else {
        panic!("{:?}", w.nodes[0].apps[0]);
    };
    assert_eq!(*iface, IfaceId(0));
    assert_eq!(config.addr.to_string(), "192.168.1.1/24");
    assert_eq!(config.router, Some(Ipv4Addr::new(192, 168, 1, 1)));
    assert_eq!(config.decline_hold, config.lease);
    let printer_mac = w.topology.iface(IfaceId(4)).mac;
    assert_eq!(
        config.reservations,
        [(printer_mac, Ipv4Addr::new(192, 168, 1, 5))]
    );
}

#[test]
fn services_and_routes_name_interfaces_by_id() {
    let w = home();
    let nat = w.nodes[0].nat.as_ref().unwrap();
    assert_eq!(
        (nat.inside.as_slice(), nat.outside),
        (&[IfaceId(0)][..], IfaceId(1))
    );
    let (iface, client) = &w.nodes[2].dhcp[0];
    assert_eq!(*iface, IfaceId(4));
    assert_eq!(client.mac, w.topology.iface(IfaceId(4)).mac);
    assert_eq!(client.hostname.as_deref(), Some("printer"));
    // An on-link route of a single-interface host leaves by that interface.
    assert_eq!(
        w.nodes[3].routes,
        [RouteSpec {
            dest: "192.168.0.0/16".parse().unwrap(),
            via: None,
            iface: IfaceId(5),
        }]
    );
    // The interface's MTU overrides the link's; the others have the link's.
    assert_eq!(w.nodes[3].mtu, [1400]);
    assert_eq!(w.nodes[0].mtu, [1500, 1492]);
}
