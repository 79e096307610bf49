//! Request/response over TCP modelling HTTP/1.0 (a connection per request,
//! the server closes after the response, RFC 1945) and HTTP/1.1 (one
//! persistent connection, requests one after another, RFC 9112 §9.3).
//!
//! Messages are real HTTP text, so Wireshark decodes them: the client sends
//! `GET /object HTTP/1.x` with a `Host` header; the server answers `200 OK`
//! with a `Content-Length` and a body of the bulk [`pattern`], sized so that
//! the whole response (headers and body) is `response_size` bytes.
//! Simplifications: no pipelining, no chunked encoding, GET only.

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use super::bulk::{mismatches, pattern};
use super::{App, AppIo, AppStats};
use crate::packet::Ipv4Packet;
use crate::tcp::{AppSignal, Endpoint, SocketId, TcpConfig};

/// HTTP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpVersion {
    /// One connection per request.
    Http10,
    /// One persistent connection.
    Http11,
}

impl HttpVersion {
    fn text(self) -> &'static str {
        match self {
            HttpVersion::Http10 => "HTTP/1.0",
            HttpVersion::Http11 => "HTTP/1.1",
        }
    }
}

/// Client settings.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpClientConfig {
    /// The server.
    pub to: Endpoint,
    /// HTTP/1.0 or HTTP/1.1.
    pub version: HttpVersion,
    /// Requests to make.
    pub requests: u32,
    /// When the first request starts.
    pub start: SimTime,
    /// Pause between a response and the next request.
    pub think: SimDuration,
    /// TCP settings.
    pub tcp: TcpConfig,
}

/// What a client saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpClientStats {
    /// Requests answered in full.
    pub completed: u32,
    /// TCP connections opened.
    pub connections: u32,
    /// Time from each request's start (connect or send) to the last byte of its response.
    pub response_times: Vec<SimDuration>,
    /// Body bytes received.
    pub body_bytes: u64,
    /// Body bytes that did not match the pattern.
    pub mismatched: u64,
    /// Requests that failed (reset, timeout).
    pub failed: u32,
}

/// The response being read.
#[derive(Default)]
struct Reading {
    header: Vec<u8>,
    body_len: Option<u64>,
    body_read: u64,
}

/// An HTTP client.
pub struct HttpClient {
    cfg: HttpClientConfig,
    sock: Option<SocketId>,
    next_request: Option<SimTime>,
    request_started: SimTime,
    reading: Reading,
    in_request: bool,
    stats: HttpClientStats,
}

impl HttpClient {
    /// A client whose first request starts at `cfg.start`.
    pub fn new(cfg: HttpClientConfig) -> HttpClient {
        HttpClient {
            next_request: (cfg.requests > 0).then_some(cfg.start),
            cfg,
            sock: None,
            request_started: SimTime::ZERO,
            reading: Reading::default(),
            in_request: false,
            stats: HttpClientStats::default(),
        }
    }

    fn request_text(&self) -> Bytes {
        let keep = match self.cfg.version {
            HttpVersion::Http10 => "",
            HttpVersion::Http11 => "Connection: keep-alive\r\n",
        };
        format!(
            "GET /object/{} {}\r\nHost: {}\r\n{keep}\r\n",
            self.stats.completed + self.stats.failed + 1,
            self.cfg.version.text(),
            self.cfg.to.addr
        )
        .into_bytes()
        .into()
    }

    fn send_request(&mut self, io: &mut AppIo<'_>) {
        let (Some(sock), Some(tcp)) = (self.sock, io.tcp.as_mut()) else {
            return;
        };
        let req = self.request_text();
        tcp.write(sock, req);
        self.reading = Reading::default();
    }

    fn finish_request(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        self.in_request = false;
        self.stats.completed += 1;
        let took = now - self.request_started;
        self.stats.response_times.push(took);
        io.lines.push(format!(
            "response {} complete: {} body bytes in {}",
            self.stats.completed, self.reading.body_read, took
        ));
        let more = self.stats.completed + self.stats.failed < self.cfg.requests;
        match (self.cfg.version, more) {
            (HttpVersion::Http11, false) => {
                if let (Some(sock), Some(tcp)) = (self.sock, io.tcp.as_mut()) {
                    tcp.close(sock);
                }
            }
            (_, true) => self.next_request = Some(now + self.cfg.think),
            (HttpVersion::Http10, false) => {}
        }
    }

    fn read(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        let (Some(sock), Some(tcp)) = (self.sock, io.tcp.as_mut()) else {
            return;
        };
        for chunk in tcp.read(sock, usize::MAX) {
            let mut rest: &[u8] = &chunk;
            if self.reading.body_len.is_none() {
                self.reading.header.extend_from_slice(rest);
                let Some(end) = find(&self.reading.header, b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&self.reading.header[..end]).into_owned();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                self.reading.body_len = Some(len);
                let body: Vec<u8> = self.reading.header[end + 4..].to_vec();
                self.check_body(&body);
                rest = &[];
            }
            self.check_body(rest);
        }
        if self.in_request
            && self
                .reading
                .body_len
                .is_some_and(|l| self.reading.body_read >= l)
        {
            self.finish_request(now, io);
        }
    }

    fn check_body(&mut self, body: &[u8]) {
        let at = self.reading.body_read;
        let bad = mismatches(at, body);
        self.stats.mismatched += bad as u64;
        self.reading.body_read += body.len() as u64;
        self.stats.body_bytes += body.len() as u64;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl App for HttpClient {
    fn name(&self) -> &'static str {
        "http-client"
    }

    fn poll_at(&self) -> Option<SimTime> {
        self.next_request
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        if self.next_request.is_none_or(|t| t > now) {
            return;
        }
        self.next_request = None;
        self.in_request = true;
        self.request_started = now;
        match (self.cfg.version, self.sock) {
            (HttpVersion::Http11, Some(_)) => self.send_request(io),
            _ => {
                let Some(tcp) = io.tcp.as_mut() else { return };
                self.sock = tcp.connect(self.cfg.to, self.cfg.tcp.clone());
                self.stats.connections += 1;
                if self.sock.is_none() {
                    self.stats.failed += 1;
                    io.lines
                        .push(format!("connect to {}: no route", self.cfg.to));
                }
            }
        }
    }

    fn on_packet(&mut self, _: SimTime, _: &Ipv4Packet, _: &mut AppIo<'_>) -> bool {
        false
    }

    fn on_tcp(&mut self, now: SimTime, sock: SocketId, signal: AppSignal, io: &mut AppIo<'_>) {
        if Some(sock) != self.sock {
            return;
        }
        match signal {
            AppSignal::Connected => self.send_request(io),
            AppSignal::Readable => self.read(now, io),
            AppSignal::PeerClosed => {
                self.read(now, io);
                if let Some(tcp) = io.tcp.as_mut() {
                    tcp.close(sock);
                }
            }
            AppSignal::Closed { error } => {
                self.sock = None;
                if self.in_request {
                    self.in_request = false;
                    self.stats.failed += 1;
                    io.lines.push(format!(
                        "request failed: connection {}",
                        if error { "reset" } else { "closed early" }
                    ));
                    if self.stats.completed + self.stats.failed < self.cfg.requests {
                        self.next_request = Some(now + self.cfg.think);
                    }
                }
            }
            AppSignal::Writable => {}
        }
    }

    fn stats(&self) -> AppStats {
        AppStats::HttpClient(self.stats.clone())
    }
}

/// Server settings.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpServerConfig {
    /// Port to listen on.
    pub port: u16,
    /// Total bytes of each response, headers included.
    pub response_size: u64,
    /// Listen backlog.
    pub backlog: usize,
    /// TCP settings.
    pub tcp: TcpConfig,
}

struct ServerConn {
    sock: SocketId,
    request: Vec<u8>,
    /// The header block of the response being written.
    header: Vec<u8>,
    /// Response bytes still to write: (offset in the response, bytes left).
    pending: Option<(u64, u64)>,
    close_after: bool,
}

impl ServerConn {
    /// `len` bytes of the response from `offset`: header, then the body pattern.
    fn response_bytes(&self, offset: u64, len: usize) -> Bytes {
        let h = self.header.len() as u64;
        (offset..offset + len as u64)
            .map(|i| {
                if i < h {
                    self.header[i as usize]
                } else {
                    pattern(i - h)
                }
            })
            .collect::<Vec<u8>>()
            .into()
    }
}

/// An HTTP server.
pub struct HttpServer {
    cfg: HttpServerConfig,
    listening: bool,
    conns: Vec<ServerConn>,
    served: u32,
}

impl HttpServer {
    /// A server listening from time zero.
    pub fn new(cfg: HttpServerConfig) -> HttpServer {
        HttpServer {
            cfg,
            listening: false,
            conns: Vec::new(),
            served: 0,
        }
    }

    /// The header block for a body of `body` bytes.
    fn header(version: &str, body: u64, keep_alive: bool) -> String {
        let conn = if keep_alive { "keep-alive" } else { "close" };
        format!(
            "{version} 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body}\r\nConnection: {conn}\r\n\r\n"
        )
    }

    /// Header and body lengths such that together they are `total` bytes.
    fn split(version: &str, total: u64, keep_alive: bool) -> (String, u64) {
        let mut body = total.saturating_sub(Self::header(version, 0, keep_alive).len() as u64);
        loop {
            let h = Self::header(version, body, keep_alive);
            let sum = h.len() as u64 + body;
            if sum == total || body == 0 {
                return (h, body);
            }
            body = body
                .saturating_sub(sum.saturating_sub(total))
                .min(total.saturating_sub(h.len() as u64));
        }
    }

    fn pump(&mut self, k: usize, io: &mut AppIo<'_>) {
        let Some(tcp) = io.tcp.as_mut() else { return };
        let c = &mut self.conns[k];
        while let Some((offset, left)) = c.pending {
            if left == 0 {
                c.pending = None;
                if c.close_after {
                    tcp.close(c.sock);
                }
                break;
            }
            let len = left.min(64 * 1024) as usize;
            let taken = tcp.write(c.sock, c.response_bytes(offset, len)) as u64;
            c.pending = Some((offset + taken, left - taken));
            if taken < len as u64 {
                break;
            }
        }
    }

    fn on_readable(&mut self, k: usize, io: &mut AppIo<'_>) {
        let Some(tcp) = io.tcp.as_mut() else { return };
        let c = &mut self.conns[k];
        for chunk in tcp.read(c.sock, usize::MAX) {
            c.request.extend_from_slice(&chunk);
        }
        let Some(end) = find(&c.request, b"\r\n\r\n") else {
            return;
        };
        if c.pending.is_some() {
            return; // no pipelining: answer once the previous response is out
        }
        let head = String::from_utf8_lossy(&c.request[..end]).into_owned();
        c.request.drain(..end + 4);
        let http10 = head.lines().next().is_some_and(|l| l.ends_with("HTTP/1.0"));
        let keep_alive = !http10 && !head.contains("Connection: close");
        let version = if http10 { "HTTP/1.0" } else { "HTTP/1.1" };
        let (header, body) = Self::split(version, self.cfg.response_size, keep_alive);
        // Headers and body go to TCP together, as a server's sendfile would.
        c.header = header.into_bytes();
        c.pending = Some((0, c.header.len() as u64 + body));
        c.close_after = !keep_alive;
        self.served += 1;
        self.pump(k, io);
    }
}

impl App for HttpServer {
    fn name(&self) -> &'static str {
        "http-server"
    }

    fn poll_at(&self) -> Option<SimTime> {
        (!self.listening).then_some(SimTime::ZERO)
    }

    fn on_timer(&mut self, _: SimTime, io: &mut AppIo<'_>) {
        if !self.listening {
            self.listening = true;
            if let Some(tcp) = io.tcp.as_mut() {
                tcp.listen(self.cfg.port, self.cfg.backlog, false, self.cfg.tcp.clone());
            }
        }
    }

    fn on_packet(&mut self, _: SimTime, _: &Ipv4Packet, _: &mut AppIo<'_>) -> bool {
        false
    }

    fn on_tcp(&mut self, _now: SimTime, sock: SocketId, signal: AppSignal, io: &mut AppIo<'_>) {
        let k = match self.conns.iter().position(|c| c.sock == sock) {
            Some(k) => k,
            None if signal == AppSignal::Connected => {
                self.conns.push(ServerConn {
                    sock,
                    request: Vec::new(),
                    header: Vec::new(),
                    pending: None,
                    close_after: false,
                });
                return;
            }
            None => return,
        };
        match signal {
            AppSignal::Readable => self.on_readable(k, io),
            AppSignal::Writable => self.pump(k, io),
            AppSignal::PeerClosed => {
                if self.conns[k].pending.is_none() {
                    if let Some(tcp) = io.tcp.as_mut() {
                        tcp.close(sock);
                    }
                }
            }
            AppSignal::Closed { .. } => {
                self.conns.remove(k);
            }
            AppSignal::Connected => {}
        }
    }

    fn stats(&self) -> AppStats {
        AppStats::HttpServer {
            served: self.served,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_split_hits_the_total_exactly() {
        for total in [200u64, 4960, 100_000, 1_000_000] {
            let (h, body) = HttpServer::split("HTTP/1.1", total, true);
            assert_eq!(h.len() as u64 + body, total, "{total}");
            assert!(h.contains(&format!("Content-Length: {body}\r\n")));
        }
    }
}
