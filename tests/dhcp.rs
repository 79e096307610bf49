//! End-to-end tests of the DHCP, DNS and NAT scenarios: what a student would
//! check in the trace, in the event log and in Wireshark.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use common::{events, root, scratch, shipped, tshark_fields};
use netsim::protocols::apps::ping::PingStats;
use netsim::protocols::dhcp::{DhcpClientStats, DhcpServerStats};
use netsim::{AppStats, Loaded, RunOptions};

fn run(name: &str) -> (netsim::RunOutcome, PathBuf) {
    let out = scratch(&format!("dhcp-{name}"));
    let file = shipped(name);
    let loaded = Loaded::from_file(&file, &[]).unwrap();
    let opts = RunOptions {
        out_dir: Some(out.clone()),
        write_outputs: true,
        ..RunOptions::default()
    };
    (netsim::run(&loaded, &opts).unwrap(), out)
}

fn client<'a>(o: &'a netsim::RunOutcome, node: &str) -> &'a DhcpClientStats {
    o.apps
        .iter()
        .find_map(|(n, s)| match s {
            AppStats::DhcpClient(c) if n == node => Some(c),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{node} has no DHCP client"))
}

fn server<'a>(o: &'a netsim::RunOutcome, node: &str) -> &'a DhcpServerStats {
    o.apps
        .iter()
        .find_map(|(n, s)| match s {
            AppStats::DhcpServer(d) if n == node => Some(d),
            _ => None,
        })
        .unwrap()
}

fn ping<'a>(o: &'a netsim::RunOutcome, node: &str) -> &'a PingStats {
    o.apps
        .iter()
        .find_map(|(n, s)| match s {
            AppStats::Ping(p) if n == node => Some(p),
            _ => None,
        })
        .unwrap()
}

/// The DHCP state changes of `node`, as "FROM -> TO".
fn dhcp_states(ev: &[serde_json::Value], node: &str) -> Vec<String> {
    ev.iter()
        .filter(|e| e["kind"] == "dhcp" && e["dhcp"] == "state" && e["node"] == node)
        .map(|e| {
            format!(
                "{} -> {}",
                e["state_from"].as_str().unwrap(),
                e["state_to"].as_str().unwrap()
            )
        })
        .collect()
}

fn in_range(ip: Ipv4Addr, first: Ipv4Addr, last: Ipv4Addr) -> bool {
    (u32::from(first)..=u32::from(last)).contains(&u32::from(ip))
}

#[test]
fn dhcp_boot_binds_every_host_then_each_resolves_the_server_and_pings_it() {
    let (o, out) = run("dhcp-boot");
    let mut addrs = BTreeSet::new();
    for h in ["h1", "h2", "h3"] {
        let c = client(&o, h);
        let a = c.address.unwrap_or_else(|| panic!("{h} not bound"));
        assert_eq!(a.prefix_len, 24);
        assert!(
            in_range(
                a.addr,
                Ipv4Addr::new(10, 0, 1, 100),
                Ipv4Addr::new(10, 0, 1, 199)
            ),
            "{h}: {a}"
        );
        assert!(addrs.insert(a.addr), "{h}: {a} given twice");
        assert_eq!((c.declines, c.naks, c.discovers), (0, 0, 1));
        // Resolved server.example through the DNS server the lease named, then pinged
        // it through the router the lease named.
        let p = ping(&o, h);
        assert_eq!((p.transmitted, p.received), (2, 2), "{h}");
        assert_eq!(p.reply_ttls, [63, 63]);
    }
    assert_eq!(server(&o, "r1").acks, 3);
    let ev = events(&out);
    assert_eq!(
        dhcp_states(&ev, "h1"),
        [
            "INIT -> SELECTING",
            "SELECTING -> REQUESTING",
            "REQUESTING -> BOUND"
        ]
    );
    assert!(
        ev.iter()
            .any(|e| e["node"] == "h1" && e["dhcp"] == "checking")
    );

    // Wireshark's view of h1's interface: DISCOVER, OFFER, REQUEST, ACK of one
    // transaction; the DISCOVER from 0.0.0.0:68 to 255.255.255.255:67, Ethernet broadcast.
    let h1 = out.join("h1-eth0.pcap");
    let xid = tshark_fields(
        &h1,
        "dhcp.option.dhcp == 1 && eth.src == 02:00:00:00:00:01",
        &["dhcp.id"],
    );
    assert_eq!(xid.len(), 1);
    let exchange = tshark_fields(
        &h1,
        &format!("dhcp.id == {}", xid[0]),
        &["dhcp.option.dhcp"],
    );
    assert_eq!(exchange, ["1", "2", "3", "5"]);
    let discover = tshark_fields(
        &h1,
        &format!("dhcp.id == {} && dhcp.option.dhcp == 1", xid[0]),
        &["eth.dst", "ip.src", "ip.dst", "udp.srcport", "udp.dstport"],
    );
    assert_eq!(
        discover,
        ["ff:ff:ff:ff:ff:ff,0.0.0.0,255.255.255.255,68,67"]
    );
    // The ACK carries mask, router, DNS server, lease time, T1 and T2.
    let ack = tshark_fields(
        &h1,
        &format!("dhcp.id == {} && dhcp.option.dhcp == 5", xid[0]),
        &[
            "dhcp.option.subnet_mask",
            "dhcp.option.router",
            "dhcp.option.domain_name_server",
            "dhcp.option.ip_address_lease_time",
            "dhcp.option.renewal_time_value",
            "dhcp.option.rebinding_time_value",
        ],
    );
    assert_eq!(ack, ["255.255.255.0,10.0.1.1,10.0.2.53,3600,1800,3150"]);
    // RFC 5227: three probes from 0.0.0.0 for h1's address, then an announcement.
    let mine = client(&o, "h1").address.unwrap().addr;
    let probes = tshark_fields(
        &h1,
        "arp.isprobe && eth.src == 02:00:00:00:00:01",
        &["arp.dst.proto_ipv4"],
    );
    assert_eq!(probes, vec![mine.to_string(); 3]);
    let announced = tshark_fields(
        &h1,
        "arp.isannouncement && eth.src == 02:00:00:00:00:01",
        &["arp.src.proto_ipv4"],
    );
    assert_eq!(announced, vec![mine.to_string(); 2]);
    // DNS: the query for server.example and its answer.
    let answers = tshark_fields(&h1, "dns.flags.response == 1", &["dns.qry.name", "dns.a"]);
    assert_eq!(answers, ["server.example,10.0.2.10"]);
}

#[test]
fn a_released_lease_goes_back_to_the_server() {
    let file = root().join("scenarios/teaching/dhcp-boot.ron");
    let loaded = Loaded::from_file(&file, &["nodes.h1.dhcp.release_at=15s".to_string()]).unwrap();
    let o = netsim::run(&loaded, &RunOptions::in_memory()).unwrap();
    let c = client(&o, "h1");
    assert_eq!((c.releases, c.address), (1, None));
    let s = server(&o, "r1");
    assert_eq!((s.releases, s.leases.len()), (1, 2));
}

#[test]
fn a_name_that_does_not_exist_is_nxdomain_and_the_ping_never_starts() {
    let file = root().join("scenarios/teaching/dhcp-boot.ron");
    let loaded =
        Loaded::from_file(&file, &["nodes.h1.apps.0.to=nope.example".to_string()]).unwrap();
    let o = netsim::run(&loaded, &RunOptions::in_memory()).unwrap();
    let unresolved = o
        .apps
        .iter()
        .find_map(|(n, s)| match s {
            AppStats::Unresolved { app, name, error } if n == "h1" => {
                Some((*app, name.clone(), error.clone()))
            }
            _ => None,
        })
        .expect("h1's ping did not resolve");
    assert_eq!(
        unresolved,
        (
            "ping",
            "nope.example".to_string(),
            "Name or service not known".to_string()
        )
    );
    let AppStats::DnsServer(d) = &o.apps.iter().find(|(n, _)| n == "ns").unwrap().1 else {
        panic!()
    };
    assert_eq!((d.queries, d.answered, d.nxdomain), (3, 2, 1));
}

#[test]
fn dhcp_exhaustion_leaves_two_clients_without_a_lease_and_says_why() {
    let (o, out) = run("dhcp-exhaustion");
    let hosts = ["h1", "h2", "h3", "h4", "h5"];
    let bound: Vec<Ipv4Addr> = hosts
        .iter()
        .filter_map(|h| client(&o, h).address.map(|a| a.addr))
        .collect();
    let unique: BTreeSet<_> = bound.iter().collect();
    assert_eq!((bound.len(), unique.len()), (3, 3));
    assert!(bound.iter().all(|a| in_range(
        *a,
        Ipv4Addr::new(10, 0, 1, 100),
        Ipv4Addr::new(10, 0, 1, 102)
    )));
    for h in hosts {
        let (c, p) = (client(&o, h), ping(&o, h));
        if c.address.is_none() {
            // Retransmitted with backoff (0, ~4, ~12, ~28 s), never answered; the
            // host's ping never started.
            assert_eq!(c.discovers, 4, "{h}");
            assert_eq!(p.transmitted, 0, "{h}");
        } else {
            assert_eq!(p.received, 1, "{h}");
        }
    }
    let s = server(&o, "r1");
    assert_eq!((s.offers, s.acks, s.exhausted), (3, 3, 8));
    let trace = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert_eq!(
        trace.matches("network 10.0.1.0/24: no free leases").count(),
        8
    );
}

#[test]
fn dhcp_lease_renews_at_t1_rebinds_at_t2_and_expires_while_the_server_is_away() {
    let (o, out) = run("dhcp-lease");
    let c = client(&o, "h1");
    let secs = |s: u64| netsim::sim_core::SimDuration::from_secs(s);
    // Two renewals (one answered, one not), each within 1 s of T1 (RFC 2131 §4.4.5 fuzz).
    assert_eq!(c.renewals.len(), 2);
    for (t1, at) in &c.renewals {
        let d = if at > t1 {
            at.saturating_since(*t1)
        } else {
            t1.saturating_since(*at)
        };
        assert!(d <= secs(1), "renewal at {at}, T1 {t1}");
    }
    // The answered renewal restarted the lease: T2 (52 s) and expiry (60 s) count from it.
    let renewed = c.renewals[0].1;
    assert_eq!(c.rebinds, [renewed + secs(52)]);
    assert_eq!(c.expirations, 1);
    // Bound at boot, and again with the same address after the server came back at 100 s.
    assert_eq!(c.bound.len(), 2);
    assert!(
        c.bound
            .iter()
            .all(|(_, a)| *a == Ipv4Addr::new(10, 0, 1, 100))
    );
    assert!(c.bound[1].0 > netsim::sim_core::SimTime::from_nanos(100_000_000_000));
    let ev = events(&out);
    assert_eq!(
        dhcp_states(&ev, "h1"),
        [
            "INIT -> SELECTING",
            "SELECTING -> REQUESTING",
            "REQUESTING -> BOUND",
            "BOUND -> RENEWING",
            "RENEWING -> BOUND",
            "BOUND -> RENEWING",
            "RENEWING -> REBINDING",
            "REBINDING -> INIT",
            "INIT -> SELECTING",
            "SELECTING -> REQUESTING",
            "REQUESTING -> BOUND",
        ]
    );
    let expired = ev
        .iter()
        .find(|e| e["dhcp"] == "deconfigured")
        .expect("the address was removed");
    assert_eq!(
        expired["t_ns"].as_u64().unwrap(),
        (renewed + secs(60)).as_nanos()
    );
    // On the wire: the renewal is unicast to the server with ciaddr set, the rebinding broadcast.
    let h1 = out.join("h1-eth0.pcap");
    let requests = tshark_fields(
        &h1,
        "dhcp.option.dhcp == 3 && dhcp.ip.client == 10.0.1.100",
        &["ip.src", "ip.dst"],
    );
    assert_eq!(
        requests,
        [
            "10.0.1.100,10.0.1.2",
            "10.0.1.100,10.0.1.2",
            "10.0.1.100,255.255.255.255"
        ]
    );
    // The ping lost its route when the lease expired, and got it back.
    let p = ping(&o, "h1");
    assert!(p.received >= 18 && p.received < p.transmitted, "{p:?}");
    let trace = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert!(trace.contains("Network is unreachable"));
}

#[test]
fn dhcp_conflict_declines_the_address_in_use_and_takes_another() {
    let (o, out) = run("dhcp-conflict");
    let c = client(&o, "h1");
    assert_eq!(c.declines, 1);
    assert_eq!(c.address.unwrap().addr, Ipv4Addr::new(10, 0, 1, 101));
    assert_eq!(server(&o, "r1").declines, 1);
    assert_eq!(ping(&o, "h1").received, 2, "the printer is reachable too");
    let ev = events(&out);
    let conflict = ev.iter().find(|e| e["dhcp"] == "conflict").unwrap();
    assert_eq!(
        (conflict["ip"].as_str(), conflict["mac"].as_str()),
        (Some("10.0.1.100"), Some("02:00:00:00:00:02"))
    );
    // The printer answered the probe; h1 declined, waited 10 s, and started over.
    let h1 = out.join("h1-eth0.pcap");
    let reply = tshark_fields(
        &h1,
        "arp.opcode == 2 && arp.src.proto_ipv4 == 10.0.1.100 && arp.dst.proto_ipv4 == 0.0.0.0",
        &["frame.time_relative"],
    );
    assert_eq!(reply.len(), 1);
    let decline = tshark_fields(
        &h1,
        "dhcp.option.dhcp == 4",
        &[
            "dhcp.option.requested_ip_address",
            "dhcp.option.dhcp_server_id",
            "frame.time_relative",
        ],
    );
    assert_eq!(decline.len(), 1);
    assert!(decline[0].starts_with("10.0.1.100,10.0.1.1,"));
    let t_decline: f64 = decline[0].rsplit(',').next().unwrap().parse().unwrap();
    let discovers = tshark_fields(
        &h1,
        "dhcp.option.dhcp == 1 && eth.src == 02:00:00:00:00:01",
        &["frame.time_relative"],
    );
    let t_next: f64 = discovers[1].parse().unwrap();
    assert!(
        (t_next - t_decline - 10.0).abs() < 1e-6,
        "{t_decline} -> {t_next}"
    );
}

#[test]
fn home_gateway_translates_the_lan_behind_its_public_address() {
    let (o, out) = run("home-gateway");
    let AppStats::HttpClient(h) = &o.apps.iter().find(|(n, _)| n == "h1").unwrap().1 else {
        panic!()
    };
    assert_eq!((h.completed, h.failed, h.mismatched), (1, 0, 0));
    assert_eq!(ping(&o, "h2").received, 2);
    let AppStats::Traceroute(t) = &o.apps.iter().filter(|(n, _)| n == "h2").nth(1).unwrap().1
    else {
        panic!()
    };
    // Every hop is seen: the time-exceeded from the ISP router was translated back.
    let hops: Vec<Option<Ipv4Addr>> = t.hops.clone();
    assert_eq!(
        hops,
        [
            Some(Ipv4Addr::new(192, 168, 1, 1)),
            Some(Ipv4Addr::new(203, 0, 113, 1)),
            Some(Ipv4Addr::new(198, 51, 100, 80))
        ]
    );
    assert!(t.reached);
    // The web server only ever sees the gateway's public address.
    let web = out.join("web-eth0.pcap");
    let sources: BTreeSet<String> = tshark_fields(&web, "tcp.dstport == 80", &["ip.src"])
        .into_iter()
        .collect();
    assert_eq!(sources, BTreeSet::from(["203.0.113.2".to_string()]));
    let lan: BTreeSet<String> =
        tshark_fields(&out.join("h1-eth0.pcap"), "tcp.dstport == 80", &["ip.src"])
            .into_iter()
            .collect();
    assert_eq!(lan.len(), 1);
    assert!(lan.iter().next().unwrap().starts_with("192.168.1."));
    // The trace names both sides of every translated packet.
    let ev = events(&out);
    let translated: Vec<&serde_json::Value> =
        ev.iter().filter(|e| e["nat"] == "translated").collect();
    assert!(!translated.is_empty());
    for e in &translated {
        assert!(
            e["inside"].as_str().unwrap().starts_with("192.168.1."),
            "{e}"
        );
        assert!(
            e["outside"].as_str().unwrap().starts_with("203.0.113.2:"),
            "{e}"
        );
    }
    assert!(ev.iter().any(|e| e["nat"] == "icmp-error"));
    // The gateway's DNS forwarder asked the ISP's server from its public address.
    let AppStats::DnsServer(d) = &o
        .apps
        .iter()
        .find(|(n, s)| n == "gw" && matches!(s, AppStats::DnsServer(_)))
        .unwrap()
        .1
    else {
        panic!()
    };
    assert_eq!(d.forwarded, 3, "one query per application");
    let upstream = tshark_fields(
        &out.join("ns-eth0.pcap"),
        "dns.flags.response == 0",
        &["ip.src"],
    );
    assert_eq!(upstream, ["203.0.113.2"; 3]);
}

/// A LAN of `n` hosts booting together behind one DHCP server.
fn boot_storm(n: u32) -> String {
    let mut nodes = String::new();
    let mut links = String::new();
    for h in 0..n {
        nodes.push_str(&format!(
            "Host(name: \"h{h}\", interfaces: [Interface(name: \"eth0\", address: Dhcp)], \
             dhcp: DhcpClient(arp_probe: false, init_delay: \"5s\")),\n"
        ));
        links.push_str(&format!("Link(a: \"h{h}:eth0\", b: \"sw1\"),\n"));
    }
    format!(
        "Scenario(name: \"storm\", stop: \"60s\", nodes: [{nodes}
            Switch(name: \"sw1\"),
            Router(name: \"r1\", interfaces: [Interface(name: \"eth0\", address: \"10.0.0.1/22\")],
                   apps: [DhcpServer(interface: \"eth0\", pool: \"10.0.0.10-10.0.3.250\")]),
        ], links: [{links} Link(a: \"r1:eth0\", b: \"sw1\")])"
    )
}

#[test]
fn a_thousand_hosts_booting_on_one_lan_all_get_unique_addresses() {
    // ARP probing is off here: it adds five broadcasts per host (the other tests
    // cover it) and would make this run several times longer.
    let loaded = Loaded::from_str(&boot_storm(1000), "storm.ron", &[]).unwrap();
    let o = netsim::run(&loaded, &RunOptions::in_memory()).unwrap();
    let addrs: Vec<Ipv4Addr> = o
        .apps
        .iter()
        .filter_map(|(_, s)| match s {
            AppStats::DhcpClient(c) => Some(c.address.expect("bound").addr),
            _ => None,
        })
        .collect();
    assert_eq!(addrs.len(), 1000);
    let unique: BTreeSet<_> = addrs.iter().collect();
    assert_eq!(unique.len(), 1000, "every address given once");
    assert!(addrs.iter().all(|a| in_range(
        *a,
        Ipv4Addr::new(10, 0, 0, 10),
        Ipv4Addr::new(10, 0, 3, 250)
    )));
    let s = server(&o, "r1");
    assert_eq!((s.leases.len(), s.exhausted), (1000, 0));
}
