//! Fuzz target: arbitrary frames through the per-stream views (`--rtt`, `--throughput`,
//! `--follow` TCP and UDP in ASCII and hex, `--tcp-report`, each as text and JSON) and the
//! graph collector with every kind drawn in Braille. Beyond "no panic", every JSON line
//! must parse back.
//!
//! Frames are split on `FRAME` as in `decode_frame` (its seeds work here too); the first
//! byte picks the link type and spaces the timestamps.
//!
//! Run: `cargo +nightly fuzz run stream_views fuzz/seeds/decode_frame`.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wirelab::analyse::follow::FollowProto;
use wirelab::analyse::{Analyzer, Packet};
use wirelab::frame::{Frame, LinkType};
use wirelab::graph::series::GraphCollector;
use wirelab::graph::{GraphKind, braille};
use wirelab::render::style::Style;
use wirelab::stream_views::{StreamView, StreamViewKind};

const LINKS: [LinkType; 4] = [
    LinkType::ETHERNET,
    LinkType::RAW,
    LinkType::LINUX_SLL,
    LinkType::IPV6,
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

fuzz_target!(|data: &[u8]| {
    let kinds = [
        StreamViewKind::Rtt { stream: None },
        StreamViewKind::Throughput { interval_us: 1000, stream: None },
        StreamViewKind::Follow { proto: FollowProto::Tcp, stream: 0, hex: false },
        StreamViewKind::Follow { proto: FollowProto::Tcp, stream: 0, hex: true },
        StreamViewKind::Follow { proto: FollowProto::Udp, stream: 0, hex: false },
        StreamViewKind::TcpReport { stream: None },
    ];
    let mut views: Vec<(bool, StreamView)> = kinds
        .iter()
        .flat_map(|k| {
            [false, true].map(|json| (json, StreamView::new(k, json, Style { color: json })))
        })
        .collect();
    let mut graph = GraphCollector::new(0);
    let mut analyzer = Analyzer::new();
    let mut packet = Packet::default();
    let mut outs: Vec<Vec<u8>> = vec![Vec::new(); views.len()];
    for (i, chunk) in split(data).into_iter().enumerate().take(64) {
        let Some((&sel, bytes)) = chunk.split_first() else {
            continue;
        };
        let frame = Frame {
            number: i as u64 + 1,
            timestamp: Duration::from_micros(u64::from(sel) * 997 + i as u64 * 13),
            link_type: LINKS[usize::from(sel) % LINKS.len()],
            orig_len: bytes.len() as u32,
            interface: 0,
            data: bytes.to_vec(),
        };
        analyzer.process(&frame, &mut packet);
        for ((_, v), out) in views.iter_mut().zip(outs.iter_mut()) {
            v.push(&packet, &frame.data, out).expect("writing to a Vec");
        }
        graph.add(&packet, &frame.data);
    }
    for ((json, v), out) in views.iter_mut().zip(outs.iter_mut()) {
        v.finish(out).expect("writing to a Vec");
        if *json {
            for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                serde_json::from_slice::<serde_json::Value>(line).expect("a JSON line");
            }
        }
    }
    graph.finish();
    for kind in GraphKind::ALL {
        let g = graph.graph(kind);
        let _ = braille::render(&g, 20, 5, Style::default());
        let _ = g.dump();
    }
});
