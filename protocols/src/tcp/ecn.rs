//! Explicit congestion notification for a [`Tcb`] (RFC 3168 §6.1).
//!
//! - Negotiation (§6.1.1): an ECN-setup SYN carries ECE and CWR, the SYN-ACK
//!   that accepts it ECE alone (`send_syn` and `take_syn_options`).
//! - Sender (§6.1.2): data segments go out ECT(0) ([`Tcb::is_ect`]); an ACK
//!   with ECE halves the window as a loss would (`on_congestion_event`),
//!   without retransmitting, at most once per window of data; the first new
//!   data segment after any reduction carries CWR.
//! - Receiver (§6.1.3): after a segment arrives in a CE-marked packet, every
//!   ACK carries ECE until a segment with CWR arrives.
//!
//! Each step is a trace note ([`EcnNote`]): the receiver starting and
//! stopping its echo, the sender's reduction and its CWR.
//!
//! The IP layer is the node's: it sets ECT(0) on the packets of the segments
//! [`Tcb::is_ect`] names and reports CE through [`Tcb::on_segment_ecn`].
//!
//! Simplifications: no ECN nonce (RFC 3540, historic), no AccECN; a SYN
//! retransmitted after a timeout still offers ECN (§6.1.1.1 allows either);
//! when ECE brings cwnd to one segment the sender does not wait for the
//! retransmission timer before sending (§6.1.2's "SHOULD").

use sim_core::SimTime;

use super::connection::{EcnNote, Outgoing, SendCause, Tcb, TcpNote};
use crate::wire::TcpRepr;

impl Tcb {
    /// Whether the IP packet carrying `seg` (a segment this connection sent)
    /// is marked ECN-capable, ECT(0): new data of an ECN connection. Never
    /// SYNs (§6.1.1), pure ACKs (§6.1.4), retransmissions (§6.1.5), window
    /// probes (§6.1.6) or keepalives.
    pub fn is_ect(&self, seg: &Outgoing) -> bool {
        self.ecn_ok && !seg.payload.is_empty() && seg.cause == SendCause::NewData
    }

    /// An acceptable segment arrived, in a CE-marked packet if `ce` (§6.1.3).
    pub(super) fn ecn_on_receive(&mut self, seg: &TcpRepr, ce: bool) {
        if !self.ecn_ok {
            return;
        }
        let echoing = self.ece_pending;
        // CWR ends the echo; a CE mark on that very packet starts it again.
        if seg.flags.cwr {
            self.ece_pending = false;
        }
        if ce {
            self.ece_pending = true;
        }
        match (echoing, self.ece_pending) {
            (false, true) => self.notes.push(TcpNote::Ecn(EcnNote::CeReceived)),
            (true, false) => self.notes.push(TcpNote::Ecn(EcnNote::EchoStopped)),
            _ => {}
        }
    }

    /// An ACK with ECE outside recovery, beyond the window of the last
    /// reduction (§6.1.2): halve the window, retransmit nothing, send CWR next.
    pub(super) fn ecn_reduce(&mut self, now: SimTime) {
        let flight = (self.snd_max - self.snd_una).max(0) as usize;
        self.cc.on_congestion_event(now, flight);
        self.ecn_recover = self.snd_max - 1;
        self.ecn_reduced = self.snd_max - 1;
        self.cwr_pending = true;
        self.notes.push(TcpNote::Ecn(EcnNote::WindowReduced {
            cwnd: self.cc.window(),
        }));
    }
}
