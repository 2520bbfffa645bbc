pub(crate) mod check;
pub(crate) mod rule;
pub(crate) mod schema;
