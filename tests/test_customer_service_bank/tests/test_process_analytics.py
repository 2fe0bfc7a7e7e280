"""Time in stage, per-complaint process figures and the Pareto analysis."""

from datetime import date, datetime, timedelta

from .common import CsCommon

# CsCommon complaints are received on Monday 2 Nov 2026 at 02:00 UTC.
CREATED = datetime(2026, 11, 2, 3, 0)
NOVEMBER = date(2026, 11, 1)


class TestProcessAnalytics(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root_cause_2 = cls.env["cs.root.cause"].create({"name": "Unclear terms"})

    def _stage_rows(self, team):
        rows = self.env["cs.complaint.stage.report"].search([("team_id", "=", team.id)])
        return {
            row.stage_id: (
                row.month,
                row.category_id,
                row.passage_count,
                round(row.total_hours, 6),
                round(row.hours_p50, 6),
                round(row.hours_p90, 6),
            )
            for row in rows
        }

    # ------------------------------------------------------------------
    # stage log
    # ------------------------------------------------------------------

    def test_reopening_closes_the_resolved_passage_and_opens_a_new_one(self):
        complaint = self.create_complaint_at(CREATED)
        self.resolve_complaint_at(complaint, datetime(2026, 11, 3, 3, 0))
        self.write_complaint_at(
            complaint, datetime(2026, 11, 3, 7, 30), stage_id=self.stage_in_progress.id
        )
        new, resolved, reopened = complaint.stage_log_ids.sorted("id")
        self.assertEqual(
            [
                (log.stage_kind, log.date_out, log.duration_hours)
                for log in new + resolved
            ],
            [
                ("new", datetime(2026, 11, 3, 3, 0), 24.0),
                ("resolved", datetime(2026, 11, 3, 7, 30), 4.5),
            ],
        )
        self.assertEqual(
            (
                reopened.stage_kind,
                reopened.date_in,
                reopened.date_out,
                reopened.team_id,
            ),
            ("in_progress", datetime(2026, 11, 3, 7, 30), False, self.team_a),
        )
        self.assertEqual(complaint.reopen_count, 1)

    # ------------------------------------------------------------------
    # time in stage
    # ------------------------------------------------------------------

    def test_time_in_stage_on_a_known_timeline(self):
        complaint = self.create_complaint_at(CREATED)
        self.write_complaint_at(
            complaint, datetime(2026, 11, 2, 5, 0), stage_id=self.stage_in_progress.id
        )
        self.write_complaint_at(
            complaint, datetime(2026, 11, 3, 5, 0), stage_id=self.stage_awaiting.id
        )
        self.write_complaint_at(
            complaint, datetime(2026, 11, 3, 11, 0), stage_id=self.stage_in_progress.id
        )
        self.resolve_complaint_at(complaint, datetime(2026, 11, 4, 5, 0))
        # new 2 h, in progress 24 h then 18 h, awaiting 6 h; resolved still open
        self.assertEqual(
            self._stage_rows(self.team_a),
            {
                self.stage_new: (NOVEMBER, self.cat_fees, 1, 2.0, 2.0, 2.0),
                self.stage_in_progress: (NOVEMBER, self.cat_fees, 2, 42.0, 21.0, 23.4),
                self.stage_awaiting: (NOVEMBER, self.cat_fees, 1, 6.0, 6.0, 6.0),
            },
        )

    def test_percentiles_of_a_known_set(self):
        hours = [1, 2, 3, 4, 10]
        complaints = [self.create_complaint_at(CREATED) for _hours in hours]
        for complaint, spent in zip(complaints, hours, strict=True):
            self.write_complaint_at(
                complaint,
                CREATED + timedelta(hours=spent),
                stage_id=self.stage_in_progress.id,
            )
        # one more in team B, to check the grouping keeps teams apart
        other = self.create_complaint_at(CREATED, team_id=self.team_b.id)
        self.write_complaint_at(
            other, CREATED + timedelta(hours=100), stage_id=self.stage_in_progress.id
        )
        # p50 = 3; p90 interpolates 60% of the way from 4 to 10
        self.assertEqual(
            self._stage_rows(self.team_a),
            {self.stage_new: (NOVEMBER, self.cat_fees, 5, 20.0, 3.0, 7.6)},
        )
        Report = self.env["cs.complaint.stage.report"]
        ids = [complaint.id for complaint in complaints] + [other.id]
        self.assertEqual(
            [
                (
                    row["stage_id"],
                    row["team_id"],
                    row["count"],
                    round(row["p50"], 6),
                    round(row["p90"], 6),
                )
                for row in Report._duration_percentiles(
                    ["stage_id", "team_id"], [("complaint_id", "in", ids)]
                )
            ],
            [
                (self.stage_new, self.team_a, 5, 3.0, 7.6),
                (self.stage_new, self.team_b, 1, 100.0, 100.0),
            ],
        )
        [overall] = Report._duration_percentiles([], [("complaint_id", "in", ids)])
        self.assertEqual(
            (overall["count"], round(overall["p50"], 6), round(overall["p90"], 6)),
            (6, 3.5, 55.0),
        )

    def test_merged_complaints_are_left_out(self):
        kept, duplicate = (
            self.create_complaint_at(CREATED),
            self.create_complaint_at(CREATED),
        )
        for complaint in kept + duplicate:
            self.write_complaint_at(
                complaint,
                CREATED + timedelta(hours=4),
                stage_id=self.stage_in_progress.id,
            )
        duplicate.write({"merged_into_id": kept.id, "active": False})
        self.env.flush_all()
        self.assertEqual(
            self._stage_rows(self.team_a),
            {self.stage_new: (NOVEMBER, self.cat_fees, 1, 4.0, 4.0, 4.0)},
        )
        reports = self.env["cs.complaint.report"].search(
            [("complaint_id", "in", (kept + duplicate).ids)]
        )
        self.assertEqual(reports.complaint_id, kept)

    # ------------------------------------------------------------------
    # per complaint
    # ------------------------------------------------------------------

    def test_complaint_figures_reopen_rate_and_first_contact_resolution(self):
        # resolved at once: acknowledged 3 h, resolved 27 h after receipt
        straight = self.create_complaint_at(CREATED)
        self.write_complaint_at(
            straight, datetime(2026, 11, 2, 5, 0), stage_id=self.stage_in_progress.id
        )
        self.resolve_complaint_at(straight, datetime(2026, 11, 3, 5, 0))
        # went back to the customer for documents: resolved, not at first contact
        asked = self.create_complaint_at(CREATED)
        self.write_complaint_at(
            asked, datetime(2026, 11, 2, 8, 0), stage_id=self.stage_awaiting.id
        )
        self.resolve_complaint_at(
            asked, datetime(2026, 11, 4, 2, 0), outcome="rejected"
        )
        # resolved, reopened, resolved again
        reopened = self.create_complaint_at(CREATED)
        self.resolve_complaint_at(reopened, datetime(2026, 11, 2, 12, 0))
        self.write_complaint_at(
            reopened, datetime(2026, 11, 3, 2, 0), stage_id=self.stage_in_progress.id
        )
        self.resolve_complaint_at(reopened, datetime(2026, 11, 5, 2, 0))
        # still open, never acknowledged: no rate applies to it
        pending = self.create_complaint_at(CREATED)

        Report = self.env["cs.complaint.report"]
        complaints = straight + asked + reopened + pending
        figures = {
            row.complaint_id: (
                row.ack_hours,
                row.resolve_hours,
                row.reopen_count,
                row.is_reopened,
                row.reopen_rate,
                row.is_first_contact_resolution,
                row.first_contact_rate,
            )
            for row in Report.search([("complaint_id", "in", complaints.ids)])
        }
        self.assertEqual(
            figures,
            {
                straight: (3.0, 27.0, 0, False, 0.0, True, 100.0),
                asked: (6.0, 48.0, 0, False, 0.0, False, 0.0),
                reopened: (10.0, 72.0, 1, True, 100.0, False, 0.0),
                pending: (0.0, 0.0, 0, False, 0.0, False, 0.0),
            },
        )
        # averages over the group skip the complaints a rate does not apply to
        [group] = Report.read_group(
            [("complaint_id", "in", complaints.ids)],
            [
                "complaint_count:sum",
                "ack_hours:avg",
                "resolve_hours:avg",
                "reopen_rate:avg",
                "first_contact_rate:avg",
            ],
            [],
        )
        self.assertEqual(group["complaint_count"], 4)
        self.assertAlmostEqual(group["ack_hours"], 19 / 3)
        self.assertEqual(group["resolve_hours"], 49.0)
        self.assertAlmostEqual(group["reopen_rate"], 100 / 3)
        self.assertAlmostEqual(group["first_contact_rate"], 100 / 3)

    # ------------------------------------------------------------------
    # Pareto
    # ------------------------------------------------------------------

    def test_pareto_of_root_causes_is_ranked_with_cumulative_share(self):
        causes = [self.root_cause] * 3 + [self.root_cause_2]
        for cause in causes:
            self.create_complaint_at(
                CREATED, root_cause_id=cause.id, category_id=self.cat_loans.id
            )
        self.create_complaint_at(CREATED, category_id=self.cat_loans.id)
        self.env.flush_all()
        rows = self.env["cs.complaint.pareto.report"].search(
            [("dimension", "=", "root_cause"), ("company_id", "=", self.company_a.id)]
        )
        # demo complaints may have root causes too: only ours are compared
        ours = rows.filtered(
            lambda row: row.root_cause_id in self.root_cause + self.root_cause_2
        )
        total = sum(rows.mapped("complaint_count"))
        self.assertEqual(
            [(row.root_cause_id, row.complaint_count) for row in ours],
            [(self.root_cause, 3), (self.root_cause_2, 1)],
        )
        self.assertEqual(rows.mapped("rank"), list(range(1, len(rows) + 1)))
        self.assertEqual(
            rows.mapped("complaint_count"),
            sorted(rows.mapped("complaint_count"), reverse=True),
        )
        self.assertAlmostEqual(ours[0].share, 300 / total)
        self.assertAlmostEqual(rows[-1].cumulative_share, 100.0)
        running = 0
        for row in rows:
            running += row.complaint_count
            self.assertAlmostEqual(row.cumulative_share, 100 * running / total)
