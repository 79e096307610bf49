//! Taking a lease: the lease and its timers from a DHCPACK (RFC 2131 §4.4.1,
//! §4.4.5), the ARP check of the address before use (RFC 5227 §2.1.1), the
//! announcement after it (RFC 5227 §2.3), and binding.

use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use super::{ClientOutput, ClientState, DhcpClient, Lease, Probe, SaturatingSub};
use crate::dhcp::{
    ANNOUNCE_INTERVAL, ANNOUNCE_NUM, ANNOUNCE_WAIT, DhcpEvent, INFINITE_LEASE, PROBE_MAX,
    PROBE_MIN, PROBE_NUM, RETRANSMIT_FUZZ, uniform,
};
use crate::wire::{DhcpRepr, Ipv4Cidr};

impl DhcpClient {
    /// One step of the RFC 5227 §2.1.1 check: a probe, or, after the last
    /// probe and ANNOUNCE_WAIT, the binding.
    pub(super) fn probe_step(&mut self, now: SimTime, p: Probe, out: &mut Vec<ClientOutput>) {
        let Some(lease) = self.pending.clone() else {
            self.probe = None;
            return;
        };
        if p.sent < PROBE_NUM {
            out.push(ClientOutput::ArpProbe {
                target: lease.addr.addr,
            });
            let sent = p.sent + 1;
            let next = if sent < PROBE_NUM {
                now + uniform(&mut self.rng, PROBE_MIN, PROBE_MAX)
            } else {
                now + ANNOUNCE_WAIT
            };
            self.probe = Some(Probe { sent, next });
        } else {
            self.probe = None;
            self.pending = None;
            let cause = format!(
                "{} unused: no reply to {PROBE_NUM} ARP probes",
                lease.addr.addr
            );
            self.bind(now, lease, cause, out);
            // RFC 5227 §2.3: announce the address, ANNOUNCE_NUM times.
            out.push(ClientOutput::ArpAnnounce {
                addr: self.lease.as_ref().expect("just bound").addr.addr,
            });
            self.announce = (ANNOUNCE_NUM > 1).then(|| (ANNOUNCE_NUM - 1, now + ANNOUNCE_INTERVAL));
        }
    }

    pub(super) fn bind(
        &mut self,
        now: SimTime,
        lease: Lease,
        cause: String,
        out: &mut Vec<ClientOutput>,
    ) {
        let renew_in = self.set_lease_timers(now, &lease);
        self.stats.bound.push((now, lease.addr.addr));
        self.set_state(ClientState::Bound, cause, out);
        out.push(ClientOutput::Configure(lease.clone()));
        out.push(ClientOutput::Event(DhcpEvent::Configured {
            addr: lease.addr,
            router: lease.router,
            dns: lease.dns.clone(),
            lease_secs: lease.lease_secs,
            renew_in_secs: renew_in,
        }));
        self.last_addr = Some(lease.addr.addr);
        self.lease = Some(lease);
    }

    /// Draws the fuzzed renewal time; returns whole seconds until it.
    pub(super) fn set_lease_timers(&mut self, now: SimTime, lease: &Lease) -> u64 {
        self.renew_at = lease.t1.map(|t1| {
            let fuzz = uniform(
                &mut self.rng,
                SimDuration::ZERO,
                RETRANSMIT_FUZZ + RETRANSMIT_FUZZ,
            );
            let t = (t1 + fuzz)
                .saturating_sub_duration(RETRANSMIT_FUZZ)
                .max(now);
            match lease.t2 {
                Some(t2) if t >= t2 => t1.max(now),
                _ => t,
            }
        });
        self.renew_at
            .map_or(0, |t| t.saturating_since(now).as_nanos() / 1_000_000_000)
    }

    /// The lease an ACK grants, timed from when the REQUEST was sent (RFC
    /// 2131 §4.4.1); `None` if the ACK lacks the lease time.
    pub(super) fn lease_from(&self, msg: &DhcpRepr, server: Ipv4Addr) -> Option<Lease> {
        let secs = msg.lease_time?;
        let mask = msg.subnet_mask.unwrap_or_else(|| natural_mask(msg.yiaddr));
        let prefix_len = u32::from(mask).leading_ones() as u8;
        let addr = Ipv4Cidr::new(msg.yiaddr, prefix_len)?;
        let at = |s: u64| {
            Some(self.request_sent + SimDuration::from_nanos(s.saturating_mul(1_000_000_000)))
        };
        let (t1, t2, expires) = if secs == INFINITE_LEASE {
            (None, None, None)
        } else {
            let lease = u64::from(secs);
            // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 times the lease.
            let t1 = msg.renewal_t1.map_or(lease / 2, u64::from).min(lease);
            let t2 = msg.rebinding_t2.map_or(lease * 7 / 8, u64::from).min(lease);
            (at(t1.min(t2)), at(t2), at(lease))
        };
        Some(Lease {
            addr,
            router: msg.routers.first().copied(),
            dns: msg.dns_servers.clone(),
            server_id: server,
            lease_secs: secs,
            t1,
            t2,
            expires,
        })
    }
}

/// The classful mask of an address, for an ACK without option 1.
fn natural_mask(ip: Ipv4Addr) -> Ipv4Addr {
    match ip.octets()[0] {
        0..=127 => Ipv4Addr::new(255, 0, 0, 0),
        128..=191 => Ipv4Addr::new(255, 255, 0, 0),
        _ => Ipv4Addr::new(255, 255, 255, 0),
    }
}
