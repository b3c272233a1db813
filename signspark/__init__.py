"""SignSparK: text and keyframes to 3D signing.

Heavy submodules (flow, render, text encoders) are imported on use, so
``import signspark`` stays fast.
"""

__version__ = "0.1.0"
