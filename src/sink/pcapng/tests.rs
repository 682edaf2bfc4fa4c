use std::time::Duration;

use super::*;
use crate::source::{CaptureReader, SourceEvent};

fn frame(number: u64, ts: Duration, link_type: LinkType, orig_len: u32, data: &[u8]) -> Frame {
    Frame {
        number,
        timestamp: ts,
        link_type,
        orig_len,
        interface: 0,
        data: data.to_vec(),
    }
}

fn sample_frames() -> Vec<Frame> {
    vec![
        frame(
            1,
            Duration::new(1_700_000_000, 123_456_789),
            LinkType::ETHERNET,
            60,
            &[0xff; 60],
        ),
        frame(
            2,
            Duration::new(1_700_000_000, 123_456_790),
            LinkType::ETHERNET,
            1514,
            &[1, 2, 3],
        ),
        frame(
            3,
            Duration::new(1_700_000_001, 0),
            LinkType::RAW,
            5,
            &[0x45, 0, 0, 5, 9],
        ),
        frame(4, Duration::ZERO, LinkType::ETHERNET, 0, &[]),
        frame(
            5,
            Duration::new(4_000_000_000, 999_999_999),
            LinkType::RAW,
            1,
            &[0x60],
        ),
    ]
}

fn write(frames: &[Frame]) -> Vec<u8> {
    let mut sink = PcapNgSink::new(Vec::new(), LinkType::ETHERNET, 0).unwrap();
    for f in frames {
        sink.write_frame(f).unwrap();
    }
    sink.into_inner().unwrap()
}

#[test]
fn round_trip_through_the_reader() {
    let frames = sample_frames();
    let bytes = write(&frames);
    let events: Vec<SourceEvent> = CaptureReader::new(&bytes[..]).unwrap().collect();
    let read: Vec<Frame> = events
        .into_iter()
        .map(|e| match e {
            SourceEvent::Frame(f) => f,
            SourceEvent::Warning(w) => panic!("{w}"),
        })
        .collect();
    assert_eq!(read.len(), frames.len());
    for (got, want) in read.iter().zip(&frames) {
        // Ethernet frames on interface 0, raw IP on interface 1 (added when first seen).
        let interface = u32::from(want.link_type == LinkType::RAW);
        assert_eq!(
            *got,
            Frame {
                interface,
                ..want.clone()
            }
        );
    }
}

#[test]
fn header_blocks_are_as_specified() {
    let bytes = write(&[]);
    let le = cfg!(target_endian = "little");
    let u32_at = |at: usize| {
        let b: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    assert_eq!(u32_at(0), 0x0a0d_0d0a); // SHB
    let shb_len = u32_at(4) as usize;
    assert_eq!(u32_at(8), 0x1a2b_3c4d); // byte-order magic
    assert_eq!(u32_at(shb_len), 1); // IDB
    // IDB body: link type 1, reserved 0, snaplen 0, option if_tsresol (9) = 9, end.
    let idb = &bytes[shb_len..];
    assert_eq!(u32_at(shb_len + 4), 32);
    let code = if le { [9, 0] } else { [0, 9] };
    let len = if le { [1, 0] } else { [0, 1] };
    assert_eq!(
        &idb[16..24],
        &[code[0], code[1], len[0], len[1], 9, 0, 0, 0]
    );
    assert_eq!(bytes.len(), shb_len + 32);
}

#[test]
fn orig_len_below_caplen_is_raised_and_huge_link_types_refused() {
    let bytes = write(&[frame(
        1,
        Duration::ZERO,
        LinkType::ETHERNET,
        2,
        &[1, 2, 3, 4],
    )]);
    let events: Vec<_> = CaptureReader::new(&bytes[..]).unwrap().collect();
    assert!(matches!(&events[..], [SourceEvent::Frame(f)] if f.orig_len == 4));

    let mut sink = PcapNgSink::new(Vec::new(), LinkType::ETHERNET, 0).unwrap();
    let err = sink
        .write_frame(&frame(1, Duration::ZERO, LinkType(70_000), 1, &[1]))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn broken_pipe_stays_a_broken_pipe() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let err = PcapNgSink::new(Closed, LinkType::ETHERNET, 0)
        .err()
        .unwrap();
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
}

/// tshark must open what we write and see the same frames (lengths, nanosecond times).
#[test]
fn tshark_reads_the_file() {
    if !crate::source::testdata::tshark_available("tshark_reads_the_file") {
        return;
    }
    let frames = sample_frames();
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut sink = PcapNgSink::new(
        io::BufWriter::new(file.reopen().unwrap()),
        LinkType::ETHERNET,
        0,
    )
    .unwrap();
    for f in &frames {
        sink.write_frame(f).unwrap();
    }
    sink.into_inner().unwrap();
    let fields = [
        "frame.time_epoch",
        "frame.len",
        "frame.cap_len",
        "frame.interface_id",
    ];
    let rows = crate::source::testdata::tshark_fields(file.path(), &fields);
    assert_eq!(rows.len(), frames.len(), "{rows:?}");
    for (row, f) in rows.iter().zip(&frames) {
        let want = [
            format!(
                "{}.{:09}",
                f.timestamp.as_secs(),
                f.timestamp.subsec_nanos()
            ),
            f.orig_len.max(f.caplen() as u32).to_string(),
            f.caplen().to_string(),
            u32::from(f.link_type == LinkType::RAW).to_string(),
        ];
        assert_eq!(*row, want);
    }
}
