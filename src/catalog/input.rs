//! Turning the bytes of a catalog file into UTF-8 CSV text: compressed
//! containers (gzip, zstd) are opened, other archives refused by name; the
//! text encoding is read from a byte-order mark, or guessed (UTF-8, else
//! Windows-1252, the encoding of Excel's Windows exports); the delimiter is
//! read from the header line when not given.

use std::io::{self, Cursor, Read};

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Bytes looked at to recognise a container.
const MAGIC_LEN: usize = 8;
/// Bytes looked at to tell UTF-8 from Windows-1252.
const SNIFF_LEN: usize = 1 << 20;
/// The candidate delimiters, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How a catalog's bytes were read, for the log and summary.json.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputInfo {
    /// `gzip` or `zstd` when the file was compressed.
    #[serde(deserialize_with = "crate::output::rows::static_str_opt")]
    pub compression: Option<crate::output::rows::Word>,
    /// The text encoding: `UTF-8`, `UTF-16LE`, `UTF-16BE` or `windows-1252`.
    #[serde(deserialize_with = "crate::output::rows::static_str")]
    pub encoding: crate::output::rows::Word,
    /// How the encoding was decided: `--encoding`, `byte-order mark`,
    /// `valid UTF-8`, `zero bytes`, `not valid UTF-8`.
    #[serde(deserialize_with = "crate::output::rows::static_str")]
    pub encoding_from: crate::output::rows::Word,
    /// The field delimiter, as text (`,`, `;`, `tab`, `|`, ...).
    pub delimiter: String,
    /// `--delimiter` or `header line`.
    #[serde(deserialize_with = "crate::output::rows::static_str")]
    pub delimiter_from: crate::output::rows::Word,
    /// What the merchandiser should know (a conversion, a guess).
    pub notes: Vec<String>,
}

impl InputInfo {
    /// One line for the log.
    pub fn describe(&self) -> String {
        let mut s = String::from("reading ");
        if let Some(c) = self.compression {
            s.push_str(&format!("{c}-compressed "));
        }
        s.push_str(&format!(
            "{} ({}), delimiter `{}` ({})",
            self.encoding, self.encoding_from, self.delimiter, self.delimiter_from
        ));
        for n in &self.notes {
            s.push_str("; ");
            s.push_str(n);
        }
        s
    }
}

/// A delimiter as text.
pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        _ => (d as char).escape_default().to_string(),
    }
}

type Input = Box<dyn Read + Send>;

/// Reads until `buf` holds `n` bytes or the input ends; a failure names
/// the line it happened on.
fn fill(r: &mut Input, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n.min(1 << 16));
    match r.by_ref().take(n as u64).read_to_end(&mut buf) {
        Ok(_) => Ok(buf),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("line {}: {e}", line_of(&buf, buf.len())),
        )),
    }
}

/// Puts bytes already read back in front of the rest.
fn unread(head: Vec<u8>, rest: Input) -> Input {
    Box::new(Cursor::new(head).chain(rest))
}

/// Prefixes read errors of a decompressor with what it decompresses.
struct Named<R> {
    inner: R,
    what: &'static str,
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), format!("{} data is corrupt: {e}", self.what)))
    }
}

type ZstdDecoder = ruzstd::decoding::StreamingDecoder<Input, ruzstd::decoding::FrameDecoder>;

/// Decompresses every zstd frame of a stream in turn (`cat a.zst b.zst`
/// is two frames), not only the first.
struct ZstdFrames {
    current: Option<ZstdDecoder>,
}

impl ZstdFrames {
    fn new(input: Input) -> io::Result<ZstdFrames> {
        let current = ZstdDecoder::new(input).map_err(io::Error::other)?;
        Ok(ZstdFrames {
            current: Some(current),
        })
    }
}

impl Read for ZstdFrames {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(dec) = self.current.as_mut() else {
                return Ok(0);
            };
            let n = dec.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let Some(dec) = self.current.take() else {
                return Ok(0);
            };
            let mut source = dec.into_inner();
            let mut next = [0u8; 1];
            if source.read(&mut next)? == 0 {
                return Ok(0);
            }
            let source = unread(next.to_vec(), source);
            self.current = Some(ZstdDecoder::new(source).map_err(io::Error::other)?);
        }
    }
}

/// Decodes a byte stream to UTF-8 as it is read.
struct DecodeReader {
    inner: Input,
    decoder: Decoder,
    inbuf: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    eof: bool,
    outbuf: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    done: bool,
}

impl DecodeReader {
    fn new(inner: Input, decoder: Decoder) -> DecodeReader {
        DecodeReader {
            inner,
            decoder,
            inbuf: vec![0; 1 << 16],
            in_pos: 0,
            in_len: 0,
            eof: false,
            outbuf: vec![0; 3 << 16],
            out_pos: 0,
            out_len: 0,
            done: false,
        }
    }
}

impl Read for DecodeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let n = out.len().min(self.out_len - self.out_pos);
                out[..n].copy_from_slice(&self.outbuf[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.done || out.is_empty() {
                return Ok(0);
            }
            if self.in_pos == self.in_len && !self.eof {
                self.in_len = loop {
                    match self.inner.read(&mut self.inbuf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        r => break r?,
                    }
                };
                self.in_pos = 0;
                self.eof = self.in_len == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.inbuf[self.in_pos..self.in_len],
                &mut self.outbuf,
                self.eof,
            );
            self.in_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            if self.eof && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

/// Recognises a compressed container (read through its decompressor) or an
/// archive that is no CSV.
pub(crate) fn open_container(mut raw: Input, name: &str) -> Result<(Input, Option<&'static str>)> {
    let head = fill(&mut raw, MAGIC_LEN).map_err(|e| read_error(name, e))?;
    let refuse = |what: &str, hint: &str| {
        Err(Error::Data {
            file: name.to_string(),
            line: 0,
            column: None,
            message: format!("this is {what}, not a CSV file; {hint}"),
        })
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        let gz = flate2::read::MultiGzDecoder::new(unread(head, raw));
        return Ok((
            Box::new(Named {
                inner: gz,
                what: "gzip",
            }),
            Some("gzip"),
        ));
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let zst = ZstdFrames::new(unread(head, raw)).map_err(|e| Error::Data {
            file: name.to_string(),
            line: 0,
            column: None,
            message: format!("zstd data is corrupt: {e}"),
        })?;
        return Ok((
            Box::new(Named {
                inner: zst,
                what: "zstd",
            }),
            Some("zstd"),
        ));
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return refuse(
            "a ZIP archive (an .xlsx workbook or a zipped export)",
            "unzip it, or save the sheet as CSV (UTF-8), first",
        );
    }
    if head.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return refuse(
            "an Excel 97-2003 workbook (.xls)",
            "save the sheet as CSV (UTF-8) first",
        );
    }
    if head.starts_with(b"BZh") {
        return refuse(
            "bzip2-compressed data",
            "decompress it first, e.g. `bzip2 -dc FILE | milia-rank score -` (gzip and zstd are read as they are)",
        );
    }
    if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return refuse(
            "xz-compressed data",
            "decompress it first, e.g. `xz -dc FILE | milia-rank score -` (gzip and zstd are read as they are)",
        );
    }
    Ok((unread(head, raw), None))
}

/// Where bytes that are not UTF-8 first occur, as a 1-based line.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
}

/// Guesses UTF-16 without a byte-order mark from its zero bytes: ASCII
/// text in UTF-16 has a zero in every other byte.
fn utf16_by_zeros(head: &[u8]) -> Option<&'static Encoding> {
    let sample = &head[..head.len().min(512) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd * 10 >= pairs * 8 && even == 0 {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 8 && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decides the encoding and returns a reader of UTF-8 text.
fn decode(
    mut input: Input,
    name: &str,
    forced: Option<&'static Encoding>,
    info: &mut InputInfo,
) -> Result<Input> {
    let head = fill(&mut input, SNIFF_LEN).map_err(|e| read_error(name, e))?;
    let full = head.len() == SNIFF_LEN;
    let (encoding, from): (&'static Encoding, &'static str) = if let Some(e) = forced {
        (e, "--encoding")
    } else if let Some((e, _)) = Encoding::for_bom(&head) {
        (e, "byte-order mark")
    } else if let Some(e) = utf16_by_zeros(&head) {
        (e, "zero bytes")
    } else {
        match std::str::from_utf8(&head) {
            Ok(_) => (UTF_8, "valid UTF-8"),
            // Cut in the middle of a character at the end of the sample.
            Err(e) if full && e.error_len().is_none() => (UTF_8, "valid UTF-8"),
            Err(e) => {
                info.notes.push(format!(
                    "the file is not valid UTF-8 (first on line {}): read as Windows-1252 and converted; give --encoding to choose another",
                    line_of(&head, e.valid_up_to())
                ));
                (WINDOWS_1252, "not valid UTF-8")
            }
        }
    };
    if encoding != UTF_16LE && encoding != UTF_16BE {
        let nul = head.iter().filter(|b| **b == 0).count();
        if nul > 0 && nul * 10 >= head.len() {
            return Err(Error::Data {
                file: name.to_string(),
                line: 0,
                column: None,
                message: format!(
                    "not a text catalog: {nul} of its first {} bytes are NUL bytes (what a crash or a full disk leaves behind); restore the export and run again",
                    head.len()
                ),
            });
        }
    }
    info.encoding = encoding.name();
    info.encoding_from = from;
    let rest = unread(head, input);
    if encoding == UTF_8 {
        // Passed through as it is (fast); a BOM is dropped here, and a
        // later invalid byte is replaced in its row, which says so.
        let mut rest = rest;
        let start = fill(&mut rest, 3).map_err(|e| read_error(name, e))?;
        let start = if start == b"\xef\xbb\xbf" {
            Vec::new()
        } else {
            start
        };
        return Ok(unread(start, rest));
    }
    Ok(Box::new(DecodeReader::new(
        rest,
        encoding.new_decoder_with_bom_removal(),
    )))
}

/// Counts each candidate delimiter in the header line, outside quotes.
pub fn sniff_delimiter(header: &[u8]) -> Option<u8> {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..DELIMITERS.len()).max_by(|a, b| counts[*a].cmp(&counts[*b]).then(b.cmp(a)))?;
    (counts[best] > 0).then_some(DELIMITERS[best])
}

/// Opens raw catalog bytes as UTF-8 CSV text and decides the delimiter.
pub fn open(
    raw: Input,
    name: &str,
    forced: Option<&'static Encoding>,
    delimiter: Option<u8>,
) -> Result<(Input, u8, InputInfo)> {
    let mut info = InputInfo {
        compression: None,
        encoding: "UTF-8",
        encoding_from: "valid UTF-8",
        delimiter: String::new(),
        delimiter_from: "--delimiter",
        notes: Vec::new(),
    };
    let (input, compression) = open_container(raw, name)?;
    info.compression = compression;
    let mut text = decode(input, name, forced, &mut info)?;
    let mut head = fill(&mut text, 1 << 16).map_err(|e| read_error(name, e))?;
    if head.contains(&b'\r') && !head.contains(&b'\n') {
        // Excel for Mac's "CSV (Macintosh)": every line ends with CR alone.
        for b in &mut head {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        text = Box::new(super::guard::CrToLf(text));
        info.notes.push(
            "lines end with CR alone (Excel for Mac's \"CSV (Macintosh)\"): read as line ends"
                .into(),
        );
    }
    let delimiter = match delimiter {
        Some(d) => d,
        None => {
            info.delimiter_from = "header line";
            sniff_delimiter(&head).unwrap_or(b',')
        }
    };
    let text = unread(head, text);
    info.delimiter = delimiter_name(delimiter);
    Ok((text, delimiter, info))
}

fn read_error(name: &str, e: io::Error) -> Error {
    Error::Io {
        path: name.to_string(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8], forced: Option<&'static Encoding>) -> (String, u8, InputInfo) {
        let (mut r, d, info) =
            open(Box::new(Cursor::new(bytes.to_vec())), "t.csv", forced, None).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, d, info)
    }

    #[test]
    fn sniffs_the_header_delimiter() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,2;3"), Some(b';'));
        assert_eq!(sniff_delimiter(b"a\tb\tc,d\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter(b"a|b|c\n"), Some(b'|'));
        assert_eq!(sniff_delimiter(b"\"a;b\",c\n"), Some(b','));
        assert_eq!(
            sniff_delimiter(b"a,b;c\n"),
            Some(b','),
            "a tie goes to the comma"
        );
        assert_eq!(sniff_delimiter(b"single\n"), None);
    }

    #[test]
    fn decodes_utf16_and_windows_1252() {
        let text = "id;name\n1;Estée\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let (s, d, info) = read_all(&le, None);
        assert_eq!((s.as_str(), d, info.encoding), (text, b';', "UTF-16LE"));
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let (s, _, info) = read_all(&be, None);
        assert_eq!(
            (s.as_str(), info.encoding, info.encoding_from),
            (text, "UTF-16BE", "zero bytes")
        );
        let (s, _, info) = read_all(b"id,name\n1,Est\xe9e\n", None);
        assert_eq!(
            (s.as_str(), info.encoding),
            ("id,name\n1,Estée\n", "windows-1252")
        );
        assert!(
            info.notes[0].contains("first on line 2"),
            "{:?}",
            info.notes
        );
        let (s, _, info) = read_all(b"\xef\xbb\xbfid,name\n1,Est\xc3\xa9e\n", None);
        assert_eq!(
            (s.as_str(), info.encoding_from),
            ("id,name\n1,Estée\n", "byte-order mark")
        );
        let (s, _, _) = read_all(b"id,name\n1,Est\xe9e\n", Some(encoding_rs::ISO_8859_2));
        assert_eq!(s, "id,name\n1,Estée\n");
    }

    #[test]
    fn a_long_stream_decodes_across_buffer_ends() {
        let row = "1,Crème \u{20ac} d\u{e9}licate,x\n";
        let text: String = std::iter::once("id,name,c\n")
            .chain(std::iter::repeat_n(row, 20_000))
            .collect();
        let (bytes, _, _) = WINDOWS_1252.encode(&text);
        let (s, _, info) = read_all(&bytes, None);
        assert_eq!(info.encoding, "windows-1252");
        assert_eq!(s, text);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_open_without_panic_and_utf8_passes_through(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            text in "[a-z,;|\t\"\né ]{0,300}",
        ) {
            if let Ok((mut r, _, _)) = open(Box::new(Cursor::new(bytes)), "p.csv", None, None) {
                let mut out = Vec::new();
                let _ = r.read_to_end(&mut out);
            }
            let (s, _, info) = read_all(text.as_bytes(), None);
            proptest::prop_assert_eq!(s, text);
            proptest::prop_assert_eq!(info.encoding, "UTF-8");
        }
    }
}
