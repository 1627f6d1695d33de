#!/usr/bin/env python3
"""What /proc/PID/io write_bytes counts for one 4 KiB overwrite + fdatasync,
beside what the block device really wrote (issue 15, "Where the bytes go").

    tests/bench/write_bytes_check.py [DIR] [FILE_KIB]

Overwrites one 4 KiB page of a FILE_KIB file (default 4096) in DIR (default
$TMPDIR or /tmp) 500 times, each followed by fdatasync, and prints per write:
the kernel's write_bytes of this process, the sectors the disk holding DIR
wrote (/sys/dev/block/MAJ:MIN/stat, whole device: other processes count
too) and the time. On Linux 6.18's ext4 (large folios) write_bytes counts
the whole folio a page lies in (up to 2 MiB), the device about 4.5 KiB.
"""
import os
import sys
import time


def write_bytes():
    with open('/proc/self/io') as f:
        for line in f:
            if line.startswith('write_bytes:'):
                return int(line.split()[1])
    return 0


def device_stat(path):
    st = os.stat(path)
    major, minor = os.major(st.st_dev), os.minor(st.st_dev)
    for cand in (f'/sys/dev/block/{major}:{minor}/stat',
                 f'/sys/dev/block/{major}:{minor}/../stat'):
        if os.path.exists(cand):
            return cand
    return None


def sectors(stat):
    with open(stat) as f:
        return int(f.read().split()[6]) * 512


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('TMPDIR', '/tmp')
    kib = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    path = os.path.join(d, 'write-bytes-check.%d' % os.getpid())
    stat = device_stat(d)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b'\0' * kib * 1024)
        os.fsync(fd)
        n, pages = 500, kib // 4
        w0, d0, t0 = write_bytes(), sectors(stat) if stat else 0, time.time()
        for i in range(n):
            os.pwrite(fd, b'x' * 4096, (i * 7 % pages) * 4096)
            os.fdatasync(fd)
        t = time.time() - t0
        w = (write_bytes() - w0) / n
        dev = (sectors(stat) - d0) / n if stat else float('nan')
        print(f'{kib} KiB file, 4 KiB overwrite + fdatasync x {n}: '
              f'write_bytes {w:.0f} B/write, device {dev:.0f} B/write, '
              f'{t / n * 1000:.2f} ms/write')
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == '__main__':
    main()
