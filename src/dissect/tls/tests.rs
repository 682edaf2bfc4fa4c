use std::net::SocketAddr;
use std::time::Duration;

use super::super::{AppLayer, Columns, Dissectors, Endpoints, TcpSegmentInfo};
use super::*;

/// Runs TCP segments (from client when `true`) through the dispatch table; returns each
/// frame's columns and layers.
fn run(segments: &[(bool, &[u8])], server_port: u16) -> Vec<(Columns, Vec<AppLayer>)> {
    let mut ds = Dissectors::default();
    let c = SocketAddr::from(([10, 0, 0, 1], 40000));
    let s = SocketAddr::from(([10, 0, 0, 2], server_port));
    let mut seq = [1000u32, 9000u32];
    let mut out = Vec::new();
    for (i, (from_client, p)) in segments.iter().enumerate() {
        let ends = if *from_client {
            Endpoints { src: c, dst: s }
        } else {
            Endpoints { src: s, dst: c }
        };
        let dir = usize::from(!from_client);
        let mut cols = Columns::new("TCP", "tcp info");
        let mut layers = Vec::new();
        let seg = TcpSegmentInfo {
            stream: 0,
            seq: seq[dir],
            retransmission: false,
            fin: false,
        };
        ds.tcp(
            i as u64 + 1,
            Duration::ZERO,
            ends,
            seg,
            p,
            &mut cols,
            &mut layers,
        );
        seq[dir] = seq[dir].wrapping_add(p.len() as u32);
        out.push((cols, layers));
    }
    out
}

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn hs(ty: u8, body: &[u8]) -> Vec<u8> {
    let n = body.len() as u32;
    let mut m = vec![ty, (n >> 16) as u8, (n >> 8) as u8, n as u8];
    m.extend_from_slice(body);
    m
}

fn client_hello() -> Vec<u8> {
    let mut b = vec![0x03, 0x03];
    b.extend_from_slice(&[7; 32]);
    b.push(0);
    b.extend_from_slice(&[0, 4, 0x13, 0x01, 0xc0, 0x2f]);
    b.extend_from_slice(&[1, 0]);
    let mut ext = Vec::new();
    // server_name "a.test"
    ext.extend_from_slice(&[0, 0, 0, 11, 0, 9, 0, 0, 6]);
    ext.extend_from_slice(b"a.test");
    // ALPN h2
    ext.extend_from_slice(&[0, 16, 0, 5, 0, 3, 2, b'h', b'2']);
    // supported_versions 1.3, 1.2
    ext.extend_from_slice(&[0, 43, 0, 5, 4, 3, 4, 3, 3]);
    b.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    b.extend_from_slice(&ext);
    record(22, 0x0301, &hs(1, &b))
}

fn server_hello(tls13: bool) -> Vec<u8> {
    let mut b = vec![0x03, 0x03];
    b.extend_from_slice(&[9; 32]);
    b.push(0);
    b.extend_from_slice(&[0x13, 0x01, 0]);
    if tls13 {
        b.extend_from_slice(&[0, 6, 0, 43, 0, 2, 3, 4]);
    }
    record(22, 0x0303, &hs(2, &b))
}

fn field(layers: &[AppLayer], name: &str) -> Vec<String> {
    layers
        .iter()
        .flat_map(|l| l.values(name))
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn client_hello_fields_and_tlsv1_before_the_server_answers() {
    let f = run(&[(true, &client_hello())], 443);
    let (cols, layers) = &f[0];
    assert_eq!((cols.protocol, cols.info()), ("TLSv1", "Client Hello"));
    assert_eq!(
        field(layers, "tls.handshake.ciphersuite"),
        ["0x1301", "0xc02f"]
    );
    assert_eq!(field(layers, "tls.handshake.cipher_suites_length"), ["4"]);
    assert_eq!(
        field(layers, "tls.handshake.extensions_server_name"),
        ["a.test"]
    );
    assert_eq!(field(layers, "tls.handshake.extensions_alpn_str"), ["h2"]);
    assert_eq!(
        field(layers, "tls.handshake.extensions.supported_version"),
        ["0x0304", "0x0303"]
    );
    assert_eq!(field(layers, "tls.record.version"), ["0x0301"]);
}

#[test]
fn server_hello_supported_versions_moves_the_stream_to_tls13() {
    let mut flight = server_hello(true);
    flight.extend(record(20, 0x0303, &[1]));
    flight.extend(record(23, 0x0303, &[0xaa; 40]));
    let f = run(
        &[
            (true, &client_hello()),
            (false, &flight),
            (true, &record(23, 0x0303, &[0xbb; 30])),
        ],
        443,
    );
    assert_eq!(f[1].0.protocol, "TLSv1.3");
    assert_eq!(
        f[1].0.info,
        "Server Hello, Change Cipher Spec, Application Data"
    );
    assert_eq!(field(&f[1].1, "tls.record.content_type"), ["22", "20"]);
    assert_eq!(field(&f[1].1, "tls.record.opaque_type"), ["23"]);
    assert_eq!(f[2].0.protocol, "TLSv1.3");
}

#[test]
fn tls12_flight_alerts_and_a_record_spanning_segments() {
    let mut flight = server_hello(false);
    flight.extend(record(22, 0x0303, &hs(14, &[])));
    let (a, b) = flight.split_at(20);
    let f = run(
        &[
            (true, &client_hello()),
            (false, a),
            (false, b),
            (true, &record(21, 0x0303, &[2, 40])),
            (true, &record(21, 0x0303, &[0x11; 26])),
        ],
        443,
    );
    assert_eq!(f[1].0.protocol, "TCP");
    assert_eq!(f[1].0.info, "tcp info [TCP segment of a reassembled PDU]");
    assert_eq!(f[2].0.protocol, "TLSv1.2");
    assert_eq!(f[2].0.info, "Server Hello, Server Hello Done");
    assert_eq!(
        f[3].0.info,
        "Alert (Level: Fatal, Description: Handshake Failure)"
    );
    assert_eq!(field(&f[3].1, "tls.alert_message.desc"), ["40"]);
    assert_eq!(f[4].0.info, "Encrypted Alert");
}

#[test]
fn heuristic_takes_a_conversation_on_another_port() {
    assert!(heuristic(&client_hello(), Transport::Tcp));
    assert!(!heuristic(b"GET / HTTP/1.1\r\n", Transport::Tcp));
    assert!(!heuristic(&record(21, 0x0303, &[1, 0]), Transport::Tcp));
    let f = run(
        &[
            (true, &client_hello()),
            (false, &record(21, 0x0303, &[0x11; 26])),
        ],
        4430,
    );
    assert_eq!(f[0].0.protocol, "TLSv1");
    // An alert does not pass the heuristic, but the conversation is TLS by now.
    assert_eq!(f[1].0.info, "Encrypted Alert");
}

#[test]
fn printable_text_is_not_tls_and_garbage_is_continuation() {
    let f = run(&[(true, b"HELO there\r\n")], 443);
    assert_eq!(f[0].0.protocol, "TCP");
    let f = run(&[(true, &[0x01, 0x02, 0x03, 0x04, 0x05, 0x06])], 443);
    assert_eq!(f[0].0.info, "Continuation Data");
}

#[test]
fn certificate_names_and_key_size() {
    // A tiny hand-made certificate: CN=x issuer and subject, RSA 16-bit modulus.
    fn seq(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = parts.concat();
        let mut v = vec![tag, body.len() as u8];
        v.extend(body);
        v
    }
    let oid_cn = [0x06, 3, 0x55, 0x04, 0x03];
    let cn = seq(0x0c, &[b"x"]);
    let name = seq(0x30, &[&seq(0x31, &[&seq(0x30, &[&oid_cn, &cn])])]);
    let sha256rsa = seq(
        0x30,
        &[&[0x06, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11]],
    );
    let rsa = seq(
        0x30,
        &[&[0x06, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 1]],
    );
    let key = seq(0x30, &[&[2, 3, 0, 0xc1, 0x01], &[2, 1, 3]]);
    let mut bits = vec![0u8];
    bits.extend(&key);
    let spki = seq(0x30, &[&rsa, &seq(0x03, &[&bits])]);
    let validity = seq(0x30, &[]);
    let tbs = seq(
        0x30,
        &[&[2, 1, 1], &sha256rsa, &name, &validity, &name, &spki],
    );
    let der = seq(0x30, &[&tbs, &sha256rsa, &[3, 1, 0]]);
    let c = cert::parse(&der);
    assert_eq!(c.subject_cn.as_deref(), Some("x"));
    assert_eq!(c.issuer_cn.as_deref(), Some("x"));
    assert_eq!(c.key_bits, Some(16));
    assert_eq!(c.signature, "sha256WithRSAEncryption");
    let ids: Vec<_> = c
        .fields
        .iter()
        .filter(|(n, _)| *n == "x509af.algorithm.id")
        .map(|(_, v)| v.to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "1.2.840.113549.1.1.11",
            "1.2.840.113549.1.1.1",
            "1.2.840.113549.1.1.11"
        ]
    );
    // The issuer's and the subject's attributes follow their markers, as in tshark.
    let order: Vec<&str> = c
        .fields
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| {
            n.starts_with("x509af.issuer") || n.starts_with("x509af.subject") || *n == "x509if.oid"
        })
        .collect();
    assert_eq!(
        order,
        [
            "x509af.issuer",
            "x509if.oid",
            "x509af.subject",
            "x509if.oid"
        ]
    );
    assert_eq!(super::x509_oid_name("2.5.4.3"), Some("id-at-commonName"));
}
