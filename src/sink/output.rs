//! Output files that are never replaced by surprise: every command that writes a file
//! (`capture -w`, `serve -w`, `craft -w`, `ping -w`, `view -w`, `graph -o`, `man DIR`) creates it with
//! [`create_new`], which refuses an existing file unless `--force` was given, with one wording.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Why an output file could not be created.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The file exists and `--force` was not given; it is left as it was.
    #[error(
        "{} already exists; add --force to replace it, or give another name with {flag}",
        path.display()
    )]
    Exists {
        /// The file.
        path: PathBuf,
        /// The option that named it (`-w`, `-o`).
        flag: &'static str,
    },
    /// The file could not be created.
    #[error("cannot create {}: {source}; {hint}", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
        /// What to do about it.
        hint: &'static str,
    },
}

/// Creates `path` for writing. Without `force` an existing file (or anything else of that
/// name: a directory, a symbolic link) is refused and kept byte for byte; with `force` an
/// existing file is truncated. `-` is standard output (a duplicate of its descriptor). `flag` is the option that named the file (`-w`, `-o`), for the
/// message.
pub fn create_new(path: &Path, force: bool, flag: &'static str) -> Result<File, OutputError> {
    if is_stdio(path) {
        use std::os::fd::AsFd as _;
        return io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map(File::from)
            .map_err(|e| OutputError::Create {
                path: path.to_owned(),
                hint: "standard output could not be duplicated",
                source: e,
            });
    }
    let mut o = OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    o.open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            OutputError::Exists {
                path: path.to_owned(),
                flag,
            }
        } else {
            OutputError::Create {
                path: path.to_owned(),
                hint: create_hint(&e),
                source: e,
            }
        }
    })
}

/// True for `-`, which means standard output (`-w -`) or input (`read -`), as in tcpdump.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// What to do about a file that could not be created.
pub fn create_hint(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::PermissionDenied => {
            "you may not write there: choose a folder you own, e.g. -w ~/capture.pcapng"
        }
        io::ErrorKind::NotFound => "the folder does not exist: create it first, or fix the path",
        _ if err.raw_os_error() == Some(21) => "that is a folder: give a file name inside it",
        _ if err.raw_os_error() == Some(28) => "the disk is full: free some space first",
        _ => "check the path and that the disk is writable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn an_existing_file_is_kept_and_the_error_names_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pcapng");
        std::fs::write(&path, b"precious").unwrap();
        let err = create_new(&path, false, "-w").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("already exists; add --force"), "{msg}");
        assert!(msg.ends_with("with -w"), "{msg}");
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
        let mut f = create_new(&path, true, "-w").unwrap();
        f.write_all(b"new").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn a_missing_folder_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let err = create_new(&dir.path().join("no/x.svg"), false, "-o").unwrap_err();
        assert!(
            err.to_string().contains("the folder does not exist"),
            "{err}"
        );
    }

    #[test]
    fn a_symlink_is_not_followed_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            create_new(&link, false, "-w"),
            Err(OutputError::Exists { .. })
        ));
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }
}
