# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-host path to the Go mirror for `go_sdk_delivery: direct` in network-less containers.

The fleet's hosts have no network (`--network none`), so a host cannot reach the mirror on this machine's
loopback. Two byte pipes stand in for the network, with no network device at all:

  relay.py host --to 127.0.0.1:PORT SOCKET...   (on this machine) listens on each UNIX socket and pipes every
                                                connection to the mirror's TCP port. The sockets are created
                                                inside the containers' file systems (/proc/<pid>/root/...), and
                                                a UNIX socket is reached by its path, whatever the network
                                                namespace.
  relay.py container --port P --socket PATH     (in each container) listens on the container's own
                                                127.0.0.1:P and pipes every connection to the UNIX socket.

So every host downloads with its own HTTP requests from the ONE mirror, whose request log counts them, at
`http://127.0.0.1:P/dl/` as it would from a mirror on its network. Standard library only (Python 3.5+).
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import signal
import socket
import sys
import threading

CHUNK = 1 << 18


def pump(source, dest):
    """Copy until EOF, then pass the half-close on (HTTP/1.0 clients and servers rely on it)."""
    try:
        while True:
            data = source.recv(CHUNK)
            if not data:
                break
            dest.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dest.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(listener, connect):
    """Accept forever; for each client, connect() the other end and pump both ways."""
    def handle(client):
        try:
            upstream = connect()
        except OSError as exc:
            sys.stderr.write('relay: cannot connect upstream: %s\n' % exc)
            client.close()
            return
        back = threading.Thread(target=pump, args=(upstream, client))
        back.daemon = True
        back.start()
        pump(client, upstream)
        back.join()
        client.close()
        upstream.close()

    while True:
        client, _addr = listener.accept()
        thread = threading.Thread(target=handle, args=(client,))
        thread.daemon = True
        thread.start()


def host_mode(args):
    address, port = args.to.rsplit(':', 1)
    threads = []
    for path in args.sockets:
        if os.path.exists(path):
            os.remove(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chmod(path, 0o666)  # the module runs as root after become, but keep it usable by any user
        listener.listen(64)
        thread = threading.Thread(target=serve, args=(
            listener, lambda: socket.create_connection((address, int(port)), timeout=60)))
        thread.daemon = True
        thread.start()
        threads.append(thread)
    print('relay: %d socket(s) to %s:%s' % (len(threads), address, port))
    sys.stdout.flush()
    signal.sigwait([signal.SIGTERM, signal.SIGINT])  # blocked in every thread: the main thread waits for it


def container_mode(args):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', args.port))
    listener.listen(64)

    def connect():
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(args.socket)
        return upstream

    serve(listener, connect)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    sub = parser.add_subparsers(dest='mode')
    host = sub.add_parser('host')
    host.add_argument('--to', required=True, help='the mirror, 127.0.0.1:PORT')
    host.add_argument('sockets', nargs='+')
    inside = sub.add_parser('container')
    inside.add_argument('--port', type=int, required=True)
    inside.add_argument('--socket', required=True)
    args = parser.parse_args(argv)
    if args.mode == 'host':
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
        host_mode(args)
    elif args.mode == 'container':
        container_mode(args)
    else:
        parser.error('host or container')
    return 0


if __name__ == '__main__':
    sys.exit(main())
