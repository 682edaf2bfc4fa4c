//! The station set-up that `ping`, `traceroute` and `dhcp` share, in one place: the interface
//! ([`usable_interface`]), the addresses towards the target ([`towards`]), then, in this
//! order, the `-w` pcapng file, the raw link, the capabilities dropped ([`open_link`]), the
//! recorder and the output shown ([`Setup::open`]), and the next hop resolved with ARP
//! ([`route_via`]). What is left in each driver is its protocol. `craft`, whose station lives
//! in its TCP [`super::session::Session`], uses the same pieces up to the recorder.
//!
//! Capabilities are held no longer than needed: the file and the socket are opened with them,
//! and nothing after the drop is (a frame from the network is never read with one in force).

use std::io::{self, BufWriter, Write};
use std::net::Ipv4Addr;
use std::path::Path;

use super::record::Recorder;
use super::station::{Host, Station, StationError};
use crate::app::exit::{self, Failure};
use crate::cli::read::ColorChoice;
use crate::craft::frame::Route;
use crate::craft::neighbor::NeighborConfig;
use crate::decode::detail::{self, DetailContext};
use crate::frame::LinkType;
use crate::link::{Interface, Link, LinkError, LinkOptions, PnetLink, iface};
use crate::render::encapsulation::write_build_up;
use crate::render::style::Style;
use crate::sink::pcapng::{InterfaceInfo, PcapNgSink, SectionInfo};
use crate::wire::ipv4;

/// The pcapng file `-w` writes.
pub type PcapFile = PcapNgSink<Box<dyn Write>>;

/// Snap length written in the pcapng interface block (as dumpcap's default).
pub const SNAPLEN: u32 = 262_144;

/// The interface by name, checked: present, up, Ethernet, not loopback, with a MAC address.
pub fn usable_interface(name: &str, what: &str) -> Result<Interface, Failure> {
    let i = iface::find_ethernet(name).map_err(|e| Failure::usage(e.to_string()))?;
    if i.loopback {
        return Err(Failure::usage(format!(
            "{name} is the loopback interface: frames injected there never reach local sockets \
             (the kernel treats them as its own outgoing traffic), so {what} cannot talk to a \
             server on this machine through it. Use a veth pair into a network namespace (see \
             the README, \"Craft\"), or the lab LAN (eth0, wlan0)"
        )));
    }
    match i.mac {
        Some(m) if m != [0; 6] => Ok(i),
        _ => Err(Failure::usage(format!(
            "{name} has no MAC address, so it carries no Ethernet frames wirelab can build"
        ))),
    }
}

/// The interface address (and prefix) for `dst`'s subnet, or the first IPv4 address.
pub fn subnet_for(i: &Interface, dst: Ipv4Addr) -> Option<(Ipv4Addr, u8)> {
    i.ipv4_subnet_of(dst).or_else(|| i.ipv4().next())
}

/// The next hop towards `dst` from `src/prefix` on `i`: `dst` itself on the subnet, else the
/// interface's default gateway.
pub fn next_hop(
    i: &Interface,
    src: Ipv4Addr,
    prefix: Option<u8>,
    dst: Ipv4Addr,
) -> Result<Ipv4Addr, Failure> {
    let on_link = match prefix {
        Some(p) => iface::same_subnet(src, dst, p),
        // No address on the interface: assume the server is on the link.
        None => true,
    };
    if on_link {
        return Ok(dst);
    }
    iface::default_gateway(&i.name).ok_or_else(|| {
        Failure::new(
            exit::UNREACHABLE,
            format!(
                "host unreachable: {dst} is not on {}'s subnet ({src}/{}) and {} has no default \
                 gateway to send it to",
                i.name,
                prefix.unwrap_or(32),
                i.name
            ),
        )
    })
}

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

/// Creates the `-w` file (`write`; an existing one only with `force`), opens the link on `i`
/// and drops every capability (CAP_NET_ADMIN stays permitted with `keep_net_admin`), in this
/// order: the capabilities are held no longer than needed.
pub fn open_link(
    i: &Interface,
    options: LinkOptions,
    keep_net_admin: bool,
    write: Option<&Path>,
    force: bool,
) -> Result<(Option<PcapFile>, PnetLink), Failure> {
    let pcap = write.map(|p| create_pcapng(p, force)).transpose()?;
    let link = PnetLink::open(i, options).map_err(open_failure)?;
    if keep_net_admin {
        crate::privilege::drop_all_but_net_admin()
    } else {
        crate::privilege::drop_all()
    }
    .map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
    Ok((pcap, link))
}

/// Creates a pcapng file for `-w` (an existing file is kept unless `force`), with an error
/// that says what to do.
pub fn create_pcapng(path: &std::path::Path, force: bool) -> Result<PcapFile, Failure> {
    let file = crate::sink::output::create_new(path, force, "-w")
        .map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
    let w: Box<dyn Write> = Box::new(BufWriter::with_capacity(1 << 16, file));
    PcapNgSink::with_section(w, &SectionInfo::this_host())
        .map_err(|e| Failure::new(exit::FAILURE, format!("writing {}: {e}", path.display())))
}

/// The message for a link that could not be opened.
pub fn open_failure(e: LinkError) -> Failure {
    let code = match e {
        LinkError::NoPrivilege { .. } => exit::NO_PERMISSION,
        LinkError::NoSuchInterface { .. }
        | LinkError::Down { .. }
        | LinkError::NotEthernet { .. } => exit::USAGE,
        LinkError::Io { .. } => exit::FAILURE,
    };
    Failure::new(code, e.to_string())
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
        let (pcap, link) = open_link(
            self.iface,
            self.link_options(),
            self.keep_net_admin,
            write,
            force,
        )?;
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
pub fn crafted_link_info(name: &str, description: String, mac: [u8; 6]) -> InterfaceInfo {
    InterfaceInfo {
        name: Some(name.to_string()),
        description: Some(description),
        mac: Some(mac),
        snaplen: SNAPLEN,
        ..InterfaceInfo::new(LinkType::ETHERNET)
    }
}

/// Where a crafting command shows what it does: standard error when `-w -` sends the pcapng
/// to standard output, else standard output.
pub fn shown_output(write: Option<&Path>) -> Box<dyn Write> {
    if write.is_some_and(crate::sink::output::is_stdio) {
        Box::new(io::stderr())
    } else {
        Box::new(io::stdout().lock())
    }
}

#[cfg(test)]
mod tests;
