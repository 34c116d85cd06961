//! The import page (issue 11): a ledger or usage-register file chosen, checked row by row with
//! its column mapping shown to confirm or change, then imported all or nothing. The file is kept
//! (by its SHA-256, in the database's file store) between the check and the import, so that any
//! instance behind the load balancer can finish it and the import reads exactly what was checked.

use super::{Cx, FieldErrors, PageCtx, show};
use crate::dates::Stamp;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Tr;
use crate::import::table::{Encoding, Limits, column_name};
use crate::import::{self, Checked, Doing, Kind, MappingFrom, Refused, Upload, counts};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Query, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gaibu_domain::FieldError;
use gaibu_store::ImportRow;

/// Rows of a check shown on the page (errors first); the rest are counted.
const SHOWN_ROWS: usize = 200;
/// The latest import runs the page lists.
const RECENT: i64 = 20;
const BODY_LIMIT: usize = 21 * 1024 * 1024;

#[derive(Template, WebTemplate)]
#[template(path = "imports.html")]
struct ImportPage {
    t: Tr,
    page: PageCtx,
    kind: &'static str,
    encoding: &'static str,
    done: Option<ImportRow>,
    recent: Vec<ImportRow>,
    errors: FieldErrors,
    checked: Option<CheckView>,
}

/// A checked file as the page shows it.
struct CheckView {
    file_name: String,
    sha256: String,
    rows: usize,
    from: MappingFrom,
    /// Each field: key, label, required, the chosen column (1-based, 0 for none).
    fields: Vec<(&'static str, &'static str, bool, usize)>,
    /// Each column: its number (1-based) and how it is named (`C（所属）`).
    columns: Vec<(usize, String)>,
    /// Row, column named, message; and the row lines shown.
    problems: Vec<(usize, String, String)>,
    lines: Vec<(usize, &'static str, String)>,
    more: usize,
    counts: [usize; 4],
    clean: bool,
}

impl ImportPage {
    fn when(&self, t: &jiff::Timestamp) -> Stamp {
        self.t.when(t)
    }
    fn short<'s>(&self, sha: &'s str) -> &'s str {
        sha.get(..12).unwrap_or(sha)
    }
    fn done_text(&self, r: &ImportRow) -> String {
        self.t
            .import_done()
            .replace("{id}", &r.id.to_string())
            .replace("{created}", &r.created.to_string())
            .replace("{updated}", &r.updated.to_string())
    }
    fn kind_label(&self, k: &str) -> &'static str {
        match k {
            "register" => self.t.import_kind_register(),
            "accounts" => self.t.import_kind_accounts(),
            _ => self.t.import_kind_ledger(),
        }
    }
    fn counts_text(&self, c: &CheckView) -> String {
        let [create, update, unchanged, errors] = c.counts;
        self.t
            .import_counts()
            .replace("{create}", &create.to_string())
            .replace("{update}", &update.to_string())
            .replace("{unchanged}", &unchanged.to_string())
            .replace("{errors}", &errors.to_string())
    }
    fn chosen_text(&self, c: &CheckView) -> String {
        self.t
            .import_file_chosen()
            .replace("{name}", &c.file_name)
            .replace("{rows}", &c.rows.to_string())
            .replace("{sha}", c.sha256.get(..12).unwrap_or(""))
    }
    fn more_text(&self, c: &CheckView) -> String {
        self.t
            .import_more_rows()
            .replace("{n}", &c.more.to_string())
    }
    fn mapping_origin(&self, c: &CheckView) -> &'static str {
        match c.from {
            MappingFrom::Confirmed => self.t.import_from_confirmed(),
            MappingFrom::Remembered => self.t.import_from_remembered(),
            MappingFrom::Guessed => self.t.import_from_guessed(),
        }
    }
}

fn view(t: Tr, kind: Kind, name: &str, c: &Checked) -> CheckView {
    let fields = fields(kind, t, |key| c.mapping.column(key).map_or(0, |i| i + 1));
    let columns = columns(&c.table.headers);
    let mut problems = Vec::new();
    for l in &c.lines {
        if let Err(errs) = &l.what {
            for e in errs {
                problems.push((l.row, c.mapping.place(&c.table, e.field), t.error(e.code)));
            }
        }
    }
    let more = c.lines.len().saturating_sub(SHOWN_ROWS);
    problems.truncate(SHOWN_ROWS);
    let lines = c
        .lines
        .iter()
        .filter_map(|l| match &l.what {
            Ok(Doing::Create(n)) => Some((l.row, t.import_create(), n.clone())),
            Ok(Doing::Update(id, n)) => Some((l.row, t.import_update(), format!("#{id} {n}"))),
            Ok(Doing::Unchanged(id)) => Some((l.row, t.import_unchanged(), format!("#{id}"))),
            Err(_) => None,
        })
        .take(SHOWN_ROWS)
        .collect();
    CheckView {
        file_name: name.to_string(),
        sha256: c.sha256.clone(),
        rows: c.table.rows.len(),
        from: c.from,
        fields,
        columns,
        problems,
        lines,
        more,
        counts: counts(&c.lines),
        clean: c.is_clean(),
    }
}

/// A file whose mapping was refused: the fields as the person chose them, to choose again.
fn mapping_view(
    kind: Kind,
    name: &str,
    upload: &Upload<'_>,
    headers: &[String],
    map: &[(String, String)],
    t: Tr,
) -> CheckView {
    let fields = fields(kind, t, |key| {
        map.iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0)
    });
    CheckView {
        file_name: name.to_string(),
        sha256: import::sha256_hex(upload.bytes),
        rows: 0,
        from: MappingFrom::Confirmed,
        fields,
        columns: columns(headers),
        problems: Vec::new(),
        lines: Vec::new(),
        more: 0,
        counts: [0; 4],
        clean: false,
    }
}

/// Each field of `kind`: key, label (the list page's own, in the reader's language), whether
/// it is required, and its column (1-based; 0 for none).
fn fields(
    kind: Kind,
    t: Tr,
    chosen: impl Fn(&str) -> usize,
) -> Vec<(&'static str, &'static str, bool, usize)> {
    kind.targets()
        .into_iter()
        .map(|target| {
            let label = match (target.headers.first(), target.headers.get(1)) {
                (Some(ja), Some(en)) => t.pick(ja, en),
                _ => target.key,
            };
            (target.key, label, target.required, chosen(target.key))
        })
        .collect()
}

fn columns(headers: &[String]) -> Vec<(usize, String)> {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| (i + 1, format!("{}（{h}）", column_name(i))))
        .collect()
}

#[derive(serde::Deserialize, Default)]
struct Shown {
    done: Option<i64>,
    kind: Option<String>,
}

async fn page(cx: &Cx, kind: Kind, encoding: &'static str) -> AppResult<ImportPage> {
    let page = cx.page("/imports");
    let recent = cx.st.store.recent_imports(RECENT).await?;
    Ok(ImportPage {
        t: page.t,
        page,
        kind: kind.as_str(),
        encoding,
        done: None,
        recent,
        errors: FieldErrors::default(),
        checked: None,
    })
}

async fn form(cx: Cx, Query(q): Query<Shown>) -> AppResult<Response> {
    may(&cx)?;
    let kind = q
        .kind
        .as_deref()
        .and_then(Kind::parse)
        .unwrap_or(Kind::Ledger);
    let mut p = page(&cx, kind, "auto").await?;
    p.done = p.recent.iter().find(|r| Some(r.id) == q.done).cloned();
    show(p)
}

/// The page is for those who may import (the check itself refuses and audits anyone else).
fn may(cx: &Cx) -> AppResult<()> {
    match gaibu_domain::import::may_import(&cx.u.actor) {
        Ok(_) => Ok(()),
        Err(_) => Err(AppError::Forbidden("import")),
    }
}

/// What the form sends.
#[derive(Default)]
struct ImportInput {
    kind: String,
    encoding: String,
    file: Option<(String, Vec<u8>)>,
    /// A file checked before: its SHA-256 and name.
    upload: String,
    file_name: String,
    map: Vec<(String, String)>,
    action: String,
    too_large: bool,
}

impl<S: Send + Sync> FromRequest<S> for ImportInput {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        // Only the body of someone who may import is read.
        let allowed = req
            .extensions()
            .get::<crate::auth::CurrentUser>()
            .is_some_and(|u| gaibu_domain::import::may_import(&u.actor).is_ok());
        if !allowed {
            return Ok(ImportInput::default());
        }
        let malformed = || AppError::Refused(ErrorCode::MalformedForm);
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| malformed())?;
        let mut input = ImportInput::default();
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    input.too_large = true;
                    break;
                }
                Err(_) => return Err(malformed()),
            };
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    input.too_large = true;
                    break;
                }
                Err(_) => return Err(malformed()),
            };
            let text = || String::from_utf8_lossy(&bytes).trim().to_string();
            match name.as_str() {
                "file" if !file_name.is_empty() || !bytes.is_empty() => {
                    input.file = Some((file_name, bytes.to_vec()));
                }
                "kind" => input.kind = text(),
                "encoding" => input.encoding = text(),
                "upload" => input.upload = text(),
                "file_name" => input.file_name = text(),
                "action" => input.action = text(),
                n if n.starts_with("map.") => {
                    let v = text();
                    // `0` is the "not used" choice.
                    if v != "0" && !v.is_empty() {
                        input
                            .map
                            .push((n.trim_start_matches("map.").to_string(), v));
                    }
                }
                _ => {}
            }
        }
        Ok(input)
    }
}

/// Checks the chosen (or the already checked) file, and imports it when asked and clean.
async fn submit(cx: Cx, input: ImportInput) -> AppResult<Response> {
    may(&cx)?;
    let kind = Kind::parse(&input.kind).unwrap_or(Kind::Ledger);
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
    let upload = Upload {
        name: &name,
        bytes: &bytes,
        encoding,
        map: &input.map,
    };
    let (result, done) = if input.action == "import" {
        import::import(&cx.st, &cx.u, kind, &upload, &|| {}).await?
    } else {
        (import::check(&cx.st, &cx.u, kind, &upload).await?, None)
    };
    // A file that reads is kept for the import that follows its check (or for choosing its
    // columns again); one refused is not.
    if !matches!(result, Err(Refused::File(_))) && done.is_none() {
        import::keep(&cx.st, cx.u.user.id, &bytes).await?;
    }
    if let Some(run) = done {
        let to = format!("/imports?kind={}&done={}", kind.as_str(), run.id);
        return Ok(Redirect::to(&to).into_response());
    }
    let mut p = page(&cx, kind, enc_name).await?;
    let status = match result {
        Ok(c) => {
            let status = match (input.action == "import", c.is_clean()) {
                (true, _) | (false, false) => StatusCode::UNPROCESSABLE_ENTITY,
                (false, true) => StatusCode::OK,
            };
            p.checked = Some(view(p.t, kind, &name, &c));
            status
        }
        Err(Refused::File(e)) => {
            p.errors = cx.errors(&[FieldError::new("file", e.code())]);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(Refused::Mapping(errs, headers)) => {
            p.errors = cx.errors(&errs);
            p.checked = Some(mapping_view(
                kind, &name, &upload, &headers, &input.map, p.t,
            ));
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok((status, p).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/imports",
        get(form)
            .post(submit)
            .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)),
    )
}
