//! Issue 21's smaller wording fixes: `craft --loss 100` names the setting instead of blaming
//! the server (root, a two-namespace LAN).

mod support;

use support::{Need, netns::Lan, require, run_status};

#[test]
fn total_loss_names_the_setting() {
    if !require(Need::Root) {
        return;
    }
    let lan = Lan::new("loss");
    let out = run_status(lan.client.wirelab().args([
        "craft",
        "-i",
        "eth0",
        "--to",
        "10.0.3.1:9",
        "--message",
        "hi",
        "--syn-retries",
        "0",
        "--loss",
        "100",
    ]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("--loss 100 drops every frame"), "{err}");
}
