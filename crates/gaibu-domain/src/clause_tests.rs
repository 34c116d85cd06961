//! The shipped requirement sheets against the clauses they carry out: the risk considerations
//! of S2.4 (shown to the applicant and the reviewer as sheet items, answered and recorded) and
//! the class-1 selection items of S4.2, each clause on its own.

use crate::policy::{PolicyDocument, parse};
use crate::sheet::{Answer, Context, NO, Sheet};
use crate::testing::all_yes;

fn sheet(text: &str) -> Sheet {
    match parse(text) {
        Ok(PolicyDocument::Sheet { sheet, .. }) => sheet,
        other => panic!("{other:?}"),
    }
}
fn class1() -> Sheet {
    sheet(include_str!("../../../policy/sheets/class1.toml"))
}
fn class2() -> Sheet {
    sheet(include_str!("../../../policy/sheets/class2plus.toml"))
}
/// A context in which every conditional item of the class-2+ sheet applies.
fn ctx2() -> Context {
    Context {
        classification: crate::classification::Classification {
            confidentiality: "3".into(),
            integrity: "2".into(),
            availability: "2".into(),
            handling: vec![],
        },
        citizen_facing: true,
    }
}

/// The items of `s` that cite `clause`; each must exist, and each left unanswered is named.
fn required_items(s: &Sheet, ctx: &Context, clause: &str) -> Vec<String> {
    let ids: Vec<String> = s
        .items
        .iter()
        .filter(|i| i.clause == clause)
        .map(|i| i.id.clone())
        .collect();
    assert!(!ids.is_empty(), "no item carries {clause}");
    let full = all_yes(s);
    assert!(s.check_complete(&full, ctx).is_empty());
    for id in &ids {
        let mut a = full.clone();
        a.remove(id);
        let named: Vec<_> = s
            .check_complete(&a, ctx)
            .into_iter()
            .map(|p| p.item)
            .collect();
        assert!(named.contains(id), "{id} ({clause}) is not required");
    }
    ids
}

/// A "no" to a blocking item of `clause` stops approval.
fn blocks(s: &Sheet, ctx: &Context, id: &str) {
    let mut a = all_yes(s);
    a.insert(
        id.into(),
        Answer {
            value: NO.into(),
            comment: "不可".into(),
            ..Default::default()
        },
    );
    let codes: Vec<_> = s
        .check_complete(&a, ctx)
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, vec!["blocking_no"], "{id}");
}

// clause: S2.4a — the provider's operations are a black box: a class-2+ sheet item, required,
// and a "no" stops approval
#[test]
fn risk_black_box_is_considered() {
    let ids = required_items(&class2(), &ctx2(), "S2.4a");
    assert_eq!(ids, vec!["c2-risk-blackbox"]);
    blocks(&class2(), &ctx2(), "c2-risk-blackbox");
}

// clause: S2.4b — responsibility demarcation and SLA are hard to agree: on both sheets
#[test]
fn risk_responsibility_and_sla_is_considered() {
    required_items(&class2(), &ctx2(), "S2.4b");
    blocks(&class2(), &ctx2(), "c2-risk-responsibility");
    required_items(&class1(), &Context::default(), "S2.4b");
}

// clause: S2.4c — multi-tenant infrastructure and leakage
#[test]
fn risk_multitenancy_is_considered() {
    let ids = required_items(&class2(), &ctx2(), "S2.4c");
    assert_eq!(ids, vec!["c2-risk-multitenancy"]);
    blocks(&class2(), &ctx2(), "c2-risk-multitenancy");
}

// clause: S2.4d — data stored or processed abroad: the sheets ask where and under which law
#[test]
fn risk_country_is_considered() {
    required_items(&class2(), &ctx2(), "S2.4d");
    let ids = required_items(&class1(), &Context::default(), "S2.4d");
    assert!(ids.contains(&"c1-data-location".to_string()));
    blocks(&class1(), &Context::default(), "c1-data-location");
}

// clause: S2.4e — the supply chain changes at the provider's convenience
#[test]
fn risk_supply_chain_is_considered() {
    let ids = required_items(&class2(), &ctx2(), "S2.4e");
    assert!(ids.contains(&"c2-risk-supplychain".to_string()));
    required_items(&class1(), &Context::default(), "S2.4e");
}

// clause: S4.2a — class 1: what may be entered and for which work, per S3.2a
#[test]
fn class1_selection_security_requirements() {
    let ids = required_items(&class1(), &Context::default(), "S4.2a");
    assert!(ids.contains(&"c1-work-scope".to_string()));
    blocks(&class1(), &Context::default(), "c1-work-scope");
}

// clause: S4.2b — class 1: the provider's reliability, per S3.2c
#[test]
fn class1_selection_provider_reliability() {
    required_items(&class1(), &Context::default(), "S4.2b");
    blocks(&class1(), &Context::default(), "c1-reliability");
}

// clause: S4.2c — class 1: the information flow, per S3.2b
#[test]
fn class1_selection_information_flow() {
    assert_eq!(
        required_items(&class1(), &Context::default(), "S4.2c"),
        vec!["c1-data-flow"]
    );
}

// clause: S4.2d — class 1: the terms; without the required clauses the service cannot be used
#[test]
fn class1_selection_terms_without_required_clauses_stop_use() {
    let ids = required_items(&class1(), &Context::default(), "S4.2d");
    assert!(ids.contains(&"c1-required-clauses".to_string()));
    blocks(&class1(), &Context::default(), "c1-required-clauses");
}

// clause: S4.2e — class 1: unfavourable terms are judged and recorded
#[test]
fn class1_selection_unfavourable_terms() {
    assert_eq!(
        required_items(&class1(), &Context::default(), "S4.2e"),
        vec!["c1-unfavourable-terms"]
    );
}

// clause: S4.2f — class 1: the split of roles and responsibilities
#[test]
fn class1_selection_responsibility_split() {
    required_items(&class1(), &Context::default(), "S4.2f");
    blocks(&class1(), &Context::default(), "c1-responsibility-split");
}
