from odoo import api, fields, models
from odoo.exceptions import UserError

from .cs_complaint_stage import DONE_KINDS

# what a complaint's regulatory deadline is counted from, besides the stage
# passages and extensions: department due dates follow their changes
DEADLINE_SOURCES = frozenset(
    {
        "received_date",
        "sla_policy_id",
        "team_id",
        "company_id",
        "category_id",
        "channel",
        "priority",
        "partner_id",
    }
)


class CsComplaintDepartment(models.Model):
    """Work handed to other departments, seen from the complaint.

    The department's answers reach the customer only through the handler:
    while one awaits review, no reply goes to the customer and no final
    response is given. The customer's portal says a specialist team has
    the complaint while a department works on it, and nothing more.
    """

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    answer_to_review_count = fields.Integer(
        string="Answers to Review",
        compute="_compute_answer_to_review_count",
        help="Answers of other departments the handler has not reviewed yet.",
    )
    portal_with_specialist = fields.Boolean(
        compute="_compute_portal_status",
        help="Another department is working on the complaint, as the customer "
        "is told in the portal.",
    )

    @api.depends("action_ids.review_state")
    def _compute_answer_to_review_count(self):
        for complaint in self:
            complaint.answer_to_review_count = len(
                complaint.sudo().action_ids.filtered(
                    lambda action: action.review_state == "to_review"
                )
            )

    @api.depends(
        "action_ids.is_department_work", "action_ids.review_state", "action_ids.is_done"
    )
    def _compute_portal_status(self):
        result = super()._compute_portal_status()
        label = self.env._("With a specialist team")
        for complaint in self:
            # the customer sees no action, only that specialists have it
            complaint.portal_with_specialist = complaint.stage_kind in (
                "new",
                "in_progress",
            ) and any(
                action.review_state == "pending" and not action.is_done
                for action in complaint.sudo().action_ids
            )
            if complaint.portal_with_specialist:
                complaint.portal_status = label
        return result

    def write(self, vals):
        # leaving a paused stay lengthens the deadline
        moves_deadline = DEADLINE_SOURCES.intersection(vals) or (
            "stage_id" in vals
            and any(complaint.stage_kind == "awaiting" for complaint in self)
        )
        if vals.get("final_response_date"):
            self._check_no_answer_to_review()
        result = super().write(vals)
        if moves_deadline:
            self._sync_department_activities()
        return result

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        """Refuse a message to the customer while a department's answer
        awaits the handler's review."""
        if self and self._is_customer_reply(kwargs):
            self._check_no_answer_to_review()
        return super().message_post(**kwargs)

    def action_view_answers_to_review(self):
        self.ensure_one()
        action = self.action_view_actions()
        action["domain"] = [
            ("complaint_id", "=", self.id),
            ("review_state", "=", "to_review"),
        ]
        return action

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _check_can_enter(self, stage):
        result = super()._check_can_enter(stage)
        if stage.kind in DONE_KINDS:
            self._check_no_answer_to_review()
        return result

    def _check_no_answer_to_review(self):
        for complaint in self:
            waiting = complaint.sudo().action_ids.filtered(
                lambda action: action.review_state == "to_review"
            )
            if waiting:
                raise UserError(
                    self.env._(
                        "The answer of %(departments)s to %(complaint)s awaits "
                        "review: accept it or send it back before replying to "
                        "the customer.",
                        departments=", ".join(waiting.department_id.mapped("name")),
                        complaint=complaint.display_name,
                    )
                )

    def _is_customer_reply(self, post_values):
        """Whether an employee's message would reach the complaint's customer."""
        if not self.env.user._is_internal():
            return False
        if post_values.get("message_type", "notification") != "comment":
            return False
        subtype_id = post_values.get("subtype_id")
        comment = self.env.ref("mail.mt_comment")
        if subtype_id and subtype_id != comment.id:
            return False
        if not subtype_id and post_values.get("subtype_xmlid") not in (
            "mail.mt_comment",
            "mt_comment",
        ):
            return False
        customers = self.partner_id
        recipients = set(post_values.get("partner_ids") or [])
        return bool(
            recipients.intersection(customers.ids)
            or (self.message_partner_ids & customers)
        )

    def _sync_department_activities(self):
        """Department due dates follow the deadline: so do their activities."""
        self.action_ids.filtered("is_department_work")._sync_activity_dates()
