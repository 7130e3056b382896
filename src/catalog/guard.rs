//! The catalog's bytes checked as they stream past, before the CSV parser
//! buffers them: a catalog is whole or it is not used.
//!
//! [`Guard`] follows the CSV grammar (quoted fields, doubled quotes, the
//! delimiter, `\n` ending a record) with a few byte searches per field, and
//! - bounds a record's bytes and the lines a quoted field may span, so a
//!   300 MB line or a stray `"` that swallows the rest of the file is an
//!   error at the line where it began, read with bounded memory;
//! - at the end, notes whether the input ended inside a quoted field or in
//!   the middle of a record with no line end (a file cut short), for
//!   [`super::CatalogReader`] to refuse.
//!
//! [`Watch`] notes a catalog file's identity, size and modification time
//! when it is opened and counts the bytes read from it, so that a file
//! changed, replaced or truncated while it was read is refused.

use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The most bytes one record may hold.
pub const MAX_RECORD_BYTES: u64 = 4 << 20;
/// The most lines one quoted field may span.
pub const MAX_FIELD_LINES: u64 = 1_000;

/// A problem found in the bytes, at a line (and column index, when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardError {
    pub line: u64,
    /// The 0-based index of the field, where one is concerned.
    pub field: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for GuardError {}

/// How the input ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct End {
    /// The line where a quoted field opened that the input ends inside,
    /// and the field's 0-based index.
    pub open_quote: Option<(u64, u64)>,
    /// The last record had bytes but no line end: its first line and how
    /// many fields it had.
    pub unterminated: Option<(u64, u64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    Quoted,
    /// A `"` inside a quoted field: the end of the field, or the first of
    /// a doubled quote.
    QuoteInQuoted,
}

/// A reader that follows the CSV grammar over the bytes it passes on.
pub struct Guard<R> {
    inner: R,
    delimiter: u8,
    state: State,
    /// The current physical line (1-based).
    line: u64,
    /// Bytes passed on before the current buffer.
    offset: u64,
    record_start: u64,
    record_line: u64,
    field: u64,
    quote_line: u64,
    last: Option<u8>,
    end: Arc<Mutex<Option<End>>>,
    max_bytes: u64,
    max_lines: u64,
}

impl<R: Read> Guard<R> {
    /// A guard over text using `delimiter`; what it finds at the end is
    /// put in the returned slot.
    pub fn new(inner: R, delimiter: u8) -> (Guard<R>, Arc<Mutex<Option<End>>>) {
        Guard::with_limits(inner, delimiter, MAX_RECORD_BYTES, MAX_FIELD_LINES)
    }

    /// As [`Guard::new`], with other limits (tests).
    pub fn with_limits(
        inner: R,
        delimiter: u8,
        max_bytes: u64,
        max_lines: u64,
    ) -> (Guard<R>, Arc<Mutex<Option<End>>>) {
        let end = Arc::new(Mutex::new(None));
        (
            Guard {
                inner,
                delimiter,
                state: State::StartField,
                line: 1,
                offset: 0,
                record_start: 0,
                record_line: 1,
                field: 0,
                quote_line: 0,
                last: None,
                end: end.clone(),
                max_bytes,
                max_lines,
            },
            end,
        )
    }

    fn fail(&self, line: u64, message: String) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            GuardError {
                line,
                field: Some(self.field),
                message,
            },
        )
    }

    fn end_record(&mut self, at: u64) {
        self.state = State::StartField;
        self.record_start = at + 1;
        self.line += 1;
        self.record_line = self.line;
        self.field = 0;
    }

    /// Follows the grammar over `buf` (the bytes at `self.offset`).
    fn scan(&mut self, buf: &[u8]) -> io::Result<()> {
        let d = self.delimiter;
        let mut i = 0;
        while i < buf.len() {
            let at = self.offset + i as u64;
            match self.state {
                State::StartField => {
                    let b = buf[i];
                    if b == b'"' {
                        self.state = State::Quoted;
                        self.quote_line = self.line;
                    } else if b == d {
                        self.field += 1;
                    } else if b == b'\n' {
                        self.end_record(at);
                    } else {
                        self.state = State::InField;
                    }
                    i += 1;
                }
                State::InField => match memchr::memchr2(d, b'\n', &buf[i..]) {
                    None => i = buf.len(),
                    Some(k) => {
                        let at = at + k as u64;
                        if buf[i + k] == d {
                            self.field += 1;
                            self.state = State::StartField;
                        } else {
                            self.end_record(at);
                        }
                        i += k + 1;
                    }
                },
                State::Quoted => match memchr::memchr2(b'"', b'\n', &buf[i..]) {
                    None => i = buf.len(),
                    Some(k) => {
                        if buf[i + k] == b'"' {
                            self.state = State::QuoteInQuoted;
                        } else {
                            self.line += 1;
                            if self.line - self.quote_line >= self.max_lines {
                                return Err(self.fail(
                                    self.quote_line,
                                    format!(
                                        "a quote opened on this line is still open {} lines later; a `\"` in a cell that is not doubled (`\"\"`) swallows the rows after it, so the catalog is not used",
                                        self.max_lines
                                    ),
                                ));
                            }
                        }
                        i += k + 1;
                    }
                },
                State::QuoteInQuoted => {
                    let b = buf[i];
                    if b == b'"' {
                        self.state = State::Quoted;
                    } else if b == d {
                        self.field += 1;
                        self.state = State::StartField;
                    } else if b == b'\n' {
                        self.end_record(at);
                    } else {
                        self.state = State::InField;
                    }
                    i += 1;
                }
            }
            let record_bytes = (self.offset + i as u64).saturating_sub(self.record_start);
            if record_bytes > self.max_bytes {
                let message = if self.state == State::Quoted {
                    format!(
                        "the row is longer than {} MiB, in a quote opened on line {} that is not closed; a `\"` in a cell that is not doubled (`\"\"`) swallows the rows after it",
                        self.max_bytes >> 20,
                        self.quote_line
                    )
                } else {
                    format!(
                        "the row is longer than {} MiB, more than any product needs; is this a catalog?",
                        self.max_bytes >> 20
                    )
                };
                return Err(self.fail(self.record_line, message));
            }
        }
        if let Some(&b) = buf.last() {
            self.last = Some(b);
        }
        self.offset += buf.len() as u64;
        Ok(())
    }

    fn finish(&mut self) {
        let mut end = End::default();
        if matches!(self.state, State::Quoted) {
            end.open_quote = Some((self.quote_line, self.field));
        }
        if self.offset > self.record_start && self.last != Some(b'\n') {
            end.unterminated = Some((self.record_line, self.field + 1));
        }
        if let Ok(mut slot) = self.end.lock() {
            *slot = Some(end);
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.finish();
        } else {
            self.scan(&buf[..n])?;
        }
        Ok(n)
    }
}

/// Rewrites the CR line ends of a file saved as Excel for Mac's "CSV
/// (Macintosh)" as LF.
pub struct CrToLf<R>(pub R);

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// A catalog file's identity and size when opened, and the bytes read.
#[derive(Debug)]
pub struct Watch {
    path: PathBuf,
    file: std::fs::File,
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    read: Arc<AtomicU64>,
}

/// Counts the bytes read from a file.
pub struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Watch {
    /// Notes `file` (opened from `path`) as it is now, and wraps it to
    /// count what is read.
    pub fn new(path: &Path, file: std::fs::File) -> io::Result<(Watch, Counted<std::fs::File>)> {
        let m = file.metadata()?;
        let read = Arc::new(AtomicU64::new(0));
        let watch = Watch {
            path: path.to_path_buf(),
            file: file.try_clone()?,
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            read: read.clone(),
        };
        Ok((watch, Counted { inner: file, read }))
    }

    /// At the end of reading: why the bytes read are not the file as it
    /// was opened, if they are not. `whole_read`: every byte of the file
    /// should have been read (an uncompressed catalog).
    pub fn changed(&self, whole_read: bool) -> Option<String> {
        let now = match self.file.metadata() {
            Ok(m) => m,
            Err(e) => return Some(format!("cannot be checked after reading: {e}")),
        };
        if now.len() != self.len {
            return Some(format!(
                "changed while it was read: {} bytes when opened, {} at the end",
                self.len,
                now.len()
            ));
        }
        if (now.mtime(), now.mtime_nsec()) != self.mtime {
            return Some("changed while it was read: modified during the run".into());
        }
        match std::fs::metadata(&self.path) {
            Ok(m) if m.dev() == self.dev && m.ino() == self.ino => {}
            Ok(_) => return Some("was replaced by another file while it was read".into()),
            Err(_) => return Some("was removed or moved while it was read".into()),
        }
        let read = self.read.load(Ordering::Relaxed);
        if whole_read && read != self.len {
            return Some(format!(
                "only {read} of its {} bytes could be read",
                self.len
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn run(
        text: &[u8],
        bytes: u64,
        lines: u64,
        chunk: usize,
    ) -> (io::Result<Vec<u8>>, Option<End>) {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (mut g, end) = Guard::with_limits(Chunks(text, chunk), b',', bytes, lines);
        let mut out = Vec::new();
        let r = g.read_to_end(&mut out).map(|_| out);
        let e = end.lock().unwrap().clone();
        (r, e)
    }

    fn guard_error(e: io::Error) -> GuardError {
        e.get_ref()
            .and_then(|e| e.downcast_ref::<GuardError>())
            .cloned()
            .expect("a guard error")
    }

    #[test]
    fn a_whole_file_passes_unchanged_in_any_chunks() {
        let text = b"id,name\n1,\"a, \"\"quoted\"\"\nname\"\n2,b\"c\n";
        for chunk in [1, 2, 3, 7, 64] {
            let (r, end) = run(text, 1 << 20, 100, chunk);
            assert_eq!(r.unwrap(), text);
            assert_eq!(end, Some(End::default()), "chunk {chunk}");
        }
    }

    #[test]
    fn an_input_ending_inside_a_quote_names_the_line_it_opened() {
        let text = b"id,name\n1,a\n2,\"stray\n3,c\n4,d\n";
        let (r, end) = run(text, 1 << 20, 100, 5);
        assert!(r.is_ok());
        let end = end.unwrap();
        assert_eq!(end.open_quote, Some((3, 1)));
    }

    #[test]
    fn a_last_record_without_line_end_is_noted_with_its_fields() {
        let (_, end) = run(b"id,name,x\n1,a,b\n2,b", 1 << 20, 100, 4);
        assert_eq!(end.unwrap().unterminated, Some((3, 2)));
        let (_, end) = run(b"id,name\r\n1,a\r\n", 1 << 20, 100, 4);
        assert_eq!(end.unwrap(), End::default());
    }

    #[test]
    fn a_quote_spanning_too_many_lines_fails_at_its_first_line() {
        let mut text = b"id,name\n1,a\n2,\"oops\n".to_vec();
        for i in 0..50 {
            text.extend_from_slice(format!("{i},x\n").as_bytes());
        }
        let (r, _) = run(&text, 1 << 20, 10, 8);
        let e = guard_error(r.unwrap_err());
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("still open 10 lines later"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_huge_record_fails_without_reading_it_all() {
        let mut text = b"id,name\n1,a\n2,".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.extend_from_slice(b"\n3,b\n");
        let (r, _) = run(&text, 1000, 100, 64);
        let e = guard_error(r.unwrap_err());
        assert_eq!(e.line, 3);
        assert_eq!(e.field, Some(1));
    }

    #[test]
    fn a_file_grown_truncated_replaced_or_half_read_is_seen() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("c.csv");
        std::fs::write(&p, "id,name\n1,a\n").unwrap();
        let open = || {
            let (w, mut c) = Watch::new(&p, std::fs::File::open(&p).unwrap()).unwrap();
            let mut sink = Vec::new();
            c.read_to_end(&mut sink).unwrap();
            w
        };
        let w = open();
        assert_eq!(w.changed(true), None);
        // Appended to while read (an export still being written).
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"2,b\n")
            .unwrap();
        assert!(w
            .changed(true)
            .unwrap()
            .contains("12 bytes when opened, 16 at the end"));
        // Truncated.
        let w = open();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(5)
            .unwrap();
        assert!(w.changed(true).is_some());
        // Replaced by a new file of the same size (an export renamed in).
        std::fs::write(&p, "id,name\n1,a\n").unwrap();
        let w = open();
        let other = tmp.path().join("new.csv");
        std::fs::write(&other, "id,name\n1,b\n").unwrap();
        std::fs::rename(&other, &p).unwrap();
        assert!(w.changed(true).unwrap().contains("replaced"));
        // Not every byte read.
        let (w, mut c) = Watch::new(&p, std::fs::File::open(&p).unwrap()).unwrap();
        let mut four = [0u8; 4];
        c.read_exact(&mut four).unwrap();
        assert!(w.changed(true).unwrap().contains("only 4 of its 12 bytes"));
        assert_eq!(w.changed(false), None);
    }

    #[test]
    fn cr_line_ends_become_lf() {
        let mut out = Vec::new();
        CrToLf(&b"a,b\r1,2\r"[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a,b\n1,2\n");
    }
}
