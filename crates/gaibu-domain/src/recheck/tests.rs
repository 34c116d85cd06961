//! The rules of `recheck`, clause by clause.
use super::*;
use crate::role::RoleAssignment;
use crate::sheet::{Answer, NO};

fn actor(id: i64, role: Option<Role>) -> Actor {
    Actor {
        user_id: id,
        org_unit: 2,
        assignments: role
            .map(|role| RoleAssignment { role, org_unit: 1 })
            .into_iter()
            .collect(),
    }
}
fn tree() -> OrgTree {
    OrgTree::new([(1, None), (2, Some(1))])
}
fn svc(status: Option<LedgerStatus>) -> Service {
    Service {
        id: 1,
        administrator: 7,
        org_unit: 2,
        ledger_status: status,
        registered_on: None,
        track: crate::classification::Track::Class1,
    }
}
fn sheet() -> Sheet {
    match crate::policy::parse(include_str!("../../../../policy/sheets/class1.toml")) {
        Ok(crate::policy::PolicyDocument::Sheet { sheet, .. }) => sheet,
        other => panic!("{other:?}"),
    }
}
fn open() -> Recheck {
    Recheck {
        id: 1,
        administrator: 7,
        state: RecheckState::Open,
    }
}
fn input(answers: Answers, judgement: &str) -> RecheckInput {
    RecheckInput {
        answers,
        judgement: judgement.into(),
        reason: "規約改定の内容を確認".into(),
    }
}

// clause: S6.1 — the re-check's due date is policy data, 30 days when a version omits it
#[test]
fn recheck_due_days_are_policy_data() {
    use crate::policy::{PolicyDocument, parse};
    let text = include_str!("../../../../policy/lifecycle/service-life.toml");
    let days = |text: &str| match parse(text) {
        Ok(PolicyDocument::ServiceLife { policy, .. }) => policy.recheck_due_days,
        other => panic!("{other:?}"),
    };
    assert_eq!(days(text), 30);
    let without = text.replace("recheck_due_days = 30\n", "");
    assert_ne!(without, text);
    assert_eq!(days(&without), 30);
    let sooner = text.replace("recheck_due_days = 30", "recheck_due_days = 14");
    assert_eq!(days(&sooner), 14);
    assert_eq!(
        due_on(Date::constant(2027, 1, 25), 14),
        Date::constant(2027, 2, 8)
    );
}

// clause: S6.1 — the administrator and the ISM record events on a service in use
#[test]
fn events_are_recorded_by_the_administrator_or_the_ism() {
    let s = svc(Some(LedgerStatus::InOperation));
    assert_eq!(permits_event(&s, &actor(7, None), &tree()), Ok(()));
    let ism = actor(9, Some(Role::InformationSecurityManager));
    assert_eq!(permits_event(&s, &ism, &tree()), Ok(()));
    assert_eq!(
        permits_event(&s, &actor(8, Some(Role::Staff)), &tree()),
        Err(Refusal::Forbidden("administrator_or_ism_required"))
    );
    assert_eq!(
        permits_event(&svc(None), &actor(7, None), &tree()),
        Err(Refusal::Conflict("service_not_in_use"))
    );
    let terms = EventInput {
        kind: "terms_changed".into(),
        description: "規約改定".into(),
        occurred_on: "2027-01-10".into(),
        ..Default::default()
    };
    assert_eq!(
        terms.parse().map(|_| ()),
        Err(vec![FieldError::new("tos_version", "tos_change_required")])
    );
    let bad = EventInput {
        kind: "certificate_expiring".into(),
        ..terms.clone()
    };
    assert!(bad.parse().is_err());
}

// clause: S6.1 — a partial answer is a draft; complete answers are judged; a blocking
// "no" is never compliant
#[test]
fn partial_answers_are_a_draft_and_blocking_no_fails() {
    let sh = sheet();
    let ctx = Context::default();
    let me = actor(7, None);
    let mut partial = crate::testing::all_yes(&sh);
    partial.remove("c1-reliability");
    let out = save(&open(), &me, &sh, &ctx, &input(partial, "compliant"));
    assert!(matches!(out, Ok(Outcome::Draft(p)) if p.iter().any(|p| p.code == "unanswered")));
    let all = crate::testing::all_yes(&sh);
    assert!(matches!(
        save(&open(), &me, &sh, &ctx, &input(all.clone(), "")),
        Ok(Outcome::Draft(_))
    ));
    assert!(matches!(
        save(&open(), &me, &sh, &ctx, &input(all.clone(), "compliant")),
        Ok(Outcome::Judged {
            compliant: true,
            ..
        })
    ));
    let mut no = all;
    no.insert(
        "c1-official-accounts".into(),
        Answer {
            value: NO.into(),
            comment: "個人アカウントに変更された".into(),
            ..Default::default()
        },
    );
    assert_eq!(
        save(&open(), &me, &sh, &ctx, &input(no.clone(), "compliant")),
        Err(Refusal::invalid("judgement", "blocking_no"))
    );
    assert!(matches!(
        save(&open(), &me, &sh, &ctx, &input(no, "not_compliant")),
        Ok(Outcome::Judged {
            compliant: false,
            ..
        })
    ));
    assert_eq!(
        save(
            &open(),
            &actor(8, None),
            &sh,
            &ctx,
            &input(Answers::new(), "")
        ),
        Err(Refusal::Forbidden("administrator_required"))
    );
}

// clause: S6.2 — a corrective action with owner, due date and result; not corrected
// stops the use; a pass brings it back
#[test]
fn corrective_action_and_stop_of_use() {
    let failed = Recheck {
        state: RecheckState::NotCompliant,
        ..open()
    };
    let today = Date::constant(2027, 1, 10);
    let good = ActionInput {
        owner: "8".into(),
        due_on: "2027-02-10".into(),
        plan: "設定を修正".into(),
    };
    let me = actor(7, None);
    assert_eq!(
        plan_action(&failed, &me, false, today, &good),
        Ok(NewAction {
            owner: 8,
            due_on: Date::constant(2027, 2, 10),
            plan: "設定を修正".into()
        })
    );
    assert_eq!(
        plan_action(&open(), &me, false, today, &good),
        Err(Refusal::Conflict("recheck_not_failed"))
    );
    assert_eq!(
        plan_action(&failed, &me, true, today, &good),
        Err(Refusal::Conflict("action_exists"))
    );
    let past = ActionInput {
        due_on: "2027-01-01".into(),
        ..good
    };
    assert_eq!(
        plan_action(&failed, &me, false, today, &past),
        Err(Refusal::invalid("due_on", "in_the_past"))
    );
    let a = Action {
        owner: 8,
        administrator: 7,
        state: ActionState::Open,
    };
    let nc = ResultInput {
        result: "not_corrected".into(),
        note: "提供者が対応しない".into(),
    };
    assert_eq!(
        record_result(&a, &actor(8, None), &nc),
        Ok((ActionState::NotCorrected, "提供者が対応しない".into()))
    );
    assert_eq!(
        record_result(&a, &actor(9, None), &nc),
        Err(Refusal::Forbidden("owner_or_administrator_required"))
    );
    assert_eq!(
        status_after_pass(Some(LedgerStatus::Suspended)),
        Some(LedgerStatus::InOperation)
    );
    assert_eq!(status_after_pass(Some(LedgerStatus::InOperation)), None);
}
