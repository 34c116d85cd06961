//! The directory's settings as the System Administrator edits them: a form of text fields (the
//! unit mapping one `value = CODE` a line, the leaver values one a line) or the API's JSON,
//! checked field by field and saved with the change in the audit trail.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::directory::{AttributeMap, DirectorySettings, UnitMapping, check_settings};
use gaibu_store::Who;
use std::collections::HashSet;

/// The settings page's form, field by field as typed (kept as typed when refused).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub base_dn: String,
    pub user_filter: String,
    pub attr_login: String,
    pub attr_display_name: String,
    pub attr_email: String,
    pub attr_unit: String,
    pub attr_position: String,
    pub attr_active: String,
    /// One value a line.
    pub inactive_values: String,
    /// One `value = CODE` a line.
    pub units: String,
}

impl SettingsForm {
    pub fn of(s: &DirectorySettings) -> Self {
        let a = &s.attributes;
        SettingsForm {
            base_dn: s.base_dn.clone(),
            user_filter: s.user_filter.clone(),
            attr_login: a.login.clone(),
            attr_display_name: a.display_name.clone(),
            attr_email: a.email.clone(),
            attr_unit: a.unit.clone(),
            attr_position: a.position.clone(),
            attr_active: a.active.clone(),
            inactive_values: s.inactive_values.join("\n"),
            units: UnitMapping::to_lines(&s.units),
        }
    }

    /// The settings the form says, or the field it cannot be read at.
    fn read(&self) -> Result<DirectorySettings, FieldError> {
        let units = UnitMapping::parse_lines(&self.units)
            .map_err(|_| FieldError::new("units", "directory_bad_mapping_line"))?;
        Ok(DirectorySettings {
            base_dn: self.base_dn.trim().into(),
            user_filter: self.user_filter.trim().into(),
            attributes: AttributeMap {
                login: self.attr_login.trim().into(),
                display_name: self.attr_display_name.trim().into(),
                email: self.attr_email.trim().into(),
                unit: self.attr_unit.trim().into(),
                position: self.attr_position.trim().into(),
                active: self.attr_active.trim().into(),
            },
            inactive_values: self
                .inactive_values
                .lines()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
                .collect(),
            units,
        })
    }
}

/// The saved settings, or the defaults (OpenLDAP's inetOrgPerson) before any are saved.
pub async fn current(st: &AppState) -> AppResult<DirectorySettings> {
    Ok(st.store.directory_settings().await?.unwrap_or_default())
}

/// Checks and saves settings from the page's form.
pub async fn save_form(st: &AppState, who: &Who, form: &SettingsForm) -> AppResult<()> {
    let s = form.read().map_err(|e| AppError::Invalid(vec![e]))?;
    save(st, who, &s).await
}

/// Checks settings (every unit code must be gaibu's) and saves them, audited.
pub async fn save(st: &AppState, who: &Who, s: &DirectorySettings) -> AppResult<()> {
    let units = crate::auth::org_units(st).await?;
    let codes: HashSet<String> = units.iter().map(|u| u.code.clone()).collect();
    let errs = check_settings(s, &codes);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    st.store.set_directory_settings(who, s, st.now()).await?;
    Ok(())
}
