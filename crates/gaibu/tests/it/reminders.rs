//! Reminders of what falls due, as the clock moves: each lead once, an overdue one once,
//! nothing for a retired service, and exactly once with two instances on one database.

use crate::flows::checked_class1;
use crate::harness::{TestApp, id_of, version_of};
use crate::mail::{delivered, start_smtp};
use gaibu::state::{AppState, Config};
use gaibu_domain::deadline::DeadlineKind;
use jiff::civil::Date;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

/// The app's store with its clock at nine in the morning (Tokyo) of `day`.
fn at(st: &AppState, day: Date) -> AppState {
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo").expect("Asia/Tokyo");
    let t = day
        .at(9, 0, 0, 0)
        .to_zoned(tz)
        .expect("a time in Tokyo")
        .timestamp();
    AppState::with_clock(st.store.clone(), Config::default(), Arc::new(move || t))
}

fn day(s: &str) -> Date {
    s.parse().expect("date")
}

/// A class-1 service of `im`, approved and in the ledger; its usage period ends 2027-03-31.
async fn service_in_the_ledger(app: &TestApp, name: &str) -> i64 {
    let im = app.api("im").await;
    let (id, a) = checked_class1(app, "im", name).await;
    let (s, r) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let svc = &r["service"];
    let sid = id_of(svc);
    let (s, r) = im.register(sid, version_of(svc), name, "2026-12-01").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    sid
}

/// The open deadline of the service's usage period.
async fn usage_end(st: &AppState, sid: i64) -> Option<gaibu_store::DeadlineRow> {
    let open = st
        .store
        .open_deadlines(day("2099-12-31"), 0, 10_000)
        .await
        .expect("deadlines");
    open.into_iter()
        .find(|d| d.kind == DeadlineKind::UsagePeriodEnd && d.subject_id == sid)
}

async fn sent(st: &AppState, deadline: i64) -> i64 {
    st.store.reminders_sent(deadline).await.expect("count")
}

async fn run_on(app: &TestApp, d: &str) {
    let st = at(&app.st, day(d));
    gaibu::reminders::run(&st, day(d)).await.expect("reminders");
}

pub async fn reminders_are_sent_once_as_the_clock_moves(app: &TestApp) {
    let sid = service_in_the_ledger(app, "期限通知の確認").await;
    let d = usage_end(&app.st, sid)
        .await
        .expect("the usage period is due");
    assert_eq!(d.due_on, day("2027-03-31"));
    assert_eq!(d.recipients, vec![app.user_id("im").await]);

    // Nothing before the first lead (30 days), then each lead once, then overdue once.
    for (on, expected) in [
        ("2027-02-01", 0),
        ("2027-03-02", 1),
        ("2027-03-02", 1),
        ("2027-03-20", 1),
        ("2027-03-25", 2),
        ("2027-03-31", 3),
        ("2027-04-01", 4),
        ("2027-04-30", 4),
    ] {
        run_on(app, on).await;
        assert_eq!(sent(&app.st, d.id).await, expected, "as of {on}");
    }

    // The administrator sees them, in their language, with what and when.
    let (s, n) = app.api("im").await.get("/notifications").await;
    assert_eq!(s, StatusCode::OK, "{n}");
    let mine: Vec<_> = n["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["service_id"] == sid)
        .collect();
    assert_eq!(mine.len(), 4, "{n}");
    assert!(mine.iter().any(|i| i["kind"] == "overdue"));
    assert!(
        mine.iter().all(|i| i["subject"].as_str().is_some_and(|s| s
            .contains("利用期間の終了: 期限通知の確認")
            && s.contains("2027年3月31日"))),
        "{mine:?}"
    );
    // Each reminder is in the audit trail.
    let history = app.history("service", sid).await;
    assert_eq!(
        history.iter().filter(|a| *a == "reminder.sent").count(),
        4,
        "{history:?}"
    );

    // Two instances on one database, racing on the same day: each reminder once.
    let sid = service_in_the_ledger(app, "二重送信の確認").await;
    let d = usage_end(&app.st, sid).await.expect("due");
    let second = gaibu::server::open(&app.db_url, Config::default())
        .await
        .expect("second instance");
    let mut runs = Vec::new();
    for i in 0..8 {
        let st = at(
            if i % 2 == 0 { &app.st } else { &second },
            day("2027-03-25"),
        );
        runs.push(tokio::spawn(async move {
            gaibu::reminders::run(&st, day("2027-03-25")).await
        }));
    }
    let mut total = 0;
    for r in runs {
        total += r.await.expect("join").expect("run");
    }
    assert_eq!(
        sent(&app.st, d.id).await,
        1,
        "one reminder for the 7-day lead"
    );
    assert!(total >= 1);

    // A retired service has nothing more due.
    let im = app.api("im").await;
    let (_, svc) = im.get(&format!("/services/{sid}")).await;
    let body = json!({"version": version_of(&svc), "retired_on": "2027-03-26", "reason": "終了"});
    let (s, r) = im.post(&format!("/services/{sid}/retire"), body).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(
        usage_end(&app.st, sid).await.is_none(),
        "closed on retirement"
    );
    run_on(app, "2027-04-02").await;
    assert_eq!(sent(&app.st, d.id).await, 1);
    second.store.close().await;
}

/// Two instances send reminders and deliver e-mail side by side: the SMTP server receives
/// each reminder once.
pub async fn reminder_email_goes_out_once_from_two_instances(app: &TestApp) {
    let smtp = start_smtp().await;
    let mailer = || {
        gaibu::mail::Mailer::new(&gaibu::mail::MailConfig {
            smtp_url: format!("smtp://127.0.0.1:{}", smtp.port),
            from: "gaibu@city.example.lg.jp".into(),
            public_url: "https://gaibu.city.example.lg.jp".into(),
        })
        .expect("mailer")
    };
    let sid = service_in_the_ledger(app, "メールの期限通知").await;
    let second = gaibu::server::open(&app.db_url, Config::default())
        .await
        .expect("second instance");
    for on in ["2027-03-02", "2027-03-25", "2027-04-01"] {
        let mut tasks = Vec::new();
        for (i, st) in [&app.st, &second, &app.st, &second].into_iter().enumerate() {
            let st = at(st, day(on));
            let m = mailer();
            tasks.push(tokio::spawn(async move {
                gaibu::reminders::run(&st, day(on)).await.expect("run");
                gaibu::mail::deliver_pending(&st, &m, &format!("instance-{i}"))
                    .await
                    .expect("deliver")
            }));
        }
        for t in tasks {
            t.await.expect("join");
        }
    }
    let mine: Vec<_> = delivered(smtp.dir.path())
        .into_iter()
        .filter(|m| m.1.contains("メールの期限通知"))
        .collect();
    assert_eq!(mine.len(), 3, "30 days, 7 days, overdue: {mine:?}");
    assert_eq!(
        mine.iter()
            .filter(|m| m.1.contains("期限を過ぎています"))
            .count(),
        1
    );
    assert!(mine.iter().all(|m| m.0.contains("im@city.example.lg.jp")));
    assert!(
        mine.iter().all(|m| m
            .2
            .contains(&format!("https://gaibu.city.example.lg.jp/services/{sid}"))),
        "{mine:?}"
    );
    second.store.close().await;
}
