//! What an event says of itself, for the sinks that print every event: its
//! text-trace [`Line`] and its machine-readable [`Fields`].
//!
//! [`Fields`] has one slot per [`Field`], and a record lists its fields in
//! the order of [`Field`], whatever order an event fills them in: the order
//! of keys in `events.jsonl` is fixed by this one list.

use std::net::Ipv4Addr;

use crate::packet::{Frame, IpBody, Ipv4Packet};
use crate::topology::{IfaceId, NodeId};

/// An event's line in the text trace (the sink lays out the columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The node column (`*` when `None`).
    pub node: Option<NodeId>,
    /// The interface column (`*` when `None`).
    pub iface: Option<IfaceId>,
    /// The kind column: `>`, `<`, `x`, `fwd`, `arp`, an application's name, ...
    pub kind: &'a str,
    /// The rest of the line.
    pub summary: String,
}

/// One field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A borrowed string.
    Str(&'a str),
    /// An owned string.
    Text(String),
    /// A non-negative integer.
    Uint(u64),
    /// A flag.
    Bool(bool),
    /// An IPv4 address (written as a string).
    Ip(Ipv4Addr),
    /// A list of sizes.
    Sizes(Vec<usize>),
}

macro_rules! fields {
    ($($variant:ident => $key:literal),* $(,)?) => {
        /// Every field an event record can have, in the order records list them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Field { $($variant),* }

        impl Field {
            /// Every field, in record order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The field's key in `events.jsonl`.
            pub fn key(self) -> &'static str {
                match self { $(Field::$variant => $key),* }
            }
        }
    };
}

fields! {
    TNs => "t_ns", T => "t", Kind => "kind",
    Node => "node", Iface => "iface", From => "from", Link => "link", Direction => "direction",
    Summary => "summary", Len => "len", EthSrc => "eth_src", EthDst => "eth_dst",
    Src => "src", Dst => "dst", Ttl => "ttl", Ident => "ident", Proto => "proto",
    FragOffset => "frag_offset", MoreFrags => "more_frags", Sport => "sport", Dport => "dport",
    Seq => "seq", Ack => "ack", Flags => "flags", Win => "win", PayloadLen => "payload_len",
    BacklogPackets => "backlog_packets", BacklogBytes => "backlog_bytes",
    Reason => "reason", ReasonText => "reason_text", Mtu => "mtu", Sizes => "sizes",
    Fragments => "fragments", Arp => "arp", Ip => "ip", Mac => "mac", Attempt => "attempt",
    Change => "change", Setting => "setting", Local => "local", Remote => "remote", Tcp => "tcp",
    StateFrom => "state_from", StateTo => "state_to", Cause => "cause", RtoNs => "rto_ns",
    Dhcp => "dhcp", Nat => "nat", Inside => "inside", Outside => "outside", App => "app",
    Text => "text",
}

/// An event's fields, one slot per [`Field`].
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    slots: [Option<Value<'a>>; FIELDS],
}

/// How many fields there are.
const FIELDS: usize = Field::ALL.len();

impl Default for Fields<'_> {
    fn default() -> Self {
        Fields {
            slots: std::array::from_fn(|_| None),
        }
    }
}

impl<'a> Fields<'a> {
    /// Sets `field` (a later call replaces an earlier one).
    pub fn set(&mut self, field: Field, value: Value<'a>) {
        self.slots[field as usize] = Some(value);
    }

    /// Sets `field` to a string.
    pub fn str(&mut self, field: Field, s: &'a str) {
        self.set(field, Value::Str(s));
    }

    /// Sets `field` to `v`'s text.
    pub fn text(&mut self, field: Field, v: impl ToString) {
        self.set(field, Value::Text(v.to_string()));
    }

    /// Sets `field` to an integer.
    pub fn uint(&mut self, field: Field, n: impl Into<u64>) {
        self.set(field, Value::Uint(n.into()));
    }

    /// The fields that are set, in record order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, &Value<'a>)> {
        Field::ALL
            .iter()
            .zip(&self.slots)
            .filter_map(|(f, v)| v.as_ref().map(|v| (*f, v)))
    }

    /// Summary, length and headers of a packet seen inside a node.
    pub fn packet(&mut self, p: &Ipv4Packet) {
        self.text(Field::Summary, p);
        self.uint(Field::Len, p.len() as u64);
        self.headers(p);
    }

    /// Summary, captured length and headers of a frame.
    pub fn frame(&mut self, f: &Frame) {
        self.text(Field::Summary, f);
        self.uint(Field::Len, f.capture_len() as u64);
        self.text(Field::EthSrc, f.eth.src);
        self.text(Field::EthDst, f.eth.dst);
        if let Some(p) = f.ipv4() {
            self.headers(p);
        }
    }

    /// IPv4, UDP and TCP header fields.
    fn headers(&mut self, p: &Ipv4Packet) {
        let h = &p.header;
        self.set(Field::Src, Value::Ip(h.src));
        self.set(Field::Dst, Value::Ip(h.dst));
        self.uint(Field::Ttl, h.ttl);
        self.uint(Field::Ident, h.ident);
        self.uint(Field::Proto, u8::from(h.protocol));
        if h.is_fragment() {
            self.uint(Field::FragOffset, h.frag_offset);
            self.set(Field::MoreFrags, Value::Bool(h.more_frags));
        }
        match &p.body {
            IpBody::Udp { header, .. } => {
                self.uint(Field::Sport, header.src_port);
                self.uint(Field::Dport, header.dst_port);
            }
            IpBody::Tcp { header, payload } => {
                self.uint(Field::Sport, header.src_port);
                self.uint(Field::Dport, header.dst_port);
                self.segment(header, payload.len());
            }
            IpBody::Icmp(_) | IpBody::Raw(_) => {}
        }
    }

    /// A TCP segment's sequence, acknowledgment, flags, window and data length.
    pub fn segment(&mut self, header: &crate::wire::TcpRepr, payload_len: usize) {
        self.uint(Field::Seq, header.seq.0);
        if let Some(a) = header.ack {
            self.uint(Field::Ack, a.0);
        }
        self.set(Field::Flags, Value::Text(header.flag_letters()));
        self.uint(Field::Win, header.window);
        self.uint(Field::PayloadLen, payload_len as u64);
    }
}
