//! Approved services: the ledger entry, retirement and the official-account register
//! (S5.2.2-3, S5.2.2-4, S7.2). Shared by the HTML forms, the JSON API and the CLI.

use crate::audit_denial::{refuse, ruled};
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::account::AccountInput;
use gaibu_domain::account::AccountStatus;
use gaibu_domain::audit::Entity;
use gaibu_domain::capability::{self, ServiceCapabilities};
use gaibu_domain::ledger::{self, LedgerInput, RetireInput, Service};
use gaibu_domain::role::{OrgTree, Role};
use gaibu_store::{AccountRow, ServiceRow};

pub fn domain(row: &ServiceRow) -> Service {
    Service {
        id: row.id,
        administrator: row.administrator_id,
        org_unit: row.org_unit_id,
        ledger_status: row.ledger_status,
        registered_on: row.registered_on,
        track: row.track,
    }
}

/// What `u` may do with the service now: the buttons of its page and the API's answer.
pub fn capabilities(u: &CurrentUser, row: &ServiceRow, tree: &OrgTree) -> ServiceCapabilities {
    capability::service(&domain(row), &u.actor, tree)
}

pub async fn get(st: &AppState, id: i64) -> AppResult<ServiceRow> {
    st.store.service(id).await?.ok_or(AppError::NotFound)
}

/// A page of a service's timeline holds this many events unless asked otherwise, and never
/// more than `TIMELINE_MAX`.
pub const TIMELINE_PAGE: i64 = 50;
pub const TIMELINE_MAX: i64 = 200;

/// One page of the service's timeline (every audit event of the service and of the
/// application it came from), newest first, older than `before` (a `seq`); and the cursor of
/// the next page when there is one. Paged in the database.
pub async fn timeline(
    st: &AppState,
    s: &ServiceRow,
    before: Option<i64>,
    limit: Option<i64>,
) -> AppResult<(Vec<gaibu_domain::audit::AuditEvent>, Option<i64>)> {
    let limit = limit.unwrap_or(TIMELINE_PAGE).clamp(1, TIMELINE_MAX);
    let mut events = st
        .store
        .service_timeline(s.id, s.application_id, before, limit + 1)
        .await?;
    let more = events.len() as i64 > limit;
    events.truncate(limit as usize);
    let next = match more {
        true => events.last().map(|e| e.seq),
        false => None,
    };
    Ok((events, next))
}

/// The account register names people's addresses: its administrator, the managers over its
/// unit and the CISO may read it.
pub fn may_view_accounts(u: &CurrentUser, s: &ServiceRow, tree: &OrgTree) -> bool {
    capabilities(u, s, tree).view_details
}

pub(crate) fn check_version(row_version: i64, version: i64) -> AppResult<()> {
    if row_version != version {
        return Err(AppError::Stale);
    }
    Ok(())
}

/// S5.2.2-3: the administrator registers the service in the information-system ledger.
pub async fn register_in_ledger(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &LedgerInput,
) -> AppResult<ServiceRow> {
    let row = get(st, id).await?;
    let status = ruled(
        st,
        u,
        ledger::register(&domain(&row), &u.actor),
        "ledger.register",
        Entity::Service,
        Some(id),
    )
    .await?;
    check_version(row.version, version)?;
    let entry = input.parse().map_err(AppError::Invalid)?;
    check_managers(st, &entry).await?;
    let usage_end = match st.store.application(row.application_id).await? {
        Some(a) => a.fields.period_to,
        None => None,
    };
    let check = crate::measures::on_registration(st, &row, &entry).await?;
    let check = check.as_ref().map(|(d, r)| (*d, r.as_slice()));
    Ok(st
        .store
        .register_in_ledger(&u.who(), &row, &entry, status, usage_end, check, st.now())
        .await?)
}

/// The named Business System Manager and Infrastructure Manager hold those roles (S3.6).
pub async fn check_managers(st: &AppState, entry: &ledger::LedgerEntry) -> AppResult<()> {
    let named = [
        (
            "business_system_manager",
            entry.business_system_manager,
            Role::BusinessSystemManager,
        ),
        (
            "infrastructure_manager",
            entry.infrastructure_manager,
            Role::InfrastructureManager,
        ),
    ];
    let mut errs = Vec::new();
    for (field, id, role) in named {
        let Some(id) = id else { continue };
        let holds = st.store.roles_of(id).await?.iter().any(|r| r.role == role);
        if !holds {
            errs.push(FieldError::new(field, "unknown_user"));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errs))
    }
}

/// Users who hold `role` anywhere, as (id, name) options of a form.
pub async fn holders_of(st: &AppState, role: Role) -> AppResult<Vec<(i64, String)>> {
    Ok(st
        .store
        .holders_of(role.as_str())
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// S7.2: a class-1 service to 廃止済み, its open accounts closed with it; a class-2+ one is
/// refused (409 `termination_required`): it ends through its termination (S7.1).
pub async fn retire(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    version: i64,
    input: &RetireInput,
) -> AppResult<ServiceRow> {
    let row = get(st, id).await?;
    let retirement = ruled(
        st,
        u,
        ledger::retire(&domain(&row), &u.actor, input),
        "ledger.retire",
        Entity::Service,
        Some(id),
    )
    .await?;
    check_version(row.version, version)?;
    Ok(st
        .store
        .retire_service(&u.who(), &row, &retirement, st.now())
        .await?)
}

pub async fn accounts(
    st: &AppState,
    u: &CurrentUser,
    s: &ServiceRow,
    (filter, ask): (
        &gaibu_store::lists::people::AccountFilter,
        &gaibu_store::page::PageAsk,
    ),
) -> AppResult<Option<gaibu_store::page::Page<AccountRow>>> {
    if !may_view_accounts(u, s, &org_tree(st).await?) {
        return Ok(None);
    }
    let filter = gaibu_store::lists::people::AccountFilter {
        service_id: s.id,
        ..filter.clone()
    };
    Ok(Some(st.store.account_page(&filter, ask).await?))
}

/// S5.2.2-4: official accounts only; a private one is refused with the reason on its field.
pub async fn add_account(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    input: &AccountInput,
) -> AppResult<AccountRow> {
    let row = get(st, id).await?;
    ruled(
        st,
        u,
        ledger::may_add_account(&domain(&row), &u.actor),
        "account.register",
        Entity::Service,
        Some(id),
    )
    .await?;
    let rules = policies::account_rules_in_force(st).await?;
    let tree = org_tree(st).await?;
    let account = input
        .parse(&rules.doc, |u| tree.contains(u))
        .map_err(AppError::Invalid)?;
    Ok(st
        .store
        .add_account(&u.who(), id, &account, st.now())
        .await?)
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CloseAccountInput {
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub closed_on: String,
}

pub async fn close_account(
    st: &AppState,
    u: &CurrentUser,
    account_id: i64,
    input: &CloseAccountInput,
) -> AppResult<AccountRow> {
    let acc = st
        .store
        .account(account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let svc = get(st, acc.service_id).await?;
    if let Err(r) =
        ledger::may_close_account(&domain(&svc), &u.actor, acc.status == AccountStatus::Closed)
    {
        return Err(refuse(st, u, r, "account.close", Entity::Account, Some(account_id)).await);
    }
    check_version(acc.version, input.version)?;
    let closed_on =
        if input.closed_on.trim().is_empty() {
            st.today()
        } else {
            input.closed_on.trim().parse().map_err(|_| {
                AppError::Invalid(vec![FieldError::new("closed_on", "invalid_date")])
            })?
        };
    if closed_on < acc.created_on {
        return Err(AppError::Invalid(vec![FieldError::new(
            "closed_on",
            "closed_before_created",
        )]));
    }
    Ok(st
        .store
        .close_account(&u.who(), &acc, closed_on, st.now())
        .await?)
}
