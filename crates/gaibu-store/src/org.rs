//! Organisation units, users, role assignments, sessions and API tokens.

use crate::audit::{Event, append};
use crate::{
    ApiTokenRow, OrgUnitRow, Result, RoleRow, Store, StoreError, UserRow, Who, map_unique, to_json,
};
use gaibu_domain::audit::{Action, Entity};
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

/// A signed-in session: whose it is and its CSRF token.
pub struct SessionRow {
    pub user_id: i64,
    pub csrf: String,
}

impl Store {
    pub async fn org_units(&self) -> Result<Vec<OrgUnitRow>> {
        Ok(sqlx::query_as(
            "SELECT id, parent_id, code, name_ja, name_en FROM org_units ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn org_unit_by_code(&self, code: &str) -> Result<Option<OrgUnitRow>> {
        Ok(sqlx::query_as(
            "SELECT id, parent_id, code, name_ja, name_en FROM org_units WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn create_org_unit(
        &self,
        who: &Who,
        u: &NewOrgUnit,
        now: jiff::Timestamp,
    ) -> Result<OrgUnitRow> {
        let mut tx = self.pool.begin().await?;
        let row: OrgUnitRow = sqlx::query_as(
            "INSERT INTO org_units (parent_id, code, name_ja, name_en, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id, parent_id, code, name_ja, name_en",
        )
        .bind(u.parent_id)
        .bind(&u.code)
        .bind(&u.name_ja)
        .bind(&u.name_en)
        .bind(now.as_millisecond())
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::OrgUnitCreated.as_str(),
                entity: Entity::OrgUnit.as_str(),
                entity_id: Some(row.id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        Ok(sqlx::query_as("SELECT * FROM users ORDER BY login")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn create_user(
        &self,
        who: &Who,
        u: &NewUser,
        now: jiff::Timestamp,
    ) -> Result<UserRow> {
        let mut tx = self.pool.begin().await?;
        let row: UserRow = sqlx::query_as(
            "INSERT INTO users (login, display_name, email, org_unit_id, position, lang, \
             password_hash, created_at, contractor_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING *",
        )
        .bind(&u.login)
        .bind(&u.display_name)
        .bind(&u.email)
        .bind(u.org_unit_id)
        .bind(&u.position)
        .bind(&u.lang)
        .bind(&u.password_hash)
        .bind(now.as_millisecond())
        .bind(u.contractor_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::UserCreated.as_str(),
                entity: Entity::User.as_str(),
                entity_id: Some(row.id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Sets a new password hash and ends the user's sessions.
    pub async fn set_password(
        &self,
        who: &Who,
        user_id: i64,
        hash: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n =
            sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2")
                .bind(hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::UserPasswordReset.as_str(),
                entity: Entity::User.as_str(),
                entity_id: Some(user_id),
                service_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_user_lang(
        &self,
        who: &Who,
        user_id: i64,
        lang: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET lang = $1, version = version + 1 WHERE id = $2")
            .bind(lang)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::UserLanguageChanged.as_str(),
                entity: Entity::User.as_str(),
                entity_id: Some(user_id),
                service_id: None,
                before: None,
                after: Some(serde_json::json!({ "lang": lang }).to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn roles_of(&self, user_id: i64) -> Result<Vec<RoleRow>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, role, org_unit_id FROM role_assignments WHERE user_id = $1 \
             ORDER BY role, org_unit_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn all_roles(&self) -> Result<Vec<RoleRow>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, role, org_unit_id FROM role_assignments ORDER BY user_id, role",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn assign_role(
        &self,
        who: &Who,
        user_id: i64,
        role: &str,
        org_unit_id: i64,
        now: jiff::Timestamp,
    ) -> Result<RoleRow> {
        let mut tx = self.pool.begin().await?;
        let row: RoleRow = sqlx::query_as(
            "INSERT INTO role_assignments (user_id, role, org_unit_id, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id, user_id, role, org_unit_id",
        )
        .bind(user_id)
        .bind(role)
        .bind(org_unit_id)
        .bind(now.as_millisecond())
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::RoleAssigned.as_str(),
                entity: Entity::User.as_str(),
                entity_id: Some(user_id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        now: jiff::Timestamp,
        expires: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(now.as_millisecond())
        .bind(expires.as_millisecond())
        .execute(&self.pool)
        .await?;
        // Expired sessions go as new ones come; no background sweeper is needed.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now.as_millisecond())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn session(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT s.user_id, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash)
        .bind(now.as_millisecond())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                user_id: r.try_get("user_id")?,
                csrf: r.try_get("csrf")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        who: &Who,
        user_id: i64,
        name: &str,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<ApiTokenRow> {
        let mut tx = self.pool.begin().await?;
        let row: ApiTokenRow = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, user_id, name, created_at, revoked_at",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now.as_millisecond())
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        append(
            &mut tx,
            who,
            now.as_millisecond(),
            Event {
                action: Action::ApiTokenCreated.as_str(),
                entity: Entity::User.as_str(),
                entity_id: Some(user_id),
                service_id: None,
                before: None,
                after: Some(to_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("user_id")).transpose()?)
    }
}
