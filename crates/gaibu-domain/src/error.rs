//! The one refusal type of the domain. Each carries a stable machine code; the shell translates
//! codes into the user's language, so no user-facing text lives here.

use crate::sheet::ItemProblem;

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

/// Why a move was refused. Every rule of the domain answers with this one type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor lacks the role (or scope) for this move.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The record's state does not allow this move.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Input fields of the wrong form.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A class-1 approval with the sheet incomplete or a blocking "no" (S5.2.2-1).
    #[error("requirement sheet not met")]
    SheetNotMet(Vec<ItemProblem>),
    /// A submission with the sheet, evaluation or procurement record incomplete, item by item.
    #[error("incomplete")]
    Incomplete(Vec<ItemProblem>),
}

impl Refusal {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, code: &'static str) -> Self {
        Refusal::Invalid(vec![FieldError::new(field, code)])
    }
}
