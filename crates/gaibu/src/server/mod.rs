//! Starting the server: database, migrations, shipped policy, listener.

use crate::policies;
use crate::state::{AppState, Config};
use anyhow::Context;
use gaibu_store::Store;
use std::path::Path;
use tokio::net::TcpListener;

mod connections;
pub use connections::serve_connections;

/// `sqlite://<data-dir>/gaibu.db` unless a URL is given.
pub fn database_url(url: Option<&str>, data_dir: &Path) -> anyhow::Result<String> {
    if let Some(u) = url {
        return Ok(u.to_string());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    Ok(format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("gaibu.db").display()
    ))
}

/// Connects and migrates, nothing more (for maintenance commands such as `audit verify`).
pub async fn connect(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("cannot open database {}", redact(url)))?;
    store.migrate().await.context("migrations failed")?;
    if store.backend() == gaibu_store::Backend::Sqlite {
        let opts = store.sqlite_compile_options().await?;
        let memstatus = opts.iter().find(|o| o.starts_with("DEFAULT_MEMSTATUS="));
        tracing::debug!(?memstatus, "embedded SQLite");
    }
    Ok(store)
}

/// Connects, migrates, builds the search index of a database that has none yet (one migrated
/// from before it) and loads the shipped policy files (as pending versions).
pub async fn open(url: &str, cfg: Config) -> anyhow::Result<AppState> {
    let store = connect(url).await?;
    store
        .reindex_if_empty()
        .await
        .context("building the search index failed")?;
    let st = AppState::new(store, cfg);
    policies::load_builtin(&st)
        .await
        .map_err(|e| anyhow::anyhow!("loading shipped policy failed: {e}"))?;
    Ok(st)
}

/// Hides a password in a URL for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn bind(listen: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))
}

/// Serves until Ctrl-C or SIGTERM, sending reminders of what falls due, and notification
/// e-mail when SMTP is configured.
pub async fn serve(
    st: AppState,
    listener: TcpListener,
    mail: Option<crate::mail::MailConfig>,
) -> anyhow::Result<()> {
    if let Some(cfg) = mail {
        let mailer = crate::mail::Mailer::new(&cfg)?;
        crate::mail::spawn_worker(st.clone(), mailer, std::time::Duration::from_secs(5));
        tracing::info!(smtp = %redact(&cfg.smtp_url), "notification e-mail enabled");
    }
    // Every instance runs it: each reminder is claimed in the database, so none goes twice.
    crate::reminders::spawn(st.clone(), std::time::Duration::from_secs(300));
    spawn_search_upkeep(st.clone(), std::time::Duration::from_secs(300));
    let app = crate::web::router(st.clone());
    serve_connections(listener, app, st.cfg.header_timeout, shutdown()).await;
    st.store.close().await;
    Ok(())
}

/// Pages of the search index merged in one write: about 0.1 s of the writer's turn.
const MERGE_PAGES: u32 = 200;

/// Keeps SQLite's search index in few segments (`Store::merge_search_index`): every `every`,
/// merges in short writes until there is nothing left to merge, other writes going between.
fn spawn_search_upkeep(st: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            merge_search_index(&st.store).await;
        }
    });
}

/// Merges the search index's segments until none are left to merge (or a write fails).
pub async fn merge_search_index(store: &gaibu_store::Store) {
    loop {
        match store.merge_search_index(MERGE_PAGES).await {
            Ok(true) => tokio::task::yield_now().await,
            Ok(false) => break,
            Err(e) => {
                tracing::warn!(error = %e, "merging the search index failed");
                break;
            }
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact("sqlite:///x.db"), "sqlite:///x.db");
    }
}
