"""The student side of grading: a process that imports a submission and runs its functions.

Run as `python -I -S worker.py SUBMISSION_DIR SITE_PACKAGES [MODULE...]` (see sandbox.py). It reads call requests on stdin and answers
on stdout, one frame each, and nothing else ever reaches the grader from here. A frame is
plain data only: a JSON header in which arrays are replaced by their dtype, shape and the
index of a blob of raw bytes that follows it (never pickles; an array of objects or records
cannot be sent). Whatever a student's code does inside this process, it can only change the
data this process sends back, and the grader judges that data elsewhere.

This file is self-contained (numpy and the standard library only) so that it can run
somewhere the grading package is not importable. The grader imports it too, for the
frame format and for the harness step functions that `unfold` is tested with.
"""
import importlib
import json
import math
import os
import signal
import struct
import sys
import traceback

if __name__ == "__main__":
    # The worker runs with `python -I -S`: only numpy's site-packages, given as argv[2], is added.
    sys.path.append(sys.argv[2])

import numpy as np  # noqa: E402

MAX_HEADER_BYTES = 16 * 2**20
MAX_FRAME_BYTES = 64 * 2**20  # its arrays together: a few MiB is the most a graded case needs
MAX_ARRAYS = 4096
PLAIN_KINDS = "biufcSU"  # bool, integers, floats, complex, bytes and text: no objects, no records


# ---------------------------------------------------------------------------
# Plain-data frames


class Handle:
    """An opaque reference to an object that stays in the worker (a student's cache)."""

    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"<cache #{self.key}>"


class Step:
    """A harness step function for `unfold`, named so that it can cross the pipe."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<step {self.name}>"


def _to_header(value, blobs):
    """Turn plain data into JSON-ready form, moving arrays to `blobs`."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in PLAIN_KINDS or value.dtype.fields is not None:
            raise TypeError(f"an array of dtype {value.dtype} is not plain numbers")
        blobs.append(np.array(value, subok=False, order="C").tobytes())
        return {"$nd": [len(blobs) - 1, value.dtype.str, list(value.shape)]}
    if isinstance(value, np.generic):
        return _to_header(value.item(), blobs) if value.dtype.kind in "biuf" else _refuse(value)
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        return [_to_header(v, blobs) for v in value]
    if type(value) is tuple:
        return {"$tuple": [_to_header(v, blobs) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$dict": [[k, _to_header(v, blobs)] for k, v in value.items()]}
    if isinstance(value, Handle):
        return {"$handle": value.key}
    if isinstance(value, Step):
        return {"$step": value.name}
    return _refuse(value)


def _refuse(value):
    raise TypeError(f"a value of type {type(value).__name__} is not plain data")


def _from_header(value, blobs):
    if isinstance(value, list):
        return [_from_header(v, blobs) for v in value]
    if not isinstance(value, dict):
        return value
    (tag, inner), = value.items()
    if tag == "$nd":
        index, dtype, shape = inner
        return _array(blobs[index], dtype, shape)
    if tag == "$tuple":
        return tuple(_from_header(v, blobs) for v in inner)
    if tag == "$dict":
        return {k: _from_header(v, blobs) for k, v in inner}
    if tag == "$handle":
        return Handle(inner)
    if tag == "$step":
        return Step(inner)
    raise ValueError(f"unknown tag {tag!r} in a frame")


def _array(data, dtype, shape):
    """An array from its raw bytes, refused unless it is plain numbers of exactly that size."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"{dtype!r} is not a dtype") from None
    if dtype.kind not in PLAIN_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"an array of dtype {dtype} is not plain numbers")
    if not all(type(n) is int and n >= 0 for n in shape) or len(data) != dtype.itemsize * math.prod(shape):
        raise ValueError(f"{len(data)} bytes are not an array of shape {shape} and dtype {dtype}")
    return np.frombuffer(bytearray(data), dtype).reshape(shape)


def frame(value):
    """`value` (plain data) as the bytes of one frame."""
    blobs = []
    header = json.dumps(_to_header(value, blobs)).encode()
    parts = [struct.pack("<QQ", len(header), len(blobs)), header]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


def write_frame(stream, value):
    """Write `value` (plain data) to a binary stream as one frame."""
    stream.write(frame(value))
    stream.flush()


def read_frame(stream):
    """Read one frame from a binary stream; EOFError if the other side has gone."""
    header_len, n_blobs = struct.unpack("<QQ", _read_exactly(stream, 16))
    if header_len > MAX_HEADER_BYTES:
        raise ValueError(f"frame header of {header_len} bytes is too large")
    if n_blobs > MAX_ARRAYS:
        raise ValueError(f"a frame of {n_blobs} arrays is too many")
    header = _read_exactly(stream, header_len)
    blobs, total = [], 0
    for _ in range(n_blobs):
        (size,) = struct.unpack("<Q", _read_exactly(stream, 8))
        total += size
        if total > MAX_FRAME_BYTES:
            raise ValueError(f"a frame of more than {MAX_FRAME_BYTES // 2**20} MiB of arrays is too large")
        blobs.append(_read_exactly(stream, size))
    try:
        return _from_header(json.loads(header), blobs)
    except (TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:  # not a frame
        raise ValueError(f"a malformed frame ({type(error).__name__})") from None


def _read_exactly(stream, size):
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the other side closed the pipe")
    return data


# ---------------------------------------------------------------------------
# Harness steps for testing `unfold` (they must not depend on student code)


def _step_leaky_sum(x_t, state):
    """state (N, D): s_t = 0.5 s_{t-1} + x_t; output (N, 2D) = [s_t, x_t**2]; cache x_t."""
    new_state = 0.5 * state + x_t
    return np.concatenate([new_state, x_t**2], axis=1), new_state, x_t.copy()


def _step_pair_state(x_t, state):
    """state (a, c), each (N, D), as an LSTM carries (h, c); output a + c."""
    a, c = state
    new_state = (np.tanh(a + x_t), 0.9 * c + a)
    return new_state[0] + new_state[1], new_state, x_t.copy()


STEPS = {"leaky_sum": _step_leaky_sum, "pair_state": _step_pair_state}


# ---------------------------------------------------------------------------
# The worker loop


def _describe_error(error):
    """One line: the exception, and the last line of the submission's code it passed."""
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if f"{os.sep}rnnlab{os.sep}" in frame.filename:
            where = f" (rnnlab/{os.path.basename(frame.filename)}, line {frame.lineno}, in {frame.name})"
    message = str(error).splitlines()[0][:300] if str(error) else ""
    return {"type": type(error).__name__, "message": message, "where": where}


def _shape_result(result, returns, opaque, handles):
    """Check the number of returned values and keep the opaque ones (caches) here."""
    if len(returns) == 1:
        values = (result,)
    elif isinstance(result, (tuple, list)) and len(result) == len(returns):
        values = tuple(result)
    else:
        got = f"{len(result)} values" if isinstance(result, (tuple, list)) else type(result).__name__
        raise TypeError(f"should return {len(returns)} values ({', '.join(returns)}), got {got}")
    shaped = []
    for name, value in zip(returns, values):
        if name in opaque:
            handles.append(value)
            value = Handle(len(handles) - 1)
        shaped.append(value)
    return shaped[0] if len(returns) == 1 else tuple(shaped)


def _describe_keras(value):
    """A Keras layer or model as its configuration (JSON text), which is all that leaves a student's
    worker: the rebuilder rebuilds it and summarises that (see rebuild_keras), so that nothing checked
    is computed where student code runs."""
    import keras

    if not isinstance(value, keras.layers.Layer):
        raise TypeError(f"should return a Keras model or layer, got {type(value).__name__}")
    return json.dumps(keras.saving.serialize_keras_object(value))


def rebuild_keras(config, input_shape):
    """In the rebuilder, a worker that never loads student code: rebuild the layer or model a student's
    worker described (`config`, see _describe_keras) and summarise it. Keras's safe mode rebuilds
    Keras's own classes only and runs no code that came with the configuration."""
    import keras

    value = keras.saving.deserialize_keras_object(json.loads(config), safe_mode=True)
    return _summarize_keras(value, input_shape)


def _summarize_keras(value, input_shape):
    """A Keras layer or model as plain data: each layer's class, settings, output shape, parameters.

    A lone layer is first placed in a model after `keras.Input(shape=input_shape)`.
    """
    import keras

    if isinstance(value, keras.layers.Layer) and not isinstance(value, keras.Model) and input_shape:
        value = keras.Sequential([keras.Input(shape=tuple(input_shape)), value])
    if not isinstance(value, keras.Model):
        raise TypeError(f"should return a Keras model or layer, got {type(value).__name__}")
    layers = [_summarize_layer(layer) for layer in value.layers]
    return {"layers": layers, "output_shape": list(value.outputs[0].shape), "params": int(value.count_params()),
            # what a functional model holds, in whatever order it was built
            "classes": sorted(layer["class"] for layer in layers if layer["class"] != "InputLayer"),
            "masking_embeddings": sum(1 for layer in layers if layer.get("mask_zero"))}


def _summarize_layer(layer):
    summary = {"class": type(layer).__name__, "params": int(layer.count_params())}
    for setting in ("units", "return_sequences", "merge_mode", "mask_zero", "filters", "kernel_size",
                    "strides", "padding"):
        if hasattr(layer, setting):
            value = getattr(layer, setting)
            summary[setting] = list(value) if isinstance(value, tuple) else value
    if hasattr(layer, "activation"):
        summary["activation"] = getattr(layer.activation, "__name__", str(layer.activation))
    if hasattr(layer, "forward_layer"):  # Bidirectional
        summary["inner"] = _summarize_layer(layer.forward_layer)
    try:
        summary["output_shape"] = list(layer.output.shape)
    except (AttributeError, ValueError):
        pass
    return summary


def _plain_or_none(value):
    """`value` if it can cross as plain data (arrays, dicts of arrays ...), else None."""
    try:
        _to_header(value, [])
        return value
    except TypeError:
        return None


def _resolve(value, handles):
    """Replace handles and step names in the arguments by what they stand for."""
    if isinstance(value, Handle):
        return handles[value.key]
    if isinstance(value, Step):
        return STEPS[value.name]
    if isinstance(value, tuple):
        return tuple(_resolve(v, handles) for v in value)
    if isinstance(value, list):
        return [_resolve(v, handles) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, handles) for k, v in value.items()}
    return value


def _callback(qualname, requests, replies):
    """A stand-in for `qualname` that asks the grader to run the reference (keyword arguments too,
    as in softmax(a, axis=1))."""
    def ask_the_grader(*args, **kwargs):
        write_frame(replies, {"callback": qualname, "args": list(args), "kwargs": kwargs})
        answer = read_frame(requests)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]
    return ask_the_grader


_ASKING_THE_GRADER = _callback(None, None, None).__code__  # the code of every callback stand-in


def _replace(qualname, stand_in, package="rnnlab"):
    """Put `stand_in` wherever a module of the package holds the function `qualname` (`from .x
    import f` and module-level dicts of functions or of tuples of them included). Returns what
    to restore."""
    module_name, name = qualname.split(".")
    original = getattr(importlib.import_module(f"{package}.{module_name}"), name)
    patched = []
    for module in [m for key, m in list(sys.modules.items()) if key.split(".")[0] == package]:
        namespaces = [vars(module)] + [v for v in vars(module).values() if type(v) is dict]
        for namespace in namespaces:  # module globals, and dispatch tables such as {"rnn": rnn_forward}
            for key, value in list(namespace.items()):
                if value is original:
                    namespace[key] = stand_in
                elif type(value) is tuple and any(item is original for item in value):
                    namespace[key] = tuple(stand_in if item is original else item for item in value)
                else:
                    continue
                patched.append((namespace, key, value))
    return patched


def _delegate(qualnames, requests, replies):
    """Replace these functions by stubs that ask the grader to run the reference. Returns what
    to restore."""
    return [p for qualname in qualnames for p in _replace(qualname, _callback(qualname, requests, replies))]


def _give_up_on(qualnames):
    """Replace these functions, which hung in an earlier call, by stubs that raise at once: a
    function that hung costs the call timeout once, not once in every test that reaches it.
    Returns what to restore."""
    def gave_up(name):
        def stand_in(*args, **kwargs):
            raise RuntimeError(f"{name} did not finish in an earlier call (an endless loop?), "
                               "so it is not run again")
        return stand_in
    return [p for qualname in qualnames for p in _replace(qualname, gave_up(qualname.split(".")[1]))]


def _running_function(frame):
    """"module.function" of the package's innermost module-level function on the stack of
    `frame`, or None (also while the worker waits for the grader to answer a callback)."""
    while frame is not None:
        if frame.f_code is _ASKING_THE_GRADER:
            return None
        module_name = frame.f_globals.get("__name__", "")
        if module_name.startswith("rnnlab."):
            found = getattr(sys.modules.get(module_name), frame.f_code.co_name, None)
            if getattr(found, "__code__", None) is frame.f_code:
                return f"{module_name.split('.', 1)[1]}.{frame.f_code.co_name}"
        frame = frame.f_back
    return None


def _answer_where_it_runs(replies):
    """On SIGUSR1, which the grader sends when a call runs out of time, send a frame that names
    the function running now (see proxy.StudentCode._running_function). Student code can take
    the signal over: the grader then learns nothing, and every call keeps its own timeout."""
    def answer(signum, frame):
        write_frame(replies, {"running": _running_function(frame)})
    signal.signal(signal.SIGUSR1, answer)


def serve(requests, replies):
    """Answer call requests until the grader closes the pipe.

    A request may name functions to `delegate`: while it runs, those are computed by the
    grader's reference (see proxy.StudentCode.delegating), each call a callback frame; and
    functions that `hung` earlier: while it runs, those raise at once.
    """
    handles, imported = [], set()
    while True:
        try:
            request = read_frame(requests)
        except EOFError:
            return
        if "rebuild" in request:  # only ever sent to the rebuilder, which has no submission
            write_frame(replies, _rebuilt(request))
            continue
        try:
            module = importlib.import_module(f"rnnlab.{request['module']}")
        except BaseException as error:  # a syntax error or a crash at import time
            write_frame(replies, {"error": _describe_error(error), "phase": "import"})
            continue
        if request["module"] not in imported:  # lets the grader tell a hung import from a hung call
            imported.add(request["module"])
            write_frame(replies, {"imported": request["module"]})
        patched = []
        try:
            function = getattr(module, request["function"])
            args = [_resolve(a, handles) for a in request["args"]]
            patched = _give_up_on(request.get("hung", [])) + _delegate(request.get("delegate", []), requests, replies)
            if request.get("keras"):  # names from scratch: the same model, the same configuration
                importlib.import_module("keras").backend.clear_session(free_memory=False)
            result = function(*args)
            if request.get("keras"):
                result = _describe_keras(result)
            reply = {"result": _shape_result(result, request["returns"], request["opaque"], handles)}
            if request.get("echo_args"):
                reply["args_after"] = [_plain_or_none(a) for a in args]
            write_frame(replies, reply)
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            try:
                write_frame(replies, {"error": _describe_error(error), "phase": "call"})
            except BaseException as second:
                write_frame(replies, {"error": _describe_error(second), "phase": "call"})
        finally:  # newest first: a dispatch tuple patched twice gets its first original back
            for namespace, key, original in reversed(patched):
                namespace[key] = original


def _rebuilt(request):
    """The rebuilder's reply to a request: the summary of the described model, or why it has none."""
    try:
        return {"result": rebuild_keras(request["rebuild"], request.get("keras_input_shape"))}
    except BaseException as error:  # a configuration Keras refuses, or one too deep to read
        return {"error": _describe_error(error)}


def main(submission_dir, warm_up=()):
    """Serve the grader; first import the `warm_up` modules (keras: TensorFlow), which the
    grader asks for while it has other work, before the submission is on the path."""
    # The protocol gets private copies of stdin and stdout; print() in student code
    # goes to stderr, so nothing it prints can be mistaken for a reply.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    _answer_where_it_runs(replies)
    import_early(warm_up)
    sys.path.insert(0, submission_dir)
    serve(requests, replies)


def import_early(modules):
    """Import `modules` before any student code runs; one that fails is left for the call that
    needs it, which imports it again and says what went wrong."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[3:])
