//! Where a single-file writer puts its text: a buffer that keeps all of it, or a pack file
//! that takes it as it comes.
//!
//! A writer appends to [`Output::buffer`] and calls [`Output::settle`] between waves of items:
//! the new bytes are hashed, and into a file, once enough has come for direct I/O to be worth
//! it, their whole blocks are handed to a thread of their own that writes them to disk while
//! the writer goes on ([`into_file`]). A 100k-item pack then never exists whole in memory, and
//! the disk takes it while the workers make the next wave rather than all at the end, without
//! a worker of the thread pool waiting for the disk.

use std::fs::File;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use sha2::{Digest, Sha256};

use crate::ExportError;

/// What an output reports when its writing thread has stopped; the thread's error says why.
const WRITER_STOPPED: &str = "the pack's writer stopped";

/// The text of a single-file pack, kept or written as it comes (see the module's notes).
pub(crate) struct Output {
    /// The bytes not yet handed on: all of them in memory.
    pending: Vec<u8>,
    /// How much of `pending` is hashed.
    hashed: usize,
    /// `None` for an output whose digest nobody reads (an archive holds its own).
    hasher: Option<Sha256>,
    /// The bytes handed to the file's writer so far.
    written: u64,
    sink: Option<Sink>,
}

/// The way to the thread that writes a file: full buffers go, empty ones come back.
struct Sink {
    full: SyncSender<Piece>,
    empty: Receiver<Vec<u8>>,
    /// Buffers made so far; past [`BUFFERS`], one is waited for instead.
    buffers: usize,
}

/// What the writing thread gets.
enum Piece {
    /// Whole blocks of the file, in order.
    Blocks(Vec<u8>),
    /// The rest of the file.
    Last(Vec<u8>),
}

/// A finished [`Output`]: the text, if it was kept in memory, its lowercase hex sha256 (empty
/// if it was not hashed), and its length.
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

/// What a piece handed to the writing thread is a multiple of: the block of direct I/O.
#[cfg(target_os = "linux")]
const BLOCK: usize = crate::direct::ALIGN;
#[cfg(not(target_os = "linux"))]
const BLOCK: usize = 4096;

/// Buffers in use at most: one filling, one queued, one being written.
const BUFFERS: usize = 3;

impl Output {
    /// An output that keeps the whole text, hashed if `hash`.
    fn memory(hash: bool) -> Self {
        Self {
            pending: Vec::new(),
            hashed: 0,
            hasher: hash.then(Sha256::new),
            written: 0,
            sink: None,
        }
    }

    /// How many bytes have been put so far: where the next one goes.
    pub(crate) fn position(&self) -> u64 {
        self.written + self.pending.len() as u64
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
    /// text in waves and needs no more than a few of them. Only a hint: if the memory cannot
    /// be had, the buffer grows as it fills.
    pub(crate) fn expect(&mut self, additional: usize) {
        if self.sink.is_none() {
            let _ = self.pending.try_reserve(additional);
        }
    }

    /// Hashes the bytes appended since the last call and, into a file, hands their whole
    /// blocks to the writing thread. Fails only if that thread stopped (on a write error,
    /// which [`into_file`] reports).
    pub(crate) fn settle(&mut self) -> Result<(), ExportError> {
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&self.pending[self.hashed..]);
        }
        self.hashed = self.pending.len();
        let Some(sink) = &mut self.sink else {
            return Ok(());
        };
        if self.written == 0 && self.pending.len() < FIRST_WRITE {
            return Ok(());
        }
        let whole = self.pending.len() / BLOCK * BLOCK;
        if whole == 0 {
            return Ok(());
        }
        let mut next = sink.buffer();
        next.extend_from_slice(&self.pending[whole..]);
        self.pending.truncate(whole);
        let full = std::mem::replace(&mut self.pending, next);
        self.hashed = self.pending.len();
        self.written += whole as u64;
        sink.full
            .send(Piece::Blocks(full))
            .map_err(|_| ExportError::Zip(WRITER_STOPPED.to_owned()))
    }

    /// Settles the rest; into a file, hands it to the writing thread as the end of the file.
    fn finish(mut self) -> Result<Finished, ExportError> {
        let len = self.position();
        let sha256 = match self.hasher.take() {
            Some(mut hasher) => {
                hasher.update(&self.pending[self.hashed..]);
                crate::manifest::hex(&hasher.finalize())
            }
            None => String::new(),
        };
        let bytes = match self.sink {
            Some(sink) => {
                sink.full
                    .send(Piece::Last(self.pending))
                    .map_err(|_| ExportError::Zip(WRITER_STOPPED.to_owned()))?;
                Vec::new()
            }
            None => self.pending,
        };
        Ok(Finished { bytes, sha256, len })
    }
}

impl Sink {
    /// An empty buffer: a new one while fewer than [`BUFFERS`] exist, otherwise the next one
    /// the writing thread gives back.
    fn buffer(&mut self) -> Vec<u8> {
        if let Ok(buffer) = self.empty.try_recv() {
            return buffer;
        }
        if self.buffers < BUFFERS {
            self.buffers += 1;
            return Vec::new();
        }
        // The thread gives every buffer back, or has stopped, when a send tells.
        self.empty.recv().unwrap_or_default()
    }
}

/// Runs `write` on an output kept in memory, hashed if `hash`, and returns it finished.
pub(crate) fn in_memory(
    hash: bool,
    write: impl FnOnce(&mut Output) -> Result<(), ExportError>,
) -> Result<Finished, ExportError> {
    let mut output = Output::memory(hash);
    write(&mut output)?;
    output.finish()
}

/// Runs `write` on an output into `file`, an empty file at `path`, hashed if `hash`, which a
/// thread of its own writes as the output settles; returns the output finished once the whole
/// file is written. Its bytes are not kept.
pub(crate) fn into_file(
    file: &File,
    path: &Path,
    hash: bool,
    write: impl FnOnce(&mut Output) -> Result<(), ExportError>,
) -> Result<Finished, ExportError> {
    std::thread::scope(|scope| {
        let (full, pieces) = sync_channel::<Piece>(1);
        let (returned, empty) = sync_channel::<Vec<u8>>(BUFFERS);
        let writer = scope.spawn(move || write_pieces(file, &pieces, &returned));
        let mut output = Output {
            sink: Some(Sink {
                full,
                empty,
                buffers: 1,
            }),
            ..Output::memory(hash)
        };
        let finished = match write(&mut output) {
            Ok(()) => output.finish(),
            Err(e) => {
                // Ends the pieces before the last, so the thread stops.
                drop(output);
                Err(e)
            }
        };
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match (written, finished) {
            (Ok(()), finished) => finished,
            // The thread's own error explains a writer that stopped.
            (Err(e), Ok(_)) => Err(ExportError::io(path, e)),
            (Err(e), Err(ExportError::Zip(message))) if message == WRITER_STOPPED => {
                Err(ExportError::io(path, e))
            }
            // Two failures of their own: the pack's (say, an item a format cannot hold) would
            // otherwise surface only once the disk is fixed.
            (Err(e), Err(refused)) => Err(ExportError::io(
                path,
                std::io::Error::new(
                    e.kind(),
                    format!("{e}; the pack was also refused: {refused}"),
                ),
            )),
        }
    })
}

/// The writing thread of [`into_file`]: writes every piece, in order, and gives each buffer
/// back. Pieces that stop before the last (the output failed) leave the file unfinished, for
/// the caller to throw away.
fn write_pieces(
    file: &File,
    pieces: &Receiver<Piece>,
    returned: &SyncSender<Vec<u8>>,
) -> std::io::Result<()> {
    let mut stream = None;
    for piece in pieces {
        match piece {
            Piece::Blocks(mut blocks) => {
                let stream = match &mut stream {
                    Some(stream) => stream,
                    None => stream.insert(Stream::direct(file)?),
                };
                stream.write(&blocks)?;
                blocks.clear();
                // The output may be done with buffers; one it no longer takes is dropped.
                let _ = returned.try_send(blocks);
            }
            Piece::Last(rest) => {
                let stream = match stream.take() {
                    Some(stream) => stream,
                    // A pack too small to have started goes in one piece.
                    None if rest.len() >= FIRST_WRITE => Stream::direct(file)?,
                    None => Stream::buffered(file),
                };
                stream.finish(&rest)?;
                return Ok(());
            }
        }
    }
    Ok(())
}

// How the writing thread writes: with direct I/O on Linux (see the `direct` module), through
// the page cache elsewhere.
#[cfg(target_os = "linux")]
use crate::direct::Stream;

#[cfg(not(target_os = "linux"))]
struct Stream<'f>(&'f File);

#[cfg(not(target_os = "linux"))]
impl<'f> Stream<'f> {
    fn direct(file: &'f File) -> std::io::Result<Self> {
        Ok(Self(file))
    }

    fn buffered(file: &'f File) -> Self {
        Self(file)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        use std::io::Write;
        let mut file = self.0;
        file.write_all(bytes).map(|()| bytes.len())
    }

    fn finish(mut self, rest: &[u8]) -> std::io::Result<bool> {
        self.write(rest).map(|_| false)
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
        [
            3,
            FIRST_WRITE - 10,
            4095,
            20,
            FIRST_WRITE + 3,
            1,
            0,
            70_001,
            FIRST_WRITE * 2,
            BLOCK,
        ]
        .iter()
        .enumerate()
        .map(|(n, &len)| piece(n, len))
        .collect()
    }

    fn put(output: &mut Output, pieces: &[Vec<u8>]) {
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
        let kept = in_memory(true, |output| {
            put(output, &pieces);
            Ok(())
        })
        .unwrap();
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
        let streamed = into_file(&file, &path, true, |output| {
            put(output, &pieces);
            // Handed on as it came: no more than a block is held back.
            assert!(output.pending.len() < BLOCK, "{}", output.pending.len());
            Ok(())
        })
        .unwrap();
        assert!(streamed.bytes.is_empty());
        assert_eq!((streamed.sha256, streamed.len), (kept.sha256, kept.len));
        assert!(std::fs::read(&path).unwrap() == whole);
    }

    #[test]
    fn a_small_file_is_written_whole_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.gift");
        let file = File::create(&path).unwrap();
        let finished = into_file(&file, &path, true, |output| {
            output.push_str("// qbank pack\n");
            output.settle()?;
            assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
            output.push_str("::Q1:: stem {=a ~b}\n");
            Ok(())
        })
        .unwrap();
        assert_eq!(finished.len, 34);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "// qbank pack\n::Q1:: stem {=a ~b}\n"
        );
    }

    #[test]
    fn a_writer_that_fails_stops_the_thread_and_reports_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.csv");
        let file = File::create(&path).unwrap();
        let error = into_file(&file, &path, true, |output| {
            output
                .buffer()
                .extend_from_slice(&piece(0, FIRST_WRITE + 1));
            output.settle()?;
            Err(ExportError::KeysRequired("csv"))
        })
        .err()
        .unwrap();
        assert!(matches!(error, ExportError::KeysRequired("csv")), "{error}");
    }

    /// A pack refused while its file could not be written either reports both.
    #[test]
    fn a_refused_pack_and_a_failed_write_are_both_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.csv");
        std::fs::write(&path, "").unwrap();
        // Opened for reading only: the write fails.
        let file = File::open(&path).unwrap();
        let error = into_file(&file, &path, true, |output| {
            output
                .buffer()
                .extend_from_slice(&piece(0, FIRST_WRITE + 1));
            let _ = output.settle();
            Err(ExportError::KeysRequired("csv"))
        })
        .err()
        .unwrap();
        let message = format!(
            "{error}: {}",
            std::error::Error::source(&error).map_or(String::new(), ToString::to_string)
        );
        assert!(message.contains("pack.csv"), "{message}");
        assert!(
            message.contains(&format!(
                "the pack was also refused: {}",
                ExportError::KeysRequired("csv")
            )),
            "{message}"
        );
    }

    #[test]
    fn a_file_that_cannot_be_written_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.json");
        std::fs::write(&path, "").unwrap();
        // Opened for reading only: every write fails.
        let file = File::open(&path).unwrap();
        let error = into_file(&file, &path, true, |output| {
            for n in 0..4 {
                output.buffer().extend_from_slice(&piece(n, FIRST_WRITE));
                output.settle()?;
            }
            Ok(())
        })
        .err()
        .unwrap();
        let message = error.to_string();
        assert!(message.contains("pack.json"), "{message}");
    }
}
