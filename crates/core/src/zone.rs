//! Time zones: names checked against the IANA database (bundled into the binary through jiff,
//! so every machine answers alike, decision 0063) and moments shown in a person's zone.
use time::{OffsetDateTime, UtcOffset};

/// An IANA time zone name that the bundled database knows, in its canonical spelling
/// (`europe/paris` becomes `Europe/Paris`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

/// Why a time zone name was refused; the message names what to type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownZone(pub &'static str);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, UnknownZone> {
        let raw = raw.trim();
        // A name is at most a few path segments of letters; anything else is not looked up.
        let plausible = !raw.is_empty()
            && raw.len() <= 64
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
            && !raw.starts_with('/')
            && !raw.contains("//");
        let zone = plausible.then(|| jiff::tz::TimeZone::get(raw).ok()).flatten();
        match zone.as_ref().and_then(|z| z.iana_name()) {
            Some(name) => Ok(TimeZoneName(name.to_owned())),
            None => Err(UnknownZone("Choose a time zone from the list, such as Europe/Paris or UTC.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every zone name of the bundled database, sorted (for a form's suggestions).
pub fn all_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
    names.sort();
    names
}

/// `t` as a wall-clock time in the zone named `zone` (UTC when the name is unknown), with the
/// zone's abbreviation at that moment (`CET`, `EDT`, or `+0530` where the database has none).
pub fn in_zone(t: OffsetDateTime, zone: &str) -> (OffsetDateTime, String) {
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return (t.to_offset(UtcOffset::UTC), "UTC".to_owned());
    };
    let Ok(ts) = jiff::Timestamp::from_second(t.unix_timestamp()) else {
        return (t.to_offset(UtcOffset::UTC), "UTC".to_owned());
    };
    let info = tz.to_offset_info(ts);
    let secs = info.offset().seconds();
    let offset = UtcOffset::from_whole_seconds(secs).unwrap_or(UtcOffset::UTC);
    let abbreviation = info.abbreviation();
    // The database writes `+0530`-style offsets as `+0530` or `+05`; keep them as they are.
    (t.to_offset(offset), abbreviation.to_owned())
}

/// The instant at which the wall clock in the zone named `zone` reads `date` `time` (UTC when
/// the name is unknown). A time skipped by a daylight-saving change counts forward by the gap,
/// a time that happens twice is its first occurrence (jiff's "compatible" choice, as calendars do).
pub fn at_local(date: time::Date, at: time::Time, zone: &str) -> OffsetDateTime {
    let utc = date.with_time(at).assume_utc();
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else { return utc };
    let civil = jiff::civil::DateTime::new(
        date.year() as i16,
        u8::from(date.month()) as i8,
        date.day() as i8,
        at.hour() as i8,
        at.minute() as i8,
        at.second() as i8,
        0,
    );
    let Ok(ts) = civil.and_then(|c| tz.to_ambiguous_timestamp(c).compatible()) else { return utc };
    OffsetDateTime::from_unix_timestamp(ts.as_second()).unwrap_or(utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn local_wall_clock_times_become_instants_across_daylight_saving() {
        use time::macros::{date, time};
        let at = |d, t, z| at_local(d, t, z);
        assert_eq!(at(date!(2031 - 01 - 15), time!(09:00), "Europe/Paris"), datetime!(2031-01-15 08:00 UTC));
        assert_eq!(at(date!(2031 - 07 - 15), time!(09:00), "Europe/Paris"), datetime!(2031-07-15 07:00 UTC));
        assert_eq!(at(date!(2031 - 05 - 06), time!(07:10), "Asia/Tokyo"), datetime!(2031-05-05 22:10 UTC));
        // 02:30 does not happen on 2031-03-30 in Paris: an hour later on the clock, 01:30 UTC.
        assert_eq!(at(date!(2031 - 03 - 30), time!(02:30), "Europe/Paris"), datetime!(2031-03-30 01:30 UTC));
        assert_eq!(at(date!(2031 - 01 - 15), time!(09:00), "Nowhere/Else"), datetime!(2031-01-15 09:00 UTC));
    }

    #[test]
    fn iana_names_are_accepted_in_their_canonical_spelling() {
        for (raw, canonical) in [
            ("UTC", "UTC"),
            ("Europe/Paris", "Europe/Paris"),
            ("  America/Argentina/Buenos_Aires ", "America/Argentina/Buenos_Aires"),
            ("Etc/GMT+3", "Etc/GMT+3"),
            ("europe/paris", "Europe/Paris"),
        ] {
            assert_eq!(TimeZoneName::parse(raw).map(|z| z.0), Ok(canonical.to_owned()), "{raw}");
        }
    }

    #[test]
    fn names_outside_the_iana_list_are_refused() {
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "Europe/Pariss",
            "Europe//Paris",
            "/etc/passwd",
            "../../etc/passwd",
            "Paris; DROP",
            &"A".repeat(65),
        ] {
            assert!(TimeZoneName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_moment_is_shown_in_the_zone_with_its_abbreviation() {
        let winter = datetime!(2026-01-15 12:00:00.123456 UTC);
        let (t, abbr) = in_zone(winter, "Europe/Paris");
        assert_eq!((t.hour(), t.minute(), abbr.as_str()), (13, 0, "CET"));
        let summer = datetime!(2026-07-15 12:00 UTC);
        let (t, abbr) = in_zone(summer, "America/New_York");
        assert_eq!((t.hour(), abbr.as_str()), (8, "EDT"));
        let (t, abbr) = in_zone(summer, "no such zone");
        assert_eq!((t.hour(), abbr.as_str()), (12, "UTC"));
        assert!(all_zone_names().iter().any(|n| n == "Asia/Kolkata"));
    }
}
