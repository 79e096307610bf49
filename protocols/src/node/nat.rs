//! The node glue of address translation: datagrams forwarded from an inside
//! interface out of the outside one are translated on the way out; datagrams
//! arriving on the outside interface for its address are translated back and
//! forwarded inside when a mapping takes them, and handled by the gateway
//! itself otherwise.

use sim_core::SimTime;

use super::{IpNode, NodeOutput};
use crate::nat::{Inbound, Nat, NatEvent};
use crate::packet::Ipv4Packet;
use crate::topology::IfaceId;
use crate::trace::{Event, events};

/// What to do with a datagram that arrived, after translation.
pub(super) enum NatIn {
    /// Not translated: handle it as usual.
    Pass(Ipv4Packet),
    /// Translated: forward it inside.
    Forward(Ipv4Packet),
    /// Refused by the translator.
    Drop,
}

impl IpNode {
    /// Makes the node translate addresses.
    pub fn set_nat(&mut self, nat: Nat) {
        self.svc.nat = Some(nat);
    }

    fn nat_notes(happened: Vec<NatEvent>, out: &mut NodeOutput) {
        let node = out.node;
        for event in &happened {
            out.emit(Event::Nat(events::Nat { node, event }));
        }
    }

    pub(super) fn nat_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        if let Some(nat) = &mut self.svc.nat {
            if nat.poll_at().is_some_and(|t| t <= now) {
                let events = nat.on_timer(now);
                Self::nat_notes(events, out);
            }
        }
    }

    /// Translates a datagram that arrived on `iface`, if it is for a mapping.
    pub(super) fn nat_inbound(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        packet: Ipv4Packet,
        out: &mut NodeOutput,
    ) -> NatIn {
        let Some(nat) = &self.svc.nat else {
            return NatIn::Pass(packet);
        };
        let outside = nat.config().outside;
        if iface != outside {
            return NatIn::Pass(packet);
        }
        let Some(addr) = self
            .ifaces
            .iter()
            .find(|i| i.id == outside)
            .and_then(|i| i.addr)
        else {
            return NatIn::Pass(packet);
        };
        if packet.header.dst != addr.addr || packet.header.is_fragment() {
            return NatIn::Pass(packet);
        }
        let mut events = Vec::new();
        let nat = self.svc.nat.as_mut().expect("checked");
        let verdict = match nat.inbound(now, packet, addr.addr, &mut events) {
            Inbound::NotTranslated(p) => NatIn::Pass(p),
            Inbound::Translated(p) => NatIn::Forward(p),
            Inbound::Dropped => NatIn::Drop,
        };
        Self::nat_notes(events, out);
        verdict
    }

    /// Translates a datagram forwarded from `from` out of `to`; `None` if the
    /// translator refused it.
    pub(super) fn nat_outbound(
        &mut self,
        now: SimTime,
        from: IfaceId,
        to: IfaceId,
        packet: Ipv4Packet,
        out: &mut NodeOutput,
    ) -> Option<Ipv4Packet> {
        let Some(nat) = &self.svc.nat else {
            return Some(packet);
        };
        let outside = nat.config().outside;
        if to != outside || !nat.is_inside(from) {
            return Some(packet);
        }
        let addr = self
            .ifaces
            .iter()
            .find(|i| i.id == outside)
            .and_then(|i| i.addr)?;
        let mut events = Vec::new();
        // Out of the node while it runs, so that it can ask which ports the
        // node's own sockets hold.
        let mut nat = self.svc.nat.take().expect("checked");
        let translated = nat.outbound(
            now,
            packet,
            addr.addr,
            &|proto, port| self.port_in_use(proto, port),
            &mut events,
        );
        self.svc.nat = Some(nat);
        Self::nat_notes(events, out);
        translated
    }
}
