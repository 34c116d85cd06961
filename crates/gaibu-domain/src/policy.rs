//! Versioned policy documents and their approval by the CISO (S1.3).
//!
//! Whatever the city may rewrite — the classification scheme, the requirement sheets, what
//! makes an account official — is a TOML document. A loaded document is `pending` until a CISO
//! approves it; the newest approved version of each kind is the one in force, and every
//! application keeps the ids of the versions it was judged under.

use crate::Refusal;
use crate::account::AccountRules;
use crate::classification::{Scheme, Track};
use crate::role::{Actor, Role};
use crate::service_life::ServiceLifePolicy;
use crate::sheet::Sheet;
use serde::Deserialize;

pub mod diff;

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyDocument {
    Classification {
        header: Header,
        scheme: Scheme,
    },
    Sheet {
        header: Header,
        track: Track,
        sheet: Sheet,
    },
    AccountRules {
        header: Header,
        rules: AccountRules,
    },
    ServiceLife {
        header: Header,
        policy: ServiceLifePolicy,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Header {
    pub version: String,
    pub title_ja: String,
    pub title_en: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("not valid TOML: {0}")]
    Toml(String),
    #[error("unknown policy kind {0:?}")]
    UnknownKind(String),
    #[error("invalid policy: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
struct Kind {
    kind: String,
    #[serde(default)]
    sheet: Option<String>,
}

#[derive(Deserialize)]
struct Doc<T> {
    #[serde(flatten)]
    header: Header,
    #[serde(flatten)]
    body: T,
}

fn de<T: serde::de::DeserializeOwned>(text: &str) -> Result<(Header, T), PolicyError> {
    let d: Doc<T> = toml::from_str(text).map_err(|e| PolicyError::Toml(e.to_string()))?;
    if d.header.version.trim().is_empty() {
        return Err(PolicyError::Invalid("empty version".into()));
    }
    Ok((d.header, d.body))
}

/// Parses and checks a policy document.
pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
    let k: Kind = toml::from_str(text).map_err(|e| PolicyError::Toml(e.to_string()))?;
    match (k.kind.as_str(), k.sheet.as_deref()) {
        ("classification", _) => {
            let (header, scheme) = de::<Scheme>(text)?;
            scheme.check().map_err(PolicyError::Invalid)?;
            Ok(PolicyDocument::Classification { header, scheme })
        }
        ("sheet", Some(t)) => {
            let track = Track::parse(t).ok_or_else(|| PolicyError::UnknownKind(t.into()))?;
            let (header, sheet) = de::<Sheet>(text)?;
            sheet.check().map_err(PolicyError::Invalid)?;
            Ok(PolicyDocument::Sheet {
                header,
                track,
                sheet,
            })
        }
        ("account_rules", _) => {
            let (header, rules) = de::<AccountRules>(text)?;
            rules.check().map_err(PolicyError::Invalid)?;
            Ok(PolicyDocument::AccountRules { header, rules })
        }
        ("service_life", _) => {
            let (header, policy) = de::<ServiceLifePolicy>(text)?;
            policy.check().map_err(PolicyError::Invalid)?;
            Ok(PolicyDocument::ServiceLife { header, policy })
        }
        (other, _) => Err(PolicyError::UnknownKind(other.into())),
    }
}

impl PolicyDocument {
    /// The slot this document fills: one version of each kind is in force at a time.
    pub fn kind_key(&self) -> String {
        match self {
            PolicyDocument::Classification { .. } => KIND_CLASSIFICATION.into(),
            PolicyDocument::Sheet { track, .. } => sheet_kind(*track),
            PolicyDocument::AccountRules { .. } => KIND_ACCOUNT_RULES.into(),
            PolicyDocument::ServiceLife { .. } => KIND_SERVICE_LIFE.into(),
        }
    }

    pub fn header(&self) -> &Header {
        match self {
            PolicyDocument::Classification { header, .. }
            | PolicyDocument::Sheet { header, .. }
            | PolicyDocument::AccountRules { header, .. }
            | PolicyDocument::ServiceLife { header, .. } => header,
        }
    }
}

pub const KIND_CLASSIFICATION: &str = "classification";
pub const KIND_ACCOUNT_RULES: &str = "account_rules";
pub const KIND_SERVICE_LIFE: &str = "service_life";

pub fn sheet_kind(track: Track) -> String {
    format!("sheet:{}", track.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    Pending,
    Approved,
    Superseded,
}

impl PolicyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyStatus::Pending => "pending",
            PolicyStatus::Approved => "approved",
            PolicyStatus::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "superseded" => Some(Self::Superseded),
            _ => None,
        }
    }
}

/// S1.3: only the CISO puts a version into force, and only a pending one.
pub fn approve(status: PolicyStatus, actor: &Actor) -> Result<PolicyStatus, Refusal> {
    if !actor.has_role(Role::Ciso) {
        return Err(Refusal::Forbidden("ciso_required"));
    }
    match status {
        PolicyStatus::Pending => Ok(PolicyStatus::Approved),
        _ => Err(Refusal::Conflict("policy_not_pending")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::RoleAssignment;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            org_unit: 1,
            assignments: vec![RoleAssignment { role, org_unit: 1 }],
        }
    }

    #[test]
    fn shipped_policies_parse() {
        for text in [
            include_str!("../../../policy/classification/three-level.toml"),
            include_str!("../../../policy/classification/five-level.toml"),
            include_str!("../../../policy/sheets/class1.toml"),
            include_str!("../../../policy/sheets/class2plus.toml"),
            include_str!("../../../policy/accounts/official-accounts.toml"),
            include_str!("../../../policy/lifecycle/service-life.toml"),
        ] {
            let d = parse(text).expect("shipped policy parses");
            assert!(!d.header().version.is_empty());
        }
    }

    // clause: S1.3 — a version takes effect only on the CISO's approval
    #[test]
    fn only_the_ciso_approves_a_pending_version() {
        assert_eq!(
            approve(PolicyStatus::Pending, &actor(Role::Ciso)),
            Ok(PolicyStatus::Approved)
        );
        assert_eq!(
            approve(
                PolicyStatus::Pending,
                &actor(Role::InformationSecurityManager)
            ),
            Err(Refusal::Forbidden("ciso_required"))
        );
        assert_eq!(
            approve(PolicyStatus::Approved, &actor(Role::Ciso)),
            Err(Refusal::Conflict("policy_not_pending"))
        );
    }

    #[test]
    fn bad_documents_are_refused_with_a_reason() {
        assert!(matches!(parse("kind = "), Err(PolicyError::Toml(_))));
        assert_eq!(
            parse("kind = \"recipe\""),
            Err(PolicyError::UnknownKind("recipe".into()))
        );
        let no_class1 = r#"
kind = "classification"
version = "x"
title_ja = "t"
title_en = "t"
[[confidentiality]]
code = "2"
rank = 2
track = "class2plus"
label_ja = "2"
label_en = "2"
[[integrity]]
code = "1"
rank = 1
label_ja = "1"
label_en = "1"
[[availability]]
code = "1"
rank = 1
label_ja = "1"
label_en = "1"
"#;
        assert!(matches!(parse(no_class1), Err(PolicyError::Invalid(_))));
    }
}
