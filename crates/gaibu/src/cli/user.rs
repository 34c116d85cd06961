//! `gaibu user`: users of gaibu itself, their roles, passwords and API tokens.

use super::{DbArgs, app_err, operator};
use crate::people::{self, RoleInput, UserInput};
use crate::server;
use crate::state::{AppState, Config};
use clap::Subcommand;
use gaibu_store::UserRow;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user (prints a generated password unless --password is given)
    Create {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// Org unit code or id
        #[arg(long)]
        org_unit: String,
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long, default_value = "")]
        position: String,
        #[arg(long, default_value = "ja")]
        lang: String,
        #[arg(long, env = "GAIBU_NEW_PASSWORD", default_value = "")]
        password: String,
        /// Role to assign over the user's org unit (e.g. system_administrator)
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Assign a role over an org unit and its subtree
    Role {
        #[arg(long)]
        login: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        org_unit: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new password (ends the user's sessions)
    Password {
        #[arg(long)]
        login: String,
        #[arg(long, env = "GAIBU_NEW_PASSWORD")]
        password: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create an API token (shown once)
    Token {
        #[arg(long)]
        login: String,
        #[arg(long, default_value = "api")]
        name: String,
        /// Days it lives (default 90, at most 365)
        #[arg(long)]
        days: Option<i64>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List a user's API tokens (the newest 50), with when each expires and was last used
    Tokens {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke one of a user's API tokens
    RevokeToken {
        #[arg(long)]
        login: String,
        /// The token's id (see `gaibu user tokens`)
        #[arg(long)]
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Deactivate a user who has left: their sessions and API tokens end at once; their
    /// records and audit events stay
    Deactivate {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the TOTP code a user's authenticator app shows now (for the demo and the
    /// benchmark, whose privileged users come enrolled; reading the secret needs the database)
    Code {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove a user's second factor (a lost device): they enrol again at their next sign-in
    MfaReset {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Switch a user's password sign-in on or off (off: the city's identity provider only)
    PasswordLogin {
        #[arg(long)]
        login: String,
        /// `on` or `off`
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Reactivate a user (then set their password anew)
    Reactivate {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lift a user's sign-in lock (after too many wrong passwords; it also ends by itself)
    Unlock {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users and their roles
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The server's state on the database of `db` and the user named by `login` (or id).
async fn target(db: &DbArgs, login: &str) -> anyhow::Result<(AppState, UserRow)> {
    let st = server::open(&db.url()?, Config::default()).await?;
    let u = people::find_user(&st, login).await.map_err(app_err)?;
    Ok((st, u))
}

/// Deactivates (`active` false) or reactivates the user named by `login`.
async fn set_active(db: &DbArgs, login: &str, active: bool) -> anyhow::Result<i32> {
    let (st, u) = target(db, login).await?;
    crate::credentials::set_active(&st, &operator(), u.id, active)
        .await
        .map_err(app_err)?;
    match active {
        true => println!("{} reactivated: set their password anew", u.login),
        false => println!(
            "{} deactivated; their sessions and API tokens have ended",
            u.login
        ),
    }
    Ok(0)
}

pub(super) async fn user(cmd: UserCommand) -> anyhow::Result<i32> {
    match cmd {
        UserCommand::Create {
            login,
            name,
            org_unit,
            email,
            position,
            lang,
            password,
            role,
            db,
        } => {
            // Check the role first, so that a typo does not leave a user without it.
            if let Some(r) = &role
                && gaibu_domain::role::Role::parse(r).is_none()
            {
                let all = gaibu_domain::role::Role::ALL.map(|r| r.as_str()).join(", ");
                anyhow::bail!("unknown role {r:?}: one of {all}");
            }
            let st = server::open(&db.url()?, Config::default()).await?;
            let input = UserInput {
                login,
                display_name: name,
                email,
                org_unit: org_unit.clone(),
                position,
                lang,
                password,
            };
            let (u, generated) = people::create_user(&st, &operator(), &input)
                .await
                .map_err(app_err)?;
            println!("user {} created (id {})", u.login, u.id);
            if let Some(p) = generated {
                println!("password (shown once): {p}");
            }
            if let Some(role) = role {
                people::assign_role(
                    &st,
                    &operator(),
                    u.id,
                    &RoleInput {
                        role: role.clone(),
                        org_unit,
                    },
                )
                .await
                .map_err(app_err)?;
                println!("role {role} assigned");
            }
            Ok(0)
        }
        UserCommand::Role {
            login,
            role,
            org_unit,
            db,
        } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            let u = people::find_user(&st, &login).await.map_err(app_err)?;
            people::assign_role(
                &st,
                &operator(),
                u.id,
                &RoleInput {
                    role: role.clone(),
                    org_unit,
                },
            )
            .await
            .map_err(app_err)?;
            println!("role {role} assigned to {}", u.login);
            Ok(0)
        }
        UserCommand::Password {
            login,
            password,
            db,
        } => {
            let (st, u) = target(&db, &login).await?;
            crate::credentials::reset_password(&st, &operator(), u.id, &password)
                .await
                .map_err(app_err)?;
            println!(
                "password of {} reset; their sessions have ended and their API tokens are revoked",
                u.login
            );
            Ok(0)
        }
        UserCommand::Token {
            login,
            name,
            days,
            db,
        } => {
            let (st, u) = target(&db, &login).await?;
            let input = crate::credentials::TokenInput { name, days };
            let (row, token) = crate::credentials::create_api_token(&st, &operator(), u.id, &input)
                .await
                .map_err(app_err)?;
            eprintln!("token {} of {} expires {}", row.id, u.login, row.expires_at);
            println!("{token}");
            Ok(0)
        }
        UserCommand::Tokens { login, db } => {
            let (st, u) = target(&db, &login).await?;
            println!("id\tname\tstate\tcreated\texpires\tlast used");
            for t in st.store.tokens_of(u.id).await? {
                let state = crate::credentials::token_state(&t, st.now());
                let used = t.last_used_at.map(|t| t.to_string()).unwrap_or_default();
                println!(
                    "{}\t{}\t{state}\t{}\t{}\t{used}",
                    t.id, t.name, t.created_at, t.expires_at
                );
            }
            Ok(0)
        }
        UserCommand::RevokeToken { login, id, db } => {
            let (st, u) = target(&db, &login).await?;
            let revoked = st
                .store
                .revoke_api_token(&operator(), u.id, id, st.now())
                .await
                .map_err(|e| app_err(e.into()))?;
            match revoked {
                true => println!("token {id} of {} revoked", u.login),
                false => println!("token {id} of {} was revoked already", u.login),
            }
            Ok(0)
        }
        UserCommand::Deactivate { login, db } => set_active(&db, &login, false).await,
        UserCommand::Reactivate { login, db } => set_active(&db, &login, true).await,
        UserCommand::PasswordLogin { login, state, db } => {
            let (st, u) = target(&db, &login).await?;
            st.store
                .set_password_login(&operator(), u.id, state == "on", st.now())
                .await
                .map_err(|e| app_err(e.into()))?;
            println!("password sign-in of {}: {state}", u.login);
            Ok(0)
        }
        UserCommand::Code { login, db } => {
            let (st, u) = target(&db, &login).await?;
            let Some(t) = st.store.totp_of(u.id).await? else {
                anyhow::bail!("{} has no second factor", u.login);
            };
            let code = crate::mfa::code_at(&t.secret, st.now())
                .ok_or_else(|| anyhow::anyhow!("{}: the stored secret is not base32", u.login))?;
            println!("{code}");
            Ok(0)
        }
        UserCommand::MfaReset { login, db } => {
            let (st, u) = target(&db, &login).await?;
            st.store
                .reset_totp(&operator(), u.id, st.now())
                .await
                .map_err(|e| app_err(e.into()))?;
            println!(
                "second factor of {} removed: they enrol again at their next sign-in",
                u.login
            );
            Ok(0)
        }
        UserCommand::Unlock { login, db } => {
            let (st, u) = target(&db, &login).await?;
            let lifted = people::unlock_sign_in(&st, &operator(), u.id)
                .await
                .map_err(app_err)?;
            if lifted {
                println!("sign-in of {} unlocked", u.login);
            } else {
                println!("{} was not locked", u.login);
            }
            Ok(0)
        }
        UserCommand::List { db } => {
            let st = server::open(&db.url()?, Config::default()).await?;
            let roles = st.store.all_roles().await?;
            let units = st.store.org_units().await?;
            for u in st.store.users().await? {
                let rs: Vec<String> = roles
                    .iter()
                    .filter(|r| r.user_id == u.id)
                    .map(|r| {
                        let code = units
                            .iter()
                            .find(|x| x.id == r.org_unit_id)
                            .map(|x| x.code.as_str())
                            .unwrap_or("?");
                        format!("{}@{}", r.role.as_str(), code)
                    })
                    .collect();
                println!("{}\t{}\t{}", u.login, u.display_name, rs.join(" "));
            }
            Ok(0)
        }
    }
}
