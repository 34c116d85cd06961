//! Keeping gaibu's users in step with the city's LDAP directory (issue 11), for the admin page,
//! the JSON API and `gaibu directory sync`: the directory read (`ldap`), compared with gaibu's
//! users (`gaibu_domain::directory::plan`) and shown as a dry run; the sync then reads it
//! again, and applies only if the plan is still the one shown: new users and changed names
//! and mail here, moves and leavers as a personnel rotation (`crate::rotation`), so that a
//! leaver's roles end and the services and accounts they held are listed for successors.
//! A directory that cannot be read changes nothing, and the error says why.

pub mod ldap;
pub mod settings;
mod sync;
pub use sync::*;
