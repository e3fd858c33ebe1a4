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

from ..paths import REFERENCE

MAX_UNZIPPED_BYTES = 200 * 2**20
MAX_FILES = 10_000
MAX_DEPTH = 32  # folders inside one another
MAX_NAME = 255  # characters in one file or folder name
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
               zipfile.ZIP_LZMA: "lzma"}


# The modules of the exercise package (a submission's rnnlab/): the reference's.
PACKAGE_MODULES = {path.stem for path in REFERENCE.glob("*.py")}


class SubmissionError(Exception):
    """A submission cannot be graded at all (a broken zip, a link, ...); the message says why."""


def submission_name(path):
    """A submission is named by its folder's name or its zip's stem."""
    path = Path(path)
    return path.stem if path.suffix == ".zip" else path.name


def stage(path, target):
    """Copy the submission at `path` into `target` (which must not exist yet) and return the
    folder in there that holds `rnnlab/` (see locate_package). Whatever goes wrong on the way
    raises SubmissionError with the reason, in words for the gradebook's problem column."""
    path = Path(path)
    try:
        if path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
            _unzip(path, target)
            _copy_tree(target, None, path.name)  # what extraction made: checked the same way
        elif path.is_dir():
            _copy_tree(path, target, path.name)
        elif path.is_file():
            raise SubmissionError(f"{path.name} is a file but not a zip: hand in a folder or a zip of one")
        else:
            raise SubmissionError(f"{path} does not exist")
    except SubmissionError:
        raise
    except Exception as error:  # noqa: BLE001 (a bad deflate stream, a name the file system refuses ...)
        raise SubmissionError(f"{path.name} could not be opened: {type(error).__name__}: {str(error)[:200]}") from None
    return locate_package(target, path.name)


def _copy_tree(source, target, name):
    """Walk `source` without following links, copying its folders and regular files to `target`
    (or only checking, when `target` is None). Refuses links; leaves out other special files."""
    pending, files, size = [Path(".")], 0, 0
    while pending:
        relative = pending.pop()
        if len(relative.parts) > MAX_DEPTH:
            raise SubmissionError(f"{name} holds folders more than {MAX_DEPTH} deep ({str(relative)[:80]}...)")
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
    """Extract a zip safely, once every member has been checked: no absolute or `..` paths, no
    links, no encryption, a compression method Python reads, names and depth within bounds, no
    name that is both a file and a folder, and a bounded count and total size."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            _check_members(archive.name, members)
            target.mkdir(mode=0o700)
            zf.extractall(target)
    except zipfile.BadZipFile as error:
        raise SubmissionError(f"{archive.name} is not a valid zip: {error}") from None


def _check_members(name, members):
    if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise SubmissionError(f"{name} expands to more than {MAX_FILES} files or {MAX_UNZIPPED_BYTES >> 20} MiB")
    files, folders = set(), set()
    for member in members:
        path = member.filename.rstrip("/")
        parts = Path(path).parts
        is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
        if member.filename.startswith("/") or ".." in parts or is_link:
            raise SubmissionError(f"{name} holds an unsafe path: {member.filename[:200]}")
        if member.flag_bits & 0x1:
            raise SubmissionError(f"{name} is encrypted ({member.filename[:80]}): hand in a zip without a password")
        if member.compress_type not in ZIP_METHODS:
            raise SubmissionError(f"{name} uses a compression method that cannot be read "
                                  f"({member.compress_type}, in {member.filename[:80]}): zip it again")
        if any(len(part) > MAX_NAME for part in parts) or len(parts) > MAX_DEPTH:
            raise SubmissionError(f"{name} holds a name that is too long or too deep: {member.filename[:80]}...")
        (folders if member.is_dir() else files).add(path)
        folders.update(str(Path(*parts[:i])) for i in range(1, len(parts)))
    clash = sorted(files & folders)
    if clash:
        raise SubmissionError(f"{name} holds {clash[0]} both as a file and as a folder")


def locate_package(folder, name="the submission"):
    """The folder that holds `rnnlab/`: the submission itself, or its single top folder. Without
    one, the package's modules handed in flat at the top (`rnn.py`, `lstm.py` ...: a zip of the
    package's files, say) are made into `rnnlab/`; with neither, SubmissionError says what there is."""
    folder = Path(folder)
    if (folder / "rnnlab").is_dir():
        return folder
    nested = [p.parent for p in folder.glob("*/rnnlab") if p.is_dir()]
    if len(nested) == 1:
        return nested[0]
    modules = sorted(p.name for p in folder.glob("*.py") if p.stem in PACKAGE_MODULES - {"__init__"})
    if modules and not nested:
        (folder / "rnnlab").mkdir()
        for module in [*modules, "__init__.py"]:
            if (folder / module).is_file():
                (folder / module).rename(folder / "rnnlab" / module)
        (folder / "rnnlab" / "__init__.py").touch()
        return folder
    found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.py"))
    what = f"found {', '.join(found[:6])}{' ...' if len(found) > 6 else ''}" if found else "it holds no .py file"
    raise SubmissionError(f"{name} has no rnnlab/ package folder: {what}")
