from datetime import date, datetime, time, timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user
from odoo.tools import mute_logger

from .common import CsCommon

# in UTC; Shanghai is UTC+8
WORKING = datetime(2026, 11, 2, 2, 0)  # Monday 10:00 in Shanghai
EVENING = datetime(2026, 11, 2, 12, 0)  # Monday 20:00
SUNDAY = datetime(2026, 11, 1, 2, 0)  # Sunday 10:00
NATIONAL_DAY = datetime(2026, 10, 1, 2, 0)  # a public holiday, 10:00


class TestAssignment(CsCommon):
    """Automatic assignment: who works now, time off, the cap, recusal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Complaint = cls.env["cs.complaint"]
        cls.Job = cls.env["cs.complaint.assignment.job"]
        # agents work the team's hours in Shanghai
        cls.employee_a, cls.employee_a2 = cls.env["hr.employee"].create(
            [
                {
                    "name": user.name,
                    "user_id": user.id,
                    "company_id": cls.company_a.id,
                    "resource_calendar_id": cls.calendar_cn.id,
                    "tz": "Asia/Shanghai",
                }
                for user in (cls.agent_a, cls.agent_a2)
            ]
        )
        cls.leave_type = cls.env["hr.leave.type"].create(
            {
                "name": "Assignment test leave",
                "requires_allocation": "no",
                "leave_validation_type": "no_validation",
                "company_id": cls.company_a.id,
            }
        )
        # the turn follows the members' order
        cls.first, cls.second = cls.team_a.member_ids
        # the demo teams assign automatically too: only team A does here
        cls.env["cs.team"].search([]).assignment_method = "manual"
        cls.team_a.assignment_method = "least_open"

    def create_at(self, moment, count=1, **values):
        with freeze_time(moment):
            complaints = self.Complaint.create(
                [
                    {
                        "subject": f"Card blocked abroad {index}",
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                        "received_date": moment,
                        **values,
                    }
                    for index in range(count)
                ]
            )
            self.env.flush_all()
        return complaints

    def take_time_off(self, employee, day):
        with freeze_time(datetime(2026, 10, 20)):
            leave = self.env["hr.leave"].create(
                {
                    "employee_id": employee.id,
                    "holiday_status_id": self.leave_type.id,
                    "request_date_from": day,
                    "request_date_to": day,
                }
            )
        self.assertEqual(leave.state, "validate")
        return leave

    # ------------------------------------------------------------------
    # settings
    # ------------------------------------------------------------------

    def test_team_form_settings(self):
        # the team's creation was a request of its own
        self.env.flush_all()
        self.env.cr.precommit.run()
        with Form(self.team_b.with_user(self.manager)) as form:
            form.assignment_method = "round_robin"
            form.assignment_cap = 5
        self.env.cr.precommit.run()  # tracking is written before the commit
        self.assertEqual(self.team_b.assignment_method, "round_robin")
        self.assertEqual(self.team_b.assignment_cap, 5)
        # the change is in the team's chatter
        self.assertIn(
            "Round-robin",
            self.team_b.message_ids[:1].tracking_value_ids.mapped("new_value_char"),
        )
        with self.assertRaisesRolledBack(ValidationError, "cannot be negative"):
            self.team_b.assignment_cap = -1

    def test_manual_team_is_left_to_the_supervisor(self):
        self.team_a.assignment_method = "manual"
        complaint = self.create_at(WORKING)
        self.assertFalse(complaint.user_id)
        self.assertFalse(self.team_a.assignment_user_id)
        with self.assertRaisesRegex(UserError, "by hand"):
            complaint.action_assign()

    # ------------------------------------------------------------------
    # methods
    # ------------------------------------------------------------------

    def test_least_open_gives_the_member_with_fewest(self):
        self.team_a.assignment_method = "manual"
        self.create_at(SUNDAY, count=2, user_id=self.first.id)
        # a closed complaint is not open work
        self.resolve_complaint_at(
            self.create_at(SUNDAY, user_id=self.second.id), SUNDAY
        )
        self.team_a.assignment_method = "least_open"
        complaints = self.create_at(WORKING, count=3)
        # 2 and 0 open: the second member twice, then, as both hold 2, the
        # one whose turn comes after the second
        self.assertEqual(
            [c.user_id for c in complaints], [self.second, self.second, self.first]
        )
        self.assertEqual(self.team_a.assignment_user_id, self.first)
        # the chatter says who and why, from OdooBot
        message = complaints[0].message_ids[:1]
        self.assertIn(
            f"Assigned automatically to {self.second.name} (Least open complaints)",
            message.body,
        )
        self.assertEqual(message.author_id, self.env.ref("base.partner_root"))
        # the handler follows the complaint, and got one notification of all
        self.assertIn(self.second.partner_id, complaints[0].message_partner_ids)

    def test_round_robin_goes_in_turn(self):
        self.team_a.assignment_method = "round_robin"
        self.create_at(SUNDAY, count=3, user_id=self.first.id)
        complaints = self.create_at(WORKING, count=3)
        # the open load does not matter, only the turn
        self.assertEqual(
            [c.user_id for c in complaints], [self.first, self.second, self.first]
        )
        # the turn goes on from one intake to the next
        self.assertEqual(self.create_at(WORKING).user_id, self.second)
        self.assertEqual(self.create_at(WORKING).user_id, self.first)
        self.assertIn("(Round-robin)", complaints[0].message_ids[:1].body)

    # ------------------------------------------------------------------
    # who works now
    # ------------------------------------------------------------------

    def test_only_members_working_now(self):
        for moment in (EVENING, SUNDAY, NATIONAL_DAY):
            for method in ("least_open", "round_robin"):
                self.team_a.assignment_method = method
                with self.subTest(moment=moment, method=method):
                    self.assertFalse(self.create_at(moment).user_id)
        # the lunch break of the team's calendar
        self.assertFalse(self.create_at(datetime(2026, 11, 2, 4, 30)).user_id)
        self.assertTrue(self.create_at(datetime(2026, 11, 2, 5, 30)).user_id)
        # a make-up working day (Sunday 20 September 2026, 10:00 in Shanghai)
        # is worked, as live chat and deadlines count it
        self.assertTrue(self.create_at(datetime(2026, 9, 20, 2, 0)).user_id)

    def test_members_on_time_off_are_skipped(self):
        self.take_time_off(self.employee_a2, date(2026, 11, 2))
        for method in ("least_open", "round_robin"):
            self.team_a.assignment_method = method
            complaints = self.create_at(WORKING, count=3)
            self.assertEqual(complaints.user_id, self.first, method)
        # back the next day
        complaints = self.create_at(datetime(2026, 11, 3, 2, 0), count=2)
        self.assertEqual(complaints.user_id, self.first | self.second)
        # nobody is working when both are off
        self.take_time_off(self.employee_a, date(2026, 11, 4))
        self.take_time_off(self.employee_a2, date(2026, 11, 4))
        self.assertFalse(self.create_at(datetime(2026, 11, 4, 2, 0)).user_id)

    def test_time_off_taken_on_another_calendar(self):
        # the employee's own calendar differs from the team's
        self.employee_a2.resource_calendar_id = self.calendar_uk
        self.employee_a2.tz = "Europe/London"
        # 2 November, all day in London: 08:00 to 17:00 there
        self.take_time_off(self.employee_a2, date(2026, 11, 2))
        # 17:00 in Shanghai is 09:00 in London: on time off
        complaints = self.create_at(datetime(2026, 11, 2, 8, 0), count=2)
        self.assertEqual(complaints.user_id, self.first)

    def test_member_without_employee_follows_the_team_calendar(self):
        self.employee_a2.user_id = False
        complaints = self.create_at(WORKING, count=2)
        self.assertEqual(complaints.user_id, self.first | self.second)
        self.assertFalse(self.create_at(EVENING).user_id)

    # ------------------------------------------------------------------
    # cap and recusal
    # ------------------------------------------------------------------

    def test_nobody_over_the_cap(self):
        for method in ("least_open", "round_robin"):
            with self.subTest(method=method), self.env.cr.savepoint() as savepoint:
                self.team_a.write({"assignment_method": method, "assignment_cap": 2})
                complaints = self.create_at(WORKING, count=5)
                self.assertEqual(
                    len(complaints.filtered(lambda c: c.user_id == self.first)), 2
                )
                self.assertEqual(
                    len(complaints.filtered(lambda c: c.user_id == self.second)), 2
                )
                self.assertFalse(complaints[4].user_id)
                # one resolved makes room for the waiting one
                self.resolve_complaint_at(complaints[0], WORKING)
                with freeze_time(WORKING):
                    complaints[4].action_assign()
                self.assertEqual(complaints[4].user_id, complaints[0].user_id)
                savepoint.rollback()

    def test_recused_members_are_skipped(self):
        # complaints about the first member go to the second, who has more
        self.team_a.assignment_method = "manual"
        self.create_at(SUNDAY, count=2, user_id=self.second.id)
        self.team_a.assignment_method = "least_open"
        about_first = self.create_at(
            WORKING, count=2, subject_employee_id=self.employee_a.id
        )
        self.assertEqual(about_first.user_id, self.second)
        # nor does a member handle their own complaint
        own = self.create_at(WORKING, partner_id=self.second.partner_id.id)
        self.assertEqual(own.user_id, self.first)
        self.team_a.assignment_method = "round_robin"
        own = self.create_at(WORKING, count=2, partner_id=self.first.partner_id.id)
        self.assertEqual(own.user_id, self.second)
        # recused from a complaint, the only member free leaves it waiting
        self.take_time_off(self.employee_a2, date(2026, 11, 3))
        waiting = self.create_at(
            datetime(2026, 11, 3, 2, 0), subject_employee_id=self.employee_a.id
        )
        self.assertFalse(waiting.user_id)

    # ------------------------------------------------------------------
    # button and scheduled action
    # ------------------------------------------------------------------

    def test_assign_button(self):
        waiting = self.create_at(EVENING)
        self.assertFalse(waiting.user_id)
        with freeze_time(EVENING), self.assertRaisesRegex(UserError, "Nobody can take"):
            waiting.with_user(self.agent_a).action_assign()
        with freeze_time(datetime(2026, 11, 3, 2, 0)):
            waiting.with_user(self.agent_a).action_assign()
        self.assertEqual(waiting.user_id, self.first)
        # a user who cannot change the complaint cannot assign it
        other = self.create_at(EVENING)
        with self.assertRaises(UserError):
            other.with_user(self.employee).action_assign()

    def test_scheduled_action_assigns_the_waiting_once(self):
        self.team_a.assignment_cap = 2
        waiting = self.create_at(SUNDAY, count=5)
        self.assertFalse(waiting.user_id)
        with freeze_time(SUNDAY):
            self.assertFalse(self.Job._batch_remaining())
            self.assertFalse(self.Job._cron_assign_complaints())
        with freeze_time(WORKING):
            self.assertEqual(self.Job._batch_remaining(), 5)
            first_batch = self.Job._cron_assign_complaints(batch_size=3)
            self.assertEqual(len(first_batch), 3)
            second_batch = self.Job._cron_assign_complaints(batch_size=3)
            # both members reached the cap: one waits, and nothing is due
            self.assertEqual(len(second_batch), 1)
            self.assertEqual(self.Job._batch_remaining(), 0)
            self.assertFalse(self.Job._cron_assign_complaints(batch_size=3))
        self.assertEqual(len(waiting.filtered("user_id")), 4)
        for user in (self.first, self.second):
            self.assertEqual(len(waiting.filtered(lambda c, u=user: c.user_id == u)), 2)
        # each complaint logged once
        for complaint in waiting.filtered("user_id"):
            self.assertEqual(
                len(
                    complaint.message_ids.filtered(
                        lambda m: "Assigned automatically" in m.body
                    )
                ),
                1,
            )


class TestAssignmentQueries(CsCommon):
    """Assigning a batch costs the same number of queries whatever its size."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        agents = cls.agent_a | cls.agent_a2
        for index in range(3):
            agents |= new_test_user(
                cls.env,
                f"cs_t_route_{index}",
                groups="customer_service_bank.group_cs_agent",
                company_ids=[Command.set(cls.company_a.ids)],
                company_id=cls.company_a.id,
            )
        cls.env["hr.employee"].create(
            [
                {"name": user.name, "user_id": user.id, "company_id": cls.company_a.id}
                for user in agents
            ]
        )
        cls.team_a.write(
            {
                "member_ids": [Command.set(agents.ids)],
                "assignment_method": "least_open",
                "assignment_cap": 100,
            }
        )
        cls.agents = agents
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Route customer {index}"} for index in range(40)]
        )

    def _waiting(self, count):
        with freeze_time(SUNDAY):
            complaints = self.env["cs.complaint"].create(
                [
                    {
                        "subject": f"Waiting {index}",
                        "partner_id": self.customers[index].id,
                        "team_id": self.team_a.id,
                        "received_date": SUNDAY,
                    }
                    for index in range(count)
                ]
            )
        self.env.flush_all()
        return complaints

    def _check_assign(self, count):
        # the registry's caches warm, as in a running server
        with freeze_time(WORKING):
            self._waiting(1)._cs_assign_automatically()
        complaints = self._waiting(count)
        self.env.invalidate_all()
        # lock, members' employees, attendances, time off, the grouped count,
        # one write per handler, the followers and the chatter notes in one
        # create each, one notification per handler
        with freeze_time(WORKING), self.assertQueryCount(__system__=35):
            assigned = complaints._cs_assign_automatically()
            self.env.flush_all()
        self.assertEqual(len(assigned), count)
        self.assertEqual(assigned.user_id, self.agents)

    def test_assign_10(self):
        self._check_assign(10)

    def test_assign_40(self):
        self._check_assign(40)


class TestAssignmentConcurrency(CsCommon):
    """Two transactions assigning at once never put an agent over the cap."""

    def _commit_waiting_complaints(self, count):
        """A least-open team of one demo agent with a cap of 1 and ``count``
        complaints waiting, committed for real and deleted after the test:
        another transaction only sees committed rows."""
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '10s'")
            cr.execute("SELECT COALESCE(max(id), 0) FROM mail_message")
            message_id = cr.fetchone()[0]
            env = api.Environment(
                cr,
                SUPERUSER_ID,
                {"mail_create_nolog": True, "mail_create_nosubscribe": True},
            )
            agent = env.ref("customer_service_bank.cs_demo_user_li")
            team = env["cs.team"].create(
                {
                    "name": "Concurrency assignment team",
                    "member_ids": [Command.set(agent.ids)],
                    "resource_calendar_id": self.calendar_cn.id,
                    "assignment_method": "least_open",
                    "assignment_cap": 1,
                }
            )
            partner = env["res.partner"].create({"name": "Concurrency customer"})
            with freeze_time(SUNDAY):
                complaints = env["cs.complaint"].create(
                    [
                        {
                            "subject": f"Concurrency #{index}",
                            "partner_id": partner.id,
                            "team_id": team.id,
                            "received_date": SUNDAY,
                        }
                        for index in range(count)
                    ]
                )
            self.assertFalse(complaints.user_id)
            ids, team_id, partner_id = complaints.ids, team.id, partner.id
        self.addCleanup(self._delete_committed, ids, team_id, partner_id, message_id)
        return agent.id, ids

    def _delete_committed(self, ids, team_id, partner_id, message_id):
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '10s'")
            # the chatter notes, and the handler's notification (no model)
            cr.execute(
                """DELETE FROM mail_message WHERE id > %s AND (model IS NULL
                    OR (model = 'cs.complaint' AND res_id = ANY(%s))
                    OR (model = 'cs.team' AND res_id = %s))""",
                [message_id, ids, team_id],
            )
            cr.execute(
                """DELETE FROM mail_followers WHERE (res_model = 'cs.complaint'
                    AND res_id = ANY(%s)) OR (res_model = 'cs.team' AND res_id = %s)""",
                [ids, team_id],
            )
            cr.execute("DELETE FROM cs_complaint WHERE id = ANY(%s)", [ids])
            cr.execute("DELETE FROM cs_team WHERE id = %s", [team_id])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])

    @mute_logger("odoo.sql_db")
    def test_two_transactions_never_exceed_the_cap(self):
        agent_id, (first, second) = self._commit_waiting_complaints(2)
        with (
            freeze_time(WORKING),
            self.registry.cursor() as cr_a,
            self.registry.cursor() as cr_b,
        ):
            complaints_a = api.Environment(cr_a, SUPERUSER_ID, {})["cs.complaint"]
            complaints_b = api.Environment(cr_b, SUPERUSER_ID, {})["cs.complaint"]
            # A gives its complaint the agent's only place, not committed yet
            assigned = complaints_a.browse(first)._cs_assign_automatically()
            self.assertEqual(assigned.user_id.id, agent_id)
            # B assigning meanwhile waits for A (here, until its lock timeout)
            # rather than counting without A's complaint
            cr_b.execute("SET LOCAL lock_timeout = '1s'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                complaints_b.browse(second)._cs_assign_automatically()
            cr_b.rollback()
            # B began before A committed: its snapshot misses A's complaint,
            # so once A commits, B's lock fails to serialize
            cr_b.execute("SELECT count(*) FROM cs_complaint")
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                complaints_b.browse(second)._cs_assign_automatically()
            cr_b.rollback()
            # retried, as Odoo retries a request or a job, B counts A's
            # complaint: the agent is at the cap, the complaint waits
            self.assertFalse(complaints_b.browse(second)._cs_assign_automatically())
            complaints_b.env.flush_all()
            cr_b.execute(
                "SELECT count(*) FROM cs_complaint WHERE user_id = %s AND id = ANY(%s)",
                [agent_id, [first, second]],
            )
            self.assertEqual(cr_b.fetchone()[0], 1)
            cr_b.rollback()


class TestAssignmentDemo(CsCommon):
    def test_demo_teams_and_time_off(self):
        """The demo teams assign in two ways, and Wang Wei's sick leave
        around the install day keeps him out of the Shanghai assignments."""
        shanghai = self.env.ref("customer_service_bank.cs_demo_team_shanghai")
        london = self.env.ref("customer_service_bank.cs_demo_team_london")
        self.assertEqual(
            (shanghai.assignment_method, london.assignment_method),
            ("least_open", "round_robin"),
        )
        leave = self.env.ref("customer_service_bank.cs_demo_leave_wang")
        self.assertEqual(leave.state, "validate")
        wang = self.env.ref("customer_service_bank.cs_demo_user_wang")
        # 10:00 in Shanghai on the leave's working days, and the day after it
        moments = [
            datetime.combine(leave.request_date_from + timedelta(days=days), time(2))
            for days in range(6)
        ]
        calendar = shanghai._deadline_calendar()
        for moment in moments:
            if not calendar._cs_working_at(moment):
                continue
            with self.subTest(moment=moment), freeze_time(moment):
                on_leave = moment.date() <= leave.request_date_to
                working = shanghai._cs_working_members()[shanghai.id]
                self.assertEqual(wang in working, not on_leave)
