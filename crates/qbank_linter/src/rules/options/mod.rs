//! Options and answer-key rules (`QB3xx`).

mod duplicate_option;
mod wrong_key_count;
mod wrong_option_count;

pub(crate) use duplicate_option::DuplicateOption;
pub(crate) use wrong_key_count::WrongKeyCount;
pub(crate) use wrong_option_count::WrongOptionCount;

#[cfg(test)]
mod tests;
