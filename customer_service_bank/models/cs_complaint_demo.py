from datetime import timedelta

from odoo import _, api, models
from odoo.exceptions import ValidationError

from .cs_complaint_stage import DONE_KINDS


class CsComplaintDemo(models.Model):
    """Demo data only: what the demo complaints need to look lived in."""

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _demo_replay_stage_history(self, histories):
        """Demo data only: give demo complaints the stage history of their past.

        Complaints loaded from XML enter their current stage at install time,
        so that every stage passage would start and end then. ``histories``
        maps complaint ids to their moves after receipt, as (stage kind,
        hours after receipt) pairs in order, the last one into their current
        stage. Their passages are replaced by those of the moves, and their
        acknowledgement, resolution, final response, reopenings and pause
        are set as the moves would have set them.
        """
        # the first stage of each kind
        stages = {
            stage.kind: stage
            for stage in self.env["cs.complaint.stage"].search(
                [], order="sequence desc"
            )
        }
        complaints = self.browse(histories).with_context(tracking_disable=True)
        Log = self.env["cs.complaint.stage.log"].sudo()
        Log.search([("complaint_id", "in", complaints.ids)]).unlink()
        for complaint in complaints:
            kinds, dates = zip(
                *[
                    (kind, complaint.received_date + timedelta(hours=hours))
                    for kind, hours in [("new", 0), *histories[complaint.id]]
                ],
                strict=True,
            )
            if kinds[-1] != complaint.stage_kind:
                raise ValidationError(
                    _(
                        "The demo history of %(complaint)s ends in another stage.",
                        complaint=complaint.display_name,
                    )
                )
            Log.create(
                [
                    {
                        "complaint_id": complaint.id,
                        "team_id": complaint.team_id.id,
                        "stage_id": stages[kind].id,
                        "stage_kind": kind,
                        "user_id": (complaint.user_id or self.env.user).id,
                        "date_in": date_in,
                        "date_out": date_out,
                    }
                    for kind, date_in, date_out in zip(
                        kinds, dates, [*dates[1:], False], strict=True
                    )
                ]
            )
            moves = list(zip(kinds, kinds[1:], dates[1:], strict=False))
            resolved = [
                date
                for before, kind, date in moves
                if kind in DONE_KINDS and before not in DONE_KINDS
            ]
            resolved_date = resolved[-1] if kinds[-1] in DONE_KINDS else False
            complaint.write(
                {
                    "acknowledged_date": next(
                        (date for _before, kind, date in moves if kind != "new"), False
                    ),
                    "resolved_date": resolved_date,
                    "final_response_date": resolved_date,
                    "reopen_count": sum(
                        before in DONE_KINDS and kind not in DONE_KINDS
                        for before, kind, _date in moves
                    ),
                    "paused_since": dates[-1]
                    if kinds[-1] == "awaiting"
                    and complaint.sla_policy_id.pause_when_awaiting
                    else False,
                }
            )

    @api.model
    def _demo_department_answers(self, answers):
        """Demo data only: departments answer their actions and handlers review.

        ``answers`` lists (action id, answer, outcome) with outcome
        "to_review", "accepted", or "sent_back" followed by the reason and
        the department's second answer, left for review. Each step runs as
        the action's owner or the complaint's handler, as in real life.
        """
        Action = self.env["cs.complaint.action"]
        for action_id, answer, outcome, *sent_back in answers:
            action = Action.browse(action_id)
            owner = action.with_user(action.user_id)
            handler = action.with_user(action.complaint_id.user_id)
            owner.answer = answer
            owner.action_submit_answer()
            if outcome == "accepted":
                handler.action_accept_answer()
            elif outcome == "sent_back":
                reason, second_answer = sent_back
                handler.review_note = reason
                handler.action_send_back()
                owner.answer = second_answer
                owner.action_submit_answer()
