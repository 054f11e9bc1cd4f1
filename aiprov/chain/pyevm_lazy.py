"""Importing py-evm without paying for its elliptic-curve precompiles up front.

py-evm imports py_ecc's BLS12-381 code (the Prague precompiles 0x0b–0x11) and
its BN128 code (0x06–0x08) as soon as ``eth`` is imported, which builds large
constant tables: about half of every command's time on the embedded chain.
aiprov's contracts never call those precompiles, so before py-evm is first
imported, ``eth.precompiles.bls12_381`` is registered as a small package (on
py-evm's own directory) whose seven functions import py-evm's real ones on
their first call, and ``eth.precompiles.ecadd`` / ``ecmul`` / ``ecpairing`` as
small modules whose (curried, like py-evm's) function loads py-evm's module
file on first call. A transaction that does use one of these precompiles runs
exactly py-evm's code, only later; nothing else changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

PACKAGE = "eth.precompiles.bls12_381"
#: function → the py-evm module that defines it
FUNCTIONS = {
    "bls12_g1_add": "bls12_381_g1",
    "bls12_g1_msm": "bls12_381_g1",
    "bls12_map_fp_to_g1": "bls12_381_g1",
    "bls12_g2_add": "bls12_381_g2",
    "bls12_g2_msm": "bls12_381_g2",
    "bls12_map_fp2_to_g2": "bls12_381_g2",
    "bls12_pairing_check": "bls12_381_pairing",
}


def _deferred(name: str, module: str):
    def precompile(computation):
        return getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)(computation)

    precompile.__name__ = precompile.__qualname__ = name
    return precompile


#: BN128 precompile modules of py-evm, each defining a curried function of its own name
CURVE_MODULES = ("ecadd", "ecmul", "ecpairing")
_loaded: dict[str, object] = {}


def _real_function(name: str, path: str):
    """py-evm's ``eth.precompiles.<name>.<name>``, from its file (the name in sys.modules is the stand-in)."""
    if name not in _loaded:
        spec = importlib.util.spec_from_file_location(f"aiprov.chain._pyevm_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # its imports are absolute (eth._utils.bn128, py_ecc ...)
        _loaded[name] = getattr(module, name)
    return _loaded[name]


def _curried(name: str, path: str, bound: dict):
    def precompile(computation=None, **kwargs):
        if computation is None:  # py-evm binds gas costs first: ecadd(gas_cost=150)
            return _curried(name, path, {**bound, **kwargs})
        return _real_function(name, path)(computation, **{**bound, **kwargs})

    precompile.__name__ = precompile.__qualname__ = name
    return precompile


def defer_bls_precompiles() -> bool:
    """Register the stand-ins; False when py-evm was already imported (nothing to gain)."""
    if "eth" in sys.modules or PACKAGE in sys.modules:
        return False
    spec = importlib.util.find_spec("eth")  # locates py-evm without importing it
    if spec is None or not spec.submodule_search_locations:
        return False
    precompiles = os.path.join(list(spec.submodule_search_locations)[0], "precompiles")
    path = os.path.join(precompiles, "bls12_381")
    files = {name: os.path.join(precompiles, f"{name}.py") for name in CURVE_MODULES}
    if not os.path.isdir(path) or not all(map(os.path.isfile, files.values())):
        return False  # another py-evm layout: import it as it is
    package = types.ModuleType(PACKAGE, __doc__)
    package.__path__ = [path]
    package.__package__ = PACKAGE
    for name, module in FUNCTIONS.items():
        setattr(package, name, _deferred(name, module))
    sys.modules[PACKAGE] = package
    for name, file in files.items():
        module = types.ModuleType(f"eth.precompiles.{name}", __doc__)
        setattr(module, name, _curried(name, file, {}))
        sys.modules[module.__name__] = module
    return True
