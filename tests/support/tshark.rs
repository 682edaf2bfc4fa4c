//! tshark, the reference, run and read as plain text: one pass, default preferences
//! (`WIRESHARK_CONFIG_DIR` and `HOME` point nowhere). The answer keys read tshark through
//! here; nothing here uses wirelab's code.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::run;

/// One frame's fields, by field name (a field the frame lacks is empty or absent).
pub type Row = BTreeMap<String, String>;

/// `tshark -n -r FILE ARGS…` with default preferences: its standard output (panics when
/// tshark fails).
pub fn stdout(file: &Path, args: &[&str]) -> Vec<u8> {
    run(Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", "/nonexistent")
        .env("HOME", "/nonexistent")
        .args(["-n", "-r"])
        .arg(file)
        .args(args))
    .stdout
}

/// [`stdout`] as text.
pub fn text(file: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&stdout(file, args)).into_owned()
}

/// `tshark -n -r FILE -Y FILTER -T fields -e NAME…`: one map per frame from field name to its
/// text (several occurrences joined by tshark's default `,`).
pub fn rows(file: &Path, filter: &str, names: &[&str]) -> Vec<Row> {
    rows_with(file, &["-Y", filter], names)
}

/// [`rows`] with `ARGS…` in place of `-Y FILTER` (the filter and any `-E` options).
pub fn rows_with(file: &Path, args: &[&str], names: &[&str]) -> Vec<Row> {
    fields_with(file, args, names)
        .into_iter()
        .map(|l| names.iter().map(|n| n.to_string()).zip(l).collect())
        .collect()
}

/// `tshark -n -r FILE -Y FILTER -T fields -e NAME…`: one row of fields per frame, in the
/// order of `names`.
pub fn fields(file: &Path, filter: &str, names: &[&str]) -> Vec<Vec<String>> {
    fields_with(file, &["-Y", filter], names)
}

/// `tshark -n -r FILE ARGS… -T fields -e NAME…`, each line split at its tabs.
fn fields_with(file: &Path, args: &[&str], names: &[&str]) -> Vec<Vec<String>> {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-T", "fields"]);
    for n in names {
        all.extend(["-e", n]);
    }
    text(file, &all)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// The outer layer's value of a field tshark lists once per layer (`outer,quoted`).
pub fn first(v: &str) -> &str {
    v.split(',').next().unwrap_or("")
}
