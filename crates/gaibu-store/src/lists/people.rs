//! Lists of what a service and a person hold: official accounts, users, notifications.

use crate::page::{Key, Page, PageAsk, Query, SortBy};
use crate::{AccountRow, NotificationRow, OrgUnitRow, Result, Store, UserRow};
use gaibu_domain::account::AccountStatus;

/// `%` and `_` typed by a user are themselves in a LIKE pattern.
pub(crate) fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A service's official accounts (S3.5.1a), a page at a time.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub service_id: i64,
    pub status: Option<AccountStatus>,
    pub q: String,
}

pub const ACCOUNT_SORTS: &[SortBy<AccountRow>] = &[
    SortBy {
        name: "id",
        expr: "id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "account_id",
        expr: "account_id",
        key: |r| Key::Text(r.account_id.clone()),
    },
];

/// Users, by login or name and by unit (with the units below it).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: String,
    pub org_unit: Option<i64>,
    pub active: Option<bool>,
    /// City staff only: no contractor's user.
    pub staff_only: bool,
}

pub const USER_SORTS: &[SortBy<UserRow>] = &[
    SortBy {
        name: "login",
        expr: "login",
        key: |r| Key::Text(r.login.clone()),
    },
    SortBy {
        name: "id",
        expr: "id",
        key: |r| Key::Int(r.id),
    },
];

pub const ORG_UNIT_SORTS: &[SortBy<OrgUnitRow>] = &[
    SortBy {
        name: "id",
        expr: "id",
        key: |r| Key::Int(r.id),
    },
    SortBy {
        name: "code",
        expr: "code",
        key: |r| Key::Text(r.code.clone()),
    },
];

pub const NOTIFICATION_SORTS: &[SortBy<NotificationRow>] = &[SortBy {
    name: "id",
    expr: "id",
    key: |r| Key::Int(r.id),
}];

impl Store {
    pub async fn account_page(&self, f: &AccountFilter, ask: &PageAsk) -> Result<Page<AccountRow>> {
        let mut q = Query::new("SELECT * FROM accounts");
        let s = q.bind(f.service_id);
        q.and(format!("service_id = {s}"));
        if let Some(st) = f.status {
            let p = q.bind(st.as_str());
            q.and(format!("status = {p}"));
        }
        if !f.q.trim().is_empty() {
            let p = q.bind(like_pattern(f.q.trim()));
            q.and(format!(
                "(account_id LIKE {p} ESCAPE '\\' OR holder_position LIKE {p} ESCAPE '\\' \
                 OR purpose LIKE {p} ESCAPE '\\')"
            ));
        }
        self.page(q, "id", ACCOUNT_SORTS, ask).await
    }

    pub async fn user_page(&self, f: &UserFilter, ask: &PageAsk) -> Result<Page<UserRow>> {
        let mut q = Query::new("SELECT * FROM users");
        if !f.q.trim().is_empty() {
            let p = q.bind(like_pattern(&f.q.trim().to_lowercase()));
            q.and(format!(
                "(LOWER(login) LIKE {p} ESCAPE '\\' OR LOWER(display_name) LIKE {p} ESCAPE '\\')"
            ));
        }
        if let Some(u) = f.org_unit {
            q.within_units("org_unit_id", &[u]);
        }
        if let Some(a) = f.active {
            let p = q.bind(a);
            q.and(format!("active = {p}"));
        }
        if f.staff_only {
            q.and("contractor_id IS NULL");
        }
        self.page(q, "id", USER_SORTS, ask).await
    }

    /// The role assignments of these users (those of one page of a users list).
    pub async fn roles_of_users(&self, ids: &[i64]) -> Result<Vec<crate::RoleRow>> {
        let mut q = Query::new("");
        let list = q.ids(ids);
        let sql = format!(
            "SELECT * FROM role_assignments WHERE user_id IN {list} ORDER BY user_id, role"
        );
        self.list(&sql, q.into_vals()).await
    }

    /// These users (the people a page names).
    pub async fn users_by_ids(&self, ids: &[i64]) -> Result<Vec<UserRow>> {
        let mut q = Query::new("");
        let list = q.ids(ids);
        let sql = format!("SELECT * FROM users WHERE id IN {list} ORDER BY id");
        self.list(&sql, q.into_vals()).await
    }

    /// Org units, a page at a time.
    pub async fn org_unit_page(&self, ask: &PageAsk) -> Result<Page<OrgUnitRow>> {
        self.page(
            Query::new("SELECT * FROM org_units"),
            "id",
            ORG_UNIT_SORTS,
            ask,
        )
        .await
    }

    /// A user's notifications, newest first; `unread` only those not read.
    pub async fn notification_page(
        &self,
        user_id: i64,
        unread: bool,
        ask: &PageAsk,
    ) -> Result<Page<NotificationRow>> {
        let mut q = Query::new("SELECT * FROM notifications");
        let u = q.bind(user_id);
        q.and(format!("user_id = {u}"));
        if unread {
            q.and("read_at IS NULL");
        }
        self.page(q, "id", NOTIFICATION_SORTS, ask).await
    }
}

/// Contractors and designated managers (S5.3), and their submissions: a contractor's person sees
/// their own; city staff those of the units they oversee (`None`: all).
#[derive(Debug, Clone, Default)]
pub struct ContractorScope {
    pub own_contractor: Option<i64>,
    pub seen_units: Option<Vec<i64>>,
}

pub const CONTRACTOR_SORTS: &[SortBy<crate::ContractorRow>] = &[SortBy {
    name: "id",
    expr: "c.id",
    key: |r| Key::Int(r.id),
}];

pub const SUBMISSION_SORTS: &[SortBy<crate::SubmissionRow>] = &[SortBy {
    name: "id",
    expr: "cs.id",
    key: |r| Key::Int(r.id),
}];

impl ContractorScope {
    fn limit(&self, q: &mut Query) {
        if let Some(own) = self.own_contractor {
            let p = q.bind(own);
            q.and(format!("c.id = {p}"));
        } else if let Some(units) = &self.seen_units {
            q.within_units("c.org_unit_id", units);
        }
    }
}

impl Store {
    pub async fn contractor_page(
        &self,
        scope: &ContractorScope,
        ask: &PageAsk,
    ) -> Result<Page<crate::ContractorRow>> {
        let mut q = Query::new("SELECT c.* FROM contractors c");
        scope.limit(&mut q);
        self.page(q, "c.id", CONTRACTOR_SORTS, ask).await
    }

    pub async fn submission_page(
        &self,
        scope: &ContractorScope,
        ask: &PageAsk,
    ) -> Result<Page<crate::SubmissionRow>> {
        let mut q = Query::new(
            "SELECT cs.* FROM contractor_submissions cs JOIN contractors c ON c.id = cs.contractor_id",
        );
        scope.limit(&mut q);
        self.page(q, "cs.id", SUBMISSION_SORTS, ask).await
    }
}
