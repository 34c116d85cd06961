//! The lists staff read every day, each filtered and paged in the database (`crate::page`).

pub mod applications;
pub mod people;
pub mod register;
pub mod services;
