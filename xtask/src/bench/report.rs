//! The statistics and the table of every benchmark: the one median ([`median`], [`Summary`]),
//! one row per measurement with its target and whether it is met ([`Row`]), and the markdown
//! report ([`Report`]).
//!
//! `cargo xtask bench` uses this module for the generator's rows, and the client bench
//! (`tests/benches/throughput.rs`) includes this same file (`#[path]`) for the client's rows,
//! which it writes as JSON to `target/bench/throughput.json` for `cargo xtask bench` to merge
//! into one report. So the file depends on nothing but `std` and `serde`.
//!
//! Formatting is a pure function of the rows, so it is tested on fixed numbers.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// The median (mean of the middle two for an even count); NaN when empty.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => values.get(middle).copied().unwrap_or(f64::NAN),
        _ => match (values.get(middle - 1), values.get(middle)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            _ => f64::NAN,
        },
    }
}

/// Minimum, median and maximum of some runs (NaN when there are none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many values.
    pub runs: usize,
    /// The smallest.
    pub min: f64,
    /// The [`median`].
    pub median: f64,
    /// The largest.
    pub max: f64,
}

impl Summary {
    /// The summary of `values`.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Summary {
        let mut values: Vec<f64> = values.into_iter().collect();
        let median = median(&mut values);
        Summary {
            runs: values.len(),
            min: values.first().copied().unwrap_or(f64::NAN),
            median,
            max: values.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// `min 3 / median 4.5 / max 9`, each value formatted in `unit`.
    pub fn format(&self, unit: Unit) -> String {
        format!(
            "min {} / median {} / max {}",
            unit.format_value(self.min),
            unit.format_value(self.median),
            unit.format_value(self.max)
        )
    }
}

/// The unit a value (and its target) is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Milliseconds, shown with two decimals.
    Millis,
    /// Seconds, shown with three decimals.
    Seconds,
    /// Mebibytes, shown with one decimal.
    MiB,
    /// A dimensionless ratio, shown with two decimals.
    Ratio,
    /// Lines of code, shown with one decimal.
    Lines,
    /// Requests per second, shown without decimals.
    PerSecond,
    /// How many times another value, shown with two decimals.
    Times,
    /// A count (or the median of counts), shown as is.
    Count,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Millis => " ms",
            Unit::Seconds => " s",
            Unit::MiB => " MiB",
            Unit::PerSecond => " req/s",
            Unit::Times => "×",
            Unit::Ratio | Unit::Lines | Unit::Count => "",
        }
    }

    /// Digits after the point, or `None` to print the value as is.
    fn decimals(self) -> Option<usize> {
        match self {
            Unit::Millis | Unit::Ratio | Unit::Times => Some(2),
            Unit::Seconds => Some(3),
            Unit::MiB | Unit::Lines => Some(1),
            Unit::PerSecond => Some(0),
            Unit::Count => None,
        }
    }

    /// A measured value, with this unit's precision.
    pub fn format_value(self, value: f64) -> String {
        match self.decimals() {
            Some(decimals) => format!("{value:.decimals$}{}", self.suffix()),
            None => format!("{value}{}", self.suffix()),
        }
    }

    /// A limit, as written (`20`, `0.7`).
    fn format_limit(self, limit: f64) -> String {
        format!("{limit}{}", self.suffix())
    }
}

/// What a value must satisfy, in the row's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Goal {
    /// Strictly less than the limit.
    Below(f64),
    /// Less than or equal to the limit.
    AtMost(f64),
    /// Greater than or equal to the limit.
    AtLeast(f64),
}

impl Goal {
    fn is_met(self, value: f64) -> bool {
        match self {
            Goal::Below(limit) => value < limit,
            Goal::AtMost(limit) => value <= limit,
            Goal::AtLeast(limit) => value >= limit,
        }
    }

    fn format(self, unit: Unit) -> String {
        match self {
            Goal::Below(limit) => format!("< {}", unit.format_limit(limit)),
            Goal::AtMost(limit) => format!("≤ {}", unit.format_limit(limit)),
            Goal::AtLeast(limit) => format!("≥ {}", unit.format_limit(limit)),
        }
    }
}

/// A measurement, or why it was not taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Measured {
    /// The value, in the row's unit.
    Value(f64),
    /// Not measured (e.g. `--quick`, or `/usr/bin/time` missing), with the reason.
    Skipped(String),
}

impl Measured {
    /// `value`, or `Skipped` when it is not a finite number (nothing to take a median of, a
    /// division by zero), which also keeps the JSON form exact.
    pub fn of(value: f64) -> Measured {
        if value.is_finite() {
            Measured::Value(value)
        } else {
            Measured::Skipped("no value".into())
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// What was measured, and how.
    pub name: String,
    /// The unit of the value and of the goal.
    pub unit: Unit,
    /// The measurement.
    pub measured: Measured,
    /// The target, if the measurement has one.
    pub goal: Option<Goal>,
}

impl Row {
    /// A row with a target.
    pub fn with_goal(name: impl Into<String>, unit: Unit, measured: Measured, goal: Goal) -> Self {
        Row {
            name: name.into(),
            unit,
            measured,
            goal: Some(goal),
        }
    }

    /// An informational row without a target.
    pub fn info(name: impl Into<String>, unit: Unit, measured: Measured) -> Self {
        Row {
            name: name.into(),
            unit,
            measured,
            goal: None,
        }
    }

    /// The four cells: name, value, target, met?.
    pub fn cells(&self) -> [String; 4] {
        let value = match &self.measured {
            Measured::Value(value) => self.unit.format_value(*value),
            Measured::Skipped(reason) => format!("skipped ({reason})"),
        };
        let target = self
            .goal
            .map_or_else(|| "—".to_owned(), |goal| goal.format(self.unit));
        let met = match (&self.measured, self.goal) {
            (_, None) => "—".to_owned(),
            (Measured::Skipped(_), Some(_)) => "skipped".to_owned(),
            (Measured::Value(value), Some(goal)) => {
                if goal.is_met(*value) { "yes" } else { "NO" }.to_owned()
            }
        };
        [self.name.clone(), value, target, met]
    }

    /// `Some(false)` when the row has a target and misses it.
    pub fn is_met(&self) -> Option<bool> {
        match (&self.measured, self.goal) {
            (Measured::Value(value), Some(goal)) => Some(goal.is_met(*value)),
            _ => None,
        }
    }
}

/// The rows as a markdown table (`name | value | target | met?`), columns padded so it also
/// reads well in a terminal.
pub fn format_table(rows: &[Row]) -> String {
    let header = ["name", "value", "target", "met?"].map(str::to_owned);
    let body: Vec<[String; 4]> = rows.iter().map(Row::cells).collect();
    let mut widths = [0usize; 4];
    for line in std::iter::once(&header).chain(&body) {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_line = |cells: &[String; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| {
                let pad = width.saturating_sub(cell.chars().count());
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        let _ = writeln!(out, "| {} |", padded.join(" | "));
    };
    push_line(&header);
    push_line(&widths.map(|width| "-".repeat(width.max(3))));
    for line in &body {
        push_line(line);
    }
    out
}

/// A titled table and the notes below it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The markdown heading.
    pub title: String,
    /// The table.
    pub rows: Vec<Row>,
    /// Notes printed below the table, one bullet each.
    pub notes: Vec<String>,
}

impl Report {
    /// An empty report.
    pub fn new(title: impl Into<String>) -> Self {
        Report {
            title: title.into(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The names of the rows that miss their target.
    pub fn missed(&self) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|row| row.is_met() == Some(false))
            .map(|row| row.name.as_str())
            .collect()
    }

    /// The rows and notes of `other` after this report's.
    pub fn append(&mut self, other: Report) {
        self.rows.extend(other.rows);
        self.notes.extend(other.notes);
    }

    /// `# title`, the table, the notes, then how many measured targets are met.
    pub fn to_markdown(&self) -> String {
        let missed = self.missed();
        let with_goal = self
            .rows
            .iter()
            .filter(|row| row.is_met().is_some())
            .count();
        let mut text = format!("# {}\n\n{}\n", self.title, format_table(&self.rows));
        for note in &self.notes {
            let _ = writeln!(text, "- {note}");
        }
        let _ = writeln!(
            text,
            "- {} of {with_goal} measured targets met{}",
            with_goal - missed.len(),
            if missed.is_empty() {
                ".".to_owned()
            } else {
                format!("; missed: {}.", missed.join("; "))
            }
        );
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Row> {
        vec![
            Row::with_goal(
                "real spec",
                Unit::Millis,
                Measured::Value(8.123),
                Goal::Below(20.0),
            ),
            Row::with_goal(
                "e2e 1000",
                Unit::Seconds,
                Measured::Value(0.75),
                Goal::Below(0.7),
            ),
            Row::with_goal(
                "ratio",
                Unit::Ratio,
                Measured::Value(11.0),
                Goal::AtMost(11.0),
            ),
            Row::with_goal(
                "peak",
                Unit::MiB,
                Measured::Skipped("no /usr/bin/time".into()),
                Goal::Below(100.0),
            ),
            Row::info("check", Unit::Seconds, Measured::Value(1.5)),
            Row::with_goal(
                "lines",
                Unit::Lines,
                Measured::Value(151.04),
                Goal::AtMost(150.0),
            ),
            Row::info("req/s", Unit::PerSecond, Measured::Value(6188.4)),
            Row::with_goal(
                "overhead",
                Unit::Times,
                Measured::Value(0.949),
                Goal::AtLeast(0.95),
            ),
            Row::with_goal(
                "challenges",
                Unit::Count,
                Measured::Value(16.0),
                Goal::AtMost(16.0),
            ),
            Row::info("exchanges", Unit::Count, Measured::Value(216.5)),
        ]
    }

    #[test]
    fn rows_have_value_target_and_verdict() {
        let cells: Vec<[String; 4]> = sample().iter().map(Row::cells).collect();
        let expected = [
            ["real spec", "8.12 ms", "< 20 ms", "yes"],
            ["e2e 1000", "0.750 s", "< 0.7 s", "NO"],
            ["ratio", "11.00", "≤ 11", "yes"],
            ["peak", "skipped (no /usr/bin/time)", "< 100 MiB", "skipped"],
            ["check", "1.500 s", "—", "—"],
            ["lines", "151.0", "≤ 150", "NO"],
            ["req/s", "6188 req/s", "—", "—"],
            ["overhead", "0.95×", "≥ 0.95×", "NO"],
            ["challenges", "16", "≤ 16", "yes"],
            ["exchanges", "216.5", "—", "—"],
        ];
        assert_eq!(cells.len(), expected.len());
        for (got, want) in cells.iter().zip(expected) {
            assert_eq!(got, &want.map(str::to_owned));
        }
    }

    #[test]
    fn table_is_aligned_markdown() {
        let rows = &sample()[..2];
        let table = format_table(rows);
        let expected = "\
| name      | value   | target  | met? |
| --------- | ------- | ------- | ---- |
| real spec | 8.12 ms | < 20 ms | yes  |
| e2e 1000  | 0.750 s | < 0.7 s | NO   |
";
        assert_eq!(table, expected);
    }

    #[test]
    fn verdicts() {
        let rows = sample();
        let verdicts: Vec<Option<bool>> = rows.iter().map(Row::is_met).collect();
        assert_eq!(
            verdicts,
            [
                Some(true),
                Some(false),
                Some(true),
                None,
                None,
                Some(false),
                None,
                Some(false),
                Some(true),
                None
            ]
        );
    }

    #[test]
    fn medians_and_summaries() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [7.0]), 7.0);
        assert!(median(&mut []).is_nan());
        let summary = Summary::of([16.0, 3.0, 9.0, 4.0]);
        assert_eq!(
            summary,
            Summary {
                runs: 4,
                min: 3.0,
                median: 6.5,
                max: 16.0
            }
        );
        assert_eq!(summary.format(Unit::Count), "min 3 / median 6.5 / max 16");
        assert_eq!(
            Summary::of([0.5, 0.25]).format(Unit::Seconds),
            "min 0.250 s / median 0.375 s / max 0.500 s"
        );
        assert!(Summary::of([]).median.is_nan());
    }

    #[test]
    fn values_that_are_not_numbers_are_skipped() {
        assert_eq!(Measured::of(1.5), Measured::Value(1.5));
        assert_eq!(Measured::of(f64::NAN), Measured::Skipped("no value".into()));
        assert_eq!(
            Measured::of(f64::INFINITY),
            Measured::Skipped("no value".into())
        );
    }

    #[test]
    fn report_has_the_table_then_the_notes_then_the_verdict() {
        let mut report = Report::new("cargo xtask bench");
        report.rows.push(Row::with_goal(
            "real spec",
            Unit::Millis,
            Measured::Value(8.0),
            Goal::Below(20.0),
        ));
        report.notes.push("Mode: full.".to_owned());
        let mut client = Report::new("Client throughput");
        client.rows.push(Row::with_goal(
            "overhead",
            Unit::Times,
            Measured::Value(0.9),
            Goal::AtLeast(0.95),
        ));
        client.notes.push("rounds: 0.90".to_owned());
        report.append(client);
        assert_eq!(report.missed(), ["overhead"]);
        assert_eq!(
            report.to_markdown(),
            "# cargo xtask bench\n\n\
             | name      | value   | target  | met? |\n\
             | --------- | ------- | ------- | ---- |\n\
             | real spec | 8.00 ms | < 20 ms | yes  |\n\
             | overhead  | 0.90×   | ≥ 0.95× | NO   |\n\
             \n- Mode: full.\n\
             - rounds: 0.90\n\
             - 1 of 2 measured targets met; missed: overhead.\n"
        );
    }

    #[test]
    fn reports_survive_json() {
        let mut report = Report::new("Client throughput");
        report.rows = sample();
        report.notes.push("a note".to_owned());
        let text = serde_json::to_string(&report).expect("serializable");
        let back: Report = serde_json::from_str(&text).expect("readable");
        assert_eq!(back, report);
    }
}
