//! `ping`: ICMP echo (RFC 792), printing what Linux iputils ping prints.
//!
//! Requests go out every `interval` from `start`, `count` in all. Each carries
//! `size` data bytes (default 56, so 64 bytes of ICMP and 84 of IP); the first
//! eight hold the send time, the rest the byte pattern 8, 9, 10, ... A request
//! unanswered after `timeout` is reported (`no answer yet for icmp_seq=N`, as
//! `ping -O` does); a late reply still counts. After the last request's
//! timeout the statistics are printed, as ping does when it exits.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::time::text::millis_rounded;
use sim_core::{SimDuration, SimTime};

use super::{App, AppIo, AppStats, Outgoing, quoted_echo};
use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::{IcmpRepr, UnreachableCode};

/// Ping settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingConfig {
    /// Target address.
    pub dst: Ipv4Addr,
    /// Number of requests.
    pub count: u32,
    /// Time between requests.
    pub interval: SimDuration,
    /// Data bytes per request.
    pub size: usize,
    /// When the first request goes out.
    pub start: SimTime,
    /// TTL of the requests.
    pub ttl: u8,
    /// Set DF on the requests.
    pub dont_frag: bool,
    /// How long to wait for each reply before reporting it missing.
    pub timeout: SimDuration,
    /// ICMP identifier (unique per application on a host).
    pub ident: u16,
}

/// What a ping saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PingStats {
    /// Requests sent.
    pub transmitted: u32,
    /// Distinct requests answered.
    pub received: u32,
    /// Extra copies of replies.
    pub duplicates: u32,
    /// ICMP errors received about the requests.
    pub errors: u32,
    /// Round-trip time of each answered request, in the order answered.
    pub rtts: Vec<SimDuration>,
    /// TTL of each reply, in the order answered.
    pub reply_ttls: Vec<u8>,
}

/// A running ping.
pub struct Ping {
    cfg: PingConfig,
    next_send: Option<SimTime>,
    sent_at: BTreeMap<u16, SimTime>,
    answered: BTreeMap<u16, bool>,
    deadlines: BTreeMap<SimTime, Vec<u16>>,
    finish_at: Option<SimTime>,
    first_sent: Option<SimTime>,
    last_activity: SimTime,
    stats: PingStats,
}

impl Ping {
    /// A ping that starts at `cfg.start`.
    pub fn new(cfg: PingConfig) -> Ping {
        Ping {
            next_send: (cfg.count > 0).then_some(cfg.start),
            cfg,
            sent_at: BTreeMap::new(),
            answered: BTreeMap::new(),
            deadlines: BTreeMap::new(),
            finish_at: None,
            first_sent: None,
            last_activity: SimTime::ZERO,
            stats: PingStats::default(),
        }
    }

    fn payload(&self, now: SimTime) -> Bytes {
        let mut data: Vec<u8> = (0..self.cfg.size).map(|i| i as u8).collect();
        if self.cfg.size >= 8 {
            data[..8].copy_from_slice(&now.as_nanos().to_be_bytes());
        }
        data.into()
    }

    fn send(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        let seq = (self.stats.transmitted + 1) as u16;
        if self.first_sent.is_none() {
            io.lines.push(format!(
                "PING {dst} ({dst}) {}({}) bytes of data.",
                self.cfg.size,
                self.cfg.size + 28,
                dst = self.cfg.dst
            ));
            self.first_sent = Some(now);
        }
        io.send.push(Outgoing {
            src: None,
            dst: self.cfg.dst,
            ttl: self.cfg.ttl,
            dont_frag: self.cfg.dont_frag,
            body: IpBody::Icmp(IcmpRepr::EchoRequest {
                ident: self.cfg.ident,
                seq_no: seq,
                data: self.payload(now),
            }),
        });
        self.stats.transmitted += 1;
        self.sent_at.insert(seq, now);
        self.deadlines
            .entry(now + self.cfg.timeout)
            .or_default()
            .push(seq);
        self.last_activity = now;
        self.next_send = (self.stats.transmitted < self.cfg.count).then(|| now + self.cfg.interval);
        if self.next_send.is_none() {
            self.finish_at = Some(now + self.cfg.timeout);
        }
    }

    fn summary(&self, io: &mut AppIo<'_>) {
        let s = &self.stats;
        let lost = s.transmitted - s.received;
        let loss = if s.transmitted == 0 {
            "0".to_string()
        } else if (lost * 100).is_multiple_of(s.transmitted) {
            (lost * 100 / s.transmitted).to_string()
        } else {
            let pct = f64::from(lost) * 100.0 / f64::from(s.transmitted);
            format!("{pct:.4}").trim_end_matches('0').to_string()
        };
        let errors = if s.errors > 0 {
            format!(" +{} errors,", s.errors)
        } else {
            String::new()
        };
        let elapsed = self
            .last_activity
            .saturating_since(self.first_sent.unwrap_or(SimTime::ZERO));
        io.lines
            .push(format!("--- {} ping statistics ---", self.cfg.dst));
        io.lines.push(format!(
            "{} packets transmitted, {} received,{errors} {loss}% packet loss, time {}ms",
            s.transmitted,
            s.received,
            elapsed.as_nanos() / 1_000_000
        ));
        if !s.rtts.is_empty() {
            let us: Vec<f64> = s.rtts.iter().map(|d| d.as_nanos() as f64 / 1e3).collect();
            let n = us.len() as f64;
            let mean = us.iter().sum::<f64>() / n;
            let mean_sq = us.iter().map(|x| x * x).sum::<f64>() / n;
            let mdev = (mean_sq - mean * mean).max(0.0).sqrt();
            let min = s.rtts.iter().min().expect("non-empty");
            let max = s.rtts.iter().max().expect("non-empty");
            io.lines.push(format!(
                "rtt min/avg/max/mdev = {}/{:.3}/{}/{:.3} ms",
                millis_rounded(*min),
                mean / 1e3,
                millis_rounded(*max),
                mdev / 1e3
            ));
        }
    }

    fn error_text(icmp: &IcmpRepr) -> Option<String> {
        Some(match icmp {
            IcmpRepr::DstUnreachable {
                code, next_hop_mtu, ..
            } => match code {
                UnreachableCode::Net => "Destination Net Unreachable".into(),
                UnreachableCode::Host => "Destination Host Unreachable".into(),
                UnreachableCode::Protocol => "Destination Protocol Unreachable".into(),
                UnreachableCode::Port => "Destination Port Unreachable".into(),
                UnreachableCode::FragNeeded => {
                    format!("Frag needed and DF set (mtu = {next_hop_mtu})")
                }
            },
            IcmpRepr::TimeExceeded { code: 0, .. } => "Time to live exceeded".into(),
            IcmpRepr::TimeExceeded { .. } => "Frag reassembly time exceeded".into(),
            _ => return None,
        })
    }
}

impl App for Ping {
    fn name(&self) -> &'static str {
        "ping"
    }

    fn poll_at(&self) -> Option<SimTime> {
        [
            self.next_send,
            self.deadlines.keys().next().copied(),
            self.finish_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        while let Some((&t, _)) = self.deadlines.first_key_value() {
            if t > now {
                break;
            }
            for seq in self.deadlines.remove(&t).expect("present") {
                if !self.answered.contains_key(&seq) {
                    io.lines.push(format!("no answer yet for icmp_seq={seq}"));
                }
            }
        }
        if self.next_send.is_some_and(|t| t <= now) {
            self.send(now, io);
        }
        if self.finish_at.is_some_and(|t| t <= now) {
            self.finish_at = None;
            self.deadlines.clear();
            self.summary(io);
        }
    }

    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        let IpBody::Icmp(icmp) = &packet.body else {
            return false;
        };
        match icmp {
            IcmpRepr::EchoReply {
                ident,
                seq_no,
                data,
            } if *ident == self.cfg.ident && packet.header.src == self.cfg.dst => {
                let Some(&sent) = self.sent_at.get(seq_no) else {
                    return false;
                };
                let rtt = now - sent;
                let dup = self.answered.insert(*seq_no, true).is_some();
                let mut line = format!(
                    "{} bytes from {}: icmp_seq={seq_no} ttl={} time={} ms",
                    data.len() + 8,
                    packet.header.src,
                    packet.header.ttl,
                    millis_rounded(rtt)
                );
                if dup {
                    self.stats.duplicates += 1;
                    line.push_str(" (DUP!)");
                } else {
                    self.stats.received += 1;
                    self.stats.rtts.push(rtt);
                    self.stats.reply_ttls.push(packet.header.ttl);
                }
                io.lines.push(line);
                self.last_activity = now;
                if self.next_send.is_none()
                    && self.answered.len() == self.sent_at.len()
                    && self.finish_at.is_some()
                {
                    // Everything answered: finish now, as ping does after the last reply.
                    self.finish_at = Some(now);
                }
                true
            }
            IcmpRepr::DstUnreachable { original, .. } | IcmpRepr::TimeExceeded { original, .. } => {
                let Some((ident, seq)) = quoted_echo(original) else {
                    return false;
                };
                if ident != self.cfg.ident || !self.sent_at.contains_key(&seq) {
                    return false;
                }
                let text = Self::error_text(icmp).expect("an error message");
                io.lines
                    .push(format!("From {} icmp_seq={seq} {text}", packet.header.src));
                self.stats.errors += 1;
                self.answered.entry(seq).or_insert(false);
                self.last_activity = now;
                true
            }
            _ => false,
        }
    }

    fn stats(&self) -> AppStats {
        AppStats::Ping(self.stats.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IpProtocol, Ipv4Repr};

    const DST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 10);

    fn ms(n: u64) -> SimTime {
        SimTime::from_nanos(n * 1_000_000)
    }

    fn ping(count: u32) -> Ping {
        Ping::new(PingConfig {
            dst: DST,
            count,
            interval: SimDuration::from_secs(1),
            size: 56,
            start: ms(1000),
            ttl: 64,
            dont_frag: false,
            timeout: SimDuration::from_secs(1),
            ident: 1,
        })
    }

    fn reply_to(req: &Outgoing, ttl: u8) -> Ipv4Packet {
        let IpBody::Icmp(IcmpRepr::EchoRequest {
            ident,
            seq_no,
            data,
        }) = &req.body
        else {
            panic!()
        };
        let header = Ipv4Repr {
            src: DST,
            dst: Ipv4Addr::new(10, 0, 1, 10),
            protocol: IpProtocol::Icmp,
            ttl,
            tos: 0,
            ident: 9,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        Ipv4Packet::new(
            header,
            IpBody::Icmp(IcmpRepr::EchoReply {
                ident: *ident,
                seq_no: *seq_no,
                data: data.clone(),
            }),
        )
    }

    #[test]
    fn prints_like_iputils_ping() {
        let mut p = ping(2);
        let mut io = AppIo::default();
        assert_eq!(p.poll_at(), Some(ms(1000)));
        p.on_timer(ms(1000), &mut io);
        let req1 = io.send.pop().unwrap();
        assert!(p.on_packet(ms(1004), &reply_to(&req1, 63), &mut io));
        p.on_timer(ms(2000), &mut io);
        let req2 = io.send.pop().unwrap();
        assert!(p.on_packet(ms(2006), &reply_to(&req2, 63), &mut io));
        assert_eq!(p.poll_at(), Some(ms(2006)), "all answered: finish now");
        p.on_timer(ms(2006), &mut io);
        assert_eq!(
            io.lines,
            [
                "PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.",
                "64 bytes from 10.0.2.10: icmp_seq=1 ttl=63 time=4.000 ms",
                "64 bytes from 10.0.2.10: icmp_seq=2 ttl=63 time=6.000 ms",
                "--- 10.0.2.10 ping statistics ---",
                "2 packets transmitted, 2 received, 0% packet loss, time 1006ms",
                "rtt min/avg/max/mdev = 4.000/5.000/6.000/1.000 ms",
            ]
        );
        assert_eq!(p.poll_at(), None);
    }

    #[test]
    fn unanswered_requests_are_reported_and_counted_as_loss() {
        let mut p = ping(3);
        let mut io = AppIo::default();
        while let Some(t) = p.poll_at() {
            p.on_timer(t, &mut io);
        }
        assert_eq!(io.send.len(), 3);
        let tail: Vec<&str> = io.lines.iter().map(String::as_str).skip(1).collect();
        assert_eq!(
            tail,
            [
                "no answer yet for icmp_seq=1",
                "no answer yet for icmp_seq=2",
                "no answer yet for icmp_seq=3",
                "--- 10.0.2.10 ping statistics ---",
                "3 packets transmitted, 0 received, 100% packet loss, time 2000ms",
            ]
        );
    }

    #[test]
    fn the_request_data_is_56_bytes_with_the_send_time_first() {
        let mut p = ping(1);
        let mut io = AppIo::default();
        p.on_timer(ms(1000), &mut io);
        let IpBody::Icmp(IcmpRepr::EchoRequest { data, .. }) = &io.send[0].body else {
            panic!()
        };
        assert_eq!(data.len(), 56);
        assert_eq!(&data[..8], &1_000_000_000u64.to_be_bytes());
        assert_eq!(data[8], 8);
        assert_eq!(data[55], 55);
    }
}
