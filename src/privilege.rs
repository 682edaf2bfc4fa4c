//! Least privilege: wirelab needs one capability, CAP_NET_RAW, and only to open its raw
//! sockets and rings (promiscuous mode is asked of the packet socket with
//! `PACKET_ADD_MEMBERSHIP`, which needs no CAP_NET_ADMIN). Commands that open none drop every
//! capability at start; the others drop every capability right after opening them, as
//! dumpcap and `tcpdump -Z` do, so a capture file or a frame from the network is never parsed
//! with a capability in force. Both also set `PR_SET_NO_NEW_PRIVS`, so nothing this process
//! runs later can gain privileges back.
//!
//! Capabilities belong to each thread: [`drop_all`] must run before the threads that should
//! lose them are started (or in each of them).
#![forbid(unsafe_code)]

use rustix::thread::{CapabilitySet, CapabilitySets};

/// Why privileges could not be dropped.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegeError {
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed.
    #[error("cannot set no_new_privs: {0}")]
    NoNewPrivs(#[source] std::io::Error),
    /// `capset` failed.
    #[error("cannot drop capabilities: {0}")]
    Capset(#[source] std::io::Error),
}

/// Drops every capability of the calling thread (effective, permitted, inheritable) and sets
/// `PR_SET_NO_NEW_PRIVS`. Never fails for lack of privilege: lowering is always allowed.
pub fn drop_all() -> Result<(), PrivilegeError> {
    rustix::thread::set_no_new_privs(true).map_err(|e| PrivilegeError::NoNewPrivs(e.into()))?;
    rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: CapabilitySet::empty(),
            inheritable: CapabilitySet::empty(),
        },
    )
    .map_err(|e| PrivilegeError::Capset(e.into()))
}

/// True when the calling thread holds no capability at all (effective or permitted).
pub fn holds_none() -> bool {
    rustix::thread::capabilities(None)
        .is_ok_and(|c| c.effective.is_empty() && c.permitted.is_empty())
}

/// As [`drop_all`], but CAP_NET_ADMIN, when held, stays permitted (not effective): a program
/// run as root afterwards (`ip`, to apply a DHCP lease) gets it back, and nothing else.
pub fn drop_all_but_net_admin() -> Result<(), PrivilegeError> {
    let held = rustix::thread::capabilities(None)
        .map(|c| c.permitted)
        .unwrap_or(CapabilitySet::empty());
    rustix::thread::set_no_new_privs(true).map_err(|e| PrivilegeError::NoNewPrivs(e.into()))?;
    rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: held & CapabilitySet::NET_ADMIN,
            inheritable: CapabilitySet::empty(),
        },
    )
    .map_err(|e| PrivilegeError::Capset(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_admin_alone_stays_permitted_and_nothing_is_effective() {
        std::thread::spawn(|| {
            drop_all_but_net_admin().unwrap();
            let c = rustix::thread::capabilities(None).unwrap();
            assert!(c.effective.is_empty());
            assert!(CapabilitySet::NET_ADMIN.contains(c.permitted));
            assert!(rustix::thread::no_new_privs().unwrap());
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_thread_that_drops_holds_nothing_and_cannot_gain_back() {
        // In a thread of its own: the test harness's other threads keep theirs.
        std::thread::spawn(|| {
            drop_all().unwrap();
            assert!(holds_none());
            assert!(rustix::thread::no_new_privs().unwrap());
            // Raising is refused now.
            let raise = rustix::thread::set_capabilities(
                None,
                CapabilitySets {
                    effective: CapabilitySet::NET_RAW,
                    permitted: CapabilitySet::NET_RAW,
                    inheritable: CapabilitySet::empty(),
                },
            );
            assert!(raise.is_err());
            // And dropping again is harmless.
            drop_all().unwrap();
        })
        .join()
        .unwrap();
    }
}
