//! The service usage register (サービス利用状況, S5.2.1-5): prefilled at approval, kept by the
//! ISM, every field required, every change in the history.

use crate::audit_denial::refuse;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::audit::Entity;
use gaibu_domain::role::{OrgTree, Role};
use gaibu_domain::{FieldError, Refusal};
use gaibu_store::{RegisterFields, RegisterRow};

/// The register's fields, in the standard's order (S5.2.1-5a–h).
pub const FIELDS: [&str; 8] = [
    "service_name",
    "provider_name",
    "purpose",
    "classification",
    "period_of_use",
    "applicant",
    "user_scope",
    "administrator",
];

/// The CISO sees the whole register; the ISMs and the Information Managers etc. their units'.
pub fn may_view(u: &CurrentUser, e: &RegisterRow, tree: &OrgTree) -> bool {
    u.has_role(Role::Ciso)
        || u.actor
            .has_role_over(Role::InformationSecurityManager, e.org_unit_id, tree)
        || u.actor.is_information_manager_etc_over(e.org_unit_id, tree)
}

/// Only the ISM over the entry's unit edits it (S5.2.1-5).
pub fn may_edit(u: &CurrentUser, e: &RegisterRow, tree: &OrgTree) -> bool {
    u.actor
        .has_role_over(Role::InformationSecurityManager, e.org_unit_id, tree)
}

pub async fn get(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<RegisterRow> {
    get_in(st, u, id, &org_tree(st).await?).await
}

/// [`get`] with the org tree the caller has already read.
pub async fn get_in(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    tree: &OrgTree,
) -> AppResult<RegisterRow> {
    let e = st.store.register_entry(id).await?;
    e.filter(|e| may_view(u, e, tree)).ok_or(AppError::NotFound)
}

pub fn fields_of(e: &RegisterRow) -> RegisterFields {
    RegisterFields {
        service_name: e.service_name.clone(),
        provider_name: e.provider_name.clone(),
        purpose: e.purpose.clone(),
        classification: e.classification.clone(),
        period_of_use: e.period_of_use.clone(),
        applicant: e.applicant.clone(),
        user_scope: e.user_scope.clone(),
        administrator: e.administrator.clone(),
    }
}

fn value<'a>(f: &'a RegisterFields, name: &str) -> &'a str {
    match name {
        "service_name" => &f.service_name,
        "provider_name" => &f.provider_name,
        "purpose" => &f.purpose,
        "classification" => &f.classification,
        "period_of_use" => &f.period_of_use,
        "applicant" => &f.applicant,
        "user_scope" => &f.user_scope,
        "administrator" => &f.administrator,
        _ => "",
    }
}

/// S5.2.1-5: the ISM over the entry's unit edits it; all eight fields are required.
pub async fn update(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    f: &RegisterFields,
) -> AppResult<RegisterRow> {
    let e = st
        .store
        .register_entry(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_edit(u, &e, &org_tree(st).await?) {
        let r = Refusal::Forbidden(crate::error::ErrorCode::ResponsibleIsmRequired.as_str());
        return Err(refuse(st, u, r, "register.update", Entity::Register, Some(id)).await);
    }
    if e.version != version {
        return Err(AppError::Stale);
    }
    let errs: Vec<FieldError> = FIELDS
        .iter()
        .filter(|n| value(f, n).trim().is_empty())
        .map(|n| FieldError::new(*n, "required"))
        .collect();
    let mut errs = errs;
    // ク follows the designation: it changes only with the administrator (S5.2.1-5h), so the
    // register and the designation never drift apart.
    if !f.administrator.trim().is_empty() && f.administrator.trim() != e.administrator {
        errs.push(FieldError::new("administrator", "administrator_via_change"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let trimmed = RegisterFields {
        service_name: f.service_name.trim().into(),
        provider_name: f.provider_name.trim().into(),
        purpose: f.purpose.trim().into(),
        classification: f.classification.trim().into(),
        period_of_use: f.period_of_use.trim().into(),
        applicant: f.applicant.trim().into(),
        user_scope: f.user_scope.trim().into(),
        administrator: f.administrator.trim().into(),
    };
    Ok(st
        .store
        .update_register_entry(&u.who(), &e, &trimmed, st.now())
        .await?)
}
