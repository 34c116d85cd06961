//! What every API handler shares: JSON and multipart bodies whose rejections answer in the
//! API's error shape, the record version of a change, and the `201 Created` answer.

use crate::error::{AppError, ErrorCode};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, RequestExt};
use serde::Deserialize;
use utoipa::ToSchema;

/// JSON bodies whose rejections answer with the API's error shape, checked for control
/// characters and size like every other input.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let Json(v) = Json::<serde_json::Value>::from_request(req, state).await?;
        // Every body the API takes is an object; serde would read a struct from an array too.
        if !v.is_object() {
            return Err(AppError::Refused(ErrorCode::MalformedJson));
        }
        crate::error::check_json_text(&v)?;
        check_version(&v)?;
        serde_json::from_value(v).map(ApiJson).map_err(|e| {
            tracing::debug!(error = %e, "JSON of the wrong shape");
            AppError::Refused(ErrorCode::MalformedJson)
        })
    }
}

/// A record version is a positive integer: anything else is a malformed request (400), not a
/// stale one (409).
fn check_version(v: &serde_json::Value) -> Result<(), AppError> {
    match v.get("version") {
        None => Ok(()),
        Some(n) if n.as_i64().is_some_and(|n| n >= 1) => Ok(()),
        Some(_) => Err(AppError::Refused(ErrorCode::InvalidVersion)),
    }
}

/// A multipart body; one without a boundary or otherwise unreadable is a 400 in the API's
/// error shape.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;
    async fn from_request(req: Request, _state: &S) -> Result<Self, AppError> {
        req.extract::<Multipart, _>()
            .await
            .map(ApiMultipart)
            .map_err(|r| {
                tracing::debug!(rejection = %r, "malformed multipart body");
                AppError::Refused(ErrorCode::MalformedMultipart)
            })
    }
}

/// The version of the record a change is based on (optimistic versioning).
#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionBody {
    /// The `version` of the record as last read.
    #[schema(minimum = 1)]
    pub version: i64,
}

/// `201 Created` with the new record.
pub fn created<T: serde::Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Query parameters whose rejection answers in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
    for ApiQuery<T>
{
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r| {
                tracing::debug!(rejection = %r, "malformed query");
                AppError::Refused(ErrorCode::MalformedQuery)
            })
    }
}
