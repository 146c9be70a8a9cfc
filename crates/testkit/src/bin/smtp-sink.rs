//! The test SMTP sink as a process, for benchmarks: `smtp-sink PORT`. Prints the number of
//! messages received each second while it changes; runs until killed.
#![allow(clippy::unwrap_used)]
use std::time::Duration;

use roster_testkit::smtp::SmtpSink;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(2525);
    let sink = SmtpSink::start_on(port).await;
    println!("smtp-sink listening on 127.0.0.1:{}", sink.port);
    let mut last = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let n = sink.count();
        if n != last {
            println!("received {n}");
            last = n;
        }
        // Keep memory flat over long runs: the bench only needs the count.
        sink.forget();
    }
}
