"""Caching headers: nothing the application answers is kept by a browser or a proxy.

Pages show young people's records and the API returns them: a shared computer's back button, a
browser's disk cache or a caching proxy must not keep a copy. So every response Django's views
make carries ``Cache-Control: no-store`` (with Django's ``add_never_cache_headers``: also
``no-cache, must-revalidate, private, max-age=0`` and an ``Expires`` in the past), whatever the
view set: pages for signed-in users, the sign-in page (it carries a CSRF token), errors, and
every API response.

Static files (CSS, JavaScript, images) are not answered by views: whitenoise in production and
the staticfiles handler in development serve them before any middleware, so they keep their
long-lived, cache-busted caching.

The other security headers come from libraries configured in settings: Content-Security-Policy
(django-csp, ``CONTENT_SECURITY_POLICY``) and Permissions-Policy (django-permissions-policy,
``PERMISSIONS_POLICY``).
"""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Mark every response ``Cache-Control: no-store`` (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Whatever a view asked for (public, max-age...) gives way: patch_cache_control keeps
        # the view's other directives but max-age becomes 0 and no-store is added.
        add_never_cache_headers(response)
        return response
