//! Where a streaming sink's bytes go, and what finishing means for each place.

use std::io::{self, Write};

use crate::atomic::AtomicFile;

/// A byte stream a sink writes to, closed once at the end of the run.
pub trait Destination: Write {
    /// Called once after the last write: commits a file, flushes a terminal.
    fn close(&mut self) -> io::Result<()>;
}

impl Destination for AtomicFile {
    /// Commits the file (rename into place).
    fn close(&mut self) -> io::Result<()> {
        self.commit_in_place()
    }
}

impl Destination for Vec<u8> {
    /// Nothing to do: the bytes stay in memory (tests read them back).
    fn close(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Destination for io::Stdout {
    /// Flushes the terminal.
    fn close(&mut self) -> io::Result<()> {
        self.flush()
    }
}

impl Destination for io::Stderr {
    /// Flushes the terminal.
    fn close(&mut self) -> io::Result<()> {
        self.flush()
    }
}
