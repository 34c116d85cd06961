//! A city's existing ledger brought in from a spreadsheet (issue 11): each row checked against
//! what the city already has — its org units, its classification scheme in force, its people
//! and the services already in the ledger (S5.2.2-3) — before anything is written. The result
//! says, row by row, what would be created or updated and every error with its field, so that
//! a dry run and the import itself agree, and an import with one bad row imports nothing.

use crate::calendar;
use crate::error::Refusal;
use crate::role::{Actor, OrgUnitId, UserId};
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The fields a ledger row fills, by key; `required` ones must be present on every row.
pub const LEDGER_FIELDS: &[(&str, bool)] = &[
    ("name", true),
    ("provider", true),
    ("org_unit", true),
    ("confidentiality", true),
    ("administrator", true),
    ("registered_on", true),
    ("system_name", false),
    ("in_scope", false),
    ("note", false),
];

/// What the city already has, as an import reads it. Names are matched as written, after
/// trimming; org units by code or by name, people by login.
#[derive(Debug, Clone, Default)]
pub struct LedgerContext {
    pub org_units: HashMap<String, OrgUnitId>,
    /// The codes of the confidentiality levels in force, and their labels → code.
    pub levels: HashMap<String, String>,
    pub people: HashMap<String, UserId>,
    /// Services already in the ledger: (name, provider) → (which record, what it holds now).
    pub existing: HashMap<(String, String), (Existing, LedgerRecord)>,
    /// The units whose records the importer may bring in (`None`: all of them).
    pub allowed: Option<HashSet<OrgUnitId>>,
    /// The confidentiality levels (codes) whose services are class 2+ (S2.2).
    pub class2: HashSet<String>,
    /// The units whose class-2+ services the importer may bring in: those of which they are
    /// the Information Security Manager, who permits class-2+ use (S5.1.1); `None`: all.
    pub class2_allowed: Option<HashSet<OrgUnitId>>,
    /// Services of the file's names that were approved but are not yet in the ledger.
    pub unregistered: HashSet<(String, String)>,
}

/// Who may bring a file of records in, and for which units: the CISO for all; the Information
/// Security Managers, who keep the usage register (S5.2.1-5), and the Information Managers etc.
/// (S3.1), for the units they oversee (with those below, which the caller adds).
pub fn may_import(actor: &Actor) -> Result<Option<Vec<OrgUnitId>>, Refusal> {
    match actor.units_overseen() {
        Some(units) if units.is_empty() => Err(Refusal::Forbidden("import")),
        units => Ok(units),
    }
}

/// One service of the ledger as an import would leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecord {
    pub name: String,
    pub provider: String,
    pub org_unit: OrgUnitId,
    pub confidentiality: String,
    pub administrator: UserId,
    pub registered_on: Date,
    pub system_name: String,
    pub in_scope: bool,
    pub note: String,
}

/// A service already in the ledger, as the import saw it: a change is made only if nobody
/// changed it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Existing {
    pub id: i64,
    pub version: i64,
}

/// What a row would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Create(LedgerRecord),
    /// The service seen, changed to this.
    Update(Existing, LedgerRecord),
    /// Already in the ledger as the row says: importing the same file again changes nothing.
    Unchanged(i64),
}

/// A problem with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub field: &'static str,
    pub code: &'static str,
}

/// One row's outcome: its number in the file, and its plan or its errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome<P = Plan> {
    pub row: usize,
    pub result: Result<P, Vec<CellError>>,
}

/// The whole file's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<P> {
    pub rows: Vec<RowOutcome<P>>,
}

/// A ledger file's outcome.
pub type LedgerCheck = Checked<Plan>;

impl<P> Default for Checked<P> {
    fn default() -> Self {
        Checked { rows: Vec::new() }
    }
}

impl<P> Checked<P> {
    /// Whether the file may be imported: every row is good (all or nothing).
    pub fn is_clean(&self) -> bool {
        self.rows.iter().all(|r| r.result.is_ok())
    }

    pub fn count(&self, f: impl Fn(&P) -> bool) -> usize {
        self.rows
            .iter()
            .filter(|r| r.result.as_ref().is_ok_and(&f))
            .count()
    }

    pub fn errors(&self) -> impl Iterator<Item = (usize, &CellError)> {
        self.rows.iter().flat_map(|r| {
            r.result
                .as_ref()
                .err()
                .into_iter()
                .flatten()
                .map(move |e| (r.row, e))
        })
    }
}

/// Checks every row (its number, and its values by field key). A row naming the same service
/// (name and provider) as an earlier row is a duplicate.
pub fn check_ledger<'a>(
    rows: impl IntoIterator<Item = (usize, BTreeMap<&'static str, &'a str>)>,
    ctx: &LedgerContext,
) -> LedgerCheck {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut out = Vec::new();
    for (row, values) in rows {
        let get = |k: &str| values.get(k).map(|v| v.trim()).unwrap_or("");
        let mut errs = Vec::new();
        for (field, required) in LEDGER_FIELDS {
            if *required && get(field).is_empty() {
                errs.push(CellError {
                    field,
                    code: "required",
                });
            }
        }
        let text = |field: &'static str, max: usize, errs: &mut Vec<CellError>| {
            let v = get(field);
            if v.chars().count() > max {
                errs.push(CellError {
                    field,
                    code: "too_long",
                });
            }
            v.to_string()
        };
        let name = text("name", 200, &mut errs);
        let provider = text("provider", 200, &mut errs);
        let system_name = text("system_name", 200, &mut errs);
        let note = text("note", 2000, &mut errs);
        let org_unit = lookup(
            &ctx.org_units,
            get("org_unit"),
            "org_unit",
            "unknown_org_unit",
            &mut errs,
        );
        let administrator = lookup(
            &ctx.people,
            get("administrator"),
            "administrator",
            "import_unknown_login",
            &mut errs,
        );
        if let (Some(allowed), Some(unit)) = (&ctx.allowed, org_unit)
            && !allowed.contains(&unit)
        {
            errs.push(CellError {
                field: "org_unit",
                code: "import_not_your_unit",
            });
        }
        let confidentiality = match get("confidentiality") {
            "" => None,
            v if ctx.levels.values().any(|c| c == v) => Some(v.to_string()),
            v => match ctx.levels.get(v) {
                Some(code) => Some(code.clone()),
                None => {
                    errs.push(CellError {
                        field: "confidentiality",
                        code: "unknown_level",
                    });
                    None
                }
            },
        };
        let registered_on = match get("registered_on") {
            "" => None,
            v => match calendar::parse(v) {
                Ok(d) => Some(d),
                Err(_) => {
                    errs.push(CellError {
                        field: "registered_on",
                        code: "import_date",
                    });
                    None
                }
            },
        };
        let in_scope = yes_no(get("in_scope"), true, "in_scope", &mut errs);
        if let (Some(level), Some(unit)) = (&confidentiality, org_unit)
            && ctx.class2.contains(level)
            && ctx
                .class2_allowed
                .as_ref()
                .is_some_and(|a| !a.contains(&unit))
        {
            errs.push(CellError {
                field: "confidentiality",
                code: "import_class2_needs_ism",
            });
        }
        let key = (name.clone(), provider.clone());
        if ctx.unregistered.contains(&key) {
            // Approved but not yet registered: its administrator registers it (S5.2.2-3); a
            // file would make a second service of it.
            errs.push(CellError {
                field: "name",
                code: "import_not_in_ledger",
            });
        }
        if !name.is_empty() && !provider.is_empty() && seen.insert(key.clone(), row).is_some() {
            errs.push(CellError {
                field: "name",
                code: "duplicate",
            });
        }
        let result = match (org_unit, administrator, confidentiality, registered_on) {
            (Some(org_unit), Some(administrator), Some(confidentiality), Some(registered_on))
                if errs.is_empty() =>
            {
                let record = LedgerRecord {
                    system_name: if system_name.is_empty() {
                        name.clone()
                    } else {
                        system_name
                    },
                    name,
                    provider,
                    org_unit,
                    confidentiality,
                    administrator,
                    registered_on,
                    in_scope,
                    note,
                };
                match ctx.existing.get(&key) {
                    Some((_, now))
                        if ctx
                            .allowed
                            .as_ref()
                            .is_some_and(|a| !a.contains(&now.org_unit)) =>
                    {
                        Err(vec![CellError {
                            field: "org_unit",
                            code: "import_not_your_unit",
                        }])
                    }
                    Some((seen, now)) if *now == record => Ok(Plan::Unchanged(seen.id)),
                    // A service's class is changed by a re-check (S6.1) and its administrator
                    // designated (S3.4c), never by a file.
                    Some((_, now)) if now.confidentiality != record.confidentiality => {
                        Err(vec![CellError {
                            field: "confidentiality",
                            code: "import_class_change",
                        }])
                    }
                    Some((_, now)) if now.administrator != record.administrator => {
                        Err(vec![CellError {
                            field: "administrator",
                            code: "import_administrator_change",
                        }])
                    }
                    Some((seen, _)) => Ok(Plan::Update(*seen, record)),
                    None => Ok(Plan::Create(record)),
                }
            }
            _ => Err(errs),
        };
        out.push(RowOutcome { row, result });
    }
    LedgerCheck { rows: out }
}

/// A yes/no cell as cities write it (the export's own words included); empty is `default`.
pub(crate) fn yes_no(
    v: &str,
    default: bool,
    field: &'static str,
    errs: &mut Vec<CellError>,
) -> bool {
    match v.trim().to_lowercase().as_str() {
        "" => default,
        "yes" | "はい" | "対象" | "in scope" | "true" | "1" | "○" | "〇" | "該当" => true,
        "no" | "いいえ" | "対象外" | "out of scope" | "false" | "0" | "×" | "非該当" => {
            false
        }
        _ => {
            errs.push(CellError {
                field,
                code: "invalid_choice",
            });
            default
        }
    }
}

/// Text of at most `max` characters.
pub(crate) fn bounded(
    v: &str,
    max: usize,
    field: &'static str,
    errs: &mut Vec<CellError>,
) -> String {
    if v.chars().count() > max {
        errs.push(CellError {
            field,
            code: "too_long",
        });
    }
    v.to_string()
}

fn lookup(
    table: &HashMap<String, i64>,
    v: &str,
    field: &'static str,
    code: &'static str,
    errs: &mut Vec<CellError>,
) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let found = table.get(v).copied();
    if found.is_none() {
        errs.push(CellError { field, code });
    }
    found
}

pub mod accounts;
pub mod register;

#[cfg(test)]
mod tests;
