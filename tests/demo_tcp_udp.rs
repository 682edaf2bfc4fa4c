//! End-to-end tests of `wirelab tcp-server/tcp-client/udp-server/udp-client` on loopback: the
//! seed 004 and 003 exchanges byte for byte (checked on the peer's side with plain std
//! sockets), the listen backlog of the one-at-a-time server, the threaded server, busy ports
//! and refused connections.

mod support;

use std::io::Write;
use std::net::{Shutdown, TcpListener, UdpSocket};
use std::time::Duration;

use support::demo::{free_port, local_addr_of, read_exactly, read_to_close, run};
use support::proc::{Proc, WAIT};

fn tcp_server(extra: &[&str]) -> (Proc, u16) {
    let mut args = vec!["tcp-server", "--bind", "127.0.0.1", "--port", "0"];
    args.extend_from_slice(extra);
    let server = Proc::wirelab("tcp-server", &args);
    let port = server.listening_port();
    (server, port)
}

fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|err| panic!("cannot bind a loopback port: {err}"));
    let port = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|err| panic!("no local address: {err}"));
    (listener, port)
}

#[test]
fn seed_004_client_sends_exactly_hai_from_client() {
    let (listener, port) = listener();
    let target = format!("127.0.0.1:{port}");
    let mut client = Proc::wirelab("tcp-client", &["tcp-client", &target]);
    let (mut conn, _) = listener
        .accept()
        .unwrap_or_else(|err| panic!("accept failed: {err}"));
    // The peer really receives the 15 bytes of seed 004, and nothing else before our reply.
    assert_eq!(read_exactly(&mut conn, 15), b"Hai from client");
    conn.write_all(b"Thanks for connecting")
        .unwrap_or_else(|err| panic!("reply failed: {err}"));
    assert_eq!(
        read_to_close(&mut conn),
        b"",
        "client sent more than the message"
    );
    let status = client.wait_exit();
    assert!(status.success(), "{}", client.transcript());
    assert!(
        client.position("Thanks for connecting").is_some(),
        "{}",
        client.transcript()
    );
}

#[test]
fn seed_004_server_replies_exactly_thanks_for_connecting() {
    let (server, port) = tcp_server(&[]);
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|err| panic!("connect failed: {err}"));
    let me = conn
        .local_addr()
        .unwrap_or_else(|err| panic!("no local address: {err}"));
    conn.write_all(b"Hai from client")
        .unwrap_or_else(|err| panic!("send failed: {err}"));
    assert_eq!(read_exactly(&mut conn, 21), b"Thanks for connecting");
    conn.shutdown(Shutdown::Write)
        .unwrap_or_else(|err| panic!("shutdown failed: {err}"));
    assert_eq!(
        read_to_close(&mut conn),
        b"",
        "server sent more than its reply"
    );
    // The server shows the client's socket address, as seed 004's output does.
    server.wait_for(&format!("Got connection from {me}"));
    server.wait_for(&format!("{me} says: Hai from client"));
    server.wait_for(&format!("{me} closed the connection"));
}

#[test]
fn seed_003_lines_reach_the_peer_byte_for_byte() {
    let (listener, port) = listener();
    let target = format!("127.0.0.1:{port}");
    let mut client = Proc::wirelab("tcp-client", &["tcp-client", &target, "--lines"]);
    client.send_line("first line");
    client.send_line("second");
    client.close_stdin();
    let (mut conn, _) = listener
        .accept()
        .unwrap_or_else(|err| panic!("accept failed: {err}"));
    // One line at a time: the client waits for each reply before sending the next line.
    assert_eq!(read_exactly(&mut conn, 10), b"first line");
    conn.write_all(b"ok 1")
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(read_exactly(&mut conn, 6), b"second");
    conn.write_all(b"ok 2")
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(read_to_close(&mut conn), b"");
    assert!(client.wait_exit().success(), "{}", client.transcript());
    client.wait_for("reply: ok 1");
    client.wait_for("reply: ok 2");
}

#[test]
fn seed_003_each_line_appears_on_the_server_with_the_client_address() {
    let (server, port) = tcp_server(&[]);
    let target = format!("127.0.0.1:{port}");
    let (status, client) = run(
        "tcp-client",
        &["tcp-client", &target, "--lines"],
        "hello\nworld\n",
    );
    assert!(status.success(), "{}", client.transcript());
    let me = local_addr_of(&client.lines_of(support::proc::Stream::Out)[0]);
    assert!(me.starts_with("127.0.0.1:"), "{me}");
    server.wait_for(&format!("{me} says: hello"));
    server.wait_for(&format!("{me} says: world"));
    assert_eq!(
        client
            .lines_of(support::proc::Stream::Out)
            .iter()
            .filter(|l| l.as_str() == "reply: Thanks for connecting")
            .count(),
        2,
        "{}",
        client.transcript()
    );
}

#[test]
fn one_at_a_time_server_keeps_the_second_client_in_the_backlog() {
    let (server, port) = tcp_server(&[]);
    let target = format!("127.0.0.1:{port}");
    let mut first = Proc::wirelab("client A", &["tcp-client", &target, "--lines"]);
    let a = local_addr_of(&first.wait_for("connected to"));
    first.send_line("from A");
    first.wait_for("reply: Thanks for connecting");

    let mut second = Proc::wirelab("client B", &["tcp-client", &target, "--lines"]);
    // connect() succeeds: the kernel completed the handshake into the listen backlog.
    let b = local_addr_of(&second.wait_for("connected to"));
    second.send_line("from B");
    second.wait_for("sent 6 bytes: from B");

    // The server is still busy with A: it answers A's next line, and has not served B.
    first.send_line("again");
    server.wait_for(&format!("{a} says: again"));
    first.wait_nth("reply: Thanks for connecting", 2);
    assert!(
        server.position(&b).is_none(),
        "B was served while A was connected:\n{}",
        server.transcript()
    );

    // A leaves; only now is B accepted, and the server says it had been waiting.
    assert!(first.wait_exit().success(), "{}", first.transcript());
    server.wait_for(&format!(
        "Got connection from {b} — it had been waiting in the listen backlog"
    ));
    server.wait_for(&format!("{b} says: from B"));
    second.wait_for("reply: Thanks for connecting");
    assert!(second.wait_exit().success(), "{}", second.transcript());
    let a_left = server.position(&format!("{a} closed the connection"));
    let b_served = server.position(&format!("{b} says: from B"));
    assert!(a_left < b_served, "{}", server.transcript());
}

#[test]
fn threaded_server_serves_two_clients_at_once() {
    let (server, port) = tcp_server(&["--threaded"]);
    let target = format!("127.0.0.1:{port}");
    let mut first = Proc::wirelab("client A", &["tcp-client", &target, "--lines"]);
    let a = local_addr_of(&first.wait_for("connected to"));
    first.send_line("from A");
    first.wait_for("reply: Thanks for connecting");
    // A stays connected; B is served all the same (a one-at-a-time server would never reply).
    let mut second = Proc::wirelab("client B", &["tcp-client", &target, "--lines"]);
    let b = local_addr_of(&second.wait_for("connected to"));
    second.send_line("from B");
    second.wait_for("reply: Thanks for connecting");
    server.wait_for(&format!("{b} says: from B"));
    // And A is still served after B.
    first.send_line("again");
    server.wait_for(&format!("{a} says: again"));
    assert!(first.wait_exit().success(), "{}", first.transcript());
    assert!(second.wait_exit().success(), "{}", second.transcript());
    server.wait_for(&format!("{a} closed the connection"));
    server.wait_for(&format!("{b} closed the connection"));
}

#[test]
fn second_server_on_a_busy_port_explains_address_in_use() {
    let (_first, port) = tcp_server(&[]);
    let port_text = port.to_string();
    let (status, second) = run(
        "second tcp-server",
        &["tcp-server", "--bind", "127.0.0.1", "--port", &port_text],
        "",
    );
    assert!(!status.success());
    let err = second.lines_of(support::proc::Stream::Err).join("\n");
    assert!(err.contains("address already in use"), "{err}");
    assert!(
        err.contains(&format!(
            "another TCP socket is already bound to 127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(
        err.contains("Stop the other one or pick another port"),
        "{err}"
    );

    // The same for UDP.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
    let udp_port = udp.local_addr().map(|a| a.port()).unwrap_or(0).to_string();
    let (status, server) = run(
        "udp-server",
        &["udp-server", "--bind", "127.0.0.1", "--port", &udp_port],
        "",
    );
    assert!(!status.success());
    let err = server.lines_of(support::proc::Stream::Err).join("\n");
    assert!(err.contains("another UDP socket is already bound"), "{err}");
}

#[test]
fn refused_connection_says_what_to_do() {
    let port = free_port();
    let target = format!("127.0.0.1:{port}");
    let (status, client) = run("tcp-client", &["tcp-client", &target], "");
    assert!(!status.success());
    let err = client.lines_of(support::proc::Stream::Err).join("\n");
    assert!(
        err.contains(&format!("is the server running on 127.0.0.1:{port}?")),
        "{err}"
    );
    assert!(
        err.contains(&format!("wirelab tcp-server --port {port}")),
        "{err}"
    );
}

#[test]
fn udp_client_sends_one_datagram_and_prints_the_reply() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
    let port = peer.local_addr().map(|a| a.port()).unwrap_or(0);
    let target = format!("127.0.0.1:{port}");
    let mut client = Proc::wirelab("udp-client", &["udp-client", &target]);
    let _ = peer.set_read_timeout(Some(WAIT));
    let mut buf = [0u8; 2048];
    let (n, from) = peer
        .recv_from(&mut buf)
        .unwrap_or_else(|err| panic!("no datagram: {err}"));
    assert_eq!(buf.get(..n), Some(&b"Hai from client"[..]));
    peer.send_to(b"pong", from)
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(client.wait_exit().success(), "{}", client.transcript());
    client.wait_for("reply (4 bytes): pong");
    client.wait_for(&format!("sending from {from}"));
}

#[test]
fn udp_server_answers_every_sender_and_shows_its_address() {
    let server = Proc::wirelab(
        "udp-server",
        &["udp-server", "--bind", "127.0.0.1", "--port", "0"],
    );
    let port = server.listening_port();
    let mut senders = Vec::new();
    for text in ["hello from one", "hello from two"] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
        let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
        senders.push((sock, text));
    }
    for (sock, text) in &senders {
        let me = sock.local_addr().unwrap_or_else(|err| panic!("{err}"));
        // Datagrams may be lost even on loopback in theory: retry a bounded number of times.
        let mut reply = None;
        for _ in 0..5 {
            let _ = sock.send_to(text.as_bytes(), ("127.0.0.1", port));
            let mut buf = [0u8; 2048];
            if let Ok((n, _)) = sock.recv_from(&mut buf) {
                reply = buf.get(..n).map(<[u8]>::to_vec);
                break;
            }
        }
        assert_eq!(reply.as_deref(), Some(&b"Thanks for your datagram"[..]));
        server.wait_for(&format!(
            "datagram from {me} ({} bytes): {text}",
            text.len()
        ));
    }
}

#[test]
fn udp_client_without_server_says_nobody_listens() {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
    let port = sock.local_addr().map(|a| a.port()).unwrap_or(0);
    drop(sock);
    let target = format!("127.0.0.1:{port}");
    let (status, client) = run("udp-client", &["udp-client", &target], "");
    assert!(!status.success());
    let err = client.lines_of(support::proc::Stream::Err).join("\n");
    assert!(err.contains("nothing listens on UDP"), "{err}");
}

#[test]
fn every_demo_has_help_with_an_example() {
    for cmd in [
        "tcp-server",
        "tcp-client",
        "udp-server",
        "udp-client",
        "send-file",
        "recv-file",
        "stack-server",
        "stack-client",
    ] {
        let (status, proc) = run(cmd, &[cmd, "--help"], "");
        assert!(status.success());
        let out = proc.lines_of(support::proc::Stream::Out).join("\n");
        assert!(out.contains(&format!("wirelab {cmd}")), "{cmd}: {out}");
        assert!(out.contains("Example"), "{cmd}: {out}");
    }
}
