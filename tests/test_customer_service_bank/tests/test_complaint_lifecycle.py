from .common import CsCommon


class TestComplaintLifecycle(CsCommon):
    def test_create_gives_reference_and_deadlines(self):
        complaint = self.create_complaint()
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(complaint.sla_policy_id, self.policy_nfra)
        self.assertEqual(complaint.stage_id, self.stage_new)
