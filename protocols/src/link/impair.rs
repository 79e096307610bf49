//! Per-direction impairments: what happens to a frame on the wire.
//!
//! Impairments apply at the egress side of a direction, after the frame has
//! been serialized: a frame lost on the link appears in the sender's capture
//! but never in the receiver's, as on a real lossy medium. Order of
//! application (documented and tested): drop rules, loss model, corruption,
//! then delay (propagation + jitter, or the reordering hold-back), then
//! duplication.

use rand::Rng;
use sim_core::{SimDuration, SimTime, StreamRng};

use crate::packet::{Frame, FrameBody, IpBody};
use crate::trace::DropReason;
use crate::wire::IcmpRepr;

/// A random loss process.
#[derive(Clone, Debug, PartialEq)]
pub enum LossModel {
    /// Independent loss with probability `p` per frame.
    Bernoulli {
        /// Loss probability, 0 to 1.
        p: f64,
    },
    /// Two-state Markov channel (Gilbert–Elliott): in each state a frame is
    /// lost with that state's probability; before each frame the channel moves
    /// good→bad with `p_good_to_bad` and bad→good with `p_bad_to_good`.
    GilbertElliott {
        /// Transition probability from the good to the bad state.
        p_good_to_bad: f64,
        /// Transition probability from the bad to the good state.
        p_bad_to_good: f64,
        /// Loss probability in the good state.
        loss_good: f64,
        /// Loss probability in the bad state.
        loss_bad: f64,
    },
}

/// A deterministic drop rule, for teaching ("drop the 3rd frame from r1 to h2").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropRule {
    /// The n-th frame transmitted in this direction (1-based).
    Nth(u64),
    /// The first frame carrying a TCP segment with this sequence number
    /// (a whole segment: fragments and corrupted frames never match).
    TcpSeq(u32),
    /// The first frame carrying an ICMP echo request or reply with this sequence number.
    IcmpSeq(u16),
    /// Every frame transmitted in `[from, to)`.
    During {
        /// Start of the window.
        from: SimTime,
        /// End of the window (exclusive).
        to: SimTime,
    },
}

impl std::fmt::Display for DropRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DropRule::Nth(n) => write!(f, "Nth({n})"),
            DropRule::TcpSeq(s) => write!(f, "TcpSeq({s})"),
            DropRule::IcmpSeq(s) => write!(f, "IcmpSeq({s})"),
            DropRule::During { from, to } => write!(f, "During({from}s..{to}s)"),
        }
    }
}

/// Everything that can happen to frames in one direction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Impairments {
    /// Random loss, if any.
    pub loss: Option<LossModel>,
    /// Deterministic drop rules, checked in order.
    pub rules: Vec<DropRule>,
    /// Extra delay drawn uniformly from `[0, jitter]` per frame. Order is kept:
    /// a frame never overtakes the one before it (use `reorder` for that).
    pub jitter: SimDuration,
    /// Probability that a frame arrives twice.
    pub duplicate: f64,
    /// Probability that one bit of the frame is flipped (the receiver's FCS check drops it).
    pub corrupt: f64,
    /// Probability that a frame is held back by one extra propagation delay, so
    /// that later frames overtake it.
    pub reorder: f64,
}

/// What the wire does with one transmitted frame.
#[derive(Debug)]
pub enum Fate {
    /// The frame is lost on the wire.
    Lost {
        /// The frame.
        frame: Frame,
        /// Why.
        reason: DropReason,
    },
    /// The frame arrives at these times (twice if duplicated).
    Deliver(Vec<(SimTime, Frame)>),
}

/// The mutable state of a direction's impairments.
pub struct Channel {
    /// The configuration.
    pub impair: Impairments,
    rng: StreamRng,
    frames_seen: u64,
    fired: Vec<bool>,
    bad_state: bool,
    last_arrival: SimTime,
}

impl Channel {
    /// A channel drawing from `rng`.
    pub fn new(impair: Impairments, rng: StreamRng) -> Channel {
        let fired = vec![false; impair.rules.len()];
        Channel {
            impair,
            rng,
            frames_seen: 0,
            fired,
            bad_state: false,
            last_arrival: SimTime::ZERO,
        }
    }

    /// Replaces the impairments (a timeline action); rule counters restart.
    pub fn set(&mut self, impair: Impairments) {
        self.fired = vec![false; impair.rules.len()];
        self.impair = impair;
    }

    fn bernoulli(&mut self, p: f64) -> bool {
        // Draw even for p == 0 would shift streams between configurations; skip it.
        p > 0.0 && self.rng.random::<f64>() < p
    }

    /// Decides the fate of `frame`, fully transmitted at `now`, on a wire with
    /// propagation delay `delay`.
    pub fn transmit(&mut self, now: SimTime, frame: Frame, delay: SimDuration) -> Fate {
        self.frames_seen += 1;
        if let Some(rule) = self.matching_rule(now, &frame) {
            return Fate::Lost {
                frame,
                reason: DropReason::DropRule(rule.to_string()),
            };
        }
        if let Some(reason) = self.random_loss() {
            return Fate::Lost { frame, reason };
        }
        let frame = if self.bernoulli(self.impair.corrupt) {
            self.corrupt(frame)
        } else {
            frame
        };
        let jitter = self.impair.jitter.as_nanos();
        let extra = if jitter > 0 {
            SimDuration::from_nanos(self.rng.random_range(0..=jitter))
        } else {
            SimDuration::ZERO
        };
        let mut at = now + delay + extra;
        if self.bernoulli(self.impair.reorder) {
            at += delay.max(SimDuration::from_nanos(1));
        } else {
            at = at.max(self.last_arrival);
            self.last_arrival = at;
        }
        let mut out = Vec::with_capacity(1);
        if self.bernoulli(self.impair.duplicate) {
            out.push((at, frame.clone()));
        }
        out.push((at, frame));
        Fate::Deliver(out)
    }

    fn matching_rule(&mut self, now: SimTime, frame: &Frame) -> Option<DropRule> {
        for (i, rule) in self.impair.rules.iter().enumerate() {
            let hit = match rule {
                DropRule::Nth(n) => self.frames_seen == *n,
                DropRule::During { from, to } => *from <= now && now < *to,
                DropRule::IcmpSeq(seq) => !self.fired[i] && icmp_seq(frame) == Some(*seq),
                DropRule::TcpSeq(seq) => !self.fired[i] && tcp_seq(frame) == Some(*seq),
            };
            if hit {
                self.fired[i] = true;
                return Some(rule.clone());
            }
        }
        None
    }

    fn random_loss(&mut self) -> Option<DropReason> {
        match self.impair.loss.clone()? {
            LossModel::Bernoulli { p } => self.bernoulli(p).then_some(DropReason::RandomLoss),
            LossModel::GilbertElliott {
                p_good_to_bad,
                p_bad_to_good,
                loss_good,
                loss_bad,
            } => {
                let flip = if self.bad_state {
                    p_bad_to_good
                } else {
                    p_good_to_bad
                };
                if self.bernoulli(flip) {
                    self.bad_state = !self.bad_state;
                }
                let p = if self.bad_state { loss_bad } else { loss_good };
                let bad_state = self.bad_state;
                self.bernoulli(p)
                    .then_some(DropReason::BurstLoss { bad_state })
            }
        }
    }

    /// Flips one bit of the frame's bytes; the FCS of the original goes along.
    fn corrupt(&mut self, frame: Frame) -> Frame {
        let mut bytes = frame.to_bytes();
        let fcs = Frame::fcs(&bytes);
        let bit = self.rng.random_range(0..bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        Frame {
            eth: frame.eth,
            body: FrameBody::Corrupted {
                bytes: bytes.into(),
                fcs,
            },
        }
    }
}

fn icmp_seq(frame: &Frame) -> Option<u16> {
    match &frame.ipv4()?.body {
        IpBody::Icmp(IcmpRepr::EchoRequest { seq_no, .. } | IcmpRepr::EchoReply { seq_no, .. }) => {
            Some(*seq_no)
        }
        _ => None,
    }
}

fn tcp_seq(frame: &Frame) -> Option<u32> {
    match &frame.ipv4()?.body {
        IpBody::Tcp { header, .. } => Some(header.seq.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::FrameBody;
    use crate::wire::{EtherType, EthernetRepr, MacAddr};
    use sim_core::RngStreams;

    fn frame() -> Frame {
        Frame {
            eth: EthernetRepr {
                src: MacAddr::local(1),
                dst: MacAddr::local(2),
                ethertype: EtherType::Unknown(0x88b5),
            },
            body: FrameBody::Raw(bytes::Bytes::from(vec![0u8; 100])),
        }
    }

    fn channel(impair: Impairments) -> Channel {
        Channel::new(impair, RngStreams::new(1, 0).stream("test"))
    }

    const MS: SimDuration = SimDuration::from_millis(1);

    fn arrivals(c: &mut Channel, n: u64) -> Vec<Option<SimTime>> {
        (0..n)
            .map(
                |i| match c.transmit(SimTime::from_nanos(i * 1000), frame(), MS) {
                    Fate::Lost { .. } => None,
                    Fate::Deliver(v) => Some(v[0].0),
                },
            )
            .collect()
    }

    #[test]
    fn nth_rule_drops_exactly_the_nth_frame() {
        let mut c = channel(Impairments {
            rules: vec![DropRule::Nth(3)],
            ..Default::default()
        });
        let got = arrivals(&mut c, 5);
        assert_eq!(
            got.iter().map(Option::is_some).collect::<Vec<_>>(),
            [true, true, false, true, true]
        );
    }

    fn tcp_frame(seq: u32) -> Frame {
        use crate::packet::Ipv4Packet;
        use crate::wire::{IpProtocol, Ipv4Repr, TcpFlags, TcpRepr, TcpSeq};
        let header = Ipv4Repr {
            src: std::net::Ipv4Addr::new(10, 0, 0, 1),
            dst: std::net::Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::Tcp,
            ttl: 64,
            tos: 0,
            ident: 1,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        let segment = TcpRepr {
            src_port: 5000,
            dst_port: 80,
            seq: TcpSeq(seq),
            ack: Some(TcpSeq(1)),
            flags: TcpFlags::PSH,
            window: 1000,
            ..TcpRepr::default()
        };
        Frame {
            eth: EthernetRepr {
                src: MacAddr::local(1),
                dst: MacAddr::local(2),
                ethertype: EtherType::Ipv4,
            },
            body: FrameBody::Ipv4(Ipv4Packet::new(
                header,
                IpBody::Tcp {
                    header: Box::new(segment),
                    payload: bytes::Bytes::from_static(&[0; 100]),
                },
            )),
        }
    }

    #[test]
    fn tcp_seq_rule_drops_only_the_first_segment_with_that_seq() {
        let mut c = channel(Impairments {
            rules: vec![DropRule::TcpSeq(1101)],
            ..Default::default()
        });
        let frames = [
            frame(),
            tcp_frame(1),
            tcp_frame(1101),
            tcp_frame(2101),
            tcp_frame(1101),
        ];
        let lost: Vec<bool> = frames
            .into_iter()
            .enumerate()
            .map(
                |(i, f)| match c.transmit(SimTime::from_nanos(i as u64), f, MS) {
                    Fate::Lost { reason, .. } => {
                        assert_eq!(reason, DropReason::DropRule("TcpSeq(1101)".into()));
                        true
                    }
                    Fate::Deliver(_) => false,
                },
            )
            .collect();
        // A non-TCP frame never matches; the retransmission of 1101 passes.
        assert_eq!(lost, [false, false, true, false, false]);
    }

    #[test]
    fn clean_channel_delivers_after_the_propagation_delay() {
        let mut c = channel(Impairments::default());
        assert_eq!(
            arrivals(&mut c, 1),
            vec![Some(SimTime::from_nanos(1_000_000))]
        );
    }

    #[test]
    fn bernoulli_loss_rate_is_close_to_p() {
        let mut c = channel(Impairments {
            loss: Some(LossModel::Bernoulli { p: 0.1 }),
            ..Default::default()
        });
        let lost = arrivals(&mut c, 20_000)
            .iter()
            .filter(|a| a.is_none())
            .count();
        assert!(
            (1_800..2_200).contains(&lost),
            "lost {lost} of 20000 at p=0.1"
        );
    }

    #[test]
    fn gilbert_elliott_losses_come_in_bursts() {
        // Stationary bad-state share: 0.01 / (0.01 + 0.1) = 9.1 %; mean burst 10 frames.
        let mut c = channel(Impairments {
            loss: Some(LossModel::GilbertElliott {
                p_good_to_bad: 0.01,
                p_bad_to_good: 0.1,
                loss_good: 0.0,
                loss_bad: 1.0,
            }),
            ..Default::default()
        });
        let got = arrivals(&mut c, 50_000);
        let lost = got.iter().filter(|a| a.is_none()).count();
        let bursts = got
            .windows(2)
            .filter(|w| w[0].is_some() && w[1].is_none())
            .count();
        let mean_burst = lost as f64 / bursts as f64;
        assert!((3_500..5_600).contains(&lost), "lost {lost}");
        assert!((7.0..13.0).contains(&mean_burst), "mean burst {mean_burst}");
    }

    #[test]
    fn jitter_never_reorders() {
        let mut c = channel(Impairments {
            jitter: SimDuration::from_millis(5),
            ..Default::default()
        });
        let got: Vec<SimTime> = arrivals(&mut c, 1000).into_iter().flatten().collect();
        assert!(got.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            got.iter().any(|t| t.as_nanos() > 2_000_000),
            "jitter adds delay"
        );
    }

    #[test]
    fn reorder_lets_later_frames_overtake() {
        let mut c = channel(Impairments {
            reorder: 0.2,
            ..Default::default()
        });
        let got: Vec<SimTime> = arrivals(&mut c, 200).into_iter().flatten().collect();
        assert!(got.windows(2).any(|w| w[0] > w[1]));
    }

    #[test]
    fn duplication_delivers_twice_and_corruption_breaks_the_fcs() {
        let mut c = channel(Impairments {
            duplicate: 1.0,
            corrupt: 1.0,
            ..Default::default()
        });
        match c.transmit(SimTime::ZERO, frame(), MS) {
            Fate::Deliver(v) => {
                assert_eq!(v.len(), 2);
                let FrameBody::Corrupted { bytes, fcs } = &v[0].1.body else {
                    panic!("not corrupted")
                };
                assert_ne!(Frame::fcs(bytes), *fcs);
                assert_eq!(bytes.len(), frame().to_bytes().len());
            }
            Fate::Lost { reason, .. } => panic!("lost: {reason}"),
        }
    }
}
