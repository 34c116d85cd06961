//! Fixtures shared by the rules' tests: an org tree, actors, application fields, answers.

use crate::application::ApplicationFields;
use crate::classification::Classification;
use crate::role::{Actor, OrgTree, Role, RoleAssignment};
use crate::sheet::{Answers, Sheet};

/// 1 city → 2 bureau → 3 section; 4 another bureau.
pub(crate) fn tree() -> OrgTree {
    OrgTree::new([(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))])
}
pub(crate) fn actor(id: i64, role: Role, unit: i64) -> Actor {
    Actor {
        user_id: id,
        org_unit: unit,
        assignments: vec![RoleAssignment {
            role,
            org_unit: unit,
        }],
    }
}
/// Valid fields of an application for unit 3 at confidentiality 2 and the given availability.
pub(crate) fn fields(avail: &str) -> ApplicationFields {
    ApplicationFields {
        org_unit: 3,
        service_name: "x".into(),
        provider: "p".into(),
        url: "https://x".into(),
        purpose: "p".into(),
        user_scope: "s".into(),
        period_from: jiff::civil::Date::constant(2026, 12, 1),
        period_to: None,
        classification: Classification {
            confidentiality: "2".into(),
            integrity: "1".into(),
            availability: avail.into(),
            handling: vec![],
        },
        data_locations: vec!["日本".into()],
        governing_law: "日本法".into(),
        court: "東京地裁".into(),
        tos_url: "https://x/t".into(),
        tos_version: "1".into(),
        citizen_facing: false,
    }
}
/// Every item answered so that the sheet is met.
pub(crate) fn all_yes(sheet: &Sheet) -> Answers {
    sheet.answers_meeting("確認済み")
}
