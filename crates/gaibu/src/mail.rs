//! E-mail for notifications over SMTP (lettre, rustls), in the recipient's language.
//!
//! Notifications queue their e-mail in the same transaction as the event (`email_outbox`); this
//! worker leases queued rows, sends them and records the result, so several instances can run
//! it side by side and a message survives a restart.

use crate::auth::random_token;
use crate::error::AppResult;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use gaibu_store::OutboxItem;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain, for a relay on a closed network), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://host:465`.
    pub smtp_url: String,
    pub from: String,
    /// The server's address as users reach it, for links in messages.
    pub public_url: String,
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    pub fn new(cfg: &MailConfig) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&cfg.smtp_url)
            .map_err(|e| anyhow::anyhow!("bad SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("bad sender address {:?}: {e}", cfg.from))?;
        Ok(Mailer {
            transport,
            from,
            public_url: cfg.public_url.trim_end_matches('/').to_string(),
        })
    }

    /// The message for one notification, in the recipient's language.
    pub fn render(&self, item: &OutboxItem) -> anyhow::Result<Message> {
        let t = Tr::new(Lang::parse(&item.lang).unwrap_or_default());
        let what = t.of("notification", &item.kind);
        let path = match (item.kind.as_str(), item.service_id, item.application_id) {
            ("designated" | "administrator_changed", Some(s), _) => format!("/services/{s}"),
            (k, Some(s), _) if k.starts_with("termination_") => {
                format!("/services/{s}/termination")
            }
            (_, _, Some(a)) => format!("/applications/{a}"),
            (_, Some(s), None) => format!("/services/{s}"),
            _ => "/".into(),
        };
        let body = format!(
            "{}\n\n{}: {}\n\n{}{}\n\n-- \n{}\n",
            t.mail_greeting().replace("{name}", &item.display_name),
            what,
            item.subject,
            self.public_url,
            path,
            t.mail_footer(),
        );
        let to: Mailbox = item
            .email
            .parse()
            .map_err(|e| anyhow::anyhow!("bad recipient {:?}: {e}", item.email))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("[{}] {}: {}", t.app_name(), what, item.subject))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| anyhow::anyhow!("cannot build message: {e}"))
    }
}

/// Sends what is queued; returns how many were sent.
pub async fn deliver_pending(st: &AppState, mailer: &Mailer, owner: &str) -> AppResult<usize> {
    let mut sent = 0;
    // One message per lease, so a slow relay never outlives a lease and no message goes twice.
    loop {
        let now = st.now();
        let lease = now
            .checked_add(jiff::SignedDuration::from_secs(120))
            .map_err(|e| anyhow::anyhow!(e))?;
        let Some(item) = st.store.claim_outbox(owner, now, lease, 1).await?.pop() else {
            break;
        };
        let result = match mailer.render(&item) {
            Ok(m) => mailer
                .transport
                .send(m)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(()) => {
                st.store.outbox_sent(item.id, owner, st.now()).await?;
                sent += 1;
            }
            Err(e) => {
                // Back off: 1, 2, 4, 8 … minutes.
                let wait = 60 * (1i64 << item.attempts.clamp(0, 6));
                let retry = st
                    .now()
                    .checked_add(jiff::SignedDuration::from_secs(wait))
                    .map_err(|e| anyhow::anyhow!(e))?;
                tracing::warn!(outbox = item.id, error = %e, "e-mail not sent; will retry");
                st.store.outbox_failed(item.id, owner, &e, retry).await?;
            }
        }
    }
    Ok(sent)
}

/// Runs the delivery loop in the background.
pub fn spawn_worker(st: AppState, mailer: Mailer, every: Duration) -> tokio::task::JoinHandle<()> {
    let owner = format!("worker-{}", &random_token()[..12]);
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_pending(&st, &mailer, &owner).await {
                tracing::warn!(error = %e, "e-mail delivery round failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
