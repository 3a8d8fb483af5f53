"""The web UI (Chinese): one page and its static files from gateway/web, no build step.

Files are served with `no-cache` and an ETag, so a browser revalidates each one (a 304
when unchanged) and never runs modules from an older deployment next to newer ones:
without a build step the file names carry no version.
"""

from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory

from common import errors
from gateway.http import route

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Werkzeug adds "; charset=utf-8" to text types itself.
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
# The page loads only its own scripts and styles; data comes from the API on the same origin.
# blob: lets the page preview an attachment it holds in memory (an image, or a PDF in a frame).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; frame-src blob:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def web_file(request, name):
    mimetype = CONTENT_TYPES.get(Path(name).suffix)
    if mimetype is None:
        raise errors.NotFound("文件不存在")
    try:
        # send_from_directory joins with safe_join: `..`, absolute paths and non-files are a NotFound.
        response = send_from_directory(WEB_DIR, name, request.environ, mimetype=mimetype)
    except NotFound:
        raise errors.NotFound("文件不存在") from None
    # send_file has set no-cache with an ETag and answered If-None-Match (304) already.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


class WebRoutes:
    @route("GET", "/", "网页界面", "网页")
    def web_index(self, request):
        return web_file(request, "index.html")

    @route("GET", "/static/<path:name>", "网页静态文件", "网页")
    def web_static(self, request, name):
        return web_file(request, name)
