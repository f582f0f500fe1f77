r"""Built-in implementations for ``symbinfo conform``: how each library computes each kernel.

An *implementation* maps a reference kernel name (:func:`symbinfo.refs.generate.kernel_names`)
to a function of the case's named inputs, already in the dtype under test:

======================  ====================================================================
input                   meaning
======================  ====================================================================
``p``, ``q``            probability vectors (or, for binary kernels, a probability)
``y``                   a soft target vector; ``label_smoothing`` its smoothing (optional)
``z``                   a logit vector; ``label`` the true class (0-based int)
``joint``               a joint probability table
``s``, ``x``, ``w``     a logit, a (soft) binary label, ``pos_weight``
======================  ====================================================================

The function returns the kernel's value: a scalar, or a vector for ``softmax``,
``log_softmax`` and the softmax gradients. Your own implementation follows the same protocol
(see :mod:`symbinfo.conform`). The focal loss uses :math:`\gamma = 2`, :math:`\alpha = 1/4`.

``numpy`` is the textbook formula written naively (fast, and wrong at the edges); ``scipy``
uses SciPy's special functions; ``torch`` uses PyTorch's functional API and autograd (CPU);
``jax`` uses ``jax.scipy.special``, ``jax.nn`` and ``jax.grad`` (CPU, 64-bit mode on);
``symbinfo`` uses :mod:`symbinfo.kernels`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

Inputs = Mapping[str, Any]
Kernels = dict[str, Callable[[Inputs], Any]]

FOCAL_GAMMA = 2.0
FOCAL_ALPHA = 0.25


def _soft_target(a: Inputs, xp: Any = np) -> Any:
    """The smoothed target :math:`(1 - \\varepsilon) y + \\varepsilon / K`."""
    eps = a.get("label_smoothing", 0.0)
    return (1 - eps) * a["y"] + eps / a["y"].shape[-1]


def _one_hot(a: Inputs) -> Any:
    target = np.zeros_like(a["z"])
    target[a["label"]] = 1
    return target


# --------------------------------------------------------------------------------------------
# NumPy: the naive textbook formulas
# --------------------------------------------------------------------------------------------

def _np_softmax(z: Any) -> Any:
    return np.exp(z) / np.sum(np.exp(z))


def _np_sigmoid(s: Any) -> Any:
    return 1 / (1 + np.exp(-s))


def _np_js(a: Inputs) -> Any:
    p, q = a["p"], a["q"]
    m = (p + q) / 2
    return 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))


def _np_mi(a: Inputs) -> Any:
    joint = a["joint"]
    marginals = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    return np.sum(joint * np.log(joint / marginals))


NUMPY: Kernels = {
    "entropy": lambda a: -np.sum(a["p"] * np.log(a["p"])),
    "cross_entropy": lambda a: -np.sum(a["p"] * np.log(a["q"])),
    "kl_divergence": lambda a: np.sum(a["p"] * np.log(a["p"] / a["q"])),
    "js_divergence": _np_js,
    "perplexity": lambda a: np.exp(-np.sum(a["p"] * np.log(a["q"]))),
    "mutual_information": _np_mi,
    "binary_entropy": lambda a: -(a["p"] * np.log(a["p"]) + (1 - a["p"]) * np.log(1 - a["p"])),
    "logsumexp": lambda a: np.log(np.sum(np.exp(a["z"]))),
    "log_softmax": lambda a: a["z"] - np.log(np.sum(np.exp(a["z"]))),
    "softmax": lambda a: _np_softmax(a["z"]),
    "softmax_cross_entropy[labels]": lambda a: -np.log(_np_softmax(a["z"])[a["label"]]),
    "softmax_cross_entropy[soft]":
        lambda a: -np.sum(_soft_target(a) * np.log(_np_softmax(a["z"]))),
    "softmax_cross_entropy_grad[labels]": lambda a: _np_softmax(a["z"]) - _one_hot(a),
    "softmax_cross_entropy_grad[soft]": lambda a: _np_softmax(a["z"]) - _soft_target(a),
    "binary_cross_entropy":
        lambda a: -(a["x"] * np.log(a["p"]) + (1 - a["x"]) * np.log(1 - a["p"])),
    "bce_with_logits": lambda a: -(a["w"] * a["x"] * np.log(_np_sigmoid(a["s"]))
                                   + (1 - a["x"]) * np.log(1 - _np_sigmoid(a["s"]))),
    "bce_with_logits_grad": lambda a: (1 - a["x"]) * _np_sigmoid(a["s"])
    - a["w"] * a["x"] * (1 - _np_sigmoid(a["s"])),
    "focal_loss": lambda a: -(FOCAL_ALPHA * a["x"] * (1 - a["p"]) ** FOCAL_GAMMA * np.log(a["p"])
                              + (1 - FOCAL_ALPHA) * (1 - a["x"]) * a["p"] ** FOCAL_GAMMA
                              * np.log(1 - a["p"])),
}


# --------------------------------------------------------------------------------------------
# SciPy
# --------------------------------------------------------------------------------------------

def scipy_kernels() -> Kernels:
    """SciPy's special functions (``entr``, ``rel_entr``, ``xlogy``, ``logsumexp``,
    ``log_softmax``, ``softmax``, ``expit``, ``log_expit``)."""
    from scipy import special

    def mutual_information(a: Inputs) -> Any:
        joint = a["joint"]
        marginals = np.outer(joint.sum(axis=1), joint.sum(axis=0))
        return np.sum(special.rel_entr(joint, marginals))

    def js(a: Inputs) -> Any:
        m = (a["p"] + a["q"]) / 2
        return 0.5 * np.sum(special.rel_entr(a["p"], m)) + 0.5 * np.sum(special.rel_entr(a["q"], m))

    return {
        "entropy": lambda a: np.sum(special.entr(a["p"])),
        "cross_entropy": lambda a: -np.sum(special.xlogy(a["p"], a["q"])),
        "kl_divergence": lambda a: np.sum(special.rel_entr(a["p"], a["q"])),
        "js_divergence": js,
        "perplexity": lambda a: np.exp(-np.sum(special.xlogy(a["p"], a["q"]))),
        "mutual_information": mutual_information,
        "binary_entropy": lambda a: special.entr(a["p"]) + special.entr(1 - a["p"]),
        "logsumexp": lambda a: special.logsumexp(a["z"]),
        "log_softmax": lambda a: special.log_softmax(a["z"]),
        "softmax": lambda a: special.softmax(a["z"]),
        "softmax_cross_entropy[labels]": lambda a: -special.log_softmax(a["z"])[a["label"]],
        "softmax_cross_entropy[soft]":
            lambda a: -np.sum(_soft_target(a) * special.log_softmax(a["z"])),
        "softmax_cross_entropy_grad[labels]": lambda a: special.softmax(a["z"]) - _one_hot(a),
        "softmax_cross_entropy_grad[soft]": lambda a: special.softmax(a["z"]) - _soft_target(a),
        "binary_cross_entropy": lambda a: -(special.xlogy(a["x"], a["p"])
                                            + special.xlog1py(1 - a["x"], -a["p"])),
        "bce_with_logits": lambda a: -(a["w"] * a["x"] * special.log_expit(a["s"])
                                       + (1 - a["x"]) * special.log_expit(-a["s"])),
        "bce_with_logits_grad": lambda a: (1 - a["x"]) * special.expit(a["s"])
        - a["w"] * a["x"] * special.expit(-a["s"]),
    }


# --------------------------------------------------------------------------------------------
# PyTorch (CPU)
# --------------------------------------------------------------------------------------------

def torch_kernels() -> Kernels:
    """PyTorch's functional API (``torch.special``, ``torch.nn.functional``) and autograd for
    the gradients, on the CPU."""
    import torch
    import torch.nn.functional as F

    def tensor(value: Any, grad: bool = False) -> Any:
        return torch.tensor(np.asarray(value), requires_grad=grad)

    def cross_entropy(a: Inputs, soft: bool) -> Any:
        logits = tensor(a["z"], grad=True)
        if soft:
            target = tensor(a["y"])[None]
            smoothing = float(a.get("label_smoothing", 0.0))
        else:
            target, smoothing = torch.tensor([int(a["label"])]), 0.0
        return logits, F.cross_entropy(logits[None], target, label_smoothing=smoothing)

    def gradient(a: Inputs, soft: bool) -> Any:
        logits, loss = cross_entropy(a, soft)
        (grad,) = torch.autograd.grad(loss, logits)
        return grad.numpy()

    def bce_logits(a: Inputs) -> Any:
        return F.binary_cross_entropy_with_logits(tensor(a["s"]), tensor(a["x"]),
                                                  pos_weight=tensor(a["w"]))

    def bce_logits_grad(a: Inputs) -> Any:
        s = tensor(a["s"], grad=True)
        loss = F.binary_cross_entropy_with_logits(s, tensor(a["x"]), pos_weight=tensor(a["w"]))
        (grad,) = torch.autograd.grad(loss, s)
        return grad.numpy()

    def kl(a: Inputs) -> Any:  # KLDivLoss takes log q as its input
        return F.kl_div(torch.log(tensor(a["q"])), tensor(a["p"]), reduction="sum")

    def mutual_information(a: Inputs) -> Any:
        joint = tensor(a["joint"])
        marginals = torch.outer(joint.sum(dim=1), joint.sum(dim=0))
        return F.kl_div(torch.log(marginals), joint, reduction="sum")

    def focal(a: Inputs) -> Any:
        p, x = tensor(a["p"]), tensor(a["x"])
        return -(FOCAL_ALPHA * x * (1 - p) ** FOCAL_GAMMA * torch.log(p)
                 + (1 - FOCAL_ALPHA) * (1 - x) * p ** FOCAL_GAMMA * torch.log1p(-p))

    def detach(function: Callable[[Inputs], Any]) -> Callable[[Inputs], Any]:
        return lambda a: np.asarray(function(a).detach().numpy())

    return {
        "entropy": detach(lambda a: torch.special.entr(tensor(a["p"])).sum()),
        "cross_entropy": detach(lambda a: -torch.special.xlogy(tensor(a["p"]),
                                                               tensor(a["q"])).sum()),
        "kl_divergence": detach(kl),
        "perplexity": detach(lambda a: torch.exp(-torch.special.xlogy(tensor(a["p"]),
                                                                      tensor(a["q"])).sum())),
        "mutual_information": detach(mutual_information),
        "binary_entropy": detach(lambda a: torch.special.entr(tensor(a["p"]))
                                 + torch.special.entr(1 - tensor(a["p"]))),
        "logsumexp": detach(lambda a: torch.logsumexp(tensor(a["z"]), dim=-1)),
        "log_softmax": detach(lambda a: F.log_softmax(tensor(a["z"]), dim=-1)),
        "softmax": detach(lambda a: F.softmax(tensor(a["z"]), dim=-1)),
        "softmax_cross_entropy[labels]": detach(lambda a: cross_entropy(a, False)[1]),
        "softmax_cross_entropy[soft]": detach(lambda a: cross_entropy(a, True)[1]),
        "softmax_cross_entropy_grad[labels]": lambda a: gradient(a, False),
        "softmax_cross_entropy_grad[soft]": lambda a: gradient(a, True),
        "binary_cross_entropy": detach(lambda a: F.binary_cross_entropy(tensor(a["p"]),
                                                                        tensor(a["x"]))),
        "bce_with_logits": detach(bce_logits),
        "bce_with_logits_grad": bce_logits_grad,
        "focal_loss": detach(focal),
    }


def jax_kernels() -> Kernels:
    """JAX on the CPU: ``jax.scipy.special``, ``jax.nn`` and ``jax.grad`` for the gradients.

    JAX computes in float32 unless 64-bit mode is on; this adapter turns it on
    (``jax.config.update("jax_enable_x64", True)``, a process-wide setting) so that float64
    inputs are computed in float64.
    """
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.scipy import special

    def array(value: Any) -> Any:
        return jnp.asarray(np.asarray(value))

    def soft_target(a: Inputs) -> Any:
        return array(_soft_target(a))

    def cross_entropy(z: Any, a: Inputs, soft: bool) -> Any:
        log_q = jax.nn.log_softmax(z)
        return -jnp.sum(soft_target(a) * log_q) if soft else -log_q[int(a["label"])]

    def bce_logits(s: Any, a: Inputs) -> Any:
        x, w = array(a["x"]), array(a["w"])
        return -(w * x * jax.nn.log_sigmoid(s) + (1 - x) * jax.nn.log_sigmoid(-s))

    def js(a: Inputs) -> Any:
        p, q = array(a["p"]), array(a["q"])
        m = (p + q) / 2
        return 0.5 * jnp.sum(special.rel_entr(p, m)) + 0.5 * jnp.sum(special.rel_entr(q, m))

    def mutual_information(a: Inputs) -> Any:
        joint = array(a["joint"])
        return jnp.sum(special.rel_entr(joint, jnp.outer(joint.sum(axis=1), joint.sum(axis=0))))

    def focal(a: Inputs) -> Any:
        p, x = array(a["p"]), array(a["x"])
        return -(FOCAL_ALPHA * x * (1 - p) ** FOCAL_GAMMA * jnp.log(p)
                 + (1 - FOCAL_ALPHA) * (1 - x) * p ** FOCAL_GAMMA * jnp.log1p(-p))

    def numpy(function: Callable[[Inputs], Any]) -> Callable[[Inputs], Any]:
        return lambda a: np.asarray(function(a))

    return {
        "entropy": numpy(lambda a: jnp.sum(special.entr(array(a["p"])))),
        "cross_entropy": numpy(lambda a: -jnp.sum(special.xlogy(array(a["p"]), array(a["q"])))),
        "kl_divergence": numpy(lambda a: jnp.sum(special.rel_entr(array(a["p"]),
                                                                  array(a["q"])))),
        "js_divergence": numpy(js),
        "perplexity": numpy(lambda a: jnp.exp(-jnp.sum(special.xlogy(array(a["p"]),
                                                                     array(a["q"]))))),
        "mutual_information": numpy(mutual_information),
        "binary_entropy": numpy(lambda a: special.entr(array(a["p"]))
                                + special.entr(1 - array(a["p"]))),
        "logsumexp": numpy(lambda a: special.logsumexp(array(a["z"]))),
        "log_softmax": numpy(lambda a: jax.nn.log_softmax(array(a["z"]))),
        "softmax": numpy(lambda a: jax.nn.softmax(array(a["z"]))),
        "softmax_cross_entropy[labels]": numpy(lambda a: cross_entropy(array(a["z"]), a, False)),
        "softmax_cross_entropy[soft]": numpy(lambda a: cross_entropy(array(a["z"]), a, True)),
        "softmax_cross_entropy_grad[labels]":
            numpy(lambda a: jax.grad(lambda z: cross_entropy(z, a, False))(array(a["z"]))),
        "softmax_cross_entropy_grad[soft]":
            numpy(lambda a: jax.grad(lambda z: cross_entropy(z, a, True))(array(a["z"]))),
        "binary_cross_entropy": numpy(lambda a: -(special.xlogy(array(a["x"]), array(a["p"]))
                                                  + special.xlog1py(1 - array(a["x"]),
                                                                    -array(a["p"])))),
        "bce_with_logits": numpy(lambda a: bce_logits(array(a["s"]), a)),
        "bce_with_logits_grad": numpy(lambda a: jax.grad(lambda s: bce_logits(s, a))(
            array(a["s"]))),
        "focal_loss": numpy(focal),
    }


def symbinfo_kernels() -> Kernels:
    """symbinfo's own kernels, called as the accuracy checks call them."""
    from symbinfo import accuracy
    return {name: spec.call for name, spec in accuracy.kernel_specs().items()}


BUILT_IN: dict[str, Callable[[], Kernels]] = {
    "numpy": lambda: NUMPY,
    "scipy": scipy_kernels,
    "torch": torch_kernels,
    "jax": jax_kernels,
    "symbinfo": symbinfo_kernels,
}
"""The implementations ``symbinfo conform --impl`` knows by name."""
