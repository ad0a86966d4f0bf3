//! The `logsec` command-line tool.
fn main() {
    println!("logsec {}", logsec::VERSION);
}
