//! Writing frames to a pcapng file (nanosecond timestamps), readable by Wireshark and tshark.
//!
//! The file starts with a Section Header Block and one Interface Description Block for the
//! link type given to [`PcapNgSink::new`], with `if_tsresol` = 9 (nanoseconds), so timestamps
//! are kept exactly. A frame with another link type gets its own interface, described the
//! first time that link type is seen (pcapng allows any number of interfaces per section).

use std::borrow::Cow;
use std::io::{self, Write};

use pcap_file::DataLink;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption, InterfaceTsResolution,
};

use crate::frame::{Frame, LinkType};

/// Writes frames as Enhanced Packet Blocks of a pcapng stream.
///
/// Wrap files in a `BufWriter`: every block is written with several small writes. Errors are
/// `std::io::Error`s; a frame the format cannot hold (timestamp after the year 2554, more than
/// 65535 interfaces) gives `ErrorKind::InvalidData` and writes nothing.
pub struct PcapNgSink<W: Write> {
    writer: PcapNgWriter<W>,
    snaplen: u32,
    /// Link type of each interface described so far; the index is the interface id.
    interfaces: Vec<LinkType>,
}

impl<W: Write> PcapNgSink<W> {
    /// Writes the section header and the first interface description (`link_type`,
    /// `snaplen`; 0 means no limit).
    pub fn new(writer: W, link_type: LinkType, snaplen: u32) -> io::Result<Self> {
        let writer = PcapNgWriter::new(writer).map_err(to_io)?;
        let mut sink = PcapNgSink {
            writer,
            snaplen,
            interfaces: Vec::new(),
        };
        sink.add_interface(link_type)?;
        Ok(sink)
    }

    /// Writes one frame (its interface is the one of its link type; `frame.interface` and
    /// `frame.number` are not stored).
    pub fn write_frame(&mut self, frame: &Frame) -> io::Result<()> {
        let interface_id = match self.interfaces.iter().position(|&lt| lt == frame.link_type) {
            Some(id) => id,
            None => self.add_interface(frame.link_type)?,
        };
        let caplen = u32::try_from(frame.data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "frame longer than 4 GiB"))?;
        let packet = EnhancedPacketBlock {
            interface_id: u32::try_from(interface_id).unwrap_or(u32::MAX),
            timestamp: frame.timestamp,
            // pcapng requires original >= captured; the reader may have raised it the same way.
            original_len: frame.orig_len.max(caplen),
            data: Cow::Borrowed(&frame.data),
            options: vec![],
        };
        self.writer.write_pcapng_block(packet).map_err(to_io)?;
        Ok(())
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.get_mut().flush()
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.writer.into_inner())
    }

    /// Describes a new interface for `link_type`; returns its id.
    fn add_interface(&mut self, link_type: LinkType) -> io::Result<usize> {
        let linktype = u16::try_from(link_type.0).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "link type {} does not fit in a pcapng interface (16 bits)",
                    link_type.0
                ),
            )
        })?;
        if self.interfaces.len() >= usize::from(u16::MAX) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "too many link types for one pcapng file",
            ));
        }
        let idb = InterfaceDescriptionBlock {
            linktype: DataLink::from(u32::from(linktype)),
            snaplen: self.snaplen,
            options: vec![InterfaceDescriptionOption::IfTsResol(
                InterfaceTsResolution::NANO,
            )],
        };
        self.writer.write_pcapng_block(idb).map_err(to_io)?;
        self.interfaces.push(link_type);
        Ok(self.interfaces.len() - 1)
    }
}

/// Turns a pcap-file write error into an I/O error, keeping the I/O error itself when there
/// is one (so that a broken pipe is still recognised).
fn to_io(err: pcap_file::pcapng::PcapNgWriteError) -> io::Error {
    match err {
        pcap_file::pcapng::PcapNgWriteError::Io(e) => e,
        other => io::Error::new(
            io::ErrorKind::InvalidData,
            crate::source::error_chain(&other),
        ),
    }
}

#[cfg(test)]
mod tests {
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
}
