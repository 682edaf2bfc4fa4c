//! Driving `wirelab lab …` from the lab's own tests (`lab_lifecycle.rs`, `lab_routed.rs`,
//! `lab_services.rs`): what a command printed, and that a failing `lab up` leaves nothing.

use std::process::{Command, Output, Stdio};

use super::netns::Lab;

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `cmd` (no input) and checks it succeeded; returns what it printed ([`text`]).
pub fn ok(cmd: &mut Command) -> String {
    let o = cmd.stdin(Stdio::null()).output().expect("running wirelab");
    assert!(o.status.success(), "{cmd:?} failed:\n{}", text(&o));
    text(&o)
}

/// `lab up ARGS… --fail-at STEP` in a lab of its own must fail on purpose (exit 1), say
/// nothing was left behind, and leave no namespace.
pub fn failing_up_leaves_nothing(args: &[&str], fail_at: u32) {
    let lab = Lab::unique();
    let step = fail_at.to_string();
    let mut all = args.to_vec();
    all.extend(["--fail-at", &step]);
    let out = lab.cmd("up", &all).output().unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "fail at {fail_at}: {t}");
    assert!(t.contains("failed on purpose"), "{t}");
    assert!(t.contains("nothing was left behind"), "{t}");
    assert!(
        lab.namespaces().is_empty(),
        "fail at {fail_at} left {:?}",
        lab.namespaces()
    );
}
