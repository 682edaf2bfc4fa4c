//! `wirelab stack-server`: serve stack-demo clients one at a time; answer pings and handshake
//! questions, print text, decapsulate `stack` frames layer by layer; stop on `exit`.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use anyhow::Context as _;

use crate::demo::net;
use crate::demo::options::StackServerOptions;
use crate::demo::say;
use crate::demo::stack::encapsulation;
use crate::demo::stack::framing::{self, Frame, FrameError, Kind};
use crate::demo::text::printable;

/// The two ends of the connection being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnInfo {
    /// The server's socket address on this connection.
    pub server: SocketAddr,
    /// The client's socket address.
    pub client: SocketAddr,
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The client closed the connection.
    ClientLeft,
    /// The client sent `exit`: the server stops too.
    Exit,
    /// The stream could not be trusted any more (e.g. an absurd frame length).
    Broken(String),
}

/// Runs `wirelab stack-server`.
pub fn run(args: &StackServerOptions) -> anyhow::Result<ExitCode> {
    let listener = net::bind_tcp(args.bind, args.port)?;
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    say!("listening on {local} (stack demo server, one client at a time; `exit` stops it)");
    loop {
        let (mut stream, client) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(err) => {
                say!("accept failed: {err}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let server = stream.local_addr().unwrap_or(local);
        say!("client connected from {client} (this connection: {server} <-> {client})");
        let info = ConnInfo { server, client };
        let mut out = io::stdout();
        match serve_session(&mut stream, &info, &mut out) {
            Ok(SessionEnd::Exit) => {
                say!("{client} asked to exit: closing the connection and stopping the server");
                return Ok(ExitCode::SUCCESS);
            }
            Ok(SessionEnd::ClientLeft) => say!("{client} left; waiting for the next client"),
            Ok(SessionEnd::Broken(why)) => {
                say!("closed the connection with {client}: {why}; waiting for the next client");
            }
            Err(err) => say!("connection with {client} failed: {err}; waiting for the next client"),
        }
    }
}

/// Serves one client until it leaves, sends `exit`, or breaks the framing. Every request gets
/// exactly one reply frame; malformed requests get an `Error` reply.
pub fn serve_session<S: Read + Write>(
    conn: &mut S,
    info: &ConnInfo,
    out: &mut dyn Write,
) -> io::Result<SessionEnd> {
    let client = info.client;
    loop {
        let frame = match framing::read_frame(conn) {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(SessionEnd::ClientLeft),
            Err(FrameError::Io(err)) => return Err(err),
            Err(err) => {
                writeln!(out, "[{client}] {err}")?;
                framing::write_frame(conn, Kind::Error, err.to_string().as_bytes())?;
                if err.recoverable() {
                    continue;
                }
                return Ok(SessionEnd::Broken(err.to_string()));
            }
        };
        let (kind, reply) = answer(&frame, info, out)?;
        framing::write_frame(conn, kind, reply.as_bytes())?;
        if kind == Kind::Bye {
            return Ok(SessionEnd::Exit);
        }
    }
}

/// The reply to one request, printing what the server sees on `out`.
fn answer(frame: &Frame, info: &ConnInfo, out: &mut dyn Write) -> io::Result<(Kind, String)> {
    let client = info.client;
    Ok(match frame.kind {
        Kind::Text => match std::str::from_utf8(&frame.payload) {
            Ok(text) => {
                writeln!(out, "[{client}] message: {}", printable(text.as_bytes()))?;
                (
                    Kind::Reply,
                    format!("the server received your message ({} bytes)", text.len()),
                )
            }
            Err(_) => {
                writeln!(out, "[{client}] text frame that is not UTF-8: refused")?;
                (Kind::Error, "a text frame must be UTF-8".to_string())
            }
        },
        Kind::Ping => {
            writeln!(
                out,
                "[{client}] ping: answering with the server address {}",
                info.server
            )?;
            (
                Kind::Reply,
                format!("pong from the server at {}", info.server),
            )
        }
        Kind::Handshake => {
            writeln!(
                out,
                "[{client}] asks about the handshake: this connection is server {} <-> client {client}",
                info.server
            )?;
            (
                Kind::Reply,
                format!(
                    "on the server side this connection is {} (server) <-> {client} (client); \
                     the server's kernel answered the SYN and accept() returned it",
                    info.server
                ),
            )
        }
        Kind::Stack => match encapsulation::decapsulate(&frame.payload) {
            Ok(layers) => {
                writeln!(out, "[{client}] stack frame received:")?;
                write!(out, "{}", encapsulation::render_decapsulation(&layers))?;
                let checks = if layers.ip_checksum_ok && layers.tcp_checksum_ok {
                    "both checksums correct"
                } else {
                    "a checksum is WRONG: a real stack would have dropped it"
                };
                (
                    Kind::Reply,
                    format!(
                        "the server took off Ethernet ({} bytes), IPv4 ({} bytes) and TCP ({} \
                         bytes) and found your message {:?} ({} bytes); {checks}",
                        encapsulation::ETHERNET_LEN,
                        layers.ip_header_len,
                        layers.tcp_header_len,
                        printable(&layers.payload),
                        layers.payload.len()
                    ),
                )
            }
            Err(err) => {
                writeln!(out, "[{client}] stack frame refused: {err}")?;
                (Kind::Error, format!("cannot decapsulate the frame: {err}"))
            }
        },
        Kind::Exit => {
            writeln!(out, "[{client}] exit")?;
            (
                Kind::Bye,
                "bye: the server is closing both ends".to_string(),
            )
        }
        Kind::Reply | Kind::Bye | Kind::Error => {
            writeln!(out, "[{client}] sent a server-only frame kind: refused")?;
            (
                Kind::Error,
                format!(
                    "frame kind 0x{:02x} is only sent by the server",
                    frame.kind.byte()
                ),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::stack::encapsulation::{Params, encapsulate};
    use std::net::{Ipv4Addr, SocketAddrV4};

    /// An in-memory connection: reads scripted bytes, collects what is written.
    struct Duplex {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn info() -> ConnInfo {
        ConnInfo {
            server: SocketAddr::from(([127, 0, 0, 1], 8888)),
            client: SocketAddr::from(([127, 0, 0, 1], 40000)),
        }
    }

    fn run_script(input: Vec<u8>) -> (SessionEnd, Vec<Frame>, String) {
        let mut conn = Duplex {
            input: io::Cursor::new(input),
            output: Vec::new(),
        };
        let mut out = Vec::new();
        let end = serve_session(&mut conn, &info(), &mut out)
            .unwrap_or_else(|e| SessionEnd::Broken(format!("io: {e}")));
        let mut replies = Vec::new();
        let mut r = conn.output.as_slice();
        while let Ok(Some(f)) = framing::read_frame(&mut r) {
            replies.push(f);
        }
        (end, replies, String::from_utf8_lossy(&out).into_owned())
    }

    fn frame(kind: Kind, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        let _ = framing::write_frame(&mut v, kind, payload);
        v
    }

    #[test]
    fn every_request_gets_its_reply() {
        let params = Params {
            src_mac: [0; 6],
            dst_mac: [0; 6],
            src: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 40000),
            dst: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8888),
            seq: 1,
            ack: 1,
            ip_id: 1,
            ttl: 64,
            window: 65535,
        };
        let stack = encapsulate(b"layers!", &params).unwrap_or_default();
        let mut script = Vec::new();
        script.extend(frame(Kind::Text, b"hello"));
        script.extend(frame(Kind::Ping, b""));
        script.extend(frame(Kind::Handshake, b""));
        script.extend(frame(Kind::Stack, &stack));
        script.extend(frame(Kind::Exit, b""));
        script.extend(frame(Kind::Text, b"never read"));
        let (end, replies, shown) = run_script(script);
        assert_eq!(end, SessionEnd::Exit);
        let kinds: Vec<Kind> = replies.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Reply,
                Kind::Reply,
                Kind::Reply,
                Kind::Reply,
                Kind::Bye
            ]
        );
        let text = |i: usize| {
            replies
                .get(i)
                .map(|f| String::from_utf8_lossy(&f.payload).into_owned())
                .unwrap_or_default()
        };
        assert!(text(1).contains("127.0.0.1:8888"));
        assert!(text(3).contains("\"layers!\" (7 bytes); both checksums correct"));
        assert!(shown.contains("[127.0.0.1:40000] message: hello"));
        assert!(
            shown.contains("- IPv4 header, 20 bytes → 27 bytes left"),
            "{shown}"
        );
        assert!(shown.contains("Source Address: 127.0.0.1"), "{shown}");
        assert!(!shown.contains("never read"));
    }

    #[test]
    fn malformed_frames_get_error_replies_and_the_session_goes_on() {
        let mut script = Vec::new();
        script.extend([0u8, 0, 0, 0]); // empty frame
        script.extend([0u8, 0, 0, 2, 0x42, 0]); // unknown kind
        script.extend(frame(Kind::Text, &[0xff, 0xfe])); // not UTF-8
        script.extend(frame(Kind::Stack, b"short")); // not an Ethernet frame
        script.extend(frame(Kind::Reply, b"")); // server-only kind
        script.extend(frame(Kind::Ping, b""));
        let (end, replies, _) = run_script(script);
        assert_eq!(end, SessionEnd::ClientLeft);
        let kinds: Vec<Kind> = replies.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Error,
                Kind::Error,
                Kind::Error,
                Kind::Error,
                Kind::Error,
                Kind::Reply
            ]
        );
    }

    #[test]
    fn an_absurd_length_closes_the_session_after_an_error_reply() {
        let mut script = vec![0x7fu8, 0xff, 0xff, 0xff, 1];
        script.extend(frame(Kind::Ping, b""));
        let (end, replies, _) = run_script(script);
        assert!(matches!(end, SessionEnd::Broken(_)));
        assert_eq!(
            replies.iter().map(|f| f.kind).collect::<Vec<_>>(),
            [Kind::Error]
        );
    }

    #[test]
    fn a_frame_cut_short_ends_the_session_without_panic() {
        let mut script = frame(Kind::Text, b"hello");
        script.truncate(7);
        let (end, replies, _) = run_script(script);
        assert!(matches!(end, SessionEnd::Broken(m) if m.starts_with("io:")));
        assert!(replies.is_empty());
    }
}
