//! Links: full-duplex cables between two interfaces, their queues and the
//! impairments of each direction, and the timeline's `SetLink` change.
//!
//! Where each parameter applies (the link model in `protocols` implements it):
//! a frame is queued at the egress of its direction (`queue`), serialized at
//! `rate`, then travels for `delay` plus that direction's `jitter`. Loss, drop
//! rules, duplication, corruption and reordering are decided per frame at egress,
//! per direction.

use serde::{Deserialize, Serialize};
use sim_core::{DataRate, SimDuration, SimTime};

use crate::values::{Endpoint, QueueLimit};

/// A full-duplex point-to-point link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Unique among links; timeline actions and `--set links.<name>…` use it.
    /// Default `"<nodeA>-<nodeB>"` from the endpoint node names, filled in by
    /// loading (so after loading it is never empty).
    #[serde(default)]
    pub name: String,
    /// Required. One end: `"node:interface"`; for a switch `"sw1"` (the next free
    /// port `p0`, `p1`, … in link order) or `"sw1:p3"`. After loading every
    /// endpoint names its port.
    pub a: Endpoint,
    /// Required. The other end, written like `a`.
    pub b: Endpoint,
    /// Bit rate of each direction. Default `"100Mbps"`.
    #[serde(default = "default_rate")]
    pub rate: DataRate,
    /// Propagation delay of each direction. Default `"1ms"`.
    #[serde(default = "default_delay")]
    pub delay: SimDuration,
    /// Largest IP packet the link carries (the IP MTU, Ethernet header not
    /// counted); at least 68 (RFC 791). Default `1500`.
    #[serde(default = "default_mtu")]
    pub mtu: u32,
    /// Egress queue of each direction. Default `DropTail(limit: "100p")`.
    #[serde(default)]
    pub queue: Queue,
    /// Impairments of the a→b direction. Default: none.
    #[serde(default)]
    pub a_to_b: Direction,
    /// Impairments of the b→a direction. Default: none.
    #[serde(default)]
    pub b_to_a: Direction,
}

/// The default link rate, `100Mbps`.
pub const DEFAULT_RATE: DataRate = DataRate::from_bps(100_000_000);
/// The default propagation delay, `1ms`.
pub const DEFAULT_DELAY: SimDuration = SimDuration::from_millis(1);
/// The default IP MTU, `1500` (Ethernet).
pub const DEFAULT_MTU: u32 = 1500;
/// The smallest MTU an IPv4 link may have (RFC 791: every module must forward a
/// 68-byte datagram without fragmenting it).
pub const MIN_MTU: u32 = 68;

fn default_rate() -> DataRate {
    DEFAULT_RATE
}
fn default_delay() -> SimDuration {
    DEFAULT_DELAY
}
fn default_mtu() -> u32 {
    DEFAULT_MTU
}

impl Link {
    /// A link between `a` and `b` with every parameter at its default and the
    /// name derived from the endpoints.
    pub fn new(a: Endpoint, b: Endpoint) -> Self {
        Link {
            name: derived_link_name(&a, &b),
            a,
            b,
            rate: DEFAULT_RATE,
            delay: DEFAULT_DELAY,
            mtu: DEFAULT_MTU,
            queue: Queue::default(),
            a_to_b: Direction::default(),
            b_to_a: Direction::default(),
        }
    }
    /// The impairments of one direction.
    pub fn direction(&self, dir: LinkDirection) -> &Direction {
        match dir {
            LinkDirection::AtoB => &self.a_to_b,
            LinkDirection::BtoA => &self.b_to_a,
        }
    }
    /// The egress queue of one direction: its override, or the link's.
    pub fn queue_of(&self, dir: LinkDirection) -> &Queue {
        self.direction(dir).queue.as_ref().unwrap_or(&self.queue)
    }
}

/// The name a link gets when it has none: `"<nodeA>-<nodeB>"`.
pub fn derived_link_name(a: &Endpoint, b: &Endpoint) -> String {
    format!("{}-{}", a.node, b.node)
}

/// One direction of a link.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(deny_unknown_fields)]
pub enum LinkDirection {
    /// From endpoint `a` to endpoint `b`.
    AtoB,
    /// From endpoint `b` to endpoint `a`.
    BtoA,
}

/// An egress queue discipline.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Queue {
    /// First in, first out; a frame that does not fit is dropped on arrival.
    DropTail {
        /// Capacity: `"100p"` packets or bytes like `"64KiB"`. Default `"100p"`.
        #[serde(default = "default_queue_limit")]
        limit: QueueLimit,
    },
    /// Random Early Detection (Floyd & Jacobson 1993; RFC 2309): arrivals are
    /// dropped (or ECN-marked) with a probability that grows with the average
    /// queue between `min_th` and `max_th`.
    Red {
        /// Capacity. Default `"100p"`.
        #[serde(default = "default_queue_limit")]
        limit: QueueLimit,
        /// Lower threshold of the average queue, packets. Default `5`.
        #[serde(default = "default_min_th")]
        min_th: f64,
        /// Upper threshold, packets. Default `15`.
        #[serde(default = "default_max_th")]
        max_th: f64,
        /// Drop probability at `max_th`. Default `0.1`.
        #[serde(default = "default_max_p")]
        max_p: f64,
        /// Averaging weight. Default `0.002`.
        #[serde(default = "default_w_q")]
        w_q: f64,
        /// Gentle RED (probability rises to 1 at twice `max_th`). Default `true`.
        #[serde(default = "crate::schema::default_true")]
        gentle: bool,
        /// Mark ECN-capable packets instead of dropping them. Default `false`.
        #[serde(default)]
        ecn: bool,
    },
    /// Controlled Delay (RFC 8289): packets that waited longer than `target` for
    /// a whole `interval` are dropped (or marked) at the head, ever faster.
    CoDel {
        /// Capacity. Default `"1000p"`.
        #[serde(default = "default_codel_limit")]
        limit: QueueLimit,
        /// Acceptable standing delay. Default `"5ms"`.
        #[serde(default = "default_codel_target")]
        target: SimDuration,
        /// Observation window. Default `"100ms"`.
        #[serde(default = "default_codel_interval")]
        interval: SimDuration,
        /// Mark ECN-capable packets instead of dropping them. Default `false`.
        #[serde(default)]
        ecn: bool,
    },
}

impl Queue {
    /// The capacity.
    pub fn limit(&self) -> QueueLimit {
        match self {
            Queue::DropTail { limit } | Queue::Red { limit, .. } | Queue::CoDel { limit, .. } => {
                *limit
            }
        }
    }
}

fn default_min_th() -> f64 {
    5.0
}
fn default_max_th() -> f64 {
    15.0
}
fn default_max_p() -> f64 {
    0.1
}
fn default_w_q() -> f64 {
    0.002
}
fn default_codel_limit() -> QueueLimit {
    QueueLimit::Packets(1000)
}
fn default_codel_target() -> SimDuration {
    SimDuration::from_millis(5)
}
fn default_codel_interval() -> SimDuration {
    SimDuration::from_millis(100)
}

impl Default for Queue {
    fn default() -> Self {
        Queue::DropTail {
            limit: default_queue_limit(),
        }
    }
}

fn default_queue_limit() -> QueueLimit {
    QueueLimit::Packets(100)
}

/// Impairments of one link direction. Probabilities are per frame, in `[0, 1]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    /// Random loss. Default `None`.
    #[serde(default)]
    pub loss: Loss,
    /// Deterministic drop rules, for teaching: a frame matching any rule is
    /// dropped. Default `[]`.
    #[serde(default)]
    pub drop: Vec<DropRule>,
    /// Extra delay drawn uniformly from `[0, jitter]` per frame; frames keep
    /// their order unless `reorder` says otherwise. Default `"0ns"`.
    #[serde(default)]
    pub jitter: SimDuration,
    /// Probability that a frame is delivered twice. Default `0.0`.
    #[serde(default)]
    pub duplicate: f64,
    /// Probability that one bit of a frame is flipped (the receiver's checksum
    /// check then drops it). Default `0.0`.
    #[serde(default)]
    pub corrupt: f64,
    /// Probability that a frame is held back and delivered after the next one.
    /// Default `0.0`.
    #[serde(default)]
    pub reorder: f64,
    /// This direction's egress queue, overriding the link's `queue`.
    /// Default `None` (the link's).
    #[serde(default)]
    pub queue: Option<Queue>,
}

/// A random loss model.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Loss {
    /// No random loss.
    #[default]
    None,
    /// Each frame is lost independently with probability `p`.
    Bernoulli {
        /// Required. Loss probability.
        p: f64,
    },
    /// Two-state Markov loss (Gilbert–Elliott): bursts of loss in the bad state.
    /// The state changes before each frame; the frame is then lost with the
    /// current state's probability.
    GilbertElliott {
        /// Required. Probability of moving from the good to the bad state.
        p_good_to_bad: f64,
        /// Required. Probability of moving from the bad to the good state.
        p_bad_to_good: f64,
        /// Loss probability in the good state. Default `0.0`.
        #[serde(default)]
        loss_good: f64,
        /// Loss probability in the bad state. Default `1.0`.
        #[serde(default = "one")]
        loss_bad: f64,
    },
}

fn one() -> f64 {
    1.0
}

impl Loss {
    /// The model's probabilities with their field names, for validation.
    pub fn probabilities(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Loss::None => vec![],
            Loss::Bernoulli { p } => vec![("p", p)],
            Loss::GilbertElliott {
                p_good_to_bad,
                p_bad_to_good,
                loss_good,
                loss_bad,
            } => vec![
                ("p_good_to_bad", p_good_to_bad),
                ("p_bad_to_good", p_bad_to_good),
                ("loss_good", loss_good),
                ("loss_bad", loss_bad),
            ],
        }
    }
}

/// A deterministic drop rule.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum DropRule {
    /// Drop the n-th frame of this direction, counting from 1.
    Nth(u64),
    /// Drop the first frame carrying a TCP segment with this sequence number.
    TcpSeq(u32),
    /// Drop the first ICMP echo request or reply with this sequence number.
    IcmpSeq(u16),
    /// Drop every frame that enters the direction in `[from, to)`.
    During {
        /// Required. Start of the window.
        from: SimTime,
        /// Required. End of the window (exclusive).
        to: SimTime,
    },
}

/// A change of link parameters at a point of the timeline. Each field left `None`
/// keeps its current value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SetLink {
    /// Required. The link's name.
    pub link: String,
    /// Which direction changes. Default `None`: both.
    #[serde(default)]
    pub direction: Option<LinkDirection>,
    /// New bit rate. Default `None`.
    #[serde(default)]
    pub rate: Option<DataRate>,
    /// New propagation delay. Default `None`.
    #[serde(default)]
    pub delay: Option<SimDuration>,
    /// New IP MTU. Default `None`.
    #[serde(default)]
    pub mtu: Option<u32>,
    /// New loss model (`Some(None)` removes loss). Default `None`.
    #[serde(default)]
    pub loss: Option<Loss>,
    /// New drop rules, replacing the old ones (`[]` removes them). Default `None`.
    #[serde(default)]
    pub drop: Option<Vec<DropRule>>,
    /// New jitter. Default `None`.
    #[serde(default)]
    pub jitter: Option<SimDuration>,
    /// New duplication probability. Default `None`.
    #[serde(default)]
    pub duplicate: Option<f64>,
    /// New corruption probability. Default `None`.
    #[serde(default)]
    pub corrupt: Option<f64>,
    /// New reordering probability. Default `None`.
    #[serde(default)]
    pub reorder: Option<f64>,
    /// New egress queue (frames already queued beyond a smaller limit are
    /// dropped). Default `None`.
    #[serde(default)]
    pub queue: Option<Queue>,
}

impl SetLink {
    /// Whether the action changes anything at all.
    pub fn changes_something(&self) -> bool {
        self.rate.is_some()
            || self.delay.is_some()
            || self.mtu.is_some()
            || self.loss.is_some()
            || self.drop.is_some()
            || self.jitter.is_some()
            || self.duplicate.is_some()
            || self.corrupt.is_some()
            || self.reorder.is_some()
            || self.queue.is_some()
    }
}
