//! The link: where crafted frames go onto the wire, and where frames come back from it.
//!
//! [`Link`] is the one interface that `craft`, `ping`, `replay` and the lab switch use to put
//! whole link-layer frames on an interface and take frames off it. [`PnetLink`] is a pnet
//! datalink channel on a real interface — with the live capture source, the only code that opens
//! raw sockets; [`MemoryLink`] is a pair of in-memory ends for tests. [`iface`] finds
//! interfaces and turns the usual mistakes (a missing or down interface, no privilege) into
//! errors that say what to do.
#![forbid(unsafe_code)]

pub mod iface;
pub mod lossy;
mod memory;
mod pnet_link;

use std::io;
use std::time::Duration;

pub use iface::{Interface, LinkError};
pub use lossy::LossyLink;
pub use memory::MemoryLink;
pub use pnet_link::{LinkOptions, PnetLink, PnetReceiver, PnetSender, READ_BUFFER};

/// A frame taken off a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received<'a> {
    /// The frame, from its link-layer header on.
    pub data: &'a [u8],
    /// When it was read, since the Unix epoch.
    pub timestamp: Duration,
}

/// Something that sends and receives whole link-layer frames.
pub trait Link {
    /// Puts one frame (starting with its link-layer header) on the link.
    fn send(&mut self, frame: &[u8]) -> io::Result<()>;

    /// Puts several frames on the link, in order; returns how many were sent (all of them,
    /// unless an error stopped it after some). The default sends them one by one; a link may
    /// hand them to the system in one call.
    fn send_many(&mut self, frames: &[&[u8]]) -> io::Result<usize> {
        for (i, f) in frames.iter().enumerate() {
            if let Err(e) = self.send(f) {
                if i == 0 {
                    return Err(e);
                }
                return Ok(i);
            }
        }
        Ok(frames.len())
    }

    /// Waits at most `timeout` for the next frame; `Ok(None)` when none came in time.
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>>;

    /// What a link that loses frames on purpose ([`LossyLink`], `craft --loss`) dropped so
    /// far; `None` for a link that drops nothing on purpose.
    fn loss_counts(&self) -> Option<lossy::LossCounts> {
        None
    }
}

/// The current time since the Unix epoch (a clock before 1970 reads as 0).
pub fn now() -> Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}
