//! The ARP cache and resolver (RFC 826), sans-IO.
//!
//! - Entries learned from any ARP packet whose target is us (RFC 826 "merge"
//!   rule), or refreshed when the sender is already known; they expire after
//!   `timeout`.
//! - A packet to an unresolved next hop waits in a bounded per-address queue
//!   while requests go out every `retry_interval`, `1 + retries` requests in
//!   all. When they all go unanswered the waiting packets are handed back as
//!   failed (the caller sends ICMP host unreachable).
//!
//! Simplification: no separate STALE/PROBE states as in Linux's neighbour
//! table; an entry is valid until it expires and is then re-resolved.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use crate::packet::Ipv4Packet;
use crate::topology::IfaceId;
use crate::wire::MacAddr;

/// ARP tunables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpConfig {
    /// How long a learned entry stays valid.
    pub timeout: SimDuration,
    /// Extra requests after the first before giving up.
    pub retries: u32,
    /// Time between requests.
    pub retry_interval: SimDuration,
    /// Packets that may wait for one address.
    pub queue: usize,
    /// Whether interfaces announce themselves with a gratuitous ARP at start.
    pub gratuitous: bool,
}

impl Default for ArpConfig {
    /// 60 s entries, 3 retries 1 s apart, 16 waiting packets, no announcements.
    fn default() -> Self {
        ArpConfig {
            timeout: SimDuration::from_secs(60),
            retries: 3,
            retry_interval: SimDuration::from_secs(1),
            queue: 16,
            gratuitous: false,
        }
    }
}

/// A packet waiting for resolution, with the interface it arrived on if it is
/// being forwarded (so that an ICMP error can be addressed correctly).
#[derive(Clone, Debug)]
pub struct Waiting {
    /// The datagram.
    pub packet: Ipv4Packet,
    /// Arrival interface for forwarded packets, `None` for local ones.
    pub from: Option<IfaceId>,
}

struct Pending {
    iface: IfaceId,
    attempts: u32,
    next_retry: SimTime,
    queue: VecDeque<Waiting>,
}

/// What the resolver asks its caller to do.
#[derive(Debug)]
pub enum ArpAction {
    /// Broadcast a request for `ip` on `iface` (attempt number from 1).
    Request {
        /// Interface.
        iface: IfaceId,
        /// The address asked for.
        ip: Ipv4Addr,
        /// 1, 2, ...
        attempt: u32,
    },
    /// Resolution of `ip` failed; these packets are dropped.
    Failed {
        /// Interface.
        iface: IfaceId,
        /// The address.
        ip: Ipv4Addr,
        /// The packets that were waiting.
        waiting: Vec<Waiting>,
    },
    /// An entry aged out.
    Expired {
        /// Interface.
        iface: IfaceId,
        /// The address.
        ip: Ipv4Addr,
    },
}

/// Result of queueing a packet for an address not in the cache.
#[derive(Debug)]
pub enum Lookup {
    /// The packet waits. `request` is set when a request must go out now.
    Queued {
        /// The first request to send, if this is the first packet waiting.
        request: Option<ArpAction>,
    },
    /// The waiting queue is full: the packet is handed back.
    QueueFull(Waiting),
}

/// The ARP cache of one node.
pub struct ArpCache {
    config: ArpConfig,
    entries: BTreeMap<Ipv4Addr, (IfaceId, MacAddr, SimTime)>,
    /// The expiry time of every entry, so that the next one is found without
    /// a scan (a router may know thousands of hosts).
    expiries: BTreeSet<(SimTime, Ipv4Addr)>,
    pending: BTreeMap<Ipv4Addr, Pending>,
}

impl ArpCache {
    /// An empty cache.
    pub fn new(config: ArpConfig) -> ArpCache {
        ArpCache {
            config,
            entries: BTreeMap::new(),
            expiries: BTreeSet::new(),
            pending: BTreeMap::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ArpConfig {
        &self.config
    }

    /// The MAC of `ip` if cached and fresh.
    pub fn get(&self, now: SimTime, ip: Ipv4Addr) -> Option<MacAddr> {
        self.entries
            .get(&ip)
            .filter(|(_, _, expires)| now < *expires)
            .map(|(_, mac, _)| *mac)
    }

    /// Queues `waiting` until `ip` (not in the cache: check [`ArpCache::get`]
    /// first) is resolved on `iface`.
    pub fn resolve(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        ip: Ipv4Addr,
        waiting: Waiting,
    ) -> Lookup {
        if let Some(p) = self.pending.get_mut(&ip) {
            if p.queue.len() >= self.config.queue {
                return Lookup::QueueFull(waiting);
            }
            p.queue.push_back(waiting);
            return Lookup::Queued { request: None };
        }
        let mut queue = VecDeque::new();
        queue.push_back(waiting);
        self.pending.insert(
            ip,
            Pending {
                iface,
                attempts: 1,
                next_retry: now + self.config.retry_interval,
                queue,
            },
        );
        Lookup::Queued {
            request: Some(ArpAction::Request {
                iface,
                ip,
                attempt: 1,
            }),
        }
    }

    /// Records `ip` is-at `mac` (learned on `iface`). Returns the packets that
    /// were waiting for it, now ready to send.
    pub fn learn(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        ip: Ipv4Addr,
        mac: MacAddr,
    ) -> Vec<Waiting> {
        let expires = now + self.config.timeout;
        if let Some((_, _, old)) = self.entries.insert(ip, (iface, mac, expires)) {
            self.expiries.remove(&(old, ip));
        }
        self.expiries.insert((expires, ip));
        self.pending
            .remove(&ip)
            .map(|p| p.queue.into_iter().collect())
            .unwrap_or_default()
    }

    /// Whether `ip` is in the cache (fresh or not) or being resolved: RFC 826
    /// updates such an entry from any packet that names it as sender.
    pub fn knows(&self, ip: Ipv4Addr) -> bool {
        self.entries.contains_key(&ip) || self.pending.contains_key(&ip)
    }

    /// When the cache next needs [`ArpCache::on_timer`].
    pub fn poll_at(&self) -> Option<SimTime> {
        let retry = self.pending.values().map(|p| p.next_retry).min();
        let expiry = self.expiries.first().map(|(t, _)| *t);
        match (retry, expiry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Retries, failures and expiries due at `now`.
    pub fn on_timer(&mut self, now: SimTime) -> Vec<ArpAction> {
        let mut actions = Vec::new();
        let mut expired = Vec::new();
        while let Some(&(t, ip)) = self.expiries.first() {
            if t > now {
                break;
            }
            self.expiries.pop_first();
            expired.push(ip);
        }
        // In address order, as the entries are kept.
        expired.sort_unstable();
        for ip in expired {
            let (iface, _, _) = self.entries.remove(&ip).expect("listed");
            actions.push(ArpAction::Expired { iface, ip });
        }
        let due: Vec<Ipv4Addr> = self
            .pending
            .iter()
            .filter(|(_, p)| p.next_retry <= now)
            .map(|(ip, _)| *ip)
            .collect();
        for ip in due {
            let p = self.pending.get_mut(&ip).expect("listed");
            if p.attempts > self.config.retries {
                let p = self.pending.remove(&ip).expect("listed");
                actions.push(ArpAction::Failed {
                    iface: p.iface,
                    ip,
                    waiting: p.queue.into(),
                });
            } else {
                p.attempts += 1;
                p.next_retry = now + self.config.retry_interval;
                actions.push(ArpAction::Request {
                    iface: p.iface,
                    ip,
                    attempt: p.attempts,
                });
            }
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::IpBody;
    use crate::wire::{IpProtocol, Ipv4Repr};

    const IF0: IfaceId = IfaceId(0);
    const GW: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

    fn s(secs: u64) -> SimTime {
        SimTime::from_nanos(secs * 1_000_000_000)
    }

    fn waiting(ident: u16) -> Waiting {
        let header = Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 0, 2),
            dst: Ipv4Addr::new(10, 9, 9, 9),
            protocol: IpProtocol::Unknown(253),
            ttl: 64,
            tos: 0,
            ident,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        Waiting {
            packet: Ipv4Packet::new(header, IpBody::Raw(bytes::Bytes::new())),
            from: None,
        }
    }

    #[test]
    fn first_packet_triggers_one_request_and_later_ones_wait() {
        let mut c = ArpCache::new(ArpConfig::default());
        let first = c.resolve(s(0), IF0, GW, waiting(1));
        assert!(matches!(
            first,
            Lookup::Queued {
                request: Some(ArpAction::Request { attempt: 1, .. })
            }
        ));
        let second = c.resolve(s(0), IF0, GW, waiting(2));
        assert!(matches!(second, Lookup::Queued { request: None }));
        let released = c.learn(s(0), IF0, GW, MacAddr::local(9));
        assert_eq!(
            released
                .iter()
                .map(|w| w.packet.header.ident)
                .collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(c.get(s(1), GW), Some(MacAddr::local(9)));
    }

    #[test]
    fn unanswered_requests_retry_then_fail_with_the_waiting_packets() {
        let mut c = ArpCache::new(ArpConfig::default()); // 3 retries, 1 s apart
        let _ = c.resolve(s(0), IF0, GW, waiting(1));
        let mut attempts = vec![1];
        let mut failed = None;
        while let Some(t) = c.poll_at() {
            for a in c.on_timer(t) {
                match a {
                    ArpAction::Request { attempt, .. } => attempts.push(attempt),
                    ArpAction::Failed { waiting, .. } => failed = Some((t, waiting.len())),
                    ArpAction::Expired { .. } => unreachable!(),
                }
            }
        }
        assert_eq!(attempts, [1, 2, 3, 4], "four requests in all");
        assert_eq!(
            failed,
            Some((s(4), 1)),
            "gives up one interval after the last request"
        );
    }

    #[test]
    fn the_waiting_queue_is_bounded() {
        let mut c = ArpCache::new(ArpConfig {
            queue: 2,
            ..ArpConfig::default()
        });
        let _ = c.resolve(s(0), IF0, GW, waiting(1));
        let _ = c.resolve(s(0), IF0, GW, waiting(2));
        assert!(
            matches!(c.resolve(s(0), IF0, GW, waiting(3)), Lookup::QueueFull(w) if w.packet.header.ident == 3)
        );
    }

    #[test]
    fn entries_expire_after_the_timeout() {
        let mut c = ArpCache::new(ArpConfig::default());
        c.learn(s(0), IF0, GW, MacAddr::local(9));
        assert_eq!(c.get(s(59), GW), Some(MacAddr::local(9)));
        assert_eq!(c.poll_at(), Some(s(60)));
        assert!(matches!(
            c.on_timer(s(60))[..],
            [ArpAction::Expired { ip: GW, .. }]
        ));
        assert_eq!(c.get(s(60), GW), None);
        assert!(!c.knows(GW));
    }
}
