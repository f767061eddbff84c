"""Following a history import: a replay that rebuilds the shadows as the log grows under the
importer, so that the import's own replay has only the swap left."""
from __future__ import annotations

from services.children import die_with_parent
from services.log.engine import make_engine
from services.log.store import EventStore
from services.readmodel.replay.late import LateRetractions
from services.readmodel.replay.plan import retarget, start
from services.readmodel.replay.worker import BATCH, run_worker


def follow(url: str, ticks, batch: int = BATCH, parent: int | None = None) -> None:
    """A replay that follows a history import into a store whose read model holds nothing, in its
    own process: a tick after each of the importer's transactions, None when it is done. It
    rebuilds the shadows by whole windows of `batch` log positions as the log grows (the windows a
    replay started afterwards would take: same tables, same figure chunks), and at the end up to
    the log's head; `replay(fresh=False)` then only swaps. Uses the importer's spare core: the
    validation workers wait on the writer. It dies with the importer (`parent`)."""
    die_with_parent(parent)
    engine = make_engine(url)
    log_store = EventStore(engine, migrate_schema=False)
    try:
        plan = start(engine, 1)
        late = LateRetractions()  # kept from run to run: the windows come in log order
        while True:
            final = ticks.recv() is None
            head = log_store.head()
            target = head if final else head // batch * batch
            if target > plan.target:
                plan = retarget(engine, plan, target)
                run_worker(url, plan, 0, batch, engine=engine, late=late)
            if final:
                return
    finally:
        engine.dispose()
