//! ICMP (RFC 792) as the node sends it: error messages about a datagram, and
//! replies to echo requests.
//!
//! - RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a broadcast, a
//!   non-initial fragment, or a datagram from 0.0.0.0.
//! - RFC 1812 §4.3.2.4: an error leaves a router from the address of the
//!   interface it goes out of.
//! - RFC 1122 §3.2.2.6: echo requests to a broadcast address are not answered
//!   (the RFC allows either; Linux ignores them by default).

use sim_core::SimTime;

use super::DEFAULT_TTL;
use crate::node::{IpNode, NodeOutput};
use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::{IcmpRepr, IpProtocol};

impl IpNode {
    /// Sends an ICMP error about `original` back to its source, unless RFC
    /// 1812 §4.3.2.7 forbids it.
    pub(in crate::node) fn icmp_error(
        &mut self,
        now: SimTime,
        original: &Ipv4Packet,
        icmp: IcmpRepr,
        out: &mut NodeOutput,
    ) {
        let h = &original.header;
        if is_icmp_error(original)
            || h.frag_offset != 0
            || h.src.is_unspecified()
            || self.is_broadcast(h.src)
            || self.is_broadcast(h.dst)
        {
            return;
        }
        let src = if self.is_local(h.src) {
            h.src
        } else {
            match self
                .routes
                .lookup(h.src)
                .and_then(|nh| self.iface(nh.iface).addr)
            {
                Some(a) => a.addr,
                None => return,
            }
        };
        let packet = self.originate(src, h.src, DEFAULT_TTL, 0, false, IpBody::Icmp(icmp));
        self.output(now, packet, out);
    }

    /// Answers an echo request delivered to this node. Returns whether the
    /// datagram was one (answered, or ignored because it was broadcast).
    pub(in crate::node) fn echo_reply(
        &mut self,
        now: SimTime,
        request: &Ipv4Packet,
        broadcast: bool,
        out: &mut NodeOutput,
    ) -> bool {
        let IpBody::Icmp(IcmpRepr::EchoRequest {
            ident,
            seq_no,
            data,
        }) = &request.body
        else {
            return false;
        };
        if broadcast {
            return true; // RFC 1122 §3.2.2.6
        }
        let h = &request.header;
        let reply = IcmpRepr::EchoReply {
            ident: *ident,
            seq_no: *seq_no,
            data: data.clone(),
        };
        let packet = self.originate(h.dst, h.src, DEFAULT_TTL, h.tos, false, IpBody::Icmp(reply));
        self.output(now, packet, out);
        true
    }
}

/// Whether `p` is (the first fragment of) an ICMP error message.
fn is_icmp_error(p: &Ipv4Packet) -> bool {
    match &p.body {
        IpBody::Icmp(i) => i.is_error(),
        // A first fragment: the ICMP type is the first payload byte.
        IpBody::Raw(b) => {
            p.header.protocol == IpProtocol::Icmp
                && b.first().is_some_and(|&t| matches!(t, 3 | 4 | 5 | 11 | 12))
        }
        IpBody::Udp { .. } | IpBody::Tcp { .. } => false,
    }
}
