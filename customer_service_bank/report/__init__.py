from . import cs_monthly_report
from . import cs_complaint_stage_report
from . import cs_complaint_report
from . import cs_complaint_pareto_report
from . import cs_monthly_report_company
from . import cs_care_effect_report
