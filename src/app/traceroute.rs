//! `wirelab traceroute`: the [`Tracer`]'s probes built by hand (ARP for the next hop, then UDP
//! or ICMP, IPv4 — cut into fragments when bigger than the MTU — and Ethernet) on a raw
//! link, one line per hop as `traceroute` prints it, the encapsulation of the first probe as
//! `ping` shows it, and with `--layers` every probe's and answer's layers, the answer's
//! quoted IP header and 8 bytes included.

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use super::driver::setup::{
    Rig, Setup, route_via, show_build_up, station_failure, towards, usable_interface,
};
use super::driver::station::{Batch, IDLE};
use super::exit::{self, Failure};
use super::ping::{ms3, resolve_host};
use crate::cli::craft::TracerouteArgs;
use crate::craft::frame::{self, Route};
use crate::craft::traceroute::{
    Answer, AnswerKind, Event, MIN_SIZE, MatchedBy, Method, Probe, ProbeKey, QuotedHeader,
    TraceConfig, Tracer,
};
use crate::decode::names::{icmp_code_name, icmp_type_name};
use crate::decode::{LinkRepr, NetRepr, TransportRepr};
use crate::sink::pcapng::Direction;
use crate::wire::ipv4::{self, Ipv4Repr};

/// Longest `--wait`, in seconds.
const MAX_WAIT: f64 = 60.0;

/// Checks the numbers of the arguments: the wait and the size.
fn check_args(args: &TracerouteArgs) -> Result<Duration, Failure> {
    if !args.wait.is_finite() || !(0.0..=MAX_WAIT).contains(&args.wait) {
        return Err(Failure::usage(format!(
            "--wait {} is not a number of seconds between 0 and {MAX_WAIT}",
            args.wait
        )));
    }
    if !(MIN_SIZE..=usize::from(u16::MAX)).contains(&args.size) {
        return Err(Failure::usage(format!(
            "--size {} is not a probe size: an IP datagram is {MIN_SIZE} bytes (IPv4 and UDP or \
             ICMP headers) to 65535 bytes",
            args.size
        )));
    }
    if args.first_hop > args.max_hops {
        return Err(Failure::usage(format!(
            "--first-hop {} is beyond --max-hops {}",
            args.first_hop, args.max_hops
        )));
    }
    Ok(Duration::from_secs_f64(args.wait))
}

/// One hop line's probes so far: `traceroute`'s layout, ` 1  10.0.3.254  0.412 ms  *`.
#[derive(Debug, Default)]
struct HopLine {
    text: String,
    last_from: Option<Ipv4Addr>,
}

impl HopLine {
    /// Adds a probe's result: the answering address when it differs from the one before,
    /// then the time (or `*`), then `traceroute`'s mark (`!H`, …).
    fn add(&mut self, ttl: u8, query: u8, answer: Option<&Answer>) {
        if query == 0 {
            self.text = format!("{ttl:2} ");
            self.last_from = None;
        }
        match answer {
            None => self.text.push_str(" *"),
            Some(a) => {
                if self.last_from != Some(a.from) {
                    self.text.push_str(&format!(" {}", a.from));
                    self.last_from = Some(a.from);
                }
                self.text.push_str(&format!("  {} ms", ms3(a.rtt)));
                let mark = a.kind.mark();
                if !mark.is_empty() {
                    self.text.push_str(&format!(" {mark}"));
                }
            }
        }
    }
}

/// `a → b` for two MAC addresses and the EtherType, the Ethernet layer of a line.
fn ethernet_line(src: &[u8], dst: &[u8]) -> String {
    format!(
        "Ethernet {} → {}, type IPv4 (0x0800)",
        crate::wire::mac(src),
        crate::wire::mac(dst)
    )
}

/// An IPv4 header on one line (the fields the course's IP lab asks about).
fn ipv4_line(ip: &Ipv4Repr) -> String {
    let mut flags = Vec::new();
    if ip.dont_fragment {
        flags.push("DF");
    }
    if ip.more_fragments {
        flags.push("MF");
    }
    let frag = if ip.is_fragment() || ip.dont_fragment {
        format!(
            ", flags {}, fragment offset {}",
            if flags.is_empty() {
                "none".to_string()
            } else {
                flags.join("+")
            },
            ip.frag_offset
        )
    } else {
        String::new()
    };
    format!(
        "IPv4 {} → {}, ID 0x{:04x} ({}), TTL {}, total length {}{frag}",
        ip.src, ip.dst, ip.id, ip.id, ip.ttl, ip.total_len
    )
}

/// A probe's transport header on one line.
fn probe_transport_line(key: ProbeKey, size: usize) -> String {
    let len = size.saturating_sub(ipv4::HEADER_LEN);
    match key {
        ProbeKey::Udp { src_port, dst_port } => {
            format!("UDP {src_port} → {dst_port}, length {len}")
        }
        ProbeKey::Icmp { id, seq } => format!(
            "ICMP type 8 ({}), identifier 0x{id:04x}, sequence number {seq}, {len} bytes",
            icmp_type_name(8)
        ),
    }
}

/// The quoted transport header on one line.
fn quoted_line(h: &QuotedHeader) -> String {
    match *h {
        QuotedHeader::Udp {
            src_port,
            dst_port,
            length,
        } => format!("UDP {src_port} → {dst_port}, length {length}"),
        QuotedHeader::Icmp {
            icmp_type,
            code,
            id,
            seq,
        } => format!(
            "ICMP type {icmp_type} code {code}, identifier 0x{id:04x}, sequence number {seq}"
        ),
        QuotedHeader::Other => "(no transport header quoted)".to_string(),
    }
}

/// The name of an ICMP message: `11/0 Time-to-live exceeded (Time to live exceeded in
/// transit)`.
fn icmp_name(ty: u8, code: u8) -> String {
    match icmp_code_name(ty, code) {
        Some(c) => format!("type {ty} code {code}, {} ({c})", icmp_type_name(ty)),
        None => format!("type {ty} code {code}, {}", icmp_type_name(ty)),
    }
}

/// Lines of an answer: its layers, the quote, and which probe it answers.
fn answer_lines(
    a: &Answer,
    eth: Option<([u8; 6], [u8; 6])>,
    ip: Option<&Ipv4Repr>,
    reassembled: Option<(usize, usize)>,
) -> Vec<String> {
    let mut out = Vec::new();
    let (ty, code) = match a.kind {
        AnswerKind::TimeExceeded { code } => (11, code),
        AnswerKind::Unreachable { code } => (3, code),
        AnswerKind::EchoReply => (0, 0),
    };
    let mut first = true;
    let mut push = |line: String| {
        out.push(format!(
            "    {:<9}{line}",
            if std::mem::take(&mut first) {
                "answer"
            } else {
                ""
            }
        ));
    };
    if let Some((src, dst)) = eth {
        push(ethernet_line(&src, &dst));
    }
    if let Some(ip) = ip {
        push(ipv4_line(ip));
    }
    if let Some((n, len)) = reassembled {
        push(format!(
            "(the last of {n} fragments: reassembled, the IP payload is {len} bytes)"
        ));
    }
    push(format!(
        "ICMP {}, after {} ms",
        icmp_name(ty, code),
        ms3(a.rtt)
    ));
    let n = a.probe.index + 1;
    match &a.quote {
        Some(q) => {
            push(format!(
                "quoted {} ({} bytes quoted)",
                ipv4_line(&q.ip),
                q.len
            ));
            let how = match a.matched_by {
                MatchedBy::UdpPorts => "its UDP ports",
                MatchedBy::EchoIdSeq => "its ICMP identifier and sequence number",
                MatchedBy::IpId => "its IP ID (no UDP/ICMP header quoted)",
            };
            let id = if a.matched_by == MatchedBy::IpId {
                ""
            } else if a.ip_id_agrees {
                "; the IP ID agrees"
            } else {
                "; the IP ID differs (changed on the way?)"
            };
            push(format!(
                "quoted {} → answers probe {n} ({how}{id})",
                quoted_line(&q.header)
            ));
        }
        None => push(format!(
            "echo reply to probe {n} (its identifier and sequence number)"
        )),
    }
    out
}

/// Runs `wirelab traceroute`.
pub fn run(args: &TracerouteArgs) -> anyhow::Result<ExitCode> {
    let wait = check_args(args)?;
    let target = resolve_host(&args.host)?;
    let i = usable_interface(&args.iface, "wirelab traceroute")?;
    let to = towards(
        &i,
        target,
        args.src_ip,
        "probes",
        "trace the route to another host",
    )?;
    let mtu = usize::try_from(i.mtu).unwrap_or(1500).max(68);
    let Rig {
        mut out,
        style,
        mut kit,
    } = Setup::new(&i, format!("wirelab traceroute {target}"))
        .address(to.src, !to.owned)
        .open(args.write.as_deref(), args.force, args.color)?;
    let mut st = kit.station();
    let route = route_via(&mut st, to.hop, target)?;
    let src = to.src;
    let method = if args.icmp {
        Method::Icmp {
            id: crate::craft::random_u32() as u16,
        }
    } else {
        Method::Udp {
            // traceroute's kernel picks an ephemeral port; so does this, from 32768-60999.
            src_port: 32768 + (crate::craft::random_u32() % 28232) as u16,
            base_port: args.port,
        }
    };
    let cfg = TraceConfig {
        method,
        src,
        dst: target,
        first_ttl: args.first_hop,
        max_hops: args.max_hops,
        queries: args.queries,
        wait,
        size: args.size,
        first_ip_id: crate::craft::random_u32() as u16,
    };
    let mut tracer = Tracer::new(cfg);
    writeln!(
        out,
        "traceroute to {} ({target}), {} hops max, {} byte packets",
        crate::text::escape(args.host.as_bytes()),
        args.max_hops,
        args.size
    )?;
    out.flush()?;
    let mut first = true;
    let mut line = HopLine::default();
    let mut details: Vec<String> = Vec::new();
    // Bounded: the tracer sends at most max_hops × queries probes, each waited for at most
    // `wait`; every turn below waits at most IDLE.
    loop {
        let now = st.now();
        // Timeouts and answers are printed before the next probe goes, so that a hop's
        // line and layers come before the next hop's probe.
        tracer.expire(now);
        while let Some(e) = tracer.poll_event() {
            match e {
                Event::Answered(a) => line.add(a.probe.ttl, a.probe.query, Some(&a)),
                Event::TimedOut(p) => {
                    line.add(p.ttl, p.query, None);
                    if args.layers {
                        details.push(format!("    {:<9}none within {} s", "answer", args.wait));
                    }
                }
                Event::HopDone { .. } => {
                    writeln!(out, "{}", line.text)?;
                    for d in details.drain(..) {
                        writeln!(out, "{d}")?;
                    }
                    out.flush()?;
                }
            }
        }
        if tracer.done() {
            break;
        }
        if let Some(p) = tracer.poll_transmit(now) {
            let payload = p.ip_payload(&cfg).map_err(build_failure)?;
            let whole = p.ip_header(&cfg).map_err(build_failure)?;
            let pieces = ipv4::fragments(payload.len(), mtu).map_err(build_failure)?;
            let n = p.index + 1;
            let count = pieces.len();
            let mut sizes = Vec::new();
            for (k, piece) in pieces.iter().enumerate() {
                let ip = if count > 1 {
                    whole.fragment(piece).map_err(build_failure)?
                } else {
                    whole.clone()
                };
                let data = payload.get(piece.bytes.clone()).unwrap_or(&[]);
                frame::ipv4_packet(st.tx(), &route, &ip, data).map_err(build_failure)?;
                sizes.push((ip.total_len, ip.frag_offset, ip.more_fragments));
                if first {
                    first = false;
                    let title = if count > 1 {
                        format!("the first probe (fragment 1 of {count})")
                    } else {
                        "the first probe".to_string()
                    };
                    let frame = st.tx().clone();
                    show_build_up(&mut *out, &frame, &title, style)?;
                    out.flush()?;
                }
                let comment = if count > 1 {
                    format!("probe {n} (TTL {}), fragment {} of {count}", p.ttl, k + 1)
                } else {
                    format!("probe {n} (TTL {})", p.ttl)
                };
                st.send_tx(Some(&comment), None).map_err(station_failure)?;
            }
            if args.layers {
                details.extend(probe_lines(&p, &cfg, &route, &whole, &sizes, mtu));
            }
        }
        st.flush_arp(now).map_err(station_failure)?;
        let mut wake = tracer.poll_at(now);
        if let Some(t) = st.arp_poll_at() {
            wake = wake.min(t);
        }
        let mut batch = Batch::new(wake.saturating_sub(now).min(IDLE));
        while let Some((timestamp, from_host)) = batch.next(&mut st).map_err(station_failure)? {
            let d = st.decoded();
            let NetRepr::Ipv4(ip) = &d.net else {
                continue;
            };
            if from_host || ip.dst != src || ip.protocol != ipv4::PROTO_ICMP {
                continue;
            }
            if d.fragment.is_some() {
                // A piece of a big echo reply: kept in the pcapng; the decoder reassembles it.
                st.record_rx(timestamp, Direction::Inbound, Some("fragment of an answer"))
                    .map_err(station_failure)?;
                continue;
            }
            let TransportRepr::Icmpv4(icmp) = &d.transport else {
                continue;
            };
            let message = d
                .transport_bytes(st.rx())
                .get(icmp.range.clone())
                .unwrap_or(&[])
                .to_vec();
            let pieces = d
                .reassembled
                .as_ref()
                .map(|r| (r.fragments.len(), r.data.len()));
            let eth = match &d.link {
                LinkRepr::Ethernet { header, .. } => Some((header.src, header.dst)),
                _ => None,
            };
            let ip = ip.clone();
            let Some(a) = tracer.on_icmp(st.now(), ip.src, &message) else {
                continue;
            };
            let comment = format!("answer to probe {}", a.probe.index + 1);
            st.record_rx(timestamp, Direction::Inbound, Some(&comment))
                .map_err(station_failure)?;
            if args.layers {
                details.extend(answer_lines(&a, eth, Some(&ip), pieces));
            }
            break;
        }
    }
    let reached = tracer.reached();
    drop(st);
    kit.finish()?;
    out.flush()?;
    if !reached {
        return Err(Failure::new(
            exit::TIMED_OUT,
            format!(
                "{target} did not answer within {} hops ({} probes sent)",
                args.max_hops,
                tracer.sent()
            ),
        )
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

/// Lines of a probe: its layers, and its fragments when it was cut.
fn probe_lines(
    p: &Probe,
    cfg: &TraceConfig,
    route: &Route,
    whole: &Ipv4Repr,
    sizes: &[(u16, u16, bool)],
    mtu: usize,
) -> Vec<String> {
    let label = format!("probe {}", p.index + 1);
    let mut out = vec![
        format!(
            "    {label:<9}{}",
            ethernet_line(&route.src_mac, &route.dst_mac)
        ),
        format!("    {:<9}{}", "", ipv4_line(whole)),
        format!("    {:<9}{}", "", probe_transport_line(p.key, cfg.size)),
    ];
    if sizes.len() > 1 {
        let list: Vec<String> = sizes
            .iter()
            .map(|&(len, off, more)| {
                format!(
                    "{len} bytes at offset {off}{}",
                    if more { " (MF)" } else { "" }
                )
            })
            .collect();
        out.push(format!(
            "    {:<9}sent as {} fragments (MTU {}): {}",
            "",
            sizes.len(),
            mtu,
            list.join(", ")
        ));
    }
    out
}

fn build_failure(e: crate::craft::BuildError) -> Failure {
    Failure::new(exit::FAILURE, format!("building a probe: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::craft::traceroute::{Quote, TIME_EXCEEDED};

    fn probe(query: u8) -> Probe {
        Probe {
            index: 3 + u16::from(query),
            ttl: 2,
            query,
            ip_id: 0x1234,
            key: ProbeKey::Udp {
                src_port: 40000,
                dst_port: 33437,
            },
            sent_at: Duration::ZERO,
        }
    }

    fn answer(query: u8, from: Ipv4Addr, rtt_us: u64, kind: AnswerKind) -> Answer {
        Answer {
            probe: probe(query),
            from,
            rtt: Duration::from_micros(rtt_us),
            kind,
            quote: None,
            matched_by: MatchedBy::UdpPorts,
            ip_id_agrees: true,
        }
    }

    /// `traceroute`'s layout: `%2d `, then ` ADDR` when it changes, `  T ms` or ` *`.
    #[test]
    fn hop_lines_are_laid_out_as_traceroute_prints_them() {
        let r = Ipv4Addr::new(10, 0, 3, 254);
        let o = Ipv4Addr::new(10, 0, 3, 253);
        let te = AnswerKind::TimeExceeded { code: 0 };
        let mut l = HopLine::default();
        l.add(1, 0, Some(&answer(0, r, 412, te)));
        l.add(1, 1, Some(&answer(1, r, 301, te)));
        l.add(1, 2, Some(&answer(2, r, 298, te)));
        assert_eq!(l.text, " 1  10.0.3.254  0.412 ms  0.301 ms  0.298 ms");
        l.add(12, 0, None);
        l.add(12, 1, Some(&answer(1, r, 1000, te)));
        l.add(12, 2, Some(&answer(2, o, 2500, te)));
        assert_eq!(l.text, "12  * 10.0.3.254  1.000 ms 10.0.3.253  2.500 ms");
        l.add(3, 0, None);
        l.add(3, 1, None);
        l.add(3, 2, None);
        assert_eq!(l.text, " 3  * * *");
        l.add(
            4,
            0,
            Some(&answer(0, r, 5, AnswerKind::Unreachable { code: 1 })),
        );
        assert_eq!(l.text, " 4  10.0.3.254  0.005 ms !H");
    }

    #[test]
    fn an_answer_shows_its_layers_and_the_quote_it_was_matched_by() {
        let whole = Ipv4Repr::new(
            Ipv4Addr::new(10, 0, 3, 1),
            Ipv4Addr::new(10, 0, 4, 1),
            17,
            40,
            0x1234,
            1,
            false,
        )
        .unwrap();
        let mut a = answer(
            0,
            Ipv4Addr::new(10, 0, 3, 254),
            412,
            AnswerKind::TimeExceeded { code: 0 },
        );
        a.quote = Some(Quote {
            ip: whole.clone(),
            header: QuotedHeader::Udp {
                src_port: 40000,
                dst_port: 33437,
                length: 40,
            },
            len: 28,
        });
        let lines = answer_lines(
            &a,
            Some(([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])),
            None,
            None,
        );
        assert_eq!(
            lines,
            [
                "    answer   Ethernet 02:00:00:00:00:01 → 02:00:00:00:00:02, type IPv4 (0x0800)",
                "             ICMP type 11 code 0, Time-to-live exceeded (Time to live exceeded in \
                 transit), after 0.412 ms",
                "             quoted IPv4 10.0.3.1 → 10.0.4.1, ID 0x1234 (4660), TTL 1, total \
                 length 60 (28 bytes quoted)",
                "             quoted UDP 40000 → 33437, length 40 → answers probe 4 (its UDP \
                 ports; the IP ID agrees)",
            ]
        );
        assert_eq!(TIME_EXCEEDED, 11);
        let frag = Ipv4Repr {
            more_fragments: true,
            ..whole
        };
        assert!(ipv4_line(&frag).ends_with("flags MF, fragment offset 0"));
    }

    #[test]
    fn bad_numbers_are_usage_errors() {
        use clap::Parser as _;
        let parse = |extra: &[&str]| {
            let mut argv = vec!["wirelab", "traceroute", "10.0.4.1", "-i", "eth0"];
            argv.extend_from_slice(extra);
            match crate::cli::Cli::try_parse_from(argv).map(|c| c.command) {
                Ok(crate::cli::Command::Traceroute(a)) => Ok(a),
                Ok(_) => panic!("not traceroute"),
                Err(e) => Err(e),
            }
        };
        let a = parse(&[]).unwrap();
        assert_eq!(
            (a.size, a.max_hops, a.queries, a.port, a.icmp),
            (60, 30, 3, 33434, false)
        );
        assert!(check_args(&a).is_ok());
        for bad in [
            &["--wait", "-1"][..],
            &["--wait", "nan"],
            &["--wait", "61"],
            &["--size", "27"],
            &["--size", "65536"],
            &["--first-hop", "5", "--max-hops", "4"],
        ] {
            if let Ok(a) = parse(bad) {
                assert_eq!(check_args(&a).unwrap_err().code, exit::USAGE, "{bad:?}");
            }
        }
        assert!(parse(&["--queries", "0"]).is_err());
        assert!(parse(&["--queries", "11"]).is_err());
        assert!(parse(&["--max-hops", "0"]).is_err());
        assert!(parse(&["-I", "--size", "3000", "-v"]).unwrap().icmp);
    }
}
