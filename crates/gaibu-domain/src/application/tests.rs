//! The rules of `application`, clause by clause.
use super::*;
use crate::policy::{PolicyDocument, parse};
use crate::role::Role;
use crate::sheet::{Answer, NO};
use crate::testing::{actor, tree};

fn scheme() -> Scheme {
    match parse(include_str!(
        "../../../../policy/classification/three-level.toml"
    )) {
        Ok(PolicyDocument::Classification { scheme, .. }) => scheme,
        o => panic!("{o:?}"),
    }
}
fn sheet() -> Sheet {
    match parse(include_str!("../../../../policy/sheets/class1.toml")) {
        Ok(PolicyDocument::Sheet { sheet, .. }) => sheet,
        o => panic!("{o:?}"),
    }
}
fn input() -> ApplicationInput {
    ApplicationInput {
        org_unit: "3".into(),
        service_name: "Web会議サービス".into(),
        provider: "株式会社例".into(),
        url: "https://meet.example.com".into(),
        purpose: "庁外との打合せ".into(),
        user_scope: "課内に限る".into(),
        period_from: "2026-12-01".into(),
        period_to: "2027-03-31".into(),
        confidentiality: "1".into(),
        integrity: "1".into(),
        availability: "1".into(),
        handling: vec![],
        data_locations: vec!["日本".into()],
        governing_law: "日本法".into(),
        court: "東京地方裁判所".into(),
        tos_url: "https://meet.example.com/terms".into(),
        tos_version: "2026-04-01".into(),
        citizen_facing: false,
    }
}
fn app(conf: &str) -> Application {
    let mut i = input();
    i.confidentiality = conf.into();
    let s = scheme();
    let fields = i.parse(&s, 3, |_| true).expect("valid");
    Application {
        id: 1,
        applicant: 10,
        state: State::Draft,
        track: s.route(&fields.classification).expect("routed"),
        fields,
        answers: crate::testing::all_yes(&sheet()),
        unconfirmed: vec![],
        evidenced: vec![],
    }
}
fn no_procurement() -> crate::procurement::Procurement {
    crate::procurement::Procurement {
        procured: "no".into(),
        ..Default::default()
    }
}
const NOW: jiff::Timestamp = jiff::Timestamp::UNIX_EPOCH;

#[test]
fn every_required_field_is_named() {
    let errs = ApplicationInput::default()
        .parse(&scheme(), 3, |_| true)
        .unwrap_err();
    let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
    for f in [
        "service_name",
        "provider",
        "url",
        "purpose",
        "user_scope",
        "governing_law",
        "court",
        "tos_url",
        "tos_version",
        "period_from",
        "confidentiality",
        "integrity",
        "availability",
        "data_locations",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[test]
fn bad_urls_dates_and_order_are_field_errors() {
    let mut i = input();
    i.url = "meet.example.com".into();
    i.period_to = "2026-01-01".into();
    i.tos_url = "javascript:alert(1)".into();
    let errs = i.parse(&scheme(), 3, |_| true).unwrap_err();
    assert_eq!(
        errs,
        vec![
            FieldError::new("url", "invalid_url"),
            FieldError::new("tos_url", "invalid_url"),
            FieldError::new("period_to", "period_order"),
        ]
    );
}

// clause: S2.4d — data location, governing law and court are recorded
#[test]
fn data_locations_accept_a_list_in_one_field() {
    let j = serde_json::json!({"data_locations": "日本、米国", "citizen_facing": "on"});
    let i: ApplicationInput = serde_json::from_value(j).expect("json");
    assert_eq!(i.data_locations, vec!["日本", "米国"]);
    assert!(i.citizen_facing);
}

// clause: S5.2.2-2, S5.1.2 — the IM etc. of the unit approves and becomes administrator
#[test]
fn class1_self_approval_designates_the_approver() {
    let a = app("1");
    let im = actor(20, Role::InformationManager, 2);
    let ok = approve_class1(&a, &sheet(), &no_procurement(), &im, &tree(), NOW).expect("approved");
    assert_eq!(ok.approver, 20);
    assert_eq!(ok.administrator, 20);
}

// clause: S5.1.2 — someone without the role over the unit may not approve
#[test]
fn approval_needs_the_role_over_the_unit() {
    let a = app("1");
    for who in [
        actor(21, Role::InformationManager, 4),
        actor(22, Role::Staff, 3),
        actor(23, Role::InformationSecurityManager, 1),
    ] {
        assert_eq!(
            approve_class1(&a, &sheet(), &no_procurement(), &who, &tree(), NOW),
            Err(Refusal::Forbidden("class1_approver_required"))
        );
    }
}

// clause: S2.1 — class 2+ goes to the class-2+ track, never self-approved
#[test]
fn class2_cannot_be_self_approved() {
    let a = app("2");
    assert_eq!(a.track, Track::Class2Plus);
    let im = actor(20, Role::InformationManager, 3);
    assert_eq!(
        approve_class1(&a, &sheet(), &no_procurement(), &im, &tree(), NOW),
        Err(Refusal::Conflict("class2_track_required"))
    );
}

// clause: S5.2.2-2 — a blocking "no" stops approval, with the item named
#[test]
fn blocking_no_stops_approval() {
    let mut a = app("1");
    a.answers.insert(
        "c1-no-rights-over-data".into(),
        Answer {
            value: NO.into(),
            comment: "学習に利用される".into(),
            ..Default::default()
        },
    );
    let im = actor(20, Role::InformationManager, 3);
    match approve_class1(&a, &sheet(), &no_procurement(), &im, &tree(), NOW) {
        Err(Refusal::SheetNotMet(p)) => {
            assert_eq!(p[0].item, "c1-no-rights-over-data");
            assert_eq!(p[0].code, "blocking_no");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn approving_twice_is_a_conflict() {
    let mut a = app("1");
    a.state = State::Approved;
    let im = actor(20, Role::InformationManager, 3);
    assert_eq!(
        approve_class1(&a, &sheet(), &no_procurement(), &im, &tree(), NOW),
        Err(Refusal::Conflict("already_decided"))
    );
    assert_eq!(
        may_edit(&a, &im, &tree()),
        Err(Refusal::Conflict("not_draft"))
    );
}

#[test]
fn strangers_may_not_edit_a_draft() {
    let a = app("1");
    let other = actor(30, Role::Staff, 3);
    assert_eq!(
        may_edit(&a, &other, &tree()),
        Err(Refusal::Forbidden("not_your_application"))
    );
    let mut mine = a.clone();
    mine.applicant = 30;
    assert_eq!(may_edit(&mine, &other, &tree()), Ok(()));
}

fn procurement_problems(p: &crate::procurement::Procurement) -> Vec<(String, &'static str)> {
    let im = actor(20, Role::InformationManager, 2);
    match approve_class1(&app("1"), &sheet(), p, &im, &tree(), NOW) {
        Err(Refusal::SheetNotMet(ps)) => ps.into_iter().map(|p| (p.item, p.code)).collect(),
        other => panic!("{other:?}"),
    }
}

// clause: S4.3a — a procured class-1 service: the procurement spec states the selection
// conditions; self-approval names what is missing
#[test]
fn class1_self_approval_needs_the_conditions_in_the_spec() {
    let unset = procurement_problems(&crate::procurement::Procurement::default());
    assert_eq!(
        unset,
        vec![("procurement.procured".to_string(), "required")]
    );
    let p = crate::procurement::Procurement {
        procured: "yes".into(),
        spec_reference: "調達仕様書 第3号".into(),
        spec_includes_conditions: "no".into(),
        verified_on: "2026-11-20".into(),
        verified_by: "総務課 情報花子".into(),
        contract_reference: "契約第2026-7号".into(),
        spec_in_contract: "yes".into(),
    };
    assert_eq!(
        procurement_problems(&p),
        vec![(
            "procurement.spec_includes_conditions".to_string(),
            "spec_conditions_required"
        )]
    );
}

// clause: S4.3b — before the contract the provider was checked against the spec and the spec
// made part of the contract; otherwise no self-approval
#[test]
fn class1_self_approval_needs_the_check_and_the_spec_in_the_contract() {
    let mut p = crate::procurement::Procurement {
        procured: "yes".into(),
        spec_reference: "調達仕様書 第3号".into(),
        spec_includes_conditions: "yes".into(),
        verified_on: String::new(),
        verified_by: String::new(),
        contract_reference: "契約第2026-7号".into(),
        spec_in_contract: "no".into(),
    };
    assert_eq!(
        procurement_problems(&p),
        vec![
            ("procurement.verified_on".to_string(), "required"),
            ("procurement.verified_by".to_string(), "required"),
            (
                "procurement.spec_in_contract".to_string(),
                "spec_in_contract_required"
            ),
        ]
    );
    p.verified_on = "2026-11-20".into();
    p.verified_by = "総務課 情報花子".into();
    p.spec_in_contract = "yes".into();
    let im = actor(20, Role::InformationManager, 2);
    assert!(approve_class1(&app("1"), &sheet(), &p, &im, &tree(), NOW).is_ok());
}
