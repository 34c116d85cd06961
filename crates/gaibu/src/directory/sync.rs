//! The dry run and the sync (see the module's head).

use super::ldap;
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use gaibu_domain::directory::{DirectorySettings, Plan, PlanError, plan};
use gaibu_store::Who;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Why there is no dry run or no sync.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server has no directory to read (`--ldap-url`).
    #[error("no directory is configured for this server")]
    NotConfigured,
    /// The System Administrator has not saved the settings (base DN …) yet.
    #[error("the directory's settings are not saved yet")]
    NoSettings,
    #[error(transparent)]
    Read(#[from] ldap::ReadError),
    /// The search found nobody: nothing is done rather than everyone made a leaver.
    #[error("the directory answered with no entries under the base DN")]
    Empty,
    /// The directory or gaibu changed since the dry run: what would be applied is not what
    /// was shown.
    #[error("the changes are no longer those of the dry run")]
    Changed,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<gaibu_store::StoreError> for SyncError {
    fn from(e: gaibu_store::StoreError) -> Self {
        SyncError::App(e.into())
    }
}

impl SyncError {
    /// The stable code, and the error as a response's (`App`: its own).
    pub fn app(self) -> (AppError, Option<String>) {
        let detail = match &self {
            SyncError::Read(e) => Some(e.to_string()),
            _ => None,
        };
        let code = match self {
            SyncError::NotConfigured => ErrorCode::DirectoryNotConfigured,
            SyncError::NoSettings => ErrorCode::DirectoryNoSettings,
            SyncError::Read(ldap::ReadError::Unreachable { .. }) => ErrorCode::DirectoryUnreachable,
            SyncError::Read(ldap::ReadError::BindRefused { .. }) => ErrorCode::DirectoryBindRefused,
            SyncError::Read(ldap::ReadError::SearchFailed { .. }) => {
                ErrorCode::DirectorySearchFailed
            }
            SyncError::Empty => ErrorCode::DirectoryEmpty,
            SyncError::Changed => ErrorCode::DirectoryChanged,
            SyncError::App(e) => return (e, None),
        };
        (AppError::Refused(code), detail)
    }
}

/// A dry run: the plan, the rotation its moves and leavers make (what each touches, or why
/// one cannot be made), and the plan's fingerprint, which the sync must find again.
#[derive(Debug, Clone)]
pub struct DryRun {
    pub settings: DirectorySettings,
    pub plan: Plan,
    pub rotation: crate::rotation::Preview,
    pub fingerprint: String,
}

impl DryRun {
    /// Whether the sync may go ahead: every move and leaver can be made.
    pub fn is_clean(&self) -> bool {
        self.rotation.is_clean()
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Synced {
    pub created: usize,
    pub updated: usize,
    pub moved: usize,
    pub deactivated: usize,
    /// The rotation's batch, when it had moves or leavers.
    pub rotation_batch: Option<i64>,
}

/// The server's connection and the saved settings, or why there is none.
async fn configured(st: &AppState) -> Result<(ldap::Connection, DirectorySettings), SyncError> {
    let conn = st.cfg.directory.clone().ok_or(SyncError::NotConfigured)?;
    let settings = st
        .store
        .directory_settings()
        .await?
        .ok_or(SyncError::NoSettings)?;
    Ok((conn, settings))
}

/// Reads the directory and plans the sync as `who` would run it. Writes nothing.
pub async fn dry_run(st: &AppState, who: &Who) -> Result<DryRun, SyncError> {
    let (conn, settings) = configured(st).await?;
    let (people, problems) = ldap::read(&conn, &settings).await?;
    let known = st.store.directory_known_users().await?;
    let units = crate::auth::org_units(st).await?;
    let codes: HashSet<String> = units.iter().map(|u| u.code.clone()).collect();
    let plan =
        plan(&settings, people, problems, &known, &codes, who.user_id).map_err(|e| match e {
            PlanError::Empty => SyncError::Empty,
        })?;
    let today = crate::rotation::city_date(st.now());
    let rotation = crate::rotation::preview(st, &plan.rotation_moves(today), today).await?;
    let fingerprint = fingerprint(&plan);
    Ok(DryRun {
        settings,
        plan,
        rotation,
        fingerprint,
    })
}

/// The plan's SHA-256 (its JSON): what a sync is confirmed against.
fn fingerprint(plan: &Plan) -> String {
    let json = serde_json::to_string(plan).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// Reads the directory again and applies its plan, if it is still `expect` (the dry run's
/// fingerprint; `None`: whatever it is now, as `gaibu directory sync` does after printing
/// it). A plan with nothing to change writes nothing.
pub async fn sync(st: &AppState, who: &Who, expect: Option<&str>) -> Result<Synced, SyncError> {
    let run = dry_run(st, who).await?;
    if expect.is_some_and(|e| e != run.fingerprint) {
        return Err(SyncError::Changed);
    }
    if !run.is_clean() {
        let errors = crate::rotation::index_errors(&run.rotation.plan);
        return Err(SyncError::App(AppError::Invalid(errors)));
    }
    let plan = &run.plan;
    if plan.is_empty() {
        return Ok(Synced::default());
    }
    let units = crate::auth::org_units(st).await?;
    let ids: HashMap<String, i64> = units.iter().map(|u| (u.code.clone(), u.id)).collect();
    // The rotation's writes of the dry run's own plan (made moments ago in this call), applied
    // in the same transaction as the new users: all of the sync, or nothing.
    let writes = crate::rotation::writes_of(&run.rotation);
    let batch = gaibu_store::NewBatch {
        source: "directory",
        ..Default::default()
    };
    let rotation = (!writes.is_empty()).then_some((&batch, writes.as_slice()));
    let logins = |v: &mut dyn Iterator<Item = &String>| v.cloned().collect::<Vec<_>>();
    let summary = serde_json::json!({
        "base_dn": run.settings.base_dn,
        "entries": plan.entries,
        "created": logins(&mut plan.creates.iter().map(|c| &c.login)),
        "updated": logins(&mut plan.updates.iter().map(|u| &u.login)),
        "moved": logins(&mut plan.moves.iter().map(|m| &m.login)),
        "left": logins(&mut plan.leavers.iter().map(|l| &l.login)),
        "unknown_units": plan.unknown_units.iter().map(|u| &u.value).collect::<Vec<_>>(),
        "problems": plan.problems.len(),
        "fingerprint": run.fingerprint,
    });
    let (_, rotated) = st
        .store
        .apply_directory_plan(who, st.now(), plan, &ids, rotation, summary)
        .await?;
    let rotation_batch = rotated.map(|r| r.batch_id);
    Ok(Synced {
        created: plan.creates.len(),
        updated: plan.updates.len(),
        moved: plan.moves.len(),
        deactivated: plan.leavers.len(),
        rotation_batch,
    })
}
