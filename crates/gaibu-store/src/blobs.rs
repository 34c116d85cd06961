//! Evidence files' bytes in the database (issue 8), for every instance behind it to reach:
//! content-addressed by SHA-256, in chunks of `CHUNK_BYTES`, read back one chunk at a time.
//!
//! A file is stored chunk by chunk, each chunk its own statement, then its object row: the
//! object row says the file is whole, so a file half stored (a writer that died) is never seen.
//! Every insert leaves an existing row as it is (`ON CONFLICT DO NOTHING`, on both databases):
//! the same content stored again, or by two writers at once, changes nothing and fails nothing —
//! a chunk is named by the hash of the whole and its place, so whoever wrote it wrote the same
//! bytes.

use crate::{Result, Store};
use sqlx::Row;

/// The size of a stored chunk (the last one of a file may be shorter).
pub const CHUNK_BYTES: usize = 256 * 1024;

/// A file stored whole in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobObject {
    pub size_bytes: i64,
    pub chunk_count: i64,
    pub created_at: jiff::Timestamp,
}

impl Store {
    /// Stores `bytes` under their hash `sha256` (which the caller computed); `false` when the
    /// object was already whole, and nothing was written. (Uploads stream: `put_blob_chunk`
    /// then `finish_blob`.)
    pub async fn put_blob(&self, sha256: &str, bytes: &[u8], now: jiff::Timestamp) -> Result<bool> {
        if self.blob(sha256).await?.is_some() {
            return Ok(false);
        }
        let mut count: i64 = 0;
        for chunk in bytes.chunks(CHUNK_BYTES) {
            self.put_blob_chunk(sha256, count, chunk).await?;
            count += 1;
        }
        let size = i64::try_from(bytes.len())
            .map_err(|_| crate::StoreError::Corrupt(format!("{sha256}: too large")))?;
        self.finish_blob(sha256, size, count, now).await
    }

    /// Stores chunk `seq` (from 0) of the object `sha256`; a chunk stored already stays.
    pub async fn put_blob_chunk(&self, sha256: &str, seq: i64, bytes: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO evidence_chunks (sha256, seq, bytes) VALUES ($1, $2, $3) \
             ON CONFLICT (sha256, seq) DO NOTHING",
        )
        .bind(sha256)
        .bind(seq)
        .bind(bytes)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Says the object `sha256` is whole once its `count` chunks are stored; `false` when it
    /// was whole already.
    pub async fn finish_blob(
        &self,
        sha256: &str,
        size: i64,
        count: i64,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO evidence_objects (sha256, size_bytes, chunk_count, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256)
        .bind(size)
        .bind(count)
        .bind(now.as_millisecond())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The object stored whole under `sha256`, if any.
    pub async fn blob(&self, sha256: &str) -> Result<Option<BlobObject>> {
        let row = sqlx::query(
            "SELECT size_bytes, chunk_count, created_at FROM evidence_objects WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(BlobObject {
                size_bytes: r.try_get("size_bytes")?,
                chunk_count: r.try_get("chunk_count")?,
                created_at: crate::codec::ts(&r, "created_at")?,
            })
        })
        .transpose()
    }

    /// One chunk of an object (`seq` from 0), or `None` when there is no such chunk.
    pub async fn blob_chunk(&self, sha256: &str, seq: i64) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT bytes FROM evidence_chunks WHERE sha256 = $1 AND seq = $2")
            .bind(sha256)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>("bytes")).transpose()?)
    }
}
