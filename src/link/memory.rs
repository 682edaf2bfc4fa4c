//! Two in-memory link ends: what one sends, the other receives (tests, and offline demos).

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::{Link, Received, now};

/// One end of an in-memory link. Frames sent on one end arrive, in order, on the other.
pub struct MemoryLink {
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
    /// The frame last returned by `recv` (kept so that `Received` can borrow it).
    current: Vec<u8>,
    /// Frames queued on this end by [`MemoryLink::inject`].
    injected: VecDeque<Vec<u8>>,
    /// Every frame sent on this end, oldest first, when recording.
    pub sent: Option<Vec<Vec<u8>>>,
}

impl MemoryLink {
    /// Two connected ends.
    pub fn pair() -> (MemoryLink, MemoryLink) {
        let (a_tx, b_rx) = mpsc::channel();
        let (b_tx, a_rx) = mpsc::channel();
        let end = |tx, rx| MemoryLink {
            tx,
            rx,
            current: Vec::new(),
            injected: VecDeque::new(),
            sent: None,
        };
        (end(a_tx, a_rx), end(b_tx, b_rx))
    }

    /// Keeps a copy of every frame sent from now on in [`MemoryLink::sent`].
    pub fn record(mut self) -> Self {
        self.sent = Some(Vec::new());
        self
    }

    /// Makes `frame` the next one this end receives, before anything the peer sent.
    pub fn inject(&mut self, frame: Vec<u8>) {
        self.injected.push_back(frame);
    }
}

impl Link for MemoryLink {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        if let Some(sent) = self.sent.as_mut() {
            sent.push(frame.to_vec());
        }
        self.tx
            .send(frame.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the other end is gone"))
    }

    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Received<'_>>> {
        let next = match self.injected.pop_front() {
            Some(f) => f,
            None => match self.rx.recv_timeout(timeout) {
                Ok(f) => f,
                Err(RecvTimeoutError::Timeout) => return Ok(None),
                Err(RecvTimeoutError::Disconnected) => {
                    if timeout > Duration::ZERO {
                        std::thread::sleep(timeout.min(Duration::from_millis(10)));
                    }
                    return Ok(None);
                }
            },
        };
        self.current = next;
        Ok(Some(Received {
            data: &self.current,
            timestamp: now(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_cross_in_order_and_time_out_when_none() {
        let (mut a, b) = MemoryLink::pair();
        let mut b = b.record();
        a.send(b"one").unwrap();
        a.send(b"two").unwrap();
        b.send(b"back").unwrap();
        assert_eq!(b.recv(Duration::ZERO).unwrap().unwrap().data, b"one");
        assert_eq!(b.recv(Duration::ZERO).unwrap().unwrap().data, b"two");
        assert!(b.recv(Duration::from_millis(1)).unwrap().is_none());
        assert_eq!(a.recv(Duration::ZERO).unwrap().unwrap().data, b"back");
        assert_eq!(b.sent.as_deref(), Some(&[b"back".to_vec()][..]));
        b.inject(b"first".to_vec());
        a.send(b"later").unwrap();
        assert_eq!(b.recv(Duration::ZERO).unwrap().unwrap().data, b"first");
        assert_eq!(b.recv(Duration::ZERO).unwrap().unwrap().data, b"later");
    }

    #[test]
    fn a_gone_peer_is_a_broken_pipe_on_send_and_silence_on_recv() {
        let (mut a, b) = MemoryLink::pair();
        drop(b);
        assert_eq!(a.send(b"x").unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert!(a.recv(Duration::from_millis(1)).unwrap().is_none());
    }
}
