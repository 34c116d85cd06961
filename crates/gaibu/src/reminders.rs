//! Reminders of what falls due in a service's life — periodic checks (S3.6-3), re-checks and
//! corrective actions (S6.1, S6.2), check orders (S6.3), certificate expiries, the end of a
//! usage period — in the app and by e-mail, at the lead times of the service-life policy.
//!
//! Runs inside `gaibu serve` (and once with `gaibu reminders run`). Safe with several instances
//! on one database: each reminder is claimed by a row of `reminders_sent` in the transaction
//! that sends it, so it goes out exactly once whichever instance gets there first.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::{Lang, Tr};
use crate::policies;
use crate::state::AppState;
use gaibu_domain::calendar::DateStyle;
use gaibu_domain::deadline::DeadlineKind;
use gaibu_domain::effects::NoticeKind;
use gaibu_domain::service_life::Lead;
use gaibu_store::{DeadlineRow, ReminderNotice};
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::HashMap;
use std::time::Duration;

/// How many open deadlines one query reads.
const PAGE: i64 = 200;

/// Sends the reminders due on `today` (the city's date); returns how many were sent.
pub async fn run(st: &AppState, today: Date) -> AppResult<usize> {
    let policy = match policies::service_life_in_force(st).await {
        Ok(p) => p.doc,
        Err(AppError::Refused(ErrorCode::PolicyNotInForce)) => {
            tracing::warn!("no service-life policy in force: no reminders (S1.3)");
            return Ok(0);
        }
        Err(e) => return Err(e),
    };
    // An expiring certificate (e.g. an ISMAP registration) opens a re-check first (S6.1), so
    // that its deadline is reminded in this same round.
    crate::rechecks::open_for_expiring_certificates(st, today).await?;
    let furthest = policy.reminder_days.iter().copied().max().unwrap_or(0);
    let until = today
        .checked_add(i64::from(furthest).days())
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    // Each recipient reads in their language, with dates as they (or else the city) chose.
    let city = st.store.city_date_style().await?.unwrap_or_default();
    let mut readers: HashMap<i64, Option<Tr>> = HashMap::new();
    let (mut after, mut sent) = (0, 0);
    loop {
        let page = st.store.open_deadlines(until, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|d| d.id).collect();
        let done = st.store.reminders_sent_for(&ids).await?;
        for d in &page {
            let Some(lead) = policy.reminder_on(today, d.due_on) else {
                continue;
            };
            // Sent in an earlier round: read, not claimed again (the claim stays the guard
            // between instances).
            if done.contains(&(d.id, d.due_on.to_string(), lead.key())) {
                continue;
            }
            let notices = notices_for(st, d, lead, city, &mut readers).await?;
            if st
                .store
                .send_reminder(d, &lead.key(), &notices, st.now())
                .await?
            {
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// One notice per active recipient, its subject in their language (and their way of writing
/// dates, else the city's).
async fn notices_for(
    st: &AppState,
    d: &DeadlineRow,
    lead: Lead,
    city: DateStyle,
    readers: &mut HashMap<i64, Option<Tr>>,
) -> AppResult<Vec<ReminderNotice>> {
    let kind = match lead {
        Lead::Overdue => NoticeKind::Overdue,
        Lead::DaysBefore(_) => NoticeKind::DueSoon,
    };
    let mut recipients = d.recipients.clone();
    recipients.sort_unstable();
    recipients.dedup();
    let mut out = Vec::with_capacity(recipients.len());
    for user_id in recipients {
        let reader = match readers.get(&user_id) {
            Some(t) => *t,
            None => {
                let t = st.store.user(user_id).await?.filter(|u| u.active).map(|u| {
                    Tr::new(Lang::parse(&u.lang).unwrap_or_default())
                        .with_dates(u.date_style.unwrap_or(city))
                });
                readers.insert(user_id, t);
                t
            }
        };
        // Someone who left is not written to; the others named on the deadline still are.
        let Some(t) = reader else { continue };
        out.push(ReminderNotice {
            user_id,
            kind,
            subject: subject(t, d),
        });
    }
    Ok(out)
}

/// "定期点検（3.6③）: 会議システム（期限 2027年4月1日）".
pub fn subject(t: Tr, d: &DeadlineRow) -> String {
    let what = deadline_label(t, d.kind);
    let due = t
        .deadline_due_on()
        .replace("{date}", &t.date_text(d.due_on));
    match &d.service_name {
        Some(name) => format!("{what}: {name} ({due})"),
        None => format!("{what} ({due})"),
    }
}

pub fn deadline_label(t: Tr, k: DeadlineKind) -> &'static str {
    match k {
        DeadlineKind::PeriodicCheck => t.deadline_periodic_check(),
        DeadlineKind::Recheck => t.deadline_recheck(),
        DeadlineKind::CorrectiveAction => t.deadline_corrective_action(),
        DeadlineKind::CheckOrder => t.deadline_check_order(),
        DeadlineKind::CertificateExpiry => t.deadline_certificate_expiry(),
        DeadlineKind::UsagePeriodEnd => t.deadline_usage_period_end(),
        DeadlineKind::TerminationPlannedEnd => t.deadline_termination_planned_end(),
    }
}

/// Runs the reminders in the background, every `every`, on the city's date of the moment.
pub fn spawn(st: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ismap_checked: Option<Date> = None;
        loop {
            // A registration lapses with time, not only with a new list: the ISMAP
            // cross-check runs once a day (issue 11; it opens nothing twice).
            let today = st.today();
            if ismap_checked != Some(today) {
                match crate::ismap::cross_check(&st, &gaibu_store::Who::system(), today).await {
                    Ok(s) if !s.raised.is_empty() => {
                        tracing::info!(
                            raised = s.raised.len(),
                            "ISMAP cross-check flagged services"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "ISMAP cross-check failed"),
                }
                ismap_checked = Some(today);
            }
            // Moves of the personnel rotation whose date has come (issue 11).
            match crate::rotation::apply_due(&st, st.today()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(applied = n, "scheduled rotation moves applied"),
                Err(e) => tracing::warn!(error = %e, "rotation round failed"),
            }
            match run(&st, st.today()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "reminders sent"),
                Err(e) => tracing::warn!(error = %e, "reminder round failed"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
