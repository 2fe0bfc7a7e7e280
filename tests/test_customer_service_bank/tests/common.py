from contextlib import contextmanager
from datetime import date, datetime, timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, freeze_time, new_test_user

# 调休 of the shipped 2026 mainland China calendar: weekend days worked
CN_MAKEUP_DAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def days(first, last):
    """Every day from ``first`` to ``last`` included."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


class CsCommon(TransactionCase):
    """Two companies, three teams and a user of every role.

    Company A: team A (supervisor_a, agents agent_a and agent_a2, manager as
    escalation manager, mainland China calendar) and team B (supervisor_b,
    agent_b, England calendar). Company B: team C (agent_c, supervisor_c).
    ``employee`` is an internal user outside customer service, ``portal`` a
    portal user.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context, no_reset_password=True, mail_create_nosubscribe=True
            )
        )
        cls.company_a = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "Bank B"})
        cls.calendar_cn = cls.env.ref("customer_service_bank.resource_calendar_cn_bank")
        cls.calendar_uk = cls.env.ref("customer_service_bank.resource_calendar_uk_bank")
        cls.policy_nfra = cls.env.ref("customer_service_bank.cs_sla_policy_cn_nfra")
        cls.policy_fca = cls.env.ref("customer_service_bank.cs_sla_policy_uk_fca")
        cls.policy_psr = cls.env.ref("customer_service_bank.cs_sla_policy_uk_psr")
        cls.policy_cfpb = cls.env.ref("customer_service_bank.cs_sla_policy_us_cfpb")
        cls.company_a.write(
            {
                "cs_default_sla_policy_id": cls.policy_nfra.id,
                "cs_default_calendar_id": cls.calendar_cn.id,
                "cs_warning_threshold": 75.0,
                "cs_repeat_window_days": 30,
                "cs_close_requires_analysis": True,
                "cs_escalation_enabled": True,
                "cs_manager_escalation_hours": 24,
            }
        )
        cls.stage_new = cls.env.ref("customer_service_bank.cs_complaint_stage_new")
        cls.stage_in_progress = cls.env.ref(
            "customer_service_bank.cs_complaint_stage_in_progress"
        )
        cls.stage_awaiting = cls.env.ref(
            "customer_service_bank.cs_complaint_stage_awaiting"
        )
        cls.stage_resolved = cls.env.ref(
            "customer_service_bank.cs_complaint_stage_resolved"
        )
        cls.stage_closed = cls.env.ref(
            "customer_service_bank.cs_complaint_stage_closed"
        )

        group = "customer_service_bank.group_cs_"
        both = [Command.set([cls.company_a.id])]
        cls.agent_a = new_test_user(
            cls.env, "cs_t_agent_a", groups=group + "agent", company_ids=both
        )
        cls.agent_a2 = new_test_user(
            cls.env, "cs_t_agent_a2", groups=group + "agent", company_ids=both
        )
        cls.agent_b = new_test_user(
            cls.env, "cs_t_agent_b", groups=group + "agent", company_ids=both
        )
        cls.supervisor_a = new_test_user(
            cls.env, "cs_t_supervisor_a", groups=group + "supervisor", company_ids=both
        )
        cls.supervisor_b = new_test_user(
            cls.env, "cs_t_supervisor_b", groups=group + "supervisor", company_ids=both
        )
        cls.manager = new_test_user(
            cls.env, "cs_t_manager", groups=group + "manager", company_ids=both
        )
        cls.employee = new_test_user(
            cls.env, "cs_t_employee", groups="base.group_user", company_ids=both
        )
        cls.portal = new_test_user(cls.env, "cs_t_portal", groups="base.group_portal")
        only_b = {
            "company_id": cls.company_b.id,
            "company_ids": [Command.set([cls.company_b.id])],
        }
        cls.agent_c = new_test_user(
            cls.env, "cs_t_agent_c", groups=group + "agent", **only_b
        )
        cls.supervisor_c = new_test_user(
            cls.env, "cs_t_supervisor_c", groups=group + "supervisor", **only_b
        )

        Team = cls.env["cs.team"]
        cls.team_a = Team.create(
            {
                "name": "Team A",
                "company_id": cls.company_a.id,
                "supervisor_id": cls.supervisor_a.id,
                "manager_id": cls.manager.id,
                "member_ids": [Command.set([cls.agent_a.id, cls.agent_a2.id])],
                "resource_calendar_id": cls.calendar_cn.id,
            }
        )
        cls.team_b = Team.create(
            {
                "name": "Team B",
                "company_id": cls.company_a.id,
                "supervisor_id": cls.supervisor_b.id,
                "member_ids": [Command.set([cls.agent_b.id])],
                "resource_calendar_id": cls.calendar_uk.id,
            }
        )
        cls.team_c = Team.create(
            {
                "name": "Team C",
                "company_id": cls.company_b.id,
                "supervisor_id": cls.supervisor_c.id,
                "member_ids": [Command.set([cls.agent_c.id])],
                "resource_calendar_id": cls.calendar_cn.id,
            }
        )

        Category = cls.env["cs.complaint.category"]
        cls.cat_cards = Category.create({"name": "Cards", "code": "T-CARD"})
        cls.cat_fees = Category.create(
            {"name": "Fees", "code": "T-CARD-FEE", "parent_id": cls.cat_cards.id}
        )
        cls.cat_loans = Category.create({"name": "Loans", "code": "T-LOAN"})
        cls.root_cause = cls.env["cs.root.cause"].create({"name": "Missing control"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "Customer One", "email": "one@example.com"}
        )
        cls.customer2 = cls.env["res.partner"].create(
            {"name": "Customer Two", "email": "two@example.com"}
        )
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Customer B",
                "email": "b@example.com",
                "company_id": cls.company_b.id,
            }
        )

    @contextmanager
    def assertRaisesRolledBack(self, exception, pattern):
        """assertRaisesRegex, rolling the failed operation back as a request would.

        Checks run once the values are in the cache; without the rollback the
        rejected values would stay visible to the rest of the test.
        """
        with self.assertRaisesRegex(exception, pattern), self.env.cr.savepoint():
            yield

    @contextmanager
    def committed_env(self):
        """A superuser environment in a transaction of its own, committed at
        the end: what another worker sees, for concurrency tests. Quiet
        (no chatter, no tracking), waiting at most 10 s for a lock."""
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '10s'")
            yield api.Environment(
                cr,
                SUPERUSER_ID,
                {
                    "mail_create_nolog": True,
                    "mail_create_nosubscribe": True,
                    "tracking_disable": True,
                },
            )

    @classmethod
    def create_complaint(cls, **values):
        """A complaint of ``customer`` for team A.

        Received Monday 2 November 2026, 10:00 in Shanghai.
        """
        values = {
            "subject": "Annual fee charged twice",
            "partner_id": cls.customer.id,
            "team_id": cls.team_a.id,
            "category_id": cls.cat_fees.id,
            "channel": "branch",
            "received_date": datetime(2026, 11, 2, 2, 0),
            **values,
        }
        return cls.env["cs.complaint"].create(values)

    @classmethod
    def create_complaint_at(cls, moment, **values):
        """create_complaint() with the clock at ``moment``, flushed there.

        What the creation computes and logs (deadlines and their status, the
        first stage passage, mails) is dated ``moment``.
        """
        with freeze_time(moment):
            complaint = cls.create_complaint(**values)
            cls.env.flush_all()
        return complaint

    @classmethod
    def mail_queued_acknowledgements(cls):
        """Run the acknowledgement job that the commit would trigger."""
        job = cls.env["cs.complaint.acknowledgement"]
        while job._batch_remaining():
            job._cron_mail_acknowledgements()
        cls.env.flush_all()

    @classmethod
    def write_complaint_at(cls, complaints, moment, **values):
        """Write ``values`` on ``complaints`` with the clock at ``moment``,
        flushed there: a stage among them is entered at ``moment``."""
        with freeze_time(moment):
            complaints.write(values)
            cls.env.flush_all()

    @classmethod
    def move_complaint_at(cls, complaints, stage, moment, **values):
        """Move ``complaints`` to ``stage`` at ``moment``, with ``values``."""
        cls.write_complaint_at(complaints, moment, stage_id=stage.id, **values)

    @classmethod
    def resolve_complaint_at(cls, complaints, moment, outcome="upheld", **values):
        """Resolve ``complaints`` with ``outcome`` at ``moment``."""
        cls.move_complaint_at(
            complaints, cls.stage_resolved, moment, outcome=outcome, **values
        )
