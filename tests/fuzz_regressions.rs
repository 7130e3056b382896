//! Every input the fuzzers found a failure with, kept as a regression test
//! (fuzz/regressions/<target>/): the same checks as the fuzz targets.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use milia_rank::catalog::{self, CatalogOptions, CatalogReader, CatalogSource};
use milia_rank::inci::{parse_list, split_items};
use milia_rank::knowledge::KnowledgeBase;
use milia_rank::pipeline::{self, Checked};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut v: Vec<_> = fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().to_string(),
                        fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn inci_parse_regressions() {
    let kb = KnowledgeBase::builtin();
    let cases = inputs("inci_parse");
    assert!(!cases.is_empty(), "the regression inputs are present");
    for (name, bytes) in cases {
        let text = String::from_utf8_lossy(&bytes);
        let list = parse_list(&text, &kb);
        let split = split_items(&text);
        assert_eq!(split.len(), list.len(), "{name}: split and parse disagree");
        for (i, item) in list.items.iter().enumerate() {
            assert_eq!(item.position as usize, i + 1, "{name}");
            let n = list.name(item);
            assert!(!n.is_empty() && n.trim() == n, "{name}: {n:?}");
        }
    }
}

#[test]
fn catalog_read_regressions() {
    let kb = KnowledgeBase::builtin();
    let concerns = milia_rank::model::builtin_concerns();
    for (name, bytes) in inputs("catalog_read") {
        let Some((&selector, body)) = bytes.split_first() else {
            continue;
        };
        let delimiter = [b',', b';', b'\t'][selector as usize % 3];
        let source = CatalogSource::Memory(name.clone(), Arc::from(body));
        let opts = CatalogOptions {
            maps: vec![],
            delimiter: Some(delimiter),
            encoding: None,
            allow_missing_ingredients: true,
        };
        let Ok(mut reader) = CatalogReader::open(&source, &opts) else {
            continue;
        };
        let mut rec = csv::ByteRecord::new();
        while let Ok(true) = reader.read(&mut rec) {
            let _ = catalog::raw_record(&rec, delimiter);
            if let Checked::Product(p) = pipeline::check(&rec, &reader.columns) {
                for s in pipeline::assess(&p, &kb, &concerns)
                    .scores
                    .into_iter()
                    .flatten()
                {
                    assert!((0.0..=100.0).contains(&s.score), "{name}");
                }
            }
        }
    }
}
