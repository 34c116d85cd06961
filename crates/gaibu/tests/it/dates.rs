//! Dates the Japanese way (issue 10, item 10): one format on every page in the reader's
//! language — `2026年12月1日` in Japanese, `1 Dec 2026` in English — with the Japanese era
//! (`令和8年12月1日`) as the city's setting, which each user may override; both changes are
//! audited.

use crate::harness::{Browser, TestApp, id_of};
use reqwest::StatusCode;

/// Every `<time>` element of a page: (its `datetime`, its text).
fn times(html: &str) -> Vec<(String, String)> {
    html.split("<time datetime=\"")
        .skip(1)
        .filter_map(|rest| {
            let (machine, rest) = rest.split_once("\">")?;
            let (text, _) = rest.split_once("</time>")?;
            Some((machine.to_string(), text.to_string()))
        })
        .collect()
}

/// What a reader sees of a page: its text without the markup.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// How a moment (`2026-11-29T00:36+09:00`) reads in Japanese (`2026年11月29日 00:36`) and in
/// English (`29 Nov 2026 00:36`).
fn expected(machine: &str) -> (String, String) {
    let (day, time) = machine.split_once('T').expect("a moment");
    let hm = &time[..5];
    let mut ymd = day
        .split('-')
        .map(|p| p.parse::<usize>().expect("a number"));
    let (y, m, d) = (
        ymd.next().expect("y"),
        ymd.next().expect("m"),
        ymd.next().expect("d"),
    );
    assert!(time.ends_with("+09:00"), "Japan's time: {machine}");
    (
        format!("{y}年{m}月{d}日 {hm}"),
        format!("{d} {} {y} {hm}", MONTHS[m - 1]),
    )
}

async fn page(b: &Browser, path: &str) -> String {
    let (s, html) = b.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}");
    html
}

async fn switch_language(b: &Browser, lang: &str) {
    let (s, _, _) = b.post("/lang", &[("lang", lang), ("back", "/")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{lang}");
}

/// The audit events of one action, as (before, after).
async fn events(app: &TestApp, action: gaibu_domain::audit::Action) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT COALESCE(before_json, ''), COALESCE(after_json, '') FROM audit_events \
         WHERE action = $1 ORDER BY seq",
    )
    .bind(action.as_str())
    .fetch_all(app.st.store.pool())
    .await
    .expect("events")
}

const JA: &str = "<time datetime=\"2026-12-01\">2026年12月1日</time>〜<time datetime=\"2027-03-31\">2027年3月31日</time>";
const EN: &str = "<time datetime=\"2026-12-01\">1 Dec 2026</time> – <time datetime=\"2027-03-31\">31 Mar 2027</time>";
const ERA: &str = "<time datetime=\"2026-12-01\">令和8年12月1日</time>〜<time datetime=\"2027-03-31\">令和9年3月31日</time>";

pub async fn dates_follow_the_language_and_the_city_s_era_setting(app: &TestApp) {
    let (s, a) = app
        .api("im")
        .await
        .create_application("日付の表示の確認", "1")
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let path = format!("/applications/{}", id_of(&a));
    let im = app.browser("im").await;

    // Japanese: the period with 〜, the history's times to the minute in Japan, and no ISO
    // date anywhere a reader sees.
    let html = page(&im, &path).await;
    assert!(html.contains(JA), "{html}");
    let moments: Vec<_> = times(&html)
        .into_iter()
        .filter(|(m, _)| m.contains('T'))
        .collect();
    assert!(!moments.is_empty(), "the history has its times: {html}");
    for (machine, text) in &moments {
        assert_eq!(*text, expected(machine).0, "{machine}");
    }
    let seen = visible(&html);
    assert!(
        !seen
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .any(|w| w.len() == 10 && w.as_bytes()[4] == b'-' && w.as_bytes()[7] == b'-'),
        "an ISO date shown: {seen}"
    );
    let (s, list) = im.get("/applications").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        times(&list)
            .iter()
            .any(|(m, text)| m.contains('T') && *text == expected(m).0),
        "the list writes its times the same way: {list}"
    );

    // English: `1 Dec 2026`, with an en dash.
    switch_language(&im, "en").await;
    let html = page(&im, &path).await;
    assert!(html.contains(EN), "{html}");
    for (machine, text) in times(&html).iter().filter(|(m, _)| m.contains('T')) {
        assert_eq!(*text, expected(machine).1, "{machine}");
    }
    switch_language(&im, "ja").await;

    // The System Administrator sets the city's default to the Japanese era: audited.
    let admin = app.browser("admin").await;
    let html = page(&admin, "/admin").await;
    assert!(
        html.contains("name=\"date_style\" value=\"western\" checked"),
        "{html}"
    );
    let (s, to, _) = admin
        .post("/admin/date-style", &[("date_style", "era")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/admin"), "{to}");
    let html = page(&admin, "/admin").await;
    assert!(
        html.contains("日付の表示を変更しました。"),
        "a flash: {html}"
    );
    assert!(
        html.contains("name=\"date_style\" value=\"era\" checked"),
        "{html}"
    );
    let changed = events(app, gaibu_domain::audit::Action::DateStyleChanged).await;
    assert_eq!(
        changed,
        vec![(
            "{\"date_style\":null}".to_string(),
            "{\"date_style\":\"era\"}".to_string()
        )]
    );

    // Every Japanese page now writes the era; English pages ignore it.
    let html = page(&im, &path).await;
    assert!(html.contains(ERA), "{html}");
    for (machine, text) in times(&html).iter().filter(|(m, _)| m.contains('T')) {
        assert!(text.starts_with("令和"), "{machine}: {text}");
    }
    switch_language(&im, "en").await;
    assert!(page(&im, &path).await.contains(EN));
    switch_language(&im, "ja").await;

    // A user goes back to the Western calendar for themselves (audited); the others keep the
    // city's era; "as the city sets it" follows the city again.
    let html = page(&im, "/account").await;
    assert!(
        html.contains("name=\"date_style\" value=\"city\" checked"),
        "{html}"
    );
    let (s, to, _) = im
        .post("/account/date-style", &[("date_style", "western")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/account"), "{to}");
    assert!(page(&im, &path).await.contains(JA));
    assert!(
        page(&im, "/account")
            .await
            .contains("name=\"date_style\" value=\"western\" checked")
    );
    let ism = app.browser("ism").await;
    let html = page(&ism, "/applications").await;
    let shown = times(&html);
    assert!(
        !shown.is_empty() && shown.iter().all(|(_, text)| text.starts_with("令和")),
        "{html}"
    );
    let (s, _, _) = im
        .post("/account/date-style", &[("date_style", "city")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(page(&im, &path).await.contains(ERA));
    let own = events(app, gaibu_domain::audit::Action::UserDateStyleChanged).await;
    let afters: Vec<&str> = own.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        afters,
        ["{\"date_style\":\"western\"}", "{\"date_style\":null}"]
    );

    // Only a System Administrator sets the city's; a value no form offers is refused.
    let (s, _, _) = im
        .post("/admin/date-style", &[("date_style", "western")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = admin
        .post("/admin/date-style", &[("date_style", "meiji")])
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, _) = im.post("/account/date-style", &[("date_style", "")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        events(app, gaibu_domain::audit::Action::DateStyleChanged)
            .await
            .len(),
        1
    );

    // The JSON API keeps ISO 8601.
    let (_, v) = app
        .api("im")
        .await
        .get(&format!("/applications/{}", id_of(&a)))
        .await;
    assert_eq!(v["fields"]["period_from"], "2026-12-01", "{v}");
}
