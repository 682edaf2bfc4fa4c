//! Socket set-up shared by the demos: `HOST[:PORT]` parsing, connecting and binding, with
//! errors that explain what happened and what to try next.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

/// How long a client waits for the server to answer its SYN.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a demo could not set up its socket.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The `HOST[:PORT]` argument does not parse.
    #[error(
        "`{spec}` is not HOST or HOST:PORT: {reason} (examples: 127.0.0.1:8080, localhost, [::1]:8080)"
    )]
    BadAddress {
        /// What the user typed.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host name does not resolve.
    #[error(
        "cannot find the address of `{host}`: {source} (check the spelling, or give an IP address such as 127.0.0.1)"
    )]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// The peer answered the SYN with a RST: nobody listens there.
    #[error(
        "connection refused by {addr}: is the server running on {addr}? start it with `{hint}`"
    )]
    Refused {
        /// The server address tried.
        addr: SocketAddr,
        /// The command that starts the matching server.
        hint: String,
    },
    /// Nothing answered the SYN in time.
    #[error(
        "no answer from {addr} within {secs} s: is the host up and reachable (try `ping`), and does no firewall drop the packets?"
    )]
    TimedOut {
        /// The server address tried.
        addr: SocketAddr,
        /// Seconds waited.
        secs: u64,
    },
    /// Another connection error.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// The server address tried.
        addr: SocketAddr,
        /// The system's error.
        source: io::Error,
    },
    /// Another socket already owns the address.
    #[error("address already in use: another {proto} socket is already bound to {addr}, most likely a server you started earlier that is still running (see `ss -{ss}lnp 'sport = :{port}'`). Only one socket may listen on an address and port at a time, which is why this second server cannot start (lab 003 question I.2). Stop the other one or pick another port with --port. (Old connections in TIME_WAIT do not block it: wirelab sets SO_REUSEADDR.)", port = addr.port(), ss = if *proto == "TCP" { "t" } else { "u" })]
    AddrInUse {
        /// The address asked for.
        addr: SocketAddr,
        /// "TCP" or "UDP".
        proto: &'static str,
    },
    /// Ports below 1024 are privileged.
    #[error(
        "permission denied binding {addr}: ports below 1024 need root; pick a port above 1023 with --port"
    )]
    BindPermission {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The bind address is not one of this machine's.
    #[error("cannot bind {addr}: {ip} is not an address of this machine (see `ip addr`); use 0.0.0.0 for every address or 127.0.0.1 for this machine only", ip = addr.ip())]
    AddrNotAvailable {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Another bind error.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's error.
        source: io::Error,
    },
}

/// A server named on the command line: a host (name or IP) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or IP address, without brackets.
    pub host: String,
    /// Port number.
    pub port: u16,
}

impl Endpoint {
    /// Parses `HOST`, `HOST:PORT`, `IPv6`, or `[IPv6]:PORT`; `default_port` fills a missing port.
    pub fn parse(spec: &str, default_port: u16) -> Result<Endpoint, NetError> {
        let bad = |reason: &str| NetError::BadAddress {
            spec: spec.to_string(),
            reason: reason.to_string(),
        };
        let spec_trim = spec.trim();
        if spec_trim.is_empty() {
            return Err(bad("it is empty"));
        }
        if let Ok(sa) = spec_trim.parse::<SocketAddr>() {
            return Ok(Endpoint {
                host: sa.ip().to_string(),
                port: sa.port(),
            });
        }
        if let Ok(ip) = spec_trim.parse::<IpAddr>() {
            return Ok(Endpoint {
                host: ip.to_string(),
                port: default_port,
            });
        }
        if let Some(inner) = spec_trim.strip_prefix('[') {
            let (host, rest) = inner
                .split_once(']')
                .ok_or_else(|| bad("a '[' without its ']'"))?;
            let port = match rest {
                "" => default_port,
                _ => parse_port(
                    rest.strip_prefix(':')
                        .ok_or_else(|| bad("text after ']'"))?,
                )
                .ok_or_else(|| bad("the port must be a number from 0 to 65535"))?,
            };
            return Ok(Endpoint {
                host: host.to_string(),
                port,
            });
        }
        let (host, port) = match spec_trim.rsplit_once(':') {
            Some((host, port)) => (
                host,
                parse_port(port).ok_or_else(|| bad("the port must be a number from 0 to 65535"))?,
            ),
            None => (spec_trim, default_port),
        };
        if host.is_empty() {
            return Err(bad("the host is missing"));
        }
        if host.contains(':') {
            return Err(bad("write an IPv6 address with a port as [ADDR]:PORT"));
        }
        Ok(Endpoint {
            host: host.to_string(),
            port,
        })
    }

    /// The socket addresses this endpoint resolves to (IP literals need no resolver).
    pub fn resolve(&self) -> Result<Vec<SocketAddr>, NetError> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, self.port)]);
        }
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|source| NetError::Resolve {
                host: self.host.clone(),
                source,
            })?
            .collect();
        if addrs.is_empty() {
            return Err(NetError::Resolve {
                host: self.host.clone(),
                source: io::Error::new(io::ErrorKind::NotFound, "no address found"),
            });
        }
        Ok(addrs)
    }
}

fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Connects to the first address of `endpoint` that answers; `hint` is the command that starts
/// the matching server, quoted when the connection is refused.
pub fn connect(endpoint: &Endpoint, hint: &str) -> Result<TcpStream, NetError> {
    let mut last = None;
    for addr in endpoint.resolve()? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(err) => last = Some(connect_error(addr, err, hint)),
        }
    }
    Err(last.unwrap_or_else(|| NetError::Resolve {
        host: endpoint.host.clone(),
        source: io::Error::new(io::ErrorKind::NotFound, "no address found"),
    }))
}

/// Turns a failed `connect` into the error a student can act on.
pub fn connect_error(addr: SocketAddr, err: io::Error, hint: &str) -> NetError {
    match err.kind() {
        io::ErrorKind::ConnectionRefused => NetError::Refused {
            addr,
            hint: hint.to_string(),
        },
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => NetError::TimedOut {
            addr,
            secs: CONNECT_TIMEOUT.as_secs(),
        },
        _ => NetError::Connect { addr, source: err },
    }
}

/// Binds a listening TCP socket (std sets SO_REUSEADDR on Unix, so TIME_WAIT does not block it).
pub fn bind_tcp(ip: IpAddr, port: u16) -> Result<TcpListener, NetError> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).map_err(|err| bind_error(addr, err, "TCP"))
}

/// Binds a UDP socket.
pub fn bind_udp(ip: IpAddr, port: u16) -> Result<UdpSocket, NetError> {
    let addr = SocketAddr::new(ip, port);
    UdpSocket::bind(addr).map_err(|err| bind_error(addr, err, "UDP"))
}

/// Turns a failed `bind` into the error a student can act on.
pub fn bind_error(addr: SocketAddr, err: io::Error, proto: &'static str) -> NetError {
    match err.kind() {
        io::ErrorKind::AddrInUse => NetError::AddrInUse { addr, proto },
        io::ErrorKind::PermissionDenied => NetError::BindPermission { addr },
        io::ErrorKind::AddrNotAvailable => NetError::AddrNotAvailable { addr },
        _ => NetError::Bind { addr, source: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(host: &str, port: u16) -> Endpoint {
        Endpoint {
            host: host.to_string(),
            port,
        }
    }

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!(
            Endpoint::parse("127.0.0.1", 8080).ok(),
            Some(ep("127.0.0.1", 8080))
        );
        assert_eq!(
            Endpoint::parse("127.0.0.1:9", 8080).ok(),
            Some(ep("127.0.0.1", 9))
        );
        assert_eq!(
            Endpoint::parse("localhost:80", 1).ok(),
            Some(ep("localhost", 80))
        );
        assert_eq!(Endpoint::parse("server", 5).ok(), Some(ep("server", 5)));
        assert_eq!(Endpoint::parse("::1", 7).ok(), Some(ep("::1", 7)));
        assert_eq!(Endpoint::parse("[::1]:70", 7).ok(), Some(ep("::1", 70)));
        assert_eq!(Endpoint::parse("[::1]", 7).ok(), Some(ep("::1", 7)));
    }

    #[test]
    fn refuses_bad_spellings() {
        for spec in [
            "",
            "host:",
            "host:99999",
            "host:-1",
            ":80",
            "[::1",
            "[::1]x",
            "a:b:c",
        ] {
            assert!(
                matches!(Endpoint::parse(spec, 1), Err(NetError::BadAddress { .. })),
                "{spec:?} should be refused"
            );
        }
    }

    #[test]
    fn refused_connection_names_the_server_and_the_fix() {
        // Bind a port, then free it: nothing listens there any more, so the kernel refuses.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(1);
        let err = connect(&ep("127.0.0.1", port), "wirelab tcp-server --port 1").err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.contains(&format!("is the server running on 127.0.0.1:{port}?")),
            "{text}"
        );
        assert!(text.contains("wirelab tcp-server --port 1"), "{text}");
    }

    #[test]
    fn busy_port_is_explained() {
        let first = TcpListener::bind("127.0.0.1:0");
        let port = first
            .as_ref()
            .ok()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port());
        let Some(port) = port else {
            panic!("cannot bind a loopback port for the test")
        };
        let err = bind_tcp(IpAddr::from([127, 0, 0, 1]), port).err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("address already in use"), "{text}");
        assert!(text.contains("SO_REUSEADDR"), "{text}");
    }
}
