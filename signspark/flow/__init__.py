"""The generator: UNet velocity model, flow-matching objective, few-step samplers with
keyframes held fixed and classifier-free guidance, and import of the released checkpoints.

* :mod:`.config`      :class:`UNetConfig` and its presets (``official``, ``small``, ``tiny``)
* :mod:`.blocks`      RMSNorm, AdaLN-zero, residual temporal blocks, RoPE transformer block
* :mod:`.unet`        :class:`VelocityUNet`
* :mod:`.objective`   :class:`FlowObjective` (training loss)
* :mod:`.samplers`    Euler / Heun / midpoint, :class:`GuidedField`, :func:`sample`
* :mod:`.multistream` one full model or hand + body + face models -> 296 full-body channels
* :mod:`.official`    released ``<stream>/ema_0.9999_<iter>.pt`` checkpoints
"""

from .config import PRESETS, UNetConfig
from .objective import FlowObjective, LossWeights
from .samplers import GuidedField, SampleResult, expected_nfe, sample
from .unet import VelocityUNet, count_parameters

__all__ = [
    "PRESETS", "UNetConfig", "VelocityUNet", "count_parameters", "FlowObjective", "LossWeights",
    "GuidedField", "SampleResult", "sample", "expected_nfe",
]
