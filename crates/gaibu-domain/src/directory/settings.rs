//! What the System Administrator sets about the directory: where staff are (base DN and
//! filter), which attribute holds what, which values mark a leaver, and which unit value is
//! which org unit. Where the directory is and the credential gaibu binds with are the server's
//! own configuration, never these settings: whoever could change them could otherwise send
//! the bind password to a server of their choosing.

use crate::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DirectorySettings {
    /// Where the search starts, e.g. `ou=職員,o=本市`.
    pub base_dn: String,
    /// Which entries are staff, e.g. `(objectClass=inetOrgPerson)`.
    pub user_filter: String,
    pub attributes: AttributeMap,
    /// Values of the active attribute that mark a leaver (e.g. `退職`). Ignored for
    /// Active Directory's `userAccountControl`, whose disabled flag is read instead.
    pub inactive_values: Vec<String>,
    /// Unit attribute value → org unit code; a value that is itself a code needs no line.
    pub units: Vec<UnitMapping>,
}

/// Which attribute of an entry holds each of a user's fields. Empty for an optional one: not
/// read (gaibu keeps what it has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AttributeMap {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub unit: String,
    pub position: String,
    pub active: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitMapping {
    pub value: String,
    pub code: String,
}

impl Default for AttributeMap {
    /// OpenLDAP's inetOrgPerson; Active Directory is `sAMAccountName`, `displayName`, `mail`,
    /// `department`, `title`, `userAccountControl`.
    fn default() -> Self {
        AttributeMap {
            login: "uid".into(),
            display_name: "displayName".into(),
            email: "mail".into(),
            unit: "departmentNumber".into(),
            position: "title".into(),
            active: "employeeType".into(),
        }
    }
}

impl Default for DirectorySettings {
    fn default() -> Self {
        DirectorySettings {
            base_dn: String::new(),
            user_filter: "(objectClass=inetOrgPerson)".into(),
            attributes: AttributeMap::default(),
            inactive_values: vec!["退職".into()],
            units: Vec::new(),
        }
    }
}

impl DirectorySettings {
    /// The org unit code of a unit attribute value: its mapping line, or the value itself when
    /// it is a code; `None` when it is neither.
    pub fn unit_code(&self, value: &str, codes: &HashSet<String>) -> Option<String> {
        let value = value.trim();
        if let Some(m) = self.units.iter().find(|m| m.value == value) {
            return Some(m.code.clone());
        }
        codes.contains(value).then(|| value.to_string())
    }

    /// The attributes a search asks for.
    pub fn wanted(&self) -> Vec<String> {
        let a = &self.attributes;
        [
            &a.login,
            &a.display_name,
            &a.email,
            &a.unit,
            &a.position,
            &a.active,
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect()
    }
}

impl UnitMapping {
    /// Lines of `value = CODE` (blank lines skipped); the line number of the first bad one.
    pub fn parse_lines(text: &str) -> Result<Vec<UnitMapping>, usize> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Some((value, code)) = line.rsplit_once('=') else {
                return Err(i + 1);
            };
            let (value, code) = (value.trim(), code.trim());
            if value.is_empty() || code.is_empty() {
                return Err(i + 1);
            }
            out.push(UnitMapping {
                value: value.into(),
                code: code.into(),
            });
        }
        Ok(out)
    }

    pub fn to_lines(units: &[UnitMapping]) -> String {
        units
            .iter()
            .map(|m| format!("{} = {}", m.value, m.code))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// An attribute's name as LDAP allows it (a descriptor; no options).
fn attribute_name(s: &str) -> bool {
    s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A search filter's outer shape: in parentheses, each opened one closed. The server judges
/// the rest and says so at the dry run.
fn filter_shape(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    s.starts_with('(') && s.ends_with(')') && depth == 0
}

pub(super) fn check(s: &DirectorySettings, codes: &HashSet<String>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let dn = s.base_dn.trim();
    if dn.is_empty() {
        errs.push(FieldError::new("base_dn", "required"));
    } else if !dn.contains('=') {
        errs.push(FieldError::new("base_dn", "directory_bad_dn"));
    }
    if !filter_shape(s.user_filter.trim()) {
        errs.push(FieldError::new("user_filter", "directory_bad_filter"));
    }
    let a = &s.attributes;
    let fields = [
        ("attr_login", &a.login, true),
        ("attr_display_name", &a.display_name, true),
        ("attr_email", &a.email, false),
        ("attr_unit", &a.unit, true),
        ("attr_position", &a.position, false),
        ("attr_active", &a.active, false),
    ];
    for (field, value, required) in fields {
        if value.is_empty() {
            if required {
                errs.push(FieldError::new(field, "required"));
            }
        } else if !attribute_name(value) {
            errs.push(FieldError::new(field, "directory_bad_attribute"));
        }
    }
    let mut seen = HashSet::new();
    for m in &s.units {
        if !seen.insert(m.value.as_str()) {
            errs.push(FieldError::new("units", "directory_duplicate_value"));
            break;
        }
        if !codes.contains(&m.code) {
            errs.push(FieldError::new("units", "unknown_org_unit"));
            break;
        }
    }
    errs
}
