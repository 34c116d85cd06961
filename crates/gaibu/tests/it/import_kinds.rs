//! Issue 11: the other ways in and the other kinds of file — the import page with its mapping
//! confirmed and remembered, the API, official accounts, and the demo's 1,000-service ledger.

use crate::harness::TestApp;
use crate::import::{acting, audited, upload, workbook};

// clause: S5.2.2-3 — the same check and import through the page (mapping confirmed and
// remembered) and the API
pub async fn a_ledger_file_is_imported_from_the_page_and_the_api(app: &TestApp) {
    // A layout of the city's own, with headers gaibu does not know.
    let csv = "名前,会社,課,格,担当,日\r\n頁取込,株式会社頁,CIT-REG,2,bsm,2026/4/1\r\n";
    let b = app.browser("ism").await;
    let form = |parts: Vec<(&'static str, String)>, file: Option<Vec<u8>>| {
        let mut f = reqwest::multipart::Form::new();
        for (k, v) in parts {
            f = f.text(k, v);
        }
        if let Some(bytes) = file {
            f = f.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("city.csv"),
            );
        }
        f
    };
    let post = async |f: reqwest::multipart::Form| {
        let res = b
            .http
            .post(format!("{}/imports?_csrf={}", b.base, b.csrf))
            .multipart(f)
            .send()
            .await
            .expect("post");
        let status = res.status();
        let to = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, to, res.text().await.expect("body"))
    };
    let (s, _, html) = post(form(
        vec![("kind", "ledger".into()), ("action", "check".into())],
        Some(csv.as_bytes().to_vec()),
    ))
    .await;
    assert_eq!(s, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("id=\"form-errors\""),
        "unknown headers: {html}"
    );
    let sha = gaibu::import::sha256_hex(csv.as_bytes());
    let mapping = || {
        vec![
            ("kind", "ledger".to_string()),
            ("upload", sha.clone()),
            ("file_name", "city.csv".to_string()),
            ("map.name", "1".to_string()),
            ("map.provider", "2".to_string()),
            ("map.org_unit", "3".to_string()),
            ("map.confidentiality", "4".to_string()),
            ("map.administrator", "5".to_string()),
            ("map.registered_on", "6".to_string()),
        ]
    };
    let mut check = mapping();
    check.push(("action", "check".into()));
    let (s, _, html) = post(form(check, None)).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{html}");
    assert!(html.contains("id=\"import-submit\""), "{html}");
    let mut go = mapping();
    go.push(("action", "import".into()));
    let (s, to, _) = post(form(go, None)).await;
    assert_eq!(s, reqwest::StatusCode::SEE_OTHER);
    assert!(to.starts_with("/imports?kind=ledger&done="), "{to}");

    // The next file of that layout is mapped as confirmed; through the API it is unchanged.
    let api = app.api("ism").await;
    let res = api
        .http
        .post(format!(
            "{}/api/v1/imports/ledger?name=city2.csv&check=true",
            api.base
        ))
        .bearer_auth(&api.token)
        .body(csv.as_bytes().to_vec())
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let v: serde_json::Value = res.json().await.expect("json");
    assert_eq!(v["mapping_from"], "remembered", "{v}");
    assert_eq!(v["unchanged"], 1, "{v}");
    // A bad row through the API: 422 with its row and column.
    let bad = "名前,会社,課,格,担当,日\r\nAPI取込,株式会社頁,存在しない,2,bsm,2026/4/1\r\n";
    let res = api
        .http
        .post(format!("{}/api/v1/imports/ledger?name=bad.csv", api.base))
        .bearer_auth(&api.token)
        .body(bad.as_bytes().to_vec())
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = res.json().await.expect("json");
    assert_eq!(v["lines"][0]["row"], 2, "{v}");
    assert_eq!(
        v["lines"][0]["errors"][0]["code"], "unknown_org_unit",
        "{v}"
    );
    assert!(v["import"].is_null());
    // Not a spreadsheet: refused with a stable code.
    let res = api
        .http
        .post(format!("{}/api/v1/imports/ledger?name=x.pdf", api.base))
        .bearer_auth(&api.token)
        .body(b"%PDF-1.7\n\x00\x01\x02".to_vec())
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = res.json().await.expect("json");
    assert!(v.to_string().contains("import_not_spreadsheet"), "{v}");
}

// clause: S5.2.1-6 — official accounts only: a file with a private account imports nothing;
// clause: S5.2.2-4 — the accounts of a city's services, each registered with its file and row
pub async fn official_accounts_are_imported_for_ledger_services(app: &TestApp) {
    use gaibu::import::{Kind, import};
    let ism = acting(app, "ism").await;
    let ledger = workbook(&[[
        "取込台帳",
        "株式会社口座",
        "CIT-REG",
        "2",
        "bsm",
        "2026-04-01",
    ]]);
    let (_, done) = import(
        &app.st,
        &ism,
        Kind::Ledger,
        &upload("l.xlsx", &ledger),
        &|| {},
    )
    .await
    .expect("db");
    assert!(done.is_some());
    let head =
        "外部サービスの名称,外部サービス提供者の名称,アカウントID,種別,所属,職名,作成日,目的\r\n";
    let good = "取込台帳,株式会社口座,Kaigi@city.example.lg.jp,利用者,CIT-REG,主事,令和8年4月1日,会議\r\n\
                取込台帳,株式会社口座,admin@city.example.lg.jp,admin,CIT-REG,係長,2026/4/2,管理\r\n";
    let private = "取込台帳,株式会社口座,taro@gmail.com,利用者,CIT-REG,主事,2026-04-01,会議\r\n";
    let file = format!("{head}{good}{private}");
    let (c, done) = import(
        &app.st,
        &ism,
        Kind::Accounts,
        &upload("a.csv", file.as_bytes()),
        &|| {},
    )
    .await
    .expect("db");
    assert!(done.is_none(), "a private account: nothing imported");
    let c = c.expect("read");
    let bad = c.lines.last().expect("the private row");
    assert_eq!(bad.row, 4);
    assert!(
        bad.what
            .as_ref()
            .is_err_and(|e| e.iter().any(|e| e.code == "private_account")),
        "{bad:?}"
    );
    let accounts = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT a.account_id FROM accounts a JOIN services s ON s.id = a.service_id \
             WHERE s.name = '取込台帳' ORDER BY a.account_id",
        )
        .fetch_all(app.st.store.pool())
        .await
        .expect("accounts")
    };
    assert!(accounts().await.is_empty());
    let file = format!("{head}{good}");
    let (_, done) = import(
        &app.st,
        &ism,
        Kind::Accounts,
        &upload("a.csv", file.as_bytes()),
        &|| {},
    )
    .await
    .expect("db");
    assert_eq!(done.map(|r| r.created), Some(2));
    assert_eq!(
        accounts().await,
        ["admin@city.example.lg.jp", "kaigi@city.example.lg.jp"]
    );
    assert_eq!(audited(app, "account.imported").await.len(), 2);
    let (_, again) = import(
        &app.st,
        &ism,
        Kind::Accounts,
        &upload("a.csv", file.as_bytes()),
        &|| {},
    )
    .await
    .expect("db");
    assert_eq!(again.map(|r| r.created), Some(0), "the same file twice");
}

// clause: S5.2.2-3 — the demo's story: the ISM checks a city's ledger of 1,000 services, each
// naming its administrator, then imports it in one go
pub async fn the_ism_imports_a_ledger_of_a_thousand_services(app: &TestApp) {
    use gaibu::import::{Kind, check, import};
    let ism = acting(app, "ism").await;
    let file = gaibu::import::sample::ledger_file(&app.st, &ism, 1000, "移行", app.st.today())
        .await
        .expect("the sample");
    let f = upload("既存台帳.xlsx", &file);
    let c = check(&app.st, &ism, Kind::Ledger, &f)
        .await
        .expect("db")
        .expect("read");
    assert_eq!(gaibu::import::counts(&c.lines), [1000, 0, 0, 0]);
    assert_eq!(c.from, gaibu::import::MappingFrom::Guessed);
    let (_, done) = import(&app.st, &ism, Kind::Ledger, &f, &|| {})
        .await
        .expect("db");
    assert_eq!(done.map(|r| r.created), Some(1000));
    let (named, admins): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT administrator_id) FROM services WHERE name LIKE '移行%'",
    )
    .fetch_one(app.st.store.pool())
    .await
    .expect("count");
    assert_eq!(named, 1000);
    assert!(admins > 1, "each names its administrator");
    assert_eq!(audited(app, "ledger.imported").await.len(), 1000);
}
