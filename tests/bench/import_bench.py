#!/usr/bin/env python3
"""Customer import benchmark (README "Performance"): a CSV of N customers
(Spanish Excel style: BOM, `;`, CRLF, accents, quoted notes), imported into a
fresh demo club with `clubcrm customer import`, then imported again (every
row a duplicate: nothing added); then `clubcrmd check` of the store.

Usage: import_bench.py CLUBCRMD CLUBCRM [ROWS=50000]
       import_bench.py --generate FILE [ROWS]   (only write the file)
Not a timed test: it prints the figures.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

FIRST = ["María", "José", "Lucía", "Iñaki", "Carmen", "Javier", "Ana", "Pablo",
         "Nerea", "Jorge", "Begoña", "Raúl", "Elena", "Óscar", "Sofía", "Àlex"]
LAST = ["García", "Fernández", "Etxeberria", "López", "Martínez", "Sánchez",
        "Pérez", "Gómez", "Muñoz", "Díaz", "Álvarez", "Romero", "Navarro"]
CONSULTANTS = ["alicia", "valentina", "deborah", "maribel", "", ""]


def generate(path, rows, seed=14):
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffNombre;Apellidos;Teléfono;Correo electrónico;Consultor;Notas\r\n")
        for i in range(rows):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            note = '"Socio desde %d; ""VIP"""' % (2000 + i % 25) if i % 7 == 0 else ""
            f.write("%s;%s %d;+34 6%08d;%s.%s.%d@example.org;%s;%s\r\n" % (
                first, last, i, i, first.lower(), last.lower(), i,
                rnd.choice(CONSULTANTS), note))


def wait_listening(log, proc, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        with open(log) as f:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", f.read())
        if m:
            return int(m.group(1))
        if proc.poll() is not None:
            sys.exit("clubcrmd exited:\n" + open(log).read())
        time.sleep(0.05)
    sys.exit("clubcrmd did not start")


def run(cli, env, path):
    t0 = time.monotonic()
    p = subprocess.run([cli, "customer", "import", path], env=env,
                       capture_output=True, text=True)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("import failed (%d): %s%s" % (p.returncode, p.stdout, p.stderr))
    return dt, p.stdout.strip().splitlines()[-1]


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--generate":
        generate(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 50000)
        return
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    clubcrmd, cli = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
    d = tempfile.mkdtemp(prefix="clubcrm-import-bench-")
    try:
        path = os.path.join(d, "clientes.csv")
        generate(path, rows)
        log = os.path.join(d, "clubcrmd.log")
        with open(log, "w") as lf:
            srv = subprocess.Popen([clubcrmd, "--demo", "--data",
                                    os.path.join(d, "data"), "--listen",
                                    "127.0.0.1:0", "--web-listen", "none"],
                                   stdout=lf, stderr=lf)
        try:
            port = wait_listening(log, srv)
            env = dict(os.environ, CLUBCRM_SERVER="127.0.0.1:%d" % port,
                       CLUBCRM_USER="fermin", CLUBCRM_PASSWORD="demo")
            size = os.path.getsize(path)
            dt, last = run(cli, env, path)
            print("%d rows (%.1f MiB): %.2f s, %.0f rows/s: %s" % (
                rows, size / 1048576, dt, rows / dt, last))
            dt, last = run(cli, env, path)
            print("again: %.2f s: %s" % (dt, last))
        finally:
            srv.terminate()
            srv.wait(timeout=30)
        chk = subprocess.run([clubcrmd, "check", "--data", os.path.join(d, "data")],
                             capture_output=True, text=True)
        print("check: " + (chk.stdout + chk.stderr).strip().splitlines()[-1])
        if chk.returncode != 0:
            sys.exit("clubcrmd check failed")
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
