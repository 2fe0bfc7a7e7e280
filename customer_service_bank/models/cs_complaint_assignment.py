from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .cs_complaint_stage import OPEN_KINDS


class CsComplaintAssignment(models.Model):
    """Automatic assignment of complaints to a handler of their team.

    New complaints of a team that assigns automatically (cs_team_assignment.py)
    get a handler at intake; those left without one, as nobody was working
    or everyone was at the cap, get one from the "Assign" button or the
    scheduled action (cs.complaint.assignment.job). The work is set-based:
    one grouped count of open complaints, the choice in Python, one write
    per handler, so a batch costs the same whatever its size.
    """

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    team_assignment_method = fields.Selection(related="team_id.assignment_method")

    @api.model_create_multi
    def create(self, vals_list):
        complaints = super().create(vals_list)
        complaints._cs_assign_automatically()
        return complaints

    def action_assign(self):
        """Assign the selected complaints now, as the scheduled action would."""
        self.check_access("write")
        if self.filtered(lambda c: c.team_id.assignment_method == "manual"):
            raise UserError(
                self.env._(
                    "The team assigns its complaints by hand: choose the handler."
                )
            )
        assigned = self._cs_assign_automatically()
        waiting = self.filtered(lambda complaint: not complaint.user_id)
        if not waiting:
            return True
        if not assigned:
            raise UserError(
                self.env._(
                    "Nobody can take %(complaints)s now: no member of the team is "
                    "working, under the cap of open complaints and free of recusal. "
                    "The complaint is assigned as soon as someone is.",
                    complaints=", ".join(waiting.mapped("display_name")),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "message": self.env._(
                    "%(assigned)s complaints assigned; %(waiting)s wait for a "
                    "member of their team to be free.",
                    assigned=len(assigned),
                    waiting=len(waiting),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _cs_recused_user_ids(self, partner_users):
        """The users who may not handle this complaint, as ``_check_recusal``
        rules: the employee complained about and the customer themselves.

        ``partner_users`` maps the partners of the candidates to their users.
        """
        self.ensure_one()
        return {
            self.subject_employee_id.user_id.id,
            partner_users.get(self.partner_id.id),
        }

    def _cs_assign_automatically(self):
        """Give a handler to those of ``self`` that wait for one in a team
        assigning automatically; return the complaints assigned.

        The teams are locked first (``_cs_lock_assignment``), so two
        transactions never both give the last place under the cap. The
        assignment is logged in each chatter, and each handler gets one
        notification of all their new complaints.
        """
        waiting = (
            self.sudo()
            .with_context(active_test=False)
            .filtered(
                lambda complaint: (
                    not complaint.user_id
                    and complaint.active
                    and complaint.stage_kind in OPEN_KINDS
                    and complaint.team_id.assignment_method != "manual"
                )
            )
        )
        if not waiting:
            return self.browse()
        teams = waiting.team_id
        teams._cs_lock_assignment()
        working = teams._cs_working_members()
        loads = teams._cs_open_loads()
        plan = {}
        for team, complaints in waiting.grouped("team_id").items():
            team_plan = team._cs_distribute(complaints, working[team.id], loads)
            if team_plan:
                plan.update(team_plan)
                # the round-robin goes on after this member; writing the team
                # also makes a transaction that waited on its lock retry
                team.assignment_user_id = list(team_plan.values())[-1]
        if not plan:
            return self.browse()
        by_user = defaultdict(list)
        for complaint_id, user_id in plan.items():
            by_user[user_id].append(complaint_id)
        # the note below says who and why: a tracking message would repeat
        # it; the handlers are subscribed below, for all at once
        quiet = waiting.with_context(tracking_disable=True)
        # the handlers' companies, which each write checks, read at once
        quiet.env["res.users"].browse(by_user).mapped("company_ids")
        for user_id, complaint_ids in by_user.items():
            quiet.browse(complaint_ids).write({"user_id": user_id})
        assigned = waiting.browse(list(plan))
        assigned._cs_subscribe_handlers()
        methods = dict(
            self.env["cs.team"]
            ._fields["assignment_method"]
            ._description_selection(self.env)
        )
        assigned._message_log_batch(
            bodies={
                complaint.id: Markup("<p>%s</p>")
                % self.env._(
                    "Assigned automatically to %(user)s (%(method)s).",
                    user=complaint.user_id.name,
                    method=methods[complaint.team_id.assignment_method],
                )
                for complaint in assigned
            },
            author_id=self.env.ref("base.partner_root").id,
        )
        assigned._mail_digests("assigned", "user_id")
        return self.browse(assigned.ids)

    def _cs_subscribe_handlers(self):
        """Make each complaint's handler a follower with the default
        subtypes, as assigning by hand does, in one search and one create
        rather than a subscription per handler."""
        Followers = self.env["mail.followers"].sudo()
        wanted = {(complaint.id, complaint.user_id.partner_id.id) for complaint in self}
        existing = Followers.search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("partner_id", "in", list({partner for _id, partner in wanted})),
            ],
            ["res_id", "partner_id"],
        )
        wanted -= {(follower.res_id, follower.partner_id.id) for follower in existing}
        subtypes = self.env["mail.message.subtype"].default_subtypes(self._name)[0]
        Followers.create(
            [
                {
                    "res_model": self._name,
                    "res_id": res_id,
                    "partner_id": partner_id,
                    "subtype_ids": [Command.set(subtypes.ids)],
                }
                for res_id, partner_id in sorted(wanted)
            ]
        )
