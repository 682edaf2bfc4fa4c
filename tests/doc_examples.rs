//! Examples that cannot drift: every ```` ```console ```` block of README.md and of the guide
//! (`docs/src/**/*.md`) is run against the binary under test and must print what it shows.
//!
//! The convention (also in the guide's "Captures, goldens, fuzzing, CI and doc examples"):
//! in a `console` block a line starting with `$ ` is a command, run by `sh` from the
//! repository's root with this build's `wirelab` first on `PATH`; the lines after it, up to the
//! next command, are what it prints (standard output and standard error together). In the
//! expected text a line `...` stands for any run of lines (none included) and `[..]` for any
//! text within a line, as trycmd has them; trailing spaces and trailing empty lines are
//! ignored. Blocks that need root, a network or a lab, or that are not meant to be run, use
//! another fence (`text`, `sh`); a fence with no language whose lines start with `$ ` is an
//! error, so every example says which kind it is.
//!
//! Two reference pages are checked here too: every field a filter can test is on the page of
//! filter fields, and the architecture chapter shows `src/lib.rs`'s layer map as it is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_wirelab");
/// No example may take longer than this (they read small bundled captures).
const TIMEOUT: Duration = Duration::from_secs(20);

/// One `$ command` of a console block and what it must print.
#[derive(Debug)]
struct Example {
    file: PathBuf,
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The Markdown files whose examples are checked: README.md and every page of the guide.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    let mut dirs = vec![Path::new(ROOT).join("docs/src")];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                files.push(path);
            }
        }
    }
    files
}

/// The console examples of one file; a bare fence showing `$ ` lines is reported in `errors`.
fn examples_of(file: &Path, text: &str, errors: &mut Vec<String>) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let info = info.trim().to_string();
        let mut body = Vec::new();
        for (m, inner) in lines.by_ref() {
            if inner.trim() == "```" {
                break;
            }
            body.push((m + 1, inner.get(indent..).unwrap_or(inner.trim_start())));
        }
        if info.is_empty() && body.iter().any(|(_, l)| l.starts_with("$ ")) {
            errors.push(format!(
                "{}:{}: a fence with no language shows commands: make it ```console (run and \
                 compared) or ```text (not run)",
                file.display(),
                n + 1
            ));
        }
        if info != "console" {
            continue;
        }
        let mut block: Vec<Example> = Vec::new();
        for (m, l) in body {
            if let Some(command) = l.strip_prefix("$ ") {
                block.push(Example {
                    file: file.to_path_buf(),
                    line: m,
                    command: command.to_string(),
                    expected: Vec::new(),
                });
            } else if let Some(last) = block.last_mut() {
                last.expected.push(l.to_string());
            } else {
                errors.push(format!(
                    "{}:{m}: a console block must start with a `$ ` command",
                    file.display()
                ));
            }
        }
        out.extend(block);
    }
    out
}

/// A directory holding `wirelab` → the binary under test, to put first on `PATH`.
fn bin_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirelab-doc-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let link = dir.join("wirelab");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(BIN, &link).expect("symlink to the binary");
    dir
}

/// Runs `command` with `sh` from the repository's root; standard output and error together.
fn run(command: &str, bin_dir: &Path) -> Result<String, String> {
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(ROOT)
        .env("PATH", path)
        .env_remove("COLUMNS")
        .env_remove("COLORTERM")
        .env("TERM", "dumb")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start sh: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).map(|_| buf)
    });
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("still running after {} s", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("wait: {e}")),
        }
    }
    let bytes = reader
        .join()
        .map_err(|_| "reader thread panicked".to_string())?
        .map_err(|e| format!("read: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `line` matches `pattern`, where `[..]` in the pattern stands for any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// `actual` matches `expected` line by line, where a line `...` stands for any run of lines.
fn lines_match(expected: &[String], actual: &[String]) -> bool {
    fn go(e: &[String], a: &[String], memo: &mut HashMap<(usize, usize), bool>) -> bool {
        let key = (e.len(), a.len());
        if let Some(&known) = memo.get(&key) {
            return known;
        }
        let result = match e.first() {
            None => a.is_empty(),
            Some(p) if p == "..." => (0..=a.len()).any(|skip| go(&e[1..], &a[skip..], memo)),
            Some(p) => a
                .first()
                .is_some_and(|l| line_matches(p, l) && go(&e[1..], &a[1..], memo)),
        };
        memo.insert(key, result);
        result
    }
    go(expected, actual, &mut HashMap::new())
}

/// Lines without trailing spaces, and without the trailing empty ones.
fn normalise<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = lines.map(|l| l.trim_end().to_string()).collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

#[test]
fn every_console_example_prints_what_it_shows() {
    let mut errors = Vec::new();
    let mut examples = Vec::new();
    for file in markdown_files() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        examples.extend(examples_of(&file, &text, &mut errors));
    }
    // The guide has examples in README, reading, filters, TCP analysis, craft, capture, view,
    // JSON and lab answers: far fewer would mean the convention was lost somewhere.
    assert!(
        examples.len() >= 15,
        "only {} console examples found: has the ```console convention changed?",
        examples.len()
    );
    let dir = bin_dir();
    for ex in &examples {
        let where_ = format!(
            "{}:{}",
            ex.file.strip_prefix(ROOT).unwrap_or(&ex.file).display(),
            ex.line
        );
        match run(&ex.command, &dir) {
            Err(e) => errors.push(format!("{where_}: `{}`: {e}", ex.command)),
            Ok(out) => {
                let expected = normalise(ex.expected.iter().map(String::as_str));
                let actual = normalise(out.lines());
                if !lines_match(&expected, &actual) {
                    errors.push(format!(
                        "{where_}: `{}` printed something else.\n--- shown in the docs\n{}\n--- printed\n{}\n---",
                        ex.command,
                        expected.join("\n"),
                        actual.join("\n")
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("doc examples: {} commands run", examples.len());
    assert!(
        errors.is_empty(),
        "{} doc example problem(s):\n\n{}",
        errors.len(),
        errors.join("\n\n")
    );
}

#[test]
fn the_filter_fields_page_lists_every_field() {
    let page = std::fs::read_to_string(Path::new(ROOT).join("docs/src/reference/filter-fields.md"))
        .expect("docs/src/reference/filter-fields.md");
    let missing: Vec<&str> = wirelab::filter::field_names()
        .iter()
        .copied()
        .chain(wirelab::dissect::field_defs().map(|d| d.name))
        .filter(|name| !page.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "fields missing from docs/src/reference/filter-fields.md: {missing:?}"
    );
}

#[test]
fn the_architecture_chapter_shows_the_layer_map_of_lib_rs() {
    let lib = std::fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).expect("src/lib.rs");
    let page =
        std::fs::read_to_string(Path::new(ROOT).join("docs/src/contributing/architecture.md"))
            .expect("docs/src/contributing/architecture.md");
    let rows: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//! |"))
        .collect();
    assert!(rows.len() > 10, "no layer table in src/lib.rs");
    let missing: Vec<&&str> = rows
        .iter()
        .filter(|row| !page.lines().any(|l| l.strip_prefix('|') == Some(**row)))
        .collect();
    assert!(
        missing.is_empty(),
        "rows of src/lib.rs's layer map missing from docs/src/contributing/architecture.md \
         (copy the table again): {missing:?}"
    );
}

#[test]
fn the_matcher_understands_the_wildcards() {
    let s = |v: &[&str]| v.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(line_matches("a [..] c", "a b c"));
    assert!(line_matches("[..]", ""));
    assert!(line_matches("x[..]y[..]z", "x1y2z"));
    assert!(!line_matches("x[..]y", "x1z"));
    assert!(!line_matches("abc", "abcd"));
    assert!(lines_match(
        &s(&["a", "...", "d"]),
        &s(&["a", "b", "c", "d"])
    ));
    assert!(lines_match(&s(&["a", "...", "b"]), &s(&["a", "b"])));
    assert!(lines_match(&s(&["a", "..."]), &s(&["a"])));
    assert!(!lines_match(&s(&["a", "...", "e"]), &s(&["a", "b"])));
    assert!(!lines_match(&s(&["a"]), &s(&["a", "b"])));
}
