//! Golden files: the text a test produced, compared with `tests/golden/…`, or written there
//! when `WIRELAB_BLESS=1` is set (after checking the change by hand).

use std::path::Path;

/// True when the goldens are being rewritten (`WIRELAB_BLESS` set).
pub fn blessing() -> bool {
    std::env::var_os("WIRELAB_BLESS").is_some()
}

/// Asserts that `got` is the content of the golden file at `path` (or, when blessing, writes
/// it there). A failure names the file and shows the first differing lines.
pub fn check(path: &Path, got: &str) {
    if blessing() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the golden's directory");
        }
        std::fs::write(path, got).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with WIRELAB_BLESS=1)", path.display()));
    if got != want {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (w, g))| w != g)
            .take(10)
            .map(|(i, (w, g))| format!("line {}:\n  want: {w}\n  got:  {g}", i + 1))
            .collect();
        panic!(
            "output differs from {} ({} vs {} lines; re-bless with WIRELAB_BLESS=1 if meant)\n{}\n--- got ---\n{got}",
            path.display(),
            want.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}

/// A ratatui test buffer as text: its symbols, one line per row, trailing blanks trimmed.
pub fn screen_text(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Asserts that a `wirelab view` test buffer is the golden screen
/// `tests/golden/view/NAME.txt` (or blesses it).
pub fn check_screen(name: &str, buf: &ratatui::buffer::Buffer) {
    let path = super::repo("tests/golden/view").join(format!("{name}.txt"));
    check(&path, &screen_text(buf));
}

/// tshark's value of `field` for frame `n` of a bundled capture, from its golden
/// `tests/golden/tshark/CAPTURE.tsv` (made by `scripts/tshark-golden.sh`).
pub fn tshark_field(capture: &str, n: usize, field: &str) -> String {
    let path = super::repo("tests/golden/tshark").join(format!("{capture}.tsv"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().skip(1);
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = header.iter().position(|h| *h == field).unwrap();
    let row = lines.nth(n - 1).unwrap();
    row.split('\t').nth(col).unwrap().to_string()
}

/// A 32-bit field's bytes (e.g. `tcp.seq_raw`) for frame `n` of a bundled capture, as the
/// two-digit hex a view highlights, from its [`tshark_field`] value.
pub fn tshark_u32_hex(capture: &str, n: usize, field: &str) -> Vec<String> {
    let raw: u32 = tshark_field(capture, n, field).parse().unwrap();
    raw.to_be_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
