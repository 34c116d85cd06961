//! The External Service Usage Standard (外部サービス利用基準) as code.
//!
//! Pure rules: no clock, no database, no network. Every decision takes the current state,
//! the actor, the input and `now`, and returns the new state or a typed refusal. Clause IDs
//! (the list is `docs/clauses.md`, a copy of the standard's clause index) are named next to the rules and in their tests.

pub mod account;
pub mod administrator;
pub mod application;
pub mod audit;
pub mod calendar;
pub mod capability;
pub mod check_order;
pub mod classification;
#[cfg(test)]
mod clause_tests;
pub mod contractor;
pub mod deadline;
pub mod directory;
pub mod effects;
pub mod error;
pub mod evaluation;
pub mod evidence;
pub mod import;
pub mod ismap;
pub mod ledger;
pub mod measures;
pub mod policy;
pub mod procurement;
pub mod recheck;
pub mod review;
pub mod role;
pub mod rotation;
pub mod service_life;
pub mod sheet;
pub mod signin;
pub mod termination;
#[cfg(test)]
mod testing;

pub use error::{FieldError, Refusal};

/// Named values (states, tracks, roles …) read as their stored names.
macro_rules! named {
    ($($t:ty),* $(,)?) => {
        $(
            impl std::fmt::Display for $t {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            impl AsRef<str> for $t {
                fn as_ref(&self) -> &str {
                    self.as_str()
                }
            }
        )*
    };
}

named!(
    application::State,
    classification::Track,
    ledger::LedgerStatus,
    contractor::SubmissionState,
    role::Role,
    review::Decision,
    policy::PolicyStatus,
    account::AccountKind,
    account::AccountStatus,
    effects::NoticeKind,
    audit::Action,
    service_life::MeasureStatus,
    deadline::DeadlineKind,
    termination::TerminationState,
    termination::DisposalMethod,
    recheck::Trigger,
    recheck::RecheckState,
    recheck::ActionState,
    calendar::DateStyle,
);
