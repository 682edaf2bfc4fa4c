//! `wirelab graph`: the data series behind each graph pinned by golden files (not the
//! pixels), the SVG parsed with an XML parser and its dots counted, the PNG decoded, the
//! terminal rendering drawn. Re-bless the goldens with `WIRELAB_BLESS=1` after checking
//! them by hand (the series of `captures/tcp-analysis.pcapng` stream 0, whose frames are
//! listed by `wirelab read captures/tcp-analysis.pcapng --rtt`).

mod support;

use std::path::Path;
use std::process::Command;

use wirelab::analyse::{Analyzer, Packet};
use wirelab::graph::series::GraphCollector;
use wirelab::graph::{GraphData, GraphKind, Shape};
use wirelab::source::{CaptureReader, SourceEvent};

use support::ROOT;
const BIN: &str = env!("CARGO_BIN_EXE_wirelab");

fn capture() -> std::path::PathBuf {
    Path::new(ROOT).join("captures/tcp-analysis.pcapng")
}

fn collect(stream: u32) -> GraphCollector {
    let mut c = GraphCollector::new(stream);
    let mut a = Analyzer::new();
    let mut p = Packet::default();
    for ev in CaptureReader::open(&capture()).expect("capture") {
        if let SourceEvent::Frame(f) = ev {
            a.process(&f, &mut p);
            c.add(&p, &f.data);
        }
    }
    c.finish();
    c
}

fn check_golden(name: &str, actual: &str) {
    support::golden::check(
        &Path::new(ROOT).join("tests/golden/graph").join(name),
        actual,
    );
}

#[test]
fn series_of_every_kind_match_their_goldens() {
    let c = collect(0);
    for kind in GraphKind::ALL {
        check_golden(&format!("tcp-analysis-0-{kind}.txt"), &c.graph(kind).dump());
    }
}

#[test]
fn stevens_series_has_one_point_per_segment_and_marks_the_resent_ones() {
    let g = collect(0).graph(GraphKind::Stevens);
    let sent = &g.series[0];
    let again = &g.series[1];
    // 46 client segments with payload (tshark: tcp.stream==0 && ip.src==10.0.3.2 &&
    // tcp.len>0); 7 start below the highest byte sent before (frame 78 and the
    // retransmissions 83, 84, 85, 86, 88, 90).
    assert_eq!(sent.raw_count + again.raw_count, 46);
    assert_eq!(again.raw_count, 7);
    assert_eq!(again.shape, Shape::Marks);
}

fn points_drawn(g: &GraphData, shape: Shape) -> usize {
    g.series
        .iter()
        .filter(|s| s.shape == shape && !s.name.is_empty())
        .map(|s| s.points.len())
        .sum()
}

#[test]
fn svg_parses_and_has_a_dot_per_point() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.svg");
    let st = Command::new(BIN)
        .args([
            "graph",
            capture().to_str().unwrap(),
            "--stream",
            "0",
            "--kind",
            "stevens",
            "-o",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    let g = collect(0).graph(GraphKind::Stevens);
    // One circle per point, plus the legend's.
    assert_eq!(circles, points_drawn(&g, Shape::Points) + 1);
    let texts: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|");
    for want in [
        "Stevens time-sequence graph",
        "Relative sequence number (bytes)",
        "Time since the first frame (s)",
        "segment sent",
        "retransmission",
    ] {
        assert!(texts.contains(want), "no {want:?} in the SVG's text");
    }
}

#[test]
fn png_decodes_with_the_documented_size() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["tcptrace", "rtt", "throughput", "window"] {
        let out = dir.path().join(format!("{kind}.png"));
        let st = Command::new(BIN)
            .args(["graph", capture().to_str().unwrap(), "--kind", kind, "-o"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(st.success());
        let decoder = png::Decoder::new(std::fs::File::open(&out).unwrap());
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        assert_eq!((info.width, info.height), (1200, 700), "{kind}");
        let px = &buf[..info.buffer_size()];
        let distinct: std::collections::HashSet<&[u8]> = px.chunks(3).collect();
        assert!(distinct.len() > 10, "{kind}: the picture is blank");
    }
}

#[test]
fn kind_all_writes_one_file_per_kind_and_the_terminal_draws_braille() {
    let dir = tempfile::tempdir().unwrap();
    let st = Command::new(BIN)
        .args(["graph", capture().to_str().unwrap(), "--kind", "all", "-o"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    for kind in GraphKind::ALL {
        assert!(
            dir.path().join(format!("stream0-{kind}.svg")).is_file(),
            "{kind}"
        );
    }
    let out = Command::new(BIN)
        .args([
            "graph",
            capture().to_str().unwrap(),
            "--kind",
            "all",
            "--width",
            "40",
            "--height",
            "8",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("Legend:").count(), 5);
    assert!(
        text.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
        "no Braille dots"
    );
    assert!(!text.contains('\x1b'), "no colour when piped");
}

#[test]
fn bad_requests_say_what_to_do() {
    let run = |args: &[&str]| {
        let o = Command::new(BIN).args(args).output().unwrap();
        assert!(!o.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let cap = capture();
    let cap = cap.to_str().unwrap();
    assert!(run(&["graph", cap, "--stream", "9"]).contains("no TCP stream 9"));
    assert!(run(&["graph", cap, "-o", "x.jpg"]).contains(".svg or .png"));
    let udp = Path::new(ROOT).join("captures/udp.pcapng");
    assert!(run(&["graph", udp.to_str().unwrap()]).contains("no TCP stream"));
}
