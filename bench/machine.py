"""The machine line every benchmark prints first: cores, memory, Python and package versions."""
import os
import platform
from importlib.metadata import version


def describe(packages):
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = ", ".join(f"{p} {version(p)}" for p in packages)
    return (f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"Python {platform.python_version()}, {versions}")
