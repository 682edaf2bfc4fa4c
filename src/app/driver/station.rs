//! A host of our own on a link: our MAC and IPv4 address, the ARP logic that goes with them
//! (resolving the next hop, probing for a free address, answering for ours), and the frame
//! buffers and decoder shared by the programs that run on it (`craft`'s TCP session, `ping`).
//!
//! Every frame sent or received for this host goes through the [`Recorder`]. ARP frames are
//! handled here; everything else is handed to the caller, decoded.

use std::borrow::Cow;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use super::record::Recorder;
use crate::craft::frame;
use crate::craft::neighbor::{Neighbor, NeighborConfig, ProbeResult, Resolution};
use crate::decode::{self, Decoded, LinkRepr, NetRepr, Reassembler};
use crate::frame::{Direction, LinkType};
use crate::link::lossy::LossCounts;
use crate::link::{self, Link};

/// Longest wait for frames when no timer is due.
pub const IDLE: Duration = Duration::from_millis(50);

/// Most frames queued with [`Station::queue`] and handed to the link in one call.
pub const TX_BATCH: usize = 32;

/// The comment and encapsulation title of a queued frame.
type Meta = (Option<Cow<'static, str>>, Option<&'static str>);

/// Why the host could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum StationError {
    /// Nobody answered ARP for the next hop.
    #[error(
        "host unreachable: nobody answered ARP for {ip} on {iface} ({tries} requests, 1 s apart); \
         is the server up and on this LAN, with this address? (`ip -br addr` on it shows its addresses)"
    )]
    Unreachable {
        /// The next hop.
        ip: Ipv4Addr,
        /// The interface.
        iface: String,
        /// Requests sent.
        tries: u32,
    },
    /// Every candidate source address was taken.
    #[error(
        "no free address found on {iface}: {tried} answered the ARP probe; give one with --src-ip"
    )]
    NoFreeAddress {
        /// The interface.
        iface: String,
        /// The addresses tried.
        tried: String,
    },
    /// The link failed.
    #[error("the link failed on {iface}: {source}")]
    Link {
        /// The interface.
        iface: String,
        /// What the system said.
        source: io::Error,
    },
    /// The terminal, the pcapng file or the input failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// What the system said.
        source: io::Error,
    },
}

/// Turns an I/O error into a [`StationError::Io`] about `what`.
pub fn io_err(what: &'static str) -> impl FnOnce(io::Error) -> StationError {
    move |source| StationError::Io { what, source }
}

/// What [`Station::recv`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Got {
    /// Nothing before the timeout.
    Nothing,
    /// A frame that was handled here (ARP) or is of no interest.
    Handled,
    /// A frame for the caller: see [`Station::rx`] and [`Station::decoded`].
    Frame {
        /// When it was read (since the Unix epoch).
        timestamp: Duration,
        /// Sent by this host's own kernel (our MAC as the source), not received.
        from_host: bool,
    },
}

/// Most frames read in one [`Batch`] (ARP included) before the caller gets to send again.
pub const BATCH: usize = 64;

/// One turn's reading: the first frame waited for at most the turn's wait, then only what is
/// there already, [`BATCH`] frames at most (ARP, handled by the station, included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    wait: Duration,
    left: usize,
}

impl Batch {
    /// A turn that waits at most `wait` for its first frame.
    pub fn new(wait: Duration) -> Self {
        Batch { wait, left: BATCH }
    }

    /// The next frame for the caller (see [`Station::rx`] and [`Station::decoded`]): when it
    /// was read, and whether this host's own kernel sent it. `None` ends the turn: nothing
    /// came in time, or [`BATCH`] frames were read.
    pub fn next<W: Write>(
        &mut self,
        st: &mut Station<'_, W>,
    ) -> Result<Option<(Duration, bool)>, StationError> {
        // Bounded: every turn of the loop uses up one of the batch.
        while self.left > 0 {
            self.left -= 1;
            let got = st.recv(self.wait)?;
            self.wait = Duration::ZERO;
            match got {
                Got::Nothing => {
                    self.left = 0;
                    return Ok(None);
                }
                Got::Handled => {}
                Got::Frame {
                    timestamp,
                    from_host,
                } => return Ok(Some((timestamp, from_host))),
            }
        }
        Ok(None)
    }
}

/// Who we are on the link.
#[derive(Debug, Clone)]
pub struct Host {
    /// The interface name (for messages).
    pub iface: String,
    /// Our MAC address.
    pub mac: [u8; 6],
    /// Our IPv4 address (0.0.0.0 until a probe finds one).
    pub ip: Ipv4Addr,
    /// Answer ARP for `ip` (when this host's kernel does not own it).
    pub answer_arp: bool,
    /// ARP timing.
    pub arp: NeighborConfig,
}

/// Our host on one link.
pub struct Station<'a, W: Write> {
    iface: String,
    mac: [u8; 6],
    ip: Ipv4Addr,
    /// The address ARP-resolved for sending (the next hop).
    peer: Option<Ipv4Addr>,
    link: &'a mut dyn Link,
    rec: &'a mut Recorder<W>,
    status: &'a mut dyn Write,
    start: Instant,
    neighbor: Neighbor,
    tx: Vec<u8>,
    queue: Vec<Vec<u8>>,
    queue_meta: Vec<Meta>,
    queued: usize,
    rx: Vec<u8>,
    decoded: Decoded,
    reasm: Reassembler,
    frames_sent: u64,
    frames_received: u64,
}

impl<'a, W: Write> Station<'a, W> {
    /// `host` on `link`: frames are recorded by `rec`, status lines go to `status`.
    pub fn new(
        host: Host,
        link: &'a mut dyn Link,
        rec: &'a mut Recorder<W>,
        status: &'a mut dyn Write,
    ) -> Self {
        Station {
            neighbor: Neighbor::new(host.arp, host.mac, host.ip, host.answer_arp),
            iface: host.iface,
            mac: host.mac,
            ip: host.ip,
            peer: None,
            link,
            rec,
            status,
            start: Instant::now(),
            tx: Vec::with_capacity(2048),
            queue: (0..TX_BATCH).map(|_| Vec::with_capacity(2048)).collect(),
            queue_meta: (0..TX_BATCH).map(|_| (None, None)).collect(),
            queued: 0,
            rx: Vec::with_capacity(link::READ_BUFFER),
            decoded: Decoded::default(),
            reasm: Reassembler::new(),
            frames_sent: 0,
            frames_received: 0,
        }
    }

    /// Time since the station started (the clock of the sans-IO machines).
    pub fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// Our MAC address.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// Our IPv4 address.
    pub fn ip(&self) -> Ipv4Addr {
        self.ip
    }

    /// The interface name.
    pub fn iface(&self) -> &str {
        &self.iface
    }

    /// Frames sent so far.
    pub fn frames_sent(&self) -> u64 {
        self.frames_sent
    }

    /// Frames received for this host so far.
    pub fn frames_received(&self) -> u64 {
        self.frames_received
    }

    /// Another host that claimed our address, if any.
    pub fn conflict(&self) -> Option<[u8; 6]> {
        self.neighbor.conflict()
    }

    /// The recorder.
    pub fn recorder(&mut self) -> &mut Recorder<W> {
        self.rec
    }

    /// A status line on the status stream (`wirelab: ...`).
    pub fn say(&mut self, line: &str) -> Result<(), StationError> {
        writeln!(self.status, "wirelab: {line}").map_err(io_err("writing to the terminal"))
    }

    /// The frame buffer to build the next frame in.
    pub fn tx(&mut self) -> &mut Vec<u8> {
        &mut self.tx
    }

    /// The frame last received.
    pub fn rx(&self) -> &[u8] {
        &self.rx
    }

    /// The decoder's view of the frame last received.
    pub fn decoded(&self) -> &Decoded {
        &self.decoded
    }

    fn link_err(&self, source: io::Error) -> StationError {
        StationError::Link {
            iface: self.iface.clone(),
            source,
        }
    }

    /// Sends the frame built in [`Station::tx`] and records it.
    pub fn send_tx(
        &mut self,
        comment: Option<&str>,
        build_up: Option<&str>,
    ) -> Result<(), StationError> {
        let before = self.link.loss_counts();
        self.link.send(&self.tx).map_err(|e| self.link_err(e))?;
        self.frames_sent += 1;
        let marked = dropped_since(before, self.link.loss_counts()).then(|| mark_dropped(comment));
        let comment = marked.as_deref().or(comment);
        self.rec
            .record(
                Direction::Outbound,
                &self.tx,
                link::now(),
                comment,
                build_up,
            )
            .map_err(io_err("recording a frame"))
    }

    /// The buffer for the next queued frame, or `None` when the queue is full.
    pub fn queue_slot(&mut self) -> Option<&mut Vec<u8>> {
        self.queue.get_mut(self.queued)
    }

    /// Queues the frame just built in [`Station::queue_slot`], with its comment and the title
    /// of its encapsulation view.
    pub fn queue(&mut self, comment: Option<Cow<'static, str>>, build_up: Option<&'static str>) {
        if let Some(m) = self.queue_meta.get_mut(self.queued) {
            *m = (comment, build_up);
            self.queued += 1;
        }
    }

    /// True when no more frames fit in the queue.
    pub fn queue_full(&self) -> bool {
        self.queued >= TX_BATCH
    }

    /// Sends the queued frames (in one system call when the link can) and records them.
    pub fn flush_queue(&mut self) -> Result<(), StationError> {
        let n = self.queued;
        if n == 0 {
            return Ok(());
        }
        self.queued = 0;
        let frames: [&[u8]; TX_BATCH] =
            std::array::from_fn(|i| self.queue.get(i).map_or(&[][..], |f| f.as_slice()));
        let mut dropped = [false; TX_BATCH];
        if self.link.loss_counts().is_some() {
            // A lossy link (`--loss`): one by one, so that each dropped frame is known.
            for (i, f) in frames[..n].iter().enumerate() {
                let before = self.link.loss_counts();
                if let Err(e) = self.link.send(f) {
                    return Err(self.link_err(e));
                }
                dropped[i] = dropped_since(before, self.link.loss_counts());
            }
        } else {
            let mut done = 0;
            // Bounded: every turn sends at least one frame or returns the error.
            while done < n {
                match self.link.send_many(&frames[done..n]) {
                    Ok(0) => {
                        return Err(self.link_err(io::Error::other("the link sent nothing")));
                    }
                    Ok(k) => done += k,
                    Err(e) => return Err(self.link_err(e)),
                }
            }
        }
        self.frames_sent += n as u64;
        let ts = link::now();
        for (i, &dropped) in dropped.iter().enumerate().take(n) {
            let (comment, build_up) = std::mem::take(&mut self.queue_meta[i]);
            let comment = if dropped {
                Some(Cow::Owned(mark_dropped(comment.as_deref())))
            } else {
                comment
            };
            self.rec
                .record(
                    Direction::Outbound,
                    &self.queue[i],
                    ts,
                    comment.as_deref(),
                    build_up,
                )
                .map_err(io_err("recording a frame"))?;
        }
        Ok(())
    }

    /// Records the frame last received (inbound, or outbound when the host's kernel sent it).
    pub fn record_rx(
        &mut self,
        timestamp: Duration,
        direction: Direction,
        comment: Option<&str>,
    ) -> Result<(), StationError> {
        if direction == Direction::Inbound {
            self.frames_received += 1;
        }
        self.rec
            .record(direction, &self.rx, timestamp, comment, None)
            .map_err(io_err("recording a frame"))
    }

    /// Sends every ARP packet due now.
    pub fn flush_arp(&mut self, now: Duration) -> Result<(), StationError> {
        while let Some(o) = self.neighbor.poll_transmit(now) {
            frame::arp(&mut self.tx, self.mac, o.eth_dst, &o.arp)
                .map_err(|e| io_err("building an ARP frame")(io::Error::other(e)))?;
            self.send_tx(Some(o.why), None)?;
        }
        Ok(())
    }

    /// When the ARP logic wants to run next.
    pub fn arp_poll_at(&self) -> Option<Duration> {
        self.neighbor.poll_at()
    }

    /// Waits at most `timeout` for one frame and decodes it; ARP is handled here.
    pub fn recv(&mut self, timeout: Duration) -> Result<Got, StationError> {
        let timestamp = match self.link.recv(timeout) {
            Ok(Some(r)) => {
                self.rx.clear();
                self.rx.extend_from_slice(r.data);
                r.timestamp
            }
            Ok(None) => return Ok(Got::Nothing),
            Err(e) => return Err(self.link_err(e)),
        };
        decode::decode_into(
            0,
            LinkType::ETHERNET,
            &self.rx,
            &mut self.reasm,
            &mut self.decoded,
        );
        let LinkRepr::Ethernet { header, .. } = &self.decoded.link else {
            return Ok(Got::Handled);
        };
        let from_host = header.src == self.mac;
        if let NetRepr::Arp(a) = &self.decoded.net {
            let peer = self.peer.unwrap_or(Ipv4Addr::UNSPECIFIED);
            let ours = a.target_ip == self.ip
                || (a.sender_ip == self.ip && !self.ip.is_unspecified())
                || a.sender_ip == peer
                || a.target_ip == peer
                || self.neighbor.probe_result() == ProbeResult::Pending;
            if from_host || !ours {
                return Ok(Got::Handled);
            }
            let a = a.clone();
            self.neighbor.on_arp(&a);
            self.record_rx(timestamp, Direction::Inbound, None)?;
            return Ok(Got::Handled);
        }
        Ok(Got::Frame {
            timestamp,
            from_host,
        })
    }

    /// Waits for frames until `timeout` (then takes what else is already there, `batch` at
    /// most), calling `handle` for each frame that is not ARP.
    pub fn pump(
        &mut self,
        timeout: Duration,
        batch: usize,
        mut handle: impl FnMut(&mut Self, Duration, bool) -> Result<(), StationError>,
    ) -> Result<(), StationError> {
        let mut wait = timeout;
        for _ in 0..batch {
            match self.recv(wait)? {
                Got::Nothing => break,
                Got::Handled => {}
                Got::Frame {
                    timestamp,
                    from_host,
                } => handle(self, timestamp, from_host)?,
            }
            wait = Duration::ZERO;
        }
        Ok(())
    }

    /// Reads frames (ARP is handled; the rest is of no interest yet) until the ARP logic's
    /// next timer after `now`, [`IDLE`] at most.
    fn wait_for_arp(&mut self, now: Duration) -> Result<(), StationError> {
        let wait = self
            .neighbor
            .poll_at()
            .map_or(IDLE, |t| t.saturating_sub(now))
            .min(IDLE);
        self.pump(wait, BATCH, |_, _, _| Ok(()))
    }

    /// Probes the candidates in turn and takes the first nobody answers for.
    pub fn choose_address(&mut self, candidates: &[Ipv4Addr]) -> Result<Ipv4Addr, StationError> {
        let mut taken = Vec::new();
        for &ip in candidates {
            self.say(&format!(
                "probing {ip} on {}: an ARP probe nobody answers means it is free (RFC 5227)",
                self.iface
            ))?;
            self.neighbor.probe(self.now(), ip);
            let result = loop {
                let now = self.now();
                self.flush_arp(now)?;
                match self.neighbor.probe_result() {
                    ProbeResult::Pending => {}
                    r => break r,
                }
                self.wait_for_arp(now)?;
            };
            match result {
                ProbeResult::Free => {
                    self.ip = ip;
                    self.neighbor.set_ip(ip, true);
                    return Ok(ip);
                }
                ProbeResult::Taken(mac) => {
                    self.say(&format!(
                        "{ip} is taken (answered by {})",
                        crate::wire::mac(&mac)
                    ))?;
                    taken.push(ip.to_string());
                }
                ProbeResult::Pending => {}
            }
        }
        Err(StationError::NoFreeAddress {
            iface: self.iface.clone(),
            tried: taken.join(", "),
        })
    }

    /// Resolves `hop`'s MAC address with ARP requests.
    pub fn resolve(&mut self, hop: Ipv4Addr) -> Result<[u8; 6], StationError> {
        self.peer = Some(hop);
        self.neighbor.resolve(self.now(), hop);
        loop {
            let now = self.now();
            self.flush_arp(now)?;
            match self.neighbor.resolution(hop) {
                Resolution::Resolved(mac) => return Ok(mac),
                Resolution::Unreachable { tries } => {
                    return Err(StationError::Unreachable {
                        ip: hop,
                        iface: self.iface.clone(),
                        tries,
                    });
                }
                Resolution::Pending | Resolution::Unknown => {}
            }
            self.wait_for_arp(now)?;
        }
    }
}

/// The comment of a frame that `--loss` dropped instead of sending: it is recorded (the row
/// and the pcapng show what TCP sent) and says that it never reached the wire.
pub const DROPPED_BY_LOSS: &str = "dropped by --loss";

fn mark_dropped(comment: Option<&str>) -> String {
    match comment {
        Some(c) => format!("{DROPPED_BY_LOSS} (never on the wire): {c}"),
        None => format!("{DROPPED_BY_LOSS} (never on the wire)"),
    }
}

/// True when the send between the two readings of [`Link::loss_counts`] was dropped.
fn dropped_since(before: Option<LossCounts>, after: Option<LossCounts>) -> bool {
    matches!((before, after), (Some(b), Some(a)) if a.sent_dropped > b.sent_dropped)
}

#[cfg(test)]
mod tests;
