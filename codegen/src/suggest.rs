//! "Did you mean …?" suggestions for misspelled names.

/// The candidate closest to `name` by Levenshtein distance over characters (case-insensitive),
/// if it is close enough to be a likely typo: at most a third of the candidate's characters
/// (at least one) differ. Ties go to the first candidate.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    candidates
        .map(|candidate| {
            let distance = strsim::levenshtein(&name, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggest(name: &str, candidates: &[&'static str]) -> Option<&'static str> {
        closest(name, candidates.iter().copied())
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["Region", "ProviderName", "string"];
        // A transposition is two edits; "Region" has six characters, so two may differ.
        assert_eq!(suggest("Regoin", &names), Some("Region"));
        assert_eq!(suggest("region", &names), Some("Region"));
        assert_eq!(suggest("Strin", &names), Some("string"));
        assert_eq!(suggest("Cluster", &names), None);
    }

    #[test]
    fn the_threshold_is_a_third_of_the_candidate_and_at_least_one() {
        // Four characters: one edit at most.
        assert_eq!(suggest("nam", &["name"]), Some("name"));
        assert_eq!(suggest("na", &["name"]), None);
        // Two characters: still one edit.
        assert_eq!(suggest("i", &["id"]), Some("id"));
        assert_eq!(suggest("", &["id"]), None);
        // Nine characters: three edits.
        assert_eq!(suggest("operati", &["operation"]), Some("operation"));
        assert_eq!(suggest("summa", &["operation", "summary"]), Some("summary"));
        assert_eq!(suggest("opera", &["operation"]), None);
    }

    #[test]
    fn the_nearest_candidate_wins_and_ties_go_to_the_first() {
        assert_eq!(suggest("sumary", &["summery", "summary"]), Some("summary"));
        assert_eq!(suggest("cat", &["bat", "cut"]), Some("bat"));
        assert_eq!(suggest("cat", &["cut", "bat"]), Some("cut"));
        assert_eq!(suggest("anything", &[]), None);
    }

    #[test]
    fn distances_count_characters_not_bytes() {
        // `é` is two bytes but one character: one substitution.
        assert_eq!(suggest("cafe", &["café"]), Some("café"));
        assert_eq!(suggest("CAFÉ", &["café"]), Some("café"));
    }
}
