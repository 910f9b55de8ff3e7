//! Keep-alive HTTP load generator for `accord serve` (tools/bench-serve.sh).
//!
//! `accord-loadgen URL TOKEN DIR CONNECTIONS REQUESTS`: CONNECTIONS threads,
//! each with its own keep-alive connection, POST the application files
//! under DIR (round robin, YAML or JSON by extension) to URL until REQUESTS
//! in all are answered; prints one line of JSON: requests, errors (any
//! status but 200), seconds, requests per second, p50/p90/p99/max latency
//! in milliseconds.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn files(dir: &PathBuf, out: &mut Vec<(Vec<u8>, &'static str)>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out)?;
        } else if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            let media = match ext {
                "json" => "application/json",
                "yaml" | "yml" => "application/yaml",
                _ => continue,
            };
            out.push((std::fs::read(&path)?, media));
        }
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, token, dir, connections, requests] = args.as_slice() else {
        eprintln!("usage: accord-loadgen URL TOKEN DIR CONNECTIONS REQUESTS");
        return std::process::ExitCode::from(2);
    };
    let (Ok(connections), Ok(requests)) = (connections.parse::<usize>(), requests.parse::<usize>()) else {
        eprintln!("CONNECTIONS and REQUESTS are numbers");
        return std::process::ExitCode::from(2);
    };
    let mut bodies = Vec::new();
    if let Err(e) = files(&PathBuf::from(dir), &mut bodies) {
        eprintln!("{dir}: {e}");
        return std::process::ExitCode::from(2);
    }
    if bodies.is_empty() {
        eprintln!("{dir}: no application file");
        return std::process::ExitCode::from(2);
    }
    let next = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let authorization = format!("Bearer {token}");
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..connections.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= requests {
                            break;
                        }
                        let Some((body, media)) = bodies.get(i % bodies.len()) else {
                            break;
                        };
                        let sent = Instant::now();
                        let answer = agent
                            .post(url)
                            .header("Authorization", &authorization)
                            .header("Content-Type", *media)
                            .send(body.as_slice());
                        let ok = match answer {
                            Ok(mut r) => {
                                let status = r.status().as_u16();
                                // Read the whole body, as a client would.
                                let _ = r.body_mut().read_to_vec();
                                status == 200
                            }
                            Err(_) => false,
                        };
                        mine.push(sent.elapsed());
                        if !ok {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    println!(
        "{{\"requests\": {}, \"errors\": {}, \"seconds\": {:.3}, \"per_second\": {:.0}, \"p50_ms\": {:.3}, \"p90_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
        latencies.len(),
        errors.load(Ordering::Relaxed),
        seconds,
        latencies.len() as f64 / seconds.max(1e-9),
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0),
    );
    std::process::ExitCode::SUCCESS
}
