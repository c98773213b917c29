#!/usr/bin/env python3
"""Keeps the host busy with every kind of object the vzkit module hooks
(files, unix and TCP sockets, accepted connections, flock and POSIX locks,
ptys, new tasks) until it is killed: t_module_abi loads and unloads the module
meanwhile, so that its hooks go live and away while other tasks are inside
the functions they hook.

TCP connections are closed with a reset (SO_LINGER 0): no TIME_WAIT sockets
pile up to blur the test's slab count."""
import fcntl
import os
import pty
import signal
import socket
import struct
import sys
import tempfile

RESET = struct.pack("ii", 1, 0)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    lock_path = os.path.join(tempfile.gettempdir(), "vzkit-churn-%d" % os.getpid())
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    try:
        while True:
            for _ in range(50):
                os.close(os.open("/proc/self/stat", os.O_RDONLY))
            a, b = socket.socketpair()
            a.close()
            b.close()
            c = socket.create_connection(("127.0.0.1", port))
            s, _ = listener.accept()
            for end in (c, s):
                end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
                end.close()
            with open(lock_path, "w") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                fcntl.lockf(f, fcntl.LOCK_EX)
            master, slave = pty.openpty()
            os.close(master)
            os.close(slave)
            os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0)
    finally:
        listener.close()
        if os.path.exists(lock_path):
            os.unlink(lock_path)


if __name__ == "__main__":
    sys.exit(main())
