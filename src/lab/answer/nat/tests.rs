use super::*;

const CLIENT: &str = "10.0.3.1:40000";
const SERVER: &str = "10.0.4.1:80";
const PAGE: &str = "/wireshark-labs/HTTP-wireshark-file1.html";

fn sa(s: &str) -> Option<SocketAddr> {
    s.parse().ok()
}

fn ip4(ttl: u8, id: u16, checksum: u16) -> Ip4 {
    Ip4 {
        version: 4,
        header_len: 20,
        flags: 0x02,
        checksum,
        ttl,
        id,
        total_len: 173,
    }
}

#[allow(clippy::too_many_arguments)]
fn seg(frame: u64, src: &str, dst: &str, stream: u32, seq: u32, flags: u16, ip: Ip4) -> Seg {
    Seg {
        frame,
        time: frame as f64 / 1000.0,
        abs: Duration::from_millis(1_000_000 + frame),
        src: sa(src),
        dst: sa(dst),
        stream: Some(stream),
        seq,
        flags,
        ip: Some(ip),
        payload: Vec::new(),
    }
}

fn get(file: usize, frame: u64, src: &str, uri: &str, stream: u32) -> HttpMsg {
    HttpMsg {
        file,
        frame,
        time: frame as f64 / 1000.0,
        src: sa(src),
        dst: sa(SERVER),
        stream: Some(stream),
        request: true,
        method: "GET".into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        lines: vec!["Host: gaia.wirelab.test".into(), "Accept: */*".into()],
        ..HttpMsg::default()
    }
}

fn ok(file: usize, frame: u64, dst: &str, stream: u32, of: u64) -> HttpMsg {
    HttpMsg {
        file,
        frame,
        time: frame as f64 / 1000.0,
        src: sa(SERVER),
        dst: sa(dst),
        stream: Some(stream),
        version: "HTTP/1.1".into(),
        code: Some(200),
        phrase: "OK".into(),
        request_in: Some(of),
        ..HttpMsg::default()
    }
}

/// One side's connection: SYN (1), SYN-ACK (2), GET (4), 200 OK (6) from client `c`.
fn side(t: &mut NatTrace, file: usize, c: &str, ttl: u8, checksum: u16, seq: u32, id: u16) {
    let list = &mut t.segs[file];
    list.push(seg(1, c, SERVER, 0, seq - 1, SYN, ip4(ttl, id - 1, 1)));
    list.push(seg(2, SERVER, c, 0, 7, SYN | ACK, ip4(64, 0, 2)));
    let mut g = seg(4, c, SERVER, 0, seq, ACK, ip4(ttl, id, checksum));
    g.payload = b"GET / HTTP/1.1\r\n".to_vec();
    list.push(g);
    list.push(seg(6, SERVER, c, 0, 8, ACK, ip4(64, 9, 3)));
    t.http.msgs.push(get(file, 4, c, PAGE, 0));
    t.http.msgs.push(ok(file, 6, c, 0, 4));
}

fn trace(outside_client: &str, out_ttl: u8, out_seq: u32) -> NatTrace {
    let mut t = NatTrace {
        paths: ["in.pcapng".into(), "out.pcapng".into()],
        ..NatTrace::default()
    };
    side(&mut t, INSIDE, CLIENT, 64, 0x1b45, 1000, 0x0405);
    side(
        &mut t,
        OUTSIDE,
        outside_client,
        out_ttl,
        0x1a48,
        out_seq,
        0x0405,
    );
    t
}

fn value<'a>(a: &'a [Answer], id: &str, name: &str) -> &'a serde_json::Value {
    a.iter()
        .find(|x| x.id == id)
        .and_then(|x| x.values.get(name))
        .unwrap_or_else(|| panic!("{id} {name}"))
}

#[test]
fn eleven_answers_across_the_router() {
    let t = trace("10.0.4.254:40000", 63, 1000);
    let a = answer_trace(&t, None).unwrap();
    assert_eq!(a.len(), 11);
    assert_eq!(value(&a, "1", "client"), "10.0.3.1");
    assert_eq!(value(&a, "1", "client_port"), 40000);
    assert_eq!(value(&a, "3", "response")["dst"], "10.0.3.1");
    assert_eq!(value(&a, "4", "same_seq"), true);
    assert_eq!(value(&a, "4", "same_ip_id"), true);
    assert_eq!(value(&a, "5", "get")["src"], "10.0.4.254");
    assert_eq!(value(&a, "6", "changed"), &serde_json::json!(["source_ip"]));
    assert_eq!(value(&a, "7", "changed"), false);
    assert_eq!(
        value(&a, "8", "changed"),
        &serde_json::json!(["Header Checksum"])
    );
    assert_eq!(value(&a, "8", "outside")["ttl"], 63);
    assert_eq!(value(&a, "9", "response")["dst"], "10.0.4.254");
    assert_eq!(value(&a, "10", "syn_outside")["src"], "10.0.4.254");
    assert_eq!(value(&a, "10", "synack_inside")["dst"], "10.0.3.1");
    assert_eq!(value(&a, "10", "same_isn"), true);
    assert_eq!(value(&a, "11", "wan"), "10.0.4.254:40000");
    assert_eq!(value(&a, "11", "lan"), "10.0.3.1:40000");
    assert!(a.iter().all(|x| !x.answer.is_empty()));
}

#[test]
fn a_new_source_port_is_a_changed_field() {
    let t = trace("10.0.4.254:20001", 63, 1000);
    let a = answer_trace(&t, None).unwrap();
    assert_eq!(
        value(&a, "6", "changed"),
        &serde_json::json!(["source_ip", "source_port"])
    );
    assert_eq!(value(&a, "11", "wan"), "10.0.4.254:20001");
}

#[test]
fn content_matches_when_the_router_changes_sequence_numbers() {
    let t = trace("10.0.4.254:40000", 63, 555_000);
    let a = answer_trace(&t, None).unwrap();
    assert_eq!(value(&a, "4", "same_seq"), false);
    assert_eq!(value(&a, "4", "get")["frame"], 4);
}

#[test]
fn pairs_prefer_the_same_sequence_number() {
    let mut t = trace("10.0.4.254:40000", 63, 1000);
    // An earlier identical request on the outside with another sequence number.
    t.http
        .msgs
        .insert(2, get(OUTSIDE, 3, "10.0.4.254:39999", PAGE, 9));
    t.segs[OUTSIDE].insert(
        2,
        seg(3, "10.0.4.254:39999", SERVER, 9, 77, ACK, ip4(63, 1, 1)),
    );
    let p = pairs(&t);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].outside.frame, 4);
}

#[test]
fn swapped_files_are_refused() {
    let t = trace("10.0.4.254:40000", 65, 1000);
    let e = answer_trace(&t, None).unwrap_err();
    assert!(matches!(e, NatError::Swapped { .. }), "{e}");
    assert!(e.to_string().contains("give it first"), "{e}");
}

#[test]
fn the_same_capture_twice_is_refused() {
    let t = trace(CLIENT, 64, 1000);
    let e = answer_trace(&t, None).unwrap_err();
    assert!(matches!(e, NatError::NotTranslated { .. }), "{e}");
}

#[test]
fn unrelated_captures_are_refused() {
    let mut t = trace("10.0.4.254:40000", 63, 1000);
    for m in t.http.msgs.iter_mut().filter(|m| m.file == OUTSIDE) {
        m.uri = "/other.html".into();
    }
    let e = answer_trace(&t, None).unwrap_err();
    assert!(matches!(e, NatError::NoMatch { gets: 1, .. }), "{e}");
}

#[test]
fn no_request_inside_says_what_to_capture() {
    let mut t = trace("10.0.4.254:40000", 63, 1000);
    t.http.msgs.retain(|m| m.file == OUTSIDE);
    let a = answer_trace(&t, None).unwrap();
    assert_eq!(a.len(), 11);
    assert!(
        a.iter()
            .all(|x| x.answer.starts_with("not in this capture"))
    );
}

#[test]
fn server_picks_the_connection() {
    let t = trace("10.0.4.254:40000", 63, 1000);
    assert!(answer_trace(&t, Some("10.0.4.1".parse().unwrap())).is_ok());
    let e = answer_trace(&t, Some("10.9.9.9".parse().unwrap())).unwrap_err();
    assert!(matches!(e, NatError::NoMatch { .. }));
}

#[test]
fn missing_responses_and_handshakes_are_named() {
    let mut t = trace("10.0.4.254:40000", 63, 1000);
    t.http.msgs.retain(|m| m.request);
    t.segs[OUTSIDE].retain(|s| s.flags & SYN == 0);
    let a = answer_trace(&t, None).unwrap();
    for id in ["2", "3", "9", "10"] {
        let x = a.iter().find(|x| x.id == id).unwrap();
        assert!(
            x.answer.starts_with("not in this capture"),
            "{id}: {}",
            x.answer
        );
    }
}

#[test]
fn clock_reads_as_time_of_day() {
    assert_eq!(
        clock(Duration::from_micros(86_400_000_000 + 3_723_000_456)),
        "01:02:03.000456 UTC"
    );
}

#[test]
fn lists_read_well() {
    assert_eq!(and_list(&[]), "");
    assert_eq!(and_list(&["a"]), "a");
    assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
}

#[test]
fn a_content_only_match_does_not_take_an_exact_one() {
    let mut t = trace("10.0.4.254:40000", 63, 1000);
    // A second inside GET of the same page, earlier, whose copy outside was not captured: it
    // must not take the later GET's exact match.
    t.http
        .msgs
        .insert(0, get(INSIDE, 3, "10.0.3.1:39000", PAGE, 5));
    t.segs[INSIDE].insert(
        1,
        seg(3, "10.0.3.1:39000", SERVER, 5, 4242, ACK, ip4(64, 7, 7)),
    );
    let p = pairs(&t);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].inside.frame, p[0].outside.frame), (4, 4));
    assert!(p[0].same_seq);
}

#[test]
fn small_delays_read_in_microseconds() {
    assert_eq!(gap(0.000_037), "37 µs");
    assert_eq!(gap(0.0124), "12.4 ms");
}
