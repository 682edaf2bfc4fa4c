use super::*;

fn get(frame: u64, time: f64, dst: &str, uri: &str, lines: &[&str]) -> HttpMsg {
    HttpMsg {
        frame,
        time,
        src: Some("10.0.3.2:40000".parse().unwrap()),
        dst: Some(dst.parse().unwrap()),
        stream: Some(frame as u32),
        request: true,
        method: "GET".into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        lines: lines.iter().map(|l| l.to_string()).collect(),
        accept_language: Some("en-GB".into()),
        ..HttpMsg::default()
    }
}

fn resp(frame: u64, time: f64, of: &HttpMsg, code: u64, segments: &[u64]) -> HttpMsg {
    HttpMsg {
        frame,
        time,
        src: of.dst,
        dst: of.src,
        stream: of.stream,
        version: "HTTP/1.1".into(),
        code: Some(code),
        phrase: "OK".into(),
        lines: vec!["Last-Modified: Mon, 05 Jan 2026 10:00:00 GMT".into()],
        last_modified: Some("Mon, 05 Jan 2026 10:00:00 GMT".into()),
        content_length: Some(100),
        segments: segments.to_vec(),
        request_in: Some(of.frame),
        ..HttpMsg::default()
    }
}

fn value<'a>(a: &'a [Answer], id: &str, name: &str) -> &'a serde_json::Value {
    a.iter()
        .find(|x| x.id == id)
        .and_then(|x| x.values.get(name))
        .unwrap_or_else(|| panic!("{id} {name}"))
}

#[test]
fn nineteen_answers_from_the_messages() {
    let g1 = get(1, 0.0, "10.0.3.1:80", "/a.html", &["Host: x"]);
    let r1 = resp(2, 0.1, &g1, 200, &[]);
    let g2 = get(3, 1.0, "10.0.3.1:80", "/a.html", &["If-Modified-Since: T"]);
    let mut r2 = resp(4, 1.1, &g2, 304, &[]);
    r2.content_length = None;
    let g3 = get(5, 2.0, "10.0.3.1:80", "/long.html", &[]);
    let r3 = resp(9, 2.1, &g3, 200, &[6, 7, 8, 9]);
    let g4 = get(10, 3.0, "10.0.3.9:80", "/img1", &[]);
    let g5 = get(11, 3.01, "10.0.3.1:80", "/img2", &[]);
    let r4 = resp(12, 3.2, &g4, 200, &[]);
    let r5 = resp(13, 3.3, &g5, 200, &[]);
    let g6 = get(14, 4.0, "10.0.3.1:80", "/secret", &[]);
    let r6 = resp(15, 4.1, &g6, 401, &[]);
    let mut g7 = get(16, 5.0, "10.0.3.1:80", "/secret", &[]);
    g7.authorization = Some("Basic c3R1ZGVudDp3aXJlbGFi".into());
    g7.authbasic = Some("student:wirelab".into());
    let h = HttpMsgs {
        msgs: vec![g1, r1, g2, r2, g3, r3, g4, g5, r4, r5, g6, r6, g7],
        counts: vec![13],
    };
    let a = answer_msgs(&h);
    assert_eq!(a.len(), 19);
    assert_eq!(value(&a, "1", "browser_version"), "HTTP/1.1");
    assert_eq!(value(&a, "3", "server"), "10.0.3.1");
    assert_eq!(value(&a, "4", "code"), 200);
    assert_eq!(value(&a, "6", "content_length"), 100);
    assert_eq!(value(&a, "8", "frame"), 1);
    assert!(value(&a, "8", "if_modified_since").is_null());
    assert_eq!(value(&a, "10", "if_modified_since"), "T");
    assert_eq!(value(&a, "11", "code"), 304);
    assert_eq!(value(&a, "12", "gets"), 7);
    assert_eq!(value(&a, "12", "get_frame"), 5);
    assert_eq!(value(&a, "15", "segments"), 4);
    assert_eq!(value(&a, "16", "addresses").as_array().unwrap().len(), 2);
    assert_eq!(value(&a, "17", "parallel"), true);
    assert_eq!(value(&a, "18", "frame"), 15);
    assert_eq!(value(&a, "19", "credentials"), "student:wirelab");
}

#[test]
fn no_http_gives_every_question_a_reason() {
    let a = answer_msgs(&HttpMsgs::default());
    assert_eq!(a.len(), 19);
    assert!(a.iter().all(|x| !x.answer.is_empty()));
}

#[test]
fn the_lab_is_named_http() {
    assert_eq!("http".parse(), Ok(crate::lab::answer::LabId::Http));
    assert_eq!(crate::lab::answer::LabId::Http.number(), "http");
}

/// TCP segments (from, to, seq, ack, payload) as Ethernet frames through the analyzer, the
/// HTTP dissector's fields collected.
fn through_the_dissector(segs: &[(u8, u8, u32, u32, &[u8])]) -> HttpMsgs {
    use crate::frame::{Frame, LinkType};
    use etherparse::PacketBuilder;
    use std::time::Duration;
    let mut analyzer = Analyzer::new().want(Want {
        fields: true,
        tree: false,
    });
    let mut p = Packet::default();
    let mut h = HttpMsgs::default();
    for (i, (from, to, seq, ack, data)) in segs.iter().enumerate() {
        let port = |n: u8| if n == 1 { 80 } else { 40000 };
        let mut out = Vec::new();
        PacketBuilder::ethernet2([2, 0, 0, 0, 3, *from], [2, 0, 0, 0, 3, *to])
            .ipv4([10, 0, 3, *from], [10, 0, 3, *to], 64)
            .tcp(port(*from), port(*to), *seq, 64240)
            .ack(*ack)
            .psh()
            .write(&mut out, data)
            .unwrap();
        let frame = Frame {
            number: i as u64 + 1,
            timestamp: Duration::from_secs(1_700_000_000 + i as u64),
            link_type: LinkType::ETHERNET,
            orig_len: out.len() as u32,
            interface: 0,
            data: out,
        };
        analyzer.process(&frame, &mut p);
        h.add(0, &p);
    }
    h
}

#[test]
fn messages_come_from_the_http_dissectors_fields() {
    let get: &[u8] = b"GET /secret/ HTTP/1.1\r\nHost: 10.0.3.1\r\nAuthorization: Basic \
                       c3R1ZGVudDp3aXJlbGFi\r\nAccept-Language: fr\r\n\r\n";
    let resp: &[u8] = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
    let h = through_the_dissector(&[
        (2, 1, 1000, 5000, get),
        (1, 2, 5000, 1000 + get.len() as u32, resp),
    ]);
    assert_eq!(h.msgs.len(), 2, "{h:#?}");
    let (g, r) = (&h.msgs[0], &h.msgs[1]);
    assert!(g.request && !r.request);
    assert_eq!(g.method, "GET");
    assert_eq!(g.uri, "/secret/");
    assert_eq!(g.accept_language.as_deref(), Some("fr"));
    assert_eq!(g.authbasic.as_deref(), Some("student:wirelab"));
    assert_eq!(g.header("host"), Some("10.0.3.1"));
    assert_eq!(r.code, Some(401));
    assert_eq!(r.phrase, "Unauthorized");
    assert_eq!(h.response_to(g).map(|m| m.frame), Some(2));
}
