//! A [`Link`] on a real interface: a pnet datalink channel (an `AF_PACKET` socket).
//!
//! pnet opens and binds the channel (on a socket created here, so that it can be shared);
//! every frame then goes through that one socket. pnet's sender and receiver wait in `poll`
//! before each call; for a sender that keeps a window of segments in flight that is one
//! system call too many per frame, so sends and zero-timeout receives use the same socket
//! directly (a second descriptor of it, non-blocking; batches of frames go in one
//! `sendmmsg`), and only waits go through pnet. [`PnetLink::split`] gives the sending and the
//! receiving half to two threads (the lab switch reads and sends on every port at once).

use std::io::{self, IoSlice, Read as _};
use std::os::fd::IntoRawFd as _;
use std::time::{Duration, Instant};

use pnet::datalink::{self, Channel, Config, DataLinkReceiver, DataLinkSender};
use rustix::net::{MMsgHdr, SendAncillaryBuffer, SendFlags, sendmmsg};
use socket2::{Domain, Protocol, Socket, Type};

use super::iface::{Interface, LinkError};
use super::{Link, Received, now};

/// How long one read waits before the deadline is checked again.
const POLL: Duration = Duration::from_millis(10);

/// Largest frame read whole: a GSO/GRO frame on veth or loopback can be 64 KiB plus headers
/// (pnet's default buffer of 4096 bytes would cut it silently).
pub const READ_BUFFER: usize = 65536 + 1024;

/// `ETH_P_ALL`: every protocol, as a packet socket's protocol (network byte order).
const ETH_P_ALL: u16 = 0x0003;

/// How the channel is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkOptions {
    /// Receive frames addressed to other MACs too.
    pub promiscuous: bool,
    /// Read buffer size in bytes (frames longer than this are cut).
    pub read_buffer: usize,
    /// What the channel is for, in error messages ("sending raw frames").
    pub purpose: &'static str,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            promiscuous: false,
            read_buffer: READ_BUFFER,
            purpose: "sending raw frames",
        }
    }
}

/// A pnet datalink channel on one interface.
pub struct PnetLink {
    tx: PnetSender,
    rx: PnetReceiver,
    iface: Interface,
}

impl PnetLink {
    /// Opens a channel on `iface` (needs root or CAP_NET_RAW).
    pub fn open(iface: &Interface, opts: LinkOptions) -> Result<PnetLink, LinkError> {
        let fail = |e: io::Error| LinkError::from_open(&iface.name, opts.purpose, e);
        let socket = Socket::new(
            Domain::PACKET,
            Type::RAW,
            Some(Protocol::from(i32::from(ETH_P_ALL.to_be()))),
        )
        .map_err(fail)?;
        let direct = socket.try_clone().map_err(fail)?;
        direct.set_nonblocking(true).map_err(fail)?;
        let direct_rx = direct.try_clone().map_err(fail)?;
        let config = Config {
            read_buffer_size: opts.read_buffer,
            write_buffer_size: READ_BUFFER,
            read_timeout: Some(POLL),
            promiscuous: opts.promiscuous,
            socket_fd: Some(socket.into_raw_fd()),
            ..Config::default()
        };
        match datalink::channel(&iface.pnet, config) {
            Ok(Channel::Ethernet(tx, rx)) => Ok(PnetLink {
                tx: PnetSender { tx, direct },
                rx: PnetReceiver {
                    rx,
                    direct: direct_rx,
                    buf: vec![0; opts.read_buffer.max(64)],
                    len: 0,
                },
                iface: iface.clone(),
            }),
            Ok(_) => Err(LinkError::NotEthernet {
                name: iface.name.clone(),
                kind: "non-Ethernet".into(),
            }),
            Err(e) => Err(fail(e)),
        }
    }

    /// The interface the channel is on.
    pub fn interface(&self) -> &Interface {
        &self.iface
    }

    /// Splits the channel into its sending and receiving halves, to use from two threads.
    /// They share one socket, so the receiver never sees the frames the sender sent (the
    /// kernel does not loop a packet socket's own frames back to it).
    pub fn split(self) -> (PnetSender, PnetReceiver) {
        (self.tx, self.rx)
    }
}

impl Link for PnetLink {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.tx.send(frame)
    }

    fn send_many(&mut self, frames: &[&[u8]]) -> io::Result<usize> {
        self.tx.send_many(frames)
    }

    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>> {
        self.rx.recv(timeout)
    }
}

/// The sending half of a [`PnetLink`] ([`PnetLink::split`]).
pub struct PnetSender {
    tx: Box<dyn DataLinkSender>,
    /// The channel's socket again (a duplicate descriptor), non-blocking.
    direct: Socket,
}

impl PnetSender {
    /// Puts one frame on the link.
    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        match self.direct.send(frame) {
            Ok(_) => Ok(()),
            // The device queue is full: let pnet wait until the socket is writable.
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock
                    || e.raw_os_error() == Some(105 /* ENOBUFS */) =>
            {
                match self.tx.send_to(frame, None) {
                    Some(result) => result,
                    None => Err(io::Error::other("the datalink sender refused the frame")),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Puts several frames on the link in one `sendmmsg`; how many went.
    pub fn send_many(&mut self, frames: &[&[u8]]) -> io::Result<usize> {
        if frames.len() <= 1 {
            return match frames.first() {
                Some(f) => self.send(f).map(|()| 1),
                None => Ok(0),
            };
        }
        // Three small vectors per batch (not per frame): the headers borrow each other.
        let iovs: Vec<[IoSlice<'_>; 1]> = frames.iter().map(|f| [IoSlice::new(f)]).collect();
        let mut controls: Vec<SendAncillaryBuffer<'_, '_, '_>> = frames
            .iter()
            .map(|_| SendAncillaryBuffer::default())
            .collect();
        let mut msgs: Vec<MMsgHdr<'_>> = iovs
            .iter()
            .zip(controls.iter_mut())
            .map(|(iov, control)| MMsgHdr::new(iov, control))
            .collect();
        match sendmmsg(&self.direct, &mut msgs, SendFlags::empty()) {
            Ok(n) if n > 0 => Ok(n),
            // Nothing went (a full device queue): one frame, waiting as `send` does.
            _ => self.send(frames[0]).map(|()| 1),
        }
    }
}

/// The receiving half of a [`PnetLink`] ([`PnetLink::split`]).
pub struct PnetReceiver {
    rx: Box<dyn DataLinkReceiver>,
    /// The channel's socket again (a duplicate descriptor), non-blocking.
    direct: Socket,
    buf: Vec<u8>,
    len: usize,
}

impl PnetReceiver {
    /// One frame if one is waiting, without blocking.
    fn try_read(&mut self) -> io::Result<bool> {
        loop {
            match (&self.direct).read(&mut self.buf) {
                Ok(n) => {
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits at most `timeout` for the next frame; `Ok(None)` when none came in time.
    pub fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>> {
        if !self.try_read()? {
            if timeout.is_zero() {
                return Ok(None);
            }
            let deadline = Instant::now() + timeout;
            // Bounded: each read waits at most POLL, and the loop ends at the deadline.
            loop {
                match self.rx.next() {
                    Ok(frame) => {
                        // Copied out so that the borrow of pnet's buffer ends inside the loop.
                        let n = frame.len().min(self.buf.len());
                        self.buf[..n].copy_from_slice(&frame[..n]);
                        self.len = n;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                        if Instant::now() >= deadline {
                            return Ok(None);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // Another reader of the socket took the frame poll announced.
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(Some(Received {
            data: &self.buf[..self.len],
            timestamp: now(),
        }))
    }
}
