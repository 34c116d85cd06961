//! City-wide settings a System Administrator changes: named values, each change audited.

use crate::write::Audit;
use crate::{Result, Store, Who};
use gaibu_domain::audit::{Action, Entity};
use gaibu_domain::calendar::DateStyle;
use sqlx::Row;

const DATE_STYLE: &str = "date_style";

impl Store {
    /// How the city's pages write dates (`None`: never set, the Western calendar). A request
    /// reads it with its identity; this is for work outside one (reminders).
    pub async fn city_date_style(&self) -> Result<Option<DateStyle>> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(DATE_STYLE)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(crate::codec::named(&r, "value", DateStyle::parse)?)),
            None => Ok(None),
        }
    }

    /// Sets how the city's pages write dates, with the value before and after in the audit
    /// trail.
    pub async fn set_city_date_style(
        &self,
        who: &Who,
        style: DateStyle,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let mut w = self.begin(who, now).await?;
        let before: Option<String> = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(DATE_STYLE)
            .fetch_optional(w.conn())
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(DATE_STYLE)
        .bind(style.as_str())
        .bind(now.as_millisecond())
        .execute(w.conn())
        .await?;
        let json = |v: Option<&str>| serde_json::json!({ DATE_STYLE: v }).to_string();
        w.audit(Audit {
            action: Action::DateStyleChanged,
            entity: Entity::Setting,
            entity_id: None,
            service_id: None,
            before: Some(json(before.as_deref())),
            after: Some(json(Some(style.as_str()))),
        })
        .await?;
        w.commit().await
    }
}
