//! CSV import of contacts: encoding and delimiter detection, header auto-mapping, a preview,
//! and an all-or-nothing streaming import with progress, cancel and a per-row report.
//!
//! API:
//! - [`preview`]`(conn, path, &PreviewOptions) -> ImportPreview`: encoding, delimiter, headers,
//!   suggested [`ColumnMapping`]s, and the first rows as they will be imported with each cell's
//!   problem.
//! - [`run`]`(&mut conn, path, &ImportOptions, progress, &cancel) -> ImportReport`: one
//!   transaction; a cancel, an error, a crash or a kill leaves the workspace as it was.
//!   `dry_run` does all the work and rolls back. Takes a plain connection so the app can run
//!   it on a background thread with its own `db::open` connection. For its duration it turns
//!   that connection's foreign-key checks off and drops the search-index triggers (inside its
//!   transaction), maintaining the index itself; both come back before it returns.
//! - [`write_failed_rows`]: the rows the report lists as failed, as a CSV to fix and re-import.
//! - [`mapping_from_json`]: a `column_mapping` JSON (header → target) over the suggestion.
//!
//! Memory stays constant: rows are parsed one at a time with `csv_core` into fixed buffers, and
//! a cell longer than [`MAX_CELL_BYTES`] fails its row instead of growing a buffer.

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder as CoreReaderBuilder};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::contacts::{check_email, email_key, ContactStatus};
use crate::error::{Error, FieldError, Result};
use crate::fields::{self, CustomField, FieldInput, FieldType, FieldValue};
use crate::time::now_timestamp;

/// The longest cell accepted (1 MiB). Longer cells (often an unbalanced quote) fail the row.
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 500;
/// Failures kept in a report; further failures are counted but not listed.
pub const MAX_REPORTED_ERRORS: usize = 100_000;
const PREVIEW_ROWS: usize = 10;
const SAMPLE_BYTES: usize = 64 * 1024;
const PROGRESS_EVERY: u64 = 2_000;
/// Imports that write at least this many contacts merge the search index afterwards.
const FTS_OPTIMIZE_AFTER: u64 = 50_000;
/// Files at least this big, into a workspace with fewer than [`BULK_MAX_EXISTING`] contacts,
/// are loaded without the secondary indexes, which are rebuilt (sorted, in one pass each) at
/// the end, inside the import's transaction.
const BULK_MIN_FILE_BYTES: u64 = 8 << 20;
const BULK_MAX_EXISTING: i64 = 100_000;
/// The tables whose secondary indexes are dropped and rebuilt around a bulk load (the unique
/// email index stays: the import looks contacts up by it). Keeping the `contact_values` and
/// `contact_tags` indexes live instead was measured slower (docs/PERFORMANCE.md).
const BULK_TABLES: &str = "'contacts', 'contact_values', 'contact_tags'";

/// A text encoding Herald can read CSV files in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// Windows-1252 (a superset of Latin-1): Excel's "CSV" on Western Windows.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    pub const ALL: [Encoding; 4] = [
        Encoding::Utf8,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Windows1252,
    ];

    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Encoding::Utf8,
            "utf-16le" | "utf16le" | "utf-16" => Encoding::Utf16Le,
            "utf-16be" | "utf16be" => Encoding::Utf16Be,
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => {
                Encoding::Windows1252
            }
            _ => return None,
        })
    }
}

/// Where a column's values go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum MappingTarget {
    Ignore,
    Email,
    FirstName,
    LastName,
    /// "Ann Smith": split at the last space into first and last name, unless those columns
    /// are mapped too.
    FullName,
    Status,
    /// Tag names separated by `,` `;` or `|`, each created if missing.
    Tags,
    /// An existing custom field.
    Field {
        key: String,
    },
    /// A custom field the import creates (rolled back with the import if it fails).
    NewField {
        key: String,
        label: String,
        #[serde(rename = "type")]
        field_type: FieldType,
        #[serde(default)]
        options: Vec<String>,
    },
}

/// One column of the file and where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnMapping {
    /// 0-based position in the file.
    pub column: u32,
    pub header: String,
    pub target: MappingTarget,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum OnExisting {
    /// Update the existing contact with the file's non-empty cells; add the tags.
    #[default]
    Update,
    /// Leave the existing contact alone.
    Skip,
}

/// How to read the file (both detected when absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub encoding: Option<Encoding>,
    /// One of `,` `;` `\t` `|`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delimiter: Option<String>,
    /// Preview with this mapping instead of the suggested one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mapping: Option<Vec<ColumnMapping>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportOptions {
    /// `None`: the suggested mapping. Columns not listed are ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mapping: Option<Vec<ColumnMapping>>,
    /// Tag names applied to every imported contact (created if missing).
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub on_existing: OnExisting,
    /// Do everything, report, and change nothing.
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub encoding: Option<Encoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delimiter: Option<String>,
}

/// A problem with one cell of a preview row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CellProblem {
    pub column: u32,
    pub message: String,
}

/// A row of the file as it will be imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewRow {
    #[ts(type = "number")]
    pub line: u64,
    /// The cells as read (long cells shortened for display).
    pub cells: Vec<String>,
    pub problems: Vec<CellProblem>,
    /// Why the whole row would fail, if it would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    pub encoding: Encoding,
    /// True when the encoding was a guess (no BOM, not valid UTF-8): let the user check it.
    pub encoding_guessed: bool,
    pub delimiter: String,
    pub headers: Vec<String>,
    pub mapping: Vec<ColumnMapping>,
    pub rows: Vec<PreviewRow>,
    /// File-level notes: renamed duplicate headers, an Excel `sep=` line, …
    pub warnings: Vec<String>,
    #[ts(type = "number")]
    pub file_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub rows_done: u64,
    #[ts(type = "number")]
    pub bytes_done: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RowError {
    /// The line of the file where the row starts (the header is line 1).
    #[ts(type = "number")]
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    /// The import's number (contacts it created show source "import N"); none for a dry run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub import_id: Option<i64>,
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    #[ts(type = "number")]
    pub failed: u64,
    /// Every failure (up to [`MAX_REPORTED_ERRORS`]), in file order.
    pub errors: Vec<RowError>,
    pub dry_run: bool,
}

// ---------------------------------------------------------------------------------------
// Reading: encoding, delimiter, records.

fn read_error(path: &Path, e: std::io::Error) -> Error {
    Error::io("read", path, e)
}

fn file_problem(message: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new("file", message)])
}

/// The encoding of a file from its first bytes, and whether it is a guess.
pub fn detect_encoding(sample: &[u8]) -> (Encoding, bool) {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return (Encoding::Utf8, false);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return (Encoding::Utf16Le, false);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return (Encoding::Utf16Be, false);
    }
    // UTF-16 without a BOM: ASCII text has a zero in every other byte.
    let pairs = sample.len() / 2;
    if pairs >= 8 {
        let even_zeros = sample
            .chunks_exact(2)
            .filter(|c| c[0] == 0 && c[1] != 0)
            .count();
        let odd_zeros = sample
            .chunks_exact(2)
            .filter(|c| c[1] == 0 && c[0] != 0)
            .count();
        if odd_zeros * 10 > pairs * 9 {
            return (Encoding::Utf16Le, true);
        }
        if even_zeros * 10 > pairs * 9 {
            return (Encoding::Utf16Be, true);
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => (Encoding::Utf8, false),
        // A sample may end in the middle of a character.
        Err(e) if e.error_len().is_none() => (Encoding::Utf8, false),
        Err(_) => (Encoding::Windows1252, true),
    }
}

/// Counts the raw bytes read, for progress.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// An opened file, decoded to UTF-8.
struct Source {
    reader: Box<dyn BufRead>,
    bytes_read: Rc<Cell<u64>>,
    file_bytes: u64,
    encoding: Encoding,
    encoding_guessed: bool,
    /// The start of the file, decoded.
    sample: String,
}

fn open_source(path: &Path, encoding: Option<Encoding>) -> Result<Source> {
    let mut file = File::open(path).map_err(|e| Error::io("opened", path, e))?;
    let file_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut file)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| read_error(path, e))?;
    drop(file);
    if sample.is_empty() {
        return Err(file_problem("The file is empty."));
    }
    let (detected, guessed) = detect_encoding(&sample);
    let (encoding, guessed) = match encoding {
        Some(e) => (e, false),
        None => (detected, guessed),
    };
    if matches!(encoding, Encoding::Utf8 | Encoding::Windows1252) && looks_binary(&sample) {
        return Err(file_problem(
            "This file does not look like a CSV text file (it contains binary data). \
             Export the spreadsheet as CSV and try again.",
        ));
    }
    let file = File::open(path).map_err(|e| Error::io("opened", path, e))?;
    let bytes_read = Rc::new(Cell::new(0));
    let counting = Counting {
        inner: file,
        count: bytes_read.clone(),
    };
    let reader: Box<dyn BufRead> = if encoding == Encoding::Utf8 {
        // UTF-8 is read as is (csv_core drops a BOM); cells are checked one by one.
        Box::new(BufReader::with_capacity(256 * 1024, counting))
    } else {
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding.codec()))
            .bom_override(false)
            .strip_bom(true)
            .build(counting);
        Box::new(BufReader::with_capacity(256 * 1024, decoded))
    };
    let (sample, _, _) = encoding.codec().decode(&sample);
    Ok(Source {
        reader,
        bytes_read,
        file_bytes,
        encoding,
        encoding_guessed: guessed,
        sample: sample.into_owned(),
    })
}

fn looks_binary(sample: &[u8]) -> bool {
    let controls = sample
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    sample.contains(&0) || controls * 100 > sample.len()
}

/// A parsed row: cells are slices of `buf` between `ends`.
struct Record {
    line: u64,
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// A cell was longer than the limit (its content was dropped).
    too_long: bool,
    /// More than [`MAX_COLUMNS`] cells.
    too_wide: bool,
}

impl Record {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn cell_bytes(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    /// The cell as text; `None` if it is not valid UTF-8 (a wrong encoding).
    fn cell(&self, i: usize) -> Option<&str> {
        if i >= self.ends.len() {
            return Some("");
        }
        std::str::from_utf8(self.cell_bytes(i)).ok()
    }

    fn is_blank(&self) -> bool {
        self.ends.len() <= 1 && self.buf.is_empty()
    }
}

/// Reads records with bounded buffers, whatever the input.
struct RecordReader {
    source: Box<dyn BufRead>,
    core: CoreReader,
    delimiter: u8,
    out: Vec<u8>,
    ends: Vec<usize>,
    done: bool,
    newlines: u64,
    last_byte: u8,
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl RecordReader {
    fn new(source: Box<dyn BufRead>, delimiter: u8) -> Self {
        Self {
            source,
            core: CoreReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            out: vec![0; 64 * 1024],
            ends: vec![0; 64],
            done: false,
            newlines: 0,
            last_byte: 0,
        }
    }

    /// Reads the next non-blank record into `rec` (reusing its buffers); false at the end.
    ///
    /// csv_core reports field ends as offsets from the start of the record. `base` is the
    /// offset of `out[0]`: the bytes of finished fields are moved into `rec` and dropped from
    /// `out`, and a field longer than [`MAX_CELL_BYTES`] is dropped as it streams by.
    fn next(&mut self, rec: &mut Record) -> std::io::Result<bool> {
        loop {
            if self.done {
                return Ok(false);
            }
            rec.buf.clear();
            rec.ends.clear();
            rec.too_long = false;
            rec.too_wide = false;
            let mut base = 0usize;
            let mut used = 0usize;
            let mut field_start = 0usize;
            let mut truncated = false;
            let mut inner_newlines = 0u64;
            let finished = loop {
                let input = self.source.fill_buf()?;
                let (res, nin, nout, nend) =
                    self.core
                        .read_record(input, &mut self.out[used..], &mut self.ends[..]);
                self.newlines += count_newlines(&input[..nin]);
                if nin > 0 {
                    self.last_byte = input[nin - 1];
                }
                inner_newlines += count_newlines(&self.out[used..used + nout]);
                self.source.consume(nin);
                used += nout;
                for &end in &self.ends[..nend] {
                    if truncated || end - field_start > MAX_CELL_BYTES {
                        rec.too_long = true;
                    } else {
                        rec.buf
                            .extend_from_slice(&self.out[field_start - base..end - base]);
                    }
                    if rec.ends.len() < MAX_COLUMNS {
                        rec.ends.push(rec.buf.len());
                    } else {
                        rec.too_wide = true;
                    }
                    truncated = false;
                    field_start = end;
                }
                // Drop the finished fields' bytes from `out`.
                if field_start > base {
                    let keep_from = field_start - base;
                    self.out.copy_within(keep_from..used, 0);
                    used -= keep_from;
                    base = field_start;
                }
                match res {
                    ReadRecordResult::InputEmpty | ReadRecordResult::OutputEndsFull => {}
                    ReadRecordResult::OutputFull => {
                        if self.out.len() <= MAX_CELL_BYTES {
                            let len = self.out.len() * 2;
                            self.out.resize(len, 0);
                        } else {
                            // Too long: forget it and keep reading to the end of the record.
                            truncated = true;
                            base += used;
                            used = 0;
                        }
                    }
                    ReadRecordResult::Record => break true,
                    ReadRecordResult::End => {
                        self.done = true;
                        break false;
                    }
                }
            };
            if !finished {
                return Ok(false);
            }
            // The line where the record starts: newlines read so far, less those inside its
            // cells and its own terminator.
            let own_terminator = u64::from(self.last_byte == b'\n');
            rec.line = (self.newlines + 1).saturating_sub(inner_newlines + own_terminator);
            if rec.is_blank() && !rec.too_long {
                continue;
            }
            return Ok(true);
        }
    }
}

fn delimiter_name(d: u8) -> String {
    (d as char).to_string()
}

fn parse_delimiter(s: &str) -> Result<u8> {
    match s {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        "|" => Ok(b'|'),
        other => Err(Error::invalid(
            "delimiter",
            format!("“{other}” is not a delimiter Herald reads; use , ; tab or |."),
        )),
    }
}

/// Picks the delimiter that splits the sample's lines most consistently.
fn detect_delimiter(sample: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .take(20)
            .filter_map(|r| r.ok())
            .map(|r| r.len())
            .collect();
        // The last sampled line may be cut short.
        let considered = if counts.len() > 2 {
            &counts[..counts.len() - 1]
        } else {
            &counts[..]
        };
        let Some(&first) = considered.first() else {
            continue;
        };
        let consistent = considered.iter().filter(|&&c| c == first).count();
        if first > 1 && (consistent > best.2 || (consistent == best.2 && first > best.1)) {
            best = (d, first, consistent);
        }
    }
    best.0
}

/// Opens the file and positions it after an Excel `sep=` line, returning the delimiter.
fn open_records(
    path: &Path,
    encoding: Option<Encoding>,
    delimiter: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<(RecordReader, Source)> {
    let mut source = open_source(path, encoding)?;
    let sample = std::mem::take(&mut source.sample);
    let sample = sample.trim_start_matches('\u{feff}');
    let mut detected = None;
    let mut skipped_lines = 0;
    if let Some(rest) = sample.strip_prefix("sep=") {
        if let Some(d) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, ',' | ';' | '\t' | '|'))
        {
            detected = Some(d as u8);
            let mut line = Vec::new();
            source
                .reader
                .read_until(b'\n', &mut line)
                .map_err(|e| read_error(path, e))?;
            skipped_lines = 1;
            warnings.push(format!(
                "The file starts with Excel's “sep={d}” line; it was skipped."
            ));
        }
    }
    let delimiter = match delimiter {
        Some(d) => parse_delimiter(d)?,
        None => detected.unwrap_or_else(|| detect_delimiter(sample)),
    };
    let mut reader = RecordReader::new(
        std::mem::replace(&mut source.reader, Box::new(std::io::empty())),
        delimiter,
    );
    reader.newlines = skipped_lines;
    Ok((reader, source))
}

fn empty_record() -> Record {
    Record {
        line: 0,
        buf: Vec::with_capacity(4096),
        ends: Vec::with_capacity(16),
        too_long: false,
        too_wide: false,
    }
}

/// Opens the file and reads its header row: what preview, import and the failed-rows file
/// all start with.
fn open_with_headers(
    path: &Path,
    encoding: Option<Encoding>,
    delimiter: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<(RecordReader, Source, Vec<String>)> {
    let (mut reader, source) = open_records(path, encoding, delimiter, warnings)?;
    let headers = read_headers(&mut reader, path, warnings)?;
    Ok((reader, source, headers))
}

/// Reads the header row: trimmed, blanks named "Column N", duplicates numbered.
fn read_headers(
    reader: &mut RecordReader,
    path: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<String>> {
    let mut rec = empty_record();
    if !reader.next(&mut rec).map_err(|e| read_error(path, e))? {
        return Err(file_problem(
            "The file has no rows: it is empty or holds only blank lines.",
        ));
    }
    if rec.too_long || rec.too_wide {
        return Err(file_problem(format!(
            "The first line is not a header row (it is longer than {} columns or has a huge cell). \
             Check that the file is a CSV export.",
            MAX_COLUMNS
        )));
    }
    let mut headers: Vec<String> = Vec::with_capacity(rec.len());
    for i in 0..rec.len() {
        let raw = rec.cell(i).ok_or_else(|| {
            file_problem(
                "The header row is not valid text in this encoding; choose another encoding.",
            )
        })?;
        let mut h = raw.trim().trim_matches('\u{feff}').to_owned();
        if h.is_empty() {
            h = format!("Column {}", i + 1);
        }
        let base = h.clone();
        let mut n = 2;
        while headers.iter().any(|x| x.eq_ignore_ascii_case(&h)) {
            h = format!("{base} ({n})");
            n += 1;
        }
        if n > 2 {
            warnings.push(format!(
                "The header “{base}” appears more than once; the copies are named “{base} (2)”, …"
            ));
        }
        headers.push(h);
    }
    Ok(headers)
}

// ---------------------------------------------------------------------------------------
// Mapping.

fn normalise_header(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The standard target a header names, by common aliases (Excel, Mailchimp, HubSpot, Google
/// Contacts, Outlook).
fn standard_alias(header: &str) -> Option<MappingTarget> {
    let h = normalise_header(header);
    Some(match h.as_str() {
        "email" | "emailaddress" | "mail" | "emailaddr" | "e-mail" | "email1value"
        | "primaryemail" | "emailaddress1" | "email1" | "workemail" | "personalemail"
        | "contactemail" | "courriel" | "correo" | "correoelectronico" | "emailadresse" => {
            MappingTarget::Email
        }
        "firstname" | "givenname" | "first" | "forename" | "fname" | "prenom" | "vorname"
        | "nombre" | "merge1" => MappingTarget::FirstName,
        "lastname" | "familyname" | "surname" | "last" | "lname" | "nom" | "nachname"
        | "apellido" | "apellidos" | "merge2" => MappingTarget::LastName,
        "name" | "fullname" | "displayname" | "contactname" => MappingTarget::FullName,
        "status" | "subscriptionstatus" | "emailstatus" | "marketingstatus" | "memberstatus" => {
            MappingTarget::Status
        }
        "tags" | "tag" | "labels" | "grouplabels" | "groupmembership" | "lists" => {
            MappingTarget::Tags
        }
        _ => return None,
    })
}

/// The suggested mapping for `headers`: standard fields by alias, existing custom fields by
/// key or label; everything else ignored. Each standard target is used once.
pub fn suggest_mapping(headers: &[String], fields: &[CustomField]) -> Vec<ColumnMapping> {
    let mut used: Vec<MappingTarget> = Vec::new();
    let mut out = Vec::with_capacity(headers.len());
    for (i, header) in headers.iter().enumerate() {
        let norm = normalise_header(header);
        let mut target = standard_alias(header)
            .or_else(|| {
                fields
                    .iter()
                    .find(|f| {
                        normalise_header(&f.key) == norm || normalise_header(&f.label) == norm
                    })
                    .map(|f| MappingTarget::Field { key: f.key.clone() })
            })
            .unwrap_or(MappingTarget::Ignore);
        if target != MappingTarget::Ignore && used.contains(&target) {
            target = MappingTarget::Ignore;
        }
        if target != MappingTarget::Ignore {
            used.push(target.clone());
        }
        out.push(ColumnMapping {
            column: i as u32,
            header: header.clone(),
            target,
        });
    }
    out
}

/// The mapping resolved against the workspace's fields, ready to apply to rows.
struct Plan {
    email: Option<usize>,
    first: Option<usize>,
    last: Option<usize>,
    full: Option<usize>,
    status: Option<usize>,
    tags: Vec<usize>,
    values: Vec<(usize, CustomField)>,
    required: Vec<CustomField>,
    header_count: usize,
}

fn plan(
    conn: &Connection,
    mapping: &[ColumnMapping],
    header_count: usize,
    create_fields: bool,
) -> Result<Plan> {
    let mut plan = Plan {
        email: None,
        first: None,
        last: None,
        full: None,
        status: None,
        tags: Vec::new(),
        values: Vec::new(),
        required: Vec::new(),
        header_count,
    };
    let mut problems = Vec::new();
    let existing = fields::by_key(conn)?;
    for m in mapping {
        let col = m.column as usize;
        let name = format!("mapping.{}", m.column);
        if col >= header_count {
            problems.push(FieldError::new(
                &name,
                format!("The file has no column {}.", m.column + 1),
            ));
            continue;
        }
        let slot = match &m.target {
            MappingTarget::Ignore => continue,
            MappingTarget::Email => &mut plan.email,
            MappingTarget::FirstName => &mut plan.first,
            MappingTarget::LastName => &mut plan.last,
            MappingTarget::FullName => &mut plan.full,
            MappingTarget::Status => &mut plan.status,
            MappingTarget::Tags => {
                plan.tags.push(col);
                continue;
            }
            MappingTarget::Field { key } => {
                match existing.get(&key.to_lowercase()) {
                    Some(f) => plan.values.push((col, f.clone())),
                    None => problems.push(FieldError::new(
                        &name,
                        format!("There is no custom field “{key}”."),
                    )),
                }
                continue;
            }
            MappingTarget::NewField {
                key,
                label,
                field_type,
                options,
            } => {
                if let Some(f) = existing.get(&key.to_lowercase()) {
                    plan.values.push((col, f.clone()));
                } else if create_fields {
                    match fields::create(
                        conn,
                        FieldInput {
                            key: key.clone(),
                            label: label.clone(),
                            field_type: *field_type,
                            options: options.clone(),
                            required: false,
                        },
                    ) {
                        Ok(f) => plan.values.push((col, f)),
                        Err(e) => {
                            for f in e.fields() {
                                problems.push(FieldError::new(
                                    &name,
                                    format!("New field: {}", f.message),
                                ));
                            }
                        }
                    }
                } else {
                    if let Err(m) = fields::check_key(key) {
                        problems.push(FieldError::new(&name, format!("New field: {m}")));
                    }
                    // For the preview, check cells as the new field would.
                    plan.values.push((
                        col,
                        CustomField {
                            id: 0,
                            key: key.clone(),
                            label: label.clone(),
                            field_type: *field_type,
                            options: options.clone(),
                            required: false,
                            position: 0,
                        },
                    ));
                }
                continue;
            }
        };
        if slot.is_some() {
            problems.push(FieldError::new(
                &name,
                format!(
                    "Another column already goes to this field (“{}”).",
                    m.header
                ),
            ));
        } else {
            *slot = Some(col);
        }
    }
    if plan.email.is_none() {
        problems.push(FieldError::new(
            "mapping",
            "Choose the column that holds the email address.",
        ));
    }
    plan.required = existing
        .values()
        .filter(|f| f.required && !plan.values.iter().any(|(_, v)| v.id == f.id))
        .cloned()
        .collect();
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    Ok(plan)
}

/// A row turned into a contact.
#[derive(Debug, Default)]
struct RowContact {
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    status: Option<ContactStatus>,
    tags: Vec<String>,
    values: Vec<(i64, FieldValue)>,
}

fn split_full_name(full: &str) -> (String, String) {
    let full = full.trim();
    match full.rsplit_once(' ') {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (full.to_owned(), String::new()),
    }
}

/// Checks a row and turns it into a contact; every cell problem is collected.
fn convert(
    plan: &Plan,
    rec: &Record,
    problems: &mut Vec<CellProblem>,
) -> std::result::Result<RowContact, String> {
    if rec.too_long {
        return Err(format!(
            "A cell is longer than {} MB (is a quote left open?).",
            MAX_CELL_BYTES >> 20
        ));
    }
    if rec.too_wide {
        return Err(format!("The row has more than {MAX_COLUMNS} cells."));
    }
    let cell = |i: usize| -> std::result::Result<&str, String> {
        rec.cell(i).map(str::trim).ok_or_else(|| {
            "The row is not valid text in the chosen encoding; choose the file's encoding (e.g. Windows-1252)."
                .to_owned()
        })
    };
    if rec.len() > plan.header_count {
        let extra_filled =
            (plan.header_count..rec.len()).any(|i| cell(i).is_ok_and(|c| !c.is_empty()));
        if extra_filled {
            return Err(format!(
                "The row has {} cells but the header has {}; a value may hold an unquoted delimiter.",
                rec.len(),
                plan.header_count
            ));
        }
    }
    let mut row = RowContact::default();
    let email_col = plan.email.unwrap_or(0);
    let email = cell(email_col)?;
    if email.is_empty() {
        problems.push(CellProblem {
            column: email_col as u32,
            message: "No email address.".into(),
        });
    } else if let Err(m) = check_email(email) {
        problems.push(CellProblem {
            column: email_col as u32,
            message: m,
        });
    }
    row.email = email.to_owned();
    if let Some(full) = plan.full {
        let (first, last) = split_full_name(cell(full)?);
        if plan.first.is_none() && !first.is_empty() {
            row.first_name = Some(first);
        }
        if plan.last.is_none() && !last.is_empty() {
            row.last_name = Some(last);
        }
    }
    for (col, slot) in [
        (plan.first, &mut row.first_name),
        (plan.last, &mut row.last_name),
    ] {
        if let Some(col) = col {
            let v = cell(col)?;
            if v.chars().count() > 200 {
                problems.push(CellProblem {
                    column: col as u32,
                    message: "A name has at most 200 characters.".into(),
                });
            } else if v.chars().any(char::is_control) {
                problems.push(CellProblem {
                    column: col as u32,
                    message: "A name has a line break in it (is a quote left open?).".into(),
                });
            } else if !v.is_empty() {
                *slot = Some(v.to_owned());
            }
        }
    }
    if let Some(col) = plan.status {
        let v = cell(col)?;
        if !v.is_empty() {
            match ContactStatus::parse(v) {
                Some(s) => row.status = Some(s),
                None => problems.push(CellProblem {
                    column: col as u32,
                    message: format!(
                        "“{}” is not a status; use subscribed, unsubscribed, bounced, complained or blocked.",
                        v.chars().take(40).collect::<String>()
                    ),
                }),
            }
        }
    }
    for &col in &plan.tags {
        // Google Contacts separates labels with " ::: " and marks its own with "* ".
        for name in cell(col)?.replace(":::", ",").split([',', ';', '|']) {
            let name = name.trim().trim_matches('"').trim();
            if name.is_empty() || name.starts_with('*') {
                continue;
            }
            if name.chars().count() > 60 {
                problems.push(CellProblem {
                    column: col as u32,
                    message: "A tag name has at most 60 characters.".into(),
                });
            } else if !row.tags.iter().any(|t| t.eq_ignore_ascii_case(name)) {
                row.tags.push(name.to_owned());
            }
        }
    }
    for (col, field) in &plan.values {
        match fields::parse_value(field, cell(*col)?) {
            Ok(Some(v)) => row.values.push((field.id, v)),
            Ok(None) => {}
            Err(m) => problems.push(CellProblem {
                column: *col as u32,
                message: m,
            }),
        }
    }
    if problems.is_empty() {
        Ok(row)
    } else {
        Err(problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join(" "))
    }
}

fn required_missing(plan: &Plan, row: &RowContact) -> Option<String> {
    let missing: Vec<&str> = plan
        .values
        .iter()
        .map(|(_, f)| f)
        .filter(|f| f.required && !row.values.iter().any(|(id, _)| *id == f.id))
        .chain(plan.required.iter())
        .map(|f| f.label.as_str())
        .collect();
    (!missing.is_empty()).then(|| format!("Required for a new contact: {}.", missing.join(", ")))
}

// ---------------------------------------------------------------------------------------
// Preview.

/// Reads the start of the file and says how it would be imported.
pub fn preview(conn: &Connection, path: &Path, options: &PreviewOptions) -> Result<ImportPreview> {
    let mut warnings = Vec::new();
    let (mut reader, source, headers) = open_with_headers(
        path,
        options.encoding,
        options.delimiter.as_deref(),
        &mut warnings,
    )?;
    let delimiter = reader.delimiter;
    let existing = fields::list(conn)?;
    let mapping = options
        .mapping
        .clone()
        .unwrap_or_else(|| suggest_mapping(&headers, &existing));
    // A preview never writes: new fields are checked, not created.
    let plan = plan(conn, &mapping, headers.len(), false);
    if source.encoding_guessed {
        warnings.push(format!(
            "The file is not UTF-8; it was read as {}. If accents look wrong, choose another encoding.",
            match source.encoding {
                Encoding::Windows1252 => "Windows-1252 (Western European)",
                Encoding::Utf16Le => "UTF-16 LE",
                Encoding::Utf16Be => "UTF-16 BE",
                Encoding::Utf8 => "UTF-8",
            }
        ));
    }
    let mut rows = Vec::new();
    let mut rec = empty_record();
    while rows.len() < PREVIEW_ROWS && reader.next(&mut rec).map_err(|e| read_error(path, e))? {
        let cells: Vec<String> = (0..rec.len())
            .map(|i| {
                let c = String::from_utf8_lossy(rec.cell_bytes(i));
                let mut s: String = c.chars().take(200).collect();
                if s.len() < c.len() {
                    s.push('…');
                }
                s
            })
            .collect();
        let mut problems = Vec::new();
        let error = match &plan {
            Ok(plan) => convert(plan, &rec, &mut problems)
                .err()
                .filter(|_| problems.is_empty()),
            Err(e) => Some(e.to_string()),
        };
        rows.push(PreviewRow {
            line: rec.line,
            cells,
            problems,
            error,
        });
    }
    if rows.is_empty() {
        warnings.push("The file has a header row but no contacts.".into());
    }
    Ok(ImportPreview {
        encoding: source.encoding,
        encoding_guessed: source.encoding_guessed,
        delimiter: delimiter_name(delimiter),
        headers,
        mapping,
        rows,
        warnings,
        file_bytes: source.file_bytes,
    })
}

// ---------------------------------------------------------------------------------------
// Run.

/// The search-index triggers of migration 0003. An import drops them for its duration (inside
/// its transaction) and maintains the index itself: new contacts in one pass at the end, updated
/// ones as they are written. Other triggers are left alone.
const SEARCH_TRIGGERS: &str =
    "'contacts_fts_insert', 'contacts_fts_update', 'contacts_fts_delete', \
     'contact_values_fts_insert', 'contact_values_fts_update', 'contact_values_fts_delete'";

/// Phase timings of an import, printed on stderr when `HERALD_IMPORT_TIMINGS` is set (for
/// the benchmarks in docs/PERFORMANCE.md; off otherwise, and then it costs nothing).
struct Clock {
    enabled: bool,
    start: std::time::Instant,
    last: std::time::Instant,
    /// Time spent in the row loop reading + checking rows, and writing them.
    reading: std::time::Duration,
    writing: std::time::Duration,
}

impl Clock {
    fn new() -> Self {
        let now = std::time::Instant::now();
        Self {
            enabled: std::env::var_os("HERALD_IMPORT_TIMINGS").is_some(),
            start: now,
            last: now,
            reading: std::time::Duration::ZERO,
            writing: std::time::Duration::ZERO,
        }
    }

    fn now(&self) -> Option<std::time::Instant> {
        self.enabled.then(std::time::Instant::now)
    }

    fn add(slot: &mut std::time::Duration, since: Option<std::time::Instant>) {
        if let Some(t) = since {
            *slot += t.elapsed();
        }
    }

    fn mark(&mut self, phase: &str) {
        if self.enabled {
            let now = std::time::Instant::now();
            eprintln!(
                "import timing: {phase:<28} {:>8.3} s (at {:.3} s)",
                (now - self.last).as_secs_f64(),
                (now - self.start).as_secs_f64()
            );
            self.last = now;
        }
    }
}

/// The connection settings an import changes, restored when it ends.
struct Pragmas {
    cache_size: i64,
    temp_store: i64,
    foreign_keys: i64,
    threads: i64,
}

impl Pragmas {
    fn read(conn: &Connection) -> Result<Self> {
        let get =
            |name: &str| -> Result<i64> { Ok(conn.pragma_query_value(None, name, |r| r.get(0))?) };
        Ok(Self {
            cache_size: get("cache_size")?,
            temp_store: get("temp_store")?,
            foreign_keys: get("foreign_keys")?,
            threads: get("threads")?,
        })
    }

    fn restore(&self, conn: &Connection) -> Result<()> {
        conn.pragma_update(None, "cache_size", self.cache_size)?;
        conn.pragma_update(None, "temp_store", self.temp_store)?;
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)?;
        conn.pragma_update(None, "threads", self.threads)?;
        Ok(())
    }
}

/// Imports the file in one transaction. See the module docs.
pub fn run(
    conn: &mut Connection,
    path: &Path,
    options: &ImportOptions,
    mut progress: impl FnMut(ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport> {
    let mut clock = Clock::new();
    let mut warnings = Vec::new();
    let (mut reader, source, headers) = open_with_headers(
        path,
        options.encoding,
        options.delimiter.as_deref(),
        &mut warnings,
    )?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    // For the duration of the import (restored after):
    // - a bigger page cache;
    // - statement journals in memory (an upsert may open one per statement);
    // - no foreign-key checks: every id the import writes is one it has just read or created
    //   (contacts, custom fields, tags, this import), so the per-row parent lookups prove
    //   nothing. It can only be switched outside a transaction, hence here;
    // - helper threads for the sorts that rebuild indexes after a bulk load.
    let saved = Pragmas::read(conn)?;
    conn.pragma_update(None, "cache_size", -64_000)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", false)?;
    conn.pragma_update(None, "threads", 2)?;
    let result = (|| {
        let tx = conn.transaction()?;
        let mapping = match &options.mapping {
            Some(m) => m.clone(),
            None => suggest_mapping(&headers, &fields::list(&tx)?),
        };
        let plan = plan(&tx, &mapping, headers.len(), true)?;
        let mut tag_ids = Vec::new();
        for name in &options.tags {
            let name = name.trim();
            if !name.is_empty() {
                tag_ids.push(crate::tags::find_or_create(&tx, name)?.id);
            }
        }
        tx.execute(
            "INSERT INTO imports (file_name, started_at) VALUES (?1, ?2)",
            params![file_name, now_timestamp()],
        )?;
        let import_id = tx.last_insert_rowid();
        let mut report = ImportReport {
            dry_run: options.dry_run,
            ..ImportReport::default()
        };
        let existing: i64 = tx.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?;
        let dropped_triggers = drop_schema_objects(
            &tx,
            &format!("type = 'trigger' AND name IN ({SEARCH_TRIGGERS})"),
        )?;
        let dropped_indexes =
            if source.file_bytes >= BULK_MIN_FILE_BYTES && existing < BULK_MAX_EXISTING {
                drop_schema_objects(
                    &tx,
                    &format!("type = 'index' AND sql IS NOT NULL AND tbl_name IN ({BULK_TABLES})"),
                )?
            } else {
                Vec::new()
            };
        clock.mark("prepare");
        let first_new_id = {
            let mut writer = Writer::new(&tx, import_id, options.on_existing)?;
            let mut rec = empty_record();
            let mut problems = Vec::new();
            let mut tag_cache: HashMap<String, i64> = HashMap::new();
            let mut ids = Vec::new();
            loop {
                let t = clock.now();
                if !reader.next(&mut rec).map_err(|e| read_error(path, e))? {
                    break;
                }
                report.total += 1;
                if report.total % PROGRESS_EVERY == 0 {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::Cancelled);
                    }
                    progress(ImportProgress {
                        rows_done: report.total,
                        bytes_done: source.bytes_read.get(),
                        bytes_total: source.file_bytes,
                    });
                }
                problems.clear();
                let converted = convert(&plan, &rec, &mut problems);
                Clock::add(&mut clock.reading, t);
                let t = clock.now();
                let outcome = converted.and_then(|row| {
                    ids.clear();
                    ids.extend_from_slice(&tag_ids);
                    for name in &row.tags {
                        let id = match tag_cache.get(name.as_str()) {
                            Some(id) => *id,
                            None => {
                                let id = crate::tags::find_or_create(&tx, name)
                                    .map_err(|e| e.to_string())?
                                    .id;
                                tag_cache.insert(name.clone(), id);
                                id
                            }
                        };
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    writer.write(&plan, row, &ids).map_err(|e| e.to_string())
                });
                Clock::add(&mut clock.writing, t);
                match outcome {
                    Ok(Outcome::Created) => report.created += 1,
                    Ok(Outcome::Updated) => report.updated += 1,
                    Ok(Outcome::Skipped) => report.skipped += 1,
                    Err(reason) => {
                        report.failed += 1;
                        if report.errors.len() < MAX_REPORTED_ERRORS {
                            report.errors.push(RowError {
                                line: rec.line,
                                reason,
                            });
                        }
                    }
                }
            }
            writer.flush()?;
            if clock.enabled {
                eprintln!(
                    "import timing:   of which read + check rows {:>8.3} s, write rows {:>8.3} s",
                    clock.reading.as_secs_f64(),
                    clock.writing.as_secs_f64()
                );
            }
            writer.first_new_id
        };
        clock.mark("rows");
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        if !options.dry_run {
            index_new_contacts(&tx, first_new_id)?;
            clock.mark("search index (new contacts)");
            for sql in &dropped_indexes {
                tx.execute(sql, [])?;
            }
            clock.mark("rebuild indexes");
            for sql in &dropped_triggers {
                tx.execute(sql, [])?;
            }
        }
        tx.execute(
            "UPDATE imports SET finished_at = ?2, total = ?3, created = ?4, updated = ?5, skipped = ?6, failed = ?7 WHERE id = ?1",
            params![
                import_id,
                now_timestamp(),
                report.total as i64,
                report.created as i64,
                report.updated as i64,
                report.skipped as i64,
                report.failed as i64
            ],
        )?;
        progress(ImportProgress {
            rows_done: report.total,
            bytes_done: source.bytes_read.get(),
            bytes_total: source.file_bytes,
        });
        if report.created + report.updated >= FTS_OPTIMIZE_AFTER && !options.dry_run {
            // One search segment instead of dozens keeps searches on big lists fast.
            tx.execute(
                "INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize')",
                [],
            )?;
            clock.mark("search index merge");
        }
        if options.dry_run {
            // Rolling back brings the dropped triggers and indexes back too.
            tx.rollback()?;
        } else {
            tx.commit()?;
            report.import_id = Some(import_id);
        }
        clock.mark("commit");
        Ok(report)
    })();
    saved.restore(conn)?;
    result
}

/// Drops the schema objects (of the contact tables) that `filter` selects from
/// `sqlite_schema` and returns the SQL that recreates them.
fn drop_schema_objects(tx: &Connection, filter: &str) -> Result<Vec<String>> {
    let objects: Vec<(String, String, String)> = tx
        .prepare(&format!(
            "SELECT type, name, sql FROM sqlite_schema WHERE {filter} ORDER BY name"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name, _) in &objects {
        tx.execute(&format!("DROP {} \"{name}\"", kind.to_uppercase()), [])?;
    }
    Ok(objects.into_iter().map(|(_, _, sql)| sql).collect())
}

/// The search entry of a contact from what is stored: email, names and text/choice values.
const SEARCH_ROW_SELECT: &str = "SELECT c.id, c.email, c.first_name, c.last_name,
        (SELECT coalesce(group_concat(v.value, ' '), '')
           FROM contact_values v JOIN custom_fields f ON f.id = v.field_id
          WHERE v.contact_id = c.id AND f.type IN ('text', 'choice'))
   FROM contacts c";

/// Writes the search entries of the contacts created by this import (ids from
/// `first_new_id`), in one statement and in rowid order, which is what FTS5 appends fastest.
fn index_new_contacts(tx: &Connection, first_new_id: i64) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO contacts_fts (rowid, email, first_name, last_name, custom)
             {SEARCH_ROW_SELECT} WHERE c.id >= ?1 ORDER BY c.id"
        ),
        [first_new_id],
    )?;
    Ok(())
}

enum Outcome {
    Created,
    Updated,
    Skipped,
}

/// Value rows and tag links written per multi-row INSERT.
const BATCH_ROWS: usize = 64;

/// The prepared statements of one import. New contacts are inserted one by one (their email
/// must be unique); their custom values and tag links are buffered and written
/// [`BATCH_ROWS`] at a time.
struct Writer<'c> {
    conn: &'c Connection,
    import_id: i64,
    on_existing: OnExisting,
    now: String,
    /// The id the next new contact gets (max + 1, so ids follow creation order).
    next_id: i64,
    /// The id of the first contact this import creates.
    first_new_id: i64,
    find: rusqlite::CachedStatement<'c>,
    insert: rusqlite::CachedStatement<'c>,
    value: rusqlite::CachedStatement<'c>,
    tag: rusqlite::CachedStatement<'c>,
    values_batch: rusqlite::CachedStatement<'c>,
    tags_batch: rusqlite::CachedStatement<'c>,
    pending_values: Vec<(i64, i64, FieldValue)>,
    pending_tags: Vec<(i64, i64)>,
}

fn multi_row_values(columns: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(", "));
    vec![one; rows].join(", ")
}

const VALUE_UPSERT: &str = "ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value
     WHERE value IS NOT excluded.value";

impl<'c> Writer<'c> {
    fn new(conn: &'c Connection, import_id: i64, on_existing: OnExisting) -> Result<Self> {
        let next_id: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM contacts", [], |r| {
                r.get(0)
            })?;
        Ok(Self {
            next_id,
            first_new_id: next_id,
            conn,
            import_id,
            on_existing,
            now: now_timestamp(),
            find: conn.prepare_cached("SELECT id FROM contacts WHERE email_key = ?1")?,
            insert: conn.prepare_cached(
                "INSERT INTO contacts (id, email, email_key, first_name, last_name, status, source, import_id, created_at, updated_at)
                 VALUES (?8, ?1, ?2, ?3, ?4, ?5, 'import', ?6, ?7, ?7)
                 ON CONFLICT (email_key) DO NOTHING",
            )?,
            value: conn.prepare_cached(&format!(
                "INSERT INTO contact_values (contact_id, field_id, value) VALUES (?1, ?2, ?3) {VALUE_UPSERT}"
            ))?,
            tag: conn.prepare_cached("INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)")?,
            values_batch: conn.prepare_cached(&format!(
                "INSERT INTO contact_values (contact_id, field_id, value) VALUES {} {VALUE_UPSERT}",
                multi_row_values(3, BATCH_ROWS)
            ))?,
            tags_batch: conn.prepare_cached(&format!(
                "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES {}",
                multi_row_values(2, BATCH_ROWS)
            ))?,
            pending_values: Vec::with_capacity(BATCH_ROWS * 2),
            pending_tags: Vec::with_capacity(BATCH_ROWS * 2),
        })
    }

    /// Writes the buffered values and tag links: full batches with one statement each, the
    /// rest one by one (all of them when `all`).
    fn write_pending(&mut self, all: bool) -> Result<()> {
        while self.pending_values.len() >= BATCH_ROWS {
            let batch: Vec<&dyn rusqlite::ToSql> = self.pending_values[..BATCH_ROWS]
                .iter()
                .flat_map(|(c, f, v)| [c as &dyn rusqlite::ToSql, f, v])
                .collect();
            self.values_batch.execute(batch.as_slice())?;
            self.pending_values.drain(..BATCH_ROWS);
        }
        while self.pending_tags.len() >= BATCH_ROWS {
            let batch: Vec<&dyn rusqlite::ToSql> = self.pending_tags[..BATCH_ROWS]
                .iter()
                .flat_map(|(c, t)| [c as &dyn rusqlite::ToSql, t])
                .collect();
            self.tags_batch.execute(batch.as_slice())?;
            self.pending_tags.drain(..BATCH_ROWS);
        }
        if all {
            for (c, f, v) in self.pending_values.drain(..) {
                self.value.execute(params![c, f, v])?;
            }
            for (c, t) in self.pending_tags.drain(..) {
                self.tag.execute(params![c, t])?;
            }
        }
        Ok(())
    }

    /// Writes everything still buffered.
    fn flush(&mut self) -> Result<()> {
        self.write_pending(true)
    }

    fn write(&mut self, plan: &Plan, row: RowContact, tag_ids: &[i64]) -> Result<Outcome> {
        let key = email_key(&row.email);
        // Most rows of a big import are new: try the insert first (one unique-index seek),
        // and look the contact up only when the email is taken. A row that lacks a required
        // value can only update, so it looks up first.
        let missing = required_missing(plan, &row);
        let existing: Option<i64> = if missing.is_none() {
            let id = self.next_id;
            let inserted = self.insert.execute(params![
                row.email,
                key,
                row.first_name.as_deref().unwrap_or(""),
                row.last_name.as_deref().unwrap_or(""),
                row.status.unwrap_or(ContactStatus::Subscribed).as_str(),
                self.import_id,
                self.now,
                id
            ])?;
            if inserted == 1 {
                self.next_id += 1;
                for (field_id, value) in row.values {
                    self.pending_values.push((id, field_id, value));
                }
                for tag_id in tag_ids {
                    self.pending_tags.push((id, *tag_id));
                }
                self.write_pending(false)?;
                return Ok(Outcome::Created);
            }
            self.find.query_row([&key], |r| r.get(0)).optional()?
        } else {
            self.find.query_row([&key], |r| r.get(0)).optional()?
        };
        let id = match existing {
            Some(_) if self.on_existing == OnExisting::Skip => return Ok(Outcome::Skipped),
            Some(id) => id,
            None => {
                return Err(Error::invalid(
                    "row",
                    missing.unwrap_or_else(|| "The contact could not be written.".into()),
                ))
            }
        };
        // An update: what is buffered goes first (it may be this very contact's).
        self.flush()?;
        self.conn.execute(
            "UPDATE contacts SET
                first_name = coalesce(?2, first_name),
                last_name = coalesce(?3, last_name),
                status = coalesce(?4, status),
                updated_at = ?5
              WHERE id = ?1",
            params![
                id,
                row.first_name,
                row.last_name,
                row.status.map(ContactStatus::as_str),
                self.now
            ],
        )?;
        for (field_id, value) in &row.values {
            self.value.execute(params![id, field_id, value])?;
        }
        for tag_id in tag_ids {
            self.tag.execute(params![id, tag_id])?;
        }
        if id < self.first_new_id {
            // A contact from before the import: its search entry is rewritten now (the
            // import's own contacts are indexed at the end).
            self.conn
                .prepare_cached("DELETE FROM contacts_fts WHERE rowid = ?1")?
                .execute([id])?;
            self.conn
                .prepare_cached(&format!(
                    "INSERT INTO contacts_fts (rowid, email, first_name, last_name, custom)
                     {SEARCH_ROW_SELECT} WHERE c.id = ?1"
                ))?
                .execute([id])?;
        }
        Ok(Outcome::Updated)
    }
}

/// Writes the rows the report lists as failed (with the header and a last column `error`)
/// to `out`, to fix and import again. Returns how many rows were written.
pub fn write_failed_rows(
    path: &Path,
    options: &ImportOptions,
    report: &ImportReport,
    out: &Path,
) -> Result<u64> {
    let mut warnings = Vec::new();
    let (mut reader, _source, headers) = open_with_headers(
        path,
        options.encoding,
        options.delimiter.as_deref(),
        &mut warnings,
    )?;
    let file = File::create(out).map_err(|e| Error::io("created", out, e))?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(std::io::BufWriter::new(file));
    let werr = |e: csv::Error| Error::io("written", out, std::io::Error::other(e.to_string()));
    let mut header = headers.clone();
    header.push("error".into());
    writer.write_record(&header).map_err(werr)?;
    let reasons: HashMap<u64, &str> = report
        .errors
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    let mut rec = empty_record();
    let mut written = 0;
    while reader.next(&mut rec).map_err(|e| read_error(path, e))? {
        if let Some(reason) = reasons.get(&rec.line) {
            let mut cells: Vec<String> = (0..rec.len())
                .map(|i| String::from_utf8_lossy(rec.cell_bytes(i)).into_owned())
                .collect();
            cells.resize(headers.len().max(cells.len()), String::new());
            cells.push((*reason).to_owned());
            writer.write_record(&cells).map_err(werr)?;
            written += 1;
        }
    }
    writer.flush().map_err(|e| Error::io("written", out, e))?;
    Ok(written)
}

/// Parses `bytes` as the import does (delimiter detection, header, every record and cell)
/// without a database: the entry point of the fuzz target and the stress test. Returns the
/// number of records read. Must never panic, whatever the bytes.
#[doc(hidden)]
pub fn parse_for_fuzzing(bytes: &[u8]) -> usize {
    let (encoding, _) = detect_encoding(bytes);
    let (sample, _, _) = encoding
        .codec()
        .decode(&bytes[..bytes.len().min(SAMPLE_BYTES)]);
    let delimiter = detect_delimiter(&sample);
    let source: Box<dyn BufRead> = Box::new(std::io::Cursor::new(bytes.to_vec()));
    let mut reader = RecordReader::new(source, delimiter);
    let mut warnings = Vec::new();
    let Ok(headers) = read_headers(&mut reader, Path::new("fuzz.csv"), &mut warnings) else {
        return 0;
    };
    let plan = Plan {
        email: Some(0),
        first: (headers.len() > 1).then_some(1),
        last: None,
        full: (headers.len() > 2).then_some(2),
        status: (headers.len() > 3).then_some(3),
        tags: if headers.len() > 4 { vec![4] } else { vec![] },
        // Columns 5 to 9 as custom fields of every type, so every value parser is reached.
        values: [
            FieldType::Text,
            FieldType::Number,
            FieldType::Date,
            FieldType::Boolean,
            FieldType::Choice,
        ]
        .into_iter()
        .enumerate()
        .filter(|(i, _)| headers.len() > 5 + i)
        .map(|(i, field_type)| {
            let field = CustomField {
                id: i as i64 + 1,
                key: format!("f{i}"),
                label: format!("F{i}"),
                field_type,
                options: vec!["Gold".into(), "Silver".into()],
                required: false,
                position: i as i32,
            };
            (5 + i, field)
        })
        .collect(),
        required: Vec::new(),
        header_count: headers.len(),
    };
    let _ = suggest_mapping(&headers, &[]);
    let mut rec = empty_record();
    let mut n = 0;
    let mut problems = Vec::new();
    while let Ok(true) = reader.next(&mut rec) {
        problems.clear();
        let _ = convert(&plan, &rec, &mut problems);
        n += 1;
    }
    n
}

/// Applies a `column_mapping` JSON (the CLI's `--mapping`) to a suggested mapping. The JSON
/// is either a full list of [`ColumnMapping`]s, or an object from header (case-insensitive)
/// to a target: `"email"`, `"first_name"`, `"last_name"`, `"full_name"`, `"status"`,
/// `"tags"`, `"ignore"`, `"field:KEY"`, `"new:KEY:TYPE"`, or a [`MappingTarget`] object.
/// Headers not named keep their suggestion.
pub fn mapping_from_json(json: &str, suggested: &[ColumnMapping]) -> Result<Vec<ColumnMapping>> {
    let bad = |m: String| Error::Validation(vec![FieldError::new("mapping", m)]);
    if let Ok(list) = serde_json::from_str::<Vec<ColumnMapping>>(json) {
        return Ok(list);
    }
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| {
            bad(format!(
                "The mapping is not a JSON object of header → field: {e}."
            ))
        })?;
    let mut mapping = suggested.to_vec();
    for (header, target) in object {
        let target = match target {
            serde_json::Value::String(s) => parse_target(&s).ok_or_else(|| {
                bad(format!(
                    "“{s}” is not a field to map to; use email, first_name, last_name, full_name, \
                     status, tags, ignore, field:KEY or new:KEY:TYPE."
                ))
            })?,
            other => serde_json::from_value::<MappingTarget>(other)
                .map_err(|e| bad(format!("The target of “{header}” is not valid: {e}.")))?,
        };
        let column = mapping
            .iter_mut()
            .find(|m| m.header.eq_ignore_ascii_case(header.trim()))
            .ok_or_else(|| bad(format!("The file has no column “{header}”.")))?;
        // A standard target moves: the column that had it by suggestion is ignored.
        let is_standard = !matches!(
            target,
            MappingTarget::Ignore
                | MappingTarget::Tags
                | MappingTarget::Field { .. }
                | MappingTarget::NewField { .. }
        );
        let col = column.column;
        column.target = target.clone();
        if is_standard {
            for m in mapping
                .iter_mut()
                .filter(|m| m.column != col && m.target == target)
            {
                m.target = MappingTarget::Ignore;
            }
        }
    }
    Ok(mapping)
}

fn parse_target(s: &str) -> Option<MappingTarget> {
    let s = s.trim();
    Some(match s.to_ascii_lowercase().as_str() {
        "email" => MappingTarget::Email,
        "first_name" => MappingTarget::FirstName,
        "last_name" => MappingTarget::LastName,
        "full_name" | "name" => MappingTarget::FullName,
        "status" => MappingTarget::Status,
        "tags" => MappingTarget::Tags,
        "ignore" | "" => MappingTarget::Ignore,
        _ => {
            if let Some(key) = s.strip_prefix("field:") {
                MappingTarget::Field {
                    key: key.trim().to_owned(),
                }
            } else if let Some(rest) = s.strip_prefix("new:") {
                let (key, t) = rest.split_once(':').unwrap_or((rest, "text"));
                MappingTarget::NewField {
                    key: key.trim().to_owned(),
                    label: key.trim().replace('_', " "),
                    field_type: FieldType::parse(t.trim())?,
                    options: Vec::new(),
                }
            } else {
                return None;
            }
        }
    })
}
