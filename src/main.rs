fn main() {
    let code = lode::cli::main();
    std::process::exit(code as i32);
}
