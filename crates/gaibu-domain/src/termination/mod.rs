//! The end of use of a class-2+ service, with proof (S7.1-1…6, S3.7-2, S3.7-3).
//!
//! The administrator applies to the ISM (S7.1-1); once the ISM accepts, the administrator
//! retires the ledger entry (S7.1-2), the ISM marks the usage-register entry ended (S7.1-3), the
//! administrator records the disposal of the information with its proof (S7.1-4, S3.7-3), every
//! official account is closed (S7.1-5), the end-of-use measures are checked and recorded
//! (S3.7-2), and the administrator records that all of it was done (S7.1-6). A class-1 service
//! is retired directly (S7.2, `ledger::retire`).

use crate::classification::{Classification, Scheme, Track};
use crate::ledger::{LedgerStatus, Service};
use crate::role::{Actor, OrgTree, Role};
use crate::{FieldError, Refusal};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

mod proof;
pub use proof::*;

/// Where a termination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TerminationState {
    /// 申請中: waiting for the ISM (S7.1-1).
    Requested,
    /// 差戻し: the ISM sent it back; the administrator may apply again.
    Returned,
    /// 受理: the end-of-use steps are under way.
    Accepted,
    /// 完了: every step done and recorded (S7.1-6).
    Completed,
}

impl TerminationState {
    pub const ALL: [TerminationState; 4] = [
        TerminationState::Requested,
        TerminationState::Returned,
        TerminationState::Accepted,
        TerminationState::Completed,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            TerminationState::Requested => "requested",
            TerminationState::Returned => "returned",
            TerminationState::Accepted => "accepted",
            TerminationState::Completed => "completed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What the rules need to know of a termination.
#[derive(Debug, Clone, Default)]
pub struct Termination {
    pub state: Option<TerminationState>,
    pub ledger_retired: bool,
    pub register_ended: bool,
    pub disposal_recorded: bool,
    /// The ids of the end-of-use measures with a recorded status.
    pub measures_recorded: Vec<String>,
}

/// A move of the end of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminationMove {
    View,
    /// S7.1-1: the administrator applies to the ISM.
    Request,
    /// The ISM over the service's unit accepts or returns the request.
    Decide,
    /// S7.1-2: the administrator changes the ledger to 廃止済み.
    RetireLedger,
    /// S7.1-3: the ISM marks the usage-register entry ended.
    EndRegister,
    /// S7.1-4, S3.7-3: the administrator records the disposal and its proof.
    RecordDisposal,
    /// S3.7-2: the administrator records the end-of-use measures.
    RecordMeasures,
    /// S7.1-6: the administrator records that everything was done.
    Complete,
}

fn is_ism_over(s: &Service, actor: &Actor, tree: &OrgTree) -> bool {
    actor.has_role_over(Role::InformationSecurityManager, s.org_unit, tree)
}

fn accepted(t: Option<&Termination>) -> Result<(), Refusal> {
    match t.and_then(|t| t.state) {
        Some(TerminationState::Accepted) => Ok(()),
        Some(TerminationState::Completed) => Err(Refusal::Conflict("termination_completed")),
        _ => Err(Refusal::Conflict("termination_not_accepted")),
    }
}

/// Who may make a move of the end of use now. Permission first, then the state.
pub fn permits_termination(
    s: &Service,
    t: Option<&Termination>,
    actor: &Actor,
    tree: &OrgTree,
    m: TerminationMove,
) -> Result<(), Refusal> {
    let admin = s.administrator == actor.user_id;
    let ism = is_ism_over(s, actor, tree);
    match m {
        TerminationMove::View => {
            crate::ledger::permits_service(s, actor, tree, crate::ledger::ServiceMove::ViewDetails)
        }
        TerminationMove::Request => {
            if !admin {
                return Err(Refusal::Forbidden("administrator_required"));
            }
            if s.track != Track::Class2Plus {
                return Err(Refusal::Conflict("termination_class1_retires"));
            }
            match s.ledger_status {
                None => return Err(Refusal::Conflict("not_in_operation")),
                Some(LedgerStatus::Retired) => return Err(Refusal::Conflict("service_retired")),
                Some(_) => {}
            }
            match t.and_then(|t| t.state) {
                None | Some(TerminationState::Returned) => Ok(()),
                Some(_) => Err(Refusal::Conflict("termination_already_requested")),
            }
        }
        TerminationMove::Decide => {
            if !ism {
                return Err(Refusal::Forbidden("responsible_ism_required"));
            }
            if admin {
                return Err(Refusal::Forbidden("own_termination"));
            }
            match t.and_then(|t| t.state) {
                Some(TerminationState::Requested) => Ok(()),
                _ => Err(Refusal::Conflict("termination_not_requested")),
            }
        }
        TerminationMove::RetireLedger => {
            if !admin {
                return Err(Refusal::Forbidden("administrator_required"));
            }
            accepted(t)?;
            if t.is_some_and(|t| t.ledger_retired) || s.ledger_status == Some(LedgerStatus::Retired)
            {
                return Err(Refusal::Conflict("termination_ledger_done"));
            }
            Ok(())
        }
        TerminationMove::EndRegister => {
            if !ism {
                return Err(Refusal::Forbidden("responsible_ism_required"));
            }
            accepted(t)?;
            match t {
                Some(t) if t.register_ended => Err(Refusal::Conflict("termination_register_done")),
                // S7.1-3 follows S7.1-2: the register says ended once the ledger does.
                Some(t) if !t.ledger_retired => {
                    Err(Refusal::Conflict("termination_ledger_not_retired"))
                }
                _ => Ok(()),
            }
        }
        TerminationMove::RecordDisposal | TerminationMove::RecordMeasures => {
            if !admin {
                return Err(Refusal::Forbidden("administrator_required"));
            }
            accepted(t)
        }
        TerminationMove::Complete => {
            if !admin {
                return Err(Refusal::Forbidden("administrator_required"));
            }
            accepted(t)
        }
    }
}

/// The moves a person may make on a service's end of use now: the page's forms and the API's
/// answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TerminationCapabilities {
    pub view: bool,
    pub request: bool,
    pub decide: bool,
    pub retire_ledger: bool,
    pub end_register: bool,
    pub record_disposal: bool,
    pub record_measures: bool,
    pub complete: bool,
}

pub fn capabilities(
    s: &Service,
    t: Option<&Termination>,
    actor: &Actor,
    tree: &OrgTree,
) -> TerminationCapabilities {
    let ok = |m| permits_termination(s, t, actor, tree, m).is_ok();
    TerminationCapabilities {
        view: ok(TerminationMove::View),
        request: ok(TerminationMove::Request),
        decide: ok(TerminationMove::Decide),
        retire_ledger: ok(TerminationMove::RetireLedger),
        end_register: ok(TerminationMove::EndRegister),
        record_disposal: ok(TerminationMove::RecordDisposal),
        record_measures: ok(TerminationMove::RecordMeasures),
        complete: ok(TerminationMove::Complete),
    }
}

/// S3.7-3: highly confidential information (住民情報等) — the scheme's highest confidentiality
/// level, or information whose handling restrictions require encryption.
pub fn is_highly_confidential(scheme: &Scheme, c: &Classification) -> bool {
    let top = scheme.confidentiality.iter().map(|l| l.rank).max();
    let rank = scheme
        .confidentiality_level(&c.confidentiality)
        .map(|l| l.rank);
    let top_level = top.is_some_and(|t| rank == Some(t) && t > 1);
    top_level || c.handling.iter().any(|h| h == "encryption_required")
}

/// S7.1-1: the application for termination.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RequestInput {
    pub reason: String,
    /// The planned end of use (`YYYY-MM-DD`).
    pub planned_end_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub reason: String,
    pub planned_end_on: Date,
}

/// S7.1-1: the administrator applies, with the reason and the planned end date (not past).
pub fn request(
    s: &Service,
    t: Option<&Termination>,
    actor: &Actor,
    tree: &OrgTree,
    input: &RequestInput,
    today: Date,
) -> Result<Request, Refusal> {
    permits_termination(s, t, actor, tree, TerminationMove::Request)?;
    let mut errs = Vec::new();
    let reason = required("reason", &input.reason, &mut errs);
    let planned =
        crate::application::parse_date("planned_end_on", &input.planned_end_on, &mut errs);
    if planned.is_some_and(|d| d < today) {
        errs.push(FieldError::new("planned_end_on", "in_the_past"));
    }
    match planned {
        Some(planned_end_on) if errs.is_empty() => Ok(Request {
            reason,
            planned_end_on,
        }),
        _ => Err(Refusal::Invalid(errs)),
    }
}

fn required(field: &str, v: &str, errs: &mut Vec<FieldError>) -> String {
    let v = v.trim().to_string();
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
    }
    v
}

/// The ISM's answer to a request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DecisionInput {
    /// `accept` or `return`.
    pub decision: String,
    /// Required when returning.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub accept: bool,
    pub reason: String,
}

pub fn decide(
    s: &Service,
    t: Option<&Termination>,
    actor: &Actor,
    tree: &OrgTree,
    input: &DecisionInput,
) -> Result<Decision, Refusal> {
    permits_termination(s, t, actor, tree, TerminationMove::Decide)?;
    let reason = input.reason.trim().to_string();
    match input.decision.trim() {
        "accept" => Ok(Decision {
            accept: true,
            reason,
        }),
        "return" if reason.is_empty() => Err(Refusal::invalid("reason", "required")),
        "return" => Ok(Decision {
            accept: false,
            reason,
        }),
        "" => Err(Refusal::invalid("decision", "required")),
        _ => Err(Refusal::invalid("decision", "invalid_choice")),
    }
}

/// A date of a step (the ledger's retirement, the register's end).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DateInput {
    /// `YYYY-MM-DD`
    pub on: String,
}

/// S7.1-2: 廃止済み as of a day not before the ledger registration.
pub fn retire_ledger(
    s: &Service,
    t: Option<&Termination>,
    actor: &Actor,
    tree: &OrgTree,
    input: &DateInput,
) -> Result<Date, Refusal> {
    permits_termination(s, t, actor, tree, TerminationMove::RetireLedger)?;
    let mut errs = Vec::new();
    let on = crate::application::parse_date("on", &input.on, &mut errs);
    if let (Some(d), Some(reg)) = (on, s.registered_on)
        && d < reg
    {
        errs.push(FieldError::new("on", "before_registration"));
    }
    match on {
        Some(d) if errs.is_empty() => Ok(d),
        _ => Err(Refusal::Invalid(errs)),
    }
}

/// S7.1-3: the day the usage-register entry ends.
pub fn end_register(
    s: &Service,
    t: Option<&Termination>,
    actor: &Actor,
    tree: &OrgTree,
    input: &DateInput,
) -> Result<Date, Refusal> {
    permits_termination(s, t, actor, tree, TerminationMove::EndRegister)?;
    let mut errs = Vec::new();
    match crate::application::parse_date("on", &input.on, &mut errs) {
        Some(d) => Ok(d),
        None => Err(Refusal::Invalid(errs)),
    }
}

/// What is still missing before the termination can complete (S7.1-6), in the order of the
/// standard: the ledger (S7.1-2), the register (S7.1-3), the disposal (S7.1-4), the accounts
/// (S7.1-5) and the end-of-use measures (S3.7-2). Each is a stable code.
pub fn missing(t: &Termination, open_accounts: usize, end_of_use: &[&str]) -> Vec<&'static str> {
    let mut m = Vec::new();
    if !t.ledger_retired {
        m.push("termination_ledger_not_retired");
    }
    if !t.register_ended {
        m.push("termination_register_not_ended");
    }
    if !t.disposal_recorded {
        m.push("termination_disposal_missing");
    }
    if open_accounts > 0 {
        m.push("termination_accounts_open");
    }
    if end_of_use
        .iter()
        .any(|id| !t.measures_recorded.iter().any(|r| r == id))
    {
        m.push("termination_measures_missing");
    }
    m
}

/// S7.1-6: the administrator records that the disposal and the accounts' closure were done; it
/// is refused with the first missing step's code while anything is missing.
pub fn complete(
    s: &Service,
    t: &Termination,
    actor: &Actor,
    tree: &OrgTree,
    open_accounts: usize,
    end_of_use: &[&str],
) -> Result<(), Refusal> {
    permits_termination(s, Some(t), actor, tree, TerminationMove::Complete)?;
    match missing(t, open_accounts, end_of_use).first() {
        Some(code) => Err(Refusal::Conflict(code)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
