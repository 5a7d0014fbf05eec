//! Unit tests of the artifact routes' filters.

use super::get_all::organizer_filter;

#[test]
fn the_organizer_filter_names_one_user() {
    assert_eq!(
        organizer_filter("MeetingOrganizer/User/Id eq 'abc'").as_deref(),
        Some("abc")
    );
    assert_eq!(organizer_filter("meetingOrganizer/user/id eq abc"), None);
    assert_eq!(organizer_filter("subject eq 'abc'"), None);
    assert_eq!(
        super::correlation_filter("contentcorrelationId eq 'e87c-0'").as_deref(),
        Some("e87c-0")
    );
    assert_eq!(super::correlation_filter("id eq 'x'"), None);
}
