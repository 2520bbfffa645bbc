use test_case::test_case;

use crate::test::assert_fixture;

#[test_case("QB301")]
#[test_case("QB302")]
#[test_case("QB303")]
fn rules(code: &str) {
    assert_fixture("options", code);
}
