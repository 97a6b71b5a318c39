//! The build script's reading of the catalog data files (`data/*.json`,
//! build.rs): a malformed file fails the build with an error that names the
//! file and says what was expected where. The reading is the module
//! build.rs includes, included here too.

#[allow(dead_code)]
#[path = "../../build/catalog_data.rs"]
mod catalog_data;

use catalog_data::{parse, parse_text, ActionsFile, IamFile, KeysFile};

/// The shipped data files read as the build reads them.
#[test]
fn the_data_files_read() {
    let data = |f: &str| format!("{}/data/{f}", env!("CARGO_MANIFEST_DIR"));
    let actions: ActionsFile = parse(&data("s3-actions.json")).expect("actions");
    assert!(actions.services.contains_key("s3"));
    let keys: KeysFile = parse(&data("s3-condition-keys.json")).expect("keys");
    assert!(!keys.global.is_empty());
    let iam: IamFile = parse(&data("iam-sts-actions.json")).expect("iam");
    assert!(!iam.services.is_empty());
}

/// A malformed file: the error names it, says what was expected and where.
#[test]
fn a_malformed_data_file_is_named_with_what_was_expected() {
    let file = "data/s3-actions.json";
    let wrong_type = r#"{"source": {"package": "p", "version": 1}, "services": {}}"#;
    let e = parse_text::<ActionsFile>(file, wrong_type)
        .err()
        .expect("an error");
    assert!(
        e.starts_with("data/s3-actions.json: invalid type: integer `1`, expected a string at line 1 column 40"),
        "{e}"
    );
    assert!(
        e.ends_with("(the catalog data is malformed; see data/README.md)"),
        "{e}"
    );

    let e = parse_text::<KeysFile>("data/s3-condition-keys.json", r#"{"global": []}"#)
        .err()
        .expect("an error");
    assert!(
        e.starts_with("data/s3-condition-keys.json: missing field `services`"),
        "{e}"
    );

    let e = parse_text::<IamFile>("data/iam-sts-actions.json", "{\"services\": {")
        .err()
        .expect("an error");
    assert!(
        e.starts_with("data/iam-sts-actions.json: EOF while parsing an object"),
        "{e}"
    );
}

/// A file that cannot be read, or is malformed on disk: named by its path.
#[test]
fn a_data_file_on_disk_is_named_by_its_path() {
    let dir = std::env::temp_dir().join(format!("s3guard-build-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s3-actions.json");
    std::fs::write(&path, r#"{"source": "p", "services": {}}"#).unwrap();
    let shown = path.to_string_lossy().into_owned();
    let e = parse::<ActionsFile>(&shown).err().expect("an error");
    assert!(
        e.starts_with(&format!(
            "{shown}: invalid type: string \"p\", expected struct SourceInfo"
        )),
        "{e}"
    );
    let missing = dir.join("none.json").to_string_lossy().into_owned();
    let e = parse::<ActionsFile>(&missing).err().expect("an error");
    assert!(e.starts_with(&format!("{missing}: ")), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
