//! A [`Link`] on a real interface: a pnet datalink channel (an `AF_PACKET` socket).

use std::io;
use std::time::{Duration, Instant};

use pnet::datalink::{self, Channel, Config, DataLinkReceiver, DataLinkSender};

use super::iface::{Interface, LinkError};
use super::{Link, Received, now};

/// How long one read waits before the deadline is checked again.
const POLL: Duration = Duration::from_millis(10);

/// Largest frame read whole: a GSO/GRO frame on veth or loopback can be 64 KiB plus headers
/// (pnet's default buffer of 4096 bytes would cut it silently).
pub const READ_BUFFER: usize = 65536 + 1024;

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
    tx: Box<dyn DataLinkSender>,
    rx: Box<dyn DataLinkReceiver>,
    iface: Interface,
    buf: Vec<u8>,
}

impl PnetLink {
    /// Opens a channel on `iface` (needs root or CAP_NET_RAW).
    pub fn open(iface: &Interface, opts: LinkOptions) -> Result<PnetLink, LinkError> {
        let config = Config {
            read_buffer_size: opts.read_buffer,
            write_buffer_size: READ_BUFFER,
            read_timeout: Some(POLL),
            promiscuous: opts.promiscuous,
            ..Config::default()
        };
        match datalink::channel(&iface.pnet, config) {
            Ok(Channel::Ethernet(tx, rx)) => Ok(PnetLink {
                tx,
                rx,
                iface: iface.clone(),
                buf: Vec::with_capacity(opts.read_buffer),
            }),
            Ok(_) => Err(LinkError::NotEthernet {
                name: iface.name.clone(),
                kind: "non-Ethernet".into(),
            }),
            Err(e) => Err(LinkError::from_open(&iface.name, opts.purpose, e)),
        }
    }

    /// The interface the channel is on.
    pub fn interface(&self) -> &Interface {
        &self.iface
    }
}

impl Link for PnetLink {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        match self.tx.send_to(frame, None) {
            Some(result) => result,
            None => Err(io::Error::other("the datalink sender refused the frame")),
        }
    }

    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>> {
        next_frame(self.rx.as_mut(), &mut self.buf, timeout)
    }
}

/// Waits at most `timeout` for a frame from `rx` and copies it into `buf`.
fn next_frame<'b>(
    rx: &mut dyn DataLinkReceiver,
    buf: &'b mut Vec<u8>,
    timeout: Duration,
) -> io::Result<Option<Received<'b>>> {
    let deadline = Instant::now() + timeout;
    // Bounded: each read waits at most POLL, and the loop ends at the deadline.
    loop {
        match rx.next() {
            Ok(frame) => {
                // Copied out so that the borrow of pnet's buffer ends inside the loop.
                buf.clear();
                buf.extend_from_slice(frame);
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                if Instant::now() >= deadline {
                    return Ok(None);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(Received {
        data: buf,
        timestamp: now(),
    }))
}

impl PnetLink {
    /// Splits the channel into its sending and receiving halves, to use from two threads.
    /// They share one socket, so the receiver never sees the frames the sender sent (the
    /// kernel does not loop a packet socket's own frames back to it).
    pub fn split(self) -> (PnetSender, PnetReceiver) {
        (
            PnetSender { tx: self.tx },
            PnetReceiver {
                rx: self.rx,
                buf: self.buf,
            },
        )
    }
}

/// The sending half of a [`PnetLink`] ([`PnetLink::split`]).
pub struct PnetSender {
    tx: Box<dyn DataLinkSender>,
}

impl PnetSender {
    /// Puts one frame on the link.
    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        match self.tx.send_to(frame, None) {
            Some(result) => result,
            None => Err(io::Error::other("the datalink sender refused the frame")),
        }
    }
}

/// The receiving half of a [`PnetLink`] ([`PnetLink::split`]).
pub struct PnetReceiver {
    rx: Box<dyn DataLinkReceiver>,
    buf: Vec<u8>,
}

impl PnetReceiver {
    /// Waits at most `timeout` for the next frame; `Ok(None)` when none came in time.
    pub fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>> {
        next_frame(self.rx.as_mut(), &mut self.buf, timeout)
    }
}
