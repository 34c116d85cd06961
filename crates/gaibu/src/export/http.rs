//! An export as an HTTP download, the same for the pages (`/register/export?format=…&<the
//! page's filters>`) and the JSON API (`/api/v1/register/export?…`).
//!
//! CSV streams: each page of rows is sent as it is read, so the first bytes leave at once and
//! no request holds more than a page. A workbook is written to a temporary file first (a
//! .xlsx is a zip whose directory comes last), then streamed from it; the file goes when the
//! download ends.

use super::audit::{Guard, Taken};
use super::columns::{ListKind, RowCx};
use super::csv::CsvWriter;
use super::file;
use super::format::{Dates, Format};
use super::job::Job;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use gaibu_domain::FieldError;

/// The format asked for by the `format` parameter (422 naming it when unknown).
pub fn format_of(qs: &str) -> AppResult<Format> {
    let asked = serde_urlencoded::from_str::<Vec<(String, String)>>(qs)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v)
        .unwrap_or_default();
    Format::parse(&asked)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("format", "invalid_choice")]))
}

/// RFC 5987's `attr-char`: what a `filename*` value keeps as it is.
fn attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `attachment` with the file's name in the reader's language (`filename*`, UTF-8) and an
/// ASCII name for clients that read only `filename`.
pub fn disposition(title: &str, ascii: &str, stamp: &str, ext: &str) -> String {
    let name = format!("{title}_{stamp}.{ext}");
    let mut encoded = String::new();
    for b in name.bytes() {
        if attr_char(b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}_{stamp}.{ext}\"; filename*=UTF-8''{encoded}")
}

/// The download of list `kind` (of the record `of`, for a service's accounts) as `u` sees it
/// with the query `qs`, in `t`'s language and date style.
pub async fn download(
    st: &AppState,
    u: &CurrentUser,
    t: Tr,
    (kind, of): (ListKind, Option<i64>),
    qs: &str,
    via: &'static str,
) -> AppResult<Response> {
    let format = format_of(qs)?;
    let job = Job::open(st, u, kind, of, qs).await?;
    // The re-checks asked for with `actions=` are the corrective actions.
    let kind = job.kind;
    let rc = RowCx::load(st, t).await?;
    let stamp = st.today().strftime("%Y%m%d").to_string();
    let cd = disposition(kind.title(t), kind.as_str(), &stamp, format.extension());
    let taken = Taken {
        who: u.who(),
        kind,
        filters: job.filters.clone(),
        format,
        via,
        rows: 0,
        replaced: 0,
    };
    let (body, length) = match format {
        Format::Xlsx => {
            let tmp = tempfile::NamedTempFile::new().map_err(|e| AppError::Internal(e.into()))?;
            let written = file::write(st, job, &rc, format, tmp.path()).await?;
            Taken {
                rows: written.rows,
                ..taken
            }
            .record(st, true)
            .await?;
            let f = tokio::fs::File::open(tmp.path())
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            let length = f.metadata().await.ok().map(|m| m.len());
            // The temporary file lives as long as its stream.
            let stream = tokio_util::io::ReaderStream::new(f).map(move |chunk| {
                let _kept = &tmp;
                chunk
            });
            (Body::from_stream(stream), length)
        }
        Format::Csv | Format::CsvSjis => {
            let w = CsvWriter::new(format == Format::CsvSjis, Dates::of(t));
            let headers = kind.headers(t);
            let guard = Guard::new(st.clone(), taken);
            (csv_body(st.clone(), job, rc, w, headers, guard), None)
        }
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&cd) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(n) = length {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    Ok(res)
}

/// Where a CSV download is.
struct CsvState {
    st: AppState,
    job: Job,
    rc: RowCx,
    w: CsvWriter,
    headers: Option<Vec<String>>,
    guard: Option<Guard>,
}

/// The CSV as a stream: the header first, then one chunk a page; the audit event is written
/// when the last page has gone (or, if the download stops, when the stream is dropped).
fn csv_body(
    st: AppState,
    job: Job,
    rc: RowCx,
    w: CsvWriter,
    headers: Vec<String>,
    guard: Guard,
) -> Body {
    let state = CsvState {
        st,
        job,
        rc,
        w,
        headers: Some(headers),
        guard: Some(guard),
    };
    Body::from_stream(futures_util::stream::unfold(state, |mut s| async move {
        let mut out = Vec::new();
        if let Some(h) = s.headers.take() {
            out.extend_from_slice(s.w.start());
            s.w.header(&h, &mut out);
            return Some((Ok::<Bytes, std::io::Error>(Bytes::from(out)), s));
        }
        let guard = s.guard.as_mut()?;
        match s.job.next_page(&s.st, &s.rc).await {
            Ok(Some(rows)) => {
                for r in &rows {
                    s.w.row(r, &mut out);
                }
                guard.taken.rows += rows.len() as u64;
                guard.taken.replaced = s.w.replaced;
                Some((Ok(Bytes::from(out)), s))
            }
            Ok(None) => {
                if let Some(g) = s.guard.take() {
                    g.finish().await;
                }
                None
            }
            Err(e) => {
                tracing::error!(error = %e, list = s.job.kind.as_str(), "export stopped");
                // Dropping the guard records the export as incomplete.
                s.guard = None;
                Some((Err(std::io::Error::other("the export stopped")), s))
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_name_is_japanese_with_an_ascii_fallback() {
        assert_eq!(
            super::disposition("サービス利用状況", "register", "20261129", "csv"),
            "attachment; filename=\"register_20261129.csv\"; \
             filename*=UTF-8''%E3%82%B5%E3%83%BC%E3%83%93%E3%82%B9%E5%88%A9%E7%94%A8%E7%8A%B6%E6%B3%81_20261129.csv"
        );
        assert_eq!(
            super::disposition("Periodic checks due", "checks", "1", "xlsx"),
            "attachment; filename=\"checks_1.xlsx\"; filename*=UTF-8''Periodic%20checks%20due_1.xlsx"
        );
    }
}
