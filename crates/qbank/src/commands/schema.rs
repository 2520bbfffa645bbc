use qbank_model::schema::SchemaKind;

use crate::ExitStatus;
use crate::args::SchemaName;
use crate::printer;

pub(crate) fn run(kind: SchemaName) -> anyhow::Result<ExitStatus> {
    let text = match kind {
        SchemaName::Item => SchemaKind::Item.source().to_owned(),
        SchemaName::Blueprint => SchemaKind::Blueprint.source().to_owned(),
        SchemaName::Concepts => SchemaKind::Concepts.source().to_owned(),
        SchemaName::Allowlist => SchemaKind::Allowlist.source().to_owned(),
        SchemaName::Config => qbank_workspace::config_schema(),
    };
    printer::emit(text.as_bytes(), None)?;
    Ok(ExitStatus::Success)
}
