use super::*;
use proptest::prelude::*;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn syn() -> TcpRepr {
    TcpRepr {
        src_port: 5000,
        dst_port: 80,
        seq: TcpSeq(100),
        ack: None,
        flags: TcpFlags::SYN,
        window: 64240,
        urgent: 0,
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            sack_blocks: SackBlocks::new(),
            timestamps: Some((1, 0)),
        },
    }
}

/// 10.0.0.1.5000 > 10.0.0.2.80, SYN, seq 100, win 64240, options [mss
/// 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]: Linux's SYN layout.
///
/// Checksum (RFC 1071, 16-bit words): pseudo-header 0a00+0001+0a00+0002+
/// 0006+0028 = 0x1431; segment with a zero checksum field: 1388+0050+0000+
/// 0064+0000+0000+a002+faf0+0000+0000 + 0204+05b4+0402+080a+0000+0001+
/// 0000+0000+0103+0307 = 0x1c6fd; total 0x1db2e, folded 0xdb2f, complement
/// 0x24d0. tshark 4 agrees (`tcp.checksum.status` Good) and decodes "MSS=1460
/// SACK_PERM TSval=1 TSecr=0 WS=128".
const GOLDEN_SYN: [u8; 40] = [
    0x13, 0x88, 0x00, 0x50, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
    0x24, 0xd0, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
];

fn data() -> TcpRepr {
    TcpRepr {
        src_port: 5000,
        dst_port: 80,
        seq: TcpSeq(101),
        ack: Some(TcpSeq(301)),
        flags: TcpFlags::PSH,
        window: 502,
        urgent: 0,
        options: TcpOptions {
            timestamps: Some((2, 1)),
            ..TcpOptions::default()
        },
    }
}

/// 10.0.0.1.5000 > 10.0.0.2.80, Flags [P.], seq 101:106, ack 301, win 502,
/// options [nop,nop,TS val 2 ecr 1], payload "hello" (odd length: the last
/// byte is padded with zero for the sum).
///
/// Checksum: pseudo-header 0a00+0001+0a00+0002+0006+0025 = 0x142e;
/// segment 1388+0050+0000+0065+0000+012d+8018+01f6+0000+0000 + 0101+080a+
/// 0000+0002+0000+0001 + 6865+6c6c+6f00 = 0x1e457; total 0x1f885, folded
/// 0xf886, complement 0x0779. tshark agrees.
const GOLDEN_DATA: [u8; 37] = [
    0x13, 0x88, 0x00, 0x50, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x01, 0x2d, 0x80, 0x18, 0x01, 0xf6,
    0x07, 0x79, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    b'h', b'e', b'l', b'l', b'o',
];

fn sack_ack() -> TcpRepr {
    TcpRepr {
        src_port: 80,
        dst_port: 5000,
        seq: TcpSeq(301),
        ack: Some(TcpSeq(1101)),
        flags: TcpFlags::NONE,
        window: 509,
        urgent: 0,
        options: TcpOptions {
            timestamps: Some((7, 6)),
            sack_blocks: SackBlocks::from([(TcpSeq(2101), TcpSeq(3101))]),
            ..TcpOptions::default()
        },
    }
}

/// 10.0.0.2.80 > 10.0.0.1.5000, Flags [.], ack 1101, win 509, options
/// [nop,nop,TS val 7 ecr 6,nop,nop,sack 1 {2101:3101}].
///
/// Checksum: pseudo-header 0a00+0002+0a00+0001+0006+002c = 0x1435;
/// segment 0050+1388+0000+012d+0000+044d+b010+01fd+0000+0000 + 0101+080a+
/// 0000+0007+0000+0006 + 0101+050a+0000+0835+0000+0c1d = 0xeed4; total
/// 0x10309, folded 0x030a, complement 0xfcf5. tshark agrees (SLE=2101 SRE=3101).
const GOLDEN_SACK: [u8; 44] = [
    0x00, 0x50, 0x13, 0x88, 0x00, 0x00, 0x01, 0x2d, 0x00, 0x00, 0x04, 0x4d, 0xb0, 0x10, 0x01, 0xfd,
    0xfc, 0xf5, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x06,
    0x01, 0x01, 0x05, 0x0a, 0x00, 0x00, 0x08, 0x35, 0x00, 0x00, 0x0c, 0x1d,
];

fn emit(repr: &TcpRepr, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
    let mut buf = Vec::new();
    repr.emit(&mut buf, payload, src, dst);
    assert_eq!(buf.len(), repr.header_len() + payload.len());
    buf
}

#[test]
fn seq_arithmetic_wraps_around() {
    let near_end = TcpSeq(0xffff_fff0);
    let wrapped = near_end + 0x20;
    assert_eq!(wrapped, TcpSeq(0x10));
    assert_eq!(wrapped - near_end, 0x20);
    assert_eq!(near_end - wrapped, -0x20);
    assert_eq!(wrapped - 0x20usize, near_end);
    assert!(wrapped.gt(near_end) && wrapped.ge(near_end));
    assert!(near_end.lt(wrapped) && near_end.le(wrapped));
    assert!(!wrapped.lt(near_end) && !near_end.gt(wrapped));
    assert!(wrapped.le(wrapped) && wrapped.ge(wrapped) && !wrapped.lt(wrapped));
    assert_eq!(near_end.max(wrapped), wrapped);
    assert_eq!(wrapped.min(near_end), near_end);
    let mut s = TcpSeq(u32::MAX);
    s += 1;
    assert_eq!(s, TcpSeq(0));
}

#[test]
fn seq_comparison_flips_at_half_the_space() {
    let zero = TcpSeq(0);
    assert!((zero + 0x7fff_ffff).gt(zero), "2^31 - 1 ahead is later");
    assert!((zero + 0x8000_0001).lt(zero), "2^31 + 1 ahead is earlier");
}

#[test]
fn syn_golden_bytes() {
    assert_eq!(emit(&syn(), &[], A, B), GOLDEN_SYN);
    assert_eq!(syn().header_len(), 40);
    let (parsed, payload) = TcpRepr::parse(&GOLDEN_SYN, A, B).unwrap();
    assert_eq!(parsed, syn());
    assert!(payload.is_empty());
}

#[test]
fn data_golden_bytes() {
    assert_eq!(emit(&data(), b"hello", A, B), GOLDEN_DATA);
    assert_eq!(data().header_len(), 32);
    let (parsed, payload) = TcpRepr::parse(&GOLDEN_DATA, A, B).unwrap();
    assert_eq!(parsed, data());
    assert_eq!(payload, b"hello");
}

#[test]
fn sack_golden_bytes() {
    assert_eq!(emit(&sack_ack(), &[], B, A), GOLDEN_SACK);
    assert_eq!(TcpRepr::parse(&GOLDEN_SACK, B, A).unwrap().0, sack_ack());
}

#[test]
fn syn_without_timestamps_uses_linux_nop_padding() {
    let mut r = syn();
    r.options.timestamps = None;
    let bytes = emit(&r, &[], A, B);
    assert_eq!(
        &bytes[HEADER_LEN..],
        [
            0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07
        ]
    );
    assert_eq!(
        r.to_string(),
        "Flags [S], seq 100, win 64240, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0"
    );
    assert_eq!(TcpRepr::parse(&bytes, A, B).unwrap().0, r);
}

#[test]
fn every_flipped_bit_fails_the_checksum() {
    for (golden, src, dst) in [
        (&GOLDEN_SYN[..], A, B),
        (&GOLDEN_DATA[..], A, B),
        (&GOLDEN_SACK[..], B, A),
    ] {
        for bit in 0..golden.len() * 8 {
            // Flipping a data-offset bit may change the length check first.
            if bit / 8 == 12 && bit % 8 < 4 {
                continue;
            }
            let mut bad = golden.to_vec();
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            assert_eq!(
                TcpRepr::parse(&bad, src, dst),
                Err(WireError::Checksum),
                "bit {bit}"
            );
        }
    }
}

#[test]
fn checksum_covers_the_pseudo_header() {
    let other = Ipv4Addr::new(10, 0, 0, 3);
    assert_eq!(
        TcpRepr::parse(&GOLDEN_DATA, A, other),
        Err(WireError::Checksum)
    );
    // A zero checksum is not "none" in TCP.
    let mut zero = GOLDEN_DATA;
    zero[16] = 0;
    zero[17] = 0;
    assert_eq!(TcpRepr::parse(&zero, A, B), Err(WireError::Checksum));
}

/// `header` with `options` (already padded to a multiple of 4) and a valid checksum.
fn with_options(options: &[u8]) -> Vec<u8> {
    let mut bytes = GOLDEN_DATA[..HEADER_LEN].to_vec();
    bytes[12] = (((HEADER_LEN + options.len()) / 4) as u8) << 4;
    bytes.extend_from_slice(options);
    fix_checksum(&mut bytes, A, B);
    bytes
}

fn fix_checksum(bytes: &mut [u8], src: Ipv4Addr, dst: Ipv4Addr) {
    bytes[16] = 0;
    bytes[17] = 0;
    let sum = checksum::finish(checksum::accumulate(
        checksum::pseudo_header(src, dst, PROTOCOL, bytes.len() as u16),
        bytes,
    ));
    bytes[16..18].copy_from_slice(&sum.to_be_bytes());
}

#[test]
fn unknown_options_are_skipped_and_eol_ends_the_list() {
    // Kind 30 (MPTCP), 6 bytes; then MSS; then EOL followed by garbage.
    let bytes = with_options(&[30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xb4, 0, 0xff]);
    let (r, payload) = TcpRepr::parse(&bytes, A, B).unwrap();
    assert_eq!(r.options.mss, Some(1460));
    assert!(payload.is_empty());
}

#[test]
fn malformed_options_are_rejected() {
    for options in [
        &[2, 4, 5, 0xb4, 30, 1, 1, 1][..], // length below 2
        &[1, 1, 1, 30, 6, 0, 0, 0],        // runs past the header
        &[1, 1, 1, 2],                     // no length byte
        &[2, 3, 5, 1],                     // MSS of length 3
        &[3, 4, 7, 0],                     // window scale of length 4
        &[1, 1, 5, 2],                     // SACK with no block
        &[5, 7, 0, 0, 0, 0, 0, 0],         // SACK of a length not 2 + 8n
        &[8, 8, 0, 0, 0, 0, 0, 0],         // timestamps of length 8
    ] {
        assert_eq!(
            TcpRepr::parse(&with_options(options), A, B),
            Err(WireError::Malformed),
            "{options:?}"
        );
    }
}

#[test]
fn lengths_are_checked() {
    assert_eq!(
        TcpRepr::parse(&GOLDEN_SYN[..19], A, B),
        Err(WireError::Truncated)
    );
    assert_eq!(
        TcpRepr::parse(&GOLDEN_SYN[..36], A, B),
        Err(WireError::Truncated),
        "data offset says 40"
    );
    let mut b = GOLDEN_SYN;
    b[12] = 0x40;
    assert_eq!(TcpRepr::parse(&b, A, B), Err(WireError::Malformed));
}

#[test]
fn ack_field_is_ignored_without_the_ack_bit() {
    let mut b = GOLDEN_SYN;
    b[8..12].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    fix_checksum(&mut b, A, B);
    assert_eq!(TcpRepr::parse(&b, A, B).unwrap().0, syn());
}

#[test]
fn sack_blocks_are_limited_by_the_option_space() {
    let blocks = [
        (TcpSeq(10), TcpSeq(20)),
        (TcpSeq(30), TcpSeq(40)),
        (TcpSeq(50), TcpSeq(60)),
        (TcpSeq(70), TcpSeq(80)),
    ];
    let mut r = sack_ack();
    r.options.sack_blocks = SackBlocks::from(blocks);
    r.options.timestamps = None;
    assert_eq!((r.sack_blocks_sent(), r.header_len()), (4, 56));
    assert_eq!(
        emit(&r, &[], B, A)[HEADER_LEN..HEADER_LEN + 4],
        [1, 1, 5, 34]
    );
    assert_eq!(TcpRepr::parse(&emit(&r, &[], B, A), B, A).unwrap().0, r);
    r.options.timestamps = Some((7, 6));
    assert_eq!((r.sack_blocks_sent(), r.header_len()), (3, 60));
    let (parsed, _) = TcpRepr::parse(&emit(&r, &[], B, A), B, A).unwrap();
    assert_eq!(parsed.options.sack_blocks.as_slice(), &blocks[..3]);
    assert_eq!(
        r.to_string(),
        "Flags [.], ack 1101, win 509, options [nop,nop,TS val 7 ecr 6,nop,nop,sack 3 {10:20}{30:40}{50:60}], length 0"
    );
}

#[test]
fn sack_blocks_hold_four() {
    let mut s = SackBlocks::new();
    for i in 0..4 {
        assert!(s.push((TcpSeq(i), TcpSeq(i + 1))));
    }
    assert!(!s.push((TcpSeq(9), TcpSeq(10))));
    assert_eq!(s.len(), 4);
    assert_eq!(s[3], (TcpSeq(3), TcpSeq(4)));
}

#[test]
fn display_is_tcpdump_like() {
    let mut syn_ack = syn();
    syn_ack.ack = Some(TcpSeq(301));
    syn_ack.window = 65535;
    assert_eq!(
        syn_ack.to_string(),
        "Flags [S.], seq 100, ack 301, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"
    );
    assert_eq!(
        data().summary(5).to_string(),
        "Flags [P.], seq 101:106, ack 301, win 502, options [nop,nop,TS val 2 ecr 1], length 5"
    );
    let rst = TcpRepr {
        seq: TcpSeq(7),
        flags: TcpFlags::RST,
        ..TcpRepr::default()
    };
    assert_eq!(rst.to_string(), "Flags [R], seq 7, win 0, length 0");
    let odd = TcpRepr {
        flags: TcpFlags {
            urg: true,
            ece: true,
            cwr: true,
            ..TcpFlags::FIN
        },
        urgent: 3,
        ..TcpRepr::default()
    };
    assert_eq!(
        odd.to_string(),
        "Flags [FUEW], seq 0, win 0, urg 3, length 0"
    );
    assert_eq!(TcpRepr::default().flag_letters(), "none");
}

#[test]
fn rfc_notation() {
    let mut syn_ack = syn();
    syn_ack.ack = Some(TcpSeq(301));
    assert_eq!(syn_ack.rfc_notation(0), "<SEQ=100><ACK=301><CTL=SYN,ACK>");
    assert_eq!(syn().rfc_notation(0), "<SEQ=100><CTL=SYN>");
    let mut d = data();
    d.flags = TcpFlags::NONE;
    assert_eq!(
        d.rfc_notation(1000),
        "<SEQ=101><ACK=301><CTL=ACK><DATA=1000>"
    );
    let rst_ack = TcpRepr {
        ack: Some(TcpSeq(101)),
        flags: TcpFlags::RST,
        ..TcpRepr::default()
    };
    assert_eq!(rst_ack.rfc_notation(0), "<SEQ=0><ACK=101><CTL=RST,ACK>");
}

#[test]
fn segment_len_counts_syn_and_fin() {
    assert_eq!(syn().segment_len(0), 1);
    assert_eq!(data().segment_len(5), 5);
    let fin = TcpRepr {
        flags: TcpFlags::FIN | TcpFlags::SYN,
        ..TcpRepr::default()
    };
    assert_eq!(fin.segment_len(10), 12);
}

fn seq() -> impl Strategy<Value = TcpSeq> {
    any::<u32>().prop_map(TcpSeq)
}

prop_compose! {
    fn arb_repr()(
        ports in any::<(u16, u16)>(),
        seq in seq(),
        ack in proptest::option::of(seq()),
        bits in any::<u8>(),
        window in any::<u16>(),
        urgent in any::<u16>(),
        mss in proptest::option::of(any::<u16>()),
        window_scale in proptest::option::of(any::<u8>()),
        sack_permitted in any::<bool>(),
        blocks in proptest::collection::vec((seq(), seq()), 0..=4),
        timestamps in proptest::option::of(any::<(u32, u32)>()),
    ) -> TcpRepr {
        let mut sack_blocks = SackBlocks::new();
        for b in blocks {
            assert!(sack_blocks.push(b));
        }
        TcpRepr {
            src_port: ports.0,
            dst_port: ports.1,
            seq,
            ack,
            flags: TcpFlags::from_byte(bits),
            window,
            urgent,
            options: TcpOptions { mss, window_scale, sack_permitted, sack_blocks, timestamps },
        }
    }
}

proptest! {
    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        let _ = TcpRepr::parse(&bytes, A, B);
    }

    /// Arbitrary option bytes behind a valid checksum reach the option parser.
    #[test]
    fn option_parsing_never_panics(
        offset in 5u8..=15,
        options in proptest::collection::vec(any::<u8>(), 0..48),
    ) {
        let mut bytes = GOLDEN_DATA[..HEADER_LEN].to_vec();
        bytes[12] = offset << 4;
        bytes.extend_from_slice(&options);
        fix_checksum(&mut bytes, A, B);
        if let Ok((_, payload)) = TcpRepr::parse(&bytes, A, B) {
            prop_assert_eq!(payload.len(), bytes.len() - usize::from(offset) * 4);
        }
    }

    #[test]
    fn parse_inverts_emit(
        repr in arb_repr(),
        payload in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = emit(&repr, &payload, A, B);
        let (parsed, data) = TcpRepr::parse(&bytes, A, B).unwrap();
        let mut expected = repr;
        let mut sent = SackBlocks::new();
        for &b in &repr.options.sack_blocks[..repr.sack_blocks_sent()] {
            prop_assert!(sent.push(b));
        }
        expected.options.sack_blocks = sent;
        prop_assert_eq!(parsed, expected);
        prop_assert_eq!(data, &payload[..]);
    }
}
