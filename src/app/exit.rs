//! Exit codes shared by the commands that talk to the network (`craft`, `ping`; their
//! `--help` lists them), and the error that carries one up to `main`.

/// Everything worked.
pub const OK: u8 = 0;
/// Any other failure (I/O, a damaged file...).
pub const FAILURE: u8 = 1;
/// A usage error: bad arguments, a missing or unusable interface (clap uses 2 as well).
pub const USAGE: u8 = 2;
/// The server refused the connection (RST to the SYN).
pub const REFUSED: u8 = 3;
/// The next hop did not answer ARP.
pub const UNREACHABLE: u8 = 4;
/// No answer in time (SYN, data, echo requests).
pub const TIMED_OUT: u8 = 5;
/// The server reset an open connection.
pub const RESET: u8 = 6;
/// Raw sockets need root or CAP_NET_RAW (sysexits' `EX_NOPERM`).
pub const NO_PERMISSION: u8 = 77;

/// An error with the exit code it should end the program with.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What went wrong and what to do.
    pub message: String,
}

impl Failure {
    /// An error ending with `code`.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(USAGE, message)
    }
}

/// The exit code for an error that reached `main`.
pub fn code_of(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.code;
        }
        if let Some(crate::link::LinkError::NoPrivilege { .. }) = cause.downcast_ref() {
            return NO_PERMISSION;
        }
    }
    FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_chain() {
        let e = anyhow::Error::new(Failure::new(REFUSED, "refused"));
        assert_eq!(code_of(&e), REFUSED);
        let e = anyhow::Error::new(crate::link::LinkError::NoPrivilege {
            name: "eth0".into(),
            what: "sending raw frames",
        })
        .context("opening eth0");
        assert_eq!(code_of(&e), NO_PERMISSION);
        assert_eq!(code_of(&anyhow::anyhow!("other")), FAILURE);
    }
}
