//! A SYN flood (RFC 4987): SYNs from spoofed source addresses that never
//! complete the handshake, filling the victim's listen queue with half-open
//! connections. The spoofed sources are drawn from a prefix where no host
//! answers, so the victim's SYN-ACKs go unanswered until its retries give up.

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use super::{App, AppIo, AppStats, Outgoing};
use crate::packet::{IpBody, Ipv4Packet};
use crate::tcp::Endpoint;
use crate::wire::{Ipv4Cidr, TcpFlags, TcpOptions, TcpRepr, TcpSeq};

/// Flood settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynFloodConfig {
    /// The victim.
    pub to: Endpoint,
    /// Source addresses are taken in turn from this prefix.
    pub spoof_from: Ipv4Cidr,
    /// SYNs to send.
    pub count: u32,
    /// Time between SYNs.
    pub interval: SimDuration,
    /// When to start.
    pub start: SimTime,
}

/// A SYN flooder.
pub struct SynFlood {
    cfg: SynFloodConfig,
    next: Option<SimTime>,
    sent: u32,
}

impl SynFlood {
    /// A flood starting at `cfg.start`.
    pub fn new(cfg: SynFloodConfig) -> SynFlood {
        SynFlood {
            next: (cfg.count > 0).then_some(cfg.start),
            cfg,
            sent: 0,
        }
    }

    /// The `k`-th spoofed source: host addresses of the prefix in turn.
    fn source(&self, k: u32) -> Ipv4Addr {
        let net = u32::from(self.cfg.spoof_from.network().addr);
        let hosts = (1u64 << (32 - u32::from(self.cfg.spoof_from.prefix_len)))
            .saturating_sub(2)
            .max(1);
        Ipv4Addr::from(net + 1 + (u64::from(k) % hosts) as u32)
    }
}

impl App for SynFlood {
    fn name(&self) -> &'static str {
        "syn-flood"
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.next
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        if self.next.is_none_or(|t| t > now) {
            return;
        }
        let k = self.sent;
        let syn = TcpRepr {
            src_port: 1024 + (k % 60000) as u16,
            dst_port: self.cfg.to.port,
            seq: TcpSeq(0x1000_0000u32.wrapping_mul(k + 1)),
            ack: None,
            flags: TcpFlags::SYN,
            window: 64240,
            urgent: 0,
            options: TcpOptions {
                mss: Some(1460),
                ..TcpOptions::default()
            },
        };
        io.send.push(Outgoing {
            src: Some(self.source(k)),
            dst: self.cfg.to.addr,
            ttl: 64,
            dont_frag: true,
            body: IpBody::Tcp {
                header: Box::new(syn),
                payload: Bytes::new(),
            },
        });
        self.sent += 1;
        if self.sent == 1 {
            io.lines.push(format!(
                "flooding {} with SYNs from spoofed addresses in {}",
                self.cfg.to, self.cfg.spoof_from
            ));
        }
        self.next = (self.sent < self.cfg.count).then(|| now + self.cfg.interval);
    }

    fn on_packet(&mut self, _: SimTime, _: &Ipv4Packet, _: &mut AppIo<'_>) -> bool {
        false
    }

    fn stats(&self) -> AppStats {
        AppStats::SynFlood { sent: self.sent }
    }
}
