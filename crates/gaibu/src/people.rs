//! Organisation units, users and roles: the System Administrator's work, shared by the admin
//! pages, the JSON API and `gaibu user …` (credentials: `credentials`).

use crate::audit_denial::refuse;
use crate::auth::{CurrentUser, hash_password, random_token};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::role::{OrgTree, Role};
use gaibu_domain::{FieldError, Refusal};
use gaibu_store::{NewOrgUnit, NewUser, OrgUnitRow, RoleRow, UserRow, Who};
use serde::Deserialize;

/// Only the System Administrator manages people and units; the rules of the standard are not
/// theirs to decide, so this role confers nothing else.
pub async fn require_system_administrator(
    st: &AppState,
    u: &CurrentUser,
    action: &str,
) -> AppResult<()> {
    if u.has_role(Role::SystemAdministrator) {
        return Ok(());
    }
    Err(refuse(
        st,
        u,
        Refusal::Forbidden(crate::error::ErrorCode::SystemAdministratorRequired.as_str()),
        action,
        gaibu_domain::audit::Entity::User,
        None,
    )
    .await)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UserInput {
    pub login: String,
    pub display_name: String,
    pub email: String,
    /// Org unit id or code.
    pub org_unit: String,
    pub position: String,
    pub lang: String,
    /// Leave empty to have one generated and shown once.
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrgUnitInput {
    /// Parent org unit id or code; empty for a root.
    pub parent: String,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoleInput {
    pub role: String,
    /// Org unit id or code.
    pub org_unit: String,
}

pub async fn find_org_unit(st: &AppState, key: &str) -> AppResult<Option<OrgUnitRow>> {
    let key = key.trim();
    let units = st.store.org_units().await?;
    Ok(units
        .into_iter()
        .find(|u| u.code == key || u.id.to_string() == key))
}

pub async fn find_user(st: &AppState, key: &str) -> AppResult<UserRow> {
    let key = key.trim();
    if let Some(u) = st.store.user_by_login(key).await? {
        return Ok(u);
    }
    match key.parse::<i64>() {
        Ok(id) => st.store.user(id).await?.ok_or(AppError::NotFound),
        Err(_) => Err(AppError::NotFound),
    }
}

fn valid_login(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Creates a user; returns the user and the password when one was generated.
pub async fn create_user(
    st: &AppState,
    who: &Who,
    input: &UserInput,
) -> AppResult<(UserRow, Option<String>)> {
    let mut errs = Vec::new();
    let login = input.login.trim().to_string();
    if login.is_empty() {
        errs.push(FieldError::new("login", "required"));
    } else if !valid_login(&login) {
        errs.push(FieldError::new("login", "invalid_login"));
    }
    if input.display_name.trim().is_empty() {
        errs.push(FieldError::new("display_name", "required"));
    }
    let org = find_org_unit(st, &input.org_unit).await?;
    if org.is_none() {
        errs.push(FieldError::new("org_unit", "unknown_org_unit"));
    }
    let lang = if input.lang.trim().is_empty() {
        "ja"
    } else {
        input.lang.trim()
    };
    if !matches!(lang, "ja" | "en") {
        errs.push(FieldError::new("lang", "invalid_choice"));
    }
    let password = input.password.trim().to_string();
    let known = [login.as_str(), input.display_name.trim()];
    if let Some(code) = (!password.is_empty())
        .then(|| crate::credentials::password_problem(&password, &known))
        .flatten()
    {
        errs.push(FieldError::new("password", code));
    }
    let Some(org) = org.filter(|_| errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let (password, generated) = if password.is_empty() {
        let p = random_token()[..16].to_string();
        (p.clone(), Some(p))
    } else {
        (password, None)
    };
    let hash = hash_password(password).await?;
    let user = st
        .store
        .create_user(
            who,
            &NewUser {
                login,
                display_name: input.display_name.trim().into(),
                email: input.email.trim().into(),
                org_unit_id: org.id,
                position: input.position.trim().into(),
                lang: lang.into(),
                password_hash: Some(hash),
                contractor_id: None,
            },
            st.now(),
        )
        .await?;
    Ok((user, generated))
}

pub async fn assign_role(
    st: &AppState,
    who: &Who,
    user_id: i64,
    input: &RoleInput,
) -> AppResult<RoleRow> {
    // Nobody grants themselves a role: a System Administrator would otherwise become anyone.
    if who.user_id == Some(user_id) {
        return Err(AppError::Refused(crate::error::ErrorCode::SelfAssignment));
    }
    let mut errs = Vec::new();
    let role = Role::parse(input.role.trim());
    if role.is_none() {
        errs.push(FieldError::new("role", "unknown_role"));
    }
    let org = find_org_unit(st, &input.org_unit).await?;
    if org.is_none() {
        errs.push(FieldError::new("org_unit", "unknown_org_unit"));
    }
    let (Some(role), Some(org)) = (role, org) else {
        return Err(AppError::Invalid(errs));
    };
    st.store.user(user_id).await?.ok_or(AppError::NotFound)?;
    Ok(st
        .store
        .assign_role(who, user_id, role, org.id, st.now())
        .await?)
}

pub async fn create_org_unit(
    st: &AppState,
    who: &Who,
    input: &OrgUnitInput,
) -> AppResult<OrgUnitRow> {
    let mut errs = Vec::new();
    let code = input.code.trim().to_string();
    if code.is_empty() {
        errs.push(FieldError::new("code", "required"));
    }
    if input.name_ja.trim().is_empty() {
        errs.push(FieldError::new("name_ja", "required"));
    }
    if input.name_en.trim().is_empty() {
        errs.push(FieldError::new("name_en", "required"));
    }
    let parent = if input.parent.trim().is_empty() {
        None
    } else {
        match find_org_unit(st, &input.parent).await? {
            Some(p) => Some(p.id),
            None => {
                errs.push(FieldError::new("parent", "unknown_org_unit"));
                None
            }
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let row = st
        .store
        .create_org_unit(
            who,
            &NewOrgUnit {
                parent_id: parent,
                code,
                name_ja: input.name_ja.trim().into(),
                name_en: input.name_en.trim().into(),
            },
            st.now(),
        )
        .await?;
    crate::auth::org_changed();
    Ok(row)
}

/// Lifts the sign-in lock and the count of attempts of a user (a System Administrator's
/// unlock; a lock also ends by itself). Audited whether or not there was anything to lift.
/// Answers whether there was.
pub async fn unlock_sign_in(st: &AppState, who: &Who, user_id: i64) -> AppResult<bool> {
    let user = st
        .store
        .users_by_ids(&[user_id])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let key = format!(
        "login:{}",
        gaibu_domain::signin::normalised_login(&user.login)
    );
    let lifted = st.store.clear_sign_in(&key).await?;
    let detail = serde_json::json!({ "login": user.login, "lifted": lifted }).to_string();
    st.store
        .audit_alone(
            who,
            st.now(),
            gaibu_domain::audit::Action::SessionUnlocked,
            gaibu_domain::audit::Entity::User,
            Some(user_id),
            Some(detail),
        )
        .await?;
    Ok(lifted)
}

pub fn tree_of(units: &[OrgUnitRow]) -> OrgTree {
    OrgTree::new(units.iter().map(|u| (u.id, u.parent_id)))
}

/// How many people a picker offers at once; more are found by typing part of a name.
pub const PICKER_LIMIT: i64 = 50;

/// The people a form may name (active city staff, no contractor's user) whose login or name
/// contains `q`, at most `PICKER_LIMIT`, in the database's order of logins; `keep` (the one
/// already chosen) is always among them, so a form shown again keeps its choice.
pub async fn staff_choices(
    st: &AppState,
    q: &str,
    keep: Option<i64>,
) -> AppResult<Vec<(i64, String)>> {
    let filter = gaibu_store::lists::people::UserFilter {
        q: q.trim().to_string(),
        active: Some(true),
        staff_only: true,
        ..Default::default()
    };
    let ask = gaibu_store::page::PageAsk {
        sort: "login".into(),
        dir: gaibu_store::page::Dir::Asc,
        limit: PICKER_LIMIT,
        after: None,
    };
    let mut out: Vec<(i64, String)> = st
        .store
        .user_page(&filter, &ask)
        .await?
        .items
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    if let Some(k) = keep
        && !out.iter().any(|(id, _)| *id == k)
        && let Some(u) = st.store.user(k).await?
        && u.active
        && u.contractor_id.is_none()
    {
        out.insert(0, (u.id, u.display_name));
    }
    Ok(out)
}
