//! wirelab: a raw-packet visualizer and capture tool for networking labs.
//!
//! Frames flow one way: [`source`] (file or live) → [`decode`] → [`analyse`] → [`render`] →
//! [`sink`] (terminal, pcapng, JSON). Crafting flows payload → TCP → IPv4 → Ethernet in
//! [`craft`] (builders and sans-IO engines), out through a [`link`]; the drivers that own
//! sockets, clocks and the terminal are in [`app`]. The socket demos of the course ([`demo`])
//! use the layers below them and only the application layer calls them.
//!
//! ## Layers
//!
//! Lowest first. A module may import only the modules on its row (a row names only rows above
//! it, so every allowed arrow points down); a sub-module with a row of its own (`lab::answer`)
//! is apart from the rest of its parent. `tests/layering.rs` reads this table and every
//! `crate::…` path under `src/` and fails on any other arrow; test code is exempt.
//!
//! | module | job | may import |
//! |---|---|---|
//! | `text` | escaping peer and file bytes for a terminal | — |
//! | `privilege` | dropping capabilities once raw sockets are open | — |
//! | `frame` | the unit that flows: `Frame`, link type, direction | — |
//! | `wire` | one `Repr` per header: parse, emit, checksum | `frame` |
//! | `decode` | bytes → layers with fields and byte ranges | `text`, `frame`, `wire` |
//! | `link` | interfaces and datalink channels (send, receive) | `frame`, `wire` |
//! | `source` | pcap/pcapng reader, live ring | `frame`, `link` |
//! | `dissect` | application protocols: dispatch table, TCP reassembly, Wireshark's fields | `text`, `frame`, `wire`, `decode` |
//! | `analyse` | flows, TCP streams, analysis flags | `frame`, `wire`, `decode`, `dissect` |
//! | `filter` | display filters | `frame`, `wire`, `decode`, `analyse`, `dissect` |
//! | `craft` | frame builder and sans-IO engines (TCP, ARP, ping, traceroute) | `frame`, `wire`, `decode` |
//! | `lab::offload` | checksums a NIC would have completed | `frame`, `wire`, `decode` |
//! | `lab::answer` | a lab's questions answered from its capture | `text`, `frame`, `wire`, `decode`, `analyse`, `source`, `lab::offload`, `dissect` |
//! | `render` | text and tables, written to `impl Write` | `text`, `frame`, `wire`, `decode`, `analyse`, `lab::answer`, `dissect` |
//! | `graph` | time series and braille plots | `frame`, `wire`, `decode`, `analyse`, `render` |
//! | `sink` | pcapng and JSON writers | `frame`, `wire`, `decode`, `analyse`, `source`, `render`, `dissect` |
//! | `stream_views` | per-stream views (RTT, throughput, follow) | `frame`, `analyse`, `render`, `sink` |
//! | `pipeline` | frame → filter → views → sinks | `frame`, `decode`, `analyse`, `filter`, `render`, `sink`, `stream_views`, `dissect` |
//! | `capture` | live capture to files | `privilege`, `frame`, `link`, `source`, `sink`, `pipeline` |
//! | `serve` | the server side, layer by layer | `frame`, `wire`, `decode`, `analyse`, `source`, `render`, `pipeline`, `capture`, `dissect` |
//! | `tui` | the `view` terminal UI | `frame`, `wire`, `decode`, `analyse`, `filter`, `source`, `render`, `graph`, `capture`, `dissect` |
//! | `lab` | the virtual lab and its switch | `frame`, `wire`, `decode`, `analyse`, `source`, `link`, `lab::offload`, `lab::answer`, `dissect` |
//! | `demo` | the course's socket demos | `frame`, `wire`, `decode`, `link`, `craft`, `render` |
//! | `cli` | clap structs (no I/O, no logic) | `lab`, `lab::answer`, `dissect` |
//! | `app` | one run function per subcommand; the craft drivers | * |
//! | `main` | the binary | `app`, `cli` |
//!
//! Arrows that look sideways, and why they point down: `source` → `link` (a live source opens
//! an interface), `sink` → `source` (one error-chain text), `render` → `lab::answer` (it writes
//! the answers' report), `cli` → `lab` (flag values such as rates and lab numbers parse into
//! the lab's own types).
// Unsafe code is denied everywhere and allowed in one module only, `source::ring` (the
// TPACKET_V3 ring); every top-level module but `source` (the ring's parent) forbids it outright.
#![deny(unsafe_code)]

pub mod analyse;
pub mod app;
pub mod capture;
pub mod cli;
pub mod craft;
pub mod decode;
pub mod demo;
pub mod dissect;
pub mod filter;
pub mod frame;
pub mod graph;
pub mod lab;
pub mod link;
pub mod pipeline;
pub mod privilege;
pub mod render;
pub mod serve;
pub mod sink;
pub mod source;
pub mod stream_views;
pub mod text;
pub mod tui;
pub mod wire;
