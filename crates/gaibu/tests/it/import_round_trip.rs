//! Issue 11: the ledger and the usage register taken out as files and brought back in give the
//! same records — read back as unchanged, and, renamed as new services, exported again cell for
//! cell as they went out — in .xlsx, UTF-8 CSV and Shift_JIS CSV, with era dates.

use crate::export::{download, utf8_csv};
use crate::harness::TestApp;
use crate::import::acting;
use gaibu::import::table::Encoding;
use gaibu::import::{Doing, Kind, Upload, check, import};

async fn checked(app: &TestApp, kind: Kind, name: &str, bytes: &[u8]) -> [usize; 4] {
    let ism = acting(app, "ism").await;
    let f = Upload {
        name,
        bytes,
        encoding: Encoding::Detect,
        map: &[],
    };
    let c = check(&app.st, &ism, kind, &f)
        .await
        .expect("db")
        .unwrap_or_else(|_| panic!("{name} is read and mapped"));
    let errors: Vec<_> = c.lines.iter().filter(|l| l.what.is_err()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    gaibu::import::counts(&c.lines)
}

/// A CSV as gaibu writes one (UTF-8 with a byte-order mark, CRLF, every field quoted).
fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

// clause: S5.2.2-3 — the ledger exported and imported again is the same ledger
// clause: S5.2.1-5a–h — so is the usage register, all eight fields
pub async fn the_ledger_and_register_come_back_the_same(app: &TestApp) {
    let b = app.browser("ism").await;
    // Out and in again, in each format: every row is the record as it is.
    for format in ["xlsx", "csv", "csv-sjis"] {
        let (_, _, ledger) = download(
            &b,
            &format!("/services/export?format={format}&status=in_operation"),
        )
        .await;
        let [create, update, unchanged, _] =
            checked(app, Kind::Ledger, &format!("ledger.{format}"), &ledger).await;
        assert_eq!((create, update), (0, 0), "{format}");
        assert!(
            unchanged > 0,
            "{format}: the demo has services in operation"
        );
        let (_, _, register) = download(&b, &format!("/register/export?format={format}")).await;
        let [create, update, unchanged, _] = checked(
            app,
            Kind::Register,
            &format!("register.{format}"),
            &register,
        )
        .await;
        assert_eq!((create, update), (0, 0), "{format}");
        assert!(unchanged > 0, "{format}");
    }

    // The city writes its dates in the Japanese era: the CSV says 令和…, and reads back the same.
    let admin = app.browser("admin").await;
    let (s, _, _) = admin
        .post("/admin/date-style", &[("date_style", "era")])
        .await;
    assert_eq!(s, reqwest::StatusCode::SEE_OTHER);
    let b = app.browser("ism").await;
    let (_, _, body) = download(&b, "/services/export?format=csv&status=in_operation").await;
    let rows = utf8_csv(&body);
    assert!(
        rows[1]
            .iter()
            .any(|c| c.starts_with("令和") || c.starts_with("平成")),
        "{:?}",
        rows[1]
    );
    let [create, update, ..] = checked(app, Kind::Ledger, "era.csv", &body).await;
    assert_eq!((create, update), (0, 0));

    // The same rows as new services (renamed): imported, then exported again, they are the
    // rows that went out but for their names and what gaibu itself keeps (id, approval, the
    // next check). Then their register entries, the same way.
    let created = copy_back(
        app,
        "/services/export?format=csv&status=in_operation",
        Kind::Ledger,
        &["ID", "承認日時", "次回の定期点検期限"],
        None,
    )
    .await;
    copy_back(
        app,
        "/register/export?format=csv",
        Kind::Register,
        &["ID"],
        Some(&created),
    )
    .await;
}

/// Exports `list`, renames each row's service (keeping only rows of `only` when given), imports
/// the renamed file as `kind`, exports again and compares: every column but `own` comes back
/// as it went. Answers the renamed services' names.
async fn copy_back(
    app: &TestApp,
    list: &str,
    kind: Kind,
    own: &[&str],
    only: Option<&[String]>,
) -> Vec<String> {
    let b = app.browser("ism").await;
    let (_, _, body) = download(&b, list).await;
    let rows = utf8_csv(&body);
    let head = rows[0].clone();
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {head:?}"))
    };
    let name = col("外部サービスの名称");
    let copy: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r[name] = format!("{}（複製）", r[name]);
            r
        })
        .filter(|r| only.is_none_or(|o| o.contains(&r[name])))
        .collect();
    assert!(!copy.is_empty(), "{list}");
    let file = csv(&std::iter::once(head.clone())
        .chain(copy.clone())
        .collect::<Vec<_>>());
    let ism = acting(app, "ism").await;
    let f = Upload {
        name: "copy.csv",
        bytes: &file,
        encoding: Encoding::Detect,
        map: &[],
    };
    let (c, done) = import(&app.st, &ism, kind, &f, &|| {}).await.expect("db");
    let c = c.unwrap_or_else(|_| panic!("read"));
    assert!(
        c.lines
            .iter()
            .all(|l| matches!(l.what, Ok(Doing::Create(_)))),
        "{list}: {:?}",
        c.lines
    );
    assert_eq!(done.expect("imported").created as usize, copy.len());
    let sep = if list.contains('?') { '&' } else { '?' };
    let (_, _, again) = download(&b, &format!("{list}{sep}q={}", urlencode("（複製）"))).await;
    let again = utf8_csv(&again);
    assert_eq!(again[0], head);
    let mut went = copy;
    let mut came: Vec<Vec<String>> = again[1..].to_vec();
    went.sort_by_key(|r| r[name].clone());
    came.sort_by_key(|r| r[name].clone());
    assert_eq!(went.len(), came.len(), "{list}");
    let own: Vec<usize> = own.iter().map(|h| col(h)).collect();
    for (w, c) in went.iter().zip(&came) {
        for i in (0..head.len()).filter(|i| !own.contains(i)) {
            assert_eq!(w[i], c[i], "{list}: {} of {}", head[i], w[name]);
        }
    }
    went.into_iter().map(|r| r[name].clone()).collect()
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
