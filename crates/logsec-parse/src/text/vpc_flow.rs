//! AWS VPC flow logs and Transit Gateway flow logs.
//!
//! Records are space-separated values in a field order the log's creator chose: the default
//! version 2 order, or a custom order of any of the v2–v8 fields (and of the Transit Gateway
//! fields). Files delivered to S3 start with a header line naming the fields
//! (`version account-id interface-id …`): the parser reads the order from it and skips it.
//! Headerless input (CloudWatch exports) uses [`ParseOptions::vpc_flow_format`] — AWS's
//! format string `${version} ${account-id} …` or bare names — or the default v2 order.
//!
//! Field names in `unmapped` are AWS's (`account-id`, `srcaddr`, `tgw-id`, …); `-` values are
//! absent. Mapping: OCSF Network Activity (4001), see `docs/mappings/vpc_flow.md`.

use std::borrow::Cow;
use std::net::IpAddr;

use logsec_event::{
    Account, Cloud, ConnectionInfo, Endpoint, Event, RawRecord, SourceFormat, Traffic, ocsf,
};

use crate::line::{LineOutcome, LineParser};
use crate::options::ParseOptions;
use crate::text::block::eq_masks2;
use crate::text::scan::{
    Unmapped, absent, ipv4_exact_at, number_ending_at, parse_i64, parse_ip, parse_port,
    separator_at,
};

/// Every documented field of VPC flow logs (v2–v8) and Transit Gateway flow logs.
const KNOWN: [&str; 58] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
    "vpc-id",
    "subnet-id",
    "instance-id",
    "tcp-flags",
    "type",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "region",
    "az-id",
    "sublocation-type",
    "sublocation-id",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
    "flow-direction",
    "traffic-path",
    "ecs-cluster-arn",
    "ecs-cluster-name",
    "ecs-container-instance-arn",
    "ecs-container-instance-id",
    "ecs-container-id",
    "ecs-second-container-id",
    "ecs-service-name",
    "ecs-task-definition-arn",
    "ecs-task-arn",
    "ecs-task-id",
    "reject-reason",
    "resource-type",
    "tgw-id",
    "tgw-attachment-id",
    "tgw-src-vpc-account-id",
    "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id",
    "tgw-dst-vpc-id",
    "tgw-src-subnet-id",
    "tgw-dst-subnet-id",
    "tgw-src-eni",
    "tgw-dst-eni",
    "tgw-src-az-id",
    "tgw-dst-az-id",
    "tgw-pair-attachment-id",
    "packets-lost-no-route",
    "packets-lost-blackhole",
    "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired",
];

// Indices into KNOWN of the fields the mapping reads.
const VERSION: usize = 0;
const ACCOUNT_ID: usize = 1;
const INTERFACE_ID: usize = 2;
const SRCADDR: usize = 3;
const DSTADDR: usize = 4;
const SRCPORT: usize = 5;
const DSTPORT: usize = 6;
const PROTOCOL: usize = 7;
const PACKETS: usize = 8;
const BYTES: usize = 9;
const START: usize = 10;
const END: usize = 11;
const ACTION: usize = 12;
const LOG_STATUS: usize = 13;
const VPC_ID: usize = 14;
const SUBNET_ID: usize = 15;
const INSTANCE_ID: usize = 16;
const TCP_FLAGS: usize = 17;
const PKT_SRCADDR: usize = 19;
const PKT_DSTADDR: usize = 20;
const REGION: usize = 21;
const AZ_ID: usize = 22;
const PKT_SRC_AWS_SERVICE: usize = 25;
const PKT_DST_AWS_SERVICE: usize = 26;
const FLOW_DIRECTION: usize = 27;
const REJECT_REASON: usize = 39;
const TGW_ID: usize = 41;
const TGW_SRC_VPC_ID: usize = 45;
const TGW_DST_VPC_ID: usize = 46;
const TGW_SRC_SUBNET_ID: usize = 47;
const TGW_DST_SUBNET_ID: usize = 48;
const TGW_SRC_ENI: usize = 49;
const TGW_DST_ENI: usize = 50;

/// The default (version 2) field order.
const DEFAULT_V2: [&str; 14] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// Most fields a record may declare.
const MAX_FIELDS: usize = 96;

/// One field of a declared order: a documented name, or another name kept as given.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Known(&'static str),
    Other(String),
}

impl Field {
    fn from_name(name: &str) -> Field {
        let normalized = name.replace('_', "-");
        match KNOWN.iter().find(|k| **k == normalized) {
            Some(known) => Field::Known(known),
            None => Field::Other(name.to_owned()),
        }
    }

    fn name(&self) -> &str {
        match self {
            Field::Known(name) => name,
            Field::Other(name) => name,
        }
    }
}

/// Parses a field order: AWS's `${a} ${b}` format string or space-separated names.
fn parse_order(text: &str) -> Vec<Field> {
    text.split_whitespace()
        .map(|word| {
            let word = word
                .strip_prefix("${")
                .and_then(|w| w.strip_suffix('}'))
                .unwrap_or(word);
            Field::from_name(word)
        })
        .collect()
}

/// Whether a line is a header naming flow-log fields.
pub(crate) fn is_header(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let known = |w: &str| KNOWN.contains(&w.replace('_', "-").as_str());
    (first == "version" || first == "account-id" || first == "resource-type")
        && known(first)
        && words.all(|w| {
            known(w)
                || w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
        })
        && line.contains("srcaddr")
}

/// Whether a line looks like a default-order (v2) record.
pub(crate) fn looks_like_v2_record(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().take(15).collect();
    words.len() == 14
        && words
            .first()
            .is_some_and(|v| v.len() == 1 && v.bytes().all(|b| b.is_ascii_digit()))
        && words
            .get(1)
            .is_some_and(|a| a.bytes().all(|b| b.is_ascii_digit()))
        && words
            .get(2)
            .is_some_and(|i| i.starts_with("eni-") || *i == "-")
        && words
            .get(13)
            .is_some_and(|s| matches!(*s, "OK" | "NODATA" | "SKIPDATA"))
}

/// The flow log parser; it learns the field order from a header line.
#[derive(Debug)]
pub(crate) struct VpcFlowParser {
    order: Vec<Field>,
    /// For each position of `order`, the index into [`KNOWN`] of its field, or `u8::MAX` for
    /// other names and for a repeated name (the first occurrence is the one read).
    known_at: Vec<u8>,
    max_fields: usize,
    /// Whether `order` is the default v2 order, read by [`VpcFlowParser::parse_v2`].
    v2: bool,
}

impl VpcFlowParser {
    /// A parser with the order of `options.vpc_flow_format`, or the default v2 order.
    pub(crate) fn new(options: &ParseOptions) -> VpcFlowParser {
        let order = match options.vpc_flow_format.as_deref() {
            Some(format) if !format.trim().is_empty() => parse_order(format),
            _ => DEFAULT_V2.iter().map(|name| Field::Known(name)).collect(),
        };
        let mut parser = VpcFlowParser {
            order: Vec::new(),
            known_at: Vec::new(),
            max_fields: options.limits.max_fields.min(MAX_FIELDS),
            v2: false,
        };
        parser.set_order(order);
        parser
    }

    fn set_order(&mut self, order: Vec<Field>) {
        let mut seen = [false; KNOWN.len()];
        self.known_at = order
            .iter()
            .map(|field| {
                if let Field::Known(name) = field
                    && let Some(known) = KNOWN.iter().position(|k| k == name)
                    && let Some(seen) = seen.get_mut(known)
                    && !*seen
                {
                    *seen = true;
                    u8::try_from(known).unwrap_or(u8::MAX)
                } else {
                    u8::MAX
                }
            })
            .collect();
        self.v2 = order.len() == DEFAULT_V2.len()
            && order
                .iter()
                .zip(DEFAULT_V2)
                .all(|(field, name)| field.name() == name && matches!(field, Field::Known(_)));
        self.order = order;
    }

    /// The usual record of the default v2 order in one pass: fourteen words separated by
    /// single spaces, starting with a digit and ending with a letter or digit (so the line
    /// needs no trimming and is no header). `None` sends the line to the general path, which
    /// gives the same event for these lines (a property test holds both to it).
    #[inline]
    fn parse_v2<'a>(&self, line: &'a str) -> Option<LineOutcome<'a>> {
        let bytes = line.as_bytes();
        if !bytes.first()?.is_ascii_digit() || !bytes.last()?.is_ascii_alphanumeric() {
            return None;
        }
        let words = single_spaced_words::<14>(line)?;
        // Each word is tested for `-` once: the members of `unmapped` and the mapping both
        // read the present words.
        let present = words.map(absent);
        let unmapped = if present.iter().all(Option::is_some) {
            Unmapped::all_present(&DEFAULT_V2, &words)
        } else {
            let mut unmapped = Unmapped::with_capacity(DEFAULT_V2.len());
            for (name, value) in DEFAULT_V2.iter().zip(present) {
                if let Some(value) = value {
                    unmapped.present(name, value);
                }
            }
            unmapped
        };
        let [
            version,
            account_id,
            interface_id,
            srcaddr,
            dstaddr,
            srcport,
            dstport,
            protocol,
            packets,
            bytes_,
            start,
            end,
            action,
            log_status,
        ] = present;
        // The addresses are read from the line, sixteen bytes at once (a word cut out is
        // read a digit at a time); `parse_ip` decides whatever is not a dotted quad.
        let (src_ip, dst_ip) = (address_in(bytes, srcaddr), address_in(bytes, dstaddr));
        // Constant field indices after inlining: the match folds away.
        let get = |field: usize| -> Option<&'a str> {
            match field {
                VERSION => version,
                ACCOUNT_ID => account_id,
                INTERFACE_ID => interface_id,
                SRCADDR => srcaddr,
                DSTADDR => dstaddr,
                SRCPORT => srcport,
                DSTPORT => dstport,
                PROTOCOL => protocol,
                PACKETS => packets,
                BYTES => bytes_,
                START => start,
                END => end,
                ACTION => action,
                LOG_STATUS => log_status,
                _ => None,
            }
        };
        let ip = |field: usize| -> Option<IpAddr> {
            match field {
                SRCADDR => src_ip,
                DSTADDR => dst_ip,
                _ => None,
            }
        };
        // The numbers are read from the line, eight digits at a time (a word cut out is read a
        // digit at a time); `parse_i64` decides whatever is not up to sixteen digits.
        let (start_s, end_s) = (number_in(bytes, start), number_in(bytes, end));
        let number = |field: usize| -> Option<i64> {
            match field {
                START => start_s,
                END => end_s,
                _ => get(field).and_then(parse_i64),
            }
        };
        Some(LineOutcome::Event(build_event(
            line, get, ip, number, unmapped,
        )))
    }

    /// Every line the v2 fast path does not take.
    fn parse_general<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        let text = line.trim();
        if text.is_empty() {
            return LineOutcome::Skip;
        }
        if is_header(text) {
            let order = parse_order(text);
            if order.len() > self.max_fields {
                return LineOutcome::Reject(format!(
                    "flow log header declares {} fields; the limit is {}",
                    order.len(),
                    self.max_fields
                ));
            }
            self.set_order(order);
            return LineOutcome::Skip;
        }
        // Records are separated by single spaces; tabs and runs of spaces are tolerated. The
        // spans go to a buffer the parser keeps (a fresh array per record was a sixth of the
        // record's time to initialize).
        // One pass over the words: the members of `unmapped`, and the documented fields the
        // mapping reads into a table by field (a record of the wrong length is rejected below
        // and what was built dropped). Reading the mapped fields back from a list of word
        // spans cost some twenty-five bounds-checked lookups per record.
        let mut values: [Option<&'a str>; KNOWN.len()] = [None; KNOWN.len()];
        let mut count = 0;
        let mut unmapped = Unmapped::with_capacity(self.order.len());
        let mut fields = self.order.iter().zip(&self.known_at);
        for (start, end) in word_spans(text) {
            if count == MAX_FIELDS {
                return LineOutcome::Reject(format!(
                    "flow log record has more than {MAX_FIELDS} fields"
                ));
            }
            count += 1;
            if let Some((field, &known)) = fields.next() {
                let value = text.get(start..end).unwrap_or("");
                if let Some(slot) = values.get_mut(usize::from(known)) {
                    *slot = absent(value);
                }
                match field {
                    Field::Known(name) => unmapped.str(name, value),
                    Field::Other(name) => unmapped.named(Cow::Owned(name.clone()), value),
                }
            }
        }
        if count != self.order.len() {
            return LineOutcome::Reject(format!(
                "flow log record has {count} fields; the declared format has {} ({})",
                self.order.len(),
                if self.order.len() == DEFAULT_V2.len() {
                    "default v2 order; give the order with a header line or vpc_flow_format"
                } else {
                    "from the header line or vpc_flow_format"
                }
            ));
        }
        let get = |field: usize| -> Option<&'a str> { values.get(field).copied().flatten() };
        let ip = |field: usize| get(field).and_then(parse_ip);
        let number = |field: usize| get(field).and_then(parse_i64);
        LineOutcome::Event(build_event(line, get, ip, number, unmapped))
    }
}

impl LineParser for VpcFlowParser {
    fn format(&self) -> SourceFormat {
        SourceFormat::VpcFlow
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        if self.v2
            && let Some(outcome) = self.parse_v2(line)
        {
            return outcome;
        }
        self.parse_general(line)
    }
}

/// The address in `word`, a word of the line `bytes`: read from the line sixteen bytes at
/// once (a word cut out is read a digit at a time); `parse_ip` decides whatever is not a
/// dotted quad. Inlined: as a closure called twice it was a call each.
#[inline(always)]
fn address_in(bytes: &[u8], word: Option<&str>) -> Option<IpAddr> {
    let word = word?;
    let offset = (word.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
    match bytes
        .get(offset..)
        .and_then(|from| ipv4_exact_at(from, word.len()))
    {
        Some(v4) => Some(IpAddr::V4(v4)),
        None => parse_ip(word),
    }
}

/// The integer in `word`, a word of the line `bytes`: read from the line eight digits at a
/// time (a word cut out is read a digit at a time); `parse_i64` decides whatever is not up to
/// sixteen digits. Inlined, as [`address_in`].
#[inline(always)]
fn number_in(bytes: &[u8], word: Option<&str>) -> Option<i64> {
    let word = word?;
    let end = (word.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize) + word.len();
    match number_ending_at(bytes, end, word.len()).and_then(|n| i64::try_from(n).ok()) {
        Some(n) => Some(n),
        None => parse_i64(word),
    }
}

/// The `N` words of `text` when it is exactly `N` non-empty words separated by single spaces
/// and holds no tab; `None` otherwise.
///
/// The spaces and tabs are found sixteen bytes at a time ([`eq_masks2`]), each space then a
/// `trailing_zeros` of the block's mask. The bytes after the last whole block are read as the
/// line's last sixteen bytes, with the bits of the bytes already read shifted out.
#[inline]
fn single_spaced_words<const N: usize>(text: &str) -> Option<[&str; N]> {
    let bytes = text.as_bytes();
    let mut words = [""; N];
    let mut count = 0;
    let mut word_start = 0;
    let mut take = |space: usize, count: &mut usize| -> Option<()> {
        if space == word_start {
            return None;
        }
        *words.get_mut(*count)? = text.get(word_start..space)?;
        *count += 1;
        word_start = space + 1;
        Some(())
    };
    let mut block_spaces = |at: usize, mut spaces: u32, tabs: u32, count: &mut usize| {
        if tabs != 0 {
            return None;
        }
        while spaces != 0 {
            take(at + spaces.trailing_zeros() as usize, count)?;
            spaces &= spaces - 1;
        }
        Some(())
    };
    let mut at = 0;
    while let Some(block) = bytes
        .get(at..at + 16)
        .and_then(|block| <&[u8; 16]>::try_from(block).ok())
    {
        let (spaces, tabs) = eq_masks2(block, b' ', b'\t');
        block_spaces(at, spaces, tabs, &mut count)?;
        at += 16;
    }
    if at < bytes.len() {
        let last = bytes.len().checked_sub(16).and_then(|base| {
            let block = <&[u8; 16]>::try_from(bytes.get(base..)?).ok()?;
            Some((base, block))
        });
        match last {
            Some((base, block)) => {
                // `at - base` is below sixteen: a whole block ended at `at`.
                let seen = at - base;
                let (spaces, tabs) = eq_masks2(block, b' ', b'\t');
                block_spaces(at, spaces >> seen, tabs >> seen, &mut count)?;
            }
            None => {
                for (offset, byte) in bytes.get(at..).unwrap_or(&[]).iter().enumerate() {
                    match byte {
                        b'\t' => return None,
                        b' ' => block_spaces(at + offset, 1, 0, &mut count)?,
                        _ => {}
                    }
                }
            }
        }
    }
    take(bytes.len(), &mut count)?;
    (count == N).then_some(words)
}

/// The byte spans of the words of a record: runs of bytes other than spaces and tabs. A byte
/// scan (a `split` on a set of chars decodes every char); space and tab are ASCII, so both ends
/// of a span are char boundaries.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        while bytes.get(pos).is_some_and(|b| *b == b' ' || *b == b'\t') {
            pos += 1;
        }
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        pos = separator_at(bytes, pos, true);
        Some((start, pos))
    })
}

/// The event of one record; `get` reads a documented field (by index into [`KNOWN`]), `ip`
/// the address in one (`get(field).and_then(parse_ip)`) and `number` the integer in one of
/// the times (`get(field).and_then(parse_i64)`), which the v2 path reads faster. They are generics, not
/// `&dyn Fn`s: some twenty-five lookups per record were indirect calls.
fn build_event<'a>(
    line: &'a str,
    get: impl Fn(usize) -> Option<&'a str>,
    ip: impl Fn(usize) -> Option<IpAddr>,
    number: impl Fn(usize) -> Option<i64>,
    unmapped: Unmapped<'a>,
) -> Box<Event<'a>> {
    let action = get(ACTION);
    let log_status = get(LOG_STATUS);
    let no_data = matches!(log_status, Some("NODATA" | "SKIPDATA"));
    let activity = if no_data { 0 } else { 6 };
    let mut event = Event::new_boxed(&ocsf::NETWORK_ACTIVITY, activity, SourceFormat::VpcFlow);
    // Written out, not a closure called twice (which stayed a call each).
    let start = number(START).and_then(|s| s.checked_mul(1000));
    let end = number(END).and_then(|s| s.checked_mul(1000));
    event.time = start.or(end).unwrap_or(0);
    event.start_time = start;
    event.end_time = end;
    event.status_code = log_status.map(Cow::Borrowed);
    match action {
        Some("ACCEPT") => {
            event.action_id = Some(1);
            event.action = Some(Cow::Borrowed("Allowed"));
        }
        Some("REJECT") => {
            event.action_id = Some(2);
            event.action = Some(Cow::Borrowed("Denied"));
        }
        _ => {}
    }
    if let Some(reason) = get(REJECT_REASON) {
        event.status_detail = Some(Cow::Borrowed(reason));
    }
    let direction = get(FLOW_DIRECTION);
    // Filled in place on the heap (a struct built on the stack and then boxed is copied).
    let mut src = Box::<Endpoint<'a>>::default();
    let mut dst = Box::<Endpoint<'a>>::default();
    fill_endpoint(&mut src, &get, &ip, [SRCADDR, PKT_SRCADDR, SRCPORT]);
    fill_endpoint(&mut dst, &get, &ip, [DSTADDR, PKT_DSTADDR, DSTPORT]);
    // The interface, VPC, subnet and instance are those of the endpoint inside the VPC:
    // the destination of ingress traffic, the source otherwise.
    let local = if direction == Some("ingress") {
        &mut dst
    } else {
        &mut src
    };
    local.interface_uid = get(INTERFACE_ID).map(Cow::Borrowed);
    local.vpc_uid = get(VPC_ID).map(Cow::Borrowed);
    local.subnet_uid = get(SUBNET_ID).map(Cow::Borrowed);
    local.instance_uid = get(INSTANCE_ID).map(Cow::Borrowed);
    for (endpoint, vpc, subnet, eni) in [
        (&mut src, TGW_SRC_VPC_ID, TGW_SRC_SUBNET_ID, TGW_SRC_ENI),
        (&mut dst, TGW_DST_VPC_ID, TGW_DST_SUBNET_ID, TGW_DST_ENI),
    ] {
        endpoint.vpc_uid = endpoint.vpc_uid.take().or(get(vpc).map(Cow::Borrowed));
        endpoint.subnet_uid = endpoint
            .subnet_uid
            .take()
            .or(get(subnet).map(Cow::Borrowed));
        endpoint.interface_uid = endpoint
            .interface_uid
            .take()
            .or(get(eni).map(Cow::Borrowed));
    }
    src.svc_name = get(PKT_SRC_AWS_SERVICE).map(Cow::Borrowed);
    dst.svc_name = get(PKT_DST_AWS_SERVICE).map(Cow::Borrowed);
    // The endpoints started as defaults and only the fields above were set: testing those
    // is `*src != Endpoint::default()` without building (and dropping) a default to compare.
    if !is_blank(&src) {
        event.src_endpoint = Some(src);
    }
    if !is_blank(&dst) {
        event.dst_endpoint = Some(dst);
    }
    let protocol = get(PROTOCOL).and_then(parse_i64);
    event.connection_info = Some(ConnectionInfo {
        protocol_num: protocol,
        protocol_name: protocol.and_then(protocol_name).map(Cow::Borrowed),
        direction_id: direction.map(|d| match d {
            "ingress" => 1,
            "egress" => 2,
            _ => 0,
        }),
        direction: direction.map(|d| {
            Cow::Borrowed(match d {
                "ingress" => "Inbound",
                "egress" => "Outbound",
                _ => "Unknown",
            })
        }),
        tcp_flags: get(TCP_FLAGS).and_then(parse_i64),
    });
    event.traffic = Some(Traffic {
        bytes: get(BYTES).and_then(parse_i64),
        packets: get(PACKETS).and_then(parse_i64),
        ..Traffic::default()
    });
    let mut cloud = Box::<Cloud<'a>>::default();
    cloud.provider = Cow::Borrowed("AWS");
    cloud.region = get(REGION).map(Cow::Borrowed);
    cloud.zone = get(AZ_ID).map(Cow::Borrowed);
    cloud.account = get(ACCOUNT_ID).map(|id| Account {
        uid: Some(Cow::Borrowed(id)),
        type_id: Some(10),
        ..Account::default()
    });
    event.cloud = Some(cloud);
    event.metadata.product.version = get(VERSION).map(Cow::Borrowed);
    event.metadata.log_provider = Some(Cow::Borrowed(if get(TGW_ID).is_some() {
        "Transit Gateway Flow Logs"
    } else {
        "VPC Flow Logs"
    }));
    unmapped.store_in(&mut event.unmapped);
    event.raw = RawRecord::text(line);
    event
}

/// The address (the packet's, else the flow's, which is kept as an intermediate address when
/// they differ) and port of an endpoint, from the fields `[address, packet address, port]`.
/// Inlined: as a closure called twice it was a call each.
#[inline(always)]
fn fill_endpoint<'a>(
    endpoint: &mut Endpoint<'a>,
    get: &impl Fn(usize) -> Option<&'a str>,
    ip: &impl Fn(usize) -> Option<IpAddr>,
    [addr, pkt_addr, port]: [usize; 3],
) {
    let flow_ip = ip(addr);
    let packet_ip = ip(pkt_addr);
    endpoint.ip = packet_ip.or(flow_ip);
    if let (Some(flow), Some(packet)) = (flow_ip, packet_ip)
        && flow != packet
    {
        endpoint.intermediate_ips.push(flow);
    }
    endpoint.port = get(port).and_then(parse_port);
}

/// Whether none of the fields [`build_event`] sets in an endpoint is set.
fn is_blank(endpoint: &Endpoint<'_>) -> bool {
    endpoint.ip.is_none()
        && endpoint.port.is_none()
        && endpoint.intermediate_ips.is_empty()
        && endpoint.interface_uid.is_none()
        && endpoint.vpc_uid.is_none()
        && endpoint.subnet_uid.is_none()
        && endpoint.instance_uid.is_none()
        && endpoint.svc_name.is_none()
}

/// The IANA name of the common protocol numbers.
fn protocol_name(number: i64) -> Option<&'static str> {
    Some(match number {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        47 => "gre",
        50 => "esp",
        58 => "ipv6-icmp",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::{event_of, mutations_never_panic, raw};

    const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    const ACCEPT: &str = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

    #[test]
    fn default_v2_records_map_to_network_activity() {
        let mut parser = VpcFlowParser::new(&ParseOptions::default());
        assert!(matches!(parser.parse_line(HEADER), LineOutcome::Skip));
        let event = event_of(&mut parser, ACCEPT);
        assert_eq!(
            (event.class_uid, event.activity_id, event.type_uid),
            (4001, 6, 400106)
        );
        assert_eq!(event.action_id, Some(1));
        assert_eq!(event.time, 1_418_530_010_000);
        assert_eq!(event.end_time, Some(1_418_530_070_000));
        let src = event.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip, Some("172.31.16.139".parse().unwrap()));
        assert_eq!(src.port, Some(20641));
        assert_eq!(src.interface_uid.as_deref(), Some("eni-1235b8ca123456789"));
        assert_eq!(event.dst_endpoint.as_ref().unwrap().port, Some(22));
        let conn = event.connection_info.as_ref().unwrap();
        assert_eq!(
            (conn.protocol_num, conn.protocol_name.as_deref()),
            (Some(6), Some("tcp"))
        );
        assert_eq!(event.traffic.as_ref().unwrap().bytes, Some(4249));
        let cloud = event.cloud.as_ref().unwrap();
        assert_eq!(
            cloud.account.as_ref().unwrap().uid.as_deref(),
            Some("123456789010")
        );
        assert_eq!(raw(&event, "account-id"), Some("123456789010".into()));
        assert_eq!(raw(&event, "action"), Some("ACCEPT".into()));

        let reject = ACCEPT.replace("ACCEPT", "REJECT");
        assert_eq!(event_of(&mut parser, &reject).action_id, Some(2));
        let nodata =
            "2 12345678910 eni-0eb1e4178af74336c - - - - - - - 1742570089 1742570142 - NODATA";
        let event = event_of(&mut parser, nodata);
        assert_eq!(event.activity_id, 0);
        assert_eq!(event.status_code.as_deref(), Some("NODATA"));
        assert!(event.src_endpoint.is_some(), "interface id is kept");
        assert_eq!(raw(&event, "srcaddr"), None);
    }

    #[test]
    fn custom_orders_from_header_and_options() {
        let mut parser = VpcFlowParser::new(&ParseOptions::default());
        let header = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status region az-id flow-direction traffic-path";
        assert!(matches!(parser.parse_line(header), LineOutcome::Skip));
        let line = "5 vpc-0a vpc-sub-1 i-0b eni-0c 123456789012 IPv4 10.0.0.5 52.1.2.3 443 50000 52.1.2.3 10.0.0.99 6 5000 10 1700000000 1700000060 ACCEPT 19 OK us-east-1 use1-az1 ingress -";
        let event = event_of(&mut parser, line);
        let dst = event.dst_endpoint.as_ref().unwrap();
        assert_eq!(
            dst.instance_uid.as_deref(),
            Some("i-0b"),
            "ingress: the destination is local"
        );
        assert_eq!(dst.ip, Some("10.0.0.99".parse().unwrap()));
        assert_eq!(
            dst.intermediate_ips,
            vec!["52.1.2.3".parse::<std::net::IpAddr>().unwrap()]
        );
        let conn = event.connection_info.as_ref().unwrap();
        assert_eq!((conn.direction_id, conn.tcp_flags), (Some(1), Some(19)));
        assert_eq!(
            event.cloud.as_ref().unwrap().zone.as_deref(),
            Some("use1-az1")
        );

        let options = ParseOptions {
            vpc_flow_format: Some(
                "${account-id} ${action} ${srcaddr} ${dstaddr} ${my_field}".into(),
            ),
            ..ParseOptions::default()
        };
        let mut parser = VpcFlowParser::new(&options);
        let event = event_of(&mut parser, "111122223333 REJECT 1.1.1.1 2.2.2.2 hello");
        assert_eq!(event.action_id, Some(2));
        assert_eq!(raw(&event, "my_field"), Some("hello".into()));
        match parser.parse_line("1 2 3") {
            LineOutcome::Reject(reason) => assert!(reason.contains("3 fields"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn transit_gateway_flow_logs() {
        let mut parser = VpcFlowParser::new(&ParseOptions::default());
        let header = "version account-id tgw-id tgw-attachment-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired start end log-status type tcp-flags flow-direction region";
        assert!(is_header(header));
        assert!(matches!(parser.parse_line(header), LineOutcome::Skip));
        let line = "6 123456789012 tgw-0abc tgw-attach-0abc vpc-0abc vpc-0def subnet-0abc subnet-0def eni-0abc eni-0def use1-az1 use1-az2 tgw-attach-0def 10.0.0.1 10.0.1.1 12345 443 6 10 1000 1 2 3 4 1700000000 1700000060 OK IPv4 2 ingress us-east-1";
        let event = event_of(&mut parser, line);
        assert_eq!(
            event.src_endpoint.as_ref().unwrap().vpc_uid.as_deref(),
            Some("vpc-0abc")
        );
        assert_eq!(
            event
                .dst_endpoint
                .as_ref()
                .unwrap()
                .interface_uid
                .as_deref(),
            Some("eni-0def")
        );
        assert_eq!(
            event.metadata.log_provider.as_deref(),
            Some("Transit Gateway Flow Logs")
        );
        assert_eq!(raw(&event, "packets-lost-blackhole"), Some("2".into()));
        assert!(looks_like_v2_record(ACCEPT));
        assert!(!looks_like_v2_record(line));
    }

    /// The v2 fast path's outcome of `line`, if it takes the line, beside the general path's.
    fn both_paths(line: &str) -> Option<(String, String)> {
        let mut parser = VpcFlowParser::new(&ParseOptions::default());
        let fast = format!("{:?}", parser.parse_v2(line)?);
        Some((fast, format!("{:?}", parser.parse_general(line))))
    }

    /// What [`single_spaced_words`] answers, from `split`.
    fn single_spaced_words_reference<const N: usize>(text: &str) -> Option<[&str; N]> {
        if text.contains('\t') {
            return None;
        }
        let words: Vec<&str> = text.split(' ').collect();
        if words.iter().any(|w| w.is_empty()) {
            return None;
        }
        words.try_into().ok()
    }

    #[test]
    fn single_spaced_words_are_split_eight_bytes_at_a_time() {
        assert_eq!(
            single_spaced_words::<3>("ab cdefghijkl m"),
            Some(["ab", "cdefghijkl", "m"])
        );
        for text in [
            "",
            " ",
            "a",
            "a b",
            "a  b c",
            "a b c ",
            " a b c",
            "a\tb c",
            "a b c d",
            "abcdefg hijklmn opqrstu",
            "abcdefgh ijklmnop qrstuvwx",
            "aé b€ c",
            "a b\tcdefghijklmnop",
            "0123456 8 abcdefghijklmnopqrstuvw",
        ] {
            assert_eq!(
                single_spaced_words::<3>(text),
                single_spaced_words_reference::<3>(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn v2_fast_path_takes_the_usual_records_and_agrees() {
        let nodata =
            "2 12345678910 eni-0eb1e4178af74336c - - - - - - - 1742570089 1742570142 - NODATA";
        let v6 = "2 123 eni-1 2001:db8::1 fe80::2 1 2 58 3 4 5 6 REJECT SKIPDATA";
        for line in [ACCEPT, nodata, v6] {
            let (fast, general) = both_paths(line).expect("fast path taken");
            assert_eq!(fast, general, "{line}");
        }
        for line in [
            " 2 123 eni-1 1.2.3.4 5.6.7.8 1 2 6 3 4 5 6 ACCEPT OK",
            "2 123 eni-1 1.2.3.4 5.6.7.8 1 2 6 3 4 5 6 ACCEPT OK ",
            "2 123 eni-1 1.2.3.4  5.6.7.8 1 2 6 3 4 5 6 ACCEPT OK",
            "2 123 eni-1 1.2.3.4\t5.6.7.8 1 2 6 3 4 5 6 ACCEPT OK",
            "2 123 eni-1 1.2.3.4 5.6.7.8 1 2 6 3 4 5 6 ACCEPT",
            "2 123 eni-1 1.2.3.4 5.6.7.8 1 2 6 3 4 5 6 ACCEPT OK x",
        ] {
            assert!(both_paths(line).is_none(), "{line:?}");
        }
        let mut parser = VpcFlowParser::new(&ParseOptions {
            vpc_flow_format: Some("version account-id".into()),
            ..ParseOptions::default()
        });
        assert!(!parser.v2);
        assert!(matches!(parser.parse_line(HEADER), LineOutcome::Skip));
        assert!(parser.v2, "the header declares the default order");
    }

    proptest::proptest! {
        #[test]
        fn single_spaced_words_agree_with_split(text in "[a \t\u{e9}0-9]{0,40}") {
            proptest::prop_assert_eq!(
                single_spaced_words::<4>(&text),
                single_spaced_words_reference::<4>(&text)
            );
        }

        #[test]
        fn v2_fast_path_agrees_with_the_general_path(edits in crate::text::test_support::edits()) {
            let nodata =
                "2 12345678910 eni-0eb1e4178af74336c - - - - - - - 1742570089 1742570142 - NODATA";
            for base in [ACCEPT, nodata] {
                for line in crate::text::test_support::mutations(base, &edits) {
                    if let Some((fast, general)) = both_paths(&line) {
                        proptest::prop_assert_eq!(fast, general, "{:?}", line);
                    }
                }
            }
        }

        #[test]
        fn never_panics(line in ".{0,300}", edits in crate::text::test_support::edits()) {
            let mut parser = VpcFlowParser::new(&ParseOptions::default());
            let _ = parser.parse_line(&line);
            mutations_never_panic(&mut parser, ACCEPT, &edits);
            mutations_never_panic(&mut parser, HEADER, &edits);
        }
    }
}
