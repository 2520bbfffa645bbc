use std::process::ExitCode;

use clap::Parser;
use qbank::args::Args;

// Every item allocates many small strings on two threads at once; mimalloc's thread-local
// heaps keep that from serializing on the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    disable_transparent_huge_pages();
    let args = Args::parse();
    match qbank::run(args) {
        Ok(status) => status.into(),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            #[expect(clippy::print_stderr, reason = "the binary reports its own failure")]
            {
                eprintln!("qbank failed");
                for cause in error.chain() {
                    eprintln!("  Cause: {cause}");
                }
            }
            qbank::ExitStatus::Error.into()
        }
    }
}

/// Where the system backs all anonymous memory with transparent huge pages, each page mimalloc
/// returns to the kernel and touches again costs zeroing 2 MiB; a lint of 100k items spends a
/// quarter of its time in the kernel doing so. Small pages cost a few hundred thousand faults
/// instead, about a third less time in all (BENCHMARKS.md). Older kernels refuse the request and
/// the run goes on as before. The setting passes to the `git` processes qbank starts, which
/// are short and allocate little.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
