//! Fuzz target: the stack demo's framing decoder (`decode::stack`). Invariants: nothing
//! panics; frames come in stream order, each inside the input, and the bytes left over (or
//! the error's offset) lie after the last frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirelab::decode::stack;

fuzz_target!(|data: &[u8]| {
    let (frames, rest) = stack::frames(data);
    let mut end = 0;
    for f in &frames {
        assert!(f.offset >= end, "frames out of order");
        let body = f.offset + 5 + f.payload.len();
        assert!(body <= data.len(), "frame outside the input");
        assert_eq!(&data[f.offset + 5..body], f.payload);
        let _ = f.kind().map(|k| k.name());
        end = body;
    }
    match rest {
        Ok(left) => assert_eq!(left, data.len() - end),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
