import pytest

from dropship_central.models import AuditLog, Job
from tests.core_jobs.conftest import rq_job_ids
from tests.factories import JobFactory


@pytest.fixture
def own_job(user):
    return JobFactory(user=user, type="catalog.jobs.product_import", status=Job.Status.SUCCESS, result={"id": 7})


@pytest.fixture
def others_job(other_user):
    return JobFactory(user=other_user, status=Job.Status.FAILED, error="RuntimeError: boom")


def test_list_shows_only_own_jobs(auth_client, own_job, others_job):
    response = auth_client.get("/api/v1/jobs")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(own_job.pk)]


def test_list_filters_by_status(auth_client, user, own_job):
    failed = JobFactory(user=user, status=Job.Status.FAILED)
    response = auth_client.get("/api/v1/jobs", {"status": "failed"})
    assert [row["id"] for row in response.json()["results"]] == [str(failed.pk)]


def test_list_filters_by_type(auth_client, user, own_job):
    JobFactory(user=user, type="listings.jobs.listing_sync")
    response = auth_client.get("/api/v1/jobs", {"type": "catalog.jobs.product_import"})
    assert [row["id"] for row in response.json()["results"]] == [str(own_job.pk)]


def test_retrieve_own_job_shows_status_result_and_timestamps(auth_client, own_job):
    body = auth_client.get(f"/api/v1/jobs/{own_job.pk}").json()
    assert body["status"] == "success"
    assert body["result"] == {"id": 7}
    assert body["type"] == "catalog.jobs.product_import"
    assert {"error", "attempts", "created_at", "started_at", "finished_at"} <= body.keys()
    assert "payload" not in body


def test_another_users_job_is_not_found(auth_client, others_job):
    response = auth_client.get(f"/api/v1/jobs/{others_job.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_job_id_is_not_found(auth_client):
    assert auth_client.get("/api/v1/jobs/not-a-uuid").status_code == 404


def test_anonymous_cannot_list_jobs(api_client):
    assert api_client.get("/api/v1/jobs").status_code == 401


def test_retry_requeues_own_failed_job(jobs_env, auth_client, user, django_capture_on_commit_callbacks):
    job = JobFactory(user=user, type="tests.core_jobs.jobfuncs.add", status=Job.Status.FAILED, attempts=4)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(f"/api/v1/jobs/{job.pk}/retry")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert response.json()["attempts"] == 0
    assert rq_job_ids("scrape") == [str(job.pk)]
    assert AuditLog.objects.filter(object_id=str(job.pk), actor=user).exists()


def test_retry_of_a_job_that_has_not_failed_is_refused(auth_client, own_job):
    response = auth_client.post(f"/api/v1/jobs/{own_job.pk}/retry")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "job_not_retryable"


def test_retry_of_another_users_job_is_not_found(auth_client, others_job):
    assert auth_client.post(f"/api/v1/jobs/{others_job.pk}/retry").status_code == 404
    others_job.refresh_from_db()
    assert others_job.status == Job.Status.FAILED
