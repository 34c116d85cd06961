//! An export under way: the list's own query (the same parse the page uses, so the same
//! filters, the same reader's scope and the same order), read a keyset page at a time. Only
//! one page of rows is held at once, however long the list.

use super::columns::{ListKind, RowCx};
use super::format::Cell;
use super::lifecycle::Names;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::lists::lifecycle::{
    DueCheckListQuery, OrderListQuery, TerminationListQuery, WorkListQuery,
};
use crate::lists::{
    AccountListQuery, ApplicationListQuery, ListError, RegisterListQuery, ServiceListQuery,
};
use crate::rechecks::lists as rechecks_lists;
use crate::state::AppState;
use gaibu_store::lists::applications::ApplicationFilter;
use gaibu_store::lists::checks::DueCheckFilter;
use gaibu_store::lists::orders::OrderFilter;
use gaibu_store::lists::people::AccountFilter;
use gaibu_store::lists::rechecks::WorkFilter;
use gaibu_store::lists::register::RegisterFilter;
use gaibu_store::lists::services::ServiceFilter;
use gaibu_store::lists::terminations::TerminationFilter;
use gaibu_store::page::{Cursor, MAX_LIMIT, PageAsk};
use serde::Serialize;
use serde::de::DeserializeOwned;

enum Filter {
    Services(ServiceFilter),
    Register(RegisterFilter),
    Applications(ApplicationFilter),
    Checks(DueCheckFilter),
    Rechecks(WorkFilter),
    Actions(WorkFilter),
    Terminations(TerminationFilter),
    CheckOrders(OrderFilter),
    Accounts(AccountFilter),
}

/// A list being read for an export.
pub struct Job {
    pub kind: ListKind,
    /// The filters asked for (those given, by name), for the audit trail.
    pub filters: serde_json::Value,
    filter: Filter,
    ask: PageAsk,
    done: bool,
    names: Names,
}

/// The list's query from a URL query string; the whole list is exported, so a page size or
/// cursor in it is ignored.
fn query<Q: DeserializeOwned + Serialize>(qs: &str) -> AppResult<(Q, serde_json::Value)> {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(qs).map_err(|_| AppError::Refused(ErrorCode::MalformedQuery))?;
    pairs.retain(|(k, _)| k != "cursor" && k != "limit");
    let q: Q = serde_urlencoded::from_str(
        &serde_urlencoded::to_string(&pairs).map_err(|e| AppError::Internal(e.into()))?,
    )
    .map_err(|_| AppError::Refused(ErrorCode::MalformedQuery))?;
    let mut given = serde_json::to_value(&q).map_err(|e| AppError::Internal(e.into()))?;
    if let Some(m) = given.as_object_mut() {
        m.retain(|k, v| {
            !matches!(k.as_str(), "cursor" | "limit") && v.as_str().is_some_and(|s| !s.is_empty())
        });
    }
    Ok((q, given))
}

fn followed<T>(parsed: Result<T, ListError>) -> AppResult<T> {
    parsed.map_err(AppError::from)
}

impl Job {
    /// The list `kind` as `u` would see it on its page with the query string `qs` (of the
    /// record `of` for a record's list: a service's accounts); a filter value the list does
    /// not know is refused (422, naming it). The re-checks asked for with `actions=` are the
    /// corrective actions, as on their page.
    pub async fn open(
        st: &AppState,
        u: &CurrentUser,
        kind: ListKind,
        of: Option<i64>,
        qs: &str,
    ) -> AppResult<Job> {
        let kind = match kind {
            ListKind::Rechecks if !query::<WorkListQuery>(qs)?.0.actions.trim().is_empty() => {
                ListKind::Actions
            }
            k => k,
        };
        let (filter, ask, filters) = match kind {
            ListKind::Services => {
                let (q, given) = query::<ServiceListQuery>(qs)?;
                let (f, ask) = followed(q.parse(st, st.today()).await?)?;
                (Filter::Services(f), ask, given)
            }
            ListKind::Register => {
                let (q, given) = query::<RegisterListQuery>(qs)?;
                let (f, ask) = followed(q.parse(st, u).await?)?;
                (Filter::Register(f), ask, given)
            }
            ListKind::Applications => {
                let (q, given) = query::<ApplicationListQuery>(qs)?;
                let (f, ask) = followed(q.parse(st, u).await?)?;
                (Filter::Applications(f), ask, given)
            }
            ListKind::Checks => {
                let (q, given) = query::<DueCheckListQuery>(qs)?;
                let soon = crate::measures::soon_days(st).await?;
                let (f, ask) = followed(q.parse(st, u, st.today(), soon).await?)?;
                (Filter::Checks(f), ask, given)
            }
            ListKind::Rechecks => {
                let (q, given) = query::<WorkListQuery>(qs)?;
                let (f, ask) = followed(q.parse(st, u, st.today()).await?)?;
                (Filter::Rechecks(f), ask, given)
            }
            ListKind::Actions => {
                let (q, given) = query::<WorkListQuery>(qs)?;
                let (f, ask) = followed(rechecks_lists::action_filter(st, u, &q).await?)?;
                (Filter::Actions(f), ask, given)
            }
            ListKind::Terminations => {
                let (q, given) = query::<TerminationListQuery>(qs)?;
                let (f, ask) = followed(q.parse(st, u).await?)?;
                (Filter::Terminations(f), ask, given)
            }
            ListKind::CheckOrders => {
                let (q, given) = query::<OrderListQuery>(qs)?;
                let (f, ask) = followed(rechecks_lists::order_filter(st, u, &q).await?)?;
                (Filter::CheckOrders(f), ask, given)
            }
            ListKind::Accounts => {
                let id = of.ok_or(AppError::NotFound)?;
                let (q, mut given) = query::<AccountListQuery>(qs)?;
                let (f, ask) = followed(q.parse(id))?;
                accounts_seen(st, u, id).await?;
                if let Some(m) = given.as_object_mut() {
                    m.insert("service".into(), id.into());
                }
                (Filter::Accounts(f), ask, given)
            }
        };
        Ok(Job {
            kind,
            filters,
            filter,
            ask: PageAsk {
                limit: MAX_LIMIT,
                after: None,
                ..ask
            },
            done: false,
            names: Names::default(),
        })
    }

    /// The next page's rows as cells; `None` after the last.
    pub async fn next_page(
        &mut self,
        st: &AppState,
        rc: &RowCx,
    ) -> AppResult<Option<Vec<Vec<Cell>>>> {
        if self.done {
            return Ok(None);
        }
        let store = &st.store;
        let (rows, next): (Vec<Vec<Cell>>, Option<Cursor>) = match &self.filter {
            Filter::Services(f) => {
                let p = store.service_page(f, &self.ask).await?;
                (p.items.iter().map(|r| rc.service(r)).collect(), p.next)
            }
            Filter::Register(f) => {
                let p = store.register_page(f, &self.ask).await?;
                (p.items.iter().map(|r| rc.register(r)).collect(), p.next)
            }
            Filter::Applications(f) => {
                let p = store.application_page(f, &self.ask).await?;
                (p.items.iter().map(|r| rc.application(r)).collect(), p.next)
            }
            Filter::Checks(f) => {
                let p = store.due_check_page(f, &self.ask).await?;
                (p.items.iter().map(|r| rc.check(r)).collect(), p.next)
            }
            Filter::Rechecks(f) => {
                let p = store.recheck_page(f, &self.ask).await?;
                let (people, services) = p
                    .items
                    .iter()
                    .map(|r| (r.administrator_id, r.service_id))
                    .unzip::<_, _, Vec<_>, Vec<_>>();
                self.names.learn(st, people, services).await?;
                let n = &self.names;
                (p.items.iter().map(|r| rc.recheck(r, n)).collect(), p.next)
            }
            Filter::Actions(f) => {
                let p = store.action_page(f, &self.ask).await?;
                let (people, services) = p
                    .items
                    .iter()
                    .map(|a| (a.owner_id, a.service_id))
                    .unzip::<_, _, Vec<_>, Vec<_>>();
                self.names.learn(st, people, services).await?;
                let n = &self.names;
                (p.items.iter().map(|a| rc.action(a, n)).collect(), p.next)
            }
            Filter::Terminations(f) => {
                let p = store.termination_page(f, &self.ask).await?;
                let people: Vec<i64> = p.items.iter().map(|r| r.requested_by).collect();
                self.names.learn(st, people, Vec::new()).await?;
                let n = &self.names;
                (
                    p.items.iter().map(|r| rc.termination(r, n)).collect(),
                    p.next,
                )
            }
            Filter::CheckOrders(f) => {
                let p = store.order_page(f, &self.ask).await?;
                (p.items.iter().map(|o| rc.order(o)).collect(), p.next)
            }
            Filter::Accounts(f) => {
                let p = store.account_page(f, &self.ask).await?;
                (p.items.iter().map(|a| rc.account(a)).collect(), p.next)
            }
        };
        self.done = next.is_none();
        self.ask.after = next;
        Ok(Some(rows))
    }
}

/// A service's accounts name people's addresses: exported to those who may see them on the
/// service's page, refused (403, audited) to others, as on the API.
async fn accounts_seen(st: &AppState, u: &CurrentUser, id: i64) -> AppResult<()> {
    let s = crate::services::get(st, id).await?;
    if crate::services::may_view_accounts(u, &s, &crate::auth::org_tree(st).await?) {
        return Ok(());
    }
    let r = gaibu_domain::Refusal::Forbidden("accounts_hidden");
    let entity = gaibu_domain::audit::Entity::Service;
    Err(crate::audit_denial::refuse(st, u, r, "account.list", entity, Some(id)).await)
}
