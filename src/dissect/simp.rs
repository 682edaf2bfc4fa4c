//! SIMP on UDP port 7777: what the packet list, `--detail` and `--json` show of it.
//!
//! A payload that parses as SIMP is shown as SIMP. One that starts like SIMP (type byte
//! 0x01 or 0x02) but does not parse is shown as malformed SIMP with the reason; anything
//! else on port 7777 stays plain UDP, so unrelated traffic on that port is not mislabelled.

use super::{Cx, Dissector, FieldDef, FieldType, FieldVal, Outcome, Transport};
use crate::decode::detail::{AppLayer, Field};
use crate::decode::simp::{self, field};

/// Fields this module sets.
pub const FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "simp.type",
        kind: FieldType::Uint(0xff),
        proto: Dissector::Simp,
    },
    FieldDef {
        name: "simp.user",
        kind: FieldType::Str,
        proto: Dissector::Simp,
    },
];

/// Dissects a UDP payload as SIMP: rejected unless it is (or tries to be) SIMP.
pub fn dissect(cx: &mut Cx<'_>, data: &[u8], t: Transport) -> Outcome {
    if t != Transport::Udp {
        return Outcome::Rejected;
    }
    let Some(s) = summary(data) else {
        return Outcome::Rejected;
    };
    cx.cols.protocol = "SIMP";
    cx.cols.set_info(&s.info);
    let SimpSummary {
        kind,
        user,
        json,
        detail,
        ..
    } = s;
    cx.begin(Dissector::Simp, 0, || detail.title.clone());
    cx.field("simp.type", || FieldVal::Uint(u64::from(kind)));
    cx.field("simp.user", || FieldVal::Str(user));
    for f in detail.fields {
        cx.line(f.depth, f.range, &f.name, || f.value);
    }
    cx.json(|| json);
    Outcome::Done
}

/// What the packet list shows of a SIMP message.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpSummary {
    /// Message type code (1 control, 2 chat); 0 when malformed.
    pub kind: u8,
    /// User name.
    pub user: String,
    /// Info column text.
    pub info: String,
    /// The `"simp"` object of `--json`.
    pub json: serde_json::Value,
    /// Title and fields (ranges relative to the payload) for `--detail`.
    pub detail: AppLayer,
}

/// Summarises a UDP payload on the SIMP port as SIMP, if it is (or tries to be) SIMP.
pub fn summary(payload: &[u8]) -> Option<SimpSummary> {
    match simp::view(payload) {
        Ok(v) => {
            let fields = v
                .fields()
                .into_iter()
                .map(|(name, value, range)| Field {
                    name: name.to_string(),
                    value,
                    range: Some(range),
                    depth: 0,
                })
                .collect();
            Some(SimpSummary {
                kind: v.kind().code(),
                user: v.user().to_string(),
                info: v.info(),
                json: serde_json::json!({
                    "type": v.kind().name(),
                    "operation": v.op().name(),
                    "seq": v.seq(),
                    "user": v.user(),
                    "len": v.payload().len(),
                    "payload": String::from_utf8_lossy(v.payload()),
                }),
                detail: AppLayer {
                    title: "Simple IM Protocol (SIMP)".to_string(),
                    fields,
                },
            })
        }
        Err(e) if matches!(payload.first(), Some(1 | 2)) => {
            let mut fields = Vec::new();
            if let Some(t) = payload.get(field::TYPE) {
                fields.push(Field {
                    name: "Type".to_string(),
                    value: format!("0x{:02x}", t[0]),
                    range: Some(field::TYPE),
                    depth: 0,
                });
            }
            fields.push(Field {
                name: "Malformed".to_string(),
                value: e.to_string(),
                range: Some(e.offset()..(e.offset() + 1).min(payload.len())),
                depth: 0,
            });
            Some(SimpSummary {
                kind: 0,
                user: String::new(),
                info: format!("[Malformed SIMP: {e}]"),
                json: serde_json::json!({ "malformed": e.to_string() }),
                detail: AppLayer {
                    title: "Simple IM Protocol (SIMP), malformed".to_string(),
                    fields,
                },
            })
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::simp::{Operation, SimpMessage};

    #[test]
    fn seed_example_summary() {
        let m = SimpMessage::new(Operation::Message, 0, "test", b"Hello World".to_vec());
        let s = summary(&m.encode()).unwrap();
        assert_eq!(s.info, "CHAT seq=0 user=test len=11 \"Hello World\"");
        assert_eq!(s.json["user"], "test");
        assert_eq!(s.kind, 2);
    }

    #[test]
    fn plain_text_on_the_port_is_not_simp_and_broken_simp_is_malformed() {
        assert!(summary(b"one\n").is_none());
        let s = summary(&[2, 1, 0, b't']).unwrap();
        assert!(s.info.starts_with("[Malformed SIMP: "), "{}", s.info);
    }
}
