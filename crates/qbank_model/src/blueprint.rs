//! Blueprints: the domains, weights and form shape of one exam outline.

use qbank_diagnostics::TextRange;

use crate::access::{self, Date, Decimal, Spanned};
use crate::document::Document;

/// A task inside a domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// Task id, unique in the blueprint.
    pub id: Spanned<String>,
    /// Title.
    pub title: Spanned<String>,
}

/// A domain of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    /// Domain id, unique in the blueprint.
    pub id: Spanned<String>,
    /// Title.
    pub title: Spanned<String>,
    /// Share of a form, exact.
    pub weight: Spanned<Decimal>,
    /// Tasks of the domain.
    pub tasks: Vec<Task>,
    /// The `[[domains]]` header.
    pub range: TextRange,
}

/// One crosswalk entry from an earlier blueprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The earlier blueprint.
    pub blueprint: Spanned<String>,
    /// Domain or task id there.
    pub from: Spanned<String>,
    /// Domain or task id here.
    pub to: Spanned<String>,
}

/// An exam blueprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blueprint {
    /// Unique id, such as `cism-2022`.
    pub id: Spanned<String>,
    /// The exam items name.
    pub exam: Spanned<String>,
    /// Title.
    pub title: Spanned<String>,
    /// Date from which the outline applies.
    pub effective: Option<Spanned<Date>>,
    /// Items on one form.
    pub form_length: Spanned<i64>,
    /// Minutes allowed for one form.
    pub time_limit_minutes: Option<Spanned<i64>>,
    /// Allowed absolute deviation of a domain's share.
    pub tolerance: Spanned<Decimal>,
    /// Required option count.
    pub options_per_item: Option<Spanned<i64>>,
    /// Domains in order.
    pub domains: Vec<Domain>,
    /// Crosswalk from earlier blueprints.
    pub crosswalk: Vec<Mapping>,
}

impl Blueprint {
    /// Reads a blueprint from a document that passed the blueprint schema.
    pub fn from_document(document: &Document<'_>) -> Option<Self> {
        let root = document.root();
        Some(Self {
            id: access::string(root, "id")?,
            exam: access::string(root, "exam")?,
            title: access::string(root, "title")?,
            effective: access::date(root, "effective"),
            form_length: access::integer(root, "form_length")?,
            time_limit_minutes: access::integer(root, "time_limit_minutes"),
            tolerance: access::decimal(root, "tolerance")?,
            options_per_item: access::integer(root, "options_per_item"),
            domains: access::tables(root, "domains")
                .into_iter()
                .filter_map(|(table, range)| {
                    Some(Domain {
                        id: access::string(table, "id")?,
                        title: access::string(table, "title")?,
                        weight: access::decimal(table, "weight")?,
                        tasks: access::tables(table, "tasks")
                            .into_iter()
                            .filter_map(|(task, _)| {
                                Some(Task {
                                    id: access::string(task, "id")?,
                                    title: access::string(task, "title")?,
                                })
                            })
                            .collect(),
                        range,
                    })
                })
                .collect(),
            crosswalk: access::tables(root, "crosswalk")
                .into_iter()
                .filter_map(|(table, _)| {
                    Some(Mapping {
                        blueprint: access::string(table, "blueprint")?,
                        from: access::string(table, "from")?,
                        to: access::string(table, "to")?,
                    })
                })
                .collect(),
        })
    }

    /// The domain with `id`.
    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id.value == id)
    }

    /// The range of the `domains` key, or of the id when there is none.
    pub fn anchor(&self) -> TextRange {
        self.id.range
    }
}

impl Domain {
    /// The task with `id`.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id.value == id)
    }
}
