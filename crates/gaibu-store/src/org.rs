//! Organisation units, users and role assignments, and who a credential is (`identity`).

use crate::codec::reads;
use crate::write::{Audit, New, Val};
use crate::{OrgUnitRow, Result, RoleRow, Store, StoreError, UserRow, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::calendar::DateStyle;
use sqlx::Row;

pub struct NewOrgUnit {
    pub parent_id: Option<i64>,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub org_unit_id: i64,
    pub position: String,
    pub lang: String,
    pub password_hash: Option<String>,
    pub contractor_id: Option<i64>,
}

/// What a request is made with.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// A browser session's cookie (its hash), valid until it expires or has been idle since
    /// `idle_since`.
    Session {
        token_hash: &'a str,
        now: jiff::Timestamp,
        idle_since: jiff::Timestamp,
    },
    /// An API token (its hash), until it expires or is revoked.
    ApiToken {
        token_hash: &'a str,
        now: jiff::Timestamp,
    },
    /// Work outside HTTP acting as a user (demo data, CLI).
    User(i64),
}

/// Who is asking, as one query reads it: the active user, their roles, the session's CSRF token
/// (none for an API token), their unread notifications, and the organisation tree's version.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: UserRow,
    pub roles: Vec<RoleRow>,
    pub csrf: Option<String>,
    pub unread: i64,
    pub org_version: i64,
    /// When the session or token was last seen in use (epoch ms; `None` for a user).
    pub seen_at: Option<i64>,
    /// How the city's pages write dates (`None`: never set, the Western calendar).
    pub city_date_style: Option<DateStyle>,
}

/// The identity query: the user joined with their roles (one row each, or one row without a
/// role), with the unread count and the org tree's version as scalar subqueries.
macro_rules! identity_sql {
    ($csrf:literal, $seen:literal, $from:literal, $cond:literal) => {
        concat!(
            "SELECT u.id, u.login, u.display_name, u.email, u.org_unit_id, u.position, u.lang, \
             u.password_hash, u.active, u.contractor_id, u.date_style, ",
            $csrf,
            " AS csrf, ",
            $seen,
            " AS seen_at, r.id AS role_id, r.role AS role_name, r.org_unit_id AS role_org_unit_id, \
             (SELECT COUNT(*) FROM notifications n \
              WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread, \
             (SELECT v.version FROM org_version v WHERE v.id = 1) AS org_version, \
             (SELECT s.value FROM settings s WHERE s.name = 'date_style') AS city_date_style ",
            $from,
            " LEFT JOIN role_assignments r ON r.user_id = u.id WHERE ",
            $cond,
            " AND u.active = 1 ORDER BY r.role, r.org_unit_id"
        )
    };
}

const IDENTITY_BY_SESSION: &str = identity_sql!(
    "s.csrf",
    "s.last_seen_at",
    "FROM sessions s JOIN users u ON u.id = s.user_id",
    "s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3"
);
const IDENTITY_BY_TOKEN: &str = identity_sql!(
    "CAST(NULL AS TEXT)",
    "t.last_used_at",
    "FROM api_tokens t JOIN users u ON u.id = t.user_id",
    "t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2"
);
const IDENTITY_BY_USER: &str = identity_sql!(
    "CAST(NULL AS TEXT)",
    "CAST(NULL AS BIGINT)",
    "FROM users u",
    "u.id = $1"
);

impl Store {
    pub async fn create_org_unit(
        &self,
        who: &Who,
        u: &NewOrgUnit,
        now: jiff::Timestamp,
    ) -> Result<OrgUnitRow> {
        let cols = vec![
            ("parent_id", u.parent_id.into()),
            ("code", (&u.code).into()),
            ("name_ja", (&u.name_ja).into()),
            ("name_en", (&u.name_en).into()),
            ("created_at", now.into()),
        ];
        let new = New {
            table: "org_units",
            cols,
            action: Action::OrgUnitCreated,
            entity: Entity::OrgUnit,
            entity_id: None,
            service_id: None,
        };
        self.create(who, now, new).await
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn create_user(
        &self,
        who: &Who,
        u: &NewUser,
        now: jiff::Timestamp,
    ) -> Result<UserRow> {
        let cols = vec![
            ("login", (&u.login).into()),
            ("display_name", (&u.display_name).into()),
            ("email", (&u.email).into()),
            ("org_unit_id", u.org_unit_id.into()),
            ("position", (&u.position).into()),
            ("lang", (&u.lang).into()),
            ("password_hash", u.password_hash.clone().into()),
            ("created_at", now.into()),
            ("contractor_id", u.contractor_id.into()),
        ];
        let new = New {
            table: "users",
            cols,
            action: Action::UserCreated,
            entity: Entity::User,
            entity_id: None,
            service_id: None,
        };
        self.create(who, now, new).await
    }

    /// A change of a user that the writer need not have seen first (an administrator's reset,
    /// a language switch); it still moves the version. With `end_credentials` the user's
    /// sessions end and their API tokens are revoked in the same transaction.
    async fn change_user(
        &self,
        who: &Who,
        user_id: i64,
        set: Vec<(&'static str, Val)>,
        audit: Audit,
        end_credentials: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        let mut sql = String::from("UPDATE users SET ");
        let mut vals = Vec::new();
        for (col, v) in set {
            vals.push(v);
            sql.push_str(&format!("{col} = ${}, ", vals.len()));
        }
        vals.push(user_id.into());
        sql.push_str(&format!("version = version + 1 WHERE id = ${}", vals.len()));
        let n = crate::write::bind_all(sqlx::query(&sql), vals)
            .execute(w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if end_credentials {
            crate::credentials::end_all(w.conn(), user_id, now).await?;
        }
        w.audit(audit).await?;
        w.commit().await
    }

    /// Sets a new password hash, ends the user's sessions and revokes their API tokens: a
    /// password reset by an administrator, or `own` a change by the user themselves.
    pub async fn set_password(
        &self,
        who: &Who,
        user_id: i64,
        hash: &str,
        own: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let action = if own {
            Action::UserPasswordChanged
        } else {
            Action::UserPasswordReset
        };
        let audit = user_event(action, user_id, None);
        let set = vec![("password_hash", hash.into())];
        self.change_user(who, user_id, set, audit, true, now).await
    }

    /// Deactivates a user (a leaver): they sign in no more, their sessions end and their API
    /// tokens are revoked at once; their records and audit events stay. Or reactivates one
    /// (`active`), who then signs in with a password set anew.
    pub async fn set_user_active(
        &self,
        who: &Who,
        user_id: i64,
        active: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (action, set) = if active {
            let set = vec![("active", 1i64.into()), ("deactivated_at", Val::Int(None))];
            (Action::UserReactivated, set)
        } else {
            let set = vec![("active", 0i64.into()), ("deactivated_at", now.into())];
            (Action::UserDeactivated, set)
        };
        let audit = user_event(action, user_id, None);
        self.change_user(who, user_id, set, audit, !active, now)
            .await
    }

    pub async fn set_user_lang(
        &self,
        who: &Who,
        user_id: i64,
        lang: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let after = serde_json::json!({ "lang": lang }).to_string();
        let audit = user_event(Action::UserLanguageChanged, user_id, Some(after));
        self.change_user(who, user_id, vec![("lang", lang.into())], audit, false, now)
            .await
    }

    /// A user's own choice of how dates are written; `None` goes back to the city's.
    pub async fn set_user_date_style(
        &self,
        who: &Who,
        user_id: i64,
        style: Option<DateStyle>,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let after = serde_json::json!({ "date_style": style }).to_string();
        let audit = user_event(Action::UserDateStyleChanged, user_id, Some(after));
        let value = Val::Text(style.map(|s| s.as_str().to_string()));
        let set = vec![("date_style", value)];
        self.change_user(who, user_id, set, audit, false, now).await
    }

    pub async fn assign_role(
        &self,
        who: &Who,
        user_id: i64,
        role: gaibu_domain::role::Role,
        org_unit_id: i64,
        now: jiff::Timestamp,
    ) -> Result<RoleRow> {
        let cols = vec![
            ("user_id", user_id.into()),
            ("role", role.as_str().into()),
            ("org_unit_id", org_unit_id.into()),
            ("created_at", now.into()),
        ];
        let new = New {
            table: "role_assignments",
            cols,
            action: Action::RoleAssigned,
            entity: Entity::User,
            entity_id: Some(user_id),
            service_id: None,
        };
        self.create(who, now, new).await
    }
}

impl Store {
    /// Resolves a credential to who is asking, in one query; `None` when the credential is
    /// unknown, expired or revoked, or its user is inactive.
    pub async fn identity(&self, c: Credential<'_>) -> Result<Option<Identity>> {
        let q = match c {
            Credential::Session {
                token_hash,
                now,
                idle_since,
            } => sqlx::query(IDENTITY_BY_SESSION)
                .bind(token_hash)
                .bind(now.as_millisecond())
                .bind(idle_since.as_millisecond()),
            Credential::ApiToken { token_hash, now } => sqlx::query(IDENTITY_BY_TOKEN)
                .bind(token_hash)
                .bind(now.as_millisecond()),
            Credential::User(id) => sqlx::query(IDENTITY_BY_USER).bind(id),
        };
        let rows = q.fetch_all(&self.pool).await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let user = <UserRow as sqlx::FromRow<'_, sqlx::any::AnyRow>>::from_row(first)?;
        let mut roles = Vec::with_capacity(rows.len());
        for r in &rows {
            let Some(id) = crate::codec::get::<Option<i64>>(r, "role_id")? else {
                continue;
            };
            let role = crate::codec::named(r, "role_name", gaibu_domain::role::Role::parse)?;
            roles.push(RoleRow {
                id,
                user_id: user.id,
                role,
                org_unit_id: crate::codec::get(r, "role_org_unit_id")?,
            });
        }
        Ok(Some(Identity {
            csrf: crate::codec::get(first, "csrf")?,
            unread: crate::codec::get(first, "unread")?,
            org_version: crate::codec::get(first, "org_version")?,
            seen_at: crate::codec::get(first, "seen_at")?,
            city_date_style: crate::codec::opt_named(first, "city_date_style", DateStyle::parse)?,
            user,
            roles,
        }))
    }

    /// The organisation tree's version: it moves with every change to the org units.
    pub async fn org_version(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT version FROM org_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("version")?)
    }

    /// Every org unit with the version they are at, read together (`None` without units).
    pub async fn org_units_versioned(&self) -> Result<(Vec<OrgUnitRow>, Option<i64>)> {
        let rows = sqlx::query(
            "SELECT o.id, o.parent_id, o.code, o.name_ja, o.name_en, \
             (SELECT v.version FROM org_version v WHERE v.id = 1) AS org_version \
             FROM org_units o ORDER BY o.code",
        )
        .fetch_all(&self.pool)
        .await?;
        let version = match rows.first() {
            Some(r) => Some(r.try_get("org_version")?),
            None => None,
        };
        let units = rows
            .iter()
            .map(<OrgUnitRow as sqlx::FromRow<'_, sqlx::any::AnyRow>>::from_row)
            .collect::<Result<_, _>>()?;
        Ok((units, version))
    }

    /// The display names of some users, in one query (unknown ids are left out).
    pub async fn user_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let params: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, display_name FROM users WHERE id IN ({})",
            params.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
            .collect()
    }
}

fn user_event(action: Action, user_id: i64, after: Option<String>) -> Audit {
    Audit {
        action,
        entity: Entity::User,
        entity_id: Some(user_id),
        service_id: None,
        before: None,
        after,
    }
}

reads! {
    org_units() -> list OrgUnitRow = "SELECT * FROM org_units ORDER BY code";
    org_unit_by_code(code: &str) -> one OrgUnitRow = "SELECT * FROM org_units WHERE code = $1";
    users() -> list UserRow = "SELECT * FROM users ORDER BY login";
    user(id: i64) -> one UserRow = "SELECT * FROM users WHERE id = $1";
    user_by_login(login: &str) -> one UserRow = "SELECT * FROM users WHERE login = $1";
    roles_of(user_id: i64) -> list RoleRow = "SELECT * FROM role_assignments WHERE user_id = $1 ORDER BY role, org_unit_id";
    holders_of(role: &str) -> list UserRow = "SELECT * FROM users WHERE active = 1 AND id IN (SELECT user_id FROM role_assignments WHERE role = $1) ORDER BY display_name";
    all_roles() -> list RoleRow = "SELECT * FROM role_assignments ORDER BY user_id, role";
    /// The assignments of one role (e.g. the ISMs, a handful in a city).
    assignments_of(role: &str) -> list RoleRow = "SELECT * FROM role_assignments WHERE role = $1 ORDER BY user_id";
}
