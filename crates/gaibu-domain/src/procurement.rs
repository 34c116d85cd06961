//! The procurement record (S3.3, S4.3): the selection conditions are in the procurement spec,
//! and before the contract the provider and service were checked against it and the spec made
//! part of the contract.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Procurement {
    /// "yes" when the service is procured (a contract); "no" for terms accepted without one.
    pub procured: String,
    /// The procurement specification (reference).
    pub spec_reference: String,
    /// (a) "yes": the spec includes the selection conditions of S3.1.
    pub spec_includes_conditions: String,
    /// (b) the date provider and service were verified against the spec, before the contract.
    pub verified_on: String,
    /// (b) who verified.
    pub verified_by: String,
    /// (b) the contract reference.
    pub contract_reference: String,
    /// (b) "yes": the spec is part of the contract.
    pub spec_in_contract: String,
}

fn yes_no(field: &str, v: &str, errs: &mut Vec<FieldError>) {
    if !matches!(v.trim(), "" | "yes" | "no") {
        errs.push(FieldError::new(
            format!("procurement.{field}"),
            "invalid_choice",
        ));
    }
}

impl Procurement {
    pub fn check_values(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        yes_no("procured", &self.procured, &mut errs);
        yes_no(
            "spec_includes_conditions",
            &self.spec_includes_conditions,
            &mut errs,
        );
        yes_no("spec_in_contract", &self.spec_in_contract, &mut errs);
        if !self.verified_on.trim().is_empty()
            && self
                .verified_on
                .trim()
                .parse::<jiff::civil::Date>()
                .is_err()
        {
            errs.push(FieldError::new("procurement.verified_on", "invalid_date"));
        }
        errs
    }

    /// Complete for submission: whether it is procured is stated; when it is, S3.3a and b hold.
    pub fn check_complete(&self) -> Vec<FieldError> {
        let mut errs = self.check_values();
        let f = |name: &str| format!("procurement.{name}");
        match self.procured.trim() {
            "" => errs.push(FieldError::new(f("procured"), "required")),
            "yes" => {
                for (name, v) in [
                    ("spec_reference", &self.spec_reference),
                    ("verified_on", &self.verified_on),
                    ("verified_by", &self.verified_by),
                    ("contract_reference", &self.contract_reference),
                ] {
                    if v.trim().is_empty() {
                        errs.push(FieldError::new(f(name), "required"));
                    }
                }
                if self.spec_includes_conditions.trim() != "yes" {
                    errs.push(FieldError::new(
                        f("spec_includes_conditions"),
                        "spec_conditions_required",
                    ));
                }
                if self.spec_in_contract.trim() != "yes" {
                    errs.push(FieldError::new(
                        f("spec_in_contract"),
                        "spec_in_contract_required",
                    ));
                }
            }
            _ => {}
        }
        errs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // clause: S3.3a, S3.3b
    #[test]
    fn a_procurement_carries_the_conditions_into_the_contract() {
        let none = Procurement {
            procured: "no".into(),
            ..Default::default()
        };
        assert!(none.check_complete().is_empty());
        assert_eq!(Procurement::default().check_complete()[0].code, "required");
        let mut p = Procurement {
            procured: "yes".into(),
            spec_reference: "調達仕様書 第12号".into(),
            spec_includes_conditions: "yes".into(),
            verified_on: "2026-11-20".into(),
            verified_by: "市民課 情報太郎".into(),
            contract_reference: "契約第2026-345号".into(),
            spec_in_contract: "yes".into(),
        };
        assert!(p.check_complete().is_empty());
        p.spec_in_contract = "no".into();
        p.verified_on = "2026-02-30".into();
        let codes: Vec<_> = p.check_complete().into_iter().map(|e| e.code).collect();
        assert_eq!(codes, vec!["invalid_date", "spec_in_contract_required"]);
    }
}
