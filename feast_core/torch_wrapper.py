"""PyTorch, imported only when asked for (Feast's ``feast.torch_wrapper``): feast_core does not depend on it."""

from __future__ import annotations


def get_torch():
    """The ``torch`` module; ImportError saying how to install it when it is not installed."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError("PyTorch is not installed; install it (pip install torch) to use tensors") from exc
    return torch
