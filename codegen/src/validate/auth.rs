//! Checks of `info.auth`: which schemes the API declares, and their endpoints.

use super::Checker;
use super::versions::check_path_prefix;
use crate::model::{Auth, ClientCredentials, DigestAuth};
use crate::spec::AuthSpec;

impl Checker {
    pub(super) fn auth(&mut self, spec: &AuthSpec) -> Auth {
        if spec.digest.is_none() && spec.client_credentials.is_none() {
            self.error(
                "info.auth",
                "declare at least one authentication scheme: `digest` or `clientCredentials`",
            );
        }
        if let Some(credentials) = &spec.client_credentials {
            for (key, path) in [
                ("tokenPath", &credentials.token_path),
                ("revokePath", &credentials.revoke_path),
            ] {
                let problem = if path.is_empty() {
                    Some("it must not be empty")
                } else {
                    check_path_prefix(path).err()
                };
                if let Some(reason) = problem {
                    self.error(
                        format!("info.auth.clientCredentials.{key}"),
                        format!("`{path}` is not a usable endpoint path: {reason}"),
                    );
                }
            }
        }
        Auth {
            description: spec.description.clone(),
            digest: spec.digest.as_ref().map(|digest| DigestAuth {
                username_doc: digest.username.clone(),
                password_doc: digest.password.clone(),
            }),
            client_credentials: spec.client_credentials.as_ref().map(|credentials| {
                ClientCredentials {
                    token_path: credentials.token_path.clone(),
                    revoke_path: credentials.revoke_path.clone(),
                    client_id_doc: credentials.client_id.clone(),
                    client_secret_doc: credentials.client_secret.clone(),
                    description: credentials.description.clone(),
                }
            }),
        }
    }
}
