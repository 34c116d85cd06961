//! The classification scheme (格付) and routing by class (S2.1, S2.2).
//!
//! The scheme is policy data: levels, their order and which track each confidentiality level
//! takes come from a file the CISO approves, so the national five-level scheme is a file away.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// Class 1 only (機密性２以上を取り扱わない): class-1 sheet, self-approval (S2.2, S5.2.2).
    Class1,
    /// Class 2 or higher: class-2+ sheet, review by the ISM (S2.1, S5.2.1).
    #[serde(rename = "class2plus")]
    Class2Plus,
}

impl Track {
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Class1 => "class1",
            Track::Class2Plus => "class2plus",
        }
    }
    pub fn parse(s: &str) -> Option<Track> {
        match s {
            "class1" => Some(Track::Class1),
            "class2plus" => Some(Track::Class2Plus),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub code: String,
    pub rank: u32,
    /// Only confidentiality levels route; integrity and availability levels carry none.
    #[serde(default)]
    pub track: Option<Track>,
    pub label_ja: String,
    pub label_en: String,
    #[serde(default)]
    pub description_ja: String,
    #[serde(default)]
    pub description_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    pub code: String,
    pub label_ja: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub confidentiality: Vec<Level>,
    pub integrity: Vec<Level>,
    pub availability: Vec<Level>,
    #[serde(default)]
    pub handling_restrictions: Vec<Restriction>,
}

/// The classification of the information an application handles (S3.2a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Classification {
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    #[serde(default)]
    pub handling: Vec<String>,
}

impl Scheme {
    /// Checks the scheme itself: every dimension non-empty, codes unique, every
    /// confidentiality level routed, and at least one level per track.
    pub fn check(&self) -> Result<(), String> {
        for (name, levels) in [
            ("confidentiality", &self.confidentiality),
            ("integrity", &self.integrity),
            ("availability", &self.availability),
        ] {
            if levels.is_empty() {
                return Err(format!("{name}: no levels"));
            }
            let mut codes: Vec<&str> = levels.iter().map(|l| l.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            if codes.len() != levels.len() {
                return Err(format!("{name}: duplicate level codes"));
            }
        }
        if let Some(l) = self.confidentiality.iter().find(|l| l.track.is_none()) {
            return Err(format!("confidentiality level {} has no track", l.code));
        }
        if !self
            .confidentiality
            .iter()
            .any(|l| l.track == Some(Track::Class1))
        {
            return Err("no confidentiality level routes to class1".into());
        }
        Ok(())
    }

    fn find<'a>(levels: &'a [Level], code: &str) -> Option<&'a Level> {
        levels.iter().find(|l| l.code == code)
    }

    pub fn confidentiality_level(&self, code: &str) -> Option<&Level> {
        Self::find(&self.confidentiality, code)
    }

    /// Routing (S2.1, S2.2): the confidentiality level decides the track.
    pub fn route(&self, c: &Classification) -> Option<Track> {
        self.confidentiality_level(&c.confidentiality)
            .and_then(|l| l.track)
    }

    /// Field errors for a classification that does not fit this scheme.
    pub fn validate(&self, c: &Classification) -> Vec<crate::FieldError> {
        use crate::FieldError;
        let mut errs = Vec::new();
        let check = |field: &str, levels: &[Level], code: &str, errs: &mut Vec<FieldError>| {
            if code.is_empty() {
                errs.push(FieldError::new(field, "required"));
            } else if Self::find(levels, code).is_none() {
                errs.push(FieldError::new(field, "unknown_level"));
            }
        };
        check(
            "confidentiality",
            &self.confidentiality,
            &c.confidentiality,
            &mut errs,
        );
        check("integrity", &self.integrity, &c.integrity, &mut errs);
        check(
            "availability",
            &self.availability,
            &c.availability,
            &mut errs,
        );
        if c.handling
            .iter()
            .any(|h| !self.handling_restrictions.iter().any(|r| &r.code == h))
        {
            errs.push(FieldError::new("handling", "unknown_restriction"));
        }
        errs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyDocument, parse};

    fn scheme(text: &str) -> Scheme {
        match parse(text) {
            Ok(PolicyDocument::Classification { scheme, .. }) => scheme,
            other => panic!("not a classification: {other:?}"),
        }
    }

    fn class(c: &str) -> Classification {
        Classification {
            confidentiality: c.into(),
            integrity: "1".into(),
            availability: "1".into(),
            handling: vec![],
        }
    }

    // clause: S2.1, S2.2 — the class of the information decides the track
    #[test]
    fn three_level_scheme_routes_by_confidentiality() {
        let s = scheme(include_str!(
            "../../../policy/classification/three-level.toml"
        ));
        assert_eq!(s.route(&class("1")), Some(Track::Class1));
        assert_eq!(s.route(&class("2")), Some(Track::Class2Plus));
        assert_eq!(s.route(&class("3")), Some(Track::Class2Plus));
        assert_eq!(s.route(&class("3A")), None);
    }

    // clause: S1.3, S2.1, S2.2 — the scheme is data: the national five-level scheme routes too
    #[test]
    fn five_level_scheme_is_only_data() {
        let s = scheme(include_str!(
            "../../../policy/classification/five-level.toml"
        ));
        for c in ["3A", "3B", "3C", "2"] {
            assert_eq!(s.route(&class(c)), Some(Track::Class2Plus), "{c}");
        }
        assert_eq!(s.route(&class("1")), Some(Track::Class1));
        assert_eq!(s.route(&class("3")), None);
        assert!(s.validate(&class("3B")).is_empty());
        assert_eq!(
            s.validate(&class("3")),
            vec![crate::FieldError::new("confidentiality", "unknown_level")]
        );
    }

    #[test]
    fn unknown_codes_and_restrictions_are_field_errors() {
        let s = scheme(include_str!(
            "../../../policy/classification/three-level.toml"
        ));
        let mut c = class("1");
        c.integrity = "9".into();
        c.availability = String::new();
        c.handling = vec!["no_copy".into(), "bogus".into()];
        let codes: Vec<_> = s
            .validate(&c)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("integrity".to_string(), "unknown_level"),
                ("availability".to_string(), "required"),
                ("handling".to_string(), "unknown_restriction"),
            ]
        );
    }
}
