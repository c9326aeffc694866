//! The benches allocate with mimalloc, as the `escalade` binary does
//! (src/main.rs), so their numbers are the binary's.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
