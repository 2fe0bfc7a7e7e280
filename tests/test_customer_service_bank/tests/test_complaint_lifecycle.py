from datetime import date, datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import CsCommon

# CsCommon complaints are received on Monday 2 Nov 2026 at 02:00 UTC.
CREATED = datetime(2026, 11, 2, 3, 0)


class TestComplaintLifecycle(CsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence = cls.env.ref("customer_service_bank.seq_cs_complaint")
        cls.action_type = cls.env.ref(
            "customer_service_bank.mail_activity_type_cs_action"
        )
        cls.employee_agent_a = cls.env["hr.employee"].create(
            {
                "name": "Agent A (employee)",
                "user_id": cls.agent_a.id,
                "company_id": cls.company_a.id,
            }
        )

    def _customer_mails(self, complaint, subject):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
                ("subject", "=", f"{complaint.name}: {subject}"),
            ]
        )

    def _tracking(self, complaint):
        """{field name: tracking values} of ``complaint``, oldest first."""
        self.env.flush_all()
        self.env.cr.flush()  # tracking values are written by precommit hooks
        values = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "cs.complaint"),
                ("mail_message_id.res_id", "=", complaint.id),
            ],
            order="id",
        )
        result = {}
        for value in values:
            result.setdefault(value.field_id.name, []).append(value)
        return result

    # creation

    def test_create_gives_reference_and_deadlines(self):
        complaint = self.create_complaint_at(CREATED)
        self.assertRegex(complaint.name, r"^CMP/2026/\d{5}$")
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.stage_id, self.stage_new)
        self.assertEqual(complaint.stage_kind, "new")
        self.assertFalse(complaint.acknowledged_date)
        # 15 calendar days, to the end of the day in Shanghai
        self.assertEqual(complaint.resolve_deadline, datetime(2026, 11, 17, 15, 59, 59))
        self.assertEqual(complaint.deadline_status, "on_track")

    def test_copy_is_a_new_complaint(self):
        complaint = self.create_complaint_at(CREATED)
        copy = complaint.copy()
        self.assertEqual(copy.subject, f"{complaint.subject} (copy)")
        self.assertNotEqual(copy.name, complaint.name)
        self.assertRegex(copy.name, r"^CMP/2026/\d{5}$")

    def test_batch_create_numbers_references_in_order(self):
        start = self.sequence.number_next_actual
        with freeze_time(CREATED):
            complaints = self.env["cs.complaint"].create(
                [
                    {
                        "subject": f"Fee #{index}",
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                        "received_date": datetime(2026, 11, 2, 2, 0),
                    }
                    for index in range(4)
                ]
            )
        self.assertEqual(
            complaints.mapped("name"),
            [f"CMP/2026/{number:05d}" for number in range(start, start + 4)],
        )
        self.sequence.invalidate_recordset(["number_next_actual"])
        self.assertEqual(self.sequence.number_next_actual, start + 4)
        with freeze_time(datetime(2027, 1, 4, 1, 0)):
            next_year = self.create_complaint(received_date=datetime(2027, 1, 4, 0, 0))
        self.assertEqual(next_year.name, f"CMP/2027/{start + 4:05d}")

    def test_each_company_numbers_with_its_own_sequence(self):
        Sequence = self.env["ir.sequence"]
        seq_a, seq_b = Sequence.create(
            [
                {
                    "name": f"Complaints of {company.name}",
                    "code": "cs.complaint",
                    "prefix": prefix,
                    "padding": 4,
                    "company_id": company.id,
                }
                for company, prefix in ((self.company_a, "SH-"), (self.company_b, "B-"))
            ]
        )
        values = {"subject": "Fee", "received_date": datetime(2026, 11, 2, 2, 0)}
        # one batch, from company A's context, for both companies
        complaints = (
            self.env["cs.complaint"]
            .with_context(allowed_company_ids=[self.company_a.id, self.company_b.id])
            .create(
                [
                    {
                        **values,
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                    },
                    {
                        **values,
                        "partner_id": self.customer_b.id,
                        "team_id": self.team_c.id,
                        "company_id": self.company_b.id,
                    },
                    {
                        **values,
                        "partner_id": self.customer.id,
                        "team_id": self.team_a.id,
                    },
                ]
            )
        )
        self.assertEqual(complaints.mapped("name"), ["SH-0001", "B-0001", "SH-0002"])
        # a company without a sequence of its own uses the shared one
        seq_b.active = False
        shared = self.create_complaint(
            partner_id=self.customer_b.id,
            team_id=self.team_c.id,
            company_id=self.company_b.id,
        )
        self.assertRegex(shared.name, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(seq_a.number_next_actual, 3)

    def _assignment_mails(self, user):
        return self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", user.partner_id.ids),
                ("subject", "=like", "Complaints assigned to you: %"),
            ]
        )

    def test_batch_assignment_sends_one_digest_per_handler(self):
        values = [
            {
                "subject": f"Fee #{index}",
                "partner_id": self.customer.id,
                "team_id": self.team_a.id,
                "user_id": (self.agent_a if index < 3 else self.agent_a2).id,
                "received_date": datetime(2026, 11, 2, 2, 0),
            }
            for index in range(4)
        ]
        complaints = self.env["cs.complaint"].create(values)
        digest_a = self._assignment_mails(self.agent_a)
        self.assertEqual(len(digest_a), 1)
        self.assertEqual(digest_a.subject, "Complaints assigned to you: 3")
        for complaint in complaints[:3]:
            self.assertIn(f">{complaint.name}<", digest_a.body_html)
        self.assertNotIn(f">{complaints[3].name}<", digest_a.body_html)
        digest_a2 = self._assignment_mails(self.agent_a2)
        self.assertEqual(digest_a2.subject, "Complaints assigned to you: 1")
        # handlers still follow their complaints
        self.assertIn(self.agent_a.partner_id, complaints[0].message_partner_ids)
        # the batch context does not stick to the returned records
        self.assertNotIn("mail_auto_subscribe_no_notify", complaints.env.context)

    def test_digest_follows_the_handlers_notification_choice(self):
        self.agent_a2.notification_type = "inbox"
        self.agent_a2.lang = "zh_CN"
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["customer_service_bank"], ["zh_CN"], overwrite=True
        )
        complaints = self.env["cs.complaint"].create(
            [
                {
                    "subject": f"Fee #{index}",
                    "partner_id": self.customer.id,
                    "team_id": self.team_a.id,
                    "user_id": user.id,
                    "received_date": datetime(2026, 11, 2, 2, 0),
                }
                for index, user in enumerate((self.agent_a, self.agent_a2))
            ]
        )
        self.assertEqual(len(self._assignment_mails(self.agent_a)), 1)
        # in Odoo, not by email, and in Chinese
        self.assertFalse(
            self.env["mail.mail"].search(
                [("recipient_ids", "in", self.agent_a2.partner_id.ids)]
            )
        )
        notification = self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", self.agent_a2.partner_id.id),
                ("notification_type", "=", "inbox"),
            ]
        )
        message = notification.mail_message_id
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, "分派给您的投诉：1 件")
        self.assertIn(f">{complaints[1].name}<", message.body)

    def test_admins_edit_the_digest_wording(self):
        self.env.ref(
            "customer_service_bank.mail_template_cs_digest_assigned"
        ).subject = "New work: {{ len(complaints) }} complaint(s)"
        self.env["cs.complaint"].create(
            [
                {
                    "subject": f"Fee #{index}",
                    "partner_id": self.customer.id,
                    "team_id": self.team_a.id,
                    "user_id": self.agent_a.id,
                    "received_date": datetime(2026, 11, 2, 2, 0),
                }
                for index in range(2)
            ]
        )
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", self.agent_a.partner_id.ids)]
        )
        self.assertEqual(mail.mapped("subject"), ["New work: 2 complaint(s)"])

    def test_creation_logs_stage_and_acknowledges_customer(self):
        complaint = self.create_complaint_at(CREATED)
        log = complaint.stage_log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (
                log.stage_id,
                log.stage_kind,
                log.user_id,
                log.team_id,
                log.date_in,
                log.date_out,
            ),
            (self.stage_new, "new", self.env.user, self.team_a, CREATED, False),
        )
        # queued by the creation, mailed by the job its commit triggers
        self.assertEqual(complaint.queued_template_id, self.stage_new.mail_template_id)
        self.assertFalse(
            self._customer_mails(complaint, "we have received your complaint")
        )
        self.mail_queued_acknowledgements()
        mail = self._customer_mails(complaint, "we have received your complaint")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertFalse(mail.auto_delete)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("Dear Customer One", mail.body_html)
        self.assertIn(complaint.name, mail.body_html)
        self.assertIn("November 17, 2026", mail.body_html)
        complaint.invalidate_recordset(["message_ids"])
        self.assertIn(mail.mail_message_id, complaint.message_ids)

    def test_team_defaults_to_the_users_team(self):
        with freeze_time(CREATED):
            for user, team in [
                (self.agent_a, self.team_a),
                (self.agent_b, self.team_b),
            ]:
                complaint = (
                    self.env["cs.complaint"]
                    .with_user(user)
                    .create(
                        {
                            "subject": "Card blocked abroad",
                            "partner_id": self.customer.id,
                        }
                    )
                )
                self.assertEqual(complaint.team_id, team)
                self.assertEqual(complaint.received_date, CREATED)

    # stages

    def test_stage_moves_are_logged(self):
        complaint = self.create_complaint_at(CREATED)
        moved = datetime(2026, 11, 3, 4, 30)
        self.write_complaint_at(
            complaint.with_user(self.agent_a), moved, stage_id=self.stage_in_progress.id
        )
        self.assertEqual(complaint.acknowledged_date, moved)
        new_log, progress_log = complaint.stage_log_ids.sorted("id")
        self.assertEqual((new_log.date_out, new_log.duration_hours), (moved, 25.5))
        self.assertEqual(
            (
                progress_log.stage_id,
                progress_log.stage_kind,
                progress_log.user_id,
                progress_log.date_in,
                progress_log.date_out,
                progress_log.duration_hours,
            ),
            (self.stage_in_progress, "in_progress", self.agent_a, moved, False, 0.0),
        )
        # moving on keeps the first acknowledgement
        self.write_complaint_at(
            complaint, datetime(2026, 11, 4, 0, 0), stage_id=self.stage_awaiting.id
        )
        self.assertEqual(complaint.acknowledged_date, moved)
        self.assertEqual(len(complaint.stage_log_ids), 3)
        self.assertEqual(progress_log.date_out, datetime(2026, 11, 4, 0, 0))
        self.assertEqual(progress_log.duration_hours, 19.5)

    def test_resolving_requires_an_outcome(self):
        complaint = self.create_complaint_at(CREATED)
        with self.assertRaisesRolledBack(
            UserError, r"Set the outcome of CMP/2026/\d{5} before"
        ):
            complaint.stage_id = self.stage_resolved
        self.assertEqual(complaint.stage_id, self.stage_new)
        self.assertEqual(len(complaint.stage_log_ids), 1)

    def test_resolving_sends_the_final_response(self):
        complaint = self.create_complaint_at(CREATED)
        resolved = datetime(2026, 11, 10, 8, 0)
        # outcome and stage in one write, as the form's status bar saves them
        self.write_complaint_at(
            complaint,
            resolved,
            outcome="partially_upheld",
            redress_amount=150.0,
            resolution="<p>We refunded the second annual fee.</p>",
            stage_id=self.stage_resolved.id,
        )
        self.assertEqual(complaint.resolved_date, resolved)
        self.assertEqual(complaint.final_response_date, resolved)
        self.assertEqual(complaint.acknowledged_date, resolved)
        self.assertEqual(complaint.deadline_status, "met")
        mail = self._customer_mails(complaint, "our final response to your complaint")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertFalse(mail.auto_delete)
        body = mail.body_html
        self.assertIn("We have partially upheld your complaint.", body)
        self.assertIn("We refunded the second annual fee.", body)
        self.assertIn("150.00", body)
        self.assertIn(
            "National Financial Regulatory Administration (hotline 12378)", body
        )

    def test_reopening_clears_resolution_and_counts(self):
        complaint = self.create_complaint_at(CREATED)
        self.write_complaint_at(
            complaint,
            datetime(2026, 11, 10, 8, 0),
            outcome="rejected",
            stage_id=self.stage_resolved.id,
        )
        self.write_complaint_at(
            complaint, datetime(2026, 11, 11, 9, 0), stage_id=self.stage_in_progress.id
        )
        self.assertFalse(complaint.resolved_date)
        self.assertEqual(complaint.reopen_count, 1)
        self.assertEqual(complaint.deadline_status, "on_track")
        again = datetime(2026, 11, 12, 9, 0)
        self.write_complaint_at(complaint, again, stage_id=self.stage_resolved.id)
        self.assertEqual(complaint.resolved_date, again)
        self.write_complaint_at(
            complaint, datetime(2026, 11, 13, 9, 0), stage_id=self.stage_awaiting.id
        )
        self.assertEqual(complaint.reopen_count, 2)
        self.assertEqual(
            len(
                self._customer_mails(complaint, "our final response to your complaint")
            ),
            2,
        )

    def test_closing_requires_root_cause_and_finished_actions(self):
        complaint = self.create_complaint_at(CREATED)
        self.write_complaint_at(
            complaint,
            datetime(2026, 11, 10),
            outcome="upheld",
            stage_id=self.stage_resolved.id,
        )
        with self.assertRaisesRolledBack(
            UserError, r"Set the root cause of CMP/2026/\d{5} before"
        ):
            complaint.stage_id = self.stage_closed
        complaint.root_cause_id = self.root_cause
        action = self.env["cs.complaint.action"].create(
            {
                "name": "Add a check on fee-free cards",
                "complaint_id": complaint.id,
                "user_id": self.employee.id,
                "date_deadline": date(2026, 11, 30),
            }
        )
        with self.assertRaisesRolledBack(
            UserError, r"Finish every action of CMP/2026/\d{5} before"
        ):
            complaint.stage_id = self.stage_closed
        self.assertEqual(complaint.stage_id, self.stage_resolved)
        action.action_done()
        complaint.stage_id = self.stage_closed
        self.assertEqual(complaint.stage_kind, "closed")
        self.assertEqual(complaint.resolved_date, datetime(2026, 11, 10))

    def test_closing_without_analysis_when_not_required(self):
        self.company_a.cs_close_requires_analysis = False
        complaint = self.create_complaint_at(CREATED)
        self.env["cs.complaint.action"].create(
            {
                "name": "Retrain the branch",
                "complaint_id": complaint.id,
                "user_id": self.employee.id,
                "date_deadline": date(2026, 11, 30),
            }
        )
        self.write_complaint_at(
            complaint,
            datetime(2026, 11, 10),
            outcome="rejected",
            stage_id=self.stage_closed.id,
        )
        self.assertEqual(complaint.stage_kind, "closed")
        self.assertFalse(complaint.root_cause_id)
        self.assertEqual(complaint.open_action_count, 1)
        self.assertEqual(complaint.resolved_date, datetime(2026, 11, 10))

    # corrective actions

    def test_action_schedules_moves_and_completes_an_activity(self):
        complaint = self.create_complaint_at(CREATED)
        with freeze_time(datetime(2026, 11, 3, 2, 0)):
            action = (
                self.env["cs.complaint.action"]
                .with_user(self.agent_a)
                .create(
                    {
                        "name": "Refund the duplicate fee",
                        "complaint_id": complaint.id,
                        "user_id": self.employee.id,
                        "date_deadline": date(2026, 11, 20),
                    }
                )
            )
        activity = action.activity_id
        self.assertEqual(
            (
                activity.res_model,
                activity.res_id,
                activity.activity_type_id,
                activity.user_id,
                activity.date_deadline,
                activity.summary,
            ),
            (
                "cs.complaint",
                complaint.id,
                self.action_type,
                self.employee,
                date(2026, 11, 20),
                "Refund the duplicate fee",
            ),
        )
        self.assertEqual(complaint.open_action_count, 1)

        action.with_user(self.agent_a).write(
            {
                "user_id": self.agent_a2.id,
                "date_deadline": date(2026, 11, 25),
            }
        )
        self.assertEqual(action.activity_id, activity)
        self.assertEqual(
            (activity.user_id, activity.date_deadline),
            (self.agent_a2, date(2026, 11, 25)),
        )
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
            ]
        )
        self.assertEqual(activities, activity)

        with freeze_time(datetime(2026, 11, 24, 2, 0)):
            action.with_user(self.agent_a2).action_done()
        self.assertTrue(action.is_done)
        self.assertEqual(action.date_done, date(2026, 11, 24))
        self.assertFalse(activity.exists())
        self.assertEqual(complaint.open_action_count, 0)
        done_message = self.env["mail.message"].search(
            [
                ("model", "=", "cs.complaint"),
                ("res_id", "=", complaint.id),
                ("mail_activity_type_id", "=", self.action_type.id),
            ]
        )
        self.assertEqual(len(done_message), 1)
        self.assertIn("Action done.", done_message.body)
        self.assertEqual(done_message.author_id, self.agent_a2.partner_id)
        notes = (
            self.env["mail.message"]
            .search(
                [
                    ("model", "=", "cs.complaint"),
                    ("res_id", "=", complaint.id),
                    ("body", "like", "Action "),
                ],
                order="id",
            )
            .mapped("body")
        )
        self.assertIn(
            f"<p>Action assigned to {self.employee.name}: Refund the duplicate fee</p>",
            notes,
        )
        self.assertIn(
            f"<p>Action done by {self.agent_a2.name}: Refund the duplicate fee</p>",
            notes,
        )

    # tracking, deletion and archiving

    def test_changes_are_tracked_in_the_chatter(self):
        complaint = self.create_complaint_at(CREATED)
        # end the creating "request": changes are tracked from the stored values
        self._tracking(complaint)
        with freeze_time(datetime(2026, 11, 5, 2, 0)):
            complaint.with_user(self.agent_a).write(
                {
                    "user_id": self.agent_a2.id,
                    "priority": "1",
                    "stage_id": self.stage_in_progress.id,
                }
            )
            complaint.with_user(self.agent_a).write(
                {
                    "outcome": "upheld",
                    "redress_amount": 80.0,
                    "root_cause_id": self.root_cause.id,
                }
            )
            tracking = self._tracking(complaint)
        self.assertEqual(
            [
                (value.old_value_char, value.new_value_char)
                for value in tracking["stage_id"]
            ],
            [("New", "In Progress")],
        )
        self.assertEqual(
            [
                (value.old_value_char, value.new_value_char)
                for value in tracking["user_id"]
            ],
            [("", self.agent_a2.name)],
        )
        self.assertEqual(
            [
                (value.old_value_char, value.new_value_char)
                for value in tracking["priority"]
            ],
            [("Normal", "High")],
        )
        self.assertEqual(
            [
                (value.old_value_char, value.new_value_char)
                for value in tracking["outcome"]
            ],
            [("", "Upheld")],
        )
        self.assertEqual(
            [
                (value.old_value_float, value.new_value_float)
                for value in tracking["redress_amount"]
            ],
            [(0.0, 80.0)],
        )
        self.assertEqual(
            [value.new_value_char for value in tracking["root_cause_id"]],
            ["Missing control"],
        )
        self.assertEqual(
            tracking["stage_id"][0].mail_message_id.author_id, self.agent_a.partner_id
        )

    def test_complaints_cannot_be_deleted_only_archived(self):
        complaint = self.create_complaint_at(CREATED)
        self.assertTrue(self.env.su)
        with self.assertRaisesRolledBack(UserError, "archive them instead of deleting"):
            complaint.sudo().unlink()
        complaint.action_archive()
        self.assertFalse(complaint.active)
        self.assertFalse(self.env["cs.complaint"].search([("id", "=", complaint.id)]))
        self.assertEqual(
            self.env["cs.complaint"]
            .with_context(active_test=False)
            .search([("id", "=", complaint.id)]),
            complaint,
        )

    # recusal

    def test_handler_cannot_be_the_employee_complained_about(self):
        with self.assertRaisesRolledBack(
            ValidationError, "is the employee complained about and cannot handle"
        ):
            self.create_complaint_at(
                CREATED,
                subject_employee_id=self.employee_agent_a.id,
                user_id=self.agent_a.id,
            )
        complaint = self.create_complaint_at(
            CREATED, subject_employee_id=self.employee_agent_a.id
        )
        with self.assertRaisesRolledBack(
            ValidationError, "is the employee complained about and cannot handle"
        ):
            complaint.user_id = self.agent_a
        complaint.user_id = self.agent_a2
        self.assertEqual(complaint.user_id, self.agent_a2)

    def test_handler_cannot_be_the_customer(self):
        with self.assertRaisesRolledBack(
            ValidationError, "is the customer and cannot handle their own complaint"
        ):
            self.create_complaint_at(
                CREATED, partner_id=self.agent_a.partner_id.id, user_id=self.agent_a.id
            )

    def test_recusal_in_the_form(self):
        with freeze_time(CREATED):
            form = Form(self.env["cs.complaint"].with_user(self.supervisor_a))
            form.subject = "Rude teller"
            form.partner_id = self.customer
            form.team_id = self.team_a
            form.subject_employee_id = self.employee_agent_a
            form.user_id = self.agent_a
            with self.assertRaisesRolledBack(
                ValidationError, "is the employee complained about and cannot handle"
            ):
                form.save()
            form.user_id = self.agent_a2
            complaint = form.save()
        self.assertEqual(complaint.user_id, self.agent_a2)
        self.assertEqual(complaint.subject_employee_id, self.employee_agent_a)

        with freeze_time(CREATED):
            form = Form(self.env["cs.complaint"].with_user(self.supervisor_a))
            form.subject = "My own card"
            form.partner_id = self.agent_a.partner_id
            form.team_id = self.team_a
            form.user_id = self.agent_a
            with self.assertRaisesRolledBack(
                ValidationError, "is the customer and cannot handle"
            ):
                form.save()


@tagged("post_install", "-at_install")
class TestAssignmentNotice(CsCommon):
    """Odoo sends no assignment notice while modules install: post_install."""

    def test_single_assignment_uses_odoos_own_notice(self):
        complaint = self.create_complaint(user_id=self.agent_a.id)
        # the notice's mail may already be sent and deleted: look for its message
        notices = self.env["mail.message"].search(
            [
                ("partner_ids", "in", self.agent_a.partner_id.ids),
                ("subject", "=", f"You have been assigned to {complaint.display_name}"),
            ]
        )
        self.assertEqual(len(notices), 1)
        self.assertFalse(
            self.env["mail.mail"].search(
                [
                    ("recipient_ids", "in", self.agent_a.partner_id.ids),
                    ("subject", "=like", "Complaints assigned to you: %"),
                ]
            )
        )
