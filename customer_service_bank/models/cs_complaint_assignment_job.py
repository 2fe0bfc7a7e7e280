from odoo import api, models
from odoo.tools import SQL

from .cs_complaint_stage import OPEN_KINDS

ASSIGNMENT_BATCH_SIZE = 2000


class CsComplaintAssignmentJob(models.AbstractModel):
    """The job that assigns the complaints left waiting for a handler.

    A complaint of a team assigning automatically stays unassigned when
    nobody was working or everyone was at the cap at intake. Every few
    minutes this job claims, in order of priority and receipt, the waiting
    complaints of the teams where someone is free now, and assigns them
    (``cs.complaint._cs_assign_automatically``). Assigned complaints are no
    longer due, so a rerun assigns nothing twice.
    """

    _name = "cs.complaint.assignment.job"
    _description = "Complaint Assignment Job"
    _inherit = ["cs.batch.job.mixin"]
    _batch_flush_fields = {
        "cs.complaint": ["active", "user_id", "stage_kind", "team_id", "priority"],
    }

    @api.model
    def _cron_assign_complaints(self, batch_size=ASSIGNMENT_BATCH_SIZE):
        return self._run_batch_job(batch_size)

    @api.model
    def _free_team_ids(self):
        """The teams assigning automatically where a member can take one now."""
        teams = (
            self.env["cs.team"].sudo().search([("assignment_method", "!=", "manual")])
        )
        if not teams:
            return []
        working = teams._cs_working_members()
        loads = teams._cs_open_loads()
        return [
            team.id for team in teams if team._cs_has_capacity(working[team.id], loads)
        ]

    @api.model
    def _waiting_sql(self, team_ids):
        return SQL(
            """SELECT c.id FROM cs_complaint c
                WHERE c.user_id IS NULL AND c.active
                  AND c.stage_kind IN %s AND c.team_id = ANY(%s)""",
            OPEN_KINDS,
            team_ids,
        )

    @api.model
    def _batch_remaining(self):
        team_ids = self._free_team_ids()
        return self._batch_count(self._waiting_sql(team_ids)) if team_ids else 0

    @api.model
    def _batch_claim(self, limit):
        team_ids = self._free_team_ids()
        if not team_ids:
            return self.env["cs.complaint"]
        rows = self._batch_fetch(
            self._batch_lock_sql(
                self._waiting_sql(team_ids),
                limit,
                order=SQL("c.priority DESC, c.received_date, c.id"),
                of="c",
            )
        )
        return self.env["cs.complaint"].browse(row[0] for row in rows)

    @api.model
    def _batch_process(self, complaints):
        return complaints._cs_assign_automatically()
