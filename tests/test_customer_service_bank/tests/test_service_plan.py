from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time

from .common import CsCommon

START = date(2026, 1, 31)
NOON = datetime(2026, 1, 31, 12, 0)


class TestServicePlan(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["cs.service.plan"]
        ref = cls.env.ref
        cls.elderly = ref("customer_service_bank.cs_special_need_elderly")
        cls.disability = ref("customer_service_bank.cs_special_need_disability")
        cls.language = ref("customer_service_bank.cs_special_need_language")
        cls.vulnerable = ref("customer_service_bank.cs_special_need_vulnerable")
        cls.review_type = ref("customer_service_bank.mail_activity_type_cs_plan_review")
        cls.customer.sudo().cs_relationship_manager_id = cls.agent_a
        cls.customer2.sudo().cs_relationship_manager_id = cls.agent_b

    def _create(self, user=None, **values):
        Plan = self.Plan.with_user(user) if user else self.Plan
        return Plan.create(
            {
                "name": "Branch support",
                "partner_id": self.customer.id,
                "special_need_id": self.elderly.id,
                "start_date": START,
                "user_id": self.agent_a.id,
                **values,
            }
        )

    def _activities(self, plan, active=True):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "cs.service.plan"),
                    ("res_id", "=", plan.id),
                    ("activity_type_id", "=", self.review_type.id),
                    ("active", "=", active),
                ],
                order="id",
            )
        )

    def _state_tracking(self, plan):
        """(old, new) state labels tracked on ``plan``, oldest first."""
        self.env.flush_all()
        self.env.cr.flush()  # tracking values are written by precommit hooks
        values = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "cs.service.plan"),
                ("mail_message_id.res_id", "=", plan.id),
                ("field_id.name", "=", "state"),
            ],
            order="id",
        )
        return [(value.old_value_char, value.new_value_char) for value in values]

    # templates

    def test_special_needs_come_with_templates(self):
        needs = self.elderly | self.disability | self.language | self.vulnerable
        self.assertEqual(
            needs.mapped("kind"), ["elderly", "disability", "language", "vulnerable"]
        )
        self.assertEqual(needs.mapped("plan_review_months"), [12, 12, 24, 6])
        self.assertIn("Large-print statements", self.elderly.plan_measures_template)
        self.assertIn(
            "Sign-language interpreter", self.disability.plan_measures_template
        )
        self.assertIn("preferred language", self.language.plan_measures_template)
        self.assertIn("financial abuse", self.vulnerable.plan_measures_template)

    def test_need_prefills_measures_and_review_date(self):
        with freeze_time(NOON):
            form = Form(self.Plan.with_user(self.agent_a))
            form.name = "Support for Mrs Li"
            form.partner_id = self.customer
            self.assertEqual(form.start_date, START)
            self.assertFalse(form.review_date)
            form.special_need_id = self.elderly
            self.assertIn("Priority counter service", form.measures)
            self.assertEqual(form.review_date, date(2027, 1, 31))
            form.special_need_id = self.vulnerable
            self.assertIn("One named contact person", form.measures)
            self.assertNotIn("Priority counter service", form.measures)
            self.assertEqual(form.review_date, date(2026, 7, 31))
            form.start_date = date(2026, 8, 31)
            self.assertEqual(form.review_date, date(2027, 2, 28))
            plan = form.save()
        self.assertEqual(plan.state, "draft")
        self.assertEqual(plan.user_id, self.agent_a)
        self.assertIn("One named contact person", plan.measures)
        self.assertEqual(plan.review_date, date(2027, 2, 28))

    def test_planned_from_the_customer(self):
        action = self.customer._cs_action(
            "customer_service_bank.cs_service_plan_action"
        )
        Plan = self.Plan.with_user(self.agent_a).with_context(**action["context"])
        form = Form(Plan)
        form.name = "Interpreter at meetings"
        form.special_need_id = self.language
        plan = form.save()
        self.assertEqual(plan.partner_id, self.customer)
        self.assertIn("interpreter", plan.measures)
        self.assertEqual(Plan.search(action["domain"]), plan)
        self.assertEqual(self.customer.cs_service_plan_ids, plan)

    def test_given_measures_and_review_date_are_kept(self):
        plan = self._create(
            measures="<p>Home visits only</p>", review_date=date(2026, 3, 1)
        )
        self.assertEqual(str(plan.measures), "<p>Home visits only</p>")
        self.assertEqual(plan.review_date, date(2026, 3, 1))

    def test_need_without_review_delay_sets_no_review_date(self):
        self.language.plan_review_months = 0
        plan = self._create(special_need_id=self.language.id)
        self.assertFalse(plan.review_date)

    def test_review_cannot_come_before_start(self):
        with self.assertRaisesRegex(
            ValidationError, "The review of Branch support cannot come before its start"
        ):
            self._create(review_date=date(2026, 1, 30))
        plan = self._create()
        with self.assertRaisesRolledBack(ValidationError, "cannot come before"):
            plan.review_date = date(2026, 1, 15)
        self.assertEqual(plan.review_date, date(2027, 1, 31))
        # a later start moves the review date along
        plan.start_date = date(2026, 2, 28)
        self.assertEqual(plan.review_date, date(2027, 2, 28))
        with self.assertRaisesRolledBack(ValidationError, "cannot come before"):
            plan.write(
                {"start_date": date(2026, 3, 1), "review_date": date(2026, 2, 1)}
            )

    # states

    def test_state_changes_are_tracked(self):
        plan = self._create(user=self.agent_a).with_user(self.agent_a)
        steps = [
            (plan.action_activate, "active"),
            (plan.action_start_review, "review"),
            (plan.action_close, "closed"),
            (plan.action_reset_draft, "draft"),
        ]
        for action, state in steps:
            # each click is its own transaction, tracked when it commits;
            # changes made where a record is created are not tracked
            self.env.flush_all()
            self.env.cr.flush()
            action()
            self.assertEqual(plan.state, state)
        self.assertEqual(
            self._state_tracking(plan),
            [
                ("Draft", "Active"),
                ("Active", "Under Review"),
                ("Under Review", "Closed"),
                ("Closed", "Draft"),
            ],
        )

    def test_wrong_state_changes_are_refused(self):
        plan = self._create()
        with self.assertRaisesRegex(
            UserError, "Only active plans can be reviewed: Branch support"
        ):
            plan.action_start_review()
        with self.assertRaisesRegex(UserError, "can be closed: Branch support"):
            plan.action_close()
        with self.assertRaisesRegex(UserError, "Branch support is already a draft"):
            plan.action_reset_draft()
        plan.action_activate()
        with self.assertRaisesRegex(UserError, "can be activated: Branch support"):
            plan.action_activate()
        self.assertEqual(plan.state, "active")

    # review reminder

    def test_review_activity_follows_the_plan(self):
        plan = self._create()
        self.assertFalse(self._activities(plan))
        plan.action_activate()
        activity = self._activities(plan)
        self.assertRecordValues(
            activity,
            [
                {
                    "summary": "Review Branch support",
                    "user_id": self.agent_a.id,
                    "date_deadline": date(2027, 1, 31),
                }
            ],
        )
        plan.write({"review_date": date(2026, 10, 15), "user_id": self.agent_a2.id})
        self.assertEqual(self._activities(plan), activity)
        self.assertEqual(activity.date_deadline, date(2026, 10, 15))
        self.assertEqual(activity.user_id, self.agent_a2)

        plan.action_start_review()
        self.assertEqual(self._activities(plan), activity)
        # reviewed after the review date: the next review is a year from today
        with freeze_time(datetime(2026, 10, 20, 12, 0)):
            plan.action_activate()
        self.assertEqual(plan.review_date, date(2027, 10, 20))
        self.assertEqual(self._activities(plan, active=False), activity)
        following = self._activities(plan)
        self.assertEqual(len(following), 1)
        self.assertEqual(following.date_deadline, date(2027, 10, 20))
        self.assertEqual(following.user_id, self.agent_a2)

        plan.action_close()
        self.assertFalse(self._activities(plan))
        self.assertEqual(self._activities(plan, active=False), activity | following)

    def test_reset_to_draft_drops_the_reminder(self):
        plan = self._create()
        plan.action_activate()
        self.assertEqual(len(self._activities(plan)), 1)
        plan.action_reset_draft()
        self.assertFalse(self._activities(plan))
        self.assertFalse(self._activities(plan, active=False))

    # access

    def test_agent_sees_own_and_managed_customers_plans(self):
        own_elsewhere = self._create(partner_id=self.customer2.id)
        managed_other_owner = self._create(user_id=self.agent_b.id)
        foreign = self._create(partner_id=self.customer2.id, user_id=self.agent_b.id)
        ours = own_elsewhere | managed_other_owner | foreign
        as_agent = self.Plan.with_user(self.agent_a)
        self.assertEqual(
            as_agent.search([("id", "in", ours.ids)]),
            own_elsewhere | managed_other_owner,
        )
        managed_other_owner.with_user(self.agent_a).action_activate()
        self.assertEqual(managed_other_owner.state, "active")
        with self.assertRaises(AccessError):
            foreign.with_user(self.agent_a).read(["measures"])
        with self.assertRaises(AccessError):
            foreign.with_user(self.agent_a).action_activate()
        with self.assertRaises(AccessError):
            own_elsewhere.with_user(self.agent_a).unlink()
        with self.assertRaises(AccessError):
            self._create(
                user=self.agent_a,
                partner_id=self.customer2.id,
                user_id=self.agent_b.id,
            )

    def test_supervisor_sees_all_but_cannot_delete(self):
        foreign = self._create(partner_id=self.customer2.id, user_id=self.agent_b.id)
        as_supervisor = foreign.with_user(self.supervisor_b)
        self.assertEqual(as_supervisor.search([("id", "=", foreign.id)]), foreign)
        as_supervisor.action_activate()
        self.assertEqual(foreign.state, "active")
        with self.assertRaises(AccessError):
            as_supervisor.unlink()

    def test_employee_and_portal_have_no_access(self):
        plan = self._create()
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Plan.with_user(user).search([])
                with self.assertRaises(AccessError):
                    plan.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self._create(user=user, user_id=user.id)
