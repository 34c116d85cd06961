//! An export under way: the list's own query (the same parse the page uses, so the same
//! filters, the same reader's scope and the same order), read a keyset page at a time. Only
//! one page of rows is held at once, however long the list.

use super::columns::{ListKind, RowCx};
use super::format::Cell;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::lists::lifecycle::DueCheckListQuery;
use crate::lists::{ApplicationListQuery, ListError, RegisterListQuery, ServiceListQuery};
use crate::state::AppState;
use gaibu_store::lists::applications::ApplicationFilter;
use gaibu_store::lists::checks::DueCheckFilter;
use gaibu_store::lists::register::RegisterFilter;
use gaibu_store::lists::services::ServiceFilter;
use gaibu_store::page::{Cursor, MAX_LIMIT, PageAsk};
use serde::Serialize;
use serde::de::DeserializeOwned;

enum Filter {
    Services(ServiceFilter),
    Register(RegisterFilter),
    Applications(ApplicationFilter),
    Checks(DueCheckFilter),
}

/// A list being read for an export.
pub struct Job {
    pub kind: ListKind,
    /// The filters asked for (those given, by name), for the audit trail.
    pub filters: serde_json::Value,
    filter: Filter,
    ask: PageAsk,
    done: bool,
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
    /// The list `kind` as `u` would see it on its page with the query string `qs`; a filter
    /// value the list does not know is refused (422, naming it).
    pub async fn open(st: &AppState, u: &CurrentUser, kind: ListKind, qs: &str) -> AppResult<Job> {
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
        };
        self.done = next.is_none();
        self.ask.after = next;
        Ok(Some(rows))
    }
}
