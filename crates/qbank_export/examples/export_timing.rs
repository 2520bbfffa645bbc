//! Times each writer on a JSON pack, apart from the check that `qbank export` runs first:
//! `cargo run --release -p qbank_export --example export_timing -- PACK.json OUT_DIR [FORMAT…]`
//! (default: every format). Each line gives the writer's wall time and the process's CPU time
//! (user and system, all threads) spent in it, which a busy machine inflates less.
#![expect(clippy::print_stdout, reason = "an example reports its timings")]

use std::path::Path;
use std::time::Instant;

use qbank_export::{Format, export, read_pack, write_atomic};

// The allocator of the `qbank` binary, so that the writers are timed as `qbank export` runs
// them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let only: Vec<&str> = args.iter().skip(3).map(String::as_str).collect();
    for format in Format::ALL {
        if !only.is_empty() && !only.contains(&format.name()) {
            continue;
        }
        let cpu = cpu_seconds();
        let start = Instant::now();
        let exported = export(&pack, format)?;
        let path = Path::new(out).join(format!("pack.{}", format.extension()));
        write_atomic(&path, &exported.bytes)?;
        println!(
            "{:<7} {:>6.2} s wall {:>6.2} s cpu {:>8.1} MB",
            format.name(),
            start.elapsed().as_secs_f64(),
            cpu_seconds() - cpu,
            exported.bytes.len() as f64 / 1e6
        );
    }
    Ok(())
}

/// User and system CPU time of this process so far, from `/proc/self/stat` (0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}
