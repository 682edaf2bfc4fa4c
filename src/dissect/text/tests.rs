//! Text-protocol conversations → columns and fields, against what tshark 4.0 printed.

use std::net::SocketAddr;
use std::time::Duration;

use super::super::{AppLayer, Columns, Dissectors, Endpoints, TcpSegmentInfo};

/// A TCP conversation between client port 40000 and `server_port`, segment by segment.
struct Talk {
    d: Dissectors,
    seq: [u32; 2],
    frame: u64,
    server_port: u16,
}

impl Talk {
    fn new(server_port: u16) -> Talk {
        Talk {
            d: Dissectors::default(),
            seq: [1000, 5000],
            frame: 0,
            server_port,
        }
    }

    /// Sends `payload` from the client (`to_server`) or the server; the columns and layers.
    fn send(&mut self, to_server: bool, payload: &[u8]) -> (Columns, Vec<AppLayer>) {
        let c = SocketAddr::from(([10, 0, 0, 2], 40000));
        let s = SocketAddr::from(([10, 0, 0, 1], self.server_port));
        let (ends, i) = if to_server {
            (Endpoints { src: c, dst: s }, 0)
        } else {
            (Endpoints { src: s, dst: c }, 1)
        };
        self.frame += 1;
        let seg = TcpSegmentInfo {
            stream: 0,
            seq: self.seq[i],
            retransmission: false,
            fin: false,
        };
        self.seq[i] = self.seq[i].wrapping_add(payload.len() as u32);
        let mut cols = Columns::new("TCP", "tcp");
        let mut layers = Vec::new();
        self.d.tcp(
            self.frame,
            Duration::ZERO,
            ends,
            seg,
            payload,
            &mut cols,
            &mut layers,
        );
        (cols, layers)
    }

    fn info(&mut self, to_server: bool, payload: &[u8]) -> String {
        let (c, _) = self.send(to_server, payload);
        format!("{} {}", c.protocol, c.info)
    }
}

#[test]
fn smtp_as_tshark_words_it() {
    let mut t = Talk::new(25);
    assert_eq!(t.info(false, b"220 mx ESMTP\r\n"), "SMTP S: 220 mx ESMTP");
    assert_eq!(
        t.info(false, b"250-mx\r\n250-PIPELINING\r\n250 HELP\r\n"),
        "SMTP S: 250-mx | PIPELINING | HELP"
    );
    assert_eq!(
        t.info(true, b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
        "SMTP C: MAIL FROM:<a@b> | RCPT TO:<c@d>"
    );
    assert_eq!(
        t.info(false, b"250 OK\r\n250 Accepted\r\n"),
        "SMTP S: 250 OK | 250 Accepted"
    );
    assert_eq!(
        t.info(true, b"RCPT TO:<e"),
        "TCP tcp [TCP segment of a reassembled PDU]"
    );
    assert_eq!(t.info(true, b"@f>\r\n"), "SMTP C: RCPT TO:<e@f>");
    assert_eq!(t.info(true, b"DATA\r\n"), "SMTP C: DATA");
    assert_eq!(t.info(false, b"354 go\r\n"), "SMTP S: 354 go");
    assert_eq!(
        t.info(
            true,
            b"From: A <a@b>\r\nTo: c@d\r\nSubject: hi there\r\n\r\nline one\r\n"
        ),
        "SMTP C: DATA fragment, 55 bytes"
    );
    let (c, l) = t.send(true, b"line two\r\n.\r\n");
    assert_eq!(c.protocol, "SMTP/IMF");
    assert_eq!(
        c.info,
        "from: A <a@b>, subject: hi there, , line one  , line two  "
    );
    let imf = l
        .iter()
        .find(|l| l.values("imf.to").next().is_some())
        .unwrap();
    assert_eq!(imf.values("imf.to").next().unwrap().to_string(), "c@d");
    assert_eq!(t.info(false, b"250 queued\r\n"), "SMTP S: 250 queued");
    let (_, l) = t.send(true, b"QUIT\r\n");
    assert_eq!(
        l[0].values("smtp.req.command").next().unwrap().to_string(),
        "QUIT"
    );
}

#[test]
fn ftp_and_its_data_channel() {
    let mut t = Talk::new(21);
    assert_eq!(
        t.info(false, b"220-Welcome\r\n220 ready\r\n"),
        "FTP Response: 220-Welcome"
    );
    assert_eq!(t.info(true, b"PASS x"), "FTP Request: PASS x");
    assert_eq!(t.info(true, b"PASV\r\n"), "FTP Request: PASV");
    assert_eq!(
        t.info(false, b"227 Entering passive mode (10,0,0,1,211,137).\r\n"),
        "FTP Response: 227 Entering passive mode (10,0,0,1,211,137)."
    );
    assert_eq!(t.info(true, b"LIST\r\n"), "FTP Request: LIST");
    let mut cols = Columns::new("TCP", String::new());
    let mut layers = Vec::new();
    let ends = Endpoints {
        src: SocketAddr::from(([10, 0, 0, 1], 54153)),
        dst: SocketAddr::from(([10, 0, 0, 2], 40100)),
    };
    let seg = TcpSegmentInfo {
        stream: 1,
        seq: 1,
        retransmission: false,
        fin: false,
    };
    t.d.tcp(
        9,
        Duration::ZERO,
        ends,
        seg,
        b"a.txt\r\n",
        &mut cols,
        &mut layers,
    );
    assert_eq!(
        (cols.protocol, cols.info()),
        ("FTP-DATA", "FTP Data: 7 bytes (PASV) (LIST)")
    );
}

#[test]
fn pop_and_imap() {
    let mut t = Talk::new(110);
    assert_eq!(t.info(false, b"+OK ready\r\n"), "POP S: +OK ready");
    assert_eq!(t.info(true, b"LIST\r\n"), "POP C: LIST");
    assert_eq!(
        t.info(false, b"+OK 1 messages\r\n"),
        "POP S: +OK 1 messages"
    );
    assert_eq!(t.info(false, b"1 93\r\n.\r\n"), "POP/IMF 1 93  , .  ");
    let mut t = Talk::new(143);
    assert_eq!(
        t.info(
            false,
            b"* 0 RECENT\r\na2 OK [READ-WRITE] SELECT completed\r\n"
        ),
        "IMAP Response: a2 OK [READ-WRITE] SELECT completed"
    );
    assert_eq!(
        t.info(true, b"a3 FETCH 1 (RFC822)\r\n"),
        "IMAP Request: a3 FETCH 1 (RFC822)"
    );
    assert_eq!(
        t.info(
            false,
            b"* 1 FETCH (RFC822 {25}\r\nSubject: x\r\n\r\nbody text\r\n)\r\na3 OK done\r\n"
        ),
        "IMAP/IMF subject: x, , body text  "
    );
}
