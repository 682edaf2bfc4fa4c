//! DHCP and DHCPv6 payloads → columns and fields, against what tshark 4.0 printed for them.

use std::net::SocketAddr;
use std::time::Duration;

use super::super::{AppLayer, Columns, Dissectors, Endpoints};

/// Runs a UDP payload from port `sport` to `dport` through the dispatch table.
fn udp(sport: u16, dport: u16, payload: &[u8]) -> (Columns, Vec<AppLayer>) {
    let mut d = Dissectors::default();
    let mut cols = Columns::new("UDP", "udp");
    let mut layers = Vec::new();
    let ends = Endpoints {
        src: SocketAddr::from(([10, 0, 0, 2], sport)),
        dst: SocketAddr::from(([10, 0, 0, 1], dport)),
    };
    d.udp(1, Duration::ZERO, ends, payload, &mut cols, &mut layers);
    (cols, layers)
}

fn bootp(op: u8, options: &[u8]) -> Vec<u8> {
    let mut b = vec![op, 1, 6, 0, 0x00, 0xab, 0xcd, 0xef, 0, 0, 0x80, 0];
    b.resize(28, 0);
    b.extend_from_slice(&[2, 0, 0, 0, 0, 2]);
    b.resize(236, 0);
    b.extend_from_slice(&[99, 130, 83, 99]);
    b.extend_from_slice(options);
    b
}

fn values(l: &AppLayer, name: &str) -> String {
    l.values(name)
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn message_types_pad_the_name_not_the_id() {
    let (c, _) = udp(68, 67, &bootp(1, &[53, 1, 1, 255]));
    assert_eq!(
        (c.protocol, c.info.as_str()),
        ("DHCP", "DHCP Discover - Transaction ID 0xabcdef")
    );
    let (c, _) = udp(68, 67, &bootp(1, &[53, 1, 6, 255]));
    assert_eq!(c.info, "DHCP NAK      - Transaction ID 0xabcdef");
    let (c, _) = udp(68, 67, &bootp(1, &[53, 1, 99, 255]));
    assert_eq!(
        c.info,
        "DHCP Unknown Message Type (0x63) - Transaction ID 0xabcdef"
    );
}

#[test]
fn bootp_without_option_53() {
    let (c, _) = udp(68, 67, &bootp(1, &[]));
    assert_eq!(c.protocol, "BOOTP");
    assert_eq!(
        c.info,
        "Boot Request from 02:00:00:00:00:02 (02:00:00:00:00:02)"
    );
    let (c, _) = udp(67, 68, &bootp(2, &[]));
    assert_eq!(c.info, "Boot Reply");
    let (c, _) = udp(67, 68, &bootp(3, &[]));
    assert_eq!(c.info, "Unknown BOOTP message type (3)");
}

#[test]
fn cut_short_is_malformed_where_tshark_says() {
    let (c, l) = udp(68, 67, &[1]);
    assert_eq!(
        (c.protocol, c.info.as_str()),
        ("BOOTP", "[Malformed Packet]")
    );
    assert!(l[0].fields.is_empty());
    let (c, _) = udp(68, 67, &bootp(1, &[53, 1, 1, 50, 4, 1]));
    assert_eq!(
        c.info,
        "DHCP Discover - Transaction ID 0xabcdef[Malformed Packet]"
    );
    let (c, _) = udp(68, 67, &bootp(1, &[53, 1])); // the type itself is missing
    assert_eq!(
        c.info,
        "Boot Request from 02:00:00:00:00:02 (02:00:00:00:00:02)[Malformed Packet]"
    );
}

#[test]
fn common_options_as_fields() {
    let opts = [
        53, 1, 3, 50, 4, 10, 0, 0, 9, 51, 4, 0, 1, 81, 128, 54, 4, 10, 0, 0, 1, 6, 8, 8, 8, 8, 8,
        1, 1, 1, 1, 3, 4, 10, 0, 0, 1, 1, 4, 255, 255, 0, 0, 28, 4, 10, 0, 255, 255, 15, 3, 97, 98,
        99, 12, 2, b'p', b'c', 55, 2, 1, 3, 255,
    ];
    let (_, l) = udp(68, 67, &bootp(1, &opts));
    let l = &l[0];
    for (name, want) in [
        ("dhcp.option.dhcp", "3"),
        ("dhcp.option.requested_ip_address", "10.0.0.9"),
        ("dhcp.option.ip_address_lease_time", "86400"),
        ("dhcp.option.dhcp_server_id", "10.0.0.1"),
        ("dhcp.option.domain_name_server", "8.8.8.8,1.1.1.1"),
        ("dhcp.option.router", "10.0.0.1"),
        ("dhcp.option.subnet_mask", "255.255.0.0"),
        ("dhcp.option.broadcast_address", "10.0.255.255"),
        ("dhcp.option.domain_name", "abc"),
        ("dhcp.option.hostname", "pc"),
        ("dhcp.option.request_list_item", "1,3"),
        ("dhcp.option.type", "53,50,51,54,6,3,1,28,15,12,55,0"),
        ("dhcp.id", "0x00abcdef"),
        ("dhcp.flags.bc", "1"),
        ("dhcp.hw.mac_addr", "02:00:00:00:00:02"),
    ] {
        assert_eq!(values(l, name), want, "{name}");
    }
    let tree = l.detail.as_ref().unwrap();
    assert_eq!(tree.title, "Dynamic Host Configuration Protocol (Request)");
    let line = |name: &str| {
        tree.fields
            .iter()
            .find(|f| f.value.starts_with(name))
            .map(|f| f.value.clone())
    };
    assert_eq!(line("(51)").unwrap(), "(51) IP Address Lease Time");
    assert_eq!(line("(86400s)").unwrap(), "(86400s) 1 day");
    assert_eq!(line("(1)").unwrap(), "(1) Subnet Mask (255.255.0.0)");
}

#[test]
fn lease_times_read_as_wireshark_writes_them() {
    assert_eq!(super::time_text(3600), "1 hour");
    assert_eq!(super::time_text(3150), "52 minutes, 30 seconds");
    assert_eq!(
        super::time_text(167772167),
        "1941 days, 19 hours, 22 minutes, 47 seconds"
    );
}

#[test]
fn dhcpv6_names_xid_cid_and_addresses() {
    let cid = [0, 1, 0, 4, 0xde, 0xad, 0xbe, 0xef];
    let mut ia = vec![0, 3, 0, 40, 0, 0, 3, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 0, 24];
    ia.extend_from_slice(&[0xfd, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x4d]);
    ia.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1]);
    let mut m = vec![2, 0x03, 0x20, 0x1e];
    m.extend_from_slice(&cid);
    m.extend_from_slice(&ia);
    let (c, l) = udp(547, 546, &m);
    assert_eq!(c.protocol, "DHCPv6");
    assert_eq!(
        c.info,
        "Advertise XID: 0x03201e CID: deadbeef IAA: fd00:3::14d "
    );
    assert_eq!(values(&l[0], "dhcpv6.xid"), "0x03201e");
    assert_eq!(values(&l[0], "dhcpv6.option.type"), "1,3,5");
    let mut relay = vec![12, 0];
    relay.extend_from_slice(&[0; 15]);
    relay.push(1);
    relay.extend_from_slice(&[0; 16]);
    relay.extend_from_slice(&[0, 9, 0, m.len() as u8]);
    relay.extend_from_slice(&m);
    let (c, _) = udp(547, 547, &relay);
    assert_eq!(
        c.info,
        "Relay-forw L: ::1 Advertise XID: 0x03201e CID: deadbeef IAA: fd00:3::14d "
    );
    let (c, _) = udp(546, 547, &[1, 1]);
    assert_eq!(c.info, "Solicit [Malformed Packet]");
}
