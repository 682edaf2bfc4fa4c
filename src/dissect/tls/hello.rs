//! ClientHello and ServerHello bodies: what tshark's fields and tree show of them.

/// One hello message as far as it could be read (lenient: a short body keeps what came first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Hello {
    /// `legacy_version`.
    pub version: Option<u16>,
    /// The 32 random bytes.
    pub random: Option<Vec<u8>>,
    /// Session ID (may be empty).
    pub session_id: Option<Vec<u8>>,
    /// ClientHello: length of the cipher-suite list in bytes.
    pub suites_len: Option<u16>,
    /// Offered (ClientHello) or chosen (ServerHello) cipher suites.
    pub suites: Vec<u16>,
    /// Extensions: type and body.
    pub extensions: Vec<(u16, Vec<u8>)>,
}

/// The TLS 1.3 HelloRetryRequest's special random (SHA-256 of "HelloRetryRequest").
pub(super) const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

struct Reader<'a> {
    d: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.d.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
}

/// Parses a hello body (after the 4-byte handshake header); `client` picks the layout.
pub(super) fn parse(body: &[u8], client: bool) -> Hello {
    let mut h = Hello::default();
    let _ = parse_into(body, client, &mut h);
    h
}

fn parse_into(body: &[u8], client: bool, h: &mut Hello) -> Option<()> {
    let mut r = Reader { d: body, at: 0 };
    h.version = Some(r.u16()?);
    h.random = Some(r.take(32)?.to_vec());
    let n = r.u8()?;
    h.session_id = Some(r.take(usize::from(n))?.to_vec());
    if client {
        let n = r.u16()?;
        h.suites_len = Some(n);
        let list = r.take(usize::from(n))?;
        h.suites = list
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let n = r.u8()?;
        r.take(usize::from(n))?;
    } else {
        h.suites = vec![r.u16()?];
        r.u8()?;
    }
    let total = r.u16()?;
    let ext = r.take(usize::from(total)).unwrap_or(&body[r.at..]);
    let mut e = Reader { d: ext, at: 0 };
    while let (Some(t), Some(n)) = (e.u16(), e.u16()) {
        let Some(b) = e.take(usize::from(n)) else {
            break;
        };
        h.extensions.push((t, b.to_vec()));
    }
    Some(())
}

impl Hello {
    fn ext(&self, t: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(x, _)| *x == t)
            .map(|(_, b)| b.as_slice())
    }

    /// The server names (SNI, extension 0) of a ClientHello.
    pub fn server_names(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if let Some(b) = self.ext(0) {
            let mut r = Reader { d: b, at: 0 };
            let _ = r.u16();
            while let (Some(_t), Some(n)) = (r.u8(), r.u16()) {
                let Some(name) = r.take(usize::from(n)) else {
                    break;
                };
                out.push(name.to_vec());
            }
        }
        out
    }

    /// The ALPN protocol names (extension 16).
    pub fn alpn(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if let Some(b) = self.ext(16) {
            let mut r = Reader { d: b, at: 0 };
            let _ = r.u16();
            while let Some(n) = r.u8() {
                let Some(p) = r.take(usize::from(n)) else {
                    break;
                };
                out.push(p.to_vec());
            }
        }
        out
    }

    /// supported_versions (extension 43): the list a client offers, the one a server chose.
    pub fn supported_versions(&self, client: bool) -> Vec<u16> {
        let Some(b) = self.ext(43) else {
            return Vec::new();
        };
        let list = if client {
            b.get(1..1 + usize::from(*b.first().unwrap_or(&0)))
                .unwrap_or(&[])
        } else {
            b
        };
        list.chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect()
    }

    /// Has the client asked for early data (extension 42)?
    pub fn early_data(&self) -> bool {
        self.ext(42).is_some()
    }

    /// Is this ServerHello a HelloRetryRequest?
    pub fn is_hrr(&self) -> bool {
        self.random.as_deref() == Some(&HRR_RANDOM[..])
    }
}

/// The version a ServerHello settles (`tls_scan_server_hello`): supported_versions if there,
/// else legacy_version.
pub(super) fn server_version(h: &Hello) -> Option<u16> {
    h.supported_versions(false).first().copied().or(h.version)
}
