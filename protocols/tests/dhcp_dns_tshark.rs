//! Wireshark agrees with our DHCP and DNS bytes: the messages the wire modules
//! emit, inside full Ethernet/IPv4/UDP frames, decode in tshark with no
//! malformed packet and no bad checksum, and tshark reads the fields we meant.
//!
//! tshark is required: install it (`apt-get install tshark`) rather than skip.

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;

use bytes::Bytes;
use protocols::packet::{Frame, FrameBody, IpBody, Ipv4Packet};
use protocols::wire::dhcpv4::{self, DhcpMessageType, DhcpOp, DhcpRepr};
use protocols::wire::dns::{
    self, CLASS_IN, DnsQuestion, DnsRcode, DnsRecord, DnsRepr, DnsType, RecordData,
};
use protocols::wire::{EtherType, EthernetRepr, IpProtocol, Ipv4Repr, MacAddr, UdpRepr};

const CLIENT_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x01]);
const SERVER_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x0a]);
const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 100);
const ROUTER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);
const DNS_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 53);
const CLIENT_DNS_PORT: u16 = 49152;

/// A UDP datagram in an IPv4 packet in an Ethernet frame.
fn udp_frame(
    (src_mac, src, src_port): (MacAddr, Ipv4Addr, u16),
    (dst_mac, dst, dst_port): (MacAddr, Ipv4Addr, u16),
    payload: Vec<u8>,
) -> Frame {
    let header = Ipv4Repr {
        src,
        dst,
        protocol: IpProtocol::Udp,
        ttl: 64,
        tos: 0,
        ident: 1,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        payload_len: 0,
    };
    let body = IpBody::Udp {
        header: UdpRepr { src_port, dst_port },
        payload: Bytes::from(payload),
    };
    Frame {
        eth: EthernetRepr {
            src: src_mac,
            dst: dst_mac,
            ethertype: EtherType::Ipv4,
        },
        body: FrameBody::Ipv4(Ipv4Packet::new(header, body)),
    }
}

fn discover() -> DhcpRepr {
    DhcpRepr {
        broadcast: true,
        hostname: Some("client".into()),
        parameter_request_list: vec![1, 3, 6, 51, 58, 59],
        client_id: Some(CLIENT_MAC),
        ..DhcpRepr::new(
            DhcpOp::BootRequest,
            DhcpMessageType::Discover,
            0x3903_f326,
            CLIENT_MAC,
        )
    }
}

fn ack() -> DhcpRepr {
    DhcpRepr {
        broadcast: true,
        yiaddr: CLIENT_IP,
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        routers: vec![ROUTER_IP],
        dns_servers: vec![DNS_IP],
        lease_time: Some(3600),
        server_id: Some(ROUTER_IP),
        renewal_t1: Some(1800),
        rebinding_t2: Some(3150),
        ..DhcpRepr::new(
            DhcpOp::BootReply,
            DhcpMessageType::Ack,
            0x3903_f326,
            CLIENT_MAC,
        )
    }
}

fn query(id: u16, name: &str) -> DnsRepr {
    DnsRepr {
        id,
        response: false,
        opcode: 0,
        authoritative: false,
        truncated: false,
        recursion_desired: true,
        recursion_available: false,
        rcode: DnsRcode::NoError,
        questions: vec![DnsQuestion::new(name, DnsType::A)],
        answers: vec![],
        authority: vec![],
        additional: vec![],
    }
}

fn answer() -> DnsRepr {
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
        ..query(0x1234, "server.example")
    }
}

fn nxdomain() -> DnsRepr {
    let mut soa = Vec::new();
    soa.extend_from_slice(b"\x02ns\x07example\x00\x0ahostmaster\x07example\x00");
    for v in [1u32, 3600, 600, 86400, 300] {
        soa.extend_from_slice(&v.to_be_bytes());
    }
    DnsRepr {
        response: true,
        authoritative: true,
        recursion_available: true,
        rcode: DnsRcode::NxDomain,
        authority: vec![DnsRecord {
            name: "example".into(),
            rtype: DnsType::Soa,
            class: CLASS_IN,
            ttl: 300,
            data: RecordData::Other(soa),
        }],
        ..query(0x5678, "nosuch.example")
    }
}

/// A CNAME chain: the alias's target in the CNAME RDATA is compressed
/// against the question, and the A record's owner points into that RDATA.
fn cname_answer() -> DnsRepr {
    let record = |name: &str, rtype, data| DnsRecord {
        name: name.into(),
        rtype,
        class: CLASS_IN,
        ttl: 60,
        data,
    };
    DnsRepr {
        answers: vec![
            record(
                "www.example",
                DnsType::Cname,
                RecordData::Cname("server.example".into()),
            ),
            record(
                "server.example",
                DnsType::A,
                RecordData::A(Ipv4Addr::new(10, 0, 2, 10)),
            ),
        ],
        ..answer_to(query(0x9abc, "www.example"))
    }
}

/// `q` turned into an authoritative, recursion-available response.
fn answer_to(q: DnsRepr) -> DnsRepr {
    DnsRepr {
        response: true,
        authoritative: true,
        recursion_available: true,
        ..q
    }
}

fn dhcp_bytes(m: &DhcpRepr) -> Vec<u8> {
    let mut buf = Vec::new();
    m.emit(&mut buf);
    buf
}

fn dns_bytes(m: &DnsRepr) -> Vec<u8> {
    let mut buf = Vec::new();
    m.emit(&mut buf).expect("legal names");
    buf
}

fn frames() -> Vec<Frame> {
    let client_dns = (MacAddr::local(1), CLIENT_IP, CLIENT_DNS_PORT);
    let server_dns = (SERVER_MAC, DNS_IP, dns::SERVER_PORT);
    vec![
        udp_frame(
            (CLIENT_MAC, Ipv4Addr::UNSPECIFIED, dhcpv4::CLIENT_PORT),
            (MacAddr::BROADCAST, Ipv4Addr::BROADCAST, dhcpv4::SERVER_PORT),
            dhcp_bytes(&discover()),
        ),
        udp_frame(
            (SERVER_MAC, ROUTER_IP, dhcpv4::SERVER_PORT),
            (MacAddr::BROADCAST, Ipv4Addr::BROADCAST, dhcpv4::CLIENT_PORT),
            dhcp_bytes(&ack()),
        ),
        udp_frame(
            client_dns,
            server_dns,
            dns_bytes(&query(0x1234, "server.example")),
        ),
        udp_frame(server_dns, client_dns, dns_bytes(&answer())),
        udp_frame(
            client_dns,
            server_dns,
            dns_bytes(&query(0x5678, "nosuch.example")),
        ),
        udp_frame(server_dns, client_dns, dns_bytes(&nxdomain())),
        udp_frame(
            client_dns,
            server_dns,
            dns_bytes(&query(0x9abc, "www.example")),
        ),
        udp_frame(server_dns, client_dns, dns_bytes(&cname_answer())),
    ]
}

/// Writes a classic pcap file: nanosecond magic, Ethernet link type, one
/// record per frame, a millisecond apart.
fn write_pcap(path: &Path, frames: &[Frame]) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_3c4d_u32.to_le_bytes()); // nanosecond timestamps
    out.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
    out.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    for (i, frame) in frames.iter().enumerate() {
        let bytes = frame.to_bytes();
        let len = u32::try_from(bytes.len()).unwrap();
        out.extend_from_slice(&1u32.to_le_bytes()); // seconds
        out.extend_from_slice(&(u32::try_from(i).unwrap() * 1_000_000).to_le_bytes()); // ns
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    std::fs::write(path, out).unwrap();
}

/// Runs tshark on `path` with checksum validation on; returns the packet
/// summaries followed by the full dissection (`-P -V`).
fn tshark(path: &Path) -> String {
    let output = Command::new("tshark")
        .args(["-n", "-P", "-V"])
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
        ])
        .arg("-r")
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run tshark ({e}): this test needs it; install it \
                 (Debian/Ubuntu: `apt-get install tshark`) and rerun"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "tshark failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn tshark_decodes_dhcp_and_dns_without_errors() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dhcp_dns_tshark.pcap");
    write_pcap(&path, &frames());
    let out = tshark(&path);

    assert!(
        !out.contains("Malformed"),
        "tshark reports malformed:\n{out}"
    );
    assert!(
        !out.contains("Expert Info (Error"),
        "tshark reports errors:\n{out}"
    );
    // Every IP and UDP checksum was validated, and found good.
    let lower = out.to_lowercase();
    assert_eq!(
        lower.matches("checksum status: good").count(),
        2 * frames().len()
    );
    assert!(!lower.contains("status: bad"), "bad checksum:\n{out}");
    for expected in [
        // DHCP
        "Dynamic Host Configuration Protocol (Discover)",
        "Dynamic Host Configuration Protocol (ACK)",
        "Transaction ID: 0x3903f326",
        "Client MAC address: 02:00:00:00:00:01",
        "Your (client) IP address: 10.0.1.100",
        "Magic cookie: DHCP",
        "Host Name: client",
        "Subnet Mask: 255.255.255.0",
        "Router: 10.0.1.1",
        "Domain Name Server: 10.0.2.53",
        "IP Address Lease Time: (3600s) 1 hour",
        "Renewal Time Value: (1800s) 30 minutes",
        "Rebinding Time Value: (3150s) 52 minutes, 30 seconds",
        "DHCP Server Identifier: 10.0.1.1",
        "Option: (255) End",
        // DNS
        "Standard query 0x1234 A server.example",
        "Standard query response 0x1234 A server.example A 10.0.2.10",
        "Standard query 0x5678 A nosuch.example",
        "Standard query response 0x5678 No such name A nosuch.example SOA ns.example",
        "Reply code: No such name (3)",
        "[Request In: 5]",
        "Standard query response 0x9abc A www.example CNAME server.example A 10.0.2.10",
        "CNAME: server.example",
        "Primary name server: ns.example",
        "Responsible authority's mailbox: hostmaster.example",
    ] {
        assert!(
            out.contains(expected),
            "tshark does not show {expected:?}:\n{out}"
        );
    }
}
