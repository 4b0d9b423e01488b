"""Names of the images this project builds, and how an admin gets each.

The single-user server must run the hub's own jupyterhub version, so each tag carries it.
"""

import jupyterhub

# Kaggle's Python image: the CPU one, and the GPU one (published under kaggle-private-byod;
# older documents name kaggle-gpu-images). The release tag is pinned here, and only here:
# the stand-in's library pins (deploy/lite/requirements.txt) name the same release.
KAGGLE_BASE = "gcr.io/kaggle-images/python"
KAGGLE_GPU_BASE = "gcr.io/kaggle-private-byod/python"
KAGGLE_BASE_TAG = "v170"
# Kaggle pins jupyter_server 2.12.5. Releases before 2.20.0 have published advisories (a
# path traversal out of the server's root, fixed in 2.18.0; stored cross-site scripting
# through the nbconvert handlers, fixed in 2.20.0). Images this project builds carry
# JUPYTER_SERVER_VERSION; kaggle-hub doctor flags any image below JUPYTER_SERVER_PATCHED.
JUPYTER_SERVER_PATCHED = "2.20.0"
JUPYTER_SERVER_VERSION = "2.21.1"
# The meter in JupyterLab's status bar (memory and CPU against the server's own limits,
# which JupyterHub passes as MEM_LIMIT and CPU_LIMIT), as The Littlest JupyterHub ships it.
RESOURCE_USAGE_VERSION = "1.3.0"
REPOSITORY = "kaggle-team-hub"

VARIANTS = {
    "lite": ("lite", "./deploy/build-image lite"),
    "kaggle": ("kaggle", "./deploy/build-image kaggle"),
    "kaggle-gpu": ("kaggle-gpu", "./deploy/build-image kaggle --gpu"),
    # The hub itself, as deploy/swarm/stack.yml runs it on a swarm.
    "hub": ("hub", "./deploy/build-image hub"),
}


def image_tag(variant, hub_version=jupyterhub.__version__):
    """The tag ``./deploy/build-image`` gives the image of ``variant``."""
    if variant not in VARIANTS:
        raise ValueError(f"Unknown image variant {variant!r}: use one of {', '.join(VARIANTS)}")
    name, _ = VARIANTS[variant]
    return f"{REPOSITORY}:{name}-jh{hub_version}"


def build_command(image, hub_version=jupyterhub.__version__):
    """The ``./deploy/build-image`` command that makes ``image``, or None for an image
    this project does not build."""
    for variant, (_, command) in VARIANTS.items():
        if image == image_tag(variant, hub_version):
            return command
    return None


def get_command(image, hub_version=jupyterhub.__version__):
    """The command an admin runs to get ``image`` onto this machine."""
    return build_command(image, hub_version) or f"docker pull {image}"


def pulled_from_registry(image, hub_version=jupyterhub.__version__):
    """True for an image that ``docker pull`` gets; False for one this project builds."""
    return get_command(image, hub_version).startswith("docker pull")


def fix_server_command(image, hub_version=jupyterhub.__version__):
    """The step that gives ``image`` a jupyter_server without the published advisories."""
    return build_command(image, hub_version) or (
        f"a Dockerfile FROM {image} that runs 'pip install "
        f"jupyter_server=={JUPYTER_SERVER_VERSION}'"
    )


def fix_version_command(image, hub_version=jupyterhub.__version__):
    """The step that gives ``image`` the hub's jupyterhub version."""
    return build_command(image, hub_version) or (
        f"a Dockerfile FROM {image} that runs 'pip install jupyterhub=={hub_version}'"
    )


def current_tag(image, hub_version=jupyterhub.__version__):
    """``image`` as this hub version builds it: an image of ours made for another
    jupyterhub version becomes the same variant's tag for ``hub_version``; any other
    image is returned as it is."""
    repository, _, tag = image.rpartition(":")
    if repository == REPOSITORY:
        for variant, (name, _) in VARIANTS.items():
            if tag.startswith(f"{name}-jh") and tag[len(name) + 3 :][:1].isdigit():
                return image_tag(variant, hub_version)
    return image
