"""Logging out ends on a page that says so, instead of the bare login form."""

from jupyterhub.handlers.login import LogoutHandler


class LogoutPage:
    """Mixed into the authenticator's logout handler: render logout.html.

    An OAuth login configured with a ``logout_redirect_url`` (the provider's own logout)
    still goes there.
    """

    async def render_logout_page(self):
        if getattr(self.authenticator, "logout_redirect_url", ""):
            return await super().render_logout_page()
        html = await self.render_template("logout.html", shutdown_on_logout=self.shutdown_on_logout)
        self.finish(html)


def with_logout_page(handlers):
    """``handlers`` with the /logout handler (added if missing) rendering the logout page."""
    found = [handler for path, handler in handlers if path == r"/logout"]
    base = found[0] if found else LogoutHandler
    page = type(f"Kaggle{base.__name__}", (LogoutPage, base), {})
    return [(r"/logout", page)] + [(p, h) for p, h in handlers if p != r"/logout"]
