from odoo import api, fields, models
from odoo.exceptions import AccessError


class CsBestPractice(models.Model):
    """A way of handling complaints that worked, shared with the agents.

    Agents read the published ones and write their own drafts; supervisors
    publish them.
    """

    _name = "cs.best.practice"
    _description = "Best Practice"
    _inherit = ["mail.thread", "cs.vote.mixin"]
    _order = "vote_count desc, published_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    body = fields.Html()
    category_ids = fields.Many2many(
        "cs.complaint.category",
        "cs_best_practice_category_rel",
        "practice_id",
        "category_id",
        string="Complaint Categories",
        check_company=True,
        help="The practice shows on the complaints of these categories and of "
        "their subcategories.",
    )
    author_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    team_id = fields.Many2one(
        "cs.team",
        index=True,
        check_company=True,
        default=lambda self: self.env.user.cs_team_ids[:1],
        help="Supervisors of this team publish the practice; any supervisor "
        "when empty.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("published", "Published")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    published_date = fields.Date(readonly=True, copy=False)
    voter_ids = fields.Many2many(string="Found Helpful By")
    vote_count = fields.Integer(string="Helpful Votes")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_protected_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected_fields(vals)
        return super().write(vals)

    def action_publish(self):
        self._check_supervisor()
        self.filtered(lambda practice: practice.state == "draft").write(
            {"state": "published", "published_date": fields.Date.context_today(self)}
        )
        return True

    def action_draft(self):
        self._check_supervisor()
        self.write({"state": "draft"})
        return True

    def _check_supervisor(self):
        if not self.env.user.has_group("customer_service_bank.group_cs_supervisor"):
            raise AccessError(
                self.env._("Only supervisors publish and withdraw best practices.")
            )
        self.check_access("write")

    def _check_protected_fields(self, vals):
        """The state moves by the actions only."""
        if self.env.su:
            return
        if vals.get("state", "draft") != "draft" or vals.get("published_date"):
            self._check_supervisor()

    def _vote_refusal(self):
        if self.state != "published":
            return self.env._(
                "Only published practices can be voted for: %(practice)s is a draft.",
                practice=self.name,
            )
        return False
