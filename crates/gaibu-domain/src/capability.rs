//! What a person may do with a record. One answer serves the operations, the JSON API and the
//! buttons of the pages, so that a button is shown exactly when its action would be allowed.
//!
//! Each move is judged by `permits_*`, kept beside the record's rules (which call it first);
//! the capability sets here are those moves that `permits_*` allows.

pub use crate::application::{ApplicationMove, permits_application};
pub use crate::ledger::{ServiceMove, permits_service, permits_service_change};

use crate::application::Application;
use crate::ledger::Service;
use crate::role::{Actor, OrgTree};

/// The moves a person may make on an application now: an action refused here is refused when
/// tried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationCapabilities {
    pub view: bool,
    /// Change its fields, answers, evaluation, procurement record or evidence.
    pub edit: bool,
    /// Class-1 approval by an Information Manager etc. (S5.1.2, S5.2.2-2).
    pub self_approve: bool,
    /// Class-2+ submission to the ISM (S5.2.1-1).
    pub submit: bool,
    /// The ISM's decision (S3.4b).
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
    use crate::Refusal;
    use crate::application::State;
    use crate::classification::Track;
    use crate::ledger::LedgerStatus;
    use crate::role::Role;
    use crate::role::RoleAssignment;
    use crate::testing::tree;

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
        let mut fields = crate::testing::fields("1");
        fields.classification.confidentiality = "1".into();
        Application {
            id: 1,
            applicant: 10,
            state,
            track,
            fields,
            answers: Default::default(),
            unconfirmed: vec![],
            evidenced: vec![],
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
            track: crate::classification::Track::Class1,
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
