//! What bad input and disallowed transitions get: clear refusals, records unchanged.

use crate::flows::{checked_class1, each};
use crate::harness::{TestApp, application_json, form, id_of, version_of};
use reqwest::StatusCode;
use serde_json::json;

async fn approved_service(app: &TestApp) -> (i64, serde_json::Value) {
    let (id, a) = checked_class1(app, "im", "状態テスト").await;
    let (s, r) = app.api("im").await.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    (id, r["service"].clone())
}

// clause: S5.1.2, S5.2.2-2, S2.1, S7.2
pub async fn transitions_the_state_does_not_allow(app: &TestApp) {
    let im = app.api("im").await;
    let staff = app.api("staff").await;
    let other_im = app.api("infra").await; // infrastructure manager of another bureau

    // Approval by someone without the role over the unit: 403, audited, unchanged.
    let (id, a) = checked_class1(app, "staff", "職員の申請").await;
    let v = version_of(&a);
    for who in [&staff, &other_im] {
        let (s, body) = who.approve(id, v).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "class1_approver_required");
    }
    let denied = app.st.store.recent_audit(20).await.expect("audit");
    assert!(
        denied
            .iter()
            .any(|e| e.action == "access.denied" && e.entity_id == Some(id)),
        "a 403 is audited"
    );
    let row = app.application_row(id).await;
    assert_eq!((row.state.as_str(), row.version), ("draft", v), "unchanged");

    // The Information Manager over the staff member's unit may approve it.
    let (s, _) = im.approve(id, v).await;
    assert_eq!(s, StatusCode::OK);
    // Approve twice: 409.
    let (s, body) = im.approve(id, v + 1).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_decided");
    // Editing an approved application: 409.
    let (s, body) = im
        .put(&format!("/applications/{id}"), {
            let mut b = application_json("変更", "1");
            b["version"] = json!(v + 1);
            b
        })
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "not_draft");

    // A class-2 application stays a draft with the reason (S2.1).
    let (s, a) = im.create_application("機密性2の申請", "2").await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(a["track"], "class2plus");
    let (s, body) = im.approve(id_of(&a), version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "class2_track_required");
    assert!(
        body["error"]["message"]["ja"]
            .as_str()
            .is_some_and(|m| m.contains("情報セキュリティ管理者"))
    );

    // Approval with an incomplete sheet: 409 naming the items.
    let (_, a) = im.create_application("未確認", "1").await;
    let (s, body) = im.approve(id_of(&a), version_of(&a)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "sheet_not_met");
    assert!(
        body["error"]["items"]
            .as_array()
            .is_some_and(|i| i.len() >= 10)
    );

    // Retiring a service that is not in the ledger: 409; by someone else: 403.
    let (_, svc) = approved_service(app).await;
    let sid = id_of(&svc);
    let (s, body) = im
        .post(
            &format!("/services/{sid}/retire"),
            json!({"version": version_of(&svc), "retired_on": "2027-01-01", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "not_in_operation");
    let (s, body) = staff
        .register(sid, version_of(&svc), "x", "2027-01-01")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "administrator_required");
    let (s, svc2) = im.register(sid, version_of(&svc), "x", "2027-01-01").await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = im.register(sid, version_of(&svc2), "x", "2027-01-01").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_in_ledger");
}

pub async fn bad_input_is_answered_clearly(app: &TestApp) {
    let im = app.api("im").await;
    // Missing fields: 422 with every field named, nothing saved.
    let before = app.st.store.applications().await.expect("db").len();
    let (s, body) = im
        .post("/applications", json!({"service_name": "名前だけ"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = each(&body["error"]["fields"], "field");
    for f in [
        "provider",
        "url",
        "purpose",
        "period_from",
        "confidentiality",
        "data_locations",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    assert_eq!(app.st.store.applications().await.expect("db").len(), before);

    // A body over the limit: 413 with its own code, not a malformed body.
    let huge = format!(
        "{{\"service_name\": \"{}\"}}",
        "x".repeat(2 * 1024 * 1024 + 16)
    );
    let res = im
        .http
        .post(format!("{}/api/v1/applications", im.base))
        .bearer_auth(&im.token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "body_too_large");

    // Malformed JSON: 400 with a stable code and both languages, never a 500.
    let res = im
        .http
        .post(format!("{}/api/v1/applications", im.base))
        .bearer_auth(&im.token)
        .header("content-type", "application/json")
        .body("{\"service_name\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "malformed_json");
    assert!(
        body["error"]["message"]["ja"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert!(
        body["error"]["message"]["en"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let (s, body) = im
        .put("/applications/1/self-check", json!({"answers": "nope"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");

    // Unknown ids: 404, in JSON and as a page.
    let (s, body) = im.get("/applications/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (s, _) = im.get("/services/abc").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = im.get("/no-such-route").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let b = app.browser("im").await;
    let (s, html) = b.get("/services/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("見つかりません"));

    // Other people's drafts do not exist for a stranger.
    let ism = app.api("ism").await;
    let (_, a) = im.create_application("見えない申請", "1").await;
    let infra = app.api("infra").await;
    let (s, _) = infra.get(&format!("/applications/{}", id_of(&a))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = ism.get(&format!("/applications/{}", id_of(&a))).await;
    assert_eq!(s, StatusCode::OK, "the ISM over the unit may read it");

    // No credentials: 401 for the API, a redirect to sign-in for pages.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/applications", app.base))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}/services", app.base))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base))
        .bearer_auth("gaibu_not-a-token")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Control characters are refused at the boundary, the same on both databases.
    let mut nul = application_json("名前\u{0}付き", "1");
    let (s, body) = im.post("/applications", nul.take()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_characters");
    let res = reqwest::Client::new()
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("login=a%00b&password=x")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A sign-in while signed in works (the form has no token; it starts a new session).
    let signed_in = app.browser("im").await;
    let (s, loc, _) = signed_in
        .post_raw(
            "/login",
            &form(&[
                ("login", "im"),
                ("password", gaibu::demo::DEMO_PASSWORD),
                ("next", "/\t/evil.example"),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, "/", "no open redirect");

    // The history of a service: contents only for those who may read them.
    let (_, svc_list) = im.get("/services").await;
    let sid = svc_list["items"][0]["id"].as_i64().expect("a demo service");
    let (_, full) = im.get(&format!("/services/{sid}/history")).await;
    assert!(
        full["items"]
            .as_array()
            .expect("history")
            .iter()
            .any(|e| !e["after"].is_null())
    );
    let (s, bare) = infra.get(&format!("/services/{sid}/history")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        bare["items"]
            .as_array()
            .expect("history")
            .iter()
            .all(|e| e["after"].is_null() && e["before"].is_null())
    );

    // A System Administrator grants roles to others only, and makes API tokens for themselves.
    let admin = app.api("admin").await;
    let admin_id = app.user_id("admin").await;
    let (s, body) = admin
        .post(
            &format!("/users/{admin_id}/roles"),
            json!({"role": "information_manager", "org_unit": "CITY"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "self_assignment");
    let admin_b = app.browser("admin").await;
    let ciso_id = app.user_id("ciso").await;
    let (s, _, _) = admin_b
        .post(&format!("/admin/users/{ciso_id}/token"), &[("name", "x")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A wrong password: refused, audited.
    let res = reqwest::Client::new()
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("login", "im"), ("password", "wrong-password")]))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("ログインIDまたはパスワードが正しくありません")
    );
}

pub async fn concurrent_saves_conflict(app: &TestApp) {
    let im = app.api("im").await;
    let bsm = app.api("bsm").await;
    let (_, a) = im.create_application("同時編集", "1").await;
    let id = id_of(&a);
    let v = version_of(&a);
    let mut first = application_json("同時編集（情報管理者）", "1");
    first["version"] = json!(v);
    let mut second = application_json("同時編集（業務システム管理者）", "1");
    second["version"] = json!(v);
    let (s, _) = im.put(&format!("/applications/{id}"), first).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = bsm.put(&format!("/applications/{id}"), second).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "stale_version");
    let (_, now) = im.get(&format!("/applications/{id}")).await;
    assert_eq!(
        now["fields"]["service_name"], "同時編集（情報管理者）",
        "the first save stands"
    );

    // In the form, the loser sees their own input again with the newer version.
    let b = app.browser("bsm").await;
    let (s, _, html) = b
        .post(
            &format!("/applications/{id}"),
            &[
                ("version", &v.to_string()),
                ("service_name", "フォームからの変更"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("id=\"stale-notice\""));
    assert!(
        html.contains("value=\"フォームからの変更\""),
        "nothing lost silently"
    );
    // A version that is not a version is a malformed request, not a lost race.
    for bad in ["abc", "0", ""] {
        let (s, _, _) = b
            .post(
                &format!("/applications/{id}"),
                &[("version", bad), ("service_name", "x")],
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "version {bad:?}");
    }
}

pub async fn csrf_and_origin_are_enforced(app: &TestApp) {
    let b = app.browser("im").await;
    // A form post without the token is refused.
    let (s, _, html) = b
        .post_raw("/applications", &form(&[("service_name", "x")]))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("有効期限"));
    // With a wrong token too.
    let (s, _, _) = b
        .post_raw(
            "/applications",
            &form(&[("_csrf", "forged"), ("service_name", "x")]),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The JSON API with the session cookie needs the header.
    let res = b
        .http
        .post(format!("{}/api/v1/applications", app.base))
        .json(&application_json("x", "1"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (s, _) = b
        .api_send(
            reqwest::Method::POST,
            "/applications",
            application_json("セッションから", "1"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // A cross-site post is refused even with the token.
    let res = b
        .http
        .post(format!("{}/logout", app.base))
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("_csrf", &b.csrf)]))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Sign-out ends the session: the same cookie no longer works.
    let (s, _, _) = b.post("/logout", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = b.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
