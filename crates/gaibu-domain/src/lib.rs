//! The External Service Usage Standard (外部サービス利用基準) as code.
//!
//! Pure rules: no clock, no database, no network. Every decision takes the current state,
//! the actor, the input and `now`, and returns the new state or a typed refusal. Clause IDs
//! (see `shared/spec/clauses.md`) are named next to the rules and in their tests.

pub mod account;
pub mod application;
pub mod audit;
pub mod classification;
pub mod contractor;
pub mod error;
pub mod evaluation;
pub mod evidence;
pub mod ledger;
pub mod policy;
pub mod procurement;
pub mod review;
pub mod role;
pub mod sheet;

pub use error::{DomainError, FieldError, Refusal};
