//! UDP senders (RFC 768): constant bit rate, or on/off (constant bit rate
//! during "on" periods, silent during "off" periods, like ns-3's OnOff
//! application with constant times).
//!
//! Every datagram carries, like iperf's UDP header, a 32-bit sequence number
//! (from 0) and the 64-bit send time in nanoseconds, then the bytes 12, 13,
//! 14, ... (mod 256), so a [`super::udp_sink::UdpSink`] can count loss,
//! duplicates and reordering and compute the RFC 3550 interarrival jitter.
//! Datagrams come back from an echo server are counted; ICMP errors about the
//! datagrams (port unreachable, say) are counted and the first one printed.
//!
//! The rate counts UDP payload bits (as `iperf -u -b` does): datagrams of
//! `size` bytes leave every `size × 8 / rate` seconds.

use std::net::SocketAddrV4;

use bytes::Bytes;
use sim_core::{DataRate, SimDuration, SimTime};

use super::{App, AppIo, AppStats, Outgoing, quoted_udp};
use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::{IcmpRepr, UdpRepr};

/// Bytes of the sequence number and timestamp at the start of each datagram.
pub const HEADER_BYTES: usize = 12;

/// Sender settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UdpSendConfig {
    /// Destination address and port.
    pub to: SocketAddrV4,
    /// Source port (assigned by the world builder).
    pub src_port: u16,
    /// Payload bit rate while sending.
    pub rate: DataRate,
    /// Payload bytes per datagram (at least [`HEADER_BYTES`]).
    pub size: usize,
    /// When the first datagram leaves.
    pub start: SimTime,
    /// Stop sending after this long; `None`: until the run ends.
    pub duration: Option<SimDuration>,
    /// Stop after this many datagrams; `None`: no limit.
    pub count: Option<u64>,
    /// On/off periods; `None`: always on (constant bit rate).
    pub on_off: Option<(SimDuration, SimDuration)>,
}

/// What a sender did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UdpSendStats {
    /// Datagrams sent.
    pub sent: u64,
    /// Payload bytes sent.
    pub bytes: u64,
    /// Datagrams that came back (from an echo server).
    pub echoed: u64,
    /// ICMP errors about the datagrams.
    pub errors: u64,
}

/// A constant-bit-rate or on/off UDP sender.
pub struct UdpSend {
    cfg: UdpSendConfig,
    interval: SimDuration,
    next: Option<SimTime>,
    bound: bool,
    stats: UdpSendStats,
}

impl UdpSend {
    /// A sender that starts at `cfg.start`.
    pub fn new(cfg: UdpSendConfig) -> UdpSend {
        let size = cfg.size.max(HEADER_BYTES);
        let interval = SimDuration::transmission(size as u64, cfg.rate.bps().max(1));
        UdpSend {
            next: Some(cfg.start),
            cfg: UdpSendConfig { size, ..cfg },
            interval,
            bound: false,
            stats: UdpSendStats::default(),
        }
    }

    /// The first sending time at or after `t`: inside an "on" period.
    fn sending_time(&self, t: SimTime) -> SimTime {
        let Some((on, off)) = self.cfg.on_off else {
            return t;
        };
        let cycle = on.as_nanos() + off.as_nanos();
        if cycle == 0 || on.as_nanos() == 0 {
            return t;
        }
        let since = t.saturating_since(self.cfg.start).as_nanos();
        let phase = since % cycle;
        if phase < on.as_nanos() {
            t
        } else {
            t + SimDuration::from_nanos(cycle - phase)
        }
    }

    fn payload(&self, now: SimTime) -> Bytes {
        let mut data = Vec::with_capacity(self.cfg.size);
        data.extend_from_slice(&(self.stats.sent as u32).to_be_bytes());
        data.extend_from_slice(&now.as_nanos().to_be_bytes());
        data.extend((HEADER_BYTES..self.cfg.size).map(|i| i as u8));
        data.into()
    }

    fn done(&self, t: SimTime) -> bool {
        self.cfg.count.is_some_and(|c| self.stats.sent >= c)
            || self.cfg.duration.is_some_and(|d| t >= self.cfg.start + d)
    }
}

impl App for UdpSend {
    fn name(&self) -> &'static str {
        "udp"
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.next
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        let Some(t) = self.next.filter(|&t| t <= now) else {
            return;
        };
        if !self.bound {
            self.bound = true;
            io.udp_bind.push((self.cfg.src_port, None));
            io.lines.push(format!(
                "sending {} byte datagrams to {} at {}{}",
                self.cfg.size,
                self.cfg.to,
                self.cfg.rate,
                match self.cfg.on_off {
                    Some((on, off)) => format!(" (on {on}, off {off})"),
                    None => String::new(),
                }
            ));
        }
        if self.done(t) {
            self.next = None;
            return;
        }
        io.send.push(Outgoing {
            src: None,
            dst: *self.cfg.to.ip(),
            ttl: 64,
            dont_frag: false,
            body: IpBody::Udp {
                header: UdpRepr {
                    src_port: self.cfg.src_port,
                    dst_port: self.cfg.to.port(),
                },
                payload: self.payload(now),
            },
        });
        self.stats.sent += 1;
        self.stats.bytes += self.cfg.size as u64;
        let next = self.sending_time(t + self.interval);
        self.next = (!self.done(next)).then_some(next);
    }

    fn on_packet(&mut self, _now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        match &packet.body {
            IpBody::Udp { header, .. }
                if header.dst_port == self.cfg.src_port
                    && packet.header.src == *self.cfg.to.ip()
                    && header.src_port == self.cfg.to.port() =>
            {
                self.stats.echoed += 1;
                true
            }
            IpBody::Icmp(
                IcmpRepr::DstUnreachable { original, .. } | IcmpRepr::TimeExceeded { original, .. },
            ) => {
                let Some((dst, sport, dport)) = quoted_udp(original) else {
                    return false;
                };
                if sport != self.cfg.src_port
                    || dport != self.cfg.to.port()
                    || dst != *self.cfg.to.ip()
                {
                    return false;
                }
                self.stats.errors += 1;
                if self.stats.errors == 1 {
                    io.lines.push(format!(
                        "ICMP error from {} about datagrams to {} (further errors are counted)",
                        packet.header.src, self.cfg.to
                    ));
                }
                true
            }
            _ => false,
        }
    }

    fn stats(&self) -> AppStats {
        AppStats::UdpSend(self.stats.clone())
    }
}

/// The sequence number and send time at the start of a datagram sent by [`UdpSend`].
pub fn header_of(payload: &[u8]) -> Option<(u32, SimTime)> {
    let seq = u32::from_be_bytes(payload.get(0..4)?.try_into().ok()?);
    let sent = u64::from_be_bytes(payload.get(4..12)?.try_into().ok()?);
    Some((seq, SimTime::from_nanos(sent)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn cfg() -> UdpSendConfig {
        UdpSendConfig {
            to: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 9),
            src_port: 49152,
            rate: DataRate::from_bps(80_000),
            size: 100,
            start: SimTime::from_nanos(1_000_000_000),
            duration: Some(SimDuration::from_secs(1)),
            count: None,
            on_off: None,
        }
    }

    fn run(app: &mut UdpSend) -> Vec<SimTime> {
        let mut times = Vec::new();
        while let Some(t) = app.poll_at() {
            let mut io = AppIo::default();
            app.on_timer(t, &mut io);
            times.extend(io.send.iter().map(|_| t));
        }
        times
    }

    #[test]
    fn constant_bit_rate_spaces_datagrams_by_size_over_rate() {
        // 100 bytes at 80 kbit/s: one every 10 ms, 100 in one second.
        let mut app = UdpSend::new(cfg());
        let times = run(&mut app);
        assert_eq!(times.len(), 100);
        assert_eq!(times[1].as_nanos() - times[0].as_nanos(), 10_000_000);
        let AppStats::UdpSend(s) = app.stats() else {
            panic!()
        };
        assert_eq!((s.sent, s.bytes), (100, 10_000));
    }

    #[test]
    fn on_off_sends_only_during_on_periods() {
        let mut app = UdpSend::new(UdpSendConfig {
            on_off: Some((SimDuration::from_millis(100), SimDuration::from_millis(400))),
            ..cfg()
        });
        let times = run(&mut app);
        // Two on periods of 100 ms in the second: 10 datagrams each.
        assert_eq!(times.len(), 20);
        assert_eq!(times[10].as_nanos(), 1_500_000_000);
    }

    #[test]
    fn datagrams_carry_sequence_and_send_time() {
        let mut app = UdpSend::new(cfg());
        let mut io = AppIo::default();
        app.on_timer(SimTime::from_nanos(1_000_000_000), &mut io);
        assert_eq!(io.udp_bind, [(49152, None)]);
        let IpBody::Udp { payload, header } = &io.send[0].body else {
            panic!()
        };
        assert_eq!(header.dst_port, 9);
        assert_eq!(payload.len(), 100);
        assert_eq!(
            header_of(payload),
            Some((0, SimTime::from_nanos(1_000_000_000)))
        );
        assert_eq!(payload[12], 12);
    }
}
