import heapq
from datetime import timedelta

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .cs_complaint_stage import OPEN_KINDS

ASSIGNMENT_METHODS = [
    ("manual", "Manual"),
    ("round_robin", "Round-robin"),
    ("least_open", "Least open complaints"),
]


class CsTeamAssignment(models.Model):
    """How a team hands its new complaints to its members.

    A team assigning automatically gives each complaint to a member who is
    working now on the team's calendar and not on time off, is not recused
    from it, and holds fewer open complaints of the team than its cap: in
    turn (round-robin) or to whoever holds the fewest (least open).
    cs_complaint_assignment.py applies it at intake, from a button and from
    the scheduled action.
    """

    # one concern a file, as cs_team_alias.py
    _inherit = "cs.team"  # pylint: disable=consider-merging-classes-inherited

    assignment_method = fields.Selection(
        ASSIGNMENT_METHODS,
        string="Assignment",
        required=True,
        default="manual",
        tracking=True,
        help="Manual: a supervisor chooses the handler. Round-robin: the members "
        "working now in turn. Least open complaints: the member working now "
        "with the fewest open complaints of the team.",
    )
    assignment_cap = fields.Integer(
        string="Open Complaints per Agent",
        tracking=True,
        help="A member holding this many open complaints of the team receives "
        "no more automatically; 0 for no limit.",
    )
    assignment_user_id = fields.Many2one(
        "res.users",
        string="Last Assigned To",
        readonly=True,
        copy=False,
        help="The member who received the last complaint assigned automatically; "
        "the round-robin goes on with the next one.",
    )

    @api.constrains("assignment_cap")
    def _check_assignment_cap(self):
        for team in self:
            if team.assignment_cap < 0:
                raise ValidationError(
                    self.env._(
                        "The cap of open complaints per agent of %(team)s cannot "
                        "be negative: use 0 for no limit.",
                        team=team.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _cs_lock_assignment(self):
        """Hold the teams until the transaction ends, in a fixed order.

        A second transaction assigning for the same team waits here, then,
        as the first one wrote the team (``assignment_user_id``), fails with
        a serialization error and is retried, counting the first one's
        assignments: nobody goes over the cap.
        """
        self.env.cr.execute(
            SQL(
                "SELECT id FROM cs_team WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
                tuple(self.ids),
            )
        )

    def _cs_working_members(self):
        """{team id: its members working now}, in one pass per calendar.

        Working means within the working hours of the team's calendar as
        live chat and deadlines count them (``_cs_working_at``: public
        holidays, make-up working days, lunch), and outside the member's own
        time off (resource.calendar.leaves of their employee's resource,
        which validated hr.leave create, whatever calendar they were taken
        on). A member without an employee in the team's company follows the
        team calendar alone.
        """
        moment = fields.Datetime.now()
        now = utc.localize(moment)
        end = now + timedelta(minutes=1)
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search_fetch(
                [
                    ("user_id", "in", self.member_ids.ids),
                    ("company_id", "in", self.company_id.ids),
                ],
                ["user_id", "company_id", "resource_id"],
            )
        )
        resource_of = {
            (employee.user_id.id, employee.company_id.id): employee.resource_id
            for employee in employees
        }
        working = {}
        for calendar, teams in self.grouped(
            lambda team: team._deadline_calendar()
        ).items():
            calendar = calendar.sudo()
            if not calendar._cs_working_at(moment):
                for team in teams:
                    working[team.id] = team.member_ids.browse()
                continue
            resources = self.env["resource.resource"].sudo()
            resources = resources.union(
                *(
                    resource_of.get((user.id, team.company_id.id), resources)
                    for team in teams
                    for user in team.member_ids
                )
            )
            # anyone's own time off, on whatever calendar it was taken
            leaves = calendar._leave_intervals_batch(
                now,
                end,
                resources=resources,
                domain=[("time_type", "=", "leave"), ("resource_id", "!=", False)],
                tz=timezone(calendar.tz or "UTC"),
                any_calendar=True,
            )
            away = {resource.id for resource in resources if leaves[resource.id]}
            for team in teams:
                working[team.id] = team.member_ids.browse(
                    user.id
                    for user in team.member_ids
                    if resource_of.get((user.id, team.company_id.id), resources[:0]).id
                    not in away
                )
        return working

    def _cs_open_loads(self):
        """{(team id, user id): open complaints of the team the user handles},
        in one grouped count."""
        groups = (
            self.env["cs.complaint"]
            .sudo()
            ._read_group(
                [
                    ("team_id", "in", self.ids),
                    ("user_id", "!=", False),
                    ("stage_kind", "in", OPEN_KINDS),
                ],
                ["team_id", "user_id"],
                ["__count"],
            )
        )
        return {(team.id, user.id): count for team, user, count in groups}

    def _cs_has_capacity(self, agents, loads):
        """Whether one of ``agents`` of the team is under its cap."""
        self.ensure_one()
        return any(
            not self.assignment_cap
            or loads.get((self.id, user.id), 0) < self.assignment_cap
            for user in agents
        )

    def _cs_distribute(self, complaints, agents, loads):
        """{complaint id: user id} for the ``complaints`` of this team that
        one of ``agents`` can take, by the team's method.

        ``loads`` counts the open complaints of each agent in the team
        (``_cs_open_loads``) and is kept up to date. Agents are taken in
        member order starting after the last one assigned, which breaks the
        ties of least open too; nobody reaches more than the cap, and a
        complaint skips the agents recused from it.
        """
        self.ensure_one()
        members = self.member_ids.ids
        start = (
            members.index(self.assignment_user_id.id) + 1
            if self.assignment_user_id.id in members
            else 0
        )
        rank = {
            user_id: index
            for index, user_id in enumerate(members[start:] + members[:start])
        }
        turn = sorted(agents.ids, key=rank.__getitem__)
        cap = self.assignment_cap or float("inf")
        partner_users = {user.partner_id.id: user.id for user in agents}
        free = [
            (loads.get((self.id, user_id), 0), rank[user_id], user_id)
            for user_id in turn
            if loads.get((self.id, user_id), 0) < cap
        ]
        plan = {}
        if self.assignment_method == "least_open":
            heapq.heapify(free)
            for complaint in complaints:
                recused = complaint._cs_recused_user_ids(partner_users)
                skipped = []
                while free and free[0][2] in recused:
                    skipped.append(heapq.heappop(free))
                if free:
                    count, order, user_id = heapq.heappop(free)
                    plan[complaint.id] = user_id
                    if count + 1 < cap:
                        heapq.heappush(free, (count + 1, order, user_id))
                for item in skipped:
                    heapq.heappush(free, item)
                if not free:
                    break
        else:
            queue = [user_id for _count, _order, user_id in free]
            load = {user_id: count for count, _order, user_id in free}
            position = 0
            for complaint in complaints:
                if not queue:
                    break
                recused = complaint._cs_recused_user_ids(partner_users)
                for step in range(len(queue)):
                    index = (position + step) % len(queue)
                    user_id = queue[index]
                    if user_id in recused:
                        continue
                    plan[complaint.id] = user_id
                    load[user_id] += 1
                    if load[user_id] >= cap:
                        queue.pop(index)
                        position = index % len(queue) if queue else 0
                    else:
                        position = (index + 1) % len(queue)
                    break
        for user_id in plan.values():
            key = (self.id, user_id)
            loads[key] = loads.get(key, 0) + 1
        return plan
