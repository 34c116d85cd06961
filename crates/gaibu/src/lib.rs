//! gaibu: the shell around the standard's rules — HTTP (HTML and JSON), CLI, demo data.

pub mod administrator;
pub mod applications;
pub mod audit_denial;
pub mod auth;
pub mod bench;
pub mod catalogue;
pub mod cli;
pub mod contractors;
pub mod demo;
pub mod error;
pub mod evidence;
pub mod i18n;
pub mod mail;
pub mod measures;
pub mod people;
pub mod policies;
pub mod rechecks;
pub mod register;
pub mod reminders;
pub mod review;
pub mod scope;
pub mod server;
pub mod services;
pub mod state;
pub mod terminations;
pub mod web;
