"""The kinds of check a grader makes, each one generic body driven by a declared case.

A case is data (which function, how its inputs are built, dims, dtype, points); the
hidden graders list cases in tables and run these bodies over them. Every failure raises
`GradingFailure` with one or two lines a student can act on: the function, the input
case, shapes expected and got, the worst relative error against the tolerance and where.

Relative error, everywhere: max|got - expected| / max|expected| (the worst deviation,
measured against the size of the values), so that it does not explode on entries near 0.
"""
import copy
import dataclasses
import hashlib
import math
import re
import sys
import time
from dataclasses import dataclass

import numpy as np

from .. import reference
from . import diagnose
from ..contract import USES, signature
from ..isolation import CALL_TIMEOUT_S, STEPS, Step, StudentError, TooSlow

# float64: independent correct implementations (other summation order, einsum, explicit
# loops) agree to ~1e-14 on these sizes; every mistake we know of errs by > 1e-3.
# float32: eps is 6e-8 and errors grow with the length of sums and of the time loop;
# correct float32 code stays below 1e-6 here, so 1e-5 keeps a 10x margin.
TOLERANCE = {"float64": 1e-9, "float32": 1e-5}
# Centred differences with step 1e-5 on float64: truncation ~1e-10, rounding ~1e-11.
FD_STEP = 1e-5
FD_TOLERANCE = 1e-6


class GradingFailure(AssertionError):
    """A check failed; the message is the feedback the student sees.

    `diagnosis` lists the known mistakes (mutants of the corpus) whose result matched the
    student's, if any (see diagnose.py), once `settle()` has looked for them.
    """

    diagnosis = ()
    explain = None  # set by a check that can name known mistakes (see _diagnosable)

    def settle(self):
        """Name the known mistakes that explain this failure, now that it stands. Not before:
        a charged-once rerun may still forgive it, and the search costs more than the check."""
        explain, self.explain = self.explain, None
        if explain:
            explain(self)
        return self


class ModifiedInPlace(GradingFailure):
    """The graded function wrote into an argument it was given."""


# ---------------------------------------------------------------------------
# Inputs


class Inputs:
    """Random inputs named by their axes, e.g. `g.randn("NTD")` is an (N, T, D) array.

    Args:
        dims: axis letter -> size, e.g. {"N": 2, "T": 3, "D": 4, "H": 5}.
        dtype: "float64" or "float32" for the float arrays.
        seed: seed of the generator (see Case.seed: a regrade repeats it exactly).
    """

    def __init__(self, dims, dtype, seed):
        self.dims, self.dtype = dims, dtype
        self.rng = np.random.default_rng(seed)

    def shape(self, axes):
        return tuple(self.dims[a] for a in axes)

    def randn(self, axes, scale=1.0):
        return (scale * self.rng.standard_normal(self.shape(axes))).astype(self.dtype)

    def weights(self, axes):
        """Weights scaled by 1/sqrt(fan-in), so that tanh and sigmoid are not saturated."""
        return self.randn(axes, scale=1.0 / np.sqrt(self.dims[axes[0]]))

    def gate_weights(self, rows_axis, blocks):
        """(rows, blocks * H) weights with gate blocks side by side, scaled by 1/sqrt(rows)."""
        rows = self.dims[rows_axis]
        shape = (rows, blocks * self.dims["H"])
        return (self.rng.standard_normal(shape) / np.sqrt(rows)).astype(self.dtype)

    def gate_bias(self, blocks, rows=None):
        """(blocks * H,) bias, or (rows, blocks * H) for a GRU's input and recurrent biases."""
        shape = (blocks * self.dims["H"],) if rows is None else (rows, blocks * self.dims["H"])
        return (0.3 * self.rng.standard_normal(shape)).astype(self.dtype)

    def ints(self, high_axis, axes):
        """Integer ids in [0, dims[high_axis])."""
        return self.rng.integers(0, self.dims[high_axis], size=self.shape(axes))

    def mask(self, axes):
        """Booleans with about a quarter False, at least one True and one False (else ignoring the mask
        would be right by chance), and an (N, T) mask that reads otherwise flattened as mask.T."""
        mask = self.rng.random(self.shape(axes)) > 0.25
        if mask.ndim == 2 and min(mask.shape) >= 2:
            mask[0, 0], mask[0, 1], mask[1, 0] = True, False, True
        else:
            mask.flat[0], mask.flat[-1] = True, mask.size == 1
        return mask

    def lengths(self, batch_axis, time_axis):
        """(N,) sequence lengths in [1, T], all different where N allows, the first one T."""
        T = self.dims[time_axis]
        lengths = self.rng.permutation(np.arange(T, 0, -1))[:self.dims[batch_axis]]
        lengths = np.resize(lengths, self.dims[batch_axis])
        lengths[0] = T
        return lengths

    def padded_ids(self, high_axis, lengths, time_axis):
        """(N, T) ids in [3, V) (not PAD, START or END) up to each length, PAD (0) after it."""
        T = self.dims[time_axis]
        ids = self.rng.integers(3, self.dims[high_axis], size=(len(lengths), T))
        return np.where(np.arange(T) < lengths[:, None], ids, 0)

    def params(self, shapes):
        """A dict of parameters: biases ("b...") scaled by 0.3, the rest by 1/sqrt(fan-in)."""
        params = {}
        for name, shape in shapes.items():
            scale = 0.3 if name.startswith("b") else 1.0 / np.sqrt(np.prod(shape[:-1]))
            params[name] = (scale * self.rng.standard_normal(shape)).astype(self.dtype)
        return params


@dataclass(frozen=True)
class Case:
    """One graded input case of a function.

    `function` is what is graded; for a gradient case `forward` produces the cache (or,
    with no backward, the gradient itself: `loss` names the scalar output it belongs to).
    """

    function: str
    build: object  # Inputs -> tuple of arguments of `forward` (or of `function`)
    dims: dict
    dtype: str = "float64"
    points: float = 1.0
    forward: str = None
    wrt: tuple = ()  # indices of the forward's arguments that gradients belong to
    loss: str = None  # a scalar output whose gradient the function itself returns
    note: str = ""  # what this case is about, shown in its name
    variant: bytes = b""  # the grading's (see variants.py): which inputs it meets
    # Its right answer is the same whatever inputs are drawn (a contract edge: "valid" padding's
    # (0, 0), the decoder inputs of a length-1 target): a constant, or a replayed answer, would pass
    # it, so it is credited only once a case of the function whose answer depends on them is right.
    fixed_answer: bool = False

    @property
    def label(self):
        dims = " ".join(f"{k}={v}" for k, v in self.dims.items())
        return f"{self.dtype} {dims}" + (f" {self.note}" if self.note else "")

    @property
    def name(self):
        return self.function.split(".")[1]

    def varied(self, variant):
        """This case as a grading of that variant meets it."""
        return dataclasses.replace(self, variant=variant)

    def seed(self, purpose="inputs"):
        """The seed of what the case draws for `purpose`: fixed by the grading's variant and the case."""
        key = f"{purpose}|{self.function}|{self.forward}|{self.label}".encode()
        return int.from_bytes(hashlib.sha256(self.variant + b"\0" + key).digest()[:8], "little")

    def inputs(self):
        return self.build(Inputs(self.dims, self.dtype, self.seed()))


# ---------------------------------------------------------------------------
# Comparing results


def describe(args):
    """A short description of arguments: shapes and dtypes, never values."""
    parts = []
    for arg in args:
        if isinstance(arg, np.ndarray):
            parts.append(f"{tuple(arg.shape)} {arg.dtype}")
        elif isinstance(arg, Step):
            parts.append("step")
        elif isinstance(arg, tuple):
            parts.append("(" + ", ".join(describe(arg).split("; ")) + ")")
        elif isinstance(arg, dict):
            parts.append("{" + ", ".join(f"{k}: {describe([v])}" for k, v in arg.items()) + "}")
        else:
            parts.append(repr(arg))
    return "; ".join(parts)


def where(index, axes, shape=(), gates=""):
    """'n=1, t=0, h=3' for an index into an array whose axes are named.

    An axis lettered G holds gate blocks side by side: its index reads 'gate f, unit 2' (with no
    gates, a plain RNN's one block, 'h=2').
    """
    index = [int(i) for i in index]
    if not (axes and len(axes) == len(index)):
        return str(index)
    parts = []
    for axis, i, size in zip(axes, index, shape):
        if axis == "G" and gates:
            units = size // len(gates)
            parts.append(f"gate {gates[i // units]}, unit {i % units}")
        elif axis == "G":  # one block: a plain RNN's units
            parts.append(f"h={i}")
        else:
            parts.append(f"{axis.lower()}={i}")
    return ", ".join(parts)


def compare(name, got, expected, tol, axes="", context="", gates=""):
    """Fail unless `got` matches `expected` (an array, number, or tuple/list/dict of those), with
    feedback by kind of result: where integers (tokens, counts, paddings) first differ, the absolute
    difference from an expected 0, which keys of a dict are right and which wrong."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else _kind(got)
            raise GradingFailure(f"{context}{name} should be a dict with keys {sorted(expected)}, got {keys}")
        wrong = {}
        for key in expected:
            try:
                compare(f"{name}[{key!r}]", got[key], expected[key], tol, _key_axes(key, expected, axes), "",
                        _gates_of(key, expected, gates))
            except GradingFailure as failure:
                wrong[key] = str(failure)
        if wrong:
            right = [repr(key) for key in expected if key not in wrong]
            raise GradingFailure(context + "; ".join(wrong.values()) + (f" (right: {', '.join(right)})" if right else ""))
        return
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise GradingFailure(f"{context}{name} should be a sequence of {len(expected)} items, "
                                 f"got {_kind(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            compare(f"{name}[{i}]", g, e, tol, "", context)
        return
    expected = np.asarray(expected)
    if isinstance(got, (bool, int, float)) or isinstance(got, np.ndarray):
        got = np.asarray(got)
    else:
        raise GradingFailure(f"{context}{name} should be an array, got {_kind(got)}")
    if got.shape != expected.shape:
        raise GradingFailure(f"{context}{name} has shape {got.shape}, expected {expected.shape}")
    if got.dtype.kind not in "fiub":
        raise GradingFailure(f"{context}{name} has dtype {got.dtype}, expected numbers")
    if expected.dtype == np.float64 and got.dtype != np.float64:
        raise GradingFailure(f"{context}{name} is {got.dtype} for float64 inputs: keep float64")
    if expected.dtype.kind in "iub":  # tokens, indices, counts, paddings: exact, and which one
        _compare_integers(name, got, expected, axes, context, gates)
        return
    got = got.astype(np.float64)
    if expected.size == 0:
        return
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        index = np.unravel_index(np.argmax(bad), got.shape)
        raise GradingFailure(f"{context}{name} is {got[index]} at {where(index, axes, got.shape, gates)} where a "
                             f"finite value was expected (an overflow?)")
    # Where both hold the same non-finite value (a known overflow mistake, when diagnosing), they agree.
    same_nonfinite = (np.isnan(got) & np.isnan(expected)) | (~np.isfinite(expected) & (got == expected))
    deviation = np.where(same_nonfinite, 0.0, np.abs(got - expected))
    scale = np.abs(expected[np.isfinite(expected)]).max(initial=0.0)
    error = deviation.max() / max(scale, 1e-30)
    if not error <= tol:
        index = np.unravel_index(np.argmax(deviation), got.shape)
        place = where(index, axes, got.shape, gates) if got.ndim else ""
        if scale == 0:  # a relative error means nothing against 0: the largest value instead
            raise GradingFailure(f"{context}{name}: expected 0, got {got[index]:.1e}" + (f" at {place}" if place else ""))
        at = f", largest at {place}" if place else ""
        raise GradingFailure(f"{context}{name}: worst relative error {error:.1e} (tolerance {tol:.0e}){at}")


def _compare_integers(name, got, expected, axes, context, gates):
    """Integers must be equal: say the first that differs (in order), expected and got."""
    differs = got != expected
    if not differs.any():
        return
    index = np.unravel_index(np.argmax(differs), got.shape)
    at = f" at {where(index, axes, got.shape, gates)}" if got.ndim else ""
    count = f" ({differs.sum()} of {differs.size} differ)" if got.ndim else ""
    raise GradingFailure(f"{context}{name}: expected {expected[index]:g}{at}, got {got[index]:g}{count}")


def _kind(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return type(value).__name__


def _is_number(value):
    """Whether `value` is a real number or an array of them (as a loss or a gradient must be)."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fiu"
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= sys.float_info.max  # else not even a float64
    return isinstance(value, float)


def _as_tuple(values, n):
    return values if n > 1 else (values,)


def _for_reference(args):
    """The arguments as the reference takes them: harness steps as real functions."""
    return tuple(STEPS[a.name] if isinstance(a, Step) else a for a in args)


def _call(student, qualname, args, context, **options):
    try:
        return student.call(qualname, *args, **options)
    except StudentError as error:
        raise GradingFailure(f"{context}{error}") from None


# An embedding table's rows are token ids: name them so, and say where the ids are read (see
# _with_steps), since a gradient that is wrong at one time step is wrong at the rows read there.
EMBEDDING = re.compile(r"\['(W_embed(?:_enc)?)'\][^;]*? at v=(\d+)")
IDS_OF = {"W_embed": ("ids",), "W_embed_enc": ("src",)}  # the argument whose ids an embedding reads


# The axes of a parameter by its name ("_enc"/"_dec" aside; architectures' docstring), so that a
# wrong dparams entry says where: "largest at gate f, unit 2" rather than "largest at [0, 34]".
PARAM_AXES = {"Wx": "DG", "Wh": "HG", "b": "G", "W_embed": "VD", "W_out": "HC", "b_out": "C",
              "W_conv": "KDF", "b_conv": "F", "W_cond": "ZH", "b_cond": "H"}
GATES_PER_BLOCK = {1: "", 3: "zrh", 4: "ifgo"}  # blocks of Wh's columns -> the cell's gates


def _parameter_name(key):
    """('Wh', '_enc') for 'Wh_enc': a parameter's name and the encoder's or decoder's suffix, if any."""
    return re.fullmatch(r"(.*?)(_enc|_dec)?", str(key)).groups("")


def _key_axes(key, expected, axes):
    """The axes of expected[key] in a dict of parameters (those of a recurrent one in gate blocks)."""
    base, _ = _parameter_name(key)
    if base not in PARAM_AXES:
        return axes
    named = PARAM_AXES[base]
    return "B" + named if base == "b" and np.ndim(expected[key]) == 2 else named  # the GRU's two bias rows


def _gates_of(key, expected, gates):
    """The gates of the cell whose parameter expected[key] is, read from its Wh's shape."""
    _, suffix = _parameter_name(key)
    Wh = expected.get(f"Wh{suffix}")
    if np.ndim(Wh) != 2 or not Wh.shape[0]:
        return gates
    return GATES_PER_BLOCK.get(Wh.shape[1] // Wh.shape[0], gates)


def _with_steps(failure, arg_names, args):
    """`failure`, with the time steps that read the token id at which an embedding's gradient is
    wrong, when the arguments hold those ids: "(id 5 is read at n=0, t=3; n=2, t=1)"."""
    found = EMBEDDING.search(str(failure))
    named = dict(zip(arg_names, args))
    ids = next((named[a] for a in IDS_OF.get(found.group(1), ()) if a in named), None) if found else None
    if ids is None or np.ndim(ids) != 2:
        return failure
    token = int(found.group(2))
    steps = [f"n={n}, t={t}" for n, t in zip(*np.nonzero(np.asarray(ids) == token))]
    if not steps:
        return failure
    shown = "; ".join(steps[:4]) + (f" and {len(steps) - 4} more" if len(steps) > 4 else "")
    return GradingFailure(f"{failure} (id {token} is read at {shown})")


def _compare_returns(sig, got, expected, tol, context):
    """Compare every non-opaque return value, naming each by the signature."""
    for name, g, e in zip(sig.returns, got, expected):
        if name not in sig.opaque:
            compare(name, g, e, tol, sig.axes.get(name, ""), context, sig.gates)


def _arrays(value, path=""):
    """(path, array) for every array inside nested tuples, lists and dicts."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _arrays(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{path}[{key!r}]")


def _same_structure(got, expected):
    """Whether `got` has the containers and array shapes of `expected` (values aside)."""
    got_arrays, expected_arrays = list(_arrays(got)), list(_arrays(expected))
    return [(p, a.shape) for p, a in got_arrays] == [(p, np.shape(a)) for p, a in expected_arrays]


def _diagnosable(failure, qualname, same_as):
    """`failure`, set to name (when settled) the known mistakes of `qualname` that explain it:
    those for which `same_as(function_of)`, the check's comparison redone with the mistaken
    package's functions (`function_of(qualname)`) in place of the reference's, raises nothing."""
    def explain(failure):
        named = []
        for mistake in diagnose.mistakes_of(qualname):
            try:
                same_as(lambda name: diagnose.function(mistake, name))
            except Exception:  # noqa: BLE001 (differs, or the mistake itself fails on this input)
                continue
            named.append(mistake)
        if named:
            failure.diagnosis = [{"id": m["name"], "title": m["description"]} for m in named]
            failure.args = (f"{failure}\n{diagnose.feedback(named)}",)

    failure.explain = explain
    return failure


# ---------------------------------------------------------------------------
# The checks


def helpers_of(case):
    """The functions a charged-once rerun of `case` lends: those its function and forward build on."""
    return set(USES.get(case.function, ())) | set(USES.get(case.forward, ()))


def charged_once(check, student, case, *args):
    """Run `check(student, case, *args)`; if it fails, run it again with the functions the graded
    one builds on (contract.USES) computed by the reference, and pass if that passes.

    So a broken rnn_step_forward costs its own tests, not also those of rnn_forward and
    rnn_backward that call it. The feedback is the first run's: what the student's code does.
    A write into an argument is never forgiven: a delegated helper returns new arrays, so the
    rerun would hide the graded function's own writes through views a helper gave it.
    """
    try:
        return check(student, case, *args)
    except GradingFailure as failure:
        helpers = helpers_of(case)
        if not helpers or isinstance(failure, ModifiedInPlace):
            raise
        try:
            with student.delegating(sorted(helpers)):
                check(student, case, *args)
        except GradingFailure:
            raise failure from None


def check_values(student, case):
    """The student's outputs equal the reference's on the same inputs."""
    args = case.inputs()
    context = f"{case.name}({describe(args)}): "
    _check_values_right(case, args, _call(student, case.function, args, context), context)


def _check_values_right(case, args, got, context):
    """`got`, what the student's function gave for `args`, equals the reference's result."""
    sig = signature(case.function)
    got = _as_tuple(got, len(sig.returns))
    tol = TOLERANCE[case.dtype]

    def compare_with(function_of):
        expected = _as_tuple(function_of(case.function)(*_for_reference(copy.deepcopy(args))), len(sig.returns))
        try:
            _compare_returns(sig, got, expected, tol, context)
        except GradingFailure as failure:
            raise _with_steps(failure, sig.args, args) from None

    try:
        compare_with(reference.function)
    except GradingFailure as failure:
        raise _diagnosable(failure, case.function, compare_with) from None


def check_untouched(student, case):
    """The function leaves its array arguments (also those inside dicts and tuples) as it found them,
    and gives a right result: leaving the inputs alone is credited only to a function that works
    (a stub returning Nones touches nothing, and earns nothing)."""
    if case.forward:
        args, context, _, own_outputs = _backward_args(student, case)
    else:
        args = case.inputs()
        context = f"{case.name}({describe(args)}): "
    got, args_after = _call(student, case.function, args, context, echo_args=True)
    for name, before, after in zip(signature(case.function).args, args, args_after):
        after_arrays = dict(_arrays(after))
        for path, array in _arrays(before):
            changed = after_arrays.get(path)
            if changed is None or changed.shape != array.shape or not np.array_equal(changed, array):
                raise ModifiedInPlace(f"{context}the argument {name}{path} was modified in place: "
                                      f"work on a copy (or on new arrays) instead")
    try:
        if case.forward:
            _check_gradients_right(student, case, case.inputs(), list(_as_tuple(got, len(signature(case.function).returns))),
                                   args[:-1], own_outputs, context)
        else:
            _check_values_right(case, args, got, context)
    except GradingFailure as failure:
        raise GradingFailure(f"{failure}\n(inputs untouched is credited once the result is right)") from None


def _backward_args(student, case):
    """Run the student's forward and build the backward's arguments: upstream grads and cache.

    Returns those arguments, the feedback context, the reference forward's outputs, and the
    student's forward's outputs.
    """
    forward_sig = signature(case.forward)
    forward_args = case.inputs()
    context = f"{case.name} after {case.forward.split('.')[1]}({describe(forward_args)}): "
    outputs = dict(zip(forward_sig.returns, _call(student, case.forward, forward_args, context)))
    ref_outputs = reference.function(case.forward)(*forward_args)
    upstream = _upstream(case, forward_sig, ref_outputs)
    return tuple(upstream) + (outputs[forward_sig.opaque[0]],), context, ref_outputs, outputs


def _upstream(case, forward_sig, ref_outputs):
    """Fixed random upstream gradients, shaped like the reference forward's outputs."""
    rng = np.random.default_rng(case.seed("upstream"))
    return [rng.standard_normal(np.shape(out)).astype(case.dtype)
            for name, out in zip(forward_sig.returns, ref_outputs) if name not in forward_sig.opaque]


def _grad_names(case):
    """The gradients a case grades: a loss' d<arg> outputs, or all of a backward's returns."""
    sig = signature(case.function)
    return ["d" + sig.args[i] for i in case.wrt] if case.loss else list(sig.returns)


def _gradients(case, function_of, forward_args, upstream):
    """The gradients a case grades, as the package `function_of` computes them: a loss' own,
    or its backward's, fed `upstream` and the cache of its own forward."""
    sig = signature(case.function)
    forward_args = copy.deepcopy(forward_args)
    if case.loss:
        outputs = dict(zip(sig.returns, function_of(case.function)(*forward_args)))
        return [outputs[name] for name in _grad_names(case)]
    forward_sig = signature(case.forward)
    cache = dict(zip(forward_sig.returns, function_of(case.forward)(*forward_args)))[forward_sig.opaque[0]]
    return list(_as_tuple(function_of(case.function)(*upstream, cache), len(sig.returns)))


def check_gradient(student, case):
    """The student's gradients are right: equal to the reference's, or to the finite-difference
    gradient of the student's own forward when that forward is the reference's up to a known
    mistake (so that a mistake in the forward is not charged to the backward a second time)."""
    sig = signature(case.function)
    forward_args = case.inputs()
    if case.loss:  # the function returns its own gradient, e.g. softmax_cross_entropy
        context = f"{case.name}({describe(forward_args)}): "
        own_outputs = dict(zip(sig.returns, _call(student, case.function, forward_args, context)))
        got = [own_outputs[name] for name in _grad_names(case)]
        upstream = None
    else:
        backward_args, context, _, own_outputs = _backward_args(student, case)
        upstream = backward_args[:-1]
        got = list(_as_tuple(_call(student, case.function, backward_args, context), len(sig.returns)))
    _check_gradients_right(student, case, forward_args, got, upstream, own_outputs, context)


def _check_gradients_right(student, case, forward_args, got, upstream, own_outputs, context):
    """`got`, the gradients the student's code gave, are the reference's, or those of the
    student's own forward (whose outputs on `forward_args` were `own_outputs`) where that
    forward is credible (see _credible_forward)."""
    sig = signature(case.function)
    grad_names = _grad_names(case)

    def compare_with(function_of):
        expected = _gradients(case, function_of, forward_args, upstream)
        try:
            for name, g, e in zip(grad_names, got, expected):
                compare(name, g, e, TOLERANCE[case.dtype], sig.axes.get(name, ""), context, sig.gates)
        except GradingFailure as failure:
            raise _with_steps(failure, signature(case.forward or case.function).args, forward_args) from None

    try:
        compare_with(reference.function)
    except GradingFailure as failure:
        if _right_for_a_forgotten_argument(case, forward_args, got, upstream, own_outputs):
            return
        try:
            expected = _gradients(case, reference.function, forward_args, upstream)
            if (len(case.wrt) != len(grad_names) or not _same_structure(got, expected)
                    or not _credible_forward(case, forward_args, own_outputs)):
                raise failure
            _check_gradient_of_own_forward(student, case, forward_args, got, expected, upstream, context)
        except GradingFailure as final:
            raise _diagnosable(final, case.function, compare_with) from None


# A forward whose outputs are within this of the reference's is the reference's up to precision.
CLOSE_TO_REFERENCE = 1e-2


def _credible_forward(case, forward_args, own_outputs):
    """Whether the student's forward (its outputs on `forward_args` were `own_outputs`) is the
    reference's, close to it, or the reference with one of the corpus' known mistakes in it or in
    what it builds on. Only then is its own gradient an excuse for a backward that differs from
    the reference: any forward that depends on every input has a finite-difference gradient, and
    a backward that returns it (of `sum(inputs)`, say) has done none of the exercise."""
    forward = case.forward or case.function
    sig = signature(forward)
    got = tuple(own_outputs[name] for name in sig.returns)

    def same_as(function_of, tol):
        expected = _as_tuple(function_of(forward)(*_for_reference(copy.deepcopy(forward_args))), len(sig.returns))
        _compare_returns(sig, got, expected, tol, "")

    # Mistakes in what a charged-once rerun lends need no excuse here: the rerun forgives them.
    lent = frozenset(helpers_of(case))
    candidates = [(reference.function, CLOSE_TO_REFERENCE)]
    candidates += [(lambda name, m=mistake: diagnose.function(m, name), TOLERANCE[case.dtype])
                   for mistake in diagnose.mistakes_reaching(forward, lent)]
    for function_of, tol in candidates:
        try:
            same_as(function_of, tol)
            return True
        except Exception:  # noqa: BLE001 (differs, or the mistake itself fails on this input)
            continue
    return False


def _with_one_argument_left_out(case, forward_args):
    """The forward's arguments with one of the graded ones (an array, or one array of a dict of
    them) set to zeros: what a forward computes that forgot it (a bias, an initial state)."""
    for position in case.wrt:
        value = forward_args[position]
        arrays = {"": value} if isinstance(value, np.ndarray) else value if isinstance(value, dict) else {}
        for key, array in arrays.items():
            left_out = np.zeros_like(array) if key == "" else {**value, key: np.zeros_like(array)}
            yield forward_args[:position] + (left_out,) + forward_args[position + 1:]


def _right_for_a_forgotten_argument(case, forward_args, got, upstream, own_outputs):
    """Whether the student's forward is the reference's with one argument forgotten, and `got` are
    the reference's gradients where that argument is zero: the right backward of that forward (a
    forward without its bias has no finite-difference gradient in the bias, yet its backward can be
    right). The forgotten argument is charged to the forward alone."""
    forward = case.forward or case.function
    forward_sig = signature(forward)
    own = tuple(own_outputs[name] for name in forward_sig.returns)
    tol = TOLERANCE[case.dtype]
    for args in _with_one_argument_left_out(case, forward_args):
        try:
            expected = _as_tuple(reference.function(forward)(*_for_reference(copy.deepcopy(args))),
                                 len(forward_sig.returns))
            _compare_returns(forward_sig, own, expected, tol, "")
            for g, e in zip(got, _gradients(case, reference.function, args, upstream)):
                compare("", g, e, tol)
            return True
        except Exception:  # noqa: BLE001 (differs, or the reference fails at that point)
            continue
    return False


def _own_objective(student, case, upstream, context):
    """The scalar whose gradient a case grades, as the student's own forward computes it: its loss,
    or its outputs weighted by the upstream gradients. A function of the forward's arguments."""
    forward_sig = signature(case.forward or case.function)
    forward_name = (case.forward or case.function).split(".")[1]

    def objective(args):
        outputs = _as_tuple(_call(student, case.forward or case.function, args, context),
                            len(forward_sig.returns))
        named = dict(zip(forward_sig.returns, outputs))
        try:  # its outputs on shifted inputs: nothing says they are still the right shape, or numbers
            if case.loss:
                return float(named[case.loss])
            data = [named[n] for n in forward_sig.returns if n not in forward_sig.opaque]
            return float(sum(np.sum(np.asarray(d, dtype=np.float64) * u) for d, u in zip(data, upstream)))
        except (TypeError, ValueError) as error:
            raise GradingFailure(f"{context}your {forward_name}'s outputs on slightly shifted inputs are "
                                 f"not numbers shaped as its outputs ({type(error).__name__}), so its "
                                 f"own gradient cannot be measured") from None
    return objective


def _check_gradient_of_own_forward(student, case, forward_args, got, expected, upstream, context):
    """Not the reference gradient: is it the gradient of the student's own forward?"""
    sig = signature(case.function)
    forward_sig = signature(case.forward) if case.forward else sig
    forward_name = (case.forward or case.function).split(".")[1]
    objective = _own_objective(student, case, upstream, context)
    for position, name, g, e in zip(case.wrt, _grad_names(case), got, expected):
        numeric = numeric_gradient(objective, forward_args, position)
        numeric_parts = dict(_arrays(numeric))
        for path, expected_part in _arrays(e):
            numeric_part = numeric_parts[path]
            if np.abs(expected_part).max() > 0 and np.abs(numeric_part).max() < 1e-6 * np.abs(expected_part).max():
                raise GradingFailure(f"{context}your {forward_name} does not depend on "
                                     f"{forward_sig.args[position]}{path}, so {name}{path} cannot be right")
        compare(f"{name} (against finite differences of your own forward)", g, numeric,
                FD_TOLERANCE, sig.axes.get(name, ""), context, sig.gates)


def numeric_gradient(objective, args, position, step=FD_STEP):
    """Centred finite differences of a scalar `objective(args)` in args[position].

    args[position] is an array, or a dict of arrays (then so is the gradient).
    """
    def replaced(value):
        return args[:position] + (value,) + args[position + 1:]

    base = args[position]
    if isinstance(base, dict):
        return {key: numeric_gradient(lambda new_args: objective(replaced({**base, key: new_args[0]})),
                                      (array,), 0, step)
                for key, array in base.items()}
    grad = np.zeros(base.shape, dtype=np.float64)
    for index in np.ndindex(base.shape):
        shifted = []
        for sign in (+1, -1):
            moved = base.copy()
            moved[index] += sign * step
            shifted.append(objective(replaced(moved)))
        grad[index] = (shifted[0] - shifted[1]) / (2 * step)
    return grad


# ---------------------------------------------------------------------------
# A backward at scale: a backward pass, not numerical differentiation

# A backward pass costs about as much as a few forward passes; differentiating the forward
# numerically costs one forward per entry of a shared weight, which tables.AT_SCALE makes minutes.
# The limit of the call: the reference's own time for it, times AT_SCALE_TIMES, plus a slack for a
# worker's start, the arrays' way through the pipe and a busy machine. The slowest honest code we
# have, a loop over the batch, takes a fraction of it (bench/at_scale.py prints both). The slack
# stretches with the call timeout a grading is given (a batch graded at the lowest priority behind
# other work gives every call more time); a charged-once rerun, whose lent functions answer through
# callbacks, has the call timeout: it asks whether the function is right, the first run how fast.
AT_SCALE_TIMES = 10
AT_SCALE_SLACK_S = 2.0


def _reference_at_scale(case, forward_args):
    """The reference's gradients for a case (its backward on its forward's cache, or its loss's), and
    the seconds that graded call took: one run gives the limit and the answer."""
    sig = signature(case.function)
    forward = reference.function(case.forward or case.function)
    if case.loss:
        start = time.perf_counter()
        outputs = dict(zip(sig.returns, forward(*forward_args)))
        return [outputs[name] for name in _grad_names(case)], time.perf_counter() - start
    forward_sig = signature(case.forward)
    outputs = forward(*copy.deepcopy(forward_args))
    cache = dict(zip(forward_sig.returns, outputs))[forward_sig.opaque[0]]
    upstream = _upstream(case, forward_sig, outputs)
    start = time.perf_counter()
    gradients = reference.function(case.function)(*upstream, cache)
    return list(_as_tuple(gradients, len(sig.returns))), time.perf_counter() - start


def check_at_scale(student, case):
    """The graded backward (or loss) is a backward pass: on inputs large enough that numerical
    differentiation takes minutes, it finishes within AT_SCALE_TIMES the reference's time (plus
    a slack), with right gradients: the reference's, or, where its own forward is credible, those
    of that forward along a random direction per argument (two forwards each)."""
    sig = signature(case.function)
    forward_args = case.inputs()
    expected, seconds = _reference_at_scale(case, forward_args)
    stretch = max(1.0, getattr(student, "timeout", CALL_TIMEOUT_S) / CALL_TIMEOUT_S)
    within = math.inf if student.delegated else AT_SCALE_SLACK_S * stretch + AT_SCALE_TIMES * seconds
    if case.loss:
        context, upstream, call_args = f"{case.name} at scale ({describe(forward_args)}): ", None, forward_args
    else:
        backward_args, context, _, own_outputs = _backward_args(student, case)
        context, upstream, call_args = context.replace(" after ", " at scale, after ", 1), backward_args[:-1], backward_args
    try:
        outputs = student.call(case.function, *call_args, within=within)
    except TooSlow as error:
        raise GradingFailure(f"{context}{error}, where the reference takes {seconds:.3f} s. A backward pass "
                             f"costs about as much as a few forward passes; differentiating the forward "
                             f"numerically costs a forward for every entry of the weights") from None
    except StudentError as error:
        raise GradingFailure(f"{context}{error}") from None
    outputs = _as_tuple(outputs, len(sig.returns))
    if case.loss:
        own_outputs = dict(zip(sig.returns, outputs))
        got = [own_outputs[name] for name in _grad_names(case)]
    else:
        got = list(outputs)
    try:
        for name, g, e in zip(_grad_names(case), got, expected):
            compare(name, g, e, TOLERANCE[case.dtype], sig.axes.get(name, ""), context, sig.gates)
    except GradingFailure:
        if _right_for_a_forgotten_argument(case, forward_args, got, upstream, own_outputs):
            return
        if not (len(case.wrt) == len(got) and _same_structure(got, expected)
                and _credible_forward(case, forward_args, own_outputs)):
            raise
        _check_along_directions(student, case, forward_args, got, upstream, context)


def _check_along_directions(student, case, forward_args, got, upstream, context):
    """Gradients of the student's own forward, checked along one random direction per argument:
    their dot product with it equals the forward's centred difference along it."""
    objective = _own_objective(student, case, upstream, context)
    rng = np.random.default_rng(case.seed("directions"))
    for position, name, gradient in zip(case.wrt, _grad_names(case), got):
        base = forward_args[position]
        direction = {path: rng.standard_normal(np.shape(array)) for path, array in _arrays(base)}

        def moved(sign):
            def shift(path, array):
                return array + sign * FD_STEP * direction[path]
            value = ({key: shift(f"[{key!r}]", array) for key, array in base.items()} if isinstance(base, dict)
                     else shift("", base))
            return forward_args[:position] + (value,) + forward_args[position + 1:]

        numeric = (objective(moved(+1)) - objective(moved(-1))) / (2 * FD_STEP)
        along = sum(float(np.sum(np.asarray(part, dtype=np.float64) * direction[path]))
                    for path, part in _arrays(gradient))
        compare(f"{name} along a random direction (against your own forward)", along, numeric, FD_TOLERANCE,
                context=context)


def fixture_args(fixture, names):
    """Arguments by name from a stored fixture: 'params_fwd.Wx' keys make dicts, 0-d arrays scalars."""
    args = []
    for name in names:
        if name in fixture:
            value = fixture[name]
            args.append(value.item() if value.ndim == 0 else value)  # text and integer settings
        else:
            prefix = f"{name}."
            args.append({k[len(prefix):]: v for k, v in fixture.items() if k.startswith(prefix)} or None)
    return tuple(args)


def check_keras(student, qualname, fixture, tol):
    """The student's forward pass equals the output Keras computed from the same weights."""
    sig = signature(qualname)
    args = fixture_args(fixture, sig.args)
    context = f"{qualname.split('.')[1]}({describe(args)}) against Keras: "
    got = _as_tuple(_call(student, qualname, args, context), len(sig.returns))
    compare(sig.returns[0], got[0], fixture["keras_output"], tol, sig.axes.get(sig.returns[0], ""),
            context)


def check_exact(student, qualname, args, expected, what):
    """The function returns exactly `expected` (an integer, say) for `args`; `what` names the source.

    The feedback does not show `expected`: these inputs are fixed (stored fixtures), the same for
    every submission, so a shown answer could be replayed by a lookup instead of computed."""
    context = f"{qualname.split('.')[1]}{tuple(args)}: "
    got = _call(student, qualname, args, context)
    if not (type(got) is type(expected) and got == expected):  # (an array's == is not a yes or no)
        raise GradingFailure(f"{context}gave {got!r}, which is not what {what}")


def check_keras_model(student, qualname, args, expected, input_shape=None):
    """The student's Keras builder makes the expected layers, shapes and parameter count.

    `expected` is a summary as worker._summarize_keras makes it, holding only what is checked.
    """
    context = f"{qualname.split('.')[1]}{tuple(args)}: "
    got = _call(student, qualname, args, context, keras_input_shape=input_shape)
    _compare_summary(got, expected, context, "the model")


def _compare_summary(got, expected, context, where_):
    for key, value in expected.items():
        if key == "layers":
            classes = [layer.get("class") for layer in got.get("layers", [])]
            if len(classes) != len(value):
                raise GradingFailure(f"{context}{where_} has layers {classes}, expected "
                                     f"{[layer['class'] for layer in value]}")
            for i, (g, e) in enumerate(zip(got["layers"], value)):
                _compare_summary(g, e, context, f"layer {i} ({g.get('class')})")
        elif key == "inner":
            _compare_summary(got.get("inner", {}), value, context, f"{where_}'s wrapped layer")
        elif got.get(key) != value:
            raise GradingFailure(f"{context}{where_} has {key} {got.get(key)!r}, expected {value!r}")


# ---------------------------------------------------------------------------
# Training runs


@dataclass(frozen=True)
class Training:
    """A short training run: the student's loss and gradients drive Adam on a fixed task, and the
    trained parameters must reach `target` accuracy on held-out data (measured by the reference).

    `task()` returns a dict: "shapes" (parameter name -> shape), "batches" (list of tuples of the
    loss' arguments before params), "settings" (the arguments after params, e.g. (cell,)),
    "inputs" (the predictor's arguments before params), "accuracy" (predictions -> float), and
    optionally "measure" (what that number is, for the feedback; default "accuracy").
    """

    function: str  # the loss, e.g. "architectures.many_to_one_loss"
    predict: str  # e.g. "architectures.many_to_one_forward" (logits first) or greedy_decode
    task: object
    steps: int
    lr: float
    target: float
    points: float = 3.0
    note: str = ""
    predict_settings: tuple = ()  # arguments of the predictor after params, when not the loss' settings

    @property
    def name(self):
        return self.function.split(".")[1]

    @property
    def forward(self):
        return None


# The first steps of a training run are checked against the reference's loss and gradients: a
# run that reaches the target is credited only to gradients that are the loss's (not, say, to
# `params - W*` with weights trained elsewhere, which would reach any target).
CHECKED_STEPS = 2


def _check_loss_gradients(case, args, loss, dparams, context):
    expected_loss, expected = reference.function(case.function)(*copy.deepcopy(args))
    compare("loss", loss, expected_loss, TOLERANCE["float64"], "", context)
    compare("dparams", dparams, expected, TOLERANCE["float64"], "", context)


def _check_first_step(student, case, args, loss, dparams, context):
    """The loss and gradients of a first step are the reference's, or become the reference's once
    the functions the loss builds on are (a mistake there is charged where it is, and the run goes
    on with the student's own code, as it would have)."""
    try:
        _check_loss_gradients(case, args, loss, dparams, context)
    except GradingFailure:
        helpers = USES.get(case.function)
        if not helpers or student.delegated:
            raise
        with student.delegating(helpers):
            loss, dparams = _call(student, case.function, args, context)
        _check_loss_gradients(case, args, loss, dparams, context)


def check_training(student, case):
    """Train with the student's loss and gradients; measure the trained parameters."""
    task = case.task()
    params = reference.function("architectures.init_params")(task["shapes"], seed=0)
    adam = reference.function("optim.Adam")(params, lr=case.lr)
    settings = task["settings"]
    context = f"{case.name} trained {case.steps} Adam steps ({case.note}): "
    for step in range(case.steps):
        args = task["batches"][step % len(task["batches"])] + (params,) + settings
        loss, dparams = _call(student, case.function, args, context)
        if not _is_number(loss):
            raise GradingFailure(f"{context}the loss should be a number, got {_kind(loss)} at step {step}")
        if not (isinstance(dparams, dict) and set(dparams) == set(params)) or any(
                not _is_number(dparams[name]) or np.shape(dparams[name]) != params[name].shape for name in params):
            raise GradingFailure(f"{context}dparams should be a dict of arrays with the keys and shapes of params")
        if not np.isfinite(loss):
            raise GradingFailure(f"{context}the loss became {loss} at step {step}")
        if step < CHECKED_STEPS:
            _check_first_step(student, case, args, loss, dparams, f"{context}at step {step}: ")
        adam.step({name: np.asarray(dparams[name], dtype=np.float64) for name in params})
    # The trained parameters are measured by the reference model: this run grades the loss and its
    # gradients, and a mistake in the predictor (graded on its own) must not cost them too.
    predict = reference.function(case.predict)
    predictions = predict(*task["inputs"], params, *(case.predict_settings or settings))
    accuracy = task["accuracy"](predictions[0] if isinstance(predictions, tuple) else predictions)
    if not accuracy >= case.target:
        what = task.get("measure", "accuracy")
        raise GradingFailure(f"{context}held-out {what} {accuracy:.2f}, expected at least {case.target:.2f} "
                             f"(right code gets there with the same data, seed and steps)")
