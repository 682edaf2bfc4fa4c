//! Fuzz target: `lab answer` for every lab on any capture file — reading, analysis, the facts,
//! each lab's answers, the text renderer and the JSON. Invariant: nothing panics, and every
//! frame an answer cites exists in the file.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use wirelab::lab::answer::{self, AnswerOptions, LabId};
use wirelab::render::answers::write_report;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("wirelab-fuzz-answer-{}.pcap", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let files: Vec<PathBuf> = vec![path.clone()];
    for lab in LabId::ALL {
        if let Ok(report) = answer::answer(lab, &files, &AnswerOptions::default()) {
            let frames = report.files[0].frames;
            for a in &report.answers {
                for e in &a.evidence {
                    assert!(e.frames.iter().all(|&f| f >= 1 && f <= frames), "{}", a.id);
                }
            }
            let mut out = Vec::new();
            write_report(&mut out, &report).expect("writing to memory");
            serde_json::to_vec(&report).expect("JSON");
        }
    }
    let _ = std::fs::remove_file(&path);
});
