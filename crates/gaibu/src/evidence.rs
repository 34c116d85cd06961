//! Evidence files (S3.2c): stored by content (SHA-256) behind a storage interface — the local
//! disk by default, with room for S3-compatible storage — and recorded with size, type, hash
//! and expiry. A file of the wrong type, or too large, is refused before anything is stored.

use crate::applications as apps;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_store::{EvidenceRow, StoredFile};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Where the bytes live. One variant today; an object-store one slots in beside it.
#[derive(Debug, Clone)]
pub enum EvidenceStorage {
    Local(PathBuf),
}

impl EvidenceStorage {
    fn path(dir: &std::path::Path, sha: &str) -> PathBuf {
        dir.join(&sha[..2.min(sha.len())]).join(sha)
    }

    /// Writes atomically (temporary file, then rename); storing the same content twice is a no-op.
    pub async fn put(&self, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            EvidenceStorage::Local(dir) => {
                let path = Self::path(dir, sha);
                if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                    return Ok(());
                }
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                let tmp = path.with_extension(format!("tmp-{}", &crate::auth::random_token()[..8]));
                tokio::fs::write(&tmp, bytes).await?;
                tokio::fs::rename(&tmp, &path).await
            }
        }
    }

    pub async fn get(&self, sha: &str) -> std::io::Result<Vec<u8>> {
        match self {
            EvidenceStorage::Local(dir) => tokio::fs::read(Self::path(dir, sha)).await,
        }
    }
}

pub fn storage(st: &AppState) -> EvidenceStorage {
    EvidenceStorage::Local(st.cfg.evidence_dir.clone())
}

/// An uploaded file with what the uploader said of it.
#[derive(Debug, Default)]
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
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
    if up.bytes.len() > st.cfg.max_upload_bytes {
        errs.push(FieldError::new("file", "file_too_large"));
    } else if let Err(code) =
        gaibu_domain::evidence::check_content(&up.content_type, &up.filename, &up.bytes)
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
        size_bytes: up.bytes.len() as i64,
        sha256: &kept.0,
        expires_on,
        note: up.note.trim(),
    }
}

/// Keeps the bytes (by their SHA-256); returns the hash, the cleaned file name and the type.
pub async fn store_upload(st: &AppState, up: &Upload) -> AppResult<(String, String, String)> {
    let sha = hex::encode(Sha256::digest(&up.bytes));
    storage(st)
        .put(&sha, &up.bytes)
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

/// Reads stored bytes back, checking them against their recorded hash.
pub async fn read_checked(st: &AppState, sha: &str) -> AppResult<Vec<u8>> {
    let bytes = storage(st)
        .get(sha)
        .await
        .map_err(|err| anyhow::anyhow!("evidence {sha} missing from storage: {err}"))?;
    if hex::encode(Sha256::digest(&bytes)) != sha {
        return Err(AppError::Internal(anyhow::anyhow!(
            "evidence {sha} does not match its hash"
        )));
    }
    Ok(bytes)
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
) -> AppResult<(EvidenceRow, Vec<u8>)> {
    let e = st
        .store
        .evidence(evidence_id)
        .await?
        .ok_or(AppError::NotFound)?;
    apps::get(st, u, e.application_id).await?;
    let bytes = read_checked(st, &e.sha256).await?;
    Ok((e, bytes))
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
pub async fn read_upload(mut mp: axum::extract::Multipart) -> AppResult<Upload> {
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
            up.bytes = match field.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large());
                }
                Err(_) => return Err(AppError::Refused(crate::error::ErrorCode::MalformedForm)),
            };
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
    if up.filename.is_empty() && up.bytes.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new("file", "required")]));
    }
    Ok(up)
}
