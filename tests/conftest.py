"""Shared test settings: hypothesis profiles.

``ci`` (selected when the CI environment variable is set): derandomized, a few
hundred examples in all, no deadline (torch's first calls are slow). ``dev``
(the default): more examples, random. Choose one with HYPOTHESIS_PROFILE=name.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=70, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
