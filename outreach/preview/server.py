"""The preview web server: a gallery, one page per story, card images and live events.

Built on the standard library's `ThreadingHTTPServer`: the preview is a single-user
local tool, Server-Sent Events need nothing more than a long-lived response, and it adds
no runtime dependency. Nothing here maps a URL onto the file system: card images are
looked up by content hash, static assets by exact name from a fixed list, and a rendered
video by (known story id, known platform). Any other path is a 404.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from outreach.platforms import Platform
from outreach.preview.renderer import PreviewRenderer, StoryState, percent_box
from outreach.preview.watch import ChangeSet, Watcher

HERE = Path(__file__).resolve().parent
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
#: Mock UI chrome per preset; unknown presets fall back on their output kind.
CHROME = {
    "tiktok": "tiktok",
    "youtube-shorts": "shorts",
    "instagram-reels": "reels",
    "facebook-reels": "reels",
    "instagram-story": "story",
    "instagram-feed": "feed",
    "facebook-feed": "feed",
    "instagram-carousel": "carousel",
    "youtube-thumbnail": "thumbnail",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; media-src 'self'; script-src 'self'; "
        "style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'"
    ),
}
#: Seconds a story page spends drawing cards before it answers; the rest load as images.
PAGE_BUDGET = 1.0
RENDER_PATH = re.compile(r"/render/([0-9a-f]{64})-(50|100)\.jpg")
STORY_PATH = re.compile(r"/story/([^/]+)(/checks)?")
APPROVE_PATH = re.compile(r"/story/([^/]+)/approve")
#: The header the page sends with Approve: a value only pages this server made know.
TOKEN_HEADER = "X-Outreach-Token"
VIDEO_PATH = re.compile(r"/video/([^/]+)/([a-z0-9-]+)\.mp4")
STATIC_PATH = re.compile(r"/static/([A-Za-z0-9_-]+\.(?:css|js|svg))")


class RemoteBindRefused(ValueError):
    """Binding beyond loopback exposes unpublished stories to the network."""


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- events --------------------------------------------------------------------------------


class Broadcaster:
    """Fan-out of change events to every open Server-Sent Events stream."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._events: list[tuple[int, str]] = []
        self._seq = 0
        self.closed = False

    def publish(self, payload: dict) -> None:
        with self._cond:
            self._seq += 1
            self._events.append((self._seq, json.dumps(payload)))
            del self._events[:-100]
            self._cond.notify_all()

    @property
    def seq(self) -> int:
        return self._seq

    def wait(self, after: int, timeout: float) -> list[tuple[int, str]]:
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after or self.closed, timeout)
            return [e for e in self._events if e[0] > after]

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


# --- responses -----------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def not_found() -> Response:
    return Response(HTTPStatus.NOT_FOUND, b"404 not found\n")


class PreviewApp:
    """Routes requests to pages, renders and assets; knows nothing about sockets."""

    def __init__(self, renderer: PreviewRenderer):
        self.renderer = renderer
        self.events = Broadcaster()
        self.page_budget = PAGE_BUDGET
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=jinja2.select_autoescape(["html", "j2"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        from outreach.i18n import _, current_language, ngettext

        self.token = secrets.token_urlsafe(24)
        self.env.globals.update(
            percent_box=percent_box,
            chrome_kind=chrome_kind,
            clock=_clock,
            _=_,
            ngettext=ngettext,
            ui_lang=current_language,
            token=self.token,
        )
        # The only files ever served from disk, read once: name -> bytes.
        self.static = {
            p.name: p.read_bytes()
            for p in (HERE / "static").iterdir()
            if p.suffix in STATIC_TYPES and p.is_file()
        }

    def on_change(self, change: ChangeSet) -> list[str]:
        ids = self.renderer.refresh(None if change.everything else change.stories)
        self.events.publish({"stories": ids, "everything": change.everything, "at": time.time()})
        return ids

    def handle(self, raw_path: str) -> Response:
        """Answer one GET. `raw_path` is the request target exactly as sent."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        fragment = query.get("part") == ["main"]
        if path == "/":
            return self._html("gallery.html.j2", fragment, stories=self._gallery())
        if m := STORY_PATH.fullmatch(path):
            state = self.renderer.story(unquote(m.group(1)))
            if state is None:
                return not_found()
            if m.group(2):
                return self._html(
                    "_checks.html.j2",
                    True,
                    state=state,
                    report=self.renderer.report(state, timeout=60),
                )
            return self._html("story.html.j2", fragment, **self._story(state))
        if m := RENDER_PATH.fullmatch(path):
            rendered = self.renderer.render(m.group(1), m.group(2))
            if rendered is None:
                return not_found()
            return Response(
                HTTPStatus.OK,
                rendered.jpeg,
                "image/jpeg",
                {"Cache-Control": "public, max-age=31536000, immutable"},
            )
        if m := STATIC_PATH.fullmatch(path):
            name = m.group(1)
            if name not in self.static:
                return not_found()
            return Response(
                HTTPStatus.OK,
                self.static[name],
                STATIC_TYPES[Path(name).suffix],
                {"Cache-Control": "no-cache"},
            )
        if path == "/favicon.ico" and "favicon.svg" in self.static:
            return Response(HTTPStatus.OK, self.static["favicon.svg"], "image/svg+xml")
        return not_found()

    def approve(self, raw_path: str, token: str | None) -> Response:
        """POST /story/<id>/approve: `status: approved` written into the story file,
        comments and layout kept (preview/approve.py). Only a page from this server can
        ask (its token), so another site open in the browser cannot approve a story."""
        from outreach.i18n import _
        from outreach.preview.approve import ApproveError, approve_story

        m = APPROVE_PATH.fullmatch(urlsplit(raw_path).path)
        state = self.renderer.story(unquote(m.group(1))) if m else None
        if state is None:
            return not_found()
        if not token or not secrets.compare_digest(token, self.token):
            return _json(HTTPStatus.FORBIDDEN, {"ok": False, "message": _("not allowed")})
        if state.broken:
            message = _("fix the errors first: a story that does not load cannot be approved")
            return _json(HTTPStatus.CONFLICT, {"ok": False, "message": message})
        try:
            result = approve_story(state.path)
        except ApproveError as exc:
            return _json(HTTPStatus.CONFLICT, {"ok": False, "message": exc.message})
        if result.changed:
            self.on_change(ChangeSet(frozenset({state.path}), False))
        return _json(
            HTTPStatus.OK,
            {
                "ok": True,
                "changed": result.changed,
                "message": _("approved: {file} now says status: approved", file=state.path.name),
            },
        )

    def video(self, raw_path: str) -> Path | None:
        """The rendered video file for `/video/<id>/<platform>.mp4`, if one exists."""
        m = VIDEO_PATH.fullmatch(urlsplit(raw_path).path)
        if not m:
            return None
        state = self.renderer.story(unquote(m.group(1)))
        found = self.renderer.video_file(state.good) if state and state.good else None
        if found is None or found[0] != m.group(2):
            return None
        return found[1]

    # --- views ---------------------------------------------------------------------------

    def _html(self, template: str, fragment: bool, **context: Any) -> Response:
        ctx = {"fragment": fragment, **context}
        body = self.env.get_template(template).render(**ctx).encode("utf-8")
        return Response(
            HTTPStatus.OK, body, "text/html; charset=utf-8", {"Cache-Control": "no-store"}
        )

    def _gallery(self) -> list[dict]:
        out = []
        for state in self.renderer.stories():
            cover = None
            if state.good and state.good.platforms and state.good.platforms[0].cards:
                cover = state.good.platforms[0].cards[0]
            report = state.report if state.report_ready.is_set() else None
            out.append({"state": state, "cover": cover, "report": report})
        return out

    def _story(self, state: StoryState) -> dict:
        """The story's cards, drawn (or taken from the cache) within the page's time budget.

        Cards not drawn in time are left `pending`: the browser requests their images,
        which draws them, and then fetches the page again to get their safe-zone marks.
        """
        platforms = []
        snap = state.good
        deadline = time.monotonic() + self.page_budget
        for view in snap.platforms if snap else []:
            cards = []
            for recipe in view.cards:
                ready = self.renderer.cached(recipe.digest) or time.monotonic() < deadline
                cards.append((recipe, self.renderer.render(recipe.digest) if ready else None))
            platforms.append({"view": view, "cards": cards})
        frames = []
        if snap and snap.storyboard:
            frames = [(caption, recipe) for caption, recipe in snap.storyboard.frames]
        report = state.report if state.report_ready.is_set() else None
        video = self.renderer.video_file(snap) if snap else None
        video_version = video_stale = None
        if snap and video:
            try:
                video_version = video[1].stat().st_mtime_ns
            except OSError:
                video_version = 0
            video_stale = self.renderer.video_stale(snap, video[1])
        return {
            "video_version": video_version,
            "video_stale": video_stale,
            "state": state,
            "snap": snap,
            "platforms": platforms,
            "frames": frames,
            "report": report,
            "video": video,
        }


def _json(status: int, data: dict) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8", {"Cache-Control": "no-store"})


def chrome_kind(platform: Platform) -> str:
    if platform.name in CHROME:
        return CHROME[platform.name]
    if platform.outputs == "thumbnail":
        return "thumbnail"
    return "reels" if platform.height > platform.width else "feed"


def _clock(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))


# --- HTTP ----------------------------------------------------------------------------------


#: Errors that only mean the browser went away (a closed tab, a cancelled image load).
DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: listen() backlog: a page load fires dozens of image requests at once, and the
    #: default of 5 made the kernel reset connections under a burst.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], app: PreviewApp, loopback_only: bool):
        self.app = app
        self.loopback_only = loopback_only
        self.log: Callable[[str], None] | None = None  # request log, set by `preview -v`
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def shutdown(self) -> None:
        self.app.events.close()
        super().shutdown()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that disconnects is normal, not a traceback; anything else is one line
        (the full traceback with `preview -v`)."""
        import sys
        import traceback

        exc = sys.exc_info()[1]
        if isinstance(exc, DISCONNECTS) or isinstance(exc, OSError) and exc.errno in (32, 104):
            return
        if self.log is not None:
            self.log("".join(traceback.format_exception(exc)) if exc else "request failed")
        else:
            print(f"preview: a request failed ({type(exc).__name__})", file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "outreach-preview"
    sys_version = ""
    timeout = 120  # idle keep-alive connections do not hold a thread forever

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — only with -v
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _method_not_allowed(self) -> None:
        self._send(
            Response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                b"405 method not allowed\n",
                headers={"Allow": "GET, HEAD"},
            ),
            head=False,
        )

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _method_not_allowed  # noqa: N815

    def do_POST(self) -> None:  # noqa: N802 — only Approve; everything else is 405
        if not APPROVE_PATH.fullmatch(urlsplit(self.path).path):
            self._method_not_allowed()
            return
        if not self._host_ok():
            self._send(Response(HTTPStatus.FORBIDDEN, b"403 unexpected Host header\n"), False)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= 65536:
            self.rfile.read(length)  # the body says nothing; read it to keep the connection
        elif length:
            self.close_connection = True
        try:
            response = self.server.app.approve(self.path, self.headers.get(TOKEN_HEADER))
        except Exception as exc:  # noqa: BLE001 — keep serving; details only with -v
            if self.server.log is not None:
                import traceback

                self.server.log("".join(traceback.format_exception(exc)))
            response = _json(HTTPStatus.INTERNAL_SERVER_ERROR, {"ok": False, "message": str(exc)})
        self._send(response, False)

    def _host_ok(self) -> bool:
        """Refuse DNS-rebinding: a loopback server answers only to loopback host names."""
        if not self.server.loopback_only:
            return True
        host = self.headers.get("Host", "")
        if not host:
            return True  # not a browser (browsers always send Host); nothing to rebind
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host.startswith("["):
            name = host[: host.find("]") + 1]
        return is_loopback(name)

    def _serve(self, head: bool) -> None:
        app = self.server.app
        if not self._host_ok():
            self._send(Response(HTTPStatus.FORBIDDEN, b"403 unexpected Host header\n"), head)
            return
        if urlsplit(self.path).path == "/events":
            self._events(app)
            return
        video = app.video(self.path)
        if video is not None:
            self._send_file(video, "video/mp4", head)
            return
        try:
            response = app.handle(self.path)
        except DISCONNECTS:
            self.close_connection = True
            return
        except Exception as exc:  # noqa: BLE001 — keep serving; details only with -v
            if self.server.log is not None:
                import traceback

                self.server.log("".join(traceback.format_exception(exc)))
            response = Response(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                b"500: the preview could not draw this page; run `outreach check` on the story, "
                b"or `outreach preview -v` for details\n",
            )
        self._send(response, head)

    def _send(self, response: Response, head: bool) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for k, v in {**SECURITY_HEADERS, **response.headers}.items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(response.body)
        except DISCONNECTS:
            self.close_connection = True

    def _send_file(self, path: Path, content_type: str, head: bool) -> None:
        """A rendered video, with byte ranges so the browser can seek."""
        size = path.stat().st_size
        start, end = 0, size - 1
        status = HTTPStatus.OK
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:
                start = max(0, size - int(m.group(2)))
            if start > end:
                self._send(
                    Response(
                        HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                        b"",
                        headers={"Content-Range": f"bytes */{size}"},
                    ),
                    head,
                )
                return
            status = HTTPStatus.PARTIAL_CONTENT
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            if status == HTTPStatus.PARTIAL_CONTENT:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            for k, v in SECURITY_HEADERS.items():
                self.send_header(k, v)
            self.end_headers()
            if head:
                return
            with path.open("rb") as fh:
                fh.seek(start)
                left = end - start + 1
                while left > 0:
                    chunk = fh.read(min(left, 1 << 16))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
        except DISCONNECTS:
            self.close_connection = True

    def _events(self, app: PreviewApp) -> None:
        """A Server-Sent Events stream: one `change` event per refresh, pings in between."""
        self.close_connection = True
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n: connected\n\n")
            self.wfile.flush()
            seen = app.events.seq
            while not app.events.closed:
                events = app.events.wait(seen, timeout=10)
                if app.events.closed:
                    break
                if not events:
                    self.wfile.write(b": ping\n\n")
                for seq, data in events:
                    self.wfile.write(f"id: {seq}\nevent: change\ndata: {data}\n\n".encode())
                    seen = seq
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


# --- starting ------------------------------------------------------------------------------


@dataclass
class Preview:
    """A running preview: the HTTP server plus the file watcher feeding it."""

    server: PreviewServer
    watcher: Watcher | None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def start_background(self) -> None:
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            name="preview-http",
            kwargs={"poll_interval": 0.2},
            daemon=True,
        )
        self.thread.start()

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.server.app.renderer.close()
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


def _warm_up() -> None:
    """Load the text engine's word model (about 2 s, once) before the first page is asked
    for, so that page draws its cards within its time budget."""
    try:
        from outreach.layout.words import segment

        segment("Việt Nam hội nhập")
    except Exception:  # noqa: BLE001 — the first card will load it instead
        pass


def watched_folders(stories_dir: Path, themes_dirs: tuple[Path, ...]) -> list[Path]:
    """The stories folder (YAML, media, its themes/) plus every theme search folder."""
    from outreach.themes import search_path

    return [stories_dir, *search_path(tuple(themes_dirs) + (stories_dir / "themes",))]


def make_preview(
    stories_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_remote: bool = False,
    themes_dirs: tuple[Path, ...] = (),
    watch: bool = True,
) -> Preview:
    """Load the stories, bind the socket and start watching; call `serve_forever` next.

    Raises RemoteBindRefused for a non-loopback host unless `allow_remote` is set, and
    OSError when the port is taken.
    """
    if not is_loopback(host) and not allow_remote:
        raise RemoteBindRefused(
            f"refusing to serve on {host}: the preview shows unpublished stories — "
            "it binds to 127.0.0.1 unless you ask for another host explicitly"
        )
    renderer = PreviewRenderer(stories_dir, themes_dirs)
    app = PreviewApp(renderer)
    server = PreviewServer((host, port), app, loopback_only=is_loopback(host))  # fail fast
    renderer.scan()
    _warm_up()
    watcher = None
    if watch:
        watcher = Watcher(watched_folders(stories_dir, themes_dirs), stories_dir, app.on_change)
        try:
            watcher.start()
        except Exception:
            renderer.close()
            server.server_close()
            raise
    return Preview(server, watcher)
