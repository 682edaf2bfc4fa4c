//! `read --export-objects http DIR`: every HTTP body written to a file, as Wireshark's
//! File › Export Objects › HTTP (and `tshark --export-objects http,DIR`) saves them.
//!
//! A body is named after the request URI it answers (or carries): its last path segment
//! (GLib's `g_path_get_basename`: trailing slashes dropped, the query kept), with every
//! character Wireshark rejects (`<>:"/\|?*` and C0 controls) written `%xx`, cut to 255 bytes
//! keeping the extension; a body with no request seen is `object<frame>`. A name that
//! exists already in DIR (or is `.`/`..`) gets Wireshark's `(1)`, `(2)`… before its extension.
//! Files are created with [`create_new`], so nothing in DIR is ever replaced, and a name
//! never holds a `/`, so nothing is written outside DIR.
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::analyse::Packet;
use crate::dissect::{Dissector, Object};
use crate::sink::output::{OutputError, create_new};

/// Longest file name written (Wireshark's `EXPORT_OBJECT_MAXFILELEN`).
const MAX_NAME: usize = 255;
/// Most `(n)` suffixes tried for one name (Wireshark's default `gui.max_export_objects`).
const MAX_DUPS: u32 = 1000;

/// Why an object could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The directory could not be made.
    #[error("cannot create the directory {}: {source}", dir.display())]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file could not be created.
    #[error(transparent)]
    Create(#[from] OutputError),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Every candidate name was taken.
    #[error("{} and {MAX_DUPS} numbered variants of it already exist in {}", name, dir.display())]
    Names {
        /// The name.
        name: String,
        /// The directory.
        dir: PathBuf,
    },
}

/// Writes the bodies of one protocol's messages into a directory.
#[derive(Debug)]
pub struct ExportObjects {
    dir: PathBuf,
    proto: Dissector,
    written: Vec<PathBuf>,
}

impl ExportObjects {
    /// Exports `proto`'s objects into `dir` (created if missing).
    pub fn new(dir: &Path, proto: Dissector) -> Result<Self, ExportError> {
        std::fs::create_dir_all(dir).map_err(|source| ExportError::Dir {
            dir: dir.to_owned(),
            source,
        })?;
        Ok(ExportObjects {
            dir: dir.to_owned(),
            proto,
            written: Vec::new(),
        })
    }

    /// Writes the objects of packet `p`.
    pub fn packet(&mut self, p: &Packet) -> Result<(), ExportError> {
        for l in &p.app {
            if l.dissector == Some(self.proto)
                && let Some(o) = &l.object
            {
                self.write(p.number, o)?;
            }
        }
        Ok(())
    }

    /// The files written so far, in order.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    fn write(&mut self, frame: u64, o: &Object) -> Result<(), ExportError> {
        let base = match &o.name {
            Some(uri) => basename(uri),
            None => format!("object{frame}"),
        };
        for n in 0..MAX_DUPS {
            let name = file_name(&base, n);
            if name.is_empty() || name == "." || name == ".." {
                continue;
            }
            let path = self.dir.join(&name);
            match create_new(&path, false, "--export-objects") {
                Ok(mut f) => {
                    f.write_all(&o.bytes)
                        .and_then(|()| f.flush())
                        .map_err(|source| ExportError::Write {
                            path: path.clone(),
                            source,
                        })?;
                    self.written.push(path);
                    return Ok(());
                }
                Err(OutputError::Exists { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ExportError::Names {
            name: base,
            dir: self.dir.clone(),
        })
    }
}

/// GLib's `g_path_get_basename` on a URI (a NUL ends it, as in C).
fn basename(uri: &str) -> String {
    let uri = uri.split('\0').next().unwrap_or_default();
    if uri.is_empty() {
        return ".".to_string();
    }
    let trimmed = uri.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Wireshark's `eo_massage_str`: rejected characters as `%xx`, the length cut keeping the
/// extension, and for `dup > 0` `(dup)` before the extension.
fn file_name(base: &str, dup: u32) -> String {
    let mut out = String::with_capacity(base.len());
    for c in base.chars() {
        if "<>:\"/\\|?*".contains(c) || ('\u{1}'..='\u{1f}').contains(&c) {
            out.push_str(&format!("%{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    let cut = |s: &mut String, len: usize| {
        let mut at = len.min(s.len());
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    };
    if out.len() > MAX_NAME {
        match out.rfind('.') {
            Some(dot) if out.len() - dot < MAX_NAME => {
                let ext = out[dot..].to_string();
                cut(&mut out, MAX_NAME - ext.len());
                out.push_str(&ext);
            }
            _ => cut(&mut out, MAX_NAME),
        }
    }
    if dup > 0 {
        let tag = format!("({dup})");
        match out.rfind('.') {
            Some(dot) => {
                let ext = out[dot..].to_string();
                out.truncate(dot);
                cut(&mut out, MAX_NAME.saturating_sub(ext.len() + tag.len()));
                out.push_str(&tag);
                out.push_str(&ext);
            }
            None => {
                cut(&mut out, MAX_NAME.saturating_sub(tag.len()));
                out.push_str(&tag);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_wireshark_gives_them() {
        assert_eq!(basename("/"), "/");
        assert_eq!(file_name(&basename("/"), 0), "%2f");
        assert_eq!(basename("/secret/"), "secret");
        assert_eq!(file_name("secret", 1), "secret(1)");
        assert_eq!(file_name("index.html", 2), "index(2).html");
        assert_eq!(
            file_name(&basename("/../a%20b%2f/c.txt?q=1"), 0),
            "c.txt%3fq=1"
        );
        assert_eq!(basename("/d/.."), "..");
        assert_eq!(file_name("..", 1), ".(1).");
        assert_eq!(file_name("a\u{1b}b", 0), "a%1bb");
        assert_eq!(file_name(&basename("*"), 0), "%2a");
        let long = format!("{}.html", "x".repeat(300));
        let n = file_name(&long, 0);
        assert_eq!(n.len(), MAX_NAME);
        assert!(n.ends_with(".html"));
        assert!(file_name(&"é".repeat(200), 3).len() <= MAX_NAME);
    }

    #[test]
    fn nothing_is_replaced_and_nothing_leaves_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), b"mine").unwrap();
        let mut e = ExportObjects::new(&dir.path().join("out"), Dissector::Http).unwrap();
        let obj = |name: &str, bytes: &[u8]| Object {
            name: Some(name.to_string()),
            content_type: None,
            bytes: bytes.to_vec(),
        };
        e.write(1, &obj("/x/a.txt", b"1")).unwrap();
        e.write(2, &obj("/y/a.txt", b"2")).unwrap();
        e.write(3, &obj("/..", b"3")).unwrap();
        e.write(4, &obj("/../../etc/passwd/", b"4")).unwrap();
        let names: Vec<String> = e
            .written()
            .iter()
            .map(|p| {
                assert_eq!(p.parent(), Some(dir.path().join("out").as_path()));
                p.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        assert_eq!(names, ["a.txt", "a(1).txt", ".(1).", "passwd"]);
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"mine");
        let mut e = ExportObjects::new(dir.path(), Dissector::Http).unwrap();
        e.write(5, &obj("/a.txt", b"5")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read(dir.path().join("a(1).txt")).unwrap(), b"5");
    }
}
