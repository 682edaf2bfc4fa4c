use super::*;

#[test]
fn an_empty_capture_answers_every_question_by_saying_what_to_capture() {
    let a = answers(&Trace::default());
    let ids: Vec<&str> = a.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    assert!(a[0].answer.contains("No ping"));
    assert!(a[4].answer.contains("No traceroute"));
}

#[test]
fn echo_fields_name_every_field_and_its_size() {
    let m = IcmpRepr::echo(8, 0x5430, 3);
    let t = echo_fields(&m, 56);
    assert!(t.starts_with("Type 8 and Code 0 (Echo (ping) request)"));
    assert!(t.contains("Identifier (21552 = 0x5430)"));
    assert!(t.contains("Sequence Number (3), 2 bytes each, then 56 bytes"));
}
