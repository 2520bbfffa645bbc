use test_case::test_case;

use crate::test::assert_fixture;

#[test_case("QB501")]
#[test_case("QB502")]
#[test_case("QB503")]
fn rules(code: &str) {
    assert_fixture("duplicates", code);
}
