from odoo import fields, models


class CsComplaintLivechat(models.Model):
    """The live chat a complaint was registered from (discuss_channel.py)."""

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    chat_channel_id = fields.Many2one(
        "discuss.channel",
        string="Live Chat",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        # the bank's link: not for the customer's portal
        groups="base.group_user",
        help="The live chat conversation this complaint was registered from.",
    )
