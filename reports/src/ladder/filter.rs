//! Which connection and which stretch of time the ladder diagrams show.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use protocols::tcp::Endpoint;
use protocols::topology::NodeId;
use sim_core::SimTime;
use sim_core::time::text::seconds_micros;

/// A host as a filter names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostFilter {
    /// Any address of this node (configured, or learned during the run:
    /// DHCP leases, the addresses its TCP uses).
    Node(NodeId),
    /// This address.
    Addr(Ipv4Addr),
}

/// One end of the wanted connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndFilter {
    /// The node or address.
    pub host: HostFilter,
    /// The port; `None`: any.
    pub port: Option<u16>,
}

impl EndFilter {
    fn matches(&self, end: Endpoint, node: Option<NodeId>) -> bool {
        let host = match self.host {
            HostFilter::Node(n) => node == Some(n),
            HostFilter::Addr(a) => end.addr == a,
        };
        host && self.port.is_none_or(|p| p == end.port)
    }
}

/// What the ladder diagrams show: the connections between two ends (either
/// way round), the segments TCP sent in a window of time. The default shows
/// everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LadderFilter {
    /// The two ends, or `None` for every connection.
    pub conn: Option<[EndFilter; 2]>,
    /// The connection as the user wrote it (`h1:5000-h2:80`), for headings.
    pub label: String,
    /// Segments sent before this are left out.
    pub from: Option<SimTime>,
    /// Segments sent after this are left out.
    pub to: Option<SimTime>,
}

impl LadderFilter {
    /// Whether this filter leaves anything out.
    pub fn is_active(&self) -> bool {
        self.conn.is_some() || self.from.is_some() || self.to.is_some()
    }

    /// Whether a connection between `ends` (on `nodes`, where known) is shown.
    pub(super) fn wants(&self, ends: [Endpoint; 2], nodes: [Option<NodeId>; 2]) -> bool {
        let Some([a, b]) = &self.conn else {
            return true;
        };
        let [e0, e1] = ends;
        let [n0, n1] = nodes;
        (a.matches(e0, n0) && b.matches(e1, n1)) || (a.matches(e1, n1) && b.matches(e0, n0))
    }

    /// Whether something at `t` falls in the window.
    pub(super) fn in_window(&self, t: SimTime) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t <= e)
    }

    /// Whether `t` is before the window.
    pub(super) fn before(&self, t: SimTime) -> bool {
        self.from.is_some_and(|f| t < f)
    }

    /// `connection h1:5000-h2:80, segments sent from 1.000000 to 1.200000 s`,
    /// or `None` when nothing is filtered.
    pub fn describe(&self) -> Option<String> {
        if !self.is_active() {
            return None;
        }
        let mut parts = Vec::new();
        if self.conn.is_some() {
            parts.push(format!("connection {}", self.label));
        }
        let mut window = String::new();
        match (self.from, self.to) {
            (Some(f), Some(t)) => {
                let _ = write!(
                    window,
                    "segments sent from {} to {} s",
                    seconds_micros(f),
                    seconds_micros(t)
                );
            }
            (Some(f), None) => {
                let _ = write!(window, "segments sent from {} s", seconds_micros(f));
            }
            (None, Some(t)) => {
                let _ = write!(window, "segments sent until {} s", seconds_micros(t));
            }
            (None, None) => {}
        }
        if !window.is_empty() {
            parts.push(window);
        }
        Some(parts.join(", "))
    }
}
