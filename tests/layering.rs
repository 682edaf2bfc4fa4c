//! The layer map, enforced: every `crate::…` path in `src/` (in `use` lines, grouped
//! `use crate::{a, b}`, inline paths, and `super::` paths that leave their module) must point at
//! a module the map in `src/lib.rs` lets the importing module see.
//!
//! The map is the table under "Layers" in `src/lib.rs`'s module doc, written once: lowest layer
//! first, one row per top-level module (or sub-module, such as `lab::answer`), with the modules
//! it may import. A row may only name rows above it, so an allowed arrow always points down;
//! anything else fails here with the file, the line and the arrow. Test code (`#[cfg(test)]`
//! items and the files they declare) is exempt, as dev-dependencies are in a workspace.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One row of the layer map.
#[derive(Debug, Clone)]
struct Row {
    /// Module path, e.g. `lab::answer`.
    key: String,
    /// The rows it may import (a `*` in the table expands to every row above).
    allowed: BTreeSet<String>,
}

/// Reads the layer table out of `lib.rs`'s module doc.
fn parse_map(lib_rs: &str) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::new();
    let mut in_layers = false;
    for line in lib_rs.lines() {
        let Some(doc) = line.trim_start().strip_prefix("//!") else {
            continue;
        };
        let doc = doc.trim();
        if doc.starts_with("## ") {
            in_layers = doc == "## Layers";
            continue;
        }
        if !in_layers
            || !doc.starts_with('|')
            || doc.starts_with("|-")
            || doc.contains("may import")
        {
            continue;
        }
        let cells: Vec<&str> = doc.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 2 {
            return Err(format!("layer row with fewer than two cells: {doc}"));
        }
        let key = cells[0].trim_matches('`').to_string();
        let mut allowed = BTreeSet::new();
        for name in cells[cells.len() - 1]
            .split(',')
            .map(|s| s.trim().trim_matches('`'))
        {
            match name {
                "" | "—" | "-" => {}
                "*" => allowed.extend(rows.iter().map(|r| r.key.clone())),
                name => {
                    if !rows.iter().any(|r| r.key == name) {
                        return Err(format!(
                            "row `{key}` may import `{name}`, which is not a row above it \
                             (the map must point down only)"
                        ));
                    }
                    allowed.insert(name.to_string());
                }
            }
        }
        if rows.iter().any(|r| r.key == key) {
            return Err(format!("row `{key}` appears twice"));
        }
        rows.push(Row { key, allowed });
    }
    if rows.is_empty() {
        return Err("no \"## Layers\" table in the module doc".into());
    }
    Ok(rows)
}

/// A `crate::…` path that the map forbids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
    path: String,
    /// The target row lies above the importing row.
    back_up: bool,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} → {} ({}){}",
            self.file,
            self.line,
            self.from,
            self.to,
            self.path,
            if self.back_up {
                ": an arrow back up"
            } else {
                ": not on the row of the layer map"
            }
        )
    }
}

/// Replaces comments and string/char literals by spaces, keeping the newlines (so line
/// numbers stay right and a path in a doc comment or a string is not an import).
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
        } else if (c[i] == 'r' || (c[i] == 'b' && at(i + 1) == 'r'))
            && !at(i.wrapping_sub(1)).is_alphanumeric()
            && {
                let s = if c[i] == 'b' { i + 2 } else { i + 1 };
                let mut k = s;
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // Raw string: r"…", r#"…"#, br"…".
            let s = if c[i] == 'b' { i + 2 } else { i + 1 };
            let mut k = s;
            while at(k) == '#' {
                k += 1;
            }
            let hashes = k - s;
            for _ in i..=k {
                out.push(' ');
            }
            i = k + 1;
            while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(c[i]));
                i += 1;
            }
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < c.len() {
                    out.push(blank(c[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c[i] == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal ('x', '\n', '\''); otherwise a lifetime, kept.
            out.push(' ');
            i += 1;
            if c[i] == '\\' {
                out.push_str("  ");
                i += 2;
            }
            while i < c.len() && c[i] != '\'' && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Splits stripped code into identifiers, `::` and single punctuation, each with its line.
fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let s = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(c[s..i].iter().collect()), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// Parses a use tree or path starting at `toks[*i]` (just after a `root ::`), appending each
/// leaf path (prefix included) with its line.
fn path_tree(
    toks: &[(Tok, usize)],
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, usize)>,
) {
    let mut path = prefix.to_vec();
    let line = toks.get(*i).map_or(0, |t| t.1);
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(id)) => {
                if id != "self" {
                    path.push(id.clone());
                }
                *i += 1;
                if toks.get(*i).map(|t| &t.0) == Some(&Tok::PathSep) {
                    *i += 1;
                    continue;
                }
                // `as alias`: the alias is not part of the path.
                if let Some(Tok::Ident(a)) = toks.get(*i).map(|t| &t.0)
                    && a == "as"
                {
                    *i += 2;
                }
                out.push((path, line));
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        None => return,
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *i += 1,
                        Some(_) => {
                            let before = *i;
                            path_tree(toks, i, &path, out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
            }
            Some(Tok::Punct('*')) => {
                *i += 1;
                out.push((path, line));
                return;
            }
            _ => {
                out.push((path, line));
                return;
            }
        }
    }
}

/// Where a `#[cfg(test)]` item, or a `mod name {`, ends: the index just past its closing `;`
/// or `}` at depth 0.
fn item_end(toks: &[(Tok, usize)], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < toks.len() {
        match toks[i].0 {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            Tok::Punct(';') if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// What one file refers to: absolute module paths (with lines), and the names of child
/// modules it declares under `#[cfg(test)]` (their files are test code).
#[derive(Debug, Default)]
struct FileRefs {
    refs: Vec<(Vec<String>, usize)>,
    test_children: Vec<String>,
}

/// Collects the crate paths of one file whose module path is `module` (`["lab", "answer"]`).
/// `root` is the crate's name as the file spells it (`crate`, or `wirelab` in `main.rs`).
fn collect(src: &str, module: &[String], root: &str) -> FileRefs {
    let toks = tokens(&strip(src));
    let mut refs = FileRefs::default();
    // Inline `mod name {` blocks: (name, token index where the block ends).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        while inline.last().is_some_and(|(_, end)| i >= *end) {
            inline.pop();
        }
        let tok = |k: usize| toks.get(k).map(|t| &t.0);
        let ident = |k: usize, s: &str| matches!(tok(k), Some(Tok::Ident(x)) if x == s);
        // #[cfg(test)] <attrs> <item>: skipped; `mod name;` marks a test-only file.
        if tok(i) == Some(&Tok::Punct('#'))
            && tok(i + 1) == Some(&Tok::Punct('['))
            && ident(i + 2, "cfg")
            && tok(i + 3) == Some(&Tok::Punct('('))
            && ident(i + 4, "test")
            && tok(i + 5) == Some(&Tok::Punct(')'))
        {
            let mut k = i + 7;
            while tok(k) == Some(&Tok::Punct('#')) {
                while k < toks.len() && tok(k) != Some(&Tok::Punct(']')) {
                    k += 1;
                }
                k += 1;
            }
            let mut m = k;
            while ident(m, "pub") || tok(m) == Some(&Tok::Punct('(')) || ident(m, "crate") {
                if tok(m) == Some(&Tok::Punct('(')) {
                    while m < toks.len() && tok(m) != Some(&Tok::Punct(')')) {
                        m += 1;
                    }
                }
                m += 1;
            }
            if ident(m, "mod")
                && let Some(Tok::Ident(name)) = tok(m + 1)
                && tok(m + 2) == Some(&Tok::Punct(';'))
            {
                refs.test_children.push(name.clone());
            }
            i = item_end(&toks, k);
            continue;
        }
        if ident(i, "mod")
            && let Some(Tok::Ident(name)) = tok(i + 1)
            && tok(i + 2) == Some(&Tok::Punct('{'))
        {
            inline.push((name.clone(), item_end(&toks, i + 2)));
            i += 3;
            continue;
        }
        let at_path_start = i == 0 || tok(i - 1) != Some(&Tok::PathSep);
        if at_path_start && tok(i + 1) == Some(&Tok::PathSep) {
            let here: Vec<String> = module
                .iter()
                .cloned()
                .chain(inline.iter().map(|(n, _)| n.clone()))
                .collect();
            let base = if ident(i, root) {
                Some((Vec::new(), i + 2))
            } else if ident(i, "super") {
                let mut base = here.clone();
                let mut k = i;
                while ident(k, "super") && tok(k + 1) == Some(&Tok::PathSep) {
                    base.pop();
                    k += 2;
                }
                Some((base, k))
            } else {
                None
            };
            if let Some((base, mut k)) = base {
                path_tree(&toks, &mut k, &base, &mut refs.refs);
                i = k.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    refs
}

/// The row a module path belongs to: the longest row key that is a prefix of it.
fn row_of<'a>(rows: &'a [Row], path: &[String]) -> Option<(usize, &'a Row)> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| {
            let key: Vec<&str> = r.key.split("::").collect();
            key.len() <= path.len() && key.iter().zip(path).all(|(a, b)| *a == b.as_str())
        })
        .max_by_key(|(_, r)| r.key.len())
}

/// Checks one file against the map. `file` names it in messages.
fn check(rows: &[Row], file: &str, module: &[String], src: &str) -> (Vec<Violation>, FileRefs) {
    let root = if module == ["main"] {
        "wirelab"
    } else {
        "crate"
    };
    let refs = collect(src, module, root);
    let mut out = Vec::new();
    let Some((from_idx, from)) = row_of(rows, module) else {
        out.push(Violation {
            file: file.into(),
            line: 1,
            from: module.join("::"),
            to: "?".into(),
            path: "the file's module has no row in the layer map".into(),
            back_up: false,
        });
        return (out, refs);
    };
    for (path, line) in &refs.refs {
        let shown = format!("{root}::{}", path.join("::"));
        match row_of(rows, path) {
            Some((_, to)) if to.key == from.key || from.allowed.contains(&to.key) => {}
            // One message per line and arrow (a grouped use names the target once).
            Some((_, to))
                if out
                    .iter()
                    .any(|v: &Violation| v.line == *line && v.to == to.key) => {}
            Some((to_idx, to)) => out.push(Violation {
                file: file.into(),
                line: *line,
                from: from.key.clone(),
                to: to.key.clone(),
                path: shown,
                back_up: to_idx > from_idx,
            }),
            // `super::` within the crate root's direct children lands on the root: not a
            // module of the map (nothing to check); `crate::x` with no row is an error.
            None if path.is_empty() => {}
            None => out.push(Violation {
                file: file.into(),
                line: *line,
                from: from.key.clone(),
                to: path.first().cloned().unwrap_or_default(),
                path: shown,
                back_up: false,
            }),
        }
    }
    (out, refs)
}

/// The module path of a file under `src/`: `lab/answer/mod.rs` → `lab::answer`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_string());
        }
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn the_map() -> Vec<Row> {
    let lib = fs::read_to_string(src_dir().join("lib.rs")).expect("src/lib.rs");
    parse_map(&lib).unwrap_or_else(|e| panic!("src/lib.rs layer map: {e}"))
}

/// One file of `src/` (not test code).
struct SrcFile {
    /// Its module path.
    module: Vec<String>,
    /// Its name as messages show it.
    shown: String,
    /// The crate paths it refers to, with their lines.
    refs: Vec<(Vec<String>, usize)>,
}

/// The files of `src/`, with the violations of the layer map.
struct Tree {
    files: Vec<SrcFile>,
    violations: Vec<Violation>,
}

/// The directory checked: `src/` of this crate, or `LAYERING_SRC` (to run the check on
/// another tree, e.g. an old checkout, and see what it finds there).
fn src_root() -> PathBuf {
    std::env::var_os("LAYERING_SRC").map_or_else(src_dir, PathBuf::from)
}

/// Checks the whole of `src/` against the map.
fn check_tree(rows: &[Row]) -> Tree {
    let src = src_root();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // Test-only files: declared by `#[cfg(test)] mod x;` in their parent.
    let mut test_files: BTreeSet<PathBuf> = BTreeSet::new();
    let mut found = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        if rel == Path::new("lib.rs") {
            continue;
        }
        let text = fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let module = module_of(rel);
        let shown = format!("src/{}", rel.display());
        let (violations, refs) = check(rows, &shown, &module, &text);
        let dir = if f.ends_with("mod.rs") {
            f.parent().expect("parent").to_path_buf()
        } else {
            f.with_extension("")
        };
        for child in &refs.test_children {
            test_files.insert(dir.join(format!("{child}.rs")));
            test_files.insert(dir.join(child).join("mod.rs"));
        }
        found.push((f.clone(), module, shown, refs.refs, violations));
    }
    let mut tree = Tree {
        files: Vec::new(),
        violations: Vec::new(),
    };
    for (f, module, shown, refs, violations) in found {
        let test_only = test_files
            .iter()
            .any(|t| f == *t || f.starts_with(t.with_extension("")));
        if !test_only {
            tree.files.push(SrcFile {
                module,
                shown,
                refs,
            });
            tree.violations.extend(violations);
        }
    }
    tree
}

/// Import circles between files that are not each other's ancestor (a parent module and
/// its children may refer to each other; two siblings may not, in both directions): one
/// line per circle, naming its files and the arrows that close it.
fn circles(files: &[SrcFile]) -> Vec<String> {
    let n = files.len();
    let prefix =
        |a: &[String], b: &[String]| a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| x == y);
    // The file a path lands in: the longest file module that prefixes it.
    let target = |path: &[String]| {
        (0..n)
            .filter(|&j| prefix(&files[j].module, path))
            .max_by_key(|&j| files[j].module.len())
    };
    let mut edges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, file) in files.iter().enumerate() {
        let module = &file.module;
        for (path, line) in &file.refs {
            if let Some(j) = target(path)
                && j != i
                && !prefix(module, &files[j].module)
                && !prefix(&files[j].module, module)
                && !edges[i].iter().any(|&(k, _)| k == j)
            {
                edges[i].push((j, *line));
            }
        }
    }
    let reach: Vec<Vec<bool>> = (0..n)
        .map(|s| {
            let mut seen = vec![false; n];
            let mut stack = vec![s];
            while let Some(v) = stack.pop() {
                for &(w, _) in &edges[v] {
                    if !seen[w] {
                        seen[w] = true;
                        stack.push(w);
                    }
                }
            }
            seen
        })
        .collect();
    let mut out = Vec::new();
    let mut done = vec![false; n];
    for i in 0..n {
        if done[i] || !reach[i][i] {
            continue;
        }
        let members: Vec<usize> = (0..n).filter(|&j| reach[i][j] && reach[j][i]).collect();
        let mut arrows = Vec::new();
        for &a in &members {
            done[a] = true;
            for &(b, line) in &edges[a] {
                if members.contains(&b) {
                    arrows.push(format!("{}:{line} → {}", files[a].shown, files[b].shown));
                }
            }
        }
        out.push(format!("import circle: {}", arrows.join(", ")));
    }
    out
}

#[test]
fn the_tree_follows_the_layer_map() {
    let rows = the_map();
    let tree = check_tree(&rows);
    let violations = tree.violations;
    let back_up = violations.iter().filter(|v| v.back_up).count();
    eprintln!(
        "layer map: {} rows; {} forbidden imports, {back_up} of them arrows back up",
        rows.len(),
        violations.len()
    );
    assert!(
        violations.is_empty(),
        "{} import(s) break the layer map in src/lib.rs ({back_up} arrows back up):\n{}",
        violations.len(),
        violations
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_two_files_import_each_other() {
    let tree = check_tree(&the_map());
    let found = circles(&tree.files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_circle_between_sibling_files_is_found() {
    let file = |m: &str, refs: &[&str]| SrcFile {
        module: module(m),
        shown: format!("src/{}.rs", m.replace("::", "/")),
        refs: refs.iter().map(|r| (module(r), 7)).collect(),
    };
    let files = [
        file("tui", &["tui::app::App"]),
        file("tui::app", &["tui::ui::draw", "tui::layout::Areas", "tui"]),
        file("tui::ui", &["tui::app::App", "tui::layout"]),
        file("tui::layout", &["tui::state::ViewState"]),
        file("tui::state", &[]),
    ];
    assert_eq!(
        circles(&files),
        ["import circle: src/tui/app.rs:7 → src/tui/ui.rs, src/tui/ui.rs:7 → src/tui/app.rs"]
    );
    // `tui` ↔ `tui::app` (parent and child) is not reported; one-way sibling arrows neither.
    assert!(circles(&files[2..]).is_empty());
}

/// lib.rs says so: unsafe code is allowed in `source::ring` only, and every other top-level
/// module forbids it outright (`source`, the ring's parent, denies it through the crate).
#[test]
fn every_top_level_module_but_source_forbids_unsafe() {
    let src = src_dir();
    let lib = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    assert!(lib.contains("#![deny(unsafe_code)]"));
    let mut missing = Vec::new();
    for line in lib.lines() {
        let Some(name) = line.trim().strip_prefix("pub mod ") else {
            continue;
        };
        let name = name.trim_end_matches(';');
        if name == "source" {
            continue;
        }
        let file = [
            src.join(format!("{name}.rs")),
            src.join(name).join("mod.rs"),
        ]
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no file for module `{name}`"));
        let text = fs::read_to_string(&file).expect("module file");
        if !text.contains("#![forbid(unsafe_code)]") {
            missing.push(name.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "top-level modules without #![forbid(unsafe_code)]: {missing:?}"
    );
}

#[test]
fn the_map_covers_every_module_and_keeps_its_rules() {
    let rows = the_map();
    let lib = fs::read_to_string(src_dir().join("lib.rs")).expect("src/lib.rs");
    for line in lib.lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(
                rows.iter().any(|r| r.key == name),
                "top-level module `{name}` has no row in the layer map"
            );
        }
    }
    let who_may = |target: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.allowed.contains(target))
            .map(|r| r.key.clone())
            .collect()
    };
    // Only the application layer (and the binary) sees the clap structs.
    assert_eq!(who_may("cli"), ["app", "main"]);
    // Core never imports the demos.
    assert_eq!(who_may("demo"), ["app"]);
    // render never imports craft.
    let render = rows
        .iter()
        .find(|r| r.key == "render")
        .expect("a render row");
    assert!(!render.allowed.contains("craft"));
}

/// A small map for the checker's own tests.
fn toy_map() -> Vec<Row> {
    parse_map(
        "//! ## Layers\n\
         //! | module | job | may import |\n\
         //! |---|---|---|\n\
         //! | `frame` | unit | — |\n\
         //! | `decode` | bytes | `frame` |\n\
         //! | `lab::answer` | answers | `decode` |\n\
         //! | `render` | text | `frame`, `decode`, `lab::answer` |\n\
         //! | `lab` | lab | `decode`, `lab::answer` |\n\
         //! | `app` | top | * |\n",
    )
    .expect("toy map")
}

fn module(s: &str) -> Vec<String> {
    s.split("::").map(String::from).collect()
}

#[test]
fn a_back_arrow_fails_with_file_line_and_arrow() {
    let rows = toy_map();
    let src = "//! Doc: [`crate::app`] is fine in a comment.\n\
               use crate::frame::Frame;\n\
               use crate::render::Style;\n\
               fn f() { let s = \"crate::app::x\"; crate::app::run(); }\n";
    let (v, _) = check(&rows, "src/decode/x.rs", &module("decode::x"), src);
    let shown: Vec<String> = v.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        shown,
        [
            "src/decode/x.rs:3: decode → render (crate::render::Style): an arrow back up",
            "src/decode/x.rs:4: decode → app (crate::app::run): an arrow back up",
        ]
    );
}

#[test]
fn grouped_uses_sub_module_rows_and_super_paths_are_resolved() {
    let rows = toy_map();
    // A grouped use: one allowed leaf, one forbidden; nested groups and `self`.
    let src = "use crate::{frame::Frame, lab::{self, answer::Report}};\n";
    let (v, _) = check(&rows, "src/render/a.rs", &module("render::a"), src);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].line, v[0].to.as_str()), (1, "lab"));
    assert!(v[0].back_up);
    // `lab::answer` is its own row: render may see it, not the rest of `lab`.
    let (v, _) = check(
        &rows,
        "src/render/a.rs",
        &module("render::a"),
        "use crate::lab::answer::{Report, X as Y};\n",
    );
    assert!(v.is_empty(), "{v:?}");
    // `super::super` leaving `lab::answer` for `lab` is an arrow back up.
    let (v, _) = check(
        &rows,
        "src/lab/answer/x.rs",
        &module("lab::answer::x"),
        "\n\nuse super::super::switch::Switch;\nuse super::Report;\n",
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(
        v[0].to_string(),
        "src/lab/answer/x.rs:3: lab::answer → lab (crate::lab::switch::Switch): an arrow back up"
    );
}

#[test]
fn test_code_is_exempt_and_a_row_may_not_point_up() {
    let rows = toy_map();
    let src = "use crate::decode::X;\n\
               #[cfg(test)]\nmod tests {\n use crate::app::Y;\n fn f() { crate::render::z(); }\n}\n\
               #[cfg(test)]\n#[path = \"t.rs\"]\npub(crate) mod testdata;\n\
               fn g() { crate::render::z() }\n";
    let (v, refs) = check(&rows, "src/lab/x.rs", &module("lab::x"), src);
    assert_eq!(refs.test_children, ["testdata"]);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].line, 10);
    assert_eq!(v[0].to, "render");
    // The map itself may only point down.
    let err = parse_map(
        "//! ## Layers\n//! | module | may import |\n//! | `frame` | `decode` |\n\
         //! | `decode` | `frame` |\n",
    )
    .expect_err("a row naming a row below it");
    assert!(err.contains("not a row above it"), "{err}");
}

#[test]
fn strings_lifetimes_and_chars_do_not_confuse_the_scanner() {
    let src = "fn f<'a>(x: &'a str) -> char { let _ = r#\"crate::app\"#; let _ = '\\''; '{' }\n\
               use crate::app::Z;\n";
    let refs = collect(src, &module("decode"), "crate");
    assert_eq!(refs.refs, [(module("app::Z"), 2)]);
}
