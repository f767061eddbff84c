"""Avro values in the Confluent wire format, and the schema-registry port.

    byte 0: magic 0 | bytes 1-4: schema id (big-endian) | the Avro body (events.avro, schemaless)

The schema id names one (event_type, schema_version). Two adapters of the `SchemaRegistry` port:
- `FileSchemaRegistry` (default, no server): the committed `schemas/<EventType>/v<N>.avsc`; the id
  of a schema is a stable number derived from its full name (CRC-32 of `projfacts.events.vN.Type`,
  31 bits), so every process computes the same ids without coordination;
- `ConfluentSchemaRegistry`: a Confluent-compatible Schema Registry over HTTP (production), subject
  per record name (`projfacts.events.v1.ProjectRegistered`, RecordNameStrategy). A writer schema
  fetched by id must be one of our committed schemas (same canonical form), else it is refused.
"""
from __future__ import annotations

import json
import struct
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path
from threading import Lock
from typing import Protocol

from fastavro.schema import to_parsing_canonical_form

from events import avro
from events.envelope import Event
from events.errors import EventError

MAGIC = 0
HEADER = struct.Struct(">bI")


class WireError(EventError):
    """Bytes that are not a readable event (bad framing, unknown schema, bad Avro)."""


def frame(schema_id: int, body: bytes) -> bytes:
    return HEADER.pack(MAGIC, schema_id) + body


def unframe(data: bytes | None) -> tuple[int, bytes]:
    if not data or len(data) < HEADER.size:
        raise WireError(f"not in the Confluent wire format: {len(data or b'')} bytes, need at least 5")
    magic, schema_id = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise WireError(f"not in the Confluent wire format: magic byte {magic}, expected 0")
    return schema_id, data[HEADER.size:]


def full_name(event_type: str, version: int) -> str:
    return f"projfacts.events.v{version}.{event_type}"


def _canonical(schema: dict | str) -> str:
    return to_parsing_canonical_form(json.loads(schema) if isinstance(schema, str) else schema)


class SchemaRegistry(Protocol):
    def id_for(self, event_type: str, version: int) -> int:
        """The id to write (event_type, version) with."""

    def subject_of(self, schema_id: int) -> tuple[str, int]:
        """(event_type, version) of a schema id; WireError when unknown."""


def _committed_files(directory: Path | None) -> dict[tuple[str, int], str]:
    """(event_type, version) -> canonical form of the committed .avsc."""
    directory = directory or avro.SCHEMA_DIR
    return {(p.parent.name, int(p.stem.removeprefix("v"))): _canonical(p.read_text(encoding="utf-8"))
            for p in sorted(directory.glob("*/v*.avsc"))}


class FileSchemaRegistry:
    """The committed schema files; ids computed from names (no server)."""

    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory else None
        self._ids: dict[tuple[str, int], int] = {}
        self._keys: dict[int, tuple[str, int]] = {}
        for key in _committed_files(self.directory):
            schema_id = zlib.crc32(full_name(*key).encode()) & 0x7FFFFFFF
            if schema_id in self._keys:
                raise ValueError(f"schema id collision: {key} and {self._keys[schema_id]}")
            self._ids[key], self._keys[schema_id] = schema_id, key

    def id_for(self, event_type: str, version: int) -> int:
        try:
            return self._ids[(event_type, version)]
        except KeyError:
            raise WireError(f"no committed Avro schema for {event_type} v{version}", field="event_type") from None

    def subject_of(self, schema_id: int) -> tuple[str, int]:
        try:
            return self._keys[schema_id]
        except KeyError:
            raise WireError(f"unknown schema id {schema_id}") from None


class ConfluentSchemaRegistry:
    """Client of a Confluent-compatible Schema Registry (REST API v1), with an id cache."""

    CONTENT = "application/vnd.schemaregistry.v1+json"

    def __init__(self, url: str, *, register: bool = False, directory: str | Path | None = None,
                 timeout: float = 10.0):
        parsed = urllib.parse.urlsplit(url)
        self.base = urllib.parse.urlunsplit((parsed.scheme, parsed.hostname + (f":{parsed.port}" if parsed.port else ""),
                                             parsed.path.rstrip("/"), "", ""))
        self.auth = (urllib.parse.unquote(parsed.username or ""), urllib.parse.unquote(parsed.password or ""))
        self.register = register
        self.timeout = timeout
        self.directory = Path(directory) if directory else avro.SCHEMA_DIR
        self._local = _committed_files(self.directory)
        self._by_canonical = {text: key for key, text in self._local.items()}
        self._ids: dict[tuple[str, int], int] = {}
        self._keys: dict[int, tuple[str, int]] = {}
        self._lock = Lock()

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": self.CONTENT, "Accept": self.CONTENT})
        if self.auth[0]:
            import base64

            token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise RegistryHTTPError(error.code, f"schema registry {method} {path}: HTTP {error.code} {detail}") from None

    def id_for(self, event_type: str, version: int) -> int:
        key = (event_type, version)
        with self._lock:
            if key in self._ids:
                return self._ids[key]
        path = (self.directory / event_type / f"v{version}.avsc")
        if key not in self._local:
            raise WireError(f"no committed Avro schema for {event_type} v{version}", field="event_type")
        subject = urllib.parse.quote(full_name(event_type, version), safe="")
        body = {"schema": path.read_text(encoding="utf-8"), "schemaType": "AVRO"}
        try:
            answer = self._call("POST", f"/subjects/{subject}/versions" if self.register else f"/subjects/{subject}",
                                body)
        except RegistryHTTPError as error:
            if error.status == 404:
                raise WireError(f"{full_name(event_type, version)} is not registered in the schema registry "
                                f"(register it, or set schema_registry_register)", field="event_type") from None
            raise
        schema_id = int(answer["id"])
        with self._lock:
            self._ids[key], self._keys[schema_id] = schema_id, key
        return schema_id

    def subject_of(self, schema_id: int) -> tuple[str, int]:
        with self._lock:
            if schema_id in self._keys:
                return self._keys[schema_id]
        try:
            answer = self._call("GET", f"/schemas/ids/{schema_id}")
        except RegistryHTTPError as error:
            if error.status == 404:
                raise WireError(f"unknown schema id {schema_id}") from None
            raise
        key = self._by_canonical.get(_canonical(answer["schema"]))
        if key is None:
            raise WireError(f"schema id {schema_id} is not one of the committed projfacts schemas")
        with self._lock:
            self._ids.setdefault(key, schema_id)
            self._keys[schema_id] = key
        return key


class RegistryHTTPError(RuntimeError):
    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


def open_registry(spec: str = "file:", *, register: bool = False) -> SchemaRegistry:
    """`file:` (the committed schemas/), `file:/some/dir`, or `http(s)://…` (Confluent-compatible)."""
    if spec.startswith("file:"):
        return FileSchemaRegistry(spec.removeprefix("file:") or None)
    if spec.startswith(("http://", "https://")):
        return ConfluentSchemaRegistry(spec, register=register)
    raise ValueError(f"schema_registry must be file:[DIR] or an http(s) URL, got {spec!r}")


class EventSerde:
    """Events to and from wire bytes, with one registry."""

    def __init__(self, registry: SchemaRegistry | None = None):
        self.registry = registry or FileSchemaRegistry()

    def encode(self, event: Event) -> bytes:
        return frame(self.registry.id_for(event.event_type, event.schema_version), avro.encode(event))

    def decode(self, data: bytes | None) -> Event:
        """A validated event, or EventError (WireError for bytes that are no event at all)."""
        schema_id, body = unframe(data)
        event_type, version = self.registry.subject_of(schema_id)
        return avro.decode(body, event_type, version)
