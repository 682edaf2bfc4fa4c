//! Golden-file tests of the rendered views: packet list, details with hex, handshakes and
//! statistics, for captures in `captures/`. The goldens were checked by hand against tshark's
//! view of the same frames (`tshark -r FILE -V -x`, `-z conv,tcp`, the relative numbers of
//! `-T fields`). To re-bless after an intended change: `WIRELAB_BLESS=1 cargo test --test
//! render_golden`, then read the diff.

mod support;

fn render(args: &[&str]) -> String {
    let out = support::wirelab()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("read")
        .args(args)
        .args(["--color", "never"])
        .output()
        .expect("run wirelab");
    assert!(
        out.status.success(),
        "wirelab read {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn golden(name: &str, args: &[&str]) {
    let got = render(args);
    let path = support::repo("tests/golden/render").join(format!("{name}.txt"));
    support::golden::check(&path, &got);
}

#[test]
fn packet_list_of_a_tcp_exchange() {
    golden("table-tcp-handshake", &["captures/tcp-handshake.pcapng"]);
}

#[test]
fn packet_list_with_analysis_labels() {
    golden("table-tcp-analysis", &["captures/tcp-analysis.pcapng"]);
}

#[test]
fn packet_list_of_arp_icmp_fragments_ipv6() {
    golden("table-arp", &["captures/arp.pcapng"]);
    golden("table-icmp-echo", &["captures/icmp-echo.pcapng"]);
    golden("table-fragments", &["captures/fragments.pcapng"]);
    golden("table-ipv6", &["captures/ipv6.pcapng"]);
}

#[test]
fn details_and_hex_of_the_handshake() {
    golden(
        "detail-hex-handshake",
        &[
            "captures/tcp-handshake.pcapng",
            "--detail",
            "--hex",
            "--count",
            "5",
        ],
    );
}

#[test]
fn details_of_a_reassembled_datagram() {
    golden(
        "detail-fragments",
        &["captures/fragments.pcapng", "--detail", "--filter", "udp"],
    );
}

#[test]
fn hex_dump_under_the_packet_list() {
    golden(
        "table-hex-vlan",
        &["captures/vlan.pcapng", "--hex", "--count", "4"],
    );
}

#[test]
fn handshakes_table_and_ladder() {
    golden(
        "handshakes-tcp-handshake",
        &["captures/tcp-handshake.pcapng", "--handshakes"],
    );
    golden("handshakes-sll", &["captures/sll.pcap", "--handshakes"]);
}

#[test]
fn conversation_statistics() {
    golden("stats-sll", &["captures/sll.pcap", "--stats"]);
    golden(
        "stats-tcp-analysis",
        &["captures/tcp-analysis.pcapng", "--stats"],
    );
}

#[test]
fn filtered_packet_list() {
    golden(
        "table-filter-syn",
        &[
            "captures/sll.pcap",
            "--filter",
            "tcp.flags.syn == 1 or icmp or udp.port == 7777",
        ],
    );
}
