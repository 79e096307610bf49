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

use super::connection::{EcnNote, Outgoing, SendCause, Tcb};
use super::trace::TcpTrace;
use crate::wire::{TcpFlags, TcpRepr, TcpSeq};

/// A connection's ECN state: whether ECN was negotiated, the receiver's
/// echo and the sender's once-per-window reaction.
#[derive(Clone, Debug)]
pub(super) struct Ecn {
    /// ECN was negotiated (§6.1.1).
    ok: bool,
    /// Receiver: a CE mark arrived; set ECE on ACKs until a CWR arrives (§6.1.3).
    ece_pending: bool,
    /// Sender: the window was reduced; set CWR on the next new data (§6.1.2).
    cwr_pending: bool,
    /// Sender: no reaction to ECE until SND.UNA passes this: the end of the
    /// window of the last reduction, for ECN or loss (once per window, §6.1.2).
    recover: TcpSeq,
    /// Sender: the end of the window of the last reduction for ECN; a loss in
    /// that window is recovered without a second reduction.
    reduced: TcpSeq,
}

impl Ecn {
    /// Before negotiation, for a connection whose ISS is `iss`.
    pub(super) fn new(iss: TcpSeq) -> Ecn {
        Ecn {
            ok: false,
            ece_pending: false,
            cwr_pending: false,
            recover: iss,
            reduced: iss,
        }
    }

    /// Whether ECN was negotiated.
    pub(super) fn enabled(&self) -> bool {
        self.ok
    }

    /// The peer's SYN (or SYN-ACK) arrived; ECN is on if `configured` and
    /// `syn` is an ECN-setup segment: a SYN with ECE and CWR, a SYN-ACK with
    /// ECE alone (one with both is not, §6.1.1.1).
    pub(super) fn negotiate(&mut self, configured: bool, syn: &TcpRepr) {
        self.ok = configured && syn.flags.ece && (syn.ack.is_none() == syn.flags.cwr);
    }

    /// The ECN flags of our SYN (`with_ack`: SYN-ACK), §6.1.1: an
    /// ECN-setup SYN carries ECE and CWR if `configured`; the SYN-ACK that
    /// accepts one, ECE alone.
    pub(super) fn syn_flags(&self, configured: bool, with_ack: bool, flags: &mut TcpFlags) {
        if with_ack {
            flags.ece = self.ok;
        } else {
            flags.ece = configured;
            flags.cwr = configured;
        }
    }

    /// Whether an ACK we send carries ECE: from a CE mark until the peer's CWR (§6.1.3).
    pub(super) fn echoing(&self) -> bool {
        self.ece_pending
    }

    /// Whether new data about to be sent carries CWR: the first after a
    /// reduction (§6.1.2). Answering yes clears it.
    pub(super) fn take_cwr(&mut self) -> bool {
        std::mem::take(&mut self.cwr_pending)
    }

    /// Whether a segment with these flags is an ECN echo: ECE on a
    /// connection that negotiated ECN.
    pub(super) fn is_echo(&self, flags: &TcpFlags) -> bool {
        self.ok && flags.ece
    }

    /// Whether an echo with SND.UNA at `snd_una` is news: beyond the window of
    /// the last reduction, for ECN or loss (once per window, §6.1.2).
    pub(super) fn beyond_last_reduction(&self, snd_una: TcpSeq) -> bool {
        snd_una.gt(self.recover)
    }

    /// Loss recovery begins with SND.UNA at `snd_una` and `snd_max` the
    /// highest sequence number sent. Returns whether the window is to be
    /// reduced: not if an ECN echo reduced it already for this window. No
    /// ECN reduction follows for it, and CWR goes out next (§6.1.2).
    pub(super) fn on_loss(&mut self, snd_una: TcpSeq, snd_max: TcpSeq) -> bool {
        self.recover = snd_max - 1;
        if self.ok {
            self.cwr_pending = true; // any reduction
        }
        snd_una.gt(self.reduced)
    }

    /// The retransmission timer expired (the window is one segment now): CWR
    /// after it, and no ECN reduction again for this window (§6.1.2).
    pub(super) fn on_timeout(&mut self, snd_max: TcpSeq) {
        if self.ok {
            self.cwr_pending = true;
            self.recover = snd_max - 1;
        }
    }
}

impl Tcb {
    /// Whether the IP packet carrying `seg` (a segment this connection sent)
    /// is marked ECN-capable, ECT(0): new data of an ECN connection. Never
    /// SYNs (§6.1.1), pure ACKs (§6.1.4), retransmissions (§6.1.5), window
    /// probes (§6.1.6) or keepalives.
    pub fn is_ect(&self, seg: &Outgoing) -> bool {
        self.ecn.ok && !seg.payload.is_empty() && seg.cause == SendCause::NewData
    }

    /// An acceptable segment arrived, in a CE-marked packet if `ce` (§6.1.3).
    pub(super) fn ecn_on_receive(&mut self, seg: &TcpRepr, ce: bool) {
        if !self.ecn.ok {
            return;
        }
        let echoing = self.ecn.ece_pending;
        // CWR ends the echo; a CE mark on that very packet starts it again.
        if seg.flags.cwr {
            self.ecn.ece_pending = false;
        }
        if ce {
            self.ecn.ece_pending = true;
        }
        match (echoing, self.ecn.ece_pending) {
            (false, true) => self.notes.push(TcpTrace::Ecn(EcnNote::CeReceived)),
            (true, false) => self.notes.push(TcpTrace::Ecn(EcnNote::EchoStopped)),
            _ => {}
        }
    }

    /// An ACK with ECE outside recovery, beyond the window of the last
    /// reduction (§6.1.2): halve the window, retransmit nothing, send CWR next.
    pub(super) fn ecn_reduce(&mut self, now: SimTime) {
        let flight = (self.snd_max - self.snd_una).max(0) as usize;
        self.cc.on_congestion_event(now, flight);
        self.ecn.recover = self.snd_max - 1;
        self.ecn.reduced = self.snd_max - 1;
        self.ecn.cwr_pending = true;
        self.notes.push(TcpTrace::Ecn(EcnNote::WindowReduced {
            cwnd: self.cc.window(),
        }));
    }
}
