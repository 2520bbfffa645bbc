//! Where a single-file writer puts its text: a buffer that keeps all of it, or a pack file
//! that takes it as it comes.
//!
//! A writer appends to [`Output::buffer`] and calls [`Output::settle`] between waves of items:
//! the new bytes are hashed, and in a file, once enough has come for direct I/O to be worth
//! it, written out and dropped from the buffer. A 100k-item pack then never exists whole in
//! memory, and the disk takes it while the workers make the next wave rather than all at the
//! end.

use std::fs::File;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::ExportError;

/// The text of a single-file pack, kept or written as it comes (see the module's notes).
pub(crate) struct Output<'f> {
    /// The bytes not yet written: all of them in memory.
    pending: Vec<u8>,
    /// How much of `pending` is hashed.
    hashed: usize,
    hasher: Sha256,
    /// The bytes written to the file so far.
    written: u64,
    file: Option<FileSink<'f>>,
}

/// A pack file and the writer of its bytes, once the first of them are written.
struct FileSink<'f> {
    file: &'f File,
    /// Named in errors.
    path: &'f Path,
    #[cfg(target_os = "linux")]
    stream: Option<crate::direct::Stream<'f>>,
    #[cfg(not(target_os = "linux"))]
    stream: Option<()>,
}

/// A finished [`Output`]: the text, if it was kept in memory, its lowercase hex sha256, and
/// its length.
pub(crate) struct Finished {
    pub(crate) bytes: Vec<u8>,
    pub(crate) sha256: String,
    pub(crate) len: u64,
}

/// Bytes gathered before the first write to a file: enough for direct I/O to pay, and every
/// pack smaller than this is written in one piece at the end.
#[cfg(target_os = "linux")]
const FIRST_WRITE: usize = crate::direct::DIRECT_MIN;
#[cfg(not(target_os = "linux"))]
const FIRST_WRITE: usize = 8 << 20;

impl<'f> Output<'f> {
    /// An output that keeps the whole text.
    pub(crate) fn memory() -> Self {
        Self {
            pending: Vec::new(),
            hashed: 0,
            hasher: Sha256::new(),
            written: 0,
            file: None,
        }
    }

    /// An output into `file`, an empty file at `path`, from its start.
    pub(crate) fn file(file: &'f File, path: &'f Path) -> Self {
        Self {
            file: Some(FileSink {
                file,
                path,
                stream: None,
            }),
            ..Self::memory()
        }
    }

    /// The bytes not yet settled, to append to.
    pub(crate) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.pending
    }

    /// Appends `text`.
    pub(crate) fn push_str(&mut self, text: &str) {
        self.pending.extend_from_slice(text.as_bytes());
    }

    /// Makes room for `additional` more bytes at once, in memory only: a buffer this large
    /// grown by doubling would be copied and faulted in again each time. A file takes the
    /// text in waves and needs no more than two of them. Only a hint: if the memory cannot
    /// be had, the buffer grows as it fills.
    pub(crate) fn expect(&mut self, additional: usize) {
        if self.file.is_none() {
            let _ = self.pending.try_reserve(additional);
        }
    }

    /// Hashes the bytes appended since the last call and, into a file, writes out what
    /// direct I/O can take of them.
    pub(crate) fn settle(&mut self) -> Result<(), ExportError> {
        self.hasher.update(&self.pending[self.hashed..]);
        self.hashed = self.pending.len();
        let Some(sink) = &mut self.file else {
            return Ok(());
        };
        if sink.stream.is_none() && self.pending.len() < FIRST_WRITE {
            return Ok(());
        }
        let written = sink.write(&self.pending)?;
        self.pending.drain(..written);
        self.hashed -= written;
        self.written += written as u64;
        Ok(())
    }

    /// Settles the rest and, into a file, writes it and ends the file there (the caller
    /// flushes it to disk).
    pub(crate) fn finish(mut self) -> Result<Finished, ExportError> {
        self.hasher.update(&self.pending[self.hashed..]);
        let len = self.written + self.pending.len() as u64;
        let sha256 = crate::manifest::hex(&self.hasher.finalize());
        let bytes = match self.file {
            Some(sink) => {
                sink.finish(&self.pending)?;
                Vec::new()
            }
            None => self.pending,
        };
        Ok(Finished { bytes, sha256, len })
    }
}

impl FileSink<'_> {
    /// Writes the start of `bytes`; returns how much of them that was.
    fn write(&mut self, bytes: &[u8]) -> Result<usize, ExportError> {
        let error = |e| ExportError::io(self.path, e);
        #[cfg(target_os = "linux")]
        {
            let stream = match &mut self.stream {
                Some(stream) => stream,
                None => self
                    .stream
                    .insert(crate::direct::Stream::direct(self.file).map_err(error)?),
            };
            stream.write(bytes).map_err(error)
        }
        #[cfg(not(target_os = "linux"))]
        {
            use std::io::Write;
            self.stream = Some(());
            let mut file = self.file;
            file.write_all(bytes).map_err(error)?;
            Ok(bytes.len())
        }
    }

    /// Writes `rest`, the end of the file.
    fn finish(self, rest: &[u8]) -> Result<(), ExportError> {
        let error = |e| ExportError::io(self.path, e);
        #[cfg(target_os = "linux")]
        {
            let stream = match self.stream {
                Some(stream) => stream,
                // A pack too small to have started a stream goes in one piece.
                None if rest.len() >= FIRST_WRITE => {
                    crate::direct::Stream::direct(self.file).map_err(error)?
                }
                None => crate::direct::Stream::buffered(self.file),
            };
            stream.finish(rest).map(|_| ()).map_err(error)
        }
        #[cfg(not(target_os = "linux"))]
        {
            use std::io::Write;
            let mut file = self.file;
            file.write_all(rest).map_err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(n: usize, len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| b"abcdefghijklmnopqrstuvwxyz\n"[(i * 7 + n) % 27])
            .collect()
    }

    /// Pieces of every awkward size, settled after each: below and past the first write, and
    /// not block-aligned.
    fn pieces() -> Vec<Vec<u8>> {
        [3, FIRST_WRITE - 10, 4095, 20, FIRST_WRITE + 3, 1, 0, 70_001]
            .iter()
            .enumerate()
            .map(|(n, &len)| piece(n, len))
            .collect()
    }

    fn put(output: &mut Output<'_>, pieces: &[Vec<u8>]) {
        for (n, piece) in pieces.iter().enumerate() {
            if n % 2 == 0 {
                output.buffer().extend_from_slice(piece);
            } else {
                output.push_str(std::str::from_utf8(piece).unwrap());
            }
            output.settle().unwrap();
        }
    }

    #[test]
    fn a_file_gets_the_bytes_memory_would_keep_with_the_same_digest() {
        let pieces = pieces();
        let whole = pieces.concat();
        let mut memory = Output::memory();
        put(&mut memory, &pieces);
        let kept = memory.finish().unwrap();
        assert!(kept.bytes == whole);
        assert_eq!(kept.len, whole.len() as u64);
        assert_eq!(
            kept.sha256,
            crate::manifest::hex(&Sha256::digest(&whole)),
            "the digest is of the whole text"
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.json");
        let file = File::create(&path).unwrap();
        let mut output = Output::file(&file, &path);
        put(&mut output, &pieces);
        // Written as it came: no more than a first write and a block are held back.
        assert!(
            output.pending.len() < FIRST_WRITE,
            "{}",
            output.pending.len()
        );
        let streamed = output.finish().unwrap();
        assert!(streamed.bytes.is_empty());
        assert_eq!((streamed.sha256, streamed.len), (kept.sha256, kept.len));
        assert!(std::fs::read(&path).unwrap() == whole);
    }

    #[test]
    fn a_small_file_is_written_whole_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.gift");
        let file = File::create(&path).unwrap();
        let mut output = Output::file(&file, &path);
        output.push_str("// qbank pack\n");
        output.settle().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        output.push_str("::Q1:: stem {=a ~b}\n");
        let finished = output.finish().unwrap();
        assert_eq!(finished.len, 34);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "// qbank pack\n::Q1:: stem {=a ~b}\n"
        );
    }
}
