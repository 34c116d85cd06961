//! The personnel rotation (issue 11). `/admin/rotation`: the System Administrator loads a list
//! of moves, sees what each would change, and applies it (the file kept by its SHA-256 between
//! the check and the apply, as the import page does, so the apply reads what was checked).
//! `/rotation/successors`: services awaiting a successor administrator, designated several at
//! once. `/rotation/accounts`: leavers' official accounts to close or hand over.

use super::{Cx, FieldErrors, PageCtx, show};
use crate::dates::Stamp;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::Tr;
use crate::import::table::{Encoding, Limits, column_name};
use crate::import::{self, MappingFrom, Refused};
use crate::rotation::{file, view::MoveView, view::views};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequest, Multipart, Query, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gaibu_domain::FieldError;
use gaibu_domain::role::Role;
use gaibu_store::RotationMoveRow;
use gaibu_store::page::{Dir, PageAsk};

mod successors;

const BODY_LIMIT: usize = 21 * 1024 * 1024;

#[derive(Template, WebTemplate)]
#[template(path = "rotation.html")]
struct RotationPage {
    t: Tr,
    page: PageCtx,
    encoding: &'static str,
    notice: String,
    errors: FieldErrors,
    checked: Option<CheckView>,
    moves: Vec<(RotationMoveRow, String)>,
}

/// A checked file as the page shows it.
struct CheckView {
    file_name: String,
    sha256: String,
    from: MappingFrom,
    /// Each field: key, label, required, the chosen column (1-based, 0 for none).
    fields: Vec<(&'static str, &'static str, bool, usize)>,
    columns: Vec<(usize, String)>,
    moves: Vec<MoveView>,
    summary: String,
    clean: bool,
}

impl RotationPage {
    fn when(&self, t: &jiff::Timestamp) -> Stamp {
        self.t.when(t)
    }
    fn state_label(&self, s: &str) -> &'static str {
        match s {
            "pending" => self.t.rotation_state_pending(),
            "failed" => self.t.rotation_state_failed(),
            _ => self.t.rotation_state_applied(),
        }
    }
    fn mapping_origin(&self, c: &CheckView) -> &'static str {
        match c.from {
            MappingFrom::Confirmed => self.t.import_from_confirmed(),
            MappingFrom::Remembered => self.t.import_from_remembered(),
            MappingFrom::Guessed => self.t.import_from_guessed(),
        }
    }
    fn error_text(&self, code: &Option<String>) -> String {
        code.as_deref().map(|c| self.t.error(c)).unwrap_or_default()
    }
}

fn fields(t: Tr, chosen: impl Fn(&str) -> usize) -> Vec<(&'static str, &'static str, bool, usize)> {
    file::targets()
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

async fn page(cx: &Cx, encoding: &'static str) -> AppResult<RotationPage> {
    let page = cx.page("/admin/rotation");
    let t = page.t;
    let ask = PageAsk {
        sort: "id".into(),
        dir: Dir::Desc,
        limit: 50,
        after: None,
    };
    let units = crate::auth::org_units(&cx.st).await?;
    let rows = cx.st.store.rotation_move_page(None, &ask).await?.items;
    let moves = rows
        .into_iter()
        .map(|m| {
            let to = match m.leaves {
                true => t.rotation_leaves_city().to_string(),
                false => format!(
                    "{} {}",
                    units
                        .iter()
                        .find(|u| u.code == m.org_unit_code)
                        .map(|u| t.pick(&u.name_ja, &u.name_en).to_string())
                        .unwrap_or_else(|| m.org_unit_code.clone()),
                    m.position
                ),
            };
            (m, to)
        })
        .collect();
    Ok(RotationPage {
        t,
        page,
        encoding,
        notice: String::new(),
        errors: FieldErrors::default(),
        checked: None,
        moves,
    })
}

/// The rotation is the System Administrator's; anyone else is refused, and the refusal
/// audited as the API's is.
async fn may(cx: &Cx) -> AppResult<()> {
    crate::people::require_system_administrator(&cx.st, &cx.u, "rotation.apply").await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Shown {
    applied: Option<usize>,
    scheduled: Option<usize>,
}

async fn form(cx: Cx, Query(q): Query<Shown>) -> AppResult<Response> {
    may(&cx).await?;
    let mut p = page(&cx, "auto").await?;
    if let (Some(a), Some(s)) = (q.applied, q.scheduled) {
        p.notice =
            p.t.rotation_applied()
                .replace("{applied}", &a.to_string())
                .replace("{scheduled}", &s.to_string());
    }
    show(p)
}

async fn template(cx: Cx) -> AppResult<Response> {
    may(&cx).await?;
    let body = file::template_csv(cx.t());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rotation.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// What the form sends.
#[derive(Default)]
struct RotationInput {
    encoding: String,
    file: Option<(String, Vec<u8>)>,
    upload: String,
    file_name: String,
    map: Vec<(String, String)>,
    action: String,
    too_large: bool,
}

impl<S: Send + Sync> FromRequest<S> for RotationInput {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        // Only the System Administrator's body is read.
        let allowed = req
            .extensions()
            .get::<crate::auth::CurrentUser>()
            .is_some_and(|u| u.has_role(Role::SystemAdministrator));
        if !allowed {
            return Ok(RotationInput::default());
        }
        let malformed = || AppError::Refused(ErrorCode::MalformedForm);
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| malformed())?;
        let mut input = RotationInput::default();
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
                "encoding" => input.encoding = text(),
                "upload" => input.upload = text(),
                "file_name" => input.file_name = text(),
                "action" => input.action = text(),
                n if n.starts_with("map.") => {
                    let v = text();
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

/// Checks the chosen (or the already checked) file, and applies it when asked and clean.
async fn submit(cx: Cx, input: RotationInput) -> AppResult<Response> {
    may(&cx).await?;
    let (encoding, enc_name) = match input.encoding.as_str() {
        "utf-8" => (Encoding::Utf8, "utf-8"),
        "shift_jis" => (Encoding::ShiftJis, "shift_jis"),
        _ => (Encoding::Detect, "auto"),
    };
    let refuse = async |field: &str, code: &'static str| -> AppResult<Response> {
        let mut p = page(&cx, enc_name).await?;
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
    let checked = file::check(&cx.st, &name, &bytes, encoding, &input.map, cx.st.today()).await?;
    let mut p = page(&cx, enc_name).await?;
    let t = p.t;
    let c = match checked {
        Ok(c) => c,
        Err(Refused::File(e)) => {
            p.errors = cx.errors(&[FieldError::new("file", e.code())]);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
        Err(Refused::Mapping(errs, headers)) => {
            p.errors = cx.errors(&errs);
            // Kept once read: the mapping is chosen again for this file.
            import::keep(&cx.st, cx.u.user.id, &bytes).await?;
            let chosen = |key: &str| {
                input
                    .map
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0)
            };
            p.checked = Some(CheckView {
                file_name: name,
                sha256: import::sha256_hex(&bytes),
                from: MappingFrom::Confirmed,
                fields: fields(t, chosen),
                columns: columns(&headers),
                moves: Vec::new(),
                summary: String::new(),
                clean: false,
            });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    if input.action == "apply" && c.is_clean() {
        let done = file::apply(&cx.st, &cx.u.who(), &name, &c).await?;
        let to = format!(
            "/admin/rotation?applied={}&scheduled={}",
            done.applied, done.scheduled
        );
        return Ok(Redirect::to(&to).into_response());
    }
    // Kept once read, for the apply that follows the preview.
    import::keep(&cx.st, cx.u.user.id, &bytes).await?;
    let units = crate::auth::org_units(&cx.st).await?;
    let moves = views(t, &units, &c.preview, Some(&c));
    let planned: Vec<_> = c.preview.plan.planned().map(|(_, p)| p).collect();
    let summary = t
        .rotation_summary()
        .replace("{moves}", &moves.len().to_string())
        .replace(
            "{scheduled}",
            &planned.iter().filter(|p| p.scheduled).count().to_string(),
        )
        .replace(
            "{unchanged}",
            &planned.iter().filter(|p| p.unchanged).count().to_string(),
        );
    let clean = c.is_clean();
    p.checked = Some(CheckView {
        file_name: name,
        sha256: c.prepared.sha256.clone(),
        from: c.prepared.from,
        fields: fields(t, |key| c.prepared.mapping.column(key).map_or(0, |i| i + 1)),
        columns: columns(&c.prepared.table.headers),
        moves,
        summary,
        clean,
    });
    let status = match clean && input.action != "apply" {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok((status, p).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/rotation",
            get(form)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/admin/rotation/template.csv", get(template))
        .route(
            "/rotation/successors",
            get(successors::list).post(successors::save),
        )
        .route("/rotation/accounts", get(successors::accounts))
        .route(
            "/rotation/accounts/{id}/hand-over",
            post(successors::hand_over),
        )
}
