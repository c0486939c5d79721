//! The `entente` command: a thin shell over the library.

fn main() {
    std::process::exit(entente::cli::main());
}
