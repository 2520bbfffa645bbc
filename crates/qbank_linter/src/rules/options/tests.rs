use test_case::test_case;

use crate::test::assert_fixture;

#[test_case("QB301")]
#[test_case("QB302")]
#[test_case("QB303")]
#[test_case("QB304")]
#[test_case("QB305")]
#[test_case("QB306")]
#[test_case("QB307")]
#[test_case("QB308")]
#[test_case("QB309")]
#[test_case("QB310")]
#[test_case("QB311")]
#[test_case("QB312")]
#[test_case("QB313")]
#[test_case("QB314")]
#[test_case("QB315")]
#[test_case("QB316")]
#[test_case("QB317")]
#[test_case("QB318")]
#[test_case("QB319")]
#[test_case("QB320")]
#[test_case("QB321")]
fn rules(code: &str) {
    assert_fixture("options", code);
}
