use super::*;

/// The seed's example, byte for byte: chat (0x02), message (0x01), seq 0, `test` padded with
/// 28 zeros to 32 bytes, length 0x0000000b, then `Hello World`.
const SEED_BYTES: &[u8] = b"\x02\x01\x00test\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0bHello World";

fn seed_message() -> SimpMessage {
    SimpMessage::new(Operation::Message, 0, "test", b"Hello World".to_vec())
}

#[test]
fn seed_example_encodes_to_seed_bytes() {
    assert_eq!(SEED_BYTES.len(), 50);
    assert_eq!(seed_message().encode(), SEED_BYTES);
}

#[test]
fn seed_bytes_decode_to_seed_example() {
    assert_eq!(SimpMessage::decode(SEED_BYTES), Ok(seed_message()));
}

#[test]
fn every_operation_round_trips_with_its_codes() {
    let expected: [(Operation, u8, u8); 6] = [
        (Operation::Err, 0x01, 0x01),
        (Operation::Syn, 0x01, 0x02),
        (Operation::Ack, 0x01, 0x04),
        (Operation::SynAck, 0x01, 0x06),
        (Operation::Fin, 0x01, 0x08),
        (Operation::Message, 0x02, 0x01),
    ];
    for (op, type_code, op_code) in expected {
        for seq in [0u8, 1] {
            let msg = SimpMessage::new(op, seq, "alice", b"x".to_vec());
            let bytes = msg.encode();
            assert_eq!(
                bytes.get(..3),
                Some(&[type_code, op_code, seq][..]),
                "{op:?}"
            );
            assert_eq!(bytes.len(), HEADER_LEN + 1);
            assert_eq!(SimpMessage::decode(&bytes), Ok(msg));
        }
    }
}

#[test]
fn empty_payload_and_full_length_user_round_trip() {
    let user = "u".repeat(USER_LEN);
    let msg = SimpMessage::new(Operation::Fin, 0, &user, Vec::new());
    let bytes = msg.encode();
    assert_eq!(bytes.len(), HEADER_LEN);
    assert_eq!(bytes.get(35..39), Some(&[0u8, 0, 0, 0][..]));
    assert_eq!(SimpMessage::decode(&bytes), Ok(msg));
}

#[test]
fn encode_cuts_long_user_and_masks_sequence() {
    let msg = SimpMessage::new(Operation::Ack, 3, &"v".repeat(40), Vec::new());
    let decoded = SimpMessage::decode(&msg.encode()).expect("valid");
    assert_eq!(decoded.user, "v".repeat(USER_LEN));
    assert_eq!(decoded.seq, 1);
}

#[test]
fn every_shorter_length_is_too_short_or_length_mismatch() {
    for cut in 0..SEED_BYTES.len() {
        let err = SimpMessage::decode(&SEED_BYTES[..cut]).expect_err("truncated");
        if cut < HEADER_LEN {
            assert_eq!(err, SimpError::TooShort { available: cut });
            assert_eq!(err.offset(), cut);
        } else {
            assert_eq!(
                err,
                SimpError::LengthMismatch {
                    declared: 11,
                    available: cut - HEADER_LEN
                }
            );
        }
    }
}

#[test]
fn bad_type_is_reported_at_byte_0() {
    for code in [0x00, 0x03, 0xff] {
        let mut bytes = SEED_BYTES.to_vec();
        bytes[0] = code;
        let err = SimpMessage::decode(&bytes).expect_err("bad type");
        assert_eq!(err, SimpError::BadType(code));
        assert_eq!(err.offset(), 0);
    }
}

#[test]
fn bad_operations_are_reported_at_byte_1() {
    // Chat knows only 0x01; control has no 0x03, 0x05, 0x07, 0x09...
    for (kind, code) in [
        (MessageType::Chat, 0x00),
        (MessageType::Chat, 0x02),
        (MessageType::Control, 0x00),
        (MessageType::Control, 0x03),
        (MessageType::Control, 0x05),
        (MessageType::Control, 0x07),
        (MessageType::Control, 0x09),
        (MessageType::Control, 0x0a),
    ] {
        let mut bytes = SEED_BYTES.to_vec();
        bytes[0] = kind.code();
        bytes[1] = code;
        let err = SimpMessage::decode(&bytes).expect_err("bad op");
        assert_eq!(err, SimpError::BadOperation { kind, code });
        assert_eq!(err.offset(), 1);
    }
}

#[test]
fn bad_sequence_is_reported_at_byte_2() {
    let mut bytes = SEED_BYTES.to_vec();
    bytes[2] = 2;
    assert_eq!(SimpMessage::decode(&bytes), Err(SimpError::BadSequence(2)));
}

#[test]
fn non_ascii_user_is_reported_at_its_byte() {
    let mut bytes = SEED_BYTES.to_vec();
    bytes[4] = 0xc3; // inside "test"
    let err = SimpMessage::decode(&bytes).expect_err("non-ascii");
    assert_eq!(
        err,
        SimpError::NonAsciiUser {
            offset: 4,
            byte: 0xc3
        }
    );
    assert_eq!(err.offset(), 4);
}

#[test]
fn garbage_after_user_terminator_is_bad_padding() {
    let mut bytes = SEED_BYTES.to_vec();
    bytes[20] = b'x';
    assert_eq!(
        SimpMessage::decode(&bytes),
        Err(SimpError::BadUserPadding {
            offset: 20,
            byte: b'x'
        })
    );
}

#[test]
fn length_larger_or_smaller_than_datagram_is_a_mismatch() {
    let mut longer = SEED_BYTES.to_vec();
    longer[35..39].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        SimpMessage::decode(&longer),
        Err(SimpError::LengthMismatch {
            declared: u64::from(u32::MAX),
            available: 11
        })
    );
    let mut extra = SEED_BYTES.to_vec();
    extra.push(b'!');
    assert_eq!(
        SimpMessage::decode(&extra),
        Err(SimpError::LengthMismatch {
            declared: 11,
            available: 12
        })
    );
}

#[test]
fn errors_say_what_and_where() {
    assert_eq!(
        SimpError::TooShort { available: 5 }.to_string(),
        "datagram is 5 bytes, a SIMP header needs 39"
    );
    assert_eq!(
        SimpError::BadOperation {
            kind: MessageType::Chat,
            code: 2
        }
        .to_string(),
        "byte 1: operation 0x02 is not valid for a CHAT message"
    );
    assert_eq!(
        SimpError::LengthMismatch {
            declared: 20,
            available: 11
        }
        .to_string(),
        "byte 35: length field says 20 payload bytes, the datagram has 11"
    );
}

#[test]
fn info_matches_the_issue_examples() {
    let chat = view(SEED_BYTES).expect("valid");
    assert_eq!(chat.info(), "CHAT seq=0 user=test len=11 \"Hello World\"");
    let synack = SimpMessage::new(Operation::SynAck, 0, "alice", Vec::new()).encode();
    assert_eq!(
        view(&synack).expect("valid").info(),
        "CONTROL SYN+ACK seq=0 user=alice"
    );
    let err = SimpMessage::new(Operation::Err, 0, "bob", b"user busy".to_vec()).encode();
    assert_eq!(
        view(&err).expect("valid").info(),
        "CONTROL ERR seq=0 user=bob \"user busy\""
    );
}

#[test]
fn info_escapes_and_truncates() {
    let msg = SimpMessage::new(Operation::Message, 1, "a", b"\"q\"\n\x01\xff\\".to_vec());
    assert_eq!(
        view(&msg.encode()).expect("valid").info(),
        r#"CHAT seq=1 user=a len=7 "\"q\"\n\u{1}\xff\\""#
    );
    let long = SimpMessage::new(Operation::Message, 0, "a", vec![b'z'; 100]);
    let info = view(&long.encode()).expect("valid").info();
    assert_eq!(
        info,
        format!("CHAT seq=0 user=a len=100 \"{}…\"", "z".repeat(48))
    );
}

#[test]
fn fields_have_names_values_and_ranges() {
    let fields = view(SEED_BYTES).expect("valid").fields();
    let expected = vec![
        ("Type", "Chat (0x02)".to_owned(), 0..1),
        ("Operation", "MESSAGE (0x01)".to_owned(), 1..2),
        ("Sequence", "0".to_owned(), 2..3),
        ("User", "\"test\"".to_owned(), 3..35),
        ("Payload length", "11".to_owned(), 35..39),
        ("Payload", "\"Hello World\"".to_owned(), 39..50),
    ];
    assert_eq!(fields, expected);
    for (_, _, range) in &fields {
        assert!(SEED_BYTES.get(range.clone()).is_some());
    }
}

#[test]
fn user_names_are_validated() {
    assert!(validate_user("alice").is_ok());
    assert!(validate_user(&"a".repeat(32)).is_ok());
    assert!(validate_user("").is_err());
    assert!(validate_user(&"a".repeat(33)).is_err());
    assert!(validate_user("al ice").is_err());
    assert!(validate_user("zoë").is_err());
}

#[test]
fn decode_never_panics_on_small_inputs() {
    // Every 1- and 2-byte mutation of the seed datagram either decodes to something that
    // re-encodes to the same bytes, or is an error.
    for i in 0..SEED_BYTES.len() {
        for b in [0x00u8, 0x01, 0x02, 0x7f, 0x80, 0xff] {
            let mut bytes = SEED_BYTES.to_vec();
            bytes[i] = b;
            if let Ok(v) = view(&bytes) {
                assert_eq!(v.to_message().encode(), bytes);
                let _ = v.info();
            }
        }
    }
}
