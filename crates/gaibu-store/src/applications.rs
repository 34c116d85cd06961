//! Applications: drafts, self-check answers, evaluation and procurement, and approval, which
//! creates the approved service.

use crate::codec::reads;
use crate::codec::to_json;
use crate::write::{Audit, Change, Expect, Table, Val, Write, snapshot_sha256};
use crate::{ApplicationRow, EvidenceRow, Result, ServiceRow, Store, Who};
use gaibu_domain::application::{ApplicationFields, Approval, Reuse, State};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::classification::Track;
use gaibu_domain::evaluation::Evaluation;
use gaibu_domain::procurement::Procurement;
use gaibu_domain::sheet::Answers;

/// The states in which an application's content may change.
pub(crate) const EDITABLE: &[&str] = &[State::Draft.as_str(), State::Returned.as_str()];
const DRAFT: &[&str] = &[State::Draft.as_str()];

/// What an application says and the policy versions it was judged under.
pub struct ApplicationContent<'a> {
    pub fields: &'a ApplicationFields,
    pub track: Track,
    pub classification_policy_id: i64,
    pub sheet_policy_id: Option<i64>,
}

impl ApplicationContent<'_> {
    fn columns(&self) -> Vec<(&'static str, Val)> {
        let f = self.fields;
        vec![
            ("org_unit_id", f.org_unit.into()),
            ("track", self.track.as_str().into()),
            ("service_name", (&f.service_name).into()),
            ("provider", (&f.provider).into()),
            (
                "confidentiality",
                (&f.classification.confidentiality).into(),
            ),
            ("fields", to_json(f).into()),
            (
                "classification_policy_id",
                self.classification_policy_id.into(),
            ),
            ("sheet_policy_id", self.sheet_policy_id.into()),
        ]
    }
}

/// What a reuse copies from an approved application into a new draft.
pub struct Reused<'a> {
    pub answers: &'a Answers,
    pub evaluation: &'a Evaluation,
    pub procurement: &'a Procurement,
    pub reuse: &'a Reuse,
}

/// What an approval writes on the application, whichever track approved it.
pub(crate) fn approval_columns(a: &Approval, snapshot: &str) -> Vec<(&'static str, Val)> {
    vec![
        ("state", State::Approved.as_str().into()),
        ("approved_by", a.approver.into()),
        ("approved_at", a.approved_at.into()),
        ("approval_snapshot", snapshot.into()),
        ("snapshot_sha256", snapshot_sha256(snapshot).into()),
    ]
}

/// Records the approved service with its External Service Administrator (S3.4c, S5.2.2-2).
pub(crate) async fn insert_service(
    w: &mut Write<'_>,
    app: &ApplicationRow,
    approval: &Approval,
) -> Result<ServiceRow> {
    let now = w.now;
    let service: ServiceRow = sqlx::query_as(
        "INSERT INTO services (application_id, name, provider, org_unit_id, track, \
         confidentiality, administrator_id, approved_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *",
    )
    .bind(app.id)
    .bind(&app.service_name)
    .bind(&app.provider)
    .bind(app.org_unit_id)
    .bind(app.track.as_str())
    .bind(&app.confidentiality)
    .bind(approval.administrator)
    .bind(approval.approved_at.as_millisecond())
    .bind(now.as_millisecond())
    .fetch_one(w.conn())
    .await?;
    w.touch(Table::Services, service.id);
    Ok(service)
}

/// The service's own audit event, after the application's.
pub(crate) fn service_approved(service: &ServiceRow) -> Audit {
    Audit::created(
        Action::ServiceApproved,
        Entity::Service,
        service.id,
        Some(service.id),
        service,
    )
}

impl Store {
    async fn insert_application(
        &self,
        w: &mut Write<'_>,
        applicant_id: i64,
        c: &ApplicationContent<'_>,
        more: Vec<(&'static str, Val)>,
    ) -> Result<ApplicationRow> {
        let mut cols = c.columns();
        cols.push(("applicant_id", applicant_id.into()));
        cols.push(("state", State::Draft.as_str().into()));
        cols.push(("created_at", w.now.into()));
        cols.push(("updated_at", w.now.into()));
        cols.extend(more);
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO applications ({}) VALUES ({}) RETURNING *",
            names.join(", "),
            params.join(", ")
        );
        let q = crate::write::bind_all(sqlx::query(&sql), cols.into_iter().map(|c| c.1).collect());
        let row = q.fetch_one(w.conn()).await?;
        let row = <ApplicationRow as sqlx::FromRow<_>>::from_row(&row)?;
        w.touch(Table::Applications, row.id);
        Ok(row)
    }

    pub async fn create_application(
        &self,
        who: &Who,
        applicant_id: i64,
        new: &ApplicationContent<'_>,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let mut w = self.begin(who, now).await?;
        let row = self
            .insert_application(&mut w, applicant_id, new, vec![("answers", "{}".into())])
            .await?;
        w.audit(Audit::created(
            Action::ApplicationCreated,
            Entity::Application,
            row.id,
            None,
            &row,
        ))
        .await?;
        w.commit().await?;
        Ok(row)
    }

    /// A new draft that starts from an approved evaluation: answers, evaluation, procurement
    /// record and evidence copied, each to be re-confirmed; one transaction.
    pub async fn create_reused_application(
        &self,
        who: &Who,
        applicant_id: i64,
        new: &ApplicationContent<'_>,
        r: &Reused<'_>,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let mut w = self.begin(who, now).await?;
        let more = vec![
            ("answers", to_json(r.answers).into()),
            ("evaluation", to_json(r.evaluation).into()),
            ("procurement", to_json(r.procurement).into()),
            ("reuse", to_json(r.reuse).into()),
        ];
        let row = self
            .insert_application(&mut w, applicant_id, new, more)
            .await?;
        sqlx::query(
            "INSERT INTO evidence (application_id, item_key, filename, content_type, size_bytes, \
             sha256, expires_on, note, uploaded_by, uploaded_at) \
             SELECT $1, item_key, filename, content_type, size_bytes, sha256, expires_on, note, $2, $3 \
             FROM evidence WHERE application_id = $4 AND removed_at IS NULL",
        )
        .bind(row.id)
        .bind(who.user_id)
        .bind(now.as_millisecond())
        .bind(r.reuse.source_application_id)
        .execute(w.conn())
        .await?;
        let copied: Vec<EvidenceRow> =
            sqlx::query_as("SELECT * FROM evidence WHERE application_id = $1")
                .bind(row.id)
                .fetch_all(w.conn())
                .await?;
        let after = serde_json::json!({ "application": row, "evidence_copied": copied });
        w.audit(Audit::created(
            Action::ApplicationReused,
            Entity::Application,
            row.id,
            None,
            &after,
        ))
        .await?;
        w.commit().await?;
        Ok(row)
    }

    /// One versioned change of an editable application, audited with before and after.
    async fn edit_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        set: Vec<(&'static str, Val)>,
        action: Action,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let c = Change {
            table: Table::Applications,
            expect: Expect::at(before.id, before.version, EDITABLE),
            set,
            before,
            action,
            service_id: None,
        };
        self.change(who, now, c).await
    }

    /// Saves edited fields of a draft; `before` is the version the editor saw.
    pub async fn update_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        c: &ApplicationContent<'_>,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        self.edit_application(who, before, c.columns(), Action::ApplicationUpdated, now)
            .await
    }

    /// Saves the self-check answers (S5.2.2-1) against the sheet version in force.
    pub async fn save_answers(
        &self,
        who: &Who,
        before: &ApplicationRow,
        answers: &Answers,
        sheet_policy_id: i64,
        reuse: &Reuse,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let set = vec![
            ("answers", to_json(answers).into()),
            ("sheet_policy_id", sheet_policy_id.into()),
            ("reuse", to_json(reuse).into()),
        ];
        self.edit_application(who, before, set, Action::ApplicationSelfChecked, now)
            .await
    }

    /// S3.2a–g, item by item.
    pub async fn save_evaluation(
        &self,
        who: &Who,
        before: &ApplicationRow,
        e: &Evaluation,
        reuse: &Reuse,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let set = vec![
            ("evaluation", to_json(e).into()),
            ("reuse", to_json(reuse).into()),
        ];
        self.edit_application(who, before, set, Action::ApplicationEvaluationSaved, now)
            .await
    }

    /// S3.3: the procurement record.
    pub async fn save_procurement(
        &self,
        who: &Who,
        before: &ApplicationRow,
        p: &Procurement,
        reuse: &Reuse,
        now: jiff::Timestamp,
    ) -> Result<ApplicationRow> {
        let set = vec![
            ("procurement", to_json(p).into()),
            ("reuse", to_json(reuse).into()),
        ];
        self.edit_application(who, before, set, Action::ApplicationProcurementSaved, now)
            .await
    }

    /// Class-1 approval (S5.2.2-2) and, in the same transaction, the approved service with its
    /// External Service Administrator. `snapshot` is exactly what was approved.
    pub async fn approve_application(
        &self,
        who: &Who,
        before: &ApplicationRow,
        approval: &Approval,
        snapshot: &str,
        now: jiff::Timestamp,
    ) -> Result<(ApplicationRow, ServiceRow)> {
        let mut w = self.begin(who, now).await?;
        let e = Expect::at(before.id, before.version, DRAFT);
        w.update(Table::Applications, e, approval_columns(approval, snapshot))
            .await?;
        let after: ApplicationRow = w.fetch(Table::Applications, before.id).await?;
        let service = insert_service(&mut w, before, approval).await?;
        w.audit(Audit::change(
            Action::ApplicationApproved,
            Table::Applications,
            before.id,
            Some(service.id),
            before,
            &after,
        ))
        .await?;
        w.audit(service_approved(&service)).await?;
        w.commit().await?;
        Ok((after, service))
    }
}

reads! {
    application(id: i64) -> one ApplicationRow = "SELECT * FROM applications WHERE id = $1";
    applications() -> list ApplicationRow = "SELECT * FROM applications ORDER BY id DESC";
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_editable_states_are_the_domains() {
        use gaibu_domain::application::State;
        for s in [
            State::Draft,
            State::Submitted,
            State::Returned,
            State::Rejected,
            State::Approved,
        ] {
            assert_eq!(
                super::EDITABLE.contains(&s.as_str()),
                s.is_editable(),
                "{s:?}"
            );
        }
    }
}
