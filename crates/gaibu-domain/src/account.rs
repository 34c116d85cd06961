//! Official accounts (公用アカウント) only; private accounts are prohibited (S5.2.1-6, S5.2.2-4).
//!
//! How the product tells them apart is policy data: an account is official when its id is an
//! address in one of the city's identity domains (or a subdomain of one). A free-mail address
//! or a bare personal login is private and refused.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRules {
    pub identity_domains: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    User,
    Admin,
    Shared,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "user",
            AccountKind::Admin => "admin",
            AccountKind::Shared => "shared",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(Self::User),
            "admin" => Some(Self::Admin),
            "shared" => Some(Self::Shared),
            _ => None,
        }
    }
}

/// Whether an account is in use (S5.2.1-6) or closed (S7.1-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Closed,
}

impl AccountStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

impl AccountRules {
    pub fn check(&self) -> Result<(), String> {
        if self.identity_domains.is_empty() {
            return Err("at least one identity domain is needed".into());
        }
        if self
            .identity_domains
            .iter()
            .any(|d| d.trim().is_empty() || d.contains('@'))
        {
            return Err("identity domains are bare domain names".into());
        }
        Ok(())
    }

    /// Whether `account_id` is an official account of the city: one address of ordinary form
    /// (`local@domain`, ASCII letters, digits and `._+-` in the local part, no dot at either end
    /// or twice in a row) in one of the city's identity domains.
    pub fn is_official(&self, account_id: &str) -> bool {
        let id = account_id.trim().to_lowercase();
        let Some((local, domain)) = id.split_once('@') else {
            return false;
        };
        let ordinary = |c: char| c.is_ascii_alphanumeric() || "._+-".contains(c);
        if local.is_empty()
            || local.len() > 64
            || !local.chars().all(ordinary)
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return false;
        }
        let label = |l: &str| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if !domain.split('.').all(label) {
            return false;
        }
        self.identity_domains.iter().any(|d| {
            let d = d.trim().to_lowercase();
            domain == d || domain.ends_with(&format!(".{d}"))
        })
    }
}

/// An official account to register for a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub account_id: String,
    pub kind: AccountKind,
    pub holder_org_unit: i64,
    pub holder_position: String,
    pub created_on: jiff::civil::Date,
    pub purpose: String,
}

/// Raw input for an account, as a form or JSON sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountInput {
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default, deserialize_with = "crate::application::string_or_number")]
    pub holder_org_unit: String,
    #[serde(default)]
    pub holder_position: String,
    #[serde(default)]
    pub created_on: String,
    #[serde(default)]
    pub purpose: String,
}

impl AccountInput {
    /// Parses the input; a private account is a field error on `account_id` (S5.2.2-4).
    pub fn parse(
        &self,
        rules: &AccountRules,
        org_exists: impl Fn(i64) -> bool,
    ) -> Result<NewAccount, Vec<FieldError>> {
        let mut errs = Vec::new();
        // Identity-domain addresses are case-insensitive: one account, one spelling.
        let account_id = self.account_id.trim().to_lowercase();
        if account_id.is_empty() {
            errs.push(FieldError::new("account_id", "required"));
        } else if !rules.is_official(&account_id) {
            errs.push(FieldError::new("account_id", "private_account"));
        }
        let kind = AccountKind::parse(self.kind.trim());
        if kind.is_none() {
            errs.push(FieldError::new("kind", "required"));
        }
        let holder_org_unit = self.holder_org_unit.trim().parse::<i64>().ok();
        match holder_org_unit {
            None => errs.push(FieldError::new("holder_org_unit", "required")),
            Some(u) if !org_exists(u) => {
                errs.push(FieldError::new("holder_org_unit", "unknown_org_unit"))
            }
            _ => {}
        }
        let holder_position = self.holder_position.trim().to_string();
        if holder_position.is_empty() {
            errs.push(FieldError::new("holder_position", "required"));
        }
        let created_on = crate::application::parse_date("created_on", &self.created_on, &mut errs);
        let purpose = self.purpose.trim().to_string();
        if purpose.is_empty() {
            errs.push(FieldError::new("purpose", "required"));
        }
        match (kind, holder_org_unit, created_on) {
            (Some(kind), Some(holder_org_unit), Some(created_on)) if errs.is_empty() => {
                Ok(NewAccount {
                    account_id,
                    kind,
                    holder_org_unit,
                    holder_position,
                    created_on,
                    purpose,
                })
            }
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> AccountRules {
        AccountRules {
            identity_domains: vec!["city.example.lg.jp".into()],
        }
    }

    // clause: S5.2.2-4, S5.2.1-6 — official accounts only
    #[test]
    fn only_city_domain_accounts_are_official() {
        let r = rules();
        assert!(r.is_official("shimin-ka@city.example.lg.jp"));
        assert!(r.is_official("Admin@Kyoiku.City.Example.LG.JP"));
        assert!(!r.is_official("taro.yamada@gmail.com"));
        assert!(!r.is_official("x@evilcity.example.lg.jp"));
        assert!(!r.is_official("taro"));
        assert!(!r.is_official("@city.example.lg.jp"));
        // One address of ordinary form only (issue 9).
        assert!(r.is_official("taro.yamada+koho@city.example.lg.jp"));
        assert!(!r.is_official("tanaka@gmail.com@city.example.lg.jp"));
        assert!(!r.is_official("<x>@city.example.lg.jp"));
        assert!(!r.is_official("ｔａｒｏ@city.example.lg.jp"));
        assert!(!r.is_official(".taro@city.example.lg.jp"));
        assert!(!r.is_official("ta..ro@city.example.lg.jp"));
        assert!(!r.is_official("taro@city..example.lg.jp"));
        assert!(!r.is_official("taro@-x.city.example.lg.jp"));
    }

    // clause: S5.2.2-4 — a private account is refused with a reason on its field
    #[test]
    fn a_private_account_is_a_field_error() {
        let input = AccountInput {
            account_id: "taro@gmail.com".into(),
            kind: "user".into(),
            holder_org_unit: "4".into(),
            holder_position: "係長".into(),
            created_on: "2026-11-27".into(),
            purpose: "広報".into(),
        };
        let errs = input.parse(&rules(), |_| true).unwrap_err();
        assert_eq!(errs, vec![FieldError::new("account_id", "private_account")]);
        let ok = AccountInput {
            account_id: "koho@city.example.lg.jp".into(),
            ..input
        };
        assert_eq!(
            ok.parse(&rules(), |_| true).map(|a| a.kind),
            Ok(AccountKind::User)
        );
    }
}
