//! Files that appear complete or not at all.
//!
//! An [`AtomicFile`] writes to a hidden temporary file `<dir>/.<name>.tmp` and
//! renames it to `<dir>/<name>` on [`AtomicFile::commit`]. A reader never sees
//! a half-written output, a failed run leaves no output behind, and a file from
//! an earlier run is replaced in one step. Data is not fsynced: outputs are
//! reproducible, so surviving a power cut is not worth the cost.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A buffered file writer that publishes its file only on [`commit`](AtomicFile::commit).
///
/// Dropped without a commit, it removes its temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    /// Where bytes go until the commit.
    tmp: PathBuf,
    /// Where the file appears on commit.
    path: PathBuf,
    /// `None` once committed (or once a commit failed).
    file: Option<BufWriter<File>>,
    /// Whether the rename happened.
    committed: bool,
}

impl AtomicFile {
    /// Starts writing `<dir>/<name>` (through `<dir>/.<name>.tmp`, truncating a
    /// stale temporary file). `dir` must exist; `name` must be a plain file name.
    pub fn create(dir: &Path, name: &str) -> io::Result<AtomicFile> {
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("output name {name:?} is not a plain file name"),
            ));
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            tmp,
            path: dir.join(name),
            file: Some(BufWriter::new(file)),
            committed: false,
        })
    }

    /// The path the file gets on commit.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary path written until the commit.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes and renames the temporary file to its final name; returns that path.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        self.commit_in_place()?;
        Ok(self.path.clone())
    }

    /// [`commit`](Self::commit) for owners that cannot give the writer up.
    /// Writing after it is an error; a second call is an error.
    pub(crate) fn commit_in_place(&mut self) -> io::Result<()> {
        let writer = self.file.take().ok_or_else(already_committed)?;
        let file = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        drop(file);
        fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        Ok(())
    }
}

fn already_committed() -> io::Error {
    io::Error::other("atomic file already committed")
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.as_mut().ok_or_else(already_committed)?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file
            .as_mut()
            .ok_or_else(already_committed)?
            .write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().ok_or_else(already_committed)?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(writer) = self.file.take() {
            // Discard the buffer instead of flushing it into a file about to go.
            let _ = writer.into_parts();
        }
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "netsim-reports-atomic-{test}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_publishes_the_file_and_leaves_no_temp() {
        let dir = scratch("commit");
        let mut f = AtomicFile::create(&dir, "trace.txt").unwrap();
        f.write_all(b"hello\n").unwrap();
        assert_eq!(
            names(&dir),
            [".trace.txt.tmp"],
            "only the temp file exists before commit"
        );
        let path = f.commit().unwrap();
        assert_eq!(path, dir.join("trace.txt"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "hello\n");
        assert_eq!(names(&dir), ["trace.txt"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn drop_without_commit_leaves_nothing() {
        let dir = scratch("drop");
        let mut f = AtomicFile::create(&dir, "events.jsonl").unwrap();
        f.write_all(&[b'x'; 100_000]).unwrap();
        drop(f);
        assert!(names(&dir).is_empty(), "left behind: {:?}", names(&dir));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn commit_replaces_an_older_file() {
        let dir = scratch("replace");
        fs::write(dir.join("a.txt"), "old").unwrap();
        let mut f = AtomicFile::create(&dir, "a.txt").unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("a.txt")).unwrap(),
            "old",
            "old file intact until commit"
        );
        f.commit().unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writing_after_commit_in_place_is_an_error() {
        let dir = scratch("after");
        let mut f = AtomicFile::create(&dir, "a.txt").unwrap();
        f.commit_in_place().unwrap();
        assert!(f.write_all(b"late").is_err());
        assert!(f.commit_in_place().is_err());
        drop(f);
        assert_eq!(names(&dir), ["a.txt"], "drop after commit keeps the file");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejects_names_that_are_paths() {
        let dir = scratch("names");
        for bad in ["", "..", "a/b", "a\\b"] {
            assert_eq!(
                AtomicFile::create(&dir, bad).unwrap_err().kind(),
                io::ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
