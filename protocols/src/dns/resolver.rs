//! The stub resolver of a host: one A query for one name, sent with RD set to
//! the host's DNS servers in turn, retransmitted after a timeout (RFC 1123
//! §6.1.3.3, RFC 1536 §1), `attempts` rounds over the server list, as glibc's
//! resolver does (defaults: `timeout:5 attempts:2`).
//!
//! A response counts when its id, its source (one of the servers) and its
//! question match. NOERROR with an A record (possibly behind CNAMEs) answers
//! the name; NOERROR without one is "no address"; NXDOMAIN is final; SERVFAIL
//! and REFUSED move on to the next server. The failures read as
//! `getaddrinfo` reports them.
//!
//! Deliberate simplifications: no cache, no search list, no AAAA query, the
//! same timeout for every try (glibc grows it after the first round).

use std::fmt;
use std::net::Ipv4Addr;

use rand::Rng;
use sim_core::{SimDuration, SimTime, StreamRng};

use super::canonical;
use crate::wire::{DnsQuestion, DnsRcode, DnsRepr, DnsType, RecordData};

/// Resolver settings (glibc `resolv.conf` options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolverConfig {
    /// How long to wait for each answer (glibc `timeout`, default 5 s).
    pub timeout: SimDuration,
    /// Rounds over the server list (glibc `attempts`, default 2).
    pub attempts: u32,
}

impl Default for ResolverConfig {
    fn default() -> Self {
        ResolverConfig {
            timeout: SimDuration::from_secs(5),
            attempts: 2,
        }
    }
}

/// Why a name did not resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// The name exists but has no address.
    NoData,
    /// Every server failed (SERVFAIL, REFUSED, ...), with the last rcode.
    ServerFailure(DnsRcode),
    /// No server answered.
    Timeout,
    /// The host has no DNS server.
    NoServer,
}

impl fmt::Display for ResolveError {
    /// The `gai_strerror` text for the error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NxDomain => f.write_str("Name or service not known"),
            ResolveError::NoData => f.write_str("No address associated with hostname"),
            ResolveError::ServerFailure(_) | ResolveError::Timeout | ResolveError::NoServer => {
                f.write_str("Temporary failure in name resolution")
            }
        }
    }
}

/// What the resolver asks of its host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolverOutput {
    /// Send `msg` to `to`, port 53.
    Query {
        /// The server.
        to: Ipv4Addr,
        /// The query.
        msg: DnsRepr,
    },
    /// Resolution finished.
    Done(Result<Ipv4Addr, ResolveError>),
}

/// A stub resolver looking up one name.
pub struct Resolver {
    cfg: ResolverConfig,
    name: String,
    servers: Vec<Ipv4Addr>,
    rng: StreamRng,
    id: u16,
    /// Tries made so far (each try: one server, one timeout).
    tries: u32,
    deadline: Option<SimTime>,
    done: bool,
}

impl Resolver {
    /// A resolver for `name`, not started.
    pub fn new(name: &str, cfg: ResolverConfig, rng: StreamRng) -> Resolver {
        Resolver {
            cfg,
            name: name.trim_end_matches('.').to_string(),
            servers: Vec::new(),
            rng,
            id: 0,
            tries: 0,
            deadline: None,
            done: false,
        }
    }

    /// The name being resolved.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the resolution has finished.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Starts resolving with `servers`.
    pub fn start(&mut self, now: SimTime, servers: &[Ipv4Addr]) -> Vec<ResolverOutput> {
        self.servers = servers.to_vec();
        if self.servers.is_empty() {
            self.done = true;
            return vec![ResolverOutput::Done(Err(ResolveError::NoServer))];
        }
        self.id = self.rng.random();
        self.next_try(now, None)
    }

    /// When a try times out.
    pub fn poll_at(&self) -> Option<SimTime> {
        self.deadline.filter(|_| !self.done)
    }

    /// Moves on after a timeout.
    pub fn on_timer(&mut self, now: SimTime) -> Vec<ResolverOutput> {
        if self.done || self.deadline.is_none_or(|t| t > now) {
            return Vec::new();
        }
        self.next_try(now, None)
    }

    /// The next try, or failure when all are used up.
    fn next_try(&mut self, now: SimTime, last_rcode: Option<DnsRcode>) -> Vec<ResolverOutput> {
        let total = self.cfg.attempts.max(1) * self.servers.len() as u32;
        if self.tries >= total {
            self.done = true;
            self.deadline = None;
            let e = last_rcode.map_or(ResolveError::Timeout, ResolveError::ServerFailure);
            return vec![ResolverOutput::Done(Err(e))];
        }
        let to = self.servers[self.tries as usize % self.servers.len()];
        self.tries += 1;
        self.deadline = Some(now + self.cfg.timeout);
        vec![ResolverOutput::Query {
            to,
            msg: DnsRepr {
                id: self.id,
                response: false,
                opcode: 0,
                authoritative: false,
                truncated: false,
                recursion_desired: true,
                recursion_available: false,
                rcode: DnsRcode::NoError,
                questions: vec![DnsQuestion::new(self.name.clone(), DnsType::A)],
                answers: Vec::new(),
                authority: Vec::new(),
                additional: Vec::new(),
            },
        }]
    }

    /// A response arrived from `from`.
    pub fn on_response(
        &mut self,
        now: SimTime,
        from: Ipv4Addr,
        r: &DnsRepr,
    ) -> Vec<ResolverOutput> {
        let matches = !self.done
            && r.response
            && r.id == self.id
            && self.servers.contains(&from)
            && r.questions.len() == 1
            && canonical(&r.questions[0].name) == canonical(&self.name);
        if !matches {
            return Vec::new();
        }
        let result = match r.rcode {
            DnsRcode::NoError => Ok(first_address(&self.name, r).ok_or(ResolveError::NoData)),
            DnsRcode::NxDomain => Ok(Err(ResolveError::NxDomain)),
            other => Err(other),
        };
        match result {
            Ok(done) => {
                self.done = true;
                self.deadline = None;
                vec![ResolverOutput::Done(done)]
            }
            // SERVFAIL, REFUSED, ...: try the next server at once.
            Err(rcode) => self.next_try(now, Some(rcode)),
        }
    }
}

/// The first A record for `name`, following the CNAME chain in the answer.
fn first_address(name: &str, r: &DnsRepr) -> Option<Ipv4Addr> {
    let mut current = canonical(name);
    for _ in 0..=r.answers.len() {
        if let Some(ip) = r.answers.iter().find_map(|a| match &a.data {
            RecordData::A(ip) if canonical(&a.name) == current => Some(*ip),
            _ => None,
        }) {
            return Some(ip);
        }
        current = r.answers.iter().find_map(|a| match &a.data {
            RecordData::Cname(t) if canonical(&a.name) == current => Some(canonical(t)),
            _ => None,
        })?;
    }
    None
}
