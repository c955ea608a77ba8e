#!/usr/bin/env python3
"""The peer comparison: the customer-account flow of the Vendure peer's
bench.py (register -> login -> own customer, then bursts), run against this
project's release functions in the same benchmark run, with the same kind of
client (Python stdlib, one keep-alive connection per thread, client-side
latency) on the same machine.

The functions run as on Lambda: `cargo lambda watch --only-lambda-apis`
provides the Runtime API and the HTTP front, and the release `bootstrap`
binaries are started by this script, INSTANCES per function, each handling
one request at a time. Cold start is spawn -> first 200 for `{ __typename }`,
the same measure as the peer's. Peak RSS is VmHWM per function process.

With --vendure-dir (an installed copy of the Vendure peer's benchmark), the
peer's own bench.py runs right after, on the same machine, and one bcrypt
hash at Vendure's cost is timed in node; --markdown then gets the two side
by side with ratios, login and registration also with the password hash
taken out (Argon2id here, from --figures; bcrypt cost 12 there).

Needs DynamoDB Local and the SES emulator (AWS_ENDPOINT_URL_* exported) and
a table (TABLE_NAME); scripts/bench.sh provides all three.
"""
import argparse
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import threading
import time

PASSWORD = "correct horse battery staple"
REGISTER = """mutation($i: RegisterCustomerInput!) {
  registerCustomer(input: $i) { customer { id } userErrors { code } }
}"""
LOGIN = """mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { session { accessToken } userErrors { code } }
}"""
CUSTOMER = "{ customer { id email firstName lastName } }"
TYPENAME = "{ __typename }"


class Client:
    """One keep-alive HTTP/1.1 connection to the functions' HTTP front."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def gql(self, function, query, variables=None, token=None):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                t0 = time.perf_counter()
                self.conn.request("POST", "/lambda-url/%s/graphql" % function, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                dt = time.perf_counter() - t0
                break
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        if resp.status != 200:
            raise RuntimeError("HTTP %s: %r" % (resp.status, data[:300]))
        return dt, json.loads(data)

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def summary(seconds):
    ms = sorted(s * 1000.0 for s in seconds)
    at = lambda p: ms[max(0, math.ceil(p / 100.0 * len(ms)) - 1)]
    return {"n": len(ms), "p50_ms": round(at(50), 2), "p90_ms": round(at(90), 2), "p99_ms": round(at(99), 2),
            "mean_ms": round(sum(ms) / len(ms), 2)}


def vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def function_env():
    """The functions' environment: what Lambda would set, nothing else from
    this shell (AWS_CA_BUNDLE would make them parse a system bundle at init),
    the bench shop's settings, and the tests' Ed25519 private key (auth and
    account sign access tokens; tests/support/mod.rs)."""
    tenants = {"*": {"name": "Bench Shop", "allowedUrls": ["http://localhost:3000/"],
                     "confirmEmailUrl": "http://localhost:3000/confirm",
                     "resetPasswordUrl": "http://localhost:3000/reset"}}
    env = {k: v for k, v in os.environ.items()
           if k in ("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_DYNAMODB",
                    "AWS_ENDPOINT_URL_SESV2", "TABLE_NAME")}
    env.update({"JWT_PRIVATE_KEYS": "6dVSphYGQq-astdIVzI7_jcdNbDfpwGefgBpUMydbxo", "TENANTS": json.dumps(tenants),
                "MAIL_FROM": "shop@example.com", "RUST_LOG": "warn"})
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Functions:
    """The Runtime API and HTTP front (cargo lambda watch) and the function processes."""

    def __init__(self, bin_dir, env):
        self.bin_dir, self.env, self.port = bin_dir, env, free_port()
        self.procs = {}
        self.watch = subprocess.Popen(
            ["cargo", "lambda", "watch", "--only-lambda-apis", "--ignore-changes", "-A", "127.0.0.1",
             "-P", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("cargo lambda watch did not start")
                time.sleep(0.05)

    def spawn(self, function):
        env = dict(self.env)
        env.update({"AWS_LAMBDA_RUNTIME_API": "http://127.0.0.1:%d/.rt/%s" % (self.port, function),
                    "AWS_LAMBDA_FUNCTION_NAME": function, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"})
        proc = subprocess.Popen([os.path.join(self.bin_dir, function, "bootstrap")], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.setdefault(function, []).append(proc)
        return proc

    def cold_start(self, function):
        """Spawn -> first 200 OK for `{ __typename }`, as the peer measures it
        (`account` answers it UNAUTHENTICATED: nothing is public there)."""
        t0 = time.perf_counter()
        self.spawn(function)
        client = Client(self.port)
        _, js = client.gql(function, TYPENAME)
        client.close()
        assert "data" in js or "errors" in js, js
        return time.perf_counter() - t0

    def stop(self):
        for procs in self.procs.values():
            for p in procs:
                p.kill()
                p.wait()
        os.killpg(self.watch.pid, signal.SIGTERM)
        self.watch.wait()


def burst(port, tokens, threads, per_thread):
    lat, errors = [[] for _ in range(threads)], [0] * threads
    clients = [Client(port) for _ in range(threads)]
    for i, c in enumerate(clients):  # connections open before the clock starts
        c.gql("account", CUSTOMER, token=tokens[i % len(tokens)])
    barrier = threading.Barrier(threads + 1)

    def work(i):
        barrier.wait()
        for _ in range(per_thread):
            try:
                dt, js = clients[i].gql("account", CUSTOMER, token=tokens[i % len(tokens)])
                if not (js.get("data") or {}).get("customer"):
                    errors[i] += 1
                lat[i].append(dt)
            except Exception:
                errors[i] += 1

    ths = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ths:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in ths:
        t.join()
    wall = time.perf_counter() - t0
    for c in clients:
        c.close()
    total = threads * per_thread
    return {"threads": threads, "per_thread": per_thread, "requests": total, "wall_s": round(wall, 3),
            "req_per_s": round(total / wall, 1), "errors": sum(errors), "latency": summary([x for l in lat for x in l])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True, help="where cargo lambda build put <function>/bootstrap")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--instances", type=int, default=4, help="processes per function")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--per-thread", type=int, default=50)
    ap.add_argument("--long-per-thread", type=int, default=500)
    ap.add_argument("--json", required=True)
    ap.add_argument("--vendure-dir")
    ap.add_argument("--figures", help="JSON with argon2_ms, from customer-bench")
    ap.add_argument("--markdown", help="append the comparison here")
    a = ap.parse_args()

    env = function_env()
    fns = Functions(a.bin_dir, env)
    res = {}
    try:
        res["cold_start_s"] = {f: round(fns.cold_start(f), 4) for f in ("auth", "account")}
        for f in ("auth", "account"):
            for _ in range(a.instances - 1):
                fns.spawn(f)
        c = Client(fns.port)
        run_id = "%d-%d" % (int(time.time()), os.getpid())
        reg, log, cust, tokens, errors = [], [], [], [], 0
        for i in range(a.n):
            email = "bench-%s-%d@example.com" % (run_id, i)
            dt, js = c.gql("auth", REGISTER, {"i": {"email": email, "password": PASSWORD,
                                                     "firstName": "Bench", "lastName": "User%d" % i}})
            reg.append(dt)
            if not ((js.get("data") or {}).get("registerCustomer") or {}).get("customer"):
                errors += 1
            dt, js = c.gql("auth", LOGIN, {"e": email, "p": PASSWORD})
            log.append(dt)
            session = (((js.get("data") or {}).get("login") or {}).get("session") or {})
            if not session.get("accessToken"):
                errors += 1
                continue
            dt, js = c.gql("account", CUSTOMER, token=session["accessToken"])
            cust.append(dt)
            if ((js.get("data") or {}).get("customer") or {}).get("email") != email:
                errors += 1
            tokens.append(session["accessToken"])
        repeat = []
        for i in range(a.n):
            dt, js = c.gql("account", CUSTOMER, token=tokens[i % len(tokens)])
            repeat.append(dt)
            if not (js.get("data") or {}).get("customer"):
                errors += 1
        c.close()
        res["sequential"] = {"registerCustomer": summary(reg), "login": summary(log), "customer": summary(cust),
                             "customer_repeat": summary(repeat), "errors": errors}
        res["burst"] = burst(fns.port, tokens, a.threads, a.per_thread)
        res["long_burst"] = burst(fns.port, tokens, a.threads, a.long_per_thread)
        res["peak_rss_kb"] = {f: max(vm_hwm_kb(p.pid) for p in ps) for f, ps in fns.procs.items()}
        res["total_peak_rss_kb"] = sum(vm_hwm_kb(p.pid) for ps in fns.procs.values() for p in ps)
        res["instances"] = a.instances
    finally:
        fns.stop()
    with open(a.json, "w") as f:
        json.dump(res, f, indent=2)
    print(json.dumps(res))
    if a.markdown:
        with open(a.figures) as f:
            argon2_ms = json.load(f)["argon2_ms"]
        if a.vendure_dir:
            section = markdown(res, run_vendure(a.vendure_dir, a), argon2_ms, bcrypt_ms(a.vendure_dir))
        else:
            section = markdown_alone(res)
        with open(a.markdown, "a") as f:
            f.write(section)


def markdown_alone(ours):
    """The load test without a peer to compare with."""
    seq = ours["sequential"]
    lines = ["| %s | %.2f | %.2f |" % (k, seq[k]["p50_ms"], seq[k]["p99_ms"])
             for k in ("registerCustomer", "login", "customer", "customer_repeat")]
    for key in ("burst", "long_burst"):
        b = ours[key]
        lines.append("| %s %dx%d own customer (%.1f req/s) | %.2f | %.2f |" % (
            key, b["threads"], b["per_thread"], b["req_per_s"], b["latency"]["p50_ms"], b["latency"]["p99_ms"]))
    return """
## Under load

`bench/peer.py` (no peer found to compare with): %d instances of `auth` and of `account` under `cargo lambda watch --only-lambda-apis`, Python clients on the same machine. Peak RSS of one function process: %.1f MiB.

| phase | p50 ms | p99 ms |
|---|---|---|
%s
""" % (ours["instances"], max(ours["peak_rss_kb"].values()) / 1024, "\n".join(lines))


def run_vendure(vendure_dir, a):
    out = os.path.abspath(os.path.join(vendure_dir, "run.json"))
    subprocess.run(["python3", "bench.py", "--n", str(a.n), "--threads", str(a.threads),
                    "--per-thread", str(a.per_thread), "--long-per-thread", str(a.long_per_thread),
                    "--port", str(free_port()), "--json", out], cwd=vendure_dir, check=True)
    with open(out) as f:
        return json.load(f)


def bcrypt_ms(vendure_dir):
    """One bcrypt hash at cost 12 (Vendure's default), median of 5, in node."""
    script = ("const b=require('bcrypt');const t=[];for(let i=0;i<6;i++){const s=process.hrtime.bigint();"
              "b.hashSync('Passw0rd!bench',12);t.push(Number(process.hrtime.bigint()-s)/1e6)}"
              "t.shift();t.sort((x,y)=>x-y);console.log(t[2])")
    return float(subprocess.run(["node", "-e", script], cwd=vendure_dir, check=True, capture_output=True,
                                text=True).stdout)


def markdown(ours, peer, argon2_ms, bcrypt):
    seq, pseq = ours["sequential"], peer["sequential"]
    rows = []

    def row(label, mine, theirs, unit="ms", better_low=True):
        ratio = theirs / mine if better_low else mine / theirs
        rows.append("| %s | %.2f %s | %.2f %s | %.1fx |" % (label, mine, unit, theirs, unit, ratio))

    cold = max(ours["cold_start_s"].values())
    row("cold start: spawn to first answer (slowest function / the server)", cold * 1000,
        peer["cold_start_existing_db_s"] * 1000)
    for mine, theirs, label in (("registerCustomer", "registerCustomerAccount", "register"), ("login", "login", "login")):
        row("%s p50" % label, seq[mine]["p50_ms"], pseq[theirs]["p50_ms"])
        row("%s p50, password hash taken out" % label, max(seq[mine]["p50_ms"] - argon2_ms, 0.01),
            max(pseq[theirs]["p50_ms"] - bcrypt, 0.01))
        row("%s p99" % label, seq[mine]["p99_ms"], pseq[theirs]["p99_ms"])
    row("own customer, first after login, p50", seq["customer"]["p50_ms"], pseq["activeCustomer"]["p50_ms"])
    row("own customer, repeated, p50", seq["customer_repeat"]["p50_ms"], pseq["activeCustomer_repeat"]["p50_ms"])
    row("own customer, repeated, p99", seq["customer_repeat"]["p99_ms"], pseq["activeCustomer_repeat"]["p99_ms"])
    for key, label in (("burst", "burst"), ("long_burst", "long burst")):
        b, pb = ours[key], peer[key]
        row("%s %dx%d: throughput" % (label, b["threads"], b["per_thread"]), b["req_per_s"], pb["req_per_s"], "req/s",
            better_low=False)
        row("%s %dx%d: p50" % (label, b["threads"], b["per_thread"]), b["latency"]["p50_ms"], pb["latency"]["p50_ms"])
        row("%s %dx%d: p99" % (label, b["threads"], b["per_thread"]), b["latency"]["p99_ms"], pb["latency"]["p99_ms"])
    rss = ours["peak_rss_kb"]
    row("peak RSS of one process (largest function instance / the server)", max(rss.values()) / 1024,
        peer["peak_rss_kb"] / 1024, "MiB")
    row("peak RSS of everything serving the flow (%d instances of auth and of account / the server)"
        % ours["instances"], ours["total_peak_rss_kb"] / 1024, peer["peak_rss_kb"] / 1024, "MiB")
    errors = seq["errors"] + ours["burst"]["errors"] + ours["long_burst"]["errors"]
    perrors = pseq["errors"] + peer["burst"]["errors"] + peer["long_burst"]["errors"]
    return """
## Side by side with a peer: Vendure 3.7.3

The peer's own `bench.py` (`PEER_VENDURE_DIR`: Vendure's shop API on embedded SQLite, Node %s) and `bench/peer.py`, the same flow against this project's release functions, in the same run on this machine: %d sequential register -> login -> own customer, %d more own-customer queries, then bursts of own-customer queries from 4 threads (one keep-alive connection each, Python clients on the same 2 cores). Here the functions run as on Lambda: `cargo lambda watch --only-lambda-apis` is the Runtime API and HTTP front, %d processes of `auth` and of `account` each handle one request at a time, DynamoDB Local and the SES emulator are the store and mail. So every request here crosses two more local HTTP hops (the front to the Runtime API to the process) and reads from a Java emulator over HTTP, where Vendure answers from its own process and an embedded SQLite file; the cold start here includes the first request through the front and the DynamoDB connection opened at init. One password hash: Argon2id (m = 19 MiB, t = 2) **%.1f ms** here, bcrypt cost 12 **%.1f ms** there. Errors: %d here, %d there. The ratio is how many times better this project is (above 1) or worse (below 1).

| measure | this project | Vendure | ratio |
|---|---|---|---|
%s
""" % (subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(), seq["login"]["n"],
       seq["customer_repeat"]["n"], ours["instances"], argon2_ms, bcrypt, errors, perrors, "\n".join(rows))


if __name__ == "__main__":
    main()
