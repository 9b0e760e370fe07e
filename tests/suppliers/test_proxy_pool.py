"""Proxy health scoring, choice, rotation, quarantine and re-checks."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dropship_central.http import ClientConfig, OutboundClient
from suppliers import services
from suppliers.models import Proxy
from suppliers.plugins.base import CaptchaError
from suppliers.proxies import NoProxyAvailableError, ProxyPool, proxy_url
from tests.factories import ProxyFactory, SupplierFactory
from tests.loopback import Reply

pytestmark = pytest.mark.django_db


def test_success_raises_the_score_up_to_100():
    proxy = ProxyFactory(health_score=97)
    services.proxy_record_success(proxy_id=proxy.pk)
    services.proxy_record_success(proxy_id=proxy.pk)
    proxy.refresh_from_db()
    assert proxy.health_score == 100
    assert proxy.successes == 2
    assert proxy.last_success_at is not None


def test_a_captcha_costs_more_than_a_timeout():
    captcha, timeout = ProxyFactory(health_score=80), ProxyFactory(health_score=80)
    services.proxy_record_failure(proxy_id=captcha.pk, outcome="captcha")
    services.proxy_record_failure(proxy_id=timeout.pk, outcome="timeout")
    captcha.refresh_from_db()
    timeout.refresh_from_db()
    assert captcha.health_score == 55
    assert timeout.health_score == 65
    assert captcha.last_failure_reason.startswith("captcha")


def test_score_never_goes_below_zero_and_a_sick_proxy_is_quarantined():
    proxy = ProxyFactory(health_score=10)
    services.proxy_record_failure(proxy_id=proxy.pk, outcome="captcha")
    proxy.refresh_from_db()
    assert proxy.health_score == 0
    assert proxy.quarantined_until > timezone.now()
    assert proxy.consecutive_failures == 1


def test_pool_goes_direct_without_proxies():
    lease = ProxyPool(SupplierFactory()).acquire()
    assert lease.url is None


def test_pool_refuses_when_proxies_are_required_and_none_is_healthy():
    supplier = SupplierFactory(require_proxy=True)
    ProxyFactory(quarantined_until=timezone.now() + timedelta(minutes=5))
    with pytest.raises(NoProxyAvailableError):
        ProxyPool(supplier).acquire()


def test_pool_skips_quarantined_inactive_and_other_suppliers_proxies():
    supplier = SupplierFactory()
    good = ProxyFactory()
    ProxyFactory(quarantined_until=timezone.now() - timedelta(minutes=1))
    ProxyFactory(is_active=False)
    ProxyFactory(supplier=SupplierFactory(slug="uzum"))
    pool = ProxyPool(supplier)
    assert {pool.acquire().proxy_id for _ in range(30)} == {good.pk}


def test_pool_prefers_healthy_proxies():
    supplier = SupplierFactory(rotate_proxy_every=1)
    healthy, sick = ProxyFactory(health_score=100), ProxyFactory(health_score=5)
    ProxyFactory(health_score=100)  # rotation never re-picks the proxy it rotates away from
    pool = ProxyPool(supplier)
    picks = [pool.acquire().proxy_id for _ in range(400)]
    assert picks.count(healthy.pk) > picks.count(sick.pk) * 5


def test_pool_rotates_every_n_requests():
    supplier = SupplierFactory(rotate_proxy_every=3)
    for _ in range(5):
        ProxyFactory()
    pool = ProxyPool(supplier)
    ids = [pool.acquire().proxy_id for _ in range(9)]
    assert ids[0] == ids[1] == ids[2]
    assert ids[3] == ids[4] == ids[5]


def test_a_failed_attempt_rotates_to_another_proxy_and_scores_both(loopback, loopback_proxy):
    from tests.loopback import LoopbackProxy

    second = LoopbackProxy().start()
    try:
        supplier = SupplierFactory(rotate_proxy_every=100)
        first_proxy = ProxyFactory(host="127.0.0.1", port=loopback_proxy.port, health_score=100)
        second_proxy = ProxyFactory(host="127.0.0.1", port=second.port, health_score=100)
        loopback.route("/dp/X", Reply(body="captcha"), Reply(body="product"))

        def validate(result) -> None:
            if result.text == "captcha":
                raise CaptchaError("captcha")

        pool = ProxyPool(supplier)
        client = OutboundClient(ClientConfig(target="t", backoff_initial=0.01, backoff_max=0.02), proxies=pool)
        assert client.get(f"{loopback.url}/dp/X", validate=validate).text == "product"
        first_proxy.refresh_from_db()
        second_proxy.refresh_from_db()
        scores = sorted([first_proxy.health_score, second_proxy.health_score])
        assert scores == [75, 100]
        assert len(loopback_proxy.relayed) + len(second.relayed) == 2
    finally:
        second.stop()


def test_proxy_check_through_a_working_and_a_failing_proxy(loopback, loopback_proxy):
    loopback.route("/robots.txt", Reply(body="User-agent: *"))
    proxy = ProxyFactory(host="127.0.0.1", port=loopback_proxy.port)
    assert services.proxy_check(proxy=proxy, url=f"{loopback.url}/robots.txt").ok
    loopback_proxy.fail_with = 502
    check = services.proxy_check(proxy=proxy, url=f"{loopback.url}/robots.txt")
    assert not check.ok


def test_recheck_lifts_quarantine_of_a_healthy_proxy(loopback, loopback_proxy, settings):
    loopback.route("/robots.txt", Reply(body="ok"))
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    healthy = ProxyFactory(
        host="127.0.0.1",
        port=loopback_proxy.port,
        health_score=0,
        quarantined_until=timezone.now() - timedelta(seconds=1),
    )
    assert services.proxies_recheck() == {"released": 1, "kept": 0}
    healthy.refresh_from_db()
    assert healthy.quarantined_until is None
    assert healthy.health_score == 50


def test_recheck_keeps_a_dead_proxy_out_longer(loopback, settings):
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    dead = ProxyFactory(host="127.0.0.1", port=1, quarantined_until=timezone.now() - timedelta(seconds=1))
    assert services.proxies_recheck() == {"released": 0, "kept": 1}
    dead.refresh_from_db()
    assert dead.quarantined_until > timezone.now()


def test_proxy_url_quotes_credentials_and_uses_remote_dns_for_socks():
    proxy = ProxyFactory(scheme="socks5", host="p.example", port=1080, username="u@x", password="p:ss")
    assert proxy_url(proxy) == "socks5h://u%40x:p%3Ass@p.example:1080"


def test_import_proxies_reports_bad_lines_and_keeps_good_ones(tmp_path, capsys):
    path = tmp_path / "proxies.txt"
    path.write_text(
        "http://10.1.1.1:8080\n"
        "# a comment\n"
        "socks5://user:secret@10.1.1.2:1080\n"
        "ftp://10.1.1.3:21\n"
        "http://10.1.1.4:99999\n"
        "http://10.1.1.1:8080\n"
    )
    call_command("import_proxies", str(path))
    out, err = capsys.readouterr()
    assert "2 proxies added, 1 already known, 2 bad lines" in out
    assert f"{path}:4:" in err
    assert f"{path}:5:" in err
    socks = Proxy.objects.get(host="10.1.1.2")
    assert socks.username == "user"
    assert socks.password == "secret"


def test_proxy_password_is_encrypted_at_rest():
    from django.db import connection

    ProxyFactory(host="10.9.9.9", username="u", password="plain-secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM suppliers_proxy WHERE host = '10.9.9.9'")
        stored = cursor.fetchone()[0]
    assert "plain-secret" not in stored
    assert Proxy.objects.get(host="10.9.9.9").password == "plain-secret"


def test_import_proxies_fails_on_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_proxies", str(tmp_path / "absent.txt"))
