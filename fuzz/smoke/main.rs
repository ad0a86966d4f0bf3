//! A stable-toolchain smoke run of every fuzz target: each target's body runs over its seed
//! inputs (`fuzz/seeds/<target>/`), its kept regression inputs (`fuzz/regressions/<target>/`)
//! and a number of deterministic random mutations of them. A panic fails the run; the input is
//! written to `fuzz/artifacts/smoke/<target>/` and its path printed, to be kept under
//! `fuzz/regressions/` once fixed.
//!
//! ```text
//! fuzz_smoke [--mutations N] [--seed S] [--target NAME]
//! ```
//!
//! cargo-fuzz needs libFuzzer and sanitizer flags; this harness needs neither, so CI can run it
//! on a plain stable toolchain in seconds. It finds shallow crashes only: use `cargo fuzz run`
//! for real fuzzing.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use logsec_parse_fuzz::{TARGETS, Target};

/// Default mutations per target.
const DEFAULT_MUTATIONS: u64 = 5_000;
/// An input slower than this is reported (parsers are linear; a slow input is a bug too).
const SLOW: Duration = Duration::from_millis(500);
/// Longest mutated input.
const MAX_LEN: usize = 16 * 1024;

/// SplitMix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes the text and JSON parsers treat specially, and some that break UTF-8.
const INTERESTING: &[&[u8]] = &[
    b" ",
    b"\"",
    b"[",
    b"]",
    b"-",
    b":",
    b"{",
    b"}",
    b"\\",
    b"%",
    b"\n",
    b"\r",
    b"\t",
    b"<",
    b">",
    b"=",
    b";",
    b",",
    b".",
    b"/",
    b"?",
    b"0",
    b"9",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98\x80",
    b"\xc3\xa9",
    b"\0",
    b"-1",
    b"99999999999999999999",
    b"1e999",
    b"\"\"",
    b"[]",
    b"{}",
    b"%%",
    b"%START_TIME%",
    b"%REQ(X)%",
    b" - ",
    b"\"- - -\"",
    b"2023-11-14T10:00:00.000Z",
    b"Feb 29 ",
    b"<191>1 ",
    b"31/Dec/2023:23:59:60 +2400",
    b"[fe80::1]:443",
    b"::",
    b"255.255.255.256",
    b"\\u0000",
    b"\\ud800",
];

/// One random edit of `input`, sometimes splicing in a piece of `other`.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8]) {
    let len = input.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = rng.next() as u8;
        }
        2 => {
            let piece = INTERESTING[rng.below(INTERESTING.len())];
            let at = rng.below(len + 1);
            input.splice(at..at, piece.iter().copied());
        }
        3 if len > 0 => {
            let piece = INTERESTING[rng.below(INTERESTING.len())];
            let at = rng.below(len);
            let end = (at + piece.len()).min(len);
            input.splice(at..end, piece.iter().copied());
        }
        4 if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(16)).min(len);
            input.drain(at..end);
        }
        5 if len > 0 => {
            // Duplicate a range: repeated fields, long tokens.
            let at = rng.below(len);
            let end = (at + 1 + rng.below(64)).min(len);
            let piece: Vec<u8> = input[at..end].to_vec();
            let to = rng.below(len + 1);
            input.splice(to..to, piece);
        }
        6 if !other.is_empty() => {
            let at = rng.below(other.len());
            let end = (at + 1 + rng.below(128)).min(other.len());
            let to = rng.below(len + 1);
            input.splice(to..to, other[at..end].iter().copied());
        }
        7 => input.truncate(rng.below(len + 1)),
        _ => {
            // Swap two bytes (reorders delimiters).
            if len > 1 {
                let (a, b) = (rng.below(len), rng.below(len));
                input.swap(a, b);
            }
        }
    }
    input.truncate(MAX_LEN);
}

/// Every file in `dir`, sorted by name; none if it does not exist.
fn inputs_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|data| (p, data)))
        .collect()
}

/// Runs one input; `Err` with a description on a panic or a slow input.
fn run_one(target: &Target, data: &[u8]) -> Result<(), String> {
    let start = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(data)));
    let elapsed = start.elapsed();
    match result {
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "non-string panic payload".to_owned());
            Err(format!("panic: {message}"))
        }
        Ok(()) if elapsed > SLOW => Err(format!(
            "slow input: {} ms for {} bytes",
            elapsed.as_millis(),
            data.len()
        )),
        Ok(()) => Ok(()),
    }
}

/// Saves a failing input and returns its path.
fn save(root: &Path, target: &Target, data: &[u8]) -> PathBuf {
    let dir = root.join("artifacts").join("smoke").join(target.name);
    let _ = std::fs::create_dir_all(&dir);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        hash = (hash ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
    }
    let path = dir.join(format!("crash-{hash:016x}"));
    let _ = std::fs::write(&path, data);
    path
}

struct Args {
    mutations: u64,
    seed: u64,
    target: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        mutations: DEFAULT_MUTATIONS,
        seed: 1,
        target: None,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--mutations" => args.mutations = value()?.parse().map_err(|e| format!("{e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("{e}"))?,
            "--target" => args.target = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(err) => {
            eprintln!(
                "fuzz_smoke: {err}\nusage: fuzz_smoke [--mutations N] [--seed S] [--target NAME]"
            );
            return ExitCode::from(2);
        }
    };
    // The panics are caught and reported below; the default hook would print each one twice.
    panic::set_hook(Box::new(|_| {}));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = 0;
    let started = Instant::now();
    for target in TARGETS {
        if args.target.as_deref().is_some_and(|t| t != target.name) {
            continue;
        }
        let target_start = Instant::now();
        let mut inputs = inputs_in(&root.join("seeds").join(target.name));
        inputs.extend(inputs_in(&root.join("regressions").join(target.name)));
        if inputs.is_empty() {
            inputs.push((PathBuf::from("<empty>"), Vec::new()));
        }
        let mut failed_here = 0;
        for (path, data) in &inputs {
            if let Err(why) = run_one(target, data) {
                eprintln!("{}: {}: {why}", target.name, path.display());
                failed_here += 1;
            }
        }
        let mut rng = Rng(args.seed ^ target.name.len() as u64 ^ 0x5EED);
        for _ in 0..args.mutations {
            let base = &inputs[rng.below(inputs.len())].1;
            let other = &inputs[rng.below(inputs.len())].1;
            let mut data = base.clone();
            for _ in 0..1 + rng.below(6) {
                mutate(&mut rng, &mut data, other);
            }
            if let Err(why) = run_one(target, &data) {
                let saved = save(root, target, &data);
                eprintln!("{}: mutated input {}: {why}", target.name, saved.display());
                failed_here += 1;
                if failed_here >= 5 {
                    break;
                }
            }
        }
        println!(
            "{:<22} {:>3} seeds {:>7} mutations {:>6} ms {}",
            target.name,
            inputs.len(),
            args.mutations,
            target_start.elapsed().as_millis(),
            if failed_here == 0 { "ok" } else { "FAILED" }
        );
        failures += failed_here;
    }
    println!("total {} ms", started.elapsed().as_millis());
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("fuzz_smoke: {failures} failing input(s)");
        ExitCode::FAILURE
    }
}
