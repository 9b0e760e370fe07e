import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import User
from catalog.services import product_import_request
from dropship_central.api.exceptions import ServiceError
from dropship_central.models import Job

DONE = (Job.Status.SUCCESS, Job.Status.FAILED, Job.Status.CANCELLED)


class Command(BaseCommand):
    help = (
        "Import supplier products for a user by id (ASINs for Amazon), from arguments and/or a file (one id a "
        "line, # comments). Bad ids are reported with their line number; good ones are imported."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("ids", nargs="*", metavar="ASIN", help="product ids")
        parser.add_argument("--user", required=True, help="email of the user who will track the products")
        parser.add_argument("--supplier", default="amazon", help="supplier slug (default: amazon)")
        parser.add_argument("--file", type=Path, help="a file of ids, one a line")
        parser.add_argument("--wait", action="store_true", help="wait for the imports and print a summary")
        parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait at most (with --wait)")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between status checks (with --wait)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"]).first()
        if user is None:
            raise CommandError(f"No user with email {options['user']!r}")
        entries = self._entries(options["ids"], options["file"])
        if not entries:
            raise CommandError("No product ids given (arguments or --file).")
        jobs: dict[str, str] = {}
        bad = 0
        for where, raw in entries:
            try:
                job = product_import_request(user=user, supplier=options["supplier"], external_id=raw)
            except ServiceError as exc:
                bad += 1
                self.stderr.write(f"{where}: {exc.detail}")
                continue
            jobs[str(job.pk)] = job.payload.get("external_id", raw)
        if not options["wait"]:
            for job_id, external_id in jobs.items():
                self.stdout.write(f"{external_id} {job_id}")
            self.stdout.write(f"{len(jobs)} imports queued, {bad} bad ids")
            if bad:
                raise CommandError(f"{bad} bad ids")
            return
        failed = self._wait(jobs, timeout=options["timeout"], poll=options["poll"])
        if failed or bad:
            raise CommandError(f"{failed} imports failed or unfinished, {bad} bad ids")

    def _entries(self, ids: list[str], path: Path | None) -> list[tuple[str, str]]:
        entries = [(f"argument {number}", value) for number, value in enumerate(ids, start=1)]
        if path is not None:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            for number, line in enumerate(lines, start=1):
                value = line.split("#", 1)[0].strip()
                if value:
                    entries.append((f"{path}:{number}", value))
        return entries

    def _wait(self, jobs: dict[str, str], *, timeout: float, poll: float) -> int:
        """Poll the job rows until all are done (or time runs out); print the summary; return the failures."""
        deadline = time.monotonic() + timeout
        done: dict[str, Job] = {}
        with tqdm(total=len(jobs), unit="import", file=self.stderr, disable=None) as bar:
            while len(done) < len(jobs) and time.monotonic() < deadline:
                pending = [job_id for job_id in jobs if job_id not in done]
                finished = Job.objects.filter(pk__in=pending, status__in=DONE)
                for job in finished:
                    done[str(job.pk)] = job
                bar.update(len(done) - bar.n)
                if len(done) < len(jobs):
                    time.sleep(poll)
        return self._summary(jobs, done)

    def _summary(self, jobs: dict[str, str], done: dict[str, Job]) -> int:
        succeeded = [job for job in done.values() if job.status == Job.Status.SUCCESS]
        failed = [job for job in done.values() if job.status != Job.Status.SUCCESS]
        for job in failed:
            self.stderr.write(f"{jobs[str(job.pk)]}: {job.status}: {job.error}")
        unfinished = [job_id for job_id in jobs if job_id not in done]
        for job_id in unfinished:
            self.stderr.write(f"{jobs[job_id]}: not finished (job {job_id})")
        self.stdout.write(f"{len(succeeded)} imported, {len(failed)} failed, {len(unfinished)} unfinished")
        return len(failed) + len(unfinished)
