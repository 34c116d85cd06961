//! The rules of `measures`, clause by clause.
use super::*;
use crate::policy::{PolicyDocument, parse};
use crate::role::RoleAssignment;

fn policy() -> ServiceLifePolicy {
    match parse(include_str!(
        "../../../../policy/lifecycle/service-life.toml"
    )) {
        Ok(PolicyDocument::ServiceLife { policy, .. }) => policy,
        other => panic!("shipped service-life policy: {other:?}"),
    }
}
fn svc(st: LedgerStatus) -> Service {
    Service {
        id: 1,
        administrator: 7,
        org_unit: 3,
        ledger_status: Some(st),
        registered_on: None,
        track: crate::classification::Track::Class2Plus,
    }
}
const M: Managers = Managers {
    business_system_manager: Some(20),
    infrastructure_manager: Some(21),
};
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
fn ctx(a: &str) -> crate::sheet::Context {
    let mut c = crate::sheet::Context::default();
    c.classification.confidentiality = "2".into();
    c.classification.availability = a.into();
    c
}
fn input(status: &str, reason: &str) -> BuildInput {
    BuildInput {
        status: status.into(),
        reason: reason.into(),
        provider_said: "回答書のとおり".into(),
        evidence: "回答書 2026-05".into(),
    }
}

// clause: S3.5.6 — the administrator asks, checks and records each measure's status;
// not applicable needs a reason; nobody else records
#[test]
fn the_administrator_records_build_measures_with_reasons() {
    let p = policy();
    let c = ctx("2");
    let applicable: Vec<&Measure> = p.build_for(&c).collect();
    let t = crate::testing::tree();
    let s = svc(LedgerStatus::Building);
    let id = applicable[0].id.clone();
    let r = record_build(
        &s,
        &M,
        &actor(7, &[]),
        &t,
        &applicable,
        &id,
        &input("implemented", ""),
    );
    assert_eq!(r.map(|r| r.status), Ok(MeasureStatus::Implemented));
    assert_eq!(
        record_build(
            &s,
            &M,
            &actor(7, &[]),
            &t,
            &applicable,
            &id,
            &input("not_applicable", " ")
        ),
        Err(Refusal::Invalid(vec![FieldError::new(
            "reason",
            "reason_required"
        )]))
    );
    assert_eq!(
        record_build(&s, &M, &actor(7, &[]), &t, &applicable, &id, &input("", "")),
        Err(Refusal::Invalid(vec![FieldError::new(
            "status", "required"
        )]))
    );
    assert_eq!(
        record_build(
            &s,
            &M,
            &actor(20, &[]),
            &t,
            &applicable,
            &id,
            &input("partly", "")
        ),
        Err(Refusal::Forbidden("administrator_required"))
    );
    assert_eq!(
        record_build(
            &svc(LedgerStatus::InOperation),
            &M,
            &actor(7, &[]),
            &t,
            &applicable,
            &id,
            &input("partly", "")
        ),
        Err(Refusal::Conflict("not_building"))
    );
    assert_eq!(
        record_build(
            &s,
            &M,
            &actor(7, &[]),
            &t,
            &applicable,
            "nope",
            &input("partly", "")
        ),
        Err(Refusal::invalid("measure", "unknown_measure"))
    );
}

// clause: S3.5.1a–h, S3.5.2a–b, S3.5.3a–b, S3.5.4a–f, S3.5.5 — every applicable measure
// must have a status before the service goes into operation; the missing are named
#[test]
fn into_operation_only_when_every_measure_has_a_status() {
    let p = policy();
    let c = ctx("1");
    let applicable: Vec<&Measure> = p.build_for(&c).collect();
    let t = crate::testing::tree();
    let s = svc(LedgerStatus::Building);
    let all: Vec<&str> = applicable.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        put_into_operation(&s, &M, &actor(7, &[]), &t, &applicable, &all),
        Ok(())
    );
    let (first, rest) = all.split_first().expect("measures");
    match put_into_operation(&s, &M, &actor(7, &[]), &t, &applicable, rest) {
        Err(Refusal::Incomplete(p)) => {
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].item, *first);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        put_into_operation(
            &svc(LedgerStatus::InOperation),
            &M,
            &actor(7, &[]),
            &t,
            &applicable,
            &all
        ),
        Err(Refusal::Conflict("not_building"))
    );
}

// clause: S3.6-1a–i, S3.6-2 — the service's BSM and IM define the rules; others may not
#[test]
fn rules_are_the_managers() {
    let p = policy();
    let t = crate::testing::tree();
    let s = svc(LedgerStatus::InOperation);
    let id = p.operation[0].id.clone();
    let body = RuleInput {
        body: " 利用方針 ".into(),
    };
    assert_eq!(
        define_rule(&s, &M, &actor(20, &[]), &t, &p, &id, &body),
        Ok("利用方針".into())
    );
    assert_eq!(
        define_rule(&s, &M, &actor(21, &[]), &t, &p, &p.end_of_use[0].id, &body),
        Ok("利用方針".into())
    );
    assert_eq!(
        define_rule(&s, &M, &actor(7, &[]), &t, &p, &id, &body),
        Err(Refusal::Forbidden("service_manager_required"))
    );
    let empty = RuleInput { body: " ".into() };
    assert_eq!(
        define_rule(&s, &M, &actor(20, &[]), &t, &p, &id, &empty),
        Err(Refusal::invalid("body", "required"))
    );
    assert_eq!(
        define_rule(&s, &M, &actor(20, &[]), &t, &p, &p.build[0].id, &body),
        Err(Refusal::invalid("measure", "unknown_measure"))
    );
}

// clause: S3.6-3 — a check records every operation-time measure and sets the next due date
#[test]
fn a_check_covers_every_operation_measure() {
    let p = policy();
    let t = crate::testing::tree();
    let s = svc(LedgerStatus::InOperation);
    let today = Date::constant(2027, 4, 10);
    let mut input = CheckInput::default();
    for x in &p.operation {
        input.items.insert(
            x.id.clone(),
            CheckItemInput {
                status: "implemented".into(),
                ..Default::default()
            },
        );
    }
    let c = record_check(&s, &M, &actor(21, &[]), &t, &p, "2", today, &input).expect("check");
    assert_eq!(c.items.len(), p.operation.len());
    assert_eq!(c.next_due, Some(Date::constant(2028, 4, 10)));
    let mut partial = input.clone();
    partial.items.remove(&p.operation[0].id);
    match record_check(&s, &M, &actor(21, &[]), &t, &p, "2", today, &partial) {
        Err(Refusal::Invalid(e)) => {
            assert_eq!(
                e,
                vec![FieldError::new(
                    format!("items.{}.status", p.operation[0].id),
                    "required"
                )]
            )
        }
        other => panic!("{other:?}"),
    }
    let mut future = input.clone();
    future.checked_on = "2027-05-01".into();
    assert!(record_check(&s, &M, &actor(21, &[]), &t, &p, "2", today, &future).is_err());
    assert_eq!(
        record_check(&s, &M, &actor(7, &[]), &t, &p, "2", today, &input),
        Err(Refusal::Forbidden("service_manager_required"))
    );
    assert_eq!(
        record_check(
            &svc(LedgerStatus::Building),
            &M,
            &actor(21, &[]),
            &t,
            &p,
            "2",
            today,
            &input
        ),
        Err(Refusal::Conflict("not_in_operation"))
    );
}

#[test]
fn managers_are_changed_by_the_administrator_or_the_ism() {
    let t = crate::testing::tree();
    let s = svc(LedgerStatus::InOperation);
    let i = ManagersInput {
        business_system_manager: "30".into(),
        infrastructure_manager: "".into(),
    };
    let want = Managers {
        business_system_manager: Some(30),
        infrastructure_manager: None,
    };
    assert_eq!(change_managers(&s, &M, &actor(7, &[]), &t, &i), Ok(want));
    let ism = actor(40, &[(Role::InformationSecurityManager, 3)]);
    assert_eq!(change_managers(&s, &M, &ism, &t, &i), Ok(want));
    assert_eq!(
        change_managers(&s, &M, &actor(20, &[]), &t, &i),
        Err(Refusal::Forbidden("administrator_or_ism_required"))
    );
}

#[test]
fn recipients_once_each_and_due_states() {
    let s = svc(LedgerStatus::InOperation);
    assert_eq!(check_recipients(&s, &M, &[40, 7]), vec![20, 21, 7, 40]);
    let d = Date::constant(2027, 4, 10);
    assert_eq!(due_state(Date::constant(2027, 4, 11), d, 30), Due::Overdue);
    assert_eq!(due_state(Date::constant(2027, 4, 10), d, 30), Due::Soon);
    assert_eq!(due_state(Date::constant(2027, 3, 1), d, 30), Due::Later);
}
