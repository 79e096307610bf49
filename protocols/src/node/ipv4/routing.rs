//! The IPv4 routing table: longest-prefix match (RFC 1812 §5.2.4.3).
//!
//! Connected routes come from interface addresses; static routes and the
//! default gateway from the scenario. Among routes of equal prefix length a
//! connected route wins over a static one, then the earlier one.

use std::net::Ipv4Addr;

use crate::topology::IfaceId;
use crate::wire::Ipv4Cidr;

/// Where a route came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RouteKind {
    /// The subnet of an interface address.
    Connected,
    /// Configured in the scenario (including the default gateway).
    Static,
}

/// One routing table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// Destination prefix (host bits cleared).
    pub dest: Ipv4Cidr,
    /// Next-hop router, or `None` for on-link destinations.
    pub via: Option<Ipv4Addr>,
    /// Egress interface.
    pub iface: IfaceId,
    /// Origin.
    pub kind: RouteKind,
}

/// The decision for one destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextHop {
    /// Egress interface.
    pub iface: IfaceId,
    /// The address to resolve with ARP: the gateway, or the destination itself.
    pub addr: Ipv4Addr,
}

/// A node's routing table.
#[derive(Clone, Debug, Default)]
pub struct RoutingTable {
    routes: Vec<Route>,
}

impl RoutingTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a route (its prefix is normalised to the network address).
    pub fn add(&mut self, mut route: Route) {
        route.dest = route.dest.network();
        self.routes.push(route);
    }

    /// Adds a static route via `gateway`, choosing the interface whose
    /// connected subnet contains the gateway. Returns `false` if none does.
    pub fn add_via(&mut self, dest: Ipv4Cidr, gateway: Ipv4Addr) -> bool {
        let Some(iface) = self
            .routes
            .iter()
            .filter(|r| r.kind == RouteKind::Connected && r.dest.contains(gateway))
            .max_by_key(|r| r.dest.prefix_len)
            .map(|r| r.iface)
        else {
            return false;
        };
        self.add(Route {
            dest,
            via: Some(gateway),
            iface,
            kind: RouteKind::Static,
        });
        true
    }

    /// Keeps only the routes for which `keep` is true (an interface lost its address).
    pub fn retain(&mut self, keep: impl FnMut(&Route) -> bool) {
        self.routes.retain(keep);
    }

    /// All routes, in insertion order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Longest-prefix match for `dst`.
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<NextHop> {
        let mut best: Option<&Route> = None;
        for r in self.routes.iter().filter(|r| r.dest.contains(dst)) {
            let better = match best {
                None => true,
                Some(b) => {
                    r.dest.prefix_len > b.dest.prefix_len
                        || (r.dest.prefix_len == b.dest.prefix_len && r.kind < b.kind)
                }
            };
            if better {
                best = Some(r);
            }
        }
        best.map(|r| NextHop {
            iface: r.iface,
            addr: r.via.unwrap_or(dst),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Ipv4Cidr {
        s.parse().unwrap()
    }
    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn table() -> RoutingTable {
        let mut t = RoutingTable::new();
        for (i, net) in ["10.0.1.1/24", "10.0.2.1/24"].iter().enumerate() {
            t.add(Route {
                dest: cidr(net),
                via: None,
                iface: IfaceId(i as u32),
                kind: RouteKind::Connected,
            });
        }
        assert!(t.add_via(cidr("0.0.0.0/0"), ip("10.0.1.254")));
        assert!(t.add_via(cidr("10.9.0.0/16"), ip("10.0.2.254")));
        assert!(t.add_via(cidr("10.9.8.0/24"), ip("10.0.1.253")));
        t
    }

    #[test]
    fn longest_prefix_wins() {
        let t = table();
        assert_eq!(
            t.lookup(ip("10.9.8.7")),
            Some(NextHop {
                iface: IfaceId(0),
                addr: ip("10.0.1.253")
            })
        );
        assert_eq!(
            t.lookup(ip("10.9.1.1")),
            Some(NextHop {
                iface: IfaceId(1),
                addr: ip("10.0.2.254")
            })
        );
        assert_eq!(
            t.lookup(ip("8.8.8.8")),
            Some(NextHop {
                iface: IfaceId(0),
                addr: ip("10.0.1.254")
            })
        );
    }

    #[test]
    fn connected_destinations_are_resolved_directly() {
        let t = table();
        assert_eq!(
            t.lookup(ip("10.0.2.77")),
            Some(NextHop {
                iface: IfaceId(1),
                addr: ip("10.0.2.77")
            })
        );
    }

    #[test]
    fn no_default_route_means_no_route() {
        let mut t = RoutingTable::new();
        t.add(Route {
            dest: cidr("192.168.0.5/24"),
            via: None,
            iface: IfaceId(0),
            kind: RouteKind::Connected,
        });
        assert_eq!(t.routes()[0].dest, cidr("192.168.0.0/24"), "normalised");
        assert_eq!(t.lookup(ip("10.0.0.1")), None);
        assert!(
            !t.add_via(cidr("0.0.0.0/0"), ip("10.0.0.1")),
            "gateway not on a connected subnet"
        );
    }

    #[test]
    fn connected_beats_static_at_equal_length() {
        let mut t = table();
        assert!(t.add_via(cidr("10.0.2.0/24"), ip("10.0.1.9")));
        assert_eq!(t.lookup(ip("10.0.2.5")).unwrap().iface, IfaceId(1));
    }
}
