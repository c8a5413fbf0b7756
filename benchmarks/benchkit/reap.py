"""Run a command and wait for every process it leaves behind, so GNU time counts them.

    python -I -S reap.py COMMAND [ARGS...]

GNU time reports the CPU time and peak memory of the processes its child waited for. A
process pool started through a fork server is not waited for by the build itself: the
workers are children of the fork server, which outlives the build by a moment and is
never reaped by it, so their CPU and memory would vanish from the figures. This wrapper
makes itself a child subreaper (Linux ``PR_SET_CHILD_SUBREAPER``): orphaned descendants
are re-parented to it, it waits for all of them, and their usage reaches GNU time.
It exits with the command's exit status. Standard library only, started with ``-I -S``
to keep its own start-up (a few tens of milliseconds, the same for every tool) small.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("reap.py: prctl(PR_SET_CHILD_SUBREAPER) failed", file=sys.stderr)
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    status = 0
    while True:
        try:
            done, waited = os.wait()
        except ChildProcessError:
            break
        if done == pid:
            status = waited
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
