//! The class-1 track through the HTML forms, with CSRF tokens, as a browser sends them.

use crate::flows::{answer_pairs, refs};
use crate::harness::TestApp;
use reqwest::StatusCode;

fn id_from(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|s| s.split(['#', '?', '/']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location:?}"))
}

// clause: S5.2.2-1, S5.2.2-2, S5.2.2-3, S5.2.2-4, S7.2
pub async fn class1_track_through_html_forms(app: &TestApp) {
    let im = app.browser("im").await;
    let (s, html) = im.get("/applications/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("外部サービスの名称"), "Japanese first");

    // A form with mistakes comes back with each error next to its field, nothing saved.
    let before = app.st.store.applications().await.expect("db").len();
    let (s, _, html) = im
        .post(
            "/applications",
            &[
                ("service_name", "フォーム会議"),
                ("url", "not a url"),
                ("confidentiality", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("data-field=\"url\""),
        "url error shown next to its field"
    );
    assert!(html.contains("http:// または https://"));
    assert!(html.contains("data-field=\"provider\""));
    assert!(html.contains("value=\"フォーム会議\""), "input kept");
    assert_eq!(
        app.st.store.applications().await.expect("db").len(),
        before,
        "nothing saved"
    );

    let fields = [
        ("service_name", "フォーム会議"),
        ("provider", "株式会社フォーム"),
        ("url", "https://form.example.com"),
        ("org_unit", ""),
        ("purpose", "打合せ"),
        ("user_scope", "課内に限る"),
        ("period_from", "2026-12-01"),
        ("period_to", ""),
        ("confidentiality", "1"),
        ("integrity", "1"),
        ("availability", "1"),
        ("handling", "need_to_know"),
        ("handling", "no_copy"),
        ("data_locations", "日本, 米国"),
        ("governing_law", "日本法"),
        ("court", "大阪地方裁判所"),
        ("tos_url", "https://form.example.com/tos"),
        ("tos_version", "2026-01"),
    ];
    let (s, loc, _) = im.post("/applications", &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id = id_from(&loc, "/applications/");
    // The next page confirms what was done, in a live region, once (issue 10, item 5).
    let (_, html) = im.get(&loc).await;
    assert!(
        html.contains("role=\"status\" id=\"flash\">申請を作成しました。"),
        "{html}"
    );
    let (_, html) = im.get(&loc).await;
    assert!(!html.contains("id=\"flash\""), "shown once");
    let row = app.application_row(id).await;
    let f = serde_json::to_value(&row.fields).expect("fields");
    assert_eq!(
        f["classification"]["handling"],
        serde_json::json!(["need_to_know", "no_copy"])
    );
    assert_eq!(f["data_locations"], serde_json::json!(["日本", "米国"]));

    // The self-check with a blocking "no": saved, but approval is refused with the reason.
    let answers = app.met_answers().await;
    let mut pairs = answer_pairs(&answers);
    for p in pairs.iter_mut() {
        if p.0 == "answer.c1-official-accounts" {
            p.1 = "no".into();
        }
    }
    pairs.push((
        "comment.c1-official-accounts".into(),
        "職員個人のアカウントを使う".into(),
    ));
    let (s, loc, _) = im.post_step(app, id, "self-check", &refs(&pairs)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"sheet-problems\""));
    assert!(html.contains("「いいえ」のため承認できません"));
    let (s, _, html) = im.post_step(app, id, "approve", &[]).await;
    assert_eq!(s, StatusCode::CONFLICT, "blocking no stops approval");
    assert!(html.contains("要件シートを満たしていない"), "{html}");

    // Answer "yes", then approve.
    let pairs = answer_pairs(&answers);
    let (s, _, _) = im.post_step(app, id, "self-check", &refs(&pairs)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // The class-1 page shows the procurement record, which self-approval checks (S4.3a–b).
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"procurement-heading\""));
    assert!(
        html.contains("id=\"sheet-problems\""),
        "procurement not yet recorded"
    );
    let (s, _, _) = im
        .post_step(app, id, "procurement", &[("procured", "no")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/applications/{id}")).await;
    assert!(html.contains("id=\"sheet-ready\""));
    let (s, loc, _) = im.post_step(app, id, "approve", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let sid = id_from(&loc, "/services/");
    let (_, html) = im.get(&loc).await;
    assert!(html.contains("台帳未登録"));
    assert!(
        html.contains("情報 太郎"),
        "the approver is the administrator"
    );

    // Ledger, accounts (one refused), retirement.
    let v = app.service_version(sid).await;
    let (s, _, _) = im
        .post(
            &format!("/services/{sid}/ledger"),
            &[
                ("version", &v),
                ("system_name", "フォーム会議"),
                ("registered_on", "2026-12-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let org = app
        .st
        .store
        .service(sid)
        .await
        .expect("db")
        .expect("svc")
        .org_unit_id
        .to_string();
    let accounts = format!("/services/{sid}/accounts");
    let account = |id: &'static str| {
        [
            ("account_id", id),
            ("kind", "user"),
            ("holder_org_unit", org.as_str()),
            ("holder_position", "主事"),
            ("created_on", "2026-12-01"),
            ("purpose", "会議"),
        ]
    };
    for acct in ["form-1@city.example.lg.jp", "form-2@city.example.lg.jp"] {
        let (s, _, _) = im.post(&accounts, &account(acct)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let (s, _, html) = im.post(&accounts, &account("me@yahoo.co.jp")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("私用アカウントは登録できません"));
    assert_eq!(app.st.store.accounts(sid).await.expect("db").len(), 2);
    // The accounts' own page: searched and paged in the database, newest first.
    let (s, html) = im.get(&format!("{accounts}?limit=1")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("form-2@") && !html.contains("form-1@"),
        "{html}"
    );
    let next = html
        .split("id=\"next-page\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .expect("a next page link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let (_, html) = im.get(&next).await;
    assert!(
        html.contains("form-1@") && html.contains("id=\"first-page\""),
        "{html}"
    );
    let (_, html) = im.get(&format!("{accounts}?q=form-1")).await;
    assert!(html.contains("form-1@") && !html.contains("form-2@"));
    let (s, html) = im.get(&format!("{accounts}?status=lost")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"unknown-filter\"") && !html.contains("form-1@"));

    let v = app.service_version(sid).await;
    let retire = format!("/services/{sid}/retire");
    let on = |reason| {
        [
            ("version", v.as_str()),
            ("retired_on", "2027-01-31"),
            ("reason", reason),
        ]
    };
    let (s, _, _) = im.post(&retire, &on("")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let (s, _, _) = im.post(&retire, &on("利用終了")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/services/{sid}")).await;
    assert!(html.contains("廃止済み"));
    assert!(html.contains("id=\"history\""));
    assert!(html.contains("台帳に登録（稼働中）"));

    // The same page in English, after the language switch.
    let (s, _, _) = im.post("/lang", &[("lang", "en"), ("back", "/")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = im.get(&format!("/services/{sid}")).await;
    assert!(html.contains("Retired"), "English UI");
}
