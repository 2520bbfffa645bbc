use std::process::ExitCode;

use clap::Parser;
use qbank::args::Args;

// Every item allocates many small strings on two threads at once; mimalloc's thread-local
// heaps keep that from serializing on the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
