"""The symbolic definitions: information, measures, activations and losses.

Every quantity symbinfo knows is defined once, here, as a SymPy expression; derivations,
kernels and reference values all start from these definitions.
"""

from symbinfo.definitions.activations import Sigmoid
from symbinfo.definitions.activations import Softplus
from symbinfo.definitions.activations import log_softmax
from symbinfo.definitions.activations import logsumexp
from symbinfo.definitions.activations import sigmoid
from symbinfo.definitions.activations import softmax
from symbinfo.definitions.activations import softplus
from symbinfo.definitions.conventions import rel_entr
from symbinfo.definitions.conventions import xlogy
from symbinfo.definitions.information import information
from symbinfo.definitions.losses import bce_with_logits
from symbinfo.definitions.losses import binary_cross_entropy
from symbinfo.definitions.losses import cosine_similarity
from symbinfo.definitions.losses import focal_loss
from symbinfo.definitions.losses import hinge_loss
from symbinfo.definitions.losses import info_nce
from symbinfo.definitions.losses import mean_absolute_error
from symbinfo.definitions.losses import mean_squared_error
from symbinfo.definitions.losses import sample_mean
from symbinfo.definitions.losses import smooth_labels
from symbinfo.definitions.losses import softmax_cross_entropy
from symbinfo.definitions.measures import ConditionalEntropy
from symbinfo.definitions.measures import CrossEntropy
from symbinfo.definitions.measures import Entropy
from symbinfo.definitions.measures import InformationMeasure
from symbinfo.definitions.measures import JSDivergence
from symbinfo.definitions.measures import JointEntropy
from symbinfo.definitions.measures import KLDivergence
from symbinfo.definitions.measures import MutualInformation
from symbinfo.definitions.measures import Perplexity
from symbinfo.definitions.measures import conditional_entropy
from symbinfo.definitions.measures import cross_entropy
from symbinfo.definitions.measures import entropy
from symbinfo.definitions.measures import f_divergence
from symbinfo.definitions.measures import joint_entropy
from symbinfo.definitions.measures import js_divergence
from symbinfo.definitions.measures import kl_divergence
from symbinfo.definitions.measures import mutual_information
from symbinfo.definitions.measures import perplexity

__all__ = [
    "ConditionalEntropy", "CrossEntropy", "Entropy", "InformationMeasure", "JSDivergence",
    "JointEntropy", "KLDivergence", "MutualInformation", "Perplexity", "Sigmoid", "Softplus",
    "bce_with_logits", "binary_cross_entropy", "conditional_entropy", "cosine_similarity",
    "cross_entropy", "entropy", "f_divergence", "focal_loss", "hinge_loss", "info_nce", "information", "joint_entropy",
    "js_divergence", "kl_divergence", "log_softmax", "logsumexp", "mean_absolute_error",
    "mean_squared_error",
    "mutual_information", "perplexity", "rel_entr", "sample_mean", "sigmoid", "smooth_labels",
    "softmax", "softmax_cross_entropy", "softplus", "xlogy",
]
