"""The dashboard and open API (issue 6): ``create_app(store_path)`` and ``serve(store, …)``.

See docs/web.md for the pages, the API and how it is tested.
"""

from barometer.publish.web.app import create_app, serve

__all__ = ["create_app", "serve"]
