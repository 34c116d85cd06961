//! Applications to use an external service: their fields, states and moves (S2.3, S3.4, S5.2).

use crate::classification::{Classification, Scheme, Track};
use crate::role::{Actor, OrgTree, OrgUnitId, Role, UserId};
use crate::sheet::{Answers, ItemProblem, Sheet};
use crate::{FieldError, Refusal};
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Being written and checked; it can change.
    Draft,
    /// Class 2+: with the Information Security Manager for review (S3.4a); frozen.
    Submitted,
    /// Class 2+: sent back by the ISM with reasons; it can change and be resubmitted (S3.4b).
    Returned,
    /// Class 2+: refused by the ISM (S3.4b); final.
    Rejected,
    /// Approved: a service exists and has an administrator.
    Approved,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Draft,
        State::Submitted,
        State::Returned,
        State::Rejected,
        State::Approved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Returned => "returned",
            State::Rejected => "rejected",
            State::Approved => "approved",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        [
            State::Draft,
            State::Submitted,
            State::Returned,
            State::Rejected,
            State::Approved,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Only a draft or a returned application can be changed by its applicant.
    pub fn is_editable(self) -> bool {
        matches!(self, State::Draft | State::Returned)
    }
}

/// Raw input, as an HTML form or a JSON body sends it. Everything is text so that a bad value
/// comes back as a field error rather than a rejected request.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ApplicationInput {
    /// Org unit id whose work it is; the applicant's own when empty.
    #[serde(deserialize_with = "string_or_number")]
    pub org_unit: String,
    pub service_name: String,
    pub provider: String,
    pub url: String,
    pub purpose: String,
    pub user_scope: String,
    pub period_from: String,
    pub period_to: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    #[serde(deserialize_with = "one_or_many")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub handling: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub data_locations: Vec<String>,
    pub governing_law: String,
    pub court: String,
    pub tos_url: String,
    pub tos_version: String,
    #[serde(deserialize_with = "flag")]
    pub citizen_facing: bool,
}

/// The fields of an application once they are valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFields {
    pub org_unit: OrgUnitId,
    pub service_name: String,
    pub provider: String,
    pub url: String,
    pub purpose: String,
    /// 利用者の範囲 (S5.2.1-5g)
    pub user_scope: String,
    pub period_from: Date,
    pub period_to: Option<Date>,
    pub classification: Classification,
    /// Countries where the data is stored or processed (S2.4d).
    pub data_locations: Vec<String>,
    pub governing_law: String,
    pub court: String,
    pub tos_url: String,
    pub tos_version: String,
    /// Citizens are made to use it, outside the policy's scope (S2.3).
    pub citizen_facing: bool,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split([',', '、', '，', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        OneOrMany::Many(v) => v
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    })
}

/// Ids arrive as numbers from JSON and as text from forms.
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Sn {
        S(String),
        N(i64),
    }
    Ok(match Option::<Sn>::deserialize(d)? {
        Some(Sn::S(s)) => s,
        Some(Sn::N(n)) => n.to_string(),
        None => String::new(),
    })
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        B(bool),
        S(String),
    }
    Ok(match Flag::deserialize(d)? {
        Flag::B(b) => b,
        Flag::S(s) => matches!(s.as_str(), "on" | "true" | "1" | "yes"),
    })
}

pub(crate) fn parse_date(field: &str, v: &str, errs: &mut Vec<FieldError>) -> Option<Date> {
    let v = v.trim();
    if v.is_empty() {
        errs.push(FieldError::new(field, "required"));
        return None;
    }
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(field, "invalid_date"));
            None
        }
    }
}

fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// Where the data is kept: a few places (a country, a region), each named briefly. Bounded so
/// that no application (and no audit event of it) grows without limit (issue 9).
pub const MAX_DATA_LOCATIONS: usize = 20;
pub const MAX_DATA_LOCATION_CHARS: usize = 200;

impl ApplicationInput {
    /// Parses the input against the classification scheme in force. `default_org_unit` is the
    /// applicant's own unit, used when none is named.
    pub fn parse(
        &self,
        scheme: &Scheme,
        default_org_unit: OrgUnitId,
        org_exists: impl Fn(OrgUnitId) -> bool,
    ) -> Result<ApplicationFields, Vec<FieldError>> {
        let mut errs = Vec::new();
        let org_unit = if self.org_unit.trim().is_empty() {
            Some(default_org_unit)
        } else {
            self.org_unit.trim().parse().ok().filter(|u| org_exists(*u))
        };
        if org_unit.is_none() {
            errs.push(FieldError::new("org_unit", "unknown_org_unit"));
        }
        let mut text = |field: &'static str, v: &str, max: usize| -> String {
            let v = v.trim();
            if v.is_empty() {
                errs.push(FieldError::new(field, "required"));
            } else if v.chars().count() > max {
                errs.push(FieldError::new(field, "too_long"));
            }
            v.to_string()
        };
        let service_name = text("service_name", &self.service_name, 200);
        let provider = text("provider", &self.provider, 200);
        let url = text("url", &self.url, 2000);
        let purpose = text("purpose", &self.purpose, 4000);
        let user_scope = text("user_scope", &self.user_scope, 1000);
        let governing_law = text("governing_law", &self.governing_law, 200);
        let court = text("court", &self.court, 200);
        let tos_url = text("tos_url", &self.tos_url, 2000);
        let tos_version = text("tos_version", &self.tos_version, 200);
        if !url.is_empty() && !is_web_url(&url) {
            errs.push(FieldError::new("url", "invalid_url"));
        }
        if !tos_url.is_empty() && !is_web_url(&tos_url) {
            errs.push(FieldError::new("tos_url", "invalid_url"));
        }
        let period_from = parse_date("period_from", &self.period_from, &mut errs);
        let period_to = if self.period_to.trim().is_empty() {
            None
        } else {
            parse_date("period_to", &self.period_to, &mut errs)
        };
        if let (Some(f), Some(t)) = (period_from, period_to)
            && t < f
        {
            errs.push(FieldError::new("period_to", "period_order"));
        }
        let classification = Classification {
            confidentiality: self.confidentiality.trim().to_string(),
            integrity: self.integrity.trim().to_string(),
            availability: self.availability.trim().to_string(),
            handling: self.handling.clone(),
        };
        errs.extend(scheme.validate(&classification));
        if self.data_locations.is_empty() {
            errs.push(FieldError::new("data_locations", "required"));
        } else if self.data_locations.len() > MAX_DATA_LOCATIONS {
            errs.push(FieldError::new("data_locations", "too_many"));
        } else if self
            .data_locations
            .iter()
            .any(|l| l.chars().count() > MAX_DATA_LOCATION_CHARS)
        {
            errs.push(FieldError::new("data_locations", "too_long"));
        }
        match (org_unit, period_from) {
            (Some(org_unit), Some(period_from)) if errs.is_empty() => Ok(ApplicationFields {
                org_unit,
                service_name,
                provider,
                url,
                purpose,
                user_scope,
                period_from,
                period_to,
                classification,
                data_locations: self.data_locations.clone(),
                governing_law,
                court,
                tos_url,
                tos_version,
                citizen_facing: self.citizen_facing,
            }),
            _ => Err(errs),
        }
    }
}

impl From<&ApplicationFields> for ApplicationInput {
    fn from(f: &ApplicationFields) -> Self {
        ApplicationInput {
            org_unit: f.org_unit.to_string(),
            service_name: f.service_name.clone(),
            provider: f.provider.clone(),
            url: f.url.clone(),
            purpose: f.purpose.clone(),
            user_scope: f.user_scope.clone(),
            period_from: f.period_from.to_string(),
            period_to: f.period_to.map(|d| d.to_string()).unwrap_or_default(),
            confidentiality: f.classification.confidentiality.clone(),
            integrity: f.classification.integrity.clone(),
            availability: f.classification.availability.clone(),
            handling: f.classification.handling.clone(),
            data_locations: f.data_locations.clone(),
            governing_law: f.governing_law.clone(),
            court: f.court.clone(),
            tos_url: f.tos_url.clone(),
            tos_version: f.tos_version.clone(),
            citizen_facing: f.citizen_facing,
        }
    }
}

/// Where a reused application came from, and what of it is still to be re-confirmed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reuse {
    pub source_application_id: Option<i64>,
    /// Sheet item ids, `evaluation`, `procurement`.
    pub unconfirmed: Vec<String>,
}

impl Reuse {
    /// The record after the user re-confirmed some parts (`keep` says what stays open).
    pub fn reconfirmed(&self, keep: impl Fn(&str) -> bool) -> Reuse {
        let mut r = self.clone();
        r.unconfirmed.retain(|i| keep(i));
        r
    }
}

/// What the rules need to know about a stored application.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub applicant: UserId,
    pub state: State,
    pub track: Track,
    pub fields: ApplicationFields,
    pub answers: Answers,
    /// Copied from an earlier approved evaluation and not yet re-confirmed: sheet item ids,
    /// `evaluation`, `procurement`.
    pub unconfirmed: Vec<String>,
    /// Sheet item ids with at least one evidence file attached (S3.2c).
    pub evidenced: Vec<String>,
}

impl Application {
    /// Items that expect evidence and have neither a file nor a recorded reason (S3.2c).
    pub fn evidence_problems(&self, sheet: &Sheet) -> Vec<ItemProblem> {
        sheet.evidence_problems(&self.answers, &self.context(), &self.evidenced)
    }

    /// Reused answers must each be re-confirmed before approval or submission.
    pub fn unconfirmed_problems(&self) -> Vec<ItemProblem> {
        self.unconfirmed
            .iter()
            .map(|i| ItemProblem {
                item: i.clone(),
                code: "reuse_unconfirmed",
            })
            .collect()
    }

    /// What the sheet's conditions are judged against.
    pub fn context(&self) -> crate::sheet::Context {
        crate::sheet::Context {
            classification: self.fields.classification.clone(),
            citizen_facing: self.fields.citizen_facing,
        }
    }
}

/// A move on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationMove {
    /// Read it, its history and its evidence.
    View,
    /// Change its fields, answers, evaluation, procurement record or evidence.
    Edit,
    /// Class-1 approval by an Information Manager etc. (S5.1.2, S5.2.2-2).
    SelfApprove,
    /// Class-2+ submission to the ISM (S5.2.1-1, S3.4a).
    Submit,
    /// The ISM's decision on a submitted application (S3.4b, S5.1.1).
    Decide,
}

/// Whether `actor` may make move `m` on `app` now, and if not, why.
pub fn permits_application(
    app: &Application,
    actor: &Actor,
    tree: &OrgTree,
    m: ApplicationMove,
) -> Result<(), Refusal> {
    let unit = app.fields.org_unit;
    match m {
        ApplicationMove::View => {
            let may = app.applicant == actor.user_id
                || actor.is_information_manager_etc_over(unit, tree)
                || actor.has_role_over(Role::InformationSecurityManager, unit, tree)
                || actor.has_role(Role::Ciso);
            may.then_some(())
                .ok_or(Refusal::Forbidden("not_your_application"))
        }
        ApplicationMove::Edit => {
            if app.applicant != actor.user_id && !actor.is_information_manager_etc_over(unit, tree)
            {
                return Err(Refusal::Forbidden("not_your_application"));
            }
            if !app.state.is_editable() {
                return Err(Refusal::Conflict("not_draft"));
            }
            Ok(())
        }
        ApplicationMove::SelfApprove => {
            if app.state != State::Draft {
                return Err(Refusal::Conflict("already_decided"));
            }
            if app.track != Track::Class1 {
                return Err(Refusal::Conflict("class2_track_required"));
            }
            if !actor.is_information_manager_etc_over(unit, tree) {
                return Err(Refusal::Forbidden("class1_approver_required"));
            }
            Ok(())
        }
        ApplicationMove::Submit => {
            permits_application(app, actor, tree, ApplicationMove::Edit)?;
            if app.track != Track::Class2Plus {
                return Err(Refusal::Conflict("class1_is_self_approved"));
            }
            Ok(())
        }
        ApplicationMove::Decide => {
            if !actor.has_role_over(Role::InformationSecurityManager, unit, tree) {
                return Err(Refusal::Forbidden("responsible_ism_required"));
            }
            if app.applicant == actor.user_id {
                return Err(Refusal::Forbidden("own_application"));
            }
            if app.state != State::Submitted {
                return Err(Refusal::Conflict("not_under_review"));
            }
            Ok(())
        }
    }
}

/// Who may see and edit a draft: the applicant and the Information Managers etc. over its unit.
pub fn may_edit(app: &Application, actor: &Actor, tree: &OrgTree) -> Result<(), Refusal> {
    permits_application(app, actor, tree, ApplicationMove::Edit)
}

/// A new application may be started by whoever may apply for the named unit.
pub fn may_create(
    fields: &ApplicationFields,
    actor: &Actor,
    tree: &OrgTree,
) -> Result<(), Refusal> {
    if actor.may_apply_for(fields.org_unit, tree) {
        Ok(())
    } else {
        Err(Refusal::Forbidden("may_not_apply_for_org_unit"))
    }
}

mod class1;
pub use class1::{Approval, approve_class1};

#[cfg(test)]
mod tests;
