//! Atomic file output: write a temporary file beside the target, flush it to disk, then rename
//! it over the target, so that a reader never sees a half-written report.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Writes `contents` to `path` atomically.
///
/// # Errors
/// [`Error::Io`] if the temporary file cannot be created, written or renamed; the temporary
/// file is removed on failure.
pub fn write_atomic(path: impl AsRef<Path>, contents: &[u8]) -> Result<(), Error> {
    let path = path.as_ref();
    let io = |e: std::io::Error| Error::Io {
        action: "write",
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io(std::io::Error::other("not a file name")))?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = std::env::temp_dir().join(format!("cge-fsutil-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("out.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left");
        assert!(write_atomic(dir.join("missing/x.txt"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
