//! The station set-up that `ping`, `traceroute` and `dhcp` share, in one place: the addresses
//! towards the target ([`towards`]), then, in this order, the `-w` pcapng file, the raw link,
//! the capabilities dropped, the recorder and the output shown ([`Setup::open`]), and the
//! next hop resolved with ARP ([`route_via`]). What is left in each driver is its protocol.
//!
//! Capabilities are held no longer than needed: the file and the socket are opened with them,
//! and nothing after the drop is (a frame from the network is never read with one in force).

use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::path::Path;

use super::record::Recorder;
use super::station::{Host, Station, StationError};
use crate::app::craft::{create_pcapng, next_hop, open_failure, subnet_for};
use crate::app::exit::{self, Failure};
use crate::cli::read::ColorChoice;
use crate::craft::frame::Route;
use crate::craft::neighbor::NeighborConfig;
use crate::decode::detail::{self, DetailContext};
use crate::frame::LinkType;
use crate::link::{Interface, Link, LinkOptions, PnetLink, iface};
use crate::render::encapsulation::write_build_up;
use crate::render::style::Style;
use crate::sink::pcapng::InterfaceInfo;
use crate::wire::ipv4;

/// Where a command's packets to one IPv4 host start from and go first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Towards {
    /// Our source address: `--src-ip`, else the interface's address on the target's subnet
    /// (or its first).
    pub src: Ipv4Addr,
    /// This host owns `src` (its kernel answers ARP for it).
    pub owned: bool,
    /// The next hop: the target on the subnet, else the interface's default gateway.
    pub hop: Ipv4Addr,
}

/// The addresses towards `target` on `i`, with `src_ip` (`--src-ip`) when given. A target
/// that is an address of this host is refused: what wirelab sends to it (`sent`, e.g.
/// "requests") leaves on `i` and never comes back in; `instead` says what to do.
pub fn towards(
    i: &Interface,
    target: Ipv4Addr,
    src_ip: Option<Ipv4Addr>,
    sent: &str,
    instead: &str,
) -> Result<Towards, Failure> {
    if iface::is_local_address(target) {
        return Err(Failure::usage(format!(
            "{target} is an address of this host: {sent} wirelab sends to it leave on {} and \
             never come back in; {instead}",
            i.name
        )));
    }
    let subnet = subnet_for(i, target);
    let src = match (src_ip, subnet) {
        (Some(ip), _) => ip,
        (None, Some((ip, _))) => ip,
        (None, None) => {
            return Err(Failure::usage(format!(
                "{} has no IPv4 address: give the source address with --src-ip",
                i.name
            )));
        }
    };
    let owned = iface::is_local_address(src);
    let hop = next_hop(i, src, subnet.map(|(_, p)| p), target)?;
    Ok(Towards { src, owned, hop })
}

/// A station about to be set up on an interface: who it is on the link, and which
/// capability, if any, outlives the opening of the link.
#[derive(Debug, Clone)]
pub struct Setup<'a> {
    iface: &'a Interface,
    description: String,
    host: Host,
    keep_net_admin: bool,
}

impl<'a> Setup<'a> {
    /// A station on `i` with the interface's MAC address and no IPv4 address yet;
    /// `description` names the command in the pcapng file's interface block.
    pub fn new(i: &'a Interface, description: String) -> Self {
        Setup {
            iface: i,
            description,
            host: Host {
                iface: i.name.clone(),
                mac: i.mac.unwrap_or_default(),
                ip: Ipv4Addr::UNSPECIFIED,
                answer_arp: false,
                arp: NeighborConfig::default(),
            },
            keep_net_admin: false,
        }
    }

    /// Our IPv4 address; `answer_arp` when this host's kernel does not own it (so the station
    /// answers ARP for it).
    pub fn address(mut self, ip: Ipv4Addr, answer_arp: bool) -> Self {
        self.host.ip = ip;
        self.host.answer_arp = answer_arp;
        self
    }

    /// Our MAC address. One that is not the interface's own opens the link in promiscuous
    /// mode, to receive the frames sent to it.
    pub fn mac(mut self, mac: [u8; 6]) -> Self {
        self.host.mac = mac;
        self
    }

    /// Keeps CAP_NET_ADMIN permitted (not effective) after the link is open, for a program
    /// run afterwards (`ip`); every other capability goes all the same.
    pub fn keep_net_admin(mut self, keep: bool) -> Self {
        self.keep_net_admin = keep;
        self
    }

    /// The interface's MAC address (what the pcapng file's interface block names).
    fn if_mac(&self) -> [u8; 6] {
        self.iface.mac.unwrap_or_default()
    }

    /// How the link is opened: promiscuous when our MAC address is not the interface's.
    fn link_options(&self) -> LinkOptions {
        LinkOptions {
            promiscuous: self.host.mac != self.if_mac(),
            ..LinkOptions::default()
        }
    }

    /// Creates the `-w` file (`write`; an existing one only with `force`), opens the link and
    /// drops the capabilities, in this order; then the recorder (the pcapng file alone: the
    /// command shows what it does itself) and the output, coloured for `color`.
    pub fn open(
        self,
        write: Option<&Path>,
        force: bool,
        color: ColorChoice,
    ) -> anyhow::Result<Rig> {
        let pcap = write.map(|p| create_pcapng(p, force)).transpose()?;
        let link = PnetLink::open(self.iface, self.link_options()).map_err(open_failure)?;
        if self.keep_net_admin {
            crate::privilege::drop_all_but_net_admin()
        } else {
            crate::privilege::drop_all()
        }
        .map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
        let info = crafted_link_info(&self.iface.name, self.description.clone(), self.if_mac());
        let style = crate::app::stdout_style(color);
        let out = shown_output(write);
        let rec = Recorder::new(io::sink(), false, style, pcap, &info)?;
        Ok(Rig {
            out,
            style,
            kit: Kit {
                link,
                rec,
                status: io::stderr(),
                host: self.host,
            },
        })
    }
}

/// A station set up: the output the command shows what it does on, its colours, and the
/// parts a [`Station`] works with (kept apart, so that the output can be written while the
/// station runs).
pub struct Rig {
    /// Standard output, or standard error when `-w -` sends the pcapng file to standard
    /// output.
    pub out: Box<dyn Write>,
    /// The colours of `out`.
    pub style: Style,
    /// The link, the recorder and the status stream.
    pub kit: Kit,
}

/// What a [`Station`] borrows: the link, the recorder (the `-w` file) and the status stream.
pub struct Kit<L: Link = PnetLink> {
    link: L,
    rec: Recorder<io::Sink>,
    status: io::Stderr,
    host: Host,
}

impl<L: Link> Kit<L> {
    /// The station on the link (its clock starts now).
    pub fn station(&mut self) -> Station<'_, io::Sink> {
        Station::new(
            self.host.clone(),
            &mut self.link,
            &mut self.rec,
            &mut self.status,
        )
    }

    /// Closes the `-w` file (once the station is done).
    pub fn finish(&mut self) -> io::Result<()> {
        self.rec.finish()
    }
}

/// Resolves `hop`'s MAC address with ARP and returns the route from the station's addresses
/// to `dst` through it (IPv4's default TTL).
pub fn route_via<W: Write>(
    st: &mut Station<'_, W>,
    hop: Ipv4Addr,
    dst: Ipv4Addr,
) -> Result<Route, Failure> {
    let dst_mac = st.resolve(hop).map_err(station_failure)?;
    Ok(Route {
        src_mac: st.mac(),
        dst_mac,
        src_ip: st.ip(),
        dst_ip: dst,
        ttl: ipv4::DEFAULT_TTL,
    })
}

/// The exit code and message of a station that could not do its job: unreachable when ARP
/// went unanswered, a failure otherwise.
pub fn station_failure(e: StationError) -> Failure {
    match e {
        StationError::Unreachable { .. } => Failure::new(exit::UNREACHABLE, e.to_string()),
        _ => Failure::new(exit::FAILURE, e.to_string()),
    }
}

/// Writes the Ethernet `frame` as its layers built up, under `title`, then a blank line (how
/// `ping` and `traceroute` show their first packet).
pub fn show_build_up(
    mut out: &mut dyn Write,
    frame: &[u8],
    title: &str,
    style: Style,
) -> io::Result<()> {
    let d = crate::decode::decode(
        1,
        LinkType::ETHERNET,
        frame,
        &mut crate::decode::Reassembler::new(),
    );
    let layers = detail::layers(&d, frame, &DetailContext::default());
    write_build_up(&mut out, frame, &layers, title, style)?;
    writeln!(out)
}

/// The pcapng interface block of a command that crafts frames on interface `name` (what its
/// `-w FILE` records).
fn crafted_link_info(name: &str, description: String, mac: [u8; 6]) -> InterfaceInfo {
    InterfaceInfo {
        name: Some(name.to_string()),
        description: Some(description),
        mac: Some(mac),
        snaplen: crate::app::craft::SNAPLEN,
        ..InterfaceInfo::new(LinkType::ETHERNET)
    }
}

/// Where a crafting command shows what it does: standard error when `-w -` sends the pcapng
/// to standard output, else standard output.
fn shown_output(write: Option<&Path>) -> Box<dyn Write> {
    if write.is_some_and(crate::sink::output::is_stdio) {
        Box::new(io::stderr())
    } else {
        Box::new(io::stdout().lock())
    }
}

#[cfg(test)]
mod tests;
