use super::*;

fn head(id: u16, ttl: u8) -> Ipv4Repr {
    let mut h = Ipv4Repr::new(
        Ipv4Addr::new(10, 0, 3, 2),
        Ipv4Addr::new(10, 0, 4, 1),
        17,
        40,
        id,
        ttl,
        false,
    )
    .expect("a header");
    h.checksum = id ^ u16::from(ttl);
    h
}

#[test]
fn fields_that_always_sometimes_and_never_change() {
    let hs = [head(1, 1), head(2, 1), head(3, 2)];
    let refs: Vec<&Ipv4Repr> = hs.iter().collect();
    let c: BTreeMap<&str, Option<bool>> = field_changes(&refs).into_iter().collect();
    assert_eq!(c["Identification"], Some(true));
    assert_eq!(c["Header Checksum"], Some(true));
    assert_eq!(c["Time to Live"], None);
    assert_eq!(c["Source Address"], Some(false));
    assert_eq!(c["Total Length"], Some(false));
}

#[test]
fn identification_patterns() {
    assert_eq!(
        describe_ids(&[5, 6, 7]),
        "each one more than the one before"
    );
    assert!(describe_ids(&[5, 9, 30]).starts_with("rising by small steps"));
    assert!(describe_ids(&[0x62bf, 0xe7bd, 0x2286]).starts_with("no order"));
    assert_eq!(describe_ids(&[1]), "a single value");
    // Wrapping around 65535 is still one more.
    assert_eq!(
        describe_ids(&[0xffff, 0]),
        "each one more than the one before"
    );
}

#[test]
fn flags_read_as_wireshark_writes_them() {
    let mut h = head(1, 1);
    assert_eq!(flags(&h), "0x0");
    h.more_fragments = true;
    assert_eq!(flags(&h), "0x1, More fragments");
    h.more_fragments = false;
    h.dont_fragment = true;
    assert_eq!(flags(&h), "0x2, Don't fragment");
}

#[test]
fn an_empty_capture_answers_every_question_by_saying_what_to_capture() {
    let a = answers(&Trace::new(Vec::new()));
    let ids: Vec<&str> = a.iter().map(|a| a.id.as_str()).collect();
    let want: Vec<String> = (1..=26).map(|n| n.to_string()).collect();
    assert_eq!(ids, want.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert!(a[0].answer.contains("No traceroute"));
    assert!(a[12].answer.contains("traceroute HOST 3000"));
    assert!(a[19].answer.contains("No IPv6"));
}

fn dns(frame: u64, response: bool, aaaa: &[&str]) -> Datagram {
    Datagram {
        file: 0,
        frame,
        time: 0.0,
        ip: Ip::V4(head(frame as u16, 64)),
        transport: TransportRepr::None,
        reassembled: Vec::new(),
        quote: None,
        dns: Some(super::super::netlayer::Dns {
            id: 7,
            response,
            name: "youtube.com".into(),
            qtype: 28,
            aaaa: aaaa
                .iter()
                .map(|a| a.parse().expect("an address"))
                .collect(),
        }),
    }
}

#[test]
fn the_aaaa_response_answers_25_and_26() {
    let all = [
        dns(4, false, &[]),
        dns(
            5,
            true,
            &["2607:f8b0:4006:815::200e", "2607:f8b0:4006:815::200f"],
        ),
    ];
    let a = aaaa_answers(&all, &["25", "26"], &["q25", "q26"]);
    assert!(
        a[0].answer
            .starts_with("2: frame 5 answers the AAAA query for youtube.com (frame 4")
    );
    assert_eq!(a[1].values["first"], "2607:f8b0:4006:815::200e");
    let none = aaaa_answers(&all[..1], &["25", "26"], &["q25", "q26"]);
    assert!(none[0].answer.starts_with("No DNS AAAA query and response"));
}
