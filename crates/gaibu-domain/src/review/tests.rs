//! The rules of `review`, clause by clause.
use super::*;
use crate::application::ApplicationInput;
use crate::classification::Track;
use crate::role::Role;
use crate::sheet::{Answer, AnswerType, Answers, Item, Section, YES};
use crate::testing::{actor, fields, tree};

fn sheet() -> Sheet {
    let item = |id: &str, blocking, show_if| Item {
        id: id.into(),
        section: "s".into(),
        clause: "S3.1".into(),
        answer: AnswerType::YesNoNa,
        blocking,
        text_ja: "t".into(),
        text_en: "t".into(),
        options: vec![],
        show_if,
        evidence: false,
        claims: None,
    };
    Sheet {
        sections: vec![Section {
            id: "s".into(),
            title_ja: "s".into(),
            title_en: "s".into(),
        }],
        items: vec![
            item("c2-a", true, None),
            item(
                "c2-avail",
                true,
                Some(crate::sheet::Condition {
                    field: "availability".into(),
                    any_of: vec!["2".into()],
                }),
            ),
        ],
    }
}
fn yes(ids: &[&str]) -> Answers {
    ids.iter()
        .map(|i| {
            (
                i.to_string(),
                Answer {
                    value: YES.into(),
                    comment: String::new(),
                    ..Default::default()
                },
            )
        })
        .collect()
}
fn app(state: State, avail: &str, answers: Answers) -> Application {
    let _ = ApplicationInput::default();
    Application {
        id: 1,
        applicant: 10,
        state,
        track: Track::Class2Plus,
        fields: fields(avail),
        answers,
        unconfirmed: vec![],
        evidenced: vec![],
    }
}
fn evaluation() -> Evaluation {
    let mut e = Evaluation::default();
    for (f, _) in crate::evaluation::FIELDS {
        match f {
            "tos_changeable" => e.tos_changeable = "yes".into(),
            "security_requirements" => e.security_requirements = "x".into(),
            "security_design" => e.security_design = "x".into(),
            "provider_reliability" => e.provider_reliability = "x".into(),
            "contract_clauses" => e.contract_clauses = "x".into(),
            "sla" => e.sla = "x".into(),
            "backup_level" => e.backup_level = "x".into(),
            "unfavourable_terms" => e.unfavourable_terms = "x".into(),
            "responsibility_split" => e.responsibility_split = "x".into(),
            "dev_ops_information" => e.dev_ops_information = "x".into(),
            _ => {}
        }
    }
    e
}
const NOW: jiff::Timestamp = jiff::Timestamp::UNIX_EPOCH;

fn no_procurement() -> crate::procurement::Procurement {
    crate::procurement::Procurement {
        procured: "no".into(),
        ..Default::default()
    }
}

// clause: S5.2.1-1, S3.4a, S3.1 — submitted with the class-2+ sheet and the evaluation
#[test]
fn submission_needs_the_sheet_and_the_evaluation() {
    let applicant = actor(10, Role::InformationManager, 3);
    let a = app(State::Draft, "1", yes(&["c2-a"]));
    assert_eq!(
        submit(
            &a,
            &applicant,
            &tree(),
            &sheet(),
            &evaluation(),
            &no_procurement()
        ),
        Ok(())
    );
    match submit(
        &a,
        &applicant,
        &tree(),
        &sheet(),
        &Evaluation::default(),
        &no_procurement(),
    ) {
        Err(Refusal::Incomplete(p)) => {
            assert!(p.iter().all(|p| p.item.starts_with("evaluation.")))
        }
        other => panic!("{other:?}"),
    }
    // A conditional item applies only when its condition holds (availability 2).
    let a2 = app(State::Draft, "2", yes(&["c2-a"]));
    match submit(
        &a2,
        &applicant,
        &tree(),
        &sheet(),
        &evaluation(),
        &no_procurement(),
    ) {
        Err(Refusal::Incomplete(p)) => assert_eq!(p[0].item, "c2-avail"),
        other => panic!("{other:?}"),
    }
    let resubmit = app(State::Returned, "1", yes(&["c2-a"]));
    assert_eq!(
        submit(
            &resubmit,
            &applicant,
            &tree(),
            &sheet(),
            &evaluation(),
            &no_procurement()
        ),
        Ok(())
    );
    let frozen = app(State::Submitted, "1", yes(&["c2-a"]));
    assert_eq!(
        submit(
            &frozen,
            &applicant,
            &tree(),
            &sheet(),
            &evaluation(),
            &no_procurement()
        ),
        Err(Refusal::Conflict("not_draft"))
    );
}

// S3.4a — a reused evaluation is submitted only once each copied answer is re-confirmed
#[test]
fn reused_answers_must_be_reconfirmed() {
    let applicant = actor(10, Role::InformationManager, 3);
    let mut a = app(State::Draft, "1", yes(&["c2-a"]));
    a.unconfirmed = vec!["c2-a".into(), "evaluation".into()];
    match submit(
        &a,
        &applicant,
        &tree(),
        &sheet(),
        &evaluation(),
        &no_procurement(),
    ) {
        Err(Refusal::Incomplete(p)) => {
            let items: Vec<_> = p.iter().map(|p| (p.item.as_str(), p.code)).collect();
            assert_eq!(
                items,
                vec![
                    ("c2-a", "reuse_unconfirmed"),
                    ("evaluation", "reuse_unconfirmed")
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

fn decision(d: &str, reason: &str) -> DecisionInput {
    DecisionInput {
        decision: d.into(),
        reason: reason.into(),
        comments: BTreeMap::new(),
    }
}

// clause: S3.4c, S5.2.1-3 — approval designates the applicant as administrator
#[test]
fn the_responsible_ism_approves_and_designates_the_applicant() {
    let ism = actor(20, Role::InformationSecurityManager, 2);
    let a = app(State::Submitted, "1", yes(&["c2-a"]));
    match decide(&a, &ism, &tree(), &decision("approve", ""), NOW) {
        Ok(Outcome::Approved(ap)) => {
            assert_eq!(ap.approver, 20);
            assert_eq!(ap.administrator, 10);
        }
        other => panic!("{other:?}"),
    }
}

// clause: S5.1.1, S3.4b — only the ISM over the unit decides, never on their own application
#[test]
fn only_the_responsible_ism_decides() {
    let a = app(State::Submitted, "1", yes(&["c2-a"]));
    for who in [
        actor(21, Role::InformationSecurityManager, 4),
        actor(22, Role::InformationManager, 3),
        actor(23, Role::Ciso, 1),
    ] {
        assert_eq!(
            decide(&a, &who, &tree(), &decision("approve", ""), NOW),
            Err(Refusal::Forbidden("responsible_ism_required"))
        );
    }
    let mut own = a.clone();
    own.applicant = 20;
    assert_eq!(
        decide(
            &own,
            &actor(20, Role::InformationSecurityManager, 2),
            &tree(),
            &decision("approve", ""),
            NOW
        ),
        Err(Refusal::Forbidden("own_application"))
    );
}

// clause: S3.4b — reject or return, with reasons; only what is under review
#[test]
fn returns_and_rejections_need_reasons() {
    let ism = actor(20, Role::InformationSecurityManager, 1);
    let a = app(State::Submitted, "1", yes(&["c2-a"]));
    assert_eq!(
        decide(&a, &ism, &tree(), &decision("return", " "), NOW),
        Err(Refusal::Invalid(vec![FieldError::new(
            "reason", "required"
        )]))
    );
    assert_eq!(
        decide(&a, &ism, &tree(), &decision("return", "SLAを明記"), NOW).map(|o| o.state()),
        Ok(State::Returned)
    );
    assert_eq!(
        decide(&a, &ism, &tree(), &decision("reject", "国外保存"), NOW).map(|o| o.state()),
        Ok(State::Rejected)
    );
    assert_eq!(
        decide(&a, &ism, &tree(), &decision("maybe", ""), NOW),
        Err(Refusal::Invalid(vec![FieldError::new(
            "decision", "required"
        )]))
    );
    let draft = app(State::Draft, "1", yes(&["c2-a"]));
    assert_eq!(
        decide(&draft, &ism, &tree(), &decision("approve", ""), NOW),
        Err(Refusal::Conflict("not_under_review"))
    );
}

#[test]
fn a_decision_tells_the_applicant_and_designates_on_approval() {
    // clause: S3.4c — on approval the applicant is designated External Service Administrator
    // clause: S5.2.1-3
    let a = app(State::Submitted, "1", Answers::default());
    let approved = Outcome::Approved(Approval {
        approver: 30,
        administrator: a.applicant,
        approved_at: jiff::Timestamp::UNIX_EPOCH,
    });
    let e = approved.effects(&a);
    assert_eq!(e.audit, [Action::ServiceApproved, Action::RegisterCreated]);
    assert_eq!(
        e.notify
            .iter()
            .map(|n| (n.user_id, n.kind))
            .collect::<Vec<_>>(),
        [(10, NoticeKind::Approved), (10, NoticeKind::Designated)]
    );
    let returned = Outcome::Returned { reason: "r".into() };
    assert_eq!(returned.action(), Action::ApplicationReturned);
    assert_eq!(returned.effects(&a).notify[0].kind, NoticeKind::Returned);
    // clause: S3.4a — every responsible ISM but the applicant is told of a submission
    let s = submission_effects(&a, &[30, 10, 31]);
    assert_eq!(
        s.notify.iter().map(|n| n.user_id).collect::<Vec<_>>(),
        [30, 31]
    );
}

// clause: S3.2c — an item that expects evidence (a certificate, an audit report) needs an
// attached file or a recorded reason before submission; the refusal names the item
#[test]
fn an_item_expecting_evidence_needs_a_file_or_a_reason() {
    let applicant = actor(10, Role::InformationManager, 3);
    let mut s = sheet();
    s.items[0].evidence = true;
    s.items[0].clause = "S3.2c".into();
    let mut a = app(State::Draft, "1", yes(&["c2-a"]));
    let go = |a: &Application| submit(a, &applicant, &tree(), &s, &evaluation(), &no_procurement());
    match go(&a) {
        Err(Refusal::Incomplete(p)) => assert_eq!(
            p,
            vec![ItemProblem {
                item: "c2-a".into(),
                code: "evidence_required"
            }]
        ),
        other => panic!("{other:?}"),
    }
    // A file attached to the item meets it…
    a.evidenced = vec!["c2-a".into()];
    assert_eq!(go(&a), Ok(()));
    // …and so does a recorded reason why there is none.
    a.evidenced.clear();
    if let Some(ans) = a.answers.get_mut("c2-a") {
        ans.evidence_reason = "提供者が証明書の写しを出さないため、公開ページで確認した".into();
    }
    assert_eq!(go(&a), Ok(()));
    // "Not applicable" (with its comment) expects no evidence.
    a.answers.insert(
        "c2-a".into(),
        Answer {
            value: "na".into(),
            comment: "該当しない".into(),
            ..Default::default()
        },
    );
    s.items[0].blocking = false;
    let go = |a: &Application| submit(a, &applicant, &tree(), &s, &evaluation(), &no_procurement());
    assert_eq!(go(&a), Ok(()));
}
