//! Files that hold secrets, and the data directory: the directory created 0700, files written
//! whole (through a temporary file, so a reader never sees half of one), secrets with mode 0600.
//! The server's data directory and the CLI's generated private keys both go through here.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// What writing a file does when one is already at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it, atomically: readers see the old file or the new one.
    Replace,
    /// Leave it and fail with [`std::io::ErrorKind::AlreadyExists`] (a key the user has not
    /// saved elsewhere is never overwritten).
    Refuse,
}

fn write_with_mode(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    existing: Existing,
) -> Result<(), FileError> {
    let io = |source| FileError {
        path: path.to_owned(),
        source,
    };
    if existing == Existing::Refuse && path.symlink_metadata().is_ok() {
        return Err(io(std::io::ErrorKind::AlreadyExists.into()));
    }
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode)).map_err(io)?;
    }
    match existing {
        Existing::Replace => std::fs::rename(&tmp, path).map_err(io),
        Existing::Refuse => {
            // A hard link fails if the path was taken meanwhile; rename would replace it.
            let linked = std::fs::hard_link(&tmp, path).map_err(io);
            let _ = std::fs::remove_file(&tmp);
            linked
        }
    }
}

/// Writes a file only its owner may read (keys, secrets, the admin key), whole; `existing`
/// says what happens to a file already there.
pub fn write_private(path: &Path, bytes: &[u8], existing: Existing) -> Result<(), FileError> {
    write_with_mode(path, bytes, 0o600, existing)
}

/// The trimmed text of a secret file in the data directory; when the file is missing or empty,
/// `make`'s text is written to it first (0600).
pub fn read_or_make_private(
    path: &Path,
    make: impl FnOnce() -> String,
) -> Result<String, FileError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(FileError {
                path: path.to_owned(),
                source,
            })
        }
    };
    if !existing.trim().is_empty() {
        return Ok(existing.trim().to_owned());
    }
    let text = make();
    write_private(path, format!("{text}\n").as_bytes(), Existing::Replace)?;
    Ok(text)
}

/// Writes a file anyone may read (certificates), replacing any there.
pub fn write_public(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_with_mode(path, bytes, 0o644, Existing::Replace)
}

/// Creates the data directory (and missing parents) only its owner may enter (0700). For a
/// directory that already exists and that others may read or enter, the warning to give.
pub fn create_private_dir(path: &Path) -> std::io::Result<Option<String>> {
    if path.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Ok(Some(format!(
                    "the data directory {} is open to other users (mode {mode:04o}); it holds the admin key, the key-encryption key and (on SQLite) the database: run `chmod 700 {}`",
                    path.display(),
                    path.display()
                )));
            }
        }
        return Ok(None);
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)?;
    Ok(None)
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_data_directory_is_private_and_an_open_one_is_named() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b/data");
        assert_eq!(create_private_dir(&dir).unwrap(), None);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(create_private_dir(&dir).unwrap(), None);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let warning = create_private_dir(&dir).unwrap().unwrap();
        assert!(warning.contains("mode 0755"), "{warning}");
        assert!(warning.contains("chmod 700"), "{warning}");
        // Left as the operator set it: the warning says what to do.
        assert_eq!(mode(&dir), 0o755);

        write_private(&dir.join("k"), b"x", Existing::Replace).unwrap();
        assert_eq!(mode(&dir.join("k")), 0o600);
    }

    #[test]
    fn private_files_are_owner_only_and_replaced_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        write_private(&path, b"key", Existing::Refuse).unwrap();
        assert_eq!(mode(&path), 0o600);
        let err = write_private(&path, b"other", Existing::Refuse).unwrap_err();
        assert_eq!(err.source.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"key");
        write_private(&path, b"new", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o600);
        // No temporary file is left behind either way.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
