//! What Herald (the desktop app) and Herald Relay say to each other, in one place so the
//! two sides cannot drift apart:
//! - [`unsubscribe`]: the signed per-recipient token inside every unsubscribe link;
//! - [`api`]: the JSON of the relay's authenticated API (event poll, registration).
//!
//! The HTTP contract itself (paths, status codes) is documented in `docs/relay.md`.

pub mod api;
pub mod unsubscribe;
