use super::*;
use crate::wire::dhcp::{BOOTREPLY, kind, opt};

const MAC: [u8; 6] = [2, 0, 0, 0, 0, 9];

fn offer_frame(options: Vec<(u8, Vec<u8>)>, htype_ethernet: bool) -> Vec<u8> {
    let mut m = DhcpRepr::request(0xabcd_0123, MAC);
    m.op = BOOTREPLY;
    m.yiaddr = Ipv4Addr::new(10, 0, 9, 120);
    m.options = options;
    let mut payload = vec![0u8; m.emit_len()];
    m.emit(&mut payload).unwrap();
    if !htype_ethernet {
        payload[1] = 32; // InfiniBand: no MAC in the header
    }
    let route = Route {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: BROADCAST,
        src_ip: Ipv4Addr::new(10, 0, 9, 1),
        dst_ip: Ipv4Addr::BROADCAST,
        ttl: 64,
    };
    let mut buf = Vec::new();
    frame::udp(&mut buf, &route, 1, SERVER_PORT, CLIENT_PORT, &payload).unwrap();
    buf
}

#[test]
fn the_dissector_fields_make_the_reply() {
    let f = offer_frame(
        vec![
            (opt::MESSAGE_TYPE, vec![kind::OFFER]),
            (opt::SERVER_ID, vec![10, 0, 9, 1]),
            (opt::LEASE_TIME, 3600u32.to_be_bytes().to_vec()),
            (opt::SUBNET_MASK, vec![255, 255, 255, 0]),
            (opt::ROUTER, vec![10, 0, 9, 1, 10, 0, 9, 2]),
        ],
        true,
    );
    let mut s = Shower::new(Style::default());
    let r = s.dissect(&f, Duration::from_secs(1)).unwrap();
    assert_eq!(
        r,
        Reply {
            op: BOOTREPLY,
            xid: 0xabcd_0123,
            chaddr: Some(MAC),
            kind: Some(kind::OFFER),
            yiaddr: Ipv4Addr::new(10, 0, 9, 120),
            server_id: Some(Ipv4Addr::new(10, 0, 9, 1)),
            mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
            router: Some(Ipv4Addr::new(10, 0, 9, 1)),
            lease_secs: Some(3600),
        }
    );
    let mut shown = Vec::new();
    s.show(&mut shown, "t").unwrap();
    let text = String::from_utf8(shown).unwrap();
    assert!(
        text.contains("Dynamic Host Configuration Protocol (Offer)"),
        "{text}"
    );
    assert!(
        text.contains("Option: (54) DHCP Server Identifier (10.0.9.1)"),
        "{text}"
    );
}

#[test]
fn a_client_id_with_our_mac_does_not_stand_for_the_header() {
    // A non-Ethernet chaddr with our MAC in option 61: not ours.
    let f = offer_frame(
        vec![
            (opt::MESSAGE_TYPE, vec![kind::OFFER]),
            (opt::CLIENT_ID, crate::craft::dhcp::client_id(MAC)),
        ],
        false,
    );
    let r = Shower::new(Style::default())
        .dissect(&f, Duration::ZERO)
        .unwrap();
    assert_eq!(r.chaddr, None);
    // The last option 53 names the message, as in Wireshark.
    let f = offer_frame(
        vec![
            (opt::MESSAGE_TYPE, vec![kind::OFFER]),
            (opt::MESSAGE_TYPE, vec![kind::NAK]),
        ],
        true,
    );
    let r = Shower::new(Style::default())
        .dissect(&f, Duration::ZERO)
        .unwrap();
    assert_eq!(r.kind, Some(kind::NAK));
    // Cut short or not DHCP at all: nothing, and no panic.
    let mut s = Shower::new(Style::default());
    for n in [0, 14, 34, 42, 50, 200, 282, 290] {
        let _ = s.dissect(&f[..n.min(f.len())], Duration::ZERO);
    }
}

#[test]
fn mac_addresses() {
    assert_eq!(parse_mac("02:00:00:00:00:09").unwrap(), MAC);
    assert_eq!(parse_mac("2-0-0-0-0-9").unwrap(), MAC);
    for bad in [
        "",
        "02:00:00:00:00",
        "02:00:00:00:00:09:01",
        "ff:ff:ff:ff:ff:ff",
        "00:00:00:00:00:00",
        "02:00:00:00:00:zz",
        "02::00:00:00:00",
    ] {
        assert!(parse_mac(bad).is_err(), "{bad}");
    }
}
