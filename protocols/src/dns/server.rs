//! A DNS server: authoritative for the zones of its records, forwarding the
//! rest to an upstream server when it has one (what a home gateway's DNS proxy
//! does), refusing it otherwise.
//!
//! Answers (RFC 1034 §4.3.2, simplified): for a name inside one of its zones
//! the server answers with AA set: the A records of the name, after following
//! CNAMEs inside the zone (each CNAME goes in the answer); NODATA (NOERROR, no
//! answer) when the name exists without an A record; NXDOMAIN when it does
//! not exist. Negative answers carry the zone's SOA (RFC 2308 §3). A query the
//! server cannot read is FORMERR, an opcode other than QUERY is NOTIMP.
//!
//! Forwarding: the query goes upstream under a fresh id; the answer comes
//! back to the client under its own id, with RA set. An upstream that does not
//! answer within `forward_timeout` earns the client a SERVFAIL.
//!
//! The log lines copy dnsmasq's (`query[A] server.example from 10.0.1.100`,
//! `config server.example is 10.0.2.10`, `forwarded ... to ...`, `reply ...`).
//!
//! Deliberate simplifications: A and CNAME records only (no AAAA, MX, ...);
//! no caching in the forwarder; no TCP fallback, no EDNS; forwarder ids are
//! sequential rather than random.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use super::{canonical, in_zone};
use crate::wire::dns::CLASS_IN;
use crate::wire::{DnsQuestion, DnsRcode, DnsRecord, DnsRepr, DnsType, RecordData};

/// Record data a zone may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZoneData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An alias for another name.
    Cname(String),
}

/// Server settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsServerConfig {
    /// The records: owner name and data.
    pub records: Vec<(String, ZoneData)>,
    /// Zones the server is authoritative for; empty: the parent domain of
    /// each record's name (`example` for `server.example`).
    pub zones: Vec<String>,
    /// TTL of the records, seconds.
    pub ttl: u32,
    /// Where to forward queries outside its zones.
    pub forward_to: Option<Ipv4Addr>,
    /// How long to wait for the upstream server.
    pub forward_timeout: SimDuration,
}

/// What the server asks of its node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsOutput {
    /// Answer a client.
    Reply {
        /// Client address.
        to: Ipv4Addr,
        /// Client port.
        port: u16,
        /// The response.
        msg: DnsRepr,
    },
    /// Send a query to the upstream server (port 53).
    Forward {
        /// Upstream address.
        to: Ipv4Addr,
        /// The query.
        msg: DnsRepr,
    },
    /// A log line.
    Log(String),
}

/// What the server did over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsServerStats {
    /// Queries received.
    pub queries: u32,
    /// Answered from the zone with at least one record.
    pub answered: u32,
    /// NXDOMAIN answers.
    pub nxdomain: u32,
    /// Queries forwarded upstream.
    pub forwarded: u32,
    /// Other errors (REFUSED, FORMERR, NOTIMP, SERVFAIL).
    pub errors: u32,
}

#[derive(Clone, Debug)]
struct Pending {
    client: Ipv4Addr,
    port: u16,
    id: u16,
    query: DnsRepr,
    deadline: SimTime,
}

/// An authoritative server with an optional forwarder.
pub struct DnsServer {
    cfg: DnsServerConfig,
    records: BTreeMap<String, Vec<ZoneData>>,
    zones: Vec<String>,
    pending: BTreeMap<u16, Pending>,
    deadlines: BTreeSet<(SimTime, u16)>,
    next_id: u16,
    stats: DnsServerStats,
}

impl DnsServer {
    /// A server for `cfg`.
    pub fn new(cfg: DnsServerConfig) -> DnsServer {
        let mut records: BTreeMap<String, Vec<ZoneData>> = BTreeMap::new();
        for (name, data) in &cfg.records {
            let data = match data {
                ZoneData::Cname(t) => ZoneData::Cname(canonical(t)),
                a => a.clone(),
            };
            records.entry(canonical(name)).or_default().push(data);
        }
        let mut zones: Vec<String> = if cfg.zones.is_empty() {
            records
                .keys()
                .map(|n| {
                    n.split_once('.')
                        .map_or(String::new(), |(_, p)| p.to_string())
                })
                .collect()
        } else {
            cfg.zones.iter().map(|z| canonical(z)).collect()
        };
        zones.sort();
        zones.dedup();
        DnsServer {
            cfg,
            records,
            zones,
            pending: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            next_id: 1,
            stats: DnsServerStats::default(),
        }
    }

    /// What the server did so far.
    pub fn stats(&self) -> DnsServerStats {
        self.stats.clone()
    }

    /// When a forwarded query next times out.
    pub fn poll_at(&self) -> Option<SimTime> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Answers SERVFAIL for forwarded queries the upstream left unanswered.
    pub fn on_timer(&mut self, now: SimTime) -> Vec<DnsOutput> {
        let mut out = Vec::new();
        while let Some(&(t, id)) = self.deadlines.first() {
            if t > now {
                break;
            }
            self.deadlines.pop_first();
            if let Some(p) = self.pending.remove(&id) {
                self.stats.errors += 1;
                let name = p.query.questions.first().map_or("", |q| q.name.as_str());
                out.push(DnsOutput::Log(format!(
                    "reply {name} is SERVFAIL (upstream timed out)"
                )));
                let mut reply = response(&p.query, DnsRcode::ServFail);
                reply.id = p.id;
                reply.recursion_available = true;
                out.push(DnsOutput::Reply {
                    to: p.client,
                    port: p.port,
                    msg: reply,
                });
            }
        }
        out
    }

    /// The zone `name` (canonical) belongs to, if the server is authoritative.
    fn zone_of(&self, name: &str) -> Option<&str> {
        self.zones
            .iter()
            .filter(|z| in_zone(name, z))
            .max_by_key(|z| z.len())
            .map(String::as_str)
    }

    /// A query from `from`:`port`.
    pub fn on_query(
        &mut self,
        now: SimTime,
        from: Ipv4Addr,
        port: u16,
        q: &DnsRepr,
    ) -> Vec<DnsOutput> {
        let mut out = Vec::new();
        if q.response {
            return out;
        }
        self.stats.queries += 1;
        let reply = |out: &mut Vec<DnsOutput>, msg: DnsRepr| {
            out.push(DnsOutput::Reply {
                to: from,
                port,
                msg,
            })
        };
        if q.opcode != 0 {
            self.stats.errors += 1;
            reply(&mut out, response(q, DnsRcode::NotImp));
            return out;
        }
        let [question] = q.questions.as_slice() else {
            self.stats.errors += 1;
            reply(&mut out, response(q, DnsRcode::FormErr));
            return out;
        };
        out.push(DnsOutput::Log(format!(
            "query[{}] {} from {from}",
            question.qtype, question.name
        )));
        let name = canonical(&question.name);
        if question.qclass == CLASS_IN {
            if let Some(zone) = self.zone_of(&name).map(str::to_string) {
                let msg = self.authoritative(q, question, &name, &zone, &mut out);
                reply(&mut out, msg);
                return out;
            }
        }
        if let Some(upstream) = self.cfg.forward_to {
            self.forward(now, from, port, q, upstream, &mut out);
            return out;
        }
        self.stats.errors += 1;
        out.push(DnsOutput::Log(format!(
            "reply {} is REFUSED (not authoritative)",
            question.name
        )));
        reply(&mut out, response(q, DnsRcode::Refused));
        out
    }

    /// The authoritative answer for a name inside `zone`.
    fn authoritative(
        &mut self,
        q: &DnsRepr,
        question: &DnsQuestion,
        name: &str,
        zone: &str,
        out: &mut Vec<DnsOutput>,
    ) -> DnsRepr {
        let mut msg = response(q, DnsRcode::NoError);
        msg.authoritative = true;
        let record = |owner: &str, data: RecordData, rtype| DnsRecord {
            name: owner.to_string(),
            rtype,
            class: CLASS_IN,
            ttl: self.cfg.ttl,
            data,
        };
        let mut owner = question.name.trim_end_matches('.').to_string();
        let mut current = name.to_string();
        let mut exists = true;
        // Follow CNAMEs inside the zone, at most 8 links (against loops).
        for _ in 0..8 {
            let Some(data) = self.records.get(&current) else {
                exists = false;
                break;
            };
            let cname = data.iter().find_map(|d| match d {
                ZoneData::Cname(t) => Some(t.clone()),
                ZoneData::A(_) => None,
            });
            match cname {
                Some(target) if question.qtype != DnsType::Cname => {
                    msg.answers.push(record(
                        &owner,
                        RecordData::Cname(target.clone()),
                        DnsType::Cname,
                    ));
                    if self.zone_of(&target).is_none() {
                        break;
                    }
                    owner = target.clone();
                    current = target;
                }
                _ => {
                    for d in data {
                        match (d, question.qtype) {
                            (ZoneData::A(ip), DnsType::A | DnsType::Any) => {
                                msg.answers
                                    .push(record(&owner, RecordData::A(*ip), DnsType::A));
                            }
                            (ZoneData::Cname(t), DnsType::Cname | DnsType::Any) => {
                                msg.answers.push(record(
                                    &owner,
                                    RecordData::Cname(t.clone()),
                                    DnsType::Cname,
                                ));
                            }
                            _ => {}
                        }
                    }
                    break;
                }
            }
        }
        let found: Vec<String> = msg
            .answers
            .iter()
            .map(|r| match &r.data {
                RecordData::A(ip) => ip.to_string(),
                RecordData::Cname(t) => format!("<CNAME> {t}"),
                RecordData::Other(_) => String::new(),
            })
            .collect();
        if !exists {
            msg.rcode = DnsRcode::NxDomain;
            self.stats.nxdomain += 1;
            out.push(DnsOutput::Log(format!(
                "config {} is NXDOMAIN",
                question.name
            )));
            msg.authority.push(soa(zone, self.cfg.ttl));
        } else if msg.answers.is_empty() {
            out.push(DnsOutput::Log(format!(
                "config {} is NODATA",
                question.name
            )));
            msg.authority.push(soa(zone, self.cfg.ttl));
        } else {
            self.stats.answered += 1;
            out.push(DnsOutput::Log(format!(
                "config {} is {}",
                question.name,
                found.join(", ")
            )));
        }
        msg
    }

    fn forward(
        &mut self,
        now: SimTime,
        client: Ipv4Addr,
        port: u16,
        q: &DnsRepr,
        upstream: Ipv4Addr,
        out: &mut Vec<DnsOutput>,
    ) {
        let mut id = self.next_id;
        while self.pending.contains_key(&id) {
            id = id.wrapping_add(1);
        }
        self.next_id = id.wrapping_add(1);
        let deadline = now + self.cfg.forward_timeout;
        self.pending.insert(
            id,
            Pending {
                client,
                port,
                id: q.id,
                query: q.clone(),
                deadline,
            },
        );
        self.deadlines.insert((deadline, id));
        self.stats.forwarded += 1;
        let name = q.questions.first().map_or("", |x| x.name.as_str());
        out.push(DnsOutput::Log(format!("forwarded {name} to {upstream}")));
        let mut msg = q.clone();
        msg.id = id;
        out.push(DnsOutput::Forward { to: upstream, msg });
    }

    /// A response from the upstream server.
    pub fn on_response(&mut self, from: Ipv4Addr, r: &DnsRepr) -> Vec<DnsOutput> {
        let mut out = Vec::new();
        if !r.response || Some(from) != self.cfg.forward_to {
            return out;
        }
        let Some(p) = self.pending.remove(&r.id) else {
            return out;
        };
        self.deadlines.remove(&(p.deadline, r.id));
        let name = p.query.questions.first().map_or("", |x| x.name.as_str());
        let what: Vec<String> = r
            .answers
            .iter()
            .filter_map(|a| match &a.data {
                RecordData::A(ip) => Some(ip.to_string()),
                _ => None,
            })
            .collect();
        let what = if r.rcode != DnsRcode::NoError {
            r.rcode.to_string().to_uppercase()
        } else if what.is_empty() {
            "NODATA".to_string()
        } else {
            what.join(", ")
        };
        out.push(DnsOutput::Log(format!("reply {name} is {what}")));
        let mut msg = r.clone();
        msg.id = p.id;
        msg.recursion_available = true;
        out.push(DnsOutput::Reply {
            to: p.client,
            port: p.port,
            msg,
        });
        out
    }
}

/// A response to `q` with `rcode` and the question copied.
fn response(q: &DnsRepr, rcode: DnsRcode) -> DnsRepr {
    DnsRepr {
        id: q.id,
        response: true,
        opcode: q.opcode,
        authoritative: false,
        truncated: false,
        recursion_desired: q.recursion_desired,
        recursion_available: false,
        rcode,
        questions: q.questions.clone(),
        answers: Vec::new(),
        authority: Vec::new(),
        additional: Vec::new(),
    }
}

/// The SOA of `zone` for negative answers (RFC 2308 §3): MNAME `ns.<zone>`,
/// RNAME `hostmaster.<zone>`, serial 1, refresh 3600, retry 600, expire
/// 86400, minimum (the negative-caching TTL) `ttl`.
fn soa(zone: &str, ttl: u32) -> DnsRecord {
    let mut rdata = Vec::new();
    for head in ["ns", "hostmaster"] {
        let full = if zone.is_empty() {
            head.to_string()
        } else {
            format!("{head}.{zone}")
        };
        for label in full.split('.') {
            rdata.push(label.len() as u8);
            rdata.extend_from_slice(label.as_bytes());
        }
        rdata.push(0);
    }
    for v in [1u32, 3600, 600, 86_400, ttl] {
        rdata.extend_from_slice(&v.to_be_bytes());
    }
    DnsRecord {
        name: zone.to_string(),
        rtype: DnsType::Soa,
        class: CLASS_IN,
        ttl,
        data: RecordData::Other(rdata),
    }
}
