//! Errors and the exit statuses they map to.

use std::path::Path;

/// Exit status for success.
pub const EXIT_OK: i32 = 0;
/// Exit status for a data failure: a catalog that cannot be used, too many rejects.
pub const EXIT_DATA: i32 = 1;
/// Exit status for a usage error: bad arguments or options.
pub const EXIT_USAGE: i32 = 2;
/// Exit status for an input/output failure: a file that cannot be read or written.
pub const EXIT_IO: i32 = 3;
/// Exit status for an internal error (a bug).
pub const EXIT_INTERNAL: i32 = 4;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments.
    #[error("{}", printable(.0))]
    Usage(String),
    /// A file that cannot be read or written: the system's error, said in
    /// plain words ([`describe`]) and kept as the cause.
    #[error("{}: {}", printable(.path), printable(&describe(.source)))]
    Io {
        /// The file or directory.
        path: String,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file or directory that cannot be used as asked, in milia-rank's
    /// words (a directory given as a catalog, too little free space),
    /// with the system's error behind it when there is one. Exit status
    /// as [`Error::Io`].
    #[error("{}: {}", printable(.path), printable(.message))]
    Unusable {
        /// The file or directory.
        path: String,
        /// What is wrong and what to do, one line.
        message: String,
        /// The system's error, if one is behind the message.
        #[source]
        source: Option<std::io::Error>,
    },
    /// Bad data, located in a file.
    #[error("{}", format_data(.file, *.line, .column.as_deref(), .message))]
    Data {
        /// The file.
        file: String,
        /// 1-based line; 0 when the whole file is concerned.
        line: u64,
        /// The column, where one is concerned.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The run was refused because of its results (e.g. too many rejects)
    /// or because another run holds the output directory.
    #[error("{}", printable(.0))]
    Refused(String),
    /// A bug: something that cannot happen did (a panic included). Exit
    /// status 4.
    #[error("internal error: {}", printable(.0))]
    Internal(String),
    /// The machine's limits stop the run: no thread can be started (a
    /// process or thread limit), no memory. Exit status as [`Error::Io`].
    #[error("{}", printable(.0))]
    Resources(String),
    /// The reader of stdout went away (`| head`): the program ends quietly.
    #[error("stdout closed")]
    ClosedPipe,
}

/// Text with control characters (NUL bytes of a misread UTF-16 file, a
/// terminal escape in a header) written as escapes, so that an error stays
/// one readable line.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn format_data(file: &str, line: u64, column: Option<&str>, message: &str) -> String {
    let s = format_data_raw(file, line, column, message);
    printable(&s).into_owned()
}

fn format_data_raw(file: &str, line: u64, column: Option<&str>, message: &str) -> String {
    let mut s = file.to_string();
    if line > 0 {
        s.push_str(&format!(": line {line}"));
    }
    if let Some(c) = column {
        s.push_str(&format!(", column `{c}`"));
    }
    s.push_str(": ");
    s.push_str(message);
    s
}

impl Error {
    /// An I/O error on a path.
    pub fn io(path: &Path, e: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            source: e,
        }
    }

    /// A file or directory that cannot be used, for a reason said in
    /// `message`; `source` is the system's error behind it, if any.
    pub fn unusable(
        path: &Path,
        message: impl Into<String>,
        source: Option<std::io::Error>,
    ) -> Error {
        Error::Unusable {
            path: path.display().to_string(),
            message: message.into(),
            source,
        }
    }

    /// A panic turned into an error: its message and, when known, where
    /// in the source it happened, as one line.
    pub fn from_panic(payload: &(dyn std::any::Any + Send), location: Option<&str>) -> Error {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        let what = what.split_whitespace().collect::<Vec<_>>().join(" ");
        Error::Internal(match location {
            Some(at) => format!("{what} (at {at})"),
            None => what,
        })
    }

    /// A failed write to stdout: a closed pipe ends the program quietly,
    /// anything else (a full disk behind a redirect) is an I/O error.
    pub fn stdout(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::ClosedPipe
        } else {
            Error::Io {
                path: "stdout".into(),
                source: e,
            }
        }
    }

    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Io { .. } | Error::Unusable { .. } | Error::Resources(_) => EXIT_IO,
            Error::Data { .. } | Error::Refused(_) => EXIT_DATA,
            Error::Internal(_) => EXIT_INTERNAL,
            Error::ClosedPipe => EXIT_OK,
        }
    }
}

/// An I/O error in plain words, without the OS's error number.
pub fn describe(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.raw_os_error() {
        Some(libc::EFBIG) => return "file too large (ulimit -f?)".into(),
        Some(libc::ENOMEM) => return "out of memory".into(),
        Some(libc::EMFILE) => return "too many open files (ulimit -n?)".into(),
        Some(libc::EAGAIN) => return "resource temporarily unavailable".into(),
        _ => {}
    }
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::ReadOnlyFilesystem => "read-only file system".into(),
        K::StorageFull => "no space left on device".into(),
        K::QuotaExceeded => "disk quota exceeded".into(),
        K::AlreadyExists => "already exists".into(),
        K::InvalidFilename => "file name too long or invalid".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// The most bytes of one log or error line: values from the catalog
/// (a header of thousands of columns, a damaged file's bytes) are cut so
/// that a line stays a line a cron mail can show.
pub const MAX_LINE: usize = 1000;

/// Text cut to at most `max` bytes (at a character boundary), saying how
/// much was left out.
pub fn bounded(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} more bytes)", &s[..cut], s.len() - cut))
}

/// Writes one line to stderr, ignoring failure: a closed or full stderr
/// must never stop a run. Control bytes are shown escaped (an id holding a
/// newline cannot forge a line of its own) and the line is bounded.
///
/// When stderr is not a terminal (cron's mail, a log file), each line
/// starts with the time in RFC 3339, UTC, so that two nights in one log
/// can be told apart.
pub fn note(line: &str) {
    use std::io::{IsTerminal, Write};
    static STAMPED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let stamped = *STAMPED.get_or_init(|| !std::io::stderr().is_terminal());
    let line = printable(line);
    let line = bounded(&line, MAX_LINE);
    let mut err = std::io::stderr().lock();
    if stamped {
        let now = time::OffsetDateTime::now_utc();
        let _ = write!(
            err,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z ",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second()
        );
    }
    let _ = err.write_all(line.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// Result with the crate's error.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_print_control_bytes() {
        let e = Error::Data {
            file: "a\u{1b}[2J.csv".into(),
            line: 1,
            column: Some("p\0r\0o".into()),
            message: "bad\r\nthing\u{85}".into(),
        };
        let text = e.to_string();
        assert!(!text.chars().any(char::is_control), "{text}");
        assert_eq!(
            text,
            "a\\x1B[2J.csv: line 1, column `p\\x00r\\x00o`: bad\\r\\nthing\\x85"
        );
        let e = Error::Unusable {
            path: "x".into(),
            message: "\0".into(),
            source: None,
        };
        assert_eq!(e.to_string(), "x: \\x00");
    }

    #[test]
    fn an_io_error_keeps_its_cause_and_says_it_in_plain_words() {
        use std::error::Error as _;
        let e = Error::io(
            Path::new("c.csv"),
            std::io::Error::from_raw_os_error(libc::EACCES),
        );
        assert_eq!(e.to_string(), "c.csv: permission denied");
        let cause = e.source().expect("a cause");
        let io = cause
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
        assert_eq!(e.exit_code(), EXIT_IO);
        let e = Error::unusable(
            Path::new("out"),
            "cannot create the output directory: read-only file system",
            Some(std::io::Error::from_raw_os_error(libc::EROFS)),
        );
        assert_eq!(
            e.to_string(),
            "out: cannot create the output directory: read-only file system"
        );
        assert!(e.source().is_some());
        assert_eq!(e.exit_code(), EXIT_IO);
        for (errno, words) in [
            (libc::EFBIG, "file too large (ulimit -f?)"),
            (libc::ENOSPC, "no space left on device"),
            (libc::EDQUOT, "disk quota exceeded"),
            (libc::ENOMEM, "out of memory"),
        ] {
            let e = Error::io(Path::new("a.csv"), std::io::Error::from_raw_os_error(errno));
            assert_eq!(e.to_string(), format!("a.csv: {words}"));
            assert_eq!(e.exit_code(), EXIT_IO);
        }
        assert_eq!(Error::Resources("x".into()).exit_code(), EXIT_IO);
    }

    #[test]
    fn a_panic_is_an_internal_error_on_one_line_with_status_4() {
        let payload: Box<dyn std::any::Any + Send> =
            Box::new(String::from("index 9\nout of range"));
        let e = Error::from_panic(payload.as_ref(), Some("src/rank.rs:10:5"));
        assert!(matches!(e, Error::Internal(_)));
        assert_eq!(
            e.to_string(),
            "internal error: index 9 out of range (at src/rank.rs:10:5)"
        );
        assert_eq!(e.exit_code(), EXIT_INTERNAL);
        let payload: Box<dyn std::any::Any + Send> = Box::new("boom");
        assert_eq!(
            Error::from_panic(payload.as_ref(), None).to_string(),
            "internal error: boom"
        );
    }
}
