//! Reading catalogs: the canonical fields, the column mapping, and row checks.
//!
//! Header names are matched ignoring case, spaces and punctuation, in any
//! order, against each field's synonyms in `catalog/columns.toml`; extra
//! columns are ignored. `--map FIELD=COLUMN` points a field at a column of
//! another export and wins over the synonyms.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub mod guard;
pub mod html;
pub mod input;

/// The sample catalog shipped with the binary.
pub const SAMPLE_CATALOG: &[u8] = include_bytes!("../../catalog/sample-catalog.csv");

/// A canonical catalog field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    ProductId,
    Name,
    Brand,
    Category,
    Texture,
    Area,
    Spf,
    Claims,
    Ingredients,
    Price,
    Handle,
    Description,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 12] = [
        Field::ProductId,
        Field::Name,
        Field::Brand,
        Field::Category,
        Field::Texture,
        Field::Area,
        Field::Spf,
        Field::Claims,
        Field::Ingredients,
        Field::Price,
        Field::Handle,
        Field::Description,
    ];

    /// The field's canonical column name.
    pub fn key(self) -> &'static str {
        match self {
            Field::ProductId => "product_id",
            Field::Name => "name",
            Field::Brand => "brand",
            Field::Category => "category",
            Field::Texture => "texture",
            Field::Area => "area",
            Field::Spf => "spf",
            Field::Claims => "claims",
            Field::Ingredients => "ingredients",
            Field::Price => "price",
            Field::Handle => "handle",
            Field::Description => "description",
        }
    }

    /// Whether a catalog must have it.
    pub fn required(self) -> bool {
        matches!(self, Field::ProductId | Field::Name)
    }

    /// Parses a field name.
    pub fn parse(s: &str) -> Option<Field> {
        let s = s.trim().to_ascii_lowercase();
        Field::ALL.iter().copied().find(|f| f.key() == s)
    }
}

/// A `--map FIELD=COLUMN` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub field: Field,
    pub column: String,
}

impl std::str::FromStr for Mapping {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (f, c) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not FIELD=COLUMN"))?;
        let field = Field::parse(f).ok_or_else(|| {
            format!(
                "unknown field `{}`; fields are {}",
                f.trim(),
                Field::ALL
                    .iter()
                    .map(|f| f.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if c.trim().is_empty() {
            return Err(format!("`{s}` names no column"));
        }
        Ok(Mapping {
            field,
            column: c.trim().to_string(),
        })
    }
}

/// Where a catalog comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogSource {
    /// The sample catalog embedded in the binary.
    Sample,
    /// A file.
    File(PathBuf),
    /// Standard input (`-` on the command line).
    Stdin,
    /// Bytes in memory (tests, fuzzing), with a name for messages.
    Memory(String, std::sync::Arc<[u8]>),
}

impl CatalogSource {
    /// The name used in messages.
    pub fn display(&self) -> String {
        match self {
            CatalogSource::Sample => "catalog/sample-catalog.csv (built in)".to_string(),
            CatalogSource::File(p) => p.display().to_string(),
            CatalogSource::Stdin => "<stdin>".to_string(),
            CatalogSource::Memory(name, _) => name.clone(),
        }
    }
}

/// How to read a catalog.
#[derive(Clone, Debug, Default)]
pub struct CatalogOptions {
    pub maps: Vec<Mapping>,
    /// The field delimiter; None reads it from the header line.
    pub delimiter: Option<u8>,
    /// The text encoding; None detects it.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Accept a catalog with no ingredients column (every product then
    /// scores as having no list, low confidence).
    pub allow_missing_ingredients: bool,
}

/// The header synonyms of every field (`catalog/columns.toml`).
const COLUMN_NAMES: &str = include_str!("../../catalog/columns.toml");

/// A header name reduced for matching: lower case, letters and digits only.
pub fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Each field's header synonyms, most preferred first, as match keys.
fn synonyms() -> &'static [Vec<String>; Field::ALL.len()] {
    static SYN: std::sync::OnceLock<[Vec<String>; Field::ALL.len()]> = std::sync::OnceLock::new();
    SYN.get_or_init(|| {
        let table: std::collections::HashMap<String, Vec<String>> =
            toml::from_str(COLUMN_NAMES).expect("catalog/columns.toml is valid");
        Field::ALL.map(|f| {
            table
                .get(f.key())
                .map(|names| names.iter().map(|n| header_key(n)).collect())
                .unwrap_or_else(|| vec![header_key(f.key())])
        })
    })
}

/// How a field found its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// `--map FIELD=COLUMN`.
    Map,
    /// The header is the field's canonical name.
    Header,
    /// The header is one of the field's synonyms in `catalog/columns.toml`.
    Synonym,
}

/// Which column fed a field, for the log and summary.json.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnUse {
    #[serde(deserialize_with = "crate::output::rows::static_str")]
    pub field: crate::output::rows::Word,
    pub column: String,
    pub matched_by: MatchedBy,
}

/// Which column holds each field (carried whole in `score-rows`' closing
/// record, so that `merge` names columns as `score` does).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Columns {
    index: [Option<usize>; Field::ALL.len()],
    matched: [Option<MatchedBy>; Field::ALL.len()],
    /// Where the product_id column is also the handle column (a Shopify
    /// export keyed by `Handle`), the next product_id column the header has
    /// (`Variant SKU`): it identifies a product row whose handle is empty.
    id_fallback: Option<usize>,
    /// Where the category column was found by a synonym, the next category
    /// column the header has (a Shopify export's `Type` after its
    /// `Product Category`): it gives the category where the first is blank.
    category_fallback: Option<usize>,
    /// No ingredients column (and no --allow-missing ingredients): the
    /// description column is the one source, and a catalog where no
    /// description has a labelled list fails as one without ingredients.
    lists_only_in_description: bool,
    /// The header as found.
    pub headers: Vec<String>,
    /// The field delimiter of the catalog.
    pub delimiter: u8,
}

impl Columns {
    /// Resolves the fields against a header row: `--map` first, then the
    /// field's synonyms in order of preference.
    pub fn resolve(headers: &[String], opts: &CatalogOptions, file: &str) -> Result<Columns> {
        let maps = &opts.maps;
        for (i, m) in maps.iter().enumerate() {
            if let Some(other) = maps[..i].iter().find(|o| o.field == m.field) {
                return Err(Error::Usage(format!(
                    "--map {f}={a} and --map {f}={b}: map each field once",
                    f = m.field.key(),
                    a = other.column,
                    b = m.column
                )));
            }
        }
        let clean = |s: &str| s.trim().trim_start_matches('\u{feff}').trim().to_string();
        let keys: Vec<String> = headers.iter().map(|h| header_key(&clean(h))).collect();
        let mut index = [None; Field::ALL.len()];
        let mut matched = [None; Field::ALL.len()];
        for f in Field::ALL {
            let syn = &synonyms()[f as usize];
            if let Some((rank, i)) = syn.iter().enumerate().find_map(|(r, k)| {
                keys.iter()
                    .position(|h| !h.is_empty() && h == k)
                    .map(|i| (r, i))
            }) {
                index[f as usize] = Some(i);
                matched[f as usize] = Some(if rank == 0 && keys[i] == header_key(f.key()) {
                    MatchedBy::Header
                } else {
                    MatchedBy::Synonym
                });
            }
        }
        for m in maps {
            // `#N`: the N-th column, whatever its name (for a header that
            // names two columns alike).
            let by_position = m
                .column
                .strip_prefix('#')
                .and_then(|n| n.trim().parse::<usize>().ok())
                .filter(|n| (1..=headers.len()).contains(n))
                .map(|n| n - 1);
            if let Some(i) = by_position {
                index[m.field as usize] = Some(i);
                matched[m.field as usize] = Some(MatchedBy::Map);
                continue;
            }
            let exact = headers
                .iter()
                .position(|h| clean(h).to_lowercase() == m.column.to_lowercase());
            let loose = || {
                let k = header_key(&m.column);
                keys.iter().position(|h| !k.is_empty() && *h == k)
            };
            match exact.or_else(loose) {
                Some(i) => {
                    index[m.field as usize] = Some(i);
                    matched[m.field as usize] = Some(MatchedBy::Map);
                }
                None => {
                    return Err(Error::Data {
                        file: file.to_string(),
                        line: 1,
                        column: Some(m.column.clone()),
                        message: format!(
                            "--map {}={}: no such column; the columns are {}",
                            m.field.key(),
                            m.column,
                            list_columns(headers)
                        ),
                    })
                }
            }
        }
        // A column read by name must be the only one of that name: two
        // `ingredients` columns leave it to chance which list is scored.
        for f in Field::ALL {
            let Some(i) = index[f as usize] else {
                continue;
            };
            let by_position = maps
                .iter()
                .any(|m| m.field == f && m.column.starts_with('#'));
            if by_position || keys[i].is_empty() {
                continue;
            }
            if let Some(j) = (0..keys.len()).find(|&j| j != i && keys[j] == keys[i]) {
                let (a, b) = (i.min(j) + 1, i.max(j) + 1);
                return Err(Error::Data {
                    file: file.to_string(),
                    line: 1,
                    column: Some(crate::error::bounded(clean(&headers[i]).as_str(), 60).into_owned()),
                    message: format!(
                        "columns {a} and {b} have the same name, and {} is read from it; say which to read with --map {}=#{a} or --map {}=#{b}",
                        f.key(),
                        f.key(),
                        f.key()
                    ),
                });
            }
        }
        for f in Field::ALL.iter().filter(|f| f.required()) {
            if index[*f as usize].is_none() {
                return Err(Error::Data {
                    file: file.to_string(),
                    line: 1,
                    column: Some(f.key().to_string()),
                    message: format!(
                        "missing required column `{}`; the columns are {}; point it at one with --map {}=COLUMN",
                        f.key(),
                        list_columns(headers),
                        f.key()
                    ),
                });
            }
        }
        let no_ingredients =
            index[Field::Ingredients as usize].is_none() && !opts.allow_missing_ingredients;
        if no_ingredients && index[Field::Description as usize].is_none() {
            return Err(no_ingredients_error(file, headers, None));
        }
        let id = index[Field::ProductId as usize];
        let id_fallback = match id {
            Some(i) if index[Field::Handle as usize] == Some(i) => synonyms()
                [Field::ProductId as usize]
                .iter()
                .filter_map(|k| keys.iter().position(|h| h == k))
                .find(|&j| j != i),
            _ => None,
        };
        let category_fallback = match index[Field::Category as usize] {
            Some(i) if matched[Field::Category as usize] != Some(MatchedBy::Map) => synonyms()
                [Field::Category as usize]
                .iter()
                .filter_map(|k| keys.iter().position(|h| h == k))
                .find(|&j| j != i),
            _ => None,
        };
        Ok(Columns {
            index,
            matched,
            id_fallback,
            category_fallback,
            lists_only_in_description: no_ingredients,
            headers: headers.to_vec(),
            delimiter: opts.delimiter.unwrap_or(b','),
        })
    }

    /// After reading every row: an error when the ingredient lists could
    /// only come from the description and none had a labelled list.
    pub fn check_lists_found(&self, file: &str, from_description: u64) -> Result<()> {
        if self.lists_only_in_description && from_description == 0 {
            return Err(no_ingredients_error(
                file,
                &self.headers,
                self.header_of(Field::Description),
            ));
        }
        Ok(())
    }

    /// The column index of a field, if mapped.
    pub fn get(&self, f: Field) -> Option<usize> {
        self.index[f as usize]
    }

    /// The header name of a field's column.
    pub fn header_of(&self, f: Field) -> Option<&str> {
        self.get(f).map(|i| self.headers[i].as_str())
    }

    /// Which column fed each field found, in field order.
    pub fn uses(&self) -> Vec<ColumnUse> {
        Field::ALL
            .iter()
            .filter_map(|f| {
                Some(ColumnUse {
                    field: f.key(),
                    column: self.header_of(*f)?.trim().to_string(),
                    matched_by: self.matched[*f as usize]?,
                })
            })
            .collect()
    }

    /// One line for the log: `product_id <- `Handle`, ...; not found: ...`.
    pub fn describe(&self) -> String {
        let found: Vec<String> = self
            .uses()
            .iter()
            .map(|u| {
                let how = match u.matched_by {
                    MatchedBy::Map => " (--map)",
                    MatchedBy::Header => "",
                    MatchedBy::Synonym => " (synonym)",
                };
                format!("{} <- `{}`{how}", u.field, u.column)
            })
            .collect();
        let missing: Vec<&str> = Field::ALL
            .iter()
            .filter(|f| self.get(**f).is_none())
            .map(|f| f.key())
            .collect();
        let mut s = format!("columns: {}", found.join(", "));
        if let Some(j) = self.id_fallback {
            s.push_str(&format!(
                "; product_id <- `{}` where `{}` is empty",
                self.headers[j].trim(),
                self.header_of(Field::ProductId).unwrap_or_default().trim()
            ));
        }
        if let Some(j) = self.category_fallback {
            s.push_str(&format!(
                "; category <- `{}` where `{}` is empty",
                self.headers[j].trim(),
                self.header_of(Field::Category).unwrap_or_default().trim()
            ));
        }
        if let Some(d) = self.header_of(Field::Description) {
            let d = d.trim();
            match self.header_of(Field::Ingredients) {
                Some(_) => s.push_str(&format!(
                    "; ingredients <- the labelled section of `{d}` where the ingredients cell is empty"
                )),
                None => s.push_str(&format!(
                    "; ingredients <- the labelled section of `{d}` (no ingredients column)"
                )),
            }
        }
        if !missing.is_empty() {
            s.push_str(&format!("; not found: {}", missing.join(", ")));
        }
        s
    }
}

/// The error of a catalog without ingredient lists.
fn no_ingredients_error(file: &str, headers: &[String], description: Option<&str>) -> Error {
    let mut message = format!(
        "no ingredients column; the columns are {}; point it at one with --map ingredients=COLUMN, or give --allow-missing ingredients to score every product without its list (low confidence)",
        list_columns(headers)
    );
    if let Some(d) = description {
        message.push_str(&format!(
            "; no `{}` has a labelled ingredient list (\"Ingredients: ...\") either",
            d.trim()
        ));
    }
    Error::Data {
        file: file.to_string(),
        line: 1,
        column: Some("ingredients".into()),
        message,
    }
}

/// The header's columns for a message: the first 30, each cut to 60
/// bytes, and how many more there are.
fn list_columns(headers: &[String]) -> String {
    const SHOWN: usize = 30;
    let mut s = headers
        .iter()
        .take(SHOWN)
        .map(|h| {
            let h = h.trim().trim_start_matches('\u{feff}');
            format!("`{}`", crate::error::bounded(h, 60))
        })
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > SHOWN {
        s.push_str(&format!(" and {} more", headers.len() - SHOWN));
    }
    s
}

/// A catalog opened for streaming.
pub struct CatalogReader {
    reader: csv::Reader<Box<dyn Read + Send>>,
    /// How the input ended, once it has (see [`guard::Guard`]).
    end: std::sync::Arc<std::sync::Mutex<Option<guard::End>>>,
    /// The catalog file as opened (none for standard input and memory).
    watch: Option<guard::Watch>,
    /// Which column holds each field.
    pub columns: Columns,
    /// The catalog's name in messages.
    pub name: String,
    /// What reading found out (columns used, delimiter, encoding), for the log.
    pub notes: Vec<String>,
    /// The field delimiter used.
    pub delimiter: u8,
    /// How the bytes were read (compression, encoding, delimiter).
    pub input: input::InputInfo,
}

impl CatalogReader {
    /// Opens a catalog and resolves its columns.
    pub fn open(source: &CatalogSource, opts: &CatalogOptions) -> Result<CatalogReader> {
        let name = source.display();
        let mut watch = None;
        let input: Box<dyn Read + Send> = match source {
            CatalogSource::Sample => Box::new(SAMPLE_CATALOG),
            CatalogSource::Memory(_, bytes) => Box::new(std::io::Cursor::new(bytes.clone())),
            CatalogSource::Stdin => {
                use std::io::IsTerminal;
                if std::io::stdin().is_terminal() {
                    return Err(Error::Usage(
                        "`-` reads the catalog from standard input, but that is a terminal; pipe a file in (`milia-rank score - < catalog.csv`) or name it".into(),
                    ));
                }
                Box::new(std::io::stdin())
            }
            CatalogSource::File(p) => {
                if p.is_dir() {
                    return Err(Error::Unusable {
                        path: name,
                        message: "is a directory, not a catalog file".into(),
                        source: None,
                    });
                }
                let file = File::open(p).map_err(|e| Error::io(p, e))?;
                let regular = file.metadata().map(|m| m.is_file()).unwrap_or(false);
                if regular {
                    let (w, counted) = guard::Watch::new(p, file).map_err(|e| Error::io(p, e))?;
                    watch = Some(w);
                    Box::new(counted)
                } else {
                    // A pipe (`<(zcat export.gz)`) or a device has no size
                    // to check: read as standard input is.
                    Box::new(file)
                }
            }
        };
        let (input, delimiter, info) = input::open(input, &name, opts.encoding, opts.delimiter)?;
        let (input, end) = guard::Guard::new(input, delimiter);
        let input: Box<dyn Read + Send> = Box::new(input);
        // Records end at '\n' only, so that a CRLF file counts lines as an LF
        // file does (the '\r' left at the end of a record is dropped when
        // fields are read).
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .has_headers(true)
            .buffer_capacity(1 << 16)
            .from_reader(input);
        let header = match reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(read_error(&name, e, 1, &[])),
        };
        if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
            return Err(Error::Data {
                file: name,
                line: 1,
                column: None,
                message: "the catalog is empty: no header row".into(),
            });
        }
        let headers: Vec<String> = header
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect();
        let mut columns = Columns::resolve(&headers, opts, &name)?;
        columns.delimiter = delimiter;
        let notes = vec![info.describe(), columns.describe()];
        Ok(CatalogReader {
            reader,
            end,
            watch,
            columns,
            name,
            notes,
            delimiter,
            input: info,
        })
    }

    /// Reads the next record into `rec`; false at the end, once the input
    /// is known to be whole (see [`CatalogReader::check_end`]).
    pub fn read(&mut self, rec: &mut ByteRecord) -> Result<bool> {
        let line = self.reader.position().line();
        match self.reader.read_byte_record(rec) {
            Ok(true) => Ok(true),
            Ok(false) => self.check_end().map(|()| false),
            Err(e) => Err(read_error(&self.name, e, line, &self.columns.headers)),
        }
    }

    /// At the end of the input: an error when it ended inside a quoted
    /// field, in the middle of a record, or when the file changed while it
    /// was read. A catalog cut short is never scored as if it were whole.
    fn check_end(&self) -> Result<()> {
        let end = self
            .end
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_default();
        let cut = |line: u64, message: String| Error::Data {
            file: self.name.clone(),
            line,
            column: None,
            message,
        };
        if let Some((line, field)) = end.open_quote {
            let mut e = cut(
                line,
                "a quote opened on this line is never closed: the file ends inside it; the catalog was cut short, or a `\"` in a cell is not doubled (`\"\"`); nothing was published".into(),
            );
            if let Error::Data { column, .. } = &mut e {
                *column = self
                    .columns
                    .headers
                    .get(field as usize)
                    .map(|h| h.trim().to_string());
            }
            return Err(e);
        }
        let width = self.width() as u64;
        if let Some((line, fields)) = end.unterminated {
            if fields < width {
                return Err(cut(
                    line,
                    format!(
                        "the last row has {fields} of the header's {width} fields and no line end: the catalog was cut short (a transfer that broke, an export still being written); nothing was published"
                    ),
                ));
            }
        }
        if let Some(w) = &self.watch {
            let whole = self.input.compression.is_none();
            if let Some(why) = w.changed(whole) {
                return Err(cut(
                    0,
                    format!("{why}; a catalog that is not read whole is not published: run again once the export is complete"),
                ));
            }
        }
        Ok(())
    }

    /// Number of header fields.
    pub fn width(&self) -> usize {
        self.columns.headers.len()
    }

    /// The line the next record would start on (past the end: the line
    /// after the last one read).
    pub fn line(&self) -> u64 {
        self.reader.position().line()
    }
}

/// A reading error: a problem the guard found (at its own line and
/// column), or the CSV reader's.
fn read_error(file: &str, e: csv::Error, line: u64, headers: &[String]) -> Error {
    if let csv::ErrorKind::Io(io) = e.kind() {
        if let Some(g) = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<guard::GuardError>())
        {
            return Error::Data {
                file: file.to_string(),
                line: g.line,
                column: g
                    .field
                    .and_then(|i| headers.get(i as usize))
                    .map(|h| h.trim().to_string()),
                message: g.message.clone(),
            };
        }
    }
    csv_error_at(file, e, line)
}

/// A CSV reading error; `line` is where reading was when the error has
/// no position of its own (a read failure inside a compressed file).
fn csv_error_at(file: &str, e: csv::Error, line: u64) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(line);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Unusable {
            path: file.to_string(),
            message: format!("line {line}: {}", crate::error::describe(&io)),
            source: Some(io),
        },
        other => Error::Data {
            file: file.to_string(),
            line,
            column: None,
            message: format!("{other:?}"),
        },
    }
}

/// A record's field for a canonical field: text with invalid UTF-8 replaced.
pub fn field<'a>(rec: &'a ByteRecord, columns: &Columns, f: Field) -> Cow<'a, str> {
    let cell = |i: Option<usize>| match i.and_then(|i| rec.get(i)) {
        // Valid UTF-8 (nearly every cell) is checked by the faster
        // validator and borrowed; only a broken cell is repaired.
        Some(b) => {
            let b = strip_cr(b);
            std::str::from_utf8(b).map_or_else(|_| String::from_utf8_lossy(b), Cow::Borrowed)
        }
        None => Cow::Borrowed(""),
    };
    let v = cell(columns.get(f));
    if !v.trim().is_empty() {
        return v;
    }
    match f {
        Field::ProductId => columns.id_fallback.map_or(v, |j| cell(Some(j))),
        Field::Category => columns.category_fallback.map_or(v, |j| cell(Some(j))),
        _ => v,
    }
}

/// A field without the '\r' of a CRLF line end.
fn strip_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// A row's descriptive fields as text, the one way a record becomes a
/// model input (for `score`, `explain` and the fuzz targets alike).
#[derive(Clone, Debug)]
pub struct RowText<'a> {
    pub name: Cow<'a, str>,
    pub category: Cow<'a, str>,
    pub texture: Cow<'a, str>,
    pub area: Cow<'a, str>,
    pub claims: Cow<'a, str>,
    pub ingredients: Cow<'a, str>,
    /// The SPF column, parsed; None where empty or not a number.
    pub spf: Option<f64>,
    /// Whether the ingredient list came from the description.
    pub from_description: bool,
}

/// A record's ingredient list: the ingredients column, or where that is
/// missing or empty, the labelled section of the description; true when
/// it came from the description.
pub fn ingredients_of<'a>(rec: &'a ByteRecord, columns: &Columns) -> (Cow<'a, str>, bool) {
    let list = field(rec, columns, Field::Ingredients);
    if list.trim().is_empty() && columns.get(Field::Description).is_some() {
        if let Some(found) = html::ingredients_section(&field(rec, columns, Field::Description)) {
            return (Cow::Owned(found), true);
        }
    }
    (list, false)
}

impl<'a> RowText<'a> {
    /// Reads the fields of a record.
    pub fn from_record(rec: &'a ByteRecord, columns: &Columns) -> RowText<'a> {
        let get = |f: Field| field(rec, columns, f);
        let spf_text = get(Field::Spf);
        let mut claims = get(Field::Claims);
        // A PA rating in the SPF column ("SPF 50+ PA++++") is a UVA claim.
        if let Some(n) = crate::model::product::pa_rating(&spf_text) {
            claims = Cow::Owned(format!("{claims};PA{}", "+".repeat(n)));
        }
        let (ingredients, from_description) = ingredients_of(rec, columns);
        RowText {
            from_description,
            name: get(Field::Name),
            category: get(Field::Category),
            texture: get(Field::Texture),
            area: get(Field::Area),
            claims,
            ingredients,
            spf: crate::model::product::parse_spf_column(&spf_text).unwrap_or(None),
        }
    }

    /// The model's input, borrowing these fields.
    pub fn input(&self) -> crate::model::ProductInput<'_> {
        crate::model::ProductInput {
            described: crate::model::Described {
                name: self.name.trim(),
                category: &self.category,
                texture: &self.texture,
                area: &self.area,
                spf: self.spf,
            },
            claims: &self.claims,
            ingredients: &self.ingredients,
        }
    }
}

/// Columns of a record that hold invalid UTF-8.
pub fn invalid_utf8_columns(rec: &ByteRecord, columns: &Columns) -> Vec<String> {
    Field::ALL
        .iter()
        .filter_map(|f| {
            let i = columns.get(*f)?;
            let b = rec.get(i)?;
            std::str::from_utf8(b)
                .is_err()
                .then(|| columns.headers[i].clone())
        })
        .collect()
}

/// Why a row cannot be scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// The column concerned, if one is.
    pub column: Option<String>,
    /// A reason a merchandiser understands.
    pub reason: String,
}

/// Checks a row's shape and required fields.
pub fn check_row(rec: &ByteRecord, columns: &Columns) -> std::result::Result<(), RowProblem> {
    let width = columns.headers.len();
    if rec.len() != width {
        return Err(RowProblem {
            column: None,
            reason: format!(
                "the row has {} fields but the header has {width}; check for an unquoted delimiter or a missing field",
                rec.len()
            ),
        });
    }
    if let Some(at) = memchr::memchr(0, rec.as_slice()) {
        // A NUL byte is no text: a damaged export, never published.
        let mut i = 0;
        while rec.range(i).is_some_and(|r| r.end <= at) {
            i += 1;
        }
        return Err(RowProblem {
            column: columns.headers.get(i).map(|h| h.trim().to_string()),
            reason: "a NUL byte in this cell: the export is damaged here".into(),
        });
    }
    for f in [Field::ProductId, Field::Name] {
        if field(rec, columns, f).trim().is_empty() {
            return Err(RowProblem {
                column: columns.header_of(f).map(str::to_string),
                reason: format!("empty {}", f.key()),
            });
        }
    }
    if let Err(reason) = crate::model::product::parse_spf_column(&field(rec, columns, Field::Spf)) {
        return Err(RowProblem {
            column: columns.header_of(Field::Spf).map(str::to_string),
            reason,
        });
    }
    Ok(())
}

/// For a record that runs over several lines: how many of the lines inside
/// its cells look like rows of the catalog (as many delimiters as the
/// header, or more). A quote left open swallows rows like that; a
/// description or a list written over a few lines rarely has one.
pub fn row_like_lines(rec: &ByteRecord, columns: &Columns) -> u64 {
    let width = columns.headers.len();
    if width < 3 || memchr::memchr(b'\n', rec.as_slice()).is_none() {
        return 0;
    }
    let d = columns.delimiter;
    rec.iter()
        .flat_map(|cell| cell.split(|b| *b == b'\n').skip(1))
        .filter(|line| memchr::memchr_iter(d, line).count() + 1 >= width)
        .count() as u64
}

/// True for a variant row of a Shopify export: a product_id (the handle)
/// but an empty name (Title). Such a row belongs to the product row above
/// it with the same id, and is merged into it rather than scored.
pub fn is_variant_row(rec: &ByteRecord, columns: &Columns) -> bool {
    rec.len() == columns.headers.len()
        && !field(rec, columns, Field::ProductId).trim().is_empty()
        && field(rec, columns, Field::Name).trim().is_empty()
}

/// True for a row that repeats the header line (two exports concatenated
/// with `cat a.csv b.csv`): skipped with a note, not scored.
pub fn is_repeated_header(rec: &ByteRecord, columns: &Columns) -> bool {
    fn clean(b: &[u8]) -> &[u8] {
        let b = strip_cr(b).trim_ascii();
        b.strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(b)
            .trim_ascii()
    }
    rec.len() == columns.headers.len()
        && rec
            .iter()
            .zip(&columns.headers)
            .all(|(f, h)| clean(f).eq_ignore_ascii_case(clean(h.as_bytes())))
}

/// True for a row with no content at all (skipped, not rejected).
pub fn is_blank(rec: &ByteRecord) -> bool {
    rec.iter()
        .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
}

/// The record as one CSV line, for rejects.csv; very long records are cut.
pub fn raw_record(rec: &ByteRecord, delimiter: u8) -> String {
    const MAX: usize = 4096;
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut clean = rec.clone();
    if let Some(last) = rec.iter().next_back() {
        if last.ends_with(b"\r") {
            clean = rec.iter().map(strip_cr).collect();
        }
    }
    let _ = w.write_byte_record(&clean);
    let bytes = w.into_inner().unwrap_or_default();
    let mut s = String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .replace('\0', "\\x00");
    if s.len() > MAX {
        let mut cut = MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("... (cut)");
    }
    s
}

/// Resolves the catalog argument: `-` is standard input; no path is the
/// built-in sample only when `sample` asks for it, and a usage error
/// otherwise (an empty `$CATALOG` in a cron line must not score the demo).
pub fn source_of(path: Option<&Path>, sample: bool) -> Result<CatalogSource> {
    match (path, sample) {
        (Some(_), true) => Err(Error::Usage(
            "--sample reads the built-in sample catalog; give either it or CATALOG, not both"
                .into(),
        )),
        (Some(p), false) if p.as_os_str() == "-" => Ok(CatalogSource::Stdin),
        (Some(p), false) if p.as_os_str().is_empty() => Err(Error::Usage(
            "the CATALOG argument is empty; name a CSV file, `-` for standard input, or --sample".into(),
        )),
        (Some(p), false) => Ok(CatalogSource::File(p.to_path_buf())),
        (None, true) => Ok(CatalogSource::Sample),
        (None, false) => Err(Error::Usage(
            "no catalog given: name a CSV file, `-` to read standard input, or --sample for the built-in sample catalog".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_toml_lists_every_field_canonical_name_first() {
        let table: std::collections::HashMap<String, Vec<String>> =
            toml::from_str(COLUMN_NAMES).unwrap();
        assert_eq!(
            table.len(),
            Field::ALL.len(),
            "no unknown field in columns.toml"
        );
        for f in Field::ALL {
            let names = table.get(f.key()).unwrap_or_else(|| panic!("{}", f.key()));
            assert_eq!(names[0], f.key());
            assert_eq!(synonyms()[f as usize][0], header_key(f.key()));
        }
    }

    #[test]
    fn header_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(header_key(" Product-ID "), "productid");
        assert_eq!(
            header_key("Full ingredients"),
            header_key("full_ingredients")
        );
        assert_eq!(
            header_key("Ingredients (product.metafields.custom.ingredients)"),
            "ingredientsproductmetafieldscustomingredients"
        );
        assert_eq!(header_key("Crème"), "crème");
    }
}
