//! The demo's sample ledger (issue 11): 1,000 services of the ISM's units in an .xlsx file, as a
//! city's existing ledger might arrive, for the ISM to check and import at /imports.

use crate::error::AppResult;
use crate::state::AppState;
use std::path::{Path, PathBuf};

pub const ROWS: usize = 1000;

/// Writes the file into the demo's directory and answers its path.
pub async fn write(st: &AppState, dir: &Path) -> AppResult<PathBuf> {
    let ism = st
        .store
        .user_by_login("ism")
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let u = crate::auth::acting_as(st, ism.id).await?;
    let bytes =
        crate::import::sample::ledger_file(st, &u, ROWS, "移行サービス", st.today()).await?;
    let path = dir.join("既存台帳-1000件.xlsx");
    std::fs::write(&path, bytes).map_err(|e| crate::error::AppError::Internal(e.into()))?;
    Ok(path)
}
