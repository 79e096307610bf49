//! `traceroute`: UDP probes with increasing TTL, as Linux traceroute sends by
//! default (RFC 1393 describes the idea; the method is the classic one).
//!
//! Probe `n` (from 0) goes to UDP port 33434 + n with TTL `1 + n / probes`.
//! Routers on the way answer with ICMP time exceeded; the destination answers
//! with ICMP port unreachable, which ends the trace after that hop. Probes are
//! sent one at a time (the next when the previous is answered or times out),
//! so that the output is the same on every run. Each probe is a 60-byte IP
//! datagram (32 bytes of UDP data), like the Linux default.

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::time::text::millis_rounded;
use sim_core::{SimDuration, SimTime};

use super::{App, AppIo, AppStats, Outgoing, quoted_udp};
use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::{IcmpRepr, UdpRepr, UnreachableCode};

/// The first destination port (Linux traceroute's default base port).
pub const BASE_PORT: u16 = 33434;

/// Traceroute settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracerouteConfig {
    /// Target.
    pub dst: Ipv4Addr,
    /// When to start.
    pub start: SimTime,
    /// Highest TTL tried.
    pub max_hops: u8,
    /// Probes per hop.
    pub probes: u8,
    /// How long to wait for each answer.
    pub timeout: SimDuration,
    /// UDP source port (unique per application on a host).
    pub src_port: u16,
}

/// What a traceroute found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracerouteStats {
    /// The first address that answered at each hop (`None`: no answer).
    pub hops: Vec<Option<Ipv4Addr>>,
    /// Whether the destination answered.
    pub reached: bool,
}

/// A running traceroute.
pub struct Traceroute {
    cfg: TracerouteConfig,
    next_probe: u32,
    outstanding: Option<(u32, SimTime)>,
    wake: Option<SimTime>,
    line: String,
    last_addr: Option<Ipv4Addr>,
    done: bool,
    stats: TracerouteStats,
}

impl Traceroute {
    /// A traceroute that starts at `cfg.start`.
    pub fn new(cfg: TracerouteConfig) -> Traceroute {
        Traceroute {
            wake: Some(cfg.start),
            cfg,
            next_probe: 0,
            outstanding: None,
            line: String::new(),
            last_addr: None,
            done: false,
            stats: TracerouteStats::default(),
        }
    }

    fn hop_of(&self, probe: u32) -> u32 {
        1 + probe / u32::from(self.cfg.probes)
    }

    fn send_probe(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        let probe = self.next_probe;
        if probe == 0 {
            io.lines.push(format!(
                "traceroute to {dst} ({dst}), {} hops max, 60 byte packets",
                self.cfg.max_hops,
                dst = self.cfg.dst
            ));
        }
        let hop = self.hop_of(probe);
        if probe.is_multiple_of(u32::from(self.cfg.probes)) {
            self.line = format!("{hop:2} ");
            self.last_addr = None;
            self.stats.hops.push(None);
        }
        io.send.push(Outgoing {
            src: None,
            dst: self.cfg.dst,
            ttl: hop as u8,
            dont_frag: false,
            body: IpBody::Udp {
                header: UdpRepr {
                    src_port: self.cfg.src_port,
                    dst_port: BASE_PORT.wrapping_add(probe as u16),
                },
                payload: Bytes::from(vec![0x40u8; 32]),
            },
        });
        self.outstanding = Some((probe, now));
        self.wake = Some(now + self.cfg.timeout);
        self.next_probe += 1;
    }

    /// Records the outcome of the outstanding probe and moves on.
    fn conclude(&mut self, now: SimTime, answer: Option<(Ipv4Addr, bool)>, io: &mut AppIo<'_>) {
        let Some((probe, sent)) = self.outstanding.take() else {
            return;
        };
        match answer {
            Some((from, at_destination)) => {
                if self.last_addr != Some(from) {
                    self.line.push_str(&format!(" {from}"));
                    self.last_addr = Some(from);
                }
                self.line
                    .push_str(&format!("  {} ms", millis_rounded(now - sent)));
                let slot = self.stats.hops.last_mut().expect("hop started");
                slot.get_or_insert(from);
                if at_destination {
                    self.stats.reached = true;
                }
            }
            None => self.line.push_str(" *"),
        }
        let hop_done = (probe + 1) % u32::from(self.cfg.probes) == 0;
        if hop_done {
            io.lines.push(std::mem::take(&mut self.line));
            if self.stats.reached || self.hop_of(probe) >= u32::from(self.cfg.max_hops) {
                self.done = true;
                self.wake = None;
                return;
            }
        }
        self.wake = Some(now);
    }
}

impl App for Traceroute {
    fn name(&self) -> &'static str {
        "traceroute"
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.wake
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        if self.done || self.wake.is_none_or(|t| t > now) {
            return;
        }
        if self.outstanding.is_some() {
            self.conclude(now, None, io);
        }
        if !self.done && self.outstanding.is_none() {
            self.send_probe(now, io);
        }
    }

    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        let IpBody::Icmp(icmp) = &packet.body else {
            return false;
        };
        let (original, at_destination) = match icmp {
            IcmpRepr::TimeExceeded { code: 0, original } => (original, false),
            IcmpRepr::DstUnreachable {
                code: UnreachableCode::Port,
                original,
                ..
            } => (original, true),
            IcmpRepr::DstUnreachable { original, .. } => (original, false),
            _ => return false,
        };
        let Some((dst, sport, dport)) = quoted_udp(original) else {
            return false;
        };
        let Some((probe, _)) = self.outstanding else {
            return false;
        };
        if dst != self.cfg.dst
            || sport != self.cfg.src_port
            || dport != BASE_PORT.wrapping_add(probe as u16)
        {
            return false;
        }
        self.conclude(now, Some((packet.header.src, at_destination)), io);
        true
    }

    fn stats(&self) -> AppStats {
        AppStats::Traceroute(self.stats.clone())
    }
}
