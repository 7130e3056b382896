//! The benchmark floor: one csv-crate ByteRecord pass over a file, reusing
//! one record buffer, counting records (what `xsv count` does).
//!
//! `cargo run --release --example csv_floor -- FILE`

fn main() {
    let path = std::env::args().nth(1).expect("usage: csv_floor FILE");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_path(&path)
        .expect("open");
    let mut rec = csv::ByteRecord::new();
    let mut n = 0u64;
    while reader.read_byte_record(&mut rec).expect("read") {
        n += 1;
    }
    println!("{n}");
}
