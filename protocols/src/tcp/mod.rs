//! TCP (RFC 9293), split by concern:
//!
//! - [`connection`]: one connection's state machine (a TCB) and the user calls;
//! - `input`: its receiving half, SEGMENT ARRIVES (RFC 9293 §3.10.7);
//! - [`output`]: its sending half: segmentation, ACK policy, retransmission, timers;
//! - `recovery`: loss recovery (fast retransmit, limited transmit, Tahoe, Reno,
//!   NewReno, SACK-based recovery, PRR), with the [`sack`] scoreboard and [`prr`];
//! - `ecn`: explicit congestion notification (RFC 3168);
//! - `pacing`: pacing at a controller's rate, and what a rate-based
//!   controller hears, with the delivery-rate samples of [`rate`];
//! - [`send`] / [`recv`]: the send buffer and the receive buffer with reassembly and SACK blocks;
//! - [`rtt`]: RTT estimation and the retransmission timeout (RFC 6298);
//! - `timers`: the connection's timer deadlines and `poll_at`;
//! - [`congestion`]: the congestion-control trait and its algorithms;
//! - [`stack`]: a host's listeners and connections, demultiplexing, ISNs, SYN cookies;
//! - [`rst_for`] here: the answer of the CLOSED state (no TCB) to a segment.

pub mod config;
pub mod congestion;
pub mod connection;
mod ecn;
mod input;
pub mod output;
mod pacing;
pub mod prr;
pub mod rate;
mod recovery;
pub mod recv;
pub mod rtt;
pub mod sack;
pub mod send;
pub mod stack;
pub mod state;
mod timers;
mod trace;

#[cfg(test)]
#[path = "tests/mod.rs"]
mod segment_tests;

pub use config::{KeepaliveConfig, TcpConfig};
pub use congestion::{BbrConfig, CcAlgorithm, CcEvent, CubicConfig, RecoveryStyle};
pub use connection::{AppSignal, EcnNote, Endpoint, Outgoing, RecoveryKind, SendCause, Tcb};
pub use pacing::pacing_gap;
pub use stack::{SocketId, TcpStack, Transmit};
pub use state::State;
pub use trace::{TcpSample, TcpTrace};

use crate::wire::{TcpFlags, TcpOptions, TcpRepr, TcpSeq};

/// The reset a TCP in the CLOSED state (no TCB) sends in answer to `segment`,
/// which carried `payload_len` bytes of data (RFC 9293 §3.10.7.1):
///
/// - a segment carrying RST is discarded: `None` (never reset a reset);
/// - if ACK is on: `<SEQ=SEG.ACK><CTL=RST>`;
/// - otherwise: `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`, where SEG.LEN
///   counts SYN and FIN as one each.
///
/// The reply goes from the segment's destination port to its source port, with
/// a zero window and no options, as Linux sends it.
pub fn rst_for(segment: &TcpRepr, payload_len: usize) -> Option<TcpRepr> {
    if segment.flags.rst {
        return None;
    }
    let (seq, ack) = match segment.ack {
        Some(ack) => (ack, None),
        None => (
            TcpSeq(0),
            Some(segment.seq + segment.segment_len(payload_len)),
        ),
    };
    Some(TcpRepr {
        src_port: segment.dst_port,
        dst_port: segment.src_port,
        seq,
        ack,
        flags: TcpFlags::RST,
        window: 0,
        urgent: 0,
        options: TcpOptions::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(seq: u32, ack: Option<u32>, flags: TcpFlags) -> TcpRepr {
        TcpRepr {
            src_port: 40000,
            dst_port: 80,
            seq: TcpSeq(seq),
            ack: ack.map(TcpSeq),
            flags,
            window: 64240,
            urgent: 0,
            options: TcpOptions {
                mss: Some(1460),
                ..TcpOptions::default()
            },
        }
    }

    #[test]
    fn syn_to_a_closed_port_gets_rst_ack_for_the_syn() {
        let rst = rst_for(&segment(100, None, TcpFlags::SYN), 0).unwrap();
        assert_eq!(rst.rfc_notation(0), "<SEQ=0><ACK=101><CTL=RST,ACK>");
        assert_eq!((rst.src_port, rst.dst_port), (80, 40000));
        assert_eq!(rst.window, 0);
        assert_eq!(rst.options, TcpOptions::default());
    }

    #[test]
    fn segment_without_ack_is_acknowledged_data_syn_and_fin_included() {
        let seg = segment(
            u32::MAX - 1,
            None,
            TcpFlags::SYN | TcpFlags::FIN | TcpFlags::PSH,
        );
        let rst = rst_for(&seg, 10).unwrap();
        // SEG.SEQ + SEG.LEN = (2^32 - 2) + 10 + 1 + 1, modulo 2^32.
        assert_eq!(rst.rfc_notation(0), "<SEQ=0><ACK=10><CTL=RST,ACK>");
        let rst = rst_for(&segment(500, None, TcpFlags::NONE), 100).unwrap();
        assert_eq!(rst.rfc_notation(0), "<SEQ=0><ACK=600><CTL=RST,ACK>");
    }

    #[test]
    fn segment_with_ack_gets_rst_at_its_ack_number() {
        let rst = rst_for(&segment(100, Some(7000), TcpFlags::PSH), 1000).unwrap();
        assert_eq!(rst.rfc_notation(0), "<SEQ=7000><CTL=RST>");
        assert_eq!(rst.ack, None);
        let syn_ack = segment(300, Some(101), TcpFlags::SYN);
        assert_eq!(
            rst_for(&syn_ack, 0).unwrap().rfc_notation(0),
            "<SEQ=101><CTL=RST>"
        );
    }

    #[test]
    fn a_reset_is_never_answered() {
        assert_eq!(rst_for(&segment(1, None, TcpFlags::RST), 0), None);
        assert_eq!(rst_for(&segment(1, Some(5), TcpFlags::RST), 0), None);
    }
}
