//! Evidence files (S3.2c): stored by content (SHA-256) behind a storage interface — in the
//! database, where every instance reaches them (the default on PostgreSQL), or in a directory
//! (the default on SQLite) — and recorded with size, type, hash and expiry. A file of the wrong
//! type, or too large, is refused before anything is stored. A file is read back as a stream,
//! a chunk at a time, and checked against its hash on the way.

mod spool;
mod storage;

pub use spool::{Spooled, Spooler, spool_dir, spool_field};
pub use storage::{Content, EvidenceStorage, Migrated, migrate_dir, storage};

use crate::applications as apps;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_store::{EvidenceRow, StoredFile};

/// An uploaded file with what the uploader said of it.
#[derive(Debug, Default)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub data: Spooled,
    pub item_key: String,
    pub expires_on: String,
    pub note: String,
}

fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Checks size, type and expiry of an upload; returns the expiry date to record.
pub fn check_upload(
    st: &AppState,
    up: &Upload,
    errs: &mut Vec<FieldError>,
) -> Option<jiff::civil::Date> {
    if up.data.size() > st.cfg.max_upload_bytes as u64 {
        errs.push(FieldError::new("file", "file_too_large"));
    } else if let Err(code) =
        gaibu_domain::evidence::check_sample(&up.content_type, &up.filename, &up.data.sample)
    {
        errs.push(FieldError::new("file", code));
    }
    match up.expires_on.trim() {
        "" => None,
        d => match d.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(FieldError::new("expires_on", "invalid_date"));
                None
            }
        },
    }
}

/// What the store records of an upload once its bytes are kept: `kept` is (hash, file name,
/// type) as `store_upload` returns them.
pub fn record_of<'a>(
    up: &'a Upload,
    kept: &'a (String, String, String),
    expires_on: Option<jiff::civil::Date>,
) -> StoredFile<'a> {
    StoredFile {
        filename: &kept.1,
        content_type: &kept.2,
        size_bytes: i64::try_from(up.data.size()).unwrap_or(i64::MAX),
        sha256: &kept.0,
        expires_on,
        note: up.note.trim(),
    }
}

/// Keeps the bytes (by their SHA-256); returns the hash, the cleaned file name and the type.
pub async fn store_upload(st: &AppState, up: &Upload) -> AppResult<(String, String, String)> {
    let sha = up.data.sha256.clone();
    storage(st)
        .put(&up.data, st.now())
        .await
        .map_err(|e| anyhow::anyhow!("evidence storage: {e}"))?;
    let content_type = up
        .content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Ok((sha, clean_filename(&up.filename), content_type))
}

/// Opens stored bytes for reading; the stream fails if they do not match their recorded hash.
pub async fn read_checked(st: &AppState, sha: &str) -> AppResult<Content> {
    Ok(storage(st)
        .open(sha)
        .await
        .map_err(|err| anyhow::anyhow!("evidence {sha} missing from storage: {err}"))?)
}

/// S3.2c: attaches evidence to an application that can still change.
pub async fn add(st: &AppState, u: &CurrentUser, id: i64, up: Upload) -> AppResult<EvidenceRow> {
    let (row, _) = apps::editable(st, u, id, None, "evidence.add").await?;
    let mut errs = Vec::new();
    let expires_on = check_upload(st, &up, &mut errs);
    let item_key = up.item_key.trim();
    if !item_key.is_empty() {
        let known = match item_key.strip_prefix("evaluation.") {
            Some(f) => gaibu_domain::evaluation::FIELDS
                .iter()
                .any(|(x, _)| *x == f),
            None => policies::sheet_in_force(st, row.track)
                .await?
                .doc
                .item(item_key)
                .is_some(),
        };
        if !known {
            errs.push(FieldError::new("item_key", "unknown_item"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let kept = store_upload(st, &up).await?;
    Ok(st
        .store
        .add_evidence(
            &u.who(),
            id,
            item_key,
            &record_of(&up, &kept, expires_on),
            st.now(),
        )
        .await?)
}

/// A file and its bytes, for whoever may read its application.
pub async fn download(
    st: &AppState,
    u: &CurrentUser,
    evidence_id: i64,
) -> AppResult<(EvidenceRow, Content)> {
    let e = st
        .store
        .evidence(evidence_id)
        .await?
        .ok_or(AppError::NotFound)?;
    apps::get(st, u, e.application_id).await?;
    let content = read_checked(st, &e.sha256).await?;
    Ok((e, content))
}

pub async fn remove(st: &AppState, u: &CurrentUser, evidence_id: i64) -> AppResult<EvidenceRow> {
    let e = st
        .store
        .evidence(evidence_id)
        .await?
        .ok_or(AppError::NotFound)?;
    apps::editable(st, u, e.application_id, None, "evidence.remove").await?;
    st.store.remove_evidence(&u.who(), &e, st.now()).await?;
    Ok(e)
}

/// Reads a multipart upload form (file, item_key, expires_on, note).
pub async fn read_upload(st: &AppState, mut mp: axum::extract::Multipart) -> AppResult<Upload> {
    let mut up = Upload::default();
    let too_large = || AppError::Invalid(vec![FieldError::new("file", "file_too_large")]);
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large());
            }
            Err(_) => return Err(AppError::Refused(crate::error::ErrorCode::MalformedForm)),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            up.filename = field.file_name().unwrap_or("").to_string();
            up.content_type = field.content_type().unwrap_or("").to_string();
            up.data = spool_field(st, field).await?;
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::Refused(crate::error::ErrorCode::MalformedForm))?;
            crate::error::check_text(&text)?;
            match name.as_str() {
                "item_key" => up.item_key = text,
                "expires_on" => up.expires_on = text,
                "note" => up.note = text,
                _ => {}
            }
        }
    }
    if up.filename.is_empty() && up.data.size() == 0 {
        return Err(AppError::Invalid(vec![FieldError::new("file", "required")]));
    }
    Ok(up)
}
