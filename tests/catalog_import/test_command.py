"""`manage.py import_asin`: ids from arguments and a file, bad lines reported, jobs through the import service."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product, TrackedProduct
from dropship_central.models import Job
from tests.catalog_import.conftest import DARONG, MISSING, SLOWPLAY


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_asin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def asin_file(tmp_path):
    path = tmp_path / "asins.txt"
    path.write_text(f"# my list\n{SLOWPLAY}\nnot-an-asin\n\n{DARONG.lower()}  # lower case is fine\nB0SHORT\n")
    return path


@pytest.mark.django_db
def test_without_wait_it_prints_the_job_ids(user, amazon):
    out, _ = _run(SLOWPLAY, DARONG, "--user", user.email)

    jobs = Job.objects.filter(user=user)
    assert {job.payload["external_id"] for job in jobs} == {SLOWPLAY, DARONG}
    for job in jobs:
        assert f"{job.payload['external_id']} {job.pk}" in out


@pytest.mark.django_db
def test_bad_lines_of_the_file_are_reported_with_their_line_numbers_and_good_ones_imported(user, amazon, asin_file):
    with pytest.raises(CommandError, match="2 bad ids"):
        call_command(
            "import_asin", "--user", user.email, "--file", str(asin_file), stdout=StringIO(), stderr=(err := StringIO())
        )

    assert f"{asin_file}:3: " in err.getvalue()
    assert f"{asin_file}:6: " in err.getvalue()
    assert "not an ASIN" in err.getvalue()
    assert {job.payload["external_id"] for job in Job.objects.filter(user=user)} == {SLOWPLAY, DARONG}


@pytest.mark.django_db
def test_an_unknown_user_is_an_error(amazon):
    with pytest.raises(CommandError, match="No user"):
        _run(SLOWPLAY, "--user", "nobody@example.com")


@pytest.mark.django_db(transaction=True)
def test_wait_runs_the_imports_inline_and_prints_a_summary(user, site, settings):
    settings.JOBS_INLINE = True
    site.serve(SLOWPLAY)
    site.serve(DARONG)

    out, _ = _run(SLOWPLAY, DARONG, "--user", user.email, "--wait", "--poll", "0.05")

    assert "2 imported, 0 failed, 0 unfinished" in out
    assert TrackedProduct.objects.filter(user=user).count() == 2
    assert Product.objects.filter(external_id__in=[SLOWPLAY, DARONG]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_wait_exits_non_zero_when_an_import_failed(user, site, settings):
    settings.JOBS_INLINE = True
    site.serve(SLOWPLAY)
    err = StringIO()

    with pytest.raises(CommandError, match="1 imports failed"):
        call_command("import_asin", SLOWPLAY, MISSING, "--user", user.email, "--wait", stdout=StringIO(), stderr=err)

    assert f"{MISSING}: failed: ProductNotFoundError" in err.getvalue()


@pytest.mark.django_db
def test_wait_reports_imports_still_unfinished_at_the_timeout(user, amazon):
    err = StringIO()

    with pytest.raises(CommandError, match="1 imports failed or unfinished"):
        call_command(
            "import_asin", SLOWPLAY, "--user", user.email, "--wait", "--timeout", "0.2", "--poll", "0.05",
            stdout=StringIO(), stderr=err,
        )  # fmt: skip

    assert f"{SLOWPLAY}: not finished" in err.getvalue()
