//! What tshark sees of a trace (`wirelab traceroute` or the system's): the probes and the
//! ICMP answers, read from a capture on the client's link.

use super::tshark::first;

/// tshark's display filter for the probes: echo requests (`icmp`) or UDP datagrams. `!=` is
/// "all not equal" in tshark 4.0: an error quoting a request is left out.
pub fn probe_filter(icmp: bool) -> &'static str {
    if icmp {
        "icmp.type == 8 && icmp.type != 11 && icmp.type != 0"
    } else {
        "udp && !icmp"
    }
}

/// tshark's display filter for the answers: Echo Reply, Destination Unreachable, Time
/// Exceeded.
pub const ANSWERS: &str = "icmp.type == 0 || icmp.type == 3 || icmp.type == 11";

/// (source, ICMP type, ICMP code) of each answer row whose first three fields are `ip.src`,
/// `icmp.type` and `icmp.code`: the outer layer's values, not the quoted probe's.
pub fn kinds(rows: &[Vec<String>]) -> Vec<(&str, &str, &str)> {
    rows.iter()
        .map(|a| (first(&a[0]), first(&a[1]), first(&a[2])))
        .collect()
}
