"""Which hidden inputs a grading meets: unknown in advance, the same on a regrade.

Every graded case draws its inputs (arrays, ids, lengths, and the integers of a case whose inputs
are only integers) from a seed of the grading's *variant* and the case (checks.Case.seed). The
variant is an HMAC of the submission's Python files under a secret of the installation, so:
- regrading the same submission meets the same inputs, and gives the same results file;
- any other submission, a resubmission with one character changed included, meets other inputs,
  so that answers read from earlier feedback and replayed are worth nothing;
- without the secret, which no student can read (a root-only file among the sandbox's secret
  paths, never in the release), nobody can work out the inputs of a submission before grading it.

The secret is made once per installation (`autograder/.rnnlab-secret`, not committed) and once per
release zip (`rnnlab release` writes one into each zip); `--rnnlab-secret` names another.
"""
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..paths import AUTOGRADER

SECRET = AUTOGRADER / ".rnnlab-secret"
SECRET_BYTES = 32


def secret(path=SECRET):
    """The secret at `path`, made there on first use, readable by its owner only (gradings
    starting at once agree on one)."""
    path = Path(path)
    if not path.exists():
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            out.write(secrets.token_bytes(SECRET_BYTES))
        try:
            os.link(partial, path)  # fails if another grading made it first: then theirs holds
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    value = path.read_bytes()
    if len(value) < 16:
        raise ValueError(f"{path} holds {len(value)} bytes: not a secret (delete it to make a new one)")
    return value


def package_digest(package):
    """A digest of a package's Python files (names and contents): what its workers are given."""
    digest = hashlib.sha256()
    package = Path(package)
    files = sorted(p for p in package.rglob("*.py") if p.is_file() and not p.is_symlink()) if package.is_dir() else []
    for path in files:
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def variant_of(secret_bytes, package):
    """The variant of a grading of `package` (its rnnlab/ folder) under `secret_bytes`."""
    return hmac.new(secret_bytes, package_digest(package), hashlib.sha256).digest()


def fingerprint(secret_bytes):
    """A digest of a secret that reveals nothing of it (for the resume keys)."""
    return hashlib.sha256(b"rnnlab secret\0" + secret_bytes).hexdigest()
