/// mimalloc instead of the system allocator: `simulate` allocates and
/// frees small records for every event and `check` builds many small
/// syntax nodes; glibc's malloc spent a quarter of their time in
/// allocation, free and consolidation.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = escalade::cli::main_with(args, &mut stdout.lock(), &mut stderr.lock());
    std::process::exit(code);
}
