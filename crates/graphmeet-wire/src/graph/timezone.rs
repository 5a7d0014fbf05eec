//! Time zones of `dateTimeTimeZone`: the Windows zone names Exchange speaks and the IANA names
//! Graph also accepts, resolved to tz database zones (`chrono-tz`), and the wire form of a local
//! time (`2017-04-15T11:00:00.0000000`, seven fractional digits, no offset).
//!
//! Facts: <https://learn.microsoft.com/graph/api/resources/datetimetimezone> (any Windows name
//! plus the IANA list printed there; `spec/events-artifacts-notifications.md` A.7). The Windows
//! to IANA table is CLDR's `common/supplemental/windowsZones.xml` (the `territory="001"` entry of
//! each Windows zone, which is the zone's golden IANA zone), transcribed here; refresh it from
//! that file when Windows adds a zone.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Each Windows time zone id with its CLDR golden IANA zone (`territory="001"`).
pub const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Aleutian Standard Time", "America/Adak"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Marquesas Standard Time", "Pacific/Marquesas"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("UTC-09", "Etc/GMT+9"),
    ("Pacific Standard Time (Mexico)", "America/Tijuana"),
    ("UTC-08", "Etc/GMT+8"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time (Mexico)", "America/Mazatlan"),
    ("Mountain Standard Time", "America/Denver"),
    ("Yukon Standard Time", "America/Whitehorse"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Easter Island Standard Time", "Pacific/Easter"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time (Mexico)", "America/Cancun"),
    ("Eastern Standard Time", "America/New_York"),
    ("Haiti Standard Time", "America/Port-au-Prince"),
    ("Cuba Standard Time", "America/Havana"),
    ("US Eastern Standard Time", "America/Indianapolis"),
    ("Turks And Caicos Standard Time", "America/Grand_Turk"),
    ("Paraguay Standard Time", "America/Asuncion"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("Central Brazilian Standard Time", "America/Cuiaba"),
    ("SA Western Standard Time", "America/La_Paz"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("Tocantins Standard Time", "America/Araguaina"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("Greenland Standard Time", "America/Godthab"),
    ("Montevideo Standard Time", "America/Montevideo"),
    ("Magallanes Standard Time", "America/Punta_Arenas"),
    ("Saint Pierre Standard Time", "America/Miquelon"),
    ("Bahia Standard Time", "America/Bahia"),
    ("UTC-02", "Etc/GMT+2"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Sao Tome Standard Time", "Africa/Sao_Tome"),
    ("Morocco Standard Time", "Africa/Casablanca"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("Jordan Standard Time", "Asia/Amman"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Middle East Standard Time", "Asia/Beirut"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Syria Standard Time", "Asia/Damascus"),
    ("West Bank Standard Time", "Asia/Hebron"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Sudan Standard Time", "Africa/Juba"),
    ("Kaliningrad Standard Time", "Europe/Kaliningrad"),
    ("Sudan Standard Time", "Africa/Khartoum"),
    ("Libya Standard Time", "Africa/Tripoli"),
    ("Namibia Standard Time", "Africa/Windhoek"),
    ("Arabic Standard Time", "Asia/Baghdad"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Belarus Standard Time", "Europe/Minsk"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Astrakhan Standard Time", "Europe/Astrakhan"),
    ("Azerbaijan Standard Time", "Asia/Baku"),
    ("Russia Time Zone 3", "Europe/Samara"),
    ("Mauritius Standard Time", "Indian/Mauritius"),
    ("Saratov Standard Time", "Europe/Saratov"),
    ("Georgian Standard Time", "Asia/Tbilisi"),
    ("Volgograd Standard Time", "Europe/Volgograd"),
    ("Caucasus Standard Time", "Asia/Yerevan"),
    ("Afghanistan Standard Time", "Asia/Kabul"),
    ("West Asia Standard Time", "Asia/Tashkent"),
    ("Ekaterinburg Standard Time", "Asia/Yekaterinburg"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("Qyzylorda Standard Time", "Asia/Qyzylorda"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Katmandu"),
    ("Central Asia Standard Time", "Asia/Bishkek"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("Omsk Standard Time", "Asia/Omsk"),
    ("Myanmar Standard Time", "Asia/Rangoon"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("Altai Standard Time", "Asia/Barnaul"),
    ("W. Mongolia Standard Time", "Asia/Hovd"),
    ("North Asia Standard Time", "Asia/Krasnoyarsk"),
    ("N. Central Asia Standard Time", "Asia/Novosibirsk"),
    ("Tomsk Standard Time", "Asia/Tomsk"),
    ("China Standard Time", "Asia/Shanghai"),
    ("North Asia East Standard Time", "Asia/Irkutsk"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"),
    ("Aus Central W. Standard Time", "Australia/Eucla"),
    ("Transbaikal Standard Time", "Asia/Chita"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("North Korea Standard Time", "Asia/Pyongyang"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Yakutsk Standard Time", "Asia/Yakutsk"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("West Pacific Standard Time", "Pacific/Port_Moresby"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("Vladivostok Standard Time", "Asia/Vladivostok"),
    ("Lord Howe Standard Time", "Australia/Lord_Howe"),
    ("Bougainville Standard Time", "Pacific/Bougainville"),
    ("Russia Time Zone 10", "Asia/Srednekolymsk"),
    ("Magadan Standard Time", "Asia/Magadan"),
    ("Norfolk Standard Time", "Pacific/Norfolk"),
    ("Sakhalin Standard Time", "Asia/Sakhalin"),
    ("Central Pacific Standard Time", "Pacific/Guadalcanal"),
    ("Russia Time Zone 11", "Asia/Kamchatka"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("UTC+12", "Etc/GMT-12"),
    ("Fiji Standard Time", "Pacific/Fiji"),
    ("Chatham Islands Standard Time", "Pacific/Chatham"),
    ("UTC+13", "Etc/GMT-13"),
    ("Tonga Standard Time", "Pacific/Tongatapu"),
    ("Samoa Standard Time", "Pacific/Apia"),
    ("Line Islands Standard Time", "Pacific/Kiritimati"),
];

/// A time zone a request named, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The name as Graph writes it back (the Windows id in its registered spelling, or the
    /// IANA name as given).
    pub name: String,
    /// The tz database zone local times are read in.
    pub tz: Tz,
}

impl Zone {
    /// UTC, the zone responses use without `Prefer: outlook.timezone`.
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: Tz::UTC,
        }
    }

    /// A Windows zone id (any case) or an IANA name; `None` for a name Exchange does not
    /// support (`Greenwich Mean Time`, an offset, an empty string).
    pub fn parse(name: &str) -> Option<Self> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return None;
        }
        if let Some((windows, iana)) = WINDOWS_ZONES
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(trimmed))
        {
            let tz: Tz = iana.parse().ok()?;
            return Some(Self {
                name: (*windows).to_owned(),
                tz,
            });
        }
        // IANA names, with the tz database's spelling (chrono-tz knows links such as
        // Europe/Kiev and Asia/Calcutta too).
        let tz = Tz::from_str_insensitive(trimmed).ok()?;
        Some(Self {
            name: trimmed.to_owned(),
            tz,
        })
    }

    /// The instant a local wall-clock time names in this zone. A time skipped by a
    /// daylight-saving change is read with the offset before the change (as Windows does); an
    /// ambiguous one as the earlier instant.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
            LocalResult::None => {
                // In the gap: the offset in force just before it.
                let before = local - chrono::Duration::hours(3);
                let offset = match self.tz.from_local_datetime(&before) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                        t.naive_local() - t.naive_utc()
                    }
                    LocalResult::None => chrono::Duration::zero(),
                };
                DateTime::from_naive_utc_and_offset(local - offset, Utc)
            }
        }
    }

    /// The wall-clock time of an instant in this zone.
    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.tz).naive_local()
    }
}

/// A local time as `dateTimeTimeZone.dateTime` writes it: seven fractional digits, no offset.
pub fn format_local(t: NaiveDateTime) -> String {
    let nanos = t.and_utc().timestamp_subsec_nanos();
    format!("{}.{:07}", t.format("%Y-%m-%dT%H:%M:%S"), nanos / 100)
}

/// Reads `dateTimeTimeZone.dateTime`: `2017-04-15T12:00:00`, with up to seven (or nine)
/// fractional digits. An offset or `Z` is not part of the type and is refused.
pub fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        parse_local(text).unwrap_or_default()
    }

    #[test]
    fn every_windows_zone_names_a_tz_database_zone() {
        for (windows, iana) in WINDOWS_ZONES {
            assert!(iana.parse::<Tz>().is_ok(), "{windows} -> {iana}");
            assert_eq!(
                Zone::parse(windows).map(|z| z.name),
                Some((*windows).to_owned())
            );
        }
    }

    #[test]
    fn windows_and_iana_names_resolve_and_others_do_not() {
        let pst = Zone::parse("pacific standard time").unwrap_or_else(Zone::utc);
        assert_eq!(pst.name, "Pacific Standard Time");
        assert_eq!(pst.tz, Tz::America__Los_Angeles);
        assert_eq!(
            Zone::parse("Europe/Kyiv").map(|z| z.tz),
            Some(Tz::Europe__Kyiv)
        );
        assert_eq!(
            Zone::parse("Asia/Tashkent").map(|z| z.name),
            Some("Asia/Tashkent".to_owned())
        );
        assert_eq!(Zone::parse("Greenwich Mean Time"), None);
        assert_eq!(Zone::parse(""), None);
        assert_eq!(Zone::parse("+02:00"), None);
    }

    #[test]
    fn local_times_follow_daylight_saving() {
        let pst = Zone::parse("Pacific Standard Time").unwrap_or_else(Zone::utc);
        // Winter: UTC-8; summer: UTC-7 (the change was 2026-03-08 02:00).
        assert_eq!(
            pst.to_utc(local("2026-03-07T09:00:00")).to_rfc3339(),
            "2026-03-07T17:00:00+00:00"
        );
        assert_eq!(
            pst.to_utc(local("2026-03-09T09:00:00")).to_rfc3339(),
            "2026-03-09T16:00:00+00:00"
        );
        // 02:30 does not exist that night: read with the winter offset.
        assert_eq!(
            pst.to_utc(local("2026-03-08T02:30:00")).to_rfc3339(),
            "2026-03-08T10:30:00+00:00"
        );
        assert_eq!(
            format_local(pst.local(pst.to_utc(local("2026-03-09T09:00:00")))),
            "2026-03-09T09:00:00.0000000"
        );
    }

    #[test]
    fn local_times_are_written_with_seven_digits() {
        assert_eq!(
            format_local(local("2019-11-20T13:00:00")),
            "2019-11-20T13:00:00.0000000"
        );
        assert_eq!(
            format_local(local("2019-11-20T13:00:00.1234567")),
            "2019-11-20T13:00:00.1234567"
        );
        assert_eq!(parse_local("2019-11-20T13:00:00Z"), None);
    }
}
