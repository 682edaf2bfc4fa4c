//! Issue 21, "one name per idea": walks every subcommand's clap definition (`Cli::command()`,
//! recursively) and fails on a second spelling of an idea: an interface is `-i/--interface`
//! (`--iface` only as a hidden alias), a pcapng file written is `-w/--write`, and `-c/--count`,
//! `--force`, `-q/--quiet`, `--json`, `--color` and `-Y/--filter` are spelled one way; one short
//! flag means one long option in every command.

use std::collections::BTreeMap;

use clap::{Command, CommandFactory, Parser};
use wirelab::cli::Cli;

/// Canonical long name, its short flag (if any), and spellings of the same idea that must not
/// appear as a visible long name anywhere.
const CANON: &[(&str, Option<char>, &[&str])] = &[
    (
        "interface",
        Some('i'),
        &["iface", "if", "dev", "device", "nic", "interfaces"],
    ),
    (
        "write",
        Some('w'),
        &[
            "out",
            "outfile",
            "save",
            "pcap",
            "pcapng",
            "write-file",
            "dump",
        ],
    ),
    (
        "count",
        Some('c'),
        &["num", "number", "packets", "frames", "max-frames", "limit"],
    ),
    ("force", None, &["overwrite", "replace", "clobber", "yes"]),
    ("quiet", Some('q'), &["silent", "no-output"]),
    ("json", None, &["jsonl", "json-lines", "ndjson"]),
    (
        "color",
        None,
        &["colour", "colors", "colours", "no-color", "no-colour"],
    ),
    ("filter", Some('Y'), &["display-filter", "expr"]),
];

/// Every (command path, command) under `cmd`.
fn walk<'a>(cmd: &'a Command, path: String, out: &mut Vec<(String, &'a Command)>) {
    out.push((path.clone(), cmd));
    for sub in cmd.get_subcommands() {
        walk(sub, format!("{path} {}", sub.get_name()), out);
    }
}

fn commands(root: &Command) -> Vec<(String, &Command)> {
    let mut all = Vec::new();
    walk(root, root.get_name().to_string(), &mut all);
    all
}

#[test]
fn every_idea_has_one_spelling() {
    let root = Cli::command();
    let mut problems = Vec::new();
    for (path, cmd) in commands(&root) {
        for arg in cmd.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            for (canon, short, banned) in CANON {
                if banned.contains(&long) {
                    problems.push(format!("{path}: --{long} (say --{canon})"));
                }
                if long == *canon && arg.get_short() != *short {
                    problems.push(format!(
                        "{path}: --{long} has short {:?}, every other command {short:?}",
                        arg.get_short()
                    ));
                }
                if let Some(s) = short
                    && arg.get_short() == Some(*s)
                    && long != *canon
                {
                    problems.push(format!("{path}: -{s} is --{long}, elsewhere --{canon}"));
                }
                // An old spelling may stay only as a hidden alias of the canonical name.
                if long != *canon
                    && let Some(aliases) = arg.get_visible_aliases()
                    && aliases.iter().any(|a| a == canon || banned.contains(a))
                {
                    problems.push(format!("{path}: --{long} has a visible alias of --{canon}"));
                }
            }
            if let Some(aliases) = arg.get_visible_aliases() {
                for a in aliases {
                    problems.push(format!("{path}: --{long} has a visible alias --{a}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn one_short_flag_means_one_option_in_every_command() {
    let root = Cli::command();
    let mut meaning: BTreeMap<char, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (path, cmd) in commands(&root) {
        for arg in cmd.get_arguments() {
            if let (Some(s), Some(l)) = (arg.get_short(), arg.get_long()) {
                meaning
                    .entry(s)
                    .or_default()
                    .entry(l.to_string())
                    .or_default()
                    .push(path.clone());
            }
        }
    }
    let clashes: Vec<String> = meaning
        .iter()
        .filter(|(_, longs)| longs.len() > 1)
        .map(|(s, longs)| format!("-{s}: {longs:?}"))
        .collect();
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
}

#[test]
fn the_old_iface_spelling_still_works_but_is_hidden() {
    for args in [
        [
            "wirelab",
            "craft",
            "--iface",
            "eth9",
            "--to",
            "10.0.3.1:8080",
        ]
        .as_slice(),
        &["wirelab", "ping", "10.0.3.1", "--iface", "eth9"],
        &[
            "wirelab",
            "craft",
            "--interface",
            "eth9",
            "--to",
            "10.0.3.1:8080",
        ],
        &["wirelab", "ping", "10.0.3.1", "-i", "eth9"],
    ] {
        Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
    let root = Cli::command();
    for name in ["craft", "ping"] {
        let help = root
            .find_subcommand(name)
            .unwrap()
            .clone()
            .render_long_help()
            .to_string();
        assert!(help.contains("--interface <IFACE>"), "{help}");
        assert!(!help.contains("--iface <"), "{help}");
    }
}

#[test]
fn read_and_capture_share_one_definition_of_their_views() {
    let root = Cli::command();
    let longs = |name: &str| -> Vec<(String, Option<char>, String)> {
        let cmd = root.find_subcommand(name).unwrap();
        let mut v: Vec<_> = cmd
            .get_arguments()
            .filter(|a| {
                matches!(
                    a.get_long(),
                    Some("detail" | "hex" | "handshakes" | "stats" | "json" | "color")
                ) || a.get_long().is_some_and(|l| {
                    [
                        "rtt",
                        "throughput",
                        "interval",
                        "follow",
                        "udp",
                        "tcp-report",
                        "stream",
                    ]
                    .contains(&l)
                })
            })
            .map(|a| {
                (
                    a.get_long().unwrap().to_string(),
                    a.get_short(),
                    a.get_help().map(|h| h.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(longs("read"), longs("capture"));
    assert_eq!(longs("read").len(), 13);
}
