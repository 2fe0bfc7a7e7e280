"""The load run's checks (bench/bench_intake_load.py) at small scale:
client threads create complaints through the JSON API, send some again
with the same external_ref, some from two clients at once; then every
acknowledged complaint exists once, whole, with its acknowledgement mail,
and the retries created nothing."""

import json
import threading
from collections import Counter

import requests

from odoo.tests import HttpCase, new_test_user, tagged

from .common import CsCommon

CREATE = "/cs/api/v1/complaints"
CLIENTS = 4
PER_CLIENT = 3


@tagged("post_install", "-at_install")
class TestIntakeLoad(CsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        integration = new_test_user(
            cls.env,
            "cs_t_load",
            groups="customer_service_bank.group_cs_integration",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
        )
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(integration)
            .sudo()
            ._generate(None, "load key", None)
        )
        cls.company_a.cs_intake_team_id = cls.team_a
        cls.customer.cs_customer_number = "L-0001"

    def _post(self, session, ref):
        """The API's answer to creating ``ref`` (a result item)."""
        item = {
            "external_ref": ref,
            "customer_number": "L-0001",
            "subject": f"Load {ref}",
            "channel": "mobile_app",
        }
        response = session.post(
            self.base_url() + CREATE,
            data=json.dumps({"jsonrpc": "2.0", "id": 1, "params": {"complaint": item}}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.key}",
            },
            timeout=60,
        )
        response.raise_for_status()
        return response.json()["result"]

    def _client(self, number, answers):
        """Create PER_CLIENT refs, each sent twice; the first also by a twin
        client (the next one) at the same time."""
        session = requests.Session()
        for index in range(PER_CLIENT):
            ref = f"LOAD-{number}-{index}"
            answers.append((ref, self._post(session, ref)))
            answers.append((ref, self._post(session, ref)))
        shared = f"LOAD-SHARED-{number // 2}"
        answers.append((shared, self._post(session, shared)))

    def test_concurrent_clients_and_retries_leave_each_complaint_once_and_whole(self):
        answers = []
        threads = [
            threading.Thread(target=self._client, args=(n, answers))
            for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        refs = {ref for ref, _answer in answers}
        self.assertEqual(len(answers), CLIENTS * (2 * PER_CLIENT + 1))
        self.assertEqual(len(refs), CLIENTS * PER_CLIENT + CLIENTS // 2)
        acked = {}
        for ref, answer in answers:
            self.assertNotIn("error", answer)
            # every answer about a ref names the same complaint
            reference = answer["reference"]
            self.assertEqual(acked.setdefault(ref, reference), reference)
        created = Counter(ref for ref, answer in answers if answer["created"])
        self.assertEqual(created, Counter(dict.fromkeys(refs, 1)), "one create per ref")

        complaints = (
            self.env["cs.complaint"]
            .with_context(active_test=False)
            .search([("external_ref", "=like", "LOAD-%")])
        )
        self.assertEqual(len(complaints), len(refs), "retries created nothing")
        self.assertEqual(
            {c.external_ref: c.name for c in complaints},
            acked,
            "each acknowledged ref exists once, under its reference",
        )
        for complaint in complaints:
            self.assertTrue(complaint.name and complaint.name != "/")
            self.assertTrue(complaint.stage_id)
            self.assertEqual(complaint.stage_log_ids.stage_id, complaint.stage_id)
            self.assertTrue(complaint.resolve_deadline and complaint.deadline_status)
            self.assertEqual(
                bool(complaint.ack_deadline), bool(complaint.sla_policy_id.ack_time)
            )
            self.assertEqual(complaint.partner_id, self.customer)
        self.mail_queued_acknowledgements()
        mails = self.env["mail.mail"].search(
            [("model", "=", "cs.complaint"), ("res_id", "in", complaints.ids)]
        )
        self.assertEqual(set(mails.mapped("res_id")), set(complaints.ids))
        self.assertEqual(len(mails), len(complaints), "one acknowledgement each")
