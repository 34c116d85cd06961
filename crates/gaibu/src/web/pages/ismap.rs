//! The ISMAP lists page (issue 11), for the ISM and the CISO: a downloaded list file chosen,
//! checked row by row with its column mapping shown to confirm or change (the dry run), then
//! kept as a dated version, after which the cross-check runs; the versions imported; the
//! cross-check run again on demand. The file is kept by its SHA-256 in the database's file store
//! between the check and the import, so that the import reads exactly what was checked.

use super::{Cx, FieldErrors, PageCtx, show};
use crate::dates::Stamp;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::import::table::{Encoding, Limits, column_name};
use crate::import::{self, MappingFrom, Refused};
use crate::ismap::{self as ops, Checked, Summary};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::FieldError;
use gaibu_domain::ismap::{ListKind, Status};
use gaibu_store::ismap::IsmapListRow;

/// Rows of a check shown on the page; the rest are counted.
const SHOWN_ROWS: usize = 100;
const BODY_LIMIT: usize = 21 * 1024 * 1024;

mod input;
mod notice;
use input::Input;
pub(super) use notice::{Notice, notice};

#[derive(Template, WebTemplate)]
#[template(path = "ismap.html")]
struct IsmapPage {
    t: Tr,
    page: PageCtx,
    kind: &'static str,
    encoding: &'static str,
    latest: Vec<IsmapListRow>,
    versions: Vec<IsmapListRow>,
    /// What the action before this page did, in words.
    done: Vec<String>,
    errors: FieldErrors,
    checked: Option<CheckView>,
}

/// A checked file as the page shows it.
struct CheckView {
    file_name: String,
    sha256: String,
    rows: usize,
    errors: usize,
    from: &'static str,
    /// Each field: key, label, required, the chosen column (1-based, 0 for none).
    fields: Vec<(&'static str, &'static str, bool, usize)>,
    /// Each column: its number (1-based) and how it is named (`C（登録番号）`).
    columns: Vec<(usize, String)>,
    /// Row, column named, message.
    problems: Vec<(usize, String, String)>,
    /// Row, number, service, provider, valid until, status — of the good rows shown.
    sample: Vec<(usize, String, String, String, Stamp, &'static str)>,
    clean: bool,
}

impl IsmapPage {
    fn when(&self, t: &jiff::Timestamp) -> Stamp {
        self.t.when(t)
    }
    fn kind_label(&self, k: &ListKind) -> &'static str {
        ops::kind_label(self.t, *k)
    }
    fn short<'s>(&self, sha: &'s str) -> &'s str {
        sha.get(..12).unwrap_or(sha)
    }
    fn checked_text(&self, c: &CheckView) -> String {
        self.t
            .ismap_checked_rows()
            .replace("{rows}", &c.rows.to_string())
            .replace("{errors}", &c.errors.to_string())
    }
}

fn status_label(t: Tr, s: Status) -> &'static str {
    match s {
        Status::Registered => t.ismap_finding_ok(),
        Status::Withdrawn => t.ismap_finding_withdrawn(),
        Status::Lapsed => t.ismap_finding_expired(),
    }
}

fn view(t: Tr, c: &Checked) -> CheckView {
    let fields = ops::targets()
        .into_iter()
        .map(|g| {
            let label = t.pick(g.headers[0], g.headers[1]);
            let col = c.mapping.column(g.key).map_or(0, |i| i + 1);
            (g.key, label, g.required, col)
        })
        .collect();
    let mut problems: Vec<(usize, String, String)> = c
        .row_errors()
        .into_iter()
        .map(|(row, place, code)| (row, place, t.error(code)))
        .collect();
    problems.truncate(SHOWN_ROWS);
    let sample = c
        .rows
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|g| (r.row, g)))
        .take(SHOWN_ROWS)
        .map(|(row, g)| {
            let until = t.date(g.valid_until);
            let status = status_label(t, g.status);
            (
                row,
                g.number.clone(),
                g.service_name.clone(),
                g.provider.clone(),
                until,
                status,
            )
        })
        .collect();
    CheckView {
        file_name: c.file_name.clone(),
        sha256: c.sha256.clone(),
        rows: c.rows.len(),
        errors: c.errors(),
        from: from_text(t, c.from),
        fields,
        columns: columns(&c.table.headers),
        problems,
        sample,
        clean: c.is_clean(),
    }
}

fn from_text(t: Tr, f: MappingFrom) -> &'static str {
    match f {
        MappingFrom::Confirmed => t.import_from_confirmed(),
        MappingFrom::Remembered => t.import_from_remembered(),
        MappingFrom::Guessed => t.import_from_guessed(),
    }
}

fn columns(headers: &[String]) -> Vec<(usize, String)> {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| (i + 1, format!("{}（{h}）", column_name(i))))
        .collect()
}

/// What the page is told after an import or a cross-check (`?done=…`): the counts to say.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Done {
    done: String,
    kind: String,
    rows: usize,
    checked: usize,
    ok: usize,
    raised: usize,
    kept: usize,
    cleared: usize,
    no_list: bool,
}

impl Done {
    fn from(summary: &Summary) -> Vec<(&'static str, String)> {
        vec![
            ("checked", summary.checked.to_string()),
            ("ok", summary.ok.to_string()),
            ("raised", summary.raised.len().to_string()),
            ("kept", summary.kept.to_string()),
            ("cleared", summary.cleared.to_string()),
            ("no_list", summary.no_list.to_string()),
        ]
    }

    fn words(&self, t: Tr) -> Vec<String> {
        let mut out = Vec::new();
        if self.done == "imported"
            && let Some(k) = ListKind::parse(&self.kind)
        {
            out.push(
                t.ismap_imported()
                    .replace("{kind}", ops::kind_label(t, k))
                    .replace("{rows}", &self.rows.to_string()),
            );
        }
        if matches!(self.done.as_str(), "imported" | "cross_checked") {
            out.push(if self.no_list {
                t.ismap_no_list().to_string()
            } else {
                t.ismap_cross_check_done()
                    .replace("{checked}", &self.checked.to_string())
                    .replace("{ok}", &self.ok.to_string())
                    .replace("{raised}", &self.raised.to_string())
                    .replace("{kept}", &self.kept.to_string())
                    .replace("{cleared}", &self.cleared.to_string())
            });
        }
        out
    }
}

fn done_url(what: &str, extra: Vec<(&'static str, String)>, summary: &Summary) -> String {
    let mut pairs = vec![("done", what.to_string())];
    pairs.extend(extra);
    pairs.extend(Done::from(summary));
    format!(
        "/ismap?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

async fn page(cx: &Cx, kind: ListKind, encoding: &'static str) -> AppResult<IsmapPage> {
    let page = cx.page("/ismap");
    Ok(IsmapPage {
        t: page.t,
        page,
        kind: kind.as_str(),
        encoding,
        latest: cx.st.store.latest_ismap_lists().await?,
        versions: cx.st.store.ismap_lists(20).await?,
        done: Vec::new(),
        errors: FieldErrors::default(),
        checked: None,
    })
}

async fn form(cx: Cx, Query(d): Query<Done>) -> AppResult<Response> {
    ops::permitted(&cx.st, &cx.u, "ismap.view").await?;
    let mut p = page(&cx, ListKind::Ismap, "auto").await?;
    p.done = d.words(p.t);
    show(p)
}

/// Checks the chosen (or the already checked) file, and imports it when asked and clean.
async fn submit(cx: Cx, input: Input) -> AppResult<Response> {
    ops::permitted(&cx.st, &cx.u, "ismap.import").await?;
    let kind = ListKind::parse(&input.kind).unwrap_or(ListKind::Ismap);
    let (encoding, enc_name) = match input.encoding.as_str() {
        "utf-8" => (Encoding::Utf8, "utf-8"),
        "shift_jis" => (Encoding::ShiftJis, "shift_jis"),
        _ => (Encoding::Detect, "auto"),
    };
    let refuse = async |field: &str, code: &'static str| -> AppResult<Response> {
        let mut p = page(&cx, kind, enc_name).await?;
        p.errors = cx.errors(&[FieldError::new(field, code)]);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
    };
    if input.too_large {
        return refuse("file", "file_too_large").await;
    }
    let (name, bytes) = match input.file {
        Some((name, bytes)) => {
            if bytes.len() > Limits::default().max_bytes {
                return refuse("file", "file_too_large").await;
            }
            (name, bytes)
        }
        None if !input.upload.is_empty() => {
            match import::kept(&cx.st, cx.u.user.id, &input.upload).await? {
                Some(b) => (input.file_name.clone(), b),
                None => return refuse("file", "required").await,
            }
        }
        None => return refuse("file", "required").await,
    };
    let checked = ops::check(&cx.st, kind, &name, &bytes, encoding, &input.map).await?;
    let mut p = page(&cx, kind, enc_name).await?;
    let c = match checked {
        Ok(c) => c,
        Err(Refused::File(e)) => {
            p.errors = cx.errors(&[FieldError::new("file", e.code())]);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
        Err(Refused::Mapping(errs, headers)) => {
            p.errors = cx.errors(&errs);
            import::keep(&cx.st, cx.u.user.id, &bytes).await?;
            p.checked = Some(CheckView {
                file_name: name.clone(),
                sha256: import::sha256_hex(&bytes),
                rows: 0,
                errors: 0,
                from: from_text(p.t, MappingFrom::Confirmed),
                fields: ops::targets()
                    .into_iter()
                    .map(|g| {
                        let col = input
                            .map
                            .iter()
                            .find(|(k, _)| k == g.key)
                            .and_then(|(_, v)| v.parse().ok())
                            .unwrap_or(0);
                        (g.key, p.t.pick(g.headers[0], g.headers[1]), g.required, col)
                    })
                    .collect(),
                columns: columns(&headers),
                problems: Vec::new(),
                sample: Vec::new(),
                clean: false,
            });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    if input.action == "import" && c.is_clean() {
        let (list, summary) = ops::import(&cx.st, &cx.u.who(), &c).await?;
        let extra = vec![
            ("kind", list.kind.as_str().to_string()),
            ("rows", list.row_count.to_string()),
        ];
        return Ok(Redirect::to(&done_url("imported", extra, &summary)).into_response());
    }
    // The file is kept for the import that follows the check.
    import::keep(&cx.st, cx.u.user.id, &bytes).await?;
    let status = match (input.action == "import", c.is_clean()) {
        (false, true) => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    if input.action == "import" {
        p.errors = cx.errors(&[FieldError::new("file", "ismap_rows_invalid")]);
    }
    p.checked = Some(view(p.t, &c));
    Ok((status, p).into_response())
}

/// Runs the cross-check again (e.g. after a registration's date passed without a new list).
async fn cross_check(cx: Cx) -> AppResult<Response> {
    ops::permitted(&cx.st, &cx.u, "ismap.cross_check").await?;
    let summary = ops::cross_check(&cx.st, &cx.u.who(), cx.st.today()).await?;
    Ok(Redirect::to(&done_url("cross_checked", vec![], &summary)).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/ismap",
            get(form)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/ismap/cross-check", post(cross_check))
}
