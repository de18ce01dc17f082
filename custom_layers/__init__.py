"""The course's Keras 3 components.

`MomentumOptimizer` and `AdamOptimizer` (the slides' update rules) and
`DropConnectDense` (Wan et al., 2013), written with `keras.ops` only.

Importing the package registers the three classes with Keras (package
`custom_layers`), so models that use them load with `keras.saving.load_model`.
"""

from custom_layers.dropconnect import DropConnectDense
from custom_layers.optimizers import AdamOptimizer
from custom_layers.optimizers import MomentumOptimizer

__all__ = ["AdamOptimizer", "DropConnectDense", "MomentumOptimizer"]
