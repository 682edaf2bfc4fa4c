//! End-to-end tests of `wirelab stack-server` / `wirelab stack-client` on loopback: a client
//! session driven through stdin with every command, the frame bytes checked with etherparse
//! (independently of the pnet builders that made them), the real handshake when running as
//! root, and malformed frames answered with errors instead of crashes.

mod support;

use std::io::Write;
use std::net::TcpStream;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use support::demo::{local_addr_of, read_exactly, read_to_close};
use support::proc::{Proc, Stream};
use support::{in_ci, is_root};

fn stack_server() -> (Proc, u16) {
    let server = Proc::wirelab(
        "stack-server",
        &["stack-server", "--bind", "127.0.0.1", "--port", "0"],
    );
    let port = server.listening_port();
    (server, port)
}

/// The bytes of the hex dump that follows the line starting with `title` in `lines`
/// (`0000  45 00 ...  ascii  markers`, as `render::hex` writes it).
fn hex_after(lines: &[String], title: &str) -> Vec<u8> {
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with(title))
        .unwrap_or_else(|| panic!("no {title:?} in the output"));
    let mut bytes = Vec::new();
    for line in lines.iter().skip(start + 1) {
        // "0000  45 00 ...": a 4-digit offset, then up to 16 hex bytes in two groups.
        if line.len() < 6 || !line[..4].chars().all(|c| c.is_ascii_hexdigit()) {
            break;
        }
        let hex: String = line.chars().skip(6).take(49).collect();
        for token in hex.split_whitespace() {
            match u8::from_str_radix(token, 16) {
                Ok(b) => bytes.push(b),
                Err(_) => break,
            }
        }
    }
    bytes
}

/// The field lines of the layer whose heading contains `heading`, up to the next heading.
fn fields_of(lines: &[String], heading: &str) -> Vec<String> {
    let start = lines
        .iter()
        .position(|l| l.contains(heading))
        .unwrap_or_else(|| panic!("no {heading:?} in the output"));
    lines
        .iter()
        .skip(start + 1)
        .take_while(|l| l.starts_with("      "))
        .filter(|l| !l.contains("checked again here"))
        .cloned()
        .collect()
}

#[test]
fn a_stdin_session_runs_every_command() {
    let (mut server, port) = stack_server();
    let target = format!("127.0.0.1:{port}");
    let mut client = Proc::wirelab("stack-client", &["stack-client", &target]);
    let me = local_addr_of(&client.wait_for("connected to"));
    for line in [
        "help",
        "ping",
        "handshake",
        "stack hello layers",
        "just some text",
        "exit",
    ] {
        client.send_line(line);
    }
    let status = client.wait_exit();
    assert!(status.success(), "{}", client.transcript());
    // `exit` closes both: the server stops by itself.
    assert!(server.wait_exit().success(), "{}", server.transcript());

    let out = client.lines_of(Stream::Out);
    let text = out.join("\n");
    // help
    assert!(text.contains("stack [MESSAGE]"), "{text}");
    // ping: the server answers with its address
    assert!(
        text.contains(&format!("server: pong from the server at 127.0.0.1:{port}")),
        "{text}"
    );
    // handshake: both ends agree on the socket addresses
    assert!(text.contains(&format!(
        "on the client side this connection is {me} (client) <-> 127.0.0.1:{port} (server)"
    )));
    assert!(text.contains(&format!(
        "on the server side this connection is 127.0.0.1:{port} (server) <-> {me} (client)"
    )));
    if is_root() || in_ci() {
        // Real packets: the SYN comes from this very client port, and the SYN-ACK acknowledges
        // the SYN's sequence number + 1 (read back from the printed numbers).
        assert!(text.contains("REAL packets, captured on lo"), "{text}");
        let syn = out
            .iter()
            .find(|l| l.contains("[SYN] "))
            .unwrap_or_else(|| panic!("no SYN line: {text}"));
        assert!(syn.contains(&format!("{me} -> 127.0.0.1:{port}")), "{syn}");
        let number = |line: &str, key: &str| -> u64 {
            line.split(key)
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no {key} in {line}"))
        };
        let syn_ack = out
            .iter()
            .find(|l| l.contains("[SYN, ACK]"))
            .unwrap_or_else(|| panic!("no SYN-ACK line: {text}"));
        assert_eq!(
            number(syn_ack, " Ack="),
            (number(syn, " Seq=") + 1) % (1 << 32)
        );
    } else {
        assert!(text.contains("SIMULATION (not captured:"), "{text}");
    }
    // stack: each layer added on the client...
    for layer in [
        "+ TCP header, 20 bytes",
        "+ IPv4 header, 20 bytes",
        "+ Ethernet II header, 14 bytes",
    ] {
        assert!(text.contains(layer), "{layer}: {text}");
    }
    // ...and the frame it showed is a real one: check it with etherparse.
    let frame = hex_after(&out, "the whole frame");
    let packet = SlicedPacket::from_ethernet(&frame)
        .unwrap_or_else(|err| panic!("not a valid frame: {err:?}"));
    let Some(NetSlice::Ipv4(ip)) = &packet.net else {
        panic!("no IPv4 layer")
    };
    let Some(TransportSlice::Tcp(tcp)) = &packet.transport else {
        panic!("no TCP layer")
    };
    assert_eq!(tcp.payload(), b"hello layers");
    assert_eq!(tcp.destination_port(), port);
    assert_eq!(format!("127.0.0.1:{}", tcp.source_port()), me);
    let ip_header = ip.header().to_header();
    assert_eq!(ip_header.calc_header_checksum(), ip_header.header_checksum);
    let tcp_sum = tcp
        .calc_checksum_ipv4(ip.header().source(), ip.header().destination())
        .unwrap_or_else(|err| panic!("{err:?}"));
    assert_eq!(tcp_sum, tcp.checksum());
    assert!(
        text.contains("found your message \"hello layers\" (12 bytes); both checksums correct")
    );
    // text message and exit
    assert!(
        text.contains("server: the server received your message (14 bytes)"),
        "{text}"
    );
    assert!(text.contains("server: bye"), "{text}");

    // ...and each layer taken off on the server.
    let shown = server.lines_of(Stream::Out).join("\n");
    for layer in [
        "- Ethernet II header, 14 bytes",
        "- IPv4 header, 20 bytes",
        "Source Address: 127.0.0.1",
        "- TCP header, 20 bytes",
        "[application] 12 bytes of data for the application",
        "Text: \"hello layers\"",
        "message: just some text",
        "asked to exit",
    ] {
        assert!(shown.contains(layer), "{layer}: {shown}");
    }
    // The server's copy of the headers is byte for byte the client's: every field line shows
    // the field's bytes, and the server's lines are the client's.
    let srv = server.lines_of(Stream::Out);
    for (client_heading, server_heading) in [
        ("+ TCP header", "- TCP header"),
        ("+ IPv4 header", "- IPv4 header"),
    ] {
        let client_fields = fields_of(&out, client_heading);
        let server_fields = fields_of(&srv, server_heading);
        assert!(client_fields.len() >= 10, "{client_fields:?}");
        assert_eq!(client_fields, server_fields);
    }
}

#[test]
fn malformed_frames_get_error_replies_and_never_crash_the_server() {
    let (mut server, port) = stack_server();
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|err| panic!("{err}"));
    let reply = |conn: &mut TcpStream| -> (u8, String) {
        let len = read_exactly(conn, 4);
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let body = read_exactly(conn, len);
        (body[0], String::from_utf8_lossy(&body[1..]).into_owned())
    };
    // Unknown kind, empty frame, a "stack" frame that is not Ethernet: error replies.
    conn.write_all(&[0, 0, 0, 2, 0x42, 0])
        .unwrap_or_else(|err| panic!("{err}"));
    let (kind, msg) = reply(&mut conn);
    assert_eq!(
        (kind, msg.contains("unknown kind 0x42")),
        (0xff, true),
        "{msg}"
    );
    conn.write_all(&[0, 0, 0, 0])
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(reply(&mut conn).0, 0xff);
    conn.write_all(&[0, 0, 0, 4, 0x04, 1, 2, 3])
        .unwrap_or_else(|err| panic!("{err}"));
    let (kind, msg) = reply(&mut conn);
    assert_eq!(kind, 0xff);
    assert!(msg.contains("link (Ethernet II) layer"), "{msg}");
    // The session goes on: ping still works.
    conn.write_all(&[0, 0, 0, 1, 0x02])
        .unwrap_or_else(|err| panic!("{err}"));
    let (kind, msg) = reply(&mut conn);
    assert_eq!(kind, 0x80);
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    // An absurd length: error reply, then the server closes this connection...
    conn.write_all(&[0xff, 0xff, 0xff, 0xff])
        .unwrap_or_else(|err| panic!("{err}"));
    let (kind, msg) = reply(&mut conn);
    assert_eq!(kind, 0xff);
    assert!(msg.contains("over the limit"), "{msg}");
    assert_eq!(read_to_close(&mut conn), b"");
    // ...but keeps running and serves the next client.
    server.wait_for("waiting for the next client");
    assert!(server.is_running());
    let mut next = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|err| panic!("{err}"));
    next.write_all(&[0, 0, 0, 1, 0x02])
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(reply(&mut next).0, 0x80);
}

#[test]
fn end_of_input_leaves_the_server_running() {
    let (mut server, port) = stack_server();
    let target = format!("127.0.0.1:{port}");
    let (status, client) = support::demo::run("stack-client", &["stack-client", &target], "ping\n");
    assert!(status.success(), "{}", client.transcript());
    server.wait_for("left; waiting for the next client");
    assert!(server.is_running());
}
