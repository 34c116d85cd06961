//! A usage-register file (サービス利用状況, S5.2.1-5) checked row by row: each row is the entry of
//! a service already in the ledger (matched by its name and provider), with all eight fields
//! ア–ク, every one required (S5.2.1-5a–h).

use super::{CellError, Checked, Existing, bounded, yes_no};
use crate::error::Refusal;
use crate::role::{Actor, OrgUnitId, Role};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The fields of a register row, in the order of S5.2.1-5 (ア–ク), then what the page marks.
pub const REGISTER_FIELDS: &[(&str, bool)] = &[
    ("service_name", true),
    ("provider_name", true),
    ("purpose", true),
    ("classification", true),
    ("period_of_use", true),
    ("applicant", true),
    ("user_scope", true),
    ("administrator", true),
    ("citizen_facing", false),
];

/// An entry as an import would leave it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegisterRecord {
    pub service_name: String,
    pub provider_name: String,
    pub purpose: String,
    pub classification: String,
    pub period_of_use: String,
    pub applicant: String,
    pub user_scope: String,
    pub administrator: String,
    pub citizen_facing: bool,
}

/// What the city already has, as a register import reads it.
#[derive(Debug, Clone, Default)]
pub struct RegisterContext {
    /// Services of the ledger: (name, provider) → (service id, its org unit).
    pub services: HashMap<(String, String), (i64, OrgUnitId)>,
    /// Entries already in the register, by service id.
    pub existing: HashMap<i64, (Existing, RegisterRecord)>,
    /// The units whose records the importer may bring in (`None`: all of them).
    pub allowed: Option<HashSet<OrgUnitId>>,
}

/// What a row would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterPlan {
    Create {
        service_id: i64,
        org_unit: OrgUnitId,
        record: RegisterRecord,
    },
    Update {
        service_id: i64,
        seen: Existing,
        record: RegisterRecord,
    },
    /// The entry already says this.
    Unchanged(i64),
}

pub type RegisterCheck = Checked<RegisterPlan>;

/// The usage register is the Information Security Manager's (S5.2.1-5): its file is brought in
/// by the ISM for their units, or the CISO for all (`None`).
pub fn may_import_register(actor: &Actor) -> Result<Option<Vec<OrgUnitId>>, Refusal> {
    if actor.has_role(Role::Ciso) {
        return Ok(None);
    }
    let units: Vec<OrgUnitId> = actor
        .assignments
        .iter()
        .filter(|a| a.role == Role::InformationSecurityManager)
        .map(|a| a.org_unit)
        .collect();
    if units.is_empty() {
        return Err(Refusal::Forbidden("import_register"));
    }
    Ok(Some(units))
}

/// Checks every row (its number, and its values by field key).
pub fn check_register<'a>(
    rows: impl IntoIterator<Item = (usize, BTreeMap<&'static str, &'a str>)>,
    ctx: &RegisterContext,
) -> RegisterCheck {
    let mut seen: HashSet<i64> = HashSet::new();
    let mut out = Vec::new();
    for (row, values) in rows {
        let get = |k: &str| values.get(k).map(|v| v.trim()).unwrap_or("");
        let mut errs = Vec::new();
        // clause: S5.2.1-5a–h — every field of the register is required.
        for (field, required) in REGISTER_FIELDS {
            if *required && get(field).is_empty() {
                errs.push(CellError {
                    field,
                    code: "required",
                });
            }
        }
        let mut text = |f: &'static str, max| bounded(get(f), max, f, &mut errs);
        let record = RegisterRecord {
            service_name: text("service_name", 200),
            provider_name: text("provider_name", 200),
            purpose: text("purpose", 2000),
            classification: text("classification", 200),
            period_of_use: text("period_of_use", 200),
            applicant: text("applicant", 200),
            user_scope: text("user_scope", 2000),
            administrator: text("administrator", 200),
            citizen_facing: false,
        };
        let record = RegisterRecord {
            citizen_facing: yes_no(get("citizen_facing"), false, "citizen_facing", &mut errs),
            ..record
        };
        let key = (record.service_name.clone(), record.provider_name.clone());
        let service = match ctx.services.get(&key) {
            Some(s) => Some(*s),
            None if key.0.is_empty() || key.1.is_empty() => None,
            None => {
                errs.push(CellError {
                    field: "service_name",
                    code: "import_unknown_service",
                });
                None
            }
        };
        if let (Some(allowed), Some((_, unit))) = (&ctx.allowed, service)
            && !allowed.contains(&unit)
        {
            errs.push(CellError {
                field: "service_name",
                code: "import_not_your_unit",
            });
        }
        if let Some((id, _)) = service
            && !seen.insert(id)
        {
            errs.push(CellError {
                field: "service_name",
                code: "duplicate",
            });
        }
        let result = match service {
            Some((service_id, org_unit)) if errs.is_empty() => {
                match ctx.existing.get(&service_id) {
                    Some((e, now)) if *now == record => Ok(RegisterPlan::Unchanged(e.id)),
                    // ク follows the designation of the administrator (S3.4c, S5.2.1-5h), as
                    // the hand edit of the register says: a file does not change it.
                    Some((_, now)) if now.administrator != record.administrator => {
                        Err(vec![CellError {
                            field: "administrator",
                            code: "import_administrator_change",
                        }])
                    }
                    Some((e, _)) => Ok(RegisterPlan::Update {
                        service_id,
                        seen: *e,
                        record,
                    }),
                    None => Ok(RegisterPlan::Create {
                        service_id,
                        org_unit,
                        record,
                    }),
                }
            }
            _ => Err(errs),
        };
        out.push(super::RowOutcome { row, result });
    }
    Checked { rows: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(name: &'a str, purpose: &'a str) -> BTreeMap<&'static str, &'a str> {
        BTreeMap::from([
            ("service_name", name),
            ("provider_name", "株式会社テスト"),
            ("purpose", purpose),
            ("classification", "機密性2"),
            ("period_of_use", "2026年4月1日〜2027年3月31日"),
            ("applicant", "市民課 山田"),
            ("user_scope", "市民課のみ"),
            ("administrator", "市民課 課長"),
            ("citizen_facing", "はい"),
        ])
    }

    fn ctx() -> RegisterContext {
        let mut c = RegisterContext::default();
        c.services
            .insert(("会議".into(), "株式会社テスト".into()), (5, 7));
        c
    }

    // clause: S5.2.1-5a–h — an entry needs all eight fields, and names a service in the ledger
    #[test]
    fn rows_become_entries_of_ledger_services() {
        let check = check_register([(2, row("会議", "会議")), (3, row("不明", "x"))], &ctx());
        let Ok(RegisterPlan::Create {
            service_id, record, ..
        }) = &check.rows[0].result
        else {
            panic!("{check:?}");
        };
        assert_eq!(*service_id, 5);
        assert!(record.citizen_facing);
        assert_eq!(
            check.rows[1].result,
            Err(vec![CellError {
                field: "service_name",
                code: "import_unknown_service"
            }])
        );
        let check = check_register([(2, row("会議", ""))], &ctx());
        assert_eq!(
            check.rows[0].result,
            Err(vec![CellError {
                field: "purpose",
                code: "required"
            }])
        );
    }

    #[test]
    fn the_same_entry_again_is_unchanged_and_twice_is_a_duplicate() {
        let first = check_register([(2, row("会議", "会議"))], &ctx());
        let Ok(RegisterPlan::Create { record, .. }) = first.rows[0].result.clone() else {
            panic!("{first:?}");
        };
        let mut c = ctx();
        c.existing
            .insert(5, (Existing { id: 9, version: 1 }, record));
        let again = check_register([(2, row("会議", "会議")), (3, row("会議", "別"))], &c);
        assert_eq!(again.rows[0].result, Ok(RegisterPlan::Unchanged(9)));
        assert!(again.rows[1].result.is_err());
    }

    // clause: S5.2.1-5h — ク follows the administrator's designation, not a file
    #[test]
    fn a_file_does_not_change_the_administrator_column() {
        let first = check_register([(2, row("会議", "会議"))], &ctx());
        let Ok(RegisterPlan::Create { record, .. }) = first.rows[0].result.clone() else {
            panic!("{first:?}");
        };
        let mut c = ctx();
        c.existing
            .insert(5, (Existing { id: 9, version: 1 }, record));
        let mut other = row("会議", "会議");
        other.insert("administrator", "情報政策課 課長");
        let check = check_register([(2, other)], &c);
        assert_eq!(
            check.rows[0].result,
            Err(vec![CellError {
                field: "administrator",
                code: "import_administrator_change"
            }])
        );
    }
}
