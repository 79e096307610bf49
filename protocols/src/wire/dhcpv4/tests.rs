use super::*;
use proptest::prelude::*;

const XID: u32 = 0x3903_f326;

/// A golden message: the first 44 bytes (op through the MAC in chaddr),
/// 192 zero bytes (rest of chaddr, sname, file), the cookie, `options`
/// (END included), zero padding to 300.
fn golden(head: [u8; 34], options: &[u8]) -> Vec<u8> {
    let mut m = head.to_vec();
    m.resize(FIXED_LEN, 0);
    m.extend_from_slice(&[0x63, 0x82, 0x53, 0x63]);
    m.extend_from_slice(options);
    m.resize(300, 0);
    m
}

/// DISCOVER from 02:00:00:00:00:01, broadcast flag, hostname "client",
/// asking for mask, router, DNS, lease, T1, T2.
fn discover_bytes() -> Vec<u8> {
    golden(
        [
            0x01, 0x01, 0x06, 0x00, // op, htype, hlen, hops
            0x39, 0x03, 0xf3, 0x26, // xid
            0x00, 0x00, 0x80, 0x00, // secs, flags (BROADCAST)
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // ci, yi, si, giaddr
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // chaddr
        ],
        &[
            0x35, 0x01, 0x01, // message type: Discover
            0x0c, 0x06, b'c', b'l', b'i', b'e', b'n', b't', // hostname
            0x37, 0x06, 0x01, 0x03, 0x06, 0x33, 0x3a, 0x3b, // parameter request list
            0x3d, 0x07, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // client id
            0xff, // END
        ],
    )
}

fn discover() -> DhcpRepr {
    DhcpRepr {
        broadcast: true,
        hostname: Some("client".into()),
        parameter_request_list: vec![1, 3, 6, 51, 58, 59],
        client_id: Some(MacAddr::local(1)),
        ..DhcpRepr::new(
            DhcpOp::BootRequest,
            DhcpMessageType::Discover,
            XID,
            MacAddr::local(1),
        )
    }
}

/// ACK of 10.0.1.100/24 from server 10.0.1.1: router 10.0.1.1, DNS
/// 10.0.2.53, lease 3600 s, T1 1800 s, T2 3150 s (RFC 2131 §4.4.5 defaults).
fn ack_bytes() -> Vec<u8> {
    golden(
        [
            0x02, 0x01, 0x06, 0x00, // op, htype, hlen, hops
            0x39, 0x03, 0xf3, 0x26, // xid
            0x00, 0x00, 0x80, 0x00, // secs, flags (BROADCAST)
            0, 0, 0, 0, // ciaddr
            10, 0, 1, 100, // yiaddr
            0, 0, 0, 0, 0, 0, 0, 0, // siaddr, giaddr
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // chaddr
        ],
        &[
            0x35, 0x01, 0x05, // message type: ACK
            0x01, 0x04, 255, 255, 255, 0, // subnet mask
            0x03, 0x04, 10, 0, 1, 1, // router
            0x06, 0x04, 10, 0, 2, 53, // DNS server
            0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, // lease 3600
            0x36, 0x04, 10, 0, 1, 1, // server id
            0x3a, 0x04, 0x00, 0x00, 0x07, 0x08, // T1 1800
            0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, // T2 3150
            0xff, // END
        ],
    )
}

fn ack() -> DhcpRepr {
    DhcpRepr {
        broadcast: true,
        yiaddr: Ipv4Addr::new(10, 0, 1, 100),
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        routers: vec![Ipv4Addr::new(10, 0, 1, 1)],
        dns_servers: vec![Ipv4Addr::new(10, 0, 2, 53)],
        lease_time: Some(3600),
        server_id: Some(Ipv4Addr::new(10, 0, 1, 1)),
        renewal_t1: Some(1800),
        rebinding_t2: Some(3150),
        ..DhcpRepr::new(
            DhcpOp::BootReply,
            DhcpMessageType::Ack,
            XID,
            MacAddr::local(1),
        )
    }
}

fn emitted(repr: &DhcpRepr) -> Vec<u8> {
    let mut buf = Vec::new();
    repr.emit(&mut buf);
    buf
}

#[test]
fn discover_emits_and_parses_golden() {
    let bytes = discover_bytes();
    assert_eq!(bytes.len(), 300);
    assert_eq!(emitted(&discover()), bytes);
    assert_eq!(DhcpRepr::parse(&bytes).unwrap(), discover());
    assert_eq!(
        discover().to_string(),
        "DHCP Discover, xid 0x3903f326, chaddr 02:00:00:00:00:01"
    );
}

#[test]
fn ack_emits_and_parses_golden() {
    let bytes = ack_bytes();
    assert_eq!(emitted(&ack()), bytes);
    assert_eq!(DhcpRepr::parse(&bytes).unwrap(), ack());
    assert_eq!(
        ack().to_string(),
        "DHCP ACK, xid 0x3903f326, chaddr 02:00:00:00:00:01, \
         yiaddr 10.0.1.100, server-id 10.0.1.1"
    );
}

#[test]
fn emit_appends_and_pads_only_its_own_message() {
    let mut buf = vec![0xaa; 3];
    ack().emit(&mut buf);
    assert_eq!(buf.len(), 303);
    assert_eq!(&buf[3..], ack_bytes());
}

#[test]
fn long_messages_are_not_padded() {
    let repr = DhcpRepr {
        message: Some("x".repeat(100)),
        ..ack()
    };
    let bytes = emitted(&repr);
    // 240, 45 bytes of the ACK's options, 2 + 100 for the message, END.
    assert_eq!(bytes.len(), 240 + 45 + 102 + 1);
    assert_eq!(bytes.last(), Some(&code::END));
    assert_eq!(DhcpRepr::parse(&bytes).unwrap(), repr);
}

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// Options of frames 1 and 4 of Wireshark's SampleCaptures `dhcp.pcap`
/// (a Windows-era client 00:0b:82:01:fc:42 and a server 192.168.0.1): real
/// option orders, PAD after END, a zero requested address.
#[test]
fn parses_messages_from_a_reference_capture() {
    let head = |op: u8, xid: u8, yiaddr: [u8; 4]| {
        let mut h = [0u8; 34];
        h[..4].copy_from_slice(&[op, 1, 6, 0]);
        h[4..8].copy_from_slice(&[0, 0, 0x3d, xid]);
        h[16..20].copy_from_slice(&yiaddr);
        h[28..].copy_from_slice(&[0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
        h
    };
    let mut discover = golden(
        head(1, 0x1d, [0; 4]),
        &hex("35 01 01 3d 07 01 00 0b 82 01 fc 42 32 04 00 00 00 00 \
              37 04 01 03 06 2a ff 00 00 00 00 00 00 00"),
    );
    discover.truncate(272);
    let mac = MacAddr([0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
    let d = DhcpRepr::parse(&discover).unwrap();
    assert_eq!(
        d,
        DhcpRepr {
            requested_ip: Some(Ipv4Addr::UNSPECIFIED),
            parameter_request_list: vec![1, 3, 6, 42],
            client_id: Some(mac),
            ..DhcpRepr::new(DhcpOp::BootRequest, DhcpMessageType::Discover, 0x3d1d, mac)
        }
    );
    let ack = golden(
        head(2, 0x1e, [192, 168, 0, 10]),
        &hex(
            "35 01 05 3a 04 00 00 07 08 3b 04 00 00 0c 4e 33 04 00 00 0e 10 \
              36 04 c0 a8 00 01 01 04 ff ff ff 00 ff",
        ),
    );
    let a = DhcpRepr::parse(&ack).unwrap();
    assert_eq!(a.message_type, DhcpMessageType::Ack);
    assert_eq!(a.yiaddr, Ipv4Addr::new(192, 168, 0, 10));
    assert_eq!(a.subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
    assert_eq!(
        (a.lease_time, a.renewal_t1, a.rebinding_t2),
        (Some(3600), Some(1800), Some(3150))
    );
    assert_eq!(a.server_id, Some(Ipv4Addr::new(192, 168, 0, 1)));
}

#[test]
fn rejects_bad_fixed_fields() {
    let good = discover_bytes();
    assert_eq!(DhcpRepr::parse(&good[..239]), Err(WireError::Truncated));
    let mut b = good.clone();
    b[0] = 3;
    assert_eq!(DhcpRepr::parse(&b), Err(WireError::Malformed));
    let mut b = good.clone();
    b[1] = 6; // IEEE 802
    assert_eq!(DhcpRepr::parse(&b), Err(WireError::Unsupported));
    let mut b = good.clone();
    b[2] = 8;
    assert_eq!(DhcpRepr::parse(&b), Err(WireError::Malformed));
    let mut b = good;
    b[239] = 0x62;
    assert_eq!(DhcpRepr::parse(&b), Err(WireError::Malformed), "cookie");
}

/// A message with `options` after the cookie (no padding).
fn with_options(options: &[u8]) -> Vec<u8> {
    let mut b = discover_bytes();
    b.truncate(OPTIONS_START);
    b.extend_from_slice(options);
    b
}

#[test]
fn checks_option_lengths_and_message_type() {
    let cases: [(&[u8], WireError); 7] = [
        (&[0x0c, 0x02, b'a'], WireError::Malformed), // overrun
        (&[0x35, 0x01, 0x01, 0x0c], WireError::Malformed), // code without length
        (&[0x01, 0x04, 255, 255, 0, 0, 0xff], WireError::Malformed), // no type
        (&[0x35, 0x02, 0x01, 0x01, 0xff], WireError::Malformed), // type length 2
        (&[0x35, 0x01, 13, 0xff], WireError::Unsupported), // LEASEQUERY
        (
            &[0x35, 0x01, 0x01, 0x03, 0x06, 1, 2, 3, 4, 5, 6],
            WireError::Malformed,
        ),
        (
            &[0x35, 0x01, 0x01, 0x33, 0x02, 0, 1, 0xff],
            WireError::Malformed,
        ),
    ];
    for (options, err) in cases {
        assert_eq!(
            DhcpRepr::parse(&with_options(options)),
            Err(err),
            "{options:02x?}"
        );
    }
}

#[test]
fn skips_pad_and_unknown_options_and_stops_at_end() {
    let b = with_options(&[
        0x00, 0x00, // PAD
        0x2b, 0x03, 1, 2, 3, // vendor specific (43): skipped
        0x35, 0x01, 0x03, // Request
        0xff, // END: what follows is not parsed
        0x01, 0x09,
    ]);
    let r = DhcpRepr::parse(&b).unwrap();
    assert_eq!(r.message_type, DhcpMessageType::Request);
    assert_eq!(r.subnet_mask, None);
    // Without END the options simply run to the end of the message.
    let r = DhcpRepr::parse(&with_options(&[0x35, 0x01, 0x07])).unwrap();
    assert_eq!(r.message_type, DhcpMessageType::Release);
}

#[test]
fn long_options_are_split_and_concatenated() {
    let dns: Vec<Ipv4Addr> = (0..70).map(|i| Ipv4Addr::new(10, 0, 2, i)).collect();
    let repr = DhcpRepr {
        dns_servers: dns,
        hostname: Some("h".repeat(300)),
        ..discover()
    };
    let bytes = emitted(&repr);
    // 280 bytes of addresses: 252 + 28, split on an address boundary.
    let at = bytes
        .windows(2)
        .position(|w| w == [code::DNS_SERVERS, 252])
        .unwrap();
    assert_eq!(&bytes[at + 254..at + 256], &[code::DNS_SERVERS, 28]);
    assert_eq!(DhcpRepr::parse(&bytes).unwrap(), repr);
}

#[test]
fn nak_message_and_other_client_ids() {
    let nak = DhcpRepr {
        message: Some("requested address not available".into()),
        server_id: Some(Ipv4Addr::new(10, 0, 1, 1)),
        ..DhcpRepr::new(
            DhcpOp::BootReply,
            DhcpMessageType::Nak,
            7,
            MacAddr::local(2),
        )
    };
    assert_eq!(DhcpRepr::parse(&emitted(&nak)).unwrap(), nak);
    assert_eq!(
        nak.to_string(),
        "DHCP NAK, xid 0x7, chaddr 02:00:00:00:00:02, server-id 10.0.1.1"
    );
    // An RFC 4361 client identifier (type 255, IAID, DUID) is not an error.
    let b = with_options(&[0x35, 0x01, 0x01, 0x3d, 0x05, 0xff, 0, 0, 0, 1, 0xff]);
    assert_eq!(DhcpRepr::parse(&b).unwrap().client_id, None);
}

fn addr_strategy() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn repr_strategy() -> impl Strategy<Value = DhcpRepr> {
    let fixed = (
        any::<bool>(),
        any::<u32>(),
        any::<u16>(),
        any::<bool>(),
        proptest::array::uniform4(addr_strategy()),
        any::<[u8; 6]>(),
        1u8..=8,
    );
    let options = (
        proptest::option::of(addr_strategy()),
        proptest::collection::vec(addr_strategy(), 0..70),
        proptest::collection::vec(addr_strategy(), 0..3),
        proptest::option::of("[a-z0-9-]{1,300}"),
        proptest::option::of(addr_strategy()),
        proptest::option::of(any::<u32>()),
        proptest::option::of(addr_strategy()),
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::option::of("\\PC{1,80}"),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<[u8; 6]>()),
    );
    (fixed, options).prop_map(|(f, o)| DhcpRepr {
        op: if f.0 {
            DhcpOp::BootRequest
        } else {
            DhcpOp::BootReply
        },
        xid: f.1,
        secs: f.2,
        broadcast: f.3,
        ciaddr: f.4[0],
        yiaddr: f.4[1],
        siaddr: f.4[2],
        giaddr: f.4[3],
        chaddr: MacAddr(f.5),
        message_type: DhcpMessageType::from_code(f.6).unwrap(),
        subnet_mask: o.0,
        routers: o.1,
        dns_servers: o.2,
        hostname: o.3,
        requested_ip: o.4,
        lease_time: o.5,
        server_id: o.6,
        parameter_request_list: o.7,
        message: o.8,
        renewal_t1: o.9,
        rebinding_t2: o.10,
        client_id: o.11.map(MacAddr),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = DhcpRepr::parse(&bytes);
    }

    /// Random options behind a valid fixed part, so parsing gets past the cookie.
    #[test]
    fn parse_never_panics_on_random_options(
        options in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let _ = DhcpRepr::parse(&with_options(&options));
    }

    #[test]
    fn parse_inverts_emit(repr in repr_strategy()) {
        let bytes = emitted(&repr);
        prop_assert!(bytes.len() >= MIN_MESSAGE_LEN);
        prop_assert_eq!(DhcpRepr::parse(&bytes), Ok(repr));
    }
}
