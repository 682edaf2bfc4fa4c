use std::io::Write;
use std::time::Duration;

use super::super::testdata::{self, epb, idb, pcap_header, pcap_record, shb};
use super::super::{FileKind, ReadWarning};
use super::*;
use crate::frame::{Frame, LinkType};

fn open_err(bytes: &[u8]) -> SourceError {
    match CaptureReader::new(bytes) {
        Ok(r) => panic!("expected an error, got {:?}", r.format()),
        Err(e) => e,
    }
}

#[test]
fn not_a_capture() {
    assert!(matches!(
        open_err(b""),
        SourceError::NotACapture {
            kind: FileKind::Empty
        }
    ));
    assert!(matches!(
        open_err(b"ab"),
        SourceError::NotACapture {
            kind: FileKind::TooShort { len: 2 }
        }
    ));
    let gz = open_err(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff]);
    assert!(
        gz.to_string().contains("compressed: gunzip it first"),
        "{gz}"
    );
    assert!(
        gz.to_string().contains("wirelab reads pcap and pcapng"),
        "{gz}"
    );
    assert!(matches!(
        open_err(b"hello, world\n"),
        SourceError::NotACapture {
            kind: FileKind::Text { .. }
        }
    ));
    assert!(matches!(
        open_err(b"\x7fELF\x02\x01\x01\0\0\0"),
        SourceError::NotACapture {
            kind: FileKind::Elf
        }
    ));
    assert!(matches!(
        open_err(b"PK\x03\x04\x14\0\0\0"),
        SourceError::NotACapture {
            kind: FileKind::Zip
        }
    ));
    let unknown = open_err(&[0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);
    assert!(
        unknown.to_string().contains("unknown magic 0x12345678"),
        "{unknown}"
    );
}

#[test]
fn header_cut_short() {
    let pcap = pcap_header(true, false, 65535, 1);
    let err = open_err(&pcap[..20]);
    assert!(
        matches!(
            err,
            SourceError::HeaderCutShort {
                format: "pcap",
                needed: 24,
                got: 20
            }
        ),
        "{err}"
    );
    let ng = shb(true);
    let err = open_err(&ng[..27]);
    assert!(
        matches!(
            err,
            SourceError::HeaderCutShort {
                format: "pcapng",
                needed: 28,
                got: 27
            }
        ),
        "{err}"
    );
    // The magic alone (4 bytes) is still recognised as a capture, not as "too short".
    assert!(matches!(
        open_err(&pcap[..4]),
        SourceError::HeaderCutShort { .. }
    ));
}

#[test]
fn pcapng_with_bad_byte_order_magic() {
    let mut ng = shb(true);
    ng[8..12].copy_from_slice(&[1, 2, 3, 4]);
    let err = open_err(&ng);
    assert!(matches!(err, SourceError::BadHeader { .. }), "{err}");
    assert!(err.to_string().contains("0x01020304"), "{err}");
}

#[test]
fn open_a_file_and_report_missing_ones() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let mut bytes = shb(false);
    bytes.extend(idb(false, 1, 0, &[]));
    bytes.extend(epb(false, 0, 1_000_000, &[1, 2, 3], 3));
    file.write_all(&bytes).unwrap();
    let reader = CaptureReader::open(file.path()).unwrap();
    assert_eq!(*reader.format(), CaptureFormat::PcapNg);
    let events: Vec<_> = reader.collect();
    assert_eq!(events.len(), 1);

    let missing = Path::new("/nonexistent/wirelab/trace.pcap");
    let err = CaptureReader::open(missing).unwrap_err();
    assert!(matches!(err, SourceError::Open { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot open /nonexistent/wirelab/trace.pcap: "),
        "{err}"
    );
}

#[test]
fn bytes_read_and_frames_read_track_progress() {
    let mut file = pcap_header(true, false, 65535, 1);
    file.extend(pcap_record(true, 1, 0, &[1, 2, 3], 3)); // 19 bytes
    file.extend(pcap_record(true, 2, 0, &[4], 1)); // 17 bytes
    let mut reader = CaptureReader::new(&file[..]).unwrap();
    assert_eq!(reader.bytes_read(), 24);
    assert!(matches!(reader.next(), Some(SourceEvent::Frame(_))));
    assert_eq!((reader.bytes_read(), reader.frames_read()), (43, 1));
    assert!(matches!(reader.next(), Some(SourceEvent::Frame(_))));
    assert_eq!((reader.bytes_read(), reader.frames_read()), (60, 2));
    assert_eq!(reader.next(), None);
    assert_eq!(reader.next(), None);
}

#[test]
fn io_error_mid_file_is_a_final_warning() {
    /// Gives the bytes, then fails.
    struct FailAfter<'a>(&'a [u8]);
    impl Read for FailAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("cable unplugged"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut file = pcap_header(true, false, 65535, 1);
    file.extend(pcap_record(true, 1, 0, &[1, 2, 3], 3)); // ends at 43
    file.extend(pcap_record(true, 1, 0, &[4; 40], 40)); // ends at 99
    let (frames, warnings) =
        testdata::split(CaptureReader::new(FailAfter(&file)).unwrap().collect());
    assert_eq!(frames.len(), 2);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, 99);
    assert!(warnings[0].message.contains("cable unplugged"));
}

/// Throughput check, not a pass/fail test (no timed assertions):
/// `cargo test --release --lib throughput -- --ignored --nocapture`.
#[test]
#[ignore = "prints a measurement; run in release"]
fn throughput_200k_packet_pcapng() {
    use crate::sink::pcapng::PcapNgSink;
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut sink = PcapNgSink::new(
        std::io::BufWriter::new(file.reopen().unwrap()),
        LinkType::ETHERNET,
        0,
    )
    .unwrap();
    let count = 200_000u64;
    for i in 0..count {
        // Small frames (60..160 bytes): the per-frame cost, not memcpy, dominates.
        let len = 60 + (i % 100) as usize;
        let frame = Frame {
            number: i + 1,
            timestamp: Duration::from_nanos(1_700_000_000_000_000_000 + i * 1000),
            link_type: LinkType::ETHERNET,
            orig_len: len as u32,
            interface: 0,
            data: vec![(i % 251) as u8; len],
        };
        sink.write_frame(&frame).unwrap();
    }
    sink.into_inner().unwrap();
    for round in 0..3 {
        let start = std::time::Instant::now();
        let mut frames = 0u64;
        let mut bytes = 0usize;
        for event in CaptureReader::open(file.path()).unwrap() {
            if let SourceEvent::Frame(f) = event {
                frames += 1;
                bytes += f.data.len();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(frames, count);
        eprintln!(
            "round {round}: {frames} frames, {} MB in {secs:.3} s: {:.2} M frames/s",
            bytes / 1_000_000,
            frames as f64 / secs / 1e6
        );
    }
}

/// Resuming at a point taken mid-file gives the same frames (numbers, timestamps, link
/// types) as reading on, for pcapng with two interfaces of different link types and
/// timestamp resolutions, and for pcap.
#[test]
fn resume_point_gives_the_same_frames_as_reading_on() {
    const TSRESOL: u16 = 9;
    let mut ng = shb(true);
    ng.extend(idb(true, 1, 0, &[]));
    ng.extend(idb(true, 101, 0, &[(TSRESOL, &[9])]));
    for i in 0..6u8 {
        let iface = u32::from(i % 2);
        ng.extend(epb(true, iface, 1_000_000 + u64::from(i), &[i; 20], 20));
    }
    let mut pcap = pcap_header(true, true, 65535, 1);
    for i in 0..6u8 {
        pcap.extend(pcap_record(true, 10, u32::from(i), &[i; 30], 30));
    }
    for file in [ng, pcap] {
        let all: Vec<_> = CaptureReader::new(&file[..]).unwrap().collect();
        for k in 0..=6 {
            let mut r = CaptureReader::new(&file[..]).unwrap();
            for _ in 0..k {
                r.next();
            }
            let point = r.resume_point().unwrap();
            assert_eq!(point.frames(), k as u64);
            let offset = point.offset() as usize;
            let rest: Vec<_> = CaptureReader::resume(&file[offset..], &point).collect();
            assert_eq!(rest, all[k..], "resumed after {k} frames");
        }
    }
}

/// Follow mode: a record cut off at the end is waited for (no warning, nothing lost),
/// and read once the rest of the file arrives; a clean end waits too.
#[test]
fn follow_mode_waits_for_a_file_being_written() {
    let mut ng = shb(true);
    ng.extend(idb(true, 1, 0, &[]));
    let third = epb(true, 0, 3, &[3; 40], 40);
    let mut head = ng.clone();
    head.extend(epb(true, 0, 1, &[1; 40], 40));
    head.extend(epb(true, 0, 2, &[2; 40], 40));
    let mut pcap = pcap_header(true, false, 65535, 1);
    pcap.extend(pcap_record(true, 1, 0, &[1; 40], 40));
    pcap.extend(pcap_record(true, 2, 0, &[2; 40], 40));
    let pcap_third = pcap_record(true, 3, 0, &[3; 40], 40);
    for (head, third) in [(head, third), (pcap, pcap_third)] {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer = file.reopen().unwrap();
        writer.write_all(&head).unwrap();
        writer.write_all(&third[..10]).unwrap();
        writer.flush().unwrap();
        let mut r = CaptureReader::open(file.path()).unwrap();
        r.set_follow(true);
        let (frames, warnings) = testdata::split(r.by_ref().collect());
        assert_eq!((frames.len(), warnings.len()), (2, 0), "{warnings:?}");
        assert!(r.is_waiting());
        // Nothing new yet: still waiting, still no warning.
        r.retry();
        assert_eq!(r.next(), None);
        assert!(r.is_waiting());
        writer.write_all(&third[10..]).unwrap();
        writer.flush().unwrap();
        r.retry();
        let (frames, warnings) = testdata::split(r.by_ref().collect());
        assert_eq!((frames.len(), warnings.len()), (1, 0));
        assert_eq!(frames[0].number, 3);
        assert_eq!(frames[0].data, [3; 40]);
        assert!(r.is_waiting(), "a clean end waits for more too");
        // Without follow mode the same cut-off file gives the usual warning.
        let cut = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(cut.path(), [&head[..], &third[..10]].concat()).unwrap();
        let (frames, warnings) =
            testdata::split(CaptureReader::open(cut.path()).unwrap().collect());
        assert_eq!((frames.len(), warnings.len()), (2, 1));
    }
}

#[test]
fn warning_display() {
    let w = ReadWarning {
        offset: 120,
        message: "something".into(),
    };
    assert_eq!(w.to_string(), "at byte 120: something");
}
