//! Live frames from network interfaces: one TPACKET_V3 ring per interface, read in place.
//!
//! A [`LiveSource`] yields the same frames as the file reader — link type, kernel timestamp
//! (nanoseconds), captured bytes, length on the wire — plus what a file cannot know: the
//! interface it came in on, its direction ([`Direction`]) and the kernel's drop counters.
//! Frames are lent as [`LiveFrame`]s that point into the ring, block by block; the caller
//! writes or copies them before the block goes back to the kernel.
//!
//! As libpcap does: a VLAN tag the kernel stripped is put back after the MAC addresses; on
//! the loopback interface each frame is seen twice by a packet socket (as it is sent, then as
//! it is received), so the outgoing copy is skipped; the snapshot length is applied in the
//! kernel; and the kernel's `tp_snaplen`/`tp_len` tell frames cut by the snapshot length.
#![forbid(unsafe_code)]

use std::io;
use std::time::Duration;

use super::block::{self, RingFrame};
use super::ring::{self, Ring, RingConfig, RingStats};
use crate::frame::{Direction, Frame, LinkType};
use crate::link::{Interface, LinkError};

/// The largest snapshot length (as tcpdump's and dumpcap's default).
pub const MAX_SNAPLEN: u32 = 262_144;

/// Bytes per ring block: room for many frames and always for a whole 64 KiB GSO/GRO frame
/// with its headers, so that big frames on veth and loopback are never cut by the ring.
pub const BLOCK_SIZE: usize = 1 << 20;

/// Bytes per ring block when the snapshot length is small (finer hand-over, same memory).
pub const SMALL_BLOCK_SIZE: usize = 1 << 17;

/// The default ring size for a snapshot length: 16 MiB for whole frames, 4 MiB when frames
/// are cut to less than 2 KiB (the kernel zeroes the whole ring when it is set up, so a ring
/// bigger than needed costs time at start).
pub fn default_buffer(snaplen: u32) -> usize {
    if snaplen < 2048 { 4 << 20 } else { 16 << 20 }
}

/// How the capture is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOptions {
    /// Keep at most this many bytes of each frame.
    pub snaplen: u32,
    /// Capture frames addressed to other hosts too.
    pub promiscuous: bool,
    /// Size of each interface's kernel ring in bytes.
    pub buffer: usize,
    /// How long the kernel holds a block that is not full before handing it over: the
    /// longest a frame waits before user space sees it.
    pub latency: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            snaplen: MAX_SNAPLEN,
            promiscuous: true,
            buffer: 16 << 20,
            latency: Duration::from_millis(10),
        }
    }
}

/// One frame of a live capture, lent from the ring.
#[derive(Debug, Clone, Copy)]
pub struct LiveFrame<'a> {
    /// Index of the interface in the list given to [`LiveSource::open`].
    pub interface: u32,
    /// Link type of that interface.
    pub link_type: LinkType,
    /// Inbound or outbound.
    pub direction: Direction,
    /// The frame as the kernel stored it.
    pub raw: RingFrame<'a>,
}

impl LiveFrame<'_> {
    /// Copies it into `frame` (reusing its buffer), numbered `number`.
    pub fn fill(&self, number: u64, frame: &mut Frame) {
        frame.number = number;
        frame.timestamp = self.raw.timestamp;
        frame.link_type = self.link_type;
        frame.orig_len = self.raw.wire_len();
        frame.interface = self.interface;
        frame.data.clear();
        self.raw.copy_into(&mut frame.data);
    }

    /// An owned copy.
    pub fn to_frame(&self, number: u64) -> Frame {
        let mut f = Frame {
            number,
            timestamp: Duration::ZERO,
            link_type: self.link_type,
            orig_len: 0,
            interface: 0,
            data: Vec::with_capacity(self.raw.caplen()),
        };
        self.fill(number, &mut f);
        f
    }
}

/// Counters of one interface since the capture started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveStats {
    /// Frames the kernel passed to the capture, kept or dropped (tcpdump's "received by
    /// filter"; on loopback each frame counts twice, as it does for tcpdump).
    pub received: u64,
    /// Frames the kernel dropped because the ring was full (tcpdump's "dropped by kernel").
    pub dropped: u64,
    /// Frames handed to the caller.
    pub delivered: u64,
}

struct Port {
    ring: Ring,
    link_type: LinkType,
    /// Skip `PACKET_OUTGOING` copies (loopback).
    skip_outgoing: bool,
    stats: LiveStats,
}

/// Live capture on one or more interfaces.
pub struct LiveSource {
    ports: Vec<Port>,
    snaplen: u32,
    next: usize,
    cut_by_ring: u64,
}

impl LiveSource {
    /// Opens a ring on each interface (needs root or CAP_NET_RAW).
    pub fn open(ifaces: &[Interface], opts: &LiveOptions) -> Result<LiveSource, LinkError> {
        let page = ring::page_size();
        let wanted = if (opts.snaplen as usize) < SMALL_BLOCK_SIZE / 2 {
            SMALL_BLOCK_SIZE
        } else {
            BLOCK_SIZE
        };
        let block_size = wanted.div_ceil(page) * page;
        let block_count = opts.buffer.div_ceil(block_size).max(2);
        let config = RingConfig {
            block_size,
            block_count,
            retire: opts.latency,
            promiscuous: opts.promiscuous,
        };
        let mut ports = Vec::with_capacity(ifaces.len());
        for iface in ifaces {
            let ring = Ring::open(iface.index, &config)
                .map_err(|e| LinkError::from_open(&iface.name, "capturing", e))?;
            if opts.snaplen < MAX_SNAPLEN {
                ring.set_snaplen(opts.snaplen)
                    .map_err(|e| LinkError::from_open(&iface.name, "capturing", e))?;
            }
            ports.push(Port {
                ring,
                link_type: iface.link_type(),
                skip_outgoing: iface.loopback,
                stats: LiveStats::default(),
            });
        }
        Ok(LiveSource {
            ports,
            snaplen: opts.snaplen,
            next: 0,
            cut_by_ring: 0,
        })
    }

    /// Waits at most `timeout` for frames, then calls `on_block` with the frames of each
    /// block that is ready (at most one block per interface per call, so that no interface
    /// starves the others). The frames borrow the block, which goes back to the kernel when
    /// `on_block` returns: write or copy them before. Returns the number of frames passed.
    pub fn poll<E>(
        &mut self,
        timeout: Duration,
        mut on_block: impl FnMut(&mut BlockFrames<'_>) -> Result<(), E>,
    ) -> Result<usize, PollError<E>> {
        let mut ready = self.drain_once(&mut on_block)?;
        if ready == 0 {
            let rings: Vec<&Ring> = self.ports.iter().map(|p| &p.ring).collect();
            ring::wait_all(&rings, timeout).map_err(PollError::Io)?;
            ready = self.drain_once(&mut on_block)?;
            if ready == 0 {
                for p in &self.ports {
                    if let Some(e) = p.ring.take_error().map_err(PollError::Io)? {
                        return Err(PollError::Io(e));
                    }
                }
            }
        }
        Ok(ready)
    }

    fn drain_once<E>(
        &mut self,
        on_block: &mut impl FnMut(&mut BlockFrames<'_>) -> Result<(), E>,
    ) -> Result<usize, PollError<E>> {
        let mut n = 0;
        let count = self.ports.len();
        for k in 0..count {
            let i = (self.next + k) % count;
            let port = &mut self.ports[i];
            let Some(blk) = port.ring.try_block() else {
                continue;
            };
            let mut frames = BlockFrames {
                inner: block::frames(blk.bytes()),
                interface: i as u32,
                link_type: port.link_type,
                skip_outgoing: port.skip_outgoing,
                snaplen: self.snaplen,
                delivered: 0,
                cut: 0,
            };
            let result = on_block(&mut frames);
            // Frames the callback did not take still count as delivered to it.
            frames.by_ref().for_each(drop);
            port.stats.delivered += frames.delivered;
            self.cut_by_ring += frames.cut;
            n += frames.delivered as usize;
            drop(blk);
            result.map_err(PollError::Sink)?;
        }
        self.next = (self.next + 1) % count.max(1);
        Ok(n)
    }

    /// The counters of each interface so far (reads the kernel's, which it then resets).
    pub fn stats(&mut self) -> Vec<LiveStats> {
        for p in &mut self.ports {
            if let Ok(RingStats { received, dropped }) = p.ring.stats() {
                p.stats.received += received;
                p.stats.dropped += dropped;
            }
        }
        self.ports.iter().map(|p| p.stats).collect()
    }

    /// Frames the ring cut shorter than the snapshot length (they were larger than a block:
    /// should never happen with [`BLOCK_SIZE`]).
    pub fn cut_by_ring(&self) -> u64 {
        self.cut_by_ring
    }

    /// Number of interfaces.
    pub fn interfaces(&self) -> usize {
        self.ports.len()
    }
}

/// The frames of one ring block (see [`LiveSource::poll`]).
pub struct BlockFrames<'a> {
    inner: block::Frames<'a>,
    interface: u32,
    link_type: LinkType,
    skip_outgoing: bool,
    snaplen: u32,
    delivered: u64,
    cut: u64,
}

impl<'a> Iterator for BlockFrames<'a> {
    type Item = LiveFrame<'a>;

    fn next(&mut self) -> Option<LiveFrame<'a>> {
        loop {
            let raw = self.inner.next()?;
            if self.skip_outgoing && raw.outgoing() {
                continue;
            }
            if raw.data.len() < self.snaplen as usize && raw.data.len() < raw.orig_len as usize {
                self.cut += 1;
            }
            self.delivered += 1;
            return Some(LiveFrame {
                interface: self.interface,
                link_type: self.link_type,
                direction: if raw.outgoing() {
                    Direction::Outbound
                } else {
                    Direction::Inbound
                },
                raw,
            });
        }
    }
}

/// Why [`LiveSource::poll`] stopped.
#[derive(Debug)]
pub enum PollError<E> {
    /// The socket failed (interface gone or down).
    Io(io::Error),
    /// The caller's callback failed.
    Sink(E),
}
