"""Static files keep their caching: served before the middleware that marks every page and API
response ``no-store`` (tests/test_security_headers.py; safeguarding/headers.py). Apart from
those tests because it needs a live server, which a module sharing one world cannot have."""

import urllib.request


def test_static_files_keep_their_caching(live_server):
    """Static files are served before the middleware: no no-store, no policy needed."""
    with urllib.request.urlopen(live_server.url + "/static/js/app.js") as response:  # noqa: S310
        assert response.status == 200
        assert "no-store" not in (response.headers.get("Cache-Control") or "")
