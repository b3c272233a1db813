"""Generator tests run their small models on one thread: on a shared 2-core machine,
intra-op threading of tiny tensors costs far more than it saves."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
