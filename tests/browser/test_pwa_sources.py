"""Static checks on pwa/ that need no browser: translations, the precache list, CSP-safe markup."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "pwa"
LANGUAGES = ("vi", "en")
# Every code the API may answer with must have a text in each language.
ERROR_CODES = (
    "invalid_json",
    "not_found",
    "method_not_allowed",
    "payload_too_large",
    "validation_failed",
    "unauthorized",
    "forbidden",
    "conflict",
    "rate_limited",
    "dependency_unavailable",
    "internal_error",
    "network",
    "unknown",
    "phone_invalid",
    "phone_country_not_supported",
    "otp_rate_limited",
    "otp_invalid",
    "otp_expired",
    "otp_locked",
    "sms_unavailable",
    "csrf_failed",
    # Uploads and submission (/api/submit) and the upload client's own failures.
    "upload_too_large",
    "upload_type_not_allowed",
    "upload_corrupt",
    "upload_incomplete",
    "upload_failed",
    "timeout",
    "idempotency_key_required",
    "idempotency_key_reused",
    "profile_required",
    "invalid_cursor",
    # The status desk's own refusals (issue 13): the officer's and the citizen's.
    "apology_required",
    "payment_required",
    "rating_closed",
    "reopen_used",  # a complaint is reopened once
)
# Every per-field code in a validation_failed's details.fields (the profile, uploads and submissions).
FIELD_CODES = (
    "required",
    "invalid_type",
    "too_short",
    "too_long",
    "invalid_characters",
    "invalid_date",
    "in_future",
    "too_young",
    "too_old",
    "citizen_id_format",
    "citizen_id_province",
    "citizen_id_dob_mismatch",
    "province_unknown",
    "commune_unknown",
    "commune_not_in_province",
    "unknown_field",
    "not_allowed",
    "bad_format",
    "too_small",
    "too_large",
    "not_valid",
    "unknown",
    "unknown_slot",
    "duplicate",
    "too_few_pages",
    "too_many_pages",
    "document_not_found",
    "document_not_verified",
    "document_in_use",
    "wrong_slot",
    "not_offered",
    "range_too_long",
    "range_reversed",
    "not_with_range",
)
# The limits a 429 otp_rate_limited names in details.limit; each gets its own "please wait {wait}" text.
OTP_LIMITS = ("number_cooldown", "number_daily", "ip_hourly")
ITEM = re.compile(r"'([^']+)'|\b(OFFLINE_PAGE)\b")
# Any quoted "section.key" literal: keys reach t() directly or through tx(), setText(), field labels...
KEY_IN_JS = re.compile(r"""'([a-z_]+(?:\.[a-z_]+)+)'""")


def main_catalog(language: str) -> dict:
    """The texts every screen may use: /i18n/<lang>.json."""
    return json.loads((PWA / "i18n" / f"{language}.json").read_text(encoding="utf-8"))


def catalog(language: str) -> dict:
    """The main catalog plus every bundle (/i18n/<bundle>/<lang>.json), as the app sees them once loaded."""
    merged = main_catalog(language)
    for bundle in sorted((PWA / "i18n").glob(f"*/{language}.json")):
        extra = json.loads(bundle.read_text(encoding="utf-8"))
        assert not set(extra) & set(merged), f"{bundle} repeats sections of another catalog"
        merged.update(extra)
    return merged


def flat_keys(node: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, value in node.items():
        path = f"{prefix}{name}"
        keys |= flat_keys(value, f"{path}.") if isinstance(value, dict) else {path}
    return keys


def precache_list(name: str = "SHELL_FILES") -> list[str]:
    source = (PWA / "sw.js").read_text(encoding="utf-8")
    block = re.search(rf"const {name} = \[(.*?)\];", source, re.S).group(1)
    block = re.sub(r"//.*", "", block)
    offline_page = re.search(r"const OFFLINE_PAGE = '([^']+)';", source).group(1)
    return [offline_page if name == "OFFLINE_PAGE" else path for path, name in ITEM.findall(block)]


class MarkupAudit(HTMLParser):
    """Collects what a strict CSP (no inline script or style) would block, and the keys and favicon used."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.i18n_keys: set[str] = set()
        self.favicon = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style" or (tag == "script" and "src" not in names):
            self.blocked.append(f"<{tag}>")
        self.blocked += [f"{tag}[{name}]" for name in names if name == "style" or name.startswith("on")]
        self.i18n_keys |= {v for k, v in attrs if k in ("data-i18n", "data-i18n-aria-label") and v}
        if tag == "link" and names.get("rel") == "icon":
            self.favicon = names.get("href") or ""


def test_both_languages_have_exactly_the_same_keys() -> None:
    assert flat_keys(main_catalog("vi")) == flat_keys(main_catalog("en"))
    for bundle in (PWA / "i18n").glob("*/vi.json"):
        english = bundle.with_name("en.json")
        assert flat_keys(json.loads(bundle.read_text(encoding="utf-8"))) == flat_keys(
            json.loads(english.read_text(encoding="utf-8"))), bundle.parent.name


def test_the_shell_uses_only_texts_of_the_main_catalog() -> None:
    """Bundles load with their screens; the home screen and the shell must not wait for one."""
    keys = flat_keys(main_catalog("vi"))
    bundle_sections = set(catalog("vi")) - set(main_catalog("vi"))
    for path in precache_list():
        if path.endswith(".js"):
            source = (PWA / path.lstrip("/")).read_text(encoding="utf-8")
            used = {k for k in KEY_IN_JS.findall(source) if k.split(".")[0] in bundle_sections}
            assert used == set(), (path, sorted(used))
    assert keys


def test_every_api_error_code_has_a_text_in_both_languages() -> None:
    for language in LANGUAGES:
        errors = catalog(language)["errors"]
        missing = [code for code in ERROR_CODES if not errors.get(code)]
        assert missing == [], language


def test_every_profile_field_code_has_a_text_in_both_languages() -> None:
    for language in LANGUAGES:
        fields = catalog(language)["fields"]
        assert [code for code in FIELD_CODES if not fields.get(code)] == [], language


def test_every_sms_code_limit_says_how_long_to_wait_in_both_languages() -> None:
    for language in LANGUAGES:
        waits = catalog(language)["sign_in"]["wait"]
        for limit in (*OTP_LIMITS, "other"):
            assert "{wait}" in waits[limit], (language, limit)


def test_every_key_used_by_the_page_and_scripts_exists() -> None:
    audit = MarkupAudit()
    audit.feed((PWA / "index.html").read_text(encoding="utf-8"))
    used = set(audit.i18n_keys)
    sections = set(catalog("vi"))
    for script in (PWA / "js").rglob("*.js"):
        used |= {key for key in KEY_IN_JS.findall(script.read_text(encoding="utf-8")) if key.split(".")[0] in sections}
    keys = flat_keys(catalog("vi"))
    plural_bases = {key.rsplit(".", 1)[0] for key in keys}
    assert used, "no translation keys found"
    assert sorted(key for key in used if key not in keys and key not in plural_bases) == []


def test_index_html_has_no_inline_script_or_style_for_the_csp_to_block() -> None:
    audit = MarkupAudit()
    audit.feed((PWA / "index.html").read_text(encoding="utf-8"))
    assert audit.blocked == []


def test_every_static_import_of_a_precached_module_is_precached_too() -> None:
    """The shell must run offline: a precached module may not statically import an on-demand one."""
    shell = set(precache_list())
    for path in shell:
        if path.endswith(".js"):
            source = (PWA / path.lstrip("/")).read_text(encoding="utf-8")
            imported = {f"/js/{name}" for name in re.findall(r"^import\b[^;]*?from '\./([^']+)';", source, re.M)}
            assert imported <= shell, (path, sorted(imported - shell))


def test_service_worker_lists_every_shell_file_once_and_only_existing_ones() -> None:
    """Each code or text file is precached or cached on first use, never both, never missing."""
    shell, on_demand = precache_list(), precache_list("ON_DEMAND_FILES")
    listed = shell + on_demand
    audit = MarkupAudit()
    audit.feed((PWA / "index.html").read_text(encoding="utf-8"))
    code_and_text = {
        "/" + path.relative_to(PWA).as_posix()
        for folder in ("js", "css", "i18n")
        for path in (PWA / folder).rglob("*")
        if path.is_file()
    }
    needed = code_and_text | {"/", "/manifest.webmanifest", audit.favicon}
    assert needed <= set(listed), sorted(needed - set(listed))
    assert all(path == "/" or (PWA / path.lstrip("/")).is_file() for path in listed)
    assert len(listed) == len(set(listed))


def test_every_delivery_method_and_draft_state_has_its_texts_in_both_languages() -> None:
    """Keys built at run time (apply.method_<m>, receipt.next_<m>, drafts.state_<s>) escape the scan above."""
    methods = ("post", "pickup", "electronic")
    needed = {f"apply.method_{m}" for m in methods} | {f"apply.method_{m}_hint" for m in methods}
    needed |= {f"receipt.next_{m}" for m in methods} | {"apply.method_none", "status.unknown", "status.submitted"}
    needed |= {f"drafts.state_{s}" for s in ("draft", "queued", "returned")}
    for language in LANGUAGES:
        assert sorted(needed - flat_keys(catalog(language))) == [], language
