//! Typed refusals. Each carries a stable machine code; the shell translates codes into
//! the user's language, so no user-facing text lives here.

/// A problem with one input field: `field` names it, `code` says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
        }
    }
}

/// Why a decision was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor lacks the role (or scope) for this move.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The record's state does not allow this move.
    #[error("conflict: {0}")]
    Conflict(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
}

impl From<Refusal> for DomainError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Forbidden(c) => DomainError::Forbidden(c),
            Refusal::Conflict(c) => DomainError::Conflict(c),
        }
    }
}
