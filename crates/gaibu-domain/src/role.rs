//! Roles, the organisation tree and who may decide what (S5.1).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

pub type OrgUnitId = i64;
pub type UserId = i64;

/// The roles of the standard. The External Service Administrator is not a role: it is a
/// per-service designation (see `application::Approval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and org units only; decides nothing of the standard.
    SystemAdministrator,
    /// 情報セキュリティ最高責任者: approves the rules (S1.3).
    Ciso,
    /// 情報セキュリティ管理者: permits class-2+ use (S5.1.1).
    InformationSecurityManager,
    /// 情報管理者.
    InformationManager,
    /// 業務システム管理者.
    BusinessSystemManager,
    /// 情報基盤管理者.
    InfrastructureManager,
    /// 職員等.
    Staff,
}

impl Role {
    /// Whether whoever holds the role must sign in with a second factor (issue 9): those who
    /// approve the rules, decide class-2+ use or manage people — a stolen password of theirs
    /// reaches the most.
    pub fn requires_mfa(self) -> bool {
        matches!(
            self,
            Role::Ciso | Role::InformationSecurityManager | Role::SystemAdministrator
        )
    }

    pub const ALL: [Role; 7] = [
        Role::SystemAdministrator,
        Role::Ciso,
        Role::InformationSecurityManager,
        Role::InformationManager,
        Role::BusinessSystemManager,
        Role::InfrastructureManager,
        Role::Staff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdministrator => "system_administrator",
            Role::Ciso => "ciso",
            Role::InformationSecurityManager => "information_security_manager",
            Role::InformationManager => "information_manager",
            Role::BusinessSystemManager => "business_system_manager",
            Role::InfrastructureManager => "infrastructure_manager",
            Role::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.as_str().replace('_', "-") == s)
    }

    /// 情報管理者等 (S3.1): the three roles that select services and, for class 1, permit them.
    pub fn is_information_manager_etc(self) -> bool {
        matches!(
            self,
            Role::InformationManager | Role::BusinessSystemManager | Role::InfrastructureManager
        )
    }
}

/// A role held over an org unit and its whole subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub role: Role,
    pub org_unit: OrgUnitId,
}

/// The organisation as parent links (局 / 部 / 課 and deeper). Cheap to clone: the links are
/// shared, so one tree serves every request that reads it.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    parent: Arc<HashMap<OrgUnitId, Option<OrgUnitId>>>,
}

impl OrgTree {
    pub fn new(units: impl IntoIterator<Item = (OrgUnitId, Option<OrgUnitId>)>) -> Self {
        Self {
            parent: Arc::new(units.into_iter().collect()),
        }
    }

    pub fn contains(&self, unit: OrgUnitId) -> bool {
        self.parent.contains_key(&unit)
    }

    /// Whether `unit` is `ancestor` or lies below it. Bounded so that a corrupt cycle cannot hang.
    pub fn is_within(&self, unit: OrgUnitId, ancestor: OrgUnitId) -> bool {
        let mut cur = Some(unit);
        for _ in 0..=self.parent.len() {
            match cur {
                Some(u) if u == ancestor => return true,
                Some(u) => cur = self.parent.get(&u).copied().flatten(),
                None => return false,
            }
        }
        false
    }

    /// Would making `new_parent` the parent of `unit` create a cycle?
    pub fn would_cycle(&self, unit: OrgUnitId, new_parent: OrgUnitId) -> bool {
        self.is_within(new_parent, unit)
    }
}

/// Who is acting: a signed-in user with their role assignments.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub org_unit: OrgUnitId,
    pub assignments: Vec<RoleAssignment>,
}

impl Actor {
    /// Holds `role` over `unit` (directly or through an ancestor).
    pub fn has_role_over(&self, role: Role, unit: OrgUnitId, tree: &OrgTree) -> bool {
        self.assignments
            .iter()
            .any(|a| a.role == role && tree.is_within(unit, a.org_unit))
    }

    /// Holds `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.assignments.iter().any(|a| a.role == role)
    }

    /// Is one of the Information Managers etc. over `unit` (S3.1, S5.1.2).
    pub fn is_information_manager_etc_over(&self, unit: OrgUnitId, tree: &OrgTree) -> bool {
        self.assignments
            .iter()
            .any(|a| a.role.is_information_manager_etc() && tree.is_within(unit, a.org_unit))
    }

    /// The units whose applications and usage register a reader oversees by role, each with
    /// the units below it: the CISO all of them (`None`), the Information Security Managers
    /// (S5.2.1-5) and the Information Managers etc. (S3.1) their own. Lists filter by this in
    /// the database; it agrees with the per-record checks.
    pub fn units_overseen(&self) -> Option<Vec<OrgUnitId>> {
        if self.has_role(Role::Ciso) {
            return None;
        }
        let mut units: Vec<OrgUnitId> = self
            .assignments
            .iter()
            .filter(|a| {
                a.role == Role::InformationSecurityManager || a.role.is_information_manager_etc()
            })
            .map(|a| a.org_unit)
            .collect();
        units.sort_unstable();
        units.dedup();
        Some(units)
    }

    /// May start an application for work of `unit`: every member of staff for their own unit
    /// (職員等, S3.4b), the Information Managers etc. over theirs (S3.1), and anyone holding the
    /// Staff role over it.
    pub fn may_apply_for(&self, unit: OrgUnitId, tree: &OrgTree) -> bool {
        tree.is_within(unit, self.org_unit)
            || self.is_information_manager_etc_over(unit, tree)
            || self.has_role_over(Role::Staff, unit, tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> OrgTree {
        // 1 city → 2 bureau → 3 department → 4 section; 5 another bureau
        OrgTree::new([
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(3)),
            (5, Some(1)),
        ])
    }

    #[test]
    fn a_role_covers_the_subtree_only() {
        let t = tree();
        assert!(t.is_within(4, 2));
        assert!(t.is_within(4, 4));
        assert!(!t.is_within(5, 2));
        assert!(!t.is_within(2, 4));
    }

    #[test]
    fn cycles_are_detected() {
        let t = tree();
        assert!(t.would_cycle(2, 4));
        assert!(!t.would_cycle(4, 5));
    }

    // clause: S5.2.1-5 — the ISM keeps the register of their units; the CISO oversees all
    #[test]
    fn units_overseen_agree_with_the_checks_of_each_record() {
        let t = tree();
        let actor = |assignments: Vec<RoleAssignment>| Actor {
            user_id: 9,
            org_unit: 4,
            assignments,
        };
        let ciso = actor(vec![RoleAssignment {
            role: Role::Ciso,
            org_unit: 1,
        }]);
        assert_eq!(ciso.units_overseen(), None);
        let ism = actor(vec![
            RoleAssignment {
                role: Role::InformationSecurityManager,
                org_unit: 2,
            },
            RoleAssignment {
                role: Role::Staff,
                org_unit: 5,
            },
        ]);
        let seen = ism.units_overseen().expect("not all");
        assert_eq!(seen, vec![2]);
        for unit in 1..=5 {
            let by_list = seen.iter().any(|&root| t.is_within(unit, root));
            let by_check = ism.has_role_over(Role::InformationSecurityManager, unit, &t)
                || ism.is_information_manager_etc_over(unit, &t);
            assert_eq!(by_list, by_check, "unit {unit}");
        }
        assert_eq!(actor(vec![]).units_overseen(), Some(vec![]));
    }

    // clause: S5.1.2 — the permitting authority for class 1 is the Information Manager etc.
    #[test]
    fn information_manager_etc_is_scoped() {
        let t = tree();
        let im = Actor {
            user_id: 1,
            org_unit: 3,
            assignments: vec![RoleAssignment {
                role: Role::InfrastructureManager,
                org_unit: 3,
            }],
        };
        assert!(im.is_information_manager_etc_over(4, &t));
        assert!(!im.is_information_manager_etc_over(5, &t));
        let staff = Actor {
            user_id: 2,
            org_unit: 4,
            assignments: vec![RoleAssignment {
                role: Role::Staff,
                org_unit: 4,
            }],
        };
        assert!(!staff.is_information_manager_etc_over(4, &t));
        assert!(staff.may_apply_for(4, &t));
        assert!(!staff.may_apply_for(5, &t), "not for another bureau");
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(
            Role::parse("information-manager"),
            Some(Role::InformationManager)
        );
        assert_eq!(Role::parse("mayor"), None);
    }
}
