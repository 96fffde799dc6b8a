//! Checks of the `apiVersions` section, and which version each operation belongs to.

use indexmap::IndexMap;

use super::Checker;
use crate::spec::{OperationSpec, SpecDocument};
use crate::suggest::closest;

/// The media type of operations when the spec declares no versions.
const DEFAULT_MEDIA_TYPE: &str = "application/json";

/// The declared versions: name → (path prefix, media type).
pub(super) struct Versions(IndexMap<String, (String, String)>);

/// The version an operation belongs to, resolved.
pub(super) struct OperationVersion {
    pub(super) name: Option<String>,
    pub(super) path_prefix: String,
    pub(super) media_type: String,
}

impl Checker {
    pub(super) fn api_versions(&mut self, doc: &SpecDocument) -> Versions {
        for (name, version) in &doc.api_versions {
            let pointer = format!("apiVersions.{name}");
            if let Err(reason) = check_path_prefix(&version.path_prefix) {
                self.error(
                    format!("{pointer}.pathPrefix"),
                    format!(
                        "`{}` is not a usable path prefix: {reason}",
                        version.path_prefix
                    ),
                );
            }
            if !is_media_type(&version.media_type) {
                self.error(
                    format!("{pointer}.mediaType"),
                    format!(
                        "`{}` is not a media type: write `type/subtype` in letters, digits and `!#$&-^_.+`, without parameters",
                        version.media_type
                    ),
                );
            }
        }
        Versions(
            doc.api_versions
                .iter()
                .map(|(name, version)| {
                    (
                        name.clone(),
                        (version.path_prefix.clone(), version.media_type.clone()),
                    )
                })
                .collect(),
        )
    }

    /// The version `spec` names (reported when unknown, or missing while versions exist).
    pub(super) fn operation_version(
        &mut self,
        pointer: &str,
        spec: &OperationSpec,
        versions: &Versions,
    ) -> OperationVersion {
        let unversioned = OperationVersion {
            name: None,
            path_prefix: String::new(),
            media_type: DEFAULT_MEDIA_TYPE.to_owned(),
        };
        let names = || {
            versions
                .0
                .keys()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &spec.api_version {
            None if versions.0.is_empty() => unversioned,
            None => {
                self.error(
                    pointer,
                    format!(
                        "the spec declares API versions, so the operation must name its `apiVersion`: one of {}",
                        names()
                    ),
                );
                unversioned
            }
            Some(name) => match versions.0.get(name) {
                Some((path_prefix, media_type)) => OperationVersion {
                    name: Some(name.clone()),
                    path_prefix: path_prefix.trim_end_matches('/').to_owned(),
                    media_type: media_type.clone(),
                },
                None => {
                    let mut message = format!("unknown API version `{name}`");
                    match closest(name, versions.0.keys().map(String::as_str)) {
                        Some(suggestion) => {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        None if versions.0.is_empty() => {
                            message.push_str("; declare it in `apiVersions`");
                        }
                        None => message.push_str(&format!("; the versions are {}", names())),
                    }
                    self.error(format!("{pointer}.apiVersion"), message);
                    unversioned
                }
            },
        }
    }
}

/// A prefix is empty or `/segment/...`, with nothing a path template would read specially.
pub(super) fn check_path_prefix(prefix: &str) -> Result<(), &'static str> {
    if prefix.is_empty() {
        return Ok(());
    }
    if !prefix.starts_with('/') {
        return Err("it must start with `/`");
    }
    if prefix.ends_with('/') {
        return Err("it must not end with `/` (operation paths start with one)");
    }
    if prefix.contains(['{', '}', '?', '#']) {
        return Err("it must not contain `{`, `}`, `?` or `#`");
    }
    if prefix.contains(|c: char| !c.is_ascii_graphic()) {
        return Err("it must be printable ASCII without spaces");
    }
    Ok(())
}

/// `type/subtype`, each an RFC 9110 token: it is sent as a header value as is.
fn is_media_type(text: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    matches!(text.split_once('/'), Some((kind, subtype)) if token(kind) && token(subtype))
}

#[cfg(test)]
mod tests {
    use super::{check_path_prefix, is_media_type};

    #[test]
    fn media_types_are_type_slash_subtype_tokens() {
        assert!(is_media_type("application/json"));
        assert!(is_media_type("application/vnd.example.2024-01-01+json"));
        for bad in [
            "json",
            "application/",
            "/json",
            "a/b/c",
            "text/plain; charset=utf-8",
            "a b/c",
        ] {
            assert!(!is_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn prefixes_start_with_a_slash_and_do_not_end_with_one() {
        assert!(check_path_prefix("").is_ok());
        assert!(check_path_prefix("/api/v2").is_ok());
        for bad in ["api", "/api/", "/a/{b}", "/a?b", "/a b"] {
            assert!(check_path_prefix(bad).is_err(), "{bad}");
        }
    }
}
