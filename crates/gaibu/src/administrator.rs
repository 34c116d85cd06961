//! Changing a service's External Service Administrator (S3.4c, S5.2.1-5h): the ISM over the
//! unit for class 2+, an Information Manager etc. over it for class 1. The designation and the
//! usage register's ク change in one transaction. Shared by the page, the API and the demo.

use crate::audit_denial::ruled;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Tr};
use crate::services;
use crate::state::AppState;
use gaibu_domain::administrator::{self, AdministratorInput};
use gaibu_domain::audit::Entity;
use gaibu_store::{RegisterAdministrator, RegisterRow, ServiceRow, UserRow};

/// The register's ク for a person (S5.2.1-5h): their section and position, in the register's
/// language. A person without a recorded position cannot be entered: the column is required.
pub async fn register_text(st: &AppState, user: &UserRow) -> AppResult<String> {
    let units = crate::auth::org_units(st).await?;
    let section = crate::i18n::org_name(Tr::new(Lang::Ja), &units, user.org_unit_id);
    let position = user.position.trim();
    if position.is_empty() {
        return Err(AppError::Conflict("administrator_position_required"));
    }
    Ok(format!("{section} {position}"))
}

/// Whether `u` may change the administrator of `s` now: the page's form and the API agree.
pub fn may_change(u: &CurrentUser, s: &ServiceRow, tree: &gaibu_domain::role::OrgTree) -> bool {
    administrator::permits_change(&services::domain(s), s.track, &u.actor, tree).is_ok()
}

pub async fn change(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &AdministratorInput,
) -> AppResult<(ServiceRow, Option<RegisterRow>)> {
    let row = services::get(st, id).await?;
    let tree = org_tree(st).await?;
    let named = match input.administrator.trim().parse::<i64>() {
        Ok(n) => st.store.user(n).await?,
        Err(_) => None,
    };
    let staff = named
        .as_ref()
        .filter(|n| n.active && n.contractor_id.is_none())
        .map(|n| n.id);
    let decided = ruled(
        st,
        u,
        administrator::change(
            &services::domain(&row),
            row.track,
            &u.actor,
            &tree,
            input,
            |i| staff == Some(i),
        ),
        "service.change_administrator",
        Entity::Service,
        Some(id),
    )
    .await?;
    if row.version != version {
        return Err(AppError::Stale);
    }
    let new_admin = named.ok_or(AppError::NotFound)?;
    let entry = st.store.register_entry_of_service(id).await?;
    let text = match &entry {
        Some(_) => Some(register_text(st, &new_admin).await?),
        None => None,
    };
    let register = match (&entry, &text) {
        (Some(entry), Some(administrator)) => Some(RegisterAdministrator {
            entry,
            administrator,
        }),
        _ => None,
    };
    Ok(st
        .store
        .change_administrator(&u.who(), &row, &decided, register, st.now())
        .await?)
}
