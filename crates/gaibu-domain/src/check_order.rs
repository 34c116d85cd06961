//! Checks ordered by the Information Security Manager (S6.3): of one service, or of a filtered
//! set (e.g. every service of one provider after news of a vulnerability), with a deadline and
//! a reason. Each administrator concerned checks and reports; the ISM follows the progress.

use crate::role::{Actor, Role, UserId};
use crate::{FieldError, Refusal};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// An order as a form or the API gives it. One of `service_id` and `provider` names the
/// services it covers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OrderInput {
    /// One service (its id).
    pub service_id: String,
    /// Every service in use of this provider (exact name).
    pub provider: String,
    /// Why the check is ordered.
    pub reason: String,
    /// By when each administrator reports (`YYYY-MM-DD`).
    pub due_on: String,
}

/// Which services an order covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Service(i64),
    Provider(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub target: Target,
    pub reason: String,
    pub due_on: Date,
}

/// S6.3: only the ISM orders checks.
pub fn permits_order(actor: &Actor) -> Result<(), Refusal> {
    actor
        .has_role(Role::InformationSecurityManager)
        .then_some(())
        .ok_or(Refusal::Forbidden("ism_required"))
}

/// S6.3: the order, checked.
pub fn order(actor: &Actor, today: Date, input: &OrderInput) -> Result<Order, Refusal> {
    permits_order(actor)?;
    let mut errs = Vec::new();
    let service = input.service_id.trim();
    let provider = input.provider.trim();
    let target = match (service.is_empty(), provider.is_empty()) {
        (false, true) => match service.parse::<i64>() {
            Ok(id) if id > 0 => Some(Target::Service(id)),
            _ => {
                errs.push(FieldError::new("service_id", "invalid_choice"));
                None
            }
        },
        (true, false) => Some(Target::Provider(provider.to_string())),
        _ => {
            errs.push(FieldError::new("provider", "one_target_required"));
            None
        }
    };
    let reason = input.reason.trim().to_string();
    if reason.is_empty() {
        errs.push(FieldError::new("reason", "required"));
    }
    let due_on = crate::application::parse_date("due_on", &input.due_on, &mut errs);
    if due_on.is_some_and(|d| d < today) {
        errs.push(FieldError::new("due_on", "in_the_past"));
    }
    match (target, due_on) {
        (Some(target), Some(due_on)) if errs.is_empty() => Ok(Order {
            target,
            reason,
            due_on,
        }),
        _ => Err(Refusal::Invalid(errs)),
    }
}

/// One service's part of an order, as the rules see it.
#[derive(Debug, Clone)]
pub struct OrderTarget {
    pub administrator: UserId,
    pub reported: bool,
}

/// A report as a form gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReportInput {
    /// What was checked and found.
    pub result: String,
}

/// S6.3: the service's administrator, and no one else, checks and reports, once.
pub fn report(t: &OrderTarget, actor: &Actor, input: &ReportInput) -> Result<String, Refusal> {
    if t.administrator != actor.user_id {
        return Err(Refusal::Forbidden("administrator_required"));
    }
    if t.reported {
        return Err(Refusal::Conflict("already_reported"));
    }
    let result = input.result.trim().to_string();
    if result.is_empty() {
        return Err(Refusal::invalid("result", "required"));
    }
    Ok(result)
}

/// The progress of an order, counted by the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub total: i64,
    pub reported: i64,
    /// Not reported yet, due date not passed.
    pub pending: i64,
    /// Not reported, due date passed.
    pub overdue: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::RoleAssignment;

    fn actor(id: i64, role: Role) -> Actor {
        Actor {
            user_id: id,
            org_unit: 1,
            assignments: vec![RoleAssignment { role, org_unit: 1 }],
        }
    }
    fn input(service: &str, provider: &str) -> OrderInput {
        OrderInput {
            service_id: service.into(),
            provider: provider.into(),
            reason: "脆弱性の公表".into(),
            due_on: "2027-02-01".into(),
        }
    }
    const TODAY: Date = Date::constant(2027, 1, 10);

    // clause: S6.3 — the ISM orders a check of one service or of one provider's services
    #[test]
    fn the_ism_orders_checks() {
        let ism = actor(1, Role::InformationSecurityManager);
        let o = order(&ism, TODAY, &input("", "株式会社テスト")).expect("order");
        assert_eq!(o.target, Target::Provider("株式会社テスト".into()));
        let o = order(&ism, TODAY, &input("5", "")).expect("order");
        assert_eq!(o.target, Target::Service(5));
        assert_eq!(
            order(&actor(2, Role::InformationManager), TODAY, &input("5", "")),
            Err(Refusal::Forbidden("ism_required"))
        );
        assert_eq!(
            order(&ism, TODAY, &input("5", "x")),
            Err(Refusal::invalid("provider", "one_target_required"))
        );
    }

    // clause: S6.3 — only the administrator concerned reports, once
    #[test]
    fn only_the_administrator_reports() {
        let t = OrderTarget {
            administrator: 7,
            reported: false,
        };
        let r = ReportInput {
            result: "影響なしを確認".into(),
        };
        assert_eq!(
            report(&t, &actor(7, Role::Staff), &r),
            Ok("影響なしを確認".into())
        );
        assert_eq!(
            report(&t, &actor(1, Role::InformationSecurityManager), &r),
            Err(Refusal::Forbidden("administrator_required"))
        );
        let done = OrderTarget {
            reported: true,
            ..t
        };
        assert_eq!(
            report(&done, &actor(7, Role::Staff), &r),
            Err(Refusal::Conflict("already_reported"))
        );
    }
}
