//! The product's vocabulary: closed sets of values that the database stores as text.
//!
//! They are the API's own enums ([`protocol`]), re-exported here because the server's code and
//! its callers (the CLI, the tests) name them as the domain they are, not as wire types: one enum
//! per concept, so a value read back from the database that is not in the set is an
//! [`UnknownValue`] error instead of a silently wrong branch.

pub use protocol::{AuthorKind, Channel, Priority, Role, Status, TicketType, UnknownValue};
