//! ICMP and ICMPv6 `Type` and `Code` in the layer view (`read -V`, craft's and ping's
//! detail) are worded as tshark's `-V` words them: `Type: 8 (Echo (ping) request)`,
//! `Code: 3 (Port unreachable)`, `Type: Echo (ping) request (128)`.

mod support;

use std::process::Command;
use support::{Need, repo, require, run, wirelab};

/// The `Type:`/`Code:` lines of the ICMP layers in tshark's `-V` output, in order.
fn tshark_lines(file: &str) -> Vec<String> {
    let out = run(Command::new("tshark")
        .args(["-n", "-V", "-O", "icmp,icmpv6", "-r"])
        .arg(repo(file)));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("    Type: ") || l.starts_with("    Code: "))
        .map(|l| l.trim().to_string())
        .collect()
}

/// The `Type:`/`Code:` lines of wirelab's ICMP layers, without the byte-range column.
fn wirelab_lines(file: &str) -> Vec<String> {
    let out = run(wirelab().args(["read", "-V"]).arg(repo(file)));
    let mut in_icmp = false;
    let mut lines = Vec::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        if !l.starts_with(' ') {
            in_icmp = l.starts_with("Internet Control Message Protocol");
        } else if in_icmp && (l.starts_with("    Type: ") || l.starts_with("    Code: ")) {
            let text = l.split("  [").next().unwrap_or(l);
            lines.push(text.trim().to_string());
        }
    }
    lines
}

#[test]
fn icmp_type_and_code_match_tshark() {
    if !require(Need::Tool("tshark")) {
        return;
    }
    for file in [
        "captures/icmp-echo.pcapng",
        "captures/ipv6.pcapng",
        "captures/udp.pcapng",
        "captures/fragments.pcapng",
    ] {
        let want = tshark_lines(file);
        assert!(!want.is_empty(), "{file}: tshark shows no ICMP");
        assert_eq!(wirelab_lines(file), want, "{file}");
    }
    let echo = wirelab_lines("captures/icmp-echo.pcapng");
    assert!(echo.iter().any(|l| l == "Type: 8 (Echo (ping) request)"));
    assert!(echo.iter().any(|l| l == "Type: 0 (Echo (ping) reply)"));
}
