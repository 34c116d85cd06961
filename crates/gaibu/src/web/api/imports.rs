//! Imports (issue 11): a ledger or usage-register file sent as the request's body, checked row
//! by row (`check=true`) or imported all or nothing — what the import page does.

use super::Refusals;
use super::extract::Caller;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::import::table::{Encoding, Limits};
use crate::import::{self, Checked, Doing, Kind, MappingFrom, Refused, Upload};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gaibu_domain::FieldError;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(utoipa_axum::routes!(import_file))
        .layer(axum::extract::DefaultBodyLimit::max(
            Limits::default().max_bytes + 1024,
        ))
}

/// How to read the file, in the query string.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; the handler reads it raw for the `map.*` pairs
struct ImportQuery {
    /// The file's name, as the import run and the audit trail keep it
    name: String,
    /// `true`: check every row and write nothing
    check: Option<bool>,
    /// A CSV file's encoding: `auto` (default), `utf-8` or `shift_jis`
    encoding: Option<String>,
    /// `map.<field>=<column>` (a letter or a 1-based number) for each field; without any, the
    /// mapping confirmed last for these headers, else the one the headers suggest
    #[param(rename = "map.name")]
    map: Option<String>,
}

/// One row of the file and what it does, or its errors.
#[derive(Serialize, ToSchema)]
pub struct ImportLine {
    row: usize,
    /// `create`, `update`, `unchanged` or `error`
    action: &'static str,
    /// The record's id (update, unchanged) and name (create, update)
    id: Option<i64>,
    name: Option<String>,
    errors: Vec<ImportCellError>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportCellError {
    field: &'static str,
    /// The column as the file names it: letter and header, e.g. `C (所属)`
    column: String,
    code: &'static str,
    message: String,
}

/// The outcome: what each row does, and the import run when the file was written.
#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    kind: &'static str,
    sha256: String,
    rows: usize,
    /// `confirmed`, `remembered` or `guessed`
    mapping_from: &'static str,
    /// Field → column letter
    mapping: BTreeMap<String, String>,
    create: usize,
    update: usize,
    unchanged: usize,
    errors: usize,
    lines: Vec<ImportLine>,
    /// The run, when written: its id, and how many records it created and updated
    import: Option<ImportRun>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportRun {
    id: i64,
    created: i64,
    updated: i64,
}

#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "imports",
    description = "Sends a ledger (`ledger`, S5.2.2-3), usage-register (`register`, S5.2.1-5) or \
    official-accounts (`accounts`, S5.2.2-4) file, .xlsx or CSV, as the body. With `check=true` nothing is written; otherwise a file whose \
    every row is good is imported in one transaction (201) and one with any bad row is not (422, \
    with every error's row and column). The same file imported twice creates nothing new.",
    params(("kind" = String, Path, description = "`ledger`, `register` or `accounts`"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportResult, description = "Checked"),
        (status = 201, body = ImportResult, description = "Imported"), Refusals))]
async fn import_file(
    c: Caller,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> AppResult<Response> {
    let kind = Kind::parse(&kind).ok_or(AppError::NotFound)?;
    // Refused (and audited) before the body is looked at.
    crate::audit_denial::ruled(
        &c.st,
        &c.u,
        gaibu_domain::import::may_import(&c.u.actor),
        "import",
        gaibu_domain::audit::Entity::Import,
        None,
    )
    .await?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let name = get("name").unwrap_or("upload").to_string();
    let check = get("check") == Some("true");
    let encoding = match get("encoding").map(Encoding::parse) {
        None => Encoding::Detect,
        Some(Some(e)) => e,
        Some(None) => return Err(invalid("encoding", "invalid_choice")),
    };
    let map: Vec<(String, String)> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map.")?.to_string(), v.clone())))
        .collect();
    let upload = Upload {
        name: &name,
        bytes: &body,
        encoding,
        map: &map,
    };
    let (result, done) = if check {
        (import::check(&c.st, &c.u, kind, &upload).await?, None)
    } else {
        import::import(&c.st, &c.u, kind, &upload, &|| {}).await?
    };
    let checked = match result {
        Ok(c) => c,
        Err(Refused::File(e)) => return Err(invalid("file", e.code())),
        Err(Refused::Mapping(errs, _)) => return Err(AppError::Invalid(errs)),
    };
    let t = Tr::new(c.u.lang);
    let status = match (&done, checked.is_clean()) {
        (Some(_), _) => StatusCode::CREATED,
        (None, true) if check => StatusCode::OK,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let out = result_of(kind, &checked, done.as_ref(), t);
    Ok((status, Json(out)).into_response())
}

fn invalid(field: &str, code: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

fn result_of(
    kind: Kind,
    c: &Checked,
    done: Option<&gaibu_store::ImportRow>,
    t: Tr,
) -> ImportResult {
    let [create, update, unchanged, errors] = import::counts(&c.lines);
    let lines = c
        .lines
        .iter()
        .map(|l| {
            let (action, id, name, errors) = match &l.what {
                Ok(Doing::Create(n)) => ("create", None, Some(n.clone()), Vec::new()),
                Ok(Doing::Update(id, n)) => ("update", Some(*id), Some(n.clone()), Vec::new()),
                Ok(Doing::Unchanged(id)) => ("unchanged", Some(*id), None, Vec::new()),
                Err(errs) => (
                    "error",
                    None,
                    None,
                    errs.iter()
                        .map(|e| ImportCellError {
                            field: e.field,
                            column: c.mapping.place(&c.table, e.field),
                            code: e.code,
                            message: t.error(e.code),
                        })
                        .collect(),
                ),
            };
            ImportLine {
                row: l.row,
                action,
                id,
                name,
                errors,
            }
        })
        .collect();
    ImportResult {
        kind: kind.as_str(),
        sha256: c.sha256.clone(),
        rows: c.table.rows.len(),
        mapping_from: match c.from {
            MappingFrom::Confirmed => "confirmed",
            MappingFrom::Remembered => "remembered",
            MappingFrom::Guessed => "guessed",
        },
        mapping: c
            .mapping
            .0
            .iter()
            .map(|(k, i)| (k.clone(), crate::import::table::column_name(*i)))
            .collect(),
        create,
        update,
        unchanged,
        errors,
        lines,
        import: done.map(|r| ImportRun {
            id: r.id,
            created: r.created,
            updated: r.updated,
        }),
    }
}
