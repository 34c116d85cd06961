//! The class-2+ track through the HTML forms, with CSRF tokens, as a browser sends them: the
//! application, sheet, evaluation and procurement, the ISM's return with comments, the
//! resubmission and the approval with its usage-register entry.

use crate::flows::{answer_pairs, evaluation_json, refs, with};
use crate::harness::TestApp;
use gaibu_domain::classification::Track;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The evaluation form's pairs: [`evaluation_json`] with `changes` over it.
fn evaluation_form(changes: Value) -> Vec<(String, String)> {
    let e = with(evaluation_json(), changes);
    e.as_object()
        .expect("evaluation")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
        .collect()
}

// clause: S3.4a, S3.4b, S3.4c, S5.2.1-5
pub async fn class2_track_through_html_forms(app: &TestApp) {
    let im = app.browser("im").await;
    let ism = app.browser("ism").await;
    // The application, through the form, with confidentiality 2.
    let (s, loc, _) = im
        .post(
            "/applications",
            &[
                ("service_name", "画面からの機密性2"),
                ("provider", "株式会社フォーム2"),
                ("url", "https://f2.example.com"),
                ("org_unit", ""),
                ("purpose", "住民対応記録の共有"),
                ("user_scope", "市民課に限る"),
                ("period_from", "2026-12-01"),
                ("period_to", ""),
                ("confidentiality", "2"),
                ("integrity", "2"),
                ("availability", "2"),
                ("data_locations", "日本"),
                ("governing_law", "日本法"),
                ("court", "東京地方裁判所"),
                ("tos_url", "https://f2.example.com/tos"),
                ("tos_version", "1.0"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id: i64 = loc
        .trim_start_matches("/applications/")
        .parse()
        .expect("id");
    let (_, html) = im.get(&loc).await;
    assert!(html.contains("id=\"class2-notice\""));
    assert!(html.contains("id=\"open-evaluation\""));

    // The sheet: conditional items apply (availability 2).
    let (_, html) = im.get(&format!("/applications/{id}/self-check")).await;
    assert!(html.contains("外部サービス要件（機密性２以上）"));
    assert!(html.contains("条件付きの項目：この申請では回答が必要です。"));
    let answers = answer_pairs(&app.met_answers_for(Track::Class2Plus).await);
    let (s, _, _) = im.post_step(app, id, "self-check", &refs(&answers)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The evaluation: an incomplete one is saved, then the page names what is missing.
    let partial = [("tos_changeable", "yes"), ("sla", "99.9%")];
    let (s, _, _) = im.post_step(app, id, "evaluation", &partial).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"sheet-problems\""));
    assert!(html.contains("(イ) 情報の流通経路全般のセキュリティ設計"));
    let ev = evaluation_form(json!({"tos_changeable": "yes"}));
    let (s, _, _) = im.post_step(app, id, "evaluation", &refs(&ev)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let procurement = [
        ("procured", "yes"),
        ("spec_reference", "仕様書12"),
        ("spec_includes_conditions", "yes"),
        ("verified_on", "2026-11-20"),
        ("verified_by", "情報 太郎"),
        ("contract_reference", "契約-7"),
        ("spec_in_contract", "yes"),
    ];
    let (s, _, _) = im.post_step(app, id, "procurement", &procurement).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"sheet-ready\""), "ready to submit");
    let (s, _, _) = im.post_step(app, id, "submit", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The ISM sees it in the notifications and reviews the whole file; returns with a comment.
    let (_, html) = ism.get("/").await;
    assert!(html.contains("id=\"unread-count\""));
    let (_, html) = ism.get("/notifications").await;
    assert!(html.contains("審査依頼が届きました: 画面からの機密性2"));
    let (s, html) = ism.get(&format!("/applications/{id}/review")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"comment.evaluation.sla\""));
    assert!(html.contains("name=\"comment.c2-redundancy\""));
    let no_reason = [("decision", "return"), ("reason", "")];
    let (s, _, html) = ism.post_step(app, id, "decision", &no_reason).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "reason required");
    assert!(html.contains("入力してください"));
    let returned = [
        ("decision", "return"),
        ("reason", "RTOを記載してください"),
        ("comment.evaluation.sla", "RTOがありません"),
    ];
    let (s, _, _) = ism.post_step(app, id, "decision", &returned).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"returned-notice\""));
    assert!(html.contains("RTOを記載してください"));
    assert!(html.contains("RTOがありません"));

    // Revised and resubmitted; the rounds can be compared.
    let ev2 = evaluation_form(json!({"tos_changeable": "yes", "sla": "稼働率99.9%、RTO 4時間"}));
    let (s, _, _) = im.post_step(app, id, "evaluation", &refs(&ev2)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = im.post_step(app, id, "submit", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}/rounds")).await;
    assert!(
        html.contains("稼働率99.9%、RTO 4時間"),
        "the change between rounds is shown"
    );

    // Approved by the ISM: the register shows all eight fields.
    let approve = [("decision", "approve"), ("reason", "")];
    let (s, _, _) = ism.post_step(app, id, "decision", &approve).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"service-link\""));
    let (_, html) = ism.get("/register").await;
    assert!(html.contains("画面からの機密性2"));
    assert!(html.contains("市民課 情報 太郎"));
    let entry = app
        .st
        .store
        .register_entries()
        .await
        .expect("db")
        .into_iter()
        .find(|e| e.service_name == "画面からの機密性2")
        .expect("entry");
    let (s, html) = ism.get(&format!("/register/{}", entry.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"register-form\""));
    let (_, html) = im.get("/notifications").await;
    assert!(html.contains("外部サービス管理者に指名されました"));
}
