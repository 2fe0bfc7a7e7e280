"""Selections shared by several models (complaints, policies, customers)."""

CHANNELS = [
    ("branch", "Branch Counter"),
    ("phone", "Phone"),
    ("online_banking", "Online Banking"),
    ("mobile_app", "Mobile App"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("regulator", "Regulator Referral"),
    ("social_media", "Social Media"),
    ("portal", "Customer Portal"),
    ("live_chat", "Live Chat"),
]
# Why the bank contacts a customer, and how: see res.partner's contact policy
CONTACT_PURPOSES = [
    ("service", "Service Reply"),
    ("survey", "Survey"),
    ("care", "Customer Care"),
    ("event", "Event Invitation"),
    ("marketing", "Marketing"),
]
CONTACT_CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("sms", "Text Message"),
    ("letter", "Letter"),
    ("visit", "Visit"),
]
PRIORITIES = [
    ("0", "Normal"),
    ("1", "High"),
    ("2", "Urgent"),
]
OUTCOMES = [
    ("upheld", "Upheld"),
    ("partially_upheld", "Partially Upheld"),
    ("rejected", "Rejected"),
]
DEADLINE_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
PRODUCT_CATEGORIES = [
    ("deposit", "Deposit"),
    ("card", "Card"),
    ("loan", "Loan"),
    ("wealth", "Wealth Management"),
    ("insurance", "Insurance"),
    ("payment", "Payment"),
    ("other", "Other"),
]
TRANSACTION_TYPES = [
    ("deposit", "Deposit"),
    ("withdrawal", "Withdrawal"),
    ("payment", "Payment"),
    ("transfer", "Transfer"),
    ("fee", "Fee"),
    ("interest", "Interest"),
    ("purchase", "Purchase"),
    ("other", "Other"),
]
CUSTOMER_TYPES = [
    ("individual", "Individual"),
    ("corporate", "Corporate"),
]
SEGMENT_KINDS = [
    ("tier", "Value Tier"),
    ("tag", "Needs and Behaviour"),
]
SEGMENT_CHANGE_CAUSES = [
    ("recompute", "Recomputation"),
    ("override", "Manual Override"),
    ("override_removed", "Override Removed"),
]
SPECIAL_NEED_KINDS = [
    ("elderly", "Elderly"),
    ("disability", "Disability"),
    ("language", "Language"),
    ("vulnerable", "Vulnerable Customer"),
    ("other", "Other"),
]
FOLLOWUP_KINDS = [
    ("phone", "Phone Call"),
    ("visit", "Visit"),
    ("video", "Video Call"),
    ("message", "Message"),
]
FOLLOWUP_OUTCOMES = [
    ("reached", "Reached"),
    ("not_reached", "Not Reached"),
    ("declined", "Declined"),
    ("opportunity", "Opportunity Found"),
    ("issue", "Issue Raised"),
]
SATISFACTION_LEVELS = [
    ("1", "Very Dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very Satisfied"),
]
SERVICE_PLAN_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("review", "Under Review"),
    ("closed", "Closed"),
]
# Product categories whose balances count as assets under management.
AUM_CATEGORIES = ("deposit", "wealth")
# Channels counted as digital in a customer's digital share.
DIGITAL_CHANNELS = ("online_banking", "mobile_app")
FEEDBACK_KINDS = [
    ("praise", "Praise"),
    ("suggestion", "Suggestion"),
    ("complaint", "Complaint"),
]
FEEDBACK_STATES = [
    ("new", "New"),
    ("done", "Done"),
    ("converted", "Converted to Complaint"),
]
NPS_SURVEY_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("closed", "Closed"),
]
NPS_CATEGORIES = [
    ("promoter", "Promoter"),
    ("passive", "Passive"),
    ("detractor", "Detractor"),
]
# NPS scores: 9-10 promoters, 7-8 passives, 0-6 detractors
NPS_PROMOTER_MIN = 9
NPS_PASSIVE_MIN = 7
NPS_SCORE_MAX = 10
QUALITY_REVIEW_STATES = [
    ("draft", "Draft"),
    ("done", "Done"),
    ("acknowledged", "Acknowledged"),
]
CARE_CAMPAIGN_KINDS = [
    ("appreciation", "Appreciation Event"),
    ("festival", "Festival Greeting"),
    ("birthday", "Birthday Greeting"),
    ("anniversary", "Customer Anniversary"),
    ("other", "Other"),
]
CARE_CAMPAIGN_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("running", "Running"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
CARE_CAMPAIGN_RECURRENCES = [
    ("once", "Once"),
    ("yearly", "Every Year"),
]
CARE_CAMPAIGN_CHANNELS = [
    ("email", "Email"),
    ("task", "Task for the Relationship Manager"),
]
CARE_TASK_KINDS = [
    ("call", "Call"),
    ("visit", "Visit"),
    ("letter", "Letter"),
    ("gift", "Gift"),
]
CARE_PARTICIPANT_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
]
# why a targeted customer was not contacted, in the order they are checked
CARE_SKIP_REASONS = [
    ("deceased", "Deceased Customer"),
    ("inactive", "Inactive Customer"),
    ("do_not_contact", "Do Not Contact"),
    ("no_consent", "No Consent"),
    ("blacklisted", "Blacklisted Email"),
    ("no_email", "No Email"),
    ("quiet_period", "Quiet Period"),
    ("contact_budget", "Contact Budget Used Up"),
]
CARE_PARTICIPANT_CHANNELS = [
    ("email", "Email"),
    ("task", "Task"),
]
CARE_ANSWERS = [
    ("accepted", "Accepted"),
    ("declined", "Declined"),
]
APPRAISAL_PERIOD_KINDS = [
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("yearly", "Yearly"),
]
APPRAISAL_STATES = [
    ("draft", "Draft"),
    ("self_assessment", "Self-Assessment"),
    ("review", "Supervisor Review"),
    ("approval", "Manager Approval"),
    ("done", "Done"),
]
# What an appraisal KPI line measures: each kind is computed for many agents
# at once by the method _kpi_<kind> of cs.appraisal.kpi.line.
APPRAISAL_KPI_KINDS = [
    ("complaints_handled", "Complaints Handled"),
    ("deadline_compliance", "Deadline Compliance (%)"),
    ("resolution_hours", "Average Hours to Resolve"),
    ("reopen_rate", "Reopen Rate (%)"),
    ("first_contact_resolution", "First-Contact Resolution (%)"),
    ("upheld_rate", "Upheld-Complaint Rate (%)"),
    ("csat", "Average CSAT"),
    ("nps", "NPS of Their Customers"),
    ("qa_score", "Average QA Score (%)"),
    ("followups_on_time", "Follow-ups Done on Time (%)"),
    ("plans_reviewed_on_time", "Service Plans Reviewed on Time (%)"),
    ("care_tasks_done", "Care Tasks Done"),
    ("training_completion", "Mandatory Training Completion (%)"),
    ("implemented_ideas", "Improvement Ideas Implemented"),
]
APPRAISAL_QUALITATIVE_SCORES = [
    ("1", "Unsatisfactory"),
    ("2", "Needs Improvement"),
    ("3", "Meets Expectations"),
    ("4", "Exceeds Expectations"),
    ("5", "Outstanding"),
]
