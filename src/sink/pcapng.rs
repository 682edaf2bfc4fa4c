//! Writing frames to a pcapng file as Wireshark's dumpcap does, readable by Wireshark and tshark.
//!
//! The file starts with a Section Header Block (OS, hardware, application) and one Interface
//! Description Block per capture interface (name, link type, snap length, `if_tsresol` = 9 for
//! nanoseconds, so timestamps are kept exactly). Each frame is an Enhanced Packet Block that may
//! carry its direction (`epb_flags`) and a comment Wireshark shows with the packet; Interface
//! Statistics Blocks record what the kernel received and dropped.

use std::borrow::Cow;
use std::io::{self, Write};
use std::time::Duration;

use pcap_file::DataLink;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption, InterfaceTsResolution,
};
use pcap_file::pcapng::blocks::interface_statistics::{
    InterfaceStatisticsBlock, InterfaceStatisticsOption,
};
use pcap_file::pcapng::blocks::opt_common::CommonOption;
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};

pub use crate::frame::Direction;
use crate::frame::{Frame, LinkType};

/// What the Section Header Block says about where the file was made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SectionInfo {
    /// `shb_os`, e.g. "Linux 6.1.0-18-arm64".
    pub os: Option<String>,
    /// `shb_hardware`, e.g. "aarch64".
    pub hardware: Option<String>,
    /// `shb_userappl`, e.g. "wirelab 0.1.0".
    pub application: Option<String>,
}

impl SectionInfo {
    /// This host's kernel and architecture, and this program's name and version.
    pub fn this_host() -> SectionInfo {
        let os = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|r| format!("Linux {}", r.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.to_string());
        SectionInfo {
            os: Some(os),
            hardware: Some(std::env::consts::ARCH.to_string()),
            application: Some(format!("wirelab {}", env!("CARGO_PKG_VERSION"))),
        }
    }
}

/// One capture interface, as its Interface Description Block describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Link-layer type of its frames.
    pub link_type: LinkType,
    /// Snap length (0: no limit).
    pub snaplen: u32,
    /// `if_name`, e.g. "eth0".
    pub name: Option<String>,
    /// `if_description`, e.g. "wirelab craft to 10.0.3.1:8080".
    pub description: Option<String>,
    /// `if_MACaddr`.
    pub mac: Option<[u8; 6]>,
    /// `if_filter` as a display filter string (Wireshark shows it as the capture filter).
    pub filter: Option<String>,
}

impl InterfaceInfo {
    /// An unnamed interface of `link_type` with no snap length limit.
    pub fn new(link_type: LinkType) -> InterfaceInfo {
        InterfaceInfo {
            link_type,
            snaplen: 0,
            name: None,
            description: None,
            mac: None,
            filter: None,
        }
    }
}

/// What an Enhanced Packet Block says about its frame besides the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PacketMeta<'a> {
    /// Direction, if known.
    pub direction: Option<Direction>,
    /// A comment shown by Wireshark with the packet (`opt_comment`).
    pub comment: Option<&'a str>,
}

/// Counters of an Interface Statistics Block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InterfaceStats {
    /// When the capture started.
    pub start: Option<Duration>,
    /// When the counters were read.
    pub end: Duration,
    /// `isb_ifrecv`: frames the kernel received for the capture.
    pub received: Option<u64>,
    /// `isb_ifdrop`: frames the kernel dropped (ring full).
    pub dropped: Option<u64>,
    /// `isb_osdrop`: frames dropped by the operating system.
    pub os_dropped: Option<u64>,
    /// `isb_usrdeliv`: frames delivered to (written by) the program.
    pub delivered: Option<u64>,
}

/// Writes frames as Enhanced Packet Blocks of a pcapng stream.
///
/// Wrap files in a `BufWriter`: every block is written with several small writes. Errors are
/// `std::io::Error`s; a frame the format cannot hold (timestamp after the year 2554, an
/// interface that was not described) gives `ErrorKind::InvalidData` and writes nothing.
pub struct PcapNgSink<W: Write> {
    writer: PcapNgWriter<W>,
    /// Link type of each interface described so far; the index is the interface id.
    interfaces: Vec<LinkType>,
    /// Snap length given to [`PcapNgSink::new`], for interfaces added by link type.
    snaplen: u32,
}

impl<W: Write> PcapNgSink<W> {
    /// Writes a section header for this host and one unnamed interface (`link_type`,
    /// `snaplen`; 0 means no limit).
    pub fn new(writer: W, link_type: LinkType, snaplen: u32) -> io::Result<Self> {
        let mut sink = Self::with_section(writer, &SectionInfo::this_host())?;
        sink.snaplen = snaplen;
        sink.add_interface(&InterfaceInfo {
            snaplen,
            ..InterfaceInfo::new(link_type)
        })?;
        Ok(sink)
    }

    /// Writes the section header; describe interfaces with [`PcapNgSink::add_interface`].
    pub fn with_section(writer: W, section: &SectionInfo) -> io::Result<Self> {
        let mut options = Vec::new();
        if let Some(v) = &section.hardware {
            options.push(SectionHeaderOption::Hardware(Cow::Borrowed(v)));
        }
        if let Some(v) = &section.os {
            options.push(SectionHeaderOption::OS(Cow::Borrowed(v)));
        }
        if let Some(v) = &section.application {
            options.push(SectionHeaderOption::UserApplication(Cow::Borrowed(v)));
        }
        let shb = SectionHeaderBlock {
            endianness: pcap_file::Endianness::native(),
            options,
            ..Default::default()
        };
        let writer = PcapNgWriter::with_section_header(writer, shb).map_err(to_io)?;
        Ok(PcapNgSink {
            writer,
            interfaces: Vec::new(),
            snaplen: 0,
        })
    }

    /// Describes one more interface; returns its id (0, 1, ... in order).
    pub fn add_interface(&mut self, info: &InterfaceInfo) -> io::Result<u32> {
        let linktype = u16::try_from(info.link_type.0).map_err(|_| {
            invalid(format!(
                "link type {} does not fit in a pcapng interface (16 bits)",
                info.link_type.0
            ))
        })?;
        if self.interfaces.len() >= usize::from(u16::MAX) {
            return Err(invalid("too many interfaces for one pcapng file".into()));
        }
        let mut options = Vec::new();
        if let Some(v) = &info.name {
            options.push(InterfaceDescriptionOption::IfName(Cow::Borrowed(v)));
        }
        if let Some(v) = &info.description {
            options.push(InterfaceDescriptionOption::IfDescription(Cow::Borrowed(v)));
        }
        if let Some(m) = &info.mac {
            options.push(InterfaceDescriptionOption::IfMacAddr(Cow::Borrowed(&m[..])));
        }
        if let Some(f) = &info.filter {
            // if_filter: a code byte (0 = libpcap filter string) then the filter text.
            let mut bytes = vec![0u8];
            bytes.extend_from_slice(f.as_bytes());
            options.push(InterfaceDescriptionOption::IfFilter(Cow::Owned(bytes)));
        }
        options.push(InterfaceDescriptionOption::IfTsResol(
            InterfaceTsResolution::NANO,
        ));
        let idb = InterfaceDescriptionBlock {
            linktype: DataLink::from(u32::from(linktype)),
            snaplen: info.snaplen,
            options,
        };
        self.writer.write_pcapng_block(idb).map_err(to_io)?;
        self.interfaces.push(info.link_type);
        Ok((self.interfaces.len() - 1) as u32)
    }

    /// Writes one frame on the interface of its link type (described now if it is new);
    /// `frame.interface` and `frame.number` are not used.
    pub fn write_frame(&mut self, frame: &Frame) -> io::Result<()> {
        let id = match self.interfaces.iter().position(|&lt| lt == frame.link_type) {
            Some(id) => id as u32,
            None => self.add_interface(&InterfaceInfo {
                snaplen: self.snaplen,
                ..InterfaceInfo::new(frame.link_type)
            })?,
        };
        self.write_packet(id, frame, &PacketMeta::default())
    }

    /// Writes one frame on interface `interface` (an id from [`PcapNgSink::add_interface`]),
    /// with its direction and comment.
    pub fn write_packet(
        &mut self,
        interface: u32,
        frame: &Frame,
        meta: &PacketMeta<'_>,
    ) -> io::Result<()> {
        match self.interfaces.get(interface as usize) {
            Some(&lt) if lt == frame.link_type => {}
            Some(&lt) => {
                return Err(invalid(format!(
                    "frame of link type {} written on interface {interface} of link type {}",
                    frame.link_type.0, lt.0
                )));
            }
            None => {
                return Err(invalid(format!(
                    "interface {interface} was not described in this pcapng file"
                )));
            }
        }
        let caplen = u32::try_from(frame.data.len())
            .map_err(|_| invalid("frame longer than 4 GiB".into()))?;
        let mut options = Vec::new();
        if let Some(d) = meta.direction {
            options.push(EnhancedPacketOption::Flags(d.epb_flags()));
        }
        if let Some(c) = meta.comment {
            options.push(EnhancedPacketOption::Common(CommonOption::Comment(
                Cow::Borrowed(c),
            )));
        }
        let packet = EnhancedPacketBlock {
            interface_id: interface,
            timestamp: frame.timestamp,
            // pcapng requires original >= captured; the reader may have raised it the same way.
            original_len: frame.orig_len.max(caplen),
            data: Cow::Borrowed(&frame.data),
            options,
        };
        self.writer.write_pcapng_block(packet).map_err(to_io)?;
        Ok(())
    }

    /// Writes an Interface Statistics Block for `interface` (at the end of a capture, as
    /// dumpcap does, so that Wireshark's capture file properties show the drops).
    pub fn write_stats(&mut self, interface: u32, stats: &InterfaceStats) -> io::Result<()> {
        if interface as usize >= self.interfaces.len() {
            return Err(invalid(format!(
                "interface {interface} was not described in this pcapng file"
            )));
        }
        let mut options = Vec::new();
        if let Some(t) = stats.start {
            options.push(InterfaceStatisticsOption::IsbStartTime(t));
        }
        options.push(InterfaceStatisticsOption::IsbEndTime(stats.end));
        if let Some(n) = stats.received {
            options.push(InterfaceStatisticsOption::IsbIfRecv(n));
        }
        if let Some(n) = stats.dropped {
            options.push(InterfaceStatisticsOption::IsbIfDrop(n));
        }
        if let Some(n) = stats.os_dropped {
            options.push(InterfaceStatisticsOption::IsbOsDrop(n));
        }
        if let Some(n) = stats.delivered {
            options.push(InterfaceStatisticsOption::IsbUsrDeliv(n));
        }
        let isb = InterfaceStatisticsBlock {
            interface_id: interface,
            timestamp: stats.end,
            options,
        };
        self.writer.write_pcapng_block(isb).map_err(to_io)?;
        Ok(())
    }

    /// Number of interfaces described so far.
    pub fn interface_count(&self) -> u32 {
        self.interfaces.len() as u32
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.get_mut().flush()
    }

    /// The underlying writer (e.g. to see how many bytes a file has).
    pub fn get_ref(&self) -> &W {
        self.writer.get_ref()
    }

    /// The underlying writer, mutably (e.g. to take the bytes written to a `Vec`).
    pub fn get_mut(&mut self) -> &mut W {
        self.writer.get_mut()
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.writer.into_inner())
    }
}

/// The framing of one Enhanced Packet Block, encoded by hand for the live capture's fast path:
/// the bytes before the frame's data and the bytes after it (padding, `epb_flags`, end of
/// options, trailing length), identical to what [`PcapNgSink::write_packet`] writes for a
/// file in this host's byte order with `if_tsresol` = 9. The data itself is written from
/// wherever it is (the kernel ring) without being copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpbFraming {
    /// Block type, total length, interface, timestamp, captured and original lengths.
    pub head: [u8; 28],
    tail: [u8; 3 + 12 + 4],
    tail_len: usize,
}

impl EpbFraming {
    /// The framing of a `caplen`-byte frame (`caplen` ≤ `orig_len` is assumed; a smaller
    /// `orig_len` is raised to it as the sink does).
    pub fn new(
        interface: u32,
        timestamp: Duration,
        caplen: usize,
        orig_len: u32,
        direction: Option<Direction>,
    ) -> EpbFraming {
        let ns = u64::try_from(timestamp.as_nanos()).unwrap_or(u64::MAX);
        let pad = (4 - caplen % 4) % 4;
        let opts = if direction.is_some() { 12 } else { 0 };
        let total = (28 + caplen + pad + opts + 4) as u32;
        let caplen32 = caplen as u32;
        let mut head = [0u8; 28];
        for (i, v) in [
            6,
            total,
            interface,
            (ns >> 32) as u32,
            ns as u32,
            caplen32,
            orig_len.max(caplen32),
        ]
        .into_iter()
        .enumerate()
        {
            head[i * 4..i * 4 + 4].copy_from_slice(&v.to_ne_bytes());
        }
        let mut tail = [0u8; 19];
        let mut n = pad;
        if let Some(d) = direction {
            tail[n..n + 2].copy_from_slice(&2u16.to_ne_bytes());
            tail[n + 2..n + 4].copy_from_slice(&4u16.to_ne_bytes());
            tail[n + 4..n + 8].copy_from_slice(&d.epb_flags().to_ne_bytes());
            // opt_endofopt: code 0, length 0.
            n += 12;
        }
        tail[n..n + 4].copy_from_slice(&total.to_ne_bytes());
        n += 4;
        EpbFraming {
            head,
            tail,
            tail_len: n,
        }
    }

    /// The bytes after the data.
    pub fn tail(&self) -> &[u8] {
        &self.tail[..self.tail_len]
    }

    /// Length of the whole block.
    pub fn block_len(&self) -> usize {
        u32::from_ne_bytes([self.head[4], self.head[5], self.head[6], self.head[7]]) as usize
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
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
mod tests;

#[cfg(test)]
mod framing_tests;

#[cfg(test)]
mod meta_tests;
