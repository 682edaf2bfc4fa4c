//! `wirelab completions` and `wirelab man`: the scripts and pages generated from the clap
//! definitions are usable (bash parses and completes the script; each page is roff that `man`
//! renders), and `man` never replaces a page without `--force` nor creates its folder.
mod support;

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    support::wirelab().args(args).output().expect("run wirelab")
}

fn stdout_of(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "wirelab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 script")
}

/// What bash offers after `wirelab WORDS...` with the cursor on the last word.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("wirelab.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    let cword = words.len() - 1;
    let prev = if cword == 0 { "" } else { words[cword - 1] };
    let line = format!(
        "source \"$1\"; COMP_WORDS=({}); COMP_CWORD={cword}; _wirelab wirelab '{}' '{}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words.join(" "),
        words[cword],
        prev
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &line, "bash"])
        .arg(&script)
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_script_parses_and_completes_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("wirelab.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );

    let offered = bash_completes(&["wirelab", "rea"]);
    assert_eq!(offered, ["read"], "{offered:?}");
    let offered = bash_completes(&["wirelab", "lab", "u"]);
    assert_eq!(offered, ["up"], "{offered:?}");
    let offered = bash_completes(&["wirelab", "completions", ""]);
    for shell in ["bash", "zsh", "fish"] {
        assert!(offered.iter().any(|w| w == shell), "{offered:?}");
    }
}

#[test]
fn the_zsh_and_fish_scripts_know_the_subcommands() {
    for shell in ["zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        for sub in ["read", "capture", "view", "lab", "completions", "man"] {
            assert!(script.contains(sub), "{shell}: no {sub} in\n{script}");
        }
    }
    assert!(stdout_of(&["completions", "zsh"]).starts_with("#compdef wirelab"));
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The page's first request after roff's apostrophe-string set-up (`.ie`/`.el`, which
/// clap_mangen writes first so that `'` renders as an apostrophe).
fn first_request(page: &str) -> &str {
    page.lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .unwrap_or("")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn man_writes_one_page_per_command_and_keeps_them_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = run(&["man", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let pages = [
        ("wirelab.1", "wirelab"),
        ("wirelab-read.1", "wirelab-read"),
        ("wirelab-capture.1", "wirelab-capture"),
        ("wirelab-lab.1", "wirelab-lab"),
        ("wirelab-lab-up.1", "wirelab-lab-up"),
        ("wirelab-simp-daemon.1", "wirelab-simp-daemon"),
        ("wirelab-man.1", "wirelab-man"),
        ("wirelab-completions.1", "wirelab-completions"),
    ];
    for (file, title) in pages {
        let page = read(&dir.path().join(file));
        let th = first_request(&page);
        assert!(th.starts_with(&format!(".TH {title} 1 ")), "{file}: {th}");
        assert!(page.contains("\n.SH NAME\n"), "{file}");
        assert!(page.contains("\n.SH SYNOPSIS\n"), "{file}");
    }
    assert!(!dir.path().join("wirelab-help.1").exists());
    assert!(read(&dir.path().join("wirelab-read.1")).contains("Read a capture file"));

    // Again without --force: refused, every page kept byte for byte.
    let marked = dir.path().join("wirelab-read.1");
    std::fs::write(&marked, b"precious").unwrap();
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.clone(), std::fs::read(&p).unwrap())
        })
        .collect();
    let out = run(&["man", d]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    for (path, bytes) in &before {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{}", path.display());
    }

    // With --force: replaced.
    let out = run(&["man", d, "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(read(&marked).contains("Read a capture file"));
}

#[test]
fn man_refuses_a_missing_folder_and_does_not_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("man1");
    let out = run(&["man", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("create it first"), "{err}");
    assert!(!missing.exists());

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let out = run(&["man", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

/// `man -l` renders a page with the subcommand's about text (`.ci/run` installs man-db).
#[test]
fn man_renders_a_page() {
    if !support::require(support::Need::Tool("man")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("man")
        .arg("-l")
        .arg(dir.path().join("wirelab-read.1"))
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("COLUMNS", "80")
        .env("MANWIDTH", "80")
        .output()
        .expect("run man");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // man may hyphenate or justify: compare with the spaces squeezed.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("NAME"), "{text}");
    assert!(
        flat.contains("Read a capture file (pcap or pcapng)"),
        "{text}"
    );
    assert!(flat.contains("wirelab read"), "{text}");
}
