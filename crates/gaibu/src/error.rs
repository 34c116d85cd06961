//! The one error type of the web and CLI boundary, and its mapping to HTTP.
//!
//! An `AppError` answers as JSON with a stable `code` and messages in Japanese and English.
//! On HTML routes a middleware (`web::pages::render_error_pages`) turns the same error into a
//! page in the user's language, so handlers never choose a format.

mod code;

pub use code::ErrorCode;

use crate::i18n::{Msg, error_msg};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gaibu_domain::sheet::ItemProblem;
use gaibu_domain::{FieldError, Refusal};
use gaibu_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    /// A refusal of the rules, by the domain's code: 403.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    /// A path under `/api/` that no route serves.
    #[error("no such route")]
    RouteNotFound,
    /// A route that exists, with another method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The record's state does not allow the move, by the domain's code: 409.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("the record was changed by someone else")]
    Stale,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("requirement sheet not met")]
    SheetNotMet(Vec<ItemProblem>),
    /// A class-2+ submission with the sheet, evaluation or procurement record incomplete.
    #[error("submission incomplete")]
    Incomplete(Vec<ItemProblem>),
    /// A service put into operation with build-time measures unrecorded (S3.5.6): 409 naming them.
    #[error("build-time measures unrecorded")]
    MeasuresIncomplete(Vec<ItemProblem>),
    /// A refusal of the shell itself; the code fixes the status.
    #[error("refused: {0:?}")]
    Refused(ErrorCode),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The shell's code of this error; `None` for a refusal of the rules (a domain code).
    pub fn error_code(&self) -> Option<ErrorCode> {
        Some(match self {
            AppError::Forbidden(_) | AppError::Conflict(_) => return None,
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::RouteNotFound => ErrorCode::RouteNotFound,
            AppError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            AppError::Stale => ErrorCode::StaleVersion,
            AppError::Invalid(_) => ErrorCode::InvalidInput,
            AppError::SheetNotMet(_) => ErrorCode::SheetNotMet,
            AppError::Incomplete(_) => ErrorCode::SubmissionIncomplete,
            AppError::MeasuresIncomplete(_) => ErrorCode::MeasuresIncomplete,
            AppError::Refused(c) => *c,
            AppError::Internal(_) => ErrorCode::Internal,
        })
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            other => other
                .error_code()
                .map_or(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::status),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Forbidden(c) | AppError::Conflict(c) => c,
            other => other.error_code().map_or("internal", ErrorCode::as_str),
        }
    }

    fn message(&self) -> Msg {
        match self {
            AppError::Forbidden(c) | AppError::Conflict(c) => error_msg(c),
            other => other
                .error_code()
                .map_or(Msg::ErrorInternal, ErrorCode::message),
        }
    }

    pub fn body(&self) -> ErrorBody {
        let fields = match self {
            AppError::Invalid(f) => f
                .iter()
                .map(|f| FieldMessage {
                    field: f.field.clone(),
                    code: f.code,
                    message: Bilingual::of(error_msg(f.code)),
                })
                .collect(),
            _ => vec![],
        };
        let items = match self {
            AppError::SheetNotMet(p)
            | AppError::Incomplete(p)
            | AppError::MeasuresIncomplete(p) => p
                .iter()
                .map(|p| ItemMessage {
                    item: p.item.clone(),
                    code: p.code,
                    message: Bilingual::of(error_msg(p.code)),
                })
                .collect(),
            _ => vec![],
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: Bilingual::of(self.message()),
                fields,
                items,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bilingual {
    pub ja: String,
    pub en: String,
}

impl Bilingual {
    pub fn of(m: Msg) -> Self {
        Bilingual {
            ja: m.ja().to_string(),
            en: m.en().to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub code: &'static str,
    pub message: Bilingual,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemMessage {
    pub item: String,
    pub code: &'static str,
    pub message: Bilingual,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    pub code: &'static str,
    pub message: Bilingual,
    pub fields: Vec<FieldMessage>,
    pub items: Vec<ItemMessage>,
}

/// The JSON body of every error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// Put on an error response so the HTML layer can render it as a page.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.status();
        let body = self.body();
        let mut res = (status, axum::Json(&body)).into_response();
        res.extensions_mut().insert(ErrorInfo { status, body });
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // A wrong state seen only at write time is a lost race: someone changed it first.
            StoreError::Stale | StoreError::WrongState(_) => AppError::Stale,
            StoreError::NotFound => AppError::NotFound,
            StoreError::TooLarge { .. } => AppError::Refused(ErrorCode::RecordTooLarge),
            StoreError::Duplicate(what) => {
                // SQLite names columns, PostgreSQL names constraints: match either.
                let w = what.to_ascii_lowercase();
                if w.contains("accounts") {
                    AppError::Invalid(vec![FieldError::new("account_id", "duplicate_account")])
                } else if w.contains("login") {
                    AppError::Invalid(vec![FieldError::new("login", "duplicate_login")])
                } else if w.contains("org_units") {
                    AppError::Invalid(vec![FieldError::new("code", "duplicate_code")])
                } else if w.contains("role_assignments") {
                    AppError::Refused(ErrorCode::DuplicateRole)
                } else {
                    AppError::Refused(ErrorCode::Duplicate)
                }
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Forbidden(c) => AppError::Forbidden(c),
            Refusal::Conflict(c) => AppError::Conflict(c),
            Refusal::Invalid(f) => AppError::Invalid(f),
            Refusal::SheetNotMet(p) => AppError::SheetNotMet(p),
            Refusal::Incomplete(p) => AppError::Incomplete(p),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        tracing::debug!(rejection = %r, "malformed JSON");
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::Refused(ErrorCode::BodyTooLarge);
        }
        AppError::Refused(ErrorCode::MalformedJson)
    }
}

impl From<axum::extract::rejection::PathRejection> for AppError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        AppError::NotFound
    }
}

/// The longest text any single input may carry.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Input hygiene at the boundary: no control characters other than tab and newline (NUL is
/// refused by PostgreSQL and would be kept by SQLite), and no unbounded texts.
pub fn check_text(s: &str) -> Result<(), AppError> {
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::Refused(ErrorCode::InvalidCharacters));
    }
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::Refused(ErrorCode::TextTooLong));
    }
    Ok(())
}

/// Applies `check_text` to every string in a JSON document.
pub fn check_json_text(v: &serde_json::Value) -> Result<(), AppError> {
    match v {
        serde_json::Value::String(s) => check_text(s),
        serde_json::Value::Array(a) => a.iter().try_for_each(check_json_text),
        serde_json::Value::Object(m) => m.iter().try_for_each(|(k, v)| {
            check_text(k)?;
            check_json_text(v)
        }),
        _ => Ok(()),
    }
}
