#!/usr/bin/env python3
"""The layering rules of README "Architecture", checked on the source tree.

Usage: check_layers.py SOURCE_DIR [BUILD_DIR]

1. Includes go down only. Each directory is a layer; a file may include
   headers of its own layer and of the layers listed for it in ALLOWED.
2. Only server/store calls LMDB (no `mdb_`/`MDB_` outside it), and no
   front end (client/cli, client/tui) names the protocol's envelope
   (`Clubcrm__Frame`, `body_case`): front ends call the client library.
   Within client/lib, the hand decoders of snapshot rows are leaves: they
   include no other header of the library than those in LEAVES (live.c
   calls snapshot_chunk.c, which calls taskrow.c; never back).
3. With BUILD_DIR: no circle of server files calling each other, read from
   the object files' symbols (`nm`): file A calls file B when A's object
   needs a symbol B's object defines.

Prints every violation and exits 1 if there is any; 0 and a summary line
otherwise.
"""
import os
import re
import subprocess
import sys

LAYERS = {
    'server/store': 'store',
    'server/domain': 'domain',
    'server/views': 'views',
    'server/session': 'session',
    'server/net': 'net',
    'server': 'daemon',
    'common': 'common',
    'client/lib': 'clientlib',
    'client/cli': 'cli',
    'client/tui': 'tui',
}

# Who may include whom (besides itself). Calls go down only:
# net <- session -> views -> domain -> store; the daemon (server.c,
# writer.c, main.c, config.c, log.c) wires them together.
ALLOWED = {
    'store': {'common'},
    'domain': {'store', 'common'},
    'views': {'domain', 'store', 'common'},
    'net': {'common', 'daemon'},
    'session': {'net', 'views', 'domain', 'store', 'common', 'daemon'},
    'daemon': {'net', 'session', 'views', 'domain', 'store', 'common'},
    'common': set(),
    'clientlib': {'common'},
    'cli': {'clientlib', 'common', 'tui'},
    'tui': {'clientlib', 'common'},
}

# Files of a layer that may include only these headers of their own layer.
LEAVES = {
    'client/lib/taskrow.h': set(),
    'client/lib/taskrow.c': {'taskrow.h'},
    'client/lib/snapshot_chunk.h': set(),
    'client/lib/snapshot_chunk.c': {'snapshot_chunk.h', 'taskrow.h'},
}

# Headers of the daemon layer that the net layer may use (logging and the
# daemon's settings), nothing of sessions.
NET_DAEMON_HEADERS = {'log.h', 'config.h'}

TOKENS = [
    # (regex, layers where it is allowed, what it means)
    (re.compile(r'\b(mdb_\w+|MDB_\w+)'), {'store'}, 'LMDB outside the store'),
    (re.compile(r'\bClubcrm__Frame\b|\bbody_case\b'),
     {'store', 'domain', 'views', 'net', 'session', 'daemon', 'common',
      'clientlib'},
     'the protocol envelope in a front end'),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')


def layer_of(rel):
    d = os.path.dirname(rel)
    while d:
        if d in LAYERS:
            return LAYERS[d]
        d = os.path.dirname(d)
    return None


def sources(root):
    for top in ('server', 'client', 'common'):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            if '/tests' in dirpath.replace(root, '') or '/web' in dirpath.replace(root, ''):
                continue
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    p = os.path.join(dirpath, f)
                    yield os.path.relpath(p, root)


def check_sources(root):
    errors = []
    files = list(sources(root))
    for rel in LEAVES:
        if rel not in files:
            errors.append(f'{rel}: listed in LEAVES but not found')
    header_layer = {}
    for rel in files:
        if rel.endswith('.h'):
            header_layer.setdefault(os.path.basename(rel), set()).add(
                layer_of(rel))
    for rel in files:
        me = layer_of(rel)
        if me is None:
            continue
        text = open(os.path.join(root, rel), encoding='utf-8',
                    errors='replace').read()
        for inc in INCLUDE.findall(text):
            base = os.path.basename(inc)
            targets = header_layer.get(base)
            if not targets:
                continue  # generated or system header
            for t in targets:
                if t == me and rel in LEAVES and base not in LEAVES[rel]:
                    errors.append(f'{rel}: includes {inc} (a leaf of '
                                  f'{me} may include only '
                                  f'{sorted(LEAVES[rel])})')
                    continue
                if t == me or t in ALLOWED[me]:
                    if me == 'net' and t == 'daemon' and \
                            base not in NET_DAEMON_HEADERS:
                        errors.append(f'{rel}: includes {inc} '
                                      f'(net may use only '
                                      f'{sorted(NET_DAEMON_HEADERS)} of the daemon)')
                    continue
                errors.append(f'{rel}: includes {inc} ({me} -> {t})')
        code = STRING.sub('""', COMMENT.sub(' ', text))
        for rx, where, what in TOKENS:
            if me in where:
                continue
            m = rx.search(code)
            if m:
                line = code.count('\n', 0, m.start()) + 1
                errors.append(f'{rel}:{line}: {m.group(0)}: {what}')
    return errors, len(files)


def nm_symbols(obj):
    out = subprocess.run(['nm', '--defined-only', '-g', obj],
                         capture_output=True, text=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) >= 3}
    out = subprocess.run(['nm', '-u', obj], capture_output=True,
                         text=True).stdout
    undefined = {l.split()[-1] for l in out.splitlines() if l.strip()}
    return defined, undefined


def check_calls(root, build):
    objs = []
    for dirpath, _, files in os.walk(os.path.join(build, 'server')):
        for f in files:
            if not f.endswith('.c.o'):
                continue
            o = os.path.join(dirpath, f)
            # Objects of sources that no longer exist (a file moved or
            # renamed since this build directory was made) do not count.
            src = re.sub(r'.*CMakeFiles/[^/]+\.dir/', '', o)[:-2]
            if os.path.exists(os.path.join(root, 'server', src)):
                objs.append(o)
    if not objs:
        return ['no object files under ' + build + '/server: build first'], 0
    defs, uses = {}, {}
    for o in objs:
        name = re.sub(r'.*CMakeFiles/[^/]+\.dir/', '', o)[:-2]
        d, u = nm_symbols(o)
        uses[name] = u
        for s in d:
            defs[s] = name
    graph = {n: {defs[s] for s in u if s in defs and defs[s] != n}
             for n, u in uses.items()}
    # Tarjan's strongly connected components.
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    errors = []
    for comp in sccs:
        pairs = [f'{a} -> {b}' for a in comp for b in sorted(graph[a])
                 if b in comp]
        errors.append('files calling each other in a circle: ' +
                      ', '.join(comp) + ' (' + '; '.join(pairs) + ')')
    return errors, len(objs)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    errors, n = check_sources(sys.argv[1])
    nobj = 0
    if len(sys.argv) == 3:
        e, nobj = check_calls(sys.argv[1], sys.argv[2])
        errors += e
    for e in errors:
        print(e)
    if errors:
        print(f'{len(errors)} layering violations', file=sys.stderr)
        return 1
    print(f'layers: {n} files and {nobj} server objects follow the rules')
    return 0


if __name__ == '__main__':
    sys.exit(main())
