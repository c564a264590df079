"""A static HTTP server on loopback, for a built site or a few test pages."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["serve"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # one line per request would bury the test output
        pass


# What a static host such as GitHub Pages compresses: text, not PNG or WOFF2,
# which are compressed already.
_COMPRESSED = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".ttf")


class _GzipHandler(_QuietHandler):
    """Sends text files gzip-compressed to a client that accepts it, as GitHub Pages does."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (not path.is_file() or not path.name.endswith(_COMPRESSED)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes while a reply is on its way (a favicon, say)
        # is not a fault of the site; anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: str | Path, *, compress: bool = False) -> Iterator[str]:
    """Serve `directory` on a free loopback port while the block runs.

    Parameters
    ----------
    directory : str or Path
        The folder to serve, such as ``book/_build/html``.
    compress : bool
        Send text files gzip-compressed to a browser that accepts it, as
        GitHub Pages does (for measuring what a reader downloads).

    Yields
    ------
    str
        The base URL, ``http://127.0.0.1:<port>``, without a trailing slash.

    Raises
    ------
    NotADirectoryError
        If `directory` is not a folder (the server would answer 404 to
        every request instead).

    Examples
    --------
    >>> import tempfile, urllib.request
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "index.html").write_text("<p>Hi</p>")
    ...     with serve(folder) as url:
    ...         urllib.request.urlopen(f"{url}/index.html").read()
    b'<p>Hi</p>'
    """
    if not Path(directory).is_dir():
        raise NotADirectoryError(f"serve(directory=...): {directory} is not a folder")
    handler = functools.partial(_GzipHandler if compress else _QuietHandler,
                                directory=str(Path(directory).resolve()))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
