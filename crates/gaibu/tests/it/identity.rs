//! The per-request path: who is asking is read in one query, and what an instance caches (the
//! org tree, parsed policies) never outlives a change made through another instance.

use crate::harness::{TestApp, application_json, id_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An API client of `login` on the instance at `base`.
async fn api_on(app: &TestApp, login: &str, base: &str) -> crate::harness::Api {
    let mut api = app.api(login).await;
    api.base = base.to_string();
    api
}

fn for_unit(name: &str, org_unit: i64) -> Value {
    let mut body = application_json(name, "1");
    body["org_unit"] = json!(org_unit.to_string());
    body
}

fn roles_of(me: &Value) -> Vec<(String, i64)> {
    me["roles"]
        .as_array()
        .map(|roles| {
            roles
                .iter()
                .map(|r| {
                    let role = r["role"].as_str().unwrap_or_default().to_string();
                    (role, r["org_unit_id"].as_i64().unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn changes_through_one_instance_are_seen_by_another(app: &TestApp) {
    let second = app.second_instance().await;
    let admin = app.api("admin").await; // instance A
    let im = api_on(app, "im", &second).await; // instance B
    let ict = app
        .st
        .store
        .org_unit_by_code("GA-ICT")
        .await
        .expect("db")
        .expect("GA-ICT")
        .id;

    // B reads the org tree (and caches it) and refuses what im may not do.
    let (s, body) = im.post("/applications", for_unit("権限前", ict)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");

    // A role granted through A counts on B's next request.
    let im_id = app.user_id("im").await;
    let (s, body) = admin
        .post(
            &format!("/users/{im_id}/roles"),
            json!({"role": "staff", "org_unit": "GA-ICT"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, me) = im.get("/me").await;
    assert_eq!(s, StatusCode::OK);
    assert!(roles_of(&me).contains(&("staff".into(), ict)), "{me}");
    let (s, body) = im.post("/applications", for_unit("権限後", ict)).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    // An org unit added through A is in B's tree on B's next request.
    let (s, unit) = admin
        .post(
            "/org-units",
            json!({"parent": "CIT-REG", "code": "CIT-REG-NEW", "name_ja": "新しい係",
                   "name_en": "New Unit"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{unit}");
    let (s, body) = im
        .post("/applications", for_unit("新しい係の申請", id_of(&unit)))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["org_unit_id"], unit["id"], "{body}");
}

pub async fn ended_sessions_are_refused_at_once(app: &TestApp) {
    let second = app.second_instance().await;
    // The cookie store sends the session to both instances (same host, other port).
    let b = app.browser("im").await;
    let on_b = |b: &crate::harness::Browser| b.http.get(format!("{second}/api/v1/me")).send();
    assert_eq!(on_b(&b).await.expect("send").status(), StatusCode::OK);
    // Signed out through A: B refuses the cookie on the very next request.
    let (s, _, _) = b.post("/logout", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        on_b(&b).await.expect("send").status(),
        StatusCode::UNAUTHORIZED
    );

    // A password reset ends every session of the user, on every instance at once.
    let b = app.browser("ism").await;
    assert_eq!(on_b(&b).await.expect("send").status(), StatusCode::OK);
    let ism = app.user_id("ism").await;
    gaibu::credentials::reset_password(
        &app.st,
        &gaibu_store::Who::system(),
        ism,
        "a-new-password-long-enough",
    )
    .await
    .expect("reset");
    assert_eq!(
        on_b(&b).await.expect("send").status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Connections the instance's pool handed out while `f` ran: its round trips to the database.
async fn queries<F: std::future::Future<Output = StatusCode>>(app: &TestApp, f: F) -> u64 {
    let before = app.st.store.connections_acquired();
    assert_eq!(f.await, StatusCode::OK);
    app.st.store.connections_acquired() - before
}

pub async fn a_request_reads_who_is_asking_in_one_query(app: &TestApp) {
    let b = app.browser("im").await;
    let me = || async { b.get("/api/v1/me").await.0 };
    // Who is asking — user, roles, unread count, org tree version — is one query.
    assert_eq!(queries(app, me()).await, 1);
    let api = app.api("im").await;
    // A token's first use marks it used (a write at most once a minute); then one query.
    assert_eq!(api.get("/me").await.0, StatusCode::OK);
    assert_eq!(queries(app, async { api.get("/me").await.0 }).await, 1);

    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM services")
        .fetch_one(app.st.store.pool())
        .await
        .expect("a demo service");
    let page = || async { b.get(&format!("/services/{id}")).await.0 };
    let first = queries(app, page()).await;
    let again = queries(app, page()).await;
    let home = queries(app, async { b.get("/").await.0 }).await;
    let app_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM applications")
        .fetch_one(app.st.store.pool())
        .await
        .expect("a demo application");
    let application = queries(app, async {
        b.get(&format!("/applications/{app_id}")).await.0
    })
    .await;
    println!(
        "queries per request: /api/v1/me 1, /services/{id} {first} then {again}, / {home}, \
         /applications/{app_id} {application}"
    );
    // Who is asking (1), the service, its accounts, its history, the names it shows (1), its
    // open flag of the ISMAP cross-check while in use (1); while the user has unread notices,
    // marking those about this service read (1).
    assert!(again <= 7, "service page: {again} queries");

    // The org tree is read once per version: a new unit makes the next request read it.
    // (An application's page judges who may do what over the tree; lists filter in SQL.)
    let one = format!("/applications/{app_id}");
    let before = queries(app, async { api.get(&one).await.0 }).await;
    let admin = app.api("admin").await;
    let (s, body) = admin
        .post(
            "/org-units",
            json!({"parent": "CIT", "code": "CIT-COUNT", "name_ja": "係", "name_en": "Unit"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let after = queries(app, async { api.get(&one).await.0 }).await;
    assert_eq!(after, before + 1, "the tree is read again once");
    let settled = queries(app, async { api.get(&one).await.0 }).await;
    assert_eq!(settled, before);
}

// clause: S1.3 — a version approved through one instance is in force on every instance at once
pub async fn policy_approved_on_one_instance_is_in_force_on_another(app: &TestApp) {
    let second = app.second_instance().await;
    let im = api_on(app, "im", &second).await; // instance B
    // B parses the scheme in force and keeps the parse.
    let (s, old) = im
        .post("/applications", application_json("旧区分", "1"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{old}");
    let old_scheme = old["classification_policy_id"].as_i64().expect("scheme id");

    // The CISO loads and approves the five-level scheme through A.
    let ciso = app.browser("ciso").await;
    let five = include_str!("../../../../policy/classification/five-level.toml");
    let (s, loc, body) = ciso.post("/policies", &[("content", five)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let pid: i64 = loc
        .trim_start_matches("/policies/")
        .parse()
        .expect("policy id");
    let (s, _) = app
        .api("ciso")
        .await
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);

    // B's next application is judged under it.
    let (s, new) = im
        .post("/applications", application_json("新区分", "3A"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    assert_eq!(new["classification_policy_id"].as_i64(), Some(pid));
    assert_ne!(Some(old_scheme), Some(pid));

    // What a version says never changes (the cache relies on it); its status does.
    let pool = app.st.store.pool();
    let changed = sqlx::query("UPDATE policy_versions SET content = 'x' WHERE id = $1")
        .bind(pid)
        .execute(pool)
        .await;
    assert!(changed.is_err(), "a policy's text was changed");
    sqlx::query("UPDATE policy_versions SET status = status WHERE id = $1")
        .bind(pid)
        .execute(pool)
        .await
        .expect("the status may move");
}

/// Every answer carries the headers a browser needs to keep a city's records out of caches
/// and features it does not use; assets alone may be cached. HSTS only behind TLS (the
/// test server runs without `--secure-cookies`).
pub async fn responses_carry_the_security_headers(app: &TestApp) {
    let b = app.browser("im").await;
    let api = app.api("im").await;
    let http = reqwest::Client::new();
    let answers = [
        b.http
            .get(format!("{}/services", app.base))
            .send()
            .await
            .expect("page"),
        http.get(format!("{}/api/v1/me", app.base))
            .bearer_auth(&api.token)
            .send()
            .await
            .expect("api"),
        http.get(format!("{}/login", app.base))
            .send()
            .await
            .expect("login page"),
    ];
    for res in &answers {
        let h = res.headers();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.url());
        assert_eq!(h["cache-control"], "no-store", "{}", res.url());
        let pp = h["permissions-policy"].to_str().expect("ascii");
        assert!(
            pp.contains("camera=()") && pp.contains("geolocation=()"),
            "{pp}"
        );
        assert!(h.get("content-security-policy").is_some(), "{}", res.url());
        assert!(
            h.get("strict-transport-security").is_none(),
            "{}",
            res.url()
        );
    }
    let css = http
        .get(format!("{}/assets/style.css", app.base))
        .send()
        .await
        .expect("asset");
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
}

/// The System Administrator (gaibu's own role, not the standard's) manages users and org
/// units only: whatever their unit — the demo's is the whole city — every business request is
/// refused and the refusal audited (separation of duties, issue 9).
pub async fn a_system_administrator_takes_no_business_action(app: &TestApp) {
    let admin = app.api("admin").await;
    let denied = || async {
        let sql = "SELECT COUNT(*) FROM audit_events WHERE action = $1 AND after_json LIKE $2";
        let n: i64 = sqlx::query_scalar(sql)
            .bind(gaibu_domain::audit::Action::AccessDenied.as_str())
            .bind("%not_for_system_administrator%")
            .fetch_one(app.st.store.pool())
            .await
            .expect("count");
        n
    };
    let before = denied().await;
    let (s, body) = admin
        .post("/applications", application_json("管理者の申請", "1"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_for_system_administrator");
    for path in [
        "/services",
        "/register",
        "/applications",
        "/catalogue?q=会議",
    ] {
        let (s, body) = admin.get(path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (s, body) = admin
        .post(
            "/services/1/accounts",
            json!({"account_id": "x@city.example.lg.jp", "kind": "user"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(denied().await, before + 6, "each refusal audited");

    // What is theirs stays open to them, in the API and the pages.
    for path in ["/me", "/users", "/org-units", "/notifications"] {
        let (s, body) = admin.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
    }
    let b = app.browser("admin").await;
    assert_eq!(b.get("/admin").await.0, StatusCode::OK);
    assert_eq!(b.get("/").await.0, StatusCode::OK);
    let (s, _) = b.get("/services").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Signs in by the login form from a fresh client; answers the status.
async fn sign_in(app: &TestApp, login: &str, password: &str) -> StatusCode {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("gaibu-test/1")
        .build()
        .expect("client");
    http.post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::harness::form(&[
            ("login", login),
            ("password", password),
            ("next", "/"),
        ]))
        .send()
        .await
        .expect("sign in")
        .status()
}

/// The audit events of one action whose detail holds `needle`.
async fn events_with(app: &TestApp, action: gaibu_domain::audit::Action, needle: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND after_json LIKE $2")
        .bind(action.as_str())
        .bind(format!("%{needle}%"))
        .fetch_one(app.st.store.pool())
        .await
        .expect("count")
}

/// Wrong passwords slow a login down and then lock it: the 31st attempt is refused without
/// its password being looked at, the right password too, and every attempt is audited with
/// the account, the client's address and user agent and what became of it. A System
/// Administrator's unlock, or the end of the lock, lets the right password in again
/// (OWASP ASVS V2.2.1, issue 9).
pub async fn repeated_wrong_passwords_are_throttled_then_locked(app: &TestApp) {
    use gaibu_domain::audit::Action;
    let pw = gaibu::demo::DEMO_PASSWORD;
    let mut answers = Vec::new();
    for _ in 0..30 {
        answers.push(sign_in(app, "staff", "not-the-password").await);
    }
    assert!(
        answers[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{answers:?}"
    );
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(checked <= 10, "at most ten passwords checked: {answers:?}");
    assert!(
        answers[10..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{answers:?}"
    );
    // The 31st, with the right password: refused all the same.
    assert_eq!(
        sign_in(app, "staff", pw).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let staff = app.user_id("staff").await;
    let (actor, detail): (Option<i64>, String) = sqlx::query_as(
        "SELECT actor_id, after_json FROM audit_events WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(Action::SessionSignInFailed.as_str())
    .fetch_one(app.st.store.pool())
    .await
    .expect("last failure");
    assert_eq!(actor, Some(staff), "the account is named");
    for part in [
        "\"address\":\"127.0.0.1\"",
        "gaibu-test/1",
        "refused_locked",
    ] {
        assert!(detail.contains(part), "{part} in {detail}");
    }
    assert_eq!(events_with(app, Action::SessionLocked, "locked").await, 1);
    assert!(events_with(app, Action::SessionSignInFailed, "wrong_password").await >= 5);

    // What was typed is kept bounded, whatever its length.
    assert_eq!(
        sign_in(app, &"Ｘ".repeat(20_000), "x").await,
        StatusCode::UNAUTHORIZED
    );
    let longest: i64 =
        sqlx::query_scalar("SELECT MAX(LENGTH(actor_login)) FROM audit_events WHERE action = $1")
            .bind(Action::SessionSignInFailed.as_str())
            .fetch_one(app.st.store.pool())
            .await
            .expect("longest");
    assert!(longest <= 64, "{longest}");

    // A System Administrator sees the lock on their page and lifts it (the page's button and
    // the API do the same); the right password then signs in.
    let b = app.browser("admin").await;
    let unlock_button = format!("id=\"unlock-{staff}\"");
    let (_, html) = b.get("/admin?q=staff").await;
    assert!(html.contains(&unlock_button), "unlock button");
    let (s, _, _) = b.post(&format!("/admin/users/{staff}/unlock"), &[]).await;
    assert_eq!(s, StatusCode::OK);
    let (_, html) = b.get("/admin?q=staff").await;
    assert!(!html.contains(&unlock_button), "lifted");
    let admin = app.api("admin").await;
    let (s, body) = admin
        .post(&format!("/users/{staff}/unlock"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["lifted"], false, "already lifted");
    assert_eq!(events_with(app, Action::SessionUnlocked, "staff").await, 2);
    assert_eq!(sign_in(app, "staff", pw).await, StatusCode::SEE_OTHER);
    // Only a System Administrator may.
    let (s, _) = app
        .api("ism")
        .await
        .post(&format!("/users/{staff}/unlock"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A lock also ends by itself.
    for _ in 0..12 {
        sign_in(app, "bsm", "not-the-password").await;
    }
    assert_eq!(sign_in(app, "bsm", pw).await, StatusCode::TOO_MANY_REQUESTS);
    app.advance_days(1);
    assert_eq!(sign_in(app, "bsm", pw).await, StatusCode::SEE_OTHER);
}
