//! QUIC Initial packet protection (RFC 9001 §5): keys from the client's first Destination
//! Connection ID, header protection (AES-ECB mask) and payload decryption (AES-128-GCM).
//! Only Initial keys can be derived from the wire; Handshake, 0-RTT and 1-RTT keys need the
//! TLS secrets, which a capture does not hold.

use aes::Aes128;
use aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};
use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, Payload};
use hkdf::Hkdf;
use sha2::Sha256;

/// The keys of one direction of the Initial packet space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Keys {
    key: [u8; 16],
    iv: [u8; 12],
    hp: [u8; 16],
}

/// `HKDF-Expand-Label(secret, label, "", len)` (RFC 8446 §7.1).
fn expand_label(hk: &Hkdf<Sha256>, label: &str, out: &mut [u8]) -> Option<()> {
    let full = format!("tls13 {label}");
    let mut info = Vec::with_capacity(4 + full.len());
    info.extend_from_slice(&u16::try_from(out.len()).ok()?.to_be_bytes());
    info.push(u8::try_from(full.len()).ok()?);
    info.extend_from_slice(full.as_bytes());
    info.push(0);
    hk.expand(&info, out).ok()
}

/// Initial salt and label prefix for a version, `None` for versions without known Initial keys.
fn version_params(version: u32) -> Option<(&'static [u8], &'static str)> {
    const V1: [u8; 20] = [
        0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c,
        0xad, 0xcc, 0xbb, 0x7f, 0x0a,
    ];
    const DRAFT29: [u8; 20] = [
        0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11,
        0xe0, 0x43, 0x90, 0xa8, 0x99,
    ];
    const V2: [u8; 20] = [
        0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d,
        0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
    ];
    match version {
        0x0000_0001 => Some((&V1, "quic")),
        0xff00_001d..=0xff00_0020 => Some((&DRAFT29, "quic")),
        0x6b33_43cf => Some((&V2, "quicv2")),
        _ => None,
    }
}

/// The Initial keys of the client (`server == false`) or the server for `dcid`.
pub(super) fn initial_keys(version: u32, dcid: &[u8], server: bool) -> Option<Keys> {
    let (salt, prefix) = version_params(version)?;
    let (_, initial) = Hkdf::<Sha256>::extract(Some(salt), dcid);
    let mut secret = [0u8; 32];
    expand_label(
        &initial,
        if server { "server in" } else { "client in" },
        &mut secret,
    )?;
    let hk = Hkdf::<Sha256>::from_prk(&secret).ok()?;
    let mut k = Keys {
        key: [0; 16],
        iv: [0; 12],
        hp: [0; 16],
    };
    expand_label(&hk, &format!("{prefix} key"), &mut k.key)?;
    expand_label(&hk, &format!("{prefix} iv"), &mut k.iv)?;
    expand_label(&hk, &format!("{prefix} hp"), &mut k.hp)?;
    Some(k)
}

/// A packet with its protection removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Opened {
    /// Truncated packet number as sent.
    pub packet_number: u64,
    /// Length of the packet number field.
    pub pn_len: usize,
    /// The decrypted frames.
    pub plaintext: Vec<u8>,
}

/// Removes header protection and decrypts a long-header packet `pkt` whose packet number starts
/// at `pn_offset` and which ends at `pkt.len()`.
pub(super) fn open(keys: &Keys, pkt: &[u8], pn_offset: usize) -> Option<Opened> {
    let sample = pkt.get(pn_offset + 4..pn_offset + 20)?;
    let hp = Aes128::new(GenericArray::from_slice(&keys.hp));
    let mut block = GenericArray::clone_from_slice(sample);
    hp.encrypt_block(&mut block);
    let mask = block;
    let first = pkt.first()? ^ (mask[0] & 0x0f);
    let pn_len = usize::from(first & 0x03) + 1;
    let mut header = pkt.get(..pn_offset + pn_len)?.to_vec();
    header[0] = first;
    let mut pn: u64 = 0;
    for i in 0..pn_len {
        let b = header[pn_offset + i] ^ mask[1 + i];
        header[pn_offset + i] = b;
        pn = (pn << 8) | u64::from(b);
    }
    let mut nonce = keys.iv;
    for (i, b) in pn.to_be_bytes().iter().enumerate() {
        nonce[4 + i] ^= b;
    }
    let aead = Aes128Gcm::new(GenericArray::from_slice(&keys.key));
    let plaintext = aead
        .decrypt(
            GenericArray::from_slice(&nonce),
            Payload {
                msg: pkt.get(pn_offset + pn_len..)?,
                aad: &header,
            },
        )
        .ok()?;
    Some(Opened {
        packet_number: pn,
        pn_len,
        plaintext,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9001 Appendix A.1: the client's Initial keys for DCID 0x8394c8f03e515708.
    #[test]
    fn rfc9001_client_initial_keys() {
        let dcid = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];
        let k = initial_keys(1, &dcid, false).unwrap();
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(&k.key), "1f369613dd76d5467730efcbe3b1a22d");
        assert_eq!(hex(&k.iv), "fa044b2f42a3fd3b46fb255c");
        assert_eq!(hex(&k.hp), "9f50449e04a0e810283a1e9933adedd2");
        let s = initial_keys(1, &dcid, true).unwrap();
        assert_eq!(hex(&s.key), "cf3a5331653c364c88f0f379b6067e37");
    }
}
