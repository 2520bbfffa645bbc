//! Times each writer on a JSON pack, apart from the check that `qbank export` runs first:
//! `cargo run --release -p qbank_export --example export_timing -- PACK.json OUT_DIR`.
#![expect(clippy::print_stdout, reason = "an example reports its timings")]

use std::path::Path;
use std::time::Instant;

use qbank_export::{Format, export, read_pack, write_atomic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(pack), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: export_timing PACK.json OUT_DIR".into());
    };
    let text = std::fs::read_to_string(pack)?;
    let start = Instant::now();
    let pack = read_pack(Path::new(pack), &text)?;
    println!(
        "read {} items: {:.2} s",
        pack.items.len(),
        start.elapsed().as_secs_f64()
    );
    for format in Format::ALL {
        let start = Instant::now();
        let exported = export(&pack, format)?;
        let path = Path::new(out).join(format!("pack.{}", format.extension()));
        write_atomic(&path, &exported.bytes)?;
        println!(
            "{:<7} {:>6.2} s {:>8.1} MB",
            format.name(),
            start.elapsed().as_secs_f64(),
            exported.bytes.len() as f64 / 1e6
        );
    }
    Ok(())
}
