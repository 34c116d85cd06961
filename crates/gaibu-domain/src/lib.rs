//! The External Service Usage Standard (外部サービス利用基準) as code.
//!
//! Pure rules: no clock, no database, no network. Every decision takes the current state,
//! the actor, the input and `now`, and returns the new state or a typed refusal. Clause IDs
//! (the list is `docs/clauses.md`, a copy of the standard's clause index) are named next to the rules and in their tests.

pub mod account;
pub mod application;
pub mod audit;
pub mod classification;
pub mod capability;
pub mod contractor;
pub mod error;
pub mod effects;
pub mod evaluation;
pub mod evidence;
pub mod ledger;
pub mod policy;
pub mod procurement;
pub mod review;
pub mod role;
pub mod sheet;

pub use error::{FieldError, Refusal};
