//! Syslog framing checked by real receivers on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use common::{alert, temp_dir};
use logsec_sinks::{Router, SinkSpec, SyslogSink, SyslogTransport};

/// Checks one RFC 5424 message of `alert(n)` from `host-1`.
fn check_message(message: &str, n: u32) {
    let fields: Vec<&str> = message.splitn(8, ' ').collect();
    assert_eq!(fields.len(), 8, "{message}");
    assert_eq!(
        fields[0], "<131>1",
        "PRI = local0 (16) * 8 + error (3); version 1"
    );
    let time = 1_700_000_000 + i64::from(n);
    let expected_time = chrono::DateTime::from_timestamp(time, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string();
    assert_eq!(fields[1], expected_time);
    assert_eq!(fields[2], "host-1");
    assert_eq!(fields[3], "logsec");
    assert_eq!(fields[4], std::process::id().to_string());
    assert_eq!(fields[5], "alert");
    assert!(fields[6].starts_with("[logsec@32473"), "{message}");
    assert!(
        message.contains(&format!("rule=\"rule-{n}\" severity=\"High\"] \u{feff}")),
        "{message}"
    );
    assert!(
        message.ends_with(&format!(": Error alert number {n}")),
        "{message}"
    );
}

#[test]
fn udp_one_datagram_per_message() {
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    receiver
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let address = receiver.local_addr().unwrap().to_string();
    let sink = SyslogSink::builder(SyslogTransport::Udp(address))
        .hostname("host-1")
        .build();
    let router = Router::builder()
        .sink(SinkSpec::new("syslog", sink))
        .build()
        .unwrap();
    for n in 0..3 {
        router.send(alert(n)).unwrap();
    }
    let mut buffer = [0u8; 65_536];
    for n in 0..3 {
        let size = receiver.recv(&mut buffer).unwrap();
        check_message(std::str::from_utf8(&buffer[..size]).unwrap(), n);
    }
    let health = router.close();
    assert_eq!(health[0].counters.sent, 3);
}

#[test]
fn tcp_uses_octet_counting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        all
    });
    let sink = SyslogSink::builder(SyslogTransport::Tcp(address))
        .hostname("host-1")
        .build();
    let router = Router::builder()
        .sink(SinkSpec::new("syslog", sink))
        .build()
        .unwrap();
    for n in 0..5 {
        router.send(alert(n)).unwrap();
    }
    assert!(router.flush(Duration::from_secs(5)));
    drop(router);
    let stream = reader.join().unwrap();
    // Parse `MSG-LEN SP SYSLOG-MSG` frames; every byte must belong to a frame.
    let mut rest = stream.as_slice();
    let mut n = 0;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ').unwrap();
        let length: usize = std::str::from_utf8(&rest[..space])
            .unwrap()
            .parse()
            .unwrap();
        assert!(length > 0 && rest[0] != b'0', "no leading zero");
        let message = std::str::from_utf8(&rest[space + 1..space + 1 + length]).unwrap();
        check_message(message, n);
        rest = &rest[space + 1 + length..];
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn unix_datagram_socket() {
    let dir = temp_dir("syslog-unix");
    let path = dir.join("log.sock");
    let receiver = UnixDatagram::bind(&path).unwrap();
    receiver
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let sink = SyslogSink::builder(SyslogTransport::Unix(path))
        .hostname("host-1")
        .build();
    let router = Router::builder()
        .sink(SinkSpec::new("syslog", sink))
        .build()
        .unwrap();
    router.send(alert(7)).unwrap();
    let mut buffer = [0u8; 65_536];
    let size = receiver.recv(&mut buffer).unwrap();
    check_message(std::str::from_utf8(&buffer[..size]).unwrap(), 7);
    drop(router);
    std::fs::remove_dir_all(&dir).unwrap();
}
