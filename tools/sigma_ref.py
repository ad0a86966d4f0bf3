"""A small reference evaluator for the logsec rule pack (Python, test-only).

It is NOT the logsec engine (that lives in crates/logsec-rules); it exists so the pack's test events
and the demo's expected alerts can be checked before the engine is available, and as a second opinion
afterwards. It implements the subset of Sigma 2.1 the pack uses, with the semantics documented in
rules/README.md: case-insensitive wildcard matching, any-member matching through arrays, `null`
matching absent or JSON null, literal dotted keys winning over nesting, correlations with sliding
windows over event time and a group's state cleared when its correlation fires.
"""
import datetime as dt
import ipaddress
import json
import re

MISSING = object()

# ----------------------------------------------------------------------------- records

_ISTIO = re.compile(
    r'^\[(?P<start_time>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+) (?P<protocol>[^"]+)" (?P<response_code>\d+) '
    r'(?P<response_flags>\S+) (?P<rest>.*)$')
_ISTIO_Q = re.compile(r'"([^"]*)"')
_WEB = re.compile(
    r'^(?P<remote_addr>\S+) \S+ (?P<remote_user>\S+) \[(?P<time_local>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+)(?: (?P<protocol>[^"]*))?" '
    r'(?P<status>\d{3}) (?P<body_bytes_sent>\S+)(?: "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)")?')
_AUTH = re.compile(r'^(?P<ts>\w{3} +\d+ \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (?P<host>\S+) (?P<prog>[\w\-./]+)(?:\[(?P<pid>\d+)\])?: (?P<msg>.*)$')
_IP_IN_MSG = re.compile(r'\bfrom (\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)\b')
S3_COLUMNS = ["bucketowner", "bucket", "requestdatetime", "remoteip", "requester", "requestid", "operation", "key",
              "request_uri", "httpstatus", "errorcode", "bytessent", "objectsize", "totaltime", "turnaroundtime",
              "referrer", "useragent", "versionid", "hostid", "sigv", "ciphersuite", "authtype", "endpoint",
              "tlsversion", "accesspointarn", "aclrequired"]


def _split_s3(line):
    out, i, n = [], 0, len(line)
    while i < n:
        if line[i] == " ":
            i += 1
            continue
        if line[i] == '"':
            j = line.find('"', i + 1)
            j = n if j < 0 else j
            out.append(line[i + 1:j])
            i = j + 1
        elif line[i] == "[":
            j = line.find("]", i + 1)
            j = n if j < 0 else j
            out.append(line[i + 1:j])
            i = j + 1
        else:
            j = line.find(" ", i)
            j = n if j < 0 else j
            out.append(line[i:j])
            i = j
    return out


def _http_fields(method, path, status, cip, ua, host, referer="-"):
    stem, _, query = path.partition("?")
    f = {"cs-method": method, "cs-uri-stem": stem, "c-uri": path, "c-uri-stem": stem, "sc-status": status,
         "c-ip": cip, "src_ip": cip, "cs-user-agent": ua, "c-useragent": ua, "cs-host": host,
         "cs-referrer": referer, "cs-referer": referer}
    if query:
        f["cs-uri-query"] = query
        f["c-uri-query"] = query
    return f


class Record:
    """A record of one format: field lookup (raw names) + the text used by keyword searches + time."""

    def __init__(self, fmt, record):
        self.fmt = fmt
        self.raw = record
        self.fields = None
        self.text = record if isinstance(record, str) else json.dumps(record, separators=(",", ":"))
        self.time = None
        self.rid = None
        self.program = None
        if fmt == "cloudtrail":
            self.time = _iso(record.get("eventTime"))
            self.rid = record.get("eventID")
        elif fmt == "k8s_audit":
            self.time = _iso(record.get("requestReceivedTimestamp") or record.get("stageTimestamp"))
            self.rid = record.get("auditID")
        elif fmt in ("istio", "envoy"):
            m = _ISTIO.match(record)
            if not m:
                raise ValueError(f"not an Istio/Envoy default-format line: {record[:80]}")
            q = _ISTIO_Q.findall(m.group("rest"))
            # quoted fields after the request line: upstream failure, xff, ua, request id, authority, upstream host
            xff, ua, rid, host = q[1], q[2], q[3], q[4]
            tail = m.group("rest").split('"')[-1].split()
            peer = tail[3] if len(tail) > 3 else "-"
            cip = xff.split(",")[0].strip() if xff not in ("-", "") else peer.rsplit(":", 1)[0]
            self.fields = _http_fields(m.group("method"), m.group("path"), int(m.group("response_code")), cip, ua, host)
            self.fields["x-request-id"] = rid
            self.rid = rid
            self.time = _iso(m.group("start_time"))
        elif fmt == "elb":
            q = _ISTIO_Q.findall(record)
            parts = record.split(" ")
            if len(parts) < 13 or len(q) < 2:
                raise ValueError(f"not an ALB access-log line: {record[:80]}")
            method, url, _proto = (q[0].split(" ") + ["", "", ""])[:3]
            m = re.match(r"^[a-z]+://([^/]+)(/.*)?$", url)
            host, path = (m.group(1).rsplit(":", 1)[0], m.group(2) or "/") if m else ("-", url)
            cip = parts[3].rsplit(":", 1)[0].strip("[]")
            self.fields = _http_fields(method, path, int(parts[8]) if parts[8].isdigit() else parts[8], cip, q[1], host)
            self.rid = q[2] if len(q) > 2 else None
            self.time = _iso(parts[1])
        elif fmt == "web_access":
            m = _WEB.match(record)
            if not m:
                raise ValueError(f"not a combined-format line: {record[:80]}")
            self.fields = _http_fields(m.group("method"), m.group("path"), int(m.group("status")), m.group("remote_addr"),
                                       m.group("user_agent") or "-", "-", m.group("referer") or "-")
            self.time = dt.datetime.strptime(m.group("time_local")[:20], "%d/%b/%Y:%H:%M:%S")
        elif fmt == "s3_access":
            vals = _split_s3(record)
            self.fields = {k: v for k, v in zip(S3_COLUMNS, vals) if v != "-"}
            if "httpstatus" in self.fields:
                self.fields["httpstatus"] = int(self.fields["httpstatus"])
            self.rid = self.fields.get("requestid")
            self.time = dt.datetime.strptime(self.fields["requestdatetime"][:20], "%d/%b/%Y:%H:%M:%S")
        elif fmt in ("auth_log", "syslog"):
            m = _AUTH.match(record)
            if not m:
                raise ValueError(f"not a syslog line: {record[:80]}")
            self.program = m.group("prog")
            self.fields = {"message": m.group("msg"), "host": m.group("host"), "process": m.group("prog")}
            ip = _IP_IN_MSG.search(m.group("msg"))
            if ip:
                self.fields["src_endpoint.ip"] = ip.group(1)
            stamp = m.group("ts")
            if stamp[:4].isdigit():
                self.time = dt.datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")
            else:
                self.time = dt.datetime.strptime("2026 " + re.sub(r" +", " ", stamp), "%Y %b %d %H:%M:%S")
        else:
            raise ValueError(f"format not supported by the reference evaluator: {fmt}")

    def get(self, field):
        if self.fields is not None:
            return [self.fields[field]] if field in self.fields else MISSING
        vals = _walk(self.raw, field.split("."))
        return vals if vals else MISSING


def _iso(text):
    if not text:
        return None
    return dt.datetime.strptime(text[:19].replace(" ", "T"), "%Y-%m-%dT%H:%M:%S")


def _walk(node, parts):
    if not parts:
        return [node]
    if isinstance(node, list):
        out = []
        for el in node:
            out.extend(_walk(el, parts))
        return out
    if not isinstance(node, dict):
        return []
    for i in range(len(parts), 0, -1):  # literal dotted keys win over nesting
        key = ".".join(parts[:i])
        if key in node:
            return _walk(node[key], parts[i:])
    return []


def _flatten(vals):
    out = []
    for v in vals:
        if isinstance(v, list):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


def _s(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)

# ----------------------------------------------------------------------------- values


def _wild_to_re(pattern):
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    return "".join(out)


class Matcher:
    def __init__(self, field, mods, values, placeholders):
        self.field, self.mods = field, mods
        if not isinstance(values, list):
            values = [values]
        if "expand" in mods:
            exp = []
            for v in values:
                m = re.fullmatch(r"%(\w+)%", str(v))
                if not m or m.group(1) not in placeholders:
                    raise KeyError(f"placeholder {v} has no value")
                pv = placeholders[m.group(1)]
                exp.extend(pv if isinstance(pv, list) else [pv])
            values = exp
        self.values = values
        self.all = "all" in mods
        self.rx = {}
        for v in values:
            if v is None or isinstance(v, bool) or mods & {"exists", "fieldref", "cidr", "gt", "gte", "lt", "lte"}:
                continue
            if "re" in mods:
                self.rx[str(v)] = re.compile(str(v))
                continue
            pat = _wild_to_re(_s(v))
            if "contains" in mods:
                pat = ".*" + pat + ".*"
            elif "startswith" in mods:
                pat = pat + ".*"
            elif "endswith" in mods:
                pat = ".*" + pat
            self.rx[_s(v)] = re.compile(pat, re.I | re.S)

    def match(self, rec):
        m = self.mods
        if "exists" in m:
            want = self.values[0] in (True, "true")
            got = rec.get(self.field)
            return (got is not MISSING and any(v is not None for v in _flatten(got))) == want
        got = rec.get(self.field) if self.field is not None else [rec.text]
        if self.field is not None and got is not MISSING:
            got = _flatten(got)
        results = [self._one(rec, got, v) for v in self.values]
        return all(results) if self.all else any(results)

    def _one(self, rec, got, want):
        m = self.mods
        if want is None:
            return got is MISSING or all(g is None for g in got)
        if got is MISSING:
            return False
        for g in got:
            if "fieldref" in m:
                other = rec.get(str(want))
                if other is not MISSING and _s(g) is not None and any(_s(g).lower() == (_s(o) or "").lower() for o in _flatten(other)):
                    return True
                continue
            gs = _s(g)
            if gs is None:
                continue
            if "cidr" in m:
                try:
                    if ipaddress.ip_address(gs) in ipaddress.ip_network(str(want), strict=False):
                        return True
                except ValueError:
                    pass
                continue
            if m & {"gt", "gte", "lt", "lte"}:
                try:
                    a, b = float(gs), float(want)
                except ValueError:
                    continue
                if ("gt" in m and a > b) or ("gte" in m and a >= b) or ("lt" in m and a < b) or ("lte" in m and a <= b):
                    return True
                continue
            if "re" in m:
                if self.rx[str(want)].search(gs):
                    return True
                continue
            if self.rx[_s(want)].fullmatch(gs):
                return True
        return False


class Detection:
    def __init__(self, doc, placeholders):
        self.doc = doc
        det = doc["detection"]
        self.cond = det["condition"]
        self.idents = {}
        for name, body in det.items():
            if name == "condition":
                continue
            self.idents[name] = self._compile(body, placeholders)

    def _compile(self, body, ph):
        if isinstance(body, dict):
            return ("and", [self._field(k, v, ph) for k, v in body.items()])
        if isinstance(body, list) and body and all(isinstance(x, dict) for x in body):
            return ("or", [self._compile(x, ph) for x in body])
        if isinstance(body, list):
            return ("kw", Matcher(None, {"contains"}, body, ph))
        raise ValueError(f"unsupported search identifier: {body!r}")

    @staticmethod
    def _field(key, value, ph):
        parts = key.split("|")
        field = parts[0] or None
        mods = set(parts[1:])
        if field is None:
            mods.add("contains")
        return ("m", Matcher(field, mods, value, ph))

    def _eval_ident(self, node, rec):
        kind, x = node
        if kind == "m" or kind == "kw":
            return x.match(rec)
        if kind == "and":
            return all(self._eval_ident(n, rec) for n in x)
        return any(self._eval_ident(n, rec) for n in x)

    def match(self, rec):
        return _eval_cond(self.cond, lambda name: self._eval_ident(self.idents[name], rec), list(self.idents))


def _eval_cond(cond, value_of, names):
    toks = re.findall(r"\(|\)|[\w*\-]+", cond)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        t = toks[pos[0]]
        pos[0] += 1
        return t

    def expr():
        v = term()
        while peek() == "or":
            take()
            r = term()
            v = v or r
        return v

    def term():
        v = factor()
        while peek() == "and":
            take()
            r = factor()
            v = v and r
        return v

    def factor():
        t = take()
        if t == "not":
            return not factor()
        if t == "(":
            v = expr()
            take()
            return v
        if t in ("1", "all", "any"):
            pat = take()
            if pat == "of":
                pat = take()
            if pat == "them":
                sel = [n for n in names if not n.startswith("_")]
            else:
                rx = re.compile(_wild_to_re(pat))
                sel = [n for n in names if rx.fullmatch(n)]
            vals = [value_of(n) for n in sel]
            return all(vals) if t == "all" else any(vals)
        return value_of(t)

    return expr()

# ----------------------------------------------------------------------------- pack + correlation


def _span(text):
    n, unit = int(text[:-1]), text[-1]
    return dt.timedelta(seconds=n * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit])


class Pack:
    """All documents of the pack; evaluates a stream of records and reports alerts."""

    def __init__(self, docs, placeholders):
        self.docs = docs  # list of (path, doc)
        self.by_key = {}
        for path, d in docs:
            for k in (d.get("id"), d.get("name")):
                if k:
                    self.by_key[k] = (path, d)
        self.det = {}
        for path, d in docs:
            if "detection" in d:
                self.det[d["id"]] = Detection(d, placeholders)
        referenced = set()
        for _, d in docs:
            if "correlation" in d:
                for r in d["correlation"]["rules"]:
                    if r in self.by_key:
                        referenced.add(self.by_key[r][1]["id"])
        self.alerting = [d for _, d in docs if d["id"] not in referenced or d.get("generate")]

    def stream(self, records):
        """Yields (record, [(doc, contributing records)]) for each record, in order."""
        state = {}
        for rec in records:
            fired = []
            matched = {}
            for did, det in self.det.items():
                if self._logsource_ok(det.doc, rec) and det.match(rec):
                    matched[did] = True
            out = []
            # propagate through correlations (chains) until stable
            events = [(did, rec, {}) for did in matched]
            fired_corr = {}
            seen = set()
            while events:
                did, ev, carried = events.pop(0)
                for _, cd in self.docs:
                    if "correlation" not in cd:
                        continue
                    ids = [self.by_key[r][1]["id"] if r in self.by_key else r for r in cd["correlation"]["rules"]]
                    if did not in ids or (cd["id"], did) in seen:
                        continue
                    res = self._feed(state, cd, ids.index(did), rec, carried)
                    if res is not None:
                        seen.add((cd["id"], did))
                        fired_corr[cd["id"]] = (cd, res)
                        events.append((cd["id"], rec, res))
            for d in self.alerting:
                if "detection" in d and d["id"] in matched:
                    out.append((d, [rec]))
                elif "correlation" in d and d["id"] in fired_corr:
                    out.append((d, fired_corr[d["id"]][1]["records"]))
            yield rec, out

    @staticmethod
    def _logsource_ok(doc, rec):
        ls = doc.get("logsource", {})
        prod, svc, cat = ls.get("product"), ls.get("service"), ls.get("category")
        f = rec.fmt
        if prod == "aws" and svc == "cloudtrail":
            return f == "cloudtrail"
        if prod == "aws" and svc == "s3_access":
            return f == "s3_access"
        if prod == "kubernetes":
            return f == "k8s_audit"
        if cat in ("webserver", "proxy"):
            return f in ("istio", "envoy", "web_access", "elb")
        if prod == "linux":
            if f not in ("auth_log", "syslog"):
                return False
            if svc in ("sshd", "sudo"):
                return (rec.program or "").startswith(svc)
            return True
        return False

    def _feed(self, state, cd, idx, rec, carried):
        c = cd["correlation"]
        group_fields = c.get("group-by", [])
        key_vals = []
        for g in group_fields:
            if carried and g in carried.get("group", {}):
                key_vals.append(carried["group"][g])
                continue
            v = rec.get(g)
            key_vals.append(None if v is MISSING else _s(_flatten(v)[0]))
        key = (cd["id"], tuple(key_vals))
        span = _span(c["timespan"])
        t = rec.time
        entries = state.setdefault(key, [])
        recs = carried.get("records", [rec]) if carried else [rec]
        entries.append((t, idx, rec, recs))
        entries[:] = [e for e in entries if t - e[0] <= span]
        typ = c["type"]
        fired = None
        if typ == "event_count":
            if _cmp(len(entries), c["condition"]):
                fired = entries
        elif typ == "value_count":
            field = c["condition"]["field"]
            vals = set()
            for e in entries:
                v = e[2].get(field)
                if v is not MISSING:
                    vals.add(_s(_flatten(v)[0]))
            if _cmp(len(vals), c["condition"]):
                fired = entries
        elif typ == "temporal":
            if len({e[1] for e in entries}) == len(c["rules"]):
                fired = entries
        elif typ == "temporal_ordered":
            n = len(c["rules"])
            if idx == n - 1:
                chain, cur = [entries[-1]], len(entries) - 1
                for k in range(n - 2, -1, -1):
                    j = cur - 1
                    while j >= 0 and entries[j][1] != k:
                        j -= 1
                    if j < 0:
                        chain = None
                        break
                    chain.append(entries[j])
                    cur = j
                if chain:
                    fired = list(reversed(chain))
        if fired is None:
            return None
        records = []
        for e in fired:
            for r in e[3]:
                if r not in records:
                    records.append(r)
        state[key] = []
        return {"group": dict(zip(group_fields, key_vals)), "records": records}


def _cmp(n, cond):
    ops = {"gt": n.__gt__, "gte": n.__ge__, "lt": n.__lt__, "lte": n.__le__, "eq": n.__eq__, "neq": n.__ne__}
    return all(ops[k](v) for k, v in cond.items() if k in ops)
