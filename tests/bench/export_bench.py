#!/usr/bin/env python3
"""The CSV export's figures (a benchmark, not a timed test): a fresh demo
clubcrmd seeded with N tasks (by clubcrm-bench --seed), then
`clubcrm task export` of them all to a file: the time to its first byte,
the total time, rows, bytes and the CLI's peak RSS (it holds one page at a
time, whatever N), and the server's RSS after.

usage: export_bench.py CLUBCRMD CLUBCRM CLUBCRM_BENCH [N (100000)]
"""
import os
import re
import subprocess
import sys
import tempfile
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    clubcrmd, clubcrm, bench = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    with tempfile.TemporaryDirectory(prefix="clubcrm-export-") as d:
        log = open(os.path.join(d, "log"), "w+")
        srv = subprocess.Popen([clubcrmd, "--listen", "127.0.0.1:0", "--data",
                                os.path.join(d, "data"), "--demo",
                                "--web-listen", "none", "--log-level", "warn"],
                               stderr=log)
        try:
            addr = None
            for _ in range(100):
                log.seek(0)
                m = re.search(r"listening on (127\.0\.0\.1:\d+)", log.read())
                if m:
                    addr = m.group(1)
                    break
                time.sleep(0.1)
            if not addr:
                sys.exit("clubcrmd did not listen")
            t0 = time.monotonic()
            subprocess.run([bench, "--clubcrm", addr, "--clubcrm-pid",
                            str(srv.pid), "--scenarios", "1x1", "--warmup",
                            "0", "--duration", "0.2", "--seed", str(n)],
                           check=True, stdout=subprocess.DEVNULL)
            seeded = time.monotonic() - t0
            env = dict(os.environ, CLUBCRM_SERVER=addr, CLUBCRM_USER="fermin",
                       CLUBCRM_PASSWORD="demo")
            out_path = os.path.join(d, "tasks.csv")
            with open(out_path, "wb") as out:
                t0 = time.monotonic()
                cli = subprocess.Popen([clubcrm, "task", "export"], env=env,
                                       stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE)
                first = cli.stdout.read(1)
                t_first = time.monotonic() - t0
                out.write(first)
                while True:
                    chunk = cli.stdout.read1(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                _, status, usage = os.wait4(cli.pid, 0)
                total = time.monotonic() - t0
                err = cli.stderr.read().decode()
            if status != 0:
                sys.exit(f"export failed: {err}")
            size = os.path.getsize(out_path)
            with open(out_path, "rb") as f:
                records = f.read().count(b"\r\n")
            print(f"export: {records - 1} rows ({n} seeded + the demo's; "
                  f"{size / 1048576:.1f} MiB of CSV) in {total:.2f} s, "
                  f"first byte after {t_first * 1000:.0f} ms; "
                  f"{(records - 1) / total:.0f} rows/s; clubcrm peak RSS "
                  f"{usage.ru_maxrss / 1024:.1f} MiB; clubcrmd RSS after "
                  f"{rss_kib(srv.pid) / 1024:.1f} MiB; seeded in "
                  f"{seeded:.1f} s; {err.strip()}")
        finally:
            srv.terminate()
            srv.wait()


if __name__ == "__main__":
    main()
