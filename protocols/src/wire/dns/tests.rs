use std::net::Ipv4Addr;

use super::name::{DisplayName, labels};
use super::*;
use proptest::prelude::*;

/// Query 0x1234, RD, for `server.example` A IN (hand-derived from RFC 1035 §4.1).
const QUERY: [u8; 32] = [
    0x12, 0x34, 0x01, 0x00, // id, flags: RD
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // qd 1, an 0, ns 0, ar 0
    0x06, b's', b'e', b'r', b'v', b'e', b'r', // offset 12: "server"
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, // offset 19: "example", root
    0x00, 0x01, 0x00, 0x01, // A, IN
];

/// Its answer: QR AA RD RA, 10.0.2.10 for 300 s, owner name compressed to
/// a pointer at the question (`c0 0c`).
const RESPONSE: [u8; 48] = [
    0x12, 0x34, 0x85, 0x80, // id, flags: QR AA RD RA, NoError
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // qd 1, an 1
    0x06, b's', b'e', b'r', b'v', b'e', b'r', // question
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, //
    0x00, 0x01, 0x00, 0x01, //
    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, // -> offset 12, A, IN
    0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 10, 0, 2, 10, // ttl 300, rdlength 4, address
];

/// NXDOMAIN for `nosuch.example` A, with the zone's SOA in the authority
/// section (RFC 2308 §3): owner `example` compressed to its occurrence in
/// the question (offset 19 = 0x13), RDATA names written out in full.
const NXDOMAIN: [u8; 96] = [
    0x56, 0x78, 0x85, 0x83, // id, flags: QR AA RD RA, rcode 3
    0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // qd 1, ns 1
    0x06, b'n', b'o', b's', b'u', b'c', b'h', // question
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, //
    0x00, 0x01, 0x00, 0x01, //
    0xc0, 0x13, 0x00, 0x06, 0x00, 0x01, // -> "example", SOA, IN
    0x00, 0x00, 0x01, 0x2c, 0x00, 0x34, // ttl 300, rdlength 52
    0x02, b'n', b's', 0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, // MNAME
    0x0a, b'h', b'o', b's', b't', b'm', b'a', b's', b't', b'e', b'r', // RNAME
    0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, //
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, // serial 1, refresh 3600
    0x00, 0x00, 0x02, 0x58, 0x00, 0x01, 0x51, 0x80, // retry 600, expire 86400
    0x00, 0x00, 0x01, 0x2c, // minimum 300
];

fn query() -> DnsRepr {
    DnsRepr {
        id: 0x1234,
        response: false,
        opcode: 0,
        authoritative: false,
        truncated: false,
        recursion_desired: true,
        recursion_available: false,
        rcode: DnsRcode::NoError,
        questions: vec![DnsQuestion::new("server.example", DnsType::A)],
        answers: vec![],
        authority: vec![],
        additional: vec![],
    }
}

fn response() -> DnsRepr {
    DnsRepr {
        response: true,
        authoritative: true,
        recursion_available: true,
        answers: vec![DnsRecord {
            name: "server.example".into(),
            rtype: DnsType::A,
            class: CLASS_IN,
            ttl: 300,
            data: RecordData::A(Ipv4Addr::new(10, 0, 2, 10)),
        }],
        ..query()
    }
}

fn nxdomain() -> DnsRepr {
    DnsRepr {
        id: 0x5678,
        rcode: DnsRcode::NxDomain,
        questions: vec![DnsQuestion::new("nosuch.example", DnsType::A)],
        answers: vec![],
        authority: vec![DnsRecord {
            name: "example".into(),
            rtype: DnsType::Soa,
            class: CLASS_IN,
            ttl: 300,
            data: RecordData::Other(NXDOMAIN[44..].to_vec()),
        }],
        ..response()
    }
}

fn emitted(repr: &DnsRepr) -> Vec<u8> {
    let mut buf = Vec::new();
    repr.emit(&mut buf).unwrap();
    buf
}

#[test]
fn query_emits_and_parses_golden() {
    assert_eq!(emitted(&query()), QUERY);
    assert_eq!(DnsRepr::parse(&QUERY).unwrap(), query());
    assert_eq!(query().to_string(), "DNS 4660+ A? server.example. (32)");
}

#[test]
fn response_compresses_its_answer_to_the_question() {
    assert_eq!(emitted(&response()), RESPONSE);
    assert_eq!(DnsRepr::parse(&RESPONSE).unwrap(), response());
    assert_eq!(response().to_string(), "DNS 4660* 1/0/0 A 10.0.2.10 (48)");
}

#[test]
fn nxdomain_emits_and_parses_golden() {
    assert_eq!(emitted(&nxdomain()), NXDOMAIN);
    assert_eq!(DnsRepr::parse(&NXDOMAIN).unwrap(), nxdomain());
    assert_eq!(nxdomain().to_string(), "DNS 22136 NXDomain* 0/1/0 (96)");
}

/// The same NXDOMAIN as BIND sends it, with the SOA's names compressed:
/// parse expands them, so the RDATA no longer depends on the message.
#[test]
fn names_inside_soa_rdata_are_decompressed() {
    let mut b = NXDOMAIN[..42].to_vec();
    b.extend_from_slice(&[0x00, 0x26, 0x02, b'n', b's', 0xc0, 0x13, 0x0a]);
    b.extend_from_slice(b"hostmaster");
    b.extend_from_slice(&[0xc0, 0x13]);
    b.extend_from_slice(&NXDOMAIN[76..]);
    assert_eq!(b.len(), 82);
    assert_eq!(DnsRepr::parse(&b).unwrap(), nxdomain());
}

#[test]
fn cname_chain_is_compressed_and_displayed() {
    let repr = DnsRepr {
        questions: vec![DnsQuestion::new("www.example", DnsType::A)],
        answers: vec![
            DnsRecord {
                name: "www.example".into(),
                rtype: DnsType::Cname,
                class: CLASS_IN,
                ttl: 60,
                data: RecordData::Cname("server.example".into()),
            },
            DnsRecord {
                name: "server.example".into(),
                rtype: DnsType::A,
                class: CLASS_IN,
                ttl: 60,
                data: RecordData::A(Ipv4Addr::new(10, 0, 2, 10)),
            },
        ],
        recursion_available: false,
        ..response()
    };
    let bytes = emitted(&repr);
    // Question at 12: 03 www | 07 example (16) | 00. CNAME: c0 0c ... then
    // rdata "server" + pointer to 16; the A record points at that rdata.
    let cname_rdata = 12 + 13 + 4 + 12;
    assert_eq!(&bytes[cname_rdata - 2..cname_rdata], &[0x00, 0x09]);
    assert_eq!(&bytes[cname_rdata..cname_rdata + 9], b"\x06server\xc0\x10");
    assert_eq!(&bytes[cname_rdata + 9..cname_rdata + 11], &[0xc0, 41]);
    assert_eq!(DnsRepr::parse(&bytes).unwrap(), repr);
    assert_eq!(
        repr.to_string(),
        "DNS 4660*- 2/0/0 CNAME server.example., A 10.0.2.10 (66)"
    );
}

/// `QUERY` with its name replaced by `name` (and the A IN after it).
fn query_with_name(name: &[u8]) -> Vec<u8> {
    let mut b = QUERY[..12].to_vec();
    b.extend_from_slice(name);
    b.extend_from_slice(&[0x00, 0x01, 0x00, 0x01]);
    b
}

#[test]
fn compression_loops_and_forward_pointers_are_malformed() {
    let cases: [&[u8]; 5] = [
        &[0xc0, 0x0c],                   // points at itself
        &[0x01, b'a', 0xc0, 0x0c],       // points back at its own run
        &[0xc0, 0x20],                   // points forward
        &[0x41, b'a'],                   // extended label type
        &[0x01, b'a', 0x81, 0x00, 0x00], // reserved label type
    ];
    for name in cases {
        assert_eq!(
            DnsRepr::parse(&query_with_name(name)),
            Err(WireError::Malformed),
            "{name:02x?}"
        );
    }
    // A pointer chain that goes strictly backwards is fine.
    let mut b = QUERY.to_vec();
    b[5] = 2; // two questions
    b.extend_from_slice(&[0x03, b'w', b'w', b'w', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]);
    let parsed = DnsRepr::parse(&b).unwrap();
    assert_eq!(parsed.questions[1].name, "www.server.example");
}

#[test]
fn names_over_255_bytes_are_malformed_even_through_pointers() {
    let label = |b: &mut Vec<u8>| {
        b.push(63);
        b.extend_from_slice(&[b'x'; 63]);
    };
    // Four 63-byte labels: 4 × 64 + 1 = 257 bytes.
    let mut name = Vec::new();
    (0..4).for_each(|_| label(&mut name));
    name.push(0);
    assert_eq!(
        DnsRepr::parse(&query_with_name(&name)),
        Err(WireError::Malformed)
    );
    // Three labels (193 bytes) are fine; one more in front through a pointer is not.
    let mut name = Vec::new();
    (0..3).for_each(|_| label(&mut name));
    name.push(0);
    let mut b = query_with_name(&name);
    assert!(DnsRepr::parse(&b).is_ok());
    b[5] = 2;
    label(&mut b);
    b.extend_from_slice(&[0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]);
    assert_eq!(DnsRepr::parse(&b), Err(WireError::Malformed));
}

#[test]
fn truncation_is_reported() {
    for len in [0, 11, 20, 31] {
        assert_eq!(
            DnsRepr::parse(&QUERY[..len]),
            Err(WireError::Truncated),
            "{len}"
        );
    }
    assert_eq!(DnsRepr::parse(&RESPONSE[..47]), Err(WireError::Truncated));
    let mut b = RESPONSE;
    b[43] = 5; // A record with 5 bytes of RDATA
    assert_eq!(DnsRepr::parse(&b), Err(WireError::Truncated));
    let mut b = RESPONSE.to_vec();
    b[43] = 5;
    b.push(0);
    assert_eq!(DnsRepr::parse(&b), Err(WireError::Malformed));
}

#[test]
fn emit_refuses_illegal_names_and_leaves_the_buffer_alone() {
    let long_label = "x".repeat(64);
    let long_name = ["y".repeat(63).as_str(); 4].join(".");
    for name in [
        "a..b",
        ".a",
        long_label.as_str(),
        long_name.as_str(),
        "caf\u{e9}.example",
        "a\\256",
        "a\\1",
        "a\\",
    ] {
        let repr = DnsRepr {
            questions: vec![DnsQuestion::new(name, DnsType::A)],
            ..query()
        };
        let mut buf = vec![1, 2, 3];
        assert_eq!(repr.emit(&mut buf), Err(WireError::Malformed), "{name}");
        assert_eq!(buf, [1, 2, 3]);
        assert!(repr.to_string().ends_with("(invalid)"));
    }
    // 63-byte labels and 255-byte names are the legal maxima.
    let max = [
        "a".repeat(63).as_str(),
        &"b".repeat(63),
        &"c".repeat(63),
        &"d".repeat(61),
    ]
    .join(".");
    let repr = DnsRepr {
        questions: vec![DnsQuestion::new(max, DnsType::A)],
        ..query()
    };
    assert_eq!(repr.buffer_len(), Ok(12 + 255 + 4));
}

#[test]
fn emit_refuses_data_that_does_not_match_the_type() {
    let mut bad = response();
    bad.answers[0].rtype = DnsType::Aaaa;
    assert_eq!(bad.buffer_len(), Err(WireError::Malformed));
    let mut bad = response();
    bad.answers[0].data = RecordData::Other(vec![10, 0, 2, 10]);
    assert_eq!(bad.buffer_len(), Err(WireError::Malformed));
    let mut bad = response();
    bad.opcode = 16;
    assert_eq!(bad.buffer_len(), Err(WireError::Malformed));
}

#[test]
fn odd_label_bytes_round_trip_escaped() {
    let wire = b"\x04a.b\\\x03\x00 \xff\x00";
    let text = name_text(wire);
    assert_eq!(text, "a\\.b\\\\.\\000\\032\\255");
    let repr = DnsRepr {
        questions: vec![DnsQuestion::new(text, DnsType::Txt)],
        ..query()
    };
    let bytes = emitted(&repr);
    assert_eq!(&bytes[12..12 + wire.len()], wire);
    assert_eq!(DnsRepr::parse(&bytes).unwrap(), repr);
    assert_eq!(name_text(b"\x00"), "");
    assert_eq!(DisplayName("").to_string(), ".");
}

#[test]
fn other_opcodes_and_rcodes_display_like_tcpdump() {
    let r = DnsRepr {
        opcode: 4,
        rcode: DnsRcode::Refused,
        truncated: true,
        questions: vec![],
        ..response()
    };
    assert_eq!(
        r.to_string(),
        "DNS 4660 notify Refused*| [0q] 1/0/0 A 10.0.2.10 (42)"
    );
    assert_eq!(DnsRepr::parse(&emitted(&r)).unwrap(), r);
}

fn label_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop_oneof![Just("server"), Just("example"), Just("www"), Just("A")]
            .prop_map(String::from),
        1 => proptest::collection::vec(any::<u8>(), 1..=MAX_LABEL_LEN)
            .prop_map(|l| {
                let mut wire = vec![l.len() as u8];
                wire.extend_from_slice(&l);
                wire.push(0);
                name_text(&wire)
            }),
    ]
}

fn name_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(label_strategy(), 0..4)
        .prop_map(|labels| labels.join("."))
        .prop_filter("fits in 255 bytes", |name| labels(name).is_ok())
}

fn record_strategy() -> impl Strategy<Value = DnsRecord> {
    let data = prop_oneof![
        any::<u32>().prop_map(|a| (DnsType::A, CLASS_IN, RecordData::A(a.into()))),
        name_strategy().prop_map(|n| (DnsType::Cname, CLASS_IN, RecordData::Cname(n))),
        name_strategy().prop_map(|n| {
            let mut wire: Vec<u8> = Vec::new();
            for l in labels(&n).unwrap() {
                wire.push(l.len() as u8);
                wire.extend_from_slice(&l);
            }
            wire.push(0);
            (DnsType::Ns, CLASS_IN, RecordData::Other(wire))
        }),
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(c, d)| { (DnsType::Txt, c, RecordData::Other(d)) }),
    ];
    (name_strategy(), any::<u32>(), data).prop_map(|(name, ttl, (rtype, class, data))| DnsRecord {
        name,
        rtype,
        class,
        ttl,
        data,
    })
}

fn repr_strategy() -> impl Strategy<Value = DnsRepr> {
    let records = || proptest::collection::vec(record_strategy(), 0..4);
    let question =
        (name_strategy(), any::<u16>(), any::<u16>()).prop_map(|(name, t, qclass)| DnsQuestion {
            name,
            qtype: t.into(),
            qclass,
        });
    (
        any::<(u16, bool, bool, bool, bool, bool)>(),
        0u8..=15,
        0u8..=5,
        proptest::collection::vec(question, 0..3),
        (records(), records(), records()),
    )
        .prop_map(
            |(h, opcode, rcode, questions, (answers, authority, additional))| DnsRepr {
                id: h.0,
                response: h.1,
                opcode,
                authoritative: h.2,
                truncated: h.3,
                recursion_desired: h.4,
                recursion_available: h.5,
                rcode: rcode.into(),
                questions,
                answers,
                authority,
                additional,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = DnsRepr::parse(&bytes);
    }

    /// Damaged real messages reach the name and pointer code far more often
    /// than random bytes do.
    #[test]
    fn parse_never_panics_on_damaged_messages(
        which in 0usize..3,
        damage in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
    ) {
        let mut b = [&QUERY[..], &RESPONSE[..], &NXDOMAIN[..]][which].to_vec();
        for (at, v) in damage {
            let at = at % b.len();
            b[at] = v;
        }
        b.truncate(cut % (b.len() + 1));
        let _ = DnsRepr::parse(&b);
    }

    #[test]
    fn parse_inverts_emit(repr in repr_strategy()) {
        let bytes = emitted(&repr);
        prop_assert_eq!(DnsRepr::parse(&bytes), Ok(repr));
    }
}
