"""Settings shared by the bracket engine tests: hypothesis kept quick on a two-core machine."""

from hypothesis import settings

settings.register_profile("brackets", max_examples=100, deadline=None)
settings.load_profile("brackets")
