//! TCP tunables, with their defaults and where each comes from.

use sim_core::SimDuration;

use super::congestion::CcAlgorithm;
use super::rtt::RttConfig;

/// Keepalive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeepaliveConfig {
    /// Idle time before the first probe. Default 2 h (RFC 1122: at least two hours).
    pub idle: SimDuration,
    /// Time between unanswered probes. Default 75 s (BSD and Linux).
    pub interval: SimDuration,
    /// Unanswered probes before the connection is dropped. Default 10.
    pub probes: u32,
}

impl Default for KeepaliveConfig {
    fn default() -> Self {
        KeepaliveConfig {
            idle: SimDuration::from_secs(2 * 3600),
            interval: SimDuration::from_secs(75),
            probes: 10,
        }
    }
}

/// Per-connection settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TcpConfig {
    /// MSS to announce; `None`: the interface MTU minus 40 (1500 → 1460).
    pub mss: Option<u16>,
    /// Send buffer size. Default 256 KiB.
    pub send_buffer: usize,
    /// Receive buffer size (the most we ever advertise). Default 256 KiB.
    pub recv_buffer: usize,
    /// Nagle's algorithm (RFC 9293 §3.7.4). Default on.
    pub nagle: bool,
    /// Delay ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2). Default on.
    pub delayed_ack: bool,
    /// The delayed-ACK timer. Default 40 ms (Linux's minimum; RFC 5681 requires < 500 ms).
    pub delayed_ack_timeout: SimDuration,
    /// Offer window scaling (RFC 7323 §2). Default on.
    pub window_scaling: bool,
    /// Offer SACK (RFC 2018). Default on.
    pub sack: bool,
    /// Offer timestamps (RFC 7323 §3). Default off, so that teaching captures show
    /// the classic 1460-byte segments (with timestamps, data segments carry 1448).
    pub timestamps: bool,
    /// Retransmission timer bounds (RFC 6298).
    pub rtt: RttConfig,
    /// SYN (or SYN-ACK) retransmissions before giving up. Default 6 (Linux `tcp_syn_retries`).
    pub syn_retries: u32,
    /// Data retransmissions before the connection is aborted. Default 15 (Linux `tcp_retries2`).
    pub data_retries: u32,
    /// Maximum segment lifetime; TIME-WAIT lasts 2×MSL. Default 30 s (Linux's 60 s TIME-WAIT).
    pub msl: SimDuration,
    /// Keepalive probing; `None` (the default): off, as RFC 1122 requires by default.
    pub keepalive: Option<KeepaliveConfig>,
    /// Duplicate ACKs that trigger a fast retransmit (RFC 5681 §3.2). Default 3.
    pub dupack_threshold: u32,
    /// Initial congestion window in segments (RFC 6928). Default 10. Also the
    /// restart window after idle (RFC 5681 §4.1: RW = min(IW, cwnd)).
    pub initial_window: u32,
    /// The congestion controller. Default [`CcAlgorithm::NewReno`] (RFC 5681,
    /// RFC 6582; SACK-based recovery per RFC 6675 when SACK is negotiated).
    pub cc: CcAlgorithm,
    /// Limited transmit (RFC 3042): the first and second duplicate ACKs each
    /// release one new segment, cwnd unchanged. Default on (as Linux).
    pub limited_transmit: bool,
    /// Proportional rate reduction (RFC 6937, PRR-SSRB) paces what is sent
    /// during fast recovery instead of window inflation (RFC 5681 §3.2) or
    /// RFC 6675's `cwnd - pipe`. Default off.
    pub prr: bool,
    /// Explicit congestion notification (RFC 3168): offer it in the SYN,
    /// accept it in the SYN-ACK, mark data ECT(0), echo CE marks with ECE and
    /// react to ECE once per window. Default off.
    pub ecn: bool,
    /// Slow start after idle (RFC 5681 §4.1): after more than an RTO without
    /// sending, cwnd = min(cwnd, IW). Default on (as Linux's
    /// `tcp_slow_start_after_idle`).
    pub slow_start_after_idle: bool,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            mss: None,
            send_buffer: 256 * 1024,
            recv_buffer: 256 * 1024,
            nagle: true,
            delayed_ack: true,
            delayed_ack_timeout: SimDuration::from_millis(40),
            window_scaling: true,
            sack: true,
            timestamps: false,
            rtt: RttConfig::default(),
            syn_retries: 6,
            data_retries: 15,
            msl: SimDuration::from_secs(30),
            keepalive: None,
            dupack_threshold: 3,
            initial_window: 10,
            cc: CcAlgorithm::NewReno,
            limited_transmit: true,
            prr: false,
            ecn: false,
            slow_start_after_idle: true,
        }
    }
}
