//! The TCP part of the schema: per-host and per-application TCP settings, and
//! the TCP applications.
//!
//! Every field of [`Tcp`] is optional: an application's setting wins over its
//! host's, which wins over the default (documented on each field, the values
//! of `protocols::tcp::TcpConfig`).

use protocols::tcp::{BbrConfig, CcAlgorithm, CubicConfig};
use serde::{Deserialize, Serialize};
use sim_core::{ByteSize, DataRate, SimDuration, SimTime};

use crate::values::Ipv4Cidr;

/// TCP settings. Every field defaults to "inherit" (the host's, then the built-in default).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tcp {
    /// MSS to announce. Default: interface MTU − 40 (1460 on Ethernet).
    #[serde(default)]
    pub mss: Option<u16>,
    /// Send buffer. Default `"256KiB"`.
    #[serde(default)]
    pub send_buffer: Option<ByteSize>,
    /// Receive buffer: the largest window advertised. Default `"256KiB"`.
    #[serde(default)]
    pub recv_buffer: Option<ByteSize>,
    /// Nagle's algorithm (`false` is the socket's no-delay switch). Default `true`.
    #[serde(default)]
    pub nagle: Option<bool>,
    /// Delayed ACKs (every second full segment or after the timer). Default `true`.
    #[serde(default)]
    pub delayed_ack: Option<bool>,
    /// The delayed-ACK timer. Default `"40ms"`.
    #[serde(default)]
    pub delayed_ack_timeout: Option<SimDuration>,
    /// Window scaling (RFC 7323). Default `true`.
    #[serde(default)]
    pub window_scaling: Option<bool>,
    /// SACK (RFC 2018). Default `true`.
    #[serde(default)]
    pub sack: Option<bool>,
    /// Timestamps (RFC 7323). Default `false` (1460-byte segments, as in textbook figures).
    #[serde(default)]
    pub timestamps: Option<bool>,
    /// Initial retransmission timeout (RFC 6298 §2.1). Default `"1s"`.
    #[serde(default)]
    pub initial_rto: Option<SimDuration>,
    /// Minimum retransmission timeout (RFC 6298 §2.4). Default `"1s"` (Linux: 200 ms).
    #[serde(default)]
    pub min_rto: Option<SimDuration>,
    /// Maximum retransmission timeout (RFC 6298 §2.5). Default `"60s"`.
    #[serde(default)]
    pub max_rto: Option<SimDuration>,
    /// SYN retransmissions before the open fails. Default `6`.
    #[serde(default)]
    pub syn_retries: Option<u32>,
    /// Data retransmissions before the connection is dropped. Default `15`.
    #[serde(default)]
    pub data_retries: Option<u32>,
    /// Maximum segment lifetime; TIME-WAIT lasts twice this. Default `"30s"`.
    #[serde(default)]
    pub msl: Option<SimDuration>,
    /// Keepalive probing. Default `None` (off).
    #[serde(default)]
    pub keepalive: Option<Keepalive>,
    /// Duplicate ACKs that trigger a fast retransmit. Default `3`.
    #[serde(default)]
    pub dupack_threshold: Option<u32>,
    /// Initial congestion window in segments (RFC 6928). Default `10`.
    #[serde(default)]
    pub initial_window: Option<u32>,
    /// Congestion control: `Tahoe`, `Reno`, `NewReno`, `Cubic`,
    /// `CubicHystart` or `Bbr`. Default `NewReno`.
    #[serde(default)]
    pub cc: Option<Cc>,
    /// Limited transmit (RFC 3042): new data on the first two duplicate ACKs.
    /// Default `true`.
    #[serde(default)]
    pub limited_transmit: Option<bool>,
    /// Proportional rate reduction during fast recovery (RFC 6937). Default `false`.
    #[serde(default)]
    pub prr: Option<bool>,
    /// Explicit congestion notification (RFC 3168). Default `false`.
    #[serde(default)]
    pub ecn: Option<bool>,
    /// Slow start after an idle period longer than the RTO (RFC 5681 §4.1).
    /// Default `true`.
    #[serde(default)]
    pub slow_start_after_idle: Option<bool>,
}

/// A congestion-control algorithm.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum Cc {
    /// Fast retransmit, then slow start from one segment (no fast recovery).
    #[serde(alias = "tahoe")]
    Tahoe,
    /// RFC 5681 fast recovery, ended by the first new ACK.
    #[serde(alias = "reno")]
    Reno,
    /// RFC 6582 NewReno, or RFC 6675 SACK recovery when SACK is on. The default.
    #[serde(alias = "newreno")]
    NewReno,
    /// CUBIC (RFC 9438) with standard slow start.
    #[serde(alias = "cubic")]
    Cubic,
    /// CUBIC with HyStart++ slow start (RFC 9406). HyStart++ needs an RTT
    /// sample on most ACKs (8 per round): turn `timestamps` on; without them
    /// TCP times one segment per round trip and slow start ends by loss.
    #[serde(alias = "cubic-hystart")]
    CubicHystart,
    /// BBR v1 (draft-cardwell-iccrg-bbr-congestion-control-00) with its
    /// default parameters: paced at its bottleneck-bandwidth estimate,
    /// window twice the estimated bandwidth-delay product.
    #[serde(alias = "bbr")]
    Bbr,
}

impl Cc {
    /// The algorithm TCP runs for this name, with its default settings.
    pub fn algorithm(self) -> CcAlgorithm {
        match self {
            Cc::Tahoe => CcAlgorithm::Tahoe,
            Cc::Reno => CcAlgorithm::Reno,
            Cc::NewReno => CcAlgorithm::NewReno,
            Cc::Cubic => CcAlgorithm::Cubic(CubicConfig::default()),
            Cc::CubicHystart => CcAlgorithm::Cubic(CubicConfig {
                hystart: true,
                ..CubicConfig::default()
            }),
            Cc::Bbr => CcAlgorithm::Bbr(BbrConfig::default()),
        }
    }
}

/// Keepalive settings (RFC 1122 §4.2.3.6).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Keepalive {
    /// Idle time before the first probe. Default `"2h"`.
    #[serde(default = "default_idle")]
    pub idle: SimDuration,
    /// Time between unanswered probes. Default `"75s"`.
    #[serde(default = "default_interval")]
    pub interval: SimDuration,
    /// Unanswered probes before the connection is dropped. Default `10`.
    #[serde(default = "default_probes")]
    pub probes: u32,
}

fn default_idle() -> SimDuration {
    SimDuration::from_secs(7200)
}
fn default_interval() -> SimDuration {
    SimDuration::from_secs(75)
}
fn default_probes() -> u32 {
    10
}
fn default_start() -> SimTime {
    SimTime::from_nanos(1_000_000_000)
}
fn default_true() -> bool {
    true
}
fn default_backlog() -> u32 {
    128
}
fn default_requests() -> u32 {
    1
}

/// Sends a byte pattern over one TCP connection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BulkSend {
    /// Required. The receiver, `"10.0.2.10:5001"`.
    pub to: String,
    /// Bytes to send. Default `None`: until the scenario stops.
    #[serde(default)]
    pub bytes: Option<ByteSize>,
    /// When to connect. Default `"1s"`.
    #[serde(default = "default_start")]
    pub start: SimTime,
    /// Local port. Default `None`: an ephemeral port. Set it on both sides for a
    /// simultaneous open.
    #[serde(default)]
    pub local_port: Option<u16>,
    /// Close (send FIN) after the last byte. Default `true`.
    #[serde(default = "default_true")]
    pub close: bool,
    /// TCP settings for this connection. Default: the host's.
    #[serde(default)]
    pub tcp: Tcp,
}

/// Accepts TCP connections and reads them, checking every byte.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    /// Required. Port to listen on.
    pub port: u16,
    /// Half-open connections the listen queue holds. Default `128`.
    #[serde(default = "default_backlog")]
    pub backlog: u32,
    /// Answer SYNs with SYN cookies when the queue is full. Default `false`.
    #[serde(default)]
    pub syn_cookies: bool,
    /// Read at most this rate (a slow reader). Default `None`: read at once.
    #[serde(default)]
    pub read_rate: Option<DataRate>,
    /// TCP settings for accepted connections. Default: the host's.
    #[serde(default)]
    pub tcp: Tcp,
}

/// Accepts TCP connections and sends back what it reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Echo {
    /// Port to listen on. Default `7` (RFC 862).
    #[serde(default = "default_echo_port")]
    pub port: u16,
    /// TCP settings. Default: the host's.
    #[serde(default)]
    pub tcp: Tcp,
}

fn default_echo_port() -> u16 {
    7
}

/// HTTP version of a client.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum HttpVersion {
    /// A connection per request, closed by the server after the response.
    Http10,
    /// One persistent connection for all requests.
    #[default]
    Http11,
}

/// Makes HTTP GET requests.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpClient {
    /// Required. The server, `"10.0.2.10:80"`.
    pub to: String,
    /// `Http10` or `Http11`. Default `Http11`.
    #[serde(default)]
    pub version: HttpVersion,
    /// Requests to make, one after another. Default `1`.
    #[serde(default = "default_requests")]
    pub requests: u32,
    /// When the first request starts. Default `"1s"`.
    #[serde(default = "default_start")]
    pub start: SimTime,
    /// Pause between a response and the next request. Default `"0s"`.
    #[serde(default)]
    pub think: SimDuration,
    /// TCP settings. Default: the host's.
    #[serde(default)]
    pub tcp: Tcp,
}

/// Answers HTTP GET requests.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpServer {
    /// Port to listen on. Default `80`.
    #[serde(default = "default_http_port")]
    pub port: u16,
    /// Size of each response, headers included. Default `"10KiB"`.
    #[serde(default = "default_response")]
    pub response_size: ByteSize,
    /// Listen backlog. Default `128`.
    #[serde(default = "default_backlog")]
    pub backlog: u32,
    /// TCP settings. Default: the host's.
    #[serde(default)]
    pub tcp: Tcp,
}

fn default_http_port() -> u16 {
    80
}
fn default_response() -> ByteSize {
    ByteSize::from_bytes(10 * 1024)
}

/// Sends SYNs from spoofed addresses (RFC 4987).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SynFlood {
    /// Required. The victim, `"10.0.2.10:80"`.
    pub to: String,
    /// Required. Prefix the spoofed sources come from (no host there answers).
    pub spoof_from: Ipv4Cidr,
    /// SYNs to send. Default `1000`.
    #[serde(default = "default_flood_count")]
    pub count: u32,
    /// Time between SYNs. Default `"1ms"`.
    #[serde(default = "default_flood_interval")]
    pub interval: SimDuration,
    /// When to start. Default `"1s"`.
    #[serde(default = "default_start")]
    pub start: SimTime,
}

fn default_flood_count() -> u32 {
    1000
}
fn default_flood_interval() -> SimDuration {
    SimDuration::from_millis(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Tcp {
        crate::load::ron_options().from_str(text).expect("parses")
    }

    #[test]
    fn congestion_settings_parse_and_default_to_inherit() {
        let t = parse("Tcp(cc: Cubic, limited_transmit: false, prr: true, ecn: true)");
        assert_eq!(t.cc, Some(Cc::Cubic));
        assert_eq!(
            (t.limited_transmit, t.prr, t.ecn, t.slow_start_after_idle),
            (Some(false), Some(true), Some(true), None)
        );
        for (text, cc) in [
            ("Tahoe", Cc::Tahoe),
            ("Reno", Cc::Reno),
            ("NewReno", Cc::NewReno),
            ("CubicHystart", Cc::CubicHystart),
            ("Bbr", Cc::Bbr),
            ("bbr", Cc::Bbr),
        ] {
            assert_eq!(parse(&format!("Tcp(cc: {text})")).cc, Some(cc));
        }
        assert_eq!(parse("Tcp()"), Tcp::default());
        let err = crate::load::ron_options()
            .from_str::<Tcp>("Tcp(cc: Vegas)")
            .unwrap_err();
        assert!(err.to_string().contains("Vegas"), "{err}");
    }
}
