"""The host without encryption at rest, for the benchmarks' comparison only: `seal_step` writes the plain JSON
(which the loader reads as rows from before encryption). Used as `with PlainSealing(): ...`."""

from __future__ import annotations


class PlainSealing:
    def __enter__(self):
        from engine.core.config import json_dumps
        from engine.instances import sealed

        self.module, self.sealed = sealed, sealed.seal_step
        sealed.seal_step = lambda cipher, instance_id, state, variables: (
            state.encode(),
            json_dumps(variables).encode(),
        )
        return self

    def __exit__(self, *exc):
        self.module.seal_step = self.sealed
