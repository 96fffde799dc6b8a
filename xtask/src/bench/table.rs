//! The benchmark table: one row per measurement, with its target and whether it is met.
//!
//! Formatting is a pure function of the rows ([`format_table`]), so it is tested on fixed
//! numbers.

use std::fmt::Write as _;

/// The unit a value (and its target) is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Millis => " ms",
            Unit::Seconds => " s",
            Unit::MiB => " MiB",
            Unit::Ratio | Unit::Lines => "",
        }
    }

    fn decimals(self) -> usize {
        match self {
            Unit::Millis | Unit::Ratio => 2,
            Unit::Seconds => 3,
            Unit::MiB | Unit::Lines => 1,
        }
    }

    /// A measured value, with this unit's precision.
    pub fn format_value(self, value: f64) -> String {
        format!("{value:.*}{}", self.decimals(), self.suffix())
    }

    /// A limit, as written (`20`, `0.7`).
    fn format_limit(self, limit: f64) -> String {
        format!("{limit}{}", self.suffix())
    }
}

/// What a value must satisfy, in the row's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Strictly less than the limit.
    Below(f64),
    /// Less than or equal to the limit.
    AtMost(f64),
}

impl Goal {
    fn is_met(self, value: f64) -> bool {
        match self {
            Goal::Below(limit) => value < limit,
            Goal::AtMost(limit) => value <= limit,
        }
    }

    fn format(self, unit: Unit) -> String {
        match self {
            Goal::Below(limit) => format!("< {}", unit.format_limit(limit)),
            Goal::AtMost(limit) => format!("≤ {}", unit.format_limit(limit)),
        }
    }
}

/// A measurement, or why it was not taken.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    /// The value, in the row's unit.
    Value(f64),
    /// Not measured (e.g. `--quick`, or `/usr/bin/time` missing), with the reason.
    Skipped(String),
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
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
            [Some(true), Some(false), Some(true), None, None, Some(false)]
        );
    }
}
