use std::time::Duration;

use super::*;
use crate::craft::frame;
use crate::link::MemoryLink;
use crate::wire::arp::ArpRepr;

const OURS: [u8; 6] = [2, 0, 0, 0, 0, 1];
const PEER: [u8; 6] = [2, 0, 0, 0, 0, 2];
const ME: Ipv4Addr = Ipv4Addr::new(10, 255, 9, 1);
const HOP: Ipv4Addr = Ipv4Addr::new(10, 255, 9, 254);
const FAR: Ipv4Addr = Ipv4Addr::new(10, 255, 77, 7);

/// The loopback interface as this test wants it: a MAC address and the given addresses.
fn interface(addrs: &[(Ipv4Addr, u8)]) -> Interface {
    let mut i = iface::find("lo").expect("a loopback interface");
    i.mac = Some(OURS);
    i.addrs = addrs.iter().map(|&(a, p)| (a.into(), p)).collect();
    i
}

fn kit(link: MemoryLink, tries: u32) -> Kit<MemoryLink> {
    let info = crafted_link_info("veth9", "test".into(), OURS);
    Kit {
        link,
        rec: Recorder::new(io::sink(), false, Style::default(), None, &info).unwrap(),
        status: io::stderr(),
        host: Host {
            iface: "veth9".into(),
            mac: OURS,
            ip: ME,
            answer_arp: true,
            arp: NeighborConfig {
                request_tries: tries,
                request_interval: Duration::from_millis(20),
                ..NeighborConfig::default()
            },
        },
    }
}

#[test]
fn a_target_of_this_host_is_refused_saying_what_to_do_instead() {
    let i = interface(&[(ME, 24)]);
    let e = towards(
        &i,
        Ipv4Addr::LOCALHOST,
        None,
        "probes",
        "trace another host",
    )
    .unwrap_err();
    assert_eq!(e.code, exit::USAGE);
    assert_eq!(
        e.message,
        "127.0.0.1 is an address of this host: probes wirelab sends to it leave on lo and never \
         come back in; trace another host"
    );
}

#[test]
fn the_source_is_given_or_the_interfaces_and_the_hop_is_the_target_on_the_subnet() {
    let target = Ipv4Addr::new(10, 255, 9, 7);
    let t = towards(&interface(&[(ME, 24)]), target, None, "requests", "").unwrap();
    assert_eq!(
        t,
        Towards {
            src: ME,
            owned: false,
            hop: target
        }
    );
    // No address on the interface: --src-ip is needed, and the target counts as on the link.
    let bare = interface(&[]);
    let e = towards(&bare, FAR, None, "requests", "").unwrap_err();
    assert_eq!(e.code, exit::USAGE);
    assert_eq!(
        e.message,
        "lo has no IPv4 address: give the source address with --src-ip"
    );
    let t = towards(&bare, FAR, Some(ME), "requests", "").unwrap();
    assert_eq!((t.src, t.hop), (ME, FAR));
}

#[test]
fn a_mac_address_not_the_interfaces_opens_the_link_promiscuous() {
    let i = interface(&[(ME, 24)]);
    let s = Setup::new(&i, "wirelab dhcp".into());
    assert_eq!(s.host.mac, OURS);
    assert_eq!(s.host.ip, Ipv4Addr::UNSPECIFIED);
    assert!(!s.host.answer_arp && !s.keep_net_admin);
    assert!(!s.link_options().promiscuous);
    let s = s
        .mac([2, 0, 0, 0, 0, 9])
        .address(ME, true)
        .keep_net_admin(true);
    assert!(s.link_options().promiscuous);
    assert_eq!(
        (s.host.ip, s.host.answer_arp, s.keep_net_admin),
        (ME, true, true)
    );
    assert_eq!(s.if_mac(), OURS);
}

#[test]
fn the_route_goes_through_the_hop_that_answered_arp() {
    let (a, mut b) = MemoryLink::pair();
    let mut kit = kit(a, 3);
    let reply = ArpRepr::reply_to(&ArpRepr::request(OURS, ME, HOP), PEER, HOP);
    let mut buf = Vec::new();
    frame::arp(&mut buf, PEER, OURS, &reply).unwrap();
    // The reply waits on the link before the request goes: it is read once the request is out.
    kit.link.inject(buf);
    let mut st = kit.station();
    let route = route_via(&mut st, HOP, FAR).unwrap();
    assert_eq!(route.src_mac, OURS);
    assert_eq!(route.dst_mac, PEER);
    assert_eq!((route.src_ip, route.dst_ip), (ME, FAR));
    assert_eq!(route.ttl, ipv4::DEFAULT_TTL);
    assert_eq!(st.frames_sent(), 1, "one ARP request");
    drop(st);
    kit.finish().unwrap();
    let sent = b.recv(Duration::ZERO).unwrap().map(|r| r.data.to_vec());
    assert!(sent.is_some_and(|f| f.len() >= 42 && f[..6] == [0xff; 6]));
}

#[test]
fn an_unanswered_hop_is_unreachable() {
    let (a, _b) = MemoryLink::pair();
    let mut kit = kit(a, 2);
    let mut st = kit.station();
    let e = route_via(&mut st, HOP, FAR).unwrap_err();
    assert_eq!(e.code, exit::UNREACHABLE);
    assert!(
        e.message
            .contains("nobody answered ARP for 10.255.9.254 on veth9 (2 requests")
    );
    let io = StationError::Io {
        what: "writing to the terminal",
        source: io::Error::other("gone"),
    };
    assert_eq!(station_failure(io).code, exit::FAILURE);
}

#[test]
fn the_first_frame_is_shown_built_up_then_a_blank_line() {
    let route = Route {
        src_mac: OURS,
        dst_mac: PEER,
        src_ip: ME,
        dst_ip: FAR,
        ttl: 64,
    };
    let mut f = Vec::new();
    frame::udp(&mut f, &route, 7, 40000, 33434, &[0; 12]).unwrap();
    let mut out = Vec::new();
    show_build_up(&mut out, &f, "the first probe", Style::default()).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("the first probe"), "{text}");
    assert!(text.contains("UDP"), "{text}");
    assert!(text.ends_with("\n\n"), "{text}");
}

#[test]
fn the_pcapng_interface_block_names_the_command_and_the_interfaces_mac() {
    let info = crafted_link_info("eth0", "wirelab ping 10.0.3.1".into(), OURS);
    assert_eq!(info.name.as_deref(), Some("eth0"));
    assert_eq!(info.description.as_deref(), Some("wirelab ping 10.0.3.1"));
    assert_eq!(info.mac, Some(OURS));
    assert_eq!(info.snaplen, SNAPLEN);
}

#[test]
fn loopback_is_refused_with_the_reason() {
    let e = usable_interface("lo", "wirelab craft").unwrap_err();
    assert_eq!(e.code, exit::USAGE);
    assert!(
        e.message.contains("never reach local sockets"),
        "{}",
        e.message
    );
    assert!(e.message.contains("veth"), "{}", e.message);
    let e = usable_interface("wl-none0", "wirelab craft").unwrap_err();
    assert!(
        e.message.contains("the interfaces here are"),
        "{}",
        e.message
    );
}
