"""The traits' quantiles computed in pieces, in threads, are the very numbers of one call."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaincinv, gammaincinv

from sim.model import traits


@pytest.mark.parametrize(
    "size", [1, traits.PARALLEL_FROM - 1, 2 * traits.PARALLEL_FROM + 7, 5 * traits.PARALLEL_FROM + 3]
)
def test_pieces_in_threads_give_one_calls_numbers(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(traits, "_cores", lambda: 4)  # pieces even on a machine of one core
    u = np.random.default_rng(size).random(size)
    u[:3] = [0.0, 0.5, 1.0 - 2.0**-53][:size]
    assert np.array_equal(traits.beta_quantiles(0.8, 0.06, u), betaincinv(*traits.beta_parameters(0.8, 0.06), u))
    shape, scale = traits.gamma_parameters(0.7, 0.8)
    assert np.array_equal(traits.gamma_quantiles(0.7, 0.8, u), gammaincinv(shape, u) * scale)
