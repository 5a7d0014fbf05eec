//! One module per noun (and per top-level verb), each with an `exec` that runs its verbs:
//! check the flags, connect once ([`crate::connect`]), call the SDK, print
//! ([`crate::output`]). None imports another, except `meeting`, which hands `bulk` its rows.

pub mod app;
pub mod artifacts;
pub mod audit;
pub mod bulk;
pub mod clock;
pub mod consent;
pub mod cs;
pub mod doctor;
pub mod event;
pub mod exchange_policy;
pub mod group;
pub mod keys;
pub mod meeting;
pub mod policy;
pub mod requests;
pub mod reset;
pub mod seed;
pub mod serve;
pub mod subscription;
pub mod tenant;
pub mod trust;
pub mod user;
