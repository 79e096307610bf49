//! A host's TCP: listeners, connections, demultiplexing, initial sequence
//! numbers (RFC 6528), the listen backlog and SYN cookies, and the handle
//! applications use to open, write, read and close connections.
//!
//! Demultiplexing (RFC 9293 §3.10.7): a segment goes to the connection with its
//! exact 4-tuple, else to a listener on its port, else the CLOSED-state reset
//! of [`super::rst_for`] answers it.
//!
//! Listen backlog: at most `backlog` connections may be half-open
//! (SYN-RECEIVED) per listener; further SYNs are dropped (and traced), which is
//! what a SYN flood exploits. With SYN cookies on, a SYN arriving at a full
//! queue is answered statelessly with a SYN-ACK whose ISN encodes the
//! connection (a hash of the 4-tuple and a 64-second counter, plus an MSS
//! index, as Linux does); a valid returning ACK creates the connection.
//! Simplification: a cookie connection keeps no window-scale or SACK option
//! (Linux recovers them from timestamps; netsim does not).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use bytes::Bytes;
use rand::Rng;
use sim_core::{SimTime, StreamRng, stable_hash};

use super::config::TcpConfig;
use super::connection::{AppSignal, Endpoint, Outgoing, SendCause, Tcb, announced_mss};
use super::state::State;
use super::trace::{TcpSample, TcpTrace};
use crate::trace::TraceLevel;
use crate::wire::{TcpFlags, TcpOptions, TcpRepr, TcpSeq};

/// Names a connection within its host.
pub type SocketId = u32;

/// Lowest ephemeral port (Linux `ip_local_port_range`).
pub const EPHEMERAL_FIRST: u16 = 32768;
/// Highest ephemeral port.
pub const EPHEMERAL_LAST: u16 = 60999;

/// MSS values a SYN cookie can encode (Linux's table).
const COOKIE_MSS: [u16; 4] = [536, 1300, 1440, 1460];

/// A segment ready for IP: source and destination address plus the segment.
#[derive(Clone, Debug)]
pub struct Transmit {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// The segment.
    pub segment: Outgoing,
    /// Send the datagram ECN-capable, ECT(0) (RFC 3168 §6.1.2).
    pub ect: bool,
}

struct Listener {
    owner: usize,
    cfg: TcpConfig,
    backlog: usize,
    syn_cookies: bool,
    mtu: u32,
}

struct Socket {
    tcb: Tcb,
    owner: usize,
    listener: Option<u16>,
    /// The last sample traced, and the sequence numbers it was counted from.
    sample: Option<(TcpSample, TcpSeq, TcpSeq)>,
}

/// A host's TCP.
pub struct TcpStack {
    listeners: BTreeMap<u16, Listener>,
    sockets: Vec<Option<Socket>>,
    by_tuple: BTreeMap<(u16, Ipv4Addr, u16), SocketId>,
    secret: u64,
    next_port: u16,
    /// Segments to send.
    pub transmits: Vec<Transmit>,
    /// Trace records: the connection (local, remote) and what happened.
    pub traces: Vec<(Endpoint, Endpoint, TcpTrace)>,
    /// Signals for applications: (owner app, socket, signal).
    pub signals: Vec<(usize, SocketId, AppSignal)>,
    /// Which trace records and samples anyone wants (set by the node).
    pub trace: TraceLevel,
}

/// The connection's sample if it differs from the last one traced; updates
/// the running byte counts from the sequence numbers' progress.
fn next_sample(tcb: &Tcb, last: &mut Option<(TcpSample, TcpSeq, TcpSeq)>) -> Option<TcpSample> {
    let (mut sent, mut delivered, nxt0, una0) = match last {
        Some((s, n, u)) => (s.sent, s.delivered, *n, *u),
        None => (0, 0, tcb.buf_seq, tcb.buf_seq),
    };
    // Progress of SND.MAX and SND.UNA past the previous sample (SYN excluded:
    // counting starts at the first data byte).
    let fwd = |from: TcpSeq, to: TcpSeq| (to - from).max(0) as u64;
    // Data ends where the FIN (if any) begins: the FIN is not data.
    let data_end = tcb.buf_seq + tcb.send.len();
    let clamp = |x: TcpSeq| if x.gt(data_end) { data_end } else { x };
    let max_now = if tcb.snd_max.gt(nxt0) {
        clamp(tcb.snd_max)
    } else {
        nxt0
    };
    let una_now = if tcb.snd_una.gt(una0) {
        clamp(tcb.snd_una)
    } else {
        una0
    };
    sent += fwd(nxt0, max_now);
    delivered += fwd(una0, una_now);
    let sample = TcpSample {
        cwnd: tcb.cwnd(),
        ssthresh: tcb.ssthresh(),
        in_flight: tcb.bytes_in_flight(),
        srtt: tcb.rtt().srtt(),
        rttvar: tcb.rtt().rttvar(),
        rto: tcb.rtt().rto(),
        sent,
        delivered,
        rtt: tcb.rtt().latest(),
        rtt_samples: tcb.rtt().sample_count(),
    };
    let changed = last.is_none_or(|(s, _, _)| s != sample);
    *last = Some((sample, max_now, una_now));
    changed.then_some(sample)
}

impl TcpStack {
    /// A stack whose ISN secret and ephemeral ports come from `rng`.
    pub fn new(mut rng: StreamRng) -> TcpStack {
        TcpStack {
            listeners: BTreeMap::new(),
            sockets: Vec::new(),
            by_tuple: BTreeMap::new(),
            secret: rng.random(),
            next_port: rng.random_range(EPHEMERAL_FIRST..=EPHEMERAL_LAST),
            transmits: Vec::new(),
            traces: Vec::new(),
            signals: Vec::new(),
            trace: TraceLevel::default(),
        }
    }

    /// RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond clock.
    fn isn(&self, now: SimTime, local: Endpoint, remote: Endpoint) -> TcpSeq {
        let m = (now.as_nanos() / 4_000) as u32;
        TcpSeq(m.wrapping_add(self.tuple_hash(local, remote, 0) as u32))
    }

    fn tuple_hash(&self, local: Endpoint, remote: Endpoint, extra: u64) -> u64 {
        let mut bytes = Vec::with_capacity(28);
        bytes.extend_from_slice(&self.secret.to_le_bytes());
        bytes.extend_from_slice(&local.addr.octets());
        bytes.extend_from_slice(&local.port.to_be_bytes());
        bytes.extend_from_slice(&remote.addr.octets());
        bytes.extend_from_slice(&remote.port.to_be_bytes());
        bytes.extend_from_slice(&extra.to_le_bytes());
        stable_hash(&bytes)
    }

    /// Starts listening on `port`; signals for accepted connections go to `owner`.
    pub fn listen(
        &mut self,
        owner: usize,
        port: u16,
        backlog: usize,
        syn_cookies: bool,
        cfg: TcpConfig,
        mtu: u32,
    ) {
        self.listeners.insert(
            port,
            Listener {
                owner,
                cfg,
                backlog,
                syn_cookies,
                mtu,
            },
        );
    }

    /// Active open from `local_addr` (an ephemeral port is chosen) to `remote`.
    pub fn connect(
        &mut self,
        now: SimTime,
        owner: usize,
        local_addr: Ipv4Addr,
        remote: Endpoint,
        cfg: TcpConfig,
        mtu: u32,
    ) -> SocketId {
        let port = self.ephemeral_port(remote);
        let local = Endpoint {
            addr: local_addr,
            port,
        };
        self.open(now, owner, local, remote, cfg, mtu)
    }

    /// Active open from a given local port (for simultaneous open, where both
    /// ends name each other's port).
    pub fn open(
        &mut self,
        now: SimTime,
        owner: usize,
        local: Endpoint,
        remote: Endpoint,
        cfg: TcpConfig,
        mtu: u32,
    ) -> SocketId {
        let iss = self.isn(now, local, remote);
        let mut out = Vec::new();
        let tcb = Tcb::connect(now, cfg, local, remote, iss, mtu, &mut out);
        let id = self.insert(Socket {
            tcb,
            owner,
            listener: None,
            sample: None,
        });
        self.flush(id, out);
        id
    }

    fn ephemeral_port(&mut self, remote: Endpoint) -> u16 {
        loop {
            let p = self.next_port;
            self.next_port = if p >= EPHEMERAL_LAST {
                EPHEMERAL_FIRST
            } else {
                p + 1
            };
            if !self.by_tuple.contains_key(&(p, remote.addr, remote.port))
                && !self.listeners.contains_key(&p)
            {
                return p;
            }
        }
    }

    fn insert(&mut self, s: Socket) -> SocketId {
        let key = (s.tcb.local.port, s.tcb.remote.addr, s.tcb.remote.port);
        let id = match self.sockets.iter().position(Option::is_none) {
            Some(i) => {
                self.sockets[i] = Some(s);
                i as SocketId
            }
            None => {
                self.sockets.push(Some(s));
                (self.sockets.len() - 1) as SocketId
            }
        };
        self.by_tuple.insert(key, id);
        id
    }

    /// The connection behind a socket, if it still exists.
    pub fn tcb(&self, id: SocketId) -> Option<&Tcb> {
        self.sockets.get(id as usize)?.as_ref().map(|s| &s.tcb)
    }

    /// Queues data; returns the bytes accepted.
    pub fn write(&mut self, now: SimTime, id: SocketId, data: Bytes) -> usize {
        self.with(now, id, |t, _, _| t.write(data)).unwrap_or(0)
    }

    /// Reads up to `max` bytes.
    pub fn read(&mut self, now: SimTime, id: SocketId, max: usize) -> Vec<Bytes> {
        self.with(now, id, |t, _, _| t.read(max))
            .unwrap_or_default()
    }

    /// Closes our direction (FIN after the data).
    pub fn close(&mut self, now: SimTime, id: SocketId) {
        self.with(now, id, |t, now, out| t.close(now, out));
    }

    /// Aborts with a reset.
    pub fn abort(&mut self, now: SimTime, id: SocketId) {
        self.with(now, id, |t, _, out| t.abort(out));
    }

    /// Runs `f` on a connection, then lets it send what is now due.
    fn with<R>(
        &mut self,
        now: SimTime,
        id: SocketId,
        f: impl FnOnce(&mut Tcb, SimTime, &mut Vec<Outgoing>) -> R,
    ) -> Option<R> {
        let s = self.sockets.get_mut(id as usize)?.as_mut()?;
        let mut out = Vec::new();
        let r = f(&mut s.tcb, now, &mut out);
        s.tcb.output(now, &mut out);
        self.flush(id, out);
        Some(r)
    }

    /// A segment from `src` to `dst` arrived. Returns `false` if nothing here
    /// wanted it (the caller answers with the CLOSED-state reset).
    pub fn on_segment(
        &mut self,
        now: SimTime,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        seg: &TcpRepr,
        payload: Bytes,
        ce: bool,
    ) -> bool {
        let remote = Endpoint {
            addr: src,
            port: seg.src_port,
        };
        let local = Endpoint {
            addr: dst,
            port: seg.dst_port,
        };
        if let Some(&id) = self.by_tuple.get(&(local.port, remote.addr, remote.port)) {
            let s = self.sockets[id as usize].as_mut().expect("indexed socket");
            let mut out = Vec::new();
            s.tcb.on_segment_ecn(now, seg, payload, ce, &mut out);
            self.flush(id, out);
            return true;
        }
        let Some(listener) = self.listeners.get(&local.port) else {
            return false;
        };
        // RFC 9293 §3.10.7.2 (LISTEN).
        if seg.flags.rst {
            return true; // ignore
        }
        if let Some(ack) = seg.ack {
            if listener.syn_cookies && !seg.flags.syn {
                if let Some(mss) = self.check_cookie(now, local, remote, ack - 1) {
                    self.accept_cookie(now, local, remote, seg, payload, mss);
                    return true;
                }
            }
            // Any acknowledgment in LISTEN is bad: <SEQ=SEG.ACK><CTL=RST>.
            return false;
        }
        if !seg.flags.syn {
            return true; // drop
        }
        let half_open = self
            .sockets
            .iter()
            .flatten()
            .filter(|s| s.listener == Some(local.port) && s.tcb.state() == State::SynReceived)
            .count();
        if half_open >= listener.backlog {
            if listener.syn_cookies {
                // The window the connection will have (unscaled: no WS option).
                // What the connection will have: its window (unscaled, no WS
                // option) and our own MSS.
                let window = listener.cfg.recv_buffer.min(usize::from(u16::MAX)) as u16;
                let mss = announced_mss(&listener.cfg, listener.mtu);
                self.send_cookie(now, local, remote, seg, window, mss);
            } else {
                self.record(local, remote, TcpTrace::ListenQueueFull);
            }
            return true;
        }
        let (cfg, mtu, owner) = (listener.cfg.clone(), listener.mtu, listener.owner);
        let iss = self.isn(now, local, remote);
        let mut out = Vec::new();
        let tcb = Tcb::accept(now, cfg, local, remote, iss, mtu, seg, &mut out);
        let id = self.insert(Socket {
            tcb,
            owner,
            listener: Some(local.port),
            sample: None,
        });
        self.flush(id, out);
        true
    }

    /// The SYN cookie for this connection at time `now` (counter `t`, 64 s steps).
    fn cookie(&self, local: Endpoint, remote: Endpoint, t: u64, mss_index: u32) -> TcpSeq {
        let h = self.tuple_hash(local, remote, t) as u32 & 0x00ff_ffff;
        TcpSeq(((t as u32 & 0x1f) << 27) | (mss_index << 24) | h)
    }

    /// A SYN-ACK whose ISN is the cookie. It announces our `mss`; the
    /// cookie encodes the peer's (rounded down to Linux's table).
    fn send_cookie(
        &mut self,
        now: SimTime,
        local: Endpoint,
        remote: Endpoint,
        syn: &TcpRepr,
        window: u16,
        mss: u16,
    ) {
        let peer_mss = syn.options.mss.unwrap_or(536);
        let idx = COOKIE_MSS.iter().rposition(|&m| m <= peer_mss).unwrap_or(0) as u32;
        let t = now.as_nanos() / 64_000_000_000;
        let isn = self.cookie(local, remote, t, idx);
        let repr = TcpRepr {
            src_port: local.port,
            dst_port: remote.port,
            seq: isn,
            ack: Some(syn.seq + 1),
            flags: TcpFlags::SYN,
            window,
            urgent: 0,
            options: TcpOptions {
                mss: Some(mss),
                ..TcpOptions::default()
            },
        };
        self.record(local, remote, TcpTrace::SynCookieSent);
        self.push_transmit(
            local,
            remote,
            Outgoing {
                repr,
                payload: Bytes::new(),
                cause: SendCause::SynAck,
            },
            false,
        );
    }

    fn check_cookie(
        &self,
        now: SimTime,
        local: Endpoint,
        remote: Endpoint,
        isn: TcpSeq,
    ) -> Option<u16> {
        let t_now = now.as_nanos() / 64_000_000_000;
        let idx = (isn.0 >> 24) & 0x3;
        [t_now, t_now.wrapping_sub(1)]
            .into_iter()
            .any(|t| self.cookie(local, remote, t, idx) == isn)
            .then(|| COOKIE_MSS[idx as usize])
    }

    fn accept_cookie(
        &mut self,
        now: SimTime,
        local: Endpoint,
        remote: Endpoint,
        ack_seg: &TcpRepr,
        payload: Bytes,
        mss: u16,
    ) {
        let Some(listener) = self.listeners.get(&local.port) else {
            return;
        };
        let (mut cfg, mtu, owner) = (listener.cfg.clone(), listener.mtu, listener.owner);
        cfg.window_scaling = false;
        cfg.sack = false;
        cfg.timestamps = false;
        let iss = ack_seg.ack.expect("cookie ACK") - 1;
        // Rebuild the SYN this ACK answers, then let the connection take the ACK.
        let syn = TcpRepr {
            src_port: remote.port,
            dst_port: local.port,
            seq: ack_seg.seq - 1,
            ack: None,
            flags: TcpFlags::SYN,
            window: ack_seg.window,
            urgent: 0,
            options: TcpOptions {
                mss: Some(mss),
                ..TcpOptions::default()
            },
        };
        let mut discard = Vec::new();
        let mut tcb = Tcb::accept(now, cfg, local, remote, iss, mtu, &syn, &mut discard);
        tcb.notes.clear();
        // The SYN-ACK went out earlier, at a time nobody kept: no RTT sample.
        tcb.rtt_probe = None;
        self.record(local, remote, TcpTrace::SynCookieAccepted);
        let mut out = Vec::new();
        tcb.on_segment(now, ack_seg, payload, &mut out);
        let id = self.insert(Socket {
            tcb,
            owner,
            listener: Some(local.port),
            sample: None,
        });
        self.flush(id, out);
    }

    /// When the stack next needs [`TcpStack::on_timer`].
    pub fn poll_at(&self) -> Option<SimTime> {
        self.sockets
            .iter()
            .flatten()
            .filter_map(|s| s.tcb.poll_at())
            .min()
    }

    /// Runs every connection timer due at `now`.
    pub fn on_timer(&mut self, now: SimTime) {
        for id in 0..self.sockets.len() {
            let Some(s) = self.sockets[id].as_mut() else {
                continue;
            };
            if s.tcb.poll_at().is_some_and(|t| t <= now) {
                let mut out = Vec::new();
                s.tcb.on_timer(now, &mut out);
                self.flush(id as SocketId, out);
            }
        }
    }

    /// Keeps `trace` for the node to emit if anyone wants it: its own
    /// [`TcpTrace::detail`] decides.
    fn record(&mut self, local: Endpoint, remote: Endpoint, trace: TcpTrace) {
        if self.trace.wants(trace.detail()) {
            self.traces.push((local, remote, trace));
        }
    }

    fn push_transmit(&mut self, local: Endpoint, remote: Endpoint, segment: Outgoing, ect: bool) {
        if self.trace.max.is_some() {
            let sent = TcpTrace::Sent {
                repr: segment.repr,
                len: segment.payload.len(),
                cause: segment.cause,
            };
            self.record(local, remote, sent);
        }
        self.transmits.push(Transmit {
            src: local.addr,
            dst: remote.addr,
            segment,
            ect,
        });
    }

    /// Moves a connection's segments, notes and signals out, and forgets it once CLOSED.
    fn flush(&mut self, id: SocketId, out: Vec<Outgoing>) {
        let s = self.sockets[id as usize].as_mut().expect("live socket");
        let (local, remote, owner) = (s.tcb.local, s.tcb.remote, s.owner);
        let notes = std::mem::take(&mut s.tcb.notes);
        let signals = std::mem::take(&mut s.tcb.signals);
        let state = s.tcb.state();
        for n in notes {
            self.record(local, remote, n);
        }
        let s = self.sockets[id as usize].as_mut().expect("live socket");
        if self.trace.series && s.tcb.state().is_synchronized() {
            if let Some(sample) = next_sample(&s.tcb, &mut s.sample) {
                self.traces.push((local, remote, TcpTrace::Sample(sample)));
            }
        }
        let ect: Vec<bool> = out.iter().map(|o| s.tcb.is_ect(o)).collect();
        for (seg, ect) in out.into_iter().zip(ect) {
            self.push_transmit(local, remote, seg, ect);
        }
        for sig in signals {
            self.signals.push((owner, id, sig));
        }
        // CLOSED, or LISTEN after a reset in SYN-RECEIVED (the listener carries
        // on): the connection is forgotten.
        if matches!(state, State::Closed | State::Listen) {
            self.by_tuple
                .remove(&(local.port, remote.addr, remote.port));
            self.sockets[id as usize] = None;
        }
    }
}
