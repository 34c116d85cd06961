use super::*;
use crate::policy::parse;

const CLASS1: &str = include_str!("../../../../../policy/sheets/class1.toml");
const CLASS2: &str = include_str!("../../../../../policy/sheets/class2plus.toml");
const THREE: &str = include_str!("../../../../../policy/classification/three-level.toml");
const FIVE: &str = include_str!("../../../../../policy/classification/five-level.toml");
const ACCOUNTS: &str = include_str!("../../../../../policy/accounts/official-accounts.toml");
const LIFE: &str = include_str!("../../../../../policy/lifecycle/service-life.toml");

fn doc(text: &str) -> PolicyDocument {
    parse(text).expect("test policy parses")
}

fn sheet(text: &str) -> Sheet {
    match doc(text) {
        PolicyDocument::Sheet { sheet, .. } => sheet,
        _ => panic!("not a sheet"),
    }
}

/// The class-1 sheet with its items edited by `f`, as a document.
fn edited(f: impl FnOnce(&mut Sheet)) -> PolicyDocument {
    let PolicyDocument::Sheet {
        header,
        track,
        mut sheet,
    } = doc(CLASS1)
    else {
        panic!("not a sheet")
    };
    f(&mut sheet);
    PolicyDocument::Sheet {
        header,
        track,
        sheet,
    }
}

fn find<'a>(changes: &'a [EntryChange], part: &str, id: &str) -> &'a EntryChange {
    changes
        .iter()
        .find(|c| c.part == part && c.id == id)
        .unwrap_or_else(|| panic!("no change to {part} {id}: {changes:?}"))
}

fn text_value(s: &str) -> Option<FieldValue> {
    Some(FieldValue::Text(s.into()))
}

// clause: S1.3 — the CISO sees what a version changes before approving it
#[test]
fn a_sheet_lists_its_added_removed_and_changed_items() {
    let old = doc(CLASS1);
    let first = sheet(CLASS1).items[0].clone();
    let new = edited(|s| {
        // c1-no-class2: reworded, no longer blocking; c1-allowed-info removed; one new item.
        s.items[0].text_ja = "改めた質問".into();
        s.items[0].blocking = false;
        s.items.remove(1);
        let mut added = first.clone();
        added.id = "c1-new".into();
        added.text_ja = "新しい確認事項".into();
        added.text_en = "A new requirement".into();
        added.show_if = Some(Condition {
            field: "availability".into(),
            any_of: vec!["2".into()],
        });
        s.items.push(added);
    });
    let changes = compare(&old, &new);
    assert_eq!(count(&changes, Change::Added), 1);
    assert_eq!(count(&changes, Change::Removed), 1);
    assert_eq!(count(&changes, Change::Changed), 1, "{changes:?}");

    let changed = find(&changes, "items", "c1-no-class2");
    assert_eq!(changed.change, Change::Changed);
    assert_eq!(changed.label_ja, "改めた質問", "the new wording names it");
    let fields: Vec<&str> = changed.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["text_ja", "blocking"]);
    assert_eq!(changed.fields[0].before, text_value(&first.text_ja));
    assert_eq!(changed.fields[0].after, text_value("改めた質問"));
    assert_eq!(changed.fields[1].before, Some(FieldValue::Flag(true)));
    assert_eq!(changed.fields[1].after, Some(FieldValue::Flag(false)));

    let removed = find(&changes, "items", "c1-allowed-info");
    assert_eq!(removed.change, Change::Removed);
    assert!(
        removed
            .label_ja
            .starts_with("サービスに入力してよい情報の範囲")
    );
    assert!(removed.fields.iter().all(|f| f.after.is_none()));
    assert!(
        removed
            .fields
            .iter()
            .any(|f| f.field == "answer" && f.before == text_value("text"))
    );

    let added = find(&changes, "items", "c1-new");
    assert_eq!(added.change, Change::Added);
    assert_eq!(added.label_en, "A new requirement");
    assert!(added.fields.iter().all(|f| f.before.is_none()));
    let when = added.fields.iter().find(|f| f.field == "show_if");
    assert_eq!(
        when.and_then(|f| f.after.clone()),
        Some(FieldValue::Condition(When {
            field: "availability".into(),
            any_of: vec!["2".into()],
        }))
    );
    // Added and changed entries in the new order, then the removed ones.
    let order: Vec<&str> = changes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["c1-no-class2", "c1-new", "c1-allowed-info"]);
}

#[test]
fn answer_types_options_and_conditions_are_compared() {
    let old = doc(CLASS1);
    let new = edited(|s| {
        let i = s
            .items
            .iter_mut()
            .find(|i| i.id == "c1-certifications")
            .expect("item");
        i.options.pop();
        let j = s
            .items
            .iter_mut()
            .find(|i| i.id == "c1-allowed-info")
            .expect("item");
        j.answer = AnswerType::Date;
        j.clause = String::new();
        j.show_if = Some(Condition {
            field: "answer:c1-no-class2".into(),
            any_of: vec!["yes".into()],
        });
    });
    let changes = compare(&old, &new);
    let cert = find(&changes, "items", "c1-certifications");
    assert_eq!(cert.fields.len(), 1);
    assert_eq!(cert.fields[0].field, "options");
    let Some(FieldValue::List(before)) = &cert.fields[0].before else {
        panic!("options are a list")
    };
    assert_eq!(
        before.last().map(String::as_str),
        Some("unknown: 不明 / Unknown")
    );
    let info = find(&changes, "items", "c1-allowed-info");
    let fields: Vec<(&str, Option<FieldValue>, Option<FieldValue>)> = info
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.before.clone(), f.after.clone()))
        .collect();
    assert_eq!(
        fields,
        [
            ("clause", text_value("S4.2a"), None),
            ("answer", text_value("text"), text_value("date")),
            (
                "show_if",
                None,
                Some(FieldValue::Condition(When {
                    field: "answer:c1-no-class2".into(),
                    any_of: vec!["yes".into()],
                }))
            ),
        ]
    );
    assert_eq!(answer_of_code("date"), Some(AnswerType::Date));
    assert_eq!(answer_of_code("essay"), None);
}

#[test]
fn the_same_document_changes_nothing() {
    for text in [CLASS1, CLASS2, THREE, FIVE, ACCOUNTS, LIFE] {
        assert_eq!(compare(&doc(text), &doc(text)), Vec::new());
    }
}

#[test]
fn the_header_shows_the_new_version() {
    let new = CLASS1.replace("version = \"2026.1\"", "version = \"2026.2\"");
    let changes = compare(&doc(CLASS1), &doc(&new));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].part, "document");
    assert_eq!(changes[0].fields[0].field, "version");
    assert_eq!(changes[0].fields[0].after, text_value("2026.2"));
}

#[test]
fn schemes_are_compared_level_by_level() {
    let changes = compare(&doc(THREE), &doc(FIVE));
    // The five-level scheme replaces level 3 with 3A–3C.
    assert_eq!(
        find(&changes, "confidentiality", "3").change,
        Change::Removed
    );
    for code in ["3A", "3B", "3C"] {
        let c = find(&changes, "confidentiality", code);
        assert_eq!(c.change, Change::Added);
        assert!(
            c.fields
                .iter()
                .any(|f| f.field == "track" && f.after == text_value("class2plus"))
        );
    }
    let parts: Vec<&str> = changes.iter().map(|c| c.part.as_str()).collect();
    let mut sorted = parts.clone();
    sorted.sort_by_key(|p| PARTS.iter().position(|q| q == p));
    assert_eq!(parts, sorted, "listed in the order of the parts");
}

#[test]
fn account_domains_are_added_and_removed() {
    let new = ACCOUNTS.replace(
        "identity_domains = [\"city.example.lg.jp\"]",
        "identity_domains = [\"city.example.jp\", \"ward.example.lg.jp\"]",
    );
    let changes = compare(&doc(ACCOUNTS), &doc(&new));
    assert_eq!(
        find(&changes, "identity_domains", "city.example.lg.jp").change,
        Change::Removed
    );
    assert_eq!(
        find(&changes, "identity_domains", "ward.example.lg.jp").change,
        Change::Added
    );
    assert_eq!(count(&changes, Change::Added), 2);
}

#[test]
fn service_life_intervals_and_reminders_are_compared() {
    let PolicyDocument::ServiceLife { header, mut policy } = doc(LIFE) else {
        panic!("not a service-life policy")
    };
    let old = PolicyDocument::ServiceLife {
        header: header.clone(),
        policy: policy.clone(),
    };
    let class = policy
        .check_interval_months
        .keys()
        .next()
        .cloned()
        .expect("an interval");
    let months = policy.check_interval_months[&class];
    policy
        .check_interval_months
        .insert(class.clone(), months + 1);
    policy.reminder_days = vec![7];
    policy.build[0].text_en = "Reworded".into();
    let changes = compare(&old, &PolicyDocument::ServiceLife { header, policy });
    let interval = find(&changes, "check_intervals", &class);
    assert_eq!(interval.fields[0].before, Some(FieldValue::Number(months)));
    assert_eq!(
        interval.fields[0].after,
        Some(FieldValue::Number(months + 1))
    );
    let settings = find(&changes, "settings", "");
    assert_eq!(settings.fields.len(), 1);
    assert_eq!(
        settings.fields[0].after,
        Some(FieldValue::List(vec!["7".into()]))
    );
    let build = changes.iter().find(|c| c.part == "build").expect("build");
    assert_eq!(build.fields[0].field, "text_en");
}

#[test]
fn every_part_and_field_is_named() {
    // The pages name every part and field: the lists must hold every one that is used.
    let docs = [CLASS1, CLASS2, THREE, FIVE, ACCOUNTS, LIFE].map(doc);
    for d in &docs {
        for e in entries(d) {
            assert!(PARTS.contains(&e.part), "{}", e.part);
            for (f, _) in e.fields {
                assert!(FIELDS.contains(&f), "{f}");
            }
        }
    }
    // Kinds that differ compare as everything removed and added (never a panic).
    let changes = compare(&docs[0], &docs[4]);
    assert!(count(&changes, Change::Removed) > 0 && count(&changes, Change::Added) > 0);
}

#[test]
fn repeated_ids_match_in_order() {
    let old = doc(CLASS1);
    let new = edited(|s| {
        let copy = s.sections[0].clone();
        s.sections.push(copy);
    });
    let changes = compare(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].part, "sections");
    assert_eq!(changes[0].change, Change::Added);
}
