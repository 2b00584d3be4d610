"""The push endpoint rule (core/domain/push_endpoint.py) and its settings: which URLs we will ever POST to."""

from __future__ import annotations

import pytest

from functions.core.config import Config, load
from functions.core.domain import push_endpoint
from functions.core.domain.push_endpoint import DEFAULT_HOSTS, Target, check, check_addresses
from functions.core.errors import PushEndpointNotAllowed


def reason(url: str, hosts: tuple[str, ...] = DEFAULT_HOSTS, allow_loopback: bool = False) -> str | None:
    """The refusal reason for `url`, or None when it is accepted."""
    try:
        check(url, hosts, allow_loopback)
    except PushEndpointNotAllowed as exc:
        assert exc.code == "push_endpoint_not_allowed" and exc.status == 400
        return exc.details["reason"]
    return None


@pytest.mark.parametrize("url", [
    "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH",
    "https://fcm.googleapis.com/wp/dQw4w9WgXcQ:APA91bH",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://web.push.apple.com/QGuQyavXutnMH0RjRaQe",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD%2bxyz",
    "https://FCM.GoogleApis.com/fcm/send/abc",  # host names are case-insensitive
    "https://fcm.googleapis.com:443/fcm/send/abc",  # the default port, spelled out
])
def test_the_push_services_browsers_use_are_accepted(url):
    assert reason(url) is None


def test_an_accepted_endpoint_targets_its_lower_case_host_on_443():
    assert check("https://Web.Push.Apple.com/x", DEFAULT_HOSTS) == Target("https", "web.push.apple.com", 443, False)


@pytest.mark.parametrize(("url", "why"), [
    ("https://169.254.169.254/latest/meta-data/", "ip_literal"),
    ("https://10.0.0.1/push", "ip_literal"),
    ("https://[fd00:ec2::254]/latest", "ip_literal"),
    ("https://[::ffff:169.254.169.254]/", "ip_literal"),
    ("https://2852039166/", "ip_literal"),  # 169.254.169.254 as one decimal number
    ("https://0xa9fea9fe/", "ip_literal"),  # ... in hex
    ("https://0251.0376.0251.0376/", "ip_literal"),  # ... in octal
    ("https://169.254.43518/", "ip_literal"),  # ... in the short form
    ("https://0x7f.1/", "ip_literal"),
    ("https://fcm.googleapis.com.0x10/", "ip_literal"),  # a numeric last label makes the host an IPv4 address
    ("https://metadata.google.internal/computeMetadata/v1/", "host_not_allowed"),
    ("https://fcm.googleapis.com.evil.example/x", "host_not_allowed"),
    ("https://evilfcm.googleapis.com/x", "host_not_allowed"),
    ("https://notify.windows.com/w/", "host_not_allowed"),  # a suffix entry matches subdomains only
    ("https://evilnotify.windows.com/w/", "host_not_allowed"),
    ("https://fcm.googleapis.com./x", "host_not_allowed"),  # a trailing dot: no browser sends one
    ("https://xn--fcm-googleapis-com.example/x", "host_not_allowed"),
    ("https://fcm.googleapis.com/x\u0131", "bad_url"),  # non-ASCII (an IDN or a lookalike) anywhere
    ("https://fcm.googleap\u0131s.com/x", "bad_url"),
    ("https://fcm.googleapis.com\\@evil.example/", "bad_url"),  # a backslash: parsers disagree on it
    ("https://fcm.googleapis.com /x", "bad_url"),
    ("https://fcm.googleapis.com:99999/x", "bad_url"),
    ("https://fcm.googleapis.com:+443/x", "bad_url"),
    ("https:///fcm/send/x", "bad_url"),
    ("not a url", "bad_url"),
    ("https://user:pw@fcm.googleapis.com/x", "userinfo"),
    ("https://fcm.googleapis.com@169.254.169.254/x", "userinfo"),
    ("http://fcm.googleapis.com/fcm/send/x", "scheme"),
    ("ftp://fcm.googleapis.com/x", "scheme"),
    ("https://fcm.googleapis.com:8443/fcm/send/x", "port"),
    ("https://fcm.googleapis.com:80/fcm/send/x", "port"),
])
def test_everything_else_is_refused_with_a_reason(url, why):
    assert reason(url) == why


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9000/push/abc", "https://127.0.0.1:9000/push/abc", "http://localhost:9000/push/abc",
    "http://LOCALHOST/push/abc", "http://[::1]:9000/push/abc",
])
def test_the_loopback_fake_is_accepted_only_when_allowed(url):
    assert reason(url, allow_loopback=True) is None
    assert reason(url) in ("ip_literal", "scheme", "host_not_allowed")


@pytest.mark.parametrize(("url", "why"), [
    ("http://127.0.0.2:9000/push/abc", "scheme"),  # loopback means these three names only
    ("https://127.1/push/abc", "ip_literal"),
    ("http://user@127.0.0.1:9000/push/abc", "userinfo"),
    ("ftp://127.0.0.1/push", "scheme"),
    ("http://169.254.169.254/latest", "scheme"),
    ("https://10.0.0.1/push", "ip_literal"),
])
def test_allowing_the_loopback_fake_allows_nothing_else(url, why):
    assert reason(url, allow_loopback=True) == why


@pytest.mark.parametrize("addresses", [
    ["10.0.0.1"], ["172.16.0.1"], ["192.168.1.1"], ["127.0.0.1"], ["169.254.169.254"], ["100.64.0.1"],
    ["0.0.0.0"], ["224.0.0.1"], ["239.255.255.250"], ["240.0.0.1"], ["255.255.255.255"], ["::1"], ["::"],
    ["fd00:ec2::254"], ["fe80::1%eth0"], ["ff02::1"], ["::ffff:10.0.0.1"], ["::ffff:169.254.169.254"],
    ["64:ff9b::a00:1"],  # NAT64 to 10.0.0.1
    ["142.250.66.10", "10.0.0.1"],  # one private address among public ones is enough to refuse
    [],
])
def test_a_push_service_host_that_resolves_to_a_non_public_address_is_refused(addresses):
    target = check("https://fcm.googleapis.com/x", DEFAULT_HOSTS)
    with pytest.raises(PushEndpointNotAllowed) as refused:
        check_addresses(target, addresses)
    assert refused.value.details == {"reason": "address_not_global"}


def test_the_first_checked_public_address_is_the_one_to_connect_to():
    target = check("https://fcm.googleapis.com/x", DEFAULT_HOSTS)
    assert check_addresses(target, ["142.250.66.10", "2404:6800:4005:81a::200a"]) == "142.250.66.10"
    assert check_addresses(target, ["64:ff9b::8efa:420a"]) == "64:ff9b::8efa:420a"  # NAT64 to a public one


def test_the_loopback_fake_must_resolve_to_loopback_only():
    target = check("http://localhost:9000/push/a", DEFAULT_HOSTS, allow_loopback=True)
    assert check_addresses(target, ["127.0.0.1", "::1"]) == "127.0.0.1"
    for addresses in (["10.0.0.1"], ["127.0.0.1", "169.254.169.254"], ["142.250.66.10"]):
        with pytest.raises(PushEndpointNotAllowed):
            check_addresses(target, addresses)


def test_suffix_entries_and_exact_entries():
    hosts = ("push.example.org", ".notify.windows.com")
    assert push_endpoint.host_allowed("push.example.org", hosts)
    assert not push_endpoint.host_allowed("a.push.example.org", hosts)
    assert push_endpoint.host_allowed("db5p.notify.windows.com", hosts)
    assert not push_endpoint.host_allowed("notify.windows.com", hosts)


# -- settings ----------------------------------------------------------------------------------------------


def test_the_default_hosts_are_the_four_push_services():
    assert load({}).push_hosts == ("fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com",
                                   ".notify.windows.com")


def test_push_hosts_come_from_the_environment_with_star_or_dot_suffixes():
    cfg = load({"MOTCUA_PUSH_HOSTS": " FCM.googleapis.com , *.Push.Example.org,.other.example ,"})
    assert cfg.push_hosts == ("fcm.googleapis.com", ".push.example.org", ".other.example")


@pytest.mark.parametrize("raw", ["10.0.0.1", "*.", "fcm.googleapis.com,localhost", "https://fcm.googleapis.com",
                                 "a b", ",", "2852039166", "[::1]"])
def test_a_push_host_that_is_not_a_host_name_is_refused_with_the_setting_name(raw):
    with pytest.raises(ValueError, match="MOTCUA_PUSH_HOSTS"):
        load({"MOTCUA_PUSH_HOSTS": raw})


@pytest.mark.parametrize(("env", "allowed"), [
    ({"MOTCUA_STAGE": "local"}, True), ({"MOTCUA_STAGE": "test"}, True), ({"MOTCUA_STAGE": "dev"}, False),
    ({"MOTCUA_STAGE": "prod"}, False), ({"MOTCUA_STAGE": "test", "MOTCUA_PUSH_ALLOW_LOOPBACK": "false"}, False),
    # The packaged dev zip is tested against the loopback fake; only prod can never allow it.
    ({"MOTCUA_STAGE": "dev", "MOTCUA_PUSH_ALLOW_LOOPBACK": "true"}, True),
])
def test_the_loopback_fake_is_allowed_by_default_in_local_and_test_runs_only(env, allowed):
    assert load(env).allows_loopback_push is allowed


def test_config_objects_follow_their_stage_too():
    assert Config(stage="test").allows_loopback_push and not Config(stage="prod").allows_loopback_push


@pytest.mark.parametrize("env", [{"MOTCUA_STAGE": "prod", "MOTCUA_PUSH_ALLOW_LOOPBACK": "true"},
                                 {"MOTCUA_PUSH_ALLOW_LOOPBACK": "yes please"}])
def test_loopback_push_in_prod_or_a_non_boolean_is_refused(env):
    with pytest.raises(ValueError, match="MOTCUA_PUSH_ALLOW_LOOPBACK"):
        load(env)
