"""Take a submission in: a folder or a zip, copied into a private staging folder before grading.

Nothing of a submission is graded where it was handed in. `stage(path, target)` copies it (a zip
extracted, a folder copied) into `target`, a folder inside the grading's own temporary folder (mode
0700: root-only when the grader runs as root), and refuses it whole if it holds a link anywhere:
a link could make the grader copy the reference, another student's package, or anything else
that resolves outside the submission. Only regular files and folders are copied, iteratively
(no recursion limit to reach), within a bounded size and count.
"""
import os
import shutil
import stat
import zipfile
from pathlib import Path

MAX_UNZIPPED_BYTES = 200 * 2**20
MAX_FILES = 10_000


class SubmissionError(Exception):
    """A submission cannot be graded at all (a broken zip, a link, ...); the message says why."""


def submission_name(path):
    """A submission is named by its folder's name or its zip's stem."""
    path = Path(path)
    return path.stem if path.suffix == ".zip" else path.name


def stage(path, target):
    """Copy the submission at `path` into `target` (which must not exist yet) and return the
    folder in there that holds `rnnlab/` (see locate_package)."""
    path = Path(path)
    if path.suffix == ".zip" and path.is_file():
        _unzip(path, target)
        _copy_tree(target, None, path.name)  # what extraction made: checked the same way
    elif path.is_dir():
        _copy_tree(path, target, path.name)
    else:
        raise SubmissionError(f"{path} is neither a folder nor a .zip file")
    return locate_package(target)


def _copy_tree(source, target, name):
    """Walk `source` without following links, copying its folders and regular files to `target`
    (or only checking, when `target` is None). Refuses links; leaves out other special files."""
    pending, files, size = [Path(".")], 0, 0
    while pending:
        relative = pending.pop()
        if target is not None:
            (target / relative).mkdir(mode=0o700)
        with os.scandir(source / relative) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                inside = relative / entry.name
                if stat.S_ISLNK(info.st_mode):
                    raise SubmissionError(f"{name} holds a link ({inside}); links are not accepted "
                                          f"in a submission: hand in the files themselves")
                if stat.S_ISDIR(info.st_mode):
                    pending.append(inside)
                elif stat.S_ISREG(info.st_mode):
                    files, size = files + 1, size + info.st_size
                    if files > MAX_FILES or size > MAX_UNZIPPED_BYTES:
                        raise SubmissionError(f"{name} holds more than {MAX_FILES} files or "
                                              f"{MAX_UNZIPPED_BYTES >> 20} MiB")
                    if target is not None:
                        shutil.copyfile(source / inside, target / inside, follow_symlinks=False)


def _unzip(archive, target):
    """Extract a zip safely: no absolute or `..` paths, no links, bounded size."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
                raise SubmissionError(f"{archive.name} expands to more than {MAX_UNZIPPED_BYTES >> 20} MiB")
            for member in members:
                parts = Path(member.filename).parts
                is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
                if member.filename.startswith("/") or ".." in parts or is_link:
                    raise SubmissionError(f"{archive.name} holds an unsafe path: {member.filename}")
            target.mkdir(mode=0o700)
            zf.extractall(target)
    except zipfile.BadZipFile as error:
        raise SubmissionError(f"{archive.name} is not a valid zip: {error}") from None


def locate_package(folder):
    """The folder that holds `rnnlab/`: the submission itself, or its single top folder."""
    folder = Path(folder)
    if (folder / "rnnlab").is_dir():
        return folder
    nested = [p.parent for p in folder.glob("*/rnnlab") if p.is_dir()]
    return nested[0] if len(nested) == 1 else folder
