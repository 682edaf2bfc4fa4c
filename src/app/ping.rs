//! `wirelab ping`: echo requests built by hand (ARP, IPv4, ICMP) on a raw link, one line per
//! reply with its round-trip time, the encapsulation of the first request, and ping's
//! statistics at the end.

use std::io::Write;
use std::net::{Ipv4Addr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use super::driver::setup::{
    Rig, Setup, route_via, show_build_up, station_failure, towards, usable_interface,
};
use super::driver::station::{Batch, IDLE};
use super::exit::{self, Failure};
use crate::cli::craft::PingArgs;
use crate::craft::frame;
use crate::craft::ping::{PingConfig, Pinger};
use crate::decode::{NetRepr, TransportRepr};
use crate::sink::pcapng::Direction;
use crate::wire::icmp::{ECHO_REPLY, ECHO_REQUEST, IcmpRepr};

/// The IPv4 address of `host` (a literal, or a name resolved by the system).
pub(super) fn resolve_host(host: &str) -> Result<Ipv4Addr, Failure> {
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok(ip);
    }
    let addrs = (host, 0).to_socket_addrs().map_err(|e| {
        Failure::usage(format!(
            "cannot find the address of {host:?}: {e}; give an IPv4 address such as 10.0.3.1"
        ))
    })?;
    addrs
        .filter_map(|a| match a.ip() {
            std::net::IpAddr::V4(v4) => Some(v4),
            std::net::IpAddr::V6(_) => None,
        })
        .next()
        .ok_or_else(|| Failure::usage(format!("{host} has no IPv4 address (wirelab pings IPv4)")))
}

pub(super) fn ms3(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Runs `wirelab ping`.
pub fn run(args: &PingArgs) -> anyhow::Result<ExitCode> {
    let target = resolve_host(&args.host)?;
    let i = usable_interface(&args.iface, "wirelab ping")?;
    if !args.interval.is_finite()
        || args.interval < 0.0
        || !args.timeout.is_finite()
        || args.timeout < 0.0
    {
        return Err(Failure::usage("--interval and --timeout are seconds, 0 or more").into());
    }
    if args.count == 0 {
        return Err(Failure::usage("-c 0 sends nothing: give at least 1").into());
    }
    let to = towards(
        &i,
        target,
        args.src_ip,
        "requests",
        "ping another host of the LAN",
    )?;
    let Rig {
        mut out,
        style,
        mut kit,
    } = Setup::new(&i, format!("wirelab ping {target}"))
        .address(to.src, !to.owned)
        .open(args.write.as_deref(), args.force, args.color)?;
    let mut st = kit.station();
    let route = route_via(&mut st, to.hop, target)?;
    let src = to.src;
    writeln!(
        out,
        "PING {target} from {src} {}: {} data bytes",
        i.name,
        crate::craft::ping::DATA_LEN
    )?;
    let id = crate::craft::random_u32() as u16;
    let mut pinger = Pinger::new(
        PingConfig {
            id,
            count: args.count,
            interval: Duration::from_secs_f64(args.interval),
            timeout: Duration::from_secs_f64(args.timeout),
        },
        st.now(),
    );
    let start = st.now();
    let mut first = true;
    let mut ip_id = crate::craft::random_u32() as u16;
    // Bounded: the pinger is done after `count` requests and the timeout after the last.
    loop {
        let now = st.now();
        while let Some(req) = pinger.poll_transmit(now) {
            ip_id = ip_id.wrapping_add(1);
            let echo = IcmpRepr::echo(ECHO_REQUEST, id, req.seq);
            frame::icmp_echo(st.tx(), &route, ip_id, &echo, &req.data)
                .map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
            if first {
                first = false;
                let frame = st.tx().clone();
                show_build_up(&mut *out, &frame, "the first echo request", style)?;
            }
            let comment = format!("echo request {}", req.seq);
            st.send_tx(Some(&comment), None).map_err(station_failure)?;
        }
        st.flush_arp(now).map_err(station_failure)?;
        if pinger.done(now) {
            break;
        }
        let mut wake = pinger.poll_at();
        if let Some(t) = st.arp_poll_at() {
            wake = wake.min(t);
        }
        let mut batch = Batch::new(wake.saturating_sub(now).min(IDLE));
        while let Some((timestamp, from_host)) = batch.next(&mut st).map_err(station_failure)? {
            let d = st.decoded();
            let (NetRepr::Ipv4(ip), TransportRepr::Icmpv4(icmp)) = (&d.net, &d.transport) else {
                continue;
            };
            if from_host || ip.dst != src {
                continue;
            }
            let (ttl, from, ty, code) = (ip.ttl, ip.src, icmp.icmp_type, icmp.code);
            let (echo_id, echo_seq, len) = (icmp.echo_id(), icmp.echo_seq(), icmp.range.len());
            let quoted_ours = icmp
                .quoted
                .as_ref()
                .is_some_and(|q| q.dst == std::net::IpAddr::V4(target));
            if ty == ECHO_REPLY && from == target {
                st.record_rx(timestamp, Direction::Inbound, None)
                    .map_err(station_failure)?;
                if let Some(r) = pinger.on_reply(st.now(), echo_id, echo_seq) {
                    writeln!(
                        out,
                        "{len} bytes from {from}: icmp_seq={} ttl={ttl} time={} ms{}",
                        r.seq,
                        ms3(r.rtt),
                        if r.duplicate { " (DUP!)" } else { "" }
                    )?;
                    out.flush()?;
                }
            } else if ty == 3 && quoted_ours {
                st.record_rx(timestamp, Direction::Inbound, None)
                    .map_err(station_failure)?;
                writeln!(out, "From {from}: destination unreachable (code {code})")?;
            }
        }
    }
    let stats = pinger.stats().clone();
    let elapsed = st.now().saturating_sub(start);
    drop(st);
    kit.finish()?;
    writeln!(out)?;
    writeln!(out, "--- {target} ping statistics ---")?;
    writeln!(
        out,
        "{} packets transmitted, {} received,{} {}% packet loss, time {}ms",
        stats.sent,
        stats.received,
        if stats.duplicates > 0 {
            format!(" +{} duplicates,", stats.duplicates)
        } else {
            String::new()
        },
        stats.loss_percent(),
        elapsed.as_millis()
    )?;
    if let Some((min, avg, max, mdev)) = stats.rtt_summary() {
        writeln!(
            out,
            "rtt min/avg/max/mdev = {}/{}/{}/{} ms",
            ms3(min),
            ms3(avg),
            ms3(max),
            ms3(mdev)
        )?;
    }
    out.flush()?;
    if stats.received == 0 {
        return Err(Failure::new(
            exit::TIMED_OUT,
            format!(
                "no reply from {target}: it is on the LAN (it answered ARP) but does not answer \
                 pings (a firewall?)"
            ),
        )
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_ipv4_literals_or_names() {
        assert_eq!(
            resolve_host("10.0.3.1").unwrap(),
            Ipv4Addr::new(10, 0, 3, 1)
        );
        assert_eq!(resolve_host("localhost").unwrap(), Ipv4Addr::LOCALHOST);
        let e = resolve_host("no-such-host.invalid").unwrap_err();
        assert_eq!(e.code, exit::USAGE);
    }
}
