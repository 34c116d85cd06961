//! The start page's work queue: what waits for the signed-in person, in four groups —
//! awaiting review (審査待ち), awaiting their confirmation (確認待ち), overdue (期限切れ) and
//! returned to them (差戻し) — oldest first. Each part is the first rows of a list page's own
//! query, so "all" opens the same list with the same filters.

use crate::auth::CurrentUser;
use crate::dates::Stamp;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::lists::ApplicationListQuery;
use crate::lists::lifecycle::{DueCheckListQuery, TerminationListQuery, WorkListQuery};
use crate::state::AppState;
use gaibu_domain::role::Role;
use jiff::civil::Date;

/// Rows of each part on the start page; the rest are one click away.
const ROWS: &str = "10";

/// One thing waiting, as the queue shows it.
pub struct QueueRow {
    pub link: String,
    /// What kind of work (審査, 定期点検, 再点検…).
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    /// Since when it waits, or when it was due.
    pub when: Stamp,
    pub overdue: bool,
    /// Oldest first across the parts of a group.
    order: (i64, i64),
}

/// One group of the queue with the lists it draws from.
pub struct QueueGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
    pub rows: Vec<QueueRow>,
    /// Links to the whole lists whose first rows are shown (label, URL).
    pub all: Vec<(&'static str, String)>,
}

impl QueueGroup {
    fn new(id: &'static str, title: &'static str, hint: &'static str) -> Self {
        QueueGroup {
            id,
            title,
            hint,
            rows: Vec::new(),
            all: Vec::new(),
        }
    }

    fn add(&mut self, rows: Vec<QueueRow>, more: bool, label: &'static str, url: String) {
        self.rows.extend(rows);
        if more {
            self.all.push((label, url));
        }
    }

    fn sorted(mut self) -> Self {
        self.rows.sort_by_key(|r| r.order);
        self
    }
}

fn day_key(d: Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

fn ts_key(t: jiff::Timestamp) -> i64 {
    let d = t
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
        .date();
    day_key(d)
}

/// A list query from its URL query string, so the link and the rows agree.
fn query<Q: serde::de::DeserializeOwned + Default>(qs: &str) -> Q {
    serde_urlencoded::from_str(qs).unwrap_or_default()
}

/// The queue of `u` on `today`: only the groups with something in them.
pub async fn queue(st: &AppState, u: &CurrentUser, t: Tr) -> AppResult<Vec<QueueGroup>> {
    let today = st.today();
    let mut review = QueueGroup::new("review", t.home_queue_review(), t.home_queue_review_hint());
    let mut confirm = QueueGroup::new(
        "confirm",
        t.home_queue_confirm(),
        t.home_queue_confirm_hint(),
    );
    let mut overdue = QueueGroup::new(
        "overdue",
        t.home_queue_overdue(),
        t.home_queue_overdue_hint(),
    );
    let mut returned = QueueGroup::new(
        "returned",
        t.home_queue_returned(),
        t.home_queue_returned_hint(),
    );

    if u.has_role(Role::InformationSecurityManager) {
        // S3.4a: class 2+ applications wait for the ISM's review.
        let qs = format!("state=submitted&sort=submitted_at&dir=asc&limit={ROWS}");
        let (rows, more) = applications(st, u, t, &qs, "review").await?;
        review.add(
            rows,
            more,
            t.home_queue_all_applications(),
            format!("/applications?{qs}"),
        );
        // S3.7: ends of use wait for the ISM's decision.
        let qs = format!("limit={ROWS}");
        if let Ok(p) = crate::terminations::list(st, u, &query::<TerminationListQuery>(&qs)).await?
        {
            let more = p.next_cursor().is_some();
            let rows = p
                .items
                .into_iter()
                .map(|r| QueueRow {
                    link: format!("/services/{}/termination", r.service_id),
                    kind: t.home_queue_kind_termination(),
                    title: r.service_name,
                    detail: r.reason,
                    when: t.when(r.requested_at),
                    overdue: false,
                    order: (ts_key(r.requested_at), r.id),
                })
                .collect();
            review.add(
                rows,
                more,
                t.termination_title(),
                format!("/terminations?{qs}"),
            );
        }
    }

    let confirms_class1 = u
        .actor
        .assignments
        .iter()
        .any(|a| a.role.is_information_manager_etc());
    if confirms_class1 {
        // S3.3: class-1 applications of their units wait for the Information Manager's check.
        let qs = format!("state=draft&track=class1&sort=updated_at&dir=asc&limit={ROWS}");
        let (rows, more) = applications(st, u, t, &qs, "confirm").await?;
        confirm.add(
            rows,
            more,
            t.home_queue_all_applications(),
            format!("/applications?{qs}"),
        );
    }

    // Periodic checks (S3.6-3), re-checks (S6.1) and corrective actions (S6.2) of the person.
    let qs = format!("due=due&limit={ROWS}");
    if let Ok((p, _)) = crate::measures::due_checks(st, u, &query::<DueCheckListQuery>(&qs)).await?
    {
        let more = p.next_cursor().is_some();
        let (late, soon): (Vec<_>, Vec<_>) = p
            .items
            .into_iter()
            .map(|s| QueueRow {
                link: format!("/services/{}/rules#checks", s.id),
                kind: t.home_queue_kind_check(),
                title: s.name,
                detail: s.provider,
                when: t.date(s.next_check_due),
                overdue: s.next_check_due < today,
                order: (day_key(s.next_check_due), s.id),
            })
            .partition(|r| r.overdue);
        let url = format!("/checks?{qs}");
        overdue.add(late, more, t.checks_nav(), url.clone());
        confirm.add(soon, more, t.checks_nav(), url);
    }
    let qs = format!("limit={ROWS}");
    if let Ok(p) = crate::rechecks::lists::rechecks(st, u, &query::<WorkListQuery>(&qs)).await? {
        let more = p.next_cursor().is_some();
        let (late, open): (Vec<_>, Vec<_>) = p
            .items
            .into_iter()
            .map(|r| QueueRow {
                link: format!("/rechecks/{}", r.id),
                kind: t.home_queue_kind_recheck(),
                title: t.of("recheck_cause", r.cause.as_str()),
                detail: r.description,
                when: t.date(r.due_on),
                overdue: r.due_on < today,
                order: (day_key(r.due_on), r.id),
            })
            .partition(|r| r.overdue);
        let url = format!("/rechecks?{qs}");
        overdue.add(late, more, t.recheck_rechecks(), url.clone());
        confirm.add(open, more, t.recheck_rechecks(), url);
    }
    let qs = format!("actions=open&limit={ROWS}");
    if let Ok(p) = crate::rechecks::lists::actions(st, u, &query::<WorkListQuery>(&qs)).await? {
        let more = p.next_cursor().is_some();
        let (late, open): (Vec<_>, Vec<_>) = p
            .items
            .into_iter()
            .map(|a| QueueRow {
                link: format!("/rechecks/{}", a.recheck_id),
                kind: t.home_queue_kind_action(),
                title: a.plan,
                detail: String::new(),
                when: t.date(a.due_on),
                overdue: a.due_on < today,
                order: (day_key(a.due_on), a.id),
            })
            .partition(|r| r.overdue);
        let url = format!("/rechecks?{qs}");
        overdue.add(late, more, t.home_queue_kind_action(), url.clone());
        confirm.add(open, more, t.home_queue_kind_action(), url);
    }

    // S3.4b: the ISM returned it with reasons; the applicant revises and resubmits.
    let qs = format!("state=returned&mine=yes&sort=updated_at&dir=asc&limit={ROWS}");
    let (rows, more) = applications(st, u, t, &qs, "returned").await?;
    returned.add(
        rows,
        more,
        t.home_queue_all_applications(),
        format!("/applications?{qs}"),
    );

    Ok([review, confirm, overdue, returned]
        .into_iter()
        .filter(|g| !g.rows.is_empty())
        .map(QueueGroup::sorted)
        .collect())
}

/// The first rows of the applications list asked for by `qs`, and whether there are more.
async fn applications(
    st: &AppState,
    u: &CurrentUser,
    t: Tr,
    qs: &str,
    group: &str,
) -> AppResult<(Vec<QueueRow>, bool)> {
    let kind = match group {
        "review" => t.home_queue_kind_review(),
        "confirm" => t.home_queue_kind_confirm(),
        _ => t.home_queue_kind_returned(),
    };
    let q: ApplicationListQuery = query(qs);
    let Ok((f, ask)) = q.parse(st, u).await? else {
        return Ok((Vec::new(), false));
    };
    let p = st.store.application_page(&f, &ask).await?;
    let more = p.next_cursor().is_some();
    let rows = p
        .items
        .into_iter()
        .map(|a| {
            let since = a
                .submitted_at
                .filter(|_| group == "review")
                .unwrap_or(a.updated_at);
            QueueRow {
                link: if group == "review" {
                    format!("/applications/{}/review", a.id)
                } else {
                    format!("/applications/{}", a.id)
                },
                kind,
                title: a.service_name,
                detail: format!(
                    "{} · {}",
                    a.applicant_name,
                    t.pick(&a.org_name_ja, &a.org_name_en)
                ),
                when: t.when(since),
                overdue: false,
                order: (ts_key(since), a.id),
            }
        })
        .collect();
    Ok((rows, more))
}
