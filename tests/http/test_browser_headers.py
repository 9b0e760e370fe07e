"""Headers sent by the shared client agree with the impersonated browser profile."""

import pytest

from dropship_central.http import IMPERSONATE_PROFILES, ClientConfig, OutboundClient, browser_headers
from tests.loopback import Reply

# Per browser family: in the User-Agent, never in it, and the brand its client hints name (Safari sends none).
FAMILY_SIGNS = {
    "chrome": ("Chrome/", "Edg/", "Google Chrome"),
    "edge": ("Edg/", "Version/", "Microsoft Edge"),
    "safari": ("Version/", "Chrome/", None),
}


def _family(profile: str) -> str:
    return profile.rstrip("0123456789")


def _seen_headers(loopback, config: ClientConfig, **kwargs) -> dict[str, str]:
    loopback.route("/", Reply(body="ok"))
    client = OutboundClient(config)
    try:
        client.get(f"{loopback.url}/", **kwargs)
    finally:
        client.close()
    return loopback.requests[-1].headers


@pytest.mark.parametrize("profile", IMPERSONATE_PROFILES)
def test_user_agent_and_client_hints_match_the_profiles_browser(loopback, profile):
    headers = _seen_headers(loopback, ClientConfig(target="t", profiles=(profile,)))
    in_agent, not_in_agent, brand = FAMILY_SIGNS[_family(profile)]
    assert in_agent in headers["user-agent"]
    assert not_in_agent not in headers["user-agent"]
    if brand is None:
        assert "sec-ch-ua" not in headers
    else:
        assert brand in headers["sec-ch-ua"]


def test_the_rotating_profile_set_covers_chrome_safari_and_edge():
    assert {_family(profile) for profile in IMPERSONATE_PROFILES} == {"chrome", "safari", "edge"}


def test_a_configured_user_agent_never_replaces_the_profiles(loopback):
    config = ClientConfig(target="t", profiles=("safari260",), headers={"User-Agent": "python-requests/2.32"})
    headers = _seen_headers(loopback, config)
    assert "Version/26" in headers["user-agent"]


def test_a_per_request_user_agent_or_client_hint_is_dropped_too(loopback):
    config = ClientConfig(target="t", profiles=("chrome146",))
    headers = _seen_headers(loopback, config, headers={"user-agent": "curl/8", "Sec-CH-UA": '"Fake";v="1"'})
    assert "Chrome/146" in headers["user-agent"]
    assert "Fake" not in headers["sec-ch-ua"]


def test_accept_language_comes_from_the_config(loopback):
    headers = _seen_headers(loopback, ClientConfig(target="t", accept_language="de-DE,de;q=0.9,en;q=0.5"))
    assert headers["accept-language"] == "de-DE,de;q=0.9,en;q=0.5"


def test_a_request_may_set_its_own_accept_language_and_api_headers(loopback):
    headers = _seen_headers(
        loopback,
        ClientConfig(target="t"),
        headers={"accept-language": "uz-UZ", "Accept": "application/json", "Authorization": "Bearer x"},
    )
    assert headers["accept-language"] == "uz-UZ"
    assert headers["accept"] == "application/json"
    assert headers["authorization"] == "Bearer x"


def test_browser_headers_keeps_one_accept_language_whatever_its_case():
    assert browser_headers({"ACCEPT-LANGUAGE": "fr-FR"}, "en-US") == {"ACCEPT-LANGUAGE": "fr-FR"}
