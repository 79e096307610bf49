//! The DHCP server at message level: a message at time t; exactly these
//! replies, to exactly these destinations.

use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use super::server::*;
use crate::wire::{DhcpMessageType, DhcpOp, DhcpRepr, Ipv4Cidr, MacAddr};

const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);

fn mac(n: u8) -> MacAddr {
    MacAddr([2, 0, 0, 0, 0, n])
}

fn ip(last: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 1, last)
}

fn s(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000_000)
}

fn config(pool: (u8, u8)) -> ServerConfig {
    ServerConfig {
        addr: Ipv4Cidr::new(SERVER, 24).unwrap(),
        pool: (ip(pool.0), ip(pool.1)),
        lease: SimDuration::from_secs(3600),
        renewal: None,
        rebinding: None,
        router: Some(SERVER),
        dns: vec![Ipv4Addr::new(10, 0, 2, 53)],
        reservations: Vec::new(),
        offer_hold: SimDuration::from_secs(60),
        decline_hold: SimDuration::from_secs(3600),
    }
}

fn server(pool: (u8, u8)) -> DhcpServer {
    DhcpServer::new(config(pool), "eth0")
}

fn discover(m: u8) -> DhcpRepr {
    DhcpRepr::new(
        DhcpOp::BootRequest,
        DhcpMessageType::Discover,
        u32::from(m),
        mac(m),
    )
}

fn select(m: u8, addr: Ipv4Addr, server_id: Ipv4Addr) -> DhcpRepr {
    DhcpRepr {
        requested_ip: Some(addr),
        server_id: Some(server_id),
        ..DhcpRepr::new(
            DhcpOp::BootRequest,
            DhcpMessageType::Request,
            u32::from(m),
            mac(m),
        )
    }
}

fn renew(m: u8, addr: Ipv4Addr) -> DhcpRepr {
    DhcpRepr {
        ciaddr: addr,
        ..DhcpRepr::new(
            DhcpOp::BootRequest,
            DhcpMessageType::Request,
            u32::from(m),
            mac(m),
        )
    }
}

#[track_caller]
fn replies(out: &[ServerOutput]) -> Vec<(DhcpRepr, ReplyTo)> {
    out.iter()
        .filter_map(|o| match o {
            ServerOutput::Reply { msg, to } => Some((msg.clone(), *to)),
            ServerOutput::Log(_) => None,
        })
        .collect()
}

#[track_caller]
fn one_reply(out: &[ServerOutput]) -> (DhcpRepr, ReplyTo) {
    let r = replies(out);
    assert_eq!(r.len(), 1, "{out:#?}");
    r.into_iter().next().unwrap()
}

fn logs(out: &[ServerOutput]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            ServerOutput::Log(l) => Some(l.clone()),
            ServerOutput::Reply { .. } => None,
        })
        .collect()
}

/// Leases `addr` to client `m` (DISCOVER, REQUEST) at time `t`.
fn lease(srv: &mut DhcpServer, m: u8, t: SimTime) -> Ipv4Addr {
    let (offer, _) = one_reply(&srv.on_message(t, &discover(m)));
    let (ack, _) = one_reply(&srv.on_message(t, &select(m, offer.yiaddr, SERVER)));
    assert_eq!(ack.message_type, DhcpMessageType::Ack);
    ack.yiaddr
}

#[test]
fn discover_gets_the_lowest_free_address_unicast_to_the_client_hardware_address() {
    let mut srv = server((100, 199));
    let out = srv.on_message(s(1), &discover(5));
    let (offer, to) = one_reply(&out);
    assert_eq!(
        (offer.op, offer.message_type),
        (DhcpOp::BootReply, DhcpMessageType::Offer)
    );
    assert_eq!(
        (offer.xid, offer.chaddr, offer.yiaddr),
        (5, mac(5), ip(100))
    );
    // RFC 2131 §4.1: broadcast bit clear, no ciaddr: unicast to chaddr at yiaddr.
    assert_eq!(
        to,
        ReplyTo::Link {
            mac: mac(5),
            ip: ip(100)
        }
    );
    // Table 3: server id, lease time MUST; mask, router, DNS, T1, T2 as configured.
    assert_eq!(offer.server_id, Some(SERVER));
    assert_eq!(offer.lease_time, Some(3600));
    assert_eq!(
        (offer.renewal_t1, offer.rebinding_t2),
        (Some(1800), Some(3150))
    );
    assert_eq!(offer.subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
    assert_eq!(offer.routers, [SERVER]);
    assert_eq!(offer.client_id, None, "Table 3: MUST NOT in an OFFER");
    assert_eq!(
        logs(&out),
        [
            "DHCPDISCOVER from 02:00:00:00:00:05 via eth0",
            "DHCPOFFER on 10.0.1.100 to 02:00:00:00:00:05 via eth0"
        ]
    );
    // A second client gets the next address while the first offer is held.
    assert_eq!(
        one_reply(&srv.on_message(s(1), &discover(6))).0.yiaddr,
        ip(101)
    );
}

#[test]
fn a_request_for_the_offer_is_acknowledged_and_the_lease_recorded() {
    let mut srv = server((100, 199));
    srv.on_message(s(1), &discover(5));
    let (ack, to) = one_reply(&srv.on_message(s(1), &select(5, ip(100), SERVER)));
    assert_eq!(
        (ack.message_type, ack.yiaddr, ack.lease_time),
        (DhcpMessageType::Ack, ip(100), Some(3600))
    );
    assert_eq!(
        to,
        ReplyTo::Link {
            mac: mac(5),
            ip: ip(100)
        }
    );
    assert_eq!(srv.stats().leases, [(ip(100), mac(5))]);
    // The same client asking again gets the same address (RFC 2131 §4.3.1).
    assert_eq!(
        one_reply(&srv.on_message(s(2), &discover(5))).0.yiaddr,
        ip(100)
    );
}

#[test]
fn the_broadcast_flag_makes_replies_broadcast() {
    let mut srv = server((100, 199));
    let d = DhcpRepr {
        broadcast: true,
        ..discover(5)
    };
    let (offer, to) = one_reply(&srv.on_message(s(1), &d));
    assert_eq!(to, ReplyTo::Broadcast);
    assert!(offer.broadcast);
}

#[test]
fn a_request_naming_another_server_frees_our_offer_silently() {
    let mut srv = server((100, 100));
    srv.on_message(s(1), &discover(5));
    let out = srv.on_message(s(1), &select(5, ip(100), Ipv4Addr::new(10, 0, 1, 2)));
    assert!(replies(&out).is_empty());
    // The address is free for the next client.
    assert_eq!(
        one_reply(&srv.on_message(s(1), &discover(6))).0.yiaddr,
        ip(100)
    );
}

#[test]
fn a_request_for_an_address_held_by_another_client_gets_a_broadcast_nak() {
    let mut srv = server((100, 199));
    lease(&mut srv, 5, s(1));
    let (nak, to) = one_reply(&srv.on_message(s(2), &select(6, ip(100), SERVER)));
    assert_eq!(nak.message_type, DhcpMessageType::Nak);
    assert_eq!(
        (nak.yiaddr, nak.lease_time, nak.server_id),
        (Ipv4Addr::UNSPECIFIED, None, Some(SERVER))
    );
    assert_eq!(to, ReplyTo::Broadcast, "RFC 2131 §4.1: NAKs are broadcast");
    assert_eq!(srv.stats().naks, 1);
}

#[test]
fn an_exhausted_pool_makes_no_offer_and_says_why() {
    let mut srv = server((100, 101));
    lease(&mut srv, 1, s(1));
    lease(&mut srv, 2, s(1));
    let out = srv.on_message(s(2), &discover(3));
    assert!(replies(&out).is_empty());
    assert_eq!(
        logs(&out),
        ["DHCPDISCOVER from 02:00:00:00:00:03 via eth0: network 10.0.1.0/24: no free leases"]
    );
    assert_eq!(srv.stats().exhausted, 1);
}

#[test]
fn a_declined_address_is_not_offered_again_until_the_hold_ends() {
    let mut srv = server((100, 101));
    lease(&mut srv, 5, s(1));
    let decline = DhcpRepr {
        requested_ip: Some(ip(100)),
        server_id: Some(SERVER),
        ..DhcpRepr::new(DhcpOp::BootRequest, DhcpMessageType::Decline, 5, mac(5))
    };
    let out = srv.on_message(s(3), &decline);
    assert!(replies(&out).is_empty());
    assert_eq!(
        logs(&out),
        ["DHCPDECLINE of 10.0.1.100 from 02:00:00:00:00:05 via eth0: abandoned for 3600s"]
    );
    assert_eq!(
        one_reply(&srv.on_message(s(13), &discover(5))).0.yiaddr,
        ip(101)
    );
    assert_eq!(
        srv.poll_at(),
        Some(s(73)),
        "the offer of .101 is held for a minute"
    );
    srv.on_timer(s(3603));
    assert_eq!(
        one_reply(&srv.on_message(s(3604), &discover(7))).0.yiaddr,
        ip(100)
    );
}

#[test]
fn a_released_address_goes_to_another_client_only_when_fresh_ones_run_out() {
    let mut srv = server((100, 101));
    lease(&mut srv, 5, s(1));
    let release = DhcpRepr {
        ciaddr: ip(100),
        server_id: Some(SERVER),
        ..DhcpRepr::new(DhcpOp::BootRequest, DhcpMessageType::Release, 9, mac(5))
    };
    let out = srv.on_message(s(2), &release);
    assert_eq!(
        logs(&out),
        ["DHCPRELEASE of 10.0.1.100 from 02:00:00:00:00:05 via eth0 (found)"]
    );
    assert_eq!(
        lease(&mut srv, 6, s(3)),
        ip(101),
        "a never-used address first"
    );
    assert_eq!(lease(&mut srv, 7, s(3)), ip(100), "then the released one");
}

#[test]
fn an_expired_lease_is_reused_and_its_client_prefers_it() {
    let mut srv = server((100, 100));
    lease(&mut srv, 5, s(0));
    assert_eq!(srv.poll_at(), Some(s(3600)));
    let out = srv.on_timer(s(3600));
    assert_eq!(
        logs(&out),
        ["lease 10.0.1.100 of 02:00:00:00:00:05 expired; the address is free for reuse"]
    );
    assert_eq!(srv.stats().expired, 1);
    // The old client gets its address back (RFC 2131 §4.3.1, "previous binding").
    assert_eq!(
        one_reply(&srv.on_message(s(3601), &discover(5))).0.yiaddr,
        ip(100)
    );
    // Or, if it never comes back, a new client gets it.
    let mut srv = server((100, 100));
    lease(&mut srv, 5, s(0));
    srv.on_timer(s(3600));
    assert_eq!(lease(&mut srv, 6, s(3601)), ip(100));
}

#[test]
fn a_reservation_always_gets_its_address_and_nobody_else_does() {
    let mut cfg = config((100, 101));
    cfg.reservations = vec![(mac(9), ip(100))];
    let mut srv = DhcpServer::new(cfg, "eth0");
    assert_eq!(lease(&mut srv, 5, s(1)), ip(101));
    assert_eq!(lease(&mut srv, 9, s(1)), ip(100));
}

#[test]
fn a_renewal_is_acknowledged_by_unicast_to_ciaddr() {
    let mut srv = server((100, 199));
    lease(&mut srv, 5, s(0));
    let (ack, to) = one_reply(&srv.on_message(s(1800), &renew(5, ip(100))));
    assert_eq!(
        (ack.message_type, ack.yiaddr, ack.ciaddr),
        (DhcpMessageType::Ack, ip(100), Ipv4Addr::UNSPECIFIED)
    );
    assert_eq!(to, ReplyTo::Unicast(ip(100)));
    // The lease now ends an hour after the renewal.
    assert_eq!(srv.on_timer(s(3600)), []);
    assert_eq!(srv.stats().leases.len(), 1);
}

#[test]
fn a_renewal_of_someone_elses_address_is_refused() {
    let mut srv = server((100, 199));
    lease(&mut srv, 5, s(0));
    let (nak, to) = one_reply(&srv.on_message(s(10), &renew(6, ip(100))));
    assert_eq!(
        (nak.message_type, to),
        (DhcpMessageType::Nak, ReplyTo::Broadcast)
    );
}

#[test]
fn init_reboot_from_an_unknown_client_gets_silence() {
    let mut srv = server((100, 199));
    let reboot = DhcpRepr {
        requested_ip: Some(ip(150)),
        ..DhcpRepr::new(DhcpOp::BootRequest, DhcpMessageType::Request, 1, mac(5))
    };
    assert!(replies(&srv.on_message(s(1), &reboot)).is_empty());
    let wrong_net = DhcpRepr {
        requested_ip: Some(Ipv4Addr::new(192, 168, 0, 5)),
        ..reboot
    };
    let (nak, _) = one_reply(&srv.on_message(s(1), &wrong_net));
    assert_eq!(nak.message, Some("wrong network".to_string()));
}
