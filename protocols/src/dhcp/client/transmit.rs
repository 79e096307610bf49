//! What the client sends: its messages (RFC 2131 §4.3.2 for their fields),
//! their retransmission (RFC 2131 §4.1, §4.4.5), and DHCPRELEASE (§4.4.6).

use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use super::{
    ClientOutput, ClientState, DhcpClient, Lease, MAX_REQUEST_RETRANSMISSIONS, SaturatingSub,
};
use crate::dhcp::{
    RENEW_RETRANSMIT_MIN, RETRANSMIT_FIRST, RETRANSMIT_FUZZ, RETRANSMIT_MAX, uniform,
};
use crate::wire::dhcpv4::option_code as opt;
use crate::wire::{DhcpMessageType, DhcpOp, DhcpRepr};

impl DhcpClient {
    /// A message of `ty` with the client's identity and the parameters it asks for.
    pub(super) fn message(&self, now: SimTime, ty: DhcpMessageType) -> DhcpRepr {
        let secs = now.saturating_since(self.began).as_nanos() / 1_000_000_000;
        DhcpRepr {
            secs: u16::try_from(secs).unwrap_or(u16::MAX),
            hostname: self.cfg.hostname.clone(),
            client_id: Some(self.cfg.mac),
            parameter_request_list: vec![
                opt::SUBNET_MASK,
                opt::ROUTER,
                opt::DNS_SERVERS,
                opt::LEASE_TIME,
                opt::RENEWAL_T1,
                opt::REBINDING_T2,
            ],
            ..DhcpRepr::new(DhcpOp::BootRequest, ty, self.xid, self.cfg.mac)
        }
    }

    /// RFC 2131 §4.3.2 "RENEWING"/"REBINDING": ciaddr set, no server id, no requested address.
    pub(super) fn renew_request(&self, lease: &Lease) -> DhcpRepr {
        let mut req = self.message(self.began, DhcpMessageType::Request);
        req.ciaddr = lease.addr.addr;
        req
    }

    pub(super) fn discover(&mut self, now: SimTime, out: &mut Vec<ClientOutput>) {
        self.new_exchange(now);
        self.pending = None;
        self.probe = None;
        let mut msg = self.message(now, DhcpMessageType::Discover);
        msg.requested_ip = self.last_addr;
        self.set_state(ClientState::Selecting, "DHCPDISCOVER".into(), out);
        self.send_first(now, msg, Ipv4Addr::UNSPECIFIED, Ipv4Addr::BROADCAST, out);
    }

    /// Sends the first copy of a message and arms its retransmission.
    pub(super) fn send_first(
        &mut self,
        now: SimTime,
        msg: DhcpRepr,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        out: &mut Vec<ClientOutput>,
    ) {
        self.tries = 0;
        if msg.message_type == DhcpMessageType::Request && self.state == ClientState::Requesting {
            self.request_sent = now;
        }
        self.last = Some((msg, src, dst));
        self.transmit(now, out);
    }

    pub(super) fn transmit(&mut self, now: SimTime, out: &mut Vec<ClientOutput>) {
        let Some((mut msg, src, dst)) = self.last.clone() else {
            return;
        };
        let secs = now.saturating_since(self.began).as_nanos() / 1_000_000_000;
        msg.secs = u16::try_from(secs).unwrap_or(u16::MAX);
        if matches!(self.state, ClientState::Renewing | ClientState::Rebinding) {
            // RFC 2131 §4.4.5: each message of a renewal counts as a new request.
            self.request_sent = now;
        }
        match msg.message_type {
            DhcpMessageType::Discover => self.stats.discovers += 1,
            DhcpMessageType::Request => self.stats.requests += 1,
            _ => {}
        }
        self.tries += 1;
        self.retransmit_at = self.next_retransmission(now);
        out.push(ClientOutput::Send { msg, src, dst });
    }

    /// RFC 2131 §4.1 and §4.4.5: when the message just sent is repeated.
    pub(super) fn next_retransmission(&mut self, now: SimTime) -> Option<SimTime> {
        match self.state {
            ClientState::Renewing | ClientState::Rebinding => {
                let lease = self.lease.as_ref()?;
                let until = if self.state == ClientState::Renewing {
                    lease.t2?
                } else {
                    lease.expires?
                };
                let half = SimDuration::from_nanos(until.saturating_since(now).as_nanos() / 2);
                let at = now + half.max(RENEW_RETRANSMIT_MIN);
                (at < until).then_some(at)
            }
            _ => {
                let shift = (self.tries - 1).min(4);
                let base = SimDuration::from_nanos(RETRANSMIT_FIRST.as_nanos() << shift)
                    .min(RETRANSMIT_MAX);
                let fuzz = uniform(
                    &mut self.rng,
                    SimDuration::ZERO,
                    RETRANSMIT_FUZZ + RETRANSMIT_FUZZ,
                );
                Some((now + base + fuzz).saturating_sub_duration(RETRANSMIT_FUZZ))
            }
        }
    }

    pub(super) fn retransmit(&mut self, now: SimTime, out: &mut Vec<ClientOutput>) {
        self.retransmit_at = None;
        if self.state == ClientState::Requesting && self.tries > MAX_REQUEST_RETRANSMISSIONS {
            self.restart(now, "no DHCPACK after retransmissions", out);
            return;
        }
        if self.last.is_some() {
            self.transmit(now, out);
        }
    }

    /// Gives the lease back (RFC 2131 §4.4.6) and stops.
    pub(super) fn release(&mut self, now: SimTime, out: &mut Vec<ClientOutput>) {
        self.released = true;
        self.retransmit_at = None;
        self.start_at = None;
        self.probe = None;
        self.pending = None;
        if let Some(lease) = self.lease.clone() {
            self.new_exchange(now);
            let mut msg = self.message(now, DhcpMessageType::Release);
            msg.secs = 0;
            msg.parameter_request_list.clear();
            msg.ciaddr = lease.addr.addr;
            msg.server_id = Some(lease.server_id);
            self.stats.releases += 1;
            out.push(ClientOutput::Send {
                msg,
                src: lease.addr.addr,
                dst: lease.server_id,
            });
            self.drop_lease(&lease, "DHCPRELEASE", out);
        }
        self.set_state(ClientState::Init, "released, stopped".into(), out);
    }
}
