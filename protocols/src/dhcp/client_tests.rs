//! The DHCP client at message level: a client in a given state gets a message
//! (or its timer fires) at time t; exactly these messages and changes come out.

use std::net::Ipv4Addr;

use sim_core::{RngStreams, SimDuration, SimTime};

use super::client::*;
use super::{DECLINE_WAIT, DhcpEvent};
use crate::wire::{ArpOperation, ArpRepr, DhcpMessageType, DhcpOp, DhcpRepr, MacAddr};

const MAC: MacAddr = MacAddr([2, 0, 0, 0, 0, 1]);
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);
const YIADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 100);

fn s(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000_000)
}

fn ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

fn client(arp_probe: bool) -> DhcpClient {
    let cfg = ClientConfig {
        mac: MAC,
        hostname: Some("h1".into()),
        arp_probe,
        init_delay: SimDuration::ZERO,
        release_at: None,
    };
    DhcpClient::new(
        cfg,
        "eth0",
        SimTime::ZERO,
        RngStreams::new(1, 0).stream("dhcp"),
    )
}

/// The messages among `out`, with source and destination.
#[track_caller]
fn sent(out: &[ClientOutput]) -> Vec<(DhcpRepr, Ipv4Addr, Ipv4Addr)> {
    out.iter()
        .filter_map(|o| match o {
            ClientOutput::Send { msg, src, dst } => Some((msg.clone(), *src, *dst)),
            _ => None,
        })
        .collect()
}

#[track_caller]
fn one_sent(out: &[ClientOutput]) -> (DhcpRepr, Ipv4Addr, Ipv4Addr) {
    let v = sent(out);
    assert_eq!(v.len(), 1, "{out:#?}");
    v.into_iter().next().unwrap()
}

fn reply(ty: DhcpMessageType, xid: u32) -> DhcpRepr {
    DhcpRepr {
        yiaddr: YIADDR,
        server_id: Some(SERVER),
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        routers: vec![SERVER],
        dns_servers: vec![Ipv4Addr::new(10, 0, 2, 53)],
        lease_time: Some(3600),
        renewal_t1: Some(1800),
        rebinding_t2: Some(3150),
        ..DhcpRepr::new(DhcpOp::BootReply, ty, xid, MAC)
    }
}

/// A client that sent its DISCOVER at 0 s; returns it and the xid.
fn selecting(arp_probe: bool) -> (DhcpClient, u32) {
    let mut c = client(arp_probe);
    let (d, _, _) = one_sent(&c.on_timer(SimTime::ZERO));
    (c, d.xid)
}

/// A client that got an OFFER at 10 ms and sent its REQUEST.
fn requesting(arp_probe: bool) -> (DhcpClient, u32) {
    let (mut c, xid) = selecting(arp_probe);
    one_sent(&c.on_message(ms(10), &reply(DhcpMessageType::Offer, xid)));
    (c, xid)
}

/// A client bound at 20 ms without probing (the REQUEST left at 10 ms).
fn bound() -> DhcpClient {
    let (mut c, xid) = requesting(false);
    c.on_message(ms(20), &reply(DhcpMessageType::Ack, xid));
    assert_eq!(c.state(), ClientState::Bound);
    c
}

/// Runs timers until the client sends something; returns when and what.
fn next_send(c: &mut DhcpClient) -> (SimTime, Vec<ClientOutput>) {
    loop {
        let t = c.poll_at().expect("a timer");
        let out = c.on_timer(t);
        if !sent(&out).is_empty() {
            return (t, out);
        }
    }
}

mod init {
    use super::*;

    #[test]
    fn init_broadcasts_a_discover_from_zero() {
        let mut c = client(true);
        assert_eq!(c.poll_at(), Some(SimTime::ZERO));
        let out = c.on_timer(SimTime::ZERO);
        let (d, src, dst) = one_sent(&out);
        // RFC 2131 §4.1 / Table 5: from 0.0.0.0 to 255.255.255.255, no ciaddr, no server id.
        assert_eq!((src, dst), (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST));
        assert_eq!(
            (d.op, d.message_type),
            (DhcpOp::BootRequest, DhcpMessageType::Discover)
        );
        assert_eq!(
            (d.ciaddr, d.server_id, d.requested_ip),
            (Ipv4Addr::UNSPECIFIED, None, None)
        );
        assert!(!d.broadcast, "unicast replies, as to a Linux client");
        assert_eq!((d.chaddr, d.client_id), (MAC, Some(MAC)));
        assert_eq!(d.hostname.as_deref(), Some("h1"));
        assert_eq!(d.parameter_request_list, [1, 3, 6, 51, 58, 59]);
        assert_eq!(c.state(), ClientState::Selecting);
    }

    #[test]
    fn the_first_discover_waits_at_most_init_delay() {
        let cfg = ClientConfig {
            mac: MAC,
            hostname: None,
            arp_probe: true,
            init_delay: SimDuration::from_secs(1),
            release_at: None,
        };
        let streams = RngStreams::new(1, 0);
        let c = DhcpClient::new(cfg.clone(), "eth0", s(5), streams.stream("a"));
        let t = c.poll_at().unwrap();
        assert!(t >= s(5) && t <= s(6), "{t}");
        let other = DhcpClient::new(cfg, "eth0", s(5), streams.stream("b"));
        assert_ne!(other.poll_at(), Some(t), "streams desynchronize clients");
    }
}

mod selecting {
    use super::*;

    #[test]
    fn discover_is_retransmitted_with_randomized_exponential_backoff() {
        // RFC 2131 §4.1: 4, 8, 16, 32, 64, 64 s, each ±1 s.
        let (mut c, xid) = selecting(true);
        let mut last = SimTime::ZERO;
        for base in [4u64, 8, 16, 32, 64, 64] {
            let (t, out) = next_send(&mut c);
            let (d, _, dst) = one_sent(&out);
            assert_eq!(
                (d.message_type, d.xid, dst),
                (DhcpMessageType::Discover, xid, Ipv4Addr::BROADCAST)
            );
            let gap = t.saturating_since(last);
            assert!(
                gap >= SimDuration::from_secs(base - 1) && gap <= SimDuration::from_secs(base + 1),
                "gap {gap} for {base} s"
            );
            assert_eq!(
                u64::from(d.secs),
                t.as_nanos() / 1_000_000_000,
                "secs since the start"
            );
            last = t;
        }
        assert_eq!(c.stats().discovers, 7);
    }

    #[test]
    fn an_offer_is_requested_by_broadcast_naming_the_server() {
        let (mut c, xid) = selecting(true);
        let out = c.on_message(ms(10), &reply(DhcpMessageType::Offer, xid));
        let (r, src, dst) = one_sent(&out);
        // RFC 2131 §4.3.2 SELECTING: requested IP and server id set, ciaddr zero, same xid.
        assert_eq!((src, dst), (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST));
        assert_eq!(r.message_type, DhcpMessageType::Request);
        assert_eq!(
            (r.xid, r.requested_ip, r.server_id),
            (xid, Some(YIADDR), Some(SERVER))
        );
        assert_eq!(r.ciaddr, Ipv4Addr::UNSPECIFIED);
        assert_eq!(c.state(), ClientState::Requesting);
    }

    #[test]
    fn replies_to_another_transaction_or_client_are_ignored() {
        let (mut c, xid) = selecting(true);
        assert!(
            c.on_message(ms(10), &reply(DhcpMessageType::Offer, xid ^ 1))
                .is_empty()
        );
        let other = DhcpRepr {
            chaddr: MacAddr([2, 0, 0, 0, 0, 9]),
            ..reply(DhcpMessageType::Offer, xid)
        };
        assert!(c.on_message(ms(10), &other).is_empty());
        assert!(
            c.on_message(ms(10), &reply(DhcpMessageType::Ack, xid))
                .is_empty(),
            "no ACK before a REQUEST"
        );
        assert_eq!(c.state(), ClientState::Selecting);
    }
}

mod requesting {
    use super::*;

    #[test]
    fn ack_starts_arp_probes_then_the_address_is_bound_and_announced() {
        let (mut c, xid) = requesting(true);
        let out = c.on_message(ms(20), &reply(DhcpMessageType::Ack, xid));
        assert!(sent(&out).is_empty());
        assert!(matches!(
            out[..],
            [ClientOutput::Event(DhcpEvent::Checking {
                addr: YIADDR,
                ..
            })]
        ));
        assert_eq!(c.probing(), Some(YIADDR));
        // RFC 5227 §2.1.1: 3 probes, the first within PROBE_WAIT (1 s), then 1–2 s apart.
        let mut probes = Vec::new();
        let mut bound_at = None;
        while bound_at.is_none() {
            let t = c.poll_at().unwrap();
            for o in c.on_timer(t) {
                match o {
                    ClientOutput::ArpProbe { target } => {
                        assert_eq!(target, YIADDR);
                        probes.push(t);
                    }
                    ClientOutput::Configure(lease) => {
                        assert_eq!(lease.addr.to_string(), "10.0.1.100/24");
                        assert_eq!(lease.router, Some(SERVER));
                        // Lease times count from the REQUEST (10 ms), RFC 2131 §4.4.1.
                        assert_eq!(lease.t1, Some(ms(10) + SimDuration::from_secs(1800)));
                        assert_eq!(lease.t2, Some(ms(10) + SimDuration::from_secs(3150)));
                        assert_eq!(lease.expires, Some(ms(10) + SimDuration::from_secs(3600)));
                        bound_at = Some(t);
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(probes.len(), 3);
        assert!(probes[0] <= ms(20) + SimDuration::from_secs(1));
        for w in probes.windows(2) {
            let gap = w[1].saturating_since(w[0]);
            assert!(
                gap >= SimDuration::from_secs(1) && gap <= SimDuration::from_secs(2),
                "{gap}"
            );
        }
        // ANNOUNCE_WAIT (2 s) after the last probe.
        assert_eq!(
            bound_at.unwrap().saturating_since(probes[2]),
            SimDuration::from_secs(2)
        );
        assert_eq!(c.state(), ClientState::Bound);
        // Second announcement ANNOUNCE_INTERVAL (2 s) later.
        let t = c.poll_at().unwrap();
        assert_eq!(
            t.saturating_since(bound_at.unwrap()),
            SimDuration::from_secs(2)
        );
        assert_eq!(c.on_timer(t), [ClientOutput::ArpAnnounce { addr: YIADDR }]);
    }

    #[test]
    fn an_arp_reply_for_the_probed_address_means_decline_and_wait_ten_seconds() {
        let (mut c, xid) = requesting(true);
        c.on_message(ms(20), &reply(DhcpMessageType::Ack, xid));
        let owner = MacAddr([2, 0, 0, 0, 0, 7]);
        let arp = ArpRepr {
            operation: ArpOperation::Reply,
            sender_mac: owner,
            sender_ip: YIADDR,
            target_mac: MAC,
            target_ip: Ipv4Addr::UNSPECIFIED,
        };
        let out = c.on_arp(ms(900), &arp);
        let (d, src, dst) = one_sent(&out);
        // RFC 2131 §4.4.1 / Table 5: DECLINE with requested IP and server id, broadcast.
        assert_eq!(d.message_type, DhcpMessageType::Decline);
        assert_eq!(
            (d.requested_ip, d.server_id, d.ciaddr),
            (Some(YIADDR), Some(SERVER), Ipv4Addr::UNSPECIFIED)
        );
        assert_eq!((src, dst), (Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST));
        assert!(out.contains(&ClientOutput::Event(DhcpEvent::Conflict {
            addr: YIADDR,
            by: owner
        })));
        assert!(!out.iter().any(|o| matches!(o, ClientOutput::Configure(_))));
        assert_eq!(c.state(), ClientState::Init);
        // RFC 2131 §3.1 step 5: at least 10 s before the next DISCOVER.
        assert_eq!(c.poll_at(), Some(ms(900) + DECLINE_WAIT));
        let (d, _, _) = one_sent(&c.on_timer(ms(900) + DECLINE_WAIT));
        assert_eq!(d.message_type, DhcpMessageType::Discover);
        assert_eq!(c.stats().declines, 1);
    }

    #[test]
    fn another_host_probing_the_same_address_is_a_conflict_too() {
        let (mut c, xid) = requesting(true);
        c.on_message(ms(20), &reply(DhcpMessageType::Ack, xid));
        let probe = ArpRepr {
            operation: ArpOperation::Request,
            sender_mac: MacAddr([2, 0, 0, 0, 0, 7]),
            sender_ip: Ipv4Addr::UNSPECIFIED,
            target_mac: MacAddr::ZERO,
            target_ip: YIADDR,
        };
        assert_eq!(
            one_sent(&c.on_arp(ms(900), &probe)).0.message_type,
            DhcpMessageType::Decline
        );
        // Our own probe coming back (a loop) is not a conflict.
        let (mut c, xid) = requesting(true);
        c.on_message(ms(20), &reply(DhcpMessageType::Ack, xid));
        let own = ArpRepr {
            sender_mac: MAC,
            ..probe
        };
        assert!(c.on_arp(ms(900), &own).is_empty());
    }

    #[test]
    fn a_nak_sends_the_client_back_to_init_and_it_discovers_again() {
        let (mut c, xid) = requesting(true);
        let nak = DhcpRepr {
            server_id: Some(SERVER),
            ..DhcpRepr::new(DhcpOp::BootReply, DhcpMessageType::Nak, xid, MAC)
        };
        let out = c.on_message(ms(20), &nak);
        assert!(sent(&out).is_empty());
        assert_eq!(c.state(), ClientState::Init);
        let (d, _, _) = one_sent(&c.on_timer(ms(20)));
        assert_eq!(d.message_type, DhcpMessageType::Discover);
        assert_ne!(d.xid, xid, "a new transaction");
        assert_eq!(c.stats().naks, 1);
    }

    #[test]
    fn an_unanswered_request_is_given_up_after_four_retransmissions() {
        let (mut c, _) = requesting(true);
        for _ in 0..MAX_REQUEST_RETRANSMISSIONS {
            let (_, out) = next_send(&mut c);
            assert_eq!(one_sent(&out).0.message_type, DhcpMessageType::Request);
        }
        let (_, out) = next_send(&mut c);
        assert_eq!(one_sent(&out).0.message_type, DhcpMessageType::Discover);
    }
}

mod bound {
    use super::*;

    #[test]
    fn at_t1_the_client_renews_by_unicast_to_its_server() {
        let mut c = bound();
        let t1 = ms(10) + SimDuration::from_secs(1800);
        let (t, out) = next_send(&mut c);
        // T1 ± 1 s of fuzz (RFC 2131 §4.4.5).
        let early = SimTime::from_nanos(t1.as_nanos() - 1_000_000_000);
        assert!(t >= early && t <= t1 + SimDuration::from_secs(1), "{t}");
        let (r, src, dst) = one_sent(&out);
        // RFC 2131 §4.3.2 RENEWING: ciaddr set, no requested IP, no server id, unicast.
        assert_eq!(r.message_type, DhcpMessageType::Request);
        assert_eq!(
            (r.ciaddr, r.requested_ip, r.server_id),
            (YIADDR, None, None)
        );
        assert_eq!((src, dst), (YIADDR, SERVER));
        assert_eq!(c.state(), ClientState::Renewing);
        assert_eq!(c.stats().renewals, [(t1, t)]);
        // §4.4.5: retransmit after half the time to T2, at least 60 s.
        let t2 = ms(10) + SimDuration::from_secs(3150);
        let half = SimDuration::from_nanos(t2.saturating_since(t).as_nanos() / 2);
        let (again, _) = next_send(&mut c);
        assert_eq!(again, t + half);
    }

    #[test]
    fn an_ack_in_renewing_extends_the_lease_from_the_new_request() {
        let mut c = bound();
        let (t, out) = next_send(&mut c);
        let xid = one_sent(&out).0.xid;
        let out = c.on_message(
            t + SimDuration::from_millis(5),
            &reply(DhcpMessageType::Ack, xid),
        );
        assert!(sent(&out).is_empty());
        assert!(
            !out.iter().any(|o| matches!(o, ClientOutput::Configure(_))),
            "same address, nothing to reconfigure"
        );
        assert_eq!(c.state(), ClientState::Bound);
        assert_eq!(
            c.lease().unwrap().expires,
            Some(t + SimDuration::from_secs(3600))
        );
    }

    #[test]
    fn at_t2_the_client_rebinds_by_broadcast_and_at_expiry_starts_over() {
        let mut c = bound();
        let t2 = ms(10) + SimDuration::from_secs(3150);
        let expiry = ms(10) + SimDuration::from_secs(3600);
        // RENEWING unanswered: REQUESTs at T1 and T1 + (T2 − T1)/2 ...
        let mut t;
        loop {
            let (at, out) = next_send(&mut c);
            t = at;
            if c.state() == ClientState::Rebinding {
                let (r, src, dst) = one_sent(&out);
                assert_eq!((r.ciaddr, r.server_id), (YIADDR, None));
                assert_eq!((src, dst), (YIADDR, Ipv4Addr::BROADCAST));
                break;
            }
        }
        assert_eq!(t, t2, "REBINDING at T2");
        assert_eq!(c.stats().rebinds, [t2]);
        // ... at expiry: address removed, back to INIT, DISCOVER asking for the old address.
        let (mut at, mut out) = next_send(&mut c);
        while !out
            .iter()
            .any(|o| matches!(o, ClientOutput::Deconfigure(_)))
        {
            (at, out) = next_send(&mut c);
        }
        assert_eq!(at, expiry);
        let (d, src, _) = one_sent(&out);
        assert_eq!(
            (d.message_type, d.requested_ip, src),
            (
                DhcpMessageType::Discover,
                Some(YIADDR),
                Ipv4Addr::UNSPECIFIED
            )
        );
        assert_eq!(c.state(), ClientState::Selecting);
        assert_eq!(c.stats().expirations, 1);
    }

    #[test]
    fn release_gives_the_address_back_and_stops() {
        let cfg = ClientConfig {
            mac: MAC,
            hostname: None,
            arp_probe: false,
            init_delay: SimDuration::ZERO,
            release_at: Some(s(30)),
        };
        let mut c = DhcpClient::new(
            cfg,
            "eth0",
            SimTime::ZERO,
            RngStreams::new(1, 0).stream("dhcp"),
        );
        let xid = one_sent(&c.on_timer(SimTime::ZERO)).0.xid;
        c.on_message(ms(10), &reply(DhcpMessageType::Offer, xid));
        c.on_message(ms(20), &reply(DhcpMessageType::Ack, xid));
        assert_eq!(c.poll_at(), Some(s(30)));
        let out = c.on_timer(s(30));
        let (r, src, dst) = one_sent(&out);
        // RFC 2131 Table 5: RELEASE carries ciaddr and the server id, unicast.
        assert_eq!(r.message_type, DhcpMessageType::Release);
        assert_eq!((r.ciaddr, r.server_id), (YIADDR, Some(SERVER)));
        assert_eq!((src, dst), (YIADDR, SERVER));
        assert!(
            out.iter()
                .any(|o| matches!(o, ClientOutput::Deconfigure(_)))
        );
        assert_eq!(c.poll_at(), None);
    }
}
