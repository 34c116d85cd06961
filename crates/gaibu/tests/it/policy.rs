//! Policy as versioned data that takes effect only on the CISO's approval (S1.3).

use crate::harness::{TestApp, application_json, id_of};
use reqwest::StatusCode;
use serde_json::json;

const CLASS1: &str = include_str!("../../../../policy/sheets/class1.toml");
const FIVE_LEVEL: &str = include_str!("../../../../policy/classification/five-level.toml");

async fn load_as_ciso(app: &TestApp, text: &str) -> i64 {
    let ciso = app.browser("ciso").await;
    let (s, loc, body) = ciso.post("/policies", &[("content", text)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    loc.trim_start_matches("/policies/")
        .parse()
        .expect("policy id")
}

// clause: S1.3
pub async fn policy_takes_effect_only_on_ciso_approval(app: &TestApp) {
    let im = app.api("im").await;
    let (_, old_app) = im
        .post("/applications", application_json("旧版で作成", "1"))
        .await;
    let old_sheet = old_app["sheet_policy_id"].as_i64().expect("sheet id");
    let (_, old_app) = im
        .put(
            &format!("/applications/{}/self-check", id_of(&old_app)),
            json!({"version": old_app["version"], "answers": app.met_answers().await}),
        )
        .await;
    let (_, old_app) = im
        .not_procured(id_of(&old_app), old_app["version"].as_i64().unwrap_or(0))
        .await;

    // Only a CISO may load a version, and a broken one is refused whole.
    let staff = app.browser("staff").await;
    let (s, _, _) = staff.post("/policies", &[("content", CLASS1)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let ciso_b = app.browser("ciso").await;
    let (s, _, html) = ciso_b
        .post(
            "/policies",
            &[("content", "kind = \"sheet\"\nsheet = \"class1\"")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("基準・様式として読み取れません"));

    let v2 = CLASS1
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace(
            "サービスが突然停止した場合の代替手段。",
            "サービスが突然停止した場合の代替手段と、その連絡体制。",
        );
    let pid = load_as_ciso(app, &v2).await;
    let (_, p) = im.get(&format!("/policies/{pid}")).await;
    assert_eq!(p["status"], "pending");

    // Pending: new applications are still judged under the approved version.
    let (_, a) = im
        .post("/applications", application_json("承認前", "1"))
        .await;
    assert_eq!(a["sheet_policy_id"].as_i64(), Some(old_sheet));

    // Nobody but the CISO approves it.
    let (s, body) = im
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "ciso_required");
    let ism = app.api("ism").await;
    let (s, _) = ism
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let ciso = app.api("ciso").await;
    let (s, p) = ciso
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "approved");
    let (_, old) = im.get(&format!("/policies/{old_sheet}")).await;
    assert_eq!(old["status"], "superseded");
    let (s, _) = ciso
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "approving twice");

    // New applications use the new version; the old one still reads under its own.
    let (_, a) = im
        .post("/applications", application_json("承認後", "1"))
        .await;
    assert_eq!(a["sheet_policy_id"].as_i64(), Some(pid));
    let (_, again) = im.get(&format!("/applications/{}", id_of(&old_app))).await;
    assert_eq!(again["sheet_policy_id"].as_i64(), Some(old_sheet));
    // Superseding is itself recorded.
    let hist = app
        .st
        .store
        .entity_history("policy", old_sheet)
        .await
        .expect("history");
    assert!(hist.iter().any(|e| e.action == "policy.superseded"));
    // Answers given to the old sheet are not approved under the new one: answer it again.
    let (s, body) = im
        .post(
            &format!("/applications/{}/approve", id_of(&again)),
            json!({"version": again["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "sheet_superseded", "{body}");
    let (_, again) = im
        .put(
            &format!("/applications/{}/self-check", id_of(&again)),
            json!({"version": again["version"], "answers": app.met_answers().await}),
        )
        .await;
    assert_eq!(again["sheet_policy_id"].as_i64(), Some(pid));
    let (s, body) = im
        .post(
            &format!("/applications/{}/approve", id_of(&again)),
            json!({"version": again["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

// clause: S2.1, S2.2 — the five-level scheme is only data
pub async fn five_level_scheme_routes_applications(app: &TestApp) {
    let pid = load_as_ciso(app, FIVE_LEVEL).await;
    let ciso = app.api("ciso").await;
    let (s, _) = ciso
        .post(&format!("/policies/{pid}/approve"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let im = app.api("im").await;
    for (level, track) in [
        ("3A", "class2plus"),
        ("3B", "class2plus"),
        ("3C", "class2plus"),
        ("2", "class2plus"),
        ("1", "class1"),
    ] {
        let (s, a) = im
            .post("/applications", application_json("五段階", level))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{level}: {a}");
        assert_eq!(a["track"], track, "{level}");
        assert_eq!(a["classification_policy_id"].as_i64(), Some(pid));
    }
    let (s, body) = im
        .post("/applications", application_json("旧区分", "3"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["code"], "unknown_level");
}
