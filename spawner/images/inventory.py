"""Which images the hub is configured with, and which of them are on this machine."""

import docker


def configured_images(image, profiles=()):
    """The hub's ``image`` and every profile's (a profile without one uses ``image``),
    sorted; ``profiles`` are the profile dicts as an admin writes them."""
    return sorted({image} | {p.get("image") or image for p in profiles if isinstance(p, dict)})


def image_id(client, image):
    """The id of ``image`` on this machine, or None when it is not here."""
    try:
        return client.inspect_image(image)["Id"]
    except docker.errors.NotFound:
        return None


def missing(client, images):
    """The images of ``images`` that are not on this machine, in order."""
    return [image for image in images if image_id(client, image) is None]
