//! The `milia-rank` binary: parses arguments and maps errors to exit statuses.

use clap::Parser;
use milia_rank::cli::{self, Cli};
use milia_rank::error::EXIT_USAGE;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    std::panic::set_hook(Box::new(|info| {
        eprintln!("milia-rank: internal error: {info}");
    }));
    let code = match std::panic::catch_unwind(|| cli::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("milia-rank: error: {e}");
            e.exit_code()
        }
        Err(_) => 4,
    };
    std::process::exit(code);
}
