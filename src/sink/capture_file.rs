//! The file side of a live capture: pcapng written in big vectored writes, a ring of files
//! (`--rotate SIZE --files N`, like dumpcap's `-b filesize:…,files:…`), and a file that stays
//! valid whatever happens.
//!
//! Every file starts with the section header and one interface description per capture
//! interface. Frames are staged a kernel block at a time ([`Batch`]): the framing of each
//! Enhanced Packet Block is encoded into a staging buffer ([`EpbFraming`]) and the frame's
//! bytes are written from where they are, with `writev`, so a 64 KiB frame is not copied in
//! user space. A write that fails (disk full, file too large) is undone with `ftruncate` back
//! to the last whole block, so the file always ends on a block boundary and tshark reads it
//! without a warning; the error says what happened and what the file still holds.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::output::{OutputError, create_new};
use super::pcapng::{
    Direction, EpbFraming, InterfaceInfo, InterfaceStats, PcapNgSink, SectionInfo,
};

/// Most `iovec`s handed to one `writev` (Linux's `IOV_MAX`).
const MAX_IOV: usize = 1024;

/// Frames up to this size are copied into the staging buffer with their framing (fewer,
/// larger iovecs); bigger ones are written from where they are.
const COPY_BELOW: usize = 512;

/// A ring of files: start a new file when the current one reaches `size` bytes, keep the
/// newest `files` (0: keep all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Size in bytes at which the next file is started.
    pub size: u64,
    /// How many files to keep.
    pub files: u32,
}

/// Why the capture file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file exists and `force` was not given, or it could not be created.
    #[error(transparent)]
    Open(#[from] OutputError),
    /// The file could not be created.
    #[error("cannot create {}: {source}; {hint}", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
        /// What to do about it.
        hint: &'static str,
    },
    /// A write failed; the file was cut back to its last whole block.
    #[error(
        "writing {} failed: {source}; the file is still valid and holds the {frames} frame{} written before{}",
        path.display(),
        if *.frames == 1 { "" } else { "s" },
        hint_for(.source)
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
        /// Frames the file (all files of the ring) holds.
        frames: u64,
    },
}

fn hint_for(err: &io::Error) -> &'static str {
    match err.raw_os_error() {
        Some(28) => " (the disk is full: free some space, or write to another disk with -w)",
        Some(27) => " (the file reached the size limit for this process: use --rotate)",
        _ => "",
    }
}

/// A pcapng capture file (or a ring of them) for a live capture.
pub struct CaptureFile {
    base: PathBuf,
    rotation: Option<Rotation>,
    force: bool,
    /// Section header and interface descriptions: the start of every file.
    header: Vec<u8>,
    /// Encodes the statistics blocks with the right interface table.
    shadow: PcapNgSink<Vec<u8>>,
    file: File,
    path: PathBuf,
    /// Bytes of whole blocks in the current file.
    size: u64,
    /// Frames in the current file.
    frames_here: u64,
    /// Frames in all files.
    frames: u64,
    /// Files of the ring, oldest first (the current one last).
    kept: VecDeque<PathBuf>,
    serial: u32,
    staging: Vec<u8>,
    failed: bool,
}

impl CaptureFile {
    /// Creates `path` (refusing to replace an existing file without `force`) and writes the
    /// section header and interface descriptions.
    pub fn create(
        path: &Path,
        force: bool,
        section: &SectionInfo,
        interfaces: &[InterfaceInfo],
        rotation: Option<Rotation>,
    ) -> Result<CaptureFile, FileError> {
        let mut shadow =
            PcapNgSink::with_section(Vec::new(), section).map_err(|e| FileError::Create {
                path: path.to_owned(),
                source: e,
                hint: "the capture description could not be encoded",
            })?;
        for i in interfaces {
            shadow.add_interface(i).map_err(|e| FileError::Create {
                path: path.to_owned(),
                source: e,
                hint: "the interface description could not be encoded",
            })?;
        }
        let header = std::mem::take(shadow.get_mut());
        let rotation = rotation.filter(|r| r.size > 0);
        let first = match rotation {
            Some(_) => numbered(path, 1),
            None => path.to_owned(),
        };
        let file = open_new(&first, force)?;
        let mut cf = CaptureFile {
            base: path.to_owned(),
            rotation,
            force,
            header,
            shadow,
            file,
            path: first.clone(),
            size: 0,
            frames_here: 0,
            frames: 0,
            kept: VecDeque::from([first]),
            serial: 1,
            staging: Vec::with_capacity(1 << 20),
            failed: false,
        };
        cf.write_header()?;
        Ok(cf)
    }

    fn write_header(&mut self) -> Result<(), FileError> {
        let header = std::mem::take(&mut self.header);
        let result = self.write_all_parts(&[IoSlice::new(&header)]);
        self.header = header;
        result
    }

    /// The file being written now.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every file of the ring still on disk, oldest first.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.kept.iter().map(PathBuf::as_path)
    }

    /// Frames written to all files.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Starts a batch of frames (typically one kernel block); nothing reaches the file until
    /// [`Batch::commit`].
    pub fn batch<'a>(&mut self) -> Batch<'_, 'a> {
        self.staging.clear();
        Batch {
            file: self,
            parts: Vec::new(),
            pending: 0,
            pending_frames: 0,
        }
    }

    /// Writes one owned frame (a batch of one).
    pub fn write_frame(
        &mut self,
        interface: u32,
        frame: &crate::frame::Frame,
        direction: Option<Direction>,
    ) -> Result<(), FileError> {
        let mut b = self.batch();
        b.push(
            interface,
            frame.timestamp,
            frame.orig_len,
            direction,
            &frame.data,
            None,
        )?;
        b.commit()
    }

    /// Writes the interface statistics (as dumpcap does at the end), flushes and closes.
    pub fn finish(mut self, stats: &[(u32, InterfaceStats)]) -> Result<CaptureFile, FileError> {
        for (iface, st) in stats {
            let _ = self.shadow.write_stats(*iface, st);
        }
        let isb = std::mem::take(self.shadow.get_mut());
        if !self.failed {
            self.write_all_parts(&[IoSlice::new(&isb)])?;
        }
        let _ = self.file.flush();
        Ok(self)
    }

    /// Writes `parts` whole; on failure cuts the file back to its last whole block.
    fn write_all_parts(&mut self, parts: &[IoSlice<'_>]) -> Result<(), FileError> {
        if self.failed {
            return Ok(());
        }
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if total == 0 {
            return Ok(());
        }
        let mut owned: Vec<IoSlice<'_>> = Vec::with_capacity(parts.len().min(MAX_IOV));
        let mut rest = parts;
        let result = (|| -> io::Result<()> {
            while !rest.is_empty() {
                let n = rest.len().min(MAX_IOV);
                owned.clear();
                owned.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
                let mut bufs = &mut owned[..];
                while !bufs.is_empty() {
                    match self.file.write_vectored(bufs) {
                        Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                        Ok(k) => IoSlice::advance_slices(&mut bufs, k),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                self.size += total as u64;
                Ok(())
            }
            Err(source) => {
                self.failed = true;
                // Whatever part of the batch got in is cut off again: the file ends on a block.
                let _ = self.file.set_len(self.size);
                Err(FileError::Write {
                    path: self.path.clone(),
                    source,
                    frames: self.frames,
                })
            }
        }
    }

    /// Closes the current file and starts the next one of the ring, deleting the oldest
    /// beyond the limit.
    fn rotate(&mut self) -> Result<(), FileError> {
        let _ = self.file.flush();
        self.serial += 1;
        let next = numbered(&self.base, self.serial);
        self.file = open_new(&next, self.force)?;
        self.path = next.clone();
        self.size = 0;
        self.frames_here = 0;
        self.kept.push_back(next);
        if let Some(r) = self.rotation
            && r.files > 0
        {
            while self.kept.len() > r.files as usize {
                if let Some(old) = self.kept.pop_front() {
                    let _ = std::fs::remove_file(old);
                }
            }
        }
        self.write_header()
    }
}

/// `dir/name_00001.pcapng` for `dir/name.pcapng` (dumpcap adds a date too; a serial is enough
/// to keep the order and is easy to type).
fn numbered(base: &Path, serial: u32) -> PathBuf {
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "capture".into());
    let ext = base
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pcapng".into());
    base.with_file_name(format!("{stem}_{serial:05}.{ext}"))
}

fn open_new(path: &Path, force: bool) -> Result<File, FileError> {
    Ok(create_new(path, force, "-w")?)
}

enum Part<'a> {
    Staged(Range<usize>),
    Data(&'a [u8]),
}

/// Frames staged for one write (see [`CaptureFile::batch`]).
pub struct Batch<'f, 'a> {
    file: &'f mut CaptureFile,
    parts: Vec<Part<'a>>,
    pending: u64,
    pending_frames: u64,
}

impl<'a> Batch<'_, 'a> {
    fn stage(&mut self, bytes: &[u8]) {
        let start = self.file.staging.len();
        self.file.staging.extend_from_slice(bytes);
        let end = self.file.staging.len();
        match self.parts.last_mut() {
            Some(Part::Staged(r)) if r.end == start => r.end = end,
            _ => self.parts.push(Part::Staged(start..end)),
        }
    }

    /// Adds one frame: `data` as captured, with `vlan_tag` put back after its two MAC
    /// addresses when the kernel had stripped one (see
    /// [`crate::source::block::RingFrame::vlan_tag`]); `orig_len` includes the tag.
    pub fn push(
        &mut self,
        interface: u32,
        timestamp: Duration,
        orig_len: u32,
        direction: Option<Direction>,
        data: &'a [u8],
        vlan_tag: Option<[u8; 4]>,
    ) -> Result<(), FileError> {
        let tag = vlan_tag.filter(|_| data.len() >= 12);
        let caplen = data.len() + if tag.is_some() { 4 } else { 0 };
        let framing = EpbFraming::new(interface, timestamp, caplen, orig_len, direction);
        if let Some(r) = self.file.rotation {
            let len = framing.block_len() as u64;
            if self.file.frames_here + self.pending_frames > 0
                && self.file.size + self.pending + len > r.size
            {
                self.flush()?;
                self.file.rotate()?;
            }
        }
        self.stage(&framing.head);
        let (first, rest) = match tag {
            Some(_) => data.split_at(12),
            None => (data, &[][..]),
        };
        self.data(first);
        if let Some(t) = tag {
            self.stage(&t);
            self.data(rest);
        }
        self.stage(framing.tail());
        self.pending += framing.block_len() as u64;
        self.pending_frames += 1;
        Ok(())
    }

    /// Stages frame bytes: copied when small, else written from where they are.
    fn data(&mut self, p: &'a [u8]) {
        if p.is_empty() {
        } else if p.len() < COPY_BELOW {
            self.stage(p);
        } else {
            self.parts.push(Part::Data(p));
        }
    }

    fn flush(&mut self) -> Result<(), FileError> {
        if self.parts.is_empty() {
            return Ok(());
        }
        let staging = std::mem::take(&mut self.file.staging);
        let slices: Vec<IoSlice<'_>> = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Staged(r) => IoSlice::new(&staging[r.clone()]),
                Part::Data(d) => IoSlice::new(d),
            })
            .collect();
        let result = self.file.write_all_parts(&slices);
        drop(slices);
        self.file.staging = staging;
        self.file.staging.clear();
        self.parts.clear();
        result?;
        self.file.frames += self.pending_frames;
        self.file.frames_here += self.pending_frames;
        self.pending = 0;
        self.pending_frames = 0;
        Ok(())
    }

    /// Writes the staged frames.
    pub fn commit(mut self) -> Result<(), FileError> {
        self.flush()
    }

    /// Frames staged and not yet written.
    pub fn len(&self) -> u64 {
        self.pending_frames
    }

    /// True when nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.pending_frames == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Frame, LinkType};
    use crate::source::{CaptureReader, SourceEvent};

    fn iface(name: &str) -> InterfaceInfo {
        InterfaceInfo {
            name: Some(name.into()),
            snaplen: 262_144,
            ..InterfaceInfo::new(LinkType::ETHERNET)
        }
    }

    fn frame(n: u64, len: usize) -> Frame {
        Frame {
            number: n,
            timestamp: Duration::new(1_700_000_000, n as u32),
            link_type: LinkType::ETHERNET,
            orig_len: len as u32,
            interface: 0,
            data: (0..len).map(|i| (i as u64 + n) as u8).collect(),
        }
    }

    fn read_all(path: &Path) -> Vec<Frame> {
        CaptureReader::open(path)
            .unwrap()
            .map(|e| match e {
                SourceEvent::Frame(f) => f,
                SourceEvent::Warning(w) => panic!("{}: {w}", path.display()),
            })
            .collect()
    }

    #[test]
    fn batches_of_small_and_large_frames_read_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.pcapng");
        let ifs = [iface("a"), iface("b")];
        let mut cf =
            CaptureFile::create(&path, false, &SectionInfo::this_host(), &ifs, None).unwrap();
        let frames: Vec<Frame> = [60, 1514, 65_000, 3, 511, 512, 513]
            .iter()
            .enumerate()
            .map(|(i, &l)| frame(i as u64 + 1, l))
            .collect();
        let mut b = cf.batch();
        for (i, f) in frames.iter().enumerate() {
            b.push(
                (i % 2) as u32,
                f.timestamp,
                f.orig_len,
                Some(Direction::Inbound),
                &f.data,
                None,
            )
            .unwrap();
        }
        // A frame whose VLAN tag the kernel stripped gets it back after the MACs.
        let plain = frame(8, 1000);
        b.push(
            0,
            plain.timestamp,
            1004,
            None,
            &plain.data,
            Some([0x81, 0, 0, 30]),
        )
        .unwrap();
        b.commit().unwrap();
        let cf = cf.finish(&[]).unwrap();
        assert_eq!(cf.frames(), 8);
        let mut back = read_all(&path);
        let tagged = back.pop().unwrap();
        assert_eq!(&tagged.data[..12], &plain.data[..12]);
        assert_eq!(&tagged.data[12..16], &[0x81, 0, 0, 30]);
        assert_eq!(&tagged.data[16..], &plain.data[12..]);
        assert_eq!(tagged.orig_len, 1004);
        assert_eq!(back.len(), frames.len());
        for (i, (got, want)) in back.iter().zip(&frames).enumerate() {
            assert_eq!(got.data, want.data);
            assert_eq!(got.timestamp, want.timestamp);
            assert_eq!(got.interface, (i % 2) as u32);
        }
    }

    #[test]
    fn an_existing_file_is_kept_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.pcapng");
        std::fs::write(&path, b"precious").unwrap();
        let err = CaptureFile::create(&path, false, &SectionInfo::default(), &[iface("a")], None)
            .err()
            .unwrap();
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
        CaptureFile::create(&path, true, &SectionInfo::default(), &[iface("a")], None).unwrap();
        assert_ne!(std::fs::read(&path).unwrap(), b"precious");
        let err = CaptureFile::create(
            &dir.path().join("no/such/dir/c.pcapng"),
            false,
            &SectionInfo::default(),
            &[iface("a")],
            None,
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("folder does not exist"), "{err}");
    }

    #[test]
    fn a_ring_of_files_keeps_the_newest_and_each_is_valid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ring.pcapng");
        let rot = Rotation {
            size: 4_000,
            files: 3,
        };
        let mut cf = CaptureFile::create(
            &path,
            false,
            &SectionInfo::default(),
            &[iface("a")],
            Some(rot),
        )
        .unwrap();
        for n in 1..=40 {
            cf.write_frame(0, &frame(n, 500), None).unwrap();
        }
        let cf = cf.finish(&[]).unwrap();
        let files: Vec<PathBuf> = cf.files().map(Path::to_owned).collect();
        assert_eq!(files.len(), 3);
        let mut numbers = Vec::new();
        for f in &files {
            assert!(
                std::fs::metadata(f).unwrap().len() <= 4_000 + 600,
                "{}",
                f.display()
            );
            numbers.extend(read_all(f).iter().map(|fr| fr.timestamp.subsec_nanos()));
        }
        // The newest frames, in order, none missing between the kept files.
        let last = *numbers.last().unwrap();
        assert_eq!(last, 40);
        let first = numbers[0];
        assert_eq!(numbers, (first..=last).collect::<Vec<_>>());
        assert!(!numbered(&path, 1).exists());
    }

    /// /dev/full fails every write with ENOSPC: the error says the disk is full.
    #[test]
    fn a_full_disk_is_reported_in_words() {
        let err = CaptureFile::create(
            Path::new("/dev/full"),
            true,
            &SectionInfo::default(),
            &[iface("a")],
            None,
        )
        .err()
        .unwrap();
        let text = err.to_string();
        assert!(text.contains("disk is full"), "{text}");
    }
}
