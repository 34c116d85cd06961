//! The lists of re-checks, corrective actions and ordered checks (issue 8): a person's own
//! open work, the overseers' view of their units, a service's re-checks, the orders and one
//! order's services, each filtered and paged by keyset in the database.

use super::must_be_ism;
use crate::audit_denial::ruled;
use crate::auth::{CurrentUser, org_tree};
use crate::error::{AppError, AppResult};
use crate::lists::ListError;
use crate::lists::lifecycle::{OrderListQuery, WorkListQuery, WorkScope};
use crate::services;
use crate::state::AppState;
use gaibu_domain::audit::Entity;
use gaibu_store::lists::orders::{OrderFilter, TargetFilter, TargetState};
use gaibu_store::lists::rechecks::WorkFilter;
use gaibu_store::page::{Page, PageAsk};
use gaibu_store::{CorrectiveActionRow, OrderProgressRow, OrderTargetView, RecheckRow, ServiceRow};

/// A list, or why its query cannot be followed.
pub type Listed<T> = Result<Page<T>, ListError>;

/// Whether `u` oversees any unit's re-checks: the ISMs, the Information Managers etc. and the
/// CISO.
pub fn oversees(u: &CurrentUser) -> bool {
    u.actor
        .units_overseen()
        .is_none_or(|units| !units.is_empty())
}

/// Re-checks: `u`'s own (open unless asked otherwise), or with `scope=all` every one of the
/// units `u` oversees.
pub async fn rechecks(
    st: &AppState,
    u: &CurrentUser,
    q: &WorkListQuery,
) -> AppResult<Listed<RecheckRow>> {
    Ok(match q.parse(st, u, st.today()).await? {
        Ok((f, ask)) => Ok(st.store.recheck_page(&f, &ask).await?),
        Err(e) => Err(e),
    })
}

/// Corrective actions: those `u` owns or administers (open unless asked otherwise), or with
/// `scope=all` every one of the units `u` oversees. Their state is `actions`, else `state`.
pub async fn actions(
    st: &AppState,
    u: &CurrentUser,
    q: &WorkListQuery,
) -> AppResult<Listed<CorrectiveActionRow>> {
    Ok(match action_filter(st, u, q).await? {
        Ok((f, ask)) => Ok(st.store.action_page(&f, &ask).await?),
        Err(e) => Err(e),
    })
}

/// The filter and page of the corrective actions `q` asks for (the list and its export).
pub async fn action_filter(
    st: &AppState,
    u: &CurrentUser,
    q: &WorkListQuery,
) -> AppResult<Result<(WorkFilter, PageAsk), ListError>> {
    let mut q = q.clone();
    match q.actions.trim() {
        "" => {}
        "open" | "closed" | "all" => q.state = q.actions.trim().to_string(),
        _ => return Ok(Err(ListError::Unknown("actions"))),
    }
    Ok(q.parse(st, u, st.today()).await?.map(|(mut f, ask)| {
        // What opened a re-check does not filter its action.
        f.cause = None;
        (f, ask)
    }))
}

/// The ordered checks `u` has still to report on, soonest due first: the most a page holds.
pub async fn pending_reports(st: &AppState, u: &CurrentUser) -> AppResult<Vec<OrderTargetView>> {
    let f = TargetFilter {
        today: st.today(),
        order_id: None,
        administrator_id: Some(u.user.id),
        state: Some(TargetState::Pending),
        overdue: false,
    };
    let ask = PageAsk {
        sort: "due_on".into(),
        dir: gaibu_store::page::Dir::Asc,
        limit: gaibu_store::page::MAX_LIMIT,
        after: None,
    };
    Ok(st.store.target_page(&f, &ask).await?.items)
}

/// The ordered checks `u` reports on, filtered and paged.
pub async fn my_reports(
    st: &AppState,
    u: &CurrentUser,
    q: &OrderListQuery,
) -> AppResult<Listed<OrderTargetView>> {
    Ok(match q.targets_of(st.today(), u.user.id) {
        Ok((f, ask)) => Ok(st.store.target_page(&f, &ask).await?),
        Err(e) => Err(e),
    })
}

/// S6.3: the orders with their progress (reported / pending / overdue), for the ISM.
pub async fn orders(
    st: &AppState,
    u: &CurrentUser,
    q: &OrderListQuery,
) -> AppResult<Listed<OrderProgressRow>> {
    Ok(match order_filter(st, u, q).await? {
        Ok((f, ask)) => Ok(st.store.order_page(&f, &ask).await?),
        Err(e) => Err(e),
    })
}

/// The filter and page of the orders `q` asks for (the list and its export): the ISM's only
/// (anyone else is refused, 403, audited).
pub async fn order_filter(
    st: &AppState,
    u: &CurrentUser,
    q: &OrderListQuery,
) -> AppResult<Result<(OrderFilter, PageAsk), ListError>> {
    let e = Entity::CheckOrder;
    ruled(st, u, must_be_ism(u), "check_order.list", e, None).await?;
    Ok(q.orders(st.today()))
}

/// S6.3: one order's progress and its services, filtered and paged, for the ISM.
pub async fn order_detail(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    q: &OrderListQuery,
) -> AppResult<(OrderProgressRow, Listed<OrderTargetView>)> {
    let e = Entity::CheckOrder;
    ruled(st, u, must_be_ism(u), "check_order.view", e, Some(id)).await?;
    let today = st.today();
    let order = st
        .store
        .check_order_progress(today.to_string(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let targets = match q.targets(today, id) {
        Ok((f, ask)) => Ok(st.store.target_page(&f, &ask).await?),
        Err(e) => Err(e),
    };
    Ok((order, targets))
}

/// The re-checks of a service, filtered and paged (newest first unless asked otherwise), for
/// those who may read it; nothing for others.
pub async fn of_service(
    st: &AppState,
    u: &CurrentUser,
    s: &ServiceRow,
    q: &WorkListQuery,
) -> AppResult<Listed<RecheckRow>> {
    let tree = org_tree(st).await?;
    if !services::capabilities(u, s, &tree).view_details {
        return Ok(Ok(Page {
            items: vec![],
            next: None,
        }));
    }
    let mut q = q.clone();
    // Every re-check of the service, whoever administers it.
    q.scope = "all".into();
    Ok(match q.parse(st, u, st.today()).await? {
        Ok((mut f, mut ask)) => {
            f.seen_units = None;
            f.service_id = Some(s.id);
            if q.sort.trim().is_empty() {
                ask.sort = "id".into();
            }
            if q.dir.trim().is_empty() {
                ask.dir = gaibu_store::page::Dir::Desc;
            }
            Ok(st.store.recheck_page(&f, &ask).await?)
        }
        Err(e) => Err(e),
    })
}

/// The scope a query asks for (the default when it is not one known).
pub fn scope_of(q: &WorkListQuery) -> WorkScope {
    q.scope().unwrap_or(WorkScope::Mine)
}
