//! `wirelab dhcp`: the DHCP [`Client`]'s Discover and Request (and a Release) built by hand
//! (Ethernet, IPv4 0.0.0.0 → 255.255.255.255, UDP 68 → 67, BOOTP with its options) on a raw
//! link, every message sent and answered shown as `wirelab read -V` shows it (the DHCP
//! dissector's wording), and nothing applied to the system unless `--apply` is given.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, ExitCode};
use std::time::Duration;

use super::driver::setup::{Rig, Setup, route_via, station_failure, usable_interface};
use super::driver::station::{Batch, IDLE, Station};
use super::exit::{self, Failure};
use crate::analyse::{Analyzer, Packet};
use crate::cli::craft::DhcpArgs;
use crate::craft::dhcp::{Client, ClientConfig, Event, Lease, Reply, State, release};
use crate::craft::frame::{self, Route};
use crate::decode::{LinkRepr, TransportRepr};
use crate::dissect::{Dissector, FieldVal};
use crate::frame::{Frame, LinkType};
use crate::link::iface;
use crate::render::detail::write_detail;
use crate::render::style::Style;
use crate::sink::pcapng::Direction;
use crate::wire::dhcp::{CLIENT_PORT, DhcpRepr, SERVER_PORT};
use crate::wire::ethernet::BROADCAST;
use crate::wire::ipv4;

/// Longest `--wait`, in seconds.
const MAX_WAIT: f64 = 60.0;

/// A MAC address written `02:00:00:00:00:01` (or with `-`).
fn parse_mac(text: &str) -> Result<[u8; 6], Failure> {
    let bad = || {
        Failure::usage(format!(
            "--mac {:?} is not a MAC address: write it like 02:00:00:00:00:01",
            crate::text::escape(text.as_bytes())
        ))
    };
    let mut mac = [0u8; 6];
    let mut parts = text.split([':', '-']);
    for b in mac.iter_mut() {
        let p = parts.next().ok_or_else(bad)?;
        if p.is_empty() || p.len() > 2 {
            return Err(bad());
        }
        *b = u8::from_str_radix(p, 16).map_err(|_| bad())?;
    }
    if parts.next().is_some() || mac[0] & 1 == 1 || mac == [0; 6] {
        return Err(bad());
    }
    Ok(mac)
}

/// This machine's host name (the UTS namespace's), or none.
fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// What the DHCP dissector read of a message: the fields the client matches on.
fn reply_of(p: &Packet) -> Option<Reply> {
    let l = p.app_layer(Dissector::Dhcp)?;
    let uint = |name| {
        l.values(name).next().and_then(|v| match v {
            FieldVal::Uint(n) | FieldVal::Hex(n, _) => Some(*n),
            _ => None,
        })
    };
    let ip = |name| {
        l.values(name).next().and_then(|v| match v {
            FieldVal::Ip(IpAddr::V4(a)) => Some(*a),
            _ => None,
        })
    };
    // The header's MAC comes first; only an Ethernet chaddr has one there.
    let ethernet = matches!(uint("dhcp.hw.type"), Some(1 | 6)) && uint("dhcp.hw.len") == Some(6);
    let chaddr = l
        .values("dhcp.hw.mac_addr")
        .next()
        .and_then(|v| match v {
            FieldVal::Mac(m) => Some(*m),
            _ => None,
        })
        .filter(|_| ethernet);
    // As Wireshark's first pass: the last option 53 names the message.
    let kind = l
        .values("dhcp.option.dhcp")
        .filter_map(|v| match v {
            FieldVal::Uint(n) => u8::try_from(*n).ok(),
            _ => None,
        })
        .last();
    Some(Reply {
        op: u8::try_from(uint("dhcp.type")?).ok()?,
        xid: u32::try_from(uint("dhcp.id")?).ok()?,
        chaddr,
        kind,
        yiaddr: ip("dhcp.ip.your")?,
        server_id: ip("dhcp.option.dhcp_server_id"),
        mask: ip("dhcp.option.subnet_mask"),
        router: ip("dhcp.option.router"),
        lease_secs: uint("dhcp.option.ip_address_lease_time").and_then(|n| u32::try_from(n).ok()),
    })
}

/// Shows frames as `read -V` does, numbered in the order sent and received.
struct Shower {
    analyzer: Analyzer,
    packet: Packet,
    frame: Frame,
    style: Style,
}

impl Shower {
    fn new(style: Style) -> Self {
        Shower {
            analyzer: Analyzer::new(),
            packet: Packet::default(),
            frame: Frame {
                number: 0,
                timestamp: Duration::ZERO,
                link_type: LinkType::ETHERNET,
                orig_len: 0,
                interface: 0,
                data: Vec::new(),
            },
            style,
        }
    }

    /// Dissects `data` (read at `timestamp`) and returns what was read of its DHCP message.
    fn dissect(&mut self, data: &[u8], timestamp: Duration) -> Option<Reply> {
        self.frame.number += 1;
        self.frame.timestamp = timestamp;
        self.frame.orig_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        self.frame.data.clear();
        self.frame.data.extend_from_slice(data);
        self.analyzer.process(&self.frame, &mut self.packet);
        reply_of(&self.packet)
    }

    /// Writes the frame last dissected under a title line.
    fn show(&self, out: &mut dyn Write, title: &str) -> io::Result<()> {
        writeln!(out, "{title}")?;
        let layers = self.packet.layers(&self.frame.data);
        let mut w = io::BufWriter::new(out);
        write_detail(&mut w, &self.packet, &layers, self.style)?;
        writeln!(w)?;
        w.flush()
    }
}

/// Builds `msg` in UDP in IPv4 in Ethernet, sends it, records it with `comment` and shows it.
#[allow(clippy::too_many_arguments)]
fn send<W: Write>(
    st: &mut Station<'_, W>,
    shower: &mut Shower,
    out: &mut dyn Write,
    route: &Route,
    ip_id: u16,
    msg: &DhcpRepr,
    comment: &str,
) -> Result<(), Failure> {
    let fail = |e: String| Failure::new(exit::FAILURE, e);
    let mut payload = vec![0u8; msg.emit_len()];
    msg.emit(&mut payload).map_err(|e| fail(e.to_string()))?;
    frame::udp(st.tx(), route, ip_id, CLIENT_PORT, SERVER_PORT, &payload)
        .map_err(|e| fail(e.to_string()))?;
    st.send_tx(Some(comment), None).map_err(station_failure)?;
    let data = st.tx().clone();
    shower.dissect(&data, crate::link::now());
    shower
        .show(out, &format!("=> sent: {comment}"))
        .map_err(|e| fail(e.to_string()))
}

/// Releases the route's source address to its destination, the server that leased it (a
/// DHCP Release of transaction `xid`, sent and shown), and says so.
fn send_release<W: Write>(
    st: &mut Station<'_, W>,
    shower: &mut Shower,
    out: &mut dyn Write,
    route: &Route,
    ip_id: u16,
    xid: u32,
) -> anyhow::Result<()> {
    let (addr, server) = (route.src_ip, route.dst_ip);
    let msg = release(xid, route.src_mac, addr, server);
    send(st, shower, out, route, ip_id, &msg, "DHCP Release")?;
    writeln!(out, "Released {addr} to server {server}")?;
    Ok(())
}

fn lease_text(l: &Lease) -> String {
    let mut s = format!("{}/{} from server {}", l.addr, l.prefix(), l.server);
    if let Some(t) = l.lease_secs {
        s.push_str(&format!(" for {}", crate::dissect::dhcp::time_text(t)));
    }
    if let Some(r) = l.router {
        s.push_str(&format!(", router {r}"));
    }
    s
}

/// Runs `ip ARGS…`, saying so first.
fn ip_command(out: &mut dyn Write, args: &[String]) -> Result<(), Failure> {
    let fail = |e: String| Failure::new(exit::FAILURE, e);
    writeln!(out, "$ ip {}", args.join(" ")).map_err(|e| fail(e.to_string()))?;
    let o = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| fail(format!("cannot run ip: {e}")))?;
    if !o.status.success() {
        return Err(fail(format!(
            "ip {} failed: {}",
            args.join(" "),
            crate::text::escape(String::from_utf8_lossy(&o.stderr).trim().as_bytes())
        )));
    }
    Ok(())
}

/// Runs `wirelab dhcp`.
pub fn run(args: &DhcpArgs) -> anyhow::Result<ExitCode> {
    if !args.wait.is_finite() || !(0.1..=MAX_WAIT).contains(&args.wait) {
        return Err(Failure::usage(format!(
            "--wait {} is not a number of seconds between 0.1 and {MAX_WAIT}",
            args.wait
        ))
        .into());
    }
    let i = usable_interface(&args.iface, "wirelab dhcp")?;
    let if_mac = i.mac.unwrap_or_default();
    let mac = match args.mac.as_deref() {
        Some(t) => parse_mac(t)?,
        None => if_mac,
    };
    let hostname = args.hostname.clone().unwrap_or_else(system_hostname);
    let known = args.addr.zip(args.server);
    // `--apply` runs `ip`, which needs CAP_NET_ADMIN: it stays permitted (not effective) for
    // it; everything else goes.
    let Rig {
        mut out,
        style,
        mut kit,
    } = Setup::new(&i, "wirelab dhcp".to_string())
        .mac(mac)
        .address(
            known.map_or(Ipv4Addr::UNSPECIFIED, |(a, _)| a),
            known.is_some_and(|(a, _)| !iface::is_local_address(a)),
        )
        .keep_net_admin(args.apply)
        .open(args.write.as_deref(), args.force, args.color)?;
    let mut st = kit.station();
    let mut shower = Shower::new(style);
    let xid = crate::craft::random_u32();
    let mut ip_id = crate::craft::random_u32() as u16;

    if let Some((_, server)) = known {
        let route = route_via(&mut st, server, server)?;
        send_release(&mut st, &mut shower, &mut *out, &route, ip_id, xid)?;
        drop(st);
        kit.finish()?;
        return Ok(ExitCode::SUCCESS);
    }

    let wait = Duration::from_secs_f64(args.wait);
    let broadcast_route = Route {
        src_mac: mac,
        dst_mac: BROADCAST,
        src_ip: Ipv4Addr::UNSPECIFIED,
        dst_ip: Ipv4Addr::BROADCAST,
        ttl: ipv4::DEFAULT_TTL,
    };
    let mut client = Client::new(
        ClientConfig {
            xid,
            mac,
            hostname,
            broadcast: mac != if_mac,
            wait,
            tries: args.tries,
        },
        st.now(),
    );
    writeln!(
        out,
        "DHCP on {} from {}, transaction ID 0x{xid:08x}",
        i.name,
        crate::wire::mac(&mac)
    )?;
    writeln!(out)?;
    let mut server_mac = None;
    let mut tries = 0u8;
    let mut last_step = "Discover";
    // Bounded: two steps of at most `tries` messages each, `wait` apart.
    let deadline = st.now() + wait * (2 * u32::from(args.tries) + 1);
    while st.now() < deadline {
        let now = st.now();
        if let Some(msg) = client.poll_transmit(now) {
            let step = if matches!(client.state(), State::Selecting) {
                "Discover"
            } else {
                "Request"
            };
            tries = if step == last_step { tries + 1 } else { 1 };
            last_step = step;
            ip_id = ip_id.wrapping_add(1);
            let comment = format!("DHCP {step} (try {tries} of {})", args.tries);
            send(
                &mut st,
                &mut shower,
                &mut *out,
                &broadcast_route,
                ip_id,
                &msg,
                &comment,
            )?;
        }
        if client.done() {
            break;
        }
        let mut batch = Batch::new(client.poll_at().saturating_sub(now).min(IDLE));
        while let Some((timestamp, from_host)) = batch.next(&mut st).map_err(station_failure)? {
            let d = st.decoded();
            let TransportRepr::Udp(u) = &d.transport else {
                continue;
            };
            if from_host || u.src_port != SERVER_PORT || u.dst_port != CLIENT_PORT {
                continue;
            }
            let eth_src = match &d.link {
                LinkRepr::Ethernet { header, .. } => header.src,
                _ => continue,
            };
            let data = st.rx().to_vec();
            let Some(reply) = shower.dissect(&data, timestamp) else {
                continue;
            };
            let (comment, title) = match client.on_reply(st.now(), &reply) {
                Event::Ignored(why) => {
                    st.record_rx(
                        timestamp,
                        Direction::Inbound,
                        Some(&format!("ignored: {why}")),
                    )
                    .map_err(station_failure)?;
                    if reply.xid == xid {
                        writeln!(out, "(ignored a DHCP message: {why})")?;
                    }
                    continue;
                }
                Event::Offer(l) => ("DHCP Offer", format!("offer of {}", lease_text(&l))),
                Event::Ack(l) => {
                    server_mac = Some(eth_src);
                    ("DHCP ACK", format!("lease of {}", lease_text(&l)))
                }
                Event::Nak => ("DHCP NAK", "the server refused the Request".to_string()),
            };
            st.record_rx(timestamp, Direction::Inbound, Some(comment))
                .map_err(station_failure)?;
            shower.show(&mut *out, &format!("<= received: {comment}: {title}"))?;
            if client.done() {
                break;
            }
        }
    }
    let lease = match client.state() {
        State::Bound(l) => l,
        State::Refused { server } => {
            drop(st);
            kit.finish()?;
            return Err(Failure::new(
                exit::FAILURE,
                format!(
                    "the server{} refused the Request with a DHCP NAK",
                    server.map(|s| format!(" {s}")).unwrap_or_default()
                ),
            )
            .into());
        }
        State::Requesting(l) | State::NoAck(l) => {
            drop(st);
            kit.finish()?;
            return Err(Failure::new(
                exit::TIMED_OUT,
                format!(
                    "no DHCP ACK from {} for {} after {} Requests {}s apart",
                    l.server, l.addr, args.tries, args.wait
                ),
            )
            .into());
        }
        State::Selecting | State::NoOffer => {
            drop(st);
            kit.finish()?;
            return Err(Failure::new(
                exit::TIMED_OUT,
                format!(
                    "no DHCP server answered on {}: no Offer after {} Discovers {}s apart",
                    i.name, args.tries, args.wait
                ),
            )
            .into());
        }
    };
    writeln!(out, "Leased {}", lease_text(&lease))?;
    if args.release {
        let route = Route {
            src_mac: mac,
            dst_mac: server_mac.unwrap_or(BROADCAST),
            src_ip: lease.addr,
            dst_ip: lease.server,
            ttl: ipv4::DEFAULT_TTL,
        };
        ip_id = ip_id.wrapping_add(1);
        send_release(&mut st, &mut shower, &mut *out, &route, ip_id, xid)?;
    }
    drop(st);
    kit.finish()?;
    if args.apply {
        let dev = i.name.clone();
        ip_command(
            &mut *out,
            &[
                "addr".into(),
                "add".into(),
                format!("{}/{}", lease.addr, lease.prefix()),
                "dev".into(),
                dev.clone(),
            ],
        )?;
        if let Some(r) = lease.router {
            ip_command(
                &mut *out,
                &[
                    "route".into(),
                    "replace".into(),
                    "default".into(),
                    "via".into(),
                    r.to_string(),
                    "dev".into(),
                    dev,
                ],
            )?;
        }
    } else if !args.release {
        writeln!(
            out,
            "Nothing applied to {} (--apply adds the address and the default route)",
            i.name
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests;
