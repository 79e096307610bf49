//! The DHCP client of one interface: RFC 2131 §4.4 and Figure 5, with the ARP
//! address check of RFC 5227 §2.1.1 between the DHCPACK and the use of the
//! address.
//!
//! ```text
//!  INIT --DISCOVER--> SELECTING --OFFER/REQUEST--> REQUESTING --ACK--> [ARP probes]
//!    ^                                              |   NAK             |  no conflict: announce
//!    |<---------------------------------------------+                   v
//!    |<------- conflict: DECLINE, wait 10 s ------------------------ BOUND
//!    |                                                                 | T1: REQUEST unicast
//!    |<-- NAK or lease expiry -- REBINDING <-- T2: REQUEST broadcast -- RENEWING
//! ```
//!
//! Timers (all absolute, from the time the REQUEST that got the lease was
//! sent, RFC 2131 §4.4.1): T1 (option 58, default 0.5 × lease), T2 (option 59,
//! default 0.875 × lease), expiry. The client renews at T1 plus a uniform
//! "fuzz" in −1 s ..= +1 s (RFC 2131 §4.4.5 asks for fuzz around T1 and T2 to
//! desynchronize clients), drawn from its own seeded stream.
//!
//! Retransmission (RFC 2131 §4.1): 4 s, 8 s, 16 s, 32 s, then 64 s, each
//! randomized by −1 s ..= +1 s. DISCOVER is retransmitted until an offer comes;
//! a REQUEST in REQUESTING is retransmitted [`MAX_REQUEST_RETRANSMISSIONS`]
//! times, then the client starts over. In RENEWING and REBINDING the client
//! waits half the time left until T2 (or expiry), at least 60 s (§4.4.5).
//!
//! Deliberate simplifications:
//! - The first OFFER is taken (RFC 2131 §4.4.1 lets the client collect offers
//!   for a while; most clients take the first).
//! - No INIT-REBOOT: a client starts from INIT, asking for its last address
//!   with option 50 when it had one.
//! - The broadcast flag is never set: servers unicast OFFER and ACK to the
//!   client's hardware address and offered address, as for Linux clients.
//! - Only the ARP check of RFC 5227 §2.1.1 before use; no ongoing conflict
//!   detection while bound (§2.4).

use std::fmt;
use std::net::Ipv4Addr;

use rand::Rng;
use sim_core::{SimDuration, SimTime, StreamRng};

use super::{ANNOUNCE_INTERVAL, DECLINE_WAIT, DhcpEvent, PROBE_WAIT, uniform};
use crate::wire::{ArpOperation, ArpRepr, DhcpMessageType, DhcpOp, DhcpRepr, Ipv4Cidr, MacAddr};

mod lease;
mod transmit;

/// REQUEST retransmissions in REQUESTING before the client starts over.
pub const MAX_REQUEST_RETRANSMISSIONS: u32 = 4;

/// Client settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The interface's hardware address (chaddr and client identifier).
    pub mac: MacAddr,
    /// Sent as option 12 so the server's log names the client.
    pub hostname: Option<String>,
    /// Check the address with ARP probes before using it (RFC 5227).
    pub arp_probe: bool,
    /// The first DISCOVER goes out after a uniform random wait up to this
    /// (RFC 2131 §4.4.1 suggests 1 to 10 s to desynchronize a boot storm).
    pub init_delay: SimDuration,
    /// When the client gives its lease back (DHCPRELEASE) and stops.
    pub release_at: Option<SimTime>,
}

/// Client states (RFC 2131 Figure 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientState {
    /// No lease; about to DISCOVER.
    Init,
    /// DISCOVER sent, waiting for offers.
    Selecting,
    /// REQUEST sent for an offer, waiting for ACK (then checking the address).
    Requesting,
    /// Configured.
    Bound,
    /// Past T1: REQUEST unicast to the leasing server.
    Renewing,
    /// Past T2: REQUEST broadcast to any server.
    Rebinding,
}

impl fmt::Display for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientState::Init => "INIT",
            ClientState::Selecting => "SELECTING",
            ClientState::Requesting => "REQUESTING",
            ClientState::Bound => "BOUND",
            ClientState::Renewing => "RENEWING",
            ClientState::Rebinding => "REBINDING",
        })
    }
}

/// A lease as the client holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// Address and prefix (option 1).
    pub addr: Ipv4Cidr,
    /// Default router (first of option 3).
    pub router: Option<Ipv4Addr>,
    /// DNS servers (option 6).
    pub dns: Vec<Ipv4Addr>,
    /// The leasing server (option 54).
    pub server_id: Ipv4Addr,
    /// Lease time in seconds (option 51).
    pub lease_secs: u32,
    /// T1, absolute; `None` for an infinite lease.
    pub t1: Option<SimTime>,
    /// T2, absolute.
    pub t2: Option<SimTime>,
    /// Expiry, absolute.
    pub expires: Option<SimTime>,
}

/// What the client asks of its node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientOutput {
    /// Send a message from `src` (0.0.0.0 before configuration) to `dst`
    /// (255.255.255.255 on the link, or the server).
    Send {
        /// The message.
        msg: DhcpRepr,
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
    },
    /// Broadcast an ARP probe for `target` (sender IP 0.0.0.0, RFC 5227 §2.1.1).
    ArpProbe {
        /// The address being checked.
        target: Ipv4Addr,
    },
    /// Broadcast an ARP announcement of `addr` (RFC 5227 §2.3).
    ArpAnnounce {
        /// The address now in use.
        addr: Ipv4Addr,
    },
    /// Configure the interface with the lease: address, connected route,
    /// default route, DNS servers.
    Configure(Lease),
    /// Remove the address and the routes that came with it.
    Deconfigure(Ipv4Cidr),
    /// A trace event.
    Event(DhcpEvent),
}

/// What the client did over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DhcpClientStats {
    /// The interface's name.
    pub iface: String,
    /// The address held at the end of the run.
    pub address: Option<Ipv4Cidr>,
    /// Each time the interface was configured, and with what address.
    pub bound: Vec<(SimTime, Ipv4Addr)>,
    /// Each renewal: the lease's T1 and when the RENEWING REQUEST went out.
    pub renewals: Vec<(SimTime, SimTime)>,
    /// When REBINDING began, each time.
    pub rebinds: Vec<SimTime>,
    /// DISCOVERs sent (retransmissions included).
    pub discovers: u32,
    /// REQUESTs sent (retransmissions included).
    pub requests: u32,
    /// DECLINEs sent (address conflicts).
    pub declines: u32,
    /// NAKs received.
    pub naks: u32,
    /// Leases that expired.
    pub expirations: u32,
    /// RELEASEs sent.
    pub releases: u32,
}

#[derive(Clone, Copy, Debug)]
struct Probe {
    sent: u32,
    next: SimTime,
}

/// The client state machine of one interface.
pub struct DhcpClient {
    cfg: ClientConfig,
    rng: StreamRng,
    state: ClientState,
    xid: u32,
    /// When the current exchange began (for the `secs` field).
    began: SimTime,
    start_at: Option<SimTime>,
    retransmit_at: Option<SimTime>,
    /// Transmissions of the current message so far.
    tries: u32,
    /// The message to retransmit, with its source and destination.
    last: Option<(DhcpRepr, Ipv4Addr, Ipv4Addr)>,
    /// The offer being requested: (yiaddr, server id).
    offer: Option<(Ipv4Addr, Ipv4Addr)>,
    request_sent: SimTime,
    /// An ACKed lease whose address is being probed.
    pending: Option<Lease>,
    probe: Option<Probe>,
    /// The configured lease.
    lease: Option<Lease>,
    /// T1 with its fuzz.
    renew_at: Option<SimTime>,
    /// Announcements left and when the next goes.
    announce: Option<(u32, SimTime)>,
    /// The last address held, asked for again (option 50) after a restart.
    last_addr: Option<Ipv4Addr>,
    released: bool,
    stats: DhcpClientStats,
}

impl DhcpClient {
    /// A client in INIT that sends its first DISCOVER at `boot` plus a random
    /// wait up to `cfg.init_delay`.
    pub fn new(cfg: ClientConfig, iface: &str, boot: SimTime, mut rng: StreamRng) -> DhcpClient {
        let start = boot + uniform(&mut rng, SimDuration::ZERO, cfg.init_delay);
        DhcpClient {
            cfg,
            rng,
            state: ClientState::Init,
            xid: 0,
            began: start,
            start_at: Some(start),
            retransmit_at: None,
            tries: 0,
            last: None,
            offer: None,
            request_sent: start,
            pending: None,
            probe: None,
            lease: None,
            renew_at: None,
            announce: None,
            last_addr: None,
            released: false,
            stats: DhcpClientStats {
                iface: iface.to_string(),
                ..DhcpClientStats::default()
            },
        }
    }

    /// The current state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The configured lease, if any.
    pub fn lease(&self) -> Option<&Lease> {
        self.lease.as_ref()
    }

    /// What the client did so far.
    pub fn stats(&self) -> DhcpClientStats {
        DhcpClientStats {
            address: self.lease.as_ref().map(|l| l.addr),
            ..self.stats.clone()
        }
    }

    /// The address being checked with ARP probes, if any.
    pub fn probing(&self) -> Option<Ipv4Addr> {
        self.probe.and(self.pending.as_ref()).map(|l| l.addr.addr)
    }

    /// When the client next needs [`DhcpClient::on_timer`].
    pub fn poll_at(&self) -> Option<SimTime> {
        if self.released {
            return None;
        }
        let lease_timer = self.lease.as_ref().and_then(|l| match self.state {
            ClientState::Bound => self.renew_at.or(l.expires),
            ClientState::Renewing => l.t2.or(l.expires),
            _ => l.expires,
        });
        [
            self.start_at,
            self.retransmit_at,
            self.probe.map(|p| p.next),
            self.announce.map(|(_, t)| t),
            lease_timer,
            self.cfg.release_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs what is due at `now`. A call with nothing due does nothing.
    pub fn on_timer(&mut self, now: SimTime) -> Vec<ClientOutput> {
        let mut out = Vec::new();
        if self.released {
            return out;
        }
        if self.cfg.release_at.is_some_and(|t| t <= now) {
            self.release(now, &mut out);
            return out;
        }
        if let Some(lease) = self.lease.clone() {
            if lease.expires.is_some_and(|t| t <= now) {
                // RFC 2131 §4.4.5: at expiry the client stops using the address and restarts.
                self.stats.expirations += 1;
                self.drop_lease(&lease, "lease expired", &mut out);
                self.restart(now, "lease expired", &mut out);
            } else if matches!(self.state, ClientState::Bound | ClientState::Renewing)
                && lease.t2.is_some_and(|t| t <= now)
            {
                // RFC 2131 §4.4.5: at T2 broadcast a REQUEST to any server.
                self.stats.rebinds.push(now);
                self.new_exchange(now);
                self.set_state(
                    ClientState::Rebinding,
                    "T2 reached, no answer from the server".into(),
                    &mut out,
                );
                let msg = self.renew_request(&lease);
                self.send_first(now, msg, lease.addr.addr, Ipv4Addr::BROADCAST, &mut out);
            } else if self.state == ClientState::Bound && self.renew_at.is_some_and(|t| t <= now) {
                // RFC 2131 §4.4.5: at T1 unicast a REQUEST to the leasing server.
                self.stats.renewals.push((lease.t1.unwrap_or(now), now));
                self.new_exchange(now);
                self.set_state(ClientState::Renewing, "T1 reached".into(), &mut out);
                let msg = self.renew_request(&lease);
                self.send_first(now, msg, lease.addr.addr, lease.server_id, &mut out);
            }
        }
        if let Some((left, t)) = self.announce {
            if t <= now {
                if let Some(l) = &self.lease {
                    out.push(ClientOutput::ArpAnnounce { addr: l.addr.addr });
                }
                self.announce = (left > 1).then(|| (left - 1, now + ANNOUNCE_INTERVAL));
            }
        }
        if let Some(p) = self.probe {
            if p.next <= now {
                self.probe_step(now, p, &mut out);
            }
        }
        if self.retransmit_at.is_some_and(|t| t <= now) {
            self.retransmit(now, &mut out);
        }
        if self.start_at.is_some_and(|t| t <= now) {
            self.start_at = None;
            self.discover(now, &mut out);
        }
        out
    }

    /// A DHCP message from a server arrived (any destination address).
    pub fn on_message(&mut self, now: SimTime, msg: &DhcpRepr) -> Vec<ClientOutput> {
        let mut out = Vec::new();
        if self.released
            || msg.op != DhcpOp::BootReply
            || msg.xid != self.xid
            || msg.chaddr != self.cfg.mac
        {
            return out;
        }
        let from = msg.server_id.unwrap_or(Ipv4Addr::UNSPECIFIED);
        match (self.state, msg.message_type) {
            // RFC 2131 §4.4.1: take the offer, REQUEST it by broadcast naming the server.
            (ClientState::Selecting, DhcpMessageType::Offer) => {
                let Some(server) = msg.server_id else {
                    return out;
                };
                if msg.yiaddr.is_unspecified() {
                    return out;
                }
                self.offer = Some((msg.yiaddr, server));
                self.set_state(
                    ClientState::Requesting,
                    format!("DHCPOFFER of {} from {server}", msg.yiaddr),
                    &mut out,
                );
                let mut req = self.message(now, DhcpMessageType::Request);
                req.requested_ip = Some(msg.yiaddr);
                req.server_id = Some(server);
                self.send_first(
                    now,
                    req,
                    Ipv4Addr::UNSPECIFIED,
                    Ipv4Addr::BROADCAST,
                    &mut out,
                );
            }
            // RFC 2131 §4.4.1: ACK of our request: check the address, then bind.
            (ClientState::Requesting, DhcpMessageType::Ack) if self.pending.is_none() => {
                let Some((yiaddr, server)) = self.offer else {
                    return out;
                };
                if msg.server_id.is_some_and(|s| s != server) || msg.yiaddr != yiaddr {
                    return out;
                }
                let Some(lease) = self.lease_from(msg, server) else {
                    return out;
                };
                self.retransmit_at = None;
                self.last = None;
                if self.cfg.arp_probe {
                    // RFC 5227 §2.1.1: wait PROBE_WAIT at random, then probe.
                    let next = now + uniform(&mut self.rng, SimDuration::ZERO, PROBE_WAIT);
                    self.probe = Some(Probe { sent: 0, next });
                    self.pending = Some(lease);
                    out.push(ClientOutput::Event(DhcpEvent::Checking {
                        addr: yiaddr,
                        server,
                    }));
                } else {
                    self.bind(
                        now,
                        lease,
                        format!("DHCPACK of {yiaddr} from {server}"),
                        &mut out,
                    );
                }
            }
            // RFC 2131 §4.4.5: the lease is extended.
            (ClientState::Renewing | ClientState::Rebinding, DhcpMessageType::Ack) => {
                let Some(old) = self.lease.clone() else {
                    return out;
                };
                if msg.yiaddr != old.addr.addr {
                    return out;
                }
                let server = msg.server_id.unwrap_or(old.server_id);
                let Some(lease) = self.lease_from(msg, server) else {
                    return out;
                };
                self.retransmit_at = None;
                self.last = None;
                let renew_in = self.set_lease_timers(now, &lease);
                let cause = format!(
                    "DHCPACK of {} from {server}, renewal in {renew_in} seconds",
                    lease.addr.addr
                );
                if lease.router != old.router || lease.dns != old.dns || lease.addr != old.addr {
                    out.push(ClientOutput::Configure(lease.clone()));
                }
                self.lease = Some(lease);
                self.set_state(ClientState::Bound, cause, &mut out);
            }
            // RFC 2131 §3.1 step 5 / §4.4.5: a NAK sends the client back to INIT.
            (
                ClientState::Requesting | ClientState::Renewing | ClientState::Rebinding,
                DhcpMessageType::Nak,
            ) => {
                if self.state == ClientState::Requesting
                    && self
                        .offer
                        .is_some_and(|(_, s)| msg.server_id.is_some_and(|m| m != s))
                {
                    return out;
                }
                self.stats.naks += 1;
                self.pending = None;
                self.probe = None;
                if let Some(lease) = self.lease.clone() {
                    self.drop_lease(&lease, "DHCPNAK", &mut out);
                }
                let why = match &msg.message {
                    Some(m) => format!("DHCPNAK from {from} ({m})"),
                    None => format!("DHCPNAK from {from}"),
                };
                self.restart(now, &why, &mut out);
            }
            _ => {}
        }
        out
    }

    /// An ARP packet arrived on the interface: during the address check, one
    /// from another host that has (or probes for) the address is a conflict
    /// (RFC 5227 §2.1.1).
    pub fn on_arp(&mut self, now: SimTime, arp: &ArpRepr) -> Vec<ClientOutput> {
        let mut out = Vec::new();
        let Some(addr) = self.probing() else {
            return out;
        };
        let theirs = arp.sender_mac != self.cfg.mac;
        let has_it = arp.sender_ip == addr;
        let probes_it = arp.operation == ArpOperation::Request
            && arp.sender_ip.is_unspecified()
            && arp.target_ip == addr;
        if !(theirs && (has_it || probes_it)) {
            return out;
        }
        let lease = self.pending.take().expect("probing a pending lease");
        self.probe = None;
        out.push(ClientOutput::Event(DhcpEvent::Conflict {
            addr,
            by: arp.sender_mac,
        }));
        // RFC 2131 §3.1 step 5: DECLINE with the address and the server, then
        // wait at least 10 s before starting over.
        let mut decline = self.message(now, DhcpMessageType::Decline);
        decline.secs = 0;
        decline.parameter_request_list.clear();
        decline.requested_ip = Some(addr);
        decline.server_id = Some(lease.server_id);
        decline.message = Some("address in use (ARP probe answered)".into());
        self.stats.declines += 1;
        out.push(ClientOutput::Send {
            msg: decline,
            src: Ipv4Addr::UNSPECIFIED,
            dst: Ipv4Addr::BROADCAST,
        });
        self.restart(
            now + DECLINE_WAIT,
            &format!("DHCPDECLINE of {addr}: in use by {}", arp.sender_mac),
            &mut out,
        );
        out
    }

    fn set_state(&mut self, to: ClientState, cause: String, out: &mut Vec<ClientOutput>) {
        let from = self.state;
        self.state = to;
        out.push(ClientOutput::Event(DhcpEvent::State { from, to, cause }));
    }

    fn new_exchange(&mut self, now: SimTime) {
        self.xid = self.rng.random();
        self.began = now;
        self.tries = 0;
    }

    /// Back to INIT, sending the next DISCOVER at `at`.
    fn restart(&mut self, at: SimTime, cause: &str, out: &mut Vec<ClientOutput>) {
        self.retransmit_at = None;
        self.last = None;
        self.offer = None;
        self.start_at = Some(at);
        self.set_state(ClientState::Init, cause.to_string(), out);
    }

    fn drop_lease(&mut self, lease: &Lease, cause: &'static str, out: &mut Vec<ClientOutput>) {
        self.last_addr = Some(lease.addr.addr);
        self.lease = None;
        self.renew_at = None;
        self.announce = None;
        out.push(ClientOutput::Deconfigure(lease.addr));
        out.push(ClientOutput::Event(DhcpEvent::Deconfigured {
            addr: lease.addr,
            cause,
        }));
    }
}

/// `t - d`, never before time zero.
trait SaturatingSub {
    fn saturating_sub_duration(self, d: SimDuration) -> SimTime;
}

impl SaturatingSub for SimTime {
    fn saturating_sub_duration(self, d: SimDuration) -> SimTime {
        SimTime::from_nanos(self.as_nanos().saturating_sub(d.as_nanos()))
    }
}
