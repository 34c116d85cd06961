//! The policy of a service's life after approval (S3.5, S3.6, S3.7): the build-time measures
//! checklist, the operation-time measures, the end-of-use measures, the interval of periodic
//! checks by classification and the lead times of reminders.
//!
//! All of it is policy data (`policy/lifecycle/service-life.toml`), in force only once the CISO
//! approves a version (S1.3): code never names a measure.

use crate::sheet::Condition;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One measure of a checklist: what must be in place, and the clause that asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub id: String,
    /// The group it is shown under (e.g. `access_control`).
    pub group: String,
    pub clause: String,
    pub text_ja: String,
    pub text_en: String,
    /// Applies only when this holds of the service's classification (e.g. S3.5.4e:
    /// availability class 2). Fields as in the sheets: `confidentiality`, `integrity`,
    /// `availability`, `handling`, `citizen_facing`.
    #[serde(default)]
    pub show_if: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub title_ja: String,
    pub title_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLifePolicy {
    pub groups: Vec<Group>,
    /// S3.5.1–S3.5.5: recorded by the service administrator while the service is built.
    pub build: Vec<Measure>,
    /// S3.6-1a–i and S3.6-2: defined per service by the Business System Manager and the
    /// Infrastructure Manager, and checked periodically (S3.6-3).
    pub operation: Vec<Measure>,
    /// S3.7-1a–c: defined beforehand, checked and recorded at the end of use (S3.7-2).
    pub end_of_use: Vec<Measure>,
    /// S3.6-3: months between periodic checks, by confidentiality code. A class without an
    /// entry has no periodic check.
    pub check_interval_months: BTreeMap<String, u32>,
    /// Days before a due date on which a reminder is sent; one more is sent when overdue.
    pub reminder_days: Vec<u32>,
    /// S6.1: days from the event to the due date of the re-check it opens.
    #[serde(default = "default_recheck_due_days")]
    pub recheck_due_days: u32,
}

fn default_recheck_due_days() -> u32 {
    30
}

/// The status of one measure, as the administrator (or manager) records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MeasureStatus {
    /// 実施済み
    Implemented,
    /// 一部実施
    Partly,
    /// 未実施
    NotYet,
    /// 該当なし (needs a reason)
    NotApplicable,
}

impl MeasureStatus {
    pub const ALL: [MeasureStatus; 4] = [
        MeasureStatus::Implemented,
        MeasureStatus::Partly,
        MeasureStatus::NotYet,
        MeasureStatus::NotApplicable,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            MeasureStatus::Implemented => "implemented",
            MeasureStatus::Partly => "partly",
            MeasureStatus::NotYet => "not_yet",
            MeasureStatus::NotApplicable => "not_applicable",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

const FIELDS: [&str; 5] = [
    "confidentiality",
    "integrity",
    "availability",
    "handling",
    "citizen_facing",
];

impl ServiceLifePolicy {
    pub fn check(&self) -> Result<(), String> {
        if self.build.is_empty() || self.operation.is_empty() || self.end_of_use.is_empty() {
            return Err("build, operation and end_of_use each need measures".into());
        }
        let all = || {
            self.build
                .iter()
                .chain(&self.operation)
                .chain(&self.end_of_use)
        };
        let mut ids: Vec<&str> = all().map(|m| m.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != all().count() {
            return Err("duplicate measure ids".into());
        }
        for m in all() {
            if !self.groups.iter().any(|g| g.id == m.group) {
                return Err(format!("measure {} names unknown group {}", m.id, m.group));
            }
            if let Some(c) = &m.show_if
                && (!FIELDS.contains(&c.field.as_str()) || c.any_of.is_empty())
            {
                return Err(format!("measure {} has an unknown condition", m.id));
            }
        }
        if self.reminder_days.is_empty() {
            return Err("reminder_days needs at least one lead time".into());
        }
        if self.check_interval_months.values().any(|m| *m == 0) {
            return Err("a check interval is at least one month".into());
        }
        Ok(())
    }

    /// The build-time measures that apply to a service of this classification.
    pub fn build_for<'a>(
        &'a self,
        ctx: &'a crate::sheet::Context,
    ) -> impl Iterator<Item = &'a Measure> + 'a {
        self.build.iter().filter(move |m| applies(m, ctx))
    }

    /// S3.6-3: the next periodic check of a service of this confidentiality class, counted from
    /// the day of the last check (or of entry into operation). None: no periodic check.
    pub fn next_check_due(&self, confidentiality: &str, from: Date) -> Option<Date> {
        let months = *self.check_interval_months.get(confidentiality)?;
        from.checked_add(i64::from(months).months()).ok()
    }

    /// The reminder due on `today` for something due on `due`: the lead (days before) whose
    /// day it is, or `Overdue`. Reminders on other days are None, so that a scheduler that
    /// runs often sends each one once per (thing, lead) — see `Reminder::key`.
    /// The first reminder's lead (the longest), in days: a certificate expiring within it
    /// opens a re-check (S6.1).
    pub fn first_reminder_lead(&self) -> u32 {
        self.reminder_days.iter().copied().max().unwrap_or(0)
    }

    pub fn reminder_on(&self, today: Date, due: Date) -> Option<Lead> {
        if today > due {
            return Some(Lead::Overdue);
        }
        let days = (due - today).get_days();
        // The smallest lead not yet passed: a lead reached while the scheduler was down is
        // still sent (once), rather than skipped.
        let mut leads: Vec<u32> = self.reminder_days.clone();
        leads.sort_unstable();
        leads
            .into_iter()
            .find(|l| i64::from(days) <= i64::from(*l))
            .map(Lead::DaysBefore)
    }
}

fn applies(m: &Measure, ctx: &crate::sheet::Context) -> bool {
    m.show_if
        .as_ref()
        .is_none_or(|c| crate::sheet::condition_holds(c, &crate::sheet::Answers::new(), ctx))
}

/// Which reminder: so many days before the due date, or overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    DaysBefore(u32),
    Overdue,
}

impl Lead {
    /// A stable key: together with what is due and its due date, it names a reminder once.
    pub fn key(self) -> String {
        match self {
            Lead::DaysBefore(d) => format!("d{d}"),
            Lead::Overdue => "overdue".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyDocument, parse};

    fn shipped() -> ServiceLifePolicy {
        match parse(include_str!("../../../policy/lifecycle/service-life.toml")) {
            Ok(PolicyDocument::ServiceLife { policy, .. }) => policy,
            other => panic!("shipped service-life policy: {other:?}"),
        }
    }

    fn ctx(availability: &str) -> crate::sheet::Context {
        let mut c = crate::sheet::Context::default();
        c.classification.confidentiality = "2".into();
        c.classification.availability = availability.into();
        c
    }

    // clause: S3.5.1a–h, S3.5.2a–b, S3.5.3a–b, S3.5.4a–f, S3.5.5, S3.6-1a–i, S3.6-2, S3.7-1a–c —
    // the shipped checklists carry every measure, each citing its clause
    #[test]
    fn the_shipped_build_checklist_names_every_clause() {
        let p = shipped();
        let clauses: Vec<&str> = p.build.iter().map(|m| m.clause.as_str()).collect();
        for c in [
            "S3.5.1a", "S3.5.1b", "S3.5.1c", "S3.5.1d", "S3.5.1e", "S3.5.1f", "S3.5.1g", "S3.5.1h",
            "S3.5.2a", "S3.5.2b", "S3.5.3a", "S3.5.3b", "S3.5.4a", "S3.5.4b", "S3.5.4c", "S3.5.4d",
            "S3.5.4e", "S3.5.4f", "S3.5.5",
        ] {
            assert!(clauses.contains(&c), "{c} missing");
        }
        let op: Vec<&str> = p.operation.iter().map(|m| m.clause.as_str()).collect();
        for c in [
            "S3.6-1a", "S3.6-1b", "S3.6-1c", "S3.6-1d", "S3.6-1e", "S3.6-1f", "S3.6-1g", "S3.6-1h",
            "S3.6-1i", "S3.6-2",
        ] {
            assert!(op.contains(&c), "{c} missing");
        }
        let end: Vec<&str> = p.end_of_use.iter().map(|m| m.clause.as_str()).collect();
        for c in ["S3.7-1a", "S3.7-1b", "S3.7-1c"] {
            assert!(end.contains(&c), "{c} missing");
        }
    }

    // clause: S3.5.4e — designing for availability applies only at availability class 2
    #[test]
    fn availability_design_only_for_availability_class_2() {
        let p = shipped();
        let has_4e = |a: &str| {
            let c = ctx(a);
            p.build_for(&c).any(|m| m.clause == "S3.5.4e")
        };
        assert!(has_4e("2"));
        assert!(!has_4e("1"));
    }

    // clause: S3.6-3 — the interval of periodic checks is policy data, by classification
    #[test]
    fn next_check_is_counted_from_the_last() {
        let p = shipped();
        let d = Date::constant(2026, 4, 1);
        assert_eq!(p.next_check_due("2", d), Some(Date::constant(2027, 4, 1)));
        assert_eq!(p.next_check_due("1", d), None);
    }

    #[test]
    fn reminders_fall_on_lead_days_and_when_overdue() {
        let mut p = shipped();
        p.reminder_days = vec![30, 7, 1];
        let due = Date::constant(2027, 4, 1);
        let on = |y, m, d| p.reminder_on(Date::constant(y, m, d), due);
        assert_eq!(on(2027, 2, 1), None);
        assert_eq!(on(2027, 3, 2), Some(Lead::DaysBefore(30)));
        assert_eq!(on(2027, 3, 20), Some(Lead::DaysBefore(30)));
        assert_eq!(on(2027, 3, 25), Some(Lead::DaysBefore(7)));
        assert_eq!(on(2027, 4, 1), Some(Lead::DaysBefore(1)));
        assert_eq!(on(2027, 4, 2), Some(Lead::Overdue));
    }

    #[test]
    fn bad_policies_are_refused() {
        let mut p = shipped();
        p.build[1].id = p.build[0].id.clone();
        assert!(p.check().is_err());
        let mut p = shipped();
        p.build[0].group = "nowhere".into();
        assert!(p.check().is_err());
        let mut p = shipped();
        p.check_interval_months.insert("2".into(), 0);
        assert!(p.check().is_err());
    }
}
