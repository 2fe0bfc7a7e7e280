from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html

CONTACT_STEP_TYPES = ("question_email", "question_phone")
FREE_INPUT_STEP_TYPES = ("free_input_single", "free_input_multi")


class ChatbotScriptStep(models.Model):
    """A chatbot step that registers the chat as a complaint and answers the
    customer its reference, so that a complaint can be made at any hour."""

    _inherit = "chatbot.script.step"

    step_type = fields.Selection(
        selection_add=[("create_complaint", "Create Complaint")],
        ondelete={"create_complaint": "cascade"},
    )

    @api.constrains("step_type", "sequence", "chatbot_script_id")
    def _check_cs_complaint_inputs(self):
        """A complaint needs the customer's words and a way to reach them,
        asked by the steps before."""
        for step in self.filtered(lambda s: s.step_type == "create_complaint"):
            earlier = set(
                step.chatbot_script_id.script_step_ids.filtered(
                    lambda s, step=step: s.sequence < step.sequence
                ).mapped("step_type")
            )
            if not earlier.intersection(CONTACT_STEP_TYPES):
                raise ValidationError(
                    self.env._(
                        "The chatbot %(script)s must ask the customer's email or "
                        "phone before it creates a complaint.",
                        script=step.chatbot_script_id.title,
                    )
                )
            if not earlier.intersection(FREE_INPUT_STEP_TYPES):
                raise ValidationError(
                    self.env._(
                        "The chatbot %(script)s must let the customer describe "
                        "their complaint (a free input step) before it creates "
                        "the complaint.",
                        script=step.chatbot_script_id.title,
                    )
                )

    def _process_step(self, discuss_channel):
        """Register the complaint, then answer with the step's message and
        the reference; a complaint that cannot be registered is answered
        with the reason instead, and the chat goes on."""
        self.ensure_one()
        if self.step_type != "create_complaint":
            return super()._process_step(discuss_channel)
        # sudo: discuss.channel - the bot moves the visitor's chat on
        discuss_channel.sudo().chatbot_current_step_id = self.id
        script = self.chatbot_script_id
        try:
            with self.env.cr.savepoint():
                complaint = discuss_channel._cs_create_complaint(chatbot_script=script)
        except UserError as error:
            return discuss_channel._chatbot_post_message(
                script, plaintext2html(error.args[0])
            )
        answer = self.env._(
            "Your complaint is registered under the reference %(reference)s.",
            reference=complaint.name,
        )
        body = plaintext2html(answer)
        if self.message:
            body = plaintext2html(self.message) + Markup("<br/>") + body
        return discuss_channel._chatbot_post_message(script, body)
