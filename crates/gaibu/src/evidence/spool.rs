//! Uploads on their way in: written to a spool file as they arrive, hashed and sampled for the
//! type check on the way, never held whole in memory.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use gaibu_domain::FieldError;
use gaibu_domain::evidence::{Sample, Sampler};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// An upload's bytes, written to a temporary file as they arrive and hashed on the way, so
/// that no upload is ever held whole in memory; the file is removed when this is dropped
/// (unless storage took it).
#[derive(Debug, Default)]
pub struct Spooled {
    path: Option<tempfile::TempPath>,
    pub sha256: String,
    /// What the type check needs: first bytes, size, text or not.
    pub sample: Sample,
}

/// Where uploads are spooled: beside the evidence directory's files, so that keeping one
/// there is a rename. (A directory whose name starts with a dot is not one of the hash
/// groups.)
pub fn spool_dir(st: &AppState) -> PathBuf {
    st.cfg.evidence_dir.join(".incoming")
}

/// Writes bytes to a spool file as they come.
pub struct Spooler {
    file: tokio::fs::File,
    path: tempfile::TempPath,
    hasher: Sha256,
    sampler: Sampler,
    max: u64,
}

impl Spooler {
    pub async fn new(dir: &Path, max: usize) -> std::io::Result<Spooler> {
        tokio::fs::create_dir_all(dir).await?;
        let dir = dir.to_path_buf();
        let tmp = tokio::task::spawn_blocking(move || {
            tempfile::Builder::new().prefix("upload-").tempfile_in(dir)
        })
        .await
        .map_err(std::io::Error::other)??;
        let (file, path) = tmp.into_parts();
        Ok(Spooler {
            file: tokio::fs::File::from_std(file),
            path,
            hasher: Sha256::new(),
            sampler: Sampler::default(),
            max: max as u64,
        })
    }

    /// Adds a chunk; `Ok(false)` when the file has grown past the bound (nothing more is
    /// written, and the spool file goes when this is dropped).
    pub async fn push(&mut self, chunk: &[u8]) -> std::io::Result<bool> {
        use tokio::io::AsyncWriteExt;
        self.sampler.push(chunk);
        if self.sampler.size() > self.max {
            return Ok(false);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(true)
    }

    pub async fn finish(mut self) -> std::io::Result<Spooled> {
        use tokio::io::AsyncWriteExt;
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(Spooled {
            path: Some(self.path),
            sha256: hex::encode(self.hasher.finalize()),
            sample: self.sampler.finish(),
        })
    }
}

impl Spooled {
    /// Bytes at hand spooled like an upload (the seeder's files).
    pub async fn from_bytes(dir: &Path, bytes: &[u8]) -> std::io::Result<Spooled> {
        let mut s = Spooler::new(dir, usize::MAX).await?;
        s.push(bytes).await?;
        s.finish().await
    }

    pub fn size(&self) -> u64 {
        self.sample.size
    }

    /// The spooled bytes, for reading a chunk at a time.
    pub(super) async fn open(&self) -> std::io::Result<tokio::fs::File> {
        match &self.path {
            Some(p) => tokio::fs::File::open(p).await,
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no bytes were uploaded",
            )),
        }
    }
}

/// A multipart form's file field, spooled (see `Spooled`); a file over `max` bytes is refused
/// as soon as it is seen to be.
pub async fn spool_field(
    st: &AppState,
    mut field: axum::extract::multipart::Field<'_>,
) -> AppResult<Spooled> {
    let too_large = || AppError::Invalid(vec![FieldError::new("file", "file_too_large")]);
    let mut spool = Spooler::new(&spool_dir(st), st.cfg.max_upload_bytes)
        .await
        .map_err(|e| anyhow::anyhow!("evidence spool: {e}"))?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                let kept = spool
                    .push(&chunk)
                    .await
                    .map_err(|e| anyhow::anyhow!("evidence spool: {e}"))?;
                if !kept {
                    return Err(too_large());
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large());
            }
            Err(_) => return Err(AppError::Refused(crate::error::ErrorCode::MalformedForm)),
        }
    }
    Ok(spool
        .finish()
        .await
        .map_err(|e| anyhow::anyhow!("evidence spool: {e}"))?)
}
