//! A real SMTP server for tests (no mock): listens on 127.0.0.1 port 0, speaks enough SMTP for
//! a client such as lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), and keeps what it
//! receives. It can be told to refuse: `421` (temporary) or `550` (permanent) for the next
//! messages, to test retries.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after `DATA`, dot-unstuffed, lines joined with `\r\n`.
    pub data: String,
}

impl Received {
    /// The value of the first header `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut lines = head.split("\r\n").peekable();
        while let Some(line) = lines.next() {
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                let mut value = v.trim().to_owned();
                while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                    value.push(' ');
                    value.push_str(next.trim());
                    lines.next();
                }
                return Some(value);
            }
        }
        None
    }
}

impl Received {
    /// The decoded body of the first MIME part of `content_type` (e.g. `text/plain`), handling
    /// quoted-printable, base64 and 7bit/8bit transfer encodings.
    pub fn part(&self, content_type: &str) -> Option<String> {
        let start = self.data.find(&format!("Content-Type: {content_type}"))?;
        let rest = &self.data[start..];
        let (head, body) = rest.split_once("\r\n\r\n")?;
        let body = body.split("\r\n--").next().unwrap_or(body);
        let encoding = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("Content-Transfer-Encoding:"))
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = match encoding.as_str() {
            "quoted-printable" => quoted_printable(body),
            "base64" => base64(body),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes).ok()
    }
}

fn quoted_printable(body: &str) -> Vec<u8> {
    let joined = body.replace("=\r\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        if b[i] == b'='
            && let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn base64(body: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else { continue };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Replies to give to the next `DATA` ends instead of 250, in order.
    refusals: Vec<String>,
    forgotten: usize,
}

/// A running sink; it stops when dropped.
pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_on(0).await
    }

    /// A sink on 127.0.0.1:`port` (0: any free port).
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind smtp sink");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, shared.clone()));
            }
        });
        SmtpSink { port, state, task }
    }

    /// `smtp://127.0.0.1:PORT`, for `ROSTER_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Refuse the next `n` messages with `reply` (e.g. `"421 4.3.0 try again later"`).
    pub fn refuse_next(&self, n: usize, reply: &str) {
        let mut s = self.state.lock().expect("sink state");
        s.refusals.extend(std::iter::repeat_n(reply.to_owned(), n));
    }

    /// How many messages arrived so far (forgotten ones included).
    pub fn count(&self) -> usize {
        let s = self.state.lock().expect("sink state");
        s.forgotten + s.received.len()
    }

    /// Drops the messages kept so far, keeping their count.
    pub fn forget(&self) {
        let mut s = self.state.lock().expect("sink state");
        s.forgotten += s.received.len();
        s.received.clear();
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").received.clone()
    }

    /// Waits until at least `n` messages arrived, or panics after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP sink got {} of {n} messages in {timeout:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let reply = |text: String| text + "\r\n";
    if write.write_all(reply("220 roster-test-sink ESMTP".into()).as_bytes()).await.is_err() {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") {
            "250-roster-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8".to_owned()
        } else if upper.starts_with("HELO") {
            "250 roster-test-sink".to_owned()
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line["MAIL FROM:".len()..]);
            to.clear();
            "250 2.1.0 ok".to_owned()
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&line["RCPT TO:".len()..]));
            "250 2.1.5 ok".to_owned()
        } else if upper == "DATA" {
            if write.write_all(reply("354 end with <CRLF>.<CRLF>".into()).as_bytes()).await.is_err() {
                return;
            }
            let mut data = Vec::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push(l.strip_prefix('.').map_or(l.clone(), str::to_owned));
            }
            let mut s = state.lock().expect("sink state");
            if s.refusals.is_empty() {
                s.received.push(Received { from: from.clone(), to: to.clone(), data: data.join("\r\n") });
                "250 2.0.0 queued".to_owned()
            } else {
                s.refusals.remove(0)
            }
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            "250 ok".to_owned()
        } else if upper == "NOOP" {
            "250 ok".to_owned()
        } else if upper == "QUIT" {
            let _ = write.write_all(reply("221 bye".into()).as_bytes()).await;
            return;
        } else {
            "502 5.5.2 command not implemented".to_owned()
        };
        if write.write_all(reply(answer).as_bytes()).await.is_err() {
            return;
        }
    }
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    let inner = arg.split_once('<').and_then(|(_, r)| r.split_once('>')).map_or(arg, |(a, _)| a);
    inner.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn say(
        w: &mut tokio::net::tcp::OwnedWriteHalf,
        l: &mut tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
        cmd: &str,
    ) -> String {
        w.write_all(format!("{cmd}\r\n").as_bytes()).await.unwrap();
        let mut last = l.next_line().await.unwrap().unwrap();
        while last.as_bytes().get(3) == Some(&b'-') {
            last = l.next_line().await.unwrap().unwrap();
        }
        last
    }

    #[tokio::test]
    async fn the_sink_speaks_smtp_and_can_refuse() {
        let sink = SmtpSink::start().await;
        sink.refuse_next(1, "421 4.3.0 try again later");
        for expected in ["421", "250"] {
            let (r, mut w) = TcpStream::connect(("127.0.0.1", sink.port)).await.unwrap().into_split();
            let mut l = BufReader::new(r).lines();
            assert!(l.next_line().await.unwrap().unwrap().starts_with("220"));
            assert!(say(&mut w, &mut l, "EHLO test").await.starts_with("250"));
            assert!(say(&mut w, &mut l, "MAIL FROM:<a@example.test>").await.starts_with("250"));
            assert!(say(&mut w, &mut l, "RCPT TO:<b@example.test>").await.starts_with("250"));
            assert!(say(&mut w, &mut l, "DATA").await.starts_with("354"));
            let end = say(&mut w, &mut l, "Subject: Hi\r\nReply-To: c@example.test\r\n\r\n..dot\r\nbody\r\n.").await;
            assert!(end.starts_with(expected), "{end}");
            assert!(say(&mut w, &mut l, "QUIT").await.starts_with("221"));
        }
        let got = sink.wait_for(1, Duration::from_secs(2)).await;
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].from.as_str(), got[0].to.clone()), ("a@example.test", vec!["b@example.test".to_owned()]));
        assert_eq!(got[0].header("subject").as_deref(), Some("Hi"));
        assert_eq!(got[0].header("Reply-To").as_deref(), Some("c@example.test"));
        assert!(got[0].data.ends_with("\r\n.dot\r\nbody"), "dot-unstuffed: {:?}", got[0].data);
    }
}
