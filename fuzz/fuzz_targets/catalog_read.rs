//! Fuzzes reading a whole catalog CSV and scoring every valid row.
//!
//! Input: first byte picks the delimiter (`,` `;` `\t`), the rest is the file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use milia_rank::catalog::{self, CatalogOptions, CatalogReader, CatalogSource};
use milia_rank::knowledge::KnowledgeBase;
use milia_rank::pipeline::{self, Checked};
use milia_rank::model::{self, Concern};

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(KnowledgeBase::builtin)
}

fn concerns() -> &'static [Concern] {
    static C: OnceLock<Vec<Concern>> = OnceLock::new();
    C.get_or_init(model::builtin_concerns)
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, content)) = data.split_first() else {
        return;
    };
    let delimiter = [b',', b';', b'\t'][(sel % 3) as usize];
    let source = CatalogSource::Memory("fuzz.csv".into(), content.into());
    let opts = CatalogOptions {
        maps: vec![],
        delimiter: Some(delimiter),
        encoding: None,
        allow_missing_ingredients: true,
    };
    let Ok(mut reader) = CatalogReader::open(&source, &opts) else {
        return;
    };
    let mut rec = csv::ByteRecord::new();
    while let Ok(true) = reader.read(&mut rec) {
        let _ = catalog::raw_record(&rec, delimiter);
        let Checked::Product(product) = pipeline::check(&rec, &reader.columns) else {
            continue;
        };
        let asm = pipeline::assess(&product, kb(), concerns());
        for (i, s) in asm.scores.iter().enumerate() {
            if let Some(s) = s {
                assert!(
                    s.score.is_finite() && (0.0..=100.0).contains(&s.score),
                    "concern {} score out of range: {} (row {:?})",
                    concerns()[i].slug,
                    s.score,
                    rec
                );
            }
        }
    }
});
