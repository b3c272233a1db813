"""Hugging Face Space entry point: the SignSparK demo.

The assembled Space folder holds the ``signspark`` package and the ``demo``
folder beside this file (see ``scripts/build_space.py``).
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("SIGNSPARK_ASSETS", str(HERE / "assets"))

from demo.app import build_demo, configure_threads, launch_kwargs, start_warm_up

configure_threads()
start_warm_up()
demo = build_demo()  # public: visitors choose the built-in or the official model, nothing else

if __name__ == "__main__":
    demo.queue(**launch_kwargs()["queue"]).launch(**launch_kwargs()["launch"])
