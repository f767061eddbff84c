"""The Confluent wire format and both schema-registry adapters (the HTTP one against a fake server)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from events import avro
from events.codec import validate_object
from helpers import event
from services.bus.wire import (ConfluentSchemaRegistry, EventSerde, FileSchemaRegistry, WireError, frame, full_name,
                               open_registry, unframe)


def test_frame_is_magic_byte_then_big_endian_id_then_body():
    data = frame(0x01020304, b"body")
    assert data == b"\x00\x01\x02\x03\x04body"
    assert unframe(data) == (0x01020304, b"body")


@pytest.mark.parametrize("data", [None, b"", b"\x00\x00\x00", b"\x01\x00\x00\x00\x01x"])
def test_unframe_refuses_what_is_not_the_wire_format(data):
    with pytest.raises(WireError, match="Confluent wire format"):
        unframe(data)


def test_file_registry_ids_are_stable_and_cover_every_committed_schema():
    registry = FileSchemaRegistry()
    assert set(registry._ids) == set(avro.load_schemas())
    assert registry.id_for("ProjectRegistered", 1) == FileSchemaRegistry().id_for("ProjectRegistered", 1)
    for key, schema_id in registry._ids.items():
        assert registry.subject_of(schema_id) == key
    with pytest.raises(WireError, match="unknown schema id"):
        registry.subject_of(7)


@pytest.mark.parametrize("event_type", ["ProjectRegistered", "InvestmentReported", "TargetSet", "EventRetracted"])
def test_events_round_trip_through_the_wire(event_type):
    serde = EventSerde(FileSchemaRegistry())
    original = validate_object(event(event_type, recorded_at="2025-03-01T10:00:00+08:00"))
    assert serde.decode(serde.encode(original)) == original


class FakeRegistry(BaseHTTPRequestHandler):
    """POST /subjects/S/versions (register), POST /subjects/S (look up), GET /schemas/ids/N."""

    subjects: dict = {}
    schemas: dict = {}

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        parts = self.path.strip("/").split("/")
        subject = parts[1]
        if parts[-1] == "versions":
            schema_id = self.subjects.setdefault(subject, 100 + len(self.subjects))
            self.schemas[schema_id] = body["schema"]
            return self._reply(200, {"id": schema_id})
        if subject in self.subjects:
            return self._reply(200, {"id": self.subjects[subject], "subject": subject, "version": 1})
        return self._reply(404, {"error_code": 40401, "message": "Subject not found"})

    def do_GET(self):
        schema_id = int(self.path.rsplit("/", 1)[1])
        if schema_id in self.schemas:
            return self._reply(200, {"schema": self.schemas[schema_id]})
        return self._reply(404, {"error_code": 40403, "message": "Schema not found"})

    def log_message(self, *args):
        pass


@pytest.fixture
def registry_url():
    FakeRegistry.subjects, FakeRegistry.schemas = {}, {}
    server = HTTPServer(("127.0.0.1", 0), FakeRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_confluent_registry_registers_looks_up_and_resolves_ids(registry_url):
    reader = open_registry(registry_url)  # look-up only
    with pytest.raises(WireError, match="not registered"):
        reader.id_for("TargetSet", 1)
    writer = ConfluentSchemaRegistry(registry_url, register=True)
    serde = EventSerde(writer)
    original = validate_object(event("TargetSet"))
    data = serde.encode(original)
    assert FakeRegistry.subjects == {full_name("TargetSet", 1): 100}
    assert unframe(data)[0] == 100
    assert reader.id_for("TargetSet", 1) == 100  # now it is registered
    assert EventSerde(ConfluentSchemaRegistry(registry_url)).decode(data) == original  # id → schema → type


def test_confluent_registry_refuses_a_foreign_schema(registry_url):
    FakeRegistry.schemas[555] = json.dumps({"type": "record", "name": "Other", "fields": []})
    with pytest.raises(WireError, match="not one of the committed"):
        ConfluentSchemaRegistry(registry_url).subject_of(555)
    with pytest.raises(WireError, match="unknown schema id 556"):
        ConfluentSchemaRegistry(registry_url).subject_of(556)
