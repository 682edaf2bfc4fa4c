//! Network interfaces: finding one by name, what it is (MAC, addresses, MTU, link type, state),
//! and the errors a student gets for the usual mistakes — each saying what to do next.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr};

use pnet::datalink::{self, NetworkInterface};

use crate::frame::LinkType;

/// The command that lets wirelab open raw sockets without sudo.
pub const SETCAP_HINT: &str = "sudo setcap cap_net_raw=eip \"$(command -v wirelab)\"";

/// Why an interface cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No interface has that name.
    #[error(
        "there is no network interface called `{name}` on this computer; the interfaces here are:\n{available}\n(`ip -br addr` lists them too)"
    )]
    NoSuchInterface {
        /// The name asked for.
        name: String,
        /// One line per interface present.
        available: String,
    },
    /// The interface exists but is administratively down.
    #[error(
        "interface {name} is down: bring it up with `sudo ip link set {name} up`, then try again"
    )]
    Down {
        /// The interface.
        name: String,
    },
    /// Opening a packet socket was refused.
    #[error(
        "{what} on {name} needs root or the CAP_NET_RAW capability: run it with sudo, or give \
         wirelab the capability once with\n    {SETCAP_HINT}"
    )]
    NoPrivilege {
        /// The interface.
        name: String,
        /// What was being done ("sending raw frames", "capturing").
        what: &'static str,
    },
    /// The interface does not carry Ethernet frames.
    #[error(
        "{name} is a {kind} interface, not Ethernet: wirelab sends and captures Ethernet frames (use a wired or Wi-Fi interface, or a veth pair)"
    )]
    NotEthernet {
        /// The interface.
        name: String,
        /// What it is instead.
        kind: String,
    },
    /// Any other failure of the socket.
    #[error("cannot open a raw socket on {name}: {source}")]
    Io {
        /// The interface.
        name: String,
        /// What the system said.
        source: io::Error,
    },
}

impl LinkError {
    /// Classifies a failure to open a packet socket on `name` while doing `what`.
    pub fn from_open(name: &str, what: &'static str, err: io::Error) -> LinkError {
        if err.kind() == io::ErrorKind::PermissionDenied || err.raw_os_error() == Some(1) {
            LinkError::NoPrivilege {
                name: name.to_string(),
                what,
            }
        } else {
            LinkError::Io {
                name: name.to_string(),
                source: err,
            }
        }
    }
}

/// One network interface of this computer.
#[derive(Debug, Clone)]
pub struct Interface {
    /// Its name (`eth0`, `wlan0`, `veth1`...).
    pub name: String,
    /// Kernel interface index.
    pub index: u32,
    /// Hardware address, if it has one.
    pub mac: Option<[u8; 6]>,
    /// Addresses with their prefix lengths.
    pub addrs: Vec<(IpAddr, u8)>,
    /// Administratively up.
    pub up: bool,
    /// Carrier present (`operstate` up or unknown).
    pub running: bool,
    /// The loopback interface.
    pub loopback: bool,
    /// MTU in bytes (1500 when it cannot be read).
    pub mtu: u32,
    /// Kernel hardware type (`ARPHRD_*`: 1 Ethernet, 772 loopback, 65534 none).
    pub hw_type: u16,
    pub(crate) pnet: NetworkInterface,
}

/// The interfaces of this computer, in kernel index order.
pub fn list() -> Vec<Interface> {
    let mut all: Vec<Interface> = datalink::interfaces().into_iter().map(from_pnet).collect();
    all.sort_by_key(|i| i.index);
    all
}

/// The interface called `name`, or an error listing the ones there are.
pub fn find(name: &str) -> Result<Interface, LinkError> {
    let all = list();
    match all.iter().find(|i| i.name == name) {
        Some(i) => Ok(i.clone()),
        None => Err(LinkError::NoSuchInterface {
            name: name.to_string(),
            available: describe_all(&all),
        }),
    }
}

/// The interface called `name`, checked to be up and to carry Ethernet frames.
pub fn find_ethernet(name: &str) -> Result<Interface, LinkError> {
    let i = find(name)?;
    if !i.up {
        return Err(LinkError::Down { name: i.name });
    }
    match i.hw_type {
        1 | 772 => Ok(i),
        other => Err(LinkError::NotEthernet {
            name: i.name,
            kind: hw_type_name(other).to_string(),
        }),
    }
}

/// One line per interface: name, state, MAC and addresses.
pub fn describe_all(all: &[Interface]) -> String {
    if all.is_empty() {
        return "  (none found)".to_string();
    }
    all.iter()
        .map(|i| format!("  {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Interface {
    /// The link type of the frames a packet socket on it sees (Ethernet for Ethernet, Wi-Fi,
    /// veth and loopback; raw IP for tunnels).
    pub fn link_type(&self) -> LinkType {
        match self.hw_type {
            1 | 772 => LinkType::ETHERNET,
            65534 | 65535 => LinkType::RAW,
            _ => LinkType::ETHERNET,
        }
    }

    /// Its IPv4 addresses with prefix lengths.
    pub fn ipv4(&self) -> impl Iterator<Item = (Ipv4Addr, u8)> + '_ {
        self.addrs.iter().filter_map(|(a, p)| match a {
            IpAddr::V4(v4) => Some((*v4, *p)),
            IpAddr::V6(_) => None,
        })
    }

    /// The IPv4 address (with prefix) whose subnet contains `ip`, if any.
    pub fn ipv4_subnet_of(&self, ip: Ipv4Addr) -> Option<(Ipv4Addr, u8)> {
        self.ipv4()
            .find(|&(addr, prefix)| same_subnet(addr, ip, prefix))
    }

    /// "up", "down" or "no carrier".
    pub fn state(&self) -> &'static str {
        match (self.up, self.running) {
            (false, _) => "down",
            (true, true) => "up",
            (true, false) => "no carrier",
        }
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<12} {:<10}", self.name, self.state())?;
        match self.mac {
            Some(m) if m != [0; 6] => write!(f, " {}", crate::wire::mac(&m))?,
            _ => write!(f, " {:<17}", "-")?,
        }
        write!(f, "  {}", hw_type_name(self.hw_type))?;
        for (a, p) in &self.addrs {
            write!(f, "  {a}/{p}")?;
        }
        Ok(())
    }
}

/// True when `a` and `b` are in the same IPv4 subnet of `prefix` bits.
pub fn same_subnet(a: Ipv4Addr, b: Ipv4Addr, prefix: u8) -> bool {
    let mask = prefix_mask(prefix);
    u32::from(a) & mask == u32::from(b) & mask
}

/// The netmask of `prefix` bits (0..=32; more counts as 32).
pub fn prefix_mask(prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p if p >= 32 => u32::MAX,
        p => u32::MAX << (32 - p),
    }
}

/// A readable name for an `ARPHRD_*` type.
pub fn hw_type_name(t: u16) -> &'static str {
    match t {
        1 => "Ethernet",
        772 => "loopback",
        776 => "IPv6-in-IPv4",
        778 => "GRE",
        801 => "Wi-Fi (monitor)",
        803 => "Wi-Fi (radiotap)",
        65534 => "no link layer (tunnel)",
        _ => "other",
    }
}

fn from_pnet(p: NetworkInterface) -> Interface {
    let sys = |file: &str| std::fs::read_to_string(format!("/sys/class/net/{}/{file}", p.name));
    let mtu = sys("mtu")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1500);
    let hw_type = sys("type")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(if p.is_loopback() { 772 } else { 1 });
    let running = match sys("operstate") {
        Ok(s) => matches!(s.trim(), "up" | "unknown"),
        Err(_) => p.is_running(),
    };
    Interface {
        name: p.name.clone(),
        index: p.index,
        mac: p.mac.map(|m| m.octets()),
        addrs: p.ips.iter().map(|n| (n.ip(), n.prefix())).collect(),
        up: p.is_up(),
        running,
        loopback: p.is_loopback(),
        mtu,
        hw_type,
        pnet: p,
    }
}

/// The default gateway of interface `name`, from the kernel's IPv4 routing table
/// (`/proc/net/route`); `None` when it has none.
pub fn default_gateway(name: &str) -> Option<Ipv4Addr> {
    let table = std::fs::read_to_string("/proc/net/route").ok()?;
    parse_default_gateway(&table, name)
}

/// The default gateway of `name` in the text of `/proc/net/route` (addresses are hex in host
/// byte order: little-endian on every machine this runs on).
fn parse_default_gateway(table: &str, name: &str) -> Option<Ipv4Addr> {
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (iface, dest, gw, mask) = (cols.first()?, cols.get(1)?, cols.get(2)?, cols.get(7)?);
        if *iface != name || *dest != "00000000" || *mask != "00000000" {
            return None;
        }
        let raw = u32::from_str_radix(gw, 16).ok()?;
        let ip = Ipv4Addr::from(raw.swap_bytes());
        (!ip.is_unspecified()).then_some(ip)
    })
}

/// What the kernel does with frames for addresses it does not own, on interface `name`:
/// problems for a program that uses such an address (forwarding, proxy ARP), in words.
pub fn foreign_address_warnings(name: &str) -> Vec<String> {
    let read = |path: String| {
        std::fs::read_to_string(path)
            .map(|s| s.trim() == "1")
            .unwrap_or(false)
    };
    let mut out = Vec::new();
    if read(format!("/proc/sys/net/ipv4/conf/{name}/forwarding"))
        || read("/proc/sys/net/ipv4/ip_forward".to_string())
    {
        out.push(format!(
            "IP forwarding is on for {name}: this host's kernel may route frames meant for the \
             crafted address (or answer them with ICMP redirects). Turn it off while crafting: \
             sudo sysctl -w net.ipv4.ip_forward=0"
        ));
    }
    if read(format!("/proc/sys/net/ipv4/conf/{name}/proxy_arp")) {
        out.push(format!(
            "proxy ARP is on for {name}: this host's kernel may answer ARP for the crafted \
             address too. Turn it off with: sudo sysctl -w net.ipv4.conf.{name}.proxy_arp=0"
        ));
    }
    out
}

/// True when one of this computer's interfaces has address `ip`.
pub fn is_local_address(ip: Ipv4Addr) -> bool {
    list().iter().any(|i| i.ipv4().any(|(a, _)| a == ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_and_masks() {
        let a = Ipv4Addr::new(10, 0, 3, 1);
        assert!(same_subnet(a, Ipv4Addr::new(10, 0, 3, 254), 24));
        assert!(!same_subnet(a, Ipv4Addr::new(10, 0, 4, 1), 24));
        assert!(same_subnet(a, Ipv4Addr::new(192, 168, 0, 1), 0));
        assert!(!same_subnet(a, Ipv4Addr::new(10, 0, 3, 2), 32));
        assert_eq!(prefix_mask(24), 0xffff_ff00);
        assert_eq!(prefix_mask(40), u32::MAX);
    }

    #[test]
    fn a_missing_interface_lists_the_ones_there_are() {
        let err = find("wl-no-such-if0").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("no network interface called `wl-no-such-if0`"),
            "{text}"
        );
        // Loopback exists in every network namespace.
        assert!(text.contains("lo "), "{text}");
    }

    #[test]
    fn default_gateway_from_proc_net_route() {
        let table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
            eth0\t00000000\t0103000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
            eth0\t0003000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        assert_eq!(
            parse_default_gateway(table, "eth0"),
            Some(Ipv4Addr::new(10, 0, 3, 1))
        );
        assert_eq!(parse_default_gateway(table, "wlan0"), None);
        assert_eq!(parse_default_gateway("garbage", "eth0"), None);
    }

    #[test]
    fn loopback_is_found_and_described() {
        let lo = find("lo").unwrap();
        assert!(lo.loopback);
        assert_eq!(lo.link_type(), LinkType::ETHERNET);
        assert!(lo.to_string().starts_with("lo"));
    }

    #[test]
    fn permission_errors_become_the_setcap_advice() {
        let e = LinkError::from_open(
            "eth0",
            "sending raw frames",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        let text = e.to_string();
        assert!(
            text.contains("CAP_NET_RAW") && text.contains(SETCAP_HINT),
            "{text}"
        );
        let e = LinkError::from_open("eth0", "capturing", io::Error::other("boom"));
        assert!(matches!(e, LinkError::Io { .. }));
    }
}
