//! Evidence upload and download for the pages (their bodies need a larger limit); the API's
//! are in `api::evidence`.

use super::api::OnRecord;
use crate::error::AppResult;
use crate::evidence as ops;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// Routes whose bodies may carry a file of up to `max_upload` bytes.
pub fn routes(max_upload: usize) -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/evidence", post(upload_page))
        .route(
            "/contractor/submissions/{id}/evidence",
            post(contractor_upload_page),
        )
        .layer(DefaultBodyLimit::max(max_upload + 256 * 1024))
        .route("/evidence/{id}", get(download))
        .route("/evidence/{id}/remove", post(remove_page))
        .route("/contractor/evidence/{id}", get(contractor_download))
        .route("/contractors/evidence/{id}", get(contractor_download))
}

async fn upload_page(c: OnRecord, mp: Multipart) -> AppResult<Response> {
    ops::add(&c.st, &c.u, c.id, ops::read_upload(&c.st, mp).await?).await?;
    Ok(Redirect::to(&format!("/applications/{}#evidence", c.id)).into_response())
}

/// An application's evidence file, for the pages and the API.
pub(crate) async fn download(c: OnRecord) -> AppResult<Response> {
    let (e, content) = ops::download(&c.st, &c.u, c.id).await?;
    Ok(file_response(e.id, &e.filename, &e.content_type, content))
}

async fn contractor_download(c: OnRecord) -> AppResult<Response> {
    let (e, content) = crate::contractors::download_evidence(&c.st, &c.u, c.id).await?;
    Ok(file_response(e.id, &e.filename, &e.content_type, content))
}

async fn contractor_upload_page(c: OnRecord, mp: Multipart) -> AppResult<Response> {
    let up = ops::read_upload(&c.st, mp).await?;
    crate::contractors::add_evidence(&c.st, &c.u, c.id, up).await?;
    Ok(Redirect::to(&format!("/contractor/submissions/{}", c.id)).into_response())
}

/// A stored file as an attachment, with its name in UTF-8 (RFC 6266), streamed from storage
/// (its length announced, so that a stream broken on the way is seen as incomplete).
pub(crate) fn file_response(
    id: i64,
    filename: &str,
    content_type: &str,
    content: ops::Content,
) -> Response {
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
            (header::CONTENT_LENGTH, content.size.to_string()),
        ],
        content.body,
    )
        .into_response()
}

async fn remove_page(c: OnRecord) -> AppResult<Response> {
    let e = ops::remove(&c.st, &c.u, c.id).await?;
    Ok(Redirect::to(&format!("/applications/{}#evidence", e.application_id)).into_response())
}
