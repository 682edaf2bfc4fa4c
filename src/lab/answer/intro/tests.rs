use super::*;

fn get(frame: u64, time: f64, uri: &str, lines: &[&str]) -> HttpMsg {
    HttpMsg {
        frame,
        time,
        src: Some("192.168.1.5:50000".parse().unwrap()),
        dst: Some("128.119.245.12:80".parse().unwrap()),
        stream: Some(frame as u32),
        request: true,
        method: "GET".into(),
        uri: uri.into(),
        version: "HTTP/1.1".into(),
        lines: lines.iter().map(|l| l.to_string()).collect(),
        ..HttpMsg::default()
    }
}

fn ok(frame: u64, time: f64, of: &HttpMsg) -> HttpMsg {
    HttpMsg {
        frame,
        time,
        src: of.dst,
        dst: of.src,
        stream: of.stream,
        version: "HTTP/1.1".into(),
        code: Some(200),
        phrase: "OK".into(),
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

fn trace(msgs: Vec<HttpMsg>, columns: &[(&str, u64)]) -> IntroTrace {
    IntroTrace {
        http: HttpMsgs {
            counts: vec![msgs.len() as u64],
            msgs,
        },
        columns: columns.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
        ..IntroTrace::default()
    }
}

#[test]
fn six_answers_about_the_intro_page() {
    let other = get(3, 0.5, "/favicon.ico", &[]);
    let other_ok = ok(4, 0.6, &other);
    let g = get(
        7,
        1.25,
        "/wireshark-labs/INTRO-wireshark-file1.html",
        &[
            "Host: gaia.cs.umass.edu",
            "User-Agent: Mozilla/5.0 \u{1b}[31m",
        ],
    );
    let r = ok(9, 1.3125, &g);
    let mut t = trace(
        vec![other, other_ok, g, r],
        &[("TCP", 10), ("HTTP/JSON", 1), ("HTTP", 4), ("ARP", 2)],
    );
    t.printed = vec![Printed {
        file: 0,
        frame: 7,
        lines: vec!["Frame 7: 1 bytes".into()],
        cut: 0,
    }];
    let a = answer_trace(&t);
    assert_eq!(a.len(), 6);
    assert_eq!(
        value(&a, "1", "listed"),
        &serde_json::json!(["TCP", "HTTP"])
    );
    assert_eq!(value(&a, "1", "frames")["HTTP"], 5);
    assert_eq!(value(&a, "1", "frames")["QUIC"], 0);
    assert_eq!(value(&a, "2", "get_frame"), 7);
    assert_eq!(value(&a, "2", "reply_frame"), 9);
    assert_eq!(value(&a, "2", "seconds"), 0.0625);
    assert_eq!(value(&a, "3", "server"), "128.119.245.12");
    assert_eq!(value(&a, "3", "client"), "192.168.1.5");
    assert_eq!(value(&a, "3", "host"), "gaia.cs.umass.edu");
    assert_eq!(value(&a, "5", "dst_port"), 80);
    assert_eq!(value(&a, "6", "get_text")[0], "Frame 7: 1 bytes");
    assert!(value(&a, "6", "reply_text").is_null());
    // The User-Agent is escaped in the text.
    let q4 = &a[3].answer;
    assert!(q4.contains("Mozilla/5.0 \\x1b[31m"), "{q4}");
    assert!(!a.iter().any(|x| x.answer.contains('\u{1b}')));
}

#[test]
fn without_the_intro_page_the_first_answered_get() {
    let lone = get(1, 0.0, "/a", &[]);
    let g = get(2, 0.1, "/b", &[]);
    let r = ok(3, 0.2, &g);
    let a = answer_trace(&trace(vec![lone, g, r], &[("HTTP", 3)]));
    assert_eq!(value(&a, "2", "get_frame"), 2);
    assert_eq!(value(&a, "4", "user_agent"), &serde_json::Value::Null);
}

#[test]
fn no_get_says_what_to_capture() {
    let a = answer_trace(&trace(vec![], &[("ARP", 2)]));
    assert_eq!(a.len(), 6);
    assert_eq!(value(&a, "1", "listed"), &serde_json::json!([]));
    assert!(a[1].answer.starts_with("Not in this capture"));
    let a = answer_trace(&IntroTrace::default());
    assert!(a[0].answer.starts_with("Not in this capture"));
}

#[test]
fn column_values_count_by_name() {
    assert!(shows("HTTP/JSON", "HTTP"));
    assert!(shows("TLSv1.2", "TLSv1.2"));
    assert!(!shows("TLSv1.3", "TLSv1.2"));
    assert!(!shows("HTTP2", "HTTP"));
}

#[test]
fn the_lab_is_named_intro() {
    use crate::lab::answer::LabId;
    assert_eq!("intro".parse(), Ok(LabId::Intro));
    assert_eq!(LabId::Intro.to_string(), "intro");
}

#[test]
fn times_read_as_the_time_column() {
    assert_eq!(time_column(0.002983999), "0.002983");
    assert_eq!(time_column(0.003174), "0.003174");
    assert_eq!(time_column(12.5), "12.500000");
}
