"""The warm kernel's reset: survivors are frozen for the garbage collector, and collected periodically."""

from __future__ import annotations

from helpers.run.kernels import FULL_COLLECT_EVERY, WarmKernel


def _value(kernel: WarmKernel, expr: str, tmp_path) -> str:
    out = tmp_path / "value.txt"
    kernel._run(f"open({str(out)!r}, 'w').write(str({expr}))")
    return out.read_text()


def _reset(kernel: WarmKernel) -> None:
    kernel.used = True
    kernel.prepare()


def test_reset_freezes_survivors_and_collects_frozen_garbage_every_nth_time(tmp_path):
    kernel = WarmKernel("python3", tmp_path)
    kernel.prepare()
    try:
        # A reference cycle kept alive by a module: it survives resets, like a memo entry.
        kernel._run(
            "import sys, types\n"
            "class Node: pass\n"
            "keep = types.ModuleType('_keep'); sys.modules['_keep'] = keep\n"
            "keep.node = Node(); keep.node.me = keep.node\n"
            "x = list(range(10))"
        )
        _reset(kernel)
        assert _value(kernel, "'x' in globals()", tmp_path) == "False"  # namespace cleared
        assert int(_value(kernel, "__import__('gc').get_freeze_count()", tmp_path)) > 1000
        # The cycle becomes garbage while frozen: no reset frees it until the full collection.
        kernel._run(
            "import sys, weakref\n"
            "sys.modules['_keep'].ref = weakref.ref(sys.modules['_keep'].node)\n"
            "del sys.modules['_keep'].node"
        )
        resets = int(
            _value(kernel, "__import__('sys').modules['_folkhalsa_kernel_state'].resets", tmp_path)
        )
        assert resets == 1
        for _ in range(FULL_COLLECT_EVERY - 2):
            _reset(kernel)
            assert (
                _value(kernel, "__import__('sys').modules['_keep'].ref() is None", tmp_path)
                == "False"
            )
        _reset(kernel)  # the FULL_COLLECT_EVERY-th reset unfreezes and collects
        assert (
            _value(kernel, "__import__('sys').modules['_keep'].ref() is None", tmp_path) == "True"
        )
        assert int(_value(kernel, "__import__('gc').get_freeze_count()", tmp_path)) > 1000
    finally:
        kernel.shutdown(now=True)
