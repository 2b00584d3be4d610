"""The object-storage adapter: the private documents bucket in S3 (moto's S3 locally), plus a fake.

Browsers upload straight to the bucket with a presigned POST; the server then reads the object back,
checks it and stores a clean copy. Links are short-lived and objects are never public.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from functions.core.config import Config
from functions.core.errors import DependencyUnavailable


class Storage(Protocol):
    """What the submit and status functions need from object storage."""

    def check(self) -> str:
        """'ok' when the bucket is there and reachable; DependencyUnavailable otherwise."""
        ...

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict[str, Any]:
        """`{"url", "fields"}` for one browser upload of `key` (after checking the bucket is there)."""
        ...

    def size(self, key: str) -> int | None:
        """The stored object's real size (HEAD), or None when it is not there."""
        ...

    def read(self, key: str) -> bytes:
        """The object's bytes (callers check the size first)."""
        ...

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under `key` (encrypted by the bucket's default key)."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; no error when it is already gone."""
        ...

    def presigned_get(self, key: str, expires: int) -> str:
        """A short-lived download link."""
        ...


# HEAD answers carry no body, so a missing key and a missing bucket both come back as a bare 404.
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
_BUCKET_MISSING = frozenset({"404", "NoSuchBucket", "NotFound"})
_DENIED = frozenset({"403", "AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch"})


def _code(exc: Exception) -> str:
    """S3's error code of a ClientError ('' for network and client-side failures)."""
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _unavailable(exc: Exception, operation: str) -> DependencyUnavailable:
    """The 503 for a failed S3 call, saying which kind of failure it was (never the bucket's name)."""
    code = _code(exc)
    reason = ("bucket_missing" if code in _BUCKET_MISSING else "access_denied" if code in _DENIED
              else "error" if code else "unreachable")
    return DependencyUnavailable(details={"service": "s3", "operation": operation, "reason": reason})


@lru_cache(maxsize=4)
def _client(region: str, endpoint: str | None) -> Any:
    import boto3
    from botocore.config import Config as BotoConfig

    # Path-style for the emulator (no wildcard DNS on localhost); virtual-hosted in AWS.
    style = "path" if endpoint else "virtual"
    return boto3.client("s3", region_name=region, endpoint_url=endpoint,
                        config=BotoConfig(signature_version="s3v4", s3={"addressing_style": style}))


class S3Storage:
    """The documents bucket through boto3; any S3 or network failure becomes DependencyUnavailable."""

    def __init__(self, config: Config, client: Any = None) -> None:
        self.bucket = config.documents_bucket
        self._config = config
        self._given = client

    @property
    def _s3(self) -> Any:
        return self._given or _client(self._config.region, self._config.aws_endpoint_url)

    def _call(self, operation: str, **params: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self._s3, operation)(Bucket=self.bucket, **params)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc, operation) from exc

    def check(self) -> str:
        """HeadBucket: 'ok', or DependencyUnavailable naming S3 when the bucket is missing or refused."""
        if not self.bucket:
            raise DependencyUnavailable(details={"service": "s3", "operation": "head_bucket",
                                                 "reason": "not_configured"})
        self._call("head_bucket")
        return "ok"

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict[str, Any]:
        """Presigned POST pinned to this key, this content type and 1..max_bytes bytes."""
        # Signing is local and succeeds for any bucket name: check first, or the phone uploads into a void.
        self.check()
        post = self._call("generate_presigned_post", Key=key, Fields={"Content-Type": content_type},
                          Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
                          ExpiresIn=expires)
        return {"url": post["url"], "fields": post["fields"]}

    def size(self, key: str) -> int | None:
        """HEAD the object: its ContentLength, or None when the object (not the bucket) is missing."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return int(self._s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except (BotoCoreError, ClientError) as exc:
            if _code(exc) not in _NOT_FOUND:
                raise _unavailable(exc, "head_object") from exc
        self.check()  # a bare 404 may mean the bucket itself is gone: that is a 503, not "upload again"
        return None

    def read(self, key: str) -> bytes:
        """GET the whole object."""
        return self._call("get_object", Key=key)["Body"].read()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """PUT the object; the bucket's default SSE-KMS encrypts it."""
        self._call("put_object", Key=key, Body=data, ContentType=content_type)

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers 204 for a missing key too)."""
        self._call("delete_object", Key=key)

    def presigned_get(self, key: str, expires: int) -> str:
        """A presigned GET URL valid for `expires` seconds."""
        from botocore.exceptions import BotoCoreError

        try:
            return self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                   ExpiresIn=expires)
        except BotoCoreError as exc:
            raise _unavailable(exc, "generate_presigned_url") from exc


@dataclass
class FakeStorage:
    """In-memory storage that records calls; `objects` can be filled to simulate a browser upload."""

    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def check(self) -> str:
        """Always there."""
        self.calls.append(("check", ""))
        return "ok"

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict[str, Any]:
        """Records the policy it would sign."""
        self.calls.append(("presigned_post", key))
        return {"url": "https://fake-bucket.invalid/", "fields": {"key": key, "Content-Type": content_type,
                                                                  "max_bytes": str(max_bytes)}}

    def size(self, key: str) -> int | None:
        """Size of a stored object or None."""
        self.calls.append(("size", key))
        return len(self.objects[key][0]) if key in self.objects else None

    def read(self, key: str) -> bytes:
        """Stored bytes."""
        self.calls.append(("read", key))
        return self.objects[key][0]

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes."""
        self.calls.append(("put", key))
        self.objects[key] = (data, content_type)

    def delete(self, key: str) -> None:
        """Forget bytes."""
        self.calls.append(("delete", key))
        self.objects.pop(key, None)

    def presigned_get(self, key: str, expires: int) -> str:
        """A fake link naming the key."""
        self.calls.append(("presigned_get", key))
        return f"https://fake-bucket.invalid/{key}?expires={expires}"


def for_config(config: Config) -> Storage:
    """The real bucket of this configuration."""
    return S3Storage(config)
