//! An export written to a file, a page at a time: the workbook for a download, or any format
//! for `gaibu export`.

use super::columns::RowCx;
use super::csv::CsvWriter;
use super::format::{Dates, Format};
use super::job::Job;
use super::xlsx::XlsxWriter;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use std::io::Write;
use std::path::Path;

/// What was written: rows, and characters Shift_JIS could not hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub rows: u64,
    pub replaced: u64,
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing the export: {e}"))
}

/// Sheet names may not hold `[]:*?/\` and are at most 31 characters.
fn sheet_name(title: &str) -> String {
    title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect()
}

/// Writes the whole of `job` to `path` in `format`.
pub async fn write(
    st: &AppState,
    mut job: Job,
    rc: &RowCx,
    format: Format,
    path: &Path,
) -> AppResult<Written> {
    let dates = Dates::of(rc.t);
    let headers = job.kind.headers(rc.t);
    let mut done = Written::default();
    match format {
        Format::Xlsx => {
            let mut w = XlsxWriter::new(&sheet_name(job.kind.title(rc.t)), &headers, dates)?;
            while let Some(rows) = job.next_page(st, rc).await? {
                for r in &rows {
                    w.row(r)?;
                }
                done.rows += rows.len() as u64;
            }
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || w.save(&path))
                .await
                .map_err(|e| AppError::Internal(e.into()))??;
        }
        Format::Csv | Format::CsvSjis => {
            let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
            let mut w = CsvWriter::new(format == Format::CsvSjis, dates);
            let mut buf = w.start().to_vec();
            w.header(&headers, &mut buf);
            while let Some(rows) = job.next_page(st, rc).await? {
                for r in &rows {
                    w.row(r, &mut buf);
                }
                done.rows += rows.len() as u64;
                out.write_all(&buf).map_err(io)?;
                buf.clear();
            }
            out.write_all(&buf).map_err(io)?;
            out.flush().map_err(io)?;
            done.replaced = w.replaced;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sheet_names_are_what_excel_allows() {
        assert_eq!(super::sheet_name("a/b:c"), "a b c");
        assert_eq!(super::sheet_name(&"長".repeat(40)).chars().count(), 31);
    }
}
