use super::*;

fn rec(ct: u8, hs: &[u8]) -> Record {
    Record {
        content_type: ct,
        handshake: hs.to_vec(),
        alert: None,
    }
}

fn frame(n: u64, from_client: bool, records: Vec<Record>) -> TlsFrame {
    let c: SocketAddr = "10.0.3.1:40000".parse().unwrap();
    let s: SocketAddr = "10.0.4.1:443".parse().unwrap();
    let (src, dst) = if from_client { (c, s) } else { (s, c) };
    TlsFrame {
        file: 0,
        frame: n,
        src: Some(src),
        dst: Some(dst),
        stream: Some(0),
        records,
        ..TlsFrame::default()
    }
}

fn value<'a>(a: &'a [Answer], id: &str, name: &str) -> &'a serde_json::Value {
    a.iter()
        .find(|x| x.id == id)
        .and_then(|x| x.values.get(name))
        .unwrap_or_else(|| panic!("{id} {name}"))
}

fn tls12() -> TlsTrace {
    let mut ch = frame(4, true, vec![rec(22, &[1])]);
    ch.hello = Some(Hello {
        version: Some(0x0303),
        random: (0u8..32).collect(),
        suites: vec![0xc02f, 0x009c, 0x1a1a],
        server_name: Some("www.wirelab.test".into()),
        ..Hello::default()
    });
    let mut sh = frame(6, false, vec![rec(22, &[2, 11, 12, 14])]);
    sh.hello = Some(Hello {
        version: Some(0x0303),
        random: vec![7; 32],
        suites: vec![0xc02f],
        alpn: vec!["http/1.1".into()],
        ..Hello::default()
    });
    let cn = |v: &str| vec![("2.5.4.3".to_string(), Some(v.to_string()))];
    sh.certs = vec![
        Cert {
            signature: Some("1.2.840.113549.1.1.11".into()),
            issuer: cn("wirelab lab CA"),
            subject: cn("www.wirelab.test"),
            key_algorithm: Some("1.2.840.113549.1.1.1".into()),
            modulus: Some(vec![0x00, 0xc3, 0x5a, 0x01]),
        },
        Cert {
            subject: cn("wirelab lab CA"),
            issuer: cn("wirelab lab CA"),
            ..Cert::default()
        },
    ];
    let cke = frame(8, true, vec![rec(22, &[16]), rec(20, &[]), rec(22, &[])]);
    let fin = frame(9, false, vec![rec(22, &[4]), rec(20, &[]), rec(22, &[])]);
    let app = frame(10, true, vec![rec(23, &[])]);
    let close = frame(12, true, vec![rec(21, &[])]);
    let mut t = TlsTrace {
        frames: vec![ch, sh, cke, fin, app, close],
        ..TlsTrace::default()
    };
    t.openings.insert(
        (0, 0),
        Opening {
            syn: Some(1),
            syn_ack: Some(2),
        },
    );
    t
}

#[test]
fn twenty_four_answers_from_a_tls12_session() {
    let a = answer_trace(&tls12(), None);
    assert_eq!(a.len(), 24);
    for (i, x) in a.iter().enumerate() {
        assert_eq!(x.id, (i + 1).to_string());
        assert_eq!(x.question, QUESTIONS[i]);
    }
    assert_eq!(value(&a, "1", "frame"), 1);
    assert_eq!(value(&a, "2", "before"), true);
    assert_eq!(value(&a, "3", "frame"), 4);
    assert_eq!(value(&a, "4", "version"), "TLS 1.2 (0x0303)");
    assert_eq!(value(&a, "5", "count"), 3);
    assert_eq!(value(&a, "6", "first_two_hex"), "04");
    assert_eq!(value(&a, "8", "frame"), 6);
    assert_eq!(
        value(&a, "9", "suite"),
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)"
    );
    assert_eq!(value(&a, "11", "frame"), 6);
    assert_eq!(
        value(&a, "12", "subjects"),
        &serde_json::json!(["www.wirelab.test", "wirelab lab CA"])
    );
    assert_eq!(value(&a, "13", "issuer_cn"), "wirelab lab CA");
    assert_eq!(value(&a, "14", "algorithm"), "sha256WithRSAEncryption");
    assert_eq!(value(&a, "15", "first_four_hex"), "c35a");
    assert_eq!(value(&a, "17", "frame"), 6);
    assert_eq!(value(&a, "18", "frame"), 8);
    assert_eq!(value(&a, "19", "client_certificate"), false);
    assert_eq!(value(&a, "20", "algorithm"), "AES_128_GCM");
    assert_eq!(value(&a, "21", "frame"), 6);
    assert_eq!(value(&a, "22", "frame"), 10);
    assert_eq!(value(&a, "23", "alpn"), "http/1.1");
    assert_eq!(value(&a, "24", "frame"), 12);
}

#[test]
fn a_tls13_session_says_what_is_hidden() {
    let mut t = tls12();
    t.frames.truncate(2);
    let sh = &mut t.frames[1];
    sh.records = vec![rec(22, &[2]), rec(20, &[]), rec(23, &[])];
    sh.certs.clear();
    if let Some(h) = sh.hello.as_mut() {
        h.supported = vec![0x0304];
        h.suites = vec![0x1301];
    }
    t.frames
        .push(frame(8, true, vec![rec(20, &[]), rec(23, &[])]));
    t.frames.push(frame(9, true, vec![rec(23, &[])]));
    t.frames.push(frame(11, true, vec![rec(23, &[])]));
    let a = answer_trace(&t, None);
    assert_eq!(a.len(), 24);
    assert!(value(&a, "11", "frame").is_null());
    assert!(a[10].answer.contains("TLS 1.3"));
    assert!(value(&a, "17", "frame").is_null());
    assert!(value(&a, "18", "frame").is_null());
    assert_eq!(value(&a, "20", "algorithm"), "AES_128_GCM");
    assert_eq!(value(&a, "22", "frame"), 9);
    assert_eq!(value(&a, "24", "likely_frame"), 11);
}

#[test]
fn no_client_hello_says_what_to_capture() {
    let a = answer_trace(&TlsTrace::default(), None);
    assert_eq!(a.len(), 24);
    assert!(
        a.iter()
            .all(|x| x.answer.starts_with("not in this capture"))
    );
}

#[test]
fn symmetric_ciphers_of_suite_names() {
    assert_eq!(
        symmetric("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").as_deref(),
        Some("AES_128_GCM")
    );
    assert_eq!(
        symmetric("TLS_AES_256_GCM_SHA384").as_deref(),
        Some("AES_256_GCM")
    );
    assert_eq!(
        symmetric("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256").as_deref(),
        Some("CHACHA20_POLY1305")
    );
    assert_eq!(
        symmetric("TLS_RSA_WITH_AES_128_CCM_8").as_deref(),
        Some("AES_128_CCM_8")
    );
    assert_eq!(symmetric("junk"), None);
}

#[test]
fn certificate_fields_split_into_issuer_and_subject() {
    let s = |x: &str| FieldVal::Str(x.into());
    let fields: Vec<(&'static str, FieldVal)> = vec![
        ("tls.record.content_type", FieldVal::Uint(22)),
        ("tls.handshake.type", FieldVal::Uint(11)),
        ("tls.handshake.certificates_length", FieldVal::Uint(900)),
        ("tls.handshake.certificate_length", FieldVal::Uint(897)),
        ("x509af.algorithm.id", s("1.2.840.113549.1.1.11")),
        ("x509af.issuer", FieldVal::Uint(0)),
        ("x509if.oid", s("2.5.4.6")),
        ("x509sat.CountryName", s("US")),
        ("x509if.oid", s("1.2.840.113549.1.9.1")),
        ("x509if.oid", s("2.5.4.3")),
        ("x509sat.uTF8String", s("Lab CA")),
        ("x509af.subject", FieldVal::Uint(0)),
        ("x509if.oid", s("2.5.4.3")),
        ("x509sat.printableString", s("www.x.test")),
        ("x509af.algorithm.id", s("1.2.840.113549.1.1.1")),
        ("pkcs1.modulus", FieldVal::Bytes(vec![0, 0xab, 0xcd])),
        ("x509af.algorithm.id", s("1.2.840.113549.1.1.11")),
    ];
    let mut f = TlsFrame::default();
    read_layer(&fields, &mut f);
    assert_eq!(f.records.len(), 1);
    assert!(f.has(11));
    let c = &f.certs[0];
    assert_eq!(c.issuer_cn(), Some("Lab CA"));
    assert_eq!(c.subject_cn(), Some("www.x.test"));
    assert_eq!(c.issuer.len(), 3);
    assert_eq!(c.issuer[1].1, None);
    assert_eq!(c.key_algorithm.as_deref(), Some("1.2.840.113549.1.1.1"));
    assert_eq!(c.modulus_hex().as_deref(), Some("abcd"));
}

#[test]
fn a_certificate_in_pieces_is_named_not_missed() {
    let mut t = tls12();
    t.frames[1].records = vec![rec(22, &[2]), rec(22, &[])];
    t.frames[1].certs.clear();
    let a = answer_trace(&t, None);
    assert!(value(&a, "11", "frame").is_null());
    assert!(
        a[10]
            .answer
            .contains("frame 6 carries pieces of a server handshake message")
    );
    assert!(a[10].answer.starts_with("not read here"));
}
