//! `wirelab craft`: check the interface and the addresses, open the raw link, run a
//! [`Session`], print the summary, and end with the exit code of the outcome.

use std::fs::File;
use std::io::{self, IsTerminal as _, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::ExitCode;
use std::time::Duration;

use super::driver::record::Recorder;
use super::driver::session::{
    Input, Output, Report, Session, SessionConfig, SessionError, SourceAddress,
};
use super::driver::setup::{
    crafted_link_info, next_hop, open_link, shown_output, subnet_for, usable_interface,
};
use super::exit::{self, Failure};
use crate::cli::craft::CraftArgs;
use crate::craft::neighbor::NeighborConfig;
use crate::craft::random_u32;
use crate::craft::tcp_conn::{Outcome, TcpConfig, TimedOut};
use crate::link::{Link, LinkOptions, LossyLink, iface};
use crate::render::summary;
use crate::wire::ipv4;

/// Parses `IP:PORT` for `--to`.
pub fn parse_target(text: &str) -> Result<SocketAddrV4, Failure> {
    text.parse::<SocketAddrV4>().map_err(|_| {
        Failure::usage(format!(
            "--to {text:?} is not an IPv4 address and port: write it like 10.0.3.1:8080"
        ))
    })
}

/// Up to `n` random host addresses of `addr/prefix`, avoiding the network and broadcast
/// addresses and every address in `avoid`.
pub fn candidates(addr: Ipv4Addr, prefix: u8, avoid: &[Ipv4Addr], n: usize) -> Vec<Ipv4Addr> {
    if prefix >= 31 {
        return Vec::new();
    }
    let mask = iface::prefix_mask(prefix);
    let net = u32::from(addr) & mask;
    let hosts = !mask - 1; // excluding network and broadcast
    let mut out = Vec::new();
    // Bounded: at most 64 draws.
    for _ in 0..64 {
        if out.len() >= n {
            break;
        }
        let host = 1 + random_u32() % hosts;
        let ip = Ipv4Addr::from(net | host);
        if !avoid.contains(&ip) && !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

fn seconds(name: &str, v: f64) -> Result<Duration, Failure> {
    if !v.is_finite() || !(0.0..=3600.0).contains(&v) {
        return Err(Failure::usage(format!(
            "--{name} {v} is not a number of seconds between 0 and 3600"
        )));
    }
    Ok(Duration::from_secs_f64(v))
}

/// With `--loss 100` nothing can get through: the failure says so, naming the setting,
/// instead of blaming the server or the network.
fn name_total_loss(f: Failure, loss: f64) -> Failure {
    if loss < 100.0 {
        return f;
    }
    Failure::new(
        f.code,
        format!(
            "--loss {loss} drops every frame this client sends and receives, so nothing could \
             get through (without it: {}); lower --loss to watch recovery",
            f.message
        ),
    )
}

/// Runs `wirelab craft`.
pub fn run(args: &CraftArgs) -> anyhow::Result<ExitCode> {
    let to = parse_target(&args.to)?;
    if !(0.0..=100.0).contains(&args.loss) {
        return Err(Failure::usage(format!(
            "--loss {} is not a percentage between 0 and 100",
            args.loss
        ))
        .into());
    }
    let fin_wait = seconds("fin-wait", args.fin_wait)?;
    let time_wait = seconds("time-wait", args.time_wait)?;
    let i = usable_interface(&args.iface, "wirelab craft")?;
    let mac = i.mac.unwrap_or_default();
    if iface::is_local_address(*to.ip()) {
        return Err(Failure::usage(format!(
            "{} is an address of this host: frames wirelab sends to it leave on {} and never \
             come back in. Run the server on another machine of the LAN, or in a network \
             namespace joined by a veth pair (see the README, \"Craft\")",
            to.ip(),
            i.name
        ))
        .into());
    }

    let mut status = io::stderr();
    let subnet = subnet_for(&i, *to.ip());
    let (src, src_for_route) = match args.src_ip {
        Some(ip) => {
            let owned = iface::is_local_address(ip);
            (SourceAddress::Given { ip, owned }, ip)
        }
        None => {
            let Some((addr, prefix)) = subnet else {
                return Err(Failure::usage(format!(
                    "{} has no IPv4 address, so wirelab cannot pick a free one next to it: give \
                     the source address with --src-ip",
                    i.name
                ))
                .into());
            };
            let gw = iface::default_gateway(&i.name);
            let mut avoid: Vec<Ipv4Addr> = i.ipv4().map(|(a, _)| a).collect();
            avoid.push(*to.ip());
            avoid.extend(gw);
            let c = candidates(addr, prefix, &avoid, 3);
            if c.is_empty() {
                return Err(Failure::usage(format!(
                    "{}'s subnet {addr}/{prefix} has no room for another address: give one with --src-ip",
                    i.name
                ))
                .into());
            }
            (SourceAddress::Probe(c), addr)
        }
    };
    let prefix = subnet.map(|(_, p)| p);
    let hop = next_hop(&i, src_for_route, prefix, *to.ip())?;

    match &src {
        SourceAddress::Given { ip, owned: true } => writeln!(
            status,
            "wirelab: mode: the host's own address {ip}. Its kernel answers the server's SYN-ACK\n\
             \x20   with a RST unless you drop those RSTs first, e.g.\n\
             \x20   sudo iptables -I OUTPUT -p tcp --tcp-flags RST RST -s {ip} -d {} --dport {} -j DROP",
            to.ip(),
            to.port()
        )?,
        SourceAddress::Given { ip, owned: false } => writeln!(
            status,
            "wirelab: mode: {ip}, an address this host does not own: its kernel ignores the\n\
             \x20   server's answers (so no RST), and wirelab answers ARP for it"
        )?,
        SourceAddress::Probe(_) => writeln!(
            status,
            "wirelab: mode: an address this host does not own: its kernel ignores the\n\
             \x20   server's answers (so no RST), and wirelab answers ARP for it"
        )?,
    }
    if !matches!(src, SourceAddress::Given { owned: true, .. }) {
        for warning in iface::foreign_address_warnings(&i.name) {
            writeln!(status, "wirelab: warning: {warning}")?;
        }
    }

    let (pcap, pnet) = open_link(
        &i,
        LinkOptions::default(),
        false,
        args.write.as_deref(),
        args.force,
    )?;
    let input = match (&args.message, &args.file) {
        (Some(m), _) => Input::Bytes(m.as_bytes().to_vec()),
        (None, Some(path)) => Input::File(File::open(path).map_err(|e| {
            Failure::new(
                exit::FAILURE,
                format!("cannot read {}: {e}", path.display()),
            )
        })?),
        (None, None) => {
            if io::stdin().is_terminal() {
                writeln!(
                    status,
                    "wirelab: type the lines to send; Ctrl-D closes the connection"
                )?;
            }
            Input::Stdin
        }
    };
    let info = crafted_link_info(&i.name, format!("wirelab craft to {to}"), mac);
    let style = super::stdout_style(args.color);
    // With `-w -` the pcapng goes to standard output and what is shown to standard error.
    let to_stdout = args
        .write
        .as_deref()
        .is_some_and(crate::sink::output::is_stdio);
    let screen = || shown_output(args.write.as_deref());
    let mut rec = Recorder::new(screen(), !args.quiet, style, pcap, &info)?;
    rec.fit_to(super::terminal_width(false));

    let local_port = args
        .src_port
        .unwrap_or_else(|| 49152 + (random_u32() % 16384) as u16);
    let mss = u16::try_from(i.mtu.saturating_sub(40))
        .unwrap_or(u16::MAX)
        .clamp(536, 9000);
    let mut tcp = TcpConfig::new(local_port, to.port(), random_u32(), mss);
    tcp.ts_offset = random_u32();
    tcp.syn_retries = args.syn_retries;
    tcp.fin_wait2 = fin_wait;
    tcp.time_wait = time_wait;
    let cfg = SessionConfig {
        iface: i.name.clone(),
        mac,
        src,
        to,
        next_hop: hop,
        tcp,
        neighbor: NeighborConfig::default(),
        ttl: ipv4::DEFAULT_TTL,
    };

    // The server's data as it is into a pipe or a file; escaped on a terminal.
    let mut raw_out: Box<dyn Write> = if to_stdout {
        Box::new(crate::render::text::EscapeWriter::new(io::stderr()))
    } else if io::stdout().is_terminal() {
        Box::new(crate::render::text::EscapeWriter::new(io::stdout()))
    } else {
        Box::new(io::stdout())
    };
    let output = if args.quiet {
        Output::Raw(&mut raw_out)
    } else {
        Output::Notes
    };
    let mut plain;
    let mut lossy;
    let link: &mut dyn Link = if args.loss > 0.0 {
        lossy = LossyLink::new(pnet, args.loss / 100.0, args.loss_seed);
        &mut lossy
    } else {
        plain = pnet;
        &mut plain
    };
    let mut status_w = io::stderr();
    let result = Session::new(cfg, &mut *link, &mut rec, &mut status_w, output).run(input);
    let loss = link.loss_counts().map(|c| summary::LossSummary {
        sent_dropped: c.sent_dropped,
        received_dropped: c.received_dropped,
    });
    let finish = rec.finish();
    let report = match result {
        Ok(r) => r,
        Err(e) => return Err(name_total_loss(session_failure(e), args.loss).into()),
    };
    finish?;
    let mut craft_summary = report.summary();
    craft_summary.loss = loss;
    if args.quiet {
        summary::write_craft_summary(&mut io::stderr(), &craft_summary)?;
    } else {
        let mut out = screen();
        writeln!(out)?;
        summary::write_craft_summary(&mut out, &craft_summary)?;
        out.flush()?;
    }
    if let Some(m) = report.conflict {
        writeln!(
            status,
            "wirelab: warning: {} answered ARP for {} while wirelab used it: two hosts had the \
             same address",
            crate::analyse::mac(&m),
            report.local.ip()
        )?;
    }
    finish_with(&report, args.syn_retries)
}

fn session_failure(e: SessionError) -> Failure {
    match e {
        SessionError::Unreachable { .. } => Failure::new(exit::UNREACHABLE, e.to_string()),
        SessionError::NoFreeAddress { .. } => Failure::new(exit::USAGE, e.to_string()),
        SessionError::Link { .. } | SessionError::Io { .. } => {
            Failure::new(exit::FAILURE, e.to_string())
        }
    }
}

/// The exit code (and the error message) of a finished connection.
fn finish_with(r: &Report, syn_retries: u32) -> anyhow::Result<ExitCode> {
    let kernel = if r.kernel_rsts > 0 {
        " (this host's own kernel sent a RST for the connection first: see the warning above)"
    } else {
        ""
    };
    let fail =
        |code: u8, msg: String| -> anyhow::Result<ExitCode> { Err(Failure::new(code, msg).into()) };
    match r.outcome {
        Outcome::Closed => Ok(ExitCode::SUCCESS),
        Outcome::TimedOut(TimedOut::PeerFin) => {
            eprintln!(
                "wirelab: note: the server never closed its side; wirelab stopped waiting (all \
                 data was delivered and acknowledged)"
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Refused => fail(
            exit::REFUSED,
            format!(
                "connection refused (nothing listens on {}): its kernel answered the SYN with a \
                 RST; start the server first, e.g. `wirelab tcp-server --port {}` on {}",
                r.remote,
                r.remote.port(),
                r.remote.ip()
            ),
        ),
        Outcome::TimedOut(TimedOut::Syn) => fail(
            exit::TIMED_OUT,
            format!(
                "timed out: the SYN to {} was sent {} times and never answered; is a firewall \
                 dropping it, or is the server down?",
                r.remote,
                syn_retries + 1
            ),
        ),
        Outcome::TimedOut(TimedOut::Ack) => fail(
            exit::TIMED_OUT,
            format!(
                "timed out: {} stopped acknowledging data; wirelab gave up and sent a RST",
                r.remote
            ),
        ),
        Outcome::Reset(state) => fail(
            exit::RESET,
            format!(
                "connection reset by {} {}{kernel}",
                r.remote,
                super::driver::session::reset_during(state)
            ),
        ),
        Outcome::Aborted => fail(exit::FAILURE, "the connection was aborted".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_must_be_ipv4_with_a_port() {
        assert_eq!(
            parse_target("10.0.3.1:8080").unwrap(),
            SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 1), 8080)
        );
        for bad in ["10.0.3.1", "server:80", "[::1]:80", "10.0.3.1:99999"] {
            let e = parse_target(bad).unwrap_err();
            assert_eq!(e.code, exit::USAGE);
            assert!(e.message.contains("10.0.3.1:8080"), "{}", e.message);
        }
    }

    #[test]
    fn candidates_stay_in_the_subnet_and_avoid_what_they_must() {
        let me = Ipv4Addr::new(10, 0, 3, 2);
        let server = Ipv4Addr::new(10, 0, 3, 1);
        for _ in 0..50 {
            for c in candidates(me, 24, &[me, server], 3) {
                assert!(iface::same_subnet(c, me, 24));
                assert!(c != me && c != server);
                let last = c.octets()[3];
                assert!(last != 0 && last != 255, "{c}");
            }
        }
        // A /30 has two hosts: both avoided leaves none.
        let c = candidates(
            Ipv4Addr::new(10, 0, 0, 1),
            30,
            &[Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)],
            3,
        );
        assert!(c.is_empty());
        assert!(candidates(me, 31, &[], 3).is_empty());
    }

    #[test]
    fn bad_seconds_are_usage_errors() {
        assert!(seconds("fin-wait", -1.0).is_err());
        assert!(seconds("fin-wait", f64::NAN).is_err());
        assert_eq!(seconds("x", 1.5).unwrap(), Duration::from_millis(1500));
    }
}
