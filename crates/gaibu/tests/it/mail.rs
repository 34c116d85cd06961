//! Notification e-mail through a real SMTP server (Python's aiosmtpd, started here on
//! loopback, writing a maildir); the delivered messages are read back and decoded. Ignored
//! without aiosmtpd unless `GAIBU_REQUIRE_SMTP=1` (see `needs.rs`).

use crate::flows::{prepared, submitted_and_approved};
use crate::harness::TestApp;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct SmtpServer {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts aiosmtpd (whose presence `needs.rs` checked) on a free port, writing a maildir.
pub(crate) async fn start_smtp() -> SmtpServer {
    let dir = tempfile::tempdir().expect("maildir");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("maildir");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    // Owned at once, so that it is killed and reaped whatever happens next.
    let server = SmtpServer { child, dir, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("aiosmtpd did not start on port {port}");
}

/// (to, decoded subject, decoded body) of every delivered message.
pub(crate) fn delivered(dir: &Path) -> Vec<(String, String, String)> {
    let files: Vec<PathBuf> = std::fs::read_dir(dir.join("new"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files
        .iter()
        .map(|f| {
            let out = Command::new("python3")
                .args([
                    "-c",
                    "import sys, email, email.policy\n\
                     m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\n\
                     print(m['To']); print(m['Subject']); print(m.get_content())",
                ])
                .arg(f)
                .output()
                .expect("parse message");
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let mut lines = text.lines();
            let to = lines.next().unwrap_or("").to_string();
            let subject = lines.next().unwrap_or("").to_string();
            (to, subject, lines.collect::<Vec<_>>().join("\n"))
        })
        .collect()
}

// clause: S3.4c, S5.2.1-3 — the applicant is notified of the result and the designation
pub async fn notification_email_reaches_the_applicant(app: &TestApp) {
    let smtp = start_smtp().await;
    let mailer = gaibu::mail::Mailer::new(&gaibu::mail::MailConfig {
        smtp_url: format!("smtp://127.0.0.1:{}", smtp.port),
        from: "gaibu@city.example.lg.jp".into(),
        public_url: "https://gaibu.city.example.lg.jp".into(),
    })
    .expect("mailer");
    // Whatever the demo queued goes first.
    gaibu::mail::deliver_pending(&app.st, &mailer, "test")
        .await
        .expect("deliver");
    for f in std::fs::read_dir(smtp.dir.path().join("new"))
        .expect("dir")
        .flatten()
    {
        std::fs::remove_file(f.path()).expect("clear");
    }

    let (id, v) = prepared(app, "im", "メール通知の確認").await;
    submitted_and_approved(app, "im", id, v).await;

    let sent = gaibu::mail::deliver_pending(&app.st, &mailer, "test")
        .await
        .expect("deliver");
    assert_eq!(
        sent, 3,
        "submitted (to the ISM), approved and designated (to the applicant)"
    );
    let mail = delivered(smtp.dir.path());
    assert_eq!(mail.len(), 3, "{mail:?}");
    let to_ism: Vec<_> = mail
        .iter()
        .filter(|m| m.0.contains("ism@city.example.lg.jp"))
        .collect();
    assert_eq!(to_ism.len(), 1);
    assert!(
        to_ism[0]
            .1
            .contains("審査依頼が届きました: メール通知の確認"),
        "{:?}",
        to_ism[0]
    );
    let to_im: Vec<_> = mail
        .iter()
        .filter(|m| m.0.contains("im@city.example.lg.jp"))
        .collect();
    assert_eq!(to_im.len(), 2);
    assert!(to_im.iter().any(|m| m.1.contains("申請が承認されました")));
    let designated = to_im
        .iter()
        .find(|m| m.1.contains("外部サービス管理者に指名されました"))
        .expect("designation mail");
    assert!(designated.2.contains("情報 太郎 様"), "{}", designated.2);
    assert!(
        designated
            .2
            .contains("https://gaibu.city.example.lg.jp/services/"),
        "{}",
        designated.2
    );
    // Nothing is sent twice.
    assert_eq!(
        gaibu::mail::deliver_pending(&app.st, &mailer, "test")
            .await
            .expect("deliver"),
        0
    );

    // An English-speaking recipient gets English.
    app.st
        .store
        .set_user_lang(
            &gaibu_store::Who::system(),
            app.user_id("ism").await,
            "en",
            app.st.now(),
        )
        .await
        .expect("lang");
    let (id, v) = prepared(app, "im", "English mail").await;
    let (_, _) = app.api("im").await.submit(id, v).await;
    gaibu::mail::deliver_pending(&app.st, &mailer, "test")
        .await
        .expect("deliver");
    let mail = delivered(smtp.dir.path());
    assert!(
        mail.iter()
            .any(|m| m.1.contains("Submitted for your review: English mail")),
        "{mail:?}"
    );
}
