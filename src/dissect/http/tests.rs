use std::net::SocketAddr;
use std::time::Duration;

use super::*;
use crate::dissect::{AppLayer, Columns, Dissectors, Endpoints, Table, TcpSegmentInfo};

/// A TCP conversation between a client and `port`, fed segment by segment.
struct Conn {
    dis: Dissectors,
    client: SocketAddr,
    server: SocketAddr,
    seq: [u32; 2],
    frame: u64,
    stream: u32,
}

impl Conn {
    fn new(port: u16) -> Conn {
        Conn {
            dis: Dissectors::new(Table::default()),
            client: SocketAddr::from(([10, 0, 0, 2], 40000)),
            server: SocketAddr::from(([10, 0, 0, 1], port)),
            seq: [1, 1],
            frame: 0,
            stream: 0,
        }
    }

    /// One segment, from the client (`c`) or the server: the columns and layers it ends with.
    fn seg(&mut self, from_client: bool, payload: &[u8]) -> (Columns, Vec<AppLayer>) {
        self.send(from_client, payload, false)
    }

    /// One segment with a FIN (the sender's last).
    fn fin(&mut self, from_client: bool, payload: &[u8]) -> (Columns, Vec<AppLayer>) {
        self.send(from_client, payload, true)
    }

    fn send(&mut self, from_client: bool, payload: &[u8], fin: bool) -> (Columns, Vec<AppLayer>) {
        self.frame += 1;
        let (src, dst, i) = if from_client {
            (self.client, self.server, 0)
        } else {
            (self.server, self.client, 1)
        };
        let mut cols = Columns::new("TCP", "tcp info");
        let mut layers = Vec::new();
        let seg = TcpSegmentInfo {
            stream: self.stream,
            seq: self.seq[i],
            retransmission: false,
            fin,
        };
        self.seq[i] = self.seq[i].wrapping_add(payload.len() as u32 + u32::from(fin));
        self.dis.tcp(
            self.frame,
            Duration::from_millis(self.frame),
            Endpoints { src, dst },
            seg,
            payload,
            &mut cols,
            &mut layers,
        );
        (cols, layers)
    }
}

fn field(layers: &[AppLayer], name: &str) -> Vec<String> {
    layers
        .iter()
        .flat_map(|l| l.values(name).map(|v| v.to_string()))
        .collect()
}

#[test]
fn heuristic_is_wiresharks() {
    let h = |d: &[u8]| heuristic(Dissector::Http, d, Transport::Tcp);
    assert!(h(b"GET / HTTP/1.0\r\n"));
    assert!(h(b"HTTP/1.0 200 OK\r\n"));
    assert!(h(b"xxxx / http/1.1\n"));
    assert!(!h(b"GET / HTTP/1.1"));
    assert!(!h(b"HTTP/1.1\r\n"));
    assert!(!h(b"GET / HTTP/2.0\r\n"));
    assert!(!h(b"GET / HTTP/1.1\r"));
    assert!(!heuristic(
        Dissector::Http,
        b"GET / HTTP/1.1\r\n",
        Transport::Udp
    ));
}

#[test]
fn first_lines() {
    assert_eq!(
        first_line(b"M-SEARCH * HTTP/1.1"),
        Some(FirstLine::Request {
            method: b"M-SEARCH",
            uri: b"*",
            version: b"HTTP/1.1"
        })
    );
    assert_eq!(
        first_line(b"HTTP/1.0 404 File not found"),
        Some(FirstLine::Response {
            version: b"HTTP/1.0",
            code: 404,
            phrase: b"File not found"
        })
    );
    assert_eq!(first_line(b"BREW / HTTP/1.1"), None);
    assert_eq!(first_line(b"GET"), None);
}

#[test]
fn request_then_response_in_two_segments_with_a_length() {
    let mut c = Conn::new(80);
    let (cols, layers) = c.seg(
        true,
        b"GET /a/b.txt HTTP/1.1\r\nHost: example\r\nAuthorization: Basic c3R1ZGVudDp3aXJlbGFi\r\n\r\n",
    );
    assert_eq!(
        (cols.protocol, cols.info()),
        ("HTTP", "GET /a/b.txt HTTP/1.1 ")
    );
    assert_eq!(
        field(&layers, "http.request.full_uri"),
        ["http://example/a/b.txt"]
    );
    assert_eq!(field(&layers, "http.authbasic"), ["student:wirelab"]);
    assert_eq!(field(&layers, "http.request"), ["1"]);
    let (cols, layers) = c.seg(
        false,
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 10\r\n\r\n",
    );
    assert!(layers.is_empty());
    assert_eq!(
        cols.info(),
        "HTTP/1.0 200 OK  [TCP segment of a reassembled PDU]"
    );
    // A middle segment: HTTP is not called, TCP's Info stays.
    let (cols, layers) = c.seg(false, b"01234");
    assert!(layers.is_empty());
    assert_eq!(cols.info(), "tcp info [TCP segment of a reassembled PDU]");
    let (cols, layers) = c.seg(false, b"56789");
    assert_eq!(
        (cols.protocol, cols.info()),
        ("HTTP", "HTTP/1.0 200 OK  (text/html)")
    );
    assert_eq!(field(&layers, "http.file_data"), ["0123456789"]);
    assert_eq!(field(&layers, "http.request_in"), ["1"]);
    assert_eq!(field(&layers, "http.time"), ["0.003000000"]);
    assert_eq!(
        field(&layers, "http.response_for.uri"),
        ["http://example/a/b.txt"]
    );
    assert_eq!(field(&layers, "http.content_length"), ["10"]);
    let o = layers[0].object.as_ref().unwrap();
    assert_eq!(
        (o.name.as_deref(), &o.bytes[..]),
        (Some("/a/b.txt"), &b"0123456789"[..])
    );
}

#[test]
fn chunked_json_and_pipelined_messages() {
    let mut c = Conn::new(8080);
    c.seg(true, b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    let (cols, _) = c.seg(
        false,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n",
    );
    assert_eq!(
        cols.info(),
        "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]"
    );
    let (cols, _) = c.seg(false, b"3\r\n{\"a\r\n");
    assert_eq!(
        cols.info(),
        "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]"
    );
    let (cols, layers) = c.seg(false, b"4\r\n\":1}\r\n0\r\n\r\n");
    assert_eq!(cols.protocol, "HTTP/JSON");
    assert_eq!(
        cols.info(),
        "HTTP/1.1 200 OK , JavaScript Object Notation (application/json)"
    );
    assert_eq!(field(&layers, "http.file_data"), ["{\"a\":1}"]);
    let (cols, layers) = c.seg(true, b"GET /y HTTP/1.1\r\n\r\nHEAD /z HTTP/1.1\r\n\r\n");
    assert_eq!(cols.info(), "GET /y HTTP/1.1 HEAD /z HTTP/1.1 ");
    assert_eq!(layers.len(), 2);
    let (cols, layers) = c.seg(
        false,
        b"HTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
    );
    assert_eq!(cols.info(), "HTTP/1.1 304 Not Modified HTTP/1.1 200 OK ");
    // As Wireshark (no pipelining): the first answers the latest request, the second none.
    assert_eq!(field(&layers, "http.request_in"), ["5"]);
    assert_eq!(field(&layers, "http.response_number"), ["3", "4"]);
    assert_eq!(field(&layers, "http.prev_request_in"), ["5", "5"]);
    assert_eq!(field(&layers, "http.response_for.uri"), ["/z", "/z"]);
}

#[test]
fn not_http_is_rejected_and_cut_lines_wait() {
    let mut c = Conn::new(80);
    let (cols, layers) = c.seg(true, b"\x16\x03\x01garbage\r\n");
    assert!(layers.is_empty());
    assert_eq!((cols.protocol, cols.info()), ("TCP", "tcp info"));
    let mut c = Conn::new(80);
    let (cols, _) = c.seg(true, b"GET /s HTTP/1.1\r\nHo");
    assert_eq!(
        cols.info(),
        "GET /s HTTP/1.1  [TCP segment of a reassembled PDU]"
    );
    let (cols, layers) = c.seg(true, b"st: x\r\n\r\n");
    assert_eq!((cols.protocol, cols.info()), ("HTTP", "GET /s HTTP/1.1 "));
    assert_eq!(field(&layers, "http.host"), ["x"]);
}

#[test]
fn a_heuristic_conversation_stays_http() {
    let mut c = Conn::new(56789);
    let (cols, _) = c.seg(true, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(cols.protocol, "HTTP");
    // "HTTP/1.0" alone would not pass the heuristic: the conversation carries it.
    let (cols, layers) = c.seg(false, b"HTTP/1.0 204 No Content\r\n\r\n");
    assert_eq!(
        (cols.protocol, cols.info()),
        ("HTTP", "HTTP/1.0 204 No Content ")
    );
    assert_eq!(field(&layers, "http.request_in"), ["1"]);
}

#[test]
fn ssdp_over_udp_pairs_by_client() {
    let mut dis = Dissectors::new(Table::default());
    let client = SocketAddr::from(([10, 0, 3, 2], 50000));
    let group = SocketAddr::from(([239, 255, 255, 250], 1900));
    let server = SocketAddr::from(([10, 0, 3, 1], 1900));
    let mut run = |frame, src, dst, payload: &[u8]| {
        let mut cols = Columns::new("UDP", String::new());
        let mut layers = Vec::new();
        dis.udp(
            frame,
            Duration::from_millis(frame),
            Endpoints { src, dst },
            payload,
            &mut cols,
            &mut layers,
        );
        (cols, layers)
    };
    let (cols, layers) = run(
        1,
        client,
        group,
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\r\n",
    );
    assert_eq!(
        (cols.protocol, cols.info()),
        ("SSDP", "M-SEARCH * HTTP/1.1 ")
    );
    assert_eq!(
        field(&layers, "http.request.full_uri"),
        ["http://239.255.255.250:1900*"]
    );
    let (cols, layers) = run(2, server, client, b"HTTP/1.1 200 OK\r\nST: x\r\n\r\n");
    assert_eq!((cols.protocol, cols.info()), ("SSDP", "HTTP/1.1 200 OK "));
    assert_eq!(field(&layers, "http.request_in"), ["1"]);
    let (cols, _) = run(3, server, client, b"not http");
    assert_eq!(cols.protocol, "UDP");
}

#[test]
fn helpers() {
    assert_eq!(base64_decode(b"Zm9vOmJhcg=="), b"foo:bar");
    assert_eq!(file_data_text(b"a\xffb"), "a\u{fffd}b");
    assert_eq!(seconds(Duration::from_micros(4368)), "0.004368000");
    assert_eq!(media("application/json"), Media::Json);
    assert_eq!(media("text/xml"), Media::Xml);
    assert_eq!(media("application/vnd.api+json"), Media::Suffix);
    let c = chunked(b"3\r\nabc\r\n0\r\n\r\n", 0).unwrap();
    assert_eq!((c.end, &c.data[..]), (13, &b"abc"[..]));
    assert_eq!(chunked(b"3\r\nabc\r\n", 0), None);
}

#[test]
fn the_packet_list_reads_the_same_columns_without_fields_or_tree() {
    // Headers the packet list skips, mixed case, LF-only lines, chunks, a body over segments.
    let script: &[(bool, &[u8])] = &[
        (true, b"GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nTE: x\r\n\r\n"),
        (false, b"HTTP/1.1 200 OK\r\nCONTENT-TYPE:  Text/HTML ; charset=x\r\ncontent-length: 4\r\n\r\nab"),
        (false, b"cd"),
        (true, b"GET /b HTTP/1.0\nContent-Type: text/plain\nContent-Length: 2\n\nhi"),
        (false, b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: Chunked\r\nContent-type: image/png\r\n\r\n2\r\nxy\r\n"),
        (false, b"0\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Type: application/json\r\n\r\n"),
        (true, b"POST /c HTTP/1.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1\r\n\r\nz"),
        (false, b"HTTP/1.1 200 OK\r\nContent-Type: \xff/x\r\nTransfer-Encoding: gzip\r\nContent-Length: 0\r\n\r\n"),
    ];
    let mut full = Conn::new(80);
    let mut list = Conn::new(80);
    list.dis.want = crate::dissect::Want {
        fields: false,
        tree: false,
    };
    for (i, (from_client, payload)) in script.iter().enumerate() {
        let (a, la) = full.seg(*from_client, payload);
        let (b, lb) = list.seg(*from_client, payload);
        assert_eq!(
            (a.protocol, a.info()),
            (b.protocol, b.info()),
            "segment {i}"
        );
        assert_eq!(la.len(), lb.len(), "segment {i}");
    }
}

/// A response without Content-Length or chunks runs to the FIN (tshark 4.0 in one pass): the
/// segments before it show TCP's Info, a FIN without data shows the whole response and is
/// listed last with no bytes among the reassembled segments.
#[test]
fn a_body_to_the_close_is_shown_on_the_fin() {
    let mut c = Conn::new(80);
    c.seg(true, b"GET /p HTTP/1.0\r\nHost: h\r\n\r\n");
    let (cols, layers) = c.seg(
        false,
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>",
    );
    assert!(layers.is_empty());
    assert_eq!(
        (cols.protocol, cols.info()),
        ("TCP", "HTTP/1.0 200 OK  [TCP segment of a reassembled PDU]")
    );
    let (cols, layers) = c.seg(false, b"one</p>");
    assert!(layers.is_empty());
    assert_eq!(cols.info(), "tcp info [TCP segment of a reassembled PDU]");
    let (cols, layers) = c.fin(false, b"");
    assert_eq!(
        (cols.protocol, cols.info()),
        ("HTTP", "HTTP/1.0 200 OK  (text/html)")
    );
    assert_eq!(field(&layers, "http.file_data"), ["<p>one</p>"]);
    assert_eq!(field(&layers, "http.request_in"), ["1"]);
    assert_eq!(layers[0].segments, [(2, 47), (3, 7), (4, 0)]);
    let object = layers[0].object.as_ref().map(|o| o.bytes.clone());
    assert_eq!(object.as_deref(), Some(&b"<p>one</p>"[..]));
    // The client's FIN afterwards: nothing is kept for it.
    let (cols, layers) = c.fin(true, b"");
    assert!(layers.is_empty());
    assert_eq!((cols.protocol, cols.info()), ("TCP", "tcp info"));
}

/// The FIN on the last data segment completes the response with that data; a FIN on the
/// segment that holds the whole response shows it at once (no reassembly).
#[test]
fn a_fin_with_data_ends_the_body() {
    let mut c = Conn::new(80);
    c.seg(false, b"HTTP/1.0 200 OK\r\n\r\nab");
    let (cols, layers) = c.fin(false, b"cd");
    assert_eq!((cols.protocol, cols.info()), ("HTTP", "HTTP/1.0 200 OK "));
    assert_eq!(field(&layers, "http.file_data"), ["abcd"]);
    assert_eq!(layers[0].segments, [(1, 21), (2, 2)]);

    let mut c = Conn::new(80);
    let (cols, layers) = c.fin(false, b"HTTP/1.0 200 OK\r\n\r\nwhole");
    assert_eq!((cols.protocol, cols.info()), ("HTTP", "HTTP/1.0 200 OK "));
    assert_eq!(field(&layers, "http.file_data"), ["whole"]);
    assert!(layers[0].segments.is_empty());
}

/// Only a body that runs to the close is handed over at the FIN: a body with a length that
/// is not all there stays unshown (tshark does not call HTTP at that FIN), and without a FIN
/// (a RST, the end of the capture) nothing is shown either.
#[test]
fn only_a_body_to_the_close_ends_at_the_fin() {
    let mut c = Conn::new(80);
    c.seg(false, b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nab");
    let (cols, layers) = c.fin(false, b"");
    assert!(layers.is_empty());
    assert_eq!((cols.protocol, cols.info()), ("TCP", "tcp info"));

    let mut c = Conn::new(80);
    c.seg(false, b"HTTP/1.0 200 OK\r\n\r\nab");
    let (cols, layers) = c.seg(false, b"");
    assert!(layers.is_empty());
    assert_eq!((cols.protocol, cols.info()), ("TCP", "tcp info"));
}

/// At the FIN nothing waits for a body (Wireshark 4.0's `!end_of_stream`): a response short
/// of its Content-Length that arrives with the FIN is shown as far as it goes. A body with a
/// length already being collected still waits (TCP does not call HTTP before it is whole).
#[test]
fn at_the_fin_a_short_body_is_shown_as_it_is() {
    let mut c = Conn::new(80);
    let (cols, layers) = c.fin(false, b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nab");
    assert_eq!((cols.protocol, cols.info()), ("HTTP", "HTTP/1.0 200 OK "));
    assert_eq!(field(&layers, "http.file_data"), ["ab"]);

    let mut c = Conn::new(80);
    c.seg(false, b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nab");
    let (cols, layers) = c.fin(false, b"cd");
    assert!(layers.is_empty());
    assert_eq!(cols.info(), "tcp info [TCP segment of a reassembled PDU]");
}

/// A body that runs to the close is kept up to the 1 MiB cap like any other message: past
/// it the kept bytes are dropped and the FIN shows nothing (as a body with a length past it).
#[test]
fn a_body_to_the_close_past_the_cap_is_not_kept() {
    let mut c = Conn::new(80);
    c.seg(
        false,
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n",
    );
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..17 {
        c.seg(false, &chunk);
    }
    // (Past the cap the next segments start over as a message of their own, bounded too.)
    let cap = crate::dissect::tcp_pdu::MAX_PDU;
    assert!(c.dis.approx_bytes() <= 2 * cap, "{}", c.dis.approx_bytes());
    let (cols, layers) = c.fin(false, b"");
    assert!(layers.is_empty());
    assert_eq!((cols.protocol, cols.info()), ("TCP", "tcp info"));
}

#[test]
fn waits_left_by_streams_that_never_end_are_bounded() {
    let mut c = Conn::new(80);
    for stream in 0..10_000 {
        c.stream = stream;
        c.seq = [1, 1];
        let (cols, _) = c.seg(false, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab");
        assert_eq!(
            cols.info(),
            "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]"
        );
    }
    let waits = c.dis.states.http.waits.len();
    assert!((1..=MAX_CONVS).contains(&waits), "{waits}");
    // The newest stream's wait is kept: its next segment is a middle one, as TCP shows it.
    let (cols, layers) = c.seg(false, b"cd");
    assert!(layers.is_empty());
    assert_eq!(cols.info(), "tcp info [TCP segment of a reassembled PDU]");
}
