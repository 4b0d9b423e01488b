"""e2e tier: Debian's Chromium against real hubs, with a real OpenID Connect provider."""

from contextlib import ExitStack

import pytest

from ..browser import fresh_context, playwright_driver
from ..hubs import finish_hub, module_failed, new_hub
from ..oidcprovider import OIDCProvider


@pytest.fixture(scope="session")
def driver():
    with playwright_driver() as driver:
        yield driver


@pytest.fixture
def new_page(driver):
    """Open a page in a fresh browser context (one person, no cookies); closed after the test."""
    with ExitStack() as stack:

        def open_page(args=()):
            return stack.enter_context(fresh_context(driver, args)).new_page()

        yield open_page


@pytest.fixture(scope="module")
def oidc_hub(request, tmp_path_factory, docker_client, image):
    """A hub that logs people in through a real OpenID Connect provider, found by discovery.

    The module's ``HUB_ENV`` adds hub settings; ``OIDC_GROUPS`` gives users their groups.
    """
    hub = new_hub(tmp_path_factory, image, env=getattr(request.module, "HUB_ENV", None))
    provider = OIDCProvider(
        hub.workdir, f"{hub.url}/hub/oauth_callback", getattr(request.module, "OIDC_GROUPS", None)
    )
    hub.env.update(provider.hub_env())
    hub.provider = provider
    provider.start()
    try:
        hub.start()
        yield hub
    finally:
        failed = module_failed(request)
        finish_hub(docker_client, hub, failed)
        if failed:
            print(f"----- oidc-provider log -----\n{provider.log()[-5000:]}")
        provider.stop()
