//! What a person may do with a record. One answer serves the operations, the JSON API and the
//! buttons of the pages, so that a button is shown exactly when its action would be allowed.
//!
//! Each move is judged by `permits_*`, which the rule functions call first; the capability sets
//! are those moves that `permits_*` allows.

use crate::Refusal;
use crate::application::{Application, State};
use crate::classification::Track;
use crate::ledger::{LedgerStatus, Service};
use crate::role::{Actor, OrgTree, Role};

/// A move on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationMove {
    /// Read it, its history and its evidence.
    View,
    /// Change its fields, answers, evaluation, procurement record or evidence.
    Edit,
    /// Class-1 approval by an Information Manager etc. (S5.1.2, S5.2.2-2).
    SelfApprove,
    /// Class-2+ submission to the ISM (S5.2.1-1, S3.4a).
    Submit,
    /// The ISM's decision on a submitted application (S3.4b, S5.1.1).
    Decide,
}

/// Whether `actor` may make move `m` on `app` now, and if not, why.
pub fn permits_application(
    app: &Application,
    actor: &Actor,
    tree: &OrgTree,
    m: ApplicationMove,
) -> Result<(), Refusal> {
    let unit = app.fields.org_unit;
    match m {
        ApplicationMove::View => {
            let may = app.applicant == actor.user_id
                || actor.is_information_manager_etc_over(unit, tree)
                || actor.has_role_over(Role::InformationSecurityManager, unit, tree)
                || actor.has_role(Role::Ciso);
            may.then_some(())
                .ok_or(Refusal::Forbidden("not_your_application"))
        }
        ApplicationMove::Edit => {
            if app.applicant != actor.user_id && !actor.is_information_manager_etc_over(unit, tree)
            {
                return Err(Refusal::Forbidden("not_your_application"));
            }
            if !app.state.is_editable() {
                return Err(Refusal::Conflict("not_draft"));
            }
            Ok(())
        }
        ApplicationMove::SelfApprove => {
            if app.state != State::Draft {
                return Err(Refusal::Conflict("already_decided"));
            }
            if app.track != Track::Class1 {
                return Err(Refusal::Conflict("class2_track_required"));
            }
            if !actor.is_information_manager_etc_over(unit, tree) {
                return Err(Refusal::Forbidden("class1_approver_required"));
            }
            Ok(())
        }
        ApplicationMove::Submit => {
            permits_application(app, actor, tree, ApplicationMove::Edit)?;
            if app.track != Track::Class2Plus {
                return Err(Refusal::Conflict("class1_is_self_approved"));
            }
            Ok(())
        }
        ApplicationMove::Decide => {
            if !actor.has_role_over(Role::InformationSecurityManager, unit, tree) {
                return Err(Refusal::Forbidden("responsible_ism_required"));
            }
            if app.applicant == actor.user_id {
                return Err(Refusal::Forbidden("own_application"));
            }
            if app.state != State::Submitted {
                return Err(Refusal::Conflict("not_under_review"));
            }
            Ok(())
        }
    }
}

/// The moves a person may make on an application now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationCapabilities {
    pub view: bool,
    pub edit: bool,
    pub self_approve: bool,
    pub submit: bool,
    pub decide: bool,
}

pub fn application(app: &Application, actor: &Actor, tree: &OrgTree) -> ApplicationCapabilities {
    let ok = |m| permits_application(app, actor, tree, m).is_ok();
    ApplicationCapabilities {
        view: ok(ApplicationMove::View),
        edit: ok(ApplicationMove::Edit),
        self_approve: ok(ApplicationMove::SelfApprove),
        submit: ok(ApplicationMove::Submit),
        decide: ok(ApplicationMove::Decide),
    }
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
        ServiceMove::Retire if s.ledger_status != Some(LedgerStatus::InOperation) => {
            Err(Refusal::Conflict("not_in_operation"))
        }
        ServiceMove::AddAccount if s.ledger_status == Some(LedgerStatus::Retired) => {
            Err(Refusal::Conflict("service_retired"))
        }
        ServiceMove::Retire | ServiceMove::AddAccount => Ok(()),
    }
}

/// The moves a person may make on a service now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServiceCapabilities {
    pub view_details: bool,
    pub register_in_ledger: bool,
    pub retire: bool,
    pub add_account: bool,
    pub close_account: bool,
}

pub fn service(s: &Service, actor: &Actor, tree: &OrgTree) -> ServiceCapabilities {
    let ok = |m| permits_service(s, actor, tree, m).is_ok();
    ServiceCapabilities {
        view_details: ok(ServiceMove::ViewDetails),
        register_in_ledger: ok(ServiceMove::RegisterInLedger),
        retire: ok(ServiceMove::Retire),
        add_account: ok(ServiceMove::AddAccount),
        close_account: ok(ServiceMove::CloseAccount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::ApplicationFields;
    use crate::classification::Classification;
    use crate::role::RoleAssignment;

    fn tree() -> OrgTree {
        // 1 city → 2 bureau → 3 section; 4 another bureau
        OrgTree::new([(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))])
    }
    fn actor(id: i64, roles: &[(Role, i64)]) -> Actor {
        Actor {
            user_id: id,
            org_unit: 3,
            assignments: roles
                .iter()
                .map(|&(role, org_unit)| RoleAssignment { role, org_unit })
                .collect(),
        }
    }
    fn app(track: Track, state: State) -> Application {
        let fields = ApplicationFields {
            org_unit: 3,
            service_name: "x".into(),
            provider: "p".into(),
            url: "https://x".into(),
            purpose: "p".into(),
            user_scope: "s".into(),
            period_from: jiff::civil::Date::constant(2026, 12, 1),
            period_to: None,
            classification: Classification {
                confidentiality: "1".into(),
                integrity: "1".into(),
                availability: "1".into(),
                handling: vec![],
            },
            data_locations: vec![],
            governing_law: String::new(),
            court: String::new(),
            tos_url: String::new(),
            tos_version: String::new(),
            citizen_facing: false,
        };
        Application {
            id: 1,
            applicant: 10,
            state,
            track,
            fields,
            answers: Default::default(),
            unconfirmed: vec![],
        }
    }

    #[test]
    fn class1_self_approval_is_for_information_managers_over_the_unit() {
        // clause: S5.1.2 — the Information Manager etc. approve class 1 themselves
        // clause: S5.2.2-2
        let a = app(Track::Class1, State::Draft);
        let im = actor(20, &[(Role::InformationManager, 3)]);
        let other_im = actor(21, &[(Role::InformationManager, 4)]);
        assert!(application(&a, &im, &tree()).self_approve);
        assert!(!application(&a, &other_im, &tree()).self_approve);
        assert!(!application(&app(Track::Class2Plus, State::Draft), &im, &tree()).self_approve);
    }

    #[test]
    fn the_responsible_ism_decides_but_never_on_their_own_application() {
        // clause: S5.1.1 — the ISM reviews class-2+ applications of the units they are over
        // clause: S5.2.1-2
        let a = app(Track::Class2Plus, State::Submitted);
        let ism = actor(30, &[(Role::InformationSecurityManager, 2)]);
        let caps = application(&a, &ism, &tree());
        assert!(caps.decide && caps.view && !caps.edit);
        let mut own = a.clone();
        own.applicant = 30;
        assert_eq!(
            permits_application(&own, &ism, &tree(), ApplicationMove::Decide),
            Err(Refusal::Forbidden("own_application"))
        );
        let applicant = actor(10, &[]);
        let caps = application(&a, &applicant, &tree());
        assert!(caps.view && !caps.decide && !caps.edit && !caps.submit);
    }

    #[test]
    fn capabilities_follow_the_state() {
        // clause: S5.2.1-1 — a class-2+ application goes to the ISM from draft or returned
        let applicant = actor(10, &[]);
        for (state, submit) in [
            (State::Draft, true),
            (State::Returned, true),
            (State::Submitted, false),
            (State::Approved, false),
        ] {
            let caps = application(&app(Track::Class2Plus, state), &applicant, &tree());
            assert_eq!(caps.submit, submit, "{state:?}");
            assert_eq!(caps.edit, submit, "{state:?}");
        }
        let stranger = actor(99, &[(Role::Staff, 4)]);
        assert_eq!(
            application(&app(Track::Class1, State::Draft), &stranger, &tree()),
            ApplicationCapabilities::default()
        );
    }

    #[test]
    fn service_moves_are_the_administrators() {
        // clause: S5.2.2-3 — the administrator registers the service in the ledger
        // clause: S7.2
        let mut s = Service {
            id: 1,
            administrator: 7,
            org_unit: 3,
            ledger_status: None,
            registered_on: None,
        };
        let admin = actor(7, &[]);
        let ism = actor(30, &[(Role::InformationSecurityManager, 2)]);
        let caps = service(&s, &admin, &tree());
        assert!(caps.register_in_ledger && !caps.retire && caps.add_account);
        assert!(service(&s, &ism, &tree()).view_details);
        assert!(!service(&s, &ism, &tree()).register_in_ledger);
        s.ledger_status = Some(LedgerStatus::InOperation);
        assert!(service(&s, &admin, &tree()).retire);
        s.ledger_status = Some(LedgerStatus::Retired);
        let caps = service(&s, &admin, &tree());
        assert!(!caps.retire && !caps.add_account && caps.close_account);
    }
}
