from datetime import datetime, timedelta

from odoo.tests import freeze_time
from odoo.tools import SQL

from odoo.addons.customer_service_bank.models.cs_deadline_mixin import (
    deadline_status_sql,
)

from .common import CsCommon

CREATED = datetime(2026, 11, 2, 11, 0)
SECOND = timedelta(seconds=1)


class TestDeadlineStatus(CsCommon):
    """On track, at risk, breached and met, as time passes.

    The mainland China complaint of CsCommon is due on 17 Nov 15:59:59 UTC
    and at risk from 13 Nov 18:29:59 UTC (75% of the time allowed).
    """

    def _fca(self):
        """Received Monday 2 Nov, 10:00 in London: acknowledge by 5 Nov 23:59:59."""
        return self.create_complaint_at(
            CREATED,
            team_id=self.team_b.id,
            sla_policy_id=self.policy_fca.id,
            received_date=datetime(2026, 11, 2, 10, 0),
        )

    def _status_at(self, complaint, moment):
        """The stored status after the scheduled refresh at ``moment``."""
        with freeze_time(moment):
            self.env["cs.complaint"]._refresh_deadline_status()
        return complaint.deadline_status

    def test_resolution_statuses_over_time(self):
        complaint = self.create_complaint_at(CREATED)
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        self.assertEqual(
            complaint.resolve_warning_date, datetime(2026, 11, 13, 18, 29, 59)
        )
        self.assertEqual(complaint.deadline_status, "on_track")
        expected = [
            (datetime(2026, 11, 13, 18, 29, 58), "on_track"),
            (datetime(2026, 11, 13, 18, 29, 59), "at_risk"),
            (datetime(2026, 11, 17, 15, 59, 59), "at_risk"),
            (datetime(2026, 11, 17, 16, 0, 0), "breached"),
            # a refresh at an earlier moment gives the earlier status back
            (datetime(2026, 11, 5, 0, 0), "on_track"),
        ]
        for moment, status in expected:
            self.assertEqual(self._status_at(complaint, moment), status, moment)
            self.assertEqual(complaint._deadline_status_at(moment), status, moment)

    def test_resolved_on_time_is_met(self):
        complaint = self.create_complaint_at(CREATED)
        self.move_complaint_at(
            complaint,
            self.stage_resolved,
            datetime(2026, 11, 17, 15, 59, 59),
            outcome="upheld",
        )
        self.assertEqual(complaint.resolved_date, datetime(2026, 11, 17, 15, 59, 59))
        self.assertEqual(complaint.deadline_status, "met")
        # the refresh leaves resolved complaints alone
        self.assertEqual(self._status_at(complaint, datetime(2026, 12, 1)), "met")
        self.assertEqual(complaint.hours_left, 0.0)

    def test_resolved_late_is_breached(self):
        complaint = self.create_complaint_at(CREATED)
        self.move_complaint_at(
            complaint,
            self.stage_resolved,
            datetime(2026, 11, 17, 16, 0),
            outcome="rejected",
        )
        self.assertEqual(complaint.deadline_status, "breached")
        self.assertEqual(self._status_at(complaint, datetime(2026, 12, 1)), "breached")

    def test_reopened_complaint_runs_again(self):
        complaint = self.create_complaint_at(CREATED)
        self.move_complaint_at(
            complaint, self.stage_resolved, datetime(2026, 11, 10), outcome="upheld"
        )
        self.assertEqual(complaint.deadline_status, "met")
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 14)
        )
        self.assertFalse(complaint.resolved_date)
        self.assertEqual(complaint.deadline_status, "at_risk")

    def test_missed_acknowledgement_is_breached(self):
        complaint = self._fca()
        self.assertEqual(complaint.ack_deadline, datetime(2026, 11, 5, 23, 59, 59))
        self.assertEqual(
            self._status_at(complaint, datetime(2026, 11, 5, 23, 59, 59)), "on_track"
        )
        self.assertEqual(
            self._status_at(complaint, datetime(2026, 11, 6, 0, 0)), "breached"
        )
        # acknowledged late: the status follows the resolution deadline again
        self.move_complaint_at(
            complaint, self.stage_in_progress, datetime(2026, 11, 6, 0, 0)
        )
        self.assertEqual(complaint.acknowledged_date, datetime(2026, 11, 6, 0, 0))
        self.assertEqual(complaint.deadline_status, "on_track")
        self.assertEqual(self._status_at(complaint, datetime(2026, 11, 20)), "on_track")
        self.assertEqual(
            self._status_at(complaint, datetime(2026, 12, 14, 20, 29, 59)), "at_risk"
        )
        self.assertEqual(self._status_at(complaint, datetime(2026, 12, 29)), "breached")

    def test_hours_left(self):
        complaint = self.create_complaint_at(CREATED)
        for moment, hours in [
            (datetime(2026, 11, 10, 15, 59, 59), 168.0),
            (datetime(2026, 11, 17, 15, 59, 59), 0.0),
            (datetime(2026, 11, 18, 15, 59, 59), -24.0),
        ]:
            with freeze_time(moment):
                complaint.invalidate_recordset(["hours_left"])
                self.assertAlmostEqual(
                    complaint.hours_left, hours, places=6, msg=moment
                )
        no_deadline = self.create_complaint_at(
            CREATED,
            company_id=self.company_b.id,
            team_id=self.team_c.id,
            partner_id=self.customer_b.id,
        )
        self.assertFalse(no_deadline.resolve_deadline)
        self.assertEqual(no_deadline.hours_left, 0.0)

    def test_search_and_group_by_status(self):
        on_track = self.create_complaint_at(CREATED) | self.create_complaint_at(
            CREATED, category_id=self.cat_loans.id
        )
        breached = self._fca()
        met = self.create_complaint_at(CREATED)
        self.move_complaint_at(
            met, self.stage_resolved, datetime(2026, 11, 3), outcome="upheld"
        )
        with freeze_time(datetime(2026, 11, 6)):
            self.env["cs.complaint"]._refresh_deadline_status()
        complaints = on_track | breached | met
        domain = [("id", "in", complaints.ids)]
        Complaint = self.env["cs.complaint"]
        self.assertEqual(
            Complaint.search(domain + [("deadline_status", "=", "breached")]), breached
        )
        self.assertEqual(
            Complaint.search(domain + [("deadline_status", "in", ["met", "breached"])]),
            met | breached,
        )
        groups = Complaint.read_group(domain, ["deadline_status"], ["deadline_status"])
        self.assertEqual(
            {
                group["deadline_status"]: group["deadline_status_count"]
                for group in groups
            },
            {"on_track": 2, "breached": 1, "met": 1},
        )
        self.assertEqual(
            dict(Complaint._read_group(domain, ["deadline_status"], ["__count"])),
            {"on_track": 2, "breached": 1, "met": 1},
        )

    def test_sql_status_mirrors_python(self):
        """deadline_status_sql() and _deadline_status_at() agree everywhere.

        A grid of complaints in every situation, evaluated at each of their
        boundaries, one second before and one second after.
        """
        pausing = self.policy_nfra.copy({"pause_when_awaiting": True})
        nfra = self.create_complaint_at(CREATED)
        fca_unacknowledged = self._fca()
        fca_acknowledged = self._fca()
        self.move_complaint_at(
            fca_acknowledged, self.stage_in_progress, datetime(2026, 11, 3)
        )
        on_time = self.create_complaint_at(CREATED, sla_policy_id=self.policy_psr.id)
        self.move_complaint_at(
            on_time, self.stage_resolved, datetime(2026, 11, 10), outcome="upheld"
        )
        late = self.create_complaint_at(CREATED)
        self.move_complaint_at(
            late, self.stage_resolved, datetime(2026, 11, 18), outcome="upheld"
        )
        paused = self.create_complaint_at(CREATED, sla_policy_id=pausing.id)
        self.move_complaint_at(
            paused, self.stage_awaiting, datetime(2026, 11, 14, 2, 0)
        )
        resumed = self.create_complaint_at(CREATED, sla_policy_id=pausing.id)
        self.move_complaint_at(resumed, self.stage_awaiting, datetime(2026, 11, 4))
        self.move_complaint_at(resumed, self.stage_in_progress, datetime(2026, 11, 9))
        cfpb = self.create_complaint_at(CREATED, sla_policy_id=self.policy_cfpb.id)
        no_deadline = self.create_complaint_at(
            CREATED,
            company_id=self.company_b.id,
            team_id=self.team_c.id,
            partner_id=self.customer_b.id,
        )
        cases = {
            "nfra": nfra,
            "fca_unacknowledged": fca_unacknowledged,
            "fca_acknowledged": fca_acknowledged,
            "on_time": on_time,
            "late": late,
            "paused": paused,
            "resumed": resumed,
            "cfpb": cfpb,
            "no_deadline": no_deadline,
        }
        complaints = self.env["cs.complaint"].concat(*cases.values())
        boundaries = {CREATED, datetime(2027, 3, 1)}
        for complaint in complaints:
            for name in (
                "ack_deadline",
                "resolve_deadline",
                "resolve_warning_date",
                "paused_since",
                "resolved_date",
                "acknowledged_date",
            ):
                if complaint[name]:
                    boundaries |= {
                        complaint[name] - SECOND,
                        complaint[name],
                        complaint[name] + SECOND,
                    }
        self.assertGreater(len(boundaries), 40)
        seen = set()
        open_with_deadline = complaints.filtered(
            lambda c: c.resolve_deadline and not c.resolved_date
        )
        with freeze_time(CREATED) as frozen:
            for moment in sorted(boundaries):
                self.env.cr.execute(
                    SQL(
                        "SELECT c.id, %s FROM cs_complaint c WHERE c.id IN %s",
                        deadline_status_sql(moment),
                        tuple(complaints.ids),
                    )
                )
                sql_status = dict(self.env.cr.fetchall())
                for label, complaint in cases.items():
                    python_status = complaint._deadline_status_at(
                        complaint.paused_since or moment
                    )
                    self.assertEqual(
                        sql_status[complaint.id], python_status, f"{label} at {moment}"
                    )
                    seen.add((complaint.id, python_status))
                # the scheduled refresh writes the same statuses
                frozen.move_to(moment)
                self.env["cs.complaint"]._refresh_deadline_status()
                for complaint in open_with_deadline:
                    self.assertEqual(
                        complaint.deadline_status,
                        sql_status[complaint.id],
                        f"refresh at {moment}",
                    )
        # the grid went through every status of every complaint
        self.assertEqual(
            {status for complaint_id, status in seen},
            {"on_track", "at_risk", "breached", "met"},
        )
        self.assertEqual(
            {status for complaint_id, status in seen if complaint_id == paused.id},
            {"at_risk"},
        )
        self.assertEqual(
            {
                status
                for complaint_id, status in seen
                if complaint_id == fca_unacknowledged.id
            },
            {"on_track", "breached"},
        )
