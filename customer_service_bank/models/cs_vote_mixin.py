from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CsVoteMixin(models.AbstractModel):
    """One vote per user on a record, counted.

    Votes change only through the vote buttons, which any reader may press
    (the vote is written as superuser): a model says when its records take
    votes with ``_vote_refusal``.
    """

    _name = "cs.vote.mixin"
    _description = "Votes"

    voter_ids = fields.Many2many(
        "res.users", string="Voters", readonly=True, copy=False
    )
    vote_count = fields.Integer(
        string="Votes", compute="_compute_vote_count", store=True
    )
    has_voted = fields.Boolean(compute="_compute_has_voted")

    @api.depends("voter_ids")
    def _compute_vote_count(self):
        for record in self:
            record.vote_count = len(record.voter_ids)

    @api.depends_context("uid")
    @api.depends("voter_ids")
    def _compute_has_voted(self):
        for record in self:
            record.has_voted = self.env.user in record.voter_ids

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("voter_ids") for vals in vals_list):
            self._check_vote_by_button()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("voter_ids"):
            self._check_vote_by_button()
        return super().write(vals)

    def action_vote(self):
        """Count the user's vote, once per user."""
        self.check_access("read")
        for record in self:
            refusal = record._vote_refusal()
            if refusal:
                raise UserError(refusal)
            if self.env.user in record.voter_ids:
                raise UserError(
                    self.env._(
                        "You already voted for %(record)s.", record=record.display_name
                    )
                )
        self.sudo().write({"voter_ids": [fields.Command.link(self.env.uid)]})
        return True

    def action_unvote(self):
        self.check_access("read")
        self.sudo().write({"voter_ids": [fields.Command.unlink(self.env.uid)]})
        return True

    def _vote_refusal(self):
        """Why this record takes no vote now, or False."""
        return False

    def _check_vote_by_button(self):
        if not self.env.su:
            raise AccessError(self.env._("Vote with the vote button."))
