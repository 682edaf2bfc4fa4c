//! `wirelab view` on a capture that is still being written: a real capture is copied into
//! a new file in small pieces (cutting blocks in half, as a writer flushing its buffer
//! does), while the view follows it. Every frame appears, with `read`'s row, no warning is
//! raised for the half-written blocks, and in follow mode the newest frame stays selected.
//! This is how the live view (`view -i`) reads the capture it is writing (`tests/view_live.rs`
//! runs it end to end).

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wirelab::render::table::PacketList;
use wirelab::tui::app::App;
use wirelab::tui::index::SourceSpec;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn grow(capture: &str, piece: usize) {
    let src = Path::new(MANIFEST_DIR).join("captures").join(capture);
    let bytes = std::fs::read(&src).unwrap();
    let read = Command::new(env!("CARGO_BIN_EXE_wirelab"))
        .args(["read", "--color", "never"])
        .arg(&src)
        .output()
        .unwrap();
    let want: Vec<String> = String::from_utf8(read.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(capture);
    let mut file = std::fs::File::create(&path).unwrap();
    // The header first (a capture program writes it at once), then the rest in pieces.
    file.write_all(&bytes[..64.min(bytes.len())]).unwrap();
    file.flush().unwrap();
    let mut app = App::open(SourceSpec::file(&path), true).unwrap();
    let mut written = 64.min(bytes.len());
    let start = Instant::now();
    while written < bytes.len() {
        let end = (written + piece).min(bytes.len());
        file.write_all(&bytes[written..end]).unwrap();
        file.flush().unwrap();
        written = end;
        std::thread::sleep(Duration::from_millis(15));
        app.tick();
        app.draw_to_buffer(100, 30);
        assert!(start.elapsed() < Duration::from_secs(60), "too slow");
    }
    // Wait (bounded) until the view has every frame.
    let start = Instant::now();
    while app.row_count() < want.len() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{capture}: the view has {} of {} frames",
            app.row_count(),
            want.len()
        );
        std::thread::sleep(Duration::from_millis(20));
        app.tick();
    }
    app.draw_to_buffer(100, 30);
    assert_eq!(app.index.data().warnings, Vec::<String>::new(), "{capture}");
    assert_eq!(app.row_count(), want.len());
    // Following: the newest frame is selected.
    assert_eq!(app.selected_frame(), Some(want.len() as u64));
    assert!(app.state.follow);
    let numbers = app.frames_of(0..app.row_count());
    let mut got = Vec::new();
    app.index
        .load(&numbers, |p, _| got.push(PacketList::cells(p).read_line()));
    assert_eq!(got, want, "{capture}");
}

#[test]
fn pcapng_written_while_viewed() {
    grow("tcp-handshake.pcapng", 37);
}

#[test]
fn pcap_written_while_viewed() {
    grow("tcp-handshake-usec.pcap", 29);
}

#[test]
fn fragments_written_while_viewed() {
    grow("fragments.pcapng", 200);
}
