//! The DHCP server of one subnet (RFC 2131 §4.3), as a sans-IO state machine.
//!
//! Address selection for a DISCOVER follows RFC 2131 §4.3.1, in order: a
//! static binding for the client's hardware address; the client's current
//! binding (offered or leased); its previous binding, if the address is still
//! free; the address it asks for (option 50) if free; the lowest never-used
//! pool address; the address whose lease expired (or was released) longest
//! ago. An address declined by a client (an ARP probe found it in use) is not
//! offered again for `decline_hold`. With nothing left the server stays
//! silent and says why (pool exhaustion).
//!
//! Replies go where RFC 2131 §4.1 says (no relay agents here, so `giaddr` is
//! always zero): a NAK is broadcast; a reply to a client with `ciaddr` set is
//! unicast to `ciaddr`; with the BROADCAST flag it is broadcast; otherwise it
//! is unicast to `chaddr` at `yiaddr`.
//!
//! The log lines copy ISC dhcpd's (`DHCPOFFER on 10.0.1.100 to 02:00:00:00:00:05
//! (h1) via eth0`).
//!
//! Deliberate simplifications:
//! - No relay agent support (`giaddr` is ignored), one subnet per server.
//! - No ICMP echo check of an address before offering it (RFC 2131 §4.4.1
//!   "SHOULD"); clients check with ARP instead.
//! - Bindings are keyed by hardware address; a client identifier (option 61)
//!   is accepted but, as this stack's clients send their MAC, not needed.
//! - An offered address is held for `offer_hold` waiting for the REQUEST.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use super::INFINITE_LEASE;
use crate::wire::{DhcpMessageType, DhcpOp, DhcpRepr, Ipv4Cidr, MacAddr};

/// Server settings for one subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// The server's address on the subnet (server identifier, option 54) and
    /// the subnet (mask, option 1).
    pub addr: Ipv4Cidr,
    /// First and last pool address, inclusive.
    pub pool: (Ipv4Addr, Ipv4Addr),
    /// Lease time (option 51).
    pub lease: SimDuration,
    /// T1 (option 58); `None`: 0.5 × lease.
    pub renewal: Option<SimDuration>,
    /// T2 (option 59); `None`: 0.875 × lease.
    pub rebinding: Option<SimDuration>,
    /// Default router (option 3).
    pub router: Option<Ipv4Addr>,
    /// DNS servers (option 6).
    pub dns: Vec<Ipv4Addr>,
    /// Static bindings: this hardware address always gets this address.
    pub reservations: Vec<(MacAddr, Ipv4Addr)>,
    /// How long an offered address waits for the client's REQUEST.
    pub offer_hold: SimDuration,
    /// How long a declined address stays out of use.
    pub decline_hold: SimDuration,
}

/// Where a reply goes (RFC 2131 §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyTo {
    /// 255.255.255.255 on the link, Ethernet broadcast.
    Broadcast,
    /// Unicast by normal routing (the client has `ciaddr`).
    Unicast(Ipv4Addr),
    /// Unicast on the link to a client without an address: `chaddr` at `yiaddr`.
    Link {
        /// Client hardware address.
        mac: MacAddr,
        /// The address being offered or acknowledged.
        ip: Ipv4Addr,
    },
}

/// What the server asks of its node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerOutput {
    /// Send `msg` from port 67 to port 68.
    Reply {
        /// The message.
        msg: DhcpRepr,
        /// Where.
        to: ReplyTo,
    },
    /// A log line.
    Log(String),
}

/// What the server did over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DhcpServerStats {
    /// Offers sent.
    pub offers: u32,
    /// ACKs sent.
    pub acks: u32,
    /// NAKs sent.
    pub naks: u32,
    /// DISCOVERs left unanswered because the pool was exhausted.
    pub exhausted: u32,
    /// DECLINEs received.
    pub declines: u32,
    /// RELEASEs received.
    pub releases: u32,
    /// Leases that expired.
    pub expired: u32,
    /// Leases in force at the end: (address, client).
    pub leases: Vec<(Ipv4Addr, MacAddr)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Binding {
    /// Offered to `mac`, held until the time.
    Offered(MacAddr, SimTime),
    /// Leased to `mac` until the time (`None`: infinite).
    Leased(MacAddr, Option<SimTime>),
    /// Lease expired or released; `mac` had it last, since the time.
    Free(MacAddr, SimTime),
    /// Declined: out of use until the time.
    Declined(SimTime),
}

/// The server of one subnet.
pub struct DhcpServer {
    cfg: ServerConfig,
    iface: String,
    bindings: BTreeMap<Ipv4Addr, Binding>,
    /// Deadlines (offer hold, lease end, decline hold); stale entries are skipped.
    deadlines: BTreeSet<(SimTime, Ipv4Addr)>,
    stats: DhcpServerStats,
}

impl DhcpServer {
    /// A server with no bindings, answering on the interface called `iface`.
    pub fn new(cfg: ServerConfig, iface: &str) -> DhcpServer {
        DhcpServer {
            cfg,
            iface: iface.to_string(),
            bindings: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            stats: DhcpServerStats::default(),
        }
    }

    /// What the server did so far.
    pub fn stats(&self) -> DhcpServerStats {
        let mut s = self.stats.clone();
        s.leases = self
            .bindings
            .iter()
            .filter_map(|(ip, b)| match b {
                Binding::Leased(mac, _) => Some((*ip, *mac)),
                _ => None,
            })
            .collect();
        s
    }

    /// When a binding next changes by itself.
    pub fn poll_at(&self) -> Option<SimTime> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// Ends the offers, leases and decline holds due at `now` (server-side
    /// lease expiry: the address becomes reusable).
    pub fn on_timer(&mut self, now: SimTime) -> Vec<ServerOutput> {
        let mut out = Vec::new();
        while let Some(&(t, ip)) = self.deadlines.first() {
            if t > now {
                break;
            }
            self.deadlines.pop_first();
            match self.bindings.get(&ip).copied() {
                Some(Binding::Offered(mac, until)) if until == t => {
                    self.hold(ip, Binding::Free(mac, now));
                }
                Some(Binding::Leased(mac, Some(until))) if until == t => {
                    self.stats.expired += 1;
                    self.hold(ip, Binding::Free(mac, now));
                    out.push(ServerOutput::Log(format!(
                        "lease {ip} of {mac} expired; the address is free for reuse"
                    )));
                }
                Some(Binding::Declined(until)) if until == t => {
                    self.bindings.remove(&ip);
                }
                _ => {}
            }
        }
        out
    }

    /// A client message arrived on the server's interface.
    pub fn on_message(&mut self, now: SimTime, msg: &DhcpRepr) -> Vec<ServerOutput> {
        let mut out = Vec::new();
        if msg.op != DhcpOp::BootRequest {
            return out;
        }
        let who = self.who(msg);
        match msg.message_type {
            DhcpMessageType::Discover => self.discover(now, msg, &who, &mut out),
            DhcpMessageType::Request => self.request(now, msg, &who, &mut out),
            DhcpMessageType::Decline => self.decline(now, msg, &who, &mut out),
            DhcpMessageType::Release => self.release(now, msg, &who, &mut out),
            DhcpMessageType::Inform => self.inform(msg, &who, &mut out),
            _ => {}
        }
        out
    }

    /// `02:00:00:00:00:05 (h1) via eth0`, as dhcpd logs a client.
    fn who(&self, msg: &DhcpRepr) -> String {
        match &msg.hostname {
            Some(h) => format!("{} ({h}) via {}", msg.chaddr, self.iface),
            None => format!("{} via {}", msg.chaddr, self.iface),
        }
    }

    fn in_pool(&self, ip: Ipv4Addr) -> bool {
        let (lo, hi) = self.cfg.pool;
        (u32::from(lo)..=u32::from(hi)).contains(&u32::from(ip))
    }

    fn reservation(&self, mac: MacAddr) -> Option<Ipv4Addr> {
        self.cfg
            .reservations
            .iter()
            .find(|(m, _)| *m == mac)
            .map(|(_, ip)| *ip)
    }

    fn reserved_for_other(&self, ip: Ipv4Addr, mac: MacAddr) -> bool {
        self.cfg
            .reservations
            .iter()
            .any(|(m, r)| *r == ip && *m != mac)
    }

    /// Whether `ip` may be given to `mac` now.
    fn available_to(&self, ip: Ipv4Addr, mac: MacAddr) -> bool {
        let assignable = (self.in_pool(ip) || self.reservation(mac) == Some(ip))
            && ip != self.cfg.addr.addr
            && Some(ip) != self.cfg.router
            && !self.reserved_for_other(ip, mac);
        assignable
            && match self.bindings.get(&ip) {
                None | Some(Binding::Free(..)) => true,
                Some(Binding::Offered(m, _) | Binding::Leased(m, _)) => *m == mac,
                Some(Binding::Declined(_)) => false,
            }
    }

    /// RFC 2131 §4.3.1: the address to offer `mac`, in order of preference.
    fn choose(&self, mac: MacAddr, requested: Option<Ipv4Addr>) -> Option<Ipv4Addr> {
        if let Some(ip) = self.reservation(mac) {
            return self.available_to(ip, mac).then_some(ip);
        }
        let current = self.bindings.iter().find_map(|(ip, b)| match b {
            Binding::Offered(m, _) | Binding::Leased(m, _) if *m == mac => Some(*ip),
            _ => None,
        });
        let previous = || {
            self.bindings.iter().find_map(|(ip, b)| match b {
                Binding::Free(m, _) if *m == mac && self.available_to(*ip, mac) => Some(*ip),
                _ => None,
            })
        };
        let asked = || requested.filter(|ip| self.available_to(*ip, mac));
        let fresh = || {
            let (lo, hi) = self.cfg.pool;
            (u32::from(lo)..=u32::from(hi))
                .map(Ipv4Addr::from)
                .find(|ip| !self.bindings.contains_key(ip) && self.available_to(*ip, mac))
        };
        let oldest_free = || {
            self.bindings
                .iter()
                .filter_map(|(ip, b)| match b {
                    Binding::Free(_, since) if self.available_to(*ip, mac) => Some((*since, *ip)),
                    _ => None,
                })
                .min()
                .map(|(_, ip)| ip)
        };
        current
            .or_else(previous)
            .or_else(asked)
            .or_else(fresh)
            .or_else(oldest_free)
    }

    /// Records `binding` for `ip`, keeping `deadlines` in step.
    fn hold(&mut self, ip: Ipv4Addr, binding: Binding) {
        let until = |b: &Binding| match *b {
            Binding::Offered(_, t) | Binding::Declined(t) => Some(t),
            Binding::Leased(_, t) => t,
            Binding::Free(..) => None,
        };
        if let Some(t) = self.bindings.get(&ip).and_then(until) {
            self.deadlines.remove(&(t, ip));
        }
        if let Some(t) = until(&binding) {
            self.deadlines.insert((t, ip));
        }
        self.bindings.insert(ip, binding);
    }

    /// A reply with the lease parameters (RFC 2131 §4.3.1 Table 3).
    fn reply(&self, ty: DhcpMessageType, msg: &DhcpRepr, yiaddr: Ipv4Addr) -> DhcpRepr {
        let lease = secs(self.cfg.lease);
        let mut r = DhcpRepr::new(DhcpOp::BootReply, ty, msg.xid, msg.chaddr);
        r.broadcast = msg.broadcast;
        r.giaddr = msg.giaddr;
        r.yiaddr = yiaddr;
        r.server_id = Some(self.cfg.addr.addr);
        r.subnet_mask = Some(self.cfg.addr.netmask());
        r.routers = self.cfg.router.into_iter().collect();
        r.dns_servers = self.cfg.dns.clone();
        r.lease_time = Some(lease);
        if lease != INFINITE_LEASE {
            // RFC 2131 §4.4.5 defaults, sent explicitly as servers do.
            r.renewal_t1 = Some(self.cfg.renewal.map_or(lease / 2, secs));
            r.rebinding_t2 = Some(
                self.cfg
                    .rebinding
                    .map_or((u64::from(lease) * 7 / 8) as u32, secs),
            );
        }
        r
    }

    /// RFC 2131 §4.1: where a reply to `msg` goes.
    fn destination(msg: &DhcpRepr, reply: &DhcpRepr) -> ReplyTo {
        if reply.message_type == DhcpMessageType::Nak {
            ReplyTo::Broadcast
        } else if !msg.ciaddr.is_unspecified() {
            ReplyTo::Unicast(msg.ciaddr)
        } else if msg.broadcast {
            ReplyTo::Broadcast
        } else {
            ReplyTo::Link {
                mac: msg.chaddr,
                ip: reply.yiaddr,
            }
        }
    }

    fn send(&self, msg: &DhcpRepr, reply: DhcpRepr, out: &mut Vec<ServerOutput>) {
        let to = Self::destination(msg, &reply);
        out.push(ServerOutput::Reply { msg: reply, to });
    }

    fn lease_end(&self, now: SimTime) -> Option<SimTime> {
        (secs(self.cfg.lease) != INFINITE_LEASE).then(|| now + self.cfg.lease)
    }

    /// RFC 2131 §4.3.1: DISCOVER → OFFER (or silence when nothing is free).
    fn discover(&mut self, now: SimTime, msg: &DhcpRepr, who: &str, out: &mut Vec<ServerOutput>) {
        let Some(ip) = self.choose(msg.chaddr, msg.requested_ip) else {
            self.stats.exhausted += 1;
            out.push(ServerOutput::Log(format!(
                "DHCPDISCOVER from {who}: network {}: no free leases",
                self.cfg.addr.network()
            )));
            return;
        };
        if !matches!(self.bindings.get(&ip), Some(Binding::Leased(..))) {
            self.hold(ip, Binding::Offered(msg.chaddr, now + self.cfg.offer_hold));
        }
        self.stats.offers += 1;
        out.push(ServerOutput::Log(format!("DHCPDISCOVER from {who}")));
        out.push(ServerOutput::Log(format!("DHCPOFFER on {ip} to {who}")));
        let reply = self.reply(DhcpMessageType::Offer, msg, ip);
        self.send(msg, reply, out);
    }

    fn nak(
        &mut self,
        msg: &DhcpRepr,
        ip: Ipv4Addr,
        why: &str,
        who: &str,
        out: &mut Vec<ServerOutput>,
    ) {
        self.stats.naks += 1;
        out.push(ServerOutput::Log(format!(
            "DHCPNAK on {ip} to {who} ({why})"
        )));
        let mut reply = DhcpRepr::new(DhcpOp::BootReply, DhcpMessageType::Nak, msg.xid, msg.chaddr);
        reply.broadcast = msg.broadcast;
        reply.server_id = Some(self.cfg.addr.addr);
        reply.message = Some(why.to_string());
        self.send(msg, reply, out);
    }

    fn ack(
        &mut self,
        now: SimTime,
        msg: &DhcpRepr,
        ip: Ipv4Addr,
        who: &str,
        out: &mut Vec<ServerOutput>,
    ) {
        self.hold(ip, Binding::Leased(msg.chaddr, self.lease_end(now)));
        self.stats.acks += 1;
        out.push(ServerOutput::Log(format!("DHCPACK on {ip} to {who}")));
        let reply = self.reply(DhcpMessageType::Ack, msg, ip);
        self.send(msg, reply, out);
    }

    /// RFC 2131 §4.3.2: REQUEST in SELECTING, INIT-REBOOT, RENEWING or REBINDING.
    fn request(&mut self, now: SimTime, msg: &DhcpRepr, who: &str, out: &mut Vec<ServerOutput>) {
        let me = self.cfg.addr.addr;
        match (msg.server_id, msg.requested_ip, msg.ciaddr.is_unspecified()) {
            // SELECTING: the client answers an offer, ours or another server's.
            (Some(server), requested, _) => {
                let ip = requested.unwrap_or(msg.ciaddr);
                out.push(ServerOutput::Log(format!(
                    "DHCPREQUEST for {ip} ({server}) from {who}"
                )));
                if server != me {
                    // The client chose another server: our offer is free again.
                    if let Some(Binding::Offered(m, _)) = self.bindings.get(&ip).copied() {
                        if m == msg.chaddr {
                            self.hold(ip, Binding::Free(m, now));
                        }
                    }
                    return;
                }
                if self.available_to(ip, msg.chaddr) && self.cfg.addr.contains(ip) {
                    self.ack(now, msg, ip, who, out);
                } else {
                    self.nak(msg, ip, "requested address not available", who, out);
                }
            }
            // INIT-REBOOT: the client asks to keep an address it remembers.
            (None, Some(ip), true) => {
                out.push(ServerOutput::Log(format!(
                    "DHCPREQUEST for {ip} from {who}"
                )));
                if !self.cfg.addr.contains(ip) {
                    self.nak(msg, ip, "wrong network", who, out);
                } else if matches!(self.bindings.get(&ip), Some(Binding::Leased(m, _)) if *m == msg.chaddr)
                {
                    self.ack(now, msg, ip, who, out);
                } else if self.bindings.contains_key(&ip) && !self.available_to(ip, msg.chaddr) {
                    self.nak(msg, ip, "address leased to another client", who, out);
                }
                // No record of the client: RFC 2131 §4.3.2 says remain silent.
            }
            // RENEWING (unicast) or REBINDING (broadcast): ciaddr set.
            (None, _, false) => {
                let ip = msg.ciaddr;
                out.push(ServerOutput::Log(format!(
                    "DHCPREQUEST for {ip} from {who}"
                )));
                if !self.cfg.addr.contains(ip) {
                    self.nak(msg, ip, "wrong network", who, out);
                } else if self.available_to(ip, msg.chaddr) {
                    self.ack(now, msg, ip, who, out);
                } else {
                    self.nak(msg, ip, "address leased to another client", who, out);
                }
            }
            (None, None, true) => {}
        }
    }

    /// RFC 2131 §4.3.3: the client found the address in use.
    fn decline(&mut self, now: SimTime, msg: &DhcpRepr, who: &str, out: &mut Vec<ServerOutput>) {
        if msg.server_id.is_some_and(|s| s != self.cfg.addr.addr) {
            return;
        }
        let Some(ip) = msg.requested_ip else { return };
        self.stats.declines += 1;
        out.push(ServerOutput::Log(format!(
            "DHCPDECLINE of {ip} from {who}: abandoned for {}",
            self.cfg.decline_hold
        )));
        self.hold(ip, Binding::Declined(now + self.cfg.decline_hold));
    }

    /// RFC 2131 §4.3.4: the client gives its address back.
    fn release(&mut self, now: SimTime, msg: &DhcpRepr, who: &str, out: &mut Vec<ServerOutput>) {
        let ip = msg.ciaddr;
        let found =
            matches!(self.bindings.get(&ip), Some(Binding::Leased(m, _)) if *m == msg.chaddr);
        out.push(ServerOutput::Log(format!(
            "DHCPRELEASE of {ip} from {who} ({})",
            if found { "found" } else { "not found" }
        )));
        if found {
            self.stats.releases += 1;
            self.hold(ip, Binding::Free(msg.chaddr, now));
        }
    }

    /// RFC 2131 §4.3.5: parameters only, no lease.
    fn inform(&mut self, msg: &DhcpRepr, who: &str, out: &mut Vec<ServerOutput>) {
        out.push(ServerOutput::Log(format!(
            "DHCPINFORM from {} via {}",
            msg.ciaddr, self.iface
        )));
        let _ = who;
        let mut reply = self.reply(DhcpMessageType::Ack, msg, Ipv4Addr::UNSPECIFIED);
        reply.lease_time = None;
        reply.renewal_t1 = None;
        reply.rebinding_t2 = None;
        reply.ciaddr = msg.ciaddr;
        self.stats.acks += 1;
        self.send(msg, reply, out);
    }
}

/// Whole seconds of `d`, saturating at the infinite-lease value.
fn secs(d: SimDuration) -> u32 {
    u32::try_from(d.as_nanos() / 1_000_000_000).unwrap_or(INFINITE_LEASE)
}
