//! The approved service, its entry in the information-system ledger (情報システム台帳) and its
//! end of use (S5.2.1-4, S5.2.2-3, S7.1-2, S7.2).

use crate::classification::Track;
use crate::role::{Actor, OrgTree, OrgUnitId, Role, UserId};
use crate::{FieldError, Refusal};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Ledger status. `None` on a service means it is approved but not yet in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerStatus {
    /// 構築中: a class-2+ service until every build-time measure has a status (S3.5.6).
    Building,
    /// 稼働中
    InOperation,
    /// 利用停止: use stopped because a failed re-check could not be corrected (S6.2).
    Suspended,
    /// 廃止済み
    Retired,
}

impl LedgerStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Building => "building",
            LedgerStatus::InOperation => "in_operation",
            LedgerStatus::Suspended => "suspended",
            LedgerStatus::Retired => "retired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "building" => Some(Self::Building),
            "in_operation" => Some(Self::InOperation),
            "suspended" => Some(Self::Suspended),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }
}

/// What the rules need to know about an approved service.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: i64,
    pub administrator: UserId,
    /// The unit whose work it serves.
    pub org_unit: OrgUnitId,
    pub ledger_status: Option<LedgerStatus>,
    pub registered_on: Option<Date>,
    /// A class-2+ service ends through a termination (S7.1); a class-1 one is retired (S7.2).
    pub track: Track,
}

/// A move on an approved service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceMove {
    /// Read its accounts and its full history.
    ViewDetails,
    /// S5.2.1-4, S5.2.2-3: enter it in the information-system ledger.
    RegisterInLedger,
    /// S7.2, S7.1-2: 稼働中 → 廃止済み.
    Retire,
    /// S5.2.2-4: register an official account.
    AddAccount,
    /// S7.1-5: close an account.
    CloseAccount,
}

pub fn permits_service(
    s: &Service,
    actor: &Actor,
    tree: &OrgTree,
    m: ServiceMove,
) -> Result<(), Refusal> {
    if m != ServiceMove::ViewDetails {
        return permits_service_change(s, actor, m);
    }
    let may = s.administrator == actor.user_id
        || actor.is_information_manager_etc_over(s.org_unit, tree)
        || actor.has_role_over(Role::InformationSecurityManager, s.org_unit, tree)
        || actor.has_role(Role::Ciso);
    may.then_some(())
        .ok_or(Refusal::Forbidden("administrator_required"))
}

/// The changes of a service are its administrator's alone (S5.2.2-2), so they need no org tree.
pub fn permits_service_change(s: &Service, actor: &Actor, m: ServiceMove) -> Result<(), Refusal> {
    if s.administrator != actor.user_id {
        return Err(Refusal::Forbidden("administrator_required"));
    }
    match m {
        ServiceMove::ViewDetails | ServiceMove::CloseAccount => Ok(()),
        ServiceMove::RegisterInLedger => match s.ledger_status {
            None => Ok(()),
            Some(_) => Err(Refusal::Conflict("already_in_ledger")),
        },
        // Before 廃止済み, from any status (構築中, 稼働中, 利用停止).
        ServiceMove::Retire if matches!(s.ledger_status, None | Some(LedgerStatus::Retired)) => {
            Err(Refusal::Conflict("not_in_operation"))
        }
        // S7.1: a class-2+ service ends only through a termination accepted by the ISM.
        ServiceMove::Retire if s.track == Track::Class2Plus => {
            Err(Refusal::Conflict("termination_required"))
        }
        ServiceMove::AddAccount if s.ledger_status == Some(LedgerStatus::Retired) => {
            Err(Refusal::Conflict("service_retired"))
        }
        ServiceMove::Retire | ServiceMove::AddAccount => Ok(()),
    }
}

/// S5.2.1-4, S5.2.2-3: after approval, the administrator registers the system in the ledger.
/// A class-2+ service is then 構築中 until its build-time measures are recorded (S3.5); a
/// class-1 one is 稼働中 at once.
pub fn register(s: &Service, actor: &Actor) -> Result<LedgerStatus, Refusal> {
    permits_service_change(s, actor, ServiceMove::RegisterInLedger)?;
    Ok(match s.track {
        Track::Class1 => LedgerStatus::InOperation,
        Track::Class2Plus => LedgerStatus::Building,
    })
}

/// Input for the ledger entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LedgerInput {
    pub system_name: String,
    pub registered_on: String,
    pub note: String,
    /// The user id of its Business System Manager (業務システム管理者, S3.6); may be empty.
    pub business_system_manager: String,
    /// The user id of its Infrastructure Manager (情報基盤管理者, S3.6); may be empty.
    pub infrastructure_manager: String,
    /// S1.2: `yes` (the default) when it falls within the scope of the security policy.
    pub in_scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub system_name: String,
    pub registered_on: Date,
    pub note: String,
    pub business_system_manager: Option<UserId>,
    pub infrastructure_manager: Option<UserId>,
    pub in_scope: bool,
}

/// An optional user id of a form field.
pub(crate) fn optional_user(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<UserId> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let id = v.parse::<UserId>().ok().filter(|id| *id > 0);
    if id.is_none() {
        errs.push(FieldError::new(field, "unknown_user"));
    }
    id
}

/// S1.2: a yes/no field that defaults to yes.
pub(crate) fn yes_by_default(field: &str, v: &str, errs: &mut Vec<FieldError>) -> bool {
    match v.trim() {
        "" | "yes" | "true" => true,
        "no" | "false" => false,
        _ => {
            errs.push(FieldError::new(field, "invalid_choice"));
            true
        }
    }
}

impl LedgerInput {
    pub fn parse(&self) -> Result<LedgerEntry, Vec<FieldError>> {
        let mut errs = Vec::new();
        let system_name = self.system_name.trim().to_string();
        if system_name.is_empty() {
            errs.push(FieldError::new("system_name", "required"));
        }
        let registered_on =
            crate::application::parse_date("registered_on", &self.registered_on, &mut errs);
        let business_system_manager = optional_user(
            "business_system_manager",
            &self.business_system_manager,
            &mut errs,
        );
        let infrastructure_manager = optional_user(
            "infrastructure_manager",
            &self.infrastructure_manager,
            &mut errs,
        );
        let in_scope = yes_by_default("in_scope", &self.in_scope, &mut errs);
        match registered_on {
            Some(registered_on) if errs.is_empty() => Ok(LedgerEntry {
                system_name,
                registered_on,
                note: self.note.trim().to_string(),
                business_system_manager,
                infrastructure_manager,
                in_scope,
            }),
            _ => Err(errs),
        }
    }
}

/// Input for the end of use.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RetireInput {
    pub retired_on: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retirement {
    pub retired_on: Date,
    pub reason: String,
}

/// S7.2 (class 1): the administrator changes the ledger status to 廃止済み, with the date and the
/// reason; the service's open accounts are closed with it. A class-2+ service goes through a
/// termination (`termination`, S7.1).
pub fn retire(s: &Service, actor: &Actor, input: &RetireInput) -> Result<Retirement, Refusal> {
    permits_service_change(s, actor, ServiceMove::Retire)?;
    let mut errs = Vec::new();
    let retired_on = crate::application::parse_date("retired_on", &input.retired_on, &mut errs);
    let reason = input.reason.trim().to_string();
    if reason.is_empty() {
        errs.push(FieldError::new("reason", "required"));
    }
    if let (Some(r), Some(reg)) = (retired_on, s.registered_on)
        && r < reg
    {
        errs.push(FieldError::new("retired_on", "before_registration"));
    }
    match retired_on {
        Some(retired_on) if errs.is_empty() => Ok(Retirement { retired_on, reason }),
        _ => Err(Refusal::Invalid(errs)),
    }
}

/// Accounts may be added only while the service is approved and not retired (S5.2.2-4).
pub fn may_add_account(s: &Service, actor: &Actor) -> Result<(), Refusal> {
    permits_service_change(s, actor, ServiceMove::AddAccount)
}

/// Closing an account is the administrator's, at any time (S7.1-5 needs it at the end).
pub fn may_close_account(s: &Service, actor: &Actor, already_closed: bool) -> Result<(), Refusal> {
    permits_service_change(s, actor, ServiceMove::CloseAccount)?;
    if already_closed {
        return Err(Refusal::Conflict("account_closed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::{Role, RoleAssignment};

    fn svc(status: Option<LedgerStatus>) -> Service {
        Service {
            id: 1,
            administrator: 7,
            org_unit: 1,
            ledger_status: status,
            registered_on: Some(Date::constant(2026, 12, 1)),
            track: Track::Class1,
        }
    }
    fn actor(id: i64) -> Actor {
        Actor {
            user_id: id,
            org_unit: 1,
            assignments: vec![RoleAssignment {
                role: Role::InformationManager,
                org_unit: 1,
            }],
        }
    }
    fn retire_input(d: &str) -> RetireInput {
        RetireInput {
            retired_on: d.into(),
            reason: "後継サービスへ移行".into(),
        }
    }

    // clause: S5.2.2-3 — the administrator registers the service in the ledger, once
    #[test]
    fn the_administrator_registers_once() {
        assert_eq!(
            register(&svc(None), &actor(7)),
            Ok(LedgerStatus::InOperation)
        );
        // clause: S3.5.6 — a class-2+ service is built first
        assert_eq!(
            register(
                &Service {
                    track: Track::Class2Plus,
                    ..svc(None)
                },
                &actor(7)
            ),
            Ok(LedgerStatus::Building)
        );
        assert_eq!(
            register(&svc(None), &actor(8)),
            Err(Refusal::Forbidden("administrator_required"))
        );
        assert_eq!(
            register(&svc(Some(LedgerStatus::InOperation)), &actor(7)),
            Err(Refusal::Conflict("already_in_ledger"))
        );
    }

    // clause: S7.2 — 稼働中 → 廃止済み with date and reason
    #[test]
    fn retirement_moves_in_operation_to_retired() {
        let r = retire(
            &svc(Some(LedgerStatus::InOperation)),
            &actor(7),
            &retire_input("2027-03-31"),
        )
        .expect("retired");
        assert_eq!(r.retired_on, Date::constant(2027, 3, 31));
        assert_eq!(
            retire(&svc(None), &actor(7), &retire_input("2027-03-31")),
            Err(Refusal::Conflict("not_in_operation"))
        );
        assert_eq!(
            retire(
                &svc(Some(LedgerStatus::Retired)),
                &actor(7),
                &retire_input("2027-03-31")
            ),
            Err(Refusal::Conflict("not_in_operation"))
        );
        assert_eq!(
            retire(
                &svc(Some(LedgerStatus::InOperation)),
                &actor(7),
                &retire_input("2026-01-01")
            ),
            Err(Refusal::Invalid(vec![FieldError::new(
                "retired_on",
                "before_registration"
            )]))
        );
        assert_eq!(
            retire(
                &svc(Some(LedgerStatus::InOperation)),
                &actor(8),
                &retire_input("2027-03-31")
            ),
            Err(Refusal::Forbidden("administrator_required"))
        );
    }

    // clause: S7.2 — a class-1 service is retired from any status before 廃止済み; a class-2+
    // one only through its termination (S7.1-2)
    #[test]
    fn class1_retires_from_any_status_class2_through_termination() {
        for st in [
            LedgerStatus::Building,
            LedgerStatus::InOperation,
            LedgerStatus::Suspended,
        ] {
            assert!(retire(&svc(Some(st)), &actor(7), &retire_input("2027-03-31")).is_ok());
        }
        let mut s = svc(Some(LedgerStatus::InOperation));
        s.track = Track::Class2Plus;
        assert_eq!(
            retire(&s, &actor(7), &retire_input("2027-03-31")),
            Err(Refusal::Conflict("termination_required"))
        );
    }

    // clause: S5.2.2-4 — no new accounts on a retired service
    #[test]
    fn no_accounts_after_retirement() {
        assert_eq!(
            may_add_account(&svc(Some(LedgerStatus::InOperation)), &actor(7)),
            Ok(())
        );
        assert_eq!(
            may_add_account(&svc(Some(LedgerStatus::Retired)), &actor(7)),
            Err(Refusal::Conflict("service_retired"))
        );
    }
}
