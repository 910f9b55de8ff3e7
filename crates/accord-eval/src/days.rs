//! The date arithmetic of Article 1: counted days, years as days, and the
//! "N years before the assessment date" windows.
//!
//! Days are counted with a sweep over period boundaries, not day by day, in
//! exact hundredths of a day (FTE has at most two decimals, clause 1.4).

use chrono::{Months, NaiveDate};

use accord_core::{Date, Decimal};

/// One employment period as the count sees it: inclusive dates and FTE in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First day.
    pub from: NaiveDate,
    /// Last day; `None` while ongoing.
    pub to: Option<NaiveDate>,
    /// FTE in hundredths (100 = full time).
    pub fte: i64,
}

/// Counted days, in hundredths, from `start` to `end` (both included): each
/// day counts the summed FTE of the spans covering it, capped at one full
/// day, so overlapping periods are not counted twice and part-time periods
/// count pro rata. Ongoing spans run to `end`; days outside `start..=end`
/// do not count.
pub fn counted_hundredths(spans: impl IntoIterator<Item = Span>, start: NaiveDate, end: NaiveDate) -> i64 {
    if end < start {
        return 0;
    }
    let mut events: Vec<(NaiveDate, i64)> = Vec::new();
    for span in spans {
        let from = span.from.max(start);
        let to = span.to.unwrap_or(end).min(end);
        if from > to || span.fte <= 0 {
            continue;
        }
        events.push((from, span.fte));
        match to.succ_opt() {
            Some(after) => events.push((after, -span.fte)),
            None => events.push((to, 0)),
        }
    }
    events.sort_unstable();
    let mut total: i64 = 0;
    let mut level: i64 = 0;
    let mut previous: Option<NaiveDate> = None;
    for (day, delta) in events {
        if let Some(prev) = previous {
            let length = (day - prev).num_days();
            total = total.saturating_add(level.min(100).saturating_mul(length));
        }
        level += delta;
        previous = Some(day);
    }
    total
}

/// Clause 1.3: a requirement of `years` years is met by at least
/// ⌈years × year_length⌉ counted days.
pub fn years_as_days(years: Decimal, year_length: Decimal) -> i64 {
    years.saturating_mul(year_length).ceil()
}

/// Clause 1.6: the first day of the `years` years before `as_of` — the day
/// after the same calendar date `years` years earlier, 29 February falling
/// back to 28 February. `None` only for dates at the edge of the calendar.
pub fn window_start(as_of: NaiveDate, years: u32) -> Option<NaiveDate> {
    let months = years.checked_mul(12)?;
    as_of.checked_sub_months(Months::new(months))?.succ_opt()
}

/// The first assessment date whose `years`-year window (clause 1.6) no
/// longer holds `date`: the first `d` with `window_start(d, years) > date`.
/// Windows only move forward as `d` does, so this is where an item dated
/// `date` leaves them. `None` past the calendar's end.
pub fn leaves_window(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    let months = Months::new(years.checked_mul(12)?);
    let still_in = |d: NaiveDate| window_start(d, years).is_some_and(|start| start <= date);
    // Near `date` + `years`: clamping at the end of February moves it by a day or two.
    let mut d = date.checked_add_months(months)?;
    while d > date && !still_in(d.pred_opt()?) {
        d = d.pred_opt()?;
    }
    while still_in(d) {
        d = d.succ_opt()?;
    }
    Some(d)
}

/// Renders hundredths of a day as a decimal for people: `2301.5`.
pub fn hundredths_to_decimal(hundredths: i64) -> Decimal {
    Decimal::from_hundredths(hundredths)
}

/// Converts a rule-set date to chrono's.
pub fn day(date: Date) -> NaiveDate {
    date.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        Date::parse(text).map(Date::get).unwrap_or_default()
    }

    fn full(from: &str, to: Option<&str>) -> Span {
        Span {
            from: d(from),
            to: to.map(d),
            fte: 100,
        }
    }

    #[test]
    fn counts_both_ends_of_a_period() {
        let spans = [full("2020-01-01", Some("2020-01-10"))];
        assert_eq!(counted_hundredths(spans, d("2000-01-01"), d("2030-01-01")), 1000);
    }

    #[test]
    fn ongoing_period_counts_through_as_of() {
        let spans = [full("2025-01-01", None)];
        assert_eq!(counted_hundredths(spans, d("2000-01-01"), d("2025-01-31")), 3100);
    }

    #[test]
    fn leap_day_counts_as_a_day() {
        let spans = [full("2024-02-28", Some("2024-03-01"))];
        assert_eq!(counted_hundredths(spans, d("2000-01-01"), d("2030-01-01")), 300);
    }

    #[test]
    fn overlapping_periods_are_not_counted_twice() {
        let spans = [
            full("2020-01-01", Some("2020-01-10")),
            full("2020-01-06", Some("2020-01-15")),
        ];
        assert_eq!(counted_hundredths(spans, d("2000-01-01"), d("2030-01-01")), 1500);
    }

    #[test]
    fn part_time_counts_pro_rata_and_overlaps_cap_at_one() {
        let half = Span {
            from: d("2020-01-01"),
            to: Some(d("2020-01-10")),
            fte: 50,
        };
        let sixty = Span {
            from: d("2020-01-06"),
            to: Some(d("2020-01-15")),
            fte: 60,
        };
        // 5 days at 0.5, 5 days at min(1.1, 1) = 1, 5 days at 0.6
        assert_eq!(
            counted_hundredths([half, sixty], d("2000-01-01"), d("2030-01-01")),
            250 + 500 + 300
        );
    }

    #[test]
    fn days_before_the_start_do_not_count() {
        let spans = [full("2018-01-01", Some("2018-12-31"))];
        assert_eq!(
            counted_hundredths(spans, d("2018-07-15"), d("2030-01-01")),
            170 * 100
        );
    }

    #[test]
    fn a_period_starting_after_the_end_does_not_count() {
        let spans = [full("2026-01-01", None)];
        assert_eq!(counted_hundredths(spans, d("2018-07-15"), d("2025-12-31")), 0);
    }

    #[test]
    fn years_as_days_follows_clause_1_3() {
        let year = Decimal::parse("365.25").unwrap_or_default();
        assert_eq!(years_as_days(Decimal::from_int(2), year), 731);
        assert_eq!(years_as_days(Decimal::from_int(6), year), 2192);
        assert_eq!(years_as_days(Decimal::from_int(7), year), 2557);
    }

    #[test]
    fn window_starts_the_day_after_the_same_date_years_earlier() {
        assert_eq!(window_start(d("2025-09-15"), 3), Some(d("2022-09-16")));
    }

    #[test]
    fn leap_day_window_falls_back_to_28_february() {
        assert_eq!(window_start(d("2028-02-29"), 3), Some(d("2025-03-01")));
        assert_eq!(window_start(d("2024-02-29"), 5), Some(d("2019-03-01")));
        assert_eq!(window_start(d("2028-02-29"), 4), Some(d("2024-03-01")));
    }

    #[test]
    fn an_item_leaves_the_window_the_day_after_its_anniversary() {
        // In the window from 2022-09-16 on 2025-09-15; on 2025-09-16 it starts 2022-09-17.
        assert_eq!(leaves_window(d("2022-09-16"), 3), Some(d("2025-09-16")));
        // 29 February: the window of 2029-02-28 starts on 2024-02-29 (28 February
        // 2024 + 1); that of 2029-03-01 starts on 2024-03-02.
        assert_eq!(leaves_window(d("2024-02-29"), 5), Some(d("2029-03-01")));
        assert_eq!(leaves_window(d("2024-02-28"), 5), Some(d("2029-02-28")));
    }

    #[test]
    fn window_ending_on_1_march_excludes_the_leap_day_three_years_back() {
        assert_eq!(window_start(d("2027-03-01"), 3), Some(d("2024-03-02")));
    }

    use proptest::prelude::*;

    /// Clause 1.4 read literally: every day from `start` to `end`, the FTE
    /// of the spans covering it summed and capped at a full day.
    fn day_by_day(spans: &[Span], start: NaiveDate, end: NaiveDate) -> i64 {
        let mut total = 0;
        let mut day = start;
        while day <= end {
            let covering: i64 = spans
                .iter()
                .filter(|s| s.from <= day && s.to.is_none_or(|to| day <= to))
                .map(|s| s.fte)
                .sum();
            total += covering.min(100);
            day = day.succ_opt().unwrap();
        }
        total
    }

    fn span() -> impl Strategy<Value = Span> {
        (0i64..1500, proptest::option::of(0i64..400), 1i64..=100).prop_map(|(from, length, fte)| {
            let base = d("2020-01-01");
            let from = base + chrono::Duration::days(from);
            Span {
                from,
                to: length.map(|l| from + chrono::Duration::days(l)),
                fte,
            }
        })
    }

    proptest! {
        #[test]
        fn the_sweep_counts_what_a_day_by_day_count_counts(
            spans in proptest::collection::vec(span(), 0..6),
            start in 0i64..1600,
            length in 0i64..400,
        ) {
            let start = d("2020-01-01") + chrono::Duration::days(start);
            let end = start + chrono::Duration::days(length);
            prop_assert_eq!(counted_hundredths(spans.clone(), start, end), day_by_day(&spans, start, end));
        }

        #[test]
        fn an_item_leaves_on_the_first_day_its_window_no_longer_holds_it(
            offset in 0i64..3000,
            years in 1u32..12,
        ) {
            // Dates around every February, leap or not.
            let date = d("2019-01-01") + chrono::Duration::days(offset);
            let left = leaves_window(date, years).unwrap();
            prop_assert!(window_start(left, years).unwrap() > date);
            let before = left.pred_opt().unwrap();
            prop_assert!(before <= date || window_start(before, years).unwrap() <= date);
        }
    }
}
