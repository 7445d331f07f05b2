"""A forward HTTP proxy on 127.0.0.1 that counts the requests it relays, to loopback addresses only: proof
that a module honours http_proxy without any network."""

import http.server
import shutil
import socketserver
import threading
import urllib.request


class CountingProxy(object):

    def __init__(self):
        self.requests = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # pylint: disable=invalid-name
                proxy.requests.append(self.path)
                if not self.path.startswith('http://127.0.0.1:'):
                    self.send_error(403, 'loopback only')
                    return
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    upstream = opener.open(self.path, timeout=60)
                except Exception as exc:  # pylint: disable=broad-except
                    self.send_error(502, str(exc))
                    return
                self.send_response(upstream.status)
                for name in ('Content-Type', 'Content-Length'):
                    if upstream.headers.get(name):
                        self.send_header(name, upstream.headers[name])
                self.end_headers()
                shutil.copyfileobj(upstream, self.wfile)

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
