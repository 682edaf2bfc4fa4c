use super::*;

const MAC: [u8; 6] = [2, 0, 0, 0, 0, 9];
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 9, 1);
const OFFERED: Ipv4Addr = Ipv4Addr::new(10, 0, 9, 120);
const S: Duration = Duration::from_secs(1);

fn cfg() -> ClientConfig {
    ClientConfig {
        xid: 0xdead_beef,
        mac: MAC,
        hostname: "pc".into(),
        broadcast: false,
        wait: 2 * S,
        tries: 3,
    }
}

fn reply(k: u8) -> Reply {
    Reply {
        op: BOOTREPLY,
        xid: 0xdead_beef,
        chaddr: Some(MAC),
        kind: Some(k),
        yiaddr: OFFERED,
        server_id: Some(SERVER),
        mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        router: Some(SERVER),
        lease_secs: Some(3600),
    }
}

fn codes(m: &DhcpRepr) -> Vec<u8> {
    m.options.iter().map(|(c, _)| *c).collect()
}

fn value(m: &DhcpRepr, code: u8) -> Option<&[u8]> {
    m.options
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, v)| v.as_slice())
}

#[test]
fn discover_offer_request_ack() {
    let mut c = Client::new(cfg(), Duration::ZERO);
    let d = c.poll_transmit(Duration::ZERO).unwrap();
    assert_eq!(codes(&d), [53, 61, 12, 55]);
    assert_eq!(value(&d, 53), Some(&[1u8][..]));
    assert_eq!(value(&d, 61), Some(&[1, 2, 0, 0, 0, 0, 9][..]));
    assert_eq!((d.xid, d.chaddr, d.flags), (0xdead_beef, MAC, 0));
    assert!(c.poll_transmit(S).is_none());
    let Event::Offer(l) = c.on_reply(S, &reply(kind::OFFER)) else {
        panic!("offer not taken")
    };
    assert_eq!((l.addr, l.server, l.prefix()), (OFFERED, SERVER, 24));
    let r = c.poll_transmit(S).unwrap();
    assert_eq!(codes(&r), [53, 61, 50, 54, 12, 55]);
    assert_eq!(value(&r, 53), Some(&[3u8][..]));
    assert_eq!(value(&r, 50), Some(&OFFERED.octets()[..]));
    assert_eq!(value(&r, 54), Some(&SERVER.octets()[..]));
    // A second Offer while requesting is not taken.
    assert!(matches!(
        c.on_reply(S, &reply(kind::OFFER)),
        Event::Ignored(_)
    ));
    assert!(matches!(c.on_reply(S, &reply(kind::ACK)), Event::Ack(_)));
    assert!(c.done());
    assert!(matches!(c.state(), State::Bound(l) if l.lease_secs == Some(3600)));
}

#[test]
fn foreign_and_hostile_replies_are_ignored() {
    let mut c = Client::new(cfg(), Duration::ZERO);
    c.poll_transmit(Duration::ZERO);
    let bad = [
        Reply {
            xid: 1,
            ..reply(kind::OFFER)
        },
        Reply {
            chaddr: Some([2, 0, 0, 0, 0, 8]),
            ..reply(kind::OFFER)
        },
        Reply {
            chaddr: None,
            ..reply(kind::OFFER)
        },
        Reply {
            op: 1,
            ..reply(kind::OFFER)
        },
        Reply {
            server_id: None,
            ..reply(kind::OFFER)
        },
        Reply {
            yiaddr: Ipv4Addr::BROADCAST,
            ..reply(kind::OFFER)
        },
        Reply {
            yiaddr: Ipv4Addr::UNSPECIFIED,
            ..reply(kind::OFFER)
        },
        reply(kind::ACK),
        reply(kind::NAK),
        Reply {
            kind: None,
            ..reply(kind::OFFER)
        },
    ];
    for r in &bad {
        assert!(matches!(c.on_reply(S, r), Event::Ignored(_)), "{r:?}");
        assert_eq!(c.state(), State::Selecting);
    }
    c.on_reply(S, &reply(kind::OFFER));
    let other = Ipv4Addr::new(10, 0, 9, 2);
    for r in [
        Reply {
            server_id: Some(other),
            ..reply(kind::ACK)
        },
        Reply {
            yiaddr: other,
            ..reply(kind::ACK)
        },
        Reply {
            server_id: Some(other),
            ..reply(kind::NAK)
        },
    ] {
        assert!(matches!(c.on_reply(S, &r), Event::Ignored(_)), "{r:?}");
    }
    assert_eq!(c.on_reply(S, &reply(kind::NAK)), Event::Nak);
    assert_eq!(
        c.state(),
        State::Refused {
            server: Some(SERVER)
        }
    );
    assert!(c.done());
}

#[test]
fn tries_are_bounded() {
    let mut c = Client::new(cfg(), Duration::ZERO);
    let mut sent = 0;
    for t in 0..20 {
        if c.poll_transmit(Duration::from_secs(t)).is_some() {
            sent += 1;
        }
    }
    assert_eq!(sent, 3);
    assert_eq!(c.state(), State::NoOffer);
    assert!(c.done());
    // Requests are bounded too, and the broadcast flag is set when asked.
    let mut c = Client::new(
        ClientConfig {
            broadcast: true,
            ..cfg()
        },
        Duration::ZERO,
    );
    assert_eq!(
        c.poll_transmit(Duration::ZERO).unwrap().flags,
        FLAG_BROADCAST
    );
    c.on_reply(S, &reply(kind::OFFER));
    let mut sent = 0;
    for t in 1..20 {
        if c.poll_transmit(Duration::from_secs(t)).is_some() {
            sent += 1;
        }
    }
    assert_eq!(sent, 3);
    assert!(matches!(c.state(), State::NoAck(_)));
}

#[test]
fn release_and_prefixes() {
    let m = release(7, MAC, OFFERED, SERVER);
    assert_eq!(m.ciaddr, OFFERED);
    assert_eq!(codes(&m), [53, 54, 61]);
    assert_eq!(value(&m, 53), Some(&[7u8][..]));
    let l = |mask| Lease {
        addr: OFFERED,
        server: SERVER,
        mask,
        router: None,
        lease_secs: None,
    };
    assert_eq!(l(Some(Ipv4Addr::new(255, 255, 0, 0))).prefix(), 16);
    assert_eq!(l(Some(Ipv4Addr::new(255, 0, 255, 0))).prefix(), 24);
    assert_eq!(l(None).prefix(), 24);
    assert_eq!(l(Some(Ipv4Addr::BROADCAST)).prefix(), 32);
}
