//! After a rotation: the services awaiting a successor administrator, designated several at
//! once by those the standard gives it to (the ISM for class 2+, the Information Manager etc.
//! for class 1; S3.4c, S5.1), each with the usage register's ク (S5.2.1-5h), in one
//! transaction; and a leaver's official accounts, listed for their services' administrators to
//! close (on the service's accounts page) or hand over (S3.5.1a).

use crate::administrator::register_text;
use crate::audit_denial::ruled;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::services;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::administrator::AdministratorInput;
use gaibu_domain::audit::Entity;
use gaibu_domain::role::Role;
use gaibu_domain::rotation::{Designation, designate as decide, may_hand_over};
use gaibu_store::page::{Page, PageAsk};
use gaibu_store::{
    AwaitingRow, LeaverAccountRow, RegisterAdministrator, RegisterRow, ServiceRow, SuccessorFilter,
    SuccessorStep,
};
use serde::Deserialize;

/// Whose services `u` sees awaiting a successor: the ISM the class-2+ services of their units,
/// the Information Managers etc. the class-1 ones of theirs; the CISO and the System
/// Administrator every one (to see that none is left without an administrator).
pub fn filter_for(u: &CurrentUser) -> SuccessorFilter {
    if u.has_role(Role::Ciso) || u.has_role(Role::SystemAdministrator) {
        return SuccessorFilter::default();
    }
    let units = |f: fn(Role) -> bool| -> Vec<i64> {
        u.roles
            .iter()
            .filter(|r| f(r.role))
            .map(|r| r.org_unit_id)
            .collect()
    };
    SuccessorFilter {
        class2_units: Some(units(|r| r == Role::InformationSecurityManager)),
        class1_units: Some(units(Role::is_information_manager_etc)),
    }
}

pub async fn awaiting(
    st: &AppState,
    u: &CurrentUser,
    ask: &PageAsk,
) -> AppResult<Page<AwaitingRow>> {
    Ok(st
        .store
        .awaiting_successor_page(&filter_for(u), ask)
        .await?)
}

/// One successor: the service (at the version seen) and the new administrator's user id (empty
/// for none this time; the current one to keep them in their new post).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SuccessorInput {
    pub service: i64,
    pub version: i64,
    #[serde(deserialize_with = "gaibu_domain::application::string_or_number")]
    pub administrator: String,
}

/// Successors designated together, with one reason for all.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SuccessorsInput {
    pub reason: String,
    pub successors: Vec<SuccessorInput>,
}

/// Designates the successors named (those left empty are skipped): all or none. A refusal of
/// the rules for any service refuses the whole (and is audited); input errors come back as
/// `successors[i].administrator` / `reason`.
pub async fn designate(
    st: &AppState,
    u: &CurrentUser,
    input: &SuccessorsInput,
) -> AppResult<usize> {
    let tree = org_tree(st).await?;
    let named: Vec<(usize, &SuccessorInput)> = input
        .successors
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.administrator.trim().is_empty())
        .collect();
    if named.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "successors",
            "rotation_no_successor",
        )]));
    }
    let mut errs = Vec::new();
    let mut decided: Vec<(ServiceRow, Designation, gaibu_store::UserRow)> = Vec::new();
    for (i, s) in named {
        let row = services::get(st, s.service).await?;
        let person = match s.administrator.trim().parse::<i64>() {
            Ok(n) => st.store.user(n).await?,
            Err(_) => None,
        };
        let staff = person
            .as_ref()
            .filter(|p| p.active && p.contractor_id.is_none())
            .map(|p| p.id);
        let one = AdministratorInput {
            administrator: s.administrator.clone(),
            reason: input.reason.clone(),
        };
        let d = decide(
            &services::domain(&row),
            row.track,
            &u.actor,
            &tree,
            &one,
            |id| staff == Some(id),
        );
        let d = match d {
            Err(gaibu_domain::Refusal::Invalid(fe)) => {
                for e in fe {
                    let field = match e.field.as_str() {
                        "reason" => "reason".to_string(),
                        f => format!("successors[{i}].{f}"),
                    };
                    if !errs.iter().any(|x: &FieldError| x.field == field) {
                        errs.push(FieldError::new(field, e.code));
                    }
                }
                continue;
            }
            other => {
                let attempted = "service.designate_successor";
                ruled(st, u, other, attempted, Entity::Service, Some(row.id)).await?
            }
        };
        if row.version != s.version {
            return Err(AppError::Stale);
        }
        match person {
            Some(p) if p.position.trim().is_empty() => errs.push(FieldError::new(
                format!("successors[{i}].administrator"),
                "administrator_position_required",
            )),
            Some(p) => decided.push((row, d, p)),
            None => {}
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut entries: Vec<(Option<RegisterRow>, String)> = Vec::new();
    for (row, _, person) in &decided {
        let entry = st.store.register_entry_of_service(row.id).await?;
        entries.push((entry, register_text(st, person).await?));
    }
    let steps: Vec<SuccessorStep<'_>> = decided
        .iter()
        .zip(&entries)
        .map(|((row, d, _), (entry, text))| {
            let register = entry.as_ref().map(|entry| RegisterAdministrator {
                entry,
                administrator: text,
            });
            match d {
                Designation::Change(change) => SuccessorStep::Change {
                    before: row,
                    change,
                    register,
                },
                Designation::Confirm { reason } => SuccessorStep::Confirm {
                    service: row,
                    register,
                    reason,
                },
            }
        })
        .collect();
    Ok(st
        .store
        .designate_successors(&u.who(), steps, st.now())
        .await?)
}

/// The leavers' accounts `u` is to close or hand over: of the services they administer; an ISM
/// also those of the units they oversee; the CISO and the System Administrator every one.
pub async fn leaver_accounts(
    st: &AppState,
    u: &CurrentUser,
    ask: &PageAsk,
) -> AppResult<Page<LeaverAccountRow>> {
    if u.has_role(Role::Ciso) || u.has_role(Role::SystemAdministrator) {
        return Ok(st.store.leaver_account_page(None, None, ask).await?);
    }
    let units: Vec<i64> = u
        .actor
        .assignments
        .iter()
        .filter(|a| a.role == Role::InformationSecurityManager)
        .map(|a| a.org_unit)
        .collect();
    Ok(st
        .store
        .leaver_account_page(Some(u.user.id), Some(&units), ask)
        .await?)
}

/// The account stays with the post and passes to its successor: no longer listed.
pub async fn hand_over(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<()> {
    let (_, service_id) = st
        .store
        .leaver_account(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = services::get(st, service_id).await?;
    let tree = org_tree(st).await?;
    let attempted = "account.hand_over";
    let answer = may_hand_over(&services::domain(&row), &u.actor, &tree);
    ruled(st, u, answer, attempted, Entity::Account, Some(id)).await?;
    st.store
        .hand_over_leaver_account(&u.who(), id, st.now())
        .await?;
    Ok(())
}
