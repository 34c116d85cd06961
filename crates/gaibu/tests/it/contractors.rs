//! Contractors and designated managers (S5.3): registered by an Information Manager, submitting
//! their sheets in a view restricted to their own, verified by the Information Manager.

use crate::flows::file;
use crate::harness::{TestApp, id_of, version_of};
use gaibu_domain::classification::Track;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

// clause: S5.3
pub async fn contractor_submits_and_information_manager_verifies(app: &TestApp) {
    let im = app.api("im").await;
    let (s, c1) = im
        .post("/contractors", json!({"name": "株式会社窓口サービス", "kind": "contractor", "work": "住民票の交付窓口業務"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c1}");
    let (s, body) = app
        .api("staff")
        .await
        .post(
            "/contractors",
            json!({"name": "x", "kind": "contractor", "work": "y"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, p1) = im.post(&format!("/contractors/{}/people", id_of(&c1)), json!({"login": "madoguchi", "display_name": "窓口 一子", "email": "m@madoguchi.example.jp"})).await;
    assert_eq!(s, StatusCode::CREATED, "{p1}");
    let password = p1["password"].as_str().expect("password").to_string();
    let (_, c2) = im
        .post(
            "/contractors",
            json!({"name": "指定管理財団", "kind": "designated_manager", "work": "市民会館の管理"}),
        )
        .await;
    let (_, p2) = im
        .post(
            &format!("/contractors/{}/people", id_of(&c2)),
            json!({"login": "zaidan", "display_name": "財団 二郎"}),
        )
        .await;

    // The contractor's person signs in and sees only their own pages.
    let b = app.browser_with("madoguchi", &password).await;
    let res = b
        .http
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("home");
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/contractor")
    );
    for path in [
        "/services",
        "/applications",
        "/register",
        "/catalogue",
        "/policies",
        "/api/v1/applications",
        "/api/v1/services",
    ] {
        let (s, _) = b.get(path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path} is not for contractors");
    }

    // A class-2 sheet, answered and submitted through the API with the session.
    let post = |path: String, body| {
        let b = &b;
        async move { b.api_send(Method::POST, &path, body).await }
    };
    let (s, sub) = post("/contractor/submissions".into(), json!({"service_name": "窓口予約クラウド", "provider": "予約株式会社", "confidentiality": "2"})).await;
    assert_eq!(s, StatusCode::CREATED, "{sub}");
    assert_eq!(
        sub["track"], "class2plus",
        "class 2 takes the class-2+ sheet"
    );
    let sid = id_of(&sub);
    let (s, body) = post(
        format!("/contractor/submissions/{sid}/submit"),
        json!({"version": version_of(&sub)}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "an unanswered sheet is not submitted: {body}"
    );
    let answers = app.met_answers_for(Track::Class2Plus).await;
    let (s, _) = b
        .api_send(
            Method::PUT,
            &format!("/contractor/submissions/{sid}/answers"),
            json!({"version": version_of(&sub), "answers": answers}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Evidence with the sheet (S3.2c): the contractor attaches, the IM can read it, others not.
    let evidence = format!("/contractor/submissions/{sid}/evidence");
    let isms = file(
        b"%PDF-1.7 ISMS certificate\n%%EOF",
        "isms.pdf",
        "application/pdf",
    );
    let res = b
        .api_upload(&evidence, isms, &[("expires_on", "2027-12-31")])
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ev: serde_json::Value = res.json().await.expect("json");
    let evid = id_of(&ev);
    let program = file(b"MZ", "x.pdf", "application/pdf");
    let res = b.api_upload(&evidence, program, &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "content checked"
    );
    let (s, _) = b.get(&format!("/contractor/evidence/{evid}")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, sub) = b
        .get(&format!("/api/v1/contractor/submissions/{sid}"))
        .await;
    let sub: serde_json::Value = serde_json::from_str(&sub).expect("json");
    let (s, sub) = post(
        format!("/contractor/submissions/{sid}/submit"),
        json!({"version": version_of(&sub)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    assert_eq!(sub["state"], "submitted");

    // Another contractor cannot reach it; nor can a manager of another bureau.
    let b2 = app
        .browser_with("zaidan", p2["password"].as_str().expect("password"))
        .await;
    let (s, _) = b2
        .get(&format!("/api/v1/contractor/submissions/{sid}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = b2.get(&format!("/contractor/evidence/{evid}")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another contractor's evidence does not exist for them"
    );
    let imb_files = app.browser("im").await;
    let (s, body) = imb_files
        .get(&format!("/contractors/evidence/{evid}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with("%PDF"));
    let (s, _) = app
        .api("infra")
        .await
        .get(&format!("/submissions/{sid}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .api("ism")
        .await
        .post(
            &format!("/submissions/{sid}/verification"),
            json!({"version": version_of(&sub), "compliant": true}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "verification is the Information Manager's: {body}"
    );

    // The Information Manager returns it with a note, the contractor resubmits, it is verified.
    let verification = format!("/submissions/{sid}/verification");
    let verify = |sub: &Value, compliant: bool, note: &str| {
        let body = json!({"version": version_of(sub), "compliant": compliant, "note": note});
        im.post(&verification, body)
    };
    let (s, body) = verify(&sub, false, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, sub) = verify(&sub, false, "再委託先を記載してください").await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    assert_eq!(sub["state"], "returned");
    let (s, sub) = post(
        format!("/contractor/submissions/{sid}/submit"),
        json!({"version": version_of(&sub)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    let (s, sub) = verify(&sub, true, "要件に適合").await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    assert_eq!(sub["state"], "verified");
    assert_eq!(sub["verified_by"], app.user_id("im").await);
    let hist = app.history("submission", sid).await;
    assert!(
        hist.contains(&"submission.verified".to_string()),
        "{hist:?}"
    );

    // The city side lists them; the pages show the contractor's and the verifier's views.
    let (_, list) = im.get("/submissions").await;
    assert!(
        list["items"]
            .as_array()
            .expect("list")
            .iter()
            .any(|s| s["id"] == sid)
    );
    let (s, html) = b.get("/contractor").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("窓口予約クラウド"));
    let imb = app.browser("im").await;
    let (s, html) = imb.get("/contractors").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("株式会社窓口サービス"));
    let (s, html) = imb.get(&format!("/contractors/submissions/{sid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("要件に適合"));
}
