//! Requirement sheets (別紙「外部サービス要件」) and the checking of answers (S3.1, S4.1, S5.2.2-1).
//!
//! A sheet's items are policy data. Each item has an answer type and a flag saying whether a
//! "no" blocks approval; any other "no" or "not applicable" must be justified in a comment.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerType {
    /// はい / いいえ / 該当なし
    YesNoNa,
    Text,
    Date,
    Choice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label_ja: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title_ja: String,
    pub title_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub section: String,
    #[serde(default)]
    pub clause: String,
    pub answer: AnswerType,
    /// A "no" to this item stops approval.
    #[serde(default)]
    pub blocking: bool,
    pub text_ja: String,
    pub text_en: String,
    #[serde(default)]
    pub options: Vec<Choice>,
    /// Shown and required only when this holds (e.g. availability 2, or another answer).
    #[serde(default)]
    pub show_if: Option<Condition>,
    /// Evidence (certificates, reports, contracts) is expected for this item.
    #[serde(default)]
    pub evidence: bool,
    /// What the answer to this item claims, for the checks that read it without naming the
    /// item: `ismap_registration` (the ISMAP / ISMAP-LIU registration number, cross-checked
    /// against the national lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<String>,
}

/// The answer is an ISMAP / ISMAP-LIU registration number (`claims = "ismap_registration"`).
pub const CLAIM_ISMAP_REGISTRATION: &str = "ismap_registration";

/// Every claim an item may make.
pub const CLAIMS: &[&str] = &[CLAIM_ISMAP_REGISTRATION];

/// When an item applies: `field` is `confidentiality`, `integrity`, `availability`, `handling`,
/// `citizen_facing` or `answer:<item id>`; the item applies when its value is one of `any_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: String,
    pub any_of: Vec<String>,
}

/// What conditions are judged against: the application's classification and scope.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub classification: crate::classification::Classification,
    pub citizen_facing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub sections: Vec<Section>,
    pub items: Vec<Item>,
}

/// One answer: the value (per the item's type) and a free comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub comment: String,
    /// Why no evidence file is attached to an item that expects one (S3.2c).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence_reason: String,
}

pub type Answers = BTreeMap<String, Answer>;

pub const YES: &str = "yes";
pub const NO: &str = "no";
pub const NOT_APPLICABLE: &str = "na";

/// What is wrong with the answer to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemProblem {
    pub item: String,
    pub code: &'static str,
}

impl Sheet {
    /// Checks the sheet itself when it is loaded.
    pub fn check(&self) -> Result<(), String> {
        if self.items.is_empty() {
            return Err("a sheet needs items".into());
        }
        let mut ids: Vec<&str> = self.items.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.items.len() {
            return Err("duplicate item ids".into());
        }
        for i in &self.items {
            if !self.sections.iter().any(|s| s.id == i.section) {
                return Err(format!("item {} names unknown section {}", i.id, i.section));
            }
            if i.answer == AnswerType::Choice && i.options.is_empty() {
                return Err(format!("choice item {} has no options", i.id));
            }
            if i.blocking && i.answer != AnswerType::YesNoNa {
                return Err(format!("only yes/no items can block: {}", i.id));
            }
            if let Some(c) = &i.claims
                && (!CLAIMS.contains(&c.as_str()) || i.answer != AnswerType::Text)
            {
                return Err(format!("item {} has an unknown claim {c}", i.id));
            }
            if let Some(c) = &i.show_if {
                let known = matches!(
                    c.field.as_str(),
                    "confidentiality"
                        | "integrity"
                        | "availability"
                        | "handling"
                        | "citizen_facing"
                ) || c
                    .field
                    .strip_prefix("answer:")
                    .is_some_and(|other| other != i.id && self.items.iter().any(|x| x.id == other));
                if !known || c.any_of.is_empty() {
                    return Err(format!(
                        "item {} has an unknown condition {}",
                        i.id, c.field
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether `item` applies to an application in `ctx` with these answers.
    pub fn applies(&self, item: &Item, answers: &Answers, ctx: &Context) -> bool {
        item.show_if
            .as_ref()
            .is_none_or(|c| condition_holds(c, answers, ctx))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Answers that meet every item: "yes", `text` for texts, a date, the first choice. For the
    /// demo and the tests, which need a sheet that is met whatever the city's version says.
    pub fn answers_meeting(&self, text: &str) -> Answers {
        self.items
            .iter()
            .map(|i| {
                let value = match i.answer {
                    AnswerType::YesNoNa => YES.to_string(),
                    AnswerType::Text => text.to_string(),
                    AnswerType::Date => "2026-11-01".to_string(),
                    AnswerType::Choice => i
                        .options
                        .first()
                        .map(|o| o.code.clone())
                        .unwrap_or_default(),
                };
                let comment = String::new();
                (
                    i.id.clone(),
                    Answer {
                        value,
                        comment,
                        ..Default::default()
                    },
                )
            })
            .collect()
    }

    /// Problems that make answers unsavable: values of the wrong form, unknown items.
    /// Missing answers are allowed while the application is a draft.
    pub fn check_values(&self, answers: &Answers) -> Vec<ItemProblem> {
        let mut out = Vec::new();
        for (id, a) in answers {
            let Some(item) = self.item(id) else {
                out.push(ItemProblem {
                    item: id.clone(),
                    code: "unknown_item",
                });
                continue;
            };
            let v = a.value.trim();
            if v.is_empty() {
                continue;
            }
            let ok = match item.answer {
                AnswerType::YesNoNa => [YES, NO, NOT_APPLICABLE].contains(&v),
                AnswerType::Text => true,
                AnswerType::Date => v.parse::<jiff::civil::Date>().is_ok(),
                AnswerType::Choice => item.options.iter().any(|o| o.code == v),
            };
            if !ok {
                out.push(ItemProblem {
                    item: id.clone(),
                    code: match item.answer {
                        AnswerType::Date => "invalid_date",
                        AnswerType::Choice => "invalid_choice",
                        _ => "invalid_answer",
                    },
                });
            }
        }
        out
    }

    /// The self-check (S5.2.2-1): every item answered, "no"/"not applicable" justified, and no
    /// blocking item answered "no". Empty means the sheet is met.
    pub fn check_complete(&self, answers: &Answers, ctx: &Context) -> Vec<ItemProblem> {
        let mut out = self.check_values(answers);
        for item in self.items.iter().filter(|i| self.applies(i, answers, ctx)) {
            let a = answers.get(&item.id);
            let v = a.map(|a| a.value.trim()).unwrap_or("");
            let comment = a.map(|a| a.comment.trim()).unwrap_or("");
            let problem = if v.is_empty() {
                Some("unanswered")
            } else if item.answer == AnswerType::YesNoNa && v == NO && item.blocking {
                Some("blocking_no")
            } else if item.answer == AnswerType::YesNoNa
                && (v == NO || v == NOT_APPLICABLE)
                && comment.is_empty()
            {
                Some("comment_required")
            } else {
                None
            };
            if let Some(code) = problem {
                out.push(ItemProblem {
                    item: item.id.clone(),
                    code,
                });
            }
        }
        out
    }
}

impl Sheet {
    /// Items that expect evidence (`evidence = true`), apply, and are answered other than
    /// "no" / "not applicable", yet have neither an attached file (`evidenced` holds the item
    /// ids that have one) nor a recorded reason why not. Checked before submission (class 2+)
    /// and self-approval (class 1).
    pub fn evidence_problems(
        &self,
        answers: &Answers,
        ctx: &Context,
        evidenced: &[String],
    ) -> Vec<ItemProblem> {
        self.items
            .iter()
            .filter(|i| i.evidence && self.applies(i, answers, ctx))
            .filter(|i| {
                let a = answers.get(&i.id);
                let v = a.map(|a| a.value.trim()).unwrap_or("");
                let reason = a.map(|a| a.evidence_reason.trim()).unwrap_or("");
                !v.is_empty()
                    && v != NO
                    && v != NOT_APPLICABLE
                    && reason.is_empty()
                    && !evidenced.iter().any(|e| e == &i.id)
            })
            .map(|i| ItemProblem {
                item: i.id.clone(),
                code: "evidence_required",
            })
            .collect()
    }
}

/// Whether a condition holds of a classification (and of the other answers of a sheet).
pub fn condition_holds(c: &Condition, answers: &Answers, ctx: &Context) -> bool {
    let cl = &ctx.classification;
    let values: Vec<String> = match c.field.as_str() {
        "confidentiality" => vec![cl.confidentiality.clone()],
        "integrity" => vec![cl.integrity.clone()],
        "availability" => vec![cl.availability.clone()],
        "handling" => cl.handling.clone(),
        "citizen_facing" => vec![if ctx.citizen_facing { "yes" } else { "no" }.to_string()],
        other => other
            .strip_prefix("answer:")
            .and_then(|id| answers.get(id))
            .map(|a| vec![a.value.trim().to_string()])
            .unwrap_or_default(),
    };
    values.iter().any(|v| c.any_of.contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyDocument, parse};

    fn class1() -> Sheet {
        match parse(include_str!("../../../policy/sheets/class1.toml")) {
            Ok(PolicyDocument::Sheet { sheet, .. }) => sheet,
            other => panic!("{other:?}"),
        }
    }

    // clause: S4.1, S5.2.2-1 — the class-1 sheet met in full
    #[test]
    fn a_fully_met_sheet_has_no_problems() {
        let s = class1();
        assert!(
            s.check_complete(&crate::testing::all_yes(&s), &Context::default())
                .is_empty()
        );
    }

    // clause: S5.2.2-1 — every item must be answered
    #[test]
    fn unanswered_items_are_named() {
        let s = class1();
        let mut a = crate::testing::all_yes(&s);
        a.remove("c1-reliability");
        assert_eq!(
            s.check_complete(&a, &Context::default()),
            vec![ItemProblem {
                item: "c1-reliability".into(),
                code: "unanswered"
            }]
        );
    }

    // clause: S5.2.2-2 — a blocking "no" stops approval
    #[test]
    fn a_blocking_no_stops_approval() {
        let s = class1();
        let mut a = crate::testing::all_yes(&s);
        a.insert(
            "c1-official-accounts".into(),
            Answer {
                value: NO.into(),
                comment: "個人アカウントで利用".into(),
                ..Default::default()
            },
        );
        assert_eq!(
            s.check_complete(&a, &Context::default()),
            vec![ItemProblem {
                item: "c1-official-accounts".into(),
                code: "blocking_no"
            }]
        );
    }

    #[test]
    fn a_non_blocking_no_needs_a_comment() {
        let s = class1();
        let mut a = crate::testing::all_yes(&s);
        a.insert(
            "c1-backup".into(),
            Answer {
                value: NO.into(),
                comment: String::new(),
                ..Default::default()
            },
        );
        assert_eq!(
            s.check_complete(&a, &Context::default())[0].code,
            "comment_required"
        );
        a.insert(
            "c1-backup".into(),
            Answer {
                value: NO.into(),
                comment: "提供者がバックアップを保証".into(),
                ..Default::default()
            },
        );
        assert!(s.check_complete(&a, &Context::default()).is_empty());
    }

    #[test]
    fn malformed_values_are_refused_at_save() {
        let s = class1();
        let mut a = Answers::new();
        a.insert(
            "c1-tos-checked-on".into(),
            Answer {
                value: "2026-13-40".into(),
                comment: String::new(),
                ..Default::default()
            },
        );
        a.insert(
            "c1-certifications".into(),
            Answer {
                value: "gold".into(),
                comment: String::new(),
                ..Default::default()
            },
        );
        a.insert(
            "c1-backup".into(),
            Answer {
                value: "maybe".into(),
                comment: String::new(),
                ..Default::default()
            },
        );
        a.insert("nope".into(), Answer::default());
        let codes: Vec<_> = s.check_values(&a).into_iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            vec![
                "invalid_answer",
                "invalid_choice",
                "invalid_date",
                "unknown_item"
            ]
        );
    }
}
