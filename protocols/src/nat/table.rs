//! The translation table: mappings, their timers, and the rewriting of
//! datagrams in both directions.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddrV4};

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use super::icmp::{quoted_ends, rewrite_quote};
use super::{NatConfig, NatEvent, NatProto};
use crate::packet::{IpBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::wire::{IcmpRepr, UnreachableCode};

/// RFC 5382 §5: where a TCP connection through a mapping is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TcpPhase {
    /// SYN seen, not yet both ways.
    Opening,
    /// Data both ways.
    Established,
    /// FIN or RST seen.
    Closing,
}

#[derive(Clone, Debug)]
struct Mapping {
    proto: NatProto,
    inside: SocketAddrV4,
    /// The outside address and port.
    outside: SocketAddrV4,
    port: u16,
    /// Remote addresses sent to (RFC 4787 REQ-8, address-dependent filtering).
    remotes: BTreeSet<Ipv4Addr>,
    last_used: SimTime,
    expires: SimTime,
    /// The entry of `deadlines` for this mapping.
    scheduled: SimTime,
    tcp: TcpPhase,
    seen_inbound: bool,
}

/// What happened to an arriving datagram.
#[derive(Debug)]
pub enum Inbound {
    /// Not for a mapping: the gateway handles it itself.
    NotTranslated(Ipv4Packet),
    /// Translated: forward it inside.
    Translated(Ipv4Packet),
    /// Refused (see the event).
    Dropped,
}

/// A NAPT translator.
pub struct Nat {
    cfg: NatConfig,
    mappings: BTreeMap<u32, Mapping>,
    by_inside: BTreeMap<(NatProto, SocketAddrV4), u32>,
    by_outside: BTreeMap<(NatProto, u16), u32>,
    /// Expiry checks; an entry may be early (the mapping was used since), then
    /// it is put back at the mapping's current expiry.
    deadlines: BTreeSet<(SimTime, u32)>,
    next_id: u32,
    next_port: u16,
}

/// For TCP: whether SYN is set, and whether FIN or RST is.
type TcpBits = Option<(bool, bool)>;

/// Protocol, source port and destination port (or echo identifier twice),
/// and TCP flags of a datagram the translator can handle.
fn ends(p: &Ipv4Packet) -> Option<(NatProto, u16, u16, TcpBits)> {
    match &p.body {
        IpBody::Udp { header, .. } => Some((NatProto::Udp, header.src_port, header.dst_port, None)),
        IpBody::Tcp { header, .. } => Some((
            NatProto::Tcp,
            header.src_port,
            header.dst_port,
            Some((header.flags.syn, header.flags.fin || header.flags.rst)),
        )),
        IpBody::Icmp(IcmpRepr::EchoRequest { ident, .. } | IcmpRepr::EchoReply { ident, .. }) => {
            Some((NatProto::Icmp, *ident, *ident, None))
        }
        _ => None,
    }
}

/// Sets the source (`src_side`) or destination port (ICMP: the identifier).
fn set_port(p: &mut Ipv4Packet, src_side: bool, port: u16) {
    match &mut p.body {
        IpBody::Udp { header, .. } => {
            if src_side {
                header.src_port = port;
            } else {
                header.dst_port = port;
            }
        }
        IpBody::Tcp { header, .. } => {
            if src_side {
                header.src_port = port;
            } else {
                header.dst_port = port;
            }
        }
        IpBody::Icmp(IcmpRepr::EchoRequest { ident, .. } | IcmpRepr::EchoReply { ident, .. }) => {
            *ident = port;
        }
        _ => {}
    }
}

/// The error an ICMP message reports, as the trace names it.
fn error_name(icmp: &IcmpRepr) -> &'static str {
    match icmp {
        IcmpRepr::DstUnreachable { code, .. } => match code {
            UnreachableCode::Net => "net unreachable",
            UnreachableCode::Host => "host unreachable",
            UnreachableCode::Protocol => "protocol unreachable",
            UnreachableCode::Port => "port unreachable",
            UnreachableCode::FragNeeded => "fragmentation needed",
        },
        IcmpRepr::TimeExceeded { .. } => "time exceeded",
        _ => "error",
    }
}

/// The ICMP error with its quote replaced.
fn with_quote(icmp: &IcmpRepr, quote: Vec<u8>) -> IcmpRepr {
    let original = Bytes::from(quote);
    match icmp {
        IcmpRepr::DstUnreachable {
            code, next_hop_mtu, ..
        } => IcmpRepr::DstUnreachable {
            code: *code,
            next_hop_mtu: *next_hop_mtu,
            original,
        },
        IcmpRepr::TimeExceeded { code, .. } => IcmpRepr::TimeExceeded {
            code: *code,
            original,
        },
        other => other.clone(),
    }
}

impl Nat {
    /// An empty translation table.
    pub fn new(cfg: NatConfig) -> Nat {
        let next_port = cfg.ports.0;
        Nat {
            cfg,
            mappings: BTreeMap::new(),
            by_inside: BTreeMap::new(),
            by_outside: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            next_id: 0,
            next_port,
        }
    }

    /// The settings.
    pub fn config(&self) -> &NatConfig {
        &self.cfg
    }

    /// Whether `iface` is an inside interface.
    pub fn is_inside(&self, iface: IfaceId) -> bool {
        self.cfg.inside.contains(&iface)
    }

    /// Mappings in force.
    pub fn len(&self) -> usize {
        self.mappings.len()
    }

    /// Whether there is no mapping.
    pub fn is_empty(&self) -> bool {
        self.mappings.is_empty()
    }

    /// When a mapping may expire.
    pub fn poll_at(&self) -> Option<SimTime> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Removes the mappings idle past their timeout.
    pub fn on_timer(&mut self, now: SimTime) -> Vec<NatEvent> {
        let mut events = Vec::new();
        while let Some(&(t, id)) = self.deadlines.first() {
            if t > now {
                break;
            }
            self.deadlines.pop_first();
            let Some(m) = self.mappings.get(&id) else {
                continue;
            };
            if m.expires > now {
                let at = m.expires;
                self.deadlines.insert((at, id));
                self.mappings.get_mut(&id).expect("present").scheduled = at;
                continue;
            }
            let m = self.mappings.remove(&id).expect("present");
            self.by_inside.remove(&(m.proto, m.inside));
            self.by_outside.remove(&(m.proto, m.port));
            events.push(NatEvent::Expired {
                proto: m.proto,
                inside: m.inside,
                outside: m.outside,
                idle: now.saturating_since(m.last_used),
            });
        }
        events
    }

    fn timeout(&self, m: &Mapping) -> SimDuration {
        match (m.proto, m.tcp) {
            (NatProto::Udp, _) => self.cfg.udp_timeout,
            (NatProto::Icmp, _) => self.cfg.icmp_timeout,
            (NatProto::Tcp, TcpPhase::Established) => self.cfg.tcp_timeout,
            (NatProto::Tcp, _) => self.cfg.tcp_transitory_timeout,
        }
    }

    /// Notes a datagram through mapping `id`: TCP phase, idle timer.
    fn touch(&mut self, id: u32, now: SimTime, inbound: bool, tcp: TcpBits) {
        let m = self.mappings.get_mut(&id).expect("mapping");
        m.last_used = now;
        m.seen_inbound |= inbound;
        if let Some((syn, fin_or_rst)) = tcp {
            m.tcp = if fin_or_rst || m.tcp == TcpPhase::Closing {
                TcpPhase::Closing
            } else if !syn && m.seen_inbound {
                TcpPhase::Established
            } else {
                m.tcp
            };
        }
        let snapshot = m.clone();
        let t = self.timeout(&snapshot);
        let m = self.mappings.get_mut(&id).expect("mapping");
        m.expires = now + t;
        // A shorter timeout (a TCP FIN) may bring the expiry forward.
        if m.expires < m.scheduled {
            self.deadlines.remove(&(m.scheduled, id));
            self.deadlines.insert((m.expires, id));
            m.scheduled = m.expires;
        }
    }

    /// A free outside port, preferring `wanted` (RFC 4787 REQ-3, port preservation).
    fn free_port(
        &mut self,
        proto: NatProto,
        wanted: u16,
        in_use: &dyn Fn(NatProto, u16) -> bool,
    ) -> Option<u16> {
        // Echo identifiers have no reserved range: any may be kept.
        let (lo, hi) = match proto {
            NatProto::Icmp => (1, u16::MAX),
            NatProto::Tcp | NatProto::Udp => self.cfg.ports,
        };
        let free = |p: u16| !self.by_outside.contains_key(&(proto, p)) && !in_use(proto, p);
        if (lo..=hi).contains(&wanted) && free(wanted) {
            return Some(wanted);
        }
        let span = u32::from(hi - lo) + 1;
        let start = self.next_port.clamp(lo, hi);
        for k in 0..span {
            let p = lo + ((u32::from(start - lo) + k) % span) as u16;
            if free(p) {
                self.next_port = if p == hi { lo } else { p + 1 };
                return Some(p);
            }
        }
        None
    }

    /// Translates a datagram leaving by the outside interface (source becomes
    /// `outside`); `None` when it must be dropped (see `events`). `in_use`
    /// says which ports the gateway's own sockets hold.
    pub fn outbound(
        &mut self,
        now: SimTime,
        mut p: Ipv4Packet,
        outside: Ipv4Addr,
        in_use: &dyn Fn(NatProto, u16) -> bool,
        events: &mut Vec<NatEvent>,
    ) -> Option<Ipv4Packet> {
        if let IpBody::Icmp(
            icmp @ (IcmpRepr::DstUnreachable { original, .. }
            | IcmpRepr::TimeExceeded { original, .. }),
        ) = &p.body
        {
            // RFC 5508 §4.2: an inside host's error about a datagram that came in.
            let found = quoted_ends(original).and_then(|(proto, _, qdst)| {
                let id = *self.by_inside.get(&(proto, qdst))?;
                Some((proto, qdst, id))
            });
            let Some((proto, qdst, id)) = found else {
                events.push(NatEvent::Dropped {
                    outbound: true,
                    packet: p.to_string(),
                    reason: "ICMP error about a datagram without a mapping",
                });
                return None;
            };
            let port = self.mappings[&id].port;
            let outside_end = SocketAddrV4::new(outside, port);
            let quote = rewrite_quote(original, false, outside_end);
            events.push(NatEvent::IcmpError {
                outbound: true,
                proto,
                inside: qdst,
                outside: outside_end,
                reporter: p.header.src,
                what: error_name(icmp).to_string(),
            });
            let icmp = with_quote(icmp, quote);
            p.header.src = outside;
            p.body = IpBody::Icmp(icmp);
            return Some(p);
        }
        let Some((proto, sport, dport, tcp)) = ends(&p) else {
            let reason = if p.header.is_fragment() {
                "fragments are not translated"
            } else {
                "protocol not translated"
            };
            events.push(NatEvent::Dropped {
                outbound: true,
                packet: p.to_string(),
                reason,
            });
            return None;
        };
        let inside = SocketAddrV4::new(p.header.src, sport);
        let id = match self.by_inside.get(&(proto, inside)) {
            Some(&id) => id,
            None => {
                let Some(port) = self.free_port(proto, sport, in_use) else {
                    events.push(NatEvent::Dropped {
                        outbound: true,
                        packet: p.to_string(),
                        reason: "no free outside port",
                    });
                    return None;
                };
                let id = self.next_id;
                self.next_id += 1;
                let m = Mapping {
                    proto,
                    inside,
                    outside: SocketAddrV4::new(outside, port),
                    port,
                    remotes: BTreeSet::new(),
                    last_used: now,
                    expires: now,
                    scheduled: now,
                    tcp: TcpPhase::Opening,
                    seen_inbound: false,
                };
                let expires = now + self.timeout(&m);
                self.mappings.insert(
                    id,
                    Mapping {
                        expires,
                        scheduled: expires,
                        ..m
                    },
                );
                self.by_inside.insert((proto, inside), id);
                self.by_outside.insert((proto, port), id);
                self.deadlines.insert((expires, id));
                events.push(NatEvent::Created {
                    proto,
                    inside,
                    outside: SocketAddrV4::new(outside, port),
                });
                id
            }
        };
        let remote = SocketAddrV4::new(p.header.dst, dport);
        self.mappings
            .get_mut(&id)
            .expect("mapping")
            .remotes
            .insert(remote.ip().to_owned());
        self.touch(id, now, false, tcp);
        let port = self.mappings[&id].port;
        p.header.src = outside;
        set_port(&mut p, true, port);
        events.push(NatEvent::Translated {
            outbound: true,
            proto,
            inside,
            outside: SocketAddrV4::new(outside, port),
            remote: if proto == NatProto::Icmp {
                SocketAddrV4::new(*remote.ip(), port)
            } else {
                remote
            },
        });
        Some(p)
    }

    /// Translates a datagram that arrived on the outside interface for the
    /// outside address `outside`.
    pub fn inbound(
        &mut self,
        now: SimTime,
        mut p: Ipv4Packet,
        outside: Ipv4Addr,
        events: &mut Vec<NatEvent>,
    ) -> Inbound {
        if let IpBody::Icmp(
            icmp @ (IcmpRepr::DstUnreachable { original, .. }
            | IcmpRepr::TimeExceeded { original, .. }),
        ) = &p.body
        {
            // RFC 5508 §4.2: an error about a datagram we translated on its way out.
            let found = quoted_ends(original).and_then(|(proto, qsrc, _)| {
                if *qsrc.ip() != outside {
                    return None;
                }
                let id = *self.by_outside.get(&(proto, qsrc.port()))?;
                Some((proto, qsrc, id))
            });
            let Some((proto, qsrc, id)) = found else {
                return Inbound::NotTranslated(p);
            };
            let inside = self.mappings[&id].inside;
            let quote = rewrite_quote(original, true, inside);
            events.push(NatEvent::IcmpError {
                outbound: false,
                proto,
                inside,
                outside: qsrc,
                reporter: p.header.src,
                what: error_name(icmp).to_string(),
            });
            let icmp = with_quote(icmp, quote);
            p.header.dst = *inside.ip();
            p.body = IpBody::Icmp(icmp);
            return Inbound::Translated(p);
        }
        // An echo request from outside is for the gateway itself.
        if matches!(p.body, IpBody::Icmp(IcmpRepr::EchoRequest { .. })) {
            return Inbound::NotTranslated(p);
        }
        let Some((proto, sport, dport, tcp)) = ends(&p) else {
            return Inbound::NotTranslated(p);
        };
        let Some(&id) = self.by_outside.get(&(proto, dport)) else {
            return Inbound::NotTranslated(p);
        };
        let remote = SocketAddrV4::new(p.header.src, sport);
        if !self.mappings[&id].remotes.contains(remote.ip()) {
            events.push(NatEvent::Dropped {
                outbound: false,
                packet: p.to_string(),
                reason: "the mapping never sent to this address (address-dependent filtering)",
            });
            return Inbound::Dropped;
        }
        self.touch(id, now, true, tcp);
        let inside = self.mappings[&id].inside;
        p.header.dst = *inside.ip();
        set_port(&mut p, false, inside.port());
        events.push(NatEvent::Translated {
            outbound: false,
            proto,
            inside,
            outside: SocketAddrV4::new(outside, dport),
            remote,
        });
        Inbound::Translated(p)
    }
}
