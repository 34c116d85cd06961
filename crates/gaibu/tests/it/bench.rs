//! `gaibu bench seed`: a small city has a service in every state, made through the real
//! operations (the audit chain holds), and the same seed makes the same city.

use crate::harness::{Db, TestApp};
use gaibu::bench::{BENCH_LOGIN, BENCH_PASSWORD, Options};
use reqwest::StatusCode;
use sqlx::Row;

/// (name, provider, ledger status, track) of every service, sorted: the city's content.
async fn content(app: &TestApp) -> Vec<(String, String, String, String)> {
    let rows = sqlx::query(
        "SELECT name, provider, COALESCE(ledger_status, 'unregistered') AS status, track \
         FROM services ORDER BY name",
    )
    .fetch_all(app.st.store.pool())
    .await
    .expect("services");
    rows.iter()
        .map(|r| {
            (
                r.get::<String, _>("name"),
                r.get::<String, _>("provider"),
                r.get::<String, _>("status"),
                r.get::<String, _>("track"),
            )
        })
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.st.store.pool())
        .await
        .expect(sql)
        .get::<i64, _>(0)
}

async fn fresh(demo_app: &TestApp) -> TestApp {
    let db = if demo_app.db_url.starts_with("sqlite") {
        Db::Sqlite
    } else {
        Db::Postgres
    };
    TestApp::spawn_with(db, false)
        .await
        .expect("a second database")
}

pub async fn bench_seed_makes_every_state(app: &TestApp) {
    let city = fresh(app).await;
    let opts = Options {
        services: 30,
        seed: 7,
        concurrency: 4,
        progress: false,
    };
    let seeded = gaibu::bench::seed(&city.st, &opts).await.expect("seed");
    assert_eq!(seeded.services, 30);
    let made = content(&city).await;
    assert_eq!(made.len(), 30, "{made:?}");
    for status in [
        "building",
        "in_operation",
        "suspended",
        "retired",
        "unregistered",
    ] {
        assert!(
            made.iter().any(|m| m.2 == status),
            "no service {status}: {made:?}"
        );
    }
    for track in ["class1", "class2plus"] {
        assert!(made.iter().any(|m| m.3 == track), "no {track}: {made:?}");
    }
    // The rest of the city: re-checks, corrective actions, terminations, accounts, evidence,
    // the usage register, applications waiting and drafts, users in every role.
    for (what, sql) in [
        ("re-checks", "SELECT COUNT(*) FROM rechecks"),
        (
            "open corrective actions",
            "SELECT COUNT(*) FROM corrective_actions WHERE state = 'open'",
        ),
        (
            "completed terminations",
            "SELECT COUNT(*) FROM terminations WHERE state = 'completed'",
        ),
        ("accounts", "SELECT COUNT(*) FROM accounts"),
        ("evidence", "SELECT COUNT(*) FROM evidence"),
        ("register entries", "SELECT COUNT(*) FROM usage_register"),
        (
            "applications waiting",
            "SELECT COUNT(*) FROM applications WHERE state = 'submitted'",
        ),
        (
            "drafts",
            "SELECT COUNT(*) FROM applications WHERE state = 'draft'",
        ),
        ("periodic checks", "SELECT COUNT(*) FROM periodic_checks"),
    ] {
        assert!(count(&city, sql).await > 0, "no {what}");
    }
    let roles = count(&city, "SELECT COUNT(DISTINCT role) FROM role_assignments").await;
    assert_eq!(roles, gaibu_domain::role::Role::ALL.len() as i64, "roles");
    // Made through the operations: every write audited, the chain intact.
    match city.st.store.verify_audit().await.expect("verify") {
        gaibu_store::VerifyOutcome::Intact { events, .. } => {
            assert!(
                events as u64 >= seeded.writes,
                "{events} < {}",
                seeded.writes
            )
        }
        gaibu_store::VerifyOutcome::Broken(e) => panic!("audit chain broken: {e}"),
    }
    // What the load script uses: the token on the API, the login on the pages.
    let http = reqwest::Client::new();
    let r = http
        .get(format!(
            "{}/api/v1/services/{}",
            city.base, seeded.sample_service
        ))
        .bearer_auth(&seeded.token)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), StatusCode::OK);
    let browser = city.browser_with(BENCH_LOGIN, BENCH_PASSWORD).await;
    let (s, _) = browser.get("/services").await;
    assert_eq!(s, StatusCode::OK);

    // The same seed makes the same city, however many tasks build it.
    let again = fresh(app).await;
    let one_by_one = Options {
        concurrency: 1,
        ..opts
    };
    gaibu::bench::seed(&again.st, &one_by_one)
        .await
        .expect("seed again");
    assert_eq!(content(&again).await, made);
    again.cleanup().await;
    city.cleanup().await;
}
