//! An application whose target is a host name: at its start time it resolves
//! the name with a stub [`Resolver`] (an A query to the host's DNS server,
//! from its own UDP port), then starts the application proper with the
//! address, at the time the answer came. If the name does not resolve it
//! prints what `getaddrinfo` would (`ping: nope.example: Name or service not
//! known`) and never starts.

use std::net::Ipv4Addr;

use sim_core::{SimTime, StreamRng};

use super::dns::dns_datagram;
use super::{App, AppIo, AppStats};
use crate::dns::{Resolver, ResolverConfig, ResolverOutput};
use crate::packet::{IpBody, Ipv4Packet};
use crate::tcp::{AppSignal, SocketId};
use crate::wire::DnsRepr;
use crate::wire::dns::SERVER_PORT;

/// Builds the application proper for a resolved address, starting at a time.
pub type MakeApp = Box<dyn Fn(Ipv4Addr, SimTime) -> Box<dyn App>>;

/// Resolves a name, then runs the application built for its address.
pub struct Named {
    resolver: Resolver,
    start: SimTime,
    port: u16,
    started: bool,
    make: MakeApp,
    /// Before the name resolves: the application as it would be, never run
    /// (for its name and empty statistics).
    placeholder: Box<dyn App>,
    inner: Option<Box<dyn App>>,
    failed: Option<String>,
}

impl Named {
    /// `make`'s application, for the address of `name`, resolving from UDP
    /// `port` at `start`.
    pub fn new(
        name: &str,
        start: SimTime,
        port: u16,
        cfg: ResolverConfig,
        rng: StreamRng,
        make: MakeApp,
    ) -> Named {
        Named {
            resolver: Resolver::new(name, cfg, rng),
            start,
            port,
            started: false,
            placeholder: make(Ipv4Addr::UNSPECIFIED, SimTime::MAX),
            make,
            inner: None,
            failed: None,
        }
    }

    fn handle(&mut self, now: SimTime, outputs: Vec<ResolverOutput>, io: &mut AppIo<'_>) {
        for o in outputs {
            match o {
                ResolverOutput::Query { to, msg } => {
                    io.send.push(dns_datagram(&msg, to, self.port, SERVER_PORT));
                }
                ResolverOutput::Done(Ok(ip)) => {
                    io.lines
                        .push(format!("{} resolved to {ip}", self.resolver.name()));
                    self.inner = Some((self.make)(ip, now));
                }
                ResolverOutput::Done(Err(e)) => {
                    let line = format!("{}: {e}", self.resolver.name());
                    io.lines.push(line.clone());
                    self.failed = Some(e.to_string());
                }
            }
        }
    }
}

impl App for Named {
    fn name(&self) -> &'static str {
        self.placeholder.name()
    }

    fn poll_at(&self) -> Option<SimTime> {
        if let Some(inner) = &self.inner {
            inner.poll_at()
        } else if !self.started {
            Some(self.start)
        } else {
            self.resolver.poll_at()
        }
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        if let Some(inner) = &mut self.inner {
            inner.on_timer(now, io);
        } else if !self.started {
            if now < self.start {
                return;
            }
            self.started = true;
            io.udp_bind.push((self.port, None));
            let out = self.resolver.start(now, io.dns_servers);
            self.handle(now, out, io);
        } else {
            let out = self.resolver.on_timer(now);
            self.handle(now, out, io);
        }
    }

    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        if let IpBody::Udp { header, payload } = &packet.body {
            if header.dst_port == self.port && header.src_port == SERVER_PORT {
                if self.inner.is_none() {
                    if let Ok(msg) = DnsRepr::parse(payload) {
                        let out = self.resolver.on_response(now, packet.header.src, &msg);
                        self.handle(now, out, io);
                    }
                }
                return true;
            }
        }
        match &mut self.inner {
            Some(inner) => inner.on_packet(now, packet, io),
            None => false,
        }
    }

    fn on_tcp(&mut self, now: SimTime, sock: SocketId, signal: AppSignal, io: &mut AppIo<'_>) {
        if let Some(inner) = &mut self.inner {
            inner.on_tcp(now, sock, signal, io);
        }
    }

    fn stats(&self) -> AppStats {
        match (&self.inner, &self.failed) {
            (Some(inner), _) => inner.stats(),
            (None, Some(error)) => AppStats::Unresolved {
                app: self.placeholder.name(),
                name: self.resolver.name().to_string(),
                error: error.clone(),
            },
            (None, None) => self.placeholder.stats(),
        }
    }
}
