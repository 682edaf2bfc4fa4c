//! Fuzz target: arbitrary bytes through the capture reader, to the end.
//!
//! Checks beyond "no panic": the reader ends (the number of events is bounded by the input
//! length), frames are numbered 1, 2, 3..., it never claims to have read more bytes than
//! exist, and every frame it yields survives a round trip through the pcapng sink. For the
//! viewer: a reader resumed at any resume point yields the same frames as reading on, and
//! in follow mode (a file still being written) the frames are a prefix of the normal ones.
//!
//! Run: `cargo +nightly fuzz run read_file fuzz/seeds/read_file` (from the repository root).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use wirelab::frame::Frame;
use wirelab::sink::pcapng::PcapNgSink;
use wirelab::source::{CaptureReader, SourceEvent};

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = CaptureReader::new(Cursor::new(data)) else {
        return;
    };
    let _ = reader.format();
    let mut frames: Vec<Frame> = Vec::new();
    let mut points = Vec::new();
    if let Some(p) = reader.resume_point() {
        points.push(p);
    }
    let mut events = 0usize;
    // Each event stands for at least 4 bytes of input (a block or record, or a resync
    // step), plus a final warning: anything more means the reader is looping.
    let max_events = data.len() / 4 + 2;
    while let Some(event) = reader.next() {
        events += 1;
        assert!(
            events <= max_events,
            "{events} events from {} bytes",
            data.len()
        );
        match event {
            SourceEvent::Frame(frame) => {
                assert_eq!(frame.number, frames.len() as u64 + 1);
                assert!(frame.orig_len as usize >= frame.data.len());
                frames.push(frame);
                if frames.len() % 5 == 1
                    && let Some(p) = reader.resume_point()
                {
                    points.push(p);
                }
            }
            SourceEvent::Warning(warning) => {
                assert!(warning.offset <= data.len() as u64);
                let _ = warning.to_string();
            }
        }
    }
    assert!(reader.bytes_read() <= data.len() as u64);
    assert!(reader.next().is_none());

    // Resumed readers give exactly the frames that reading on gave.
    for p in points.iter().take(4) {
        let offset = usize::try_from(p.offset()).unwrap_or(usize::MAX).min(data.len());
        let resumed: Vec<Frame> = CaptureReader::resume(Cursor::new(&data[offset..]), p)
            .filter_map(|e| match e {
                SourceEvent::Frame(f) => Some(f),
                SourceEvent::Warning(_) => None,
            })
            .collect();
        let from = usize::try_from(p.frames()).unwrap_or(usize::MAX);
        assert_eq!(&resumed[..], &frames[from.min(frames.len())..], "resumed at {}", p.offset());
    }
    // Follow mode: a prefix of the same frames, and it stops (waiting) at the end.
    if let Ok(mut follow) = CaptureReader::new(Cursor::new(data)) {
        follow.set_follow(true);
        let got: Vec<Frame> = follow
            .by_ref()
            .take(max_events)
            .filter_map(|e| match e {
                SourceEvent::Frame(f) => Some(f),
                SourceEvent::Warning(_) => None,
            })
            .collect();
        assert!(got.len() <= frames.len() && got[..] == frames[..got.len()]);
        assert!(follow.next().is_none());
    }

    // Round trip: what was read must be written and read back unchanged (timestamps past
    // the year 2554 cannot be written in nanoseconds; skip those inputs).
    let Some(first) = frames.first() else { return };
    let Ok(mut sink) = PcapNgSink::new(Vec::new(), first.link_type, 0) else {
        return;
    };
    for frame in &frames {
        if sink.write_frame(frame).is_err() {
            return;
        }
    }
    let Ok(bytes) = sink.into_inner() else { return };
    let again: Vec<Frame> = CaptureReader::new(Cursor::new(&bytes[..]))
        .expect("the sink writes a valid header")
        .map(|event| match event {
            SourceEvent::Frame(frame) => frame,
            SourceEvent::Warning(w) => panic!("warning on our own output: {w}"),
        })
        .collect();
    assert_eq!(again.len(), frames.len());
    for (a, b) in again.iter().zip(&frames) {
        assert_eq!(
            (a.number, a.timestamp, a.link_type, a.orig_len, &a.data),
            (b.number, b.timestamp, b.link_type, b.orig_len, &b.data)
        );
    }
});
