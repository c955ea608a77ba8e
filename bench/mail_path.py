#!/usr/bin/env python3
"""Mail on and off the request path: `registerCustomer` and
`requestPasswordReset` against two release builds of `auth`, the one at a
baseline revision (which called SES inside the request) and this one (which
writes the mail to the outbox in the change's transaction and leaves sending
to the events function), in the same run, interleaved request by request so
that both see the same machine.

Each build runs as on Lambda (peer.py's `cargo lambda watch` front, one
process), on a table of its own. The anti-enumeration floor of
requestPasswordReset (ENUMERATION_FLOOR_MS, 300 ms by default, the same in
both) is set to 0 here so that the work itself is measured. A last phase stops
the SES emulator (SIGSTOP of --ses-pid) and registers a few customers on each
build: what a client sees while SES hangs.

Needs DynamoDB Local and the SES emulator (AWS_ENDPOINT_URL_* exported);
scripts/bench-mail-path.sh provides both and runs this.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import PASSWORD, Client, Functions, function_env, summary  # noqa: E402

REGISTER = """mutation($i: RegisterCustomerInput!) {
  registerCustomer(input: $i) { customer { id } userErrors { code } }
}"""
RESET = """mutation($e: String!) {
  requestPasswordReset(email: $e) { requested userErrors { code } }
}"""


def outcome(js, field, ok):
    """'ok', or what the client saw instead (a userError code, a top-level error code)."""
    data = (js.get("data") or {}).get(field) or {}
    if ok(data):
        return "ok"
    if data.get("userErrors"):
        return data["userErrors"][0]["code"]
    errors = js.get("errors") or [{}]
    return (errors[0].get("extensions") or {}).get("code", "error")


class Side:
    def __init__(self, name, bin_dir, env, table, ctl):
        subprocess.run([ctl, "create-table"], env=dict(os.environ, TABLE_NAME=table), check=True,
                       stdout=subprocess.DEVNULL)
        self.name = name
        self.fns = Functions(bin_dir, dict(env, TABLE_NAME=table))
        self.fns.spawn("auth")
        self.client = Client(self.fns.port)
        self.emails = []
        self.made = 0
        self.run_id = "%s-%d-%d" % (name, int(time.time()), os.getpid())

    def register(self):
        email = "mail-path-%s-%d@example.com" % (self.run_id, self.made)
        self.made += 1
        self.emails.append(email)
        t0 = time.perf_counter()
        _, js = self.client.gql("auth", REGISTER, {"i": {"email": email, "password": PASSWORD,
                                                         "firstName": "Bench", "lastName": "User"}})
        dt = time.perf_counter() - t0
        return dt, outcome(js, "registerCustomer", lambda d: d.get("customer"))

    def reset(self, email):
        t0 = time.perf_counter()
        _, js = self.client.gql("auth", RESET, {"e": email})
        dt = time.perf_counter() - t0
        return dt, outcome(js, "requestPasswordReset", lambda d: d.get("requested") and not d.get("userErrors"))

    def stop(self):
        self.client.close()
        self.fns.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="bin dir with auth/bootstrap of the baseline")
    ap.add_argument("--after", required=True, help="bin dir with auth/bootstrap of this revision")
    ap.add_argument("--baseline", required=True, help="the baseline's revision, for the text")
    ap.add_argument("--ctl", required=True, help="customer-ctl, to create the tables")
    ap.add_argument("--ses-pid", type=int, help="the SES emulator's process, stopped in the last phase")
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--stalled", type=int, default=3)
    ap.add_argument("--markdown")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    env = function_env()
    env.pop("TABLE_NAME", None)  # each build gets a table of its own
    env["ENUMERATION_FLOOR_MS"] = "0"
    stamp = int(time.time())
    sides = [Side("before", a.before, env, "mail-path-before-%d" % stamp, a.ctl),
             Side("after", a.after, env, "mail-path-after-%d" % stamp, a.ctl)]
    res = {"baseline": a.baseline, "n": a.n}
    try:
        for s in sides:  # warm-up: connections open, first-call costs paid
            for _ in range(3):
                s.register()
        for s in sides:
            s.emails.clear()
        samples = {s.name: {"registerCustomer": [], "requestPasswordReset": []} for s in sides}
        failures = {s.name: {} for s in sides}

        def record(side, op, dt, what):
            samples[side.name][op].append(dt)
            if what != "ok":
                failures[side.name][what] = failures[side.name].get(what, 0) + 1

        for i in range(a.n):  # alternate who goes first
            for s in (sides if i % 2 == 0 else sides[::-1]):
                record(s, "registerCustomer", *s.register())
        for i in range(a.n):
            for s in (sides if i % 2 == 0 else sides[::-1]):
                record(s, "requestPasswordReset", *s.reset(s.emails[i]))
        res["latency"] = {side: {op: summary(v) for op, v in ops.items()} for side, ops in samples.items()}
        res["failures"] = failures
        if a.ses_pid:
            stalled = {}
            os.kill(a.ses_pid, signal.SIGSTOP)
            try:
                for s in sides:
                    runs = [s.register() for _ in range(a.stalled)]
                    stalled[s.name] = {"seconds": [round(dt, 3) for dt, _ in runs],
                                       "answers": [what for _, what in runs]}
            finally:
                os.kill(a.ses_pid, signal.SIGCONT)
            res["ses_stopped"] = stalled
    finally:
        for s in sides:
            s.stop()
    with open(a.json, "w") as f:
        json.dump(res, f, indent=2)
    print(json.dumps(res))
    if a.markdown:
        with open(a.markdown, "a") as f:
            f.write(markdown(res))


def markdown(res):
    lat = res["latency"]
    out = ["\n## Mail off the request path: before and after the outbox\n",
           "`registerCustomer` and `requestPasswordReset` (an address that has an account) over HTTP, %d of each on "
           "each build, interleaved request by request: *before* is `auth` at %s, which called SES inside the "
           "request; *after* is this revision, which writes the mail to the outbox in the change's transaction "
           "(the events function sends it later, outside the request). Both release builds run as on Lambda "
           "(`cargo lambda watch`, one process each) against DynamoDB Local and the SES emulator on loopback, "
           "with the anti-enumeration floor of `requestPasswordReset` (300 ms by default, in both) set to 0 so "
           "that the work is measured. Registration includes one Argon2id hash. Here SES is an emulator on the "
           "same machine answering in milliseconds; in AWS the call that left the request path is a regional "
           "HTTPS request (`bench/mail_path.py`, run by `scripts/bench-mail-path.sh`).\n" % (res["n"], res["baseline"]),
           "| operation | before p50 ms | p90 | p99 | after p50 ms | p90 | p99 |",
           "|---|---|---|---|---|---|---|"]
    for op in ("registerCustomer", "requestPasswordReset"):
        b, f = lat["before"][op], lat["after"][op]
        out.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
            op, b["p50_ms"], b["p90_ms"], b["p99_ms"], f["p50_ms"], f["p90_ms"], f["p99_ms"]))
    fails = res["failures"]
    out.append("\nAnswers other than success: before %s, after %s.\n" % (
        json.dumps(fails["before"]) if fails["before"] else "none", json.dumps(fails["after"]) if fails["after"] else "none"))
    if "ses_stopped" in res:
        st = res["ses_stopped"]
        out.append("With the SES emulator stopped (SIGSTOP), %d registrations on each build. *Before* answers once the "
                   "SES client gives up (its 4 s operation timeout, `shared/src/aws.rs`) and the mail is lost; "
                   "*after* never calls SES in the request, and the outbox mails go out when SES is back (the "
                   "fault tests show it):\n" % len(st["before"]["seconds"]))
        out.append("| build | seconds per request | answers |")
        out.append("|---|---|---|")
        for side in ("before", "after"):
            out.append("| %s | %s | %s |" % (side, ", ".join("%.2f" % x for x in st[side]["seconds"]),
                                            ", ".join(st[side]["answers"])))
        out.append("")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
