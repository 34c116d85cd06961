//! Re-checks after a change (S6.1), corrective action and the stop of use (S6.2).
//!
//! An event recorded on a service — its terms of service changed, its configuration changed,
//! an incident — or a certificate attached as evidence that expires opens a re-check for the
//! service's administrator: the requirement sheet of its track is answered again and judged.
//! A re-check that is not compliant calls for a corrective action; one that cannot be
//! corrected stops the use of the service (利用停止) until a re-check passes.

use crate::ledger::{LedgerStatus, Service};
use crate::role::{Actor, OrgTree, Role, UserId};
use crate::sheet::{Answers, Context, ItemProblem, Sheet};
use crate::{FieldError, Refusal};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What opened a re-check (S6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Trigger {
    /// 利用規約の変更 (a new version or URL of the terms).
    TermsChanged,
    /// システム構成の変更.
    ConfigurationChanged,
    /// インシデントの発生.
    Incident,
    /// A certificate attached as evidence (e.g. ISMAP registration) expires.
    CertificateExpiring,
    /// After a corrective action: the check that the service meets the sheet again (S6.2).
    FollowUp,
    /// The cross-check against the ISMAP lists flagged the registration the service claims
    /// (not listed, expired, withdrawn, or not covering it).
    IsmapFlagged,
}

impl Trigger {
    pub const ALL: [Trigger; 6] = [
        Trigger::TermsChanged,
        Trigger::ConfigurationChanged,
        Trigger::Incident,
        Trigger::CertificateExpiring,
        Trigger::FollowUp,
        Trigger::IsmapFlagged,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            Trigger::TermsChanged => "terms_changed",
            Trigger::ConfigurationChanged => "configuration_changed",
            Trigger::Incident => "incident",
            Trigger::CertificateExpiring => "certificate_expiring",
            Trigger::FollowUp => "follow_up",
            Trigger::IsmapFlagged => "ismap_flagged",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
    /// The triggers a person records as an event; the others the system opens.
    pub fn is_recordable(self) -> bool {
        matches!(
            self,
            Trigger::TermsChanged | Trigger::ConfigurationChanged | Trigger::Incident
        )
    }
}

/// The state of a re-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecheckState {
    /// Opened, or answered in part (a draft): not judged.
    Open,
    Compliant,
    NotCompliant,
}

impl RecheckState {
    pub const ALL: [RecheckState; 3] = [
        RecheckState::Open,
        RecheckState::Compliant,
        RecheckState::NotCompliant,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            RecheckState::Open => "open",
            RecheckState::Compliant => "compliant",
            RecheckState::NotCompliant => "not_compliant",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// An event on a service as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EventInput {
    /// `terms_changed`, `configuration_changed` or `incident`.
    pub kind: String,
    /// What happened.
    pub description: String,
    /// The day it happened (`YYYY-MM-DD`).
    pub occurred_on: String,
    /// For `terms_changed`: the new version of the terms, or their new URL (one at least).
    pub tos_version: String,
    pub tos_url: String,
}

/// An event, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEvent {
    pub trigger: Trigger,
    pub description: String,
    pub occurred_on: Date,
    pub tos_version: String,
    pub tos_url: String,
}

impl EventInput {
    pub fn parse(&self) -> Result<ServiceEvent, Vec<FieldError>> {
        let mut errs = Vec::new();
        let trigger = Trigger::parse(self.kind.trim()).filter(|t| t.is_recordable());
        if trigger.is_none() {
            errs.push(FieldError::new("kind", "invalid_choice"));
        }
        let description = self.description.trim().to_string();
        if description.is_empty() {
            errs.push(FieldError::new("description", "required"));
        }
        let occurred_on =
            crate::application::parse_date("occurred_on", &self.occurred_on, &mut errs);
        let tos_version = self.tos_version.trim().to_string();
        let tos_url = self.tos_url.trim().to_string();
        if trigger == Some(Trigger::TermsChanged) && tos_version.is_empty() && tos_url.is_empty() {
            errs.push(FieldError::new("tos_version", "tos_change_required"));
        }
        match (trigger, occurred_on) {
            (Some(trigger), Some(occurred_on)) if errs.is_empty() => Ok(ServiceEvent {
                trigger,
                description,
                occurred_on,
                tos_version,
                tos_url,
            }),
            _ => Err(errs),
        }
    }
}

/// S6.1: the service's administrator and the ISM over its unit record events on a service in
/// use (稼働中 or 利用停止).
pub fn permits_event(s: &Service, actor: &Actor, tree: &OrgTree) -> Result<(), Refusal> {
    let may = s.administrator == actor.user_id
        || actor.has_role_over(Role::InformationSecurityManager, s.org_unit, tree);
    if !may {
        return Err(Refusal::Forbidden("administrator_or_ism_required"));
    }
    in_use(s)
}

fn in_use(s: &Service) -> Result<(), Refusal> {
    match s.ledger_status {
        Some(LedgerStatus::InOperation | LedgerStatus::Suspended) => Ok(()),
        _ => Err(Refusal::Conflict("service_not_in_use")),
    }
}

/// The re-check's due date: `days` after the day it was opened.
pub fn due_on(opened: Date, days: u32) -> Date {
    opened
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(opened)
}

/// The re-check as the rules see it.
#[derive(Debug, Clone)]
pub struct Recheck {
    pub id: i64,
    pub administrator: UserId,
    pub state: RecheckState,
}

/// Only the administrator answers a re-check, and only while it is open.
pub fn permits_answer(r: &Recheck, actor: &Actor) -> Result<(), Refusal> {
    if r.administrator != actor.user_id {
        return Err(Refusal::Forbidden("administrator_required"));
    }
    if r.state != RecheckState::Open {
        return Err(Refusal::Conflict("recheck_judged"));
    }
    Ok(())
}

/// The administrator's answers and, when they are complete, judgement.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RecheckInput {
    /// Answers by sheet item id.
    pub answers: Answers,
    /// `compliant` or `not_compliant`; empty to save a draft.
    pub judgement: String,
    /// The reason of the judgement (required with one).
    pub reason: String,
}

/// What saving a re-check comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered in part, or not judged yet: saved as a draft, not judged. The problems say
    /// what is still missing.
    Draft(Vec<ItemProblem>),
    /// Judged, with the reason.
    Judged { compliant: bool, reason: String },
}

/// S6.1: a re-check saved. Answers of the wrong form are refused; a partial answer (or no
/// judgement) is a draft; complete answers are judged by the administrator, and a blocking
/// "no" is never compliant.
pub fn save(
    r: &Recheck,
    actor: &Actor,
    sheet: &Sheet,
    ctx: &Context,
    input: &RecheckInput,
) -> Result<Outcome, Refusal> {
    permits_answer(r, actor)?;
    let wrong = sheet.check_values(&input.answers);
    if !wrong.is_empty() {
        return Err(Refusal::Invalid(
            wrong
                .into_iter()
                .map(|p| FieldError::new(format!("answers.{}", p.item), p.code))
                .collect(),
        ));
    }
    let problems = sheet.check_complete(&input.answers, ctx);
    let incomplete: Vec<ItemProblem> = problems
        .iter()
        .filter(|p| p.code != "blocking_no")
        .cloned()
        .collect();
    let judgement = input.judgement.trim();
    if !incomplete.is_empty() || judgement.is_empty() {
        return Ok(Outcome::Draft(problems));
    }
    let reason = input.reason.trim().to_string();
    let mut errs = Vec::new();
    let compliant = match judgement {
        "compliant" => true,
        "not_compliant" => false,
        _ => {
            errs.push(FieldError::new("judgement", "invalid_choice"));
            false
        }
    };
    if compliant && !problems.is_empty() {
        errs.push(FieldError::new("judgement", "blocking_no"));
    }
    if reason.is_empty() {
        errs.push(FieldError::new("reason", "required"));
    }
    if !errs.is_empty() {
        return Err(Refusal::Invalid(errs));
    }
    Ok(Outcome::Judged { compliant, reason })
}

/// The state of a corrective action (S6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActionState {
    Open,
    /// 是正済み.
    Corrected,
    /// 是正できなかった: use is stopped.
    NotCorrected,
}

impl ActionState {
    pub const ALL: [ActionState; 3] = [
        ActionState::Open,
        ActionState::Corrected,
        ActionState::NotCorrected,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionState::Open => "open",
            ActionState::Corrected => "corrected",
            ActionState::NotCorrected => "not_corrected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A corrective action as a form gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ActionInput {
    /// The user id of the person who carries it out.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// What is to be done.
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub owner: UserId,
    pub due_on: Date,
    pub plan: String,
}

/// S6.2: the administrator records a corrective action for a re-check that is not compliant.
pub fn plan_action(
    r: &Recheck,
    actor: &Actor,
    has_action: bool,
    today: Date,
    input: &ActionInput,
) -> Result<NewAction, Refusal> {
    if r.administrator != actor.user_id {
        return Err(Refusal::Forbidden("administrator_required"));
    }
    if r.state != RecheckState::NotCompliant {
        return Err(Refusal::Conflict("recheck_not_failed"));
    }
    if has_action {
        return Err(Refusal::Conflict("action_exists"));
    }
    let mut errs = Vec::new();
    let owner = input.owner.trim();
    let owner = if owner.is_empty() {
        errs.push(FieldError::new("owner", "required"));
        None
    } else {
        crate::ledger::optional_user("owner", owner, &mut errs)
    };
    let due_on = crate::application::parse_date("due_on", &input.due_on, &mut errs);
    if due_on.is_some_and(|d| d < today) {
        errs.push(FieldError::new("due_on", "in_the_past"));
    }
    let plan = input.plan.trim().to_string();
    if plan.is_empty() {
        errs.push(FieldError::new("plan", "required"));
    }
    match (owner, due_on) {
        (Some(owner), Some(due_on)) if errs.is_empty() => Ok(NewAction {
            owner,
            due_on,
            plan,
        }),
        _ => Err(Refusal::Invalid(errs)),
    }
}

/// The corrective action as the rules see it.
#[derive(Debug, Clone)]
pub struct Action {
    pub owner: UserId,
    pub administrator: UserId,
    pub state: ActionState,
}

/// Its result as a form gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResultInput {
    /// `corrected` or `not_corrected`.
    pub result: String,
    /// What was done, or why it could not be corrected (the reason of the stop of use).
    pub note: String,
}

/// S6.2: the owner or the administrator records the result. `NotCorrected` stops the use of
/// the service: the caller suspends it with the note as the reason.
pub fn record_result(
    a: &Action,
    actor: &Actor,
    input: &ResultInput,
) -> Result<(ActionState, String), Refusal> {
    if a.owner != actor.user_id && a.administrator != actor.user_id {
        return Err(Refusal::Forbidden("owner_or_administrator_required"));
    }
    if a.state != ActionState::Open {
        return Err(Refusal::Conflict("action_closed"));
    }
    let mut errs = Vec::new();
    let state = match input.result.trim() {
        "corrected" => Some(ActionState::Corrected),
        "not_corrected" => Some(ActionState::NotCorrected),
        _ => {
            errs.push(FieldError::new("result", "invalid_choice"));
            None
        }
    };
    let note = input.note.trim().to_string();
    if note.is_empty() {
        errs.push(FieldError::new("note", "required"));
    }
    match state {
        Some(s) if errs.is_empty() => Ok((s, note)),
        _ => Err(Refusal::Invalid(errs)),
    }
}

/// What a judged re-check does to the service's ledger status: a pass brings a suspended
/// service back into operation (S6.2); nothing else moves it here.
pub fn status_after_pass(current: Option<LedgerStatus>) -> Option<LedgerStatus> {
    match current {
        Some(LedgerStatus::Suspended) => Some(LedgerStatus::InOperation),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
