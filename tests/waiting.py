"""One bounded wait helper for every test tier."""

import time


def wait_for(check, timeout, interval=0.1, what="condition"):
    """Call ``check`` until it returns something truthy; return that, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as e:  # noqa: BLE001 - a check may fail while a service starts
            last_error = e
        else:
            if result:
                return result
        time.sleep(interval)
    raise TimeoutError(f"{what} not met within {timeout} s (last error: {last_error!r})")
