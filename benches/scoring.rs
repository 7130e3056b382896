//! criterion benchmarks: parsing one INCI list, scoring one product, and
//! the whole `score` pipeline on a catalog.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use milia_rank::inci::parse_list;
use milia_rank::knowledge::KnowledgeBase;
use milia_rank::model::{self, builtin_concerns, Described, ProductInput};

const LIST: &str =
    "Water (Aqua, Eau), Glycerin, Paraffinum Liquidum, Petrolatum, Cetearyl Alcohol, \
    Butyrospermum Parkii (Shea) Butter, Isopropyl Myristate, Dimethicone, Cera Microcristallina, \
    Glyceryl Stearate, PEG-100 Stearate, Niacinamide, Sodium Hyaluronate, Tocopheryl Acetate, \
    Retinol 0.3%, Salicylic Acid, Phenoxyethanol, Ethylhexylglycerin, Carbomer, Sodium Hydroxide, \
    Disodium EDTA, Parfum (Fragrance), Linalool, Limonene.";

fn bench_parse(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin();
    let mut g = c.benchmark_group("inci");
    g.throughput(Throughput::Bytes(LIST.len() as u64));
    g.bench_function("parse_list_24_items", |b| {
        b.iter(|| parse_list(black_box(LIST), &kb))
    });
    g.finish();
}

fn bench_score(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin();
    let concerns = builtin_concerns();
    let input = ProductInput {
        described: Described {
            name: "Intensive Repair Night Cream",
            category: "Moisturiser",
            texture: "",
            area: "",
            spf: None,
        },
        claims: "non-comedogenic",
        ingredients: LIST,
    };
    c.bench_function("assess_one_product_six_concerns", |b| {
        b.iter(|| model::assess(black_box(&input), &kb, &concerns))
    });
}

/// The whole `score` job on a generated 100,000-row catalog, all threads,
/// publishing into a temporary directory.
fn bench_pipeline(c: &mut Criterion) {
    use milia_rank::catalog::{CatalogOptions, CatalogSource};
    use milia_rank::output::Log;
    use milia_rank::run::{run_score, MaxRejects, ScoreConfig};

    const ROWS: u64 = 100_000;
    let kb = KnowledgeBase::builtin();
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = dir.path().join("catalog.csv");
    let file = std::fs::File::create(&catalog).expect("catalog file");
    milia_rank::generate::write_catalog(std::io::BufWriter::new(file), ROWS, 42, &kb)
        .expect("generate");
    let bytes = std::fs::metadata(&catalog).map(|m| m.len()).unwrap_or(0);
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    for top in [None, Some(100)] {
        let name = match top {
            None => "score_100k_rows".to_string(),
            Some(n) => format!("score_100k_rows_top_{n}"),
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                run_score(ScoreConfig {
                    source: CatalogSource::File(catalog.clone()),
                    options: CatalogOptions::default(),
                    kb: &kb,
                    concerns: builtin_concerns(),
                    top,
                    threads: 0,
                    out: dir.path().join("out"),
                    max_rejects: MaxRejects::Percent(5.0),
                    previous: None,
                    export: None,
                    keep: 2,
                    wait: false,
                    log: Log::new(true),
                })
                .expect("score")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_parse, bench_score, bench_pipeline);
criterion_main!(benches);
