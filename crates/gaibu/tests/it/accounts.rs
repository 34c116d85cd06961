//! The life of gaibu's own accounts (issue 9): API tokens that expire, are listed and revoked
//! and die with a password change or deactivation; sessions that end when idle; passwords
//! changed by their owner under a rule that refuses known-weak ones; a bound on what one audit
//! event may hold.

use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A client of the API with `token`.
fn with_token(app: &TestApp, token: &str) -> crate::harness::Api {
    crate::harness::Api {
        http: reqwest::Client::new(),
        base: app.base.clone(),
        token: token.to_string(),
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// A token is made by its owner with a name and a lifetime within the maximum, works until it
/// expires or is revoked (then 401), is listed with its last use by its owner and by a
/// System Administrator, and nobody else may see or revoke it.
pub async fn api_tokens_expire_and_are_revoked(app: &TestApp) {
    let staff = app.api("staff").await;

    // A lifetime beyond the maximum, or none at all, is refused at the field.
    let (s, body) = staff
        .post(
            "/me/tokens",
            json!({"name": "script", "days": crate::harness::TEST_TOKEN_DAYS + 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("days"), "{body}");
    let (s, body) = staff
        .post("/me/tokens", json!({"name": "script", "days": 0}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (s, made) = staff
        .post("/me/tokens", json!({"name": "nightly export", "days": 2}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let secret = made["secret"].as_str().expect("secret").to_string();
    let id = made["token"]["id"].as_i64().expect("id");
    assert_eq!(made["token"]["state"], "live");
    let script = with_token(app, &secret);
    let (s, me) = script.get("/me").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["login"], "staff");

    // Listed by its owner with when it was last used, never with its secret.
    let (s, list) = staff.get("/me/tokens").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(ids(&list).contains(&id), "{list}");
    assert!(
        !list.to_string().contains(&secret),
        "the secret is never listed"
    );
    let listed = list["items"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == id).cloned())
        .expect("listed");
    assert!(listed["last_used_at"].is_string(), "{listed}");
    // Only its hash is kept.
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
        .bind(&secret)
        .fetch_one(app.st.store.pool())
        .await
        .expect("count");
    assert_eq!(kept, 0);

    // Another member of staff neither sees nor revokes it; a System Administrator does both.
    let staff_id = app.user_id("staff").await;
    let im = app.api("im").await;
    let (s, _) = im.get(&format!("/users/{staff_id}/tokens")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = im
        .post(&format!("/users/{staff_id}/tokens/{id}/revoke"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin = app.api("admin").await;
    let (s, list) = admin.get(&format!("/users/{staff_id}/tokens")).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(ids(&list).contains(&id));

    // It expires: two days on, it is refused.
    app.advance_days(3);
    assert_eq!(script.get("/me").await.0, StatusCode::UNAUTHORIZED);
    let (_, list) = staff.get("/me/tokens").await;
    let state = list["items"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == id))
        .map(|t| t["state"].clone());
    assert_eq!(state, Some(json!("expired")), "{list}");

    // Revoked by its owner: refused at once, and revoking again does nothing.
    let (_, made) = staff.post("/me/tokens", json!({"name": "second"})).await;
    let second = with_token(app, made["secret"].as_str().expect("secret"));
    let second_id = made["token"]["id"].as_i64().expect("id");
    assert_eq!(second.get("/me").await.0, StatusCode::OK);
    let (s, done) = staff
        .post(&format!("/me/tokens/{second_id}/revoke"), json!({}))
        .await;
    assert_eq!((s, done["done"].clone()), (StatusCode::OK, json!(true)));
    assert_eq!(second.get("/me").await.0, StatusCode::UNAUTHORIZED);
    let (_, done) = staff
        .post(&format!("/me/tokens/{second_id}/revoke"), json!({}))
        .await;
    assert_eq!(done["done"], json!(false));
    // Someone else's token id is not theirs to revoke.
    let (_, other) = im.post("/me/tokens", json!({"name": "im's"})).await;
    let other_id = other["token"]["id"].as_i64().expect("id");
    let (s, _) = staff
        .post(&format!("/me/tokens/{other_id}/revoke"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Revoked by a System Administrator.
    let (_, made) = staff.post("/me/tokens", json!({"name": "third"})).await;
    let third = with_token(app, made["secret"].as_str().expect("secret"));
    let third_id = made["token"]["id"].as_i64().expect("id");
    let (s, _) = admin
        .post(
            &format!("/users/{staff_id}/tokens/{third_id}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(third.get("/me").await.0, StatusCode::UNAUTHORIZED);

    // Every token made and revoked is in the audit trail.
    let revoked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'api_token.revoked' AND entity_id = $1",
    )
    .bind(staff_id)
    .fetch_one(app.st.store.pool())
    .await
    .expect("count");
    assert_eq!(revoked, 2);

    // At most 20 live tokens a user: the 21st is refused and nothing of it is kept.
    let mut refused = None;
    for i in 0..25 {
        let (s, body) = staff
            .post("/me/tokens", json!({"name": format!("t{i}")}))
            .await;
        if s != StatusCode::CREATED {
            refused = Some((s, body));
            break;
        }
    }
    let (s, body) = refused.expect("a limit");
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "too_many_tokens", "{body}");
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(staff_id)
    .bind(app.st.now().as_millisecond())
    .fetch_one(app.st.store.pool())
    .await
    .expect("count");
    assert_eq!(live, 20);
}

/// A session ends after it has been idle for the configured time (60 minutes by default), as
/// well as at its absolute end; being used keeps it alive.
pub async fn idle_sessions_end(app: &TestApp) {
    let b = app.browser("staff").await;
    assert_eq!(b.get("/api/v1/me").await.0, StatusCode::OK);
    // Used every 40 minutes: alive after two hours.
    for _ in 0..3 {
        app.advance_minutes(40);
        assert_eq!(b.get("/api/v1/me").await.0, StatusCode::OK);
    }
    // Then 61 minutes without a request: ended, and a page goes to the sign-in form.
    app.advance_minutes(61);
    assert_eq!(b.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (s, _) = b.get("/applications").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

/// A user changes their own password on their account page: the current one is checked, a
/// known-weak or mismatched new one is refused next to its field, and the change ends their
/// other sessions and revokes their API tokens, while this browser goes on signed in.
pub async fn users_change_their_own_password(app: &TestApp) {
    let mut b = app.browser("staff").await;
    let other = app.browser("staff").await;
    let staff = app.api("staff").await;
    let (s, page) = b.get("/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"password-form\""), "{page}");

    // Tokens from the page: made (shown once), listed, revoked.
    let (s, _, page) = b
        .post(
            "/account/tokens",
            &[("name", "集計スクリプト"), ("days", "9999")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("token-days-error"), "{page}");
    assert!(page.contains("集計スクリプト"), "the input is kept");
    let (s, _, page) = b
        .post(
            "/account/tokens",
            &[("name", "集計スクリプト"), ("days", "30")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"new-token\""), "{page}");
    let made: i64 = sqlx::query_scalar("SELECT MAX(id) FROM api_tokens WHERE name = $1")
        .bind("集計スクリプト")
        .fetch_one(app.st.store.pool())
        .await
        .expect("token");
    let (s, to, _) = b.post(&format!("/account/tokens/{made}/revoke"), &[]).await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/account?done=revoked")
    );
    let (_, page) = b.get(&to).await;
    assert!(page.contains("id=\"account-notice\""), "{page}");
    assert!(
        !page.contains(&format!("id=\"revoke-{made}\"")),
        "no longer live"
    );

    let strong = "Kq7!vT2m#pWz-asagao";
    let attempts = [
        // (current, new, confirm, the field refused)
        ("wrong-password", strong, strong, "current_password-error"),
        (
            gaibu::demo::DEMO_PASSWORD,
            "password123",
            "password123",
            "new_password-error",
        ),
        (
            gaibu::demo::DEMO_PASSWORD,
            "qwertyuiopasdf",
            "qwertyuiopasdf",
            "new_password-error",
        ),
        (
            gaibu::demo::DEMO_PASSWORD,
            strong,
            "something-else",
            "confirm_password-error",
        ),
    ];
    for (current, new, confirm, field) in attempts {
        let (s, _, page) = b
            .post(
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", confirm),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(page.contains(field), "{field}: {page}");
        assert!(page.contains("aria-invalid=\"true\""));
    }
    // Nothing changed yet.
    assert_eq!(other.get("/api/v1/me").await.0, StatusCode::OK);

    let (s, to, _) = b
        .post(
            "/account/password",
            &[
                ("current_password", gaibu::demo::DEMO_PASSWORD),
                ("new_password", strong),
                ("confirm_password", strong),
            ],
        )
        .await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/account?done=password")
    );
    // This browser goes on in a new session, with a new CSRF token; the others have ended.
    b.refresh_csrf().await;
    let (s, page) = b.get("/account?done=password").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"account-notice\""), "{page}");
    assert_eq!(other.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(staff.get("/me").await.0, StatusCode::UNAUTHORIZED);
    // The new password signs in; the old one does not.
    let _ = app.browser_with("staff", strong).await;
    let changed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'user.password_changed' AND entity_id = $1",
    )
    .bind(app.user_id("staff").await)
    .fetch_one(app.st.store.pool())
    .await
    .expect("count");
    assert_eq!(changed, 1);

    // A System Administrator's reset follows the same rule.
    let admin = app.api("admin").await;
    let reset = gaibu::credentials::reset_password(
        &app.st,
        &gaibu_store::Who::system(),
        app.user_id("im").await,
        "1234567890",
    )
    .await;
    assert!(
        matches!(reset, Err(gaibu::error::AppError::Invalid(_))),
        "{reset:?}"
    );
    let (s, body) = admin
        .post(
            "/users",
            json!({"login": "weak", "display_name": "弱 パス", "org_unit": "CITY", "password": "weakweak12"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("password_weak"), "{body}");
}

/// A System Administrator deactivates a leaver: their sessions and tokens end at once, they
/// cannot sign in, and their records and audit events stay. Nobody deactivates themselves.
pub async fn deactivated_users_are_shut_out_at_once(app: &TestApp) {
    let b = app.browser("staff").await;
    let staff = app.api("staff").await;
    let staff_id = app.user_id("staff").await;
    let events_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE actor_id = $1")
            .bind(staff_id)
            .fetch_one(app.st.store.pool())
            .await
            .expect("count");
    assert!(events_before > 0);

    let mut admin = app.browser("admin").await;
    admin.refresh_csrf().await;
    let (s, page) = admin.get(&format!("/admin/users/{staff_id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"deactivate\""), "{page}");
    let (s, to, _) = admin
        .post(&format!("/admin/users/{staff_id}/deactivate"), &[])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = admin.get(&to).await;
    assert!(page.contains("id=\"admin-notice\""), "{page}");
    assert!(page.contains("id=\"reactivate\""), "{page}");

    assert_eq!(b.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(staff.get("/me").await.0, StatusCode::UNAUTHORIZED);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = http
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::harness::form(&[
            ("login", "staff"),
            ("password", gaibu::demo::DEMO_PASSWORD),
        ]))
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Their trail stays, with the deactivation added.
    let events_after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE actor_id = $1")
            .bind(staff_id)
            .fetch_one(app.st.store.pool())
            .await
            .expect("count");
    assert!(events_after >= events_before);
    let deactivated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'user.deactivated' AND entity_id = $1",
    )
    .bind(staff_id)
    .fetch_one(app.st.store.pool())
    .await
    .expect("count");
    assert_eq!(deactivated, 1);

    // Reactivated, they sign in again; their old token stays revoked.
    let api = app.api("admin").await;
    let (s, _) = api
        .post(&format!("/users/{staff_id}/reactivate"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(staff.get("/me").await.0, StatusCode::UNAUTHORIZED);
    let _ = app.browser("staff").await;

    // Nobody deactivates themselves; nobody but a System Administrator deactivates anyone.
    let admin_id = app.user_id("admin").await;
    let (s, body) = api
        .post(&format!("/users/{admin_id}/deactivate"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "self_deactivation");
    let ism = app.api("ism").await;
    let (s, _) = ism
        .post(&format!("/users/{staff_id}/deactivate"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// One application cannot grow the audit trail without limit: too many or too long data
/// locations are refused at the field (a body over 1 MB is refused before, 413), nothing is written
/// (issue 9: 95 locations of 20,000 characters had written a 1.9 MB event), and the store
/// refuses any event over its bound whatever writes it.
pub async fn one_audit_event_is_bounded(app: &TestApp) {
    let staff = app.api("staff").await;
    let events = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events")
            .fetch_one(app.st.store.pool())
            .await
            .expect("count")
    };
    let before = events().await;
    let mut body = crate::harness::application_json("巨大な申請", "1");
    // 20 locations of 10,000 characters (600 KB, under the body limit): each too long.
    body["data_locations"] = json!(vec!["東".repeat(10_000); 20]);
    let (s, answer) = staff.post("/applications", body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("data_locations"), "{answer}");
    body["data_locations"] = json!(vec!["東京"; 21]);
    let (s, answer) = staff.post("/applications", body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.to_string().contains("data_locations"), "{answer}");
    body["data_locations"] = json!(["東".repeat(201)]);
    let (s, _) = staff.post("/applications", body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(events().await, before, "nothing was written");
    let largest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(LENGTH(COALESCE(before_json, '')) + LENGTH(COALESCE(after_json, ''))) FROM audit_events",
    )
    .fetch_one(app.st.store.pool())
    .await
    .expect("max");
    assert!(largest.unwrap_or(0) < 64 * 1024, "{largest:?}");

    let huge = "x".repeat(gaibu_store::MAX_EVENT_BYTES + 1);
    let refused = app
        .st
        .store
        .audit_alone(
            &gaibu_store::Who::system(),
            app.st.now(),
            gaibu_domain::audit::Action::AccessDenied,
            gaibu_domain::audit::Entity::Request,
            None,
            Some(huge),
        )
        .await;
    assert!(
        matches!(refused, Err(gaibu_store::StoreError::TooLarge { .. })),
        "{refused:?}"
    );
    assert_eq!(events().await, before, "nothing was written");
}
