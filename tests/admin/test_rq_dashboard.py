from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

RQ_URL = "/admin/rq/"


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_rq_dashboard_is_mounted_under_the_admin():
    assert reverse("django_rq:home") == RQ_URL


def test_staff_user_reaches_the_rq_dashboard(db, redis_conn):
    staff = UserFactory(is_staff=True)

    response = _client_for(staff).get(RQ_URL)

    assert response.status_code == 200
    assert b"scrape" in response.content


def test_customer_is_sent_to_the_admin_login_instead_of_the_rq_dashboard(db, redis_conn):
    customer = UserFactory(is_staff=False)

    response = _client_for(customer).get(RQ_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitor_cannot_see_the_rq_dashboard(db, redis_conn):
    response = Client().get(RQ_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_index_links_to_the_rq_dashboard(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert f'href="{RQ_URL}"' in response.content.decode()
