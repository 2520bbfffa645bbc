//! Structure and schema rules (`QB1xx`).

mod byte_order_mark;
mod control_character;
mod crlf_line_endings;
mod duplicate_id;
mod empty_file;
mod file_too_large;
mod id_file_name_mismatch;
mod invalid_toml;
mod invalid_value;
mod missing_key;
pub(crate) mod placeholder_text;
mod stray_file;
mod unexplained_suppression;
mod unknown_key;
mod unknown_suppression;
mod unreadable_file;
mod unused_suppression;

pub(crate) use byte_order_mark::ByteOrderMark;
pub(crate) use control_character::ControlCharacter;
pub(crate) use crlf_line_endings::CrlfLineEndings;
pub(crate) use duplicate_id::DuplicateId;
pub(crate) use empty_file::EmptyFile;
pub(crate) use file_too_large::FileTooLarge;
pub(crate) use id_file_name_mismatch::{IdFileNameMismatch, id_file_name_mismatch};
pub(crate) use invalid_toml::InvalidToml;
pub(crate) use invalid_value::InvalidValue;
pub(crate) use missing_key::MissingKey;
pub(crate) use placeholder_text::PlaceholderText;
pub(crate) use stray_file::StrayFile;
pub(crate) use unexplained_suppression::UnexplainedSuppression;
pub(crate) use unknown_key::UnknownKey;
pub(crate) use unknown_suppression::UnknownSuppression;
pub(crate) use unreadable_file::UnreadableFile;
pub(crate) use unused_suppression::UnusedSuppression;

#[cfg(test)]
mod tests;
