"""``kaggle-hub pull``: pull the configured images before anyone logs in, showing progress."""

import docker

from . import images
from .doctor import configured_images


def layer_progress(events):
    """Fold docker pull events into (done bytes, total bytes, layers) after each event."""
    layers = {}
    for event in events:
        if "error" in event:
            raise docker.errors.APIError(event["error"])
        layer = event.get("id")
        detail = event.get("progressDetail") or {}
        if layer and detail.get("total"):
            layers[layer] = (detail.get("current", 0), detail["total"])
        elif (
            layer and event.get("status") in ("Pull complete", "Already exists") and layer in layers
        ):
            layers[layer] = (layers[layer][1], layers[layer][1])
        done = sum(c for c, _ in layers.values())
        total = sum(t for _, t in layers.values())
        yield done, total, len(layers)


def bar(done, total, width=30):
    fraction = done / total if total else 0
    filled = int(fraction * width)
    sizes = f"{done / 1e6:.0f}/{total / 1e6:.0f} MB"
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {sizes}"


def pull_one(client, image, out):
    repository, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    events = client.pull(repository, tag=tag or "latest", stream=True, decode=True)
    for done, total, layers in layer_progress(events):
        if total:
            out.write(f"\r  {bar(done, total)} in {layers} layers")
            out.flush()
    out.write("\n")


def pull_images(client, s, out):
    """Pull every configured image that is missing; True when all are present after."""
    ok = True
    for image in configured_images(s):
        try:
            client.inspect_image(image)
            out.write(f"{image}: already here\n")
            continue
        except docker.errors.NotFound:
            pass
        command = images.get_command(image)
        if not command.startswith("docker pull"):
            out.write(f"{image}: built on this machine, not pulled: run {command}\n")
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
