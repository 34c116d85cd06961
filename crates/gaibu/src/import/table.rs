//! An uploaded spreadsheet read into rows of text (issue 11): an .xlsx workbook's first sheet
//! or a CSV file in UTF-8 or Shift_JIS (CP932), guarded before anything is parsed — too large,
//! not a spreadsheet, encrypted, or a zip that would unpack far beyond its size are refused
//! with a reason and nothing kept. A formula cell is read as the value the spreadsheet saved
//! for it; nothing is ever evaluated.

use std::io::{Cursor, Read};

/// The largest file taken, the most it may unpack to, and the most rows.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_unpacked: u64,
    /// An entry unpacking to more than this many times its packed size is a zip bomb.
    pub max_ratio: u64,
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_unpacked: 200 * 1024 * 1024,
            max_ratio: 200,
            // An import holds its audit events until its one commit (all or nothing): about
            // 30 KB a row (docs/benchmarks.md), so a file is taken in parts of this size.
            max_rows: 20_000,
        }
    }
}

/// How the text of a CSV file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 when it is valid UTF-8 (with or without a byte-order mark), else Shift_JIS.
    #[default]
    Detect,
    Utf8,
    ShiftJis,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Encoding> {
        match s.trim() {
            "" | "auto" | "detect" => Some(Encoding::Detect),
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "shift_jis" | "sjis" | "cp932" | "shift-jis" => Some(Encoding::ShiftJis),
            _ => None,
        }
    }
}

/// What a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv(Encoding),
}

/// A sheet as text: its header row and the rows under it (each as long as the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub format: Format,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One row under the header, with its number as the spreadsheet (or a text editor) shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// Why a file cannot be read; each has a message for the person who gave it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("file_too_large")]
    TooLarge,
    #[error("import_not_spreadsheet")]
    NotSpreadsheet,
    /// A password-protected workbook (or an old binary .xls: both are OLE containers).
    #[error("import_encrypted")]
    Encrypted,
    #[error("import_zip_bomb")]
    ZipBomb,
    #[error("import_encoding")]
    Encoding,
    #[error("import_too_many_rows")]
    TooManyRows,
    #[error("import_too_many_columns")]
    TooManyColumns,
    #[error("empty_file")]
    Empty,
    #[error("import_unreadable")]
    Unreadable,
}

impl ReadError {
    /// The error code, as the translation files and the JSON API name it.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::TooLarge => "file_too_large",
            ReadError::NotSpreadsheet => "import_not_spreadsheet",
            ReadError::Encrypted => "import_encrypted",
            ReadError::ZipBomb => "import_zip_bomb",
            ReadError::Encoding => "import_encoding",
            ReadError::TooManyRows => "import_too_many_rows",
            ReadError::TooManyColumns => "import_too_many_columns",
            ReadError::Empty => "empty_file",
            ReadError::Unreadable => "import_unreadable",
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads `bytes` (an upload named `name`) into a table.
pub fn read(
    name: &str,
    bytes: &[u8],
    encoding: Encoding,
    limits: &Limits,
) -> Result<Table, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge);
    }
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(ReadError::Encrypted);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        check_zip(bytes, limits)?;
        return read_xlsx(bytes, limits);
    }
    let lower = name.to_ascii_lowercase();
    let named_binary = [
        ".xls", ".xlsx", ".xlsm", ".ods", ".zip", ".pdf", ".png", ".jpg",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext));
    if named_binary || bytes.contains(&0) {
        return Err(ReadError::NotSpreadsheet);
    }
    read_csv(bytes, encoding, limits)
}

/// A zip whose entries would unpack to more than the limits allow is refused before any of it
/// is unpacked; so is one that is not a zip after all.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    if zip.len() > 10_000 {
        return Err(ReadError::ZipBomb);
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| ReadError::Unreadable)?;
        if entry.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if total > limits.max_unpacked || size / packed > limits.max_ratio {
            return Err(ReadError::ZipBomb);
        }
    }
    // A workbook has its part list; a zip of anything else is not a spreadsheet.
    if zip.by_name("[Content_Types].xml").is_err() {
        return Err(ReadError::NotSpreadsheet);
    }
    Ok(())
}

/// The most columns a sheet may use: a cell far to the right (or far down) must not make the
/// reader lay out a grid of billions of empty cells.
const MAX_COLUMNS: u32 = 1_000;

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Table, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(ReadError::Empty)?;
    // Cell by cell, as the sheet stores them: only cells that exist take memory.
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|_| ReadError::Unreadable)?;
    let max_row = u32::try_from(limits.max_rows)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let mut cells: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
    while let Some(cell) = reader.next_cell().map_err(|_| ReadError::Unreadable)? {
        let (row, col) = cell.get_position();
        if col >= MAX_COLUMNS {
            return Err(ReadError::TooManyColumns);
        }
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::String(s) => s,
            Data::Int(i) => i.to_string(),
            // Whole numbers read as written (an id, a year), not "12.0".
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => {
                let (y, m, day, ..) = d.to_ymd_hms_milli();
                format!("{y:04}-{m:02}-{day:02}")
            }
            Data::DateTimeIso(s) | Data::DurationIso(s) => s,
            Data::Error(e) => format!("#{e:?}"),
        };
        let line = cells.entry(row).or_default();
        line.push((col, text));
        if cells.len() > limits.max_rows || row > max_row.saturating_mul(100) {
            return Err(ReadError::TooManyRows);
        }
    }
    let rows = cells
        .into_iter()
        .map(|(row, mut line)| {
            line.sort_by_key(|(c, _)| *c);
            let width = line.last().map_or(0, |(c, _)| *c as usize + 1);
            let mut out = vec![String::new(); width];
            for (c, text) in line {
                out[c as usize] = text;
            }
            // The sheet numbers its rows from 1.
            Row {
                number: row as usize + 1,
                cells: out,
            }
        })
        .collect();
    table(Format::Xlsx, rows)
}

fn read_csv(bytes: &[u8], encoding: Encoding, limits: &Limits) -> Result<Table, ReadError> {
    let (text, used) = decode(bytes, encoding)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Numbered by the line each record starts on (counted from its byte offset: the reader
    // skips blank lines without counting them), so that messages name the file's own lines.
    let (mut seen, mut line) = (0usize, 1usize);
    for record in reader.records() {
        if rows.len() > limits.max_rows {
            return Err(ReadError::TooManyRows);
        }
        let record = record.map_err(|_| ReadError::Unreadable)?;
        let mut at = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(seen)
            .min(text.len());
        // The record's position is where reading it began, before the blank lines it skipped.
        while at < text.len() && matches!(text.as_bytes()[at], b'\n' | b'\r') {
            at += 1;
        }
        line += line_breaks(&text.as_bytes()[seen.min(at)..at]);
        seen = at;
        let number = line;
        rows.push(Row {
            number,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    table(Format::Csv(used), rows)
}

/// Line breaks as the CSV reader takes them: `\r\n`, `\n`, or a lone `\r` (old Mac files).
fn line_breaks(b: &[u8]) -> usize {
    b.iter()
        .enumerate()
        .filter(|(i, c)| **c == b'\n' || (**c == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The text of a CSV file and the encoding it was read in.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<(String, Encoding), ReadError> {
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let utf8 = || {
        std::str::from_utf8(bytes)
            .map(|s| (s.to_string(), Encoding::Utf8))
            .map_err(|_| ReadError::Encoding)
    };
    let sjis = || {
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
        if bad {
            Err(ReadError::Encoding)
        } else {
            // The wave dash problem: Windows writes the 〜 of Japanese text (U+301C) as CP932's
            // 0x8160 and reads it back as ～ (U+FF5E); so does gaibu's own Shift_JIS export.
            // In Japanese text it is the wave dash either way.
            Ok((text.replace('\u{FF5E}', "\u{301C}"), Encoding::ShiftJis))
        }
    };
    match encoding {
        Encoding::Utf8 => utf8(),
        Encoding::ShiftJis => sjis(),
        Encoding::Detect => utf8().or_else(|_| sjis()),
    }
}

/// The header is the first row with anything in it; rows after it are padded or cut to its
/// width, and rows with nothing in them are left out.
fn table(format: Format, rows: Vec<Row>) -> Result<Table, ReadError> {
    let blank = |r: &Row| r.cells.iter().all(|c| c.trim().is_empty());
    let Some(head_at) = rows.iter().position(|r| !blank(r)) else {
        return Err(ReadError::Empty);
    };
    let headers: Vec<String> = rows[head_at]
        .cells
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let width = headers.len();
    let body = rows
        .into_iter()
        .skip(head_at + 1)
        .filter(|r| !blank(r))
        .map(|mut r| {
            r.cells.truncate(width);
            r.cells.resize(width, String::new());
            r
        })
        .collect();
    Ok(Table {
        format,
        headers,
        rows: body,
    })
}

/// The spreadsheet's name of column `i` (0 → A, 26 → AA), for messages that name a cell.
pub fn column_name(i: usize) -> String {
    let mut n = i + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Reads a whole stream into memory up to `limits.max_bytes` (one more byte says "too large").
pub fn read_bounded(mut r: impl Read, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    let cap = u64::try_from(limits.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    (&mut r)
        .take(cap)
        .read_to_end(&mut buf)
        .map_err(|_| ReadError::Unreadable)?;
    if buf.len() > limits.max_bytes {
        return Err(ReadError::TooLarge);
    }
    Ok(buf)
}

#[cfg(test)]
mod tests;
