//! Checks of the declared `upstreamDeviations`: each names an aspect that can differ where it
//! is declared, gives a reason, and is declared once per place.

use std::collections::BTreeSet;

use super::Checker;
use crate::spec::{DeviationSpec, SpecDocument};

impl Checker {
    /// Checks every `upstreamDeviations` list of the document.
    pub(super) fn upstream_deviations(&mut self, doc: &SpecDocument) {
        for (name, parameter) in &doc.parameters {
            let pointer = format!("parameters.{name}");
            self.deviation_list(&pointer, "parameters", &parameter.upstream_deviations);
        }
        for (name, definition) in &doc.enums {
            let pointer = format!("enums.{name}");
            self.deviation_list(&pointer, "enums", &definition.upstream_deviations);
        }
        for (name, definition) in &doc.types {
            let pointer = format!("types.{name}");
            self.deviation_list(&pointer, "types", &definition.upstream_deviations);
            for (field, spec) in &definition.fields {
                let pointer = format!("{pointer}.fields.{field}");
                self.deviation_list(&pointer, "fields", &spec.upstream_deviations);
            }
        }
        for (name, definition) in &doc.unions {
            let pointer = format!("unions.{name}");
            self.deviation_list(&pointer, "unions", &definition.upstream_deviations);
        }
        for (id, operation) in &doc.operations {
            let pointer = format!("operations.{id}");
            if operation.operation_id.is_none() && !operation.upstream_deviations.is_empty() {
                self.key_error(
                    format!("{pointer}.upstreamDeviations"),
                    "only operations with an `operationId` are compared with the official description; without one, a declared deviation means nothing",
                );
            }
            self.deviation_list(&pointer, "operations", &operation.upstream_deviations);
        }
    }

    fn deviation_list(&mut self, owner: &str, section: &str, deviations: &[DeviationSpec]) {
        let mut seen = BTreeSet::new();
        for (index, deviation) in deviations.iter().enumerate() {
            let pointer = format!("{owner}.upstreamDeviations[{index}]");
            let aspect = deviation.aspect;
            let allowed = aspect.declared_on();
            if !allowed.contains(&section) {
                let places: Vec<String> = allowed
                    .iter()
                    .map(|place| match *place {
                        "fields" => "a field".to_owned(),
                        "parameters" => "a parameter".to_owned(),
                        "enums" => "an enum".to_owned(),
                        "types" => "a type".to_owned(),
                        "unions" => "a union".to_owned(),
                        _ => "an operation".to_owned(),
                    })
                    .collect();
                self.error(
                    format!("{pointer}.aspect"),
                    format!(
                        "the aspect `{}` cannot differ here: declare it on {}",
                        aspect.as_str(),
                        places.join(" or ")
                    ),
                );
            }
            if !seen.insert(aspect) {
                self.error(
                    format!("{pointer}.aspect"),
                    format!(
                        "the aspect `{}` is declared twice here; give one reason",
                        aspect.as_str()
                    ),
                );
            }
            if deviation.reason.trim().is_empty() {
                self.error(
                    format!("{pointer}.reason"),
                    "a declared deviation needs a reason: why does the spec differ on purpose?",
                );
            }
        }
    }
}
