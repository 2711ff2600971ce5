//! Files that hold tenant data: readable and writable by their owner only.
//!
//! On Unix every file created here is 0600 and every folder 0700 (the umask can only take
//! more away); a folder that already exists keeps its mode, so a folder the user names
//! stays as the user made it. Elsewhere these are plain file operations: on Windows a new
//! file inherits its folder's ACL, which under the user's profile excludes other users.
//!
//! Std only, so every crate that writes a file (sign-in profiles, reports, the history,
//! the desktop's settings) can share it without pulling anything else in.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Owner read and write.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
/// Owner read, write and search.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents, each 0700; folders that exist keep their mode.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Creates `path` as a new, empty file, 0600; `AlreadyExists` when something is there.
/// Callers that must not replace a file reserve its name with this (no check-then-write).
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options.open(path)
}

/// Takes group and other permissions away from an existing file (one an older version
/// created with the umask's mode). A no-op off Unix, where ACLs are inherited instead.
pub fn restrict_to_owner(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Writes `bytes` to `path` atomically, 0600, replacing what is there: a temporary file
/// in the same folder is written, flushed to disk and renamed over `path`. A crash or a
/// full disk leaves either the old file or the new one, never half of either.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = write_temporary(path, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(context(path, &e, "replace"));
    }
    sync_parent(path);
    Ok(())
}

/// Like [`write_atomic`], but never replaces a file: `AlreadyExists` when `path` exists,
/// also when another process creates it meanwhile. The complete file appears at once
/// (a hard link of the written temporary file); where the file system has no hard links
/// the name is reserved empty first and the written file renamed over it.
pub fn write_atomic_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = write_temporary(path, bytes)?;
    let linked = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => create_new(path).and_then(|reserved| {
            drop(reserved);
            std::fs::rename(&tmp, path)
        }),
    };
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_parent(path);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(e) => Err(context(path, &e, "create")),
    }
}

/// Writes `bytes` into a new 0600 temporary file beside `path`, synced to disk.
fn write_temporary(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let dir = folder_of(path);
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a file path", path.display()),
        )
    })?;
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{}.{}-{attempt}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match create_new(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(context(path, &e, "create a temporary file to write")),
        }
    };
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(context(path, &e, "write"));
    }
    Ok(tmp)
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a rename durable; not every platform can open a folder.
fn sync_parent(path: &Path) {
    if let Ok(d) = File::open(folder_of(path)) {
        let _ = d.sync_all();
    }
}

fn context(path: &Path, e: &io::Error, what: &str) -> io::Error {
    let hint = match e.kind() {
        io::ErrorKind::StorageFull => " (the disk is full)",
        io::ErrorKind::PermissionDenied => " (permission denied)",
        io::ErrorKind::ReadOnlyFilesystem => " (the file system is read-only)",
        io::ErrorKind::NotFound => " (the folder does not exist)",
        _ => "",
    };
    io::Error::new(
        e.kind(),
        format!("cannot {what} {}{hint}: {e}", path.display()),
    )
}

#[cfg(test)]
mod tests;
