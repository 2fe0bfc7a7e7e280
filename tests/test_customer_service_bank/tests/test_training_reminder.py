from datetime import date, datetime
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import freeze_time

from odoo.addons.customer_service_bank.models.cs_training_reminder import (
    CsTrainingReminder,
)

from .test_training import TrainingCommon

BATCH_LOGGER = "odoo.addons.customer_service_bank.models.cs_batch_job_mixin"


class TestTrainingReminder(TrainingCommon):
    """The vulnerable customers course is mandatory for team A (agent_a and
    agent_a2); agent_a completed it on 10 July 2025, valid 12 months."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.course_plain.mandatory_team_ids = cls.team_a
        cls.course.mandatory_team_ids = False
        cls._attend(
            cls._session(course=cls.course_plain, start=datetime(2025, 7, 10, 2)),
            cls.emp_a,
        )
        cls.Reminder = cls.env["cs.training.reminder"]

    def _run(self, moment, batch_size=200):
        with freeze_time(moment):
            self.Reminder._cron_send_reminders(batch_size=batch_size)

    def _states(self):
        reminders = self.Reminder.search(
            [("user_id", "in", (self.agent_a | self.agent_a2).ids)]
        )
        return {
            (reminder.user_id, reminder.course_id): reminder.state
            for reminder in reminders
        }

    def _mails(self):
        reminders = self.Reminder.search(
            [("user_id", "in", (self.agent_a | self.agent_a2).ids)]
        )
        return self.env["mail.mail"].search(
            [("model", "=", "cs.training.reminder"), ("res_id", "in", reminders.ids)],
            order="id",
        )

    def test_reminded_once_per_state(self):
        self._run("2026-06-20 06:00:00")
        self.assertEqual(
            self._states(),
            {
                (self.agent_a, self.course_plain): "expiring",
                (self.agent_a2, self.course_plain): "missing",
            },
        )
        mails = self._mails()
        self.assertEqual(len(mails), 2)
        by_user = {
            (mail.recipient_ids - self.supervisor_a.partner_id): mail for mail in mails
        }
        expiring = by_user[self.agent_a.partner_id]
        self.assertEqual(
            expiring.recipient_ids,
            self.agent_a.partner_id | self.supervisor_a.partner_id,
        )
        self.assertIn("Expiring within 30 days", expiring.subject)
        self.assertIn("expires on 07/10/2026", expiring.body_html)
        self.assertIn("Missing", by_user[self.agent_a2.partner_id].subject)

        self._run("2026-06-21 06:00:00")
        self.assertEqual(self._mails(), mails, "a rerun sends nothing")

        # the completion expires: one new reminder, none again for agent_a2
        self._run("2026-07-15 06:00:00")
        new = self._mails() - mails
        self.assertEqual(len(new), 1)
        self.assertIn("Expired", new.subject)
        self.assertEqual(self._states()[(self.agent_a, self.course_plain)], "expired")

        # completed again: recorded as valid without a mail, and an expiry
        # later is reminded again
        self._attend(
            self._session(course=self.course_plain, start=datetime(2026, 7, 16, 2)),
            self.emp_a,
        )
        self._run("2026-07-20 06:00:00")
        self.assertEqual(self._states()[(self.agent_a, self.course_plain)], "valid")
        self.assertEqual(len(self._mails()), 3)
        self._run("2027-06-20 06:00:00")
        self.assertEqual(self._states()[(self.agent_a, self.course_plain)], "expiring")
        self.assertEqual(len(self._mails()), 4)

    def test_batches(self):
        """One pair per call; the second call takes the other one."""
        self.env.flush_all()
        with freeze_time("2026-06-20 06:00:00"):
            remaining = self.Reminder._batch_remaining(today=date(2026, 6, 20))
            self.assertGreaterEqual(remaining, 2)
            self.Reminder._cron_send_reminders(batch_size=1)
            self.assertEqual(
                self.Reminder._batch_remaining(today=date(2026, 6, 20)),
                remaining - 1,
            )
            for _index in range(remaining - 1):
                self.Reminder._cron_send_reminders(batch_size=1)
            self.assertEqual(self.Reminder._batch_remaining(today=date(2026, 6, 20)), 0)
        self.assertEqual(len(self._states()), 2)

    def test_one_failing_reminder_does_not_stop_the_batch(self):
        """agent_a's mail fails: agent_a2 is reminded, agent_a is left due
        and reminded by the next run."""
        send = CsTrainingReminder._send_reminder

        def send_or_fail(reminder, recipients):
            if reminder.user_id == self.agent_a:
                raise UserError(self.env._("Mail server misconfigured"))
            return send(reminder, recipients)

        with (
            patch.object(CsTrainingReminder, "_send_reminder", send_or_fail),
            self.assertLogs(BATCH_LOGGER, "WARNING") as logs,
        ):
            self._run("2026-06-20 06:00:00")
        self.assertTrue(
            any("Mail server misconfigured" in line for line in logs.output)
        )
        self.assertEqual(
            self._states(), {(self.agent_a2, self.course_plain): "missing"}
        )
        self.assertEqual(len(self._mails()), 1)
        self._run("2026-06-20 07:00:00")
        self.assertEqual(self._states()[(self.agent_a, self.course_plain)], "expiring")
        self.assertEqual(len(self._mails()), 2)
