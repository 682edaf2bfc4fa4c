use std::net::SocketAddr;
use std::time::Duration;

use super::super::{AppLayer, Columns, Dissectors, Endpoints};
use super::*;

fn run(datagrams: &[(bool, Vec<u8>)], port: u16) -> Vec<(Columns, Vec<AppLayer>)> {
    let mut ds = Dissectors::default();
    let c = SocketAddr::from(([10, 0, 0, 1], 50000));
    let s = SocketAddr::from(([10, 0, 0, 2], port));
    datagrams
        .iter()
        .enumerate()
        .map(|(i, (from_client, p))| {
            let ends = if *from_client {
                Endpoints { src: c, dst: s }
            } else {
                Endpoints { src: s, dst: c }
            };
            let mut cols = Columns::new("UDP", "udp");
            let mut layers = Vec::new();
            ds.udp(
                i as u64 + 1,
                Duration::ZERO,
                ends,
                p,
                &mut cols,
                &mut layers,
            );
            (cols, layers)
        })
        .collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// RFC 9001 Appendix A.5: a ChaCha20 short-header packet is out of reach, but A.2's client
/// Initial is not — its first bytes, enough for the header (the payload does not decrypt
/// without the whole packet, so only the header is checked here).
#[test]
fn long_header_names_and_connection_ids() {
    let mut p = vec![0xc3, 0, 0, 0, 1, 8];
    p.extend(unhex("8394c8f03e515708"));
    p.push(0);
    p.extend([0, 0x41, 0x03]);
    p.extend([0u8; 40]);
    let f = run(&[(true, p)], 4433);
    assert_eq!(f[0].0.protocol, "QUIC");
    assert_eq!(f[0].0.info, "Initial, DCID=8394c8f03e515708");
}

#[test]
fn short_header_needs_a_known_connection() {
    let short = {
        let mut v = vec![0x40];
        v.extend([0xab; 30]);
        v
    };
    for port in [4433, 443] {
        let f = run(&[(true, short.clone())], port);
        assert_eq!(f[0].0.protocol, "UDP");
    }
}

#[test]
fn version_negotiation_lists_the_ids() {
    let mut p = vec![0x80, 0, 0, 0, 0, 2, 0xaa, 0xbb, 1, 0xcc];
    p.extend([0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf]);
    // Version 0 is not a version the heuristic knows: only a connection makes it QUIC.
    let mut init = vec![0xc0, 0, 0, 0, 1, 1, 0xcc, 2, 0xaa, 0xbb, 0, 0x10];
    init.extend([0u8; 16]);
    let f = run(&[(true, init), (false, p)], 4433);
    assert_eq!(f[1].0.info, "Version Negotiation, DCID=aabb, SCID=cc");
}

#[test]
fn handshake_then_short_header_uses_the_peer_cid_length() {
    let mut init = vec![0xc0, 0, 0, 0, 1, 4, 1, 2, 3, 4, 2, 9, 9, 0, 0x10];
    init.extend([0u8; 16]);
    let mut hs = vec![0xe0, 0, 0, 0, 1, 2, 9, 9, 3, 7, 7, 7, 0x10];
    hs.extend([0u8; 16]);
    let mut short = vec![0x40, 7, 7, 7];
    short.extend([0x55; 20]);
    let f = run(&[(true, init), (false, hs), (true, short)], 4433);
    assert_eq!(f[1].0.info, "Handshake, DCID=0909, SCID=070707");
    assert_eq!(f[2].0.info, "Protected Payload (KP0), DCID=070707");
}

#[test]
fn varints_and_heuristic() {
    assert_eq!(varint(&[0x25], 0), Some((37, 1)));
    assert_eq!(varint(&[0x7b, 0xbd], 0), Some((15293, 2)));
    assert_eq!(varint(&[0x9d, 0x7f, 0x3e, 0x7d], 0), Some((494_878_333, 4)));
    assert!(!looks_like_quic(&[
        0xc0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0
    ]));
    assert!(looks_like_quic(&[0xc0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert!(!heuristic(&[0xc0], Transport::Tcp));
}
