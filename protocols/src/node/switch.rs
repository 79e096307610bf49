//! A learning bridge (IEEE 802.1D transparent bridging, without spanning tree).
//!
//! The switch learns the port of each source MAC address; a frame to a known
//! unicast address goes out of that port only, a broadcast or unknown
//! destination is flooded to every other port. Entries age out after
//! `ageing` (802.1D default 300 s). Forwarding adds no delay beyond the links'.
//! Simplification: no STP, so a scenario must not build loops of switches.

use std::collections::BTreeMap;

use sim_core::{SimDuration, SimTime};

use super::NodeOutput;
use crate::packet::{Frame, FrameBody};
use crate::topology::IfaceId;
use crate::trace::{DropReason, Dropped, Event, events};
use crate::wire::MacAddr;

/// What to do with a frame that arrived on a port.
#[derive(Debug, PartialEq, Eq)]
pub struct Decision {
    /// Ports to send a copy out of (empty: drop).
    pub out: Vec<IfaceId>,
    /// Whether the source address was newly learned (or moved port).
    pub learned: bool,
}

/// A learning switch's forwarding table.
pub struct Switch {
    ports: Vec<IfaceId>,
    table: BTreeMap<MacAddr, (IfaceId, SimTime)>,
    ageing: SimDuration,
}

impl Switch {
    /// A switch with these ports and an empty table.
    pub fn new(ports: Vec<IfaceId>, ageing: SimDuration) -> Switch {
        Switch {
            ports,
            table: BTreeMap::new(),
            ageing,
        }
    }

    /// A frame arrived on `port`: checked, learned from, and sent on out of
    /// the ports [`Switch::handle`] decides (a copy each).
    pub fn on_frame(&mut self, now: SimTime, port: IfaceId, frame: Frame, out: &mut NodeOutput) {
        if matches!(frame.body, FrameBody::Corrupted { .. }) {
            // Store-and-forward switches check the FCS too.
            out.drop(Some(port), Dropped::Frame(&frame), &DropReason::FcsError);
            return;
        }
        let decision = self.handle(now, port, frame.eth.src, frame.eth.dst);
        if decision.learned {
            let node = out.node;
            out.emit(Event::MacLearned(events::MacLearned {
                node,
                mac: frame.eth.src,
                port,
            }));
        }
        if decision.out.is_empty() {
            out.drop(Some(port), Dropped::Frame(&frame), &DropReason::SameSegment);
        }
        for p in decision.out {
            out.frames.push((p, frame.clone()));
        }
    }

    /// Learns from and decides about a frame from `src` to `dst` arriving on `port`.
    pub fn handle(&mut self, now: SimTime, port: IfaceId, src: MacAddr, dst: MacAddr) -> Decision {
        let mut learned = false;
        if !src.is_multicast() {
            let prev = self.table.insert(src, (port, now + self.ageing));
            learned = prev.is_none_or(|(p, exp)| p != port || exp <= now);
        }
        let known = (!dst.is_multicast())
            .then(|| self.table.get(&dst))
            .flatten()
            .filter(|(_, expires)| now < *expires)
            .map(|(p, _)| *p);
        let out = match known {
            Some(p) if p == port => Vec::new(),
            Some(p) => vec![p],
            None => self.ports.iter().copied().filter(|&p| p != port).collect(),
        };
        Decision { out, learned }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: [IfaceId; 3] = [IfaceId(0), IfaceId(1), IfaceId(2)];

    fn switch() -> Switch {
        Switch::new(P.to_vec(), SimDuration::from_secs(300))
    }

    #[test]
    fn floods_unknown_then_forwards_learned() {
        let mut s = switch();
        let (a, b) = (MacAddr::local(1), MacAddr::local(2));
        let d = s.handle(SimTime::ZERO, P[0], a, b);
        assert_eq!(
            d,
            Decision {
                out: vec![P[1], P[2]],
                learned: true
            }
        );
        let d = s.handle(SimTime::ZERO, P[1], b, a);
        assert_eq!(
            d,
            Decision {
                out: vec![P[0]],
                learned: true
            }
        );
        let d = s.handle(SimTime::ZERO, P[0], a, b);
        assert_eq!(
            d,
            Decision {
                out: vec![P[1]],
                learned: false
            }
        );
    }

    #[test]
    fn broadcast_always_floods() {
        let mut s = switch();
        s.handle(SimTime::ZERO, P[2], MacAddr::local(3), MacAddr::local(1));
        let d = s.handle(SimTime::ZERO, P[0], MacAddr::local(1), MacAddr::BROADCAST);
        assert_eq!(d.out, vec![P[1], P[2]]);
    }

    #[test]
    fn entries_age_out_and_same_port_frames_are_filtered() {
        let mut s = switch();
        let (a, b) = (MacAddr::local(1), MacAddr::local(2));
        s.handle(SimTime::ZERO, P[1], b, a);
        assert_eq!(
            s.handle(SimTime::ZERO, P[1], a, b).out,
            Vec::<IfaceId>::new()
        );
        let later = SimTime::from_nanos(301_000_000_000);
        assert_eq!(
            s.handle(later, P[0], a, b).out,
            vec![P[1], P[2]],
            "b aged out: flood"
        );
    }
}
