"""Docker's pull events folded into one figure of progress over all of an image's layers."""

import docker


class LayerProgress:
    """Docker pull events folded into progress over all layers.

    Each layer is downloaded, then extracted; both count, so the fraction only grows.
    """

    def __init__(self):
        self.total = {}
        self.downloaded = {}
        self.extracted = {}
        self.latest = None

    def add(self, event):
        """Fold in one event; return (downloaded bytes, total bytes, fraction done, layers).

        Raise docker's APIError for an error event.
        """
        if "error" in event:
            raise docker.errors.APIError(event["error"])
        layer = event.get("id")
        status = event.get("status", "")
        detail = event.get("progressDetail") or {}
        if layer and detail.get("total"):
            self.total[layer] = detail["total"]
            phase = self.extracted if status == "Extracting" else self.downloaded
            phase[layer] = detail.get("current", 0)
            if phase is self.extracted:
                self.downloaded[layer] = detail["total"]
            self.latest = (layer, status.lower(), phase[layer], detail["total"])
        elif layer in self.total and status in ("Download complete", "Pull complete"):
            self.downloaded[layer] = self.total[layer]
            if status == "Pull complete":
                self.extracted[layer] = self.total[layer]
        total = sum(self.total.values())
        downloaded = sum(self.downloaded.values())
        fraction = (downloaded + sum(self.extracted.values())) / (2 * total) if total else 0.0
        return downloaded, total, fraction, len(self.total)

    def layer_note(self):
        """The layer that moved last, e.g. ``layer 3f2a1b0c9d8e extracting: 40 of 200 MB``."""
        if self.latest is None:
            return ""
        layer, status, current, total = self.latest
        return f"layer {layer} {status}: {current / 1e6:.0f} of {total / 1e6:.0f} MB"


def split_image(image):
    """``(repository, tag)``; a registry port is not a tag."""
    if ":" in image.split("/")[-1]:
        repository, tag = image.rsplit(":", 1)
        return repository, tag
    return image, "latest"


def layer_progress(events):
    """(done bytes, total bytes, layers) after each of ``events``."""
    progress = LayerProgress()
    for event in events:
        yield progress.add(event)
