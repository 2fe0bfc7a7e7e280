from . import cs_report_period_mixin
from . import cs_complaint_merge
from . import cs_monthly_report_wizard
from . import cs_complaint_statistics_export
from . import cs_calendar_holiday_wizard
from . import cs_appraisal_reopen
