//! The ISMAP and ISMAP-LIU lists (issue 11): the national lists of cloud services assessed for
//! government use, as a city downloads them, read row by row, and the cross-check of what a
//! service's sheet claims (S3.2a: certifications recorded with evidence; S3.2c: the provider's
//! reliability judged from its certifications, with their validity).
//!
//! A registration has a number, the service it covers (its name, its provider and the scope
//! text the list gives) and a validity period: the list's "valid until" date when it has one,
//! else, as the ISMAP rules set it in principle, 1 year 4 months after the end of the audited
//! period. The cross-check of a claimed number on a day gives one finding:
//!
//! - `NotListed`: no registration of that number in the lists;
//! - `Withdrawn`: the registration was withdrawn (取消・抹消);
//! - `Expired`: its validity ended before the day (or the list says it lapsed);
//! - `ScopeMismatch`: the registration does not cover the service — see [`covers`];
//! - `Ok` otherwise.

use crate::Refusal;
use crate::calendar;
use crate::role::{Actor, Role};
use crate::sheet::{Answers, CLAIM_ISMAP_REGISTRATION, Context, Sheet};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

mod scope;
#[cfg(test)]
mod tests;
use scope::fold;
pub use scope::{covers, normal_number};

/// Which of the two national lists a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = IsmapListKind))]
pub enum ListKind {
    /// ISMAP クラウドサービスリスト.
    Ismap,
    /// ISMAP-LIU (low-impact use) クラウドサービスリスト.
    IsmapLiu,
}

impl ListKind {
    pub const ALL: [ListKind; 2] = [ListKind::Ismap, ListKind::IsmapLiu];
    pub const fn as_str(self) -> &'static str {
        match self {
            ListKind::Ismap => "ismap",
            ListKind::IsmapLiu => "ismap_liu",
        }
    }
    /// The stored name, or as a person writes it (`ismap-liu`, `LIU`).
    pub fn parse(s: &str) -> Option<ListKind> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "" | "ismap" => Some(ListKind::Ismap),
            "ismap_liu" | "liu" => Some(ListKind::IsmapLiu),
            _ => None,
        }
    }
}

/// A registration's standing as the list gives it (an empty cell: registered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Registered,
    /// 取消・抹消・削除: no longer registered.
    Withdrawn,
    /// 失効・期限切れ: the list itself says the validity ended.
    Lapsed,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Withdrawn => "withdrawn",
            Status::Lapsed => "lapsed",
        }
    }
    /// The stored name, or the words lists use for it.
    pub fn parse(s: &str) -> Option<Status> {
        let v = fold(s);
        let any = |words: &[&str]| words.iter().any(|w| v.contains(w));
        // A withdrawal or a lapse first: "有効期限切れ" holds 有効 too.
        if any(&[
            "withdrawn",
            "revoked",
            "取消",
            "取り消",
            "抹消",
            "削除",
            "撤回",
        ]) {
            Some(Status::Withdrawn)
        } else if any(&["lapsed", "expired", "失効", "期限切"]) {
            Some(Status::Lapsed)
        } else if v.is_empty() || any(&["registered", "登録", "有効"]) {
            Some(Status::Registered)
        } else {
            None
        }
    }
}

/// The fields a row of the list fills, by key; `required` ones must be on every row. Either
/// `valid_until` or `audit_period` must be given for a row's validity.
pub const FIELDS: &[(&str, bool)] = &[
    ("number", true),
    ("service_name", true),
    ("provider", true),
    ("scope", false),
    ("registered_on", false),
    ("audit_period", false),
    ("valid_until", false),
    ("status", false),
];

/// One registration as the list holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// As written in the list (trimmed); matched through [`normal_number`].
    pub number: String,
    pub service_name: String,
    pub provider: String,
    pub scope: String,
    /// The day it was registered (登録日), when the list gives it.
    pub registered_on: Option<Date>,
    /// The end of the audited period (監査対象期間の終了日), when the list gives it.
    pub audited_until: Option<Date>,
    /// The last day it is valid: the list's date, else 1 year 4 months after `audited_until`.
    pub valid_until: Date,
    pub status: Status,
}

/// A problem with one field of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub field: &'static str,
    pub code: &'static str,
}

/// One row's outcome: its number in the file, and its registration or its errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    pub row: usize,
    pub result: Result<Registration, Vec<CellError>>,
}

/// The longest text a field keeps (the lists' scope texts run to a few hundred characters).
const MAX_TEXT: usize = 4000;

/// The validity ISMAP gives in principle: 1 year 4 months after the end of the audited period.
pub fn valid_until_after_audit(audited_until: Date) -> Date {
    audited_until
        .checked_add(jiff::Span::new().years(1).months(4))
        .unwrap_or(audited_until)
}

/// The end of an audited period as a list writes it: one date, or a range such as
/// `2024年4月1日～2025年3月31日`, `R6.4.1-R7.3.31` or `2024/4/1 から 2025/3/31`.
pub fn audit_period_end(s: &str) -> Result<Date, calendar::DateError> {
    let s = s.trim();
    if let Ok(d) = calendar::parse(s) {
        return Ok(d);
    }
    let ranged = ['～', '〜', '~', '－', '—', '–', '至'];
    let last = if let Some(i) = s.rfind(ranged) {
        &s[i..]
    } else if let Some((_, tail)) = s.rsplit_once("から") {
        tail
    } else if let Some((_, tail)) = s.rsplit_once(" - ") {
        tail
    } else {
        // `R6.4.1-R7.3.31`: the dash after a full date starts the end.
        s.rsplit_once('-').map_or(s, |(_, tail)| tail)
    };
    let last = last.trim_start_matches(ranged);
    let last = last.trim().trim_end_matches("まで").trim();
    calendar::parse(last)
}

/// Reads one row (its values by field key) into a registration, or every error it has.
pub fn read_row(values: &BTreeMap<&str, &str>) -> Result<Registration, Vec<CellError>> {
    let get = |k: &str| values.get(k).map(|v| v.trim()).unwrap_or("");
    let mut errs = Vec::new();
    for (field, required) in FIELDS {
        if *required && get(field).is_empty() {
            errs.push(CellError {
                field,
                code: "required",
            });
        }
    }
    for (field, _) in FIELDS {
        if get(field).chars().count() > MAX_TEXT {
            errs.push(CellError {
                field,
                code: "too_long",
            });
        }
    }
    let mut date = |field: &'static str, read: fn(&str) -> Result<Date, _>| match get(field) {
        "" => None,
        v => match read(v) {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(CellError {
                    field,
                    code: "import_date",
                });
                None
            }
        },
    };
    let registered_on = date("registered_on", calendar::parse);
    let audited_until = date("audit_period", audit_period_end);
    let given_until = date("valid_until", calendar::parse);
    let valid_until = given_until.or(audited_until.map(valid_until_after_audit));
    if valid_until.is_none() && get("valid_until").is_empty() && get("audit_period").is_empty() {
        errs.push(CellError {
            field: "valid_until",
            code: "ismap_no_validity",
        });
    }
    let status = Status::parse(get("status"));
    if status.is_none() {
        errs.push(CellError {
            field: "status",
            code: "ismap_status_unknown",
        });
    }
    match (valid_until, status) {
        (Some(valid_until), Some(status)) if errs.is_empty() => Ok(Registration {
            number: get("number").to_string(),
            service_name: get("service_name").to_string(),
            provider: get("provider").to_string(),
            scope: get("scope").to_string(),
            registered_on,
            audited_until,
            valid_until,
            status,
        }),
        _ => Err(errs),
    }
}

/// Reads every row; a number listed twice in one file is an error on its second row.
pub fn read_rows<'a>(
    rows: impl IntoIterator<Item = (usize, BTreeMap<&'static str, &'a str>)>,
) -> Vec<RowOutcome> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    rows.into_iter()
        .map(|(row, values)| {
            let mut result = read_row(&values);
            let number = normal_number(values.get("number").copied().unwrap_or(""));
            if !number.is_empty() && seen.insert(number, row).is_some() {
                let dup = CellError {
                    field: "number",
                    code: "ismap_duplicate_number",
                };
                match &mut result {
                    Ok(_) => result = Err(vec![dup]),
                    Err(errs) => errs.push(dup),
                }
            }
            RowOutcome { row, result }
        })
        .collect()
}

/// What the cross-check found for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = IsmapFinding))]
pub enum Finding {
    Ok,
    /// The number claimed is on neither list.
    NotListed,
    /// The registration's validity ended (or the list says it lapsed).
    Expired,
    /// The registration was withdrawn.
    Withdrawn,
    /// The registration does not cover the service ([`covers`]).
    ScopeMismatch,
}

impl Finding {
    /// The findings that flag a service.
    pub const FLAGS: [Finding; 4] = [
        Finding::NotListed,
        Finding::Expired,
        Finding::Withdrawn,
        Finding::ScopeMismatch,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            Finding::Ok => "ok",
            Finding::NotListed => "not_listed",
            Finding::Expired => "expired",
            Finding::Withdrawn => "withdrawn",
            Finding::ScopeMismatch => "scope_mismatch",
        }
    }
    pub fn parse(s: &str) -> Option<Finding> {
        [Finding::Ok]
            .into_iter()
            .chain(Finding::FLAGS)
            .find(|f| f.as_str() == s)
    }
}

/// What a service claims: the registration number its sheet gives, and the service itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub number: String,
    pub service_name: String,
    pub provider: String,
}

/// The cross-check of a claim against the registration of its number (`None`: not on the
/// lists), on `today`. A withdrawal outweighs an expiry, and either outweighs the scope.
pub fn cross_check(claim: &Claim, found: Option<&Registration>, today: Date) -> Finding {
    let Some(r) = found else {
        return Finding::NotListed;
    };
    if r.status == Status::Withdrawn {
        Finding::Withdrawn
    } else if r.status == Status::Lapsed || r.valid_until < today {
        Finding::Expired
    } else if !covers(r, &claim.service_name, &claim.provider) {
        Finding::ScopeMismatch
    } else {
        Finding::Ok
    }
}

/// The registration number the answers claim: the answer to the first item of the sheet that
/// says it claims an ISMAP registration (`claims = "ismap_registration"`) and applies to these
/// answers (e.g. only when the certification chosen is ISMAP). `None` when nothing is claimed.
pub fn claimed_number(sheet: &Sheet, answers: &Answers, ctx: &Context) -> Option<String> {
    sheet
        .items
        .iter()
        .filter(|i| i.claims.as_deref() == Some(CLAIM_ISMAP_REGISTRATION))
        .filter(|i| sheet.applies(i, answers, ctx))
        .filter_map(|i| answers.get(&i.id))
        .map(|a| a.value.trim().to_string())
        .find(|v| !v.is_empty())
}

/// The ISM and the CISO keep the lists: they import them, run the cross-check and see the
/// flags (the ISM keeps the usage register and may order checks, S5.2.1-5, S6.3).
pub fn permits_keeping(actor: &Actor) -> Result<(), Refusal> {
    if actor.has_role(Role::InformationSecurityManager) || actor.has_role(Role::Ciso) {
        Ok(())
    } else {
        Err(Refusal::Forbidden("ismap_ism_or_ciso_required"))
    }
}

/// The units whose flagged services a keeper of the lists sees: the CISO every unit (`None`),
/// an ISM the units they are ISM over (with those below them).
pub fn units_seen(actor: &Actor) -> Option<Vec<crate::role::OrgUnitId>> {
    if actor.has_role(Role::Ciso) {
        return None;
    }
    let mut units: Vec<_> = actor
        .assignments
        .iter()
        .filter(|a| a.role == Role::InformationSecurityManager)
        .map(|a| a.org_unit)
        .collect();
    units.sort_unstable();
    units.dedup();
    Some(units)
}
