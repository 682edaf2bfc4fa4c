//! tshark, the reference, run and read as plain text: one pass, default preferences
//! (`WIRESHARK_CONFIG_DIR` and `HOME` point nowhere, or at a fresh empty directory). The
//! answer keys read tshark through here; nothing here uses wirelab's code.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use super::run;

/// One frame's fields, by field name (a field the frame lacks is empty or absent).
pub type Row = BTreeMap<String, String>;

/// A field's text in a row, empty when the row lacks it.
pub fn get<'a>(r: &'a Row, name: &str) -> &'a str {
    r.get(name).map(String::as_str).unwrap_or("")
}

/// The first of a field's `|`-joined values ([`super::tshark_rows`]) as a number; None when
/// it is empty or not a number.
pub fn first_u64(r: &Row, name: &str) -> Option<u64> {
    get(r, name).split('|').next()?.parse().ok()
}

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

/// `tshark ARGS…` with a fresh, empty configuration directory as its home (default
/// preferences): its standard output as text, whatever its exit status.
pub fn fresh<S: AsRef<OsStr>>(args: &[S]) -> String {
    let conf = tempfile::tempdir().expect("temp dir");
    let out = Command::new("tshark")
        .args(args)
        .env("WIRESHARK_CONFIG_DIR", conf.path())
        .env("HOME", conf.path())
        .output()
        .expect("running tshark");
    String::from_utf8_lossy(&out.stdout).into_owned()
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

/// `tshark -n -r FILE ARGS… -T fields -e NAME…`, each line split at its tabs (`ARGS` holds
/// the filter and any `-E` options).
pub fn fields_with(file: &Path, args: &[&str], names: &[&str]) -> Vec<Vec<String>> {
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

/// The first of a field's `,`-separated values as a number (decimal, or hexadecimal after
/// `0x`); None when the field is empty. Panics on anything else: the key reads only numbers
/// there.
pub fn number(s: &str) -> Option<u64> {
    let s = s.split(',').next().unwrap_or(s);
    if s.is_empty() {
        return None;
    }
    Some(match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    })
}

/// A field's `,`-separated values, empty ones left out.
pub fn values(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The outer layer's value of a field tshark lists once per layer (`outer,quoted`).
pub fn first(v: &str) -> &str {
    v.split(',').next().unwrap_or("")
}
