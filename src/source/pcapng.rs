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
mod tests;

/// The reader against tshark on crafted pcapng files with the features the public captures
/// lack: several interfaces, resolutions and offsets, sections in both byte orders.
#[cfg(test)]
mod vs_tshark;
