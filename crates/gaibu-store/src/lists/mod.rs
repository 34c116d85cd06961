//! The lists staff read every day, each filtered and paged in the database (`crate::page`).

pub mod applications;
pub mod checks;
pub mod orders;
pub mod people;
pub mod rechecks;
pub mod register;
pub mod services;
pub mod terminations;
