"""Access rights and record rules of every role on every model.

The tables below are the specification: adding a model is one line in
``ACL_MATRIX`` (and one in ``CONFIG_VALUES`` for a configuration model).
"""

import itertools
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import CsCommon

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
# the verb of the ACL error message of each operation
ACL_VERBS = {
    "read": "access",
    "write": "modify",
    "create": "create",
    "unlink": "delete",
}

ROLES = ("portal", "employee", "agent", "supervisor", "manager", "admin")
# Operations ir.model.access grants each role on each model: r(ead) w(rite)
# c(reate) u(nlink). Record rules come on top, see the tests below.
# fmt: off
ACL_MATRIX = {
    # model                      portal employee agent   supervisor manager admin
    "cs.complaint":             ("r",   "r",     "rwc",  "rwc",     "rwc",  "rwc"),
    "cs.complaint.action":      ("",    "rw",    "rwc",  "rwcu",    "rwcu", "rwcu"),
    "cs.complaint.extension":   ("",    "",      "rwc",  "rwc",     "rwc",  "rwc"),
    "cs.complaint.stage.log":   ("",    "",      "r",    "r",       "r",    "r"),
    "cs.complaint.stage":       ("r",   "r",     "r",    "r",       "rwcu", "rwcu"),
    "cs.complaint.category":    ("r",   "r",     "r",    "r",       "rwcu", "rwcu"),
    "cs.root.cause":            ("",    "r",     "r",    "r",       "rwcu", "rwcu"),
    "cs.team":                  ("",    "r",     "r",    "r",       "rwcu", "rwcu"),
    "cs.sla.policy":            ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.sla.policy.extension":  ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.makeup.workday":        ("",    "r",     "r",    "r",       "r",    "rwcu"),
    "cs.calendar.holiday.year": ("",    "r",     "r",    "r",       "r",    "rwcu"),
    "cs.calendar.holiday.wizard": ("",  "",      "",     "",        "",     "rwcu"),
    "cs.complaint.merge":       ("",    "",      "",     "rwcu",    "rwcu", "rwcu"),
    # sensitive customer data: record rules narrow agents to their customers
    "cs.product":               ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.product.holding":       ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.customer.transaction":  ("",    "",      "r",    "rc",      "rwc",  "rwc"),
    "cs.customer.sensitive":    ("",    "",      "rwc",  "rwc",     "rwc",  "rwc"),
    "cs.followup":              ("",    "",      "rwc",  "rwc",     "rwcu", "rwcu"),
    "cs.service.plan":          ("",    "",      "rwc",  "rwc",     "rwcu", "rwcu"),
    # segments and needs: configured by managers; tier history and metrics
    # written by the recomputation and overrides only
    "cs.segment":               ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.segment.history":       ("",    "",      "r",    "r",       "r",    "r"),
    "cs.customer.metrics":      ("",    "",      "r",    "r",       "r",    "r"),
    "cs.special.need":          ("",    "r",     "r",    "r",       "rwcu", "rwcu"),
    # care festivals: extended by managers, read by the care teams
    "cs.care.festival":         ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    # consent ledger: append-only, entries recorded, never edited nor deleted
    "cs.customer.consent":      ("",    "",      "rc",   "rc",      "rc",   "rc"),
    # care campaigns: run by supervisors, budgets above the threshold
    # approved by managers (see test_care_campaign)
    "cs.care.campaign":         ("",    "",      "r",    "rwc",     "rwcu", "rwcu"),
    # care participants: created by the campaign's jobs (supervisors may
    # invite a customer by hand), never deleted
    "cs.care.participant":      ("",    "",      "r",    "rwc",     "rwc",  "rwc"),
    # care effect: a report, read by supervisors (their teams') and managers
    "cs.care.effect.report":    ("",    "",      "",     "r",       "r",    "r"),
    # team meetings: read by the team, run by supervisors; agents manage
    # their own action items (record rules: test_team_meeting)
    "cs.team.meeting":          ("",    "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.team.meeting.action":   ("",    "",      "rwc",  "rwcu",    "rwcu", "rwcu"),
    # best practices: agents write drafts, supervisors publish
    # (record rules: test_best_practice)
    "cs.best.practice":         ("",    "",      "rwcu", "rwcu",    "rwcu", "rwcu"),
    # improvement ideas: proposed by agents, decided by supervisors
    # (record rules: test_improvement_idea)
    "cs.improvement.idea":      ("",    "",      "rwc",  "rwcu",    "rwcu", "rwcu"),
    # training: courses configured by managers and archived, never deleted;
    # sessions, attendees and plans run by supervisors (their teams'), read
    # by agents (their own); proposals made by the job, closed by
    # supervisors; reminder states written by the job only
    "cs.training.course":       ("",    "",      "r",    "r",       "rwc",  "rwc"),
    "cs.training.session":      ("",    "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.training.attendee":     ("",    "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.training.plan":         ("",    "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.training.plan.line":    ("",    "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.training.proposal":     ("",    "",      "r",    "rw",      "rw",   "rw"),
    "cs.training.reminder":     ("",    "",      "",     "",        "r",    "r"),
    # appraisals: bands and periods configured by managers; templates by
    # supervisors (their teams', see test_appraisal); appraisals written by
    # the agent (self-assessment) and the supervisor, record rules narrowing
    # them; their lines scored by supervisors; reopened by managers
    "cs.appraisal.band":        ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.appraisal.period":      ("",    "",      "r",    "r",       "rwcu", "rwcu"),
    "cs.appraisal.template":    ("",    "",      "r",    "rwc",     "rwcu", "rwcu"),
    "cs.appraisal.template.kpi": ("",   "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.appraisal.template.criterion": ("", "",  "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.appraisal":             ("",    "",      "rw",   "rwc",     "rwcu", "rwcu"),
    "cs.appraisal.kpi.line":    ("",    "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.appraisal.criterion.line": ("", "",      "r",    "rwcu",    "rwcu", "rwcu"),
    "cs.appraisal.reopen":      ("",    "",      "",     "",        "rwcu", "rwcu"),
    # the settings model is Odoo's: system administrators only
    "res.config.settings":      ("",    "",      "",     "",        "",     "rwc"),
    # resource grants every employee all rights; its record rules leave the
    # public holidays (leaves without resource) to administrators
    "resource.calendar.leaves": ("",    "rwcu",  "rwcu", "rwcu",    "rwcu", "rwcu"),
}

# Records each user sees, by key (see setUpClass); None: no access at all.
# agent_a2 owes an action on team B's complaint "b": they see it, not its
# history nor its extension requests.
VISIBLE = {
    # user          complaints     stage history of  actions                  extensions
    "agent_a":      ("a b_mine",   "a b_mine",       "employee a2",           "a"),
    "agent_a2":     ("a b",        "a",              "employee a2 a2_b",      "a"),
    "agent_b":      ("b b_mine",   "b b_mine",       "b a2_b",                "b"),
    "supervisor_a": ("a",          "a",              "employee a2",           "a"),
    "supervisor_b": ("b b_mine",   "b b_mine",       "b a2_b",                "b"),
    "manager":      ("a b b_mine", "a b b_mine",     "employee a2 b a2_b",    "a b"),
    "admin":        ("a b b_mine", "a b b_mine",     "employee a2 b a2_b",    "a b"),
    "agent_c":      ("c",          "c",              "c",                     ""),
    "supervisor_c": ("c",          "c",              "c",                     ""),
    "employee":     ("a",          None,             "employee",              None),
}

# Complaints each user may modify: those they see, but never as a mere
# action owner.
WRITABLE = {
    "agent_a": "a b_mine",
    "agent_a2": "a",
    "agent_b": "b b_mine",
    "supervisor_a": "a",
    "supervisor_b": "b b_mine",
    "manager": "a b b_mine",
    "admin": "a b b_mine",
    "agent_c": "c",
    "supervisor_c": "c",
    "employee": "",
}
# fmt: on

# Values of a new configuration record; ``n`` keeps unique fields unique.
CONFIG_VALUES = {
    "cs.complaint.stage": lambda case, n: {"name": f"Stage {n}", "kind": "in_progress"},
    "cs.complaint.category": lambda case, n: {
        "name": f"Category {n}",
        "code": f"SEC{n}",
    },
    "cs.root.cause": lambda case, n: {"name": f"Cause {n}"},
    "cs.team": lambda case, n: {"name": f"Team {n}", "company_id": case.company_a.id},
    "cs.sla.policy": lambda case, n: {
        "name": f"Policy {n}",
        "company_id": case.company_a.id,
        "resolve_time": 15,
    },
    "cs.sla.policy.extension": lambda case, n: {
        "name": f"Extension {n}",
        "policy_id": case.policy_nfra.id,
        "time": 15,
        "group_id": case.env.ref("customer_service_bank.group_cs_supervisor").id,
    },
    "cs.makeup.workday": lambda case, n: {
        "name": f"Make-up day {n}",
        "calendar_id": case.calendar_cn.id,
        "date": date(2031, 1, 4) + timedelta(days=n),
    },
    "cs.segment": lambda case, n: {"name": f"Segment {n}", "kind": "tag"},
    "cs.special.need": lambda case, n: {"name": f"Need {n}"},
    "cs.care.festival": lambda case, n: {
        "name": f"Festival {n}",
        "country_id": case.env.ref("base.cn").id,
        "holiday_key": "Mid-Autumn Festival",
    },
}


def acl_denied(model, *operations):
    """The message of the ACL error for one of ``operations`` on ``model``."""
    verbs = "|".join(ACL_VERBS[operation] for operation in operations)
    return rf"You are not allowed to ({verbs}) '.+' \({model}\) records"


def rule_denied(model, *operations):
    """The message of the record rule error for one of ``operations`` on
    ``model``."""
    return rf"doesn't have '({'|'.join(operations)})' access to:\n- .+ \({model}\)"


class TestSecurity(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.role_users = {
            "portal": cls.portal,
            "employee": cls.employee,
            "agent": cls.agent_a,
            "supervisor": cls.supervisor_a,
            "manager": cls.manager,
            "admin": cls.admin,
        }
        # created as superuser: one complaint per team, one of team B handled
        # by agent_a, and team C's in company B
        cls.complaints = {
            "a": cls.create_complaint(subject="Team A complaint"),
            "b": cls.create_complaint(
                subject="Team B complaint", team_id=cls.team_b.id
            ),
            "b_mine": cls.create_complaint(
                subject="Team B complaint handled by agent A",
                team_id=cls.team_b.id,
                user_id=cls.agent_a.id,
            ),
            "c": cls.create_complaint(
                subject="Company B complaint",
                company_id=cls.company_b.id,
                team_id=cls.team_c.id,
                partner_id=cls.customer_b.id,
            ),
        }
        Action = cls.env["cs.complaint.action"]
        action_owners = {
            # key: (complaint, owner)
            "employee": ("a", cls.employee),
            "a2": ("a", cls.agent_a2),
            "b": ("b", cls.agent_b),
            "a2_b": ("b", cls.agent_a2),
            "c": ("c", cls.agent_c),
        }
        cls.actions = {
            key: Action.create(
                {
                    "name": f"Action of {owner.name}",
                    "complaint_id": cls.complaints[complaint].id,
                    "user_id": owner.id,
                    "date_deadline": date(2026, 12, 15),
                }
            )
            for key, (complaint, owner) in action_owners.items()
        }
        Extension = cls.env["cs.complaint.extension"]
        cls.extensions = {
            key: Extension.create(
                {
                    "complaint_id": cls.complaints[key].id,
                    "step_id": cls.complaints[key]._next_extension_step().id,
                    "reason": "The card scheme has not answered yet.",
                }
            )
            for key in ("a", "b")
        }
        cls.stage_logs = {
            key: complaint.stage_log_ids for key, complaint in cls.complaints.items()
        }
        cls.holiday = cls.env.ref("customer_service_bank.cn_2026_new_year")

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    @contextmanager
    def assertDenied(self, pattern):
        """Expect an AccessError whose message matches ``pattern``.

        ``assertRaises`` rolls the failed operation back to a savepoint.
        """
        with self.assertRaises(AccessError) as catcher:
            yield
        self.assertRegex(str(catcher.exception), pattern)

    def user(self, name):
        return self.admin if name == "admin" else getattr(self, name)

    @staticmethod
    def keys(records_by_key, records):
        return {key for key, record in records_by_key.items() if record & records}

    # ------------------------------------------------------------------
    # access rights
    # ------------------------------------------------------------------

    def test_acl_matrix(self):
        """Every role has exactly the rights of ACL_MATRIX on every model."""
        for model, rights in ACL_MATRIX.items():
            for role, granted in zip(ROLES, rights, strict=True):
                Model = self.env[model].with_user(self.role_users[role]).browse()
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        if letter in granted:
                            self.assertIsNone(Model.check_access(operation))
                        else:
                            with self.assertDenied(acl_denied(model, operation)):
                                Model.check_access(operation)

    def test_configuration_operations(self):
        """Read, write, create, archive and unlink configuration for real.

        Stages, categories, root causes, teams and policies are read-only for
        agents and supervisors and writable by managers; make-up days by
        administrators.
        """
        counter = itertools.count()
        for model, values in CONFIG_VALUES.items():
            rights = dict(zip(ROLES, ACL_MATRIX[model], strict=True))
            for role, user in self.role_users.items():
                with self.subTest(model=model, role=role):
                    record = self.env[model].create(values(self, next(counter)))
                    self._check_configuration_operations(
                        record.with_user(user),
                        values(self, next(counter)),
                        rights[role],
                    )

    def _check_configuration_operations(self, record, new_values, granted):
        model = record._name
        # archiving, and writing with tracking, may read the record first
        modify = ("write",) if "r" in granted else ("write", "read")
        if "r" in granted:
            self.assertEqual(record.read(["name"])[0]["name"], record.sudo().name)
        else:
            with self.assertDenied(acl_denied(model, "read")):
                record.read(["name"])
        if "w" in granted:
            record.write({"name": "Renamed"})
            self.assertEqual(record.sudo().name, "Renamed")
        else:
            with self.assertDenied(acl_denied(model, *modify)):
                record.write({"name": "Renamed"})
        if "c" in granted:
            created = record.create(new_values)
            self.assertEqual(created.sudo().create_uid, record.env.user)
        else:
            with self.assertDenied(acl_denied(model, "create")):
                record.create(new_values)
        if "active" in record._fields:
            if "w" in granted:
                record.action_archive()
                self.assertFalse(record.sudo().active)
            else:
                with self.assertDenied(acl_denied(model, *modify)):
                    record.action_archive()
                self.assertTrue(record.sudo().active)
        if "u" in granted:
            record.unlink()
            self.assertFalse(record.sudo().exists())
        else:
            with self.assertDenied(acl_denied(model, "unlink")):
                record.unlink()
            self.assertTrue(record.sudo().exists())

    def test_configuration_of_other_company_is_invisible(self):
        self.assertEqual(
            self.env["cs.team"].with_user(self.agent_c).search([]), self.team_c
        )
        with self.assertDenied(rule_denied("cs.team", "read")):
            self.team_a.with_user(self.agent_c).read(["name"])
        with self.assertDenied(rule_denied("cs.sla.policy", "read")):
            self.policy_nfra.with_user(self.supervisor_c).read(["name"])
        self.assertFalse(
            self.env["cs.sla.policy"].with_user(self.supervisor_c).search_count([])
        )
        with self.assertDenied(rule_denied("cs.team", "read")):
            self.team_c.with_user(self.manager).read(["name"])

    # ------------------------------------------------------------------
    # record rules on complaints and what belongs to them
    # ------------------------------------------------------------------

    def _check_visible(self, user, records_by_key, expected):
        Model = next(iter(records_by_key.values())).browse().with_user(user)
        everything = Model.browse().union(*records_by_key.values())
        domain = [("id", "in", everything.ids)]
        if expected is None:
            with self.assertDenied(acl_denied(Model._name, "read")):
                Model.search(domain)
            return
        expected = set(expected.split())
        self.assertEqual(self.keys(records_by_key, Model.search(domain)), expected)
        self.assertEqual(
            Model.search_count(domain),
            sum(len(records_by_key[key]) for key in expected),
        )
        for key, records in records_by_key.items():
            if key in expected:
                records.with_user(user).read(["display_name"])
            else:
                with self.assertDenied(rule_denied(Model._name, "read")):
                    records.with_user(user).read(["display_name"])

    def test_visibility(self):
        """Each user sees exactly the complaints, history, actions and
        extension requests of VISIBLE."""
        for name, expected in VISIBLE.items():
            user = self.user(name)
            for records_by_key, visible in zip(
                (self.complaints, self.stage_logs, self.actions, self.extensions),
                expected,
                strict=True,
            ):
                model = next(iter(records_by_key.values()))._name
                with self.subTest(user=name, model=model):
                    self._check_visible(user, records_by_key, visible)

    def test_complaint_write_access(self):
        """Users modify the complaints of WRITABLE, and only those; a
        refused write changes nothing."""
        for name, writable in WRITABLE.items():
            user = self.user(name)
            visible = VISIBLE[name][0].split()
            for key, complaint in self.complaints.items():
                with self.subTest(user=name, complaint=key):
                    complaint = complaint.with_user(user)
                    if key in writable.split():
                        complaint.check_access("write")
                        complaint.write({"priority": "1"})
                        self.assertEqual(complaint.sudo().priority, "1")
                        continue
                    denied = (
                        acl_denied("cs.complaint", "write")
                        if name == "employee"
                        else rule_denied("cs.complaint", "write")
                    )
                    with self.assertDenied(denied):
                        complaint.check_access("write")
                    if key not in visible:
                        # the chatter's tracking reads the complaint before
                        # the write, so an unseen complaint is refused as
                        # unreadable; when tracking state an earlier test
                        # left on the cursor skips that read, the write
                        # itself is refused: either way, nothing changes
                        denied = "|".join(
                            (
                                rule_denied("cs.complaint", "read", "write"),
                                acl_denied("cs.complaint", "write"),
                            )
                            if name == "employee"
                            else (rule_denied("cs.complaint", "read", "write"),)
                        )
                    complaint.invalidate_recordset()
                    self.env.cr.precommit.data.get(
                        "mail.tracking.cs.complaint", {}
                    ).pop(complaint.id, None)
                    with self.assertDenied(denied):
                        complaint.write({"priority": "3"})
                    self.assertNotEqual(complaint.sudo().priority, "3")

    def test_agent_creates_complaints_of_own_teams_or_assigned_to_self(self):
        Complaint = self.env["cs.complaint"].with_user(self.agent_a)
        values = {
            "subject": "Card blocked abroad",
            "partner_id": self.customer.id,
            "category_id": self.cat_cards.id,
        }
        own_team = Complaint.create(dict(values))
        self.assertEqual(own_team.team_id, self.team_a)
        assigned = Complaint.create(
            {**values, "team_id": self.team_b.id, "user_id": self.agent_a.id}
        )
        self.assertEqual(assigned.sudo().team_id, self.team_b)
        with self.assertDenied(rule_denied("cs.complaint", "create")):
            Complaint.create({**values, "team_id": self.team_b.id})

    def test_complaints_never_deleted(self):
        """Nobody deletes a complaint: the ACL stops users, the ondelete
        guard stops the superuser."""
        complaint = self.complaints["a"]
        for name in ("employee", "agent_a", "supervisor_a", "manager", "admin"):
            with (
                self.subTest(user=name),
                self.assertDenied(acl_denied("cs.complaint", "unlink")),
            ):
                complaint.with_user(self.user(name)).unlink()
        with self.assertRaisesRegex(UserError, "archive them instead of deleting"):
            complaint.sudo().unlink()
        self.assertTrue(complaint.exists())

    def test_agent_archives_own_complaint_and_still_reads_it(self):
        """Archiving is how nothing is lost: the record stays readable."""
        complaint = self.complaints["a"].with_user(self.agent_a)
        with self.assertDenied(rule_denied("cs.complaint", "read")):
            self.complaints["a"].with_user(self.agent_b).action_archive()
        complaint.action_archive()
        self.assertFalse(complaint.sudo().active)
        Complaint = self.env["cs.complaint"].with_user(self.agent_a)
        self.assertFalse(Complaint.search([("id", "=", complaint.id)]))
        archived = Complaint.with_context(active_test=False).search(
            [("id", "=", complaint.id)]
        )
        self.assertEqual(archived, complaint)
        self.assertEqual(archived.read(["subject"])[0]["subject"], "Team A complaint")
        complaint.action_unarchive()
        self.assertTrue(complaint.sudo().active)

    # ------------------------------------------------------------------
    # multi-company
    # ------------------------------------------------------------------

    def test_company_b_complaints_need_company_b_enabled(self):
        """Even a manager sees company B's complaints only with B enabled."""
        complaint_c = self.complaints["c"]
        everything = [("id", "in", [c.id for c in self.complaints.values()])]
        Complaint = self.env["cs.complaint"].with_user(self.manager)
        self.assertNotIn(complaint_c, Complaint.search(everything))
        with self.assertDenied(rule_denied("cs.complaint", "read")):
            complaint_c.with_user(self.manager).read(["subject"])

        self.manager.company_ids = [Command.link(self.company_b.id)]
        only_a = Complaint.with_context(allowed_company_ids=[self.company_a.id])
        self.assertEqual(only_a.search_count(everything), 3)
        with self.assertDenied(rule_denied("cs.complaint", "read")):
            complaint_c.with_user(self.manager).with_context(
                allowed_company_ids=[self.company_a.id]
            ).read(["subject"])
        both = Complaint.with_context(
            allowed_company_ids=[self.company_a.id, self.company_b.id]
        )
        self.assertEqual(both.search_count(everything), 4)

    def test_company_a_stays_out_of_reach_of_company_b_users(self):
        complaint_a = self.complaints["a"]
        for user in (self.agent_c, self.supervisor_c):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.env["cs.complaint"].with_user(user).search([]),
                    self.complaints["c"],
                )
                with self.assertDenied(rule_denied("cs.complaint", "read")):
                    complaint_a.with_user(user).read(["subject"])
                with self.assertRaisesRegex(AccessError, "unauthorized or invalid"):
                    self.env["cs.complaint"].with_user(user).with_context(
                        allowed_company_ids=[self.company_a.id]
                    ).search([])

    # ------------------------------------------------------------------
    # employees owing an action, portal users
    # ------------------------------------------------------------------

    def test_employee_marks_own_action_done(self):
        action = self.actions["employee"].with_user(self.employee)
        activity = action.sudo().activity_id
        self.assertEqual(activity.user_id, self.employee)
        action.action_done()
        self.assertTrue(action.is_done)
        self.assertFalse(activity.exists())
        self.assertEqual(action.date_done, fields.Date.context_today(action))
        self.assertIn(
            f"Action done by {self.employee.name}: Action of {self.employee.name}",
            self.complaints["a"].message_ids[0].body,
        )
        self.assertFalse(self.actions["a2"].is_done)

    def test_employee_cannot_edit_complaint_nor_others_actions(self):
        employee = self.employee
        with self.assertDenied(acl_denied("cs.complaint", "write")):
            self.complaints["a"].with_user(employee).write({"subject": "Changed"})
        with self.assertDenied(rule_denied("cs.complaint.action", "read")):
            self.actions["a2"].with_user(employee).read(["name"])
        with self.assertDenied(rule_denied("cs.complaint.action", "read")):
            self.actions["a2"].with_user(employee).action_done()
        self.assertFalse(self.actions["a2"].is_done)
        # the complaint form shows them their own action only
        complaint = self.complaints["a"].with_user(employee)
        form = complaint.web_read(
            {"subject": {}, "action_ids": {"fields": {"name": {}}}}
        )
        self.assertEqual(form[0]["subject"], "Team A complaint")
        self.assertEqual(
            form[0]["action_ids"],
            [
                {
                    "id": self.actions["employee"].id,
                    "name": self.actions["employee"].name,
                }
            ],
        )
        Action = self.env["cs.complaint.action"].with_user(employee)
        with self.assertDenied(acl_denied("cs.complaint.action", "create")):
            Action.create(
                {
                    "name": "Another action",
                    "complaint_id": complaint.id,
                    "user_id": employee.id,
                    "date_deadline": date(2026, 12, 20),
                }
            )
        with self.assertDenied(acl_denied("cs.complaint.action", "unlink")):
            self.actions["employee"].with_user(employee).unlink()

    def test_action_owner_cannot_move_action_to_another_complaint(self):
        """Otherwise moving their action would let them read any complaint."""
        action = self.actions["employee"].with_user(self.employee)
        with self.assertDenied(acl_denied("cs.complaint", "write")):
            action.write({"complaint_id": self.complaints["b"].id})
        self.assertEqual(action.sudo().complaint_id, self.complaints["a"])
        with self.assertDenied(rule_denied("cs.complaint", "read")):
            self.complaints["b"].with_user(self.employee).read(["subject"])

    def test_agent_cannot_plant_action_on_foreign_complaint(self):
        """An action of their own on another team's complaint would open it."""
        Action = self.env["cs.complaint.action"].with_user(self.agent_a)
        values = {
            "name": "Look around",
            "user_id": self.agent_a.id,
            "date_deadline": date(2026, 12, 20),
        }
        with self.assertDenied(rule_denied("cs.complaint", "write")):
            Action.create({**values, "complaint_id": self.complaints["b"].id})
        with self.assertDenied(rule_denied("cs.complaint", "write")):
            self.actions["a2"].with_user(self.agent_a).write(
                {"complaint_id": self.complaints["b"].id}
            )
        # on their own team's complaint, for anyone
        action = Action.create(
            {
                **values,
                "complaint_id": self.complaints["a"].id,
                "user_id": self.agent_b.id,
            }
        )
        self.assertEqual(action.sudo().complaint_id, self.complaints["a"])

    def test_supervisor_deletes_actions_of_supervised_teams_only(self):
        with self.assertDenied(rule_denied("cs.complaint.action", "unlink")):
            self.actions["employee"].with_user(self.supervisor_b).unlink()
        self.actions["employee"].with_user(self.supervisor_a).unlink()
        self.assertFalse(self.actions["employee"].exists())

    def test_portal_sees_nothing(self):
        """Portal users have no right on customer service models but those the
        portal reads, and see only their own complaints (test_portal.py)."""
        for model, rights in ACL_MATRIX.items():
            if rights[0]:
                continue
            with (
                self.subTest(model=model),
                self.assertDenied(acl_denied(model, "read")),
            ):
                self.env[model].with_user(self.portal).search([])
        self.assertFalse(self.env["cs.complaint"].with_user(self.portal).search([]))
        with self.assertDenied(rule_denied("cs.complaint", "read")):
            self.complaints["a"].with_user(self.portal).read(["subject"])

    # ------------------------------------------------------------------
    # merge wizard, holidays, settings
    # ------------------------------------------------------------------

    def _merge_wizard(self, user, complaints):
        return (
            self.env["cs.complaint.merge"]
            .with_user(user)
            .with_context(active_model="cs.complaint", active_ids=complaints.ids)
            .create({})
        )

    def test_merge_needs_a_supervisor_of_the_team(self):
        duplicate = self.create_complaint(
            subject="Annual fee charged twice, again",
            received_date=datetime(2026, 11, 3, 2, 0),
        )
        complaints = self.complaints["a"] | duplicate
        with self.assertDenied(acl_denied("cs.complaint.merge", "create")):
            self._merge_wizard(self.agent_a, complaints)
        with self.assertDenied(rule_denied("cs.complaint", "read")):
            self._merge_wizard(self.supervisor_b, complaints).action_merge()

        self._merge_wizard(self.supervisor_a, complaints).action_merge()
        self.assertFalse(duplicate.active)
        self.assertEqual(duplicate.merged_into_id, self.complaints["a"])
        archived = (
            self.env["cs.complaint"]
            .with_user(self.supervisor_a)
            .with_context(active_test=False)
            .search([("merged_into_id", "=", self.complaints["a"].id)])
        )
        self.assertEqual(archived, duplicate)

    def test_holidays_are_edited_by_administrators_only(self):
        """Every employee reads public holidays; only admins change them."""
        Leave = self.env["resource.calendar.leaves"]
        values = {
            "name": "Extra bank holiday",
            "calendar_id": self.calendar_cn.id,
            "date_from": "2031-03-02 16:00:00",
            "date_to": "2031-03-03 15:59:59",
        }
        for user in (self.employee, self.agent_a, self.supervisor_a, self.manager):
            with self.subTest(user=user.login):
                holiday = self.holiday.with_user(user)
                self.assertEqual(
                    holiday.read(["name"])[0]["name"], "元旦 New Year's Day"
                )
                with self.assertDenied(
                    rule_denied("resource.calendar.leaves", "write")
                ):
                    holiday.write({"date_to": "2026-01-04 15:59:59"})
                with self.assertDenied(
                    rule_denied("resource.calendar.leaves", "create")
                ):
                    Leave.with_user(user).create(values)
                with self.assertDenied(
                    rule_denied("resource.calendar.leaves", "unlink")
                ):
                    holiday.unlink()
        admin_leave = Leave.with_user(self.admin).create(values)
        admin_leave.write({"name": "Extra bank holiday (moved)"})
        admin_leave.unlink()
        self.assertFalse(admin_leave.exists())
        self.holiday.with_user(self.admin).write({"date_to": "2026-01-04 15:59:59"})
        self.assertEqual(str(self.holiday.date_to), "2026-01-04 15:59:59")

    def test_settings(self):
        """Only system administrators open the settings; the Customer Service
        block shows to those who are also managers."""
        with self.assertDenied(acl_denied("res.config.settings", "create")):
            self.env["res.config.settings"].with_user(self.manager).create({})
        self.env["res.config.settings"].with_user(self.admin).create(
            {"cs_warning_threshold": 60.0}
        ).execute()
        self.assertEqual(self.company_a.cs_warning_threshold, 60.0)

        view = self.env.ref("base.res_config_settings_view_form")
        sysadmin = new_test_user(self.env, "cs_t_sysadmin", groups="base.group_system")
        for user, shown in ((self.admin, True), (sysadmin, False)):
            with self.subTest(user=user.login):
                arch = (
                    self.env["res.config.settings"]
                    .with_user(user)
                    .get_view(view.id)["arch"]
                )
                self.assertEqual('name="customer_service_bank"' in arch, shown)
                self.assertEqual("cs_warning_threshold" in arch, shown)
