//! The rules of `termination`, clause by clause.
use super::*;
use crate::role::RoleAssignment;
use crate::testing::tree;

fn svc(track: Track, status: Option<LedgerStatus>) -> Service {
    Service {
        id: 1,
        administrator: 7,
        org_unit: 3,
        ledger_status: status,
        registered_on: Some(Date::constant(2026, 6, 1)),
        track,
    }
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
fn admin() -> Actor {
    actor(7, &[])
}
fn ism() -> Actor {
    actor(30, &[(Role::InformationSecurityManager, 2)])
}
fn at(state: TerminationState) -> Termination {
    Termination {
        state: Some(state),
        ..Default::default()
    }
}
fn today() -> Date {
    Date::constant(2027, 1, 10)
}

// clause: S7.1-1 — the administrator applies to the ISM, from any status before 廃止済み
#[test]
fn the_administrator_applies_with_reason_and_date() {
    let input = RequestInput {
        reason: "後継システムへ移行".into(),
        planned_end_on: "2027-03-31".into(),
    };
    for st in [
        LedgerStatus::Building,
        LedgerStatus::InOperation,
        LedgerStatus::Suspended,
    ] {
        let s = svc(Track::Class2Plus, Some(st));
        let r = request(&s, None, &admin(), &tree(), &input, today()).expect("request");
        assert_eq!(r.planned_end_on, Date::constant(2027, 3, 31));
    }
    let s = svc(Track::Class2Plus, Some(LedgerStatus::InOperation));
    assert_eq!(
        request(&s, None, &ism(), &tree(), &input, today()),
        Err(Refusal::Forbidden("administrator_required"))
    );
    let retired = svc(Track::Class2Plus, Some(LedgerStatus::Retired));
    assert_eq!(
        request(&retired, None, &admin(), &tree(), &input, today()),
        Err(Refusal::Conflict("service_retired"))
    );
    let class1 = svc(Track::Class1, Some(LedgerStatus::InOperation));
    assert_eq!(
        request(&class1, None, &admin(), &tree(), &input, today()),
        Err(Refusal::Conflict("termination_class1_retires"))
    );
    let pending = at(TerminationState::Requested);
    assert_eq!(
        request(&s, Some(&pending), &admin(), &tree(), &input, today()),
        Err(Refusal::Conflict("termination_already_requested"))
    );
    let back = at(TerminationState::Returned);
    assert!(request(&s, Some(&back), &admin(), &tree(), &input, today()).is_ok());
    let bad = RequestInput {
        reason: " ".into(),
        planned_end_on: "2026-12-31".into(),
    };
    assert_eq!(
        request(&s, None, &admin(), &tree(), &bad, today()),
        Err(Refusal::Invalid(vec![
            FieldError::new("reason", "required"),
            FieldError::new("planned_end_on", "in_the_past"),
        ]))
    );
}

// clause: S7.1-1 — the ISM over the unit accepts or returns, never their own request
#[test]
fn the_responsible_ism_decides() {
    let s = svc(Track::Class2Plus, Some(LedgerStatus::InOperation));
    let t = at(TerminationState::Requested);
    let accept = DecisionInput {
        decision: "accept".into(),
        reason: String::new(),
    };
    assert!(decide(&s, Some(&t), &ism(), &tree(), &accept).is_ok_and(|d| d.accept));
    let other = actor(31, &[(Role::InformationSecurityManager, 5)]);
    assert_eq!(
        decide(&s, Some(&t), &other, &tree(), &accept),
        Err(Refusal::Forbidden("responsible_ism_required"))
    );
    let ret = DecisionInput {
        decision: "return".into(),
        reason: String::new(),
    };
    assert_eq!(
        decide(&s, Some(&t), &ism(), &tree(), &ret),
        Err(Refusal::invalid("reason", "required"))
    );
    let done = at(TerminationState::Accepted);
    assert_eq!(
        decide(&s, Some(&done), &ism(), &tree(), &accept),
        Err(Refusal::Conflict("termination_not_requested"))
    );
}

// clause: S7.1-2 — the ledger goes to 廃止済み only through an accepted termination
// clause: S7.1-3 — the ISM ends the register entry after the ledger
#[test]
fn ledger_then_register_after_acceptance() {
    let s = svc(Track::Class2Plus, Some(LedgerStatus::Suspended));
    let on = DateInput {
        on: "2027-03-31".into(),
    };
    let req = at(TerminationState::Requested);
    assert_eq!(
        retire_ledger(&s, Some(&req), &admin(), &tree(), &on),
        Err(Refusal::Conflict("termination_not_accepted"))
    );
    let mut t = at(TerminationState::Accepted);
    assert_eq!(
        retire_ledger(&s, Some(&t), &admin(), &tree(), &on),
        Ok(Date::constant(2027, 3, 31))
    );
    assert_eq!(
        end_register(&s, Some(&t), &ism(), &tree(), &on),
        Err(Refusal::Conflict("termination_ledger_not_retired"))
    );
    t.ledger_retired = true;
    assert_eq!(
        end_register(&s, Some(&t), &admin(), &tree(), &on),
        Err(Refusal::Forbidden("responsible_ism_required"))
    );
    assert!(end_register(&s, Some(&t), &ism(), &tree(), &on).is_ok());
    assert_eq!(
        retire_ledger(&s, Some(&t), &admin(), &tree(), &on),
        Err(Refusal::Conflict("termination_ledger_done"))
    );
}

fn disposal(method: &str) -> DisposalInput {
    DisposalInput {
        method: method.into(),
        disposed_on: "2027-03-31".into(),
        ..Default::default()
    }
}

// clause: S7.1-4 — a disposal has a method and its proof; a return is not a disposal
#[test]
fn a_disposal_needs_its_proof() {
    let cert = disposal("provider_certificate");
    assert_eq!(
        cert.parse(false, false),
        Err(vec![FieldError::new(
            "file",
            "deletion_certificate_required"
        )])
    );
    assert!(cert.parse(false, true).is_ok());
    assert_eq!(
        disposal("data_return").parse(false, true),
        Err(vec![FieldError::new("method", "return_is_not_disposal")])
    );
    let mut returned = cert.clone();
    returned.data_returned_on = "2027-03-01".into();
    let d = returned.parse(false, true).expect("recorded");
    assert_eq!(d.data_returned_on, Some(Date::constant(2027, 3, 1)));
}

// clause: S3.7-3 — crypto-shredding needs encrypted storage and names the key; highly
// confidential information states that it was stored encrypted
#[test]
fn key_deletion_and_highly_confidential_information() {
    let mut key = disposal("key_deletion");
    assert_eq!(
        key.parse(false, false),
        Err(vec![
            FieldError::new("key_reference", "required"),
            FieldError::new("stored_encrypted", "key_deletion_needs_encryption"),
        ])
    );
    key.key_reference = "kms:key/1234".into();
    key.stored_encrypted = "yes".into();
    let d = key.parse(true, false).expect("crypto-shredding");
    assert_eq!(d.method, DisposalMethod::KeyDeletion);
    assert_eq!(d.stored_encrypted, Some(true));
    assert_eq!(
        disposal("provider_certificate").parse(true, true),
        Err(vec![FieldError::new(
            "stored_encrypted",
            "encryption_statement_required"
        )])
    );
    let scheme = match crate::policy::parse(include_str!(
        "../../../../policy/classification/three-level.toml"
    )) {
        Ok(crate::policy::PolicyDocument::Classification { scheme, .. }) => scheme,
        other => panic!("shipped scheme: {other:?}"),
    };
    let mut c = Classification {
        confidentiality: "2".into(),
        integrity: "1".into(),
        availability: "1".into(),
        handling: vec![],
    };
    assert!(!is_highly_confidential(&scheme, &c));
    c.handling = vec!["encryption_required".into()];
    assert!(is_highly_confidential(&scheme, &c));
    c.handling.clear();
    c.confidentiality = "3".into();
    assert!(is_highly_confidential(&scheme, &c));
}

// clause: S3.7-2 — each end-of-use measure gets a status; 該当なし needs its reason
#[test]
fn end_of_use_measures_are_recorded() {
    let known = ["end_a", "end_b", "end_c"];
    let mut input = MeasuresInput::default();
    input.measures.insert(
        "end_a".into(),
        MeasureInput {
            status: "implemented".into(),
            note: String::new(),
        },
    );
    input.measures.insert(
        "end_b".into(),
        MeasureInput {
            status: "not_applicable".into(),
            note: String::new(),
        },
    );
    assert_eq!(
        input.parse(&known),
        Err(vec![FieldError::new("measure.end_b", "reason_required")])
    );
    input.measures.insert(
        "end_b".into(),
        MeasureInput {
            status: "not_applicable".into(),
            note: "アカウント未作成".into(),
        },
    );
    assert_eq!(input.parse(&known).map(|m| m.len()), Ok(2));
}

// clause: S7.1-5 — not complete while an account is open
// clause: S7.1-6 — completion names what is missing
#[test]
fn completion_needs_every_step() {
    let s = svc(Track::Class2Plus, Some(LedgerStatus::Retired));
    let end = ["end_a"];
    let mut t = at(TerminationState::Accepted);
    t.ledger_retired = true;
    t.register_ended = true;
    assert_eq!(
        missing(&t, 2, &end),
        vec![
            "termination_disposal_missing",
            "termination_accounts_open",
            "termination_measures_missing"
        ]
    );
    assert_eq!(
        complete(&s, &t, &admin(), &tree(), 2, &end),
        Err(Refusal::Conflict("termination_disposal_missing"))
    );
    t.disposal_recorded = true;
    assert_eq!(
        complete(&s, &t, &admin(), &tree(), 1, &end),
        Err(Refusal::Conflict("termination_accounts_open"))
    );
    t.measures_recorded = vec!["end_a".into()];
    assert_eq!(
        complete(&s, &t, &ism(), &tree(), 0, &end),
        Err(Refusal::Forbidden("administrator_required"))
    );
    assert_eq!(complete(&s, &t, &admin(), &tree(), 0, &end), Ok(()));
}
