//! The embedded catalog data (`data/*.json`, from AWS's Service Authorization
//! Reference; see `data/README.md` for the source and how to refresh it),
//! compiled into static tables by `build.rs`: nothing is parsed or built at
//! run time, and a malformed file fails the build, not a run.

use super::actions::{AccessLevel, ActionInfo, ActionResource, ResourceType, Service};
use super::iam::IamAction;
use super::keys::{KeyInfo, KeyType, Presence};

include!(concat!(env!("OUT_DIR"), "/catalog_tables.rs"));

#[cfg(test)]
mod tests {
    //! The generated tables against the data files, read again here with
    //! serde_json (as the catalog was built at start before): a change to
    //! `build.rs` that drops or garbles a field fails here.

    use super::*;
    use serde_json::Value;

    fn file(text: &str, name: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn strings(v: &Value) -> Vec<&str> {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The data is complete: the s3 service lists 180 actions, and every
    /// action, service and resource type of the file is in the tables,
    /// field for field.
    #[test]
    fn action_tables_match_the_data_file() {
        let data = file(
            include_str!("../../data/s3-actions.json"),
            "data/s3-actions.json",
        );
        let services = data["services"].as_object().unwrap();
        assert_eq!(
            services["s3"]["actions"].as_array().map(Vec::len),
            Some(180)
        );
        assert_eq!(
            ACTIONS.iter().filter(|a| a.service == "s3").count(),
            180,
            "the s3 service lists 180 actions"
        );
        let source = &data["source"];
        assert_eq!(
            VERSION,
            format!(
                "{} {}",
                source["package"].as_str().unwrap(),
                source["version"].as_str().unwrap()
            )
        );
        let mut total = 0;
        let mut types = 0;
        for (i, (key, svc)) in services.iter().enumerate() {
            let prefix = svc["prefix"].as_str().unwrap();
            assert_eq!(SERVICES[i].prefix, prefix, "{key}");
            assert_eq!(SERVICES[i].name, svc["name"].as_str().unwrap());
            for rt in svc["resourceTypes"].as_array().unwrap() {
                let t = &RESOURCE_TYPES[types];
                types += 1;
                assert_eq!(t.service, prefix);
                assert_eq!(t.name, rt["name"].as_str().unwrap());
                assert_eq!(t.arn_pattern, rt["arnPattern"].as_str().unwrap());
                assert_eq!(t.condition_keys, strings(&rt["conditionKeys"]));
            }
            for a in svc["actions"].as_array().unwrap() {
                total += 1;
                let name = a["iamAction"].as_str().unwrap();
                let info = ACTIONS.iter().find(|x| x.iam_action == name).unwrap();
                assert_eq!(info.service, prefix);
                assert_eq!(info.name, a["name"].as_str().unwrap());
                let level = a["accessLevel"].as_str().unwrap();
                assert_eq!(info.access_level, AccessLevel::parse(level), "{name}");
                assert_eq!(info.access_level_raw, a["accessLevelRaw"].as_str().unwrap());
                assert_eq!(info.description, a["description"].as_str().unwrap());
                assert_eq!(info.wildcard_only, a["wildcardOnly"].as_bool().unwrap());
                assert_eq!(info.dependent_actions, strings(&a["dependentActions"]));
                assert_eq!(info.api_documentation, a["apiDocumentation"].as_str());
                let resources = a["resourceTypes"].as_array().unwrap();
                assert_eq!(info.resource_types.len(), resources.len(), "{name}");
                for (r, d) in info.resource_types.iter().zip(resources) {
                    assert_eq!(r.name, d["name"].as_str().unwrap());
                    assert_eq!(r.required, d["required"].as_bool().unwrap());
                    assert_eq!(r.arn_pattern, d["arnPattern"].as_str().unwrap());
                }
                // its own keys come first, then its resource types' keys
                let own = strings(&a["conditionKeys"]);
                let mut first: Vec<&str> = Vec::new();
                for k in own {
                    if !first.contains(&k) {
                        first.push(k);
                    }
                }
                assert_eq!(&info.condition_keys[..first.len()], &first[..], "{name}");
            }
        }
        assert_eq!(total, ACTIONS.len());
        assert_eq!(types, RESOURCE_TYPES.len());
    }

    /// The derived tables: names lower-cased, their order, each service's
    /// range, the hash table's slots.
    #[test]
    fn derived_tables_follow_the_actions() {
        assert!(ACTIONS
            .windows(2)
            .all(|w| w[0].iam_action < w[1].iam_action));
        for (a, l) in ACTIONS.iter().zip(LOWERS) {
            assert_eq!(a.iam_action.to_lowercase(), l);
        }
        let mut order: Vec<u32> = (0..LOWERS.len() as u32).collect();
        order.sort_by_key(|&i| LOWERS[i as usize]);
        assert_eq!(order, LOWER_ORDER);
        for (&i, s) in LOWER_ORDER.iter().zip(SORTED_LOWERS) {
            assert_eq!(LOWERS[i as usize], s);
        }
        assert_eq!(super::super::fold::slot_table(&LOWERS), NAME_SLOTS);
        assert_eq!(SERVICE_RANGES.len(), SERVICES.len());
        for &(prefix, start, end) in &SERVICE_RANGES {
            assert!(start < end);
            assert!(ACTIONS[start..end].iter().all(|a| a.service == prefix));
            assert_eq!(
                ACTIONS.iter().filter(|a| a.service == prefix).count(),
                end - start
            );
        }
    }

    /// Every key of the file is in the table (the first of two that match
    /// alike), with its type.
    #[test]
    fn key_table_matches_the_data_file() {
        let data = file(
            include_str!("../../data/s3-condition-keys.json"),
            "data/s3-condition-keys.json",
        );
        let global = data["global"].as_array().unwrap();
        assert_eq!(global.len(), 59);
        for (k, g) in KEYS.iter().zip(global) {
            assert_eq!(k.key, g["pattern"].as_str().unwrap());
            assert!(k.presence.is_some());
            assert_eq!(k.global, g["isGlobalAwsKey"].as_bool().unwrap());
            assert_eq!(k.presence_note, g["presenceNote"].as_str().unwrap_or(""));
            let ty = g["type"].as_str().unwrap();
            assert_eq!(k.key_type, KeyType::parse(ty), "{}", k.key);
            let multi = g["multiValued"].as_bool().unwrap();
            assert_eq!(k.multi_valued, multi || KeyType::parse(ty).is_multivalued());
        }
        let service_keys = KEYS.get(global.len()..).unwrap();
        for (_, keys) in data["services"].as_object().unwrap() {
            for k in keys.as_array().unwrap() {
                let key = k["key"].as_str().unwrap();
                let lower = key.to_lowercase();
                assert!(
                    KEYS.iter()
                        .any(|x| x.key == key || lower.starts_with(x.match_lower) && x.is_prefix),
                    "{key}"
                );
                if let Some(x) = service_keys.iter().find(|x| x.key == key) {
                    assert_eq!(x.key_type, KeyType::parse(k["type"].as_str().unwrap()));
                    assert_eq!(x.description, k["description"].as_str().unwrap_or(""));
                    assert_eq!(x.presence, None::<Presence>);
                }
            }
        }
    }

    /// Every IAM and STS action of the file, by lower-cased name.
    #[test]
    fn iam_table_matches_the_data_file() {
        let data = file(
            include_str!("../../data/iam-sts-actions.json"),
            "data/iam-sts-actions.json",
        );
        assert!(IAM_LOWERS.windows(2).all(|w| w[0] < w[1]));
        let mut total = 0;
        for (_, svc) in data["services"].as_object().unwrap() {
            let prefix = svc["prefix"].as_str().unwrap();
            for a in svc["actions"].as_array().unwrap() {
                total += 1;
                let name = format!("{prefix}:{}", a["name"].as_str().unwrap());
                let i = IAM_LOWERS
                    .binary_search(&name.to_lowercase().as_str())
                    .unwrap();
                let info = &IAM_ACTIONS[i];
                assert_eq!(info.iam_action, name);
                let level = a["accessLevel"].as_str().unwrap();
                assert_eq!(info.access_level, AccessLevel::parse(level));
                let types: Vec<&str> = strings(&a["resourceTypes"])
                    .into_iter()
                    .map(|t| t.trim_end_matches('*'))
                    .collect();
                assert_eq!(info.resource_types, types);
                assert_eq!(info.condition_keys, strings(&a["conditionKeys"]));
            }
        }
        assert_eq!(total, IAM_ACTIONS.len());
    }
}
