//! The credentials of gaibu's own users: passwords (the rule for a new one, a change by its
//! owner, a reset by a System Administrator), API tokens (made, listed, revoked; they expire),
//! and deactivation of a leaver. Shared by the pages, the JSON API and `gaibu user …`.

use crate::audit_denial::refuse;
use crate::auth::{CurrentUser, hash_password, random_token, token_hash, verify_password};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;
use gaibu_domain::audit::Entity;
use gaibu_domain::role::Role;
use gaibu_domain::{FieldError, Refusal};
use gaibu_store::{ApiTokenRow, StoreError, Who};

pub const MIN_PASSWORD_CHARS: usize = 10;
/// The lowest zxcvbn score a new password must reach: 3 is "safely unguessable" for an online
/// attack throttled as sign-in is (about 10^8 guesses and more).
const MIN_PASSWORD_SCORE: u8 = 3;
/// The longest name a token may carry.
const MAX_TOKEN_NAME_CHARS: usize = 100;

/// The rule for a password a person chooses: long enough, and not one of those guessed early
/// (common passwords, words, keyboard runs, dates, and the person's own login and name: the
/// estimate of the zxcvbn crate). Answers the field error's code.
pub fn password_problem(password: &str, known: &[&str]) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some("password_too_short");
    }
    let mut words: Vec<&str> = known.iter().copied().filter(|w| !w.is_empty()).collect();
    words.extend(["gaibu", "city", "lg.jp"]);
    if u8::from(zxcvbn::zxcvbn(password, &words).score()) < MIN_PASSWORD_SCORE {
        return Some("password_weak");
    }
    None
}

/// A new password for `user_id` set by someone else (a System Administrator, the CLI): their
/// sessions end and their API tokens are revoked.
pub async fn reset_password(
    st: &AppState,
    who: &Who,
    user_id: i64,
    password: &str,
) -> AppResult<()> {
    let user = st.store.user(user_id).await?.ok_or(AppError::NotFound)?;
    if let Some(code) = password_problem(password, &[&user.login, &user.display_name]) {
        return Err(AppError::Invalid(vec![FieldError::new("password", code)]));
    }
    let hash = hash_password(password.to_string()).await?;
    Ok(st
        .store
        .set_password(who, user_id, &hash, false, st.now())
        .await?)
}

/// Sets the demo's published password, which no rule would accept: it is meant to be known.
pub(crate) async fn set_demo_password(
    st: &AppState,
    who: &Who,
    user_id: i64,
    password: &str,
) -> AppResult<()> {
    let hash = hash_password(password.to_string()).await?;
    Ok(st
        .store
        .set_password(who, user_id, &hash, false, st.now())
        .await?)
}

/// What a user types to change their own password.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    /// The new password again (the API may leave it empty).
    pub confirm_password: String,
}

/// A user changes their own password: the current one is checked, the new one must meet the
/// rule. Every session of theirs ends and every API token is revoked; the caller starts a new
/// session for the browser that asked.
pub async fn change_own_password(
    st: &AppState,
    u: &CurrentUser,
    input: &PasswordChange,
) -> AppResult<()> {
    let mut errs = Vec::new();
    let current_ok =
        verify_password(u.user.password_hash.clone(), input.current_password.clone()).await;
    if !current_ok {
        errs.push(FieldError::new("current_password", "wrong_password"));
    }
    let known = [u.user.login.as_str(), u.user.display_name.as_str()];
    if let Some(code) = password_problem(&input.new_password, &known) {
        errs.push(FieldError::new("new_password", code));
    } else if input.new_password == input.current_password {
        errs.push(FieldError::new("new_password", "password_unchanged"));
    }
    if !input.confirm_password.is_empty() && input.confirm_password != input.new_password {
        errs.push(FieldError::new("confirm_password", "password_mismatch"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let hash = hash_password(input.new_password.clone()).await?;
    Ok(st
        .store
        .set_password(&u.who(), u.user.id, &hash, true, st.now())
        .await?)
}

/// What a token is made with.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TokenInput {
    /// What the token is for (e.g. the script that uses it).
    pub name: String,
    /// Days it lives (default and maximum are the server's settings; empty: the default).
    pub days: Option<i64>,
}

/// Creates an API token for `user_id` (who must be the one asking: a token acts as its
/// holder). The token itself is shown once; only its hash is kept.
pub async fn create_api_token(
    st: &AppState,
    who: &Who,
    user_id: i64,
    input: &TokenInput,
) -> AppResult<(ApiTokenRow, String)> {
    let mut errs = Vec::new();
    let name = match input.name.trim() {
        "" => "api",
        n => n,
    };
    if name.chars().count() > MAX_TOKEN_NAME_CHARS {
        errs.push(FieldError::new("name", "too_long"));
    }
    let days = input.days.unwrap_or(st.cfg.token_days);
    if !(1..=st.cfg.token_max_days).contains(&days) {
        errs.push(FieldError::new("days", "token_lifetime"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = st.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(days * 24))
        .map_err(|e| anyhow::anyhow!(e))?;
    let token = format!("gaibu_{}", random_token());
    match st
        .store
        .create_api_token(who, user_id, name, &token_hash(&token), now, expires)
        .await
    {
        Ok(row) => Ok((row, token)),
        Err(StoreError::WrongState(s)) if s == "too_many_tokens" => {
            Err(AppError::Refused(ErrorCode::TooManyTokens))
        }
        Err(e) => Err(e.into()),
    }
}

/// Whose tokens `u` may see and revoke: their own, and a System Administrator anyone's.
async fn may_manage_tokens(st: &AppState, u: &CurrentUser, owner: i64) -> AppResult<()> {
    if owner == u.user.id || u.has_role(Role::SystemAdministrator) {
        return Ok(());
    }
    let r = Refusal::Forbidden(ErrorCode::SystemAdministratorRequired.as_str());
    Err(refuse(st, u, r, "api_token.manage", Entity::User, Some(owner)).await)
}

/// The newest tokens of `owner` (a bounded list: see `gaibu_store::credentials`).
pub async fn tokens_of(st: &AppState, u: &CurrentUser, owner: i64) -> AppResult<Vec<ApiTokenRow>> {
    may_manage_tokens(st, u, owner).await?;
    Ok(st.store.tokens_of(owner).await?)
}

/// Revokes a token of `owner`; answers false when it was revoked already.
pub async fn revoke_api_token(
    st: &AppState,
    u: &CurrentUser,
    owner: i64,
    token_id: i64,
) -> AppResult<bool> {
    may_manage_tokens(st, u, owner).await?;
    Ok(st
        .store
        .revoke_api_token(&u.who(), owner, token_id, st.now())
        .await?)
}

/// Deactivates (`active` false) or reactivates a user: a System Administrator's work, never on
/// themselves. Deactivation ends the user's sessions and tokens at once.
pub async fn set_active(st: &AppState, who: &Who, user_id: i64, active: bool) -> AppResult<()> {
    if who.user_id == Some(user_id) {
        return Err(AppError::Refused(ErrorCode::SelfDeactivation));
    }
    st.store.user(user_id).await?.ok_or(AppError::NotFound)?;
    Ok(st
        .store
        .set_user_active(who, user_id, active, st.now())
        .await?)
}

/// The state of a token as a page shows it.
pub fn token_state(t: &ApiTokenRow, now: jiff::Timestamp) -> &'static str {
    if t.revoked_at.is_some() {
        "revoked"
    } else if t.expires_at <= now {
        "expired"
    } else {
        "live"
    }
}

#[cfg(test)]
mod tests {
    use super::password_problem;

    #[test]
    fn known_weak_passwords_are_refused_beyond_their_length() {
        for weak in [
            "password123",
            "qwertyuiop",
            "1234567890",
            "iloveyou2026",
            "tanaka12345",
            "gaibu-demo",
        ] {
            assert_eq!(
                password_problem(weak, &["tanaka", "田中 太郎"]),
                Some("password_weak"),
                "{weak}"
            );
        }
        assert_eq!(password_problem("short", &[]), Some("password_too_short"));
        assert_eq!(password_problem("correct horse battery staple", &[]), None);
        assert_eq!(password_problem("Kq7!vT2m#pWz", &[]), None);
    }
}
