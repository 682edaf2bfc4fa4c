//! The details pane's tree: the selected frame's layers and fields (the text of
//! `read --detail`, from the same functions), plus the "why" of a handshake or teardown
//! frame's numbers (from [`crate::analyse::handshake`]).
//!
//! Two levels, as the decoder has them: a node per layer, a leaf per field. Every node and
//! leaf knows its bytes, which is what links the tree to the bytes pane.

use std::ops::Range;

use crate::analyse::Packet;
use crate::analyse::handshake::{ExchangeRow, RowKind};
use crate::decode::detail::{Layer, LayerKind};
use crate::render::detail::{field_text, frame_summary};

/// A handshake or teardown frame's row in its stream, with the stream's two ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Why {
    /// The row (kind and explanation).
    pub row: ExchangeRow,
    /// Endpoint A (the SYN sender, else the first sender seen).
    pub a: std::net::SocketAddr,
    /// Endpoint B.
    pub b: std::net::SocketAddr,
}

/// What identifies a node across frames (expansion is remembered per key, as Wireshark
/// remembers it per protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKey {
    /// The frame summary.
    Frame,
    /// The `nth` layer of a kind (0 for the first; QinQ has two VLAN tags).
    Layer(LayerKind, u8),
    /// The handshake/teardown explanation of a TCP frame.
    Why,
}

/// A field line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// `Name: value`, as `read --detail` prints it.
    pub text: String,
    /// The field's bytes.
    pub range: Option<Range<usize>>,
}

impl Leaf {
    /// The field's name (the text before `: `).
    pub fn name(&self) -> &str {
        self.text.split(": ").next().unwrap_or(&self.text)
    }
}

/// A layer (or the frame summary, or the "why").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Identity across frames.
    pub key: NodeKey,
    /// The summary line.
    pub title: String,
    /// The layer's bytes.
    pub range: Option<Range<usize>>,
    /// Ranges refer to the reassembled datagram, not to the frame.
    pub reassembled: bool,
    /// The fields.
    pub children: Vec<Leaf>,
}

/// The whole tree of one frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailTree {
    /// Frame number.
    pub number: u64,
    /// The nodes, in order.
    pub nodes: Vec<Node>,
}

/// A row of the tree: a node, or one of its leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowId {
    /// Index of the node.
    pub node: usize,
    /// Index of the leaf, or `None` for the node's own line.
    pub leaf: Option<usize>,
}

impl DetailTree {
    /// Builds the tree of `p` (whose bytes are `data`); `why` is the frame's row in its
    /// stream's handshake/teardown, if it has one.
    pub fn build(p: &Packet, data: &[u8], why: Option<&Why>) -> DetailTree {
        let (title, lines) = frame_summary(p);
        let mut nodes = vec![Node {
            key: NodeKey::Frame,
            title,
            // The whole frame: highlighting every byte would say nothing.
            range: None,
            reassembled: false,
            children: lines
                .into_iter()
                .map(|text| Leaf { text, range: None })
                .collect(),
        }];
        let layers: Vec<Layer> = p.layers(data);
        let mut seen: Vec<(LayerKind, u8)> = Vec::new();
        for l in layers {
            let nth = match seen.iter_mut().find(|(k, _)| *k == l.kind) {
                Some((_, n)) => {
                    *n = n.saturating_add(1);
                    *n
                }
                None => {
                    seen.push((l.kind, 0));
                    0
                }
            };
            let is_tcp = l.kind == LayerKind::Tcp;
            nodes.push(Node {
                key: NodeKey::Layer(l.kind, nth),
                title: l.title,
                range: (!l.range.is_empty()).then_some(l.range),
                reassembled: l.reassembled,
                children: l
                    .fields
                    .iter()
                    .map(|f| Leaf {
                        text: field_text(f),
                        range: f.range.clone().filter(|r| !r.is_empty()),
                    })
                    .collect(),
            });
            if is_tcp && let Some(row) = why {
                nodes.push(why_node(row));
            }
        }
        DetailTree {
            number: p.number,
            nodes,
        }
    }

    /// The rows shown when the nodes in `expanded` are open.
    pub fn rows(&self, expanded: impl Fn(NodeKey) -> bool) -> Vec<RowId> {
        let mut rows = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            rows.push(RowId {
                node: i,
                leaf: None,
            });
            if expanded(n.key) {
                rows.extend((0..n.children.len()).map(|j| RowId {
                    node: i,
                    leaf: Some(j),
                }));
            }
        }
        rows
    }

    /// A short name of a row for the bytes pane's title: the field's name, or the
    /// layer's ("TCP").
    pub fn name(&self, id: RowId) -> &str {
        let Some(n) = self.nodes.get(id.node) else {
            return "";
        };
        match (id.leaf, n.key) {
            (Some(j), _) => n.children.get(j).map_or("", |l| l.name().trim_start()),
            (None, NodeKey::Layer(kind, _)) => kind.name(),
            (None, NodeKey::Frame) => "frame",
            (None, NodeKey::Why) => "why",
        }
    }

    /// The text of a row.
    pub fn text(&self, id: RowId) -> &str {
        let Some(n) = self.nodes.get(id.node) else {
            return "";
        };
        match id.leaf {
            None => &n.title,
            Some(j) => n.children.get(j).map_or("", |l| l.text.as_str()),
        }
    }

    /// The bytes of a row, and whether they are in the reassembled datagram.
    pub fn range(&self, id: RowId) -> Option<(Range<usize>, bool)> {
        let n = self.nodes.get(id.node)?;
        let r = match id.leaf {
            None => n.range.clone(),
            Some(j) => n.children.get(j)?.range.clone(),
        }?;
        Some((r, n.reassembled))
    }

    /// The row that owns byte `at` (of the frame, or of the reassembled datagram): the
    /// field with the smallest range holding it, else the innermost layer.
    pub fn row_at_byte(&self, at: usize, reassembled: bool) -> Option<RowId> {
        let mut best: Option<(usize, RowId)> = None;
        let mut consider = |r: &Range<usize>, id: RowId| {
            if r.contains(&at) && best.is_none_or(|(len, _)| r.len() <= len) {
                best = Some((r.len(), id));
            }
        };
        for (i, n) in self.nodes.iter().enumerate() {
            if n.reassembled != reassembled || n.key == NodeKey::Frame {
                continue;
            }
            if let Some(r) = &n.range {
                consider(
                    r,
                    RowId {
                        node: i,
                        leaf: None,
                    },
                );
            }
            for (j, l) in n.children.iter().enumerate() {
                if let Some(r) = &l.range {
                    consider(
                        r,
                        RowId {
                            node: i,
                            leaf: Some(j),
                        },
                    );
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// Finds the row with `key` and, for a leaf, the field `name`.
    pub fn find(&self, key: NodeKey, name: Option<&str>) -> Option<RowId> {
        let node = self.nodes.iter().position(|n| n.key == key)?;
        let leaf = match name {
            None => None,
            Some(name) => self.nodes[node]
                .children
                .iter()
                .position(|l| l.name() == name),
        };
        Some(RowId { node, leaf })
    }
}

fn why_node(why: &Why) -> Node {
    let row = &why.row;
    let what = match row.kind {
        RowKind::Syn => "handshake step 1 (SYN)",
        RowKind::SynAck => "handshake step 2 (SYN, ACK)",
        RowKind::HandshakeAck => "handshake step 3 (ACK)",
        RowKind::Fin => "teardown (FIN)",
        RowKind::FinAck => "teardown (ACK of a FIN)",
        RowKind::Rst => "reset (RST)",
        RowKind::Data => "data",
        RowKind::Ack => "acknowledgement",
    };
    Node {
        key: NodeKey::Why,
        title: format!("Why these numbers: {what}"),
        range: None,
        reassembled: false,
        children: std::iter::once(format!("A = {}, B = {}", why.a, why.b))
            .chain(row.why.split("; ").map(str::to_string))
            .map(|text| Leaf { text, range: None })
            .collect(),
    }
}
