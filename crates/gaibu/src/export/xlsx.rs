//! An Excel workbook of one sheet, written a row at a time ("constant memory": each row goes
//! to a temporary file as it is written, so 50,000 rows take no more memory than 50).
//!
//! Text is always a string cell, never a formula, whatever it starts with. Days and moments
//! are date cells (numbers Excel sorts and computes with) with a date number format:
//! `yyyy/mm/dd` (`yyyy-mm-dd` in English), or, when the reader's pages write the Japanese
//! era, `[$-ja-JP-x-gannen]ggge"年"m"月"d"日"`, which Excel shows as `令和元年5月1日` and
//! `平成31年4月30日` while the cell stays a date. (A program that does not know the era
//! format shows the same day in its own way; the value is the same.)

use super::format::{Cell, Dates, local};
use crate::error::{AppError, AppResult};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// The era's number formats: a day, and a moment to the minute.
pub const ERA_DAY: &str = "[$-ja-JP-x-gannen]ggge\"年\"m\"月\"d\"日\"";
pub const ERA_TIME: &str = "[$-ja-JP-x-gannen]ggge\"年\"m\"月\"d\"日\" hh:mm";

fn failed(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing the workbook: {e}"))
}

/// A workbook being written.
pub struct XlsxWriter {
    book: Workbook,
    sheet: Worksheet,
    next_row: u32,
    day: Format,
    time: Format,
    header: Format,
}

impl XlsxWriter {
    /// A workbook whose one sheet is named `sheet` and starts with the header row.
    pub fn new(sheet_name: &str, headers: &[String], dates: Dates) -> AppResult<XlsxWriter> {
        let mut book = Workbook::new();
        if let Some(dir) = std::env::temp_dir().to_str() {
            book.set_tempdir(dir).map_err(failed)?;
        }
        let mut sheet = book.new_worksheet_with_constant_memory().map_err(failed)?;
        sheet.set_name(sheet_name).map_err(failed)?;
        let (day, time) = match (dates.era, dates.t.language()) {
            (true, _) => (ERA_DAY, ERA_TIME),
            (false, crate::i18n::Lang::Ja) => ("yyyy/mm/dd", "yyyy/mm/dd hh:mm"),
            (false, crate::i18n::Lang::En) => ("yyyy-mm-dd", "yyyy-mm-dd hh:mm"),
        };
        let mut w = XlsxWriter {
            book,
            sheet,
            next_row: 0,
            day: Format::new().set_num_format(day),
            time: Format::new().set_num_format(time),
            header: Format::new().set_bold(),
        };
        for (col, h) in headers.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| failed(XlsxError::RowColumnLimitError))?;
            w.sheet.set_column_width(col, 18).map_err(failed)?;
            w.sheet
                .write_string_with_format(0, col, h, &w.header)
                .map_err(failed)?;
        }
        w.sheet.set_freeze_panes(1, 0).map_err(failed)?;
        w.next_row = 1;
        Ok(w)
    }

    /// The next row.
    pub fn row(&mut self, cells: &[Cell]) -> AppResult<()> {
        let r = self.next_row;
        for (col, c) in cells.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| failed(XlsxError::RowColumnLimitError))?;
            let s = &mut self.sheet;
            // A value a spreadsheet cannot hold never fails the whole list: a day outside
            // Excel's calendar (1900–9999) is written as ISO text, a text past its 32,767
            // characters is cut there.
            match c {
                Cell::Empty => s,
                Cell::Text(t) => s.write_string(r, col, cut(t)).map_err(failed)?,
                Cell::Int(n) => s.write_number(r, col, *n as f64).map_err(failed)?,
                Cell::Date(d) => match day(d.year(), d.month(), d.day()) {
                    Some(v) => s
                        .write_datetime_with_format(r, col, v, &self.day)
                        .map_err(failed)?,
                    None => s.write_string(r, col, d.to_string()).map_err(failed)?,
                },
                Cell::Time(t) => {
                    let l = local(*t);
                    match day(l.year(), l.month(), l.day())
                        .and_then(|v| v.and_hms(l.hour() as u16, l.minute() as u8, 0).ok())
                    {
                        Some(v) => s
                            .write_datetime_with_format(r, col, v, &self.time)
                            .map_err(failed)?,
                        None => s
                            .write_string(r, col, l.strftime("%Y-%m-%d %H:%M").to_string())
                            .map_err(failed)?,
                    }
                }
            };
        }
        self.next_row += 1;
        Ok(())
    }

    /// Writes the workbook to `path` (blocking: call it off the async threads).
    pub fn save(mut self, path: &Path) -> AppResult<()> {
        self.book.push_worksheet(self.sheet);
        self.book.save(path).map_err(failed)
    }
}

/// The day as a spreadsheet date, when Excel's calendar holds it (1900–9999).
fn day(y: i16, m: i8, d: i8) -> Option<ExcelDateTime> {
    let y = u16::try_from(y)
        .ok()
        .filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}

/// The most characters an Excel cell holds.
const CELL_CHARS: usize = 32_767;

fn cut(t: &str) -> &str {
    match t.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => &t[..at],
        None => t,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_excel_cannot_hold_is_written_as_text_or_cut() {
        assert!(super::day(1899, 12, 31).is_none());
        assert!(super::day(202, 5, 1).is_none());
        assert!(super::day(2019, 5, 1).is_some());
        let long = "あ".repeat(super::CELL_CHARS + 5);
        assert_eq!(super::cut(&long).chars().count(), super::CELL_CHARS);
        assert_eq!(super::cut("短い"), "短い");
    }
}
