//! The city's directory through the API (issue 11): its settings, a dry run of the sync, and
//! the sync of exactly what a dry run showed. The System Administrator's only.

use super::extract::{Caller, Sent, routes_of};
use super::{Forbidden, Refusals};
use crate::directory::{self, SyncError, Synced};
use crate::error::{AppError, AppResult, Bilingual};
use crate::people::require_system_administrator;
use crate::state::AppState;
use axum::Json;
use axum::response::{IntoResponse, Response};
use gaibu_domain::directory::{DirectorySettings, Plan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    routes_of!(settings, save_settings; dry_run; sync)
}

#[utoipa::path(get, path = "/api/v1/directory/settings", tag = "directory",
    responses((status = 200, body = DirectorySettings), Forbidden))]
async fn settings(c: Caller) -> AppResult<Json<DirectorySettings>> {
    require_system_administrator(&c.st, &c.u, "directory.settings").await?;
    Ok(Json(directory::settings::current(&c.st).await?))
}

#[utoipa::path(put, path = "/api/v1/directory/settings", tag = "directory",
    request_body = DirectorySettings,
    responses((status = 200, body = DirectorySettings), Refusals))]
async fn save_settings(c: Sent<DirectorySettings>) -> AppResult<Json<DirectorySettings>> {
    require_system_administrator(&c.st, &c.u, "directory.settings").await?;
    directory::settings::save(&c.st, &c.u.who(), &c.body).await?;
    Ok(Json(directory::settings::current(&c.st).await?))
}

/// A move or leaver the personnel rotation cannot make, and why.
#[derive(Serialize, ToSchema)]
pub struct RotationError {
    pub login: String,
    pub field: String,
    pub code: &'static str,
    pub message: Bilingual,
}

#[derive(Serialize, ToSchema)]
pub struct DryRunAnswer {
    /// Send it as `expect` to sync exactly these changes.
    pub fingerprint: String,
    /// Whether the sync may go ahead (every move and leaver can be made).
    pub clean: bool,
    pub plan: Plan,
    pub rotation_errors: Vec<RotationError>,
}

/// Reads the directory and answers what a sync would change; writes nothing. A directory that
/// cannot be read is answered 502 with the reason in `error.detail`.
#[utoipa::path(post, path = "/api/v1/directory/dry-run", tag = "directory",
    responses((status = 200, body = DryRunAnswer), (status = 502, body = crate::error::ErrorBody),
        Refusals))]
async fn dry_run(c: Caller) -> Result<Json<DryRunAnswer>, Response> {
    require_system_administrator(&c.st, &c.u, "directory.dry_run")
        .await
        .map_err(IntoResponse::into_response)?;
    let run = directory::dry_run(&c.st, &c.u.who())
        .await
        .map_err(refused)?;
    let rotation_errors = run
        .rotation
        .plan
        .errors()
        .map(|(i, e)| RotationError {
            login: run
                .rotation
                .moves
                .get(i)
                .map(|m| m.login.clone())
                .unwrap_or_default(),
            field: e.field.to_string(),
            code: e.code,
            message: Bilingual::of(crate::i18n::error_msg(e.code)),
        })
        .collect();
    Ok(Json(DryRunAnswer {
        fingerprint: run.fingerprint.clone(),
        clean: run.is_clean(),
        plan: run.plan,
        rotation_errors,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SyncInput {
    /// The dry run's fingerprint: the sync is refused (409 `directory_changed`) when the
    /// changes are no longer those. Omitted: whatever the directory says now.
    pub expect: Option<String>,
}

/// Reads the directory again and applies its changes: new users, names and mail, moves and
/// leavers as a personnel rotation; audited. Nothing changes when the directory cannot be read
/// (502, the reason in `error.detail`).
#[utoipa::path(post, path = "/api/v1/directory/sync", tag = "directory",
    request_body = SyncInput,
    responses((status = 200, body = Synced), (status = 502, body = crate::error::ErrorBody),
        Refusals))]
async fn sync(c: Sent<SyncInput>) -> Result<Json<Synced>, Response> {
    require_system_administrator(&c.st, &c.u, "directory.sync")
        .await
        .map_err(IntoResponse::into_response)?;
    let done = directory::sync(&c.st, &c.u.who(), c.body.expect.as_deref())
        .await
        .map_err(refused)?;
    Ok(Json(done))
}

/// The error's answer, with what the directory or the network said in `error.detail`.
fn refused(e: SyncError) -> Response {
    let (e, detail): (AppError, Option<String>) = e.app();
    let Some(detail) = detail else {
        return e.into_response();
    };
    let status = e.status();
    let mut body = serde_json::to_value(e.body()).unwrap_or_default();
    if let Some(error) = body.get_mut("error").and_then(|v| v.as_object_mut()) {
        error.insert("detail".into(), detail.into());
    }
    (status, Json(body)).into_response()
}
