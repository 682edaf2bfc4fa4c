//! `wirelab stack`: a message wrapped in TCP, IPv4 and Ethernet with no network and no
//! privileges, then the same bytes taken apart by the decoder (the seed's stack demo,
//! standalone; `stack-client`'s `stack` command shows the same views).

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::ExitCode;

use super::exit::Failure;
use crate::cli::craft::StackArgs;
use crate::decode::detail::{self, DetailContext, LayerKind};
use crate::demo::stack::encapsulation::{self, Params};
use crate::render::encapsulation::{write_build_up, write_take_off};

/// The example addresses: the lab's client 10.0.3.2 talking to its server 10.0.3.1.
pub fn example_params() -> Params {
    Params {
        src_mac: [0x02, 0, 0, 0, 0x03, 0x02],
        dst_mac: [0x02, 0, 0, 0, 0x03, 0x01],
        src: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 2), 40000),
        dst: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 1), 8080),
        seq: 1,
        ack: 1,
        ip_id: 1,
        ttl: 64,
        window: 502,
    }
}

/// Writes both views of `message` to `out`.
pub fn write_stack(
    out: &mut impl Write,
    message: &[u8],
    style: crate::render::style::Style,
) -> anyhow::Result<()> {
    let p = example_params();
    let frame =
        encapsulation::encapsulate(message, &p).map_err(|e| Failure::usage(e.to_string()))?;
    let d = encapsulation::decapsulate(&frame)
        .map_err(|e| Failure::new(super::exit::FAILURE, e.to_string()))?;
    let layers = detail::layers(&d.decoded, &frame, &DetailContext::default());
    writeln!(
        out,
        "Example: a message from {} to {}, just after the handshake (Seq 1, Ack 1)",
        p.src, p.dst
    )?;
    writeln!(out)?;
    write_build_up(out, &frame, &layers, "Sending", style)?;
    writeln!(out)?;
    writeln!(out, "Receiving: the same bytes, read by wirelab's decoder")?;
    let checks = [
        (
            LayerKind::Ipv4,
            format!(
                "header checksum checked again here: {}",
                if d.ip_checksum_ok { "correct" } else { "WRONG" }
            ),
        ),
        (
            LayerKind::Tcp,
            format!(
                "checksum checked again here (pseudo-header + segment): {}",
                if d.tcp_checksum_ok {
                    "correct"
                } else {
                    "WRONG"
                }
            ),
        ),
    ];
    write_take_off(out, &frame, &layers, &checks, style)?;
    Ok(())
}

/// Runs `wirelab stack`.
pub fn run(args: &StackArgs) -> anyhow::Result<ExitCode> {
    let style = super::stdout_style(args.color);
    let mut out = io::stdout().lock();
    write_stack(&mut out, args.message.as_bytes(), style)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
