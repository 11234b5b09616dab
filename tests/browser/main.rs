//! The dashboard and Mission Control in a real browser: Debian's Chromium, driven by
//! playwright-core (`driver.mjs`, installed by `npm ci` in this folder), against a real
//! SpaceWatch server with the embedded demo store. Every test is
//! `#[ignore = "needs chromium"]` and panics when Chromium or the npm package is
//! missing; `.ci/run` installs both and runs them. Screenshots go to
//! `target/browser-screenshots/`.

mod driver;
mod server;

mod chat;
mod fleet;
/// The fleet harness's real engine (tests/fleet), for the health panel's fleet switch.
#[path = "../fleet/support.rs"]
#[allow(dead_code)]
mod fleet_support;
mod health;
mod mission;
/// The scripted chat-completions server of the assistant tests (the one stand-in the
/// standard allows: the remote model).
#[path = "../service/agent/model.rs"]
#[allow(dead_code)]
mod model;
mod storage;
