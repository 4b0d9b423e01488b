"""e2e tier: Debian's Chromium against real hubs, with a real OpenID Connect provider."""

import pytest

from ..hubs import finish_hub, module_failed, new_hub
from ..oidcprovider import OIDCProvider


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
