//! `gaibu demo`: the server on a new embedded database seeded with the demo city, printing the
//! URL, the logins and the files to try (a city's ledger to import, an April rotation).

use super::{DEMO_PASSWORD, DEMO_USERS, ledger_file, rotation, seed};
use crate::state::Config;

#[allow(clippy::disallowed_methods)] // names a fresh directory
pub async fn run(
    listen: &str,
    mail: Option<crate::mail::MailConfig>,
    directory: Option<crate::directory::ldap::Connection>,
) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!(
        "gaibu-demo-{}",
        jiff::Timestamp::now().as_millisecond()
    ));
    let url = crate::server::database_url(None, &dir)?;
    let cfg = Config {
        evidence_dir: dir.join("evidence"),
        directory,
        ..Config::default()
    };
    let st = crate::server::open(&url, cfg).await?;
    seed(&st)
        .await
        .map_err(|e| anyhow::anyhow!("demo seed failed: {e}"))?;
    let ledger = ledger_file::write(&st, &dir)
        .await
        .map_err(|e| anyhow::anyhow!("demo ledger file: {e}"))?;
    let listener = crate::server::bind(listen).await?;
    let addr = listener.local_addr()?;
    println!("gaibu demo — 外部サービス管理（デモ）");
    println!("  URL:      http://{addr}/");
    println!("  database: {}", dir.join("gaibu.db").display());
    println!("  password for every demo user: {DEMO_PASSWORD}");
    println!("  logins:");
    let mut second = Vec::new();
    for (login, name, _, position, role, role_org) in DEMO_USERS {
        println!("    {login:<7} {role} @ {role_org}  ({name}, {position})");
        if let Some(u) = st.store.user_by_login(login).await?
            && let Some(t) = st.store.totp_of(u.id).await?
        {
            second.push((login, t.secret));
        }
    }
    println!("    contractor  a contractor's person (株式会社デモ窓口): their own sheets only");
    println!(
        "  two-factor sign-in (TOTP): add a secret to an authenticator app, or print the code now"
    );
    for (login, secret) in second {
        println!("    {login:<7} secret {secret}");
        println!(
            "            code:  gaibu user code --login {login} --data-dir {}",
            dir.display()
        );
    }
    println!(
        "  a city's existing ledger ({} services) to import as ism at http://{addr}/imports: {}",
        ledger_file::ROWS,
        ledger.display()
    );
    rotation::announce(&dir, addr, st.today())?;
    crate::server::serve(st, listener, mail).await
}
