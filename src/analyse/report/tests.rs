use super::*;

fn s(n: u32) -> SeqNumber {
    SeqNumber(n)
}

#[test]
fn an_ack_retires_covered_segments_and_trims_a_partly_covered_one() {
    let mut u: VecDeque<(SeqNumber, SeqNumber)> =
        [(s(1), s(101)), (s(101), s(201)), (s(201), s(301))].into();
    retire(&mut u, s(150));
    assert_eq!(u, VecDeque::from([(s(150), s(201)), (s(201), s(301))]));
    retire(&mut u, s(301));
    assert!(u.is_empty());
}

#[test]
fn bytes_in_flight_leave_out_sacked_bytes_as_tshark_does() {
    let u: VecDeque<(SeqNumber, SeqNumber)> = [(s(1), s(1449)), (s(2897), s(4345))].into();
    // Highest end − lowest start, whatever the hole between.
    assert_eq!(bytes_in_flight(&u, &[], false), Some(4344));
    // The receiver's SACK says 1449..2897 arrived.
    assert_eq!(
        bytes_in_flight(&u, &[(s(1449), s(2897))], false),
        Some(2896)
    );
    // A FIN's virtual byte is not counted.
    assert_eq!(bytes_in_flight(&u, &[], true), Some(4343));
    assert_eq!(bytes_in_flight(&VecDeque::new(), &[], false), None);
}

#[test]
fn a_resend_is_labelled_as_tshark_labels_it() {
    assert_eq!(
        resend_label(AnalysisFlags::OUT_OF_ORDER),
        ResendLabel::OutOfOrder
    );
    assert_eq!(
        resend_label(AnalysisFlags::FAST_RETRANSMISSION),
        ResendLabel::Fast
    );
    assert_eq!(
        resend_label(AnalysisFlags::RETRANSMISSION),
        ResendLabel::Retransmission
    );
    assert_eq!(
        resend_label(AnalysisFlags::default()),
        ResendLabel::Unflagged
    );
    assert_eq!(ResendLabel::OutOfOrder.text(), "Out-Of-Order");
}
