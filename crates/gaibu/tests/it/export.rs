//! Lists out as files (issue 11): .xlsx and CSV (UTF-8 with a byte-order mark, Shift_JIS) from
//! the list pages, the JSON API and `gaibu export`, with the list's filters and the reader's
//! scope, Japanese headers (the usage register's in the order of S5.2.1-5), dates as date
//! cells and in the Japanese era when the city asks for it, no cell ever a formula, and every
//! export in the audit trail.

use crate::harness::{Browser, TestApp};
use crate::lists::{class1_service, ids};
use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use std::io::Read;

/// A download: status, content type, content disposition and the bytes.
pub(crate) async fn fetch(
    http: &reqwest::Client,
    url: &str,
) -> (StatusCode, String, String, Vec<u8>) {
    let res = http.get(url).send().await.expect("get");
    let h = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (ct, cd) = (h("content-type"), h("content-disposition"));
    let status = res.status();
    (status, ct, cd, res.bytes().await.expect("body").to_vec())
}

pub(crate) async fn download(b: &Browser, path: &str) -> (String, String, Vec<u8>) {
    let (s, ct, cd, body) = fetch(&b.http, &format!("{}{path}", b.base)).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    (ct, cd, body)
}

/// A UTF-8 CSV's lines split into fields (the files here quote no line ends); it must start
/// with the byte-order mark.
pub(crate) fn utf8_csv(body: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(body).expect("UTF-8");
    let text = text.strip_prefix('\u{FEFF}').expect("a byte-order mark");
    lines(text)
}

fn lines(text: &str) -> Vec<Vec<String>> {
    assert!(text.ends_with("\r\n"), "CRLF line ends");
    text.split_terminator("\r\n").map(fields).collect()
}

fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().expect("a field").push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().expect("a field").push(c),
        }
    }
    out
}

/// The first sheet of a workbook, and its styles part.
pub(crate) fn workbook(body: &[u8]) -> (calamine::Range<Data>, String) {
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body.to_vec())).expect("an .xlsx");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let name = wb.sheet_names()[0].clone();
    let formulas = wb.worksheet_formula(&name).expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).expect("a zip");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .expect("styles")
        .read_to_string(&mut styles)
        .expect("styles text");
    (range, styles)
}

pub(crate) fn text_of(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

/// The `list.exported` events: (actor id, detail).
pub(crate) async fn exports(app: &TestApp) -> Vec<(Option<i64>, serde_json::Value)> {
    let rows: Vec<(Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT actor_id, after_json FROM audit_events WHERE action = 'list.exported' ORDER BY seq",
    )
    .fetch_all(app.st.store.pool())
    .await
    .expect("events");
    rows.into_iter()
        .map(|(a, d)| {
            let d = serde_json::from_str(d.as_deref().unwrap_or("{}")).expect("JSON");
            (a, d)
        })
        .collect()
}

const REGISTER_HEADERS: [&str; 8] = [
    "外部サービスの名称",
    "外部サービス提供者の名称",
    "利用目的（業務内容）",
    "取り扱う情報の格付",
    "利用期間",
    "利用申請者（所属・氏名）",
    "利用者の範囲",
    "外部サービス管理者（所属役職）",
];

pub async fn the_register_goes_out_as_excel_and_csv_with_its_filters(app: &TestApp) {
    let ism = app.browser("ism").await;
    let api = app.api("ism").await;
    let (_, listed) = api.get("/register?limit=200").await;
    let listed = ids(&listed);
    assert!(!listed.is_empty(), "the demo's class-2 services");

    // The page offers the download with its filters kept.
    let (s, html) = ism.get("/register?status=active&sort=service_name").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("action=\"/register/export\""), "{html}");
    assert!(html.contains("name=\"status\" value=\"active\""), "{html}");
    assert!(
        html.contains("name=\"format\" value=\"csv-sjis\""),
        "{html}"
    );

    // CSV in UTF-8: the byte-order mark, a Japanese file name, and the columns of S5.2.1-5 in
    // its order ア–ク, then one row an entry the reader may see.
    // clause: S5.2.1-5a
    // clause: S5.2.1-5b
    // clause: S5.2.1-5c
    // clause: S5.2.1-5d
    // clause: S5.2.1-5e
    // clause: S5.2.1-5f
    // clause: S5.2.1-5g
    // clause: S5.2.1-5h
    let (ct, cd, body) = download(&ism, "/register/export?format=csv").await;
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert!(cd.starts_with("attachment; filename=\"register_"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E3%82%B5%E3%83%BC%E3%83%93%E3%82%B9%E5%88%A9%E7%94%A8"),
        "サービス利用状況_…: {cd}"
    );
    let rows = utf8_csv(&body);
    assert_eq!(rows[0][..8], REGISTER_HEADERS, "{:?}", rows[0]);
    let mut got: Vec<i64> = rows[1..]
        .iter()
        .map(|r| r.last().expect("id").parse().expect("an id"))
        .collect();
    let mut want = listed.clone();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);

    // Shift_JIS decodes to the same text, without the mark (CP932 has no wave dash 〜: it is
    // written as its full-width tilde ～, 0x8160, and counted).
    let (ct, _, sjis) = download(&ism, "/register/export?format=csv-sjis").await;
    assert_eq!(ct, "text/csv; charset=Shift_JIS");
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!bad);
    let utf8 = std::str::from_utf8(&body).expect("UTF-8");
    assert_eq!(
        text,
        utf8.trim_start_matches('\u{FEFF}').replace('〜', "～")
    );

    // The workbook: the same headers and rows.
    let (ct, cd, xlsx) = download(&ism, "/register/export?format=xlsx").await;
    assert!(ct.starts_with("application/vnd.openxmlformats"), "{ct}");
    assert!(cd.contains(".xlsx"), "{cd}");
    let (range, _) = workbook(&xlsx);
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(text_of).collect())
        .collect();
    assert_eq!(sheet[0][..8], REGISTER_HEADERS);
    assert_eq!(sheet.len(), rows.len());

    // The filters are the page's: a filtered export holds only what the filtered page lists.
    let (_, suspended) = api.get("/register?status=suspended&limit=200").await;
    let (_, _, body) = download(&ism, "/register/export?format=csv&status=suspended").await;
    assert_eq!(utf8_csv(&body).len() - 1, ids(&suspended).len());
    let (_, _, body) = download(&ism, "/register/export?format=csv&q=存在しない語句").await;
    assert_eq!(utf8_csv(&body).len(), 1, "the header only");
    // And the reader's scope: a staff member oversees no unit.
    let staff = app.browser("staff").await;
    let (_, _, body) = download(&staff, "/register/export?format=csv").await;
    assert_eq!(utf8_csv(&body).len(), 1);

    // An unknown value is named, not guessed.
    let (s, _, _, _) = fetch(
        &ism.http,
        &format!("{}/register/export?format=pdf", ism.base),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _, _) = fetch(
        &ism.http,
        &format!("{}/register/export?format=csv&status=paused", ism.base),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The JSON API gives the same file, and documents the route.
    let (s, ct, _, body) = fetch(
        &reqwest::Client::new(),
        &format!("{}/api/v1/register/export?format=csv", app.base),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{ct}");
    assert!(!body.is_empty());
    let res = api
        .http
        .get(format!("{}/api/v1/register/export?format=csv", app.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(utf8_csv(&res.bytes().await.expect("body")), rows);
    let doc: serde_json::Value = app.openapi().await;
    for list in ["services", "register", "applications", "checks"] {
        let op = &doc["paths"][format!("/api/v1/{list}/export")]["get"];
        assert!(op.is_object(), "{list} export is documented");
    }

    // The applications and the periodic checks due go out the same way, as their pages list
    // them for the reader.
    for (list, first) in [("applications", "ID"), ("checks", "ID")] {
        let (_, page) = api.get(&format!("/{list}?limit=200")).await;
        let (_, _, body) = download(&ism, &format!("/{list}/export?format=csv")).await;
        let rows = utf8_csv(&body);
        assert_eq!(rows[0][0], first);
        assert_eq!(rows.len() - 1, ids(&page).len(), "{list}");
    }

    // Each export is in the audit trail: who took which list, how, and how many rows.
    let ism_id = app.user_id("ism").await;
    let events = exports(app).await;
    let (actor, first) = &events[0];
    assert_eq!(*actor, Some(ism_id));
    assert_eq!(first["list"], "register");
    assert_eq!(first["format"], "csv");
    assert_eq!(first["rows"], listed.len() as u64);
    assert_eq!(first["complete"], true);
    assert!(
        events
            .iter()
            .any(|(_, d)| d["filters"]["status"] == "suspended" && d["via"] == "web")
    );
    assert!(events.iter().any(|(_, d)| d["via"] == "api"));
    assert!(events.iter().any(|(_, d)| d["format"] == "xlsx"));
    assert!(
        events.iter().any(|(_, d)| d["format"] == "csv-sjis"
            && d["replaced_characters"].as_u64() >= Some(listed.len() as u64)),
        "each 〜 of a period of use counted: {events:?}"
    );
}

/// The ledger's `registered_on` column.
const REGISTERED_ON: usize = 9;

pub async fn exports_write_era_dates_and_never_a_formula(app: &TestApp) {
    let formula = "=HYPERLINK(\"x\")";
    let injected = class1_service(app, formula).await;
    let before = class1_service(app, "元号の境界テスト前").await;
    let after = class1_service(app, "元号の境界テスト後").await;
    // The last day of 平成 and the first of 令和, set in the database.
    for (id, day) in [(before, "2019-04-30"), (after, "2019-05-01")] {
        sqlx::query("UPDATE services SET registered_on = $1 WHERE id = $2")
            .bind(day)
            .bind(id)
            .execute(app.st.store.pool())
            .await
            .expect("set the day");
    }
    let im = app.browser("im").await;

    // A value a spreadsheet would run is written as text: `'` before it in CSV, a string
    // cell in the workbook.
    let (_, _, body) = download(&im, "/services/export?format=csv").await;
    let rows = utf8_csv(&body);
    let row = rows
        .iter()
        .find(|r| r[0] == injected.to_string())
        .expect("the service");
    assert_eq!(row[1], format!("'{formula}"));
    assert!(
        rows.iter()
            .flatten()
            .all(|f| !f.starts_with(['=', '+', '@'])),
        "no field starts a formula"
    );
    let (_, _, xlsx) = download(&im, "/services/export?format=xlsx").await;
    let (range, styles) = workbook(&xlsx);
    let cells: Vec<&Data> = range.rows().map(|r| &r[1]).collect();
    assert!(cells.contains(&&Data::String(formula.to_string())));
    assert!(styles.contains("formatCode=\"yyyy/mm/dd\""), "{styles}");

    // Western dates: ISO 8601 in CSV, date cells in the workbook; only the filtered rows.
    let q = "q=%E5%85%83%E5%8F%B7%E3%81%AE%E5%A2%83%E7%95%8C&sort=name&dir=asc";
    let (_, _, body) = download(&im, &format!("/services/export?format=csv&{q}")).await;
    let rows = utf8_csv(&body);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0][REGISTERED_ON], "台帳登録日");
    assert_eq!(rows[1][REGISTERED_ON], "2019-04-30", "前 sorts before 後");
    assert_eq!(rows[2][REGISTERED_ON], "2019-05-01");
    let (_, _, xlsx) = download(&im, &format!("/services/export?format=xlsx&{q}")).await;
    let (range, _) = workbook(&xlsx);
    let serials: Vec<(bool, f64)> = range
        .rows()
        .skip(1)
        .map(|r| match &r[REGISTERED_ON] {
            Data::DateTime(d) => (d.is_datetime(), d.as_f64()),
            other => panic!("not a date cell: {other:?}"),
        })
        .collect();
    assert_eq!(serials, [(true, 43585.0), (true, 43586.0)]);

    // The city writes the Japanese era: so do its exports, at the boundary too.
    let admin = app.browser("admin").await;
    let (s, _, _) = admin
        .post("/admin/date-style", &[("date_style", "era")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, body) = download(&im, &format!("/services/export?format=csv&{q}")).await;
    let rows = utf8_csv(&body);
    assert_eq!(rows[1][REGISTERED_ON], "平成31年4月30日");
    assert_eq!(rows[2][REGISTERED_ON], "令和元年5月1日");
    let (_, _, sjis) = download(&im, &format!("/services/export?format=csv-sjis&{q}")).await;
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!bad);
    assert_eq!(lines(&text), rows);
    // In the workbook the cell stays a date, shown in the era by its number format.
    let (_, _, xlsx) = download(&im, &format!("/services/export?format=xlsx&{q}")).await;
    let (range, styles) = workbook(&xlsx);
    assert!(
        styles.contains("[$-ja-JP-x-gannen]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"),
        "{styles}"
    );
    assert!(
        matches!(range.rows().nth(1).map(|r| &r[REGISTERED_ON]), Some(Data::DateTime(d)) if d.as_f64() == 43585.0)
    );

    // English headers in the English UI, where the era is not used.
    let (s, _, _) = im.post("/lang", &[("lang", "en"), ("back", "/")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, cd, body) = download(&im, &format!("/services/export?format=csv&{q}")).await;
    let rows = utf8_csv(&body);
    assert_eq!(rows[0][..3], ["ID", "Service name", "Provider"]);
    assert_eq!(rows[1][REGISTERED_ON], "2019-04-30");
    assert!(cd.contains("filename*=UTF-8''System%20ledger_"), "{cd}");

    // `gaibu export` writes the same, as a user sees it (here in Japanese, which im has just
    // left for English), and is audited too.
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("ledger.csv");
    let cli = <gaibu::cli::Cli as clap::Parser>::try_parse_from([
        "gaibu",
        "export",
        "services",
        "--format",
        "csv",
        "--filter",
        "q=元号の境界",
        "--filter",
        "sort=name",
        "--filter",
        "dir=asc",
        "--as",
        "im",
        "--lang",
        "ja",
        "--out",
        out.to_str().expect("path"),
        "--database-url",
        &app.db_url,
    ])
    .expect("arguments");
    assert_eq!(gaibu::cli::run(cli).await.expect("export"), 0);
    let file = utf8_csv(&std::fs::read(&out).expect("the file"));
    assert_eq!(file.len(), 3);
    assert_eq!(
        file[2][REGISTERED_ON], "令和元年5月1日",
        "in Japanese, the city's era"
    );
    let im_id = app.user_id("im").await;
    let events = exports(app).await;
    assert!(events.iter().any(|(a, d)| d["via"] == "cli"
        && d["list"] == "services"
        && d["rows"] == 2
        && *a == Some(im_id)));
}
