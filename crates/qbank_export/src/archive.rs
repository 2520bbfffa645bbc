//! Deterministic zip archives: members sorted by path, then the manifest as the last member, a
//! fixed timestamp (1980-01-01, the earliest zip can write) and fixed permissions.
//!
//! The container is written here rather than with the `zip` crate, which gives every member a
//! fresh compressor and cannot take data compressed elsewhere: a QTI package has one small
//! member per item, and setting up a compressor cost as much as deflating. Here every member is
//! deflated on its own with libdeflate (a whole-buffer compressor with no per-stream state worth
//! the name), members are deflated in parallel, and the archive is laid out sequentially from
//! the results. A member's bytes depend only on its contents, never on the thread count.
//!
//! The layout follows PKWARE's APPNOTE 6.3: local headers with the sizes and CRC-32 up front (no
//! data descriptors), a central directory, and the zip64 end records and extra fields exactly
//! when a count, size or offset does not fit the classic fields (a QTI package of more than
//! 65,535 items needs them).

use libdeflater::{CompressionLvl, Compressor};
use rayon::prelude::*;

use crate::ExportError;
use crate::manifest::{MANIFEST_NAME, Manifest, ManifestEntry};
use crate::output::Output;

/// The members of an archive, compressed, with their manifest entries.
#[derive(Default)]
pub(crate) struct Compressed {
    members: Vec<Member>,
    entries: Vec<ManifestEntry>,
}

impl Compressed {
    /// Compresses `files` (path, bytes), in parallel; each is dropped once compressed.
    pub(crate) fn add_files(&mut self, files: Vec<(String, Vec<u8>)>) -> Result<(), ExportError> {
        let pairs: Vec<(Member, ManifestEntry)> = files
            .into_par_iter()
            .map_init(Deflater::new, |deflater, (path, bytes)| {
                deflater.member(path, &bytes)
            })
            .collect::<Result<_, _>>()?;
        self.extend(pairs);
        Ok(())
    }

    /// Compresses one member, `name` holding `bytes`, which stay the caller's, on every core
    /// if it is large (see [`deflate_in_parallel`]): nothing else is compressed beside it.
    pub(crate) fn add_member(&mut self, name: String, bytes: &[u8]) -> Result<(), ExportError> {
        let (member, entry) = Deflater::alone().member(name, bytes)?;
        self.members.push(member);
        self.entries.push(entry);
        Ok(())
    }

    /// Builds one member per source, in parallel: `build` writes a member's text into the
    /// (cleared) buffer and returns its path. The text is compressed straight away, so the
    /// uncompressed members are never held together.
    pub(crate) fn add_each<T: Sync>(
        &mut self,
        sources: &[T],
        build: impl Fn(&T, &mut String) -> String + Sync,
    ) -> Result<(), ExportError> {
        let pairs: Vec<(Member, ManifestEntry)> = sources
            .par_iter()
            .map_init(
                || (Deflater::new(), String::new()),
                |(deflater, text), source| {
                    text.clear();
                    let path = build(source, text);
                    deflater.member(path, text.as_bytes())
                },
            )
            .collect::<Result<_, _>>()?;
        self.extend(pairs);
        Ok(())
    }

    /// Adds the members of `other`, after those added so far.
    pub(crate) fn append(&mut self, other: Self) {
        self.members.extend(other.members);
        self.entries.extend(other.entries);
    }

    fn extend(&mut self, pairs: Vec<(Member, ManifestEntry)>) {
        self.members.reserve(pairs.len());
        self.entries.reserve(pairs.len());
        for (member, entry) in pairs {
            self.members.push(member);
            self.entries.push(entry);
        }
    }

    /// The manifest entries of the members added so far, taken out: the archive does not
    /// need them.
    pub(crate) fn take_entries(&mut self) -> Vec<ManifestEntry> {
        std::mem::take(&mut self.entries)
    }

    /// The archive: the members sorted by path, followed by `manifest` as [`MANIFEST_NAME`].
    pub(crate) fn zip(self, manifest: &Manifest) -> Result<Vec<u8>, ExportError> {
        crate::output::in_memory(false, |out| self.zip_into(manifest, out)).map(|f| f.bytes)
    }

    /// [`Compressed::zip`] into `out`, which a large archive settles into its file as it is
    /// laid out.
    pub(crate) fn zip_into(
        mut self,
        manifest: &Manifest,
        out: &mut Output,
    ) -> Result<(), ExportError> {
        self.members.sort_by(|a, b| a.name.cmp(&b.name));
        // Two members of one name, or one named as the manifest, would leave a reader to pick
        // one of them: refuse the archive instead.
        let clash = self
            .members
            .windows(2)
            .find(|pair| pair[0].name == pair[1].name)
            .map(|pair| &pair[0])
            .or_else(|| self.members.iter().find(|m| m.name == MANIFEST_NAME));
        if let Some(member) = clash {
            return Err(ExportError::Zip(format!(
                "two members would be named `{}`",
                member.name
            )));
        }
        // Held whole, the archive is never moved while it is laid out.
        let bound = archive_bound(&self.members);
        out.expect(bound);
        let start = out.position();
        // The manifest is serialized and compressed while the other members are laid out.
        let (manifest, offsets) = rayon::join(
            || Deflater::new().unlisted_member(MANIFEST_NAME.to_owned(), &manifest.to_bytes()),
            || lay_out_members(out, &self.members),
        );
        let (manifest, mut offsets) = (manifest?, offsets?);
        offsets.extend(lay_out_members(out, std::slice::from_ref(&manifest))?);
        self.members.push(manifest);
        finish_layout(out, &self.members, &offsets);
        debug_assert!(
            out.position() - start <= bound as u64,
            "{} bytes over the bound {bound}",
            out.position() - start
        );
        Ok(())
    }
}

/// A compressor and its scratch buffer, one per rayon task.
struct Deflater {
    compressor: Compressor,
    scratch: Vec<u8>,
    /// Whether a large member is deflated in pieces on every core: for a member compressed
    /// alone. Among many members compressed side by side, each stays on one core, where
    /// libdeflate is faster.
    in_pieces: bool,
}

impl Deflater {
    fn new() -> Self {
        Self {
            // The fastest level that compresses (`CompressionLvl::fastest()` is 0, which only
            // stores): on the many small members of a QTI package it is several times faster
            // than the higher levels, and its output a few per cent larger.
            compressor: Compressor::new(CompressionLvl::new(1).unwrap_or_default()),
            scratch: Vec::new(),
            in_pieces: false,
        }
    }

    /// A compressor for a member compressed alone.
    fn alone() -> Self {
        Self {
            in_pieces: true,
            ..Self::new()
        }
    }

    /// The member `name` holding `bytes`, and its manifest entry.
    fn member(
        &mut self,
        name: String,
        bytes: &[u8],
    ) -> Result<(Member, ManifestEntry), ExportError> {
        check_name(&name)?;
        let digests = || {
            (
                ManifestEntry::of(name.clone(), bytes),
                crc32fast::hash(bytes),
            )
        };
        // A large member (an Anki collection) is digested on another core while it is deflated.
        let ((entry, crc), deflated) = if bytes.len() >= 1 << 20 {
            rayon::join(digests, || self.deflate(&name, bytes))
        } else {
            (digests(), self.deflate(&name, bytes))
        };
        let (method, data) = deflated?;
        let member = Member {
            name,
            method,
            crc,
            size: bytes.len() as u64,
            data,
        };
        Ok((member, entry))
    }

    /// The member `name` holding `bytes`, without a manifest entry: the manifest itself.
    fn unlisted_member(&mut self, name: String, bytes: &[u8]) -> Result<Member, ExportError> {
        check_name(&name)?;
        let (method, data) = self.deflate(&name, bytes)?;
        Ok(Member {
            name,
            method,
            crc: crc32fast::hash(bytes),
            size: bytes.len() as u64,
            data,
        })
    }

    /// `bytes` deflated, or stored when deflating does not shrink them, with the method.
    fn deflate(&mut self, name: &str, bytes: &[u8]) -> Result<(u16, Vec<u8>), ExportError> {
        if self.in_pieces && bytes.len() >= PARALLEL_MIN {
            let deflated = deflate_in_parallel(bytes)
                .map_err(|e| ExportError::Zip(format!("deflating `{name}`: {e}")))?;
            return Ok(stored_unless_smaller(bytes, deflated));
        }
        let bound = self.compressor.deflate_compress_bound(bytes.len());
        if self.scratch.len() < bound {
            self.scratch.resize(bound, 0);
        }
        let written = self
            .compressor
            .deflate_compress(bytes, &mut self.scratch)
            .map_err(|e| ExportError::Zip(format!("deflating `{name}`: {e:?}")))?;
        Ok(if written < bytes.len() {
            (DEFLATED, self.scratch[..written].to_vec())
        } else {
            (STORED, bytes.to_vec())
        })
    }
}

/// A member compressed alone and at least this large is deflated in pieces on every core (see
/// [`deflate_in_parallel`]); others, each on one core, by libdeflate.
const PARALLEL_MIN: usize = 4 << 20;

/// How much of a large member one piece takes. Fixed, so that the bytes never depend on the
/// number of threads.
const PIECE: usize = 1 << 20;

/// The level of the pieces: zlib-rs's level 3 compresses a 207 MB Anki collection to 31.9 MB
/// where libdeflate's level 1 gives 34.4 MB (its levels 1 and 2 are faster but give 49 and
/// 38 MB).
const PIECE_LEVEL: u32 = 3;

/// A deflate stream of `bytes` made of independent pieces compressed side by side, as `pigz`
/// does: every piece but the last ends with a sync flush (an empty stored block, which leaves
/// the stream on a byte boundary with its final bit unset), so the pieces, concatenated, are
/// one valid stream. A piece refers to no data before it, which costs a few hundred bytes a
/// piece. libdeflate compresses whole buffers into final blocks only, so it cannot make the
/// pieces; one core of it took 0.6 s for an Anki collection of 207 MB, alone at the end of the
/// export.
fn deflate_in_parallel(bytes: &[u8]) -> Result<Vec<u8>, flate2::CompressError> {
    let count = bytes.len().div_ceil(PIECE);
    let pieces: Vec<Vec<u8>> = bytes
        .par_chunks(PIECE)
        .enumerate()
        .map(|(index, piece)| deflate_piece(piece, index + 1 == count))
        .collect::<Result<_, _>>()?;
    Ok(pieces.concat())
}

/// One piece of [`deflate_in_parallel`]: raw deflate, ended by a sync flush, or for the `last`
/// piece by the final block.
fn deflate_piece(piece: &[u8], last: bool) -> Result<Vec<u8>, flate2::CompressError> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut compress = Compress::new(Compression::new(PIECE_LEVEL), false);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    // Deflate grows incompressible data by a few bytes per 16 KiB block at most.
    let mut out = Vec::with_capacity(piece.len() + piece.len() / 64 + 1024);
    loop {
        let consumed = usize::try_from(compress.total_in()).unwrap_or(piece.len());
        let status = compress.compress_vec(&piece[consumed.min(piece.len())..], &mut out, flush)?;
        let all_in = usize::try_from(compress.total_in()).is_ok_and(|n| n == piece.len());
        // A flush is complete when it left room in the output; the final block, when the
        // stream says so.
        let done = if last {
            status == Status::StreamEnd
        } else {
            all_in && out.len() < out.capacity()
        };
        if done {
            return Ok(out);
        }
        out.reserve(out.capacity().max(64 << 10));
    }
}

/// `deflated` as the member's data if it is smaller than `bytes`; otherwise `bytes` stored as
/// they are, as every zip tool does with data that does not shrink.
fn stored_unless_smaller(bytes: &[u8], deflated: Vec<u8>) -> (u16, Vec<u8>) {
    if deflated.len() < bytes.len() {
        (DEFLATED, deflated)
    } else {
        (STORED, bytes.to_vec())
    }
}

/// Refuses a member name longer than zip's 16-bit length field holds.
fn check_name(name: &str) -> Result<(), ExportError> {
    if u16::try_from(name.len()).is_err() {
        return Err(ExportError::Zip(format!(
            "the member name `{}…` is longer than zip allows (65,535 bytes)",
            name.chars().take(40).collect::<String>()
        )));
    }
    Ok(())
}

/// An upper bound on the archive's size: every member with both headers at their largest
/// (zip64 fields included), the member manifest at its largest (an entry of pretty JSON is
/// under 200 bytes beside its path, which escaping at most sextuples, and it is stored if
/// deflating does not shrink it), and the end records. Reserving it up front means the
/// archive is never moved while it is laid out; what it does not use is never touched.
fn archive_bound(members: &[Member]) -> usize {
    let headers = LOCAL_HEADER + ZIP64_LOCAL + CENTRAL_HEADER + ZIP64_CENTRAL;
    let mut bound = headers + MANIFEST_NAME.len() * 2 + END_RECORDS + 4096;
    for member in members {
        bound += headers + 2 * member.name.len() + member.data.len();
        bound += 200 + 6 * member.name.len();
    }
    bound
}

/// The fixed parts of a local header, of a central header, their largest zip64 extra fields,
/// and the end records (zip64 end record, its locator, the classic end record).
const LOCAL_HEADER: usize = 30;
const ZIP64_LOCAL: usize = 20;
const CENTRAL_HEADER: usize = 46;
const ZIP64_CENTRAL: usize = 28;
const END_RECORDS: usize = 56 + 20 + 22;

/// One member, compressed and ready to be laid out.
struct Member {
    name: String,
    method: u16,
    crc: u32,
    size: u64,
    data: Vec<u8>,
}

const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// The classic fields' largest value; a value at or above it goes in a zip64 field.
const MAX32: u64 = 0xFFFF_FFFF;
/// 1980-01-01 00:00:00 in MS-DOS date format; the time field is 0.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Regular file, `rw-r--r--`, in the high half of the external attributes (host Unix).
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
/// Bit 11 of the general-purpose flags: the name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;

/// Appends each member, its local header and data, to `out`, settling it every few
/// megabytes; returns where each starts.
fn lay_out_members(out: &mut Output, members: &[Member]) -> Result<Vec<u64>, ExportError> {
    /// Bytes laid out between two settles.
    const SETTLE: usize = 16 << 20;
    let mut offsets = Vec::with_capacity(members.len());
    let mut unsettled = 0;
    for member in members {
        let offset = out.position();
        offsets.push(offset);
        let buffer = out.buffer();
        let before = buffer.len();
        local_header(buffer, member, offset);
        buffer.extend_from_slice(&member.data);
        unsettled += buffer.len() - before;
        if unsettled >= SETTLE {
            out.settle()?;
            unsettled = 0;
        }
    }
    Ok(offsets)
}

/// Appends the central directory and the end records to `out`, which holds `members` laid out
/// at `offsets`.
fn finish_layout(output: &mut Output, members: &[Member], offsets: &[u64]) {
    let directory_offset = output.position();
    let out = output.buffer();
    let buffered = out.len() as u64;
    for (member, &offset) in members.iter().zip(offsets) {
        central_header(out, member, offset);
    }
    let directory_size = out.len() as u64 - buffered;
    let entries = members.len() as u64;
    if entries >= 0xFFFF || directory_size >= MAX32 || directory_offset >= MAX32 {
        let record_offset = directory_offset + directory_size;
        // zip64 end of central directory record.
        put32(out, 0x0606_4b50);
        put64(out, 44);
        put16(out, MADE_BY);
        put16(out, ZIP64_VERSION);
        put32(out, 0);
        put32(out, 0);
        put64(out, entries);
        put64(out, entries);
        put64(out, directory_size);
        put64(out, directory_offset);
        // zip64 end of central directory locator.
        put32(out, 0x0706_4b50);
        put32(out, 0);
        put64(out, record_offset);
        put32(out, 1);
    }
    // End of central directory record; fields that overflow hold their maximum, pointing the
    // reader at the zip64 record.
    put32(out, 0x0605_4b50);
    put16(out, 0);
    put16(out, 0);
    let short_entries = u16::try_from(entries).unwrap_or(u16::MAX);
    put16(out, short_entries);
    put16(out, short_entries);
    put32(out, clamp32(directory_size));
    put32(out, clamp32(directory_offset));
    put16(out, 0);
}

const ZIP64_VERSION: u16 = 45;

/// Version made by: Unix (3) in the high byte, the specification version whose features the
/// archive may use (4.5, zip64) in the low one.
const MADE_BY: u16 = (3 << 8) | ZIP64_VERSION;

/// The values of `member` at `offset` that do not fit a classic field, in the order a central
/// header's zip64 extra field holds them: uncompressed size, compressed size, offset.
fn wide_values(member: &Member, offset: u64) -> ([u64; 3], usize) {
    let mut wide = [0; 3];
    let mut count = 0;
    for value in [member.size, member.data.len() as u64, offset] {
        if value >= MAX32 {
            wide[count] = value;
            count += 1;
        }
    }
    (wide, count)
}

/// The version needed to extract `member` at `offset`; the same in both of its headers.
fn version_needed(member: &Member, offset: u64) -> u16 {
    match (wide_values(member, offset).1 > 0, member.method) {
        (true, _) => ZIP64_VERSION,
        (false, DEFLATED) => 20,
        (false, _) => 10,
    }
}

fn flags(member: &Member) -> u16 {
    if member.name.is_ascii() { 0 } else { UTF8_NAME }
}

fn local_header(out: &mut Vec<u8>, member: &Member, offset: u64) {
    let compressed = member.data.len() as u64;
    // A local header's zip64 field holds both sizes whenever either overflows.
    let zip64 = member.size >= MAX32 || compressed >= MAX32;
    put32(out, 0x0403_4b50);
    put16(out, version_needed(member, offset));
    put16(out, flags(member));
    put16(out, member.method);
    put16(out, 0);
    put16(out, DOS_DATE);
    put32(out, member.crc);
    put32(out, if zip64 { u32::MAX } else { clamp32(compressed) });
    put32(
        out,
        if zip64 {
            u32::MAX
        } else {
            clamp32(member.size)
        },
    );
    put16(out, name_length(member));
    put16(out, if zip64 { 20 } else { 0 });
    out.extend_from_slice(member.name.as_bytes());
    if zip64 {
        put16(out, 0x0001);
        put16(out, 16);
        put64(out, member.size);
        put64(out, compressed);
    }
}

fn central_header(out: &mut Vec<u8>, member: &Member, offset: u64) {
    let compressed = member.data.len() as u64;
    // A central header's zip64 field holds only the values that overflow.
    let (wide, count) = wide_values(member, offset);
    let wide = &wide[..count];
    let zip64 = !wide.is_empty();
    put32(out, 0x0201_4b50);
    put16(out, MADE_BY);
    put16(out, version_needed(member, offset));
    put16(out, flags(member));
    put16(out, member.method);
    put16(out, 0);
    put16(out, DOS_DATE);
    put32(out, member.crc);
    put32(out, clamp32(compressed));
    put32(out, clamp32(member.size));
    put16(out, name_length(member));
    let extra = if zip64 { 4 + 8 * wide.len() } else { 0 };
    put16(out, u16::try_from(extra).unwrap_or(u16::MAX));
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put32(out, EXTERNAL_ATTRIBUTES);
    put32(out, clamp32(offset));
    out.extend_from_slice(member.name.as_bytes());
    if zip64 {
        put16(out, 0x0001);
        put16(out, u16::try_from(8 * wide.len()).unwrap_or(u16::MAX));
        for &value in wide {
            put64(out, value);
        }
    }
}

/// [`Deflater::member`] refused longer names.
fn name_length(member: &Member) -> u16 {
    u16::try_from(member.name.len()).unwrap_or(u16::MAX)
}

/// `value`, or `0xFFFF_FFFF` when it does not fit (the zip64 marker).
fn clamp32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    /// Zips `files` with their manifest, as an export does.
    fn zip_all(files: Vec<(String, Vec<u8>)>) -> Result<(Vec<u8>, Manifest), ExportError> {
        let mut compressed = Compressed::default();
        compressed.add_files(files)?;
        let manifest = Manifest::new(compressed.take_entries());
        Ok((compressed.zip(&manifest)?, manifest))
    }

    /// Reads `bytes` back with the `zip` crate: every member's name, bytes, method and mode.
    fn read_back(bytes: &[u8]) -> Vec<(String, Vec<u8>, zip::CompressionMethod, Option<u32>)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).unwrap();
                let mut data = Vec::new();
                file.read_to_end(&mut data).unwrap();
                let time = file.last_modified().unwrap();
                assert_eq!(
                    (time.year(), time.month(), time.day(), time.hour()),
                    (1980, 1, 1, 0)
                );
                (
                    file.name().to_owned(),
                    data,
                    file.compression(),
                    file.unix_mode(),
                )
            })
            .collect()
    }

    #[test]
    fn members_read_back_sorted_with_the_manifest_last() {
        let files = vec![
            ("items/b.xml".to_owned(), b"<b/>".repeat(200)),
            ("items/a.xml".to_owned(), Vec::new()),
            (
                "media/caf\u{e9} \u{1F600}.png".to_owned(),
                vec![0x89, b'P', 0, 1],
            ),
        ];
        let (bytes, manifest) = zip_all(files.clone()).unwrap();
        let read = read_back(&bytes);
        assert_eq!(manifest.files.len(), 3);
        assert_eq!(
            manifest.files[1],
            ManifestEntry::of("items/b.xml", &files[0].1)
        );
        let names: Vec<&str> = read.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "items/a.xml",
                "items/b.xml",
                "media/caf\u{e9} \u{1F600}.png",
                MANIFEST_NAME
            ]
        );
        assert_eq!(read[0].1, b"");
        assert_eq!(read[1].1, b"<b/>".repeat(200));
        assert_eq!(read[2].1, [0x89, b'P', 0, 1]);
        assert_eq!(read[3].1, manifest.to_bytes());
        // Repetitive text is deflated; four bytes of binary are stored.
        assert_eq!(read[1].2, zip::CompressionMethod::Deflated);
        assert_eq!(read[2].2, zip::CompressionMethod::Stored);
        assert!(read.iter().all(|r| r.3 == Some(0o100_644)));
    }

    #[test]
    fn the_same_members_give_the_same_bytes_in_any_order_and_thread_count() {
        let files: Vec<(String, Vec<u8>)> = (0..300)
            .map(|i| {
                (
                    format!("items/{i:04}.xml"),
                    format!("<item n='{i}'/>").repeat(i % 7).into_bytes(),
                )
            })
            .collect();
        let (once, _) = zip_all(files.clone()).unwrap();
        let mut reversed = files.clone();
        reversed.reverse();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (again, _) = pool.install(|| zip_all(reversed)).unwrap();
        assert_eq!(once, again);
    }

    /// Text that deflate shrinks but that is not a short repeat: numbered lines of words.
    fn large_text(len: usize) -> Vec<u8> {
        let mut text = Vec::with_capacity(len + 64);
        let mut n = 0_u64;
        while text.len() < len {
            n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            text.extend_from_slice(
                format!("line {} of the pack {}\n", n % 997, n >> 50).as_bytes(),
            );
        }
        text.truncate(len);
        text
    }

    /// An archive of one member compressed alone, as an Anki collection is.
    fn zip_alone(name: &str, bytes: &[u8]) -> (Vec<u8>, Manifest) {
        let mut compressed = Compressed::default();
        compressed.add_member(name.to_owned(), bytes).unwrap();
        let manifest = Manifest::new(compressed.take_entries());
        (compressed.zip(&manifest).unwrap(), manifest)
    }

    #[test]
    fn large_members_deflate_in_pieces_that_inflate_to_the_whole() {
        // At the threshold, a byte past whole pieces, and whole pieces exactly.
        for len in [PARALLEL_MIN, PARALLEL_MIN + 4 * PIECE + 1, 6 * PIECE] {
            let text = large_text(len);
            let (bytes, manifest) = zip_alone("big.xml", &text);
            assert_eq!(manifest.files[0], ManifestEntry::of("big.xml", &text));
            let read = read_back(&bytes);
            assert_eq!(read[0].1.len(), len);
            assert!(read[0].1 == text, "{len} bytes did not read back");
            assert_eq!(read[0].2, zip::CompressionMethod::Deflated);
            // The zip reader checks the CRC; a raw inflate also sees one final block at the end.
            let deflated = deflate_in_parallel(&text).unwrap();
            assert!(deflated.len() < len / 2, "{} of {len}", deflated.len());
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(deflated.as_slice())
                .read_to_end(&mut inflated)
                .unwrap();
            assert!(inflated == text);
        }
    }

    #[test]
    fn a_large_member_that_does_not_shrink_is_stored() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let noise: Vec<u8> = (0..PARALLEL_MIN + 5)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[3]
            })
            .collect();
        let (bytes, _) = zip_alone("noise.bin", &noise);
        let read = read_back(&bytes);
        assert_eq!(read[0].2, zip::CompressionMethod::Stored);
        assert!(read[0].1 == noise);
    }

    #[test]
    fn large_members_give_the_same_bytes_on_any_number_of_threads() {
        let text = large_text(PARALLEL_MIN + PIECE / 2);
        let (once, _) = zip_alone("big.xml", &text);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let (again, _) = pool.install(|| zip_alone("big.xml", &text));
        assert!(once == again);
    }

    #[test]
    fn members_built_in_place_zip_as_whole_files_do() {
        let sources: Vec<usize> = (0..50).collect();
        let text = |i: usize| format!("<item n=\"{i}\">{}</item>", "text ".repeat(i));
        let mut built = Compressed::default();
        built
            .add_each(&sources, |&i, out| {
                out.push_str(&text(i));
                format!("items/{i:02}.xml")
            })
            .unwrap();
        built
            .add_files(vec![("a.xml".to_owned(), b"<a/>".to_vec())])
            .unwrap();
        let mut files: Vec<(String, Vec<u8>)> = sources
            .iter()
            .map(|&i| (format!("items/{i:02}.xml"), text(i).into_bytes()))
            .collect();
        files.push(("a.xml".to_owned(), b"<a/>".to_vec()));
        let (whole, manifest) = zip_all(files).unwrap();
        assert_eq!(Manifest::new(built.take_entries()), manifest);
        assert_eq!(built.zip(&manifest).unwrap(), whole);
        let read = read_back(&whole);
        assert_eq!(read[0].0, "a.xml");
        assert_eq!(read[50].1, text(49).into_bytes());
    }

    #[test]
    fn more_than_65535_members_use_the_zip64_end_records() {
        let files: Vec<(String, Vec<u8>)> = (0..70_000)
            .map(|i| (format!("m/{i:05}"), vec![u8::try_from(i % 251).unwrap()]))
            .collect();
        let (bytes, _) = zip_all(files).unwrap();
        // The classic end record says "see zip64"; the zip64 locator sits right before it.
        let end = bytes.len() - 22;
        assert_eq!(bytes[end..end + 4], 0x0605_4b50u32.to_le_bytes());
        assert_eq!(bytes[end + 10..end + 12], [0xFF, 0xFF]);
        assert_eq!(bytes[end - 20..end - 16], 0x0706_4b50u32.to_le_bytes());
        let read = read_back(&bytes);
        assert_eq!(read.len(), 70_001);
        assert_eq!(read[69_999].0, "m/69999");
        assert_eq!(read[69_999].1, [u8::try_from(69_999 % 251).unwrap()]);
    }

    /// A member as the headers see it: its size may be far larger than its data.
    fn member(name: &str, method: u16, size: u64, data: &[u8]) -> Member {
        Member {
            name: name.to_owned(),
            method,
            crc: 0,
            size,
            data: data.to_vec(),
        }
    }

    #[test]
    fn zip64_fields_hold_only_the_values_that_overflow() {
        let member = member("big", STORED, 3, b"abc");
        let mut out = Vec::new();
        central_header(&mut out, &member, 5_000_000_000);
        // Offset field marks zip64; the extra field (id 1, 8 bytes) holds the offset alone.
        assert_eq!(out[42..46], [0xFF; 4]);
        assert_eq!(out[6..8], ZIP64_VERSION.to_le_bytes());
        assert_eq!(out[49..53], [1, 0, 8, 0]);
        assert_eq!(out[53..61], 5_000_000_000u64.to_le_bytes());
        assert_eq!(out.len(), 46 + 3 + 12);
    }

    #[test]
    fn a_local_header_holds_both_sizes_in_zip64_when_one_overflows() {
        let member = member("huge", DEFLATED, 5_000_000_000, b"abc");
        let mut local = Vec::new();
        local_header(&mut local, &member, 0);
        assert_eq!(local[4..6], ZIP64_VERSION.to_le_bytes());
        assert_eq!(local[18..26], [0xFF; 8]);
        assert_eq!(local[28..30], 20u16.to_le_bytes());
        assert_eq!(local[34..38], [1, 0, 16, 0]);
        assert_eq!(local[38..46], 5_000_000_000u64.to_le_bytes());
        assert_eq!(local[46..54], 3u64.to_le_bytes());
        assert_eq!(local.len(), 30 + 4 + 20);
        // The central header holds the uncompressed size alone, and needs the same version.
        let mut central = Vec::new();
        central_header(&mut central, &member, 0);
        assert_eq!(central[6..8], local[4..6]);
        assert_eq!(central[20..24], 3u32.to_le_bytes());
        assert_eq!(central[24..28], [0xFF; 4]);
        assert_eq!(
            central[50..62],
            [[1, 0, 8, 0].as_slice(), &5_000_000_000u64.to_le_bytes()].concat()
        );
    }

    #[test]
    fn a_member_past_4_gib_needs_zip64_in_both_headers() {
        let member = member("late", DEFLATED, 10, &[0; 4]);
        let (mut local, mut central) = (Vec::new(), Vec::new());
        local_header(&mut local, &member, 5_000_000_000);
        central_header(&mut central, &member, 5_000_000_000);
        // Sizes fit, so the local header has no extra field, but both say version 4.5.
        assert_eq!(local[28..30], [0, 0]);
        assert_eq!(local[4..6], ZIP64_VERSION.to_le_bytes());
        assert_eq!(central[6..8], ZIP64_VERSION.to_le_bytes());
        let mut small = Vec::new();
        local_header(&mut small, &member, 0);
        assert_eq!(small[4..6], 20u16.to_le_bytes());
    }

    #[test]
    fn two_members_of_one_name_are_refused() {
        for files in [
            vec![
                ("a.xml".to_owned(), b"1".to_vec()),
                ("a.xml".to_owned(), b"2".to_vec()),
            ],
            vec![(MANIFEST_NAME.to_owned(), b"{}".to_vec())],
        ] {
            let Err(error) = zip_all(files) else {
                panic!("a clash was zipped");
            };
            assert!(
                error.to_string().contains("two members would be named"),
                "{error}"
            );
        }
    }

    #[test]
    fn an_overlong_member_name_is_an_error() {
        let files = vec![("x".repeat(70_000), b"data".to_vec())];
        let Err(error) = zip_all(files) else {
            panic!("an overlong name was zipped");
        };
        assert!(
            error.to_string().contains("longer than zip allows"),
            "{error}"
        );
    }
}
