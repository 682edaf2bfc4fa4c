//! A TPACKET_V3 memory-mapped receive ring on an `AF_PACKET` socket — the only `unsafe` code in
//! wirelab.
//!
//! This is what libpcap's `pcap-linux.c` does for tcpdump and dumpcap: the kernel copies each
//! frame into a block of a ring shared with user space, stamps it (nanoseconds), notes its
//! direction and VLAN tag, and hands over a whole block at a time — when it is full, or when
//! the block retirement timeout passes — by setting the block's status word to
//! `TP_STATUS_USER`. User space reads the block in place and gives it back by writing
//! `TP_STATUS_KERNEL`. Drops (frames that found no free block) are counted by the kernel and
//! read with `PACKET_STATISTICS`.
//!
//! Everything unsafe is here: `socket`, `setsockopt`/`getsockopt`, `bind`, `mmap`/`munmap`,
//! `poll`, and the two views of mapped memory (the block's bytes and its status word), each
//! with its safety argument. Walking a block's frames is safe code over a byte slice, in
//! [`super::block`] (fuzzed).

use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// `ETH_P_ALL` in network byte order: every protocol.
const ETH_P_ALL_BE: u16 = (libc::ETH_P_ALL as u16).to_be();

/// Offset of `block_status` in `struct tpacket_block_desc` (after `version`, `offset_to_priv`).
const BLOCK_STATUS_OFFSET: usize = 8;

/// How the ring is laid out and what it captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingConfig {
    /// Bytes per block (a multiple of the page size; at least one whole 64 KiB frame).
    pub block_size: usize,
    /// Number of blocks.
    pub block_count: usize,
    /// Block retirement timeout: a block that is not full is handed over after this long.
    pub retire: Duration,
    /// Receive frames addressed to other hosts too (`PACKET_MR_PROMISC`).
    pub promiscuous: bool,
}

/// The counters of `PACKET_STATISTICS` (reading them resets the kernel's copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RingStats {
    /// Frames that passed to the socket, kept or dropped (`tp_packets`, which the kernel
    /// returns with the drops already added, as libpcap's `ps_recv`).
    pub received: u64,
    /// Frames dropped because no block was free (`tp_drops`, libpcap's `ps_drop`).
    pub dropped: u64,
}

/// An `AF_PACKET` socket bound to one interface with a TPACKET_V3 receive ring mapped in.
pub struct Ring {
    fd: OwnedFd,
    map: NonNull<u8>,
    map_len: usize,
    block_size: usize,
    block_count: usize,
    next: usize,
}

// SAFETY: the ring is a socket and a private mapping owned by this value alone; nothing in it
// is tied to the thread that made it, so moving it to another thread is sound.
unsafe impl Send for Ring {}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `setsockopt(fd, SOL_PACKET, opt, &value, sizeof value)`.
fn set_packet_opt<T>(fd: &OwnedFd, opt: libc::c_int, value: &T) -> io::Result<()> {
    // SAFETY: `value` is a valid, initialised `T` for the duration of the call and the length
    // passed is exactly its size; the kernel only reads it.
    let ret = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            opt,
            (value as *const T).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    check(ret).map(|_| ())
}

impl Ring {
    /// Opens a packet socket on interface `ifindex`, switches it to TPACKET_V3 and maps a
    /// ring of `config.block_count` blocks. Needs root or CAP_NET_RAW (`PermissionDenied`
    /// otherwise).
    pub fn open(ifindex: u32, config: &RingConfig) -> io::Result<Ring> {
        let page = page_size();
        if config.block_size == 0
            || !config.block_size.is_multiple_of(page)
            || config.block_count == 0
            || config.block_size.checked_mul(config.block_count).is_none()
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "ring of {} blocks of {} bytes: blocks must be a non-zero multiple of the page size ({page})",
                    config.block_count, config.block_size
                ),
            ));
        }
        let ifindex = libc::c_int::try_from(ifindex).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, "interface index too large")
        })?;
        // SAFETY: plain system call with constant arguments; the result is checked below and
        // a non-negative descriptor is owned by nothing else yet.
        let raw = check(unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::c_int::from(ETH_P_ALL_BE),
            )
        })?;
        // SAFETY: `raw` is a fresh descriptor returned by socket(2); OwnedFd takes sole ownership
        // and closes it on drop.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };

        let version = libc::tpacket_versions::TPACKET_V3 as libc::c_int;
        set_packet_opt(&fd, libc::PACKET_VERSION, &version)?;

        let req = libc::tpacket_req3 {
            tp_block_size: config.block_size as libc::c_uint,
            tp_block_nr: config.block_count as libc::c_uint,
            // Frames are variable-sized in V3; the kernel still wants a frame size that divides
            // the block and a matching count.
            tp_frame_size: page as libc::c_uint,
            tp_frame_nr: (config.block_size / page * config.block_count) as libc::c_uint,
            tp_retire_blk_tov: config.retire.as_millis().clamp(1, 60_000) as libc::c_uint,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        set_packet_opt(&fd, libc::PACKET_RX_RING, &req)?;

        let map_len = config.block_size * config.block_count;
        // SAFETY: maps the ring the kernel just allocated for this socket (length exactly
        // block size × count as requested); the result is checked against MAP_FAILED.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let Some(map) = NonNull::new(addr.cast::<u8>()) else {
            return Err(io::Error::other("mmap returned a null ring"));
        };
        // From here on Drop unmaps the ring if anything below fails.
        let ring = Ring {
            fd,
            map,
            map_len,
            block_size: config.block_size,
            block_count: config.block_count,
            next: 0,
        };

        // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as libc::c_ushort;
        sll.sll_protocol = ETH_P_ALL_BE;
        sll.sll_ifindex = ifindex;
        // SAFETY: `sll` is a valid sockaddr_ll and the length passed is its size.
        check(unsafe {
            libc::bind(
                ring.fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;

        if config.promiscuous {
            let mreq = libc::packet_mreq {
                mr_ifindex: ifindex,
                mr_type: libc::PACKET_MR_PROMISC as libc::c_ushort,
                mr_alen: 0,
                mr_address: [0; 8],
            };
            // Membership ends when the socket is closed, as with libpcap.
            set_packet_opt(&ring.fd, libc::PACKET_ADD_MEMBERSHIP, &mreq)?;
        }
        // Frames that arrived between socket() and bind() may be from any interface: drop the
        // counters' history so that statistics start now.
        let _ = ring.stats();
        Ok(ring)
    }

    /// Makes the kernel cut every frame to `snaplen` bytes before copying it into the ring,
    /// with a one-instruction classic BPF program (`ret #snaplen`), as libpcap does for a
    /// snapshot length: frames cut in the kernel take less of the ring.
    pub fn set_snaplen(&self, snaplen: u32) -> io::Result<()> {
        let mut program = [libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: snaplen,
        }];
        let fprog = libc::sock_fprog {
            len: 1,
            filter: program.as_mut_ptr(),
        };
        // SAFETY: `fprog` points to a valid one-instruction program that outlives the call;
        // the kernel copies it and keeps no pointer to it.
        let ret = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                (&fprog as *const libc::sock_fprog).cast(),
                size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        check(ret).map(|_| ())
    }

    /// Bytes per block.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// Where the status word of block `i` lives.
    fn status_ptr(&self, i: usize) -> *mut u32 {
        debug_assert!(i < self.block_count);
        // Pointer arithmetic only (wrapping_add never dereferences); i < block_count keeps it
        // inside the mapping, and blocks are page aligned so the word is 4-byte aligned.
        self.map
            .as_ptr()
            .wrapping_add(i * self.block_size + BLOCK_STATUS_OFFSET)
            .cast::<u32>()
    }

    /// The next block if the kernel has handed it over, without waiting.
    pub fn try_block(&mut self) -> Option<Block<'_>> {
        let i = self.next;
        let status = self.status_ptr(i);
        // SAFETY: `status` points to the aligned status word of a block inside the live
        // mapping. The kernel and we hand the block back and forth through this word only, so
        // our side accesses it atomically (acquire to take, release to give back), as libpcap
        // does with its barriers. No reference to the word outlives this expression.
        let word = unsafe { AtomicU32::from_ptr(status) }.load(Ordering::Acquire);
        if word & libc::TP_STATUS_USER == 0 {
            return None;
        }
        self.next = (i + 1) % self.block_count;
        // SAFETY: the kernel set TP_STATUS_USER (read with acquire ordering, so its writes to
        // the block are visible) and does not touch this block again until Block's Drop stores
        // TP_STATUS_KERNEL; Block borrows the ring mutably, so no other view of the block
        // exists meanwhile. The range lies inside the mapping. Drop's store goes through
        // `status`, not through this slice, after the slice's last use.
        let bytes = unsafe {
            std::slice::from_raw_parts(self.map.as_ptr().add(i * self.block_size), self.block_size)
        };
        Some(Block {
            bytes,
            status,
            _ring: std::marker::PhantomData,
        })
    }

    /// Waits at most `timeout` until the next block is ready (or the socket reports an error).
    pub fn wait(&self, timeout: Duration) -> io::Result<()> {
        wait_all(&[self], timeout)
    }

    /// Reads (and so resets) the kernel's counters for this socket.
    pub fn stats(&self) -> io::Result<RingStats> {
        let mut st = libc::tpacket_stats_v3 {
            tp_packets: 0,
            tp_drops: 0,
            tp_freeze_q_cnt: 0,
        };
        let mut len = size_of::<libc::tpacket_stats_v3>() as libc::socklen_t;
        // SAFETY: `st` is a valid, writable tpacket_stats_v3 and `len` holds its size; the
        // kernel writes at most `len` bytes and updates `len`.
        check(unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&mut st as *mut libc::tpacket_stats_v3).cast(),
                &mut len,
            )
        })?;
        Ok(RingStats {
            received: u64::from(st.tp_packets),
            dropped: u64::from(st.tp_drops),
        })
    }

    /// The pending socket error, if any (e.g. `ENETDOWN` when the interface went away).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        let mut err: libc::c_int = 0;
        let mut len = size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `err` is a valid, writable c_int and `len` its size.
        check(unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&mut err as *mut libc::c_int).cast(),
                &mut len,
            )
        })?;
        Ok((err != 0).then(|| io::Error::from_raw_os_error(err)))
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: `map`/`map_len` are exactly what mmap returned; no Block borrows the ring
        // any more (Block borrows it mutably), so nothing refers to the mapping after this.
        unsafe {
            libc::munmap(self.map.as_ptr().cast(), self.map_len);
        }
        // The socket is closed by OwnedFd.
    }
}

/// Waits at most `timeout` until one of `rings` has a block ready or reports an error.
pub fn wait_all(rings: &[&Ring], timeout: Duration) -> io::Result<()> {
    let mut fds: Vec<libc::pollfd> = rings
        .iter()
        .map(|r| libc::pollfd {
            fd: r.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: `fds` is a valid array of `fds.len()` pollfd structures that the kernel may
    // write `revents` into; it outlives the call.
    let ret = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if ret < 0 {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::Interrupted {
            return Ok(());
        }
        return Err(err);
    }
    Ok(())
}

/// A block handed over by the kernel; dropping it gives it back.
pub struct Block<'a> {
    bytes: &'a [u8],
    status: *mut u32,
    _ring: std::marker::PhantomData<&'a mut Ring>,
}

impl Block<'_> {
    /// The whole block: its descriptor, then its frames (walk them with
    /// [`super::block::frames`]).
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }
}

impl Drop for Block<'_> {
    fn drop(&mut self) {
        // SAFETY: `status` is the block's aligned status word inside the mapping, which the
        // mutable borrow of the ring keeps alive. Release ordering: our reads of the block
        // happen before the kernel reuses it.
        unsafe { AtomicU32::from_ptr(self.status) }
            .store(libc::TP_STATUS_KERNEL, Ordering::Release);
    }
}

/// The system page size (4096 when it cannot be read).
pub fn page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(4096)
}
