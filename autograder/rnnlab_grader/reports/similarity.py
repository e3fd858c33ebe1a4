"""Code similarity between submissions, for the staff: which pairs share the code students wrote.

Each module of each submission is fingerprinted with winnowing (copydetect, which implements
MOSS's method): the code is tokenized, names and strings replaced by one letter each (so renaming
variables changes nothing), and a k-gram of tokens is kept wherever it is the smallest hash of its
window. What the stubs give (signatures, docstrings, helpers) is boilerplate: its fingerprints are
dropped, so a class of honest submissions does not look alike for the code everyone was handed.

A pair's similarity is the share of its written tokens found in the other submission, for the
larger of the two shares (a short submission wholly inside a long one counts), over all modules.

    similarity.pairs({name: package folder}, stubs folder) -> [Pair], most similar first
"""
import io
from dataclasses import dataclass, field
from pathlib import Path

from copydetect import CodeFingerprint, compare_files
from copydetect.utils import highlight_overlap

from ..grading import intake

NOISE_TOKENS = 25  # copydetect's defaults: a match shorter than this is noise,
GUARANTEE_TOKENS = 30  # one at least this long is always found
WINDOW = GUARANTEE_TOKENS - NOISE_TOKENS + 1


@dataclass
class Pair:
    """Two submissions, how much of each one's written code the other holds, and where."""

    first: str
    second: str
    similarity: float  # the larger of the two shares, 0..1
    shares: tuple  # (share of first's written tokens in second, share of second's in first)
    modules: list = field(default_factory=list)  # [(module, tokens shared, first's slices, second's slices)]


def _fingerprint(name, code, boilerplate=None):
    return CodeFingerprint(name, NOISE_TOKENS, WINDOW, boilerplate=boilerplate, fp=io.StringIO(code))


def given_code(stubs):
    """module file name -> the fingerprints of what the stubs give in it (the boilerplate)."""
    return {stub.name: list(_fingerprint(stub.name, stub.read_text(errors="replace")).hashes)
            for stub in sorted(Path(stubs).glob("*.py"))}


def written_code(package, given):
    """module file name -> CodeFingerprint of what the submission wrote in it (the `given`
    fingerprints removed); modules the stubs do not have are left out (they hold no graded code)."""
    return {name: _fingerprint(name, (Path(package) / name).read_text(errors="replace"), boilerplate=boilerplate)
            for name, boilerplate in given.items() if (Path(package) / name).is_file()}


def _tokens(fingerprint):
    return fingerprint.token_coverage if len(fingerprint.filtered_code) else 0


def compare(name_a, written_a, name_b, written_b):
    """The Pair of two submissions' written code (written_code of each)."""
    shared_a = shared_b = 0
    modules = []
    for module in sorted(set(written_a) & set(written_b)):
        a, b = written_a[module], written_b[module]
        if not (a.hashes and b.hashes):
            continue
        overlap, (share_a, share_b), (slices_a, slices_b) = compare_files(a, b)
        if overlap:
            shared_a, shared_b = shared_a + share_a * _tokens(a), shared_b + share_b * _tokens(b)
            modules.append((module, int(overlap), slices_a, slices_b))
    total_a = sum(_tokens(f) for f in written_a.values() if f.hashes)
    total_b = sum(_tokens(f) for f in written_b.values() if f.hashes)
    shares = (shared_a / total_a if total_a else 0.0, shared_b / total_b if total_b else 0.0)
    modules.sort(key=lambda m: -m[1])
    return Pair(name_a, name_b, min(1.0, max(shares)), shares, modules)


def pairs(packages, stubs, minimum_tokens=NOISE_TOKENS):
    """Every pair of `packages` ({name: package folder}), most similar first. A submission that
    wrote fewer than `minimum_tokens` tokens of its own (the stubs, nearly) is compared with none."""
    given = given_code(stubs)
    written = {name: written_code(folder, given) for name, folder in sorted(packages.items())}
    names = [n for n in written if sum(_tokens(f) for f in written[n].values() if f.hashes) >= minimum_tokens]
    found = [compare(a, written[a], b, written[b]) for i, a in enumerate(names) for b in names[i + 1:]]
    return sorted(found, key=lambda pair: (-pair.similarity, pair.first, pair.second))


def highlighted(package, module, slices, start="<mark>", end="</mark>", context_lines=3):
    """HTML of the submission's `module` with the shared code marked (lines far from any match cut)."""
    code = (Path(package) / module).read_text(errors="replace")
    if not slices.size:
        return ""
    return highlight_overlap(code, slices, start, end, truncate=context_lines, escape_html=True)[0]


def staged_packages(submissions, scratch):
    """{name: its rnnlab/ folder} of each submission (folders or zips, as `rnnlab grade` takes them),
    copied into `scratch` the way grading takes them in (intake.stage); and {name: why not} for
    those that cannot be read."""
    packages, refused = {}, {}
    for path in submissions:
        name = intake.submission_name(path)
        try:
            packages[name] = intake.stage(path, Path(scratch) / name) / "rnnlab"
        except intake.SubmissionError as error:
            refused[name] = str(error)
    return packages, refused


def summary(pairs_found, packages, top=20, shown_in_full=5):
    """The report's plain data: the `top` pairs (names, similarity, shares, modules and shared
    tokens), the first `shown_in_full` of them with each module's shared code marked, side by side."""
    rows = []
    for rank, pair in enumerate(pairs_found[:top]):
        row = {"first": pair.first, "second": pair.second, "similarity": pair.similarity,
               "shares": list(pair.shares), "modules": [[module, tokens] for module, tokens, _, _ in pair.modules]}
        if rank < shown_in_full:
            row["highlights"] = [[module, highlighted(packages[pair.first], module, slices_a),
                                  highlighted(packages[pair.second], module, slices_b)]
                                 for module, _, slices_a, slices_b in pair.modules[:3]]
        rows.append(row)
    return {"submissions": len(packages), "pairs": len(pairs_found), "top": rows}
