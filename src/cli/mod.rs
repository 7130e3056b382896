//! The command line: argument definitions and one module per subcommand.

pub mod concerns;
pub mod explain;
pub mod generate;
pub mod ingredients;
pub mod merge;
pub mod score;
pub mod score_rows;
pub mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::catalog::{CatalogOptions, Mapping};
use crate::error::{Error, Result};
use crate::knowledge::KnowledgeBase;
use crate::model::{builtin_concerns, Concern};

/// Scores a skincare catalog for milia-friendliness and publishes ranked
/// recommendations per skin concern.
#[derive(Debug, Parser)]
#[command(name = "milia-rank", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score a catalog and publish per-concern rankings into DIR.
    #[command(
        after_help = "Example:\n  milia-rank score shop-export.csv -o /srv/shop/rankings\n  gunzip -c export.csv.gz | milia-rank score - -o out\n  milia-rank score --sample -o out"
    )]
    Score(score::ScoreArgs),
    /// Score catalog rows from stdin and write them as JSON records (the
    /// map step of a run split across machines; see `merge`).
    #[command(
        after_help = "Example:\n  milia-rank score-rows < shard-01.csv > part-01.jsonl\n  zcat shard-02.csv.gz | milia-rank score-rows > part-02.jsonl\n  milia-rank score-rows --input jsonl < rows.jsonl > part.jsonl"
    )]
    ScoreRows(score_rows::ScoreRowsArgs),
    /// Rank score-rows' records of a catalog's parts and publish them as
    /// `score` publishes the whole catalog.
    #[command(
        after_help = "Example:\n  milia-rank merge parts/ -o /srv/shop/rankings\n  milia-rank merge part-1.jsonl part-2.jsonl --top 100 -o out"
    )]
    Merge(merge::MergeArgs),
    /// Report how much of a catalog's ingredient lists the knowledge base recognises.
    #[command(after_help = "Example:\n  milia-rank ingredients shop-export.csv --limit 20")]
    Ingredients(ingredients::IngredientsArgs),
    /// Check a catalog and print what would be rejected; writes nothing.
    #[command(after_help = "Example:\n  milia-rank validate shop-export.csv -d ';'")]
    Validate(validate::ValidateArgs),
    /// Show every factor behind one product's scores.
    #[command(after_help = "Example:\n  milia-rank explain MR-0001 --sample")]
    Explain(explain::ExplainArgs),
    /// Print the concern profiles and their weights.
    #[command(after_help = "Example:\n  milia-rank concerns --dump > profiles.toml")]
    Concerns(concerns::ConcernsArgs),
    /// Write a realistic generated catalog of any size.
    #[command(after_help = "Example:\n  milia-rank generate --rows 100000 --seed 7 -o big.csv")]
    Generate(generate::GenerateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  milia-rank completions bash > ~/.local/share/bash-completion/completions/milia-rank"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), for `man`.
    #[command(
        after_help = "Example:\n  milia-rank man > ~/.local/share/man/man1/milia-rank.1 && man milia-rank"
    )]
    Man(ManArgs),
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man` (none).
#[derive(Debug, Args)]
pub struct ManArgs {}

/// Options shared by every command that reads a catalog.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// Point a canonical field at a column of the catalog (repeatable, once
    /// per field); wins over the header synonyms of catalog/columns.toml.
    /// Fields: product_id, name, brand, category, texture, area, spf,
    /// claims, ingredients, price, handle.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub maps: Vec<Mapping>,
    /// Field delimiter: a single character, or `tab` (default: read from
    /// the header line among `,` `;` tab `|`).
    #[arg(short = 'd', long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Text encoding of the catalog, e.g. `utf-8`, `windows-1252`,
    /// `utf-16le`, `latin1` (default: from a byte-order mark, else UTF-8,
    /// else Windows-1252).
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Read the sample catalog built into the binary instead of CATALOG.
    #[arg(long)]
    pub sample: bool,
    /// Accept a catalog without this column: only `ingredients` (every
    /// product is then scored without its list, at low confidence).
    #[arg(long, value_name = "FIELD", value_parser = ["ingredients"])]
    pub allow_missing: Vec<String>,
    /// Ingredient knowledge base CSV replacing the built-in one.
    #[arg(long, value_name = "FILE")]
    pub knowledge: Option<PathBuf>,
}

impl CatalogArgs {
    /// The catalog reading options.
    pub fn options(&self) -> CatalogOptions {
        CatalogOptions {
            maps: self.maps.clone(),
            delimiter: self.delimiter,
            encoding: self.encoding,
            allow_missing_ingredients: self.allow_missing.iter().any(|f| f == "ingredients"),
        }
    }

    /// Where the catalog comes from: CATALOG (`-` is standard input) or --sample.
    pub fn source(
        &self,
        catalog: Option<&std::path::Path>,
    ) -> Result<crate::catalog::CatalogSource> {
        crate::catalog::source_of(catalog, self.sample)
    }

    /// The knowledge base to use.
    pub fn knowledge_base(&self) -> Result<KnowledgeBase> {
        match &self.knowledge {
            Some(p) => {
                let kb = KnowledgeBase::from_path(p)?;
                let missing = kb.missing_classes();
                if !missing.is_empty() {
                    crate::error::note(&format!(
                        "milia-rank: warning: {} has no ingredient of class {}; the rules \
                         that ask for them find nothing",
                        kb.origin,
                        missing
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Ok(kb)
            }
            None => Ok(KnowledgeBase::builtin()),
        }
    }
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}` is not a one-character delimiter (or `tab`)")),
    }
}

fn parse_encoding(s: &str) -> std::result::Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.trim().as_bytes()).ok_or_else(|| {
        format!(
            "`{s}` is not an encoding name; try utf-8, windows-1252, utf-16le, utf-16be or latin1"
        )
    })
}

/// The concerns to rank: the built-in profiles changed by a profiles file,
/// then narrowed to a `--concerns a,b` list (all when None).
pub fn select_concerns(list: Option<&str>, file: Option<&std::path::Path>) -> Result<Vec<Concern>> {
    let mut all = builtin_concerns();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        all = crate::model::profiles::apply(&text, &path.display().to_string(), all)?;
    }
    let Some(list) = list else { return Ok(all) };
    let mut out = Vec::new();
    for slug in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match all.iter().find(|c| c.slug == slug) {
            Some(c) if !out.iter().any(|o: &Concern| o.slug == slug) => out.push(c.clone()),
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "unknown concern `{slug}`; concerns are {}",
                    all.iter()
                        .map(|c| c.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Usage("--concerns names no concern".into()));
    }
    Ok(out)
}

/// Buffered standard output. Every write to it is checked: a closed pipe
/// becomes [`Error::ClosedPipe`] (a quiet exit 0), any other failure an
/// I/O error; call [`flush`] at the end.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Writes bytes to stdout and flushes them: exit 0.
fn write_stdout(bytes: &[u8]) -> Result<i32> {
    use std::io::Write;
    let mut w = stdout();
    w.write_all(bytes).map_err(Error::stdout)?;
    flush(w)?;
    Ok(crate::error::EXIT_OK)
}

/// Flushes a [`stdout`] writer.
pub fn flush(mut w: std::io::BufWriter<std::io::StdoutLock<'static>>) -> Result<()> {
    use std::io::Write;
    w.flush().map_err(Error::stdout)?;
    // Drop the buffer without a second, unchecked flush.
    let (_, _) = w.into_parts();
    Ok(())
}

/// A command-line error from clap as one line, without the `error: `
/// prefix: clap's message (its first paragraph, its lines joined), then
/// clap's usage line for the command concerned (`args` says which) and
/// where to read more. Usage text comes from clap alone, so it cannot
/// drift from the options.
pub fn usage_error(e: &clap::Error, args: &[String]) -> String {
    use clap::CommandFactory;
    if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        return format!(
            "no command given; the commands are {} (see `milia-rank --help`)",
            names.join(", ")
        );
    }
    let text = e.render().to_string();
    let mut message = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("Usage:") {
            break;
        }
        message.push(line.strip_prefix("error: ").unwrap_or(line));
    }
    let message = if message.is_empty() {
        "bad arguments".to_string()
    } else {
        message.join(" ")
    };
    let mut cli = Cli::command();
    cli.build();
    let sub = args
        .iter()
        .skip(1)
        .find_map(|a| cli.find_subcommand(a).map(|c| c.get_name().to_string()));
    let Some(sub) = sub else {
        return format!("{message} (see `milia-rank --help`)");
    };
    // The usage clap wrote into its message (it may name an option that
    // was given), else clap's usage of the command.
    let usage = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Usage: "))
        .map(|u| u.trim().to_string())
        .or_else(|| {
            cli.find_subcommand_mut(&sub).map(|c| {
                let u = c.render_usage().to_string();
                u.trim().trim_start_matches("Usage:").trim().to_string()
            })
        })
        .unwrap_or_default();
    format!("{message}; usage: {usage} (see `milia-rank {sub} --help`)")
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Score(a) => score::run(a),
        Command::ScoreRows(a) => score_rows::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Ingredients(a) => ingredients::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Concerns(a) => concerns::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Completions(a) => {
            let mut out = Vec::new();
            clap_complete::generate(
                a.shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "milia-rank",
                &mut out,
            );
            write_stdout(&out)
        }
        Command::Man(_) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(Error::stdout)?;
            write_stdout(&out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    fn error(args: &[&str]) -> String {
        let e = Cli::try_parse_from(args).expect_err("a usage error");
        assert!(e.use_stderr(), "{args:?}");
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        usage_error(&e, &args)
    }

    /// clap's own usage line of a subcommand.
    fn usage_of(name: &str) -> String {
        let mut cmd = Cli::command();
        cmd.build();
        let sub = cmd.find_subcommand_mut(name).expect("a subcommand");
        let usage = sub.render_usage().to_string();
        usage.trim().trim_start_matches("Usage:").trim().to_string()
    }

    #[test]
    fn usage_errors_are_one_line_with_clap_usage() {
        let e = error(&["milia-rank", "score", "--bogus"]);
        assert!(!e.contains('\n'), "{e}");
        assert!(
            e.starts_with("unexpected argument '--bogus' found; usage: "),
            "{e}"
        );
        assert!(e.contains(&usage_of("score")), "{e}");
        assert!(e.ends_with("(see `milia-rank score --help`)"), "{e}");
        // clap's message spans lines here: the missing argument is kept.
        let e = error(&["milia-rank", "explain"]);
        assert!(!e.contains('\n'), "{e}");
        assert!(
            e.starts_with("the following required arguments were not provided: <PRODUCT_ID>"),
            "{e}"
        );
        // The usage clap wrote for this error: the required arguments.
        assert!(
            e.contains("; usage: milia-rank explain <PRODUCT_ID> [CATALOG] (see `milia-rank explain --help`)"),
            "{e}"
        );
        let e = error(&["milia-rank", "generate", "--rows", "x", "-o", "f.csv"]);
        assert!(e.starts_with("invalid value 'x' for '--rows <N>'"), "{e}");
        assert!(
            e.contains(&format!(
                "; usage: {} (see `milia-rank generate --help`)",
                usage_of("generate")
            )),
            "{e}"
        );
        let e = error(&["milia-rank", "--bogus"]);
        assert!(e.starts_with("unexpected argument '--bogus' found"), "{e}");
        assert!(e.ends_with("(see `milia-rank --help`)"), "{e}");
    }

    #[test]
    fn no_command_names_the_commands() {
        assert_eq!(
            error(&["milia-rank"]),
            "no command given; the commands are score, score-rows, merge, ingredients, \
             validate, explain, concerns, generate, completions, man (see `milia-rank --help`)"
        );
    }
}
