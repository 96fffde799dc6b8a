//! "Did you mean …?" suggestions for misspelled names.

/// The candidate closest to `name` by edit distance (case-insensitive), if it is close enough
/// to be a likely typo. Ties go to the first candidate.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    candidates
        .map(|candidate| (edit_distance(&name, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between `a` and `b`, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // `previous[j]` is the distance between the first i characters of `a` and the first j of `b`.
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(ca != *cb));
            let deletion = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insertion = current.last().map_or(usize::MAX, |d| d + 1);
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("Regoin", "Region"), 2);
        assert_eq!(edit_distance("sumary", "summary"), 1);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["Region", "ProviderName", "string"];
        assert_eq!(closest("Regoin", names.iter().copied()), Some("Region"));
        assert_eq!(closest("region", names.iter().copied()), Some("Region"));
        assert_eq!(closest("Strin", names.iter().copied()), Some("string"));
        assert_eq!(closest("Cluster", names.iter().copied()), None);
    }
}
