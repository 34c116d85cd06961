//! Two-factor sign-in: users' TOTP secrets and recovery codes, and the sign-in challenges
//! between a password and a second factor (`gaibu::mfa` holds the rules and the codes).

use crate::write::Audit;
use crate::{Result, Store, StoreError, Who};
use gaibu_domain::audit::{Action, Entity};
use sqlx::Row;

/// A user's enrolled second factor.
#[derive(Debug, Clone)]
pub struct Totp {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub enrolled_at: jiff::Timestamp,
    /// The last time step whose code was accepted: a code is accepted once.
    pub last_step: i64,
}

/// What a sign-in challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The code of an enrolled user.
    Verify,
    /// The first code of a user enrolling `Challenge::secret`.
    Enrol,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Enrol => "enrol",
        }
    }
    fn parse(s: &str) -> Option<Purpose> {
        match s {
            "verify" => Some(Purpose::Verify),
            "enrol" => Some(Purpose::Enrol),
            _ => None,
        }
    }
}

/// The step between a password accepted and a session started.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub user_id: i64,
    pub purpose: Purpose,
    /// The secret offered for enrolment.
    pub secret: Option<String>,
    /// Where the user goes once signed in.
    pub next_path: String,
    /// Codes tried so far.
    pub attempts: i64,
}

impl Store {
    pub async fn totp_of(&self, user_id: i64) -> Result<Option<Totp>> {
        let row =
            sqlx::query("SELECT secret, enrolled_at, last_step FROM user_totp WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(Totp {
                secret: r.try_get("secret")?,
                enrolled_at: crate::codec::ts(&r, "enrolled_at")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    /// Enrols `secret` for a user whose first code was of `step`, with new recovery codes
    /// (hashed) in place of any before; audited.
    pub async fn enrol_totp(
        &self,
        who: &Who,
        user_id: i64,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO user_totp (user_id, secret, enrolled_at, last_step) VALUES ($1, $2, $3, $4)",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now.as_millisecond())
        .bind(step)
        .execute(w.conn())
        .await?;
        sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(w.conn())
            .await?;
        for h in recovery_hashes {
            sqlx::query("INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(h)
                .execute(w.conn())
                .await?;
        }
        let after = serde_json::json!({ "recovery_codes": recovery_hashes.len() }).to_string();
        w.audit(user_audit(Action::MfaEnrolled, user_id, Some(after)))
            .await?;
        w.commit().await
    }

    /// Removes a user's second factor and recovery codes (a System Administrator's reset after
    /// a lost device): they enrol again at their next sign-in. Audited; `NotFound` when the
    /// user has none.
    pub async fn reset_totp(&self, who: &Who, user_id: i64, now: jiff::Timestamp) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        let n = sqlx::query("DELETE FROM user_totp WHERE user_id = $1")
            .bind(user_id)
            .execute(w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(w.conn())
            .await?;
        w.audit(user_audit(Action::MfaReset, user_id, None)).await?;
        w.commit().await
    }

    /// Accepts a code of `step` once: true when no code of this step or a later one was
    /// accepted before (one statement, so two instances cannot both accept it).
    pub async fn use_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Uses up a recovery code (its hash): true when it was there unused.
    pub async fn use_recovery_code(
        &self,
        user_id: i64,
        code_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE totp_recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now.as_millisecond())
        .bind(user_id)
        .bind(code_hash)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Recovery codes a user has left.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?)
    }

    /// Starts a sign-in challenge (its token's hash), replacing any earlier one of the user's.
    pub async fn create_challenge(
        &self,
        token_hash: &str,
        c: &Challenge,
        expires: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_challenges WHERE user_id = $1 OR expires_at < $2")
            .bind(c.user_id)
            .bind(now.as_millisecond())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_challenges \
             (token_hash, user_id, purpose, secret, next_path, attempts, expires_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(token_hash)
        .bind(c.user_id)
        .bind(c.purpose.as_str())
        .bind(c.secret.as_deref())
        .bind(&c.next_path)
        .bind(expires.as_millisecond())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The challenge of a token, while it lasts, counting this attempt when `attempt`.
    pub async fn challenge(
        &self,
        token_hash: &str,
        attempt: bool,
        now: jiff::Timestamp,
    ) -> Result<Option<Challenge>> {
        if attempt {
            sqlx::query(
                "UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE token_hash = $1",
            )
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        }
        let row = sqlx::query(
            "SELECT user_id, purpose, secret, next_path, attempts FROM sign_in_challenges \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now.as_millisecond())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let purpose: String = r.try_get("purpose")?;
            Ok(Challenge {
                user_id: r.try_get("user_id")?,
                purpose: Purpose::parse(&purpose)
                    .ok_or_else(|| StoreError::Corrupt(format!("challenge purpose {purpose}")))?,
                secret: r.try_get("secret")?,
                next_path: r.try_get("next_path")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .transpose()
    }

    pub async fn delete_challenge(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn user_audit(action: Action, user_id: i64, after: Option<String>) -> Audit {
    Audit {
        action,
        entity: Entity::User,
        entity_id: Some(user_id),
        service_id: None,
        before: None,
        after,
    }
}
