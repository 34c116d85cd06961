//! Issue 11: the ISMAP list imported (CSV and .xlsx) with its columns mapped, kept as dated
//! versions, and the cross-check of the services that claim a registration: flags on the
//! service page and the dashboard, a re-check opened once per flag, bad files refused whole.

use crate::flows::{file, send_file};
use crate::harness::{Api, TestApp};
use gaibu_store::ServiceRow;
use jiff::ToSpan;
use reqwest::StatusCode;
use reqwest::multipart::Part;
use serde_json::Value;

const PROVIDER: &str = "株式会社イスマップ試験";

fn day(app: &TestApp, n: i64) -> jiff::civil::Date {
    app.st.today().checked_add(n.days()).expect("date")
}

/// The test's own list in the published shape: a valid, an expired (its validity derived
/// from an audited period written in the era) and a withdrawn registration; `renewed` gives
/// the expired one a new validity instead.
fn list_csv(app: &TestApp, renewed: bool) -> String {
    let era = |d: jiff::civil::Date| {
        gaibu_domain::calendar::EraDate::from_date(d)
            .expect("era")
            .to_string()
    };
    let (period, until) = match renewed {
        false => (
            format!("{}～{}", era(day(app, -1095)), era(day(app, -730))),
            String::new(),
        ),
        true => (String::new(), day(app, 90).to_string()),
    };
    format!(
        "登録番号,サービス名称,事業者名,対象範囲,監査対象期間,有効期限,状態\n\
         T24-0001-1,試験文書共有クラウド,{PROVIDER},文書共有・ファイル保管,,{valid},登録\n\
         T22-0002-1,試験会議システム,{PROVIDER},試験会議システム,{period},{until},登録\n\
         T20-0003-1,試験旧サービス,{PROVIDER},,,{later},登録取消\n",
        valid = day(app, 200),
        later = day(app, 100),
    )
}

async fn claiming(app: &TestApp, name: &str, number: &str) -> ServiceRow {
    gaibu::demo::ismap::service_claiming(&app.st, name, PROVIDER, number)
        .await
        .expect("a service in operation claiming a registration")
}

/// Posts a list file to an API path as `login` (multipart, with its text fields).
async fn send(
    app: &TestApp,
    login: &str,
    path: &str,
    f: Part,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let api: Api = app.api(login).await;
    let req = api
        .http
        .post(format!("{}/api/v1{path}", api.base))
        .bearer_auth(&api.token);
    let res = send_file(req, f, fields).await;
    let s = res.status();
    (s, res.json().await.unwrap_or_default())
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    use sqlx::Row;
    let r = sqlx::query(sql)
        .bind(id)
        .fetch_one(app.st.store.pool())
        .await
        .expect("query");
    r.try_get::<i64, _>(0).expect("count")
}

async fn rechecks_of(app: &TestApp, sid: i64) -> i64 {
    let sql = "SELECT COUNT(*) FROM rechecks WHERE service_id = $1 AND cause = 'ismap_flagged'";
    count(app, sql, sid).await
}

fn raised_for(v: &Value, sid: i64) -> Option<&Value> {
    v["cross_check"]["raised"]
        .as_array()
        .expect("raised")
        .iter()
        .find(|r| r["service_id"] == sid)
}

// clause: S3.2a, S3.2c — a certification recorded on the sheet (the ISMAP registration
// number) is checked against the national list: not listed, expired, withdrawn or not covering
// the service is flagged on the service's page and on the dashboard.
// clause: S6.1 — each new flag opens a re-check of the service for its administrator, once: the
// same list imported again opens nothing new.
pub async fn ismap_cross_check_flags_lapsed_and_unknown_registrations(app: &TestApp) {
    // The demo's own list, imported at seed time: its lapsed registration is flagged, the
    // valid one is not.
    let demo = |name: &'static str| async move {
        let id: i64 = sqlx::query_scalar("SELECT id FROM services WHERE name = $1")
            .bind(name)
            .fetch_one(app.st.store.pool())
            .await
            .expect("a demo service");
        app.st.store.open_ismap_flag(id).await.expect("db")
    };
    let lapsed = demo("電子申請クラウド（デモ）")
        .await
        .expect("the lapsed one is flagged");
    assert_eq!(lapsed.finding.as_str(), "expired");
    assert!(lapsed.recheck_id.is_some(), "with its re-check");
    assert!(
        demo("Web会議クラウド（デモ）").await.is_none(),
        "the valid one is not"
    );

    let valid = claiming(app, "試験文書共有クラウド", "T24-0001-1").await;
    let expired = claiming(app, "試験会議システム", "ｔ２２－０００２－１").await;
    let unknown = claiming(app, "試験申請システム", "T99-9999-9").await;
    let outside = claiming(app, "試験チャットボット", "T24-0001-1").await;
    let withdrawn = claiming(app, "試験旧サービス", "T20-0003-1").await;
    let csv = list_csv(app, false);
    let part = || file(csv.as_bytes(), "ismap_list.csv", "text/csv");

    // The dry run: the columns found from the headers, every row read, nothing kept.
    let before = count(app, "SELECT COUNT(*) FROM ismap_lists WHERE id > $1", 0).await;
    let (s, c) = send(app, "ism", "/ismap/check", part(), &[("kind", "ismap")]).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["rows"], 3);
    assert_eq!(c["clean"], true, "{c}");
    assert_eq!(c["mapping"]["number"], "A");
    assert_eq!(c["mapping"]["audit_period"], "E");
    assert_eq!(c["mapping"]["valid_until"], "F");
    let after = count(app, "SELECT COUNT(*) FROM ismap_lists WHERE id > $1", 0).await;
    assert_eq!(after, before, "a check keeps nothing");

    // The import: a dated version, then the cross-check.
    let (s, r) = send(app, "ism", "/ismap/lists", part(), &[("kind", "ismap")]).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["list"]["row_count"], 3);
    assert_eq!(r["list"]["kind"], "ismap");
    assert!(
        raised_for(&r, valid.id).is_none(),
        "a valid registration: {r}"
    );
    for (svc, finding) in [
        (&expired, "expired"),
        (&unknown, "not_listed"),
        (&outside, "scope_mismatch"),
        (&withdrawn, "withdrawn"),
    ] {
        let f = raised_for(&r, svc.id).unwrap_or_else(|| panic!("{} flagged: {r}", svc.name));
        assert_eq!(f["finding"], finding, "{}", svc.name);
        assert_eq!(
            rechecks_of(app, svc.id).await,
            1,
            "{}: one re-check",
            svc.name
        );
    }
    assert_eq!(rechecks_of(app, valid.id).await, 0);

    // The administrator is told and finds the re-check in their work.
    let im = app.api("im").await;
    let rid = raised_for(&r, expired.id).expect("flag")["recheck_id"]
        .as_i64()
        .expect("id");
    let (s, rc) = im.get(&format!("/rechecks/{rid}")).await;
    assert_eq!(s, StatusCode::OK, "{rc}");
    assert_eq!(rc["recheck"]["cause"], "ismap_flagged", "{rc}");

    // The service's page says why, against which list version; a valid one says nothing.
    let page = app.browser("im").await;
    let (s, html) = page.get(&format!("/services/{}", expired.id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"ismap-flag\""), "the notice");
    assert!(html.contains("登録の有効期限切れ"), "the reason");
    assert!(
        html.contains("id=\"ismap-list-version\""),
        "the list's version"
    );
    assert!(html.contains(&format!("/rechecks/{rid}")), "the re-check");
    let (_, html) = page.get(&format!("/services/{}", valid.id)).await;
    assert!(!html.contains("id=\"ismap-flag\""));

    // The dashboard counts them and links to the flagged services, a filtered paged list.
    let ism = app.api("ism").await;
    let (s, d) = ism.get("/dashboard").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert!(
        d["ismap_flagged"]["count"].as_i64().expect("count") >= 4,
        "{d}"
    );
    let href = d["ismap_flagged"]["href"].as_str().expect("href");
    assert!(href.starts_with("/services?ismap=flagged"), "{href}");
    let (s, l) = ism.get("/services?ismap=expired&limit=200").await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let ids: Vec<i64> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_i64())
        .collect();
    assert!(ids.contains(&expired.id) && !ids.contains(&valid.id), "{l}");
    let (s, f) = ism.get("/ismap/flags?finding=scope_mismatch").await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert!(
        f["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["service_id"] == outside.id && i["number"] == "T24-0001-1"),
        "{f}"
    );
    let (_, html) = app.browser("ism").await.get("/dashboard").await;
    assert!(
        html.contains("/services?ismap=flagged"),
        "the dashboard links to the list"
    );

    // The same file again: a new dated version, and no second flag nor re-check.
    let (s, r2) = send(app, "ism", "/ismap/lists", part(), &[("kind", "ismap")]).await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    assert_ne!(r2["list"]["id"], r["list"]["id"]);
    for svc in [&expired, &unknown, &outside, &withdrawn] {
        assert!(raised_for(&r2, svc.id).is_none(), "{}: {r2}", svc.name);
        assert_eq!(rechecks_of(app, svc.id).await, 1, "{}", svc.name);
    }
    let raised = count(
        app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'ismap.flag_raised' AND service_id = $1",
        expired.id,
    )
    .await;
    assert_eq!(raised, 1, "audited once");
    let imported = count(
        app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'ismap.list_imported' AND seq > $1",
        0,
    )
    .await;
    assert!(imported >= 2, "each import audited");

    // A renewed registration clears the flag at the next import's cross-check.
    let renewed = list_csv(app, true);
    let (s, _) = send(
        app,
        "ism",
        "/ismap/lists",
        file(renewed.as_bytes(), "r.csv", "text/csv"),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let open = app.st.store.open_ismap_flag(expired.id).await.expect("db");
    assert!(open.is_none(), "cleared: {open:?}");
}

/// An .xlsx list whose headers the guess does not know, mapped by the person.
fn workbook(app: &TestApp) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["Reg", "Cloud", "Company", "Ends"],
        [
            "T25-0100-1",
            "試験表計算",
            PROVIDER,
            &day(app, 300).to_string(),
        ],
        ["T25-0101-1", "試験地図", PROVIDER, "令和20年1月1日"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

async fn lists(app: &TestApp) -> (i64, i64) {
    let l = count(app, "SELECT COUNT(*) FROM ismap_lists WHERE id > $1", 0).await;
    let r = count(
        app,
        "SELECT COUNT(*) FROM ismap_registrations WHERE id > $1",
        0,
    )
    .await;
    (l, r)
}

// clause: S3.2c — the list is read as published (.xlsx or CSV) with a mapping the person
// confirms; a file with one bad row, or that is not a list at all, is refused whole.
pub async fn ismap_list_mapped_and_bad_files_refused(app: &TestApp) {
    let xlsx = workbook(app);
    let part = || {
        file(
            &xlsx,
            "list.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    let start = lists(app).await;

    // Headers the guess does not know: the required fields are named as missing.
    let (s, e) = send(app, "ism", "/ismap/check", part(), &[("kind", "ismap_liu")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("map.number"), "{e}");
    // Mapped by the person: read, and importable.
    let map = [
        ("kind", "ismap_liu"),
        ("map.number", "A"),
        ("map.service_name", "B"),
        ("map.provider", "C"),
        ("map.valid_until", "4"),
    ];
    let (s, c) = send(app, "ism", "/ismap/check", part(), &map).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["clean"], true, "{c}");
    assert_eq!(c["kind"], "ismap_liu");

    // One bad row: named by row and column; the import keeps nothing.
    let bad = format!(
        "登録番号,サービス名称,事業者名,有効期限\nT1,ok,{PROVIDER},2030-01-01\nT2,bad,{PROVIDER},平成31年5月1日\n"
    );
    let bad_part = || file(bad.as_bytes(), "bad.csv", "text/csv");
    let (s, c) = send(app, "ism", "/ismap/check", bad_part(), &[]).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["clean"], false);
    assert_eq!(c["errors"][0]["row"], 3, "{c}");
    assert!(
        c["errors"][0]["column"]
            .as_str()
            .expect("column")
            .starts_with("D"),
        "{c}"
    );
    let (s, e) = send(app, "ism", "/ismap/lists", bad_part(), &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Not a spreadsheet at all.
    let pdf = file(b"%PDF-1.4\n\x00\x01", "list.pdf", "application/pdf");
    let (s, e) = send(app, "ism", "/ismap/lists", pdf, &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(lists(app).await, start, "nothing stored");

    // Only the ISM and the CISO keep the lists (refused and audited for anyone else).
    let (s, _) = send(app, "im", "/ismap/lists", part(), &map).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.browser("im").await.get("/ismap").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The page: checked with the mapping shown, then imported from the kept file.
    let b = app.browser("ism").await;
    let url = format!("{}/ismap?_csrf={}", b.base, b.csrf);
    let res = send_file(b.http.post(&url), part(), &map).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("id=\"ismap-mapping\""),
        "the mapping to confirm"
    );
    assert!(html.contains("id=\"ismap-import\""), "clean: importable");
    let sha = gaibu::import::sha256_hex(&xlsx);
    let form = reqwest::multipart::Form::new()
        .text("kind", "ismap_liu")
        .text("upload", sha)
        .text("file_name", "list.xlsx")
        .text("map.number", "1")
        .text("map.service_name", "2")
        .text("map.provider", "3")
        .text("map.valid_until", "4")
        .text("action", "import");
    let res = b
        .http
        .post(&url)
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().expect("to").to_string();
    assert!(to.starts_with("/ismap?done=imported"), "{to}");
    let (_, html) = b.get(&to).await;
    assert!(html.contains("ISMAP-LIU"), "says what was imported");
    let (l, r) = lists(app).await;
    assert_eq!((l, r), (start.0 + 1, start.1 + 2));
}
