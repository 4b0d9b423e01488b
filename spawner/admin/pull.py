"""``kaggle-hub pull``: pull the configured images before anyone logs in, showing progress."""

import docker

from ..images import inventory, tags
from ..images.layers import layer_progress, split_image
from .meter import bar


def pull_one(client, image, out):
    repository, tag = split_image(image)
    events = client.pull(repository, tag=tag, stream=True, decode=True)
    for downloaded, total, fraction, layers in layer_progress(events):
        if total:
            sizes = f"{downloaded / 1e6:.0f}/{total / 1e6:.0f} MB"
            out.write(f"\r  {bar(fraction)} {sizes} in {layers} layers")
            out.flush()
    out.write("\n")


def pull_images(client, s, out):
    """Pull every configured image that is missing; True when all are present after."""
    ok = True
    for image in inventory.configured_images(s.image, s.profiles):
        if inventory.image_id(client, image) is not None:
            out.write(f"{image}: already here\n")
            continue
        if not tags.pulled_from_registry(image):
            out.write(
                f"{image}: built on this machine, not pulled: run {tags.get_command(image)}\n"
            )
            ok = False
            continue
        out.write(f"{image}: pulling\n")
        try:
            pull_one(client, image, out)
        except docker.errors.APIError as e:
            out.write(f"{image}: pull failed: {e.explanation or e}\n")
            ok = False
            continue
        out.write(f"{image}: pulled\n")
    return ok
