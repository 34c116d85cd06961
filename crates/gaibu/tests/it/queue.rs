//! Issue 10: each role's home lists what waits for that person, oldest first; notices are
//! shown once and cleared by opening their record; the ISM's review keeps what was typed when
//! the decision is refused, with the error at its field and a summary linking to it.

use crate::flows::prepared;
use crate::harness::{TestApp, version_of};
use reqwest::StatusCode;
use serde_json::json;

/// The part of `page` inside the element with this id (to its section's end).
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    page.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or("")
}

// clause: S5.2.1-1 — a submitted class-2+ application waits for the ISM, on their home page,
// oldest first; clause: S3.4b — a returned one waits for its applicant.
pub async fn each_home_lists_what_waits_oldest_first(app: &TestApp) {
    let (older, v1) = prepared(app, "bsm", "先に出した申請").await;
    let (newer, v2) = prepared(app, "bsm", "後に出した申請").await;
    let bsm = app.api("bsm").await;
    let (s, b) = bsm.submit(older, v1).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.advance_minutes(5);
    let (s, b) = bsm.submit(newer, v2).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    let ism = app.browser("ism").await;
    let (_, home) = ism.get("/").await;
    let review = section(&home, "queue-review");
    let a = review
        .find(&format!("/applications/{older}/review"))
        .expect("the older one waits for review");
    let b = review
        .find(&format!("/applications/{newer}/review"))
        .expect("the newer one waits for review");
    assert!(a < b, "oldest first: {review}");

    // Returned with a reason: on the applicant's home, not on the ISM's any more.
    let (s, r) = app
        .api("ism")
        .await
        .decide(
            older,
            version_of(&current(app, older).await),
            "return",
            json!({"reason": "評価の記載が不足"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, home) = app.browser("bsm").await.get("/").await;
    let returned = section(&home, "queue-returned");
    assert!(
        returned.contains(&format!("href=\"/applications/{older}\"")),
        "{home}"
    );
    assert!(!returned.contains(&format!("/applications/{newer}\"")));
    let (_, home) = ism.get("/").await;
    assert!(!section(&home, "queue-review").contains(&format!("/applications/{older}/")));

    // A member of staff with nothing to do is told so.
    let (_, home) = app.browser("staff").await.get("/").await;
    assert!(home.contains("id=\"queue-empty\""), "{home}");
}

async fn current(app: &TestApp, id: i64) -> serde_json::Value {
    let (s, a) = app
        .api("ism")
        .await
        .get(&format!("/applications/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    a
}

/// How many notices of `user` about application `id` are unread.
async fn unread_about(app: &TestApp, user: i64, id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND application_id = $2 \
         AND read_at IS NULL",
    )
    .bind(user)
    .bind(id)
    .fetch_one(app.st.store.pool())
    .await
    .expect("count")
}

/// A resubmission replaces the unread notice of the first submission, and opening the
/// application reads what was said about it (the menu's count too).
pub async fn notices_are_shown_once_and_read_by_opening(app: &TestApp) {
    let (id, v) = prepared(app, "bsm", "通知を一度だけ").await;
    let bsm = app.api("bsm").await;
    let (_, a) = bsm.submit(id, v).await;
    let ism_api = app.api("ism").await;
    let (s, r) = ism_api
        .decide(id, version_of(&a), "return", json!({"reason": "再確認"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, a) = bsm.get(&format!("/applications/{id}")).await;
    let (s, a) = bsm.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");

    let ism_id = app.user_id("ism").await;
    let unread = unread_about(app, ism_id, id).await;
    assert_eq!(unread, 1, "one notice of the submission, not one per round");

    let ism = app.browser("ism").await;
    let (_, before) = ism.get("/notifications").await;
    let (s, page) = ism.get(&format!("/applications/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let count = |html: &str| {
        html.split("id=\"unread-count\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0)
    };
    assert_eq!(count(&page), count(&before) - 1, "the menu counts it read");
    let unread = unread_about(app, ism_id, id).await;
    assert_eq!(unread, 0);
}

// clause: S3.4b — the ISM returns with reasons: a return without one is refused, and the
// form comes back with every comment and the decision as typed.
pub async fn a_refused_review_keeps_what_was_typed(app: &TestApp) {
    let (id, v) = prepared(app, "bsm", "入力を保持する審査").await;
    let (_, a) = app.api("bsm").await.submit(id, v).await;
    let version = version_of(&a).to_string();
    let ism = app.browser("ism").await;
    let (_, page) = ism.get(&format!("/applications/{id}/review")).await;
    // Each comment field is named after its item; none shares a name.
    let labels: Vec<&str> = page
        .split("aria-label=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|l| l.contains("申請者へのコメント"))
        .collect();
    let mut distinct = labels.clone();
    distinct.sort();
    distinct.dedup();
    assert!(labels.len() > 5, "{labels:?}");
    assert_eq!(labels.len(), distinct.len(), "{labels:?}");
    assert!(page.contains("<legend>"), "the decision is a named group");

    let (s, _, page) = ism
        .post(
            &format!("/applications/{id}/decision"),
            &[
                ("version", version.as_str()),
                ("comment.evaluation.sla", "RTOを明記してください"),
                ("decision", "return"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("value=\"RTOを明記してください\""), "{page}");
    assert!(
        page.contains("value=\"return\" checked"),
        "the decision stays chosen"
    );
    // The error is at the reason, and the summary at the top links there.
    assert!(page.contains("id=\"reason-error\""), "{page}");
    assert!(page.contains("aria-describedby=\"reason-error\""), "{page}");
    let summary = page
        .split("id=\"form-errors\"")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("a summary");
    assert!(summary.contains("href=\"#reason\""), "{summary}");
    assert!(page.contains("role=\"alert\""));
    // Each decision asks its own confirmation, after the browser's checks.
    assert!(page.contains("data-requires=\"reason\""));
    assert_eq!(page.matches("data-confirm=").count(), 3, "{page}");
}

// clause: S5.2.2-1 — the Information Manager approves a class-1 service once its sheet is met:
// the approval is offered only then, so nothing is confirmed before it is checked.
pub async fn approval_is_offered_once_the_sheet_is_met(app: &TestApp) {
    let im = app.api("im").await;
    let (s, a) = im.create_application("未回答の申請", "1").await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let open = crate::harness::id_of(&a);
    let (ready, _) = crate::flows::checked_class1(app, "im", "回答済みの申請").await;
    let b = app.browser("im").await;
    let (_, page) = b.get(&format!("/applications/{open}")).await;
    assert!(page.contains("id=\"sheet-problems\""), "{page}");
    assert!(!page.contains("id=\"approve\""), "{page}");
    let (_, page) = b.get(&format!("/applications/{ready}")).await;
    assert!(page.contains("id=\"sheet-ready\""), "{page}");
    assert!(page.contains("id=\"approve\""), "{page}");
    assert!(page.contains("data-confirm="), "{page}");
}
