"""The modules a fresh Python of this environment holds after one import statement."""

import subprocess
import sys


def modules_after(statement):
    return subprocess.run(
        [sys.executable, "-c", f"import sys; {statement}; print(*sys.modules, sep='\\n')"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
