//! pcapng: blocks framed by a type and two copies of their total length.
//!
//! Framing is done here: block header, length checks, truncation, and the search for the
//! next valid block after a damaged one. Each complete block goes to pcap-file's block parser
//! (`Block::try_from_raw_block`) together with a `PcapNgState` kept here rather than inside a
//! `PcapNgParser`, because recovery must be able to change that state: start a section whose
//! header has damaged options, or keep an interface whose options cannot be read (so that the
//! interface numbers of later packets stay right).
//!
//! Packets come from Enhanced, Simple and (obsolete) Packet Blocks. Section headers and
//! interface descriptions update the state (link type, `if_tsresol`, `if_tsoffset` per
//! interface; interfaces start again at each section). Every other block is skipped unread.
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::Duration;

use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
use pcap_file::pcapng::blocks::section_header::SectionHeaderBlock;
use pcap_file::pcapng::blocks::{
    CUSTOM_BLOCK_COPIABLE, CUSTOM_BLOCK_NON_COPIABLE, ENHANCED_PACKET_BLOCK,
    INTERFACE_DESCRIPTION_BLOCK, INTERFACE_STATISTIC_BLOCK, NAME_RESOLUTION_BLOCK, PACKET_BLOCK,
    SECTION_HEADER_BLOCK, SIMPLE_PACKET_BLOCK, SYSTEMD_JOURNAL_EXPORT_BLOCK,
};
use pcap_file::pcapng::{
    Block, BlockContentParseError, BlockConversionError, ContentValidationError,
};
use pcap_file::pcapng::{PcapNgState, RawBlock};
use pcap_file::{DataLink, Endianness};

use super::step::{Flow, frame_event, warning};
use super::window::Window;
use super::{MAX_PCAPNG_BLOCK, RESYNC_LIMIT, SourceEvent, error_chain};
use crate::frame::LinkType;

/// Smallest Section Header Block: 12 bytes of framing + magic, version, section length.
pub(crate) const SHB_MIN_LEN: usize = 28;
/// Smallest block of any type: type, length, trailing length.
const BLOCK_MIN_LEN: u32 = 12;
/// Decryption Secrets Block (not parsed by pcap-file, but a real block type for resync).
const DECRYPTION_SECRETS_BLOCK: u32 = 0x0000_000a;
/// Section Header Block byte-order magic, as read in the section's own byte order.
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Link type given to packets of an interface whose description is too short to hold one.
const UNKNOWN_LINK_TYPE: u16 = 0xffff;

/// Reads the blocks of a pcapng file, starting with its first Section Header Block.
#[derive(Debug)]
pub(crate) struct PcapNgBlocks {
    state: PcapNgState,
}

/// The pcapng state in force at a point of the file (section header and interfaces),
/// from which [`PcapNgBlocks::restore`] rebuilds a reader.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    section: SectionHeaderBlock<'static>,
    interfaces: Vec<InterfaceDescriptionBlock<'static>>,
}

impl Snapshot {
    /// Rough heap size, in bytes.
    pub(crate) fn approx_bytes(&self) -> usize {
        (self.interfaces.len() + 1) * 256
    }
}

/// The framing fields of a block.
#[derive(Debug, Clone, Copy)]
struct Header {
    type_: u32,
    /// Block total length (leading copy).
    len: u32,
    /// Byte order of the block (a section header carries its own).
    endian: Endianness,
}

impl PcapNgBlocks {
    /// Prepares to read a file whose first bytes (at least [`SHB_MIN_LEN`]) are `start`.
    ///
    /// Fails if the first section header has no valid byte-order magic: without it, nothing
    /// in the file can be read.
    pub(crate) fn new(start: &[u8]) -> Result<PcapNgBlocks, String> {
        let endian = match read_header(start, Endianness::Big) {
            Ok(Some(header)) => header.endian,
            Ok(None) => return Err("the file is too short for a section header".to_string()),
            Err(magic) => {
                return Err(format!(
                    "the first section header has byte-order magic 0x{magic:08x} instead of \
                     0x1a2b3c4d (in either byte order)"
                ));
            }
        };
        let mut blocks = PcapNgBlocks {
            state: PcapNgState::default(),
        };
        // Start the section now, so that even a damaged first header leaves the right byte
        // order in place; the real header is read by the block loop.
        blocks.start_section(endian);
        Ok(blocks)
    }

    /// The state in force now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            section: self.state.section().clone(),
            interfaces: self.state.interfaces().to_vec(),
        }
    }

    /// A reader in the state of `snapshot` (as if its section header and interface
    /// descriptions had just been read).
    pub(crate) fn restore(snapshot: &Snapshot) -> PcapNgBlocks {
        let mut state = PcapNgState::default();
        state.update_from_block(&Block::SectionHeader(snapshot.section.clone()));
        for idb in &snapshot.interfaces {
            state.update_from_block(&Block::InterfaceDescription(idb.clone()));
        }
        PcapNgBlocks { state }
    }

    /// Reads the next block: pushes what it found (frame, warnings) and says whether to go on.
    pub(crate) fn step<R: Read>(
        &mut self,
        win: &mut Window<R>,
        out: &mut VecDeque<SourceEvent>,
    ) -> io::Result<Flow> {
        let offset = win.offset();
        let avail = win.fill(BLOCK_MIN_LEN as usize)?;
        if avail == 0 {
            return Ok(if win.waits_at_end() {
                Flow::Wait
            } else {
                Flow::End
            });
        }
        let header = match read_header(win.bytes(), self.state.endianness()) {
            Ok(Some(header)) => header,
            Ok(None) => {
                if win.waits_at_end() {
                    return Ok(Flow::Wait);
                }
                out.push_back(warning(
                    offset,
                    format!(
                        "the file ends inside a block header: {avail} bytes are present, a block \
                         needs at least {BLOCK_MIN_LEN} (at least {} bytes missing); the capture \
                         was cut off",
                        BLOCK_MIN_LEN as usize - avail
                    ),
                ));
                win.consume(avail);
                return Ok(Flow::End);
            }
            Err(magic) => {
                let problem =
                    format!("a section header with an invalid byte-order magic 0x{magic:08x}");
                return self.resync(win, offset, problem, out);
            }
        };
        let name = block_name(header.type_);
        if let Some(problem) = length_problem(header) {
            let problem = format!(
                "{name} with an impossible total length {} ({problem})",
                header.len
            );
            return self.resync(win, offset, problem, out);
        }
        let len = header.len as usize;
        let avail = win.fill(len)?;
        if avail < len {
            if win.waits_at_end() {
                return Ok(Flow::Wait);
            }
            return self.cut_block(win, offset, header, avail, out);
        }
        let trailer = u32_at(win.bytes(), len - 4, header.endian);
        if trailer != header.len {
            if !self.valid_block_follows(win, len)? {
                let problem = format!(
                    "{name} with mismatched lengths ({} at its start, {trailer} at its end)",
                    header.len
                );
                return self.resync(win, offset, problem, out);
            }
            out.push_back(warning(
                offset,
                format!(
                    "{name} ends with length {trailer} instead of {}; a valid block follows at \
                     byte {}, so the leading length was trusted",
                    header.len,
                    offset + u64::from(header.len)
                ),
            ));
        }
        self.read_block(win, offset, header, out);
        win.consume(len);
        Ok(Flow::Continue)
    }

    /// Interprets one complete, well-framed block (the first `header.len` window bytes).
    fn read_block<R: Read>(
        &mut self,
        win: &mut Window<R>,
        offset: u64,
        header: Header,
        out: &mut VecDeque<SourceEvent>,
    ) {
        match header.type_ {
            SECTION_HEADER_BLOCK => self.read_section_header(win.bytes(), offset, header, out),
            INTERFACE_DESCRIPTION_BLOCK => {
                if let Some(block) = win.bytes_mut().get_mut(..header.len as usize) {
                    zero_reserved_field(block);
                }
                self.read_interface(win.bytes(), offset, header, out);
            }
            ENHANCED_PACKET_BLOCK | PACKET_BLOCK => {
                if let Some(block) = win.bytes_mut().get_mut(..header.len as usize) {
                    raise_orig_len(block, header.endian);
                }
                self.read_packet(win.bytes(), offset, header, out);
            }
            SIMPLE_PACKET_BLOCK => self.read_packet(win.bytes(), offset, header, out),
            // Name resolution, statistics, custom, unknown...: not needed to show frames.
            _ => {}
        }
    }

    fn read_section_header(
        &mut self,
        bytes: &[u8],
        offset: u64,
        header: Header,
        out: &mut VecDeque<SourceEvent>,
    ) {
        match self.parse(header, body(bytes, header)) {
            Ok(block @ Block::SectionHeader(_)) => self.state.update_from_block(&block),
            Ok(_) => {}
            Err(e) => {
                self.start_section(header.endian);
                out.push_back(warning(
                    offset,
                    format!(
                        "the section header cannot be fully read ({}); a new section starts \
                         here anyway",
                        error_chain(&e)
                    ),
                ));
            }
        }
    }

    fn read_interface(
        &mut self,
        bytes: &[u8],
        offset: u64,
        header: Header,
        out: &mut VecDeque<SourceEvent>,
    ) {
        let number = self.state.interfaces().len();
        let body = body(bytes, header);
        match self.parse(header, body) {
            Ok(block @ Block::InterfaceDescription(_)) => self.state.update_from_block(&block),
            Ok(_) => {}
            Err(e) => {
                // Keep the interface (with what its fixed fields say) so that the interface
                // numbers of later packets still point at the right description.
                let link_type = body
                    .get(0..2)
                    .map_or(UNKNOWN_LINK_TYPE, |b| u16_of(b, header.endian));
                let snaplen = body.get(4..8).map_or(0, |b| u32_of(b, header.endian));
                let idb =
                    InterfaceDescriptionBlock::new(DataLink::from(u32::from(link_type)), snaplen);
                self.state
                    .update_from_block(&Block::InterfaceDescription(idb));
                out.push_back(warning(
                    offset,
                    format!(
                        "the description of interface #{number} cannot be fully read ({}); its \
                         packets are read with link type {link_type} and microsecond timestamps",
                        error_chain(&e)
                    ),
                ));
            }
        }
    }

    fn read_packet(
        &mut self,
        bytes: &[u8],
        offset: u64,
        header: Header,
        out: &mut VecDeque<SourceEvent>,
    ) {
        let name = block_name(header.type_);
        let body = body(bytes, header);
        let error = match self.parse(header, body) {
            Ok(block) => {
                self.push_frame(block, out);
                return;
            }
            Err(error) => error,
        };
        // The options (after the packet data) may be the only damaged part: retry without.
        if let Some(fixed) = packet_without_options(body, header)
            && let Ok(block) = self.parse(header, fixed)
        {
            out.push_back(warning(
                offset,
                format!(
                    "the options of this {name} cannot be read ({}); the packet is kept \
                         without them",
                    error_chain(&error)
                ),
            ));
            self.push_frame(block, out);
            return;
        }
        let why = match error.source.as_ref() {
            BlockContentParseError::Validation(ContentValidationError::InvalidInterfaceId(id)) => {
                format!(
                    "it refers to interface #{id}, but this section describes only {} interface(s)",
                    self.state.interfaces().len()
                )
            }
            BlockContentParseError::Validation(ContentValidationError::NoInterface) => {
                "it comes before any interface description".to_string()
            }
            _ => error_chain(&error),
        };
        out.push_back(warning(
            offset,
            format!("{name} cannot be read: {why}; packet skipped"),
        ));
    }

    /// Pushes the frame of a parsed packet block (other blocks push nothing).
    fn push_frame(&self, block: Block<'_>, out: &mut VecDeque<SourceEvent>) {
        let (interface, timestamp, orig_len, data) = match &block {
            Block::EnhancedPacket(p) => (p.interface_id, p.timestamp, p.original_len, &p.data),
            Block::Packet(p) => (
                u32::from(p.interface_id),
                p.timestamp,
                p.original_len,
                &p.data,
            ),
            // Simple Packet Blocks have no timestamp and always belong to interface 0.
            Block::SimplePacket(p) => (0, Duration::ZERO, p.original_len, &p.data),
            _ => return,
        };
        let link_type = self
            .state
            .interfaces()
            .get(interface as usize)
            .map_or(LinkType(u32::from(UNKNOWN_LINK_TYPE)), |idb| {
                LinkType(u32::from(idb.linktype))
            });
        let caplen = u32::try_from(data.len()).unwrap_or(u32::MAX);
        out.push_back(frame_event(
            timestamp,
            link_type,
            orig_len.max(caplen),
            interface,
            data,
        ));
    }

    /// Parses a block whose framing was checked, with `body` (all or part of its body).
    fn parse<'a>(&self, header: Header, body: &'a [u8]) -> Result<Block<'a>, BlockConversionError> {
        let raw = RawBlock {
            type_: header.type_,
            initial_len: header.len,
            body: Cow::Borrowed(body),
            trailer_len: header.len,
        };
        raw.try_into_block(&self.state)
    }

    /// Starts a new section with no options in the given byte order (interfaces reset).
    fn start_section(&mut self, endianness: Endianness) {
        let shb = SectionHeaderBlock {
            endianness,
            major_version: 1,
            minor_version: 0,
            section_length: -1,
            options: vec![],
        };
        self.state.update_from_block(&Block::SectionHeader(shb));
    }

    /// The block at `offset` claims more bytes than the file has left (`avail`). Either its
    /// length is wrong (then a valid block is found inside the claimed span) or the file was
    /// cut off.
    fn cut_block<R: Read>(
        &mut self,
        win: &mut Window<R>,
        offset: u64,
        header: Header,
        avail: usize,
        out: &mut VecDeque<SourceEvent>,
    ) -> io::Result<Flow> {
        let name = block_name(header.type_);
        win.consume(4);
        if self.scan(win)? == Scan::Found {
            let next = win.offset();
            out.push_back(warning(
                offset,
                format!(
                    "{name} claims {} bytes but the file has only {avail} left, and a valid block \
                     starts at byte {next}: its length is wrong; skipped {} bytes",
                    header.len,
                    next - offset
                ),
            ));
            return Ok(Flow::Continue);
        }
        out.push_back(warning(
            offset,
            format!(
                "the file ends inside this {name}: it is {} bytes long, only {avail} are present, \
                 {} bytes missing; the capture was cut off",
                header.len,
                header.len as usize - avail
            ),
        ));
        win.consume_to_end()?;
        Ok(Flow::End)
    }

    /// The block at `offset` is damaged (`problem` says how): report it and look for the next
    /// valid block.
    fn resync<R: Read>(
        &mut self,
        win: &mut Window<R>,
        offset: u64,
        problem: String,
        out: &mut VecDeque<SourceEvent>,
    ) -> io::Result<Flow> {
        win.consume(4);
        let scan = self.scan(win)?;
        let skipped = win.offset() - offset;
        let (message, flow) = match scan {
            Scan::Found => (
                format!(
                    "{problem}; skipped {skipped} bytes to the next valid block at byte {}",
                    win.offset()
                ),
                Flow::Continue,
            ),
            Scan::EndOfFile => (
                format!(
                    "{problem}; no valid block follows ({skipped} bytes skipped to the end of the file)"
                ),
                Flow::End,
            ),
            Scan::GaveUp => (
                format!(
                    "{problem}; no valid block in the next {RESYNC_LIMIT} bytes, reading stops"
                ),
                Flow::End,
            ),
        };
        out.push_back(warning(offset, message));
        Ok(flow)
    }

    /// Moves forward in 4-byte steps until a plausible block starts at the window's start.
    fn scan<R: Read>(&self, win: &mut Window<R>) -> io::Result<Scan> {
        let start = win.offset();
        loop {
            if win.offset() - start > RESYNC_LIMIT {
                return Ok(Scan::GaveUp);
            }
            let avail = win.fill(BLOCK_MIN_LEN as usize)?;
            if avail < BLOCK_MIN_LEN as usize {
                win.consume(avail);
                return Ok(Scan::EndOfFile);
            }
            if self.plausible_block_at(win, 0)? {
                return Ok(Scan::Found);
            }
            win.consume(4);
        }
    }

    /// After a block of `len` bytes whose trailing length is wrong: does the file end right
    /// there or continue with a plausible block?
    fn valid_block_follows<R: Read>(&self, win: &mut Window<R>, len: usize) -> io::Result<bool> {
        if win.fill(len + 1)? == len {
            return Ok(true);
        }
        self.plausible_block_at(win, len)
    }

    /// True if a block of a known type starts `at` bytes into the window, with a sane length,
    /// a matching trailing length and (for packets) an interface that exists.
    fn plausible_block_at<R: Read>(&self, win: &mut Window<R>, at: usize) -> io::Result<bool> {
        if win.fill(at + BLOCK_MIN_LEN as usize)? < at + BLOCK_MIN_LEN as usize {
            return Ok(false);
        }
        let Some(bytes) = win.bytes().get(at..) else {
            return Ok(false);
        };
        let Ok(Some(header)) = read_header(bytes, self.state.endianness()) else {
            return Ok(false);
        };
        let Some(min_len) = known_min_len(header.type_) else {
            return Ok(false);
        };
        if header.len < min_len || length_problem(header).is_some() {
            return Ok(false);
        }
        let end = at + header.len as usize;
        if win.fill(end)? < end {
            return Ok(false);
        }
        let Some(block) = win.bytes().get(at..end) else {
            return Ok(false);
        };
        if u32_at(block, block.len() - 4, header.endian) != header.len {
            return Ok(false);
        }
        let interfaces = self.state.interfaces().len();
        Ok(match header.type_ {
            ENHANCED_PACKET_BLOCK => (u32_at(block, 8, header.endian) as usize) < interfaces,
            PACKET_BLOCK => {
                (u16_of(block.get(8..10).unwrap_or(&[]), header.endian) as usize) < interfaces
            }
            SIMPLE_PACKET_BLOCK => interfaces > 0,
            _ => true,
        })
    }
}

/// How a scan for the next valid block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// A plausible block starts at the window's start.
    Found,
    /// The file ended first (everything consumed).
    EndOfFile,
    /// [`RESYNC_LIMIT`] bytes scanned without success.
    GaveUp,
}

/// Reads the framing fields at the start of `bytes`, in the section's byte order (a section
/// header gives its own). `Ok(None)` if too few bytes; `Err(magic)` for a section header with
/// a bad byte-order magic.
fn read_header(bytes: &[u8], section: Endianness) -> Result<Option<Header>, u32> {
    let Some(type_bytes) = bytes.get(0..4) else {
        return Ok(None);
    };
    let type_ = u32_of(type_bytes, section);
    if type_ == SECTION_HEADER_BLOCK {
        // The type reads the same in both orders; the byte-order magic tells which it is.
        let Some(magic) = bytes.get(8..12) else {
            return Ok(None);
        };
        let endian = if u32_of(magic, Endianness::Big) == BYTE_ORDER_MAGIC {
            Endianness::Big
        } else if u32_of(magic, Endianness::Little) == BYTE_ORDER_MAGIC {
            Endianness::Little
        } else {
            return Err(u32_of(magic, Endianness::Big));
        };
        return Ok(Some(Header {
            type_,
            len: u32_at(bytes, 4, endian),
            endian,
        }));
    }
    let Some(len) = bytes.get(4..8) else {
        return Ok(None);
    };
    Ok(Some(Header {
        type_,
        len: u32_of(len, section),
        endian: section,
    }))
}

/// What is wrong with a block's total length, if anything.
fn length_problem(header: Header) -> Option<String> {
    let min = if header.type_ == SECTION_HEADER_BLOCK {
        SHB_MIN_LEN as u32
    } else {
        BLOCK_MIN_LEN
    };
    if !header.len.is_multiple_of(4) {
        Some("not a multiple of 4".to_string())
    } else if header.len < min {
        Some(format!("less than the minimum {min}"))
    } else if header.len > MAX_PCAPNG_BLOCK {
        Some(format!("more than the {MAX_PCAPNG_BLOCK} accepted"))
    } else {
        None
    }
}

/// Smallest total length of a block of a known type; `None` for unknown types (never
/// accepted when resynchronising).
fn known_min_len(type_: u32) -> Option<u32> {
    Some(match type_ {
        SECTION_HEADER_BLOCK => SHB_MIN_LEN as u32,
        INTERFACE_DESCRIPTION_BLOCK => 20,
        PACKET_BLOCK | ENHANCED_PACKET_BLOCK => 32,
        SIMPLE_PACKET_BLOCK => 16,
        NAME_RESOLUTION_BLOCK | SYSTEMD_JOURNAL_EXPORT_BLOCK => 12,
        INTERFACE_STATISTIC_BLOCK => 24,
        DECRYPTION_SECRETS_BLOCK => 20,
        CUSTOM_BLOCK_COPIABLE | CUSTOM_BLOCK_NON_COPIABLE => 16,
        _ => return None,
    })
}

/// A short name for warnings.
fn block_name(type_: u32) -> &'static str {
    match type_ {
        SECTION_HEADER_BLOCK => "section header block",
        INTERFACE_DESCRIPTION_BLOCK => "interface description block",
        PACKET_BLOCK => "packet block",
        SIMPLE_PACKET_BLOCK => "simple packet block",
        NAME_RESOLUTION_BLOCK => "name resolution block",
        INTERFACE_STATISTIC_BLOCK => "interface statistics block",
        ENHANCED_PACKET_BLOCK => "enhanced packet block",
        DECRYPTION_SECRETS_BLOCK => "decryption secrets block",
        CUSTOM_BLOCK_COPIABLE | CUSTOM_BLOCK_NON_COPIABLE => "custom block",
        _ => "block",
    }
}

/// The body of a well-framed block (between the leading length and the trailing length).
fn body(bytes: &[u8], header: Header) -> &[u8] {
    bytes.get(8..header.len as usize - 4).unwrap_or(&[])
}

/// The body of an Enhanced or (obsolete) Packet Block cut after its padded packet data, when
/// it has options; `None` otherwise.
fn packet_without_options(body: &[u8], header: Header) -> Option<&[u8]> {
    if !matches!(header.type_, ENHANCED_PACKET_BLOCK | PACKET_BLOCK) {
        return None;
    }
    let caplen = u32_at(body, 12, header.endian) as usize;
    let end = 20usize.checked_add(caplen.checked_next_multiple_of(4)?)?;
    if end >= body.len() {
        return None;
    }
    body.get(..end)
}

/// An Enhanced or Packet Block (`block`, trailer included) whose original length is below its
/// captured length: raise the original length in place (the frame keeps every captured byte;
/// `orig_len` = the larger), since pcap-file rejects such blocks.
fn raise_orig_len(block: &mut [u8], endian: Endianness) {
    // Block offsets: 8 + 12 = captured length, 8 + 16 = original length (both block types),
    // then at least the trailing length: the block must be 32 bytes or more.
    if block.len() < 32 {
        return;
    }
    let caplen = u32_at(block, 20, endian);
    let Some(orig) = block.get_mut(24..28) else {
        return;
    };
    if u32_of(orig, endian) < caplen {
        let bytes = match endian {
            Endianness::Big => caplen.to_be_bytes(),
            Endianness::Little => caplen.to_le_bytes(),
        };
        orig.copy_from_slice(&bytes);
    }
}

/// Interface Description Blocks (`block`, trailer included) must have a zero reserved field;
/// pcap-file rejects the block otherwise, Wireshark ignores it. Clear it in place.
fn zero_reserved_field(block: &mut [u8]) {
    // Link type at 8..10, reserved at 10..12, snap length at 12..16, trailer after.
    if block.len() >= 20
        && let Some(reserved) = block.get_mut(10..12)
    {
        reserved.fill(0);
    }
}

/// The u32 at `at` in `bytes` (0 if out of range).
fn u32_at(bytes: &[u8], at: usize, endian: Endianness) -> u32 {
    bytes
        .get(at..at.saturating_add(4))
        .map_or(0, |b| u32_of(b, endian))
}

/// A u32 from the first 4 bytes of `bytes` (0 if shorter).
fn u32_of(bytes: &[u8], endian: Endianness) -> u32 {
    let Some(b) = bytes.first_chunk::<4>() else {
        return 0;
    };
    match endian {
        Endianness::Big => u32::from_be_bytes(*b),
        Endianness::Little => u32::from_le_bytes(*b),
    }
}

/// A u16 from the first 2 bytes of `bytes` (0 if shorter).
fn u16_of(bytes: &[u8], endian: Endianness) -> u16 {
    let Some(b) = bytes.first_chunk::<2>() else {
        return 0;
    };
    match endian {
        Endianness::Big => u16::from_be_bytes(*b),
        Endianness::Little => u16::from_le_bytes(*b),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::testdata::{block, epb, idb, options, pb, read_all, shb, spb, split};
    use super::super::{CaptureReader, MAX_PCAPNG_BLOCK, RESYNC_LIMIT};
    use crate::frame::LinkType;

    /// if_tsresol option code.
    const TSRESOL: u16 = 9;
    /// if_tsoffset option code.
    const TSOFFSET: u16 = 14;

    /// SHB + IDB + EPB, little-endian, written out byte by byte.
    #[test]
    fn little_endian_by_hand() {
        #[rustfmt::skip]
        let file = [
            // --- Section Header Block ---
            0x0a, 0x0d, 0x0d, 0x0a, // block type SHB
            0x1c, 0x00, 0x00, 0x00, // block total length 28
            0x4d, 0x3c, 0x2b, 0x1a, // byte-order magic 0x1a2b3c4d, little-endian
            0x01, 0x00, 0x00, 0x00, // version 1.0
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // section length -1
            0x1c, 0x00, 0x00, 0x00, // block total length 28
            // --- Interface Description Block ---
            0x01, 0x00, 0x00, 0x00, // block type IDB
            0x14, 0x00, 0x00, 0x00, // block total length 20
            0x01, 0x00,             // link type 1 (Ethernet)
            0x00, 0x00,             // reserved
            0x00, 0x00, 0x04, 0x00, // snaplen 262144
            0x14, 0x00, 0x00, 0x00, // block total length 20
            // --- Enhanced Packet Block ---
            0x06, 0x00, 0x00, 0x00, // block type EPB
            0x24, 0x00, 0x00, 0x00, // block total length 36
            0x00, 0x00, 0x00, 0x00, // interface 0
            0x6d, 0x5c, 0x05, 0x00, // timestamp high 0x00055c6d
            0x00, 0x50, 0xf7, 0x70, // timestamp low 0x70f75000: 0x00055c6d70f75000 us
            0x03, 0x00, 0x00, 0x00, // captured length 3
            0x40, 0x00, 0x00, 0x00, // original length 64
            0xaa, 0xbb, 0xcc, 0x00, // data + 1 byte of padding
            0x24, 0x00, 0x00, 0x00, // block total length 36
        ];
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(frames.len(), 1);
        let f = &frames[0];
        assert_eq!(f.number, 1);
        // 0x00055c6d70f75000 = 1_509_000_000_000_000 us (default resolution: microseconds).
        assert_eq!(f.timestamp, Duration::from_secs(1_509_000_000));
        assert_eq!(
            (f.link_type, f.interface, f.orig_len),
            (LinkType::ETHERNET, 0, 64)
        );
        assert_eq!(f.data, [0xaa, 0xbb, 0xcc]);
    }

    /// One interface with the given IDB options, one EPB with raw timestamp `ts`.
    fn one_packet(le: bool, opts: &[(u16, &[u8])], ts: u64) -> Duration {
        let mut file = shb(le);
        file.extend(idb(le, 1, 0, opts));
        file.extend(epb(le, 0, ts, &[1, 2, 3, 4], 4));
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(frames.len(), 1);
        frames[0].timestamp
    }

    #[test]
    fn timestamp_resolutions_and_offset() {
        for le in [true, false] {
            // No if_tsresol: microseconds.
            assert_eq!(
                one_packet(le, &[], 1_600_000_000_123_456),
                Duration::new(1_600_000_000, 123_456_000)
            );
            // if_tsresol 6 (10^-6), explicit.
            assert_eq!(
                one_packet(le, &[(TSRESOL, &[6])], 1_600_000_000_123_456),
                Duration::new(1_600_000_000, 123_456_000)
            );
            // if_tsresol 9 (10^-9): exact to the nanosecond.
            assert_eq!(
                one_packet(le, &[(TSRESOL, &[9])], 1_600_000_000_123_456_789),
                Duration::new(1_600_000_000, 123_456_789)
            );
            // if_tsresol 0x8a (2^-10): 512 ticks = 0.5 s; one tick = 976562.5 ns, truncated.
            let bin = [(TSRESOL, &[0x8a][..])];
            assert_eq!(
                one_packet(le, &bin, 1_600_000_000 * 1024 + 512),
                Duration::new(1_600_000_000, 500_000_000)
            );
            assert_eq!(
                one_packet(le, &bin, 1_600_000_000 * 1024 + 1),
                Duration::new(1_600_000_000, 976_562)
            );
            // if_tsoffset: 1e9 seconds added to every timestamp.
            let offset = if le {
                1_000_000_000i64.to_le_bytes()
            } else {
                1_000_000_000i64.to_be_bytes()
            };
            assert_eq!(
                one_packet(le, &[(TSOFFSET, &offset)], 600_000_000_000_250),
                Duration::new(1_600_000_000, 250_000)
            );
            // Both options together, in either order.
            let ns = [9u8];
            assert_eq!(
                one_packet(
                    le,
                    &[(TSOFFSET, &offset), (TSRESOL, &ns)],
                    600_000_000_000_000_007
                ),
                Duration::new(1_600_000_000, 7)
            );
        }
    }

    #[test]
    fn two_interfaces_with_their_own_link_types_and_resolutions() {
        let le = true;
        let mut file = shb(le);
        file.extend(idb(le, 1, 0, &[])); // #0 Ethernet, microseconds
        file.extend(idb(le, 101, 0, &[(TSRESOL, &[9])])); // #1 raw IP, nanoseconds
        file.extend(epb(le, 1, 5_000_000_001, &[0x45], 1));
        file.extend(epb(le, 0, 5_000_001, &[0xff; 14], 14));
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(frames.len(), 2);
        assert_eq!(
            (frames[0].interface, frames[0].link_type),
            (1, LinkType::RAW)
        );
        assert_eq!(frames[0].timestamp, Duration::new(5, 1));
        assert_eq!(
            (frames[1].interface, frames[1].link_type),
            (0, LinkType::ETHERNET)
        );
        assert_eq!(frames[1].timestamp, Duration::new(5, 1000));
        assert_eq!((frames[0].number, frames[1].number), (1, 2));
    }

    #[test]
    fn two_sections_reset_interfaces_and_may_change_byte_order() {
        let mut file = shb(true);
        file.extend(idb(true, 1, 0, &[])); // section 1: #0 Ethernet
        file.extend(idb(true, 113, 0, &[])); // section 1: #1 Linux SLL
        file.extend(epb(true, 1, 1, &[1], 1));
        let second = file.len() as u64;
        file.extend(shb(false)); // section 2, big-endian
        file.extend(idb(false, 101, 0, &[(TSRESOL, &[9])])); // section 2: #0 raw IP, ns
        let stale = file.len() as u64;
        file.extend(epb(false, 1, 2, &[2], 1)); // interface #1 no longer exists
        file.extend(epb(false, 0, 3, &[3], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2);
        assert_eq!(
            (frames[0].link_type, frames[0].data[0]),
            (LinkType::LINUX_SLL, 1)
        );
        assert_eq!(frames[0].timestamp, Duration::from_micros(1));
        assert_eq!((frames[1].link_type, frames[1].data[0]), (LinkType::RAW, 3));
        assert_eq!(frames[1].timestamp, Duration::from_nanos(3));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, stale);
        assert!(
            warnings[0].message.contains("interface #1"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].message.contains("only 1 interface"),
            "{}",
            warnings[0]
        );
        assert!(stale > second);
    }

    #[test]
    fn simple_and_obsolete_packet_blocks_yield_frames_other_blocks_are_skipped() {
        let le = false;
        let mut file = shb(le);
        file.extend(idb(le, 1, 4, &[])); // snaplen 4
        file.extend(block(le, 4, &[0, 0, 0, 0])); // Name Resolution Block: just nrb_record_end
        file.extend(spb(le, &[9, 8, 7, 6], 60)); // orig 60, captured min(60, 4) = 4 bytes
        file.extend(block(le, 5, &[0; 12])); // Interface Statistics Block: if 0, timestamp 0
        file.extend(pb(le, 0, 7_000_001, &[5, 5], 2));
        file.extend(block(le, 0x0bad, &[0, 0, 0x7e, 0x4f, 1, 2, 3, 4])); // custom block, PEN 32335
        file.extend(block(le, 0x4000_0bad, &[0, 0, 0x7e, 0x4f])); // non-copiable custom block
        file.extend(block(le, 0x1234_5678, &[1, 2, 3])); // unknown type
        file.extend(block(le, 0x0a, &[0x54, 0x4c, 0x53, 0x4b, 0, 0, 0, 0])); // decryption secrets
        file.extend(epb(le, 0, 1, &[1, 1, 1], 3));
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(frames.len(), 3);
        assert_eq!(
            (frames[0].timestamp, frames[0].orig_len),
            (Duration::ZERO, 60)
        );
        assert_eq!(frames[0].data, [9, 8, 7, 6]);
        assert_eq!(frames[1].timestamp, Duration::new(7, 1000));
        assert_eq!(frames[1].data, [5, 5]);
        assert_eq!(frames[2].data, [1, 1, 1]);
        assert_eq!(
            frames.iter().map(|f| f.number).collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }

    #[test]
    fn orig_len_smaller_than_captured_is_raised() {
        let mut file = shb(true);
        file.extend(idb(true, 1, 0, &[]));
        file.extend(epb(true, 0, 0, &[1, 2, 3, 4, 5], 2));
        file.extend(pb(true, 0, 0, &[1, 2, 3], 0));
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!((frames[0].orig_len, frames[0].caplen()), (5, 5));
        assert_eq!((frames[1].orig_len, frames[1].caplen()), (3, 3));
    }

    /// A small file: SHB, IDB, EPB, ISB (skipped), EPB, EPB.
    fn small_file() -> (Vec<u8>, Vec<(usize, usize, bool)>) {
        let le = true;
        let parts = [
            shb(le),
            idb(le, 1, 0, &[(TSRESOL, &[9])]),
            epb(le, 0, 1, &[0; 5], 5),
            block(le, 5, &[0; 12]),
            epb(le, 0, 2, &[1; 8], 8),
            epb(le, 0, 3, &[2; 1], 1),
        ];
        let mut file = vec![];
        let mut spans = vec![]; // (start, end, is a packet)
        for (i, part) in parts.iter().enumerate() {
            spans.push((file.len(), file.len() + part.len(), matches!(i, 2 | 4 | 5)));
            file.extend(part);
        }
        (file, spans)
    }

    #[test]
    fn every_truncation_point() {
        let (file, spans) = small_file();
        for cut in 0..=file.len() {
            let prefix = &file[..cut];
            let reader = match CaptureReader::new(prefix) {
                Ok(reader) => reader,
                Err(e) => {
                    assert!(cut < 28, "cut {cut}: {e}");
                    continue;
                }
            };
            let (frames, warnings) = split(reader.collect());
            let complete_packets = spans
                .iter()
                .filter(|&&(_, end, pkt)| pkt && end <= cut)
                .count();
            assert_eq!(frames.len(), complete_packets, "cut {cut}");
            for (i, frame) in frames.iter().enumerate() {
                assert_eq!(frame.data[0], i as u8, "cut {cut}");
                assert_eq!(
                    frame.timestamp,
                    Duration::from_nanos(i as u64 + 1),
                    "cut {cut}"
                );
            }
            match spans
                .iter()
                .find(|&&(start, end, _)| start < cut && cut < end)
            {
                None => assert!(warnings.is_empty(), "cut {cut}: {warnings:?}"),
                Some(&(start, end, _)) => {
                    assert_eq!(warnings.len(), 1, "cut {cut}: {warnings:?}");
                    assert_eq!(warnings[0].offset, start as u64, "cut {cut}");
                    let present = cut - start;
                    let missing = if present < 8 {
                        12 - present.min(12)
                    } else {
                        end - cut
                    };
                    let text = &warnings[0].message;
                    assert!(
                        text.contains(&format!("{missing} bytes missing")),
                        "cut {cut}: {text}"
                    );
                }
            }
        }
    }

    /// SHB, IDB, one good EPB; returns the file and the offset where the next block goes.
    fn good_start() -> Vec<u8> {
        let mut file = shb(true);
        file.extend(idb(true, 1, 0, &[]));
        file.extend(epb(true, 0, 1, &[0xa0], 1));
        file
    }

    /// Sets the leading length of the block at `at` (little-endian file).
    fn set_len(file: &mut [u8], at: usize, len: u32) {
        file[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
    }

    #[test]
    fn impossible_lengths_resync_to_the_next_block() {
        // (leading length, what the warning says)
        let cases: [(u32, &str); 4] = [
            (37, "not a multiple of 4"),
            (8, "less than the minimum 12"),
            (0, "less than the minimum 12"),
            (0x7fff_fff0, "more than the"),
        ];
        for (len, why) in cases {
            let mut file = good_start();
            let bad = file.len();
            file.extend(epb(true, 0, 2, &[0xbb; 9], 9)); // 48 bytes, length to be broken
            set_len(&mut file, bad, len);
            let next = file.len();
            file.extend(epb(true, 0, 3, &[0xc0], 1));
            let (frames, warnings) = read_all(&file);
            assert_eq!(frames.len(), 2, "len {len}: {warnings:?}");
            assert_eq!((frames[0].data[0], frames[1].data[0]), (0xa0, 0xc0));
            assert_eq!(frames[1].number, 2);
            assert_eq!(warnings.len(), 1, "len {len}");
            assert_eq!(warnings[0].offset, bad as u64);
            let text = &warnings[0].message;
            assert!(text.contains(why), "len {len}: {text}");
            assert!(
                text.contains(&format!("skipped {} bytes", next - bad)),
                "len {len}: {text}"
            );
            assert!(
                text.contains(&format!("at byte {next}")),
                "len {len}: {text}"
            );
        }
    }

    #[test]
    fn length_beyond_the_end_of_the_file() {
        // Wrong length, a valid block inside the claimed span: resync.
        let mut file = good_start();
        let bad = file.len();
        file.extend(epb(true, 0, 2, &[0xbb; 4], 4)); // 36 bytes
        set_len(&mut file, bad, 4000);
        let next = file.len();
        file.extend(epb(true, 0, 3, &[0xc0], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].data, [0xc0]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        let text = &warnings[0].message;
        assert!(text.contains("claims 4000 bytes"), "{text}");
        assert!(
            text.contains(&format!("skipped {} bytes", next - bad)),
            "{text}"
        );

        // Nothing valid after: it is reported as a cut-off file.
        let mut file = good_start();
        let bad = file.len();
        file.extend([0x06, 0, 0, 0, 0xa0, 0x0f, 0, 0, 1, 2, 3, 4]); // EPB claiming 4000 bytes
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 1);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0].message.contains("3988 bytes missing"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn trailing_length_mismatch_with_a_valid_block_after_keeps_the_packet() {
        let mut file = good_start();
        let bad = file.len();
        file.extend(epb(true, 0, 2, &[0xbb; 4], 4)); // 36 bytes
        let end = file.len();
        file[end - 4..end].copy_from_slice(&40u32.to_le_bytes()); // trailer says 40
        file.extend(epb(true, 0, 3, &[0xc0], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 3, "{warnings:?}");
        assert_eq!(frames[1].data, [0xbb; 4]);
        assert_eq!(frames[2].data, [0xc0]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0]
                .message
                .contains("ends with length 40 instead of 36"),
            "{}",
            warnings[0]
        );

        // The same block last in the file: the end of the file counts as a valid follower.
        let mut file = good_start();
        file.extend(epb(true, 0, 2, &[0xbb; 4], 4));
        let end = file.len();
        file[end - 4..end].copy_from_slice(&0u32.to_le_bytes());
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn trailing_length_mismatch_without_a_valid_block_after_resyncs() {
        let mut file = good_start();
        let bad = file.len();
        // A block whose leading length (20) is too short: its trailer copy reads packet bytes.
        file.extend(epb(true, 0, 2, &[0xbb; 12], 12)); // 44 bytes
        set_len(&mut file, bad, 20);
        let next = file.len();
        file.extend(epb(true, 0, 3, &[0xc0], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2, "{warnings:?}");
        assert_eq!(frames[1].data, [0xc0]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        let text = &warnings[0].message;
        assert!(
            text.contains("mismatched lengths (20 at its start"),
            "{text}"
        );
        assert!(
            text.contains(&format!("skipped {} bytes", next - bad)),
            "{text}"
        );
    }

    #[test]
    fn garbage_to_the_end_of_the_file() {
        let mut file = good_start();
        let bad = file.len();
        file.extend([0u8; 203]); // type 0, length 0, and not a multiple of 4 long
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 1);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0]
                .message
                .contains("no valid block follows (203 bytes skipped"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn resync_gives_up_after_its_limit() {
        let mut file = good_start();
        let bad = file.len();
        file.extend(vec![0xffu8; RESYNC_LIMIT as usize + 64]);
        file.extend(epb(true, 0, 3, &[0xc0], 1)); // too far to be found
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 1);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0].message.contains("reading stops"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn largest_block_is_accepted() {
        let mut file = good_start();
        let data = vec![0x11; MAX_PCAPNG_BLOCK as usize - 32];
        file.extend(epb(true, 0, 2, &data, data.len() as u32));
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(frames[1].caplen(), data.len());
    }

    #[test]
    fn section_header_with_bad_byte_order_magic_mid_file() {
        let mut file = good_start();
        let bad = file.len();
        let mut broken = shb(false);
        broken[8..12].copy_from_slice(b"oops");
        file.extend(broken);
        file.extend(epb(true, 0, 3, &[0xc0], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0].message.contains("byte-order magic 0x6f6f7073"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn unparsable_blocks_are_reported_and_skipped() {
        let le = true;
        let mut file = shb(le);
        file.extend(idb(le, 1, 0, &[]));
        let bad_iface = file.len();
        file.extend(epb(le, 7, 0, &[1], 1)); // interface 7 does not exist
        let bad_opts = file.len();
        let mut with_opts = epb(le, 0, 0, &[2], 1);
        // Replace the trailer with an epb_comment option holding invalid UTF-8, then re-frame.
        with_opts.truncate(with_opts.len() - 4);
        let body = [&with_opts[8..], &options(le, &[(1, &[0xff, 0xfe])])[..]].concat();
        file.extend(block(le, 6, &body));
        file.extend(epb(le, 0, 0, &[3], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.iter().map(|f| f.data[0]).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(warnings[0].offset, bad_iface as u64);
        assert!(
            warnings[0].message.contains("interface #7"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].message.contains("packet skipped"),
            "{}",
            warnings[0]
        );
        assert_eq!(warnings[1].offset, bad_opts as u64);
        assert!(
            warnings[1].message.contains("packet is kept"),
            "{}",
            warnings[1]
        );
    }

    #[test]
    fn simple_packet_before_any_interface() {
        let mut file = shb(true);
        let bad = file.len();
        file.extend(spb(true, &[1, 2, 3, 4], 4));
        let (frames, warnings) = read_all(&file);
        assert!(frames.is_empty());
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0].message.contains("before any interface"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn damaged_interface_keeps_its_number() {
        let le = true;
        let mut file = shb(le);
        let bad = file.len();
        // if_tsresol with a wrong size (2 bytes instead of 1): options unreadable.
        file.extend(idb(le, 113, 0, &[(TSRESOL, &[9, 9])]));
        file.extend(idb(le, 101, 0, &[(TSRESOL, &[9])]));
        file.extend(epb(le, 0, 1_000_000, &[1], 1));
        file.extend(epb(le, 1, 1_000_000, &[2], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2);
        // Interface #0 kept its link type; microseconds assumed.
        assert_eq!(
            (frames[0].link_type, frames[0].timestamp),
            (LinkType::LINUX_SLL, Duration::from_secs(1))
        );
        // Interface #1 is still #1.
        assert_eq!(
            (frames[1].link_type, frames[1].timestamp),
            (LinkType::RAW, Duration::from_millis(1))
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0].message.contains("interface #0"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn nonzero_reserved_field_in_interface_is_ignored() {
        let mut file = shb(true);
        let mut desc = idb(true, 1, 0, &[(TSRESOL, &[9])]);
        desc[10] = 0x12; // reserved field
        file.extend(desc);
        file.extend(epb(true, 0, 5, &[1], 1));
        let (frames, warnings) = read_all(&file);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(frames[0].timestamp, Duration::from_nanos(5));
    }

    #[test]
    fn damaged_section_header_options_still_start_a_section() {
        let mut file = good_start();
        let bad = file.len();
        // A big-endian SHB whose shb_comment is invalid UTF-8.
        let mut body = vec![0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0]; // magic, version 1.0
        body.extend([0xff; 8]); // section length -1
        body.extend(options(false, &[(1, &[0xc3, 0x28])]));
        file.extend(block(false, 0x0a0d_0d0a, &body));
        file.extend(idb(false, 101, 0, &[]));
        file.extend(epb(false, 0, 1, &[0x45], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2, "{warnings:?}");
        assert_eq!(frames[1].link_type, LinkType::RAW);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].offset, bad as u64);
        assert!(
            warnings[0].message.contains("new section starts here"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn many_packets_stream_in_order() {
        let mut file = shb(true);
        file.extend(idb(true, 1, 0, &[(TSRESOL, &[9])]));
        for i in 0..5000u32 {
            file.extend(epb(true, 0, u64::from(i), &i.to_le_bytes(), 60));
        }
        let mut n = 0u32;
        for event in CaptureReader::new(&file[..]).unwrap() {
            let crate::source::SourceEvent::Frame(f) = event else {
                panic!("{event:?}")
            };
            assert_eq!(f.data, n.to_le_bytes());
            assert_eq!(f.number, u64::from(n) + 1);
            n += 1;
        }
        assert_eq!(n, 5000);
    }
}

/// The reader against tshark on crafted pcapng files with the features the public captures
/// lack: several interfaces, resolutions and offsets, sections in both byte orders.
#[cfg(test)]
mod vs_tshark {
    use std::io::Write;

    use super::super::testdata::{
        epb, idb, pb, read_all, shb, spb, tshark_available, tshark_fields,
    };

    fn compare(name: &str, file: &[u8]) {
        let mut temp = tempfile::NamedTempFile::new().unwrap();
        temp.write_all(file).unwrap();
        let (frames, warnings) = read_all(file);
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        let fields = [
            "frame.time_epoch",
            "frame.len",
            "frame.cap_len",
            "frame.interface_id",
        ];
        let rows = tshark_fields(temp.path(), &fields);
        assert_eq!(rows.len(), frames.len(), "{name}: {rows:?}");
        for (row, f) in rows.iter().zip(&frames) {
            // tshark prints nanoseconds; compare to the microsecond (binary resolutions are
            // converted with different rounding). No time at all (Simple Packet Blocks): we
            // give the epoch.
            let (secs, micros) = match row[0].split_once('.') {
                Some((secs, frac)) => (secs.parse().unwrap(), frac[..6].parse().unwrap()),
                None => (0, 0),
            };
            let got = (
                f.timestamp.as_secs(),
                f.timestamp.subsec_micros(),
                f.orig_len,
                f.caplen(),
                f.interface,
            );
            let want = (
                secs,
                micros,
                row[1].parse().unwrap(),
                row[2].parse().unwrap(),
                row[3].parse().unwrap(),
            );
            assert_eq!(got, want, "{name}: frame {}", f.number);
        }
    }

    #[test]
    fn crafted_files_match_tshark() {
        if !tshark_available("crafted_files_match_tshark") {
            return;
        }
        let eth = [
            0xffu8, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1,
        ];
        let ip = [
            0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
        ];
        for le in [true, false] {
            let offset = if le {
                100_000i64.to_le_bytes()
            } else {
                100_000i64.to_be_bytes()
            };
            let mut file = shb(le);
            file.extend(idb(le, 1, 0, &[(14, &offset)])); // #0 Ethernet, us, +100000 s
            file.extend(idb(le, 101, 0, &[(9, &[9])])); // #1 raw IP, ns
            file.extend(idb(le, 1, 0, &[(9, &[0x8a])])); // #2 Ethernet, 2^-10 s
            file.extend(idb(le, 101, 0, &[(9, &[3])])); // #3 raw IP, ms
            file.extend(epb(le, 0, 1_600_000_000_654_321, &eth, 60));
            file.extend(epb(le, 1, 1_600_000_000_987_654_321, &ip, 20));
            file.extend(epb(le, 2, 1_600_000_000 * 1024 + 700, &eth, 64));
            file.extend(epb(le, 3, 1_600_000_000_123, &ip, 1500));
            file.extend(pb(le, 1, 1_600_000_001_000_000_001, &ip, 20));
            // A second section in the other byte order; interfaces start again.
            file.extend(shb(!le));
            file.extend(idb(!le, 101, 0, &[(9, &[9])]));
            file.extend(epb(!le, 0, 1_700_000_000_000_000_999, &ip, 20));
            compare(
                if le {
                    "little-endian first"
                } else {
                    "big-endian first"
                },
                &file,
            );
        }
    }

    #[test]
    fn simple_packets_match_tshark_lengths() {
        if !tshark_available("simple_packets_match_tshark_lengths") {
            return;
        }
        let mut file = shb(true);
        file.extend(idb(true, 1, 8, &[])); // snaplen 8
        file.extend(spb(true, &[1, 2, 3, 4, 5, 6, 7, 8], 60));
        file.extend(spb(true, &[1, 2, 3], 3));
        compare("simple packet blocks", &file);
    }
}
