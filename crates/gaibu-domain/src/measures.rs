//! A service's security measures after approval: the build-time checklist recorded by its
//! administrator (S3.5.1–S3.5.6), the move 構築中 → 稼働中 once every applicable measure has a
//! status, the operation-time and end-of-use rules its Business System Manager and
//! Infrastructure Manager define (S3.6-1, S3.6-2, S3.7-1), and the periodic checks of the
//! operation-time measures (S3.6-3). The measures themselves are policy data
//! (`service_life::ServiceLifePolicy`); nothing here names one.

use crate::ledger::{LedgerStatus, Service};
use crate::role::{Actor, OrgTree, Role, UserId};
use crate::service_life::{Measure, MeasureStatus, ServiceLifePolicy};
use crate::sheet::ItemProblem;
use crate::{FieldError, Refusal};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who, besides its administrator, answers for a service's operation (S3.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Managers {
    pub business_system_manager: Option<UserId>,
    pub infrastructure_manager: Option<UserId>,
}

impl Managers {
    pub fn includes(&self, user: UserId) -> bool {
        self.business_system_manager == Some(user) || self.infrastructure_manager == Some(user)
    }
}

/// A move on a service's measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureMove {
    /// Read the checklist, the rules and the checks.
    View,
    /// S3.5.6: record the status of a build-time measure (the administrator, while 構築中).
    RecordBuild,
    /// 構築中 → 稼働中 (the administrator).
    PutIntoOperation,
    /// S3.6-1, S3.6-2, S3.7-1: define a rule (the service's BSM or IM).
    DefineRule,
    /// S3.6-3: record a periodic check (the service's BSM or IM, while 稼働中).
    RecordCheck,
    /// Name other managers (the administrator, or the ISM over the unit).
    ChangeManagers,
}

pub fn permits(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
    mv: MeasureMove,
) -> Result<(), Refusal> {
    let admin = s.administrator == actor.user_id;
    let manager = m.includes(actor.user_id);
    let ism = actor.has_role_over(Role::InformationSecurityManager, s.org_unit, tree);
    let in_ledger = matches!(
        s.ledger_status,
        Some(LedgerStatus::Building | LedgerStatus::InOperation | LedgerStatus::Suspended)
    );
    match mv {
        MeasureMove::View => {
            let may = admin
                || manager
                || ism
                || actor.is_information_manager_etc_over(s.org_unit, tree)
                || actor.has_role(Role::Ciso);
            may.then_some(())
                .ok_or(Refusal::Forbidden("administrator_required"))
        }
        MeasureMove::RecordBuild | MeasureMove::PutIntoOperation => {
            if !admin {
                return Err(Refusal::Forbidden("administrator_required"));
            }
            match s.ledger_status {
                Some(LedgerStatus::Building) => Ok(()),
                _ => Err(Refusal::Conflict("not_building")),
            }
        }
        MeasureMove::DefineRule => {
            if !manager {
                return Err(Refusal::Forbidden("service_manager_required"));
            }
            in_ledger
                .then_some(())
                .ok_or(Refusal::Conflict("not_in_ledger"))
        }
        MeasureMove::RecordCheck => {
            if !manager {
                return Err(Refusal::Forbidden("service_manager_required"));
            }
            match s.ledger_status {
                Some(LedgerStatus::InOperation) => Ok(()),
                _ => Err(Refusal::Conflict("not_in_operation")),
            }
        }
        MeasureMove::ChangeManagers => {
            if !(admin || ism) {
                return Err(Refusal::Forbidden("administrator_or_ism_required"));
            }
            in_ledger
                .then_some(())
                .ok_or(Refusal::Conflict("not_in_ledger"))
        }
    }
}

/// The buttons of the measures pages and the API's answer, from `permits`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureCapabilities {
    pub view: bool,
    pub record_build: bool,
    pub put_into_operation: bool,
    pub define_rule: bool,
    pub record_check: bool,
    pub change_managers: bool,
}

pub fn capabilities(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
) -> MeasureCapabilities {
    let ok = |mv| permits(s, m, actor, tree, mv).is_ok();
    MeasureCapabilities {
        view: ok(MeasureMove::View),
        record_build: ok(MeasureMove::RecordBuild),
        put_into_operation: ok(MeasureMove::PutIntoOperation),
        define_rule: ok(MeasureMove::DefineRule),
        record_check: ok(MeasureMove::RecordCheck),
        change_managers: ok(MeasureMove::ChangeManagers),
    }
}

/// The record of one build-time measure, as entered (S3.5.6).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct BuildInput {
    /// `implemented`, `partly`, `not_yet` or `not_applicable`.
    pub status: String,
    /// Why it does not apply (required for `not_applicable`).
    pub reason: String,
    /// What the provider said when asked.
    pub provider_said: String,
    /// A reference to the evidence (document, URL, evidence file).
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRecord {
    pub status: MeasureStatus,
    pub reason: String,
    pub provider_said: String,
    pub evidence: String,
}

/// A status, and the reason that `not_applicable` needs, checked under `prefix`.
fn status_of(
    prefix: &str,
    status: &str,
    reason: &str,
    errs: &mut Vec<FieldError>,
) -> Option<MeasureStatus> {
    let st = match status.trim() {
        "" => {
            errs.push(FieldError::new(format!("{prefix}status"), "required"));
            return None;
        }
        s => MeasureStatus::parse(s),
    };
    match st {
        None => errs.push(FieldError::new(format!("{prefix}status"), "invalid_choice")),
        Some(MeasureStatus::NotApplicable) if reason.trim().is_empty() => errs.push(
            FieldError::new(format!("{prefix}reason"), "reason_required"),
        ),
        Some(_) => {}
    }
    st
}

impl BuildInput {
    pub fn parse(&self) -> Result<BuildRecord, Vec<FieldError>> {
        let mut errs = Vec::new();
        let status = status_of("", &self.status, &self.reason, &mut errs);
        match status {
            Some(status) if errs.is_empty() => Ok(BuildRecord {
                status,
                reason: self.reason.trim().to_string(),
                provider_said: self.provider_said.trim().to_string(),
                evidence: self.evidence.trim().to_string(),
            }),
            _ => Err(errs),
        }
    }
}

/// S3.5.6: the administrator records a build-time measure that applies to the service.
pub fn record_build(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
    applicable: &[&Measure],
    measure_id: &str,
    input: &BuildInput,
) -> Result<BuildRecord, Refusal> {
    permits(s, m, actor, tree, MeasureMove::RecordBuild)?;
    if !applicable.iter().any(|x| x.id == measure_id) {
        return Err(Refusal::invalid("measure", "unknown_measure"));
    }
    input.parse().map_err(Refusal::Invalid)
}

/// The applicable build-time measures that have no status yet, in checklist order.
pub fn unrecorded(applicable: &[&Measure], recorded: &[&str]) -> Vec<ItemProblem> {
    applicable
        .iter()
        .filter(|x| !recorded.contains(&x.id.as_str()))
        .map(|x| ItemProblem {
            item: x.id.clone(),
            code: "measure_unrecorded",
        })
        .collect()
}

/// 構築中 → 稼働中: only when every applicable build-time measure has a status (S3.5.6).
/// The missing ones come back as `Refusal::Incomplete`.
pub fn put_into_operation(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
    applicable: &[&Measure],
    recorded: &[&str],
) -> Result<(), Refusal> {
    permits(s, m, actor, tree, MeasureMove::PutIntoOperation)?;
    let missing = unrecorded(applicable, recorded);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Incomplete(missing))
    }
}

/// A rule's text (S3.6-1a–i, S3.6-2, S3.7-1a–c).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RuleInput {
    /// The rule as defined for this service (text, or where the document is kept).
    pub body: String,
}

/// The measures whose rules are defined per service beforehand.
pub fn rule_measures(p: &ServiceLifePolicy) -> impl Iterator<Item = &Measure> {
    p.operation.iter().chain(&p.end_of_use)
}

/// The service's BSM or IM defines the rule of an operation-time or end-of-use measure.
pub fn define_rule(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
    p: &ServiceLifePolicy,
    measure_id: &str,
    input: &RuleInput,
) -> Result<String, Refusal> {
    permits(s, m, actor, tree, MeasureMove::DefineRule)?;
    if !rule_measures(p).any(|x| x.id == measure_id) {
        return Err(Refusal::invalid("measure", "unknown_measure"));
    }
    let body = input.body.trim();
    if body.is_empty() {
        return Err(Refusal::invalid("body", "required"));
    }
    Ok(body.to_string())
}

/// One operation-time measure as found in a periodic check.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CheckItemInput {
    pub status: String,
    pub reason: String,
    pub findings: String,
    pub evidence: String,
}

/// A periodic check as entered (S3.6-3): the day, and each operation-time measure.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CheckInput {
    /// `YYYY-MM-DD`; today when empty.
    pub checked_on: String,
    /// What the provider was asked and said, overall.
    pub summary: String,
    /// By operation-time measure id.
    pub items: BTreeMap<String, CheckItemInput>,
}

/// One measure's result in a recorded check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckItem {
    pub measure_id: String,
    pub status: MeasureStatus,
    pub reason: String,
    pub findings: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub checked_on: Date,
    pub summary: String,
    pub items: Vec<CheckItem>,
    /// The next check, counted from this one; None when the class has no periodic check.
    pub next_due: Option<Date>,
}

/// S3.6-3: the service's BSM or IM records the status of every operation-time measure; the
/// next check falls due one interval after this one.
#[allow(clippy::too_many_arguments)]
pub fn record_check(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
    p: &ServiceLifePolicy,
    confidentiality: &str,
    today: Date,
    input: &CheckInput,
) -> Result<Check, Refusal> {
    permits(s, m, actor, tree, MeasureMove::RecordCheck)?;
    let mut errs = Vec::new();
    let checked_on = match input.checked_on.trim() {
        "" => Some(today),
        d => crate::application::parse_date("checked_on", d, &mut errs),
    };
    if checked_on.is_some_and(|d| d > today) {
        errs.push(FieldError::new("checked_on", "date_in_future"));
    }
    for id in input.items.keys() {
        if !p.operation.iter().any(|x| &x.id == id) {
            errs.push(FieldError::new(format!("items.{id}"), "unknown_measure"));
        }
    }
    let mut items = Vec::new();
    for x in &p.operation {
        let given = input.items.get(&x.id).cloned().unwrap_or_default();
        let prefix = format!("items.{}.", x.id);
        if let Some(status) = status_of(&prefix, &given.status, &given.reason, &mut errs) {
            items.push(CheckItem {
                measure_id: x.id.clone(),
                status,
                reason: given.reason.trim().to_string(),
                findings: given.findings.trim().to_string(),
                evidence: given.evidence.trim().to_string(),
            });
        }
    }
    match checked_on {
        Some(checked_on) if errs.is_empty() => Ok(Check {
            checked_on,
            summary: input.summary.trim().to_string(),
            items,
            next_due: p.next_check_due(confidentiality, checked_on),
        }),
        _ => Err(Refusal::Invalid(errs)),
    }
}

/// The managers named anew (S3.6): both may be empty.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ManagersInput {
    pub business_system_manager: String,
    pub infrastructure_manager: String,
}

pub fn change_managers(
    s: &Service,
    m: &Managers,
    actor: &Actor,
    tree: &OrgTree,
    input: &ManagersInput,
) -> Result<Managers, Refusal> {
    permits(s, m, actor, tree, MeasureMove::ChangeManagers)?;
    let mut errs = Vec::new();
    let business_system_manager = crate::ledger::optional_user(
        "business_system_manager",
        &input.business_system_manager,
        &mut errs,
    );
    let infrastructure_manager = crate::ledger::optional_user(
        "infrastructure_manager",
        &input.infrastructure_manager,
        &mut errs,
    );
    if errs.is_empty() {
        Ok(Managers {
            business_system_manager,
            infrastructure_manager,
        })
    } else {
        Err(Refusal::Invalid(errs))
    }
}

/// Those a periodic check reminds: the managers, the administrator and the ISMs over the unit
/// (given), each once.
pub fn check_recipients(s: &Service, m: &Managers, isms: &[UserId]) -> Vec<UserId> {
    let mut out: Vec<UserId> = m
        .business_system_manager
        .into_iter()
        .chain(m.infrastructure_manager)
        .chain([s.administrator])
        .chain(isms.iter().copied())
        .collect();
    let mut seen = Vec::new();
    out.retain(|u| {
        let new = !seen.contains(u);
        seen.push(*u);
        new
    });
    out
}

/// Where a due date stands on a day: overdue, due within `soon_days`, or later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Overdue,
    Soon,
    Later,
}

pub fn due_state(today: Date, due: Date, soon_days: i64) -> Due {
    if due < today {
        Due::Overdue
    } else if (due - today).get_days() <= soon_days as i32 {
        Due::Soon
    } else {
        Due::Later
    }
}

#[cfg(test)]
mod tests;
