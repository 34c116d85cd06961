//! Where evidence bytes live and how they come back: a directory or the database, content-
//! addressed by SHA-256, read a chunk at a time and checked against the hash on the way.

use super::Spooled;
use crate::state::{AppState, EvidenceStore};
use gaibu_store::{Backend, Store};
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

    /// Keeps spooled bytes under their hash; storing the same content twice is a no-op, and
    /// so is storing it from two places at once. Read and written a chunk at a time.
    pub async fn put(&self, data: &Spooled, now: jiff::Timestamp) -> std::io::Result<()> {
        let sha = data.sha256.as_str();
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
                let mut from = data.open().await?;
                let mut to = tokio::fs::File::create(&tmp).await?;
                tokio::io::copy(&mut from, &mut to).await?;
                to.sync_all().await?;
                tokio::fs::rename(&tmp, &path).await
            }
            EvidenceStorage::Database { store, .. } => {
                let mut from = data.open().await?;
                put_chunks(store, sha, &mut from, now).await
            }
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

/// Copies a file into the database a chunk at a time under its hash `sha`.
async fn put_chunks(
    store: &Store,
    sha: &str,
    from: &mut tokio::fs::File,
    now: jiff::Timestamp,
) -> std::io::Result<()> {
    let io = std::io::Error::other;
    if store.blob(sha).await.map_err(io)?.is_some() {
        return Ok(());
    }
    let mut buf = vec![0; gaibu_store::CHUNK_BYTES];
    let (mut seq, mut size) = (0_i64, 0_i64);
    loop {
        let mut n = 0;
        while n < buf.len() {
            match from.read(&mut buf[n..]).await? {
                0 => break,
                k => n += k,
            }
        }
        if n == 0 {
            break;
        }
        store
            .put_blob_chunk(sha, seq, &buf[..n])
            .await
            .map_err(io)?;
        seq += 1;
        size += n as i64;
        if n < buf.len() {
            break;
        }
    }
    store
        .finish_blob(sha, size, seq, now)
        .await
        .map(|_| ())
        .map_err(io)
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
        let spool = group.file_name().to_string_lossy().starts_with('.');
        if spool || !group.file_type().await?.is_dir() {
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
            // Hashed on one pass, copied on a second: neither holds the file whole.
            let mut file = tokio::fs::File::open(&path).await?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0; gaibu_store::CHUNK_BYTES];
            loop {
                match file.read(&mut buf).await? {
                    0 => break,
                    n => hasher.update(&buf[..n]),
                }
            }
            if hex::encode(hasher.finalize()) != sha {
                out.skipped.push(path);
                continue;
            }
            let mut file = tokio::fs::File::open(&path).await?;
            put_chunks(store, &sha, &mut file, now).await?;
            out.copied += 1;
        }
    }
    Ok(out)
}
