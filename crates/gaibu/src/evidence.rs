//! Evidence files (S3.2c): stored by content (SHA-256) behind a storage interface — in the
//! database, where every instance reaches them (the default on PostgreSQL), or in a directory
//! (the default on SQLite) — and recorded with size, type, hash and expiry. A file of the wrong
//! type, or too large, is refused before anything is stored. A file is read back as a stream,
//! a chunk at a time, and checked against its hash on the way.

use crate::applications as apps;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::policies;
use crate::state::{AppState, EvidenceStore};
use gaibu_domain::FieldError;
use gaibu_store::{Backend, EvidenceRow, Store, StoredFile};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncReadExt;

/// Where the bytes live.
#[derive(Clone)]
pub enum EvidenceStorage {
    /// A directory, `<dir>/<first two hex digits>/<sha256>`.
    Local(PathBuf),
    /// The database's `evidence_chunks`; a file not there is read from `fallback`, the
    /// directory files were kept in before (until `gaibu evidence migrate` copies them in).
    Database { store: Store, fallback: PathBuf },
}

impl std::fmt::Debug for EvidenceStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvidenceStorage::Local(dir) => write!(f, "dir:{}", dir.display()),
            EvidenceStorage::Database { fallback, .. } => {
                write!(f, "database (then dir:{})", fallback.display())
            }
        }
    }
}

/// A stored file on its way out: its size and its bytes, as a stream that fails (rather than
/// ends) when the bytes are not those of the hash.
pub struct Content {
    pub size: u64,
    pub body: axum::body::Body,
}

/// Where the next chunk of a file comes from.
enum Source {
    File(tokio::fs::File),
    Database { store: Store, seq: i64, count: i64 },
}

impl Source {
    async fn next(&mut self, sha: &str) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            Source::File(file) => {
                let mut buf = vec![0; gaibu_store::CHUNK_BYTES];
                let mut n = 0;
                while n < buf.len() {
                    match file.read(&mut buf[n..]).await? {
                        0 => break,
                        got => n += got,
                    }
                }
                buf.truncate(n);
                Ok((n > 0).then_some(buf))
            }
            Source::Database { store, seq, count } => {
                if *seq >= *count {
                    return Ok(None);
                }
                let chunk = store
                    .blob_chunk(sha, *seq)
                    .await
                    .map_err(std::io::Error::other)?
                    .ok_or_else(|| {
                        std::io::Error::other(format!("evidence {sha}: chunk {seq} is missing"))
                    })?;
                *seq += 1;
                Ok(Some(chunk))
            }
        }
    }
}

/// What the stream of a file carries along: the source, the hash and size so far, and the
/// chunk held back until the next one is read. The last chunk goes out only once the whole
/// matches its hash, so a file whose bytes changed is never served whole: its stream breaks
/// off short of the announced length.
struct Reading {
    sha: String,
    size: u64,
    source: Source,
    hasher: Sha256,
    seen: u64,
    held: Option<Vec<u8>>,
    verified: bool,
}

impl Reading {
    async fn step(mut self) -> std::io::Result<Option<(Vec<u8>, Reading)>> {
        loop {
            match self.source.next(&self.sha).await? {
                Some(chunk) => {
                    self.hasher.update(&chunk);
                    self.seen += chunk.len() as u64;
                    if self.seen > self.size {
                        return Err(self.broken("is longer than recorded"));
                    }
                    if let Some(out) = self.held.replace(chunk) {
                        return Ok(Some((out, self)));
                    }
                }
                None => {
                    if !self.verified {
                        if self.seen != self.size {
                            return Err(self.broken("is shorter than recorded"));
                        }
                        if hex::encode(self.hasher.clone().finalize()) != self.sha {
                            return Err(self.broken("does not match its hash"));
                        }
                        self.verified = true;
                    }
                    return Ok(self.held.take().map(|last| (last, self)));
                }
            }
        }
    }

    fn broken(&self, what: &str) -> std::io::Error {
        tracing::error!(sha256 = %self.sha, "evidence {what}");
        std::io::Error::other(format!("evidence {} {what}", self.sha))
    }

    fn into_content(self) -> Content {
        let size = self.size;
        let stream = futures_util::stream::try_unfold(self, Reading::step);
        Content {
            size,
            body: axum::body::Body::from_stream(stream),
        }
    }
}

impl EvidenceStorage {
    fn path(dir: &Path, sha: &str) -> PathBuf {
        dir.join(&sha[..2.min(sha.len())]).join(sha)
    }

    /// Keeps `bytes` under their hash `sha`; storing the same content twice is a no-op, and
    /// so is storing it from two places at once.
    pub async fn put(&self, sha: &str, bytes: &[u8], now: jiff::Timestamp) -> std::io::Result<()> {
        match self {
            EvidenceStorage::Local(dir) => {
                // Atomically: a temporary file, then a rename.
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
            EvidenceStorage::Database { store, .. } => store
                .put_blob(sha, bytes, now)
                .await
                .map(|_| ())
                .map_err(std::io::Error::other),
        }
    }

    /// The file stored under `sha`, as a stream checked against the hash; `NotFound` when it
    /// is nowhere.
    pub async fn open(&self, sha: &str) -> std::io::Result<Content> {
        let (source, size) = match self {
            EvidenceStorage::Local(dir) => Self::open_file(dir, sha).await?,
            EvidenceStorage::Database { store, fallback } => {
                match store.blob(sha).await.map_err(std::io::Error::other)? {
                    Some(o) => (
                        Source::Database {
                            store: store.clone(),
                            seq: 0,
                            count: o.chunk_count,
                        },
                        u64::try_from(o.size_bytes).map_err(std::io::Error::other)?,
                    ),
                    None => Self::open_file(fallback, sha).await?,
                }
            }
        };
        Ok(Reading {
            sha: sha.to_string(),
            size,
            source,
            hasher: Sha256::new(),
            seen: 0,
            held: None,
            verified: false,
        }
        .into_content())
    }

    async fn open_file(dir: &Path, sha: &str) -> std::io::Result<(Source, u64)> {
        let file = tokio::fs::File::open(Self::path(dir, sha)).await?;
        let size = file.metadata().await?.len();
        Ok((Source::File(file), size))
    }

    /// Reads a whole file back (for tests and maintenance; downloads stream with `open`).
    pub async fn read_all(&self, sha: &str) -> std::io::Result<Vec<u8>> {
        let mut content = self.open(sha).await?;
        let mut out = Vec::with_capacity(usize::try_from(content.size).unwrap_or(0));
        let mut stream = std::mem::take(&mut content.body).into_data_stream();
        use futures_util::StreamExt;
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.map_err(std::io::Error::other)?);
        }
        Ok(out)
    }
}

/// The storage the settings choose: see `Config::evidence_store`.
pub fn storage(st: &AppState) -> EvidenceStorage {
    let database = || EvidenceStorage::Database {
        store: st.store.clone(),
        fallback: st.cfg.evidence_dir.clone(),
    };
    match &st.cfg.evidence_store {
        Some(EvidenceStore::Dir(dir)) => EvidenceStorage::Local(dir.clone()),
        Some(EvidenceStore::Database) => database(),
        None => match st.store.backend() {
            Backend::Postgres => database(),
            Backend::Sqlite => EvidenceStorage::Local(st.cfg.evidence_dir.clone()),
        },
    }
}

/// What `migrate_dir` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Files copied into the database.
    pub copied: usize,
    /// Files the database had already.
    pub present: usize,
    /// Files left where they are: not named by a hash, or not matching theirs (named).
    pub skipped: Vec<PathBuf>,
}

/// Copies the files of an evidence directory (`<dir>/<xx>/<sha256>`) into the database,
/// checking each against its name; copying again copies nothing.
pub async fn migrate_dir(
    store: &Store,
    dir: &Path,
    now: jiff::Timestamp,
) -> anyhow::Result<Migrated> {
    let mut out = Migrated::default();
    use anyhow::Context;
    let mut groups = tokio::fs::read_dir(dir)
        .await
        .with_context(|| format!("cannot read {}", dir.display()))?;
    while let Some(group) = groups.next_entry().await? {
        if !group.file_type().await?.is_dir() {
            continue;
        }
        let mut files = tokio::fs::read_dir(group.path()).await?;
        while let Some(f) = files.next_entry().await? {
            let path = f.path();
            let name = f.file_name().to_string_lossy().to_string();
            let hashed = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
            if !hashed || !f.file_type().await?.is_file() {
                out.skipped.push(path);
                continue;
            }
            let sha = name.to_ascii_lowercase();
            if store.blob(&sha).await?.is_some() {
                out.present += 1;
                continue;
            }
            let bytes = tokio::fs::read(&path).await?;
            if hex::encode(Sha256::digest(&bytes)) != sha {
                out.skipped.push(path);
                continue;
            }
            store.put_blob(&sha, &bytes, now).await?;
            out.copied += 1;
        }
    }
    Ok(out)
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
        .put(&sha, &up.bytes, st.now())
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
