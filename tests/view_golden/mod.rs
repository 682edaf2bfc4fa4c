//! Golden screens of `wirelab view`, shared by `tests/view_screens.rs` and
//! `tests/view_analysis.rs`: a ratatui test buffer as text, compared with (or, with
//! `WIRELAB_BLESS=1`, written to) `tests/golden/view/NAME.txt`.

use std::path::Path;

use ratatui::buffer::Buffer;

/// The buffer's symbols, one line per row, trailing blanks trimmed.
pub fn text(buf: &Buffer) -> String {
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

/// Asserts that the buffer's text is the golden screen `name` (or blesses it).
pub fn check(name: &str, buf: &Buffer) {
    let got = text(buf);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/view")
        .join(format!("{name}.txt"));
    if std::env::var_os("WIRELAB_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with WIRELAB_BLESS=1)", path.display()));
    assert!(
        got == want,
        "screen {name} differs from {}:\n{got}",
        path.display()
    );
}
