//! Evidence upload and download, for pages and API alike (their bodies need a larger limit).

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::evidence as ops;
use crate::state::AppState;
use crate::web::Path;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gaibu_store::EvidenceRow;

/// Routes whose bodies may carry a file of up to `max_upload` bytes.
pub fn routes(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/evidence", post(upload_page))
        .route(
            "/api/v1/applications/{id}/evidence",
            post(upload_api).get(list_api),
        )
        .route(
            "/contractor/submissions/{id}/evidence",
            post(contractor_upload_page),
        )
        .route(
            "/api/v1/contractor/submissions/{id}/evidence",
            post(contractor_upload_api),
        )
        .layer(DefaultBodyLimit::max(max_upload + 256 * 1024))
        .route("/evidence/{id}", get(download))
        .route("/api/v1/evidence/{id}/content", get(download))
        .route("/evidence/{id}/remove", post(remove_page))
        .route("/contractor/evidence/{id}", get(contractor_download))
        .route("/contractors/evidence/{id}", get(contractor_download))
}

async fn upload_page(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let up = ops::read_upload(mp).await?;
    ops::add(&st, &u, id, up).await?;
    Ok(Redirect::to(&format!("/applications/{id}#evidence")).into_response())
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/evidence",
    request_body(content_type = "multipart/form-data", description = "file, item_key, expires_on, note"),
    responses((status = 201, body = EvidenceRow), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upload_api(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let up = ops::read_upload(mp).await?;
    let row = ops::add(&st, &u, id, up).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/v1/applications/{id}/evidence", responses((status = 200, body = Vec<EvidenceRow>)))]
pub async fn list_api(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<EvidenceRow>>> {
    crate::applications::get(&st, &u, id).await?;
    Ok(Json(st.store.evidence_of(id).await?))
}

async fn download(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (e, bytes) = ops::download(&st, &u, id).await?;
    Ok(file_response(e.id, &e.filename, &e.content_type, bytes))
}

async fn contractor_download(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (e, bytes) = crate::contractors::download_evidence(&st, &u, id).await?;
    Ok(file_response(e.id, &e.filename, &e.content_type, bytes))
}

async fn contractor_upload_page(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let up = ops::read_upload(mp).await?;
    crate::contractors::add_evidence(&st, &u, id, up).await?;
    Ok(Redirect::to(&format!("/contractor/submissions/{id}")).into_response())
}

#[utoipa::path(post, path = "/api/v1/contractor/submissions/{id}/evidence",
    request_body(content_type = "multipart/form-data", description = "file, expires_on, note"),
    responses((status = 201, body = gaibu_store::SubmissionEvidenceRow), (status = 422, body = crate::error::ErrorBody)))]
pub async fn contractor_upload_api(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let up = ops::read_upload(mp).await?;
    let row = crate::contractors::add_evidence(&st, &u, id, up).await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

/// A stored file as an attachment, with its name in UTF-8 (RFC 6266).
fn file_response(id: i64, filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"evidence-{id}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn remove_page(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = ops::remove(&st, &u, id).await?;
    Ok(Redirect::to(&format!("/applications/{}#evidence", e.application_id)).into_response())
}
