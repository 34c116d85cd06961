//! An accounts file (公用アカウント, S5.2.2-4) checked row by row: each row an official account
//! of a service already in the ledger (matched by name and provider), with the same rules as an
//! account registered by hand — a private account is refused (S5.2.1-6).

use super::{CellError, Checked, RowOutcome};
use crate::account::{AccountInput, AccountRules, NewAccount};
use crate::calendar;
use crate::role::OrgUnitId;
use std::collections::{BTreeMap, HashMap, HashSet};

pub const ACCOUNT_FIELDS: &[(&str, bool)] = &[
    ("service_name", true),
    ("provider", true),
    ("account_id", true),
    ("kind", true),
    ("holder_org_unit", true),
    ("holder_position", true),
    ("created_on", true),
    ("purpose", true),
];

#[derive(Debug, Clone)]
pub struct AccountContext {
    pub rules: AccountRules,
    /// Services of the ledger: (name, provider) → (service id, its org unit).
    pub services: HashMap<(String, String), (i64, OrgUnitId)>,
    /// Org units by code or name.
    pub org_units: HashMap<String, OrgUnitId>,
    /// Account kinds by code or label.
    pub kinds: HashMap<String, String>,
    /// Accounts already registered: (service id, account id) → (its id, what it holds).
    pub existing: HashMap<(i64, String), (i64, NewAccount)>,
    /// The units whose records the importer may bring in (`None`: all of them).
    pub allowed: Option<HashSet<OrgUnitId>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountPlan {
    Create {
        service_id: i64,
        account: NewAccount,
    },
    Unchanged(i64),
}

pub type AccountCheck = Checked<AccountPlan>;

pub fn check_accounts<'a>(
    rows: impl IntoIterator<Item = (usize, BTreeMap<&'static str, &'a str>)>,
    ctx: &AccountContext,
) -> AccountCheck {
    let mut seen: HashSet<(i64, String)> = HashSet::new();
    let mut out = Vec::new();
    for (row, values) in rows {
        let get = |k: &str| values.get(k).map(|v| v.trim()).unwrap_or("");
        let mut errs = Vec::new();
        let key = (get("service_name").to_string(), get("provider").to_string());
        let service = match ctx.services.get(&key) {
            Some(s) => Some(*s),
            None => {
                let field = if key.0.is_empty() {
                    "service_name"
                } else {
                    "provider"
                };
                let code = if key.0.is_empty() || key.1.is_empty() {
                    "required"
                } else {
                    "import_unknown_service"
                };
                errs.push(CellError { field, code });
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
        // The hand form's own rules, on the values resolved from their names.
        let unit = match get("holder_org_unit") {
            "" => String::new(),
            v => match ctx.org_units.get(v) {
                Some(id) => id.to_string(),
                None => {
                    errs.push(CellError {
                        field: "holder_org_unit",
                        code: "unknown_org_unit",
                    });
                    "0".into()
                }
            },
        };
        let created_on = match get("created_on") {
            "" => String::new(),
            v => match calendar::parse(v) {
                Ok(d) => d.to_string(),
                Err(_) => {
                    errs.push(CellError {
                        field: "created_on",
                        code: "import_date",
                    });
                    "2000-01-01".into()
                }
            },
        };
        let kind = ctx
            .kinds
            .get(get("kind"))
            .cloned()
            .unwrap_or_else(|| get("kind").to_string());
        let input = AccountInput {
            account_id: get("account_id").into(),
            kind,
            holder_org_unit: unit,
            holder_position: get("holder_position").into(),
            created_on,
            purpose: get("purpose").into(),
        };
        let parsed = input.parse(&ctx.rules, |_| true);
        if let Err(found) = &parsed {
            for e in found {
                if let Some((field, _)) = ACCOUNT_FIELDS.iter().find(|(f, _)| e.field == *f)
                    && !errs.iter().any(|x| x.field == *field)
                {
                    errs.push(CellError {
                        field,
                        code: e.code,
                    });
                }
            }
        }
        let result = match (service, parsed) {
            (Some((service_id, _)), Ok(account)) if errs.is_empty() => {
                let k = (service_id, account.account_id.clone());
                if !seen.insert(k.clone()) {
                    Err(vec![CellError {
                        field: "account_id",
                        code: "duplicate",
                    }])
                } else {
                    match ctx.existing.get(&k) {
                        Some((id, now)) if *now == account => Ok(AccountPlan::Unchanged(*id)),
                        // An account's details change on its service's page, where closing and
                        // its history are kept (S5.2.2-4), not from a file.
                        Some(_) => Err(vec![CellError {
                            field: "account_id",
                            code: "import_account_differs",
                        }]),
                        None => Ok(AccountPlan::Create {
                            service_id,
                            account,
                        }),
                    }
                }
            }
            _ => Err(errs),
        };
        out.push(RowOutcome { row, result });
    }
    Checked { rows: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> AccountContext {
        AccountContext {
            rules: AccountRules {
                identity_domains: vec!["city.example.jp".into()],
            },
            services: HashMap::from([(("会議".into(), "株式会社テスト".into()), (5, 7))]),
            org_units: HashMap::from([("CIT-REG".into(), 7)]),
            kinds: HashMap::from([("利用者".into(), "user".into())]),
            existing: HashMap::new(),
            allowed: None,
        }
    }

    fn row(account: &str) -> BTreeMap<&'static str, &str> {
        BTreeMap::from([
            ("service_name", "会議"),
            ("provider", "株式会社テスト"),
            ("account_id", account),
            ("kind", "利用者"),
            ("holder_org_unit", "CIT-REG"),
            ("holder_position", "主事"),
            ("created_on", "令和8年4月1日"),
            ("purpose", "会議の主催"),
        ])
    }

    // clause: S5.2.1-6 — only official accounts: a private address in a file is refused
    #[test]
    fn official_accounts_only_and_each_once() {
        let check = check_accounts(
            [
                (2, row("Taro@city.example.jp")),
                (3, row("taro@gmail.com")),
                (4, row("taro@city.example.jp")),
            ],
            &ctx(),
        );
        let Ok(AccountPlan::Create { account, .. }) = &check.rows[0].result else {
            panic!("{check:?}");
        };
        assert_eq!(account.account_id, "taro@city.example.jp");
        assert_eq!(account.created_on, jiff::civil::date(2026, 4, 1));
        assert_eq!(
            check.rows[1].result,
            Err(vec![CellError {
                field: "account_id",
                code: "private_account"
            }])
        );
        assert!(check.rows[2].result.is_err(), "the same account twice");
    }
}
