from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_cron import ir_cron

LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"


class TestBatchJob(TransactionCase):
    """cs.batch.job.mixin through a test-only job that counts its runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Job = cls.env["cs.test.batch.job"]
        cls.cron = cls.env.ref("customer_service_bank.ir_cron_cs_complaint_deadlines")

    def _jobs(self, *names, fail=()):
        return self.Job.create([{"name": name, "fail": name in fail} for name in names])

    def _run(self, batch_size):
        """One call of the job, as ir.cron makes it; returns the progress."""
        progress = self.env["ir.cron.progress"].create({"cron_id": self.cron.id})
        self.Job.with_context(ir_cron_progress_id=progress.id)._run_batch_job(
            batch_size
        )
        return progress.done, progress.remaining

    def test_batches_report_progress(self):
        jobs = self._jobs("a", "b", "c", "d", "e")
        expected = [(2, 3), (2, 1), (1, 0), (0, 0)]
        self.assertEqual([self._run(2) for _call in expected], expected)
        self.assertEqual(jobs.mapped("runs"), [1] * 5)

    def test_failing_record_in_the_middle_is_left_for_later(self):
        first, failing, last = self._jobs("first", "failing", "last", fail="failing")
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self.assertEqual(self._run(3), (2, 0))
        self.assertIn("retrying one by one", logs.output[0])
        self.assertEqual(len(logs.output), 2)
        self.assertIn("ERROR", logs.output[1])
        self.assertIn("failing failed: failing is broken", logs.output[1])
        # the batch's attempt was rolled back: the others ran once
        self.assertEqual((first | last).mapped("runs"), [1, 1])
        self.assertEqual(failing.error, "failing is broken")
        self.assertFalse(failing.processed)
        self.assertEqual(failing.runs, 0)
        # still due: the next run tries it again, and succeeds once fixed
        failing.fail = False
        self.assertEqual(self._run(3), (1, 0))
        self.assertEqual(failing.runs, 1)

    def test_nothing_due_processes_nothing(self):
        with patch.object(type(self.Job), "_batch_process") as process:
            self.assertEqual(self._run(10), (0, 0))
        process.assert_not_called()

    def test_create_safely_skips_the_bad_values(self):
        vals_list = [{"name": "good 1"}, {"name": "invalid 2"}, {"name": "good 3"}]
        with self.assertLogs(LOGGER, "WARNING") as logs:
            created = self.Job._batch_create_safely(
                vals_list, ValidationError, describe=lambda vals: vals["name"]
            )
        self.assertEqual(created.mapped("name"), ["good 1", "good 3"])
        self.assertIn("retrying one by one", logs.output[0])
        self.assertIn("for invalid 2 failed: invalid 2 is invalid.", logs.output[1])
        self.assertFalse(self.Job.search([("name", "=", "invalid 2")]))
        # other errors are not the job's to swallow
        with self.assertRaises(ValidationError), mute_logger(LOGGER):
            self.Job._batch_create_safely(vals_list[1:2], KeyError)
        self.assertFalse(self.Job._batch_create_safely([]))


class TestBatchJobTransactions(TransactionCase):
    """Crashes and concurrent workers, with real committed transactions."""

    def _commit_jobs(self, count):
        with self.registry.cursor() as cr:
            jobs = api.Environment(cr, SUPERUSER_ID, {})["cs.test.batch.job"].create(
                [{"name": f"job {index}"} for index in range(count)]
            )
            ids = jobs.ids
        self.addCleanup(self._delete_jobs, ids)
        return ids

    def _delete_jobs(self, ids):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM cs_test_batch_job WHERE id = ANY(%s)", [ids])

    def _runs(self, ids):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT COALESCE(runs, 0) FROM cs_test_batch_job"
                " WHERE id = ANY(%s) ORDER BY id",
                [ids],
            )
            return [row[0] for row in cr.fetchall()]

    def _worker(self, cr):
        cr.execute("SET LOCAL lock_timeout = '10s'")
        return api.Environment(cr, SUPERUSER_ID, {})["cs.test.batch.job"]

    def test_crash_after_claiming_then_rerun_processes_each_once(self):
        ids = self._commit_jobs(4)

        def crash(*args, **kwargs):
            raise RuntimeError("worker killed")

        with (
            patch.object(ir_cron, "_notify_progress", crash),
            self.assertRaisesRegex(RuntimeError, "worker killed"),
            self.registry.cursor() as cr,
        ):
            self._worker(cr)._run_batch_job(3)
        self.assertEqual(self._runs(ids), [0, 0, 0, 0])
        with self.registry.cursor() as cr:
            self.assertEqual(len(self._worker(cr)._run_batch_job(10)), 4)
        with self.registry.cursor() as cr:
            self.assertFalse(self._worker(cr)._run_batch_job(10))
        self.assertEqual(self._runs(ids), [1, 1, 1, 1])

    def test_concurrent_workers_claim_different_rows(self):
        ids = self._commit_jobs(4)
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            worker_a, worker_b = self._worker(cr_a), self._worker(cr_b)
            done_a = worker_a._run_batch_job(2)
            # B neither waits for A nor takes A's rows: it takes the next ones
            done_b = worker_b._run_batch_job(2)
            self.assertEqual(done_a.ids, ids[:2])
            self.assertEqual(done_b.ids, ids[2:])
            self.assertFalse(worker_b._run_batch_job(2))
            self.assertEqual(worker_b._batch_claim(10).ids, [])
        # both committed: each row ran once
        self.assertEqual(self._runs(ids), [1, 1, 1, 1])
        with self.registry.cursor() as cr:
            self.assertFalse(self._worker(cr)._batch_claim(10))
