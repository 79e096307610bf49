//! What TCP tells the trace: one type, [`TcpTrace`], for everything a
//! connection or the host's stack did that a trace, a plot or a summary may
//! want (state changes with their cause, timeouts, recovery, ECN, congestion
//! control events, segments sent with their cause, SYN-queue and SYN-cookie
//! events, time-series samples). A connection records its happenings in
//! [`super::Tcb::notes`]; the stack adds its own and hands them all to the
//! node, which emits each as [`crate::trace::Event::Tcp`].

use sim_core::SimDuration;

use super::congestion::CcEvent;
use super::connection::{EcnNote, RecoveryKind, SendCause};
use super::state::State;
use crate::trace::Detail;
use crate::wire::TcpRepr;

/// What the host's TCP did that the trace should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcpTrace {
    /// The state changed.
    State {
        /// Old state.
        from: State,
        /// New state.
        to: State,
        /// What caused it, in RFC words (`rcv SYN,ACK`, `CLOSE`, `2MSL timeout`).
        cause: &'static str,
    },
    /// The retransmission timer expired.
    Timeout {
        /// The RTO that just expired.
        rto: SimDuration,
        /// Expiries in a row, from 1.
        count: u32,
    },
    /// Fast retransmit / recovery of this kind began (duplicate ACKs
    /// reached the threshold, or SACK showed the first segment lost).
    RecoveryStart(RecoveryKind),
    /// Recovery ended (a full acknowledgment; for Reno any new one; or a
    /// timeout).
    RecoveryEnd,
    /// The connection was dropped (retransmission limit, keepalive, reset).
    Aborted(&'static str),
    /// Explicit congestion notification (RFC 3168 §6.1).
    Ecn(EcnNote),
    /// The congestion controller did something worth showing (HyStart++
    /// leaving slow start, a BBR state change).
    Congestion(CcEvent),
    /// A segment was sent, with its cause.
    Sent {
        /// The header.
        repr: TcpRepr,
        /// Data bytes.
        len: usize,
        /// Why.
        cause: SendCause,
    },
    /// A SYN was dropped because the listen queue was full.
    ListenQueueFull,
    /// A SYN was answered with a SYN cookie.
    SynCookieSent,
    /// A returning ACK carried a valid SYN cookie.
    SynCookieAccepted,
    /// The connection's congestion and timing state changed (for time series).
    Sample(TcpSample),
}

/// A connection's congestion and timing state at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSample {
    /// Congestion window, bytes.
    pub cwnd: usize,
    /// Slow-start threshold, bytes (`usize::MAX` before the first loss).
    pub ssthresh: usize,
    /// Bytes sent and not acknowledged.
    pub in_flight: usize,
    /// Smoothed RTT.
    pub srtt: Option<sim_core::SimDuration>,
    /// RTT variation.
    pub rttvar: Option<sim_core::SimDuration>,
    /// Retransmission timeout (with backoff).
    pub rto: sim_core::SimDuration,
    /// Data bytes sent so far (new data only).
    pub sent: u64,
    /// Data bytes acknowledged so far.
    pub delivered: u64,
    /// The latest RTT measurement (RFC 6298 R), if any.
    pub rtt: Option<sim_core::SimDuration>,
    /// RTT measurements taken so far: a new one when this grows.
    pub rtt_samples: u64,
}

impl TcpTrace {
    /// One line for a human: `SYN-SENT -> ESTABLISHED (rcv SYN,ACK)`,
    /// `<SEQ=100><ACK=301><CTL=ACK><DATA=1000> (new data)`.
    pub fn describe(&self) -> String {
        match self {
            TcpTrace::State { from, to, cause } => {
                format!("{from} -> {to} ({cause})")
            }
            TcpTrace::Timeout { rto, count } => {
                format!("retransmission timeout #{count} (RTO {rto})")
            }
            TcpTrace::RecoveryStart(kind) => kind.start_text().into(),
            TcpTrace::RecoveryEnd => "recovery complete".into(),
            TcpTrace::Aborted(why) => format!("connection dropped: {why}"),
            TcpTrace::Ecn(e) => e.to_string(),
            TcpTrace::Congestion(e) => e.to_string(),
            TcpTrace::Sent { repr, len, cause } => {
                format!("{} ({})", repr.rfc_notation(*len), cause.name())
            }
            TcpTrace::ListenQueueFull => "SYN dropped: listen queue full".into(),
            TcpTrace::SynCookieSent => "listen queue full: SYN-ACK with a SYN cookie".into(),
            TcpTrace::SynCookieAccepted => {
                "ACK carries a valid SYN cookie: connection created".into()
            }
            TcpTrace::Sample(s) => format!(
                "cwnd {} ssthresh {} in flight {} rto {}",
                s.cwnd,
                if s.ssthresh == usize::MAX {
                    "-".to_string()
                } else {
                    s.ssthresh.to_string()
                },
                s.in_flight,
                s.rto
            ),
        }
    }

    /// A short stable key for machine-readable outputs.
    pub fn key(&self) -> &'static str {
        match self {
            TcpTrace::State { .. } => "state",
            TcpTrace::Timeout { .. } => "timeout",
            TcpTrace::RecoveryStart(_) => "recovery-start",
            TcpTrace::RecoveryEnd => "recovery-end",
            TcpTrace::Aborted(_) => "aborted",
            TcpTrace::Ecn(_) => "ecn",
            TcpTrace::Congestion(_) => "cc",
            TcpTrace::Sent { .. } => "sent",
            TcpTrace::ListenQueueFull => "listen-queue-full",
            TcpTrace::SynCookieSent => "syn-cookie-sent",
            TcpTrace::SynCookieAccepted => "syn-cookie-accepted",
            TcpTrace::Sample(_) => "sample",
        }
    }

    /// The least detail at which a sink sees this. Segments sent are
    /// per-packet, except retransmissions and probes: they are rare and
    /// significant (the flow summary counts them), so they are Summary
    /// events, like every other TCP happening.
    pub fn detail(&self) -> Detail {
        match self {
            TcpTrace::Sent {
                cause:
                    SendCause::RtoRetransmission
                    | SendCause::FastRetransmission
                    | SendCause::WindowProbe
                    | SendCause::Keepalive,
                ..
            } => Detail::Summary,
            TcpTrace::Sent { .. } => Detail::Packets,
            _ => Detail::Summary,
        }
    }
}
