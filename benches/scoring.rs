//! criterion benchmarks, one per stage of scoring a row (label parse,
//! classify, features, score, reasons format), assessing one product whole,
//! and the whole `score` pipeline on a catalog: a regression shows in the
//! stage that caused it.

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

fn input() -> ProductInput<'static> {
    ProductInput {
        described: Described {
            name: "Intensive Repair Night Cream",
            category: "Moisturiser",
            texture: "",
            area: "",
            spf: None,
        },
        claims: "non-comedogenic",
        ingredients: LIST,
    }
}

/// The stages of `model::assess`, each on its own.
fn bench_stages(c: &mut Criterion) {
    use model::{features, product, score, vocabulary::Scanned};
    let kb = KnowledgeBase::builtin();
    let concerns = builtin_concerns();
    let input = input();
    let mut g = c.benchmark_group("stage");
    g.bench_function("classify", |b| {
        b.iter(|| {
            let name = Scanned::product(black_box(input.described.name));
            let category = Scanned::product(black_box(input.described.category));
            product::classify_scanned(&input.described, &name, &category)
        })
    });
    let name = Scanned::product(input.described.name);
    let category = Scanned::product(input.described.category);
    let claims = Scanned::product(input.claims);
    let profile = product::classify_scanned(&input.described, &name, &category);
    let list = parse_list(LIST, &kb);
    let ctx = features::Context {
        profile: &profile,
        name: &name,
        category: &category,
        claims: &claims,
        ingredients: LIST,
        explain: true,
    };
    g.bench_function("features", |b| {
        b.iter(|| features::compute(black_box(&list), &kb, &ctx))
    });
    let feats = features::compute(&list, &kb, &ctx);
    g.bench_function("score_six_concerns", |b| {
        b.iter(|| {
            concerns
                .iter()
                .map(|c| score::score(c, black_box(&feats)))
                .collect::<Vec<_>>()
        })
    });
    let scores: Vec<_> = concerns.iter().map(|c| score::score(c, &feats)).collect();
    g.bench_function("format_reasons_six_concerns", |b| {
        b.iter(|| {
            scores
                .iter()
                .map(|s| score::reasons(black_box(s), &feats, &profile))
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

fn bench_score(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin();
    let concerns = builtin_concerns();
    let input = input();
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
                    max_shrink: 20.0,
                    spreadsheet_safe: false,
                    memory_limit: 256 << 20,
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

criterion_group!(
    benches,
    bench_parse,
    bench_stages,
    bench_score,
    bench_pipeline
);
criterion_main!(benches);
