//! Metadata and blueprint rules (`QB4xx`).

mod approved_without_rationale;
mod approved_without_reference;
mod blueprint_weights_not_one;
mod domain_out_of_tolerance;
mod duplicate_blueprint_entry;
mod duplicate_concept;
mod empty_pool;
mod exhibit_outside_media;
mod missing_alt_text;
mod missing_exhibit;
mod no_blueprint;
mod self_enemy;
mod uncovered_task;
mod unknown_concept;
mod unknown_crosswalk_entry;
mod unknown_domain;
mod unknown_enemy;
mod unknown_exam;
mod unknown_task;
mod unreviewed_approval;
mod updated_before_created;

pub(crate) use approved_without_rationale::ApprovedWithoutRationale;
pub(crate) use approved_without_reference::ApprovedWithoutReference;
pub(crate) use blueprint_weights_not_one::BlueprintWeightsNotOne;
pub(crate) use domain_out_of_tolerance::DomainOutOfTolerance;
pub(crate) use duplicate_blueprint_entry::DuplicateBlueprintEntry;
pub(crate) use duplicate_concept::DuplicateConcept;
pub(crate) use empty_pool::EmptyPool;
pub(crate) use exhibit_outside_media::ExhibitOutsideMedia;
pub(crate) use missing_alt_text::MissingAltText;
pub(crate) use missing_exhibit::MissingExhibit;
pub(crate) use no_blueprint::NoBlueprint;
pub(crate) use self_enemy::SelfEnemy;
pub(crate) use uncovered_task::UncoveredTask;
pub(crate) use unknown_concept::UnknownConcept;
pub(crate) use unknown_crosswalk_entry::UnknownCrosswalkEntry;
pub(crate) use unknown_domain::UnknownDomain;
pub(crate) use unknown_enemy::UnknownEnemy;
pub(crate) use unknown_exam::UnknownExam;
pub(crate) use unknown_task::UnknownTask;
pub(crate) use unreviewed_approval::UnreviewedApproval;
pub(crate) use updated_before_created::UpdatedBeforeCreated;

#[cfg(test)]
mod tests;
