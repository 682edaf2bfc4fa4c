//! The check of the `decode_frame` fuzz target: arbitrary frames through decode → analyse →
//! every renderer and the JSON sink. Shared by `fuzz/fuzz_targets/decode_frame.rs` and
//! `tests/fuzz_regressions.rs` (which runs it on the saved inputs of
//! `fuzz/regressions/decode_frame/`).
//!
//! The input is split on the byte sequence `FRAME` into several frames (so the stateful
//! parts — TCP analysis, IPv4 reassembly, echo matching — see sequences); the first byte of
//! each frame picks its link type. Beyond "no panic" it checks that every rendering is
//! produced, that the JSON line parses back, that byte ranges of the detail view lie
//! inside the frame (or the reassembled datagram), and for `wirelab view`: that the row
//! cells lay out to exactly `read`'s line, that the details tree's ranges are in bounds and
//! that every byte maps to a row holding it, and that the colouring rule is computed.

use std::time::Duration;

use wirelab::analyse::{Analyzer, Packet};
use wirelab::frame::{Frame, LinkType};
use wirelab::render::coloring::coloring_rule;
use wirelab::render::style::Style;
use wirelab::render::{detail, hex, table::PacketList};
use wirelab::sink::json;
use wirelab::tui::tree::DetailTree;

const LINKS: [LinkType; 8] = [
    LinkType::ETHERNET,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType::RAW,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::NULL,
    LinkType::LOOP,
];

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(5).position(|w| w == b"FRAME") {
        out.push(&rest[..i]);
        rest = &rest[i + 5..];
    }
    out.push(rest);
    out
}

/// The fuzz target's check on one input: panics when an invariant breaks.
pub fn check(data: &[u8]) {
    let mut analyzer = Analyzer::new();
    let mut packet = Packet::default();
    let list = PacketList::default();
    for (i, chunk) in split(data).into_iter().enumerate().take(64) {
        let Some((&sel, bytes)) = chunk.split_first() else {
            continue;
        };
        let frame = Frame {
            number: i as u64 + 1,
            timestamp: Duration::from_micros(u64::from(sel) * 1000 + i as u64),
            link_type: LINKS[usize::from(sel) % LINKS.len()],
            orig_len: bytes.len() as u32,
            interface: 0,
            data: bytes.to_vec(),
        };
        analyzer.process(&frame, &mut packet);
        let mut out = Vec::new();
        list.row(&mut out, &packet).unwrap();
        let line = PacketList::cells(&packet).read_line() + "\n";
        assert_eq!(
            line.as_bytes(),
            &out[..],
            "view cells differ from read's row"
        );
        let _ = coloring_rule(&packet);
        let tree = DetailTree::build(&packet, &frame.data, None);
        let reassembled_len = packet
            .decoded
            .reassembled
            .as_ref()
            .map_or(0, |r| r.data.len());
        for (i, n) in tree.nodes.iter().enumerate() {
            let limit = if n.reassembled {
                reassembled_len
            } else {
                frame.data.len()
            };
            // The node's own line, then its fields, each named in a failure.
            let rows = n.range.iter().map(|r| (n.title.as_str(), r)).chain(
                n.children
                    .iter()
                    .filter_map(|l| l.range.as_ref().map(|r| (l.text.as_str(), r))),
            );
            for (row, r) in rows {
                assert!(
                    r.start < r.end && r.end <= limit,
                    "node {i} ({row}): {r:?} > {limit}"
                );
            }
        }
        for at in 0..frame.data.len() {
            if let Some(id) = tree.row_at_byte(at, false) {
                let (r, re) = tree.range(id).expect("a row found by its byte has bytes");
                assert!(!re && r.contains(&at));
            }
        }
        let layers = packet.layers(&frame.data);
        let reassembled = packet
            .decoded
            .reassembled
            .as_ref()
            .map_or(0, |r| r.data.len());
        for l in &layers {
            let limit = if l.reassembled {
                reassembled
            } else {
                frame.data.len()
            };
            for f in &l.fields {
                if let Some(r) = &f.range {
                    assert!(
                        r.start <= r.end && r.end <= limit,
                        "{}: {r:?} > {limit}",
                        f.name
                    );
                }
            }
            assert!(
                l.range.start <= l.range.end && l.range.end <= limit,
                "{}",
                l.title
            );
        }
        detail::write_detail(&mut out, &packet, &layers, Style::default()).unwrap();
        hex::write_hex(&mut out, &frame.data, &layers, Style::default()).unwrap();
        let mut line = Vec::new();
        json::write_packet(&mut line, &packet).unwrap();
        let _: serde_json::Value = serde_json::from_slice(&line).expect("JSON line parses");
    }
}
