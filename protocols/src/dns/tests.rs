//! The DNS server and the stub resolver at message level.

use std::net::Ipv4Addr;

use sim_core::{RngStreams, SimDuration, SimTime};

use super::*;
use crate::wire::{DnsQuestion, DnsRcode, DnsRepr, DnsType, RecordData};

const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 100);
const UPSTREAM: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 53);
const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 10);

fn ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

fn config(forward_to: Option<Ipv4Addr>) -> DnsServerConfig {
    DnsServerConfig {
        records: vec![
            ("server.example".into(), ZoneData::A(SERVER_IP)),
            (
                "www.example".into(),
                ZoneData::Cname("server.example".into()),
            ),
            ("mail.example".into(), ZoneData::Cname("mx.other".into())),
        ],
        zones: Vec::new(),
        ttl: 300,
        forward_to,
        forward_timeout: SimDuration::from_secs(5),
    }
}

fn query(id: u16, name: &str, qtype: DnsType) -> DnsRepr {
    DnsRepr {
        id,
        response: false,
        opcode: 0,
        authoritative: false,
        truncated: false,
        recursion_desired: true,
        recursion_available: false,
        rcode: DnsRcode::NoError,
        questions: vec![DnsQuestion::new(name, qtype)],
        answers: Vec::new(),
        authority: Vec::new(),
        additional: Vec::new(),
    }
}

#[track_caller]
fn the_reply(out: &[DnsOutput]) -> DnsRepr {
    let r: Vec<&DnsRepr> = out
        .iter()
        .filter_map(|o| match o {
            DnsOutput::Reply { to, port, msg } => {
                assert_eq!((*to, *port), (CLIENT, 41000));
                Some(msg)
            }
            _ => None,
        })
        .collect();
    assert_eq!(r.len(), 1, "{out:#?}");
    r[0].clone()
}

/// The response as bytes and back: what a client would read.
fn on_the_wire(r: &DnsRepr) -> DnsRepr {
    let mut buf = Vec::new();
    r.emit(&mut buf).expect("emits");
    DnsRepr::parse(&buf).expect("parses")
}

#[test]
fn an_a_query_in_the_zone_gets_an_authoritative_answer() {
    let mut srv = DnsServer::new(config(None));
    let out = srv.on_query(
        ms(1),
        CLIENT,
        41000,
        &query(7, "Server.Example", DnsType::A),
    );
    let r = on_the_wire(&the_reply(&out));
    assert!(r.response && r.authoritative && !r.recursion_available);
    assert_eq!((r.id, r.rcode), (7, DnsRcode::NoError));
    assert_eq!(r.answers.len(), 1);
    // The owner keeps the case it was asked with (RFC 4343).
    assert_eq!(r.answers[0].name, "Server.Example");
    assert_eq!(
        (r.answers[0].ttl, &r.answers[0].data),
        (300, &RecordData::A(SERVER_IP))
    );
    assert_eq!(r.to_string(), "DNS 7*- 1/0/0 A 10.0.2.10 (48)");
}

#[test]
fn a_cname_is_followed_inside_the_zone() {
    let mut srv = DnsServer::new(config(None));
    let r = the_reply(&srv.on_query(ms(1), CLIENT, 41000, &query(8, "www.example", DnsType::A)));
    let data: Vec<&RecordData> = r.answers.iter().map(|a| &a.data).collect();
    assert_eq!(
        data,
        [
            &RecordData::Cname("server.example".into()),
            &RecordData::A(SERVER_IP)
        ]
    );
    // A CNAME out of the zone is answered alone.
    let r = the_reply(&srv.on_query(ms(1), CLIENT, 41000, &query(9, "mail.example", DnsType::A)));
    assert_eq!(r.answers.len(), 1);
}

#[test]
fn an_unknown_name_in_the_zone_is_nxdomain_with_the_soa() {
    let mut srv = DnsServer::new(config(None));
    let out = srv.on_query(ms(1), CLIENT, 41000, &query(9, "nope.example", DnsType::A));
    let r = on_the_wire(&the_reply(&out));
    assert_eq!(r.rcode, DnsRcode::NxDomain);
    assert!(r.answers.is_empty());
    // RFC 2308 §3: the SOA of the zone in the authority section.
    assert_eq!(r.authority.len(), 1);
    assert_eq!(
        (r.authority[0].name.as_str(), r.authority[0].rtype),
        ("example", DnsType::Soa)
    );
    assert_eq!(srv.stats().nxdomain, 1);
}

#[test]
fn a_name_without_an_a_record_is_nodata() {
    let mut srv = DnsServer::new(config(None));
    let r = the_reply(&srv.on_query(
        ms(1),
        CLIENT,
        41000,
        &query(9, "server.example", DnsType::Aaaa),
    ));
    assert_eq!(
        (r.rcode, r.answers.len(), r.authority.len()),
        (DnsRcode::NoError, 0, 1)
    );
}

#[test]
fn names_outside_the_zone_are_refused_without_a_forwarder() {
    let mut srv = DnsServer::new(config(None));
    let r = the_reply(&srv.on_query(ms(1), CLIENT, 41000, &query(9, "example.org", DnsType::A)));
    assert_eq!(r.rcode, DnsRcode::Refused);
}

#[test]
fn a_forwarder_relays_the_upstream_answer_under_the_client_id() {
    let mut srv = DnsServer::new(DnsServerConfig {
        records: Vec::new(),
        ..config(Some(UPSTREAM))
    });
    let out = srv.on_query(
        ms(1),
        CLIENT,
        41000,
        &query(1234, "server.example", DnsType::A),
    );
    let fwd = out
        .iter()
        .find_map(|o| match o {
            DnsOutput::Forward { to, msg } => Some((*to, msg.clone())),
            _ => None,
        })
        .expect("forwarded");
    assert_eq!(fwd.0, UPSTREAM);
    assert_ne!(fwd.1.id, 1234, "its own id upstream");
    let mut answer = query(fwd.1.id, "server.example", DnsType::A);
    answer.response = true;
    answer.authoritative = true;
    answer.answers.push(crate::wire::DnsRecord {
        name: "server.example".into(),
        rtype: DnsType::A,
        class: crate::wire::dns::CLASS_IN,
        ttl: 300,
        data: RecordData::A(SERVER_IP),
    });
    assert!(
        srv.on_response(CLIENT, &answer).is_empty(),
        "only the upstream is believed"
    );
    let r = the_reply(&srv.on_response(UPSTREAM, &answer));
    assert_eq!((r.id, r.recursion_available), (1234, true));
    assert_eq!(r.answers[0].data, RecordData::A(SERVER_IP));
    assert_eq!(srv.poll_at(), None);
}

#[test]
fn an_upstream_that_does_not_answer_earns_the_client_a_servfail() {
    let mut srv = DnsServer::new(config(Some(UPSTREAM)));
    srv.on_query(ms(1), CLIENT, 41000, &query(55, "example.org", DnsType::A));
    assert_eq!(srv.poll_at(), Some(ms(5001)));
    let r = the_reply(&srv.on_timer(ms(5001)));
    assert_eq!((r.id, r.rcode), (55, DnsRcode::ServFail));
}

fn resolver() -> Resolver {
    Resolver::new(
        "server.example",
        ResolverConfig::default(),
        RngStreams::new(1, 0).stream("dns"),
    )
}

#[track_caller]
fn the_query(out: &[ResolverOutput]) -> (Ipv4Addr, DnsRepr) {
    match out {
        [ResolverOutput::Query { to, msg }] => (*to, msg.clone()),
        other => panic!("{other:?}"),
    }
}

fn answer_to(q: &DnsRepr, rcode: DnsRcode, ip: Option<Ipv4Addr>) -> DnsRepr {
    let mut r = q.clone();
    r.response = true;
    r.rcode = rcode;
    if let Some(ip) = ip {
        r.answers.push(crate::wire::DnsRecord {
            name: "server.example".into(),
            rtype: DnsType::A,
            class: crate::wire::dns::CLASS_IN,
            ttl: 300,
            data: RecordData::A(ip),
        });
    }
    r
}

#[test]
fn the_resolver_asks_for_an_a_record_with_recursion_desired() {
    let mut res = resolver();
    let (to, q) = the_query(&res.start(ms(0), &[UPSTREAM]));
    assert_eq!(to, UPSTREAM);
    assert!(!q.response && q.recursion_desired);
    assert_eq!(
        q.questions,
        [DnsQuestion::new("server.example", DnsType::A)]
    );
    let done = res.on_response(
        ms(3),
        UPSTREAM,
        &answer_to(&q, DnsRcode::NoError, Some(SERVER_IP)),
    );
    assert_eq!(done, [ResolverOutput::Done(Ok(SERVER_IP))]);
    assert_eq!(res.poll_at(), None);
}

#[test]
fn the_resolver_ignores_answers_it_did_not_ask_for() {
    let mut res = resolver();
    let (_, q) = the_query(&res.start(ms(0), &[UPSTREAM]));
    let mut wrong_id = answer_to(&q, DnsRcode::NoError, Some(SERVER_IP));
    wrong_id.id ^= 1;
    assert!(res.on_response(ms(1), UPSTREAM, &wrong_id).is_empty());
    let right = answer_to(&q, DnsRcode::NoError, Some(SERVER_IP));
    assert!(
        res.on_response(ms(1), CLIENT, &right).is_empty(),
        "not from the server asked"
    );
}

#[test]
fn the_resolver_retries_after_the_timeout_then_gives_up() {
    // glibc defaults: timeout 5 s, 2 attempts, two servers: four tries.
    let other = Ipv4Addr::new(10, 0, 2, 54);
    let mut res = resolver();
    let (to, _) = the_query(&res.start(ms(0), &[UPSTREAM, other]));
    assert_eq!(to, UPSTREAM);
    let mut tos = vec![to];
    let mut t;
    loop {
        t = res.poll_at().expect("a timer");
        match res.on_timer(t).as_slice() {
            [ResolverOutput::Query { to, .. }] => tos.push(*to),
            [ResolverOutput::Done(r)] => {
                assert_eq!(*r, Err(ResolveError::Timeout));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(tos, [UPSTREAM, other, UPSTREAM, other]);
    assert_eq!(t, ms(20_000));
    assert_eq!(
        ResolveError::Timeout.to_string(),
        "Temporary failure in name resolution"
    );
}

#[test]
fn nxdomain_is_final_and_servfail_moves_to_the_next_server() {
    let mut res = resolver();
    let (_, q) = the_query(&res.start(ms(0), &[UPSTREAM]));
    let done = res.on_response(ms(1), UPSTREAM, &answer_to(&q, DnsRcode::NxDomain, None));
    assert_eq!(done, [ResolverOutput::Done(Err(ResolveError::NxDomain))]);
    assert_eq!(
        ResolveError::NxDomain.to_string(),
        "Name or service not known"
    );

    let other = Ipv4Addr::new(10, 0, 2, 54);
    let mut res = resolver();
    let (_, q) = the_query(&res.start(ms(0), &[UPSTREAM, other]));
    let (to, _) =
        the_query(&res.on_response(ms(1), UPSTREAM, &answer_to(&q, DnsRcode::ServFail, None)));
    assert_eq!(to, other);
}

#[test]
fn host_names_are_checked_like_rfc_1123_says() {
    for ok in ["server.example", "a", "x-1.example.", "r2d2"] {
        assert!(is_host_name(ok), "{ok}");
    }
    for bad in [
        "",
        "10.0.0.1",
        "-a.example",
        "a..b",
        "under_score.example",
        "a b",
    ] {
        assert!(!is_host_name(bad), "{bad}");
    }
}
