//! The one error type of the web and CLI boundary, and its mapping to HTTP.
//!
//! An `AppError` answers as JSON with a stable `code` and messages in Japanese and English.
//! On HTML routes a middleware (`web::pages::render_error_pages`) turns the same error into a
//! page in the user's language, so handlers never choose a format.

use crate::i18n::{Lang, message};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gaibu_domain::sheet::ItemProblem;
use gaibu_domain::{DomainError, FieldError, Refusal};
use gaibu_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
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
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::RouteNotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_)
            | AppError::Stale
            | AppError::SheetNotMet(_)
            | AppError::Incomplete(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(c) | AppError::Conflict(c) | AppError::BadRequest(c) => c,
            AppError::NotFound => "not_found",
            AppError::RouteNotFound => "route_not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Stale => "stale_version",
            AppError::Invalid(_) => "invalid_input",
            AppError::SheetNotMet(_) => "sheet_not_met",
            AppError::Incomplete(_) => "submission_incomplete",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> ErrorBody {
        let fields = match self {
            AppError::Invalid(f) => f
                .iter()
                .map(|f| FieldMessage {
                    field: f.field.clone(),
                    code: f.code,
                    message: Bilingual::of(&format!("error.{}", f.code)),
                })
                .collect(),
            _ => vec![],
        };
        let items = match self {
            AppError::SheetNotMet(p) | AppError::Incomplete(p) => p
                .iter()
                .map(|p| ItemMessage {
                    item: p.item.clone(),
                    code: p.code,
                    message: Bilingual::of(&format!("error.{}", p.code)),
                })
                .collect(),
            _ => vec![],
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: Bilingual::of(&format!("error.{}", self.code())),
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
    pub fn of(key: &str) -> Self {
        Bilingual {
            ja: message(Lang::Ja, key),
            en: message(Lang::En, key),
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
            StoreError::Stale => AppError::Stale,
            StoreError::NotFound => AppError::NotFound,
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
                    AppError::Conflict("duplicate_role")
                } else {
                    AppError::Conflict("duplicate")
                }
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(f) => AppError::Invalid(f),
            DomainError::Forbidden(c) => AppError::Forbidden(c),
            DomainError::Conflict(c) => AppError::Conflict(c),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Forbidden(c) => AppError::Forbidden(c),
            Refusal::Conflict(c) => AppError::Conflict(c),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        tracing::debug!(rejection = %r, "malformed JSON");
        AppError::BadRequest("malformed_json")
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
        return Err(AppError::BadRequest("invalid_characters"));
    }
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::BadRequest("text_too_long"));
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
