//! A change of a service's External Service Administrator (S3.4c, S5.2.1-5h). The designation
//! and the usage register's administrator column (ク) change together, so they never drift
//! apart: class 2+ by the Information Security Manager over the service's unit, class 1 by an
//! Information Manager etc. over it (who approves class-1 use, S5.1.2).

use crate::classification::Track;
use crate::effects::{Effects, NoticeKind};
use crate::ledger::{LedgerStatus, Service};
use crate::role::{Actor, OrgTree, Role, UserId};
use crate::{FieldError, Refusal};
use serde::{Deserialize, Serialize};

/// Input: the new administrator (a user id, as text from forms) and why.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AdministratorInput {
    #[serde(deserialize_with = "crate::application::string_or_number")]
    pub administrator: String,
    pub reason: String,
}

/// A decided change: who becomes administrator, why, and what it sets off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministratorChange {
    pub from: UserId,
    pub to: UserId,
    pub reason: String,
    pub effects: Effects,
}

/// Whether `actor` may change the administrator of `s` (on the `track` it was approved on).
pub fn permits_change(
    s: &Service,
    track: Track,
    actor: &Actor,
    tree: &OrgTree,
) -> Result<(), Refusal> {
    let may = match track {
        Track::Class2Plus => {
            actor.has_role_over(Role::InformationSecurityManager, s.org_unit, tree)
        }
        Track::Class1 => actor.is_information_manager_etc_over(s.org_unit, tree),
    };
    if !may {
        return Err(Refusal::Forbidden(match track {
            Track::Class2Plus => "responsible_ism_required",
            Track::Class1 => "class1_approver_required",
        }));
    }
    if s.ledger_status == Some(LedgerStatus::Retired) {
        return Err(Refusal::Conflict("administrator_service_retired"));
    }
    Ok(())
}

/// Decides a change. `is_staff` says whether the named user exists and may hold the role (an
/// active member of the city's staff, not a contractor).
pub fn change(
    s: &Service,
    track: Track,
    actor: &Actor,
    tree: &OrgTree,
    input: &AdministratorInput,
    is_staff: impl Fn(UserId) -> bool,
) -> Result<AdministratorChange, Refusal> {
    permits_change(s, track, actor, tree)?;
    let mut errs = Vec::new();
    let to = input
        .administrator
        .trim()
        .parse::<UserId>()
        .ok()
        .filter(|id| *id > 0 && is_staff(*id));
    match to {
        None => errs.push(FieldError::new("administrator", "unknown_staff")),
        Some(id) if id == s.administrator => {
            errs.push(FieldError::new("administrator", "same_administrator"))
        }
        Some(_) => {}
    }
    let reason = input.reason.trim().to_string();
    if reason.is_empty() {
        errs.push(FieldError::new("reason", "required"));
    } else if reason.chars().count() > 2000 {
        errs.push(FieldError::new("reason", "too_long"));
    }
    match to {
        Some(to) if errs.is_empty() => Ok(AdministratorChange {
            from: s.administrator,
            to,
            reason,
            effects: Effects::default()
                .notifying(to, NoticeKind::AdministratorChanged)
                .notifying(s.administrator, NoticeKind::AdministratorChanged),
        }),
        _ => Err(Refusal::Invalid(errs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{actor, tree};

    fn service(status: Option<LedgerStatus>) -> Service {
        Service {
            id: 1,
            administrator: 10,
            org_unit: 3,
            ledger_status: status,
            registered_on: None,
            track: Track::Class1,
        }
    }
    fn input(to: &str, reason: &str) -> AdministratorInput {
        AdministratorInput {
            administrator: to.into(),
            reason: reason.into(),
        }
    }
    const STAFF: fn(UserId) -> bool = |id| id < 100;

    // clause: S3.4c, S5.2.1-5h — class 2+: the ISM over the unit re-designates; the new and
    // the old administrator are told
    #[test]
    fn the_ism_changes_a_class2_administrator() {
        let ism = actor(30, Role::InformationSecurityManager, 2);
        let s = service(Some(LedgerStatus::InOperation));
        let c = change(
            &s,
            Track::Class2Plus,
            &ism,
            &tree(),
            &input("11", "異動"),
            STAFF,
        )
        .expect("changed");
        assert_eq!((c.from, c.to), (10, 11));
        let told: Vec<_> = c.effects.notify.iter().map(|n| n.user_id).collect();
        assert_eq!(told, vec![11, 10]);
        // An Information Manager may not change a class-2+ designation, nor an ISM elsewhere.
        for who in [
            actor(20, Role::InformationManager, 3),
            actor(31, Role::InformationSecurityManager, 4),
        ] {
            assert_eq!(
                change(
                    &s,
                    Track::Class2Plus,
                    &who,
                    &tree(),
                    &input("11", "異動"),
                    STAFF
                ),
                Err(Refusal::Forbidden("responsible_ism_required"))
            );
        }
    }

    // clause: S3.4c — class 1: an Information Manager etc. over the unit re-designates
    #[test]
    fn an_information_manager_changes_a_class1_administrator() {
        let im = actor(20, Role::InformationManager, 2);
        let s = service(None);
        assert!(change(&s, Track::Class1, &im, &tree(), &input("11", "異動"), STAFF).is_ok());
        let staff = actor(12, Role::Staff, 3);
        assert_eq!(
            change(
                &s,
                Track::Class1,
                &staff,
                &tree(),
                &input("11", "異動"),
                STAFF
            ),
            Err(Refusal::Forbidden("class1_approver_required"))
        );
        let retired = service(Some(LedgerStatus::Retired));
        assert_eq!(
            change(
                &retired,
                Track::Class1,
                &im,
                &tree(),
                &input("11", "異動"),
                STAFF
            ),
            Err(Refusal::Conflict("administrator_service_retired"))
        );
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let im = actor(20, Role::InformationManager, 2);
        let s = service(None);
        let fields =
            |i: AdministratorInput| match change(&s, Track::Class1, &im, &tree(), &i, STAFF) {
                Err(Refusal::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
                other => panic!("{other:?}"),
            };
        let v: Vec<(String, &str)> = fields(input("10", ""));
        assert_eq!(
            v,
            vec![
                ("administrator".into(), "same_administrator"),
                ("reason".into(), "required")
            ]
        );
        let v: Vec<(String, &str)> = fields(input("abc", "x"));
        assert_eq!(v, vec![("administrator".into(), "unknown_staff")]);
        let v: Vec<(String, &str)> = fields(input("500", "x"));
        assert_eq!(v, vec![("administrator".into(), "unknown_staff")]);
    }
}
