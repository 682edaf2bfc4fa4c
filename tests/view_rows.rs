//! The rows `wirelab view` shows are `wirelab read`'s rows: every frame of every bundled
//! and public capture is analysed on demand from the view's checkpoints (a small interval,
//! so almost every row is re-analysed from the middle of the file, in a scrambled order) and
//! compared with the line `wirelab read` prints for it, which itself matches tshark
//! (`tests/tshark_compare.rs`). The filtered list is compared with `read --filter`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{BIN, Need, require};
use wirelab::render::table::PacketList;
use wirelab::tui::app::App;
use wirelab::tui::index::{Index, SourceSpec};

/// The bundled captures, then the public ones (when present; in CI they must be).
fn captures() -> Vec<PathBuf> {
    let mut dirs = vec![support::repo("captures")];
    if require(Need::PublicCaptures) {
        dirs.push(support::public_captures());
    }
    let mut v = Vec::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
            .collect();
        files.sort();
        if !files.is_empty()
            && v.iter()
                .all(|p: &PathBuf| p.file_name() != files[0].file_name())
        {
            v.extend(files);
        }
    }
    v
}

fn read_lines(args: &[&str], file: &Path) -> Vec<String> {
    let out = Command::new(BIN)
        .arg("read")
        .args(["--color", "never"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1) // the column header
        .map(str::to_string)
        .collect()
}

#[test]
fn every_row_equals_reads_row() {
    let files = captures();
    assert!(files.len() >= 14);
    let mut total = 0;
    for file in files {
        let want = read_lines(&[], &file);
        let mut spec = SourceSpec::file(&file);
        spec.interval = 5;
        let (index, _indexer) = Index::open(spec).unwrap();
        assert!(index.wait_until_at_end(Duration::from_secs(60)));
        let n = want.len() as u64;
        assert_eq!(index.data().frames, n, "{file:?}");
        // A scrambled order: each request re-analyses from a checkpoint.
        let step = if n.is_multiple_of(7) { 11 } else { 7 };
        for i in 0..n {
            let frame = (i * step) % n + 1;
            let got = index.get(frame).unwrap();
            let line = PacketList::cells(&got.packet).read_line();
            assert_eq!(line, want[frame as usize - 1], "{file:?} frame {frame}");
            total += 1;
        }
        // And all at once, as a screen of rows is loaded.
        let all: Vec<u64> = (1..=n).collect();
        let mut lines = Vec::new();
        index.load(&all, |p, _| lines.push(PacketList::cells(p).read_line()));
        assert_eq!(lines, want, "{file:?}");
    }
    eprintln!("{total} rows equal");
}

#[test]
fn filtered_list_equals_read_filter() {
    for (capture, filter) in [
        (
            "tcp-analysis.pcapng",
            "tcp.analysis.retransmission or tcp.analysis.duplicate_ack",
        ),
        ("tcp-handshake.pcapng", "tcp.flags.syn == 1 or arp"),
        ("fragments.pcapng", "udp or icmp"),
        ("ipv6.pcapng", "ipv6.addr == fd00:3::1 and not icmpv6"),
    ] {
        let file = support::repo("captures").join(capture);
        let want: Vec<String> = read_lines(&["--filter", filter], &file);
        let mut app = App::open(SourceSpec::file(&file), false).unwrap();
        assert!(app.settle(Duration::from_secs(30)));
        app.set_filter(
            filter.to_string(),
            wirelab::filter::Filter::parse(filter).unwrap(),
        );
        assert!(app.settle(Duration::from_secs(30)));
        let numbers = app.frames_of(0..app.row_count());
        let index = app.index.clone();
        let mut got = Vec::new();
        index.load(&numbers, |p, _| got.push(PacketList::cells(p).read_line()));
        assert_eq!(got, want, "{capture} with {filter}");
        assert!(!want.is_empty());
    }
}
