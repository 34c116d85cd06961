//! The requirement-sheet pages as staff use them (issue 10, items 4 and 9): an application that
//! can no longer be edited shows its answers read-only, in words, grouped as the sheet groups
//! them; the form names every field after its question; the problem list links to the items;
//! a returned and resubmitted application shows what changed between the rounds.

use crate::flows::{checked_class1, prepared};
use crate::harness::{TestApp, id_of, version_of};
use gaibu_domain::classification::Track;
use gaibu_domain::sheet::{AnswerType, Item};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;

/// The opening tags `<name …>` in `html`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        if matches!(after.as_bytes().get(open.len()), Some(b' ' | b'>')) {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// The value of attribute `name` of an opening tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

/// The text of the element whose opening tag holds `key` (` id="x"`, ` for="x"`), tags
/// stripped and spaces collapsed; empty when there is none.
fn text_where(html: &str, key: &str) -> String {
    let Some(i) = html.find(key) else {
        return String::new();
    };
    let start = html[..i].rfind('<').unwrap_or(0);
    let name: String = html[start + 1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let body = i + html[i..].find('>').map_or(0, |e| e + 1);
    let end = html[body..]
        .find(&format!("</{name}>"))
        .map_or(html.len(), |e| body + e);
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[body..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A form field's accessible name: its `aria-labelledby` texts, else its `<label for>`, else
/// its `aria-label`.
fn accessible_name(html: &str, tag: &str) -> String {
    if let Some(ids) = attr(tag, "aria-labelledby") {
        return ids
            .split_whitespace()
            .map(|id| text_where(html, &format!(" id=\"{id}\"")))
            .collect::<Vec<_>>()
            .join(" ");
    }
    if let Some(id) = attr(tag, "id") {
        let label = text_where(html, &format!(" for=\"{id}\""));
        if !label.is_empty() {
            return label;
        }
    }
    attr(tag, "aria-label").unwrap_or("").to_string()
}

/// The part of a page from the element with `id` to the end of its form.
fn form_part<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"));
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// Every anchor `#item-…` the page links to under `prefix`.
fn item_links(html: &str, prefix: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|a| attr(a, "href")?.strip_prefix(prefix).map(str::to_string))
        .collect()
}

async fn sheet_items(app: &TestApp, track: Track) -> Vec<Item> {
    gaibu::policies::sheet_in_force(&app.st, track)
        .await
        .expect("sheet")
        .doc
        .items
}

// An approved application's sheet is read, not edited: the answers in words with comments,
// grouped by section, no form and no link to one.
// clause: S5.2.2-1, S5.2.2-2, S4.1
pub async fn approved_application_shows_its_sheet_read_only(app: &TestApp) {
    let items = sheet_items(app, Track::Class1).await;
    let sheet = gaibu::policies::sheet_in_force(&app.st, Track::Class1)
        .await
        .expect("sheet");
    let no_item = items
        .iter()
        .find(|i| i.answer == AnswerType::YesNoNa && !i.blocking)
        .expect("a yes/no item that does not block");
    let (id, a) = checked_class1(app, "im", "読むだけの会議").await;
    let im = app.api("im").await;
    let mut answers = app.met_answers().await;
    answers[&no_item.id] = json!({"value": "no", "comment": "庁内規程で代替する"});
    let (s, a) = im.self_check(id, version_of(&a), answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = im.approve(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");

    let b = app.browser("im").await;
    let (_, page) = b.get(&format!("/applications/{id}")).await;
    assert!(
        !page.contains("id=\"open-self-check\""),
        "no edit form offered"
    );
    assert!(
        page.contains(&format!(
            "href=\"/applications/{id}/self-check\" id=\"view-sheet\""
        )),
        "the answers are one link away"
    );
    let (s, html) = b.get(&format!("/applications/{id}/self-check")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"read-only-notice\""), "{html}");
    assert!(
        !html.contains(&format!("action=\"/applications/{id}/self-check\"")),
        "no form: {html}"
    );
    assert!(!html.contains("name=\"answer."), "no answer field");
    // Each answer in words under its item; the raw code never.
    let answer_of = |item: &str| {
        let at = html
            .find(&format!("id=\"item-{item}\""))
            .unwrap_or_else(|| panic!("item {item} shown"));
        text_where(&html[at..], "class=\"answer-value\"")
    };
    assert_eq!(answer_of(&no_item.id), "いいえ");
    assert!(html.contains("庁内規程で代替する"), "the comment is shown");
    for i in &items {
        let shown = answer_of(&i.id);
        match i.answer {
            AnswerType::YesNoNa if i.id != no_item.id => assert_eq!(shown, "はい"),
            AnswerType::Choice => {
                let o = &i.options[0];
                assert_eq!(shown, o.label_ja, "a choice reads as its label");
                assert!(!html.contains(&format!(">{}<", o.code)), "no raw code");
            }
            _ => assert!(!shown.is_empty(), "{} answered", i.id),
        }
    }
    for code in ["yes", "no", "na"] {
        assert!(!html.contains(&format!(">{code}<")), "raw {code} shown");
    }
    // Grouped by the sheet's sections, with the progress of each and of the whole.
    for s in &sheet.doc.sections {
        assert!(html.contains(&format!("id=\"section-{}\"", s.id)));
        assert!(html.contains(&s.title_ja));
    }
    let n = items.len();
    assert!(
        html.contains(&format!("max=\"{n}\" value=\"{n}\"")),
        "progress"
    );
    // Saving is not offered, and a forged save is still refused.
    let (s, _, _) = b.post_step(app, id, "self-check", &[]).await;
    assert!(s.is_client_error(), "{s}");
}

// The sheet form: a fieldset and legend per yes/no item, a label per other field, every field
// named after its question and no two alike; a field in error says so and points at why.
// clause: S3.1, S3.2a
pub async fn sheet_form_names_every_field(app: &TestApp) {
    let items = sheet_items(app, Track::Class2Plus).await;
    let (id, _) = prepared(app, "im", "名前のある項目").await;
    let b = app.browser("im").await;
    let (s, page) = b.get(&format!("/applications/{id}/self-check")).await;
    assert_eq!(s, StatusCode::OK);
    let form = form_part(&page, "self-check-form");
    assert!(!page.contains("ブロック"), "no jargon");
    assert!(
        !form.contains("<span class=\"clause\">S"),
        "one citation style"
    );
    assert!(form.contains("<span class=\"clause\">基準 "));

    let radio_items: Vec<&Item> = items
        .iter()
        .filter(|i| i.answer == AnswerType::YesNoNa)
        .collect();
    assert_eq!(tags(form, "fieldset").len(), radio_items.len());
    for i in &radio_items {
        let at = form
            .find(&format!("id=\"item-{}\"", i.id))
            .unwrap_or_else(|| panic!("{}", i.id));
        let block = &form[at..];
        let end = block.find("</fieldset>").expect("fieldset closed");
        let legend = format!("<legend><span class=\"question\" id=\"q-{}\">", i.id);
        assert!(
            block[..end].contains(&legend),
            "{}: the question is the legend of its group",
            i.id
        );
        assert_eq!(text_where(block, &format!(" id=\"q-{}\"", i.id)), i.text_ja);
        assert_eq!(block[..end].matches("type=\"radio\"").count(), 3);
    }
    let mut names = HashSet::new();
    let fields = [
        tags(form, "input"),
        tags(form, "select"),
        tags(form, "textarea"),
    ]
    .concat();
    for f in fields {
        if matches!(attr(f, "type"), Some("hidden" | "radio")) {
            continue;
        }
        let name = accessible_name(&page, f);
        assert!(!name.is_empty(), "{f} has no name");
        assert!(names.insert(name.clone()), "two fields named {name}");
    }
    for i in items.iter().filter(|i| i.answer != AnswerType::YesNoNa) {
        let tag = tags(form, "select")
            .into_iter()
            .chain(tags(form, "input"))
            .chain(tags(form, "textarea"))
            .find(|t| attr(t, "name") == Some(format!("answer.{}", i.id).as_str()))
            .unwrap_or_else(|| panic!("{}", i.id));
        assert!(
            accessible_name(&page, tag).contains(&i.text_ja),
            "{} is named by its question",
            i.id
        );
    }
    // Comments only where a reason can be needed, named after their item.
    let comment = tags(form, "input")
        .into_iter()
        .find(|t| attr(t, "name") == Some(format!("comment.{}", radio_items[0].id).as_str()))
        .expect("a comment on a yes/no item");
    assert!(accessible_name(&page, comment).starts_with(&radio_items[0].text_ja));
    let text_item = items
        .iter()
        .find(|i| i.answer == AnswerType::Text)
        .expect("a text item");
    assert!(!form.contains(&format!("name=\"comment.{}\"", text_item.id)));
    assert!(form.contains("class=\"badge required\">必須</span>"));

    // Wrong values come back with each field marked and pointing at its message.
    let date = items
        .iter()
        .find(|i| i.answer == AnswerType::Date)
        .expect("a date item");
    let radio = radio_items[0];
    let wrong = [
        (format!("answer.{}", date.id), "2026-13-45".to_string()),
        (format!("answer.{}", radio.id), "maybe".to_string()),
    ];
    let pairs: Vec<(&str, &str)> = wrong
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, _, page) = b.post_step(app, id, "self-check", &pairs).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for item in [date, radio] {
        let err = format!("err-{}", item.id);
        assert!(
            !text_where(&page, &format!(" id=\"{err}\"")).is_empty(),
            "{err}"
        );
        let at = page
            .find(&format!("id=\"item-{}\"", item.id))
            .expect("item");
        let field = tags(&page[at..], "input")[0];
        assert_eq!(attr(field, "aria-invalid"), Some("true"), "{field}");
        let described = if item.answer == AnswerType::Date {
            attr(field, "aria-describedby")
        } else {
            attr(tags(&page[at..], "fieldset")[0], "aria-describedby")
        };
        assert!(described.is_some_and(|d| d.contains(&err)), "{}", item.id);
        let issue = format!(" id=\"issue-{}\"", item.id);
        assert!(!page.contains(&issue), "the error is said once");
    }
}

// The problem list on the application page names each item with its clause and links to it on
// the sheet, where the anchor exists.
// clause: S5.2.2-1
pub async fn problem_list_links_to_the_items(app: &TestApp) {
    let items = sheet_items(app, Track::Class1).await;
    let im = app.api("im").await;
    let (_, a) = im.create_application("途中の要件確認", "1").await;
    let id = id_of(&a);
    let no_item = items
        .iter()
        .find(|i| i.answer == AnswerType::YesNoNa && !i.blocking)
        .expect("a yes/no item that does not block");
    let mut answers = json!({});
    answers[&no_item.id] = json!({"value": "no"});
    let (s, a) = im.self_check(id, version_of(&a), answers).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let b = app.browser("im").await;
    let (_, page) = b.get(&format!("/applications/{id}")).await;
    assert!(page.contains("未回答または要件を満たさない項目"), "{page}");
    let links = item_links(&page, &format!("/applications/{id}/self-check#item-"));
    assert!(links.len() >= items.len(), "every item listed: {links:?}");
    assert!(links.contains(&no_item.id));
    assert!(
        page.contains("<span class=\"clause\">基準 "),
        "cited as the standard"
    );
    assert!(
        !page.contains("<span class=\"clause\">S"),
        "one citation style"
    );
    let (_, sheet) = b.get(&format!("/applications/{id}/self-check")).await;
    for item in &links {
        assert!(
            sheet.contains(&format!("id=\"item-{item}\"")),
            "the sheet has an anchor for {item}"
        );
        // The error page's links back (`…/applications/{id}#item-…`) land on the list.
        assert!(page.contains(&format!("<li id=\"item-{item}\">")), "{item}");
    }
    // The item says what is missing next to its answer, and is marked required.
    let at = sheet
        .find(&format!("id=\"item-{}\"", no_item.id))
        .expect("item");
    assert!(
        text_where(&sheet[at..], "class=\"item-issue\"").contains("理由をコメントに記入"),
        "the missing reason is named at the item"
    );
    assert!(
        sheet.contains(&format!("max=\"{}\" value=\"1\"", items.len())),
        "progress: one of all answered"
    );
}

/// Sets `item`'s answer in `answers` to `value` with `comment`.
fn answered(mut answers: Value, item: &str, value: &str, comment: &str) -> Value {
    answers[item] = json!({"value": value, "comment": comment});
    answers
}

// After a return and a changed answer, the read-only sheet marks the changed item with its
// previous answer, and the rounds comparison shows both in words.
// clause: S3.4b, S3.1
pub async fn changes_between_rounds_are_shown(app: &TestApp) {
    let items = sheet_items(app, Track::Class2Plus).await;
    let item = items
        .iter()
        .find(|i| i.answer == AnswerType::YesNoNa && !i.blocking && i.show_if.is_none())
        .expect("a yes/no item");
    let (id, v) = prepared(app, "im", "差分の見えるクラウド").await;
    let im = app.api("im").await;
    let ism = app.api("ism").await;
    let (s, a) = im.submit(id, v).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let reasons = json!({"reason": "回答を見直してください"});
    let (s, r) = ism.decide(id, version_of(&a), "return", reasons).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let answers = answered(
        app.met_answers_for(Track::Class2Plus).await,
        &item.id,
        "na",
        "業務で使わない機能のため",
    );
    let (s, a) = im
        .self_check(id, version_of(&r["application"]), answers)
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");

    // While revising, the applicant sees what differs from what was submitted.
    let b = app.browser("im").await;
    let (_, form) = b.get(&format!("/applications/{id}/self-check")).await;
    assert!(
        form.contains(&format!("changed\" id=\"item-{}\"", item.id)),
        "{form}"
    );
    assert!(text_where(&form, "id=\"changes-notice\"").contains('1'));

    let (s, a) = im.submit(id, version_of(&a)).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    // The ISM reads the resubmitted sheet: the changed item marked, before and after in words.
    let reviewer = app.browser("ism").await;
    let (s, html) = reviewer
        .get(&format!("/applications/{id}/self-check"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"read-only-notice\""));
    let at = html
        .find(&format!("changed\" id=\"item-{}\"", item.id))
        .expect("the changed item is marked");
    let block = &html[at..];
    assert_eq!(text_where(block, "class=\"answer-value\""), "該当なし");
    assert_eq!(text_where(block, "class=\"previous\""), "はい");
    assert!(block.contains("業務で使わない機能のため"));
    let marked = html.matches("class=\"badge changed\"").count();
    assert_eq!(marked, 1, "only the changed item is marked");
    assert!(html.contains(&format!(
        "href=\"/applications/{id}/rounds\" id=\"compare-rounds\""
    )));
    assert!(
        html.contains("id=\"evaluation\""),
        "the evaluation is read too"
    );

    // The comparison of rounds: the item, linked to the sheet, with both answers in words.
    let (_, rounds) = reviewer.get(&format!("/applications/{id}/rounds")).await;
    let at = rounds
        .find(&format!("data-item=\"{}\"", item.id))
        .expect("the item's change");
    let row = &rounds[at..at + rounds[at..].find("</tr>").expect("row")];
    assert!(row.contains(&format!("/applications/{id}/self-check#item-{}", item.id)));
    assert!(row.contains("はい") && row.contains("該当なし"), "{row}");
    assert!(!row.contains(">na<") && !row.contains(">yes<"), "{row}");

    // Approved, the applicant still reads the changes, and no form is offered.
    let (s, r) = ism.decide(id, version_of(&a), "approve", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, page) = b.get(&format!("/applications/{id}")).await;
    assert!(!page.contains("id=\"open-self-check\""));
    assert!(!page.contains("id=\"open-evaluation\""));
    let (_, html) = b.get(&format!("/applications/{id}/self-check")).await;
    assert!(!html.contains("name=\"answer."));
    assert!(html.contains(&format!("changed\" id=\"item-{}\"", item.id)));
}
