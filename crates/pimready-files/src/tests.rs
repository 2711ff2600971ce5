use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn write_atomic_replaces_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    write_atomic(&path, b"old").unwrap();
    write_atomic(&path, b"new contents").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new contents");
    assert_eq!(names(dir.path()), ["r.pdf"]);
}

#[test]
fn write_atomic_names_the_path_when_the_folder_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("r.pdf");
    for err in [
        write_atomic(&path, b"x").unwrap_err(),
        write_atomic_new(&path, b"x").unwrap_err(),
    ] {
        assert!(err.to_string().contains("r.pdf"), "{err}");
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn write_atomic_keeps_the_old_file_when_the_folder_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    write_atomic(&path, b"old").unwrap();
    set_mode(dir.path(), 0o555);
    let result = write_atomic(&path, b"new");
    set_mode(dir.path(), 0o755);
    // Root ignores folder permissions; then the write simply succeeds.
    if let Err(err) = result {
        assert!(err.to_string().contains("r.pdf"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
    }
}

#[test]
fn write_atomic_new_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    write_atomic_new(&path, b"first").unwrap();
    let err = write_atomic_new(&path, b"second").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    assert_eq!(
        names(dir.path()),
        ["r.csv"],
        "no temporary file left behind"
    );
}

/// Eight writers race for one name: exactly one gets it and its bytes are the file's.
#[test]
fn write_atomic_new_under_contention_gives_the_name_to_one_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let results: Vec<(usize, io::Result<()>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let path = &path;
                s.spawn(move || (i, write_atomic_new(path, format!("writer {i}").as_bytes())))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<usize> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (_, r) in &results {
        if let Err(e) = r {
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{e}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("writer {}", winners[0])
    );
    assert_eq!(names(dir.path()), ["r.json"]);
}

#[cfg(unix)]
#[test]
fn files_are_created_0600_and_folders_0700() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/c");
    create_dir_all(&nested).unwrap();
    for folder in ["a", "a/b", "a/b/c"] {
        assert_eq!(mode(&dir.path().join(folder)), 0o700, "{folder}");
    }
    let replaced = nested.join("settings.json");
    std::fs::write(&replaced, b"world-readable").unwrap();
    set_mode(&replaced, 0o644);
    write_atomic(&replaced, b"private").unwrap();
    assert_eq!(mode(&replaced), 0o600, "write_atomic");
    let new = nested.join("report.pdf");
    write_atomic_new(&new, b"%PDF-").unwrap();
    assert_eq!(mode(&new), 0o600, "write_atomic_new");
    let empty = nested.join("history.sqlite3");
    drop(create_new(&empty).unwrap());
    assert_eq!(mode(&empty), 0o600, "create_new");
}

#[cfg(unix)]
#[test]
fn a_folder_that_exists_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    set_mode(&out, 0o755);
    create_dir_all(&out).unwrap();
    create_dir_all(&out.join("sub")).unwrap();
    assert_eq!(mode(&out), 0o755);
    assert_eq!(mode(&out.join("sub")), 0o700);
}

#[cfg(unix)]
#[test]
fn restrict_to_owner_takes_group_and_other_access_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    std::fs::write(&path, b"").unwrap();
    set_mode(&path, 0o664);
    restrict_to_owner(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    set_mode(&path, 0o400);
    restrict_to_owner(&path).unwrap();
    assert_eq!(mode(&path), 0o400, "the owner's own bits are left alone");
}
