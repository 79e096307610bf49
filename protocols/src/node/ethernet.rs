//! Link-layer glue (IEEE 802.3 / Ethernet II): a frame that arrived is
//! checked (FCS of a corrupted frame, destination MAC), then handed to the
//! network layer its EtherType names; frames leave through [`eth_frame`].
//!
//! A NIC drops a frame whose FCS does not match before anything above sees
//! it, and one addressed to another unicast MAC (no promiscuous mode).

use sim_core::SimTime;

use super::{IpNode, NodeOutput};
use crate::packet::{Frame, FrameBody};
use crate::topology::IfaceId;
use crate::trace::{DropReason, Dropped};
use crate::wire::{EtherType, EthernetRepr, MacAddr, WireError};

impl IpNode {
    /// A frame arrived on `iface`.
    pub fn on_frame(&mut self, now: SimTime, iface: IfaceId, frame: Frame, out: &mut NodeOutput) {
        let frame = match frame.body {
            FrameBody::Corrupted { ref bytes, fcs } => {
                if Frame::fcs(bytes) != fcs {
                    out.drop(Some(iface), Dropped::Frame(&frame), &DropReason::FcsError);
                    return;
                }
                match Frame::parse(bytes) {
                    Ok(f) => f,
                    Err(e) => {
                        out.drop(
                            Some(iface),
                            Dropped::Frame(&frame),
                            &DropReason::Malformed(e),
                        );
                        return;
                    }
                }
            }
            _ => frame,
        };
        let me = self.iface(iface).mac;
        if frame.eth.dst != me && !frame.eth.dst.is_broadcast() {
            out.drop(Some(iface), Dropped::Frame(&frame), &DropReason::NotForUs);
            return;
        }
        match frame.body {
            FrameBody::Arp(arp) => self.on_arp(now, iface, arp, out),
            FrameBody::Ipv4(packet) => self.on_ipv4(now, iface, packet, out),
            FrameBody::Raw(_) | FrameBody::Corrupted { .. } => {
                out.drop(
                    Some(iface),
                    Dropped::Frame(&frame),
                    &DropReason::Malformed(WireError::Unsupported),
                );
            }
        }
    }
}

/// An Ethernet II frame from `src` to `dst` carrying `body`; the EtherType
/// follows from the body.
pub(super) fn eth_frame(src: MacAddr, dst: MacAddr, body: FrameBody) -> Frame {
    let ethertype = match &body {
        FrameBody::Arp(_) => EtherType::Arp,
        FrameBody::Ipv4(_) => EtherType::Ipv4,
        FrameBody::Raw(_) | FrameBody::Corrupted { .. } => {
            unreachable!("a node sends only ARP and IPv4")
        }
    };
    Frame {
        eth: EthernetRepr {
            src,
            dst,
            ethertype,
        },
        body,
    }
}
