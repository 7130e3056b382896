//! The `milia-rank` binary: parses arguments and maps errors to exit statuses.
//!
//! Nothing here may panic or abort on a closed or full stream: messages to
//! stderr are best effort, and a closed stdout (`| head`) ends the program
//! quietly with status 0.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use clap::Parser;
use milia_rank::cli::{self, Cli};
use milia_rank::error::{note, Error, EXIT_IO, EXIT_OK, EXIT_USAGE};

/// Where the last panic happened (file:line:column), for its one-line
/// message; set by the panic hook, read after the unwind.
static PANIC_AT: Mutex<Option<String>> = Mutex::new(None);

/// mimalloc: scoring allocates and frees many small strings on every
/// thread, where it is faster than the system allocator. An allocation
/// that fails (`ulimit -v`, a memory limit) ends the run with one error
/// line and exit status 3 instead of Rust's abort (status 134).
#[global_allocator]
static GLOBAL: OrOutOfMemory = OrOutOfMemory(mimalloc::MiMalloc);

/// An allocator that ends the run cleanly when the one inside fails.
struct OrOutOfMemory(mimalloc::MiMalloc);

// SAFETY: every call is passed to mimalloc unchanged; only a null result
// is acted on, and then the process ends.
unsafe impl GlobalAlloc for OrOutOfMemory {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc(layout);
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc_zeroed(layout);
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = self.0.realloc(ptr, layout, new_size);
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout)
    }
}

/// Set by the first thread that runs out of memory.
static OUT_OF_MEMORY: AtomicBool = AtomicBool::new(false);

/// Says so on one line, removes the run's staging folder and ends with
/// status 3, all without allocating: nothing can be allocated now.
fn out_of_memory(size: usize) -> ! {
    if OUT_OF_MEMORY.swap(true, Ordering::SeqCst) {
        // Another thread is ending the process.
        loop {
            // SAFETY: pause only waits for a signal.
            unsafe { libc::pause() };
        }
    }
    let mut line = [0u8; 256];
    let mut n = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            if n < line.len() {
                line[n] = b;
                n += 1;
            }
        }
    };
    let number = |v: usize, width: usize, put: &mut dyn FnMut(&[u8])| {
        let mut digits = [0u8; 20];
        let (mut d, mut v) = (0, v);
        loop {
            digits[d] = b'0' + (v % 10) as u8;
            d += 1;
            v /= 10;
            if v == 0 && d >= width {
                break;
            }
        }
        digits[..d].reverse();
        put(&digits[..d]);
    };
    // The time, as every log line not on a terminal starts (see
    // error::note), from the C library: nothing allocated.
    // SAFETY: isatty, time and gmtime_r read and fill values on the stack.
    unsafe {
        if libc::isatty(2) == 0 {
            let now = libc::time(std::ptr::null_mut());
            let mut tm: libc::tm = std::mem::zeroed();
            if !libc::gmtime_r(&now, &mut tm).is_null() {
                number((tm.tm_year + 1900) as usize, 4, &mut put);
                put(b"-");
                number((tm.tm_mon + 1) as usize, 2, &mut put);
                put(b"-");
                number(tm.tm_mday as usize, 2, &mut put);
                put(b"T");
                number(tm.tm_hour as usize, 2, &mut put);
                put(b":");
                number(tm.tm_min as usize, 2, &mut put);
                put(b":");
                number(tm.tm_sec as usize, 2, &mut put);
                put(b"Z ");
            }
        }
    }
    put(b"milia-rank: error: out of memory: an allocation of ");
    number(size, 1, &mut put);
    put(b" bytes failed (ulimit -v, or the container's memory limit?); the run stopped\n");
    // SAFETY: writes a buffer on the stack to stderr.
    unsafe { libc::write(2, line.as_ptr().cast(), n) };
    milia_rank::output::publish::remove_staging_now();
    // SAFETY: ends the process at once, running nothing that allocates.
    unsafe { libc::_exit(EXIT_IO) }
}

/// mimalloc commits its arenas eagerly by default, which holds some 20-30 MB
/// more resident memory than the run uses; committing on demand costs no
/// measurable time. The option must be set before the first allocation
/// reserves an arena, so it is set from the process's constructors, before
/// the Rust runtime starts.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static LAZY_COMMIT: extern "C" fn() = {
    /// `mi_option_arena_eager_commit` in mimalloc's `mi_option_e`.
    const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    extern "C" fn lazy_commit() {
        // SAFETY: runs once, single-threaded, before main.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
    }
    lazy_commit
};

fn main() {
    reserve_std_fds();
    // A file-size limit (ulimit -f) kills with SIGXFSZ, silently; ignored,
    // a write past the limit fails with EFBIG and the run says so.
    // SAFETY: sets a signal's disposition to ignore, before any thread.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            if e.use_stderr() {
                let args: Vec<String> = std::env::args_os()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect();
                note(&format!(
                    "milia-rank: error: {}",
                    cli::usage_error(&e, &args)
                ));
            } else if let Err(err) = print_help(&e) {
                if !matches!(err, Error::ClosedPipe) {
                    note(&format!("milia-rank: error: {err}"));
                    std::process::exit(err.exit_code());
                }
            }
            std::process::exit(code);
        }
    };
    // A panic prints nothing itself: it becomes Error::Internal, said on
    // one line below like every other error, with exit status 4.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut at) = PANIC_AT.lock() {
            *at = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        }
    }));
    let result = std::panic::catch_unwind(|| cli::run(cli)).unwrap_or_else(|payload| {
        let at = PANIC_AT.lock().ok().and_then(|mut at| at.take());
        Err(Error::from_panic(payload.as_ref(), at.as_deref()))
    });
    let code = match result {
        Ok(code) => code,
        Err(Error::ClosedPipe) => EXIT_OK,
        Err(e) => {
            note(&format!("milia-rank: error: {e}"));
            e.exit_code()
        }
    };
    std::process::exit(code);
}

/// `--help` and `--version` to stdout, reporting a failed write.
fn print_help(e: &clap::Error) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", e.render()).map_err(Error::stdout)?;
    out.flush().map_err(Error::stdout)
}

/// A program started with stdin, stdout or stderr closed (`2>&-`) would
/// hand that number to the next file it opens, and its messages would land
/// in an output file. Point any closed one at /dev/null first.
fn reserve_std_fds() {
    for fd in 0..3 {
        // SAFETY: fcntl(F_GETFD) only queries the descriptor.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1;
        if closed {
            let flags = if fd == 0 {
                libc::O_RDONLY
            } else {
                libc::O_WRONLY
            };
            // SAFETY: a constant NUL-terminated path; open returns the lowest
            // free descriptor, which is `fd`.
            unsafe { libc::open(c"/dev/null".as_ptr(), flags) };
        }
    }
}
